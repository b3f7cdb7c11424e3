/* echo_server.c - hostile: reach a service of the host through a Unix socket in its file
 * system (a database, a desktop session bus, the container runtime's socket...). A network
 * namespace does not cut these off: only the file system view does. */
#include "wlh.h"

#include <sys/socket.h>
#include <sys/un.h>

int main(void)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	int s = socket(AF_UNIX, SOCK_STREAM, 0);

	snprintf(a.sun_path, sizeof a.sun_path, "%s", WLH_SOCK);
	if (s >= 0 && connect(s, (struct sockaddr *)&a, sizeof a) == 0)
		wlh_evidence("unix-socket", "connected to %s", WLH_SOCK);
	return 1;
}
