/* ftp_client.c - lab 05: a small FTP client for one transfer.
 *
 * Usage: ftp_client [-a] [-u USER:PASS] HOST PORT get REMOTE [LOCAL] | put LOCAL [REMOTE] | ls [PATH]
 *
 * Your job: fill in every TODO below, in the order of "Step by step" in ../README.md.
 * Until a step is written, the program stops there: it names the step and exits 1. */
#define _DEFAULT_SOURCE /* mkstemp(), getopt() */

#include "ftp_proto.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#define PROG       "ftp_client"
#define TIMEOUT_MS 5000 /* to connect, and for any wait in which nothing arrives */

/* Scaffolding: stops the program at the first step not written yet. Once every TODO is
 * done, nothing calls it any more: delete it. */
static _Noreturn void not_implemented(const char *step)
{
	fprintf(stderr, PROG ": not implemented yet (see README.md, %s)\n", step);
	exit(1);
}

static _Noreturn void usage(void)
{
	/* TODO(lab05): Step 9. "usage: ftp_client [-a] [-u USER:PASS] HOST PORT get REMOTE
	 * [LOCAL] | put LOCAL [REMOTE] | ls [PATH]" on stderr, exit(2). */
	not_implemented("Step 9");
}

/* Reads the next whole reply from the control connection (fp_reply_end on a buffer that
 * keeps what follows it); returns its code and keeps its first line for messages. */
static int read_reply(int fd)
{
	/* TODO(lab05): Step 9. poll() with TIMEOUT_MS before each recv(): silence is exit 1. */
	(void)fd;
	not_implemented("Step 9");
}

int main(int argc, char **argv)
{
	/* TODO(lab05): Step 9. getopt(argc, argv, "+au:"), then HOST PORT and the command with
	 * its arguments (usage errors first; for put, open LOCAL before connecting). Connect
	 * (getaddrinfo, every address in turn), read 220, USER/PASS, TYPE I; PASV or EPSV (or
	 * with -a PORT or EPRT); RETR, STOR or NLST; move the data and read the final reply in
	 * whichever order they come; QUIT, 221, close. Exit 0, 3 on a 4xx/5xx reply, 1 for
	 * network errors. See "Step 9: the client" in README.md. */
	(void)argc, (void)argv, (void)read_reply;
	usage();
}
