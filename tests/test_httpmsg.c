/* test_httpmsg.c - the HTTP message reader: framing, fields, errors with reasons, and every
 * prefix of a valid message being incomplete (never a crash, never a read past the end). */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "httpmsg.h"

/* Parse a heap copy of exactly n bytes, so the sanitizers see any read past the end. */
static ssize_t parse_n(const char *s, size_t n, unsigned flags, struct httpmsg *m, char *why,
		       size_t whylen)
{
	char *copy = malloc(n ? n : 1);
	cr_assert(copy);
	memcpy(copy, s, n);
	ssize_t r = httpmsg_parse(copy, n, flags, m, why, whylen);
	/* m points into copy: keep it alive for the callers by leaking into a static slot. */
	static char *keep[64];
	static size_t nkeep;
	free(keep[nkeep % 64]);
	keep[nkeep++ % 64] = copy;
	return r;
}

static ssize_t parse(const char *s, unsigned flags, struct httpmsg *m)
{
	char why[200];
	return parse_n(s, strlen(s), flags, m, why, sizeof why);
}

/* The reason for a message that must be refused. */
static void expect_bad(const char *s, unsigned flags, const char *reason_part)
{
	struct httpmsg m;
	char why[200];
	ssize_t r = parse_n(s, strlen(s), flags, &m, why, sizeof why);

	cr_expect_eq(r, HTTPMSG_BAD, "%s: expected HTTPMSG_BAD, got %zd", s, r);
	cr_expect(strstr(why, reason_part) != NULL, "%s: expected a reason with \"%s\", got \"%s\"",
		  s, reason_part, why);
}

/* Every proper prefix is incomplete; the whole is complete with the given length. */
static void expect_prefixes(const char *s, size_t n, unsigned flags, ssize_t whole)
{
	struct httpmsg m;
	char why[200];

	for (size_t k = 0; k < n; k++) {
		ssize_t r = parse_n(s, k, flags, &m, why, sizeof why);
		cr_assert_eq(r, HTTPMSG_INCOMPLETE, "prefix of %zu of %zu bytes: expected INCOMPLETE, "
			     "got %zd (%s)", k, n, r, why);
	}
	cr_assert_eq(parse_n(s, n, flags, &m, why, sizeof why), whole,
		     "the whole message (%zu bytes): expected %zd (%s)", n, whole, why);
}

Test(httpmsg, response_with_content_length)
{
	static const char s[] = "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n"
				"Content-Length: 5\r\n\r\nhelloNEXT";
	struct httpmsg m;
	ssize_t r = parse(s, 0, &m);

	cr_assert_eq(r, (ssize_t)strlen(s) - 4, "the message ends before NEXT: got %zd", r);
	cr_expect_eq(m.status, 200);
	cr_expect_eq(m.major, 1);
	cr_expect_eq(m.minor, 1);
	cr_expect_eq(m.reason_len, 2);
	cr_expect(memcmp(m.reason, "OK", 2) == 0);
	cr_expect_eq(m.framing, HTTPMSG_LENGTH);
	cr_expect_eq(m.content_length, 5);
	cr_expect_eq(m.decoded_len, 5);
	cr_expect(memcmp(m.body, "hello", 5) == 0);
	cr_expect_eq(m.head_len, strlen(s) - 9);
	cr_expect_eq(m.nfields, 2);
}

Test(httpmsg, pipelined_messages_follow_each_other)
{
	static const char s[] = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nab"
				"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n"
				"HTTP/1.1 204 No Content\r\n\r\n";
	size_t off = 0, n = strlen(s);
	int codes[3];
	struct httpmsg m;

	for (int i = 0; i < 3; i++) {
		ssize_t r = parse_n(s + off, n - off, 0, &m, NULL, 0);
		cr_assert_gt(r, 0, "message %d at %zu: got %zd", i + 1, off, r);
		codes[i] = m.status;
		off += (size_t)r;
	}
	cr_expect_eq(off, n, "three messages use every byte: %zu of %zu", off, n);
	cr_expect_eq(codes[0], 200);
	cr_expect_eq(codes[1], 404);
	cr_expect_eq(codes[2], 204);
}

Test(httpmsg, field_lookup_ignores_case_and_keeps_duplicates)
{
	static const char s[] = "HTTP/1.1 200 OK\r\nSet-Cookie: a=1\r\nset-cookie:b=2 \r\n"
				"CONNECTION: keep-alive, Close\r\nX-Empty:\r\nContent-Length: 0\r\n\r\n";
	struct httpmsg m;

	cr_assert_gt(parse(s, 0, &m), 0);
	cr_expect_eq(httpmsg_count(&m, "SET-COOKIE"), 2);
	const struct httpmsg_field *f = httpmsg_header(&m, "Set-Cookie", 1);
	cr_assert(f);
	cr_expect_eq(f->value_len, 3, "the value without surrounding spaces: %zu", f->value_len);
	cr_expect(memcmp(f->value, "b=2", 3) == 0);
	cr_expect_null(httpmsg_header(&m, "Set-Cookie", 2));
	cr_expect(httpmsg_has_token(&m, "connection", "close"));
	cr_expect(httpmsg_has_token(&m, "Connection", "KEEP-ALIVE"));
	cr_expect_not(httpmsg_has_token(&m, "Connection", "clos"));
	f = httpmsg_header(&m, "x-empty", 0);
	cr_assert(f);
	cr_expect_eq(f->value_len, 0);
}

Test(httpmsg, chunked_with_extensions_and_trailers)
{
	static const char s[] = "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n"
				"1;a=b\r\nx\r\n1F\r\n0123456789012345678901234567890\r\n"
				"a ; q=\"v\"\r\n0123456789\r\n0\r\nExpires: never\r\nX-T: 1\r\n\r\nrest";
	struct httpmsg m;
	char out[64];
	ssize_t r = parse(s, 0, &m);

	cr_assert_eq(r, (ssize_t)strlen(s) - 4, "got %zd", r);
	cr_expect_eq(m.framing, HTTPMSG_CHUNKED);
	cr_expect_eq(m.decoded_len, 42);
	cr_expect_eq(m.ntrailers, 2);
	cr_expect_eq(httpmsg_body_copy(&m, out, sizeof out), 42);
	cr_expect(memcmp(out, "x0123456789012345678901234567890" "0123456789", 42) == 0);
	cr_expect_eq(httpmsg_body_copy(&m, out, 10), -1, "a buffer too small is refused");
}

Test(httpmsg, close_delimited_needs_eof)
{
	static const char s[] = "HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\nuntil the end";
	struct httpmsg m;

	cr_expect_eq(parse(s, 0, &m), HTTPMSG_INCOMPLETE);
	cr_expect_eq(m.framing, HTTPMSG_CLOSE, "the head is read even while the body is not");
	cr_expect_gt(m.head_len, 0);
	cr_expect_eq(parse(s, HTTPMSG_EOF, &m), (ssize_t)strlen(s));
	cr_expect_eq(m.decoded_len, 13);
	/* A Transfer-Encoding other than chunked is close-delimited in a response. */
	cr_expect_eq(parse("HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\nzz", HTTPMSG_EOF,
			   &m), 46);
	cr_expect_eq(m.framing, HTTPMSG_CLOSE);
}

Test(httpmsg, no_body_for_head_1xx_204_304)
{
	static const char s[] = "HTTP/1.1 200 OK\r\nContent-Length: 50\r\n\r\n";
	struct httpmsg m;

	cr_expect_eq(parse(s, HTTPMSG_HEAD, &m), (ssize_t)strlen(s));
	cr_expect_eq(m.framing, HTTPMSG_NOBODY);
	cr_expect_eq(m.content_length, 50, "Content-Length is still read for HEAD");
	cr_expect_eq(parse(s, 0, &m), HTTPMSG_INCOMPLETE, "for GET the 50 bytes are missing");
	cr_expect_eq(parse("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1", 0, &m), 25);
	cr_expect_eq(parse("HTTP/1.1 204 No Content\r\nContent-Length: 3\r\n\r\n", 0, &m), 46);
	cr_expect_eq(parse("HTTP/1.1 304 Not Modified\r\n\r\n", 0, &m), 29);
}

Test(httpmsg, requests)
{
	static const char get[] = "GET /a%20b?q=1 HTTP/1.0\r\nHost: x\r\n\r\nGET";
	static const char post[] = "POST /form HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\na=1";
	static const char chunked[] = "PUT /f HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"
				      "3\r\nabc\r\n0\r\n\r\n";
	struct httpmsg m;

	cr_assert_eq(parse(get, HTTPMSG_REQUEST, &m), (ssize_t)strlen(get) - 3);
	cr_expect_eq(m.method_len, 3);
	cr_expect(memcmp(m.method, "GET", 3) == 0);
	cr_expect_eq(m.target_len, 10);
	cr_expect(memcmp(m.target, "/a%20b?q=1", 10) == 0);
	cr_expect_eq(m.minor, 0);
	cr_expect_eq(m.framing, HTTPMSG_NOBODY, "a request without length has no body");
	cr_expect_eq(parse(post, HTTPMSG_REQUEST, &m), (ssize_t)strlen(post));
	cr_expect_eq(m.decoded_len, 3);
	cr_expect_eq(parse(chunked, HTTPMSG_REQUEST, &m), (ssize_t)strlen(chunked));
	cr_expect_eq(m.decoded_len, 3);
	expect_bad("PUT /f HTTP/1.1\r\nTransfer-Encoding: gzip\r\n\r\n", HTTPMSG_REQUEST,
		   "Transfer-Encoding");
}

Test(httpmsg, malformed_messages_have_reasons)
{
	expect_bad("HTTP/1.1 200 OK\nContent-Length: 0\r\n\r\n", 0, "bare LF");
	expect_bad("HTTP/1.1 200 OK\r\nA: b\rc\r\n\r\n", 0, "CR not followed by LF");
	expect_bad("HTTP/1.1 2OO OK\r\n\r\n", 0, "three-digit");
	expect_bad("HTTP/1.1 200\r\n\r\n", 0, "status line");
	expect_bad("HTTP/1 200 OK\r\n\r\n", 0, "status line");
	expect_bad("ICY 200 OK\r\n\r\n", 0, "status line");
	expect_bad("HTTP/1.1 200 OK\r\nHost : x\r\n\r\n", 0, "whitespace before the colon");
	expect_bad("HTTP/1.1 200 OK\r\nHost x\r\n\r\n", 0, "without a colon");
	expect_bad("HTTP/1.1 200 OK\r\n: x\r\n\r\n", 0, "no field name");
	expect_bad("HTTP/1.1 200 OK\r\nA: b\r\n folded\r\n\r\n", 0, "folding");
	expect_bad("HTTP/1.1 200 OK\r\nA: b\x01\r\n\r\n", 0, "control character");
	expect_bad("HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n", 0,
		   "two different");
	expect_bad("HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n", 0, "not all digits");
	expect_bad("HTTP/1.1 200 OK\r\nContent-Length: 9999999999999999999\r\n\r\n", 0, "too long");
	expect_bad("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", 0, "hex size");
	expect_bad("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2x\r\n", 0, "other than");
	expect_bad("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nab\r\n", 0,
		   "not followed by CRLF");
	expect_bad("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1000000000000000\r\n", 0,
		   "hex digits");
	expect_bad("GET  / HTTP/1.1\r\n\r\n", HTTPMSG_REQUEST, "request target");
	expect_bad("GET / HTTP/1.1 x\r\n\r\n", HTTPMSG_REQUEST, "HTTP/<digit>.<digit>");
	expect_bad("GET /\r\n\r\n", HTTPMSG_REQUEST, "request target");
	expect_bad("G(T / HTTP/1.1\r\n\r\n", HTTPMSG_REQUEST, "method");
}

Test(httpmsg, too_many_fields)
{
	char s[4000];
	size_t n = (size_t)sprintf(s, "HTTP/1.1 200 OK\r\n");
	for (int i = 0; i <= HTTPMSG_MAX_HEADERS; i++)
		n += (size_t)sprintf(s + n, "X-%d: v\r\n", i);
	sprintf(s + n, "\r\n");
	expect_bad(s, 0, "more than");
}

Test(httpmsg, every_prefix_of_a_valid_message_is_incomplete)
{
	static const struct { const char *s; unsigned flags; } msgs[] = {
		{ "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 11\r\n\r\n"
		  "hello world", 0 },
		{ "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1;x=y\r\na\r\n1F\r\n"
		  "0123456789012345678901234567890\r\n0\r\nT: v\r\n\r\n", 0 },
		{ "HTTP/1.1 404 Not Found\r\nContent-Length: 9\r\n\r\n", HTTPMSG_HEAD },
		{ "HTTP/1.1 204 No Content\r\nX: y\r\n\r\n", 0 },
		{ "HTTP/1.1 100 Continue\r\n\r\n", 0 },
		{ "POST /f?a=b HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\n\r\nbody", HTTPMSG_REQUEST },
		{ "GET / HTTP/1.0\r\n\r\n", HTTPMSG_REQUEST },
		{ "PUT /f HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n",
		  HTTPMSG_REQUEST },
	};

	for (size_t i = 0; i < sizeof msgs / sizeof *msgs; i++) {
		size_t n = strlen(msgs[i].s);
		expect_prefixes(msgs[i].s, n, msgs[i].flags, (ssize_t)n);
		/* With EOF only the head matters for a bodyless or framed message. */
		expect_prefixes(msgs[i].s, n, msgs[i].flags | HTTPMSG_EOF, (ssize_t)n);
	}
}

Test(httpmsg, mutated_bytes_never_crash)
{
	static const char base[] = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n"
				   "Content-Length: 3\r\n\r\n1F;e\r\n0123456789012345678901234567890\r\n"
				   "0\r\nT: v\r\n\r\n";
	static const unsigned char vals[] = { 0, '\r', '\n', ' ', ':', ';', '0', 'f', 0x7f, 0xff };
	char s[sizeof base];
	struct httpmsg m;
	char why[200], out[256];

	for (size_t i = 0; i < sizeof base - 1; i++)
		for (size_t v = 0; v < sizeof vals; v++) {
			memcpy(s, base, sizeof base);
			s[i] = (char)vals[v];
			for (unsigned f = 0; f < 8; f++) {
				ssize_t r = parse_n(s, sizeof base - 1, f, &m, why, sizeof why);
				cr_assert(r == HTTPMSG_BAD || r == HTTPMSG_INCOMPLETE ||
					  (r > 0 && (size_t)r <= sizeof base - 1),
					  "byte %zu set to %#x, flags %u: %zd", i, vals[v], f, r);
				if (r > 0 && m.decoded_len <= sizeof out)
					cr_assert_eq(httpmsg_body_copy(&m, out, sizeof out),
						     (ssize_t)m.decoded_len);
			}
		}
}
