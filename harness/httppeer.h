/* httppeer.h - scripted HTTP/1.1 peers: the grader's client conversation with a student's
 * server (requests out, responses read with httpmsg, one connection across several of them),
 * and its server that answers a student's client with a response sent in pieces. Every
 * step has a deadline.
 *
 * A struct httpc or httpsrv owns its socket and its buffer: httpc_close() and
 * httpsrv_close() close and free both. Results: >= 0 ok, -errno (-ETIMEDOUT when a deadline
 * passed, -ECONNRESET for a reset). Nothing here records a verdict: callers read the state
 * and say what is wrong. */
#ifndef WIRELAB_HTTPPEER_H
#define WIRELAB_HTTPPEER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "httpmsg.h"
#include "peer.h"

/* ---- the grader's client ---------------------------------------------------------------- */

struct httpc {
	int fd;                  /* -1 when closed */
	struct peer_buf in;      /* everything the server sent */
	size_t used;             /* bytes of in already read as responses */
	bool eof;                /* the server closed (FIN) */
	int err;                 /* a read error (-ECONNRESET) */
};

/* Connect to addr:port, TCP_NODELAY: 0, or -errno with a reason. v is closed (fd -1) after
 * a failure, and safe to close again. */
int httpc_open(struct httpc *v, const char *addr, uint16_t port, int timeout_ms, char *why,
	       size_t whylen);
void httpc_close(struct httpc *v);
int httpc_send(struct httpc *v, const void *p, size_t n, int timeout_ms);
/* One read into v->in: 1 when bytes came, 0 once the server closed, -ETIMEDOUT, or another
 * -errno (kept in v->err: later calls return it at once). */
int httpc_fill(struct httpc *v, int timeout_ms);
/* Read what arrives within timeout_ms, stopping early when the server closes or fails. */
void httpc_read_for(struct httpc *v, int timeout_ms);
/* Read until v->in holds a whole response from v->used on (it stays unread), the server
 * closes or fails, or timeout_ms passes. */
void httpc_await(struct httpc *v, int timeout_ms);

enum httpc_got {
	HTTPC_DONE,              /* a whole response; or a head whose body runs to the close */
	HTTPC_BAD,               /* bytes that are no response (why says) */
	HTTPC_ENDED,             /* the server closed or reset before the response was whole */
	HTTPC_SLOW,              /* it was not whole within the time */
};

/* Flags of httpc_response, beside httpmsg_parse's HTTPMSG_HEAD (the answer to HEAD). */
enum {
	HTTPC_HEAD_ONLY = 1 << 8,   /* done once the head is whole: the body is not wanted */
	HTTPC_TO_CLOSE  = 1 << 9,   /* a body that runs to the close is read to it (else the
				     * response is done at its head, its end unknown) */
};

/* The next response, read into m; m points into v->in until the next read. DONE moves
 * v->used past the response (but for one done at its head); otherwise v->used stays at its
 * start, and m holds as much of it as was parsed. */
enum httpc_got httpc_response(struct httpc *v, unsigned flags, struct httpmsg *m,
			      int timeout_ms, char *why, size_t whylen);

/* ---- the scripted server ---------------------------------------------------------------- */

/* A piece of a scripted response: the grader sends each in a segment of its own. */
struct http_piece {
	const void *data;
	size_t len;
};

/* A piece from a string literal. */
#define HTTP_PIECE(s) { s, sizeof s - 1 }

/* Cut n bytes of text into pieces of at most step bytes, into pieces[0..max); returns how
 * many were made. */
size_t http_cut(const void *text, size_t n, size_t step, struct http_piece *pieces, size_t max);

struct httpsrv {
	int fd;                  /* the client's connection, -1 when closed */
	struct peer_buf req;     /* what the client sent: its request, and anything after */
	char why[256];           /* why the request was no request */
};

/* Take over fd, a connection the grader accepted. */
void httpsrv_init(struct httpsrv *s, int fd);
/* Read one request into s->req: its head, and its body when the head announces one.
 * Returns its length (> 0), HTTPMSG_BAD (s->why says), or HTTPMSG_INCOMPLETE when the
 * client closed or timeout_ms passed first. */
ssize_t httpsrv_read_request(struct httpsrv *s, int timeout_ms);
/* Send the pieces gap_ms apart, each in a segment of its own (TCP_NODELAY): 0, or -errno
 * when the client stopped taking them (it gave up early). */
int httpsrv_send(struct httpsrv *s, const struct http_piece *pieces, size_t n, int gap_ms,
		 int timeout_ms);
/* Read what is left for drain_ms (the client's FIN, so that our close is no reset; 0: close
 * at once), then close the connection and free s->req (move it out first to keep it). */
void httpsrv_close(struct httpsrv *s, int drain_ms);

#endif
