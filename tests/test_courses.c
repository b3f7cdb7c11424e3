/* test_courses.c - the routes to a class: the student kit (make handout) unpacked and graded
 * in a fresh folder, the HTML report (hostile bytes escaped, rendered by headless
 * Chromium), the Gradescope bundle on a simulated autograder root in host mode, the
 * command the GitHub Classroom workflow runs, and what a course file adds to them
 * (Gradescope's visibilities, repeat) with the fields `grade` and `batch` share in JSON. */
#define _GNU_SOURCE
#include "kit.h"
#include "course.h"
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
	kit_chromium(profile, "--dump-dom", page, dom);
	char shot[900];
	snprintf(shot, sizeof shot, "--screenshot=%s", png);
	kit_chromium(profile, shot, page, NULL);

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

/* ---- course files: Gradescope's visibilities and --repeat ------------------------------ */

/* Write text to dir/name; returns the path (malloc'd). */
static char *course_file(const char *dir, const char *name, const char *text)
{
	char *path = malloc(700);
	cr_assert(path);
	snprintf(path, 700, "%s/%s", dir, name);
	write_file(path, text);
	return path;
}

Test(courses, course_file_reads_visibilities_and_repeat)
{
	char *tmp = kit_tmpdir(), why[512] = "";
	char *path = course_file(tmp, "course.json",
				 "{\"default_visibility\": \"after_due_date\", \"repeat\": 3, "
				 "\"visibility\": {\"greet.server-hello\": \"hidden\", "
				 "\"greet.client-hello\": \"visible\"}}");
	struct course c;

	cr_assert_eq(course_read(path, &c, why, sizeof why), 0, "refused: %s", why);
	cr_expect_eq(c.repeat, 3);
	const struct lab *lab = labs_find("00");
	for (size_t k = 0; k < lab->nchecks; k++) {
		const char *id = lab->checks[k].id;
		const char *want = strcmp(id, "greet.server-hello") == 0 ? "hidden"
				 : strcmp(id, "greet.client-hello") == 0 ? "visible" : "after_due_date";
		cr_expect_str_eq(course_visibility(&c, &lab->checks[k]), want, "%s", id);
	}
	course_free(&c);
	/* Without a course, or a course that says nothing of it: visible. */
	cr_expect_str_eq(course_visibility(NULL, &lab->checks[0]), "visible");
	free(path);
	path = course_file(tmp, "empty.json", "{}");
	cr_assert_eq(course_read(path, &c, why, sizeof why), 0, "refused: %s", why);
	cr_expect_str_eq(course_visibility(&c, &lab->checks[0]), "visible");
	cr_expect_eq(c.repeat, 0);
	course_free(&c);
	free(path);
	kit_rmdir(tmp);
	free(tmp);
}

/* A visibility Gradescope does not know, or a repeat out of range, is refused with the
 * file and the key, by the reader and by both commands that take a course. */
Test(courses, course_file_refuses_bad_visibilities_and_repeats, .timeout = 60)
{
	static const struct { const char *text, *why; } cases[] = {
		{ "{\"default_visibility\": \"public\"}",
		  "\"default_visibility\": \"public\" is not a Gradescope visibility" },
		{ "{\"default_visibility\": 1}", "\"default_visibility\": the value is not" },
		{ "{\"visibility\": {\"greet.server-hello\": \"secret\"}}",
		  "\"visibility\": greet.server-hello: \"secret\" is not a Gradescope visibility" },
		{ "{\"visibility\": {\"greet.nope\": \"hidden\"}}", "no check named greet.nope" },
		{ "{\"visibility\": \"hidden\"}", "\"visibility\" must map check ids" },
		{ "{\"repeat\": 0}", "\"repeat\" must be a whole number" },
		{ "{\"repeat\": 1.5}", "\"repeat\" must be a whole number" },
		{ "{\"repeat\": 101}", "\"repeat\" must be a whole number" },
		{ "{\"repeat\": \"2\"}", "\"repeat\" must be a whole number" },
	};
	char *tmp = kit_tmpdir();

	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		char *path = course_file(tmp, "course.json", cases[i].text), why[512] = "";
		struct course c;
		cr_expect_eq(course_read(path, &c, why, sizeof why), -1, "%s was accepted",
			     cases[i].text);
		cr_expect(strstr(why, path) && strstr(why, cases[i].why),
			  "%s: the reason \"%s\" lacks the file or \"%s\"", cases[i].text, why,
			  cases[i].why);
		course_free(&c);
		static const char *const cmds[] = { "grade 00 --solution", "list 00",
						    "batch tests 00 --out /tmp" };
		/* The first few through the commands as well. */
		for (size_t k = 0; i < 3 && k < sizeof cmds / sizeof *cmds; k++) {
			char cmd[1600];
			int st;
			snprintf(cmd, sizeof cmd, "%s %s --course %s 2>&1 >/dev/null", kit_bin(),
				 cmds[k], path);
			char *out = kit_run(cmd, &st);
			cr_expect_eq(st, 2, "`%s` exited %d", cmd, st);
			cr_expect(strstr(out, path) && strstr(out, cases[i].why), "`%s` said: %s", cmd,
				  out);
			free(out);
		}
		free(path);
	}
	kit_rmdir(tmp);
	free(tmp);
}

/* Lab 00 whose client does not compile, in folder dir/src. */
static void broken_client_lab(const char *dir)
{
	char cmd[1600];

	snprintf(cmd, sizeof cmd, "mkdir -p '%s/src' && cp solutions/00-sockets-basics/src/*.c "
		 "'%s/src/' && echo 'int broken = ;' >>'%s/src/greet_client.c'", dir, dir, dir);
	cr_assert_eq(system(cmd), 0, "%s", cmd);
}

static size_t count(const char *hay, const char *needle)
{
	size_t n = 0;

	for (const char *p = hay; (p = strstr(p, needle)) != NULL; p += strlen(needle))
		n++;
	return n;
}

/* results.json without a capture: the warning first, naming the skipped wire check; the
 * compiler's output once, at the top, and in no test; the course's visibilities. */
Test(courses, gradescope_results_say_the_build_once_and_warn_of_skips, .timeout = 120)
{
	char *tmp = kit_tmpdir(), dir[700], cmd[3000];
	int st;

	snprintf(dir, sizeof dir, "%s/ada", tmp);
	broken_client_lab(dir);
	char *course = course_file(tmp, "course.json",
		"{\"checks\": [\"greet.server-usage\", \"greet.server-hello\", \"greet.client-*\"], "
		"\"exclude\": [\"greet.client-timeout\"], \"points\": {\"greet.server-hello\": 30}, "
		"\"default_visibility\": \"after_due_date\", "
		"\"visibility\": {\"greet.server-hello\": \"hidden\"}}");
	snprintf(cmd, sizeof cmd, "WIRELAB_MODE=nocap %s grade 00 --submission %s --format "
		 "gradescope --pcap-dir %s/pcaps --course %s -j 2", kit_bin(), dir, tmp, course);
	char *out = kit_run(cmd, &st);
	cr_expect_eq(st, 1, "`%s` exited %d", cmd, st);
	cJSON *j = cJSON_Parse(out), *t;
	cr_assert(j, "not JSON: %.2000s", out);
	const char *top = kit_str(j, "output");
	cr_expect_eq(strncmp(top, "WARNING: this machine could not capture packets", 47), 0,
		     "the output does not open with the warning:\n%s", top);
	cr_expect(strstr(top, "WARNING: 1 check was skipped") &&
		  strstr(top, "no capture here: WIRELAB_MODE=nocap in the environment:\n"
			 "    00-sockets-basics greet.server-hello\n"),
		  "the warning does not name the skipped check:\n%s", top);
	cr_expect_eq(count(top, "expected expression"), 1, "the compiler's error is not in the "
		     "output once:\n%s", top);
	cr_expect(strstr(top, "(did not build: greet_client)"), "%s", top);
	cr_expect_str_eq(kit_str(j, "output_format"), "text");
	int tests = 0;
	cJSON_ArrayForEach(t, cJSON_GetObjectItemCaseSensitive(j, "tests")) {
		const char *name = kit_str(t, "name"), *o = kit_str(t, "output");
		tests++;
		cr_expect_null(strstr(o, "expected expression"), "%s repeats the build: %s", name, o);
		cr_expect_null(strstr(o, "$ cc "), "%s repeats the build: %s", name, o);
		cr_expect_str_eq(kit_str(t, "visibility"),
				 strstr(name, " greet.server-hello:") ? "hidden" : "after_due_date",
				 "%s", name);
		cr_expect_str_eq(kit_str(t, "output_format"), "text", "%s", name);
		if (strstr(name, " greet.client-"))
			cr_expect(strstr(o, "did not build") && strstr(o, "see the autograder "
				  "output above the tests"), "%s: %s", name, o);
		if (strstr(name, " greet.server-hello:"))
			cr_expect_eq(kit_num(t, "max_score"), 30, "the course's points");
	}
	cr_expect_eq(tests, 6, "%d tests: the course's checks are usage, hello and 4 of the "
		     "client's", tests);
	cJSON_Delete(j);
	free(out);

	/* With a capture and a clean build, no warning, and no build output at all. */
	snprintf(dir, sizeof dir, "%s/bo", tmp);
	snprintf(cmd, sizeof cmd, "mkdir -p %s/src && cp solutions/00-sockets-basics/src/*.c "
		 "%s/src/ && %s grade 00 --submission %s --format gradescope --pcap-dir %s/pcaps "
		 "--check greet.server-usage", dir, dir, kit_bin(), dir, tmp);
	out = kit_run(cmd, &st);
	cr_expect_eq(st, 0, "`%s` exited %d", cmd, st);
	j = cJSON_Parse(out);
	cr_assert(j, "not JSON: %.2000s", out);
	cr_expect_str_eq(kit_str(j, "output"), "00-sockets-basics: 5/5\n");
	cJSON_Delete(j);
	free(out);
	free(course);
	kit_rmdir(tmp);
	free(tmp);
}

/* The course's repeat is --repeat's default; the command line wins. */
Test(courses, course_repeat_unless_the_command_line_says, .timeout = 120)
{
	char *tmp = kit_tmpdir(), args[2000];
	char *course = course_file(tmp, "course.json", "{\"repeat\": 2}");
	static const struct { const char *extra; int runs; } cases[] = {
		{ "", 2 }, { "--repeat 3", 3 }, { "--repeat 1", 0 },
	};

	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		int st;
		snprintf(args, sizeof args, "00 --solution --check greet.server-usage --course %s %s",
			 course, cases[i].extra);
		cJSON *j = kit_grade(args, &st);
		const cJSON *chk = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(j, "checks"), 0);
		cr_expect_str_eq(kit_str(chk, "status"), "pass", "%s", args);
		cr_expect_eq(kit_num(chk, "runs"), cases[i].runs ? cases[i].runs : -1,
			     "grade %s: %.0f runs", args, kit_num(chk, "runs"));
		cJSON_Delete(j);
	}
	free(course);
	kit_rmdir(tmp);
	free(tmp);
}

/* `grade --format json` says how it graded with the fields batch's report.json has, from
 * the same code: for the same submission, the same values. */
Test(courses, grade_json_has_the_fields_of_batch_report_json, .timeout = 180)
{
	char *tmp = kit_tmpdir(), cls[700], dir[800], cmd[3000], path[900];
	int st;

	snprintf(cls, sizeof cls, "%s/class", tmp);
	snprintf(dir, sizeof dir, "%s/ada", cls);
	broken_client_lab(dir);
	snprintf(cmd, sizeof cmd, "WIRELAB_MODE=nocap %s grade 00 --submission %s --format json "
		 "--pcap-dir %s/pcaps --check greet.server-usage", kit_bin(), dir, tmp);
	char *out = kit_run(cmd, &st);
	cJSON *g = cJSON_Parse(out);
	cr_assert(g, "`%s` printed no JSON: %.2000s", cmd, out);
	free(out);
	snprintf(cmd, sizeof cmd, "WIRELAB_MODE=nocap %s batch %s 00 --out %s/out -j 2 "
		 "--check greet.server-usage --no-progress 2>&1", kit_bin(), cls, tmp);
	out = kit_run(cmd, &st);
	cr_assert_eq(st, 0, "`%s` exited %d: %s", cmd, st, out);
	free(out);
	snprintf(path, sizeof path, "%s/out/ada/report.json", tmp);
	size_t n;
	char *text = slurp(path, &n);
	cJSON *b = cJSON_Parse(text);
	cr_assert(b, "%s is not JSON", path);
	free(text);

	cr_expect_str_eq(kit_str(g, "sandbox"), "nocap");
	cr_expect_str_eq(kit_str(g, "version"), "0.1.0");
	cr_expect_str_eq(kit_str(g, "submission"), dir);
	const char *ts = kit_str(g, "timestamp");
	cr_expect(strlen(ts) == 20 && ts[4] == '-' && ts[10] == 'T' && ts[19] == 'Z',
		  "timestamp %s is not UTC ISO 8601", ts);
	static const char *const same[] = { "sandbox", "version", "submission" };
	for (size_t i = 0; i < sizeof same / sizeof *same; i++)
		cr_expect_str_eq(kit_str(g, same[i]), kit_str(b, same[i]), "%s differs", same[i]);
	cr_expect_eq(strlen(kit_str(b, "timestamp")), 20, "batch's timestamp");
	const cJSON *gb = cJSON_GetObjectItemCaseSensitive(g, "build");
	const cJSON *bb = cJSON_GetObjectItemCaseSensitive(
		cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(b, "labs"), 0), "build");
	cr_assert(gb && bb, "no build object (grade: %p, batch: %p)", (void *)gb, (void *)bb);
	cr_expect(cJSON_Compare(gb, bb, true), "the build objects differ:\n%s\n%s",
		  cJSON_Print(gb), cJSON_Print(bb));
	cr_expect(cJSON_IsFalse(cJSON_GetObjectItemCaseSensitive(gb, "ok")), "build.ok");
	const cJSON *client = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(gb, "programs"), 1);
	cr_expect_str_eq(kit_str(client, "program"), "greet_client");
	cr_expect(cJSON_IsFalse(cJSON_GetObjectItemCaseSensitive(client, "ok")), "greet_client ok");
	cr_expect(strstr(kit_str(gb, "output"), "expected expression"), "build.output: %s",
		  kit_str(gb, "output"));
	cJSON_Delete(g);
	cJSON_Delete(b);

	/* grade all wraps the labs, and the fields go beside them. */
	snprintf(cmd, sizeof cmd, "WIRELAB_MODE=nocap %s grade all --solution --format json "
		 "--pcap-dir %s/pcaps --check greet.server-usage", kit_bin(), tmp);
	out = kit_run(cmd, &st);
	g = cJSON_Parse(out);
	cr_assert(g, "`%s` printed no JSON: %.2000s", cmd, out);
	cr_expect(strstr(kit_str(g, "submission"), "/solutions"), "%s", kit_str(g, "submission"));
	cr_expect(kit_str(g, "timestamp")[0] && !strcmp(kit_str(g, "sandbox"), "nocap"), "meta");
	cr_expect(cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(
		cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(g, "labs"), 0), "build"), "ok")),
		  "the solution's build.ok");
	cJSON_Delete(g);
	free(out);
	kit_rmdir(tmp);
	free(tmp);
}
