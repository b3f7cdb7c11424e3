/* wspeer.c - scripted WebSocket peers; see wspeer.h. */
#define _GNU_SOURCE
#include "wspeer.h"
#include "clock.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define READ_CHUNK 65536

uint32_t wspeer_rand(uint32_t *seed)
{
	uint32_t x = *seed ? *seed : 0x9E3779B9u;
	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	return *seed = x;
}

void wspeer_init(struct wspeer *w, int fd, bool client, uint32_t seed)
{
	memset(w, 0, sizeof *w);
	w->fd = fd;
	w->client = client;
	w->seed = seed;
}

void wspeer_close(struct wspeer *w)
{
	if (!w)
		return;
	if (w->fd >= 0)
		close(w->fd);
	w->fd = -1;
	peer_buf_free(&w->in);
	free(w->payload);
	w->payload = NULL;
	w->payload_cap = 0;
}

/* Drop the bytes already read when they are most of the buffer. */
static void compact(struct wspeer *w)
{
	if (w->used > 0 && w->used * 2 >= w->in.len) {
		memmove(w->in.data, w->in.data + w->used, w->in.len - w->used);
		w->in.len -= w->used;
		w->used = 0;
	}
}

/* Read what is there without waiting: 1 some, 0 FIN, -EAGAIN nothing, -errno. */
static int read_some(struct wspeer *w)
{
	uint8_t buf[READ_CHUNK];

	if (w->eof)
		return 0;
	if (w->err)
		return w->err;
	ssize_t n = recv(w->fd, buf, sizeof buf, MSG_DONTWAIT);
	if (n > 0) {
		compact(w);
		return peer_buf_append(&w->in, buf, (size_t)n) < 0 ? -ENOMEM : 1;
	}
	if (n == 0) {
		w->eof = true;
		return 0;
	}
	if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
		return -EAGAIN;
	w->err = -errno;
	return w->err;
}

int wspeer_fill(struct wspeer *w, int timeout_ms)
{
	int64_t deadline = clock_deadline(timeout_ms);

	for (;;) {
		int rc = read_some(w);
		if (rc != -EAGAIN)
			return rc;
		struct pollfd p = { .fd = w->fd, .events = POLLIN };
		int left = clock_left_ms(deadline);
		if (left <= 0)
			return -ETIMEDOUT;
		if (poll(&p, 1, left) < 0 && errno != EINTR)
			return -errno;
	}
}

int wspeer_send(struct wspeer *w, const void *p, size_t n, int timeout_ms)
{
	const uint8_t *b = p;
	int64_t deadline = clock_deadline(timeout_ms);

	while (n > 0) {
		struct pollfd pfd = { .fd = w->fd, .events = POLLOUT | POLLIN };
		if (w->eof || w->err)
			pfd.events = POLLOUT;
		int left = clock_left_ms(deadline);
		if (left <= 0)
			return -ETIMEDOUT;
		if (poll(&pfd, 1, left) < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (pfd.revents & POLLIN) {
			int rc = read_some(w);
			if (rc < 0 && rc != -EAGAIN && rc != -ECONNRESET)
				return rc;
		}
		if (pfd.revents & (POLLOUT | POLLERR | POLLHUP)) {
			ssize_t s = send(w->fd, b, n, MSG_NOSIGNAL | MSG_DONTWAIT);
			if (s < 0) {
				if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
					continue;
				return -errno;
			}
			b += s;
			n -= (size_t)s;
		}
	}
	return 0;
}

int wspeer_send_frame(struct wspeer *w, bool fin, unsigned rsv, unsigned opcode,
		      const void *p, size_t n, int timeout_ms)
{
	uint8_t key[4];
	size_t len;

	if (w->client) {
		uint32_t r = wspeer_rand(&w->seed);
		memcpy(key, &r, 4);
	}
	uint8_t *frame = wsframe_build(fin, rsv, opcode, w->client ? key : NULL, p, n, &len);
	if (!frame)
		return -ENOMEM;
	int rc = wspeer_send(w, frame, len, timeout_ms);
	free(frame);
	return rc;
}

int wspeer_send_close(struct wspeer *w, unsigned code, const char *reason, int timeout_ms)
{
	uint8_t p[125];
	size_t n = 0;

	if (code) {
		p[0] = (uint8_t)(code >> 8);
		p[1] = (uint8_t)code;
		n = 2;
		if (reason) {
			size_t r = strlen(reason);
			if (r > sizeof p - 2)
				r = sizeof p - 2;
			memcpy(p + 2, reason, r);
			n += r;
		}
	}
	return wspeer_send_frame(w, true, 0, WS_OP_CLOSE, p, n, timeout_ms);
}

int wspeer_frame(struct wspeer *w, struct wsframe *f, int timeout_ms, char *why, size_t whylen)
{
	int64_t deadline = clock_deadline(timeout_ms);

	for (;;) {
		ssize_t r = wsframe_parse(w->in.data + w->used, w->in.len - w->used, f, why, whylen);
		if (r == WSFRAME_BAD)
			return -EPROTO;
		if (r > 0) {
			if (f->len + 1 > w->payload_cap) {
				uint8_t *p = realloc(w->payload, f->len + 1);
				if (!p)
					return -ENOMEM;
				w->payload = p;
				w->payload_cap = f->len + 1;
			}
			wsframe_unmask(f, w->payload);
			w->payload[f->len] = '\0';
			f->payload = w->payload;
			w->used += (size_t)r;
			return 1;
		}
		int rc = wspeer_fill(w, clock_left_ms(deadline));
		if (rc == 0 || rc == -ECONNRESET)
			return 0;
		if (rc < 0)
			return rc;
	}
}

int wspeer_head(struct wspeer *w, unsigned flags, struct httpmsg *m, int timeout_ms,
		char *why, size_t whylen)
{
	int64_t deadline = clock_deadline(timeout_ms);

	for (;;) {
		ssize_t r = httpmsg_parse(w->in.data + w->used, w->in.len - w->used, flags, m, why,
					  whylen);
		if (r == HTTPMSG_BAD)
			return -EPROTO;
		if (m->head_len > 0) {
			int n = (int)m->head_len;
			w->used += m->head_len;
			return n;
		}
		int rc = wspeer_fill(w, clock_left_ms(deadline));
		if (rc == 0 || rc == -ECONNRESET)
			return 0;
		if (rc < 0)
			return rc;
	}
}

int wspeer_client_handshake(struct wspeer *w, const char *path, const char *key,
			    const char *extra, struct httpmsg *m, int timeout_ms, char *why,
			    size_t whylen)
{
	char req[4096];
	int n = snprintf(req, sizeof req, "GET %s HTTP/1.1\r\nHost: 127.0.0.1\r\n"
			 "Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: %s\r\n"
			 "Sec-WebSocket-Version: 13\r\n%s\r\n", path, key, extra ? extra : "");
	if (n < 0 || (size_t)n >= sizeof req)
		return -EINVAL;
	int rc = wspeer_send(w, req, (size_t)n, timeout_ms);
	if (rc < 0)
		return rc;
	return wspeer_head(w, 0, m, timeout_ms, why, whylen);
}

int wspeer_server_handshake(struct wspeer *w, bool bad_accept, const void *first, size_t nfirst,
			    char *req, size_t reqsz, int timeout_ms, char *why, size_t whylen)
{
	struct httpmsg m;
	char accept[WSFRAME_ACCEPT_LEN + 1], resp[512];
	int hl = wspeer_head(w, HTTPMSG_REQUEST, &m, timeout_ms, why, whylen);

	if (hl <= 0)
		return hl;
	if (req && reqsz) {
		size_t n = (size_t)hl < reqsz - 1 ? (size_t)hl : reqsz - 1;
		memcpy(req, w->in.data + w->used - (size_t)hl, n);
		req[n] = '\0';
	}
	const struct httpmsg_field *key = httpmsg_header(&m, "Sec-WebSocket-Key", 0);
	if (!key) {
		snprintf(why, whylen, "a handshake without Sec-WebSocket-Key");
		return -EPROTO;
	}
	wsframe_accept(key->value, key->value_len, accept);
	if (bad_accept)
		accept[3] = accept[3] == 'A' ? 'B' : 'A';
	int n = snprintf(resp, sizeof resp, "HTTP/1.1 101 Switching Protocols\r\n"
			 "Upgrade: websocket\r\nConnection: Upgrade\r\n"
			 "Sec-WebSocket-Accept: %s\r\n\r\n", accept);
	uint8_t *all = malloc((size_t)n + nfirst);
	if (!all)
		return -ENOMEM;
	memcpy(all, resp, (size_t)n);
	if (nfirst)
		memcpy(all + n, first, nfirst);
	int rc = wspeer_send(w, all, (size_t)n + nfirst, timeout_ms);
	free(all);
	return rc;
}
