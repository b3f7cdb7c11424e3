/* ftpmsg.h - a reader of FTP replies and commands in a byte stream, for judging the bytes
 * students' programs send (RFC 959 section 4.2, RFC 2428, RFC 1123 section 4.1.2.6).
 *
 * The contract, whole:
 *   ftpmsg_reply(buf, len, r) reads one reply starting at buf[0]: a line "ddd text" or
 *   "ddd-text", then for a multi-line reply any lines (which may start with digits or
 *   spaces) up to the first line that starts with the same three digits and a space
 *   (RFC 959 section 4.2). Lines end with LF; a CR just before it is not text (a bare LF
 *   is accepted and counted in r->bare_lf). A first line of exactly three digits is taken
 *   as "ddd " with no text.
 *   - Returns the length of the whole reply (> 0, its last LF included): the next reply
 *     starts at buf[ret]. FTPMSG_INCOMPLETE when buf[0..len) is a proper prefix of a
 *     reply that may still be valid. FTPMSG_BAD when the first line cannot start a reply
 *     (three digits then ' ', '-' or the end of the line), or a line holds a NUL.
 *   - Never reads outside buf[0..len), never allocates; pointers in *r point into buf.
 *   ftpmsg_command(buf, len, c) reads one command line: the verb (letters, upper-cased
 *   into c->verb, at most 4 + 4 characters), then nothing or one space and the argument
 *   up to CRLF or LF. Returns the line's length with its end, FTPMSG_INCOMPLETE, or
 *   FTPMSG_BAD (no verb, a verb that is not letters, a line over FTPMSG_MAX_LINE bytes).
 *   The address parsers take NUL-terminated text and return 0 or -1. */
#ifndef WIRELAB_FTPMSG_H
#define WIRELAB_FTPMSG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define FTPMSG_BAD        (-1)
#define FTPMSG_INCOMPLETE (-2)
#define FTPMSG_MAX_LINE   4096

struct ftpmsg_reply {
	int code;                 /* 100..599 as sent (any three digits) */
	bool multi;               /* "ddd-" first line */
	const char *text;         /* the first line's text (after "ddd " / "ddd-") */
	size_t text_len;
	size_t first_len;         /* the first line without its line end */
	size_t nlines;            /* lines in the reply, first and last included */
	size_t bare_lf;           /* lines ended by LF without CR */
};

struct ftpmsg_cmd {
	char verb[9];             /* upper-cased */
	const char *arg;          /* after the one space; "" (len 0) when none */
	size_t arg_len;
	bool bare_lf;
};

ssize_t ftpmsg_reply(const void *buf, size_t len, struct ftpmsg_reply *r);
ssize_t ftpmsg_command(const void *buf, size_t len, struct ftpmsg_cmd *c);

/* The six numbers of a 227 text anywhere in it, with or without parentheses. */
int ftpmsg_parse_227(const char *text, uint8_t addr[4], uint16_t *port);
/* "(<d><d><d>port<d>)" with any delimiter '!'..'~' (RFC 2428 section 3). */
int ftpmsg_parse_229(const char *text, uint16_t *port);
/* PORT's argument "h1,h2,h3,h4,p1,p2": each 0..255. */
int ftpmsg_parse_port(const char *arg, uint8_t addr[4], uint16_t *port);
/* EPRT's argument "<d>1|2<d>addr<d>port<d>": family 1 or 2, a numeric address of it
 * (into addr, addrsz >= 46), a port 0..65535. */
int ftpmsg_parse_eprt(const char *arg, int *family, char *addr, size_t addrsz, uint16_t *port);

#endif
