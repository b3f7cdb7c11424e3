/* fuzz_ftpmsg.c - libFuzzer target for the FTP reader (ftpmsg).
 *
 * Build and run (clang):
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -Iharness tests/fuzz/fuzz_ftpmsg.c \
 *         harness/ftpmsg.c -o build/fuzz_ftpmsg
 *   build/fuzz_ftpmsg -max_total_time=60
 *
 * The first input byte picks what is read: a stream of replies, a stream of commands, or
 * one argument for each address parser. Besides memory errors, it checks the contract: a
 * reply or command lies inside the input, its text lies inside it, and every proper prefix
 * of a reply is incomplete. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ftpmsg.h"

/* A heap copy of exactly n bytes, so the sanitizer sees any read past the end. */
static char *dup_bytes(const uint8_t *p, size_t n, int nul)
{
	char *c = malloc(n + (size_t)nul + 1);
	if (c && n)
		memcpy(c, p, n);
	if (c && nul)
		c[n] = '\0';
	return c;
}

static void replies(const char *buf, size_t len)
{
	size_t off = 0;
	for (int i = 0; i < 32 && off < len; i++) {
		struct ftpmsg_reply r;
		ssize_t n = ftpmsg_reply(buf + off, len - off, &r);
		if (n <= 0)
			break;
		if ((size_t)n > len - off || r.code < 0 || r.code > 999 || r.nlines == 0 ||
		    r.text < buf + off || r.text + r.text_len > buf + off + n)
			abort();
		if (n < 2048)
			for (size_t k = 0; k < (size_t)n; k++) {
				struct ftpmsg_reply p;
				char *pre = dup_bytes((const uint8_t *)buf + off, k, 0);
				if (pre && ftpmsg_reply(pre, k, &p) != FTPMSG_INCOMPLETE)
					abort();
				free(pre);
			}
		off += (size_t)n;
	}
}

static void commands(const char *buf, size_t len)
{
	size_t off = 0;
	for (int i = 0; i < 32 && off < len; i++) {
		struct ftpmsg_cmd c;
		ssize_t n = ftpmsg_command(buf + off, len - off, &c);
		if (n <= 0)
			break;
		if ((size_t)n > len - off || !memchr(c.verb, '\0', sizeof c.verb) ||
		    (c.arg_len && (c.arg < buf + off || c.arg + c.arg_len > buf + off + n)))
			abort();
		off += (size_t)n;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size == 0)
		return 0;
	char *buf = dup_bytes(data + 1, size - 1, data[0] % 3 == 2);
	size_t len = size - 1;
	uint8_t a[4];
	uint16_t port;
	char text[64];
	int fam;

	if (!buf)
		return 0;
	switch (data[0] % 3) {
	case 0:
		replies(buf, len);
		break;
	case 1:
		commands(buf, len);
		break;
	default:
		/* The parsers take C strings: stop at the first NUL. */
		ftpmsg_parse_227(buf, a, &port);
		ftpmsg_parse_229(buf, &port);
		ftpmsg_parse_port(buf, a, &port);
		if (ftpmsg_parse_eprt(buf, &fam, text, sizeof text, &port) == 0 &&
		    (fam < 1 || fam > 2 || !memchr(text, '\0', sizeof text)))
			abort();
		break;
	}
	free(buf);
	return 0;
}
