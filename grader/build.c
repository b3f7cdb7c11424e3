/* build.c - building a lab's programs with the kit's recipe. */
#define _GNU_SOURCE
#include "build.h"
#include "clock.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define BUILD_LOG_MAX   (32u << 10)
#define BUILD_TIMEOUT_MS 120000
#define BUILD_MAX_SRC   64

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

/* The shared helper sources of srcdir (sorted), malloc'd strings. */
static size_t helpers(const struct lab *lab, const char *srcdir, char **out, size_t max)
{
	DIR *d = opendir(srcdir);
	struct dirent *e;
	size_t n = 0;

	if (!d)
		return 0;
	while ((e = readdir(d)) != NULL && n < max) {
		size_t len = strlen(e->d_name);
		if (len < 3 || strcmp(e->d_name + len - 2, ".c") != 0 || e->d_name[0] == '.')
			continue;
		if (is_program(lab, e->d_name, len - 2))
			continue;
		size_t plen = strlen(srcdir) + len + 2;
		out[n] = malloc(plen);
		if (out[n])
			snprintf(out[n++], plen, "%s/%s", srcdir, e->d_name);
	}
	closedir(d);
	qsort(out, n, sizeof *out, cmp_str);
	return n;
}

/* Run argv, its stdout and stderr into the log; returns the exit status or -1. */
static int run_cc(const char *const *argv, struct logbuf *l)
{
	int pfd[2], st = 0;
	pid_t pid;
	char buf[4096];
	int64_t deadline = clock_deadline(BUILD_TIMEOUT_MS);

	if (pipe2(pfd, O_CLOEXEC) < 0)
		return -1;
	pid = fork();
	if (pid < 0) {
		close(pfd[0]);
		close(pfd[1]);
		return -1;
	}
	if (pid == 0) {
		setpgid(0, 0);
		dup2(pfd[1], STDOUT_FILENO);
		dup2(pfd[1], STDERR_FILENO);
		execvp(argv[0], (char *const *)argv);
		fprintf(stderr, "cannot run %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	setpgid(pid, pid);
	close(pfd[1]);
	struct pollfd p = { .fd = pfd[0], .events = POLLIN };
	for (;;) {
		int left = clock_left_ms(deadline);
		if (left == 0) {
			kill(-pid, SIGKILL);
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
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

int build_lab(const struct lab *lab, const char *srcdir, const char *outdir, char **log)
{
	struct logbuf l = { 0 };
	char *help[BUILD_MAX_SRC];
	size_t nhelp = helpers(lab, srcdir, help, BUILD_MAX_SRC);
	int rc = 0;
	struct stat st;

	if (stat(srcdir, &st) < 0 || !S_ISDIR(st.st_mode)) {
		char msg[600];
		int n = snprintf(msg, sizeof msg, "no source folder %s\n", srcdir);
		log_add(&l, msg, (size_t)n);
		rc = -1;
	}
	for (size_t i = 0; rc == 0 && lab->programs[i]; i++) {
		const char *prog = lab->programs[i];
		char main_src[512], out[512], inc[520], line[1024];
		const char *argv[BUILD_MAX_SRC + 16];
		size_t n = 0;

		snprintf(main_src, sizeof main_src, "%s/%s.c", srcdir, prog);
		snprintf(out, sizeof out, "%s/%s", outdir, prog);
		snprintf(inc, sizeof inc, "-I%s", srcdir);
		if (access(main_src, R_OK) < 0) {
			int len = snprintf(line, sizeof line, "missing %s\n", main_src);
			log_add(&l, line, (size_t)len);
			rc = -1;
			break;
		}
		const char *recipe[] = { "cc", "-std=c17", "-O2", "-g", "-Wall", "-Wextra",
					 "-pthread", inc, "-o", out, main_src };
		for (size_t k = 0; k < sizeof recipe / sizeof *recipe; k++)
			argv[n++] = recipe[k];
		for (size_t k = 0; k < nhelp; k++)
			argv[n++] = help[k];
		char libs[128] = "";
		if (lab->ldlibs) {
			snprintf(libs, sizeof libs, "%s", lab->ldlibs);
			argv[n++] = libs;
		}
		argv[n] = NULL;
		/* The command as a student would type it, then what the compiler said. */
		size_t used = 0;
		for (size_t k = 0; k < n && used < sizeof line - 2; k++)
			used += (size_t)snprintf(line + used, sizeof line - used, "%s%s", k ? " " : "$ ",
						 argv[k]);
		if (used < sizeof line - 1)
			line[used++] = '\n';
		log_add(&l, line, used);
		if (run_cc(argv, &l) != 0)
			rc = -1;
	}
	for (size_t k = 0; k < nhelp; k++)
		free(help[k]);
	*log = l.s ? l.s : calloc(1, 1);
	return rc;
}
