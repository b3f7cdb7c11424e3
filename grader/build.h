/* build.h - building a lab's programs from a submission's src/ with the kit's recipe:
 * program P from src/P.c plus every other .c file of src/ not named after a program (of any lab),
 * `cc -std=c17 -O2 -g -Wall -Wextra -pthread` (plus the lab's extra libraries).
 *
 * The submission's .c and .h files are copied into outdir/src first (regular files only,
 * symlinks are not followed) and the compiler runs there, so the build never reads or
 * writes outside that copy on the submission's behalf. */
#ifndef WIRELAB_BUILD_H
#define WIRELAB_BUILD_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "check.h"

struct build_opts {
	bool jail;              /* the compiler in a jail of its own (namespaces allowed here) */
	bool drop;              /* when root: the compiler runs as uid/gid */
	uid_t uid;
	gid_t gid;
};

/* The kit's own sources (the tests' reference builds): every program of lab from srcdir,
 * built in outdir/.build/out and linked as outdir/PROGRAM, with no jail. Returns 0 when all built,
 * -1 when one did not; *log gets the commands and the compiler's output (malloc'd). */
int build_lab(const struct lab *lab, const char *srcdir, const char *outdir, char **log);

/* A submission: the sources of labfd/src (a link there is refused, not followed), or of
 * labfd itself when flat (labfd stays the caller's), copied to
 * dir/out/src and each program built there with the kit's recipe, as o says; dir/root is
 * where the compiler's jail is built. A program that does not build sets bit i (its index
 * in lab->programs) of *unbuilt. Returns 0 when all built, -1 when any did not. */
int build_submission(const struct lab *lab, int labfd, bool flat, const char *dir,
		     const struct build_opts *o, char **log, unsigned *unbuilt);

#endif
