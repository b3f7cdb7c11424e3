/* ftppeer.h - scripted FTP peers: the grader's own FTP client session (to drive a
 * student's server) and a scripted FTP server (to drive a student's client). Every step
 * has a deadline; replies are read with ftpmsg. Results: >= 0 ok, -errno (-ETIMEDOUT,
 * -EPIPE when the peer closed, -EPROTO for bytes that are no reply); a one-line reason for
 * people is left in the session's why[]. */
#ifndef WIRELAB_FTPPEER_H
#define WIRELAB_FTPPEER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ftpmsg.h"
#include "peer.h"

/* ---- the grader's client ---------------------------------------------------------------- */

struct ftpc {
	int fd;                   /* control connection, -1 when closed */
	struct peer_buf in;       /* every byte the server sent on it */
	size_t used;              /* bytes of in already read as replies */
	int code;                 /* code of the last reply */
	char line[512];           /* its first line, without line end (NUL-terminated) */
	char reply[2048];         /* the whole last reply as text (truncated) */
	bool closed;              /* the server closed the control connection */
	char why[256];
};

/* Connects to addr:port and reads the greeting; returns its code or -errno. c is usable
 * (and must be closed) whatever the result. */
int ftpc_open(struct ftpc *c, const char *addr, uint16_t port, int timeout_ms);
/* The next reply; its code, or -errno. */
int ftpc_reply(struct ftpc *c, int timeout_ms);
/* Sends raw bytes on the control connection. */
int ftpc_send(struct ftpc *c, const void *p, size_t n, int timeout_ms);
/* Sends line + CRLF and reads one reply: its code, or -errno. */
int ftpc_cmd(struct ftpc *c, const char *line, int timeout_ms);
/* USER then PASS (when USER got 331): the last code, or -errno. */
int ftpc_login(struct ftpc *c, const char *user, const char *pass, int timeout_ms);
/* True when no byte arrives on the control connection within ms (it may be closed). */
bool ftpc_quiet(struct ftpc *c, int ms);
/* Waits for the server to close the control connection: 0, -ETIMEDOUT, or -ECONNRESET. */
int ftpc_wait_close(struct ftpc *c, int timeout_ms);
void ftpc_close(struct ftpc *c);

/* Passive set-up: PASV (epsv false) or EPSV, then a connection to the control connection's
 * server address (addr) and the port of the reply, from local address from ("" for any).
 * Returns the data fd, or -errno (the reply's code is in c->code). *dport gets the port. */
int ftpc_passive(struct ftpc *c, bool epsv, const char *addr, const char *from,
		 uint16_t *dport, int timeout_ms);
/* A TCP connection to addr:port from local address from ("" or NULL: any): the fd or
 * -errno with a reason. */
int ftpc_connect_from(const char *addr, uint16_t port, const char *from, int timeout_ms,
		      char *why, size_t whylen);
/* Active set-up: a listening socket on local address addr (port 0), announced with PORT
 * (eprt false; addr must be IPv4) or EPRT. Returns the listening fd, or -errno. */
int ftpc_active(struct ftpc *c, bool eprt, const char *addr, uint16_t *lport, int timeout_ms);

/* ---- the scripted server ---------------------------------------------------------------- */

/* What the scripted server does; every field's zero value is the plain, correct server. */
struct ftps_script {
	const char *banner;       /* whole greeting bytes ("220 ...\r\n" by default) */
	bool split_replies;       /* send every reply in two segments, 20 ms apart */
	bool glued_replies;       /* RETR: the data and FIN first, then 150 and 226 in one segment */
	bool bare_lf;             /* end reply lines with LF only */
	bool multiline;           /* multi-line replies with inner lines starting with digits */
	bool pasv_no_parens;      /* 227 without parentheses */
	const char *pasv_addr;    /* address the 227 names (default: the server's) */
	char epsv_delim;          /* the 229's delimiter (default '|') */
	const char *stranger;     /* active mode: first connect from this address (127.0.0.2)
				   * and send bytes that are no part of the file */
	bool final_before_data;   /* 226 right after 150, then the data */
	bool final_after_fin;     /* 226 only after the client's FIN on the data connection */
	int refuse;               /* a code (550) for RETR/STOR/NLST instead of 150 */
	bool refuse_login;        /* 530 to PASS */
	int abort_code;           /* RETR: this code (451) instead of 226 after the data */
	int stall_ms;             /* RETR: after the data, silence on both connections for this
				   * long (or until stop()), then the data connection closed */
	bool silent;              /* accept, then say nothing at all */
	const void *data;         /* what RETR and NLST send */
	size_t ndata;
};

/* What the scripted server saw. */
struct ftps_log {
	char cmds[32][128];       /* commands as received (verb and argument) */
	size_t ncmds;
	struct peer_buf stored;   /* bytes received by STOR */
	bool data_fin;            /* the client closed the data connection (FIN) */
	bool data_rst;            /* it reset it */
	bool ctl_fin;             /* the client closed the control connection after QUIT */
	bool ctl_rst;
	int data_from_port;       /* client port of the data connection (0: none) */
	uint16_t pasv_port;       /* port the server listened on for data (passive) */
	char why[256];            /* what went wrong, "" when the session ran to its end */
};

/* Serves one session on the listening socket lfd (a control connection accepted within
 * timeout_ms) with the script, logging into *log; stops after QUIT and the client's close,
 * when the client goes away, or at timeout_ms of silence. stop(arg), when given, is polled
 * and ends the wait early when it returns true (the client exited). Returns 0 when a
 * session ran, -errno when none could. */
int ftps_serve(int lfd, const struct ftps_script *s, struct ftps_log *log, int timeout_ms,
	       bool (*stop)(void *), void *arg);
void ftps_log_free(struct ftps_log *log);

#endif
