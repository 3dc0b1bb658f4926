/*
 * input.h — streaming readers for records on stdin or in a file: CSV
 * with a header row, TSV, a JSON array of objects, NDJSON, or bare ids
 * one per line (what `-f ids` prints).  The format is detected from the
 * first bytes unless given: '[' JSON, '{' NDJSON, a first line of
 * digits or a reference (ext:E1, email:a@b.c) ids, a tab-separated first line without commas TSV, else CSV.
 *
 * Empty input is no rows, not an error, so `list -f ids | tool tag -`
 * does nothing when nothing matched.
 *
 * Each row is a list of (key, value) text pairs with the line it
 * started on.  Values are UTF-8 checked; CSV rows must have as many
 * fields as the header; JSON must pass the strict checker (cJSON alone
 * is lenient) and numbers are kept as their exact text, never a double.
 * Memory is bounded by the largest row, not the input.
 */
#ifndef CRM_INPUT_H
#define CRM_INPUT_H

#include <stddef.h>
#include <stdio.h>

enum crm_infmt { CRM_IN_AUTO, CRM_IN_CSV, CRM_IN_TSV, CRM_IN_JSON,
	CRM_IN_NDJSON, CRM_IN_IDS };

extern const char *const crm_infmt_names[];	/* "auto", "csv", … */
int crm_infmt_parse(const char *s, enum crm_infmt *fmt);

struct crm_row {
	size_t line;		/* 1-based line where the row starts */
	size_t n;
	const char **keys;	/* borrowed: valid until the next row */
	const char **vals;
	size_t *lens;
	unsigned keygen;	/* changes when keys may differ from the last
				 * row's (every JSON row; never for CSV/TSV) */
};

struct crm_reader;

/* A reader on fp (not owned; not closed). */
int crm_reader_new(struct crm_reader **r, FILE *fp, enum crm_infmt fmt);
/*
 * The next row: 0 and *row, CRM_ENOTFOUND at the end, or CRM_EDATA with
 * a detail naming the problem (and crm_reader_line() its line).
 */
int crm_reader_next(struct crm_reader *r, const struct crm_row **row);
/* Line of the last error or row. */
size_t crm_reader_line(const struct crm_reader *r);
/*
 * True after an error that ends the input (malformed quoting, a broken
 * JSON array, a bad header); false after a bad row (wrong width, bad
 * UTF-8, an invalid JSON record), when the next call reads on.
 */
int crm_reader_failed(const struct crm_reader *r);
/* After a bad row of the wrong width: its fields as read (borrowed),
 * for a reject file; else NULL. */
const struct crm_row *crm_reader_badrow(const struct crm_reader *r);
/*
 * Hands the bytes of the row (or bad row) last returned over to b,
 * whose old memory the reader keeps for later rows: the row's vals, and
 * the keys of a JSON record, then stay valid past the next
 * crm_reader_next, until b is changed.  CSV and TSV keys stay the
 * reader's (valid until crm_reader_free).  Returns 0, or CRM_ENOTFOUND
 * when there is no row to hand over.  A reader on a pipeline of slots
 * takes rows instead of copying them.
 */
struct crm_buf;
int crm_reader_take(struct crm_reader *r, struct crm_buf *b);
/* Format in use (after detection). */
enum crm_infmt crm_reader_format(const struct crm_reader *r);
void crm_reader_free(struct crm_reader *r);

#define CRM_MAX_FIELD_BYTES (16u << 20)	/* a larger field is refused */

#endif
