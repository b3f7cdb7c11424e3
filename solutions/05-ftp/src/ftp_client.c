/* ftp_client.c: a small FTP client for one transfer (RFC 959, 2428, 1123).
 *
 * Usage: ftp_client [-a] [-u USER:PASS] HOST PORT get REMOTE [LOCAL] | put LOCAL [REMOTE] | ls [PATH]
 *
 * Logs in (anonymous unless -u), sends TYPE I, opens one data connection (passive by
 * default, active with -a), transfers, then QUIT. Exit 0 on success, 3 when the server
 * refuses (its reply line on stderr), 1 for network errors and timeouts, 2 for usage.
 */
#define _DEFAULT_SOURCE /* mkstemp() in the same directory, getopt() */

#include "ftp_proto.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#define PROG       "ftp_client"
#define TIMEOUT_MS 5000   /* to connect, and for any wait in which nothing arrives */
#define IO_CHUNK   65536

enum exit_code { EXIT_OK = 0, EXIT_NET = 1, EXIT_USAGE = 2, EXIT_REFUSED = 3 };

struct client {
	int ctl;                            /* control connection */
	struct sockaddr_storage local, peer; /* its addresses */
	char buf[16384];                    /* control bytes read but not used */
	size_t len;
	char line[1024];                    /* the first line of the last reply, for messages */
	/* Where a failed get must not leave anything. */
	char tmp[4096];
};

static struct client cl = {.ctl = -1};

static void usage(void)
{
	fprintf(stderr, "usage: " PROG " [-a] [-u USER:PASS] HOST PORT get REMOTE [LOCAL] | "
			"put LOCAL [REMOTE] | ls [PATH]\n");
	exit(EXIT_USAGE);
}

/* Ends the program with one line on stderr; a partial download is removed first. */
static void die(int code, const char *fmt, ...) __attribute__((format(printf, 2, 3), noreturn));
static void die(int code, const char *fmt, ...)
{
	va_list ap;
	if (cl.tmp[0])
		unlink(cl.tmp);
	fprintf(stderr, PROG ": ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(code);
}

static int send_all(int fd, const void *p, size_t n)
{
	const char *c = p;
	while (n > 0) {
		struct pollfd pf = {.fd = fd, .events = POLLOUT};
		if (poll(&pf, 1, TIMEOUT_MS) <= 0)
			return -1;
		ssize_t w = send(fd, c, n, MSG_NOSIGNAL);
		if (w < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (w <= 0)
			return -1;
		c += w;
		n -= (size_t)w;
	}
	return 0;
}

/* ---- the control connection ------------------------------------------------------------- */

/* Reads more control bytes within TIMEOUT_MS: 1, or 0 when the server closed. */
static int fill_control(void)
{
	if (cl.len == sizeof cl.buf)
		die(EXIT_NET, "reply too long");
	struct pollfd p = {.fd = cl.ctl, .events = POLLIN};
	int r = poll(&p, 1, TIMEOUT_MS);
	if (r == 0)
		die(EXIT_NET, "no reply from the server within %d s", TIMEOUT_MS / 1000);
	ssize_t n = r < 0 ? -1 : recv(cl.ctl, cl.buf + cl.len, sizeof cl.buf - cl.len, 0);
	if (n < 0)
		die(EXIT_NET, "control connection: %s", strerror(errno));
	cl.len += (size_t)n;
	return n > 0;
}

/* A whole reply already in the buffer: its code, and its first line in cl.line; -1 when
 * not complete yet. */
static int take_reply(void)
{
	int code;
	long end = fp_reply_end(cl.buf, cl.len, &code);
	if (end < 0)
		die(EXIT_NET, "malformed reply from the server");
	if (end == 0)
		return -1;
	size_t first = (size_t)((char *)memchr(cl.buf, '\n', cl.len) - cl.buf);
	while (first > 0 && cl.buf[first - 1] == '\r')
		first--;
	if (first >= sizeof cl.line)
		first = sizeof cl.line - 1;
	memcpy(cl.line, cl.buf, first);
	cl.line[first] = '\0';
	memmove(cl.buf, cl.buf + end, cl.len - (size_t)end);
	cl.len -= (size_t)end;
	return code;
}

/* The next reply (multi-line replies whole); its code. */
static int read_reply(void)
{
	for (;;) {
		int code = take_reply();
		if (code >= 0)
			return code;
		if (!fill_control())
			die(EXIT_NET, "the server closed the control connection");
	}
}

/* A 4xx or 5xx reply ends the program with exit 3 and the server's line. */
static int expect(int code)
{
	if (code >= 400)
		die(EXIT_REFUSED, "%s", cl.line);
	return code;
}

static int command(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int command(const char *fmt, ...)
{
	char line[FP_MAX_LINE + 3];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(line, sizeof line - 2, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof line - 2)
		die(EXIT_USAGE, "command too long");
	memcpy(line + n, "\r\n", 2);
	if (send_all(cl.ctl, line, (size_t)n + 2) < 0)
		die(EXIT_NET, "sending %.4s: %s", line, strerror(errno));
	return read_reply();
}

/* ---- connecting ------------------------------------------------------------------------- */

/* Connects fd to a within TIMEOUT_MS; 0 or -1 with errno. */
static int connect_within(int fd, const struct sockaddr *a, socklen_t al)
{
	int fl = fcntl(fd, F_GETFL);
	fcntl(fd, F_SETFL, fl | O_NONBLOCK);
	if (connect(fd, a, al) < 0) {
		if (errno != EINPROGRESS)
			return -1;
		struct pollfd p = {.fd = fd, .events = POLLOUT};
		int r = poll(&p, 1, TIMEOUT_MS);
		if (r <= 0) {
			errno = r == 0 ? ETIMEDOUT : errno;
			return -1;
		}
		int err = 0;
		socklen_t el = sizeof err;
		getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &el);
		if (err) {
			errno = err;
			return -1;
		}
	}
	return 0;
}

static void connect_control(const char *host, const char *port)
{
	struct addrinfo hints = {.ai_socktype = SOCK_STREAM}, *res;
	int rc = getaddrinfo(host, port, &hints, &res), err = 0;
	if (rc != 0)
		die(EXIT_NET, "%s: %s", host, gai_strerror(rc));
	for (struct addrinfo *ai = res; ai; ai = ai->ai_next) {
		int fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, ai->ai_protocol);
		if (fd < 0) {
			err = errno;
			continue;
		}
		if (connect_within(fd, ai->ai_addr, ai->ai_addrlen) == 0) {
			cl.ctl = fd;
			break;
		}
		err = errno;
		close(fd);
	}
	freeaddrinfo(res);
	if (cl.ctl < 0)
		die(EXIT_NET, "connect to %s port %s: %s", host, port, strerror(err));
	socklen_t l = sizeof cl.local;
	getsockname(cl.ctl, (struct sockaddr *)&cl.local, &l);
	l = sizeof cl.peer;
	getpeername(cl.ctl, (struct sockaddr *)&cl.peer, &l);
}

static socklen_t addr_len(const struct sockaddr_storage *ss)
{
	return ss->ss_family == AF_INET ? sizeof(struct sockaddr_in) : sizeof(struct sockaddr_in6);
}

static void set_port(struct sockaddr_storage *ss, uint16_t port)
{
	if (ss->ss_family == AF_INET)
		((struct sockaddr_in *)ss)->sin_port = htons(port);
	else
		((struct sockaddr_in6 *)ss)->sin6_port = htons(port);
}

static uint16_t get_port(const struct sockaddr_storage *ss)
{
	return ntohs(ss->ss_family == AF_INET ? ((const struct sockaddr_in *)ss)->sin_port
					      : ((const struct sockaddr_in6 *)ss)->sin6_port);
}

static bool same_host(const struct sockaddr_storage *a, const struct sockaddr_storage *b)
{
	if (a->ss_family != b->ss_family)
		return false;
	if (a->ss_family == AF_INET)
		return memcmp(&((const struct sockaddr_in *)a)->sin_addr,
			      &((const struct sockaddr_in *)b)->sin_addr, 4) == 0;
	return memcmp(&((const struct sockaddr_in6 *)a)->sin6_addr,
		      &((const struct sockaddr_in6 *)b)->sin6_addr, 16) == 0;
}

/* Passive: PASV (IPv4) or EPSV (IPv6), then a connection to the control connection's server
 * address, whatever address a 227 names (RFC 2577: never be pointed at another host). */
static int data_passive(void)
{
	uint16_t port;
	uint8_t ignored[4];

	if (cl.peer.ss_family == AF_INET) {
		if (expect(command("PASV")) != 227 || fp_parse_227(cl.line + 4, ignored, &port) < 0)
			die(EXIT_NET, "malformed PASV reply: %s", cl.line);
	} else {
		if (expect(command("EPSV")) != 229 || fp_parse_229(cl.line + 4, &port) < 0)
			die(EXIT_NET, "malformed EPSV reply: %s", cl.line);
	}
	struct sockaddr_storage a = cl.peer;
	set_port(&a, port);
	int fd = socket(a.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || connect_within(fd, (struct sockaddr *)&a, addr_len(&a)) < 0)
		die(EXIT_NET, "data connection to port %u: %s", port, strerror(errno));
	return fd;
}

/* Active: a listening socket on our control address, announced with PORT or EPRT. */
static int data_active(void)
{
	struct sockaddr_storage a = cl.local;
	char text[INET6_ADDRSTRLEN], arg[64];

	set_port(&a, 0);
	int fd = socket(a.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	socklen_t al = addr_len(&a);
	if (fd < 0 || bind(fd, (struct sockaddr *)&a, al) < 0 || listen(fd, 1) < 0 ||
	    getsockname(fd, (struct sockaddr *)&a, &al) < 0)
		die(EXIT_NET, "data socket: %s", strerror(errno));
	if (a.ss_family == AF_INET) {
		fp_format_port((const uint8_t *)&((struct sockaddr_in *)&a)->sin_addr, get_port(&a),
			       arg, sizeof arg);
		expect(command("PORT %s", arg));
	} else {
		inet_ntop(AF_INET6, &((struct sockaddr_in6 *)&a)->sin6_addr, text, sizeof text);
		expect(command("EPRT |2|%s|%u|", text, get_port(&a)));
	}
	return fd;
}

/* After the transfer command and its 150 in active mode: the server's connection (from its
 * address only). A refusal on the control connection ends the wait; a final 2xx may come
 * before we accept (the connection then waits in the listen queue) and is left in the
 * buffer for transfer(). */
static int accept_data(int lfd)
{
	for (;;) {
		int code;
		if (fp_reply_end(cl.buf, cl.len, &code) > 0 && code >= 400)
			expect(take_reply());
		struct pollfd p[2] = {{.fd = lfd, .events = POLLIN}, {.fd = cl.ctl, .events = POLLIN}};
		int r = poll(p, 2, TIMEOUT_MS);
		if (r == 0)
			die(EXIT_NET, "no data connection within %d s", TIMEOUT_MS / 1000);
		if (p[0].revents) {
			struct sockaddr_storage from;
			socklen_t fl = sizeof from;
			int fd = accept(lfd, (struct sockaddr *)&from, &fl);
			if (fd >= 0 && same_host(&from, &cl.peer)) {
				close(lfd);
				return fd;
			}
			if (fd >= 0)
				close(fd); /* not the server: never trust its bytes */
			continue;
		}
		if (p[1].revents && !fill_control())
			die(EXIT_NET, "the server closed the control connection");
	}
}

/* ---- the transfer ----------------------------------------------------------------------- */

struct sink {
	int out;          /* where received data goes (-1 for put) */
	bool crlf_to_lf;  /* ls: names end with \n */
	bool held_cr;     /* a CR at the end of the last chunk */
};

static void write_out(struct sink *s, const char *p, size_t n)
{
	char conv[IO_CHUNK + 1];
	size_t m = 0;

	if (s->crlf_to_lf) {
		for (size_t i = 0; i < n; i++) {
			if (s->held_cr && p[i] != '\n')
				conv[m++] = '\r';
			s->held_cr = p[i] == '\r';
			if (!s->held_cr)
				conv[m++] = p[i];
		}
		p = conv;
		n = m;
	}
	while (n > 0) {
		ssize_t w = write(s->out, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			die(EXIT_NET, "write: %s", strerror(errno));
		p += w;
		n -= (size_t)w;
	}
}

/* Moves data both ways until the data connection is done and the final reply is in, in
 * whichever order they come; never waits for 226 before reading data, and closes the data
 * connection as soon as the server's FIN is read. Returns the final reply's code. */
static int transfer(int dfd, int in, struct sink *s)
{
	char buf[IO_CHUNK];
	bool data_done = false, sent_all = in < 0;
	int final = -1;

	while (!data_done || final < 0) {
		if (final < 0) {
			int code = take_reply();
			if (code >= 0 && code < 200)
				continue; /* 150 */
			if (code >= 0) {
				final = code;
				continue;
			}
		}
		struct pollfd p[2] = {{.fd = cl.ctl, .events = final < 0 ? POLLIN : 0},
				      {.fd = data_done ? -1 : dfd,
				       .events = sent_all ? POLLIN : POLLIN | POLLOUT}};
		int r = poll(p, 2, TIMEOUT_MS);
		if (r == 0)
			die(EXIT_NET, "nothing from the server within %d s", TIMEOUT_MS / 1000);
		if (r < 0 && errno == EINTR)
			continue;
		if (p[0].revents && !fill_control())
			die(EXIT_NET, "the server closed the control connection");
		if (data_done)
			continue;
		if (!sent_all && (p[1].revents & POLLOUT)) {
			ssize_t n = read(in, buf, sizeof buf);
			if (n < 0)
				die(EXIT_NET, "read: %s", strerror(errno));
			if (n == 0) {
				shutdown(dfd, SHUT_WR); /* the file ends here */
				sent_all = true;
			} else if (send_all(dfd, buf, (size_t)n) < 0) {
				die(EXIT_NET, "data connection: %s", strerror(errno));
			}
		}
		if (p[1].revents & (POLLIN | POLLHUP | POLLERR)) {
			ssize_t n = recv(dfd, buf, sizeof buf, 0);
			if (n < 0 && errno != EINTR)
				die(EXIT_NET, "data connection: %s", strerror(errno));
			if (n > 0 && s->out >= 0)
				write_out(s, buf, (size_t)n);
			if (n == 0) {
				close(dfd); /* the server's FIN read: ours goes at once */
				data_done = true;
			}
		}
		/* A refusal ends the transfer without waiting for the data. */
		if (final >= 400)
			break;
	}
	if (s->held_cr)
		write_out(&(struct sink){.out = s->out}, "\r", 1);
	if (!data_done)
		close(dfd);
	return final;
}

/* QUIT, 221, then our FIN once the server's has come. */
static void quit(void)
{
	char sink[512];
	command("QUIT");
	shutdown(cl.ctl, SHUT_WR);
	struct pollfd p = {.fd = cl.ctl, .events = POLLIN};
	while (poll(&p, 1, TIMEOUT_MS) > 0 && recv(cl.ctl, sink, sizeof sink, 0) > 0)
		;
	close(cl.ctl);
}

int main(int argc, char **argv)
{
	bool active = false;
	char *user = "anonymous", *pass = "anonymous@";
	int opt;

	while ((opt = getopt(argc, argv, "+:au:")) != -1) {   /* ":": no message of its own */
		if (opt == 'a') {
			active = true;
		} else if (opt == 'u') {
			user = optarg;
			pass = strchr(optarg, ':');
			if (pass == NULL || pass == user)
				usage();
			*pass++ = '\0';
		} else {
			usage();
		}
	}
	int n = argc - optind;
	if (n < 3)
		usage();
	const char *host = argv[optind], *port = argv[optind + 1], *cmd = argv[optind + 2];
	char *end;
	long pv = strtol(port, &end, 10);
	if (*port < '0' || *port > '9' || *end || pv < 1 || pv > 65535)
		usage();
	const char *remote = NULL, *local = NULL;
	if (strcmp(cmd, "get") == 0 && (n == 4 || n == 5)) {
		remote = argv[optind + 3];
		size_t rl = strlen(remote);
		if (rl == 0 || remote[rl - 1] == '/')
			usage();
		local = n == 5 ? argv[optind + 4] : strrchr(remote, '/') ? strrchr(remote, '/') + 1
									  : remote;
	} else if (strcmp(cmd, "put") == 0 && (n == 4 || n == 5)) {
		local = argv[optind + 3];
		remote = n == 5 ? argv[optind + 4] : strrchr(local, '/') ? strrchr(local, '/') + 1 : local;
		if (remote[0] == '\0')
			usage();
	} else if (strcmp(cmd, "ls") == 0 && (n == 3 || n == 4)) {
		remote = n == 4 ? argv[optind + 3] : NULL;
	} else {
		usage();
	}

	/* put: the file must be readable before anything goes on the wire. */
	int in = -1;
	if (cmd[0] == 'p' && (in = open(local, O_RDONLY | O_CLOEXEC)) < 0)
		die(EXIT_NET, "%s: %s", local, strerror(errno));

	signal(SIGPIPE, SIG_IGN);
	connect_control(host, port);
	int code;
	while ((code = read_reply()) < 200)
		;
	expect(code);
	code = expect(command("USER %s", user));
	if (code == 331 || code == 332)
		code = expect(command("PASS %s", pass));
	expect(command("TYPE I"));

	struct sink s = {.out = -1};
	int lfd = active ? data_active() : -1, dfd = active ? -1 : data_passive();
	if (cmd[0] == 'g') {
		if (strcmp(local, "-") == 0) {
			s.out = STDOUT_FILENO;
		} else {
			/* Into a temporary file beside LOCAL, renamed only once the transfer is good. */
			snprintf(cl.tmp, sizeof cl.tmp, "%s.part-XXXXXX", local);
			s.out = mkstemp(cl.tmp);
			if (s.out < 0) {
				cl.tmp[0] = '\0';
				die(EXIT_NET, "%s: %s", local, strerror(errno));
			}
		}
		fchmod(s.out, 0644);
		code = command("RETR %s", remote);
	} else if (cmd[0] == 'p') {
		code = command("STOR %s", remote);
	} else {
		s.out = STDOUT_FILENO;
		s.crlf_to_lf = true;
		code = remote ? command("NLST %s", remote) : command("NLST");
	}
	/* The first reply: 150, or a refusal (the data connection is then closed unused). */
	if (code >= 400 && dfd >= 0)
		close(dfd);
	if (expect(code) >= 200)
		die(EXIT_NET, "unexpected reply to the transfer command: %s", cl.line);
	if (active)
		dfd = accept_data(lfd);
	expect(transfer(dfd, in, &s));
	if (cmd[0] == 'g' && s.out != STDOUT_FILENO) {
		if (close(s.out) < 0 || rename(cl.tmp, local) < 0)
			die(EXIT_NET, "%s: %s", local, strerror(errno));
		cl.tmp[0] = '\0';
	}
	quit();
	return EXIT_OK;
}
