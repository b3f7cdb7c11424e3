/* lab03.c - checks of 03-threaded-server (LABS.md). */
#include "check.h"
#include "labs.h"

static const struct check checks[] = { { 0 } };
static const char *const programs[] = { "chat_server", NULL };

const struct lab lab_03_threaded_server = {
	.id = "03-threaded-server",
	.title = "a chat server for many clients at once",
	.programs = programs,
	.checks = checks,
	.nchecks = 0,
};
