/* proc.h - running untrusted programs: own process group, resource limits, an
 * unprivileged uid, a private working directory, stdin from a file, stdout and stderr
 * into size-limited files, hard deadlines, and a stop that always reaps.
 *
 * Every process group started here is recorded so that proc_kill_all() (async-signal-safe)
 * can end them from a signal handler when the grader itself must stop. Spawn only from the
 * process's main thread: the child's parent-death signal follows the thread that forked. */
#ifndef WIRELAB_PROC_H
#define WIRELAB_PROC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct jail;

struct proc_limits {
	int cpu_s;              /* RLIMIT_CPU */
	uint64_t as_bytes;      /* RLIMIT_AS */
	int nproc;              /* RLIMIT_NPROC (threads count too) */
	int nofile;             /* RLIMIT_NOFILE */
	uint64_t fsize;         /* RLIMIT_FSIZE: bounds stdout, stderr and any file written */
};

struct proc_spec {
	const char *const *argv;    /* argv[0] is the path executed */
	const char *cwd;            /* working directory (must exist) */
	const char *stdin_path;     /* NULL: /dev/null */
	const char *stdout_path;    /* files created (truncated) for the output */
	const char *stderr_path;
	const struct jail *jail;    /* the check's jail (jail.h), or NULL: a process group only */
	bool drop_privileges;       /* when root: run as uid/gid below */
	uid_t uid;
	gid_t gid;
	struct proc_limits limits;
	/* A real peer (a tool of the system, not the student's): in a jail it gets a view of
	 * its own (jail_peer_view), its working directory a copy of peer_files (NULL: empty). */
	bool peer;
	const char *peer_files;
};

struct proc {
	pid_t pid;                  /* also the process group id; 0 when not running */
	bool exited;
	int status;                 /* wait status once exited */
	int64_t start_ns, end_ns;   /* monotonic */
	char name[64];              /* basename of argv[0], for messages */
};

/* Limits fit for the labs' programs. */
struct proc_limits proc_default_limits(void);

/* Start a program. Returns 0, or -errno with a reason (the exec failing in the child is
 * seen as exit status 127 with the reason on its stderr). */
int proc_spawn(struct proc *p, const struct proc_spec *s, char *why, size_t whylen);
/* Wait until the process exits or timeout_ms pass: 0 when it exited, -ETIMEDOUT. */
int proc_wait(struct proc *p, int timeout_ms);
/* True while the process has not exited (reaps it when it has). */
bool proc_is_running(struct proc *p);
/* SIGTERM to the group, up to grace_ms for it to exit, then SIGKILL to the group; reaps.
 * Safe on a process that already exited or never started. */
void proc_stop(struct proc *p, int grace_ms);
/* Exit code, or 128 + signal number for a signal, -1 while running. */
int proc_exit_code(const struct proc *p);
/* "exit status 1", "killed by signal 11 (Segmentation fault)" into buf. */
char *proc_describe(const struct proc *p, char *buf, size_t bufsz);
/* SIGKILL every recorded group (async-signal-safe). */
void proc_kill_all(void);

/* Read a whole regular file (up to max bytes) into a malloc'd NUL-terminated buffer; *len
 * gets the byte count. The last part of path is never followed as a link, and a FIFO or a
 * device is refused (EINVAL). NULL with errno on failure. */
char *proc_read_file(const char *path, size_t max, size_t *len);

#endif
