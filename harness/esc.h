/* esc.h - printable previews of untrusted bytes: C-style escapes, bounded output. */
#ifndef WIRELAB_ESC_H
#define WIRELAB_ESC_H

#include <stddef.h>
#include <stdint.h>

/* Write at most max input bytes of p as a double-quoted C string ("HI Ada\n", "\x00\xff")
 * into out (always NUL-terminated, never more than outsz bytes). Adds "..." after the
 * closing quote when n > max. Returns out. */
char *esc_bytes(const void *p, size_t n, size_t max, char *out, size_t outsz);

/* Copy n bytes of text into out (always NUL-terminated, at most outsz bytes, cut at a
 * character boundary) so that any report format can hold it: valid UTF-8 sequences and
 * newlines and tabs pass, any other byte below 0x20, DEL, C1 controls, and every byte of an
 * invalid or overlong sequence becomes a visible \xNN. Returns the length written. */
size_t esc_text(const char *in, size_t n, char *out, size_t outsz);

/* Offset of the first byte where a and b differ, or min(na, nb) when one is a prefix of
 * the other; returns (size_t)-1 when they are equal. */
size_t esc_first_diff(const void *a, size_t na, const void *b, size_t nb);

#endif
