/* client.c - checks of ftp_client (LABS.md 05-ftp; RFC 959, 2428, 1123 section 4.1.2.6).
 *
 * The client talks to the grader's scripted FTP server (ftppeer's ftps_serve), which can
 * misbehave in the ways real servers do: multi-line banners, replies split or glued
 * together, a 227 naming another host, 226 before the data or only after the client's FIN,
 * refusals, silence. */
#include "lab05.h"

#include "clock.h"
#include "esc.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#define DATA_SEED  0x05c11e47u
#define DATA_LEN   (1u << 20)
#define EXIT_MS    3000      /* the client exits this soon after the session ends */
#define TIMEOUT_S  5.0       /* the contract's client timeout */
#define SRV_MS     3000      /* the scripted server's steps: below the client's 5 s timeout */

#define N(a) (sizeof(a) / sizeof((a)[0]))

static bool exited(void *arg)
{
	return !proc_is_running(arg);
}

static void cmdline(const char *const *args, char *buf, size_t bufsz)
{
	ctx_command("ftp_client", args, buf, bufsz);
}

/* Runs ftp_client with args against the scripted server on ctx_port(c, 0) (dual-stack);
 * the process once it exited, NULL after a failure. */
static struct proc *session(struct ctx *c, const struct ftps_script *s, struct ftps_log *log,
			    const char *const *args)
{
	char cmd[400];
	int lfd = ctx_listen(c, "::", ctx_port(c, 0));

	memset(log, 0, sizeof *log);
	if (lfd < 0)
		return NULL;
	cmdline(args, cmd, sizeof cmd);
	struct proc *p = ctx_startv(c, NULL, "ftp_client", args);
	if (!p) {
		close(lfd);
		return NULL;
	}
	int rc = ftps_serve(lfd, s, log, SRV_MS, exited, p);
	close(lfd);
	if (rc < 0) {
		ctx_no_connection(c, p, rc);
		proc_stop(p, 200);
		return NULL;
	}
	if (proc_wait(p, EXIT_MS) < 0) {
		ctx_fail(c, "expected: `%s` exits after the session (QUIT, 221)\n   seen: still "
			 "running %d ms later; it sent: %s%s", cmd, EXIT_MS,
			 log->ncmds ? log->cmds[log->ncmds - 1] : "nothing",
			 log->why[0] ? log->why : "");
		proc_stop(p, 200);
		return NULL;
	}
	return p;
}

/* Exit status code, and stdout want (when not NULL). */
static bool judge(struct ctx *c, struct proc *p, const char *const *args, int code,
		  const void *want, size_t n)
{
	char cmd[400];

	cmdline(args, cmd, sizeof cmd);
	bool ok = ctx_expect_run(c, p, cmd, code, want, n);
	if (!ok && proc_exit_code(p) != code)
		ctx_ladder_last(c, ctx_port(c, 0));
	return ok;
}

/* The commands seen, in order, must start with want (NULL-terminated). */
static bool commands(struct ctx *c, const struct ftps_log *log, const char *const *want,
		     const char *const *args)
{
	char cmd[400], seen[1200];
	size_t used = 0, i;

	cmdline(args, cmd, sizeof cmd);
	for (i = 0; want[i]; i++)
		if (i >= log->ncmds || strcasecmp(want[i], log->cmds[i]) != 0)
			break;
	if (!want[i])
		return true;
	seen[0] = '\0';
	for (size_t k = 0; k < log->ncmds && used < sizeof seen; k++)
		used += (size_t)snprintf(seen + used, sizeof seen - used, "%s\"%s\"", k ? ", " : "",
					 log->cmds[k]);
	ctx_fail(c, "expected: `%s` sends \"%s\" as command %zu\n   seen: %s", cmd, want[i], i + 1,
		 log->ncmds ? seen : "no command");
	return false;
}

static bool closed_cleanly(struct ctx *c, const struct ftps_log *log, bool data)
{
	if (data && (log->data_rst || !log->data_fin)) {
		ctx_fail(c, "expected: the client closes the data connection with FIN\n   seen: %s",
			 log->data_rst ? "RST" : "no FIN");
		return false;
	}
	if (log->ctl_rst || !log->ctl_fin) {
		ctx_fail(c, "expected: after QUIT and 221 the client closes the control connection "
			 "with FIN\n   seen: %s", log->ctl_rst ? "RST" : "no FIN");
		return false;
	}
	return true;
}

static void get_case(struct ctx *c, const char *host, bool active, const char *setup,
		     char delim)
{
	uint8_t *data = ctx_pattern(DATA_LEN, DATA_SEED, true);
	struct ftps_script s = { .data = data, .ndata = DATA_LEN, .epsv_delim = delim };
	struct ftps_log log;
	char port[8];

	if (!data)
		return;
	ctx_log(c, "1 MiB file: xorshift32 seed %#x", DATA_SEED);
	snprintf(port, sizeof port, "%u", ctx_port(c, 0));
	const char *const pasv[] = { host, port, "get", "dir/file.bin", "-", NULL };
	const char *const act[] = { "-a", host, port, "get", "dir/file.bin", "-", NULL };
	const char *const *args = active ? act : pasv;
	const char *const want[] = { "USER anonymous", "PASS anonymous@", "TYPE I", setup,
				     "RETR dir/file.bin", "QUIT", NULL };
	struct proc *p = session(c, &s, &log, args);
	if (p && judge(c, p, args, 0, data, DATA_LEN) && commands(c, &log, want, args))
		closed_cleanly(c, &log, true);
	ftps_log_free(&log);
	free(data);
}

void check_ftp_client_get(struct ctx *c)
{
	static const char text[] = "a small file\n";
	struct ftps_script s = { .data = text, .ndata = sizeof text - 1 };
	struct ftps_log log;
	char port[8], path[512];
	struct stat st;

	get_case(c, "127.0.0.1", false, "PASV", 0);
	if (ctx_failed(c))
		return;
	/* -u, and LOCAL defaulting to REMOTE's base name. */
	snprintf(port, sizeof port, "%u", ctx_port(c, 0));
	const char *const args[] = { "-u", "bob:se cret", "127.0.0.1", port, "get", "pub/small.txt",
				     NULL };
	const char *const want[] = { "USER bob", "PASS se cret", "TYPE I", "PASV",
				     "RETR pub/small.txt", "QUIT", NULL };
	struct proc *p = session(c, &s, &log, args);
	if (p && judge(c, p, args, 0, "", 0) && commands(c, &log, want, args)) {
		size_t n;
		char *got = proc_read_file(ctx_path(c, "small.txt", path, sizeof path), 1 << 20, &n);
		if (!got)
			ctx_fail(c, "expected: `ftp_client ... get pub/small.txt` writes small.txt\n"
				 "   seen: no such file");
		else
			ctx_expect_bytes(c, "in small.txt", text, sizeof text - 1, got, n);
		free(got);
	}
	(void)st;
	ftps_log_free(&log);
}

void check_ftp_client_ipv6(struct ctx *c)
{
	/* A 229 may use any delimiter from '!' to '~' (RFC 2428 section 3). */
	get_case(c, "::1", false, "EPSV", 0);
	if (!ctx_failed(c))
		get_case(c, "::1", false, "EPSV", '!');
}

void check_ftp_client_active(struct ctx *c)
{
	char want[128];
	struct ftps_log log;
	struct ftps_script s = { .data = "active\n", .ndata = 7 };
	char port[8];

	snprintf(port, sizeof port, "%u", ctx_port(c, 0));
	/* PORT over IPv4 names 127.0.0.1; EPRT over IPv6 names ::1. */
	const char *const a4[] = { "-a", "127.0.0.1", port, "get", "f", "-", NULL };
	const char *const a6[] = { "-a", "::1", port, "ls", NULL };
	struct proc *p = session(c, &s, &log, a4);
	if (!p || !judge(c, p, a4, 0, "active\n", 7))
		goto out;
	if (log.ncmds < 4 || strncasecmp(log.cmds[3], "PORT 127,0,0,1,", 15) != 0) {
		ctx_fail(c, "expected: with -a over IPv4, \"PORT 127,0,0,1,p1,p2\" as the 4th command"
			 "\n   seen: \"%s\"", log.ncmds >= 4 ? log.cmds[3] : "");
		goto out;
	}
	if (!closed_cleanly(c, &log, true))
		goto out;
	ftps_log_free(&log);
	p = session(c, &s, &log, a6);
	if (!p || !judge(c, p, a6, 0, "active\n", 7))
		goto out;
	snprintf(want, sizeof want, "EPRT |2|::1|");
	if (log.ncmds < 4 || strncasecmp(log.cmds[3], want, strlen(want)) != 0) {
		ctx_fail(c, "expected: with -a over IPv6, \"EPRT |2|::1|port|\" as the 4th command\n"
			 "   seen: \"%s\"", log.ncmds >= 4 ? log.cmds[3] : "");
		goto out;
	}
	/* Another host (127.0.0.2) connects to the client's port first: only the server's
	 * connection may be taken. */
	ftps_log_free(&log);
	s.stranger = "127.0.0.2";
	p = session(c, &s, &log, a4);
	if (p && !judge(c, p, a4, 0, "active\n", 7))
		ctx_fail(c, "(127.0.0.2 connected to the client's port first and sent other bytes: "
			 "an active data connection is accepted only from the server's address)");
out:
	ftps_log_free(&log);
}

void check_ftp_client_put(struct ctx *c)
{
	uint8_t *data = ctx_pattern(DATA_LEN, DATA_SEED + 1, true);
	struct ftps_script s = { 0 };
	struct ftps_log log;
	char port[8], path[512];

	if (!data || !ctx_write_file(c, "up.bin", data, DATA_LEN, path, sizeof path))
		goto out;
	snprintf(port, sizeof port, "%u", ctx_port(c, 0));
	const char *const args[] = { "127.0.0.1", port, "put", "up.bin", "in/up.bin", NULL };
	const char *const want[] = { "USER anonymous", "PASS anonymous@", "TYPE I", "PASV",
				     "STOR in/up.bin", "QUIT", NULL };
	struct proc *p = session(c, &s, &log, args);
	if (p && judge(c, p, args, 0, NULL, 0) && commands(c, &log, want, args) &&
	    ctx_expect_bytes(c, "received by STOR (the data connection up to the client's FIN)",
			     data, DATA_LEN, log.stored.data, log.stored.len))
		closed_cleanly(c, &log, true);
	ftps_log_free(&log);
	/* LOCAL's base name by default: "./up.bin" is stored as "up.bin". */
	const char *const dflt[] = { "::1", port, "put", "./up.bin", NULL };
	const char *const want6[] = { "USER anonymous", "PASS anonymous@", "TYPE I", "EPSV",
				      "STOR up.bin", "QUIT", NULL };
	if (!ctx_failed(c) && (p = session(c, &s, &log, dflt)) && judge(c, p, dflt, 0, NULL, 0))
		commands(c, &log, want6, dflt);
	ftps_log_free(&log);
out:
	free(data);
}

void check_ftp_client_ls(struct ctx *c)
{
	static const char names[] = "a.txt\r\nsub\r\nwith space.txt\r\n";
	static const char want_out[] = "a.txt\nsub\nwith space.txt\n";
	struct ftps_script s = { .data = names, .ndata = sizeof names - 1 };
	struct ftps_log log;
	char port[8];

	snprintf(port, sizeof port, "%u", ctx_port(c, 0));
	const char *const args[] = { "127.0.0.1", port, "ls", "pub", NULL };
	const char *const want[] = { "USER anonymous", "PASS anonymous@", "TYPE I", "PASV",
				     "NLST pub", "QUIT", NULL };
	struct proc *p = session(c, &s, &log, args);
	if (p && judge(c, p, args, 0, want_out, sizeof want_out - 1))
		commands(c, &log, want, args);
	ftps_log_free(&log);
}

/* A get of a small file against script s: exit 0 and the file on stdout. */
static bool small_get(struct ctx *c, struct ftps_script *s, const char *what)
{
	static const char text[] = "0123456789 small file\n";
	struct ftps_log log;
	char port[8];

	s->data = text;
	s->ndata = sizeof text - 1;
	snprintf(port, sizeof port, "%u", ctx_port(c, 0));
	const char *const args[] = { "127.0.0.1", port, "get", "f.txt", "-", NULL };
	struct proc *p = session(c, s, &log, args);
	bool ok = p && judge(c, p, args, 0, text, sizeof text - 1);
	if (ok && s->final_after_fin && !log.data_fin) {
		ctx_fail(c, "expected: the client closes the data connection (FIN) once it has read "
			 "the server's FIN, before any 226\n   seen: no FIN within %d ms; the 226 was "
			 "sent only then", SRV_MS);
		ok = false;
	}
	if (!ok && p)
		ctx_fail(c, "(the server: %s)", what);
	ftps_log_free(&log);
	return ok;
}

void check_ftp_client_replies(struct ctx *c)
{
	struct ftps_script multi = { .multiline = true };
	struct ftps_script split = { .split_replies = true };
	struct ftps_script glued = { .glued_replies = true };
	struct ftps_script lf = { .bare_lf = true, .multiline = true };

	if (small_get(c, &multi, "multi-line 220 and 230 replies, inner lines starting with "
				 "digits") &&
	    small_get(c, &split, "every reply split over two segments") &&
	    small_get(c, &glued, "150 and 226 in one segment, after the data") &&
	    small_get(c, &lf, "reply lines ended by a bare LF"))
		return;
}

void check_ftp_client_227(struct ctx *c)
{
	struct ftps_script bare = { .pasv_no_parens = true };
	struct ftps_script other = { .pasv_addr = "127.0.0.3" };

	if (small_get(c, &bare, "227 Entering Passive Mode h1,h2,h3,h4,p1,p2 (no parentheses)"))
		small_get(c, &other, "a 227 naming 127.0.0.3: the client must connect to the "
				     "control connection's address");
}

void check_ftp_client_order(struct ctx *c)
{
	struct ftps_script early = { .final_before_data = true };
	struct ftps_script late = { .final_after_fin = true };

	if (small_get(c, &early, "226 right after 150, before the data"))
		small_get(c, &late, "226 only after the client closed the data connection");
}

/* A get that fails (s), whose failing reply is want: exit 3, that line on stderr, and the
 * local file LOCAL as it was. */
static bool refused_get(struct ctx *c, const struct ftps_script *s, const char *want,
			const char *what)
{
	static const char old[] = "the old local file stays as it was\n";
	struct ftps_log log;
	char port[8], path[512], e[300];
	size_t elen, n;

	if (!ctx_write_file(c, "keep.txt", old, sizeof old - 1, path, sizeof path))
		return false;
	if (c->sb->root && chown(path, c->sb->run_uid, c->sb->run_gid) < 0) {
		ctx_error(c, "chown %s: %s", path, strerror(errno));
		return false;
	}
	snprintf(port, sizeof port, "%u", ctx_port(c, 0));
	const char *const args[] = { "127.0.0.1", port, "get", "missing.txt", "keep.txt", NULL };
	struct proc *p = session(c, s, &log, args);
	ftps_log_free(&log);
	if (!p || !judge(c, p, args, 3, NULL, 0))
		return false;
	char *err = ctx_stderr(c, p, &elen);
	size_t lines = 0;
	for (size_t i = 0; i < elen; i++)
		lines += err[i] == '\n';
	if (lines != 1 || !strstr(err, want))
		ctx_fail(c, "expected: %s: one line on stderr holding the server's reply \"%s\"\n"
			 "   seen: %s", what, want, esc_bytes(err, elen, 200, e, sizeof e));
	free(err);
	char *got = proc_read_file(path, 1 << 20, &n);
	char label[200];
	snprintf(label, sizeof label, "in keep.txt after %s (local files untouched)", what);
	if (!ctx_failed(c))
		ctx_expect_bytes(c, label, old, sizeof old - 1, got ? got : "", got ? n : 0);
	free(got);
	return !ctx_failed(c);
}

void check_ftp_client_refused(struct ctx *c)
{
	static const char part[] = "the first bytes of a file whose transfer fails";
	struct ftps_script refused = { .refuse = 550 };
	struct ftps_script aborted = { .abort_code = 451, .data = part, .ndata = sizeof part - 1 };

	struct ftps_script login = { .refuse_login = true };

	if (refused_get(c, &login, "530 Login incorrect.", "a refused login") &&
	    refused_get(c, &refused, "550 No such file or directory.", "a refused get"))
		refused_get(c, &aborted, "451 Requested action aborted.",
			    "a get that fails after its 150 and part of the data");
}

/* A get whose transfer stalls after its 150 and part of the file (both connections silent):
 * the client gives up about 5 s later with one line, exit 1. */
static void stalled_get(struct ctx *c)
{
	static const char part[] = "the first bytes of a file, then nothing";
	struct ftps_script s = { .stall_ms = (int)(TIMEOUT_S * 2000), .data = part,
				 .ndata = sizeof part - 1 };
	struct ftps_log log;
	char port[8];

	snprintf(port, sizeof port, "%u", ctx_port(c, 0));
	const char *const args[] = { "127.0.0.1", port, "get", "f.txt", "-", NULL };
	struct proc *p = session(c, &s, &log, args);
	ftps_log_free(&log);
	if (!p)
		return;
	double took = (p->end_ns - p->start_ns) / 1e9;
	ctx_log(c, "ftp_client gave up on the stalled transfer after %.2f s", took);
	if (took < TIMEOUT_S * 0.9 || took > TIMEOUT_S + 2)
		ctx_fail(c, "expected: `ftp_client 127.0.0.1 %s get f.txt -` gives up %.0f s after the "
			 "last byte of a transfer that stalls (150, part of the file, then silence on "
			 "both connections)\n   seen: it exited after %.2f s", port, TIMEOUT_S, took);
	else
		ctx_expect_error_line(c, p, "a transfer that stalls after part of the file");
}

void check_ftp_client_timeout(struct ctx *c)
{
	char port[8];

	snprintf(port, sizeof port, "%u", ctx_port(c, 0));
	const char *const argv[] = { "ftp_client", "127.0.0.1", port, "ls", NULL };
	ctx_check_client_timeout(c, argv, "\n", TIMEOUT_S, TIMEOUT_S + 2);
}

/* A check of its own, beside ftp.client-timeout in the pool: each waits out 5 s. */
void check_ftp_client_stall(struct ctx *c)
{
	stalled_get(c);
}

void check_ftp_client_usage(struct ctx *c)
{
	char port[8];

	snprintf(port, sizeof port, "%u", ctx_port(c, 0));
	if (ctx_expect_usage(c, "ftp_client", NULL) &&
	    ctx_expect_usage(c, "ftp_client", "127.0.0.1", port, NULL) &&
	    ctx_expect_usage(c, "ftp_client", "127.0.0.1", "0", "ls", NULL) &&
	    ctx_expect_usage(c, "ftp_client", "127.0.0.1", "70000", "ls", NULL) &&
	    ctx_expect_usage(c, "ftp_client", "127.0.0.1", port, "del", "x", NULL) &&
	    ctx_expect_usage(c, "ftp_client", "127.0.0.1", port, "get", NULL) &&
	    ctx_expect_usage(c, "ftp_client", "127.0.0.1", port, "get", "pub/", NULL) &&
	    ctx_expect_usage(c, "ftp_client", "-x", "127.0.0.1", port, "ls", NULL))
		return;
}

void check_ftp_client_errors(struct ctx *c)
{
	char p1[8];

	snprintf(p1, sizeof p1, "%u", ctx_port(c, 1));
	/* put of a file that cannot be read: exit 1 before connecting. */
	int lfd = ctx_listen(c, "::", ctx_port(c, 0));
	char p0[8];
	snprintf(p0, sizeof p0, "%u", ctx_port(c, 0));
	if (lfd < 0)
		return;
	struct proc *p = ctx_start(c, NULL, "ftp_client", "127.0.0.1", p0, "put", "no-such-file",
				   NULL);
	bool ok = p && ctx_wait(c, p, 3000) &&
		  ctx_expect_error_line(c, p, "put of a local file that does not exist");
	if (ok) {
		int fd = peer_accept(lfd, 0);
		if (fd >= 0) {
			close(fd);
			ctx_fail(c, "expected: put of an unreadable LOCAL fails before connecting\n"
				 "   seen: the client connected first");
			ok = false;
		}
	}
	close(lfd);
	if (!ok)
		return;
	const char *const refused[] = { "ftp_client", "127.0.0.1", p1, "ls", NULL };
	const char *const unres[] = { "ftp_client", "no-such-host.invalid", p1, "ls", NULL };
	ctx_check_client_errors(c, refused, unres);
}
