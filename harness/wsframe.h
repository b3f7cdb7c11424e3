/* wsframe.h - a reader and writer of WebSocket frames (RFC 6455 section 5.2), for judging
 * the bytes students' programs send and for the grader's scripted peers.
 *
 * The contract, whole:
 *   wsframe_parse(buf, len, f, why, whylen) reads one frame starting at buf[0].
 *   - Returns the length of the whole frame (header and payload, >= 2): the next frame
 *     starts at buf[ret]. WSFRAME_INCOMPLETE when buf[0..len) is a proper prefix of a frame
 *     (every proper prefix of a frame gives this). WSFRAME_BAD when the bytes can be no
 *     frame: a 64-bit length with its top bit set, or a length that does not fit in memory;
 *     a one-line reason goes into why.
 *   - Reports, never judges, what a caller decides on: RSV bits, opcode, MASK, FIN, control
 *     frames over 125 bytes, non-minimal length encodings (f->minimal says).
 *   - Never reads outside buf[0..len), never allocates, never writes outside *f and why;
 *     f->payload points into buf, masked as sent.
 * wsframe_unmask() copies a parsed payload unmasked; wsframe_header() writes a header with
 * any bits (for malformed frames on purpose); wsframe_build() a whole frame.
 * wsframe_accept() is Sec-WebSocket-Accept for a key (section 4.2.2, SHA-1 from libcrypto). */
#ifndef WIRELAB_WSFRAME_H
#define WIRELAB_WSFRAME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define WSFRAME_BAD        (-1)
#define WSFRAME_INCOMPLETE (-2)
#define WSFRAME_MAX_HEADER 14
#define WSFRAME_ACCEPT_LEN 28

enum {
	WS_OP_CONT = 0x0,
	WS_OP_TEXT = 0x1,
	WS_OP_BINARY = 0x2,
	WS_OP_CLOSE = 0x8,
	WS_OP_PING = 0x9,
	WS_OP_PONG = 0xA,
};

struct wsframe {
	bool fin;
	unsigned rsv;               /* RSV1..RSV3 as bits 2..0 */
	unsigned opcode;
	bool masked;
	uint8_t key[4];             /* when masked */
	uint64_t len;               /* payload length */
	bool minimal;               /* the length used its shortest encoding */
	size_t head_len;            /* 2 to 14 */
	const uint8_t *payload;     /* into buf, as sent (masked when masked) */
};

ssize_t wsframe_parse(const void *buf, size_t len, struct wsframe *f, char *why, size_t whylen);

/* Copy f's payload into out (f->len bytes), unmasked. */
void wsframe_unmask(const struct wsframe *f, uint8_t *out);

/* A header into out (WSFRAME_MAX_HEADER bytes): the shortest length form unless
 * len_bits forces 7, 16 or 64 (0: shortest); key NULL for an unmasked frame. Returns its
 * length. */
size_t wsframe_header(uint8_t *out, bool fin, unsigned rsv, unsigned opcode,
		      const uint8_t *key, uint64_t len, int len_bits);

/* A whole frame, malloc'd (*outlen bytes): the header as wsframe_header (shortest form),
 * then payload masked with key when key is not NULL. NULL when out of memory. */
uint8_t *wsframe_build(bool fin, unsigned rsv, unsigned opcode, const uint8_t *key,
		       const void *payload, size_t len, size_t *outlen);

/* Sec-WebSocket-Accept of key (keylen bytes) into out (WSFRAME_ACCEPT_LEN + 1 bytes). */
void wsframe_accept(const char *key, size_t keylen, char *out);

/* Whether key is a valid Sec-WebSocket-Key: 24 base64 characters ending in "==" that
 * decode to 16 bytes (section 4.1), the bits hidden by the padding zero. */
bool wsframe_is_key(const char *key, size_t keylen);

/* A short name for an opcode ("text", "close", "reserved 0x3"), into buf. */
const char *wsframe_opname(unsigned opcode, char *buf, size_t bufsz);

#endif
