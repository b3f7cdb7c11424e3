/* report.h - the grading report: text for people (ladders, hints, pcaps), and JSON,
 * Gradescope results.json, JUnit XML and TAP 13 for machines. */
#ifndef WIRELAB_REPORT_H
#define WIRELAB_REPORT_H

#include <stdbool.h>
#include <stdio.h>

#include "course.h"
#include "run.h"
#include "sandbox.h"

enum report_format { REPORT_TEXT, REPORT_JSON, REPORT_GRADESCOPE, REPORT_JUNIT, REPORT_TAP,
		     REPORT_HTML };

struct report_opts {
	enum report_format format;
	bool color;
	bool verbose;
	const struct sb_info *sb;
	const char *title;         /* "solutions", "labs", a submission path */
	bool all;                  /* `grade all`: JSON is {"labs": [...]} even for one lab */
	const char *version;       /* the kit's version, for JSON */
	const char *submission;    /* the folder graded, escaped (esc_text), for JSON */
	const struct course *course; /* Gradescope's visibilities (course.h), or NULL */
};

int report_parse_format(const char *s, enum report_format *out);
/* The sandbox mode as JSON says it: "namespace", "host" or "nocap". */
const char *report_sandbox_token(enum sb_mode m);
/* Write the report of n labs to f. Returns 0 or -errno. */
int report_write(FILE *f, const struct report_opts *o, const struct lab_result *labs, size_t n);

#endif
