/* test_wsframe.c - the WebSocket frame reader and writer (harness/wsframe.c) and the
 * scripted peers (harness/wspeer.c): RFC 6455's own examples, every length form, every
 * prefix incomplete, malformed lengths; a scripted client and server talking over a
 * socketpair, including a first frame in the segment of the 101. */
#define _DEFAULT_SOURCE
#include <criterion/criterion.h>
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "wsframe.h"
#include "wspeer.h"

Test(wsframe, rfc_examples_of_section_5_7)
{
	/* A single-frame unmasked text message, then the same masked. */
	static const uint8_t plain[] = { 0x81, 0x05, 'H', 'e', 'l', 'l', 'o' };
	static const uint8_t masked[] = { 0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51,
					  0x58 };
	struct wsframe f;
	uint8_t out[5];
	char why[128];

	cr_assert_eq(wsframe_parse(plain, sizeof plain, &f, why, sizeof why), 7);
	cr_expect(f.fin && f.opcode == WS_OP_TEXT && !f.masked && f.len == 5 && f.minimal);
	cr_assert_eq(wsframe_parse(masked, sizeof masked, &f, why, sizeof why), 11);
	cr_expect(f.masked && f.head_len == 6, "masked: a 6-byte header, got %zu", f.head_len);
	wsframe_unmask(&f, out);
	cr_expect(memcmp(out, "Hello", 5) == 0, "the masked example unmasks to Hello");
}

Test(wsframe, every_length_form_round_trips_and_every_prefix_is_incomplete)
{
	static const size_t sizes[] = { 0, 1, 125, 126, 127, 65535, 65536, 70000 };
	static const uint8_t key[4] = { 1, 2, 3, 4 };
	static const size_t heads[] = { 6, 6, 6, 8, 8, 8, 14, 14 };

	for (size_t i = 0; i < sizeof sizes / sizeof *sizes; i++) {
		uint8_t *p = malloc(sizes[i] + 1), *back = malloc(sizes[i] + 1);
		size_t n;
		cr_assert(p && back);
		for (size_t k = 0; k < sizes[i]; k++)
			p[k] = (uint8_t)(k * 7);
		uint8_t *frame = wsframe_build(false, 5, WS_OP_BINARY, key, p, sizes[i], &n);
		struct wsframe f;
		cr_assert_eq(wsframe_parse(frame, n, &f, NULL, 0), (ssize_t)n, "length %zu", sizes[i]);
		cr_expect_eq(f.head_len, heads[i], "length %zu: expected a %zu-byte header, got %zu",
			     sizes[i], heads[i], f.head_len);
		cr_expect(!f.fin && f.rsv == 5 && f.opcode == WS_OP_BINARY && f.len == sizes[i]);
		wsframe_unmask(&f, back);
		cr_expect(memcmp(back, p, sizes[i]) == 0, "length %zu: the payload round-trips", sizes[i]);
		for (size_t k = 0; k < n; k += k < 20 ? 1 : 997)
			cr_expect_eq(wsframe_parse(frame, k, &f, NULL, 0), WSFRAME_INCOMPLETE,
				     "a %zu-byte prefix of a %zu-byte frame is incomplete", k, n);
		free(frame);
		free(p);
		free(back);
	}
}

Test(wsframe, forced_length_forms_are_reported_not_minimal)
{
	uint8_t h[WSFRAME_MAX_HEADER + 5] = { 0 };
	struct wsframe f;
	size_t hl = wsframe_header(h, true, 0, WS_OP_TEXT, NULL, 5, 64);
	cr_assert_eq(hl, 10);
	cr_assert_eq(wsframe_parse(h, hl + 5, &f, NULL, 0), (ssize_t)hl + 5);
	cr_expect(!f.minimal && f.len == 5, "5 bytes in a 64-bit length: not minimal");
}

Test(wsframe, top_bit_of_a_64_bit_length_is_bad)
{
	static const uint8_t b[] = { 0x82, 127, 0x80, 0, 0, 0, 0, 0, 0, 0 };
	struct wsframe f;
	char why[128] = "";
	cr_expect_eq(wsframe_parse(b, sizeof b, &f, why, sizeof why), WSFRAME_BAD);
	cr_expect(strstr(why, "most significant"), "the reason names the bit: %s", why);
}

Test(wsframe, accept_key_and_key_validity)
{
	char out[WSFRAME_ACCEPT_LEN + 1];
	wsframe_accept("dGhlIHNhbXBsZSBub25jZQ==", 24, out);
	cr_expect_str_eq(out, "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
	cr_expect(wsframe_is_key("dGhlIHNhbXBsZSBub25jZQ==", 24));
	cr_expect(!wsframe_is_key("dGhlIHNhbXBsZSBub25jZR==", 24), "hidden bits set");
	cr_expect(!wsframe_is_key("dGhlIHNhbXBsZSBub25jZQ=", 23));
	cr_expect(!wsframe_is_key("dGhlIHNhbXBsZSBub25j!Q==", 24));
}

Test(wsframe, opcode_names)
{
	char b[32];
	cr_expect_str_eq(wsframe_opname(WS_OP_PING, b, sizeof b), "ping");
	cr_expect_str_eq(wsframe_opname(0xB, b, sizeof b), "reserved opcode 0xB");
}

/* ---- wspeer over a socketpair ---- */

struct server_arg {
	int fd;
	char req[1024];
	int rc;
};

/* The scripted server: the 101 with a first frame in its segment, then an echo of one
 * message, then the close handshake. */
static void *server_thread(void *arg)
{
	struct server_arg *a = arg;
	struct wspeer w;
	struct wsframe f;
	char why[128];
	size_t n;
	uint8_t *first = wsframe_build(true, 0, WS_OP_TEXT, NULL, "first", 5, &n);

	wspeer_init(&w, a->fd, false, 1);
	a->rc = wspeer_server_handshake(&w, false, first, n, a->req, sizeof a->req, 2000, why,
					sizeof why);
	free(first);
	if (a->rc == 0 && wspeer_frame(&w, &f, 2000, why, sizeof why) == 1)
		wspeer_send_frame(&w, true, 0, f.opcode, f.payload, f.len, 2000);
	if (a->rc == 0 && wspeer_frame(&w, &f, 2000, why, sizeof why) == 1 && f.opcode == WS_OP_CLOSE)
		wspeer_send_close(&w, 1000, NULL, 2000);
	shutdown(w.fd, SHUT_WR);
	wspeer_close(&w);
	return NULL;
}

Test(wspeer, client_and_server_talk)
{
	int sv[2];
	pthread_t t;
	struct server_arg a = { .rc = -1 };
	struct wspeer w;
	struct httpmsg m;
	struct wsframe f;
	char why[128];

	cr_assert_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	a.fd = sv[1];
	cr_assert_eq(pthread_create(&t, NULL, server_thread, &a), 0);
	wspeer_init(&w, sv[0], true, 42);
	int hl = wspeer_client_handshake(&w, "/p", "dGhlIHNhbXBsZSBub25jZQ==", NULL, &m, 2000, why,
					 sizeof why);
	cr_assert_gt(hl, 0, "the 101: %d %s", hl, why);
	cr_expect_eq(m.status, 101);
	const struct httpmsg_field *acc = httpmsg_header(&m, "Sec-WebSocket-Accept", 0);
	cr_assert(acc && acc->value_len == 28 &&
		  memcmp(acc->value, "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=", 28) == 0, "the accept key");
	cr_assert_eq(wspeer_frame(&w, &f, 2000, why, sizeof why), 1, "the first frame: %s", why);
	cr_expect(f.len == 5 && memcmp(f.payload, "first", 5) == 0 && !f.masked);
	cr_assert_eq(wspeer_send_frame(&w, true, 0, WS_OP_BINARY, "\x00\xff", 2, 2000), 0);
	cr_assert_eq(wspeer_frame(&w, &f, 2000, why, sizeof why), 1, "the echo: %s", why);
	cr_expect(f.opcode == WS_OP_BINARY && f.len == 2 && memcmp(f.payload, "\x00\xff", 2) == 0);
	cr_assert_eq(wspeer_send_close(&w, 1000, "bye", 2000), 0);
	cr_assert_eq(wspeer_frame(&w, &f, 2000, why, sizeof why), 1);
	cr_expect(f.opcode == WS_OP_CLOSE && f.len == 2 && f.payload[0] == 0x03 && f.payload[1] == 0xE8,
		  "the answer is a close with 1000");
	cr_expect_eq(wspeer_frame(&w, &f, 2000, why, sizeof why), 0, "then the server's FIN");
	cr_expect(w.eof);
	pthread_join(t, NULL);
	cr_expect_eq(a.rc, 0);
	cr_expect(strstr(a.req, "GET /p HTTP/1.1\r\n") == a.req, "the server saw the request: %s",
		  a.req);
	wspeer_close(&w);
}

Test(wspeer, client_frames_use_fresh_keys)
{
	int sv[2];
	struct wspeer w;
	uint8_t buf[256];

	cr_assert_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	wspeer_init(&w, sv[0], true, 7);
	cr_assert_eq(wspeer_send_frame(&w, true, 0, WS_OP_TEXT, "a", 1, 1000), 0);
	cr_assert_eq(wspeer_send_frame(&w, true, 0, WS_OP_TEXT, "a", 1, 1000), 0);
	ssize_t n = read(sv[1], buf, sizeof buf);
	cr_assert_eq(n, 14, "two masked 1-byte frames are 14 bytes, got %zd", n);
	cr_expect(buf[1] & 0x80, "masked");
	cr_expect(memcmp(buf + 2, buf + 9, 4) != 0, "the two keys differ");
	wspeer_close(&w);
	close(sv[1]);
}

Test(wspeer, garbage_is_no_frame_and_silence_times_out)
{
	int sv[2];
	struct wspeer w;
	struct wsframe f;
	char why[128];
	static const uint8_t bad[] = { 0x82, 127, 0xff, 0, 0, 0, 0, 0, 0, 0 };

	cr_assert_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	wspeer_init(&w, sv[0], false, 1);
	cr_expect_eq(wspeer_frame(&w, &f, 50, why, sizeof why), -ETIMEDOUT);
	cr_assert_eq(write(sv[1], bad, sizeof bad), (ssize_t)sizeof bad);
	cr_expect_eq(wspeer_frame(&w, &f, 1000, why, sizeof why), -EPROTO);
	wspeer_close(&w);
	close(sv[1]);
}
