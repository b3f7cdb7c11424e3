/* client.c - checks of ws_client (06-websocket; RFC 6455 sections 4.1, 5 and 7).
 *
 * The client talks to the grader's scripted server (wspeer): it answers the handshake
 * (rightly or not), sends frames as the case says, echoes every message the client sends
 * before answering its close, and records every frame the client sent, with its mask key.
 * The client's stdin is a FIFO in the check's folder that the script writes and closes when
 * the case needs it, so "the client has no more input" happens exactly when the script says. */
#define _GNU_SOURCE     /* mkfifo with O_CLOEXEC flags below */
#include "ws.h"
#include "clock.h"
#include "esc.h"
#include "httpmsg.h"
#include "wsframe.h"
#include "wspeer.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

/* What the scripted server does. */
struct script {
	bool bad_accept;          /* a wrong Sec-WebSocket-Accept */
	const char *answer;       /* instead of the 101, this whole response (then close) */
	const uint8_t *first;     /* frames right after the 101, in its segment */
	size_t nfirst;
	const char *want_pong;    /* wait for a pong with this payload before writing stdin */
	const char *input;        /* written to the client's stdin, then stdin is closed */
	size_t ninput;
	int close_first;          /* send a close with this code first (-1: none; 0: no code) */
	bool fin_first;           /* close the TCP connection without a close frame */
	int fin_delay_ms;         /* after answering the client's close, wait before the FIN */
};

/* What the scripted server saw. */
struct seen {
	char request[4096];       /* the handshake's head */
	struct peer_buf texts;    /* every text message, each followed by '\n' */
	size_t nmessages;
	uint8_t keys[256][4];     /* mask keys of the first 256 client frames */
	size_t nframes;
	bool unmasked;            /* a client frame without MASK */
	bool got_pong;
	int close_code;           /* the client's close: -1 none, 0 without a code */
	int64_t fin_ns;           /* when the grader's FIN went out */
	bool client_eof;
	bool early_fin;           /* the client's FIN came before the grader's */
};

/* A FIFO for the client's stdin, opened read-write by the grader so that opening it for the
 * client never blocks; closing the grader's end is the client's end of input. */
static int make_fifo(struct ctx *c, char *path, size_t pathsz)
{
	ctx_path(c, "stdin.fifo", path, pathsz);
	unlink(path);
	if (mkfifo(path, 0600) < 0) {
		ctx_error(c, "mkfifo %s: %s", path, strerror(errno));
		return -1;
	}
	int fd = open(path, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		ctx_error(c, "open %s: %s", path, strerror(errno));
	return fd;
}

static void write_input(int fd, const char *p, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, p, n);
		if (w <= 0)
			return;
		p += w;
		n -= (size_t)w;
	}
}

/* Read the client's frames until its close (answered, then our FIN) or its FIN. */
static bool serve(struct ctx *c, struct wspeer *w, const struct script *s, struct seen *seen,
		  int *infd)
{
	struct wsframe f;
	char why[256];
	struct peer_buf msg = { 0 };
	bool in_msg = false, ok = true;

	for (;;) {
		int rc = wspeer_frame(w, &f, LAB06_IO_MS + 1000, why, sizeof why);
		if (rc == 0) {
			seen->client_eof = true;
			break;
		}
		if (rc < 0) {
			if (rc == -EPROTO)
				ctx_fail(c, "expected: WebSocket frames from ws_client\n   seen: %s", why);
			else
				ctx_fail(c, "expected: ws_client sends its frames and a close\n   seen: "
					 "nothing for %.1f s", (LAB06_IO_MS + 1000) / 1000.0);
			ok = false;
			break;
		}
		if (seen->nframes < 256)
			memcpy(seen->keys[seen->nframes], f.key, 4);
		seen->nframes++;
		if (!f.masked)
			seen->unmasked = true;
		if (f.opcode == WS_OP_PONG) {
			if (s->want_pong && f.len == strlen(s->want_pong) &&
			    memcmp(f.payload, s->want_pong, f.len) == 0 && !seen->got_pong) {
				seen->got_pong = true;
				if (*infd >= 0) {
					write_input(*infd, s->input, s->ninput);
					close(*infd);
					*infd = -1;
				}
			}
			continue;
		}
		if (f.opcode == WS_OP_PING) {
			wspeer_send_frame(w, true, 0, WS_OP_PONG, f.payload, f.len, LAB06_IO_MS);
			continue;
		}
		if (f.opcode == WS_OP_CLOSE) {
			seen->close_code = f.len >= 2 ? (f.payload[0] << 8 | f.payload[1]) : 0;
			if (s->close_first < 0) {
				/* The answer: the same code, then our FIN first. */
				wspeer_send_close(w, seen->close_code ? (unsigned)seen->close_code : 1000,
						  NULL, LAB06_IO_MS);
				int64_t until = clock_deadline(s->fin_delay_ms);
				while (s->fin_delay_ms && clock_left_ms(until) > 0 && !w->eof && !w->err)
					if (wspeer_fill(w, clock_left_ms(until)) == 0)
						seen->early_fin = true;
			}
			seen->fin_ns = clock_mono_ns();
			shutdown(w->fd, SHUT_WR);
			/* The client's FIN. */
			while (wspeer_frame(w, &f, LAB06_IO_MS, why, sizeof why) == 1)
				;
			seen->client_eof = w->eof;
			break;
		}
		if (f.opcode == WS_OP_TEXT || f.opcode == WS_OP_BINARY || f.opcode == WS_OP_CONT) {
			if (f.opcode != WS_OP_CONT) {
				msg.len = 0;
				in_msg = true;
			}
			if (!in_msg)
				continue;
			peer_buf_append(&msg, f.payload, f.len);
			if (f.fin) {
				in_msg = false;
				peer_buf_append(&seen->texts, msg.data, msg.len);
				peer_buf_append(&seen->texts, "\n", 1);
				seen->nmessages++;
				/* Echo it before anything else (the grader echoes before a close). */
				wspeer_send_frame(w, true, 0, WS_OP_TEXT, msg.data, msg.len, LAB06_IO_MS);
			}
		}
	}
	peer_buf_free(&msg);
	return ok;
}

/* Run ws_client against the scripted server. Returns the process (exited), or NULL after
 * a failure or an error. */
static struct proc *client_run(struct ctx *c, const char *url, const struct script *s,
			       struct seen *seen)
{
	char why[256], fifo[512];
	struct wspeer w = { .fd = -1 };
	struct proc *p = NULL;
	int lfd, fd, infd;

	memset(seen, 0, sizeof *seen);
	seen->close_code = -1;
	wspeer_init(&w, -1, false, 1);
	lfd = ctx_listen(c, "::", ctx_port(c, 0));
	if (lfd < 0)
		return NULL;
	infd = make_fifo(c, fifo, sizeof fifo);
	if (infd < 0)
		goto out;
	bool input_now = !s->want_pong && s->close_first < 0 && !s->fin_first;
	if (input_now)
		write_input(infd, s->input, s->ninput);   /* a FIFO holds 64 KiB */
	p = ctx_start(c, fifo, "ws_client", url, NULL);
	if (!p)
		goto out;
	if (input_now) {        /* the client holds the read end now: closing ours is its EOF */
		close(infd);
		infd = -1;
	}
	fd = ctx_accept(c, lfd, p, 3000);
	if (fd < 0) {
		ctx_no_connection(c, p, fd);
		p = NULL;
		goto out;
	}
	wspeer_init(&w, fd, false, 1);
	peer_nodelay(fd);
	if (s->answer) {
		struct httpmsg m;
		wspeer_head(&w, HTTPMSG_REQUEST, &m, LAB06_IO_MS, why, sizeof why);
		wspeer_send(&w, s->answer, strlen(s->answer), LAB06_IO_MS);
		shutdown(fd, SHUT_WR);
	} else {
		int rc = wspeer_server_handshake(&w, s->bad_accept, s->first, s->nfirst, seen->request,
						 sizeof seen->request, LAB06_IO_MS, why, sizeof why);
		if (rc < 0) {
			ctx_fail(c, "expected: a WebSocket handshake from ws_client\n   seen: %s",
				 rc == -EPROTO ? why : peer_strerror(rc));
			ctx_ladder_last(c, ctx_port(c, 0));
			p = NULL;
			goto out;
		}
		/* After a wrong accept key too: a client that does not check it carries on,
		 * and is served to the end, so that it can exit 0. */
		if (s->fin_first) {
			seen->fin_ns = clock_mono_ns();
			shutdown(fd, SHUT_WR);
		} else if (s->close_first >= 0) {
			wspeer_send_close(&w, (unsigned)s->close_first, NULL, LAB06_IO_MS);
		}
		if (!serve(c, &w, s, seen, &infd)) {
			ctx_ladder_last(c, ctx_port(c, 0));
			p = NULL;
			goto out;
		}
	}
	if (infd >= 0) {
		close(infd);
		infd = -1;
	}
	if (!ctx_wait(c, p, LAB06_CLIENT_S * 1000 + 3000)) {
		ctx_ladder_last(c, ctx_port(c, 0));
		p = NULL;
	}
out:
	if (infd >= 0)
		close(infd);
	wspeer_close(&w);
	close(lfd);
	return p;
}

static void url_of(struct ctx *c, const char *host, const char *path, char *buf, size_t bufsz)
{
	snprintf(buf, bufsz, "ws://%s:%u%s", host, ctx_port(c, 0), path);
}

/* client_run with ws://127.0.0.1:PORT/. */
static struct proc *client_run_root(struct ctx *c, const struct script *s, struct seen *seen)
{
	char url[128];

	url_of(c, "127.0.0.1", "/", url, sizeof url);
	return client_run(c, url, s, seen);
}

/* ---- checks ------------------------------------------------------------------------------ */

void check_ws_client_usage(struct ctx *c)
{
	char p1[8], u1[64], u2[64], u3[64];

	ctx_port_str(c, 0, p1, sizeof p1);
	snprintf(u1, sizeof u1, "http://127.0.0.1:%s/", p1);
	snprintf(u2, sizeof u2, "wss://127.0.0.1:%s/", p1);
	snprintf(u3, sizeof u3, "ws://127.0.0.1:%s/#frag", p1);
	if (ctx_expect_usage(c, "ws_client", NULL) &&
	    ctx_expect_usage(c, "ws_client", u1, NULL) &&
	    ctx_expect_usage(c, "ws_client", u2, NULL) &&
	    ctx_expect_usage(c, "ws_client", u3, NULL) &&
	    ctx_expect_usage(c, "ws_client", "ws://127.0.0.1:0/", NULL) &&
	    ctx_expect_usage(c, "ws_client", "ws://127.0.0.1:65536/", NULL) &&
	    ctx_expect_usage(c, "ws_client", "ws://127.0.0.1:8x/", NULL) &&
	    ctx_expect_usage(c, "ws_client", "127.0.0.1", NULL))
		ctx_expect_usage(c, "ws_client", u3 /* any */, "extra", NULL);
}

static bool expect_exit(struct ctx *c, struct proc *p, int code, const char *what)
{
	if (!WIFEXITED(p->status) || WEXITSTATUS(p->status) != code) {
		char *err = ctx_stderr(c, p, NULL);
		char e[300];
		ctx_fail(c, "expected: ws_client exits %d %s\n   seen: %s %d; stderr: %s", code, what,
			 WIFEXITED(p->status) ? "exit status" : "killed by signal",
			 WIFEXITED(p->status) ? WEXITSTATUS(p->status) : WTERMSIG(p->status),
			 esc_bytes(err ? err : "", err ? strlen(err) : 0, 200, e, sizeof e));
		free(err);
		return false;
	}
	return true;
}

/* The handshake's head, judged field by field (RFC 6455 section 4.1). key: the key seen. */
static bool judge_request(struct ctx *c, const char *req, const char *line, const char *host,
			  char *key, size_t keysz)
{
	struct httpmsg m;
	char why[200], e[300];

	if (httpmsg_parse(req, strlen(req), HTTPMSG_REQUEST, &m, why, sizeof why) <= 0) {
		ctx_fail(c, "expected: an HTTP/1.1 request\n   seen: %s", why);
		return false;
	}
	if (m.start_line_len != strlen(line) || memcmp(m.start_line, line, m.start_line_len) != 0) {
		ctx_fail(c, "expected: the request line \"%s\"\n   seen: \"%s\"", line,
			 esc_bytes(m.start_line, m.start_line_len, 120, e, sizeof e));
		return false;
	}
	const struct httpmsg_field *h = httpmsg_header(&m, "Host", 0);
	const struct httpmsg_field *up = httpmsg_header(&m, "Upgrade", 0);
	const struct httpmsg_field *k = httpmsg_header(&m, "Sec-WebSocket-Key", 0);
	const struct httpmsg_field *v = httpmsg_header(&m, "Sec-WebSocket-Version", 0);
	const char *bad = NULL;
	if (!h || httpmsg_count(&m, "Host") != 1 || h->value_len != strlen(host) ||
	    strncasecmp(h->value, host, h->value_len) != 0)
		bad = "Host";
	else if (!up || up->value_len != 9 || strncasecmp(up->value, "websocket", 9) != 0)
		bad = "Upgrade: websocket";
	else if (!httpmsg_has_token(&m, "Connection", "Upgrade"))
		bad = "Connection: Upgrade";
	else if (!v || v->value_len != 2 || memcmp(v->value, "13", 2) != 0)
		bad = "Sec-WebSocket-Version: 13";
	else if (!k || httpmsg_count(&m, "Sec-WebSocket-Key") != 1 ||
		 !wsframe_is_key(k->value, k->value_len))
		bad = "Sec-WebSocket-Key (24 base64 characters that decode to 16 bytes)";
	if (bad) {
		ctx_fail(c, "expected: the handshake with %s (Host: %s)\n   seen: %s", bad, host,
			 esc_bytes(req, strlen(req), 280, e, sizeof e));
		return false;
	}
	snprintf(key, keysz, "%.*s", (int)k->value_len, k->value);
	return true;
}

void check_ws_client_handshake(struct ctx *c)
{
	static const struct { const char *host, *path, *line; } cases[] = {
		{ "127.0.0.1", "/chat?room=1", "GET /chat?room=1 HTTP/1.1" },
		{ "[::1]", "", "GET / HTTP/1.1" },
		{ "localhost", "/a/b", "GET /a/b HTTP/1.1" },
	};
	char keys[3][64];

	for (size_t i = 0; i < 3; i++) {
		struct seen seen;
		char url[128], host[64];
		struct script s = { .close_first = -1, .input = "", .ninput = 0 };
		url_of(c, cases[i].host, cases[i].path, url, sizeof url);
		snprintf(host, sizeof host, "%s:%u", cases[i].host, ctx_port(c, 0));
		struct proc *p = client_run(c, url, &s, &seen);
		if (!p)
			return;
		if (!judge_request(c, seen.request, cases[i].line, host, keys[i], sizeof keys[i]) ||
		    !expect_exit(c, p, 0, "after an empty stdin and the close handshake")) {
			ctx_fail(c, "   (ws_client %s)", url);
			ctx_ladder_last(c, ctx_port(c, 0));
			return;
		}
		if ((i > 0 && strcmp(keys[i], keys[i - 1]) == 0)) {
			ctx_fail(c, "expected: a fresh random Sec-WebSocket-Key for every connection\n   "
				 "seen: %s twice", keys[i]);
			return;
		}
	}
}

void check_ws_client_accept(struct ctx *c)
{
	static const struct { struct script s; const char *what; } cases[] = {
		{ { .bad_accept = true, .close_first = -1 }, "a 101 with a wrong Sec-WebSocket-Accept" },
		{ { .answer = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nhi", .close_first = -1 },
		  "a 200 instead of a 101" },
		{ { .answer = "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
			      "Connection: Upgrade\r\n\r\n", .close_first = -1 },
		  "a 101 without Sec-WebSocket-Accept" },
	};
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		struct seen seen;
		struct script s = cases[i].s;
		s.input = "never sent\n";
		s.ninput = strlen(s.input);
		struct proc *p = client_run_root(c, &s, &seen);
		if (!p)
			return;
		if (!ctx_expect_error_line(c, p, cases[i].what)) {
			ctx_ladder_last(c, ctx_port(c, 0));
			return;
		}
	}
}

/* Consecutive client frames have different mask keys (one repeat allowed). */
static bool judge_masks(struct ctx *c, const struct seen *seen)
{
	size_t repeats = 0, n = seen->nframes < 256 ? seen->nframes : 256;

	if (seen->unmasked) {
		ctx_fail(c, "expected: every client frame masked (RFC 6455 section 5.3)\n   seen: a "
			 "frame without the MASK bit");
		return false;
	}
	for (size_t i = 1; i < n; i++)
		if (memcmp(seen->keys[i], seen->keys[i - 1], 4) == 0)
			repeats++;
	if (repeats > 1) {
		ctx_fail(c, "expected: a fresh random mask key for every frame\n   seen: %zu of %zu "
			 "frames with the same key as the frame before (key %02x%02x%02x%02x)", repeats,
			 n, seen->keys[1][0], seen->keys[1][1], seen->keys[1][2], seen->keys[1][3]);
		return false;
	}
	return true;
}

static bool expect_stdout(struct ctx *c, struct proc *p, const void *want, size_t n,
			  const char *what)
{
	size_t len;
	char *out = ctx_stdout(c, p, &len);
	bool ok = ctx_expect_bytes(c, what, want, n, out ? out : "", out ? len : 0);
	free(out);
	return ok;
}

void check_ws_client_echo(struct ctx *c)
{
	struct peer_buf in = { 0 }, want = { 0 };
	char url[128], line[64];
	struct seen seen;

	/* Lines as they are: an empty one, one with a \r, one with a NUL (U+0000 is valid
	 * UTF-8, and fgets with strlen loses the rest of the line), UTF-8; then 200 short ones;
	 * the last without its newline. */
	static const char head[] = "hello\n\nwith a carriage return\r\na NUL \0 inside\n"
				   "caf\xc3\xa9\n";
	peer_buf_append(&in, head, sizeof head - 1);
	for (int i = 0; i < 200; i++) {
		snprintf(line, sizeof line, "line %d\n", i);
		peer_buf_append(&in, line, strlen(line));
	}
	peer_buf_append(&in, "last", 4);
	peer_buf_append(&want, in.data, in.len);
	peer_buf_append(&want, "\n", 1);

	struct script s = { .close_first = -1, .input = (const char *)in.data, .ninput = in.len };
	url_of(c, "127.0.0.1", "/echo", url, sizeof url);
	struct proc *p = client_run(c, url, &s, &seen);
	if (!p)
		goto out;
	if (!ctx_expect_bytes(c, "the text messages ws_client sent (one per stdin line, each shown "
			      "here with a newline)", want.data, want.len, seen.texts.data ? (const char *)seen.texts.data : "",
			      seen.texts.len) ||
	    !judge_masks(c, &seen) ||
	    !expect_stdout(c, p, want.data, want.len, "ws_client's stdout: each echoed message on a "
			   "line of its own") ||
	    !expect_exit(c, p, 0, "after the close handshake"))
		goto fail;
	if (seen.close_code != 1000) {
		ctx_fail(c, "expected: at the end of stdin, a close frame with code 1000\n   seen: %s %d",
			 seen.close_code < 0 ? "no close frame" : "a close with code", seen.close_code);
		goto fail;
	}
	goto out;
fail:
	ctx_ladder_last(c, ctx_port(c, 0));
out:
	peer_buf_free(&in);
	peer_buf_free(&want);
	peer_buf_free(&seen.texts);
}

void check_ws_client_messages(struct ctx *c)
{
	struct peer_buf first = { 0 }, want = { 0 };
	char url[128];
	struct seen seen;
	uint8_t *x300 = malloc(300), *y70k = malloc(70000);
	size_t n;
	uint8_t *f;

	if (!x300 || !y70k)
		goto out;
	memset(x300, 'x', 300);
	memset(y70k, 'y', 70000);
#define ADD(fin, op, p, len) \
	do { f = wsframe_build(fin, 0, op, NULL, p, len, &n); if (f) peer_buf_append(&first, f, n); free(f); } while (0)
	ADD(false, WS_OP_TEXT, "fr", 2);
	ADD(true, WS_OP_PING, "are you there", 13);
	ADD(false, WS_OP_CONT, "ag", 2);
	ADD(true, WS_OP_CONT, "ments", 5);
	ADD(true, WS_OP_TEXT, x300, 300);
	ADD(true, WS_OP_TEXT, y70k, 70000);
	ADD(true, WS_OP_TEXT, "", 0);
#undef ADD
	peer_buf_append(&want, "fragments\n", 10);
	peer_buf_append(&want, x300, 300);
	peer_buf_append(&want, "\n", 1);
	peer_buf_append(&want, y70k, 70000);
	peer_buf_append(&want, "\n\ndone\n", 7);

	struct script s = { .close_first = -1, .first = first.data, .nfirst = first.len,
			    .want_pong = "are you there", .input = "done\n", .ninput = 5 };
	url_of(c, "127.0.0.1", "/", url, sizeof url);
	struct proc *p = client_run(c, url, &s, &seen);
	if (!p)
		goto out;
	if (!seen.got_pong) {
		ctx_fail(c, "expected: a pong with \"are you there\" for the server's ping (sent between "
			 "two fragments)\n   seen: none");
		goto fail;
	}
	if (seen.unmasked) {
		ctx_fail(c, "expected: every client frame masked, the pong too (RFC 6455 section "
			 "5.3)\n   seen: a frame without the MASK bit");
		goto fail;
	}
	if (!expect_stdout(c, p, want.data, want.len, "ws_client's stdout: a fragmented message, "
			   "300 bytes (16-bit length), 70000 bytes (64-bit length), an empty message, "
			   "then the echo of \"done\"") ||
	    !expect_exit(c, p, 0, "after the close handshake"))
		goto fail;
	goto out;
fail:
	ctx_ladder_last(c, ctx_port(c, 0));
out:
	free(x300);
	free(y70k);
	peer_buf_free(&first);
	peer_buf_free(&want);
	peer_buf_free(&seen.texts);
}

void check_ws_client_close(struct ctx *c)
{
	static const struct { struct script s; int code; bool reply; const char *what; } cases[] = {
		{ { .close_first = 1000 }, 0, true, "the server closes first with 1000" },
		{ { .close_first = 1001 }, 1, true, "the server closes first with 1001 (going away)" },
		{ { .close_first = 0 }, 1, true, "the server closes first with a close frame without a code" },
		{ { .fin_first = true, .close_first = -1 }, 1, false,
		  "the server closes the TCP connection without a close frame" },
		{ { .close_first = -1, .input = "x\n", .ninput = 2, .fin_delay_ms = 400 }, 0, true,
		  "the server answers the close, then sends its FIN 0.4 s later" },
	};
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		struct seen seen;
		struct script s = cases[i].s;
		if (!s.input) {
			s.input = "";
			s.ninput = 0;
		}
		if (s.close_first >= 0 || s.fin_first) {
			s.want_pong = NULL;     /* stdin stays open until the end */
		}
		struct proc *p = client_run_root(c, &s, &seen);
		peer_buf_free(&seen.texts);
		if (!p)
			return;
		bool ok = cases[i].code == 0 ? expect_exit(c, p, 0, cases[i].what)
					     : ctx_expect_error_line(c, p, cases[i].what);
		if (ok && cases[i].reply && s.close_first >= 0 && seen.close_code != s.close_first &&
		    !(s.close_first == 0 && seen.close_code == 1000)) {
			ctx_fail(c, "expected: %s: ws_client answers with a close frame with the same "
				 "code\n   seen: %s %d", cases[i].what,
				 seen.close_code < 0 ? "no close frame" : "a close with code",
				 seen.close_code);
			ok = false;
		}
		if (ok && s.fin_delay_ms && seen.early_fin) {
			ctx_fail(c, "expected: %s: ws_client waits for the server's FIN before it closes "
				 "the connection\n   seen: its FIN came first", cases[i].what);
			ok = false;
		}
		if (!ok) {
			ctx_ladder_last(c, ctx_port(c, 0));
			return;
		}
	}
}

void check_ws_client_timeout(struct ctx *c)
{
	char url[128];

	url_of(c, "127.0.0.1", "/", url, sizeof url);
	const char *argv[] = { "ws_client", url, NULL };
	ctx_check_client_timeout(c, argv, "\r\n\r\n", LAB06_CLIENT_S, LAB06_CLIENT_S + 5);
}

/* The server reads the client's close and then says nothing, and keeps the connection
 * open: the client gives up after about 5 s with one line, exit 1. */
void check_ws_client_close_timeout(struct ctx *c)
{
	char why[256], fifo[512], url[128];
	struct wspeer w = { .fd = -1 };
	struct wsframe f;
	int lfd, fd, infd;

	url_of(c, "127.0.0.1", "/", url, sizeof url);
	lfd = ctx_listen(c, "::", ctx_port(c, 0));
	if (lfd < 0)
		return;
	infd = make_fifo(c, fifo, sizeof fifo);
	struct proc *p = infd >= 0 ? ctx_start(c, fifo, "ws_client", url, NULL) : NULL;
	if (infd >= 0)
		close(infd);    /* an empty stdin: the client closes at once */
	if (!p)
		goto out;
	fd = ctx_accept(c, lfd, p, 3000);
	if (fd < 0) {
		ctx_no_connection(c, p, fd);
		goto out;
	}
	wspeer_init(&w, fd, false, 1);
	int rc = wspeer_server_handshake(&w, false, NULL, 0, NULL, 0, LAB06_IO_MS, why, sizeof why);
	if (rc == 0)
		rc = wspeer_frame(&w, &f, LAB06_IO_MS, why, sizeof why);
	if (rc != 1 || f.opcode != WS_OP_CLOSE) {
		ctx_fail(c, "expected: with an empty stdin, ws_client sends a close frame after the "
			 "handshake\n   seen: %s", rc == 1 ? "another frame" : rc == 0 ? "the connection "
			 "ended" : rc == -EPROTO ? why : peer_strerror(rc));
		ctx_ladder_last(c, ctx_port(c, 0));
		goto out;
	}
	int64_t t0 = clock_mono_ns();
	/* Say nothing; the client's FIN (or its exit) ends the wait. */
	while (wspeer_frame(&w, &f, (LAB06_CLIENT_S + 5) * 1000, why, sizeof why) == 1)
		;
	if (ctx_wait(c, p, 1000)) {
		double took = (p->end_ns > 0 ? p->end_ns - t0 : clock_mono_ns() - t0) / 1e9;
		ctx_log(c, "ws_client gave up %.2f s after its close frame", took);
		if (took < LAB06_CLIENT_S * 0.9)
			ctx_fail(c, "expected: ws_client waits %d s for the server's close\n   seen: it gave "
				 "up after %.2f s", LAB06_CLIENT_S, took);
		else
			ctx_expect_error_line(c, p, "a server that never answers the close frame");
	}
out:
	wspeer_close(&w);
	close(lfd);
}

void check_ws_client_errors(struct ctx *c)
{
	ctx_check_url_client_errors(c, "ws_client", "ws");
}
