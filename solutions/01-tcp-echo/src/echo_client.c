/* echo_client.c - lab 01 reference solution: stdin to the server, the server to stdout.
 *
 * Usage: echo_client HOST PORT
 *
 * Both directions run at the same time in one poll() loop. Doing them one after the
 * other deadlocks on a large input: we block writing to the server while the server
 * blocks writing its echo back to us, because nobody reads. So the socket is non-blocking
 * and we only write to it what it takes. At end of stdin we half-close (our FIN says "no
 * more data"), keep reading until the server closes, and exit 0. */
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

static _Noreturn void usage(void)
{
	fprintf(stderr, "usage: " PROG " HOST PORT   (PORT is 1..65535)\n");
	exit(2);
}

/* Report a failed call as `echo_client: what: cause` and exit 1. */
static _Noreturn void die(const char *what)
{
	fprintf(stderr, PROG ": %s: %s\n", what, strerror(errno));
	exit(1);
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

/* Connect to host:port, trying every address getaddrinfo returns in turn: `localhost`
 * is often ::1 and 127.0.0.1, and the server may listen on only one of them.
 * Returns the connected socket; on failure prints one error line and exits 1. */
static int connect_to(const char *host, const char *port)
{
	struct addrinfo hints, *list;

	memset(&hints, 0, sizeof hints);
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_NUMERICSERV;
	int rc = getaddrinfo(host, port, &hints, &list);
	if (rc != 0) {
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
			break;
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

/* Write all len bytes to fd (stdout here), however many calls it takes. */
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

/* Bytes read from stdin that the socket has not taken yet: buf[off .. len). */
struct pending {
	char buf[BUF_SIZE];
	size_t off, len;
};

/* stdin is readable: refill the pending buffer. Returns false at end of input. */
static bool read_stdin(struct pending *p)
{
	ssize_t n = read(STDIN_FILENO, p->buf, sizeof p->buf);
	if (n < 0 && errno == EINTR)
		return true;    /* nothing read; poll again */
	if (n < 0)
		die("read from stdin");
	p->off = 0;
	p->len = (size_t)n;
	return n > 0;
}

/* The socket is writable: send as much of the pending bytes as it takes right now.
 * A non-blocking send() may take only part of them; the rest waits for the next POLLOUT. */
static void send_pending(int fd, struct pending *p)
{
	ssize_t n = send(fd, p->buf + p->off, p->len - p->off, MSG_NOSIGNAL);
	if (n < 0) {
		if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
			return;
		die("send");    /* EPIPE, ECONNRESET: the server is gone */
	}
	p->off += (size_t)n;
	if (p->off == p->len)
		p->off = p->len = 0;
}

/* The socket is readable: copy what arrived to stdout. Returns false once the server
 * has closed (recv returns 0). */
static bool copy_to_stdout(int fd)
{
	static char buf[BUF_SIZE];

	ssize_t n = recv(fd, buf, sizeof buf, 0);
	if (n < 0) {
		if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
			return true;
		die("recv");
	}
	if (n == 0)
		return false;
	if (write_all(STDOUT_FILENO, buf, (size_t)n) < 0)
		die("write to stdout");
	return true;
}

/* The copy loop. Each round asks poll() for what can make progress:
 *   - stdin, when it is still open and the previous chunk has been sent;
 *   - the socket for writing, when a chunk is waiting;
 *   - the socket for reading, always, until the server closes. */
static void run(int fd)
{
	static struct pending out;
	bool stdin_open = true, sent_fin = false;

	for (;;) {
		bool have_pending = out.len > out.off;
		if (!stdin_open && !have_pending && !sent_fin) {
			/* Half-close: FIN tells the server we are done; we can still read. */
			if (shutdown(fd, SHUT_WR) < 0)
				die("shutdown");
			sent_fin = true;
		}

		struct pollfd pfd[2] = {
			{ .fd = fd, .events = POLLIN | (have_pending ? POLLOUT : 0) },
			/* A negative fd makes poll() skip the entry. */
			{ .fd = (stdin_open && !have_pending) ? STDIN_FILENO : -1, .events = POLLIN },
		};
		if (poll(pfd, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			die("poll");
		}

		/* POLLHUP and POLLERR mean "a read will not block" too: read to learn which. */
		if (pfd[1].revents & (POLLIN | POLLHUP | POLLERR | POLLNVAL))
			stdin_open = read_stdin(&out);
		if (pfd[0].revents & POLLOUT)
			send_pending(fd, &out);
		if (pfd[0].revents & (POLLIN | POLLHUP | POLLERR)) {
			if (!copy_to_stdout(fd))
				break;  /* the server closed */
		}
	}

	if (!sent_fin) {
		fprintf(stderr, PROG ": the server closed the connection before the end of input\n");
		exit(1);
	}
}

int main(int argc, char *argv[])
{
	opterr = 0;     /* we print our own usage line */
	if (getopt(argc, argv, "") != -1)
		usage();    /* no options: a `-x` before HOST is unknown */
	if (argc - optind != 2)
		usage();
	const char *host = argv[optind], *port = argv[optind + 1];
	if (parse_port(port) < 0)
		usage();

	int fd = connect_to(host, port);

	/* Non-blocking socket only. Never stdin: its open file may be shared with the shell
	 * or a pipeline, and they would suddenly see EAGAIN too. poll() tells us when a
	 * read from stdin will not block. */
	int flags = fcntl(fd, F_GETFL);
	if (flags < 0 || fcntl(fd, F_SETFL, flags | O_NONBLOCK) < 0)
		die("fcntl O_NONBLOCK");

	run(fd);

	/* We read up to the server's FIN, so nothing is unread: close() sends no RST. */
	if (close(fd) < 0)
		die("close");
	return 0;
}
