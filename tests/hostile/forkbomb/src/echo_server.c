/* echo_server.c - hostile: a fork bomb whose processes leave the check's process group.
 *
 * Bounded so that it cannot hurt a shared test machine: at most 3000 processes when the uid
 * is the test's own, 200 when it is one other people's programs use too (nobody), each
 * gone after 30 s. It tries to exhaust the pids the next submission needs. */
#include "wlh.h"

#include <sys/mman.h>

int main(void)
{
	int max = WLH_OWNUID ? 3000 : 200;
	volatile int *count = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS,
				   -1, 0);
	double end = wlh_now() + 30;

	if (count == MAP_FAILED)
		return 1;
	setsid();
	wlh_mark();
	prctl(PR_SET_PDEATHSIG, 0, 0, 0, 0);
	while (__atomic_add_fetch(count, 1, __ATOMIC_SEQ_CST) <= max) {
		pid_t pid = fork();
		if (pid < 0)
			break;
		if (pid == 0) {
			setpgid(0, 0);
			continue;   /* the child forks on */
		}
		if (*count % 100 == 0)
			wlh_evidence("forkbomb", "%d processes", *count);
		break;
	}
	while (wlh_now() < end)
		wlh_sleep_ms(200);
	return 1;
}
