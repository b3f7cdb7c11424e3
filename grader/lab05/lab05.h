/* lab05.h - what the checks of 05-ftp share: the server's ROOT, sessions with the grader's
 * FTP client (ftppeer), one-command expectations, transfers in every data mode, and the
 * check functions the table in table.c lists. */
#ifndef WIRELAB_LAB05_H
#define WIRELAB_LAB05_H

#include "check.h"
#include "ftppeer.h"

#define L5_IO_MS     5000      /* every step of a conversation (generous: the machine may be busy) */
#define L5_QUIET_MS  50        /* how long "nothing more arrives" is watched */
#define L5_BOTH_MS   2000      /* FIN and 226 come within 1 s of either: twice that, for a busy machine */
#define L5_HINT_150  "late-150" /* ctx_hint: data went out before the 150 */
#define L5_USER      "alice"
#define L5_PASS      "wonder-land"
#define L5_A_TXT     "alpha: the first file of the FTP root\r\nwith a CRLF and a \"quote\"\n"
#define L5_B_TXT     "bravo: a file in sub/\n"

/* Data modes of a transfer. */
enum l5_mode { L5_PASV, L5_EPSV, L5_PORT, L5_EPRT };

/* One command and what it must get: an exact code (100..599) or a class (1..5 for 1xx..5xx),
 * and text the first line must hold (NULL: anything). */
struct l5_step {
	const char *cmd;
	int want;
	const char *text;
};

/* One data connection's record, for the wire checks. */
struct l5_xfer {
	enum l5_mode mode;
	uint16_t port;            /* passive: the server's data port; active: the grader's */
	size_t ctl_off;           /* offset in the control stream of the transfer's 150 */
	uint16_t ctl_cport;       /* the control connection's client port */
};

/* ROOT: a.txt, sub/b.txt, empty/, a directory named q"d, link-out -> ../outside (a
 * directory beside ROOT holding secret.txt), link-file-out -> ../outside/secret.txt,
 * link-a -> a.txt; writable by the programs. Its path goes into root. */
bool l5_make_root(struct ctx *c, char *root, size_t rootsz);
/* The server on ctx_port(c, 0) over a fresh ROOT, with -u alice:wonder-land when user. */
struct proc *l5_start_server(struct ctx *c, bool user);

/* A session to addr (127.0.0.1 or ::1): greeting 220; logged in as anonymous, or as
 * alice when user. On failure the check has failed and the session is closed. */
bool l5_session(struct ctx *c, struct ftpc *f, const char *addr, bool login, bool user);
/* Sends cmd and judges the reply against want/text ("after <what>" in messages). */
bool l5_expect(struct ctx *c, struct ftpc *f, const char *cmd, int want, const char *text);
bool l5_dialog(struct ctx *c, struct ftpc *f, const struct l5_step *steps, size_t n);
/* A reply code in want's terms: exact, or the class when want < 10. */
bool l5_code_is(int code, int want);

/* A whole transfer: set-up in mode (over addr's family), cmd ("RETR a.txt"), 150, the data
 * read to its end (RETR, LIST, NLST) or sent then FIN (STOR: data/n), then 226. The
 * received data goes to out (may be NULL). x records the transfer for the wire (may be
 * NULL). */
bool l5_transfer(struct ctx *c, struct ftpc *f, enum l5_mode mode, const char *addr,
		 const char *cmd, const void *data, size_t n, struct peer_buf *out,
		 struct l5_xfer *x);
/* The set-up alone: for passive modes the connected data fd (*dfd), for active ones the
 * listening fd (*lfd); *port as in l5_xfer. */
bool l5_setup(struct ctx *c, struct ftpc *f, enum l5_mode mode, const char *addr, int *dfd,
	      int *lfd, uint16_t *port);
const char *l5_mode_name(enum l5_mode m);

/* The wire: each recorded transfer's data connection reached its port, came once, carried
 * no data before the 150, and closed with FIN both ways; the control connection too when
 * fin_ctl. Returns false after a failure. */
bool l5_wire_transfers(struct ctx *c, const struct l5_xfer *x, size_t n, bool fin_ctl);

/* Server checks (server.c). */
void check_ftp_server_usage(struct ctx *c);
void check_ftp_greeting(struct ctx *c);
void check_ftp_login(struct ctx *c);
void check_ftp_before_login(struct ctx *c);
void check_ftp_commands(struct ctx *c);
void check_ftp_type(struct ctx *c);
void check_ftp_directories(struct ctx *c);
void check_ftp_pasv(struct ctx *c);
void check_ftp_epsv(struct ctx *c);
void check_ftp_active(struct ctx *c);
void check_ftp_list(struct ctx *c);
void check_ftp_nlst(struct ctx *c);
void check_ftp_binary(struct ctx *c);
void check_ftp_write(struct ctx *c);
void check_ftp_read_only(struct ctx *c);
void check_ftp_no_data(struct ctx *c);
void check_ftp_traversal(struct ctx *c);
void check_ftp_long_line(struct ctx *c);
void check_ftp_segments(struct ctx *c);
void check_ftp_concurrency(struct ctx *c);
void check_ftp_bounce(struct ctx *c);
void check_ftp_pasv_hijack(struct ctx *c);
void check_ftp_epsv_all(struct ctx *c);
void check_ftp_family(struct ctx *c);
void check_ftp_quit(struct ctx *c);
void check_ftp_fin_226(struct ctx *c);
void check_ftp_curl(struct ctx *c);
void check_ftp_ftplib(struct ctx *c);
void check_ftp_lftp(struct ctx *c);

/* Client checks (client.c). */
void check_ftp_client_usage(struct ctx *c);
void check_ftp_client_get(struct ctx *c);
void check_ftp_client_ipv6(struct ctx *c);
void check_ftp_client_active(struct ctx *c);
void check_ftp_client_put(struct ctx *c);
void check_ftp_client_ls(struct ctx *c);
void check_ftp_client_replies(struct ctx *c);
void check_ftp_client_227(struct ctx *c);
void check_ftp_client_order(struct ctx *c);
void check_ftp_client_refused(struct ctx *c);
void check_ftp_client_timeout(struct ctx *c);
void check_ftp_client_stall(struct ctx *c);
void check_ftp_client_errors(struct ctx *c);

#endif
