/* peers.h - helpers for the real-peer tests: a lab's reference programs built into a fresh
 * folder, this test process in a network namespace of its own, and shell scripts run
 * there with their servers in the background. */
#ifndef WIRELAB_TEST_PEERS_H
#define WIRELAB_TEST_PEERS_H

#include "build.h"
#include "kit.h"
#include "labs.h"
#include "sandbox.h"

/* Build the reference programs of lab (any of its names) and enter a namespace; returns
 * the folder holding the programs. Skips the test where namespaces are not allowed. */
static inline char *peers_setup(const char *lab_name)
{
	const struct lab *lab = labs_find(lab_name);
	struct sb_info sb;
	char why[256], src[256], *log = NULL;

	cr_assert(lab, "no lab named %s", lab_name);
	char *bin = kit_tmpdir();
	snprintf(src, sizeof src, "solutions/%s/src", lab->id);
	cr_assert_eq(build_lab(lab, src, bin, &log), 0, "build failed:\n%s", log);
	free(log);
	sb_probe(&sb);
	if (sb.mode != SB_NETNS)
		cr_skip_test("needs network namespaces: %s", sb.why);
	cr_assert_eq(sb_enter(&sb, why, sizeof why), 0, "sandbox: %s", why);
	return bin;
}

/* Run a shell script in bin (also $BIN); returns its stdout, asserts its exit status. */
static inline char *peers_sh(const char *bin, const char *script, int want)
{
	char cmd[8192];
	int st;

	snprintf(cmd, sizeof cmd, "BIN=%s; cd %s; %s", bin, bin, script);
	char *out = kit_run(cmd, &st);
	cr_assert_eq(st, want, "exit %d (wanted %d) from:\n%s\noutput:\n%s", st, want, script, out);
	return out;
}

/* Start a server in the background with its output away from our pipe, in a process group
 * of its own, and end the whole group (a forking server's children too) when the script
 * ends, however it ends. */
#define PEERS_BACKGROUND(cmd) "setsid " cmd " >/dev/null 2>&1 & pid=$!; " \
	"trap 'kill -- -$pid 2>/dev/null' EXIT; "

#endif
