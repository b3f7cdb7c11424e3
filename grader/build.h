/* build.h - building a lab's programs from a submission's src/ with the kit's recipe:
 * program P from src/P.c plus every other .c file of src/ not named after another program,
 * `cc -std=c17 -O2 -g -Wall -Wextra -pthread` (plus the lab's extra libraries). */
#ifndef WIRELAB_BUILD_H
#define WIRELAB_BUILD_H

#include <stdbool.h>
#include <stddef.h>

#include "check.h"

/* Build every program of lab from srcdir into outdir. Returns 0 when all built, -1 when
 * one did not; *log gets the commands and the compiler's output (malloc'd, bounded). */
int build_lab(const struct lab *lab, const char *srcdir, const char *outdir, char **log);

#endif
