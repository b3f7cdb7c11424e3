/* test_mutants.c - every check can fail: each patch in tests/mutants/LAB/ plants one bug in
 * the reference solution and names the checks it kills; the grader must fail exactly those
 * (and pass the rest, but for the ones named May-fail), and every check of every lab must be
 * killed by at least one mutant.
 *
 * A check that never runs a program cannot be disturbed by a bug in it: a mutant of one
 * program's own file is graded on the checks that run that program (as the reference's
 * grade says, in its "programs" field), a mutant of a shared file on all of them. */
#define _DEFAULT_SOURCE
#include "kit.h"
#include "labs.h"

#include <criterion/parameterized.h>

#include <dirent.h>
#include <fcntl.h>
#include <stdbool.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#define MUTANT_DIR "tests/mutants"
#define REF_DIR "build/kit/mutants-ref"

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

	/* WIRELAB_MUTANTS=05 (a prefix of lab ids) runs one lab's mutants alone. */
	const char *only = getenv("WIRELAB_MUTANTS");

	for (size_t l = 0; labs_all[l]; l++) {
		char *names[256];
		if (only && strncmp(labs_all[l]->id, only, strlen(only)) != 0)
			continue;
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

/* The reference solution's grade of lab as JSON, graded once per build of the grader and
 * kept under REF_DIR; the first test to need it grades, the others wait on the lock. */
static cJSON *reference(const char *lab)
{
	char path[256], lock[256], cmd[1024];
	struct stat bin, ref;

	mkdir("build/kit", 0755);
	mkdir(REF_DIR, 0755);
	snprintf(path, sizeof path, REF_DIR "/%s.json", lab);
	snprintf(lock, sizeof lock, REF_DIR "/%s.lock", lab);
	int fd = open(lock, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
	cr_assert(fd >= 0 && flock(fd, LOCK_EX) == 0, "cannot lock %s", lock);
	cr_assert(stat(kit_bin(), &bin) == 0, "no %s", kit_bin());
	if (stat(path, &ref) < 0 || ref.st_mtime < bin.st_mtime) {
		snprintf(cmd, sizeof cmd, "%s grade %s --solution --format json -o %s.tmp "
			 ">/dev/null 2>&1; mv %s.tmp %s", kit_bin(), lab, path, path, path);
		cr_assert(system(cmd) != -1);
	}
	close(fd);
	FILE *f = fopen(path, "r");
	cr_assert(f, "the reference grade of %s was not written", lab);
	char *buf = malloc(1 << 22);
	size_t n = fread(buf, 1, (1 << 22) - 1, f);
	fclose(f);
	buf[n] = '\0';
	cJSON *j = cJSON_Parse(buf);
	free(buf);
	cr_assert(j, "%s is not JSON", path);
	return j;
}

/* The programs the patch changes, space-padded (" echo_client "); "" when it changes a file
 * that is not one program's own (a shared helper, a header): all of them. */
static void patched_programs(const struct lab *lab, const char *patch, char *out, size_t outsz)
{
	FILE *f = fopen(patch, "r");
	char line[1024];
	size_t used = (size_t)snprintf(out, outsz, " ");

	cr_assert(f, "cannot open %s", patch);
	while (fgets(line, sizeof line, f)) {
		if (strncmp(line, "+++ b/src/", 10) != 0)
			continue;
		char *name = line + 10, *dot = strrchr(name, '.');
		bool own = false;
		if (dot && strcmp(dot, ".c\n") == 0) {
			*dot = '\0';
			for (size_t i = 0; lab->programs[i]; i++)
				own |= strcmp(lab->programs[i], name) == 0;
		}
		if (!own) {
			out[0] = '\0';
			break;
		}
		used += (size_t)snprintf(out + used, outsz - used, "%s ", name);
		cr_assert(used < outsz);
	}
	fclose(f);
}

static const struct lab *find_lab(const char *id)
{
	for (size_t l = 0; labs_all[l]; l++)
		if (strcmp(labs_all[l]->id, id) == 0)
			return labs_all[l];
	cr_assert_fail("no lab %s", id);
	return NULL;
}

ParameterizedTest(struct mutant *m, mutants, kill, .timeout = 240)
{
	char kills[2048], may[2048], progs[512], only[6000] = "", cmd[9000];
	const struct lab *lab = find_lab(m->lab);
	int st;

	header_list(m->patch, "Kills:", kills, sizeof kills);
	header_list(m->patch, "May-fail:", may, sizeof may);
	cr_assert(strlen(kills) > 2, "%s names no check in its Kills: line", m->patch);
	char *tmp = kit_mutant(m->lab, m->patch);
	patched_programs(lab, m->patch, progs, sizeof progs);
	if (progs[0]) {
		cJSON *ref = reference(m->lab), *chk;
		size_t used = 0;
		cJSON_ArrayForEach(chk, cJSON_GetObjectItemCaseSensitive(ref, "checks")) {
			const cJSON *p;
			bool runs = false;
			cJSON_ArrayForEach(p, cJSON_GetObjectItemCaseSensitive(chk, "programs"))
				runs |= cJSON_IsString(p) && listed(progs, p->valuestring);
			const char *id = kit_str(chk, "id");
			if (runs)
				used += (size_t)snprintf(only + used, sizeof only - used, " --check %s",
							 id);
			else
				cr_expect(!listed(kills, id), "%s: Kills: names %s, which never runs%s",
					  m->patch, id, progs);
			cr_assert(used < sizeof only);
		}
		cJSON_Delete(ref);
	}
	snprintf(cmd, sizeof cmd, "%s --submission %s --pcap-dir %s/pcaps%s", m->lab, tmp, tmp,
		 only);
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
