/* ftp_server.c - lab 05: a small FTP server, one process (or thread) per session.
 *
 * Usage: ftp_server [-u USER:PASS] PORT ROOT
 *
 * Your job: fill in every TODO below, in the order of "Step by step" in ../README.md.
 * Until a step is written, the program stops there: it names the step and exits 1. */
#define _DEFAULT_SOURCE /* realpath(), strcasecmp(), struct dirent's d_name */

#include "ftp_proto.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define PROG         "ftp_server"
#define DATA_WAIT_MS 10000 /* a data connection must come this fast, or 425 */

/* One session's state. With a process per session, each child owns its own copy. */
struct session {
	int fd;                              /* control connection */
	const char *root;                    /* canonical ROOT */
	const char *user, *pass;             /* the -u account, or NULL */
	struct sockaddr_storage local, peer; /* of the control connection */
	bool logged_in, may_write;
	char cwd[FP_MAX_PATH];               /* virtual path: "/" is ROOT */
	int pasv_fd;                         /* passive listening socket, or -1 */
	char buf[FP_MAX_LINE + 4096];        /* bytes read but not used yet */
	size_t len;
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
	/* TODO(lab05): Step 1. "usage: ftp_server [-u USER:PASS] PORT ROOT" on stderr, exit(2). */
	not_implemented("Step 1");
}

/* Reads the next command line into line (CRLF or LF removed). Returns 1, 0 at the end of
 * the connection, -1 for a line over FP_MAX_LINE bytes (the rest of it discarded). */
static int read_line(struct session *s, char *line)
{
	/* TODO(lab05): Step 2. recv() into s->buf, take one line out, keep the rest for the
	 * next call. See "Replies that span lines" and "Pitfalls". */
	(void)s, (void)line;
	not_implemented("Step 2");
}

/* Runs one command line; false after QUIT. */
static bool dispatch(struct session *s, const char *line)
{
	/* TODO(lab05): Steps 1 to 7. fp_split_command, then one function per verb: USER, PASS
	 * and the commands allowed before login first, 530 for anything else until
	 * s->logged_in; 502 for a verb you do not know. */
	(void)s, (void)line;
	not_implemented("Step 1");
}

/* Serves one session on the accepted control connection fd. */
static void serve(int fd, const char *root, const char *user, const char *pass)
{
	struct session s = { .fd = fd, .root = root, .user = user, .pass = pass, .pasv_fd = -1 };
	char line[FP_MAX_LINE + 1];

	strcpy(s.cwd, "/");
	/* TODO(lab05): Step 1. getsockname/getpeername into s.local and s.peer (unwrap
	 * ::ffff:a.b.c.d to IPv4), send "220 ...\r\n", then loop: read_line (a too long line is
	 * 500), dispatch, until QUIT or the end of the connection. */
	for (int rc; (rc = read_line(&s, line)) != 0;)
		if (rc > 0 && !dispatch(&s, line))
			break;
}

int main(int argc, char **argv)
{
	/* TODO(lab05): Step 1. getopt(argc, argv, "u:"), then PORT (1..65535) and ROOT
	 * (realpath, a directory: else one error line and exit 1). Ignore SIGPIPE and SIGCHLD;
	 * listen on :: with IPV6_V6ONLY off and SO_REUSEADDR; accept in a loop and fork() a
	 * child that calls serve() for each client. */
	(void)argc, (void)argv, (void)serve;
	usage();
}
