/* common.c - what the checks of 05-ftp share (see lab05.h). */
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

const char *l5_mode_name(enum l5_mode m)
{
	static const char *const names[] = { "PASV", "EPSV", "PORT", "EPRT" };
	return names[m];
}

bool l5_code_is(int code, int want)
{
	return want < 10 ? code / 100 == want : code == want;
}

static bool file_in(struct ctx *c, const char *name, const char *text)
{
	char path[512];
	return ctx_write_file(c, name, text, strlen(text), path, sizeof path) != NULL;
}

/* A file the programs may write: what a server that follows a link out of ROOT could
 * change, so that the check sees it happen rather than a permission stopping it. */
static bool writable_file_in(struct ctx *c, const char *name, const char *text)
{
	char path[512];
	if (!ctx_write_file(c, name, text, strlen(text), path, sizeof path))
		return false;
	if (c->sb->root && lchown(path, c->sb->run_uid, c->sb->run_gid) < 0) {
		ctx_error(c, "chown %s: %s", path, strerror(errno));
		return false;
	}
	return true;
}

static bool link_in(struct ctx *c, const char *target, const char *name)
{
	char path[512];
	if (symlink(target, ctx_path(c, name, path, sizeof path)) < 0) {
		ctx_error(c, "symlink %s: %s", path, strerror(errno));
		return false;
	}
	return true;
}

bool l5_make_root(struct ctx *c, char *root, size_t rootsz)
{
	if (!ctx_mkdir(c, "root", true) || !ctx_mkdir(c, "root/sub", true) || !ctx_mkdir(c, "root/empty", true) ||
	    !ctx_mkdir(c, "root/q\"d", true) || !ctx_mkdir(c, "outside", true) ||
	    !file_in(c, "root/a.txt", L5_A_TXT) || !file_in(c, "root/sub/b.txt", L5_B_TXT) ||
	    !writable_file_in(c, "outside/secret.txt", "wirelab-secret: outside ROOT\n") ||
	    !link_in(c, "../outside", "root/link-out") ||
	    !link_in(c, "../outside/secret.txt", "root/link-file-out") ||
	    !link_in(c, "a.txt", "root/link-a"))
		return false;
	ctx_path(c, "root", root, rootsz);
	return true;
}

struct proc *l5_start_server(struct ctx *c, bool user)
{
	char port[8], root[512];

	if (!l5_make_root(c, root, sizeof root))
		return NULL;
	snprintf(port, sizeof port, "%u", ctx_port(c, 0));
	if (user)
		return ctx_server(c, NETSTAT_TCP, ctx_port(c, 0), "ftp_server", "-u",
				  L5_USER ":" L5_PASS, port, root, NULL);
	return ctx_server(c, NETSTAT_TCP, ctx_port(c, 0), "ftp_server", port, root, NULL);
}

/* The first line of the last reply, escaped, or why there was none. */
static const char *seen(struct ftpc *f, int code, char *buf, size_t bufsz)
{
	if (code < 0)
		snprintf(buf, bufsz, "%.*s", (int)bufsz - 1, f->why);
	else
		esc_bytes(f->line, strlen(f->line), 120, buf, bufsz);
	return buf;
}

static void want_text(int want, char *buf, size_t bufsz)
{
	if (want < 10)
		snprintf(buf, bufsz, "a %dxx reply", want);
	else
		snprintf(buf, bufsz, "%d", want);
}

bool l5_expect(struct ctx *c, struct ftpc *f, const char *cmd, int want, const char *text)
{
	char s[200], w[32], e[160];
	int code = ftpc_cmd(f, cmd, L5_IO_MS);

	if (code >= 0 && l5_code_is(code, want) && (!text || strstr(f->line, text)))
		return true;
	want_text(want, w, sizeof w);
	ctx_fail(c, "expected: %s answered with %s%s%s%s\n   seen: %s",
		 esc_bytes(cmd, strlen(cmd), 80, e, sizeof e), w, text ? " holding \"" : "",
		 text ? text : "", text ? "\"" : "", seen(f, code, s, sizeof s));
	return false;
}

bool l5_dialog(struct ctx *c, struct ftpc *f, const struct l5_step *steps, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!l5_expect(c, f, steps[i].cmd, steps[i].want, steps[i].text))
			return false;
	return true;
}

bool l5_session(struct ctx *c, struct ftpc *f, const char *addr, bool login, bool user)
{
	char s[200];
	int code = ftpc_open(f, addr, ctx_port(c, 0), L5_IO_MS);

	if (code != 220) {
		ctx_fail(c, "expected: a 220 greeting on connecting to %s port %u\n   seen: %s",
			 addr, ctx_port(c, 0), seen(f, code, s, sizeof s));
		ftpc_close(f);
		return false;
	}
	if (!login)
		return true;
	const char *u = user ? L5_USER : "anonymous", *p = user ? L5_PASS : "guest@";
	char line[128];
	snprintf(line, sizeof line, "USER %s", u);
	if (!l5_expect(c, f, line, 331, NULL)) {
		ftpc_close(f);
		return false;
	}
	snprintf(line, sizeof line, "PASS %s", p);
	if (!l5_expect(c, f, line, 230, NULL)) {
		ftpc_close(f);
		return false;
	}
	return true;
}

bool l5_setup(struct ctx *c, struct ftpc *f, enum l5_mode mode, const char *addr, int *dfd,
	      int *lfd, uint16_t *port)
{
	char s[200];

	*dfd = *lfd = -1;
	if (mode == L5_PASV || mode == L5_EPSV) {
		*dfd = ftpc_passive(f, mode == L5_EPSV, addr, NULL, port, L5_IO_MS);
		if (*dfd >= 0)
			return true;
		ctx_fail(c, "expected: %s answered with %s, then a data connection to the port it "
			 "names\n   seen: %s (reply %s)", l5_mode_name(mode),
			 mode == L5_EPSV ? "229 ... (|||port|)" : "227 ... (h1,h2,h3,h4,p1,p2)",
			 f->why, seen(f, f->code, s, sizeof s));
		return false;
	}
	*lfd = ftpc_active(f, mode == L5_EPRT, addr, port, L5_IO_MS);
	if (*lfd >= 0 && f->code == 200)
		return true;
	ctx_fail(c, "expected: %s naming %s port %u answered with 200\n   seen: %s",
		 l5_mode_name(mode), addr, *port, *lfd < 0 ? f->why : seen(f, f->code, s, sizeof s));
	if (*lfd >= 0)
		close(*lfd);
	*lfd = -1;
	return false;
}

/* The active data connection from the server, within L5_IO_MS. */
static int accept_active(struct ctx *c, int lfd, const char *cmd)
{
	int fd = peer_accept(lfd, L5_IO_MS);
	if (fd < 0)
		ctx_fail(c, "expected: after \"%s\" and its 150, the server connects to the address "
			 "of PORT/EPRT\n   seen: no connection within %d ms", cmd, L5_IO_MS);
	return fd;
}

bool l5_transfer(struct ctx *c, struct ftpc *f, enum l5_mode mode, const char *addr,
		 const char *cmd, const void *data, size_t n, struct peer_buf *out,
		 struct l5_xfer *x)
{
	char s[200];
	int dfd, lfd;
	uint16_t port;
	bool ok = false, stor = strncmp(cmd, "STOR", 4) == 0;
	struct peer_buf got = { 0 };

	if (!l5_setup(c, f, mode, addr, &dfd, &lfd, &port))
		return false;
	if (x) {
		x->mode = mode;
		x->port = port;
		x->ctl_off = f->in.len;
		x->ctl_cport = peer_local_port(f->fd);
	}
	size_t before = f->in.len;
	int code = ftpc_cmd(f, cmd, L5_IO_MS);
	if (code != 150 && !(code / 100 == 1)) {
		ctx_fail(c, "expected: \"%s\" answered with 150 (after %s)\n   seen: %s", cmd,
			 l5_mode_name(mode), seen(f, code, s, sizeof s));
		goto out;
	}
	if (x) {
		/* Where the 150 starts in the control stream (the first reply after the command). */
		x->ctl_off = before;
	}
	if (lfd >= 0 && (dfd = accept_active(c, lfd, cmd)) < 0)
		goto out;
	if (stor) {
		int rc = peer_send(dfd, data, n, L5_IO_MS * 3);
		if (rc < 0) {
			ctx_fail(c, "expected: the server reads the data of \"%s\"\n   seen: sending "
				 "failed: %s", cmd, peer_strerror(rc));
			goto out;
		}
		peer_shutdown_wr(dfd);
	}
	/* Read the data connection to its end before looking for 226: the server must close it
	 * without waiting for the client. */
	int rc = peer_recv_all(dfd, &got, 64u << 20, L5_IO_MS * 3);
	if (rc < 0) {
		ctx_fail(c, "expected: after \"%s\" the server closes the data connection (FIN)\n"
			 "   seen: %s after %zu bytes", cmd, rc == -ETIMEDOUT ? "no FIN in time"
								      : peer_strerror(rc), got.len);
		goto out;
	}
	code = ftpc_reply(f, L5_IO_MS);
	if (code != 226 && !(code / 100 == 2)) {
		ctx_fail(c, "expected: \"%s\" ends with 226 once the data connection is closed\n"
			 "   seen: %s", cmd, seen(f, code, s, sizeof s));
		goto out;
	}
	ok = true;
	if (out) {
		peer_buf_append(out, got.data, got.len);
	}
out:
	peer_buf_free(&got);
	if (dfd >= 0)
		close(dfd);
	if (lfd >= 0)
		close(lfd);
	return ok;
}

/* The offset of the first "1xx" reply at or after off in the server's control stream. */
static size_t prelim_off(const struct flow_tcp *ctl, size_t off)
{
	const struct flow_half *h = &ctl->half[FLOW_S2C];
	while (off < h->len) {
		struct ftpmsg_reply r;
		ssize_t n = ftpmsg_reply(h->data + off, h->len - off, &r);
		if (n <= 0)
			break;
		if (r.code / 100 == 1)
			return off;
		off += (size_t)n;
	}
	return (size_t)-1;
}

bool l5_wire_transfers(struct ctx *c, const struct l5_xfer *x, size_t n, bool fin_ctl)
{
	const struct flow_set *fs = ctx_flows(c);
	if (!fs)
		return false;
	for (size_t i = 0; i < n; i++) {
		const char *m = l5_mode_name(x[i].mode);
		/* Connections that were set up (a refused SYN is no connection). */
		size_t count = 0;
		for (size_t k = 0; k < flow_tcp_count(fs, x[i].port); k++)
			count += flow_tcp_nth(fs, x[i].port, k)->synack;
		const struct flow_tcp *d = flow_tcp_nth(fs, x[i].port, 0);
		const struct flow_tcp *ctl = flow_tcp_find(fs, x[i].ctl_cport, ctx_port(c, 0));
		if (!d && ctl && c->sb->mode == SB_HOST) {
			/* On the host's loopback the capture is filtered on the check's own ports:
			 * a data connection on an ephemeral port is not in it. */
			ctx_log(c, "host loopback: the %s data connection to port %u is not captured; "
				"its wire rules were not judged", m, x[i].port);
			if (fin_ctl && (!ctx_expect_fin(c, ctl, FLOW_S2C, "server (control connection)") ||
					!ctx_expect_grader_fin(c, ctl, FLOW_C2S,
							       "grader's client (control connection)"))) {
				ctx_ladder_tcp(c, ctl);
				return false;
			}
			continue;
		}
		if (!d || !ctl) {
			ctx_fail(c, "expected: the %s data connection to port %u on the wire\n"
				 "   seen: none", m, x[i].port);
			return false;
		}
		if (count != 1) {
			ctx_fail(c, "expected: exactly one data connection to port %u (%s)\n"
				 "   seen: %zu", x[i].port, m, count);
			ctx_ladder_tcp(c, d);
			return false;
		}
		/* Passive: the server is the data flow's server side; active: its client side. */
		int sdir = x[i].mode == L5_PASV || x[i].mode == L5_EPSV ? FLOW_S2C : FLOW_C2S;
		size_t off = prelim_off(ctl, x[i].ctl_off);
		int64_t t150 = off == (size_t)-1 ? -1 : flow_time_of(ctl, FLOW_S2C, off);
		const struct flow_half *h = &d->half[sdir];
		if (h->first_data_ns && (t150 < 0 || h->first_data_ns < t150)) {
			ctx_fail(c, "expected: the 150 reply on the control connection before the first "
				 "data byte (%s)\n   seen: data at %.3f ms, %s", m,
				 (h->first_data_ns - fs->t0_ns) / 1e6,
				 t150 < 0 ? "no 1xx reply at all"
					  : "the 150 only later");
			ctx_hint(c, L5_HINT_150);
			ctx_ladder_tcp(c, ctl);
			return false;
		}
		if (!ctx_expect_fin(c, d, sdir, "server (data connection)") ||
		    !ctx_expect_grader_fin(c, d, 1 - sdir, "grader's client (data connection)")) {
			ctx_ladder_tcp(c, d);
			return false;
		}
		if (fin_ctl && (!ctx_expect_fin(c, ctl, FLOW_S2C, "server (control connection)") ||
				!ctx_expect_grader_fin(c, ctl, FLOW_C2S,
						       "grader's client (control connection)"))) {
			ctx_ladder_tcp(c, ctl);
			return false;
		}
	}
	return true;
}
