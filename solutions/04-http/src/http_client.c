/* http_client.c: fetches one URL over HTTP/1.1 and writes the body out (RFC 9112, 9110).
 *
 * Usage: http_client [-i] [-o FILE] [-d DATA] URL
 *
 * Exit status: 0 for a 2xx or 3xx response, 3 for 4xx or 5xx (the body is still written),
 * 1 for network errors, malformed responses and a silent server, 2 for usage errors.
 */
#define _POSIX_C_SOURCE 200809L

#include "http_parse.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#define SILENCE_TIMEOUT_S 5     /* give up when the server sends nothing for this long */
#define MAX_LINE          65536 /* longest status, header, chunk-size or trailer line */

/* Buffered reading from the connection: bytes read but not used yet are in
 * buf[start..end). */
struct reader {
	int fd;
	char buf[MAX_LINE + 2];
	size_t start, end;
};

/* A failure while talking to the server: say why on stderr and exit 1. */
static _Noreturn void fail(const char *what)
{
	fprintf(stderr, "http_client: %s\n", what);
	exit(1);
}

static _Noreturn void usage(void)
{
	fprintf(stderr, "usage: http_client [-i] [-o FILE] [-d DATA] http://host[:port]/path\n");
	exit(2);
}

/* ---- Connecting and sending ------------------------------------------------------- */

/* Connects to the first address of host that accepts (getaddrinfo gives IPv6 and IPv4
 * addresses; we try each in turn). SO_SNDTIMEO bounds connect() too (socket(7)). */
static int connect_to(const struct hp_url *u)
{
	struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM};
	struct addrinfo *res;
	int err = getaddrinfo(u->host, u->port_str, &hints, &res);
	if (err != 0) {
		fprintf(stderr, "http_client: %s: %s\n", u->host, gai_strerror(err));
		exit(1);
	}
	int fd = -1, saved = 0;
	struct timeval tv = {.tv_sec = SILENCE_TIMEOUT_S, .tv_usec = 0};
	for (struct addrinfo *ai = res; ai != NULL && fd < 0; ai = ai->ai_next) {
		fd = socket(ai->ai_family, ai->ai_socktype, ai->ai_protocol);
		if (fd < 0) {
			saved = errno;
			continue;
		}
		if (setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv) != 0 ||
		    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv) != 0 ||
		    connect(fd, ai->ai_addr, ai->ai_addrlen) != 0) {
			saved = errno == EINPROGRESS ? ETIMEDOUT : errno;
			close(fd);
			fd = -1;
		}
	}
	freeaddrinfo(res);
	if (fd < 0) {
		fprintf(stderr, "http_client: connect to %s port %d: %s\n", u->host, u->port,
		        strerror(saved));
		exit(1);
	}
	return fd;
}

static void send_all(int fd, const char *p, size_t len)
{
	while (len > 0) {
		ssize_t n = send(fd, p, len, MSG_NOSIGNAL);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			fprintf(stderr, "http_client: send: %s\n", strerror(errno));
			exit(1);
		}
		p += n;
		len -= (size_t)n;
	}
}

/* Sends the request (RFC 9112 section 3): request line, Host (with the port when it is not
 * the default, RFC 9110 section 7.2), Connection: close so the server ends the exchange,
 * and for -d a form body with its type and length. All in one buffer, one send loop. */
static void send_request(int fd, const struct hp_url *u, const char *data)
{
	char host[HP_MAX_HOST + 16];
	snprintf(host, sizeof host, u->is_ipv6 ? "[%s]" : "%s", u->host);
	if (u->port != 80) {
		size_t n = strlen(host);
		snprintf(host + n, sizeof host - n, ":%d", u->port);
	}

	size_t dlen = data ? strlen(data) : 0;
	size_t cap = sizeof u->target + sizeof host + 256 + dlen;
	char *req = malloc(cap);
	if (req == NULL)
		fail("out of memory");
	int n;
	if (data != NULL)
		n = snprintf(req, cap,
		             "POST %s HTTP/1.1\r\nHost: %s\r\nConnection: close\r\n"
		             "Content-Type: application/x-www-form-urlencoded\r\n"
		             "Content-Length: %zu\r\n\r\n",
		             u->target, host, dlen);
	else
		n = snprintf(req, cap, "GET %s HTTP/1.1\r\nHost: %s\r\nConnection: close\r\n\r\n",
		             u->target, host);
	if (n < 0 || (size_t)n + dlen >= cap)
		fail("request too long");
	if (dlen > 0)
		memcpy(req + n, data, dlen);
	send_all(fd, req, (size_t)n + dlen);
	free(req);
}

/* ---- Receiving -------------------------------------------------------------------- */

/* Reads more bytes; returns the number read, 0 at end of stream. Exits on errors and on
 * SILENCE_TIMEOUT_S seconds without a byte (SO_RCVTIMEO): never hang. */
static size_t fill(struct reader *r)
{
	if (r->start > 0) {
		memmove(r->buf, r->buf + r->start, r->end - r->start);
		r->end -= r->start;
		r->start = 0;
	}
	for (;;) {
		ssize_t n = recv(r->fd, r->buf + r->end, sizeof r->buf - r->end, 0);
		if (n >= 0) {
			r->end += (size_t)n;
			return (size_t)n;
		}
		if (errno == EINTR)
			continue;
		if (errno == EAGAIN || errno == EWOULDBLOCK)
			fail("timed out waiting for the server");
		fprintf(stderr, "http_client: recv: %s\n", strerror(errno));
		exit(1);
	}
}

/* Returns the next line, including its line ending, in *line and *raw_len, and its length
 * without CRLF (or a bare LF) in *len. Valid until the next read. Exits when the server
 * closes in the middle of a line or the line is absurdly long. */
static void read_line(struct reader *r, const char **line, size_t *raw_len, size_t *len)
{
	for (;;) {
		char *lf = memchr(r->buf + r->start, '\n', r->end - r->start);
		if (lf != NULL) {
			*line = r->buf + r->start;
			*raw_len = (size_t)(lf - *line) + 1;
			*len = *raw_len - 1;
			if (*len > 0 && (*line)[*len - 1] == '\r')
				(*len)--;
			r->start += *raw_len;
			return;
		}
		if (r->end - r->start >= MAX_LINE)
			fail("malformed response: line too long");
		if (fill(r) == 0)
			fail("malformed response: connection closed in the middle of the head");
	}
}

/* Writes all of p to fd (stdout or the -o file). */
static void write_all(int fd, const char *p, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			fprintf(stderr, "http_client: write: %s\n", strerror(errno));
			exit(1);
		}
		p += n;
		len -= (size_t)n;
	}
}

/* How the body of the response is delimited (RFC 9112 section 6.3). */
struct framing {
	bool chunked;
	bool has_length;
	uint64_t length;
};

/* Reads one response head: status line and header lines. With `echo` >= 0 the raw lines
 * of a final (non-1xx) response are written there as received (-i). Returns the code. */
static int read_head(struct reader *r, struct framing *f, int echo)
{
	const char *line;
	size_t raw, len;
	int code;

	read_line(r, &line, &raw, &len);
	if (hp_parse_status_line(line, len, &code) != 0)
		fail("malformed response: bad status line");
	if (code < 200)
		echo = -1; /* interim responses are skipped, also by -i */
	if (echo >= 0)
		write_all(echo, line, raw);

	memset(f, 0, sizeof *f);
	for (;;) {
		read_line(r, &line, &raw, &len);
		if (echo >= 0)
			write_all(echo, line, raw);
		if (len == 0)
			return code;
		struct hp_header h;
		if (hp_parse_header(line, len, &h) != 0)
			fail("malformed response: bad header line");
		if (hp_is_header(&h, "Transfer-Encoding")) {
			f->chunked = hp_has_token(h.value, h.value_len, "chunked");
		} else if (hp_is_header(&h, "Content-Length")) {
			uint64_t v;
			if (hp_parse_content_length(h.value, h.value_len, &v) != 0 ||
			    (f->has_length && v != f->length))
				fail("malformed response: bad Content-Length");
			f->has_length = true;
			f->length = v;
		}
	}
}

/* Copies exactly n body bytes to out. */
static void copy_exact(struct reader *r, uint64_t n, int out)
{
	while (n > 0) {
		if (r->start == r->end) {
			r->start = r->end = 0;
			if (fill(r) == 0)
				fail("malformed response: connection closed before the end of the "
				     "body");
		}
		size_t have = r->end - r->start;
		size_t take = n < have ? (size_t)n : have;
		write_all(out, r->buf + r->start, take);
		r->start += take;
		n -= take;
	}
}

/* Copies everything until the server closes: the body had no length (RFC 9112 6.3). */
static void copy_until_close(struct reader *r, int out)
{
	do {
		write_all(out, r->buf + r->start, r->end - r->start);
		r->start = r->end = 0;
	} while (fill(r) > 0);
}

/* Decodes a chunked body (RFC 9112 section 7.1): chunks of "size[;ext] CRLF data CRLF",
 * a last chunk of size 0, then trailer lines up to an empty line. */
static void copy_chunked(struct reader *r, int out)
{
	const char *line;
	size_t raw, len;
	for (;;) {
		uint64_t size;
		read_line(r, &line, &raw, &len);
		if (hp_parse_chunk_size(line, len, &size) != 0)
			fail("malformed response: bad chunk size");
		if (size == 0)
			break;
		copy_exact(r, size, out);
		read_line(r, &line, &raw, &len);
		if (len != 0)
			fail("malformed response: chunk data not followed by CRLF");
	}
	do /* trailer section: fields we do not need, then the empty line */
		read_line(r, &line, &raw, &len);
	while (len != 0);
}

/* Reads the final response (skipping 1xx interim ones, RFC 9110 section 15.2), writes its
 * body (and with -i its head first) to out, and returns its status code. */
static int read_response(int fd, int out, bool show_head)
{
	static struct reader r; /* 64 KiB: too big to be comfortable on the stack */
	r.fd = fd;
	struct framing f;
	int code;
	do
		code = read_head(&r, &f, show_head ? out : -1);
	while (code < 200);

	/* RFC 9112 section 6.3: 204 and 304 have no body; chunked wins over Content-Length;
	 * without either, the body runs until the server closes. */
	if (code == 204 || code == 304)
		return code;
	if (f.chunked)
		copy_chunked(&r, out);
	else if (f.has_length)
		copy_exact(&r, f.length, out);
	else
		copy_until_close(&r, out);
	return code;
}

int main(int argc, char **argv)
{
	bool show_head = false;
	const char *outfile = NULL, *data = NULL;
	int opt;
	opterr = 0; /* we print our own usage line */
	while ((opt = getopt(argc, argv, "io:d:")) != -1) {
		switch (opt) {
		case 'i': show_head = true; break;
		case 'o': outfile = optarg; break;
		case 'd': data = optarg; break;
		default: usage();
		}
	}
	if (optind != argc - 1)
		usage();
	static struct hp_url url;
	if (hp_parse_url(argv[optind], &url) != 0)
		usage();

	int out = STDOUT_FILENO;
	if (outfile != NULL) {
		out = open(outfile, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
		if (out < 0) {
			fprintf(stderr, "http_client: %s: %s\n", outfile, strerror(errno));
			return 1;
		}
	}

	int fd = connect_to(&url);
	send_request(fd, &url, data);
	int code = read_response(fd, out, show_head);
	if (close(fd) != 0)
		perror("http_client: close");
	if (out != STDOUT_FILENO && close(out) != 0) {
		fprintf(stderr, "http_client: %s: %s\n", outfile, strerror(errno));
		return 1;
	}
	return code >= 400 ? 3 : 0;
}
