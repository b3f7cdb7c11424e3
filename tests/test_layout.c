/* test_layout.c - the kit's pieces agree: each lab's Makefile names the programs and extra
 * libraries of the grader's table, stubs and solutions have the same files and identical
 * headers (the contract students fill in), and the recipe students build with is the one
 * file the grader reads. */
#define _DEFAULT_SOURCE
#include "kit.h"
#include "labs.h"

#include <dirent.h>

/* The value of "NAME := value" in path, "" when absent (malloc'd). */
static char *make_var(const char *path, const char *name)
{
	FILE *f = fopen(path, "r");
	char line[512], *val = strdup("");
	size_t n = strlen(name);

	cr_assert(f, "cannot open %s", path);
	while (fgets(line, sizeof line, f)) {
		char *p = line;
		if (strncmp(p, name, n) != 0)
			continue;
		p += n;
		p += strspn(p, " \t");
		if (strncmp(p, ":=", 2) != 0)
			continue;
		p += 2;
		p += strspn(p, " \t");
		p[strcspn(p, "#\n")] = '\0';
		for (size_t e = strlen(p); e > 0 && (p[e - 1] == ' ' || p[e - 1] == '\t'); e--)
			p[e - 1] = '\0';
		free(val);
		val = strdup(p);
	}
	fclose(f);
	return val;
}

Test(layout, lab_makefiles_match_the_grader)
{
	for (size_t i = 0; labs_all[i]; i++) {
		const struct lab *lab = labs_all[i];
		char path[256], want[512] = "";
		snprintf(path, sizeof path, "labs/%s/Makefile", lab->id);
		char *progs = make_var(path, "PROGRAMS"), *libs = make_var(path, "LDLIBS_EXTRA");
		char *labid = make_var(path, "LAB");
		for (size_t k = 0; lab->programs[k]; k++)
			snprintf(want + strlen(want), sizeof want - strlen(want), "%s%s", k ? " " : "",
				 lab->programs[k]);
		cr_expect_str_eq(labid, lab->id, "%s: LAB is \"%s\"", path, labid);
		cr_expect_str_eq(progs, want, "%s: PROGRAMS \"%s\", the grader builds \"%s\"", path,
				 progs, want);
		cr_expect_str_eq(libs, lab->ldlibs ? lab->ldlibs : "",
				 "%s: LDLIBS_EXTRA \"%s\", the grader links \"%s\"", path, libs,
				 lab->ldlibs ? lab->ldlibs : "");
		free(progs);
		free(libs);
		free(labid);
	}
}

/* Sorted names of the files in dir (up to max); returns how many. */
static size_t files(const char *dir, char names[][128], size_t max)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	size_t n = 0;

	cr_assert(d, "cannot open %s", dir);
	while ((e = readdir(d)) && n < max)
		if (e->d_name[0] != '.')
			snprintf(names[n++], 128, "%.120s", e->d_name);
	closedir(d);
	qsort(names, n, sizeof *names, (int (*)(const void *, const void *))strcmp);
	return n;
}

Test(layout, stubs_and_solutions_share_files_and_headers)
{
	for (size_t i = 0; labs_all[i]; i++) {
		const char *id = labs_all[i]->id;
		char stub[256], sol[256], a[32][128], b[32][128];
		snprintf(stub, sizeof stub, "labs/%s/src", id);
		snprintf(sol, sizeof sol, "solutions/%s/src", id);
		size_t na = files(stub, a, 32), nb = files(sol, b, 32);
		cr_expect_eq(na, nb, "%s: %zu files in the stubs, %zu in the solution", id, na, nb);
		for (size_t k = 0; k < na && k < nb; k++) {
			cr_expect_str_eq(a[k], b[k], "%s: the stubs have %s where the solution has %s",
					 id, a[k], b[k]);
			size_t len = strlen(a[k]);
			if (strcmp(a[k], b[k]) != 0 || len < 2 || strcmp(a[k] + len - 2, ".h") != 0)
				continue;
			char cmd[700];
			int st;
			snprintf(cmd, sizeof cmd, "cmp -s %s/%s %s/%s", stub, a[k], sol, a[k]);
			free(kit_run(cmd, &st));
			cr_expect_eq(st, 0, "%s: %s differs between the stub and the solution", id, a[k]);
		}
	}
}

Test(layout, one_recipe)
{
	int st;
	char *mk = kit_run("make -s --no-print-directory -C labs/01-tcp-echo -f ../lab.mk "
			   "LAB=x PROGRAMS=y -p 2>/dev/null | sed -n 's/^LAB_CFLAGS := //p' | head -1",
			   &st);
	char *file = kit_run("cat grader/recipe", &st);
	mk[strcspn(mk, "\n")] = '\0';
	file[strcspn(file, "\n")] = '\0';
	cr_expect_str_eq(mk, file, "labs/lab.mk builds with \"%s\", grader/recipe says \"%s\"", mk,
			 file);
	cr_expect_eq(system("grep -q 'std=c17' grader/build.c"), 256,
		     "grader/build.c spells out a recipe of its own");
	cr_expect_eq(system("grep -q 'cc -std' tools/run-tests.sh"), 256,
		     "tools/run-tests.sh spells out a recipe of its own");
	free(mk);
	free(file);
}
