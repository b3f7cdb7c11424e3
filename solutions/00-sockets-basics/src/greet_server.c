/* greet_server.c - lab 00 reference solution: answer `HELLO <NAME>` with `HI <NAME>`.
 *
 * Usage: greet_server PORT
 *
 * An iterative TCP server on one IPv6 socket that also accepts IPv4 clients (dual stack).
 * For each client it reads one line, answers `HI <NAME>\n` or `ERR\n`, and closes the
 * connection with FIN: it half-closes first and reads what the client still sends, so
 * that close() never finds unread bytes (which would make the kernel send RST).
 * It runs until SIGINT or SIGTERM; no client, however badly it behaves, stops it. */
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
#define DRAIN_MS 2000       /* how long we wait for a client to close after our reply */

/* Set by the signal handler; the blocking calls below then fail with EINTR. */
static volatile sig_atomic_t stopping;

static void on_stop_signal(int sig)
{
	(void)sig;
	stopping = 1;
}

static _Noreturn void usage(void)
{
	fprintf(stderr, "usage: " PROG " PORT   (PORT is 1..65535)\n");
	exit(2);
}

/* Report a failed system call as `greet_server: what: cause` and exit 1. */
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

/* SIGINT and SIGTERM end the server cleanly. No SA_RESTART: we want accept() and read()
 * to return EINTR so the main loop notices `stopping`. SIGPIPE is ignored, so writing to a
 * client that has gone away fails with EPIPE instead of killing the whole server. */
static void install_signal_handlers(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_stop_signal;
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGINT, &sa, NULL) < 0 || sigaction(SIGTERM, &sa, NULL) < 0)
		die("sigaction");
	sa.sa_handler = SIG_IGN;
	if (sigaction(SIGPIPE, &sa, NULL) < 0)
		die("sigaction");
}

/* A listening socket on [::]:port that accepts both IPv6 and IPv4 clients. */
static int open_listener(int port)
{
	int fd = socket(AF_INET6, SOCK_STREAM, 0);
	if (fd < 0)
		die("socket");

	/* Without SO_REUSEADDR, bind() fails with EADDRINUSE for a minute or so after a
	 * restart, while connections we closed first sit in TIME_WAIT. */
	int on = 1;
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on) < 0)
		die("setsockopt SO_REUSEADDR");

	/* IPV6_V6ONLY off: IPv4 clients arrive as IPv4-mapped addresses (::ffff:127.0.0.1).
	 * Set it explicitly: the default comes from a sysctl and differs between systems. */
	int off = 0;
	if (setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &off, sizeof off) < 0)
		die("setsockopt IPV6_V6ONLY");

	struct sockaddr_in6 addr;
	memset(&addr, 0, sizeof addr);
	addr.sin6_family = AF_INET6;
	addr.sin6_addr = in6addr_any;
	addr.sin6_port = htons((unsigned short)port);   /* network byte order */
	if (bind(fd, (struct sockaddr *)&addr, sizeof addr) < 0) {
		char what[64];
		snprintf(what, sizeof what, "bind to port %d", port);
		die(what);
	}
	if (listen(fd, SOMAXCONN) < 0)
		die("listen");
	return fd;
}

/* Errors that accept() reports for one failed connection, not for the listener: Linux
 * passes pending network errors of the new connection on to accept() (see accept(2)). */
static bool is_transient_accept_error(int err)
{
	switch (err) {
	case EINTR: case ECONNABORTED: case EPROTO: case ENOPROTOOPT: case ENETDOWN:
	case ENETUNREACH: case EHOSTDOWN: case EHOSTUNREACH: case EOPNOTSUPP:
		return true;
	default:
		return false;
	}
}

/* Read until the buffer holds a newline or MAX_LINE + 1 bytes. TCP is a byte stream: the
 * line may come in pieces, so one read() is not enough.
 * Returns the number of bytes in buf (> 0), or -1 if the client closed or reset first
 * or we are stopping. */
static ssize_t read_line(int fd, char *buf, size_t size)
{
	size_t len = 0;

	while (len < size) {
		ssize_t n = read(fd, buf + len, size - len);
		if (n < 0 && errno == EINTR && !stopping)
			continue;
		if (n <= 0)
			return -1;      /* EOF, ECONNRESET or stopping: drop the client silently */
		if (memchr(buf + len, '\n', (size_t)n) != NULL)
			return (ssize_t)(len + (size_t)n);
		len += (size_t)n;
	}
	return (ssize_t)len;        /* size bytes and no newline: too long */
}

static bool is_valid_name(const char *name, size_t len)
{
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

/* Build the answer to the first len bytes received into reply (at least MAX_NAME + 5
 * bytes); return its length. */
static size_t make_reply(const char *buf, size_t len, char *reply, size_t size)
{
	const char *nl = memchr(buf, '\n', len);
	if (nl == NULL)
		return (size_t)snprintf(reply, size, "ERR\n");   /* no newline in MAX_LINE + 1 bytes */

	size_t line_len = (size_t)(nl - buf);
	if (line_len > 0 && buf[line_len - 1] == '\r')   /* accept CRLF as well as LF */
		line_len--;

	static const char verb[] = "HELLO ";
	size_t verb_len = sizeof verb - 1;
	if (line_len < verb_len || memcmp(buf, verb, verb_len) != 0)
		return (size_t)snprintf(reply, size, "ERR\n");

	const char *name = buf + verb_len;
	size_t name_len = line_len - verb_len;
	if (!is_valid_name(name, name_len))
		return (size_t)snprintf(reply, size, "ERR\n");
	return (size_t)snprintf(reply, size, "HI %.*s\n", (int)name_len, name);
}

/* Send all len bytes: send() may take fewer than asked. MSG_NOSIGNAL is belt and braces
 * next to ignoring SIGPIPE. Returns 0, or -1 if the client went away. */
static int send_all(int fd, const char *buf, size_t len)
{
	while (len > 0) {
		ssize_t n = send(fd, buf, len, MSG_NOSIGNAL);
		if (n < 0 && errno == EINTR && !stopping)
			continue;
		if (n < 0)
			return -1;
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

static long long now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Close with FIN, never RST. shutdown(SHUT_WR) sends our FIN right away; then we read and
 * throw away whatever the client still sends until it closes too, so that close() finds
 * no unread bytes. A client that never closes is given DRAIN_MS, no more. */
static void close_gracefully(int fd)
{
	char junk[4096];
	long long deadline = now_ms() + DRAIN_MS;

	if (shutdown(fd, SHUT_WR) == 0) {
		for (;;) {
			long long left = deadline - now_ms();
			if (left <= 0 || stopping)
				break;
			struct pollfd pfd = { .fd = fd, .events = POLLIN };
			int ready = poll(&pfd, 1, (int)left);
			if (ready < 0 && errno == EINTR)
				continue;
			if (ready <= 0)
				break;
			ssize_t n = read(fd, junk, sizeof junk);
			if (n < 0 && errno == EINTR)
				continue;
			if (n <= 0)
				break;      /* the client's FIN (0) or reset (-1): done */
		}
	}
	close(fd);
}

/* One client: one line in, one reply out, then close. */
static void serve_client(int fd)
{
	char buf[MAX_LINE + 1];
	char reply[MAX_NAME + 8];

	ssize_t len = read_line(fd, buf, sizeof buf);
	if (len < 0) {
		close(fd);      /* closed, reset or stopping: nothing to answer */
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
	opterr = 0;     /* we print our own usage line */
	if (getopt(argc, argv, "") != -1)
		usage();    /* this program has no options: any `-x` is unknown */
	if (argc - optind != 1)
		usage();
	int port = parse_port(argv[optind]);
	if (port < 0)
		usage();

	int lfd = open_listener(port);
	install_signal_handlers();

	/* Iterative: one client at a time, each served to the end before the next. */
	while (!stopping) {
		int cfd = accept(lfd, NULL, NULL);
		if (cfd < 0) {
			if (is_transient_accept_error(errno))
				continue;
			die("accept");
		}
		serve_client(cfd);
	}
	close(lfd);
	return 0;
}
