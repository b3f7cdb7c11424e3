/* client.c - checks of http_client: the grader's scripted server (httppeer) sends its
 * response in pieces. */
#include "lab04.h"

/* ---- the grader as the server of http_client -------------------------------------------- */

enum close_mode {
	KEEP_OPEN,      /* after the response, wait for the client to exit, then close */
	CLOSE_AFTER,    /* after the response, close (FIN) */
};

/* Start http_client with args against the grader's server on port 0 (httppeer's scripted
 * server): accept, read the request (head and body) into *req, send the pieces gap_ms
 * apart, then close or wait. Returns the client, exited, or NULL after recording a
 * failure. */
static struct proc *client_run_on(struct ctx *c, const char *listen_addr,
				  const char *const *args, const struct http_piece *pieces,
				  size_t npieces, int gap_ms, enum close_mode mode,
				  struct peer_buf *req)
{
	char cmd[512], esc[200];
	struct httpsrv s;
	int lfd = ctx_listen(c, listen_addr, ctx_port(c, 0));

	memset(req, 0, sizeof *req);
	if (lfd < 0)
		return NULL;
	ctx_command("http_client", args, cmd, sizeof cmd);
	struct proc *p = ctx_startv(c, NULL, "http_client", args);
	int fd = p ? ctx_accept(c, lfd, p, 3000) : -1;
	close(lfd);
	if (!p)
		return NULL;
	if (fd < 0) {
		char st[128];
		size_t elen;
		char *err = ctx_stderr(c, p, &elen);
		if (strstr(cmd, "[::1]") || strstr(cmd, "localhost"))
			ctx_hint(c, HINT_ADDR);
		ctx_fail(c, "expected: `%s` connects to port %u\n   seen: no connection (%s; stderr %s)",
			 cmd, ctx_port(c, 0), proc_is_running(p) ? "still running after 3 s"
				 : proc_describe(p, st, sizeof st),
			 esc_bytes(err, elen, 160, esc, sizeof esc));
		free(err);
		return NULL;
	}
	/* The request: its head, and its body when it announces one. */
	httpsrv_init(&s, fd);
	ssize_t r = httpsrv_read_request(&s, IO_MS);
	*req = s.req;
	s.req = (struct peer_buf){ 0 };
	if (r <= 0) {
		ctx_fail(c, "expected: `%s` sends an HTTP/1.1 request ended by an empty line\n"
			 "   seen: %s%s: %s", cmd, r == HTTPMSG_BAD ? s.why : "an incomplete request",
			 r == HTTPMSG_BAD ? "" : " after 2 s", esc_bytes(req->data, req->len, 160, esc,
								       sizeof esc));
		httpsrv_close(&s, 0);
		proc_stop(p, 200);
		return NULL;
	}
	/* A client that gives up early is judged by its exit. */
	httpsrv_send(&s, pieces, npieces, gap_ms, IO_MS);
	if (mode == CLOSE_AFTER)
		shutdown(fd, SHUT_WR);
	bool exited = proc_wait(p, 3000) == 0;
	if (!exited && mode == KEEP_OPEN) {
		shutdown(fd, SHUT_WR);
		bool late = proc_wait(p, 1000) == 0;
		ctx_fail(c, "expected: `%s` exits once the body is complete (its length is known "
			 "from the head)\n   seen: still running 3 s after the whole response was sent "
			 "on a connection the server kept open%s", cmd,
			 late ? "; it exited only when the server closed" : "");
	} else if (!exited) {
		ctx_fail(c, "expected: `%s` exits after the server closed\n   seen: still running "
			 "3 s later", cmd);
	}
	/* Read what is left (the client's FIN), then close. */
	httpsrv_close(&s, 200);
	if (!exited) {
		proc_stop(p, 200);
		return NULL;
	}
	return p;
}

/* client_run_on with the grader's server on "::" (IPv4 and IPv6). */
static struct proc *client_run(struct ctx *c, const char *const *args,
			       const struct http_piece *pieces, size_t npieces, int gap_ms,
			       enum close_mode mode, struct peer_buf *req)
{
	return client_run_on(c, "::", args, pieces, npieces, gap_ms, mode, req);
}

/* Exit status code and stdout want. */
static bool client_expect(struct ctx *c, struct proc *p, const char *const *args, int code,
			  const void *want, size_t nwant)
{
	char cmd[512];

	return ctx_expect_run(c, p, ctx_command("http_client", args, cmd, sizeof cmd), code, want,
			      nwant);
}

/* Run, then judge exit status and stdout; the request goes to *req when not NULL. */
static bool client_case(struct ctx *c, const char *const *args, const struct http_piece *pieces,
			size_t npieces, int gap_ms, enum close_mode mode, int code,
			const void *want, size_t nwant, struct peer_buf *req)
{
	struct peer_buf r;
	struct proc *p = client_run(c, args, pieces, npieces, gap_ms, mode, &r);
	bool ok = p && client_expect(c, p, args, code, want, nwant);

	if (req)
		*req = r;
	else
		peer_buf_free(&r);
	if (!ok)
		ctx_ladder_last(c, ctx_port(c, 0));
	return ok;
}

static void url_of(struct ctx *c, const char *host, const char *path, char *buf, size_t bufsz)
{
	snprintf(buf, bufsz, "http://%s:%u%s", host, ctx_port(c, 0), path);
}

/* ---- client checks ---------------------------------------------------------------------- */

void check_http_client_usage(struct ctx *c)
{
	char u[8][128];
	uint16_t pn = ctx_port(c, 0);
	/* A listener, so a client that connects anyway shows on the wire. */
	int lfd = ctx_listen(c, "::", pn);

	if (lfd < 0)
		return;
	snprintf(u[0], sizeof u[0], "ftp://127.0.0.1:%u/a.txt", pn);
	snprintf(u[1], sizeof u[1], "127.0.0.1:%u/a.txt", pn);
	snprintf(u[2], sizeof u[2], "http://127.0.0.1:0/a.txt");
	snprintf(u[3], sizeof u[3], "http://127.0.0.1:65536/a.txt");
	snprintf(u[4], sizeof u[4], "http://127.0.0.1:%ux/a.txt", pn);
	snprintf(u[5], sizeof u[5], "http://user@127.0.0.1:%u/a.txt", pn);
	snprintf(u[6], sizeof u[6], "http://:%u/a.txt", pn);
	snprintf(u[7], sizeof u[7], "http://127.0.0.1:%u/a b.txt", pn);
	bool ok = true;
	for (int i = 0; i < 8 && ok; i++)
		ok = ctx_expect_usage(c, "http_client", u[i], NULL);
	char good[128];
	url_of(c, "127.0.0.1", "/a.txt", good, sizeof good);
	ok = ok && ctx_expect_usage(c, "http_client", NULL) &&
	     ctx_expect_usage(c, "http_client", "-z", good, NULL) &&
	     ctx_expect_usage(c, "http_client", good, good, NULL) &&
	     ctx_expect_usage(c, "http_client", good, "-o", NULL);
	close(lfd);
	const struct flow_set *fs = ctx_flows(c);
	if (ok && fs && flow_tcp_count(fs, pn) > 0) {
		const struct flow_tcp *f = flow_tcp_nth(fs, pn, 0);
		char l[128];
		ctx_fail(c, "expected: no connection for a URL or options the client refuses\n"
			 "   seen: %zu connection(s) to port %u; the first sent %s", flow_tcp_count(fs, pn),
			 pn, f->half[FLOW_C2S].len ? lab04_first_line(f->half[FLOW_C2S].data,
								f->half[FLOW_C2S].len, l, sizeof l)
						   : "nothing");
		ctx_ladder_tcp(c, f);
	}
}

static const struct http_piece OK_RESPONSE[] = {
	HTTP_PIECE("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 3\r\n\r\nok\n"),
};

/* The request on the wire of connection idx is exactly want. */
static bool client_wire_request(struct ctx *c, size_t idx, const char *want, const char *cmd)
{
	const struct flow_tcp *f = ctx_tcp_nth(c, ctx_port(c, 0), idx, "the connection of `%s`",
					       cmd);

	if (!f)
		return false;
	if (ctx_expect_bytes(c, "request on the wire", want, strlen(want), f->half[FLOW_C2S].data,
			     f->half[FLOW_C2S].len))
		return true;
	ctx_fail(c, "(`%s`)", cmd);
	ctx_ladder_tcp(c, f);
	return false;
}

/* Run http_client once per argument list (argv[i], NULL-terminated, the program's name
 * left out) against a server answering "ok", and expect the request bytes want[i] on the
 * socket, then on the wire. */
static void expect_requests(struct ctx *c, const char *const argv[][4], char want[][512],
			    size_t n)
{
	char cmds[4][512];

	for (size_t i = 0; i < n; i++) {
		struct peer_buf req;
		ctx_command("http_client", argv[i], cmds[i], sizeof cmds[i]);
		if (!client_case(c, argv[i], OK_RESPONSE, 1, 0, KEEP_OPEN, 0, "ok\n", 3, &req)) {
			peer_buf_free(&req);
			return;
		}
		bool ok = ctx_expect_bytes(c, "request", want[i], strlen(want[i]), req.data, req.len);
		peer_buf_free(&req);
		if (!ok) {
			ctx_fail(c, "(`%s`)", cmds[i]);
			ctx_ladder_last(c, ctx_port(c, 0));
			return;
		}
	}
	for (size_t i = 0; i < n; i++)
		if (!client_wire_request(c, i, want[i], cmds[i]))
			return;
}

void check_http_client_request(struct ctx *c)
{
	char urls[3][160], want[3][512];
	uint16_t pn = ctx_port(c, 0);

	url_of(c, "127.0.0.1", "/dir/page.html?x=1&y=two#section-2", urls[0], sizeof urls[0]);
	url_of(c, "[::1]", "/", urls[1], sizeof urls[1]);
	url_of(c, "localhost", "/a%20b.txt?q=%2F", urls[2], sizeof urls[2]);
	snprintf(want[0], sizeof want[0], "GET /dir/page.html?x=1&y=two HTTP/1.1\r\nHost: "
		 "127.0.0.1:%u\r\nConnection: close\r\n\r\n", pn);
	snprintf(want[1], sizeof want[1], "GET / HTTP/1.1\r\nHost: [::1]:%u\r\nConnection: "
		 "close\r\n\r\n", pn);
	snprintf(want[2], sizeof want[2], "GET /a%%20b.txt?q=%%2F HTTP/1.1\r\nHost: localhost:%u\r\n"
		 "Connection: close\r\n\r\n", pn);
	const char *const argv[3][4] = { { urls[0], NULL }, { urls[1], NULL }, { urls[2], NULL } };
	expect_requests(c, argv, want, 3);
}

void check_http_client_post(struct ctx *c)
{
	static const char *const data[] = { "a=1&b=2", "q=%E2%9C%93&msg=hello world&empty=" };
	char url[160], want[2][512];
	uint16_t pn = ctx_port(c, 0);

	url_of(c, "127.0.0.1", "/form", url, sizeof url);
	for (int i = 0; i < 2; i++)
		snprintf(want[i], sizeof want[i], "POST /form HTTP/1.1\r\nHost: 127.0.0.1:%u\r\n"
			 "Connection: close\r\nContent-Type: application/x-www-form-urlencoded\r\n"
			 "Content-Length: %zu\r\n\r\n%s", pn, strlen(data[i]), data[i]);
	const char *const argv[2][4] = { { "-d", data[0], url, NULL }, { "-d", data[1], url, NULL } };
	expect_requests(c, argv, want, 2);
}

void check_http_client_length(struct ctx *c)
{
	char url[160];
	size_t nbody = 3000;
	uint8_t *body = malloc(nbody);
	static const char head[] = "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n"
				   "Content-Length: 3000\r\n\r\n";
	struct http_piece pieces[80];

	if (!body)
		return;
	for (size_t i = 0; i < nbody; i++)
		body[i] = (uint8_t)(i % 61 == 60 ? '\n' : 'a' + i % 26);
	url_of(c, "127.0.0.1", "/long.txt", url, sizeof url);
	const char *args[] = { url, NULL };
	/* The head in three pieces, the body in 50-byte pieces, 1 ms apart. */
	size_t k = http_cut(head, sizeof head - 1, 25, pieces, 80);
	k += http_cut(body, nbody, 50, pieces + k, 80 - k);
	ctx_log(c, "response 1: %zu segments; response 2: lower-case content-length", k);
	if (client_case(c, args, pieces, k, 1, KEEP_OPEN, 0, body, nbody, NULL)) {
		static const struct http_piece lower[] = {
			HTTP_PIECE("HTTP/1.1 200 OK\r\ncontent-length: 10\r\n\r\n0123456789"),
		};
		/* An empty body on a connection the server keeps open: done at once. */
		static const struct http_piece empty[] = {
			HTTP_PIECE("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 0\r\n\r\n"),
		};
		if (client_case(c, args, lower, 1, 0, KEEP_OPEN, 0, "0123456789", 10, NULL))
			client_case(c, args, empty, 1, 0, KEEP_OPEN, 0, "", 0, NULL);
	}
	free(body);
}

/* The trailer section comes TRAILER_MS after the last chunk: the client reads it before it
 * closes, so its FIN follows the trailers and it sends no RST. */
static void late_trailers(struct ctx *c, const char *const *args)
{
	static const struct http_piece late[] = {
		HTTP_PIECE("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n"),
		HTTP_PIECE("X-Late: trailer\r\n\r\n"),
	};

	ctx_log(c, "last case: the trailer section %d ms after the last chunk", TRAILER_MS);
	if (!client_case(c, args, late, 2, TRAILER_MS, KEEP_OPEN, 0, "hello", 5, NULL))
		return;
	const struct flow_set *fs = ctx_flows(c);
	size_t n = fs ? flow_tcp_count(fs, ctx_port(c, 0)) : 0;
	const struct flow_tcp *f = n ? flow_tcp_nth(fs, ctx_port(c, 0), n - 1) : NULL;
	if (!f)
		return;
	const struct flow_half *cl = &f->half[FLOW_C2S], *sv = &f->half[FLOW_S2C];
	if (cl->fin && !cl->rst && cl->fin_ns >= sv->last_data_ns)
		return;
	if (cl->fin && cl->fin_ns < sv->last_data_ns)
		ctx_fail(c, "expected: http_client reads the trailer section (up to its empty line) "
			 "before it closes\n   seen: its FIN %.0f ms before the trailers arrived%s",
			 (sv->last_data_ns - cl->fin_ns) / 1e6, cl->rst ? ", then a RST for them" : "");
	else
		ctx_expect_fin(c, f, FLOW_C2S, "client");
	ctx_ladder_tcp(c, f);
}

void check_http_client_chunked(struct ctx *c)
{
	char url[160];
	size_t nbig = 8192;
	struct peer_buf resp = { 0 }, want = { 0 };
	uint8_t *big = ctx_pattern(nbig, 0x5eed0405, true);
	struct http_piece pieces[200];
	static const char alpha[] = "abcdefghijklmnopqrstuvwxyz";
	static const char thirty1[] = "0123456789012345678901234567890";

	if (!big)
		return;
	for (size_t i = 0; i < nbig; i++)
		big[i] = (uint8_t)('A' + big[i] % 26);
	static const char *const before[] = {
		"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nTransfer-Encoding: chunked\r\n\r\n",
		"1;ext=1\r\n!\r\n", "1F\r\n", thirty1, "\r\n1a;note=ignored;q=\"a b\"\r\n", alpha,
		"\r\n2000\r\n",
	};
	for (size_t i = 0; i < sizeof before / sizeof *before; i++)
		peer_buf_append(&resp, before[i], strlen(before[i]));
	size_t head = resp.len;
	peer_buf_append(&resp, big, nbig);
	static const char after[] = "\r\n3\r\nend\r\n0\r\nExpires: never\r\nX-Trailer: 1\r\n\r\n";
	peer_buf_append(&resp, after, sizeof after - 1);
	peer_buf_append(&want, "!", 1);
	peer_buf_append(&want, thirty1, 31);
	peer_buf_append(&want, alpha, 26);
	peer_buf_append(&want, big, nbig);
	peer_buf_append(&want, "end", 3);
	url_of(c, "127.0.0.1", "/chunked", url, sizeof url);
	const char *args[] = { url, NULL };
	/* Pieces of 7 bytes split every size line and every CRLF somewhere; then one piece. */
	size_t k = http_cut(resp.data, head, 7, pieces, 200);
	pieces[k].data = resp.data + head;
	pieces[k++].len = resp.len - head;
	ctx_log(c, "chunks of 1, 0x1F, 0x1a and 0x2000 bytes, extensions, two trailers; the first "
		"%zu bytes in 7-byte segments", head);
	if (client_case(c, args, pieces, k, 1, KEEP_OPEN, 0, want.data, want.len, NULL)) {
		static const struct http_piece lower[] = {
			HTTP_PIECE("HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n"
			     "a\r\n0123456789\r\nA;x\r\nabcdefghij\r\n0\r\n\r\n"),
		};
		if (client_case(c, args, lower, 1, 0, KEEP_OPEN, 0, "0123456789abcdefghij", 20, NULL))
			late_trailers(c, args);
	}
	peer_buf_free(&resp);
	peer_buf_free(&want);
	free(big);
}

void check_http_client_close(struct ctx *c)
{
	char url[160];
	size_t n = 20000;
	uint8_t *body = ctx_pattern(n, 0x5eed0406, true);
	struct http_piece pieces[8];
	static const char head10[] = "HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\n";
	static const char head11[] = "HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n";

	if (!body)
		return;
	url_of(c, "127.0.0.1", "/stream", url, sizeof url);
	const char *args[] = { url, NULL };
	pieces[0] = (struct http_piece){ head10, sizeof head10 - 1 };
	pieces[1] = (struct http_piece){ "no length: ", 11 };
	pieces[2] = (struct http_piece){ "this body ends ", 15 };
	pieces[3] = (struct http_piece){ "when the server closes\n", 23 };
	if (client_case(c, args, pieces, 4, 20, CLOSE_AFTER, 0,
			"no length: this body ends when the server closes\n", 49, NULL)) {
		pieces[0] = (struct http_piece){ head11, sizeof head11 - 1 };
		size_t k = 1 + http_cut(body, n, 5000, pieces + 1, 7);
		client_case(c, args, pieces, k, 10, CLOSE_AFTER, 0, body, n, NULL);
	}
	free(body);
}

void check_http_client_continue(struct ctx *c)
{
	char url[160];
	static const struct http_piece one[] = {
		HTTP_PIECE("HTTP/1.1 100 Continue\r\n\r\n"),
		HTTP_PIECE("HTTP/1.1 200 OK\r\nContent-Length: 6\r\n\r\nfinal\n"),
	};
	static const char final[] = "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n"
				    "Content-Length: 3\r\n\r\nok\n";
	static const struct http_piece two[] = {
		HTTP_PIECE("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\n"
		     "Link: </style.css>; rel=preload\r\n\r\n"),
		HTTP_PIECE("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 3\r\n\r\nok\n"),
	};

	url_of(c, "127.0.0.1", "/", url, sizeof url);
	const char *args[] = { url, NULL }, *iargs[] = { "-i", url, NULL };
	if (client_case(c, args, one, 2, 20, KEEP_OPEN, 0, "final\n", 6, NULL))
		client_case(c, iargs, two, 2, 20, KEEP_OPEN, 0, final, sizeof final - 1, NULL);
}

void check_http_client_status(struct ctx *c)
{
	static const struct {
		const char *resp, *body;
		int code;
	} cases[] = {
		{ "HTTP/1.1 404 Not Found\r\nContent-Type: text/html\r\nContent-Length: 14\r\n\r\n"
		  "<h1>gone</h1>\n", "<h1>gone</h1>\n", 3 },
		{ "HTTP/1.1 500 Internal Server Error\r\nContent-Length: 5\r\n\r\noops\n", "oops\n", 3 },
		{ "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nfine\n", "fine\n", 0 },
		{ "HTTP/1.1 301 Moved Permanently\r\nLocation: /new\r\nContent-Length: 6\r\n\r\n"
		  "moved\n", "moved\n", 0 },
		{ "HTTP/1.1 204 No Content\r\nX-Note: no body follows\r\n\r\n", "", 0 },
		{ "HTTP/1.1 304 Not Modified\r\nContent-Length: 10\r\n\r\n", "", 0 },
		/* The reason phrase may be empty, with or without the space before it. */
		{ "HTTP/1.1 200 \r\nContent-Length: 8\r\n\r\nreason \n", "reason \n", 0 },
		{ "HTTP/1.1 200\r\nContent-Length: 9\r\n\r\nreason 0\n", "reason 0\n", 0 },
	};
	char url[160];

	url_of(c, "127.0.0.1", "/status", url, sizeof url);
	const char *args[] = { url, NULL };
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		struct http_piece p = { cases[i].resp, strlen(cases[i].resp) };
		if (!client_case(c, args, &p, 1, 0, KEEP_OPEN, cases[i].code, cases[i].body,
				 strlen(cases[i].body), NULL)) {
			char sl[128];
			ctx_fail(c, "(the response was %s)", lab04_first_line(cases[i].resp,
									strlen(cases[i].resp), sl, sizeof sl));
			return;
		}
	}
}

void check_http_client_include(struct ctx *c)
{
	static const char resp[] = "HTTP/1.1 200 OK\r\nServer: scripted\r\nX-Odd:   spaced  value \r\n"
				   "content-type: text/plain\r\nX-Empty:\r\nContent-Length: 6\r\n\r\n"
				   "hello\n";
	char url[160];
	struct http_piece pieces[4];

	url_of(c, "127.0.0.1", "/", url, sizeof url);
	const char *args[] = { "-i", url, NULL };
	size_t k = http_cut(resp, sizeof resp - 1, 40, pieces, 4);
	client_case(c, args, pieces, k, 5, KEEP_OPEN, 0, resp, sizeof resp - 1, NULL);
}

void check_http_client_output(struct ctx *c)
{
	static const char resp[] = "HTTP/1.1 200 OK\r\nContent-Length: 12\r\n\r\nnew content\n";
	char url[160], path[512];
	struct http_piece p = { resp, sizeof resp - 1 };
	static const char old[] = "old content that is longer than the new one and must go\n";

	/* An older, longer file the client must truncate; the program may write it. */
	if (!ctx_write_file(c, "out.txt", old, sizeof old - 1, path, sizeof path))
		return;
	if (c->sb->root && chown(path, c->sb->run_uid, c->sb->run_gid) < 0) {
		ctx_error(c, "chown %s: %s", path, strerror(errno));
		return;
	}
	url_of(c, "127.0.0.1", "/file", url, sizeof url);
	const char *args[] = { "-o", "out.txt", url, NULL };
	if (!client_case(c, args, &p, 1, 0, KEEP_OPEN, 0, "", 0, NULL))
		return;
	size_t n;
	char *got = proc_read_file(path, 1 << 20, &n);
	if (!got)
		ctx_fail(c, "expected: `http_client -o out.txt %s` writes the body to out.txt\n"
			 "   seen: no such file", url);
	else if (!ctx_expect_bytes(c, "in out.txt (created or truncated)", "new content\n", 12,
				   got, n))
		ctx_ladder_last(c, ctx_port(c, 0));
	free(got);
	if (ctx_failed(c))
		return;
	/* -i with -o: the head goes where the body goes, into the file. */
	const char *iargs[] = { "-i", "-o", "head.txt", url, NULL };
	if (!client_case(c, iargs, &p, 1, 0, KEEP_OPEN, 0, "", 0, NULL))
		return;
	got = proc_read_file(ctx_path(c, "head.txt", path, sizeof path), 1 << 20, &n);
	if (!got)
		ctx_fail(c, "expected: `http_client -i -o head.txt %s` writes the head and the body "
			 "to head.txt\n   seen: no such file", url);
	else if (!ctx_expect_bytes(c, "in head.txt (-i with -o: the head, then the body)", resp,
				   sizeof resp - 1, got, n))
		ctx_ladder_last(c, ctx_port(c, 0));
	free(got);
}

void check_http_client_binary(struct ctx *c)
{
	size_t n = 65536;
	uint8_t *body = ctx_pattern(n, 0x5eed0407, true);
	char head[128], url[160];
	struct http_piece pieces[5];

	if (!body)
		return;
	snprintf(head, sizeof head, "HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\n"
		 "Content-Length: %zu\r\n\r\n", n);
	ctx_log(c, "body: 64 KiB, bytes 0..255 then xorshift32 seed %#x", 0x5eed0407);
	/* The head, then the body in four segments, 2 ms apart. */
	pieces[0] = (struct http_piece){ head, strlen(head) };
	size_t k = 1 + http_cut(body, n, n / 4, pieces + 1, 4);
	url_of(c, "127.0.0.1", "/blob.bin", url, sizeof url);
	const char *args[] = { url, NULL };
	client_case(c, args, pieces, k, 2, KEEP_OPEN, 0, body, n, NULL);
	free(body);
}

void check_http_client_malformed(struct ctx *c)
{
	static const struct { const char *resp, *what; } cases[] = {
		{ "HTTP/1.1 2OO OK\r\nContent-Length: 0\r\n\r\n", "a status code that is not digits" },
		{ "HTTP/1.1 999 Odd\r\nContent-Length: 0\r\n\r\n", "status code 999 (outside 100..599)" },
		{ "SMTP 220 ready\r\n\r\n", "a status line that is not HTTP" },
		{ "HTTP/1.1 200 OK\r\nContent-Length 5\r\n\r\nhello", "a header line without a colon" },
		{ "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nhello\r\n0\r\n\r\n",
		  "a chunk size that is not hex" },
		{ "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nonly ten..", "a body cut short "
		  "(Content-Length 100, 10 bytes, then the server closed)" },
		{ "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n",
		  "a chunked body without its last chunk (the server closed)" },
	};
	char url[160], cmd[300];

	url_of(c, "127.0.0.1", "/bad", url, sizeof url);
	const char *args[] = { url, NULL };
	ctx_command("http_client", args, cmd, sizeof cmd);
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		struct http_piece p = { cases[i].resp, strlen(cases[i].resp) };
		struct peer_buf req;
		char what[700];
		struct proc *pr = client_run(c, args, &p, 1, 0, CLOSE_AFTER, &req);
		peer_buf_free(&req);
		snprintf(what, sizeof what, "`%s` given %s", cmd, cases[i].what);
		if (!pr || !ctx_expect_error_line(c, pr, what)) {
			ctx_ladder_last(c, ctx_port(c, 0));
			return;
		}
	}
}

void check_http_client_addrs(struct ctx *c)
{
	char url[160];
	int fam = ctx_localhost_second_family();

	if (!fam) {
		ctx_log(c, "\"localhost\" has one address here: the fallback case was not run");
		return;
	}
	url_of(c, "localhost", "/a.txt", url, sizeof url);
	const char *args[] = { url, NULL };
	/* Listen only where getaddrinfo's second answer points: the first one is refused. */
	struct peer_buf req;
	struct proc *p = client_run_on(c, ctx_loopback(fam), args, OK_RESPONSE, 1, 0, KEEP_OPEN,
				       &req);
	peer_buf_free(&req);
	if (!p || !client_expect(c, p, args, 0, "ok\n", 3)) {
		ctx_fail(c, "(the grader's server listened on %s only, the second address of "
			 "\"localhost\"; the first was refused)", ctx_loopback(fam));
		ctx_ladder_last(c, ctx_port(c, 0));
	}
}

void check_http_client_errors(struct ctx *c)
{
	ctx_check_url_client_errors(c, "http_client", "http");
}

void check_http_client_timeout(struct ctx *c)
{
	char url[160];

	url_of(c, "127.0.0.1", "/slow", url, sizeof url);
	const char *argv[] = { "http_client", url, NULL };
	ctx_check_client_timeout(c, argv, "\r\n\r\n", 5, 10);
}

