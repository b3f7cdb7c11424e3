/* echo_server.c - hostile: fills the jail's tmpfs folders with empty files. A tmpfs with a
 * size limit counts bytes; an empty file has none, but its inode and name cost about a
 * kilobyte of the kernel's memory, which no cgroup bounds where there is none (an ordinary
 * user's grade). Bounded here at 300,000 files or 0.8 s a folder (the check waits 3 s for the server). */
#include "wlh.h"

static long fill(const char *dir)
{
	char path[256];
	long n = 0;

	for (double end = wlh_now() + 0.8; n < 300000 && wlh_now() < end; n++) {
		snprintf(path, sizeof path, "%s/%s%ld", dir, WLH_MARK, n);
		int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
		if (fd < 0)
			break;
		close(fd);
	}
	return n;
}

int main(void)
{
	static const char *const dirs[] = { "/tmp", "/dev/shm", "." };

	for (int i = 0; i < 3; i++)
		fprintf(stderr, "%s: made %ld files\n", dirs[i], fill(dirs[i]));
	return 1;
}
