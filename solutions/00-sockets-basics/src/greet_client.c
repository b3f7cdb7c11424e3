/* greet_client.c - lab 00 reference solution: send `HELLO <NAME>`, print the reply.
 *
 * Usage: greet_client HOST PORT NAME
 *
 * Resolves HOST with getaddrinfo (a name, an IPv4 or an IPv6 address), connects to the
 * first address that accepts, sends `HELLO <NAME>\n` and copies every byte the server sends
 * to stdout until the server closes. Five seconds without a byte from the server: give up. */
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

static _Noreturn void usage(void)
{
	fprintf(stderr, "usage: " PROG " HOST PORT NAME   "
		"(PORT is 1..65535; NAME is 1 to 32 of A-Z a-z 0-9 _ -)\n");
	exit(2);
}

/* The port as a number 1..65535, or -1 if s is anything else ("", "abc", "0", "70000"). */
static int parse_port(const char *s)
{
	long port = 0;

	if (*s == '\0')
		return -1;
	for (; *s != '\0'; s++) {
		if (*s < '0' || *s > '9')
			return -1;
		port = port * 10 + (*s - '0');
		if (port > 65535)   /* stop before a long string of digits overflows */
			return -1;
	}
	return port >= 1 ? (int)port : -1;
}

static bool is_valid_name(const char *name)
{
	size_t len = strlen(name);

	if (len < 1 || len > MAX_NAME)
		return false;
	for (size_t i = 0; i < len; i++) {
		char c = name[i];
		bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
			  (c >= '0' && c <= '9') || c == '_' || c == '-';
		if (!ok)
			return false;
	}
	return true;
}

/* Connect to host:port, trying every address getaddrinfo returns in turn (a name such as
 * localhost often has both ::1 and 127.0.0.1, and the server may listen on only one).
 * Returns the connected socket; on failure prints one error line and exits 1. */
static int connect_to(const char *host, const char *port)
{
	struct addrinfo hints, *list;

	memset(&hints, 0, sizeof hints);
	hints.ai_family = AF_UNSPEC;        /* IPv4 or IPv6, whatever the name has */
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_NUMERICSERV;    /* the port is a number, not a service name */
	int rc = getaddrinfo(host, port, &hints, &list);
	if (rc != 0) {
		/* getaddrinfo does not set errno: its errors have their own strings. */
		fprintf(stderr, PROG ": resolve %s: %s\n", host, gai_strerror(rc));
		exit(1);
	}

	int fd = -1, err = 0;
	for (struct addrinfo *ai = list; ai != NULL; ai = ai->ai_next) {
		fd = socket(ai->ai_family, ai->ai_socktype, ai->ai_protocol);
		if (fd < 0) {
			err = errno;
			continue;
		}
		if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0)
			break;      /* connected */
		err = errno;
		close(fd);
		fd = -1;
	}
	freeaddrinfo(list);

	if (fd < 0) {
		fprintf(stderr, PROG ": connect to %s port %s: %s\n", host, port, strerror(err));
		exit(1);
	}
	return fd;
}

/* Write all len bytes to fd, however many calls it takes. */
static int write_all(int fd, const char *buf, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, buf, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Copy what the server sends to stdout until it closes. Returns the number of bytes
 * received; on a timeout or an error prints one error line and exits 1. */
static long long copy_reply(int fd, const char *host, const char *port)
{
	char buf[4096];
	long long total = 0;

	for (;;) {
		/* poll waits for data, but at most TIMEOUT_MS: read() alone would wait forever. */
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		int ready = poll(&pfd, 1, TIMEOUT_MS);
		if (ready < 0 && errno == EINTR)
			continue;
		if (ready < 0) {
			fprintf(stderr, PROG ": poll: %s\n", strerror(errno));
			exit(1);
		}
		if (ready == 0) {
			fprintf(stderr, PROG ": read from %s port %s: no reply within %d seconds\n",
				host, port, TIMEOUT_MS / 1000);
			exit(1);
		}

		ssize_t n = read(fd, buf, sizeof buf);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			fprintf(stderr, PROG ": read from %s port %s: %s\n", host, port, strerror(errno));
			exit(1);
		}
		if (n == 0)
			return total;   /* the server closed: we have everything */
		if (write_all(STDOUT_FILENO, buf, (size_t)n) < 0) {
			fprintf(stderr, PROG ": write to stdout: %s\n", strerror(errno));
			exit(1);
		}
		total += n;
	}
}

int main(int argc, char *argv[])
{
	opterr = 0;     /* we print our own usage line */
	if (getopt(argc, argv, "") != -1)
		usage();    /* no options: a `-x` before HOST is unknown */
	if (argc - optind != 3)
		usage();
	const char *host = argv[optind], *port = argv[optind + 1], *name = argv[optind + 2];
	/* Check everything before touching the network: a usage error sends nothing. */
	if (parse_port(port) < 0 || !is_valid_name(name))
		usage();

	int fd = connect_to(host, port);

	/* The whole request in one write; MSG_NOSIGNAL turns a dead server into EPIPE
	 * instead of a SIGPIPE that would kill us without a word. */
	char request[MAX_NAME + 8];
	int len = snprintf(request, sizeof request, "HELLO %s\n", name);
	ssize_t sent = send(fd, request, (size_t)len, MSG_NOSIGNAL);
	if (sent != len) {
		fprintf(stderr, PROG ": send to %s port %s: %s\n", host, port,
			sent < 0 ? strerror(errno) : "short write");
		exit(1);
	}

	if (copy_reply(fd, host, port) == 0) {
		fprintf(stderr, PROG ": %s port %s: server closed the connection without a reply\n",
			host, port);
		exit(1);
	}
	/* We read until the server's FIN, so nothing is left unread: close() sends our FIN. */
	if (close(fd) < 0) {
		fprintf(stderr, PROG ": close: %s\n", strerror(errno));
		exit(1);
	}
	return 0;
}
