/* test_ws_proto.c: unit tests for the pure helpers in src/ws_proto.c (run: make test). */
#define _POSIX_C_SOURCE 200809L

#include <criterion/criterion.h>
#include <string.h>

#include "ws_proto.h"

/* A C string literal as bytes + length. */
#define B(lit) (const uint8_t *)(lit), (sizeof(lit) - 1)
/* The same for the helpers that take text. */
#define S(lit) (lit), (sizeof(lit) - 1)

/* ---- base64 ---- */

Test(base64, encodes_rfc4648_vectors)
{
	static const char *const in[] = { "", "f", "fo", "foo", "foob", "fooba", "foobar" };
	static const char *const out[] = { "", "Zg==", "Zm8=", "Zm9v", "Zm9vYg==", "Zm9vYmE=",
					   "Zm9vYmFy" };
	for (size_t i = 0; i < 7; i++) {
		char buf[16];
		size_t n = ws_base64_encode((const uint8_t *)in[i], strlen(in[i]), buf);
		cr_expect_str_eq(buf, out[i], "base64(\"%s\"): expected %s, got %s", in[i], out[i], buf);
		cr_expect_eq(n, strlen(out[i]), "base64(\"%s\"): expected length %zu, got %zu", in[i],
			     strlen(out[i]), n);
	}
}

Test(base64, every_byte_value_round_trips)
{
	uint8_t raw[256], back[256];
	char text[400];
	for (int i = 0; i < 256; i++)
		raw[i] = (uint8_t)i;
	size_t n = ws_base64_encode(raw, sizeof raw, text);
	int m = ws_base64_decode(text, n, back, sizeof back);
	cr_assert_eq(m, 256, "decoding the encoding of 0..255: expected 256 bytes, got %d", m);
	cr_expect(memcmp(raw, back, 256) == 0, "0..255 did not round-trip through base64");
}

Test(base64, decode_refuses_bad_text)
{
	uint8_t out[32];
	static const char *const bad[] = { "Zm9", "Zm9v!", "Z===", "Zg=a", "Zh==", " Zm9v", "Zm=v" };
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
		cr_expect_eq(ws_base64_decode(bad[i], strlen(bad[i]), out, sizeof out), -1,
			     "\"%s\" is not canonical base64: expected -1", bad[i]);
}

/* ---- the handshake keys (RFC 6455 section 1.3) ---- */

Test(handshake, accept_key_of_the_rfc_example)
{
	char out[WS_ACCEPT_LEN + 1];
	const char *key = "dGhlIHNhbXBsZSBub25jZQ==";
	cr_assert_eq(ws_accept_key(key, strlen(key), out), 0);
	cr_expect_str_eq(out, "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=",
			 "accept key of the RFC's example: expected s3pPLMBiTxaQ9kYGzzhZRbK+xOo=, got %s",
			 out);
}

Test(handshake, valid_and_invalid_keys)
{
	cr_expect(ws_is_valid_key(S("dGhlIHNhbXBsZSBub25jZQ==")), "the RFC's key is valid");
	cr_expect(!ws_is_valid_key(S("dGhlIHNhbXBsZSBub25jZQ")), "22 characters: invalid");
	cr_expect(!ws_is_valid_key(S("dGhlIHNhbXBsZSBub25jZSE=")), "17 bytes: invalid");
	cr_expect(!ws_is_valid_key(S("dGhlIHNhbXBsZSBub25j!Q==")), "a '!' is not base64");
	cr_expect(!ws_is_valid_key(S("")), "empty: invalid");
}

Test(handshake, connection_tokens)
{
	cr_expect(ws_has_token(S("Upgrade"), "upgrade"));
	cr_expect(ws_has_token(S("keep-alive, Upgrade"), "upgrade"), "keep-alive, Upgrade holds upgrade");
	cr_expect(ws_has_token(S("keep-alive ,  UPGRADE  "), "upgrade"));
	cr_expect(!ws_has_token(S("keep-alive"), "upgrade"));
	cr_expect(!ws_has_token(S("upgrades"), "upgrade"), "upgrades is another token");
}

/* ---- frame headers (section 5.2) ---- */

static void round_trip(uint64_t len, size_t want_hl, const uint8_t *want2)
{
	uint8_t h[WS_MAX_HEADER];
	const uint8_t key[4] = { 1, 2, 3, 4 };
	struct ws_header d;

	size_t hl = ws_header_encode(h, true, WS_BINARY, NULL, len);
	cr_assert_eq(hl, want_hl, "length %llu, unmasked: expected a %zu-byte header, got %zu",
		     (unsigned long long)len, want_hl, hl);
	cr_expect_eq(h[0], 0x82, "FIN + binary: expected 0x82, got 0x%02x", h[0]);
	cr_expect_eq(h[1], want2[0], "length %llu: expected second byte 0x%02x, got 0x%02x",
		     (unsigned long long)len, want2[0], h[1]);
	for (size_t i = 2; i < want_hl; i++)
		cr_expect_eq(h[i], want2[i - 1], "length %llu: byte %zu", (unsigned long long)len, i);
	for (size_t n = 0; n < hl; n++)
		cr_expect_eq(ws_header_decode(h, n, &d), 0, "a %zu-byte prefix is incomplete", n);
	cr_assert_eq(ws_header_decode(h, hl, &d), (int)hl);
	cr_expect_eq(d.len, len, "decoded length: expected %llu, got %llu",
		     (unsigned long long)len, (unsigned long long)d.len);
	cr_expect(d.fin && d.opcode == WS_BINARY && !d.masked && d.rsv == 0);

	hl = ws_header_encode(h, false, WS_TEXT, key, len);
	cr_assert_eq(hl, want_hl + 4, "masked: 4 more bytes");
	cr_assert_eq(ws_header_decode(h, hl, &d), (int)hl);
	cr_expect(!d.fin && d.opcode == WS_TEXT && d.masked && d.len == len);
	cr_expect(memcmp(d.key, key, 4) == 0, "the mask key comes back");
}

Test(frame, length_0)
{
	round_trip(0, 2, (const uint8_t[]){ 0 });
}

Test(frame, length_125_is_7_bits)
{
	round_trip(125, 2, (const uint8_t[]){ 125 });
}

Test(frame, length_126_is_16_bits)
{
	round_trip(126, 4, (const uint8_t[]){ 126, 0, 126 });
}

Test(frame, length_65535_is_16_bits)
{
	round_trip(65535, 4, (const uint8_t[]){ 126, 0xFF, 0xFF });
}

Test(frame, length_65536_is_64_bits)
{
	round_trip(65536, 10, (const uint8_t[]){ 127, 0, 0, 0, 0, 0, 1, 0, 0 });
}

Test(frame, reserved_bits_and_opcode_are_reported)
{
	struct ws_header d;
	const uint8_t h[] = { 0x7B, 0x80, 1, 2, 3, 4 };   /* RSV1-3, opcode 0xB, masked, 0 */
	cr_assert_eq(ws_header_decode(h, sizeof h, &d), 6);
	cr_expect_eq(d.rsv, 7, "RSV1-3 all set: expected 7, got %u", d.rsv);
	cr_expect_eq(d.opcode, 0xB, "opcode: expected 0xB, got 0x%x", d.opcode);
	cr_expect(!d.fin);
}

Test(frame, top_bit_of_64_bit_length_is_an_error)
{
	struct ws_header d;
	const uint8_t h[] = { 0x82, 127, 0x80, 0, 0, 0, 0, 0, 0, 1 };
	cr_expect_eq(ws_header_decode(h, sizeof h, &d), -1, "a 64-bit length with the top bit set");
}

Test(frame, mask_is_its_own_inverse_at_any_offset)
{
	const uint8_t key[4] = { 0x37, 0xfa, 0x21, 0x3d };
	uint8_t p[] = "Hello";
	ws_mask(p, 5, key, 0);
	/* RFC 6455 section 5.7: "Hello" masked with 37 fa 21 3d. */
	cr_expect(memcmp(p, "\x7f\x9f\x4d\x51\x58", 5) == 0, "the RFC's masked \"Hello\"");
	ws_mask(p, 2, key, 0);
	ws_mask(p + 2, 3, key, 2);
	cr_expect(memcmp(p, "Hello", 5) == 0, "unmasking in two pieces (offset 2)");
}

/* ---- UTF-8 (RFC 3629) ---- */

Test(utf8, valid_text)
{
	cr_expect(ws_is_utf8(B("")), "empty");
	cr_expect(ws_is_utf8(B("plain ASCII")));
	cr_expect(ws_is_utf8(B("\xce\xba\xe1\xbd\xb9\xcf\x83\xce\xbc\xce\xb5")), "kosme in Greek");
	cr_expect(ws_is_utf8(B("\xef\xbf\xbf")), "U+FFFF");
	cr_expect(ws_is_utf8(B("\xf4\x8f\xbf\xbf")), "U+10FFFF, the last code point");
	cr_expect(ws_is_utf8(B("\xed\x9f\xbf")), "U+D7FF, just before the surrogates");
}

Test(utf8, overlong_forms)
{
	cr_expect(!ws_is_utf8(B("\xc0\xaf")), "'/' in two bytes");
	cr_expect(!ws_is_utf8(B("\xc1\xbf")), "U+007F in two bytes");
	cr_expect(!ws_is_utf8(B("\xe0\x80\xaf")), "'/' in three bytes");
	cr_expect(!ws_is_utf8(B("\xe0\x9f\xbf")), "U+07FF in three bytes");
	cr_expect(!ws_is_utf8(B("\xf0\x80\x80\xaf")), "'/' in four bytes");
	cr_expect(!ws_is_utf8(B("\xf0\x8f\xbf\xbf")), "U+FFFF in four bytes");
}

Test(utf8, surrogates_and_beyond)
{
	cr_expect(!ws_is_utf8(B("\xed\xa0\x80")), "U+D800");
	cr_expect(!ws_is_utf8(B("\xed\xbf\xbf")), "U+DFFF");
	cr_expect(!ws_is_utf8(B("\xf4\x90\x80\x80")), "U+110000");
	cr_expect(!ws_is_utf8(B("\xf5\x80\x80\x80")), "a lead byte 0xF5");
	cr_expect(!ws_is_utf8(B("\xff")), "0xFF");
}

Test(utf8, truncated_and_stray_bytes)
{
	cr_expect(!ws_is_utf8(B("\xce")), "a lead byte alone");
	cr_expect(!ws_is_utf8(B("\x80")), "a continuation byte alone");
	cr_expect(!ws_is_utf8(B("\xe1\xbd")), "three-byte form cut short");
	cr_expect(!ws_is_utf8(B("\xce" "a")), "ASCII where a continuation should be");
}

Test(utf8, a_code_point_split_between_fragments)
{
	struct ws_utf8 u;
	ws_utf8_init(&u);
	cr_expect(ws_utf8_feed(&u, B("ab\xf0\x9f")), "the first half of U+1F600 may still be valid");
	cr_expect(!ws_utf8_complete(&u), "it is not complete yet");
	cr_expect(ws_utf8_feed(&u, B("\x98\x80")), "the second half");
	cr_expect(ws_utf8_complete(&u), "now it is");
}

Test(utf8, fails_as_soon_as_it_cannot_be_valid)
{
	struct ws_utf8 u;
	ws_utf8_init(&u);
	cr_expect(!ws_utf8_feed(&u, B("\xed\xa0")), "the first two bytes of a surrogate");
	ws_utf8_init(&u);
	cr_expect(!ws_utf8_feed(&u, B("\xf4\x90")), "the first two bytes past U+10FFFF");
}

/* ---- close codes (section 7.4) ---- */

Test(close, valid_and_invalid_codes)
{
	static const unsigned ok[] = { 1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 3000,
				       3999, 4000, 4999 };
	static const unsigned bad[] = { 0, 999, 1004, 1005, 1006, 1015, 1016, 1100, 2000, 2999,
					5000, 65535 };
	for (size_t i = 0; i < sizeof ok / sizeof *ok; i++)
		cr_expect(ws_is_valid_close_code(ok[i]), "%u is a valid close code", ok[i]);
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
		cr_expect(!ws_is_valid_close_code(bad[i]), "%u is not a valid close code", bad[i]);
}
