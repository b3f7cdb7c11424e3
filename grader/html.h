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

#endif
