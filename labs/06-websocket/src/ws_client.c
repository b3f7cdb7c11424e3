/* ws_client.c - lab 06: a WebSocket client (RFC 6455): stdin lines out as text messages,
 * messages in as lines on stdout.
 *
 * Usage: ws_client ws://host[:port][/path[?query]]
 *
 * Your job: write it, in the order of "Step by step" in ../README.md. Until a step is
 * written, the program stops there: it names the step and exits 1. */
#define _DEFAULT_SOURCE

#include "ws_proto.h"

#include <stdio.h>
#include <stdlib.h>

#define PROG "ws_client"

/* Scaffolding: stops the program at the first step not written yet. */
static _Noreturn void not_implemented(const char *step)
{
	fprintf(stderr, PROG ": not implemented yet (see README.md, %s)\n", step);
	exit(1);
}

int main(int argc, char **argv)
{
	(void)argc, (void)argv;
	/* TODO(lab06): Step 7. Parse the URL (usage error: exit 2), connect with getaddrinfo
	 * and a 5 s timeout per address, send the handshake with a random key and check the
	 * 101 and its Sec-WebSocket-Accept. */
	not_implemented("Step 7");
	/* TODO(lab06): Step 8. poll() stdin and the socket: each line out as one masked text
	 * frame (a fresh key each time), each message in printed on its own line, pings
	 * answered, fragments reassembled. */
	/* TODO(lab06): Step 9. End of stdin: close with 1000, wait (5 s at most) for the
	 * server's close and its FIN; exit 0 only for a 1000. */
}
