/* test_html.c - the HTML report on results built by hand: ladder texts read back into SVG
 * diagrams (arrows both ways, notes, several diagrams, cut lines), every byte escaped, a
 * page in a class run's folder linking its captures relatively, and the class page. */
#define _GNU_SOURCE
#include "html.h"
#include "esc.h"

#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

static const char *const progs[] = { "p", NULL };
static const struct check checks[] = {
	{ .id = "x.one", .title = "one <b>", .points = 5, .section = "S", .hint = "do & \"it\"" },
};
static const struct lab lab = {
	.id = "99-test", .title = "a lab", .programs = progs, .checks = checks, .nchecks = 1,
};

/* The page for one failed check whose ladder text is ladder; malloc'd. */
static char *page_for(const char *ladder, const char *message)
{
	static struct check_result res;
	static const struct check *chk[] = { &checks[0] };
	struct lab_result lr = { .lab = &lab, .built = true, .n = 1, .checks = chk,
				 .results = &res, .score = 0, .max_score = 5 };
	struct sb_info sb = { .mode = SB_NETNS };
	struct report_opts o = { .format = REPORT_HTML, .sb = &sb, .title = "t" };
	char *buf = NULL;
	size_t len = 0;

	memset(&res, 0, sizeof res);
	res.status = CHECK_FAIL;
	snprintf(res.message, sizeof res.message, "%s", message);
	snprintf(res.ladder, sizeof res.ladder, "%s", ladder);
	snprintf(lr.labdir, sizeof lr.labdir, "/tmp/<dir>");
	FILE *f = open_memstream(&buf, &len);
	cr_assert(f);
	cr_assert_eq(html_write(f, &o, &lr, 1), 0);
	fclose(f);
	return buf;
}

static int count(const char *hay, const char *needle)
{
	int n = 0;
	for (const char *p = hay; (p = strstr(p, needle)); p += strlen(needle))
		n++;
	return n;
}

static const char two_ladders[] =
	"             client 127.0.0.1:5000         server 127.0.0.1:7000\n"
	"   0.000 ms  |---- SYN ---------------------------------------->|\n"
	"   0.010 ms  |<----------------------------------- SYN, ACK ----|\n"
	"   0.051 ms  |---- \"a|b<c>\" (5 B) ------------------------------>|\n"
	"             |             ... 12 more segments ...             |\n"
	"   9.100 ms  |<---------------------------------------- RST ----|\n"
	"\n"
	"             client 127.0.0.1:5002         server 127.0.0.1:7000\n"
	"  12.000 ms  |---- FIN (retransmission) ----------------------->|\n"
	"  12.500 ms  |---- \"cut";

Test(html, ladders_become_svg_diagrams)
{
	char *p = page_for(two_ladders, "expected: x");

	cr_expect_eq(count(p, "<svg class=\"ladder\""), 2, "two ladders, two diagrams:\n%s", p);
	cr_expect(strstr(p, ">client 127.0.0.1:5000</text>"), "the left end's label");
	cr_expect(strstr(p, ">server 127.0.0.1:7000</text>"), "the right end's label");
	cr_expect(strstr(p, "<g class=\"syn\">"), "a SYN arrow");
	cr_expect(strstr(p, "<g class=\"rst\">"), "a RST arrow");
	cr_expect(strstr(p, "<g class=\"fin re\">"), "a retransmitted FIN, dashed");
	cr_expect(strstr(p, ">&quot;a|b&lt;c&gt;&quot; (5 B)</text>"),
		  "a label holding | and markup, whole and escaped");
	cr_expect(strstr(p, ">... 12 more segments ...</text>"), "the note row");
	cr_expect(strstr(p, ">9.100 ms</text>"), "the time column");
	char *text = strstr(p, "<details>");
	cr_assert(text, "the text ladder follows the diagrams");
	*text = '\0';   /* below: the diagrams alone */
	cr_expect(!strstr(p, "&quot;cut"), "a line cut short is not drawn");
	cr_expect_eq(count(p, "<g class="), 5, "five arrows in all");
	free(p);
}

Test(html, every_field_is_escaped)
{
	char *p = page_for("", "seen: \"<script>\" ]]> \x01 \xff\xfe <!-- &");

	cr_expect(!strstr(p, "<script"), "no markup from a message");
	cr_expect(!strstr(p, "]]>"), "no CDATA end");
	cr_expect(!strstr(p, "<!--"), "no comment");
	cr_expect(strstr(p, "&lt;script&gt;"), "the message escaped");
	cr_expect(strstr(p, "\\x01 \\xff\\xfe"), "control and invalid bytes as \\xNN");
	cr_expect(strstr(p, "one &lt;b&gt;"), "the title escaped");
	cr_expect(strstr(p, "do &amp; &quot;it&quot;"), "the hint escaped");
	cr_expect(strstr(p, "/tmp/&lt;dir&gt;"), "the folder escaped");
	cr_expect(!strstr(p, "<svg class"), "no ladder, no diagram");
	cr_expect(strstr(p, "id=\"check-99-test-x.one\""), "the check's anchor");
	free(p);
}

/* A page saved in a class run's folder: captures below it linked relative to it (the
 * folder's name holding bytes esc_text rewrites), others by file: URL, the header lines
 * escaped, a link back to the class page. */
Test(html, page_in_a_folder_links_captures_relative_to_it)
{
	static const char dir[] = "/out/<b>\xff";
	static struct check_result res[2];
	static const struct check two[] = {
		{ .id = "x.a", .title = "a", .points = 5 },
		{ .id = "x.b", .title = "b", .points = 5 },
	};
	static const struct lab lab2 = { .id = "98-two", .title = "two", .programs = progs,
					  .checks = two, .nchecks = 2 };
	const struct check *chk[] = { &two[0], &two[1] };
	struct lab_result lr = { .lab = &lab2, .built = true, .n = 2, .checks = chk,
				 .results = res, .max_score = 10 };
	struct sb_info sb = { .mode = SB_NETNS };
	struct report_opts o = { .format = REPORT_HTML, .sb = &sb, .title = dir };
	const char *const lines[] = { "student: <b>\xff", "note: ]]> & more", NULL };
	struct html_page pg = { .dir = dir, .lines = lines, .class_page = "../index.html" };
	char clean[64], *p = NULL;
	size_t len = 0;

	res[0].status = res[1].status = CHECK_FAIL;
	esc_text(dir, strlen(dir), clean, sizeof clean);
	snprintf(res[0].pcap, sizeof res[0].pcap, "%s/pcaps/98-two/x.a.pcap", clean);
	snprintf(res[1].pcap, sizeof res[1].pcap, "/elsewhere/x b.pcap");
	FILE *f = open_memstream(&p, &len);
	cr_assert(f);
	cr_assert_eq(html_write_page(f, &o, &lr, 1, &pg), 0);
	fclose(f);
	cr_expect(strstr(p, "href=\"pcaps/98-two/x.a.pcap\""), "the capture below the page's "
		  "folder, relative:\n%s", p);
	cr_expect(strstr(p, "href=\"file:///elsewhere/x%20b.pcap\""), "another, by file: URL");
	cr_expect(strstr(p, "tcpdump -nn -r /out/&lt;b&gt;\\xff/pcaps/98-two/x.a.pcap"),
		  "the command names the whole path, escaped");
	cr_expect(strstr(p, "<p>student: &lt;b&gt;\\xff</p>"), "a header line, escaped");
	cr_expect(strstr(p, "<p>note: ]]&gt; &amp; more</p>"), "another");
	cr_expect(strstr(p, "<a href=\"../index.html\">the class page</a>"), "the way back");
	cr_expect(!strstr(p, "<b>") && !strstr(p, "]]>"), "no markup of the lines");
	free(p);
}

/* The class page's grid from small per-student data: marks, totals, statuses, links. */
static char *class_page(const struct html_class *c)
{
	char *p = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&p, &len);

	cr_assert(f);
	cr_assert_eq(html_class_write(f, c), 0);
	fclose(f);
	return p;
}

Test(html, class_page_grid_rates_links_and_escapes)
{
	static const struct check two[] = {
		{ .id = "x.a", .title = "a <i>", .points = 5 },
		{ .id = "x.b", .title = "b", .points = 10 },
	};
	static const struct lab lab2 = { .id = "98-two", .title = "two", .programs = progs,
					 .checks = two, .nchecks = 2 };
	const struct html_column cols[] = { { &lab2, &two[0] }, { &lab2, &two[1] },
					    { &lab, &checks[0] } };
	const signed char ma[] = { CHECK_PASS, CHECK_PASS, CHECK_SKIP };
	const signed char mb[] = { CHECK_PASS, CHECK_FAIL, HTML_NONE };
	const signed char mc[] = { HTML_NONE, HTML_NONE, HTML_NONE };
	const struct html_student st[] = {
		{ .name = "alice", .page = "alice/report.html", .scored = true, .score = 15,
		  .max_score = 20, .marks = ma },
		{ .name = "<b>bob</b>\xff", .page = "../s2/b o&b\xff/report.html", .scored = true,
		  .score = 5, .max_score = 20, .marks = mb, .status = "build failed: <p>" },
		{ .name = "carol", .status = "no sources found", .marks = mc, .max_score = 20 },
		{ .name = "dan", .status = "no submission" },
	};
	const struct html_class c = { .title = "lab <98>", .cols = cols, .ncols = 3,
				      .students = st, .n = 4 };
	char *p = class_page(&c);

	cr_expect(strstr(p, "<th colspan=\"2\">98-two</th><th colspan=\"1\">99-test</th>"),
		  "each lab over its checks:\n%s", p);
	cr_expect(strstr(p, "id=\"col-98-two-x.a\" title=\"a &lt;i&gt;\"") &&
		  strstr(p, "id=\"col-98-two-x.b\"") && strstr(p, "id=\"col-99-test-x.one\""),
		  "a column per check, its title escaped");
	cr_expect(strstr(p, "<td title=\"2 of 2\">100%</td><td title=\"1 of 2\">50%</td>"
			 "<td title=\"0 of 1\">0%</td>"),
		  "pass rates over the students with a result:\n%s", p);
	cr_expect(strstr(p, "title=\"the mean of 2 totals\">10.0</td>"), "the mean of the scored");
	cr_expect(strstr(p, "&lt;b&gt;bob&lt;/b&gt;\\xff"), "the name escaped");
	cr_expect(strstr(p, "build failed: &lt;p&gt;"), "the status escaped");
	cr_expect(!strstr(p, "<b>") && !strstr(p, "<p>build") && !strstr(p, "<i>"),
		  "no markup from a name, a status or a title");
	cr_expect(strstr(p, "href=\"../s2/b%20o%26b%FF/report.html\""),
		  "the link percent-encoded, raw bytes and all");
	cr_expect(strstr(p, "<td class=\"pts\">5/20</td>"), "bob's points");
	cr_expect(strstr(p, "<td class=\"skip\" title=\"x.one: skip\">S</td>"), "a skip's mark");
	cr_expect(strstr(p, "<td class=\"fail\" title=\"x.b: fail\">x</td>"), "a failure's mark");
	cr_expect_eq(count(p, "<td class=\"none\">-</td>"), 1 + 3 + 3,
		     "one blank for bob, three for carol and for dan");
	cr_expect_eq(count(p, "<td class=\"pts\"></td>"), 2, "no total for carol nor dan");
	cr_expect(strstr(p, ">carol</td>") && strstr(p, ">dan</td>"), "no link without a page");
	cr_expect(strstr(p, "no sources found") && strstr(p, "no submission"), "the statuses");
	cr_expect(strstr(p, "<title>wirelab: lab &lt;98&gt;</title>"), "the title escaped");
	cr_expect(!strstr(p, "<script") && !strstr(p, "://"), "no script, nothing fetched");
	free(p);
}
