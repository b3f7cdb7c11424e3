/* lab04.c - checks of 04-http (LABS.md). */
#include "check.h"
#include "labs.h"

static const struct check checks[] = { { 0 } };
static const char *const programs[] = { "http_server", "http_client", NULL };

const struct lab lab_04_http = {
	.id = "04-http",
	.title = "HTTP/1.1 by hand",
	.programs = programs,
	.checks = checks,
	.nchecks = 0,
};
