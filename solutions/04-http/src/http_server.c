/* http_server.c: a small HTTP/1.1 file server, one thread per connection (RFC 9112, 9110).
 *
 * Usage: http_server PORT DOCROOT
 *
 * Serves GET and HEAD for regular files under DOCROOT, keeps connections open as HTTP/1.1
 * says, answers pipelined requests in order, and never serves anything outside DOCROOT.
 */
#define _XOPEN_SOURCE 700 /* POSIX 2008 with the XSI option, for realpath() */

#include "http_parse.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#define IDLE_TIMEOUT_S 5         /* close a connection that sends nothing for this long */
#define SEND_TIMEOUT_S 30        /* give up on a client that stops reading for this long */
#define DRAIN_LIMIT    (1 << 20) /* read at most this much while closing (see close_gracefully) */
#define IO_CHUNK       65536

/* What one connection's thread owns: the socket and the bytes read but not yet parsed.
 * Pipelined requests sit one after the other in buf[start..end). */
struct conn {
	int fd;
	const char *docroot; /* canonical (realpath) document root, shared read-only */
	char buf[HP_MAX_HEADER_SECTION + 1024];
	size_t start, end;
};

/* What the server remembers about one request while reading its head. */
struct request {
	struct hp_request_line rl;
	int hosts;            /* number of Host lines: HTTP/1.1 needs exactly one */
	bool conn_close;      /* Connection: close */
	bool conn_keep_alive; /* Connection: keep-alive (matters for HTTP/1.0) */
	bool has_length;
	uint64_t length;      /* Content-Length of the request body */
	bool chunked;         /* Transfer-Encoding present: a body we do not decode */
	bool expect_continue; /* Expect: 100-continue */
};

enum line_status { LINE_OK, LINE_EOF, LINE_TOO_LONG, LINE_TIMEOUT, LINE_ERROR };

/* Set by the SIGINT/SIGTERM handler; accept() in main() then fails with EINTR. */
static volatile sig_atomic_t stopping;

static void on_stop_signal(int sig)
{
	(void)sig;
	stopping = 1;
}

static _Noreturn void usage(void)
{
	fprintf(stderr, "usage: http_server PORT DOCROOT\n");
	exit(2);
}

/* Parses a port 1..65535; -1 for anything else. */
static int parse_port(const char *s)
{
	/* Digits only: strtol would also take " 80", "+80" and "-0". */
	long v = 0;
	if (*s == '\0')
		return -1;
	for (; *s != '\0'; s++) {
		if (*s < '0' || *s > '9')
			return -1;
		v = v * 10 + (*s - '0');
		if (v > 65535)
			return -1;
	}
	return v >= 1 ? (int)v : -1;
}

/* ---- Sending ---------------------------------------------------------------------- */

/* send() may write fewer bytes than asked: loop until everything is out. MSG_NOSIGNAL turns
 * a write to a closed connection into EPIPE instead of a process-killing SIGPIPE. */
static int send_all(int fd, const void *data, size_t len)
{
	const char *p = data;
	while (len > 0) {
		ssize_t n = send(fd, p, len, MSG_NOSIGNAL);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Writes the status line and headers of a response into out (RFC 9112 section 4, RFC 9110
 * section 6.6.1 for Date). Returns the length. Content-Length is always sent, so the client
 * always knows where the body ends, even on a connection that stays open. */
static size_t format_head(char *out, size_t outsz, int code, const char *type, uint64_t length,
                          bool closing, int minor, const char *extra)
{
	char date[64];
	time_t now = time(NULL);
	struct tm tm;
	gmtime_r(&now, &tm);
	strftime(date, sizeof date, "%a, %d %b %Y %H:%M:%S GMT", &tm);

	/* HTTP/1.0 clients close unless told the connection stays open (RFC 9112 9.3). */
	const char *conn = closing      ? "Connection: close\r\n"
	                   : minor == 0 ? "Connection: keep-alive\r\n"
	                                : "";
	int n = snprintf(out, outsz,
	                 "HTTP/1.1 %d %s\r\n"
	                 "Date: %s\r\n"
	                 "Server: wirelab-http\r\n"
	                 "Content-Type: %s\r\n"
	                 "Content-Length: %llu\r\n"
	                 "%s%s\r\n",
	                 code, hp_reason(code), date, type, (unsigned long long)length, conn,
	                 extra ? extra : "");
	return n < 0 ? 0 : (size_t)n < outsz ? (size_t)n : outsz - 1;
}

/* Sends a complete error response: a short HTML page saying what went wrong. */
static int send_error(struct conn *c, int code, bool closing, int minor, bool head_only)
{
	char body[256], head[512];
	int blen = snprintf(body, sizeof body,
	                    "<!DOCTYPE html>\n<html><head><title>%d %s</title></head>\n"
	                    "<body><h1>%d %s</h1></body></html>\n",
	                    code, hp_reason(code), code, hp_reason(code));
	const char *extra = code == 405 ? "Allow: GET, HEAD\r\n" : NULL;
	size_t hlen = format_head(head, sizeof head, code, "text/html; charset=utf-8",
	                          (uint64_t)blen, closing, minor, extra);
	/* Head and body in one buffer: one send, so they usually travel in one segment. */
	char msg[sizeof head + sizeof body];
	memcpy(msg, head, hlen);
	size_t len = hlen;
	if (!head_only) {
		memcpy(msg + hlen, body, (size_t)blen);
		len += (size_t)blen;
	}
	return send_all(c->fd, msg, len);
}

/* ---- Receiving -------------------------------------------------------------------- */

/* Reads more bytes into the connection buffer, making room first by moving the unparsed
 * bytes to the front. recv() times out after IDLE_TIMEOUT_S (SO_RCVTIMEO). */
static enum line_status fill(struct conn *c)
{
	if (c->start > 0) {
		memmove(c->buf, c->buf + c->start, c->end - c->start);
		c->end -= c->start;
		c->start = 0;
	}
	if (c->end == sizeof c->buf)
		return LINE_TOO_LONG;
	for (;;) {
		ssize_t n = recv(c->fd, c->buf + c->end, sizeof c->buf - c->end, 0);
		if (n > 0) {
			c->end += (size_t)n;
			return LINE_OK;
		}
		if (n == 0)
			return LINE_EOF;
		if (errno == EINTR)
			continue;
		if (errno == EAGAIN || errno == EWOULDBLOCK)
			return LINE_TIMEOUT;
		return LINE_ERROR;
	}
}

/* Returns the next line (without CRLF) in *line and *len. The line lives in c->buf until the
 * next call. A line longer than max bytes gives LINE_TOO_LONG. Lines end with CRLF; a bare
 * LF is accepted too, as RFC 9112 section 2.2 allows. Works whether the line arrived in one
 * segment, one byte per segment, or together with the next requests. */
static enum line_status read_line(struct conn *c, size_t max, const char **line, size_t *len)
{
	for (;;) {
		char *lf = memchr(c->buf + c->start, '\n', c->end - c->start);
		if (lf != NULL) {
			*line = c->buf + c->start;
			*len = (size_t)(lf - *line);
			c->start += *len + 1;
			if (*len > 0 && (*line)[*len - 1] == '\r')
				(*len)--;
			return *len > max ? LINE_TOO_LONG : LINE_OK;
		}
		if (c->end - c->start > max + 1)
			return LINE_TOO_LONG; /* even a CRLF next could not make it short enough */
		enum line_status st = fill(c);
		if (st != LINE_OK)
			return st;
	}
}

/* Records what the server needs from one header line. Returns 0, or 400 when the line or
 * a value we rely on is malformed. */
static int note_header(struct request *r, const char *line, size_t len)
{
	struct hp_header h;
	if (hp_parse_header(line, len, &h) != 0)
		return 400;
	if (hp_is_header(&h, "Host")) {
		r->hosts++;
	} else if (hp_is_header(&h, "Connection")) {
		r->conn_close |= hp_has_token(h.value, h.value_len, "close");
		r->conn_keep_alive |= hp_has_token(h.value, h.value_len, "keep-alive");
	} else if (hp_is_header(&h, "Content-Length")) {
		uint64_t v;
		/* Two different lengths make the body's end ambiguous (RFC 9112 section 6.3). */
		if (hp_parse_content_length(h.value, h.value_len, &v) != 0 ||
		    (r->has_length && v != r->length))
			return 400;
		r->has_length = true;
		r->length = v;
	} else if (hp_is_header(&h, "Transfer-Encoding")) {
		r->chunked = true;
	} else if (hp_is_header(&h, "Expect")) {
		r->expect_continue |= hp_has_token(h.value, h.value_len, "100-continue");
	}
	return 0;
}

/* Reads a request line and header section into r. Returns 0 when a complete, valid head
 * was read; an HTTP status code to answer with (then close); or -1 to close silently (the
 * client closed, or went quiet before sending anything). */
static int read_head(struct conn *c, struct request *r)
{
	const char *line;
	size_t len;
	enum line_status st;

	memset(r, 0, sizeof *r);
	r->rl.minor = 1;
	/* RFC 9112 section 2.2: ignore empty lines received before the request line. */
	do {
		st = read_line(c, HP_MAX_REQUEST_LINE, &line, &len);
	} while (st == LINE_OK && len == 0);
	if (st == LINE_TOO_LONG)
		return 414;
	if (st == LINE_TIMEOUT)
		return c->end > c->start ? 408 : -1; /* idle between requests: just close */
	if (st != LINE_OK)
		return -1;
	int code = hp_parse_request_line(line, len, &r->rl);
	if (code != 0)
		return code;

	/* Header lines up to the empty line; their total size is limited (RFC 6585 5). */
	size_t total = 0;
	for (;;) {
		st = read_line(c, HP_MAX_HEADER_SECTION - total, &line, &len);
		if (st == LINE_TOO_LONG)
			return 431;
		if (st == LINE_TIMEOUT)
			return 408;
		if (st != LINE_OK)
			return -1;
		if (len == 0)
			break;
		total += len + 2;
		if (total > HP_MAX_HEADER_SECTION)
			return 431;
		code = note_header(r, line, len);
		if (code != 0)
			return code;
	}

	/* RFC 9112 section 3.2: exactly one Host in HTTP/1.1; never two, in any version. */
	if ((r->rl.minor == 1 && r->hosts != 1) || r->hosts > 1)
		return 400;
	/* We do not decode chunked request bodies, so we cannot find where the next request
	 * starts: answer 501 and close (RFC 9112 section 6.1 allows exactly that). */
	if (r->chunked)
		return 501;
	return 0;
}

/* Reads and throws away a request body of n bytes so that the next pipelined request is
 * found where it starts (RFC 9112 section 6.3). Returns 0, or -1 if the client vanished. */
static int discard_body(struct conn *c, uint64_t n)
{
	while (n > 0) {
		if (c->start == c->end) {
			c->start = c->end = 0;
			if (fill(c) != LINE_OK)
				return -1;
		}
		size_t have = c->end - c->start;
		size_t take = n < have ? (size_t)n : have;
		c->start += take;
		n -= take;
	}
	return 0;
}

/* ---- Files ------------------------------------------------------------------------ */

/* Maps a request target to an open regular file under the document root. Returns the open
 * descriptor, or minus the status code to answer with (-400, -403, -404). */
static int open_target(const char *docroot, const char *target, char path[PATH_MAX])
{
	/* The query is ignored; the path is percent-decoded (RFC 3986 section 2.1). */
	char decoded[HP_MAX_REQUEST_LINE + 1];
	if (target[0] != '/')
		return -400; /* only origin-form targets (RFC 9112 section 3.2.1) */
	size_t plen = strcspn(target, "?");
	if (hp_percent_decode(target, plen, decoded, sizeof decoded) < 0)
		return -400;
	/* After decoding, a ".." segment could only be an attempt to climb out: refuse it. */
	if (!hp_is_safe_path(decoded))
		return -403;

	char joined[PATH_MAX + HP_MAX_REQUEST_LINE + 16];
	snprintf(joined, sizeof joined, "%s%s", docroot, decoded);
	struct stat st;
	if (stat(joined, &st) == 0 && S_ISDIR(st.st_mode)) {
		/* A directory serves its index.html (a slash is added if the URL had none). */
		size_t jl = strlen(joined);
		snprintf(joined + jl, sizeof joined - jl, "%sindex.html",
		         jl > 0 && joined[jl - 1] == '/' ? "" : "/");
	}

	/* realpath() resolves symbolic links: the canonical name must still be inside the
	 * document root, or a link planted in it could serve /etc/passwd. */
	if (realpath(joined, path) == NULL)
		return errno == EACCES ? -403 : -404;
	size_t rootlen = strlen(docroot);
	if (strncmp(path, docroot, rootlen) != 0 || (path[rootlen] != '/' && path[rootlen] != '\0'))
		return -403;

	/* O_NONBLOCK: opening a FIFO planted in the docroot must not block the thread. */
	int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return errno == EACCES ? -403 : -404;
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return -403; /* a device, a FIFO, a socket: nothing to serve as a file */
	}
	return fd;
}

/* Sends a 200 response for an open file: the head, then (for GET) exactly st_size bytes.
 * The head and the start of the file share one buffer, so a small file goes out in a
 * single send. Returns 0, or -1 when the connection must be closed. */
static int send_file(struct conn *c, int fd, const char *path, bool head_only, bool closing,
                     int minor)
{
	struct stat st;
	if (fstat(fd, &st) != 0)
		return -1;
	char buf[IO_CHUNK];
	uint64_t left = (uint64_t)st.st_size;
	size_t used = format_head(buf, sizeof buf, 200, hp_content_type(path), left, closing, minor,
	                          NULL);
	if (head_only)
		return send_all(c->fd, buf, used) == 0 ? 0 : -1;

	for (;;) {
		size_t room = sizeof buf - used;
		size_t want = left < room ? (size_t)left : room;
		ssize_t n = want > 0 ? read(fd, buf + used, want) : 0;
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 || (n == 0 && left > 0)) {
			/* The file shrank or failed: we promised Content-Length bytes and cannot keep
			 * the promise, so the connection must end here. */
			if (used > 0)
				send_all(c->fd, buf, used);
			return -1;
		}
		used += (size_t)n;
		left -= (uint64_t)n;
		if (send_all(c->fd, buf, used) != 0)
			return -1;
		used = 0;
		if (left == 0)
			return 0;
	}
}

/* ---- One request, one connection -------------------------------------------------- */

/* Whether the connection stays open after answering r (RFC 9112 section 9.3). */
static bool wants_close(const struct request *r)
{
	if (r->rl.minor == 0)
		return !r->conn_keep_alive || r->conn_close;
	return r->conn_close;
}

static bool is_standard_method(const char *m)
{
	static const char *const others[] = {"POST",    "PUT",   "DELETE", "PATCH",
	                                     "OPTIONS", "TRACE", "CONNECT"};
	for (size_t i = 0; i < sizeof others / sizeof others[0]; i++)
		if (strcmp(m, others[i]) == 0)
			return true;
	return false;
}

/* Reads and answers one request. Returns true when the connection stays open for the next
 * one, false when it must be closed. */
static bool handle_request(struct conn *c)
{
	struct request r;
	int code = read_head(c, &r);
	if (code < 0)
		return false;
	if (code != 0) {
		/* Malformed or oversized: the rest of the stream cannot be trusted, so close. */
		send_error(c, code, true, 1, false);
		return false;
	}

	bool closing = wants_close(&r);
	if (r.has_length && r.length > 0) {
		/* A client that sent Expect: 100-continue waits for permission (RFC 9110 10.1.1). */
		if (r.expect_continue && r.rl.minor == 1 &&
		    send_all(c->fd, "HTTP/1.1 100 Continue\r\n\r\n", 25) != 0)
			return false;
		if (discard_body(c, r.length) != 0)
			return false;
	}

	bool is_head = strcmp(r.rl.method, "HEAD") == 0;
	if (!is_head && strcmp(r.rl.method, "GET") != 0) {
		/* Methods are case-sensitive (RFC 9110 section 9.1): "get" is unknown. */
		code = is_standard_method(r.rl.method) ? 405 : 501;
		return send_error(c, code, closing, r.rl.minor, false) == 0 && !closing;
	}

	char path[PATH_MAX];
	int fd = open_target(c->docroot, r.rl.target, path);
	if (fd < 0) {
		code = -fd;
		closing |= code == 400; /* a target we cannot parse is a malformed request */
		return send_error(c, code, closing, r.rl.minor, is_head) == 0 && !closing;
	}
	int rc = send_file(c, fd, path, is_head, closing, r.rl.minor);
	close(fd);
	return rc == 0 && !closing;
}

/* Closes so that the peer sees FIN, not RST. close() with unread bytes in the receive
 * buffer makes the kernel send RST, which can destroy our last response before the client
 * reads it. So: shutdown our side (FIN goes out after the response), read until the client
 * closes too (or a limit), then close. */
static void close_gracefully(int fd)
{
	if (shutdown(fd, SHUT_WR) == 0) {
		struct timeval tv = {.tv_sec = 1, .tv_usec = 0};
		setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
		char sink[4096];
		size_t total = 0;
		ssize_t n;
		while (total < DRAIN_LIMIT && (n = recv(fd, sink, sizeof sink, 0)) != 0) {
			if (n < 0 && errno != EINTR)
				break;
			if (n > 0)
				total += (size_t)n;
		}
	}
	if (close(fd) != 0)
		perror("http_server: close");
}

static int set_timeouts(int fd)
{
	struct timeval rcv = {.tv_sec = IDLE_TIMEOUT_S, .tv_usec = 0};
	struct timeval snd = {.tv_sec = SEND_TIMEOUT_S, .tv_usec = 0};
	int one = 1;
	if (setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &rcv, sizeof rcv) != 0 ||
	    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &snd, sizeof snd) != 0)
		return -errno;
	/* We already gather each response into few large sends; Nagle's algorithm would only
	 * hold back the last small segment while waiting for an ACK. */
	if (setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one) != 0)
		return -errno;
	return 0;
}

static void *connection_thread(void *arg)
{
	struct conn *c = arg;
	if (set_timeouts(c->fd) != 0)
		perror("http_server: setsockopt");
	else
		while (handle_request(c))
			; /* keep-alive: the next request, pipelined or not */
	close_gracefully(c->fd);
	free(c);
	return NULL;
}

/* ---- Listening -------------------------------------------------------------------- */

/* A dual-stack listening socket: IPv6 on :: with IPV6_V6ONLY off also accepts IPv4
 * clients (as ::ffff:a.b.c.d). Falls back to IPv4 where IPv6 is disabled. */
static int listen_on(int port)
{
	int fd = socket(AF_INET6, SOCK_STREAM | SOCK_CLOEXEC, 0);
	bool v6 = fd >= 0;
	if (!v6 && (errno == EAFNOSUPPORT || errno == EPROTONOSUPPORT))
		fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		perror("http_server: socket");
		return -1;
	}
	int one = 1, zero = 0;
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) != 0 ||
	    (v6 && setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof zero) != 0)) {
		perror("http_server: setsockopt");
		goto fail;
	}

	struct sockaddr_in6 a6 = {.sin6_family = AF_INET6,
	                          .sin6_port = htons((uint16_t)port),
	                          .sin6_addr = IN6ADDR_ANY_INIT};
	struct sockaddr_in a4 = {.sin_family = AF_INET,
	                         .sin_port = htons((uint16_t)port),
	                         .sin_addr.s_addr = htonl(INADDR_ANY)};
	int rc = v6 ? bind(fd, (struct sockaddr *)&a6, sizeof a6)
	            : bind(fd, (struct sockaddr *)&a4, sizeof a4);
	if (rc != 0) {
		fprintf(stderr, "http_server: bind to port %d: %s\n", port, strerror(errno));
		goto fail;
	}
	if (listen(fd, SOMAXCONN) != 0) {
		perror("http_server: listen");
		goto fail;
	}
	return fd;

fail:
	close(fd);
	return -1;
}

/* Starts a detached thread for one accepted connection; the thread owns c from then on.
 * The new thread starts with SIGINT and SIGTERM blocked, so that those signals are always
 * delivered to the main thread, whose accept() they interrupt. */
static void spawn(int cfd, const char *docroot)
{
	struct conn *c = malloc(sizeof *c);
	if (c == NULL) {
		perror("http_server: malloc");
		close(cfd);
		return;
	}
	c->fd = cfd;
	c->docroot = docroot;
	c->start = c->end = 0;

	sigset_t stop, old;
	sigemptyset(&stop);
	sigaddset(&stop, SIGINT);
	sigaddset(&stop, SIGTERM);
	pthread_attr_t attr;
	pthread_t tid;
	int err = pthread_sigmask(SIG_BLOCK, &stop, &old);
	if (err == 0)
		err = pthread_attr_init(&attr);
	if (err == 0) {
		/* Detached: nobody joins it; its resources go back when it returns. */
		err = pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
		if (err == 0)
			err = pthread_create(&tid, &attr, connection_thread, c);
		pthread_attr_destroy(&attr);
	}
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (err != 0) {
		/* Out of threads: drop this client, keep serving the others. */
		fprintf(stderr, "http_server: pthread_create: %s\n", strerror(err));
		close(cfd);
		free(c);
	}
}

int main(int argc, char **argv)
{
	if (argc != 3)
		usage();
	int port = parse_port(argv[1]);
	if (port < 0)
		usage();

	/* One canonical name for the document root: every served path is compared to it. */
	static char docroot[PATH_MAX];
	struct stat st;
	if (realpath(argv[2], docroot) == NULL || stat(docroot, &st) != 0) {
		fprintf(stderr, "http_server: document root %s: %s\n", argv[2], strerror(errno));
		return 1;
	}
	if (!S_ISDIR(st.st_mode)) {
		fprintf(stderr, "http_server: document root %s: Not a directory\n", argv[2]);
		return 1;
	}
	if (strcmp(docroot, "/") == 0)
		docroot[0] = '\0'; /* so that "/" + "/a" joins as "/a", and every path is inside */

	int lfd = listen_on(port);
	if (lfd < 0)
		return 1;

	/* A client that closes early must cost us one send() error, not the whole process
	 * (SIGPIPE; MSG_NOSIGNAL covers send(), this covers everything else). SIGINT and
	 * SIGTERM end the accept loop; no SA_RESTART, so accept() returns EINTR. */
	struct sigaction sa = {.sa_handler = SIG_IGN};
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGPIPE, &sa, NULL) != 0) {
		perror("http_server: sigaction");
		return 1;
	}
	sa.sa_handler = on_stop_signal;
	if (sigaction(SIGINT, &sa, NULL) != 0 || sigaction(SIGTERM, &sa, NULL) != 0) {
		perror("http_server: sigaction");
		return 1;
	}

	while (!stopping) {
		int cfd = accept(lfd, NULL, NULL);
		if (cfd < 0) {
			/* A client that gave up before accept(), or a signal: not our problem. Running
			 * out of descriptors is: say so, pause, and keep going. */
			if (errno == EINTR || errno == ECONNABORTED || errno == EPROTO)
				continue;
			perror("http_server: accept");
			if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS ||
			    errno == ENOMEM) {
				sleep(1);
				continue;
			}
			close(lfd);
			return 1;
		}
		spawn(cfd, docroot);
	}
	/* Connections still being served end with the process: exit() does not wait for
	 * detached threads. */
	close(lfd);
	return 0;
}
