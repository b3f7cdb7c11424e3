/* test_relay.c - the lossy UDP relay on loopback, inside a private network namespace: the
 * test is the client and the server, sends through the relay and judges what arrives. */
#define _DEFAULT_SOURCE
#include <criterion/criterion.h>

#include "clock.h"
#include "peer.h"
#include "relay.h"
#include "sandbox.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define SRV_PORT   7100
#define RELAY_PORT 7101

struct rig {
	int cli, srv;
	struct relay *relay;
};

static void enter_netns(void)
{
	struct sb_info sb;
	char why[256];

	sb_probe(&sb);
	if (sb.mode != SB_NETNS)
		cr_skip_test("needs network namespaces: %s", sb.why);
	cr_assert_eq(sb_enter(&sb, why, sizeof why), 0, "sandbox: %s", why);
}

static void rig_open(struct rig *g, const struct relay_plan *plan, int run_ms)
{
	char why[256];

	enter_netns();
	g->srv = peer_listen("127.0.0.1", SRV_PORT, SOCK_DGRAM, why, sizeof why);
	cr_assert_geq(g->srv, 0, "server socket: %s", why);
	g->cli = peer_udp_socket("127.0.0.1", why, sizeof why);
	cr_assert_geq(g->cli, 0, "client socket: %s", why);
	struct relay_cfg cfg = { .addr = "127.0.0.1", .port = RELAY_PORT, .up_addr = "127.0.0.1",
				 .up_port = SRV_PORT, .plan = plan, .run_ms = run_ms };
	g->relay = relay_start(&cfg, why, sizeof why);
	cr_assert(g->relay, "relay_start: %s", why);
	cr_assert_eq(relay_port(g->relay), RELAY_PORT);
}

static void rig_close(struct rig *g)
{
	relay_close(g->relay);
	close(g->cli);
	close(g->srv);
}

static void send_c(struct rig *g, const char *msg)
{
	cr_assert_eq(peer_sendto(g->cli, msg, strlen(msg), "127.0.0.1", RELAY_PORT), 0,
		     "client sends %s", msg);
}

/* The next datagram on fd as a string, or "" after timeout_ms. */
static char *recv_s(int fd, char *buf, size_t bufsz, int timeout_ms, uint16_t *from_port)
{
	struct sockaddr_storage from;
	ssize_t n = peer_recvfrom(fd, buf, bufsz - 1, &from, timeout_ms);

	buf[n > 0 ? n : 0] = '\0';
	if (from_port && n >= 0)
		*from_port = ntohs(((struct sockaddr_in *)&from)->sin_port);
	return buf;
}

/* The server echoes one datagram back to where it came from (the relay). */
static void echo_one(struct rig *g, int timeout_ms)
{
	char buf[2048];
	struct sockaddr_storage from;
	ssize_t n = peer_recvfrom(g->srv, buf, sizeof buf, &from, timeout_ms);

	cr_assert_geq(n, 0, "the server got nothing within %d ms", timeout_ms);
	cr_assert_geq(sendto(g->srv, buf, (size_t)n, 0, (struct sockaddr *)&from,
			     sizeof(struct sockaddr_in)), 0);
}

Test(relay, passes_both_ways_from_its_own_port)
{
	struct rig g;
	char buf[256];
	uint16_t port = 0;

	rig_open(&g, NULL, 3000);
	send_c(&g, "hello");
	echo_one(&g, 1000);
	cr_expect_str_eq(recv_s(g.cli, buf, sizeof buf, 1000, &port), "hello",
			 "the echo through the relay: got \"%s\"", buf);
	cr_expect_eq(port, RELAY_PORT, "replies come from the relay's port: %u", port);
	relay_stop(g.relay);
	struct relay_stats st;
	relay_get_stats(g.relay, &st);
	cr_expect_eq(st.seen[RELAY_C2S], 1);
	cr_expect_eq(st.forwarded[RELAY_S2C], 1);
	cr_expect(strstr(relay_log(g.relay), "c2s #1 \"hello\" (5 bytes) passed"),
		  "log:\n%s", relay_log(g.relay));
	rig_close(&g);
}

Test(relay, drops_the_nth_datagrams)
{
	struct relay_plan plan = {
		.rules = { { .dir = RELAY_C2S, .from = 1, .to = 2, .act = RELAY_DROP } },
		.nrules = 1,
	};
	struct rig g;
	char buf[256];

	rig_open(&g, &plan, 3000);
	send_c(&g, "one");
	send_c(&g, "two");
	send_c(&g, "three");
	cr_expect_str_eq(recv_s(g.srv, buf, sizeof buf, 1000, NULL), "three",
			 "#1 and #2 dropped, #3 first to arrive: got \"%s\"", buf);
	cr_expect_str_eq(recv_s(g.srv, buf, sizeof buf, 100, NULL), "", "nothing more: \"%s\"", buf);
	relay_stop(g.relay);
	struct relay_stats st;
	relay_get_stats(g.relay, &st);
	cr_expect_eq(st.dropped[RELAY_C2S], 2);
	rig_close(&g);
}

Test(relay, match_counts_among_matching_payloads)
{
	struct relay_plan plan = {
		.rules = { { .dir = RELAY_C2S, .match = "2 ok", .from = 2, .to = 2,
			     .act = RELAY_DROP } },
		.nrules = 1,
	};
	struct rig g;
	char buf[256];

	rig_open(&g, &plan, 3000);
	send_c(&g, "2 ok");
	send_c(&g, "1 ok");
	send_c(&g, "2 ok");     /* the second "2 ok": dropped */
	send_c(&g, "end");
	cr_expect_str_eq(recv_s(g.srv, buf, sizeof buf, 1000, NULL), "2 ok");
	cr_expect_str_eq(recv_s(g.srv, buf, sizeof buf, 1000, NULL), "1 ok");
	cr_expect_str_eq(recv_s(g.srv, buf, sizeof buf, 1000, NULL), "end",
			 "the second \"2 ok\" is dropped: got \"%s\"", buf);
	rig_close(&g);
}

Test(relay, duplicates)
{
	struct relay_plan plan = {
		.rules = { { .dir = RELAY_S2C, .from = 1, .to = 1, .act = RELAY_DUP, .count = 2 } },
		.nrules = 1,
	};
	struct rig g;
	char buf[256];

	rig_open(&g, &plan, 3000);
	send_c(&g, "x");
	echo_one(&g, 1000);
	for (int i = 0; i < 3; i++)
		cr_expect_str_eq(recv_s(g.cli, buf, sizeof buf, 1000, NULL), "x",
				 "copy %d of the echo: \"%s\"", i + 1, buf);
	cr_expect_str_eq(recv_s(g.cli, buf, sizeof buf, 100, NULL), "", "no fourth copy");
	rig_close(&g);
}

Test(relay, delays_without_holding_up_the_rest)
{
	struct relay_plan plan = {
		.rules = { { .dir = RELAY_C2S, .from = 1, .to = 1, .act = RELAY_DELAY, .ms = 150 } },
		.nrules = 1,
	};
	struct rig g;
	char buf[256];

	rig_open(&g, &plan, 3000);
	int64_t t0 = clock_mono_ns();
	send_c(&g, "late");
	send_c(&g, "prompt");
	cr_expect_str_eq(recv_s(g.srv, buf, sizeof buf, 1000, NULL), "prompt");
	cr_expect_str_eq(recv_s(g.srv, buf, sizeof buf, 1000, NULL), "late");
	double ms = (double)(clock_mono_ns() - t0) / 1e6;
	cr_expect_geq(ms, 145, "the delayed datagram came after %.1f ms, wanted 150", ms);
	rig_close(&g);
}

Test(relay, hold_reorders)
{
	struct relay_plan plan = {
		.rules = { { .dir = RELAY_C2S, .from = 1, .to = 1, .act = RELAY_HOLD } },
		.nrules = 1,
	};
	struct rig g;
	char buf[256];

	rig_open(&g, &plan, 3000);
	send_c(&g, "first");
	cr_expect_str_eq(recv_s(g.srv, buf, sizeof buf, 100, NULL), "", "held: \"%s\"", buf);
	send_c(&g, "second");
	cr_expect_str_eq(recv_s(g.srv, buf, sizeof buf, 1000, NULL), "second");
	cr_expect_str_eq(recv_s(g.srv, buf, sizeof buf, 1000, NULL), "first",
			 "the held datagram follows the next one: \"%s\"", buf);
	rig_close(&g);
}

Test(relay, injects_stale_replies_and_garbage)
{
	struct relay_plan plan = {
		.rules = {
			{ .dir = RELAY_C2S, .from = 2, .to = 2, .act = RELAY_DROP },
			{ .dir = RELAY_C2S, .from = 2, .to = 2, .act = RELAY_STALE, .ms = 10,
			  .count = 2 },
			{ .dir = RELAY_C2S, .from = 2, .to = 2, .act = RELAY_GARBAGE, .ms = 40,
			  .count = 3 },
		},
		.nrules = 3,
		.seed = 0x5eed,
	};
	struct rig g;
	char buf[256];
	bool longer = false, shorter = false;

	rig_open(&g, &plan, 3000);
	send_c(&g, "1 ok");
	echo_one(&g, 1000);
	cr_expect_str_eq(recv_s(g.cli, buf, sizeof buf, 1000, NULL), "1 ok");
	send_c(&g, "2 ok");
	cr_expect_str_eq(recv_s(g.cli, buf, sizeof buf, 1000, NULL), "1 ok", "stale 1: \"%s\"", buf);
	cr_expect_str_eq(recv_s(g.cli, buf, sizeof buf, 1000, NULL), "1 ok", "stale 2: \"%s\"", buf);
	for (int i = 0; i < 3; i++) {
		recv_s(g.cli, buf, sizeof buf, 1000, NULL);
		longer |= strcmp(buf, "2 okx") == 0;
		shorter |= strcmp(buf, "2 o") == 0;
	}
	cr_expect(longer && shorter, "garbage has the near misses \"2 okx\" and \"2 o\"");
	cr_expect_str_eq(recv_s(g.srv, buf, sizeof buf, 50, NULL), "", "\"2 ok\" was dropped");
	relay_stop(g.relay);
	struct relay_stats st;
	relay_get_stats(g.relay, &st);
	cr_expect_eq(st.injected, 5);
	rig_close(&g);
}

/* The same arrivals with the same seed meet the same fates. */
static void seeded_run(char *fates, size_t n)
{
	struct relay_plan plan = { .seed = 0xc0ffee, .drop_pct = { 40, 0 }, .dup_pct = { 20, 0 } };
	struct rig g;
	char buf[64];

	rig_open(&g, &plan, 3000);
	for (size_t i = 0; i < n; i++) {
		snprintf(buf, sizeof buf, "%zu", i);
		send_c(&g, buf);
		clock_sleep_ms(1);
	}
	clock_sleep_ms(50);
	relay_stop(g.relay);
	const char *log = relay_log(g.relay);
	for (size_t i = 0; i < n; i++) {
		char key[32];
		snprintf(key, sizeof key, "c2s #%zu ", i + 1);
		const char *l = strstr(log, key);
		cr_assert(l, "datagram %zu is in the log:\n%s", i + 1, log);
		const char *eol = strchr(l, '\n');
		const char *d = strstr(l, "dropped");
		const char *c = strstr(l, "more cop");
		fates[i] = d && d < eol ? 'd' : c && c < eol ? '2' : '1';
	}
	fates[n] = '\0';
	rig_close(&g);
}

Test(relay, seed_is_deterministic)
{
	char a[41], b[41];

	seeded_run(a, 40);
	seeded_run(b, 40);
	cr_expect_str_eq(a, b, "the same seed gave %s, then %s", a, b);
	cr_expect(strchr(a, 'd') && strchr(a, '1'), "40%% drops give both fates: %s", a);
}

Test(relay, plan_in_words)
{
	struct relay_plan plan = {
		.rules = {
			{ .dir = RELAY_C2S, .from = 1, .to = 2, .act = RELAY_DROP },
			{ .dir = RELAY_S2C, .from = 3, .to = 3, .act = RELAY_DUP },
			{ .dir = RELAY_C2S, .match = "2 ok", .from = 1, .to = 0, .act = RELAY_DELAY,
			  .ms = 30 },
		},
		.nrules = 3,
		.seed = 0x5eed,
		.drop_pct = { 10, 5 },
	};
	char buf[256];

	cr_expect_str_eq(relay_plan_str(&plan, buf, sizeof buf),
			 "c2s drop #1-2; s2c dup #3; c2s \"2 ok\" delay #1 on by 30 ms; seed 0x5eed: "
			 "drop c2s 10% s2c 5%, dup c2s 0% s2c 0%");
	struct relay_plan none = { .nrules = 0 };
	cr_expect_str_eq(relay_plan_str(&none, buf, sizeof buf), "no loss");
	cr_expect_str_eq(relay_plan_str(&plan, buf, 8), "c2s dro", "bounded: %s", buf);
}

Test(relay, stops_at_its_deadline_and_on_demand)
{
	struct rig g;

	rig_open(&g, NULL, 100);
	clock_sleep_ms(250);
	int64_t t0 = clock_mono_ns();
	relay_stop(g.relay);
	relay_stop(g.relay);
	cr_expect_lt(clock_mono_ns() - t0, 50 * 1000000LL, "stopping a relay past its deadline "
		     "is immediate");
	rig_close(&g);
	relay_close(NULL);

	/* A long deadline: relay_stop ends it at once. */
	struct relay_plan plan = {
		.rules = { { .dir = RELAY_C2S, .from = 1, .to = 1, .act = RELAY_HOLD } },
		.nrules = 1,
	};
	char why[256];
	int cli = peer_udp_socket("127.0.0.1", why, sizeof why);
	struct relay_cfg cfg = { .addr = "127.0.0.1", .port = RELAY_PORT + 1,
				 .up_addr = "127.0.0.1", .up_port = SRV_PORT, .plan = &plan,
				 .run_ms = 60000 };
	struct relay *r = relay_start(&cfg, why, sizeof why);
	cr_assert(r, "relay_start: %s", why);
	peer_sendto(cli, "held", 4, "127.0.0.1", RELAY_PORT + 1);
	clock_sleep_ms(20);
	t0 = clock_mono_ns();
	relay_stop(r);
	cr_expect_lt(clock_mono_ns() - t0, 100 * 1000000LL, "relay_stop before the deadline");
	struct relay_stats st;
	relay_get_stats(r, &st);
	cr_expect_eq(st.lost_at_stop, 1, "the held datagram is lost at the stop");
	relay_close(r);
	close(cli);
}

Test(relay, bad_upstream_is_an_error)
{
	char why[256];

	enter_netns();
	struct relay_cfg cfg = { .addr = "127.0.0.1", .port = RELAY_PORT, .up_addr = "nowhere",
				 .up_port = SRV_PORT, .run_ms = 100 };
	cr_expect_null(relay_start(&cfg, why, sizeof why));
	cr_expect(strstr(why, "nowhere"), "the reason names the address: %s", why);
}
