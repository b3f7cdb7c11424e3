/* proc.c - running untrusted programs in their own process group, with limits. */
#define _GNU_SOURCE
#include "proc.h"
#include "clock.h"
#include "jail.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define PROC_MAX_GROUPS 256
#define PROC_PEER_TMP_BYTES (256ULL << 20)   /* a peer's /tmp (its working directory) and /dev/shm */

/* Process groups started by this process and not yet reaped. Read from signal handlers,
 * so plain sig_atomic_t slots and no locks. */
static volatile sig_atomic_t proc_groups[PROC_MAX_GROUPS];

static void groups_add(pid_t pg)
{
	for (int i = 0; i < PROC_MAX_GROUPS; i++)
		if (proc_groups[i] == 0) {
			proc_groups[i] = pg;
			return;
		}
}

static void groups_del(pid_t pg)
{
	for (int i = 0; i < PROC_MAX_GROUPS; i++)
		if (proc_groups[i] == pg)
			proc_groups[i] = 0;
}

void proc_kill_all(void)
{
	for (int i = 0; i < PROC_MAX_GROUPS; i++)
		if (proc_groups[i] > 0)
			kill(-(pid_t)proc_groups[i], SIGKILL);
}

struct proc_limits proc_default_limits(void)
{
	struct proc_limits l = {
		.cpu_s = 30,
		.as_bytes = 4ULL << 30,   /* thread-per-client servers map a stack per thread */
		.nproc = 2048,            /* counted per uid: parallel checks share it */
		.nofile = 1024,
		.fsize = 64ULL << 20,     /* a 16 MiB echo fits; a runaway printf loop does not */
	};
	return l;
}

static void set_limit(int res, rlim_t v)
{
	struct rlimit r = { v, v };

	setrlimit(res, &r);
}

/* In the child: a failure is written to stderr (already redirected) and ends it with 127. */
static void child_fail(const char *what)
{
	char buf[256];
	int n = snprintf(buf, sizeof buf, "wirelab: cannot start program: %s: %s\n",
			 what, strerror(errno));

	if (n > 0 && write(STDERR_FILENO, buf, (size_t)n) < 0)
		_exit(127);
	_exit(127);
}

static int open_out(const char *path)
{
	return open(path ? path : "/dev/null", O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC,
		    0644);
}

static void child_exec(const struct proc_spec *s, int in, int out, int err)
{
	if (dup2(err, STDERR_FILENO) < 0 || dup2(out, STDOUT_FILENO) < 0 ||
	    dup2(in, STDIN_FILENO) < 0)
		_exit(127);
	/* In a jail: its mount namespace and cgroup first; a peer then a view of its own, its
	 * files opened before, from the grader's side. */
	if (s->jail) {
		int files = s->peer && s->peer_files
				    ? open(s->peer_files, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
				    : -1;
		int rc = jail_join(s->jail, s->peer ? NULL : s->cwd);
		if (rc == 0 && s->peer)
			rc = jail_peer_view(s->cwd, files, PROC_PEER_TMP_BYTES, s->drop_privileges,
					    s->uid, s->gid);
		if (rc < 0) {
			errno = -rc;
			child_fail(s->peer ? "preparing the peer's view" : "entering the jail");
		}
		if (files >= 0)
			close(files);
	} else if (s->cwd && chdir(s->cwd) < 0) {
		child_fail("chdir");
	}
	/* Default dispositions and an empty mask: the grader's own handlers are not theirs. */
	for (int sig = 1; sig < NSIG; sig++)
		signal(sig, SIG_DFL);
	sigset_t none;
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	set_limit(RLIMIT_CPU, (rlim_t)s->limits.cpu_s);
	set_limit(RLIMIT_AS, (rlim_t)s->limits.as_bytes);
	set_limit(RLIMIT_NPROC, (rlim_t)s->limits.nproc);
	set_limit(RLIMIT_NOFILE, (rlim_t)s->limits.nofile);
	set_limit(RLIMIT_FSIZE, (rlim_t)s->limits.fsize);
	set_limit(RLIMIT_CORE, 0);
	/* Descriptors, session (its pid is the group to signal), uid, seccomp. */
	int rc = jail_lockdown(s->drop_privileges, s->uid, s->gid);
	if (rc < 0) {
		errno = -rc;
		child_fail("locking the program down");
	}
	/* After the uid change, which clears it. */
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	char *env[] = { "PATH=/usr/local/bin:/usr/bin:/bin", "LANG=C", "LC_ALL=C",
			"HOME=/tmp", NULL };
	execve(s->argv[0], (char *const *)s->argv, env);
	child_fail(s->argv[0]);
}

int proc_spawn(struct proc *p, const struct proc_spec *s, char *why, size_t whylen)
{
	int in = -1, out = -1, err = -1, rc = 0, sync[2] = { -1, -1 };
	const char *base = strrchr(s->argv[0], '/');

	memset(p, 0, sizeof *p);
	snprintf(p->name, sizeof p->name, "%s", base ? base + 1 : s->argv[0]);
	/* A regular file, a FIFO the check made (opened without waiting for a writer: the
	 * grader never blocks here), or /dev/null; never through a link. */
	in = open(s->stdin_path ? s->stdin_path : "/dev/null",
		  O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	struct stat st;
	if (in < 0 || fstat(in, &st) < 0 ||
	    (s->stdin_path && !S_ISREG(st.st_mode) && !S_ISFIFO(st.st_mode)) ||
	    fcntl(in, F_SETFL, 0) < 0) {
		rc = in < 0 ? -errno : -EINVAL;
		snprintf(why, whylen, "open %s: %s", s->stdin_path ? s->stdin_path : "/dev/null",
			 in < 0 ? strerror(errno) : "not a regular file or a FIFO");
		goto out_fds;
	}
	out = open_out(s->stdout_path);
	err = open_out(s->stderr_path);
	if (out < 0 || err < 0) {
		rc = -errno;
		snprintf(why, whylen, "create output files: %s", strerror(errno));
		goto out_fds;
	}
	/* Writable by the unprivileged uid the program runs as. */
	if (s->drop_privileges && geteuid() == 0)
		if (fchown(out, s->uid, s->gid) < 0 || fchown(err, s->uid, s->gid) < 0) {
			rc = -errno;
			snprintf(why, whylen, "chown output files: %s", strerror(errno));
			goto out_fds;
		}
	/* Closed by the child's lockdown once it has a session of its own: nobody signals the
	 * group before it exists. */
	if (jail_init(why, whylen) < 0) {
		rc = -ENOSYS;
		goto out_fds;
	}
	if (pipe2(sync, O_CLOEXEC) < 0) {
		rc = -errno;
		snprintf(why, whylen, "pipe: %s", strerror(errno));
		goto out_fds;
	}
	p->start_ns = clock_mono_ns();
	pid_t pid = fork();
	if (pid < 0) {
		rc = -errno;
		snprintf(why, whylen, "fork: %s", strerror(errno));
		goto out_fds;
	}
	if (pid == 0) {
		close(sync[0]);
		child_exec(s, in, out, err);
	}
	close(sync[1]);
	sync[1] = -1;
	char c;
	while (read(sync[0], &c, 1) < 0 && errno == EINTR)
		;
	p->pid = pid;
	groups_add(pid);
out_fds:
	for (int i = 0; i < 2; i++)
		if (sync[i] >= 0)
			close(sync[i]);
	if (in >= 0)
		close(in);
	if (out >= 0)
		close(out);
	if (err >= 0)
		close(err);
	return rc;
}

static bool reap(struct proc *p, int flags)
{
	int st;
	pid_t r;

	if (p->pid <= 0 || p->exited)
		return p->exited;
	do
		r = waitpid(p->pid, &st, flags);
	while (r < 0 && errno == EINTR);
	if (r == p->pid) {
		p->exited = true;
		p->status = st;
		p->end_ns = clock_mono_ns();
	} else if (r < 0 && errno == ECHILD) {
		p->exited = true;
		p->status = 0;
		p->end_ns = clock_mono_ns();
	}
	return p->exited;
}

bool proc_is_running(struct proc *p)
{
	return p->pid > 0 && !reap(p, WNOHANG);
}

int proc_wait(struct proc *p, int timeout_ms)
{
	int64_t deadline = clock_deadline(timeout_ms);
	int nap = 1;

	while (!reap(p, WNOHANG)) {
		if (clock_left_ms(deadline) <= 0)
			return -ETIMEDOUT;
		clock_sleep_ms(nap);
		if (nap < 10)
			nap++;
	}
	return 0;
}

void proc_stop(struct proc *p, int grace_ms)
{
	if (p->pid <= 0)
		return;
	if (!reap(p, WNOHANG)) {
		kill(-p->pid, SIGTERM);
		if (proc_wait(p, grace_ms) < 0) {
			kill(-p->pid, SIGKILL);
			proc_wait(p, 5000);
		}
	}
	/* Whatever the leader left behind in its group goes too. */
	kill(-p->pid, SIGKILL);
	groups_del(p->pid);
}

int proc_exit_code(const struct proc *p)
{
	if (!p->exited)
		return -1;
	if (WIFEXITED(p->status))
		return WEXITSTATUS(p->status);
	if (WIFSIGNALED(p->status))
		return 128 + WTERMSIG(p->status);
	return -1;
}

char *proc_describe(const struct proc *p, char *buf, size_t bufsz)
{
	if (!p->exited)
		snprintf(buf, bufsz, "still running");
	else if (WIFEXITED(p->status))
		snprintf(buf, bufsz, "exit status %d", WEXITSTATUS(p->status));
	else if (WIFSIGNALED(p->status))
		snprintf(buf, bufsz, "killed by signal %d (%s)", WTERMSIG(p->status),
			 strsignal(WTERMSIG(p->status)));
	else
		snprintf(buf, bufsz, "wait status %#x", (unsigned)p->status);
	return buf;
}

char *proc_read_file(const char *path, size_t max, size_t *len)
{
	/* The file may be a student's: never through a link, never a FIFO or a device. */
	int fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	size_t n = 0, cap = 4096;
	char *buf;
	struct stat st;

	*len = 0;
	if (fd < 0)
		return NULL;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		errno = EINVAL;
		return NULL;
	}
	buf = malloc(cap + 1);
	while (buf && n < max) {
		if (n == cap) {
			size_t ncap = cap * 2 > max ? max : cap * 2;
			char *nb = realloc(buf, ncap + 1);
			if (!nb) {
				free(buf);
				buf = NULL;
				break;
			}
			buf = nb;
			cap = ncap;
		}
		size_t want = (cap < max ? cap : max) - n;
		ssize_t r = read(fd, buf + n, want);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		n += (size_t)r;
	}
	close(fd);
	if (!buf)
		return NULL;
	buf[n] = '\0';
	*len = n;
	return buf;
}
