/* test_ladder.c - ladder diagrams: rows, flags, previews, cutting, bounded output. */
#define _DEFAULT_SOURCE   /* pcap.h needs the BSD u_char types */
#include "frames.h"

#include "ladder.h"

#define CPORT 41822
#define SPORT 7000

/* The conversation of the header's example, recorded and read back. */
static struct flow_set *hello_flow(void)
{
	struct fr_pcap w;
	struct fr_conv c;
	frp_open(&w);
	conv_init(&c, &w, AF_INET, CPORT, SPORT, 1000, 5000);
	conv_handshake(&c);
	conv_seg(&c, 0, PKT_ACK | PKT_PSH, "HELLO Ada\n", 10);
	uint32_t s = c.seq[1];
	conv_seg(&c, 1, PKT_ACK | PKT_PSH, "HI Ada\n", 7);
	conv_seg_at(&c, 1, PKT_ACK | PKT_PSH, s, "HI Ada\n", 7);
	conv_seg(&c, 0, PKT_ACK, NULL, 0);
	conv_seg(&c, 1, PKT_ACK | PKT_FIN, "x", 1);
	conv_seg(&c, 0, PKT_RST, NULL, 0);
	return frp_read(&w);
}

static size_t count_lines(const char *s)
{
	size_t n = 0;
	for (; *s; s++)
		n += *s == '\n';
	return n;
}

/* Every line that has bars has them in the same two columns. */
static void bars_aligned(const char *s, const char *scenario)
{
	long left = -1, right = -1;
	for (const char *line = s; *line;) {
		const char *end = strchr(line, '\n');
		size_t n = end ? (size_t)(end - line) : strlen(line);
		const char *l = memchr(line, '|', n);
		if (l) {
			long lc = (long)(l - line), rc = (long)n - 1;
			cr_assert_eq(line[n - 1], '|', "%s: a row must end at the right bar: %.*s", scenario, (int)n, line);
			if (left < 0) {
				left = lc;
				right = rc;
			}
			cr_assert(lc == left && rc == right, "%s: bars at columns %ld/%ld expected, got %ld/%ld in: %.*s",
				  scenario, left, right, lc, rc, (int)n, line);
		}
		if (!end)
			break;
		line = end + 1;
	}
	cr_assert_geq(left, 0, "%s: expected rows with bars", scenario);
}

Test(ladder, tcp_rows)
{
	struct flow_set *fs = hello_flow();
	char buf[4096];
	size_t n = ladder_tcp(&fs->tcp[0], fs->t0_ns, 50, buf, sizeof buf);
	cr_assert_eq(n, strlen(buf), "tcp ladder: returns its length %zu, got %zu", strlen(buf), n);
	const char *want[] = {
		"client 127.0.0.1:41822",
		"server 127.0.0.1:7000",
		"   0.000 ms  |---- SYN ---",
		"   0.010 ms  |<---",
		"- SYN, ACK ----|",
		"|---- \"HELLO Ada\\n\" (10 B) ---",
		"- \"HI Ada\\n\" (7 B) ----|",
		"- \"HI Ada\\n\" (7 B) (retransmission) ----|",
		"- FIN \"x\" (1 B) ----|",
		"   0.080 ms  |---- RST ---",
	};
	for (size_t i = 0; i < sizeof want / sizeof want[0]; i++)
		cr_assert_not_null(strstr(buf, want[i]), "tcp ladder: expected a row containing '%s' in:\n%s", want[i], buf);
	/* Header + SYN, SYN-ACK, data, data, retransmission, FIN, RST: the two pure ACKs are left out. */
	cr_assert_eq(count_lines(buf), 8, "tcp ladder: expected 8 lines, got %zu in:\n%s", count_lines(buf), buf);
	bars_aligned(buf, "tcp ladder");
	for (const char *p = buf; *p; p++)
		cr_assert((*p >= 0x20 && *p < 0x7f) || *p == '\n', "tcp ladder: plain ASCII only, got byte %#x",
			  (unsigned)(unsigned char)*p);
	flow_set_free(fs);
}

Test(ladder, repeated_syn_and_fin_marked)
{
	struct fr_pcap w;
	struct fr_conv c;
	frp_open(&w);
	conv_init(&c, &w, AF_INET, CPORT, SPORT, 1, 2);
	conv_seg_at(&c, 0, PKT_SYN, 1, NULL, 0);
	conv_handshake(&c);
	conv_seg(&c, 0, PKT_ACK | PKT_FIN, NULL, 0);
	conv_seg_at(&c, 0, PKT_ACK | PKT_FIN, c.seq[0] - 1, NULL, 0);
	struct flow_set *fs = frp_read(&w);
	char buf[4096];
	ladder_tcp(&fs->tcp[0], fs->t0_ns, 0, buf, sizeof buf);
	cr_assert_not_null(strstr(buf, "   0.000 ms  |---- SYN ---"), "repeated SYN: the first is plain:\n%s", buf);
	cr_assert_not_null(strstr(buf, "   0.010 ms  |---- SYN (retransmission) ---"),
			   "repeated SYN: the second is marked:\n%s", buf);
	cr_assert_not_null(strstr(buf, "|---- FIN (retransmission) ---"), "repeated FIN: marked:\n%s", buf);
	cr_assert_eq(count_lines(buf), 6, "repeated SYN/FIN: header and 5 rows, got %zu:\n%s", count_lines(buf), buf);
	flow_set_free(fs);
}

Test(ladder, max_rows_cuts_the_middle)
{
	struct fr_pcap w;
	struct fr_conv c;
	frp_open(&w);
	conv_init(&c, &w, AF_INET, CPORT, SPORT, 1, 2);
	conv_handshake(&c);
	char msg[32];
	for (int i = 0; i < 1234; i++) {
		int k = snprintf(msg, sizeof msg, "line %d\n", i);
		conv_seg(&c, 0, PKT_ACK, msg, (size_t)k);
	}
	conv_close(&c);
	struct flow_set *fs = frp_read(&w);
	char buf[8192];
	ladder_tcp(&fs->tcp[0], fs->t0_ns, 9, buf, sizeof buf);
	/* 1234 data + SYN + SYN-ACK + 2 FIN = 1238 rows, 9 shown. */
	cr_assert_not_null(strstr(buf, "... 1229 more segments ..."), "cut ladder: expected the count of hidden rows in:\n%s", buf);
	cr_assert_not_null(strstr(buf, "SYN, ACK"), "cut ladder: the first rows are kept:\n%s", buf);
	cr_assert_not_null(strstr(buf, "\"line 1233\\n\" (10 B)"), "cut ladder: the last rows are kept:\n%s", buf);
	cr_assert_null(strstr(buf, "\"line 600\\n\""), "cut ladder: the middle is left out:\n%s", buf);
	/* Lines 4 to 1232 are hidden: 1229 segments to the server, none back. */
	cr_assert_not_null(strstr(buf, "(1229 -> with 11192 B, 0 <- with 0 B)"),
			   "cut ladder: expected the hidden segments and bytes per direction in:\n%s", buf);
	cr_assert_eq(count_lines(buf), 1 + 9 + 2, "cut ladder: header, 9 rows, the cut row and its "
		     "summary, got %zu lines:\n%s", count_lines(buf), buf);
	bars_aligned(buf, "cut ladder");
	flow_set_free(fs);
}

Test(ladder, long_preview_is_cut)
{
	struct fr_pcap w;
	struct fr_conv c;
	frp_open(&w);
	conv_init(&c, &w, AF_INET6, CPORT, SPORT, 1, 2);
	conv_handshake(&c);
	char big[3000];
	memset(big, 'A', sizeof big);
	big[0] = '\0';
	conv_seg(&c, 0, PKT_ACK, big, sizeof big);
	struct flow_set *fs = frp_read(&w);
	char buf[4096];
	ladder_tcp(&fs->tcp[0], fs->t0_ns, 10, buf, sizeof buf);
	cr_assert_not_null(strstr(buf, "\"\\x00AAAA"), "long preview: starts with the escaped bytes:\n%s", buf);
	cr_assert_not_null(strstr(buf, "\"... (3000 B)"), "long preview: cut with ... and the full size:\n%s", buf);
	cr_assert_not_null(strstr(buf, "client [::1]:41822"), "long preview: IPv6 client label:\n%s", buf);
	bars_aligned(buf, "long preview");
	flow_set_free(fs);
}

Test(ladder, bounded_and_terminated_at_any_size)
{
	struct flow_set *fs = hello_flow();
	char full[4096];
	size_t n = ladder_tcp(&fs->tcp[0], fs->t0_ns, 50, full, sizeof full);
	for (size_t sz = 0; sz <= n + 2; sz++) {
		char buf[4096];
		memset(buf, 'Z', sizeof buf);
		size_t r = ladder_tcp(&fs->tcp[0], fs->t0_ns, 50, buf, sz);
		if (sz == 0) {
			cr_assert_eq(r, 0, "bufsz 0: expected 0, got %zu", r);
			cr_assert_eq(buf[0], 'Z', "bufsz 0: nothing written");
			continue;
		}
		cr_assert_lt(r, sz, "bufsz %zu: length %zu must be below the size", sz, r);
		cr_assert_eq(buf[r], '\0', "bufsz %zu: NUL at the returned length", sz);
		cr_assert_eq(buf[sz], 'Z', "bufsz %zu: wrote past the buffer", sz);
		cr_assert(strncmp(buf, full, r) == 0, "bufsz %zu: a prefix of the full diagram", sz);
	}
	flow_set_free(fs);
}

Test(ladder, udp_with_unreachable)
{
	struct fr_pcap w;
	frp_open(&w);
	uint8_t b[512];
	struct fr q = { .family = AF_INET, .src = "127.0.0.1", .dst = "127.0.0.1", .sport = 40000, .dport = 9000 };
	struct fr r = { .family = AF_INET, .src = "127.0.0.1", .dst = "127.0.0.1", .sport = 9000, .dport = 40000 };
	struct fr other = { .family = AF_INET, .src = "127.0.0.1", .dst = "127.0.0.1", .sport = 1, .dport = 2 };
	frp_add(&w, 1000000, b, fr_udp(&q, "PING", 4, b));
	frp_add(&w, 1500000, b, fr_udp(&other, "noise", 5, b));
	frp_add(&w, 2000000, b, fr_udp(&r, "PONG", 4, b));
	frp_add(&w, 3000000, b, fr_udp(&q, NULL, 0, b));
	frp_add(&w, 4000000, b, fr_unreach(&q, "late", 4, b));   /* the port side went away */
	frp_add(&w, 5000000, b, fr_unreach(&r, "back", 4, b));   /* the client went away */
	struct flow_set *fs = frp_read(&w);
	char buf[4096];
	ladder_udp(fs, 9000, fs->t0_ns, 20, buf, sizeof buf);
	const char *want[] = {
		"client 127.0.0.1:40000",
		"server 127.0.0.1:9000",
		"   0.000 ms  |---- \"PING\" (4 B) ---",
		"   1.000 ms  |<---",
		"- \"PONG\" (4 B) ----|",
		"   2.000 ms  |---- \"\" (0 B) ---",
		"- ICMP port unreachable ----|",
		"   4.000 ms  |---- ICMP port unreachable ---",
	};
	for (size_t i = 0; i < sizeof want / sizeof want[0]; i++)
		cr_assert_not_null(strstr(buf, want[i]), "udp ladder: expected '%s' in:\n%s", want[i], buf);
	cr_assert_null(strstr(buf, "noise"), "udp ladder: other ports left out:\n%s", buf);
	cr_assert_eq(count_lines(buf), 6, "udp ladder: header and 5 rows, got %zu:\n%s", count_lines(buf), buf);
	bars_aligned(buf, "udp ladder");
	ladder_udp(fs, 4444, fs->t0_ns, 20, buf, sizeof buf);
	cr_assert_not_null(strstr(buf, "(no datagrams)"), "udp ladder on a silent port:\n%s", buf);
	flow_set_free(fs);
}

Test(ladder, udp_several_clients)
{
	struct fr_pcap w;
	frp_open(&w);
	uint8_t b[512];
	struct fr a = { .family = AF_INET, .src = "127.0.0.1", .dst = "127.0.0.1", .sport = 5001, .dport = 9000 };
	struct fr c = { .family = AF_INET, .src = "127.0.0.1", .dst = "127.0.0.1", .sport = 9000, .dport = 5002 };
	for (int i = 0; i < 30; i++) {
		frp_add(&w, 1000 * i, b, fr_udp(&a, "hi", 2, b));
		frp_add(&w, 1000 * i + 500, b, fr_udp(&c, "all: hi", 7, b));
	}
	struct flow_set *fs = frp_read(&w);
	char buf[4096];
	ladder_udp(fs, 9000, fs->t0_ns, 6, buf, sizeof buf);
	cr_assert_not_null(strstr(buf, "clients (several)"), "several clients: header:\n%s", buf);
	cr_assert_not_null(strstr(buf, "from 127.0.0.1:5001: \"hi\" (2 B)"), "several clients: sender named:\n%s", buf);
	cr_assert_not_null(strstr(buf, "to 127.0.0.1:5002: \"all: hi\" (7 B)"), "several clients: receiver named:\n%s", buf);
	cr_assert_not_null(strstr(buf, "... 54 more datagrams ..."), "several clients: cut row:\n%s", buf);
	bars_aligned(buf, "several clients");
	flow_set_free(fs);
}
