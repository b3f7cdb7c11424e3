/* fuzz_pkt.c - libFuzzer target for pkt_decode on every link type and for flow_set_add.
 *
 * Build and run (clang):
 *   clang -g -O1 -fsanitize=fuzzer,address -Iharness tests/fuzz/fuzz_pkt.c \
 *         harness/pkt.c harness/flow.c harness/esc.c -lpcap -o build/fuzz_pkt
 *   build/fuzz_pkt -max_total_time=60
 *
 * The input is the frame itself for pkt_decode; for flows it is cut into frames, each
 * preceded by a one-byte length, all fed to one flow set of the link type named by the
 * first byte. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "esc.h"
#include "flow.h"
#include "pkt.h"

static const int linktypes[] = { 1, 113, 276, 12, 101, 228, 229, 0, 108 };
enum { NLINKTYPES = sizeof linktypes / sizeof linktypes[0] };

/* A heap copy of exactly n bytes, so the sanitizer sees any read past the end. */
static uint8_t *dup_bytes(const uint8_t *p, size_t n)
{
	uint8_t *c = malloc(n ? n : 1);
	if (c && n)
		memcpy(c, p, n);
	return c;
}

static void decode_all(const uint8_t *data, size_t size)
{
	uint8_t *frame = dup_bytes(data, size);
	if (!frame)
		return;
	for (size_t i = 0; i < NLINKTYPES; i++) {
		struct pkt p;
		char why[96];
		if (pkt_decode(linktypes[i], frame, size, 1, &p, why, sizeof why) == 0 &&
		    (p.proto == PKT_TCP || p.proto == PKT_UDP)) {
			/* The payload must lie inside the frame. */
			if (p.len && (p.payload < frame || p.payload + p.len > frame + size))
				abort();
			char prev[64];
			esc_bytes(p.payload, p.len, 16, prev, sizeof prev);
			char a[64];
			pkt_addr_str(&p.src, a, sizeof a);
		}
	}
	free(frame);
}

/* Ethernet and IPv4 headers for a TCP segment, so flows get past decoding often. */
static size_t tcp_prefix(uint8_t *out, size_t l4len)
{
	static const uint8_t eth_ip[34] = {
		2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1, 0x08, 0x00,
		0x45, 0, 0, 0, 0, 0, 0x40, 0, 64, 6, 0, 0, 127, 0, 0, 1, 127, 0, 0, 1,
	};
	memcpy(out, eth_ip, sizeof eth_ip);
	size_t total = 20 + l4len;
	out[16] = (uint8_t)(total >> 8);
	out[17] = (uint8_t)total;
	return sizeof eth_ip;
}

static void flows(const uint8_t *data, size_t size)
{
	if (size < 1)
		return;
	/* Odd first bytes: raw frames on a chosen link type; even: TCP bodies wrapped in
	 * Ethernet/IPv4 so the reassembly code sees mostly valid segments. */
	bool wrap = (data[0] & 1) == 0;
	int lt = wrap ? 1 : linktypes[(data[0] >> 1) % NLINKTYPES];
	struct flow_set *fs = flow_set_new(lt);
	if (!fs)
		return;
	size_t off = 1;
	int64_t ts = 1000;
	while (off < size) {
		size_t n = data[off++];
		if (n > size - off)
			n = size - off;
		uint8_t buf[34 + 256];
		size_t m = 0;
		if (wrap)
			m = tcp_prefix(buf, n);
		memcpy(buf + m, data + off, n);
		uint8_t *frame = dup_bytes(buf, m + n);
		if (!frame)
			break;
		flow_set_add(fs, frame, m + n, ts);
		free(frame);
		ts += 1000;
		off += n;
	}
	for (size_t i = 0; i < fs->ntcp; i++) {
		const struct flow_tcp *f = &fs->tcp[i];
		for (int d = 0; d < 2; d++) {
			if (f->half[d].len > f->half[d].bytes_seen)
				abort();
			flow_time_of(f, d, 0);
			flow_data_segs(f, d);
		}
		flow_tcp_find(fs, f->cli.port, f->srv.port);
	}
	flow_set_free(fs);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	decode_all(data, size);
	flows(data, size);
	return 0;
}
