/* test_html.c - the HTML report on results built by hand: ladder texts read back into SVG
 * diagrams (arrows both ways, notes, several diagrams, cut lines), and every byte escaped. */
#define _GNU_SOURCE
#include "html.h"

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

Test(html, class_page_grid_rates_links_and_escapes)
{
	static const struct check two[] = {
		{ .id = "x.a", .title = "a", .points = 5 },
		{ .id = "x.b", .title = "b", .points = 10 },
	};
	static const struct lab lab2 = { .id = "98-two", .title = "two", .programs = progs,
					 .checks = two, .nchecks = 2 };
	const struct check *chk[] = { &two[0], &two[1] };
	struct check_result ra[2] = { { .status = CHECK_PASS, .score = 5 },
				      { .status = CHECK_PASS, .score = 10 } };
	struct check_result rb[2] = { { .status = CHECK_PASS, .score = 5 },
				      { .status = CHECK_FAIL } };
	struct lab_result la = { .lab = &lab2, .built = true, .n = 2, .checks = chk, .results = ra,
				 .score = 15, .max_score = 15 };
	struct lab_result lb = la;
	lb.results = rb;
	lb.score = 5;
	struct html_student st[] = {
		{ .name = "alice", .page = "alice/report.html", .labs = &la, .nlabs = 1 },
		{ .name = "<b>bob</b>\xff", .page = "b o&b/report.html", .labs = &lb, .nlabs = 1 },
		{ .name = "carol", .status = "no sources found" },
	};
	char *p = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&p, &len);
	cr_assert(f);
	cr_assert_eq(html_class_write(f, "lab <98>", st, 3), 0);
	fclose(f);

	cr_expect(strstr(p, "<th colspan=\"2\">98-two</th>"), "the lab over its two checks");
	cr_expect(strstr(p, "id=\"col-98-two-x.a\"") && strstr(p, "id=\"col-98-two-x.b\""),
		  "a column per check");
	cr_expect(strstr(p, "<td title=\"2 of 2\">100%</td><td title=\"1 of 2\">50%</td>"),
		  "pass rates over the students who have the lab:\n%s", p);
	cr_expect(strstr(p, "&lt;b&gt;bob&lt;/b&gt;\\xff"), "the name escaped");
	cr_expect(!strstr(p, "<b>"), "no markup from a name");
	cr_expect(strstr(p, "href=\"b%20o%26b/report.html\""), "the link percent-encoded");
	cr_expect(strstr(p, "<td class=\"pts\">5/15</td>"), "bob's points");
	cr_expect_eq(count(p, "<td class=\"none\">-</td>"), 2, "carol has no lab: two blanks");
	cr_expect(strstr(p, "no sources found"), "carol's status");
	cr_expect(strstr(p, "lab &lt;98&gt;"), "the title escaped");
	free(p);
}
