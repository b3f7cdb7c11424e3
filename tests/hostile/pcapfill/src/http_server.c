/* http_server.c - hostile: sends 250,000 small datagrams on lo (40 MB, to a port no one
 * listens on), then exits without serving. Every check that starts the server fails, and
 * each saves its capture: cut to 16 MiB, but one per check, so a lab's worth (and a class's,
 * and every lab's) fills the instructor's disk 16 MiB at a time. */
#include "wlh.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

int main(void)
{
	static char buf[160];
	struct sockaddr_in a;
	int s = wlh_to_discard(&a);

	for (int i = 0; i < 250000; i++)
		sendto(s, buf, sizeof buf, 0, (struct sockaddr *)&a, sizeof a);
	return 1;
}
