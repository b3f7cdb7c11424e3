/* http_parse.h: pure HTTP/1.1 parsing helpers shared by http_server and http_client.
 *
 * Everything here works on bytes in memory: no sockets, no files, no globals, so each
 * function can be unit-tested on its own (tests/test_http_parse.c). References are to
 * RFC 9112 (HTTP/1.1 message syntax) and RFC 9110 (HTTP semantics).
 *
 * Conventions: a "line" is passed as a pointer and a length, WITHOUT its CRLF (or LF).
 * Functions never read past line[len - 1] and never need a terminating NUL in the input.
 * Pointers returned inside structs point into the caller's input and live as long as it.
 */
#ifndef HTTP_PARSE_H
#define HTTP_PARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Limits of the lab's contract: a request line over 8 KiB is answered 414, a header
 * section over 16 KiB is answered 431 (RFC 9112 section 3, RFC 6585 section 5). */
#define HP_MAX_REQUEST_LINE   8192
#define HP_MAX_HEADER_SECTION 16384
#define HP_MAX_METHOD         32
#define HP_MAX_HOST           255

/* A parsed request line: method SP request-target SP HTTP-version (RFC 9112 section 3). */
struct hp_request_line {
	char method[HP_MAX_METHOD + 1];
	char target[HP_MAX_REQUEST_LINE + 1];
	int minor; /* 0 for HTTP/1.0, 1 for HTTP/1.1 */
};

/* Parses a request line. Returns 0 when it is well formed with version HTTP/1.0 or
 * HTTP/1.1, 505 when it is well formed with another version (HTTP/2.0), 501 when the method
 * is a valid token too long to be one we know, and 400 for anything malformed. */
int hp_parse_request_line(const char *line, size_t len, struct hp_request_line *rl);

/* One header field line split into name and value, both pointing into the line. */
struct hp_header {
	const char *name;
	size_t name_len;
	const char *value; /* without leading and trailing spaces or tabs */
	size_t value_len;
};

/* Parses `name: value` (RFC 9112 section 5). Returns 0, or -1 when the name is not a
 * token, there is whitespace before the colon, there is no colon, or the value holds a
 * control character (a bare CR, a NUL). A line starting with a space (obsolete line
 * folding) is rejected too. */
int hp_parse_header(const char *line, size_t len, struct hp_header *h);

/* Whether the header's name is `name`, ignoring case (field names are case-insensitive). */
bool hp_is_header(const struct hp_header *h, const char *name);

/* Whether a comma-separated list value (Connection, Transfer-Encoding) holds `token`,
 * ignoring case and the spaces around list elements (RFC 9110 section 5.6.1). */
bool hp_has_token(const char *value, size_t len, const char *token);

/* Parses a Content-Length value: 1*DIGIT, nothing else (RFC 9110 section 8.6). Returns 0,
 * or -1 when it is empty, not all digits, or too large for 62 bits. */
int hp_parse_content_length(const char *value, size_t len, uint64_t *out);

/* Percent-decodes in[0..len) into out (RFC 3986 section 2.1), NUL-terminated. Returns the
 * decoded length, or -1 for a `%` not followed by two hex digits, a decoded NUL byte, or
 * a result that does not fit in outsz bytes (with its NUL). */
int hp_percent_decode(const char *in, size_t len, char *out, size_t outsz);

/* Whether a decoded path is safe to append to the document root: it starts with `/`, and
 * no segment between slashes is `..`. (Symbolic links are the server's job: realpath.) */
bool hp_is_safe_path(const char *path);

/* The Content-Type for a file name, chosen by its extension (ignoring case); unknown or no
 * extension gives application/octet-stream. Never NULL. */
const char *hp_content_type(const char *path);

/* The reason phrase for a status code this lab uses ("Not Found"), or "Unknown". */
const char *hp_reason(int code);

/* Parses a status line: HTTP-version SP 3DIGIT [SP reason-phrase] (RFC 9112 section 4).
 * Returns 0 and the code (100..599), or -1 when malformed or not HTTP/1.x. */
int hp_parse_status_line(const char *line, size_t len, int *code);

/* Parses a chunk-size line: 1*HEXDIG, optional spaces, optional `;` extensions that are
 * ignored (RFC 9112 section 7.1.1). Returns 0 and the size, or -1 when malformed or over
 * 15 hex digits. */
int hp_parse_chunk_size(const char *line, size_t len, uint64_t *size);

/* A parsed http:// URL. */
struct hp_url {
	char host[HP_MAX_HOST + 1];           /* without brackets: "example.com", "::1" */
	bool is_ipv6;                         /* the host was written in brackets */
	int port;                             /* 1..65535, 80 when absent */
	char port_str[6];                     /* the same, as text for getaddrinfo */
	char target[HP_MAX_REQUEST_LINE + 1]; /* "/path?query", "/" when the path is empty */
};

/* Parses http://host[:port][/path][?query] (the scheme name in any case, no user info).
 * A fragment (#...) is dropped: it is never sent (RFC 9110 section 4.2.5). Returns 0, or
 * -1 for anything else, including spaces or control characters anywhere. */
int hp_parse_url(const char *url, struct hp_url *u);

#endif
