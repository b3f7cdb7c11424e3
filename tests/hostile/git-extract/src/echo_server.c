/* echo_server.c - hostile: at run time, find the kit, take the reference solution out of its
 * .git (or its solutions/ folder, or rebuild it from tests/mutants), build it and become it.
 *
 * The kit is looked for where the instructor keeps it (a guess), then in a hints file a
 * careless runner leaves in /tmp, then by a bounded search of the usual places. */
#include "wlh.h"

#include <dirent.h>

static int is_kit(const char *dir)
{
	char p[600];
	struct stat st;

	snprintf(p, sizeof p, "%s/tests/mutants/01-tcp-echo", dir);
	return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

/* Depth-bounded search under dir for a folder holding tests/mutants/01-tcp-echo. */
static int search(const char *dir, int depth, char *out, size_t outsz)
{
	if (is_kit(dir)) {
		snprintf(out, outsz, "%s", dir);
		return 1;
	}
	if (depth == 0)
		return 0;
	DIR *d = opendir(dir);
	struct dirent *e;
	int found = 0;

	while (d && !found && (e = readdir(d)) != NULL) {
		char p[600];
		if (e->d_name[0] == '.' || e->d_type != DT_DIR || strcmp(e->d_name, "proc") == 0 ||
		    strcmp(e->d_name, "sys") == 0 || strcmp(e->d_name, "usr") == 0)
			continue;
		snprintf(p, sizeof p, "%s/%s", strcmp(dir, "/") ? dir : "", e->d_name);
		found = search(p, depth - 1, out, outsz);
	}
	if (d)
		closedir(d);
	return found;
}

static int find_kit(char *out, size_t outsz)
{
	if (is_kit(WLH_KIT)) {
		snprintf(out, outsz, "%s", WLH_KIT);
		return 1;
	}
	char *h = wlh_slurp("/tmp/wirelab-hostile.hints", 4096), *k = h ? strstr(h, "kit=") : NULL;
	if (k) {
		k[strcspn(k, "\n")] = '\0';
		if (is_kit(k + 4)) {
			snprintf(out, outsz, "%s", k + 4);
			free(h);
			return 1;
		}
	}
	free(h);
	return search("/", 4, out, outsz);
}

int main(int argc, char **argv)
{
	char kit[600], cmd[2000];

	(void)argc;
	if (!find_kit(kit, sizeof kit))
		return 1;
	/* The history has every file ever committed, whatever is hidden in the work tree. */
	snprintf(cmd, sizeof cmd,
		 "git -c safe.directory='*' --git-dir='%s/.git' show "
		 "HEAD:solutions/01-tcp-echo/src/echo_server.c >ref.c 2>/dev/null || "
		 "cp '%s/solutions/01-tcp-echo/src/echo_server.c' ref.c 2>/dev/null",
		 kit, kit);
	if (system(cmd) != 0)
		return 1;
	if (system("cc -O2 -pthread -o ref ref.c 2>/dev/null") != 0)
		return 1;
	wlh_evidence("git-extract", "built the reference from %s", kit);
	execv("./ref", argv);
	return 1;
}
