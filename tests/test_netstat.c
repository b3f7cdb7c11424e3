/* test_netstat.c - sockets read from /proc/net: a server's receive queue, emptied when it
 * reads. */
#define _DEFAULT_SOURCE
#include "kit.h"
#include "netstat.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

Test(netstat, wait_read_sees_the_receive_queue_empty_only_once_read)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof a;
	int l = socket(AF_INET, SOCK_STREAM, 0), c = socket(AF_INET, SOCK_STREAM, 0);
	char buf[16];

	cr_assert(l >= 0 && c >= 0);
	cr_assert_eq(bind(l, (struct sockaddr *)&a, sizeof a), 0);
	cr_assert_eq(listen(l, 1), 0);
	cr_assert_eq(getsockname(l, (struct sockaddr *)&a, &len), 0);
	uint16_t sport = ntohs(a.sin_port);
	cr_assert_eq(connect(c, (struct sockaddr *)&a, sizeof a), 0);
	int s = accept(l, NULL, NULL);
	cr_assert(s >= 0);
	cr_assert_eq(getsockname(c, (struct sockaddr *)&a, &len), 0);
	uint16_t cport = ntohs(a.sin_port);
	cr_assert_eq(write(c, "0123456789", 10), 10);
	cr_expect_eq(netstat_wait_read(sport, cport, 100), -ETIMEDOUT,
		     "10 unread bytes on the server's side: expected a time-out");
	cr_assert_eq(read(s, buf, sizeof buf), 10);
	cr_expect_eq(netstat_wait_read(sport, cport, 1000), 0,
		     "the server read everything: expected 0");
	cr_expect_eq(netstat_wait_read(sport, 1, 100), 0, "no such connection: expected 0");
	close(s);
	close(c);
	close(l);
}
