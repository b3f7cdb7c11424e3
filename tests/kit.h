/* kit.h - helpers for the kit's own tests: run the wirelab command, read its JSON. */
#ifndef WIRELAB_TEST_KIT_H
#define WIRELAB_TEST_KIT_H

#include <cjson/cJSON.h>
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

/* The wirelab binary under test (the sanitizer run points WIRELAB_BIN elsewhere). */
static inline const char *kit_bin(void)
{
	const char *b = getenv("WIRELAB_BIN");
	return b && *b ? b : "bin/wirelab";
}

/* Run a shell command; returns its stdout (malloc'd) and exit status. */
static inline char *kit_run(const char *cmd, int *status)
{
	FILE *p = popen(cmd, "r");
	size_t len = 0, cap = 65536;
	char *out = malloc(cap);

	cr_assert(p && out, "cannot run: %s", cmd);
	for (;;) {
		if (len + 4096 > cap)
			cr_assert((out = realloc(out, cap *= 2)) != NULL);
		size_t n = fread(out + len, 1, cap - len - 1, p);
		if (n == 0)
			break;
		len += n;
	}
	out[len] = '\0';
	int st = pclose(p);
	*status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
	return out;
}

/* A fresh temporary directory (malloc'd path). */
static inline char *kit_tmpdir(void)
{
	char *d = strdup("/tmp/wirelab-test-XXXXXX");
	cr_assert(d && mkdtemp(d), "mkdtemp failed");
	return d;
}

static inline void kit_rmdir(const char *d)
{
	char cmd[600];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", d);
	if (system(cmd) != 0)
		cr_log_warn("could not remove %s", d);
}

/* `wirelab grade ARGS --format json`, parsed. */
static inline cJSON *kit_grade(const char *args, int *status)
{
	char cmd[8192];
	snprintf(cmd, sizeof cmd, "%.2000s grade %.5000s --format json", kit_bin(), args);
	char *out = kit_run(cmd, status);
	cJSON *j = cJSON_Parse(out);
	cr_assert(j, "`%s` did not print JSON; it printed:\n%.2000s", cmd, out);
	free(out);
	return j;
}

static inline const char *kit_str(const cJSON *o, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
	return cJSON_IsString(v) ? v->valuestring : "";
}

static inline double kit_num(const cJSON *o, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
	return cJSON_IsNumber(v) ? v->valuedouble : -1;
}

/* Headless Chromium on a local page: no sandbox (root), no GPU, no network of its own, a
 * fresh profile. what is the action (--dump-dom, --screenshot=FILE); out, when not NULL,
 * receives what Chromium printed. */
static inline void kit_chromium(const char *profile, const char *what, const char *page,
				const char *out)
{
	char cmd[4096];
	int st;

	snprintf(cmd, sizeof cmd,
		 "timeout 60 chromium --headless --no-sandbox --disable-gpu --disable-quic "
		 "--no-first-run --disable-background-networking --disable-component-update "
		 "--disable-sync --user-data-dir=%s --window-size=1100,1400 %s 'file://%s' "
		 "%s%s 2>/dev/null", profile, what, page, out ? ">" : "", out ? out : "");
	char *o = kit_run(cmd, &st);
	cr_assert_eq(st, 0, "chromium exited %d (is it installed? make deps): %s", st, cmd);
	free(o);
}

/* A fresh folder holding lab's reference src/ with one of its mutants applied (malloc'd
 * path; patch is named from the kit's root). */
static inline char *kit_mutant(const char *lab, const char *patch)
{
	char *dir = kit_tmpdir(), cmd[6000], abs[4096];
	int st;

	cr_assert(realpath(patch, abs), "%s: no such file", patch);
	snprintf(cmd, sizeof cmd, "cp -r solutions/%s/src %s/ && cd %s && git apply '%s' 2>&1",
		 lab, dir, dir, abs);
	char *out = kit_run(cmd, &st);
	cr_assert_eq(st, 0, "%s does not apply to solutions/%s: %s", patch, lab, out);
	free(out);
	return dir;
}

#endif
