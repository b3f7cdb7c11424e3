/* echo_server.c - hostile: accepts the check's connection, then sends 150 MiB of datagrams
 * to a port no one listens on, from two processes, as fast as lo takes them, and resets the
 * connection. The capture's ring overflows and drops packets, yet the flood stays well
 * below the 256 MiB a check keeps, so it did not count as the programs' flood: the failure
 * was reported as an error, "a grader fault, not yours: run the check again". */
#include "wlh.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

static void burst(void)
{
	static char buf[65000];
	struct sockaddr_in a;
	int s = wlh_to_discard(&a);

	for (int i = 0; i < 1200; i++)
		sendto(s, buf, sizeof buf, 0, (struct sockaddr *)&a, sizeof a);
}

int main(int argc, char **argv)
{
	if (argc != 2)
		return 2;
	int l = wlh_listen(argv[1]);
	if (l < 0)
		return 1;
	int c = accept(l, NULL, NULL);
	if (fork() == 0) {
		burst();
		_exit(0);
	}
	burst();
	close(c);
	wlh_sleep_ms(3000);
	return 0;
}
