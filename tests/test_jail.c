/* test_jail.c - what a program in a check's jail sees and cannot do: the view of the
 * system, no inherited descriptors, seccomp, the limits, and nothing left running after
 * the check. Each test runs a shell script the way a check runs a program. */
#define _GNU_SOURCE
#include "kit.h"
#include "jail.h"
#include "proc.h"
#include "sandbox.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

/* In pid 1 of a fresh PID namespace: scratch space, a jail, the script, its stdout. */
static void pid1(const struct sb_info *sb, const char *dir, const char *script, int out,
		 pid_t worker)
{
	char w[128], io[128], root[128], why[512], path[160];
	struct jail j;

	snprintf(w, sizeof w, "%s/w", dir);
	snprintf(io, sizeof io, "%s/io", dir);
	snprintf(root, sizeof root, "%s/root", dir);
	if (mount("tmpfs", dir, "tmpfs", 0, "size=64m,mode=0711") < 0 || mkdir(w, 0755) < 0 ||
	    mkdir(io, 0700) < 0 || mkdir(root, 0755) < 0 ||
	    (sb->root && chown(w, sb->run_uid, sb->run_gid) < 0))
		_exit(10);
	struct jail_view v = { .root = root, .rw = { w }, .tmp_bytes = 8 << 20 };
	struct jail_limits l = { .mem_bytes = 256 << 20, .pids = 64, .cpu_pct = 100 };
	char name[64];
	snprintf(name, sizeof name, "test-%d", (int)worker);
	if (jail_open(&j, &v, &l, name, sb->run_uid, sb->run_gid, sb->root, why, sizeof why) < 0) {
		dprintf(out, "jail_open: %s", why);
		_exit(11);
	}
	/* A descriptor of the grader's that a program must not inherit. */
	int leak = open("/dev/null", O_RDONLY);
	(void)leak;
	const char *argv[] = { "/bin/sh", "-c", script, NULL };
	snprintf(path, sizeof path, "%s/out", io);
	struct proc p;
	struct proc_spec s = {
		.argv = argv, .cwd = w, .stdout_path = path, .stderr_path = NULL, .jail = &j,
		.drop_privileges = sb->root, .uid = sb->run_uid, .gid = sb->run_gid,
		.limits = proc_default_limits(),
	};
	if (proc_spawn(&p, &s, why, sizeof why) < 0) {
		dprintf(out, "proc_spawn: %s", why);
		_exit(12);
	}
	proc_wait(&p, 20000);
	proc_stop(&p, 100);
	size_t n;
	char *text = proc_read_file(path, 1 << 20, &n);
	if (text && write(out, text, n) < 0)
		_exit(13);
	jail_close(&j);
	_exit(0);
}

/* Run script as a check's program; returns its stdout (malloc'd). Skips the test where
 * namespaces are not allowed. */
static char *jailed(const char *script)
{
	struct sb_info sb;
	char why[512], dir[] = "/tmp/wirelab-jailtest-XXXXXX";
	int pfd[2];

	sb_probe(&sb);
	if (sb.mode != SB_NETNS)
		cr_skip_test("needs namespaces: %s", sb.why);
	cr_assert_eq(jail_init(why, sizeof why), 0, "seccomp: %s", why);
	cr_assert(mkdtemp(dir));
	chmod(dir, 0711);
	cr_assert_eq(pipe(pfd), 0);
	pid_t pid = fork();
	cr_assert_geq(pid, 0);
	if (pid == 0) {
		close(pfd[0]);
		if (sb_enter(&sb, why, sizeof why) < 0)
			_exit(20);
		pid_t worker = getpid();
		pid_t p1 = jail_fork_pidns(why, sizeof why);
		if (p1 == 0)
			pid1(&sb, dir, script, pfd[1], worker);
		if (p1 < 0)
			_exit(21);
		int st;
		while (waitpid(p1, &st, 0) < 0)
			;
		_exit(WIFEXITED(st) ? WEXITSTATUS(st) : 22);
	}
	close(pfd[1]);
	size_t len = 0, cap = 1 << 16;
	char *buf = malloc(cap + 1);
	for (ssize_t n; (n = read(pfd[0], buf + len, cap - len)) > 0;)
		len += (size_t)n;
	buf[len] = '\0';
	close(pfd[0]);
	int st;
	waitpid(pid, &st, 0);
	rmdir(dir);
	cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0, "the jail failed (status %#x): %s", st,
		  buf);
	return buf;
}

Test(jail, sees_a_minimal_view_of_the_system, .timeout = 60)
{
	char *out = jailed("ls / | tr '\\n' ' '; echo; ls /tmp | wc -l; "
			   "for f in /etc/shadow /etc/sudoers /root /home /work /var /run /sys "
			   "/proc/1/root/etc/shadow; do "
			   "  [ -e \"$f\" ] && echo \"visible: $f\"; done; "
			   "echo x > /usr/wirelab-x 2>/dev/null && echo 'wrote /usr'; "
			   "echo x > /etc/wirelab-x 2>/dev/null && echo 'wrote /etc'; "
			   "echo x > /wirelab-x 2>/dev/null && echo 'wrote /'; "
			   "echo x > ./mine && echo 'cwd writable'; "
			   "grep -c . /etc/passwd; id -u");
	cr_expect(strstr(out, "bin dev etc lib") && strstr(out, "proc sbin tmp usr"),
		  "expected / to hold bin dev etc lib ... proc sbin tmp usr only, got:\n%s", out);
	cr_expect_null(strstr(out, "visible:"), "a host path is visible in the jail:\n%s", out);
	cr_expect(strstr(out, " \n1\n"), "/tmp holds more than the check's own folder:\n%s", out);
	cr_expect_null(strstr(out, "wrote"), "the view is writable outside the cwd:\n%s", out);
	cr_expect(strstr(out, "cwd writable"), "the working directory is not writable:\n%s", out);
	if (geteuid() == 0)
		cr_expect(strstr(out, "\n3\n65534\n"), "expected 3 accounts and uid 65534:\n%s", out);
	free(out);
}

Test(jail, inherits_no_descriptor_and_has_its_own_session, .timeout = 60)
{
	char *out = jailed("ls /proc/self/fd | tr '\\n' ' '; echo; "
			   "[ \"$(cut -d' ' -f6 /proc/self/stat)\" = \"$$\" ] || echo 'not a session leader'; "
			   "(: </dev/tty) 2>/dev/null && echo 'has a terminal'; echo end");
	/* 0 1 2 and the folder ls itself reads. */
	cr_expect(strstr(out, "0 1 2 3 \n"), "expected descriptors 0 1 2 (3: ls's own), got:\n%s",
		  out);
	cr_expect_null(strstr(out, "has a terminal"), "%s", out);
	free(out);
}

Test(jail, refuses_namespaces_mounts_and_tracing, .timeout = 60)
{
	char *out = jailed("unshare -U true 2>/dev/null && echo 'new user namespace'; "
			   "unshare -n true 2>/dev/null && echo 'new network namespace'; "
			   "python3 -c 'import ctypes,sys; l=ctypes.CDLL(None); "
			   "sys.exit(0 if l.ptrace(16, 1, 0, 0) == 0 else 1)' && echo 'ptrace attached'; "
			   "echo end");
	cr_expect(strstr(out, "end"), "the script did not run: %s", out);
	cr_expect_null(strstr(out, "namespace"), "%s", out);
	cr_expect_null(strstr(out, "ptrace attached"), "%s", out);
	free(out);
}

Test(jail, bounds_tmp_and_shm, .timeout = 60)
{
	char *out = jailed("head -c 16777216 /dev/zero > /tmp/big 2>/dev/null || echo 'tmp full'; "
			   "head -c 16777216 /dev/zero > /dev/shm/big 2>/dev/null || echo 'shm full'");
	cr_expect(strstr(out, "tmp full") && strstr(out, "shm full"),
		  "16 MiB fit in an 8 MiB /tmp or /dev/shm:\n%s", out);
	free(out);
}

/* A double-forking daemon in a session of its own: gone once the check ends. */
Test(jail, leaves_nothing_running, .timeout = 60)
{
	char *out = jailed("setsid sh -c 'sleep 30917 & sleep 30917' >/dev/null 2>&1 & echo started");
	cr_expect(strstr(out, "started"), "%s", out);
	free(out);
	usleep(200 * 1000);
	DIR *d = opendir("/proc");
	struct dirent *e;
	int found = 0;
	while ((e = readdir(d)) != NULL) {
		char path[300], cmd[256] = "";
		snprintf(path, sizeof path, "/proc/%s/cmdline", e->d_name);
		int fd = open(path, O_RDONLY);
		if (fd < 0)
			continue;
		ssize_t n = read(fd, cmd, sizeof cmd - 1);
		close(fd);
		for (ssize_t i = 0; i < n; i++)
			if (!cmd[i])
				cmd[i] = ' ';
		found += n > 0 && strstr(cmd, "sleep 30917") != NULL;
	}
	closedir(d);
	cr_expect_eq(found, 0, "%d processes of the check still run after it ended", found);
}

Test(jail, limits_the_memory_of_the_whole_check, .timeout = 60)
{
	char limits[400];

	jail_probe(limits, sizeof limits);
	if (strncmp(limits, "no cgroup", 9) == 0)
		cr_skip_test("%s", limits);
	/* Three processes of 128 MiB each: within any one process's limits, past the
	 * check's 256 MiB. */
	char *out = jailed("for i in 1 2 3; do python3 -c 'import time; a = bytearray(128 << 20); "
			   "a[::4096] = b\"x\" * len(a[::4096]); time.sleep(3)' & done; "
			   "n=0; for j in 1 2 3; do wait -n && n=$((n+1)); done; echo \"survived $n\"");
	cr_expect_null(strstr(out, "survived 3"), "3 x 128 MiB all ran in a 256 MiB check:\n%s",
		       out);
	free(out);
}
