/* table.c - the checks of 06-websocket (LABS.md, RFC 6455), in handout order. */
#include "ws.h"
#include "labs.h"

static const struct check checks[] = {
	{ .id = "ws.server-usage", .title = "server: usage errors exit 2", .points = 2,
	  .section = "The contract",
	  .hint = "Check argc and the port (digits, 1..65535) first: usage line, exit(2).",
	  .run = check_ws_server_usage },
	{ .id = "ws.page", .title = "GET / serves the page, other requests 404", .points = 2,
	  .section = "Step 4: the handshake",
	  .hint = "A request without Upgrade or Sec-WebSocket-* headers is plain HTTP: GET or HEAD "
		  "of / (query ignored) gets 200 and WS_PAGE, anything else 404.",
	  .run = check_ws_page },
	{ .id = "ws.handshake", .title = "a valid handshake gets 101 and the right accept key",
	  .points = 4, .section = "The opening handshake",
	  .hint = "Header names ignore case; Connection is a list of tokens; the request may come in "
		  "pieces. Answer 101 with base64(SHA1(key + GUID)) and no Sec-WebSocket-Extensions.",
	  .run = check_ws_handshake },
	{ .id = "ws.handshake-errors", .title = "bad handshakes get 400, a bad version 426",
	  .points = 3, .section = "The opening handshake",
	  .hint = "Check the method, HTTP/1.1, Host, Upgrade, Connection, exactly one valid key and "
		  "the version; a version other than 13 is 426 with Sec-WebSocket-Version: 13.",
	  .run = check_ws_handshake_errors },
	{ .id = "ws.first-frame", .title = "a frame in the same segment as the handshake",
	  .points = 2, .section = "Step 5: frames",
	  .hint = "Bytes read after the empty line of the request are the start of the first frame: "
		  "keep them in the connection's buffer.",
	  .run = check_ws_first_frame },
	{ .id = "ws.echo", .title = "text and binary at every length form, in order", .points = 4,
	  .section = "Frames", .hint = "Lengths 126..65535 use 16 bits, larger ones 64 bits; unmask "
		  "with key[i % 4]; echo with the same opcode, unmasked.",
	  .run = check_ws_echo },
	{ .id = "ws.large", .title = "a 16 MiB message and 4 MiB in 64 fragments", .points = 3,
	  .section = "Frames", .hint = "Grow the message buffer to the announced size (up to 16 MiB) "
		  "and send the echo with a send loop.",
	  .run = check_ws_large, .ring_mib = 96, .timeout_ms = 40000 },
	{ .id = "ws.too-big", .title = "a message past 16 MiB: close 1009", .points = 2,
	  .section = "Frames", .hint = "Compare the length in the header (plus what the message "
		  "already holds) with 16 MiB before reading the payload; then read and drop the rest.",
	  .flags = CHECK_WIRE, .run = check_ws_too_big, .ring_mib = 96, .timeout_ms = 40000 },
	{ .id = "ws.fragments", .title = "fragmented messages with a ping between fragments",
	  .points = 3, .section = "Fragmentation",
	  .hint = "Append continuation payloads to the open message; answer control frames at once, "
		  "even in the middle of a message.",
	  .run = check_ws_fragments },
	{ .id = "ws.ping", .title = "ping gets pong at once; a pong is ignored", .points = 3,
	  .section = "Control frames",
	  .hint = "A pong carries the ping's payload and goes out before the echo of any later "
		  "message; an unsolicited pong gets no answer.",
	  .run = check_ws_ping },
	{ .id = "ws.protocol-errors", .title = "protocol errors: close 1002, then FIN", .points = 4,
	  .section = "Errors and close codes",
	  .hint = "Reserved bits and opcodes, an unmasked frame, a lone continuation, a message inside "
		  "a message, a control frame fragmented or over 125 bytes: close with 1002.",
	  .flags = CHECK_WIRE, .timeout_ms = LAB06_FAILS_MS, .run = check_ws_protocol_errors },
	{ .id = "ws.utf8", .title = "text that is not UTF-8: close 1007", .points = 3,
	  .section = "UTF-8",
	  .hint = "Validate text across fragments (a code point may be split); reject overlong "
		  "forms, surrogates and code points past U+10FFFF.",
	  .flags = CHECK_WIRE, .timeout_ms = LAB06_FAILS_MS, .run = check_ws_utf8 },
	{ .id = "ws.close", .title = "the close handshake: echoes first, same code, server FIN first",
	  .points = 4, .section = "Closing",
	  .hint = "Echo what came before the close, answer with the same code (1000 when none), then "
		  "shutdown(SHUT_WR), read until the client's FIN, close().",
	  .flags = CHECK_WIRE, .run = check_ws_close },
	{ .id = "ws.close-errors", .title = "bad close frames: close 1002 or 1007", .points = 2,
	  .section = "Closing",
	  .hint = "A 1-byte close payload or a code outside 1000-1003, 1007-1014, 3000-4999 is 1002; "
		  "a reason that is not UTF-8 is 1007.",
	  .flags = CHECK_WIRE, .timeout_ms = LAB06_FAILS_MS, .run = check_ws_close_errors },
	{ .id = "ws.concurrency", .title = "30 clients at once while one does not read",
	  .points = 3, .section = "Step 5: frames",
	  .hint = "A thread per connection (or poll): a client that never reads blocks only its own "
		  "sender.",
	  .run = check_ws_concurrency, .ring_mib = 64 },
	{ .id = "ws.python", .title = "python3's websockets client", .points = 2,
	  .section = "See it on the wire",
	  .hint = "Run the python snippet of the handout against your server and read the capture.",
	  .flags = CHECK_WIRE, .run = check_ws_python },
	{ .id = "ws.browser", .title = "a real browser loads the page and talks to the server",
	  .points = 2, .section = "See it on the wire",
	  .hint = "Serve the page of ws_page.h for GET /; the browser's handshake carries Origin and "
		  "offers permessage-deflate: ignore both, answer 101 and echo its message.",
	  .flags = CHECK_WIRE, .timeout_ms = 40000, .run = check_ws_browser },
	{ .id = "ws.client-usage", .title = "client: bad URLs exit 2", .points = 2,
	  .section = "The contract",
	  .hint = "ws:// only, a host, a port 1..65535, no #fragment; usage line, exit(2).",
	  .run = check_ws_client_usage },
	{ .id = "ws.client-handshake", .title = "client: the handshake request, a fresh key each time",
	  .points = 3, .section = "The opening handshake",
	  .hint = "GET path?query HTTP/1.1, Host: host:port (IPv6 in brackets), Upgrade, Connection, "
		  "a key of 16 random bytes in base64, Sec-WebSocket-Version: 13.",
	  .run = check_ws_client_handshake },
	{ .id = "ws.client-accept", .title = "client: a wrong accept key or no 101 exits 1",
	  .points = 2, .section = "The opening handshake",
	  .hint = "Compute the accept key you expect and compare; anything but a 101 with it is an "
		  "error: one line, exit(1).",
	  .run = check_ws_client_accept },
	{ .id = "ws.client-echo", .title = "client: each line a masked text message, echoes printed",
	  .points = 4, .section = "Step 8: the client's frames",
	  .hint = "One frame per line, without the newline (a \\r kept, an empty line sent), each with "
		  "a fresh mask key; print each message received and a newline.",
	  .run = check_ws_client_echo },
	{ .id = "ws.client-messages", .title = "client: fragments, long lengths and pings",
	  .points = 3, .section = "Step 8: the client's frames",
	  .hint = "Read the socket while stdin is still open (poll() both, or two threads): the "
		  "server may speak first. Reassemble continuation frames; read 16- and 64-bit "
		  "lengths; answer a ping with a pong carrying its payload, masked.",
	  .run = check_ws_client_messages },
	{ .id = "ws.client-close", .title = "client: the close handshake and its exit status",
	  .points = 3, .section = "Closing",
	  .hint = "Watch the socket while stdin is still open: the server may close first. Answer "
		  "its close with its code; exit 0 only after a close with 1000 and the server's "
		  "FIN; any other code, no code, or a FIN alone is one line on stderr and exit 1.",
	  .run = check_ws_client_close },
	{ .id = "ws.client-errors", .title = "client: refused and unknown hosts exit 1", .points = 2,
	  .section = "The contract",
	  .hint = "Print one line \"ws_client: what: why\" (gai_strerror, strerror) and exit(1).",
	  .flags = CHECK_WIRE, .run = check_ws_client_errors },
	{ .id = "ws.client-timeout", .title = "client: a silent server, give up after 5 s",
	  .points = 2, .section = "The contract",
	  .hint = "poll() with a 5 s timeout while waiting for the 101; then one line, exit(1).",
	  .flags = CHECK_IDLE, .timeout_ms = 16000, .run = check_ws_client_timeout },
	{ .id = "ws.client-close-timeout", .title = "client: no answer to its close, give up after 5 s",
	  .points = 2, .section = "Closing",
	  .hint = "After sending the close frame, poll() with a deadline of 5 s for the server's close "
		  "and FIN; then one line, exit(1).",
	  .flags = CHECK_IDLE, .timeout_ms = 20000, .run = check_ws_client_close_timeout },
};

const struct lab lab_06_websocket = {
	.id = "06-websocket",
	.title = "WebSocket: the upgrade handshake and frames",
	.programs = (const char *const[]){ "ws_server", "ws_client", NULL },
	.ldlibs = "-lcrypto",
	LAB_CHECKS(checks),
};
