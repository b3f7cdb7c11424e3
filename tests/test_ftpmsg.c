/* test_ftpmsg.c - the FTP reader (replies, commands, PASV/EPSV/PORT/EPRT arguments) on
 * every prefix of valid input, and the scripted FTP peers (ftppeer) talking to each other
 * over loopback: the grader's client against the scripted server. */
#define _DEFAULT_SOURCE
#include <criterion/criterion.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ftpmsg.h"
#include "ftppeer.h"

/* Read a heap copy of exactly n bytes, so the sanitizers see any read past the end. */
static ssize_t reply_n(const char *s, size_t n, struct ftpmsg_reply *r)
{
	char *copy = malloc(n ? n : 1);
	cr_assert(copy);
	memcpy(copy, s, n);
	ssize_t got = ftpmsg_reply(copy, n, r);
	free(copy);
	return got;
}

Test(ftpmsg, single_line_reply)
{
	struct ftpmsg_reply r;
	ssize_t n = ftpmsg_reply("220 Ready.\r\nNEXT", 16, &r);
	cr_assert_eq(n, 12, "\"220 Ready.\\r\\n\": expected 12 bytes, got %zd", n);
	cr_assert_eq(r.code, 220);
	cr_assert_not(r.multi);
	cr_assert_eq(r.text_len, 6);
	cr_assert_eq(memcmp(r.text, "Ready.", 6), 0);
	cr_assert_eq(r.bare_lf, 0);
}

Test(ftpmsg, multi_line_reply_with_digit_lines)
{
	static const char m[] = "211-Features:\r\n EPSV\r\n211-not the end\r\n123 nor this\r\n"
				"2110 nor this\r\n211 End\r\n";
	struct ftpmsg_reply r;
	ssize_t n = ftpmsg_reply(m, sizeof m - 1, &r);
	cr_assert_eq(n, (ssize_t)sizeof m - 1, "expected the whole reply, got %zd", n);
	cr_assert(r.multi);
	cr_assert_eq(r.nlines, 6, "expected 6 lines, got %zu", r.nlines);
	cr_assert_eq(r.code, 211);
}

Test(ftpmsg, every_prefix_is_incomplete)
{
	static const char m[] = "230-Welcome\r\n230 is not the end\n 230 nor this\n230 Done.\n";
	struct ftpmsg_reply r;
	ssize_t whole = reply_n(m, sizeof m - 1, &r);
	cr_assert_gt(whole, 0);
	cr_assert_eq(r.bare_lf, 1, "its second line ends with a bare LF: expected 1, got %zu", r.bare_lf);
	/* "230 is not the end" ends the reply: it starts with the code and a space. */
	cr_assert_eq(whole, 32, "expected the reply to end after its second line, got %zd", whole);
	for (size_t k = 0; k < (size_t)whole; k++)
		cr_expect_eq(reply_n(m, k, &r), FTPMSG_INCOMPLETE, "prefix of %zu bytes", k);
}

Test(ftpmsg, bad_replies)
{
	static const char *const bad[] = { "hello\r\n", "22 x\r\n", "2200 x\r\n", "220x\r\n",
					   "-220 x\r\n", "2a0 x\r\n" };
	struct ftpmsg_reply r;
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		ssize_t n = reply_n(bad[i], strlen(bad[i]), &r);
		cr_expect_eq(n, FTPMSG_BAD, "\"%s\": expected FTPMSG_BAD, got %zd", bad[i], n);
	}
	cr_expect_eq(reply_n("200 a\0b\r\n", 9, &r), FTPMSG_BAD, "a NUL in a line");
	cr_expect_eq(reply_n("200\r\n", 5, &r), 5, "three digits alone are a reply");
}

Test(ftpmsg, commands)
{
	struct ftpmsg_cmd c;
	ssize_t n = ftpmsg_command("retr a file.txt\r\nNOOP\r\n", 23, &c);
	cr_assert_eq(n, 17);
	cr_assert_str_eq(c.verb, "RETR");
	cr_assert_eq(c.arg_len, 10);
	cr_assert_eq(memcmp(c.arg, "a file.txt", 10), 0);
	cr_assert_eq(ftpmsg_command("PWD\n", 4, &c), 4);
	cr_assert(c.bare_lf);
	cr_assert_eq(c.arg_len, 0);
	cr_expect_eq(ftpmsg_command("PW", 2, &c), FTPMSG_INCOMPLETE);
	cr_expect_eq(ftpmsg_command("R3TR x\r\n", 8, &c), FTPMSG_BAD);
	cr_expect_eq(ftpmsg_command(" RETR\r\n", 7, &c), FTPMSG_BAD);
	cr_expect_eq(ftpmsg_command("\r\n", 2, &c), FTPMSG_BAD);
}

Test(ftpmsg, addresses)
{
	uint8_t a[4];
	uint16_t p;
	char text[64];
	int fam;

	cr_assert_eq(ftpmsg_parse_227("Entering Passive Mode (10,0,0,7,4,1).", a, &p), 0);
	cr_assert(a[0] == 10 && a[3] == 7 && p == 1025);
	cr_assert_eq(ftpmsg_parse_227("=127,0,0,1,200,3", a, &p), 0, "no parentheses");
	cr_assert_eq(p, 200 * 256 + 3);
	cr_expect_eq(ftpmsg_parse_227("(1,2,3,4,5,6,7)", a, &p), -1, "seven numbers");
	cr_expect_eq(ftpmsg_parse_227("(1,2,3,4,5)", a, &p), -1, "five numbers");
	cr_assert_eq(ftpmsg_parse_229("Extended (#-#-#6446#)", &p), -1, "mixed delimiters");
	cr_assert_eq(ftpmsg_parse_229("Extended (###6446#)", &p), 0);
	cr_assert_eq(p, 6446);
	cr_assert_eq(ftpmsg_parse_port("127,0,0,2,0,21", a, &p), 0);
	cr_assert(a[3] == 2 && p == 21);
	cr_expect_eq(ftpmsg_parse_port("127,0,0,2,0,21 ", a, &p), -1, "trailing space");
	cr_assert_eq(ftpmsg_parse_eprt("|2|::1|5282|", &fam, text, sizeof text, &p), 0);
	cr_assert(fam == 2 && p == 5282 && strcmp(text, "::1") == 0);
	cr_expect_eq(ftpmsg_parse_eprt("|1|::1|5282|", &fam, text, sizeof text, &p), -1);
	cr_expect_eq(ftpmsg_parse_eprt("|3|1.2.3.4|5282|", &fam, text, sizeof text, &p), -1);
}

/* ---- the scripted peers against each other ---- */

struct serve_arg {
	int lfd;
	struct ftps_script script;
	struct ftps_log log;
	int rc;
};

static void *serve_thread(void *p)
{
	struct serve_arg *a = p;
	a->rc = ftps_serve(a->lfd, &a->script, &a->log, 3000, NULL, NULL);
	return NULL;
}

static void session(struct serve_arg *a, bool epsv)
{
	char why[256];
	struct ftpc c;
	struct peer_buf got = { 0 };
	uint16_t dport;

	a->lfd = peer_listen("127.0.0.1", 0, SOCK_STREAM, why, sizeof why);
	cr_assert_geq(a->lfd, 0, "listen: %s", why);
	pthread_t t;
	pthread_create(&t, NULL, serve_thread, a);
	int code = ftpc_open(&c, "127.0.0.1", peer_local_port(a->lfd), 3000);
	cr_assert_eq(code, 220, "greeting: %d (%s)", code, c.why);
	cr_assert_eq(ftpc_login(&c, "anonymous", "x@", 3000), 230, "login: %s", c.line);
	int dfd = ftpc_passive(&c, epsv, "127.0.0.1", NULL, &dport, 3000);
	cr_assert_geq(dfd, 0, "passive set-up: %s", c.why);
	cr_assert_eq(dport, a->log.pasv_port);
	cr_assert_eq(ftpc_cmd(&c, "RETR f", 3000), 150);
	cr_assert_eq(peer_recv_all(dfd, &got, 1 << 20, 3000), 0);
	close(dfd);
	cr_assert_eq(ftpc_reply(&c, 3000), 226, "final reply: %s", c.line);
	cr_assert_eq(got.len, a->script.ndata);
	cr_assert_eq(memcmp(got.data, a->script.data, got.len), 0);
	cr_assert_eq(ftpc_cmd(&c, "QUIT", 3000), 221);
	cr_assert_eq(ftpc_wait_close(&c, 3000), 0);
	ftpc_close(&c);
	pthread_join(t, NULL);
	close(a->lfd);
	cr_assert_eq(a->rc, 0);
	cr_assert(a->log.data_fin, "the client closed the data connection with FIN");
	cr_assert(a->log.ctl_fin);
	cr_assert_eq(a->log.ncmds, 5, "USER PASS PASV RETR QUIT, got %zu", a->log.ncmds);
	cr_assert_str_eq(a->log.cmds[3], "RETR f");
	peer_buf_free(&got);
	ftps_log_free(&a->log);
}

Test(ftppeer, client_and_scripted_server_passive)
{
	static struct serve_arg a = { .script = { .multiline = true, .data = "file bytes\n",
						  .ndata = 11 } };
	session(&a, false);
}

Test(ftppeer, split_bare_lf_epsv)
{
	static struct serve_arg a = { .script = { .split_replies = true, .bare_lf = true,
						  .data = "x", .ndata = 1 } };
	session(&a, true);
}
