/* test_pkt.c - frame decoding: link types, IPv4/IPv6 headers, TCP, UDP, ICMP, truncation. */
#define _DEFAULT_SOURCE   /* pcap.h needs the BSD u_char types */
#include "frames.h"

#include <errno.h>

static struct fr tcp4(void)
{
	struct fr f = { .family = AF_INET, .src = "10.0.0.1", .dst = "10.0.0.2", .sport = 41822,
			.dport = 7000, .seq = 0x01020304, .ack = 0xa0b0c0d0, .flags = PKT_ACK | PKT_PSH };
	return f;
}

static struct fr tcp6(void)
{
	struct fr f = { .family = AF_INET6, .src = "fe80::1", .dst = "2001:db8::2", .sport = 50000,
			.dport = 80, .seq = 7, .ack = 9, .flags = PKT_ACK };
	return f;
}

static void decode_ok(int lt, const uint8_t *b, size_t n, struct pkt *p, const char *scenario)
{
	char why[128] = "";
	int rc = pkt_decode(lt, b, n, 42, p, why, sizeof why);
	cr_assert_eq(rc, 0, "%s: expected 0, got %d (%s)", scenario, rc, why);
	cr_assert_eq(p->ts_ns, 42, "%s: timestamp passed through", scenario);
}

Test(pkt, ipv4_tcp_with_options)
{
	struct fr f = tcp4();
	f.tcp_opts = true;
	f.ip_opts = true;
	uint8_t b[256];
	size_t n = fr_tcp(&f, "HELLO", 5, b);
	struct pkt p;
	decode_ok(DLT_EN10MB, b, n, &p, "IPv4+TCP with options");
	char a[64];
	cr_assert_eq(p.proto, PKT_TCP, "IPv4+TCP: expected PKT_TCP, got %d", p.proto);
	cr_assert_str_eq(pkt_addr_str(&p.src, a, sizeof a), "10.0.0.1:41822", "IPv4+TCP: source, got %s", a);
	cr_assert_str_eq(pkt_addr_str(&p.dst, a, sizeof a), "10.0.0.2:7000", "IPv4+TCP: destination, got %s", a);
	cr_assert_eq(p.seq, 0x01020304u, "IPv4+TCP: seq, got %#x", p.seq);
	cr_assert_eq(p.ack, 0xa0b0c0d0u, "IPv4+TCP: ack, got %#x", p.ack);
	cr_assert_eq(p.flags, PKT_ACK | PKT_PSH, "IPv4+TCP: flags, got %#x", p.flags);
	cr_assert_eq(p.win, 65535, "IPv4+TCP: window, got %u", p.win);
	cr_assert_eq(p.len, 5, "IPv4+TCP: payload length 5, got %zu", p.len);
	cr_assert_eq(p.wire_len, 5, "IPv4+TCP: wire length 5, got %zu", p.wire_len);
	cr_assert(memcmp(p.payload, "HELLO", 5) == 0, "IPv4+TCP: payload bytes");
}

Test(pkt, ethernet_padding_is_not_payload)
{
	struct fr f = tcp4();
	f.pad = 10;
	uint8_t b[256];
	size_t n = fr_tcp(&f, "ab", 2, b);
	struct pkt p;
	decode_ok(DLT_EN10MB, b, n, &p, "padded frame");
	cr_assert_eq(p.len, 2, "padded frame: payload from the IP total length (2), got %zu", p.len);
	cr_assert_eq(p.wire_len, 2, "padded frame: wire length 2, got %zu", p.wire_len);
}

Test(pkt, snapped_payload)
{
	struct fr f = tcp4();
	uint8_t b[256];
	size_t n = fr_tcp(&f, "0123456789", 10, b);
	struct pkt p;
	decode_ok(DLT_EN10MB, b, n - 7, &p, "snapped payload");
	cr_assert_eq(p.proto, PKT_TCP, "snapped payload: still TCP, got %d", p.proto);
	cr_assert_eq(p.len, 3, "snapped payload: 3 bytes captured, got %zu", p.len);
	cr_assert_eq(p.wire_len, 10, "snapped payload: 10 bytes announced, got %zu", p.wire_len);
}

Test(pkt, ipv6_tcp_and_destination_options)
{
	struct fr f = tcp6();
	f.ip_opts = true;
	f.tcp_opts = true;
	uint8_t b[256];
	size_t n = fr_tcp(&f, "v6", 2, b);
	struct pkt p;
	decode_ok(DLT_EN10MB, b, n, &p, "IPv6 with destination options");
	char a[64];
	cr_assert_eq(p.proto, PKT_TCP, "IPv6 ext: expected PKT_TCP, got %d", p.proto);
	cr_assert_str_eq(pkt_addr_str(&p.src, a, sizeof a), "[fe80::1]:50000", "IPv6 ext: source, got %s", a);
	cr_assert_str_eq(pkt_addr_str(&p.dst, a, sizeof a), "[2001:db8::2]:80", "IPv6 ext: destination, got %s", a);
	cr_assert_eq(p.len, 2, "IPv6 ext: payload 2 bytes, got %zu", p.len);
}

/* Insert IPv6 extension headers (raw bytes, next-header chain already right) after the
 * fixed header of an Ethernet/IPv6 frame whose next header is replaced by first. */
static size_t insert_ext(uint8_t *b, size_t n, uint8_t first, const uint8_t *ext, size_t extlen)
{
	memmove(b + 54 + extlen, b + 54, n - 54);
	memcpy(b + 54, ext, extlen);
	b[14 + 6] = first;
	size_t plen = (size_t)b[18] << 8 | b[19];
	fr_put16(b + 18, (uint16_t)(plen + extlen));
	return n + extlen;
}

Test(pkt, ipv6_extension_chain)
{
	struct fr f = tcp6();
	uint8_t b[512];
	size_t n = fr_tcp(&f, "chain", 5, b);
	/* hop-by-hop (8) -> routing (16) -> fragment (8, offset 0, more fragments) -> TCP */
	uint8_t ext[32] = { 0 };
	ext[0] = 43; ext[1] = 0; ext[2] = 1; ext[3] = 4;          /* HBH with PadN */
	ext[8] = 44; ext[9] = 1;                                  /* routing, 16 bytes */
	ext[24] = 6; fr_put16(ext + 26, 0x0001); fr_put32(ext + 28, 77);  /* fragment, M=1 */
	n = insert_ext(b, n, 0, ext, sizeof ext);
	struct pkt p;
	decode_ok(DLT_EN10MB, b, n, &p, "IPv6 HBH+routing+fragment");
	cr_assert_eq(p.proto, PKT_TCP, "IPv6 chain: expected PKT_TCP after 3 headers, got %d", p.proto);
	cr_assert_eq(p.len, 5, "IPv6 chain: payload 5, got %zu", p.len);
	cr_assert(memcmp(p.payload, "chain", 5) == 0, "IPv6 chain: payload bytes");

	/* The same with a non-zero fragment offset: not the first fragment. */
	fr_put16(b + 54 + 26, 0x0011);
	decode_ok(DLT_EN10MB, b, n, &p, "IPv6 later fragment");
	cr_assert_eq(p.proto, PKT_OTHER, "IPv6 later fragment: expected PKT_OTHER, got %d", p.proto);
}

Test(pkt, ipv4_fragments)
{
	struct fr f = tcp4();
	uint8_t b[256];
	size_t n = fr_udp(&f, "0123456789", 10, b);
	struct pkt p;
	fr_put16(b + 14 + 6, 0x2000);   /* first fragment, more to come */
	decode_ok(DLT_EN10MB, b, n, &p, "IPv4 first fragment");
	cr_assert_eq(p.proto, PKT_UDP, "IPv4 first fragment: expected PKT_UDP, got %d", p.proto);
	fr_put16(b + 14 + 6, 0x2003);   /* offset 24 bytes */
	decode_ok(DLT_EN10MB, b, n, &p, "IPv4 later fragment");
	cr_assert_eq(p.proto, PKT_OTHER, "IPv4 later fragment: expected PKT_OTHER, got %d", p.proto);
	fr_put16(b + 14 + 6, 0x0003);   /* last fragment */
	decode_ok(DLT_EN10MB, b, n, &p, "IPv4 last fragment");
	cr_assert_eq(p.proto, PKT_OTHER, "IPv4 last fragment: expected PKT_OTHER, got %d", p.proto);
}

Test(pkt, udp_and_empty_udp)
{
	struct fr f = tcp4();
	uint8_t b[256];
	struct pkt p;
	size_t n = fr_udp(&f, "dgram", 5, b);
	decode_ok(DLT_EN10MB, b, n, &p, "UDP");
	cr_assert_eq(p.proto, PKT_UDP, "UDP: expected PKT_UDP, got %d", p.proto);
	cr_assert_eq(p.len, 5, "UDP: 5 bytes, got %zu", p.len);
	cr_assert_eq(p.src.port, 41822, "UDP: source port, got %u", p.src.port);
	n = fr_udp(&f, NULL, 0, b);
	decode_ok(DLT_EN10MB, b, n, &p, "empty UDP");
	cr_assert_eq(p.proto, PKT_UDP, "empty UDP: expected PKT_UDP, got %d", p.proto);
	cr_assert_eq(p.len, 0, "empty UDP: 0 bytes, got %zu", p.len);
	cr_assert_eq(p.wire_len, 0, "empty UDP: wire 0 bytes, got %zu", p.wire_len);
	struct fr g = tcp6();
	n = fr_udp(&g, "six", 3, b);
	decode_ok(DLT_EN10MB, b, n, &p, "UDP over IPv6");
	cr_assert_eq(p.proto, PKT_UDP, "UDP over IPv6: expected PKT_UDP, got %d", p.proto);
	cr_assert_eq(p.len, 3, "UDP over IPv6: 3 bytes, got %zu", p.len);
}

Test(pkt, udp_length_below_header_is_malformed)
{
	struct fr f = tcp4();
	uint8_t b[256];
	struct pkt p;
	size_t n = fr_udp(&f, "abc", 3, b);
	fr_put16(b + 34 + 4, 7);
	char why[128] = "";
	cr_assert_eq(pkt_decode(DLT_EN10MB, b, n, 0, &p, why, sizeof why), -EINVAL,
		     "UDP length 7: expected -EINVAL");
	cr_assert_neq(why[0], '\0', "UDP length 7: expected a reason");
}

Test(pkt, icmp_port_unreachable)
{
	struct fr q = tcp4();
	uint8_t b[512];
	struct pkt p;
	char a[64];
	size_t n = fr_unreach(&q, "payload", 7, b);
	decode_ok(DLT_EN10MB, b, n, &p, "ICMP port unreachable");
	cr_assert_eq(p.proto, PKT_UNREACH, "ICMP unreachable: expected PKT_UNREACH, got %d", p.proto);
	cr_assert_str_eq(pkt_addr_str(&p.src, a, sizeof a), "10.0.0.1:41822", "ICMP unreachable: quoted source, got %s", a);
	cr_assert_str_eq(pkt_addr_str(&p.dst, a, sizeof a), "10.0.0.2:7000", "ICMP unreachable: quoted destination, got %s", a);
	/* Only the quoted IP header and 8 bytes of UDP: still enough (RFC 792). */
	size_t minimal = 14 + 20 + 8 + 20 + 8;
	b[14 + 2] = 0;
	b[14 + 3] = (uint8_t)(minimal - 14);
	decode_ok(DLT_EN10MB, b, minimal, &p, "ICMP unreachable, minimal quote");
	cr_assert_eq(p.proto, PKT_UNREACH, "ICMP minimal quote: expected PKT_UNREACH, got %d", p.proto);
	/* Another code (host unreachable) is not a port unreachable. */
	n = fr_unreach(&q, "payload", 7, b);
	b[14 + 20 + 1] = 1;
	decode_ok(DLT_EN10MB, b, n, &p, "ICMP host unreachable");
	cr_assert_eq(p.proto, PKT_OTHER, "ICMP host unreachable: expected PKT_OTHER, got %d", p.proto);
}

Test(pkt, icmpv6_port_unreachable)
{
	struct fr q = tcp6();
	uint8_t b[512];
	struct pkt p;
	char a[64];
	size_t n = fr_unreach(&q, "payload", 7, b);
	decode_ok(DLT_EN10MB, b, n, &p, "ICMPv6 port unreachable");
	cr_assert_eq(p.proto, PKT_UNREACH, "ICMPv6 unreachable: expected PKT_UNREACH, got %d", p.proto);
	cr_assert_str_eq(pkt_addr_str(&p.src, a, sizeof a), "[fe80::1]:50000", "ICMPv6: quoted source, got %s", a);
	cr_assert_str_eq(pkt_addr_str(&p.dst, a, sizeof a), "[2001:db8::2]:80", "ICMPv6: quoted destination, got %s", a);
	b[14 + 40] = 128;   /* echo request */
	decode_ok(DLT_EN10MB, b, n, &p, "ICMPv6 echo");
	cr_assert_eq(p.proto, PKT_OTHER, "ICMPv6 echo: expected PKT_OTHER, got %d", p.proto);
}

/* The IP packet of an Ethernet frame behind another link header. */
static size_t relink(const uint8_t *eth, size_t n, const uint8_t *hdr, size_t hlen, uint8_t *out)
{
	memcpy(out, hdr, hlen);
	memcpy(out + hlen, eth + 14, n - 14);
	return hlen + n - 14;
}

Test(pkt, link_types)
{
	struct fr f4 = tcp4(), f6 = tcp6();
	uint8_t e4[256], e6[256], b[300];
	size_t n4 = fr_tcp(&f4, "L", 1, e4), n6 = fr_tcp(&f6, "L", 1, e6);
	struct pkt p;
	struct {
		int lt;
		const char *name;
		uint8_t h4[20], h6[20];
		size_t hlen;
	} cases[] = {
		{ DLT_LINUX_SLL, "SLL", { [14] = 0x08, [15] = 0x00 }, { [14] = 0x86, [15] = 0xdd }, 16 },
		{ DLT_LINUX_SLL2, "SLL2", { 0x08, 0x00 }, { 0x86, 0xdd }, 20 },
		{ DLT_RAW, "RAW", { 0 }, { 0 }, 0 },
		{ 101, "LINKTYPE_RAW", { 0 }, { 0 }, 0 },
		{ DLT_IPV4, "IPV4", { 0 }, { 0 }, 0 },
		{ DLT_NULL, "NULL little-endian", { 2, 0, 0, 0 }, { 10, 0, 0, 0 }, 4 },
		{ DLT_NULL, "NULL big-endian", { 0, 0, 0, 2 }, { 0, 0, 0, 30 }, 4 },
		{ DLT_LOOP, "LOOP", { 0, 0, 0, 2 }, { 0, 0, 0, 24 }, 4 },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		cr_assert(pkt_is_known_linktype(cases[i].lt), "%s: expected a known link type", cases[i].name);
		size_t n = relink(e4, n4, cases[i].h4, cases[i].hlen, b);
		decode_ok(cases[i].lt, b, n, &p, cases[i].name);
		cr_assert_eq(p.proto, PKT_TCP, "%s over IPv4: expected PKT_TCP, got %d", cases[i].name, p.proto);
		cr_assert_eq(p.src.port, 41822, "%s over IPv4: source port, got %u", cases[i].name, p.src.port);
		if (cases[i].lt == DLT_IPV4)
			continue;
		n = relink(e6, n6, cases[i].h6, cases[i].hlen, b);
		decode_ok(cases[i].lt, b, n, &p, cases[i].name);
		cr_assert_eq(p.proto, PKT_TCP, "%s over IPv6: expected PKT_TCP, got %d", cases[i].name, p.proto);
		cr_assert_eq(p.src.family, AF_INET6, "%s over IPv6: family, got %d", cases[i].name, p.src.family);
	}
	char why[128] = "";
	cr_assert(!pkt_is_known_linktype(DLT_IEEE802_11), "802.11 is not understood");
	cr_assert_eq(pkt_decode(DLT_IEEE802_11, e4, n4, 0, &p, why, sizeof why), -EINVAL,
		     "unknown link type: expected -EINVAL");
	cr_assert_neq(why[0], '\0', "unknown link type: expected a reason");
}

Test(pkt, vlan_and_arp)
{
	struct fr f = tcp4();
	uint8_t e[256], b[300];
	size_t n = fr_tcp(&f, "V", 1, e);
	memcpy(b, e, 12);
	memcpy(b + 12, "\x81\x00\x00\x05", 4);   /* 802.1Q tag, VLAN 5 */
	memcpy(b + 16, e + 12, n - 12);
	struct pkt p;
	decode_ok(DLT_EN10MB, b, n + 4, &p, "802.1Q");
	cr_assert_eq(p.proto, PKT_TCP, "802.1Q: expected PKT_TCP, got %d", p.proto);
	uint8_t arp[42] = { 0 };
	arp[12] = 0x08;
	arp[13] = 0x06;
	decode_ok(DLT_EN10MB, arp, sizeof arp, &p, "ARP");
	cr_assert_eq(p.proto, PKT_OTHER, "ARP: expected PKT_OTHER, got %d", p.proto);
}

Test(pkt, malformed_headers)
{
	struct fr f = tcp4();
	uint8_t b[256], c[256];
	size_t n = fr_tcp(&f, "m", 1, b);
	struct pkt p;
	char why[128];
	struct {
		const char *name;
		size_t off;
		uint8_t val;
	} cases[] = {
		{ "IPv4 IHL 4", 14, 0x44 },
		{ "IP version 5", 14, 0x55 },
		{ "IPv4 total length below header", 14 + 3, 10 },
		{ "TCP data offset 4", 34 + 12, 0x40 },
		{ "TCP data offset beyond segment", 34 + 12, 0xf0 },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		memcpy(c, b, n);
		c[cases[i].off] = cases[i].val;
		why[0] = '\0';
		int rc = pkt_decode(DLT_EN10MB, c, n, 0, &p, why, sizeof why);
		cr_assert_eq(rc, -EINVAL, "%s: expected -EINVAL, got %d", cases[i].name, rc);
		cr_assert_neq(why[0], '\0', "%s: expected a reason", cases[i].name);
	}
}

/* Every prefix of a valid frame decodes to an error or PKT_OTHER, except those that keep
 * every header, which decode as the full packet with a snapped payload. */
static void every_prefix(int lt, const uint8_t *b, size_t n, size_t hdr_end, enum pkt_proto full,
			 const char *scenario)
{
	struct pkt whole;
	decode_ok(lt, b, n, &whole, scenario);
	cr_assert_eq(whole.proto, full, "%s: whole frame expected proto %d, got %d", scenario, full, whole.proto);
	for (size_t k = 0; k < n; k++) {
		/* A heap copy of exactly k bytes, so ASan sees any read past the end. */
		uint8_t *cut = malloc(k ? k : 1);
		cr_assert_not_null(cut);
		memcpy(cut, b, k);
		struct pkt p;
		char why[128] = "";
		int rc = pkt_decode(lt, cut, k, 0, &p, why, sizeof why);
		if (k < hdr_end) {
			cr_assert(rc < 0 || p.proto == PKT_OTHER,
				  "%s cut to %zu bytes: expected an error or PKT_OTHER, got rc %d proto %d",
				  scenario, k, rc, p.proto);
			if (rc < 0)
				cr_assert_neq(why[0], '\0', "%s cut to %zu bytes: expected a reason", scenario, k);
		} else {
			cr_assert_eq(rc, 0, "%s cut to %zu bytes: headers complete, expected 0, got %d (%s)",
				     scenario, k, rc, why);
			cr_assert_eq(p.proto, full, "%s cut to %zu bytes: proto", scenario, k);
			cr_assert_eq(p.len, full == PKT_UNREACH ? 0 : k - hdr_end,
				     "%s cut to %zu bytes: captured payload expected %zu, got %zu", scenario, k,
				     k - hdr_end, p.len);
			cr_assert_eq(p.wire_len, whole.wire_len, "%s cut to %zu bytes: wire length unchanged",
				     scenario, k);
		}
		free(cut);
	}
}

Test(pkt, truncated_frame_at_every_length)
{
	uint8_t b[512];
	struct fr f = tcp4();
	f.ip_opts = f.tcp_opts = true;
	size_t n = fr_tcp(&f, "truncate me", 11, b);
	every_prefix(DLT_EN10MB, b, n, 14 + 24 + 32, PKT_TCP, "IPv4 TCP with options");
	struct fr g = tcp6();
	g.ip_opts = g.tcp_opts = true;
	n = fr_tcp(&g, "truncate me", 11, b);
	every_prefix(DLT_EN10MB, b, n, 14 + 48 + 32, PKT_TCP, "IPv6 ext TCP");
	n = fr_udp(&f, "udp!", 4, b);
	every_prefix(DLT_EN10MB, b, n, 14 + 24 + 8, PKT_UDP, "IPv4 UDP");
	n = fr_udp(&g, "udp!", 4, b);
	every_prefix(DLT_EN10MB, b, n, 14 + 48 + 8, PKT_UDP, "IPv6 UDP");
	f.ip_opts = false;
	n = fr_unreach(&f, "quoted", 6, b);
	every_prefix(DLT_EN10MB, b, n, 14 + 20 + 8 + 20 + 4, PKT_UNREACH, "ICMP unreachable");
	g.ip_opts = false;
	n = fr_unreach(&g, "quoted", 6, b);
	every_prefix(DLT_EN10MB, b, n, 14 + 40 + 8 + 40 + 4, PKT_UNREACH, "ICMPv6 unreachable");
	uint8_t s[300];
	n = fr_tcp(&f, "sll2", 4, b);
	size_t m = relink(b, n, (const uint8_t *)"\x08\x00", 2, s);
	memmove(s + 20, s + 2, m - 2);
	memset(s + 2, 0, 18);
	every_prefix(DLT_LINUX_SLL2, s, m + 18, 20 + 20 + 32, PKT_TCP, "SLL2 TCP");
}

Test(pkt, addresses)
{
	struct pkt_addr a = { .family = AF_INET, .addr = { 127, 0, 0, 1 }, .port = 7000 };
	struct pkt_addr b = a;
	char s[64];
	cr_assert_str_eq(pkt_addr_str(&a, s, sizeof s), "127.0.0.1:7000", "IPv4 address text, got %s", s);
	cr_assert(pkt_addr_eq(&a, &b), "same address and port must be equal");
	b.addr[10] = 9;   /* beyond the 4 bytes IPv4 uses */
	cr_assert(pkt_addr_eq(&a, &b), "IPv4 compares only 4 address bytes");
	b.port = 7001;
	cr_assert(!pkt_addr_eq(&a, &b), "different ports must differ");
	struct pkt_addr c = { .family = AF_INET6, .port = 1 };
	c.addr[15] = 1;
	cr_assert_str_eq(pkt_addr_str(&c, s, sizeof s), "[::1]:1", "IPv6 address text, got %s", s);
	cr_assert(!pkt_addr_eq(&a, &c), "different families must differ");
	pkt_addr_str(&c, s, 4);
	cr_assert_eq(strlen(s), 3, "short buffer: truncated to 3 chars, got %zu", strlen(s));
}
