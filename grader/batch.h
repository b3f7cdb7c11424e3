/* batch.h - grading a class: every subfolder of a folder is one submission. Its sources are
 * found whatever the layout (batch_find), the labs of all submissions are graded in one pool
 * of workers, a few submissions at a time, and each submission's reports go to a folder of
 * its own under the output folder, from which the gradebook is made (gradebook.h).
 *
 * Nothing below the class folder is reached through a symbolic link: a submission that is
 * a link, and any link inside one, is reported and not followed. A submission's folder name
 * is the student's bytes: reports carry it escaped (esc_text), the gradebook quoted. */
#ifndef WIRELAB_BATCH_H
#define WIRELAB_BATCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "check.h"
#include "course.h"
#include "sandbox.h"

/* Where one lab's sources are in a submission. */
struct batch_where {
	char rel[600];          /* the folder below the submission, "." for itself */
	bool flat;              /* rel holds the .c files themselves, not src/ */
	char layout[700];       /* "labs/ tree", "lab folders", "src/", "loose .c files", then
				 * " in <wrapper>/" when wrapped one or two folders deep */
};

/* Look for lab's sources below the submission folder subfd, up to two folders deep, in this
 * order at each depth: <labs/ID/src>, <ID/src>, <src/ holding a program of the lab>, <.c
 * files of the lab's programs>. Returns true and fills w when found. Links met on the way
 * are named in note (appended, never followed). Folders whose name starts with a dot and
 * __MACOSX are not searched. */
bool batch_find(int subfd, const struct lab *lab, struct batch_where *w, char *note,
		size_t notesz);

struct batch_opts {
	const char *dir;                  /* the class: one submission per subfolder */
	const struct lab *const *labs;    /* NULL-ended: the labs graded */
	const char *out;                  /* the output folder, made if missing */
	const struct sb_info *sb;
	int jobs;
	const char *const *checks;        /* NULL-ended patterns, or NULL: all (run.h) */
	const char *const *excludes;
	bool resume;                      /* skip submissions whose report.json is in out */
	bool no_pcap;
	bool html;                        /* report.html per submission (html.h) */
	bool progress;                    /* a progress line on stderr */
	bool verbose;
	int shard_k, shard_n;             /* grade the k-th of n shards (1-based); 0: all */
	int64_t time_limit_ms;            /* check time per submission, 0: none */
	const char *version;              /* the kit's version, for the reports */
	const struct course *course;      /* points per check (course.h), or NULL */
};

/* Grade the class, writing <out>/<name>/report.json, report.txt and autolab.json per
 * submission, and report.html with html (pcaps of failed checks in <out>/<name>/pcaps/<lab>/
 * unless no_pcap).
 * Returns the number of submissions graded in this run, or -1 with why. */
int batch_run(const struct batch_opts *o, char *why, size_t whylen);

/* The command: `wirelab batch DIR [LAB|all] --out DIR ...` (argv[0] is "batch"); prints,
 * and returns the exit status. */
int batch_cmd(int argc, char **argv, const char *version);

/* The default check time per submission, in seconds: the reference solutions of all labs
 * use about 40 s, so only programs that hang come near it. */
#define BATCH_TIME_LIMIT_S 300

/* The status strings of a submission, as in gradebook.csv. */
#define BATCH_GRADED      "graded"
#define BATCH_NO_SOURCES  "no sources found"
#define BATCH_LINK        "not graded: a symbolic link"
#define BATCH_TIMED_OUT   "timed out"
#define BATCH_BUILD_FAIL  "build failed: "

#endif
