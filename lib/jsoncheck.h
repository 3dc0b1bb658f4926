/*
 * jsoncheck.h — strict RFC 8259 validation, run before cJSON parses.
 *
 * cJSON is lenient: it accepts leading zeros, "2.", raw control
 * characters and invalid UTF-8 in strings, duplicate keys and trailing
 * junk, and turns 1e999 into null.  Text that passes crm_json_check has
 * none of these, so whatever cJSON then builds is what the text says.
 */
#ifndef CRM_JSONCHECK_H
#define CRM_JSONCHECK_H

#include <stddef.h>

/* Deepest nesting of arrays and objects crm_json_check accepts. */
#define CRM_JSON_MAXDEPTH 512

/*
 * Checks that p[0..len) is exactly one JSON value (RFC 8259), with
 * optional whitespace (space, tab, LF, CR) around it.  p need not be
 * NUL-terminated and is never written to.  Beyond the grammar it
 * rejects:
 *   - a NUL byte anywhere, and invalid UTF-8 (crm_utf8_check) in strings;
 *   - unpaired or misordered \u surrogate escapes;
 *   - numbers whose magnitude overflows a double (1e999, -1e400;
 *     underflow such as 1e-999 is accepted);
 *   - nesting deeper than CRM_JSON_MAXDEPTH;
 *   - two equal keys in one object, compared after decoding escapes
 *     ("a" and "\u0061" are the same key).
 * A byte-order mark is not whitespace and is rejected.  "\u0000" is
 * valid JSON and is accepted; code that keeps strings as C strings
 * must expect it.
 *
 * Returns 0 when the text is valid.  Otherwise returns CRM_EDATA with a
 * detail for crm_errdetail() such as "invalid JSON: leading zero in
 * number" or "invalid JSON: duplicate key \"email\"", and sets *line and
 * *col (either may be NULL) to the 1-based position of the fault: line
 * counts LF characters, col counts code points from the start of the
 * line.  Returns ENOMEM if memory for duplicate-key detection runs out
 * (then *line and *col are 0).  On success *line and *col are left
 * alone and the error detail is not touched.
 *
 * Allocates only for objects with many keys or long keys, and frees
 * everything before returning.  Uses about 8 KiB of stack.
 */
int crm_json_check(const char *p, size_t len, size_t *line, size_t *col);

#endif
