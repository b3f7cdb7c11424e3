/* lab01.c - checks of 01-tcp-echo: echo_server and echo_client (LABS.md). */
#include "check.h"
#include "clock.h"
#include "esc.h"
#include "labs.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define MiB (1u << 20)
/* The grader's writes stall when nothing has left its send buffer for this long: the
 * server has stopped reading (it is blocked sending its echo to us). */
#define ECHO_STALL_MS 150
/* echo.client-large: socket buffers in the check's namespace (tcp_rmem, tcp_wmem), and the
 * echo the grader's server sends back in one go, without reading, once it has read that
 * much. A send buffer of 16 KiB at most means poll() reports POLLOUT with a few KiB free, so
 * a blocking send() of a larger chunk blocks; the client then reads nothing, and the burst
 * is far more than its receive buffer holds: it deadlocks on every run. */
#define ECHO_RMEM "4096 131072 1048576"
#define ECHO_WMEM "4096 16384 16384"
#define ECHO_BURST_BYTES (6 * MiB)
/* echo.server-reset: the most the resetting client sends before it resets (a server that
 * never stops reading gets this much). */
#define ECHO_RESET_MAX (8 * MiB)
/* echo.client-reset: the early close comes after this many bytes of a large stdin. */
#define ECHO_EARLY_BYTES 1000

/* Write a sysctl of the check's own namespace. */
static int sysctl_write(const char *path, const char *value)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	ssize_t n = write(fd, value, strlen(value));
	int e = errno;
	close(fd);
	return n == (ssize_t)strlen(value) ? 0 : -(n < 0 ? e : EIO);
}

/* ---- the grader as a client of echo_server -------------------------------------------- */

static struct proc *start_server(struct ctx *c)
{
	return ctx_start_server(c, NETSTAT_TCP, "echo_server");
}

/* A connection to echo_server over 127.0.0.1; -1 after a failure. */
static int connect_to_server(struct ctx *c)
{
	char why[256];
	int fd = peer_connect("127.0.0.1", ctx_port(c, 0), 2000, why, sizeof why);

	if (fd < 0)
		ctx_fail(c, "expected: echo_server accepts a connection\n   seen: %s", why);
	return fd;
}

/* echo_server started (into *p), and a connection to it; -1 after a failure. */
static int start_and_connect(struct ctx *c, struct proc **p)
{
	*p = start_server(c);
	return *p ? connect_to_server(c) : -1;
}

/* One client of echo_server over addr: send data and half-close, reading everything back
 * (from read_delay_ms on). Judges the bytes; false after a failure. */
static bool echo_once_at(struct ctx *c, const char *addr, const uint8_t *data, size_t n,
			 int read_delay_ms, int timeout_ms)
{
	char why[256];
	struct peer_pump p = { .out = data, .nout = n, .read_delay_ms = read_delay_ms,
			       .timeout_ms = timeout_ms };
	int fd = peer_connect(addr, ctx_port(c, 0), 2000, why, sizeof why);

	if (fd < 0) {
		ctx_fail(c, "expected: echo_server accepts a connection over %s\n   seen: %s", addr,
			 why);
		return false;
	}
	peer_pump(fd, &p);
	close(fd);
	bool ok = true;
	if (p.rc == -ETIMEDOUT) {
		ctx_fail(c, "expected: echo_server echoes %zu bytes and closes after the client's FIN\n"
			 "   seen: after %.1f s the grader had sent %zu bytes and received %zu, and the "
			 "connection was still open", n, timeout_ms / 1000.0, p.sent, p.in.len);
		ok = false;
	} else if (p.rc < 0 && p.in.len < n) {
		ctx_fail(c, "expected: echo_server echoes %zu bytes and closes with FIN\n"
			 "   seen: %s after %zu bytes came back", n, peer_strerror(p.rc), p.in.len);
		ok = false;
	} else {
		ok = ctx_expect_bytes(c, "back from echo_server", data, n, p.in.data, p.in.len);
	}
	peer_buf_free(&p.in);
	if (!ok)
		ctx_ladder_last(c, ctx_port(c, 0));
	return ok;
}

static bool echo_once(struct ctx *c, const uint8_t *data, size_t n, int read_delay_ms,
		      int timeout_ms)
{
	return echo_once_at(c, "127.0.0.1", data, n, read_delay_ms, timeout_ms);
}

/* The idx-th connection on the wire: the server's stream is what the client sent, whole,
 * and the server's FIN comes after its last byte. */
static bool echo_wire(struct ctx *c, size_t idx, bool ladder)
{
	const struct flow_tcp *f = ctx_tcp_nth(c, ctx_port(c, 0), idx, "connection %zu", idx + 1);

	if (!f)
		return false;
	const struct flow_half *cs = &f->half[FLOW_C2S], *ss = &f->half[FLOW_S2C];
	if (ss->hole || cs->hole) {
		ctx_error(c, "the capture has a gap in the byte stream (a grader fault, not yours)");
		return false;
	}
	bool ok = ctx_require(c, ss->len == cs->len, "expected on the wire: the server sends back "
			      "%zu bytes\n   seen: it sent %zu", cs->len, ss->len);
	ok = ok && ctx_expect_fin(c, f, FLOW_S2C, "server");
	ok = ok && ctx_require(c, ss->fin_off == ss->len, "expected: the server's FIN after its last "
			       "data byte\n   seen: FIN at stream offset %llu of %zu",
			       (unsigned long long)ss->fin_off, ss->len);
	ok = ok && ctx_require(c, !cs->fin || ss->fin_ns >= cs->fin_ns, "expected: the server "
			       "closes after the client's FIN\n   seen: the server's FIN came %.3f ms "
			       "before the client's", (cs->fin_ns - ss->fin_ns) / 1e6);
	if (!ok || ladder)
		ctx_ladder_tcp(c, f);
	return ok;
}

static void check_echo_usage(struct ctx *c)
{
	static const char *const server[] = { "echo_server", "PORT", NULL };
	static const char *const client[] = { "echo_client", "127.0.0.1", "PORT", NULL };

	if (ctx_expect_usage(c, "echo_server", NULL) &&
	    ctx_expect_bad_ports(c, server, 1) &&
	    ctx_expect_usage(c, "echo_server", "65536", NULL) &&
	    ctx_expect_usage(c, "echo_server", "-x", "7000", NULL) &&
	    ctx_expect_usage(c, "echo_server", "7000", "more", NULL) &&
	    ctx_expect_usage(c, "echo_client", NULL) &&
	    ctx_expect_usage(c, "echo_client", "127.0.0.1", NULL) &&
	    ctx_expect_bad_ports(c, client, 2) &&
	    ctx_expect_usage(c, "echo_client", "127.0.0.1", "http", NULL) &&
	    ctx_expect_usage(c, "echo_client", "-x", "127.0.0.1", "7000", NULL))
		ctx_expect_usage(c, "echo_client", "127.0.0.1", "7000", "x", NULL);
}

static void check_echo_server_echo(struct ctx *c)
{
	static const char line[] = "hello, echo\n";

	if (!start_server(c))
		return;
	echo_once(c, (const uint8_t *)line, sizeof line - 1, 0, 2000);
	echo_wire(c, 0, false);
}

static void check_echo_server_byte_by_byte(struct ctx *c)
{
	struct peer_buf back = { 0 };
	uint8_t data[300];

	for (size_t i = 0; i < sizeof data; i++)
		data[i] = (uint8_t)('a' + i % 26);
	if (!start_server(c))
		return;
	int fd = connect_to_server(c);
	if (fd < 0)
		return;
	peer_nodelay(fd);
	for (size_t i = 0; i < sizeof data; i++) {
		if (peer_send(fd, &data[i], 1, 2000) < 0)
			break;
		if (i % 3 == 2)
			clock_sleep_ms(1);
	}
	shutdown(fd, SHUT_WR);
	int rc = peer_recv_all(fd, &back, 4096, 3000);
	close(fd);
	if (rc == -ETIMEDOUT)
		ctx_fail(c, "expected: the server echoes 300 bytes and closes\n   seen: %zu bytes back, "
			 "the connection still open after 3 s", back.len);
	else
		ctx_expect_bytes(c, "back from echo_server", data, sizeof data, back.data, back.len);
	peer_buf_free(&back);
	const struct flow_set *fs = ctx_flows(c);
	const struct flow_tcp *f = fs ? flow_tcp_nth(fs, ctx_port(c, 0), 0) : NULL;
	if (f && flow_data_segs(f, FLOW_C2S) < 100 && !ctx_failed(c))
		ctx_error(c, "the grader meant to send 300 one-byte segments but the wire shows %zu",
			  flow_data_segs(f, FLOW_C2S));
	else if (!ctx_failed(c))
		echo_wire(c, 0, false);
	else if (f)
		ctx_ladder_tcp(c, f);
}

/* A seeded payload, sent at once and half-closed; its echo read from read_delay_ms on. */
struct payload {
	size_t n;
	uint32_t seed;
	bool every_byte_first;
	int read_delay_ms, timeout_ms;
	const char *what, *after;     /* the log: "payload: <what> xorshift32 seed S<after>" */
};

static void echo_payload(struct ctx *c, const struct payload *pl)
{
	uint8_t *data = ctx_pattern(pl->n, pl->seed, pl->every_byte_first);

	ctx_log(c, "payload: %s xorshift32 seed %#x%s", pl->what, pl->seed, pl->after);
	if (data && start_server(c) && echo_once(c, data, pl->n, pl->read_delay_ms, pl->timeout_ms))
		echo_wire(c, 0, false);
	free(data);
}

static void check_echo_server_binary(struct ctx *c)
{
	/* Every byte value, NUL first. */
	static const struct payload pl = { .n = 64 * 1024, .seed = 0x5eed0001,
					   .every_byte_first = true, .timeout_ms = 3000,
					   .what = "65536 bytes: 0..255, then", .after = "" };
	echo_payload(c, &pl);
}

static void check_echo_server_large(struct ctx *c)
{
	static const struct payload pl = { .n = 16 * MiB, .seed = 0x5eed0016, .read_delay_ms = 2000,
					   .timeout_ms = 15000, .what = "16 MiB,",
					   .after = "; the grader does not read for 2 s" };
	/* A send buffer of 16 KiB at most (only in the check's own namespace): a non-blocking
	 * server's send() then takes part of a chunk on every run, so one that drops the rest of
	 * a short write loses bytes here. With the default buffers of several MiB, a send of
	 * 64 KiB or less is taken whole or not at all on loopback, and the bug never shows. */
	if (c->sb->mode == SB_NETNS &&
	    sysctl_write("/proc/sys/net/ipv4/tcp_wmem", ECHO_WMEM) < 0)
		ctx_log(c, "could not set tcp_wmem to \"" ECHO_WMEM "\"");
	echo_payload(c, &pl);
}

static void check_echo_server_half_close(struct ctx *c)
{
	static const struct payload pl = { .n = MiB, .seed = 0x5eed0002, .timeout_ms = 5000,
					   .what = "1 MiB then FIN at once,", .after = "" };
	echo_payload(c, &pl);
}

/* Dual stack: one IPv6 socket on [::] with IPV6_V6ONLY off. The namespace has bindv6only
 * set to 1, so a server that leaves the option at its default refuses IPv4 clients. */
static void check_echo_server_ipv6(struct ctx *c)
{
	static const char v6[] = "over IPv6\n", v4[] = "over IPv4\n";

	if (!start_server(c) || !ctx_expect_dual_stack(c, ctx_port(c, 0)))
		return;
	if (echo_once_at(c, "::1", (const uint8_t *)v6, sizeof v6 - 1, 0, 2000) &&
	    echo_once_at(c, "127.0.0.1", (const uint8_t *)v4, sizeof v4 - 1, 0, 2000) &&
	    echo_wire(c, 0, false))
		echo_wire(c, 1, false);
}

/* Stopped while a client is connected, the server's side of that connection closes first
 * and stays in TIME_WAIT: restarting at once needs SO_REUSEADDR. */
static void check_echo_server_restart(struct ctx *c)
{
	static const char line[] = "again\n";
	char buf[16];
	struct proc *p;
	int fd = start_and_connect(c, &p);

	if (fd < 0)
		return;
	/* The echo shows the server is serving this client when it is stopped. */
	if (peer_send(fd, "a\n", 2, 2000) < 0 || peer_recv(fd, buf, sizeof buf, 2000) <= 0) {
		close(fd);
		ctx_fail(c, "expected: echo_server echoes \"a\\n\"\n   seen: nothing came back "
			 "within 2 s");
		return;
	}
	if (ctx_restart_server(c, p, fd, 2000) &&
	    echo_once(c, (const uint8_t *)line, sizeof line - 1, 0, 2000) && echo_wire(c, 1, false))
		ctx_check_second_server(c, "echo_server");
}

/* While the server is busy with client A, client B connects, sends, and resets: when the
 * server gets to B its data is still there to read, and echoing it hits a dead connection
 * (EPIPE, and SIGPIPE unless it is ignored). */
static bool reset_while_busy(struct ctx *c)
{
	char why[256], buf[16];
	uint8_t data[10000];
	struct peer_buf rest = { 0 };
	int a = connect_to_server(c);

	if (a < 0)
		return false;
	/* A's echo proves the server is serving A, not waiting in accept. */
	bool ok = peer_send(a, "a\n", 2, 2000) == 0 && peer_recv(a, buf, sizeof buf, 2000) > 0;
	if (!ok)
		ctx_fail(c, "expected: echo_server echoes \"a\\n\" to a new client after the reset one\n"
			 "   seen: nothing came back within 2 s");
	int b = peer_connect("127.0.0.1", ctx_port(c, 0), 2000, why, sizeof why);
	if (ok && b >= 0) {
		memset(data, 'b', sizeof data);
		peer_send(b, data, sizeof data, 1000);
		clock_sleep_ms(20);
		peer_reset(b);
		clock_sleep_ms(20);
	} else if (b >= 0) {
		close(b);
	}
	shutdown(a, SHUT_WR);
	peer_recv_all(a, &rest, 4096, 2000);
	close(a);
	peer_buf_free(&rest);
	/* Time for the server to reach B and write to it. */
	clock_sleep_ms(100);
	return ok;
}

static void check_echo_server_reset(struct ctx *c)
{
	static const char line[] = "still there?\n";
	char st[128];
	/* Small buffers, so the server stops reading after a few MiB (only in the check's own
	 * namespace, never the host's). */
	if (c->sb->mode == SB_NETNS &&
	    (sysctl_write("/proc/sys/net/ipv4/tcp_rmem", ECHO_RMEM) < 0 ||
	     sysctl_write("/proc/sys/net/ipv4/tcp_wmem", ECHO_RMEM) < 0))
		ctx_log(c, "could not set tcp_rmem and tcp_wmem to \"" ECHO_RMEM "\"");
	/* A client that sends, reads nothing, and resets while the server is blocked writing
	 * its echo, with more of the client's bytes still unread in its receive buffer: the
	 * write fails, and whatever the server does next with this client must not kill it. */
	struct proc *p;
	int fd = start_and_connect(c, &p);
	if (fd < 0)
		return;
	peer_small_rcvbuf(fd, 64 * 1024);
	size_t sent = peer_send_until_stalled(fd, ECHO_RESET_MAX, ECHO_STALL_MS, 3000);
	ctx_log(c, "the resetting client sent %zu bytes before the server stopped reading", sent);
	peer_reset(fd);
	clock_sleep_ms(100);
	if (!proc_is_running(p)) {
		ctx_fail(c, "expected: echo_server goes on after a client resets\n   seen: it ended (%s)"
			 "\n(the client sent %zu bytes without reading, then reset while the server "
			 "was sending)", proc_describe(p, st, sizeof st), sent);
		return;
	}
	if (!reset_while_busy(c))
		return;
	if (!proc_is_running(p)) {
		ctx_fail(c, "expected: echo_server goes on after a client resets\n   seen: it ended (%s)"
			 "\n(a client sent 10000 bytes and reset while the server was busy with "
			 "another; writing its echo fails with EPIPE)", proc_describe(p, st, sizeof st));
		return;
	}
	/* Connections so far: the resetting one, A and B; the next is the check's last. */
	if (echo_once(c, (const uint8_t *)line, sizeof line - 1, 0, 2000))
		echo_wire(c, 3, false);
	if (ctx_failed(c))
		ctx_fail(c, "(earlier clients reset mid-stream)");
}

/* ---- the grader as the server of echo_client ------------------------------------------ */


/* How the grader's server answers echo_client. */
enum echo_mode {
	ECHO_BURST,       /* read ECHO_BURST_BYTES (or to the FIN) without echoing, then echo all
			   * of them without reading, and again */
	ECHO_AT_FIN,      /* echo nothing before the client's FIN: a client that does not
			   * half-close, but closes, never sees its echo */
	ECHO_RESET,       /* read the client's bytes up to its FIN, then reset without a byte */
	ECHO_EARLY_FIN,   /* after ECHO_EARLY_BYTES bytes: their echo and FIN, then read no more */
};

struct echo_peer {
	int lfd;
	enum echo_mode mode;
	int timeout_ms;
	pthread_t thread;
	int rc;                /* 0: the client closed and we closed */
	bool accepted;
	uint64_t received;
	uint64_t bytes;        /* echoed */
};

/* Read up to want bytes into b (stopping at the client's FIN: *eof). */
static int echo_peer_read(int fd, struct peer_buf *b, size_t want, bool *eof, int64_t deadline)
{
	uint8_t buf[65536];

	while (b->len < want) {
		size_t room = want - b->len < sizeof buf ? want - b->len : sizeof buf;
		ssize_t n = peer_recv(fd, buf, room, clock_left_ms(deadline));
		if (n == 0) {
			*eof = true;
			return 0;
		}
		if (n < 0)
			return (int)n;
		if (peer_buf_append(b, buf, (size_t)n) < 0)
			return -ENOMEM;
	}
	return 0;
}

static void *echo_peer_main(void *arg)
{
	struct echo_peer *e = arg;
	int64_t deadline = clock_deadline(e->timeout_ms);
	struct peer_buf b = { 0 };
	bool eof = false;
	int fd = peer_accept(e->lfd, clock_left_ms(deadline));

	if (fd < 0) {
		e->rc = fd;
		return NULL;
	}
	e->accepted = true;
	size_t want = e->mode == ECHO_BURST ? ECHO_BURST_BYTES :
		      e->mode == ECHO_EARLY_FIN ? ECHO_EARLY_BYTES : SIZE_MAX;
	/* The reset comes at the client's FIN, or a second before the check stops waiting for
	 * the client (a client that never half-closes still meets the reset in time). */
	int64_t read_deadline = e->mode == ECHO_RESET ? clock_deadline(e->timeout_ms - 1000)
						     : deadline;
	while (!eof) {
		b.len = 0;
		e->rc = echo_peer_read(fd, &b, want, &eof, read_deadline);
		e->received += b.len;
		if (e->rc < 0)
			break;
		if (e->mode == ECHO_RESET) {
			e->rc = -ECONNRESET;
			break;
		}
		if (b.len > 0) {
			e->rc = peer_send(fd, b.data, b.len, clock_left_ms(deadline));
			if (e->rc < 0)
				break;
			e->bytes += b.len;
		}
		if (e->mode == ECHO_EARLY_FIN) {
			/* Our FIN, then we read no more: the client's sends stall, so whatever its
			 * design (poll, threads, write then read) it still has stdin to send when
			 * our FIN arrives. Wait for the check to shut our listener down: two whole
			 * timeouts from now, well past the check's own wait (which may have started
			 * after the client connected), so that our RST never comes first and rescues
			 * a client that notices only a reset. */
			shutdown(fd, SHUT_WR);
			int other = peer_accept(e->lfd, 2 * e->timeout_ms);
			if (other >= 0)
				close(other);
			e->rc = -ECONNRESET;
			break;
		}
	}
	peer_buf_free(&b);
	if (e->rc == 0)
		close(fd);
	else
		peer_reset(fd);
	return NULL;
}

static bool echo_peer_start(struct ctx *c, struct echo_peer *e, const char *addr,
			    enum echo_mode mode, int timeout_ms)
{
	char why[256];

	memset(e, 0, sizeof *e);
	e->mode = mode;
	e->timeout_ms = timeout_ms;
	e->lfd = peer_listen(addr, ctx_port(c, 0), SOCK_STREAM, why, sizeof why);
	if (e->lfd < 0) {
		ctx_error(c, "the grader's echo server: %s", why);
		return false;
	}
	/* Small buffers on our side, so buffering cannot hide a client that writes without
	 * reading. */
	int small = 64 * 1024;
	peer_small_rcvbuf(e->lfd, small);
	setsockopt(e->lfd, SOL_SOCKET, SO_SNDBUF, &small, sizeof small);
	if (pthread_create(&e->thread, NULL, echo_peer_main, e) != 0) {
		close(e->lfd);
		ctx_error(c, "cannot start the grader's echo server");
		return false;
	}
	return true;
}

static void echo_peer_join(struct echo_peer *e)
{
	pthread_join(e->thread, NULL);
	close(e->lfd);
}

/* Run echo_client HOST PORT with stdin data against the grader's server on listen_addr,
 * answering in mode; the client when it has exited, NULL after a failure. *received (when
 * not NULL) gets the bytes our server read, or -1 when the client never connected. */
static struct proc *client_start(struct ctx *c, enum echo_mode mode, const char *listen_addr,
				 const char *host, const uint8_t *data, size_t n, int timeout_ms,
				 int64_t *received)
{
	char path[512], port[8];
	struct echo_peer e;

	if (!ctx_write_file(c, "stdin", data, n, path, sizeof path))
		return NULL;
	if (!echo_peer_start(c, &e, listen_addr, mode, timeout_ms))
		return NULL;
	snprintf(port, sizeof port, "%u", ctx_port(c, 0));
	struct proc *p = ctx_start(c, path, "echo_client", host, port, NULL);
	bool ok = p && ctx_wait(c, p, timeout_ms);
	if (p && !ok)
		ctx_fail(c, "(stdin held %zu bytes; the grader's server had echoed %llu when it gave up)",
			 n, (unsigned long long)e.bytes);
	if (p && !ok)
		proc_stop(p, 200);
	/* Wakes our server's accept() when the client never connected. */
	shutdown(e.lfd, SHUT_RDWR);
	echo_peer_join(&e);
	if (received)
		*received = e.accepted ? (int64_t)e.received : -1;
	return ok ? p : NULL;
}

/* echo_client against the grader's server in mode: exit 0, stdout the echo of stdin. */
static bool client_run(struct ctx *c, enum echo_mode mode, const char *listen_addr,
		       const char *host, const uint8_t *data, size_t n, int timeout_ms)
{
	char port[8];
	struct proc *p = client_start(c, mode, listen_addr, host, data, n, timeout_ms, NULL);

	if (!p)
		return false;
	snprintf(port, sizeof port, "%u", ctx_port(c, 0));
	bool ok;
	size_t olen;
	char *out = ctx_stdout(c, p, &olen);
	ok = ctx_expect_exit(c, p, 0) &&
	     ctx_expect_bytes(c, "on stdout (what the server echoed)", data, n, out, olen);
	free(out);
	if (!ok)
		ctx_fail(c, "(echo_client %s %s, stdin %zu bytes)", host, port, n);
	return ok;
}

/* The client's stream on the wire is stdin, and its FIN follows its last byte and comes
 * before the server's FIN. */
static bool client_wire(struct ctx *c, size_t idx, const uint8_t *data, size_t n)
{
	const struct flow_set *fs = ctx_flows(c);
	const struct flow_tcp *f = fs ? flow_tcp_nth(fs, ctx_port(c, 0), idx) : NULL;

	if (!fs)
		return false;
	if (!f) {
		ctx_fail(c, "expected: echo_client connects to port %u, half-closes, and waits for the "
			 "server's FIN\n   seen: no connection on the wire", ctx_port(c, 0));
		return false;
	}
	const struct flow_half *cs = &f->half[FLOW_C2S], *ss = &f->half[FLOW_S2C];
	bool ok = ctx_expect_bytes(c, "from the client on the wire", data, n, cs->data, cs->len) &&
		  ctx_expect_fin(c, f, FLOW_C2S, "client");
	ok = ok && ctx_require(c, cs->fin_off == cs->len, "expected: the client's FIN right after "
			       "its last byte\n   seen: FIN at offset %llu of %zu",
			       (unsigned long long)cs->fin_off, cs->len);
	ok = ok && ctx_require(c, !ss->fin || ss->fin_ns >= cs->fin_ns, "expected: the client "
			       "half-closes first, then the server closes\n   seen: the server's "
			       "FIN came first");
	if (!ok)
		ctx_ladder_tcp(c, f);
	return ok;
}

static void check_echo_client_copy(struct ctx *c)
{
	static const char text[] = "hello\nworld\n";

	/* The echo comes only after the client's FIN: a client that closes instead of
	 * half-closing never reads it. */
	if (client_run(c, ECHO_AT_FIN, "::", "127.0.0.1", (const uint8_t *)text, sizeof text - 1,
		       3000))
		client_wire(c, 0, (const uint8_t *)text, sizeof text - 1);
}

static void check_echo_client_large(struct ctx *c)
{
	uint32_t seed = 0x5eed0017;
	size_t n = 16 * MiB;
	uint8_t *data = ctx_pattern(n, seed, false);

	ctx_log(c, "stdin: 16 MiB, xorshift32 seed %#x; the grader reads %u MiB, then echoes them "
		"without reading", seed, ECHO_BURST_BYTES / MiB);
	/* Only in the check's own namespace: never the host's settings. */
	if (c->sb->mode == SB_NETNS &&
	    (sysctl_write("/proc/sys/net/ipv4/tcp_rmem", ECHO_RMEM) < 0 ||
	     sysctl_write("/proc/sys/net/ipv4/tcp_wmem", ECHO_WMEM) < 0))
		ctx_log(c, "could not set tcp_rmem to \"" ECHO_RMEM "\" and tcp_wmem to \""
			ECHO_WMEM "\"");
	if (data && client_run(c, ECHO_BURST, "::", "127.0.0.1", data, n, 10000))
		client_wire(c, 0, data, n);
	free(data);
}

static void check_echo_client_empty(struct ctx *c)
{
	if (client_run(c, ECHO_AT_FIN, "::", "127.0.0.1", (const uint8_t *)"", 0, 3000))
		client_wire(c, 0, (const uint8_t *)"", 0);
}

static void check_echo_client_addrs(struct ctx *c)
{
	static const char v6[] = "over IPv6\n", lh[] = "over localhost\n";

	if (!client_run(c, ECHO_AT_FIN, "::1", "::1", (const uint8_t *)v6, sizeof v6 - 1, 3000))
		return;
	int fam = ctx_localhost_second_family();
	if (!fam) {
		ctx_log(c, "\"localhost\" has one address here: the fallback case was not run");
		return;
	}
	/* Listen only where getaddrinfo's second answer points: the first one is refused. */
	if (!client_run(c, ECHO_AT_FIN, ctx_loopback(fam), "localhost", (const uint8_t *)lh,
			sizeof lh - 1, 3000))
		ctx_fail(c, "(the server listened on %s only, the second address of \"localhost\")",
			 ctx_loopback(fam));
}

/* The client ended before it connected, or sent less than want bytes. */
static void client_did_not_send(struct ctx *c, struct proc *p, int64_t got, size_t want)
{
	char st[128];

	if (got < 0)
		ctx_fail(c, "expected: echo_client connects and sends its stdin\n   seen: no connection "
			 "(it ended: %s)", proc_describe(p, st, sizeof st));
	else
		ctx_fail(c, "expected: echo_client sends at least %zu bytes of its stdin\n   seen: %lld "
			 "bytes (it ended: %s)", want, (long long)got, proc_describe(p, st, sizeof st));
}

/* A server that resets after reading all of stdin, and one that closes (FIN) after the
 * first ECHO_EARLY_BYTES bytes of a large stdin: each is an error for echo_client. */
static void check_echo_client_reset(struct ctx *c)
{
	static const char text[] = "hello\n";
	uint32_t seed = 0x5eed0018;
	size_t n = 16 * MiB;

	int64_t got;
	struct proc *p = client_start(c, ECHO_RESET, "::", "127.0.0.1", (const uint8_t *)text,
				      sizeof text - 1, 3000, &got);
	if (p && got < (int64_t)sizeof text - 1)
		client_did_not_send(c, p, got, sizeof text - 1);
	else if (p && !ctx_expect_error_line(c, p, "a server that reads \"hello\\n\" and the "
					     "client's FIN, then resets (RST)"))
		ctx_ladder_last(c, ctx_port(c, 0));
	if (ctx_failed(c))
		return;
	uint8_t *data = ctx_pattern(n, seed, false);
	ctx_log(c, "stdin of the early close: 16 MiB, xorshift32 seed %#x", seed);
	p = data ? client_start(c, ECHO_EARLY_FIN, "::", "127.0.0.1", data, n, 10000, &got) : NULL;
	if (p && got < ECHO_EARLY_BYTES)
		client_did_not_send(c, p, got, ECHO_EARLY_BYTES);
	else if (p && !ctx_expect_error_line(c, p, "a server that echoes the first 1000 bytes of "
					     "16 MiB of stdin, closes (FIN) and reads no more"))
		ctx_ladder_last(c, ctx_port(c, 0));
	free(data);
}

static void check_echo_client_errors(struct ctx *c)
{
	char port[8];

	snprintf(port, sizeof port, "%u", ctx_port(c, 1));
	const char *refused[] = { "echo_client", "127.0.0.1", port, NULL };
	const char *unknown[] = { "echo_client", "no-such-host.invalid", port, NULL };
	ctx_check_client_errors(c, refused, unknown);
}

static const struct check checks[] = {
	{ .id = "echo.usage", .title = "usage errors: one usage line, exit 2", .points = 5,
	  .section = "Errors and exit codes",
	  .hint = "Check the argument count and the port (digits only, 1..65535) first; one usage "
		  "line to stderr, exit(2).",
	  .run = check_echo_usage },
	{ .id = "echo.server-echo", .title = "every byte back, then FIN", .points = 5,
	  .section = "Closing cleanly: FIN, not RST",
	  .hint = "Loop: recv, send all of it back; when recv returns 0, close().",
	  .flags = CHECK_WIRE, .run = check_echo_server_echo },
	{ .id = "echo.server-binary", .title = "binary bytes, NULs included", .points = 5,
	  .section = "Byte streams, not messages",
	  .hint = "Use the byte counts recv returns; never strlen() or printf(\"%s\") on received "
		  "data.",
	  .flags = CHECK_WIRE, .run = check_echo_server_binary },
	{ .id = "echo.server-byte-by-byte", .title = "300 one-byte segments", .points = 5,
	  .section = "Byte streams, not messages",
	  .hint = "Each recv returns whatever has arrived, one byte or many: echo what you got.",
	  .flags = CHECK_WIRE, .run = check_echo_server_byte_by_byte },
	{ .id = "echo.server-large", .title = "16 MiB to a reader that waits 2 s", .points = 10,
	  .section = "Short writes and the send loop",
	  .hint = "send() may take fewer bytes than you give it: loop until all are sent.",
	  .flags = CHECK_WIRE, .timeout_ms = 30000, .run = check_echo_server_large, .ring_mib = 96 },
	{ .id = "echo.server-half-close", .title = "the echo finishes after the client's FIN",
	  .points = 10, .section = "Half-close",
	  .hint = "The client's FIN means no more input, not goodbye: send back all you received, "
		  "then close.",
	  .flags = CHECK_WIRE, .run = check_echo_server_half_close, .ring_mib = 16 },
	{ .id = "echo.server-reset", .title = "a reset client does not stop the server", .points = 10,
	  .section = "Closing cleanly: FIN, not RST",
	  .hint = "Ignore SIGPIPE (or use MSG_NOSIGNAL); on ECONNRESET or EPIPE close that client and "
		  "accept the next.",
	  .flags = CHECK_WIRE, .run = check_echo_server_reset, .ring_mib = 48 },
	{ .id = "echo.server-ipv6", .title = "dual stack: ::1 and 127.0.0.1", .points = 5,
	  .section = "The contract",
	  .hint = "Listen on an AF_INET6 socket bound to in6addr_any with IPV6_V6ONLY set to 0 "
		  "yourself, as in lab 00: the default differs between systems.",
	  .flags = CHECK_WIRE, .run = check_echo_server_ipv6 },
	{ .id = "echo.server-restart", .title = "restart at once with a connection in TIME_WAIT",
	  .points = 5, .section = "The contract",
	  .hint = "Set SO_REUSEADDR on the listening socket before bind(), as in lab 00.",
	  .flags = CHECK_WIRE, .run = check_echo_server_restart },
	{ .id = "echo.client-copy", .title = "stdin to the server, the echo to stdout", .points = 10,
	  .section = "Half-close",
	  .hint = "At end of stdin call shutdown(fd, SHUT_WR), not close(), then read until recv "
		  "returns 0.",
	  .flags = CHECK_WIRE, .run = check_echo_client_copy },
	{ .id = "echo.client-large", .title = "16 MiB without deadlock", .points = 10,
	  .section = "Doing two things at once: poll",
	  .hint = "Wait on stdin and the socket with poll(), read the socket whenever it is "
		  "readable, and never block in send(): a non-blocking socket, and keep the unsent "
		  "rest.",
	  .flags = CHECK_WIRE, .timeout_ms = 30000, .run = check_echo_client_large, .ring_mib = 96 },
	{ .id = "echo.client-empty", .title = "empty stdin: connect, FIN, exit 0", .points = 5,
	  .section = "Half-close",
	  .hint = "End of stdin at once still means connect, shutdown(SHUT_WR), read until the "
		  "server closes.",
	  .flags = CHECK_WIRE, .run = check_echo_client_empty },
	{ .id = "echo.client-addrs", .title = "IPv6 literals and every address of a name",
	  .points = 5, .section = "Every address of a name",
	  .hint = "Use getaddrinfo with AF_UNSPEC and try each result in turn until connect "
		  "succeeds.",
	  .flags = CHECK_WIRE, .run = check_echo_client_addrs },
	{ .id = "echo.client-errors", .title = "refused and unknown hosts: exit 1", .points = 5,
	  .section = "Errors and exit codes",
	  .hint = "Print one line \"echo_client: what: why\" and exit(1).",
	  .flags = CHECK_WIRE, .run = check_echo_client_errors },
	{ .id = "echo.client-reset", .title = "a reset, or a server that closes early: exit 1",
	  .points = 5, .section = "Errors and exit codes",
	  .hint = "recv() failing with ECONNRESET is an error, and so is recv() returning 0 while "
		  "stdin still has bytes to send: one line, exit(1).",
	  .flags = CHECK_WIRE, .timeout_ms = 30000, .run = check_echo_client_reset, .ring_mib = 96 },
};

const struct lab lab_01_tcp_echo = {
	.id = "01-tcp-echo",
	.title = "every byte back, and a clean close",
	.programs = (const char *const[]){ "echo_server", "echo_client", NULL },
	LAB_CHECKS(checks),
};
