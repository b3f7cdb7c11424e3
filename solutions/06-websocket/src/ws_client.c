/* ws_client.c - lab 06: a WebSocket client (RFC 6455): stdin lines out as text messages,
 * messages in as lines on stdout.
 *
 * Usage: ws_client ws://host[:port][/path[?query]]
 *
 * It connects, sends the opening handshake with a random key and checks the server's
 * 101 and Sec-WebSocket-Accept (section 4.1). Then, with poll(), it sends each line of
 * stdin as one masked text frame and prints each message it receives, answers pings, and
 * at the end of stdin runs the close handshake (section 7). */
#define _DEFAULT_SOURCE /* getrandom, strncasecmp, with POSIX 2008 */

#include "ws_proto.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define PROG        "ws_client"
#define TIMEOUT_MS  5000          /* to connect, for the 101, for the server's close */
#define MAX_HEAD    16384
#define MAX_MESSAGE (64u << 20)   /* what this client is willing to reassemble */
#define LINE_MAX_   (1u << 20)    /* a longer stdin line is sent in pieces of this size */

struct url {
	char host[256];
	char port[8];
	char path[2048];
	char hostport[300];     /* the Host header's value */
};

static _Noreturn void usage(void)
{
	fprintf(stderr, "usage: " PROG " ws://host[:port][/path[?query]]\n");
	exit(2);
}

static _Noreturn void die(const char *fmt, const char *arg)
{
	fprintf(stderr, PROG ": ");
	fprintf(stderr, fmt, arg);
	fputc('\n', stderr);
	exit(1);
}

/* ws://host[:port][/path[?query]]; false for anything else. */
static bool parse_url(const char *s, struct url *u)
{
	const char *p, *hend, *rest;

	if (strncmp(s, "ws://", 5) != 0)
		return false;
	p = s + 5;
	if (strpbrk(p, " \t\r\n#@"))
		return false;
	if (*p == '[') {
		hend = strchr(p, ']');
		if (!hend || hend == p + 1 || (size_t)(hend - p - 1) >= sizeof u->host)
			return false;
		memcpy(u->host, p + 1, (size_t)(hend - p - 1));
		u->host[hend - p - 1] = '\0';
		rest = hend + 1;
	} else {
		hend = p + strcspn(p, ":/?");
		if (hend == p || (size_t)(hend - p) >= sizeof u->host)
			return false;
		memcpy(u->host, p, (size_t)(hend - p));
		u->host[hend - p] = '\0';
		rest = hend;
	}
	strcpy(u->port, "80");
	if (*rest == ':') {
		char *end;
		rest++;
		if (*rest < '0' || *rest > '9')
			return false;
		errno = 0;
		long v = strtol(rest, &end, 10);
		if (errno || v < 1 || v > 65535 || end - rest > 5)
			return false;
		snprintf(u->port, sizeof u->port, "%ld", v);
		rest = end;
	}
	if (*rest != '\0' && *rest != '/' && *rest != '?')
		return false;
	if (strlen(rest) + 2 > sizeof u->path)
		return false;
	snprintf(u->path, sizeof u->path, "%s%s", *rest == '/' ? "" : "/", rest);
	bool v6 = strchr(u->host, ':') != NULL;
	bool dflt = strcmp(u->port, "80") == 0;
	snprintf(u->hostport, sizeof u->hostport, "%s%s%s%s%s", v6 ? "[" : "", u->host,
		 v6 ? "]" : "", dflt ? "" : ":", dflt ? "" : u->port);
	return true;
}

static int64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Connect to one address within TIMEOUT_MS: a non-blocking connect, then poll. */
static int connect_one(const struct addrinfo *ai)
{
	int fd = socket(ai->ai_family, ai->ai_socktype, ai->ai_protocol);
	int flags, err = 0;
	socklen_t len = sizeof err;

	if (fd < 0)
		return -errno;
	flags = fcntl(fd, F_GETFL);
	fcntl(fd, F_SETFL, flags | O_NONBLOCK);
	if (connect(fd, ai->ai_addr, ai->ai_addrlen) < 0) {
		if (errno != EINPROGRESS) {
			err = errno;
			close(fd);
			return -err;
		}
		struct pollfd pfd = { .fd = fd, .events = POLLOUT };
		if (poll(&pfd, 1, TIMEOUT_MS) <= 0) {
			close(fd);
			return -ETIMEDOUT;
		}
		getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len);
		if (err) {
			close(fd);
			return -err;
		}
	}
	fcntl(fd, F_SETFL, flags);
	return fd;
}

static int connect_to(const struct url *u)
{
	struct addrinfo hints = { .ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM };
	struct addrinfo *res;
	int rc = getaddrinfo(u->host, u->port, &hints, &res), fd = -ECONNREFUSED;

	if (rc != 0)
		die("%s", gai_strerror(rc));
	for (struct addrinfo *ai = res; ai; ai = ai->ai_next)
		if ((fd = connect_one(ai)) >= 0)
			break;
	freeaddrinfo(res);
	if (fd < 0) {
		fprintf(stderr, PROG ": connect to %s port %s: %s\n", u->host, u->port,
			strerror(-fd));
		exit(1);
	}
	return fd;
}

static void send_all(int fd, const void *p, size_t n)
{
	const uint8_t *b = p;

	while (n > 0) {
		ssize_t w = send(fd, b, n, MSG_NOSIGNAL);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			die("send: %s", strerror(errno));
		b += w;
		n -= (size_t)w;
	}
}

static void random_bytes(void *p, size_t n)
{
	if (getrandom(p, n, 0) != (ssize_t)n)
		die("getrandom: %s", strerror(errno));
}

/* One frame, masked with a fresh random key (section 5.3). */
static void send_frame(int fd, unsigned opcode, const uint8_t *p, size_t n)
{
	uint8_t key[4], h[WS_MAX_HEADER];
	uint8_t *b;

	random_bytes(key, sizeof key);
	size_t hl = ws_header_encode(h, true, opcode, key, n);
	b = malloc(hl + n + 1);
	if (!b)
		die("%s", "out of memory");
	memcpy(b, h, hl);
	memcpy(b + hl, p, n);
	ws_mask(b + hl, n, key, 0);
	send_all(fd, b, hl + n);
	free(b);
}

static void send_close(int fd, unsigned code)
{
	uint8_t p[2] = { (uint8_t)(code >> 8), (uint8_t)code };
	send_frame(fd, WS_CLOSE, p, 2);
}

/* ---- the handshake (section 4.1) --------------------------------------------------------- */

/* Whether the head has a header name whose value holds token (or equals it exactly). */
static const char *header_value(const char *head, const char *name, size_t *len)
{
	size_t nl = strlen(name);

	for (const char *line = strstr(head, "\r\n"); line; line = strstr(line, "\r\n")) {
		line += 2;
		if (strncasecmp(line, name, nl) == 0 && line[nl] == ':') {
			const char *v = line + nl + 1, *e = strstr(v, "\r\n");
			while (*v == ' ' || *v == '\t')
				v++;
			while (e > v && (e[-1] == ' ' || e[-1] == '\t'))
				e--;
			*len = (size_t)(e - v);
			return v;
		}
	}
	return NULL;
}

/* Send the handshake, read the answer up to its empty line; the bytes after it (the first
 * frames) stay in buf[0..*have). */
static void handshake(int fd, const struct url *u, uint8_t *buf, size_t bufsz, size_t *have)
{
	uint8_t raw[16];
	char key[25], want[WS_ACCEPT_LEN + 1], req[3000];

	random_bytes(raw, sizeof raw);
	ws_base64_encode(raw, sizeof raw, key);
	ws_accept_key(key, strlen(key), want);
	int n = snprintf(req, sizeof req, "GET %s HTTP/1.1\r\nHost: %s\r\nUpgrade: websocket\r\n"
			 "Connection: Upgrade\r\nSec-WebSocket-Key: %s\r\n"
			 "Sec-WebSocket-Version: 13\r\n\r\n", u->path, u->hostport, key);
	send_all(fd, req, (size_t)n);

	size_t len = 0;
	char *end = NULL;
	int64_t deadline = now_ms() + TIMEOUT_MS;
	while (!end) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		int64_t left = deadline - now_ms();
		if (left <= 0 || poll(&pfd, 1, (int)left) == 0)
			die("%s", "timed out waiting for the handshake's answer");
		if (len >= bufsz - 1 || len >= MAX_HEAD)
			die("%s", "the server's answer to the handshake is too long");
		ssize_t r = recv(fd, buf + len, bufsz - 1 - len, 0);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			die("%s", "the server closed the connection during the handshake");
		len += (size_t)r;
		buf[len] = '\0';
		end = strstr((char *)buf, "\r\n\r\n");   /* a NUL before it: a bad head */
	}
	size_t hl = (size_t)(end - (char *)buf) + 4;
	char *head = strndup((char *)buf, hl);
	size_t vl;
	const char *v;

	if (!head)
		die("%s", "out of memory");
	if (strncmp(head, "HTTP/1.1 101", 12) != 0 || (head[12] != ' ' && head[12] != '\r'))
		die("%s", "the server did not answer 101 Switching Protocols");
	if (!(v = header_value(head, "Upgrade", &vl)) || !ws_has_token(v, vl, "websocket"))
		die("%s", "the server's 101 has no Upgrade: websocket");
	if (!(v = header_value(head, "Connection", &vl)) || !ws_has_token(v, vl, "Upgrade"))
		die("%s", "the server's 101 has no Connection: Upgrade");
	if (!(v = header_value(head, "Sec-WebSocket-Accept", &vl)) || vl != WS_ACCEPT_LEN ||
	    memcmp(v, want, WS_ACCEPT_LEN) != 0)
		die("%s", "wrong Sec-WebSocket-Accept in the server's 101");
	free(head);
	memmove(buf, buf + hl, len - hl);
	*have = len - hl;
}

/* ---- the session ------------------------------------------------------------------------- */

struct session {
	int fd;
	uint8_t *in;               /* bytes from the server not used yet */
	size_t in_len, in_cap;
	uint8_t *msg;              /* the message being reassembled */
	size_t msg_len;
	bool in_message;
	bool sent_close;           /* we sent our close frame */
	int got_close;             /* the server's close code; -1 none yet, 0 a close without one */
	char *line;                /* the stdin line being read */
	size_t line_len, line_cap;
};

static void print_message(const uint8_t *p, size_t n)
{
	uint8_t *b = malloc(n + 1);
	if (!b)
		die("%s", "out of memory");
	memcpy(b, p, n);
	b[n] = '\n';
	for (size_t off = 0; off < n + 1;) {
		ssize_t w = write(STDOUT_FILENO, b + off, n + 1 - off);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			die("write: %s", strerror(errno));
		off += (size_t)w;
	}
	free(b);
}

/* Fail the connection (section 7.1.7): a close with code, then exit 1. */
static _Noreturn void fail(struct session *s, unsigned code, const char *why)
{
	if (!s->sent_close)
		send_close(s->fd, code);
	shutdown(s->fd, SHUT_WR);
	die("%s", why);
}

/* Handle every whole frame in s->in. */
static void take_frames(struct session *s)
{
	size_t used = 0;

	for (;;) {
		struct ws_header h;
		int hl = ws_header_decode(s->in + used, s->in_len - used, &h);
		if (hl < 0)
			fail(s, WS_CLOSE_PROTOCOL, "a frame with a bad length from the server");
		if (hl == 0 || s->in_len - used - (size_t)hl < h.len)
			break;
		uint8_t *p = s->in + used + hl;
		used += (size_t)hl + h.len;
		if (h.masked || h.rsv)
			fail(s, WS_CLOSE_PROTOCOL, "a masked frame or a reserved bit from the server");
		if (h.opcode >= 0x8) {
			if (!h.fin || h.len > 125)
				fail(s, WS_CLOSE_PROTOCOL, "a bad control frame from the server");
			if (h.opcode == WS_PING) {
				if (!s->sent_close)
					send_frame(s->fd, WS_PONG, p, h.len);
			} else if (h.opcode == WS_CLOSE) {
				s->got_close = h.len >= 2 ? (p[0] << 8 | p[1]) : 0;
				if (!s->sent_close) {   /* echo their code (section 5.5.1) */
					send_close(s->fd, s->got_close ? (unsigned)s->got_close
								       : WS_CLOSE_NORMAL);
					s->sent_close = true;
				}
				break;
			} else if (h.opcode != WS_PONG) {
				fail(s, WS_CLOSE_PROTOCOL, "a reserved opcode from the server");
			}
			continue;
		}
		if (h.opcode > WS_BINARY)
			fail(s, WS_CLOSE_PROTOCOL, "a reserved opcode from the server");
		if ((h.opcode == WS_CONT) != s->in_message)
			fail(s, WS_CLOSE_PROTOCOL, "fragments out of order from the server");
		if (s->msg_len + h.len > MAX_MESSAGE)
			fail(s, WS_CLOSE_TOO_BIG, "a message too big");
		uint8_t *m = realloc(s->msg, s->msg_len + h.len + 1);
		if (!m)
			die("%s", "out of memory");
		s->msg = m;
		memcpy(s->msg + s->msg_len, p, h.len);
		s->msg_len += h.len;
		s->in_message = !h.fin;
		if (h.fin) {
			print_message(s->msg, s->msg_len);
			s->msg_len = 0;
		}
	}
	memmove(s->in, s->in + used, s->in_len - used);
	s->in_len -= used;
}

/* Read what the socket has; false at the end of the stream. */
static bool read_socket(struct session *s)
{
	if (s->in_cap - s->in_len < 65536) {
		size_t cap = s->in_cap * 2 + 65536;
		uint8_t *n = realloc(s->in, cap);
		if (!n)
			die("%s", "out of memory");
		s->in = n;
		s->in_cap = cap;
	}
	ssize_t r = recv(s->fd, s->in + s->in_len, s->in_cap - s->in_len, 0);
	if (r < 0 && errno == EINTR)
		return true;
	if (r < 0 && errno != ECONNRESET)
		die("recv: %s", strerror(errno));
	if (r <= 0)
		return false;
	s->in_len += (size_t)r;
	take_frames(s);
	return true;
}

static void send_line(struct session *s)
{
	send_frame(s->fd, WS_TEXT, (const uint8_t *)s->line, s->line_len);
	s->line_len = 0;
}

/* Read stdin; send each whole line. false at end of stdin. */
static bool read_stdin(struct session *s)
{
	char buf[65536];
	ssize_t r = read(STDIN_FILENO, buf, sizeof buf);

	if (r < 0 && errno == EINTR)
		return true;
	if (r < 0)
		die("read: %s", strerror(errno));
	if (r == 0) {
		if (s->line_len > 0)
			send_line(s);  /* a last line without its newline */
		return false;
	}
	for (ssize_t i = 0; i < r; i++) {
		if (buf[i] == '\n') {
			send_line(s);
			continue;
		}
		if (s->line_len == s->line_cap) {
			size_t cap = s->line_cap * 2 + 4096;
			char *n = realloc(s->line, cap);
			if (!n)
				die("%s", "out of memory");
			s->line = n;
			s->line_cap = cap;
		}
		s->line[s->line_len++] = buf[i];
	}
	return true;
}

int main(int argc, char **argv)
{
	struct url u;
	struct session s = { .got_close = -1 };
	bool stdin_open = true;
	int64_t deadline = -1;      /* while waiting for the server's close */

	if (argc != 2 || !parse_url(argv[1], &u))
		usage();
	s.fd = connect_to(&u);
	s.in_cap = 65536 + MAX_HEAD;
	s.in = malloc(s.in_cap);
	if (!s.in)
		die("%s", "out of memory");
	handshake(s.fd, &u, s.in, s.in_cap, &s.in_len);
	take_frames(&s);

	for (;;) {
		if (s.got_close >= 0)
			stdin_open = false;
		if (!stdin_open && !s.sent_close) {
			send_close(s.fd, WS_CLOSE_NORMAL);
			s.sent_close = true;
		}
		if (s.sent_close && deadline < 0)
			deadline = now_ms() + TIMEOUT_MS;
		struct pollfd pfd[2] = { { .fd = s.fd, .events = POLLIN },
					 { .fd = stdin_open ? STDIN_FILENO : -1, .events = POLLIN } };
		int wait = deadline < 0 ? -1 : (int)(deadline - now_ms());
		if (deadline >= 0 && wait <= 0)
			die("%s", "timed out waiting for the server's close");
		int n = poll(pfd, 2, wait);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			die("poll: %s", strerror(errno));
		if (n == 0)
			continue;
		if (pfd[1].revents && !read_stdin(&s))
			stdin_open = false;
		if (pfd[0].revents && !read_socket(&s))
			break;      /* the server's FIN */
	}
	close(s.fd);
	if (s.got_close < 0)
		die("%s", "the server closed the connection without a close frame");
	if (s.got_close != WS_CLOSE_NORMAL) {
		char code[32];
		snprintf(code, sizeof code, "%d", s.got_close);
		die("the server closed with code %s", s.got_close ? code : "(none)");
	}
	return 0;
}
