/* http_parse.c: pure HTTP/1.1 parsing helpers (RFC 9112, RFC 9110); see http_parse.h. */
#define _POSIX_C_SOURCE 200809L

#include "http_parse.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

/* tchar from RFC 9110 section 5.6.2: the characters a token (a method, a field name) may
 * hold. Written out instead of using isalnum(), which depends on the locale. */
static bool is_tchar(unsigned char c)
{
	if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))
		return true;
	return c != '\0' && strchr("!#$%&'*+-.^_`|~", c) != NULL;
}

static bool is_digit(unsigned char c)
{
	return c >= '0' && c <= '9';
}

/* Value of a hex digit, or -1. */
static int hex_value(unsigned char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* VCHAR: a visible ASCII character, what a request-target is made of. */
static bool is_vchar(unsigned char c)
{
	return c > 0x20 && c < 0x7f;
}

/* "HTTP/" DIGIT "." DIGIT (RFC 9112 section 2.3). Returns 0 and the two digits, or -1. */
static int parse_version(const char *s, size_t len, int *major, int *minor)
{
	if (len != 8 || memcmp(s, "HTTP/", 5) != 0 || !is_digit((unsigned char)s[5]) ||
	    s[6] != '.' || !is_digit((unsigned char)s[7]))
		return -1;
	*major = s[5] - '0';
	*minor = s[7] - '0';
	return 0;
}

int hp_parse_request_line(const char *line, size_t len, struct hp_request_line *rl)
{
	/* request-line = method SP request-target SP HTTP-version, single spaces (section 3). */
	const char *sp1 = memchr(line, ' ', len);
	if (sp1 == NULL || sp1 == line)
		return 400;
	size_t mlen = (size_t)(sp1 - line);
	for (size_t i = 0; i < mlen; i++)
		if (!is_tchar((unsigned char)line[i]))
			return 400;

	const char *target = sp1 + 1;
	const char *end = line + len;
	const char *sp2 = memchr(target, ' ', (size_t)(end - target));
	if (sp2 == NULL || sp2 == target)
		return 400;
	size_t tlen = (size_t)(sp2 - target);
	for (size_t i = 0; i < tlen; i++)
		if (!is_vchar((unsigned char)target[i]))
			return 400;

	int major, minor;
	if (parse_version(sp2 + 1, (size_t)(end - sp2 - 1), &major, &minor) != 0)
		return 400;
	if (major != 1 || (minor != 0 && minor != 1))
		return 505;
	if (mlen > HP_MAX_METHOD)
		return 501; /* a well-formed method, but none we know is this long */
	if (tlen > HP_MAX_REQUEST_LINE)
		return 400; /* cannot happen when len <= HP_MAX_REQUEST_LINE; kept for safety */

	memcpy(rl->method, line, mlen);
	rl->method[mlen] = '\0';
	memcpy(rl->target, target, tlen);
	rl->target[tlen] = '\0';
	rl->minor = minor;
	return 0;
}

static bool is_ows(char c)
{
	return c == ' ' || c == '\t';
}

int hp_parse_header(const char *line, size_t len, struct hp_header *h)
{
	/* field-line = field-name ":" OWS field-value OWS (RFC 9112 section 5). No whitespace is
	 * allowed between the name and the colon (section 5.1), and a line starting with
	 * whitespace is obsolete line folding, which a server rejects (section 5.2). */
	size_t i = 0;
	while (i < len && is_tchar((unsigned char)line[i]))
		i++;
	if (i == 0 || i == len || line[i] != ':')
		return -1;
	h->name = line;
	h->name_len = i;

	size_t start = i + 1, stop = len;
	while (start < stop && is_ows(line[start]))
		start++;
	while (stop > start && is_ows(line[stop - 1]))
		stop--;
	for (size_t k = start; k < stop; k++) {
		unsigned char c = (unsigned char)line[k];
		if ((c < 0x20 && c != '\t') || c == 0x7f)
			return -1; /* CR, LF, NUL and other controls are never part of a value */
	}
	h->value = line + start;
	h->value_len = stop - start;
	return 0;
}

bool hp_is_header(const struct hp_header *h, const char *name)
{
	return strlen(name) == h->name_len && strncasecmp(h->name, name, h->name_len) == 0;
}

bool hp_has_token(const char *value, size_t len, const char *token)
{
	size_t tlen = strlen(token);
	size_t i = 0;
	while (i < len) {
		/* One list element: skip spaces, take up to the next comma, trim spaces. */
		while (i < len && (is_ows(value[i]) || value[i] == ','))
			i++;
		size_t start = i;
		while (i < len && value[i] != ',')
			i++;
		size_t stop = i;
		while (stop > start && is_ows(value[stop - 1]))
			stop--;
		if (stop - start == tlen && tlen > 0 &&
		    strncasecmp(value + start, token, tlen) == 0)
			return true;
	}
	return false;
}

int hp_parse_content_length(const char *value, size_t len, uint64_t *out)
{
	if (len == 0 || len > 18) /* 18 digits stay below 2^62: no overflow to check */
		return -1;
	uint64_t n = 0;
	for (size_t i = 0; i < len; i++) {
		if (!is_digit((unsigned char)value[i]))
			return -1;
		n = n * 10 + (uint64_t)(value[i] - '0');
	}
	*out = n;
	return 0;
}

int hp_percent_decode(const char *in, size_t len, char *out, size_t outsz)
{
	if (outsz == 0)
		return -1;
	size_t o = 0;
	for (size_t i = 0; i < len; i++) {
		int c = (unsigned char)in[i];
		if (c == '%') {
			if (i + 2 >= len)
				return -1; /* fewer than two characters left */
			int hi = hex_value((unsigned char)in[i + 1]);
			int lo = hex_value((unsigned char)in[i + 2]);
			if (hi < 0 || lo < 0)
				return -1;
			c = hi * 16 + lo;
			i += 2;
		}
		if (c == 0 || o + 1 >= outsz)
			return -1; /* %00 would cut the path short in every C string function */
		out[o++] = (char)c;
	}
	out[o] = '\0';
	return (int)o;
}

bool hp_is_safe_path(const char *path)
{
	if (path[0] != '/')
		return false;
	/* Walk the segments between slashes; any ".." could climb out of the document root. */
	const char *seg = path + 1;
	for (;;) {
		const char *slash = strchr(seg, '/');
		size_t n = slash ? (size_t)(slash - seg) : strlen(seg);
		if (n == 2 && seg[0] == '.' && seg[1] == '.')
			return false;
		if (slash == NULL)
			return true;
		seg = slash + 1;
	}
}

const char *hp_content_type(const char *path)
{
	static const struct {
		const char *ext;
		const char *type;
	} types[] = {
	        {"html", "text/html; charset=utf-8"},
	        {"htm", "text/html; charset=utf-8"},
	        {"txt", "text/plain; charset=utf-8"},
	        {"css", "text/css"},
	        {"js", "text/javascript"},
	        {"json", "application/json"},
	        {"png", "image/png"},
	        {"jpg", "image/jpeg"},
	        {"jpeg", "image/jpeg"},
	        {"gif", "image/gif"},
	        {"svg", "image/svg+xml"},
	};
	/* The extension is what follows the last dot of the last segment ("a.b/c" has none). */
	const char *base = strrchr(path, '/');
	base = base ? base + 1 : path;
	const char *dot = strrchr(base, '.');
	if (dot != NULL) {
		for (size_t i = 0; i < sizeof types / sizeof types[0]; i++)
			if (strcasecmp(dot + 1, types[i].ext) == 0)
				return types[i].type;
	}
	return "application/octet-stream";
}

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
	/* status-line = HTTP-version SP status-code SP [ reason-phrase ] (RFC 9112 section 4).
	 * Some servers omit the space after the code when the reason is empty: accept that. */
	int major, minor;
	if (len < 12 || parse_version(line, 8, &major, &minor) != 0 || major != 1)
		return -1;
	if (line[8] != ' ')
		return -1;
	for (size_t i = 9; i < 12; i++)
		if (!is_digit((unsigned char)line[i]))
			return -1;
	if (len > 12 && line[12] != ' ')
		return -1;
	int c = (line[9] - '0') * 100 + (line[10] - '0') * 10 + (line[11] - '0');
	if (c < 100 || c > 599)
		return -1;
	*code = c;
	return 0;
}

int hp_parse_chunk_size(const char *line, size_t len, uint64_t *size)
{
	/* chunk-size [ chunk-ext ], chunk-ext = *( BWS ";" BWS name [ BWS "=" BWS value ] ).
	 * Extensions carry nothing we need, so everything from the first ';' on is ignored. */
	size_t i = 0;
	uint64_t n = 0;
	while (i < len && hex_value((unsigned char)line[i]) >= 0) {
		if (i == 15)
			return -1; /* 16 hex digits could overflow; no real chunk is that big */
		n = n * 16 + (uint64_t)hex_value((unsigned char)line[i]);
		i++;
	}
	if (i == 0)
		return -1;
	while (i < len && is_ows(line[i]))
		i++;
	if (i < len && line[i] != ';')
		return -1;
	*size = n;
	return 0;
}

/* Host characters we accept outside brackets: names and IPv4 addresses. */
static bool is_host_char(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || is_digit(c) || c == '-' ||
	       c == '.' || c == '_';
}

/* Parses the authority "host[:port]" or "[v6]:port" of a URL into u. Returns 0 or -1. */
static int parse_authority(const char *a, size_t len, struct hp_url *u)
{
	size_t hstart, hend, i;
	if (len > 0 && a[0] == '[') {
		const char *close = memchr(a, ']', len);
		if (close == NULL)
			return -1;
		hstart = 1;
		hend = (size_t)(close - a);
		for (size_t k = hstart; k < hend; k++)
			if (hex_value((unsigned char)a[k]) < 0 && a[k] != ':' && a[k] != '.')
				return -1;
		u->is_ipv6 = true;
		i = hend + 1;
	} else {
		hstart = 0;
		i = 0;
		while (i < len && is_host_char((unsigned char)a[i]))
			i++;
		hend = i;
		u->is_ipv6 = false;
	}
	if (hend == hstart || hend - hstart > HP_MAX_HOST)
		return -1;
	memcpy(u->host, a + hstart, hend - hstart);
	u->host[hend - hstart] = '\0';

	u->port = 80;
	if (i < len) {
		if (a[i] != ':' || i + 1 == len || len - (i + 1) > 5)
			return -1;
		int port = 0;
		for (size_t k = i + 1; k < len; k++) {
			if (!is_digit((unsigned char)a[k]))
				return -1;
			port = port * 10 + (a[k] - '0');
		}
		if (port < 1 || port > 65535)
			return -1;
		u->port = port;
	}
	snprintf(u->port_str, sizeof u->port_str, "%d", u->port);
	return 0;
}

int hp_parse_url(const char *url, struct hp_url *u)
{
	static const char scheme[] = "http://";
	if (strncasecmp(url, scheme, sizeof scheme - 1) != 0)
		return -1;
	const char *a = url + sizeof scheme - 1;
	for (const char *p = a; *p; p++)
		if (!is_vchar((unsigned char)*p))
			return -1; /* a space or control byte would break the request line */

	size_t alen = strcspn(a, "/?#");
	if (parse_authority(a, alen, u) != 0)
		return -1;

	/* The request target is the path and query, without the fragment (RFC 9110 4.2.5);
	 * an empty path is sent as "/" (RFC 9110 section 4.2.1). */
	const char *rest = a + alen;
	size_t rlen = strcspn(rest, "#");
	size_t o = 0;
	if (rest[0] != '/')
		u->target[o++] = '/';
	if (o + rlen > HP_MAX_REQUEST_LINE - 32)
		return -1; /* leave room for the method and version in the request line */
	memcpy(u->target + o, rest, rlen);
	u->target[o + rlen] = '\0';
	return 0;
}
