/* test_ftp_peers.c - lab 05's reference programs against real peers, inside a network
 * namespace of the test's own: curl, python3's ftplib (the classic tutorial session) and
 * lftp against ftp_server; ftp_client against python3's pyftpdlib. Servers run in the
 * background of each script and end with it (their whole process group). */
#define _DEFAULT_SOURCE
#include "peers.h"

#include <unistd.h>

/* Wait for a listener on port p (hex in /proc/net/tcp*), at most 2 s. */
#define WAIT_PORT "for i in $(seq 200); do grep -qi \":$(printf %%04X %u) [0:]* 0A\" " \
	"/proc/net/tcp6 /proc/net/tcp 2>/dev/null && break; sleep 0.01; done; "
/* A ROOT with a file, a directory and a writable spot. */
#define MAKE_ROOT "mkdir -p root/pub && printf 'hello, world\\n' > root/hello.txt && " \
	"printf 'in pub\\n' > root/pub/note.txt && head -c 3000000 /dev/urandom > big.bin; "
/* pyftpdlib is installed for Debian's python3, which may not be the first in PATH. */
#define PYFTPD "PY=python3; $PY -c 'import pyftpdlib' 2>/dev/null || PY=/usr/bin/python3; "

Test(ftp_peers, curl_against_ftp_server, .timeout = 60)
{
	char *bin = peers_setup("05-ftp"), script[4096];

	snprintf(script, sizeof script, MAKE_ROOT
		 PEERS_BACKGROUND("./ftp_server -u alice:secret 7005 root") WAIT_PORT
		 "u=ftp://127.0.0.1:7005; "
		 "curl -sS $u/hello.txt; curl -sS --disable-epsv $u/hello.txt; "
		 "curl -sS -P - $u/pub/note.txt; curl -sS -P - --disable-eprt $u/pub/note.txt; "
		 "curl -sS 'ftp://[::1]:7005/hello.txt'; curl -sS -P - 'ftp://[::1]:7005/hello.txt'; "
		 "curl -sS -T big.bin ftp://alice:secret@127.0.0.1:7005/up.bin; "
		 "curl -sS $u/up.bin | cmp - big.bin && echo upload intact; "
		 "curl -sS $u/pub/ | grep -c ' note.txt'; "
		 "curl -sS -l $u/ | sort; "
		 "curl -sS -T big.bin $u/anon.bin 2>/dev/null; echo \"anonymous upload: $?\"",
		 7005);
	char *out = peers_sh(bin, script, 0);
	cr_expect_str_eq(out, "hello, world\nhello, world\nin pub\nin pub\nhello, world\n"
			 "hello, world\nupload intact\n1\nhello.txt\npub\nup.bin\n"
			 "anonymous upload: 25\n", "curl against ftp_server:\n%s", out);
	free(out);
	kit_rmdir(bin);
}

Test(ftp_peers, ftplib_tutorial_session, .timeout = 60)
{
	char *bin = peers_setup("05-ftp"), script[4096];

	/* The session of the ftplib documentation: login, cwd, retrbinary, storbinary, nlst,
	 * quit. */
	snprintf(script, sizeof script, MAKE_ROOT
		 PEERS_BACKGROUND("./ftp_server -u alice:secret 7006 root") WAIT_PORT
		 "python3 - <<'PY'\n"
		 "import ftplib, io\n"
		 "ftp = ftplib.FTP()\n"
		 "ftp.connect('127.0.0.1', 7006, timeout=5)\n"
		 "print(ftp.login('alice', 'secret'))\n"
		 "ftp.cwd('pub')\n"
		 "out = io.BytesIO()\n"
		 "ftp.retrbinary('RETR note.txt', out.write)\n"
		 "print(out.getvalue().decode(), end='')\n"
		 "with open('big.bin', 'rb') as fp:\n"
		 "    print(ftp.storbinary('STOR big.bin', fp))\n"
		 "print(sorted(ftp.nlst()))\n"
		 "print(ftp.quit())\n"
		 "PY\n"
		 "cmp big.bin root/pub/big.bin && echo stored intact", 7006);
	char *out = peers_sh(bin, script, 0);
	cr_expect_str_eq(out, "230 Login successful\nin pub\n226 Transfer complete\n"
			 "['big.bin', 'note.txt']\n221 Goodbye\nstored intact\n",
			 "ftplib's session against ftp_server:\n%s", out);
	free(out);
	kit_rmdir(bin);
}

Test(ftp_peers, lftp_against_ftp_server, .timeout = 60)
{
	char *bin = peers_setup("05-ftp"), script[4096];

	snprintf(script, sizeof script, MAKE_ROOT
		 "mkdir got; " PEERS_BACKGROUND("./ftp_server 7007 root") WAIT_PORT
		 "lftp -c 'set cmd:fail-exit yes; set net:max-retries 1; set net:timeout 5; "
		 "open ftp://127.0.0.1:7007; set ftp:passive-mode yes; cat hello.txt; cls -1 pub; "
		 "set ftp:passive-mode no; cat pub/note.txt; lcd got; get hello.txt'; "
		 "cat got/hello.txt", 7007);
	char *out = peers_sh(bin, script, 0);
	cr_expect_str_eq(out, "hello, world\npub/note.txt\nin pub\nhello, world\n",
			 "lftp against ftp_server:\n%s", out);
	free(out);
	kit_rmdir(bin);
}

Test(ftp_peers, ftp_client_against_pyftpdlib, .timeout = 60)
{
	char *bin = peers_setup("05-ftp"), script[4096];

	snprintf(script, sizeof script, MAKE_ROOT PYFTPD
		 "setsid $PY -m pyftpdlib -p 7008 -i 127.0.0.1 -d root -w -u alice -P secret "
		 ">/dev/null 2>&1 & pid=$!; trap 'kill -- -$pid 2>/dev/null' EXIT; " WAIT_PORT
		 "./ftp_client -u alice:secret 127.0.0.1 7008 get hello.txt -; "
		 "./ftp_client -a -u alice:secret 127.0.0.1 7008 get pub/note.txt; cat note.txt; "
		 "./ftp_client -u alice:secret 127.0.0.1 7008 put big.bin pub/big.bin; "
		 "cmp big.bin root/pub/big.bin && echo put intact; "
		 "./ftp_client -a -u alice:secret 127.0.0.1 7008 get pub/big.bin copy.bin; "
		 "cmp big.bin copy.bin && echo get intact; "
		 "./ftp_client -u alice:secret 127.0.0.1 7008 ls pub | sort; "
		 "./ftp_client -u alice:secret 127.0.0.1 7008 get nope.txt 2>/dev/null; "
		 "echo \"missing: $?\"", 7008);
	char *out = peers_sh(bin, script, 0);
	cr_expect_str_eq(out, "hello, world\nin pub\nput intact\nget intact\nbig.bin\nnote.txt\n"
			 "missing: 3\n", "ftp_client against pyftpdlib:\n%s", out);
	free(out);
	kit_rmdir(bin);
}
