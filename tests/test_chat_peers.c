/* test_chat_peers.c - lab 03's reference chat_server against real clients: a python3 socket
 * client, socat over IPv6 with CRLF line ends, and nc, all chatting with each other inside a
 * private network namespace of the test's own. */
#define _DEFAULT_SOURCE
#include "peers.h"

#include <unistd.h>

/* Write a file into dir. */
static void put(const char *dir, const char *name, const char *text)
{
	char path[512];

	snprintf(path, sizeof path, "%s/%s", dir, name);
	FILE *f = fopen(path, "w");
	cr_assert(f, "cannot create %s", path);
	fputs(text, f);
	fclose(f);
}

/* The server is started in the background with its output away from our pipe, ended when
 * the script ends however it ends, and waited for until it listens. */
#define SERVER(port) "./chat_server " #port " >/dev/null 2>&1 & pid=$!; " \
	"trap 'kill $pid 2>/dev/null' EXIT; " \
	"for i in $(seq 200); do grep -q \":$(printf %04X " #port ") " \
	"00000000000000000000000000000000:0000 0A\" /proc/net/tcp6 /proc/net/tcp 2>/dev/null " \
	"&& break; sleep 0.01; done; "

/* alice, in python: registers, says she is ready, waits until carol has left, then asks WHO
 * and quits; every line she receives goes to alice.out, and "EOF" once the server closes. */
static const char alice_py[] =
	"import socket, sys\n"
	"port = int(sys.argv[1])\n"
	"s = socket.create_connection(('127.0.0.1', port), timeout=5)\n"
	"f = s.makefile('rb')\n"
	"out = open('alice.out', 'w')\n"
	"def line():\n"
	"    l = f.readline().decode()\n"
	"    out.write(l)\n"
	"    out.flush()\n"
	"    if not l.endswith('\\n'):\n"
	"        sys.exit('alice: no whole line, got ' + repr(l))\n"
	"    return l[:-1]\n"
	"s.sendall(b'NICK alice\\n')\n"
	"if line() != 'OK alice':\n"
	"    sys.exit('alice: no OK')\n"
	"open('ready', 'w').close()\n"
	"while line() != '* carol left':\n"
	"    pass\n"
	"s.sendall(b'WHO\\n')\n"
	"line()\n"
	"s.sendall(b'QUIT\\n')\n"
	"line()\n"
	"if f.read() == b'':\n"
	"    out.write('EOF\\n')\n"
	"s.close()\n";

Test(chat_peers, python_socat_and_nc_chat, .timeout = 60)
{
	char *bin = peers_setup("03");

	put(bin, "alice.py", alice_py);
	char *out = peers_sh(bin, SERVER(7010)
		       "python3 alice.py 7010 2> alice.err & apid=$!; "
		       "for i in $(seq 300); do [ -e ready ] && break; sleep 0.01; done; "
		       "printf 'NICK bob\\nMSG hi alice\\nWHO\\nQUIT\\n' | "
		       "socat -t 3 - 'TCP6:[::1]:7010,crlf' > bob.out; "
		       "printf 'NICK carol\\nWHO\\nMSG hello from nc\\nNICK again\\nQUIT\\n' | "
		       "nc -N -w 3 127.0.0.1 7010 > carol.out; "
		       "wait $apid; echo \"alice exit $?\"; cat alice.err; "
		       "echo '== alice'; cat alice.out; echo '== bob'; cat bob.out; "
		       "echo '== carol'; cat carol.out", 0);
	cr_expect_str_eq(out,
			 "alice exit 0\n"
			 "== alice\n"
			 "OK alice\n* bob joined\nbob: hi alice\n* bob left\n"
			 "* carol joined\ncarol: hello from nc\n* carol left\nUSERS alice\nBYE\nEOF\n"
			 "== bob\n"
			 "OK bob\nUSERS alice bob\nBYE\n"
			 "== carol\n"
			 "OK carol\nUSERS alice carol\nERR already registered\nBYE\n",
			 "a chat of python3 (alice), socat over ::1 with CRLF (bob) and nc (carol) "
			 "through chat_server:\n%s", out);
	free(out);
	kit_rmdir(bin);
}

Test(chat_peers, socat_errors_and_long_line, .timeout = 60)
{
	char *bin = peers_setup("03");

	char *out = peers_sh(bin, SERVER(7011)
		       "printf 'WHO\\nHELLO\\nNICK bad!name\\nNICK ok_name-1\\nWHO\\nQUIT\\n' | "
		       "socat -t 3 - TCP:127.0.0.1:7011 | sed 's/^ERR .*/ERR/'; "
		       "{ printf 'NICK longer\\nMSG '; printf '%0600d\\n' 0; } | "
		       "socat -t 3 - TCP:127.0.0.1:7011", 0);
	cr_expect_str_eq(out,
			 "ERR\nERR\nERR\nOK ok_name-1\nUSERS ok_name-1\nBYE\n"
			 "OK longer\nERR line too long\n",
			 "errors, then a registered name, then a 605-byte line, through socat:\n%s",
			 out);
	free(out);
	kit_rmdir(bin);
}
