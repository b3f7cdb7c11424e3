/* test_esc.c - escaped previews and first-difference offsets. */
#include <criterion/criterion.h>
#include <string.h>

#include "esc.h"

Test(esc, printable_and_named_escapes)
{
	char out[64];
	cr_assert_str_eq(esc_bytes("HI Ada\n", 7, 32, out, sizeof out), "\"HI Ada\\n\"",
			 "text with newline: expected \"HI Ada\\n\" quoted, got %s", out);
	cr_assert_str_eq(esc_bytes("a\tb\rc\\d\"e", 9, 32, out, sizeof out), "\"a\\tb\\rc\\\\d\\\"e\"",
			 "tab, CR, backslash, quote: got %s", out);
	cr_assert_str_eq(esc_bytes("", 0, 32, out, sizeof out), "\"\"", "empty input: expected \"\", got %s", out);
}

Test(esc, hex_for_other_bytes)
{
	char out[64];
	const unsigned char b[] = { 0x00, 0xff, 0x7f, 0x1b, 'A' };
	cr_assert_str_eq(esc_bytes(b, sizeof b, 32, out, sizeof out), "\"\\x00\\xff\\x7f\\x1bA\"",
			 "binary bytes: expected hex escapes, got %s", out);
}

Test(esc, max_adds_ellipsis)
{
	char out[64];
	cr_assert_str_eq(esc_bytes("abcdef", 6, 3, out, sizeof out), "\"abc\"...",
			 "6 bytes, max 3: expected \"abc\"..., got %s", out);
	cr_assert_str_eq(esc_bytes("abc", 3, 3, out, sizeof out), "\"abc\"",
			 "3 bytes, max 3: expected no ellipsis, got %s", out);
	cr_assert_str_eq(esc_bytes("abc", 3, 0, out, sizeof out), "\"\"...",
			 "max 0: expected \"\"..., got %s", out);
}

Test(esc, bounded_by_outsz)
{
	const unsigned char b[] = "\x01\x02hello world\n\xfe";
	char full[128];
	esc_bytes(b, sizeof b - 1, 100, full, sizeof full);
	for (size_t sz = 1; sz <= strlen(full) + 2; sz++) {
		char out[128];
		memset(out, 'Z', sizeof out);
		char *r = esc_bytes(b, sizeof b - 1, 100, out, sz);
		cr_assert_eq(r, out, "outsz %zu: returns out", sz);
		size_t n = strnlen(out, sizeof out);
		cr_assert_lt(n, sz, "outsz %zu: expected a NUL within the buffer, got length %zu", sz, n);
		cr_assert_eq(out[sz], 'Z', "outsz %zu: wrote past the buffer", sz);
		if (sz > strlen(full))
			cr_assert_str_eq(out, full, "outsz %zu: room for all, expected %s, got %s", sz, full, out);
		else if (sz >= 7)
			cr_assert(strcmp(out + n - 4, "\"...") == 0,
				  "outsz %zu: a cut preview ends with \"..., got %s", sz, out);
	}
	char one = 'Z';
	esc_bytes("x", 1, 4, &one, 0);
	cr_assert_eq(one, 'Z', "outsz 0: nothing written");
}

Test(esc, first_diff)
{
	cr_assert_eq(esc_first_diff("abc", 3, "abc", 3), (size_t)-1, "equal: expected (size_t)-1");
	cr_assert_eq(esc_first_diff("abc", 3, "abd", 3), 2, "differ at 2: got %zu",
		     esc_first_diff("abc", 3, "abd", 3));
	cr_assert_eq(esc_first_diff("ab", 2, "abc", 3), 2, "prefix: expected 2, got %zu",
		     esc_first_diff("ab", 2, "abc", 3));
	cr_assert_eq(esc_first_diff("abc", 3, "", 0), 0, "empty second: expected 0");
	cr_assert_eq(esc_first_diff("", 0, "", 0), (size_t)-1, "both empty: equal");
}
