/* echo_server.c - lab 01: send every byte back, then close cleanly.
 *
 * Usage: echo_server PORT
 *
 * Your job: fill in every TODO below, in the order of "Step by step" in
 * ../README.md. Much of Step 1 is your lab 00 code: copy it over.
 * Until a step is written, the program stops there: it names the step and exits 1. */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define PROG "echo_server"
#define BUF_SIZE 65536

/* Set to 1 by your SIGINT/SIGTERM handler; the accept loop in main() stops then. */
static volatile sig_atomic_t stopping;

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
	/* TODO(lab01): Step 1. "usage: echo_server PORT" on stderr, exit(2), as in lab 00.
	 * See "Errors and exit codes" in README.md. */
	not_implemented("Step 1");
}

/* The port as a number 1..65535, or -1 if s is anything else. */
static int parse_port(const char *s)
{
	/* TODO(lab01): Step 1. Your parse_port from lab 00. */
	(void)s;
	not_implemented("Step 1");
}

/* A listening socket on [::]:port (dual stack, SO_REUSEADDR). Exits 1 on error. */
static int open_listener(int port)
{
	/* TODO(lab01): Step 1. Your open_listener from lab 00. */
	(void)port;
	not_implemented("Step 1");
}

/* SIGINT and SIGTERM set `stopping` (no SA_RESTART); SIGPIPE is ignored. */
static void install_signal_handlers(void)
{
	/* TODO(lab01): Step 1. Your install_signal_handlers from lab 00. Here SIGPIPE matters
	 * even more: a client that resets while we send would otherwise kill the server. */
	not_implemented("Step 1");
}

/* Echo everything until the client half-closes, then close with FIN. */
static void serve_client(int fd)
{
	/* TODO(lab01): Step 2. Loop: recv() up to BUF_SIZE bytes, then send them all back.
	 * send() may take fewer bytes than you give it: write a helper
	 *     static int send_all(int fd, const char *buf, size_t len)
	 * above this function that loops until every byte is gone (MSG_NOSIGNAL; retry on
	 * EINTR unless `stopping`). Bytes are bytes: no strlen(), no '\0' at the end.
	 * See "Short writes and the send loop" in README.md. */

	/* TODO(lab01): Step 3. recv() returning 0 is the client's FIN: everything has been
	 * echoed, so close(fd) now sends our FIN. recv() or send_all() failing (the client
	 * reset: ECONNRESET, EPIPE) means close(fd) and go on with the next client.
	 * See "Half-close" and "Closing cleanly: FIN, not RST". */
	(void)fd;
	not_implemented("Step 2");
}

int main(int argc, char *argv[])
{
	/* Given: this program has no options, so any "-x" is an unknown option. */
	opterr = 0;
	if (getopt(argc, argv, "") != -1)
		usage();
	if (argc - optind != 1)
		usage();
	int port = parse_port(argv[optind]);
	if (port < 0)
		usage();

	int lfd = open_listener(port);
	install_signal_handlers();

	/* Given: an iterative server, one client at a time. EINTR (a signal) and ECONNABORTED
	 * (a client that gave up while waiting in the queue) are no reason to stop. */
	while (!stopping) {
		int cfd = accept(lfd, NULL, NULL);
		if (cfd < 0) {
			if (errno == EINTR || errno == ECONNABORTED)
				continue;
			fprintf(stderr, PROG ": accept: %s\n", strerror(errno));
			return 1;
		}
		serve_client(cfd);
	}
	close(lfd);
	return 0;
}
