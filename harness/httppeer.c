/* httppeer.c - scripted HTTP/1.1 peers (see httppeer.h). */
#include "httppeer.h"
#include "clock.h"

#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

/* ---- the grader's client ---------------------------------------------------------------- */

int httpc_open(struct httpc *v, const char *addr, uint16_t port, int timeout_ms, char *why,
	       size_t whylen)
{
	memset(v, 0, sizeof *v);
	v->fd = peer_connect(addr, port, timeout_ms, why, whylen);
	if (v->fd < 0) {
		int rc = v->fd;
		v->fd = -1;
		return rc;
	}
	peer_nodelay(v->fd);
	return 0;
}

void httpc_close(struct httpc *v)
{
	if (v->fd >= 0)
		close(v->fd);
	v->fd = -1;
	peer_buf_free(&v->in);
}

int httpc_send(struct httpc *v, const void *p, size_t n, int timeout_ms)
{
	return peer_send(v->fd, p, n, timeout_ms);
}

int httpc_fill(struct httpc *v, int timeout_ms)
{
	uint8_t buf[65536];

	if (v->eof)
		return 0;
	if (v->err)
		return v->err;
	ssize_t n = peer_recv(v->fd, buf, sizeof buf, timeout_ms);
	if (n > 0) {
		if (peer_buf_append(&v->in, buf, (size_t)n) == 0)
			return 1;
		n = -ENOMEM;
	}
	if (n == 0)
		v->eof = true;
	else if (n != -ETIMEDOUT)
		v->err = (int)n;
	return (int)n;
}

void httpc_read_for(struct httpc *v, int timeout_ms)
{
	int64_t deadline = clock_deadline(timeout_ms);

	while (!v->eof && !v->err && httpc_fill(v, clock_left_ms(deadline)) > 0)
		;
}

void httpc_await(struct httpc *v, int timeout_ms)
{
	int64_t deadline = clock_deadline(timeout_ms);
	struct httpmsg m;

	while (!v->eof && !v->err && clock_left_ms(deadline) > 0 &&
	       httpmsg_parse(v->in.data + v->used, v->in.len - v->used, 0, &m, NULL, 0) ==
	       HTTPMSG_INCOMPLETE)
		httpc_fill(v, clock_left_ms(deadline));
}

enum httpc_got httpc_response(struct httpc *v, unsigned flags, struct httpmsg *m,
			      int timeout_ms, char *why, size_t whylen)
{
	int64_t deadline = clock_deadline(timeout_ms);

	for (;;) {
		bool to_close = v->eof && (flags & HTTPC_TO_CLOSE);
		ssize_t r = httpmsg_parse(v->in.data + v->used, v->in.len - v->used,
					  (flags & HTTPMSG_HEAD) | (to_close ? HTTPMSG_EOF : 0), m, why,
					  whylen);
		if (r > 0) {
			v->used += (size_t)r;
			return HTTPC_DONE;
		}
		if (r == HTTPMSG_BAD)
			return HTTPC_BAD;
		/* The head is all the caller wants, or all it can judge before the close. */
		if (m->head_len > 0 && ((flags & HTTPC_HEAD_ONLY) ||
					(m->framing == HTTPMSG_CLOSE && !(flags & HTTPC_TO_CLOSE))))
			return HTTPC_DONE;
		if (v->eof || v->err)
			return HTTPC_ENDED;
		if (httpc_fill(v, clock_left_ms(deadline)) == -ETIMEDOUT)
			return HTTPC_SLOW;
	}
}

/* ---- the scripted server ---------------------------------------------------------------- */

size_t http_cut(const void *text, size_t n, size_t step, struct http_piece *pieces, size_t max)
{
	size_t k = 0;

	for (size_t off = 0; off < n && k < max; off += step, k++) {
		pieces[k].data = (const uint8_t *)text + off;
		pieces[k].len = n - off < step ? n - off : step;
	}
	return k;
}

void httpsrv_init(struct httpsrv *s, int fd)
{
	memset(s, 0, sizeof *s);
	s->fd = fd;
}

ssize_t httpsrv_read_request(struct httpsrv *s, int timeout_ms)
{
	int64_t deadline = clock_deadline(timeout_ms);
	struct httpmsg m;

	for (;;) {
		uint8_t buf[4096];
		ssize_t r = httpmsg_parse(s->req.data, s->req.len, HTTPMSG_REQUEST, &m, s->why,
					  sizeof s->why);
		if (r != HTTPMSG_INCOMPLETE)
			return r;
		ssize_t n = peer_recv(s->fd, buf, sizeof buf, clock_left_ms(deadline));
		if (n <= 0 || peer_buf_append(&s->req, buf, (size_t)n) < 0)
			return HTTPMSG_INCOMPLETE;
	}
}

int httpsrv_send(struct httpsrv *s, const struct http_piece *pieces, size_t n, int gap_ms,
		 int timeout_ms)
{
	peer_nodelay(s->fd);
	for (size_t i = 0; i < n; i++) {
		if (i > 0 && gap_ms > 0)
			clock_sleep_ms(gap_ms);
		int rc = peer_send(s->fd, pieces[i].data, pieces[i].len, timeout_ms);
		if (rc < 0)
			return rc;
	}
	return 0;
}

void httpsrv_close(struct httpsrv *s, int drain_ms)
{
	int64_t deadline = clock_deadline(drain_ms);
	uint8_t buf[4096];

	/* Read and drop: however much the client still sends, nothing is kept. */
	while (s->fd >= 0 && clock_left_ms(deadline) > 0 &&
	       peer_recv(s->fd, buf, sizeof buf, clock_left_ms(deadline)) > 0)
		;
	if (s->fd >= 0)
		close(s->fd);
	s->fd = -1;
	peer_buf_free(&s->req);
}
