/* test_flow.c - flow reconstruction from recorded pcaps: reassembly, FIN/RST, UDP, ICMP. */
#define _DEFAULT_SOURCE   /* pcap.h needs the BSD u_char types */
#include "frames.h"

#include <errno.h>
#include <time.h>

#define CPORT 41822
#define SPORT 7000

/* The data of one direction as a NUL-terminated copy, for readable assertion messages. */
static char *half_str(const struct flow_half *h)
{
	static char s[4096];
	size_t n = h->len < sizeof s - 1 ? h->len : sizeof s - 1;
	if (n)
		memcpy(s, h->data, n);
	s[n] = '\0';
	return s;
}

static const struct flow_tcp *only_flow(const struct flow_set *fs, const char *scenario)
{
	cr_assert_eq(fs->ntcp, 1, "%s: expected 1 TCP flow, got %zu", scenario, fs->ntcp);
	return &fs->tcp[0];
}

Test(flow, in_order_stream)
{
	struct fr_pcap w;
	struct fr_conv c;
	frp_open(&w);
	conv_init(&c, &w, AF_INET, CPORT, SPORT, 1000, 5000);
	c.tcp_opts = true;
	conv_handshake(&c);
	int64_t t_hello = c.t;
	conv_seg(&c, 0, PKT_ACK | PKT_PSH, "HELLO ", 6);
	conv_seg(&c, 0, PKT_ACK | PKT_PSH, "Ada\n", 4);
	conv_seg(&c, 1, PKT_ACK, NULL, 0);
	conv_seg(&c, 1, PKT_ACK | PKT_PSH, "HI Ada\n", 7);
	conv_close(&c);
	struct flow_set *fs = frp_read(&w);
	const struct flow_tcp *f = only_flow(fs, "in-order stream");

	cr_assert_eq(f->cli.port, CPORT, "in-order: client port expected %d, got %u", CPORT, f->cli.port);
	cr_assert_eq(f->srv.port, SPORT, "in-order: server port expected %d, got %u", SPORT, f->srv.port);
	cr_assert(f->syn && f->synack, "in-order: expected SYN and SYN-ACK seen, got syn=%d synack=%d",
		  f->syn, f->synack);
	cr_assert_eq(f->syn_ns, fs->t0_ns, "in-order: SYN time expected t0");
	cr_assert_eq(f->half[0].isn, 1000u, "in-order: client ISN expected 1000, got %u", f->half[0].isn);
	cr_assert_eq(f->half[1].isn, 5000u, "in-order: server ISN expected 5000, got %u", f->half[1].isn);
	cr_assert_str_eq(half_str(&f->half[0]), "HELLO Ada\n", "in-order: client stream expected \"HELLO Ada\\n\", got \"%s\"",
			 half_str(&f->half[0]));
	cr_assert_str_eq(half_str(&f->half[1]), "HI Ada\n", "in-order: server stream expected \"HI Ada\\n\", got \"%s\"",
			 half_str(&f->half[1]));
	cr_assert(!f->half[0].hole && !f->half[1].hole, "in-order: expected no hole");
	cr_assert_eq(f->half[0].retrans, 0, "in-order: expected 0 retransmissions, got %llu",
		     (unsigned long long)f->half[0].retrans);
	cr_assert_eq(f->half[0].bytes_seen, 10, "in-order: bytes_seen expected 10, got %llu",
		     (unsigned long long)f->half[0].bytes_seen);
	cr_assert_eq(flow_data_segs(f, FLOW_C2S), 2, "in-order: client data segments expected 2, got %zu",
		     flow_data_segs(f, FLOW_C2S));
	cr_assert_eq(flow_data_segs(f, FLOW_S2C), 1, "in-order: server data segments expected 1, got %zu",
		     flow_data_segs(f, FLOW_S2C));
	cr_assert_eq(f->nsegs, 10, "in-order: expected 10 segments stored, got %zu", f->nsegs);
	cr_assert_eq(flow_time_of(f, FLOW_C2S, 0), t_hello, "in-order: byte 0 time expected %lld, got %lld",
		     (long long)t_hello, (long long)flow_time_of(f, FLOW_C2S, 0));
	cr_assert_eq(flow_time_of(f, FLOW_C2S, 7), t_hello + c.step, "in-order: byte 7 is in the second segment");
	cr_assert_eq(flow_time_of(f, FLOW_C2S, 10), -1, "in-order: byte 10 was never sent, expected -1");
	cr_assert_eq(f->half[0].first_data_ns, t_hello, "in-order: first data time");
	cr_assert_eq(f->half[0].last_data_ns, t_hello + c.step, "in-order: last data time");
	cr_assert(f->half[0].fin && f->half[1].fin, "in-order: expected FIN both ways");
	cr_assert_eq(f->half[0].fin_off, 10, "in-order: client FIN offset expected 10, got %llu",
		     (unsigned long long)f->half[0].fin_off);
	cr_assert_eq(f->half[1].fin_off, 7, "in-order: server FIN offset expected 7, got %llu",
		     (unsigned long long)f->half[1].fin_off);
	cr_assert(!f->half[0].rst && !f->half[1].rst, "in-order: expected no RST");
	cr_assert_eq(f->first_ns, fs->t0_ns, "in-order: first_ns is the SYN's time");
	cr_assert_eq(f->last_ns, c.t - c.step, "in-order: last_ns is the final ACK's time");
	cr_assert_eq(flow_tcp_find(fs, CPORT, SPORT), f, "in-order: flow_tcp_find by ports");
	cr_assert_null(flow_tcp_find(fs, SPORT, CPORT), "in-order: ports swapped must not match");
	cr_assert_eq(flow_tcp_count(fs, SPORT), 1, "in-order: one flow to the server port");
	cr_assert_eq(flow_tcp_nth(fs, SPORT, 0), f, "in-order: nth(0)");
	cr_assert_null(flow_tcp_nth(fs, SPORT, 1), "in-order: nth(1) must be NULL");
	flow_set_free(fs);
}

Test(flow, retransmitted_segments)
{
	struct fr_pcap w;
	struct fr_conv c;
	frp_open(&w);
	conv_init(&c, &w, AF_INET, CPORT, SPORT, 77, 99);
	conv_handshake(&c);
	uint32_t s0 = c.seq[0];
	conv_seg(&c, 0, PKT_ACK, "abcde", 5);
	conv_seg_at(&c, 0, PKT_ACK, s0, "abcde", 5);    /* same segment again */
	conv_seg(&c, 0, PKT_ACK, "fgh", 3);
	conv_seg_at(&c, 0, PKT_ACK, s0 + 2, "cdef", 4);  /* repacketised retransmission */
	struct flow_set *fs = frp_read(&w);
	const struct flow_tcp *f = only_flow(fs, "retransmission");
	cr_assert_str_eq(half_str(&f->half[0]), "abcdefgh", "retransmission: stream expected \"abcdefgh\", got \"%s\"",
			 half_str(&f->half[0]));
	cr_assert_eq(f->half[0].retrans, 2, "retransmission: expected 2 retransmitted segments, got %llu",
		     (unsigned long long)f->half[0].retrans);
	size_t flagged = 0;
	for (size_t i = 0; i < f->nsegs; i++)
		flagged += f->segs[i].retrans;
	cr_assert_eq(flagged, 2, "retransmission: expected 2 segments marked, got %zu", flagged);
	cr_assert(!f->segs[3].retrans && f->segs[4].retrans && !f->segs[5].retrans && f->segs[6].retrans,
		  "retransmission: the 2nd and 4th data segments are the retransmissions");
	cr_assert_eq(f->segs[6].off, 2, "retransmission: repacketised segment offset expected 2, got %llu",
		     (unsigned long long)f->segs[6].off);
	cr_assert_eq(flow_time_of(f, 0, 0), f->segs[3].ts_ns, "retransmission: byte 0 first seen in the original");
	flow_set_free(fs);
}

Test(flow, out_of_order_segments)
{
	struct fr_pcap w;
	struct fr_conv c;
	frp_open(&w);
	conv_init(&c, &w, AF_INET, CPORT, SPORT, 10, 20);
	conv_handshake(&c);
	uint32_t s = c.seq[0];
	conv_seg_at(&c, 0, PKT_ACK, s + 8, "89", 2);
	conv_seg_at(&c, 0, PKT_ACK, s + 4, "4567", 4);
	conv_seg_at(&c, 0, PKT_ACK, s + 10, "ABC", 3);
	conv_seg_at(&c, 0, PKT_ACK, s, "0123", 4);
	struct flow_set *fs = frp_read(&w);
	const struct flow_tcp *f = only_flow(fs, "out-of-order");
	cr_assert_str_eq(half_str(&f->half[0]), "0123456789ABC", "out-of-order: expected \"0123456789ABC\", got \"%s\"",
			 half_str(&f->half[0]));
	cr_assert(!f->half[0].hole, "out-of-order: the gap filled, expected no hole");
	cr_assert_eq(f->half[0].retrans, 0, "out-of-order: nothing was retransmitted, got %llu",
		     (unsigned long long)f->half[0].retrans);
	cr_assert_eq(flow_time_of(f, 0, 0), f->segs[6].ts_ns, "out-of-order: byte 0 came last");
	cr_assert_eq(flow_time_of(f, 0, 9), f->segs[3].ts_ns, "out-of-order: byte 9 came first");
	flow_set_free(fs);
}

Test(flow, overlapping_segments)
{
	struct fr_pcap w;
	struct fr_conv c;
	frp_open(&w);
	conv_init(&c, &w, AF_INET, CPORT, SPORT, 10, 20);
	conv_handshake(&c);
	uint32_t s = c.seq[0];
	const char *text = "the quick brown fox jumps";
	conv_seg_at(&c, 0, PKT_ACK, s + 10, text + 10, 6);   /* [10,16) ahead of a gap */
	conv_seg_at(&c, 0, PKT_ACK, s + 14, text + 14, 6);   /* [14,20) overlaps it */
	conv_seg_at(&c, 0, PKT_ACK, s + 4, text + 4, 18);    /* [4,22) spans both */
	conv_seg_at(&c, 0, PKT_ACK, s + 0, text, 8);         /* [0,8) fills the start */
	conv_seg_at(&c, 0, PKT_ACK, s + 20, "XXXXX", 5);     /* [20,25), first 2 bytes differ */
	struct flow_set *fs = frp_read(&w);
	const struct flow_tcp *f = only_flow(fs, "overlap");
	/* Bytes seen first win, as in a receiver that already queued them. */
	cr_assert_str_eq(half_str(&f->half[0]), "the quick brown fox juXXX",
			 "overlap: expected \"the quick brown fox juXXX\", got \"%s\"", half_str(&f->half[0]));
	cr_assert(!f->half[0].hole, "overlap: expected no hole");
	cr_assert_eq(f->half[0].bytes_seen, 25, "overlap: bytes_seen expected 25, got %llu",
		     (unsigned long long)f->half[0].bytes_seen);
	cr_assert_eq(f->half[0].retrans, 0, "overlap: every segment brought a new byte, got %llu retransmissions",
		     (unsigned long long)f->half[0].retrans);
	flow_set_free(fs);
}

Test(flow, hole_never_filled)
{
	struct fr_pcap w;
	struct fr_conv c;
	frp_open(&w);
	conv_init(&c, &w, AF_INET, CPORT, SPORT, 10, 20);
	conv_handshake(&c);
	uint32_t s = c.seq[0];
	conv_seg_at(&c, 0, PKT_ACK, s, "01234", 5);
	conv_seg_at(&c, 0, PKT_ACK, s + 10, "ABCDE", 5);
	conv_seg_at(&c, 0, PKT_ACK | PKT_FIN, s + 15, "F", 1);
	struct flow_set *fs = frp_read(&w);
	const struct flow_tcp *f = only_flow(fs, "hole");
	cr_assert(f->half[0].hole, "hole: bytes 5..9 never came, expected hole set");
	cr_assert_eq(f->half[0].len, 5, "hole: len must stop at the hole (5), got %zu", f->half[0].len);
	cr_assert_eq(f->half[0].bytes_seen, 16, "hole: bytes_seen expected 16, got %llu",
		     (unsigned long long)f->half[0].bytes_seen);
	cr_assert_eq(f->half[0].fin_off, 16, "hole: FIN offset expected 16, got %llu",
		     (unsigned long long)f->half[0].fin_off);
	cr_assert_eq(flow_time_of(f, 0, 12), f->segs[4].ts_ns, "hole: byte 12 was seen beyond the hole");
	cr_assert_eq(flow_time_of(f, 0, 7), -1, "hole: byte 7 was never seen");
	flow_set_free(fs);
}

Test(flow, rst_sender_and_time)
{
	struct fr_pcap w;
	struct fr_conv c;
	frp_open(&w);
	conv_init(&c, &w, AF_INET, CPORT, SPORT, 10, 20);
	conv_handshake(&c);
	conv_seg(&c, 0, PKT_ACK, "hello", 5);
	int64_t t_rst = c.t;
	conv_seg(&c, 1, PKT_RST | PKT_ACK, "diag", 4);   /* RST data is not stream data */
	conv_seg(&c, 1, PKT_RST, NULL, 0);
	struct flow_set *fs = frp_read(&w);
	const struct flow_tcp *f = only_flow(fs, "rst");
	cr_assert(f->half[1].rst, "rst: expected the server to have sent RST");
	cr_assert(!f->half[0].rst, "rst: the client sent no RST");
	cr_assert_eq(f->half[1].rst_ns, t_rst, "rst: time expected %lld (the first RST), got %lld",
		     (long long)t_rst, (long long)f->half[1].rst_ns);
	cr_assert_eq(f->half[1].len, 0, "rst: RST payload must not enter the stream, got %zu bytes", f->half[1].len);
	cr_assert_eq(flow_time_of(f, 1, 0), -1, "rst: no stream byte from the server");
	flow_set_free(fs);
}

Test(flow, fin_positions_both_ways)
{
	struct fr_pcap w;
	struct fr_conv c;
	frp_open(&w);
	conv_init(&c, &w, AF_INET, CPORT, SPORT, 10, 20);
	conv_handshake(&c);
	conv_seg(&c, 0, PKT_ACK, "12345", 5);
	int64_t t_cfin = c.t;
	conv_seg(&c, 0, PKT_ACK | PKT_FIN, "6", 1);      /* FIN on a data segment */
	conv_seg(&c, 1, PKT_ACK, "abcdefg", 7);          /* half-closed: server still sends */
	int64_t t_sfin = c.t;
	conv_seg(&c, 1, PKT_ACK | PKT_FIN, NULL, 0);
	conv_seg_at(&c, 1, PKT_ACK | PKT_FIN, c.seq[1] - 1, NULL, 0);  /* FIN retransmitted */
	conv_seg(&c, 0, PKT_ACK, NULL, 0);
	struct flow_set *fs = frp_read(&w);
	const struct flow_tcp *f = only_flow(fs, "fin");
	cr_assert_eq(f->half[0].fin_off, 6, "fin: client FIN after 6 bytes, got %llu",
		     (unsigned long long)f->half[0].fin_off);
	cr_assert_eq(f->half[1].fin_off, 7, "fin: server FIN after 7 bytes, got %llu",
		     (unsigned long long)f->half[1].fin_off);
	cr_assert_eq(f->half[0].fin_ns, t_cfin, "fin: client FIN time");
	cr_assert_eq(f->half[1].fin_ns, t_sfin, "fin: server FIN time is the first FIN, not the retransmission");
	cr_assert_str_eq(half_str(&f->half[1]), "abcdefg", "fin: server data after the client's FIN kept, got \"%s\"",
			 half_str(&f->half[1]));
	flow_set_free(fs);
}

Test(flow, ipv6_flow)
{
	struct fr_pcap w;
	struct fr_conv c;
	frp_open(&w);
	conv_init(&c, &w, AF_INET6, CPORT, SPORT, 3, 4);
	conv_handshake(&c);
	conv_seg(&c, 0, PKT_ACK, "v6 data", 7);
	conv_seg(&c, 1, PKT_ACK, "ok", 2);
	conv_close(&c);
	struct flow_set *fs = frp_read(&w);
	const struct flow_tcp *f = only_flow(fs, "ipv6");
	char a[64];
	cr_assert_eq(f->cli.family, AF_INET6, "ipv6: client family expected AF_INET6, got %d", f->cli.family);
	cr_assert_str_eq(pkt_addr_str(&f->srv, a, sizeof a), "[::1]:7000", "ipv6: server address, got %s", a);
	cr_assert_str_eq(half_str(&f->half[0]), "v6 data", "ipv6: client stream, got \"%s\"", half_str(&f->half[0]));
	cr_assert_str_eq(half_str(&f->half[1]), "ok", "ipv6: server stream, got \"%s\"", half_str(&f->half[1]));
	cr_assert(f->half[0].fin && f->half[1].fin, "ipv6: FIN both ways");
	flow_set_free(fs);
}

Test(flow, ipv6_extension_header)
{
	struct fr_pcap w;
	struct fr_conv c;
	frp_open(&w);
	conv_init(&c, &w, AF_INET6, CPORT, SPORT, 3, 4);
	c.ip_opts = true;   /* destination options header before TCP */
	c.tcp_opts = true;
	conv_handshake(&c);
	conv_seg(&c, 0, PKT_ACK, "through ext", 11);
	struct flow_set *fs = frp_read(&w);
	const struct flow_tcp *f = only_flow(fs, "ipv6 ext header");
	cr_assert_eq(fs->bad_frames, 0, "ipv6 ext header: expected 0 bad frames, got %llu",
		     (unsigned long long)fs->bad_frames);
	cr_assert_str_eq(half_str(&f->half[0]), "through ext", "ipv6 ext header: stream, got \"%s\"",
			 half_str(&f->half[0]));
	flow_set_free(fs);
}

Test(flow, sequence_wraparound)
{
	struct fr_pcap w;
	struct fr_conv c;
	frp_open(&w);
	conv_init(&c, &w, AF_INET, CPORT, SPORT, 0xfffffff0u, 0xffffffffu);
	conv_handshake(&c);
	char buf[64];
	for (size_t i = 0; i < sizeof buf; i++)
		buf[i] = (char)('a' + i % 26);
	uint32_t s = c.seq[0];
	/* Send [16,32) first (past the wrap), then the rest in order. */
	conv_seg_at(&c, 0, PKT_ACK, s + 16, buf + 16, 16);
	for (size_t o = 0; o < sizeof buf; o += 16)
		conv_seg_at(&c, 0, PKT_ACK, s + (uint32_t)o, buf + o, 16);
	c.seq[0] = s + 64;
	conv_seg(&c, 1, PKT_ACK, "wrapped", 7);          /* server ISN+1 is 0 */
	conv_close(&c);
	struct flow_set *fs = frp_read(&w);
	const struct flow_tcp *f = only_flow(fs, "wraparound");
	cr_assert_eq(f->half[0].len, 64, "wraparound: expected 64 bytes, got %zu", f->half[0].len);
	cr_assert(memcmp(f->half[0].data, buf, 64) == 0, "wraparound: stream bytes differ at %zu",
		  (size_t)0);
	cr_assert_eq(f->half[0].retrans, 1, "wraparound: one segment repeated, got %llu",
		     (unsigned long long)f->half[0].retrans);
	cr_assert_eq(f->half[0].fin_off, 64, "wraparound: FIN offset expected 64, got %llu",
		     (unsigned long long)f->half[0].fin_off);
	cr_assert_str_eq(half_str(&f->half[1]), "wrapped", "wraparound: server stream, got \"%s\"",
			 half_str(&f->half[1]));
	flow_set_free(fs);
}

Test(flow, snapped_payload)
{
	struct fr_pcap w;
	frp_open(&w);
	struct fr f = { .family = AF_INET, .src = "127.0.0.1", .dst = "127.0.0.1", .sport = CPORT,
			.dport = SPORT, .seq = 100, .flags = PKT_SYN };
	uint8_t buf[256];
	size_t n = fr_tcp(&f, NULL, 0, buf);
	frp_add(&w, 1000, buf, n);
	f.seq = 101;
	f.flags = PKT_ACK;
	n = fr_tcp(&f, "0123456789", 10, buf);
	frp_add_snap(&w, 2000, buf, n, n - 6);   /* 4 payload bytes captured */
	struct flow_set *fs = frp_read(&w);
	const struct flow_tcp *t = only_flow(fs, "snapped");
	cr_assert_eq(t->half[0].len, 4, "snapped: expected the 4 captured bytes, got %zu", t->half[0].len);
	cr_assert_eq(t->half[0].bytes_seen, 10, "snapped: the header announced 10 bytes, got %llu",
		     (unsigned long long)t->half[0].bytes_seen);
	cr_assert_eq(t->segs[1].len, 10, "snapped: segment length is the wire length, got %zu", t->segs[1].len);
	cr_assert_eq(t->segs[1].npreview, 4, "snapped: preview holds what was captured, got %zu",
		     t->segs[1].npreview);
	flow_set_free(fs);
}

Test(flow, udp_datagrams)
{
	struct fr_pcap w;
	frp_open(&w);
	struct fr q = { .family = AF_INET, .src = "127.0.0.1", .dst = "127.0.0.2", .sport = 5555,
			.dport = 9000, .pad = 0 };
	uint8_t buf[256];
	frp_add(&w, 1000, buf, fr_udp(&q, "PING 1", 6, buf));
	frp_add(&w, 2000, buf, fr_udp(&q, NULL, 0, buf));          /* empty datagram */
	q.pad = 12;                                              /* Ethernet padding is not data */
	frp_add(&w, 3000, buf, fr_udp(&q, "x", 1, buf));
	struct fr r = { .family = AF_INET6, .src = "::1", .dst = "::1", .sport = 9000, .dport = 5555 };
	frp_add(&w, 4000, buf, fr_udp(&r, "PONG", 4, buf));
	struct flow_set *fs = frp_read(&w);
	cr_assert_eq(fs->nudp, 4, "udp: expected 4 datagrams, got %zu", fs->nudp);
	cr_assert_eq(fs->udp[0].len, 6, "udp: first datagram 6 bytes, got %zu", fs->udp[0].len);
	cr_assert(memcmp(fs->udp[0].data, "PING 1", 6) == 0, "udp: first datagram bytes");
	cr_assert_eq(fs->udp[1].len, 0, "udp: empty datagram expected 0 bytes, got %zu", fs->udp[1].len);
	cr_assert_eq(fs->udp[1].wire_len, 0, "udp: empty datagram wire length 0, got %zu", fs->udp[1].wire_len);
	cr_assert_not_null(fs->udp[1].data, "udp: empty datagram data pointer must not be NULL");
	cr_assert_eq(fs->udp[1].ts_ns, 2000, "udp: capture order and time");
	cr_assert_eq(fs->udp[2].len, 1, "udp: padded datagram expected 1 byte, got %zu", fs->udp[2].len);
	cr_assert_eq(fs->udp[3].src.family, AF_INET6, "udp: IPv6 datagram family");
	cr_assert_eq(fs->udp[3].src.port, 9000, "udp: IPv6 source port, got %u", fs->udp[3].src.port);
	cr_assert_eq(fs->udp[0].dst.port, 9000, "udp: destination port, got %u", fs->udp[0].dst.port);
	cr_assert_eq(fs->ntcp, 0, "udp: no TCP flows expected, got %zu", fs->ntcp);
	flow_set_free(fs);
}

Test(flow, icmp_port_unreachable)
{
	struct fr_pcap w;
	frp_open(&w);
	uint8_t buf[512];
	struct fr q4 = { .family = AF_INET, .src = "127.0.0.1", .dst = "127.0.0.3", .sport = 40000,
			 .dport = 9999 };
	struct fr q6 = { .family = AF_INET6, .src = "::1", .dst = "::2", .sport = 40001, .dport = 9998 };
	frp_add(&w, 10, buf, fr_udp(&q4, "hi", 2, buf));
	frp_add(&w, 20, buf, fr_unreach(&q4, "hi", 2, buf));
	frp_add(&w, 30, buf, fr_unreach(&q6, "hello", 5, buf));
	struct flow_set *fs = frp_read(&w);
	char a[64];
	cr_assert_eq(fs->nunreach, 2, "unreach: expected 2 errors, got %zu", fs->nunreach);
	cr_assert_eq(fs->nudp, 1, "unreach: the quoted datagram is not a datagram, got %zu", fs->nudp);
	cr_assert_str_eq(pkt_addr_str(&fs->unreach[0].src, a, sizeof a), "127.0.0.1:40000",
			 "unreach v4: quoted source, got %s", a);
	cr_assert_str_eq(pkt_addr_str(&fs->unreach[0].dst, a, sizeof a), "127.0.0.3:9999",
			 "unreach v4: quoted destination, got %s", a);
	cr_assert_eq(fs->unreach[0].ts_ns, 20, "unreach v4: time");
	cr_assert_str_eq(pkt_addr_str(&fs->unreach[1].dst, a, sizeof a), "[::2]:9998",
			 "unreach v6: quoted destination, got %s", a);
	cr_assert_str_eq(pkt_addr_str(&fs->unreach[1].src, a, sizeof a), "[::1]:40001",
			 "unreach v6: quoted source, got %s", a);
	flow_set_free(fs);
}

Test(flow, port_reuse_gives_two_flows)
{
	struct fr_pcap w;
	struct fr_conv c;
	frp_open(&w);
	conv_init(&c, &w, AF_INET, CPORT, SPORT, 1000, 2000);
	conv_handshake(&c);
	conv_seg(&c, 0, PKT_ACK, "first", 5);
	conv_close(&c);
	/* Same ports, a new connection after TIME_WAIT. */
	c.seq[0] = 900000;
	c.seq[1] = 12345;
	conv_handshake(&c);
	conv_seg(&c, 0, PKT_ACK, "second", 6);
	conv_seg(&c, 1, PKT_RST, NULL, 0);
	/* And a third after the RST. */
	c.seq[0] = 5;
	conv_handshake(&c);
	conv_seg(&c, 0, PKT_ACK, "third", 5);
	struct flow_set *fs = frp_read(&w);
	cr_assert_eq(fs->ntcp, 3, "port reuse: expected 3 flows, got %zu", fs->ntcp);
	cr_assert_eq(flow_tcp_count(fs, SPORT), 3, "port reuse: count by server port");
	const struct flow_tcp *f1 = flow_tcp_nth(fs, SPORT, 1);
	cr_assert_not_null(f1, "port reuse: second flow");
	cr_assert_str_eq(half_str(&f1->half[0]), "second", "port reuse: second flow's data, got \"%s\"",
			 half_str(&f1->half[0]));
	cr_assert(f1->half[1].rst, "port reuse: second flow ended with the server's RST");
	cr_assert_str_eq(half_str(&fs->tcp[0].half[0]), "first", "port reuse: first flow's data, got \"%s\"",
			 half_str(&fs->tcp[0].half[0]));
	cr_assert_str_eq(half_str(&fs->tcp[2].half[0]), "third", "port reuse: third flow's data, got \"%s\"",
			 half_str(&fs->tcp[2].half[0]));
	cr_assert(!fs->tcp[2].half[0].rst && !fs->tcp[2].half[1].rst, "port reuse: third flow has no RST");
	flow_set_free(fs);
}

Test(flow, retransmitted_syn_is_same_flow)
{
	struct fr_pcap w;
	struct fr_conv c;
	frp_open(&w);
	conv_init(&c, &w, AF_INET, CPORT, SPORT, 1000, 2000);
	conv_seg_at(&c, 0, PKT_SYN, 1000, NULL, 0);
	conv_handshake(&c);
	conv_seg(&c, 0, PKT_ACK, "x", 1);
	struct flow_set *fs = frp_read(&w);
	const struct flow_tcp *f = only_flow(fs, "SYN retransmission");
	cr_assert_str_eq(half_str(&f->half[0]), "x", "SYN retransmission: stream, got \"%s\"", half_str(&f->half[0]));
	flow_set_free(fs);
}

Test(flow, no_syn_captured)
{
	struct fr_pcap w;
	struct fr_conv c;
	frp_open(&w);
	conv_init(&c, &w, AF_INET, CPORT, SPORT, 500000, 800000);
	conv_seg(&c, 1, PKT_ACK, "server first", 12);   /* the server's bytes are seen first */
	conv_seg(&c, 0, PKT_ACK, "reply", 5);
	conv_seg(&c, 1, PKT_ACK, " more", 5);
	struct flow_set *fs = frp_read(&w);
	const struct flow_tcp *f = only_flow(fs, "no SYN");
	cr_assert(!f->syn && !f->synack, "no SYN: neither SYN nor SYN-ACK seen");
	cr_assert_eq(f->cli.port, SPORT, "no SYN: the first sender is direction 0, expected port %d, got %u",
		     SPORT, f->cli.port);
	cr_assert_str_eq(half_str(&f->half[0]), "server first more", "no SYN: direction 0 stream, got \"%s\"",
			 half_str(&f->half[0]));
	cr_assert_str_eq(half_str(&f->half[1]), "reply", "no SYN: direction 1 stream, got \"%s\"",
			 half_str(&f->half[1]));
	cr_assert_eq(f->half[0].isn, 800000u - 1, "no SYN: ISN is the first seq - 1, got %u", f->half[0].isn);
	flow_set_free(fs);
}

Test(flow, synack_without_syn)
{
	struct fr_pcap w;
	struct fr_conv c;
	frp_open(&w);
	conv_init(&c, &w, AF_INET, CPORT, SPORT, 700, 900);
	c.seq[0]++;   /* the client's SYN went by uncaptured */
	conv_seg(&c, 1, PKT_SYN | PKT_ACK, NULL, 0);
	conv_seg(&c, 0, PKT_ACK, "abc", 3);
	struct flow_set *fs = frp_read(&w);
	const struct flow_tcp *f = only_flow(fs, "SYN-ACK first");
	cr_assert_eq(f->cli.port, CPORT, "SYN-ACK first: the SYN-ACK's receiver is the client, got port %u",
		     f->cli.port);
	cr_assert_eq(f->half[0].isn, 700u, "SYN-ACK first: client ISN from the ACK field, got %u", f->half[0].isn);
	cr_assert_str_eq(half_str(&f->half[0]), "abc", "SYN-ACK first: client stream, got \"%s\"",
			 half_str(&f->half[0]));
	flow_set_free(fs);
}

Test(flow, data_on_syn)
{
	struct fr_pcap w;
	struct fr_conv c;
	frp_open(&w);
	conv_init(&c, &w, AF_INET, CPORT, SPORT, 41, 42);
	conv_seg(&c, 0, PKT_SYN, "fast", 4);   /* TCP Fast Open style */
	conv_seg(&c, 1, PKT_SYN | PKT_ACK, NULL, 0);
	conv_seg(&c, 0, PKT_ACK, " open", 5);
	struct flow_set *fs = frp_read(&w);
	const struct flow_tcp *f = only_flow(fs, "data on SYN");
	cr_assert_str_eq(half_str(&f->half[0]), "fast open", "data on SYN: stream, got \"%s\"", half_str(&f->half[0]));
	cr_assert_eq(f->segs[0].off, 0, "data on SYN: SYN payload starts at offset 0");
	flow_set_free(fs);
}

Test(flow, micro_precision_pcap)
{
	struct fr_pcap w;
	frp_open_prec(&w, DLT_EN10MB, PCAP_TSTAMP_PRECISION_MICRO);
	struct fr q = { .family = AF_INET, .src = "127.0.0.1", .dst = "127.0.0.1", .sport = 1, .dport = 2 };
	uint8_t buf[256];
	frp_add(&w, 1700000000123456000LL, buf, fr_udp(&q, "t", 1, buf));
	struct flow_set *fs = frp_read(&w);
	cr_assert_eq(fs->nudp, 1, "micro pcap: one datagram, got %zu", fs->nudp);
	cr_assert_eq(fs->udp[0].ts_ns, 1700000000123456000LL, "micro pcap: time in ns expected %lld, got %lld",
		     1700000000123456000LL, (long long)fs->udp[0].ts_ns);
	cr_assert_eq(fs->t0_ns, fs->udp[0].ts_ns, "micro pcap: t0 is the first packet's time");
	flow_set_free(fs);
}

Test(flow, bad_frames_counted)
{
	struct flow_set *fs = flow_set_new(DLT_EN10MB);
	cr_assert_not_null(fs, "flow_set_new");
	uint8_t junk[20] = { 0 };
	junk[12] = 0x08;   /* IPv4 EtherType, then a truncated header */
	cr_assert_eq(flow_set_add(fs, junk, sizeof junk, 5), 0, "bad frame: add returns 0");
	cr_assert_eq(flow_set_add(fs, junk, 3, 6), 0, "bad frame: add returns 0");
	cr_assert_eq(fs->frames, 2, "bad frame: 2 frames counted, got %llu", (unsigned long long)fs->frames);
	cr_assert_eq(fs->bad_frames, 2, "bad frame: 2 bad frames, got %llu", (unsigned long long)fs->bad_frames);
	cr_assert_eq(fs->t0_ns, 5, "bad frame: t0 from the first frame");
	flow_set_free(fs);
	flow_set_free(NULL);
}

Test(flow, missing_file)
{
	char why[256] = "";
	struct flow_set *fs = flow_read_pcap("/nonexistent/x.pcap", why, sizeof why);
	cr_assert_null(fs, "missing file: expected NULL");
	cr_assert_neq(why[0], '\0', "missing file: expected a reason");
}

static size_t first_diff(const uint8_t *a, const uint8_t *b, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (a[i] != b[i])
			return i;
	return (size_t)-1;
}

/* Feed a big transfer straight into a set, one frame at a time. */
static void big_transfer(size_t total, size_t seg, bool swap_pairs, double *secs)
{
	struct flow_set *fs = flow_set_new(DLT_EN10MB);
	cr_assert_not_null(fs);
	uint8_t *payload = malloc(total);
	uint8_t *frame = malloc(seg + 128);
	cr_assert(payload && frame);
	for (size_t i = 0; i < total; i++)
		payload[i] = (uint8_t)(i * 7 + i / 251);
	struct timespec a, b;
	clock_gettime(CLOCK_MONOTONIC, &a);
	int64_t t = 1;
	uint32_t isn[2] = { 0xfff00000u, 123 };
	struct fr f = { .family = AF_INET, .src = "127.0.0.1", .dst = "127.0.0.1" };
	for (int dir = 0; dir < 2; dir++) {
		f.sport = dir ? SPORT : CPORT;
		f.dport = dir ? CPORT : SPORT;
		f.seq = isn[dir];
		f.ack = isn[!dir] + 1;
		f.flags = dir ? PKT_SYN | PKT_ACK : PKT_SYN;
		size_t n = fr_tcp(&f, NULL, 0, frame);
		cr_assert_eq(flow_set_add(fs, frame, n, t++), 0);
	}
	size_t nseg = (total + seg - 1) / seg;
	for (size_t k = 0; k < nseg; k++) {
		for (int dir = 0; dir < 2; dir++) {
			size_t i = k;
			if (swap_pairs)
				i = (k % 2 == 0) ? (k + 1 < nseg ? k + 1 : k) : k - 1;
			size_t off = i * seg, len = total - off < seg ? total - off : seg;
			f.sport = dir ? SPORT : CPORT;
			f.dport = dir ? CPORT : SPORT;
			f.seq = isn[dir] + 1 + (uint32_t)off;
			f.flags = PKT_ACK;
			size_t n = fr_tcp(&f, payload + off, len, frame);
			cr_assert_eq(flow_set_add(fs, frame, n, t++), 0);
		}
	}
	clock_gettime(CLOCK_MONOTONIC, &b);
	*secs = (double)(b.tv_sec - a.tv_sec) + (double)(b.tv_nsec - a.tv_nsec) / 1e9;
	cr_assert_eq(fs->ntcp, 1, "big transfer: expected one flow, got %zu", fs->ntcp);
	for (int dir = 0; dir < 2; dir++) {
		const struct flow_half *h = &fs->tcp[0].half[dir];
		cr_assert_eq(h->len, total, "big transfer dir %d: expected %zu bytes, got %zu", dir, total, h->len);
		size_t d = first_diff(h->data, payload, total);
		cr_assert_eq(d, (size_t)-1, "big transfer dir %d: streams differ at %zu", dir, d);
		cr_assert(!h->hole, "big transfer dir %d: no hole", dir);
	}
	free(frame);
	free(payload);
	flow_set_free(fs);
}

Test(flow, sixteen_mib_each_way_gso_segments)
{
	double secs;
	big_transfer(16u << 20, 65000, false, &secs);
	cr_assert_lt(secs, 2.0, "16 MiB each way in 64 KiB segments: expected well under 2 s, took %.3f s", secs);
}

Test(flow, sixteen_mib_each_way_small_segments_reordered)
{
	double secs;
	big_transfer(16u << 20, 1448, true, &secs);
	cr_assert_lt(secs, 5.0, "16 MiB each way in swapped 1448-byte segments: expected under 5 s, took %.3f s",
		     secs);
}
