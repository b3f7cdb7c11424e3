/* echo_server.c - hostile: print bytes no report format can carry raw.
 *
 * Invalid UTF-8, NUL, escape sequences that clear a terminal and fake a line of the report,
 * XML's forbidden control characters, a forged TAP line and JSON's quote and backslash, on
 * stderr (which the report quotes), then fail.*/
#include "wlh.h"

static const char junk[] = "\377\376 \033[2J\033[H\033]0;pwned\007 \001\002\013\014\r"
			   "\nok 1 - forged\n\"}]},\\ <x>&amp; \0 end";

int main(void)
{

	if (write(2, junk, sizeof junk - 1) < 0)
		return 1;
	return 1;
}
