/* http_parse.c - lab 04: pure HTTP/1.1 parsing helpers (RFC 9112, RFC 9110).
 *
 * Every function here works on bytes in memory: no sockets, no files. That makes them easy
 * to test on their own: `make test` runs tests/test_http_parse.c against them. The exact
 * contract of each function is in http_parse.h; write them in Step 2 of ../README.md.
 * Until a function is written it returns an error, so the tests fail. */
#define _POSIX_C_SOURCE 200809L

#include "http_parse.h"

#include <stdio.h>
#include <string.h>
#include <strings.h> /* strncasecmp, strcasecmp: header names ignore case */

int hp_parse_request_line(const char *line, size_t len, struct hp_request_line *rl)
{
	/* TODO(lab04): Step 2. method SP request-target SP HTTP-version, exactly one space
	 * each. The method is a token (letters, digits, !#$%&'*+-.^_`|~), the target visible
	 * ASCII, the version "HTTP/" digit "." digit. See "The request line" in README.md. */
	(void)line, (void)len, (void)rl;
	return -1;
}

int hp_parse_header(const char *line, size_t len, struct hp_header *h)
{
	/* TODO(lab04): Step 2. Name (a token) ":" value; trim spaces and tabs around the value;
	 * refuse control characters. See "Headers and Host" in README.md. */
	(void)line, (void)len, (void)h;
	return -1;
}

bool hp_is_header(const struct hp_header *h, const char *name)
{
	/* TODO(lab04): Step 2. Compare h's name with `name`, ignoring case (strncasecmp). */
	(void)h, (void)name;
	return false;
}

bool hp_has_token(const char *value, size_t len, const char *token)
{
	/* TODO(lab04): Step 2. Split the value at commas, trim each element, compare it with
	 * `token` ignoring case. "Connection: keep-alive, close" holds "close". */
	(void)value, (void)len, (void)token;
	return false;
}

int hp_parse_content_length(const char *value, size_t len, uint64_t *out)
{
	/* TODO(lab04): Step 2. Digits only, at least one, no sign, no overflow. */
	(void)value, (void)len, (void)out;
	return -1;
}

int hp_percent_decode(const char *in, size_t len, char *out, size_t outsz)
{
	/* TODO(lab04): Step 2. "%2e" is '.', "%2F" is '/'. Refuse a bad escape and %00. See
	 * "Paths, percent-encoding and traversal" in README.md. */
	(void)in, (void)len, (void)out, (void)outsz;
	return -1;
}

bool hp_is_safe_path(const char *path)
{
	/* TODO(lab04): Step 2. Starts with '/', and no segment between slashes is "..". */
	(void)path;
	return false;
}

const char *hp_content_type(const char *path)
{
	/* TODO(lab04): Step 2. The table in "Content types" in README.md; the extension is
	 * after the last '.' of the last segment. Must never return NULL once written. */
	(void)path;
	return NULL;
}

/* Given: the reason phrases this lab uses (RFC 9110 section 15). */
const char *hp_reason(int code)
{
	switch (code) {
	case 100: return "Continue";
	case 200: return "OK";
	case 400: return "Bad Request";
	case 403: return "Forbidden";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 408: return "Request Timeout";
	case 414: return "URI Too Long";
	case 431: return "Request Header Fields Too Large";
	case 500: return "Internal Server Error";
	case 501: return "Not Implemented";
	case 505: return "HTTP Version Not Supported";
	default: return "Unknown";
	}
}

int hp_parse_status_line(const char *line, size_t len, int *code)
{
	/* TODO(lab04): Step 7. "HTTP/1.x" SP three digits, then SP and a reason (possibly
	 * empty, possibly missing). See "Status codes" in README.md. */
	(void)line, (void)len, (void)code;
	return -1;
}

int hp_parse_chunk_size(const char *line, size_t len, uint64_t *size)
{
	/* TODO(lab04): Step 8. Hex digits, then optional spaces, then nothing or ';' and
	 * extensions you ignore. See "Message bodies: Content-Length and chunked". */
	(void)line, (void)len, (void)size;
	return -1;
}

int hp_parse_url(const char *url, struct hp_url *u)
{
	/* TODO(lab04): Step 7. http://host[:port][/path][?query]; "[::1]" for IPv6; port 80
	 * by default; snprintf the port into u->port_str for getaddrinfo. See "The contract". */
	(void)url, (void)u;
	return -1;
}
