/* chat_proto.h: the chat protocol's line rules as pure functions (no sockets, no threads).
 *
 * Lines are at most CHAT_LINE_MAX bytes counting everything up to and including the '\n'
 * (a '\r' before it counts too, and is then dropped). Commands are case-sensitive:
 *   NICK <name>   name: 1..CHAT_NAME_MAX characters of A-Z a-z 0-9 _ -
 *   MSG <text>    text: everything after the first space, possibly empty
 *   WHO
 *   QUIT
 * Anything else is CHAT_UNKNOWN.
 */
#ifndef CHAT_PROTO_H
#define CHAT_PROTO_H

#include <stdbool.h>
#include <stddef.h>

#define CHAT_LINE_MAX 512
#define CHAT_NAME_MAX 16

enum chat_split {
    CHAT_PARTIAL,     /* no '\n' yet, and there is still room for one: read more */
    CHAT_LINE,        /* a whole line is at the front of the buffer */
    CHAT_TOO_LONG,    /* CHAT_LINE_MAX bytes and no '\n': the line breaks the limit */
};

enum chat_verb { CHAT_NICK, CHAT_MSG, CHAT_WHO, CHAT_QUIT, CHAT_UNKNOWN };

/* One parsed line. arg points into the caller's line; it is not NUL-terminated. */
struct chat_cmd {
    enum chat_verb verb;
    const char *arg;
    size_t arg_len;
};

/* Looks at the first len bytes of a receive buffer. On CHAT_LINE, *line_len is the line's
 * length including its '\n'. */
enum chat_split chat_split(const char *buf, size_t len, size_t *line_len);

/* Parses one line given without its '\n'; a '\r' at its end is ignored. */
void chat_parse(const char *line, size_t len, struct chat_cmd *cmd);

/* Whether name[0..len) is a valid nickname. */
bool chat_is_valid_name(const char *name, size_t len);

#endif
