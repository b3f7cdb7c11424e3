/* ws_server.c - lab 06: a WebSocket echo server (RFC 6455), one thread per connection.
 *
 * Usage: ws_server PORT
 *
 * Each connection starts as HTTP/1.1. A plain GET / gets the page of ws_page.h; a
 * handshake (section 4.2) gets 101 and the connection turns into frames: every text or
 * binary message comes back to its sender, pings get pongs, and the close handshake
 * (section 7) ends it with the server's FIN first. */
#define _DEFAULT_SOURCE /* strncasecmp, with POSIX 2008 */

#include "ws_page.h"
#include "ws_proto.h"

#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define PROG          "ws_server"
#define MAX_HEAD      16384           /* a request head over this is 400 */
#define MAX_MESSAGE   (16u << 20)     /* 16 MiB: larger messages get 1009 */
#define CLOSE_WAIT_MS 1000            /* after an error close, wait this long for theirs */
#define DRAIN_MS      3000            /* after our FIN, wait this long for theirs */
#define BUF_SIZE      65536

/* One connection: the socket and the bytes read but not used yet, buf[start..end). */
struct conn {
	int fd;
	uint8_t buf[BUF_SIZE];
	size_t start, end;
};

static volatile sig_atomic_t stopping;

static void on_signal(int sig)
{
	(void)sig;
	stopping = 1;
}

static _Noreturn void usage(void)
{
	fprintf(stderr, "usage: " PROG " PORT\n");
	exit(2);
}

static int parse_port(const char *s)
{
	char *end;
	long v;

	if (*s < '0' || *s > '9')
		return -1;
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || *end || v < 1 || v > 65535)
		return -1;
	return (int)v;
}

static int open_listener(int port)
{
	struct sockaddr_in6 a = { .sin6_family = AF_INET6, .sin6_port = htons((uint16_t)port),
				  .sin6_addr = IN6ADDR_ANY_INIT };
	int one = 1, zero = 0;
	int fd = socket(AF_INET6, SOCK_STREAM, 0);

	if (fd < 0) {
		fprintf(stderr, PROG ": socket: %s\n", strerror(errno));
		return -1;
	}
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) < 0 ||
	    setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof zero) < 0) {
		fprintf(stderr, PROG ": setsockopt: %s\n", strerror(errno));
		close(fd);
		return -1;
	}
	if (bind(fd, (struct sockaddr *)&a, sizeof a) < 0 || listen(fd, 128) < 0) {
		fprintf(stderr, PROG ": bind to port %d: %s\n", port, strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

/* ---- bytes in and out ----------------------------------------------------------------- */

static int send_all(int fd, const void *p, size_t n)
{
	const uint8_t *b = p;

	while (n > 0) {
		ssize_t w = send(fd, b, n, MSG_NOSIGNAL);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		b += w;
		n -= (size_t)w;
	}
	return 0;
}

static int64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Read more bytes into c->buf, waiting at most until deadline (-1: for ever).
 * Returns the bytes read, 0 at end of stream, -1 on error or timeout. */
static ssize_t conn_fill(struct conn *c, int64_t deadline)
{
	if (c->start > 0) {
		memmove(c->buf, c->buf + c->start, c->end - c->start);
		c->end -= c->start;
		c->start = 0;
	}
	if (c->end == sizeof c->buf)
		return -1;
	for (;;) {
		if (deadline >= 0) {
			int64_t left = deadline - now_ms();
			struct pollfd pfd = { .fd = c->fd, .events = POLLIN };
			if (left <= 0 || poll(&pfd, 1, (int)left) == 0)
				return -1;
		}
		ssize_t n = recv(c->fd, c->buf + c->end, sizeof c->buf - c->end, 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n > 0)
			c->end += (size_t)n;
		return n < 0 ? -1 : n;
	}
}

/* Copy exactly n bytes into dst: the buffered ones first, then straight from the socket. */
static int conn_read(struct conn *c, uint8_t *dst, size_t n, int64_t deadline)
{
	size_t have = c->end - c->start;
	size_t take = have < n ? have : n;

	memcpy(dst, c->buf + c->start, take);
	c->start += take;
	dst += take;
	n -= take;
	while (n > 0) {
		if (deadline >= 0) {
			int64_t left = deadline - now_ms();
			struct pollfd pfd = { .fd = c->fd, .events = POLLIN };
			if (left <= 0 || poll(&pfd, 1, (int)left) == 0)
				return -1;
		}
		ssize_t r = recv(c->fd, dst, n, 0);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return -1;
		dst += r;
		n -= (size_t)r;
	}
	return 0;
}

/* Close without RST: FIN first, then read (and drop) until the peer's FIN, then close. */
static void close_gracefully(struct conn *c)
{
	int64_t deadline = now_ms() + DRAIN_MS;

	shutdown(c->fd, SHUT_WR);
	c->start = c->end = 0;
	while (conn_fill(c, deadline) > 0)
		c->start = c->end = 0;
	close(c->fd);
}

/* ---- the HTTP side: the page, errors and the handshake (section 4.2) -------------------- */

struct request {
	char *method, *target, *version;
	char *host, *upgrade, *connection, *key, *ws_version;
	int keys;              /* Sec-WebSocket-Key lines */
	bool websocket;        /* an Upgrade or a Sec-WebSocket-* header: a handshake attempt */
};

static void send_response(struct conn *c, const char *status, const char *extra,
			  const char *type, const char *body, size_t body_len, bool head_only)
{
	char head[512];
	int n = snprintf(head, sizeof head,
			 "HTTP/1.1 %s\r\n%sContent-Type: %s\r\nContent-Length: %zu\r\n"
			 "Connection: close\r\n\r\n", status, extra, type, body_len);

	if (send_all(c->fd, head, (size_t)n) == 0 && !head_only)
		send_all(c->fd, body, body_len);
}

static void send_error(struct conn *c, const char *status, const char *extra)
{
	char body[128];
	int n = snprintf(body, sizeof body, "<!DOCTYPE html>\n<title>%s</title><h1>%s</h1>\n",
			 status, status);
	send_response(c, status, extra, "text/html; charset=utf-8", body, (size_t)n, false);
}

/* Read the request head into c->buf; returns its length (through the empty line), 0 if
 * the client left first, -1 if it is over MAX_HEAD. Bytes after it stay in the buffer:
 * they are the start of the first frame. */
static ssize_t read_head(struct conn *c)
{
	for (;;) {
		size_t n = c->end - c->start;
		uint8_t *p = c->buf + c->start;
		for (size_t i = 3; i < n; i++)
			if (p[i - 3] == '\r' && p[i - 2] == '\n' && p[i - 1] == '\r' && p[i] == '\n')
				return i + 1 > MAX_HEAD ? -1 : (ssize_t)(i + 1);
		if (n > MAX_HEAD)
			return -1;
		if (conn_fill(c, -1) <= 0)
			return 0;
	}
}

static bool is_tchar(char ch)
{
	return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
	       (ch && strchr("!#$%&'*+-.^_`|~", ch));
}

/* Split the head (NUL-terminated, lines ending in CRLF) into r. false: malformed. */
static bool parse_head(char *head, struct request *r)
{
	char *line = head, *eol = strstr(line, "\r\n");

	memset(r, 0, sizeof *r);
	*eol = '\0';
	r->method = line;
	char *sp1 = strchr(line, ' ');
	char *sp2 = sp1 ? strchr(sp1 + 1, ' ') : NULL;
	if (!sp1 || !sp2 || strchr(sp2 + 1, ' ') || sp1 == line || sp2 == sp1 + 1)
		return false;
	*sp1 = *sp2 = '\0';
	r->target = sp1 + 1;
	r->version = sp2 + 1;
	for (char *m = r->method; *m; m++)
		if (!is_tchar(*m))
			return false;
	if (r->target[0] != '/' || strncmp(r->version, "HTTP/", 5) != 0)
		return false;

	for (line = eol + 2; *line; line = eol + 2) {
		eol = strstr(line, "\r\n");
		*eol = '\0';
		if (*line == '\0')
			break;                  /* the empty line */
		char *colon = strchr(line, ':');
		if (!colon || colon == line)
			return false;
		for (char *k = line; k < colon; k++)
			if (!is_tchar(*k))
				return false;
		*colon = '\0';
		char *v = colon + 1;
		for (char *k = v; *k; k++)
			if ((unsigned char)*k < 0x20 && *k != '\t')
				return false;   /* a control character in a value */
		while (*v == ' ' || *v == '\t')
			v++;
		char *e = v + strlen(v);
		while (e > v && (e[-1] == ' ' || e[-1] == '\t'))
			*--e = '\0';
		if (strcasecmp(line, "Host") == 0) {
			if (r->host)
				return false;
			r->host = v;
		} else if (strcasecmp(line, "Upgrade") == 0) {
			r->upgrade = v;
			r->websocket = true;
		} else if (strcasecmp(line, "Connection") == 0) {
			r->connection = v;
		} else if (strncasecmp(line, "Sec-WebSocket-", 14) == 0) {
			r->websocket = true;
			if (strcasecmp(line + 14, "Key") == 0) {
				r->key = v;
				r->keys++;
			} else if (strcasecmp(line + 14, "Version") == 0) {
				r->ws_version = v;
			}
		}
	}
	return true;
}

/* A plain request: GET or HEAD of / gets the page, anything else 404. */
static void serve_plain(struct conn *c, const struct request *r)
{
	bool head = strcmp(r->method, "HEAD") == 0;
	size_t plen = strcspn(r->target, "?");

	if ((head || strcmp(r->method, "GET") == 0) && plen == 1)
		send_response(c, "200 OK", "", "text/html; charset=utf-8", WS_PAGE,
			      sizeof WS_PAGE - 1, head);
	else
		send_error(c, "404 Not Found", "");
}

/* Section 4.2.1: every rule of a client's handshake. Returns 101, 400 or 426. */
static int judge_handshake(const struct request *r)
{
	if (strcmp(r->method, "GET") != 0 || strcmp(r->version, "HTTP/1.1") != 0 || !r->host)
		return 400;
	if (!r->upgrade || !ws_has_token(r->upgrade, strlen(r->upgrade), "websocket"))
		return 400;
	if (!r->connection || !ws_has_token(r->connection, strlen(r->connection), "Upgrade"))
		return 400;
	if (r->keys != 1 || !ws_is_valid_key(r->key, strlen(r->key)))
		return 400;
	if (!r->ws_version)
		return 400;
	if (strcmp(r->ws_version, "13") != 0)
		return 426;
	return 101;
}

/* ---- frames (section 5) ----------------------------------------------------------------- */

/* What the frame loop decided. */
enum verdict { GO_ON, PEER_CLOSED, PEER_GONE, FAILED };

struct session {
	struct conn *c;
	uint8_t *msg;          /* the message being reassembled */
	size_t msg_len, msg_cap;
	unsigned msg_op;       /* WS_TEXT or WS_BINARY while a message is open, else 0 */
	struct ws_utf8 utf8;
	unsigned fail_code;    /* the code of our close after FAILED */
	unsigned close_code;   /* the code of their close after PEER_CLOSED */
	uint64_t skip;         /* payload bytes of a refused frame, still to drop */
};

static int send_frame(struct conn *c, unsigned opcode, const void *p, size_t n)
{
	uint8_t h[WS_MAX_HEADER];
	size_t hl = ws_header_encode(h, true, opcode, NULL, n);

	if (n <= 4096) {         /* small frames: one send, one segment */
		uint8_t b[WS_MAX_HEADER + 4096];
		memcpy(b, h, hl);
		memcpy(b + hl, p, n);
		return send_all(c->fd, b, hl + n);
	}
	return send_all(c->fd, h, hl) == 0 ? send_all(c->fd, p, n) : -1;
}

static int send_close(struct conn *c, unsigned code)
{
	uint8_t p[2] = { (uint8_t)(code >> 8), (uint8_t)code };
	return send_frame(c, WS_CLOSE, p, 2);
}

static enum verdict fail(struct session *s, unsigned code)
{
	s->fail_code = code;
	return FAILED;
}

/* Read one frame header; -1 when the client is gone. */
static int read_header(struct conn *c, struct ws_header *h, int64_t deadline)
{
	for (;;) {
		int hl = ws_header_decode(c->buf + c->start, c->end - c->start, h);
		if (hl != 0) {
			if (hl > 0)
				c->start += (size_t)hl;
			return hl;
		}
		if (conn_fill(c, deadline) <= 0)
			return -2;
	}
}

/* A control frame (section 5.5): FIN set, at most 125 bytes. */
static enum verdict control_frame(struct session *s, const struct ws_header *h,
				  uint8_t *p)
{
	if (!h->fin || h->len > 125)
		return fail(s, WS_CLOSE_PROTOCOL);
	if (h->opcode == WS_PING)
		return send_frame(s->c, WS_PONG, p, h->len) == 0 ? GO_ON : PEER_GONE;
	if (h->opcode == WS_PONG)
		return GO_ON;   /* unsolicited pongs are ignored (section 5.5.3) */
	/* A close (section 5.5.1): nothing, or a 2-byte code and a UTF-8 reason. */
	if (h->len == 0) {
		s->close_code = WS_CLOSE_NORMAL;
		return PEER_CLOSED;
	}
	unsigned code = (unsigned)p[0] << 8 | p[1];
	if (h->len == 1 || !ws_is_valid_close_code(code))
		return fail(s, WS_CLOSE_PROTOCOL);
	if (!ws_is_utf8(p + 2, h->len - 2))
		return fail(s, WS_CLOSE_BAD_DATA);
	s->close_code = code;
	return PEER_CLOSED;
}

/* A data frame: text, binary or continuation. Echoes the message when it is complete. */
static enum verdict data_frame(struct session *s, const struct ws_header *h)
{
	/* A continuation with no message, or a new message inside another. */
	if ((h->opcode == WS_CONT) != (s->msg_op != 0)) {
		s->skip = h->len;
		return fail(s, WS_CLOSE_PROTOCOL);
	}
	if (h->opcode != WS_CONT) {
		s->msg_op = h->opcode;
		s->msg_len = 0;
		ws_utf8_init(&s->utf8);
	}
	if (h->len > MAX_MESSAGE - s->msg_len)
		return fail(s, WS_CLOSE_TOO_BIG);       /* skip: the rest is read and dropped */
	if (s->msg_len + h->len > s->msg_cap) {
		size_t cap = s->msg_len + h->len;
		uint8_t *m = realloc(s->msg, cap ? cap : 1);
		if (!m)
			return fail(s, WS_CLOSE_TOO_BIG);
		s->msg = m;
		s->msg_cap = cap;
	}
	uint8_t *p = s->msg + s->msg_len;
	if (conn_read(s->c, p, h->len, -1) < 0)
		return PEER_GONE;
	s->skip = 0;
	ws_mask(p, h->len, h->key, 0);
	s->msg_len += h->len;
	/* Section 8.1: fail a text message as soon as its bytes cannot be UTF-8. */
	if (s->msg_op == WS_TEXT && !ws_utf8_feed(&s->utf8, p, h->len))
		return fail(s, WS_CLOSE_BAD_DATA);
	if (!h->fin)
		return GO_ON;
	if (s->msg_op == WS_TEXT && !ws_utf8_complete(&s->utf8))
		return fail(s, WS_CLOSE_BAD_DATA);
	unsigned op = s->msg_op;
	s->msg_op = 0;
	return send_frame(s->c, op, s->msg, s->msg_len) == 0 ? GO_ON : PEER_GONE;
}

static enum verdict next_frame(struct session *s)
{
	struct ws_header h;
	uint8_t ctl[125];
	int hl = read_header(s->c, &h, -1);

	if (hl == -2)
		return PEER_GONE;
	if (hl < 0)
		return fail(s, WS_CLOSE_PROTOCOL);      /* a bad length: nothing more to read */
	s->skip = h.len;                                /* dropped if we refuse this frame */
	if (h.rsv != 0 || !h.masked)
		return fail(s, WS_CLOSE_PROTOCOL);      /* a reserved bit, an unmasked frame */
	switch (h.opcode) {
	case WS_CONT:
	case WS_TEXT:
	case WS_BINARY:
		return data_frame(s, &h);
	case WS_CLOSE:
	case WS_PING:
	case WS_PONG:
		if (h.len > 125)
			return fail(s, WS_CLOSE_PROTOCOL);
		if (conn_read(s->c, ctl, h.len, -1) < 0)
			return PEER_GONE;
		s->skip = 0;
		ws_mask(ctl, h.len, h.key, 0);
		return control_frame(s, &h, ctl);
	default:
		return fail(s, WS_CLOSE_PROTOCOL);      /* a reserved opcode */
	}
}

/* After our close for an error: wait up to CLOSE_WAIT_MS for the client's close frame,
 * dropping everything else (even bytes that are not frames), then close. */
static void await_close(struct conn *c, uint64_t skip)
{
	int64_t deadline = now_ms() + CLOSE_WAIT_MS;

	for (;;) {
		size_t have = c->end - c->start;
		if (skip > 0) {
			size_t n = have < skip ? have : (size_t)skip;
			c->start += n;
			skip -= n;
			if (skip > 0) {
				c->start = c->end = 0;
				if (conn_fill(c, deadline) <= 0)
					break;
				continue;
			}
		}
		struct ws_header h;
		int hl = ws_header_decode(c->buf + c->start, c->end - c->start, &h);
		if (hl < 0)
			break;
		if (hl > 0) {
			c->start += (size_t)hl;
			if (h.opcode == WS_CLOSE)
				break;
			skip = h.len;
			continue;
		}
		if (conn_fill(c, deadline) <= 0)
			break;
	}
	close_gracefully(c);
}

static void run_session(struct conn *c)
{
	struct session s = { .c = c };
	enum verdict v;

	while ((v = next_frame(&s)) == GO_ON)
		;
	free(s.msg);
	if (v == PEER_CLOSED) {
		/* Section 5.5.1: answer with the same code, then our FIN first. */
		send_close(c, s.close_code);
		close_gracefully(c);
	} else if (v == FAILED) {
		send_close(c, s.fail_code);
		await_close(c, s.skip);
	} else {
		close(c->fd);
	}
}

/* ---- one connection --------------------------------------------------------------------- */

static void *connection_thread(void *arg)
{
	struct conn *c = arg;
	struct request r;
	ssize_t hl = read_head(c);

	if (hl == 0) {
		close(c->fd);
		goto out;
	}
	if (hl < 0) {
		send_error(c, "400 Bad Request", "");
		close_gracefully(c);
		goto out;
	}
	char *head = malloc((size_t)hl + 1);
	if (!head) {
		close(c->fd);
		goto out;
	}
	memcpy(head, c->buf + c->start, (size_t)hl);
	head[hl] = '\0';
	c->start += (size_t)hl;
	if (memchr(head, '\0', (size_t)hl) || !parse_head(head, &r)) {
		send_error(c, "400 Bad Request", "");
		close_gracefully(c);
	} else if (!r.websocket) {
		serve_plain(c, &r);
		close_gracefully(c);
	} else {
		int code = judge_handshake(&r);
		if (code == 400) {
			send_error(c, "400 Bad Request", "");
			close_gracefully(c);
		} else if (code == 426) {
			send_error(c, "426 Upgrade Required", "Sec-WebSocket-Version: 13\r\n");
			close_gracefully(c);
		} else {
			char accept[WS_ACCEPT_LEN + 1], resp[256];
			ws_accept_key(r.key, strlen(r.key), accept);
			int n = snprintf(resp, sizeof resp, "HTTP/1.1 101 Switching Protocols\r\n"
					 "Upgrade: websocket\r\nConnection: Upgrade\r\n"
					 "Sec-WebSocket-Accept: %s\r\n\r\n", accept);
			if (send_all(c->fd, resp, (size_t)n) == 0)
				run_session(c);
			else
				close(c->fd);
		}
	}
	free(head);
out:
	free(c);
	return NULL;
}

int main(int argc, char **argv)
{
	if (argc != 2)
		usage();
	int port = parse_port(argv[1]);
	if (port < 0)
		usage();

	struct sigaction sa = { .sa_handler = on_signal };   /* no SA_RESTART: accept returns */
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);

	int lfd = open_listener(port);
	if (lfd < 0)
		return 1;

	pthread_attr_t attr;
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	while (!stopping) {
		int fd = accept(lfd, NULL, NULL);
		if (fd < 0) {
			if (errno != EINTR && errno != ECONNABORTED)
				perror(PROG ": accept");
			continue;
		}
		struct conn *c = malloc(sizeof *c);
		pthread_t t;
		if (!c) {
			close(fd);
			continue;
		}
		c->fd = fd;
		c->start = c->end = 0;
		if (pthread_create(&t, &attr, connection_thread, c) != 0) {
			perror(PROG ": pthread_create");
			close(fd);
			free(c);
		}
	}
	pthread_attr_destroy(&attr);
	close(lfd);
	return 0;
}
