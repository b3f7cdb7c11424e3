/* test_peers.c - the reference programs of labs 00 and 01 against real peers: socat and nc
 * as clients of the reference servers, socat as the server of the reference clients, all
 * inside a private network namespace of the test's own. */
#define _DEFAULT_SOURCE
#include "peers.h"

#include <signal.h>
#include <unistd.h>

/* The server is started in the background by the script and waited for with this. */
#define WAIT_PORT(p) "for i in $(seq 200); do grep -q ':%04X 00000000000000000000000000000000:0000 0A' " \
	"/proc/net/tcp6 /proc/net/tcp 2>/dev/null && break; sleep 0.01; done; "

Test(peers, socat_and_nc_against_greet_server, .timeout = 30)
{
	char *bin = peers_setup("00-sockets-basics"), script[4096];

	snprintf(script, sizeof script, PEERS_BACKGROUND("./greet_server 7000") WAIT_PORT(7000)
		 "printf 'HELLO Ada\\n' | socat -t 2 - TCP:127.0.0.1:7000; "
		 "printf 'HELLO Bob\\r\\n' | socat -t 2 - TCP6:[::1]:7000; "
		 "printf 'HOWDY\\n' | nc -N -w 2 127.0.0.1 7000", 7000);
	char *out = peers_sh(bin, script, 0);
	cr_expect_str_eq(out, "HI Ada\nHI Bob\nERR\n", "greet_server answered real clients with %s",
			 out);
	free(out);
	kit_rmdir(bin);
}

Test(peers, greet_client_against_socat, .timeout = 30)
{
	char *bin = peers_setup("00-sockets-basics"), script[4096];

	snprintf(script, sizeof script,
		 PEERS_BACKGROUND("socat TCP6-LISTEN:7001,ipv6only=0,reuseaddr "
			    "SYSTEM:'read l; echo \"got $l\"'") WAIT_PORT(7001) "./greet_client ::1 7001 Ada; echo \"exit $?\"",
		 7001);
	char *out = peers_sh(bin, script, 0);
	cr_expect_str_eq(out, "got HELLO Ada\nexit 0\n", "greet_client against socat: %s", out);
	free(out);
	kit_rmdir(bin);
}

Test(peers, socat_against_echo_server, .timeout = 60)
{
	char *bin = peers_setup("01-tcp-echo"), script[4096];

	snprintf(script, sizeof script, PEERS_BACKGROUND("./echo_server 7002") WAIT_PORT(7002)
		 "head -c 4194304 /dev/urandom > in; "
		 "socat -t 10 - TCP:127.0.0.1:7002 < in > out && cmp in out && "
		 "printf '' | socat -t 2 - TCP6:[::1]:7002 | wc -c", 7002);
	char *out = peers_sh(bin, script, 0);
	cr_expect_str_eq(out, "0\n", "4 MiB through socat, then empty: %s", out);
	free(out);
	kit_rmdir(bin);
}

Test(peers, echo_client_against_socat, .timeout = 60)
{
	char *bin = peers_setup("01-tcp-echo"), script[4096];

	snprintf(script, sizeof script,
		 PEERS_BACKGROUND("socat TCP-LISTEN:7003,reuseaddr,fork EXEC:cat") WAIT_PORT(7003)
		 "head -c 8388608 /dev/urandom > in; "
		 "./echo_client 127.0.0.1 7003 < in > out && cmp in out && "
		 "./echo_client localhost 7003 < /dev/null | wc -c", 7003);
	char *out = peers_sh(bin, script, 0);
	cr_expect_str_eq(out, "0\n", "8 MiB through socat's cat, then empty stdin: %s", out);
	free(out);
	kit_rmdir(bin);
}
