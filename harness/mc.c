/* mc.c - many clients in one thread, one poll() loop. */
#include "mc.h"
#include "clock.h"
#include "esc.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define MC_READ_CHUNK 65536

struct mc *mc_new(size_t cap, void *owner)
{
	struct mc *m = calloc(1, sizeof *m);

	if (!m)
		return NULL;
	m->owner = owner;
	m->cap = cap;
	m->cl = calloc(cap ? cap : 1, sizeof *m->cl);
	m->pfd = calloc(cap ? cap : 1, sizeof *m->pfd);
	m->map = calloc(cap ? cap : 1, sizeof *m->map);
	if (!m->cl || !m->pfd || !m->map) {
		mc_free(m);
		return NULL;
	}
	return m;
}

void mc_free(struct mc *m)
{
	if (!m)
		return;
	for (size_t i = 0; m->cl && i < m->n; i++) {
		if (m->cl[i].fd >= 0)
			close(m->cl[i].fd);
		peer_buf_free(&m->cl[i].in);
		peer_buf_free(&m->cl[i].out);
		free(m->cl[i].seq);
	}
	free(m->cl);
	free(m->pfd);
	free(m->map);
	free(m);
}

int mc_connect(struct mc *m, const char *addr, uint16_t port, int timeout_ms,
	       const char *label, char *why, size_t whylen)
{
	if (m->n == m->cap) {
		snprintf(why, whylen, "more than %zu clients", m->cap);
		return -ENOSPC;
	}
	int fd = peer_connect(addr, port, timeout_ms, why, whylen);
	if (fd < 0)
		return fd;
	peer_nodelay(fd);
	struct mc_client *k = &m->cl[m->n];
	memset(k, 0, sizeof *k);
	k->fd = fd;
	k->lport = peer_local_port(fd);
	snprintf(k->label, sizeof k->label, "%s", label);
	return (int)m->n++;
}

void mc_queue(struct mc_client *k, const void *p, size_t n)
{
	if (k->opos == k->out.len) {
		k->out.len = 0;
		k->opos = 0;
	}
	if (peer_buf_append(&k->out, p, n) < 0)
		k->err = -ENOMEM;
}

void mc_write(struct mc_client *k)
{
	while (k->opos < k->out.len && !k->err) {
		ssize_t n = send(k->fd, k->out.data + k->opos, k->out.len - k->opos, MSG_NOSIGNAL);
		if (n > 0) {
			k->opos += (size_t)n;
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno != EAGAIN)
			k->err = -errno;
		return;
	}
}

void mc_read(struct mc_client *k)
{
	/* Drop consumed lines first, so a client that receives megabytes holds only the rest. */
	if (k->pos > 0 && k->pos * 2 >= k->in.len) {
		memmove(k->in.data, k->in.data + k->pos, k->in.len - k->pos);
		k->in.len -= k->pos;
		k->pos = 0;
	}
	for (int round = 0; round < 8; round++) {
		if (k->in.cap < k->in.len + MC_READ_CHUNK + 1) {
			size_t cap = k->in.cap ? k->in.cap : 4096;
			while (cap < k->in.len + MC_READ_CHUNK + 1)
				cap *= 2;
			uint8_t *d = realloc(k->in.data, cap);
			if (!d) {
				k->err = -ENOMEM;
				return;
			}
			k->in.data = d;
			k->in.cap = cap;
		}
		ssize_t n = recv(k->fd, k->in.data + k->in.len, MC_READ_CHUNK, 0);
		if (n > 0) {
			k->in.len += (size_t)n;
			k->in.data[k->in.len] = 0;
			continue;
		}
		if (n == 0)
			k->eof = true;
		else if (errno == EINTR)
			continue;
		else if (errno != EAGAIN)
			k->err = -errno;
		return;
	}
}

bool mc_pump(struct mc *m, int64_t deadline, bool (*done)(struct mc *, void *), void *arg)
{
	for (;;) {
		if (done(m, arg))
			return true;
		int left = clock_left_ms(deadline);
		if (left == 0)
			return false;
		nfds_t nfds = 0;
		for (size_t i = 0; i < m->n; i++) {
			struct mc_client *k = &m->cl[i];
			short ev = 0;
			if (k->fd < 0 || k->err)
				continue;
			if (!k->paused && !k->eof)
				ev |= POLLIN;
			if (k->opos < k->out.len)
				ev |= POLLOUT;
			if (!ev)
				continue;
			m->pfd[nfds] = (struct pollfd){ .fd = k->fd, .events = ev };
			m->map[nfds++] = i;
		}
		if (nfds == 0)
			return done(m, arg);
		int r = poll(m->pfd, nfds, left < 20 ? left : 20);
		if (r < 0 && errno != EINTR)
			return false;
		for (nfds_t j = 0; r > 0 && j < nfds; j++) {
			struct mc_client *k = &m->cl[m->map[j]];
			short re = m->pfd[j].revents;
			if (!re)
				continue;
			if ((m->pfd[j].events & POLLOUT) && (re & (POLLOUT | POLLERR | POLLHUP)))
				mc_write(k);
			if ((m->pfd[j].events & POLLIN) && (re & (POLLIN | POLLERR | POLLHUP)))
				mc_read(k);
		}
	}
}

bool mc_all_sent(struct mc *m, void *arg)
{
	(void)arg;
	for (size_t i = 0; i < m->n; i++)
		if (m->cl[i].fd >= 0 && !m->cl[i].err && m->cl[i].opos < m->cl[i].out.len)
			return false;
	return true;
}

void mc_send(struct mc *m, int i, const void *p, size_t n, int timeout_ms)
{
	mc_queue(&m->cl[i], p, n);
	mc_write(&m->cl[i]);
	if (m->cl[i].opos < m->cl[i].out.len)
		mc_pump(m, clock_deadline(timeout_ms), mc_all_sent, NULL);
}

bool mc_has_line(const struct mc_client *k)
{
	return k->in.len > k->pos && memchr(k->in.data + k->pos, '\n', k->in.len - k->pos);
}

char *mc_line(struct mc_client *k, size_t *len)
{
	if (!mc_has_line(k))
		return NULL;
	char *s = (char *)k->in.data + k->pos;
	char *nl = memchr(s, '\n', k->in.len - k->pos);
	size_t n = (size_t)(nl - s);
	k->pos += n + 1;
	*nl = '\0';
	if (n > 0 && s[n - 1] == '\r')
		s[--n] = '\0';
	*len = n;
	return s;
}

bool mc_line_or_end(struct mc *m, void *arg)
{
	struct mc_client *k = &m->cl[*(int *)arg];
	return mc_has_line(k) || k->eof || k->err;
}

void mc_seen_end(const struct mc_client *k, int timeout_ms, char *buf, size_t bufsz)
{
	char esc[120];
	size_t rest = k->in.len - k->pos;

	if (k->err)
		snprintf(buf, bufsz, "the connection failed: %s", peer_strerror(k->err));
	else if (k->eof)
		snprintf(buf, bufsz, "the server closed the connection%s%s",
			 rest ? " after an unfinished line " : "",
			 rest ? esc_bytes(k->in.data + k->pos, rest, 60, esc, sizeof esc) : "");
	else if (rest)
		snprintf(buf, bufsz, "no whole line within %.1f s, only %s", timeout_ms / 1000.0,
			 esc_bytes(k->in.data + k->pos, rest, 60, esc, sizeof esc));
	else
		snprintf(buf, bufsz, "nothing within %.1f s", timeout_ms / 1000.0);
}
