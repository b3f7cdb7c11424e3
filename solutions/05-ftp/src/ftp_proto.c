/* ftp_proto.c: pure FTP helpers shared by ftp_server and ftp_client (see ftp_proto.h). */
#define _POSIX_C_SOURCE 200809L

#include "ftp_proto.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <stdio.h>
#include <string.h>

static bool is_code_line(const char *p, size_t n)
{
	return n >= 4 && isdigit((unsigned char)p[0]) && isdigit((unsigned char)p[1]) &&
	       isdigit((unsigned char)p[2]) && (p[3] == ' ' || p[3] == '-');
}

long fp_reply_end(const char *buf, size_t n, int *code)
{
	const char *lf = memchr(buf, '\n', n);
	if (lf == NULL) {
		/* Reject garbage as soon as the first bytes show it is not a reply. */
		for (size_t i = 0; i < n && i < 4; i++) {
			char ch = buf[i];
			bool ok = i < 3 ? isdigit((unsigned char)ch) != 0 : (ch == ' ' || ch == '-');
			if (!ok)
				return -1;
		}
		return 0;
	}
	size_t first = (size_t)(lf - buf);
	if (first > 0 && buf[first - 1] == '\r')
		first--;
	/* "200" alone on a line is taken as "200 " with no text. */
	bool bare = first == 3 && isdigit((unsigned char)buf[0]) && isdigit((unsigned char)buf[1]) &&
		    isdigit((unsigned char)buf[2]);
	if (!bare && !is_code_line(buf, first))
		return -1;
	*code = (buf[0] - '0') * 100 + (buf[1] - '0') * 10 + (buf[2] - '0');
	if (first == 3 || buf[3] == ' ')
		return (long)(lf - buf) + 1;

	/* Multi-line: any lines until one that starts with the same code and a space. */
	size_t pos = (size_t)(lf - buf) + 1;
	while (pos < n) {
		const char *next = memchr(buf + pos, '\n', n - pos);
		if (next == NULL)
			return 0;
		size_t len = (size_t)(next - (buf + pos));
		if (len >= 4 && memcmp(buf + pos, buf, 3) == 0 && buf[pos + 3] == ' ')
			return (long)(next - buf) + 1;
		pos = (size_t)(next - buf) + 1;
	}
	return 0;
}

/* Reads a decimal number 0..max at *p, moving *p past it. */
static int read_num(const char **p, unsigned long max, unsigned long *out)
{
	const char *s = *p;
	unsigned long v = 0;
	size_t digits = 0;

	while (isdigit((unsigned char)*s)) {
		v = v * 10 + (unsigned long)(*s - '0');
		if (v > max || ++digits > 5)
			return -1;
		s++;
	}
	if (digits == 0)
		return -1;
	*p = s;
	*out = v;
	return 0;
}

/* Six comma-separated numbers 0..255 starting exactly at s. */
static int six_numbers(const char *s, unsigned long v[6])
{
	for (int i = 0; i < 6; i++) {
		if (read_num(&s, 255, &v[i]) < 0)
			return -1;
		if (i < 5 && *s++ != ',')
			return -1;
	}
	/* A seventh number would mean these six were not the ones. */
	if (*s == ',' || isdigit((unsigned char)*s))
		return -1;
	return 0;
}

int fp_parse_227(const char *text, uint8_t addr[4], uint16_t *port)
{
	unsigned long v[6];

	for (const char *s = text; *s; s++) {
		/* A start of six numbers: a digit not preceded by a digit or a comma. */
		bool after = s > text && (isdigit((unsigned char)s[-1]) || s[-1] == ',');
		if (!isdigit((unsigned char)*s) || after)
			continue;
		if (six_numbers(s, v) == 0) {
			for (int i = 0; i < 4; i++)
				addr[i] = (uint8_t)v[i];
			*port = (uint16_t)(v[4] * 256 + v[5]);
			return 0;
		}
	}
	return -1;
}

int fp_parse_229(const char *text, uint16_t *port)
{
	const char *open = strchr(text, '(');
	unsigned long v;

	if (open == NULL)
		return -1;
	char d = open[1];
	if (d < '!' || d > '~' || open[2] != d || open[3] != d)
		return -1;
	const char *s = open + 4;
	if (read_num(&s, 65535, &v) < 0 || v == 0 || s[0] != d || s[1] != ')')
		return -1;
	*port = (uint16_t)v;
	return 0;
}

int fp_parse_port(const char *arg, uint8_t addr[4], uint16_t *port)
{
	unsigned long v[6];

	if (six_numbers(arg, v) < 0)
		return -1;
	const char *end = arg + strlen(arg);
	while (end > arg && end[-1] == ' ')
		end--;
	/* Nothing but the six numbers (six_numbers stopped at the first other byte). */
	const char *s = arg;
	for (int commas = 0; s < end; s++)
		if (!isdigit((unsigned char)*s) && (*s != ',' || ++commas > 5))
			return -1;
	uint16_t p = (uint16_t)(v[4] * 256 + v[5]);
	if (p == 0)
		return -1;
	for (int i = 0; i < 4; i++)
		addr[i] = (uint8_t)v[i];
	*port = p;
	return 0;
}

int fp_parse_eprt(const char *arg, int *proto, char *addr, size_t addrsz, uint16_t *port)
{
	char d = arg[0];
	unsigned long fam, v;
	const char *s = arg + 1;

	if (d < '!' || d > '~' || isdigit((unsigned char)d))
		return -1;
	if (read_num(&s, 2, &fam) < 0 || (fam != 1 && fam != 2) || *s++ != d)
		return -1;
	const char *a = s, *a_end = strchr(s, d);
	if (a_end == NULL || a_end == a || (size_t)(a_end - a) >= addrsz || a_end - a > 45)
		return -1;
	char text[46];
	memcpy(text, a, (size_t)(a_end - a));
	text[a_end - a] = '\0';
	unsigned char bin[16];
	if (inet_pton(fam == 1 ? AF_INET : AF_INET6, text, bin) != 1)
		return -1;
	s = a_end + 1;
	if (read_num(&s, 65535, &v) < 0 || v == 0 || s[0] != d || s[1] != '\0')
		return -1;
	*proto = (int)fam;
	strcpy(addr, text);
	*port = (uint16_t)v;
	return 0;
}

int fp_format_port(const uint8_t addr[4], uint16_t port, char *out, size_t outsz)
{
	int n = snprintf(out, outsz, "%u,%u,%u,%u,%u,%u", addr[0], addr[1], addr[2], addr[3],
			 port >> 8, port & 0xff);
	return n < 0 || (size_t)n >= outsz ? -1 : 0;
}

int fp_resolve(const char *cwd, const char *arg, char *out, size_t outsz)
{
	char work[2 * FP_MAX_PATH + 2];
	size_t len = 0;

	if (outsz < 2)
		return -1;
	/* An absolute argument starts from the root, a relative one from cwd. */
	int n = arg[0] == '/' ? snprintf(work, sizeof work, "%s", arg)
			      : snprintf(work, sizeof work, "%s/%s", cwd, arg);
	if (n < 0 || (size_t)n >= sizeof work)
		return -1;

	out[0] = '\0';
	for (char *save = NULL, *seg = strtok_r(work, "/", &save); seg;
	     seg = strtok_r(NULL, "/", &save)) {
		if (strcmp(seg, ".") == 0)
			continue;
		if (strcmp(seg, "..") == 0) {
			/* Back to the previous '/', and never above the root. */
			while (len > 0 && out[len - 1] != '/')
				len--;
			if (len > 0)
				len--;
			out[len] = '\0';
			continue;
		}
		size_t k = strlen(seg);
		if (len + 1 + k + 1 > outsz)
			return -1;
		out[len++] = '/';
		memcpy(out + len, seg, k);
		len += k;
		out[len] = '\0';
	}
	if (len == 0)
		strcpy(out, "/");
	return 0;
}

int fp_quote_path(const char *path, char *out, size_t outsz)
{
	size_t o = 0;

	if (outsz < 3)
		return -1;
	out[o++] = '"';
	for (const char *p = path; *p; p++) {
		size_t need = *p == '"' ? 2 : 1;
		if (o + need + 2 > outsz)
			return -1;
		out[o++] = *p;
		if (*p == '"')
			out[o++] = '"';
	}
	out[o++] = '"';
	out[o] = '\0';
	return 0;
}

int fp_split_command(const char *line, char *verb, size_t verbsz, const char **arg)
{
	size_t n = 0;
	const char *p = line;

	while (*p && *p != ' ') {
		if (n + 1 >= verbsz)
			return -1;
		verb[n++] = (char)toupper((unsigned char)*p++);
	}
	verb[n] = '\0';
	if (n == 0)
		return -1;
	*arg = *p == ' ' ? p + 1 : p;
	return 0;
}
