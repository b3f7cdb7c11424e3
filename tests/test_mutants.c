/* test_mutants.c - every check can fail: each patch in tests/mutants/LAB/ plants one bug in
 * the reference solution and names the checks it kills; the grader must fail exactly those
 * (and pass the rest, but for the ones named May-fail), and every check of every lab must be
 * killed by at least one mutant. */
#define _DEFAULT_SOURCE
#include "kit.h"
#include "labs.h"

#include <criterion/parameterized.h>

#include <dirent.h>
#include <stdbool.h>

#define MUTANT_DIR "tests/mutants"

struct mutant {
	char *lab;      /* "01-tcp-echo" */
	char *patch;    /* "tests/mutants/01-tcp-echo/no-half-close.patch" */
};

static char *cr_dup(const char *s)
{
	char *d = cr_malloc(strlen(s) + 1);
	strcpy(d, s);
	return d;
}

static void free_mutants(struct criterion_test_params *crp)
{
	struct mutant *m = crp->params;
	for (size_t i = 0; i < crp->length; i++) {
		cr_free(m[i].lab);
		cr_free(m[i].patch);
	}
	cr_free(m);
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The sorted .patch files of one lab folder (malloc'd names). */
static size_t patches(const char *lab, char **out, size_t max)
{
	char dir[512];
	struct dirent *e;
	size_t n = 0;

	snprintf(dir, sizeof dir, MUTANT_DIR "/%s", lab);
	DIR *d = opendir(dir);
	if (!d)
		return 0;
	while ((e = readdir(d)) && n < max) {
		size_t len = strlen(e->d_name);
		if (len > 6 && strcmp(e->d_name + len - 6, ".patch") == 0)
			out[n++] = strdup(e->d_name);
	}
	closedir(d);
	qsort(out, n, sizeof *out, cmp_names);
	return n;
}

ParameterizedTestParameters(mutants, kill)
{
	size_t n = 0, cap = 512;
	struct mutant *m = cr_malloc(cap * sizeof *m);

	for (size_t l = 0; labs_all[l]; l++) {
		char *names[256];
		size_t k = patches(labs_all[l]->id, names, 256);
		for (size_t i = 0; i < k && n < cap; i++) {
			char path[600];
			snprintf(path, sizeof path, MUTANT_DIR "/%s/%s", labs_all[l]->id, names[i]);
			m[n].lab = cr_dup(labs_all[l]->id);
			m[n].patch = cr_dup(path);
			n++;
			free(names[i]);
		}
	}
	return cr_make_param_array(struct mutant, m, n, free_mutants);
}

/* The words after "Key:" on the header line that starts with it, space-padded on both
 * sides so " id " finds a whole id. */
static void header_list(const char *patch, const char *key, char *out, size_t outsz)
{
	FILE *f = fopen(patch, "r");
	char line[2048];
	size_t klen = strlen(key);

	snprintf(out, outsz, " ");
	cr_assert(f, "cannot open %s", patch);
	while (fgets(line, sizeof line, f)) {
		if (strncmp(line, "---", 3) == 0 || strncmp(line, "diff ", 5) == 0)
			break;
		if (strncmp(line, key, klen) == 0) {
			for (char *p = line + klen; *p; p++)
				if (*p == '\n' || *p == '\t' || *p == ',')
					*p = ' ';
			snprintf(out, outsz, " %s ", line + klen);
			break;
		}
	}
	fclose(f);
}

static bool listed(const char *list, const char *id)
{
	char needle[160];
	snprintf(needle, sizeof needle, " %s ", id);
	return strstr(list, needle) != NULL;
}

ParameterizedTest(struct mutant *m, mutants, kill, .timeout = 240)
{
	char kills[2048], may[2048], cmd[9000], abs[4096];
	char *tmp = kit_tmpdir();
	int st;

	header_list(m->patch, "Kills:", kills, sizeof kills);
	header_list(m->patch, "May-fail:", may, sizeof may);
	cr_assert(strlen(kills) > 2, "%s names no check in its Kills: line", m->patch);
	cr_assert(realpath(m->patch, abs), "%s: no such file", m->patch);
	snprintf(cmd, sizeof cmd, "cp -r solutions/%s/src %s/ && cd %s && git apply '%s' 2>&1",
		 m->lab, tmp, tmp, abs);
	char *out = kit_run(cmd, &st);
	cr_assert_eq(st, 0, "%s does not apply to solutions/%s: %s", m->patch, m->lab, out);
	free(out);
	snprintf(cmd, sizeof cmd, "%s --submission %s --pcap-dir %s/pcaps", m->lab, tmp, tmp);
	cJSON *j = kit_grade(cmd, &st), *chk;
	cJSON_ArrayForEach(chk, cJSON_GetObjectItemCaseSensitive(j, "checks")) {
		const char *id = kit_str(chk, "id"), *status = kit_str(chk, "status");
		if (listed(kills, id))
			cr_expect_str_eq(status, "fail", "%s must fail %s, but it was %s: %s", m->patch,
					 id, status, kit_str(chk, "message"));
		else if (listed(may, id))
			cr_expect(strcmp(status, "error") != 0, "%s: %s was an error: %s", m->patch, id,
				  kit_str(chk, "message"));
		else
			cr_expect_str_eq(status, "pass", "%s must not disturb %s, but it was %s: %s",
					 m->patch, id, status, kit_str(chk, "message"));
	}
	cJSON_Delete(j);
	kit_rmdir(tmp);
}

Test(mutants, every_check_is_killed)
{
	for (size_t l = 0; labs_all[l]; l++) {
		const struct lab *lab = labs_all[l];
		char *names[256], all[32768] = " ";
		size_t n = patches(lab->id, names, 256), used = 1;
		for (size_t i = 0; i < n; i++) {
			char path[600], kills[2048];
			snprintf(path, sizeof path, MUTANT_DIR "/%s/%s", lab->id, names[i]);
			header_list(path, "Kills:", kills, sizeof kills);
			used += (size_t)snprintf(all + used, sizeof all - used, "%s", kills);
			if (used >= sizeof all)
				used = sizeof all - 1;
			free(names[i]);
		}
		for (size_t i = 0; i < lab->nchecks; i++)
			cr_expect(listed(all, lab->checks[i].id),
				  "%s: no mutant in " MUTANT_DIR "/%s kills %s", lab->id, lab->id,
				  lab->checks[i].id);
	}
}
