/* esc.c - escaped, bounded previews of untrusted bytes and first-difference offsets. */
#include "esc.h"

#include <stdbool.h>
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
