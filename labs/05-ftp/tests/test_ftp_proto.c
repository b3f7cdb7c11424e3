/* test_ftp_proto.c: unit tests for the pure helpers in src/ftp_proto.c (run: make test). */
#define _POSIX_C_SOURCE 200809L

#include <criterion/criterion.h>
#include <string.h>

#include "ftp_proto.h"

#define S(lit) (lit), (sizeof(lit) - 1)

/* ---- fp_reply_end ---- */

Test(reply, single_line)
{
	int code = 0;
	long n = fp_reply_end(S("220 Ready.\r\nnext"), &code);
	cr_assert_eq(n, 12, "\"220 Ready.\\r\\n\": expected 12 bytes, got %ld", n);
	cr_assert_eq(code, 220, "expected code 220, got %d", code);
}

Test(reply, bare_lf_and_no_text)
{
	int code = 0;
	cr_assert_eq(fp_reply_end(S("200 ok\n"), &code), 7, "a line ended by a bare LF is a reply");
	cr_assert_eq(fp_reply_end(S("200\r\n"), &code), 5, "\"200\" alone is a reply with no text");
	cr_assert_eq(code, 200);
}

Test(reply, incomplete)
{
	int code;
	static const char *const parts[] = { "", "2", "22", "220", "220 Rea", "220-a\r\n",
					     "220-a\r\n220 b", "220-a\r\n220-b\r\n" };
	for (size_t i = 0; i < sizeof parts / sizeof parts[0]; i++) {
		long n = fp_reply_end(parts[i], strlen(parts[i]), &code);
		cr_expect_eq(n, 0, "\"%s\": expected 0 (incomplete), got %ld", parts[i], n);
	}
}

Test(reply, multi_line_inner_digits)
{
	static const char r[] = "230-Welcome\r\n230-still the same reply\r\n123 digits inside\r\n"
				"2300 four digits\r\n  indented\r\n230 Done.\r\nQUIT";
	int code = 0;
	long n = fp_reply_end(S(r), &code);
	cr_assert_eq(n, (long)(sizeof r - 1 - 4), "expected the reply to end before QUIT, got %ld", n);
	cr_assert_eq(code, 230);
}

Test(reply, malformed)
{
	static const char *const bad[] = { "hello\r\n", "22 x\r\n", "2200 x\r\n", "220x\r\n",
					   "a20 x\r\n" };
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		int code;
		long n = fp_reply_end(bad[i], strlen(bad[i]), &code);
		cr_expect_eq(n, -1, "\"%s\": expected -1 (malformed), got %ld", bad[i], n);
	}
}

/* ---- 227 / 229 ---- */

Test(pasv, with_and_without_parentheses)
{
	uint8_t a[4];
	uint16_t p;
	cr_assert_eq(fp_parse_227("Entering Passive Mode (127,0,0,1,4,1).", a, &p), 0);
	cr_assert(a[0] == 127 && a[1] == 0 && a[2] == 0 && a[3] == 1, "address 127.0.0.1");
	cr_assert_eq(p, 1025, "4*256+1: expected 1025, got %u", p);
	cr_assert_eq(fp_parse_227("Entering Passive Mode 10,9,8,7,200,10", a, &p), 0,
		     "no parentheses (RFC 1123 4.1.2.6)");
	cr_assert_eq(p, 200 * 256 + 10);
	cr_assert_eq(a[0], 10);
}

Test(pasv, bad)
{
	uint8_t a[4];
	uint16_t p;
	static const char *const bad[] = { "Entering Passive Mode", "(1,2,3,4,5)",
					   "(256,0,0,1,4,1)", "(1,2,3,4,5,6,7)" };
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		cr_expect_eq(fp_parse_227(bad[i], a, &p), -1, "\"%s\": expected -1", bad[i]);
}

Test(epsv, any_delimiter)
{
	uint16_t p = 0;
	cr_assert_eq(fp_parse_229("Entering Extended Passive Mode (|||6446|)", &p), 0);
	cr_assert_eq(p, 6446);
	cr_assert_eq(fp_parse_229("ok (!!!1025!)", &p), 0, "'!' is a delimiter too");
	cr_assert_eq(p, 1025);
	cr_expect_eq(fp_parse_229("(|||70000|)", &p), -1, "port over 65535");
	cr_expect_eq(fp_parse_229("(||6446|)", &p), -1, "two delimiters only");
	cr_expect_eq(fp_parse_229("(|||6446#)", &p), -1, "mixed delimiters");
}

/* ---- PORT / EPRT ---- */

Test(port, parse_and_format)
{
	uint8_t a[4];
	uint16_t p;
	char out[32];
	cr_assert_eq(fp_parse_port("127,0,0,1,4,1", a, &p), 0);
	cr_assert_eq(p, 1025);
	cr_assert_eq(fp_format_port(a, p, out, sizeof out), 0);
	cr_assert_str_eq(out, "127,0,0,1,4,1");
	static const char *const bad[] = { "", "127,0,0,1,4", "127,0,0,1,4,1,1", "127,0,0,1,0,0",
					   "300,0,0,1,4,1", "127,0,0,1,4,a", "127.0.0.1,4,1" };
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		cr_expect_eq(fp_parse_port(bad[i], a, &p), -1, "\"%s\": expected -1", bad[i]);
}

Test(eprt, both_families)
{
	char addr[64];
	int proto;
	uint16_t p;
	cr_assert_eq(fp_parse_eprt("|1|132.235.1.2|6275|", &proto, addr, sizeof addr, &p), 0);
	cr_assert_eq(proto, 1);
	cr_assert_str_eq(addr, "132.235.1.2");
	cr_assert_eq(p, 6275);
	cr_assert_eq(fp_parse_eprt("|2|::1|5282|", &proto, addr, sizeof addr, &p), 0);
	cr_assert_eq(proto, 2);
	cr_assert_str_eq(addr, "::1");
	static const char *const bad[] = { "|3|::1|5282|", "|1|::1|5282|", "|2|1.2.3.4|5282|",
					   "|1|1.2.3.4|0|", "|1|1.2.3.4|70000|", "|1|1.2.3.4|5282",
					   "1|1.2.3.4|5282|" };
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		cr_expect_eq(fp_parse_eprt(bad[i], &proto, addr, sizeof addr, &p), -1,
			     "\"%s\": expected -1", bad[i]);
}

/* ---- paths ---- */

Test(resolve, relative_absolute_and_dotdot)
{
	static const char *const cases[][3] = {
		{ "/", "a.txt", "/a.txt" },        { "/sub", "b.txt", "/sub/b.txt" },
		{ "/sub", "/a.txt", "/a.txt" },     { "/sub", "..", "/" },
		{ "/", "..", "/" },                 { "/", "../../etc/passwd", "/etc/passwd" },
		{ "/a/b", "../c/./d//e", "/a/c/d/e" }, { "/a", "", "/a" },
		{ "/a", ".", "/a" },                { "/", "x/", "/x" },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char out[FP_MAX_PATH];
		cr_assert_eq(fp_resolve(cases[i][0], cases[i][1], out, sizeof out), 0);
		cr_expect_str_eq(out, cases[i][2], "cwd %s, arg \"%s\": expected %s, got %s",
				 cases[i][0], cases[i][1], cases[i][2], out);
	}
}

Test(resolve, too_long)
{
	char out[8];
	cr_expect_eq(fp_resolve("/", "a-long-name", out, sizeof out), -1);
}

Test(quote, doubles_quotes)
{
	char out[64];
	cr_assert_eq(fp_quote_path("/q\"d", out, sizeof out), 0);
	cr_assert_str_eq(out, "\"/q\"\"d\"");
	cr_assert_eq(fp_quote_path("/", out, sizeof out), 0);
	cr_assert_str_eq(out, "\"/\"");
}

/* ---- commands ---- */

Test(command, split)
{
	char verb[8];
	const char *arg;
	cr_assert_eq(fp_split_command("retr a file.txt", verb, sizeof verb, &arg), 0);
	cr_assert_str_eq(verb, "RETR");
	cr_assert_str_eq(arg, "a file.txt");
	cr_assert_eq(fp_split_command("PWD", verb, sizeof verb, &arg), 0);
	cr_assert_str_eq(arg, "");
	cr_expect_eq(fp_split_command("", verb, sizeof verb, &arg), -1, "an empty line");
	cr_expect_eq(fp_split_command("ABCDEFGHIJ x", verb, sizeof verb, &arg), -1, "a long verb");
}
