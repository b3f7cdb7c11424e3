/* http_server.c - lab 04: a small HTTP/1.1 file server, one thread per connection.
 *
 * Usage: http_server PORT DOCROOT
 *
 * Your job: fill in every TODO below, in the order of "Step by step" in ../README.md.
 * Until a step is written, the program stops there: it names the step and exits 1. */
#define _XOPEN_SOURCE 700 /* POSIX 2008 with the XSI option, for realpath() */

#include "http_parse.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#define PROG           "http_server"
#define IDLE_TIMEOUT_S 5 /* close a connection that sends nothing for this long */
#define IO_CHUNK       65536

/* What one connection's thread owns: the socket and the bytes read but not parsed yet.
 * Pipelined requests sit one after the other in buf[start..end). */
struct conn {
	int fd;
	const char *docroot; /* canonical (realpath) document root, shared read-only */
	char buf[HP_MAX_HEADER_SECTION + 1024];
	size_t start, end;
};

/* What the server remembers about one request while it reads the head. */
struct request {
	struct hp_request_line rl;
	int hosts;            /* number of Host lines: HTTP/1.1 needs exactly one */
	bool conn_close;      /* Connection: close */
	bool conn_keep_alive; /* Connection: keep-alive (matters for HTTP/1.0) */
	bool has_length;
	uint64_t length; /* Content-Length of the request body, to read and discard */
};

enum line_status { LINE_OK, LINE_EOF, LINE_TOO_LONG, LINE_TIMEOUT, LINE_ERROR };

/* Set to 1 by your SIGINT/SIGTERM handler; the accept loop in main() stops then. */
static volatile sig_atomic_t stopping;

/* Scaffolding: stops the program at the first step not written yet. Once every TODO is
 * done, nothing calls it any more: delete it. */
static _Noreturn void not_implemented(const char *step)
{
	fprintf(stderr, PROG ": not implemented yet (see README.md, %s)\n", step);
	exit(1);
}

static _Noreturn void usage(void)
{
	/* TODO(lab04): Step 1. "usage: http_server PORT DOCROOT" on stderr, exit(2). */
	not_implemented("Step 1");
}

/* The port as a number 1..65535, or -1 if s is anything else. */
static int parse_port(const char *s)
{
	/* TODO(lab04): Step 1. Your parse_port from the earlier labs. */
	(void)s;
	not_implemented("Step 1");
}

/* A listening socket on [::]:port: IPV6_V6ONLY off, SO_REUSEADDR on. Exits 1 on error. */
static int open_listener(int port)
{
	/* TODO(lab04): Step 1. Your open_listener from lab 03. */
	(void)port;
	not_implemented("Step 1");
}

/* SIGPIPE ignored; SIGINT and SIGTERM set `stopping` (no SA_RESTART). */
static void install_signal_handlers(void)
{
	/* TODO(lab04): Step 1. As in lab 03. See "One thread per connection" in README.md. */
	not_implemented("Step 1");
}

/* Sends all len bytes (a loop around send with MSG_NOSIGNAL). Returns 0 or -errno. */
static int send_all(int fd, const void *data, size_t len)
{
	/* TODO(lab04): Step 3. Your send loop from lab 01. */
	(void)fd, (void)data, (void)len;
	not_implemented("Step 3");
}

/* Returns the next line without its CRLF in *line, *len; LINE_TOO_LONG past max bytes.
 * Reads more from the socket only when buf holds no complete line. */
static enum line_status read_line(struct conn *c, size_t max, const char **line, size_t *len)
{
	/* TODO(lab04): Step 3. Look for '\n' in buf[start..end); if there is none, move the
	 * unparsed bytes to the front and recv() more. A request may arrive one byte at a
	 * time, or three requests in one segment: see "Persistent connections and
	 * pipelining" in README.md. recv() failing with EAGAIN means the SO_RCVTIMEO idle
	 * timeout expired: LINE_TIMEOUT. */
	(void)c, (void)max, (void)line, (void)len;
	not_implemented("Step 3");
}

/* Reads the request line and headers into r. Returns 0, a status code to answer with
 * (400, 414, 431, 501, 505) before closing, or -1 to close without answering. */
static int read_head(struct conn *c, struct request *r)
{
	/* TODO(lab04): Step 3 reads the request line and the header lines up to the empty
	 * line. Step 4 adds the limits (414, 431), 400 for malformed lines and for Host
	 * missing or doubled in HTTP/1.1, and 505. See "Headers and Host" in README.md. */
	(void)c, (void)r;
	not_implemented("Step 3");
}

/* Sends an error response: status line, headers, a short HTML body (none for HEAD). */
static int send_error(struct conn *c, int code, bool closing, bool head_only)
{
	/* TODO(lab04): Step 4. Content-Type text/html, Content-Length of the body,
	 * "Allow: GET, HEAD" for 405, "Connection: close" when closing. See "Status codes". */
	(void)c, (void)code, (void)closing, (void)head_only;
	not_implemented("Step 4");
}

/* Maps a target to an open regular file under c->docroot: the descriptor, or minus the
 * status code (-400, -403, -404). The canonical file name goes to path. */
static int open_target(const char *docroot, const char *target, char path[PATH_MAX])
{
	/* TODO(lab04): Step 3 serves a plain "/file". Step 5 adds: drop the query,
	 * percent-decode, refuse ".." segments, index.html for a directory, realpath() and a
	 * check that the result is still inside DOCROOT. See "Paths, percent-encoding and
	 * traversal" in README.md. */
	(void)docroot, (void)target, (void)path;
	not_implemented("Step 3");
}

/* Sends 200, the headers, and (unless head_only) exactly the file's bytes. */
static int send_file(struct conn *c, int fd, const char *path, bool head_only, bool closing)
{
	/* TODO(lab04): Step 3. fstat for the size, the head with Content-Type (Step 2's
	 * hp_content_type) and Content-Length, then read() and send_all() in a loop. */
	(void)c, (void)fd, (void)path, (void)head_only, (void)closing;
	not_implemented("Step 3");
}

/* Reads and answers one request; true when the connection stays open for the next. */
static bool handle_request(struct conn *c)
{
	/* TODO(lab04): Step 3: read_head, open_target, send_file. Step 4: methods (405 with
	 * Allow, 501) and HEAD. Step 6: read and discard a Content-Length body, and decide
	 * whether to keep the connection open (HTTP/1.1 vs 1.0, Connection: close). */
	(void)c;
	(void)read_head, (void)send_error, (void)open_target, (void)send_file;
	not_implemented("Step 3");
}

/* shutdown(SHUT_WR), read until the client closes (bounded), then close: FIN, not RST. */
static void close_gracefully(int fd)
{
	/* TODO(lab04): Step 6. See "Closing cleanly: FIN, not RST" in README.md. */
	(void)fd;
	not_implemented("Step 6");
}

/* The thread of one connection: timeouts, then requests until one says stop, then close. */
static void *connection_thread(void *arg)
{
	struct conn *c = arg;
	/* TODO(lab04): Step 3. SO_RCVTIMEO of IDLE_TIMEOUT_S seconds on c->fd (so a silent
	 * client cannot hold a thread for ever), then `while (handle_request(c)) ;`, then
	 * close_gracefully(c->fd) and free(c). */
	(void)handle_request, (void)close_gracefully, (void)send_all, (void)read_line;
	(void)c;
	not_implemented("Step 3");
}

/* Starts a detached thread that owns a new struct conn for cfd. */
static void spawn(int cfd, const char *docroot)
{
	/* TODO(lab04): Step 1. malloc a struct conn, pthread_create a detached thread running
	 * connection_thread. If that fails, close cfd and carry on. See "One thread per
	 * connection" in README.md. */
	(void)cfd, (void)docroot, (void)connection_thread;
	not_implemented("Step 1");
}

int main(int argc, char *argv[])
{
	if (argc != 3)
		usage();
	int port = parse_port(argv[1]);
	if (port < 0)
		usage();

	/* Given: one canonical name for the document root; every served path is compared to
	 * it in Step 5. */
	static char docroot[PATH_MAX];
	struct stat st;
	if (realpath(argv[2], docroot) == NULL || stat(docroot, &st) != 0) {
		fprintf(stderr, PROG ": document root %s: %s\n", argv[2], strerror(errno));
		return 1;
	}
	if (!S_ISDIR(st.st_mode)) {
		fprintf(stderr, PROG ": document root %s: Not a directory\n", argv[2]);
		return 1;
	}

	int lfd = open_listener(port);
	install_signal_handlers();

	/* Given: the accept loop. Each connection gets its own thread (Step 1), so one slow
	 * client never blocks another. */
	while (!stopping) {
		int cfd = accept(lfd, NULL, NULL);
		if (cfd < 0) {
			if (errno == EINTR || errno == ECONNABORTED)
				continue;
			fprintf(stderr, PROG ": accept: %s\n", strerror(errno));
			return 1;
		}
		spawn(cfd, docroot);
	}
	close(lfd);
	return 0;
}
