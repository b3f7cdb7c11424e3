/* cap.c - libpcap capture drained by a thread into memory. */
/* libpcap's headers use the BSD u_int/u_char types. */
#define _DEFAULT_SOURCE
#include "cap.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <pcap/pcap.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define CAP_SNAPLEN   65600   /* lo's MTU is 65536: whole frames, and more of them fit the ring */
/* A block is handed over when full or CAP_BLOCK_MS after its first packet, so slow
 * conversations use a block per tick: 256 blocks of 128 KiB ride out a capture thread
 * starved for 2.5 s on a loaded machine. Larger rings take longer to set up: only big
 * transfers ask for them. */
#define CAP_RING_MIB  32u
#define CAP_BLOCK_MS  10
/* What one check may keep in memory (and in its saved pcap): a program that floods lo
 * fails its check at this point instead of growing the grader without bound. */
#define CAP_MAX_BYTES (256u << 20)
/* A saved capture is at most CAP_SAVE_MAX bytes, so that a class of failing 16 MiB
 * transfers does not fill a disk, and keeps what a ladder shows: every packet whole when
 * they fit; else every packet's headers and the first bytes of its data (a snap length of
 * CAP_SAVE_SNAP, the wire length still recorded); else, as sliced, the first packets and
 * the last ones (the handshake and the end: FIN or RST), half the bytes each. */
#define CAP_SAVE_MAX  (16u << 20)
#define CAP_SAVE_SNAP 160u

struct cap_rec {
	int64_t ts_ns;
	uint32_t caplen, wirelen;
	size_t off;             /* into cap->arena */
};

struct cap {
	pcap_t *p;
	int linktype;
	pthread_t thread;
	bool thread_started;
	atomic_bool stop;
	bool stopped;
	int error;              /* -errno from the thread's last failure */
	char errmsg[256];
	uint8_t *arena;
	size_t arena_len, arena_cap;
	struct cap_rec *recs;
	size_t nrecs, recs_cap;
	uint64_t drops;
	bool overflow;          /* more than CAP_MAX_BYTES came: the rest was not kept */
	struct flow_set *flows;
};

static void on_packet(u_char *user, const struct pcap_pkthdr *h, const u_char *bytes)
{
	struct cap *c = (struct cap *)user;

	if (c->error)
		return;
	if (c->arena_len + h->caplen > CAP_MAX_BYTES) {
		c->overflow = true;
		return;
	}
	if (c->nrecs == c->recs_cap) {
		size_t n = c->recs_cap ? c->recs_cap * 2 : 4096;
		struct cap_rec *r = realloc(c->recs, n * sizeof *r);
		if (!r) {
			c->error = -ENOMEM;
			return;
		}
		c->recs = r;
		c->recs_cap = n;
	}
	if (c->arena_len + h->caplen > c->arena_cap) {
		size_t n = c->arena_cap ? c->arena_cap : (1u << 20);
		while (n < c->arena_len + h->caplen)
			n *= 2;
		uint8_t *a = realloc(c->arena, n);
		if (!a) {
			c->error = -ENOMEM;
			return;
		}
		c->arena = a;
		c->arena_cap = n;
	}
	memcpy(c->arena + c->arena_len, bytes, h->caplen);
	/* With nanosecond precision requested, tv_usec holds nanoseconds. */
	c->recs[c->nrecs++] = (struct cap_rec){
		.ts_ns = (int64_t)h->ts.tv_sec * 1000000000 + h->ts.tv_usec,
		.caplen = h->caplen,
		.wirelen = h->len,
		.off = c->arena_len,
	};
	c->arena_len += h->caplen;
}

/* Read everything the kernel holds right now. */
static int drain(struct cap *c)
{
	for (;;) {
		int n = pcap_dispatch(c->p, -1, on_packet, (u_char *)c);
		if (n < 0) {
			snprintf(c->errmsg, sizeof c->errmsg, "pcap_dispatch: %s", pcap_geterr(c->p));
			return -EIO;
		}
		if (n == 0)
			return 0;
	}
}

static void *cap_thread(void *arg)
{
	struct cap *c = arg;
	struct pollfd pfd = { .fd = pcap_get_selectable_fd(c->p), .events = POLLIN };

	while (!atomic_load(&c->stop) && !c->error) {
		poll(&pfd, 1, 10);
		int rc = drain(c);
		if (rc < 0)
			c->error = rc;
	}
	return NULL;
}

struct cap *cap_start(const char *dev, const char *filter, unsigned ring_mib, char *why,
		      size_t whylen)
{
	char err[PCAP_ERRBUF_SIZE] = "";
	struct cap *c = calloc(1, sizeof *c);

	if (!c) {
		snprintf(why, whylen, "out of memory");
		return NULL;
	}
	c->p = pcap_create(dev, err);
	if (!c->p) {
		snprintf(why, whylen, "pcap_create %s: %s", dev, err);
		goto fail;
	}
	pcap_set_snaplen(c->p, CAP_SNAPLEN);
	/* Not libpcap's immediate mode: on Linux it means TPACKET_V2, one snaplen-sized slot
	 * per packet, and a ring of a few hundred slots overflows on a fast loopback transfer.
	 * TPACKET_V3 packs packets into blocks that the kernel hands over when full or after
	 * CAP_BLOCK_MS; the thread polls every 10 ms and cap_stop waits out one block timeout,
	 * so nothing sent before the stop is missed. */
	pcap_set_immediate_mode(c->p, 0);
	pcap_set_timeout(c->p, CAP_BLOCK_MS);
	pcap_set_buffer_size(c->p, (int)((ring_mib ? ring_mib : CAP_RING_MIB) << 20));
	pcap_set_tstamp_precision(c->p, PCAP_TSTAMP_PRECISION_NANO);
	int rc = pcap_activate(c->p);
	if (rc < 0) {
		snprintf(why, whylen, "pcap_activate %s: %s", dev, pcap_geterr(c->p));
		goto fail;
	}
	if (pcap_get_tstamp_precision(c->p) != PCAP_TSTAMP_PRECISION_NANO) {
		snprintf(why, whylen, "capture on %s: no nanosecond timestamps", dev);
		goto fail;
	}
	if (filter) {
		struct bpf_program prog;
		if (pcap_compile(c->p, &prog, filter, 1, PCAP_NETMASK_UNKNOWN) < 0) {
			snprintf(why, whylen, "filter \"%s\": %s", filter, pcap_geterr(c->p));
			goto fail;
		}
		rc = pcap_setfilter(c->p, &prog);
		pcap_freecode(&prog);
		if (rc < 0) {
			snprintf(why, whylen, "filter \"%s\": %s", filter, pcap_geterr(c->p));
			goto fail;
		}
	}
	if (pcap_setnonblock(c->p, 1, err) < 0) {
		snprintf(why, whylen, "pcap_setnonblock: %s", err);
		goto fail;
	}
	c->linktype = pcap_datalink(c->p);
	atomic_init(&c->stop, false);
	if (pthread_create(&c->thread, NULL, cap_thread, c) != 0) {
		snprintf(why, whylen, "starting the capture thread failed");
		goto fail;
	}
	c->thread_started = true;
	return c;
fail:
	cap_close(c);
	return NULL;
}

int cap_stop(struct cap *c, char *why, size_t whylen)
{
	struct pcap_stat st;

	if (!c || c->stopped)
		return c && c->error ? c->error : 0;
	c->stopped = true;
	atomic_store(&c->stop, true);
	if (c->thread_started)
		pthread_join(c->thread, NULL);
	c->thread_started = false;
	/* Loopback delivers to the packet socket in the sender's own call, so what was sent
	 * is already queued; the block holding it is handed over within CAP_BLOCK_MS. */
	if (!c->error) {
		struct timespec ts = { 0, (CAP_BLOCK_MS * 2 + 5) * 1000000L };
		nanosleep(&ts, NULL);
		int rc = drain(c);
		if (rc < 0)
			c->error = rc;
	}
	if (pcap_stats(c->p, &st) == 0)
		c->drops = st.ps_drop;
	if (c->error) {
		snprintf(why, whylen, "%s", c->errmsg[0] ? c->errmsg : strerror(-c->error));
		return c->error;
	}
	return 0;
}

uint64_t cap_drops(const struct cap *c) { return c ? c->drops : 0; }
uint64_t cap_count(const struct cap *c) { return c ? c->nrecs : 0; }

const struct flow_set *cap_flows(struct cap *c)
{
	char why[256];

	if (c->flows)
		return c->flows;
	cap_stop(c, why, sizeof why);
	c->flows = flow_set_new(c->linktype);
	if (!c->flows)
		return NULL;
	for (size_t i = 0; i < c->nrecs; i++) {
		const struct cap_rec *r = &c->recs[i];
		if (flow_set_add(c->flows, c->arena + r->off, r->caplen, r->ts_ns) < 0) {
			flow_set_free(c->flows);
			c->flows = NULL;
			errno = ENOMEM;
			return NULL;
		}
	}
	return c->flows;
}

static void dump_one(pcap_dumper_t *d, const struct cap *c, size_t i, uint32_t snap)
{
	const struct cap_rec *r = &c->recs[i];
	struct pcap_pkthdr h = {
		.ts = { .tv_sec = r->ts_ns / 1000000000, .tv_usec = r->ts_ns % 1000000000 },
		.caplen = r->caplen < snap ? r->caplen : snap,
		.len = r->wirelen,
	};
	pcap_dump((u_char *)d, &h, c->arena + r->off);
}

/* The bytes every record takes in a pcap at snap length snap. */
static uint64_t dump_size(const struct cap *c, uint32_t snap)
{
	uint64_t bytes = 0;

	for (size_t i = 0; i < c->nrecs; i++)
		bytes += 16 + (c->recs[i].caplen < snap ? c->recs[i].caplen : snap);
	return bytes;
}

static int dump(struct cap *c, pcap_dumper_t *d)
{
	uint32_t snap = UINT32_MAX;

	if (dump_size(c, snap) > CAP_SAVE_MAX)
		snap = CAP_SAVE_SNAP;
	if (dump_size(c, snap) <= CAP_SAVE_MAX) {
		for (size_t i = 0; i < c->nrecs; i++)
			dump_one(d, c, i, snap);
	} else {
		/* The first packets that fill half, then the last ones that fill the rest. */
		uint64_t half = CAP_SAVE_MAX / 2, head = 0, tail = 0;
		size_t first = 0, last = c->nrecs;
		while (first < c->nrecs && (head += 16 + CAP_SAVE_SNAP) <= half)
			first++;
		while (last > first && (tail += 16 + CAP_SAVE_SNAP) <= half)
			last--;
		for (size_t i = 0; i < first; i++)
			dump_one(d, c, i, snap);
		for (size_t i = last; i < c->nrecs; i++)
			dump_one(d, c, i, snap);
	}
	return pcap_dump_flush(d) == 0 ? 0 : -EIO;
}

int cap_save(struct cap *c, const char *path, char *why, size_t whylen)
{
	pcap_t *dead = pcap_open_dead_with_tstamp_precision(c->linktype, CAP_SNAPLEN,
							    PCAP_TSTAMP_PRECISION_NANO);
	pcap_dumper_t *d;

	if (!dead) {
		snprintf(why, whylen, "pcap_open_dead failed");
		return -ENOMEM;
	}
	d = pcap_dump_open(dead, path);
	if (!d) {
		snprintf(why, whylen, "%s: %s", path, pcap_geterr(dead));
		pcap_close(dead);
		return -EIO;
	}
	int rc = dump(c, d);
	if (rc < 0)
		snprintf(why, whylen, "%s: write failed", path);
	pcap_dump_close(d);
	pcap_close(dead);
	return rc;
}

int cap_save_at(struct cap *c, int dirfd, const char *name, char *why, size_t whylen)
{
	char tmp[300];
	pcap_t *dead = pcap_open_dead_with_tstamp_precision(c->linktype, CAP_SNAPLEN,
							    PCAP_TSTAMP_PRECISION_NANO);

	if (!dead) {
		snprintf(why, whylen, "pcap_open_dead failed");
		return -ENOMEM;
	}
	snprintf(tmp, sizeof tmp, ".%.200s.%d.tmp", name, (int)getpid());
	/* A new file of our own, then renamed over whatever stands at name: a link planted
	 * there is replaced, never followed. */
	unlinkat(dirfd, tmp, 0);
	int fd = openat(dirfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
	FILE *f = fd >= 0 ? fdopen(fd, "wb") : NULL;
	if (!f) {
		snprintf(why, whylen, "%s: %s", tmp, strerror(errno));
		if (fd >= 0)
			close(fd);
		pcap_close(dead);
		return -EIO;
	}
	pcap_dumper_t *d = pcap_dump_fopen(dead, f);
	if (!d) {
		snprintf(why, whylen, "%s: %s", tmp, pcap_geterr(dead));
		fclose(f);
		unlinkat(dirfd, tmp, 0);
		pcap_close(dead);
		return -EIO;
	}
	int rc = dump(c, d);
	pcap_dump_close(d);
	pcap_close(dead);
	if (rc == 0 && renameat(dirfd, tmp, dirfd, name) < 0)
		rc = -errno;
	if (rc < 0) {
		snprintf(why, whylen, "%s: %s", name, strerror(-rc));
		unlinkat(dirfd, tmp, 0);
	}
	return rc;
}

bool cap_overflowed(const struct cap *c)
{
	return c->overflow;
}

void cap_close(struct cap *c)
{
	char why[64];

	if (!c)
		return;
	if (c->thread_started)
		cap_stop(c, why, sizeof why);
	if (c->p)
		pcap_close(c->p);
	flow_set_free(c->flows);
	free(c->recs);
	free(c->arena);
	free(c);
}
