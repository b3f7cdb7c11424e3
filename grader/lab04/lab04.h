/* lab04.h - what the checks of 04-http share: http_server's checks (server.c), http_client's
 * (client.c) and the table (table.c), after RFC 9112 and 9110.
 *
 * The server is driven by curl and by the grader's raw requests, each on a connection of
 * its own unless the rule is about connections; its bytes are read with httpmsg both from
 * the socket and, where framing matters, from the reassembled stream on the wire. The
 * client talks to a scripted server in the check, which sends its response in pieces. */
#ifndef WIRELAB_LAB04_H
#define WIRELAB_LAB04_H

#include "check.h"
#include "clock.h"
#include "esc.h"
#include "httpmsg.h"
#include "httppeer.h"
#include "labs.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <fcntl.h>
#include <netdb.h>
#include <unistd.h>

#define IO_MS       CHECK_STEP_MS  /* every step of a conversation */
#define QUIET_MS    30       /* how long "nothing more arrives" is watched */
#define ANSWER_MS   300      /* a server that reads the whole head before answering */
#define IDLE_OPEN_MS 4000    /* silence a connection must survive (the contract: 5 s) */
#define TRAILER_MS  300      /* a trailer section that comes late */
#define MiB         (1u << 20)

/* The first line of a request, escaped, for messages: "\"GET /a.txt HTTP/1.1\"". */
const char *lab04_first_line(const void *req, size_t n, char *buf, size_t bufsz);

/* The checks, one per row of the table, named after their ids. */
void check_http_bad_request(struct ctx *c);
void check_http_binary(struct ctx *c);
void check_http_byte_by_byte(struct ctx *c);
void check_http_client_addrs(struct ctx *c);
void check_http_client_binary(struct ctx *c);
void check_http_client_chunked(struct ctx *c);
void check_http_client_close(struct ctx *c);
void check_http_client_continue(struct ctx *c);
void check_http_client_errors(struct ctx *c);
void check_http_client_include(struct ctx *c);
void check_http_client_length(struct ctx *c);
void check_http_client_malformed(struct ctx *c);
void check_http_client_output(struct ctx *c);
void check_http_client_post(struct ctx *c);
void check_http_client_request(struct ctx *c);
void check_http_client_status(struct ctx *c);
void check_http_client_timeout(struct ctx *c);
void check_http_client_usage(struct ctx *c);
void check_http_close(struct ctx *c);
void check_http_concurrency(struct ctx *c);
void check_http_content_type(struct ctx *c);
void check_http_curl(struct ctx *c);
void check_http_get(struct ctx *c);
void check_http_head(struct ctx *c);
void check_http_host(struct ctx *c);
void check_http_idle(struct ctx *c);
void check_http_index(struct ctx *c);
void check_http_keep_alive(struct ctx *c);
void check_http_methods(struct ctx *c);
void check_http_not_found(struct ctx *c);
void check_http_pipelining(struct ctx *c);
void check_http_request_body(struct ctx *c);
void check_http_restart(struct ctx *c);
void check_http_robustness(struct ctx *c);
void check_http_server_usage(struct ctx *c);
void check_http_too_long(struct ctx *c);
void check_http_traversal(struct ctx *c);
void check_http_version(struct ctx *c);

#endif
