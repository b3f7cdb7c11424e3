/* ws_server.c - lab 06: a WebSocket echo server (RFC 6455), one thread per connection.
 *
 * Usage: ws_server PORT
 *
 * Your job: write it, in the order of "Step by step" in ../README.md. The page for GET / is
 * given in ws_page.h; the pure helpers go in ws_proto.c. Until a step is written, the
 * program stops there: it names the step and exits 1. */
#define _DEFAULT_SOURCE

#include "ws_page.h"
#include "ws_proto.h"

#include <stdio.h>
#include <stdlib.h>

#define PROG "ws_server"

/* Scaffolding: stops the program at the first step not written yet. */
static _Noreturn void not_implemented(const char *step)
{
	fprintf(stderr, PROG ": not implemented yet (see README.md, %s)\n", step);
	exit(1);
}

int main(int argc, char **argv)
{
	(void)argc, (void)argv;
	(void)WS_PAGE;
	/* TODO(lab06): Step 1. Usage and port (exit 2), signals, SIGPIPE ignored, a listener
	 * on :: with IPV6_V6ONLY off and SO_REUSEADDR, a detached thread per connection. */
	not_implemented("Step 1");
	/* TODO(lab06): Step 4. Read the request head (up to the empty line, at most 16 KiB),
	 * answer plain requests (the page for GET and HEAD of /, else 404), judge the
	 * handshake (400, 426) and answer 101 with Sec-WebSocket-Accept. */
	/* TODO(lab06): Step 5. The frame loop: headers, unmasking, reassembly, UTF-8, the
	 * echo, ping and pong, 1002, 1007 and 1009. */
	/* TODO(lab06): Step 6. The close handshake: echo the code, then shutdown, read until
	 * the client's FIN, close. */
}
