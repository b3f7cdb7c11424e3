/* test_http_parse.c: unit tests for the pure helpers in src/http_parse.c (run: make test). */
#define _POSIX_C_SOURCE 200809L

#include <criterion/criterion.h>
#include <string.h>

#include "http_parse.h"

/* Most helpers take a line as pointer + length; these wrap a C string literal. */
#define S(lit) (lit), (sizeof(lit) - 1)

/* ---- hp_parse_request_line ---- */

Test(request_line, simple_get)
{
	struct hp_request_line rl;
	int rc = hp_parse_request_line(S("GET /index.html?x=1 HTTP/1.1"), &rl);
	cr_assert_eq(rc, 0, "GET /index.html?x=1 HTTP/1.1: expected 0, got %d", rc);
	cr_assert_str_eq(rl.method, "GET");
	cr_assert_str_eq(rl.target, "/index.html?x=1");
	cr_assert_eq(rl.minor, 1, "minor version: expected 1, got %d", rl.minor);
}

Test(request_line, http10)
{
	struct hp_request_line rl;
	cr_assert_eq(hp_parse_request_line(S("HEAD / HTTP/1.0"), &rl), 0);
	cr_assert_eq(rl.minor, 0, "HTTP/1.0: expected minor 0, got %d", rl.minor);
	cr_assert_str_eq(rl.method, "HEAD");
}

Test(request_line, unknown_method_is_still_well_formed)
{
	struct hp_request_line rl;
	int rc = hp_parse_request_line(S("BREW /pot HTTP/1.1"), &rl);
	cr_assert_eq(rc, 0, "BREW is a valid token: expected 0 (the server answers 501), got %d", rc);
	cr_assert_str_eq(rl.method, "BREW");
}

Test(request_line, malformed_is_400)
{
	static const char *bad[] = {
		"", "GET", "GET /", "GET / ", " GET / HTTP/1.1", "GET  / HTTP/1.1",
		"GET / HTTP/1.1 ", "GET / http/1.1", "GET / HTTP/1", "GET / HTTP/1.10",
		"GE(T / HTTP/1.1", "GET /a\tb HTTP/1.1", "GET / HTTP/1.1x", "garbage",
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		struct hp_request_line rl;
		int rc = hp_parse_request_line(bad[i], strlen(bad[i]), &rl);
		cr_expect_eq(rc, 400, "\"%s\": expected 400, got %d", bad[i], rc);
	}
}

Test(request_line, other_versions_are_505)
{
	static const char *bad[] = {"GET / HTTP/2.0", "GET / HTTP/0.9", "GET / HTTP/1.2",
				    "GET / HTTP/3.0"};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		struct hp_request_line rl;
		int rc = hp_parse_request_line(bad[i], strlen(bad[i]), &rl);
		cr_expect_eq(rc, 505, "\"%s\": expected 505, got %d", bad[i], rc);
	}
}

Test(request_line, every_prefix_of_a_good_line_is_rejected_not_crashed)
{
	/* A parser is only given complete lines, but it must never read past len. */
	const char *line = "GET /a/b.html HTTP/1.1";
	for (size_t n = 0; n < strlen(line); n++) {
		struct hp_request_line rl;
		int rc = hp_parse_request_line(line, n, &rl);
		cr_expect_neq(rc, 0, "prefix of length %zu accepted", n);
	}
}

/* ---- hp_parse_header, hp_is_header, hp_has_token ---- */

Test(header, name_and_trimmed_value)
{
	struct hp_header h;
	cr_assert_eq(hp_parse_header(S("Host: \t example.com:8080 \t"), &h), 0);
	cr_assert_eq(h.name_len, 4);
	cr_assert(hp_is_header(&h, "host"), "field names are case-insensitive");
	cr_assert_eq(h.value_len, 16, "value length: expected 16, got %zu", h.value_len);
	cr_assert(memcmp(h.value, "example.com:8080", 16) == 0);
}

Test(header, empty_value_is_fine)
{
	struct hp_header h;
	cr_assert_eq(hp_parse_header(S("X-Empty:"), &h), 0);
	cr_assert_eq(h.value_len, 0);
}

Test(header, malformed)
{
	static const char *bad[] = {
		"NoColon", ": value", "Bad Name: x", "Name : x", " folded: x", "\tfolded",
		"Na\"me: x",
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		struct hp_header h;
		cr_expect_eq(hp_parse_header(bad[i], strlen(bad[i]), &h), -1,
			     "\"%s\" should be rejected", bad[i]);
	}
	struct hp_header h;
	cr_expect_eq(hp_parse_header(S("X: a\rb"), &h), -1, "a bare CR in a value is rejected");
	cr_expect_eq(hp_parse_header("X: a\0b", 6, &h), -1, "a NUL in a value is rejected");
}

Test(header, token_lists)
{
	cr_assert(hp_has_token(S("close"), "close"));
	cr_assert(hp_has_token(S("Keep-Alive"), "keep-alive"));
	cr_assert(hp_has_token(S("upgrade, close"), "close"));
	cr_assert(hp_has_token(S(" , gzip ,chunked "), "chunked"));
	cr_assert_not(hp_has_token(S("closed"), "close"), "\"closed\" is not \"close\"");
	cr_assert_not(hp_has_token(S("keep-alive"), "close"));
	cr_assert_not(hp_has_token(S(""), "close"));
}

Test(header, content_length)
{
	uint64_t v = 99;
	cr_assert_eq(hp_parse_content_length(S("0"), &v), 0);
	cr_assert_eq(v, 0);
	cr_assert_eq(hp_parse_content_length(S("1048576"), &v), 0);
	cr_assert_eq(v, 1048576);
	cr_expect_eq(hp_parse_content_length(S(""), &v), -1, "empty");
	cr_expect_eq(hp_parse_content_length(S("-1"), &v), -1, "negative");
	cr_expect_eq(hp_parse_content_length(S("12a"), &v), -1, "trailing garbage");
	cr_expect_eq(hp_parse_content_length(S("1,1"), &v), -1, "a list");
	cr_expect_eq(hp_parse_content_length(S("99999999999999999999999"), &v), -1, "overflow");
}

/* ---- hp_percent_decode, hp_is_safe_path ---- */

Test(path, percent_decoding)
{
	char out[64];
	int n = hp_percent_decode(S("/a%20b/%2e%2E/%41"), out, sizeof out);
	cr_assert_eq(n, 9, "decoded length: expected 9, got %d", n);
	cr_assert_str_eq(out, "/a b/../A");
	cr_expect_eq(hp_percent_decode(S("/%zz"), out, sizeof out), -1, "bad hex digits");
	cr_expect_eq(hp_percent_decode(S("/%2"), out, sizeof out), -1, "truncated escape");
	cr_expect_eq(hp_percent_decode(S("/%"), out, sizeof out), -1, "lone percent");
	cr_expect_eq(hp_percent_decode(S("/a%00b"), out, sizeof out), -1, "decoded NUL");
	cr_expect_eq(hp_percent_decode(S("/abcdef"), out, 4), -1, "does not fit");
	cr_expect_eq(hp_percent_decode(S("/abc"), out, 5), 4, "exactly fits with its NUL");
}

Test(path, traversal)
{
	static const char *safe[] = {"/", "/index.html", "/a/b/c.txt", "/a..b", "/..a", "/a/./b",
				     "/.hidden", "/a/b../c"};
	static const char *unsafe[] = {"/..", "/../etc/passwd", "/a/../../b", "/a/..", "//..//",
				       "relative", ""};
	for (size_t i = 0; i < sizeof safe / sizeof safe[0]; i++)
		cr_expect(hp_is_safe_path(safe[i]), "\"%s\" should be safe", safe[i]);
	for (size_t i = 0; i < sizeof unsafe / sizeof unsafe[0]; i++)
		cr_expect_not(hp_is_safe_path(unsafe[i]), "\"%s\" should be refused", unsafe[i]);
}

/* ---- hp_content_type, hp_reason ---- */

Test(content_type, table)
{
	static const char *cases[][2] = {
		{"/index.html", "text/html; charset=utf-8"}, {"/a.htm", "text/html; charset=utf-8"},
		{"/r.txt", "text/plain; charset=utf-8"},     {"/s.css", "text/css"},
		{"/app.js", "text/javascript"},              {"/d.json", "application/json"},
		{"/i.png", "image/png"},                     {"/p.jpg", "image/jpeg"},
		{"/p.jpeg", "image/jpeg"},                   {"/a.gif", "image/gif"},
		{"/v.svg", "image/svg+xml"},                 {"/x.bin", "application/octet-stream"},
		{"/noext", "application/octet-stream"},      {"/dir.html/file", "application/octet-stream"},
		{"/UPPER.HTML", "text/html; charset=utf-8"}, {"/archive.tar.gz", "application/octet-stream"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		const char *got = hp_content_type(cases[i][0]);
		cr_expect(got != NULL && strcmp(got, cases[i][1]) == 0, "%s: expected \"%s\", got \"%s\"",
			  cases[i][0], cases[i][1], got ? got : "(null)");
	}
}

Test(reason, phrases)
{
	cr_assert_str_eq(hp_reason(200), "OK");
	cr_assert_str_eq(hp_reason(404), "Not Found");
	cr_assert_str_eq(hp_reason(405), "Method Not Allowed");
	cr_assert_str_eq(hp_reason(431), "Request Header Fields Too Large");
	cr_assert_str_eq(hp_reason(505), "HTTP Version Not Supported");
}

/* ---- hp_parse_status_line, hp_parse_chunk_size ---- */

Test(status_line, codes)
{
	int code = 0;
	cr_assert_eq(hp_parse_status_line(S("HTTP/1.1 200 OK"), &code), 0);
	cr_assert_eq(code, 200);
	cr_assert_eq(hp_parse_status_line(S("HTTP/1.0 404 Not Found"), &code), 0);
	cr_assert_eq(code, 404);
	cr_assert_eq(hp_parse_status_line(S("HTTP/1.1 204 "), &code), 0, "empty reason");
	cr_assert_eq(hp_parse_status_line(S("HTTP/1.1 100"), &code), 0, "no reason at all");
	cr_assert_eq(code, 100);
	static const char *bad[] = {"HTTP/1.1 20 OK", "HTTP/1.1 2000 OK", "HTTX/1.1 200 OK",
				    "HTTP/2.0 200 OK", "HTTP/1.1 099 Low", "HTTP/1.1 abc OK",
				    "HTTP/1.1  200 OK", "200 OK", ""};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		cr_expect_eq(hp_parse_status_line(bad[i], strlen(bad[i]), &code), -1,
			     "\"%s\" should be rejected", bad[i]);
}

Test(chunked, sizes_and_extensions)
{
	uint64_t n = 7;
	cr_assert_eq(hp_parse_chunk_size(S("0"), &n), 0);
	cr_assert_eq(n, 0);
	cr_assert_eq(hp_parse_chunk_size(S("1a"), &n), 0);
	cr_assert_eq(n, 26);
	cr_assert_eq(hp_parse_chunk_size(S("FF;name=value"), &n), 0);
	cr_assert_eq(n, 255);
	cr_assert_eq(hp_parse_chunk_size(S("10 ; a ; b=\"c\""), &n), 0);
	cr_assert_eq(n, 16);
	static const char *bad[] = {"", ";ext", "xyz", "1 2", "-1", "0x10", "10000000000000000"};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		cr_expect_eq(hp_parse_chunk_size(bad[i], strlen(bad[i]), &n), -1,
			     "\"%s\" should be rejected", bad[i]);
}

/* ---- hp_parse_url ---- */

Test(url, full)
{
	struct hp_url u;
	cr_assert_eq(hp_parse_url("http://example.com:8080/a/b?x=1&y=2#frag", &u), 0);
	cr_assert_str_eq(u.host, "example.com");
	cr_assert_eq(u.port, 8080);
	cr_assert_str_eq(u.port_str, "8080");
	cr_assert_str_eq(u.target, "/a/b?x=1&y=2", "the fragment is never sent");
	cr_assert_not(u.is_ipv6);
}

Test(url, defaults)
{
	struct hp_url u;
	cr_assert_eq(hp_parse_url("http://127.0.0.1/", &u), 0);
	cr_assert_eq(u.port, 80, "default port: expected 80, got %d", u.port);
	cr_assert_str_eq(u.target, "/");
	cr_assert_eq(hp_parse_url("HTTP://host", &u), 0, "scheme in any case, empty path");
	cr_assert_str_eq(u.target, "/");
	cr_assert_eq(hp_parse_url("http://host?q", &u), 0);
	cr_assert_str_eq(u.target, "/?q");
}

Test(url, ipv6_literal)
{
	struct hp_url u;
	cr_assert_eq(hp_parse_url("http://[::1]:8080/x", &u), 0);
	cr_assert_str_eq(u.host, "::1");
	cr_assert(u.is_ipv6);
	cr_assert_eq(u.port, 8080);
}

Test(url, bad)
{
	static const char *bad[] = {
		"", "example.com/", "https://example.com/", "ftp://x/", "http://", "http:///x",
		"http://host:0/", "http://host:65536/", "http://host:/", "http://host:8a/",
		"http://user@host/", "http://ho st/", "http://host/a b", "http://[::1/",
		"http://[zz]/",
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		struct hp_url u;
		cr_expect_eq(hp_parse_url(bad[i], &u), -1, "\"%s\" should be rejected", bad[i]);
	}
}
