/* lab02.c - checks of 02-udp: udp_echo_server and udp_client (LABS.md).
 *
 * The server checks send datagrams from the grader's own sockets and judge what comes back
 * and where from. The client checks run udp_client against the grader's echo server with a
 * lossy relay (relay.h) in between: the client talks to the relay's port, the relay to the
 * echo server. What the client sent, and when, is read from the capture (the datagrams to
 * the relay's port); timing rules allow for a busy machine. */
#include "check.h"
#include "clock.h"
#include "esc.h"
#include "labs.h"
#include "relay.h"

#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define DGRAM_BUF   70000        /* more than the largest datagram */
#define REPLY_MS    1000         /* a reply from an echo server on loopback */
#define MAX_SENT    64

/* The datagrams to and from port 0 as a ladder, once per check (it ends the capture). */
static void ladder(struct ctx *c)
{
	if (!c->res->ladder[0])
		ctx_ladder_udp(c, ctx_port(c, 0));
}

static double ms_between(int64_t a_ns, int64_t b_ns)
{
	return (double)(b_ns - a_ns) / 1e6;
}

/* ---- the grader as a client of udp_echo_server ----------------------------------------- */

static struct proc *start_server(struct ctx *c)
{
	return ctx_start_server(c, NETSTAT_UDP, "udp_echo_server");
}

/* A UDP socket of the grader on addr (an ephemeral port); NULL-like -1 after an error. */
static int grader_socket(struct ctx *c, const char *addr)
{
	char why[256];
	int fd = peer_udp_socket(addr, why, sizeof why);

	if (fd < 0)
		ctx_error(c, "the grader's UDP socket on %s: %s", addr, why);
	return fd;
}

static uint16_t sockaddr_port(const struct sockaddr_storage *ss)
{
	if (ss->ss_family == AF_INET)
		return ntohs(((const struct sockaddr_in *)ss)->sin_port);
	return ntohs(((const struct sockaddr_in6 *)ss)->sin6_port);
}

/* Wait for one reply on fd to a datagram of nwant bytes; false after recording a failure.
 * The reply is judged byte for byte and by its source port (the server's port). */
static bool expect_reply(struct ctx *c, int fd, const char *what, const uint8_t *want,
			 size_t nwant, uint8_t *buf)
{
	struct sockaddr_storage from;
	ssize_t n = peer_recvfrom(fd, buf, DGRAM_BUF, &from, REPLY_MS);
	uint16_t sp = ctx_port(c, 0);

	if (n == -ETIMEDOUT) {
		ctx_fail(c, "expected: %s comes back (%zu bytes) from port %u\n   seen: no datagram "
			 "back within %d ms", what, nwant, sp, REPLY_MS);
		return false;
	}
	if (n < 0) {
		ctx_fail(c, "expected: %s comes back\n   seen: receiving failed: %s", what,
			 peer_strerror((int)n));
		return false;
	}
	if (sockaddr_port(&from) != sp) {
		ctx_fail(c, "expected: the reply to %s comes from port %u, the port the datagram "
			 "was sent to\n   seen: it came from port %u (a different socket)", what, sp,
			 sockaddr_port(&from));
		return false;
	}
	char label[160];
	snprintf(label, sizeof label, "back for %s", what);
	return ctx_expect_bytes(c, label, want, nwant, buf, (size_t)n);
}

/* Datagrams from the server's port to the grader's socket on port gport, from the wire. */
static size_t replies_to(const struct flow_set *fs, uint16_t sport, uint16_t gport,
			 const struct flow_dgram **out, size_t max)
{
	size_t n = 0;

	for (size_t i = 0; i < fs->nudp; i++) {
		const struct flow_dgram *d = &fs->udp[i];
		if (d->src.port == sport && d->dst.port == gport) {
			if (n < max)
				out[n] = d;
			n++;
		}
	}
	return n;
}

/* On the wire, every datagram to the server's port got one reply from that port to its
 * sender's address and port; and nothing else came from the server's port. */
static bool wire_one_reply_each(struct ctx *c)
{
	const struct flow_set *fs = ctx_flows(c);
	uint16_t sp = ctx_port(c, 0);
	size_t in = 0, out = 0;

	if (!fs)
		return false;
	for (size_t i = 0; i < fs->nudp; i++) {
		const struct flow_dgram *d = &fs->udp[i];
		in += d->dst.port == sp;
		out += d->src.port == sp;
		if (d->src.port != sp)
			continue;
		bool answers = false;
		for (size_t k = 0; k < i && !answers; k++)
			answers = fs->udp[k].dst.port == sp && pkt_addr_eq(&fs->udp[k].src, &d->dst);
		if (!answers) {
			char a[64];
			ctx_fail(c, "expected on the wire: replies go to the address and port each "
				 "datagram came from\n   seen: a datagram from port %u to %s, which sent "
				 "nothing to the server", sp, pkt_addr_str(&d->dst, a, sizeof a));
			ladder(c);
			return false;
		}
	}
	if (in != out) {
		ctx_fail(c, "expected on the wire: one datagram back from port %u for each of the "
			 "%zu sent to it\n   seen: %zu came back", sp, in, out);
		ladder(c);
		return false;
	}
	return true;
}

static void check_udp_server_echo(struct ctx *c)
{
	static const struct { const char *addr, *msg; } cases[] = {
		{ "127.0.0.1", "hello over IPv4" },
		{ "::1", "hello over IPv6" },
	};
	uint8_t *buf = malloc(DGRAM_BUF);

	if (!buf || !start_server(c)) {
		free(buf);
		return;
	}
	for (size_t i = 0; i < 2 && !ctx_failed(c); i++) {
		int fd = grader_socket(c, cases[i].addr);
		if (fd < 0)
			break;
		const char *m = cases[i].msg;
		char what[80];
		snprintf(what, sizeof what, "\"%s\" (sent to %s port %u)", m, cases[i].addr,
			 ctx_port(c, 0));
		int rc = peer_sendto(fd, m, strlen(m), cases[i].addr, ctx_port(c, 0));
		if (rc < 0)
			ctx_error(c, "sending to %s: %s", cases[i].addr, peer_strerror(rc));
		else
			expect_reply(c, fd, what, (const uint8_t *)m, strlen(m), buf);
		close(fd);
	}
	free(buf);
	if (!ctx_failed(c))
		wire_one_reply_each(c);
	else
		ladder(c);
}

/* What a server check with seeded datagrams holds: the payload, a buffer for any datagram,
 * and the grader's socket on 127.0.0.1. */
struct seeded {
	uint8_t *data, *buf;
	int fd;
};

/* n bytes from seed, then the server and the grader's socket; false after a failure (what
 * was made is freed by seeded_end). */
static bool seeded_start(struct ctx *c, struct seeded *s, size_t n, uint32_t seed)
{
	s->data = ctx_pattern(n, seed, false);
	s->buf = malloc(DGRAM_BUF);
	s->fd = -1;
	return s->data && s->buf && start_server(c) && (s->fd = grader_socket(c, "127.0.0.1")) >= 0;
}

static void seeded_end(struct seeded *s)
{
	if (s->fd >= 0)
		close(s->fd);
	free(s->data);
	free(s->buf);
}

static void check_udp_server_boundaries(struct ctx *c)
{
	static const size_t sizes[3] = { 1, 1400, 8000 };
	uint32_t seed = 0x5eed0201;
	struct seeded s;

	ctx_log(c, "three datagrams of 1, 1400 and 8000 bytes back to back, xorshift32 seed %#x",
		seed);
	if (!seeded_start(c, &s, 8000, seed))
		goto out;
	int fd = s.fd;
	uint8_t *data = s.data, *buf = s.buf;
	for (size_t i = 0; i < 3; i++) {
		int rc = peer_sendto(fd, data, sizes[i], "127.0.0.1", ctx_port(c, 0));
		if (rc < 0) {
			ctx_error(c, "sending %zu bytes: %s", sizes[i], peer_strerror(rc));
			goto out;
		}
	}
	for (size_t i = 0; i < 3; i++) {
		struct sockaddr_storage from;
		ssize_t n = peer_recvfrom(fd, buf, DGRAM_BUF, &from, REPLY_MS);
		if (n < 0) {
			ctx_fail(c, "expected: three datagrams back, of 1, 1400 and 8000 bytes\n"
				 "   seen: %zu came back, then nothing for %d ms", i, REPLY_MS);
			break;
		}
		if ((size_t)n != sizes[i]) {
			ctx_fail(c, "expected: three datagrams back, of 1, 1400 and 8000 bytes, in that "
				 "order\n   seen: datagram %zu back had %zd bytes, not %zu (each datagram "
				 "is echoed on its own, whole)", i + 1, n, sizes[i]);
			break;
		}
		char what[64];
		snprintf(what, sizeof what, "datagram %zu (%zu bytes)", i + 1, sizes[i]);
		if (!ctx_expect_bytes(c, what, data, sizes[i], buf, (size_t)n))
			break;
	}
	if (ctx_failed(c)) {
		ladder(c);
		goto out;
	}
	/* The wire too: exactly three datagrams back, of those sizes. */
	const struct flow_set *fs = ctx_flows(c);
	const struct flow_dgram *back[8];
	size_t nb = fs ? replies_to(fs, ctx_port(c, 0), peer_local_port(fd), back, 8) : 0;
	if (!fs)
		goto out;
	bool ok = nb == 3;
	for (size_t i = 0; ok && i < 3; i++)
		ok = back[i]->wire_len == sizes[i];
	if (!ok) {
		char seen[128] = "";
		size_t used = 0;
		for (size_t i = 0; i < nb && i < 8; i++)
			used += (size_t)snprintf(seen + used, sizeof seen - used, "%s%zu", i ? ", " : "",
						 back[i]->wire_len);
		ctx_fail(c, "expected on the wire: three datagrams back, of 1, 1400 and 8000 bytes\n"
			 "   seen: %zu datagram%s: %s bytes", nb, nb == 1 ? "" : "s", seen);
		ladder(c);
	}
out:
	seeded_end(&s);
}

static void check_udp_server_sizes(struct ctx *c)
{
	uint32_t seed = 0x5eed0202;
	size_t big = 65507;
	struct seeded s;

	ctx_log(c, "a zero-length datagram, then %zu bytes (xorshift32 seed %#x)", big, seed);
	if (!seeded_start(c, &s, big, seed))
		goto out;
	int fd = s.fd;
	uint8_t *data = s.data, *buf = s.buf;
	int rc = peer_sendto(fd, "", 0, "127.0.0.1", ctx_port(c, 0));
	if (rc < 0) {
		ctx_error(c, "sending an empty datagram: %s", peer_strerror(rc));
		goto out;
	}
	if (!expect_reply(c, fd, "a zero-length datagram", (const uint8_t *)"", 0, buf)) {
		ctx_fail(c, "(recvfrom returning 0 is an empty datagram, not the end of anything)");
		ladder(c);
		goto out;
	}
	rc = peer_sendto(fd, data, big, "127.0.0.1", ctx_port(c, 0));
	if (rc < 0) {
		ctx_error(c, "sending %zu bytes: %s", big, peer_strerror(rc));
		goto out;
	}
	if (!expect_reply(c, fd, "a 65507-byte datagram", data, big, buf)) {
		ladder(c);
		goto out;
	}
	wire_one_reply_each(c);
out:
	seeded_end(&s);
}

static void check_udp_server_interleaved(struct ctx *c)
{
	static const char *const addrs[2] = { "127.0.0.1", "::1" };
	int fd[2] = { -1, -1 };
	uint8_t *buf = malloc(DGRAM_BUF);
	char msg[2][3][32];

	ctx_log(c, "client A on 127.0.0.1 and client B on ::1 send A1 B1 A2 B2 A3 B3");
	if (!buf || !start_server(c))
		goto out;
	for (int k = 0; k < 2; k++)
		if ((fd[k] = grader_socket(c, addrs[k])) < 0)
			goto out;
	for (int i = 0; i < 3; i++)
		for (int k = 0; k < 2; k++) {
			snprintf(msg[k][i], sizeof msg[k][i], "client %c, datagram %d", 'A' + k, i + 1);
			int rc = peer_sendto(fd[k], msg[k][i], strlen(msg[k][i]), addrs[k],
					     ctx_port(c, 0));
			if (rc < 0) {
				ctx_error(c, "sending from client %c: %s", 'A' + k, peer_strerror(rc));
				goto out;
			}
		}
	for (int k = 0; k < 2 && !ctx_failed(c); k++) {
		bool got[3] = { false, false, false };
		for (int i = 0; i < 3 && !ctx_failed(c); i++) {
			struct sockaddr_storage from;
			ssize_t n = peer_recvfrom(fd[k], buf, DGRAM_BUF, &from, REPLY_MS);
			char esc[100];
			if (n < 0) {
				ctx_fail(c, "expected: client %c (%s) gets its 3 datagrams back\n   seen: it "
					 "got %d, then nothing for %d ms", 'A' + k, addrs[k], i, REPLY_MS);
				break;
			}
			int which = -1;
			for (int j = 0; j < 3; j++)
				if ((size_t)n == strlen(msg[k][j]) && memcmp(buf, msg[k][j], (size_t)n) == 0)
					which = j;
			if (which < 0 || got[which])
				ctx_fail(c, "expected: client %c (%s) gets back exactly its own datagrams\n"
					 "   seen: it got %s%s", 'A' + k, addrs[k],
					 esc_bytes(buf, (size_t)n, 40, esc, sizeof esc),
					 which < 0 ? "" : " twice");
			else
				got[which] = true;
		}
	}
	if (ctx_failed(c)) {
		ladder(c);
		goto out;
	}
	wire_one_reply_each(c);
out:
	for (int k = 0; k < 2; k++)
		if (fd[k] >= 0)
			close(fd[k]);
	free(buf);
}

/* ---- the grader's echo server, behind the relay ------------------------------------------ */

struct echo_srv {
	int fd;
	pthread_t thread;
	bool started;
	atomic_bool stop;
	int64_t deadline_ns;
};

static void *echo_main(void *arg)
{
	struct echo_srv *e = arg;
	uint8_t *buf = malloc(DGRAM_BUF);

	while (buf && !atomic_load(&e->stop) && clock_mono_ns() < e->deadline_ns) {
		struct sockaddr_storage from;
		ssize_t n = peer_recvfrom(e->fd, buf, DGRAM_BUF, &from, 10);
		if (n < 0)
			continue;
		socklen_t len = from.ss_family == AF_INET ? sizeof(struct sockaddr_in)
							  : sizeof(struct sockaddr_in6);
		sendto(e->fd, buf, (size_t)n, 0, (struct sockaddr *)&from, len);
	}
	free(buf);
	return NULL;
}

static bool echo_start(struct ctx *c, struct echo_srv *e, int run_ms)
{
	char why[256];

	memset(e, 0, sizeof *e);
	atomic_init(&e->stop, false);
	e->deadline_ns = clock_deadline(run_ms);
	e->fd = peer_listen("127.0.0.1", ctx_port(c, 1), SOCK_DGRAM, why, sizeof why);
	if (e->fd < 0) {
		ctx_error(c, "the grader's echo server: %s", why);
		return false;
	}
	if (pthread_create(&e->thread, NULL, echo_main, e) != 0) {
		close(e->fd);
		ctx_error(c, "cannot start the grader's echo server");
		return false;
	}
	e->started = true;
	return true;
}

static void echo_stop(struct echo_srv *e)
{
	if (!e->started)
		return;
	atomic_store(&e->stop, true);
	pthread_join(e->thread, NULL);
	close(e->fd);
	e->started = false;
}

/* ---- udp_client through the relay ------------------------------------------------------ */

struct crun {
	struct proc *p;
	struct relay *relay;
	char plan[400];
	char cmd[200];
};

/* Put the relay's log into the check's log, as much as fits. */
static void log_relay(struct ctx *c, const struct relay *r)
{
	const char *l = relay_log(r);
	size_t room = sizeof c->res->log - strlen(c->res->log);

	if (!*l || room < 200)
		return;
	size_t n = strlen(l);
	if (n > room - 80)
		ctx_log(c, "relay log (first part):\n%.*s...", (int)(room - 80), l);
	else
		ctx_log(c, "relay log:\n%.*s", (int)(n && l[n - 1] == '\n' ? n - 1 : n), l);
}

/* Run `udp_client OPTS HOST PORT` (PORT: the relay's) with stdin input, the relay applying
 * plan (NULL: no relay and no echo server at all: nothing listens on the port). Waits up to
 * wait_ms for the client to exit. False after a failure or error; r->p is the client. */
static bool client_run(struct ctx *c, struct crun *r, const struct relay_plan *plan,
		       const char *const *opts, const char *host, const char *input, size_t n,
		       int wait_ms)
{
	char path[512], port[8], why[256];
	const char *args[16];
	size_t na = 0;
	struct echo_srv echo = { .fd = -1 };
	bool ok = false;

	memset(r, 0, sizeof *r);
	snprintf(port, sizeof port, "%u", ctx_port(c, 0));
	for (size_t i = 0; opts && opts[i] && na < 12; i++)
		args[na++] = opts[i];
	args[na++] = host;
	args[na++] = port;
	args[na] = NULL;
	ctx_command("udp_client", args, r->cmd, sizeof r->cmd);
	if (!ctx_write_file(c, "stdin", input, n, path, sizeof path))
		return false;
	if (plan) {
		relay_plan_str(plan, r->plan, sizeof r->plan);
		ctx_log(c, "%s; relay on port %u, plan: %s", r->cmd, ctx_port(c, 0), r->plan);
		if (!echo_start(c, &echo, wait_ms + 1000))
			return false;
		struct relay_cfg cfg = { .addr = "::", .port = ctx_port(c, 0), .up_addr = "127.0.0.1",
					 .up_port = ctx_port(c, 1), .plan = plan,
					 .run_ms = wait_ms + 1000 };
		r->relay = relay_start(&cfg, why, sizeof why);
		if (!r->relay) {
			ctx_error(c, "the grader's relay: %s", why);
			goto out;
		}
	} else {
		snprintf(r->plan, sizeof r->plan, "nothing listens on port %s", port);
		ctx_log(c, "%s; %s", r->cmd, r->plan);
	}
	r->p = ctx_startv(c, path, "udp_client", args);
	if (!r->p)
		goto out;
	ok = ctx_wait(c, r->p, wait_ms);
	if (!ok)
		proc_stop(r->p, 200);
out:
	relay_stop(r->relay);
	echo_stop(&echo);
	if (r->relay)
		log_relay(c, r->relay);
	if (!ok && r->p)
		ladder(c);
	return ok;
}

static void crun_close(struct crun *r)
{
	relay_close(r->relay);
	r->relay = NULL;
}

/* The client's exit status and stdout. */
static bool expect_client_n(struct ctx *c, struct crun *r, int code, const char *out,
			    size_t outlen)
{
	size_t olen;
	char *got = ctx_stdout(c, r->p, &olen);
	bool ok = ctx_expect_exit(c, r->p, code) &&
		  ctx_expect_bytes(c, "on udp_client's stdout", out, outlen, got, olen);

	free(got);
	if (!ok) {
		ctx_fail(c, "(`%s`; %s)", r->cmd, r->plan);
		ladder(c);
	}
	return ok;
}

static bool expect_client(struct ctx *c, struct crun *r, int code, const char *out)
{
	return expect_client_n(c, r, code, out, strlen(out));
}

/* What the client sent to the relay's port, in capture order. */
struct sent {
	const struct flow_dgram *d[MAX_SENT];
	size_t n;
	int64_t t0_ns;
};

static const struct flow_set *client_sent(struct ctx *c, struct sent *s)
{
	const struct flow_set *fs = ctx_flows(c);

	memset(s, 0, sizeof *s);
	for (size_t i = 0; fs && i < fs->nudp && s->n < MAX_SENT; i++)
		if (fs->udp[i].dst.port == ctx_port(c, 0))
			s->d[s->n++] = &fs->udp[i];
	if (s->n)
		s->t0_ns = s->d[0]->ts_ns;
	return fs;
}

/* How the client ended, for a failure where it sent nothing. */
static void client_note(struct ctx *c, const struct crun *r)
{
	size_t elen;
	char st[128], esc[300];
	char *err = ctx_stderr(c, r->p, &elen);

	ctx_fail(c, "(udp_client ended with %s, stderr %s)", proc_describe(r->p, st, sizeof st),
		 esc_bytes(err, elen, 200, esc, sizeof esc));
	free(err);
}

/* "\"1 ok\" at 0.000 ms, ..." for messages. */
static char *sent_str(const struct sent *s, char *buf, size_t bufsz)
{
	size_t used = 0;

	buf[0] = '\0';
	if (s->n == 0)
		snprintf(buf, bufsz, "no datagram at all");
	for (size_t i = 0; i < s->n && i < 12 && used < bufsz; i++) {
		char esc[80];
		used += (size_t)snprintf(buf + used, bufsz - used, "%s%s at %.1f ms", i ? ", " : "",
					 esc_bytes(s->d[i]->data, s->d[i]->len, 30, esc, sizeof esc),
					 ms_between(s->t0_ns, s->d[i]->ts_ns));
	}
	if (s->n > 12 && used < bufsz)
		snprintf(buf + used, bufsz - used, ", and %zu more", s->n - 12);
	return buf;
}

/* Times of the datagrams whose payload is msg; returns how many. */
static size_t tries_of(const struct sent *s, const char *msg, int64_t *ts, size_t max)
{
	size_t n = 0, len = strlen(msg);

	for (size_t i = 0; i < s->n; i++)
		if (s->d[i]->wire_len == len && s->d[i]->len == len &&
		    memcmp(s->d[i]->data, msg, len) == 0) {
			if (n < max)
				ts[n] = s->d[i]->ts_ns;
			n++;
		}
	return n;
}

/* The gap between two tries must be the timeout: not early (10% and 2 ms of slack: a stall
 * of a busy machine only makes gaps longer), and not late by more than twice the timeout or
 * 300 ms, whichever is more (a shared machine can stall a process for that long). */
#define LATE_SLACK(want) ((want) * 2 > 300 ? (want) * 2.0 : 300.0)

static bool gap_ok(double gap_ms, int want_ms)
{
	double slack = LATE_SLACK(want_ms);

	return gap_ms >= 0.9 * want_ms - 2 && gap_ms <= want_ms + slack;
}

static void gap_range(int want_ms, char *buf, size_t bufsz)
{
	double slack = LATE_SLACK(want_ms);

	snprintf(buf, bufsz, "%.0f to %.0f ms", 0.9 * want_ms - 2, want_ms + slack);
}

/* The first retransmission of msg came want_ms after its first try. */
static bool expect_retry(struct ctx *c, const struct crun *r, const struct sent *s,
			 const char *msg, int want_ms, const char *why_lost)
{
	int64_t ts[8];
	size_t n = tries_of(s, msg, ts, 8);
	char seen[1200], range[64], esc[80];

	esc_bytes(msg, strlen(msg), 40, esc, sizeof esc);
	if (n < 2) {
		ctx_fail(c, "expected: %s sent again %d ms after its first try (%s)\n"
			 "   seen: it was sent %zu time%s; the client sent: %s\n(%s; relay plan: %s)",
			 esc, want_ms, why_lost, n, n == 1 ? "" : "s", sent_str(s, seen, sizeof seen),
			 r->cmd, r->plan);
		ladder(c);
		return false;
	}
	double gap = ms_between(ts[0], ts[1]);
	gap_range(want_ms, range, sizeof range);
	ctx_log(c, "%s: second try %.1f ms after the first (allowed: %s)", esc, gap, range);
	if (!gap_ok(gap, want_ms)) {
		ctx_fail(c, "expected: %s sent again one timeout (%d ms) after its first try, "
			 "allowed %s\n   seen: %.1f ms later; the client sent: %s\n(%s; relay plan: %s)",
			 esc, want_ms, range, gap, sent_str(s, seen, sizeof seen), r->cmd, r->plan);
		ladder(c);
		return false;
	}
	return true;
}

/* Messages go out in order: once a message was sent, no earlier one is sent again. */
static bool expect_in_order(struct ctx *c, const struct crun *r, const struct sent *s)
{
	unsigned long high = 0;
	char seen[1200];

	for (size_t i = 0; i < s->n; i++) {
		unsigned long seq = 0;
		for (size_t k = 0; k < s->d[i]->len && k < 9 && s->d[i]->data[k] >= '0' &&
				   s->d[i]->data[k] <= '9'; k++)
			seq = seq * 10 + (unsigned long)(s->d[i]->data[k] - '0');
		if (seq < high) {
			ctx_fail(c, "expected: stop-and-wait: message %lu is not sent again once message "
				 "%lu was sent\n   seen: the client sent: %s\n(%s; %s)", seq, high,
				 sent_str(s, seen, sizeof seen), r->cmd, r->plan);
			ladder(c);
			return false;
		}
		if (seq > high)
			high = seq;
	}
	return true;
}

/* The client sent exactly the datagrams of want (NULL-terminated), in that order. */
static bool expect_sent_exactly(struct ctx *c, const struct crun *r, const struct sent *s,
				const char *const *want, const size_t *lens, const char *rule)
{
	size_t n = 0;
	bool ok = true;
	char seen[1200], w[80], g[80];

	while (want[n])
		n++;
	for (size_t i = 0; ok && i < n && i < s->n; i++) {
		size_t len = lens ? lens[i] : strlen(want[i]);
		if (s->d[i]->wire_len != len || s->d[i]->len != len ||
		    memcmp(s->d[i]->data, want[i], len) != 0) {
			ctx_fail(c, "expected: datagram %zu from the client is %s (%s)\n   seen: %s "
				 "(%zu bytes)\n   the client sent: %s\n(%s; %s)", i + 1,
				 esc_bytes(want[i], len, 60, w, sizeof w), rule,
				 esc_bytes(s->d[i]->data, s->d[i]->len, 60, g, sizeof g),
				 s->d[i]->wire_len, sent_str(s, seen, sizeof seen), r->cmd, r->plan);
			ok = false;
		}
	}
	if (ok && s->n != n) {
		ctx_fail(c, "expected: exactly %zu datagram%s from the client (%s)\n   seen: %zu: %s\n"
			 "(%s; %s)", n, n == 1 ? "" : "s", rule, s->n, sent_str(s, seen, sizeof seen),
			 r->cmd, r->plan);
		if (s->n == 0)
			client_note(c, r);
		ok = false;
	}
	if (!ok)
		ladder(c);
	return ok;
}

static void check_udp_client_format(struct ctx *c)
{
	static const char input[] = "hello\n\n two  spaces \ntab\there\ncrlf\r\nend";
	/* The last run's line holds a NUL: a line is bytes, so fgets and strlen lose its end. */
	static const char nul[] = "a\0b\n";
	static const char *const want[] = { "1 hello", "2 ", "3  two  spaces ", "4 tab\there",
					    "5 crlf\r", "6 end", "1 over IPv6", "1 a\0b", NULL };
	static const size_t lens[] = { 7, 2, 15, 10, 7, 5, 11, 5 };
	static const char *const opts[] = { "-t", "1000", NULL };
	struct relay_plan none = { .nrules = 0 };
	struct crun r;
	struct sent s;

	ctx_log(c, "an empty line, spaces, a tab, a \\r before the newline, no newline at the "
		"end; then one line over IPv6; then the line \"a\\0b\"");
	bool ok = client_run(c, &r, &none, opts, "127.0.0.1", input, sizeof input - 1, 3000) &&
		  expect_client(c, &r, 0, "hello\n\n two  spaces \ntab\there\ncrlf\r\nend\n");
	crun_close(&r);
	if (ok && client_run(c, &r, &none, opts, "::1", "over IPv6\n", 10, 3000))
		ok = expect_client(c, &r, 0, "over IPv6\n");
	else
		ok = false;
	if (ok) {
		crun_close(&r);
		ok = client_run(c, &r, &none, opts, "127.0.0.1", nul, sizeof nul - 1, 3000) &&
		     expect_client_n(c, &r, 0, nul, sizeof nul - 1);
	}
	if (ok && client_sent(c, &s))
		expect_sent_exactly(c, &r, &s, want, lens, "`<SEQ> <line>` for each line, the newline "
				    "removed, once each when nothing is lost");
	crun_close(&r);
}

static void check_udp_client_retransmit(struct ctx *c)
{
	static const char *const opts[] = { "-r", "3", NULL };
	struct relay_plan plan = {
		.rules = { { .dir = RELAY_C2S, .match = "1 alpha", .from = 1, .to = 1,
			     .act = RELAY_DROP },
			   { .dir = RELAY_S2C, .match = "2 beta", .from = 1, .to = 1,
			     .act = RELAY_DROP } },
		.nrules = 2,
	};
	struct crun r;
	struct sent s;

	ctx_log(c, "the default timeout (200 ms): the first try of message 1 is lost on its way "
		"to the server, the first echo of message 2 on its way back");
	if (client_run(c, &r, &plan, opts, "127.0.0.1", "alpha\nbeta\ngamma\n", 17, 4000) &&
	    expect_client(c, &r, 0, "alpha\nbeta\ngamma\n") && client_sent(c, &s) &&
	    expect_retry(c, &r, &s, "1 alpha", 200, "the relay dropped it") &&
	    expect_retry(c, &r, &s, "2 beta", 200, "the relay dropped its echo"))
		expect_in_order(c, &r, &s);
	crun_close(&r);
}

static void check_udp_client_backoff(struct ctx *c)
{
	static const char *const opts[] = { "-t", "50", "-r", "4", NULL };
	struct relay_plan plan = {
		.rules = { { .dir = RELAY_C2S, .match = "1 once", .from = 1, .to = 3,
			     .act = RELAY_DROP } },
		.nrules = 1,
	};
	struct crun r;
	struct sent s;
	int64_t ts[8];

	if (!client_run(c, &r, &plan, opts, "127.0.0.1", "once\n", 5, 3000) ||
	    !expect_client(c, &r, 0, "once\n") || !client_sent(c, &s)) {
		crun_close(&r);
		return;
	}
	size_t n = tries_of(&s, "1 once", ts, 8);
	char seen[1200], range[64];
	if (n < 4) {
		ctx_fail(c, "expected: 4 tries of \"1 once\" (the relay dropped the first three)\n"
			 "   seen: %zu; the client sent: %s\n(%s; relay plan: %s)", n,
			 sent_str(&s, seen, sizeof seen), r.cmd, r.plan);
		ladder(c);
		crun_close(&r);
		return;
	}
	for (size_t i = 0; i < 3; i++) {
		int want = 50 << i;
		double gap = ms_between(ts[i], ts[i + 1]);
		gap_range(want, range, sizeof range);
		ctx_log(c, "try %zu came %.1f ms after try %zu (allowed: %s)", i + 2, gap, i + 1, range);
		if (!gap_ok(gap, want)) {
			ctx_fail(c, "expected: the gaps between tries double with the timeout: 50, 100, "
				 "200 ms\n   seen: try %zu came %.1f ms after try %zu (allowed for %d ms: "
				 "%s); the client sent: %s\n(%s; relay plan: %s)", i + 2, gap, i + 1, want,
				 range, sent_str(&s, seen, sizeof seen), r.cmd, r.plan);
			ladder(c);
			break;
		}
	}
	crun_close(&r);
}

static void check_udp_client_stale(struct ctx *c)
{
	static const char *const opts[] = { "-t", "50", "-r", "5", NULL };
	/* Message 2's first try is lost, and while the client waits for it a stale echo of
	 * message 1 and garbage arrive every few milliseconds for 1.2 s: a client whose timer
	 * restarts on them retries more than a second late. Message 1's echo comes twice; message 3's
	 * first echo is held back until its retry's echo has passed. */
	struct relay_plan plan = {
		.rules = {
			{ .dir = RELAY_S2C, .match = "1 ok", .from = 1, .to = 1, .act = RELAY_DUP },
			{ .dir = RELAY_C2S, .match = "2 ok", .from = 1, .to = 1, .act = RELAY_DROP },
			{ .dir = RELAY_C2S, .match = "2 ok", .from = 1, .to = 1, .act = RELAY_STALE,
			  .ms = 25, .count = 48 },
			{ .dir = RELAY_C2S, .match = "2 ok", .from = 1, .to = 1, .act = RELAY_GARBAGE,
			  .ms = 12, .count = 100 },
			{ .dir = RELAY_S2C, .match = "3 ok", .from = 1, .to = 1, .act = RELAY_HOLD },
		},
		.nrules = 5,
		.seed = 0x5eed0203,
	};
	struct crun r;
	struct sent s;

	if (client_run(c, &r, &plan, opts, "127.0.0.1", "ok\nok\nok\nlast\n", 14, 4000) &&
	    expect_client(c, &r, 0, "ok\nok\nok\nlast\n") && client_sent(c, &s) &&
	    expect_retry(c, &r, &s, "2 ok", 50, "the relay dropped it, and only stale echoes and "
			 "garbage came back"))
		expect_retry(c, &r, &s, "3 ok", 50, "the relay held its echo back");
	if (ctx_failed(c))
		ctx_fail(c, "(a datagram that is not exactly the one sent is ignored, and the wait "
			 "still ends at the same deadline)");
	crun_close(&r);
}

/* The client sent the messages of want (NULL-terminated), in order: answered ones (all but
 * the last) at least once (a machine that stalls longer than the timeout draws a spurious
 * retry, which the contract allows), the unanswered last one exactly `tries` times, and
 * nothing after it. Then the exact error line, exit status 1, stdout out. */
static void expect_give_up(struct ctx *c, struct crun *r, const char *const *want, size_t tries,
			   const char *line, const char *out, const char *rule)
{
	struct sent s;
	size_t elen, nw = 0, i = 0;
	char seen[1200], esc[80];

	while (want[nw])
		nw++;
	if (!client_sent(c, &s))
		return;
	for (size_t k = 0; k < nw; k++) {
		size_t len = strlen(want[k]), n = 0;
		while (i < s.n && s.d[i]->wire_len == len && s.d[i]->len == len &&
		       memcmp(s.d[i]->data, want[k], len) == 0) {
			i++;
			n++;
		}
		bool last = k + 1 == nw;
		if (n == 0 || (last && (n != tries || i != s.n))) {
			esc_bytes(want[k], len, 40, esc, sizeof esc);
			if (last)
				ctx_fail(c, "expected: %s sent %zu times in all (%s), then nothing more\n"
					 "   seen: the client sent: %s\n(%s; %s)", esc, tries, rule,
					 sent_str(&s, seen, sizeof seen), r->cmd, r->plan);
			else
				ctx_fail(c, "expected: %s, then the next message\n   seen: the client sent: "
					 "%s\n(%s; %s)", esc, sent_str(&s, seen, sizeof seen), r->cmd, r->plan);
			if (s.n == 0)
				client_note(c, r);
			ladder(c);
			return;
		}
	}
	if (!expect_client(c, r, 1, out))
		return;
	char *err = ctx_stderr(c, r->p, &elen);
	ctx_expect_bytes(c, "on udp_client's stderr", line, strlen(line), err, elen);
	free(err);
}

static void check_udp_client_give_up(struct ctx *c)
{
	static const char *const opts[] = { "-t", "40", "-r", "3", NULL };
	static const char *const want[] = { "1 first", "2 second", NULL };
	struct relay_plan plan = {
		.rules = { { .dir = RELAY_C2S, .match = "2 second", .from = 1, .to = 0,
			     .act = RELAY_DROP } },
		.nrules = 1,
	};
	struct crun r;

	if (client_run(c, &r, &plan, opts, "127.0.0.1", "first\nsecond\nthird\n", 19, 3000))
		expect_give_up(c, &r, want, 3, "udp_client: no reply for message 2 after 3 tries\n",
			       "first\n", "message 2 tried 3 times in all, then nothing more");
	crun_close(&r);
}

static void check_udp_client_icmp(struct ctx *c)
{
	static const char *const opts[] = { "-t", "50", "-r", "3", NULL };
	static const char *const want[] = { "1 ping", NULL };
	struct crun r;

	if (!client_run(c, &r, NULL, opts, "127.0.0.1", "ping\n", 5, 3000)) {
		crun_close(&r);
		return;
	}
	expect_give_up(c, &r, want, 3, "udp_client: no reply for message 1 after 3 tries\n", "",
		       "an ICMP port unreachable is a lost try: 3 tries in all");
	/* A lost try is waited out: the ICMP error comes back at once, and a client that takes
	 * it as "no reply, next try" sends its 3 tries back to back, with the right count. Only
	 * the first gap is judged: that the later ones double is udp.client-backoff's rule. */
	struct sent s;
	int64_t ts[8];
	if (!ctx_failed(c) && client_sent(c, &s)) {
		size_t n = tries_of(&s, "1 ping", ts, 8);
		if (n >= 2) {
			double gap = ms_between(ts[0], ts[1]);
			char range[64], seen[1200];
			gap_range(50, range, sizeof range);
			ctx_log(c, "try 2 came %.1f ms after try 1 (allowed: %s)", gap, range);
			if (!gap_ok(gap, 50)) {
				ctx_fail(c, "expected: an ICMP port unreachable is a lost try, waited out: "
					 "the second try 50 ms after the first\n   seen: try 2 came %.1f ms "
					 "after try 1 (allowed: %s); the client sent: %s\n(%s)", gap, range,
					 sent_str(&s, seen, sizeof seen), r.cmd);
				ladder(c);
			}
		}
	}
	const struct flow_set *fs = ctx_flows(c);
	if (!ctx_failed(c) && fs && fs->nunreach == 0)
		ctx_error(c, "the client's datagrams to a closed port drew no ICMP port unreachable, "
			  "so the check did not test what it meant to (a grader fault, not yours)");
	crun_close(&r);
}

static void check_udp_client_edges(struct ctx *c)
{
	char *input = malloc(2100), *out = malloc(1100);
	struct crun r = { 0 };
	struct sent s;
	size_t n = 0;

	if (!input || !out)
		goto out;
	/* Empty stdin: nothing to send, exit 0. */
	if (!client_run(c, &r, NULL, NULL, "127.0.0.1", "", 0, 3000) ||
	    !expect_client(c, &r, 0, "")) {
		ctx_fail(c, "(stdin was empty)");
		goto out;
	}
	crun_close(&r);
	/* A line of exactly 1000 bytes is fine; 1001 bytes is an error, and nothing is sent. */
	memset(input, 'a', 1000);
	n = 1000;
	input[n++] = '\n';
	memcpy(out, input, n);
	out[n] = '\0';
	memset(input + n, 'b', 1001);
	n += 1001;
	memcpy(input + n, "\nnever\n", 7);
	n += 7;
	struct relay_plan none = { .nrules = 0 };
	static const char *const opts[] = { "-t", "1000", NULL };
	if (!client_run(c, &r, &none, opts, "127.0.0.1", input, n, 3000))
		goto out;
	if (!ctx_expect_error_line(c, r.p, "a 1001-byte line 2 after a 1000-byte line 1") ||
	    !expect_client(c, &r, 1, out)) {
		ctx_fail(c, "(line 1 had 1000 bytes, the longest allowed; line 2 had 1001)");
		goto out;
	}
	if (!client_sent(c, &s))
		goto out;
	if (s.n != 1 || s.d[0]->wire_len != 1002) {
		char seen[1200];
		ctx_fail(c, "expected: one datagram, \"1 \" and the 1000-byte line (1002 bytes); "
			 "nothing for the 1001-byte line 2 or after it\n   seen: %s",
			 sent_str(&s, seen, sizeof seen));
		ladder(c);
		goto out;
	}
	crun_close(&r);
	if (c->sb->mode != SB_NETNS) {
		ctx_log(c, "the unresolvable-host case needs a network namespace: not run");
		goto out;
	}
	if (client_run(c, &r, NULL, NULL, "no-such-host.invalid", "x\n", 2, 5000))
		ctx_expect_error_line(c, r.p, "an unresolvable host (no-such-host.invalid)");
out:
	crun_close(&r);
	free(input);
	free(out);
}

static void check_udp_usage(struct ctx *c)
{
	static const char *const server[] = { "udp_echo_server", "PORT", NULL };
	static const char *const client[] = { "udp_client", "127.0.0.1", "PORT", NULL };

	if (ctx_expect_usage(c, "udp_echo_server", NULL) &&
	    ctx_expect_bad_ports(c, server, 1) &&
	    ctx_expect_bad_ports(c, client, 2) &&
	    ctx_expect_usage(c, "udp_echo_server", "65536", NULL) &&
	    ctx_expect_usage(c, "udp_echo_server", "7x", NULL) &&
	    ctx_expect_usage(c, "udp_echo_server", "7000", "more", NULL) &&
	    ctx_expect_usage(c, "udp_client", NULL) &&
	    ctx_expect_usage(c, "udp_client", "127.0.0.1", NULL) &&
	    ctx_expect_usage(c, "udp_client", "127.0.0.1", "0", NULL) &&
	    ctx_expect_usage(c, "udp_client", "127.0.0.1", "65536", NULL) &&
	    ctx_expect_usage(c, "udp_client", "127.0.0.1", "7000", "x", NULL) &&
	    ctx_expect_usage(c, "udp_client", "-x", "127.0.0.1", "7000", NULL) &&
	    ctx_expect_usage(c, "udp_client", "-t", "0", "127.0.0.1", "7000", NULL) &&
	    ctx_expect_usage(c, "udp_client", "-t", "-5", "127.0.0.1", "7000", NULL) &&
	    ctx_expect_usage(c, "udp_client", "-r", "x", "127.0.0.1", "7000", NULL))
		ctx_expect_usage(c, "udp_client", "-r", "0", "127.0.0.1", "7000", NULL);
}

static const struct check checks[] = {
	{
		.id = "udp.usage",
		.title = "usage errors: a usage line, exit 2",
		.section = "Errors and exit codes",
		.hint = "Check the argument count, the port (1..65535) and each option value (a "
			"positive number) before anything else; usage line to stderr, exit(2).",
		.points = 5,
		.run = check_udp_usage,
	},
	{
		.id = "udp.server-echo",
		.title = "the same payload back, from the server's port, over IPv4 and IPv6",
		.section = "Step 2: the echo loop",
		.hint = "recvfrom tells you who sent the datagram: sendto that address, from the "
			"same socket.",
		.points = 10,
		.flags = CHECK_WIRE,
		.run = check_udp_server_echo,
	},
	{
		.id = "udp.server-boundaries",
		.title = "1, 1400 and 8000 bytes back as three datagrams",
		.section = "Datagram boundaries",
		.hint = "One recvfrom is one datagram: send back exactly the n bytes it returned, "
			"with a buffer large enough for any datagram.",
		.points = 10,
		.flags = CHECK_WIRE,
		.run = check_udp_server_boundaries,
	},
	{
		.id = "udp.server-sizes",
		.title = "a zero-length and a 65507-byte datagram",
		.section = "Datagram boundaries",
		.hint = "recvfrom returning 0 is an empty datagram: echo it. A 64 KiB buffer "
			"holds the largest one.",
		.points = 5,
		.flags = CHECK_WIRE,
		.run = check_udp_server_sizes,
	},
	{
		.id = "udp.server-interleaved",
		.title = "two clients interleaved, each gets its own",
		.section = "UDP versus TCP",
		.hint = "One socket serves every client: never connect it, and reply to the "
			"address of each datagram.",
		.points = 5,
		.flags = CHECK_WIRE,
		.run = check_udp_server_interleaved,
	},
	{
		.id = "udp.client-format",
		.title = "`<SEQ> <line>`, one datagram per line, stdout the input",
		.section = "Stop-and-wait",
		.hint = "Number lines from 1; the payload is the number, one space, the line "
			"without its newline (a \\r stays). Print each line once its echo is back.",
		.points = 10,
		.flags = CHECK_WIRE,
		.run = check_udp_client_format,
	},
	{
		.id = "udp.client-retransmit",
		.title = "a lost datagram or echo: sent again one timeout later",
		.section = "Timeouts and backoff",
		.hint = "Wait with poll for the time left until the deadline; when it passes with "
			"no match, send the same datagram again.",
		.points = 15,
		.flags = CHECK_WIRE,
		.timeout_ms = 12000,
		.run = check_udp_client_retransmit,
	},
	{
		.id = "udp.client-backoff",
		.title = "the timeout doubles with each try: T, 2T, 4T",
		.section = "Timeouts and backoff",
		.hint = "Double the timeout after each unanswered try.",
		.points = 10,
		.flags = CHECK_WIRE,
		.timeout_ms = 11000,
		.run = check_udp_client_backoff,
	},
	{
		.id = "udp.client-stale",
		.title = "duplicates, stale echoes and garbage ignored, timer kept",
		.section = "Stale replies and duplicates",
		.hint = "Accept only a datagram equal to the one you sent (same length, same "
			"bytes); on anything else wait again until the same deadline.",
		.points = 10,
		.flags = CHECK_WIRE,
		.timeout_ms = 10000,
		.run = check_udp_client_stale,
	},
	{
		.id = "udp.client-give-up",
		.title = "TRIES sends, then the error line and exit 1",
		.section = "Timeouts and backoff",
		.hint = "Count sends, not timeouts: after the TRIES-th send's timeout, print "
			"\"udp_client: no reply for message <SEQ> after <TRIES> tries\" and "
			"exit(1).",
		.points = 10,
		.flags = CHECK_WIRE,
		.timeout_ms = 10000,
		.run = check_udp_client_give_up,
	},
	{
		.id = "udp.client-icmp",
		.title = "ICMP port unreachable is a lost try, not the end",
		.section = "ICMP errors on connected sockets",
		.hint = "ECONNREFUSED from recv means this try got no answer: keep waiting until "
			"the deadline, then try again.",
		.points = 5,
		.flags = CHECK_WIRE,
		.timeout_ms = 10000,
		.run = check_udp_client_icmp,
	},
	{
		.id = "udp.client-edges",
		.title = "empty stdin, a 1001-byte line, an unknown host",
		.section = "The contract",
		.hint = "Empty stdin sends nothing and exits 0; a line over 1000 bytes and an "
			"unknown host are runtime errors: one line on stderr, exit(1).",
		.points = 5,
		.flags = CHECK_WIRE,
		.run = check_udp_client_edges,
	},
};

const struct lab lab_02_udp = {
	.id = "02-udp",
	.title = "datagrams, loss and retransmission",
	.programs = (const char *const[]){ "udp_echo_server", "udp_client", NULL },
	LAB_CHECKS(checks),
};
