/* echo_server.c - lab 01 reference solution: send every byte back, then close cleanly.
 *
 * Usage: echo_server PORT
 *
 * An iterative TCP server on one dual-stack IPv6 socket. For each client it reads what
 * arrives and writes it all back (a send loop, since send() may take less than it is
 * given) until the client half-closes; then, having echoed everything, it closes with FIN.
 * A client that resets is dropped and the next one served. Runs until SIGINT or SIGTERM. */
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

/* Report a failed system call as `echo_server: what: cause` and exit 1. */
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

/* SIGINT and SIGTERM end the server cleanly. No SA_RESTART: blocking calls return EINTR
 * so the loops notice `stopping`. SIGPIPE is ignored: writing to a client that reset
 * fails with EPIPE instead of killing the server. */
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

	int on = 1;     /* restart at once even while old connections sit in TIME_WAIT */
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on) < 0)
		die("setsockopt SO_REUSEADDR");
	int off = 0;    /* dual stack: IPv4 clients arrive as ::ffff:a.b.c.d */
	if (setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &off, sizeof off) < 0)
		die("setsockopt IPV6_V6ONLY");

	struct sockaddr_in6 addr;
	memset(&addr, 0, sizeof addr);
	addr.sin6_family = AF_INET6;
	addr.sin6_addr = in6addr_any;
	addr.sin6_port = htons((unsigned short)port);
	if (bind(fd, (struct sockaddr *)&addr, sizeof addr) < 0) {
		char what[64];
		snprintf(what, sizeof what, "bind to port %d", port);
		die(what);
	}
	if (listen(fd, SOMAXCONN) < 0)
		die("listen");
	return fd;
}

/* Errors that accept() reports for one failed connection, not for the listener. */
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

/* Send all len bytes. send() on a blocking socket may still return fewer bytes than asked
 * (a signal, a full buffer), so we loop until everything is gone. While the client does
 * not read, this blocks: fine for an iterative server, since we stop reading too and TCP
 * flow control holds the client back. Returns 0, or -1 if the client went away (EPIPE,
 * ECONNRESET) or we are stopping. */
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

/* Echo until the client half-closes, then close. Reading up to EOF before close() means
 * no unread bytes are left in the receive buffer, so the kernel sends FIN, not RST. */
static void serve_client(int fd)
{
	static char buf[BUF_SIZE];  /* static: one client at a time, and off the stack */

	for (;;) {
		ssize_t n = recv(fd, buf, sizeof buf, 0);
		if (n < 0 && errno == EINTR && !stopping)
			continue;
		if (n <= 0)
			break;      /* 0: the client's FIN, all echoed; < 0: reset or stopping */
		if (send_all(fd, buf, (size_t)n) < 0)
			break;      /* the client is gone: drop it */
	}
	close(fd);
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
