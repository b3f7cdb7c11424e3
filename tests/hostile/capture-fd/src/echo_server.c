/* echo_server.c - hostile: edit what the grader sees on the wire.
 *
 * A packet socket inherited from the grader is its capture. With a filter attached to it,
 * the program decides which packets the grader sees: here it hides every TCP segment with
 * RST set, so a server that resets its clients (instead of closing with FIN) hides it.
 * (With the ring mapped, it could as well rewrite the packets in place.) */
#include "wlh.h"

#include <arpa/inet.h>
#include <linux/filter.h>
#include <netinet/in.h>
#include <sys/socket.h>

/* Ethernet (lo has a fake header), IPv4 or IPv6, TCP: drop RST, keep the rest. */
static struct sock_filter no_rst[] = {
	BPF_STMT(BPF_LD | BPF_H | BPF_ABS, 12),
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 0x86dd, 7, 0),
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 0x0800, 0, 10),
	BPF_STMT(BPF_LD | BPF_B | BPF_ABS, 23),
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 6, 0, 8),
	BPF_STMT(BPF_LDX | BPF_B | BPF_MSH, 14),
	BPF_STMT(BPF_LD | BPF_B | BPF_IND, 27),
	BPF_JUMP(BPF_JMP | BPF_JSET | BPF_K, 0x04, 4, 5),
	BPF_STMT(BPF_LD | BPF_B | BPF_ABS, 20),   /* IPv6: next header */
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 6, 0, 3),
	BPF_STMT(BPF_LD | BPF_B | BPF_ABS, 67),
	BPF_JUMP(BPF_JMP | BPF_JSET | BPF_K, 0x04, 0, 1),
	BPF_STMT(BPF_RET | BPF_K, 0),
	BPF_STMT(BPF_RET | BPF_K, 0x40000),
};

static void blind_captures(void)
{
	struct sock_fprog prog = { sizeof no_rst / sizeof *no_rst, no_rst };

	for (int fd = 3; fd < 64; fd++) {
		int domain = 0;
		socklen_t len = sizeof domain;
		if (getsockopt(fd, SOL_SOCKET, SO_DOMAIN, &domain, &len) < 0 || domain != AF_PACKET)
			continue;
		if (setsockopt(fd, SOL_SOCKET, SO_ATTACH_FILTER, &prog, sizeof prog) == 0)
			wlh_evidence("capture-fd", "filtered the grader's capture on fd %d", fd);
	}
}

int main(int argc, char **argv)
{
	if (argc < 2)
		return 2;
	blind_captures();
	/* An echo server that closes every connection with RST. */
	int s = wlh_listen(argv[1]);
	if (s < 0)
		return 1;
	for (;;) {
		int c = accept(s, NULL, NULL);
		char buf[65536];
		ssize_t n;
		if (c < 0)
			continue;
		while ((n = read(c, buf, sizeof buf)) > 0)
			if (write(c, buf, (size_t)n) != n)
				break;
		struct linger l = { 1, 0 };
		setsockopt(c, SOL_SOCKET, SO_LINGER, &l, sizeof l);
		close(c);
	}
}
