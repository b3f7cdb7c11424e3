/* jail.h - where students' programs, their compiler and the real peers run.
 *
 * A check's worker forks pid 1 of a new PID namespace (jail_fork_pidns), which runs the
 * check and opens one jail for it (jail_open): a process holding a mount namespace with a
 * minimal read-only view of the system, and a cgroup with limits on memory, processes and
 * CPU for everything the check starts. Each program forked by the worker joins it between fork and exec (jail_join),
 * then locks itself down (jail_lockdown): only descriptors 0-2, a new session with no
 * controlling terminal, an unprivileged uid when the grader is root, no new privileges and
 * a seccomp filter. When pid 1 ends, the kernel kills everything else in the PID
 * namespace: nothing a program started outlives its check.
 *
 * The view (struct jail_view): /usr and the /bin, /lib, /sbin links or folders, a few files
 * of /etc (the loader cache, name service, the check's hosts file, certificates), /dev with
 * null, zero, full, random and urandom only, a fresh /proc of the check's PID namespace,
 * size-capped tmpfs on /tmp and /dev/shm, and the folders the caller names, at the same
 * paths as outside (read-write: the check's working directory; read-only: the built
 * programs). No home directory, no kit tree, no other submission, no host socket.
 *
 * jail_run_once does the same for one command in namespaces of its own (the compiler):
 * its own network namespace with nothing in it as well.
 *
 * What the machine does not allow is left out and said in why (jail_open) or by
 * jail_probe: no cgroup (the per-process rlimits of proc.h remain), no /proc. */
#ifndef WIRELAB_JAIL_H
#define WIRELAB_JAIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define JAIL_MAX_DIRS 4
#define JAIL_TMPFS_INODES 32768   /* files and folders in each tmpfs of a jail */
#define JAIL_MAX_CG   3

struct jail_view {
	const char *root;                  /* an empty folder the view is built on */
	const char *rw[JAIL_MAX_DIRS];     /* bound read-write at the same path; NULL-ended */
	const char *ro[JAIL_MAX_DIRS];     /* bound read-only at the same path; NULL-ended */
	uint64_t tmp_bytes;                /* size of /tmp and of /dev/shm, each */
};

struct jail_limits {
	uint64_t mem_bytes;     /* memory of everything in the jail together (cgroup) */
	int pids;               /* processes and threads together (cgroup) */
	int cpu_pct;            /* CPU time, in percent of one core (cgroup); 0: no limit */
	uint64_t file_bytes;    /* jail_run_once: RLIMIT_FSIZE of the command; 0: none */
	uint64_t as_bytes;      /* jail_run_once: RLIMIT_AS of each of its processes; 0: none */
};

/* A cgroup per jail: one folder per controller (cgroup v1) or one (v2). */
struct jail_cg {
	int n;
	int procs[JAIL_MAX_CG];            /* cgroup.procs of each folder, open for writing */
	char path[JAIL_MAX_CG][256];
};

struct jail {
	pid_t init;             /* the process holding the view; 0 when none */
	int mntns;              /* the view's mount namespace, -1 when none */
	struct jail_cg cg;
	uid_t uid;              /* programs run as this uid/gid when drop is set */
	gid_t gid;
	bool drop;
};

/* What this machine allows, for `wirelab doctor`: "cgroup v1
 * (memory, pids, cpu)" or "no cgroup: <why>" into buf. */
void jail_probe(char *buf, size_t bufsz);

/* Prepare the seccomp filter; once, early, in the grader's main thread. 0 or -errno. */
int jail_init(char *why, size_t whylen);

/* In a check's worker, single-threaded, after it entered its network namespace (and user
 * namespace when not root): fork into new PID, IPC and UTS namespaces. The child (0 is
 * returned there) is pid 1 of the check: everything it starts is in the namespace, and
 * dies when it ends; it gets a mount namespace of its own with a /proc of the new
 * namespace. The parent gets the child's pid (or -errno with why) and only waits. */
pid_t jail_fork_pidns(char *why, size_t whylen);

/* In pid 1 of the check: the view and the cgroup. name names the cgroup (unique per
 * worker). Returns 0, or -errno with why: the check then cannot run safely and is an
 * error. */
int jail_open(struct jail *j, const struct jail_view *v, const struct jail_limits *l,
	      const char *name, uid_t uid, gid_t gid, bool drop, char *why, size_t whylen);
/* End the holder and, called as pid 1 of the check, every other process of the PID
 * namespace (reaped); remove the cgroup. NULL or a closed jail is fine. */
void jail_close(struct jail *j);
/* Remove the cgroup folders jail_open or jail_run_once made under name, if a worker died
 * before it could (called by the grader after reaping the worker). */
void jail_cleanup(const char *name);

/* In a child between fork and exec (the child of a jail's worker): enter the jail's mount
 * namespace and cgroup, then chdir(cwd). Returns 0 or -errno. */
int jail_join(const struct jail *j, const char *cwd);
/* Last step before exec: close every descriptor above 2, a new session, resource limits
 * left to the caller, the uid/gid when drop (and root), no new privileges, a Landlock
 * domain of its own where the kernel has Landlock (no ptrace-like access, through /proc,
 * to any process outside it, and no signal to one from Linux 6.12), the seccomp filter.
 * Returns 0 or -errno. */
int jail_lockdown(bool drop, uid_t uid, gid_t gid);
/* In a real peer's child (a tool of the system run against a student's program), after
 * jail_join: a mount namespace of its own with private tmpfs of tmp_bytes on /tmp and
 * /dev/shm, and cwd made anew there (the peer's own, owned by uid/gid when drop), holding a
 * copy of the folder files (the files the check wrote; -1 for none); then chdir(cwd). The
 * student's programs can then neither plant files the peer reads (its HOME, modules beside
 * its script) nor change the files the check wrote for it. 0 or -errno. */
int jail_peer_view(const char *cwd, int files, uint64_t tmp_bytes, bool drop, uid_t uid,
		   gid_t gid);
/* The Landlock ABI version of this kernel, 0 when it has none (for `wirelab doctor`). */
int jail_landlock_abi(void);

/* Run argv (looked up in PATH) in a jail of its own with cwd as working directory (which
 * must be among v->rw), stdin /dev/null, stdout and stderr into outfd. Returns the pid to
 * wait for (its exit status is the command's, or 128 + signal) and to kill (its process
 * group), or -errno with why. */
pid_t jail_run_once(const struct jail_view *v, const struct jail_limits *l, const char *name,
		    const char *const *argv, const char *cwd, int outfd, bool drop, uid_t uid,
		    gid_t gid, char *why, size_t whylen);

/* mkdir -p: every missing part of path made 0755 (also between fork and exec: no malloc).
 * 0 or -errno. */
int jail_mkdir_all(const char *path);

/* In a fresh child (single-threaded): a user namespace of its own with this process's uid and
 * gid mapped to themselves. 0 or -errno with why. */
int jail_userns_self(char *why, size_t whylen);

/* Open path (relative, no "..", no symbolic link anywhere in it) beneath the folder dirfd.
 * flags as for openat; O_NOFOLLOW and O_CLOEXEC are added. Returns the fd or -errno. */
int jail_open_beneath(int dirfd, const char *path, int flags, mode_t mode);

#endif
