/* httpmsg.h - a small reader of HTTP/1.1 messages in a reassembled byte stream, for judging
 * the bytes students' programs send (RFC 9112).
 *
 * The contract, whole:
 *   httpmsg_parse(buf, len, flags, m, why, whylen) reads one message starting at buf[0].
 *   - Returns the length of the whole message (head and body, > 0): the next message of
 *     the stream (keep-alive, pipelining) starts at buf[ret]. HTTPMSG_INCOMPLETE when
 *     buf[0..len) is a proper prefix of a message that may still be valid: read more and
 *     call again with the longer buffer (every prefix of a valid message gives this,
 *     whatever the flags, except that with HTTPMSG_EOF a close-delimited body ends at
 *     len). HTTPMSG_BAD when the bytes can be no valid message; a one-line reason (with
 *     the offset) goes into why.
 *   - Strict on what a sender must do: lines end with CRLF (a bare LF is an error), the
 *     start line has exactly one SP between its parts and version HTTP/<digit>.<digit>,
 *     field names are tokens with no space before the colon, values hold no control
 *     character but HTAB, no obsolete line folding, at most HTTPMSG_MAX_HEADERS fields.
 *   - A response (the default) reads "HTTP/x.y SP 3DIGIT SP reason"; with HTTPMSG_REQUEST
 *     it reads "method SP target SP HTTP/x.y".
 *   - Body framing (RFC 9112 section 6.3): none for a response to HEAD (HTTPMSG_HEAD), for
 *     1xx, 204 and 304; else Transfer-Encoding whose last coding is chunked: chunked
 *     (extensions skipped, trailers read into the trailer fields); else Content-Length
 *     (every such field all digits and equal, or HTTPMSG_BAD); else for a response, until
 *     the end of the stream (complete only with HTTPMSG_EOF); else for a request, none. A
 *     request with a Transfer-Encoding that is not chunked is HTTPMSG_BAD.
 *   - Never reads outside buf[0..len), never allocates, never writes outside *m and why;
 *     pointers in *m point into buf and live as long as it. *m is filled as far as the
 *     parse got: after INCOMPLETE with head_len > 0 the head fields are complete (so a
 *     caller can judge a head before its body has arrived).
 * httpmsg_header() finds a field by name, ignoring case; duplicates are kept in order.
 * httpmsg_body_copy() writes the body (dechunked) into a caller's buffer. */
#ifndef WIRELAB_HTTPMSG_H
#define WIRELAB_HTTPMSG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define HTTPMSG_BAD        (-1)
#define HTTPMSG_INCOMPLETE (-2)
#define HTTPMSG_MAX_HEADERS 100

enum {
	HTTPMSG_REQUEST = 1 << 0,   /* parse a request, not a response */
	HTTPMSG_HEAD    = 1 << 1,   /* a response to HEAD: no body whatever the head says */
	HTTPMSG_EOF     = 1 << 2,   /* the stream ends at len (the sender closed) */
};

enum httpmsg_framing {
	HTTPMSG_NOBODY,             /* no body */
	HTTPMSG_LENGTH,             /* Content-Length */
	HTTPMSG_CHUNKED,            /* Transfer-Encoding: chunked */
	HTTPMSG_CLOSE,              /* until the sender closes (responses only) */
};

struct httpmsg_field {
	const char *name, *value;   /* value without surrounding spaces and tabs */
	size_t name_len, value_len;
};

struct httpmsg {
	const char *method, *target;  /* requests */
	size_t method_len, target_len;
	int status;                   /* responses: 100..999 as written */
	const char *reason;
	size_t reason_len;
	const char *start_line;       /* the first line, without its CRLF */
	size_t start_line_len;
	int major, minor;             /* HTTP/major.minor */
	struct httpmsg_field fields[HTTPMSG_MAX_HEADERS];
	size_t nfields;
	struct httpmsg_field trailers[HTTPMSG_MAX_HEADERS];
	size_t ntrailers;
	size_t head_len;              /* bytes through the empty line; 0 until it was read */
	enum httpmsg_framing framing;
	uint64_t content_length;      /* for HTTPMSG_LENGTH */
	const uint8_t *body;          /* the body as sent (chunked: with its framing) */
	size_t body_len;
	uint64_t decoded_len;         /* body bytes after dechunking */
};

ssize_t httpmsg_parse(const void *buf, size_t len, unsigned flags, struct httpmsg *m,
		      char *why, size_t whylen);

/* The nth (from 0) field named name (any case), or NULL; httpmsg_count says how many. */
const struct httpmsg_field *httpmsg_header(const struct httpmsg *m, const char *name, size_t nth);
size_t httpmsg_count(const struct httpmsg *m, const char *name);
/* Whether field name's comma-separated values hold token (any case), e.g.
 * Connection: close. */
bool httpmsg_has_token(const struct httpmsg *m, const char *name, const char *token);

/* Copy the body of a complete message (after a parse that returned > 0) into out,
 * dechunked: returns the number of bytes (decoded_len), or -1 when outsz is too small. */
ssize_t httpmsg_body_copy(const struct httpmsg *m, void *out, size_t outsz);

#endif
