/* esc.c - escaped, bounded previews of untrusted bytes and first-difference offsets. */
#include "esc.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

/* The escaped form of byte c into e (at most 4 chars plus NUL); returns its length. */
static size_t esc_one(uint8_t c, char e[5])
{
	static const char hex[] = "0123456789abcdef";
	const char *named = NULL;
	switch (c) {
	case '\n': named = "\\n"; break;
	case '\r': named = "\\r"; break;
	case '\t': named = "\\t"; break;
	case '\\': named = "\\\\"; break;
	case '"': named = "\\\""; break;
	default: break;
	}
	if (named) {
		memcpy(e, named, 3);
		return 2;
	}
	if (c >= 0x20 && c < 0x7f) {
		e[0] = (char)c;
		e[1] = '\0';
		return 1;
	}
	e[0] = '\\';
	e[1] = 'x';
	e[2] = hex[c >> 4];
	e[3] = hex[c & 15];
	e[4] = '\0';
	return 4;
}

char *esc_bytes(const void *p, size_t n, size_t max, char *out, size_t outsz)
{
	const uint8_t *b = p;
	if (!out || outsz == 0)
		return out;
	size_t take = n < max ? n : max;
	if (!b)
		take = 0;
	bool cut = n > take;
	size_t pos = 0;
	/* Room kept back for the closing quote, "..." and the NUL. */
	size_t reserve = 1 + 3 + 1;
	if (outsz < 2 + reserve) {
		/* Too small for any byte: as much of an empty preview as fits. */
		const char *s = n ? "\"\"..." : "\"\"";
		size_t k = strlen(s) < outsz - 1 ? strlen(s) : outsz - 1;
		memcpy(out, s, k);
		out[k] = '\0';
		return out;
	}
	out[pos++] = '"';
	for (size_t i = 0; i < take; i++) {
		char e[5];
		size_t k = esc_one(b[i], e);
		/* The last byte needs no room for "..." unless max cut the input. */
		size_t need = (i + 1 == take && !cut) ? 2 : reserve;
		if (pos + k + need > outsz) {
			cut = true;
			break;
		}
		memcpy(out + pos, e, k);
		pos += k;
	}
	out[pos++] = '"';
	if (cut) {
		memcpy(out + pos, "...", 3);
		pos += 3;
	}
	out[pos] = '\0';
	return out;
}

size_t esc_first_diff(const void *a, size_t na, const void *b, size_t nb)
{
	const uint8_t *x = a, *y = b;
	size_t n = na < nb ? na : nb;
	for (size_t i = 0; i < n; i++)
		if (x[i] != y[i])
			return i;
	return na == nb ? (size_t)-1 : n;
}

/* Length of the valid UTF-8 sequence at p (n bytes left), or 0 (RFC 3629: no overlong
 * forms, no surrogates, nothing past U+10FFFF). */
static size_t utf8_len(const unsigned char *p, size_t n)
{
	unsigned c = p[0];
	size_t len;
	uint32_t cp;

	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf) {
		len = 2;
		cp = c & 0x1f;
	} else if (c >= 0xe0 && c <= 0xef) {
		len = 3;
		cp = c & 0x0f;
	} else if (c >= 0xf0 && c <= 0xf4) {
		len = 4;
		cp = c & 0x07;
	} else {
		return 0;
	}
	if (n < len)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (p[i] & 0x3f);
	}
	if ((len == 3 && cp < 0x800) || (len == 4 && (cp < 0x10000 || cp > 0x10ffff)) ||
	    (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	/* C1 controls (U+0080..U+009F) act as escapes on some terminals. */
	if (cp >= 0x80 && cp <= 0x9f)
		return 0;
	return len;
}

size_t esc_text(const char *in, size_t n, char *out, size_t outsz)
{
	const unsigned char *p = (const unsigned char *)in;
	size_t o = 0;

	if (outsz == 0)
		return 0;
	for (size_t i = 0; i < n;) {
		size_t len = utf8_len(p + i, n - i);
		bool plain = len > 1 || (len == 1 && (p[i] >= 0x20 || p[i] == '\n' || p[i] == '\t') &&
					 p[i] != 0x7f);
		if (plain) {
			if (o + len >= outsz)
				break;
			memcpy(out + o, p + i, len);
			o += len;
			i += len;
		} else {
			if (o + 4 >= outsz)
				break;
			snprintf(out + o, 5, "\\x%02x", p[i]);
			o += 4;
			i++;
		}
	}
	out[o] = '\0';
	return o;
}
