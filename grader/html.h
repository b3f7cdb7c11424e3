/* html.h - the grading report as one self-contained HTML page: inline CSS, no script, no
 * request to any network; each check with its message, log and hint, each ladder drawn as
 * an inline SVG sequence diagram, and a link to each saved pcap. Every byte a student
 * controls goes through esc_text and then HTML escaping, so the page is valid UTF-8 with
 * no markup of theirs. */
#ifndef WIRELAB_HTML_H
#define WIRELAB_HTML_H

#include <stdio.h>

#include "report.h"

/* Write the page for n labs to f. Returns 0 or -errno. */
int html_write(FILE *f, const struct report_opts *o, const struct lab_result *labs, size_t n);

/* Write s (n bytes) as HTML text: esc_text first (invalid UTF-8 and control bytes become
 * \xNN), then & < > " ' as character references. Safe in text and in quoted attributes. */
void html_text(FILE *f, const char *s, size_t n);

/* One student of a class page. */
struct html_student {
	const char *name;                /* their folder's name: their bytes, escaped here */
	const char *status;              /* "graded", "no sources found", ...; NULL: "graded" */
	const char *page;                /* their own page, as a path relative to the class
					  * page's folder, or NULL for no link */
	const struct lab_result *labs;   /* their labs, as run_units returned them */
	size_t nlabs;
};

/* The class page: a students x checks grid (a mark per cell, the checks grouped by lab, the
 * columns those of the first student that has each lab), each student's total and status,
 * a link to each student's page, and the pass rate of every check over the students who
 * have that lab. Self-contained like the student page. Returns 0 or -errno. */
int html_class_write(FILE *f, const char *title, const struct html_student *s, size_t n);

#endif
