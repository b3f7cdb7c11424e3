/* wspeer.h - scripted WebSocket peers (RFC 6455): the grader's client that drives a
 * student's server, and its server that drives a student's client. Both sides read and
 * send with deadlines on a connected TCP socket; sending also reads what arrives, so a peer
 * that echoes while it reads can never deadlock against the grader.
 *
 * A struct wspeer owns its socket and its buffer: wspeer_close() closes and frees both.
 * Results: >= 0 ok, -errno (-ETIMEDOUT when a deadline passed, -EPROTO for bytes that are
 * no frame or no handshake, with a reason in why). */
#ifndef WIRELAB_WSPEER_H
#define WIRELAB_WSPEER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "httpmsg.h"
#include "peer.h"
#include "wsframe.h"

struct wspeer {
	int fd;
	bool client;              /* masks the frames it sends */
	uint32_t seed;            /* mask keys: xorshift32, so a failure can be replayed */
	struct peer_buf in;       /* bytes received, from in.data[used] not read yet */
	size_t used;
	bool eof;                 /* the other side's FIN was read */
	int err;                  /* a receive error (-ECONNRESET) */
	uint8_t *payload;         /* the last frame's payload, unmasked (owned) */
	size_t payload_cap;
};

/* Take over fd (connected). client: this side masks its frames. */
void wspeer_init(struct wspeer *w, int fd, bool client, uint32_t seed);
void wspeer_close(struct wspeer *w);

/* Send all of p, reading into w->in meanwhile. */
int wspeer_send(struct wspeer *w, const void *p, size_t n, int timeout_ms);
/* One frame: FIN, RSV bits, opcode, payload; masked with a fresh key when w->client. */
int wspeer_send_frame(struct wspeer *w, bool fin, unsigned rsv, unsigned opcode,
		      const void *p, size_t n, int timeout_ms);
/* A close frame with code (0: no payload at all) and a reason. */
int wspeer_send_close(struct wspeer *w, unsigned code, const char *reason, int timeout_ms);

/* One read into w->in: 1 bytes came, 0 the other side closed (FIN), -errno. */
int wspeer_fill(struct wspeer *w, int timeout_ms);

/* The next frame: 1 with *f (f->payload points at w->payload, unmasked, valid until the
 * next call), 0 when the stream ended before a whole frame (FIN or reset: see w->eof and
 * w->err), -ETIMEDOUT, -EPROTO (why says). */
int wspeer_frame(struct wspeer *w, struct wsframe *f, int timeout_ms, char *why, size_t whylen);

/* Read an HTTP head (through its empty line) into m, request or response (flags of
 * httpmsg_parse); m points into w->in until the next read. Returns its length, 0 when the
 * stream ended first, -ETIMEDOUT, -EPROTO (why says). Bytes after the head stay unread. */
int wspeer_head(struct wspeer *w, unsigned flags, struct httpmsg *m, int timeout_ms,
		char *why, size_t whylen);

/* Client: send a handshake for path with key (and extra, full lines with their CRLFs, or
 * NULL) and read the answer's head into m. Returns the head length (> 0), or as
 * wspeer_head. */
int wspeer_client_handshake(struct wspeer *w, const char *path, const char *key,
			    const char *extra, struct httpmsg *m, int timeout_ms, char *why,
			    size_t whylen);

/* Server: read the client's handshake and answer 101, with a wrong accept key when
 * bad_accept, and with the first bytes of data (a frame, or NULL) in the same segment.
 * The request's head is copied into req (NUL-terminated, truncated to reqsz). Returns 0, or
 * as wspeer_head (-EPROTO when the request has no Sec-WebSocket-Key). */
int wspeer_server_handshake(struct wspeer *w, bool bad_accept, const void *first, size_t nfirst,
			    char *req, size_t reqsz, int timeout_ms, char *why, size_t whylen);

/* xorshift32 */
uint32_t wspeer_rand(uint32_t *seed);

#endif
