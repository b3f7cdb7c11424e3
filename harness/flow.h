/* flow.h - flows from decoded packets: TCP connections with both byte streams reassembled
 * by sequence number (RFC 9293 section 3.4), FIN and RST with their sender and time, and
 * UDP datagrams and ICMP port-unreachable errors in capture order.
 *
 * A flow_set owns every byte it holds (payloads are copied out of the frames given to
 * flow_set_add). Direction 0 is always client to server (the sender of the first SYN; the
 * first sender seen when the SYN was not captured), direction 1 server to client.
 * A new SYN on a 4-tuple whose previous connection ended (FIN both ways or RST) starts a
 * new flow, so a port reused after TIME_WAIT gives two flows. */
#ifndef WIRELAB_FLOW_H
#define WIRELAB_FLOW_H

#include "pkt.h"

enum { FLOW_C2S = 0, FLOW_S2C = 1 };

/* One TCP segment as seen, for ladder diagrams and timing rules. */
struct flow_seg {
	int64_t ts_ns;
	int dir;                 /* FLOW_C2S or FLOW_S2C */
	uint8_t flags;           /* PKT_SYN | PKT_ACK ... */
	uint64_t off;            /* stream offset of the first payload byte (0 = first data byte) */
	size_t len;              /* payload bytes */
	bool retrans;            /* every byte of it had been seen before */
	uint8_t preview[24];     /* first bytes of the payload */
	size_t npreview;
};

struct flow_half {
	bool have_isn;
	uint32_t isn;            /* sequence number of the SYN (or first seq - 1 without one) */
	uint8_t *data;           /* reassembled stream from offset 0 */
	size_t len;              /* contiguous bytes from offset 0 */
	bool hole;               /* bytes were seen beyond a gap that never filled */
	uint64_t bytes_seen;     /* highest stream offset + 1 seen, gaps included */
	uint64_t retrans;        /* segments that carried only bytes already seen */
	int64_t first_data_ns, last_data_ns;  /* 0 when no data */
	bool fin;
	int64_t fin_ns;          /* first FIN seen from this side */
	uint64_t fin_off;        /* stream offset of the FIN (bytes sent before it) */
	bool rst;
	int64_t rst_ns;          /* first RST sent by this side */
};

struct flow_tcp {
	struct pkt_addr cli, srv;
	bool syn, synack;
	int64_t syn_ns, synack_ns;
	int64_t first_ns, last_ns;
	struct flow_half half[2];
	struct flow_seg *segs;
	size_t nsegs;
};

struct flow_dgram {
	int64_t ts_ns;
	struct pkt_addr src, dst;
	uint8_t *data;           /* captured payload */
	size_t len;              /* captured bytes */
	size_t wire_len;         /* the datagram's real length */
};

struct flow_unreach {
	int64_t ts_ns;
	struct pkt_addr src, dst;   /* of the quoted datagram that could not be delivered */
};

struct flow_set {
	int linktype;
	int64_t t0_ns;              /* time of the first packet */
	uint64_t frames, bad_frames;
	struct flow_tcp *tcp;       /* in order of their first packet */
	size_t ntcp;
	struct flow_dgram *udp;
	size_t nudp;
	struct flow_unreach *unreach;
	size_t nunreach;
	/* private reassembly state lives behind this pointer */
	void *priv;
};

/* Empty set for frames of the given link type; NULL with errno on failure. */
struct flow_set *flow_set_new(int linktype);
/* Decode one frame and add it. Malformed frames are counted in bad_frames, not errors.
 * Returns 0, or -ENOMEM. */
int flow_set_add(struct flow_set *fs, const uint8_t *frame, size_t caplen, int64_t ts_ns);
/* Read a whole pcap file (any precision). NULL with a reason in why. */
struct flow_set *flow_read_pcap(const char *path, char *why, size_t whylen);
void flow_set_free(struct flow_set *fs);

/* The idx-th (from 0) TCP flow whose server port is port, in order of first packet;
 * NULL when there are fewer. */
const struct flow_tcp *flow_tcp_nth(const struct flow_set *fs, uint16_t port, size_t idx);
size_t flow_tcp_count(const struct flow_set *fs, uint16_t port);
/* The TCP flow whose client port is cport and server port is sport, NULL if none. */
const struct flow_tcp *flow_tcp_find(const struct flow_set *fs, uint16_t cport, uint16_t sport);
/* Time the byte at stream offset off of direction dir was first seen; -1 if never. */
int64_t flow_time_of(const struct flow_tcp *f, int dir, uint64_t off);
/* Number of segments in direction dir with payload. */
size_t flow_data_segs(const struct flow_tcp *f, int dir);

#endif
