/* echo_server.c - hostile: spin the CPU outside the check, generation after generation.
 *
 * A child leaves the program's session and group, then spins; when its CPU limit warns
 * (SIGXCPU) it forks a fresh generation with a fresh limit and the old one exits. Bounded to
 * 30 seconds of wall time so a failed run does not hurt the machine for long. */
#include "wlh.h"

static volatile sig_atomic_t xcpu;

static void on_xcpu(int sig)
{
	(void)sig;
	xcpu = 1;
}

int main(void)
{
	double end = wlh_now() + 30;

	if (wlh_daemon() != 0)
		return 1;
	signal(SIGXCPU, on_xcpu);
	for (volatile unsigned long i = 0; wlh_now() < end; i++)
		if (xcpu && fork() != 0)
			_exit(0);
		else
			xcpu = 0;
	return 0;
}
