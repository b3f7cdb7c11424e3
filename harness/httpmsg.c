/* httpmsg.c - reading HTTP/1.1 messages out of a byte stream (RFC 9112 sections 2-7). */
#include "httpmsg.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#define MAX_HEX_DIGITS 15      /* chunk sizes below 2^60: no overflow when adding 2 */
#define MAX_DEC_DIGITS 18      /* Content-Length below 10^18 */

struct rd {
	const char *p;
	size_t len;
	char *why;
	size_t whylen;
};

__attribute__((format(printf, 2, 3)))
static ssize_t bad(struct rd *r, const char *fmt, ...)
{
	va_list ap;

	if (r->why && r->whylen) {
		va_start(ap, fmt);
		vsnprintf(r->why, r->whylen, fmt, ap);
		va_end(ap);
	}
	return HTTPMSG_BAD;
}

static bool is_tchar(unsigned char ch)
{
	return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
	       (ch && strchr("!#$%&'*+-.^_`|~", ch));
}

static bool is_digit(unsigned char ch) { return ch >= '0' && ch <= '9'; }

static int hex_value(unsigned char ch)
{
	if (is_digit(ch))
		return ch - '0';
	if (ch >= 'a' && ch <= 'f')
		return ch - 'a' + 10;
	if (ch >= 'A' && ch <= 'F')
		return ch - 'A' + 10;
	return -1;
}

/* Field-value characters: HTAB, SP, VCHAR, obs-text (RFC 9110 section 5.5). */
static bool is_vchar_or_ws(unsigned char ch)
{
	return ch == '\t' || (ch >= 0x20 && ch != 0x7f);
}

/* The line starting at off: its length without CRLF, and in *next where the following line
 * starts. INCOMPLETE when no CRLF has arrived yet; BAD for a bare LF or a CR not before LF. */
static ssize_t line_at(struct rd *r, size_t off, size_t *next)
{
	for (size_t i = off; i < r->len; i++) {
		if (r->p[i] == '\n')
			return bad(r, "a bare LF (no CR before it) at byte %zu", i);
		if (r->p[i] == '\r') {
			if (i + 1 == r->len)
				return HTTPMSG_INCOMPLETE;
			if (r->p[i + 1] != '\n')
				return bad(r, "a CR not followed by LF at byte %zu", i);
			*next = i + 2;
			return (ssize_t)(i - off);
		}
	}
	return HTTPMSG_INCOMPLETE;
}

/* "HTTP/d.d" at s (8 bytes available). */
static bool parse_version(const char *s, int *major, int *minor)
{
	if (memcmp(s, "HTTP/", 5) != 0 || !is_digit((unsigned char)s[5]) || s[6] != '.' ||
	    !is_digit((unsigned char)s[7]))
		return false;
	*major = s[5] - '0';
	*minor = s[7] - '0';
	return true;
}

static ssize_t parse_request_line(struct rd *r, const char *s, size_t n, struct httpmsg *m)
{
	size_t i = 0;

	while (i < n && is_tchar((unsigned char)s[i]))
		i++;
	if (i == 0 || i == n || s[i] != ' ')
		return bad(r, "the request line does not start with a method token and one space");
	m->method = s;
	m->method_len = i;
	size_t t = ++i;
	while (i < n && (unsigned char)s[i] > 0x20 && (unsigned char)s[i] < 0x7f)
		i++;
	if (i == t || i == n || s[i] != ' ')
		return bad(r, "the request target is empty, holds a control character or a second "
			   "space, or no space follows it");
	m->target = s + t;
	m->target_len = i - t;
	i++;
	if (n - i != 8 || !parse_version(s + i, &m->major, &m->minor))
		return bad(r, "the request line does not end with HTTP/<digit>.<digit>");
	return 0;
}

static ssize_t parse_status_line(struct rd *r, const char *s, size_t n, struct httpmsg *m)
{
	if (n < 13 || !parse_version(s, &m->major, &m->minor) || s[8] != ' ')
		return bad(r, "the status line does not start with HTTP/<digit>.<digit> and a space");
	if (!is_digit((unsigned char)s[9]) || !is_digit((unsigned char)s[10]) ||
	    !is_digit((unsigned char)s[11]) || s[12] != ' ')
		return bad(r, "the status line has no three-digit code followed by a space");
	m->status = (s[9] - '0') * 100 + (s[10] - '0') * 10 + (s[11] - '0');
	for (size_t i = 13; i < n; i++)
		if (!is_vchar_or_ws((unsigned char)s[i]))
			return bad(r, "a control character in the reason phrase");
	m->reason = s + 13;
	m->reason_len = n - 13;
	return 0;
}

/* One field line "name: value" at s[0..n). */
static ssize_t parse_field(struct rd *r, size_t at, const char *s, size_t n,
			   struct httpmsg_field *f)
{
	size_t i = 0;

	if (s[0] == ' ' || s[0] == '\t')
		return bad(r, "obsolete line folding (a line starting with a space) at byte %zu", at);
	while (i < n && is_tchar((unsigned char)s[i]))
		i++;
	if (i == n || !memchr(s + i, ':', n - i))
		return bad(r, "a header line without a colon at byte %zu", at);
	if (s[i] != ':')
		return bad(r, "%s at byte %zu", i == 0 ? "a header line with no field name"
				: s[i] == ' ' || s[i] == '\t' ? "whitespace before the colon"
				: "a character not allowed in a field name", at + i);
	if (i == 0)
		return bad(r, "a header line with no field name at byte %zu", at);
	f->name = s;
	f->name_len = i;
	size_t v = i + 1, e = n;
	for (size_t k = v; k < n; k++)
		if (!is_vchar_or_ws((unsigned char)s[k]))
			return bad(r, "a control character (0x%02x) in a field value at byte %zu",
				   (unsigned char)s[k], at + k);
	while (v < e && (s[v] == ' ' || s[v] == '\t'))
		v++;
	while (e > v && (s[e - 1] == ' ' || s[e - 1] == '\t'))
		e--;
	f->value = s + v;
	f->value_len = e - v;
	return 0;
}

/* Field lines from *pos up to and including the empty line. */
static ssize_t parse_fields(struct rd *r, size_t *pos, struct httpmsg_field *out, size_t *n)
{
	for (;;) {
		size_t next;
		ssize_t l = line_at(r, *pos, &next);
		if (l < 0)
			return l;
		if (l == 0) {
			*pos = next;
			return 0;
		}
		if (*n == HTTPMSG_MAX_HEADERS)
			return bad(r, "more than %d header lines", HTTPMSG_MAX_HEADERS);
		ssize_t rc = parse_field(r, *pos, r->p + *pos, (size_t)l, &out[*n]);
		if (rc < 0)
			return rc;
		(*n)++;
		*pos = next;
	}
}

static bool name_is(const struct httpmsg_field *f, const char *name)
{
	return f->name_len == strlen(name) && strncasecmp(f->name, name, f->name_len) == 0;
}

/* The last element of a comma-separated value, trimmed. */
static void last_element(const struct httpmsg_field *f, const char **s, size_t *n)
{
	size_t b = f->value_len;

	while (b > 0 && f->value[b - 1] != ',')
		b--;
	while (b < f->value_len && (f->value[b] == ' ' || f->value[b] == '\t'))
		b++;
	size_t e = f->value_len;
	while (e > b && (f->value[e - 1] == ' ' || f->value[e - 1] == '\t'))
		e--;
	*s = f->value + b;
	*n = e - b;
}

/* RFC 9112 section 6.3. */
static ssize_t decide_framing(struct rd *r, unsigned flags, struct httpmsg *m)
{
	const struct httpmsg_field *te = NULL;
	bool have_cl = false;

	for (size_t i = 0; i < m->nfields; i++) {
		const struct httpmsg_field *f = &m->fields[i];
		if (name_is(f, "Transfer-Encoding")) {
			te = f;
		} else if (name_is(f, "Content-Length")) {
			uint64_t v = 0;
			if (f->value_len == 0 || f->value_len > MAX_DEC_DIGITS)
				return bad(r, "a Content-Length that is empty or too long");
			for (size_t k = 0; k < f->value_len; k++) {
				if (!is_digit((unsigned char)f->value[k]))
					return bad(r, "a Content-Length that is not all digits");
				v = v * 10 + (uint64_t)(f->value[k] - '0');
			}
			if (have_cl && v != m->content_length)
				return bad(r, "two different Content-Length values");
			have_cl = true;
			m->content_length = v;
		}
	}
	bool request = flags & HTTPMSG_REQUEST;
	if (!request && ((flags & HTTPMSG_HEAD) || m->status / 100 == 1 || m->status == 204 ||
			 m->status == 304)) {
		m->framing = HTTPMSG_NOBODY;
		return 0;
	}
	if (te) {
		const char *s;
		size_t n;
		last_element(te, &s, &n);
		if (n == 7 && strncasecmp(s, "chunked", 7) == 0)
			m->framing = HTTPMSG_CHUNKED;
		else if (request)
			return bad(r, "a request whose Transfer-Encoding does not end with chunked");
		else
			m->framing = HTTPMSG_CLOSE;
		return 0;
	}
	if (have_cl)
		m->framing = HTTPMSG_LENGTH;
	else
		m->framing = request ? HTTPMSG_NOBODY : HTTPMSG_CLOSE;
	return 0;
}

/* A chunked body from *pos (RFC 9112 section 7.1). With out, copies the data there (the
 * parse has succeeded before). Returns 0 with *pos after the last CRLF. */
static ssize_t walk_chunks(struct rd *r, size_t *pos, struct httpmsg *m, uint8_t *out)
{
	uint64_t total = 0;

	for (;;) {
		size_t next;
		ssize_t l = line_at(r, *pos, &next);
		if (l < 0)
			return l;
		const char *s = r->p + *pos;
		size_t i = 0;
		uint64_t size = 0;
		while (i < (size_t)l && hex_value((unsigned char)s[i]) >= 0) {
			if (i == MAX_HEX_DIGITS)
				return bad(r, "a chunk size of more than %d hex digits at byte %zu",
					   MAX_HEX_DIGITS, *pos);
			size = size * 16 + (uint64_t)hex_value((unsigned char)s[i]);
			i++;
		}
		if (i == 0)
			return bad(r, "a chunk size line without a hex size at byte %zu", *pos);
		while (i < (size_t)l && (s[i] == ' ' || s[i] == '\t'))
			i++;
		if (i < (size_t)l && s[i] != ';')
			return bad(r, "a chunk size followed by something other than ';' at byte %zu",
				   *pos + i);
		for (; i < (size_t)l; i++)
			if (!is_vchar_or_ws((unsigned char)s[i]))
				return bad(r, "a control character in a chunk extension at byte %zu",
					   *pos + i);
		*pos = next;
		if (size == 0)
			break;
		if (r->len - *pos < size + 2)
			return HTTPMSG_INCOMPLETE;
		if (out)
			memcpy(out + total, r->p + *pos, (size_t)size);
		total += size;
		*pos += (size_t)size;
		if (r->p[*pos] != '\r' || r->p[*pos + 1] != '\n')
			return bad(r, "chunk data not followed by CRLF at byte %zu", *pos);
		*pos += 2;
	}
	m->decoded_len = total;
	m->ntrailers = 0;
	return parse_fields(r, pos, m->trailers, &m->ntrailers);
}

ssize_t httpmsg_parse(const void *buf, size_t len, unsigned flags, struct httpmsg *m,
		      char *why, size_t whylen)
{
	struct rd r = { .p = buf, .len = len, .why = why, .whylen = whylen };
	size_t pos = 0, next;
	ssize_t rc;

	memset(m, 0, sizeof *m);
	if (why && whylen)
		why[0] = '\0';
	ssize_t l = line_at(&r, 0, &next);
	if (l < 0)
		return l;
	m->start_line = r.p;
	m->start_line_len = (size_t)l;
	rc = flags & HTTPMSG_REQUEST ? parse_request_line(&r, r.p, (size_t)l, m)
				     : parse_status_line(&r, r.p, (size_t)l, m);
	if (rc < 0)
		return rc;
	pos = next;
	if ((rc = parse_fields(&r, &pos, m->fields, &m->nfields)) < 0)
		return rc;
	if ((rc = decide_framing(&r, flags, m)) < 0)
		return rc;
	m->head_len = pos;
	m->body = (const uint8_t *)r.p + pos;
	switch (m->framing) {
	case HTTPMSG_NOBODY:
		break;
	case HTTPMSG_LENGTH:
		if ((uint64_t)(len - pos) < m->content_length)
			return HTTPMSG_INCOMPLETE;
		pos += (size_t)m->content_length;
		m->decoded_len = m->content_length;
		break;
	case HTTPMSG_CLOSE:
		if (!(flags & HTTPMSG_EOF))
			return HTTPMSG_INCOMPLETE;
		m->decoded_len = len - pos;
		pos = len;
		break;
	case HTTPMSG_CHUNKED:
		if ((rc = walk_chunks(&r, &pos, m, NULL)) < 0)
			return rc;
		break;
	}
	m->body_len = pos - m->head_len;
	return (ssize_t)pos;
}

const struct httpmsg_field *httpmsg_header(const struct httpmsg *m, const char *name, size_t nth)
{
	for (size_t i = 0; i < m->nfields; i++)
		if (name_is(&m->fields[i], name) && nth-- == 0)
			return &m->fields[i];
	return NULL;
}

size_t httpmsg_count(const struct httpmsg *m, const char *name)
{
	size_t n = 0;

	for (size_t i = 0; i < m->nfields; i++)
		n += name_is(&m->fields[i], name);
	return n;
}

bool httpmsg_has_token(const struct httpmsg *m, const char *name, const char *token)
{
	size_t tl = strlen(token);
	const struct httpmsg_field *f;

	for (size_t k = 0; (f = httpmsg_header(m, name, k)) != NULL; k++) {
		size_t i = 0;
		while (i < f->value_len) {
			size_t b = i, e;
			while (i < f->value_len && f->value[i] != ',')
				i++;
			e = i++;
			while (b < e && (f->value[b] == ' ' || f->value[b] == '\t'))
				b++;
			while (e > b && (f->value[e - 1] == ' ' || f->value[e - 1] == '\t'))
				e--;
			if (e - b == tl && strncasecmp(f->value + b, token, tl) == 0)
				return true;
		}
	}
	return false;
}

ssize_t httpmsg_body_copy(const struct httpmsg *m, void *out, size_t outsz)
{
	if (m->decoded_len > outsz)
		return -1;
	if (m->framing != HTTPMSG_CHUNKED) {
		if (m->decoded_len)
			memcpy(out, m->body, (size_t)m->decoded_len);
		return (ssize_t)m->decoded_len;
	}
	/* Walk the chunks again, this time copying; they parsed before, so no errors. */
	struct rd r = { .p = (const char *)m->body, .len = m->body_len };
	struct httpmsg tmp;
	size_t pos = 0;
	if (walk_chunks(&r, &pos, &tmp, out) < 0)
		return -1;
	return (ssize_t)tmp.decoded_len;
}
