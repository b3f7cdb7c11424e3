/* test_peer.c - the scripted peers: a reset reads as a reset, in words too; the pump gets a
 * whole echo back from a server it makes wait, and gives up on one that never answers; a
 * sender stalls where its peer stops reading. */
#define _DEFAULT_SOURCE
#include "clock.h"
#include "peer.h"

#include <criterion/criterion.h>
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

Test(peer, send_after_reset_is_a_reset)
{
	char why[256];
	int lfd = peer_listen("127.0.0.1", 0, SOCK_STREAM, why, sizeof why);
	cr_assert_geq(lfd, 0, "listen: %s", why);
	int fd = peer_connect("127.0.0.1", peer_local_port(lfd), 1000, why, sizeof why);
	cr_assert_geq(fd, 0, "connect: %s", why);
	int sfd = peer_accept(lfd, 1000);
	cr_assert_geq(sfd, 0, "accept: %d", sfd);
	peer_reset(sfd);
	clock_sleep_ms(20);
	/* The first send may still be taken; one after the RST came back fails. */
	int rc = 0;
	for (int i = 0; i < 5 && rc == 0; i++) {
		rc = peer_send(fd, "hello", 5, 500);
		clock_sleep_ms(10);
	}
	cr_expect_eq(rc, -ECONNRESET, "sending to a reset connection: expected -ECONNRESET, got %d "
		     "(%s)", rc, peer_strerror(rc));
	cr_expect_str_eq(peer_strerror(-ECONNRESET), "reset by the server (RST)",
			 "the words for a reset: got \"%s\"", peer_strerror(-ECONNRESET));
	close(fd);
	close(lfd);
}

/* A one-connection server on loopback: echoes what it reads until the client's FIN, then
 * closes (echo), or accepts and does nothing until the test ends (mute). */
struct server {
	int lfd, fd;
	bool echo;
	pthread_t thread;
};

static void *server_main(void *arg)
{
	struct server *s = arg;
	uint8_t buf[65536];

	s->fd = peer_accept(s->lfd, 5000);
	if (s->fd < 0 || !s->echo)
		return NULL;
	for (;;) {
		ssize_t n = peer_recv(s->fd, buf, sizeof buf, 5000);
		if (n <= 0 || peer_send(s->fd, buf, (size_t)n, 5000) < 0)
			break;
	}
	close(s->fd);
	s->fd = -1;
	return NULL;
}

/* Start the server; returns a connected client fd. */
static int server_start(struct server *s, bool echo, int rcvbuf)
{
	char why[256];

	s->echo = echo;
	s->fd = -1;
	s->lfd = peer_listen("127.0.0.1", 0, SOCK_STREAM, why, sizeof why);
	cr_assert_geq(s->lfd, 0, "listen: %s", why);
	if (rcvbuf)
		peer_small_rcvbuf(s->lfd, rcvbuf);
	cr_assert_eq(pthread_create(&s->thread, NULL, server_main, s), 0);
	int fd = peer_connect("127.0.0.1", peer_local_port(s->lfd), 1000, why, sizeof why);
	cr_assert_geq(fd, 0, "connect: %s", why);
	return fd;
}

static void server_join(struct server *s)
{
	pthread_join(s->thread, NULL);
	if (s->fd >= 0)
		close(s->fd);
	close(s->lfd);
}

Test(peer, pump_gets_the_whole_echo_of_a_slow_reader, .timeout = 20)
{
	struct server s;
	size_t n = 4u << 20;
	uint8_t *data = malloc(n);

	cr_assert(data);
	for (size_t i = 0; i < n; i++)
		data[i] = (uint8_t)(i * 7 + i / 251);
	int fd = server_start(&s, true, 0);
	/* Not reading for 300 ms: the echo fills both sides' buffers, and the pump must keep
	 * sending once it reads again. */
	struct peer_pump p = { .out = data, .nout = n, .read_delay_ms = 300, .timeout_ms = 10000 };
	int64_t t0 = clock_mono_ns();
	peer_pump(fd, &p);
	double took = (clock_mono_ns() - t0) / 1e6;
	cr_expect_eq(p.rc, 0, "the server closed after the echo, yet rc %d (%s)", p.rc,
		     peer_strerror(p.rc));
	cr_expect_eq(p.sent, n, "sent %zu of %zu", p.sent, n);
	cr_expect_eq(p.in.len, n, "got back %zu of %zu", p.in.len, n);
	cr_expect(p.in.len == n && memcmp(p.in.data, data, n) == 0, "the echo differs");
	cr_expect_geq(took, 300, "it read before its delay: %.0f ms", took);
	close(fd);
	server_join(&s);
	peer_buf_free(&p.in);
	free(data);
}

Test(peer, pump_gives_up_on_a_server_that_never_closes, .timeout = 20)
{
	struct server s;
	int fd = server_start(&s, false, 0);
	struct peer_pump p = { .out = (const uint8_t *)"hello\n", .nout = 6, .timeout_ms = 300 };
	int64_t t0 = clock_mono_ns();

	peer_pump(fd, &p);
	double took = (clock_mono_ns() - t0) / 1e6;
	cr_expect_eq(p.rc, -ETIMEDOUT, "rc %d (%s), expected a timeout", p.rc, peer_strerror(p.rc));
	cr_expect_eq(p.sent, 6);
	cr_expect_eq(p.in.len, 0);
	cr_expect(took >= 290 && took < 2000, "gave up after %.0f ms, not 300", took);
	close(fd);
	server_join(&s);
	peer_buf_free(&p.in);
}

Test(peer, send_until_stalled_stops_where_the_peer_stops_reading, .timeout = 20)
{
	struct server s;
	int fd = server_start(&s, false, 4096);
	size_t max = 64u << 20;
	int64_t t0 = clock_mono_ns();

	size_t sent = peer_send_until_stalled(fd, max, 150, 5000);
	double took = (clock_mono_ns() - t0) / 1e6;
	cr_expect_gt(sent, 0, "nothing was sent");
	cr_expect_lt(sent, max, "all %zu bytes went out to a peer that reads nothing", sent);
	cr_expect_lt(took, 4000, "took %.0f ms: the stall was not seen", took);
	/* A cap below what the buffers hold ends it first. */
	size_t capped = peer_send_until_stalled(fd, 1, 150, 5000);
	cr_expect_leq(capped, 65536, "sent %zu past a cap of 1 byte (one chunk at most)", capped);
	close(fd);
	server_join(&s);
}
