/* fuzz_wsframe.c - libFuzzer target for wsframe_parse and wsframe_unmask.
 *
 * Build and run (clang):
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -Iharness tests/fuzz/fuzz_wsframe.c \
 *         harness/wsframe.c -lcrypto -o build/fuzz_wsframe
 *   build/fuzz_wsframe -max_total_time=60
 *
 * The input is a byte stream read frame after frame, as the grader reads a connection.
 * Besides memory errors, it checks the contract: a frame lies inside the input, its header
 * is 2 to 14 bytes, every proper prefix of a frame is incomplete, and a frame written back
 * with wsframe_header and the same fields parses to the same fields. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "wsframe.h"

static void check(int cond)
{
	if (!cond)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *buf = malloc(size ? size : 1);
	size_t off = 0;

	if (!buf)
		return 0;
	memcpy(buf, data, size);
	while (off < size) {
		struct wsframe f;
		char why[160];
		ssize_t n = wsframe_parse(buf + off, size - off, &f, why, sizeof why);
		if (n < 0)
			break;
		check(n >= 2 && (size_t)n <= size - off);
		check(f.head_len >= 2 && f.head_len <= WSFRAME_MAX_HEADER);
		check((size_t)n == f.head_len + f.len);
		check(f.payload == buf + off + f.head_len);
		/* Proper prefixes (a few of them) are incomplete. */
		for (size_t k = 0; k < (size_t)n; k += 1 + k * 3) {
			struct wsframe g;
			check(wsframe_parse(buf + off, k, &g, NULL, 0) == WSFRAME_INCOMPLETE);
		}
		uint8_t *out = malloc(f.len ? f.len : 1);
		if (out) {
			wsframe_unmask(&f, out);
			free(out);
		}
		/* Written back with the same length form, the header parses the same. */
		uint8_t h[WSFRAME_MAX_HEADER];
		int bits = f.head_len - (f.masked ? 4 : 0) == 2 ? 7 : f.head_len - (f.masked ? 4 : 0) == 4
			   ? 16 : 64;
		size_t hl = wsframe_header(h, f.fin, f.rsv, f.opcode, f.masked ? f.key : NULL, f.len,
					   bits);
		check(hl == f.head_len);
		check(memcmp(h, buf + off, hl) == 0);
		off += (size_t)n;
	}
	free(buf);
	return 0;
}
