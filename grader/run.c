/* run.c - grading a lab: build, then each check in its own worker process. */
#define _GNU_SOURCE
#include "run.h"
#include "build.h"
#include "clock.h"
#include "esc.h"
#include "jail.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <grp.h>
#include <ftw.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define CHECK_DEFAULT_MS 20000
#define RESULT_MAX       (256u << 10)
#define NS_PORT_BASE     7000
#define IDLE_MAX         16              /* idle checks running at once, beside -j busy ones */
/* The jail of one check: everything its programs (and the peers it starts) use together. */
#define SCRATCH_SIZE     "256m"          /* the working directory and the programs' output */
#define SCRATCH_INODES   "32768"         /* its files and folders (each costs kernel memory) */
#define JAIL_TMP_BYTES   (64ULL << 20)   /* /tmp and /dev/shm, each */
#define JAIL_MEM_BYTES   (1536ULL << 20)
#define JAIL_PIDS        1024
#define JAIL_CPU_PCT     100             /* one core */

const char *run_status_name(enum check_status s)
{
	switch (s) {
	case CHECK_PASS:  return "pass";
	case CHECK_FAIL:  return "fail";
	case CHECK_ERROR: return "error";
	case CHECK_SKIP:  return "skip";
	}
	return "?";
}

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *f)
{
	(void)st;
	(void)flag;
	(void)f;
	remove(path);
	return 0;
}

static void rm_tree(const char *dir)
{
	nftw(dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

/* Remove a check's scratch folder. In a namespace it was a tmpfs of the worker's, gone with
 * the worker: only empty folders are left here. Elsewhere the programs' files are removed
 * as the uid they ran as, so that no link they planted makes root delete anything, and root
 * only removes its own folders. */
static void scratch_remove(const struct run_opts *o, const char *dir)
{
	char w[128], p[128];

	snprintf(w, sizeof w, "%s/w", dir);
	if (o->sb->mode != SB_NETNS && o->sb->root) {
		pid_t pid = fork();
		if (pid == 0) {
			if (setgroups(0, NULL) == 0 && setgid(o->sb->run_gid) == 0 &&
			    setuid(o->sb->run_uid) == 0)
				rm_tree(w);
			_exit(0);
		}
		while (pid > 0 && waitpid(pid, NULL, 0) < 0 && errno == EINTR)
			;
		rmdir(w);
		snprintf(p, sizeof p, "%s/io", dir);
		rm_tree(p);
		snprintf(p, sizeof p, "%s/root", dir);
		rmdir(p);
		rmdir(dir);
		return;
	}
	rm_tree(dir);
}

/* ---- the worker ---------------------------------------------------------------------- */

static char *cmdline_start;
static size_t cmdline_len;

void run_set_cmdline(char *start, size_t len)
{
	cmdline_start = start;
	cmdline_len = len;
}

/* What /proc/1/cmdline shows a check's programs: "wirelab" and nothing of the command. */
static void cmdline_blank(void)
{
	if (!cmdline_start || cmdline_len < 8)
		return;
	memset(cmdline_start, 0, cmdline_len);
	memcpy(cmdline_start, "wirelab", 7);
}

/* pid 1 of the check's PID namespace, in the worker that waits for it. */
static volatile sig_atomic_t check_pid1;
/* The worker's pid as the grader sees it, for names of things the grader cleans up. */
static pid_t o_worker_pid;

static void worker_abort(int sig)
{
	(void)sig;
	if (check_pid1 > 0)
		kill(check_pid1, SIGKILL);   /* and with it everything in its namespace */
	proc_kill_all();
	_exit(3);
}

static char *result_to_json(const struct check_result *r)
{
	cJSON *o = cJSON_CreateObject();

	cJSON_AddNumberToObject(o, "status", r->status);
	cJSON_AddStringToObject(o, "message", r->message);
	cJSON_AddStringToObject(o, "ladder", r->ladder);
	cJSON_AddStringToObject(o, "pcap", r->pcap);
	cJSON_AddStringToObject(o, "log", r->log);
	cJSON_AddNumberToObject(o, "drops", (double)r->drops);
	cJSON_AddNumberToObject(o, "packets", (double)r->packets);
	cJSON_AddStringToObject(o, "hint_key", r->hint_key);
	cJSON_AddNumberToObject(o, "programs", r->programs);
	char *s = cJSON_PrintUnformatted(o);
	cJSON_Delete(o);
	return s;
}

/* Text a student's bytes may have reached: valid UTF-8 and no control characters but
 * newlines and tabs, whatever the report's format. */
static void copy_str(cJSON *o, const char *key, char *dst, size_t dstsz)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

	if (cJSON_IsString(v))
		esc_text(v->valuestring, strlen(v->valuestring), dst, dstsz);
}

static bool result_from_json(const char *s, struct check_result *r)
{
	cJSON *o = cJSON_Parse(s);

	if (!o)
		return false;
	const cJSON *st = cJSON_GetObjectItemCaseSensitive(o, "status");
	r->status = cJSON_IsNumber(st) ? (enum check_status)st->valueint : CHECK_ERROR;
	copy_str(o, "message", r->message, sizeof r->message);
	copy_str(o, "ladder", r->ladder, sizeof r->ladder);
	copy_str(o, "pcap", r->pcap, sizeof r->pcap);
	copy_str(o, "log", r->log, sizeof r->log);
	copy_str(o, "hint_key", r->hint_key, sizeof r->hint_key);
	const cJSON *d = cJSON_GetObjectItemCaseSensitive(o, "drops");
	r->drops = cJSON_IsNumber(d) ? (uint64_t)d->valuedouble : 0;
	d = cJSON_GetObjectItemCaseSensitive(o, "packets");
	r->packets = cJSON_IsNumber(d) ? (uint64_t)d->valuedouble : 0;
	d = cJSON_GetObjectItemCaseSensitive(o, "programs");
	r->programs = cJSON_IsNumber(d) ? (unsigned)d->valuedouble : 0;
	cJSON_Delete(o);
	return true;
}

/* Ports in host mode are free ones; the capture is filtered on them (and on ICMP, which
 * carries port-unreachable errors). */
static void host_filter(const struct ctx *c, char *buf, size_t bufsz)
{
	size_t used = (size_t)snprintf(buf, bufsz, "icmp or icmp6");

	for (int i = 0; i < CTX_MAX_PORTS && used < bufsz; i++)
		used += (size_t)snprintf(buf + used, bufsz - used, " or port %u", c->ports[i]);
}

/* The check's scratch space in the worker's own mount namespace: a size-capped tmpfs on
 * dir, gone with the worker. Inside: w/ (the programs' working directory, theirs to write),
 * io/ (their stdout and stderr, the grader's alone) and root/ (where the jail is built). */
static int scratch_prepare(const struct run_opts *o, const char *dir, char *why, size_t whylen)
{
	char p[128];

	if (o->sb->mode == SB_NETNS &&
	    mount("tmpfs", dir, "tmpfs", MS_NOSUID | MS_NODEV,
		  "size=" SCRATCH_SIZE ",nr_inodes=" SCRATCH_INODES ",mode=0711") < 0) {
		snprintf(why, whylen, "tmpfs on %s: %s", dir, strerror(errno));
		return -errno;
	}
	static const struct { const char *name; mode_t mode; bool theirs; } sub[] = {
		{ "w", 0755, true }, { "io", 0700, false }, { "root", 0755, false },
	};
	for (size_t i = 0; i < sizeof sub / sizeof *sub; i++) {
		snprintf(p, sizeof p, "%s/%s", dir, sub[i].name);
		if (mkdir(p, sub[i].mode) < 0 ||
		    (sub[i].theirs && o->sb->root && chown(p, o->sb->run_uid, o->sb->run_gid) < 0)) {
			snprintf(why, whylen, "preparing %s: %s", p, strerror(errno));
			return -errno;
		}
	}
	return chmod(dir, 0711) < 0 ? -errno : 0;
}

static void worker_run(const struct run_opts *o, const struct lab_result *r,
		       const struct check *ch, const char *scratch, struct check_result *res)
{
	char why[512], filter[256], work[128], io[128], root[128], name[64];
	struct jail jail = { .mntns = -1 };
	struct ctx c = {
		.lab = r->lab, .check = ch, .sb = o->sb, .bindir = r->bindir, .res = res,
		.verbose = o->verbose, .unbuilt = r->unbuilt, .build_log = r->build_log,
	};

	snprintf(work, sizeof work, "%s/w", scratch);
	snprintf(io, sizeof io, "%s/io", scratch);
	snprintf(root, sizeof root, "%s/root", scratch);
	c.tmpdir = work;
	c.iodir = io;
	if (scratch_prepare(o, scratch, why, sizeof why) < 0) {
		ctx_error(&c, "cannot prepare the check's scratch space: %s", why);
		return;
	}
	if (o->sb->mode == SB_NETNS) {
		struct jail_view v = { .root = root, .rw = { work }, .ro = { r->bindir },
				       .tmp_bytes = JAIL_TMP_BYTES };
		struct jail_limits lim = { .mem_bytes = JAIL_MEM_BYTES, .pids = JAIL_PIDS,
					   .cpu_pct = JAIL_CPU_PCT };
		/* Named after the worker, whose pid the grader knows (this is pid 1 in here). */
		snprintf(name, sizeof name, "check-%d", (int)o_worker_pid);
		if (jail_open(&jail, &v, &lim, name, o->sb->run_uid, o->sb->run_gid, o->sb->root,
			      why, sizeof why) < 0) {
			ctx_error(&c, "cannot build the jail: %s", why);
			return;
		}
		c.jail = &jail;
	}
	for (int i = 0; i < CTX_MAX_PORTS; i++)
		c.ports[i] = o->sb->mode == SB_NETNS ? (uint16_t)(NS_PORT_BASE + i) : sb_free_port();
	if (o->sb->mode != SB_NOCAP) {
		if (o->sb->mode == SB_HOST)
			host_filter(&c, filter, sizeof filter);
		c.cap = cap_start("lo", o->sb->mode == SB_HOST ? filter : NULL, ch->ring_mib, why,
				  sizeof why);
		if (!c.cap) {
			ctx_error(&c, "cannot capture on lo: %s", why);
			jail_close(&jail);
			return;
		}
	}
	if (o->verbose)
		ctx_log(&c, "mode %s, ports %u..%u, scratch %s", sb_mode_name(o->sb->mode),
			c.ports[0], c.ports[CTX_MAX_PORTS - 1], work);
	ch->run(&c);
	ctx_finish(&c, r->pcap_fd, r->pcap_dir, r->pcap_why);
	/* Whatever the programs left behind (daemons, orphans) dies with the jail. */
	jail_close(&jail);
}

static void send_result(const struct check_result *res, int fd)
{
	char *s = result_to_json(res);
	size_t len = s ? strlen(s) : 0, off = 0;

	while (off < len) {
		ssize_t n = write(fd, s + off, len - off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		off += (size_t)n;
	}
	free(s);
}

static void worker_main(const struct run_opts *o, const struct lab_result *r,
			const struct check *ch, const char *tmpdir, int fd)
{
	struct check_result *res = calloc(1, sizeof *res);
	int cap_ms = ch->timeout_ms ? ch->timeout_ms : CHECK_DEFAULT_MS;
	struct sigaction sa = { .sa_handler = worker_abort };
	char why[512];

	sigaction(SIGALRM, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	alarm((unsigned)(cap_ms + 999) / 1000);
	o_worker_pid = getpid();
	/* When the grader dies, so does the worker, and with it the check's jail. */
	prctl(PR_SET_PDEATHSIG, SIGTERM);
	if (!res)
		_exit(4);
	if (sb_enter(o->sb, why, sizeof why) < 0) {
		res->status = CHECK_ERROR;
		snprintf(res->message, sizeof res->message, "cannot enter the sandbox: %s", why);
		send_result(res, fd);
		_exit(0);
	}
	if (o->sb->mode == SB_NETNS) {
		/* The check runs as pid 1 of a PID namespace of its own; this process only waits
		 * and, on the time limit, kills it and everything in it. */
		pid_t pid = jail_fork_pidns(why, sizeof why);
		if (pid == 0) {
			/* Unhandled signals from inside never reach pid 1: no program can stop it. */
			signal(SIGALRM, SIG_DFL);
			signal(SIGTERM, SIG_DFL);
			signal(SIGINT, SIG_DFL);
			alarm(0);
			cmdline_blank();
			worker_run(o, r, ch, tmpdir, res);
			send_result(res, fd);
			_exit(0);
		}
		if (pid < 0) {
			res->status = CHECK_ERROR;
			snprintf(res->message, sizeof res->message, "cannot build the jail: %s", why);
			send_result(res, fd);
			_exit(0);
		}
		check_pid1 = pid;
		close(fd);
		int st = 0;
		while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
			;
		_exit(WIFEXITED(st) ? WEXITSTATUS(st) : 4);
	}
	worker_run(o, r, ch, tmpdir, res);
	alarm(0);
	send_result(res, fd);
	_exit(0);
}

/* ---- the scheduler ------------------------------------------------------------------- */

/* One check of one lab, as the scheduler sees it. */
struct job {
	struct lab_result *r;
	size_t idx;
};

struct slot {
	const struct run_opts *o;
	pid_t pid;
	int fd;
	struct job job;
	int64_t start_ns, cap_ns;
	char *buf;
	size_t len;
	bool eof;
	char tmpdir[64];     /* the check's scratch directory, removed when it ends */
};

static void slot_finish(struct slot *s, bool killed)
{
	struct lab_result *r = s->job.r;
	struct check_result *res = &r->results[s->job.idx];
	int st = 0;

	while (waitpid(s->pid, &st, 0) < 0 && errno == EINTR)
		;
	int64_t now = clock_mono_ns();
	res->duration_ms = (now - s->start_ns) / 1000000;
	if (now > r->checks_end_ns)
		r->checks_end_ns = now;
	if (killed) {
		res->status = CHECK_ERROR;
		snprintf(res->message, sizeof res->message,
			 "the check did not finish within its hard cap of %lld ms and was stopped "
			 "(a grader fault, not yours)", (long long)(s->cap_ns / 1000000));
	} else if (!s->buf || !result_from_json(s->buf, res)) {
		const struct check *ch = r->checks[s->job.idx];
		res->status = CHECK_ERROR;
		if (WIFEXITED(st) && WEXITSTATUS(st) == 3)
			snprintf(res->message, sizeof res->message,
				 "the check did not finish within its time limit of %d ms and was "
				 "stopped (a grader fault, not yours)",
				 ch->timeout_ms ? ch->timeout_ms : CHECK_DEFAULT_MS);
		else
			snprintf(res->message, sizeof res->message,
				 "the check's worker ended without a result (wait status %#x): a "
				 "grader fault, not yours", (unsigned)st);
	}
	if (r->budget_ns)
		*r->budget_ns -= now - s->start_ns;
	if (s->o->on_check)
		s->o->on_check(s->o->on_check_arg, r, s->job.idx);
	free(s->buf);
	close(s->fd);
	char name[64];
	snprintf(name, sizeof name, "check-%d", (int)s->pid);
	jail_cleanup(name);
	scratch_remove(s->o, s->tmpdir);
	memset(s, 0, sizeof *s);
	s->fd = -1;
}

static int start_worker(const struct run_opts *o, struct job job, struct slot *s)
{
	int pfd[2];
	struct lab_result *r = job.r;
	const struct check *ch = r->checks[job.idx];
	char tmpdir[] = "/tmp/wirelab-check-XXXXXX", stale[128];

	/* A capture left by an earlier run would be taken for this run's (unlinkat removes a
	 * link, never what it points at). */
	snprintf(stale, sizeof stale, "%.100s.pcap", ch->id);
	if (r->pcap_fd >= 0)
		unlinkat(r->pcap_fd, stale, 0);
	if (!mkdtemp(tmpdir))
		return -errno;
	if (pipe2(pfd, O_CLOEXEC) < 0) {
		rm_tree(tmpdir);
		return -errno;
	}
	fflush(NULL);
	pid_t pid = fork();
	if (pid < 0) {
		int e = errno;
		close(pfd[0]);
		close(pfd[1]);
		rm_tree(tmpdir);
		return -e;
	}
	if (pid == 0) {
		close(pfd[0]);
		worker_main(o, r, ch, tmpdir, pfd[1]);
	}
	close(pfd[1]);
	fcntl(pfd[0], F_SETFL, O_NONBLOCK);
	memset(s, 0, sizeof *s);
	s->o = o;
	s->pid = pid;
	s->fd = pfd[0];
	s->job = job;
	snprintf(s->tmpdir, sizeof s->tmpdir, "%s", tmpdir);
	s->start_ns = clock_mono_ns();
	if (!r->checks_start_ns)
		r->checks_start_ns = s->start_ns;
	s->cap_ns = (int64_t)((ch->timeout_ms ? ch->timeout_ms : CHECK_DEFAULT_MS) + 5000) * 1000000;
	return 0;
}

static void slot_read(struct slot *s)
{
	char tmp[16384];

	for (;;) {
		ssize_t n = read(s->fd, tmp, sizeof tmp);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return;   /* EAGAIN */
		if (n == 0) {
			s->eof = true;
			return;
		}
		if (s->len + (size_t)n > RESULT_MAX)
			continue;
		char *b = realloc(s->buf, s->len + (size_t)n + 1);
		if (!b)
			return;
		s->buf = b;
		memcpy(s->buf + s->len, tmp, (size_t)n);
		s->len += (size_t)n;
		s->buf[s->len] = '\0';
	}
}

static int job_timeout(struct job j)
{
	return j.r->checks[j.idx]->timeout_ms;
}

static bool job_idle(struct job j)
{
	return j.r->checks[j.idx]->flags & CHECK_IDLE;
}

/* The submission's check time is spent: the check is not run, and says so. */
static bool budget_spent(const struct run_opts *o, struct job j)
{
	if (!j.r->budget_ns || *j.r->budget_ns > 0)
		return false;
	struct check_result *res = &j.r->results[j.idx];
	res->status = CHECK_ERROR;
	snprintf(res->message, sizeof res->message,
		 "not run: the submission's checks used up its time limit");
	if (o->on_check)
		o->on_check(o->on_check_arg, j.r, j.idx);
	return true;
}

/* Every selected check of every built lab in one pool: at most -j busy checks at once, and
 * the idle ones (waiting out a timer) beside them. Checks with a longer time limit start
 * first, so the short ones, of any lab, fill the time; results stay in table order. */
static int run_pool(const struct run_opts *o, struct lab_result *rs, size_t nlabs)
{
	int busy_max = o->jobs > 0 ? o->jobs : 1, busy = 0, jobs = busy_max, idle_running = 0;
	size_t n = 0, nidle = 0, running = 0;

	for (size_t l = 0; l < nlabs; l++)
		for (size_t i = 0; rs[l].built && i < rs[l].n; i++) {
			n++;
			nidle += (rs[l].checks[i]->flags & CHECK_IDLE) != 0;
		}
	/* Idle checks wait beside the busy ones, but each holds a worker, a jail and a
	 * capture ring: a class's worth at once would not fit in memory. */
	jobs += nidle < IDLE_MAX ? (int)nidle : IDLE_MAX;
	struct slot *slots = calloc((size_t)jobs, sizeof *slots);
	struct job *order = calloc(n ? n : 1, sizeof *order);
	struct pollfd *pfd = calloc((size_t)jobs, sizeof *pfd);
	int *map = calloc((size_t)jobs, sizeof *map);
	if (!slots || !order || !pfd || !map) {
		free(slots);
		free(order);
		free(pfd);
		free(map);
		return -ENOMEM;
	}
	n = 0;
	for (size_t l = 0; l < nlabs; l++)
		for (size_t i = 0; rs[l].built && i < rs[l].n; i++)
			order[n++] = (struct job){ &rs[l], i };
	for (size_t i = 1; i < n; i++)
		for (size_t k = i; k > 0 && (job_idle(order[k]) > job_idle(order[k - 1]) ||
					     (job_idle(order[k]) == job_idle(order[k - 1]) &&
					      job_timeout(order[k]) > job_timeout(order[k - 1]))); k--) {
			struct job t = order[k];
			order[k] = order[k - 1];
			order[k - 1] = t;
		}
	for (int i = 0; i < jobs; i++)
		slots[i].fd = -1;
	/* order[] holds the idle checks first, then the busy ones. */
	size_t next_idle = 0, next_busy = nidle;
	while (next_idle < nidle || next_busy < n || running > 0) {
		for (int i = 0; i < jobs; i++) {
			if (slots[i].fd >= 0)
				continue;
			size_t *cur;
			if (next_idle < nidle && idle_running < IDLE_MAX)
				cur = &next_idle;
			else if (next_busy < n && busy < busy_max)
				cur = &next_busy;
			else
				break;
			struct job jb = order[(*cur)++];
			if (budget_spent(o, jb)) {
				i--;   /* this slot is still free: the next check */
				continue;
			}
			bool idle = job_idle(jb);
			int rc = start_worker(o, jb, &slots[i]);
			if (rc < 0) {
				struct check_result *res = &jb.r->results[jb.idx];
				res->status = CHECK_ERROR;
				snprintf(res->message, sizeof res->message, "cannot start a worker: %s",
					 strerror(-rc));
			} else {
				running++;
				busy += !idle;
				idle_running += idle;
			}
		}
		int np = 0;
		for (int i = 0; i < jobs; i++)
			if (slots[i].fd >= 0) {
				pfd[np] = (struct pollfd){ .fd = slots[i].fd, .events = POLLIN };
				map[np++] = i;
			}
		if (np == 0)
			continue;
		poll(pfd, (nfds_t)np, 50);
		for (int k = 0; k < np; k++) {
			struct slot *s = &slots[map[k]];
			if (pfd[k].revents)
				slot_read(s);
			bool idle = job_idle(s->job);
			if (s->eof) {
				slot_finish(s, false);
			} else if (clock_mono_ns() - s->start_ns > s->cap_ns) {
				kill(s->pid, SIGKILL);
				slot_finish(s, true);
			} else {
				continue;
			}
			running--;
			busy -= !idle;
			idle_running -= idle;
		}
	}
	free(slots);
	free(order);
	free(pfd);
	free(map);
	return 0;
}

/* The runs of one check under --repeat, merged into out: a pass only when every run
 * passed; otherwise the first failing run (else the first error, else the first skip) with
 * how many of the runs passed. */
static void merge_runs(struct check_result *out, struct check_result *const *runs, int reps)
{
	int passed = 0, failed = 0, pick = -1;
	static const enum check_status worst[] = { CHECK_FAIL, CHECK_ERROR, CHECK_SKIP };

	unsigned programs = 0;

	for (int k = 0; k < reps; k++) {
		passed += runs[k]->status == CHECK_PASS;
		failed += runs[k]->status == CHECK_FAIL;
		programs |= runs[k]->programs;
	}
	for (size_t w = 0; w < sizeof worst / sizeof *worst && pick < 0; w++)
		for (int k = 0; k < reps && pick < 0; k++)
			if (runs[k]->status == worst[w])
				pick = k;
	if (pick < 0)
		pick = 0;
	if (out != runs[pick])
		*out = *runs[pick];
	out->runs = reps;
	out->runs_passed = passed;
	out->runs_failed = failed;
	out->programs = programs;
	if (out->status == CHECK_PASS)
		return;
	char msg[sizeof out->message];
	snprintf(msg, sizeof msg, "passed %d of %d runs; run %d said:\n%.6000s", passed, reps,
		 pick + 1, out->message);
	memcpy(out->message, msg, sizeof msg);
}

/* With --repeat N every selected check runs N times in the same pool: run k > 1 of a lab
 * writes into a copy of its lab_result with results of its own and its captures under
 * <pcap dir>/run-k, and the runs are then merged into the lab's results. */
static int run_jobs(const struct run_opts *o, struct lab_result *rs, size_t nlabs)
{
	int reps = o->repeat > 1 ? o->repeat : 1;

	if (reps == 1)
		return run_pool(o, rs, nlabs);
	struct lab_result *all = calloc(nlabs * (size_t)reps, sizeof *all);
	int rc = all ? 0 : -ENOMEM;
	for (int k = 0; rc == 0 && k < reps; k++)
		for (size_t l = 0; l < nlabs; l++) {
			struct lab_result *c = &all[(size_t)k * nlabs + l];
			*c = rs[l];
			if (k == 0)
				continue;
			c->results = calloc(rs[l].n ? rs[l].n : 1, sizeof *c->results);
			if (!c->results)
				rc = -ENOMEM;
			/* Its own folder of captures, beside run 1's, never through a link. */
			char sub[16];
			snprintf(sub, sizeof sub, "run-%d", k + 1);
			snprintf(c->pcap_dir, sizeof c->pcap_dir, "%.1000s/%s", rs[l].pcap_dir, sub);
			c->pcap_fd = -1;
			if (rs[l].pcap_fd >= 0 && (mkdirat(rs[l].pcap_fd, sub, 0755) == 0 || errno == EEXIST))
				c->pcap_fd = jail_open_beneath(rs[l].pcap_fd, sub, O_RDONLY | O_DIRECTORY, 0);
			if (c->pcap_fd < 0)
				snprintf(c->pcap_why, sizeof c->pcap_why, "%.900s: %s", c->pcap_dir,
					 rs[l].pcap_fd < 0 ? rs[l].pcap_why : strerror(-c->pcap_fd));
		}
	if (rc == 0)
		rc = run_pool(o, all, nlabs * (size_t)reps);
	for (size_t l = 0; rc == 0 && l < nlabs; l++) {
		struct check_result *runs[reps];
		for (int k = 0; k < reps; k++) {
			const struct lab_result *c = &all[(size_t)k * nlabs + l];
			if (c->checks_start_ns && (!rs[l].checks_start_ns ||
						   c->checks_start_ns < rs[l].checks_start_ns))
				rs[l].checks_start_ns = c->checks_start_ns;
			if (c->checks_end_ns > rs[l].checks_end_ns)
				rs[l].checks_end_ns = c->checks_end_ns;
		}
		for (size_t i = 0; rs[l].built && i < rs[l].n; i++) {
			for (int k = 0; k < reps; k++)
				runs[k] = &all[(size_t)k * nlabs + l].results[i];
			merge_runs(&rs[l].results[i], runs, reps);
		}
	}
	for (int k = 1; all && k < reps; k++)
		for (size_t l = 0; l < nlabs; l++) {
			free(all[(size_t)k * nlabs + l].results);
			if (all[(size_t)k * nlabs + l].pcap_fd >= 0)
				close(all[(size_t)k * nlabs + l].pcap_fd);
		}
	free(all);
	return rc;
}

int run_open_beneath(int dirfd, const char *rel)
{
	if (strcmp(rel, ".") == 0) {
		int fd = fcntl(dirfd, F_DUPFD_CLOEXEC, 0);
		return fd < 0 ? -errno : fd;
	}
	return jail_open_beneath(dirfd, rel, O_RDONLY | O_DIRECTORY, 0);
}

/* Where the unit's captures are saved: its pcap_dir (made if missing: the grader's user
 * named it), else .wirelab in the lab's folder, never through a link. r->pcap_fd stays -1
 * with the reason otherwise. */
static void open_pcap_dir(const struct run_unit *u, struct lab_result *r, int labfd)
{
	int base = -1, rc;

	r->pcap_fd = -1;
	if (u->no_pcap) {
		snprintf(r->pcap_why, sizeof r->pcap_why, "captures are not kept (--no-pcap)");
		return;
	}
	if (u->pcap_dir) {
		if ((rc = jail_mkdir_all(u->pcap_dir)) < 0 ||
		    (r->pcap_fd = open(u->pcap_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
			snprintf(r->pcap_why, sizeof r->pcap_why, "%.900s: %s", u->pcap_dir,
				 strerror(rc < 0 ? -rc : errno));
		return;
	}
	const char *sub = ".wirelab";
	if (labfd < 0 || (base = fcntl(labfd, F_DUPFD_CLOEXEC, 0)) < 0) {
		snprintf(r->pcap_why, sizeof r->pcap_why, "no lab folder");
		return;
	}
	if (mkdirat(base, sub, 0755) < 0 && errno != EEXIST) {
		snprintf(r->pcap_why, sizeof r->pcap_why, "%.900s/%s: %s", r->pcap_dir, sub,
			 strerror(errno));
	} else {
		r->pcap_fd = jail_open_beneath(base, sub, O_RDONLY | O_DIRECTORY, 0);
		if (r->pcap_fd < 0)
			snprintf(r->pcap_why, sizeof r->pcap_why, "%.900s: %s", r->pcap_dir,
				 r->pcap_fd == -ELOOP ? "a symbolic link (not followed)"
						      : strerror(-r->pcap_fd));
	}
	close(base);
}

int run_default_jobs(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);

	return n < 1 ? 2 : n > 32 ? 64 : (int)(2 * n);
}

bool run_check_selected(const struct run_opts *o, const char *id)
{
	bool any = !o->checks;

	for (size_t i = 0; o->checks && o->checks[i] && !any; i++)
		any = fnmatch(o->checks[i], id, 0) == 0;
	if (any && o->only) {
		bool also = false;
		for (size_t i = 0; o->only[i] && !also; i++)
			also = fnmatch(o->only[i], id, 0) == 0;
		any = also;
	}
	for (size_t i = 0; o->excludes && o->excludes[i] && any; i++)
		any = fnmatch(o->excludes[i], id, 0) != 0;
	return any;
}

/* Select the lab's checks and build its programs. */
static int prepare(const struct run_opts *o, const struct run_unit *u, struct lab_result *r,
		   char *why, size_t whylen)
{
	const struct lab *lab = u->lab;
	int64_t t0 = clock_mono_ns();
	unsigned all = 0;

	memset(r, 0, sizeof *r);
	r->lab = lab;
	r->pcap_fd = -1;
	r->budget_ns = u->budget_ns;
	esc_text(u->dir, strlen(u->dir), r->labdir, sizeof r->labdir);
	if (u->pcap_dir)
		esc_text(u->pcap_dir, strlen(u->pcap_dir), r->pcap_dir, sizeof r->pcap_dir);
	else
		snprintf(r->pcap_dir, sizeof r->pcap_dir, "%.1000s/.wirelab", r->labdir);
	r->checks = calloc(lab->nchecks ? lab->nchecks : 1, sizeof *r->checks);
	r->results = calloc(lab->nchecks ? lab->nchecks : 1, sizeof *r->results);
	if (!r->checks || !r->results) {
		snprintf(why, whylen, "out of memory");
		return -1;
	}
	for (size_t i = 0; i < lab->nchecks; i++) {
		const struct check *ch = &lab->checks[i];
		if (!run_check_selected(o, ch->id))
			continue;
		r->checks[r->n++] = ch;
		r->max_score += ch->points;
	}
	for (size_t i = 0; lab->programs[i]; i++)
		all |= 1u << i;
	snprintf(r->builddir, sizeof r->builddir, "/tmp/wirelab-build-XXXXXX");
	if (!mkdtemp(r->builddir)) {
		snprintf(why, whylen, "mkdtemp: %s", strerror(errno));
		r->builddir[0] = '\0';
		return -1;
	}
	/* The programs run unprivileged: they must be able to reach their binaries. */
	chmod(r->builddir, 0755);
	snprintf(r->bindir, sizeof r->bindir, "%s/out", r->builddir);
	int labfd = u->dir_fd < 0 ? u->dir_fd : fcntl(u->dir_fd, F_DUPFD_CLOEXEC, 0);
	if (u->dir_fd >= 0 && labfd < 0)
		labfd = -errno;
	open_pcap_dir(u, r, labfd);
	if (labfd < 0) {
		char msg[300];
		snprintf(msg, sizeof msg, "no lab folder %s: %s\n", lab->id,
			 labfd == -ELOOP || labfd == -EXDEV ? "a symbolic link (not followed)"
							   : strerror(-labfd));
		r->build_log = strdup(msg);
		r->unbuilt = all;
	} else {
		struct build_opts bo = {
			.jail = o->sb->mode == SB_NETNS, .drop = o->sb->root,
			.uid = o->sb->run_uid, .gid = o->sb->run_gid,
		};
		build_submission(lab, labfd, u->flat, r->builddir, &bo, &r->build_log, &r->unbuilt);
		close(labfd);
	}
	if (r->build_log) {
		/* File names and compiler output are the student's bytes. */
		size_t n = strlen(r->build_log), cap = n * 4 + 1;
		char *clean = malloc(cap);
		if (clean) {
			esc_text(r->build_log, n, clean, cap);
			free(r->build_log);
			r->build_log = clean;
		}
	}
	r->built = r->unbuilt != all;
	if (!r->built)
		for (size_t i = 0; i < r->n; i++) {
			r->results[i].status = CHECK_FAIL;
			snprintf(r->results[i].message, sizeof r->results[i].message,
				 "the lab did not build, so nothing could run; the build said:\n%.4000s",
				 r->build_log ? r->build_log : "");
		}
	r->build_ms = (clock_mono_ns() - t0) / 1000000;
	return 0;
}

struct prep {
	const struct run_opts *o;
	const struct run_unit *u;
	struct lab_result *r;
	int rc;
	char why[256];
	pthread_t thread;
	bool started;
};

static void *prepare_thread(void *arg)
{
	struct prep *p = arg;

	p->rc = prepare(p->o, p->u, p->r, p->why, sizeof p->why);
	return NULL;
}

int run_units(const struct run_opts *o, const struct run_unit *units, size_t n,
	      struct lab_result *out, char *why, size_t whylen)
{
	int rc = 0;
	struct prep *preps = calloc(n ? n : 1, sizeof *preps);

	if (!preps) {
		snprintf(why, whylen, "out of memory");
		return -1;
	}
	/* The labs build side by side; the compilers are separate processes anyway. */
	for (size_t i = 0; i < n; i++) {
		preps[i] = (struct prep){ .o = o, .u = &units[i], .r = &out[i] };
		preps[i].started = pthread_create(&preps[i].thread, NULL, prepare_thread, &preps[i]) == 0;
		if (!preps[i].started)
			prepare_thread(&preps[i]);
	}
	for (size_t i = 0; i < n; i++) {
		if (preps[i].started)
			pthread_join(preps[i].thread, NULL);
		if (preps[i].rc < 0 && rc == 0) {
			snprintf(why, whylen, "%s: %s", units[i].lab->id, preps[i].why);
			rc = -1;
		}
	}
	free(preps);
	if (rc == 0 && run_jobs(o, out, n) < 0) {
		snprintf(why, whylen, "cannot run the checks: out of memory");
		rc = -1;
	}
	for (size_t i = 0; i < n; i++) {
		struct lab_result *r = &out[i];
		if (r->builddir[0])
			rm_tree(r->builddir);
		for (size_t k = 0; k < r->n; k++) {
			r->results[k].score = r->results[k].status == CHECK_PASS ? r->checks[k]->points : 0;
			r->score += r->results[k].score;
		}
		r->duration_ms = r->build_ms + (r->checks_end_ns - r->checks_start_ns) / 1000000;
	}
	return rc;
}

void run_lab_free(struct lab_result *r)
{
	if (r->pcap_fd >= 0)
		close(r->pcap_fd);
	free(r->build_log);
	free(r->checks);
	free(r->results);
	memset(r, 0, sizeof *r);
}
