/* ftp_server.c: a small FTP server, one process per session (RFC 959, 2389, 2428, 3659).
 *
 * Usage: ftp_server [-u USER:PASS] PORT ROOT
 *
 * Anonymous users (USER anonymous or ftp, any password) may read; the -u user may also
 * write. Every path stays under ROOT: ".." stops at "/", and a symbolic link that leads
 * outside ROOT is never followed. Data connections are passive (PASV, EPSV) or active
 * (PORT, EPRT), one per transfer, and only ever with the control connection's client.
 */
#define _DEFAULT_SOURCE /* realpath(), strcasecmp(), struct dirent's d_name */

#include "ftp_proto.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netdb.h>
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
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define PROG            "ftp_server"
#define DATA_WAIT_MS    10000   /* a passive or active data connection must come this fast */
#define IDLE_TIMEOUT_MS 300000  /* end a session that sends no command for this long */
#define QUIT_DRAIN_MS   2000    /* after 221, wait this long for the client's FIN */
#define IO_CHUNK        65536

/* Where the next transfer's data connection comes from. */
enum data_mode { DATA_NONE, DATA_PASSIVE, DATA_ACTIVE };

/* One session's state; the process serving it owns everything here. */
struct session {
	int fd;                             /* control connection */
	const char *root;                   /* canonical ROOT ("" for "/") */
	const char *user, *pass;            /* the -u account, or NULL */
	struct sockaddr_storage local, peer; /* of the control connection, v4-mapped unwrapped */
	int family;                         /* AF_INET or AF_INET6, of the control connection */

	enum { USER_NONE, USER_ANON, USER_NAMED, USER_UNKNOWN } user_state;
	bool logged_in, may_write;
	char cwd[FP_MAX_PATH];

	enum data_mode mode;
	int pasv_fd;                        /* listening socket, DATA_PASSIVE */
	struct sockaddr_storage active;     /* where to connect, DATA_ACTIVE */
	bool epsv_all;

	char buf[FP_MAX_LINE + 4096];       /* bytes read but not yet used */
	size_t len;
};

static void usage(void)
{
	fprintf(stderr, "usage: " PROG " [-u USER:PASS] PORT ROOT\n");
	exit(2);
}

static int parse_port(const char *s)
{
	char *end;
	errno = 0;
	long v = strtol(s, &end, 10);
	if (errno || *s < '0' || *s > '9' || *end || v < 1 || v > 65535)
		return -1;
	return (int)v;
}

/* ---- the control connection ------------------------------------------------------------- */

static int send_all(int fd, const void *p, size_t n)
{
	const char *c = p;
	while (n > 0) {
		ssize_t w = send(fd, c, n, MSG_NOSIGNAL);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		c += w;
		n -= (size_t)w;
	}
	return 0;
}

/* One reply line "<code> <text>\r\n". */
static int reply(struct session *s, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static int reply(struct session *s, int code, const char *fmt, ...)
{
	char line[FP_MAX_PATH * 2 + 64];
	int n = snprintf(line, sizeof line, "%03d ", code);
	va_list ap;
	va_start(ap, fmt);
	n += vsnprintf(line + n, sizeof line - (size_t)n - 2, fmt, ap);
	va_end(ap);
	if ((size_t)n > sizeof line - 3)
		n = (int)sizeof line - 3;
	line[n++] = '\r';
	line[n++] = '\n';
	return send_all(s->fd, line, (size_t)n);
}

enum line_status { LINE_OK, LINE_TOO_LONG, LINE_EOF };

/* The next command line into line (NUL-terminated, CR LF or LF removed). A line over
 * FP_MAX_LINE bytes is LINE_TOO_LONG, its rest up to the LF discarded. */
static enum line_status read_line(struct session *s, char *line)
{
	bool too_long = false;

	for (;;) {
		char *lf = memchr(s->buf, '\n', s->len);
		if (lf != NULL) {
			size_t n = (size_t)(lf - s->buf), used = n + 1;
			if (n > 0 && s->buf[n - 1] == '\r')
				n--;
			if (!too_long && n > FP_MAX_LINE)
				too_long = true;
			if (!too_long) {
				memcpy(line, s->buf, n);
				line[n] = '\0';
			}
			memmove(s->buf, s->buf + used, s->len - used);
			s->len -= used;
			return too_long ? LINE_TOO_LONG : LINE_OK;
		}
		if (s->len > FP_MAX_LINE + 1) {
			/* Keep the last byte (it may be the CR of CRLF) and drop the rest. */
			too_long = true;
			s->buf[0] = s->buf[s->len - 1];
			s->len = 1;
		}
		struct pollfd p = {.fd = s->fd, .events = POLLIN};
		int r = poll(&p, 1, IDLE_TIMEOUT_MS);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return LINE_EOF;
		ssize_t got = recv(s->fd, s->buf + s->len, sizeof s->buf - s->len, 0);
		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0)
			return LINE_EOF;
		s->len += (size_t)got;
	}
}

/* ---- addresses -------------------------------------------------------------------------- */

/* An IPv4 client seen as ::ffff:a.b.c.d becomes a plain AF_INET address. */
static void unmap(struct sockaddr_storage *ss)
{
	struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)ss;
	if (ss->ss_family != AF_INET6 || !IN6_IS_ADDR_V4MAPPED(&a6->sin6_addr))
		return;
	struct sockaddr_in a4 = {.sin_family = AF_INET, .sin_port = a6->sin6_port};
	memcpy(&a4.sin_addr, &a6->sin6_addr.s6_addr[12], 4);
	memset(ss, 0, sizeof *ss);
	memcpy(ss, &a4, sizeof a4);
}

static socklen_t addr_len(const struct sockaddr_storage *ss)
{
	return ss->ss_family == AF_INET ? sizeof(struct sockaddr_in) : sizeof(struct sockaddr_in6);
}

static bool same_host(const struct sockaddr_storage *a, const struct sockaddr_storage *b)
{
	if (a->ss_family != b->ss_family)
		return false;
	if (a->ss_family == AF_INET)
		return memcmp(&((const struct sockaddr_in *)a)->sin_addr,
			      &((const struct sockaddr_in *)b)->sin_addr, 4) == 0;
	return memcmp(&((const struct sockaddr_in6 *)a)->sin6_addr,
		      &((const struct sockaddr_in6 *)b)->sin6_addr, 16) == 0;
}

static void set_port(struct sockaddr_storage *ss, uint16_t port)
{
	if (ss->ss_family == AF_INET)
		((struct sockaddr_in *)ss)->sin_port = htons(port);
	else
		((struct sockaddr_in6 *)ss)->sin6_port = htons(port);
}

/* ---- data connections ------------------------------------------------------------------- */

static void forget_data(struct session *s)
{
	if (s->pasv_fd >= 0)
		close(s->pasv_fd);
	s->pasv_fd = -1;
	s->mode = DATA_NONE;
}

/* A listening socket on the control connection's local address, any port; its port in
 * *port. */
static int open_passive(struct session *s, uint16_t *port)
{
	struct sockaddr_storage a = s->local;
	set_port(&a, 0);
	int fd = socket(a.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	socklen_t al = addr_len(&a);
	if (bind(fd, (struct sockaddr *)&a, al) < 0 || listen(fd, 4) < 0 ||
	    getsockname(fd, (struct sockaddr *)&a, &al) < 0) {
		close(fd);
		return -1;
	}
	forget_data(s);
	s->pasv_fd = fd;
	s->mode = DATA_PASSIVE;
	*port = ntohs(a.ss_family == AF_INET ? ((struct sockaddr_in *)&a)->sin_port
					      : ((struct sockaddr_in6 *)&a)->sin6_port);
	return 0;
}

/* Close a data connection with FIN, never RST: stop sending, then drop whatever the client
 * sent that nobody will read (unread bytes at close() would make the kernel reset). */
static void close_data(int fd)
{
	char sink[4096];
	shutdown(fd, SHUT_WR);
	while (recv(fd, sink, sizeof sink, MSG_DONTWAIT) > 0)
		;
	close(fd);
}

/* The data connection for a transfer whose command passed its checks: accepted on the
 * passive socket (from the client's address only) or connected to the PORT/EPRT address.
 * Returns the fd, or -1 after a 425 reply. Consumes the set-up either way. */
static int open_data(struct session *s)
{
	int fd = -1;

	if (s->mode == DATA_ACTIVE) {
		fd = socket(s->active.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (fd >= 0 && connect(fd, (struct sockaddr *)&s->active, addr_len(&s->active)) < 0) {
			close(fd);
			fd = -1;
		}
	} else if (s->mode == DATA_PASSIVE) {
		struct timespec t0;
		clock_gettime(CLOCK_MONOTONIC, &t0);
		for (;;) {
			struct timespec now;
			clock_gettime(CLOCK_MONOTONIC, &now);
			long left = DATA_WAIT_MS - ((now.tv_sec - t0.tv_sec) * 1000 +
						   (now.tv_nsec - t0.tv_nsec) / 1000000);
			struct pollfd p = {.fd = s->pasv_fd, .events = POLLIN};
			if (left <= 0 || poll(&p, 1, (int)left) <= 0)
				break;
			struct sockaddr_storage from;
			socklen_t fl = sizeof from;
			int c = accept(s->pasv_fd, (struct sockaddr *)&from, &fl);
			if (c < 0)
				continue;
			unmap(&from);
			if (same_host(&from, &s->peer)) {
				fd = c;
				break;
			}
			/* Someone else (a PASV hijack, RFC 2577): no data, and keep waiting. */
			close(c);
		}
	}
	forget_data(s);
	if (fd < 0)
		reply(s, 425, "Cannot open data connection");
	return fd;
}

/* A transfer refused before its data connection: a connection the client already opened
 * to the passive socket is accepted and closed with FIN rather than reset. */
static void refuse_data(struct session *s)
{
	if (s->mode == DATA_PASSIVE) {
		int c, fl = fcntl(s->pasv_fd, F_GETFL);
		fcntl(s->pasv_fd, F_SETFL, fl | O_NONBLOCK);
		while ((c = accept(s->pasv_fd, NULL, NULL)) >= 0)
			close_data(c);
	}
	forget_data(s);
}

/* ---- paths under ROOT ------------------------------------------------------------------- */

/* The real path of virtual path v (already normalised): ROOT + v. */
static void real_of(const struct session *s, const char *v, char *out, size_t outsz)
{
	snprintf(out, outsz, "%s%s", s->root, strcmp(v, "/") == 0 ? "/" : v);
}

/* Whether canonical path p is ROOT or inside it. */
static bool inside_root(const struct session *s, const char *p)
{
	size_t n = strlen(s->root);
	return strncmp(p, s->root, n) == 0 && (p[n] == '\0' || p[n] == '/');
}

/* An existing file or directory named by arg, symbolic links followed only while they stay
 * under ROOT: its canonical path into out. False when it does not exist or leaves ROOT. */
static bool existing_path(struct session *s, const char *arg, char *out, char *virt)
{
	char real[PATH_MAX + FP_MAX_PATH];
	if (fp_resolve(s->cwd, arg, virt, FP_MAX_PATH) < 0)
		return false;
	real_of(s, virt, real, sizeof real);
	return realpath(real, out) != NULL && inside_root(s, out);
}

/* A name to create or remove: its directory must exist under ROOT; out gets the canonical
 * directory + "/" + the last segment (never followed). False for "/" itself. */
static bool new_path(struct session *s, const char *arg, char *out, char *virt)
{
	char real[PATH_MAX + FP_MAX_PATH], dir[PATH_MAX];
	if (fp_resolve(s->cwd, arg, virt, FP_MAX_PATH) < 0 || strcmp(virt, "/") == 0)
		return false;
	char *slash = strrchr(virt, '/');
	*slash = '\0';
	real_of(s, virt[0] ? virt : "/", real, sizeof real);
	*slash = '/';
	if (realpath(real, dir) == NULL || !inside_root(s, dir))
		return false;
	int n = snprintf(out, PATH_MAX, "%s/%s", strcmp(dir, "/") == 0 ? "" : dir, slash + 1);
	return n > 0 && n < PATH_MAX;
}

/* ---- listings --------------------------------------------------------------------------- */

/* One "ls -l" style line for path (lstat: a link is listed as a link), named name. */
static int list_line(const char *path, const char *name, char *out, size_t outsz)
{
	struct stat st;
	if (lstat(path, &st) < 0)
		return -1;
	char mode[11] = "----------";
	if (S_ISDIR(st.st_mode))
		mode[0] = 'd';
	else if (S_ISLNK(st.st_mode))
		mode[0] = 'l';
	const char *rwx = "rwxrwxrwx";
	for (int i = 0; i < 9; i++)
		if (st.st_mode & (1u << (8 - i)))
			mode[1 + i] = rwx[i];
	char when[32];
	struct tm tm;
	gmtime_r(&st.st_mtime, &tm);
	strftime(when, sizeof when, "%b %d %H:%M", &tm);
	int n = snprintf(out, outsz, "%s %3lu ftp      ftp      %12lld %s %s\r\n", mode,
			 (unsigned long)st.st_nlink, (long long)st.st_size, when, name);
	return n < 0 || (size_t)n >= outsz ? -1 : n;
}

/* Sends the listing of canonical path real (a directory or a single entry) on fd. */
static int send_listing(int fd, const char *real, const char *virt, bool names_only)
{
	char line[PATH_MAX + 128], path[PATH_MAX + 256];
	struct stat st;

	if (stat(real, &st) == 0 && !S_ISDIR(st.st_mode)) {
		const char *base = strrchr(virt, '/') ? strrchr(virt, '/') + 1 : virt;
		int n = names_only ? snprintf(line, sizeof line, "%s\r\n", base)
				   : list_line(real, base, line, sizeof line);
		return n < 0 ? -1 : send_all(fd, line, (size_t)n);
	}
	DIR *d = opendir(real);
	if (d == NULL)
		return -1;
	int rc = 0;
	for (struct dirent *e; rc == 0 && (e = readdir(d)) != NULL;) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		snprintf(path, sizeof path, "%s/%s", real, e->d_name);
		int n = names_only ? snprintf(line, sizeof line, "%s\r\n", e->d_name)
				   : list_line(path, e->d_name, line, sizeof line);
		if (n > 0 && (size_t)n < sizeof line)
			rc = send_all(fd, line, (size_t)n);
	}
	closedir(d);
	return rc;
}

/* ---- commands --------------------------------------------------------------------------- */

static void cmd_user(struct session *s, const char *arg)
{
	s->logged_in = s->may_write = false;
	forget_data(s);
	if (strcasecmp(arg, "anonymous") == 0 || strcasecmp(arg, "ftp") == 0)
		s->user_state = USER_ANON;
	else if (s->user != NULL && strcmp(arg, s->user) == 0)
		s->user_state = USER_NAMED;
	else
		s->user_state = USER_UNKNOWN; /* no hint that the name is wrong: 530 comes on PASS */
	reply(s, 331, "Please specify the password");
}

static void cmd_pass(struct session *s, const char *arg)
{
	if (s->user_state == USER_NONE) {
		reply(s, 503, "Login with USER first");
		return;
	}
	if (s->user_state == USER_ANON || (s->user_state == USER_NAMED && strcmp(arg, s->pass) == 0)) {
		s->logged_in = true;
		s->may_write = s->user_state == USER_NAMED;
		strcpy(s->cwd, "/");
		s->user_state = USER_NONE;
		reply(s, 230, "Login successful");
		return;
	}
	s->user_state = USER_NONE;
	reply(s, 530, "Login incorrect");
}

static void cmd_feat(struct session *s)
{
	static const char feat[] = "211-Features:\r\n EPRT\r\n EPSV\r\n PASV\r\n SIZE\r\n UTF8\r\n"
				   "211 End\r\n";
	send_all(s->fd, feat, sizeof feat - 1);
}

static void cmd_opts(struct session *s, const char *arg)
{
	if (strcasecmp(arg, "UTF8 ON") == 0)
		reply(s, 200, "Always in UTF8 mode");
	else
		reply(s, 501, "Option not understood");
}

static void cmd_pwd(struct session *s)
{
	char q[FP_MAX_PATH * 2 + 3];
	if (fp_quote_path(s->cwd, q, sizeof q) < 0)
		reply(s, 550, "Path too long");
	else
		reply(s, 257, "%s is the current directory", q);
}

static void cmd_cwd(struct session *s, const char *arg)
{
	char real[PATH_MAX], virt[FP_MAX_PATH];
	struct stat st;

	if (!existing_path(s, arg, real, virt) || stat(real, &st) < 0 || !S_ISDIR(st.st_mode)) {
		reply(s, 550, "Failed to change directory");
		return;
	}
	strcpy(s->cwd, virt);
	reply(s, 250, "Directory successfully changed");
}

static void cmd_type(struct session *s, const char *arg)
{
	if (arg[0] == '\0')
		reply(s, 501, "TYPE needs an argument");
	else if (strcasecmp(arg, "A") == 0 || strcasecmp(arg, "A N") == 0 ||
		 strcasecmp(arg, "I") == 0 || strcasecmp(arg, "L 8") == 0)
		reply(s, 200, "Type set (every byte is sent unchanged)");
	else
		reply(s, 504, "Type not supported");
}

static void cmd_mode_stru(struct session *s, const char *arg, const char *ok)
{
	if (arg[0] == '\0')
		reply(s, 501, "Missing argument");
	else if (strcasecmp(arg, ok) == 0)
		reply(s, 200, "OK");
	else
		reply(s, 504, "Not supported");
}

static void cmd_pasv(struct session *s)
{
	uint16_t port;
	if (s->epsv_all) {
		reply(s, 503, "EPSV ALL was given: use EPSV");
		return;
	}
	if (s->family != AF_INET) {
		reply(s, 522, "Network protocol not supported, use (2)");
		return;
	}
	if (open_passive(s, &port) < 0) {
		reply(s, 425, "Cannot listen");
		return;
	}
	const uint8_t *a = (const uint8_t *)&((struct sockaddr_in *)&s->local)->sin_addr;
	reply(s, 227, "Entering Passive Mode (%u,%u,%u,%u,%u,%u)", a[0], a[1], a[2], a[3],
	      port >> 8, port & 0xff);
}

static void cmd_epsv(struct session *s, const char *arg)
{
	uint16_t port;
	int want = s->family == AF_INET ? 1 : 2;

	if (strcasecmp(arg, "ALL") == 0) {
		s->epsv_all = true;
		reply(s, 200, "EPSV ALL ok");
		return;
	}
	if (arg[0] != '\0' && strcmp(arg, "1") != 0 && strcmp(arg, "2") != 0) {
		reply(s, 501, "Bad EPSV argument");
		return;
	}
	if (arg[0] != '\0' && arg[0] - '0' != want) {
		reply(s, 522, "Network protocol not supported, use (%d)", want);
		return;
	}
	if (open_passive(s, &port) < 0) {
		reply(s, 425, "Cannot listen");
		return;
	}
	reply(s, 229, "Entering Extended Passive Mode (|||%u|)", port);
}

/* PORT and EPRT: only ever the control connection's client (RFC 2577, the bounce attack). */
static void set_active(struct session *s, const struct sockaddr_storage *a)
{
	if (!same_host(a, &s->peer)) {
		forget_data(s);
		reply(s, 501, "Illegal address: data connections go to you only");
		return;
	}
	forget_data(s);
	s->active = *a;
	s->mode = DATA_ACTIVE;
	reply(s, 200, "Command okay");
}

static void cmd_port(struct session *s, const char *arg)
{
	uint8_t h[4];
	uint16_t port;

	if (s->epsv_all) {
		reply(s, 503, "EPSV ALL was given: use EPSV");
		return;
	}
	if (s->family != AF_INET) {
		reply(s, 522, "Network protocol not supported, use (2)");
		return;
	}
	if (fp_parse_port(arg, h, &port) < 0) {
		reply(s, 501, "Bad PORT argument");
		return;
	}
	struct sockaddr_storage a = {0};
	struct sockaddr_in *a4 = (struct sockaddr_in *)&a;
	a4->sin_family = AF_INET;
	memcpy(&a4->sin_addr, h, 4);
	a4->sin_port = htons(port);
	set_active(s, &a);
}

static void cmd_eprt(struct session *s, const char *arg)
{
	char text[64];
	int proto;
	uint16_t port;

	if (s->epsv_all) {
		reply(s, 503, "EPSV ALL was given: use EPSV");
		return;
	}
	if (fp_parse_eprt(arg, &proto, text, sizeof text, &port) < 0) {
		reply(s, 501, "Bad EPRT argument");
		return;
	}
	int want = s->family == AF_INET ? 1 : 2;
	if (proto != want) {
		reply(s, 522, "Network protocol not supported, use (%d)", want);
		return;
	}
	struct sockaddr_storage a = {0};
	if (proto == 1) {
		struct sockaddr_in *a4 = (struct sockaddr_in *)&a;
		a4->sin_family = AF_INET;
		inet_pton(AF_INET, text, &a4->sin_addr);
	} else {
		struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)&a;
		a6->sin6_family = AF_INET6;
		inet_pton(AF_INET6, text, &a6->sin6_addr);
		unmap(&a);
	}
	set_port(&a, port);
	set_active(s, &a);
}

/* LIST and NLST: arguments starting with '-' are ls options, ignored. */
static void cmd_list(struct session *s, const char *arg, bool names_only)
{
	char real[PATH_MAX], virt[FP_MAX_PATH];

	while (arg[0] == '-') {
		const char *sp = strchr(arg, ' ');
		arg = sp ? sp + 1 : "";
	}
	if (!existing_path(s, arg[0] ? arg : ".", real, virt)) {
		refuse_data(s);
		reply(s, 550, "No such file or directory");
		return;
	}
	if (s->mode == DATA_NONE) {
		reply(s, 425, "Use PORT, PASV, EPRT or EPSV first");
		return;
	}
	reply(s, 150, "Here comes the listing");
	int fd = open_data(s);
	if (fd < 0)
		return;
	int rc = send_listing(fd, real, virt, names_only);
	close_data(fd);
	if (rc < 0)
		reply(s, 451, "Listing failed");
	else
		reply(s, 226, "Transfer complete");
}

static void cmd_retr(struct session *s, const char *arg)
{
	char real[PATH_MAX], virt[FP_MAX_PATH], chunk[IO_CHUNK];
	struct stat st;
	int file = -1;

	if (existing_path(s, arg, real, virt))
		file = open(real, O_RDONLY | O_CLOEXEC);
	if (file < 0 || fstat(file, &st) < 0 || !S_ISREG(st.st_mode)) {
		if (file >= 0)
			close(file);
		refuse_data(s);
		reply(s, 550, "Failed to open file");
		return;
	}
	if (s->mode == DATA_NONE) {
		close(file);
		reply(s, 425, "Use PORT, PASV, EPRT or EPSV first");
		return;
	}
	reply(s, 150, "Opening BINARY mode data connection (%lld bytes)", (long long)st.st_size);
	int fd = open_data(s);
	if (fd < 0) {
		close(file);
		return;
	}
	ssize_t n;
	int rc = 0;
	while (rc == 0 && (n = read(file, chunk, sizeof chunk)) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		rc = n < 0 ? -1 : send_all(fd, chunk, (size_t)n);
	}
	close(file);
	/* FIN first, then 226: the client may wait for either. */
	close_data(fd);
	if (rc < 0)
		reply(s, 426, "Transfer aborted");
	else
		reply(s, 226, "Transfer complete");
}

static void cmd_stor(struct session *s, const char *arg)
{
	char real[PATH_MAX], virt[FP_MAX_PATH], target[PATH_MAX], chunk[IO_CHUNK];
	struct stat st;
	int file = -1;

	if (s->may_write && new_path(s, arg, real, virt)) {
		/* A symbolic link is followed only while it stays under ROOT. */
		if (lstat(real, &st) == 0 && S_ISLNK(st.st_mode)) {
			if (realpath(real, target) != NULL && inside_root(s, target))
				file = open(target, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
		} else {
			file = open(real, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0644);
		}
	}
	if (file < 0 || fstat(file, &st) < 0 || !S_ISREG(st.st_mode)) {
		if (file >= 0)
			close(file);
		refuse_data(s);
		reply(s, 550, s->may_write ? "Cannot create file" : "Permission denied");
		return;
	}
	if (s->mode == DATA_NONE) {
		close(file);
		reply(s, 425, "Use PORT, PASV, EPRT or EPSV first");
		return;
	}
	reply(s, 150, "Ok to send data");
	int fd = open_data(s);
	if (fd < 0) {
		close(file);
		return;
	}
	/* The file ends at the data connection's FIN. */
	ssize_t n;
	int rc = 0;
	while ((n = recv(fd, chunk, sizeof chunk, 0)) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			rc = -1;
			break;
		}
		for (ssize_t off = 0; off < n;) {
			ssize_t w = write(file, chunk + off, (size_t)(n - off));
			if (w < 0 && errno == EINTR)
				continue;
			if (w < 0) {
				rc = -1;
				break;
			}
			off += w;
		}
		if (rc < 0)
			break;
	}
	if (close(file) < 0)
		rc = -1;
	close_data(fd);
	if (rc < 0)
		reply(s, 451, "Transfer failed");
	else
		reply(s, 226, "Transfer complete");
}

static void cmd_size(struct session *s, const char *arg)
{
	char real[PATH_MAX], virt[FP_MAX_PATH];
	struct stat st;

	if (!existing_path(s, arg, real, virt) || stat(real, &st) < 0 || !S_ISREG(st.st_mode))
		reply(s, 550, "Could not get file size");
	else
		reply(s, 213, "%lld", (long long)st.st_size);
}

static void cmd_dele(struct session *s, const char *arg)
{
	char real[PATH_MAX], virt[FP_MAX_PATH];
	struct stat st;

	/* lstat and unlink: a symbolic link is removed, never what it points at. */
	if (!s->may_write || !new_path(s, arg, real, virt) || lstat(real, &st) < 0 ||
	    S_ISDIR(st.st_mode) || unlink(real) < 0)
		reply(s, 550, "Delete operation failed");
	else
		reply(s, 250, "Delete operation successful");
}

static void cmd_mkd(struct session *s, const char *arg)
{
	char real[PATH_MAX], virt[FP_MAX_PATH], q[FP_MAX_PATH * 2 + 3];

	if (!s->may_write || !new_path(s, arg, real, virt) || mkdir(real, 0755) < 0 ||
	    fp_quote_path(virt, q, sizeof q) < 0)
		reply(s, 550, "Create directory operation failed");
	else
		reply(s, 257, "%s created", q);
}

/* QUIT: 221, then FIN; read until the client's FIN so nothing unread makes close() reset. */
static void cmd_quit(struct session *s)
{
	char sink[4096];
	reply(s, 221, "Goodbye");
	shutdown(s->fd, SHUT_WR);
	struct pollfd p = {.fd = s->fd, .events = POLLIN};
	while (poll(&p, 1, QUIT_DRAIN_MS) > 0 && recv(s->fd, sink, sizeof sink, 0) > 0)
		;
}

/* Runs one command; false after QUIT. */
static bool dispatch(struct session *s, const char *line)
{
	char verb[8];
	const char *arg;

	if (fp_split_command(line, verb, sizeof verb, &arg) < 0) {
		reply(s, 500, "Syntax error, command unrecognized");
		return true;
	}
	if (strcmp(verb, "QUIT") == 0) {
		cmd_quit(s);
		return false;
	}
	if (strcmp(verb, "USER") == 0)
		cmd_user(s, arg);
	else if (strcmp(verb, "PASS") == 0)
		cmd_pass(s, arg);
	else if (strcmp(verb, "NOOP") == 0)
		reply(s, 200, "NOOP ok");
	else if (strcmp(verb, "SYST") == 0)
		reply(s, 215, "UNIX Type: L8");
	else if (strcmp(verb, "FEAT") == 0)
		cmd_feat(s);
	else if (strcmp(verb, "OPTS") == 0)
		cmd_opts(s, arg);
	else if (!s->logged_in)
		reply(s, 530, "Please login with USER and PASS");
	else if (strcmp(verb, "PWD") == 0 || strcmp(verb, "XPWD") == 0)
		cmd_pwd(s);
	else if (strcmp(verb, "CWD") == 0)
		cmd_cwd(s, arg);
	else if (strcmp(verb, "CDUP") == 0)
		cmd_cwd(s, "..");
	else if (strcmp(verb, "TYPE") == 0)
		cmd_type(s, arg);
	else if (strcmp(verb, "MODE") == 0)
		cmd_mode_stru(s, arg, "S");
	else if (strcmp(verb, "STRU") == 0)
		cmd_mode_stru(s, arg, "F");
	else if (strcmp(verb, "PASV") == 0)
		cmd_pasv(s);
	else if (strcmp(verb, "EPSV") == 0)
		cmd_epsv(s, arg);
	else if (strcmp(verb, "PORT") == 0)
		cmd_port(s, arg);
	else if (strcmp(verb, "EPRT") == 0)
		cmd_eprt(s, arg);
	else if (strcmp(verb, "LIST") == 0)
		cmd_list(s, arg, false);
	else if (strcmp(verb, "NLST") == 0)
		cmd_list(s, arg, true);
	else if (strcmp(verb, "RETR") == 0)
		cmd_retr(s, arg);
	else if (strcmp(verb, "STOR") == 0)
		cmd_stor(s, arg);
	else if (strcmp(verb, "SIZE") == 0)
		cmd_size(s, arg);
	else if (strcmp(verb, "DELE") == 0)
		cmd_dele(s, arg);
	else if (strcmp(verb, "MKD") == 0)
		cmd_mkd(s, arg);
	else
		reply(s, 502, "Command not implemented");
	return true;
}

static void serve(int fd, const char *root, const char *user, const char *pass)
{
	static struct session s; /* one per process: this child serves one session */
	char line[FP_MAX_LINE + 1];
	socklen_t l;

	memset(&s, 0, sizeof s);
	s.fd = fd;
	s.root = root;
	s.user = user;
	s.pass = pass;
	s.pasv_fd = -1;
	strcpy(s.cwd, "/");
	l = sizeof s.local;
	getsockname(fd, (struct sockaddr *)&s.local, &l);
	l = sizeof s.peer;
	getpeername(fd, (struct sockaddr *)&s.peer, &l);
	unmap(&s.local);
	unmap(&s.peer);
	s.family = s.local.ss_family;

	if (reply(&s, 220, "wirelab FTP server ready") < 0)
		return;
	for (;;) {
		enum line_status st = read_line(&s, line);
		if (st == LINE_EOF)
			break;
		if (st == LINE_TOO_LONG) {
			reply(&s, 500, "Line too long");
			continue;
		}
		if (!dispatch(&s, line))
			break;
	}
	forget_data(&s);
}

static int listen_on(int port)
{
	int fd = socket(AF_INET6, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		perror(PROG ": socket");
		return -1;
	}
	int on = 1, off = 0;
	struct sockaddr_in6 a = {.sin6_family = AF_INET6, .sin6_port = htons((uint16_t)port),
				 .sin6_addr = IN6ADDR_ANY_INIT};
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on) < 0 ||
	    setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &off, sizeof off) < 0) {
		perror(PROG ": setsockopt");
		close(fd);
		return -1;
	}
	if (bind(fd, (struct sockaddr *)&a, sizeof a) < 0) {
		fprintf(stderr, PROG ": bind to port %d: %s\n", port, strerror(errno));
		close(fd);
		return -1;
	}
	if (listen(fd, 128) < 0) {
		perror(PROG ": listen");
		close(fd);
		return -1;
	}
	return fd;
}

int main(int argc, char **argv)
{
	char *user = NULL, *pass = NULL;
	int opt;

	while ((opt = getopt(argc, argv, ":u:")) != -1) {   /* ":": no message of its own */
		if (opt != 'u')
			usage();
		user = optarg;
		pass = strchr(optarg, ':');
		if (pass == NULL || pass == user)
			usage();
		*pass++ = '\0';
	}
	if (argc - optind != 2)
		usage();
	int port = parse_port(argv[optind]);
	if (port < 0)
		usage();

	static char root[PATH_MAX];
	struct stat st;
	if (realpath(argv[optind + 1], root) == NULL || stat(root, &st) < 0) {
		fprintf(stderr, PROG ": root %s: %s\n", argv[optind + 1], strerror(errno));
		return 1;
	}
	if (!S_ISDIR(st.st_mode)) {
		fprintf(stderr, PROG ": root %s: Not a directory\n", argv[optind + 1]);
		return 1;
	}
	if (strcmp(root, "/") == 0)
		root[0] = '\0';

	/* Children are reaped by the kernel; a client that goes away costs one send() error. */
	struct sigaction sa = {.sa_handler = SIG_IGN};
	sigemptyset(&sa.sa_mask);
	sigaction(SIGCHLD, &sa, NULL);
	sigaction(SIGPIPE, &sa, NULL);

	int lfd = listen_on(port);
	if (lfd < 0)
		return 1;
	for (;;) {
		int cfd = accept(lfd, NULL, NULL);
		if (cfd < 0) {
			if (errno == EINTR || errno == ECONNABORTED || errno == EPROTO)
				continue;
			perror(PROG ": accept");
			if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM) {
				sleep(1);
				continue;
			}
			return 1;
		}
		pid_t pid = fork();
		if (pid == 0) {
			close(lfd);
			serve(cfd, root, user, pass);
			close(cfd);
			_exit(0);
		}
		if (pid < 0)
			perror(PROG ": fork");
		close(cfd);
	}
}
