/* echo_server.c - hostile: while graded, plant the capture's file name as a link to a canary
 * (in case the folder link was refused), then answer with a reset so the check fails and its
 * capture is saved: the grader, as root, writes packets of our choosing over the canary. */
#include "wlh.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

int main(int argc, char **argv)
{
	char path[700];

	if (argc < 2)
		return 2;
	snprintf(path, sizeof path, "%s/.wirelab", WLH_SUB);
	struct stat st;
	if (lstat(path, &st) < 0 || !S_ISLNK(st.st_mode)) {
		mkdir(path, 0777);
		snprintf(path, sizeof path, "%s/.wirelab/echo.server-echo.pcap", WLH_SUB);
		unlink(path);
		if (symlink(WLH_CANARY, path) == 0)
			wlh_evidence("pcap-symlink", "planted %s", path);
	}
	/* A server that resets every client: the check fails and its capture is kept. */
	int s = wlh_listen(argv[1]);
	if (s < 0)
		return 1;
	for (;;) {
		int c = accept(s, NULL, NULL);
		struct linger l = { 1, 0 };
		char buf[100];
		if (c < 0)
			continue;
		/* The payload carries the secret we hope to plant: our own bytes in the capture. */
		if (read(c, buf, sizeof buf) < 0)
			buf[0] = 0;
		setsockopt(c, SOL_SOCKET, SO_LINGER, &l, sizeof l);
		close(c);
	}
}
