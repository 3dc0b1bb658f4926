/*
 * output.h — the writers every tool prints with: table, CSV, TSV, JSON,
 * NDJSON and ids.  A writer is given its columns once, then rows of
 * text; the column kind says how JSON types a value (number, boolean,
 * tag array, string) and how a table aligns it.
 *
 * CSV is RFC 4180 with a header row, quoting only where needed, "\n"
 * line ends.  TSV escapes \t \n \r \\ as two characters.  --excel
 * (CRM_OUT_EXCEL) prefixes a cell that starts with = + - @ tab or CR
 * (or their full-width forms) with ' so a spreadsheet does not run it
 * (OWASP CSV injection); plain numbers are left alone.  Tables align
 * double-width text and never truncate; NO_COLOR is the caller's to
 * honour through CRM_OUT_COLOR.
 */
#ifndef CRM_OUTPUT_H
#define CRM_OUTPUT_H

#include <stddef.h>
#include <stdio.h>

#include "record.h"

enum crm_fmt { CRM_FMT_TABLE, CRM_FMT_CSV, CRM_FMT_TSV, CRM_FMT_JSON,
	CRM_FMT_NDJSON, CRM_FMT_IDS };

enum crm_kind { CRM_K_STR, CRM_K_NUM, CRM_K_MONEY, CRM_K_BOOL, CRM_K_TAGS };

enum {
	CRM_OUT_EXCEL = 1 << 0,
	CRM_OUT_COLOR = 1 << 1,
	CRM_OUT_NOHEADER = 1 << 2,
};

struct crm_out;

/* "table", "csv", … to a format; CRM_EUSAGE when unknown. */
int crm_fmt_parse(const char *s, enum crm_fmt *fmt);
/* The format names, NULL-terminated, for help and completion. */
extern const char *const crm_fmt_names[];

/* A writer on fp (not owned).  Free with crm_out_free. */
int crm_out_new(struct crm_out **o, FILE *fp, enum crm_fmt fmt,
    unsigned flags);
/* Columns, before the first row; names are copied. */
int crm_out_columns(struct crm_out *o, const char *const *names,
    const enum crm_kind *kinds, size_t n);
/* One row: n values (a NULL value or length 0 is empty). */
int crm_out_row(struct crm_out *o, const char *const *vals,
    const size_t *lens);
/* Ends the output (prints the table, closes the JSON array). */
int crm_out_end(struct crm_out *o);
void crm_out_free(struct crm_out *o);

/* Columns of a record: a field number, or -1 and a custom name. */
struct crm_colspec {
	int field;
	const char *custom;
};

/* Column kind of a field. */
enum crm_kind crm_field_kind(const struct crm_field *f);

/* Writes r through o using cols (set up with crm_out_columns). */
int crm_out_record(struct crm_out *o, const struct crm_colspec *cols,
    size_t n, const struct crm_rec *r);

/*
 * JSON for embedding (cJSON * as void *, so this header needs no cJSON):
 * one typed value, or a record as an object of the given columns.
 * NULL when out of memory; free with cJSON_Delete.
 */
void *crm_json_value(enum crm_kind k, const char *s, size_t len);
void *crm_rec_json(const struct crm_colspec *cols, size_t n,
    const struct crm_rec *r);

#endif
