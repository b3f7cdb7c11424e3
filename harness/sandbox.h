/* sandbox.h - where checks run: a fresh network namespace per check (with a user namespace
 * first when not root), or, where namespaces are not allowed, the host's loopback with
 * free ports (capture then needs CAP_NET_RAW), or no capture at all (wire checks skip).
 *
 * sb_probe() decides once per grader run, in throwaway child processes; sb_enter() is
 * called by each check's worker process before it starts any thread. */
#ifndef WIRELAB_SANDBOX_H
#define WIRELAB_SANDBOX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

enum sb_mode {
	SB_NETNS,     /* private namespace per check: fixed ports, full capture */
	SB_HOST,      /* host loopback, free ports, capture filtered on the check's ports */
	SB_NOCAP,     /* host loopback, no capture: wire checks are skipped */
};

struct sb_info {
	enum sb_mode mode;
	bool root;
	bool userns;            /* SB_NETNS through an unprivileged user namespace */
	uid_t run_uid;          /* uid/gid programs run as (when root: nobody) */
	gid_t run_gid;
	char why[512];          /* why this mode and not a better one */
	char fix[512];          /* the command that enables a better mode, "" when none */
};

/* Decide the mode: namespaces when they work, else the host's loopback when it can be
 * captured, else no capture. WIRELAB_MODE=host or WIRELAB_MODE=nocap in the environment
 * forces that fallback (the kit's tests use it); anything else probes. Always fills *out. */
void sb_probe(struct sb_info *out);

/* Enter the mode in the calling (single-threaded) process: for SB_NETNS, new namespaces
 * and lo up. Returns 0 or -errno with a reason. */
int sb_enter(const struct sb_info *info, char *why, size_t whylen);

const char *sb_mode_name(enum sb_mode m);

/* A TCP and UDP port free on the host loopback right now (SB_HOST), below the ephemeral
 * range (which connect() draws from) and not one this process chose before. Returns the
 * port, or 0. */
uint16_t sb_free_port(void);

#endif
