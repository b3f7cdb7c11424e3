/* ftpmsg.c - FTP replies and commands read from untrusted bytes (see ftpmsg.h). */
#include "ftpmsg.h"

#include <arpa/inet.h>
#include <string.h>

static bool is_digit(char ch) { return ch >= '0' && ch <= '9'; }

/* The end of the line starting at p (the LF's offset from p), or -1. */
static ssize_t line_end(const char *p, size_t n)
{
	if (n == 0)
		return -1;
	const char *lf = memchr(p, '\n', n);
	return lf ? lf - p : -1;
}

ssize_t ftpmsg_reply(const void *buf, size_t len, struct ftpmsg_reply *r)
{
	const char *b = buf;

	memset(r, 0, sizeof *r);
	/* The first four bytes decide whether this can be a reply at all. */
	for (size_t i = 0; i < len && i < 4; i++) {
		bool ok = i < 3 ? is_digit(b[i]) : (b[i] == ' ' || b[i] == '-' || b[i] == '\r' ||
						      b[i] == '\n');
		if (!ok)
			return FTPMSG_BAD;
	}
	ssize_t e = line_end(b, len);
	if (e < 0)
		return FTPMSG_INCOMPLETE;
	size_t first = (size_t)e, l = first;
	if (l > 0 && b[l - 1] == '\r')
		l--;
	else
		r->bare_lf++;
	if (l < 3 || (l > 3 && b[3] != ' ' && b[3] != '-') || memchr(b, '\0', l))
		return FTPMSG_BAD;
	r->code = (b[0] - '0') * 100 + (b[1] - '0') * 10 + (b[2] - '0');
	r->multi = l > 3 && b[3] == '-';
	r->text = l > 3 ? b + 4 : b + 3;
	r->text_len = l > 3 ? l - 4 : 0;
	r->first_len = l;
	r->nlines = 1;
	if (!r->multi)
		return (ssize_t)first + 1;

	size_t pos = first + 1;
	for (;;) {
		if (pos >= len)
			return FTPMSG_INCOMPLETE;
		e = line_end(b + pos, len - pos);
		if (e < 0)
			return len > pos && memchr(b + pos, '\0', len - pos) ? FTPMSG_BAD
									: FTPMSG_INCOMPLETE;
		size_t n = (size_t)e;
		if (memchr(b + pos, '\0', n))
			return FTPMSG_BAD;
		r->nlines++;
		if (n == 0 || b[pos + n - 1] != '\r')
			r->bare_lf++;
		if (n >= 4 && memcmp(b + pos, b, 3) == 0 && b[pos + 3] == ' ')
			return (ssize_t)(pos + n + 1);
		pos += n + 1;
	}
}

ssize_t ftpmsg_command(const void *buf, size_t len, struct ftpmsg_cmd *c)
{
	const char *b = buf;
	size_t v = 0;

	memset(c, 0, sizeof *c);
	c->arg = "";
	while (v < len && b[v] != ' ' && b[v] != '\r' && b[v] != '\n') {
		char ch = b[v];
		if (ch >= 'a' && ch <= 'z')
			ch = (char)(ch - 'a' + 'A');
		if (ch < 'A' || ch > 'Z' || v + 1 >= sizeof c->verb)
			return FTPMSG_BAD;
		c->verb[v++] = ch;
	}
	ssize_t e = line_end(b, len < FTPMSG_MAX_LINE + 2 ? len : FTPMSG_MAX_LINE + 2);
	if (e < 0)
		return len > FTPMSG_MAX_LINE + 1 ? FTPMSG_BAD : FTPMSG_INCOMPLETE;
	if (v == 0)
		return FTPMSG_BAD;
	size_t l = (size_t)e;
	if (l > 0 && b[l - 1] == '\r')
		l--;
	else
		c->bare_lf = true;
	if (v < l) {
		if (b[v] != ' ')
			return FTPMSG_BAD;
		c->arg = b + v + 1;
		c->arg_len = l - v - 1;
	}
	return e + 1;
}

/* A decimal number 0..max at *p (at most 5 digits), moving *p. */
static int num(const char **p, unsigned long max, unsigned long *out)
{
	const char *s = *p;
	unsigned long v = 0;
	int k = 0;

	while (is_digit(*s) && k < 6) {
		v = v * 10 + (unsigned long)(*s++ - '0');
		k++;
	}
	if (k == 0 || k > 5 || v > max)
		return -1;
	*p = s;
	*out = v;
	return 0;
}

static int six(const char *s, unsigned long v[6], const char **end)
{
	for (int i = 0; i < 6; i++) {
		if (num(&s, 255, &v[i]) < 0)
			return -1;
		if (i < 5 && *s++ != ',')
			return -1;
	}
	*end = s;
	return 0;
}

int ftpmsg_parse_227(const char *text, uint8_t addr[4], uint16_t *port)
{
	unsigned long v[6];
	const char *end;

	for (const char *s = text; *s; s++) {
		if (!is_digit(*s) || (s > text && (is_digit(s[-1]) || s[-1] == ',')))
			continue;
		if (six(s, v, &end) == 0 && *end != ',' && !is_digit(*end)) {
			for (int i = 0; i < 4; i++)
				addr[i] = (uint8_t)v[i];
			*port = (uint16_t)(v[4] << 8 | v[5]);
			return 0;
		}
	}
	return -1;
}

int ftpmsg_parse_229(const char *text, uint16_t *port)
{
	const char *o = strchr(text, '(');
	unsigned long v;

	if (!o)
		return -1;
	char d = o[1];
	if (d < '!' || d > '~' || is_digit(d) || o[2] != d || o[3] != d)
		return -1;
	const char *s = o + 4;
	if (num(&s, 65535, &v) < 0 || s[0] != d || s[1] != ')')
		return -1;
	*port = (uint16_t)v;
	return 0;
}

int ftpmsg_parse_port(const char *arg, uint8_t addr[4], uint16_t *port)
{
	unsigned long v[6];
	const char *end;

	if (six(arg, v, &end) < 0 || *end != '\0')
		return -1;
	for (int i = 0; i < 4; i++)
		addr[i] = (uint8_t)v[i];
	*port = (uint16_t)(v[4] << 8 | v[5]);
	return 0;
}

int ftpmsg_parse_eprt(const char *arg, int *family, char *addr, size_t addrsz, uint16_t *port)
{
	char d = arg[0], text[46];
	unsigned long f, v;
	unsigned char bin[16];

	if (d < '!' || d > '~' || is_digit(d) || addrsz < sizeof text)
		return -1;
	const char *s = arg + 1;
	if (num(&s, 2, &f) < 0 || f == 0 || *s++ != d)
		return -1;
	const char *a = s, *ae = strchr(a, d);
	if (!ae || ae == a || (size_t)(ae - a) >= sizeof text)
		return -1;
	memcpy(text, a, (size_t)(ae - a));
	text[ae - a] = '\0';
	if (inet_pton(f == 1 ? AF_INET : AF_INET6, text, bin) != 1)
		return -1;
	s = ae + 1;
	if (num(&s, 65535, &v) < 0 || s[0] != d || s[1] != '\0')
		return -1;
	*family = (int)f;
	memcpy(addr, text, strlen(text) + 1);
	*port = (uint16_t)v;
	return 0;
}
