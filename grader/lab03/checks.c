/* lab03.c - checks of 03-threaded-server: chat_server (LABS.md). The grader's clients are
 * driven by one poll() loop over non-blocking sockets, so a single thread plays 200 clients
 * that all keep reading while others send. */
#define _GNU_SOURCE     /* memmem */
#include "check.h"
#include "clock.h"
#include "esc.h"
#include "labs.h"
#include "mc.h"

#include <dirent.h>
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#define IO_MS      CHECK_STEP_MS   /* a reply a correct server sends at once */
#define MAX_CL     256      /* clients of one check */
#define CHAT_STOP_MS 2000  /* a server must end this soon after SIGTERM */

/* ---- many clients in one thread (harness/mc.h) ------------------------------------------ */

#define CTX(m) ((struct ctx *)(m)->owner)

static struct mc *clients(struct ctx *c)
{
	struct mc *m = mc_new(MAX_CL, c);

	if (!m)
		ctx_error(c, "out of memory");
	return m;
}

/* A new client connected to chat_server over addr; its index, or -1 after a failure. */
static int add_client(struct mc *m, const char *addr, const char *label)
{
	char why[256];
	int i = mc_connect(m, addr, ctx_port(CTX(m), 0), IO_MS, label, why, sizeof why);

	if (i == -ENOSPC) {
		ctx_error(CTX(m), "too many clients in one check");
		return -1;
	}
	if (i < 0) {
		ctx_fail(CTX(m), "expected: chat_server accepts a connection (%s, client %zu of this "
			 "check)\n   seen: %s", label, m->n + 1, why);
		return -1;
	}
	return i;
}

static void cl_say(struct mc *m, int i, const char *s)
{
	mc_send(m, i, s, strlen(s), IO_MS);
}

/* The ladder of client i's connection, when the capture has it (no error on a lossy one). */
static void ladder_cl(struct mc *m, int i)
{
	struct ctx *c = CTX(m);
	const struct flow_set *fs = c->cap ? cap_flows(c->cap) : NULL;

	if (fs && i >= 0)
		ctx_ladder_tcp(c, flow_tcp_find(fs, m->cl[i].lport, ctx_port(c, 0)));
}

enum want { WANT_EXACT, WANT_ERR, WANT_PREFIX };

/* The next line of client i must be want (WANT_EXACT), "ERR" or "ERR <reason>" (WANT_ERR),
 * or start with want (WANT_PREFIX). Lines starting "* " are skipped when skip_notes.
 * `after` says what led to it. Records a failure with a ladder and returns false. */
static bool expect_gen(struct mc *m, int i, enum want kind, const char *want, bool skip_notes,
		       const char *after, char **got)
{
	char seen[300], w[200], esc[200];
	int64_t deadline = clock_deadline(IO_MS);

	if (i < 0 || ctx_failed(CTX(m)))
		return false;
	struct mc_client *k = &m->cl[i];
	for (;;) {
		mc_pump(m, deadline, mc_line_or_end, &i);
		size_t n;
		char *s = mc_line(k, &n);
		if (s && skip_notes && strncmp(s, "* ", 2) == 0)
			continue;
		if (s) {
			bool ok = kind == WANT_EXACT ? strlen(want) == n && strcmp(s, want) == 0 :
				  kind == WANT_ERR ? strncmp(s, "ERR", 3) == 0 && (n == 3 || s[3] == ' ') :
				  strncmp(s, want, strlen(want)) == 0;
			if (ok) {
				if (got)
					*got = s;
				return true;
			}
			snprintf(seen, sizeof seen, "%s", esc_bytes(s, n, 100, esc, sizeof esc));
		} else {
			mc_seen_end(k, IO_MS, seen, sizeof seen);
		}
		break;
	}
	if (kind == WANT_ERR)
		snprintf(w, sizeof w, "\"ERR <reason>\"");
	else
		snprintf(w, sizeof w, "%s%s", esc_bytes(want, strlen(want), 80, esc, sizeof esc),
			 kind == WANT_PREFIX ? "..." : "");
	ctx_fail(CTX(m), "expected: %s receives %s (%s)\n   seen: %s", k->label, w, after, seen);
	ladder_cl(m, i);
	return false;
}

static bool expect_line(struct mc *m, int i, const char *want, const char *after)
{
	return expect_gen(m, i, WANT_EXACT, want, false, after, NULL);
}

static bool expect_err(struct mc *m, int i, const char *after)
{
	return expect_gen(m, i, WANT_ERR, NULL, false, after, NULL);
}

/* The server closes client i's connection, with no line before its end (announcements
 * "* ..." are skipped when skip_notes); then we close our side. */
static bool expect_close_gen(struct mc *m, int i, bool skip_notes, const char *after)
{
	char seen[300], esc[200];
	int64_t deadline = clock_deadline(IO_MS);

	if (i < 0 || ctx_failed(CTX(m)))
		return false;
	struct mc_client *k = &m->cl[i];
	for (;;) {
		mc_pump(m, deadline, mc_line_or_end, &i);
		if (k->eof && k->in.len == k->pos) {
			close(k->fd);
			k->fd = -1;
			return true;
		}
		if (mc_has_line(k)) {
			size_t n;
			char *s = mc_line(k, &n);
			if (skip_notes && strncmp(s, "* ", 2) == 0)
				continue;
			snprintf(seen, sizeof seen, "one more line %s",
				 esc_bytes(s, n, 100, esc, sizeof esc));
		} else {
			mc_seen_end(k, IO_MS, seen, sizeof seen);
		}
		break;
	}
	ctx_fail(CTX(m), "expected: the server closes %s's connection (%s)\n   seen: %s", k->label,
		 after, seen);
	ladder_cl(m, i);
	return false;
}

static bool expect_close(struct mc *m, int i, const char *after)
{
	return expect_close_gen(m, i, false, after);
}

/* Connect a client and register it: "NICK name" -> "OK name". */
static int join(struct mc *m, const char *addr, const char *name)
{
	char line[64], ok[64];
	int i = add_client(m, addr, name);

	if (i < 0)
		return -1;
	snprintf(line, sizeof line, "NICK %s\n", name);
	snprintf(ok, sizeof ok, "OK %s", name);
	cl_say(m, i, line);
	snprintf(line, sizeof line, "after \"NICK %s\"", name);
	return expect_line(m, i, ok, line) ? i : -1;
}

static struct proc *start_server(struct ctx *c)
{
	char port[8];

	snprintf(port, sizeof port, "%u", ctx_port(c, 0));
	return ctx_server(c, NETSTAT_TCP, ctx_port(c, 0), "chat_server", port, NULL);
}

/* The server's side of client i's connection on the wire: it ends with FIN after `last`,
 * and no RST. */
static bool wire_closed(struct mc *m, int i, const char *last)
{
	struct ctx *c = CTX(m);
	const struct flow_set *fs = ctx_flows(c);

	if (!fs)
		return false;
	const struct flow_tcp *f = flow_tcp_find(fs, m->cl[i].lport, ctx_port(c, 0));
	if (!f) {
		ctx_error(c, "%s's connection is not in the capture", m->cl[i].label);
		return false;
	}
	const struct flow_half *s = &f->half[FLOW_S2C];
	size_t n = strlen(last);
	bool ok = ctx_expect_fin(c, f, FLOW_S2C, "server");
	if (ok && (s->len < n || memcmp(s->data + s->len - n, last, n) != 0 ||
		   s->fin_off != s->len)) {
		char esc[200], e2[100];
		size_t from = s->len > 40 ? s->len - 40 : 0;
		ctx_fail(c, "expected: the server's last bytes to %s are %s, then its FIN\n"
			 "   seen: the stream ends %s%s", m->cl[i].label,
			 esc_bytes(last, n, 40, e2, sizeof e2),
			 esc_bytes(s->data + from, s->len - from, 40, esc, sizeof esc),
			 s->fin_off != s->len ? ", and the FIN is not right after it" : "");
		ok = false;
	}
	if (!ok) {
		ctx_fail(c, "(on %s's connection)", m->cl[i].label);
		ctx_ladder_tcp(c, f);
	}
	return ok;
}

/* ---- the protocol -------------------------------------------------------------------- */

static void check_chat_usage(struct ctx *c)
{
	static const char *const argv[] = { "chat_server", "PORT", NULL };

	if (ctx_expect_usage(c, "chat_server", NULL) &&
	    ctx_expect_usage(c, "chat_server", "7000", "7001", NULL))
		ctx_expect_bad_ports(c, argv, 1);
}

/* One raw client: NICK name, and the OK line back. Returns the fd, or -1 after a failure. */
static int nick_once(struct ctx *c, const char *name)
{
	char why[256], line[64], want[64];
	struct peer_buf got = { 0 };
	int fd = peer_connect("127.0.0.1", ctx_port(c, 0), 2000, why, sizeof why);

	if (fd < 0) {
		ctx_fail(c, "expected: chat_server accepts a connection\n   seen: %s", why);
		return -1;
	}
	snprintf(line, sizeof line, "NICK %s\n", name);
	snprintf(want, sizeof want, "OK %s\n", name);
	if (peer_send(fd, line, strlen(line), 2000) == 0)
		peer_recv_until(fd, &got, "\n", 4096, 2000);
	bool ok = ctx_expect_bytes(c, "from chat_server", want, strlen(want), got.data, got.len);
	peer_buf_free(&got);
	if (!ok) {
		close(fd);
		return -1;
	}
	return fd;
}

/* Stopped with SIGTERM while a client is connected, the server's side of that connection
 * closes first and stays in TIME_WAIT: restarting at once needs SO_REUSEADDR. A second
 * server on the port in use is a runtime error. */
static void check_chat_restart(struct ctx *c)
{
	struct peer_buf rest = { 0 };
	char port[8];
	struct proc *p = start_server(c);

	if (!p)
		return;
	int fd = nick_once(c, "alice");
	if (fd < 0)
		return;
	bool stopped = ctx_expect_stop(c, p, CHAT_STOP_MS);
	peer_recv_all(fd, &rest, 4096, 1000);
	peer_buf_free(&rest);
	close(fd);
	if (!stopped)
		return;
	if (!start_server(c)) {
		ctx_fail(c, "(restarted right after it was stopped with a client connected: its side "
			 "of that connection is in TIME_WAIT; set SO_REUSEADDR before bind)");
		return;
	}
	fd = nick_once(c, "bob");
	if (fd < 0)
		return;
	snprintf(port, sizeof port, "%u", ctx_port(c, 0));
	struct proc *second = ctx_start(c, NULL, "chat_server", port, NULL);
	if (second && ctx_wait(c, second, 3000))
		ctx_expect_error_line(c, second, "a second chat_server on a port in use");
	close(fd);
}

static void check_chat_nick(struct ctx *c)
{
	static const char *const bad[] = {
		"NICK \n", "NICK abcdefghijklmnopq\n", "NICK bad!name\n", "NICK two words\n",
		"NICK caf\xc3\xa9\n",
	};
	const char *long16 = "Bob_the-builder9";
	char after[120], esc[80];
	struct mc *m = clients(c);

	if (!m || !start_server(c))
		goto out;
	int a = add_client(m, "127.0.0.1", "the first client");
	for (size_t i = 0; a >= 0 && i < sizeof bad / sizeof *bad && !ctx_failed(c); i++) {
		cl_say(m, a, bad[i]);
		snprintf(after, sizeof after, "after %s: not 1 to 16 of A-Z a-z 0-9 _ -",
			 esc_bytes(bad[i], strlen(bad[i]), 40, esc, sizeof esc));
		expect_err(m, a, after);
	}
	if (a < 0 || ctx_failed(c))
		goto out;
	snprintf(m->cl[a].label, sizeof m->cl[a].label, "alice");
	cl_say(m, a, "NICK alice\n");
	if (!expect_line(m, a, "OK alice", "after \"NICK alice\", which follows the errors"))
		goto out;
	cl_say(m, a, "NICK again\n");
	if (!expect_err(m, a, "after a second NICK from a registered client"))
		goto out;
	int b = add_client(m, "127.0.0.1", "the second client");
	if (b < 0)
		goto out;
	cl_say(m, b, "NICK alice\n");
	if (!expect_err(m, b, "after \"NICK alice\": alice is taken"))
		goto out;
	snprintf(m->cl[b].label, sizeof m->cl[b].label, "%s", long16);
	cl_say(m, b, "NICK Bob_the-builder9\n");
	if (!expect_line(m, b, "OK Bob_the-builder9", "after \"NICK Bob_the-builder9\" (16 "
			 "characters) that follows a taken name") ||
	    !expect_line(m, a, "* Bob_the-builder9 joined", "when the second client registers"))
		goto out;
	cl_say(m, b, "NICK alice\n");
	if (!expect_err(m, b, "after a second NICK from a registered client"))
		goto out;
	cl_say(m, a, "WHO\n");
	expect_line(m, a, "USERS Bob_the-builder9 alice",
		    "after WHO: the second NICKs changed no names");
out:
	mc_free(m);
}

static void check_chat_msg(struct ctx *c)
{
	static const char tab_text[] = " spaces  and\ttab: ok ";
	char line[200], want[200];
	struct mc *m = clients(c);

	if (!m || !start_server(c))
		goto out;
	int a = join(m, "127.0.0.1", "alice");
	int b = join(m, "127.0.0.1", "bob");
	expect_line(m, a, "* bob joined", "when bob registers");
	int u = add_client(m, "127.0.0.1", "an unregistered client");
	int k = join(m, "127.0.0.1", "carol");
	expect_line(m, a, "* carol joined", "when carol registers");
	expect_line(m, b, "* carol joined", "when carol registers");
	if (ctx_failed(c) || u < 0)
		goto out;
	cl_say(m, a, "MSG hello, bob and carol\n");
	expect_line(m, b, "alice: hello, bob and carol", "after alice's \"MSG hello, bob and carol\"");
	expect_line(m, k, "alice: hello, bob and carol", "after alice's \"MSG hello, bob and carol\"");
	cl_say(m, b, "MSG \n");
	expect_line(m, a, "bob: ", "after bob's \"MSG \" (an empty text)");
	expect_line(m, k, "bob: ", "after bob's \"MSG \" (an empty text)");
	snprintf(line, sizeof line, "MSG %s\n", tab_text);
	snprintf(want, sizeof want, "carol: %s", tab_text);
	cl_say(m, k, line);
	expect_line(m, a, want, "after carol's MSG: the text passes as it is");
	expect_line(m, b, want, "after carol's MSG: the text passes as it is");
	/* WHO as a marker: anything the sender got from its own MSG comes before USERS. */
	for (int i = 0; i < 3 && !ctx_failed(c); i++) {
		int check_chat_who = i == 0 ? a : i == 1 ? b : k;
		cl_say(m, check_chat_who, "WHO\n");
		snprintf(line, sizeof line, "after its own MSG and WHO: the sender of a MSG gets "
			 "nothing back");
		expect_line(m, check_chat_who, "USERS alice bob carol", line);
	}
	if (ctx_failed(c))
		goto out;
	cl_say(m, u, "WHO\n");
	expect_err(m, u, "after WHO before NICK: an unregistered client receives no messages, so "
		   "this is the first line it gets");
out:
	mc_free(m);
}

static void check_chat_who(struct ctx *c)
{
	static const char *const names[] = { "bob", "Zed", "alice", "_u", "-dash", "9lives", "Bob" };
	static const char all[] = "USERS -dash 9lives Bob Zed _u alice bob";
	int ids[7];
	struct mc *m = clients(c);

	if (!m || !start_server(c))
		goto out;
	int u = add_client(m, "127.0.0.1", "an unregistered client");
	for (int i = 0; i < 7 && !ctx_failed(c); i++)
		ids[i] = join(m, "127.0.0.1", names[i]);
	if (ctx_failed(c) || u < 0)
		goto out;
	cl_say(m, ids[6], "WHO\n");
	expect_line(m, ids[6], all, "after WHO from Bob: every registered name, in strcmp order");
	cl_say(m, ids[0], "WHO\n");
	expect_gen(m, ids[0], WANT_EXACT, all, true, "after WHO from bob", NULL);
	cl_say(m, ids[1], "QUIT\n");
	expect_gen(m, ids[1], WANT_EXACT, "BYE", true, "after QUIT", NULL);
	expect_line(m, ids[6], "* Zed left", "after Zed's QUIT");
	cl_say(m, ids[6], "WHO\n");
	expect_line(m, ids[6], "USERS -dash 9lives Bob _u alice bob", "after Zed left and Bob "
		    "sent WHO");
out:
	mc_free(m);
}

static void check_chat_join_leave(struct ctx *c)
{
	struct mc *m = clients(c);

	if (!m || !start_server(c))
		goto out;
	int a = join(m, "127.0.0.1", "alice");
	int b = join(m, "127.0.0.1", "bob");
	expect_line(m, a, "* bob joined", "when bob registers");
	int k = join(m, "::1", "carol");
	expect_line(m, a, "* carol joined", "when carol registers");
	expect_line(m, b, "* carol joined", "when carol registers");
	if (ctx_failed(c))
		goto out;
	cl_say(m, b, "QUIT\n");
	expect_line(m, b, "BYE", "after QUIT");
	expect_line(m, a, "* bob left", "after bob's QUIT");
	expect_line(m, k, "* bob left", "after bob's QUIT");
	if (ctx_failed(c))
		goto out;
	shutdown(m->cl[k].fd, SHUT_WR);
	expect_line(m, a, "* carol left", "after carol closed its connection (EOF) without QUIT");
	expect_close(m, k, "carol closed its side without QUIT");
	if (ctx_failed(c))
		goto out;
	snprintf(m->cl[b].label, sizeof m->cl[b].label, "bob (gone)");
	int d = add_client(m, "127.0.0.1", "a new bob");
	if (d < 0)
		goto out;
	cl_say(m, d, "NICK bob\n");
	expect_line(m, d, "OK bob", "after \"NICK bob\": bob left with QUIT, so the name is free");
	expect_line(m, a, "* bob joined", "when the new bob registers");
	int e = add_client(m, "127.0.0.1", "a new carol");
	if (e < 0)
		goto out;
	cl_say(m, e, "NICK carol\n");
	expect_line(m, e, "OK carol", "after \"NICK carol\": carol left with EOF, so the name is free");
	expect_line(m, a, "* carol joined", "when the new carol registers");
	expect_line(m, d, "* carol joined", "when the new carol registers");
	int u = add_client(m, "127.0.0.1", "an unregistered client");
	if (ctx_failed(c) || u < 0)
		goto out;
	cl_say(m, u, "QUIT\n");
	expect_line(m, u, "BYE", "after QUIT from a client that never registered");
	int v = add_client(m, "127.0.0.1", "a second unregistered client");
	if (v >= 0)
		shutdown(m->cl[v].fd, SHUT_WR);
	expect_close(m, v, "it closed its side without a word");
	cl_say(m, a, "WHO\n");
	expect_line(m, a, "USERS alice bob carol", "after WHO: unregistered clients that leave are "
		    "not announced");
out:
	mc_free(m);
}

static void check_chat_quit(struct ctx *c)
{
	struct mc *m = clients(c);

	if (!m || !start_server(c))
		goto out;
	int a = join(m, "127.0.0.1", "alice");
	int b = join(m, "127.0.0.1", "bob");
	expect_line(m, a, "* bob joined", "when bob registers");
	if (ctx_failed(c))
		goto out;
	cl_say(m, a, "QUIT\n");
	expect_line(m, a, "BYE", "after QUIT");
	expect_close(m, a, "after BYE");
	expect_line(m, b, "* alice left", "after alice's QUIT");
	int k = join(m, "127.0.0.1", "carol");
	expect_line(m, b, "* carol joined", "when carol registers");
	if (ctx_failed(c))
		goto out;
	cl_say(m, k, "QUIT\nMSG after quit\nWHO\n");
	expect_line(m, k, "BYE", "after \"QUIT\\nMSG after quit\\nWHO\\n\" in one segment");
	expect_close(m, k, "after BYE; lines after QUIT are ignored");
	expect_line(m, b, "* carol left", "after carol's QUIT (nothing she sent after QUIT is "
		    "passed on)");
	int d = join(m, "127.0.0.1", "dave");
	expect_line(m, b, "* dave joined", "when dave registers");
	if (ctx_failed(c))
		goto out;
	cl_say(m, d, "QUIT\n");
	expect_line(m, d, "BYE", "after QUIT");
	/* A line that arrives after the server's BYE: still no RST. */
	cl_say(m, d, "MSG late\n");
	expect_close(m, d, "after BYE, while dave sends one more line");
	expect_line(m, b, "* dave left", "after dave's QUIT");
	int u = add_client(m, "127.0.0.1", "an unregistered client");
	if (u < 0 || ctx_failed(c))
		goto out;
	cl_say(m, u, "QUIT\n");
	expect_line(m, u, "BYE", "after QUIT from a client that never registered");
	expect_close(m, u, "after BYE");
	cl_say(m, b, "WHO\n");
	if (!expect_line(m, b, "USERS bob", "after WHO: the unregistered client's QUIT is not "
			 "announced"))
		goto out;
	/* Our sides are closed: every server side must have ended with FIN after BYE. */
	clock_sleep_ms(10);
	if (wire_closed(m, a, "BYE\n") && wire_closed(m, k, "BYE\n") && wire_closed(m, d, "BYE\n"))
		wire_closed(m, u, "BYE\n");
out:
	mc_free(m);
}

static void check_chat_errors(struct ctx *c)
{
	static const char *const before[] = { "MSG hi\n", "WHO\n" };
	static const char *const unknown[] = {
		"HELLO\n", "\n", "who\n", "WHO x\n", "QUIT now\n", "NICK\n", "MSGhi\n", "nick eve\n",
	};
	char after[160], esc[80];
	struct mc *m = clients(c);

	if (!m || !start_server(c))
		goto out;
	int u = add_client(m, "::1", "a client over ::1");
	for (size_t i = 0; u >= 0 && i < 2 && !ctx_failed(c); i++) {
		cl_say(m, u, before[i]);
		snprintf(after, sizeof after, "after %s before NICK",
			 esc_bytes(before[i], strlen(before[i]), 40, esc, sizeof esc));
		expect_err(m, u, after);
	}
	for (size_t i = 0; u >= 0 && i < sizeof unknown / sizeof *unknown && !ctx_failed(c); i++) {
		cl_say(m, u, unknown[i]);
		snprintf(after, sizeof after, "after %s, an unknown command; the connection stays open",
			 esc_bytes(unknown[i], strlen(unknown[i]), 40, esc, sizeof esc));
		expect_err(m, u, after);
	}
	if (u < 0 || ctx_failed(c))
		goto out;
	cl_say(m, u, "NICK eve\r\n");
	if (!expect_line(m, u, "OK eve", "after \"NICK eve\\r\\n\": the \\r is not part of the name, "
			 "and the errors did not close the connection"))
		goto out;
	cl_say(m, u, "WHO\r\n");
	expect_line(m, u, "USERS eve", "after \"WHO\\r\\n\"");
	cl_say(m, u, "XYZZY\r\n");
	expect_err(m, u, "after \"XYZZY\\r\\n\" from a registered client");
	cl_say(m, u, "MSG\n");
	expect_err(m, u, "after \"MSG\" without a space");
	cl_say(m, u, "WHO\n");
	expect_line(m, u, "USERS eve", "after WHO: the connection stays open after errors");
out:
	mc_free(m);
}

static void check_chat_long_line(struct ctx *c)
{
	char line[1200], want[700];
	struct mc *m = clients(c);

	if (!m || !start_server(c))
		goto out;
	int a = join(m, "127.0.0.1", "alice");
	int b = join(m, "127.0.0.1", "bob");
	expect_line(m, a, "* bob joined", "when bob registers");
	if (ctx_failed(c))
		goto out;
	/* 512 bytes, newline included: the longest line there is. */
	memcpy(line, "MSG ", 4);
	memset(line + 4, 'x', 507);
	line[511] = '\n';
	snprintf(want, sizeof want, "bob: %.507s", line + 4);
	mc_send(m, b, line, 512, IO_MS);
	expect_line(m, a, want, "after bob's 512-byte line \"MSG xxx...x\\n\" (507 x)");
	/* The same with \r\n: 512 bytes still. */
	line[510] = '\r';
	line[511] = '\n';
	snprintf(want, sizeof want, "bob: %.506s", line + 4);
	mc_send(m, b, line, 512, IO_MS);
	expect_line(m, a, want, "after bob's 512-byte line \"MSG xxx...x\\r\\n\" (506 x)");
	if (ctx_failed(c))
		goto out;
	/* 513 bytes, then a line that must never be acted on. */
	memset(line + 4, 'y', 508);
	line[512] = '\n';
	memcpy(line + 513, "MSG sneaky\n", 11);
	mc_send(m, b, line, 524, IO_MS);
	expect_line(m, b, "ERR line too long", "after a 513-byte line (\"MSG \", 508 y, \\n)");
	expect_close(m, b, "after \"ERR line too long\"");
	expect_line(m, a, "* bob left", "after bob was closed for a long line (neither the long "
		    "line nor the \"MSG sneaky\" after it is passed on)");
	int k = add_client(m, "127.0.0.1", "an unregistered client");
	if (k < 0 || ctx_failed(c))
		goto out;
	/* 600 bytes and no newline yet: too long already. */
	memset(line, 'z', 600);
	mc_send(m, k, line, 600, IO_MS);
	expect_line(m, k, "ERR line too long", "after 600 bytes without a newline");
	cl_say(m, k, "\n");
	expect_close(m, k, "after \"ERR line too long\"");
	cl_say(m, a, "WHO\n");
	if (!expect_line(m, a, "USERS alice", "after WHO"))
		goto out;
	clock_sleep_ms(10);
	if (wire_closed(m, b, "ERR line too long\n"))
		wire_closed(m, k, "ERR line too long\n");
out:
	mc_free(m);
}

static void check_chat_segments(struct ctx *c)
{
	static const char *const nick_parts[] = { "NI", "CK b", "ob\n" };
	static const char *const lines3[] = { "bob: one", "bob: two", "bob: three" };
	struct mc *m = clients(c);

	if (!m || !start_server(c))
		goto out;
	int a = join(m, "127.0.0.1", "alice");
	int b = add_client(m, "127.0.0.1", "bob");
	if (a < 0 || b < 0)
		goto out;
	for (int i = 0; i < 3; i++) {
		if (i)
			clock_sleep_ms(20);
		cl_say(m, b, nick_parts[i]);
	}
	expect_line(m, b, "OK bob", "after \"NICK bob\\n\" in three segments \"NI\", \"CK b\", "
		    "\"ob\\n\"");
	expect_line(m, a, "* bob joined", "when bob registers");
	if (ctx_failed(c))
		goto out;
	cl_say(m, b, "MSG one\nMSG two\nWHO\nMSG three\n");
	const char *what = "after \"MSG one\\nMSG two\\nWHO\\nMSG three\\n\" in one segment";
	expect_line(m, b, "USERS alice bob", what);
	bool seen[3] = { false, false, false };
	for (int i = 0; i < 3 && !ctx_failed(c); i++) {
		char *got = NULL;
		if (!expect_gen(m, a, WANT_PREFIX, "bob: ", false, what, &got))
			break;
		int j = 0;
		while (j < 3 && strcmp(got, lines3[j]) != 0)
			j++;
		if (j == 3 || seen[j]) {
			char esc[120];
			ctx_fail(c, "expected: alice receives \"bob: one\", \"bob: two\" and \"bob: three\""
				 " once each (%s)\n   seen: %s%s", what,
				 esc_bytes(got, strlen(got), 80, esc, sizeof esc),
				 j < 3 ? " a second time" : "");
			ladder_cl(m, a);
			break;
		}
		seen[j] = true;
	}
	if (ctx_failed(c))
		goto out;
	const char *bytes = "MSG by the byte\n";
	for (size_t i = 0; bytes[i]; i++) {
		mc_send(m, b, bytes + i, 1, IO_MS);
		clock_sleep_ms(1);
	}
	expect_line(m, a, "bob: by the byte", "after \"MSG by the byte\\n\" one byte per segment");
	cl_say(m, b, "MSG split\r");
	clock_sleep_ms(20);
	cl_say(m, b, "\nWHO\n");
	expect_line(m, a, "bob: split", "after \"MSG split\\r\" and \"\\nWHO\\n\" in two segments");
	expect_line(m, b, "USERS alice bob", "after \"MSG split\\r\" and \"\\nWHO\\n\" in two "
		    "segments");
	cl_say(m, a, "WHO\n");
	if (!expect_line(m, a, "USERS alice bob", "after WHO: every line was handled once"))
		goto out;
	const struct flow_set *fs = ctx_flows(c);
	const struct flow_tcp *f = fs ? flow_tcp_find(fs, m->cl[b].lport, ctx_port(c, 0)) : NULL;
	if (fs && (!f || flow_data_segs(f, FLOW_C2S) < 12))
		ctx_error(c, "the grader meant to send bob's lines in at least 12 segments but the "
			  "wire shows %zu", f ? flow_data_segs(f, FLOW_C2S) : 0);
out:
	mc_free(m);
}

/* ---- concurrency ----------------------------------------------------------------------- */

/* When the bytes `req` (in dir of flow fq) were all sent, and when `reply` (in dir of fr)
 * first began; the delay in ms, or -1 when either is missing. */
static double delay_ms(const struct flow_tcp *fq, const char *req, const struct flow_tcp *fr,
		       const char *reply)
{
	const struct flow_half *q = &fq->half[FLOW_C2S], *r = &fr->half[FLOW_S2C];
	const uint8_t *pq = q->len ? memmem(q->data, q->len, req, strlen(req)) : NULL;
	const uint8_t *pr = r->len ? memmem(r->data, r->len, reply, strlen(reply)) : NULL;

	if (!pq || !pr)
		return -1;
	int64_t t0 = flow_time_of(fq, FLOW_C2S, (uint64_t)(pq - q->data) + strlen(req) - 1);
	int64_t t1 = flow_time_of(fr, FLOW_S2C, (uint64_t)(pr - r->data));
	return t0 < 0 || t1 < 0 ? -1 : (t1 - t0) / 1e6;
}

static void check_chat_concurrent(struct ctx *c)
{
	struct mc *m = clients(c);
	const double limit_ms = 500;

	if (!m || !start_server(c))
		goto out;
	int s = add_client(m, "127.0.0.1", "the slow client");
	if (s < 0)
		goto out;
	cl_say(m, s, "NICK slo");
	clock_sleep_ms(50);
	const char *ctxt = "while another client has sent \"NICK slo\" without its newline";
	char after[200];
	int a = add_client(m, "127.0.0.1", "alice");
	int b = add_client(m, "127.0.0.1", "bob");
	if (a < 0 || b < 0)
		goto out;
	cl_say(m, a, "NICK alice\n");
	snprintf(after, sizeof after, "after \"NICK alice\", %s", ctxt);
	expect_line(m, a, "OK alice", after);
	cl_say(m, b, "NICK bob\n");
	snprintf(after, sizeof after, "after \"NICK bob\", %s", ctxt);
	expect_line(m, b, "OK bob", after);
	expect_line(m, a, "* bob joined", after);
	cl_say(m, a, "MSG hi bob\n");
	snprintf(after, sizeof after, "after alice's \"MSG hi bob\", %s", ctxt);
	expect_line(m, b, "alice: hi bob", after);
	cl_say(m, b, "MSG hi alice\n");
	snprintf(after, sizeof after, "after bob's \"MSG hi alice\", %s", ctxt);
	expect_line(m, a, "bob: hi alice", after);
	cl_say(m, a, "WHO\n");
	snprintf(after, sizeof after, "after WHO, %s", ctxt);
	expect_line(m, a, "USERS alice bob", after);
	if (ctx_failed(c)) {
		ctx_fail(c, "(a server that serves one client at a time is still waiting for the "
			 "rest of the first client's line)");
		goto out;
	}
	cl_say(m, s, "w\n");
	expect_line(m, s, "OK slow", "after the rest of its line, \"w\\n\"");
	expect_line(m, a, "* slow joined", "when the slow client finishes \"NICK slow\"");
	expect_line(m, b, "* slow joined", "when the slow client finishes \"NICK slow\"");
	if (ctx_failed(c))
		goto out;
	const struct flow_set *fs = ctx_flows(c);
	if (!fs)
		goto out;
	const struct flow_tcp *fs_ = flow_tcp_find(fs, m->cl[s].lport, ctx_port(c, 0));
	const struct flow_tcp *fa = flow_tcp_find(fs, m->cl[a].lport, ctx_port(c, 0));
	const struct flow_tcp *fb = flow_tcp_find(fs, m->cl[b].lport, ctx_port(c, 0));
	if (!fs_ || !fa || !fb) {
		ctx_error(c, "a connection of this check is not in the capture");
		goto out;
	}
	if (!fs_->half[FLOW_C2S].first_data_ns || fs_->half[FLOW_C2S].first_data_ns > fa->first_ns) {
		ctx_error(c, "the grader meant the slow client's half line to be on the wire before "
			  "alice connected, but it is not");
		goto out;
	}
	struct {
		const struct flow_tcp *q, *r;
		const char *req, *reply, *what;
	} steps[] = {
		{ fa, fa, "NICK alice\n", "OK alice\n", "alice's NICK -> her OK" },
		{ fb, fb, "NICK bob\n", "OK bob\n", "bob's NICK -> his OK" },
		{ fa, fb, "MSG hi bob\n", "alice: hi bob\n", "alice's MSG -> bob" },
		{ fb, fa, "MSG hi alice\n", "bob: hi alice\n", "bob's MSG -> alice" },
		{ fa, fa, "WHO\n", "USERS alice bob\n", "alice's WHO -> USERS" },
	};
	for (size_t i = 0; i < sizeof steps / sizeof *steps; i++) {
		double ms = delay_ms(steps[i].q, steps[i].req, steps[i].r, steps[i].reply);
		ctx_log(c, "%s: %.3f ms on the wire", steps[i].what, ms);
		if (ms < 0) {
			ctx_error(c, "%s: the request or the reply is not in the capture", steps[i].what);
			break;
		}
		if (ms > limit_ms && !ctx_failed(c)) {
			ctx_fail(c, "expected: %s within %.0f ms on the wire, while another client sits "
				 "on half a line\n   seen: %.0f ms", steps[i].what, limit_ms, ms);
			ctx_ladder_tcp(c, steps[i].r);
		}
	}
out:
	mc_free(m);
}

/* The grader holds 200+ sockets; the worker's soft limit may be lower. */
static void raise_nofile(void)
{
	struct rlimit r;

	if (getrlimit(RLIMIT_NOFILE, &r) == 0 && r.rlim_cur < 1024 && r.rlim_max > r.rlim_cur) {
		r.rlim_cur = r.rlim_max < 1024 ? r.rlim_max : 1024;
		setrlimit(RLIMIT_NOFILE, &r);
	}
}

/* Connect n clients, send every NICK at once (name: prefix and 3 digits), and wait until each
 * has its OK (announcements are skipped). Returns false after a failure. */
static bool join_many(struct mc *m, int n, const char *prefix, int timeout_ms)
{
	char line[64], label[32];

	raise_nofile();
	for (int i = 0; i < n; i++) {
		snprintf(label, sizeof label, "%s%03d", prefix, i);
		if (add_client(m, i % 2 ? "::1" : "127.0.0.1", label) < 0) {
			ctx_fail(CTX(m), "(%d clients were connected already)", i);
			return false;
		}
		snprintf(line, sizeof line, "NICK %s\n", label);
		mc_queue(&m->cl[i], line, strlen(line));
		mc_write(&m->cl[i]);
	}
	int64_t deadline = clock_deadline(timeout_ms);
	for (int i = 0; i < n && !ctx_failed(CTX(m)); i++) {
		snprintf(line, sizeof line, "OK %s", m->cl[i].label);
		int left = clock_left_ms(deadline);
		int64_t d0 = clock_deadline(left > IO_MS ? left : IO_MS);
		for (;;) {
			mc_pump(m, d0, mc_line_or_end, &i);
			size_t len;
			char *s = mc_line(&m->cl[i], &len);
			if (s && strncmp(s, "* ", 2) == 0)
				continue;
			if (s && strcmp(s, line) == 0)
				break;
			char seen[300];
			if (s)
				esc_bytes(s, len, 100, seen, sizeof seen);
			else
				mc_seen_end(&m->cl[i], IO_MS, seen, sizeof seen);
			ctx_fail(CTX(m), "expected: %s receives \"%s\" (%d clients sent their NICK at "
				 "once)\n   seen: %s", m->cl[i].label, line, n, seen);
			ladder_cl(m, i);
			break;
		}
	}
	return !ctx_failed(CTX(m));
}

struct check_chat_fanout {
	int n, k;
	int64_t last_progress;
	size_t total;
};

/* Take every whole line each client has: messages in per-sender order, each once. */
static bool fanout_done(struct mc *m, void *arg)
{
	struct check_chat_fanout *fo = arg;
	char esc[120];
	size_t before = fo->total;

	if (m->problem[0])
		return true;
	bool done = true;
	for (int i = 0; i < fo->n; i++) {
		struct mc_client *k = &m->cl[i];
		size_t len;
		char *s;
		while ((s = mc_line(k, &len)) != NULL) {
			if (strncmp(s, "* ", 2) == 0)
				continue;
			int from = -1, seq = -1, used = 0;
			if (sscanf(s, "f%3d: %d%n", &from, &seq, &used) != 2 || (size_t)used != len ||
			    from < 0 || from >= fo->n) {
				snprintf(m->problem, sizeof m->problem, "%s received %s, which is no "
					 "message that was sent", k->label,
					 esc_bytes(s, len, 80, esc, sizeof esc));
				return true;
			}
			if (from == i) {
				snprintf(m->problem, sizeof m->problem, "%s received its own message "
					 "\"%s\"", k->label, s);
				return true;
			}
			if (seq != k->seq[from]) {
				snprintf(m->problem, sizeof m->problem, "%s received \"%s\" when the next "
					 "message from f%03d was \"f%03d: %d\"%s", k->label, s, from, from,
					 k->seq[from], seq < k->seq[from] ? " (a message twice, or out "
					 "of order)" : " (a message lost or out of order)");
				return true;
			}
			k->seq[from]++;
			k->count++;
			fo->total++;
		}
		if (k->eof || k->err) {
			snprintf(m->problem, sizeof m->problem, "%s's connection ended: %s", k->label,
				 k->err ? peer_strerror(k->err) : "the server closed it");
			return true;
		}
		done &= k->count == (size_t)((fo->n - 1) * fo->k);
	}
	if (fo->total != before)
		fo->last_progress = clock_mono_ns();
	return done;
}

static void check_chat_fanout(struct ctx *c)
{
	const int n = 100, k = 10;
	struct check_chat_fanout fo = { .n = n, .k = k };
	char line[32];
	struct mc *m = clients(c);

	if (!m || !start_server(c) || !join_many(m, n, "f", 5000))
		goto out;
	for (int i = 0; i < n; i++) {
		m->cl[i].seq = calloc((size_t)n, sizeof(int));
		if (!m->cl[i].seq) {
			ctx_error(c, "out of memory");
			goto out;
		}
	}
	int64_t t0 = clock_mono_ns();
	for (int i = 0; i < n; i++) {
		for (int j = 0; j < k; j++) {
			snprintf(line, sizeof line, "MSG %d\n", j);
			mc_queue(&m->cl[i], line, strlen(line));
		}
		mc_write(&m->cl[i]);
	}
	bool ok = mc_pump(m, clock_deadline(10000), fanout_done, &fo);
	ctx_log(c, "%d clients x %d messages: %zu of %d deliveries in %.0f ms", n, k, fo.total,
		n * (n - 1) * k, (clock_mono_ns() - t0) / 1e6);
	if (m->problem[0] || !ok) {
		int worst = 0;
		for (int i = 1; i < n; i++)
			if (m->cl[i].count < m->cl[worst].count)
				worst = i;
		if (m->problem[0])
			ctx_fail(c, "expected: each of %d clients receives the %d messages of every other "
				 "client exactly once, in the order each sent them\n   seen: %s", n, k,
				 m->problem);
		else
			ctx_fail(c, "expected: each of %d clients receives the %d messages of every other "
				 "client within 10 s\n   seen: %zu of %d deliveries; %s got %zu of %d",
				 n, k, fo.total, n * (n - 1) * k, m->cl[worst].label, m->cl[worst].count,
				 (n - 1) * k);
		ctx_fail(c, "(every client sent \"MSG 0\" to \"MSG %d\" at once)", k - 1);
		goto out;
	}
	/* Nothing more may come: a WHO's answer is the next line for everyone. */
	for (int i = 0; i < n; i++)
		mc_queue(&m->cl[i], "WHO\n", 4);
	for (int i = 0; i < n && !ctx_failed(c); i++) {
		mc_write(&m->cl[i]);
		expect_gen(m, i, WANT_PREFIX, "USERS ", false, "after WHO, once every message had "
			   "arrived: nothing is delivered twice", NULL);
	}
out:
	mc_free(m);
}

static void check_chat_many(struct ctx *c)
{
	const int n = 200;
	char *want = NULL;
	struct mc *m = clients(c);

	if (!m || !start_server(c))
		goto out;
	int64_t t0 = clock_mono_ns();
	if (!join_many(m, n, "m", 8000))
		goto out;
	ctx_log(c, "%d clients connected and registered in %.0f ms", n,
		(clock_mono_ns() - t0) / 1e6);
	want = malloc((size_t)n * 6 + 8);
	if (!want) {
		ctx_error(c, "out of memory");
		goto out;
	}
	strcpy(want, "USERS");
	for (int i = 0; i < n; i++)
		sprintf(want + strlen(want), " m%03d", i);
	cl_say(m, n - 1, "WHO\n");
	if (!expect_gen(m, n - 1, WANT_EXACT, want, true, "after WHO with 200 clients registered: "
			"USERS m000 m001 ... m199", NULL))
		goto out;
	/* Everyone is still there, and the first one too can talk. */
	cl_say(m, 0, "MSG still here\n");
	expect_gen(m, n - 1, WANT_EXACT, "m000: still here", true, "after m000's \"MSG still "
		   "here\" with 200 clients connected", NULL);
	for (int i = 0; i < n && !ctx_failed(c); i++)
		if (m->cl[i].eof || m->cl[i].err) {
			ctx_fail(c, "expected: all %d clients stay connected\n   seen: %s's connection "
				 "ended (%s)", n, m->cl[i].label, m->cl[i].err ?
				 peer_strerror(m->cl[i].err) : "the server closed it");
			ladder_cl(m, i);
		}
out:
	free(want);
	mc_free(m);
}

#define FLOOD_LINES 10000
#define FLOOD_LEN   500   /* bytes per line from the loud client, newline included */

/* loud keeps at most FLOOD_AHEAD lines beyond what both readers have received: less than a
 * 64 KiB queue, so a server that drops clients with a full queue never drops a reader
 * however late its threads (or ours) are scheduled on a busy machine. */
#define FLOOD_AHEAD 120
/* The whole flood must arrive within this: room for a correct server that reads one byte per
 * recv() on a busy machine (about 15 s there), since the rule is the 1 s per message. */
#define FLOOD_MS    30000

struct flood {
	int readers[2];
	int loud;
	int queued;
	char *line;
	int stall_ms;
	int64_t last_progress;
};

static void flood_top_up(struct mc *m, struct flood *fl)
{
	size_t a = m->cl[fl->readers[0]].count, b = m->cl[fl->readers[1]].count;
	int upto = (int)(a < b ? a : b) + FLOOD_AHEAD;

	while (fl->queued < FLOOD_LINES && fl->queued < upto) {
		int h = snprintf(fl->line, FLOOD_LEN + 1, "MSG %05d ", fl->queued);
		memset(fl->line + h, 'a' + fl->queued % 26, (size_t)(FLOOD_LEN - 1 - h));
		fl->line[FLOOD_LEN - 1] = '\n';
		mc_queue(&m->cl[fl->loud], fl->line, FLOOD_LEN);
		fl->queued++;
	}
}

/* The sequence number of a delivered flood line "loud: NNNNN ..." (without its newline),
 * or -1. (No sscanf: the stream is not NUL-terminated, and is megabytes long.) */
static int flood_seq(const uint8_t *p, size_t len)
{
	int seq = 0;

	if (len != FLOOD_LEN + 1 || memcmp(p, "loud: ", 6) != 0)
		return -1;
	for (int i = 6; i < 11; i++) {
		if (p[i] < '0' || p[i] > '9')
			return -1;
		seq = seq * 10 + (p[i] - '0');
	}
	return seq < FLOOD_LINES ? seq : -1;
}

static bool flood_done(struct mc *m, void *arg)
{
	struct flood *fl = arg;
	bool done = true, progress = false;

	if (m->problem[0])
		return true;
	for (int r = 0; r < 2; r++) {
		struct mc_client *k = &m->cl[fl->readers[r]];
		size_t len;
		char *s;
		while ((s = mc_line(k, &len)) != NULL) {
			if (strcmp(s, "* zed left") == 0) {
				k->flag = true;
				continue;
			}
			if (flood_seq((const uint8_t *)s, len) != (int)k->count) {
				char esc[120];
				snprintf(m->problem, sizeof m->problem, "%s received %s when the next line "
					 "was loud's message %zu (\"loud: %05zu xxx...\", %d bytes)",
					 k->label, esc_bytes(s, len, 40, esc, sizeof esc), k->count, k->count,
					 FLOOD_LEN + 2);
				return true;
			}
			k->count++;
			progress = true;
		}
		if (k->eof || k->err) {
			snprintf(m->problem, sizeof m->problem, "%s's connection ended: %s", k->label,
				 k->err ? peer_strerror(k->err) : "the server closed it");
			return true;
		}
		done &= k->count == FLOOD_LINES;
	}
	flood_top_up(m, fl);
	int64_t now = clock_mono_ns();
	if (progress || !fl->last_progress)
		fl->last_progress = now;
	if (!done && now - fl->last_progress > (int64_t)fl->stall_ms * 1000000) {
		snprintf(m->problem, sizeof m->problem, "no message reached %s or %s for %d ms "
			 "(they had %zu and %zu of %d)", m->cl[fl->readers[0]].label,
			 m->cl[fl->readers[1]].label, fl->stall_ms, m->cl[fl->readers[0]].count,
			 m->cl[fl->readers[1]].count, FLOOD_LINES);
		return true;
	}
	return done;
}

/* flow_time_of for offsets that mostly grow: starts at *hint, the segment found last. */
static int64_t time_from(const struct flow_tcp *f, int dir, uint64_t off, size_t *hint)
{
	for (size_t i = *hint; i < f->nsegs; i++) {
		const struct flow_seg *s = &f->segs[i];
		if (s->dir == dir && !(s->flags & PKT_RST) && s->off <= off && off - s->off < s->len) {
			/* The first sighting may be earlier (a retransmission found first). */
			if (s->retrans)
				break;
			*hint = i;
			return s->ts_ns;
		}
	}
	return flow_time_of(f, dir, off);
}

/* The longest time from the end of one of loud's lines on the wire to the end of its
 * delivery to reader r; its sequence number in *which. -1 when the capture lacks them. */
static double flood_worst(const struct flow_tcp *fl, const struct flow_tcp *fr, size_t lead,
			  int *which)
{
	const struct flow_half *h = &fr->half[FLOW_S2C];
	double worst = -1;
	size_t off = 0, hl = 0, hr = 0;

	while (off < h->len) {
		const uint8_t *nl = memchr(h->data + off, '\n', h->len - off);
		if (!nl)
			break;
		size_t end = (size_t)(nl - h->data);
		int seq = flood_seq(h->data + off, end - off);
		if (seq >= 0) {
			int64_t t0 = time_from(fl, FLOW_C2S, lead + (size_t)(seq + 1) * FLOOD_LEN - 1,
					       &hl);
			int64_t t1 = time_from(fr, FLOW_S2C, end, &hr);
			if (t0 < 0 || t1 < 0)
				return -1;
			if ((t1 - t0) / 1e6 > worst) {
				worst = (t1 - t0) / 1e6;
				*which = seq;
			}
		}
		off = end + 1;
	}
	return worst;
}

/* Announcements may come at any time, also between the flood and the answer to WHO: take
 * the "* ..." lines before client i's next reply, noting "* zed left". */
static void notes_before_reply(struct mc *m, int i)
{
	struct mc_client *k = &m->cl[i];

	for (;;) {
		mc_pump(m, clock_deadline(IO_MS), mc_line_or_end, &i);
		if (!mc_has_line(k) || strncmp((const char *)k->in.data + k->pos, "* ", 2) != 0)
			return;
		size_t n;
		const char *s = mc_line(k, &n);
		if (strcmp(s, "* zed left") == 0)
			k->flag = true;
	}
}

static void check_chat_slow_reader(struct ctx *c)
{
	char *line = NULL;
	struct flood fl = { .stall_ms = 2500 };
	struct mc *m = clients(c);

	if (!m || !start_server(c))
		goto out;
	int z = join(m, "127.0.0.1", "zed");
	if (z < 0)
		goto out;
	/* zed stops reading, with a small window so the server's buffers fill soon. */
	m->cl[z].paused = true;
	peer_small_rcvbuf(m->cl[z].fd, 4096);
	fl.readers[0] = join(m, "127.0.0.1", "ann");
	fl.readers[1] = join(m, "127.0.0.1", "ben");
	expect_line(m, fl.readers[0], "* ben joined", "when ben registers");
	int l = join(m, "127.0.0.1", "loud");
	expect_line(m, fl.readers[0], "* loud joined", "when loud registers");
	expect_line(m, fl.readers[1], "* loud joined", "when loud registers");
	line = malloc(FLOOD_LEN + 1);
	if (!line || ctx_failed(c))
		goto out;
	fl.loud = l;
	fl.line = line;
	int64_t t0 = clock_mono_ns();
	bool ok = mc_pump(m, clock_deadline(FLOOD_MS), flood_done, &fl);
	ctx_log(c, "loud's %d lines of %d bytes (%.1f MB), at most %d ahead of ann and ben, while "
		"zed did not read: %s after %.0f ms", FLOOD_LINES, FLOOD_LEN,
		FLOOD_LINES * (double)FLOOD_LEN / 1e6, FLOOD_AHEAD,
		ok && !m->problem[0] ? "all delivered" : "stopped", (clock_mono_ns() - t0) / 1e6);
	if (m->problem[0] || !ok) {
		if (!m->problem[0])
			snprintf(m->problem, sizeof m->problem, "they had not after %d s",
				 FLOOD_MS / 1000);
		ctx_fail(c, "expected: ann and ben receive all %d of loud's messages, in order, "
			 "while zed reads nothing\n   seen: %s", FLOOD_LINES, m->problem);
		ladder_cl(m, fl.readers[0]);
		goto out;
	}
	/* Was zed dropped? Then both were told. */
	for (int r = 0; r < 2 && !ctx_failed(c); r++) {
		int i = fl.readers[r];
		char *got = NULL;
		cl_say(m, i, "WHO\n");
		notes_before_reply(m, i);
		if (!expect_gen(m, i, WANT_PREFIX, "USERS ", false, "after WHO, once the flood had "
				"arrived", &got))
			break;
		size_t glen = strlen(got);
		bool listed = strstr(got, " zed ") != NULL ||
			      (glen >= 4 && strcmp(got + glen - 4, " zed") == 0);
		bool left = m->cl[i].flag;
		ctx_log(c, "%s: zed %s, %s", m->cl[i].label, listed ? "still listed" : "gone",
			left ? "\"* zed left\" seen" : "no \"* zed left\"");
		if (listed == left) {
			ctx_fail(c, "expected: a client that is dropped is announced as left, and is no "
				 "longer in WHO\n   seen: %s received %s and WHO says \"%s\"",
				 m->cl[i].label, left ? "\"* zed left\"" : "no \"* zed left\"", got);
			ladder_cl(m, i);
		}
	}
	if (ctx_failed(c))
		goto out;
	int64_t t1 = clock_mono_ns();
	const struct flow_set *fs = ctx_flows(c);
	if (!fs)
		goto out;
	ctx_log(c, "capture decoded in %.0f ms", (clock_mono_ns() - t1) / 1e6);
	const struct flow_tcp *fl_ = flow_tcp_find(fs, m->cl[l].lport, ctx_port(c, 0));
	for (int r = 0; r < 2 && fl_ && !ctx_failed(c); r++) {
		const struct flow_tcp *fr = flow_tcp_find(fs, m->cl[fl.readers[r]].lport,
							  ctx_port(c, 0));
		int which = -1;
		double worst = fr ? flood_worst(fl_, fr, strlen("NICK loud\n"), &which) : -1;
		if (worst < 0) {
			ctx_error(c, "loud's lines or their delivery to %s are not in the capture",
				  m->cl[fl.readers[r]].label);
			break;
		}
		ctx_log(c, "longest delivery to %s on the wire: %.1f ms (message %d)",
			m->cl[fl.readers[r]].label, worst, which);
		if (worst > 1000) {
			ctx_fail(c, "expected: while zed does not read, loud's messages reach %s within "
				 "1 s\n   seen: message %d took %.0f ms from loud's line on the wire to "
				 "its delivery", m->cl[fl.readers[r]].label, which, worst);
			ctx_ladder_tcp(c, fr);
		}
	}
	if (!fl_)
		ctx_error(c, "loud's connection is not in the capture");
out:
	free(line);
	mc_free(m);
}

static void check_chat_reset(struct ctx *c)
{
	char st[128];
	struct mc *m = clients(c);
	struct proc *p = m ? start_server(c) : NULL;

	if (!p)
		goto out;
	int a = join(m, "127.0.0.1", "alice");
	int b = join(m, "127.0.0.1", "bob");
	expect_line(m, a, "* bob joined", "when bob registers");
	if (ctx_failed(c))
		goto out;
	peer_reset(m->cl[b].fd);
	m->cl[b].fd = -1;
	expect_line(m, a, "* bob left", "after bob's connection was reset (RST)");
	int k = join(m, "127.0.0.1", "carol");
	expect_line(m, a, "* carol joined", "when carol registers");
	if (ctx_failed(c))
		goto out;
	cl_say(m, k, "MSG hal");
	clock_sleep_ms(20);
	peer_reset(m->cl[k].fd);
	m->cl[k].fd = -1;
	expect_line(m, a, "* carol left", "after carol sent \"MSG hal\" (no newline) and reset");
	int u = add_client(m, "127.0.0.1", "an unregistered client");
	if (u < 0 || ctx_failed(c))
		goto out;
	cl_say(m, u, "WHO\n");
	expect_err(m, u, "after WHO before NICK");
	peer_reset(m->cl[u].fd);
	m->cl[u].fd = -1;
	clock_sleep_ms(20);
	if (!proc_is_running(p)) {
		ctx_fail(c, "expected: chat_server goes on after clients reset\n   seen: it ended (%s)",
			 proc_describe(p, st, sizeof st));
		goto out;
	}
	int d = add_client(m, "127.0.0.1", "a new bob");
	if (d < 0)
		goto out;
	cl_say(m, d, "NICK bob\n");
	expect_line(m, d, "OK bob", "after \"NICK bob\": the reset bob's name is free again");
	expect_line(m, a, "* bob joined", "when the new bob registers (the unregistered client's "
		    "reset is not announced)");
	cl_say(m, a, "MSG still here\n");
	expect_line(m, d, "alice: still here", "after alice's \"MSG still here\"");
	cl_say(m, d, "WHO\n");
	expect_line(m, d, "USERS alice bob", "after WHO");
out:
	mc_free(m);
}

/* ---- leaks ------------------------------------------------------------------------------ */

/* Entries of /proc/PID/<what> (task or fd), or -errno. */
static int count_dir(pid_t pid, const char *what)
{
	char path[64];
	struct dirent *e;
	int n = 0;

	snprintf(path, sizeof path, "/proc/%d/%s", (int)pid, what);
	DIR *d = opendir(path);
	if (!d)
		return -errno;
	while ((e = readdir(d)) != NULL)
		n += e->d_name[0] != '.';
	closedir(d);
	return n;
}

/* One batch of clients that come and go: each registers (or not) and leaves a different way:
 * QUIT, EOF, reset, a long line, QUIT without a name. */
static bool cycle_batch(struct mc *m, int first, int count)
{
	char line[700], want[64];

	m->n = 0;
	for (int i = 0; i < count; i++) {
		int id = first + i, how = id % 5;
		snprintf(line, sizeof line, "client l%03d", id);
		int k = add_client(m, "127.0.0.1", line);
		if (k < 0)
			return false;
		if (how == 4)
			snprintf(line, sizeof line, "QUIT\n");
		else if (how == 3) {
			int h = snprintf(line, sizeof line, "NICK l%03d\n", id);
			memset(line + h, 'x', 600);
			line[h + 600] = '\n';
			line[h + 601] = '\0';
		} else
			snprintf(line, sizeof line, "NICK l%03d\n%s", id, how == 0 ? "QUIT\n" : "");
		mc_queue(&m->cl[k], line, strlen(line));
		mc_write(&m->cl[k]);
	}
	for (int i = 0; i < count && !ctx_failed(CTX(m)); i++) {
		int id = first + i, how = id % 5;
		snprintf(want, sizeof want, "OK l%03d", id);
		if (how != 4 && !expect_gen(m, i, WANT_EXACT, want, true, "after its NICK", NULL))
			break;
		if (how == 0 || how == 4) {
			if (expect_gen(m, i, WANT_EXACT, "BYE", true, "after QUIT", NULL))
				expect_close_gen(m, i, true, "after BYE");
		} else if (how == 3) {
			if (expect_gen(m, i, WANT_EXACT, "ERR line too long", true, "after a 601-byte "
				       "line", NULL))
				expect_close_gen(m, i, true, "after ERR line too long");
		}
	}
	for (int i = 0; i < count && !ctx_failed(CTX(m)); i++) {
		int how = (first + i) % 5;
		if (how == 1) {
			shutdown(m->cl[i].fd, SHUT_WR);
		} else if (how == 2) {
			peer_reset(m->cl[i].fd);
			m->cl[i].fd = -1;
		}
	}
	for (int i = 0; i < count && !ctx_failed(CTX(m)); i++)
		if ((first + i) % 5 == 1)
			expect_close_gen(m, i, true, "after it closed its side (EOF)");
	for (int i = 0; i < count; i++) {
		if (m->cl[i].fd >= 0)
			close(m->cl[i].fd);
		m->cl[i].fd = -1;
		peer_buf_free(&m->cl[i].in);
		peer_buf_free(&m->cl[i].out);
		m->cl[i].pos = m->cl[i].opos = 0;
	}
	m->n = 0;
	return !ctx_failed(CTX(m));
}

static void check_chat_leaks(struct ctx *c)
{
	const int total = 300, batch = 20, settle_ms = 3000;
	struct mc *m = clients(c);
	struct proc *p = m ? start_server(c) : NULL;

	if (!p)
		goto out;
	/* A few clients first, so whatever a server sets up once is there before we count. */
	if (!cycle_batch(m, 900, 5))
		goto out;
	clock_sleep_ms(50);
	int t0 = count_dir(p->pid, "task"), f0 = count_dir(p->pid, "fd");
	if (t0 < 0 || f0 < 0) {
		ctx_error(c, "cannot read /proc/%d: %s", (int)p->pid, strerror(t0 < 0 ? -t0 : -f0));
		goto out;
	}
	int64_t start = clock_mono_ns();
	for (int i = 0; i < total && !ctx_failed(c); i += batch)
		if (!cycle_batch(m, i, batch))
			ctx_fail(c, "(in the batch of clients l%03d to l%03d)", i, i + batch - 1);
	if (ctx_failed(c))
		goto out;
	int64_t left_at = clock_mono_ns();
	int t1 = 0, f1 = 0;
	int64_t deadline = clock_deadline(settle_ms);
	for (;;) {
		t1 = count_dir(p->pid, "task");
		f1 = count_dir(p->pid, "fd");
		if ((t1 >= 0 && t1 <= t0 && f1 >= 0 && f1 <= f0) || clock_left_ms(deadline) == 0)
			break;
		clock_sleep_ms(10);
	}
	ctx_log(c, "before: %d threads, %d descriptors; %d clients came and went in %.0f ms; "
		"after: %d threads, %d descriptors, %.0f ms after the last one left", t0, f0, total,
		(left_at - start) / 1e6, t1, f1, (clock_mono_ns() - left_at) / 1e6);
	if (t1 < 0 || f1 < 0) {
		char st[128];
		ctx_fail(c, "expected: chat_server keeps running\n   seen: it ended (%s)",
			 proc_describe(p, st, sizeof st));
	} else if (t1 > t0 || f1 > f0) {
		ctx_fail(c, "expected: once %d clients have come and gone (QUIT, EOF, reset, a long "
			 "line), chat_server is back to %d threads and %d open descriptors\n"
			 "   seen: %d threads and %d descriptors %.1f s after the last one left "
			 "(/proc/%d/task, /proc/%d/fd)", total, t0, f0, t1, f1, settle_ms / 1000.0,
			 (int)p->pid, (int)p->pid);
	}
out:
	mc_free(m);
}

static const struct check checks[] = {
	{
		.id = "chat.usage",
		.title = "usage errors: a usage line, exit 2",
		.section = "The contract",
		.hint = "Check argc and the port (digits, 1..65535) first; print a usage line to "
			"stderr and exit(2).",
		.points = 3,
		.run = check_chat_usage,
	},
	{
		.id = "chat.restart",
		.title = "SIGTERM, restart at once, a port in use",
		.section = "The contract",
		.hint = "End on SIGTERM; set SO_REUSEADDR before bind() so a restart works while "
			"connections sit in TIME_WAIT; a failed bind is one line naming "
			"chat_server, exit(1).",
		.points = 4,
		.flags = CHECK_WIRE,
		.run = check_chat_restart,
	},
	{
		.id = "chat.nick",
		.title = "NICK: valid, invalid, taken, twice",
		.section = "The chat protocol",
		.hint = "A name is 1 to 16 of A-Z a-z 0-9 _ -; check that it is free and take it "
			"in one critical section; a registered client gets ERR for any NICK.",
		.points = 8,
		.run = check_chat_nick,
	},
	{
		.id = "chat.msg",
		.title = "MSG reaches every other registered client",
		.section = "Exactly once, in order",
		.hint = "Send \"<name>: <text>\\n\" to every registered client but the sender; "
			"unregistered clients get nothing.",
		.points = 8,
		.run = check_chat_msg,
	},
	{
		.id = "chat.who",
		.title = "WHO lists every name in strcmp order",
		.section = "Shared state and the mutex",
		.hint = "Keep the list sorted with strcmp (or sort a copy) and walk it with the "
			"list's lock held.",
		.points = 5,
		.run = check_chat_who,
	},
	{
		.id = "chat.join-leave",
		.title = "joined and left announcements",
		.section = "The chat protocol",
		.hint = "Announce \"* name joined\" on NICK and \"* name left\" on QUIT and EOF, "
			"to every other registered client; free the name when it leaves.",
		.points = 6,
		.run = check_chat_join_leave,
	},
	{
		.id = "chat.quit",
		.title = "QUIT: BYE, then FIN, never RST",
		.section = "Closing cleanly: FIN, not RST",
		.hint = "After BYE: let the writer finish, shutdown(fd, SHUT_WR), read and "
			"discard until the client closes, then close().",
		.points = 7,
		.flags = CHECK_WIRE,
		.run = check_chat_quit,
	},
	{
		.id = "chat.errors",
		.title = "errors keep the connection open",
		.section = "The contract",
		.hint = "Any other line, and MSG or WHO before NICK, get one \"ERR <reason>\" "
			"line and the connection stays open; strip a \\r before the \\n.",
		.points = 5,
		.run = check_chat_errors,
	},
	{
		.id = "chat.long-line",
		.title = "a line over 512 bytes: ERR and FIN",
		.section = "Reading lines",
		.hint = "When 512 bytes hold no newline, send \"ERR line too long\" and close as "
			"after QUIT (shutdown, drain, close).",
		.points = 6,
		.flags = CHECK_WIRE,
		.run = check_chat_long_line,
	},
	{
		.id = "chat.segments",
		.title = "lines split over and merged in segments",
		.section = "Reading lines",
		.hint = "Keep the bytes received but not used; after each recv cut off and handle "
			"every whole line, and keep the rest.",
		.points = 6,
		.flags = CHECK_WIRE,
		.run = check_chat_segments,
	},
	{
		.id = "chat.concurrent",
		.title = "a half line blocks no one",
		.section = "One thread per client",
		.hint = "Serve each client in its own thread: a recv() that waits for one client "
			"must not keep the others waiting.",
		.points = 8,
		.flags = CHECK_WIRE,
		.run = check_chat_concurrent,
	},
	{
		.id = "chat.fanout",
		.title = "100 senders: every message once, in order",
		.section = "Exactly once, in order",
		.hint = "Append a message to every recipient's queue while holding the list's "
			"lock, and send each queue in order.",
		.points = 8,
		.run = check_chat_fanout,
		.ring_mib = 64,
	},
	{
		.id = "chat.many",
		.title = "200 clients at once",
		.section = "One thread per client",
		.hint = "Use listen(fd, SOMAXCONN), 256 KiB thread stacks, and no fixed limit "
			"below 200 clients.",
		.points = 4,
		.run = check_chat_many,
		.ring_mib = 64,
	},
	{
		.id = "chat.slow-reader",
		.title = "a client that never reads delays no one",
		.section = "Slow readers and bounded queues",
		.hint = "Never send to another client's socket from the sender's thread: queue it "
			"for that client's writer thread, and drop a client whose queue stays "
			"full (announce it as left).",
		.points = 8,
		.flags = CHECK_WIRE,
		.run = check_chat_slow_reader,
		.timeout_ms = FLOOD_MS + 15000,
		.ring_mib = 64,
	},
	{
		.id = "chat.reset",
		.title = "a reset client is announced and the server goes on",
		.section = "Closing cleanly: FIN, not RST",
		.hint = "recv() failing with ECONNRESET ends that client like EOF: announce it as "
			"left, free its name, and ignore SIGPIPE.",
		.points = 6,
		.run = check_chat_reset,
	},
	{
		.id = "chat.leaks",
		.title = "300 clients come and go: no threads or descriptors left",
		.section = "Clean exits: no leaks",
		.hint = "On every way out: stop and join the writer, close the socket once, free "
			"the client; detach the reader.",
		.points = 8,
		.run = check_chat_leaks,
	},
};

static const char *const programs[] = { "chat_server", NULL };

const struct lab lab_03_threaded_server = {
	.id = "03-threaded-server",
	.title = "a chat server for many clients at once",
	.programs = programs,
	.checks = checks,
	.nchecks = sizeof checks / sizeof *checks,
};
