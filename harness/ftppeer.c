/* ftppeer.c - the grader's FTP client session and scripted FTP server (see ftppeer.h). */
#define _GNU_SOURCE
#include "ftppeer.h"
#include "clock.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

/* ---- the grader's client ---------------------------------------------------------------- */

static void take(struct ftpc *c, const struct ftpmsg_reply *r, size_t n)
{
	const char *start = (const char *)c->in.data + c->used;
	size_t l = r->first_len < sizeof c->line - 1 ? r->first_len : sizeof c->line - 1;
	size_t k = n < sizeof c->reply - 1 ? n : sizeof c->reply - 1;

	memcpy(c->line, start, l);
	c->line[l] = '\0';
	memcpy(c->reply, start, k);
	c->reply[k] = '\0';
	c->code = r->code;
	c->used += n;
}

int ftpc_reply(struct ftpc *c, int timeout_ms)
{
	int64_t deadline = clock_deadline(timeout_ms);
	uint8_t buf[8192];

	c->line[0] = '\0';
	c->code = 0;
	for (;;) {
		struct ftpmsg_reply r;
		const uint8_t *start = c->in.data ? c->in.data + c->used : (const uint8_t *)"";
		ssize_t n = ftpmsg_reply(start, c->in.len - c->used, &r);
		if (n > 0) {
			take(c, &r, (size_t)n);
			return r.code;
		}
		if (n == FTPMSG_BAD) {
			snprintf(c->why, sizeof c->why, "bytes that are no FTP reply");
			return -EPROTO;
		}
		if (c->fd < 0 || c->closed) {
			snprintf(c->why, sizeof c->why, "the server closed the control connection");
			return -EPIPE;
		}
		ssize_t got = peer_recv(c->fd, buf, sizeof buf, clock_left_ms(deadline));
		if (got == 0) {
			c->closed = true;
			continue;
		}
		if (got < 0) {
			snprintf(c->why, sizeof c->why, "%s", got == -ETIMEDOUT ? "no reply in time"
								       : peer_strerror((int)got));
			return (int)got;
		}
		if (peer_buf_append(&c->in, buf, (size_t)got) < 0)
			return -ENOMEM;
	}
}

int ftpc_open(struct ftpc *c, const char *addr, uint16_t port, int timeout_ms)
{
	memset(c, 0, sizeof *c);
	c->fd = peer_connect(addr, port, timeout_ms, c->why, sizeof c->why);
	if (c->fd < 0) {
		int rc = c->fd;
		c->fd = -1;
		return rc;
	}
	peer_nodelay(c->fd);
	return ftpc_reply(c, timeout_ms);
}

int ftpc_send(struct ftpc *c, const void *p, size_t n, int timeout_ms)
{
	int rc = c->fd < 0 ? -EBADF : peer_send(c->fd, p, n, timeout_ms);
	if (rc < 0)
		snprintf(c->why, sizeof c->why, "sending failed: %s", peer_strerror(rc));
	return rc;
}

int ftpc_cmd(struct ftpc *c, const char *line, int timeout_ms)
{
	char buf[8192];
	int n = snprintf(buf, sizeof buf, "%s\r\n", line);
	int rc = ftpc_send(c, buf, (size_t)n < sizeof buf ? (size_t)n : sizeof buf - 1, timeout_ms);
	return rc < 0 ? rc : ftpc_reply(c, timeout_ms);
}

int ftpc_login(struct ftpc *c, const char *user, const char *pass, int timeout_ms)
{
	char line[300];
	snprintf(line, sizeof line, "USER %s", user);
	int code = ftpc_cmd(c, line, timeout_ms);
	if (code != 331)
		return code;
	snprintf(line, sizeof line, "PASS %s", pass);
	return ftpc_cmd(c, line, timeout_ms);
}

bool ftpc_quiet(struct ftpc *c, int ms)
{
	uint8_t b[4096];
	if (c->fd < 0 || c->closed)
		return c->in.len == c->used;
	ssize_t got = peer_recv(c->fd, b, sizeof b, ms);
	if (got > 0)
		peer_buf_append(&c->in, b, (size_t)got);
	if (got == 0)
		c->closed = true;
	return got <= 0 && c->in.len == c->used;
}

int ftpc_wait_close(struct ftpc *c, int timeout_ms)
{
	int64_t deadline = clock_deadline(timeout_ms);
	uint8_t b[4096];

	while (!c->closed) {
		ssize_t got = peer_recv(c->fd, b, sizeof b, clock_left_ms(deadline));
		if (got == 0)
			c->closed = true;
		else if (got < 0)
			return (int)got;
		else
			peer_buf_append(&c->in, b, (size_t)got);
	}
	return 0;
}

void ftpc_close(struct ftpc *c)
{
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
	peer_buf_free(&c->in);
}

int ftpc_connect_from(const char *addr, uint16_t port, const char *from, int timeout_ms,
		      char *why, size_t whylen)
{
	if (!from || !from[0])
		return peer_connect(addr, port, timeout_ms, why, whylen);
	struct sockaddr_storage la = {0}, ra = {0};
	socklen_t ll, rl;
	int fam = strchr(addr, ':') ? AF_INET6 : AF_INET;
	if (fam == AF_INET) {
		struct sockaddr_in *l4 = (struct sockaddr_in *)&la, *r4 = (struct sockaddr_in *)&ra;
		l4->sin_family = r4->sin_family = AF_INET;
		r4->sin_port = htons(port);
		if (inet_pton(AF_INET, from, &l4->sin_addr) != 1 ||
		    inet_pton(AF_INET, addr, &r4->sin_addr) != 1)
			return -EINVAL;
		ll = rl = sizeof *l4;
	} else {
		struct sockaddr_in6 *l6 = (struct sockaddr_in6 *)&la, *r6 = (struct sockaddr_in6 *)&ra;
		l6->sin6_family = r6->sin6_family = AF_INET6;
		r6->sin6_port = htons(port);
		if (inet_pton(AF_INET6, from, &l6->sin6_addr) != 1 ||
		    inet_pton(AF_INET6, addr, &r6->sin6_addr) != 1)
			return -EINVAL;
		ll = rl = sizeof *l6;
	}
	int fd = socket(fam, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (bind(fd, (struct sockaddr *)&la, ll) < 0) {
		int e = errno;
		snprintf(why, whylen, "bind to %s: %s", from, strerror(e));
		close(fd);
		return -e;
	}
	if (connect(fd, (struct sockaddr *)&ra, rl) < 0 && errno != EINPROGRESS) {
		int e = errno;
		snprintf(why, whylen, "connect: %s", strerror(e));
		close(fd);
		return -e;
	}
	struct pollfd p = {.fd = fd, .events = POLLOUT};
	int err = 0;
	socklen_t el = sizeof err;
	if (poll(&p, 1, timeout_ms) <= 0) {
		snprintf(why, whylen, "connect to %s port %u: timed out", addr, port);
		close(fd);
		return -ETIMEDOUT;
	}
	getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &el);
	if (err) {
		snprintf(why, whylen, "connect to %s port %u: %s", addr, port, strerror(err));
		close(fd);
		return -err;
	}
	return fd;
}

int ftpc_passive(struct ftpc *c, bool epsv, const char *addr, const char *from,
		 uint16_t *dport, int timeout_ms)
{
	uint8_t a[4];
	uint16_t port;
	int code = ftpc_cmd(c, epsv ? "EPSV" : "PASV", timeout_ms);

	if (code < 0)
		return code;
	const char *text = c->line + (strlen(c->line) > 4 ? 4 : strlen(c->line));
	if (code != (epsv ? 229 : 227) ||
	    (epsv ? ftpmsg_parse_229(text, &port) : ftpmsg_parse_227(text, a, &port)) < 0) {
		snprintf(c->why, sizeof c->why, "%s got no usable %s reply", epsv ? "EPSV" : "PASV",
			 epsv ? "229" : "227");
		return -EPROTO;
	}
	*dport = port;
	int fd = ftpc_connect_from(addr, port, from, timeout_ms, c->why, sizeof c->why);
	if (fd >= 0)
		peer_nodelay(fd);
	return fd;
}

int ftpc_active(struct ftpc *c, bool eprt, const char *addr, uint16_t *lport, int timeout_ms)
{
	char line[128];
	int lfd = peer_listen(addr, 0, SOCK_STREAM, c->why, sizeof c->why);
	if (lfd < 0)
		return lfd;
	uint16_t port = peer_local_port(lfd);
	*lport = port;
	if (eprt) {
		snprintf(line, sizeof line, "EPRT |%d|%s|%u|", strchr(addr, ':') ? 2 : 1, addr, port);
	} else {
		unsigned h[4] = {0};
		sscanf(addr, "%u.%u.%u.%u", &h[0], &h[1], &h[2], &h[3]);
		snprintf(line, sizeof line, "PORT %u,%u,%u,%u,%u,%u", h[0], h[1], h[2], h[3],
			 port >> 8, port & 0xff);
	}
	int code = ftpc_cmd(c, line, timeout_ms);
	if (code < 0) {
		close(lfd);
		return code;
	}
	return lfd;
}

/* ---- the scripted server ---------------------------------------------------------------- */

struct srv {
	int fd;
	const struct ftps_script *s;
	struct ftps_log *log;
	struct peer_buf in;
	size_t used;
	int64_t deadline;
	int timeout_ms;
	bool (*stop)(void *);
	void *arg;
	char local[64];           /* the control connection's local address, as text */
	int family;
};

static int srv_send(struct srv *v, const char *text)
{
	size_t n = strlen(text);
	char buf[4096];

	if (v->s->bare_lf) {
		size_t m = 0;
		for (size_t i = 0; i < n && m < sizeof buf; i++)
			if (!(text[i] == '\r' && text[i + 1] == '\n'))
				buf[m++] = text[i];
		text = buf;
		n = m;
	}
	if (v->s->split_replies && n > 2) {
		size_t half = n / 2;
		if (peer_send(v->fd, text, half, v->timeout_ms) < 0)
			return -EPIPE;
		clock_sleep_ms(20);
		text += half;
		n -= half;
	}
	return peer_send(v->fd, text, n, v->timeout_ms);
}

/* The next command line (NUL-terminated, line end removed) into line: 0, -EPIPE at the
 * client's close, -ETIMEDOUT. */
static int srv_command(struct srv *v, char *line, size_t linesz)
{
	uint8_t b[4096];
	int64_t deadline = clock_deadline(v->timeout_ms);

	for (;;) {
		uint8_t *start = v->in.data ? v->in.data + v->used : NULL;
		uint8_t *lf = start ? memchr(start, '\n', v->in.len - v->used) : NULL;
		if (lf) {
			size_t n = (size_t)(lf - start);
			if (n > 0 && start[n - 1] == '\r')
				n--;
			if (n >= linesz)
				n = linesz - 1;
			memcpy(line, start, n);
			line[n] = '\0';
			v->used = (size_t)(lf - v->in.data) + 1;
			if (v->log->ncmds < sizeof v->log->cmds / sizeof v->log->cmds[0])
				snprintf(v->log->cmds[v->log->ncmds++], sizeof v->log->cmds[0], "%.*s",
					 (int)sizeof v->log->cmds[0] - 1, line);
			return 0;
		}
		if (v->stop && v->stop(v->arg))
			return -EPIPE;
		int left = clock_left_ms(deadline);
		ssize_t got = peer_recv(v->fd, b, sizeof b, left < 50 ? left : 50);
		if (got == -ETIMEDOUT && left > 0)
			continue;
		if (got <= 0)
			return got == 0 ? -EPIPE : (int)got;
		peer_buf_append(&v->in, b, (size_t)got);
	}
}

/* Accepts the data connection of a transfer (passive: on lfd; active: connects). */
static int srv_data(struct srv *v, int pasv_lfd, const char *act_addr, uint16_t act_port)
{
	char why[256];
	if (pasv_lfd >= 0) {
		int64_t deadline = clock_deadline(v->timeout_ms);
		for (;;) {
			int left = clock_left_ms(deadline);
			int fd = peer_accept(pasv_lfd, left < 50 ? left : 50);
			if (fd >= 0 || left == 0)
				return fd;
			if (v->stop && v->stop(v->arg))
				return -ECHILD;
		}
	}
	if (act_addr && v->s->stranger) {
		/* Someone else reaches the client's port first: it must get nothing from it. */
		int fd = ftpc_connect_from(act_addr, act_port, v->s->stranger, v->timeout_ms, why,
					   sizeof why);
		if (fd >= 0) {
			static const char junk[] = "bytes from another host\n";
			peer_send(fd, junk, sizeof junk - 1, v->timeout_ms);
			peer_shutdown_wr(fd);
			close(fd);
		}
		clock_sleep_ms(20);
	}
	if (act_addr)
		return peer_connect(act_addr, act_port, v->timeout_ms, why, sizeof why);
	return -ENOTCONN;
}

/* Reads the data connection to its end (STOR), or until the client closes (after RETR):
 * records FIN or RST. */
static void srv_drain(struct srv *v, int dfd, bool keep)
{
	uint8_t b[65536];
	for (;;) {
		ssize_t got = peer_recv(dfd, b, sizeof b, v->timeout_ms);
		if (got > 0 && keep)
			peer_buf_append(&v->log->stored, b, (size_t)got);
		if (got > 0)
			continue;
		if (got == 0)
			v->log->data_fin = true;
		else if (got == -ECONNRESET)
			v->log->data_rst = true;
		return;
	}
}

static int srv_transfer(struct srv *v, const char *verb, int *pasv_lfd, const char *act_addr,
			uint16_t act_port)
{
	char msg[128];
	const struct ftps_script *s = v->s;

	if (s->refuse) {
		snprintf(msg, sizeof msg, "%d No such file or directory.\r\n", s->refuse);
		return srv_send(v, msg);
	}
	if (!s->glued_replies)
		srv_send(v, "150 Opening BINARY mode data connection.\r\n");
	int dfd = srv_data(v, *pasv_lfd, act_addr, act_port);
	if (*pasv_lfd >= 0)
		close(*pasv_lfd);
	*pasv_lfd = -1;
	if (dfd < 0) {
		snprintf(v->log->why, sizeof v->log->why, "no data connection came");
		return srv_send(v, "425 No data connection.\r\n");
	}
	struct sockaddr_storage ss;
	socklen_t sl = sizeof ss;
	getpeername(dfd, (struct sockaddr *)&ss, &sl);
	v->log->data_from_port = ntohs(ss.ss_family == AF_INET
					       ? ((struct sockaddr_in *)&ss)->sin_port
					       : ((struct sockaddr_in6 *)&ss)->sin6_port);
	if (strcmp(verb, "STOR") == 0) {
		srv_drain(v, dfd, true);
		close(dfd);
		return srv_send(v, "226 Transfer complete.\r\n");
	}
	if (s->final_before_data) {
		srv_send(v, "226 Transfer complete.\r\n");
		clock_sleep_ms(100);
	}
	if (s->ndata)
		peer_send(dfd, s->data, s->ndata, v->timeout_ms);
	if (s->stall_ms) {
		/* A transfer that stalls: the client must give up on its own. */
		int64_t end = clock_deadline(s->stall_ms);
		while (clock_left_ms(end) > 0 && !(v->stop && v->stop(v->arg)))
			clock_sleep_ms(50);
		close(dfd);
		return 0;
	}
	peer_shutdown_wr(dfd);
	if (s->glued_replies) {
		/* 150 and 226 in one segment, after the whole file. */
		srv_send(v, "150 Opening BINARY mode data connection.\r\n226 Transfer complete.\r\n");
		srv_drain(v, dfd, false);
		close(dfd);
		return 0;
	}
	/* With final_after_fin, 226 waits for the client's FIN: a client that waits for 226
	 * before closing its end of the data connection waits for ever. */
	if (s->abort_code) {
		/* The transfer fails after its 150 and part of the file. */
		snprintf(msg, sizeof msg, "%d Requested action aborted.\r\n", s->abort_code);
		srv_send(v, msg);
	} else if (!s->final_before_data && !s->final_after_fin) {
		srv_send(v, "226 Transfer complete.\r\n");
	}
	srv_drain(v, dfd, false);
	close(dfd);
	if (s->final_after_fin)
		return srv_send(v, "226 Transfer complete.\r\n");
	return 0;
}

static int srv_pasv(struct srv *v, bool epsv, int *pasv_lfd)
{
	char why[256], msg[256];
	if (*pasv_lfd >= 0)
		close(*pasv_lfd);
	*pasv_lfd = peer_listen(v->local, 0, SOCK_STREAM, why, sizeof why);
	if (*pasv_lfd < 0)
		return srv_send(v, "425 Cannot listen.\r\n");
	uint16_t p = peer_local_port(*pasv_lfd);
	v->log->pasv_port = p;
	if (epsv) {
		char d = v->s->epsv_delim ? v->s->epsv_delim : '|';
		snprintf(msg, sizeof msg, "229 Entering Extended Passive Mode (%c%c%c%u%c)\r\n", d, d,
			 d, p, d);
		return srv_send(v, msg);
	}
	unsigned h[4] = {127, 0, 0, 1};
	sscanf(v->s->pasv_addr ? v->s->pasv_addr : v->local, "%u.%u.%u.%u", &h[0], &h[1], &h[2],
	       &h[3]);
	snprintf(msg, sizeof msg,
		 v->s->pasv_no_parens ? "227 Entering Passive Mode %u,%u,%u,%u,%u,%u\r\n"
				      : "227 Entering Passive Mode (%u,%u,%u,%u,%u,%u).\r\n",
		 h[0], h[1], h[2], h[3], p >> 8, p & 0xff);
	return srv_send(v, msg);
}

static void srv_session(struct srv *v)
{
	const struct ftps_script *s = v->s;
	char line[600], act_addr[64] = "";
	uint16_t act_port = 0;
	int pasv_lfd = -1;

	if (s->silent) {
		uint8_t b[512];
		while (!(v->stop && v->stop(v->arg)) && clock_left_ms(v->deadline) > 0)
			if (peer_recv(v->fd, b, sizeof b, 50) == 0)
				break;
		return;
	}
	srv_send(v, s->banner ? s->banner
			      : s->multiline ? "220-Welcome to the scripted server.\r\n"
					       "220-a second line with the code and a dash\r\n"
					       "123 a line that starts with other digits\r\n"
					       "2200 and one with four digits\r\n"
					       "  an indented line\r\n"
					       "220 Ready.\r\n"
					     : "220 Scripted server ready.\r\n");
	for (;;) {
		if (srv_command(v, line, sizeof line) < 0)
			break;
		char verb[8] = "";
		const char *arg = "";
		size_t k = 0;
		while (line[k] && line[k] != ' ' && k < 7) {
			verb[k] = (char)(line[k] >= 'a' && line[k] <= 'z' ? line[k] - 32 : line[k]);
			k++;
		}
		verb[k] = '\0';
		if (line[k] == ' ')
			arg = line + k + 1;
		if (strcmp(verb, "USER") == 0) {
			srv_send(v, "331 Password required.\r\n");
		} else if (strcmp(verb, "PASS") == 0 && s->refuse_login) {
			srv_send(v, "530 Login incorrect.\r\n");
		} else if (strcmp(verb, "PASS") == 0) {
			srv_send(v, s->multiline ? "230-Welcome.\r\n230-\r\n200 not the end\r\n"
						   "230 Logged in.\r\n" : "230 Logged in.\r\n");
		} else if (strcmp(verb, "TYPE") == 0 || strcmp(verb, "MODE") == 0 ||
			   strcmp(verb, "STRU") == 0 || strcmp(verb, "NOOP") == 0) {
			srv_send(v, "200 OK.\r\n");
		} else if (strcmp(verb, "PASV") == 0 || strcmp(verb, "EPSV") == 0) {
			srv_pasv(v, verb[0] == 'E', &pasv_lfd);
		} else if (strcmp(verb, "PORT") == 0 || strcmp(verb, "EPRT") == 0) {
			uint8_t a[4];
			int fam;
			if (verb[0] == 'P' && ftpmsg_parse_port(arg, a, &act_port) == 0) {
				snprintf(act_addr, sizeof act_addr, "%u.%u.%u.%u", a[0], a[1], a[2], a[3]);
				srv_send(v, "200 PORT ok.\r\n");
			} else if (verb[0] == 'E' &&
				   ftpmsg_parse_eprt(arg, &fam, act_addr, sizeof act_addr, &act_port) == 0) {
				srv_send(v, "200 EPRT ok.\r\n");
			} else {
				srv_send(v, "501 Bad argument.\r\n");
			}
		} else if (strcmp(verb, "RETR") == 0 || strcmp(verb, "STOR") == 0 ||
			   strcmp(verb, "NLST") == 0 || strcmp(verb, "LIST") == 0) {
			srv_transfer(v, verb, &pasv_lfd, act_addr[0] ? act_addr : NULL, act_port);
			act_addr[0] = '\0';
		} else if (strcmp(verb, "QUIT") == 0) {
			srv_send(v, "221 Goodbye.\r\n");
			peer_shutdown_wr(v->fd);
			uint8_t b[512];
			ssize_t got;
			while ((got = peer_recv(v->fd, b, sizeof b, v->timeout_ms)) > 0)
				;
			v->log->ctl_fin = got == 0;
			v->log->ctl_rst = got == -ECONNRESET;
			break;
		} else {
			srv_send(v, "502 Command not implemented.\r\n");
		}
	}
	if (pasv_lfd >= 0)
		close(pasv_lfd);
}

int ftps_serve(int lfd, const struct ftps_script *s, struct ftps_log *log, int timeout_ms,
	       bool (*stop)(void *), void *arg)
{
	struct srv v = {.s = s, .log = log, .timeout_ms = timeout_ms, .stop = stop, .arg = arg};
	struct sockaddr_storage ss;
	socklen_t sl = sizeof ss;

	v.deadline = clock_deadline(timeout_ms);
	for (;;) {
		int left = clock_left_ms(v.deadline);
		v.fd = peer_accept(lfd, left < 50 ? left : 50);
		if (v.fd >= 0)
			break;
		if (left == 0 || (stop && stop(arg))) {
			snprintf(log->why, sizeof log->why, "no control connection came");
			return -ETIMEDOUT;
		}
	}
	peer_nodelay(v.fd);
	getsockname(v.fd, (struct sockaddr *)&ss, &sl);
	if (ss.ss_family == AF_INET6 &&
	    IN6_IS_ADDR_V4MAPPED(&((struct sockaddr_in6 *)&ss)->sin6_addr)) {
		inet_ntop(AF_INET, &((struct sockaddr_in6 *)&ss)->sin6_addr.s6_addr[12], v.local,
			  sizeof v.local);
		v.family = AF_INET;
	} else if (ss.ss_family == AF_INET) {
		inet_ntop(AF_INET, &((struct sockaddr_in *)&ss)->sin_addr, v.local, sizeof v.local);
		v.family = AF_INET;
	} else {
		inet_ntop(AF_INET6, &((struct sockaddr_in6 *)&ss)->sin6_addr, v.local, sizeof v.local);
		v.family = AF_INET6;
	}
	srv_session(&v);
	close(v.fd);
	peer_buf_free(&v.in);
	return 0;
}

void ftps_log_free(struct ftps_log *log)
{
	peer_buf_free(&log->stored);
}
