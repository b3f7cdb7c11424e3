/* browser.c - 06-websocket's browser check: headless Chromium loads the page ws_server
 * serves, its script opens a WebSocket and sends one message, and the echo shows in #log.
 *
 * The browser is driven through the DevTools protocol by a small python3 script
 * (LAB06_BROWSER_DRIVER), written into the check's scratch directory (the kit's tree is not
 * visible in the jail) and shared with the kit's own test (tests/test_ws_peers.c). It does
 * not take a snapshot after a time budget: it polls #log until the echo is there or 10 s
 * passed, so a slow machine only makes it wait longer, never judge early. */
#include "ws.h"
#include "esc.h"
#include "httpmsg.h"
#include "jail.h"
#include "wsframe.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/wait.h>
#include <unistd.h>

/* driver.py CHROMIUM PROFILE_DIR URL WANT: start the browser with a fresh profile and a
 * DevTools port of its own choosing (DevToolsActivePort), navigate its page to URL, and
 * poll the text of #log until it holds a whole line or 10 s passed (the browser gets 15 s
 * to start).
 * stdout: the text of #log. stderr: one line, what went wrong (with the text of #log) or how
 * long each part took.
 * Exit 0: the first line of #log is WANT; 1: it is not, or none within 10 s, or the page
 * did not load (the server's fault); 2: the browser did not start or DevTools failed (not
 * the server's); 77: python3's websockets is missing. The browser's whole process group is
 * killed at the end, however the script ends (SIGTERM included). */
const char LAB06_BROWSER_DRIVER[] =
	"import asyncio, json, os, signal, subprocess, sys, time\n"
	"try:\n"
	"    import websockets\n"
	"except ImportError:\n"
	"    sys.exit(77)\n"
	"START_S, PAGE_S = 15, 10\n"
	"chrome, prof, url, want = sys.argv[1:5]\n"
	"class Fail(Exception):\n"
	"    def __init__(self, code, why):\n"
	"        self.code, self.why = code, why\n"
	"def term(signum, frame):\n"
	"    raise Fail(2, 'stopped by signal %d' % signum)\n"
	"signal.signal(signal.SIGTERM, term)\n"
	"def tail(path):\n"
	"    try:\n"
	"        with open(path, 'rb') as f:\n"
	"            return f.read()[-400:].decode('utf-8', 'replace').replace('\\n', ' | ')\n"
	"    except OSError:\n"
	"        return ''\n"
	"def devtools_url(p, blog):\n"
	"    port_file = os.path.join(prof, 'DevToolsActivePort')\n"
	"    end = time.monotonic() + START_S\n"
	"    while time.monotonic() < end:\n"
	"        if p.poll() is not None:\n"
	"            raise Fail(2, 'Chromium exited with %s at start: %s' % (p.returncode, tail(blog)))\n"
	"        try:\n"
	"            with open(port_file) as f:\n"
	"                lines = f.read().split('\\n')\n"
	"            if len(lines) >= 2 and lines[0].isdigit() and lines[1]:\n"
	"                return 'ws://127.0.0.1:%s%s' % (lines[0], lines[1])\n"
	"        except OSError:\n"
	"            pass\n"
	"        time.sleep(0.05)\n"
	"    raise Fail(2, 'Chromium opened no DevTools port within %d s: %s' % (START_S, tail(blog)))\n"
	"class Cdp:\n"
	"    def __init__(self, ws):\n"
	"        self.ws, self.n = ws, 0\n"
	"    async def call(self, method, params=None, session=None):\n"
	"        self.n += 1\n"
	"        msg = {'id': self.n, 'method': method, 'params': params or {}}\n"
	"        if session:\n"
	"            msg['sessionId'] = session\n"
	"        await self.ws.send(json.dumps(msg))\n"
	"        while True:\n"
	"            r = json.loads(await self.ws.recv())\n"
	"            if r.get('id') == self.n:\n"
	"                return r\n"
	"async def browse(dt):\n"
	"    async with websockets.connect(dt, max_size=None, compression=None, ping_interval=None,\n"
	"                                  open_timeout=5) as ws:\n"
	"        cdp = Cdp(ws)\n"
	"        r = await cdp.call('Target.getTargets')\n"
	"        pages = [t['targetId'] for t in r.get('result', {}).get('targetInfos', [])\n"
	"                 if t.get('type') == 'page']\n"
	"        if not pages:\n"
	"            r = await cdp.call('Target.createTarget', {'url': 'about:blank'})\n"
	"            pages = [r['result']['targetId']]\n"
	"        r = await cdp.call('Target.attachToTarget', {'targetId': pages[0], 'flatten': True})\n"
	"        s = r['result']['sessionId']\n"
	"        seen = {'log': None, 'state': None, 'loaded': False, 'nav': None, 't': 0}\n"
	"        async def page():\n"
	"            r = await cdp.call('Page.navigate', {'url': url}, s)\n"
	"            seen['nav'] = (r.get('result', {}).get('errorText')\n"
	"                           or r.get('error', {}).get('message'))\n"
	"            if seen['nav']:\n"
	"                return\n"
	"            expr = ('[\"log\", \"state\"].map(i => { const e = document.getElementById(i); '\n"
	"                    'return e ? e.textContent : null; }).concat(document.readyState == '\n"
	"                    '\"complete\" && location.href != \"about:blank\")')\n"
	"            while True:\n"
	"                r = await cdp.call('Runtime.evaluate', {'expression': expr,\n"
	"                                                        'returnByValue': True}, s)\n"
	"                v = r.get('result', {}).get('result', {}).get('value')\n"
	"                if isinstance(v, list) and len(v) == 3:\n"
	"                    seen['log'], seen['state'], seen['loaded'] = v\n"
	"                    if seen['log'] and '\\n' in seen['log']:\n"
	"                        return\n"
	"                    if seen['state'] and seen['state'].startswith('closed'):\n"
	"                        return\n"
	"                    if seen['loaded'] and seen['log'] is None:\n"
	"                        return\n"
	"                await asyncio.sleep(0.05)\n"
	"        t = time.monotonic()\n"
	"        try:\n"
	"            await asyncio.wait_for(page(), PAGE_S)\n"
	"        except asyncio.TimeoutError:\n"
	"            pass\n"
	"        seen['t'] = time.monotonic() - t\n"
	"        return seen\n"
	"def main():\n"
	"    os.makedirs(prof, exist_ok=True)\n"
	"    try:\n"
	"        os.unlink(os.path.join(prof, 'DevToolsActivePort'))\n"
	"    except OSError:\n"
	"        pass\n"
	"    blog = prof.rstrip('/') + '.log'\n"
	"    argv = [chrome, '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic',\n"
	"            '--no-first-run', '--disable-background-networking',\n"
	"            '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage',\n"
	"            '--user-data-dir=' + prof, '--remote-debugging-port=0', 'about:blank']\n"
	"    with open(blog, 'wb') as lf:\n"
	"        p = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=lf, stderr=lf,\n"
	"                             start_new_session=True)\n"
	"    try:\n"
	"        t0 = time.monotonic()\n"
	"        dt = devtools_url(p, blog)\n"
	"        t1 = time.monotonic()\n"
	"        try:\n"
	"            seen = asyncio.run(asyncio.wait_for(browse(dt), PAGE_S + 5))\n"
	"        except Fail:\n"
	"            raise\n"
	"        except Exception as e:\n"
	"            raise Fail(2, 'DevTools: %s: %s' % (type(e).__name__, e))\n"
	"    finally:\n"
	"        signal.signal(signal.SIGTERM, signal.SIG_IGN)\n"
	"        try:\n"
	"            os.killpg(p.pid, signal.SIGKILL)\n"
	"        except OSError:\n"
	"            pass\n"
	"        p.wait()\n"
	"    took = 'Chromium up in %.1f s, then %.1f s on the page' % (t1 - t0, seen['t'])\n"
	"    log = seen['log'] or ''\n"
	"    sys.stdout.write(log)\n"
	"    if seen['nav']:\n"
	"        raise Fail(1, 'the page did not load: %s (%s)' % (ascii(seen['nav']), took))\n"
	"    if seen['log'] is None and seen['loaded']:\n"
	"        raise Fail(1, 'the page loaded has no element #log (%s)' % took)\n"
	"    if seen['log'] is None:\n"
	"        raise Fail(1, 'no page with #log within %d s (%s)' % (PAGE_S, took))\n"
	"    if log.split('\\n')[0] != want or '\\n' not in log:\n"
	"        raise Fail(1, '#log holds %s and the page says %s (%s)'\n"
	"                   % (ascii(log[:200]), ascii(seen['state']), took))\n"
	"    print(took, file=sys.stderr)\n"
	"try:\n"
	"    main()\n"
	"except Fail as f:\n"
	"    sys.stdout.flush()\n"
	"    print(f.why, file=sys.stderr)\n"
	"    sys.exit(f.code)\n"
	"except Exception as e:\n"
	"    print('the driver failed: %s: %s' % (type(e).__name__, e), file=sys.stderr)\n"
	"    sys.exit(2)\n";

const size_t LAB06_BROWSER_DRIVER_LEN = sizeof LAB06_BROWSER_DRIVER - 1;

/* Debian's /usr/bin/chromium is a shell script that reads the host's /dev/shm and
 * /etc/chromium.d: run the browser itself when it is there. */
const char *lab06_chromium(void)
{
	static const char *const paths[] = { "/usr/lib/chromium/chromium", "/usr/bin/chromium",
					     "/usr/bin/chromium-browser", "/usr/bin/google-chrome",
					     NULL };

	for (size_t i = 0; paths[i]; i++)
		if (access(paths[i], X_OK) == 0)
			return paths[i];
	return NULL;
}

#define WANT "hello from the browser"

/* The first text frame of a stream of frames that starts at off, unmasked into out (at most
 * outsz - 1 bytes, NUL-terminated); false when there is none or the stream is no frames. */
static bool first_text(const struct flow_half *h, size_t off, bool masked, char *out,
		       size_t outsz)
{
	struct wsframe f;
	char why[128];

	while (off < h->len) {
		ssize_t n = wsframe_parse(h->data + off, h->len - off, &f, why, sizeof why);
		if (n < 0 || f.masked != masked)
			return false;
		if (f.opcode == WS_OP_TEXT && f.fin && f.len < outsz) {
			wsframe_unmask(&f, (uint8_t *)out);
			out[f.len] = '\0';
			return true;
		}
		off += (size_t)n;
	}
	return false;
}

/* The echo in #log came over a WebSocket: on the wire, a connection to the server whose
 * answer starts with a 101 head, with the browser's masked text frame holding msg and the
 * server's unmasked one holding it back. A browser masks frames only on a WebSocket it
 * opened, after checking the server's Sec-WebSocket-Accept; a page that writes its own
 * #log, with no WebSocket, shows none of this. */
static void browser_wire(struct ctx *c, const char *msg)
{
	const struct flow_set *fs = ctx_flows(c);
	char got[256], why[128];
	struct httpmsg req, resp;

	if (!fs)
		return;
	size_t n = flow_tcp_count(fs, ctx_port(c, 0));
	for (size_t i = 0; i < n; i++) {
		const struct flow_tcp *f = flow_tcp_nth(fs, ctx_port(c, 0), i);
		const struct flow_half *cs = &f->half[FLOW_C2S], *ss = &f->half[FLOW_S2C];
		/* A 1xx has no body: each message is its head, and the frames follow it. */
		ssize_t qn = httpmsg_parse(cs->data, cs->len, HTTPMSG_REQUEST, &req, why, sizeof why);
		ssize_t rn = httpmsg_parse(ss->data, ss->len, 0, &resp, why, sizeof why);
		if (qn > 0 && rn > 0 && resp.status == 101 &&
		    first_text(cs, (size_t)qn, true, got, sizeof got) && strcmp(got, msg) == 0 &&
		    first_text(ss, (size_t)rn, false, got, sizeof got) && strcmp(got, msg) == 0)
			return;
	}
	ctx_fail(c, "expected: on the wire, a WebSocket connection (a 101 answer) on which the "
		 "browser sends a masked text frame \"%s\" and the server echoes it\n"
		 "   seen: %zu connection%s to port %u, none with that exchange (did the page show "
		 "the text without a WebSocket?)", msg, n, n == 1 ? "" : "s", ctx_port(c, 0));
	ctx_ladder_last(c, ctx_port(c, 0));
}

void check_ws_browser(struct ctx *c)
{
	char url[160], query[80], prof[512], script[512], port[8], want[64];
	const char *chromium = lab06_chromium();
	uint32_t nonce = 0;

	if (!chromium) {
		ctx_skip(c, "no browser: install Chromium to run this check (apt-get install chromium, "
			 "or make deps)");
		return;
	}
	snprintf(port, sizeof port, "%u", ctx_port(c, 0));
	if (!ctx_server(c, NETSTAT_TCP, ctx_port(c, 0), "ws_server", port, NULL))
		return;
	if (!ctx_write_file(c, "browser.py", LAB06_BROWSER_DRIVER, LAB06_BROWSER_DRIVER_LEN,
			    script, sizeof script))
		return;
	ctx_path(c, "browser-profile", prof, sizeof prof);
	/* A word of its own each run: the echo cannot be written into the page beforehand. */
	if (getrandom(&nonce, sizeof nonce, 0) != (ssize_t)sizeof nonce)
		nonce = (uint32_t)getpid();
	snprintf(want, sizeof want, WANT " %08x", nonce);
	snprintf(query, sizeof query, "hello%%20from%%20the%%20browser%%20%08x", nonce);
	snprintf(url, sizeof url, "http://127.0.0.1:%u/?send=%s", ctx_port(c, 0), query);
	const char *argv[] = { "python3", script, chromium, prof, url, want, NULL };
	struct proc *p = ctx_start_tool(c, NULL, argv);
	if (!p || !ctx_wait(c, p, LAB06_BROWSER_MS))
		return;
	int st = WIFEXITED(p->status) ? WEXITSTATUS(p->status) : -1;
	char *err = ctx_stderr(c, p, NULL), e2[600];
	const char *e = err ? err : "";
	size_t elen = strlen(e);
	while (elen && e[elen - 1] == '\n')
		elen--;
	if (st == 0) {
		ctx_log(c, "%.*s", (int)(elen < 200 ? elen : 200), e);
		browser_wire(c, want);
	} else if (st == 77)
		ctx_skip(c, "python3's websockets is not installed (apt-get install python3-websockets, "
			 "or make deps)");
	else if (st == 1) {
		ctx_fail(c, "expected: Chromium loads /?send=%s, its WebSocket sends the text and "
			 "#log shows the echo \"%s\"\n   seen: %.*s", query, want,
			 (int)(elen < 500 ? elen : 500), e);
		ctx_ladder_last(c, ctx_port(c, 0));
	} else
		ctx_error(c, "the browser did not run (not your server's fault): %s",
			  elen ? esc_bytes(e, elen, 500, e2, sizeof e2) : "the driver was killed");
	free(err);
}
