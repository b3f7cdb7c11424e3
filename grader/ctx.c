/* ctx.c - the context a check runs in: ports, programs, capture, results. */
#include "check.h"
#include "esc.h"
#include "ladder.h"
#include "clock.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#define CTX_OUT_MAX (64u << 20)
/* Arrows per ladder: a bulk transfer shows its first and last segments and a row that
 * counts the rest, never pages of hex. */
#define LADDER_ROWS 12

int ctx_localhost_second_family(void)
{
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM }, *res = NULL;
	int fam = 0;

	if (getaddrinfo("localhost", NULL, &hints, &res) != 0)
		return 0;
	for (struct addrinfo *a = res; a; a = a->ai_next)
		if (a->ai_family != res->ai_family) {
			fam = a->ai_family;
			break;
		}
	freeaddrinfo(res);
	return fam;
}

const char *ctx_loopback(int family)
{
	return family == AF_INET6 ? "::1" : "127.0.0.1";
}

uint16_t ctx_port(struct ctx *c, int i)
{
	if (i < 0 || i >= CTX_MAX_PORTS)
		return 0;
	return c->ports[i];
}

const char *ctx_port_str(struct ctx *c, int i, char *buf, size_t bufsz)
{
	snprintf(buf, bufsz, "%u", ctx_port(c, i));
	return buf;
}

const char *ctx_path(struct ctx *c, const char *name, char *buf, size_t bufsz)
{
	snprintf(buf, bufsz, "%s/%s", c->tmpdir, name);
	return buf;
}

/* The files the check wrote, as it wrote them, for the real peers (jail_peer_view): in the
 * grader's own folder, which no program sees. Files past CTX_PEER_FILE_MAX are not kept. */
#define CTX_PEER_FILE_MAX (4u << 20)

/* All of data to fd: 0, or -errno (-EIO when the file takes nothing). */
static int write_all(int fd, const void *data, size_t len)
{
	for (const uint8_t *p = data; len > 0;) {
		ssize_t k = write(fd, p, len);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			return k < 0 ? -errno : -EIO;
		p += k;
		len -= (size_t)k;
	}
	return 0;
}

static int peer_copy(struct ctx *c, const char *name, const void *data, size_t len, bool dir)
{
	char path[512];

	if (!c->jail || !c->iodir || (!dir && len > CTX_PEER_FILE_MAX))
		return 0;
	int n = snprintf(path, sizeof path, "%s/peer/%s", c->iodir, name);
	if (n < 0 || (size_t)n >= sizeof path)
		return -ENAMETOOLONG;
	char *slash = strrchr(path, '/');
	*slash = '\0';
	int rc = jail_mkdir_all(path);
	*slash = '/';
	if (rc < 0)
		return rc;
	if (dir)
		return mkdir(path, 0755) < 0 && errno != EEXIST ? -errno : 0;
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0644);
	if (fd < 0)
		return -errno;
	rc = write_all(fd, data, len);
	/* Never half a script: a peer that runs a cut one could end well for nothing. */
	if (rc < 0)
		unlink(path);
	close(fd);
	return rc;
}

const char *ctx_write_file(struct ctx *c, const char *name, const void *data, size_t len,
			   char *buf, size_t bufsz)
{
	int prc = peer_copy(c, name, data, len, false);

	if (prc < 0) {
		ctx_error(c, "cannot keep %s for the peers: %s", name, strerror(-prc));
		return NULL;
	}
	int dfd = open(c->tmpdir, O_RDONLY | O_DIRECTORY | O_CLOEXEC), fd = -1;

	ctx_path(c, name, buf, bufsz);
	/* The programs may have been here first: replace what stands at name, follow nothing. */
	if (dfd >= 0) {
		char *slash = strrchr(name, '/');
		int parent = dfd;
		if (slash) {
			char dir[256];
			snprintf(dir, sizeof dir, "%.*s", (int)(slash - name), name);
			parent = jail_open_beneath(dfd, dir, O_RDONLY | O_DIRECTORY, 0);
		}
		if (parent >= 0) {
			const char *base = slash ? slash + 1 : name;
			unlinkat(parent, base, 0);
			fd = openat(parent, base, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
				    0644);
			if (fd < 0)
				fd = -errno;
			if (parent != dfd)
				close(parent);
		} else {
			fd = parent;
		}
		close(dfd);
	} else {
		fd = -errno;
	}
	if (fd < 0) {
		ctx_error(c, "cannot create %s: %s", buf, strerror(-fd));
		return NULL;
	}
	int rc = write_all(fd, data, len);
	close(fd);
	if (rc < 0) {
		ctx_error(c, "cannot write %s: %s", buf, strerror(-rc));
		return NULL;
	}
	return buf;
}

bool ctx_mkdir(struct ctx *c, const char *name, bool theirs)
{
	char path[512];

	ctx_path(c, name, path, sizeof path);
	int prc = peer_copy(c, name, NULL, 0, true);
	if (prc < 0) {
		ctx_error(c, "cannot keep %s for the peers: %s", name, strerror(-prc));
		return false;
	}
	if (mkdir(path, 0755) < 0 && errno != EEXIST) {
		ctx_error(c, "cannot create %s: %s", path, strerror(errno));
		return false;
	}
	/* Whatever the umask: the programs (another user when the grader is root) read it. */
	chmod(path, 0755);
	if (theirs && c->sb->root && chown(path, c->sb->run_uid, c->sb->run_gid) < 0) {
		ctx_error(c, "chown %s: %s", path, strerror(errno));
		return false;
	}
	return true;
}

static void vappend(char *dst, size_t dstsz, const char *fmt, va_list ap)
{
	size_t used = strlen(dst);

	if (used + 2 >= dstsz)
		return;
	if (used > 0)
		dst[used++] = '\n';
	vsnprintf(dst + used, dstsz - used, fmt, ap);
}

/* The body of a printf-like function: its arguments handed on as va_list ap to call. */
#define WITH_VA(fmt, call) do { va_list ap; va_start(ap, fmt); call; va_end(ap); } while (0)

/* Record a result line: the status changes as `to` says, the line joins the message. Past a
 * wire step that could not be judged (no capture), what a check concludes comes from the
 * missing evidence, not from the program: failures and errors are dropped there, and the
 * runner reports a skip. */
static void vrecord(struct ctx *c, enum check_status to, const char *fmt, va_list ap)
{
	if (to != CHECK_SKIP && c->wire_skipped)
		return;
	if (to == CHECK_ERROR || c->res->status == CHECK_PASS)
		c->res->status = to;
	vappend(c->res->message, sizeof c->res->message, fmt, ap);
}

void ctx_fail(struct ctx *c, const char *fmt, ...)
{
	WITH_VA(fmt, vrecord(c, CHECK_FAIL, fmt, ap));
}

void ctx_error(struct ctx *c, const char *fmt, ...)
{
	WITH_VA(fmt, vrecord(c, CHECK_ERROR, fmt, ap));
}

void ctx_skip(struct ctx *c, const char *fmt, ...)
{
	WITH_VA(fmt, vrecord(c, CHECK_SKIP, fmt, ap));
}

void ctx_log(struct ctx *c, const char *fmt, ...)
{
	WITH_VA(fmt, vappend(c->res->log, sizeof c->res->log, fmt, ap));
}

bool ctx_require(struct ctx *c, bool holds, const char *fmt, ...)
{
	if (!holds)
		WITH_VA(fmt, vrecord(c, CHECK_FAIL, fmt, ap));
	return holds;
}

bool ctx_failed(const struct ctx *c)
{
	return c->res->status != CHECK_PASS;
}

void ctx_hint(struct ctx *c, const char *key)
{
	if (!c->res->hint_key[0] && key)
		snprintf(c->res->hint_key, sizeof c->res->hint_key, "%s", key);
}

void ctx_hint_bytes(struct ctx *c, const void *want, size_t nwant, const void *got, size_t ngot)
{
	size_t d = esc_first_diff(want, nwant, got, ngot);

	if (d == (size_t)-1 || d >= nwant)
		return;
	if (((const uint8_t *)want)[d] == 0)
		ctx_hint(c, HINT_NUL);
	else if (d == ngot)
		ctx_hint(c, HINT_SHORT);
}

void check_hint_for(const struct lab *lab, const struct check *ch, const struct check_result *r,
		    const char **hint, const char **section)
{
	*hint = ch->hint;
	*section = ch->section;
	for (const struct check_hint *h = lab->hints; h && h->check && r->hint_key[0]; h++)
		if (strcmp(h->check, ch->id) == 0 && strcmp(h->key, r->hint_key) == 0) {
			*hint = h->hint;
			*section = h->section;
			return;
		}
}

/* The NULL-terminated arguments of a variadic call, into args (30 at most, then NULL). */
static void collect_args(const char *args[31], va_list ap)
{
	size_t n = 0;

	while (n < 30 && (args[n] = va_arg(ap, const char *)) != NULL)
		n++;
	args[n] = NULL;
}

/* A real peer (a tool of the system) is not the student's program: it gets no
 * address-space limit of its own (a browser reserves far more address space than it
 * uses); the check's cgroup, where the machine gives one, bounds its memory with the rest. */
static struct proc *spawn(struct ctx *c, const char *stdin_path, const char *const *argv,
			  bool tool)
{
	char out[512], err[512], why[256];
	struct proc *p;

	if (c->nprocs == CTX_MAX_PROCS) {
		ctx_error(c, "too many programs started by one check");
		return NULL;
	}
	p = &c->procs[c->nprocs];
	snprintf(out, sizeof out, "%s/out.%zu", c->iodir, c->nprocs);
	snprintf(err, sizeof err, "%s/err.%zu", c->iodir, c->nprocs);
	struct proc_spec s = {
		.argv = argv,
		.cwd = c->tmpdir,
		.stdin_path = stdin_path,
		.stdout_path = out,
		.stderr_path = err,
		.jail = c->jail,
		.drop_privileges = c->sb->root,
		.uid = c->sb->run_uid,
		.gid = c->sb->run_gid,
		.limits = proc_default_limits(),
	};
	char files[512];
	if (tool) {
		s.limits.as_bytes = (uint64_t)RLIM_INFINITY;
		/* Its own working directory, /tmp and /dev/shm, with the files the check wrote:
		 * nothing a student's program planted or changed. */
		snprintf(files, sizeof files, "%s/peer", c->iodir);
		s.peer = true;
		s.peer_files = access(files, F_OK) == 0 ? files : NULL;
	}
	if (proc_spawn(p, &s, why, sizeof why) < 0) {
		ctx_error(c, "cannot start %s: %s", argv[0], why);
		return NULL;
	}
	c->nprocs++;
	if (c->verbose)
		ctx_log(c, "started %s (pid %d)", p->name, (int)p->pid);
	return p;
}

struct proc *ctx_startv(struct ctx *c, const char *stdin_path, const char *prog,
			const char *const *args)
{
	const char *argv[32];
	char path[512];
	size_t n = 0;

	/* A program that did not build costs the checks that use it, not its siblings'. */
	for (size_t i = 0; c->lab->programs[i]; i++) {
		if (strcmp(c->lab->programs[i], prog) != 0)
			continue;
		c->res->programs |= 1u << i;
		if (c->unbuilt & (1u << i)) {
			ctx_fail(c, "expected: %s built with the kit's recipe\n   seen: it did not "
				 "build, so this check could not run it; the build said:\n%.3000s",
				 prog, c->build_log ? c->build_log : "");
			return NULL;
		}
	}
	snprintf(path, sizeof path, "%s/%s", c->bindir, prog);
	argv[n++] = path;
	while (args && args[n - 1] && n < 31) {
		argv[n] = args[n - 1];
		n++;
	}
	argv[n] = NULL;
	return spawn(c, stdin_path, argv, false);
}

struct proc *ctx_start(struct ctx *c, const char *stdin_path, const char *prog, ...)
{
	const char *args[31];
	va_list ap;

	va_start(ap, prog);
	collect_args(args, ap);
	va_end(ap);
	return ctx_startv(c, stdin_path, prog, args);
}

struct proc *ctx_start_tool(struct ctx *c, const char *stdin_path, const char *const *argv)
{
	static const char *const dirs[] = { "/usr/local/bin", "/usr/bin", "/bin", NULL };
	const char *v[32];
	char path[512];
	size_t n;

	for (size_t i = 0; dirs[i]; i++) {
		snprintf(path, sizeof path, "%s/%s", dirs[i], argv[0]);
		if (access(path, X_OK) == 0)
			break;
		path[0] = '\0';
	}
	if (!path[0]) {
		ctx_error(c, "%s is not installed (run: make deps)", argv[0]);
		return NULL;
	}
	v[0] = path;
	for (n = 1; argv[n] && n < 31; n++)
		v[n] = argv[n];
	v[n] = NULL;
	return spawn(c, stdin_path, v, true);
}

static char *read_out(struct ctx *c, struct proc *p, const char *kind, size_t *len)
{
	char path[512];
	size_t i = (size_t)(p - c->procs), dummy;

	snprintf(path, sizeof path, "%s/%s.%zu", c->iodir, kind, i);
	char *s = proc_read_file(path, CTX_OUT_MAX, len ? len : &dummy);
	if (!s) {
		s = calloc(1, 1);
		if (len)
			*len = 0;
	}
	return s;
}

char *ctx_stdout(struct ctx *c, struct proc *p, size_t *len) { return read_out(c, p, "out", len); }
char *ctx_stderr(struct ctx *c, struct proc *p, size_t *len) { return read_out(c, p, "err", len); }

/* "; stderr: "..."" for messages, or "" when the program said nothing. */
static void stderr_note(struct ctx *c, struct proc *p, char *buf, size_t bufsz)
{
	size_t n;
	char *e = ctx_stderr(c, p, &n);
	char esc[400];

	buf[0] = '\0';
	if (e && n > 0)
		snprintf(buf, bufsz, "; its stderr: %s", esc_bytes(e, n, 300, esc, sizeof esc));
	free(e);
}

struct proc *ctx_server(struct ctx *c, enum netstat_proto proto, uint16_t port,
			const char *prog, ...)
{
	const char *args[31];
	va_list ap;
	char st[128], note[512];

	va_start(ap, prog);
	collect_args(args, ap);
	va_end(ap);
	struct proc *p = ctx_startv(c, NULL, prog, args);
	if (!p)
		return NULL;
	int rc = netstat_wait_bound(proto, port, p, CHECK_READY_MS);
	if (rc == 0)
		return p;
	stderr_note(c, p, note, sizeof note);
	if (rc == -ECHILD)
		ctx_fail(c, "expected: %s running and %s port %u\n   seen: it ended at once (%s)%s",
			 prog, proto == NETSTAT_TCP ? "listening on TCP" : "bound to UDP", port,
			 proc_describe(p, st, sizeof st), note);
	else
		ctx_fail(c, "expected: %s %s port %u within %.0f s\n   seen: no such socket (it is still "
			 "running)%s", prog, proto == NETSTAT_TCP ? "listening on TCP" : "bound to UDP",
			 port, CHECK_READY_MS / 1000.0, note);
	return NULL;
}

struct proc *ctx_start_server(struct ctx *c, enum netstat_proto proto, const char *prog)
{
	char port[8];

	return ctx_server(c, proto, ctx_port(c, 0), prog, ctx_port_str(c, 0, port, sizeof port),
			  NULL);
}

bool ctx_wait(struct ctx *c, struct proc *p, int timeout_ms)
{
	if (proc_wait(p, timeout_ms) == 0)
		return true;
	ctx_fail(c, "expected: %s to exit within %.1f s\n   seen: still running after %.1f s "
		 "(stopped by the grader)", p->name, timeout_ms / 1000.0, timeout_ms / 1000.0);
	return false;
}

void ctx_stop(struct ctx *c, struct proc *p)
{
	(void)c;
	proc_stop(p, 1000);
}

/* The state letter of /proc/PID/stat ('R', 'S'...), or 0 when it cannot be read. */
static char state_letter(pid_t pid)
{
	char path[64];
	size_t n;

	snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
	char *s = proc_read_file(path, 4096, &n);
	if (!s)
		return 0;
	char *close_paren = strrchr(s, ')');
	char state = close_paren && close_paren[1] == ' ' ? close_paren[2] : 0;
	free(s);
	return state;
}

/* A server that stops through a flag its handler sets has a window, between testing the
 * flag and blocking in accept() or recv(), where a signal is seen only once the next client
 * comes: signal it once it sleeps in a system call (state S three times in a row), as it
 * does between clients. Where /proc says nothing, a pause instead. */
static void wait_asleep(pid_t pid, int timeout_ms)
{
	int64_t deadline = clock_deadline(timeout_ms);
	int asleep = 0;

	while (clock_left_ms(deadline) > 0 && asleep < 3) {
		char st = state_letter(pid);
		if (!st) {
			clock_sleep_ms(100);
			return;
		}
		asleep = st == 'S' ? asleep + 1 : 0;
		clock_sleep_ms(5);
	}
}

bool ctx_expect_stop(struct ctx *c, struct proc *p, int grace_ms)
{
	wait_asleep(p->pid, 1000);
	proc_stop(p, grace_ms);
	if (proc_exit_code(p) != 128 + SIGKILL)
		return true;
	ctx_fail(c, "expected: %s ends on SIGTERM (within %.1f s)\n   seen: still running, so the "
		 "grader killed it (SIGKILL)", p->name, grace_ms / 1000.0);
	return false;
}

const struct flow_set *ctx_flows(struct ctx *c)
{
	char why[256];

	if (!c->cap) {
		/* Behaviour was judged; the wire part cannot be. The runner turns a pass into a
		 * skip that says so. */
		c->wire_skipped = true;
		return NULL;
	}
	/* Read after the check already failed, the capture only draws the failure's ladder. */
	bool judged = c->res->status == CHECK_FAIL;
	if (!judged)
		c->wire_read = true;
	if (cap_stop(c->cap, why, sizeof why) < 0) {
		ctx_error(c, "the capture failed: %s (a grader fault, not yours)", why);
		return NULL;
	}
	c->res->drops = cap_drops(c->cap);
	c->res->packets = cap_count(c->cap);
	if (cap_overflowed(c->cap)) {
		ctx_fail(c, "expected: the programs' traffic within what one check keeps (256 MiB)\n"
			 "   seen: more than that on lo during this check; the wire was not judged");
		return NULL;
	}
	if (c->res->drops > 0 && judged) {
		ctx_log(c, "the capture dropped %llu packets: no ladder",
			(unsigned long long)c->res->drops);
		return NULL;
	}
	if (c->res->drops > 0) {
		ctx_error(c, "the capture dropped %llu packets, so the wire cannot be judged (a grader "
			  "fault, not yours: run the check again, with -j 1 on a busy machine)",
			  (unsigned long long)c->res->drops);
		return NULL;
	}
	const struct flow_set *fs = cap_flows(c->cap);
	if (!fs)
		ctx_error(c, "decoding the capture failed: %s", strerror(errno));
	return fs;
}

const struct flow_tcp *ctx_tcp_nth(struct ctx *c, uint16_t port, size_t i, const char *fmt, ...)
{
	const struct flow_set *fs = ctx_flows(c);
	const struct flow_tcp *f = fs ? flow_tcp_nth(fs, port, i) : NULL;
	char what[300];

	if (fs && !f) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(what, sizeof what, fmt, ap);
		va_end(ap);
		ctx_error(c, "%s is not in the capture", what);
	}
	return f;
}

void ctx_ladder_tcp(struct ctx *c, const struct flow_tcp *f)
{
	const struct flow_set *fs = c->cap ? cap_flows(c->cap) : NULL;
	size_t used = strlen(c->res->ladder);

	if (!f || !fs || used + 64 > sizeof c->res->ladder)
		return;
	if (used)
		c->res->ladder[used++] = '\n';
	ladder_tcp(f, fs->t0_ns, LADDER_ROWS, c->res->ladder + used, sizeof c->res->ladder - used);
}

void ctx_ladder_last(struct ctx *c, uint16_t port)
{
	const struct flow_set *fs = c->cap ? cap_flows(c->cap) : NULL;
	size_t n = fs ? flow_tcp_count(fs, port) : 0;

	if (n > 0)
		ctx_ladder_tcp(c, flow_tcp_nth(fs, port, n - 1));
}

void ctx_ladder_udp(struct ctx *c, uint16_t port)
{
	const struct flow_set *fs = c->cap ? cap_flows(c->cap) : NULL;
	size_t used = strlen(c->res->ladder);

	if (!fs || used + 64 > sizeof c->res->ladder)
		return;
	if (used)
		c->res->ladder[used++] = '\n';
	ladder_udp(fs, port, fs->t0_ns, LADDER_ROWS, c->res->ladder + used,
		   sizeof c->res->ladder - used);
}

bool ctx_expect_bytes(struct ctx *c, const char *what, const void *want, size_t nwant,
		      const void *got, size_t ngot)
{
	size_t d = esc_first_diff(want, nwant, got, ngot);
	char w[200], g[200];

	if (d == (size_t)-1)
		return true;
	ctx_hint_bytes(c, want, nwant, got, ngot);
	if (nwant <= 64 && ngot <= 64) {
		ctx_fail(c, "expected %s: %s (%zu bytes)\n   seen: %s (%zu bytes)", what,
			 esc_bytes(want, nwant, 64, w, sizeof w), nwant,
			 esc_bytes(got, ngot, 64, g, sizeof g), ngot);
		return false;
	}
	size_t from = d > 8 ? d - 8 : 0;
	const uint8_t *pw = want, *pg = got;
	ctx_fail(c, "expected %s: %zu bytes\n   seen: %zu bytes, first difference at byte %zu:\n"
		 "     expected %s\n     seen     %s", what, nwant, ngot, d,
		 esc_bytes(pw + from, nwant > from ? nwant - from : 0, 24, w, sizeof w),
		 esc_bytes(pg + from, ngot > from ? ngot - from : 0, 24, g, sizeof g));
	return false;
}

bool ctx_expect_exit(struct ctx *c, struct proc *p, int code)
{
	char st[128], note[512];

	if (proc_exit_code(p) == code)
		return true;
	stderr_note(c, p, note, sizeof note);
	ctx_fail(c, "expected: %s to exit with status %d\n   seen: %s%s", p->name, code,
		 proc_describe(p, st, sizeof st), note);
	return false;
}

bool ctx_expect_fin(struct ctx *c, const struct flow_tcp *f, int dir, const char *who)
{
	const struct flow_half *h = &f->half[dir];
	const struct flow_set *fs = c->cap ? cap_flows(c->cap) : NULL;
	int64_t t0 = fs ? fs->t0_ns : f->first_ns;   /* the ladder's clock */

	if (h->rst) {
		ctx_hint(c, HINT_RST);
		ctx_fail(c, "expected: the %s closes with FIN\n   seen: the %s sent RST at %.3f ms%s",
			 who, who, (h->rst_ns - t0) / 1e6, h->fin ? " (after its FIN)" : "");
		return false;
	}
	if (!h->fin) {
		ctx_fail(c, "expected: the %s closes with FIN\n   seen: no FIN from the %s", who, who);
		return false;
	}
	return true;
}

bool ctx_expect_grader_fin(struct ctx *c, const struct flow_tcp *f, int dir, const char *who)
{
	const struct flow_half *h = &f->half[dir], *o = &f->half[1 - dir];

	if (h->rst && h->fin && h->fin_ns <= h->rst_ns && o->fin && o->fin_ns <= h->rst_ns &&
	    (!o->first_data_ns || o->last_data_ns < h->fin_ns)) {
		ctx_log(c, "the %s sent RST after both FINs: the grader's kernel, not the program",
			who);
		return true;
	}
	return ctx_expect_fin(c, f, dir, who);
}

const char *ctx_command(const char *prog, const char *const *args, char *buf, size_t bufsz)
{
	size_t used = (size_t)snprintf(buf, bufsz, "%s", prog);

	for (size_t i = 0; args && args[i] && used < bufsz; i++)
		used += (size_t)snprintf(buf + used, bufsz - used, " %s", args[i]);
	return buf;
}

bool ctx_expect_run(struct ctx *c, struct proc *p, const char *cmd, int code, const void *want,
		    size_t n)
{
	char label[600];
	size_t olen;

	if (!ctx_expect_exit(c, p, code)) {
		ctx_fail(c, "(`%s`)", cmd);
		return false;
	}
	if (!want)
		return true;
	char *out = ctx_stdout(c, p, &olen);
	snprintf(label, sizeof label, "on stdout of `%s`", cmd);
	bool ok = ctx_expect_bytes(c, label, want, n, out, olen);
	free(out);
	return ok;
}

/* "prog a b" for messages, with arguments that are not plain words escaped. */
static void cmdline(const char *prog, const char *const *args, char *buf, size_t bufsz)
{
	size_t used = (size_t)snprintf(buf, bufsz, "%s", prog);

	for (size_t i = 0; args[i] && used < bufsz; i++) {
		char esc[64];
		bool plain = args[i][0] != '\0' && strspn(args[i], "abcdefghijklmnopqrstuvwxyz"
			"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.:/") == strlen(args[i]);
		used += (size_t)snprintf(buf + used, bufsz - used, " %s",
					 plain ? args[i] : esc_bytes(args[i], strlen(args[i]), 40,
								     esc, sizeof esc));
	}
}

bool ctx_expect_usage(struct ctx *c, const char *prog, ...)
{
	const char *args[31];
	va_list ap;

	va_start(ap, prog);
	collect_args(args, ap);
	va_end(ap);
	return ctx_expect_usagev(c, prog, args);
}

bool ctx_expect_usagev(struct ctx *c, const char *prog, const char *const *args)
{
	size_t elen;
	char cmd[256], st[128], esc[300];

	cmdline(prog, args, cmd, sizeof cmd);
	struct proc *p = ctx_startv(c, NULL, prog, args);
	if (!p)
		return false;
	if (proc_wait(p, CHECK_EXIT_MS) < 0) {
		ctx_fail(c, "`%s`: expected a usage line on stderr and exit status 2\n"
			 "   seen: still running after %.0f s", cmd, CHECK_EXIT_MS / 1000.0);
		proc_stop(p, 200);
		return false;
	}
	char *err = ctx_stderr(c, p, &elen);
	size_t lines = 0;
	for (size_t i = 0; i < elen; i++)
		lines += err[i] == '\n' && i + 1 < elen;
	lines += elen > 0;
	bool ok = proc_exit_code(p) == 2 && lines == 1;
	if (!ok)
		ctx_fail(c, "`%s`: expected one usage line on stderr and exit status 2\n"
			 "   seen: %s, stderr %s%s", cmd, proc_describe(p, st, sizeof st),
			 esc_bytes(err, elen, 200, esc, sizeof esc),
			 lines > 1 ? " (more than one line)" : "");
	free(err);
	/* Done with it: give its slot back, so a check can try many argument lists. */
	proc_stop(p, 200);
	if (p == &c->procs[c->nprocs - 1])
		c->nprocs--;
	return ok;
}

/* The ports every lab rejects the same way (see the shared conventions in the handouts). */
static const char *const ctx_bad_ports[] = { "0", "70000", "7x", "+7000", "-1", "", NULL };

bool ctx_expect_bad_ports(struct ctx *c, const char *const *argv, size_t port_idx)
{
	const char *v[32];
	size_t n = 0;

	while (argv[n] && n < 31) {
		v[n] = argv[n];
		n++;
	}
	v[n] = NULL;
	if (port_idx == 0 || port_idx >= n)
		return false;
	for (size_t i = 0; ctx_bad_ports[i]; i++) {
		v[port_idx] = ctx_bad_ports[i];
		if (!ctx_expect_usagev(c, v[0], v + 1))
			return false;
	}
	return true;
}

bool ctx_expect_error_line(struct ctx *c, struct proc *p, const char *what)
{
	size_t elen, lines = 0;
	char st[128], esc[300], prefix[80];
	char *err = ctx_stderr(c, p, &elen);

	for (size_t i = 0; i < elen; i++)
		lines += err[i] == '\n';
	if (elen > 0 && err[elen - 1] != '\n')
		lines++;
	snprintf(prefix, sizeof prefix, "%s:", p->name);
	bool ok = proc_exit_code(p) == 1 && lines == 1 &&
		  strncmp(err, prefix, strlen(prefix)) == 0;
	if (!ok)
		ctx_fail(c, "%s: expected exit status 1 and one line on stderr starting \"%s\"\n"
			 "   seen: %s, stderr %s", what, prefix, proc_describe(p, st, sizeof st),
			 esc_bytes(err, elen, 200, esc, sizeof esc));
	free(err);
	return ok;
}

void ctx_no_connection(struct ctx *c, struct proc *p, int rc)
{
	char st[128], note[512];

	if (rc == -ECHILD) {
		stderr_note(c, p, note, sizeof note);
		ctx_fail(c, "expected: %s connects to the grader's server\n   seen: it ended without "
			 "connecting (%s)%s", p->name, proc_describe(p, st, sizeof st), note);
	} else {
		ctx_fail(c, "expected: %s connects to the grader's server\n   seen: no connection "
			 "within %.0f s (%s)", p->name, CHECK_CONNECT_MS / 1000.0, peer_strerror(rc));
	}
}

int ctx_listen(struct ctx *c, const char *addr, uint16_t port)
{
	char why[256];
	int lfd = peer_listen(addr, port, SOCK_STREAM, why, sizeof why);

	if (lfd < 0)
		ctx_error(c, "the grader's server: %s", why);
	return lfd;
}

bool ctx_expect_dual_stack(struct ctx *c, uint16_t port)
{
	struct netstat_sock socks[4];
	int n = netstat_find(NETSTAT_TCP, port, socks, 4);
	bool dual = false;

	for (int i = 0; i < n; i++)
		dual |= socks[i].family == AF_INET6 && netstat_is_wildcard(&socks[i]);
	if (dual)
		return true;
	ctx_fail(c, "expected: one IPv6 socket listening on [::]:%u with IPV6_V6ONLY off\n"
		 "   seen: %s", port,
		 n > 0 && socks[0].family == AF_INET ? "an IPv4 socket only (0.0.0.0)"
						     : "no IPv6 socket on the wildcard address");
	return false;
}

void ctx_check_second_server(struct ctx *c, const char *prog)
{
	char port[8], what[128];
	struct proc *p = ctx_start(c, NULL, prog, ctx_port_str(c, 0, port, sizeof port), NULL);

	snprintf(what, sizeof what, "a second %s on a port in use", prog);
	if (p && ctx_wait(c, p, 3000))
		ctx_expect_error_line(c, p, what);
}

struct proc *ctx_restart_server(struct ctx *c, struct proc *p, int fd, int grace_ms)
{
	struct peer_buf rest = { 0 };
	char prog[64];

	snprintf(prog, sizeof prog, "%s", p->name);
	bool stopped = ctx_expect_stop(c, p, grace_ms);
	peer_recv_all(fd, &rest, 4096, 1000);
	peer_buf_free(&rest);
	close(fd);
	if (!stopped)
		return NULL;
	struct proc *again = ctx_start_server(c, NETSTAT_TCP, prog);
	if (!again)
		ctx_fail(c, "(restarted right after it was stopped with a client connected: its side "
			 "of that connection is in TIME_WAIT; set SO_REUSEADDR before bind)");
	return again;
}

int ctx_accept(struct ctx *c, int lfd, struct proc *p, int timeout_ms)
{
	int64_t deadline = clock_deadline(timeout_ms);

	(void)c;
	for (;;) {
		int left = clock_left_ms(deadline);
		int fd = peer_accept(lfd, left < 20 ? left : 20);
		if (fd != -ETIMEDOUT)
			return fd;
		if (left == 0)
			return -ETIMEDOUT;
		if (p && !proc_is_running(p)) {
			/* One last look: it may have connected just before it ended. */
			fd = peer_accept(lfd, 0);
			return fd >= 0 ? fd : -ECHILD;
		}
	}
}

void ctx_check_client_errors(struct ctx *c, const char *const *refused,
			     const char *const *unresolvable)
{
	uint16_t pn = ctx_port(c, 1);
	struct proc *p = ctx_startv(c, NULL, refused[0], refused + 1);

	if (!p || !ctx_wait(c, p, CHECK_EXIT_MS) ||
	    !ctx_expect_error_line(c, p, "connection refused (nothing listens on that port)"))
		return;
	const struct flow_set *fs = ctx_flows(c);
	if (!fs)
		return;
	if (flow_tcp_count(fs, pn) == 0) {
		ctx_fail(c, "expected: a connection attempt (SYN) to port %u, refused with RST, then "
			 "the error\n   seen: no SYN on the wire: %s never tried to connect", pn,
			 refused[0]);
		return;
	}
	if (c->sb->mode != SB_NETNS) {
		/* On the host a lookup could leave the machine; only a namespace has no way out. */
		ctx_log(c, "the unresolvable-host case needs a network namespace: not run");
		return;
	}
	p = ctx_startv(c, NULL, unresolvable[0], unresolvable + 1);
	if (p && ctx_wait(c, p, CHECK_EXIT_MS))
		ctx_expect_error_line(c, p, "an unresolvable host (no-such-host.invalid)");
}

void ctx_check_url_client_errors(struct ctx *c, const char *prog, const char *scheme)
{
	char refused_url[160], unknown_url[160];

	snprintf(refused_url, sizeof refused_url, "%s://127.0.0.1:%u/", scheme, ctx_port(c, 1));
	snprintf(unknown_url, sizeof unknown_url, "%s://no-such-host.invalid:%u/", scheme,
		 ctx_port(c, 1));
	const char *refused[] = { prog, refused_url, NULL };
	const char *unknown[] = { prog, unknown_url, NULL };
	ctx_check_client_errors(c, refused, unknown);
}

void ctx_check_client_timeout(struct ctx *c, const char *const *argv, const char *delim,
			      double secs, double max_s)
{
	struct peer_buf got = { 0 };
	int lfd = ctx_listen(c, "::", ctx_port(c, 0));

	if (lfd < 0)
		return;
	struct proc *p = ctx_startv(c, NULL, argv[0], argv + 1);
	int fd = p ? ctx_accept(c, lfd, p, CHECK_CONNECT_MS) : -1;
	if (p && fd < 0)
		ctx_no_connection(c, p, fd);
	if (fd >= 0)
		peer_recv_until(fd, &got, delim, 65536, CHECK_CONNECT_MS);
	/* Say nothing, keep the connection open. */
	if (p && fd >= 0 && ctx_wait(c, p, (int)(max_s * 1000))) {
		double took = (p->end_ns - p->start_ns) / 1e9;
		ctx_log(c, "%s gave up after %.2f s", argv[0], took);
		if (took < secs * 0.9)
			ctx_fail(c, "expected: %s waits %.0f s for the server\n   seen: it gave up after "
				 "%.2f s", argv[0], secs, took);
		else
			ctx_expect_error_line(c, p, "a server that accepts and never answers");
	}
	if (fd >= 0)
		close(fd);
	close(lfd);
	peer_buf_free(&got);
}

uint8_t *ctx_pattern(size_t n, uint32_t seed, bool every_byte_first)
{
	uint8_t *b = malloc(n ? n : 1);
	uint32_t x = seed ? seed : 1;

	for (size_t i = 0; b && i < n; i++) {
		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
		b[i] = every_byte_first && i < 256 ? (uint8_t)i : (uint8_t)(x >> 24);
	}
	return b;
}

/* The captures one folder keeps (one lab's of one submission): each is at most 16 MiB, but
 * a submission whose every check floods lo and fails would leave 16 MiB per check, a few
 * GiB per submission across the labs. Past this, a failed check's capture is not saved. */
#define CTX_PCAP_DIR_MAX (128u << 20)

/* The disk space the .pcap files of the folder dirfd take, in bytes. */
static uint64_t pcap_dir_bytes(int dirfd)
{
	int fd = openat(dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
	struct dirent *e;
	uint64_t sum = 0;

	if (!d) {
		if (fd >= 0)
			close(fd);
		return 0;
	}
	while ((e = readdir(d)) != NULL) {
		struct stat st;
		size_t n = strlen(e->d_name);
		if (n > 5 && strcmp(e->d_name + n - 5, ".pcap") == 0 &&
		    fstatat(fd, e->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISREG(st.st_mode))
			sum += (uint64_t)st.st_blocks * 512;
	}
	closedir(d);
	return sum;
}

void ctx_finish(struct ctx *c, int pcap_fd, const char *pcap_dir, const char *pcap_why)
{
	struct check_result *res = c->res;
	const struct sb_info *sb = c->sb;
	char why[512];

	for (size_t i = 0; i < c->nprocs; i++)
		proc_stop(&c->procs[i], 500);
	if (res->status == CHECK_PASS &&
	    (c->wire_skipped || (!c->cap && (c->check->flags & CHECK_WIRE))))
		ctx_skip(c, "the behaviour passed, but this check also reads the wire and there is no "
			 "capture here: %s%s%s", sb->why, sb->fix[0] ? "; to enable it: " : "",
			 sb->fix);
	if (!c->cap)
		return;
	if (cap_stop(c->cap, why, sizeof why) == 0) {
		res->drops = cap_drops(c->cap);
		res->packets = cap_count(c->cap);
	}
	if (c->verbose)
		ctx_log(c, "capture: %llu packets, %llu dropped", (unsigned long long)res->packets,
			(unsigned long long)res->drops);
	/* Drops under a flood past what a check keeps are the flood's: still a failure; and so
	 * is a failure the check drew without reading the wire (a server that never listened),
	 * whatever a burst of the programs' made the capture drop. */
	if (res->status == CHECK_FAIL && res->drops > 0 && !cap_overflowed(c->cap) &&
	    c->wire_read) {
		res->status = CHECK_ERROR;
		ctx_log(c, "the capture dropped %llu packets: the result is not trusted",
			(unsigned long long)res->drops);
	}
	/* A capture with nothing in it helps nobody. */
	if ((res->status == CHECK_FAIL || res->status == CHECK_ERROR) && cap_count(c->cap)) {
		char file[128];
		uint64_t used = 0;
		snprintf(file, sizeof file, "%.100s.pcap", c->check->id);
		if (pcap_fd < 0)
			ctx_log(c, "could not save the capture: %s", pcap_why);
		else if ((used = pcap_dir_bytes(pcap_fd)) >= CTX_PCAP_DIR_MAX)
			ctx_log(c, "the capture was not saved: the captures in %s already take %llu "
				"MiB (at most %u MiB a folder)", pcap_dir,
				(unsigned long long)(used >> 20), CTX_PCAP_DIR_MAX >> 20);
		else if (cap_save_at(c->cap, pcap_fd, file, why, sizeof why) == 0)
			snprintf(res->pcap, sizeof res->pcap, "%.1200s/%s", pcap_dir, file);
		else
			ctx_log(c, "could not save the capture: %s", why);
	}
	cap_close(c->cap);
	c->cap = NULL;
}
