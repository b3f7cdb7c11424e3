/* greet_server.c - lab 00: answer `HELLO <NAME>` with `HI <NAME>`.
 *
 * Usage: greet_server PORT
 *
 * Your job: fill in every TODO below, in the order of "Step by step" in
 * ../README.md. `make` builds build/greet_server; try it with nc; `make grade` grades it.
 * Until a step is written, the program stops there: it names the step and exits 1. */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define PROG "greet_server"
#define MAX_LINE 64         /* more than this many bytes without a newline is an error */
#define MAX_NAME 32

/* Set to 1 by your SIGINT/SIGTERM handler (Step 3); the accept loop in main() stops then. */
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
	/* TODO(lab00): Step 1. Print one line such as "usage: greet_server PORT" on stderr and
	 * exit(2). See "Errors and exit codes" in README.md. */
	not_implemented("Step 1");
}

/* The port as a number 1..65535, or -1 if s is anything else ("", "abc", "0", "70000"). */
static int parse_port(const char *s)
{
	/* TODO(lab00): Step 1. Accept digits only, and only 1 to 65535. atoi("abc") is 0 and
	 * atoi("7x") is 7: check every character yourself (or strtol and its end pointer). */
	(void)s;
	not_implemented("Step 1");
}

/* A listening socket on [::]:port that accepts IPv6 and IPv4 clients. Exits 1 on error. */
static int open_listener(int port)
{
	/* TODO(lab00): Step 2. socket(AF_INET6, SOCK_STREAM, 0); SO_REUSEADDR on; IPV6_V6ONLY
	 * off; bind to in6addr_any and htons(port); listen(). Check every call; on failure print
	 * "greet_server: bind to port 7000: Address already in use" style and exit(1).
	 * See "Dual-stack sockets" and "TIME_WAIT and SO_REUSEADDR". */
	(void)port;
	not_implemented("Step 2");
}

/* SIGINT and SIGTERM set `stopping`; SIGPIPE must not kill the server. */
static void install_signal_handlers(void)
{
	/* TODO(lab00): Step 3. Write a handler that sets `stopping = 1` and install it for
	 * SIGINT and SIGTERM with sigaction() *without* SA_RESTART, so that a blocked accept()
	 * returns -1 with errno EINTR. Set SIGPIPE to SIG_IGN: writing to a client that has
	 * gone away must fail with EPIPE, not end the server. See "Errors and exit codes". */
	not_implemented("Step 3");
}

/* Read until buf holds a newline or is full (MAX_LINE + 1 bytes). Returns the number of
 * bytes in buf, or -1 if the client closed or reset first (or we are stopping). */
static ssize_t read_line(int fd, char *buf, size_t size)
{
	/* TODO(lab00): Step 4. Call read() in a loop, appending to buf, until a '\n' has arrived
	 * or buf is full. One read() is not one line: "HEL" and "LO Ada\n" may come apart.
	 * read() returning 0 (the client closed) or -1 (reset) means: no line, drop the client.
	 * See "Reading a line". */
	(void)fd, (void)buf, (void)size;
	not_implemented("Step 4");
}

/* Write the answer to the len bytes in buf ("HI <NAME>\n" or "ERR\n") into reply;
 * return its length. */
static size_t make_reply(const char *buf, size_t len, char *reply, size_t size)
{
	/* TODO(lab00): Step 5. No newline in buf: ERR. Otherwise take the line up to the '\n',
	 * drop one '\r' just before it, and check that it is "HELLO " followed by a NAME of 1
	 * to 32 characters from A-Z a-z 0-9 _ -. See "The contract". */
	(void)buf, (void)len, (void)reply, (void)size;
	not_implemented("Step 5");
}

/* Send all len bytes. Returns 0, or -1 if the client has gone away. */
static int send_all(int fd, const char *buf, size_t len)
{
	/* TODO(lab00): Step 5. send() may send fewer bytes than asked: loop until all are gone.
	 * Pass MSG_NOSIGNAL; retry on EINTR unless `stopping`. */
	(void)fd, (void)buf, (void)len;
	not_implemented("Step 5");
}

/* Close the connection with FIN, never RST. */
static void close_gracefully(int fd)
{
	/* TODO(lab00): Step 6. shutdown(fd, SHUT_WR) sends our FIN now; then read (and throw
	 * away) until the client closes too, waiting at most a second or two with poll();
	 * then close(fd). See "Closing cleanly: FIN, not RST". */
	(void)fd;
	not_implemented("Step 6");
}

/* One client: one line in, one reply out, then close. (Given.) */
static void serve_client(int fd)
{
	char buf[MAX_LINE + 1];
	char reply[MAX_NAME + 8];

	ssize_t len = read_line(fd, buf, sizeof buf);
	if (len < 0) {
		close(fd);      /* no full line: drop the client silently */
		return;
	}
	size_t reply_len = make_reply(buf, (size_t)len, reply, sizeof reply);
	if (send_all(fd, reply, reply_len) < 0) {
		close(fd);
		return;
	}
	close_gracefully(fd);
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
