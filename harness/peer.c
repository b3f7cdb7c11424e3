/* peer.c - scripted peers with deadlines. */
#define _GNU_SOURCE
#include "peer.h"
#include "clock.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int peer_buf_append(struct peer_buf *b, const void *p, size_t n)
{
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 4096;
		while (cap < b->len + n + 1)
			cap *= 2;
		uint8_t *d = realloc(b->data, cap);
		if (!d)
			return -ENOMEM;
		b->data = d;
		b->cap = cap;
	}
	if (n)
		memcpy(b->data + b->len, p, n);
	b->len += n;
	b->data[b->len] = 0;   /* handy for text protocols; not counted */
	return 0;
}

void peer_buf_free(struct peer_buf *b)
{
	free(b->data);
	memset(b, 0, sizeof *b);
}

const char *peer_strerror(int rc)
{
	if (rc == -ETIMEDOUT)
		return "timed out";
	if (rc == -EPIPE)
		return "the stream ended";
	if (rc == -ECONNRESET)
		return "reset by the server (RST)";
	if (rc == -EMSGSIZE)
		return "too many bytes";
	return strerror(rc < 0 ? -rc : rc);
}

/* Wait for events on fd until the deadline: 1 ready, -ETIMEDOUT. */
static int wait_fd(int fd, short events, int64_t deadline)
{
	struct pollfd p = { .fd = fd, .events = events };

	for (;;) {
		int left = clock_left_ms(deadline);
		int n = poll(&p, 1, left);
		if (n > 0)
			return 1;
		if (n < 0 && errno != EINTR)
			return -errno;
		if (n == 0 && left == 0)
			return -ETIMEDOUT;
	}
}

static int make_addr(const char *addr, uint16_t port, struct sockaddr_storage *ss,
		     socklen_t *len)
{
	struct sockaddr_in *a4 = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)ss;

	memset(ss, 0, sizeof *ss);
	if (inet_pton(AF_INET, addr, &a4->sin_addr) == 1) {
		a4->sin_family = AF_INET;
		a4->sin_port = htons(port);
		*len = sizeof *a4;
		return AF_INET;
	}
	if (inet_pton(AF_INET6, addr, &a6->sin6_addr) == 1) {
		a6->sin6_family = AF_INET6;
		a6->sin6_port = htons(port);
		*len = sizeof *a6;
		return AF_INET6;
	}
	return -EINVAL;
}

static int new_socket(int family, int type)
{
	int fd = socket(family, type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);

	return fd < 0 ? -errno : fd;
}

int peer_connect(const char *addr, uint16_t port, int timeout_ms, char *why, size_t whylen)
{
	struct sockaddr_storage ss;
	socklen_t len;
	int fam = make_addr(addr, port, &ss, &len);
	int fd, err = 0;
	socklen_t elen = sizeof err;

	if (fam < 0) {
		snprintf(why, whylen, "bad address %s", addr);
		return fam;
	}
	fd = new_socket(fam, SOCK_STREAM);
	if (fd < 0) {
		snprintf(why, whylen, "socket: %s", strerror(-fd));
		return fd;
	}
	if (connect(fd, (struct sockaddr *)&ss, len) < 0) {
		if (errno != EINPROGRESS) {
			err = errno;
			goto fail;
		}
		int rc = wait_fd(fd, POLLOUT, clock_deadline(timeout_ms));
		if (rc < 0) {
			err = -rc;
			goto fail;
		}
		if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &elen) < 0)
			err = errno;
		if (err)
			goto fail;
	}
	return fd;
fail:
	snprintf(why, whylen, "connect to %s port %u: %s", addr, port, peer_strerror(-err));
	close(fd);
	return -err;
}

int peer_listen(const char *addr, uint16_t port, int type, char *why, size_t whylen)
{
	struct sockaddr_storage ss;
	socklen_t len;
	int fam = make_addr(addr, port, &ss, &len);
	int one = 1, off = 0, fd;

	if (fam < 0) {
		snprintf(why, whylen, "bad address %s", addr);
		return fam;
	}
	fd = new_socket(fam, type);
	if (fd < 0) {
		snprintf(why, whylen, "socket: %s", strerror(-fd));
		return fd;
	}
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	if (fam == AF_INET6)
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &off, sizeof off);
	if (bind(fd, (struct sockaddr *)&ss, len) < 0 ||
	    (type == SOCK_STREAM && listen(fd, 128) < 0)) {
		int e = errno;
		snprintf(why, whylen, "bind %s port %u: %s", addr, port, strerror(e));
		close(fd);
		return -e;
	}
	return fd;
}

int peer_accept(int lfd, int timeout_ms)
{
	int64_t deadline = clock_deadline(timeout_ms);

	for (;;) {
		int fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd >= 0)
			return fd;
		if (errno != EAGAIN && errno != EINTR && errno != ECONNABORTED)
			return -errno;
		int rc = wait_fd(lfd, POLLIN, deadline);
		if (rc < 0)
			return rc;
	}
}

int peer_send(int fd, const void *p, size_t len, int timeout_ms)
{
	int64_t deadline = clock_deadline(timeout_ms);
	const uint8_t *b = p;

	while (len > 0) {
		ssize_t n = send(fd, b, len, MSG_NOSIGNAL);
		if (n > 0) {
			b += n;
			len -= (size_t)n;
			continue;
		}
		/* Sending after the other side's RST fails with ECONNRESET once, then with EPIPE
		 * (the grader never sends after its own shutdown): both mean the reset. */
		if (n < 0 && (errno == EPIPE || errno == ECONNRESET))
			return -ECONNRESET;
		if (n < 0 && errno != EAGAIN && errno != EINTR)
			return -errno;
		int rc = wait_fd(fd, POLLOUT, deadline);
		if (rc < 0)
			return rc;
	}
	return 0;
}

static ssize_t recv_by(int fd, void *p, size_t len, int64_t deadline)
{
	for (;;) {
		ssize_t n = recv(fd, p, len, 0);
		if (n >= 0)
			return n;
		if (errno != EAGAIN && errno != EINTR)
			return -errno;
		int rc = wait_fd(fd, POLLIN, deadline);
		if (rc < 0)
			return rc;
	}
}

ssize_t peer_recv(int fd, void *p, size_t len, int timeout_ms)
{
	return recv_by(fd, p, len, clock_deadline(timeout_ms));
}

int peer_recv_all(int fd, struct peer_buf *b, size_t max, int timeout_ms)
{
	int64_t deadline = clock_deadline(timeout_ms);
	uint8_t tmp[65536];

	for (;;) {
		size_t room = max - b->len;
		if (room == 0)
			return -EMSGSIZE;
		ssize_t n = recv_by(fd, tmp, room < sizeof tmp ? room : sizeof tmp, deadline);
		if (n <= 0)
			return (int)n;
		if (peer_buf_append(b, tmp, (size_t)n) < 0)
			return -ENOMEM;
	}
}

static bool holds(const struct peer_buf *b, const char *delim)
{
	size_t dl = strlen(delim);

	if (b->len < dl)
		return false;
	for (size_t i = 0; i + dl <= b->len; i++)
		if (memcmp(b->data + i, delim, dl) == 0)
			return true;
	return false;
}

int peer_recv_until(int fd, struct peer_buf *b, const char *delim, size_t max, int timeout_ms)
{
	int64_t deadline = clock_deadline(timeout_ms);
	uint8_t tmp[4096];

	while (!holds(b, delim)) {
		if (b->len >= max)
			return -EMSGSIZE;
		size_t room = max - b->len;
		ssize_t n = recv_by(fd, tmp, room < sizeof tmp ? room : sizeof tmp, deadline);
		if (n == 0)
			return -EPIPE;
		if (n < 0)
			return (int)n;
		if (peer_buf_append(b, tmp, (size_t)n) < 0)
			return -ENOMEM;
	}
	return 0;
}

int peer_recv_n(int fd, struct peer_buf *b, size_t n, int timeout_ms)
{
	int64_t deadline = clock_deadline(timeout_ms);
	uint8_t tmp[65536];

	while (b->len < n) {
		size_t want = n - b->len;
		ssize_t r = recv_by(fd, tmp, want < sizeof tmp ? want : sizeof tmp, deadline);
		if (r == 0)
			return -EPIPE;
		if (r < 0)
			return (int)r;
		if (peer_buf_append(b, tmp, (size_t)r) < 0)
			return -ENOMEM;
	}
	return 0;
}

void peer_pump(int fd, struct peer_pump *p)
{
	int64_t deadline = clock_deadline(p->timeout_ms);
	int64_t read_at = clock_deadline(p->read_delay_ms);
	bool shut = false;
	uint8_t buf[65536];

	for (;;) {
		if (p->sent == p->nout && !shut) {
			shutdown(fd, SHUT_WR);
			shut = true;
		}
		bool reading = clock_mono_ns() >= read_at;
		struct pollfd pfd = { .fd = fd, .events = (short)((reading ? POLLIN : 0) |
								  (shut ? 0 : POLLOUT)) };
		int left = clock_left_ms(deadline);
		if (left == 0) {
			p->rc = -ETIMEDOUT;
			return;
		}
		if (!reading && clock_left_ms(read_at) < left)
			left = clock_left_ms(read_at) + 1;
		if (pfd.events == 0) {
			clock_sleep_ms(left);
			continue;
		}
		if (poll(&pfd, 1, left) <= 0)
			continue;
		if (pfd.revents & POLLOUT) {
			ssize_t n = send(fd, p->out + p->sent, p->nout - p->sent, MSG_NOSIGNAL);
			if (n > 0)
				p->sent += (size_t)n;
			else if (n < 0 && errno != EAGAIN && errno != EINTR) {
				p->rc = -errno;
				return;
			}
		}
		if (reading && (pfd.revents & (POLLIN | POLLHUP | POLLERR))) {
			ssize_t n = recv(fd, buf, sizeof buf, 0);
			if (n == 0) {
				p->rc = 0;
				return;
			}
			if (n > 0 && peer_buf_append(&p->in, buf, (size_t)n) < 0) {
				p->rc = -ENOMEM;
				return;
			}
			if (n < 0 && errno != EAGAIN && errno != EINTR) {
				p->rc = -errno;
				return;
			}
		}
	}
}

size_t peer_send_until_stalled(int fd, size_t max, int stall_ms, int timeout_ms)
{
	static const uint8_t chunk[65536];
	int64_t deadline = clock_deadline(timeout_ms);
	size_t sent = 0;

	while (clock_left_ms(deadline) > 0 && sent < max) {
		struct pollfd pfd = { .fd = fd, .events = POLLOUT };
		int left = clock_left_ms(deadline);
		int r = poll(&pfd, 1, left < stall_ms ? left : stall_ms);
		if (r == 0)
			break;          /* stalled */
		if (r < 0)
			continue;
		ssize_t n = send(fd, chunk, sizeof chunk, MSG_NOSIGNAL | MSG_DONTWAIT);
		if (n > 0)
			sent += (size_t)n;
		else if (n < 0 && errno != EAGAIN && errno != EINTR)
			break;
	}
	return sent;
}

int peer_shutdown_wr(int fd)
{
	return shutdown(fd, SHUT_WR) < 0 ? -errno : 0;
}

void peer_reset(int fd)
{
	struct linger l = { .l_onoff = 1, .l_linger = 0 };

	setsockopt(fd, SOL_SOCKET, SO_LINGER, &l, sizeof l);
	close(fd);
}

void peer_nodelay(int fd)
{
	int one = 1;

	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
}

void peer_small_rcvbuf(int fd, int bytes)
{
	setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &bytes, sizeof bytes);
}

int peer_udp_socket(const char *addr, char *why, size_t whylen)
{
	return peer_listen(addr, 0, SOCK_DGRAM, why, whylen);
}

int peer_sendto(int fd, const void *p, size_t len, const char *addr, uint16_t port)
{
	struct sockaddr_storage ss;
	socklen_t sl;
	int fam = make_addr(addr, port, &ss, &sl);

	if (fam < 0)
		return fam;
	if (sendto(fd, p, len, 0, (struct sockaddr *)&ss, sl) < 0)
		return -errno;
	return 0;
}

ssize_t peer_recvfrom(int fd, void *p, size_t len, struct sockaddr_storage *from,
		      int timeout_ms)
{
	int64_t deadline = clock_deadline(timeout_ms);

	for (;;) {
		socklen_t fl = sizeof *from;
		ssize_t n = recvfrom(fd, p, len, 0, (struct sockaddr *)from, from ? &fl : NULL);
		if (n >= 0)
			return n;
		if (errno != EAGAIN && errno != EINTR)
			return -errno;
		int rc = wait_fd(fd, POLLIN, deadline);
		if (rc < 0)
			return rc;
	}
}

uint16_t peer_local_port(int fd)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof ss;

	if (getsockname(fd, (struct sockaddr *)&ss, &len) < 0)
		return 0;
	if (ss.ss_family == AF_INET)
		return ntohs(((struct sockaddr_in *)&ss)->sin_port);
	return ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
}
