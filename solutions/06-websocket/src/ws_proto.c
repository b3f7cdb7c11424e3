/* ws_proto.c - lab 06: the pure helpers of WebSocket (RFC 6455); see ws_proto.h. */
#include "ws_proto.h"

#include <openssl/sha.h>
#include <string.h>
#include <strings.h>

static const char B64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

size_t ws_base64_encode(const uint8_t *in, size_t n, char *out)
{
	size_t o = 0;

	for (size_t i = 0; i < n; i += 3) {
		uint32_t v = (uint32_t)in[i] << 16;
		if (i + 1 < n)
			v |= (uint32_t)in[i + 1] << 8;
		if (i + 2 < n)
			v |= in[i + 2];
		out[o++] = B64[(v >> 18) & 63];
		out[o++] = B64[(v >> 12) & 63];
		out[o++] = i + 1 < n ? B64[(v >> 6) & 63] : '=';
		out[o++] = i + 2 < n ? B64[v & 63] : '=';
	}
	out[o] = '\0';
	return o;
}

static int b64_value(char ch)
{
	const char *p = ch ? strchr(B64, ch) : NULL;
	return p ? (int)(p - B64) : -1;
}

int ws_base64_decode(const char *in, size_t n, uint8_t *out, size_t outsz)
{
	size_t o = 0;

	if (n % 4 != 0)
		return -1;
	for (size_t i = 0; i < n; i += 4) {
		int v[4];
		int pad = 0;
		for (int k = 0; k < 4; k++) {
			if (in[i + k] == '=' && i + 4 == n && k >= 2) {
				v[k] = 0;
				pad++;
			} else if (pad > 0 || (v[k] = b64_value(in[i + k])) < 0) {
				return -1;      /* a character after '=', or not base64 at all */
			}
		}
		uint32_t w = (uint32_t)v[0] << 18 | (uint32_t)v[1] << 12 | (uint32_t)v[2] << 6 |
			     (uint32_t)v[3];
		/* Canonical form: the bits the padding hides must be zero. */
		if ((pad == 1 && (w & 0xFF)) || (pad == 2 && (w & 0xFFFF)))
			return -1;
		size_t bytes = 3 - (size_t)pad;
		if (o + bytes > outsz)
			return -1;
		for (size_t k = 0; k < bytes; k++)
			out[o++] = (uint8_t)(w >> (16 - 8 * k));
	}
	return (int)o;
}

bool ws_is_valid_key(const char *key, size_t keylen)
{
	uint8_t raw[18];

	return keylen == 24 && key[22] == '=' && key[23] == '=' &&
	       ws_base64_decode(key, keylen, raw, sizeof raw) == 16;
}

int ws_accept_key(const char *key, size_t keylen, char *out)
{
	char buf[256 + sizeof WS_GUID];
	uint8_t digest[SHA_DIGEST_LENGTH];

	if (keylen > 256)
		return -1;
	memcpy(buf, key, keylen);
	memcpy(buf + keylen, WS_GUID, sizeof WS_GUID - 1);
	SHA1((const unsigned char *)buf, keylen + sizeof WS_GUID - 1, digest);
	ws_base64_encode(digest, sizeof digest, out);
	return 0;
}

size_t ws_header_encode(uint8_t *out, bool fin, unsigned opcode, const uint8_t *key,
			uint64_t len)
{
	size_t n = 2;

	out[0] = (uint8_t)((fin ? 0x80 : 0) | (opcode & 0x0F));
	out[1] = key ? 0x80 : 0;
	if (len <= 125) {
		out[1] |= (uint8_t)len;
	} else if (len <= 0xFFFF) {
		out[1] |= 126;
		out[2] = (uint8_t)(len >> 8);
		out[3] = (uint8_t)len;
		n = 4;
	} else {
		out[1] |= 127;
		for (int i = 0; i < 8; i++)
			out[2 + i] = (uint8_t)(len >> (56 - 8 * i));
		n = 10;
	}
	if (key) {
		memcpy(out + n, key, 4);
		n += 4;
	}
	return n;
}

int ws_header_decode(const uint8_t *buf, size_t n, struct ws_header *h)
{
	size_t need = 2;

	if (n < 2)
		return 0;
	h->fin = buf[0] & 0x80;
	h->rsv = (buf[0] >> 4) & 0x07;
	h->opcode = buf[0] & 0x0F;
	h->masked = buf[1] & 0x80;
	unsigned len7 = buf[1] & 0x7F;
	size_t extra = len7 == 126 ? 2 : len7 == 127 ? 8 : 0;
	need += extra + (h->masked ? 4 : 0);
	if (n < need)
		return 0;
	if (extra == 0) {
		h->len = len7;
	} else {
		h->len = 0;
		for (size_t i = 0; i < extra; i++)
			h->len = h->len << 8 | buf[2 + i];
		if (extra == 8 && (h->len >> 63))
			return -1;      /* section 5.2: the most significant bit must be 0 */
	}
	if (h->masked)
		memcpy(h->key, buf + 2 + extra, 4);
	else
		memset(h->key, 0, 4);
	return (int)need;
}

void ws_mask(uint8_t *p, size_t n, const uint8_t key[4], uint64_t offset)
{
	for (size_t i = 0; i < n; i++)
		p[i] ^= key[(offset + i) & 3];
}

void ws_utf8_init(struct ws_utf8 *u)
{
	memset(u, 0, sizeof *u);
}

bool ws_utf8_feed(struct ws_utf8 *u, const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		uint8_t b = p[i];
		if (u->need == 0) {
			if (b < 0x80)
				continue;
			if (b >= 0xC2 && b <= 0xDF) {           /* 0xC0, 0xC1: always overlong */
				u->need = 1, u->cp = b & 0x1F, u->min = 0x80;
			} else if (b >= 0xE0 && b <= 0xEF) {
				u->need = 2, u->cp = b & 0x0F, u->min = 0x800;
			} else if (b >= 0xF0 && b <= 0xF4) {
				u->need = 3, u->cp = b & 0x07, u->min = 0x10000;
			} else {
				return false;
			}
			continue;
		}
		if ((b & 0xC0) != 0x80)
			return false;
		u->cp = u->cp << 6 | (b & 0x3F);
		u->need--;
		/* Judge as early as possible: the first continuation byte already tells an
		 * overlong form, a surrogate or a code point past U+10FFFF. */
		uint32_t lo = u->cp << (6 * u->need);
		uint32_t hi = lo | ((1u << (6 * u->need)) - 1);
		if (hi < u->min || lo > 0x10FFFF || (lo >= 0xD800 && hi <= 0xDFFF))
			return false;
		if (u->need == 0 && (u->cp < u->min || u->cp > 0x10FFFF ||
				     (u->cp >= 0xD800 && u->cp <= 0xDFFF)))
			return false;
	}
	return true;
}

bool ws_utf8_complete(const struct ws_utf8 *u)
{
	return u->need == 0;
}

bool ws_is_utf8(const uint8_t *p, size_t n)
{
	struct ws_utf8 u;

	ws_utf8_init(&u);
	return ws_utf8_feed(&u, p, n) && ws_utf8_complete(&u);
}

bool ws_is_valid_close_code(unsigned code)
{
	return (code >= 1000 && code <= 1003) || (code >= 1007 && code <= 1014) ||
	       (code >= 3000 && code <= 4999);
}

bool ws_has_token(const char *value, size_t n, const char *token)
{
	size_t tlen = strlen(token);
	size_t i = 0;

	while (i < n) {
		while (i < n && (value[i] == ' ' || value[i] == '\t' || value[i] == ','))
			i++;
		size_t start = i;
		while (i < n && value[i] != ',')
			i++;
		size_t end = i;
		while (end > start && (value[end - 1] == ' ' || value[end - 1] == '\t'))
			end--;
		if (end - start == tlen && strncasecmp(value + start, token, tlen) == 0)
			return true;
	}
	return false;
}
