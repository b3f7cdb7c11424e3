/* server.c - checks of http_server: curl and the grader's raw requests, each on a connection
 * of its own unless the rule is about connections. */
#include "lab04.h"

static const char INDEX_HTML[] =
	"<!DOCTYPE html>\n<html><head><title>wirelab</title></head>\n"
	"<body><h1>It works</h1><p>lab 04 document root</p></body></html>\n";
static const char DOCS_HTML[] =
	"<!DOCTYPE html>\n<html><head><title>docs</title></head><body>docs index</body></html>\n";
static const char A_TXT[] = "alpha: the first file of the document root\n";
static const char B_TXT[] = "bravo: a second file, a little longer than the first one\n";
static const char SPACE_TXT[] = "a name with a space in it\n";
static const char STYLE_CSS[] = "body { font-family: sans-serif; }\n";

/* The first line of a request, escaped, for messages: "\"GET /a.txt HTTP/1.1\"". */
const char *lab04_first_line(const void *req, size_t n, char *buf, size_t bufsz)
{
	const char *p = req, *cr = memchr(p, '\r', n);
	size_t l = cr ? (size_t)(cr - p) : n;

	return esc_bytes(p, l, 72, buf, bufsz);
}

static bool contains(const uint8_t *hay, size_t n, const char *needle)
{
	size_t k = strlen(needle);

	for (size_t i = 0; k && i + k <= n; i++)
		if (hay[i] == (uint8_t)needle[0] && memcmp(hay + i, needle, k) == 0)
			return true;
	return false;
}

/* ---- the document root ---------------------------------------------------------------- */

static bool put(struct ctx *c, const char *name, const void *data, size_t n)
{
	char path[512];

	return ctx_write_file(c, name, data, n, path, sizeof path) != NULL;
}

static bool puts_file(struct ctx *c, const char *name, const char *text)
{
	return put(c, name, text, strlen(text));
}

/* The secret that must never leave the server: outside DOCROOT, readable by the server. */
static void secret_text(struct ctx *c, char *buf, size_t bufsz)
{
	snprintf(buf, bufsz, "wirelab-secret-%u-%s", ctx_port(c, 0), c->tmpdir);
}

/* www/ with index.html, a.txt, b.txt, "with space.txt", style.css, docs/index.html, an
 * empty directory, a file no one may read (mode 000); secret.txt and www-private/secret.txt
 * beside it, outside the document root. */
static bool make_docroot(struct ctx *c)
{
	char secret[600], path[512];

	secret_text(c, secret, sizeof secret);
	if (!ctx_mkdir(c, "www", false) || !ctx_mkdir(c, "www/docs", false) ||
	    !ctx_mkdir(c, "www/empty", false) || !ctx_mkdir(c, "www-private", false) ||
	    !puts_file(c, "www/index.html", INDEX_HTML) || !puts_file(c, "www/a.txt", A_TXT) ||
	    !puts_file(c, "www/b.txt", B_TXT) || !puts_file(c, "www/with space.txt", SPACE_TXT) ||
	    !puts_file(c, "www/style.css", STYLE_CSS) ||
	    !puts_file(c, "www/docs/index.html", DOCS_HTML) ||
	    !puts_file(c, "www/private.txt", "nobody may read this\n") ||
	    !puts_file(c, "secret.txt", secret) || !puts_file(c, "www-private/secret.txt", secret))
		return false;
	if (chmod(ctx_path(c, "www/private.txt", path, sizeof path), 0) < 0) {
		ctx_error(c, "chmod %s: %s", path, strerror(errno));
		return false;
	}
	return true;
}

/* Whether the programs will be refused a mode-000 file: they run as nobody when the grader
 * is root; otherwise they have the grader's own rights, which may include reading it. */
static bool unreadable_works(struct ctx *c)
{
	char path[512];

	if (c->sb->root)
		return true;
	int fd = open(ctx_path(c, "www/private.txt", path, sizeof path),
		      O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return true;
	close(fd);
	ctx_log(c, "the programs could read a mode 000 file here (not root, no uid to drop to): "
		"the 403 case was not run");
	return false;
}

static struct proc *start_server(struct ctx *c)
{
	char port[8], root[512];

	if (!make_docroot(c))
		return NULL;
	ctx_path(c, "www", root, sizeof root);
	return ctx_server(c, NETSTAT_TCP, ctx_port(c, 0), "http_server", ctx_port_str(c, 0, port,
			  sizeof port), root, NULL);
}

/* ---- conversations with http_server ----------------------------------------------------- */

/* A connection to http_server over addr (httppeer's client); false after a failure. */
static bool conv_open(struct ctx *c, struct httpc *v, const char *addr)
{
	char why[256];

	if (httpc_open(v, addr, ctx_port(c, 0), IO_MS, why, sizeof why) == 0)
		return true;
	if (strchr(addr, ':'))
		ctx_hint(c, HINT_ADDR);
	ctx_fail(c, "expected: http_server accepts a connection on %s port %u\n   seen: %s",
		 addr, ctx_port(c, 0), why);
	return false;
}

static bool conv_send(struct ctx *c, struct httpc *v, const void *req, size_t n)
{
	char l[128];
	int rc = httpc_send(v, req, n, IO_MS);

	if (rc == 0)
		return true;
	ctx_fail(c, "expected: http_server reads the request %s\n   seen: sending it failed: %s",
		 lab04_first_line(req, n, l, sizeof l), rc == -ETIMEDOUT ? "the server stopped reading"
								   : peer_strerror(rc));
	return false;
}

/* What every response of the contract has: HTTP/1.1, Content-Type, Content-Length. */
static bool response_rules(struct ctx *c, const struct httpmsg *m, const char *what)
{
	char sl[200];

	esc_bytes(m->start_line, m->start_line_len, 80, sl, sizeof sl);
	if (m->major != 1 || m->minor != 1 || m->reason_len == 0) {
		ctx_fail(c, "expected: a status line \"HTTP/1.1 <code> <reason>\" in answer to %s\n"
			 "   seen: %s", what, sl);
		return false;
	}
	if (httpmsg_count(m, "Content-Length") == 0) {
		ctx_fail(c, "expected: a Content-Length header in the response to %s (the server "
			 "always says how long its body is)\n   seen: %s without one", what, sl);
		return false;
	}
	if (httpmsg_count(m, "Content-Type") == 0) {
		ctx_fail(c, "expected: a Content-Type header in the response to %s\n   seen: %s "
			 "without one", what, sl);
		return false;
	}
	return true;
}

/* Read the next response on v (to a HEAD request when head); m then points into v->in.
 * Judges the framing and the rules every response follows; false after a failure. */
static bool conv_response(struct ctx *c, struct httpc *v, const char *what, bool head,
			  struct httpmsg *m)
{
	char why[200], esc[200];
	enum httpc_got got = httpc_response(v, head ? HTTPMSG_HEAD : 0, m, IO_MS, why, sizeof why);
	const uint8_t *p = v->in.data + v->used;
	size_t n = v->in.len - v->used;

	switch (got) {
	case HTTPC_DONE:
		return response_rules(c, m, what);
	case HTTPC_BAD:
		ctx_fail(c, "expected: an HTTP/1.1 response to %s\n   seen: %s in %s%s", what, why,
			 esc_bytes(p, n, 120, esc, sizeof esc),
			 v->used ? " (these bytes came after the previous response: more body "
				   "bytes than its Content-Length said?)" : "");
		break;
	case HTTPC_ENDED:
		if (v->err == -ECONNRESET)
			ctx_hint(c, HINT_RST);
		ctx_fail(c, "expected: a complete response to %s\n   seen: the server %s after %s",
			 what, v->eof ? "closed the connection (FIN)" : "reset the connection",
			 n == 0 ? "sending nothing"
			 : m->head_len ? "a head and fewer body bytes than its Content-Length"
			 : esc_bytes(p, n, 120, esc, sizeof esc));
		break;
	case HTTPC_SLOW:
		if (m->head_len)
			ctx_fail(c, "expected: a complete response to %s\n   seen: after %.1f s, "
				 "Content-Length %llu and only %zu body bytes",
				 what, IO_MS / 1000.0, (unsigned long long)m->content_length,
				 n - m->head_len);
		else
			ctx_fail(c, "expected: a response to %s within %.1f s\n   seen: %s", what,
				 IO_MS / 1000.0, n ? esc_bytes(p, n, 120, esc, sizeof esc)
						   : "nothing at all");
		break;
	}
	return false;
}

/* Nothing more arrives for QUIET_MS after the last response (no body bytes beyond
 * Content-Length, no body for HEAD). A close is noted, not judged. */
static bool conv_quiet(struct ctx *c, struct httpc *v, const char *what)
{
	char esc[200];

	httpc_read_for(v, QUIET_MS);
	if (v->in.len == v->used)
		return true;
	ctx_fail(c, "expected: nothing after the response to %s\n   seen: %zu more bytes: %s", what,
		 v->in.len - v->used, esc_bytes(v->in.data + v->used, v->in.len - v->used, 80, esc,
						sizeof esc));
	return false;
}

/* The connection stays open after the response to what. */
static bool conv_still_open(struct ctx *c, struct httpc *v, const char *what)
{
	if (!conv_quiet(c, v, what))
		return false;
	if (!v->eof && !v->err)
		return true;
	ctx_fail(c, "expected: the connection stays open after the response to %s\n   seen: the "
		 "server %s it", what, v->eof ? "closed (FIN)" : "reset");
	return false;
}

/* Send req on a new connection over addr and read one response into m (v stays open:
 * the caller closes it). */
static bool ask(struct ctx *c, struct httpc *v, const char *addr, const char *req, bool head,
		struct httpmsg *m)
{
	char what[128];

	lab04_first_line(req, strlen(req), what, sizeof what);
	return conv_open(c, v, addr) && conv_send(c, v, req, strlen(req)) &&
	       conv_response(c, v, what, head, m);
}

static bool expect_status(struct ctx *c, const struct httpmsg *m, int code, const char *what)
{
	char sl[200];

	if (m->status == code)
		return true;
	ctx_fail(c, "expected: status %d in answer to %s\n   seen: %s", code, what,
		 esc_bytes(m->start_line, m->start_line_len, 80, sl, sizeof sl));
	return false;
}

static bool expect_body(struct ctx *c, const struct httpmsg *m, const void *want, size_t n,
			const char *what)
{
	char label[200];

	snprintf(label, sizeof label, "body of the response to %s", what);
	return ctx_expect_bytes(c, label, want, n, m->body, (size_t)m->decoded_len);
}

/* GET path (a fresh connection, no Connection header) answered 200 with body want. */
static bool get_file(struct ctx *c, const char *addr, const char *path, const void *want,
		     size_t n)
{
	char req[512], what[128];
	struct httpc v = { .fd = -1 };
	struct httpmsg m;

	snprintf(req, sizeof req, "GET %s HTTP/1.1\r\nHost: 127.0.0.1:%u\r\n\r\n", path,
		 ctx_port(c, 0));
	lab04_first_line(req, strlen(req), what, sizeof what);
	bool ok = ask(c, &v, addr, req, false, &m) && expect_status(c, &m, 200, what) &&
		  expect_body(c, &m, want, n, what) && conv_quiet(c, &v, what);
	httpc_close(&v);
	return ok;
}

/* A value of field name as a string (empty when absent). */
static const char *field(const struct httpmsg *m, const char *name, char *buf, size_t bufsz)
{
	const struct httpmsg_field *f = httpmsg_header(m, name, 0);

	snprintf(buf, bufsz, "%.*s", f ? (int)f->value_len : 0, f ? f->value : "");
	return buf;
}

/* ---- the wire --------------------------------------------------------------------------- */

/* The server's stream of connection idx on the wire is exactly n complete responses (to
 * HEAD where heads[i]), nothing before, between or after them; with need_fin it ends with
 * the server's FIN after the last byte and no RST. */
static bool wire_responses(struct ctx *c, size_t idx, const bool *heads, size_t n, bool need_fin,
			   const char *what)
{
	const struct flow_tcp *f = ctx_tcp_nth(c, ctx_port(c, 0), idx, "connection %zu (%s)",
					       idx + 1, what);
	char why[200], esc[200];

	if (!f)
		return false;
	const struct flow_half *s = &f->half[FLOW_S2C];
	if (s->hole) {
		ctx_error(c, "the capture has a gap in the server's byte stream (a grader fault)");
		return false;
	}
	size_t off = 0;
	bool ok = true;
	for (size_t i = 0; i < n && ok; i++) {
		struct httpmsg m;
		ssize_t r = httpmsg_parse(s->data + off, s->len - off,
					  (heads && heads[i] ? HTTPMSG_HEAD : 0) | HTTPMSG_EOF, &m, why,
					  sizeof why);
		if (r <= 0) {
			ctx_fail(c, "expected on the wire (%s): %zu complete responses\n   seen: response "
				 "%zu at stream byte %zu: %s", what, n, i + 1, off,
				 r == HTTPMSG_BAD ? why : "incomplete");
			ok = false;
		} else if (m.framing == HTTPMSG_CLOSE) {
			ctx_fail(c, "expected on the wire (%s): every response framed by Content-Length\n"
				 "   seen: response %zu without one", what, i + 1);
			ok = false;
		} else {
			off += (size_t)r;
		}
	}
	if (ok && off != s->len) {
		ctx_fail(c, "expected on the wire (%s): nothing after the %zu response(s), whose "
			 "Content-Length headers say where they end\n   seen: %zu more bytes: %s",
			 what, n, s->len - off, esc_bytes(s->data + off, s->len - off, 60, esc,
							  sizeof esc));
		ok = false;
	}
	if (ok && need_fin) {
		ok = ctx_expect_fin(c, f, FLOW_S2C, "server");
		if (ok && s->fin_off != s->len) {
			ctx_fail(c, "expected: the server's FIN right after its last response byte\n"
				 "   seen: FIN at stream offset %llu of %zu",
				 (unsigned long long)s->fin_off, s->len);
			ok = false;
		}
	}
	if (!ok)
		ctx_ladder_tcp(c, f);
	return ok;
}

/* No byte of the secret file (or of /etc/passwd) in anything the server sent. */
static bool wire_no_secret(struct ctx *c)
{
	const struct flow_set *fs = ctx_flows(c);
	char secret[600];

	if (!fs)
		return false;
	secret_text(c, secret, sizeof secret);
	for (size_t i = 0; i < flow_tcp_count(fs, ctx_port(c, 0)); i++) {
		const struct flow_tcp *f = flow_tcp_nth(fs, ctx_port(c, 0), i);
		const struct flow_half *s = &f->half[FLOW_S2C];
		const char *leak = contains(s->data, s->len, secret) ? "secret.txt"
				   : contains(s->data, s->len, "root:x:0:0:") ? "/etc/passwd" : NULL;
		if (leak) {
			char l[128];
			ctx_fail(c, "expected: nothing from outside DOCROOT\n   seen: the server sent the "
				 "contents of %s on connection %zu (request %s)", leak, i + 1,
				 lab04_first_line(f->half[FLOW_C2S].data, f->half[FLOW_C2S].len, l, sizeof l));
			ctx_ladder_tcp(c, f);
			return false;
		}
	}
	return true;
}

/* ---- server checks ---------------------------------------------------------------------- */

void check_http_server_usage(struct ctx *c)
{
	char port[8], www[512], file[512];

	if (!make_docroot(c))
		return;
	ctx_port_str(c, 0, port, sizeof port);
	ctx_path(c, "www", www, sizeof www);
	ctx_path(c, "www/a.txt", file, sizeof file);
	if (!ctx_expect_usage(c, "http_server", NULL) ||
	    !ctx_expect_usage(c, "http_server", port, NULL) ||
	    !ctx_expect_usage(c, "http_server", port, www, "extra", NULL) ||
	    !ctx_expect_usage(c, "http_server", "0", www, NULL) ||
	    !ctx_expect_usage(c, "http_server", "65536", www, NULL) ||
	    !ctx_expect_usage(c, "http_server", "80x", www, NULL))
		return;
	struct proc *p = ctx_start(c, NULL, "http_server", port, file, NULL);
	if (p && ctx_wait(c, p, 2000))
		ctx_expect_error_line(c, p, "a DOCROOT that is a file, not a directory");
	if (!ctx_failed(c)) {
		p = ctx_start(c, NULL, "http_server", port, "no-such-directory", NULL);
		if (p && ctx_wait(c, p, 2000))
			ctx_expect_error_line(c, p, "a DOCROOT that does not exist");
	}
	/* The port taken by the grader's own listening socket: bind fails. */
	char why[256];
	int lfd = ctx_failed(c) ? -1 : peer_listen("::", ctx_port(c, 0), SOCK_STREAM, why, sizeof why);
	if (!ctx_failed(c) && lfd < 0) {
		ctx_error(c, "the grader's listening socket: %s", why);
		return;
	}
	if (lfd >= 0) {
		p = ctx_start(c, NULL, "http_server", port, www, NULL);
		if (p && ctx_wait(c, p, 2000))
			ctx_expect_error_line(c, p, "a port another socket listens on (bind fails)");
		close(lfd);
	}
}

void check_http_curl(struct ctx *c)
{
	char u[4][96], port[8];
	static const char *const paths[] = { "/", "/a.txt", "/docs/", "/style.css" };
	const char *bodies[] = { INDEX_HTML, A_TXT, DOCS_HTML, STYLE_CSS };

	if (!start_server(c))
		return;
	ctx_port_str(c, 0, port, sizeof port);
	for (int i = 0; i < 4; i++)
		snprintf(u[i], sizeof u[i], "http://127.0.0.1:%s%s", port, paths[i]);
	const char *argv[] = { "curl", "-sv", "--noproxy", "*", "--max-time", "5", u[0], u[1],
			       u[2], u[3], NULL };
	ctx_log(c, "curl -sv --noproxy '*' --max-time 5 %s %s %s %s", u[0], u[1], u[2], u[3]);
	struct proc *p = ctx_start_tool(c, NULL, argv);
	if (!p || !ctx_wait(c, p, 7000))
		return;
	size_t olen;
	char *out = ctx_stdout(c, p, &olen);
	char want[1024];
	snprintf(want, sizeof want, "%s%s%s%s", bodies[0], bodies[1], bodies[2], bodies[3]);
	bool ok = ctx_expect_exit(c, p, 0) &&
		  ctx_expect_bytes(c, "on curl's stdout (the four bodies, in order)", want,
				   strlen(want), out, olen);
	free(out);
	const struct flow_set *fs = ctx_flows(c);
	if (!fs)
		return;
	size_t n = flow_tcp_count(fs, ctx_port(c, 0));
	if (ok && n != 1) {
		ctx_fail(c, "expected: curl asks for 4 URLs over one connection (one SYN): HTTP/1.1 "
			 "keeps it open\n   seen: %zu connections", n);
		ctx_ladder_tcp(c, flow_tcp_nth(fs, ctx_port(c, 0), 0));
		return;
	}
	if (!ok) {
		ctx_ladder_last(c, ctx_port(c, 0));
		return;
	}
	wire_responses(c, 0, NULL, 4, false, "curl's connection");
}

void check_http_get(struct ctx *c)
{
	if (!start_server(c))
		return;
	if (!get_file(c, "127.0.0.1", "/a.txt", A_TXT, strlen(A_TXT)) ||
	    !get_file(c, "::1", "/b.txt", B_TXT, strlen(B_TXT)) ||
	    !get_file(c, "127.0.0.1", "/docs/index.html", DOCS_HTML, strlen(DOCS_HTML)) ||
	    !get_file(c, "127.0.0.1", "/a.txt?lang=en&next=/b.txt", A_TXT, strlen(A_TXT)) ||
	    !get_file(c, "127.0.0.1", "/with%20space.txt", SPACE_TXT, strlen(SPACE_TXT))) {
		ctx_ladder_last(c, ctx_port(c, 0));
		return;
	}
	for (size_t i = 0; i < 5; i++)
		if (!wire_responses(c, i, NULL, 1, false, "a GET"))
			return;
}

void check_http_content_type(struct ctx *c)
{
	static const struct { const char *name, *type; } files[] = {
		{ "t.html", "text/html; charset=utf-8" }, { "t.htm", "text/html; charset=utf-8" },
		{ "t.txt", "text/plain; charset=utf-8" }, { "t.css", "text/css" },
		{ "t.js", "text/javascript" }, { "t.json", "application/json" },
		{ "t.png", "image/png" }, { "t.jpg", "image/jpeg" }, { "t.jpeg", "image/jpeg" },
		{ "t.gif", "image/gif" }, { "t.svg", "image/svg+xml" },
		{ "notes.v2.txt", "text/plain; charset=utf-8" },
		{ "t.bin", "application/octet-stream" }, { "t.tar.gz", "application/octet-stream" },
		{ "noext", "application/octet-stream" },
		{ "v1.2/readme", "application/octet-stream" },
	};

	if (!make_docroot(c) || !ctx_mkdir(c, "www/types", false) ||
	    !ctx_mkdir(c, "www/types/v1.2", false))
		return;
	for (size_t i = 0; i < sizeof files / sizeof *files; i++) {
		char name[128];
		snprintf(name, sizeof name, "www/types/%s", files[i].name);
		if (!puts_file(c, name, files[i].name))
			return;
	}
	if (!start_server(c))
		return;
	for (size_t i = 0; i < sizeof files / sizeof *files; i++) {
		char req[256], what[128], got[256], a[256], b[256];
		struct httpc v = { .fd = -1 };
		struct httpmsg m;
		snprintf(req, sizeof req, "GET /types/%s HTTP/1.1\r\nHost: x\r\n\r\n", files[i].name);
		lab04_first_line(req, strlen(req), what, sizeof what);
		bool ok = ask(c, &v, "127.0.0.1", req, false, &m) && expect_status(c, &m, 200, what);
		if (ok) {
			/* Compare without spaces and case: "text/html;charset=UTF-8" says the same. */
			field(&m, "Content-Type", got, sizeof got);
			size_t na = 0, nb = 0;
			for (const char *s = got; *s && na + 1 < sizeof a; s++)
				if (*s != ' ' && *s != '\t')
					a[na++] = *s;
			for (const char *s = files[i].type; *s && nb + 1 < sizeof b; s++)
				if (*s != ' ')
					b[nb++] = *s;
			a[na] = b[nb] = '\0';
			if (strcasecmp(a, b) != 0) {
				ctx_fail(c, "expected: Content-Type: %s for %s\n   seen: Content-Type: %s",
					 files[i].type, files[i].name, got);
				ok = false;
			}
		}
		httpc_close(&v);
		if (!ok) {
			ctx_ladder_last(c, ctx_port(c, 0));
			return;
		}
	}
}

/* A directory's index.html is served as HTML: its type comes from the file served, not
 * from the URL (which has no extension). */
static bool index_is_html(struct ctx *c, const char *path)
{
	char req[128], what[128], type[256];
	struct httpc v = { .fd = -1 };
	struct httpmsg m;

	snprintf(req, sizeof req, "GET %s HTTP/1.1\r\nHost: x\r\n\r\n", path);
	lab04_first_line(req, strlen(req), what, sizeof what);
	bool ok = ask(c, &v, "127.0.0.1", req, false, &m) && expect_status(c, &m, 200, what);
	if (ok && strncasecmp(field(&m, "Content-Type", type, sizeof type), "text/html", 9) != 0) {
		ctx_fail(c, "expected: %s serves index.html with Content-Type: text/html; "
			 "charset=utf-8\n   seen: Content-Type: %s", what, type);
		ok = false;
	}
	httpc_close(&v);
	return ok;
}

void check_http_index(struct ctx *c)
{
	struct httpc v = { .fd = -1 };
	struct httpmsg m;

	if (!start_server(c))
		return;
	if (!get_file(c, "127.0.0.1", "/", INDEX_HTML, strlen(INDEX_HTML)) ||
	    !get_file(c, "127.0.0.1", "/docs/", DOCS_HTML, strlen(DOCS_HTML)) ||
	    !index_is_html(c, "/") || !index_is_html(c, "/docs/")) {
		ctx_ladder_last(c, ctx_port(c, 0));
		return;
	}
	bool ok = ask(c, &v, "127.0.0.1", "GET /empty/ HTTP/1.1\r\nHost: x\r\n\r\n", false, &m) &&
		  expect_status(c, &m, 404, "\"GET /empty/ HTTP/1.1\" (a directory without "
				"index.html)");
	httpc_close(&v);
	if (!ok)
		ctx_ladder_last(c, ctx_port(c, 0));
}

/* An error response: the code, an HTML body, Content-Length (checked when it was read). */
static bool error_case(struct ctx *c, const char *req, int code, const char *note)
{
	char what[200], l[128], type[256];
	struct httpc v = { .fd = -1 };
	struct httpmsg m;

	snprintf(what, sizeof what, "%s%s", lab04_first_line(req, strlen(req), l, sizeof l), note);
	bool ok = ask(c, &v, "127.0.0.1", req, false, &m) && expect_status(c, &m, code, what);
	if (ok && (strncasecmp(field(&m, "Content-Type", type, sizeof type), "text/html", 9) != 0 ||
		   m.decoded_len == 0)) {
		ctx_fail(c, "expected: a short HTML body (Content-Type: text/html) with the %d\n"
			 "   seen: Content-Type: %s and %llu body bytes", code, type,
			 (unsigned long long)m.decoded_len);
		ok = false;
	}
	httpc_close(&v);
	if (!ok)
		ctx_ladder_last(c, ctx_port(c, 0));
	return ok;
}

void check_http_not_found(struct ctx *c)
{
	if (!start_server(c))
		return;
	if (!error_case(c, "GET /nope.txt HTTP/1.1\r\nHost: x\r\n\r\n", 404, " (no such file)") ||
	    !error_case(c, "GET /docs/missing/deeper.html HTTP/1.1\r\nHost: x\r\n\r\n", 404,
			" (no such directory)"))
		return;
	if (unreadable_works(c))
		error_case(c, "GET /private.txt HTTP/1.1\r\nHost: x\r\n\r\n", 403,
			   " (a file with mode 000: the server may not read it)");
}

/* Symbolic links inside DOCROOT that lead out of it: to secret.txt, to the sibling folder
 * www-private/ (whose name starts with DOCROOT's), and to the folder above. Only a check
 * of realpath() against DOCROOT's realpath() followed by '/' refuses them. */
static bool links_out(struct ctx *c)
{
	static const char *const links[][2] = {
		{ "../secret.txt", "www/escape.txt" },
		{ "../www-private/secret.txt", "www/sibling.txt" },
		{ "..", "www/up" },
	};
	char path[512];

	for (size_t i = 0; i < sizeof links / sizeof *links; i++) {
		ctx_path(c, links[i][1], path, sizeof path);
		if (symlink(links[i][0], path) < 0 && errno != EEXIST) {
			ctx_error(c, "cannot create the link %s: %s", path, strerror(errno));
			return false;
		}
	}
	return true;
}

void check_http_traversal(struct ctx *c)
{
	static const char *const targets[] = {
		"/../secret.txt", "/../../../../../../../../etc/passwd", "/%2e%2e/secret.txt",
		"/%2E%2E/secret.txt", "/.%2e/secret.txt", "/%2e./secret.txt", "/..%2fsecret.txt",
		"/..%2Fsecret.txt", "/%2e%2e%2fsecret.txt", "/%2E%2e%2F%2e%2E%2F%2e%2e%2F%2E%2E%2F"
		"%2e%2e%2F%2e%2e%2Fetc%2Fpasswd", "/docs/../../secret.txt", "/docs/..%2f..%2fsecret.txt",
		"/docs/%2e%2e/%2e%2e/secret.txt", "/./../secret.txt", "/../www-private/secret.txt",
		"/%2e%2e/www-private/secret.txt", "/..", "/escape.txt", "/sibling.txt",
		"/up/secret.txt", "/up/www-private/secret.txt",
	};
	size_t n = sizeof targets / sizeof *targets;

	if (!make_docroot(c) || !links_out(c) || !start_server(c))
		return;
	ctx_log(c, "DOCROOT is www/; secret.txt and www-private/secret.txt lie beside it; "
		"www/escape.txt -> ../secret.txt, www/sibling.txt -> ../www-private/secret.txt, "
		"www/up -> ..");
	for (size_t i = 0; i < n; i++) {
		char req[512], what[128];
		struct httpc v = { .fd = -1 };
		struct httpmsg m;
		snprintf(req, sizeof req, "GET %s HTTP/1.1\r\nHost: x\r\n\r\n", targets[i]);
		lab04_first_line(req, strlen(req), what, sizeof what);
		bool ok = ask(c, &v, "127.0.0.1", req, false, &m);
		if (ok && m.status != 403 && m.status != 404) {
			char sl[128];
			ctx_fail(c, "expected: 403 or 404 for %s (a path that leaves DOCROOT)\n   seen: %s",
				 what, esc_bytes(m.start_line, m.start_line_len, 60, sl, sizeof sl));
			ok = false;
		}
		httpc_close(&v);
		if (!ok) {
			wire_no_secret(c);
			ctx_ladder_last(c, ctx_port(c, 0));
			return;
		}
	}
	wire_no_secret(c);
}

/* The Allow value lists exactly GET and HEAD (any order). */
static bool allow_ok(const struct httpmsg *m)
{
	const struct httpmsg_field *f = httpmsg_header(m, "Allow", 0);
	int get = 0, head = 0, other = 0;

	if (!f || httpmsg_count(m, "Allow") != 1)
		return false;
	for (size_t i = 0; i < f->value_len;) {
		size_t b = i, e;
		while (i < f->value_len && f->value[i] != ',')
			i++;
		e = i++;
		while (b < e && (f->value[b] == ' ' || f->value[b] == '\t'))
			b++;
		while (e > b && (f->value[e - 1] == ' ' || f->value[e - 1] == '\t'))
			e--;
		if (e - b == 3 && memcmp(f->value + b, "GET", 3) == 0)
			get++;
		else if (e - b == 4 && memcmp(f->value + b, "HEAD", 4) == 0)
			head++;
		else
			other++;
	}
	return get == 1 && head == 1 && other == 0;
}

void check_http_methods(struct ctx *c)
{
	static const char *const std[] = { "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "TRACE",
					   "CONNECT" };
	static const char *const unknown[] = { "BREW", "get", "FETCH" };

	if (!start_server(c))
		return;
	for (size_t i = 0; i < sizeof std / sizeof *std + sizeof unknown / sizeof *unknown; i++) {
		bool is_std = i < sizeof std / sizeof *std;
		const char *meth = is_std ? std[i] : unknown[i - sizeof std / sizeof *std];
		char req[256], what[128], allow[256];
		struct httpc v = { .fd = -1 };
		struct httpmsg m;
		snprintf(req, sizeof req, "%s /a.txt HTTP/1.1\r\nHost: x\r\n\r\n", meth);
		lab04_first_line(req, strlen(req), what, sizeof what);
		bool ok = ask(c, &v, "127.0.0.1", req, false, &m) &&
			  expect_status(c, &m, is_std ? 405 : 501, what);
		if (ok && is_std && !allow_ok(&m)) {
			ctx_fail(c, "expected: Allow: GET, HEAD with the 405 to %s\n   seen: %s", what,
				 httpmsg_count(&m, "Allow") ? field(&m, "Allow", allow, sizeof allow)
							    : "no Allow header");
			ok = false;
		}
		httpc_close(&v);
		if (!ok) {
			if (!is_std)
				ctx_fail(c, "(methods are case-sensitive tokens: anything but the standard "
					 "ones is 501)");
			ctx_ladder_last(c, ctx_port(c, 0));
			return;
		}
	}
}

static int cmp_line(const void *a, const void *b)
{
	return strcmp(a, b);
}

/* "name: value" lines of m without Date, lower-cased names, sorted: for comparing heads. */
static size_t head_lines(const struct httpmsg *m, char lines[][256], size_t max)
{
	size_t n = 0;

	for (size_t i = 0; i < m->nfields && n < max; i++) {
		const struct httpmsg_field *f = &m->fields[i];
		if (f->name_len == 4 && strncasecmp(f->name, "Date", 4) == 0)
			continue;
		int len = snprintf(lines[n], 256, "%.*s: %.*s", (int)f->name_len, f->name,
				   (int)f->value_len, f->value);
		for (int k = 0; k < len && k < 255 && lines[n][k] != ':'; k++)
			lines[n][k] = (char)(lines[n][k] >= 'A' && lines[n][k] <= 'Z'
					     ? lines[n][k] + 32 : lines[n][k]);
		n++;
	}
	qsort(lines, n, 256, cmp_line);
	return n;
}

/* HEAD path and GET path: the same status line and headers, no body after HEAD's head. */
static bool head_case(struct ctx *c, const char *path)
{
	char req[256], what[128], gwhat[128];
	struct httpc hv = { .fd = -1 }, gv = { .fd = -1 };
	struct httpmsg hm, gm;

	snprintf(req, sizeof req, "HEAD %s HTTP/1.1\r\nHost: x\r\n\r\n", path);
	lab04_first_line(req, strlen(req), what, sizeof what);
	bool ok = ask(c, &hv, "127.0.0.1", req, true, &hm);
	if (ok && !conv_quiet(c, &hv, what)) {
		ctx_fail(c, "(a HEAD response is the head alone: its Content-Length tells how long "
			 "GET's body would be, and no body byte follows)");
		ok = false;
	}
	/* Hang up before asking GET (hm still points into hv's buffer). */
	if (hv.fd >= 0)
		close(hv.fd);
	hv.fd = -1;
	snprintf(req, sizeof req, "GET %s HTTP/1.1\r\nHost: x\r\n\r\n", path);
	lab04_first_line(req, strlen(req), gwhat, sizeof gwhat);
	ok = ok && ask(c, &gv, "127.0.0.1", req, false, &gm);
	if (ok && (hm.start_line_len != gm.start_line_len ||
		   memcmp(hm.start_line, gm.start_line, hm.start_line_len) != 0)) {
		char a[128], b[128];
		ctx_fail(c, "expected: HEAD answers with the status line GET gets (%s)\n   seen: %s",
			 esc_bytes(gm.start_line, gm.start_line_len, 60, a, sizeof a),
			 esc_bytes(hm.start_line, hm.start_line_len, 60, b, sizeof b));
		ok = false;
	}
	if (ok) {
		static char hl[HTTPMSG_MAX_HEADERS][256], gl[HTTPMSG_MAX_HEADERS][256];
		size_t nh = head_lines(&hm, hl, HTTPMSG_MAX_HEADERS);
		size_t ng = head_lines(&gm, gl, HTTPMSG_MAX_HEADERS);
		for (size_t i = 0; ok && i < (nh > ng ? nh : ng); i++)
			if (i >= nh || i >= ng || strcmp(hl[i], gl[i]) != 0) {
				char a[300], b[300];
				ctx_fail(c, "expected: HEAD %s gets the headers GET gets (Date aside)\n"
					 "   seen: GET has %s, HEAD has %s", path,
					 i < ng ? esc_bytes(gl[i], strlen(gl[i]), 100, a, sizeof a) : "no more",
					 i < nh ? esc_bytes(hl[i], strlen(hl[i]), 100, b, sizeof b) : "no more");
				ok = false;
			}
	}
	httpc_close(&hv);
	httpc_close(&gv);
	return ok;
}

void check_http_head(struct ctx *c)
{
	if (!start_server(c))
		return;
	if (!head_case(c, "/a.txt") || !head_case(c, "/nope.txt")) {
		ctx_ladder_last(c, ctx_port(c, 0));
		return;
	}
	static const bool head[] = { true };
	if (wire_responses(c, 0, head, 1, false, "HEAD /a.txt"))
		wire_responses(c, 2, head, 1, false, "HEAD /nope.txt");
}

/* A request in two parts that the server must refuse with code and then close: part1, then
 * (once the answer came, or after ANSWER_MS for a server that reads the whole head first)
 * part2, the rest of the request, which the server must read before it closes, so that
 * the close is a FIN, not a RST. Judges the response and the close on the socket; the
 * wire is judged by closing_wire(). */
static bool closing_case(struct ctx *c, const char *part1, size_t n1, const char *part2,
			 int code, const char *note)
{
	char what[200], l[128], esc[200];
	struct httpc v = { .fd = -1 };
	struct httpmsg m;

	snprintf(what, sizeof what, "%s%s", lab04_first_line(part1, n1, l, sizeof l), note);
	if (!conv_open(c, &v, "127.0.0.1"))
		return false;
	bool ok = conv_send(c, &v, part1, n1);
	if (ok)
		httpc_await(&v, ANSWER_MS);
	if (ok && *part2 && !v.eof && !v.err)
		peer_send(v.fd, part2, strlen(part2), IO_MS);  /* a reset shows on the wire */
	if (ok)
		shutdown(v.fd, SHUT_WR);
	ok = ok && conv_response(c, &v, what, false, &m) && expect_status(c, &m, code, what);
	if (ok && !httpmsg_has_token(&m, "Connection", "close")) {
		ctx_fail(c, "expected: Connection: close in the %d response to %s (the server closes "
			 "after it)\n   seen: %s", code, what,
			 httpmsg_count(&m, "Connection") ? field(&m, "Connection", l, sizeof l)
							 : "no Connection header");
		ok = false;
	}
	if (ok)
		httpc_read_for(&v, IO_MS);
	if (ok && v.in.len > v.used) {
		ctx_fail(c, "expected: nothing after the %d response to %s\n   seen: %zu more bytes: %s",
			 code, what, v.in.len - v.used, esc_bytes(v.in.data + v.used, v.in.len - v.used,
								 80, esc, sizeof esc));
		ok = false;
	} else if (ok && !v.eof && !v.err) {
		ctx_fail(c, "expected: the server closes the connection after the %d response to %s\n"
			 "   seen: still open %.1f s later", code, what, IO_MS / 1000.0);
		ok = false;
	}
	httpc_close(&v);
	if (!ok)
		ctx_ladder_last(c, ctx_port(c, 0));
	return ok;
}

/* Each of the first n connections ends with one response, the server's FIN, no RST. */
static void closing_wire(struct ctx *c, size_t n, const char *const *names)
{
	for (size_t i = 0; i < n; i++) {
		char l[128], what[200];
		snprintf(what, sizeof what, "the response to %s", lab04_first_line(names[i], strlen(names[i]),
									     l, sizeof l));
		if (!wire_responses(c, i, NULL, 1, true, what)) {
			ctx_fail(c, "(connection %zu, %s; when the client sends more after the response, "
				 "read it before closing, or the kernel answers it with RST)", i + 1, what);
			return;
		}
	}
}

struct bad_req {
	const char *part1, *part2;
};

static void run_closing(struct ctx *c, const struct bad_req *cases, size_t n, int code)
{
	const char *names[16];

	for (size_t i = 0; i < n && i < 16; i++) {
		names[i] = cases[i].part1;
		if (!closing_case(c, cases[i].part1, strlen(cases[i].part1), cases[i].part2, code, ""))
			return;
	}
	closing_wire(c, n, names);
}

void check_http_bad_request(struct ctx *c)
{
	static const struct bad_req cases[] = {
		{ "GET /a.txt\r\n", "Host: x\r\n\r\n" },
		{ "GET  /a.txt HTTP/1.1\r\n", "Host: x\r\n\r\n" },
		{ "GET /a.txt http/1.1\r\n", "Host: x\r\n\r\n" },
		{ "GET /a.txt HTTP/1.1 extra\r\n", "Host: x\r\n\r\n" },
		{ "GET /a.txt HTTP/1.1\r\nHost: x\r\nAccept */*\r\n", "\r\n" },
		{ "GET /a.txt HTTP/1.1\r\nHost: x\r\nAccept : */*\r\n", "\r\n" },
		{ "GET /a.txt HTTP/1.1\r\nHost: x\r\nAccept: text/plain,\r\n */*\r\n", "\r\n" },
		{ "GET /a.txt HTTP/1.1\r\nHost: x\r\nX-Note: a\x01" "b\r\n", "\r\n" },
		{ "GET /a%zz.txt HTTP/1.1\r\nHost: x\r\n\r\n", "GET /b.txt HTTP/1.1\r\nHost: x\r\n\r\n" },
		{ "GET /a%00.txt HTTP/1.1\r\nHost: x\r\n\r\n", "GET /b.txt HTTP/1.1\r\nHost: x\r\n\r\n" },
	};

	if (start_server(c))
		run_closing(c, cases, sizeof cases / sizeof *cases, 400);
}

void check_http_host(struct ctx *c)
{
	static const struct bad_req cases[] = {
		{ "GET /a.txt HTTP/1.1\r\nAccept: */*\r\n\r\n", "GET /b.txt HTTP/1.1\r\nHost: x\r\n\r\n" },
		{ "GET /a.txt HTTP/1.1\r\nHost: x\r\nHost: y\r\n\r\n",
		  "GET /b.txt HTTP/1.1\r\nHost: x\r\n\r\n" },
	};
	struct httpc v = { .fd = -1 };
	struct httpmsg m;

	if (!start_server(c))
		return;
	for (size_t i = 0; i < 2; i++)
		if (!closing_case(c, cases[i].part1, strlen(cases[i].part1), cases[i].part2, 400,
				  i ? " with two Host lines" : " without Host"))
			return;
	const char *ok10 = "GET /a.txt HTTP/1.0\r\n\r\n", *lower = "GET /a.txt HTTP/1.1\r\nhost: x\r\n\r\n";
	bool ok = ask(c, &v, "127.0.0.1", ok10, false, &m) &&
		  expect_status(c, &m, 200, "\"GET /a.txt HTTP/1.0\" without Host (HTTP/1.0 may omit it)");
	httpc_close(&v);
	ok = ok && ask(c, &v, "127.0.0.1", lower, false, &m) &&
	     expect_status(c, &m, 200, "a request with \"host: x\" (field names ignore case)");
	httpc_close(&v);
	if (!ok)
		ctx_ladder_last(c, ctx_port(c, 0));
}

void check_http_version(struct ctx *c)
{
	static const struct bad_req cases[] = {
		{ "GET /a.txt HTTP/2.0\r\n", "Host: x\r\n\r\n" },
		{ "GET /a.txt HTTP/1.2\r\n", "Host: x\r\n\r\n" },
	};

	if (start_server(c))
		run_closing(c, cases, 2, 505);
}

void check_http_too_long(struct ctx *c)
{
	size_t lline = 9 * 1024, lhead = 20 * 1024;
	char *line = malloc(lline + 64), *head = malloc(lhead + 2048);
	char *ok4 = malloc(4096 + 64), *ok12 = malloc(12 * 1024 + 1024);
	struct httpc v = { .fd = -1 };
	struct httpmsg m;

	if (!line || !head || !ok4 || !ok12 || !start_server(c))
		goto done;
	/* A 9 KiB request line; a 20 KiB header section in 1 KiB lines. */
	size_t n = (size_t)sprintf(line, "GET /");
	memset(line + n, 'a', lline - n - 9);
	sprintf(line + lline - 9, " HTTP/1.1\r\n");
	n = (size_t)sprintf(head, "GET /a.txt HTTP/1.1\r\nHost: x\r\n");
	for (int i = 0; n < lhead; i++) {
		n += (size_t)sprintf(head + n, "X-Fill-%02d: ", i);
		memset(head + n, 'h', 1000);
		n += 1000;
		n += (size_t)sprintf(head + n, "\r\n");
	}
	ctx_log(c, "request line: %zu bytes; header section: %zu bytes", strlen(line) - 2,
		n - strlen("GET /a.txt HTTP/1.1\r\n"));
	if (!closing_case(c, line, strlen(line), "Host: x\r\n\r\n", 414, " (9 KiB long)") ||
	    !closing_case(c, head, n, "\r\n", 431, " with a 20 KiB header section"))
		goto done;
	/* Under the limits: served. */
	n = (size_t)sprintf(ok4, "GET /a.txt?q=");
	memset(ok4 + n, 'q', 4096 - n - 9);
	sprintf(ok4 + 4096 - 9, " HTTP/1.1\r\nHost: x\r\n\r\n");
	bool ok = ask(c, &v, "127.0.0.1", ok4, false, &m) &&
		  expect_status(c, &m, 200, "a 4 KiB request line (under the 8 KiB limit)");
	httpc_close(&v);
	n = (size_t)sprintf(ok12, "GET /a.txt HTTP/1.1\r\nHost: x\r\n");
	for (int i = 0; n < 12 * 1024; i++) {
		n += (size_t)sprintf(ok12 + n, "X-Fill-%02d: ", i);
		memset(ok12 + n, 'h', 500);
		n += 500;
		n += (size_t)sprintf(ok12 + n, "\r\n");
	}
	sprintf(ok12 + n, "\r\n");
	ok = ok && ask(c, &v, "127.0.0.1", ok12, false, &m) &&
	     expect_status(c, &m, 200, "a 12 KiB header section (under the 16 KiB limit)");
	httpc_close(&v);
	if (!ok) {
		ctx_ladder_last(c, ctx_port(c, 0));
		goto done;
	}
	const char *names[] = { line, head };
	closing_wire(c, 2, names);
done:
	free(line);
	free(head);
	free(ok4);
	free(ok12);
}

void check_http_keep_alive(struct ctx *c)
{
	static const struct { const char *req; int code; const char *body; } seq[] = {
		{ "GET /a.txt HTTP/1.1\r\nHost: x\r\n\r\n", 200, A_TXT },
		{ "GET /nope.txt HTTP/1.1\r\nHost: x\r\n\r\n", 404, NULL },
		{ "DELETE /a.txt HTTP/1.1\r\nHost: x\r\n\r\n", 405, NULL },
		{ "BREW /pot HTTP/1.1\r\nHost: x\r\n\r\n", 501, NULL },
		{ "GET /b.txt HTTP/1.1\r\nHost: x\r\n\r\n", 200, B_TXT },
		{ "GET / HTTP/1.1\r\nHost: x\r\n\r\n", 200, INDEX_HTML },
		{ "GET /private.txt HTTP/1.1\r\nHost: x\r\n\r\n", 403, NULL },
		{ "GET /a.txt HTTP/1.1\r\nHost: x\r\n\r\n", 200, A_TXT },
	};
	size_t n = sizeof seq / sizeof *seq;
	struct httpc v = { .fd = -1 };

	if (!start_server(c) || !conv_open(c, &v, "127.0.0.1"))
		return;
	/* The 403 (a file with mode 000) only where the programs are refused it. */
	if (!unreadable_works(c))
		n -= 2;
	bool ok = true;
	for (size_t i = 0; i < n && ok; i++) {
		char what[160], l[128];
		struct httpmsg m;
		snprintf(what, sizeof what, "%s (request %zu on the connection)",
			 lab04_first_line(seq[i].req, strlen(seq[i].req), l, sizeof l), i + 1);
		ok = conv_send(c, &v, seq[i].req, strlen(seq[i].req)) &&
		     conv_response(c, &v, what, false, &m) && expect_status(c, &m, seq[i].code, what) &&
		     (!seq[i].body || expect_body(c, &m, seq[i].body, strlen(seq[i].body), what));
		if (ok && httpmsg_has_token(&m, "Connection", "close")) {
			ctx_fail(c, "expected: no Connection: close in the response to %s (HTTP/1.1 "
				 "keeps the connection open)\n   seen: Connection: close", what);
			ok = false;
		}
		ok = ok && conv_still_open(c, &v, what);
	}
	httpc_close(&v);
	if (!ok) {
		ctx_ladder_last(c, ctx_port(c, 0));
		return;
	}
	const struct flow_set *fs = ctx_flows(c);
	if (fs && flow_tcp_count(fs, ctx_port(c, 0)) != 1)
		ctx_error(c, "the grader opened one connection but the wire shows %zu",
			  flow_tcp_count(fs, ctx_port(c, 0)));
	else if (fs)
		wire_responses(c, 0, NULL, n, false, "the keep-alive connection");
}

void check_http_close(struct ctx *c)
{
	static const struct bad_req closing[] = {
		{ "GET /a.txt HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
		  "GET /b.txt HTTP/1.1\r\nHost: x\r\n\r\n" },
		{ "GET /a.txt HTTP/1.1\r\nHost: x\r\nConnection: Close\r\n\r\n", "" },
		{ "GET /a.txt HTTP/1.0\r\n\r\n", "" },
		{ "GET /a.txt HTTP/1.0\r\nHost: x\r\nUser-Agent: test/1.0\r\n\r\n",
		  "GET /b.txt HTTP/1.0\r\n\r\n" },
	};
	static const char *const notes[] = {
		" with Connection: close, then a pipelined request", " with Connection: Close",
		" without Connection", " without Connection, then another request",
	};
	const char *names[4];
	struct httpc v = { .fd = -1 };
	const char *ka = "GET /a.txt HTTP/1.0\r\nHost: x\r\nConnection: keep-alive\r\n\r\n";

	if (!start_server(c))
		return;
	for (size_t i = 0; i < 4; i++) {
		names[i] = closing[i].part1;
		if (!closing_case(c, closing[i].part1, strlen(closing[i].part1), closing[i].part2,
				  200, notes[i]))
			return;
	}
	/* HTTP/1.0 with keep-alive: open after the response, and a second request works. */
	if (!conv_open(c, &v, "127.0.0.1"))
		return;
	bool ok = true;
	for (int i = 0; i < 2 && ok; i++) {
		struct httpmsg m;
		const char *what = i ? "a second HTTP/1.0 request with Connection: keep-alive"
				     : "\"GET /a.txt HTTP/1.0\" with Connection: keep-alive";
		ok = conv_send(c, &v, ka, strlen(ka)) && conv_response(c, &v, what, false, &m) &&
		     expect_status(c, &m, 200, what) && conv_still_open(c, &v, what);
	}
	httpc_close(&v);
	if (!ok) {
		ctx_ladder_last(c, ctx_port(c, 0));
		return;
	}
	closing_wire(c, 4, names);
}

void check_http_pipelining(struct ctx *c)
{
	static const char reqs[] =
		"GET /a.txt HTTP/1.1\r\nHost: x\r\n\r\n"
		"GET /nope.txt HTTP/1.1\r\nHost: x\r\n\r\n"
		"GET /b.txt HTTP/1.1\r\nHost: x\r\n\r\n";
	static const char *const whats[] = {
		"\"GET /a.txt HTTP/1.1\" (first of three in one segment)",
		"\"GET /nope.txt HTTP/1.1\" (second of three in one segment)",
		"\"GET /b.txt HTTP/1.1\" (third of three in one segment)",
	};
	static const int codes[] = { 200, 404, 200 };
	const char *bodies[] = { A_TXT, NULL, B_TXT };
	struct httpc v = { .fd = -1 };

	if (!start_server(c) || !conv_open(c, &v, "127.0.0.1"))
		return;
	bool ok = conv_send(c, &v, reqs, sizeof reqs - 1);
	for (int i = 0; i < 3 && ok; i++) {
		struct httpmsg m;
		ok = conv_response(c, &v, whats[i], false, &m) &&
		     expect_status(c, &m, codes[i], whats[i]) &&
		     (!bodies[i] || expect_body(c, &m, bodies[i], strlen(bodies[i]), whats[i]));
	}
	ok = ok && conv_quiet(c, &v, whats[2]);
	httpc_close(&v);
	if (!ok) {
		ctx_ladder_last(c, ctx_port(c, 0));
		return;
	}
	const struct flow_set *fs = ctx_flows(c);
	const struct flow_tcp *f = fs ? flow_tcp_nth(fs, ctx_port(c, 0), 0) : NULL;
	if (f && flow_data_segs(f, FLOW_C2S) != 1)
		ctx_error(c, "the grader meant to send the three requests in one segment but the wire "
			  "shows %zu", flow_data_segs(f, FLOW_C2S));
	else if (f)
		wire_responses(c, 0, NULL, 3, false, "three pipelined requests");
}

void check_http_byte_by_byte(struct ctx *c)
{
	static const char req[] = "GET /a.txt HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: */*\r\n\r\n";
	const char *what = "\"GET /a.txt HTTP/1.1\" sent one byte per segment";
	struct httpc v = { .fd = -1 };
	struct httpmsg m;

	if (!start_server(c) || !conv_open(c, &v, "127.0.0.1"))
		return;
	bool ok = true;
	for (size_t i = 0; i < sizeof req - 1 && ok; i++) {
		ok = conv_send(c, &v, &req[i], 1);
		clock_sleep_ms(1);
	}
	ok = ok && conv_response(c, &v, what, false, &m) && expect_status(c, &m, 200, what) &&
	     expect_body(c, &m, A_TXT, strlen(A_TXT), what);
	httpc_close(&v);
	const struct flow_set *fs = ctx_flows(c);
	const struct flow_tcp *f = fs ? flow_tcp_nth(fs, ctx_port(c, 0), 0) : NULL;
	if (!ok)
		ctx_ladder_last(c, ctx_port(c, 0));
	else if (f && flow_data_segs(f, FLOW_C2S) < (sizeof req - 1) / 2)
		ctx_error(c, "the grader meant to send %zu one-byte segments but the wire shows %zu",
			  sizeof req - 1, flow_data_segs(f, FLOW_C2S));
}

void check_http_request_body(struct ctx *c)
{
	static const char small[] =
		"POST /a.txt HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello"
		"GET /b.txt HTTP/1.1\r\nHost: x\r\n\r\n";
	size_t blen = 70000;
	const char *head = "PUT /upload.txt HTTP/1.1\r\nHost: x\r\nContent-Length: 70000\r\n\r\n";
	const char *tail = "GET /a.txt HTTP/1.1\r\nHost: x\r\n\r\n";
	size_t hl = strlen(head), tl = strlen(tail);
	char *big = malloc(hl + blen + tl);
	struct httpc v = { .fd = -1 };
	struct httpmsg m;

	if (!big || !start_server(c)) {
		free(big);
		return;
	}
	/* The big body looks like requests: a server that does not skip it answers them. */
	memcpy(big, head, hl);
	static const char fake[] = "GET /nope.txt HTTP/1.1\r\nHost: x\r\n\r\n";
	for (size_t i = 0; i < blen; i++)
		big[hl + i] = fake[i % (sizeof fake - 1)];
	memcpy(big + hl + blen, tail, tl);
	ctx_log(c, "connection 1: POST with a 5-byte body, then GET /b.txt, in one segment; "
		"connection 2: PUT with a 70000-byte body (request lines inside), then GET /a.txt");
	bool ok = conv_open(c, &v, "127.0.0.1") && conv_send(c, &v, small, sizeof small - 1) &&
		  conv_response(c, &v, "\"POST /a.txt HTTP/1.1\" with a 5-byte body", false, &m) &&
		  expect_status(c, &m, 405, "\"POST /a.txt HTTP/1.1\" with a 5-byte body") &&
		  conv_response(c, &v, "\"GET /b.txt HTTP/1.1\" after the POST and its body", false,
				&m) &&
		  expect_status(c, &m, 200, "\"GET /b.txt HTTP/1.1\" after the POST and its body") &&
		  expect_body(c, &m, B_TXT, strlen(B_TXT), "GET /b.txt after the POST") &&
		  conv_quiet(c, &v, "the GET after the POST");
	httpc_close(&v);
	if (ok) {
		const char *w1 = "\"PUT /upload.txt HTTP/1.1\" with a 70000-byte body";
		const char *w2 = "\"GET /a.txt HTTP/1.1\" after the PUT and its body";
		ok = conv_open(c, &v, "127.0.0.1") && conv_send(c, &v, big, hl + blen + tl) &&
		     conv_response(c, &v, w1, false, &m) && expect_status(c, &m, 405, w1) &&
		     conv_response(c, &v, w2, false, &m) && expect_status(c, &m, 200, w2) &&
		     expect_body(c, &m, A_TXT, strlen(A_TXT), w2) && conv_quiet(c, &v, w2);
		httpc_close(&v);
	}
	if (!ok) {
		ctx_fail(c, "(a body announced by Content-Length must be read and skipped before the "
			 "next request)");
		ctx_ladder_last(c, ctx_port(c, 0));
	}
	free(big);
}

void check_http_binary(struct ctx *c)
{
	uint32_t seed = 0x5eed0401;
	size_t n = MiB;
	uint8_t *data = ctx_pattern(n, seed, true);
	char type[256];

	ctx_log(c, "www/blob.bin: 1 MiB, bytes 0..255 then xorshift32 seed %#x", seed);
	if (data && make_docroot(c) && put(c, "www/blob.bin", data, n) && start_server(c)) {
		struct httpc v = { .fd = -1 };
		struct httpmsg m = { 0 };
		const char *what = "\"GET /blob.bin HTTP/1.1\"";
		bool asked = ask(c, &v, "127.0.0.1", "GET /blob.bin HTTP/1.1\r\nHost: x\r\n\r\n",
				 false, &m);
		if (!asked && m.head_len && v.in.len > v.used + m.head_len) {
			/* An incomplete body: what went wrong with the bytes that came? */
			size_t got = v.in.len - v.used - m.head_len;
			ctx_hint_bytes(c, data, n, v.in.data + v.used + m.head_len, got);
		}
		bool ok = asked && expect_status(c, &m, 200, what) &&
			  expect_body(c, &m, data, n, what) && conv_quiet(c, &v, what);
		if (ok && strcasecmp(field(&m, "Content-Type", type, sizeof type),
				     "application/octet-stream") != 0) {
			ctx_fail(c, "expected: Content-Type: application/octet-stream for blob.bin\n"
				 "   seen: Content-Type: %s", type);
			ok = false;
		}
		httpc_close(&v);
		if (!ok)
			ctx_ladder_last(c, ctx_port(c, 0));
		else
			wire_responses(c, 0, NULL, 1, false, "GET /blob.bin");
	}
	free(data);
}

void check_http_concurrency(struct ctx *c)
{
	struct httpc idle = { .fd = -1 }, half = { .fd = -1 }, b = { .fd = -1 };
	struct httpmsg m;
	const char *what = "\"GET /b.txt HTTP/1.1\" while two other connections sit idle";

	if (!start_server(c))
		return;
	if (!conv_open(c, &idle, "127.0.0.1"))
		return;
	bool ok = conv_open(c, &half, "127.0.0.1");
	ok = ok && conv_send(c, &half, "GET /a.txt HTTP/1.1\r\nHo", 23);
	/* The rest comes only once the server has read this much (its receive queue is
	 * empty), so a server that needs a whole line in one recv() fails every run, however
	 * late it is scheduled. An iterative server never reads it: then go on after IO_MS. */
	if (ok)
		netstat_wait_read(ctx_port(c, 0), peer_local_port(half.fd), IO_MS);
	ok = ok && conv_open(c, &b, "127.0.0.1");
	ok = ok && conv_send(c, &b, "GET /b.txt HTTP/1.1\r\nHost: x\r\n\r\n", 33) &&
	     conv_response(c, &b, what, false, &m) && expect_status(c, &m, 200, what);
	if (ok) {
		const char *w2 = "the rest of \"GET /a.txt HTTP/1.1\" on the connection that waited";
		ok = conv_send(c, &half, "st: x\r\n\r\n", 9) && conv_response(c, &half, w2, false, &m) &&
		     expect_status(c, &m, 200, w2);
	}
	httpc_close(&b);
	httpc_close(&half);
	httpc_close(&idle);
	if (!ok) {
		ctx_fail(c, "(the first connection sent nothing, the second half a request)");
		ctx_ladder_last(c, ctx_port(c, 0));
		return;
	}
	const struct flow_set *fs = ctx_flows(c);
	const struct flow_tcp *f = fs ? flow_tcp_nth(fs, ctx_port(c, 0), 2) : NULL;
	if (!f || !f->half[FLOW_C2S].len || !f->half[FLOW_S2C].first_data_ns) {
		if (fs)
			ctx_error(c, "the third connection is not in the capture");
		return;
	}
	int64_t asked = flow_time_of(f, FLOW_C2S, f->half[FLOW_C2S].len - 1);
	double ms = (f->half[FLOW_S2C].first_data_ns - asked) / 1e6;
	ctx_log(c, "the third connection was answered %.3f ms after its request", ms);
	if (ms > 1000) {
		ctx_fail(c, "expected: the third connection answered at once while two others are "
			 "idle\n   seen: its response came %.0f ms after its request", ms);
		ctx_ladder_tcp(c, f);
	}
}

/* Whether the server closed v while the grader was silent (a look, no wait). */
static bool closed_while_idle(struct ctx *c, struct httpc *v, const char *what, int64_t since_ns)
{
	httpc_read_for(v, 0);
	if (!v->eof && !v->err && v->in.len == v->used)
		return false;
	double idle = (clock_mono_ns() - since_ns) / 1e9;
	if (v->in.len > v->used)
		ctx_fail(c, "expected: nothing from the server on %s while the client is silent\n"
			 "   seen: %zu bytes within %.1f s", what, v->in.len - v->used, idle);
	else
		ctx_fail(c, "expected: %s still open after %.1f s without a byte (the contract: the "
			 "server may close an idle connection after 5 s, never sooner)\n   seen: the "
			 "server %s it", what, idle, v->eof ? "closed (FIN)" : "reset");
	return true;
}

void check_http_idle(struct ctx *c)
{
	const char *req = "GET /a.txt HTTP/1.1\r\nHost: x\r\n\r\n";
	const char *w1 = "a connection that sent nothing", *w2 = "a connection after one response";
	struct httpc quiet = { .fd = -1 }, kept = { .fd = -1 };
	struct httpmsg m;

	if (!start_server(c))
		return;
	bool ok = conv_open(c, &quiet, "127.0.0.1") && conv_open(c, &kept, "127.0.0.1") &&
		  conv_send(c, &kept, req, strlen(req)) &&
		  conv_response(c, &kept, "\"GET /a.txt HTTP/1.1\"", false, &m) &&
		  expect_status(c, &m, 200, "\"GET /a.txt HTTP/1.1\"");
	int64_t since = clock_mono_ns();
	ctx_log(c, "both connections idle for %d ms, then a GET on each", IDLE_OPEN_MS);
	if (ok)
		clock_sleep_ms(IDLE_OPEN_MS);
	ok = ok && !closed_while_idle(c, &quiet, w1, since) && !closed_while_idle(c, &kept, w2, since);
	for (int i = 0; i < 2 && ok; i++) {
		struct httpc *v = i ? &kept : &quiet;
		char what[160];
		snprintf(what, sizeof what, "\"GET /a.txt HTTP/1.1\" on %s, %.1f s idle", i ? w2 : w1,
			 IDLE_OPEN_MS / 1000.0);
		ok = conv_send(c, v, req, strlen(req)) && conv_response(c, v, what, false, &m) &&
		     expect_status(c, &m, 200, what);
	}
	httpc_close(&quiet);
	httpc_close(&kept);
	if (!ok)
		ctx_ladder_last(c, ctx_port(c, 0));
}

/* The server closes first after Connection: close, so its side of that connection sits
 * in TIME_WAIT: a second server on the port binds only with SO_REUSEADDR. */
void check_http_restart(struct ctx *c)
{
	struct proc *p = start_server(c);
	const char *req = "GET /a.txt HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
	char port[8], root[512];
	struct httpc v = { .fd = -1 };
	struct httpmsg m;
	const char *what = "\"GET /a.txt HTTP/1.1\" with Connection: close";

	if (!p || !ask(c, &v, "127.0.0.1", req, false, &m) || !expect_status(c, &m, 200, what)) {
		httpc_close(&v);
		return;
	}
	/* Wait for the server's FIN before closing, so the server is the one in TIME_WAIT. */
	httpc_read_for(&v, IO_MS);
	bool closed = v.eof;
	httpc_close(&v);
	if (!closed) {
		ctx_fail(c, "expected: the server closes the connection with FIN after its response "
			 "to %s\n   seen: %s", what, v.err ? "a reset (RST)" : "still open 2 s later");
		ctx_ladder_last(c, ctx_port(c, 0));
		return;
	}
	ctx_stop(c, p);
	ctx_port_str(c, 0, port, sizeof port);
	ctx_path(c, "www", root, sizeof root);
	if (!ctx_server(c, NETSTAT_TCP, ctx_port(c, 0), "http_server", port, root, NULL)) {
		ctx_fail(c, "(restarted right after serving a client, whose connection is in "
			 "TIME_WAIT: set SO_REUSEADDR before bind)");
		return;
	}
	get_file(c, "127.0.0.1", "/a.txt", A_TXT, strlen(A_TXT));
}

/* A client that asks for a big file, reads a little and resets. */
static void vanish_mid_response(struct ctx *c, bool reset)
{
	char why[256];
	int fd = peer_connect("127.0.0.1", ctx_port(c, 0), IO_MS, why, sizeof why);
	uint8_t buf[1024];

	if (fd < 0)
		return;
	peer_small_rcvbuf(fd, 4096);
	const char *req = "GET /blob.bin HTTP/1.1\r\nHost: x\r\n\r\n";
	if (peer_send(fd, req, strlen(req), IO_MS) == 0)
		peer_recv(fd, buf, sizeof buf, IO_MS);
	clock_sleep_ms(20);
	if (reset)
		peer_reset(fd);
	else
		close(fd);
}

void check_http_robustness(struct ctx *c)
{
	uint32_t seed = 0x5eed0404;
	size_t nblob = 4 * MiB;
	uint8_t *blob = ctx_pattern(nblob, seed, true), *junk = ctx_pattern(4096, seed + 1, true);
	char *huge = malloc(70000);
	char why[256];
	struct proc *p;

	ctx_log(c, "garbage: 4096 bytes (bytes 0..255, then xorshift32 seed %#x)", seed + 1);
	if (!blob || !junk || !huge || !make_docroot(c) || !put(c, "www/blob.bin", blob, nblob) ||
	    !(p = start_server(c)))
		goto done;
	static const char *const steps[] = {
		"4 KiB of garbage", "garbage lines", "a connection closed at once",
		"half a request, then a reset", "half a request, then FIN", "a 64 KiB header line",
		"a client that resets while a 4 MiB response is sent",
		"a client that closes while a 4 MiB response is sent",
	};
	for (size_t i = 0; i < sizeof steps / sizeof *steps; i++) {
		int fd = peer_connect("127.0.0.1", ctx_port(c, 0), IO_MS, why, sizeof why);
		struct peer_buf sink = { 0 };
		if (fd < 0) {
			ctx_fail(c, "expected: http_server accepts a connection\n   seen: %s (after %s)",
				 why, i ? steps[i - 1] : "nothing");
			goto done;
		}
		peer_nodelay(fd);
		switch (i) {
		case 0:
			peer_send(fd, junk, 4096, IO_MS);
			shutdown(fd, SHUT_WR);
			peer_recv_all(fd, &sink, 1 << 20, 1000);
			break;
		case 1:
			peer_send(fd, "\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03\r\n\r\n", 15, IO_MS);
			peer_send(fd, "GET \x00/ HTTP/1.1\r\n\r\n: \r\n\r\n%%%\r\n\r\n", 31, IO_MS);
			shutdown(fd, SHUT_WR);
			peer_recv_all(fd, &sink, 1 << 20, 1000);
			break;
		case 2:
			break;
		case 3:
		case 4:
			peer_send(fd, "GET /a.txt HTTP/1.1\r\nHo", 23, IO_MS);
			clock_sleep_ms(10);
			if (i == 3) {
				peer_reset(fd);
				fd = -1;
			}
			break;
		case 5: {
			size_t n = (size_t)sprintf(huge, "GET /a.txt HTTP/1.1\r\nHost: x\r\nX-Huge: ");
			memset(huge + n, 'z', 65536);
			n += 65536;
			n += (size_t)sprintf(huge + n, "\r\n\r\n");
			peer_send(fd, huge, n, IO_MS);
			shutdown(fd, SHUT_WR);
			peer_recv_all(fd, &sink, 1 << 20, IO_MS);
			break;
		}
		default:
			close(fd);
			fd = -1;
			vanish_mid_response(c, i == 6);
			break;
		}
		if (fd >= 0)
			close(fd);
		peer_buf_free(&sink);
	}
	clock_sleep_ms(50);
	if (!proc_is_running(p)) {
		char st[128];
		ctx_fail(c, "expected: http_server keeps running whatever clients do\n   seen: it ended "
			 "(%s) after these clients: garbage, a reset mid-request, a huge header, "
			 "clients that vanished mid-response", proc_describe(p, st, sizeof st));
		ctx_ladder_last(c, ctx_port(c, 0));
		goto done;
	}
	if (!get_file(c, "127.0.0.1", "/a.txt", A_TXT, strlen(A_TXT))) {
		ctx_fail(c, "(after garbage, a reset mid-request, a huge header and clients that "
			 "vanished mid-response)");
		ctx_ladder_last(c, ctx_port(c, 0));
		goto done;
	}
	wire_no_secret(c);
done:
	free(blob);
	free(junk);
	free(huge);
}

