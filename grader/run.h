/* run.h - grading labs: build them, then run each selected check in a worker process of its
 * own (in parallel up to -j), with a hard cap per check, and collect the results. */
#ifndef WIRELAB_RUN_H
#define WIRELAB_RUN_H

#include <stdbool.h>
#include <stdint.h>

#include "check.h"
#include "sandbox.h"

struct run_opts {
	const struct sb_info *sb;
	int jobs;
	const char *check_pattern;   /* fnmatch pattern on check ids, NULL: all */
	const char *pcap_dir;        /* NULL: <labdir>/.wirelab */
	const char *hide_dir;        /* hidden from the programs (the solutions), or NULL */
	bool verbose;
	int repeat;                  /* run each check this many times; it passes only if every
				      * run passes (0 or 1: once) */
};

struct lab_result {
	const struct lab *lab;
	char labdir[1024];
	char pcap_dir[1024];
	bool built;
	char *build_log;
	size_t n;                    /* checks selected */
	const struct check **checks;
	struct check_result *results;
	int score, max_score;
	int64_t duration_ms;         /* the build, and from its first check's start to its last's end */
	/* private to the runner */
	char bindir[64];
	int64_t build_ms, checks_start_ns, checks_end_ns;
};

/* Grade n lab folders (each holding src/): build each, then run every selected check of
 * all of them in one pool of -j workers. Returns 0, or -1 for an internal error with a
 * reason in why. out[i] is filled for each lab; free each with run_lab_free. */
int run_labs(const struct run_opts *o, const struct lab *const *labs, const char *const *dirs,
	     size_t n, struct lab_result *out, char *why, size_t whylen);
void run_lab_free(struct lab_result *r);

const char *run_status_name(enum check_status s);

#endif
