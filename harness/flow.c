/* flow.c - TCP stream reassembly, UDP datagrams and ICMP unreachables from captured frames. */
/* pcap.h declares its API with the BSD u_char and u_int types, which glibc only provides
 * beyond strict POSIX. */
#define _DEFAULT_SOURCE
#include "flow.h"

#include <errno.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Bytes received beyond the contiguous prefix of a stream, waiting for the gap before
 * them to fill. Chunks are sorted by offset and never overlap each other or the prefix. */
struct chunk {
	uint64_t off;
	size_t len, cap;
	uint8_t *data;
};

struct half_priv {
	size_t cap;             /* allocated bytes of flow_half.data */
	struct chunk *chunks;
	size_t nchunks, chunkcap;
	bool had_data;
};

struct tcp_priv {
	struct half_priv h[2];
	size_t segcap;
};

struct flow_priv {
	struct tcp_priv *tcp;   /* parallel to fs->tcp */
	size_t tcpcap, udpcap, unreachcap;
	/* Open-addressing map from a 4-tuple (either order) to 1 + the index of the newest
	 * flow on it; 0 marks an empty slot. */
	size_t *map;
	size_t mapcap, mapused;
};

/* Grow *p (n elements of size sz, capacity *cap) to hold at least need elements,
 * doubling so appends are amortised O(1). */
static int grow(void **p, size_t *cap, size_t need, size_t sz, size_t first)
{
	if (need <= *cap)
		return 0;
	size_t ncap = *cap ? *cap : first;
	while (ncap < need) {
		if (ncap > SIZE_MAX / 2 / sz)
			return -ENOMEM;
		ncap *= 2;
	}
	void *np = realloc(*p, ncap * sz);
	if (!np)
		return -ENOMEM;
	*p = np;
	*cap = ncap;
	return 0;
}

/* ---- 4-tuple map ---- */

static void endpoint_key(const struct pkt_addr *a, uint8_t k[19])
{
	k[0] = (uint8_t)a->family;
	memcpy(k + 1, a->addr, 16);
	k[17] = (uint8_t)(a->port >> 8);
	k[18] = (uint8_t)a->port;
}

static uint64_t tuple_hash(const struct pkt_addr *a, const struct pkt_addr *b)
{
	uint8_t ka[19], kb[19];
	endpoint_key(a, ka);
	endpoint_key(b, kb);
	if (memcmp(ka, kb, sizeof ka) > 0) {
		uint8_t t[19];
		memcpy(t, ka, sizeof t);
		memcpy(ka, kb, sizeof t);
		memcpy(kb, t, sizeof t);
	}
	uint64_t h = 1469598103934665603ULL;   /* FNV-1a */
	for (size_t i = 0; i < sizeof ka; i++)
		h = (h ^ ka[i]) * 1099511628211ULL;
	for (size_t i = 0; i < sizeof kb; i++)
		h = (h ^ kb[i]) * 1099511628211ULL;
	return h;
}

static bool tuple_is(const struct flow_tcp *f, const struct pkt_addr *a,
		     const struct pkt_addr *b)
{
	return (pkt_addr_eq(&f->cli, a) && pkt_addr_eq(&f->srv, b)) ||
	       (pkt_addr_eq(&f->cli, b) && pkt_addr_eq(&f->srv, a));
}

/* The slot holding the tuple a-b, or the empty slot where it would go. */
static size_t *map_slot(const struct flow_set *fs, const struct pkt_addr *a,
			const struct pkt_addr *b)
{
	struct flow_priv *pv = fs->priv;
	size_t mask = pv->mapcap - 1;
	for (size_t i = (size_t)tuple_hash(a, b) & mask;; i = (i + 1) & mask) {
		size_t *s = &pv->map[i];
		if (*s == 0 || tuple_is(&fs->tcp[*s - 1], a, b))
			return s;
	}
}

/* Make idx the newest flow of its tuple. */
static int map_put(struct flow_set *fs, size_t idx)
{
	struct flow_priv *pv = fs->priv;
	if ((pv->mapused + 1) * 2 > pv->mapcap) {
		size_t ncap = pv->mapcap ? pv->mapcap * 2 : 64;
		size_t *nm = calloc(ncap, sizeof *nm);
		if (!nm)
			return -ENOMEM;
		free(pv->map);
		pv->map = nm;
		pv->mapcap = ncap;
		pv->mapused = 0;
		/* Later flows of a tuple overwrite earlier ones. */
		for (size_t i = 0; i < idx; i++) {
			size_t *s = map_slot(fs, &fs->tcp[i].cli, &fs->tcp[i].srv);
			if (*s == 0)
				pv->mapused++;
			*s = i + 1;
		}
	}
	size_t *s = map_slot(fs, &fs->tcp[idx].cli, &fs->tcp[idx].srv);
	if (*s == 0)
		pv->mapused++;
	*s = idx + 1;
	return 0;
}

/* ---- stream reassembly ---- */

/* RFC 9293 section 3.4: sequence numbers wrap at 2^32. Of the 64-bit offsets that share
 * the low 32 bits rel, take the one nearest the checkpoint (the stream's high mark). */
static uint64_t unwrap(uint32_t rel, uint64_t checkpoint)
{
	const uint64_t span = 1ULL << 32;
	uint64_t c = (checkpoint & ~(span - 1)) | rel;
	if (c > checkpoint && c - checkpoint > span / 2 && c >= span)
		c -= span;
	else if (c < checkpoint && checkpoint - c > span / 2)
		c += span;
	return c;
}

/* Index of the first chunk ending after off. */
static size_t chunk_after(const struct half_priv *hp, uint64_t off)
{
	size_t lo = 0, hi = hp->nchunks;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (hp->chunks[mid].off + hp->chunks[mid].len <= off)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* Every byte of [off, off+n) already received. */
static bool half_covered(const struct flow_half *h, const struct half_priv *hp,
			 uint64_t off, size_t n)
{
	uint64_t end = off + n, cur = off < h->len ? h->len : off;
	for (size_t i = chunk_after(hp, cur); cur < end; i++) {
		if (i >= hp->nchunks || hp->chunks[i].off > cur)
			return false;
		cur = hp->chunks[i].off + hp->chunks[i].len;
	}
	return true;
}

static int chunk_append(struct chunk *c, const uint8_t *b, size_t n)
{
	void *d = c->data;
	int rc = grow(&d, &c->cap, c->len + n, 1, 256);
	if (rc < 0)
		return rc;
	c->data = d;
	memcpy(c->data + c->len, b, n);
	c->len += n;
	return 0;
}

/* Keep [off, off+n) (not yet received) as chunk number i, or extend chunk i-1 when
 * it ends where this starts. */
static int chunk_insert(struct half_priv *hp, size_t i, uint64_t off, const uint8_t *b,
			size_t n, size_t *inserted)
{
	*inserted = 0;
	if (i > 0 && hp->chunks[i - 1].off + hp->chunks[i - 1].len == off)
		return chunk_append(&hp->chunks[i - 1], b, n);
	void *arr = hp->chunks;
	int rc = grow(&arr, &hp->chunkcap, hp->nchunks + 1, sizeof *hp->chunks, 8);
	if (rc < 0)
		return rc;
	hp->chunks = arr;
	struct chunk c = { off, 0, 0, NULL };
	rc = chunk_append(&c, b, n);
	if (rc < 0)
		return rc;
	memmove(hp->chunks + i + 1, hp->chunks + i, (hp->nchunks - i) * sizeof *hp->chunks);
	hp->chunks[i] = c;
	hp->nchunks++;
	*inserted = 1;
	return 0;
}

static int prefix_append(struct flow_half *h, struct half_priv *hp, const uint8_t *b,
			 size_t n)
{
	void *d = h->data;
	int rc = grow(&d, &hp->cap, h->len + n, 1, 4096);
	if (rc < 0)
		return rc;
	h->data = d;
	memcpy(h->data + h->len, b, n);
	h->len += n;
	return 0;
}

/* Move the chunks the prefix now reaches into it. */
static int half_merge(struct flow_half *h, struct half_priv *hp)
{
	size_t k = 0;
	while (k < hp->nchunks && hp->chunks[k].off <= h->len) {
		struct chunk *c = &hp->chunks[k];
		uint64_t skip = h->len - c->off;   /* 0: chunks never overlap the prefix */
		if (skip < c->len) {
			int rc = prefix_append(h, hp, c->data + skip, c->len - (size_t)skip);
			if (rc < 0)
				return rc;
		}
		free(c->data);
		k++;
	}
	if (k) {
		memmove(hp->chunks, hp->chunks + k, (hp->nchunks - k) * sizeof *hp->chunks);
		hp->nchunks -= k;
	}
	h->hole = hp->nchunks > 0;
	return 0;
}

/* Add received bytes b[0..n) at stream offset off; bytes received before win. */
static int half_insert(struct flow_half *h, struct half_priv *hp, uint64_t off,
		       const uint8_t *b, size_t n)
{
	if (off < h->len) {
		if (off + n <= h->len)
			return 0;
		size_t skip = (size_t)(h->len - off);
		b += skip;
		n -= skip;
		off = h->len;
	}
	if (n == 0)
		return 0;
	/* The normal path: in order, nothing waiting in its way. */
	if (off == h->len && (hp->nchunks == 0 || hp->chunks[0].off >= off + n)) {
		int rc = prefix_append(h, hp, b, n);
		return rc < 0 ? rc : half_merge(h, hp);
	}
	uint64_t end = off + n, cur = off;
	size_t i = chunk_after(hp, cur);
	while (cur < end) {
		if (i < hp->nchunks && hp->chunks[i].off <= cur) {
			cur = hp->chunks[i].off + hp->chunks[i].len;
			i++;
			continue;
		}
		uint64_t stop = end;
		if (i < hp->nchunks && hp->chunks[i].off < stop)
			stop = hp->chunks[i].off;
		size_t ins;
		int rc = chunk_insert(hp, i, cur, b + (cur - off), (size_t)(stop - cur), &ins);
		if (rc < 0)
			return rc;
		i += ins;
		cur = stop;
	}
	return half_merge(h, hp);
}

/* ---- flows ---- */

static bool tcp_done(const struct flow_tcp *f)
{
	return (f->half[0].fin && f->half[1].fin) || f->half[0].rst || f->half[1].rst;
}

static int tcp_new(struct flow_set *fs, const struct pkt *p, struct flow_tcp **out)
{
	struct flow_priv *pv = fs->priv;
	void *a = fs->tcp;
	size_t cap = pv->tcpcap;
	int rc = grow(&a, &cap, fs->ntcp + 1, sizeof *fs->tcp, 8);
	if (rc < 0)
		return rc;
	fs->tcp = a;
	a = pv->tcp;
	rc = grow(&a, &pv->tcpcap, fs->ntcp + 1, sizeof *pv->tcp, 8);
	if (rc < 0)
		return rc;
	pv->tcp = a;
	struct flow_tcp *f = &fs->tcp[fs->ntcp];
	memset(f, 0, sizeof *f);
	memset(&pv->tcp[fs->ntcp], 0, sizeof pv->tcp[0]);
	/* A SYN-ACK comes from the server; any other first segment from the client. */
	bool from_srv = (p->flags & (PKT_SYN | PKT_ACK)) == (PKT_SYN | PKT_ACK);
	f->cli = from_srv ? p->dst : p->src;
	f->srv = from_srv ? p->src : p->dst;
	f->first_ns = p->ts_ns;
	rc = map_put(fs, fs->ntcp);
	if (rc < 0)
		return rc;
	fs->ntcp++;
	*out = f;
	return 0;
}

static int seg_push(struct flow_tcp *f, struct tcp_priv *tp, const struct flow_seg *s)
{
	void *a = f->segs;
	int rc = grow(&a, &tp->segcap, f->nsegs + 1, sizeof *f->segs, 16);
	if (rc < 0)
		return rc;
	f->segs = a;
	f->segs[f->nsegs++] = *s;
	return 0;
}

static int tcp_add(struct flow_set *fs, const struct pkt *p)
{
	struct flow_priv *pv = fs->priv;
	struct flow_tcp *f = NULL;
	if (pv->mapcap) {
		size_t *slot = map_slot(fs, &p->src, &p->dst);
		if (*slot)
			f = &fs->tcp[*slot - 1];
	}
	if (!f || ((p->flags & PKT_SYN) && tcp_done(f))) {
		int rc = tcp_new(fs, p, &f);
		if (rc < 0)
			return rc;
	}
	struct tcp_priv *tp = &pv->tcp[f - fs->tcp];
	int dir = pkt_addr_eq(&p->src, &f->cli) ? FLOW_C2S : FLOW_S2C;
	struct flow_half *h = &f->half[dir];
	struct half_priv *hp = &tp->h[dir];
	bool syn = p->flags & PKT_SYN, rst = p->flags & PKT_RST;

	f->last_ns = p->ts_ns;
	if (syn && dir == FLOW_C2S && !(p->flags & PKT_ACK) && !f->syn) {
		f->syn = true;
		f->syn_ns = p->ts_ns;
	}
	if (syn && dir == FLOW_S2C && (p->flags & PKT_ACK) && !f->synack) {
		f->synack = true;
		f->synack_ns = p->ts_ns;
		/* The SYN-ACK acknowledges the client's SYN: its ISN, even if not captured. */
		if (!f->half[FLOW_C2S].have_isn) {
			f->half[FLOW_C2S].have_isn = true;
			f->half[FLOW_C2S].isn = p->ack - 1;
		}
	}
	if (!h->have_isn) {
		h->have_isn = true;
		h->isn = syn ? p->seq : p->seq - 1;
	}

	/* A SYN takes one sequence number before the data (RFC 9293 section 3.4). */
	uint32_t rel = p->seq + (syn ? 1u : 0u) - (h->isn + 1u);
	uint64_t off = unwrap(rel, h->bytes_seen);
	struct flow_seg s = { .ts_ns = p->ts_ns, .dir = dir, .flags = p->flags, .off = off,
			      .len = p->wire_len };
	s.npreview = p->len < sizeof s.preview ? p->len : sizeof s.preview;
	if (s.npreview)
		memcpy(s.preview, p->payload, s.npreview);

	/* RST data is a diagnostic (RFC 9293 section 3.5.3), not stream bytes. */
	if (p->wire_len && !rst) {
		s.retrans = off + p->wire_len <= h->bytes_seen && half_covered(h, hp, off, p->len);
		if (s.retrans)
			h->retrans++;
		if (!hp->had_data) {
			hp->had_data = true;
			h->first_data_ns = p->ts_ns;
		}
		h->last_data_ns = p->ts_ns;
		if (off + p->wire_len > h->bytes_seen)
			h->bytes_seen = off + p->wire_len;
		int rc = half_insert(h, hp, off, p->payload, p->len);
		if (rc < 0)
			return rc;
	}
	if ((p->flags & PKT_FIN) && !h->fin) {
		h->fin = true;
		h->fin_ns = p->ts_ns;
		h->fin_off = off + p->wire_len;
	}
	if (rst && !h->rst) {
		h->rst = true;
		h->rst_ns = p->ts_ns;
	}
	return seg_push(f, tp, &s);
}

static int udp_add(struct flow_set *fs, const struct pkt *p)
{
	struct flow_priv *pv = fs->priv;
	void *a = fs->udp;
	int rc = grow(&a, &pv->udpcap, fs->nudp + 1, sizeof *fs->udp, 16);
	if (rc < 0)
		return rc;
	fs->udp = a;
	/* Never NULL, so callers may memcmp an empty datagram. */
	uint8_t *data = malloc(p->len ? p->len : 1);
	if (!data)
		return -ENOMEM;
	if (p->len)
		memcpy(data, p->payload, p->len);
	struct flow_dgram *d = &fs->udp[fs->nudp++];
	d->ts_ns = p->ts_ns;
	d->src = p->src;
	d->dst = p->dst;
	d->data = data;
	d->len = p->len;
	d->wire_len = p->wire_len;
	return 0;
}

static int unreach_add(struct flow_set *fs, const struct pkt *p)
{
	struct flow_priv *pv = fs->priv;
	void *a = fs->unreach;
	int rc = grow(&a, &pv->unreachcap, fs->nunreach + 1, sizeof *fs->unreach, 8);
	if (rc < 0)
		return rc;
	fs->unreach = a;
	struct flow_unreach *u = &fs->unreach[fs->nunreach++];
	u->ts_ns = p->ts_ns;
	u->src = p->src;
	u->dst = p->dst;
	return 0;
}

struct flow_set *flow_set_new(int linktype)
{
	struct flow_set *fs = calloc(1, sizeof *fs);
	if (!fs)
		return NULL;
	fs->linktype = linktype;
	fs->priv = calloc(1, sizeof(struct flow_priv));
	if (!fs->priv) {
		free(fs);
		errno = ENOMEM;
		return NULL;
	}
	return fs;
}

int flow_set_add(struct flow_set *fs, const uint8_t *frame, size_t caplen, int64_t ts_ns)
{
	struct pkt p;
	char why[128];
	if (fs->frames++ == 0)
		fs->t0_ns = ts_ns;
	if (pkt_decode(fs->linktype, frame, caplen, ts_ns, &p, why, sizeof why) < 0) {
		fs->bad_frames++;
		return 0;
	}
	switch (p.proto) {
	case PKT_TCP:
		return tcp_add(fs, &p);
	case PKT_UDP:
		return udp_add(fs, &p);
	case PKT_UNREACH:
		return unreach_add(fs, &p);
	default:
		return 0;
	}
}

struct flow_set *flow_read_pcap(const char *path, char *why, size_t whylen)
{
	char err[PCAP_ERRBUF_SIZE] = "";
	pcap_t *pc = pcap_open_offline_with_tstamp_precision(path, PCAP_TSTAMP_PRECISION_NANO,
							     err);
	if (!pc) {
		snprintf(why, whylen, "%s", err);
		return NULL;
	}
	int lt = pcap_datalink(pc);
	if (!pkt_is_known_linktype(lt)) {
		const char *name = pcap_datalink_val_to_name(lt);
		snprintf(why, whylen, "%s: unsupported link type %d (%s)", path, lt,
			 name ? name : "unknown");
		goto close_pcap;
	}
	struct flow_set *fs = flow_set_new(lt);
	if (!fs) {
		snprintf(why, whylen, "%s: out of memory", path);
		goto close_pcap;
	}
	for (;;) {
		struct pcap_pkthdr *hdr;
		const u_char *data;
		int rc = pcap_next_ex(pc, &hdr, &data);
		if (rc == PCAP_ERROR_BREAK)
			break;
		if (rc != 1) {
			snprintf(why, whylen, "%s: %s", path, pcap_geterr(pc));
			goto free_set;
		}
		int64_t ts = (int64_t)hdr->ts.tv_sec * 1000000000 + hdr->ts.tv_usec;
		if (flow_set_add(fs, data, hdr->caplen, ts) < 0) {
			snprintf(why, whylen, "%s: out of memory", path);
			goto free_set;
		}
	}
	pcap_close(pc);
	return fs;

free_set:
	flow_set_free(fs);
close_pcap:
	pcap_close(pc);
	return NULL;
}

void flow_set_free(struct flow_set *fs)
{
	if (!fs)
		return;
	struct flow_priv *pv = fs->priv;
	for (size_t i = 0; i < fs->ntcp; i++) {
		for (int d = 0; d < 2; d++) {
			struct half_priv *hp = &pv->tcp[i].h[d];
			for (size_t k = 0; k < hp->nchunks; k++)
				free(hp->chunks[k].data);
			free(hp->chunks);
			free(fs->tcp[i].half[d].data);
		}
		free(fs->tcp[i].segs);
	}
	for (size_t i = 0; i < fs->nudp; i++)
		free(fs->udp[i].data);
	if (pv) {
		free(pv->tcp);
		free(pv->map);
	}
	free(pv);
	free(fs->tcp);
	free(fs->udp);
	free(fs->unreach);
	free(fs);
}

const struct flow_tcp *flow_tcp_nth(const struct flow_set *fs, uint16_t port, size_t idx)
{
	for (size_t i = 0; i < fs->ntcp; i++)
		if (fs->tcp[i].srv.port == port && idx-- == 0)
			return &fs->tcp[i];
	return NULL;
}

size_t flow_tcp_count(const struct flow_set *fs, uint16_t port)
{
	size_t n = 0;
	for (size_t i = 0; i < fs->ntcp; i++)
		n += fs->tcp[i].srv.port == port;
	return n;
}

const struct flow_tcp *flow_tcp_find(const struct flow_set *fs, uint16_t cport, uint16_t sport)
{
	for (size_t i = 0; i < fs->ntcp; i++)
		if (fs->tcp[i].cli.port == cport && fs->tcp[i].srv.port == sport)
			return &fs->tcp[i];
	return NULL;
}

int64_t flow_time_of(const struct flow_tcp *f, int dir, uint64_t off)
{
	for (size_t i = 0; i < f->nsegs; i++) {
		const struct flow_seg *s = &f->segs[i];
		if (s->dir == dir && !(s->flags & PKT_RST) && s->off <= off && off - s->off < s->len)
			return s->ts_ns;
	}
	return -1;
}

size_t flow_data_segs(const struct flow_tcp *f, int dir)
{
	size_t n = 0;
	for (size_t i = 0; i < f->nsegs; i++)
		n += f->segs[i].dir == dir && f->segs[i].len > 0;
	return n;
}
