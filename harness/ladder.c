/* ladder.c - ASCII ladder diagrams of TCP flows and UDP exchanges for failure reports. */
#include "ladder.h"

#include "esc.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

enum {
	PREVIEW_BYTES = 20,   /* payload bytes shown per arrow */
	PREVIEW_CHARS = 36,   /* escaped preview, quotes and "..." included */
	LABEL_MAX = 160,
	MIN_WIDTH = 50,       /* columns between the two bars */
	TAIL_SHARE = 3,       /* when rows are cut, a third of them shows the end */
};

enum { ROW_RIGHT, ROW_LEFT };

struct row {
	int64_t ts;
	int dir;
	size_t bytes;     /* payload bytes, for the summary of hidden rows */
	char label[LABEL_MAX];
};

/* Where rows come from: the segments of one TCP flow, or the datagrams and unreachables
 * of a set on one UDP port, merged in time order. */
struct rows {
	const struct flow_tcp *f;
	const struct flow_set *fs;
	uint16_t port;
	bool many_peers;
	size_t i, j;
	uint8_t seen[2];   /* SYN and FIN flags already drawn, per direction */
};

/* ---- bounded output ---- */

struct out {
	char *buf;
	size_t sz, pos;
};

static void out_put(struct out *o, const char *s, size_t n)
{
	if (o->sz == 0)
		return;
	size_t room = o->sz - 1 - o->pos;
	if (n > room)
		n = room;
	memcpy(o->buf + o->pos, s, n);
	o->pos += n;
	o->buf[o->pos] = '\0';
}

static void out_str(struct out *o, const char *s)
{
	out_put(o, s, strlen(s));
}

static void out_rep(struct out *o, char c, size_t n)
{
	char line[64];
	memset(line, c, sizeof line);
	while (n > 0) {
		size_t k = n < sizeof line ? n : sizeof line;
		out_put(o, line, k);
		n -= k;
	}
}

/* ---- labels ---- */

/* Append printf output to a label, truncating it. */
__attribute__((format(printf, 3, 4)))
static void cat(char *dst, size_t dstsz, const char *fmt, ...)
{
	size_t n = strlen(dst);
	if (n + 1 >= dstsz)
		return;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(dst + n, dstsz - n, fmt, ap);
	va_end(ap);
}

/* "\"HELLO\\n\" (6 B)": the first captured bytes of a payload of total bytes. */
static void data_label(char *dst, size_t dstsz, const uint8_t *p, size_t ncap, size_t total)
{
	char prev[PREVIEW_CHARS + 1];
	esc_bytes(p, ncap, PREVIEW_BYTES, prev, sizeof prev);
	size_t n = strlen(prev);
	bool dots = n >= 3 && strcmp(prev + n - 3, "...") == 0;
	cat(dst, dstsz, "%s%s (%zu B)", prev, total > ncap && !dots ? "..." : "", total);
}

/* again: a SYN or FIN without data that this side had sent before. */
static void seg_label(const struct flow_seg *s, bool again, char *dst, size_t dstsz)
{
	dst[0] = '\0';
	const char *sep = "";
	if (s->flags & PKT_SYN) {
		cat(dst, dstsz, "%s", (s->flags & PKT_ACK) ? "SYN, ACK" : "SYN");
		sep = ", ";
	}
	if (s->flags & PKT_FIN) {
		cat(dst, dstsz, "%sFIN", sep);
		sep = ", ";
	}
	if (s->flags & PKT_RST) {
		cat(dst, dstsz, "%sRST", sep);
		sep = ", ";
	}
	if (s->len > 0) {
		if (*sep)
			cat(dst, dstsz, " ");
		data_label(dst, dstsz, s->preview, s->npreview, s->len);
	}
	if (s->retrans || again)
		cat(dst, dstsz, " (retransmission)");
}

/* ---- row sources ---- */

static bool seg_shown(const struct flow_seg *s)
{
	return s->len > 0 || (s->flags & (PKT_SYN | PKT_FIN | PKT_RST));
}

static bool tcp_next(struct rows *it, struct row *r)
{
	const struct flow_tcp *f = it->f;
	while (it->i < f->nsegs) {
		const struct flow_seg *s = &f->segs[it->i++];
		if (!seg_shown(s))
			continue;
		uint8_t sf = s->flags & (PKT_SYN | PKT_FIN);
		uint8_t *seen = &it->seen[s->dir == FLOW_C2S ? 0 : 1];
		bool again = s->len == 0 && !(s->flags & PKT_RST) && sf && (*seen & sf) == sf;
		*seen |= sf;
		r->ts = s->ts_ns;
		r->dir = s->dir == FLOW_C2S ? ROW_RIGHT : ROW_LEFT;
		r->bytes = s->len;
		seg_label(s, again, r->label, sizeof r->label);
		return true;
	}
	return false;
}

static bool dgram_matches(const struct flow_dgram *d, uint16_t port)
{
	return d->src.port == port || d->dst.port == port;
}

static bool unreach_matches(const struct flow_unreach *u, uint16_t port)
{
	return u->src.port == port || u->dst.port == port;
}

/* The address on the far side from port, for a datagram or a quoted datagram. */
static const struct pkt_addr *peer_of(const struct pkt_addr *src, const struct pkt_addr *dst,
				      uint16_t port)
{
	return dst->port == port ? src : dst;
}

static void peer_prefix(const struct rows *it, const struct pkt_addr *peer, bool to_port,
			char *dst, size_t dstsz)
{
	char a[64];
	dst[0] = '\0';
	if (it->many_peers)
		cat(dst, dstsz, "%s %s: ", to_port ? "from" : "to", pkt_addr_str(peer, a, sizeof a));
}

static bool udp_next(struct rows *it, struct row *r)
{
	const struct flow_set *fs = it->fs;
	for (;;) {
		const struct flow_dgram *d = it->i < fs->nudp ? &fs->udp[it->i] : NULL;
		const struct flow_unreach *u = it->j < fs->nunreach ? &fs->unreach[it->j] : NULL;
		if (!d && !u)
			return false;
		if (d && (!u || d->ts_ns <= u->ts_ns)) {
			it->i++;
			if (!dgram_matches(d, it->port))
				continue;
			bool to_port = d->dst.port == it->port;
			r->ts = d->ts_ns;
			r->dir = to_port ? ROW_RIGHT : ROW_LEFT;
			r->bytes = d->wire_len;
			peer_prefix(it, peer_of(&d->src, &d->dst, it->port), to_port,
				    r->label, sizeof r->label);
			data_label(r->label, sizeof r->label, d->data, d->len, d->wire_len);
			return true;
		}
		it->j++;
		if (!unreach_matches(u, it->port))
			continue;
		/* The error travels back to the quoted datagram's sender. */
		bool to_port = u->src.port == it->port;
		r->ts = u->ts_ns;
		r->dir = to_port ? ROW_RIGHT : ROW_LEFT;
		r->bytes = 0;
		peer_prefix(it, peer_of(&u->src, &u->dst, it->port), to_port,
			    r->label, sizeof r->label);
		cat(r->label, sizeof r->label, "ICMP port unreachable");
		return true;
	}
}

static bool rows_next(struct rows *it, struct row *r)
{
	return it->f ? tcp_next(it, r) : udp_next(it, r);
}

static void rows_rewind(struct rows *it)
{
	it->i = it->j = 0;
	it->seen[0] = it->seen[1] = 0;
}

/* ---- rendering ---- */

static void fmt_ms(int64_t rel_ns, char *dst, size_t dstsz)
{
	/* Integer arithmetic: exact, and no locale-dependent decimal point. */
	bool neg = rel_ns < 0;
	uint64_t a = neg ? 0 - (uint64_t)rel_ns : (uint64_t)rel_ns;
	snprintf(dst, dstsz, "%s%llu.%03llu", neg ? "-" : "",
		 (unsigned long long)(a / 1000000), (unsigned long long)(a % 1000000 / 1000));
}

struct layout {
	size_t tw;      /* width of the time column (digits) */
	size_t width;   /* columns between the bars */
	int64_t t0;
};

static void put_arrow(struct out *o, const struct layout *lo, const struct row *r)
{
	char t[32];
	fmt_ms(r->ts - lo->t0, t, sizeof t);
	out_rep(o, ' ', lo->tw - strlen(t));
	out_str(o, t);
	out_str(o, " ms  |");
	size_t dashes = lo->width - 7 - strlen(r->label);
	if (r->dir == ROW_RIGHT) {
		out_str(o, "---- ");
		out_str(o, r->label);
		out_str(o, " ");
		out_rep(o, '-', dashes);
		out_str(o, ">|\n");
	} else {
		out_str(o, "<");
		out_rep(o, '-', dashes);
		out_str(o, " ");
		out_str(o, r->label);
		out_str(o, " ----|\n");
	}
}

/* A row with no arrow, its text centred between the bars. */
static void put_note(struct out *o, const struct layout *lo, const char *text)
{
	size_t n = strlen(text);
	size_t pad = lo->width > n ? lo->width - n : 0;
	out_rep(o, ' ', lo->tw + 5);
	out_str(o, "|");
	out_rep(o, ' ', pad / 2);
	out_str(o, text);
	out_rep(o, ' ', pad - pad / 2);
	out_str(o, "|\n");
}

static size_t render(struct rows *it, const char *left, const char *right, const char *what,
		     int64_t t0, size_t max_rows, char *buf, size_t bufsz)
{
	struct out o = { buf, bufsz, 0 };
	if (bufsz)
		buf[0] = '\0';

	/* Which rows show: all, or the first head and the last tail. */
	size_t nrows = 0;
	struct row r;
	rows_rewind(it);
	while (rows_next(it, &r))
		nrows++;
	size_t head = nrows, tail = 0, hidden = 0;
	if (max_rows && nrows > max_rows) {
		tail = max_rows >= 2 ? (max_rows + TAIL_SHARE - 1) / TAIL_SHARE : 0;
		head = max_rows - tail;
		hidden = nrows - max_rows;
	}

	/* Size the columns for the rows shown and the two end labels; count what is hidden,
	 * per direction, for the summary row under the cut. */
	struct layout lo = { 8, MIN_WIDTH, t0 };
	size_t hid_n[2] = { 0, 0 }, hid_b[2] = { 0, 0 };
	rows_rewind(it);
	for (size_t k = 0; rows_next(it, &r); k++) {
		if (k >= head && k < nrows - tail) {
			hid_n[r.dir]++;
			hid_b[r.dir] += r.bytes;
			continue;
		}
		char t[32];
		fmt_ms(r.ts - t0, t, sizeof t);
		if (strlen(t) > lo.tw)
			lo.tw = strlen(t);
		if (strlen(r.label) + 10 > lo.width)
			lo.width = strlen(r.label) + 10;
	}
	char note[96], sum[160];
	snprintf(note, sizeof note, "... %zu more %s ...", hidden, what);
	snprintf(sum, sizeof sum, "(%zu -> with %zu B, %zu <- with %zu B)", hid_n[ROW_RIGHT],
		 hid_b[ROW_RIGHT], hid_n[ROW_LEFT], hid_b[ROW_LEFT]);
	if (strlen(note) + 4 > lo.width)
		lo.width = strlen(note) + 4;
	if (hidden && strlen(sum) + 4 > lo.width)
		lo.width = strlen(sum) + 4;
	if (strlen(left) + strlen(right) + 4 > lo.width + 2)
		lo.width = strlen(left) + strlen(right) + 2;

	/* Left label over the left bar, right label ending over the right bar. */
	out_rep(&o, ' ', lo.tw + 5);
	out_str(&o, left);
	out_rep(&o, ' ', lo.width + 2 - strlen(left) - strlen(right));
	out_str(&o, right);
	out_str(&o, "\n");

	if (nrows == 0) {
		snprintf(note, sizeof note, "(no %s)", what);
		put_note(&o, &lo, note);
		return o.pos;
	}
	rows_rewind(it);
	for (size_t k = 0; rows_next(it, &r); k++) {
		if (k == head && hidden) {
			put_note(&o, &lo, note);
			put_note(&o, &lo, sum);
		}
		if (k >= head && k < nrows - tail)
			continue;
		put_arrow(&o, &lo, &r);
	}
	return o.pos;
}

size_t ladder_tcp(const struct flow_tcp *f, int64_t t0_ns, size_t max_rows,
		  char *buf, size_t bufsz)
{
	char a[64], left[80], right[80];
	snprintf(left, sizeof left, "client %s", pkt_addr_str(&f->cli, a, sizeof a));
	snprintf(right, sizeof right, "server %s", pkt_addr_str(&f->srv, a, sizeof a));
	struct rows it = { .f = f };
	return render(&it, left, right, "segments", t0_ns, max_rows, buf, bufsz);
}

size_t ladder_udp(const struct flow_set *fs, uint16_t port, int64_t t0_ns, size_t max_rows,
		  char *buf, size_t bufsz)
{
	/* Name both ends from the first exchange; list peers per row when there are several. */
	const struct pkt_addr *first_peer = NULL, *side = NULL;
	struct rows it = { .fs = fs, .port = port };
	for (size_t i = 0; i < fs->nudp; i++) {
		const struct flow_dgram *d = &fs->udp[i];
		if (!dgram_matches(d, port))
			continue;
		const struct pkt_addr *peer = peer_of(&d->src, &d->dst, port);
		if (!first_peer) {
			first_peer = peer;
			side = peer == &d->src ? &d->dst : &d->src;
		} else if (!pkt_addr_eq(first_peer, peer)) {
			it.many_peers = true;
		}
	}
	for (size_t i = 0; i < fs->nunreach; i++) {
		const struct flow_unreach *u = &fs->unreach[i];
		if (!unreach_matches(u, port))
			continue;
		const struct pkt_addr *peer = peer_of(&u->src, &u->dst, port);
		if (!first_peer) {
			first_peer = peer;
			side = peer == &u->src ? &u->dst : &u->src;
		} else if (!pkt_addr_eq(first_peer, peer)) {
			it.many_peers = true;
		}
	}
	char a[64], left[80], right[80];
	if (!first_peer)
		snprintf(left, sizeof left, "client");
	else if (it.many_peers)
		snprintf(left, sizeof left, "clients (several)");
	else
		snprintf(left, sizeof left, "client %s", pkt_addr_str(first_peer, a, sizeof a));
	if (side)
		snprintf(right, sizeof right, "server %s", pkt_addr_str(side, a, sizeof a));
	else
		snprintf(right, sizeof right, "server port %u", (unsigned)port);
	return render(&it, left, right, "datagrams", t0_ns, max_rows, buf, bufsz);
}
