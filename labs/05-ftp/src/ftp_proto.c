/* ftp_proto.c - lab 05: pure FTP helpers shared by ftp_server and ftp_client.
 *
 * Every function here works on bytes in memory: no sockets, no files. `make test` runs
 * tests/test_ftp_proto.c against them. The exact contract of each function is in
 * ftp_proto.h; write them in Step 2 of ../README.md. Until a function is written it returns
 * an error, so the tests fail. */
#define _POSIX_C_SOURCE 200809L

#include "ftp_proto.h"

#include <arpa/inet.h> /* inet_pton, for EPRT's address */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

long fp_reply_end(const char *buf, size_t n, int *code)
{
	/* TODO(lab05): Step 2. The first line: three digits, then ' ' (done at its LF) or '-'
	 * (then skip lines until one starts with the same three digits and a space). See
	 * "Replies that span lines" in README.md. */
	(void)buf, (void)n, (void)code;
	return -1;
}

int fp_parse_227(const char *text, uint8_t addr[4], uint16_t *port)
{
	/* TODO(lab05): Step 9. Find six comma-separated numbers 0..255 anywhere in text (with
	 * or without parentheses); the port is p1 * 256 + p2. */
	(void)text, (void)addr, (void)port;
	return -1;
}

int fp_parse_229(const char *text, uint16_t *port)
{
	/* TODO(lab05): Step 9. "(" then the same delimiter three times, the port, the
	 * delimiter, ")"; the delimiter is any character from '!' to '~'. */
	(void)text, (void)port;
	return -1;
}

int fp_parse_port(const char *arg, uint8_t addr[4], uint16_t *port)
{
	/* TODO(lab05): Step 4. Exactly six numbers 0..255 separated by commas, nothing else;
	 * a port of 0 is an error. */
	(void)arg, (void)addr, (void)port;
	return -1;
}

int fp_parse_eprt(const char *arg, int *proto, char *addr, size_t addrsz, uint16_t *port)
{
	/* TODO(lab05): Step 4. <d>1 or 2<d>address<d>port<d>: check the address with
	 * inet_pton of that family and the port 1..65535. See "IPv6 and EPSV". */
	(void)arg, (void)proto, (void)addr, (void)addrsz, (void)port;
	return -1;
}

int fp_format_port(const uint8_t addr[4], uint16_t port, char *out, size_t outsz)
{
	/* TODO(lab05): Step 9. "h1,h2,h3,h4,p1,p2" with snprintf. */
	(void)addr, (void)port, (void)out, (void)outsz;
	return -1;
}

int fp_resolve(const char *cwd, const char *arg, char *out, size_t outsz)
{
	/* TODO(lab05): Step 3. Start from "/" (absolute arg) or cwd, then walk arg's segments:
	 * skip "" and ".", pop one for "..", never above "/". See "Paths under ROOT". */
	(void)cwd, (void)arg, (void)out, (void)outsz;
	return -1;
}

int fp_quote_path(const char *path, char *out, size_t outsz)
{
	/* TODO(lab05): Step 3. '"' + path with every '"' doubled + '"'. */
	(void)path, (void)out, (void)outsz;
	return -1;
}

int fp_split_command(const char *line, char *verb, size_t verbsz, const char **arg)
{
	/* TODO(lab05): Step 2. The verb up to the first space, upper-cased (toupper); the
	 * argument is everything after that one space. */
	(void)line, (void)verb, (void)verbsz, (void)arg;
	return -1;
}
