/* netstat.h - sockets of the current network namespace read from /proc/net/{tcp,tcp6,udp,
 * udp6}: readiness of a server without connecting to it (a test connection would use up a
 * client the server then sees). */
#ifndef WIRELAB_NETSTAT_H
#define WIRELAB_NETSTAT_H

#include <stdbool.h>
#include <stdint.h>

#include "proc.h"

enum netstat_proto { NETSTAT_TCP, NETSTAT_UDP };

struct netstat_sock {
	int family;             /* AF_INET or AF_INET6 */
	uint8_t addr[16];       /* local address, network order */
	uint16_t port;
	int state;              /* TCP state number (10 = LISTEN); 7 for an unconnected UDP socket */
	unsigned long inode;
};

/* Up to max sockets bound to local port (TCP: listening only); returns how many, or -errno. */
int netstat_find(enum netstat_proto proto, uint16_t port, struct netstat_sock *out, int max);

/* Wait until something listens on (TCP) or is bound to (UDP) port. Returns 0 once it does,
 * -ECHILD if p (when not NULL) exited first, -ETIMEDOUT. Polls every millisecond or so. */
int netstat_wait_bound(enum netstat_proto proto, uint16_t port, struct proc *p, int timeout_ms);

/* Wait until the program owning the TCP connection from local port lport to remote port
 * rport (a server's side: lport is its listening port, rport the grader's client port) has
 * read everything that arrived: its receive queue is empty. Makes "the server has seen
 * this piece" certain before the grader sends the next, whatever the machine's load.
 * Returns 0 (also when no such connection exists any more), -ETIMEDOUT. */
int netstat_wait_read(uint16_t lport, uint16_t rport, int timeout_ms);

/* True when the socket's local address is the wildcard (0.0.0.0 or ::). */
bool netstat_is_wildcard(const struct netstat_sock *s);

#endif
