/* test_batch.c - grading a class: the sources are found in every layout students hand in
 * and never through a link, a generated class's gradebook is right row by row (layouts, a
 * build failure, an empty folder, a hang, links, a formula as a name), --resume regrades
 * nothing, shards merge into the same gradebook, the CSV files are safe to open, and with
 * --html each student's page and the class page (resumed, merged) link what exists, escape
 * a hostile name and render in headless Chromium. */
#define _GNU_SOURCE
#include "kit.h"

#include "batch.h"
#include "course.h"
#include "gradebook.h"
#include "labs.h"

#include <fcntl.h>
#include <stdarg.h>
#include <sys/stat.h>
#include <unistd.h>

static void sh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void sh(const char *fmt, ...)
{
	char cmd[4096];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof cmd, fmt, ap);
	va_end(ap);
	cr_assert_eq(system(cmd), 0, "command failed: %s", cmd);
}

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	cr_assert(f, "cannot open %s", path);
	char *buf = malloc(1 << 20);
	size_t n = fread(buf, 1, (1 << 20) - 1, f);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

/* ---- finding the sources ------------------------------------------------------------- */

struct layout_case {
	const char *setup;          /* shell, run in a fresh submission folder */
	bool found;
	const char *rel, *layout;
	bool flat;
	const char *note;           /* a substring of the note, or NULL */
};

Test(batch, find_every_layout)
{
	static const struct layout_case cases[] = {
		{ "mkdir -p labs/01-tcp-echo/src && touch labs/01-tcp-echo/src/echo_server.c", true,
		  "labs/01-tcp-echo", "labs/ tree", false, NULL },
		{ "mkdir -p 01-tcp-echo/src", true, "01-tcp-echo", "lab folders", false, NULL },
		{ "mkdir src && touch src/echo_client.c", true, ".", "src/", false, NULL },
		{ "touch echo_server.c notes.txt", true, ".", "loose .c files", true, NULL },
		{ "mkdir -p wirelab-main/labs/01-tcp-echo/src", true, "wirelab-main/labs/01-tcp-echo",
		  "labs/ tree in wirelab-main/", false, NULL },
		{ "mkdir -p a/b/src && touch a/b/src/echo_server.c", true, "a/b", "src/ in a/b/", false,
		  NULL },
		{ "mkdir -p a/b && touch a/b/echo_client.c", true, "a/b", "loose .c files in a/b/", true,
		  NULL },
		/* Three folders deep is not searched. */
		{ "mkdir -p a/b/c/src && touch a/b/c/src/echo_server.c", false, "", "", false, NULL },
		/* Another lab's files are not this lab's. */
		{ "mkdir src && touch src/greet_server.c", false, "", "", false, NULL },
		/* The shallowest wins. */
		{ "mkdir -p src old/src && touch src/echo_server.c old/src/echo_server.c", true, ".",
		  "src/", false, NULL },
		/* Links: named, never followed. */
		{ "ln -s /tmp src", false, "", "", false, "src: a symbolic link (not followed)" },
		{ "mkdir labs && ln -s /tmp labs/01-tcp-echo", false, "", "", false,
		  "labs/01-tcp-echo: a symbolic link" },
		{ "mkdir real && touch real/echo_server.c && ln -s real wrap", true, "real",
		  "loose .c files in real/", true, "wrap: a symbolic link" },
		{ "ln -s /etc/hostname echo_server.c", false, "", "", false, NULL },
		{ "mkdir -p .git/src __MACOSX/src && touch .git/src/echo_server.c __MACOSX/src/echo_server.c",
		  false, "", "", false, NULL },
		{ "", false, "", "", false, NULL },
	};
	const struct lab *lab = labs_find("01");

	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		char *dir = kit_tmpdir(), note[2048] = "";
		struct batch_where w;
		if (cases[i].setup[0])
			sh("cd '%s' && %s", dir, cases[i].setup);
		int fd = open(dir, O_RDONLY | O_DIRECTORY);
		cr_assert_geq(fd, 0);
		bool found = batch_find(fd, lab, &w, note, sizeof note);
		close(fd);
		cr_expect_eq(found, cases[i].found, "`%s`: expected %s, got %s (%s)", cases[i].setup,
			     cases[i].found ? "found" : "not found", found ? "found" : "not found",
			     w.layout);
		if (found && cases[i].found) {
			cr_expect_str_eq(w.rel, cases[i].rel, "`%s`: folder %s, expected %s",
					 cases[i].setup, w.rel, cases[i].rel);
			cr_expect_str_eq(w.layout, cases[i].layout, "`%s`: layout \"%s\", expected \"%s\"",
					 cases[i].setup, w.layout, cases[i].layout);
			cr_expect_eq(w.flat, cases[i].flat, "`%s`: flat %d, expected %d", cases[i].setup,
				     w.flat, cases[i].flat);
		}
		if (cases[i].note)
			cr_expect(strstr(note, cases[i].note), "`%s`: the note \"%s\" lacks \"%s\"",
				  cases[i].setup, note, cases[i].note);
		kit_rmdir(dir);
		free(dir);
	}
}

/* ---- the CSV -------------------------------------------------------------------------- */

Test(gradebook, csv_fields_are_quoted_and_never_formulas)
{
	static const struct { const char *in, *out; } cases[] = {
		{ "alice", "\"alice\"" },
		{ "=1+2", "\"'=1+2\"" },
		{ "+cmd", "\"'+cmd\"" },
		{ "-2", "\"'-2\"" },
		{ "@SUM(A1)", "\"'@SUM(A1)\"" },
		{ "\tx", "\"'\tx\"" },
		{ "a,\"b\"", "\"a,\"\"b\"\"\"" },
		{ "bad\x01\xff", "\"bad\\x01\\xff\"" },
		{ "", "\"\"" },
		{ "two\nlines\r", "\"two\\nlines\\x0d\"" },
		{ "\033[2Jclear", "\"\\x1b[2Jclear\"" },
	};

	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		char *buf = NULL;
		size_t len = 0;
		FILE *f = open_memstream(&buf, &len);
		gradebook_csv_field(f, cases[i].in);
		fclose(f);
		cr_expect_str_eq(buf, cases[i].out, "field %zu: got %s, expected %s", i, buf,
				 cases[i].out);
		free(buf);
	}
}

/* A report.json as batch writes it, reduced to what the gradebook reads. */
static void fake_report(const char *out, const char *name, const char *status, int score)
{
	char path[1200];
	snprintf(path, sizeof path, "%s/%s", out, name);
	cr_assert_eq(mkdir(path, 0755), 0);
	snprintf(path, sizeof path, "%s/%s/report.json", out, name);
	FILE *f = fopen(path, "w");
	cr_assert(f);
	bool graded = strcmp(status, BATCH_NO_SOURCES) != 0;
	fprintf(f, "{\"labs\": [");
	if (graded)
		fprintf(f, "{\"lab\": \"00-sockets-basics\", \"score\": %d, \"max_score\": 100, "
			"\"layout\": \"src/\", \"checks\": [{\"id\": \"greet.server-hello\", "
			"\"status\": \"%s\", \"score\": %d}]}", score, score >= 50 ? "pass" : "fail", score >= 50 ? 10 : 0);
	fprintf(f, "], \"score\": %d, \"max_total\": 100, \"status\": \"%s\", "
		"\"graded_labs\": [\"00-sockets-basics\"]}\n", score, status);
	fclose(f);
}

Test(gradebook, roster_joins_and_exports)
{
	char *out = kit_tmpdir(), roster[600], why[512];

	fake_report(out, "alice", BATCH_GRADED, 90);
	fake_report(out, "bob", BATCH_NO_SOURCES, 0);
	fake_report(out, "zed", BATCH_GRADED, 40);
	snprintf(roster, sizeof roster, "%s/roster.csv", out);
	FILE *f = fopen(roster, "w");
	cr_assert(f);
	fprintf(f, "\xef\xbb\xbf" "Folder,Name,ID,SIS_User_ID,Email\r\n"
		"alice,\"Liddell, Alice\",101,s101,alice@example.edu\r\n"
		"bob,Bob,102,s102,bob@example.edu\r\n"
		"carol,=Carol,103,s103,carol@example.edu\r\n");
	fclose(f);
	const char *ins[] = { out };
	struct gradebook_opts o = { .out = out, .roster = roster, .absent_rows = true };
	cr_assert_eq(gradebook_write(ins, 1, &o, why, sizeof why), 4, "rows: %s", why);

	char path[700];
	snprintf(path, sizeof path, "%s/gradebook.csv", out);
	char *gb = slurp(path);
	cr_expect_str_eq(gb,
			 "student,id,status,layout,00-sockets-basics,total,max_total\r\n"
			 "\"alice\",\"101\",\"graded\",\"src/\",90,90,100\r\n"
			 "\"bob\",\"102\",\"no sources found\",\"\",,,100\r\n"
			 "\"carol\",\"103\",\"no submission\",\"\",,,\r\n"
			 "\"zed\",\"\",\"graded\",\"src/\",40,40,100\r\n",
			 "gradebook.csv:\n%s", gb);
	snprintf(path, sizeof path, "%s/canvas.csv", out);
	char *cv = slurp(path);
	cr_expect_str_eq(cv,
			 "Student,ID,SIS User ID,SIS Login ID,Section,00-sockets-basics\r\n"
			 "\"Liddell, Alice\",\"101\",\"s101\",\"\",\"\",90\r\n"
			 "\"Bob\",\"102\",\"s102\",\"\",\"\",\r\n"
			 "\"'=Carol\",\"103\",\"s103\",\"\",\"\",\r\n",
			 "canvas.csv:\n%s", cv);
	snprintf(path, sizeof path, "%s/moodle.csv", out);
	char *md = slurp(path);
	cr_expect_str_eq(md,
			 "Email address,00-sockets-basics,Total\r\n"
			 "\"alice@example.edu\",90,90\r\n"
			 "\"bob@example.edu\",,\r\n"
			 "\"carol@example.edu\",,\r\n",
			 "moodle.csv:\n%s", md);
	snprintf(path, sizeof path, "%s/summary.txt", out);
	char *sum = slurp(path);
	cr_expect(strstr(sum, "50.0%     1/2     00-sockets-basics    greet.server-hello"),
		  "summary.txt lacks the pass rate of greet.server-hello:\n%s", sum);
	free(gb);
	free(cv);
	free(md);
	free(sum);
	kit_rmdir(out);
	free(out);
}

/* ---- a whole class -------------------------------------------------------------------- */

/* gradebook.csv lines (header first), split at CRLF. */
static size_t csv_lines(char *text, char **lines, size_t max)
{
	size_t n = 0;

	for (char *save = NULL, *l = strtok_r(text, "\r\n", &save); l && n < max;
	     l = strtok_r(NULL, "\r\n", &save))
		lines[n++] = l;
	return n;
}

static int64_t mtime_ns(const char *path)
{
	struct stat st;
	if (stat(path, &st) < 0)
		return -1;
	return (int64_t)st.st_mtim.tv_sec * 1000000000 + st.st_mtim.tv_nsec;
}

/* The class of bench/class/make-class.sh layouts, lab 00, row by row. */
Test(batch, generated_class_row_by_row, .timeout = 900)
{
	char *tmp = kit_tmpdir(), cls[600], out[600], path[800];
	int st;

	snprintf(cls, sizeof cls, "%s/class", tmp);
	snprintf(out, sizeof out, "%s/out", tmp);
	sh("bench/class/make-class.sh layouts '%s' >/dev/null", cls);
	/* A reference uses about 8 s of check time (5 s of it the client's timeout), the
	 * hanging one at least 40 s (each check waits out its deadlines): the limit sits
	 * between them with room for a loaded machine. */
	char cmd[2048];
	snprintf(cmd, sizeof cmd, "%s batch '%s' 00 --out '%s' -j 2 --time-limit 25 --checks 2>&1",
		 kit_bin(), cls, out);
	char *log = kit_run(cmd, &st);
	cr_assert_eq(st, 0, "`%s` exited %d:\n%s", cmd, st, log);
	free(log);
	snprintf(path, sizeof path, "%s/gradebook.csv", out);
	char *gb = slurp(path), *lines[64];
	size_t n = csv_lines(gb, lines, 64);
	static const char *const want[] = {
		"student,status,layout,00-sockets-basics,total,max_total,",
		"\"'=1+2\",\"graded\",\"src/\",100,100,100,",
		"\"alice\",\"graded\",\"labs/ tree\",100,100,100,",
		"\"bob\",\"graded\",\"lab folders\",100,100,100,",
		"\"carol\",\"graded\",\"src/\",100,100,100,",
		"\"dave\",\"graded\",\"loose .c files\",100,100,100,",
		"\"erin\",\"graded\",\"labs/ tree in wirelab-main/\",100,100,100,",
		"\"evil\\x1b[2J\",\"graded\",\"src/\",100,100,100,",
		"\"frank\",\"graded\",\"src/ in upload/wirelab-main/\",100,100,100,",
		"\"gina\",\"build failed: greet_client\",\"labs/ tree\",",
		"\"hank\",\"no sources found\",\"\",,,100,",
		"\"ivan\",\"timed out\",\"src/\",",
		"\"judy\",\"not graded: a symbolic link\",\"\",,,100,",
		"\"kate\",\"no sources found\",\"\",,,100,",
		"\"stub\",\"graded\",\"labs/ tree\",0,0,100,",
	};
	cr_assert_eq(n, sizeof want / sizeof *want, "%zu lines in gradebook.csv, expected %zu",
		     n, sizeof want / sizeof *want);
	for (size_t i = 0; i < n; i++)
		cr_expect_eq(strncmp(lines[i], want[i], strlen(want[i])), 0,
			     "gradebook.csv line %zu:\n  got:      %s\n  expected: %s...", i + 1,
			     lines[i], want[i]);
	/* gina's server checks pass, her client's cannot run; ivan scored what passed before
	 * his time ran out, well under full marks. */
	cr_expect(strstr(lines[9], ",\"labs/ tree\",70,70,100,"), "gina: %s", lines[9]);
	cr_expect_null(strstr(lines[11], ",100,100,100,"), "ivan: %s", lines[11]);
	free(gb);

	/* Per submission: a JSON and a text report; the link's says why nothing was graded. */
	static const char *const names[] = { "alice", "gina", "hank", "ivan", "judy", "kate", "=1+2" };
	for (size_t i = 0; i < sizeof names / sizeof *names; i++) {
		snprintf(path, sizeof path, "%s/%s/report.txt", out, names[i]);
		cr_expect_eq(access(path, R_OK), 0, "no %s", path);
		snprintf(path, sizeof path, "%s/%s/report.json", out, names[i]);
		char *js = slurp(path);
		cJSON *j = cJSON_Parse(js);
		cr_assert(j, "%s is not JSON", path);
		cr_expect_str_eq(kit_str(j, "student"), names[i], "%s: student", path);
		cr_expect_str_eq(kit_str(j, "version"), "0.1.0", "%s: version", path);
		cr_expect(kit_str(j, "timestamp")[0] && kit_str(j, "sandbox")[0], "%s: no timestamp "
			  "or sandbox", path);
		cr_expect(strstr(kit_str(j, "submission"), names[i]), "%s: submission %s", path,
			  kit_str(j, "submission"));
		cJSON_Delete(j);
		free(js);
	}
	snprintf(path, sizeof path, "%s/gina/report.json", out);
	char *js = slurp(path);
	cJSON *j = cJSON_Parse(js);
	const cJSON *b = cJSON_GetObjectItem(cJSON_GetArrayItem(cJSON_GetObjectItem(j, "labs"), 0),
					     "build");
	const cJSON *client = cJSON_GetArrayItem(cJSON_GetObjectItem(b, "programs"), 1);
	cr_expect_str_eq(kit_str(client, "program"), "greet_client", "gina: build.programs[1]");
	cr_expect(cJSON_IsFalse(cJSON_GetObjectItem(client, "ok")), "gina: greet_client built?");
	cr_expect(cJSON_IsFalse(cJSON_GetObjectItem(b, "ok")), "gina: build.ok is not false");
	cr_expect(strstr(kit_str(b, "output"), "expected expression"),
		  "gina's compiler output is missing: %s", kit_str(b, "output"));
	cJSON_Delete(j);
	free(js);
	snprintf(path, sizeof path, "%s/kate/report.txt", out);
	js = slurp(path);
	cr_expect(strstr(js, "src: a symbolic link (not followed)"), "kate's report:\n%s", js);
	free(js);
	snprintf(path, sizeof path, "%s/summary.txt", out);
	js = slurp(path);
	cr_expect(strstr(js, "graded 9, build failed 1, timed out 1, no sources found 2, "
			 "symbolic links 1"), "summary.txt:\n%s", js);
	free(js);

	/* --resume grades nothing again. */
	snprintf(path, sizeof path, "%s/alice/report.json", out);
	int64_t before = mtime_ns(path);
	snprintf(cmd, sizeof cmd, "%s batch '%s' 00 --out '%s' -j 2 --resume 2>&1", kit_bin(), cls,
		 out);
	log = kit_run(cmd, &st);
	cr_expect_eq(st, 0, "--resume exited %d:\n%s", st, log);
	cr_expect_eq(mtime_ns(path), before, "--resume wrote alice's report again");
	free(log);
	kit_rmdir(tmp);
	free(tmp);
}

/* Two shards of a class, merged: the same rows as one run. */
Test(batch, shards_merge, .timeout = 600)
{
	char *tmp = kit_tmpdir(), cls[600], cmd[4096], path[800];
	int st;

	snprintf(cls, sizeof cls, "%s/class", tmp);
	sh("bench/class/make-class.sh layouts '%s' >/dev/null", cls);
	for (int k = 1; k <= 2; k++) {
		snprintf(cmd, sizeof cmd, "%s batch '%s' 00 --out '%s/shard%d' --shard %d/2 "
			 "--check greet.server-usage --no-pcap 2>&1", kit_bin(), cls, tmp, k, k);
		char *log = kit_run(cmd, &st);
		cr_assert_eq(st, 0, "`%s` exited %d:\n%s", cmd, st, log);
		free(log);
	}
	snprintf(cmd, sizeof cmd, "%s gradebook merge '%s/shard1' '%s/shard2' --out '%s/all' 2>&1",
		 kit_bin(), tmp, tmp, tmp);
	char *log = kit_run(cmd, &st);
	cr_assert_eq(st, 0, "merge exited %d:\n%s", st, log);
	free(log);
	snprintf(path, sizeof path, "%s/shard1/gradebook.csv", tmp);
	char *s1 = slurp(path), *l1[64];
	snprintf(path, sizeof path, "%s/all/gradebook.csv", tmp);
	char *all = slurp(path), *la[64];
	size_t n1 = csv_lines(s1, l1, 64), na = csv_lines(all, la, 64);
	cr_expect_eq(n1, 1 + 7, "shard 1 of 2 has %zu rows, expected 7 of the 14", n1 - 1);
	cr_expect_eq(na, 1 + 14, "the merged gradebook has %zu rows, expected 14", na - 1);
	cr_expect_str_eq(la[2], "\"alice\",\"graded\",\"labs/ tree\",5,5,5", "merged: %s", la[2]);
	free(s1);
	free(all);
	snprintf(path, sizeof path, "%s/shard1/alice/pcaps", tmp);
	cr_expect_neq(access(path, F_OK), 0, "--no-pcap made %s", path);
	kit_rmdir(tmp);
	free(tmp);
}

/* ---- --html: a page per student, the class page ---------------------------------------- */

/* A name that is markup, ends a CDATA section and is not UTF-8. */
static const char hostile_name[] = "<script>]]>\xff";

/* The href of a page (percent-encoded) as a path below the page's folder. */
static void href_path(const char *page, const char *href, size_t n, char *out, size_t outsz)
{
	const char *slash = strrchr(page, '/');
	size_t k = (size_t)snprintf(out, outsz, "%.*s/", (int)(slash - page), page);

	for (size_t i = 0; i < n && k + 1 < outsz; i++) {
		unsigned v;
		if (href[i] == '%' && i + 2 < n && sscanf(href + i + 1, "%2x", &v) == 1) {
			out[k++] = (char)v;
			i += 2;
		} else {
			out[k++] = href[i];
		}
	}
	out[k] = '\0';
}

/* Every link of the page but anchors names a file that exists; returns how many there are
 * (and the pages among them in pages[], malloc'd, up to max). */
static size_t links_resolve(const char *page, char **pages, size_t max, size_t *npages)
{
	char *html = slurp(page);
	size_t n = 0;

	*npages = 0;
	for (const char *p = html; (p = strstr(p, "href=\"")) != NULL;) {
		p += 6;
		const char *q = strchr(p, '"');
		cr_assert(q);
		if (*p != '#') {
			char path[2048];
			cr_expect_neq(strncmp(p, "file:", 5), 0, "%s: an absolute link %.*s", page,
				      (int)(q - p), p);
			href_path(page, p, (size_t)(q - p), path, sizeof path);
			cr_expect_eq(access(path, R_OK), 0, "%s: the link %.*s names no file (%s)", page,
				     (int)(q - p), p, path);
			if (strstr(path, "/report.html") && *npages < max)
				pages[(*npages)++] = strdup(path);
			n++;
		}
		p = q;
	}
	free(html);
	return n;
}

/* A small class graded in two shards with --html: each shard's pages and class page, a
 * resumed run's class page, and the merged one: every student, every check, links that
 * resolve, the hostile name escaped; then Chromium renders the merged page. */
Test(batch, html_pages_and_class_page, .timeout = 300)
{
	char *tmp = kit_tmpdir(), cls[600], cmd[4096], path[2048];
	const char *sol = "solutions/00-sockets-basics/src";
	int st;

	snprintf(cls, sizeof cls, "%s/class", tmp);
	/* alice: the reference; the hostile name: a server that fails greet.server-crlf, with a
	 * capture; gina: a client that does not build; hank: nothing. */
	sh("mkdir -p '%s/alice/src' '%s/gina/src' '%s/hank' '%s/%s/src'", cls, cls, cls, cls,
	   hostile_name);
	sh("cp %s/*.[ch] '%s/alice/src/' && cp %s/*.[ch] '%s/gina/src/' && cp %s/*.[ch] '%s/%s/src/'",
	   sol, cls, sol, cls, sol, cls, hostile_name);
	sh("echo 'int broken(void) { return }' >>'%s/gina/src/greet_client.c'", cls);
	sh("cd '%s/%s' && patch -s -p1 <'%s/tests/mutants/00-sockets-basics/server-no-cr-strip.patch'",
	   cls, hostile_name, getcwd(path, sizeof path));
	for (int k = 1; k <= 2; k++) {
		snprintf(cmd, sizeof cmd, "%s batch '%s' 00 --out '%s/s%d' --shard %d/2 --html -j 2 "
			 "--check greet.server-hello --check greet.server-crlf 2>&1", kit_bin(), cls,
			 tmp, k, k);
		char *log = kit_run(cmd, &st);
		cr_assert_eq(st, 0, "`%s` exited %d:\n%s", cmd, st, log);
		free(log);
	}

	/* The hostile student's page: escaped, its capture linked beside it. */
	snprintf(path, sizeof path, "%s/s1/%s/report.html", tmp, hostile_name);
	char *page = slurp(path), *pages[8];
	size_t np;
	cr_expect(strstr(page, "href=\"pcaps/00-sockets-basics/greet.server-crlf.pcap\""),
		  "the capture is not linked relative to the page:\n%s", page);
	cr_expect(strstr(page, "&lt;script&gt;]]&gt;\\xff") && !strstr(page, "<script") &&
		  !strstr(page, "]]>"), "the name is not escaped on the student's page");
	free(page);
	cr_expect_eq(links_resolve(path, pages, 8, &np), 2, "a capture and the class page");

	/* --resume grades nothing and still writes the shard's whole class page. */
	snprintf(path, sizeof path, "%s/s1/index.html", tmp);
	cr_assert_eq(unlink(path), 0);
	snprintf(path, sizeof path, "%s/s1/gina/report.json", tmp);
	int64_t before = mtime_ns(path);
	snprintf(cmd, sizeof cmd, "%s batch '%s' 00 --out '%s/s1' --shard 1/2 --html --resume "
		 "--check greet.server-hello --check greet.server-crlf 2>&1", kit_bin(), cls, tmp);
	char *log = kit_run(cmd, &st);
	cr_assert_eq(st, 0, "`%s` exited %d:\n%s", cmd, st, log);
	free(log);
	cr_expect_eq(mtime_ns(path), before, "--resume graded gina again");
	snprintf(path, sizeof path, "%s/s1/index.html", tmp);
	cr_expect_eq(links_resolve(path, pages, 8, &np), 2, "the resumed shard's page lacks a link");
	for (size_t i = 0; i < np; i++)
		free(pages[i]);

	/* The shards merged into a folder elsewhere: every student linked across folders. */
	snprintf(path, sizeof path, "%s/merged", tmp);
	cr_assert_eq(mkdir(path, 0755), 0);
	snprintf(cmd, sizeof cmd, "%s gradebook merge '%s/s1' '%s/s2' --out '%s/merged/all' "
		 "--html 2>&1", kit_bin(), tmp, tmp, tmp);
	log = kit_run(cmd, &st);
	cr_assert_eq(st, 0, "`%s` exited %d:\n%s", cmd, st, log);
	free(log);
	char index[900];
	snprintf(index, sizeof index, "%s/merged/all/index.html", tmp);
	char *html = slurp(index);
	const struct lab *lab = labs_find("00");
	for (size_t i = 0; i < lab->nchecks; i++) {
		char id[200];
		bool selected = strcmp(lab->checks[i].id, "greet.server-hello") == 0 ||
				strcmp(lab->checks[i].id, "greet.server-crlf") == 0;
		snprintf(id, sizeof id, "id=\"col-%s-%s\"", lab->id, lab->checks[i].id);
		cr_expect_eq(strstr(html, id) != NULL, selected, "%s: column %s", index, id);
	}
	static const char *const rows[] = {
		"&lt;script&gt;]]&gt;\\xff</a></td><td class=\"pass\" title=\"greet.server-hello: "
		"pass\">ok</td><td class=\"fail\" title=\"greet.server-crlf: fail\">x</td><td "
		"class=\"pts\">5/10</td><td class=\"status\">graded</td>",
		">alice</a></td><td class=\"pass\"",
		">gina</a></td><td class=\"pass\" title=\"greet.server-hello: pass\">ok</td><td "
		"class=\"pass\" title=\"greet.server-crlf: pass\">ok</td><td class=\"pts\">10/10</td>"
		"<td class=\"status other\">build failed: greet_client</td>",
		">hank</a></td><td class=\"none\">-</td><td class=\"none\">-</td><td class=\"pts\">"
		"</td><td class=\"status other\">no sources found</td>",
		"<td title=\"2 of 3\">67%</td>",
	};
	for (size_t i = 0; i < sizeof rows / sizeof *rows; i++)
		cr_expect(strstr(html, rows[i]), "%s lacks %s:\n%s", index, rows[i], html);
	cr_expect(!strstr(html, "<script") && !strstr(html, "]]>"), "the hostile name got through");
	free(html);
	cr_expect_eq(links_resolve(index, pages, 8, &np), 4, "a link per student");
	cr_expect_eq(np, 4);
	for (size_t i = 0; i < np; i++) {
		size_t n2;
		char *sub[2];
		links_resolve(pages[i], sub, 2, &n2);   /* each page's own links resolve too */
		for (size_t k = 0; k < n2; k++)
			free(sub[k]);
		free(pages[i]);
	}

	/* What a browser makes of it: every check's column in the DOM, a picture. */
	char profile[800], dom[800], png[800], shot[900];
	snprintf(profile, sizeof profile, "%s/profile", tmp);
	snprintf(dom, sizeof dom, "%s/dom.html", tmp);
	snprintf(png, sizeof png, "%s/class.png", tmp);
	snprintf(shot, sizeof shot, "--screenshot=%s", png);
	cr_assert_eq(mkdir(profile, 0700), 0);
	kit_chromium(profile, "--dump-dom", index, dom);
	kit_chromium(profile, shot, index, NULL);
	char *d = slurp(dom);
	cr_expect(strstr(d, "id=\"col-00-sockets-basics-greet.server-hello\"") &&
		  strstr(d, "id=\"col-00-sockets-basics-greet.server-crlf\""),
		  "the DOM lacks a check's column:\n%s", d);
	cr_expect(strstr(d, "&lt;script&gt;]]&gt;\\xff") && !strstr(d, "<script"),
		  "the hostile name is not text in the DOM");
	free(d);
	snprintf(cmd, sizeof cmd, "python3 tests/courses/png_colours.py %s 2>&1", png);
	log = kit_run(cmd, &st);
	cr_expect_eq(st, 0, "the class page's screenshot looks blank: %s", log);
	free(log);
	kit_rmdir(tmp);
	free(tmp);
}

/* ---- the course file ------------------------------------------------------------------ */

static int course_from(const char *text, struct course *c, char *why, size_t whylen)
{
	char *dir = kit_tmpdir(), path[600];
	snprintf(path, sizeof path, "%s/course.json", dir);
	FILE *f = fopen(path, "w");
	cr_assert(f);
	fputs(text, f);
	fclose(f);
	int rc = course_read(path, c, why, whylen);
	kit_rmdir(dir);
	free(dir);
	return rc;
}

Test(course, reads_labs_patterns_points_and_limit)
{
	struct course c;
	char why[512] = "";

	cr_assert_eq(course_from("{\"labs\": [\"00\", \"http\"], \"checks\": [\"greet.*\"], "
				 "\"exclude\": [\"greet.client-timeout\"], \"points\": "
				 "{\"greet.server-hello\": 30}, \"time_limit_s\": 120}", &c, why,
				 sizeof why), 0, "a good course file was refused: %s", why);
	cr_expect_eq(c.labs[0], labs_find("00"));
	cr_expect_eq(c.labs[1], labs_find("04"));
	cr_expect_null(c.labs[2]);
	cr_expect_eq(c.nchecks, 1);
	cr_expect_str_eq(c.excludes[0], "greet.client-timeout");
	cr_expect_eq(c.time_limit_s, 120);
	const struct lab *lab = labs_find("00");
	for (size_t k = 0; k < lab->nchecks; k++) {
		int want = strcmp(lab->checks[k].id, "greet.server-hello") == 0 ? 30 : lab->checks[k].points;
		cr_expect_eq(course_points(&c, &lab->checks[k]), want, "%s: %d points, expected %d",
			     lab->checks[k].id, course_points(&c, &lab->checks[k]), want);
	}
	course_free(&c);
}

Test(course, refuses_what_would_grade_by_other_rules)
{
	static const struct { const char *text, *why; } cases[] = {
		{ "{\"lab\": [\"00\"]}", "unknown key \"lab\"" },
		{ "{\"labs\": [\"99\"]}", "no lab named 99" },
		{ "{\"labs\": []}", "non-empty list" },
		{ "{\"points\": {\"greet.nope\": 3}}", "no check named greet.nope" },
		{ "{\"points\": {\"greet.server-hello\": 2.5}}", "whole number" },
		{ "{\"points\": {\"greet.server-hello\": -1}}", "whole number" },
		{ "{\"exclude\": \"greet.*\"}", "list of strings" },
		{ "{\"time_limit_s\": \"5\"}", "time_limit_s" },
		{ "[1, 2]", "not a JSON object" },
		{ "{\"labs\": [\"00\"", "not a JSON object" },
	};

	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		struct course c;
		char why[512] = "";
		cr_expect_eq(course_from(cases[i].text, &c, why, sizeof why), -1, "%s was accepted",
			     cases[i].text);
		cr_expect(strstr(why, cases[i].why), "%s: the reason \"%s\" lacks \"%s\"",
			  cases[i].text, why, cases[i].why);
		course_free(&c);
	}
}

/* ---- --pcap-dir of grade, and batch's usage errors ------------------------------------- */

Test(batch, unusable_folders_are_usage_errors_before_grading)
{
	static const char *const args[] = {
		"grade 00 --solution --pcap-dir ''",
		"grade 00 --solution --pcap-dir /proc/no-such-folder",
		"grade 00 --solution --pcap-dir /etc/hostname",
		"batch /no-such-class 00 --out /tmp",
		"batch tests 00",
		"batch tests 00 --out /proc/no-such-folder",
		"batch tests 00 --out /tmp --roster /dev/null",
		"batch tests 00 --out /tmp --shard 3/2",
		"batch tests 00 --out /tmp --check 'no-such-check*'",
		"gradebook",
	};

	for (size_t i = 0; i < sizeof args / sizeof *args; i++) {
		char cmd[1024];
		int st;
		snprintf(cmd, sizeof cmd, "%s %s 2>&1", kit_bin(), args[i]);
		char *out = kit_run(cmd, &st);
		cr_expect_eq(st, 2, "`wirelab %s` exited %d, expected 2 (usage):\n%s", args[i], st, out);
		cr_expect(strstr(out, "wirelab") || strstr(out, "usage"), "`wirelab %s` said no reason",
			  args[i]);
		free(out);
	}
}
