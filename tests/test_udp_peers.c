/* test_udp_peers.c - lab 02's reference programs against real peers: socat as a UDP client
 * of udp_echo_server, and udp_client against socat and python3 as UDP echo servers, over
 * IPv4 and IPv6, inside a private network namespace of the test's own. */
#define _DEFAULT_SOURCE
#include "peers.h"

#include <unistd.h>

/* Wait until a UDP socket is bound to the port (hex, in /proc/net/udp or udp6). */
#define WAIT_UDP(p) "for i in $(seq 200); do grep -qi ':%04X ' /proc/net/udp6 /proc/net/udp " \
	"2>/dev/null && break; sleep 0.01; done; "

Test(udp_peers, socat_against_udp_echo_server, .timeout = 30)
{
	char *bin = peers_setup("02"), script[4096];

	/* socat sends each read of stdin as one datagram; -t waits for the echo after EOF. */
	snprintf(script, sizeof script, PEERS_BACKGROUND("./udp_echo_server 7200") WAIT_UDP(7200)
		 "printf 'over IPv4\\n' | socat -t 1 - UDP:127.0.0.1:7200; "
		 "printf 'over IPv6\\n' | socat -t 1 - UDP6:[::1]:7200; "
		 "head -c 8000 /dev/urandom > in; socat -b 65536 -t 1 - UDP:127.0.0.1:7200 < in > out "
		 "&& cmp in out && echo '8000 bytes back'", 7200);
	char *out = peers_sh(bin, script, 0);
	cr_expect_str_eq(out, "over IPv4\nover IPv6\n8000 bytes back\n",
			 "udp_echo_server answered socat with %s", out);
	free(out);
	kit_rmdir(bin);
}

Test(udp_peers, udp_client_against_socat, .timeout = 30)
{
	char *bin = peers_setup("02"), script[4096];

	snprintf(script, sizeof script,
		 PEERS_BACKGROUND("socat UDP6-LISTEN:7201,ipv6only=0,reuseaddr,fork PIPE") WAIT_UDP(7201)
		 "seq 1 50 | ./udp_client 127.0.0.1 7201 | tail -1; "
		 "printf 'one\\ntwo\\n' | ./udp_client ::1 7201; echo \"exit $?\"", 7201);
	char *out = peers_sh(bin, script, 0);
	cr_expect_str_eq(out, "50\none\ntwo\nexit 0\n", "udp_client against socat: %s", out);
	free(out);
	kit_rmdir(bin);
}

Test(udp_peers, udp_client_against_python, .timeout = 30)
{
	char *bin = peers_setup("02"), script[4096];

	/* A python echo server on IPv6 only: the client must reach it over ::1 and localhost. */
	snprintf(script, sizeof script,
		 PEERS_BACKGROUND("python3 -c 'import socket\n"
			    "s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)\n"
			    "s.bind((\"::1\", 7202))\n"
			    "while True:\n"
			    "    d, a = s.recvfrom(65535)\n"
			    "    s.sendto(d, a)\n'") WAIT_UDP(7202)
		 "printf 'hello\\r\\n\\nlast' | ./udp_client -t 500 ::1 7202 | od -c | head -2; "
		 "printf 'x\\n' | ./udp_client -t 50 -r 2 127.0.0.1 7202 2>&1; echo \"exit $?\"", 7202);
	char *out = peers_sh(bin, script, 0);
	cr_expect_str_eq(out, "0000000   h   e   l   l   o  \\r  \\n  \\n   l   a   s   t  \\n\n"
			 "0000015\nudp_client: no reply for message 1 after 2 tries\nexit 1\n",
			 "udp_client against python (then 127.0.0.1, where nothing listens): %s", out);
	free(out);
	kit_rmdir(bin);
}
