/* build.h - building a lab's programs from a submission's src/ with the kit's recipe:
 * program P from src/P.c plus every other .c file of src/ not named after another program,
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

/* Build every program of lab from srcdir into outdir. Returns 0 when all built, -1 when
 * one did not; *log gets the commands and the compiler's output (malloc'd, bounded). */
int build_lab(const struct lab *lab, const char *srcdir, const char *outdir, char **log);

/* The same, with the compiler run as uid/gid (when the caller is root): a submission
 * cannot #include what that user may not read. */
int build_lab_as(const struct lab *lab, const char *srcdir, const char *outdir, uid_t uid,
		 gid_t gid, char **log);

#endif
