/* test_mc.c - many clients in one thread: fifty clients of a line-echo server all get
 * their line back through one poll loop; lines lose "\r\n"; an ended connection is told
 * apart from silence. */
#define _DEFAULT_SOURCE
#include "kit.h"
#include "clock.h"
#include "mc.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <sys/socket.h>
#include <unistd.h>

#define CLIENTS 50

struct echo {
	int lfd;
	uint16_t port;
	pthread_t thread;
};

/* Accepts CLIENTS connections and echoes what each sends until it closes; the connection
 * of the client that says "bye" is closed at once. */
static void *echo_main(void *arg)
{
	struct echo *e = arg;
	struct pollfd p[CLIENTS + 1];
	int n = 0, open_ = 0;
	char buf[512];

	p[0] = (struct pollfd){ .fd = e->lfd, .events = POLLIN };
	while (n < CLIENTS || open_ > 0) {
		if (poll(p, (nfds_t)n + 1, 5000) <= 0)
			break;
		if ((p[0].revents & POLLIN) && n < CLIENTS) {
			p[++n] = (struct pollfd){ .fd = accept(e->lfd, NULL, NULL), .events = POLLIN };
			open_++;
		}
		for (int i = 1; i <= n; i++) {
			if (p[i].fd < 0 || !(p[i].revents & (POLLIN | POLLHUP)))
				continue;
			ssize_t r = read(p[i].fd, buf, sizeof buf);
			if (r <= 0 || (r >= 3 && memcmp(buf, "bye", 3) == 0)) {
				close(p[i].fd);
				p[i].fd = -1;
				open_--;
			} else if (write(p[i].fd, buf, (size_t)r) != r) {
				break;
			}
		}
	}
	return NULL;
}

static void echo_start(struct echo *e)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof a;

	e->lfd = socket(AF_INET, SOCK_STREAM, 0);
	cr_assert(e->lfd >= 0);
	cr_assert_eq(bind(e->lfd, (struct sockaddr *)&a, sizeof a), 0);
	cr_assert_eq(listen(e->lfd, 64), 0);
	cr_assert_eq(getsockname(e->lfd, (struct sockaddr *)&a, &len), 0);
	e->port = ntohs(a.sin_port);
	cr_assert_eq(pthread_create(&e->thread, NULL, echo_main, e), 0);
}

static bool all_have_a_line(struct mc *m, void *arg)
{
	(void)arg;
	for (size_t i = 0; i < m->n; i++)
		if (!mc_has_line(&m->cl[i]))
			return false;
	return true;
}

Test(mc, fifty_clients_in_one_thread, .timeout = 30)
{
	struct echo e;
	char why[256], line[64], label[16];
	struct mc *m = mc_new(CLIENTS, NULL);

	cr_assert(m);
	echo_start(&e);
	for (int i = 0; i < CLIENTS; i++) {
		snprintf(label, sizeof label, "c%02d", i);
		cr_assert_eq(mc_connect(m, "127.0.0.1", e.port, 2000, label, why, sizeof why), i,
			     "client %d: %s", i, why);
	}
	cr_expect_eq(mc_connect(m, "127.0.0.1", e.port, 2000, "one too many", why, sizeof why),
		     -ENOSPC, "a set for %d clients took one more", CLIENTS);
	for (int i = 0; i < CLIENTS; i++) {
		snprintf(line, sizeof line, "hello from %s\r\n", m->cl[i].label);
		mc_queue(&m->cl[i], line, strlen(line));
	}
	cr_assert(mc_pump(m, clock_deadline(5000), all_have_a_line, NULL),
		  "not every client got its line back within 5 s");
	for (int i = 0; i < CLIENTS; i++) {
		size_t n;
		char *s = mc_line(&m->cl[i], &n), want[64];
		snprintf(want, sizeof want, "hello from %s", m->cl[i].label);
		cr_expect_str_eq(s, want, "client %d: a line without its \\r\\n", i);
		cr_expect_eq(n, strlen(want));
		cr_expect_null(mc_line(&m->cl[i], &n), "client %d: one line only", i);
	}
	/* Client 0 says bye and is closed; client 1 hears nothing. */
	mc_send(m, 0, "bye\n", 4, 2000);
	int zero = 0, one = 1;
	mc_pump(m, clock_deadline(2000), mc_line_or_end, &zero);
	cr_expect(m->cl[0].eof, "the server closed client 0, yet it saw no end");
	mc_pump(m, clock_deadline(100), mc_line_or_end, &one);
	mc_seen_end(&m->cl[0], 100, why, sizeof why);
	cr_expect_str_eq(why, "the server closed the connection");
	mc_seen_end(&m->cl[1], 100, why, sizeof why);
	cr_expect_str_eq(why, "nothing within 0.1 s");
	mc_free(m);
	pthread_join(e.thread, NULL);
	close(e.lfd);
}
