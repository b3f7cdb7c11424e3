/* ws.h - what the checks of 06-websocket share: the check functions (server.c, client.c),
 * the table (table.c), and the timing constants, named once. */
#ifndef WIRELAB_LAB06_WS_H
#define WIRELAB_LAB06_WS_H

#include "check.h"

#define LAB06_IO_MS      2000   /* every step of a conversation */
#define LAB06_FIN_MS     1500   /* the server's FIN after its close frame */
#define LAB06_FAILS_MS   40000  /* a check of up to 20 failed connections, each of which may
				 * take LAB06_FIN_MS: more than the default limit of a check */
#define LAB06_PONG_MS    1000   /* a pong after a ping */
#define LAB06_CLIENT_S   5      /* the client's timeouts (handshake, close) */
#define LAB06_BROWSER_MS 34000  /* the browser driver: 15 s to start Chromium, 15 s with
				 * DevTools (10 s of them for the echo), then its exit */

void check_ws_server_usage(struct ctx *c);
void check_ws_page(struct ctx *c);
void check_ws_handshake(struct ctx *c);
void check_ws_handshake_errors(struct ctx *c);
void check_ws_first_frame(struct ctx *c);
void check_ws_echo(struct ctx *c);
void check_ws_large(struct ctx *c);
void check_ws_too_big(struct ctx *c);
void check_ws_fragments(struct ctx *c);
void check_ws_ping(struct ctx *c);
void check_ws_protocol_errors(struct ctx *c);
void check_ws_utf8(struct ctx *c);
void check_ws_close(struct ctx *c);
void check_ws_close_errors(struct ctx *c);
void check_ws_concurrency(struct ctx *c);
void check_ws_python(struct ctx *c);
void check_ws_browser(struct ctx *c);   /* browser.c */

/* The DevTools driver of the browser check (browser.c), also run by the kit's tests, and
 * the browser it runs: the first Chromium installed, or NULL. */
extern const char LAB06_BROWSER_DRIVER[];
extern const size_t LAB06_BROWSER_DRIVER_LEN;
const char *lab06_chromium(void);

void check_ws_client_usage(struct ctx *c);
void check_ws_client_handshake(struct ctx *c);
void check_ws_client_accept(struct ctx *c);
void check_ws_client_echo(struct ctx *c);
void check_ws_client_messages(struct ctx *c);
void check_ws_client_close(struct ctx *c);
void check_ws_client_errors(struct ctx *c);
void check_ws_client_timeout(struct ctx *c);
void check_ws_client_close_timeout(struct ctx *c);

#endif
