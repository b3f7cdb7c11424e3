/* relay.h - a lossy UDP relay in user space (no kernel netem needed), for putting an
 * unreliable network between a client under test and an echo server.
 *
 * The relay receives the client's datagrams on its own port and forwards each to the
 * server from a socket connected to it; it forwards the server's replies back to the
 * client from its own port (so a client whose socket is connected to the relay accepts
 * them). On the way it applies a plan, deterministic for a given order of arrivals:
 * drop, duplicate, delay or hold back (reorder) the Nth datagram of a direction, inject
 * stale replies or garbage into the client, and, from a seed (xorshift32), random drops
 * and duplicates. relay_plan_str() prints the plan for failure messages, relay_log() what
 * the relay did to each datagram.
 *
 * Threads: relay_start() runs the relay in a thread of its own until relay_stop() or its
 * deadline, whichever comes first. While it runs, the caller may only read relay_port()
 * and call relay_stop(); once relay_stop() has returned, the log and the counters are
 * stable. One client at a time: replies and injections go to the address that sent the
 * last datagram to the relay. The caller owns the relay: relay_close() stops it if
 * needed, frees it, and accepts NULL. */
#ifndef WIRELAB_RELAY_H
#define WIRELAB_RELAY_H

#include <stddef.h>
#include <stdint.h>

enum { RELAY_C2S = 0, RELAY_S2C = 1 };

enum relay_act {
	RELAY_DROP,       /* not forwarded */
	RELAY_DUP,        /* forwarded, and `count` more copies right after it (1 when 0) */
	RELAY_DELAY,      /* forwarded `ms` late; later datagrams are not held up by it */
	RELAY_HOLD,       /* held back until the next datagram of its direction has been
			   * forwarded, then forwarded (a reorder) */
	RELAY_STALE,      /* besides this datagram's own fate: `count` copies (1 when 0) of
			   * the last datagram forwarded to the client are sent to it, the first
			   * `ms` after this one, then every `ms` */
	RELAY_GARBAGE,    /* likewise `count` wrong datagrams to the client: in turn random
			   * bytes, the last datagram the client sent with one byte more, and
			   * with its last byte cut off */
};

/* The datagrams number from..to (from 1, in order of arrival in direction dir; to = 0: no
 * end) get act. With match set, the rule sees only datagrams whose payload is exactly that
 * text and counts among them ("the first \"2 ok\""): a plan keyed on content stays on its
 * target when a client sends an extra copy. A datagram may match several rules: DROP,
 * DELAY or HOLD decide its fate (the first such rule wins), DUP, STALE and GARBAGE add to
 * it. */
struct relay_rule {
	int dir;                  /* RELAY_C2S or RELAY_S2C */
	char match[48];           /* "" : every datagram */
	unsigned from, to;
	enum relay_act act;
	int ms;
	unsigned count;
};

#define RELAY_MAX_RULES 16

struct relay_plan {
	struct relay_rule rules[RELAY_MAX_RULES];
	size_t nrules;
	/* Random fates for datagrams that no DROP, DELAY or HOLD rule names: with seed not 0,
	 * each such datagram draws from xorshift32 whether it is dropped (drop_pct percent)
	 * and whether it is duplicated (dup_pct percent). */
	uint32_t seed;
	unsigned drop_pct[2];     /* by direction */
	unsigned dup_pct[2];
};

struct relay_stats {
	unsigned seen[2];         /* datagrams that arrived, by direction */
	unsigned forwarded[2];    /* copies sent on, duplicates included */
	unsigned dropped[2];      /* by a rule or by the seed */
	unsigned injected;        /* stale copies and garbage sent to the client */
	unsigned lost_at_stop;    /* held or delayed datagrams still waiting at the end */
};

struct relay_cfg {
	const char *addr;         /* where the relay listens: "127.0.0.1", "::1", "::" */
	uint16_t port;
	const char *up_addr;      /* the server, numeric */
	uint16_t up_port;
	const struct relay_plan *plan;   /* copied; NULL: forward everything */
	int run_ms;               /* the relay stops by itself after this long */
};

struct relay;

/* Open the sockets and start the thread. NULL with errno and a reason in why. */
struct relay *relay_start(const struct relay_cfg *cfg, char *why, size_t whylen);
/* Stop the thread (at once) and wait for it; safe to call twice. */
void relay_stop(struct relay *r);
void relay_close(struct relay *r);

uint16_t relay_port(const struct relay *r);
/* After relay_stop(): one line per event, "12.345 ms c2s #1 \"1 ok\" dropped" (times
 * since the start), NUL-terminated and bounded. */
const char *relay_log(const struct relay *r);
void relay_get_stats(const struct relay *r, struct relay_stats *out);

/* The plan in words into buf, for instance "c2s drop #1-2; s2c \"2 ok\" dup #1; seed
 * 0x5eed: drop c2s 10% s2c 5%, dup c2s 0% s2c 0%"; "no loss" for an empty plan. The seed
 * also draws the random bytes of garbage. Returns buf. */
char *relay_plan_str(const struct relay_plan *p, char *buf, size_t bufsz);

#endif
