/* lab01.c - checks of 01-tcp-echo: echo_server and echo_client (LABS.md). */
#include "check.h"
#include "labs.h"

static const struct check checks[] = { { 0 } };
static const char *const programs[] = { "echo_server", "echo_client", NULL };

const struct lab lab_01_tcp_echo = {
	.id = "01-tcp-echo",
	.title = "every byte back, and a clean close",
	.programs = programs,
	.checks = checks,
	.nchecks = 0,
};
