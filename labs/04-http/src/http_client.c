/* http_client.c - lab 04: fetch one URL over HTTP/1.1 and write the body out.
 *
 * Usage: http_client [-i] [-o FILE] [-d DATA] URL
 *
 * Exit status: 0 for 2xx/3xx, 3 for 4xx/5xx (body still written), 1 for network errors,
 * malformed responses and a silent server, 2 for usage errors.
 *
 * Your job: fill in every TODO below, in the order of "Step by step" in ../README.md.
 * Until a step is written, the program stops there: it names the step and exits 1. */
#define _POSIX_C_SOURCE 200809L

#include "http_parse.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#define PROG              "http_client"
#define SILENCE_TIMEOUT_S 5     /* give up when the server sends nothing for this long */
#define MAX_LINE          65536 /* longest status, header, chunk-size or trailer line */

/* Buffered reading from the connection: bytes read but not used yet are buf[start..end). */
struct reader {
	int fd;
	char buf[MAX_LINE + 2];
	size_t start, end;
};

/* How the body of the response is delimited (RFC 9112 section 6.3). */
struct framing {
	bool chunked;
	bool has_length;
	uint64_t length;
};

/* Scaffolding: stops the program at the first step not written yet. Once every TODO is
 * done, nothing calls it any more: delete it. */
static _Noreturn void not_implemented(const char *step)
{
	fprintf(stderr, PROG ": not implemented yet (see README.md, %s)\n", step);
	exit(1);
}

static _Noreturn void usage(void)
{
	/* TODO(lab04): Step 1. "usage: http_client [-i] [-o FILE] [-d DATA] URL", exit(2). */
	not_implemented("Step 1");
}

/* Connects to u's host and port, trying every address getaddrinfo returns; sets a
 * SILENCE_TIMEOUT_S receive timeout. Exits 1 with a one-line reason on failure. */
static int connect_to(const struct hp_url *u)
{
	/* TODO(lab04): Step 7. Your getaddrinfo loop from lab 00, plus SO_RCVTIMEO (and
	 * SO_SNDTIMEO, which bounds connect too) so the client never hangs. */
	(void)u;
	not_implemented("Step 7");
}

/* Sends GET (or POST with -d) exactly as "The contract" says, in one send loop. */
static void send_request(int fd, const struct hp_url *u, const char *data)
{
	/* TODO(lab04): Step 7. Request line, Host (with ":port" when not 80, brackets around
	 * an IPv6 address), Connection: close, and for -d Content-Type, Content-Length and
	 * the body. Every line ends with CRLF; an empty line ends the head. */
	(void)fd, (void)u, (void)data;
	not_implemented("Step 7");
}

/* Reads one response head into f; with echo >= 0 (for -i) writes its raw lines there.
 * Returns the status code; exits 1 on a malformed head. */
static int read_head(struct reader *r, struct framing *f, int echo)
{
	/* TODO(lab04): Step 7. Status line (hp_parse_status_line), then header lines up to the
	 * empty line; note Transfer-Encoding: chunked and Content-Length. */
	(void)r, (void)f, (void)echo;
	not_implemented("Step 7");
}

/* Reads the final response (1xx skipped) and writes its body to out; returns the code. */
static int read_response(int fd, int out, bool show_head)
{
	/* TODO(lab04): Step 8. Loop on read_head while the code is 1xx. Then the body: none
	 * for 204 and 304; chunked (size lines, data, CRLF, last chunk, trailers); else
	 * exactly Content-Length bytes; else everything until the server closes. See
	 * "Message bodies: Content-Length and chunked" in README.md. */
	(void)fd, (void)out, (void)show_head, (void)read_head;
	not_implemented("Step 8");
}

int main(int argc, char *argv[])
{
	bool show_head = false;
	const char *outfile = NULL, *data = NULL;

	/* TODO(lab04): Step 1. getopt(argc, argv, "io:d:") for -i, -o FILE and -d DATA; an
	 * unknown option or anything but exactly one URL left is a usage error. Then
	 * hp_parse_url (Step 7; until then it fails): a URL it refuses is a usage error too. */
	(void)argc, (void)argv, (void)show_head, (void)outfile, (void)data;
	usage();

	static struct hp_url url;
	int out = STDOUT_FILENO;
	/* TODO(lab04): Step 7. With -o, open FILE (O_WRONLY | O_CREAT | O_TRUNC); then
	 * connect_to, send_request, read_response, close. Exit 0 for 2xx/3xx, 3 for 4xx/5xx. */
	int fd = connect_to(&url);
	send_request(fd, &url, data);
	int code = read_response(fd, out, show_head);
	close(fd);
	return code >= 400 ? 3 : 0;
}
