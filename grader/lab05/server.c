/* server.c - checks of ftp_server (LABS.md 05-ftp; RFC 959, 2389, 2428, 2577, 3659).
 *
 * The server is driven by the grader's FTP client (ftppeer), one session per rule unless the
 * rule is about sessions, and by real clients (curl, python3's ftplib, lftp). Transfers are
 * judged by their bytes and, for the data connections, on the wire. */
#include "lab05.h"

#include "clock.h"
#include "esc.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#define BIG        (16u << 20)    /* the large transfers */
#define BIG_SEED   0x05f7b16u
#define HIJACK_ADDR "127.0.0.2"   /* on lo in the check's namespace: another host */

#define N(a) (sizeof(a) / sizeof((a)[0]))

static bool start(struct ctx *c, bool user)
{
	return l5_start_server(c, user) != NULL;
}

/* The server started (with -u when user) and a session over 127.0.0.1 logged in as
 * anonymous. */
static bool logged_in(struct ctx *c, struct ftpc *f, bool user)
{
	return start(c, user) && l5_session(c, f, "127.0.0.1", true, false);
}

/* A RETR whose bytes must be want. */
static bool get_expect(struct ctx *c, struct ftpc *f, enum l5_mode mode, const char *addr,
		       const char *cmd, const void *want, size_t n, struct l5_xfer *x)
{
	struct peer_buf got = { 0 };
	char what[160];
	bool ok = l5_transfer(c, f, mode, addr, cmd, NULL, 0, &got, x);

	snprintf(what, sizeof what, "on the data connection of \"%s\" (%s)", cmd,
		 l5_mode_name(mode));
	ok = ok && ctx_expect_bytes(c, what, want, n, got.data, got.len);
	peer_buf_free(&got);
	return ok;
}

static bool quit(struct ctx *c, struct ftpc *f)
{
	if (!l5_expect(c, f, "QUIT", 221, NULL))
		return false;
	int rc = ftpc_wait_close(f, L5_IO_MS);
	if (rc < 0) {
		ctx_fail(c, "expected: after 221 the server closes the control connection\n"
			 "   seen: %s", rc == -ETIMEDOUT ? "it stayed open" : peer_strerror(rc));
		return false;
	}
	return true;
}

/* ---- starting, greeting, login ------------------------------------------------------------ */

void check_ftp_server_usage(struct ctx *c)
{
	char root[512];

	if (!l5_make_root(c, root, sizeof root) ||
	    !ctx_expect_usage(c, "ftp_server", NULL) ||
	    !ctx_expect_usage(c, "ftp_server", "2121", NULL) ||
	    !ctx_expect_usage(c, "ftp_server", "0", root, NULL) ||
	    !ctx_expect_usage(c, "ftp_server", "70000", root, NULL) ||
	    !ctx_expect_usage(c, "ftp_server", "21x", root, NULL) ||
	    !ctx_expect_usage(c, "ftp_server", "-x", "2121", root, NULL))
		return;
	struct proc *p = ctx_start(c, NULL, "ftp_server", "2121", "no-such-root", NULL);
	if (p && ctx_wait(c, p, 3000))
		ctx_expect_error_line(c, p, "a ROOT that does not exist");
}

void check_ftp_greeting(struct ctx *c)
{
	struct ftpc f;
	if (!start(c, false))
		return;
	for (int fam = 0; fam < 2; fam++) {
		if (!l5_session(c, &f, fam ? "::1" : "127.0.0.1", false, false))
			return;
		ftpc_close(&f);
	}
}

void check_ftp_login(struct ctx *c)
{
	static const struct l5_step anon[] = {
		{ "PASS early", 503, NULL },
		{ "USER anonymous", 331, NULL }, { "PASS", 230, NULL },
		{ "USER ftp", 331, NULL }, { "PASS x@y", 230, NULL },
		{ "user ANONYMOUS", 331, NULL }, { "pass guest", 230, NULL },
	};
	static const struct l5_step named[] = {
		{ "USER " L5_USER, 331, NULL }, { "PASS wrong", 530, NULL },
		{ "USER mallory", 331, NULL }, { "PASS " L5_PASS, 530, NULL },
		{ "USER " L5_USER, 331, NULL }, { "PASS " L5_PASS, 230, NULL },
		{ "PWD", 257, NULL },
	};
	struct ftpc f;

	if (!start(c, true) || !l5_session(c, &f, "127.0.0.1", false, false))
		return;
	bool ok = l5_dialog(c, &f, anon, N(anon));
	ftpc_close(&f);
	if (!ok || !l5_session(c, &f, "127.0.0.1", false, false))
		return;
	l5_dialog(c, &f, named, N(named));
	ftpc_close(&f);
}

void check_ftp_before_login(struct ctx *c)
{
	static const struct l5_step steps[] = {
		{ "PWD", 530, NULL }, { "CWD sub", 530, NULL }, { "LIST", 530, NULL },
		{ "RETR a.txt", 530, NULL }, { "PASV", 530, NULL }, { "TYPE I", 530, NULL },
		{ "XYZZY", 530, NULL }, { "SIZE a.txt", 530, NULL },
		{ "NOOP", 200, NULL }, { "SYST", 215, NULL }, { "USER anonymous", 331, NULL },
		{ "PWD", 530, NULL }, { "PASS", 230, NULL }, { "PWD", 257, NULL },
	};
	struct ftpc f;

	if (start(c, false) && l5_session(c, &f, "127.0.0.1", false, false)) {
		l5_dialog(c, &f, steps, N(steps));
		ftpc_close(&f);
	}
}

/* FEAT: a multi-line 211, one feature per line with one leading space. */
static bool feat_ok(struct ctx *c, struct ftpc *f)
{
	static const char *const need[] = { "EPSV", "EPRT", "PASV", "SIZE", "UTF8" };
	char e[400];
	int code = ftpc_cmd(f, "FEAT", L5_IO_MS);

	bool multi = code == 211 && f->reply[3] == '-';
	for (size_t i = 0; multi && i < N(need); i++) {
		char line[16];
		snprintf(line, sizeof line, "\n %s", need[i]);
		if (!strstr(f->reply, line))
			multi = false;
	}
	if (multi)
		return true;
	ctx_fail(c, "expected: FEAT answered with a multi-line 211 listing EPSV, EPRT, PASV, SIZE "
		 "and UTF8, each on its own line after one space\n   seen: %s",
		 code < 0 ? f->why : esc_bytes(f->reply, strlen(f->reply), 300, e, sizeof e));
	return false;
}

void check_ftp_commands(struct ctx *c)
{
	static const struct l5_step steps[] = {
		{ "SYST", 215, "UNIX Type: L8" }, { "OPTS UTF8 ON", 200, NULL },
		{ "OPTS MLST type", 501, NULL }, { "USER anonymous", 331, NULL },
		{ "PASS", 230, NULL }, { "NOOP", 200, NULL }, { "noop", 200, NULL },
		{ "XYZZY", 502, NULL }, { "SITE CHMOD 777 a.txt", 502, NULL },
		{ "SIZE a.txt", 213, NULL }, { "RETR no-such-file", 550, NULL },
		{ "RETR sub", 550, NULL }, { "SIZE no-such-file", 550, NULL },
		{ "PORT 1,2,3", 501, NULL },
	};
	struct ftpc f;
	char want[32];

	if (!start(c, false) || !l5_session(c, &f, "127.0.0.1", false, false))
		return;
	if (feat_ok(c, &f) && l5_dialog(c, &f, steps, N(steps))) {
		snprintf(want, sizeof want, "213 %zu", strlen(L5_A_TXT));
		l5_expect(c, &f, "SIZE a.txt", 213, want + 4);
	}
	ftpc_close(&f);
}

void check_ftp_type(struct ctx *c)
{
	static const struct l5_step steps[] = {
		{ "TYPE A", 200, NULL }, { "TYPE A N", 200, NULL }, { "TYPE L 8", 200, NULL },
		{ "type i", 200, NULL }, { "TYPE E", 504, NULL }, { "TYPE", 501, NULL },
		{ "MODE S", 200, NULL }, { "MODE B", 504, NULL }, { "STRU F", 200, NULL },
		{ "STRU R", 504, NULL }, { "TYPE A", 200, NULL },
	};
	struct ftpc f;

	if (!logged_in(c, &f, false))
		return;
	/* TYPE A sends every byte unchanged (as vsftpd does): a.txt has CRLF and bare LF. */
	if (l5_dialog(c, &f, steps, N(steps)))
		get_expect(c, &f, L5_PASV, "127.0.0.1", "RETR a.txt", L5_A_TXT, strlen(L5_A_TXT),
			   NULL);
	ftpc_close(&f);
}

void check_ftp_directories(struct ctx *c)
{
	static const struct l5_step steps[] = {
		{ "PWD", 257, "\"/\"" }, { "CWD sub", 250, NULL }, { "PWD", 257, "\"/sub\"" },
		{ "CDUP", 2, NULL }, { "PWD", 257, "\"/\"" }, { "CWD ..", 250, NULL },
		{ "PWD", 257, "\"/\"" }, { "CDUP", 2, NULL }, { "PWD", 257, "\"/\"" },
		{ "CWD /sub/../sub", 250, NULL }, { "PWD", 257, "\"/sub\"" },
		{ "CWD ../../../..", 250, NULL }, { "PWD", 257, "\"/\"" },
		{ "CWD no-such-dir", 550, NULL }, { "CWD a.txt", 550, NULL },
		{ "CWD link-out", 550, NULL }, { "PWD", 257, "\"/\"" },
		{ "CWD q\"d", 250, NULL }, { "PWD", 257, "\"/q\"\"d\"" },
		{ "CWD /", 250, NULL }, { "SIZE sub/b.txt", 213, NULL },
	};
	struct ftpc f;

	if (logged_in(c, &f, false)) {
		l5_dialog(c, &f, steps, N(steps));
		ftpc_close(&f);
	}
}

/* ---- data connections ----------------------------------------------------------------- */

/* The passive socket of port took its one connection: a second one, after the 226, is
 * refused or closed at once with no data. */
static bool one_connection(struct ctx *c, const char *addr, uint16_t port)
{
	char why[256];
	struct peer_buf b = { 0 };
	int fd = peer_connect(addr, port, L5_IO_MS, why, sizeof why);
	int rc = fd < 0 ? 0 : peer_recv_all(fd, &b, 4096, L5_BOTH_MS);
	bool ok = fd < 0 || (rc == 0 && b.len == 0);

	if (!ok)
		ctx_fail(c, "expected: the passive socket of port %u accepts exactly one connection; "
			 "a second one after the 226 is refused\n   seen: it was %s", port,
			 b.len ? "served data" : "accepted and kept open");
	peer_buf_free(&b);
	if (fd >= 0)
		close(fd);
	return ok;
}

/* RETR a.txt in each mode of modes over addr, judged on the wire too (the server runs);
 * the transfers into x. */
static bool retr_modes(struct ctx *c, const enum l5_mode *modes, size_t n, const char *addr,
		       struct l5_xfer *x)
{
	struct ftpc f;

	if (!l5_session(c, &f, addr, true, false))
		return false;
	bool ok = l5_expect(c, &f, "TYPE I", 200, NULL);
	for (size_t i = 0; ok && i < n; i++) {
		ok = get_expect(c, &f, modes[i], addr, "RETR a.txt", L5_A_TXT, strlen(L5_A_TXT),
				&x[i]);
		if (ok && i == 0 && (modes[0] == L5_PASV || modes[0] == L5_EPSV))
			ok = one_connection(c, addr, x[0].port);
	}
	ok = ok && quit(c, &f);
	ftpc_close(&f);
	return ok && l5_wire_transfers(c, x, n, true);
}

void check_ftp_pasv(struct ctx *c)
{
	static const enum l5_mode modes[] = { L5_PASV, L5_PASV };
	struct ftpc f;

	/* The 227 names the control connection's local address. */
	if (!logged_in(c, &f, false))
		return;
	bool ok = l5_expect(c, &f, "PASV", 227, "127,0,0,1,");
	if (ok && !strchr(f.line, '(')) {
		ctx_fail(c, "expected: 227 Entering Passive Mode (h1,h2,h3,h4,p1,p2)\n   seen: %s",
			 f.line);
		ok = false;
	}
	ftpc_close(&f);
	struct l5_xfer x[N(modes)];
	if (ok)
		retr_modes(c, modes, N(modes), "127.0.0.1", x);
}

void check_ftp_epsv(struct ctx *c)
{
	static const enum l5_mode modes[] = { L5_EPSV };
	struct ftpc f;

	if (!start(c, false))
		return;
	/* IPv4 first, in a session of its own; then the judged one over IPv6. */
	if (!l5_session(c, &f, "127.0.0.1", true, false))
		return;
	bool ok = get_expect(c, &f, L5_EPSV, "127.0.0.1", "RETR a.txt", L5_A_TXT,
			     strlen(L5_A_TXT), NULL);
	ftpc_close(&f);
	if (!ok || !l5_session(c, &f, "::1", true, false))
		return;
	ok = get_expect(c, &f, L5_EPSV, "::1", "RETR sub/b.txt", L5_B_TXT, strlen(L5_B_TXT), NULL);
	ftpc_close(&f);
	(void)modes;
}

void check_ftp_active(struct ctx *c)
{
	struct ftpc f;
	struct l5_xfer x[3];

	if (!logged_in(c, &f, false))
		return;
	bool ok = get_expect(c, &f, L5_PORT, "127.0.0.1", "RETR a.txt", L5_A_TXT,
			     strlen(L5_A_TXT), &x[0]) &&
		  get_expect(c, &f, L5_EPRT, "127.0.0.1", "RETR sub/b.txt", L5_B_TXT,
			     strlen(L5_B_TXT), &x[1]) && quit(c, &f);
	ftpc_close(&f);
	if (!ok || !l5_session(c, &f, "::1", true, false))
		return;
	ok = get_expect(c, &f, L5_EPRT, "::1", "RETR a.txt", L5_A_TXT, strlen(L5_A_TXT), &x[2]) &&
	     quit(c, &f);
	ftpc_close(&f);
	if (ok)
		l5_wire_transfers(c, x, 3, true);
}

/* The lines of a listing, CRLF-ended: false (with a failure) when one is not. */
static bool crlf_lines(struct ctx *c, const char *cmd, const struct peer_buf *b)
{
	char e[200];
	for (size_t i = 0; i < b->len; i++) {
		if (b->data[i] == '\n' && (i == 0 || b->data[i - 1] != '\r')) {
			ctx_fail(c, "expected: every line of \"%s\" ends with \\r\\n\n   seen: %s", cmd,
				 esc_bytes(b->data, b->len, 160, e, sizeof e));
			return false;
		}
	}
	if (b->len > 0 && b->data[b->len - 1] != '\n') {
		ctx_fail(c, "expected: every line of \"%s\" ends with \\r\\n\n   seen: %s", cmd,
			 esc_bytes(b->data, b->len, 160, e, sizeof e));
		return false;
	}
	return true;
}

/* The LIST line whose last word is name, or NULL. */
static const char *list_line(const struct peer_buf *b, const char *name, char *out, size_t outsz)
{
	const char *p = (const char *)b->data, *end = p + b->len;
	size_t k = strlen(name);

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t l = nl ? (size_t)(nl - p) : (size_t)(end - p);
		size_t t = l && p[l - 1] == '\r' ? l - 1 : l;
		if (t > k && memcmp(p + t - k, name, k) == 0 && p[t - k - 1] == ' ') {
			snprintf(out, outsz, "%.*s", (int)t, p);
			return out;
		}
		p += l + 1;
	}
	return NULL;
}

static bool has_word(const char *line, const char *word)
{
	size_t k = strlen(word);
	for (const char *p = strstr(line, word); p; p = strstr(p + 1, word))
		if ((p == line || p[-1] == ' ') && (p[k] == ' ' || p[k] == '\0'))
			return true;
	return false;
}

static bool list_case(struct ctx *c, struct ftpc *f, const char *cmd)
{
	struct peer_buf b = { 0 };
	char l[400], e[300], size[32];
	bool ok = l5_transfer(c, f, L5_PASV, "127.0.0.1", cmd, NULL, 0, &b, NULL) &&
		  crlf_lines(c, cmd, &b);
	const char *s;

	snprintf(size, sizeof size, "%zu", strlen(L5_A_TXT));
	if (!ok)
		goto out;
	if (!(s = list_line(&b, "a.txt", l, sizeof l)) || s[0] != '-' || !has_word(s, size) ||
	    !(s = list_line(&b, "sub", l, sizeof l)) || s[0] != 'd' ||
	    !(s = list_line(&b, "link-out", l, sizeof l)) || s[0] != 'l' ||
	    !list_line(&b, "empty", l, sizeof l)) {
		ctx_fail(c, "expected: \"%s\" lists one ls -l line per entry, the name last: a.txt "
			 "(\"-...\" with its size %s), sub (\"d...\"), the link link-out (\"l...\"), "
			 "empty\n   seen: %s", cmd, size, esc_bytes(b.data, b.len, 280, e, sizeof e));
		ok = false;
	}
out:
	peer_buf_free(&b);
	return ok;
}

void check_ftp_list(struct ctx *c)
{
	struct ftpc f;
	struct peer_buf b = { 0 };
	char l[400], e[300];

	if (!logged_in(c, &f, false))
		return;
	bool ok = list_case(c, &f, "LIST") && list_case(c, &f, "LIST -la") &&
		  l5_expect(c, &f, "CWD sub", 250, NULL) && list_case(c, &f, "LIST /") &&
		  l5_expect(c, &f, "CWD /", 250, NULL) &&
		  l5_transfer(c, &f, L5_PASV, "127.0.0.1", "LIST sub/b.txt", NULL, 0, &b, NULL);
	if (ok && (!list_line(&b, "b.txt", l, sizeof l) || memchr(b.data, '\n', b.len) !=
							       (void *)(b.data + b.len - 1))) {
		ctx_fail(c, "expected: \"LIST sub/b.txt\" gives one line for the file, ending in its "
			 "name\n   seen: %s", esc_bytes(b.data, b.len, 200, e, sizeof e));
		ok = false;
	}
	if (ok)
		l5_expect(c, &f, "LIST no-such-dir", 550, NULL);
	peer_buf_free(&b);
	ftpc_close(&f);
}

void check_ftp_nlst(struct ctx *c)
{
	static const char *const names[] = { "a.txt", "sub", "empty", "link-out", "q\"d" };
	struct ftpc f;
	struct peer_buf b = { 0 }, empty = { 0 };
	char e[300];

	if (!logged_in(c, &f, false))
		return;
	bool ok = l5_transfer(c, &f, L5_EPSV, "127.0.0.1", "NLST", NULL, 0, &b, NULL) &&
		  crlf_lines(c, "NLST", &b);
	for (size_t i = 0; ok && i < N(names); i++) {
		char line[64];
		snprintf(line, sizeof line, "%s\r\n", names[i]);
		char nl[66];
		snprintf(nl, sizeof nl, "\n%s", line);
		bool found = b.len >= strlen(line) && (memcmp(b.data, line, strlen(line)) == 0 ||
						       strstr((char *)b.data, nl));
		if (!found) {
			ctx_fail(c, "expected: NLST gives the names, one per line: \"%s\" among them\n"
				 "   seen: %s", names[i], esc_bytes(b.data, b.len, 260, e, sizeof e));
			ok = false;
		}
	}
	ok = ok && l5_transfer(c, &f, L5_PASV, "127.0.0.1", "NLST empty", NULL, 0, &empty, NULL);
	if (ok && empty.len != 0) {
		ctx_fail(c, "expected: NLST of an empty directory sends no data (150, then 226)\n"
			 "   seen: %s", esc_bytes(empty.data, empty.len, 200, e, sizeof e));
	}
	peer_buf_free(&b);
	peer_buf_free(&empty);
	ftpc_close(&f);
}

/* ---- transfers ---------------------------------------------------------------------------- */

void check_ftp_binary(struct ctx *c)
{
	struct ftpc f;
	struct l5_xfer x[2];
	char path[512];
	uint8_t *big = ctx_pattern(BIG, BIG_SEED, true);
	uint8_t *up = ctx_pattern(BIG, BIG_SEED + 1, true);

	ctx_log(c, "16 MiB files: xorshift32 seeds %#x (RETR) and %#x (STOR)", BIG_SEED,
		BIG_SEED + 1);
	if (!big || !up || !start(c, true) ||
	    !ctx_write_file(c, "root/big.bin", big, BIG, path, sizeof path) ||
	    !l5_session(c, &f, "127.0.0.1", true, true))
		goto out;
	bool ok = l5_expect(c, &f, "TYPE I", 200, NULL) &&
		  get_expect(c, &f, L5_PASV, "127.0.0.1", "RETR big.bin", big, BIG, &x[0]) &&
		  l5_transfer(c, &f, L5_EPSV, "127.0.0.1", "STOR up.bin", up, BIG, NULL, &x[1]) &&
		  get_expect(c, &f, L5_PASV, "127.0.0.1", "RETR up.bin", up, BIG, NULL) && quit(c, &f);
	ftpc_close(&f);
	if (ok)
		l5_wire_transfers(c, x, 2, true);
out:
	free(big);
	free(up);
}

void check_ftp_write(struct ctx *c)
{
	static const struct l5_step steps[] = {
		{ "SIZE new.txt", 213, "213 9" }, { "MKD newdir", 257, "\"/newdir\"" },
		{ "MKD newdir", 550, NULL }, { "CWD newdir", 250, NULL },
		{ "MKD deeper", 257, "\"/newdir/deeper\"" }, { "CWD /", 250, NULL },
		{ "DELE new.txt", 250, NULL }, { "SIZE new.txt", 550, NULL },
		{ "DELE new.txt", 550, NULL }, { "DELE sub", 550, NULL },
		{ "DELE link-file-out", 250, NULL }, { "SIZE link-file-out", 550, NULL },
	};
	struct ftpc f;
	struct stat st;
	char path[512];

	if (!start(c, true) || !l5_session(c, &f, "127.0.0.1", true, true))
		return;
	/* STOR over an existing file replaces it. */
	bool ok = l5_transfer(c, &f, L5_PASV, "127.0.0.1", "STOR new.txt", "first version, long\n",
			      20, NULL, NULL) &&
		  l5_transfer(c, &f, L5_PASV, "127.0.0.1", "STOR new.txt", "version 2", 9, NULL, NULL) &&
		  get_expect(c, &f, L5_PASV, "127.0.0.1", "RETR new.txt", "version 2", 9, NULL) &&
		  l5_dialog(c, &f, steps, N(steps));
	ftpc_close(&f);
	/* DELE of a link removes the link, never what it points at. */
	if (ok && stat(ctx_path(c, "outside/secret.txt", path, sizeof path), &st) < 0)
		ctx_fail(c, "expected: DELE link-file-out removes the symbolic link only\n"
			 "   seen: its target outside ROOT is gone too");
}

void check_ftp_read_only(struct ctx *c)
{
	static const struct l5_step steps[] = {
		{ "STOR x.txt", 550, NULL }, { "DELE a.txt", 550, NULL }, { "MKD d", 550, NULL },
		{ "SIZE a.txt", 213, NULL }, { "SIZE x.txt", 550, NULL },
	};
	struct ftpc f;
	int dfd, lfd;
	uint16_t port;

	if (!logged_in(c, &f, true))
		return;
	/* A STOR with a data connection ready: 550 before any 150. */
	bool ok = l5_setup(c, &f, L5_PASV, "127.0.0.1", &dfd, &lfd, &port) &&
		  l5_expect(c, &f, "STOR x.txt", 550, NULL);
	if (dfd >= 0)
		close(dfd);
	if (ok)
		l5_dialog(c, &f, steps, N(steps));
	ftpc_close(&f);
}

void check_ftp_no_data(struct ctx *c)
{
	struct ftpc f;
	int dfd, lfd;
	uint16_t port;

	if (!logged_in(c, &f, false))
		return;
	/* The path is checked first (550), then the data set-up (425); a set-up is good for the
	 * next transfer command only, whatever its outcome. */
	bool ok = l5_expect(c, &f, "RETR a.txt", 425, NULL) &&
		  l5_expect(c, &f, "RETR no-such-file", 550, NULL) &&
		  l5_expect(c, &f, "NLST", 425, NULL) &&
		  get_expect(c, &f, L5_PASV, "127.0.0.1", "RETR a.txt", L5_A_TXT, strlen(L5_A_TXT),
			     NULL) &&
		  l5_expect(c, &f, "RETR a.txt", 425, NULL) &&
		  l5_setup(c, &f, L5_PASV, "127.0.0.1", &dfd, &lfd, &port);
	if (ok) {
		ok = l5_expect(c, &f, "RETR no-such-file", 550, NULL) &&
		     l5_expect(c, &f, "RETR a.txt", 425, NULL);
		close(dfd);
	}
	ftpc_close(&f);
}

void check_ftp_traversal(struct ctx *c)
{
	static const char *const bad[] = {
		"RETR ../outside/secret.txt", "RETR /../outside/secret.txt",
		"RETR link-out/secret.txt", "RETR link-file-out", "RETR sub/../../outside/secret.txt",
		"SIZE link-file-out", "LIST link-out", "NLST link-out",
		"STOR link-out/new.txt", "STOR link-file-out", "STOR ../outside/new.txt",
	};
	struct ftpc f;
	struct stat st;
	char path[512];

	if (!start(c, true) || !l5_session(c, &f, "127.0.0.1", true, true))
		return;
	bool ok = true;
	for (size_t i = 0; ok && i < N(bad); i++) {
		int dfd, lfd;
		uint16_t port;
		/* With a data connection ready, so a 150 would be a leak, not a 425. */
		if (!l5_setup(c, &f, L5_PASV, "127.0.0.1", &dfd, &lfd, &port))
			break;
		ok = l5_expect(c, &f, bad[i], 550, NULL);
		close(dfd);
	}
	ok = ok && get_expect(c, &f, L5_PASV, "127.0.0.1", "RETR link-a", L5_A_TXT,
			      strlen(L5_A_TXT), NULL);
	ftpc_close(&f);
	if (ok && (stat(ctx_path(c, "outside/new.txt", path, sizeof path), &st) == 0 ||
		   stat(ctx_path(c, "outside/secret.txt", path, sizeof path), &st) < 0 ||
		   st.st_size != (off_t)strlen("wirelab-secret: outside ROOT\n")))
		ctx_fail(c, "expected: nothing outside ROOT is written\n   seen: a STOR through a "
			 "link changed the directory beside ROOT");
}

void check_ftp_long_line(struct ctx *c)
{
	struct ftpc f;
	char line[1200];

	if (!start(c, false) || !l5_session(c, &f, "127.0.0.1", false, false))
		return;
	/* 512 bytes is the limit, CRLF not counted: served. */
	snprintf(line, sizeof line, "USER %0507d", 0);
	bool ok = l5_expect(c, &f, line, 331, NULL);
	/* One byte more is too long (a limit set by a 1 KiB buffer is not the contract's). */
	snprintf(line, sizeof line, "USER %0508d", 0);
	ok = ok && l5_expect(c, &f, line, 500, NULL);
	snprintf(line, sizeof line, "USER %01000d", 0);
	ok = ok && l5_expect(c, &f, line, 500, NULL) && l5_expect(c, &f, "USER anonymous", 331, NULL) &&
	     l5_expect(c, &f, "PASS", 230, NULL) && l5_expect(c, &f, "PWD", 257, NULL);
	ftpc_close(&f);
}

void check_ftp_segments(struct ctx *c)
{
	static const char several[] = "USER anonymous\r\nPASS\r\nPWD\r\nSYST\nNOOP\r\n";
	static const int codes[] = { 331, 230, 257, 215, 200 };
	static const char split[] = "CWD sub\r\n";
	struct ftpc f;
	char s[200];

	if (!start(c, false) || !l5_session(c, &f, "127.0.0.1", false, false))
		return;
	bool ok = ftpc_send(&f, several, sizeof several - 1, L5_IO_MS) == 0;
	for (size_t i = 0; ok && i < N(codes); i++) {
		int code = ftpc_reply(&f, L5_IO_MS);
		if (code != codes[i]) {
			ctx_fail(c, "expected: five commands in one segment answered in order; reply %zu "
				 "is %d\n   seen: %s", i + 1, codes[i], code < 0 ? f.why
				 : esc_bytes(f.line, strlen(f.line), 100, s, sizeof s));
			ok = false;
		}
	}
	/* One byte per segment. */
	for (size_t i = 0; ok && i < sizeof split - 1; i++) {
		ok = ftpc_send(&f, split + i, 1, L5_IO_MS) == 0;
		clock_sleep_ms(5);
	}
	if (ok && ftpc_reply(&f, L5_IO_MS) != 250) {
		ctx_fail(c, "expected: \"CWD sub\" sent one byte per segment answered with 250\n"
			 "   seen: %s", f.code ? esc_bytes(f.line, strlen(f.line), 100, s, sizeof s)
					   : f.why);
		ok = false;
	}
	ok = ok && l5_expect(c, &f, "PWD", 257, "\"/sub\"");
	ftpc_close(&f);
}

void check_ftp_concurrency(struct ctx *c)
{
	struct ftpc idle, f;
	uint8_t half[] = "USER anon";

	if (!start(c, false) || !l5_session(c, &idle, "127.0.0.1", false, false))
		return;
	/* The idle one sent half a command and went silent. */
	ftpc_send(&idle, half, sizeof half - 1, L5_IO_MS);
	struct ftpc many[8];
	size_t n = 0;
	bool ok = true;
	for (; ok && n < 8; n++)
		ok = l5_session(c, &many[n], n % 2 ? "::1" : "127.0.0.1", true, false);
	if (ok && l5_session(c, &f, "127.0.0.1", true, false)) {
		get_expect(c, &f, L5_PASV, "127.0.0.1", "RETR a.txt", L5_A_TXT, strlen(L5_A_TXT), NULL);
		ftpc_close(&f);
	}
	for (size_t i = 0; i < n - (ok ? 0 : 1); i++)
		ftpc_close(&many[i]);
	ftpc_close(&idle);
}

/* ---- security: bounce, hijack ------------------------------------------------------------- */

void check_ftp_bounce(struct ctx *c)
{
	struct ftpc f;
	char why[256], line[128], s[200];

	if (!logged_in(c, &f, false))
		return;
	int lfd = peer_listen(HIJACK_ADDR, 0, SOCK_STREAM, why, sizeof why);
	if (lfd < 0) {
		ctx_error(c, "the grader's listener on " HIJACK_ADDR ": %s", why);
		ftpc_close(&f);
		return;
	}
	uint16_t p = peer_local_port(lfd);
	bool ok = true;
	for (size_t i = 0; ok && i < 2; i++) {
		if (i == 0)
			snprintf(line, sizeof line, "PORT 127,0,0,2,%u,%u", p >> 8, p & 0xff);
		else
			snprintf(line, sizeof line, "EPRT |1|127.0.0.2|%u|", p);
		int code = ftpc_cmd(&f, line, L5_IO_MS);
		if (code != 500 && code != 501 && code != 504) {
			ctx_fail(c, "expected: \"%s\" (another host than the client: the FTP bounce "
				 "attack, RFC 2577) refused with 500, 501 or 504\n   seen: %s", line,
				 code < 0 ? f.why : esc_bytes(f.line, strlen(f.line), 100, s, sizeof s));
			ok = false;
			break;
		}
		/* Whatever comes next must not connect there. */
		ftpc_cmd(&f, "RETR a.txt", L5_IO_MS);
		if (f.code == 150)
			ftpc_reply(&f, L5_IO_MS);
		int fd = peer_accept(lfd, 200);
		if (fd >= 0) {
			close(fd);
			ctx_fail(c, "expected: after a refused \"%s\", nothing connects to "
				 HIJACK_ADDR "\n   seen: the server connected there", line);
			ok = false;
		}
	}
	close(lfd);
	ftpc_close(&f);
}

void check_ftp_pasv_hijack(struct ctx *c)
{
	struct ftpc f;
	char why[256], s[200];
	uint16_t port;

	if (!logged_in(c, &f, false))
		return;
	int code = ftpc_cmd(&f, "PASV", L5_IO_MS);
	uint8_t a[4];
	if (code != 227 || ftpmsg_parse_227(f.line + 4, a, &port) < 0) {
		ctx_fail(c, "expected: PASV answered with 227 (h1,h2,h3,h4,p1,p2)\n   seen: %s",
			 code < 0 ? f.why : esc_bytes(f.line, strlen(f.line), 100, s, sizeof s));
		ftpc_close(&f);
		return;
	}
	/* Another host connects first: it must get nothing, and must not use up the socket. */
	int evil = ftpc_connect_from("127.0.0.1", port, HIJACK_ADDR, L5_IO_MS, why, sizeof why);
	if (evil < 0) {
		ctx_error(c, "the grader's connection from " HIJACK_ADDR ": %s", why);
		ftpc_close(&f);
		return;
	}
	clock_sleep_ms(50);
	int good = peer_connect("127.0.0.1", port, L5_IO_MS, why, sizeof why);
	if (good < 0) {
		ctx_fail(c, "expected: after a connection from " HIJACK_ADDR " to the passive port, "
			 "the client's own connection is still taken\n   seen: %s", why);
		close(evil);
		ftpc_close(&f);
		return;
	}
	code = ftpc_cmd(&f, "RETR a.txt", L5_IO_MS);
	struct peer_buf got = { 0 }, stolen = { 0 };
	bool ok = code == 150;
	if (!ok)
		ctx_fail(c, "expected: RETR a.txt answered with 150 (the client's own data "
			 "connection came)\n   seen: %s", code < 0 ? f.why
			 : esc_bytes(f.line, strlen(f.line), 100, s, sizeof s));
	if (ok) {
		peer_recv_all(good, &got, 1 << 20, L5_IO_MS);
		ok = ctx_expect_bytes(c, "on the client's data connection", L5_A_TXT,
				      strlen(L5_A_TXT), got.data, got.len) &&
		     l5_code_is(ftpc_reply(&f, L5_IO_MS), 2);
	}
	if (ok) {
		int rc = peer_recv_all(evil, &stolen, 1 << 20, 300);
		if (stolen.len > 0 || rc == -ETIMEDOUT) {
			ctx_fail(c, "expected: a connection to the passive port from " HIJACK_ADDR
				 " (not the client's address) is closed at once and gets no data\n"
				 "   seen: %s", stolen.len ? "it got the file's bytes"
							  : "it was kept open");
		}
	}
	peer_buf_free(&got);
	peer_buf_free(&stolen);
	close(evil);
	close(good);
	ftpc_close(&f);
}

void check_ftp_epsv_all(struct ctx *c)
{
	static const struct l5_step steps[] = {
		{ "EPSV ALL", 200, NULL }, { "PASV", 5, NULL }, { "PORT 127,0,0,1,4,1", 5, NULL },
		{ "EPRT |1|127.0.0.1|1025|", 5, NULL },
	};
	struct ftpc f;

	if (logged_in(c, &f, false)) {
		if (l5_dialog(c, &f, steps, N(steps)))
			get_expect(c, &f, L5_EPSV, "127.0.0.1", "RETR a.txt", L5_A_TXT,
				   strlen(L5_A_TXT), NULL);
		ftpc_close(&f);
	}
}

void check_ftp_family(struct ctx *c)
{
	static const struct l5_step v6[] = {
		{ "PASV", 522, NULL }, { "PORT 127,0,0,1,4,1", 522, NULL }, { "EPSV 1", 522, NULL },
		{ "EPRT |1|127.0.0.1|1025|", 522, NULL }, { "EPSV 2", 229, NULL },
	};
	static const struct l5_step v4[] = {
		{ "EPSV 2", 522, NULL }, { "EPRT |2|::1|1025|", 522, NULL }, { "EPSV 1", 229, NULL },
		{ "PASV", 227, NULL },
	};
	struct ftpc f;

	if (!start(c, false) || !l5_session(c, &f, "::1", true, false))
		return;
	bool ok = l5_dialog(c, &f, v6, N(v6));
	ftpc_close(&f);
	if (ok && l5_session(c, &f, "127.0.0.1", true, false)) {
		l5_dialog(c, &f, v4, N(v4));
		ftpc_close(&f);
	}
}

void check_ftp_quit(struct ctx *c)
{
	struct ftpc f;
	int dfd, lfd;
	uint16_t port;
	struct l5_xfer x;

	if (!logged_in(c, &f, false))
		return;
	/* A refused transfer's data connection is closed with FIN too. */
	bool ok = l5_setup(c, &f, L5_PASV, "127.0.0.1", &dfd, &lfd, &port) &&
		  l5_expect(c, &f, "RETR no-such-file", 550, NULL);
	if (ok) {
		struct peer_buf b = { 0 };
		int rc = peer_recv_all(dfd, &b, 4096, L5_IO_MS);
		if (rc < 0 || b.len) {
			ctx_fail(c, "expected: the data connection of a refused RETR is closed (FIN) "
				 "with no data\n   seen: %s", b.len ? "data" : peer_strerror(rc));
			ok = false;
		}
		peer_buf_free(&b);
		close(dfd);
	}
	uint16_t refused_port = port;
	ok = ok && get_expect(c, &f, L5_PASV, "127.0.0.1", "RETR a.txt", L5_A_TXT,
			      strlen(L5_A_TXT), &x) && quit(c, &f);
	ftpc_close(&f);
	if (!ok || !l5_wire_transfers(c, &x, 1, true))
		return;
	const struct flow_set *fs = ctx_flows(c);
	const struct flow_tcp *d = fs ? flow_tcp_nth(fs, refused_port, 0) : NULL;
	if (d && !ctx_expect_fin(c, d, FLOW_S2C, "server (data connection of a refused RETR)"))
		ctx_ladder_tcp(c, d);
}

void check_ftp_fin_226(struct ctx *c)
{
	struct ftpc f;
	int dfd, lfd;
	uint16_t port;
	char s[200];

	if (!logged_in(c, &f, false))
		return;
	/* A client that reads the control connection first: 226 within 1 s, without reading
	 * (or closing) the data connection. */
	bool ok = l5_setup(c, &f, L5_PASV, "127.0.0.1", &dfd, &lfd, &port) &&
		  l5_expect(c, &f, "RETR a.txt", 150, NULL);
	if (ok) {
		int code = ftpc_reply(&f, L5_BOTH_MS);
		if (code != 226) {
			ctx_fail(c, "expected: after RETR's data, 226 within %d ms while the client has "
				 "not yet read or closed the data connection\n   seen: %s", L5_BOTH_MS,
				 code < 0 ? f.why : esc_bytes(f.line, strlen(f.line), 100, s, sizeof s));
			ok = false;
		}
		struct peer_buf b = { 0 };
		if (ok && peer_recv_all(dfd, &b, 1 << 20, L5_BOTH_MS) < 0) {
			ctx_fail(c, "expected: the data connection closed (FIN) by the server within "
				 "%d ms of its 226\n   seen: no FIN", L5_BOTH_MS);
			ok = false;
		}
		peer_buf_free(&b);
		close(dfd);
	}
	ftpc_close(&f);
}

/* ---- real clients ------------------------------------------------------------------------- */

static bool run_tool(struct ctx *c, const char *const *argv, const char *stdin_path,
		     struct proc **out, int timeout_ms)
{
	char cmd[600], st[128], e[300];
	size_t elen;

	ctx_command(argv[0], argv + 1, cmd, sizeof cmd);
	struct proc *p = ctx_start_tool(c, stdin_path, argv);
	if (!p)
		return false;
	if (!ctx_wait(c, p, timeout_ms)) {
		ctx_fail(c, "(`%s`)", cmd);
		return false;
	}
	if (proc_exit_code(p) != 0) {
		char *err = ctx_stderr(c, p, &elen);
		ctx_fail(c, "expected: `%s` succeeds against ftp_server\n   seen: %s, stderr %s", cmd,
			 proc_describe(p, st, sizeof st), esc_bytes(err, elen, 260, e, sizeof e));
		free(err);
		ctx_ladder_last(c, ctx_port(c, 0));
		return false;
	}
	if (out)
		*out = p;
	return true;
}

static bool tool_stdout(struct ctx *c, const char *const *argv, const void *want, size_t n)
{
	struct proc *p;
	size_t olen;
	char label[300];

	if (!run_tool(c, argv, NULL, &p, 10000))
		return false;
	char *out = ctx_stdout(c, p, &olen);
	snprintf(label, sizeof label, "on stdout of `%s ... %s`", argv[0], argv[2] ? argv[2] : "");
	bool ok = ctx_expect_bytes(c, label, want, n, out, olen);
	free(out);
	return ok;
}

void check_ftp_curl(struct ctx *c)
{
	char u4[128], u6[128], up[128], path[512];
	static const char upload[] = "uploaded by curl -T\n";

	if (!start(c, true) || !ctx_write_file(c, "upload.txt", upload, sizeof upload - 1, path,
					       sizeof path))
		return;
	snprintf(u4, sizeof u4, "ftp://127.0.0.1:%u/a.txt", ctx_port(c, 0));
	snprintf(u6, sizeof u6, "ftp://[::1]:%u/sub/b.txt", ctx_port(c, 0));
	snprintf(up, sizeof up, "ftp://" L5_USER ":" L5_PASS "@127.0.0.1:%u/up.txt", ctx_port(c, 0));
	const char *const epsv[] = { "curl", "-sS", u4, NULL };
	const char *const pasv[] = { "curl", "-sS", "--disable-epsv", u4, NULL };
	const char *const eprt[] = { "curl", "-sS", "-P", "-", u4, NULL };
	const char *const port[] = { "curl", "-sS", "-P", "-", "--disable-eprt", u4, NULL };
	const char *const v6[] = { "curl", "-sS", u6, NULL };
	const char *const v6a[] = { "curl", "-sS", "-P", "-", u6, NULL };
	const char *const put[] = { "curl", "-sS", "-T", path, up, NULL };
	size_t na = strlen(L5_A_TXT), nb = strlen(L5_B_TXT);

	if (!tool_stdout(c, epsv, L5_A_TXT, na) || !tool_stdout(c, pasv, L5_A_TXT, na) ||
	    !tool_stdout(c, eprt, L5_A_TXT, na) || !tool_stdout(c, port, L5_A_TXT, na) ||
	    !tool_stdout(c, v6, L5_B_TXT, nb) || !tool_stdout(c, v6a, L5_B_TXT, nb) ||
	    !run_tool(c, put, NULL, NULL, 10000))
		return;
	char back[160], dir[128];
	snprintf(back, sizeof back, "ftp://127.0.0.1:%u/up.txt", ctx_port(c, 0));
	const char *const get[] = { "curl", "-sS", back, NULL };
	if (!tool_stdout(c, get, upload, sizeof upload - 1))
		return;
	/* A listing: curl asks LIST for a URL ending in '/'. */
	snprintf(dir, sizeof dir, "ftp://127.0.0.1:%u/sub/", ctx_port(c, 0));
	const char *const ls[] = { "curl", "-sS", dir, NULL };
	struct proc *p;
	if (!run_tool(c, ls, NULL, &p, 10000))
		return;
	size_t olen;
	char *out = ctx_stdout(c, p, &olen), e[200];
	if (!strstr(out, " b.txt\r\n") && !strstr(out, " b.txt\n"))
		ctx_fail(c, "expected: `curl %s` shows the LIST line of b.txt\n   seen: %s", dir,
			 esc_bytes(out, olen, 160, e, sizeof e));
	free(out);
}

void check_ftp_ftplib(struct ctx *c)
{
	static const char script[] =
		"import ftplib, io, sys\n"
		"host, port = sys.argv[1], int(sys.argv[2])\n"
		"ftp = ftplib.FTP()\n"
		"ftp.connect(host, port, timeout=5)\n"
		"ftp.login()\n"
		"ftp.cwd('sub')\n"
		"data = io.BytesIO()\n"
		"ftp.retrbinary('RETR b.txt', data.write)\n"
		"sys.stdout.write(data.getvalue().decode())\n"
		"names = ftp.nlst()\n"
		"sys.stdout.write(','.join(sorted(names)) + '\\n')\n"
		"ftp.quit()\n"
		"ftp = ftplib.FTP()\n"
		"ftp.connect(host, port, timeout=5)\n"
		"ftp.login('" L5_USER "', '" L5_PASS "')\n"
		"ftp.storbinary('STOR from-ftplib.bin', io.BytesIO(bytes(range(256)) * 64))\n"
		"back = io.BytesIO()\n"
		"ftp.retrbinary('RETR from-ftplib.bin', back.write)\n"
		"sys.stdout.write('stored %d ok %s\\n' % (len(back.getvalue()),\n"
		"                 back.getvalue() == bytes(range(256)) * 64))\n"
		"ftp.quit()\n";
	static const char want[] = L5_B_TXT "b.txt\nstored 16384 ok True\n";
	char path[512], port[8];

	if (!start(c, true) || !ctx_write_file(c, "session.py", script, sizeof script - 1, path,
					       sizeof path))
		return;
	snprintf(port, sizeof port, "%u", ctx_port(c, 0));
	const char *const argv[] = { "python3", path, "127.0.0.1", port, NULL };
	tool_stdout(c, argv, want, sizeof want - 1);
}

void check_ftp_lftp(struct ctx *c)
{
	char open4[160], cmds[400];

	if (!start(c, false))
		return;
	snprintf(open4, sizeof open4, "ftp://127.0.0.1:%u", ctx_port(c, 0));
	/* Passive, then active (IPv4: PORT), each listing then fetching. */
	snprintf(cmds, sizeof cmds,
		 "set cmd:fail-exit yes; set net:max-retries 1; set net:timeout 5; "
		 "set ftp:passive-mode yes; cat a.txt; cls -1 sub; "
		 "set ftp:passive-mode no; cat sub/b.txt; bye");
	const char *const argv[] = { "lftp", "-c", NULL, NULL };
	char full[600];
	snprintf(full, sizeof full, "open %s; %s", open4, cmds);
	const char *const run[] = { argv[0], argv[1], full, NULL };
	static const char want[] = L5_A_TXT "sub/b.txt\n" L5_B_TXT;
	tool_stdout(c, run, want, sizeof want - 1);
}
