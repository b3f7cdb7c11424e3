/* test_courses.c - the routes to a class: the student kit (make handout) unpacked and graded
 * in a fresh folder, the HTML report (hostile bytes escaped, rendered by headless
 * Chromium), the Gradescope bundle on a simulated autograder root in host mode, and the
 * command the GitHub Classroom workflow runs. */
#define _GNU_SOURCE
#include "kit.h"
#include "esc.h"
#include "labs.h"

#include <sys/stat.h>
#include <unistd.h>

/* The kits built from a tarball or a bundle are their own binaries: the sanitizer run
 * (WIRELAB_BIN set) has nothing to add to those tests. */
static void skip_under_sanitizers(void)
{
	const char *b = getenv("WIRELAB_BIN");
	if (b && *b)
		cr_skip_test("builds its own kit; run once, without sanitizers");
}

/* Run a script of tests/courses; it says what it checked, and FAIL: with why. */
static void script(const char *cmd)
{
	int st;
	char *out = kit_run(cmd, &st);
	cr_expect_eq(st, 0, "`%s` exited %d; it said:\n%s", cmd, st, out);
	free(out);
}

Test(courses, student_kit_has_no_solution_and_grades_the_stubs, .timeout = 400)
{
	skip_under_sanitizers();
	script("tests/courses/handout.sh 2>&1");
}

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	cr_assert(f, "cannot write %s", path);
	fputs(text, f);
	fclose(f);
}

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	cr_assert(f, "cannot read %s", path);
	fseek(f, 0, SEEK_END);
	long n = ftell(f);
	fseek(f, 0, SEEK_SET);
	char *s = malloc((size_t)n + 1);
	cr_assert(s && fread(s, 1, (size_t)n, f) == (size_t)n);
	s[n] = '\0';
	fclose(f);
	*len = (size_t)n;
	return s;
}

/* A greet_server whose every answer and error line is hostile: markup, a CDATA end, a NUL,
 * bytes that are not UTF-8, a comment opener. */
static const char hostile_server[] =
	"#define _POSIX_C_SOURCE 200809L\n#include <netinet/in.h>\n#include <stdio.h>\n"
	"#include <stdlib.h>\n#include <string.h>\n#include <sys/socket.h>\n#include <unistd.h>\n"
	"static const char evil[] = \"<script>alert(1)</script>]]><!--\\0\\xff\\xfe\\xc3\\x28"
	"<svg onload=x>&amp;\\n\";\n"
	"int main(int argc, char **argv) {\n"
	"  if (argc != 2) { fwrite(evil, 1, sizeof evil - 1, stderr); return 1; }\n"
	"  int s = socket(AF_INET6, SOCK_STREAM, 0), one = 1, off = 0; char b[128];\n"
	"  struct sockaddr_in6 a = { .sin6_family = AF_INET6, .sin6_port = htons(atoi(argv[1])) };\n"
	"  setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);\n"
	"  setsockopt(s, IPPROTO_IPV6, IPV6_V6ONLY, &off, sizeof off);\n"
	"  if (bind(s, (struct sockaddr *)&a, sizeof a) < 0 || listen(s, 8) < 0) return 1;\n"
	"  for (;;) { int c = accept(s, NULL, NULL); if (c < 0) continue;\n"
	"    if (read(c, b, sizeof b) > 0 && write(c, evil, sizeof evil - 1) < 0) {}\n"
	"    shutdown(c, SHUT_WR); while (read(c, b, sizeof b) > 0) {} close(c); } }\n";

/* Every byte of the page is valid UTF-8 (no NUL, no other control but \n and \t):
 * esc_text leaves such text unchanged. */
static bool is_clean_utf8(const char *s, size_t n)
{
	char *out = malloc(4 * n + 1);
	cr_assert(out);
	size_t m = esc_text(s, n, out, 4 * n + 1);
	bool same = m == n && memcmp(out, s, n) == 0;
	free(out);
	return same;
}

static bool has_nocase(const char *hay, const char *needle)
{
	return strcasestr(hay, needle) != NULL;
}

/* Headless Chromium as the brief of the kit's tests says: no sandbox (root), no GPU, no
 * network of its own, a fresh profile. */
static void chromium(const char *profile, const char *what, const char *page, const char *out)
{
	char cmd[4096];
	int st;
	snprintf(cmd, sizeof cmd,
		 "timeout 60 chromium --headless --no-sandbox --disable-gpu --disable-quic "
		 "--no-first-run --disable-background-networking --disable-component-update "
		 "--disable-sync --user-data-dir=%s --window-size=1100,1400 %s 'file://%s' "
		 "2>/dev/null",
		 profile, what, page);
	char *o = kit_run(cmd, &st);
	cr_assert_eq(st, 0, "chromium exited %d (is it installed? make deps): %s", st, cmd);
	if (out) {
		FILE *f = fopen(out, "w");
		cr_assert(f);
		fputs(o, f);
		fclose(f);
	}
	free(o);
}

Test(courses, html_report_escapes_student_bytes_and_renders, .timeout = 180)
{
	char *tmp = kit_tmpdir(), dir[700], path[900], cmd[4096];
	int st;

	/* The folder's name is someone's bytes too. */
	snprintf(dir, sizeof dir, "%s/<i>&\"o", tmp);
	cr_assert_eq(mkdir(dir, 0755), 0);
	snprintf(path, sizeof path, "%s/src", dir);
	cr_assert_eq(mkdir(path, 0755), 0);
	snprintf(path, sizeof path, "%s/src/greet_server.c", dir);
	write_file(path, hostile_server);
	snprintf(cmd, sizeof cmd, "cp solutions/00-sockets-basics/src/greet_client.c '%s/src/'", dir);
	cr_assert_eq(system(cmd), 0);

	char page[800];
	snprintf(page, sizeof page, "%s/report.html", tmp);
	snprintf(cmd, sizeof cmd, "%s grade 00 --submission '%s' --format html --output %s "
		 "--pcap-dir %s/pcaps --check 'greet.server-*'", kit_bin(), dir, page, tmp);
	char *o = kit_run(cmd, &st);
	cr_assert_eq(st, 1, "`%s` exited %d, expected 1 (checks fail): %s", cmd, st, o);
	free(o);

	size_t n;
	char *html = slurp(page, &n);
	cr_expect(is_clean_utf8(html, n), "the page is not clean UTF-8 (a NUL, a control byte "
		  "or an invalid sequence got through)");
	cr_expect_eq(strlen(html), n, "the page holds a NUL byte");
	static const char *const never[] = { "<script", "]]>", "<!--", "<svg onload", "<i>",
					     "http://", "https://", "<link", "<img", "url(",
					     "@import" };
	for (size_t i = 0; i < sizeof never / sizeof *never; i++)
		cr_expect(!has_nocase(html, never[i]), "the page holds \"%s\"", never[i]);
	/* The student's bytes are there, escaped: in a message and in a ladder's SVG. */
	cr_expect(strstr(html, "&lt;script&gt;alert(1)&lt;/script&gt;]]&gt;"),
		  "the hostile reply is not shown escaped");
	cr_expect(strstr(html, "\\xff\\xfe"), "the invalid UTF-8 is not shown as \\xNN");
	cr_expect(strstr(html, "&lt;i&gt;&amp;&quot;o"), "the folder name is not escaped");
	cr_expect(strstr(html, "<svg class=\"ladder\""), "no ladder drawn");
	cr_expect(strstr(html, ".pcap\">"), "no link to a pcap");
	free(html);

	/* What a browser makes of it: every check in the DOM, a picture that is not blank. */
	char profile[800], dom[800], png[800];
	snprintf(profile, sizeof profile, "%s/profile", tmp);
	snprintf(dom, sizeof dom, "%s/dom.html", tmp);
	snprintf(png, sizeof png, "%s/page.png", tmp);
	cr_assert_eq(mkdir(profile, 0700), 0);
	chromium(profile, "--dump-dom", page, dom);
	char shot[900];
	snprintf(shot, sizeof shot, "--screenshot=%s", png);
	chromium(profile, shot, page, NULL);

	char *d = slurp(dom, &n);
	const struct lab *lab = labs_find("00");
	cr_assert(lab);
	int found = 0;
	for (size_t i = 0; i < lab->nchecks; i++) {
		if (strncmp(lab->checks[i].id, "greet.server-", 13) != 0)
			continue;
		char id[200];
		snprintf(id, sizeof id, "id=\"check-%s-%s\"", lab->id, lab->checks[i].id);
		cr_expect(strstr(d, id), "the DOM has no %s", id);
		found++;
	}
	cr_expect_gt(found, 5, "only %d checks looked for", found);
	cr_expect(!has_nocase(d, "<script"), "the DOM holds a script element");
	free(d);
	snprintf(cmd, sizeof cmd, "python3 tests/courses/png_colours.py %s 2>&1", png);
	o = kit_run(cmd, &st);
	cr_expect_eq(st, 0, "the screenshot looks blank: %s", o);
	free(o);
	kit_rmdir(tmp);
	free(tmp);
}

Test(courses, gradescope_bundle_on_a_simulated_root_in_host_mode, .timeout = 400)
{
	skip_under_sanitizers();
	script("tests/courses/gradescope.sh 2>&1");
}

Test(courses, classroom_workflow_commands_run_locally, .timeout = 200)
{
	skip_under_sanitizers();
	script("tests/courses/classroom.sh 2>&1");
}
