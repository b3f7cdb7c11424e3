/* ws_proto.h - lab 06: the pure helpers of WebSocket (RFC 6455), shared by ws_server and
 * ws_client: base64, the accept key, frame headers, masking, UTF-8 and close codes.
 * None of them touches a socket, so tests/test_ws_proto.c can test each one alone. */
#ifndef WS_PROTO_H
#define WS_PROTO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Opcodes (RFC 6455 section 5.2). */
enum {
	WS_CONT = 0x0,
	WS_TEXT = 0x1,
	WS_BINARY = 0x2,
	WS_CLOSE = 0x8,
	WS_PING = 0x9,
	WS_PONG = 0xA,
};

/* Close codes used by this lab (section 7.4.1). */
enum {
	WS_CLOSE_NORMAL = 1000,
	WS_CLOSE_GOING_AWAY = 1001,
	WS_CLOSE_PROTOCOL = 1002,
	WS_CLOSE_BAD_DATA = 1007,
	WS_CLOSE_TOO_BIG = 1009,
};

#define WS_GUID "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
#define WS_MAX_HEADER 14        /* 2 + 8 bytes of length + 4 bytes of mask key */
#define WS_ACCEPT_LEN 28        /* base64 of a 20-byte SHA-1 */

/* A decoded frame header. */
struct ws_header {
	bool fin;
	unsigned rsv;           /* RSV1..RSV3 as bits 2..0 */
	unsigned opcode;
	bool masked;
	uint8_t key[4];         /* when masked */
	uint64_t len;           /* payload length */
};

/* Base64 (RFC 4648 section 4, with '=' padding) of in[0..n) into out, NUL-terminated;
 * out must hold 4 * ((n + 2) / 3) + 1 bytes. Returns the length written (without NUL). */
size_t ws_base64_encode(const uint8_t *in, size_t n, char *out);

/* Decode n base64 characters (padding required, no spaces) into out (outsz bytes).
 * Returns the number of bytes, or -1 if the text is not canonical base64 or out is small. */
int ws_base64_decode(const char *in, size_t n, uint8_t *out, size_t outsz);

/* Whether key (keylen bytes) is a valid Sec-WebSocket-Key: 24 base64 characters ending in
 * "==" that decode to 16 bytes (section 4.2.1). */
bool ws_is_valid_key(const char *key, size_t keylen);

/* Sec-WebSocket-Accept for key: base64(SHA-1(key + WS_GUID)) (section 4.2.2), into out
 * (at least WS_ACCEPT_LEN + 1 bytes). Returns 0, or -1 if key is longer than 256 bytes. */
int ws_accept_key(const char *key, size_t keylen, char *out);

/* Encode a frame header into out (WS_MAX_HEADER bytes) with the shortest length form:
 * 7 bits up to 125, 126 + 16 bits up to 65535, else 127 + 64 bits. key is NULL for an
 * unmasked frame. Returns the header length (2 to 14). */
size_t ws_header_encode(uint8_t *out, bool fin, unsigned opcode, const uint8_t *key,
			uint64_t len);

/* Decode the frame header at the start of buf[0..n). Returns its length (2 to 14) and
 * fills *h; 0 if buf holds only a part of it (read more); -1 if a 64-bit length has its
 * top bit set (section 5.2). */
int ws_header_decode(const uint8_t *buf, size_t n, struct ws_header *h);

/* XOR p[0..n) with key, where p starts at byte offset of the payload (section 5.3). */
void ws_mask(uint8_t *p, size_t n, const uint8_t key[4], uint64_t offset);

/* An incremental UTF-8 validator (RFC 3629): rejects overlong forms, surrogates
 * (U+D800..U+DFFF) and code points above U+10FFFF. A code point may be split between two
 * calls, as between two fragments of a message. */
struct ws_utf8 {
	unsigned need;          /* continuation bytes still expected */
	uint32_t cp;            /* the code point so far */
	uint32_t min;           /* the smallest code point its length may encode */
};

void ws_utf8_init(struct ws_utf8 *u);
/* Feed bytes; false as soon as they cannot be the start of valid UTF-8. */
bool ws_utf8_feed(struct ws_utf8 *u, const uint8_t *p, size_t n);
/* Whether the text fed so far ends on a whole code point. */
bool ws_utf8_complete(const struct ws_utf8 *u);
/* p[0..n) is valid UTF-8 as a whole. */
bool ws_is_utf8(const uint8_t *p, size_t n);

/* A close code a peer may send (section 7.4): 1000-1003, 1007-1014, 3000-4999. */
bool ws_is_valid_close_code(unsigned code);

/* Whether a comma-separated header value (n bytes) holds token, ignoring case and the
 * spaces around each element ("keep-alive, Upgrade" holds "upgrade"). */
bool ws_has_token(const char *value, size_t n, const char *token);

#endif
