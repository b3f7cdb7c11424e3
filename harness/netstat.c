/* netstat.c - sockets of the current network namespace read from /proc/net. */
#include "netstat.h"
#include "clock.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* /proc/net prints addresses as 32-bit words in host order, each as 8 hex digits. */
static bool parse_addr(const char *hex, size_t n, uint8_t *out)
{
	if (n != 8 && n != 32)
		return false;
	for (size_t w = 0; w < n / 8; w++) {
		uint32_t v = 0;
		for (size_t i = 0; i < 8; i++) {
			int d = hexval(hex[w * 8 + i]);
			if (d < 0)
				return false;
			v = v << 4 | (uint32_t)d;
		}
		memcpy(out + w * 4, &v, 4);
	}
	return true;
}

static int scan_file(const char *path, int family, enum netstat_proto proto, uint16_t port,
		     struct netstat_sock *out, int max, int found)
{
	FILE *f = fopen(path, "r");
	char line[512];

	if (!f)
		return errno == ENOENT ? found : -errno;
	if (!fgets(line, sizeof line, f)) {   /* header */
		fclose(f);
		return found;
	}
	while (fgets(line, sizeof line, f)) {
		char local[64];
		unsigned lport, st;
		unsigned long inode;
		/* sl local rem st tx:rx tr:when retrnsmt uid timeout inode */
		if (sscanf(line, " %*d: %63[0-9A-Fa-f]:%x %*s %x %*s %*s %*s %*u %*u %lu",
			   local, &lport, &st, &inode) != 4)
			continue;
		if (lport != port)
			continue;
		if (proto == NETSTAT_TCP && st != 10)
			continue;
		if (found >= max)
			break;
		struct netstat_sock *s = &out[found];
		memset(s, 0, sizeof *s);
		if (!parse_addr(local, strlen(local), s->addr))
			continue;
		s->family = family;
		s->port = (uint16_t)lport;
		s->state = (int)st;
		s->inode = inode;
		found++;
	}
	fclose(f);
	return found;
}

int netstat_find(enum netstat_proto proto, uint16_t port, struct netstat_sock *out, int max)
{
	const char *v4 = proto == NETSTAT_TCP ? "/proc/net/tcp" : "/proc/net/udp";
	const char *v6 = proto == NETSTAT_TCP ? "/proc/net/tcp6" : "/proc/net/udp6";
	int n = scan_file(v4, AF_INET, proto, port, out, max, 0);

	if (n < 0)
		return n;
	return scan_file(v6, AF_INET6, proto, port, out, max, n);
}

/* How long to sleep before the next look: 1 ms at first, then longer. Each read of
 * /proc/net/tcp walks the kernel's whole table of connections, which is shared by every
 * namespace and sized by the machine's memory: polling it each millisecond for a slow
 * starter costs more system time than the rest of a check. */
static int poll_ms(int polls)
{
	return polls < 20 ? 1 : polls < 60 ? 5 : 10;
}

int netstat_wait_bound(enum netstat_proto proto, uint16_t port, struct proc *p, int timeout_ms)
{
	int64_t deadline = clock_deadline(timeout_ms);
	struct netstat_sock s;
	int polls = 0;

	for (;;) {
		int n = netstat_find(proto, port, &s, 1);
		if (n > 0)
			return 0;
		if (p && !proc_is_running(p))
			return -ECHILD;
		if (clock_left_ms(deadline) <= 0)
			return -ETIMEDOUT;
		clock_sleep_ms(poll_ms(++polls));
	}
}

/* The receive queue of the connection lport -> rport in one file: bytes, or -1 if absent. */
static long rx_queue(const char *path, uint16_t lport, uint16_t rport)
{
	FILE *f = fopen(path, "r");
	char line[512];
	long q = -1;

	if (!f)
		return -1;
	while (q < 0 && fgets(line, sizeof line, f)) {
		unsigned lp, rp, st;
		unsigned long tx, rx;
		if (sscanf(line, " %*d: %*[0-9A-Fa-f]:%x %*[0-9A-Fa-f]:%x %x %lx:%lx", &lp, &rp, &st,
			   &tx, &rx) != 5)
			continue;
		if (lp == lport && rp == rport && st != 10)
			q = (long)rx;
	}
	fclose(f);
	return q;
}

int netstat_wait_read(uint16_t lport, uint16_t rport, int timeout_ms)
{
	int64_t deadline = clock_deadline(timeout_ms);
	int polls = 0;

	for (;;) {
		long q = rx_queue("/proc/net/tcp", lport, rport);
		if (q < 0)
			q = rx_queue("/proc/net/tcp6", lport, rport);
		if (q <= 0)
			return 0;
		if (clock_left_ms(deadline) <= 0)
			return -ETIMEDOUT;
		clock_sleep_ms(poll_ms(++polls));
	}
}

bool netstat_is_wildcard(const struct netstat_sock *s)
{
	size_t n = s->family == AF_INET ? 4 : 16;

	for (size_t i = 0; i < n; i++)
		if (s->addr[i])
			return false;
	return true;
}
