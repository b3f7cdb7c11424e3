/* run.h - grading labs: build them, then run each selected check in a worker process of its
 * own (in parallel up to -j), with a hard cap per check, and collect the results. */
#ifndef WIRELAB_RUN_H
#define WIRELAB_RUN_H

#include <stdbool.h>
#include <stdint.h>

#include "check.h"
#include "sandbox.h"

struct lab_result;

struct run_opts {
	const struct sb_info *sb;
	int jobs;
	const char *const *checks;   /* NULL-ended patterns: a check matching none is left out;
				      * NULL: all */
	const char *const *excludes; /* NULL-ended patterns: a check matching one is left out */
	const char *const *only;     /* NULL-ended patterns a check must match as well (grade's
				      * --check over a course's checks); NULL: no narrowing */

	bool verbose;
	int repeat;                  /* run each check this many times; it passes only if every
				      * run passes (0 or 1: once) */
	/* Called once per check of a built lab as its result is final (progress); may be NULL. */
	void (*on_check)(void *arg, const struct lab_result *r, size_t idx);
	void *on_check_arg;
};

/* One lab of one submission to grade. */
struct run_unit {
	const struct lab *lab;
	int dir_fd;                  /* the lab's folder, opened by the caller without following a
				      * link below the folder it was given (run_open_beneath);
				      * -errno when it could not be (the build log says why) */
	bool flat;                   /* dir_fd holds the sources themselves, not src/ */
	const char *dir;             /* the folder, as reports show it */
	const char *pcap_dir;        /* where its captures go, made if missing; NULL: .wirelab
				      * in the lab's folder */
	bool no_pcap;                /* keep no capture at all */
	int64_t *budget_ns;          /* check time left to the submission, shared by its units and
				      * spent by each check's wall time; once it is spent, the
				      * checks not yet started are not run (an error). NULL: none */
};

struct lab_result {
	const struct lab *lab;
	char labdir[1024];
	char pcap_dir[1024];
	bool built;                  /* at least one program built */
	unsigned unbuilt;            /* bit i: lab->programs[i] did not build */
	char *build_log;
	size_t n;                    /* checks selected */
	const struct check **checks;
	struct check_result *results;
	int score, max_score;
	int64_t duration_ms;         /* the build, and from its first check's start to its last's end */
	/* private to the runner */
	char builddir[64];
	char bindir[80];             /* builddir/out: the programs */
	int pcap_fd;                 /* where captures are saved, or -1 (pcap_why says why) */
	char pcap_why[1024];
	int64_t build_ms, checks_start_ns, checks_end_ns;
	int64_t *budget_ns;
};

/* Grade n units: build each, then run every selected check of all of them in one pool of
 * -j workers. Returns 0, or -1 for an internal error with a reason in why. out[i] is filled
 * for each unit; free each with run_lab_free. The units' descriptors stay the caller's. */
int run_units(const struct run_opts *o, const struct run_unit *units, size_t n,
	      struct lab_result *out, char *why, size_t whylen);

/* Open the folder rel below dirfd ("." for dirfd itself) without following any link, for a
 * run_unit's dir_fd. Returns the fd or -errno. */
int run_open_beneath(int dirfd, const char *rel);
void run_lab_free(struct lab_result *r);

/* The default of -j: twice the online CPUs (at most 64), since most checks spend their
 * time waiting for a program or a timer rather than computing. */
int run_default_jobs(void);

/* Whether the check id is selected by o's checks and excludes. */
bool run_check_selected(const struct run_opts *o, const char *id);

const char *run_status_name(enum check_status s);

/* The memory of the grader's command line (main's argv, copied elsewhere first): each
 * check's pid 1, which its programs see in /proc, blanks it, so that /proc/1/cmdline tells
 * them neither the --check being graded nor where the submissions are. */
void run_set_cmdline(char *start, size_t len);

#endif
