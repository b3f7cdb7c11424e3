/* pkt.h - bounds-checked decoding of captured frames: Ethernet, Linux SLL, raw IP,
 * IPv4 (RFC 791), IPv6 (RFC 8200), TCP (RFC 9293), UDP (RFC 768) and the ICMP / ICMPv6
 * "port unreachable" errors (RFC 792, RFC 4443) that quote a UDP datagram.
 *
 * A decoded packet points into the caller's frame buffer (no copies): the frame must
 * outlive the struct pkt. Nothing is ever cast from packet bytes to a struct; every
 * field is read with a bounds-checked accessor, and a truncated or malformed frame is
 * an error value, never a crash. */
#ifndef WIRELAB_PKT_H
#define WIRELAB_PKT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum pkt_proto {
	PKT_OTHER = 0,     /* decoded, but nothing a flow cares about (ARP, ICMP echo, ...) */
	PKT_TCP,
	PKT_UDP,
	PKT_UNREACH,       /* ICMP(v6) port unreachable; src/dst are the quoted UDP datagram's */
};

/* TCP flag bits, as on the wire. */
enum {
	PKT_FIN = 0x01, PKT_SYN = 0x02, PKT_RST = 0x04,
	PKT_PSH = 0x08, PKT_ACK = 0x10, PKT_URG = 0x20,
};

struct pkt_addr {
	int family;          /* AF_INET or AF_INET6 */
	uint8_t addr[16];    /* network order; IPv4 uses the first 4 bytes */
	uint16_t port;       /* host order */
};

struct pkt {
	int64_t ts_ns;             /* capture time, nanoseconds since the epoch */
	enum pkt_proto proto;
	struct pkt_addr src, dst;
	/* TCP only */
	uint32_t seq, ack;
	uint8_t flags;
	uint16_t win;
	/* TCP or UDP payload as captured; len may be less than wire_len when snapped */
	const uint8_t *payload;
	size_t len;
	size_t wire_len;           /* payload length the IP/UDP headers announce */
};

/* Link types understood (values of pcap's DLT_*). */
bool pkt_is_known_linktype(int linktype);

/* Decode one frame. Returns 0 and fills *out (proto may be PKT_OTHER), or -EINVAL for a
 * malformed or truncated frame, with a one-line reason in why. */
int pkt_decode(int linktype, const uint8_t *frame, size_t caplen, int64_t ts_ns,
	       struct pkt *out, char *why, size_t whylen);

/* "127.0.0.1:7000" or "[::1]:7000" into buf; returns buf. */
char *pkt_addr_str(const struct pkt_addr *a, char *buf, size_t bufsz);

/* Same address and port. */
bool pkt_addr_eq(const struct pkt_addr *a, const struct pkt_addr *b);

#endif
