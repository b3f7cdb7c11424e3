/* mc.h - many clients in one thread: non-blocking TCP connections driven by one poll()
 * loop, so a single thread plays hundreds of clients that all keep reading while others
 * send (a chat server's room, a server's concurrency). Each client has a growing input
 * buffer read as lines, and an output queue written as the socket takes it.
 *
 * Ownership: mc_new() makes the set and mc_free() closes every client and frees it all.
 * Nothing here records a verdict: callers read the clients' state and say what is wrong. */
#ifndef WIRELAB_MC_H
#define WIRELAB_MC_H

#include <stdbool.h>
#include <stddef.h>
#include <poll.h>
#include <stdint.h>

#include "peer.h"

struct mc_client {
	int fd;                  /* -1 once closed */
	char label[40];          /* "alice", "the unregistered client": for messages */
	uint16_t lport;          /* its local port: finds its connection in a capture */
	struct peer_buf in;      /* received; lines are consumed from pos */
	size_t pos;
	struct peer_buf out;     /* to send, from opos */
	size_t opos;
	bool paused;             /* does not read (a slow reader) */
	bool eof;                /* the peer closed its side */
	int err;                 /* -errno: the connection failed (reset) */
	/* The caller's bookkeeping, never touched here (seq is freed by mc_free). */
	size_t count;
	int *seq;
	bool flag;
};

struct mc {
	void *owner;             /* the caller's (a check's context) */
	struct mc_client *cl;
	size_t n, cap;
	char problem[600];       /* the caller's: the first thing wrong, found while pumping */
	/* private */
	struct pollfd *pfd;
	size_t *map;
};

/* A set for up to cap clients; NULL when out of memory. */
struct mc *mc_new(size_t cap, void *owner);
void mc_free(struct mc *m);

/* Connect a new client to addr:port (within timeout_ms), non-blocking and TCP_NODELAY.
 * Returns its index, -ENOSPC when the set is full, or -errno with why. */
int mc_connect(struct mc *m, const char *addr, uint16_t port, int timeout_ms,
	       const char *label, char *why, size_t whylen);

/* Queue bytes for client k (nothing is sent yet). */
void mc_queue(struct mc_client *k, const void *p, size_t n);
/* Send what k's socket takes now. */
void mc_write(struct mc_client *k);
/* Read what k's socket holds now (up to a few chunks). */
void mc_read(struct mc_client *k);

/* Poll every client, reading what arrives (but for paused ones) and writing what is
 * queued, until done(m, arg) holds or the deadline (clock_deadline) passes. Returns done's
 * last answer. */
bool mc_pump(struct mc *m, int64_t deadline, bool (*done)(struct mc *, void *), void *arg);
/* A done() for mc_pump: every open client has sent all it queued. */
bool mc_all_sent(struct mc *m, void *arg);
/* A done() for mc_pump: client *(int *)arg has a whole line, or its connection ended. */
bool mc_line_or_end(struct mc *m, void *arg);
/* Queue bytes for client i and push them out, pumping everyone up to timeout_ms while its
 * peer is slow to read. */
void mc_send(struct mc *m, int i, const void *p, size_t n, int timeout_ms);

bool mc_has_line(const struct mc_client *k);
/* The next whole line of k, without its "\n" (and a "\r" before it), NUL-terminated in
 * place; NULL when there is none yet. Valid until the next pump. */
char *mc_line(struct mc_client *k, size_t *len);
/* What k got instead of a line, in words for a message ("nothing within 2.0 s", "the
 * server closed the connection after an unfinished line ..."). */
void mc_seen_end(const struct mc_client *k, int timeout_ms, char *buf, size_t bufsz);

#endif
