/* chat_proto.c: the chat protocol's line rules (see chat_proto.h). */
#define _POSIX_C_SOURCE 200809L

#include "chat_proto.h"

#include <string.h>

enum chat_split chat_split(const char *buf, size_t len, size_t *line_len)
{
    const char *nl = memchr(buf, '\n', len);
    if (nl != NULL) {
        *line_len = (size_t)(nl - buf) + 1;
        /* Only reachable when the caller's buffer is larger than a line. */
        return *line_len > CHAT_LINE_MAX ? CHAT_TOO_LONG : CHAT_LINE;
    }
    /* A full line's worth of bytes without a newline can only grow into a longer line. */
    return len >= CHAT_LINE_MAX ? CHAT_TOO_LONG : CHAT_PARTIAL;
}

/* Whether line[0..len) is exactly `word`, or `word` followed by a space (then *rest is set). */
static bool has_verb(const char *line, size_t len, const char *word, bool with_arg,
                     const char **rest, size_t *rest_len)
{
    size_t w = strlen(word);
    if (len < w || memcmp(line, word, w) != 0)
        return false;
    if (!with_arg)
        return len == w;
    if (len == w || line[w] != ' ')
        return false;
    *rest = line + w + 1;
    *rest_len = len - w - 1;
    return true;
}

void chat_parse(const char *line, size_t len, struct chat_cmd *cmd)
{
    if (len > 0 && line[len - 1] == '\r')
        len--;

    cmd->arg = line + len;
    cmd->arg_len = 0;
    if (has_verb(line, len, "NICK", true, &cmd->arg, &cmd->arg_len))
        cmd->verb = CHAT_NICK;
    else if (has_verb(line, len, "MSG", true, &cmd->arg, &cmd->arg_len))
        cmd->verb = CHAT_MSG;
    else if (has_verb(line, len, "WHO", false, NULL, NULL))
        cmd->verb = CHAT_WHO;
    else if (has_verb(line, len, "QUIT", false, NULL, NULL))
        cmd->verb = CHAT_QUIT;
    else
        cmd->verb = CHAT_UNKNOWN;
}

bool chat_is_valid_name(const char *name, size_t len)
{
    if (len < 1 || len > CHAT_NAME_MAX)
        return false;
    for (size_t i = 0; i < len; i++) {
        char ch = name[i];
        bool ok = (ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') ||
                  (ch >= '0' && ch <= '9') || ch == '_' || ch == '-';
        if (!ok)
            return false;
    }
    return true;
}
