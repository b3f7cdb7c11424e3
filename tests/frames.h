/* frames.h - test helpers: build Ethernet/IPv4/IPv6/TCP/UDP/ICMP frames and record pcaps.
 *
 * Header-only (static functions) so each test binary needs nothing beyond the harness.
 * A file including it must define _DEFAULT_SOURCE before any include: pcap.h uses the BSD
 * u_char and u_int types. */
#ifndef WIRELAB_TESTS_FRAMES_H
#define WIRELAB_TESTS_FRAMES_H

#include <arpa/inet.h>
#include <criterion/criterion.h>
#include <netinet/in.h>
#include <pcap/pcap.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "flow.h"

/* What one frame carries besides its payload. */
struct fr {
	int family;            /* AF_INET or AF_INET6 */
	const char *src, *dst; /* addresses as text */
	uint16_t sport, dport;
	uint32_t seq, ack;     /* TCP */
	uint8_t flags;         /* TCP */
	bool tcp_opts;         /* TCP: 12 bytes of options (MSS, SACK permitted, NOPs, wscale) */
	bool ip_opts;          /* IPv4: 4 bytes of options; IPv6: a destination options header */
	size_t pad;            /* Ethernet trailer bytes after the IP packet */
};

static inline void fr_put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static inline void fr_put32(uint8_t *p, uint32_t v)
{
	fr_put16(p, (uint16_t)(v >> 16));
	fr_put16(p + 2, (uint16_t)v);
}

static inline uint32_t fr_sum(const uint8_t *p, size_t n, uint32_t s)
{
	for (size_t i = 0; i + 1 < n; i += 2)
		s += (uint32_t)p[i] << 8 | p[i + 1];
	if (n & 1)
		s += (uint32_t)p[n - 1] << 8;
	return s;
}

static inline uint16_t fr_fold(uint32_t s)
{
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)~s;
}

static inline void fr_addr(int family, const char *text, uint8_t out[16])
{
	memset(out, 0, 16);
	cr_assert_eq(inet_pton(family, text, out), 1, "frame builder: bad address %s", text);
}

/* The IP header (and IPv6 destination options) for an upper-layer packet of l4len bytes
 * at out; returns the header length. Fills the pseudo-header checksum start in *sum. */
static inline size_t fr_ip(const struct fr *f, int proto, size_t l4len, uint8_t *out,
			   uint32_t *sum)
{
	uint8_t s[16], d[16];
	fr_addr(f->family, f->src, s);
	fr_addr(f->family, f->dst, d);
	if (f->family == AF_INET) {
		size_t hl = f->ip_opts ? 24 : 20;
		memset(out, 0, hl);
		out[0] = (uint8_t)(0x40 | hl / 4);
		fr_put16(out + 2, (uint16_t)(hl + l4len));
		fr_put16(out + 4, 0x1234);
		fr_put16(out + 6, 0x4000);   /* don't fragment */
		out[8] = 64;
		out[9] = (uint8_t)proto;
		memcpy(out + 12, s, 4);
		memcpy(out + 16, d, 4);
		if (f->ip_opts)
			memcpy(out + 20, "\x01\x01\x01\x00", 4);   /* NOP NOP NOP EOL */
		fr_put16(out + 10, fr_fold(fr_sum(out, hl, 0)));
		*sum = fr_sum(s, 4, 0) + fr_sum(d, 4, 0) + (uint32_t)proto + (uint32_t)l4len;
		return hl;
	}
	size_t ext = f->ip_opts ? 8 : 0;
	memset(out, 0, 40 + ext);
	out[0] = 0x60;
	fr_put16(out + 4, (uint16_t)(ext + l4len));
	out[6] = f->ip_opts ? 60 : (uint8_t)proto;
	out[7] = 64;
	memcpy(out + 8, s, 16);
	memcpy(out + 24, d, 16);
	if (f->ip_opts) {
		out[40] = (uint8_t)proto;   /* next header */
		out[41] = 0;                /* 8 bytes */
		out[42] = 1;                /* PadN option covering the rest */
		out[43] = 4;
	}
	*sum = fr_sum(s, 16, 0) + fr_sum(d, 16, 0) + (uint32_t)proto + (uint32_t)l4len;
	return 40 + ext;
}

static inline size_t fr_eth(const struct fr *f, uint8_t *out)
{
	memcpy(out, "\x02\x00\x00\x00\x00\x02\x02\x00\x00\x00\x00\x01", 12);
	fr_put16(out + 12, f->family == AF_INET ? 0x0800 : 0x86dd);
	return 14;
}

/* Ethernet + IP + TCP; returns the frame length. out must hold 128 + len bytes. */
static inline size_t fr_tcp(const struct fr *f, const void *data, size_t len, uint8_t *out)
{
	size_t o = fr_eth(f, out);
	size_t thl = f->tcp_opts ? 32 : 20;
	uint32_t sum;
	o += fr_ip(f, IPPROTO_TCP, thl + len, out + o, &sum);
	uint8_t *t = out + o;
	memset(t, 0, thl);
	fr_put16(t, f->sport);
	fr_put16(t + 2, f->dport);
	fr_put32(t + 4, f->seq);
	fr_put32(t + 8, f->ack);
	t[12] = (uint8_t)(thl / 4 << 4);
	t[13] = f->flags;
	fr_put16(t + 14, 65535);
	if (f->tcp_opts)
		memcpy(t + 20, "\x02\x04\xff\xd7\x04\x02\x01\x01\x01\x03\x03\x07", 12);
	if (len)
		memcpy(t + thl, data, len);
	fr_put16(t + 16, fr_fold(fr_sum(t, thl + len, sum)));
	o += thl + len;
	memset(out + o, 0, f->pad);
	return o + f->pad;
}

/* Ethernet + IP + UDP. out must hold 128 + len bytes. */
static inline size_t fr_udp(const struct fr *f, const void *data, size_t len, uint8_t *out)
{
	size_t o = fr_eth(f, out);
	uint32_t sum;
	o += fr_ip(f, IPPROTO_UDP, 8 + len, out + o, &sum);
	uint8_t *u = out + o;
	fr_put16(u, f->sport);
	fr_put16(u + 2, f->dport);
	fr_put16(u + 4, (uint16_t)(8 + len));
	fr_put16(u + 6, 0);
	if (len)
		memcpy(u + 8, data, len);
	fr_put16(u + 6, fr_fold(fr_sum(u, 8 + len, sum)));
	o += 8 + len;
	memset(out + o, 0, f->pad);
	return o + f->pad;
}

/* ICMP(v6) port unreachable from the host q->dst back to q->src, quoting the UDP datagram
 * q carrying len bytes. out must hold 256 + len bytes. */
static inline size_t fr_unreach(const struct fr *q, const void *data, size_t len, uint8_t *out)
{
	uint8_t quoted[1600];
	size_t qn = fr_udp(q, data, len, quoted) - 14;   /* the IP packet, no Ethernet */
	struct fr e = *q;
	e.src = q->dst;
	e.dst = q->src;
	e.ip_opts = false;
	e.pad = 0;
	size_t o = fr_eth(&e, out);
	uint32_t sum;
	bool v4 = q->family == AF_INET;
	o += fr_ip(&e, v4 ? IPPROTO_ICMP : IPPROTO_ICMPV6, 8 + qn, out + o, &sum);
	uint8_t *c = out + o;
	memset(c, 0, 8);
	c[0] = v4 ? 3 : 1;
	c[1] = v4 ? 3 : 4;
	memcpy(c + 8, quoted + 14, qn);
	fr_put16(c + 2, fr_fold(fr_sum(c, 8 + qn, v4 ? 0 : sum)));
	return o + 8 + qn;
}

/* ---- recording a pcap in a temporary directory ---- */

struct fr_pcap {
	pcap_t *pd;
	pcap_dumper_t *dump;
	char dir[64], path[96];
};

static inline void frp_open_prec(struct fr_pcap *w, int linktype, int precision)
{
	snprintf(w->dir, sizeof w->dir, "/tmp/wirelab-test-XXXXXX");
	cr_assert_not_null(mkdtemp(w->dir), "mkdtemp failed");
	snprintf(w->path, sizeof w->path, "%s/cap.pcap", w->dir);
	w->pd = pcap_open_dead_with_tstamp_precision(linktype, 262144, (u_int)precision);
	cr_assert_not_null(w->pd, "pcap_open_dead failed");
	w->dump = pcap_dump_open(w->pd, w->path);
	cr_assert_not_null(w->dump, "pcap_dump_open %s: %s", w->path, pcap_geterr(w->pd));
}

static inline void frp_open(struct fr_pcap *w)
{
	frp_open_prec(w, DLT_EN10MB, PCAP_TSTAMP_PRECISION_NANO);
}

/* Record frame (len bytes on the wire) with only caplen of them captured. ts_ns is
 * stored at the file's precision. */
static inline void frp_add_snap(struct fr_pcap *w, int64_t ts_ns, const uint8_t *frame,
				size_t len, size_t caplen)
{
	struct pcap_pkthdr h;
	memset(&h, 0, sizeof h);
	bool nano = pcap_get_tstamp_precision(w->pd) == PCAP_TSTAMP_PRECISION_NANO;
	h.ts.tv_sec = (time_t)(ts_ns / 1000000000);
	h.ts.tv_usec = (suseconds_t)(nano ? ts_ns % 1000000000 : ts_ns % 1000000000 / 1000);
	h.caplen = (bpf_u_int32)caplen;
	h.len = (bpf_u_int32)len;
	pcap_dump((u_char *)w->dump, &h, frame);
}

static inline void frp_add(struct fr_pcap *w, int64_t ts_ns, const uint8_t *frame, size_t len)
{
	frp_add_snap(w, ts_ns, frame, len, len);
}

/* Close the file, read it back with flow_read_pcap, and remove it. */
static inline struct flow_set *frp_read(struct fr_pcap *w)
{
	pcap_dump_close(w->dump);
	pcap_close(w->pd);
	char why[256] = "";
	struct flow_set *fs = flow_read_pcap(w->path, why, sizeof why);
	cr_assert_not_null(fs, "reading back %s: expected a flow set, got NULL (%s)", w->path, why);
	unlink(w->path);
	rmdir(w->dir);
	return fs;
}

/* ---- a scripted TCP conversation ---- */

struct fr_conv {
	struct fr_pcap *w;
	int family;
	const char *cli, *srv;
	uint16_t cport, sport;
	uint32_t seq[2];      /* next sequence number of each side */
	int64_t t;            /* time of the next segment */
	int64_t step;         /* time between segments */
	bool ip_opts, tcp_opts;
};

static inline void conv_init(struct fr_conv *c, struct fr_pcap *w, int family, uint16_t cport,
			     uint16_t sport, uint32_t isn_c, uint32_t isn_s)
{
	memset(c, 0, sizeof *c);
	c->w = w;
	c->family = family;
	c->cli = family == AF_INET ? "127.0.0.1" : "::1";
	c->srv = c->cli;
	c->cport = cport;
	c->sport = sport;
	c->seq[0] = isn_c;
	c->seq[1] = isn_s;
	c->t = 1700000000LL * 1000000000LL;
	c->step = 10000;   /* 10 us */
}

/* Send a segment from side dir (0 client, 1 server) with an explicit sequence number,
 * acknowledging everything the other side has sent. */
static inline void conv_seg_at(struct fr_conv *c, int dir, uint8_t flags, uint32_t seq,
			       const void *data, size_t len)
{
	struct fr f = {
		.family = c->family,
		.src = dir ? c->srv : c->cli, .dst = dir ? c->cli : c->srv,
		.sport = dir ? c->sport : c->cport, .dport = dir ? c->cport : c->sport,
		.seq = seq, .ack = (flags & PKT_ACK) ? c->seq[!dir] : 0, .flags = flags,
		.ip_opts = c->ip_opts, .tcp_opts = c->tcp_opts,
	};
	uint8_t *buf = malloc(128 + len);
	cr_assert_not_null(buf);
	size_t n = fr_tcp(&f, data, len, buf);
	frp_add(c->w, c->t, buf, n);
	free(buf);
	c->t += c->step;
}

/* Send the next segment of side dir and advance its sequence number. */
static inline void conv_seg(struct fr_conv *c, int dir, uint8_t flags, const void *data,
			    size_t len)
{
	uint32_t seq = c->seq[dir];
	c->seq[dir] += (uint32_t)len + ((flags & PKT_SYN) ? 1 : 0) + ((flags & PKT_FIN) ? 1 : 0);
	conv_seg_at(c, dir, flags, seq, data, len);
}

static inline void conv_handshake(struct fr_conv *c)
{
	conv_seg(c, 0, PKT_SYN, NULL, 0);
	conv_seg(c, 1, PKT_SYN | PKT_ACK, NULL, 0);
	conv_seg(c, 0, PKT_ACK, NULL, 0);
}

static inline void conv_close(struct fr_conv *c)
{
	conv_seg(c, 0, PKT_FIN | PKT_ACK, NULL, 0);
	conv_seg(c, 1, PKT_FIN | PKT_ACK, NULL, 0);
	conv_seg(c, 0, PKT_ACK, NULL, 0);
}

#endif
