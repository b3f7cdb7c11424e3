/* pkt.c - bounds-checked frame decoding: link layers, IPv4/IPv6, TCP, UDP, ICMP unreachable. */
#include "pkt.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <pcap/dlt.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

/* LINKTYPE_RAW as stored in pcap files; pcap maps it to DLT_RAW, but accept both. */
#define PKT_LINKTYPE_RAW 101

enum { PROTO_HBH = 0, PROTO_RT = 43, PROTO_FRAG = 44, PROTO_AUTH = 51,
       PROTO_NONXT = 59, PROTO_DOPTS = 60, PROTO_ICMP6 = 58 };

/* A window onto packet bytes; every read goes through the accessors below. */
struct span {
	const uint8_t *p;
	size_t n;
};

static bool span_has(const struct span *s, size_t off, size_t len)
{
	return off <= s->n && len <= s->n - off;
}

static uint8_t rd8(const struct span *s, size_t off)
{
	return s->p[off];
}

static uint16_t rd16(const struct span *s, size_t off)
{
	return (uint16_t)((unsigned)s->p[off] << 8 | s->p[off + 1]);
}

static uint32_t rd32(const struct span *s, size_t off)
{
	return (uint32_t)s->p[off] << 24 | (uint32_t)s->p[off + 1] << 16 |
	       (uint32_t)s->p[off + 2] << 8 | (uint32_t)s->p[off + 3];
}

static uint32_t rd32le(const struct span *s, size_t off)
{
	return (uint32_t)s->p[off + 3] << 24 | (uint32_t)s->p[off + 2] << 16 |
	       (uint32_t)s->p[off + 1] << 8 | (uint32_t)s->p[off];
}

/* The bytes of s from off on (off must be within s). */
static struct span span_from(const struct span *s, size_t off)
{
	struct span r = { s->p + off, s->n - off };
	return r;
}

/* printf into the caller's why; returns -EINVAL. */
__attribute__((format(printf, 3, 4)))
static int fail(char *why, size_t whylen, const char *fmt, ...)
{
	if (why && whylen) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(why, whylen, fmt, ap);
		va_end(ap);
	}
	return -EINVAL;
}

bool pkt_is_known_linktype(int linktype)
{
	switch (linktype) {
	case DLT_EN10MB: case DLT_LINUX_SLL: case DLT_LINUX_SLL2: case DLT_RAW:
	case PKT_LINKTYPE_RAW: case DLT_IPV4: case DLT_IPV6: case DLT_NULL: case DLT_LOOP:
		return true;
	default:
		return false;
	}
}

/* The transport part of an IP packet: what was captured (cap) and how long the IP header
 * says it is (wire). */
struct l4 {
	int family;
	uint8_t src[16], dst[16];
	int proto;
	struct span cap;
	size_t wire;
	bool later_frag;   /* a fragment other than the first: no transport header in it */
};

static void set_addr(struct pkt_addr *a, int family, const uint8_t *addr, uint16_t port)
{
	memset(a, 0, sizeof *a);
	a->family = family;
	memcpy(a->addr, addr, family == AF_INET ? 4 : 16);
	a->port = port;
}

/* RFC 791 section 3.1: version, IHL, total length, flags and fragment offset, protocol.
 * A total length of 0 is what Linux shows for GSO packets above 64 KiB: take what was
 * captured. */
static int ip4_open(const struct span *s, struct l4 *l, char *why, size_t whylen)
{
	if (!span_has(s, 0, 20))
		return fail(why, whylen, "truncated IPv4 header (%zu of 20 bytes)", s->n);
	if (rd8(s, 0) >> 4 != 4)
		return fail(why, whylen, "IPv4 header with version %u", rd8(s, 0) >> 4);
	size_t hl = (size_t)(rd8(s, 0) & 0x0f) * 4;
	if (hl < 20)
		return fail(why, whylen, "IPv4 header length %zu below 20", hl);
	if (!span_has(s, 0, hl))
		return fail(why, whylen, "truncated IPv4 options (%zu of %zu bytes)", s->n, hl);
	size_t total = rd16(s, 2);
	if (total == 0)
		total = s->n;
	if (total < hl)
		return fail(why, whylen, "IPv4 total length %zu below header length %zu",
			    total, hl);
	uint16_t frag = rd16(s, 6);
	l->family = AF_INET;
	memcpy(l->src, s->p + 12, 4);
	memcpy(l->dst, s->p + 16, 4);
	l->proto = rd8(s, 9);
	l->later_frag = (frag & 0x1fff) != 0;
	l->wire = total - hl;
	l->cap = span_from(s, hl);
	if (l->cap.n > l->wire)
		l->cap.n = l->wire;   /* Ethernet padding is not payload */
	return 0;
}

/* RFC 8200 section 4: walk the extension header chain to the upper-layer header. A
 * payload length of 0 is a jumbogram or a Linux BIG TCP packet: take what was captured. */
static int ip6_open(const struct span *s, struct l4 *l, char *why, size_t whylen)
{
	if (!span_has(s, 0, 40))
		return fail(why, whylen, "truncated IPv6 header (%zu of 40 bytes)", s->n);
	if (rd8(s, 0) >> 4 != 6)
		return fail(why, whylen, "IPv6 header with version %u", rd8(s, 0) >> 4);
	size_t plen = rd16(s, 4);
	struct span rest = span_from(s, 40);
	if (plen == 0)
		plen = rest.n;
	if (rest.n > plen)
		rest.n = plen;
	l->family = AF_INET6;
	memcpy(l->src, s->p + 8, 16);
	memcpy(l->dst, s->p + 24, 16);
	l->later_frag = false;
	int nh = rd8(s, 6);
	size_t off = 0;   /* from the end of the fixed header */
	for (int hops = 0;; hops++) {
		if (hops > 16)
			return fail(why, whylen, "IPv6 extension header chain too long");
		size_t hlen;
		switch (nh) {
		case PROTO_HBH: case PROTO_RT: case PROTO_DOPTS:
			if (!span_has(&rest, off, 2))
				return fail(why, whylen, "truncated IPv6 extension header %d", nh);
			hlen = ((size_t)rd8(&rest, off + 1) + 1) * 8;
			break;
		case PROTO_AUTH:   /* RFC 4302 section 2.2: length in 4-byte units, minus 2 */
			if (!span_has(&rest, off, 2))
				return fail(why, whylen, "truncated IPv6 authentication header");
			hlen = ((size_t)rd8(&rest, off + 1) + 2) * 4;
			break;
		case PROTO_FRAG:   /* RFC 8200 section 4.5 */
			if (!span_has(&rest, off, 8))
				return fail(why, whylen, "truncated IPv6 fragment header");
			hlen = 8;
			if ((rd16(&rest, off + 2) & 0xfff8) != 0)
				l->later_frag = true;
			break;
		default:
			l->proto = nh;
			l->cap = span_from(&rest, off);
			l->wire = plen - off;
			return 0;
		}
		if (!span_has(&rest, off, hlen) || off + hlen > plen)
			return fail(why, whylen, "truncated IPv6 extension header %d", nh);
		nh = rd8(&rest, off);
		off += hlen;
		if (l->later_frag) {
			l->proto = nh;
			l->cap = span_from(&rest, off);
			l->wire = plen - off;
			return 0;
		}
	}
}

static int ip_open(const struct span *s, int version, struct l4 *l, char *why, size_t whylen)
{
	if (version == 4)
		return ip4_open(s, l, why, whylen);
	if (version == 6)
		return ip6_open(s, l, why, whylen);
	return fail(why, whylen, "IP version %d", version);
}

/* RFC 9293 section 3.1: ports, sequence and acknowledgment numbers, data offset, flags. */
static int tcp_decode(const struct l4 *l, struct pkt *out, char *why, size_t whylen)
{
	const struct span *s = &l->cap;
	if (!span_has(s, 0, 20))
		return fail(why, whylen, "truncated TCP header (%zu of 20 bytes)", s->n);
	size_t hl = (size_t)(rd8(s, 12) >> 4) * 4;
	if (hl < 20)
		return fail(why, whylen, "TCP data offset %zu below 20", hl);
	if (hl > l->wire)
		return fail(why, whylen, "TCP header of %zu bytes in a %zu-byte segment",
			    hl, l->wire);
	if (!span_has(s, 0, hl))
		return fail(why, whylen, "truncated TCP options (%zu of %zu bytes)", s->n, hl);
	set_addr(&out->src, l->family, l->src, rd16(s, 0));
	set_addr(&out->dst, l->family, l->dst, rd16(s, 2));
	out->seq = rd32(s, 4);
	out->ack = rd32(s, 8);
	out->flags = rd8(s, 13) & 0x3f;
	out->win = rd16(s, 14);
	out->payload = s->p + hl;
	out->len = s->n - hl;
	out->wire_len = l->wire - hl;
	out->proto = PKT_TCP;
	return 0;
}

/* RFC 768: the UDP length covers header and data; bytes past it are not payload. */
static int udp_decode(const struct l4 *l, struct pkt *out, char *why, size_t whylen)
{
	const struct span *s = &l->cap;
	if (!span_has(s, 0, 8))
		return fail(why, whylen, "truncated UDP header (%zu of 8 bytes)", s->n);
	size_t ulen = rd16(s, 4);
	if (ulen == 0 && l->family == AF_INET6)
		ulen = l->wire;   /* RFC 2675 section 4: jumbogram */
	if (ulen < 8)
		return fail(why, whylen, "UDP length %zu below 8", ulen);
	set_addr(&out->src, l->family, l->src, rd16(s, 0));
	set_addr(&out->dst, l->family, l->dst, rd16(s, 2));
	out->payload = s->p + 8;
	out->len = (s->n < ulen ? s->n : ulen) - 8;
	out->wire_len = ulen - 8;
	out->proto = PKT_UDP;
	return 0;
}

/* The datagram quoted in an ICMP error: its IP header and the first 8 bytes (the UDP
 * header) are all RFC 792 and RFC 4443 section 2.4 promise. */
static int quoted_udp(const struct span *q, int version, struct pkt *out,
		      char *why, size_t whylen)
{
	struct l4 inner;
	char ignored[8];
	if (!span_has(q, 0, 1) || rd8(q, 0) >> 4 != version)
		return fail(why, whylen, "ICMP error without a quoted IPv%d header", version);
	/* The quote is usually cut short, so its lengths may exceed what is there. */
	if (ip_open(q, version, &inner, ignored, sizeof ignored) < 0)
		return fail(why, whylen, "ICMP error with a truncated quoted IPv%d header",
			    version);
	if (inner.later_frag || inner.proto != IPPROTO_UDP)
		return 0;   /* not a UDP datagram we can name: PKT_OTHER */
	if (!span_has(&inner.cap, 0, 4))
		return fail(why, whylen, "ICMP error quoting a truncated UDP header");
	set_addr(&out->src, inner.family, inner.src, rd16(&inner.cap, 0));
	set_addr(&out->dst, inner.family, inner.dst, rd16(&inner.cap, 2));
	out->proto = PKT_UNREACH;
	return 0;
}

static int transport_decode(const struct l4 *l, struct pkt *out, char *why, size_t whylen)
{
	set_addr(&out->src, l->family, l->src, 0);
	set_addr(&out->dst, l->family, l->dst, 0);
	if (l->later_frag)
		return 0;
	switch (l->proto) {
	case IPPROTO_TCP:
		return tcp_decode(l, out, why, whylen);
	case IPPROTO_UDP:
		return udp_decode(l, out, why, whylen);
	case IPPROTO_ICMP:   /* RFC 792: type 3 destination unreachable, code 3 port */
		if (l->family != AF_INET)
			return 0;
		if (!span_has(&l->cap, 0, 8))
			return fail(why, whylen, "truncated ICMP header (%zu of 8 bytes)",
				    l->cap.n);
		if (rd8(&l->cap, 0) != 3 || rd8(&l->cap, 1) != 3)
			return 0;
		{
			struct span q = span_from(&l->cap, 8);
			return quoted_udp(&q, 4, out, why, whylen);
		}
	case PROTO_ICMP6:  /* RFC 4443 section 3.1: type 1, code 4 port unreachable */
		if (l->family != AF_INET6)
			return 0;
		if (!span_has(&l->cap, 0, 8))
			return fail(why, whylen, "truncated ICMPv6 header (%zu of 8 bytes)",
				    l->cap.n);
		if (rd8(&l->cap, 0) != 1 || rd8(&l->cap, 1) != 4)
			return 0;
		{
			struct span q = span_from(&l->cap, 8);
			return quoted_udp(&q, 6, out, why, whylen);
		}
	default:
		return 0;
	}
}

/* Network-layer version from an EtherType, 0 for anything else. */
static int ethertype_version(uint16_t type)
{
	return type == 0x0800 ? 4 : type == 0x86dd ? 6 : 0;
}

/* BSD loopback family values for IPv6 differ between systems (Linux 10, the BSDs 24,
 * 28 and 30). */
static int family_version(uint32_t fam)
{
	if (fam == 2)
		return 4;
	if (fam == 10 || fam == 24 || fam == 28 || fam == 30)
		return 6;
	return 0;
}

/* Find the network layer: its offset in the frame and its IP version (0: not IP). */
static int link_decode(int linktype, const struct span *f, size_t *off, int *version,
		       char *why, size_t whylen)
{
	switch (linktype) {
	case DLT_EN10MB: {
		/* IEEE 802.3: two addresses and an EtherType, maybe behind 802.1Q tags. */
		size_t o = 12;
		for (int tags = 0;; tags++) {
			if (!span_has(f, o, 2))
				return fail(why, whylen, "truncated Ethernet header (%zu bytes)",
					    f->n);
			uint16_t type = rd16(f, o);
			if ((type == 0x8100 || type == 0x88a8) && tags < 2) {
				o += 4;
				continue;
			}
			*off = o + 2;
			*version = ethertype_version(type);
			return 0;
		}
	}
	case DLT_LINUX_SLL:   /* 16-byte cooked header, protocol type last */
		if (!span_has(f, 0, 16))
			return fail(why, whylen, "truncated Linux SLL header (%zu of 16 bytes)",
				    f->n);
		*off = 16;
		*version = ethertype_version(rd16(f, 14));
		return 0;
	case DLT_LINUX_SLL2:  /* 20-byte cooked header v2, protocol type first */
		if (!span_has(f, 0, 20))
			return fail(why, whylen,
				    "truncated Linux SLL2 header (%zu of 20 bytes)", f->n);
		*off = 20;
		*version = ethertype_version(rd16(f, 0));
		return 0;
	case DLT_RAW: case PKT_LINKTYPE_RAW: case DLT_IPV4: case DLT_IPV6:
		if (!span_has(f, 0, 1))
			return fail(why, whylen, "empty raw IP frame");
		*off = 0;
		*version = rd8(f, 0) >> 4;
		if (linktype == DLT_IPV4 && *version != 4)
			return fail(why, whylen, "IPv4 link with IP version %d", *version);
		if (linktype == DLT_IPV6 && *version != 6)
			return fail(why, whylen, "IPv6 link with IP version %d", *version);
		return 0;
	case DLT_NULL: case DLT_LOOP:
		/* A 4-byte address family: host order for NULL, network order for LOOP;
		 * files travel between machines, so try both orders for either. */
		if (!span_has(f, 0, 4))
			return fail(why, whylen, "truncated loopback header (%zu of 4 bytes)",
				    f->n);
		*off = 4;
		*version = family_version(rd32(f, 0));
		if (*version == 0)
			*version = family_version(rd32le(f, 0));
		return 0;
	default:
		return fail(why, whylen, "unsupported link type %d", linktype);
	}
}

int pkt_decode(int linktype, const uint8_t *frame, size_t caplen, int64_t ts_ns,
	       struct pkt *out, char *why, size_t whylen)
{
	memset(out, 0, sizeof *out);
	out->ts_ns = ts_ns;
	out->proto = PKT_OTHER;
	if (why && whylen)
		why[0] = '\0';
	if (!frame && caplen)
		return fail(why, whylen, "no frame");
	struct span f = { frame, caplen };
	size_t off = 0;
	int version = 0;
	int rc = link_decode(linktype, &f, &off, &version, why, whylen);
	if (rc < 0)
		return rc;
	if (version != 4 && version != 6)
		return 0;   /* ARP and friends */
	struct span ip = span_from(&f, off);
	struct l4 l;
	rc = ip_open(&ip, version, &l, why, whylen);
	if (rc == 0)
		rc = transport_decode(&l, out, why, whylen);
	if (rc < 0) {
		memset(out, 0, sizeof *out);
		out->ts_ns = ts_ns;
		out->proto = PKT_OTHER;
	}
	return rc;
}

char *pkt_addr_str(const struct pkt_addr *a, char *buf, size_t bufsz)
{
	char host[INET6_ADDRSTRLEN];
	if (!buf || bufsz == 0)
		return buf;
	if (a->family == AF_INET && inet_ntop(AF_INET, a->addr, host, sizeof host))
		snprintf(buf, bufsz, "%s:%u", host, (unsigned)a->port);
	else if (a->family == AF_INET6 && inet_ntop(AF_INET6, a->addr, host, sizeof host))
		snprintf(buf, bufsz, "[%s]:%u", host, (unsigned)a->port);
	else
		snprintf(buf, bufsz, "?:%u", (unsigned)a->port);
	return buf;
}

bool pkt_addr_eq(const struct pkt_addr *a, const struct pkt_addr *b)
{
	if (a->family != b->family || a->port != b->port)
		return false;
	size_t n = a->family == AF_INET ? 4 : 16;
	return memcmp(a->addr, b->addr, n) == 0;
}
