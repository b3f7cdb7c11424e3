/* echo_client.c - lab 01: stdin to the server, the server to stdout, at the same time.
 *
 * Usage: echo_client HOST PORT
 *
 * Your job: fill in every TODO below, in the order of "Step by step" in
 * ../README.md. Until a step is written, the program stops there: it names the step and
 * exits 1. Test with a big file: head -c 16M /dev/urandom > big; build/echo_client
 * 127.0.0.1 7000 < big > out; cmp big out. */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define PROG "echo_client"
#define BUF_SIZE 65536

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
	/* TODO(lab01): Step 1. "usage: echo_client HOST PORT" on stderr, exit(2). */
	not_implemented("Step 1");
}

/* The port as a number 1..65535, or -1 if s is anything else. */
static int parse_port(const char *s)
{
	/* TODO(lab01): Step 1. Your parse_port from lab 00. */
	(void)s;
	not_implemented("Step 1");
}

/* Connect to host:port, trying each address in turn. Exits 1 with one error line. */
static int connect_to(const char *host, const char *port)
{
	/* TODO(lab01): Step 1. Your connect_to from lab 00's greet_client, with PROG in the
	 * error lines. */
	(void)host, (void)port;
	not_implemented("Step 1");
}

/* Make fd non-blocking. Exits 1 on error. */
static void set_nonblocking(int fd)
{
	/* TODO(lab01): Step 4. fcntl(F_GETFL), then fcntl(F_SETFL, flags | O_NONBLOCK).
	 * Only the socket, never stdin. See "Doing two things at once: poll". */
	(void)fd;
	not_implemented("Step 4");
}

/* Copy stdin to the socket and the socket to stdout until the server closes. */
static void run(int fd)
{
	/* TODO(lab01): Step 5. One poll() loop over two descriptors:
	 *   - the socket, always for POLLIN, and for POLLOUT while you hold stdin bytes that
	 *     are not sent yet (a non-blocking send() may take only some of them: keep the
	 *     rest and an offset);
	 *   - stdin for POLLIN, but only while your buffer is empty (a negative fd in a
	 *     struct pollfd makes poll() skip it).
	 * Socket readable: recv() and write everything to stdout; recv() 0 means the server
	 * closed, and you are done. See "Doing two things at once: poll". */

	/* TODO(lab01): Step 6. At end of stdin (read() returns 0) and once every byte is
	 * sent: shutdown(fd, SHUT_WR), once, and keep reading until the server closes.
	 * See "Half-close". */
	(void)fd;
	not_implemented("Step 5");
}

int main(int argc, char *argv[])
{
	/* Given: this program has no options, so a "-x" before HOST is an unknown option. */
	opterr = 0;
	if (getopt(argc, argv, "") != -1)
		usage();
	if (argc - optind != 2)
		usage();
	const char *host = argv[optind], *port = argv[optind + 1];
	if (parse_port(port) < 0)
		usage();

	int fd = connect_to(host, port);
	set_nonblocking(fd);
	run(fd);
	close(fd);  /* we have read up to the server's FIN: this sends no RST */
	return 0;
}
