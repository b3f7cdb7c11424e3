/* test_http_peers.c - lab 04's reference programs against real peers, in a private network
 * namespace of the test process: curl against http_server, http_client against python's
 * http.server, and a hostile client (garbage, huge heads, resets, traversal in many
 * encodings) that must never crash or hang the server nor get a byte from outside DOCROOT.
 * Every process is started here and stopped here, by its pid; every step has a deadline. */
#define _DEFAULT_SOURCE
#include <criterion/criterion.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "build.h"
#include "clock.h"
#include "labs.h"
#include "netstat.h"
#include "peer.h"
#include "proc.h"
#include "sandbox.h"

#define IO_MS 3000

struct env {
	char dir[256];          /* scratch: bin/, www/, outputs */
	char bin[300], www[300];
	uint16_t port;          /* the reference server's */
	uint16_t port2;         /* python's */
	struct proc server;
	struct sb_info sb;
	char secret[128];
};

static void path_in(const struct env *e, const char *name, char *buf, size_t bufsz)
{
	snprintf(buf, bufsz, "%s/%s", e->dir, name);
}

static void write_file(const char *path, const void *data, size_t n)
{
	FILE *f = fopen(path, "wb");
	cr_assert(f, "cannot create %s: %s", path, strerror(errno));
	cr_assert_eq(fwrite(data, 1, n, f), n, "cannot write %s", path);
	fclose(f);
}

static void put(const struct env *e, const char *name, const void *data, size_t n)
{
	char path[600];
	path_in(e, name, path, sizeof path);
	write_file(path, data, n);
}

static uint8_t *every_byte(size_t n)
{
	uint8_t *b = malloc(n);
	uint32_t x = 0x5eed;
	cr_assert(b);
	for (size_t i = 0; i < n; i++) {
		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
		b[i] = i < 256 ? (uint8_t)i : (uint8_t)(x >> 24);
	}
	return b;
}

/* Start argv (argv[0] a path) in dir with stdout and stderr into files named after tag. */
static void start(const struct env *e, struct proc *p, const char *const *argv, const char *tag)
{
	char out[600], err[600], why[256];
	snprintf(out, sizeof out, "%s/%s.out", e->dir, tag);
	snprintf(err, sizeof err, "%s/%s.err", e->dir, tag);
	struct proc_spec s = {
		.argv = argv, .cwd = e->dir, .stdout_path = out, .stderr_path = err,
		.limits = proc_default_limits(),
	};
	cr_assert_eq(proc_spawn(p, &s, why, sizeof why), 0, "cannot start %s: %s", argv[0], why);
}

/* Run argv to its end (at most timeout_ms); returns its stdout (malloc'd) and length. */
static char *run(const struct env *e, const char *const *argv, const char *tag, int timeout_ms,
		 size_t *len, int *code)
{
	struct proc p;
	char out[600];

	start(e, &p, argv, tag);
	if (proc_wait(&p, timeout_ms) < 0) {
		proc_stop(&p, 200);
		cr_assert_fail("%s did not end within %d ms", argv[0], timeout_ms);
	}
	*code = proc_exit_code(&p);
	snprintf(out, sizeof out, "%s/%s.out", e->dir, tag);
	char *s = proc_read_file(out, 64u << 20, len);
	cr_assert(s, "cannot read %s", out);
	return s;
}

static const char *tool(const char *name)
{
	static char path[128];
	static const char *const dirs[] = { "/usr/local/bin", "/usr/bin", "/bin" };
	for (size_t i = 0; i < 3; i++) {
		snprintf(path, sizeof path, "%s/%s", dirs[i], name);
		if (access(path, X_OK) == 0)
			return path;
	}
	cr_skip_test("%s is not installed", name);
	return NULL;
}

/* A private network namespace for this test process (or free host ports), the reference
 * programs built, a document root, and http_server running on it. */
static void setup(struct env *e)
{
	char why[512], *log = NULL;

	memset(e, 0, sizeof *e);
	sb_probe(&e->sb);
	if (e->sb.mode == SB_NETNS)
		cr_assert_eq(sb_enter(&e->sb, why, sizeof why), 0, "cannot enter a namespace: %s", why);
	e->port = e->sb.mode == SB_NETNS ? 8080 : sb_free_port();
	e->port2 = e->sb.mode == SB_NETNS ? 8000 : sb_free_port();
	snprintf(e->dir, sizeof e->dir, "/tmp/wirelab-peers-XXXXXX");
	cr_assert(mkdtemp(e->dir));
	snprintf(e->bin, sizeof e->bin, "%s/bin", e->dir);
	snprintf(e->www, sizeof e->www, "%s/www", e->dir);
	cr_assert_eq(mkdir(e->bin, 0755), 0);
	cr_assert_eq(mkdir(e->www, 0755), 0);
	const struct lab *lab = labs_find("04");
	cr_assert(lab, "lab 04 is not registered");
	int rc = build_lab(lab, "solutions/04-http/src", e->bin, &log);
	cr_assert_eq(rc, 0, "the reference programs did not build:\n%s", log ? log : "");
	free(log);

	static const char index_html[] = "<!DOCTYPE html>\n<html><body>peers</body></html>\n";
	put(e, "www/index.html", index_html, sizeof index_html - 1);
	put(e, "www/a.txt", "alpha\n", 6);
	put(e, "www/b.css", "b { }\n", 6);
	char path[600];
	path_in(e, "www/docs", path, sizeof path);
	cr_assert_eq(mkdir(path, 0755), 0);
	put(e, "www/docs/index.html", "docs\n", 5);
	uint8_t *bin = every_byte(300000);
	put(e, "www/blob.bin", bin, 300000);
	free(bin);
	snprintf(e->secret, sizeof e->secret, "secret-outside-docroot-%d", (int)getpid());
	put(e, "secret.txt", e->secret, strlen(e->secret));
	path_in(e, "www-private", path, sizeof path);
	cr_assert_eq(mkdir(path, 0755), 0);
	put(e, "www-private/secret.txt", e->secret, strlen(e->secret));
	/* A link inside DOCROOT to a file outside: realpath() must catch it. */
	char target[600];
	path_in(e, "secret.txt", target, sizeof target);
	path_in(e, "www/link.txt", path, sizeof path);
	cr_assert_eq(symlink(target, path), 0);

	char exe[400], port[8];
	snprintf(exe, sizeof exe, "%s/http_server", e->bin);
	snprintf(port, sizeof port, "%u", e->port);
	const char *argv[] = { exe, port, e->www, NULL };
	start(e, &e->server, argv, "server");
	cr_assert_eq(netstat_wait_bound(NETSTAT_TCP, e->port, &e->server, 3000), 0,
		     "http_server does not listen on port %u", e->port);
}

static void teardown(struct env *e)
{
	char cmd[400];
	proc_stop(&e->server, 1000);
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", e->dir);
	if (system(cmd) != 0)
		cr_log_warn("could not remove %s", e->dir);
}

static void url(const struct env *e, uint16_t port, const char *path, char *buf, size_t bufsz)
{
	snprintf(buf, bufsz, "http://127.0.0.1:%u%s", port, path);
	(void)e;
}

/* One raw exchange: send req, half-close, read until the server closes (bounded). */
static int exchange(const struct env *e, const void *req, size_t n, struct peer_buf *reply)
{
	char why[256];
	int fd = peer_connect("127.0.0.1", e->port, IO_MS, why, sizeof why);

	memset(reply, 0, sizeof *reply);
	cr_assert_geq(fd, 0, "connect to the server: %s", why);
	peer_send(fd, req, n, IO_MS);
	shutdown(fd, SHUT_WR);
	int rc = peer_recv_all(fd, reply, 4u << 20, IO_MS);
	close(fd);
	return rc;
}

Test(http_peers, curl_against_the_server, .timeout = 60)
{
	struct env e;
	char u1[128], u2[128], u3[128], u4[128], path[600];
	size_t n;
	int code;

	setup(&e);
	const char *curl = tool("curl");
	url(&e, e.port, "/", u1, sizeof u1);
	url(&e, e.port, "/a.txt", u2, sizeof u2);
	url(&e, e.port, "/docs/", u3, sizeof u3);
	url(&e, e.port, "/b.css", u4, sizeof u4);

	/* Four URLs, one connection. */
	const char *many[] = { curl, "-sv", "--noproxy", "*", "--max-time", "5", u1, u2, u3, u4,
			       NULL };
	char *out = run(&e, many, "curl-many", 8000, &n, &code);
	cr_expect_eq(code, 0, "curl with four URLs: exit %d", code);
	const char *want = "<!DOCTYPE html>\n<html><body>peers</body></html>\nalpha\ndocs\nb { }\n";
	cr_expect_eq(n, strlen(want), "four bodies: %zu bytes, expected %zu", n, strlen(want));
	cr_expect(n == strlen(want) && memcmp(out, want, n) == 0, "four bodies: got \"%.*s\"",
		  (int)n, out);
	free(out);
	path_in(&e, "curl-many.err", path, sizeof path);
	char *err = proc_read_file(path, 1 << 20, &n);
	cr_assert(err);
	size_t connects = 0;
	for (char *p = err; (p = strstr(p, "* Connected to")) != NULL; p++)
		connects++;
	cr_expect_eq(connects, 1, "curl connected %zu times for four URLs: the server must keep "
		     "the connection open", connects);
	free(err);

	/* HEAD. */
	const char *head[] = { curl, "-sI", "--noproxy", "*", "--max-time", "5", u2, NULL };
	out = run(&e, head, "curl-head", 8000, &n, &code);
	cr_expect_eq(code, 0);
	cr_expect(strncmp(out, "HTTP/1.1 200 OK\r\n", 17) == 0, "HEAD: got \"%.40s\"", out);
	cr_expect(strstr(out, "Content-Length: 6\r\n") != NULL, "HEAD: no Content-Length: 6 in "
		  "\"%s\"", out);
	cr_expect(n >= 4 && memcmp(out + n - 4, "\r\n\r\n", 4) == 0, "HEAD: the head and no body");
	free(out);

	/* A binary file, byte for byte. */
	char blob[128], saved[600];
	url(&e, e.port, "/blob.bin", blob, sizeof blob);
	path_in(&e, "blob.copy", saved, sizeof saved);
	const char *get[] = { curl, "-s", "--noproxy", "*", "--max-time", "5", "-o", saved, blob,
			      NULL };
	free(run(&e, get, "curl-blob", 8000, &n, &code));
	cr_expect_eq(code, 0);
	char *copy = proc_read_file(saved, 1 << 20, &n);
	uint8_t *orig = every_byte(300000);
	cr_assert(copy);
	cr_expect(n == 300000 && memcmp(copy, orig, n) == 0, "blob.bin: %zu bytes came, not the "
		  "same 300000", n);
	free(copy);
	free(orig);

	/* 404. */
	char nope[128];
	url(&e, e.port, "/nope.txt", nope, sizeof nope);
	const char *nf[] = { curl, "-s", "--noproxy", "*", "--max-time", "5", "-o", "/dev/null",
			     "-w", "%{http_code}", nope, NULL };
	out = run(&e, nf, "curl-404", 8000, &n, &code);
	cr_expect_str_eq(out, "404", "a missing file: status %s", out);
	free(out);
	teardown(&e);
}

Test(http_peers, client_against_python_http_server, .timeout = 60)
{
	struct env e;
	struct proc py;
	char port[8], u[128], exe[400];
	size_t n;
	int code;

	setup(&e);
	const char *python = tool("python3");
	snprintf(port, sizeof port, "%u", e.port2);
	const char *pargv[] = { python, "-m", "http.server", port, "--bind", "127.0.0.1",
				"--directory", e.www, NULL };
	start(&e, &py, pargv, "python");
	if (netstat_wait_bound(NETSTAT_TCP, e.port2, &py, 5000) != 0) {
		proc_stop(&py, 500);
		teardown(&e);
		cr_skip_test("python3 -m http.server did not start");
	}
	snprintf(exe, sizeof exe, "%s/http_client", e.bin);

	/* A binary file, identical. */
	url(&e, e.port2, "/blob.bin", u, sizeof u);
	const char *get[] = { exe, u, NULL };
	char *out = run(&e, get, "client-blob", 8000, &n, &code);
	uint8_t *orig = every_byte(300000);
	cr_expect_eq(code, 0, "http_client %s: exit %d", u, code);
	cr_expect(n == 300000 && memcmp(out, orig, n) == 0, "blob.bin from python: %zu bytes, not "
		  "the same 300000", n);
	free(out);
	free(orig);

	/* -i: python's HTTP/1.0 head, CRLFs, then the body. */
	url(&e, e.port2, "/a.txt", u, sizeof u);
	const char *inc[] = { exe, "-i", u, NULL };
	out = run(&e, inc, "client-i", 8000, &n, &code);
	cr_expect_eq(code, 0);
	cr_expect(strncmp(out, "HTTP/1.0 200 OK\r\n", 17) == 0, "-i: got \"%.40s\"", out);
	char *sep = strstr(out, "\r\n\r\n");
	cr_expect(sep && strcmp(sep + 4, "alpha\n") == 0, "-i: the body after the head: \"%s\"",
		  sep ? sep + 4 : "(no empty line)");
	free(out);

	/* 404: exit 3, python's error page written. */
	url(&e, e.port2, "/nope", u, sizeof u);
	const char *nf[] = { exe, u, NULL };
	out = run(&e, nf, "client-404", 8000, &n, &code);
	cr_expect_eq(code, 3, "a 404 from python: exit %d", code);
	cr_expect(strstr(out, "404") != NULL, "the error page is written: \"%.80s\"", out);
	free(out);

	/* And the reference client against the reference server, for good measure. */
	url(&e, e.port, "/docs/", u, sizeof u);
	const char *own[] = { exe, u, NULL };
	out = run(&e, own, "client-own", 8000, &n, &code);
	cr_expect_eq(code, 0);
	cr_expect_str_eq(out, "docs\n");
	free(out);

	proc_stop(&py, 1000);
	teardown(&e);
}

Test(http_peers, hostile_clients_never_crash_the_server_nor_leave_docroot, .timeout = 90)
{
	struct env e;
	struct peer_buf reply;

	setup(&e);
	/* Garbage: random bytes, random lines, random request-like text (fixed seed). */
	unsigned seed = 20240404;
	srand(seed);
	for (int i = 0; i < 40; i++) {
		size_t n = 1 + (size_t)(rand() % 6000);
		uint8_t *junk = malloc(n);
		cr_assert(junk);
		for (size_t k = 0; k < n; k++) {
			int r = rand() % 16;
			junk[k] = r == 0 ? '\r' : r == 1 ? '\n' : r == 2 ? ' ' : (uint8_t)(rand() & 0xff);
		}
		if (i % 4 == 0)
			memcpy(junk, "GET /", n < 5 ? n : 5);
		int rc = exchange(&e, junk, n, &reply);
		cr_expect(rc == 0 || rc == -ECONNRESET, "garbage %d (seed %u, %zu bytes): the server "
			  "neither answered and closed nor reset: %s", i, seed, n, peer_strerror(rc));
		cr_expect_null(strstr((char *)reply.data ? (char *)reply.data : "", e.secret));
		peer_buf_free(&reply);
		free(junk);
	}
	cr_assert(proc_is_running(&e.server), "http_server ended after garbage (seed %u)", seed);

	/* Huge heads: one 200 KiB header line; 3000 short header lines; a 100 KiB target. */
	size_t big = 200 * 1024;
	char *huge = malloc(big + 256);
	cr_assert(huge);
	size_t n = (size_t)sprintf(huge, "GET /a.txt HTTP/1.1\r\nHost: x\r\nX-Big: ");
	memset(huge + n, 'b', big);
	n += big;
	n += (size_t)sprintf(huge + n, "\r\n\r\n");
	exchange(&e, huge, n, &reply);
	cr_expect(reply.len == 0 || strncmp((char *)reply.data, "HTTP/1.1 431", 12) == 0,
		  "a 200 KiB header line: \"%.40s\"", reply.data);
	peer_buf_free(&reply);
	free(huge);
	struct peer_buf many = { 0 };
	peer_buf_append(&many, "GET /a.txt HTTP/1.1\r\nHost: x\r\n", 30);
	for (int i = 0; i < 3000; i++) {
		char line[32];
		int l = snprintf(line, sizeof line, "X-%d: v\r\n", i);
		peer_buf_append(&many, line, (size_t)l);
	}
	peer_buf_append(&many, "\r\n", 2);
	exchange(&e, many.data, many.len, &reply);
	cr_expect(reply.len == 0 || strncmp((char *)reply.data, "HTTP/1.1 431", 12) == 0,
		  "3000 header lines: \"%.40s\"", reply.data);
	peer_buf_free(&reply);
	peer_buf_free(&many);
	struct peer_buf target = { 0 };
	peer_buf_append(&target, "GET /", 5);
	for (int i = 0; i < 100 * 1024; i++)
		peer_buf_append(&target, "t", 1);
	peer_buf_append(&target, " HTTP/1.1\r\nHost: x\r\n\r\n", 22);
	exchange(&e, target.data, target.len, &reply);
	cr_expect(reply.len == 0 || strncmp((char *)reply.data, "HTTP/1.1 414", 12) == 0,
		  "a 100 KiB target: \"%.40s\"", reply.data);
	peer_buf_free(&reply);
	peer_buf_free(&target);

	/* Resets mid-request and mid-response. */
	for (int i = 0; i < 20; i++) {
		char why[256];
		int fd = peer_connect("127.0.0.1", e.port, IO_MS, why, sizeof why);
		cr_assert_geq(fd, 0, "connect after %d resets: %s", i, why);
		const char *req = i % 2 ? "GET /a.txt HTTP/1.1\r\nHo" : "GET /blob.bin HTTP/1.1\r\n"
									 "Host: x\r\n\r\n";
		peer_send(fd, req, strlen(req), IO_MS);
		if (i % 2 == 0) {
			char buf[512];
			peer_recv(fd, buf, sizeof buf, IO_MS);
		}
		peer_reset(fd);
	}
	clock_sleep_ms(50);
	cr_assert(proc_is_running(&e.server), "http_server ended after clients that reset");

	/* Traversal, in many encodings: never the secret, only 400, 403 or 404. */
	static const char *const paths[] = {
		"/../secret.txt", "/..%2fsecret.txt", "/%2e%2e/secret.txt", "/%2E%2e/secret.txt",
		"/.%2e/secret.txt", "/%2e./secret.txt", "/%2e%2e%2fsecret.txt", "/%2E%2E%2Fsecret.txt",
		"/docs/../../secret.txt", "/docs/%2e%2e/%2e%2e/secret.txt", "/docs/..%2f..%2fsecret.txt",
		"/./.././secret.txt", "//../secret.txt", "/docs//..//..//secret.txt",
		"/../www-private/secret.txt", "/%2e%2e/www-private/secret.txt", "/..", "/%2e%2e",
		"/%252e%252e/secret.txt", "/%c0%ae%c0%ae/secret.txt", "/..%5csecret.txt",
		"/..\\secret.txt", "/link.txt", "/a.txt%00/../../secret.txt", "/%2e%2e%00/secret.txt",
		"/../../../../../../../../../../etc/passwd",
		"/%2e%2e/%2e%2e/%2e%2e/%2e%2e/%2e%2e/%2e%2e/%2e%2e/etc/passwd", "/..;/secret.txt",
	};
	for (size_t i = 0; i < sizeof paths / sizeof *paths; i++) {
		char req[512];
		int l = snprintf(req, sizeof req, "GET %s HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
				 "\r\n", paths[i]);
		int rc = exchange(&e, req, (size_t)l, &reply);
		const char *r = reply.data ? (const char *)reply.data : "";
		cr_expect_eq(rc, 0, "GET %s: %s", paths[i], peer_strerror(rc));
		cr_expect(strncmp(r, "HTTP/1.1 400", 12) == 0 || strncmp(r, "HTTP/1.1 403", 12) == 0 ||
			  strncmp(r, "HTTP/1.1 404", 12) == 0, "GET %s: \"%.40s\"", paths[i], r);
		cr_expect_null(strstr(r, e.secret), "GET %s served the secret", paths[i]);
		cr_expect_null(strstr(r, "root:x:0:0:"), "GET %s served /etc/passwd", paths[i]);
		peer_buf_free(&reply);
	}

	/* Still serving. */
	const char *ok = "GET /a.txt HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
	exchange(&e, ok, strlen(ok), &reply);
	cr_expect(reply.len > 6 && memcmp(reply.data + reply.len - 6, "alpha\n", 6) == 0,
		  "a normal request after all that: \"%.60s\"", reply.data);
	peer_buf_free(&reply);
	cr_expect(proc_is_running(&e.server), "http_server ended");
	teardown(&e);
}
