/* server.c - checks of ws_server (06-websocket; RFC 6455, in the spirit of the Autobahn
 * testsuite's categories 1 to 7 and 9).
 *
 * Each case runs on a connection of its own: the grader's scripted client (wspeer) sends
 * the handshake and frames, masked with keys from a logged seed, and reads every frame the
 * server sends from the socket, judging it as it comes (never masked, no reserved bit). The
 * closing cases also read the capture: the server's FIN first, no RST. */
#include "ws.h"
#include "clock.h"
#include "esc.h"
#include "httpmsg.h"
#include "httppeer.h"
#include "wsframe.h"
#include "wspeer.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/wait.h>
#include <unistd.h>

#define KEY     "dGhlIHNhbXBsZSBub25jZQ=="      /* RFC 6455 section 1.3 */
#define ACCEPT  "s3pPLMBiTxaQ9kYGzzhZRbK+xOo="
#define MiB     (1u << 20)
#define MAX_MSG (16u * MiB)

static struct proc *start_server(struct ctx *c)
{
	return ctx_start_server(c, NETSTAT_TCP, "ws_server");
}

/* A case's end: the conversation's ladder when it failed, and the connection closed. */
static void end_case(struct ctx *c, struct wspeer *w)
{
	if (ctx_failed(c))
		ctx_ladder_last(c, ctx_port(c, 0));
	wspeer_close(w);
}

/* A TCP connection to the server, as the scripted client. */
static bool ws_connect(struct ctx *c, struct wspeer *w, uint32_t seed)
{
	char why[256];
	int fd = peer_connect("127.0.0.1", ctx_port(c, 0), LAB06_IO_MS, why, sizeof why);

	wspeer_init(w, fd, true, seed);
	if (fd >= 0) {
		peer_nodelay(fd);
		return true;
	}
	ctx_fail(c, "expected: ws_server accepts a connection on port %u\n   seen: %s",
		 ctx_port(c, 0), why);
	return false;
}

static const char *field(const struct httpmsg *m, const char *name, char *buf, size_t bufsz)
{
	const struct httpmsg_field *f = httpmsg_header(m, name, 0);
	if (!f)
		return "(none)";
	return esc_bytes(f->value, f->value_len, 80, buf, bufsz);
}

/* Read a response head into m; false (and a failure) when none came. */
static bool read_answer(struct ctx *c, struct wspeer *w, const char *what, struct httpmsg *m)
{
	char why[256], esc[200];
	int rc = wspeer_head(w, 0, m, LAB06_IO_MS, why, sizeof why);

	if (rc > 0)
		return true;
	const uint8_t *p = w->in.data + w->used;
	size_t n = w->in.len - w->used;
	if (rc == -EPROTO)
		ctx_fail(c, "expected: an HTTP/1.1 response to %s\n   seen: %s in %s", what, why,
			 esc_bytes(p, n, 120, esc, sizeof esc));
	else
		ctx_fail(c, "expected: an HTTP/1.1 response to %s within %.1f s\n   seen: %s%s%s", what,
			 LAB06_IO_MS / 1000.0, rc == 0 ? (w->err ? "a reset" : "the server closed")
			 : "nothing more", n ? " after " : "", n ? esc_bytes(p, n, 120, esc, sizeof esc) : "");
	return false;
}

/* The 101 of section 4.2.2, for the key KEY. */
static bool judge_101(struct ctx *c, const struct httpmsg *m, const char *what)
{
	char sl[160], b1[100], b2[100], b3[100];

	esc_bytes(m->start_line, m->start_line_len, 80, sl, sizeof sl);
	const struct httpmsg_field *acc = httpmsg_header(m, "Sec-WebSocket-Accept", 0);
	const struct httpmsg_field *up = httpmsg_header(m, "Upgrade", 0);
	bool ok = m->status == 101 && m->major == 1 && m->minor == 1 && up &&
		  up->value_len == 9 && strncasecmp(up->value, "websocket", 9) == 0 &&
		  httpmsg_has_token(m, "Connection", "Upgrade") && acc &&
		  acc->value_len == strlen(ACCEPT) && memcmp(acc->value, ACCEPT, acc->value_len) == 0;
	if (!ok) {
		ctx_fail(c, "expected: \"HTTP/1.1 101 Switching Protocols\" with Upgrade: websocket, "
			 "Connection: Upgrade and Sec-WebSocket-Accept: " ACCEPT " for the key " KEY
			 " (%s)\n   seen: %s; Upgrade: %s; Connection: %s; Sec-WebSocket-Accept: %s",
			 what, sl, field(m, "Upgrade", b1, sizeof b1), field(m, "Connection", b2, sizeof b2),
			 field(m, "Sec-WebSocket-Accept", b3, sizeof b3));
		return false;
	}
	if (httpmsg_count(m, "Sec-WebSocket-Extensions") || httpmsg_count(m, "Sec-WebSocket-Protocol")) {
		ctx_fail(c, "expected: no extension and no subprotocol accepted (%s)\n   seen: "
			 "Sec-WebSocket-Extensions: %s; Sec-WebSocket-Protocol: %s", what,
			 field(m, "Sec-WebSocket-Extensions", b1, sizeof b1),
			 field(m, "Sec-WebSocket-Protocol", b2, sizeof b2));
		return false;
	}
	return true;
}

/* Connect and complete the handshake (extra: more header lines). */
static bool ws_open(struct ctx *c, struct wspeer *w, const char *extra, uint32_t seed)
{
	struct httpmsg m;
	char req[1024];

	if (!ws_connect(c, w, seed))
		return false;
	snprintf(req, sizeof req, "GET /echo HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n"
		 "Connection: Upgrade\r\nSec-WebSocket-Key: " KEY "\r\nSec-WebSocket-Version: 13\r\n"
		 "%s\r\n", extra ? extra : "");
	if (wspeer_send(w, req, strlen(req), LAB06_IO_MS) < 0) {
		ctx_fail(c, "expected: ws_server reads the handshake\n   seen: it stopped reading");
		return false;
	}
	return read_answer(c, w, "a valid handshake", &m) && judge_101(c, &m, "a valid handshake");
}

/* The next frame from the server; fails on anything but a well-formed server frame. */
static bool next_frame(struct ctx *c, struct wspeer *w, const char *what, struct wsframe *f,
		       int timeout_ms)
{
	char why[256], op[32];
	int rc = wspeer_frame(w, f, timeout_ms, why, sizeof why);

	if (rc == 1) {
		if (f->masked) {
			ctx_fail(c, "expected: server frames are never masked (RFC 6455 section 5.1), "
				 "waiting for %s\n   seen: a masked %s frame", what,
				 wsframe_opname(f->opcode, op, sizeof op));
			return false;
		}
		if (f->rsv) {
			ctx_fail(c, "expected: RSV1-3 are 0 in server frames (no extension was agreed), "
				 "waiting for %s\n   seen: a %s frame with RSV bits %u%u%u", what,
				 wsframe_opname(f->opcode, op, sizeof op), f->rsv >> 2 & 1, f->rsv >> 1 & 1,
				 f->rsv & 1);
			return false;
		}
		return true;
	}
	if (rc == -EPROTO)
		ctx_fail(c, "expected: %s\n   seen: bytes that are no frame: %s", what, why);
	else if (rc == 0)
		ctx_fail(c, "expected: %s\n   seen: the server %s the connection", what,
			 w->err ? "reset" : "closed");
	else
		ctx_fail(c, "expected: %s within %.1f s\n   seen: nothing%s", what, timeout_ms / 1000.0,
			 rc == -ETIMEDOUT ? "" : " (a read error)");
	return false;
}

static const char *preview(const void *p, size_t n, char *buf, size_t bufsz)
{
	char e[120];
	snprintf(buf, bufsz, "%zu bytes \"%s\"", n, esc_bytes(p, n, 40, e, sizeof e));
	return buf;
}

/* The echo of one message: data frames (maybe fragmented) with opcode op and the payload. */
static bool expect_message(struct ctx *c, struct wspeer *w, const char *what, unsigned op,
			   const void *want, size_t n)
{
	struct wsframe f;
	struct peer_buf got = { 0 };
	unsigned first = 0;
	char wb[120], gb[120], o1[32], o2[32];
	bool ok = false;

	for (;;) {
		if (!next_frame(c, w, what, &f, LAB06_IO_MS))
			goto out;
		if (f.opcode >= 0x8 || (first == 0) != (f.opcode != WS_OP_CONT)) {
			ctx_fail(c, "expected: %s\n   seen: a %s frame%s", what,
				 wsframe_opname(f.opcode, o1, sizeof o1),
				 f.opcode == WS_OP_CLOSE && f.len >= 2 ? " (the server closed the connection)" : "");
			if (f.opcode == WS_OP_CLOSE && f.len >= 2)
				ctx_fail(c, "   with code %u", f.payload[0] << 8 | f.payload[1]);
			goto out;
		}
		if (!first)
			first = f.opcode;
		if (peer_buf_append(&got, f.payload, f.len) < 0) {
			ctx_error(c, "out of memory");
			goto out;
		}
		if (f.fin)
			break;
	}
	if (first != op) {
		ctx_fail(c, "expected: %s as a %s message\n   seen: a %s message", what,
			 wsframe_opname(op, o1, sizeof o1), wsframe_opname(first, o2, sizeof o2));
		goto out;
	}
	if (got.len != n || (n && memcmp(got.data, want, n) != 0)) {
		size_t i = 0;
		while (i < n && i < got.len && got.data[i] == ((const uint8_t *)want)[i])
			i++;
		ctx_fail(c, "expected: %s: %s\n   seen: %s (first difference at byte %zu)", what,
			 preview(want, n, wb, sizeof wb), preview(got.data, got.len, gb, sizeof gb), i);
		goto out;
	}
	ok = true;
out:
	peer_buf_free(&got);
	return ok;
}

/* The server's FIN within LAB06_FIN_MS, before ours: anything else it sends is a failure. */
static bool expect_fin(struct ctx *c, struct wspeer *w, const char *what)
{
	struct wsframe f;
	char why[256], op[32];
	int64_t t0 = clock_mono_ns();
	int rc = wspeer_frame(w, &f, LAB06_FIN_MS, why, sizeof why);

	if (rc == 0 && !w->err)
		return true;
	if (rc == 1)
		ctx_fail(c, "expected: after the close handshake (%s), the server closes the TCP "
			 "connection (FIN)\n   seen: one more frame, %s", what,
			 wsframe_opname(f.opcode, op, sizeof op));
	else if (rc == 0)
		ctx_fail(c, "expected: after the close handshake (%s), the server closes with FIN\n"
			 "   seen: a reset", what);
	else
		ctx_fail(c, "expected: after the close handshake (%s), the server closes the TCP "
			 "connection first, within %.1f s\n   seen: %s after %.2f s", what,
			 LAB06_FIN_MS / 1000.0, rc == -ETIMEDOUT ? "no FIN" : why,
			 (clock_mono_ns() - t0) / 1e9);
	return false;
}

enum { THEN_FIN, THEN_REPLY_FIN, THEN_NOTHING };

/* A close frame with code from the server; then its FIN (THEN_FIN), or our close back and
 * its FIN (THEN_REPLY_FIN), or nothing yet (THEN_NOTHING). */
static bool expect_close(struct ctx *c, struct wspeer *w, const char *what, unsigned code,
			 int then)
{
	struct wsframe f;
	char op[32], e[100], want[300];

	/* what is the cause (a frame we sent): a timeout names the close it should bring. */
	snprintf(want, sizeof want, "%s: a close frame with code %u", what, code);
	if (!next_frame(c, w, want, &f, LAB06_IO_MS))
		return false;
	if (f.opcode != WS_OP_CLOSE) {
		ctx_fail(c, "expected: %s: a close frame with code %u\n   seen: a %s frame (%s)", what,
			 code, wsframe_opname(f.opcode, op, sizeof op),
			 preview(f.payload, f.len, e, sizeof e));
		return false;
	}
	unsigned got = f.len >= 2 ? (unsigned)(f.payload[0] << 8 | f.payload[1]) : 0;
	if (got != code) {
		ctx_fail(c, "expected: %s: a close frame with code %u\n   seen: a close frame with %s%u",
			 what, code, f.len >= 2 ? "code " : "no code", got);
		return false;
	}
	if (then == THEN_NOTHING)
		return true;
	if (then == THEN_REPLY_FIN && wspeer_send_close(w, code, NULL, LAB06_IO_MS) < 0 && !w->eof) {
		ctx_fail(c, "expected: the server reads our close frame (%s)\n   seen: sending failed", what);
		return false;
	}
	return expect_fin(c, w, what);
}

/* Every connection to the server in the capture: the server's FIN before the client's,
 * and no RST. */
static void wire_closes(struct ctx *c, size_t from)
{
	const struct flow_set *fs = ctx_flows(c);
	if (!fs)
		return;
	for (size_t i = from; i < flow_tcp_count(fs, ctx_port(c, 0)); i++) {
		const struct flow_tcp *f = flow_tcp_nth(fs, ctx_port(c, 0), i);
		if (!ctx_expect_fin(c, f, FLOW_S2C, "ws_server")) {
			ctx_ladder_tcp(c, f);
			return;
		}
		if (f->half[FLOW_C2S].fin && f->half[FLOW_C2S].fin_ns < f->half[FLOW_S2C].fin_ns) {
			ctx_fail(c, "expected: the server closes the TCP connection first (RFC 6455 "
				 "section 7.1.1)\n   seen: the client's FIN came first, on connection %zu", i + 1);
			ctx_ladder_tcp(c, f);
			return;
		}
	}
}

/* ---- usage and the page ------------------------------------------------------------------ */

void check_ws_server_usage(struct ctx *c)
{
	char port[8];

	snprintf(port, sizeof port, "%u", ctx_port(c, 0));
	if (!ctx_expect_usage(c, "ws_server", NULL) ||
	    !ctx_expect_usage(c, "ws_server", port, "extra", NULL) ||
	    !ctx_expect_usage(c, "ws_server", "0", NULL) ||
	    !ctx_expect_usage(c, "ws_server", "65536", NULL))
		return;
	ctx_expect_usage(c, "ws_server", "80x", NULL);
}

static bool has_bytes(const uint8_t *hay, size_t n, const char *needle)
{
	size_t k = strlen(needle);
	for (size_t i = 0; i + k <= n; i++)
		if (memcmp(hay + i, needle, k) == 0)
			return true;
	return false;
}

/* A plain request on a connection of its own (httppeer's client): the status, and the body
 * (NULL: not read; "" for HEAD: none). */
static bool plain(struct ctx *c, const char *req, int code, const char *body_has, bool head)
{
	char what[128], sl[160], why[200], esc[200];
	struct httpc conv;
	struct httpmsg m;
	bool ok = false;

	snprintf(what, sizeof what, "%.*s", (int)strcspn(req, "\r"), req);
	if (httpc_open(&conv, "127.0.0.1", ctx_port(c, 0), LAB06_IO_MS, why, sizeof why) < 0) {
		ctx_fail(c, "expected: ws_server accepts a connection on port %u\n   seen: %s",
			 ctx_port(c, 0), why);
		return false;
	}
	if (httpc_send(&conv, req, strlen(req), LAB06_IO_MS) < 0) {
		ctx_fail(c, "expected: ws_server reads %s\n   seen: it stopped reading", what);
		goto out;
	}
	switch (httpc_response(&conv, (head ? HTTPMSG_HEAD : 0) | (body_has ? 0 : HTTPC_HEAD_ONLY) |
			       HTTPC_TO_CLOSE, &m, LAB06_IO_MS, why, sizeof why)) {
	case HTTPC_DONE:
		break;
	case HTTPC_BAD:
		ctx_fail(c, "expected: an HTTP/1.1 response to %s\n   seen: %s in %s", what, why,
			 esc_bytes(conv.in.data, conv.in.len, 120, esc, sizeof esc));
		goto out;
	case HTTPC_ENDED:
	case HTTPC_SLOW:
		ctx_fail(c, "expected: a complete HTTP/1.1 response to %s within %.1f s\n   seen: %s",
			 what, LAB06_IO_MS / 1000.0,
			 conv.in.len ? esc_bytes(conv.in.data, conv.in.len, 120, esc, sizeof esc)
			 : conv.eof ? "the server closed without an answer" : "nothing");
		goto out;
	}
	esc_bytes(m.start_line, m.start_line_len, 80, sl, sizeof sl);
	if (m.status != code) {
		ctx_fail(c, "expected: %d in answer to %s\n   seen: %s", code, what, sl);
		goto out;
	}
	if (code == 426) {
		const struct httpmsg_field *v = httpmsg_header(&m, "Sec-WebSocket-Version", 0);
		if (!v || v->value_len != 2 || memcmp(v->value, "13", 2) != 0) {
			ctx_fail(c, "expected: 426 with Sec-WebSocket-Version: 13 in answer to %s\n   seen: "
				 "Sec-WebSocket-Version: %s", what, field(&m, "Sec-WebSocket-Version", why,
									  sizeof why));
			goto out;
		}
	}
	if (body_has && head && m.body_len) {
		ctx_fail(c, "expected: no body in answer to %s\n   seen: %zu body bytes", what,
			 m.body_len);
		goto out;
	}
	if (body_has && !head && !has_bytes(m.body, m.body_len, body_has)) {
		ctx_fail(c, "expected: the page of ws_page.h (with %s) in answer to %s\n   seen: "
			 "a body of %zu bytes without it", body_has, what, m.body_len);
		goto out;
	}
	ok = true;
out:
	httpc_close(&conv);
	return ok;
}

void check_ws_page(struct ctx *c)
{
	if (!start_server(c))
		return;
	if (plain(c, "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n", 200, "id=\"log\"", false) &&
	    plain(c, "GET /?send=hello HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n", 200, "WebSocket(", false) &&
	    plain(c, "HEAD / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n", 200, "", true) &&
	    plain(c, "GET /nothing-here HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n", 404, NULL, false))
		plain(c, "POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 0\r\n\r\n", 404, NULL,
		      false);
	if (ctx_failed(c))
		ctx_ladder_last(c, ctx_port(c, 0));
}

/* ---- the handshake ----------------------------------------------------------------------- */

void check_ws_handshake(struct ctx *c)
{
	static const char *const extras[] = {
		NULL,
		"Origin: http://example.com\r\n",
		"Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits\r\n",
	};
	struct wspeer w = { .fd = -1 };

	if (!start_server(c))
		return;
	for (size_t i = 0; i < sizeof extras / sizeof *extras; i++) {
		bool ok = ws_open(c, &w, extras[i], 7);
		wspeer_close(&w);
		if (!ok)
			goto fail;
	}
	/* Connection: keep-alive, Upgrade (as Firefox sends), header names in other cases, and
	 * the request in pieces of 7 bytes. */
	static const char req[] = "GET /chat?room=1 HTTP/1.1\r\nhost: 127.0.0.1\r\n"
		"UPGRADE: WebSocket\r\nconnection: keep-alive, Upgrade\r\n"
		"sec-websocket-key: " KEY "\r\nSec-WebSocket-Version: 13\r\n\r\n";
	if (!ws_connect(c, &w, 9))
		goto fail;
	for (size_t off = 0; off < sizeof req - 1; off += 7) {
		size_t n = sizeof req - 1 - off < 7 ? sizeof req - 1 - off : 7;
		if (wspeer_send(&w, req + off, n, LAB06_IO_MS) < 0)
			break;
		clock_sleep_ms(2);
	}
	struct httpmsg m;
	bool ok = read_answer(c, &w, "a handshake in pieces of 7 bytes", &m) &&
		  judge_101(c, &m, "Connection: keep-alive, Upgrade, names in other cases, sent in "
			    "pieces of 7 bytes");
	if (ok && wspeer_send_frame(&w, true, 0, WS_OP_TEXT, "after", 5, LAB06_IO_MS) == 0)
		ok = expect_message(c, &w, "the echo of \"after\"", WS_OP_TEXT, "after", 5);
	wspeer_close(&w);
	if (ok)
		return;
fail:
	ctx_ladder_last(c, ctx_port(c, 0));
}

struct bad_handshake {
	const char *req;
	int code;
	const char *what;
};

#define H_HOST "Host: 127.0.0.1\r\n"
#define H_UP   "Upgrade: websocket\r\n"
#define H_CONN "Connection: Upgrade\r\n"
#define H_KEY  "Sec-WebSocket-Key: " KEY "\r\n"
#define H_VER  "Sec-WebSocket-Version: 13\r\n"

void check_ws_handshake_errors(struct ctx *c)
{
	static const struct bad_handshake cases[] = {
		{ "GET / HTTP/1.1\r\n" H_HOST H_UP H_CONN H_VER "\r\n", 400, "no Sec-WebSocket-Key" },
		{ "GET / HTTP/1.1\r\n" H_HOST H_UP H_CONN "Sec-WebSocket-Key: dGhlIHNhbXBsZQ==\r\n" H_VER
		  "\r\n", 400, "a key of 10 bytes" },
		{ "GET / HTTP/1.1\r\n" H_HOST H_UP H_CONN "Sec-WebSocket-Key: not a base64 key!!!!!==\r\n"
		  H_VER "\r\n", 400, "a key that is not base64" },
		{ "GET / HTTP/1.1\r\n" H_HOST H_UP H_CONN H_KEY H_KEY H_VER "\r\n", 400, "two keys" },
		{ "GET / HTTP/1.1\r\n" H_HOST H_UP H_CONN H_KEY "\r\n", 400, "no Sec-WebSocket-Version" },
		{ "GET / HTTP/1.1\r\n" H_UP H_CONN H_KEY H_VER "\r\n", 400, "no Host" },
		{ "POST / HTTP/1.1\r\n" H_HOST H_UP H_CONN H_KEY H_VER "\r\n", 400, "POST" },
		{ "GET / HTTP/1.0\r\n" H_HOST H_UP H_CONN H_KEY H_VER "\r\n", 400, "HTTP/1.0" },
		{ "GET / HTTP/1.1\r\n" H_HOST "Upgrade: h2c\r\n" H_CONN H_KEY H_VER "\r\n", 400,
		  "Upgrade: h2c" },
		{ "GET / HTTP/1.1\r\n" H_HOST H_UP "Connection: keep-alive\r\n" H_KEY H_VER "\r\n", 400,
		  "Connection without Upgrade" },
		/* Sec-WebSocket-* alone makes it a handshake: a bad one, not a plain GET of /. */
		{ "GET / HTTP/1.1\r\n" H_HOST H_CONN H_KEY H_VER "\r\n", 400, "no Upgrade header" },
		{ "GET / HTTP/1.1\r\n" H_HOST H_UP H_CONN H_KEY "Sec-WebSocket-Version: 8\r\n\r\n", 426,
		  "version 8" },
		{ "GET / HTTP/1.1\r\n" H_HOST H_UP H_CONN H_KEY "Sec-WebSocket-Version: 14\r\n\r\n", 426,
		  "version 14" },
	};

	if (!start_server(c))
		return;
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		char req[600];
		snprintf(req, sizeof req, "%s", cases[i].req);
		if (!plain(c, req, cases[i].code, NULL, false)) {
			ctx_fail(c, "   (the handshake had %s)", cases[i].what);
			ctx_ladder_last(c, ctx_port(c, 0));
			return;
		}
	}
	if (!plain(c, "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX: \x01\r\n\r\n", 400, NULL, false) ||
	    !plain(c, "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nno colon here\r\n\r\n", 400, NULL, false) ||
	    !plain(c, "GET /\r\n\r\n", 400, NULL, false)) {
		ctx_ladder_last(c, ctx_port(c, 0));
		return;
	}
	/* A head of 20 KiB (a handshake with a long header line): over 16 KiB, 400. */
	char *big = malloc(21000);
	if (!big) {
		ctx_error(c, "out of memory");
		return;
	}
	int n = snprintf(big, 21000, "GET / HTTP/1.1\r\n" H_HOST H_UP H_CONN H_KEY H_VER "X-Big: ");
	memset(big + n, 'b', 20480);
	memcpy(big + n + 20480, "\r\n\r\n", 5);
	if (!plain(c, big, 400, NULL, false)) {
		ctx_fail(c, "   (a request head of 20 KiB)");
		ctx_ladder_last(c, ctx_port(c, 0));
	}
	free(big);
}

void check_ws_first_frame(struct ctx *c)
{
	struct wspeer w = { .fd = -1 };
	static const char req[] = "GET / HTTP/1.1\r\n" H_HOST H_UP H_CONN H_KEY H_VER "\r\n";
	static const uint8_t key[4] = { 0x12, 0x34, 0x56, 0x78 };
	size_t flen;

	if (!start_server(c) || !ws_connect(c, &w, 3))
		return;
	uint8_t *frame = wsframe_build(true, 0, WS_OP_TEXT, key, "first", 5, &flen);
	uint8_t *all = malloc(sizeof req - 1 + flen);
	if (!frame || !all) {
		ctx_error(c, "out of memory");
		goto out;
	}
	memcpy(all, req, sizeof req - 1);
	memcpy(all + sizeof req - 1, frame, flen);
	struct httpmsg m;
	if (wspeer_send(&w, all, sizeof req - 1 + flen, LAB06_IO_MS) == 0 &&
	    read_answer(c, &w, "a handshake with the first frame in the same segment", &m) &&
	    judge_101(c, &m, "the first frame in the same segment as the request"))
		expect_message(c, &w, "the echo of \"first\", sent in the same segment as the handshake",
			       WS_OP_TEXT, "first", 5);
out:
	if (ctx_failed(c))
		ctx_ladder_last(c, ctx_port(c, 0));
	free(frame);
	free(all);
	wspeer_close(&w);
}

/* ---- messages ---------------------------------------------------------------------------- */

/* Send one message in one frame and expect its echo. */
static bool echo_one(struct ctx *c, struct wspeer *w, unsigned op, const uint8_t *p, size_t n,
		     int timeout_ms)
{
	char what[96], o[32];

	snprintf(what, sizeof what, "the echo of a %s message of %zu bytes",
		 wsframe_opname(op, o, sizeof o), n);
	if (wspeer_send_frame(w, true, 0, op, p, n, timeout_ms) < 0) {
		ctx_fail(c, "expected: the server reads a %s message of %zu bytes\n   seen: it stopped "
			 "reading", o, n);
		return false;
	}
	return expect_message(c, w, what, op, p, n);
}

void check_ws_echo(struct ctx *c)
{
	static const size_t sizes[] = { 0, 1, 125, 126, 127, 128, 65535, 65536, 100000 };
	struct wspeer w = { .fd = -1 };
	uint32_t seed = 0x6e11c0de;
	uint8_t *bin = ctx_pattern(100000, seed, true);
	char *text = malloc(100001);

	ctx_log(c, "mask seed 0x%08x", seed);
	if (!bin || !text || !start_server(c) || !ws_open(c, &w, NULL, seed))
		goto out;
	for (size_t i = 0; i < 100000; i++)      /* ASCII and two-byte UTF-8 ("é") */
		text[i] = i % 7 == 5 ? (char)0xC3 : i % 7 == 6 ? (char)0xA9 : (char)('a' + i % 26);
	for (size_t i = 0; i < sizeof sizes / sizeof *sizes; i++) {
		size_t n = sizes[i];
		while (n % 7 == 6)      /* never cut "é" in two */
			n--;
		if (!echo_one(c, &w, WS_OP_TEXT, (const uint8_t *)text, n, LAB06_IO_MS) ||
		    !echo_one(c, &w, WS_OP_BINARY, bin, sizes[i], LAB06_IO_MS))
			break;
	}
	/* Several messages in one segment come back in order. */
	if (!ctx_failed(c)) {
		struct peer_buf many = { 0 };
		char msg[32];
		for (int i = 0; i < 10; i++) {
			size_t flen;
			uint8_t k[4] = { (uint8_t)i, 1, 2, 3 };
			snprintf(msg, sizeof msg, "message %d", i);
			uint8_t *f = wsframe_build(true, 0, WS_OP_TEXT, k, msg, strlen(msg), &flen);
			if (f)
				peer_buf_append(&many, f, flen);
			free(f);
		}
		if (wspeer_send(&w, many.data, many.len, LAB06_IO_MS) == 0)
			for (int i = 0; i < 10; i++) {
				snprintf(msg, sizeof msg, "message %d", i);
				if (!expect_message(c, &w, "ten messages sent in one segment, echoed in order",
						    WS_OP_TEXT, msg, strlen(msg)))
					break;
			}
		peer_buf_free(&many);
	}
	wspeer_close(&w);
out:
	if (ctx_failed(c))
		ctx_ladder_last(c, ctx_port(c, 0));
	free(bin);
	free(text);
}

void check_ws_large(struct ctx *c)
{
	struct wspeer w = { .fd = -1 };
	uint32_t seed = 0x16161616;
	uint8_t *big = ctx_pattern(MAX_MSG, seed, true);

	ctx_log(c, "payload seed 0x%08x", seed);
	if (!big || !start_server(c) || !ws_open(c, &w, NULL, seed))
		goto out;
	int64_t t0 = clock_mono_ns();
	if (echo_one(c, &w, WS_OP_BINARY, big, MAX_MSG, 10000)) {
		ctx_log(c, "16 MiB echoed in %.2f s", (clock_mono_ns() - t0) / 1e9);
		/* 4 MiB of text in 64 fragments of 64 KiB. */
		memset(big, 'w', 4 * MiB);
		bool ok = true;
		for (int i = 0; i < 64 && ok; i++)
			ok = wspeer_send_frame(&w, i == 63, 0, i ? WS_OP_CONT : WS_OP_TEXT,
					       big + (size_t)i * 65536, 65536, 10000) == 0;
		if (ok)
			expect_message(c, &w, "the echo of 4 MiB of text sent in 64 fragments",
				       WS_OP_TEXT, big, 4 * MiB);
	}
	wspeer_close(&w);
out:
	if (ctx_failed(c))
		ctx_ladder_last(c, ctx_port(c, 0));
	free(big);
}

/* After the 1009: the rest of the refused frame (n bytes), then our close, then its FIN. */
static bool finish_refused(struct ctx *c, struct wspeer *w, const char *what, size_t n)
{
	uint8_t *rest = calloc(1, n ? n : 1);
	bool ok = rest && wspeer_send(w, rest, n, 10000) == 0 &&
		  wspeer_send_close(w, 1009, NULL, LAB06_IO_MS) == 0;
	free(rest);
	if (!ok && !w->eof) {
		ctx_fail(c, "expected: after its close with 1009, the server reads and discards the rest "
			 "of the message (%s)\n   seen: it stopped reading", what);
		return false;
	}
	return expect_fin(c, w, what);
}

void check_ws_too_big(struct ctx *c)
{
	struct wspeer w = { .fd = -1 };
	uint8_t h[WSFRAME_MAX_HEADER];
	static const uint8_t key[4] = { 9, 8, 7, 6 };
	static const char one[] = "a frame header announcing 16 MiB + 1 byte";
	static const char three[] = "two fragments of 8 MiB and a third header of 1 byte";

	memset(&w, 0, sizeof w);
	w.fd = -1;
	if (!start_server(c))
		return;
	/* A header that announces 16 MiB + 1 in one frame: 1009 at once, before the payload. */
	if (!ws_open(c, &w, NULL, 5))
		goto out;
	size_t hl = wsframe_header(h, true, 0, WS_OP_BINARY, key, MAX_MSG + 1, 0);
	if (wspeer_send(&w, h, hl, LAB06_IO_MS) != 0 || !expect_close(c, &w, one, 1009, THEN_NOTHING) ||
	    !finish_refused(c, &w, one, MAX_MSG + 1))
		goto out;
	wspeer_close(&w);
	/* Fragments that together pass 16 MiB: 1009 when the last header arrives. */
	uint8_t *chunk = calloc(1, 8 * MiB);
	if (chunk && ws_open(c, &w, NULL, 6) &&
	    wspeer_send_frame(&w, false, 0, WS_OP_BINARY, chunk, 8 * MiB, 10000) == 0 &&
	    wspeer_send_frame(&w, false, 0, WS_OP_CONT, chunk, 8 * MiB, 10000) == 0 &&
	    wspeer_send(&w, h, wsframe_header(h, true, 0, WS_OP_CONT, key, 1, 0), LAB06_IO_MS) == 0 &&
	    expect_close(c, &w, three, 1009, THEN_NOTHING))
		finish_refused(c, &w, three, 1);
	free(chunk);
	if (!ctx_failed(c))
		wire_closes(c, 0);
out:
	end_case(c, &w);
}

void check_ws_fragments(struct ctx *c)
{
	struct wspeer w = { .fd = -1 };

	if (!start_server(c) || !ws_open(c, &w, NULL, 11))
		goto out;
	/* Text in three fragments, with a ping between them (Autobahn 5.6-5.8). */
	if (wspeer_send_frame(&w, false, 0, WS_OP_TEXT, "frag", 4, LAB06_IO_MS) ||
	    wspeer_send_frame(&w, true, 0, WS_OP_PING, "between", 7, LAB06_IO_MS) ||
	    wspeer_send_frame(&w, false, 0, WS_OP_CONT, "men", 3, LAB06_IO_MS) ||
	    wspeer_send_frame(&w, true, 0, WS_OP_CONT, "ted", 3, LAB06_IO_MS))
		goto out;
	struct wsframe f;
	if (!next_frame(c, &w, "the pong for a ping sent between two fragments", &f, LAB06_IO_MS))
		goto out;
	if (f.opcode != WS_OP_PONG || f.len != 7 || memcmp(f.payload, "between", 7) != 0) {
		char o[32], e[100];
		ctx_fail(c, "expected: a pong with \"between\" for the ping sent between two fragments "
			 "of a message\n   seen: a %s frame with %s", wsframe_opname(f.opcode, o, sizeof o),
			 preview(f.payload, f.len, e, sizeof e));
		goto out;
	}
	if (!expect_message(c, &w, "the echo of \"fragmented\" sent in three fragments", WS_OP_TEXT,
			    "fragmented", 10))
		goto out;
	/* Binary in fragments of 1 byte, an empty first fragment and an empty last one. */
	static const uint8_t b[] = { 0, 1, 2, 0xFF, 0xFE };
	wspeer_send_frame(&w, false, 0, WS_OP_BINARY, NULL, 0, LAB06_IO_MS);
	for (size_t i = 0; i < sizeof b; i++)
		wspeer_send_frame(&w, false, 0, WS_OP_CONT, b + i, 1, LAB06_IO_MS);
	wspeer_send_frame(&w, true, 0, WS_OP_CONT, NULL, 0, LAB06_IO_MS);
	expect_message(c, &w, "the echo of 5 bytes sent as 7 binary fragments (the first and last "
		       "empty)", WS_OP_BINARY, b, sizeof b);
out:
	end_case(c, &w);
}

void check_ws_ping(struct ctx *c)
{
	struct wspeer w = { .fd = -1 };
	uint8_t p125[125];
	struct wsframe f;
	char o[32], e[100], what[96];

	for (size_t i = 0; i < sizeof p125; i++)
		p125[i] = (uint8_t)(0xFE - i);
	if (!start_server(c) || !ws_open(c, &w, NULL, 13))
		goto out;
	static const size_t sizes[] = { 0, 4, 125 };
	for (size_t i = 0; i < 3; i++) {
		/* A ping, then a message: the pong comes first, within a second. */
		wspeer_send_frame(&w, true, 0, WS_OP_PING, p125, sizes[i], LAB06_IO_MS);
		wspeer_send_frame(&w, true, 0, WS_OP_TEXT, "later", 5, LAB06_IO_MS);
		snprintf(what, sizeof what, "a pong for a ping of %zu bytes, before the echo of a later "
			 "message", sizes[i]);
		if (!next_frame(c, &w, what, &f, LAB06_PONG_MS))
			goto out;
		if (f.opcode != WS_OP_PONG || f.len != sizes[i] || memcmp(f.payload, p125, f.len) != 0) {
			ctx_fail(c, "expected: %s, with the ping's payload\n   seen: a %s frame with %s",
				 what, wsframe_opname(f.opcode, o, sizeof o),
				 preview(f.payload, f.len, e, sizeof e));
			goto out;
		}
		if (!expect_message(c, &w, "the echo of \"later\", after the pong", WS_OP_TEXT,
				    "later", 5))
			goto out;
	}
	/* An unsolicited pong is ignored. */
	wspeer_send_frame(&w, true, 0, WS_OP_PONG, "unasked", 7, LAB06_IO_MS);
	wspeer_send_frame(&w, true, 0, WS_OP_TEXT, "next", 4, LAB06_IO_MS);
	expect_message(c, &w, "the echo of \"next\" (an unsolicited pong before it gets no answer)",
		       WS_OP_TEXT, "next", 4);
out:
	end_case(c, &w);
}

/* ---- errors: a close with a code, then the server's FIN ---------------------------------- */

struct bad_frames {
	const char *what;
	uint8_t bytes[40];
	size_t n;
	unsigned code;
	size_t pad;            /* zero bytes after them (a payload) */
};

/* Each case: a message "ok" first (echoed), then the bad bytes, then the close with code. */
static void run_bad_frames(struct ctx *c, const struct bad_frames *cases, size_t ncases,
			   size_t before)
{
	for (size_t i = 0; i < ncases; i++) {
		struct wspeer w = { .fd = -1 };
		char what[200];
		snprintf(what, sizeof what, "after %s", cases[i].what);
		uint8_t buf[40 + 200] = { 0 };
		memcpy(buf, cases[i].bytes, cases[i].n);
		bool ok = ws_open(c, &w, NULL, (uint32_t)(100 + i)) &&
			  echo_one(c, &w, WS_OP_TEXT, (const uint8_t *)"ok", 2, LAB06_IO_MS) &&
			  wspeer_send(&w, buf, cases[i].n + cases[i].pad, LAB06_IO_MS) == 0 &&
			  expect_close(c, &w, what, cases[i].code, THEN_REPLY_FIN);
		wspeer_close(&w);
		if (!ok) {
			ctx_ladder_last(c, ctx_port(c, 0));
			return;
		}
	}
	wire_closes(c, before);      /* the connections before these closed otherwise */
}

/* Masked with key 0 the payload reads as sent: these frames are written by hand. */
#define M0 0x80  /* MASK bit with a length below */
#define K0 0, 0, 0, 0

void check_ws_protocol_errors(struct ctx *c)
{
	static const struct bad_frames cases[] = {
		{ "a text frame with RSV1 set", { 0xC1, M0 | 2, K0, 'h', 'i' }, 8, 1002, 0 },
		{ "a text frame with RSV2 set", { 0xA1, M0 | 2, K0, 'h', 'i' }, 8, 1002, 0 },
		{ "a ping with RSV3 set", { 0x99, M0 | 0, K0 }, 6, 1002, 0 },
		{ "a frame with reserved opcode 0x3", { 0x83, M0 | 0, K0 }, 6, 1002, 0 },
		{ "a frame with reserved opcode 0x7", { 0x87, M0 | 1, K0, 'x' }, 7, 1002, 0 },
		{ "a frame with reserved opcode 0xB", { 0x8B, M0 | 0, K0 }, 6, 1002, 0 },
		{ "a frame with reserved opcode 0xF", { 0x8F, M0 | 0, K0 }, 6, 1002, 0 },
		{ "an unmasked text frame", { 0x81, 2, 'h', 'i' }, 4, 1002, 0 },
		{ "a continuation frame with no message", { 0x80, M0 | 1, K0, 'x' }, 7, 1002, 0 },
		{ "a new text message inside a fragmented one",
		  { 0x01, M0 | 1, K0, 'a', 0x81, M0 | 1, K0, 'b' }, 14, 1002, 0 },
		{ "a new binary message inside a fragmented one",
		  { 0x02, M0 | 1, K0, 'a', 0x82, M0 | 1, K0, 'b' }, 14, 1002, 0 },
		{ "a fragmented ping (FIN clear)", { 0x09, M0 | 1, K0, 'p' }, 7, 1002, 0 },
		{ "a ping with 126 bytes of payload", { 0x89, M0 | 126, 0, 126, K0 }, 8, 1002, 126 },
		{ "a close with 126 bytes of payload", { 0x88, M0 | 126, 0, 126, K0 }, 8, 1002, 126 },
		{ "a 64-bit length with its most significant bit set",
		  { 0x82, M0 | 127, 0x80, 0, 0, 0, 0, 0, 0, 1, K0 }, 14, 1002, 0 },
	};

	if (start_server(c))
		run_bad_frames(c, cases, sizeof cases / sizeof *cases, 0);
}

void check_ws_close_errors(struct ctx *c)
{
#define CLOSE_CODE(hi, lo, name) { "a close with code " name, { 0x88, M0 | 2, K0, hi, lo }, 8, 1002, 0 }
	static const struct bad_frames cases[] = {
		{ "a close with a 1-byte payload", { 0x88, M0 | 1, K0, 0x03 }, 7, 1002, 0 },
		CLOSE_CODE(0x00, 0x00, "0"),
		CLOSE_CODE(0x03, 0xE7, "999"),
		CLOSE_CODE(0x03, 0xEC, "1004"),
		CLOSE_CODE(0x03, 0xED, "1005"),
		CLOSE_CODE(0x03, 0xEE, "1006"),
		CLOSE_CODE(0x03, 0xF7, "1015"),
		CLOSE_CODE(0x03, 0xF8, "1016"),
		CLOSE_CODE(0x0B, 0xB7, "2999"),
		CLOSE_CODE(0x13, 0x88, "5000"),
		CLOSE_CODE(0xFF, 0xFF, "65535"),
		{ "a close whose reason is not UTF-8", { 0x88, M0 | 4, K0, 0x03, 0xE8, 0xC0, 0xAF }, 10,
		  1007, 0 },
	};
#undef CLOSE_CODE

	if (start_server(c))
		run_bad_frames(c, cases, sizeof cases / sizeof *cases, 0);
}

void check_ws_utf8(struct ctx *c)
{
	static const struct bad_frames cases[] = {
		{ "text with an overlong '/' (C0 AF)", { 0x81, M0 | 2, K0, 0xC0, 0xAF }, 8, 1007, 0 },
		{ "text with a three-byte overlong form (E0 80 AF)", { 0x81, M0 | 3, K0, 0xE0, 0x80, 0xAF },
		  9, 1007, 0 },
		{ "text with a surrogate (ED A0 80)", { 0x81, M0 | 3, K0, 0xED, 0xA0, 0x80 }, 9, 1007, 0 },
		{ "text with U+110000 (F4 90 80 80)", { 0x81, M0 | 4, K0, 0xF4, 0x90, 0x80, 0x80 }, 10,
		  1007, 0 },
		{ "text with a byte 0xFF", { 0x81, M0 | 3, K0, 'a', 0xFF, 'b' }, 9, 1007, 0 },
		{ "text that ends in the middle of a code point (CE)", { 0x81, M0 | 2, K0, 'a', 0xCE },
		  8, 1007, 0 },
		{ "a surrogate split across two fragments (ED | A0 80)",
		  { 0x01, M0 | 1, K0, 0xED, 0x80, M0 | 2, K0, 0xA0, 0x80 }, 15, 1007, 0 },
		{ "fragments whose last one ends mid code point (61 | CE)",
		  { 0x01, M0 | 1, K0, 'a', 0x80, M0 | 1, K0, 0xCE }, 14, 1007, 0 },
	};
	struct wspeer w = { .fd = -1 };

	if (!start_server(c))
		return;
	/* Valid: a code point split across fragments, and the 4-byte U+1F600. */
	if (!ws_open(c, &w, NULL, 21))
		goto fail;
	bool ok = wspeer_send_frame(&w, false, 0, WS_OP_TEXT, "\xce", 1, LAB06_IO_MS) == 0 &&
		  wspeer_send_frame(&w, false, 0, WS_OP_CONT, "\xba\xe1", 2, LAB06_IO_MS) == 0 &&
		  wspeer_send_frame(&w, true, 0, WS_OP_CONT, "\xbd\xb9", 2, LAB06_IO_MS) == 0 &&
		  expect_message(c, &w, "the echo of \"\\xce\\xba\\xe1\\xbd\\xb9\" (valid UTF-8 split "
				 "inside code points across three fragments)", WS_OP_TEXT,
				 "\xce\xba\xe1\xbd\xb9", 5) &&
		  echo_one(c, &w, WS_OP_TEXT, (const uint8_t *)"\xf0\x9f\x98\x80 \xf4\x8f\xbf\xbf", 9,
			   LAB06_IO_MS) &&
		  echo_one(c, &w, WS_OP_BINARY, (const uint8_t *)"\xc0\xaf\xff", 3, LAB06_IO_MS);
	wspeer_close(&w);
	if (!ok)
		goto fail;
	run_bad_frames(c, cases, sizeof cases / sizeof *cases, 1);
	return;
fail:
	ctx_ladder_last(c, ctx_port(c, 0));
}

void check_ws_close(struct ctx *c)
{
	static const struct { unsigned code; const char *reason; unsigned want; const char *what; }
	cases[] = {
		{ 1000, NULL, 1000, "a close with 1000" },
		{ 0, NULL, 1000, "a close without a code" },
		{ 1001, "bye", 1001, "a close with 1001 and a reason" },
		{ 3000, "\xce\xba", 3000, "a close with 3000 and a UTF-8 reason" },
		{ 4999, NULL, 4999, "a close with 4999" },
	};

	if (!start_server(c))
		return;
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		struct wspeer w = { .fd = -1 };
		char what[160];
		if (!ws_open(c, &w, NULL, (uint32_t)(200 + i))) {
			wspeer_close(&w);
			goto fail;
		}
		/* Two messages and the close in one segment: both echoes come first. */
		struct peer_buf out = { 0 };
		static const uint8_t k[4] = { 1, 2, 3, 4 };
		size_t n;
		uint8_t *f1 = wsframe_build(true, 0, WS_OP_TEXT, k, "one", 3, &n);
		if (f1)
			peer_buf_append(&out, f1, n);
		free(f1);
		f1 = wsframe_build(true, 0, WS_OP_BINARY, k, "two", 3, &n);
		if (f1)
			peer_buf_append(&out, f1, n);
		free(f1);
		uint8_t cp[8] = { (uint8_t)(cases[i].code >> 8), (uint8_t)cases[i].code };
		size_t cl = cases[i].code ? 2 : 0;
		if (cases[i].reason) {
			memcpy(cp + 2, cases[i].reason, strlen(cases[i].reason));
			cl += strlen(cases[i].reason);
		}
		f1 = wsframe_build(true, 0, WS_OP_CLOSE, k, cp, cl, &n);
		if (f1)
			peer_buf_append(&out, f1, n);
		free(f1);
		snprintf(what, sizeof what, "the answer to %s (sent after two messages)", cases[i].what);
		bool ok = wspeer_send(&w, out.data, out.len, LAB06_IO_MS) == 0 &&
			  expect_message(c, &w, "the echo of \"one\", sent before the close", WS_OP_TEXT,
					 "one", 3) &&
			  expect_message(c, &w, "the echo of \"two\", sent before the close",
					 WS_OP_BINARY, "two", 3) &&
			  expect_close(c, &w, what, cases[i].want, THEN_FIN);
		peer_buf_free(&out);
		wspeer_close(&w);
		if (!ok)
			goto fail;
	}
	wire_closes(c, 0);
	return;
fail:
	ctx_ladder_last(c, ctx_port(c, 0));
}

/* ---- many clients ------------------------------------------------------------------------- */

#define NCLIENTS 30

void check_ws_concurrency(struct ctx *c)
{
	struct wspeer *w = calloc(NCLIENTS, sizeof *w);
	struct wspeer slow;
	uint8_t *big = calloc(1, MAX_MSG);
	int opened = 0;

	memset(&slow, 0, sizeof slow);
	slow.fd = -1;
	if (!w || !big || !start_server(c))
		goto out;
	/* One client sends a 16 MiB message and never reads its echo, which cannot fit in
	 * the socket buffers: the server's sender for it blocks. */
	if (!ws_open(c, &slow, NULL, 77))
		goto out;
	peer_small_rcvbuf(slow.fd, 4096);
	size_t flen;
	static const uint8_t k7[4] = { 7, 7, 7, 7 };
	uint8_t *f = wsframe_build(true, 0, WS_OP_BINARY, k7, big, MAX_MSG, &flen);
	int rc = f ? peer_send(slow.fd, f, flen, 5000) : -ENOMEM;
	free(f);
	if (rc < 0) {
		ctx_fail(c, "expected: ws_server reads a 16 MiB message\n   seen: %s", peer_strerror(rc));
		goto out;
	}
	for (; opened < NCLIENTS; opened++)
		if (!ws_open(c, &w[opened], NULL, (uint32_t)(300 + opened))) {
			ctx_fail(c, "   (client %d of %d, while another client does not read)",
				 opened + 1, NCLIENTS);
			opened++;
			goto out;
		}
	/* Every client sends, then every client reads: each echo within a second. */
	char msg[32];
	for (int i = 0; i < NCLIENTS; i++) {
		snprintf(msg, sizeof msg, "client %d", i);
		wspeer_send_frame(&w[i], true, 0, WS_OP_TEXT, msg, strlen(msg), LAB06_IO_MS);
	}
	int64_t t0 = clock_mono_ns();
	for (int i = 0; i < NCLIENTS; i++) {
		snprintf(msg, sizeof msg, "client %d", i);
		if (!expect_message(c, &w[i], "the echo to one of 30 clients at once, while another "
				    "client does not read", WS_OP_TEXT, msg, strlen(msg)))
			goto out;
	}
	ctx_log(c, "30 echoes in %.3f s", (clock_mono_ns() - t0) / 1e9);
out:
	if (ctx_failed(c))
		ctx_ladder_last(c, ctx_port(c, 0));
	for (int i = 0; i < opened; i++)
		wspeer_close(&w[i]);
	if (slow.fd >= 0)
		wspeer_close(&slow);
	free(w);
	free(big);
}

/* ---- real peers --------------------------------------------------------------------------- */

static const char PY_CLIENT[] =
	"import asyncio, sys\n"
	"try:\n"
	"    import websockets\n"
	"except ImportError:\n"
	"    sys.exit(77)\n"
	"async def main(url):\n"
	"    msgs = ['hello', '', 'caf\\u00e9 \\U0001F600', b'\\x00\\x01\\xff', 'x' * 70000,\n"
	"            bytes(range(256)) * 4096]\n"
	"    async with websockets.connect(url, max_size=None, compression=None) as ws:\n"
	"        for m in msgs:\n"
	"            await ws.send(m)\n"
	"            r = await ws.recv()\n"
	"            if r != m:\n"
	"                print('echo of a %s message of %d bytes differs' % (type(m).__name__, len(m)))\n"
	"                sys.exit(1)\n"
	"        await ws.send(['frag', 'ment', 'ed'])\n"
	"        r = await ws.recv()\n"
	"        if r != 'fragmented':\n"
	"            print('echo of a fragmented message differs: %r' % r[:40])\n"
	"            sys.exit(1)\n"
	"        pong = await ws.ping(b'py')\n"
	"        await asyncio.wait_for(pong, 2)\n"
	"    if ws.close_code != 1000:\n"
	"        print('close code %s' % ws.close_code)\n"
	"        sys.exit(1)\n"
	"    print('ok')\n"
	"asyncio.run(asyncio.wait_for(main(sys.argv[1]), 10))\n";

void check_ws_python(struct ctx *c)
{
	char script[512], url[64];

	if (!start_server(c))
		return;
	if (!ctx_write_file(c, "client.py", PY_CLIENT, sizeof PY_CLIENT - 1, script, sizeof script))
		return;
	snprintf(url, sizeof url, "ws://127.0.0.1:%u/", ctx_port(c, 0));
	const char *argv[] = { "python3", script, url, NULL };
	struct proc *p = ctx_start_tool(c, NULL, argv);
	if (!p || !ctx_wait(c, p, 15000))
		return;
	if (WIFEXITED(p->status) && WEXITSTATUS(p->status) == 77) {
		ctx_skip(c, "python3's websockets is not installed (apt-get install python3-websockets, "
			 "or make deps)");
		return;
	}
	if (!WIFEXITED(p->status) || WEXITSTATUS(p->status) != 0) {
		char *out = ctx_stdout(c, p, NULL), *err = ctx_stderr(c, p, NULL);
		char eo[300], ee[600];
		ctx_fail(c, "expected: python3's websockets client sends six messages, a fragmented one "
			 "and a ping, gets every echo and the pong, and closes with 1000\n   seen: %s%s",
			 esc_bytes(out ? out : "", out ? strlen(out) : 0, 200, eo, sizeof eo),
			 esc_bytes(err ? err : "", err ? strlen(err) : 0, 500, ee, sizeof ee));
		free(out);
		free(err);
		ctx_ladder_last(c, ctx_port(c, 0));
		return;
	}
	wire_closes(c, 0);
}
