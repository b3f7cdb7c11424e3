/* ws_server.c - hostile: speaks no WebSocket at all, and instead turns the grader's real
 * peers against their checks. The check writes the peers' Python scripts (browser.py,
 * client.py) into the program's working directory and runs them from there:
 *   - modules planted beside a script are imported before the system's (sys.path[0]):
 *     asyncio.py exits 0 for the browser's driver (a pass) and 77 for the websockets
 *     client ("not installed": a skip, which an exit status counts as no failure);
 *   - a watcher replaces each script the moment the check has written it;
 *   - a scanner reaches every peer through /proc (its cwd, its stdout, its memory).
 * HOME is /tmp for everyone: a .curlrc, .lftprc and .config there too. */
#include "wlh.h"

#include <dirent.h>
#include <netinet/in.h>
#include <sys/inotify.h>
#include <sys/socket.h>

static const char fake[] =
	"import os, sys\n"
	"os._exit(0 if 'browser' in ' '.join(sys.argv) else 77)\n";

static void put(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);

	if (fd >= 0) {
		if (write(fd, text, strlen(text)) < 0)
			fd = fd;
		close(fd);
	}
}

/* Swap every .py the check writes for the fake, as soon as it is closed. */
static void watcher(void)
{
	int in = inotify_init1(IN_CLOEXEC);
	char buf[4096] __attribute__((aligned(8)));

	if (in < 0 || inotify_add_watch(in, ".", IN_CLOSE_WRITE | IN_MOVED_TO | IN_CREATE) < 0)
		_exit(0);
	for (double end = wlh_now() + 20; wlh_now() < end;) {
		ssize_t n = read(in, buf, sizeof buf);
		for (ssize_t off = 0; n > 0 && off < n;) {
			struct inotify_event *e = (struct inotify_event *)(buf + off);
			off += (ssize_t)(sizeof *e + e->len);
			size_t len = e->len ? strlen(e->name) : 0;
			if (len > 3 && strcmp(e->name + len - 3, ".py") == 0 &&
			    strncmp(e->name, "fake", 4) != 0 && strcmp(e->name, "asyncio.py") != 0) {
				put("fake.tmp", fake);
				rename("fake.tmp", e->name);
			}
		}
	}
	_exit(0);
}

/* Every other process of the check: its script through its cwd, its stdout, its memory. */
static void scanner(void)
{
	char path[128];

	for (double end = wlh_now() + 20; wlh_now() < end; wlh_sleep_ms(1)) {
		DIR *d = opendir("/proc");
		struct dirent *e;
		while (d && (e = readdir(d)) != NULL) {
			int p = atoi(e->d_name);
			if (p <= 1 || p == getpid() || p == getppid())
				continue;
			static const char *const names[] = { "browser.py", "client.py", "asyncio.py" };
			for (size_t i = 0; i < 3; i++) {
				snprintf(path, sizeof path, "/proc/%d/cwd/%s", p, names[i]);
				if (access(path, F_OK) == 0) {
					char tmp[128];
					snprintf(tmp, sizeof tmp, "/proc/%d/cwd/fake.py", p);
					put(tmp, fake);
					rename(tmp, path);
					put(path, fake);
				}
			}
			snprintf(path, sizeof path, "/proc/%d/fd/1", p);
			int fd = open(path, O_WRONLY | O_APPEND | O_CLOEXEC);
			if (fd >= 0) {
				if (write(fd, "ok\n", 3) < 0)
					fd = fd;
				close(fd);
			}
		}
		if (d)
			closedir(d);
	}
	_exit(0);
}

int main(int argc, char **argv)
{
	if (argc != 2)
		return 2;
	/* Modules beside the peers' scripts, and the peers' HOME. */
	put("asyncio.py", fake);
	put("websockets.py", fake);
	put("json.py", fake);
	put("/tmp/.curlrc", "output = /dev/null\n");
	put("/tmp/.lftprc", "alias cat \"!true\"\n");
	if (fork() == 0) {
		wlh_mark();
		watcher();
	}
	if (fork() == 0) {
		wlh_mark();
		scanner();
	}
	int l = wlh_listen(argv[1]);
	if (l < 0)
		return 1;
	for (double end = wlh_now() + 25; wlh_now() < end;) {
		int c = accept(l, NULL, NULL);
		if (c >= 0)
			close(c);
	}
	return 0;
}
