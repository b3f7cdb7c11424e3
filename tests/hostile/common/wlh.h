/* wlh.h - helpers shared by the kit's hostile submissions (copied into each one's src/).
 *
 * The runner (tests/hostile/run.sh) replaces the @NAME@ placeholders below when it copies a
 * submission: they stand for what a determined student could learn or guess about the
 * grading machine (where the kit is checked out, where the instructor keeps a file, the
 * socket a host service listens on). Every process an attack leaves behind carries the
 * marker below as its name, so the runner can tell whether anything outlived grading. */
#ifndef WLH_H
#define WLH_H

#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#define WLH_MARK      "@MARK@"       /* process name of everything an attack leaves */
#define WLH_KIT       "@KIT@"        /* the kit's folder, as a student would guess it */
#define WLH_CANARY    "@CANARY@"     /* a 0600 file of the grading user */
#define WLH_CANARYDIR "@CANARYDIR@"  /* the folder that holds it (0700) */
#define WLH_GRADEBOOK "@GRADEBOOK@"  /* the instructor's gradebook (0600) */
#define WLH_SOCK      "@SOCK@"       /* a Unix socket a host service listens on */
#define WLH_EVID      "@EVID@"       /* where an attack that worked leaves its proof */
#define WLH_SUB       "@SUB@"        /* the submission's own folder */
#define WLH_OUTPUT    "@OUTPUT@"     /* the report file the instructor asked for */
#define WLH_OWNUID    @OWNUID@       /* 1 when the uid is the test's own: kill(-1) and
                                       * fork bombs reach no one else on the machine */

static inline void wlh_mark(void)
{
	prctl(PR_SET_NAME, WLH_MARK, 0, 0, 0);
}

/* Proof that an attack did something it must not: a line in WLH_EVID/<what>. */
static inline void wlh_evidence(const char *what, const char *fmt, ...)
{
	char path[512], line[1024];
	va_list ap;

	snprintf(path, sizeof path, "%s/%s", WLH_EVID, what);
	va_start(ap, fmt);
	int n = vsnprintf(line, sizeof line - 1, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n > sizeof line - 2)
		n = (int)sizeof line - 2;
	line[n++] = '\n';
	int fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0666);
	if (fd >= 0) {
		if (write(fd, line, (size_t)n) < 0)
			n = 0;
		close(fd);
	}
}

/* Double fork and setsid(): returns 0 in the daemon, 1 in the caller. */
static inline int wlh_daemon(void)
{
	pid_t pid = fork();

	if (pid < 0)
		return 1;
	if (pid > 0) {
		waitpid(pid, NULL, 0);
		return 1;
	}
	setsid();
	if (fork() != 0)
		_exit(0);
	prctl(PR_SET_PDEATHSIG, 0, 0, 0, 0);
	wlh_mark();
	return 0;
}

static inline double wlh_now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + t.tv_nsec / 1e9;
}

static inline void wlh_sleep_ms(long ms)
{
	struct timespec t = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&t, &t) < 0 && errno == EINTR)
		;
}

/* A server's socket, as the contract's servers have it: listening on [::]:port, both
 * families (IPV6_V6ONLY off), SO_REUSEADDR; -1 when it cannot listen. */
static inline int wlh_listen(const char *port)
{
	int l = socket(AF_INET6, SOCK_STREAM | SOCK_CLOEXEC, 0), z = 0, one = 1;
	struct sockaddr_in6 a = { .sin6_family = AF_INET6,
				  .sin6_port = htons((unsigned short)atoi(port)) };

	setsockopt(l, IPPROTO_IPV6, IPV6_V6ONLY, &z, sizeof z);
	setsockopt(l, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	if (l < 0 || bind(l, (struct sockaddr *)&a, sizeof a) < 0 || listen(l, 16) < 0) {
		if (l >= 0)
			close(l);
		return -1;
	}
	return l;
}

/* A UDP socket and, in *a, 127.0.0.1's discard port (9), where no one listens: what the
 * flooding attacks send to. */
static inline int wlh_to_discard(struct sockaddr_in *a)
{
	*a = (struct sockaddr_in){ .sin_family = AF_INET, .sin_port = htons(9) };
	inet_pton(AF_INET, "127.0.0.1", &a->sin_addr);
	return socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
}

/* A whole file into a malloc'd, NUL-terminated buffer, or NULL. */
static inline char *wlh_slurp(const char *path, size_t max)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	char *buf = fd >= 0 ? malloc(max + 1) : NULL;
	size_t len = 0;

	if (!buf) {
		if (fd >= 0)
			close(fd);
		return NULL;
	}
	for (ssize_t n; len < max && (n = read(fd, buf + len, max - len)) > 0;)
		len += (size_t)n;
	buf[len] = '\0';
	close(fd);
	return buf;
}

#endif
