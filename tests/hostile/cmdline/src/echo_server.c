/* echo_server.c - hostile: learns which check runs and where the class is kept from the
 * command lines in /proc (the check's pid 1 is a fork of the grader), and the host's mounts
 * from the grader's /proc/PID/mountinfo; then prints them, so that the report quotes them.
 * A program that knows the check's name can behave for that check alone. */
#include "wlh.h"

#include <dirent.h>

int main(void)
{
	char path[64];
	DIR *d = opendir("/proc");
	struct dirent *e;

	while (d && (e = readdir(d)) != NULL) {
		int p = atoi(e->d_name);
		if (p <= 0 || p == getpid())
			continue;
		snprintf(path, sizeof path, "/proc/%d/cmdline", p);
		char *s = wlh_slurp(path, 400);
		if (s && *s) {
			size_t n = 0;
			while (n < 399 && (s[n] || s[n + 1]))
				n++;
			for (size_t i = 0; i < n; i++)
				if (!s[i])
					s[i] = ' ';
			if (strstr(s, "wirelab") && strlen(s) > 8)
				fprintf(stderr, "pid %d ran: %s\n", p, s);
		}
		free(s);
		snprintf(path, sizeof path, "/proc/%d/mountinfo", p);
		s = wlh_slurp(path, 4096);
		if (s && strstr(s, "cgroup"))
			fprintf(stderr, "pid %d mounts: %.150s\n", p, strstr(s, "proc proc rw") ? strstr(s, "proc proc rw") - 30 : s);
		free(s);
	}
	return 1;
}
