/* test_ws_peers.c - lab 06's reference programs against real peers, in a private network
 * namespace of the test process: python3's websockets client and server, node's ws client
 * (Debian's node-ws) and headless Chromium loading the page ws_server serves (driven by the
 * browser check's own DevTools script). A peer that is
 * not installed is a skip that says how to install it. Every server is started here and
 * ended here, by its process group; every step has a deadline (timeout). */
#define _DEFAULT_SOURCE
#include "peers.h"
#include "lab06/ws.h"

#include <unistd.h>

/* Debian's peers: the same PATH as the grader gives programs, so that a python3 of the
 * user's own (pyenv, a venv) does not hide the system's, which has websockets. */
#define SYS_PATH "PATH=/usr/local/bin:/usr/bin:/bin; "

/* The reference server in the background on port, waited for until it listens. */
#define WS_SERVER(port) PEERS_BACKGROUND("./ws_server " #port) \
	"for i in $(seq 200); do grep -q \":$(printf %04X " #port ") " \
	"00000000000000000000000000000000:0000 0A\" /proc/net/tcp6 /proc/net/tcp 2>/dev/null " \
	"&& break; sleep 0.01; done; "

static void write_text(const char *dir, const char *name, const char *text)
{
	char path[512];
	snprintf(path, sizeof path, "%s/%s", dir, name);
	FILE *f = fopen(path, "w");
	cr_assert(f, "cannot create %s", path);
	fputs(text, f);
	fclose(f);
}

static bool have(const char *cmd)
{
	char sh[256];
	int st;
	snprintf(sh, sizeof sh, SYS_PATH "%s >/dev/null 2>&1; echo $?", cmd);
	char *out = kit_run(sh, &st);
	bool ok = atoi(out) == 0;
	free(out);
	return ok;
}

static const char py_client[] =
	"import asyncio, sys, websockets\n"
	"async def main():\n"
	"    url = sys.argv[1]\n"
	"    msgs = ['hello', '', 'caf\\u00e9 \\U0001F600', b'\\x00\\xff', 'x' * 70000,\n"
	"            bytes(range(256)) * 65536]\n"
	"    async with websockets.connect(url, max_size=None) as ws:\n"
	"        for m in msgs:\n"
	"            await ws.send(m)\n"
	"            assert await ws.recv() == m, 'echo of %d bytes' % len(m)\n"
	"        await ws.send(['frag', 'ment', 'ed'])\n"
	"        assert await ws.recv() == 'fragmented'\n"
	"        await asyncio.wait_for(await ws.ping(b'p'), 2)\n"
	"    print('closed', ws.close_code)\n"
	"asyncio.run(asyncio.wait_for(main(), 20))\n";

Test(ws_peers, python_client_against_ws_server, .timeout = 60)
{
	if (!have("python3 -c 'import websockets'"))
		cr_skip_test("python3's websockets is not installed (apt-get install python3-websockets)");
	char *bin = peers_setup("06");
	write_text(bin, "client.py", py_client);
	/* A permessage-deflate offer (python's default) is declined: plain frames follow. */
	char *out = peers_sh(bin, SYS_PATH WS_SERVER(8060) "timeout 30 python3 client.py ws://127.0.0.1:8060/x",
			     0);
	cr_expect(strstr(out, "closed 1000"), "python's client: expected \"closed 1000\", got:\n%s",
		  out);
	free(out);
	free(bin);
}

static const char py_server[] =
	"import asyncio, sys, websockets\n"
	"async def echo(ws):\n"
	"    async for m in ws:\n"
	"        await ws.send(m)\n"
	"        await ws.ping(b'from python')\n"
	"async def main():\n"
	"    async with websockets.serve(echo, '127.0.0.1', int(sys.argv[1]), max_size=None):\n"
	"        await asyncio.sleep(30)\n"
	"asyncio.run(main())\n";

Test(ws_peers, ws_client_against_python_server, .timeout = 60)
{
	if (!have("python3 -c 'import websockets'"))
		cr_skip_test("python3's websockets is not installed (apt-get install python3-websockets)");
	char *bin = peers_setup("06");
	write_text(bin, "server.py", py_server);
	/* python's server answers the close at once and may drop the echo of the last line, so
	 * the script waits for each echo before it sends the next line and only then ends. */
	char *out = peers_sh(bin,
		SYS_PATH PEERS_BACKGROUND("python3 server.py 8061")
		"for i in $(seq 300); do grep -q ':1F7D 00000000:0000 0A' /proc/net/tcp && break; "
		"sleep 0.01; done; "
		"{ echo one; sleep 0.3; echo 'caf\xc3\xa9'; sleep 0.3; } | timeout 10 ./ws_client "
		"ws://localhost:8061/; echo \"exit $?\"", 0);
	cr_expect(strstr(out, "one\ncaf\xc3\xa9\nexit 0"),
		  "ws_client against python: expected the two echoes and exit 0, got:\n%s", out);
	free(out);
	free(bin);
}

static const char node_client[] =
	"const WebSocket = require('/usr/share/nodejs/ws');\n"
	"const ws = new WebSocket(process.argv[2]);\n"
	"const msgs = ['hello', '', 'caf\\u00e9', Buffer.alloc(70000, 7), 'last'];\n"
	"let i = 0;\n"
	"ws.on('open', () => ws.send(msgs[0]));\n"
	"ws.on('message', (data, binary) => {\n"
	"  const want = msgs[i];\n"
	"  const same = binary ? Buffer.compare(data, want) === 0 : data.toString() === want;\n"
	"  if (!same) { console.log('echo ' + i + ' differs'); process.exit(1); }\n"
	"  if (++i < msgs.length) ws.send(msgs[i]); else ws.close(1000);\n"
	"});\n"
	"ws.on('close', (code) => { console.log('closed ' + code); process.exit(code === 1000 ? 0 : 1); });\n"
	"ws.on('error', (e) => { console.log('error ' + e.message); process.exit(1); });\n"
	"setTimeout(() => { console.log('timeout'); process.exit(1); }, 10000);\n";

Test(ws_peers, node_ws_client_against_ws_server, .timeout = 60)
{
	if (!have("node -e \"require('/usr/share/nodejs/ws')\""))
		cr_skip_test("node's ws is not installed (apt-get install nodejs node-ws)");
	char *bin = peers_setup("06");
	write_text(bin, "client.js", node_client);
	char *out = peers_sh(bin, SYS_PATH WS_SERVER(8062) "timeout 20 node client.js ws://127.0.0.1:8062/",
			     0);
	cr_expect(strstr(out, "closed 1000"), "node's ws client: expected \"closed 1000\", got:\n%s",
		  out);
	free(out);
	free(bin);
}

Test(ws_peers, chromium_loads_the_page_and_sees_the_echo, .timeout = 90)
{
	const char *chromium = lab06_chromium();
	if (!chromium)
		cr_skip_test("Chromium is not installed (apt-get install chromium)");
	if (!have("python3 -c 'import websockets'"))
		cr_skip_test("python3's websockets is not installed (apt-get install python3-websockets)");
	char *bin = peers_setup("06");
	/* The grader's own driver (grader/lab06/browser.c): DevTools, #log polled until the
	 * echo is there, the browser killed at the end. */
	write_text(bin, "browser.py", LAB06_BROWSER_DRIVER);
	char script[1024];
	snprintf(script, sizeof script, "C=%s; ", chromium);
	strncat(script, SYS_PATH WS_SERVER(8063)
		"rm -rf profile; timeout 60 python3 browser.py $C $PWD/profile "
		"'http://127.0.0.1:8063/?send=hello%20browser' 'hello browser' 2>err; "
		"echo \"exit $?\"; cat err", sizeof script - strlen(script) - 1);
	char *out = peers_sh(bin, script, 0);
	static const char want[] = "hello browser\nexit 0\n";
	cr_expect(strncmp(out, want, sizeof want - 1) == 0,
		  "Chromium: expected #log to show the echo, got:\n%s", out);
	free(out);
	free(bin);
}
