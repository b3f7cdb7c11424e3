/* ladder.h - ladder diagrams of captured conversations for failure reports: the client on
 * the left, the server on the right, one arrow per segment or datagram, with relative
 * times, flags and a short escaped preview of the data. Pure ACKs are left out. */
#ifndef WIRELAB_LADDER_H
#define WIRELAB_LADDER_H

#include "flow.h"

/* Render TCP flow f, times relative to t0_ns, at most max_rows arrows (the first and last
 * ones, with a "... N more segments ..." row between and a row that sums up the hidden
 * ones per direction, "(N -> with B B, M <- with C B)"; 0 means no limit). Writes a
 * NUL-terminated diagram into buf (truncated to bufsz) and returns its length. */
size_t ladder_tcp(const struct flow_tcp *f, int64_t t0_ns, size_t max_rows,
		  char *buf, size_t bufsz);

/* Render the UDP datagrams (and port-unreachable errors) of fs to and from port, the side
 * with that port drawn on the right. */
size_t ladder_udp(const struct flow_set *fs, uint16_t port, int64_t t0_ns, size_t max_rows,
		  char *buf, size_t bufsz);

#endif
