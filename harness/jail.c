/* jail.c - PID, mount and IPC namespaces, a cgroup and a seccomp filter around students'
 * programs. See jail.h for what a program inside sees. */
#define _GNU_SOURCE
#include "jail.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <linux/filter.h>
#include <linux/landlock.h>
#include <linux/magic.h>
#include <linux/openat2.h>
#include <sched.h>
#include <seccomp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#ifndef CGROUP2_SUPER_MAGIC
#define CGROUP2_SUPER_MAGIC 0x63677270
#endif

/* ---- seccomp -------------------------------------------------------------------------- */

/* Calls no lab program, compiler or peer needs, that would reach past the namespaces:
 * other processes' memory, the kernel's keyrings, new namespaces or mounts, kernel
 * modules, raw handles, io_uring (its operations are not seen by seccomp). */
static const char *const jail_denied[] = {
	"ptrace", "process_vm_readv", "process_vm_writev", "kcmp", "pidfd_getfd",
	"keyctl", "add_key", "request_key",
	"unshare", "setns", "mount", "umount2", "pivot_root", "chroot", "move_mount",
	"open_tree", "fsopen", "fsmount", "fsconfig", "fspick", "mount_setattr",
	"bpf", "perf_event_open", "userfaultfd", "kexec_load", "kexec_file_load",
	"init_module", "finit_module", "delete_module", "reboot", "swapon", "swapoff",
	"acct", "quotactl", "open_by_handle_at", "name_to_handle_at", "lookup_dcookie",
	"syslog", "iopl", "ioperm", "vhangup", "uselib",
	"io_uring_setup", "io_uring_enter", "io_uring_register",
	NULL,
};

static struct sock_filter *jail_bpf;
static unsigned short jail_bpf_len;

int jail_init(char *why, size_t whylen)
{
	scmp_filter_ctx sc;
	int rc = 0, fd = -1;
	static const unsigned long ns_flags[] = {
		CLONE_NEWUSER, CLONE_NEWNS, CLONE_NEWPID, CLONE_NEWNET, CLONE_NEWIPC, CLONE_NEWUTS,
		CLONE_NEWCGROUP,
	};

	if (jail_bpf)
		return 0;
	sc = seccomp_init(SCMP_ACT_ALLOW);
	if (!sc) {
		snprintf(why, whylen, "seccomp_init failed");
		return -ENOMEM;
	}
	for (size_t i = 0; rc == 0 && jail_denied[i]; i++) {
		int nr = seccomp_syscall_resolve_name(jail_denied[i]);
		if (nr != __NR_SCMP_ERROR)
			rc = seccomp_rule_add(sc, SCMP_ACT_ERRNO(EPERM), nr, 0);
	}
	/* Typing into the grader's terminal, wherever a terminal could still be reached. */
	if (rc == 0)
		rc = seccomp_rule_add(sc, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(ioctl), 1,
				      SCMP_A1(SCMP_CMP_MASKED_EQ, 0xffffffffu, TIOCSTI));
	if (rc == 0)
		rc = seccomp_rule_add(sc, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(ioctl), 1,
				      SCMP_A1(SCMP_CMP_MASKED_EQ, 0xffffffffu, TIOCLINUX));
	/* fork and threads, but no new namespaces; clone3 hides its flags from seccomp, and
	 * the C library falls back to clone when it is missing. */
	for (size_t i = 0; rc == 0 && i < sizeof ns_flags / sizeof *ns_flags; i++)
		rc = seccomp_rule_add(sc, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(clone), 1,
				      SCMP_A0(SCMP_CMP_MASKED_EQ, ns_flags[i], ns_flags[i]));
	if (rc == 0)
		rc = seccomp_rule_add(sc, SCMP_ACT_ERRNO(ENOSYS), SCMP_SYS(clone3), 0);
	if (rc < 0) {
		snprintf(why, whylen, "building the seccomp filter: %s", strerror(-rc));
		goto out;
	}
	fd = memfd_create("wirelab-seccomp", MFD_CLOEXEC);
	if (fd < 0 || (rc = seccomp_export_bpf(sc, fd)) < 0) {
		rc = fd < 0 ? -errno : rc;
		snprintf(why, whylen, "exporting the seccomp filter: %s", strerror(-rc));
		goto out;
	}
	off_t len = lseek(fd, 0, SEEK_END);
	if (len <= 0 || len % (off_t)sizeof *jail_bpf || len / (off_t)sizeof *jail_bpf > 65535) {
		rc = -EINVAL;
		snprintf(why, whylen, "the seccomp filter has an odd size (%lld)", (long long)len);
		goto out;
	}
	jail_bpf = malloc((size_t)len);
	if (!jail_bpf || pread(fd, jail_bpf, (size_t)len, 0) != len) {
		rc = -EIO;
		free(jail_bpf);
		jail_bpf = NULL;
		snprintf(why, whylen, "reading the seccomp filter back");
		goto out;
	}
	jail_bpf_len = (unsigned short)(len / (off_t)sizeof *jail_bpf);
out:
	if (fd >= 0)
		close(fd);
	seccomp_release(sc);
	return rc;
}

/* ---- small file helpers (also used between fork and exec: no stdio, no malloc) --------- */

static int write_str(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	size_t n = strlen(text);
	ssize_t w = write(fd, text, n);
	int e = errno;
	close(fd);
	return w == (ssize_t)n ? 0 : -(w < 0 ? e : EIO);
}

static int read_str(const char *path, char *buf, size_t bufsz)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	ssize_t n = read(fd, buf, bufsz - 1);
	close(fd);
	buf[n > 0 ? n : 0] = '\0';
	return n < 0 ? -EIO : 0;
}

static int path_join(char *out, size_t outsz, const char *a, const char *b)
{
	int n = snprintf(out, outsz, "%s%s", a, b);
	return n < 0 || (size_t)n >= outsz ? -ENAMETOOLONG : 0;
}

int jail_mkdir_all(const char *path)
{
	char tmp[PATH_MAX];

	if (path_join(tmp, sizeof tmp, path, "") < 0)
		return -ENAMETOOLONG;
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

static int touch(const char *path)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
	if (fd < 0)
		return errno == EEXIST ? 0 : -errno;
	close(fd);
	return 0;
}

/* ---- the view ------------------------------------------------------------------------- */

/* Files and folders of /etc that programs, the compiler and the peers read. */
static const char *const jail_etc[] = {
	"ld.so.cache", "ld.so.conf", "ld.so.conf.d", "nsswitch.conf", "hosts", "host.conf",
	"gai.conf", "services", "protocols", "localtime", "alternatives", "ssl",
	"ca-certificates", "ca-certificates.conf", "fonts", "mime.types",
	"python3", "python3.11", "python3.12", "python3.13", "lftp.conf", "chromium",
	"chromium.d", "os-release", "debian_version", "magic", "terminfo", "inputrc",
	NULL,
};

/* The top-level names besides /usr: links in a merged-/usr system, folders in others. */
static const char *const jail_top[] = { "bin", "sbin", "lib", "lib32", "lib64", "libx32", NULL };

static const char *const jail_dev[] = { "null", "zero", "full", "random", "urandom", NULL };

/* Mount flags of the mount holding path, so that a bind can keep what it must keep (a
 * user namespace may not clear nosuid, nodev or noexec of the mount it binds). */
static unsigned long mount_flags(const char *path)
{
	struct statvfs sv;
	unsigned long f = 0;

	if (statvfs(path, &sv) < 0)
		return 0;
	if (sv.f_flag & ST_NOSUID) f |= MS_NOSUID;
	if (sv.f_flag & ST_NODEV) f |= MS_NODEV;
	if (sv.f_flag & ST_NOEXEC) f |= MS_NOEXEC;
	if (sv.f_flag & ST_NOATIME) f |= MS_NOATIME;
	if (sv.f_flag & ST_NODIRATIME) f |= MS_NODIRATIME;
	if (sv.f_flag & ST_RELATIME) f |= MS_RELATIME;
	return f;
}

/* Bind src at dst (made as a folder or an empty file like src), then make it read-only
 * unless rw; nosuid always, nodev unless it is a device. */
static int bind(const char *src, const char *dst, bool rw, bool dev, char *why, size_t whylen)
{
	struct stat st;
	int rc;

	if (stat(src, &st) < 0) {
		rc = -errno;
		snprintf(why, whylen, "%s: %s", src, strerror(errno));
		return rc;
	}
	rc = S_ISDIR(st.st_mode) ? jail_mkdir_all(dst) : touch(dst);
	if (rc == 0 && mount(src, dst, NULL, MS_BIND, NULL) < 0)
		rc = -errno;
	unsigned long fl = MS_REMOUNT | MS_BIND | MS_NOSUID | mount_flags(src) |
			   (rw ? 0 : MS_RDONLY) | (dev ? 0 : MS_NODEV);
	if (rc == 0 && mount(NULL, dst, NULL, fl, NULL) < 0)
		rc = -errno;
	if (rc < 0)
		snprintf(why, whylen, "binding %s: %s", src, strerror(-rc));
	return rc;
}

static int write_new(const char *path, const char *text, char *why, size_t whylen)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	size_t n = strlen(text);

	if (fd < 0 || write(fd, text, n) != (ssize_t)n) {
		int e = errno;
		snprintf(why, whylen, "writing %s: %s", path, strerror(e));
		if (fd >= 0)
			close(fd);
		return -e;
	}
	close(fd);
	return 0;
}

/* A copy of a small regular file (the loader's cache, the check's hosts file, which is
 * itself a bind of a file already gone and so cannot be bound again). */
static int copy_small(const char *src, const char *dst, char *why, size_t whylen)
{
	char buf[16384];
	int in = open(src, O_RDONLY | O_CLOEXEC), out = -1, rc = 0;

	if (in < 0)
		return 0;
	out = open(dst, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (out < 0)
		rc = -errno;
	for (ssize_t n; rc == 0 && (n = read(in, buf, sizeof buf)) != 0;)
		if (n < 0 || write(out, buf, (size_t)n) != n)
			rc = n < 0 ? -errno : -EIO;
	close(in);
	if (out >= 0)
		close(out);
	if (rc < 0)
		snprintf(why, whylen, "copying %s: %s", src, strerror(-rc));
	return rc;
}

/* A symbolic link at dst like the one at src, or a read-only bind when src is a folder;
 * nothing when src does not exist. */
static int copy_top(const char *src, const char *dst, char *why, size_t whylen)
{
	struct stat st;
	char target[PATH_MAX];

	if (lstat(src, &st) < 0)
		return 0;
	if (S_ISLNK(st.st_mode)) {
		ssize_t n = readlink(src, target, sizeof target - 1);
		if (n <= 0)
			return 0;
		target[n] = '\0';
		if (symlink(target, dst) < 0 && errno != EEXIST) {
			snprintf(why, whylen, "symlink %s: %s", dst, strerror(errno));
			return -errno;
		}
		return 0;
	}
	if (S_ISDIR(st.st_mode))
		return bind(src, dst, false, false, why, whylen);
	if (S_ISREG(st.st_mode))
		return copy_small(src, dst, why, whylen);
	return 0;
}

static int mount_tmpfs(const char *dst, uint64_t bytes, const char *mode, char *why,
		       size_t whylen)
{
	char opt[96];

	/* Inodes too: an empty file has no bytes, but costs the kernel about a kilobyte, and a
	 * tmpfs bounded in bytes alone holds millions of them. */
	snprintf(opt, sizeof opt, "size=%llu,nr_inodes=%u,mode=%s", (unsigned long long)bytes,
		 JAIL_TMPFS_INODES, mode);
	if (jail_mkdir_all(dst) < 0 ||
	    mount("tmpfs", dst, "tmpfs", MS_NOSUID | MS_NODEV, opt) < 0) {
		int e = errno;
		snprintf(why, whylen, "tmpfs on %s: %s", dst, strerror(e));
		return -e;
	}
	return 0;
}

/* In a process with a mount namespace of its own (and, for /proc, in the jail's PID
 * namespace): build the view on v->root and make it this process's root. */
static int build_view(const struct jail_view *v, char *why, size_t whylen)
{
	char dst[PATH_MAX], src[PATH_MAX];
	const char *root = v->root;
	int rc;

	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0) {
		snprintf(why, whylen, "making mounts private: %s", strerror(errno));
		return -errno;
	}
	if ((rc = mount_tmpfs(root, 4 << 20, "0755", why, whylen)) < 0)
		return rc;
	path_join(dst, sizeof dst, root, "/usr");
	if ((rc = bind("/usr", dst, false, false, why, whylen)) < 0)
		return rc;
	for (size_t i = 0; jail_top[i]; i++) {
		snprintf(src, sizeof src, "/%s", jail_top[i]);
		snprintf(dst, sizeof dst, "%s/%s", root, jail_top[i]);
		if ((rc = copy_top(src, dst, why, whylen)) < 0)
			return rc;
	}
	snprintf(dst, sizeof dst, "%s/etc", root);
	mkdir(dst, 0755);
	for (size_t i = 0; jail_etc[i]; i++) {
		snprintf(src, sizeof src, "/etc/%s", jail_etc[i]);
		snprintf(dst, sizeof dst, "%s/etc/%s", root, jail_etc[i]);
		if ((rc = copy_top(src, dst, why, whylen)) < 0)
			return rc;
	}
	/* Accounts: only the ones a program here can be, not the machine's list of users. */
	char acct[256];
	snprintf(acct, sizeof acct, "root:x:0:0:root:/root:/bin/sh\n"
		 "nobody:x:65534:65534:nobody:/tmp:/bin/sh\n"
		 "student:x:%u:%u:student:/tmp:/bin/sh\n", (unsigned)getuid(), (unsigned)getgid());
	snprintf(dst, sizeof dst, "%s/etc/passwd", root);
	if ((rc = write_new(dst, acct, why, whylen)) < 0)
		return rc;
	snprintf(acct, sizeof acct, "root:x:0:\nnogroup:x:65534:\nstudent:x:%u:\n",
		 (unsigned)getgid());
	snprintf(dst, sizeof dst, "%s/etc/group", root);
	if ((rc = write_new(dst, acct, why, whylen)) < 0)
		return rc;
	snprintf(dst, sizeof dst, "%s/dev", root);
	if ((rc = mount_tmpfs(dst, 64 << 10, "0755", why, whylen)) < 0)
		return rc;
	for (size_t i = 0; jail_dev[i]; i++) {
		snprintf(src, sizeof src, "/dev/%s", jail_dev[i]);
		snprintf(dst, sizeof dst, "%s/dev/%s", root, jail_dev[i]);
		if ((rc = bind(src, dst, true, true, why, whylen)) < 0)
			return rc;
	}
	static const char *const links[][2] = {
		{ "fd", "/proc/self/fd" }, { "stdin", "/proc/self/fd/0" },
		{ "stdout", "/proc/self/fd/1" }, { "stderr", "/proc/self/fd/2" },
	};
	for (size_t i = 0; i < sizeof links / sizeof *links; i++) {
		snprintf(dst, sizeof dst, "%s/dev/%s", root, links[i][0]);
		if (symlink(links[i][1], dst) < 0)
			return -errno;
	}
	snprintf(dst, sizeof dst, "%s/dev/shm", root);
	if ((rc = mount_tmpfs(dst, v->tmp_bytes, "1777", why, whylen)) < 0)
		return rc;
	snprintf(dst, sizeof dst, "%s/tmp", root);
	if ((rc = mount_tmpfs(dst, v->tmp_bytes, "1777", why, whylen)) < 0)
		return rc;
	/* A fresh /proc of the jail's PID namespace: best effort, since a user namespace may
	 * not mount one where the host's /proc has parts masked. */
	snprintf(dst, sizeof dst, "%s/proc", root);
	mkdir(dst, 0555);
	/* hidepid=2: a program sees only the processes of its own uid (as nobody: not pid 1,
	 * the grader, nor the mount table of the grader's namespace it would show). */
	if (mount("proc", dst, "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, "hidepid=2") < 0)
		mount("proc", dst, "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL);
	for (size_t i = 0; i < JAIL_MAX_DIRS && v->rw[i]; i++) {
		if (path_join(dst, sizeof dst, root, v->rw[i]) < 0 ||
		    (rc = bind(v->rw[i], dst, true, false, why, whylen)) < 0)
			return rc < 0 ? rc : -ENAMETOOLONG;
	}
	for (size_t i = 0; i < JAIL_MAX_DIRS && v->ro[i]; i++) {
		if (path_join(dst, sizeof dst, root, v->ro[i]) < 0 ||
		    (rc = bind(v->ro[i], dst, false, false, why, whylen)) < 0)
			return rc < 0 ? rc : -ENAMETOOLONG;
	}
	/* Nothing more is made in / or /dev: both read-only from here on. */
	snprintf(dst, sizeof dst, "%s/dev", root);
	if (mount(NULL, dst, NULL, MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID, NULL) < 0 ||
	    mount(NULL, root, NULL, MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID | MS_NODEV,
		  NULL) < 0) {
		snprintf(why, whylen, "making the view read-only: %s", strerror(errno));
		return -errno;
	}
	if (chdir(root) < 0 || syscall(SYS_pivot_root, ".", ".") < 0 ||
	    umount2(".", MNT_DETACH) < 0 || chdir("/") < 0) {
		snprintf(why, whylen, "pivot_root: %s", strerror(errno));
		return -errno;
	}
	return 0;
}

/* ---- cgroups -------------------------------------------------------------------------- */

#define CG_ROOT "/sys/fs/cgroup"

/* This process's cgroup path for a v1 controller, or for v2 (ctrl ""). */
static int cg_self(const char *ctrl, char *out, size_t outsz)
{
	char buf[4096];

	if (read_str("/proc/self/cgroup", buf, sizeof buf) < 0)
		return -ENOENT;
	for (char *save = NULL, *line = strtok_r(buf, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		char *c1 = strchr(line, ':'), *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
		if (!c2)
			continue;
		*c2 = '\0';
		const char *list = c1 + 1, *path = c2 + 1;
		bool match = false;
		if (!*ctrl) {
			match = !*list;
		} else {
			size_t n = strlen(ctrl);
			for (const char *p = list; *p; p += strcspn(p, ",") + (p[strcspn(p, ",")] == ',')) {
				if (strncmp(p, ctrl, n) == 0 && (p[n] == ',' || p[n] == '\0')) {
					match = true;
					break;
				}
			}
		}
		if (match) {
			snprintf(out, outsz, "%s", strcmp(path, "/") == 0 ? "" : path);
			return 0;
		}
	}
	return -ENOENT;
}

static bool cg_is_v2(void)
{
	struct statfs sf;

	return statfs(CG_ROOT, &sf) == 0 && (unsigned long)sf.f_type == (unsigned long)CGROUP2_SUPER_MAGIC;
}

static const char *const cg_v1[] = { "memory", "pids", "cpu", NULL };

/* Folder of the cgroup named name for controller i (v1) or the single one (v2). */
static int cg_dir(bool v2, int i, const char *name, char *out, size_t outsz)
{
	char self[1024];
	const char *ctrl = v2 ? "" : cg_v1[i];

	if (cg_self(ctrl, self, sizeof self) < 0)
		return -ENOENT;
	int n = v2 ? snprintf(out, outsz, CG_ROOT "%s/wirelab-%s", self, name)
		   : snprintf(out, outsz, CG_ROOT "/%s%s/wirelab-%s", ctrl, self, name);
	return n < 0 || (size_t)n >= outsz ? -ENAMETOOLONG : 0;
}

static int cg_set(const char *dir, const char *file, const char *value)
{
	char path[512];

	snprintf(path, sizeof path, "%s/%s", dir, file);
	return write_str(path, value);
}

static void cg_close(struct jail_cg *cg)
{
	for (int i = 0; i < cg->n; i++)
		if (cg->procs[i] >= 0)
			close(cg->procs[i]);
	for (int i = 0; i < cg->n; i++)
		for (int t = 0; t < 100 && rmdir(cg->path[i]) < 0 && errno == EBUSY; t++)
			nanosleep(&(struct timespec){ .tv_nsec = 10 * 1000000 }, NULL);
	cg->n = 0;
}

/* A cgroup with the limits, or none (0 with cg->n == 0 and why set) where the machine
 * does not give one. */
static int cg_open(struct jail_cg *cg, const struct jail_limits *l, const char *name, char *why,
		   size_t whylen)
{
	bool v2 = cg_is_v2();
	char val[64], path[512];

	memset(cg, 0, sizeof *cg);
	for (int i = 0; v2 ? i < 1 : cg_v1[i] != NULL; i++) {
		char *dir = cg->path[cg->n];
		if (cg_dir(v2, i, name, dir, sizeof cg->path[0]) < 0 || mkdir(dir, 0755) < 0) {
			snprintf(why, whylen, "cannot make a cgroup in %s: %s",
				 v2 ? CG_ROOT : cg_v1[i], strerror(errno));
			goto fail;
		}
		cg->procs[cg->n++] = -1;
		int rc = 0;
		bool mem = v2 || strcmp(cg_v1[i], "memory") == 0;
		bool pids = v2 || strcmp(cg_v1[i], "pids") == 0;
		bool cpu = v2 || strcmp(cg_v1[i], "cpu") == 0;
		if (mem && rc == 0) {
			snprintf(val, sizeof val, "%llu", (unsigned long long)l->mem_bytes);
			rc = cg_set(dir, v2 ? "memory.max" : "memory.limit_in_bytes", val);
			if (rc == 0)
				cg_set(dir, v2 ? "memory.swap.max" : "memory.memsw.limit_in_bytes",
				       v2 ? "0" : val);
		}
		if (pids && rc == 0) {
			snprintf(val, sizeof val, "%d", l->pids);
			rc = cg_set(dir, "pids.max", val);
		}
		if (cpu && rc == 0 && l->cpu_pct > 0) {
			if (v2) {
				snprintf(val, sizeof val, "%d 100000", l->cpu_pct * 1000);
				rc = cg_set(dir, "cpu.max", val);
			} else {
				rc = cg_set(dir, "cpu.cfs_period_us", "100000");
				snprintf(val, sizeof val, "%d", l->cpu_pct * 1000);
				if (rc == 0)
					rc = cg_set(dir, "cpu.cfs_quota_us", val);
			}
		}
		if (rc < 0) {
			snprintf(why, whylen, "cannot set the limits of %s: %s", dir, strerror(-rc));
			goto fail;
		}
		snprintf(path, sizeof path, "%s/cgroup.procs", dir);
		cg->procs[cg->n - 1] = open(path, O_WRONLY | O_CLOEXEC);
		if (cg->procs[cg->n - 1] < 0) {
			snprintf(why, whylen, "cannot open %.300s: %s", path, strerror(errno));
			goto fail;
		}
	}
	return 0;
fail:
	cg_close(cg);
	return 0;
}

void jail_probe(char *buf, size_t bufsz)
{
	struct jail_cg cg;
	struct jail_limits l = { .mem_bytes = 64 << 20, .pids = 64, .cpu_pct = 100 };
	char name[64], why[300] = "";

	snprintf(name, sizeof name, "probe-%d", (int)getpid());
	cg_open(&cg, &l, name, why, sizeof why);
	if (cg.n > 0)
		snprintf(buf, bufsz, "%s (memory, processes and CPU per check)",
			 cg_is_v2() ? "cgroup v2" : "cgroup v1");
	else
		snprintf(buf, bufsz, "no cgroup (%s): per-process limits only", why);
	cg_close(&cg);
}

void jail_cleanup(const char *name)
{
	bool v2 = cg_is_v2();
	char dir[512];

	for (int i = 0; v2 ? i < 1 : cg_v1[i] != NULL; i++)
		if (cg_dir(v2, i, name, dir, sizeof dir) == 0)
			for (int t = 0; t < 50 && rmdir(dir) < 0 && errno == EBUSY; t++)
				nanosleep(&(struct timespec){ .tv_nsec = 10 * 1000000 }, NULL);
}

static int cg_join(const struct jail_cg *cg)
{
	for (int i = 0; i < cg->n; i++)
		if (cg->procs[i] >= 0 && write(cg->procs[i], "0", 1) != 1)
			return -errno;
	return 0;
}

/* ---- the reaper ----------------------------------------------------------------------- */

static void reaper_nop(int sig)
{
	(void)sig;
}

/* Reap whatever comes, until killed. */
static void reaper_loop(void)
{
	struct sigaction sa = { .sa_handler = reaper_nop };
	sigset_t all;

	sigaction(SIGCHLD, &sa, NULL);
	sigfillset(&all);
	sigdelset(&all, SIGCHLD);
	sigprocmask(SIG_SETMASK, &all, NULL);
	for (;;) {
		while (waitpid(-1, NULL, WNOHANG) > 0)
			;
		pause();
	}
}

static void close_from(unsigned fd)
{
	if (syscall(SYS_close_range, fd, ~0u, 0) == 0)
		return;
	for (int i = (int)fd; i < 65536; i++)
		close(i);
}

pid_t jail_fork_pidns(char *why, size_t whylen)
{
	if (unshare(CLONE_NEWPID | CLONE_NEWIPC | CLONE_NEWUTS) < 0) {
		snprintf(why, whylen, "new PID and IPC namespaces: %s", strerror(errno));
		return -errno;
	}
	pid_t parent = getpid();
	pid_t pid = fork();
	if (pid < 0) {
		snprintf(why, whylen, "fork: %s", strerror(errno));
		return -errno;
	}
	if (pid > 0)
		return pid;
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() != parent && getppid() != 0)
		_exit(1);
	sethostname("wirelab", 7);
	/* A /proc of this namespace, so that the pids this process sees are the ones /proc
	 * shows (the check reads /proc/PID and /proc/net). */
	if (unshare(CLONE_NEWNS) < 0 ||
	    mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) < 0) {
		snprintf(why, whylen, "a /proc of the new PID namespace: %s", strerror(errno));
		return -errno;
	}
	return 0;
}

int jail_open(struct jail *j, const struct jail_view *v, const struct jail_limits *l,
	      const char *name, uid_t uid, gid_t gid, bool drop, char *why, size_t whylen)
{
	int pfd[2];
	char msg[512] = "";

	memset(j, 0, sizeof *j);
	j->mntns = -1;
	j->uid = uid;
	j->gid = gid;
	j->drop = drop;
	cg_open(&j->cg, l, name, msg, sizeof msg);
	if (pipe2(pfd, O_CLOEXEC) < 0) {
		snprintf(why, whylen, "pipe: %s", strerror(errno));
		cg_close(&j->cg);
		return -errno;
	}
	pid_t parent = getpid();
	pid_t pid = fork();
	if (pid < 0) {
		int e = errno;
		snprintf(why, whylen, "fork: %s", strerror(e));
		close(pfd[0]);
		close(pfd[1]);
		cg_close(&j->cg);
		return -e;
	}
	if (pid == 0) {
		/* The holder of the view: builds it in a mount namespace of its own, then
		 * waits to be killed, adopting nothing (pid 1 of the check does that). */
		char err[400] = "";
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (getppid() != parent)
			_exit(1);
		close(pfd[0]);
		if (unshare(CLONE_NEWNS) < 0)
			snprintf(err, sizeof err, "new mount namespace: %s", strerror(errno));
		else
			build_view(v, err, sizeof err);
		if (write(pfd[1], err, strlen(err) + 1) < 0 || err[0])
			_exit(1);
		close_from(0);
		reaper_loop();
	}
	close(pfd[1]);
	j->init = pid;
	ssize_t n = read(pfd[0], msg, sizeof msg - 1);
	close(pfd[0]);
	msg[n > 0 ? n : 0] = '\0';
	if (n <= 0 || msg[0]) {
		snprintf(why, whylen, "building the jail: %s", n <= 0 ? "its holder died" : msg);
		jail_close(j);
		return -EPERM;
	}
	char path[64];
	snprintf(path, sizeof path, "/proc/%d/ns/mnt", (int)pid);
	j->mntns = open(path, O_RDONLY | O_CLOEXEC);
	if (j->mntns < 0) {
		int e = errno;
		snprintf(why, whylen, "%s: %s", path, strerror(e));
		jail_close(j);
		return -e;
	}
	return 0;
}

void jail_close(struct jail *j)
{
	if (!j)
		return;
	if (j->mntns >= 0)
		close(j->mntns);
	j->mntns = -1;
	if (j->init > 0) {
		kill(j->init, SIGKILL);
		while (waitpid(j->init, NULL, 0) < 0 && errno == EINTR)
			;
		j->init = 0;
	}
	/* As pid 1 of the check: whatever the programs left (daemons, orphans) goes now, and
	 * is reaped, so that the cgroup is empty and can go too. Never outside a namespace of
	 * our own, where -1 would be every process of the machine. */
	if (getpid() == 1) {
		kill(-1, SIGKILL);
		while (waitpid(-1, NULL, 0) > 0 || errno == EINTR)
			;
	}
	cg_close(&j->cg);
}

int jail_join(const struct jail *j, const char *cwd)
{
	int rc = cg_join(&j->cg);

	if (rc < 0)
		return rc;
	if (j->mntns >= 0 && setns(j->mntns, CLONE_NEWNS) < 0)
		return -errno;
	if (cwd && chdir(cwd) < 0)
		return -errno;
	return 0;
}

/* A Landlock domain of its own (Linux 5.13 and later; nothing where the kernel has none):
 * the kernel then refuses this process, and everything it starts, any ptrace-like access
 * to a process outside the domain (its /proc/PID/mem, fd/, cwd, root, environ), whatever
 * the uids, and from Linux 6.12 its signals too. Each program, real peer and compiler gets
 * a domain of its own, so none of them can reach another's memory or open files. The
 * ruleset refuses only what no one here does (making device nodes). */
/* The kernel's struct landlock_ruleset_attr as of Landlock ABI 6 (the system's headers may
 * be older; the kernel takes the size given and the fields it knows). */
struct wl_landlock_attr {
	uint64_t handled_access_fs;
	uint64_t handled_access_net;   /* ABI 4 */
	uint64_t scoped;               /* ABI 6 */
};
#define WL_SCOPE_ABSTRACT_UNIX_SOCKET (1ULL << 0)
#define WL_SCOPE_SIGNAL               (1ULL << 1)

static long landlock_abi(void)
{
#ifdef SYS_landlock_create_ruleset
	return syscall(SYS_landlock_create_ruleset, NULL, 0, LANDLOCK_CREATE_RULESET_VERSION);
#else
	return -1;
#endif
}

static void landlock_self(void)
{
#ifdef SYS_landlock_restrict_self
	struct wl_landlock_attr attr = {
		.handled_access_fs = LANDLOCK_ACCESS_FS_MAKE_CHAR | LANDLOCK_ACCESS_FS_MAKE_BLOCK,
	};
	size_t size = sizeof attr.handled_access_fs;
	long abi = landlock_abi();

	if (abi < 1)
		return;
	if (abi >= 6) {
		attr.scoped = WL_SCOPE_SIGNAL | WL_SCOPE_ABSTRACT_UNIX_SOCKET;
		size = sizeof attr;
	}
	int fd = (int)syscall(SYS_landlock_create_ruleset, &attr, size, 0);
	if (fd < 0)
		return;
	syscall(SYS_landlock_restrict_self, fd, 0);
	close(fd);
#endif
}

int jail_landlock_abi(void)
{
	long abi = landlock_abi();

	return abi > 0 ? (int)abi : 0;
}

int jail_lockdown(bool drop, uid_t uid, gid_t gid)
{
	struct sock_fprog prog = { .len = jail_bpf_len, .filter = jail_bpf };

	/* The session first: closing the descriptors tells the parent the group exists. */
	if (setsid() < 0)
		return -errno;
	close_from(3);
	if (drop && geteuid() == 0 &&
	    (setgroups(0, NULL) < 0 || setgid(gid) < 0 || setuid(uid) < 0))
		return -errno;
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return -errno;
	landlock_self();
	if (!jail_bpf)
		return -ENOSYS;
	if (prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog) < 0)
		return -errno;
	return 0;
}

/* ---- a real peer's own view ----------------------------------------------------------- */

/* Copy the regular files and folders below the folder from into the folder to (depth
 * bounded); between fork and exec, so no malloc, no stdio. 0 or -errno. */
static int copy_tree(int from, int to, int depth)
{
	char buf[4096], data[8192];
	int rc = 0;

	if (depth > 8)
		return -ELOOP;
	for (;;) {
		long n = syscall(SYS_getdents64, from, buf, sizeof buf);
		if (n < 0)
			return -errno;
		if (n == 0)
			return rc;
		for (long off = 0; off < n && rc == 0;) {
			struct { uint64_t ino; int64_t off; unsigned short reclen; unsigned char type;
				 char name[]; } *d = (void *)(buf + off);
			off += d->reclen;
			if (strcmp(d->name, ".") == 0 || strcmp(d->name, "..") == 0)
				continue;
			struct stat st;
			if (fstatat(from, d->name, &st, AT_SYMLINK_NOFOLLOW) < 0)
				return -errno;
			if (S_ISDIR(st.st_mode)) {
				if (mkdirat(to, d->name, 0755) < 0 && errno != EEXIST)
					return -errno;
				int a = openat(from, d->name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
				int b = openat(to, d->name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
				rc = a < 0 || b < 0 ? -errno : copy_tree(a, b, depth + 1);
				if (a >= 0)
					close(a);
				if (b >= 0)
					close(b);
			} else if (S_ISREG(st.st_mode)) {
				int a = openat(from, d->name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
				int b = openat(to, d->name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW |
					       O_CLOEXEC, 0644);
				if (a < 0 || b < 0)
					rc = -errno;
				for (ssize_t k; rc == 0 && (k = read(a, data, sizeof data)) != 0;)
					if (k < 0 || write(b, data, (size_t)k) != k)
						rc = k < 0 ? -errno : -EIO;
				if (a >= 0)
					close(a);
				if (b >= 0)
					close(b);
			}
		}
		if (rc < 0)
			return rc;
	}
}

int jail_peer_view(const char *cwd, int files, uint64_t tmp_bytes, bool drop, uid_t uid,
		   gid_t gid)
{
	char why[128];
	int rc;

	if (unshare(CLONE_NEWNS) < 0)
		return -errno;
	if ((rc = mount_tmpfs("/tmp", tmp_bytes, "1777", why, sizeof why)) < 0 ||
	    (rc = mount_tmpfs("/dev/shm", tmp_bytes, "1777", why, sizeof why)) < 0)
		return rc;
	/* The working directory: inside the new /tmp, or a tmpfs of its own elsewhere. */
	if (strncmp(cwd, "/tmp/", 5) == 0)
		rc = jail_mkdir_all(cwd);
	else
		rc = mount_tmpfs(cwd, tmp_bytes, "0755", why, sizeof why);
	if (rc < 0)
		return rc;
	if (drop && geteuid() == 0 && chown(cwd, uid, gid) < 0)
		return -errno;
	int to = open(cwd, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (to < 0)
		return -errno;
	rc = files >= 0 ? copy_tree(files, to, 0) : 0;
	close(to);
	if (rc == 0 && chdir(cwd) < 0)
		rc = -errno;
	return rc;
}

/* ---- one command in a jail of its own (the compiler) ---------------------------------- */

int jail_userns_self(char *why, size_t whylen)
{
	uid_t uid = geteuid();
	gid_t gid = getegid();
	char map[64];

	if (unshare(CLONE_NEWUSER) < 0) {
		snprintf(why, whylen, "unshare(CLONE_NEWUSER): %s", strerror(errno));
		return -errno;
	}
	/* Our own ids mapped to themselves: inside we keep the capabilities the namespace
	 * gives its creator, while what we exec, a non-zero uid with no file capabilities,
	 * gets none. */
	int rc = write_str("/proc/self/setgroups", "deny");
	if (rc == 0 || rc == -ENOENT) {
		snprintf(map, sizeof map, "%u %u 1\n", (unsigned)uid, (unsigned)uid);
		rc = write_str("/proc/self/uid_map", map);
	}
	if (rc == 0) {
		snprintf(map, sizeof map, "%u %u 1\n", (unsigned)gid, (unsigned)gid);
		rc = write_str("/proc/self/gid_map", map);
	}
	if (rc < 0)
		snprintf(why, whylen, "mapping ids in the user namespace: %s", strerror(-rc));
	return rc;
}

/* In the child: a line for the caller's log, then exit 127. */
static void once_fail(int fd, const char *what, const char *why)
{
	char buf[600];
	int n = snprintf(buf, sizeof buf, "wirelab: cannot prepare the jail: %s%s%s\n", what,
			 why && *why ? ": " : "", why ? why : "");

	if (n > 0 && write(fd, buf, (size_t)n) < 0)
		_exit(127);
	_exit(127);
}

pid_t jail_run_once(const struct jail_view *v, const struct jail_limits *l, const char *name,
		    const char *const *argv, const char *cwd, int outfd, bool drop, uid_t uid,
		    gid_t gid, char *why, size_t whylen)
{
	struct jail_cg cg;
	char msg[300] = "";
	static char *const env[] = { "PATH=/usr/local/bin:/usr/bin:/bin", "LANG=C", "LC_ALL=C",
				     "HOME=/tmp", "TMPDIR=/tmp", NULL };

	cg_open(&cg, l, name, msg, sizeof msg);
	pid_t pid = fork();
	if (pid < 0) {
		int e = errno;
		snprintf(why, whylen, "fork: %s", strerror(e));
		cg_close(&cg);
		return -e;
	}
	if (pid > 0) {
		/* The folders stay until jail_cleanup(name); the descriptors go now. */
		for (int i = 0; i < cg.n; i++)
			close(cg.procs[i]);
		return pid;
	}
	/* The outer child: namespaces, then waits for the command, pid 1 inside. */
	setpgid(0, 0);
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (geteuid() != 0 && jail_userns_self(msg, sizeof msg) < 0)
		once_fail(outfd, "user namespace", msg);
	if (unshare(CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWNET | CLONE_NEWIPC | CLONE_NEWUTS) < 0)
		once_fail(outfd, "namespaces", strerror(errno));
	pid_t inner = fork();
	if (inner < 0)
		once_fail(outfd, "fork", strerror(errno));
	if (inner == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (build_view(v, msg, sizeof msg) < 0)
			once_fail(outfd, "the view", msg);
		if (cg_join(&cg) < 0)
			once_fail(outfd, "cgroup", strerror(errno));
		if (chdir(cwd) < 0)
			once_fail(outfd, cwd, strerror(errno));
		/* Per process, whether or not there is a cgroup: no file (the program it links
		 * included) past file_bytes, written into a folder of the host's. */
		struct rlimit fsz = { l->file_bytes, l->file_bytes }, as = { l->as_bytes, l->as_bytes };
		if ((l->file_bytes && setrlimit(RLIMIT_FSIZE, &fsz) < 0) ||
		    (l->as_bytes && setrlimit(RLIMIT_AS, &as) < 0))
			once_fail(outfd, "limits", strerror(errno));
		int in = open("/dev/null", O_RDONLY);
		if (in < 0 || dup2(in, STDIN_FILENO) < 0 || dup2(outfd, STDOUT_FILENO) < 0 ||
		    dup2(outfd, STDERR_FILENO) < 0)
			once_fail(outfd, "descriptors", strerror(errno));
		int rc = jail_lockdown(drop, uid, gid);
		if (rc < 0)
			once_fail(STDERR_FILENO, "lockdown", strerror(-rc));
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		execvpe(argv[0], (char *const *)argv, env);
		once_fail(STDERR_FILENO, argv[0], strerror(errno));
	}
	close_from(0);
	int st;
	while (waitpid(inner, &st, 0) < 0)
		if (errno != EINTR)
			_exit(127);
	_exit(WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st));
}

/* ---- opening beneath a folder a student could write ----------------------------------- */

int jail_open_beneath(int dirfd, const char *path, int flags, mode_t mode)
{
	struct open_how how = {
		.flags = (uint64_t)(flags | O_NOFOLLOW | O_CLOEXEC),
		.mode = (flags & O_CREAT) ? mode : 0,
		.resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS,
	};

	if (!*path || path[0] == '/')
		return -EINVAL;
	long fd = syscall(SYS_openat2, dirfd, path, &how, sizeof how);
	if (fd >= 0 || errno != ENOSYS)
		return fd >= 0 ? (int)fd : -errno;
	/* Before Linux 5.6: one component at a time, none of them a link or "..". */
	char buf[PATH_MAX];
	if (snprintf(buf, sizeof buf, "%s", path) >= (int)sizeof buf)
		return -ENAMETOOLONG;
	int cur = dup(dirfd);
	char *save = NULL, *part = strtok_r(buf, "/", &save);
	while (cur >= 0 && part) {
		char *next = strtok_r(NULL, "/", &save);
		if (strcmp(part, "..") == 0) {
			close(cur);
			return -EXDEV;
		}
		int nfd = next ? openat(cur, part, O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
			       : openat(cur, part, flags | O_NOFOLLOW | O_CLOEXEC, mode);
		int e = errno;
		close(cur);
		if (nfd < 0)
			return -e;
		cur = nfd;
		part = next;
	}
	return cur;
}
