/* fuzz_httpmsg.c - libFuzzer target for httpmsg_parse and the field helpers.
 *
 * Build and run (clang):
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -Iharness tests/fuzz/fuzz_httpmsg.c \
 *         harness/httpmsg.c -o build/fuzz_httpmsg
 *   build/fuzz_httpmsg -max_total_time=60
 *
 * The first input byte picks the flags; the rest is a byte stream read message after
 * message, as the grader reads a keep-alive connection. Besides memory errors, it checks
 * the contract: a message lies inside the input, its parts lie inside the message, every
 * proper prefix of a message is incomplete, and a dechunked body has the announced length. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "httpmsg.h"

/* A heap copy of exactly n bytes, so the sanitizer sees any read past the end. */
static char *dup_bytes(const uint8_t *p, size_t n)
{
	char *c = malloc(n ? n : 1);
	if (c && n)
		memcpy(c, p, n);
	return c;
}

static void inside(const void *p, size_t n, const char *lo, size_t len)
{
	const char *q = p;
	if (n && (!q || q < lo || q + n > lo + len))
		abort();
}

static void check_message(const char *buf, size_t len, unsigned flags, const struct httpmsg *m,
			  ssize_t r)
{
	size_t n = (size_t)r;

	if (n > len || m->head_len > n || m->head_len == 0)
		abort();
	inside(m->start_line, m->start_line_len, buf, n);
	inside(m->body, m->body_len, buf, n);
	if (m->head_len + m->body_len != n)
		abort();
	for (size_t i = 0; i < m->nfields; i++) {
		inside(m->fields[i].name, m->fields[i].name_len, buf, n);
		inside(m->fields[i].value, m->fields[i].value_len, buf, n);
	}
	httpmsg_count(m, "Content-Length");
	httpmsg_has_token(m, "Connection", "close");
	httpmsg_header(m, "transfer-encoding", 1);
	if (m->decoded_len <= 1 << 16) {
		char *out = malloc(m->decoded_len ? (size_t)m->decoded_len : 1);
		if (out && httpmsg_body_copy(m, out, (size_t)m->decoded_len) != (ssize_t)m->decoded_len)
			abort();
		free(out);
	}
	/* Proper prefixes are incomplete (a close-delimited body may end anywhere at EOF). */
	if (!(flags & HTTPMSG_EOF) && n < 4096) {
		for (size_t k = 0; k < n; k++) {
			struct httpmsg p;
			char *pre = dup_bytes((const uint8_t *)buf, k);
			if (pre && httpmsg_parse(pre, k, flags, &p, NULL, 0) != HTTPMSG_INCOMPLETE)
				abort();
			free(pre);
		}
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size == 0)
		return 0;
	unsigned flags = data[0] & (HTTPMSG_REQUEST | HTTPMSG_HEAD | HTTPMSG_EOF);
	char *buf = dup_bytes(data + 1, size - 1);
	size_t len = size - 1, off = 0;
	static struct httpmsg m;
	char why[128];

	if (!buf)
		return 0;
	for (int i = 0; i < 16 && off < len; i++) {
		ssize_t r = httpmsg_parse(buf + off, len - off, flags, &m, why, sizeof why);
		if (r == HTTPMSG_BAD && !memchr(why, '\0', sizeof why))
			abort();
		if (r <= 0)
			break;
		check_message(buf + off, len - off, flags, &m, r);
		off += (size_t)r;
	}
	free(buf);
	return 0;
}
