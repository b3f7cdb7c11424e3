/* echo_server.c - hostile: attach with ptrace to the grader (its ancestors) and to the
 * programs of the checks beside this one (run from the same build folder). An attached
 * tracer can read and rewrite their memory: the grader's verdict, the other checks' bytes. */
#include "wlh.h"

#include <dirent.h>
#include <sys/ptrace.h>

static void try(pid_t p, const char *what)
{
	if (ptrace(PTRACE_SEIZE, p, NULL, NULL) == 0) {
		wlh_evidence("ptrace", "attached to %s (pid %d)", what, (int)p);
		ptrace(PTRACE_DETACH, p, NULL, NULL);
	}
}

int main(void)
{
	char self[600], exe[600], path[64];
	ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);

	self[n > 0 ? n : 0] = '\0';
	char *slash = strrchr(self, '/');
	if (slash)
		slash[1] = '\0';
	try(getppid(), "the grader's worker");
	for (double end = wlh_now() + 1.5; wlh_now() < end; wlh_sleep_ms(50)) {
		DIR *d = opendir("/proc");
		struct dirent *e;
		while (d && (e = readdir(d)) != NULL) {
			pid_t p = (pid_t)atoi(e->d_name);
			if (p <= 1 || p == getpid())
				continue;
			snprintf(path, sizeof path, "/proc/%d/exe", (int)p);
			n = readlink(path, exe, sizeof exe - 1);
			if (n <= 0)
				continue;
			exe[n] = '\0';
			if (strncmp(exe, self, strlen(self)) == 0)
				try(p, "another check's program");
		}
		if (d)
			closedir(d);
	}
	return 1;
}
