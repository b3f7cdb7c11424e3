/* test_httppeer.c - the scripted HTTP peers against each other on loopback: a request with
 * a body is read whole however it is cut; a response sent in pieces is read whole, one
 * after another on one connection; a response cut short, a silent server and bytes that
 * are no response are each told apart; a body to the close, or the head alone, on request;
 * the server reads what the client still sends before it closes. */
#define _DEFAULT_SOURCE
#include "clock.h"
#include "httppeer.h"

#include <criterion/criterion.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* The server side of one test: accepts one connection, reads nreq requests, answering each
 * with the pieces (gap_ms apart); then closes after close_ms (or at once when 0). */
struct script {
	int lfd;
	size_t nreq;
	const struct http_piece *pieces;
	size_t npieces;
	int gap_ms;
	int close_ms;
	ssize_t got[4];           /* httpsrv_read_request's results */
	struct peer_buf req;      /* what the client sent */
	pthread_t thread;
};

static void *serve(void *arg)
{
	struct script *sc = arg;
	struct httpsrv s;

	httpsrv_init(&s, peer_accept(sc->lfd, 5000));
	if (s.fd < 0)
		return NULL;
	for (size_t i = 0; i < sc->nreq && i < 4; i++) {
		sc->got[i] = httpsrv_read_request(&s, 2000);
		if (sc->got[i] <= 0)
			break;
		/* The next request starts after this one. */
		peer_buf_append(&sc->req, s.req.data, (size_t)sc->got[i]);
		memmove(s.req.data, s.req.data + sc->got[i], s.req.len - (size_t)sc->got[i]);
		s.req.len -= (size_t)sc->got[i];
		httpsrv_send(&s, sc->pieces, sc->npieces, sc->gap_ms, 2000);
	}
	if (sc->close_ms)
		clock_sleep_ms(sc->close_ms);
	shutdown(s.fd, SHUT_WR);
	httpsrv_close(&s, 500);
	return NULL;
}

static uint16_t start(struct script *sc)
{
	char why[256];

	sc->lfd = peer_listen("127.0.0.1", 0, SOCK_STREAM, why, sizeof why);
	cr_assert_geq(sc->lfd, 0, "listen: %s", why);
	cr_assert_eq(pthread_create(&sc->thread, NULL, serve, sc), 0);
	return peer_local_port(sc->lfd);
}

static void finish(struct script *sc)
{
	pthread_join(sc->thread, NULL);
	close(sc->lfd);
}

static const char RESPONSE[] = "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n"
			       "Content-Length: 11\r\n\r\nhello world";

Test(httppeer, keep_alive_responses_in_pieces, .timeout = 20)
{
	struct http_piece pieces[8];
	struct script sc = { .nreq = 2, .pieces = pieces, .gap_ms = 5 };
	struct httpc v;
	struct httpmsg m;
	char why[256];
	static const char post[] = "POST /a HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello";
	static const char get[] = "GET /b HTTP/1.1\r\nHost: x\r\n\r\n";
	char reqs[sizeof post + sizeof get];

	sc.npieces = http_cut(RESPONSE, sizeof RESPONSE - 1, 10, pieces, 8);
	cr_assert_eq(sc.npieces, 8, "%zu bytes in pieces of 10: %zu pieces", sizeof RESPONSE - 1,
		     sc.npieces);
	cr_expect_eq(pieces[7].len, (sizeof RESPONSE - 1) % 10);
	cr_assert_eq(httpc_open(&v, "127.0.0.1", start(&sc), 1000, why, sizeof why), 0, "%s", why);
	/* Both requests in one segment: the server reads them one at a time. */
	snprintf(reqs, sizeof reqs, "%s%s", post, get);
	cr_assert_eq(httpc_send(&v, reqs, strlen(reqs), 1000), 0);
	for (int i = 0; i < 2; i++) {
		enum httpc_got g = httpc_response(&v, 0, &m, 2000, why, sizeof why);
		cr_assert_eq(g, HTTPC_DONE, "response %d: %d (%s)", i + 1, g, why);
		cr_expect_eq(m.status, 200);
		cr_expect(m.body_len == 11 && memcmp(m.body, "hello world", 11) == 0);
		cr_expect_eq(v.used, (size_t)(i + 1) * (sizeof RESPONSE - 1));
	}
	/* Then the server closes: nothing more, and the close is seen. */
	httpc_read_for(&v, 2000);
	cr_expect(v.eof, "the server's FIN was not seen");
	cr_expect_eq(v.in.len, v.used, "%zu bytes after the responses", v.in.len - v.used);
	cr_expect_eq(httpc_response(&v, 0, &m, 100, why, sizeof why), HTTPC_ENDED);
	httpc_close(&v);
	httpc_close(&v);        /* twice is harmless */
	finish(&sc);
	cr_expect_eq(sc.got[0], (ssize_t)strlen(post), "the POST with its body: %zd", sc.got[0]);
	cr_expect_eq(sc.got[1], (ssize_t)strlen(get), "the GET after it: %zd", sc.got[1]);
	cr_expect(sc.req.len == strlen(reqs) && memcmp(sc.req.data, reqs, sc.req.len) == 0,
		  "the server read other bytes than were sent");
	peer_buf_free(&sc.req);
}

Test(httppeer, head_response_has_no_body, .timeout = 20)
{
	static const struct http_piece head[] = {
		HTTP_PIECE("HTTP/1.1 200 OK\r\nContent-Length: 11\r\n\r\n"),
	};
	struct script sc = { .nreq = 1, .pieces = head, .npieces = 1, .close_ms = 300 };
	struct httpc v;
	struct httpmsg m;
	char why[256];

	cr_assert_eq(httpc_open(&v, "127.0.0.1", start(&sc), 1000, why, sizeof why), 0, "%s", why);
	httpc_send(&v, "HEAD / HTTP/1.1\r\nHost: x\r\n\r\n", 28, 1000);
	cr_expect_eq(httpc_response(&v, HTTPMSG_HEAD, &m, 2000, why, sizeof why), HTTPC_DONE, "%s",
		     why);
	cr_expect_eq(m.content_length, 11);
	httpc_close(&v);
	finish(&sc);
	peer_buf_free(&sc.req);
}

Test(httppeer, cut_short_silent_and_bad_are_told_apart, .timeout = 20)
{
	static const struct http_piece cut[] = {
		HTTP_PIECE("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc"),
	};
	static const struct http_piece bad[] = { HTTP_PIECE("SSH-2.0-OpenSSH\r\n\r\n") };
	struct httpc v;
	struct httpmsg m;
	char why[256];

	/* A head and 3 of 10 body bytes, then the close. */
	struct script a = { .nreq = 1, .pieces = cut, .npieces = 1 };
	cr_assert_eq(httpc_open(&v, "127.0.0.1", start(&a), 1000, why, sizeof why), 0, "%s", why);
	httpc_send(&v, "GET / HTTP/1.1\r\nHost: x\r\n\r\n", 27, 1000);
	cr_expect_eq(httpc_response(&v, 0, &m, 2000, why, sizeof why), HTTPC_ENDED);
	cr_expect_gt(m.head_len, 0, "the head was whole");
	cr_expect_eq(v.used, 0, "an unfinished response was taken as read");
	httpc_close(&v);
	finish(&a);
	peer_buf_free(&a.req);

	/* The same, with the close held back: too slow. */
	struct script b = { .nreq = 1, .pieces = cut, .npieces = 1, .close_ms = 600 };
	cr_assert_eq(httpc_open(&v, "127.0.0.1", start(&b), 1000, why, sizeof why), 0, "%s", why);
	httpc_send(&v, "GET / HTTP/1.1\r\nHost: x\r\n\r\n", 27, 1000);
	int64_t t0 = clock_mono_ns();
	cr_expect_eq(httpc_response(&v, 0, &m, 200, why, sizeof why), HTTPC_SLOW);
	cr_expect_lt((clock_mono_ns() - t0) / 1e6, 550, "waited past its deadline");
	httpc_close(&v);
	finish(&b);
	peer_buf_free(&b.req);

	/* Bytes that are no response. */
	struct script d = { .nreq = 1, .pieces = bad, .npieces = 1, .close_ms = 300 };
	cr_assert_eq(httpc_open(&v, "127.0.0.1", start(&d), 1000, why, sizeof why), 0, "%s", why);
	httpc_send(&v, "GET / HTTP/1.1\r\nHost: x\r\n\r\n", 27, 1000);
	why[0] = '\0';
	cr_expect_eq(httpc_response(&v, 0, &m, 2000, why, sizeof why), HTTPC_BAD);
	cr_expect_neq(why[0], '\0', "no reason given");
	httpc_close(&v);
	finish(&d);
	peer_buf_free(&d.req);
}

Test(httppeer, a_body_to_the_close_or_the_head_alone, .timeout = 20)
{
	static const struct http_piece old[] = {
		HTTP_PIECE("HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\nuntil "),
		HTTP_PIECE("the close"),
	};
	struct httpc v;
	struct httpmsg m;
	char why[256];

	/* Without HTTPC_TO_CLOSE the response is done at its head; with it, at the close. */
	struct script a = { .nreq = 1, .pieces = old, .npieces = 2, .gap_ms = 100 };
	cr_assert_eq(httpc_open(&v, "127.0.0.1", start(&a), 1000, why, sizeof why), 0, "%s", why);
	httpc_send(&v, "GET / HTTP/1.0\r\n\r\n", 18, 1000);
	cr_expect_eq(httpc_response(&v, 0, &m, 2000, why, sizeof why), HTTPC_DONE, "%s", why);
	cr_expect_eq(m.framing, HTTPMSG_CLOSE);
	cr_expect_eq(v.used, 0, "a response whose end is not known yet was taken as read");
	cr_expect_eq(httpc_response(&v, HTTPC_TO_CLOSE, &m, 2000, why, sizeof why), HTTPC_DONE,
		     "%s", why);
	cr_expect(v.eof, "done before the close");
	cr_expect(m.body_len == 15 && memcmp(m.body, "until the close", 15) == 0,
		  "the body to the close: %zu bytes", m.body_len);
	httpc_close(&v);
	finish(&a);
	peer_buf_free(&a.req);

	/* The head alone, before the body has come. */
	static const struct http_piece slow[] = {
		HTTP_PIECE("HTTP/1.1 404 Not Found\r\nContent-Length: 4\r\n\r\n"), HTTP_PIECE("gone"),
	};
	struct script b = { .nreq = 1, .pieces = slow, .npieces = 2, .gap_ms = 400 };
	cr_assert_eq(httpc_open(&v, "127.0.0.1", start(&b), 1000, why, sizeof why), 0, "%s", why);
	httpc_send(&v, "GET /x HTTP/1.1\r\nHost: x\r\n\r\n", 28, 1000);
	int64_t t0 = clock_mono_ns();
	cr_expect_eq(httpc_response(&v, HTTPC_HEAD_ONLY, &m, 2000, why, sizeof why), HTTPC_DONE);
	cr_expect_lt((clock_mono_ns() - t0) / 1e6, 350, "it waited for the body");
	cr_expect_eq(m.status, 404);
	httpc_close(&v);
	finish(&b);
	peer_buf_free(&b.req);
}

Test(httppeer, await_leaves_the_response_unread, .timeout = 20)
{
	static const struct http_piece one[] = { HTTP_PIECE(RESPONSE) };
	struct script sc = { .nreq = 1, .pieces = one, .npieces = 1, .close_ms = 300 };
	struct httpc v;
	struct httpmsg m;
	char why[256];

	cr_assert_eq(httpc_open(&v, "127.0.0.1", start(&sc), 1000, why, sizeof why), 0, "%s", why);
	httpc_send(&v, "GET / HTTP/1.1\r\nHost: x\r\n\r\n", 27, 1000);
	httpc_await(&v, 2000);
	cr_expect_eq(v.in.len, sizeof RESPONSE - 1);
	cr_expect_eq(v.used, 0);
	cr_expect(!v.eof, "it waited for the close, not for the response");
	cr_expect_eq(httpc_response(&v, 0, &m, 100, why, sizeof why), HTTPC_DONE, "%s", why);
	httpc_close(&v);
	finish(&sc);
	peer_buf_free(&sc.req);
}

Test(httppeer, server_reads_a_request_in_pieces, .timeout = 20)
{
	char why[256];
	int lfd = peer_listen("127.0.0.1", 0, SOCK_STREAM, why, sizeof why);
	static const char req[] = "PUT /f HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
				  "5\r\nhello\r\n0\r\n\r\n";
	struct httpsrv s;

	cr_assert_geq(lfd, 0, "%s", why);
	int fd = peer_connect("127.0.0.1", peer_local_port(lfd), 1000, why, sizeof why);
	cr_assert_geq(fd, 0, "%s", why);
	httpsrv_init(&s, peer_accept(lfd, 1000));
	cr_assert_geq(s.fd, 0);
	/* One byte at a time: the request is whole only with its last chunk. */
	peer_nodelay(fd);
	for (size_t i = 0; i < sizeof req - 1; i++)
		peer_send(fd, req + i, 1, 1000);
	cr_expect_eq(httpsrv_read_request(&s, 2000), (ssize_t)(sizeof req - 1));
	/* Then a line that is no request. */
	peer_send(fd, "HELLO\r\n\r\n", 9, 1000);
	s.req.len = 0;
	cr_expect_eq(httpsrv_read_request(&s, 2000), HTTPMSG_BAD);
	cr_expect_neq(s.why[0], '\0', "no reason given");
	/* Half a request, then the client's FIN. */
	peer_send(fd, "GET / HT", 8, 1000);
	shutdown(fd, SHUT_WR);
	s.req.len = 0;
	cr_expect_eq(httpsrv_read_request(&s, 2000), HTTPMSG_INCOMPLETE);
	httpsrv_close(&s, 100);
	cr_expect_eq(s.fd, -1);
	close(fd);
	close(lfd);
}

Test(httppeer, server_close_reads_what_is_left, .timeout = 20)
{
	char why[256];
	int lfd = peer_listen("127.0.0.1", 0, SOCK_STREAM, why, sizeof why);
	static char junk[100 * 1024];
	struct httpsrv s;
	uint8_t b[16];

	cr_assert_geq(lfd, 0, "%s", why);
	int fd = peer_connect("127.0.0.1", peer_local_port(lfd), 1000, why, sizeof why);
	cr_assert_geq(fd, 0, "%s", why);
	httpsrv_init(&s, peer_accept(lfd, 1000));
	cr_assert_geq(s.fd, 0);
	/* 100 KiB after the request, then the client's FIN: all of it is read before the
	 * close, however much it is, so the client sees our FIN, not a reset. */
	memset(junk, 'j', sizeof junk);
	peer_send(fd, "GET / HTTP/1.1\r\nHost: x\r\n\r\n", 27, 1000);
	cr_expect_eq(httpsrv_read_request(&s, 2000), 27);
	cr_assert_eq(peer_send(fd, junk, sizeof junk, 5000), 0);
	shutdown(fd, SHUT_WR);
	httpsrv_close(&s, 3000);
	cr_expect_eq(peer_recv(fd, b, sizeof b, 2000), 0, "the client saw no FIN");
	close(fd);
	close(lfd);
}
