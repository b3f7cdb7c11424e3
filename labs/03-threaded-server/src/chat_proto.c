/* chat_proto.c: the chat protocol's line rules (see chat_proto.h). */
#define _POSIX_C_SOURCE 200809L

#include "chat_proto.h"

#include <string.h>

enum chat_split chat_split(const char *buf, size_t len, size_t *line_len)
{
    /* TODO(lab03): memchr() for '\n'; a line ends there, *line_len counts the '\n'; no '\n'
     * in CHAT_LINE_MAX bytes means the line is too long (README.md, "Reading lines"). */
    (void)buf;
    (void)len;
    *line_len = 0;
    return CHAT_PARTIAL;
}

void chat_parse(const char *line, size_t len, struct chat_cmd *cmd)
{
    /* TODO(lab03): drop a '\r' at the end, then recognise "NICK <name>", "MSG <text>", "WHO"
     * and "QUIT" exactly; point cmd->arg at what follows the space
     * (README.md, "The contract"). */
    (void)line;
    (void)len;
    cmd->verb = CHAT_UNKNOWN;
    cmd->arg = NULL;
    cmd->arg_len = 0;
}

bool chat_is_valid_name(const char *name, size_t len)
{
    /* TODO(lab03): 1 to CHAT_NAME_MAX characters of A-Z a-z 0-9 _ - (README.md, "The contract"). */
    (void)name;
    (void)len;
    return false;
}
