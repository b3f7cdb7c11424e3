/* test_golden.c - the words students read: for a few mutants, the text report of a check
 * that fails, with what changes from run to run taken out (tests/golden/normalise.py), must
 * be tests/golden/NAME.txt. A change to a message, hint or the report's layout is then a
 * visible diff. WIRELAB_GOLDEN_UPDATE=1 rewrites the files from this run instead.
 *
 * Each file starts with one line: "# LAB MUTANT.patch CHECK-PATTERN". */
#define _DEFAULT_SOURCE
#include "kit.h"

#include <dirent.h>
#include <unistd.h>

static void one(const char *file)
{
	char path[300], lab[64], patch[128], pattern[128], cmd[4096];
	int st;

	snprintf(path, sizeof path, "tests/golden/%s", file);
	size_t len;
	char *want = NULL;
	FILE *f = fopen(path, "r");
	cr_assert(f, "cannot open %s", path);
	cr_assert_eq(fscanf(f, "# %63s %127s %127s\n", lab, patch, pattern), 3,
		     "%s: the first line must be \"# LAB MUTANT.patch CHECK\"", path);
	long body = ftell(f);
	fseek(f, 0, SEEK_END);
	len = (size_t)(ftell(f) - body);
	fseek(f, body, SEEK_SET);
	want = calloc(1, len + 1);
	cr_assert_eq(fread(want, 1, len, f), len);
	fclose(f);

	char *dir = kit_tmpdir(), *pcaps = kit_tmpdir();
	snprintf(cmd, sizeof cmd, "cp -r solutions/%s/. %s/ && cd %s && git apply %s/tests/mutants/%s/%s "
		 "&& cd - >/dev/null && NO_COLOR=1 %s grade %s --submission %s --check '%s' "
		 "--pcap-dir %s -j 1 | python3 tests/golden/normalise.py %s %s",
		 lab, dir, dir, getcwd((char[1024]){ 0 }, 1024), lab, patch, kit_bin(), lab, dir,
		 pattern, pcaps, dir, pcaps);
	char *got = kit_run(cmd, &st);
	if (getenv("WIRELAB_GOLDEN_UPDATE") && *getenv("WIRELAB_GOLDEN_UPDATE") == '1') {
		f = fopen(path, "w");
		cr_assert(f);
		fprintf(f, "# %s %s %s\n%s", lab, patch, pattern, got);
		fclose(f);
	} else {
		cr_expect_str_eq(got, want, "%s: the report students read changed.\n--- want\n%s\n"
				 "--- got\n%s\n(run with WIRELAB_GOLDEN_UPDATE=1 when the change is "
				 "meant)", path, want, got);
	}
	free(got);
	free(want);
	kit_rmdir(dir);
	kit_rmdir(pcaps);
}

Test(golden, reports_read_as_before, .timeout = 180)
{
	DIR *d = opendir("tests/golden");
	struct dirent *e;
	int n = 0;

	cr_assert(d);
	while ((e = readdir(d)) != NULL) {
		size_t l = strlen(e->d_name);
		if (l > 4 && strcmp(e->d_name + l - 4, ".txt") == 0) {
			one(e->d_name);
			n++;
		}
	}
	closedir(d);
	cr_expect_geq(n, 3, "only %d golden reports", n);
}
