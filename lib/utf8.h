/*
 * utf8.h — UTF-8 validation and terminal display width.
 *
 * All functions take a pointer and a byte length; the text need not be
 * NUL-terminated and is never written to.  None of them allocate.
 */
#ifndef CRM_UTF8_H
#define CRM_UTF8_H

#include <stddef.h>

/*
 * Checks that s[0..len) is well-formed UTF-8 as RFC 3629 defines it (no
 * overlong forms, no surrogates U+D800..U+DFFF, nothing above U+10FFFF,
 * no truncated sequence, no stray continuation byte) and holds no NUL
 * byte.
 *
 * Returns 0 when it is.  Otherwise returns CRM_EDATA and, when bad is not
 * NULL, sets *bad to the byte offset where the first offending sequence
 * starts: s[0..*bad) is the longest valid prefix.  On success *bad is
 * left alone.  Records no error detail: the caller knows what the bytes
 * were (a field, a file) and says so itself.
 *
 * Pure ASCII is checked eight bytes at a time, so this is cheap enough
 * to run over every byte of an import.
 */
int crm_utf8_check(const char *s, size_t len, size_t *bad);

/*
 * Returns the number of terminal columns s[0..len) occupies: 2 for East
 * Asian Wide and Fullwidth code points (CJK, Hangul syllables, kana,
 * fullwidth forms, emoji with emoji presentation), 0 for combining
 * marks, format and zero-width characters (U+0300..U+036F,
 * U+200B..U+200F, variation selectors U+FE00..U+FE0F, ...) and control
 * characters (C0, DEL, C1), 1 for everything else.  The tables follow
 * Unicode 14.0.
 *
 * Meant for valid UTF-8 (see crm_utf8_check); should s hold an invalid
 * sequence anyway, each offending byte counts as one column, as the
 * U+FFFD a terminal would draw for it.  Never reads past s + len.
 */
size_t crm_utf8_width(const char *s, size_t len);

/*
 * Returns the byte length of the longest prefix of s[0..len) whose
 * display width (as crm_utf8_width counts it) is at most cols.  The
 * prefix never ends inside a code point, and it takes any zero-width
 * code points that follow the last one that fits, so "e" plus a
 * combining accent is kept or dropped as a whole when it ends the cell.
 * An invalid byte is a one-byte, one-column unit, as in crm_utf8_width.
 */
size_t crm_utf8_prefix(const char *s, size_t len, size_t cols);

#endif
