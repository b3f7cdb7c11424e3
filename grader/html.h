/* html.h - the grading report as one self-contained HTML page: inline CSS, no script, no
 * request to any network; each check with its message, log and hint, each ladder drawn as
 * an inline SVG sequence diagram, and a link to each saved pcap. Every byte a student
 * controls goes through esc_text and then HTML escaping, so the page is valid UTF-8 with
 * no markup of theirs. */
#ifndef WIRELAB_HTML_H
#define WIRELAB_HTML_H

#include <stdbool.h>
#include <stdio.h>

#include "report.h"

/* Write the page for n labs to f. Returns 0 or -errno. */
int html_write(FILE *f, const struct report_opts *o, const struct lab_result *labs, size_t n);

/* What a page written into a folder of a class run knows besides its labs. */
struct html_page {
	const char *dir;                 /* the folder the page is saved in: a capture below it
					  * is linked relative to the page, so that the folder
					  * can be moved or served; NULL: absolute file: links */
	const char *const *lines;        /* NULL-ended lines shown under the header (status,
					  * where each lab was found), or NULL; escaped here */
	const char *class_page;          /* the class page, relative to the page, or NULL */
};

/* html_write for a page saved in p->dir (p may be NULL: html_write). */
int html_write_page(FILE *f, const struct report_opts *o, const struct lab_result *labs,
		    size_t n, const struct html_page *p);

/* Write s (n bytes) as HTML text: esc_text first (invalid UTF-8 and control bytes become
 * \xNN), then & < > " ' as character references. Safe in text and in quoted attributes. */
void html_text(FILE *f, const char *s, size_t n);

/* ---- the class page: what is kept of each student is small (a mark per check, the
 * totals), so it is built as well from the report.json files on disk (gradebook.c) as
 * from a run. */

/* A column of the grid: one check of one lab. */
struct html_column {
	const struct lab *lab;
	const struct check *check;
};

#define HTML_NONE (-1)           /* a mark: the student has no result for that check */

/* One student (a row). */
struct html_student {
	const char *name;                /* their folder's name: their bytes, escaped here */
	const char *status;              /* "graded", "no sources found", ...; NULL: "graded" */
	const char *page;                /* their own page, as a path relative to the class
					  * page's folder (raw bytes, percent-encoded here), or
					  * NULL for no link */
	bool scored;                     /* score means something (false: nothing graded) */
	int score, max_score;
	const signed char *marks;        /* per column: an enum check_status, or HTML_NONE */
};

struct html_class {
	const char *title;               /* the class (its folder) */
	const struct html_column *cols;  /* grouped by lab, in the kit's order */
	size_t ncols;
	const struct html_student *students;
	size_t n;
};

/* The class page: a students x checks grid (a mark per cell, the checks grouped by lab),
 * each student's total and status, a link to each student's page, and the pass rate of
 * every check over the students who have a result for it. Self-contained like the student
 * page, readable without a script. Returns 0 or -errno. */
int html_class_write(FILE *f, const struct html_class *c);

#endif
