/* wsframe.c - WebSocket frames (RFC 6455 section 5.2); see wsframe.h. */
#include "wsframe.h"

#include <limits.h>
#include <openssl/evp.h>
#include <openssl/sha.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

ssize_t wsframe_parse(const void *buf, size_t len, struct wsframe *f, char *why, size_t whylen)
{
	const uint8_t *b = buf;
	size_t need = 2, extra;

	memset(f, 0, sizeof *f);
	if (len < 2)
		return WSFRAME_INCOMPLETE;
	f->fin = b[0] & 0x80;
	f->rsv = (b[0] >> 4) & 7;
	f->opcode = b[0] & 0x0F;
	f->masked = b[1] & 0x80;
	unsigned len7 = b[1] & 0x7F;
	extra = len7 == 126 ? 2 : len7 == 127 ? 8 : 0;
	need += extra + (f->masked ? 4 : 0);
	if (len < need)
		return WSFRAME_INCOMPLETE;
	f->len = len7;
	if (extra) {
		f->len = 0;
		for (size_t i = 0; i < extra; i++)
			f->len = f->len << 8 | b[2 + i];
	}
	if (extra == 8 && (f->len >> 63)) {
		if (why)
			snprintf(why, whylen, "a 64-bit payload length with its most significant bit "
				 "set (0x%016llx)", (unsigned long long)f->len);
		return WSFRAME_BAD;
	}
	f->minimal = extra == 0 || (extra == 2 && f->len > 125) || (extra == 8 && f->len > 0xFFFF);
	if (f->masked)
		memcpy(f->key, b + 2 + extra, 4);
	f->head_len = need;
	if (f->len > (uint64_t)(SSIZE_MAX - need)) {
		if (why)
			snprintf(why, whylen, "a payload length of %llu bytes",
				 (unsigned long long)f->len);
		return WSFRAME_BAD;
	}
	if (len - need < f->len)
		return WSFRAME_INCOMPLETE;
	f->payload = b + need;
	return (ssize_t)(need + f->len);
}

void wsframe_unmask(const struct wsframe *f, uint8_t *out)
{
	for (uint64_t i = 0; i < f->len; i++)
		out[i] = f->payload[i] ^ (f->masked ? f->key[i & 3] : 0);
}

size_t wsframe_header(uint8_t *out, bool fin, unsigned rsv, unsigned opcode,
		      const uint8_t *key, uint64_t len, int len_bits)
{
	size_t n = 2;

	if (len_bits == 0)
		len_bits = len <= 125 ? 7 : len <= 0xFFFF ? 16 : 64;
	out[0] = (uint8_t)((fin ? 0x80 : 0) | (rsv & 7) << 4 | (opcode & 0x0F));
	out[1] = key ? 0x80 : 0;
	if (len_bits == 7) {
		out[1] |= (uint8_t)(len & 0x7F);
	} else if (len_bits == 16) {
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

uint8_t *wsframe_build(bool fin, unsigned rsv, unsigned opcode, const uint8_t *key,
		       const void *payload, size_t len, size_t *outlen)
{
	uint8_t h[WSFRAME_MAX_HEADER];
	size_t hl = wsframe_header(h, fin, rsv, opcode, key, len, 0);
	uint8_t *out = malloc(hl + len + 1);

	if (!out)
		return NULL;
	memcpy(out, h, hl);
	if (len)
		memcpy(out + hl, payload, len);
	if (key)
		for (size_t i = 0; i < len; i++)
			out[hl + i] ^= key[i & 3];
	*outlen = hl + len;
	return out;
}

void wsframe_accept(const char *key, size_t keylen, char *out)
{
	static const char guid[] = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
	uint8_t digest[SHA_DIGEST_LENGTH];
	char *buf = malloc(keylen + sizeof guid);

	if (!buf) {
		out[0] = '\0';
		return;
	}
	memcpy(buf, key, keylen);
	memcpy(buf + keylen, guid, sizeof guid - 1);
	SHA1((const unsigned char *)buf, keylen + sizeof guid - 1, digest);
	free(buf);
	EVP_EncodeBlock((unsigned char *)out, digest, sizeof digest);
}

bool wsframe_is_key(const char *key, size_t keylen)
{
	static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

	if (keylen != 24 || key[22] != '=' || key[23] != '=')
		return false;
	for (size_t i = 0; i < 22; i++)
		if (!key[i] || !strchr(b64, key[i]))
			return false;
	/* 22 characters carry 132 bits: the last 4 must be zero for 16 bytes. */
	return ((strchr(b64, key[21]) - b64) & 0x0F) == 0;
}

const char *wsframe_opname(unsigned opcode, char *buf, size_t bufsz)
{
	static const char *const names[16] = { [0x0] = "continuation", [0x1] = "text",
		[0x2] = "binary", [0x8] = "close", [0x9] = "ping", [0xA] = "pong" };

	if (opcode < 16 && names[opcode])
		snprintf(buf, bufsz, "%s", names[opcode]);
	else
		snprintf(buf, bufsz, "reserved opcode 0x%X", opcode & 0xFFu);
	return buf;
}
