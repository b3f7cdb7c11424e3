/* run.c - grading a lab: build, then each check in its own worker process. */
#define _GNU_SOURCE
#include "run.h"
#include "build.h"
#include "clock.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <ftw.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define CHECK_DEFAULT_MS 20000
#define RESULT_MAX       (256u << 10)
#define NS_PORT_BASE     7000
#define POOL_MAX         64       /* workers watched at once */

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

static int mkdir_p(const char *path)
{
	char tmp[1024];

	snprintf(tmp, sizeof tmp, "%s", path);
	for (char *p = tmp + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(tmp, 0755) < 0 && errno != EEXIST)
			return -errno;
		*p = '/';
	}
	if (mkdir(tmp, 0755) < 0 && errno != EEXIST)
		return -errno;
	return 0;
}

/* ---- the worker ---------------------------------------------------------------------- */

static void worker_abort(int sig)
{
	(void)sig;
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
	char *s = cJSON_PrintUnformatted(o);
	cJSON_Delete(o);
	return s;
}

static void copy_str(cJSON *o, const char *key, char *dst, size_t dstsz)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

	if (cJSON_IsString(v))
		snprintf(dst, dstsz, "%s", v->valuestring);
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

static void worker_run(const struct run_opts *o, const struct lab *lab, const struct check *ch,
		       const char *bindir, const char *pcapdir, const char *tmpdir,
		       struct check_result *res)
{
	char why[512], filter[256];
	struct ctx c = {
		.lab = lab, .check = ch, .sb = o->sb, .bindir = bindir, .res = res,
		.verbose = o->verbose,
	};

	if (sb_enter(o->sb, why, sizeof why) < 0) {
		ctx_error(&c, "cannot enter the sandbox: %s", why);
		return;
	}
	int hid = o->hide_dir ? sb_hide_dir(o->hide_dir) : 0;
	if (hid < 0 && o->verbose)
		ctx_log(&c, "%s stays visible to the programs: %s", o->hide_dir,
			hid == -EPERM ? "no private mount namespace" : strerror(-hid));
	c.tmpdir = tmpdir;
	if (o->sb->root && (chown(tmpdir, o->sb->run_uid, o->sb->run_gid) < 0 ||
			    chmod(tmpdir, 0755) < 0)) {
		ctx_error(&c, "preparing %s: %s", tmpdir, strerror(errno));
		return;
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
			return;
		}
	}
	if (o->verbose)
		ctx_log(&c, "mode %s, ports %u..%u, scratch %s", sb_mode_name(o->sb->mode),
			c.ports[0], c.ports[CTX_MAX_PORTS - 1], tmpdir);
	ch->run(&c);
	for (size_t i = 0; i < c.nprocs; i++)
		proc_stop(&c.procs[i], 500);
	if (res->status == CHECK_PASS && (c.wire_skipped || (!c.cap && (ch->flags & CHECK_WIRE))))
		ctx_skip(&c, "the behaviour passed, but this check also reads the wire and there is no "
			 "capture here: %s%s%s", o->sb->why, o->sb->fix[0] ? "; to enable it: " : "",
			 o->sb->fix);
	if (c.cap) {
		if (cap_stop(c.cap, why, sizeof why) == 0) {
			res->drops = cap_drops(c.cap);
			res->packets = cap_count(c.cap);
		}
		if (o->verbose)
			ctx_log(&c, "capture: %llu packets, %llu dropped",
				(unsigned long long)res->packets, (unsigned long long)res->drops);
		if (res->status == CHECK_FAIL && res->drops > 0) {
			res->status = CHECK_ERROR;
			ctx_log(&c, "the capture dropped %llu packets: the result is not trusted",
				(unsigned long long)res->drops);
		}
		/* A capture with nothing in it helps nobody. */
		if ((res->status == CHECK_FAIL || res->status == CHECK_ERROR) && cap_count(c.cap)) {
			char path[1400];
			snprintf(path, sizeof path, "%.1200s/%.100s.pcap", pcapdir, ch->id);
			if (mkdir_p(pcapdir) == 0 && cap_save(c.cap, path, why, sizeof why) == 0)
				snprintf(res->pcap, sizeof res->pcap, "%s", path);
			else
				ctx_log(&c, "could not save the capture: %s", why);
		}
		cap_close(c.cap);
	}
}

static void worker_main(const struct run_opts *o, const struct lab *lab, const struct check *ch,
			const char *bindir, const char *pcapdir, const char *tmpdir, int fd)
{
	struct check_result *res = calloc(1, sizeof *res);
	int cap_ms = ch->timeout_ms ? ch->timeout_ms : CHECK_DEFAULT_MS;
	struct sigaction sa = { .sa_handler = worker_abort };

	sigaction(SIGALRM, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	alarm((unsigned)(cap_ms + 999) / 1000);
	if (!res)
		_exit(4);
	worker_run(o, lab, ch, bindir, pcapdir, tmpdir, res);
	alarm(0);
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
	_exit(0);
}

/* ---- the scheduler ------------------------------------------------------------------- */

/* One check of one lab, as the scheduler sees it. */
struct job {
	struct lab_result *r;
	size_t idx;
};

struct slot {
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
	free(s->buf);
	close(s->fd);
	rm_tree(s->tmpdir);
	memset(s, 0, sizeof *s);
	s->fd = -1;
}

static int start_worker(const struct run_opts *o, struct job job, struct slot *s)
{
	int pfd[2];
	struct lab_result *r = job.r;
	const struct check *ch = r->checks[job.idx];
	char tmpdir[] = "/tmp/wirelab-check-XXXXXX", stale[1400];

	/* A capture left by an earlier run would be taken for this run's. */
	snprintf(stale, sizeof stale, "%.1200s/%.100s.pcap", r->pcap_dir, ch->id);
	unlink(stale);
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
		worker_main(o, r->lab, ch, r->bindir, r->pcap_dir, tmpdir, pfd[1]);
	}
	close(pfd[1]);
	fcntl(pfd[0], F_SETFL, O_NONBLOCK);
	memset(s, 0, sizeof *s);
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

/* Every selected check of every built lab in one pool: at most -j busy checks at once, and
 * the idle ones (waiting out a timer) beside them. Checks with a longer time limit start
 * first, so the short ones, of any lab, fill the time; results stay in table order. */
static int run_pool(const struct run_opts *o, struct lab_result *rs, size_t nlabs)
{
	int busy_max = o->jobs > 0 ? o->jobs : 1, busy = 0, jobs = busy_max;
	size_t n = 0, next = 0, running = 0;

	for (size_t l = 0; l < nlabs; l++)
		for (size_t i = 0; rs[l].built && i < rs[l].n; i++) {
			n++;
			jobs += (rs[l].checks[i]->flags & CHECK_IDLE) != 0;
		}
	/* One poll() watches at most POOL_MAX workers; idle checks beyond wait for a slot. */
	if (jobs > POOL_MAX)
		jobs = POOL_MAX > busy_max ? POOL_MAX : busy_max;
	struct slot *slots = calloc((size_t)jobs, sizeof *slots);
	struct job *order = calloc(n ? n : 1, sizeof *order);
	if (!slots || !order) {
		free(slots);
		free(order);
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
	while (next < n || running > 0) {
		for (int i = 0; i < jobs && next < n; i++) {
			if (slots[i].fd >= 0)
				continue;
			if (!job_idle(order[next]) && busy == busy_max)
				break;
			busy += !job_idle(order[next]);
			int rc = start_worker(o, order[next], &slots[i]);
			if (rc < 0) {
				struct check_result *res = &order[next].r->results[order[next].idx];
				res->status = CHECK_ERROR;
				snprintf(res->message, sizeof res->message, "cannot start a worker: %s",
					 strerror(-rc));
				busy -= !job_idle(order[next]);
			} else {
				running++;
			}
			next++;
		}
		struct pollfd pfd[POOL_MAX];
		int map[POOL_MAX], np = 0;
		for (int i = 0; i < jobs && np < POOL_MAX; i++)
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
		}
	}
	free(slots);
	free(order);
	return 0;
}

/* The runs of one check under --repeat, merged into out: a pass only when every run
 * passed; otherwise the first failing run (else the first error, else the first skip) with
 * how many of the runs passed. */
static void merge_runs(struct check_result *out, struct check_result *const *runs, int reps)
{
	int passed = 0, pick = -1;
	static const enum check_status worst[] = { CHECK_FAIL, CHECK_ERROR, CHECK_SKIP };

	for (int k = 0; k < reps; k++)
		passed += runs[k]->status == CHECK_PASS;
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
			snprintf(c->pcap_dir, sizeof c->pcap_dir, "%.1000s/run-%d", rs[l].pcap_dir, k + 1);
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
		for (size_t l = 0; l < nlabs; l++)
			free(all[(size_t)k * nlabs + l].results);
	free(all);
	return rc;
}

/* Select the lab's checks and build its programs. */
static int prepare(const struct run_opts *o, const struct lab *lab, const char *labdir,
		   struct lab_result *r, char *why, size_t whylen)
{
	char srcdir[1100];
	int64_t t0 = clock_mono_ns();

	memset(r, 0, sizeof *r);
	r->lab = lab;
	snprintf(r->labdir, sizeof r->labdir, "%s", labdir);
	if (o->pcap_dir)
		snprintf(r->pcap_dir, sizeof r->pcap_dir, "%s/%s", o->pcap_dir, lab->id);
	else
		snprintf(r->pcap_dir, sizeof r->pcap_dir, "%s/.wirelab", labdir);
	r->checks = calloc(lab->nchecks ? lab->nchecks : 1, sizeof *r->checks);
	r->results = calloc(lab->nchecks ? lab->nchecks : 1, sizeof *r->results);
	if (!r->checks || !r->results) {
		snprintf(why, whylen, "out of memory");
		return -1;
	}
	for (size_t i = 0; i < lab->nchecks; i++) {
		const struct check *ch = &lab->checks[i];
		if (o->check_pattern && fnmatch(o->check_pattern, ch->id, 0) != 0)
			continue;
		r->checks[r->n++] = ch;
		r->max_score += ch->points;
	}
	snprintf(r->bindir, sizeof r->bindir, "/tmp/wirelab-build-XXXXXX");
	if (!mkdtemp(r->bindir)) {
		snprintf(why, whylen, "mkdtemp: %s", strerror(errno));
		r->bindir[0] = '\0';
		return -1;
	}
	/* The programs run unprivileged: they must be able to reach their binaries. */
	chmod(r->bindir, 0755);
	snprintf(srcdir, sizeof srcdir, "%s/src", labdir);
	r->built = build_lab_as(lab, srcdir, r->bindir, o->sb->run_uid, o->sb->run_gid,
				&r->build_log) == 0;
	if (!r->built)
		for (size_t i = 0; i < r->n; i++) {
			r->results[i].status = CHECK_FAIL;
			snprintf(r->results[i].message, sizeof r->results[i].message,
				 "the lab did not build, so nothing could run; the build said:\n%.4000s",
				 r->build_log);
		}
	r->build_ms = (clock_mono_ns() - t0) / 1000000;
	return 0;
}

struct prep {
	const struct run_opts *o;
	const struct lab *lab;
	const char *dir;
	struct lab_result *r;
	int rc;
	char why[256];
	pthread_t thread;
	bool started;
};

static void *prepare_thread(void *arg)
{
	struct prep *p = arg;

	p->rc = prepare(p->o, p->lab, p->dir, p->r, p->why, sizeof p->why);
	return NULL;
}

int run_labs(const struct run_opts *o, const struct lab *const *labs, const char *const *dirs,
	     size_t n, struct lab_result *out, char *why, size_t whylen)
{
	int rc = 0;
	struct prep *preps = calloc(n ? n : 1, sizeof *preps);

	if (!preps) {
		snprintf(why, whylen, "out of memory");
		return -1;
	}
	/* The labs build side by side; the compilers are separate processes anyway. */
	for (size_t i = 0; i < n; i++) {
		preps[i] = (struct prep){ .o = o, .lab = labs[i], .dir = dirs[i], .r = &out[i] };
		preps[i].started = pthread_create(&preps[i].thread, NULL, prepare_thread, &preps[i]) == 0;
		if (!preps[i].started)
			prepare_thread(&preps[i]);
	}
	for (size_t i = 0; i < n; i++) {
		if (preps[i].started)
			pthread_join(preps[i].thread, NULL);
		if (preps[i].rc < 0 && rc == 0) {
			snprintf(why, whylen, "%s: %s", labs[i]->id, preps[i].why);
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
		if (r->bindir[0])
			rm_tree(r->bindir);
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
	free(r->build_log);
	free(r->checks);
	free(r->results);
	memset(r, 0, sizeof *r);
}
