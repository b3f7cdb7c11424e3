/* peer.h - scripted peers: the grader's own clients and servers, every step with a
 * deadline. Sockets are non-blocking inside; each call waits with poll() until its
 * timeout. Addresses are numeric ("127.0.0.1", "::1", "::"). Results: >= 0 ok, -errno
 * (-ETIMEDOUT when the deadline passed, -ECONNRESET for a reset). */
#ifndef WIRELAB_PEER_H
#define WIRELAB_PEER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/types.h>

struct peer_buf {
	uint8_t *data;
	size_t len, cap;
};

int peer_buf_append(struct peer_buf *b, const void *p, size_t n);
void peer_buf_free(struct peer_buf *b);

/* A TCP connection to addr:port. Returns the fd or -errno with a reason. */
int peer_connect(const char *addr, uint16_t port, int timeout_ms, char *why, size_t whylen);
/* A listening TCP (SOCK_STREAM) or bound UDP (SOCK_DGRAM) socket on addr:port with
 * SO_REUSEADDR; "::" is dual-stack. Returns the fd or -errno with a reason. */
int peer_listen(const char *addr, uint16_t port, int type, char *why, size_t whylen);
int peer_accept(int lfd, int timeout_ms);

/* Send all len bytes. A connection the other side reset is -ECONNRESET (never -EPIPE). */
int peer_send(int fd, const void *p, size_t len, int timeout_ms);
/* One read: bytes read (> 0), 0 at end of stream, -errno. */
ssize_t peer_recv(int fd, void *p, size_t len, int timeout_ms);
/* Append to b until the peer closes (0), or max bytes are held (-EMSGSIZE), or -errno. */
int peer_recv_all(int fd, struct peer_buf *b, size_t max, int timeout_ms);
/* Append to b until b holds delim (returns 0), or the stream ends (-EPIPE), or -errno. */
int peer_recv_until(int fd, struct peer_buf *b, const char *delim, size_t max, int timeout_ms);
/* Append to b until it holds at least n bytes (0), or the stream ends (-EPIPE), or -errno. */
int peer_recv_n(int fd, struct peer_buf *b, size_t n, int timeout_ms);

/* A client of an echoing server: send out (nout bytes) and half-close, reading at the same
 * time into in (from read_delay_ms on: a slow reader) until the server closes or timeout_ms
 * passes. A correct server never makes it wait for its deadline. Fill in the first four
 * fields (in zeroed); the rest say what happened, in is the caller's to free. */
struct peer_pump {
	const uint8_t *out;
	size_t nout;
	int read_delay_ms;      /* do not read at first (a slow reader) */
	int timeout_ms;
	struct peer_buf in;     /* what came back */
	size_t sent;
	int rc;                 /* 0: the server closed; -errno (-ETIMEDOUT) */
};
void peer_pump(int fd, struct peer_pump *p);
/* Send on fd without reading until the other side stops taking bytes (nothing left our
 * send buffer for stall_ms), max bytes are sent, or timeout_ms passes: a server that echoes
 * is then blocked sending to us, with our bytes waiting unread in its receive buffer.
 * Returns the bytes sent. */
size_t peer_send_until_stalled(int fd, size_t max, int stall_ms, int timeout_ms);

int peer_shutdown_wr(int fd);
/* Close with RST (SO_LINGER zero). */
void peer_reset(int fd);
void peer_nodelay(int fd);
/* Shrink the receive buffer so a peer that does not read stalls the sender early. On a
 * listening socket it holds for every connection accepted from it (and sets the window
 * scale those connections offer); on a connected socket it caps the buffer from now on. */
void peer_small_rcvbuf(int fd, int bytes);

/* UDP: a socket bound to addr:0 (an ephemeral port) of the family of addr. */
int peer_udp_socket(const char *addr, char *why, size_t whylen);
int peer_sendto(int fd, const void *p, size_t len, const char *addr, uint16_t port);
/* One datagram (payload length >= 0) into p, sender into from (may be NULL). */
ssize_t peer_recvfrom(int fd, void *p, size_t len, struct sockaddr_storage *from,
		      int timeout_ms);
uint16_t peer_local_port(int fd);

/* Human text for a peer_* error code ("timed out", "the stream ended" for a FIN where more
 * was due, "reset by the server (RST)": the grader's sockets that see resets are its
 * clients of the program's server). */
const char *peer_strerror(int rc);

#endif
