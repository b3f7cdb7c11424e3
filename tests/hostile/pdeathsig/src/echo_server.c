/* echo_server.c - hostile: outlive the check without a new session.
 *
 * The child clears the parent-death signal the grader set, and moves out of the program's
 * own process group (which the grader kills at the end) into the grader's. It stays 30 s. */
#include "wlh.h"

int main(void)
{
	/* Our parent is the grader (its worker for this check); its group is the grader's. */
	pid_t group = getpgid(getppid());
	pid_t pid = fork();

	if (pid != 0) {
		wlh_sleep_ms(200);
		return 1;
	}
	wlh_mark();
	prctl(PR_SET_PDEATHSIG, 0, 0, 0, 0);
	if (group > 0 && setpgid(0, group) == 0)
		wlh_evidence("pdeathsig", "moved into the grader's process group %d", (int)group);
	for (double end = wlh_now() + 30; wlh_now() < end;)
		wlh_sleep_ms(100);
	return 0;
}
