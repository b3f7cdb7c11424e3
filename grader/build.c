/* build.c - building a lab's programs with the kit's recipe. */
#define _GNU_SOURCE
#include "build.h"
#include "clock.h"
#include "jail.h"
#include "labs.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define BUILD_LOG_MAX   (32u << 10)
#define BUILD_TIMEOUT_MS 120000
#define BUILD_MAX_SRC   64
#define BUILD_FILE_MAX  (1 << 20)
#ifndef WIRELAB_RECIPE
#error "WIRELAB_RECIPE (the flags of grader/recipe) comes from the Makefile"
#endif
#define BUILD_MEM_BYTES (1ULL << 30)     /* the compiler of one program, all its processes */
#define BUILD_TMP_BYTES (256ULL << 20)   /* its /tmp */
/* Any file the compiler writes, the program it links included (a lab's is well under
 * 1 MiB; a section aligned to 1 GiB makes the linker write gigabytes into the host's /tmp). */
#define BUILD_FILE_BYTES (64ULL << 20)

struct logbuf {
	char *s;
	size_t len;
	bool cut;
};

static void log_add(struct logbuf *l, const char *p, size_t n)
{
	if (l->cut)
		return;
	if (l->len + n > BUILD_LOG_MAX) {
		n = BUILD_LOG_MAX - l->len;
		l->cut = true;
	}
	char *s = realloc(l->s, l->len + n + 32);
	if (!s)
		return;
	l->s = s;
	memcpy(l->s + l->len, p, n);
	l->len += n;
	if (l->cut) {
		memcpy(l->s + l->len, "\n[output cut]\n", 14);
		l->len += 14;
	}
	l->s[l->len] = '\0';
}

static bool is_program(const struct lab *lab, const char *name, size_t n)
{
	for (size_t i = 0; lab->programs[i]; i++)
		if (strlen(lab->programs[i]) == n && strncmp(lab->programs[i], name, n) == 0)
			return true;
	return false;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* A program of another lab: a folder holding several labs' files side by side (loose files,
 * one src/ for all) builds each lab from its own programs and the helpers. */
static bool is_other_program(const struct lab *lab, const char *name, size_t n)
{
	for (size_t i = 0; labs_all[i]; i++)
		if (labs_all[i] != lab && is_program(labs_all[i], name, n))
			return true;
	return false;
}

/* The shared helpers among names (the .c files of src/, sorted): pointers into names. */
static size_t helpers(const struct lab *lab, char **names, size_t n, const char **out)
{
	size_t k = 0;

	for (size_t i = 0; i < n; i++) {
		size_t len = strlen(names[i]);
		if (len > 2 && strcmp(names[i] + len - 2, ".c") == 0 &&
		    !is_program(lab, names[i], len - 2) && !is_other_program(lab, names[i], len - 2))
			out[k++] = names[i];
	}
	return k;
}

/* Open name beneath dirfd for reading only if it is a regular file, never following a
 * link: a FIFO is never waited on, and a device's driver never sees an open (a device node
 * comes with a tar extracted as root). The type is read from an O_PATH descriptor, which
 * opens nothing, and the file is then opened through that same descriptor. The descriptor,
 * -EINVAL when it is not a regular file, -EMLINK when it has other names, or -errno. */
static int open_regular(int dirfd, const char *name)
{
	char self[64];
	struct stat st;
	int p = openat(dirfd, name, O_PATH | O_NOFOLLOW | O_CLOEXEC), fd;

	if (p < 0)
		return -errno;
	if (fstat(p, &st) < 0) {
		int e = errno;
		close(p);
		return -e;
	}
	if (!S_ISREG(st.st_mode)) {
		close(p);
		return S_ISLNK(st.st_mode) ? -ELOOP : -EINVAL;
	}
	/* A file with another name is someone else's as much as the student's: a hard link
	 * to a file the grader (root) may read and they may not. */
	if (st.st_nlink != 1) {
		close(p);
		return -EMLINK;
	}
	snprintf(self, sizeof self, "/proc/self/fd/%d", p);
	fd = open(self, O_RDONLY | O_NOCTTY | O_CLOEXEC);
	if (fd < 0 && errno == ENOENT) {
		/* No /proc: by name again, where a FIFO put there since cannot block us. */
		fd = openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
		struct stat now;
		if (fd >= 0 && (fstat(fd, &now) < 0 || now.st_dev != st.st_dev ||
				now.st_ino != st.st_ino || fcntl(fd, F_SETFL, 0) < 0)) {
			close(fd);
			fd = -1;
			errno = EINVAL;
		}
	}
	int e = errno;
	close(p);
	return fd >= 0 ? fd : -e;
}

/* Copy one regular file (never through a symlink) into dir, owned by uid when root. */
static int copy_file(int srcfd, const char *name, const char *dir, uid_t uid, gid_t gid,
		     struct logbuf *l)
{
	char msg[600], buf[65536];
	int in = open_regular(srcfd, name);
	struct stat st;

	if (in == -EINVAL || in == -EMLINK) {
		int len = snprintf(msg, sizeof msg, "src/%s: %s\n", name,
				   in == -EINVAL ? "not a regular file"
						 : "a hard link (the file has other names; not copied)");
		log_add(l, msg, (size_t)len);
		return -1;
	}
	if (in < 0)
		errno = -in;
	if (in < 0 || fstat(in, &st) < 0 || !S_ISREG(st.st_mode) || st.st_size > BUILD_FILE_MAX) {
		int len = snprintf(msg, sizeof msg, "src/%s: %s\n", name,
				   in < 0 && errno == ELOOP ? "a symlink (not followed)"
				   : in < 0 ? strerror(errno)
				   : !S_ISREG(st.st_mode) ? "not a regular file" : "larger than 1 MiB");
		log_add(l, msg, (size_t)len);
		if (in >= 0)
			close(in);
		return -1;
	}
	char path[1400];
	snprintf(path, sizeof path, "%.1100s/%.255s", dir, name);
	int out = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	int rc = out < 0 ? -1 : 0;
	for (ssize_t n; rc == 0 && (n = read(in, buf, sizeof buf)) != 0;)
		if (n < 0 || write(out, buf, (size_t)n) != n)
			rc = -1;
	if (out >= 0 && geteuid() == 0 && fchown(out, uid, gid) < 0)
		rc = -1;
	if (rc < 0) {
		int len = snprintf(msg, sizeof msg, "src/%s: cannot copy: %s\n", name, strerror(errno));
		log_add(l, msg, (size_t)len);
	}
	if (out >= 0)
		close(out);
	close(in);
	return rc;
}

/* Copy the .c and .h files of the folder srcfd (closed here) into outdir/src; their names
 * (sorted, malloc'd) in names. Returns how many, or -1 after logging why. */
static int copy_sources(int srcfd, const char *outdir, uid_t uid, gid_t gid, char **names,
			size_t max, struct logbuf *l)
{
	char dst[1100];
	DIR *d = srcfd >= 0 ? fdopendir(srcfd) : NULL;
	struct dirent *e;
	size_t n = 0;
	int rc = 0;

	if (!d) {
		if (srcfd >= 0)
			close(srcfd);
		return -1;
	}
	rewinddir(d);   /* srcfd may be a duplicate read before */
	snprintf(dst, sizeof dst, "%s/src", outdir);
	if (mkdir(dst, 0755) < 0 || (geteuid() == 0 && chown(dst, uid, gid) < 0)) {
		closedir(d);
		return -1;
	}
	while ((e = readdir(d)) != NULL) {
		size_t len = strlen(e->d_name);
		if (e->d_name[0] == '.' || len < 3 || e->d_name[len - 2] != '.' ||
		    (e->d_name[len - 1] != 'c' && e->d_name[len - 1] != 'h'))
			continue;
		if (n == max) {
			log_add(l, "src/: too many source files\n", 28);
			rc = -1;
			break;
		}
		if (copy_file(dirfd(d), e->d_name, dst, uid, gid, l) < 0)
			rc = -1;
		else if ((names[n] = strdup(e->d_name)) != NULL)
			n++;
	}
	closedir(d);
	qsort(names, n, sizeof *names, cmp_str);
	if (rc < 0) {
		for (size_t i = 0; i < n; i++)
			free(names[i]);
		return -1;
	}
	return (int)n;
}

/* Run argv in cwd, its stdout and stderr into the log; returns the exit status or -1. In a
 * jail of its own when o->jail; else as a locked-down process of its own. */
static int run_cc(const char *const *argv, const char *cwd, const char *root,
		  const struct build_opts *o, struct logbuf *l)
{
	static _Atomic unsigned seq;
	int pfd[2], st = 0;
	pid_t pid;
	char buf[4096], name[64], why[300];
	int64_t deadline = clock_deadline(BUILD_TIMEOUT_MS);
	bool drop = o->drop && geteuid() == 0;

	if (pipe2(pfd, O_CLOEXEC) < 0)
		return -1;
	snprintf(name, sizeof name, "cc-%d-%u", (int)getpid(), seq++);
	if (o->jail) {
		struct jail_view v = { .root = root, .rw = { cwd }, .tmp_bytes = BUILD_TMP_BYTES };
		struct jail_limits lim = { .mem_bytes = BUILD_MEM_BYTES, .pids = 64, .cpu_pct = 100,
					   .file_bytes = BUILD_FILE_BYTES,
					   .as_bytes = BUILD_MEM_BYTES };
		pid = jail_run_once(&v, &lim, name, argv, cwd, pfd[1], drop, o->uid, o->gid, why,
				    sizeof why);
		if (pid < 0) {
			log_add(l, why, strlen(why));
			close(pfd[0]);
			close(pfd[1]);
			return -1;
		}
	} else {
		if (jail_init(why, sizeof why) < 0) {
			close(pfd[0]);
			close(pfd[1]);
			return -1;
		}
		pid = fork();
		if (pid < 0) {
			close(pfd[0]);
			close(pfd[1]);
			return -1;
		}
		if (pid == 0) {
			int in = open("/dev/null", O_RDONLY);
			dup2(pfd[1], STDOUT_FILENO);
			dup2(pfd[1], STDERR_FILENO);
			if (in < 0 || dup2(in, STDIN_FILENO) < 0 || chdir(cwd) < 0 ||
			    jail_lockdown(drop, o->uid, o->gid) < 0) {
				fprintf(stderr, "cannot prepare the compiler: %s\n", strerror(errno));
				_exit(127);
			}
			prctl(PR_SET_PDEATHSIG, SIGKILL);
			struct rlimit as = { BUILD_MEM_BYTES, BUILD_MEM_BYTES };
			struct rlimit fsz = { BUILD_FILE_BYTES, BUILD_FILE_BYTES };
			setrlimit(RLIMIT_AS, &as);
			setrlimit(RLIMIT_FSIZE, &fsz);
			execvp(argv[0], (char *const *)argv);
			fprintf(stderr, "cannot run %s: %s\n", argv[0], strerror(errno));
			_exit(127);
		}
	}
	close(pfd[1]);
	struct pollfd p = { .fd = pfd[0], .events = POLLIN };
	for (;;) {
		int left = clock_left_ms(deadline);
		if (left == 0) {
			kill(-pid, SIGKILL);
			kill(pid, SIGKILL);
			log_add(l, "[the compiler took too long and was stopped]\n", 45);
			break;
		}
		if (poll(&p, 1, left) <= 0)
			continue;
		ssize_t n = read(pfd[0], buf, sizeof buf);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		log_add(l, buf, (size_t)n);
	}
	close(pfd[0]);
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	if (o->jail)
		jail_cleanup(name);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* Build each program of lab from the sources of srcfd (closed here) in dir/out; a program
 * that does not build sets its bit in *unbuilt. Returns 0 when all built, -1 when any did
 * not. */
static int build(const struct lab *lab, int srcfd, const char *dir, const struct build_opts *o,
		 char **log, unsigned *unbuilt)
{
	struct logbuf l = { 0 };
	char *names[BUILD_MAX_SRC], outdir[1000], root[1000];
	const char *help[BUILD_MAX_SRC];
	bool drop = o->drop && geteuid() == 0;
	int rc = 0, n = -1;

	*unbuilt = 0;
	snprintf(outdir, sizeof outdir, "%.990s/out", dir);
	snprintf(root, sizeof root, "%.990s/root", dir);
	if (mkdir(outdir, 0755) < 0 || mkdir(root, 0755) < 0 ||
	    (drop && chown(outdir, o->uid, o->gid) < 0)) {
		char msg[1300];
		int len = snprintf(msg, sizeof msg, "cannot prepare %s: %s\n", dir, strerror(errno));
		log_add(&l, msg, (size_t)len);
		close(srcfd);
		rc = -1;
	} else {
		n = copy_sources(srcfd, outdir, o->uid, o->gid, names, BUILD_MAX_SRC, &l);
		rc = n < 0 ? -1 : 0;
	}
	size_t nhelp = n > 0 ? helpers(lab, names, (size_t)n, help) : 0;
	for (size_t i = 0; lab->programs[i]; i++) {
		const char *prog = lab->programs[i];
		char main_src[300], line[1024];
		const char *argv[BUILD_MAX_SRC + 16];
		size_t k = 0;

		if (n < 0) {
			*unbuilt |= 1u << i;
			continue;
		}
		snprintf(main_src, sizeof main_src, "%s.c", prog);
		bool found = false;
		for (int j = 0; j < n; j++)
			found |= strcmp(names[j], main_src) == 0;
		if (!found) {
			int len = snprintf(line, sizeof line, "missing src/%s\n", main_src);
			log_add(&l, line, (size_t)len);
			*unbuilt |= 1u << i;
			rc = -1;
			continue;
		}
		snprintf(main_src, sizeof main_src, "src/%s.c", prog);
		/* The kit's recipe (grader/recipe, built in; labs/lab.mk reads the same file). */
		char flags[] = WIRELAB_RECIPE;
		argv[k++] = "cc";
		for (char *save = NULL, *w = strtok_r(flags, " ", &save); w && k < 16;
		     w = strtok_r(NULL, " ", &save))
			argv[k++] = w;
		const char *rest[] = { "-Isrc", "-o", prog, main_src };
		for (size_t j = 0; j < sizeof rest / sizeof *rest; j++)
			argv[k++] = rest[j];
		char hpath[BUILD_MAX_SRC][300];
		for (size_t j = 0; j < nhelp; j++) {
			snprintf(hpath[j], sizeof hpath[j], "src/%s", help[j]);
			argv[k++] = hpath[j];
		}
		/* The lab's extra link flags, one argument each. */
		char libs[128] = "";
		if (lab->ldlibs)
			snprintf(libs, sizeof libs, "%s", lab->ldlibs);
		for (char *save = NULL, *w = strtok_r(libs, " ", &save); w && k < BUILD_MAX_SRC + 15;
		     w = strtok_r(NULL, " ", &save))
			argv[k++] = w;
		argv[k] = NULL;
		/* The command as a student would type it, then what the compiler said. */
		size_t used = 0;
		for (size_t j = 0; j < k && used < sizeof line - 2; j++)
			used += (size_t)snprintf(line + used, sizeof line - used, "%s%s", j ? " " : "$ ",
						 argv[j]);
		if (used > sizeof line - 2)
			used = sizeof line - 2;
		line[used++] = '\n';
		log_add(&l, line, used);
		if (run_cc(argv, outdir, root, o, &l) != 0) {
			*unbuilt |= 1u << i;
			rc = -1;
		} else if (drop) {
			/* The program is the grader's now: nothing the student runs may change it. */
			char path[1400];
			snprintf(path, sizeof path, "%s/%s", outdir, prog);
			if (lchown(path, 0, 0) < 0 || chmod(path, 0755) < 0)
				*unbuilt |= 1u << i;
		}
	}
	if (drop && (chown(outdir, 0, 0) < 0 || chmod(outdir, 0755) < 0))
		rc = -1;
	for (int j = 0; j < n; j++)
		free(names[j]);
	*log = l.s ? l.s : calloc(1, 1);
	return rc;
}

int build_lab(const struct lab *lab, const char *srcdir, const char *outdir, char **log)
{
	struct build_opts o = { .jail = false };
	unsigned unbuilt;
	int fd = open(srcdir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd < 0) {
		char msg[1200];
		snprintf(msg, sizeof msg, "no source folder %s: %s\n", srcdir, strerror(errno));
		*log = strdup(msg);
		return -1;
	}
	/* The kit's own sources: built in outdir/.build/out; the programs are linked into
	 * outdir so callers find them there. */
	char dir[1000];
	snprintf(dir, sizeof dir, "%.900s/.build", outdir);
	if (mkdir(dir, 0755) < 0) {
		*log = strdup("cannot make the build folder\n");
		close(fd);
		return -1;
	}
	int rc = build(lab, fd, dir, &o, log, &unbuilt);
	for (size_t i = 0; rc == 0 && lab->programs[i]; i++) {
		char from[1400], to[1400];
		snprintf(from, sizeof from, ".build/out/%s", lab->programs[i]);
		snprintf(to, sizeof to, "%s/%s", outdir, lab->programs[i]);
		if (symlink(from, to) < 0)
			rc = -1;
	}
	return rc;
}

int build_submission(const struct lab *lab, int labfd, bool flat, const char *dir,
		     const struct build_opts *o, char **log, unsigned *unbuilt)
{
	int fd = flat ? fcntl(labfd, F_DUPFD_CLOEXEC, 0)
		      : jail_open_beneath(labfd, "src", O_RDONLY | O_DIRECTORY, 0);

	if (flat && fd < 0)
		fd = -errno;
	if (fd < 0) {
		char msg[300];
		snprintf(msg, sizeof msg, "no source folder src/: %s\n",
			 fd == -ELOOP || fd == -EXDEV ? "it is a symbolic link (not followed)"
						      : strerror(-fd));
		*log = strdup(msg);
		*unbuilt = 0;
		for (size_t i = 0; lab->programs[i]; i++)
			*unbuilt |= 1u << i;
		return -1;
	}
	return build(lab, fd, dir, o, log, unbuilt);
}
