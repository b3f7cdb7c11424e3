/* sandbox.c - network namespaces per check, and the fallbacks when they are not allowed. */
#define _GNU_SOURCE
#include "sandbox.h"
#include "clock.h"
#include "jail.h"

#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <netinet/in.h>
#include <pcap/pcap.h>
#include <pwd.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stdbool.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

const char *sb_mode_name(enum sb_mode m)
{
	switch (m) {
	case SB_NETNS: return "network namespace";
	case SB_HOST:  return "host loopback";
	case SB_NOCAP: return "host loopback, no capture";
	}
	return "?";
}

static int write_file(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = write(fd, text, strlen(text));
	int e = errno;
	close(fd);
	return n == (ssize_t)strlen(text) ? 0 : -(n < 0 ? e : EIO);
}

static int lo_up(char *why, size_t whylen)
{
	struct ifreq ifr;
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	if (fd < 0) {
		snprintf(why, whylen, "socket: %s", strerror(errno));
		return -errno;
	}
	memset(&ifr, 0, sizeof ifr);
	snprintf(ifr.ifr_name, sizeof ifr.ifr_name, "lo");
	if (ioctl(fd, SIOCGIFFLAGS, &ifr) < 0 ||
	    (ifr.ifr_flags |= IFF_UP, ioctl(fd, SIOCSIFFLAGS, &ifr) < 0)) {
		int e = errno;
		snprintf(why, whylen, "bringing lo up: %s", strerror(e));
		close(fd);
		return -e;
	}
	close(fd);
	return 0;
}

/* The names programs in the sandbox resolve, whatever the host's /etc/hosts says:
 * "localhost" has both loopback addresses (so a client must try each address of a name),
 * and the namespace has no route anywhere else. Best effort: without a mount namespace
 * the host's file stays. */
static const char sb_hosts[] =
	"127.0.0.1\tlocalhost\n"
	"::1\tlocalhost ip6-localhost ip6-loopback\n"
	"127.0.0.1\twirelab-v4\n"
	"::1\twirelab-v6\n";

static void private_hosts(void)
{
	char path[] = "/tmp/wirelab-hosts-XXXXXX";
	int fd;

	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
		return;
	fd = mkstemp(path);
	if (fd < 0)
		return;
	bool ok = write(fd, sb_hosts, sizeof sb_hosts - 1) == (ssize_t)(sizeof sb_hosts - 1) &&
		  fchmod(fd, 0644) == 0;
	close(fd);
	if (ok)
		mount(path, "/etc/hosts", NULL, MS_BIND, NULL);
	unlink(path);
}

/* A server that leaves IPV6_V6ONLY at the system's default must not pass by luck of this
 * machine's default: in the check's namespace an IPv6 socket is IPv6-only unless the
 * program turns the option off, as the handouts ask. */
static int v6only_default(char *why, size_t whylen)
{
	int rc = write_file("/proc/sys/net/ipv6/bindv6only", "1");

	if (rc < 0 && rc != -ENOENT)
		snprintf(why, whylen, "net.ipv6.bindv6only=1 in the namespace: %s", strerror(-rc));
	return rc == -ENOENT ? 0 : rc;
}

int sb_enter(const struct sb_info *info, char *why, size_t whylen)
{
	if (info->mode != SB_NETNS)
		return 0;
	if (info->userns) {
		int rc = jail_userns_self(why, whylen);
		if (rc < 0)
			return rc;
	}
	if (unshare(CLONE_NEWNET) < 0) {
		snprintf(why, whylen, "unshare(CLONE_NEWNET): %s", strerror(errno));
		return -errno;
	}
	if (unshare(CLONE_NEWNS) == 0)
		private_hosts();
	int rc = lo_up(why, whylen);
	return rc < 0 ? rc : v6only_default(why, whylen);
}

/* Can this process capture on lo? */
static bool can_capture(char *why, size_t whylen)
{
	char err[PCAP_ERRBUF_SIZE] = "";
	pcap_t *p = pcap_create("lo", err);
	bool ok = false;

	if (p) {
		int rc = pcap_activate(p);
		ok = rc >= 0;
		if (!ok)
			snprintf(why, whylen, "%s", pcap_geterr(p));
		pcap_close(p);
	} else {
		snprintf(why, whylen, "%s", err);
	}
	return ok;
}

/* Run a trial in a child so nothing here changes our own namespaces. The child writes its
 * reason into a pipe on failure. */
static bool trial(const struct sb_info *info, bool with_capture, char *why, size_t whylen)
{
	int pfd[2];
	pid_t pid;
	int st;

	if (pipe2(pfd, O_CLOEXEC) < 0)
		return false;
	pid = fork();
	if (pid < 0) {
		close(pfd[0]);
		close(pfd[1]);
		return false;
	}
	if (pid == 0) {
		char msg[512] = "";
		close(pfd[0]);
		int ok = sb_enter(info, msg, sizeof msg) == 0 &&
			 (!with_capture || can_capture(msg, sizeof msg));
		if (!ok && write(pfd[1], msg, strlen(msg)) < 0)
			_exit(1);
		_exit(ok ? 0 : 1);
	}
	close(pfd[1]);
	ssize_t n = read(pfd[0], why, whylen - 1);
	why[n > 0 ? n : 0] = '\0';
	close(pfd[0]);
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	return WIFEXITED(st) && WEXITSTATUS(st) == 0;
}

static void userns_fix(char *fix, size_t n)
{
	struct stat st;

	/* As an ordinary user the grader always goes through a user namespace, so only the
	 * sysctl that forbids them (or running as root) helps; file capabilities do not. */
	if (stat("/proc/sys/kernel/apparmor_restrict_unprivileged_userns", &st) == 0)
		snprintf(fix, n, "sudo sysctl -w kernel.apparmor_restrict_unprivileged_userns=0");
	else if (stat("/proc/sys/kernel/unprivileged_userns_clone", &st) == 0)
		snprintf(fix, n, "sudo sysctl -w kernel.unprivileged_userns_clone=1");
	else if (stat("/proc/sys/user/max_user_namespaces", &st) == 0)
		snprintf(fix, n, "sudo sysctl -w user.max_user_namespaces=15000   (or run as root)");
	else
		snprintf(fix, n, "run the grader as root");
}

void sb_probe(struct sb_info *out)
{
	char why1[256] = "", why2[256] = "";
	const char *force = getenv("WIRELAB_MODE");

	memset(out, 0, sizeof *out);
	out->root = geteuid() == 0;
	out->userns = !out->root;
	out->run_uid = geteuid();
	out->run_gid = getegid();
	if (out->root) {
		struct passwd *pw = getpwnam("nobody");
		out->run_uid = pw ? pw->pw_uid : 65534;
		out->run_gid = pw ? pw->pw_gid : 65534;
	}
	if (force && strcmp(force, "host") == 0) {
		out->mode = SB_HOST;
		snprintf(out->why, sizeof out->why, "WIRELAB_MODE=host in the environment");
		return;
	}
	if (force && strcmp(force, "nocap") == 0) {
		out->mode = SB_NOCAP;
		snprintf(out->why, sizeof out->why, "WIRELAB_MODE=nocap in the environment");
		return;
	}
	out->mode = SB_NETNS;
	if (trial(out, true, why1, sizeof why1)) {
		snprintf(out->why, sizeof out->why, "%s",
			 out->root ? "running as root" : "unprivileged user namespaces are allowed");
		return;
	}
	userns_fix(out->fix, sizeof out->fix);
	out->mode = SB_HOST;
	if (trial(out, true, why2, sizeof why2)) {
		snprintf(out->why, sizeof out->why,
			 "network namespaces are not allowed here (%.200s); checks share the host's "
			 "loopback on free ports", why1);
		return;
	}
	out->mode = SB_NOCAP;
	snprintf(out->why, sizeof out->why,
		 "network namespaces are not allowed here (%.150s) and capturing on lo is not "
		 "either (%.150s): checks that read the wire are skipped", why1, why2);
	if (!out->root) {
		/* Capturing on the host's loopback needs CAP_NET_RAW alone. */
		char other[300];
		snprintf(other, sizeof other, "%.290s", out->fix);
		snprintf(out->fix, sizeof out->fix,
			 "sudo setcap cap_net_raw+ep bin/wirelab   (or, for namespaces: %s)", other);
	}
}

/* Whether port is free for a dual-stack TCP listener and a UDP socket right now: bound
 * without SO_REUSEADDR, so that a connection in TIME_WAIT on it counts as taken too. */
static bool port_free(uint16_t port)
{
	static const int types[] = { SOCK_STREAM, SOCK_DGRAM };
	struct sockaddr_in6 a = { .sin6_family = AF_INET6, .sin6_port = htons(port) };
	int off = 0;

	for (size_t i = 0; i < sizeof types / sizeof *types; i++) {
		int fd = socket(AF_INET6, types[i] | SOCK_CLOEXEC, 0);
		if (fd < 0)
			return false;
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &off, sizeof off);
		int rc = bind(fd, (struct sockaddr *)&a, sizeof a);
		close(fd);
		if (rc < 0)
			return false;
	}
	return true;
}

uint16_t sb_free_port(void)
{
	/* Never an ephemeral port: the kernel gives those to every connect() on the machine
	 * (the checks' own clients among them), and one could take the port between this
	 * choice and the program's bind(), which would then fail through no fault of the
	 * program's. So a port below the ephemeral range, at random, that is free now and not
	 * one this process chose already (a check asks for several). */
	static uint16_t chosen[64];
	static size_t nchosen, next;
	static uint32_t seed;
	unsigned lo = 32768, hi = 60999;
	FILE *f = fopen("/proc/sys/net/ipv4/ip_local_port_range", "re");

	if (f) {
		if (fscanf(f, "%u %u", &lo, &hi) != 2)
			lo = 32768;
		fclose(f);
	}
	unsigned base = 10000, top = lo > base + 1000 ? lo - 1 : 0;
	if (!seed)
		seed = (uint32_t)getpid() * 2654435761u ^ (uint32_t)clock_mono_ns();
	for (int tries = 0; top && tries < 200; tries++) {
		seed = seed * 1103515245u + 12345u;
		uint16_t port = (uint16_t)(base + (seed >> 8) % (top - base + 1));
		bool used = false;
		for (size_t i = 0; i < nchosen && !used; i++)
			used = chosen[i] == port;
		if (used || !port_free(port))
			continue;
		chosen[next++ % (sizeof chosen / sizeof *chosen)] = port;
		if (nchosen < sizeof chosen / sizeof *chosen)
			nchosen++;
		return port;
	}
	/* A machine whose ephemeral range starts low: ask the kernel for one. */
	for (int tries = 0; tries < 20; tries++) {
		struct sockaddr_in6 a = { .sin6_family = AF_INET6 };
		socklen_t len = sizeof a;
		int t = socket(AF_INET6, SOCK_STREAM | SOCK_CLOEXEC, 0), off = 0;
		uint16_t port = 0;

		if (t < 0)
			return 0;
		setsockopt(t, IPPROTO_IPV6, IPV6_V6ONLY, &off, sizeof off);
		if (bind(t, (struct sockaddr *)&a, sizeof a) == 0 &&
		    getsockname(t, (struct sockaddr *)&a, &len) == 0)
			port = ntohs(a.sin6_port);
		close(t);
		if (port && port_free(port))
			return port;
	}
	return 0;
}
