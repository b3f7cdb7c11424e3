/* echo_server.c - hostile: fill /tmp and /dev/shm and leave the files behind.
 *
 * Files of 60 MiB (under the per-file size limit) up to 1 GiB in each, named with the
 * marker so the runner finds them. Bounded to 2 GiB in all. */
#include "wlh.h"

static void fill(const char *dir)
{
	static char buf[1 << 20];
	char path[512];

	memset(buf, 'x', sizeof buf);
	for (int f = 0; f < 17; f++) {
		snprintf(path, sizeof path, "%s/%s-fill-%d", dir, WLH_MARK, f);
		int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		if (fd < 0)
			return;
		for (int mib = 0; mib < 60; mib++)
			if (write(fd, buf, sizeof buf) != (ssize_t)sizeof buf) {
				close(fd);
				return;
			}
		close(fd);
	}
	wlh_evidence("tmpfill", "wrote 1 GiB into %s", dir);
}

int main(void)
{
	fill("/tmp");
	fill("/dev/shm");
	return 1;
}
