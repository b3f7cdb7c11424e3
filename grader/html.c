/* html.c - the HTML report: one self-contained page, ladders drawn as inline SVG. */
#include "html.h"

#include "esc.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

enum {
	DIAG_MAX_ROWS = 64,    /* arrows and notes drawn per diagram (ladders hold 24 or so) */
	SVG_ROW = 28,          /* pixels per row */
	SVG_TOP = 40,          /* room for the two end labels */
	SVG_TIME_W = 92,       /* the time column, right-aligned */
	SVG_MIN_W = 640,
	SVG_CHAR_W = 8,        /* at least one 12 px monospace glyph's advance */
	SVG_HEAD = 9,          /* arrowhead length */
};

void html_text(FILE *f, const char *s, size_t n)
{
	size_t cap = 4 * n + 1;   /* esc_text writes at most 4 bytes per input byte */
	char *buf = malloc(cap);

	if (!buf) {
		fputs("(out of memory)", f);
		return;
	}
	size_t m = esc_text(s, n, buf, cap);
	for (size_t i = 0; i < m; i++) {
		switch (buf[i]) {
		case '&': fputs("&amp;", f); break;
		case '<': fputs("&lt;", f); break;
		case '>': fputs("&gt;", f); break;
		case '"': fputs("&quot;", f); break;
		case '\'': fputs("&#39;", f); break;
		default: fputc(buf[i], f);
		}
	}
	free(buf);
}

static void html_str(FILE *f, const char *s)
{
	html_text(f, s, strlen(s));
}

/* A path as a file: URL, every byte but [A-Za-z0-9/._~-] percent-encoded. */
static void html_file_url(FILE *f, const char *path)
{
	static const char hex[] = "0123456789ABCDEF";

	fputs(path[0] == '/' ? "file://" : "", f);
	for (const unsigned char *p = (const unsigned char *)path; *p; p++) {
		if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
		    strchr("/._~-", *p))
			fputc(*p, f);
		else
			fprintf(f, "%%%c%c", hex[*p >> 4], hex[*p & 15]);
	}
}

/* ---- ladders: the text diagram (ladder.h) read back into rows, drawn as SVG ----------- */

enum diag_kind { DIAG_RIGHT, DIAG_LEFT, DIAG_NOTE };

struct diag_row {
	enum diag_kind kind;
	const char *time, *label;     /* into the ladder text, not NUL-terminated */
	size_t ntime, nlabel;
};

struct diagram {
	const char *left, *right;
	size_t nleft, nright;
	struct diag_row rows[DIAG_MAX_ROWS];
	size_t nrows;
	size_t hidden;                /* rows past DIAG_MAX_ROWS */
};

static bool starts(const char *p, size_t n, const char *s)
{
	size_t k = strlen(s);
	return n >= k && memcmp(p, s, k) == 0;
}

static bool ends(const char *p, size_t n, const char *s)
{
	size_t k = strlen(s);
	return n >= k && memcmp(p + n - k, s, k) == 0;
}

static void trim(const char **p, size_t *n)
{
	while (*n && **p == ' ') {
		(*p)++;
		(*n)--;
	}
	while (*n && (*p)[*n - 1] == ' ')
		(*n)--;
}

/* The header "client A        server B": two labels apart by a run of spaces. */
static void diag_header(struct diagram *d, const char *p, size_t n)
{
	trim(&p, &n);
	const char *gap = NULL;
	for (size_t i = 0; i + 1 < n; i++)
		if (p[i] == ' ' && p[i + 1] == ' ') {
			gap = p + i;
			break;
		}
	if (!gap) {
		d->left = p;
		d->nleft = n;
		return;
	}
	d->left = p;
	d->nleft = (size_t)(gap - p);
	const char *r = gap;
	size_t rn = n - (size_t)(gap - p);
	trim(&r, &rn);
	d->right = r;
	d->nright = rn;
}

/* One row "   0.051 ms  |---- LABEL ------>|", "  |<------ LABEL ----|" or a note
 * "          |   ... 3 more segments ...   |". Lines cut short (a full buffer) are dropped. */
static void diag_row(struct diagram *d, const char *p, size_t n)
{
	const char *bar = memchr(p, '|', n);
	if (!bar || n < 2 || p[n - 1] != '|' || bar == p + n - 1)
		return;
	struct diag_row r = { DIAG_NOTE, "", "", 0, 0 };
	const char *in = bar + 1;
	size_t nin = (size_t)(p + n - 1 - in);
	size_t npre = (size_t)(bar - p);
	if (ends(p, npre, " ms  ")) {
		r.time = p;
		r.ntime = npre - 5;
		trim(&r.time, &r.ntime);
		if (starts(in, nin, "---- ")) {
			r.kind = DIAG_RIGHT;
			in += 5;
			nin -= 5;
			while (nin && in[nin - 1] == '>')
				nin--;
			while (nin && in[nin - 1] == '-')
				nin--;
		} else if (starts(in, nin, "<")) {
			r.kind = DIAG_LEFT;
			in++;
			nin--;
			while (nin && *in == '-') {
				in++;
				nin--;
			}
			if (ends(in, nin, " ----"))
				nin -= 5;
		}
	}
	trim(&in, &nin);
	r.label = in;
	r.nlabel = nin;
	if (d->nrows < DIAG_MAX_ROWS)
		d->rows[d->nrows++] = r;
	else
		d->hidden++;
}

/* The CSS class of an arrow: its flags come before any quoted data. */
static const char *arrow_class(const struct diag_row *r)
{
	const char *q = memchr(r->label, '"', r->nlabel);
	size_t n = q ? (size_t)(q - r->label) : r->nlabel;
	char flags[64];
	snprintf(flags, sizeof flags, "%.*s", (int)(n < sizeof flags - 1 ? n : sizeof flags - 1),
		 r->label);
	bool retrans = r->nlabel >= 16 && ends(r->label, r->nlabel, "(retransmission)");
	if (strstr(flags, "RST") || strstr(flags, "ICMP"))
		return retrans ? "rst re" : "rst";
	if (strstr(flags, "SYN"))
		return retrans ? "syn re" : "syn";
	if (strstr(flags, "FIN"))
		return retrans ? "fin re" : "fin";
	return retrans ? "data re" : "data";
}

static void svg_diagram(FILE *f, const struct diagram *d)
{
	size_t longest = d->nleft + d->nright + 4;
	for (size_t i = 0; i < d->nrows; i++)
		if (d->rows[i].nlabel + 4 > longest)
			longest = d->rows[i].nlabel + 4;
	int w = SVG_TIME_W + 40 + (int)longest * SVG_CHAR_W;
	if (w < SVG_MIN_W)
		w = SVG_MIN_W;
	int xl = SVG_TIME_W + 16, xr = w - 16, mid = (xl + xr) / 2;
	int rows = (int)d->nrows + (d->hidden ? 1 : 0);
	int h = SVG_TOP + rows * SVG_ROW + 8;

	fprintf(f, "<svg class=\"ladder\" role=\"img\" width=\"%d\" height=\"%d\" "
		"viewBox=\"0 0 %d %d\"><title>", w, h, w, h);
	html_text(f, d->left ? d->left : "", d->nleft);
	fputs(" and ", f);
	html_text(f, d->right ? d->right : "", d->nright);
	fputs("</title>\n", f);
	fprintf(f, "<text class=\"end\" x=\"%d\" y=\"16\">", xl - 8);
	html_text(f, d->left ? d->left : "", d->nleft);
	fprintf(f, "</text><text class=\"end\" x=\"%d\" y=\"16\" text-anchor=\"end\">", xr + 8);
	html_text(f, d->right ? d->right : "", d->nright);
	fputs("</text>\n", f);
	fprintf(f, "<line class=\"lane\" x1=\"%d\" y1=\"24\" x2=\"%d\" y2=\"%d\"/>"
		"<line class=\"lane\" x1=\"%d\" y1=\"24\" x2=\"%d\" y2=\"%d\"/>\n",
		xl, xl, h - 4, xr, xr, h - 4);
	int k = 0;
	for (size_t i = 0; i < d->nrows; i++, k++) {
		const struct diag_row *r = &d->rows[i];
		int y = SVG_TOP + k * SVG_ROW + 14;
		if (r->kind == DIAG_NOTE) {
			fprintf(f, "<text class=\"note\" x=\"%d\" y=\"%d\" text-anchor=\"middle\">",
				mid, y);
			html_text(f, r->label, r->nlabel);
			fputs("</text>\n", f);
			continue;
		}
		const char *cls = arrow_class(r);
		int from = r->kind == DIAG_RIGHT ? xl : xr, to = r->kind == DIAG_RIGHT ? xr : xl;
		int back = r->kind == DIAG_RIGHT ? -SVG_HEAD : SVG_HEAD;
		fprintf(f, "<text class=\"t\" x=\"%d\" y=\"%d\" text-anchor=\"end\">", SVG_TIME_W,
			y + 4);
		html_text(f, r->time, r->ntime);
		fprintf(f, " ms</text>");
		fprintf(f, "<g class=\"%s\"><line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\"/>"
			"<polygon points=\"%d,%d %d,%d %d,%d\"/>", cls, from, y, to + back / 3, y,
			to, y, to + back, y - 4, to + back, y + 4);
		fprintf(f, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">", mid, y - 6);
		html_text(f, r->label, r->nlabel);
		fputs("</text></g>\n", f);
	}
	if (d->hidden)
		fprintf(f, "<text class=\"note\" x=\"%d\" y=\"%d\" text-anchor=\"middle\">"
			"(%zu more rows not drawn)</text>\n", mid, SVG_TOP + k * SVG_ROW + 14,
			d->hidden);
	fputs("</svg>\n", f);
}

/* Every diagram of a ladder text (several are apart by a blank line), then the text. */
static int html_ladder(FILE *f, const char *text)
{
	struct diagram *d = calloc(1, sizeof *d);
	if (!d)
		return -ENOMEM;
	bool open = false;
	const char *p = text;
	fputs("<figure class=\"ladders\">\n", f);
	for (;;) {
		const char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p) : strlen(p);
		if (n == 0 || !nl) {
			if (n && open)
				diag_row(d, p, n);
			if (open && (d->nrows || d->left))
				svg_diagram(f, d);
			memset(d, 0, sizeof *d);
			open = false;
		} else if (!open) {
			if (memchr(p, '|', n)) {
				open = true;      /* a diagram without its header line */
				diag_row(d, p, n);
			} else {
				diag_header(d, p, n);
				open = true;
			}
		} else {
			diag_row(d, p, n);
		}
		if (!nl)
			break;
		p = nl + 1;
	}
	free(d);
	fputs("<details><summary>the same as text</summary><pre>", f);
	html_str(f, text);
	fputs("</pre></details></figure>\n", f);
	return 0;
}

/* ---- the page ------------------------------------------------------------------------ */

static const char css[] =
	"body{font:15px/1.45 system-ui,sans-serif;margin:0;background:#f6f7f9;color:#1d232b}"
	"header{background:#1f3b57;color:#fff;padding:14px 24px}"
	"header h1{margin:0;font-size:22px}header p{margin:4px 0 0}"
	"main{padding:8px 24px 40px;max-width:1200px}"
	"section.lab{background:#fff;border:1px solid #d5dae1;border-radius:6px;margin:18px 0;"
	"padding:6px 18px 14px}"
	"h2{font-size:19px}h2 .score,.total{float:right}"
	"table{border-collapse:collapse;width:100%}td,th{text-align:left;padding:3px 8px;"
	"border-bottom:1px solid #e5e8ec}td.pts{text-align:right;white-space:nowrap}"
	".mark{display:inline-block;min-width:3.4em;text-align:center;border-radius:3px;"
	"font:bold 12px monospace;padding:2px 4px;color:#fff}"
	".pass .mark{background:#2e7d32}.fail .mark{background:#c62828}"
	".error .mark{background:#b26a00}.skip .mark{background:#546e7a}"
	"article.check{border-left:5px solid #c62828;background:#fdfdfd;margin:14px 0;"
	"padding:4px 12px}article.pass{border-color:#2e7d32}article.error{border-color:#b26a00}"
	"article.skip{border-color:#546e7a}article h3{font-size:16px;margin:6px 0}"
	"pre{background:#f1f3f5;padding:8px;overflow-x:auto;white-space:pre-wrap;"
	"word-break:break-all;font-size:13px}"
	".hint{background:#fff8e1;padding:6px 8px;border-radius:4px}"
	"svg.ladder{display:block;background:#fff;margin:6px 0;max-width:100%;height:auto}"
	"svg text{font:12px monospace;fill:#1d232b}svg text.end{font-weight:bold}"
	"svg text.t,svg text.note{fill:#68727d}svg .lane{stroke:#8a949e;stroke-width:2}"
	"svg g line{stroke-width:2}svg g.data line{stroke:#1d232b}svg g.data polygon{fill:#1d232b}"
	"svg g.syn line{stroke:#1565c0}svg g.syn polygon,svg g.syn text{fill:#1565c0}"
	"svg g.fin line{stroke:#6a1b9a}svg g.fin polygon,svg g.fin text{fill:#6a1b9a}"
	"svg g.rst line{stroke:#c62828}svg g.rst polygon,svg g.rst text{fill:#c62828}"
	"svg g.re line{stroke-dasharray:6 4}"
	"a{color:#1565c0}code{font-size:13px}";

static const char *const status_class[] = { "pass", "fail", "error", "skip" };
static const char *const status_mark[] = { "PASS", "FAIL", "ERR", "SKIP" };

static void hint_of(const struct lab *lab, const struct check *ch, FILE *f)
{
	html_str(f, ch->hint ? ch->hint : "");
	if (ch->section) {
		fputs(" (see &quot;", f);
		html_str(f, ch->section);
		fputs("&quot; in <code>labs/", f);
		html_str(f, lab->id);
		fputs("/README.md</code>)", f);
	}
}

/* The id of a check's element: "check-" then the check's id (ids are [a-z0-9.-]). */
static void check_anchor(FILE *f, const struct lab *lab, const struct check *ch)
{
	fputs("check-", f);
	html_str(f, lab->id);
	fputc('-', f);
	html_str(f, ch->id);
}

/* The link to a saved capture: relative to the page when the capture lies below the
 * page's folder (r->pcap went through esc_text, so the folder is compared escaped alike),
 * else its absolute file: URL. */
static void pcap_link(FILE *f, const char *pcap, const struct html_page *p)
{
	if (p && p->dir) {
		size_t n = strlen(p->dir), cap = 4 * n + 1;
		char *dir = malloc(cap);
		size_t m = dir ? esc_text(p->dir, n, dir, cap) : 0;
		bool below = dir && m && strncmp(pcap, dir, m) == 0 && pcap[m] == '/' &&
			     pcap[m + 1];
		free(dir);
		if (below) {
			html_file_url(f, pcap + m + 1);
			return;
		}
	}
	html_file_url(f, pcap);
}

static int html_check(FILE *f, const struct lab_result *lr, size_t i, const struct html_page *p)
{
	const struct check *ch = lr->checks[i];
	const struct check_result *r = &lr->results[i];
	int rc = 0;

	fprintf(f, "<article class=\"check %s\" id=\"", status_class[r->status]);
	check_anchor(f, lr->lab, ch);
	fputs("\" data-check=\"", f);
	html_str(f, ch->id);
	fprintf(f, "\">\n<h3><span class=\"mark\">%s</span> <code>", status_mark[r->status]);
	html_str(f, ch->id);
	fputs("</code> ", f);
	html_str(f, ch->title);
	fprintf(f, " <span class=\"total\">%d/%d</span></h3>\n", r->score, ch->points);
	if (r->status == CHECK_PASS && !r->message[0]) {
		fputs("<p>passed</p>\n", f);
	} else if (!lr->built && r->status != CHECK_PASS) {
		fputs("<p>the lab did not build (see above)</p>\n", f);
	} else {
		if (r->message[0]) {
			fputs("<pre class=\"message\">", f);
			html_str(f, r->message);
			fputs("</pre>\n", f);
		}
		if (r->ladder[0])
			rc = html_ladder(f, r->ladder);
		if (r->log[0] && r->status != CHECK_PASS) {
			fputs("<pre class=\"log\">", f);
			html_str(f, r->log);
			fputs("</pre>\n", f);
		}
		if (r->status == CHECK_FAIL) {
			fputs("<p class=\"hint\">hint: ", f);
			hint_of(lr->lab, ch, f);
			fputs("</p>\n", f);
		}
	}
	if (r->pcap[0]) {
		fputs("<p class=\"pcap\">capture: <a href=\"", f);
		pcap_link(f, r->pcap, p);
		fputs("\">", f);
		html_str(f, r->pcap);
		fputs("</a>; read it with <code>tcpdump -nn -r ", f);
		html_str(f, r->pcap);
		fputs("</code></p>\n", f);
	}
	fputs("</article>\n", f);
	return rc;
}

static int html_lab(FILE *f, const struct lab_result *lr, const struct html_page *p)
{
	size_t passed = 0;
	int rc = 0;

	for (size_t i = 0; i < lr->n; i++)
		passed += lr->results[i].status == CHECK_PASS;
	fputs("<section class=\"lab\" id=\"lab-", f);
	html_str(f, lr->lab->id);
	fputs("\">\n<h2>", f);
	html_str(f, lr->lab->id);
	fputs(" &middot; ", f);
	html_str(f, lr->lab->title);
	fprintf(f, " <span class=\"score\">%d/%d points</span></h2>\n<p>from <code>",
		lr->score, lr->max_score);
	html_str(f, lr->labdir);
	fprintf(f, "</code>; %zu of %zu checks passed in %.1f s</p>\n", passed, lr->n,
		lr->duration_ms / 1000.0);
	if (!lr->built) {
		fputs("<h3>The lab did not build. The build said:</h3>\n<pre class=\"build\">", f);
		html_str(f, lr->build_log ? lr->build_log : "");
		fputs("</pre>\n", f);
	}
	fputs("<table><thead><tr><th></th><th>check</th><th>what it checks</th><th>points</th>"
	      "</tr></thead><tbody>\n", f);
	for (size_t i = 0; i < lr->n; i++) {
		const struct check *ch = lr->checks[i];
		const struct check_result *r = &lr->results[i];
		fprintf(f, "<tr class=\"%s\"><td><span class=\"mark\">%s</span></td><td><a href=\"#",
			status_class[r->status], status_mark[r->status]);
		check_anchor(f, lr->lab, ch);
		fputs("\"><code>", f);
		html_str(f, ch->id);
		fputs("</code></a></td><td>", f);
		html_str(f, ch->title);
		fprintf(f, "</td><td class=\"pts\">%d/%d</td></tr>\n", r->score, ch->points);
	}
	fputs("</tbody></table>\n", f);
	for (size_t i = 0; i < lr->n && rc == 0; i++)
		rc = html_check(f, lr, i, p);
	fputs("</section>\n", f);
	return rc;
}

int html_write(FILE *f, const struct report_opts *o, const struct lab_result *labs, size_t n)
{
	return html_write_page(f, o, labs, n, NULL);
}

int html_write_page(FILE *f, const struct report_opts *o, const struct lab_result *labs,
		    size_t n, const struct html_page *p)
{
	int score = 0, max = 0, rc = 0;

	for (size_t i = 0; i < n; i++) {
		score += labs[i].score;
		max += labs[i].max_score;
	}
	/* No script, no request anywhere: the policy says so to the browser too. */
	fputs("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
	      "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
	      "style-src 'unsafe-inline'\">\n"
	      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
	      "<title>wirelab: ", f);
	html_str(f, o->title ? o->title : "");
	fprintf(f, "</title>\n<style>%s</style>\n</head>\n<body>\n<header><h1>wirelab report "
		"<span class=\"total\">%d/%d points</span></h1>\n<p>grading ", css, score, max);
	html_str(f, o->title ? o->title : "");
	fputs("; sandbox: ", f);
	html_str(f, sb_mode_name(o->sb->mode));
	fputs(" (", f);
	html_str(f, o->sb->why);
	fputs(")</p>\n", f);
	if (o->sb->fix[0]) {
		fputs("<p>for full checks: ", f);
		html_str(f, o->sb->fix);
		fputs("</p>\n", f);
	}
	fputs("</header>\n<main>\n", f);
	if (p && p->class_page) {
		fputs("<p><a href=\"", f);
		html_file_url(f, p->class_page);
		fputs("\">the class page</a></p>\n", f);
	}
	if (p && p->lines && p->lines[0]) {
		fputs("<section class=\"lab about\">\n", f);
		for (size_t i = 0; p->lines[i]; i++) {
			fputs("<p>", f);
			html_str(f, p->lines[i]);
			fputs("</p>\n", f);
		}
		fputs("</section>\n", f);
	}
	for (size_t i = 0; i < n && rc == 0; i++)
		rc = html_lab(f, &labs[i], p);
	fputs("</main>\n</body>\n</html>\n", f);
	return rc;
}

/* ---- the class page ------------------------------------------------------------------ */

static const char class_css[] =
	"table.grid{width:auto;font-size:13px}table.grid td,table.grid th{border:1px solid #d5dae1;"
	"padding:2px 4px;text-align:center}table.grid td.name{text-align:left;white-space:nowrap}"
	"th.cid{vertical-align:bottom;height:15em}th.cid span{writing-mode:vertical-rl;"
	"transform:rotate(180deg);font:12px monospace;white-space:nowrap}"
	"td.pass{background:#c8e6c9}td.fail{background:#ffcdd2}td.error{background:#ffe0b2}"
	"td.skip{background:#cfd8dc}td.none{background:#eceff1;color:#90a4ae}"
	"tfoot td{font-size:11px}td.status.other{color:#c62828}.legend{font-size:13px}"
	"main{max-width:none;overflow-x:auto}";

static const char *const cell_mark[] = { "ok", "x", "E", "S" };

/* The columns' header: a row of labs over a row of check ids, vertical. */
static void class_head(FILE *f, const struct html_class *c)
{
	fputs("<thead><tr><th rowspan=\"2\">student</th>", f);
	for (size_t k = 0; k < c->ncols;) {
		size_t span = 0;
		while (k + span < c->ncols && c->cols[k + span].lab == c->cols[k].lab)
			span++;
		fprintf(f, "<th colspan=\"%zu\">", span);
		html_str(f, c->cols[k].lab->id);
		fputs("</th>", f);
		k += span;
	}
	fputs("<th rowspan=\"2\">points</th><th rowspan=\"2\">status</th></tr>\n<tr>", f);
	for (size_t k = 0; k < c->ncols; k++) {
		const struct html_column *col = &c->cols[k];
		fputs("<th class=\"cid\" id=\"col-", f);
		html_str(f, col->lab->id);
		fputc('-', f);
		html_str(f, col->check->id);
		fputs("\" title=\"", f);
		html_str(f, col->check->title);
		fputs("\"><span>", f);
		html_str(f, col->check->id);
		fputs("</span></th>", f);
	}
	fputs("</tr></thead>\n", f);
}

static void class_row(FILE *f, const struct html_class *c, const struct html_student *s)
{
	const char *status = s->status ? s->status : "graded";

	fputs("<tr><td class=\"name\">", f);
	if (s->page) {
		fputs("<a href=\"", f);
		html_file_url(f, s->page);
		fputs("\">", f);
	}
	html_str(f, s->name ? s->name : "");
	fputs(s->page ? "</a></td>" : "</td>", f);
	for (size_t k = 0; k < c->ncols; k++) {
		int m = s->marks ? s->marks[k] : HTML_NONE;
		if (m >= CHECK_PASS && m <= CHECK_SKIP) {
			fprintf(f, "<td class=\"%s\" title=\"", status_class[m]);
			html_str(f, c->cols[k].check->id);
			fprintf(f, ": %s\">%s</td>", status_class[m], cell_mark[m]);
		} else {
			fputs("<td class=\"none\">-</td>", f);
		}
	}
	if (s->scored)
		fprintf(f, "<td class=\"pts\">%d/%d</td>", s->score, s->max_score);
	else
		fputs("<td class=\"pts\"></td>", f);
	fprintf(f, "<td class=\"status%s\">", strcmp(status, "graded") ? " other" : "");
	html_str(f, status);
	fputs("</td></tr>\n", f);
}

/* The pass rate of every column over the students with a result there, and the mean. */
static void class_foot(FILE *f, const struct html_class *c)
{
	double sum = 0;
	size_t scored = 0;

	fputs("<tfoot><tr><td class=\"name\">pass rate</td>", f);
	for (size_t k = 0; k < c->ncols; k++) {
		size_t had = 0, passed = 0;
		for (size_t i = 0; i < c->n; i++) {
			int m = c->students[i].marks ? c->students[i].marks[k] : HTML_NONE;
			had += m >= CHECK_PASS && m <= CHECK_SKIP;
			passed += m == CHECK_PASS;
		}
		if (had)
			fprintf(f, "<td title=\"%zu of %zu\">%zu%%</td>", passed, had,
				(passed * 100 + had / 2) / had);
		else
			fputs("<td>-</td>", f);
	}
	for (size_t i = 0; i < c->n; i++)
		if (c->students[i].scored) {
			sum += c->students[i].score;
			scored++;
		}
	if (scored)
		fprintf(f, "<td class=\"pts\" title=\"the mean of %zu totals\">%.1f</td>", scored,
			sum / (double)scored);
	else
		fputs("<td></td>", f);
	fputs("<td></td></tr></tfoot>\n", f);
}

int html_class_write(FILE *f, const struct html_class *c)
{
	const char *title = c->title ? c->title : "";

	fputs("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
	      "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
	      "style-src 'unsafe-inline'\">\n"
	      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
	      "<title>wirelab: ", f);
	html_str(f, title);
	fprintf(f, "</title>\n<style>%s%s</style>\n</head>\n<body>\n<header><h1>wirelab: ",
		css, class_css);
	html_str(f, title);
	fprintf(f, "</h1>\n<p>%zu students, %zu checks</p></header>\n<main>\n"
		"<p class=\"legend\">ok passed, x failed, E not judged (a grader error, or the "
		"student's time limit was used up), S skipped, - no result (the lab not found, or "
		"nothing graded). A student's name links to their own page; the pass rate of a "
		"check counts the students with a result for it.</p>\n<table class=\"grid\">\n",
		c->n, c->ncols);
	class_head(f, c);
	fputs("<tbody>\n", f);
	for (size_t i = 0; i < c->n; i++)
		class_row(f, c, &c->students[i]);
	fputs("</tbody>\n", f);
	class_foot(f, c);
	fputs("</table>\n</main>\n</body>\n</html>\n", f);
	return ferror(f) ? -EIO : 0;
}
