/* test_peer.c - the scripted peers' error codes: a reset reads as a reset, in words too. */
#define _DEFAULT_SOURCE
#include "clock.h"
#include "peer.h"

#include <criterion/criterion.h>
#include <errno.h>
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
