/* echo_server.c - hostile: flood the loopback for 4 seconds with full-size datagrams from
 * two processes, so the capture (and the pcap saved for the failed check) grows without
 * bound. The flood goes nowhere else: lo, a port no one listens on. */
#include "wlh.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

int main(void)
{
	static char buf[65000];
	struct sockaddr_in a;
	double end = wlh_now() + 4;
	unsigned long sent = 0;

	fork();
	int s = wlh_to_discard(&a);
	while (wlh_now() < end)
		for (int i = 0; i < 64; i++)
			if (sendto(s, buf, sizeof buf, 0, (struct sockaddr *)&a, sizeof a) > 0)
				sent += sizeof buf;
	fprintf(stderr, "flooded %lu MiB\n", sent >> 20);
	return 1;
}
