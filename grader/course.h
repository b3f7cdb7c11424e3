/* course.h - a course file: what a class is graded on, in JSON, read once for `wirelab
 * batch --course FILE`:
 *
 *   {
 *     "labs": ["00", "01-tcp-echo"],                 the labs graded (any lab name)
 *     "checks": ["greet.*", "echo.*"],               patterns: only the checks matching one
 *     "exclude": ["greet.client-timeout"],           patterns: checks left out
 *     "points": { "greet.server-hello": 20 },        points of a check, instead of the kit's
 *     "time_limit_s": 300,                           check time per submission (batch.h)
 *     "repeat": 3,                                   --repeat, unless the command line says
 *     "default_visibility": "after_due_date",        Gradescope's visibility of every test
 *     "visibility": { "echo.server-load": "hidden" } ... and of a check's own
 *   }
 *
 * Every key is optional; an unknown key, a wrong type, a lab or a check id that does not
 * exist is an error with the reason, so that a typo never grades silently by other rules. */
#ifndef WIRELAB_COURSE_H
#define WIRELAB_COURSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "check.h"

#define COURSE_MAX_LABS     16
#define COURSE_MAX_PATTERNS 64
#define COURSE_MAX_POINTS   256
#define COURSE_MAX_REPEAT   100

struct course {
	const struct lab *labs[COURSE_MAX_LABS + 1];     /* NULL-ended; labs[0] NULL: not set */
	char *checks[COURSE_MAX_PATTERNS + 1];           /* NULL-ended */
	size_t nchecks;
	char *excludes[COURSE_MAX_PATTERNS + 1];
	size_t nexcludes;
	struct { char *id; int points; } points[COURSE_MAX_POINTS];
	size_t npoints;
	int64_t time_limit_s;                            /* -1: not set */
	int repeat;                                      /* 0: not set */
	const char *default_visibility;                  /* NULL: not set (static) */
	struct { char *id; const char *vis; } visibility[COURSE_MAX_POINTS];
	size_t nvisibility;
};

/* Read path into c. Returns 0, or -1 with why (c is then empty; course_free is still
 * fine). */
int course_read(const char *path, struct course *c, char *why, size_t whylen);
void course_free(struct course *c);

/* The points of check ch under c: the course's, else the kit's. c may be NULL. */
int course_points(const struct course *c, const struct check *ch);

/* Gradescope's visibility of check ch's test under c: the check's own, else the course's
 * default, else "visible". c may be NULL. */
const char *course_visibility(const struct course *c, const struct check *ch);

struct lab_result;
/* Give the n results the course's points: each result's checks point at copies with the
 * course's points, and the scores and maxima are counted again. Returns the copies, to free
 * once the results are no longer used, or NULL when out of memory (results unchanged). */
struct check *course_apply_points(const struct course *c, struct lab_result *res, size_t n);

#endif
