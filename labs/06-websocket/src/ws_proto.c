/* ws_proto.c - lab 06: the pure helpers of WebSocket (RFC 6455); see ws_proto.h for what
 * each one must do. `make test` runs their unit tests (tests/test_ws_proto.c). */
#include "ws_proto.h"

#include <openssl/sha.h>
#include <string.h>
#include <strings.h>

size_t ws_base64_encode(const uint8_t *in, size_t n, char *out)
{
	/* TODO(lab06): Step 2. Three bytes make four characters of the alphabet
	 * A-Z a-z 0-9 + /; pad the last group with '='. See "The opening handshake". */
	(void)in, (void)n;
	out[0] = '\0';
	return 0;
}

int ws_base64_decode(const char *in, size_t n, uint8_t *out, size_t outsz)
{
	/* TODO(lab06): Step 2. The reverse: groups of four characters, '=' only at the end,
	 * and the bits the padding hides must be zero. */
	(void)in, (void)n, (void)out, (void)outsz;
	return -1;
}

bool ws_is_valid_key(const char *key, size_t keylen)
{
	/* TODO(lab06): Step 2. 24 characters, ending in "==", decoding to 16 bytes. */
	(void)key, (void)keylen;
	return false;
}

int ws_accept_key(const char *key, size_t keylen, char *out)
{
	/* TODO(lab06): Step 2. SHA1() of the key followed by WS_GUID, then base64 of the
	 * 20-byte digest. */
	(void)key, (void)keylen;
	out[0] = '\0';
	return -1;
}

size_t ws_header_encode(uint8_t *out, bool fin, unsigned opcode, const uint8_t *key,
			uint64_t len)
{
	/* TODO(lab06): Step 3. FIN and opcode in the first byte; MASK and the length in the
	 * second (7 bits, or 126 + 16 bits, or 127 + 64 bits, big-endian); then the key. */
	(void)out, (void)fin, (void)opcode, (void)key, (void)len;
	return 0;
}

int ws_header_decode(const uint8_t *buf, size_t n, struct ws_header *h)
{
	/* TODO(lab06): Step 3. The reverse of ws_header_encode: 0 until the whole header is
	 * there, -1 for a 64-bit length with its top bit set. */
	(void)buf, (void)n, (void)h;
	return -1;
}

void ws_mask(uint8_t *p, size_t n, const uint8_t key[4], uint64_t offset)
{
	/* TODO(lab06): Step 3. p[i] ^= key[(offset + i) % 4]. */
	(void)p, (void)n, (void)key, (void)offset;
}

void ws_utf8_init(struct ws_utf8 *u)
{
	memset(u, 0, sizeof *u);
}

bool ws_utf8_feed(struct ws_utf8 *u, const uint8_t *p, size_t n)
{
	/* TODO(lab06): Step 5. See "UTF-8": lead bytes, continuation bytes, and no overlong
	 * form, surrogate or code point above U+10FFFF. */
	(void)u, (void)p, (void)n;
	return false;
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
	/* TODO(lab06): Step 6. The ranges in "Closing". */
	(void)code;
	return false;
}

bool ws_has_token(const char *value, size_t n, const char *token)
{
	/* TODO(lab06): Step 2. Split at commas, trim spaces, compare ignoring case. */
	(void)value, (void)n, (void)token;
	return false;
}
