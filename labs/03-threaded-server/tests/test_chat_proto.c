/* test_chat_proto.c: unit tests for the chat protocol's line helpers (src/chat_proto.c). */
#define _POSIX_C_SOURCE 200809L

#include <criterion/criterion.h>
#include <string.h>

#include "chat_proto.h"

static enum chat_split split(const char *s, size_t *line_len)
{
    return chat_split(s, strlen(s), line_len);
}

Test(chat_proto, split_waits_for_newline)
{
    size_t n = 99;
    cr_assert_eq(split("NICK al", &n), CHAT_PARTIAL, "\"NICK al\" has no newline: expected CHAT_PARTIAL");
    cr_assert_eq(chat_split("", 0, &n), CHAT_PARTIAL, "an empty buffer: expected CHAT_PARTIAL");
}

Test(chat_proto, split_finds_first_line)
{
    size_t n = 0;
    cr_assert_eq(split("WHO\nQUIT\n", &n), CHAT_LINE, "two lines: expected CHAT_LINE");
    cr_assert_eq(n, 4, "\"WHO\\nQUIT\\n\": first line length expected 4 (with its newline), got %zu", n);
}

Test(chat_proto, split_line_limit)
{
    char buf[CHAT_LINE_MAX + 1];
    size_t n = 0;

    memset(buf, 'x', sizeof buf);
    buf[CHAT_LINE_MAX - 1] = '\n';          /* exactly 512 bytes with the newline: allowed */
    cr_assert_eq(chat_split(buf, CHAT_LINE_MAX, &n), CHAT_LINE, "a 512-byte line is allowed");
    cr_assert_eq(n, CHAT_LINE_MAX, "expected line length %d, got %zu", CHAT_LINE_MAX, n);

    memset(buf, 'x', sizeof buf);           /* 512 bytes and still no newline: too long */
    cr_assert_eq(chat_split(buf, CHAT_LINE_MAX, &n), CHAT_TOO_LONG,
                 "512 bytes without a newline: expected CHAT_TOO_LONG");
    cr_assert_eq(chat_split(buf, CHAT_LINE_MAX - 1, &n), CHAT_PARTIAL,
                 "511 bytes without a newline: expected CHAT_PARTIAL");
}

Test(chat_proto, parse_commands)
{
    struct chat_cmd cmd;

    chat_parse("NICK alice", 10, &cmd);
    cr_assert_eq(cmd.verb, CHAT_NICK, "\"NICK alice\": expected CHAT_NICK");
    cr_assert(cmd.arg_len == 5 && memcmp(cmd.arg, "alice", 5) == 0, "\"NICK alice\": expected arg \"alice\"");

    chat_parse("MSG hello world", 15, &cmd);
    cr_assert_eq(cmd.verb, CHAT_MSG, "\"MSG hello world\": expected CHAT_MSG");
    cr_assert(cmd.arg_len == 11 && memcmp(cmd.arg, "hello world", 11) == 0,
              "\"MSG hello world\": expected arg \"hello world\"");

    chat_parse("WHO", 3, &cmd);
    cr_assert_eq(cmd.verb, CHAT_WHO, "\"WHO\": expected CHAT_WHO");
    chat_parse("QUIT", 4, &cmd);
    cr_assert_eq(cmd.verb, CHAT_QUIT, "\"QUIT\": expected CHAT_QUIT");
}

Test(chat_proto, parse_ignores_cr)
{
    struct chat_cmd cmd;

    chat_parse("QUIT\r", 5, &cmd);
    cr_assert_eq(cmd.verb, CHAT_QUIT, "\"QUIT\\r\": expected CHAT_QUIT");
    chat_parse("MSG hi\r", 7, &cmd);
    cr_assert(cmd.verb == CHAT_MSG && cmd.arg_len == 2, "\"MSG hi\\r\": expected CHAT_MSG with arg \"hi\"");
}

Test(chat_proto, parse_rejects_near_misses)
{
    const char *bad[] = { "", "who", "WHO ", "WHOM", "QUIT now", "NICK", "MSG", "MSGhi", "NICKbob" };
    struct chat_cmd cmd;

    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        chat_parse(bad[i], strlen(bad[i]), &cmd);
        cr_assert_eq(cmd.verb, CHAT_UNKNOWN, "\"%s\": expected CHAT_UNKNOWN, got %d", bad[i], cmd.verb);
    }
}

Test(chat_proto, names)
{
    cr_assert(chat_is_valid_name("a", 1), "\"a\" is a valid name");
    cr_assert(chat_is_valid_name("Az09_-", 6), "\"Az09_-\" is a valid name");
    cr_assert(chat_is_valid_name("abcdefghijklmnop", 16), "16 characters are allowed");
    cr_assert(!chat_is_valid_name("abcdefghijklmnopq", 17), "17 characters are too many");
    cr_assert(!chat_is_valid_name("", 0), "the empty name is invalid");
    cr_assert(!chat_is_valid_name("al ice", 6), "a space is not allowed in a name");
    cr_assert(!chat_is_valid_name("\xc3\xa9t\xc3\xa9", 6), "non-ASCII letters are not allowed");
}
