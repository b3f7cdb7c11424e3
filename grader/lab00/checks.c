/* lab00.c - checks of 00-sockets-basics: greet_server and greet_client (LABS.md). */
#include "check.h"
#include "clock.h"
#include "esc.h"
#include "labs.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define GREET_IO_MS CHECK_STEP_MS
/* The client's extra bytes come this long after the server's reply, as a telnet "\r\n"
 * would: the server has closed by then, or is about to. */
#define GREET_LATE_MS 50
/* A server must end this soon after SIGTERM. */
#define GREET_STOP_MS 2000

/* One conversation with greet_server: connect over addr, send the chunks (gap_ms apart),
 * read until the server closes. Returns the bytes read in *reply (caller frees); false
 * after recording a failure. */
static bool converse(struct ctx *c, const char *addr, uint16_t port, const char *const *chunks,
		     int gap_ms, struct peer_buf *reply)
{
	char why[256];
	int fd = peer_connect(addr, port, GREET_IO_MS, why, sizeof why);

	memset(reply, 0, sizeof *reply);
	if (fd < 0) {
		ctx_fail(c, "expected: greet_server accepts a connection to %s port %u\n   seen: %s",
			 addr, port, why);
		return false;
	}
	peer_nodelay(fd);
	for (size_t i = 0; chunks[i]; i++) {
		if (i > 0 && gap_ms > 0)
			clock_sleep_ms(gap_ms);
		int rc = peer_send(fd, chunks[i], strlen(chunks[i]), GREET_IO_MS);
		if (rc < 0) {
			ctx_fail(c, "sending to greet_server failed: %s", peer_strerror(rc));
			close(fd);
			return false;
		}
	}
	int rc = peer_recv_all(fd, reply, 4096, GREET_IO_MS);
	close(fd);
	if (rc == -ETIMEDOUT) {
		char esc[200];
		ctx_fail(c, "expected: greet_server replies and closes the connection\n"
			 "   seen: after %s the connection was still open %d ms later",
			 reply->len ? esc_bytes(reply->data, reply->len, 40, esc, sizeof esc)
				    : "no reply at all", GREET_IO_MS);
		return false;
	}
	/* A reset after the reply is judged on the wire by the callers that care. */
	return true;
}

static struct proc *start_server(struct ctx *c)
{
	return ctx_start_server(c, NETSTAT_TCP, "greet_server");
}

/* The server's side of the idx-th connection, read from the wire: reply bytes and a FIN. */
static bool wire_reply(struct ctx *c, size_t idx, const char *want, bool need_fin)
{
	const struct flow_tcp *f = ctx_tcp_nth(c, ctx_port(c, 0), idx, "connection %zu to port %u",
					       idx + 1, ctx_port(c, 0));
	if (!f)
		return false;
	const struct flow_half *s = &f->half[FLOW_S2C];
	bool ok = ctx_expect_bytes(c, "from the server", want, strlen(want), s->data, s->len);
	if (ok && need_fin)
		ok = ctx_expect_fin(c, f, FLOW_S2C, "server");
	if (ok && !need_fin)
		ok = ctx_require(c, s->fin || s->rst, "expected: the server closes the connection "
				 "after its reply\n   seen: neither FIN nor RST from the server");
	if (!ok)
		ctx_ladder_tcp(c, f);
	return ok;
}

static void check_greet_server_usage(struct ctx *c)
{
	static const char *const argv[] = { "greet_server", "PORT", NULL };

	if (ctx_expect_usage(c, "greet_server", NULL) &&
	    ctx_expect_bad_ports(c, argv, 1) &&
	    ctx_expect_usage(c, "greet_server", "abc", NULL) &&
	    ctx_expect_usage(c, "greet_server", "-x", "7000", NULL))
		ctx_expect_usage(c, "greet_server", "7000", "extra", NULL);
}

static void hello_case(struct ctx *c, const char *const *chunks, int gap_ms)
{
	struct peer_buf reply;

	if (!start_server(c))
		return;
	/* The wire says what the reply was even when the conversation went wrong. */
	if (converse(c, "127.0.0.1", ctx_port(c, 0), chunks, gap_ms, &reply))
		peer_buf_free(&reply);
	wire_reply(c, 0, "HI Ada\n", true);
}

static void check_greet_server_hello(struct ctx *c)
{
	static const char *const chunks[] = { "HELLO Ada\n", NULL };
	hello_case(c, chunks, 0);
}

static void check_greet_server_crlf(struct ctx *c)
{
	static const char *const chunks[] = { "HELLO Ada\r\n", NULL };
	hello_case(c, chunks, 0);
}

static void check_greet_server_split(struct ctx *c)
{
	static const char *const chunks[] = { "HEL", "LO A", "da\n", NULL };

	hello_case(c, chunks, 50);
	const struct flow_set *fs = ctx_flows(c);
	const struct flow_tcp *f = fs ? flow_tcp_nth(fs, ctx_port(c, 0), 0) : NULL;
	if (f && flow_data_segs(f, FLOW_C2S) < 3 && !ctx_failed(c))
		ctx_error(c, "the grader meant to send the line in 3 segments but the wire shows %zu",
			  flow_data_segs(f, FLOW_C2S));
}

static void check_greet_server_errors(struct ctx *c)
{
	/* The last three catch parsers that read words instead of bytes: sscanf's " " takes
	 * any run of blanks, none included ("HELLO%s" reads "HELLOAda"), and strtok skips
	 * repeated and trailing separators. The line is exactly "HELLO <NAME>". */
	static const char *const lines[] = {
		"HOWDY Ada\n", "HELLO bad!name\n", "HELLO aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\n",
		"HELLO \n", "hello Ada\n", "HELLO Ada x\n", "HELLO\n",
		"HELLOAda\n", "HELLO  Ada\n", "HELLO Ada \n",
	};
	char longline[66];
	struct peer_buf reply;
	size_t n = sizeof lines / sizeof *lines;

	if (!start_server(c))
		return;
	for (size_t i = 0; i < n && !ctx_failed(c); i++) {
		const char *chunks[] = { lines[i], NULL };
		if (converse(c, "127.0.0.1", ctx_port(c, 0), chunks, 0, &reply))
			peer_buf_free(&reply);
	}
	/* 65 bytes and no newline: the server must not wait for more. */
	memset(longline, 'A', 65);
	longline[65] = '\0';
	const char *chunks[] = { longline, NULL };
	if (!ctx_failed(c) && converse(c, "127.0.0.1", ctx_port(c, 0), chunks, 0, &reply))
		peer_buf_free(&reply);
	for (size_t i = 0; i < n && !ctx_failed(c); i++)
		if (!wire_reply(c, i, "ERR\n", true)) {
			char esc[80];
			ctx_fail(c, "(the line sent was %s)",
				 esc_bytes(lines[i], strlen(lines[i]), 60, esc, sizeof esc));
		}
	if (!ctx_failed(c) && !wire_reply(c, n, "ERR\n", false))
		ctx_fail(c, "(the client sent 65 bytes without a newline)");
}

/* The handout's headline trap: bytes the client sends after its line (telnet's "\r\n")
 * are still unread when the server closes, and close() then sends RST. The grader sends
 * them once the reply has arrived, so a server that closes without draining resets the
 * connection on every run: either they wait unread in its socket when it calls close(), or
 * they reach a socket it has closed already (RFC 1122 4.2.2.13: RST). */
static void check_greet_server_drain(struct ctx *c)
{
	char why[256];
	struct peer_buf got = { 0 };

	if (!start_server(c))
		return;
	int fd = peer_connect("127.0.0.1", ctx_port(c, 0), GREET_IO_MS, why, sizeof why);
	if (fd < 0) {
		ctx_fail(c, "expected: greet_server accepts a connection\n   seen: %s", why);
		return;
	}
	peer_nodelay(fd);
	if (peer_send(fd, "HELLO Ada\n", 10, GREET_IO_MS) == 0 &&
	    peer_recv_until(fd, &got, "\n", 4096, GREET_IO_MS) == 0) {
		clock_sleep_ms(GREET_LATE_MS);
		peer_send(fd, "\r\n", 2, GREET_IO_MS);
		shutdown(fd, SHUT_WR);
		peer_recv_all(fd, &got, 4096, GREET_IO_MS);
	}
	close(fd);
	peer_buf_free(&got);
	ctx_log(c, "the grader sent \"\\r\\n\" %d ms after the reply arrived", GREET_LATE_MS);
	if (!wire_reply(c, 0, "HI Ada\n", true))
		ctx_fail(c, "(the client sent \"HELLO Ada\\n\", and \"\\r\\n\" %d ms after the reply, "
			 "as telnet does)", GREET_LATE_MS);
}

static void check_greet_server_ipv6(struct ctx *c)
{
	static const char *const chunks[] = { "HELLO Ada\n", NULL };
	struct peer_buf reply;

	if (!start_server(c) || !ctx_expect_dual_stack(c, ctx_port(c, 0)))
		return;
	if (converse(c, "::1", ctx_port(c, 0), chunks, 0, &reply))
		peer_buf_free(&reply);
	if (!ctx_failed(c) && converse(c, "127.0.0.1", ctx_port(c, 0), chunks, 0, &reply))
		peer_buf_free(&reply);
	if (!ctx_failed(c) && wire_reply(c, 0, "HI Ada\n", true))
		wire_reply(c, 1, "HI Ada\n", true);
}

static void check_greet_server_drop(struct ctx *c)
{
	static const char *const chunks[] = { "HELLO Ada\n", NULL };
	char why[256];
	struct peer_buf reply;

	if (!start_server(c))
		return;
	/* Connect and close without a word, then half a line and a reset, then a reset alone. */
	int fd = peer_connect("127.0.0.1", ctx_port(c, 0), GREET_IO_MS, why, sizeof why);
	if (fd >= 0)
		close(fd);
	fd = peer_connect("127.0.0.1", ctx_port(c, 0), GREET_IO_MS, why, sizeof why);
	if (fd >= 0) {
		peer_send(fd, "HELLO A", 7, GREET_IO_MS);
		clock_sleep_ms(20);
		peer_reset(fd);
	}
	fd = peer_connect("127.0.0.1", ctx_port(c, 0), GREET_IO_MS, why, sizeof why);
	if (fd >= 0)
		peer_reset(fd);
	clock_sleep_ms(20);
	if (converse(c, "127.0.0.1", ctx_port(c, 0), chunks, 0, &reply))
		peer_buf_free(&reply);
	if (!ctx_failed(c))
		wire_reply(c, 3, "HI Ada\n", true);
	if (ctx_failed(c))
		ctx_fail(c, "(three clients came first: one closed at once, one sent \"HELLO A\" and "
			 "reset, one reset at once)");
}

static void check_greet_server_restart(struct ctx *c)
{
	static const char *const chunks[] = { "HELLO Ada\n", NULL };
	struct peer_buf reply;
	struct proc *p = start_server(c);

	if (!p || !converse(c, "127.0.0.1", ctx_port(c, 0), chunks, 0, &reply))
		return;
	peer_buf_free(&reply);
	if (!ctx_expect_stop(c, p, GREET_STOP_MS))
		return;
	/* The server closed first, so its side of that connection is in TIME_WAIT now. */
	if (!start_server(c)) {
		ctx_fail(c, "(restarted right after serving a client: set SO_REUSEADDR before bind)");
		return;
	}
	if (converse(c, "127.0.0.1", ctx_port(c, 0), chunks, 0, &reply))
		peer_buf_free(&reply);
	if (!ctx_failed(c) && !wire_reply(c, 1, "HI Ada\n", true))
		return;
	ctx_check_second_server(c, "greet_server");
}

/* ---- greet_client --------------------------------------------------------------------- */

/* Run greet_client against the grader's server on addr, which answers with reply in two
 * segments and closes; judge what the client did (the wire is judged afterwards). */
static bool client_case(struct ctx *c, const char *listen_addr, const char *addr,
			const char *reply, size_t rlen)
{
	char port[8];
	struct peer_buf line = { 0 };
	int lfd = ctx_listen(c, listen_addr, ctx_port(c, 0));

	if (lfd < 0)
		return false;
	ctx_port_str(c, 0, port, sizeof port);
	struct proc *p = ctx_start(c, NULL, "greet_client", addr, port, "Ada", NULL);
	if (!p) {
		close(lfd);
		return false;
	}
	int fd = ctx_accept(c, lfd, p, 3000);
	close(lfd);
	if (fd < 0) {
		ctx_no_connection(c, p, fd);
		ctx_fail(c, "(greet_client %s %s Ada)", addr, port);
		return false;
	}
	int rc = peer_recv_until(fd, &line, "\n", 256, 3000);
	size_t half = rlen / 2;
	if (rc == 0) {
		peer_send(fd, reply, half, 1000);
		clock_sleep_ms(20);
		peer_send(fd, reply + half, rlen - half, 1000);
	}
	shutdown(fd, SHUT_WR);
	/* Wait for the client's own close before ours is complete. */
	peer_recv_all(fd, &line, 4096, 3000);
	close(fd);
	peer_buf_free(&line);
	if (!ctx_wait(c, p, 3000))
		return false;
	size_t olen;
	char *out = ctx_stdout(c, p, &olen);
	bool ok = ctx_expect_exit(c, p, 0) &&
		  ctx_expect_bytes(c, "on stdout (every byte the server sent)", reply,
				   rlen, out, olen);
	free(out);
	if (!ok)
		ctx_fail(c, "(greet_client %s %s Ada)", addr, port);
	return ok;
}

/* The client's side of the idx-th connection: exactly the HELLO line, then FIN. */
static bool client_wire(struct ctx *c, size_t idx, const char *addr)
{
	const struct flow_tcp *f = ctx_tcp_nth(c, ctx_port(c, 0), idx,
					       "the connection from greet_client to %s", addr);

	if (!f)
		return false;
	bool ok = ctx_expect_bytes(c, "from the client", "HELLO Ada\n", 10,
				   f->half[FLOW_C2S].data, f->half[FLOW_C2S].len) &&
		  ctx_expect_fin(c, f, FLOW_C2S, "client");
	if (!ok) {
		ctx_fail(c, "(greet_client %s %u Ada)", addr, ctx_port(c, 0));
		ctx_ladder_tcp(c, f);
	}
	return ok;
}

static void check_greet_client_hello(struct ctx *c)
{
	/* The second reply carries a NUL: the client copies bytes, so strlen, printf("%s") or
	 * fputs on what it received loses the rest ("unchanged", and the handout's pitfall). */
	static const char odd[] = "HI Ada\nand a second line \x01\0\xff\n";

	if (!client_case(c, "::", "127.0.0.1", "HI Ada\n", 7) ||
	    !client_case(c, "::", "::1", odd, sizeof odd - 1))
		return;
	/* localhost, with the grader listening only where getaddrinfo's second answer points:
	 * the first address is refused, the client must go on to the next. */
	int fam = ctx_localhost_second_family();
	if (!fam)
		ctx_log(c, "\"localhost\" has one address here: the fallback case was not run");
	else if (!client_case(c, ctx_loopback(fam), "localhost", "HI Ada\n", 7))
		ctx_fail(c, "(the server listened on %s only, the second address of \"localhost\")",
			 ctx_loopback(fam));
	if (!ctx_failed(c) && client_wire(c, 0, "127.0.0.1"))
		client_wire(c, 1, "::1");
}

static void check_greet_client_name(struct ctx *c)
{
	static const char *const names[] = {
		"bad name", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "Ada!", "",
	};
	char port[8];
	uint16_t pn = ctx_port(c, 0);
	/* A listener, so a client that connects before checking the name shows on the wire. */
	int lfd = ctx_listen(c, "::", pn);

	if (lfd < 0)
		return;
	ctx_port_str(c, 0, port, sizeof port);
	for (size_t i = 0; i < sizeof names / sizeof *names && !ctx_failed(c); i++)
		ctx_expect_usage(c, "greet_client", "127.0.0.1", port, names[i], NULL);
	const char *const argv[] = { "greet_client", "127.0.0.1", "PORT", "Ada", NULL };
	if (!ctx_failed(c) && ctx_expect_usage(c, "greet_client", "127.0.0.1", port, NULL) &&
	    ctx_expect_usage(c, "greet_client", "-x", "127.0.0.1", port, "Ada", NULL) &&
	    ctx_expect_usage(c, "greet_client", "127.0.0.1", port, "Ada", "more", NULL))
		ctx_expect_bad_ports(c, argv, 2);
	close(lfd);
	const struct flow_set *fs = ctx_flows(c);
	if (fs && flow_tcp_count(fs, pn) > 0) {
		ctx_fail(c, "expected: no connection for a bad NAME or bad arguments\n"
			 "   seen: %zu connection(s) to port %u", flow_tcp_count(fs, pn), pn);
		ctx_ladder_tcp(c, flow_tcp_nth(fs, pn, 0));
	}
}

/* The grader's server reads the HELLO line, then either closes without a byte, or sends a
 * whole reply and resets: greet_client must report both (one line, exit 1). */
static void client_bad_server(struct ctx *c, bool reset)
{
	char port[8];
	struct peer_buf line = { 0 };
	int lfd = ctx_listen(c, "::", ctx_port(c, 0));

	if (lfd < 0)
		return;
	ctx_port_str(c, 0, port, sizeof port);
	struct proc *p = ctx_start(c, NULL, "greet_client", "127.0.0.1", port, "Ada", NULL);
	int fd = p ? ctx_accept(c, lfd, p, 3000) : -1;
	close(lfd);
	if (p && fd < 0)
		ctx_no_connection(c, p, fd);
	if (fd < 0)
		return;
	peer_recv_until(fd, &line, "\n", 256, 3000);
	peer_buf_free(&line);
	if (reset) {
		peer_send(fd, "HI Ada\n", 7, 1000);
		clock_sleep_ms(20);
		peer_reset(fd);
	} else {
		shutdown(fd, SHUT_WR);
		peer_recv_all(fd, &line, 4096, 3000);
		peer_buf_free(&line);
		close(fd);
	}
	if (ctx_wait(c, p, 3000))
		ctx_expect_error_line(c, p, reset ? "a server that sends \"HI Ada\\n\" and then resets "
				      "the connection (RST)" : "a server that reads the line and closes "
				      "(FIN) without sending a byte");
}

static void check_greet_client_closed(struct ctx *c)
{
	client_bad_server(c, false);
	if (!ctx_failed(c))
		client_bad_server(c, true);
	if (ctx_failed(c))
		ctx_ladder_last(c, ctx_port(c, 0));
}

static void check_greet_client_errors(struct ctx *c)
{
	char port[8];

	snprintf(port, sizeof port, "%u", ctx_port(c, 1));
	const char *refused[] = { "greet_client", "127.0.0.1", port, "Ada", NULL };
	const char *unknown[] = { "greet_client", "no-such-host.invalid", port, "Ada", NULL };
	ctx_check_client_errors(c, refused, unknown);
}

static void check_greet_client_timeout(struct ctx *c)
{
	char port[8];

	snprintf(port, sizeof port, "%u", ctx_port(c, 0));
	const char *argv[] = { "greet_client", "127.0.0.1", port, "Ada", NULL };
	ctx_check_client_timeout(c, argv, "\n", 5, 8);
}

static const struct check checks[] = {
	{ .id = "greet.server-usage", .title = "usage errors: one usage line, exit 2", .points = 5,
	  .section = "Errors and exit codes",
	  .hint = "Check argc and the port (digits only, 1..65535) before anything else; print one "
		  "usage line to stderr and exit(2).",
	  .run = check_greet_server_usage },
	{ .id = "greet.server-hello", .title = "HELLO Ada -> HI Ada, then FIN", .points = 5,
	  .section = "Closing cleanly: FIN, not RST",
	  .hint = "Reply with exactly \"HI <NAME>\\n\" and close() after reading the whole line.",
	  .flags = CHECK_WIRE, .run = check_greet_server_hello },
	{ .id = "greet.server-crlf", .title = "a \\r before the \\n is ignored", .points = 5,
	  .section = "Reading a line",
	  .hint = "Strip one \\r just before the \\n before you check the line.",
	  .flags = CHECK_WIRE, .run = check_greet_server_crlf },
	{ .id = "greet.server-split", .title = "a line split over three segments", .points = 10,
	  .section = "Reading a line",
	  .hint = "One recv() is not one line: keep reading and appending until you see \\n.",
	  .flags = CHECK_WIRE, .run = check_greet_server_split },
	{ .id = "greet.server-errors", .title = "bad lines get ERR and a close", .points = 10,
	  .section = "Reading a line",
	  .hint = "Check the verb, the name's length (1..32) and characters; after 64 bytes without "
		  "\\n answer ERR.",
	  .flags = CHECK_WIRE, .run = check_greet_server_errors },
	{ .id = "greet.server-drain", .title = "bytes after the line: still FIN, never RST",
	  .points = 10, .section = "Closing cleanly: FIN, not RST",
	  .hint = "close() with unread bytes sends RST: after the reply, shutdown(fd, SHUT_WR), read "
		  "and discard until read() returns 0 (bounded by poll), then close().",
	  .flags = CHECK_WIRE, .run = check_greet_server_drain },
	{ .id = "greet.server-ipv6", .title = "dual stack: ::1 and 127.0.0.1", .points = 10,
	  .section = "Dual-stack sockets",
	  .hint = "Listen on an AF_INET6 socket bound to in6addr_any with IPV6_V6ONLY set to 0 "
		  "yourself: the default differs between systems.",
	  .flags = CHECK_WIRE, .run = check_greet_server_ipv6 },
	{ .id = "greet.server-drop", .title = "silent and reset clients are dropped", .points = 5,
	  .section = "Reading a line",
	  .hint = "recv() returning 0 or failing with ECONNRESET ends that client only: close it and "
		  "accept the next.",
	  .flags = CHECK_WIRE, .run = check_greet_server_drop },
	{ .id = "greet.server-restart", .title = "restart at once after serving", .points = 10,
	  .section = "TIME_WAIT and SO_REUSEADDR",
	  .hint = "Set SO_REUSEADDR on the listening socket before bind().",
	  .flags = CHECK_WIRE, .run = check_greet_server_restart },
	{ .id = "greet.client-hello", .title = "HELLO on the wire, reply to stdout", .points = 10,
	  .section = "Closing cleanly: FIN, not RST",
	  .hint = "Send exactly \"HELLO <NAME>\\n\", then copy every byte you receive to stdout "
		  "until recv() returns 0.",
	  .flags = CHECK_WIRE, .run = check_greet_client_hello },
	{ .id = "greet.client-name", .title = "bad NAME, port or arguments: exit 2, no SYN",
	  .points = 5, .section = "Errors and exit codes",
	  .hint = "Validate the arguments, the port (digits only, 1..65535) and NAME (1..32 of "
		  "A-Z a-z 0-9 _ -) before connecting; one usage line, exit(2).",
	  .flags = CHECK_WIRE, .run = check_greet_client_name },
	{ .id = "greet.client-errors", .title = "refused and unknown hosts: exit 1", .points = 5,
	  .section = "Errors and exit codes",
	  .hint = "Print one line \"greet_client: what: why\" (gai_strerror, strerror) and exit(1).",
	  .flags = CHECK_WIRE, .run = check_greet_client_errors },
	{ .id = "greet.client-closed", .title = "no reply, or a reset: exit 1", .points = 5,
	  .section = "Errors and exit codes",
	  .hint = "read() returning 0 before any byte means no reply: an error. read() failing with "
		  "ECONNRESET is an error too, even after a reply: one line, exit(1).",
	  .flags = CHECK_WIRE, .run = check_greet_client_closed },
	{ .id = "greet.client-timeout", .title = "a silent server: give up after 5 s", .points = 5,
	  .section = "Timeouts",
	  .hint = "Wait with poll() (or SO_RCVTIMEO) for 5000 ms; on timeout print an error and "
		  "exit(1).",
	  .flags = CHECK_IDLE, .timeout_ms = 15000, .run = check_greet_client_timeout },
};

const struct lab lab_00_sockets_basics = {
	.id = "00-sockets-basics",
	.title = "a greeting over TCP",
	.programs = (const char *const[]){ "greet_server", "greet_client", NULL },
	LAB_CHECKS(checks),
};
