/* lab02.c - checks of 02-udp (LABS.md). */
#include "check.h"
#include "labs.h"

static const struct check checks[] = { { 0 } };
static const char *const programs[] = { "udp_echo_server", "udp_client", NULL };

const struct lab lab_02_udp = {
	.id = "02-udp",
	.title = "datagrams, loss and retransmission",
	.programs = programs,
	.checks = checks,
	.nchecks = 0,
};
