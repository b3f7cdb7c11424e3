/* echo_client.c - hostile: turn our stdout and stderr files into FIFOs before exiting, so
 * that whoever opens them to read "our output" waits for a writer that never comes. */
#include "wlh.h"

int main(void)
{
	for (int fd = 1; fd <= 2; fd++) {
		char link[64], path[1024];
		snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
		ssize_t n = readlink(link, path, sizeof path - 1);
		if (n <= 0 || path[0] != '/')
			continue;
		path[n] = '\0';
		if (unlink(path) == 0 && mkfifo(path, 0666) == 0)
			wlh_evidence("fifo", "%s is now a FIFO", path);
	}
	return 0;
}
