/* ftp_proto.h: pure FTP helpers shared by ftp_server and ftp_client (RFC 959, 2428, 1123).
 *
 * Everything here works on bytes in memory: no sockets, no files, no globals, so each
 * function can be unit-tested on its own (tests/test_ftp_proto.c). Text arguments are
 * NUL-terminated C strings without their CRLF unless a length is given.
 */
#ifndef FTP_PROTO_H
#define FTP_PROTO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A command line is at most this many bytes, not counting its CRLF (the lab's contract). */
#define FP_MAX_LINE 512
/* Longest virtual path the server keeps (its current directory, a resolved argument). */
#define FP_MAX_PATH 1024

/* The end of one whole reply at the start of buf[0..n) (RFC 959 section 4.2): a single line
 * "ddd text", or "ddd-text", any lines, and a last line starting with the same "ddd ".
 * Lines end with LF; a CR before it is not part of the line's text. Returns the number of
 * bytes the reply takes (its last LF included) and sets *code; 0 when the reply is not
 * complete yet; -1 when the first line is not three digits followed by ' ' or '-'. */
long fp_reply_end(const char *buf, size_t n, int *code);

/* The six numbers h1,h2,h3,h4,p1,p2 of a 227 reply's text, found wherever they are, with or
 * without parentheses (RFC 1123 section 4.1.2.6). Returns 0, or -1 when there are not six
 * numbers 0..255 separated by commas. */
int fp_parse_227(const char *text, uint8_t addr[4], uint16_t *port);

/* The port of a 229 reply's text "(<d><d><d>port<d>)", where <d> is any character from
 * '!' to '~' (RFC 2428 section 3). Returns 0, or -1. */
int fp_parse_229(const char *text, uint16_t *port);

/* The argument of PORT: "h1,h2,h3,h4,p1,p2" (RFC 959 section 4.1.2), each 0..255, the
 * port not 0. Returns 0, or -1. */
int fp_parse_port(const char *arg, uint8_t addr[4], uint16_t *port);

/* The argument of EPRT: "<d>proto<d>addr<d>port<d>" (RFC 2428 section 2), proto 1 (IPv4) or
 * 2 (IPv6), addr numeric and of that family, port 1..65535. Writes the family number into
 * *proto and the address as text into addr (addrsz >= 46). Returns 0, or -1. */
int fp_parse_eprt(const char *arg, int *proto, char *addr, size_t addrsz, uint16_t *port);

/* The argument of PORT for addr:port, "127,0,0,1,4,1" style, into out. */
int fp_format_port(const uint8_t addr[4], uint16_t port, char *out, size_t outsz);

/* Joins a command's path argument to the current directory and normalises it into an
 * absolute virtual path under the root: "." segments and empty ones go, ".." removes the
 * last segment and stays at "/" when there is none. cwd is absolute ("/", "/pub"). The
 * result never ends in '/' unless it is "/". Returns 0, or -1 when it does not fit. */
int fp_resolve(const char *cwd, const char *arg, char *out, size_t outsz);

/* A PWD/MKD reply's quoted path: "<path>" with every '"' inside doubled (RFC 959
 * appendix II), into out. Returns 0, or -1 when it does not fit. */
int fp_quote_path(const char *path, char *out, size_t outsz);

/* Splits a command line (without CRLF) into its verb, upper-cased, and its argument (what
 * follows the first space; "" when none). Returns 0, or -1 when the verb is empty or longer
 * than verbsz - 1 characters. */
int fp_split_command(const char *line, char *verb, size_t verbsz, const char **arg);

#endif
