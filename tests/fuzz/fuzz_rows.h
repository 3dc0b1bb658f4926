/*
 * fuzz_rows.h — reading fuzz input through crm_reader, keeping the rows,
 * and writing them back through crm_out, for the CSV and JSON targets.
 *
 * Every row a reader hands out is checked against what input.h promises
 * (keys distinct, values valid UTF-8 without NUL, lines never going
 * back; a bad row is skipped and reading goes on, an error that ends
 * the input is sticky) and applied to records as `import` does; the
 * records are encoded and decoded, and written out as `list` would and
 * imported again, and must come back the same.
 */
#ifndef CRM_FUZZ_ROWS_H
#define CRM_FUZZ_ROWS_H

#include <errno.h>
#include <stdio.h>

#include "fuzz_common.h"
#include "input.h"
#include "output.h"
#include "utf8.h"

#define FUZZ_MAXROWS 256

struct fuzz_rows {
	int rc;			/* what ended the reading */
	enum crm_infmt fmt;	/* after detection */
	size_t n;		/* rows kept (at most FUZZ_MAXROWS) */
	size_t total;		/* rows read */
	size_t rowerrs;		/* bad rows skipped */
	size_t *nf;		/* fields per row */
	char ***keys, ***vals;	/* owned copies */
	size_t **lens;
	struct crm_buf dump;	/* keys and values, for comparisons */
};

static inline void
fuzz_rows_free(struct fuzz_rows *rs)
{
	size_t i, k;

	for (i = 0; i < rs->n; i++) {
		for (k = 0; k < rs->nf[i]; k++) {
			free(rs->keys[i][k]);
			free(rs->vals[i][k]);
		}
		free(rs->keys[i]);
		free(rs->vals[i]);
		free(rs->lens[i]);
	}
	free(rs->nf);
	free(rs->keys);
	free(rs->vals);
	free(rs->lens);
	crm_buf_free(&rs->dump);
	memset(rs, 0, sizeof(*rs));
}

static inline char *
fuzz_memdup(const char *s, size_t len)
{
	char *p = malloc(len + 1);

	if (p == NULL)
		abort();	/* libFuzzer's malloc limit, not a finding */
	if (len > 0)
		memcpy(p, s, len);
	p[len] = '\0';
	return p;
}

/* Checks one row against input.h and keeps a copy. */
static inline void
fuzz_keep_row(struct fuzz_rows *rs, const struct crm_row *row)
{
	size_t i, k, bad;

	for (i = 0; i < row->n; i++) {
		FUZZ_CHECK(row->keys[i] != NULL && row->vals[i] != NULL,
		    "row %zu field %zu is NULL", row->line, i);
		FUZZ_CHECK(crm_utf8_check(row->keys[i], strlen(row->keys[i]),
		    &bad) == 0, "key %zu of the row at line %zu is not valid "
		    "UTF-8", i, row->line);
		FUZZ_CHECK(crm_utf8_check(row->vals[i], row->lens[i], &bad) == 0,
		    "value of '%s' at line %zu: invalid UTF-8 or NUL at byte "
		    "%zu", row->keys[i], row->line, bad);
		for (k = 0; k < i; k++)
			FUZZ_CHECK(strcmp(row->keys[i], row->keys[k]) != 0,
			    "key '%s' twice in the row at line %zu",
			    row->keys[i], row->line);
		if (crm_buf_printf(&rs->dump, "%zu:%s=", i, row->keys[i]) != 0 ||
		    crm_buf_add(&rs->dump, row->vals[i], row->lens[i]) != 0 ||
		    crm_buf_addc(&rs->dump, '\x1f') != 0)
			abort();
	}
	if (crm_buf_addc(&rs->dump, '\n') != 0)
		abort();
	rs->total++;
	if (rs->n == FUZZ_MAXROWS)
		return;
	if (rs->n == 0) {
		rs->nf = calloc(FUZZ_MAXROWS, sizeof(*rs->nf));
		rs->keys = calloc(FUZZ_MAXROWS, sizeof(*rs->keys));
		rs->vals = calloc(FUZZ_MAXROWS, sizeof(*rs->vals));
		rs->lens = calloc(FUZZ_MAXROWS, sizeof(*rs->lens));
		if (!rs->nf || !rs->keys || !rs->vals || !rs->lens)
			abort();
	}
	rs->nf[rs->n] = row->n;
	rs->keys[rs->n] = calloc(row->n + 1, sizeof(char *));
	rs->vals[rs->n] = calloc(row->n + 1, sizeof(char *));
	rs->lens[rs->n] = calloc(row->n + 1, sizeof(size_t));
	if (!rs->keys[rs->n] || !rs->vals[rs->n] || !rs->lens[rs->n])
		abort();
	for (i = 0; i < row->n; i++) {
		rs->keys[rs->n][i] = fuzz_memdup(row->keys[i],
		    strlen(row->keys[i]));
		rs->vals[rs->n][i] = fuzz_memdup(row->vals[i], row->lens[i]);
		rs->lens[rs->n][i] = row->lens[i];
	}
	rs->n++;
}

/*
 * Sets r from a row as `import` does (cli_records.c apply_row): system
 * columns skipped, built-in fields through crm_rec_setf, others as
 * custom fields.  Then resolves what the store would: references taken
 * as plain ids (there is no database here) and money at the currency's
 * exponent.  Returns 0 when r is ready to encode.
 */
static inline int
fuzz_apply_row(struct crm_rec *r, const struct crm_row *row, int64_t now)
{
	size_t i;
	int f, rc = 0;

	crm_rec_reset(r);
	for (i = 0; i < row->n && rc == 0; i++) {
		f = crm_field_find(r->ent, row->keys[i], strlen(row->keys[i]));
		if (f >= 0 && (r->ent->fields[f].flags & CRM_F_SYSTEM))
			continue;
		if (f >= 0)
			rc = crm_rec_setf(r, f, row->vals[i], row->lens[i], now);
		else
			rc = crm_rec_set(r, row->keys[i], strlen(row->keys[i]),
			    row->vals[i], row->lens[i], now, 0);
		FUZZ_CHECK(rc == 0 || rc == CRM_EDATA || rc == ENOMEM,
		    "setting '%s' from \"%.*s\": rc %d (%s)", row->keys[i],
		    (int)row->lens[i], row->vals[i], rc, crm_errdetail(rc));
	}
	if (rc != 0)
		return rc;
	for (f = 0; f < r->ent->nfields; f++) {
		struct crm_val *v = &r->v[f];
		int64_t id;

		if (r->ent->fields[f].type != CRM_T_REF ||
		    v->state != CRM_V_PENDING)
			continue;
		if (crm_parse_i64(v->s, v->len, 1, INT64_MAX, &id) != 0)
			return CRM_EDATA;
		crm_rec_setint(r, f, id);
	}
	rc = crm_rec_finish_money(r);
	FUZZ_CHECK(rc == 0 || rc == CRM_EDATA, "crm_rec_finish_money: rc %d",
	    rc);
	return rc;
}

static void fuzz_read(struct fuzz_rows *rs, const uint8_t *data,
    size_t size, enum crm_infmt fmt, const struct crm_entity *const *ents,
    size_t nents);

/*
 * `list -f FMT` then `import`: r written with crm_out_record (every
 * field and custom field, typed as crm_field_kind says), read back as
 * rfmt and applied to a new record must give r again.
 */
static inline void
fuzz_export_import(const struct crm_rec *r, enum crm_fmt fmt,
    enum crm_infmt rfmt, int64_t now)
{
	struct crm_colspec *cols;
	const char **names;
	enum crm_kind *kinds;
	struct crm_out *o = NULL;
	struct crm_reader *rd = NULL;
	const struct crm_row *row;
	struct crm_rec *r2 = NULL;
	struct crm_buf d1 = CRM_BUF_INIT, d2 = CRM_BUF_INIT;
	char *text = NULL;
	size_t tlen = 0, n = 0, i;
	FILE *fp;
	int rc, f;

	if (fuzz_known_record(r))
		return;
	cols = calloc((size_t)r->ent->nfields + r->ncust, sizeof(*cols));
	names = calloc((size_t)r->ent->nfields + r->ncust, sizeof(*names));
	kinds = calloc((size_t)r->ent->nfields + r->ncust, sizeof(*kinds));
	if (cols == NULL || names == NULL || kinds == NULL)
		abort();
	for (f = 0; f < r->ent->nfields; f++, n++) {
		cols[n].field = f;
		names[n] = r->ent->fields[f].name;
		kinds[n] = crm_field_kind(&r->ent->fields[f]);
	}
	for (i = 0; i < r->ncust; i++) {
		if (r->cust[i].len == 0)
			continue;
		cols[n].field = -1;
		cols[n].custom = names[n] = fuzz_memdup(r->cust[i].name,
		    r->cust[i].nlen);
		kinds[n++] = CRM_K_STR;
	}
	fp = open_memstream(&text, &tlen);
	if (fp == NULL)
		abort();
	rc = crm_out_new(&o, fp, fmt, 0);
	if (rc == 0)
		rc = crm_out_columns(o, names, kinds, n);
	if (rc == 0)
		rc = crm_out_record(o, cols, n, r);
	if (rc == 0)
		rc = crm_out_end(o);
	crm_out_free(o);
	if (fclose(fp) != 0 || rc == ENOMEM)
		goto done;
	FUZZ_CHECK(rc == 0, "writing a record as format %d: rc %d (%s)", fmt,
	    rc, crm_errdetail(rc));

	fp = fmemopen(text, tlen, "r");
	if (fp == NULL)
		abort();
	r2 = crm_rec_new(r->ent);
	if (r2 == NULL)
		abort();
	rc = crm_reader_new(&rd, fp, rfmt);
	if (rc == 0)
		rc = crm_reader_next(rd, &row);
	if (rc == 0)
		rc = fuzz_apply_row(r2, row, now);
	if (rc != ENOMEM) {
		fuzz_rec_dump(r, &d1);
		if (rc == 0)
			fuzz_rec_dump(r2, &d2);
		if (rc != 0 || d1.len != d2.len ||
		    memcmp(d1.p, d2.p, d1.len) != 0)
			FUZZ_FAIL("a %s written as format %d does not import "
			    "as itself (rc %d: %s)\n--- written\n%.*s\n"
			    "--- record\n%s\n--- imported\n%s", r->ent->name,
			    fmt, rc, rc ? crm_errdetail(rc) : "ok", (int)tlen,
			    text, d1.p, d2.p ? d2.p : "");
		rc = crm_reader_next(rd, &row);
		FUZZ_CHECK(rc == CRM_ENOTFOUND || rc == ENOMEM, "a second row "
		    "from one record: rc %d", rc);
	}
	crm_reader_free(rd);
	fclose(fp);
done:
	for (i = (size_t)r->ent->nfields; i < n; i++)
		free((char *)names[i]);
	free(cols);
	free(names);
	free(kinds);
	crm_rec_free(r2);
	crm_buf_free(&d1);
	crm_buf_free(&d2);
	free(text);
}

/*
 * Reads data as fmt; keeps the rows and checks each; every row is also
 * applied to a record of each entity in ents and round-tripped.
 */
static void
fuzz_read(struct fuzz_rows *rs, const uint8_t *data, size_t size,
    enum crm_infmt fmt, const struct crm_entity *const *ents, size_t nents)
{
	struct crm_reader *rd = NULL;
	const struct crm_row *row;
	struct crm_rec *recs[4] = { NULL };
	char *copy;
	FILE *fp;
	size_t lastline = 0, e, calls;
	int rc, rc2;
	int64_t now = fuzz_now();

	memset(rs, 0, sizeof(*rs));
	rs->rc = ENOMEM;
	/* fmemopen needs a writable buffer, and size 0 is refused. */
	copy = malloc(size ? size : 1);
	if (copy == NULL)
		return;
	if (size > 0)
		memcpy(copy, data, size);
	fp = size > 0 ? fmemopen(copy, size, "r") : fopen("/dev/null", "r");
	if (fp == NULL) {
		free(copy);
		return;
	}
	rc = crm_reader_new(&rd, fp, fmt);
	if (rc != 0) {
		FUZZ_CHECK(rc == ENOMEM, "crm_reader_new: rc %d", rc);
		goto done;
	}
	rs->fmt = crm_reader_format(rd);
	FUZZ_CHECK(fmt == CRM_IN_AUTO ? rs->fmt != CRM_IN_AUTO : rs->fmt == fmt,
	    "format %d became %d", fmt, rs->fmt);
	for (e = 0; e < nents && e < 4; e++)
		if ((recs[e] = crm_rec_new(ents[e])) == NULL)
			goto done;
	for (calls = 0;; calls++) {
		/* Each row, good or bad, takes at least one byte. */
		FUZZ_CHECK(calls <= size + 2, "%zu calls on %zu bytes: the "
		    "reader does not move on", calls, size);
		rc = crm_reader_next(rd, &row);
		if (rc == CRM_EDATA && !crm_reader_failed(rd)) {
			/* A bad row; the next call reads on. */
			FUZZ_CHECK(row == NULL, "a bad row handed out");
			FUZZ_CHECK(crm_reader_line(rd) >= 1, "bad row without "
			    "a line: %s", crm_errdetail(rc));
			rs->rowerrs++;
			if (crm_buf_printf(&rs->dump, "bad row at %zu\n",
			    crm_reader_line(rd)) != 0)
				abort();
			continue;
		}
		if (rc != 0)
			break;
		FUZZ_CHECK(row != NULL, "rc 0 without a row");
		FUZZ_CHECK(row->line >= 1 && row->line >= lastline,
		    "row line %zu after line %zu", row->line, lastline);
		lastline = row->line;
		fuzz_keep_row(rs, row);
		for (e = 0; e < nents && e < 4; e++)
			if (fuzz_apply_row(recs[e], row, now) == 0) {
				fuzz_roundtrip(recs[e]);
				fuzz_text_stable(recs[e], now);
				if (rs->total > 2)
					continue;	/* the first rows will do */
				fuzz_export_import(recs[e], CRM_FMT_CSV,
				    CRM_IN_CSV, now);
				fuzz_export_import(recs[e], CRM_FMT_NDJSON,
				    CRM_IN_NDJSON, now);
				if (rs->total == 1)
					fuzz_export_import(recs[e], CRM_FMT_TSV,
					    CRM_IN_TSV, now);
			}
	}
	FUZZ_CHECK(rc == CRM_ENOTFOUND || rc == CRM_EDATA || rc == ENOMEM,
	    "crm_reader_next: rc %d (%s)", rc, crm_errdetail(rc));
	FUZZ_CHECK(crm_reader_failed(rd) == (rc != CRM_ENOTFOUND),
	    "rc %d but crm_reader_failed() says %d", rc,
	    crm_reader_failed(rd));
	FUZZ_CHECK(row == NULL, "a row with rc %d", rc);
	if (rc == CRM_EDATA)
		FUZZ_CHECK(crm_reader_line(rd) >= 1, "error without a line: %s",
		    crm_errdetail(rc));
	/* A NUL byte is refused wherever it is (RELIABILITY.md test 10). */
	/* Known: NDJSON takes a line of NUL and blanks for a blank line
	 * (known.txt: ndjson-nul-line). */
	if (rc == CRM_ENOTFOUND && rs->rowerrs == 0 && size > 0 &&
	    memchr(data, '\0', size) != NULL &&
	    !(rs->fmt == CRM_IN_NDJSON && fuzz_known("ndjson-nul-line")))
		FUZZ_FAIL("format %d: input with a NUL byte at offset %td "
		    "read without an error (%zu rows)", rs->fmt,
		    (const uint8_t *)memchr(data, '\0', size) - data, rs->total);
	/* Errors are sticky: nothing is read after one; the end stays. */
	rc2 = crm_reader_next(rd, &row);
	FUZZ_CHECK(rc2 == rc, "next after rc %d gave %d", rc, rc2);
	rs->rc = rc;
done:
	for (e = 0; e < 4; e++)
		crm_rec_free(recs[e]);
	crm_reader_free(rd);
	fclose(fp);
	free(copy);
}

/*
 * Writes the kept rows with crm_out as fmt (every column a string),
 * reads them back as rfmt and checks that the same rows come back.
 * Rows must all have the same keys in the same order.
 */
static inline void
fuzz_write_read(const struct fuzz_rows *rs, enum crm_fmt fmt,
    enum crm_infmt rfmt)
{
	struct crm_out *o = NULL;
	struct fuzz_rows back;
	char *text = NULL;
	size_t tlen = 0, i, k;
	FILE *fp;
	int rc;

	if (rs->n == 0 || rs->n != rs->total || rs->rowerrs > 0 ||
	    rs->rc != CRM_ENOTFOUND)
		return;
	for (i = 1; i < rs->n; i++) {
		if (rs->nf[i] != rs->nf[0])
			return;
		for (k = 0; k < rs->nf[0]; k++)
			if (strcmp(rs->keys[i][k], rs->keys[0][k]) != 0)
				return;
	}
	/* Known: a first column named "\xef\xbb\xbf..." (a second BOM)
	 * is written so that it reads back as a BOM (known.txt:
	 * csv-double-bom). */
	if ((fmt == CRM_FMT_CSV || fmt == CRM_FMT_TSV) &&
	    fuzz_known("csv-double-bom") &&
	    strncmp(rs->keys[0][0], "\xef\xbb\xbf", 3) == 0)
		return;
	fp = open_memstream(&text, &tlen);
	if (fp == NULL)
		return;
	rc = crm_out_new(&o, fp, fmt, 0);
	if (rc == 0)
		rc = crm_out_columns(o, (const char *const *)rs->keys[0], NULL,
		    rs->nf[0]);
	for (i = 0; i < rs->n && rc == 0; i++)
		rc = crm_out_row(o, (const char *const *)rs->vals[i],
		    rs->lens[i]);
	if (rc == 0)
		rc = crm_out_end(o);
	crm_out_free(o);
	if (fclose(fp) != 0 || rc == ENOMEM) {
		free(text);
		return;
	}
	FUZZ_CHECK(rc == 0, "writing format %d: rc %d (%s)", fmt, rc,
	    crm_errdetail(rc));
	fuzz_read(&back, (const uint8_t *)text, tlen, rfmt, NULL, 0);
	if (back.rc != ENOMEM) {
		if (back.rc != CRM_ENOTFOUND || back.total != rs->total ||
		    back.dump.len != rs->dump.len ||
		    memcmp(back.dump.p, rs->dump.p, rs->dump.len) != 0)
			FUZZ_FAIL("rows written as format %d read back "
			    "differently (rc %d: %s; %zu rows, then %zu)\n"
			    "--- written\n%.*s\n--- rows before\n%.*s\n"
			    "--- rows after\n%.*s", fmt, back.rc,
			    back.rc == CRM_ENOTFOUND ? "end" :
			    crm_errdetail(back.rc), rs->total, back.total,
			    (int)tlen, text, (int)rs->dump.len,
			    rs->dump.p ? rs->dump.p : "", (int)back.dump.len,
			    back.dump.p ? back.dump.p : "");
	}
	fuzz_rows_free(&back);
	free(text);
}

#endif
