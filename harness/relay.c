/* relay.c - a lossy UDP relay run in a thread: drop, duplicate, delay, reorder, inject. */
#include "relay.h"
#include "clock.h"
#include "esc.h"
#include "peer.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define RELAY_QMAX    256          /* datagrams waiting (delayed, held, injections) */
#define RELAY_LOG_MAX (24u << 10)
#define RELAY_DGRAM   65536

enum pend_kind { PEND_DELAYED, PEND_HELD, PEND_INJECT };

/* A datagram waiting to go out: to the server (RELAY_C2S) or to the client. */
struct pending {
	enum pend_kind kind;
	int dir;
	unsigned num;              /* its number in dir (0 for an injection) */
	unsigned copies;           /* duplicates to send right after it */
	int64_t due_ns;            /* INT64_MAX while held */
	uint8_t *data;
	size_t len;
};

struct relay {
	int front, back, stop_rd, stop_wr;
	uint16_t port;
	struct relay_plan plan;
	int64_t t0_ns, deadline_ns;
	pthread_t thread;
	bool started, joined;
	uint32_t fate_rng, junk_rng;
	unsigned junk_turn;
	struct sockaddr_storage client;
	socklen_t client_len;
	uint8_t *to_client;        /* the last datagram forwarded to the client */
	size_t to_client_len;
	bool have_to_client;
	uint8_t *from_client;      /* the last datagram the client sent */
	size_t from_client_len;
	bool have_from_client;
	unsigned hits[RELAY_MAX_RULES];   /* datagrams each rule with a match has seen */
	struct pending q[RELAY_QMAX];
	size_t nq;
	struct relay_stats st;
	char *log;
	size_t loglen;
	bool log_full;
	uint8_t buf[RELAY_DGRAM];
};

static const char *const dir_name[2] = { "c2s", "s2c" };

static uint32_t xorshift32(uint32_t *s)
{
	uint32_t x = *s ? *s : 0x2545f491u;

	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	*s = x;
	return x;
}

/* ---- the plan in words ---------------------------------------------------------------- */

static void appendf(char *buf, size_t bufsz, size_t *used, const char *fmt, ...)
{
	va_list ap;

	if (*used >= bufsz)
		return;
	va_start(ap, fmt);
	int n = vsnprintf(buf + *used, bufsz - *used, fmt, ap);
	va_end(ap);
	if (n > 0)
		*used = *used + (size_t)n < bufsz ? *used + (size_t)n : bufsz;
}

char *relay_plan_str(const struct relay_plan *p, char *buf, size_t bufsz)
{
	static const char *const act_name[] = { "drop", "dup", "delay", "hold", "stale",
						"garbage" };
	size_t used = 0;

	if (bufsz == 0)
		return buf;
	buf[0] = '\0';
	for (size_t i = 0; p && i < p->nrules && i < RELAY_MAX_RULES; i++) {
		const struct relay_rule *u = &p->rules[i];
		unsigned n = u->count ? u->count : 1;
		char esc[80];
		appendf(buf, bufsz, &used, "%s%s", used ? "; " : "", dir_name[u->dir == RELAY_S2C]);
		if (u->match[0])
			appendf(buf, bufsz, &used, " %s", esc_bytes(u->match, strnlen(u->match,
					sizeof u->match), 40, esc, sizeof esc));
		appendf(buf, bufsz, &used, " %s #%u", act_name[u->act % 6], u->from);
		if (u->to == 0)
			appendf(buf, bufsz, &used, " on");
		else if (u->to > u->from)
			appendf(buf, bufsz, &used, "-%u", u->to);
		if (u->act == RELAY_DELAY)
			appendf(buf, bufsz, &used, " by %d ms", u->ms);
		else if (u->act == RELAY_DUP && n > 1)
			appendf(buf, bufsz, &used, " x%u", n);
		else if (u->act == RELAY_STALE || u->act == RELAY_GARBAGE)
			appendf(buf, bufsz, &used, " (%u to the client, every %d ms)", n, u->ms);
	}
	if (p && p->seed) {
		appendf(buf, bufsz, &used, "%sseed %#x", used ? "; " : "", p->seed);
		if (p->drop_pct[0] || p->drop_pct[1] || p->dup_pct[0] || p->dup_pct[1])
			appendf(buf, bufsz, &used, ": drop c2s %u%% s2c %u%%, dup c2s %u%% s2c %u%%",
				p->drop_pct[0], p->drop_pct[1], p->dup_pct[0], p->dup_pct[1]);
	}
	if (used == 0)
		snprintf(buf, bufsz, "no loss");
	return buf;
}

/* ---- the log -------------------------------------------------------------------------- */

static void logf_(struct relay *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void logf_(struct relay *r, const char *fmt, ...)
{
	char line[256];
	va_list ap;
	int64_t t = clock_mono_ns() - r->t0_ns;

	if (r->log_full)
		return;
	int n = snprintf(line, sizeof line, "%4lld.%03lld ms ", (long long)(t / 1000000),
			 (long long)(t % 1000000 / 1000));
	va_start(ap, fmt);
	vsnprintf(line + n, sizeof line - (size_t)n, fmt, ap);
	va_end(ap);
	size_t len = strlen(line);
	if (r->loglen + len + 32 > RELAY_LOG_MAX) {
		memcpy(r->log + r->loglen, "... (log full)\n", 16);
		r->loglen += 15;
		r->log_full = true;
		return;
	}
	memcpy(r->log + r->loglen, line, len);
	r->log[r->loglen + len] = '\n';
	r->loglen += len + 1;
	r->log[r->loglen] = '\0';
}

static const char *preview(const uint8_t *p, size_t n, char *buf, size_t bufsz)
{
	return esc_bytes(p, n, 24, buf, bufsz);
}

/* ---- sending -------------------------------------------------------------------------- */

static int keep_copy(uint8_t **dst, size_t *dstlen, const uint8_t *p, size_t n)
{
	uint8_t *d = realloc(*dst, n ? n : 1);

	if (!d)
		return -ENOMEM;
	if (n)
		memcpy(d, p, n);
	*dst = d;
	*dstlen = n;
	return 0;
}

/* One datagram out: to the server for RELAY_C2S, to the client otherwise. */
static void send_one(struct relay *r, int dir, const uint8_t *p, size_t n)
{
	ssize_t rc;

	if (dir == RELAY_C2S) {
		rc = send(r->back, p, n, 0);
	} else {
		if (r->client_len == 0)
			return;
		rc = sendto(r->front, p, n, 0, (struct sockaddr *)&r->client, r->client_len);
		if (rc >= 0 && keep_copy(&r->to_client, &r->to_client_len, p, n) == 0)
			r->have_to_client = true;
	}
	if (rc < 0)
		logf_(r, "%s send failed: %s", dir_name[dir], strerror(errno));
}

/* Forward a relayed datagram (with its duplicates), then release what was held back in
 * its direction: the datagram after it has passed. */
static void forward(struct relay *r, int dir, const uint8_t *p, size_t n, unsigned copies)
{
	for (unsigned i = 0; i <= copies; i++) {
		send_one(r, dir, p, n);
		r->st.forwarded[dir]++;
	}
	for (size_t i = 0; i < r->nq; i++)
		if (r->q[i].kind == PEND_HELD && r->q[i].dir == dir)
			r->q[i].due_ns = 0;
}

static struct pending *enqueue(struct relay *r, enum pend_kind kind, int dir, unsigned num,
			       int64_t due_ns, const uint8_t *p, size_t n)
{
	if (r->nq == RELAY_QMAX) {
		logf_(r, "queue full: a %s datagram is lost", dir_name[dir]);
		return NULL;
	}
	struct pending *e = &r->q[r->nq];
	memset(e, 0, sizeof *e);
	if (keep_copy(&e->data, &e->len, p, n) < 0)
		return NULL;
	e->kind = kind;
	e->dir = dir;
	e->num = num;
	e->due_ns = due_ns;
	r->nq++;
	return e;
}

/* Send everything that is due, in the order it was queued. */
static void run_due(struct relay *r)
{
	char pv[128];

	for (size_t i = 0; i < r->nq;) {
		struct pending e = r->q[i];
		if (e.due_ns > clock_mono_ns()) {
			i++;
			continue;
		}
		memmove(&r->q[i], &r->q[i + 1], (r->nq - i - 1) * sizeof *r->q);
		r->nq--;
		preview(e.data, e.len, pv, sizeof pv);
		if (e.kind == PEND_INJECT) {
			logf_(r, "injected to the client: %s (%zu bytes)", pv, e.len);
			send_one(r, RELAY_S2C, e.data, e.len);
			r->st.injected++;
		} else {
			logf_(r, "%s #%u %s (%zu bytes) forwarded %s", dir_name[e.dir], e.num, pv,
			      e.len, e.kind == PEND_HELD ? "after the next one" : "late");
			forward(r, e.dir, e.data, e.len, e.copies);
		}
		free(e.data);
		i = 0;   /* a release may have made earlier entries due */
	}
}

/* A wrong datagram for the client, in turn: random bytes, the client's last datagram with
 * a byte more, and with its last byte cut off (the near misses a sloppy match accepts). */
static size_t junk(struct relay *r, uint8_t *out, size_t outsz)
{
	unsigned turn = r->junk_turn++ % 3;
	size_t n;

	if (turn == 1 && r->have_from_client && r->from_client_len + 1 <= outsz) {
		memcpy(out, r->from_client, r->from_client_len);
		out[r->from_client_len] = 'x';
		return r->from_client_len + 1;
	}
	if (turn == 2 && r->have_from_client && r->from_client_len > 0 &&
	    r->from_client_len <= outsz) {
		memcpy(out, r->from_client, r->from_client_len - 1);
		return r->from_client_len - 1;
	}
	n = 1 + xorshift32(&r->junk_rng) % 32;
	for (size_t i = 0; i < n && i < outsz; i++)
		out[i] = (uint8_t)(xorshift32(&r->junk_rng) >> 24);
	return n < outsz ? n : outsz;
}

/* The datagram's number as rule i counts: in its direction, or among its matches; 0 when
 * the rule does not see it. */
static unsigned rule_num(struct relay *r, size_t i, int dir, unsigned num, const uint8_t *p,
			 size_t n)
{
	const struct relay_rule *u = &r->plan.rules[i];
	size_t ml = strnlen(u->match, sizeof u->match);

	if (u->dir != dir)
		return 0;
	if (ml && (ml != n || memcmp(u->match, p, n) != 0))
		return 0;
	return ml ? ++r->hits[i] : num;
}

static bool rule_covers(const struct relay_rule *u, unsigned num)
{
	return num > 0 && num >= u->from && (u->to == 0 || num <= u->to);
}

/* A datagram arrived in direction dir: decide its fate and schedule injections. */
static void on_dgram(struct relay *r, int dir, const uint8_t *p, size_t n)
{
	unsigned num = ++r->st.seen[dir];
	const struct relay_rule *fate = NULL;
	unsigned copies = 0;
	bool rnd_drop = false;
	char pv[128];
	int64_t now = clock_mono_ns();

	if (dir == RELAY_C2S && keep_copy(&r->from_client, &r->from_client_len, p, n) == 0)
		r->have_from_client = true;
	bool covers[RELAY_MAX_RULES];
	for (size_t i = 0; i < r->plan.nrules; i++) {
		const struct relay_rule *u = &r->plan.rules[i];
		covers[i] = rule_covers(u, rule_num(r, i, dir, num, p, n));
		if (!covers[i])
			continue;
		if ((u->act == RELAY_DROP || u->act == RELAY_DELAY || u->act == RELAY_HOLD) && !fate)
			fate = u;
		if (u->act == RELAY_DUP)
			copies += u->count ? u->count : 1;
	}
	if (!fate && r->plan.seed) {
		/* Two draws for every such datagram, so fates depend only on the arrival order. */
		rnd_drop = xorshift32(&r->fate_rng) % 100 < r->plan.drop_pct[dir];
		copies += xorshift32(&r->fate_rng) % 100 < r->plan.dup_pct[dir];
	}
	preview(p, n, pv, sizeof pv);
	if ((fate && fate->act == RELAY_DROP) || rnd_drop) {
		logf_(r, "%s #%u %s (%zu bytes) dropped%s", dir_name[dir], num, pv, n,
		      rnd_drop ? " (seed)" : "");
		r->st.dropped[dir]++;
	} else if (fate) {
		bool held = fate->act == RELAY_HOLD;
		struct pending *e = enqueue(r, held ? PEND_HELD : PEND_DELAYED, dir, num,
					    held ? INT64_MAX : now + (int64_t)fate->ms * 1000000, p, n);
		if (e)
			e->copies = copies;
		if (held)
			logf_(r, "%s #%u %s (%zu bytes) held back", dir_name[dir], num, pv, n);
		else
			logf_(r, "%s #%u %s (%zu bytes) delayed by %d ms", dir_name[dir], num, pv, n,
			      fate->ms);
	} else {
		if (copies)
			logf_(r, "%s #%u %s (%zu bytes) passed, %u more cop%s", dir_name[dir], num, pv, n,
			      copies, copies == 1 ? "y" : "ies");
		else
			logf_(r, "%s #%u %s (%zu bytes) passed", dir_name[dir], num, pv, n);
		forward(r, dir, p, n, copies);
	}
	for (size_t i = 0; i < r->plan.nrules; i++) {
		const struct relay_rule *u = &r->plan.rules[i];
		if (!covers[i] || (u->act != RELAY_STALE && u->act != RELAY_GARBAGE))
			continue;
		unsigned count = u->count ? u->count : 1;
		for (unsigned k = 1; k <= count; k++) {
			int64_t due = now + (int64_t)u->ms * k * 1000000;
			if (u->act == RELAY_STALE && r->have_to_client) {
				enqueue(r, PEND_INJECT, RELAY_S2C, 0, due, r->to_client, r->to_client_len);
			} else if (u->act == RELAY_GARBAGE) {
				uint8_t g[RELAY_DGRAM / 4];
				size_t gl = junk(r, g, sizeof g);
				enqueue(r, PEND_INJECT, RELAY_S2C, 0, due, g, gl);
			}
		}
	}
}

/* Read what is waiting on one socket (bounded, so the other side is not starved). */
static void drain(struct relay *r, int dir)
{
	int fd = dir == RELAY_C2S ? r->front : r->back;

	for (int i = 0; i < 64; i++) {
		struct sockaddr_storage from;
		socklen_t fl = sizeof from;
		ssize_t n = recvfrom(fd, r->buf, sizeof r->buf, 0, (struct sockaddr *)&from, &fl);
		if (n < 0) {
			if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
				logf_(r, "%s receive: %s", dir_name[dir], strerror(errno));
			if (errno != EINTR)
				return;
			continue;
		}
		if (dir == RELAY_C2S) {
			r->client = from;
			r->client_len = fl;
		}
		on_dgram(r, dir, r->buf, (size_t)n);
	}
}

static void *relay_main(void *arg)
{
	struct relay *r = arg;

	for (;;) {
		run_due(r);
		int64_t now = clock_mono_ns(), next = r->deadline_ns;
		if (now >= r->deadline_ns)
			break;
		for (size_t i = 0; i < r->nq; i++)
			if (r->q[i].due_ns < next)
				next = r->q[i].due_ns;
		int64_t wait = next > now ? (next - now + 999999) / 1000000 : 0;
		struct pollfd p[3] = {
			{ .fd = r->front, .events = POLLIN },
			{ .fd = r->back, .events = POLLIN },
			{ .fd = r->stop_rd, .events = POLLIN },
		};
		int rc = poll(p, 3, wait > INT_MAX ? INT_MAX : (int)wait);
		if (rc < 0 && errno != EINTR)
			break;
		if (rc <= 0)
			continue;
		if (p[2].revents)
			break;
		if (p[0].revents)
			drain(r, RELAY_C2S);
		if (p[1].revents)
			drain(r, RELAY_S2C);
	}
	for (size_t i = 0; i < r->nq; i++) {
		if (r->q[i].kind != PEND_INJECT) {
			logf_(r, "%s #%u still %s at the end: lost", dir_name[r->q[i].dir], r->q[i].num,
			      r->q[i].kind == PEND_HELD ? "held back" : "delayed");
			r->st.lost_at_stop++;
		}
		free(r->q[i].data);
	}
	r->nq = 0;
	return NULL;
}

/* ---- life cycle ----------------------------------------------------------------------- */

static int upstream_socket(const char *addr, uint16_t port, char *why, size_t whylen)
{
	struct sockaddr_storage ss;
	struct sockaddr_in *a4 = (struct sockaddr_in *)&ss;
	struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)&ss;
	socklen_t len;

	memset(&ss, 0, sizeof ss);
	if (inet_pton(AF_INET, addr, &a4->sin_addr) == 1) {
		a4->sin_family = AF_INET;
		a4->sin_port = htons(port);
		len = sizeof *a4;
	} else if (inet_pton(AF_INET6, addr, &a6->sin6_addr) == 1) {
		a6->sin6_family = AF_INET6;
		a6->sin6_port = htons(port);
		len = sizeof *a6;
	} else {
		snprintf(why, whylen, "bad upstream address %s", addr);
		return -EINVAL;
	}
	int fd = socket(ss.ss_family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		int e = errno;
		snprintf(why, whylen, "relay socket: %s", strerror(e));
		return -e;
	}
	if (connect(fd, (struct sockaddr *)&ss, len) < 0) {
		int e = errno;
		snprintf(why, whylen, "relay connect to %s port %u: %s", addr, port, strerror(e));
		close(fd);
		return -e;
	}
	return fd;
}

struct relay *relay_start(const struct relay_cfg *cfg, char *why, size_t whylen)
{
	int pfd[2], e;
	struct relay *r = calloc(1, sizeof *r);

	if (!r) {
		snprintf(why, whylen, "out of memory");
		return NULL;
	}
	r->front = r->back = r->stop_rd = r->stop_wr = -1;
	r->log = malloc(RELAY_LOG_MAX);
	if (!r->log) {
		e = ENOMEM;
		snprintf(why, whylen, "out of memory");
		goto fail_alloc;
	}
	r->log[0] = '\0';
	if (cfg->plan) {
		r->plan = *cfg->plan;
		if (r->plan.nrules > RELAY_MAX_RULES)
			r->plan.nrules = RELAY_MAX_RULES;
	}
	r->fate_rng = r->plan.seed;
	r->junk_rng = r->plan.seed ^ 0x9e3779b9u;
	r->front = peer_listen(cfg->addr, cfg->port, SOCK_DGRAM, why, whylen);
	if (r->front < 0) {
		e = -r->front;
		goto fail_alloc;
	}
	r->port = peer_local_port(r->front);
	r->back = upstream_socket(cfg->up_addr, cfg->up_port, why, whylen);
	if (r->back < 0) {
		e = -r->back;
		goto fail_alloc;
	}
	if (pipe(pfd) < 0) {
		e = errno;
		snprintf(why, whylen, "pipe: %s", strerror(e));
		goto fail_alloc;
	}
	r->stop_rd = pfd[0];
	r->stop_wr = pfd[1];
	for (int i = 0; i < 2; i++) {
		fcntl(pfd[i], F_SETFD, FD_CLOEXEC);
		fcntl(pfd[i], F_SETFL, O_NONBLOCK);
	}
	r->t0_ns = clock_mono_ns();
	r->deadline_ns = r->t0_ns + (int64_t)(cfg->run_ms > 0 ? cfg->run_ms : 0) * 1000000;
	e = pthread_create(&r->thread, NULL, relay_main, r);
	if (e != 0) {
		snprintf(why, whylen, "pthread_create: %s", strerror(e));
		goto fail_alloc;
	}
	r->started = true;
	return r;

fail_alloc:
	relay_close(r);
	errno = e;
	return NULL;
}

void relay_stop(struct relay *r)
{
	if (!r || !r->started || r->joined)
		return;
	/* The thread may have ended at its deadline already; the byte then waits unread. A
	 * non-blocking pipe with one byte in it cannot fail otherwise. */
	if (write(r->stop_wr, "x", 1) < 0)
		(void)0;
	pthread_join(r->thread, NULL);
	r->joined = true;
}

void relay_close(struct relay *r)
{
	if (!r)
		return;
	relay_stop(r);
	if (r->front >= 0)
		close(r->front);
	if (r->back >= 0)
		close(r->back);
	if (r->stop_rd >= 0)
		close(r->stop_rd);
	if (r->stop_wr >= 0)
		close(r->stop_wr);
	free(r->to_client);
	free(r->from_client);
	free(r->log);
	free(r);
}

uint16_t relay_port(const struct relay *r)
{
	return r->port;
}

const char *relay_log(const struct relay *r)
{
	return r->log;
}

void relay_get_stats(const struct relay *r, struct relay_stats *out)
{
	*out = r->st;
}
