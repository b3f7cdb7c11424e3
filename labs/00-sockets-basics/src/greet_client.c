/* greet_client.c - lab 00: send `HELLO <NAME>`, print the reply.
 *
 * Usage: greet_client HOST PORT NAME
 *
 * Your job: fill in every TODO below, in the order of "Step by step" in
 * ../README.md. `make` builds build/greet_client; `make grade` grades it.
 * Until a step is written, the program stops there: it names the step and exits 1. */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <netdb.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define PROG "greet_client"
#define MAX_NAME 32
#define TIMEOUT_MS 5000     /* silence after which we stop waiting for the server */

/* Scaffolding: stops the program at the first step not written yet. Once every
 * TODO is done, nothing calls it any more: delete it. */
static _Noreturn void not_implemented(const char *step)
{
	fprintf(stderr, PROG ": not implemented yet (see README.md, %s)\n", step);
	exit(1);
}

/* Print the usage line on stderr and exit with status 2. */
static _Noreturn void usage(void)
{
	/* TODO(lab00): Step 1. Print one line such as "usage: greet_client HOST PORT NAME" on
	 * stderr and exit(2). See "Errors and exit codes" in README.md. */
	not_implemented("Step 1");
}

/* The port as a number 1..65535, or -1 if s is anything else ("", "abc", "0", "70000"). */
static int parse_port(const char *s)
{
	/* TODO(lab00): Step 1. The same rules as in greet_server.c. */
	(void)s;
	not_implemented("Step 1");
}

/* Is name 1 to 32 characters of A-Z a-z 0-9 _ - ? */
static bool is_valid_name(const char *name)
{
	/* TODO(lab00): Step 1. A bad NAME is a usage error: main() exits 2 before it connects. */
	(void)name;
	not_implemented("Step 1");
}

/* Connect to host:port; returns the socket. Exits 1 with one error line on failure. */
static int connect_to(const char *host, const char *port)
{
	/* TODO(lab00): Step 7. getaddrinfo(host, port, ...) with AF_UNSPEC and SOCK_STREAM;
	 * try each address in the list in turn (socket + connect) until one connects;
	 * freeaddrinfo(). Errors: "greet_client: resolve HOST: <gai_strerror>" or
	 * "greet_client: connect to HOST port PORT: <strerror>", exit(1).
	 * See "Dual-stack sockets" and "Errors and exit codes". */
	(void)host, (void)port;
	not_implemented("Step 7");
}

/* Copy everything the server sends to stdout until it closes; return how many bytes
 * came. Five seconds without a byte: one error line, exit(1). */
static long long copy_reply(int fd, const char *host, const char *port)
{
	/* TODO(lab00): Step 8. Loop: poll() the socket for POLLIN with TIMEOUT_MS (0 means
	 * the time is up); read(); 0 means the server closed; write what came to stdout as it
	 * is (the bytes, not a string: no printf("%s")). See "Timeouts". */
	(void)fd, (void)host, (void)port;
	not_implemented("Step 8");
}

int main(int argc, char *argv[])
{
	/* Given: this program has no options, so a "-x" before HOST is an unknown option. */
	opterr = 0;
	if (getopt(argc, argv, "") != -1)
		usage();
	if (argc - optind != 3)
		usage();
	const char *host = argv[optind], *port = argv[optind + 1], *name = argv[optind + 2];
	/* Check everything before touching the network: a usage error sends nothing. */
	if (parse_port(port) < 0 || !is_valid_name(name))
		usage();

	int fd = connect_to(host, port);

	/* TODO(lab00): Step 8. Send "HELLO <NAME>\n" with one send(fd, ..., MSG_NOSIGNAL);
	 * build it with snprintf into a buffer of MAX_NAME + 8 bytes. */

	if (copy_reply(fd, host, port) == 0) {
		fprintf(stderr, PROG ": %s port %s: server closed the connection without a reply\n",
			host, port);
		return 1;
	}
	close(fd);  /* we have read up to the server's FIN: this sends our FIN, no RST */
	return 0;
}
