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
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(9) };
	int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
	for (int i = 0; i < 1200; i++)
		sendto(s, buf, sizeof buf, 0, (struct sockaddr *)&a, sizeof a);
}

int main(int argc, char **argv)
{
	if (argc != 2)
		return 2;
	int l = socket(AF_INET6, SOCK_STREAM | SOCK_CLOEXEC, 0), z = 0, one = 1;
	setsockopt(l, IPPROTO_IPV6, IPV6_V6ONLY, &z, sizeof z);
	setsockopt(l, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	struct sockaddr_in6 a6 = { .sin6_family = AF_INET6,
				   .sin6_port = htons((unsigned short)atoi(argv[1])) };
	if (bind(l, (struct sockaddr *)&a6, sizeof a6) < 0 || listen(l, 16) < 0)
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
