/* table.c - the checks of 04-http, their hints and the lab. */
#include "lab04.h"

/* ---- the table ------------------------------------------------------------------------ */

static const struct check checks[] = {
	{
		.id = "http.server-usage",
		.title = "server: usage errors exit 2, a bad DOCROOT exits 1",
		.section = "The contract",
		.hint = "Check argc and the port (digits, 1..65535) first: usage line, exit(2). A "
			"DOCROOT that is not a directory is a runtime error: one line, exit(1).",
		.points = 2,
		.run = check_http_server_usage,
	},
	{
		.id = "http.curl",
		.title = "curl: several URLs over one connection",
		.section = "Persistent connections and pipelining",
		.hint = "Loop over requests on a connection until the client closes or asks to; "
			"every response carries Content-Length so curl knows where it ends.",
		.points = 5,
		.flags = CHECK_WIRE,
		.run = check_http_curl,
	},
	{
		.id = "http.get",
		.title = "GET a file: 200, Content-Length, the file",
		.section = "Step 3: one request, one file",
		.hint = "Status line, Content-Type, Content-Length from fstat, an empty line, "
			"then exactly the file's bytes; drop the query and percent-decode the "
			"path first.",
		.points = 4,
		.flags = CHECK_WIRE,
		.run = check_http_get,
	},
	{
		.id = "http.content-type",
		.title = "Content-Type by extension",
		.section = "Content types",
		.hint = "Take the extension after the last '.' of the last path segment and look "
			"it up in the table; anything else is application/octet-stream.",
		.points = 3,
		.flags = CHECK_WIRE,
		.run = check_http_content_type,
	},
	{
		.id = "http.index",
		.title = "a directory serves index.html, or 404",
		.section = "Step 5: paths",
		.hint = "stat() the path: for a directory append /index.html; when that does not "
			"exist, 404. The Content-Type is that of the file served (text/html).",
		.points = 3,
		.flags = CHECK_WIRE,
		.run = check_http_index,
	},
	{
		.id = "http.not-found",
		.title = "404 and 403 with an HTML body",
		.section = "Status codes",
		.hint = "open() failing with ENOENT is 404, with EACCES 403; send_error writes a "
			"short HTML body with its Content-Length.",
		.points = 3,
		.flags = CHECK_WIRE,
		.run = check_http_not_found,
	},
	{
		.id = "http.traversal",
		.title = "no path leaves DOCROOT",
		.section = "Paths, percent-encoding and traversal",
		.hint = "Percent-decode first, then refuse any \"..\" segment; and check that "
			"realpath() of the file starts with realpath(DOCROOT) followed by '/'.",
		.points = 5,
		.flags = CHECK_WIRE,
		.run = check_http_traversal,
	},
	{
		.id = "http.methods",
		.title = "405 with Allow for other methods, 501 for unknown",
		.section = "Status codes",
		.hint = "Compare the method case-sensitively: GET and HEAD are served, the seven "
			"other standard ones get 405 with \"Allow: GET, HEAD\", anything else 501.",
		.points = 3,
		.flags = CHECK_WIRE,
		.run = check_http_methods,
	},
	{
		.id = "http.head",
		.title = "HEAD: GET's head, no body",
		.section = "Status codes",
		.hint = "Build the same head as for GET (Content-Length included) and skip only "
			"the body, also for error responses.",
		.points = 3,
		.flags = CHECK_WIRE,
		.run = check_http_head,
	},
	{
		.id = "http.bad-request",
		.title = "malformed requests: 400, then FIN",
		.section = "Closing cleanly: FIN, not RST",
		.hint = "Check each part of the request line and each header line; answer 400 "
			"with Connection: close, then shutdown(SHUT_WR), read until EOF, close().",
		.points = 3,
		.flags = CHECK_WIRE,
		.run = check_http_bad_request,
	},
	{
		.id = "http.host",
		.title = "HTTP/1.1 needs exactly one Host",
		.section = "Headers and Host",
		.hint = "Count Host lines (any case); for HTTP/1.1 anything but one is 400; "
			"HTTP/1.0 may omit it.",
		.points = 2,
		.flags = CHECK_WIRE,
		.run = check_http_host,
	},
	{
		.id = "http.version",
		.title = "other versions: 505, then close",
		.section = "The request line",
		.hint = "A well-formed HTTP/<d>.<d> that is neither 1.0 nor 1.1 gets 505 and "
			"Connection: close.",
		.points = 2,
		.flags = CHECK_WIRE,
		.run = check_http_version,
	},
	{
		.id = "http.too-long",
		.title = "414 and 431 over the limits, served under them",
		.section = "Step 4: every status code",
		.hint = "Count bytes as you read: over 8192 in the request line is 414, over "
			"16384 in the header lines 431; then close cleanly.",
		.points = 3,
		.flags = CHECK_WIRE,
		.run = check_http_too_long,
	},
	{
		.id = "http.keep-alive",
		.title = "several requests on one connection",
		.section = "Persistent connections and pipelining",
		.hint = "After a response, go back to reading the next request on the same "
			"socket; 404, 405 and 501 do not end the connection.",
		.points = 4,
		.flags = CHECK_WIRE,
		.run = check_http_keep_alive,
	},
	{
		.id = "http.close",
		.title = "close and HTTP/1.0: the response, then FIN",
		.section = "Closing cleanly: FIN, not RST",
		.hint = "Decide from the version and Connection; say Connection: close, then "
			"shutdown(SHUT_WR), read until EOF, close().",
		.points = 4,
		.flags = CHECK_WIRE,
		.run = check_http_close,
	},
	{
		.id = "http.pipelining",
		.title = "three requests in one segment, answered in order",
		.section = "Persistent connections and pipelining",
		.hint = "Keep the bytes after the current request in the connection's buffer: "
			"they are the next request.",
		.points = 4,
		.flags = CHECK_WIRE,
		.run = check_http_pipelining,
	},
	{
		.id = "http.byte-by-byte",
		.title = "a request one byte per segment",
		.section = "Persistent connections and pipelining",
		.hint = "recv() returns what has arrived: keep reading until the buffer holds a "
			"whole line.",
		.points = 3,
		.flags = CHECK_WIRE,
		.run = check_http_byte_by_byte,
	},
	{
		.id = "http.request-body",
		.title = "a request body is skipped",
		.section = "Persistent connections and pipelining",
		.hint = "Read and discard Content-Length bytes after the head, even when the "
			"answer is 405.",
		.points = 3,
		.flags = CHECK_WIRE,
		.run = check_http_request_body,
	},
	{
		.id = "http.binary",
		.title = "1 MiB of every byte value, intact",
		.section = "Step 3: one request, one file",
		.hint = "read() and send() with byte counts; never strlen() or string functions "
			"on file data.",
		.points = 3,
		.flags = CHECK_WIRE,
		.run = check_http_binary,
		.ring_mib = 16,
	},
	{
		.id = "http.concurrency",
		.title = "an idle connection blocks no one",
		.section = "One thread per connection",
		.hint = "accept() in the main thread and hand each connection to its own detached "
			"thread.",
		.points = 4,
		.flags = CHECK_WIRE,
		.run = check_http_concurrency,
	},
	{
		.id = "http.idle",
		.title = "an idle connection stays open 4 s",
		.section = "One thread per connection",
		.hint = "Set SO_RCVTIMEO to 5 s, not less: a keep-alive connection may sit silent "
			"between requests, and the contract lets the server close it after 5 s, "
			"never sooner.",
		.points = 2,
		.flags = CHECK_IDLE,
		.run = check_http_idle,
	},
	{
		.id = "http.restart",
		.title = "restart at once after serving",
		.section = "The contract",
		.hint = "Set SO_REUSEADDR on the listening socket before bind(): the server "
			"closed first, so the port has connections in TIME_WAIT.",
		.points = 2,
		.run = check_http_restart,
	},
	{
		.id = "http.robustness",
		.title = "garbage, resets and vanishing clients",
		.section = "Closing cleanly: FIN, not RST",
		.hint = "Ignore SIGPIPE (or send with MSG_NOSIGNAL); a failed recv or send ends "
			"that connection's thread, never the server.",
		.points = 4,
		.flags = CHECK_WIRE,
		.run = check_http_robustness,
		.ring_mib = 32,
	},
	{
		.id = "http.client-usage",
		.title = "client: bad URLs and options exit 2",
		.section = "The contract",
		.hint = "Parse the URL before connecting: http:// only, a host, a port 1..65535, "
			"no user info, no spaces; usage line, exit(2).",
		.points = 2,
		.flags = CHECK_WIRE,
		.run = check_http_client_usage,
	},
	{
		.id = "http.client-request",
		.title = "the GET request, byte for byte",
		.section = "Step 7: the client's request and head",
		.hint = "Exactly \"GET <path?query> HTTP/1.1\", \"Host: host:port\" (IPv6 in "
			"brackets), \"Connection: close\", each ended by \\r\\n, then \\r\\n; no "
			"fragment.",
		.points = 3,
		.flags = CHECK_WIRE,
		.run = check_http_client_request,
	},
	{
		.id = "http.client-post",
		.title = "-d: the POST request, byte for byte",
		.section = "Step 7: the client's request and head",
		.hint = "After Connection: close, Content-Type: application/x-www-form-urlencoded "
			"and Content-Length: strlen(DATA), the empty line, then DATA.",
		.points = 3,
		.flags = CHECK_WIRE,
		.run = check_http_client_post,
	},
	{
		.id = "http.client-length",
		.title = "a Content-Length body in many segments",
		.section = "Message bodies: Content-Length and chunked",
		.hint = "Count body bytes until Content-Length; then stop, without waiting for "
			"the close.",
		.points = 3,
		.flags = CHECK_WIRE,
		.run = check_http_client_length,
	},
	{
		.id = "http.client-chunked",
		.title = "chunked bodies decoded exactly",
		.section = "Message bodies: Content-Length and chunked",
		.hint = "Size lines are hex with optional ;extensions; after each chunk comes "
			"CRLF; after the 0 chunk, trailer lines up to an empty line.",
		.points = 4,
		.flags = CHECK_WIRE,
		.run = check_http_client_chunked,
	},
	{
		.id = "http.client-close",
		.title = "no length: the body runs until FIN",
		.section = "Message bodies: Content-Length and chunked",
		.hint = "With neither chunked nor Content-Length, copy until recv() returns 0.",
		.points = 2,
		.flags = CHECK_WIRE,
		.run = check_http_client_close,
	},
	{
		.id = "http.client-continue",
		.title = "1xx interim responses are skipped",
		.section = "Status codes",
		.hint = "A 1xx head is followed by another response: read heads until the status "
			"is 200 or more; -i shows only the final one.",
		.points = 2,
		.flags = CHECK_WIRE,
		.run = check_http_client_continue,
	},
	{
		.id = "http.client-status",
		.title = "exit 0 for 2xx/3xx, 3 for 4xx/5xx",
		.section = "Status codes",
		.hint = "Write the body whatever the status, then exit 3 when the code is 400 or "
			"more; 204 has no body.",
		.points = 3,
		.flags = CHECK_WIRE,
		.run = check_http_client_status,
	},
	{
		.id = "http.client-include",
		.title = "-i: the head as received, then the body",
		.section = "Step 8: the client's body",
		.hint = "With -i write the status line and header lines exactly as they came, "
			"CRLFs and the empty line included.",
		.points = 2,
		.flags = CHECK_WIRE,
		.run = check_http_client_include,
	},
	{
		.id = "http.client-output",
		.title = "-o FILE: the body into the file",
		.section = "Step 8: the client's body",
		.hint = "open(FILE, O_WRONLY | O_CREAT | O_TRUNC, 0644) and write the body there, "
			"nothing to stdout.",
		.points = 2,
		.flags = CHECK_WIRE,
		.run = check_http_client_output,
	},
	{
		.id = "http.client-binary",
		.title = "a binary body, intact",
		.section = "Step 8: the client's body",
		.hint = "write() with byte counts; never fputs or printf(\"%s\") on body bytes.",
		.points = 2,
		.flags = CHECK_WIRE,
		.run = check_http_client_binary,
	},
	{
		.id = "http.client-malformed",
		.title = "malformed responses: exit 1",
		.section = "Status codes",
		.hint = "Check the status line (HTTP/1.x, three digits 100..599), each header "
			"line, each chunk size, and that the body is complete; one line on "
			"stderr, exit(1).",
		.points = 3,
		.flags = CHECK_WIRE,
		.run = check_http_client_malformed,
	},
	{
		.id = "http.client-errors",
		.title = "refused and unknown hosts: exit 1",
		.section = "The contract",
		.hint = "Print one line \"http_client: what: why\" (gai_strerror, strerror) and "
			"exit(1).",
		.points = 2,
		.flags = CHECK_WIRE,
		.run = check_http_client_errors,
	},
	{
		.id = "http.client-addrs",
		.title = "every address of a name is tried",
		.section = "Step 7: the client's request and head",
		.hint = "Loop over the getaddrinfo() list (AF_UNSPEC): socket() and connect() "
			"each address until one connects; only when all fail is it an error.",
		.points = 2,
		.run = check_http_client_addrs,
	},
	{
		.id = "http.client-timeout",
		.title = "a silent server: give up after 5 s",
		.section = "The contract",
		.hint = "Set SO_RCVTIMEO (or poll) to 5 s; on timeout print one line and exit(1).",
		.points = 2,
		.flags = CHECK_IDLE,
		.timeout_ms = 16000,
		.run = check_http_client_timeout,
	},
};

/* Hints for what a failure showed (ctx_hint), where it differs from a check's own. */
static const struct check_hint hints[] = {
	{ "http.get", HINT_ADDR, "Pitfalls",
	  "No connection over ::1: listen on an AF_INET6 socket bound to :: with IPV6_V6ONLY "
	  "set to 0, so IPv4 and IPv6 clients both reach it." },
	{ "http.get", HINT_NUL, "Pitfalls",
	  "The body stopped at a NUL byte: read() and send() the file with byte counts, never "
	  "strlen() or string functions on file data." },
	{ "http.binary", HINT_NUL, "Pitfalls",
	  "The body stopped at a NUL byte: Content-Length comes from fstat(), and the file goes "
	  "out with read()/send() byte counts, never strlen() or \"%s\"." },
	{ "http.binary", HINT_SHORT, "Pitfalls",
	  "The first bytes are right and the rest never came: send() may write less than asked; "
	  "loop until every byte is sent (the send loop of lab 01)." },
	{ "http.binary", HINT_RST, "Closing cleanly: FIN, not RST",
	  "The server reset the connection mid-body: send every byte, then shutdown(), drain, "
	  "close()." },
	{ "http.client-request", HINT_ADDR, "Pitfalls",
	  "No connection to [::1] or localhost: pass the host without brackets to getaddrinfo() "
	  "with AF_UNSPEC, and try each address it returns until one connects." },
	{ "http.client-addrs", HINT_ADDR, "Pitfalls",
	  "The first address of \"localhost\" refused: try the next address of the getaddrinfo() "
	  "list, and fail only when every one has." },
	{ "http.client-close", HINT_NUL, "Pitfalls",
	  "The body stopped at a NUL byte: write it with write() and byte counts, never fputs() or "
	  "printf(\"%s\")." },
	{ "http.client-close", HINT_SHORT, "Message bodies: Content-Length and chunked",
	  "Part of the body is missing: with no length, keep reading and writing until recv() "
	  "returns 0, and write() every byte (loop on short writes)." },
	{ "http.client-length", HINT_NUL, "Pitfalls",
	  "The body stopped at a NUL byte: write it with write() and byte counts, never fputs() or "
	  "printf(\"%s\")." },
	{ "http.client-chunked", HINT_NUL, "Pitfalls",
	  "The body stopped at a NUL byte: copy chunk data with byte counts, never string "
	  "functions." },
	{ "http.client-chunked", HINT_RST, "Message bodies: Content-Length and chunked",
	  "The client closed with unread bytes (RST): after the 0 chunk, read trailer lines up to "
	  "the empty line before close()." },
	{ "http.close", HINT_RST, "Closing cleanly: FIN, not RST",
	  "The server sent RST: the client's next request was unread when it closed. "
	  "shutdown(SHUT_WR), read until recv() returns 0, then close()." },
	{ "http.bad-request", HINT_RST, "Closing cleanly: FIN, not RST",
	  "The server sent RST: the rest of the bad request was unread when it closed. "
	  "shutdown(SHUT_WR), read until recv() returns 0, then close()." },
	{ NULL, NULL, NULL, NULL },
};

const struct lab lab_04_http = {
	.id = "04-http",
	.title = "HTTP/1.1 by hand",
	.programs = (const char *const[]){ "http_server", "http_client", NULL },
	LAB_CHECKS(checks),
	.hints = hints,
};

