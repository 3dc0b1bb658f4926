/*
 * input.c — CSV (libcsv), TSV, JSON array, NDJSON and id readers.
 *
 * JSON objects are walked here after crm_json_check has proved the text
 * valid, instead of being handed to cJSON: cJSON turns numbers into
 * doubles, and "1234.50" must reach the money parser as written.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <csv.h>

#include "buf.h"
#include "error.h"
#include "input.h"
#include "jsoncheck.h"
#include "utf8.h"

#define CHUNK 65536
#define PARSE_STEP 8192

const char *const crm_infmt_names[] = { "auto", "csv", "tsv", "json",
	"ndjson", "ids", NULL };

struct pending {
	size_t line;
	size_t n, cap;
	size_t *off, *len;
	int verify;		/* its bytes were not all checked as UTF-8 */
	struct crm_buf data;
};

struct crm_reader {
	FILE *fp;
	enum crm_infmt fmt;
	char *buf;
	size_t pos, len;
	int eof;
	int err;		/* sticky error: nothing more can be read */
	int rowerr;		/* the last row was bad; reading may go on */
	int badrow;		/* and row holds its fields */
	size_t line;		/* current line (1-based) */
	size_t errline;
	/* header (CSV/TSV) */
	char **hdr;
	size_t nhdr;
	int have_hdr;
	/* CSV state */
	struct csv_parser csv;
	int csv_init;
	int last_term;		/* last record terminator seen */
	int raw_ok;		/* the bytes being parsed are valid UTF-8 */
	int taint;		/* the row being parsed has bytes that are not */
	size_t row_start;
	int in_row;
	struct pending *q;
	size_t qn, qcap, qhead;
	/* An error found while rows before it are still queued: those rows
	 * are handed out first, then the error. */
	int derr;
	size_t derrline;
	char derrmsg[200];
	/* the row handed out, and the buffer holding its bytes */
	struct crm_row row;
	struct crm_buf *held;
	const char **keys, **vals;
	size_t *lens, rowcap;
	struct crm_buf line_buf;	/* TSV, NDJSON, ids, JSON element */
	struct crm_buf keybuf;		/* JSON: decoded keys and values */
	size_t *koff, *voff, kvcap;
	int json_state;		/* 0 before '[', 1 in array, 2 after ']' */
	size_t nelem;
};

int
crm_infmt_parse(const char *s, enum crm_infmt *fmt)
{
	int i;

	for (i = 0; crm_infmt_names[i] != NULL; i++)
		if (strcmp(s, crm_infmt_names[i]) == 0) {
			*fmt = (enum crm_infmt)i;
			return 0;
		}
	return crm_seterr(CRM_EUSAGE,
	    "--input-format \"%s\": not one of auto, csv, tsv, json, ndjson, ids",
	    s);
}

static int
fail(struct crm_reader *r, size_t line, int code, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static int
fail(struct crm_reader *r, size_t line, int code, const char *fmt, ...)
{
	char msg[900];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	r->errline = line;
	r->err = code;
	return crm_seterr(code, "%s", msg);
}

/* A bad row: reported like fail(), but the next row can still be read. */
static int
rowfail(struct crm_reader *r, size_t line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int
rowfail(struct crm_reader *r, size_t line, const char *fmt, ...)
{
	char msg[900];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	r->errline = line;
	r->rowerr = 1;
	return crm_seterr(CRM_EDATA, "%s", msg);
}

/* ---- buffered source ------------------------------------------------ */

static int
fill(struct crm_reader *r)
{
	size_t n;

	if (r->eof)
		return 0;
	if (r->pos > 0 && r->pos < r->len)
		memmove(r->buf, r->buf + r->pos, r->len - r->pos);
	r->len -= r->pos;
	r->pos = 0;
	n = fread(r->buf + r->len, 1, CHUNK - r->len, r->fp);
	r->len += n;
	if (n == 0) {
		if (ferror(r->fp))
			return fail(r, r->line, EIO, "read error: %s",
			    strerror(errno ? errno : EIO));
		r->eof = 1;
	}
	return 0;
}

/* Reads one line (without its \n or \r\n) into r->line_buf.
 * Returns 1 for a line, 0 at the end. */
static int
get_line(struct crm_reader *r, int *rc)
{
	char *nl;

	crm_buf_reset(&r->line_buf);
	*rc = 0;
	for (;;) {
		if (r->pos == r->len) {
			*rc = fill(r);
			if (*rc != 0)
				return 0;
			if (r->pos == r->len)
				return r->line_buf.len > 0;
		}
		nl = memchr(r->buf + r->pos, '\n', r->len - r->pos);
		if (nl == NULL) {
			*rc = crm_buf_add(&r->line_buf, r->buf + r->pos,
			    r->len - r->pos);
			r->pos = r->len;
			if (*rc == 0 && r->line_buf.len > CRM_MAX_FIELD_BYTES)
				*rc = fail(r, r->line + 1, CRM_EDATA,
				    "line longer than %u bytes",
				    CRM_MAX_FIELD_BYTES);
			if (*rc != 0)
				return 0;
			continue;
		}
		*rc = crm_buf_add(&r->line_buf, r->buf + r->pos,
		    (size_t)(nl - (r->buf + r->pos)));
		r->pos = (size_t)(nl - r->buf) + 1;
		if (*rc != 0)
			return 0;
		if (r->line_buf.len > 0 &&
		    r->line_buf.p[r->line_buf.len - 1] == '\r')
			r->line_buf.p[--r->line_buf.len] = '\0';
		if (r->line_buf.len > CRM_MAX_FIELD_BYTES) {
			*rc = fail(r, r->line + 1, CRM_EDATA,
			    "line longer than %u bytes", CRM_MAX_FIELD_BYTES);
			return 0;
		}
		return 1;
	}
}

/* ---- rows handed out ------------------------------------------------ */

static int
row_reserve(struct crm_reader *r, size_t n)
{
	if (n <= r->rowcap)
		return 0;
	free(r->keys);
	free(r->vals);
	free(r->lens);
	r->keys = calloc(n, sizeof(*r->keys));
	r->vals = calloc(n, sizeof(*r->vals));
	r->lens = calloc(n, sizeof(*r->lens));
	if (r->keys == NULL || r->vals == NULL || r->lens == NULL) {
		r->rowcap = 0;
		return ENOMEM;
	}
	r->rowcap = n;
	return 0;
}

static int
check_utf8(struct crm_reader *r, size_t line, const char *key,
    const char *s, size_t len, int row)
{
	size_t bad;

	if (crm_utf8_check(s, len, &bad) == 0)
		return 0;
	if (bad < len && s[bad] == '\0')
		return row ? rowfail(r, line, "field '%s': NUL byte", key) :
		    fail(r, line, CRM_EDATA, "field '%s': NUL byte", key);
	return row ? rowfail(r, line, "field '%s': invalid UTF-8 at byte %zu",
	    key, bad + 1) : fail(r, line, CRM_EDATA,
	    "field '%s': invalid UTF-8 at byte %zu", key, bad + 1);
}

static int
set_header(struct crm_reader *r, size_t line, const char *const *names,
    const size_t *lens, size_t n)
{
	size_t i, j;
	int rc;

	r->hdr = calloc(n ? n : 1, sizeof(*r->hdr));
	if (r->hdr == NULL)
		return ENOMEM;
	for (i = 0; i < n; i++) {
		const char *s = names[i];
		size_t len = lens[i];

		/* UTF-8 BOMs glued to the first header (libcsv keeps them),
		 * before or after blanks: a name may not start with one, or
		 * it would not survive being written and read again. */
		for (;;) {
			if (i == 0 && len >= 3 &&
			    memcmp(s, "\xef\xbb\xbf", 3) == 0) {
				s += 3;
				len -= 3;
			} else if (len > 0 && (*s == ' ' || *s == '\t')) {
				s++;
				len--;
			} else
				break;
		}
		while (len > 0 && (s[len - 1] == ' ' || s[len - 1] == '\t'))
			len--;
		rc = check_utf8(r, line, "(header)", s, len, 0);
		if (rc != 0)
			return rc;
		if (len == 0)
			return fail(r, line, CRM_EDATA,
			    "header: column %zu has no name", i + 1);
		r->hdr[i] = strndup(s, len);
		if (r->hdr[i] == NULL)
			return ENOMEM;
		r->nhdr = i + 1;
		for (j = 0; j < i; j++)
			if (strcmp(r->hdr[j], r->hdr[i]) == 0)
				return fail(r, line, CRM_EDATA,
				    "header: column '%s' appears twice",
				    r->hdr[i]);
	}
	r->have_hdr = 1;
	return row_reserve(r, n);
}

/* The row handed out: keys, vals and lens already filled. */
static void
hand_out(struct crm_reader *r, size_t line, size_t n, unsigned keygen)
{
	r->row.line = line;
	r->row.n = n;
	r->row.keys = r->keys;
	r->row.vals = r->vals;
	r->row.lens = r->lens;
	r->row.keygen = keygen;
}

/* Hands out a delimited row (CSV, TSV) against the header; checked: its
 * bytes are known to be valid UTF-8 without NUL. */
static int
emit(struct crm_reader *r, size_t line, char *const *vals,
    const size_t *lens, size_t n, const struct crm_row **out, int checked)
{
	size_t i;
	int rc;

	if (!r->have_hdr) {
		rc = set_header(r, line, (const char *const *)vals, lens, n);
		return rc != 0 ? rc : 1;	/* 1: no row yet */
	}
	if (n != r->nhdr) {
		/* Kept for a reject file: the row as it came. */
		for (i = 0; i < n; i++) {
			r->keys[i] = i < r->nhdr ? r->hdr[i] : "";
			r->vals[i] = vals[i];
			r->lens[i] = lens[i];
		}
		hand_out(r, line, n, 1);
		r->badrow = 1;
		return rowfail(r, line, "%zu fields, but the header has %zu", n,
		    r->nhdr);
	}
	for (i = 0; i < n; i++) {
		rc = checked ? 0 : check_utf8(r, line, r->hdr[i], vals[i], lens[i],
		    1);
		if (rc != 0)
			return rc;
		r->keys[i] = r->hdr[i];
		r->vals[i] = vals[i];
		r->lens[i] = lens[i];
	}
	hand_out(r, line, n, 1);
	*out = &r->row;
	return 0;
}

/* ---- CSV ------------------------------------------------------------ */

static struct pending *
cur_pending(struct crm_reader *r)
{
	if (r->qn == r->qcap) {
		size_t cap = r->qcap ? r->qcap * 2 : 16;
		struct pending *q = realloc(r->q, cap * sizeof(*q));

		if (q == NULL)
			return NULL;
		memset(q + r->qcap, 0, (cap - r->qcap) * sizeof(*q));
		r->q = q;
		r->qcap = cap;
	}
	return &r->q[r->qn];
}

static void
defer(struct crm_reader *r, size_t line, const char *msg)
{
	if (r->derr)
		return;
	r->derr = CRM_EDATA;
	r->derrline = line;
	snprintf(r->derrmsg, sizeof(r->derrmsg), "%s", msg);
}

/* Whether s has a byte below 0x0e, eight at a time: a field's last
 * eight overlap the others', a short one is looked at byte by byte
 * (without a branch each). */
static int
has_low(const void *s, size_t len)
{
	const unsigned char *u = s;
	uint64_t x, lo = 0;
	size_t i;

	if (len < 8) {
		unsigned any = 0;

		for (i = 0; i < len; i++)
			any |= u[i] < 0x0e;
		return any != 0;
	}
	for (i = 0; i + 8 < len; i += 8) {
		memcpy(&x, u + i, 8);
		lo |= (x - 0x0e0e0e0e0e0e0e0eULL) & ~x;
	}
	memcpy(&x, u + len - 8, 8);
	lo |= (x - 0x0e0e0e0e0e0e0e0eULL) & ~x;
	return (lo & 0x8080808080808080ULL) != 0;
}

static void
csv_field(void *s, size_t len, void *arg)
{
	struct crm_reader *r = arg;
	struct pending *p;
	size_t i;

	if (r->err || r->derr)
		return;
	if (len > CRM_MAX_FIELD_BYTES) {
		char msg[80];

		snprintf(msg, sizeof(msg), "field larger than %u bytes",
		    CRM_MAX_FIELD_BYTES);
		defer(r, r->line, msg);
		return;
	}
	p = r->qn < r->qcap ? &r->q[r->qn] : cur_pending(r);
	if (p == NULL) {
		r->err = ENOMEM;
		return;
	}
	if (!r->in_row) {
		r->in_row = 1;
		p->n = 0;
		p->line = r->line;
		crm_buf_reset(&p->data);
	}
	if (p->n == p->cap) {
		size_t cap = p->cap ? p->cap * 2 : 16;
		size_t *o = realloc(p->off, cap * sizeof(*o));
		size_t *l = o ? realloc(p->len, cap * sizeof(*l)) : NULL;

		if (o != NULL)
			p->off = o;
		if (l == NULL) {
			r->err = ENOMEM;
			return;
		}
		p->len = l;
		p->cap = cap;
	}
	p->off[p->n] = p->data.len;
	p->len[p->n] = len;
	/* The field and its NUL, both kept (and the buffer's own NUL). */
	if (s == NULL)
		len = 0;
	if (p->data.cap - p->data.len <= len + 1 &&
	    crm_buf_grow(&p->data, len + 1) != 0) {
		r->err = ENOMEM;
		return;
	}
	if (len > 0)
		memcpy(p->data.p + p->data.len, s, len);
	p->data.p[p->data.len + len] = '\0';
	p->data.len += len + 1;
	p->data.p[p->data.len] = '\0';
	p->n++;
	/* Quoted fields may span lines: count them, in a field with a byte
	 * below 0x0e (few have one: tabs and line ends). */
	if (!has_low(s, len))
		return;
	for (i = 0; i < len; i++) {
		char c = ((char *)s)[i];

		if (c == '\n' || (c == '\r' && (i + 1 == len ||
		    ((char *)s)[i + 1] != '\n')))
			r->line++;
	}
}

static void
csv_record(int c, void *arg)
{
	struct crm_reader *r = arg;
	struct pending *p;

	if (r->err || r->derr)
		return;
	if (!r->in_row) {
		/* The \n of a \r\n pair ends nothing new. */
		if (!(c == '\n' && r->last_term == '\r'))
			r->line += c != -1;
		r->last_term = c;
		return;
	}
	p = &r->q[r->qn];
	r->in_row = 0;
	r->last_term = c;
	r->line += c != -1;
	/* Its bytes came from chunks that were all valid, or not; the next
	 * row starts in the chunk being parsed. */
	p->verify = r->taint;
	r->taint = !r->raw_ok;
	/* A line of nothing but spaces counts as blank. */
	if (p->n == 1 && p->len[0] == strspn(p->data.p, " \t"))
		return;
	r->qn++;
}

/*
 * Where n bytes at s end on a whole UTF-8 sequence: n, or less when
 * the last one is cut short (its rest comes with the next read).
 */
static size_t
utf8_cut(const char *s, size_t n)
{
	size_t i = n, need;
	unsigned c;

	while (i > 0 && n - i < 3 && ((unsigned char)s[i - 1] & 0xc0) == 0x80)
		i--;
	if (i == 0)
		return n;	/* no lead byte: invalid anyway */
	c = (unsigned char)s[i - 1];
	need = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : c >= 0xc0 ? 2 : 1;
	return n - (i - 1) < need ? i - 1 : n;
}

static void *
capped_realloc(void *p, size_t n)
{
	/* libcsv grows one field buffer: bound it near the field limit
	 * (the exact limit is checked on each field). */
	if (n > CRM_MAX_FIELD_BYTES + 2 * 65536)
		return NULL;
	return realloc(p, n);
}

static int
csv_next(struct crm_reader *r, const struct crm_row **out)
{
	int rc;

	for (;;) {
		while (r->qhead < r->qn) {
			struct pending *p = &r->q[r->qhead++];
			char **vals = (char **)r->vals;
			size_t i;

			rc = row_reserve(r, p->n);
			if (rc != 0)
				return rc;
			vals = (char **)r->vals;
			for (i = 0; i < p->n; i++)
				vals[i] = p->data.p + p->off[i];
			r->held = &p->data;
			rc = emit(r, p->line, vals, p->len, p->n, out, !p->verify);
			if (rc != 1)
				return rc;
		}
		if (r->in_row && r->qn > 0) {
			/* Keep the row being parsed: it moves to the front. */
			struct pending t = r->q[0];

			r->q[0] = r->q[r->qn];
			r->q[r->qn] = t;
		}
		r->qhead = r->qn = 0;
		if (r->derr)
			return fail(r, r->derrline, r->derr, "%s", r->derrmsg);
		if (r->eof && r->pos == r->len) {
			if (r->csv_init == 2)
				return CRM_ENOTFOUND;
			r->csv_init = 2;
			if (csv_fini(&r->csv, csv_field, csv_record, r) != 0)
				return fail(r, r->line, CRM_EDATA,
				    "unterminated quoted field at end of input");
			if (r->err)
				return r->err == ENOMEM ? ENOMEM :
				    fail(r, r->line, CRM_EDATA, "bad CSV");
			continue;
		}
		if (r->pos == r->len) {
			rc = fill(r);
			if (rc != 0)
				return rc;
			continue;
		}
		{
			/*
			 * The chunk is checked as UTF-8 whole, which costs less
			 * than field by field: rows made only of checked chunks
			 * skip their own checks (those that are not get them, and
			 * their messages).  A sequence cut at the end of the
			 * chunk waits for the next read.
			 */
			size_t n = r->len - r->pos, used, cut;

			/* A few rows at a time: their buffers stay in cache
			 * until they are handed out. */
			if (n > PARSE_STEP)
				n = PARSE_STEP;
			cut = r->eof && n == r->len - r->pos ? n :
			    utf8_cut(r->buf + r->pos, n);

			if (cut == 0) {
				rc = fill(r);
				if (rc != 0)
					return rc;
				continue;
			}
			r->raw_ok = crm_utf8_check(r->buf + r->pos, cut, NULL) == 0;
			r->taint |= !r->raw_ok;
			n = cut;
			used = csv_parse(&r->csv, r->buf + r->pos, n, csv_field,
			    csv_record, r);
			r->pos += used;
			if (r->err == ENOMEM)
				return ENOMEM;
			if (used < n) {
				int e = csv_error(&r->csv);
				char msg[80];

				if (e == CSV_ETOOBIG || e == CSV_ENOMEM)
					snprintf(msg, sizeof(msg),
					    "field larger than %u bytes",
					    CRM_MAX_FIELD_BYTES);
				else
					snprintf(msg, sizeof(msg), "malformed CSV: "
					    "stray or unterminated quote");
				defer(r, r->line, msg);
				r->pos = r->len;	/* nothing after it is read */
				r->eof = 1;
			}
		}
	}
}

/* ---- TSV and ids ---------------------------------------------------- */

/* Undoes the \t \n \r \\ escapes our TSV writer makes, in place. */
static size_t
tsv_unescape(char *s, size_t len)
{
	size_t i, o = 0;

	for (i = 0; i < len; i++) {
		if (s[i] == '\\' && i + 1 < len) {
			char c = s[i + 1];

			if (c == 't' || c == 'n' || c == 'r' || c == '\\') {
				s[o++] = c == 't' ? '\t' : c == 'n' ? '\n' :
				    c == 'r' ? '\r' : '\\';
				i++;
				continue;
			}
		}
		s[o++] = s[i];
	}
	s[o] = '\0';
	return o;
}

static int
tsv_next(struct crm_reader *r, const struct crm_row **out)
{
	char *p, *tab;
	size_t n, i, *lens;
	char **vals;
	int rc;

	for (;;) {
		if (!get_line(r, &rc))
			return rc != 0 ? rc : CRM_ENOTFOUND;
		r->line++;
		if (r->line_buf.len == 0)
			continue;
		/* Fields are split with string functions: no NUL may hide. */
		if (memchr(r->line_buf.p, '\0', r->line_buf.len) != NULL)
			return rowfail(r, r->line, "NUL byte in line");
		n = 1;
		for (i = 0; i < r->line_buf.len; i++)
			n += r->line_buf.p[i] == '\t';
		rc = row_reserve(r, n > r->nhdr ? n : r->nhdr);
		if (rc != 0)
			return rc;
		vals = (char **)r->vals;
		lens = r->lens;
		p = r->line_buf.p;
		for (i = 0; i < n; i++) {
			tab = strchr(p, '\t');
			if (tab)
				*tab = '\0';
			vals[i] = p;
			lens[i] = tsv_unescape(p, tab ? (size_t)(tab - p) : strlen(p));
			if (tab)
				p = tab + 1;
		}
		/* A NUL inside the line would hide the rest: check the raw length. */
		r->held = &r->line_buf;
		rc = emit(r, r->line, vals, lens, n, out, 0);
		if (rc != 1)
			return rc;
	}
}

static int
ids_next(struct crm_reader *r, const struct crm_row **out)
{
	static const char *const idkey = "id";
	const char *s;
	size_t len;
	int rc;

	for (;;) {
		if (!get_line(r, &rc))
			return rc != 0 ? rc : CRM_ENOTFOUND;
		r->line++;
		s = r->line_buf.p;
		len = r->line_buf.len;
		while (len > 0 && (*s == ' ' || *s == '\t')) {
			s++;
			len--;
		}
		while (len > 0 && (s[len - 1] == ' ' || s[len - 1] == '\t'))
			len--;
		if (len == 0)
			continue;
		rc = row_reserve(r, 1);
		if (rc == 0)
			rc = check_utf8(r, r->line, "id", s, len, 1);
		if (rc != 0)
			return rc;
		r->keys[0] = idkey;
		r->vals[0] = s;
		r->lens[0] = len;
		r->held = &r->line_buf;
		hand_out(r, r->line, 1, 1);
		*out = &r->row;
		return 0;
	}
}

/* ---- JSON ----------------------------------------------------------- */

static int
hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return c - 'A' + 10;
}

static int
put_utf8(struct crm_buf *b, unsigned cp)
{
	char u[4];
	size_t n;

	if (cp < 0x80) {
		u[0] = (char)cp;
		n = 1;
	} else if (cp < 0x800) {
		u[0] = (char)(0xc0 | cp >> 6);
		u[1] = (char)(0x80 | (cp & 0x3f));
		n = 2;
	} else if (cp < 0x10000) {
		u[0] = (char)(0xe0 | cp >> 12);
		u[1] = (char)(0x80 | (cp >> 6 & 0x3f));
		u[2] = (char)(0x80 | (cp & 0x3f));
		n = 3;
	} else {
		u[0] = (char)(0xf0 | cp >> 18);
		u[1] = (char)(0x80 | (cp >> 12 & 0x3f));
		u[2] = (char)(0x80 | (cp >> 6 & 0x3f));
		u[3] = (char)(0x80 | (cp & 0x3f));
		n = 4;
	}
	return crm_buf_add(b, u, n);
}

/* Decodes the (already validated) string at *p, after its quote. */
static int
json_string(const char **pp, struct crm_buf *b)
{
	const char *p = *pp;
	int rc = 0;

	for (; *p != '"' && rc == 0; p++) {
		if (*p != '\\') {
			rc = crm_buf_addc(b, *p);
			continue;
		}
		p++;
		switch (*p) {
		case 'b': rc = crm_buf_addc(b, '\b'); break;
		case 'f': rc = crm_buf_addc(b, '\f'); break;
		case 'n': rc = crm_buf_addc(b, '\n'); break;
		case 'r': rc = crm_buf_addc(b, '\r'); break;
		case 't': rc = crm_buf_addc(b, '\t'); break;
		case 'u': {
			unsigned cp = 0;
			int i;

			for (i = 1; i <= 4; i++)
				cp = cp << 4 | (unsigned)hexval(p[i]);
			p += 4;
			if (cp >= 0xd800 && cp < 0xdc00) {
				unsigned lo = 0;

				for (i = 3; i <= 6; i++)
					lo = lo << 4 | (unsigned)hexval(p[i]);
				p += 6;
				cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
			}
			rc = put_utf8(b, cp);
			break;
		}
		default: rc = crm_buf_addc(b, *p); break;	/* " \ / */
		}
	}
	*pp = p + 1;
	return rc;
}

static void
skip_ws(const char **p)
{
	while (**p == ' ' || **p == '\t' || **p == '\n' || **p == '\r')
		(*p)++;
}

/* Skips a validated scalar (number, true, false, null). */
static void
skip_scalar(const char **pp)
{
	const char *p = *pp;

	while (*p != '\0' && strchr(",]} \t\r\n", *p) == NULL)
		p++;
	*pp = p;
}

/*
 * Turns one validated JSON object (NUL-terminated text) into a row.
 * Strings and numbers keep their text; true/false become "true"/"false";
 * null is empty; an array of scalars is joined with ';' (tags).
 */
static int
json_object(struct crm_reader *r, const char *text, size_t line,
    const struct crm_row **out)
{
	const char *p = text;
	struct crm_buf *b = &r->keybuf;
	size_t n = 0, i;
	int rc = 0;

	skip_ws(&p);
	if (*p != '{')
		return rowfail(r, line, "expected a JSON object for each record");
	p++;
	crm_buf_reset(b);
	for (;;) {
		size_t ko, vo;

		skip_ws(&p);
		if (*p == '}')
			break;
		if (*p == ',') {
			p++;
			skip_ws(&p);
		}
		if (n == r->kvcap) {
			size_t cap = r->kvcap ? r->kvcap * 2 : 32;
			size_t *k = realloc(r->koff, cap * sizeof(*k));
			size_t *v = k ? realloc(r->voff, cap * sizeof(*v)) : NULL;

			if (k != NULL)
				r->koff = k;
			if (v == NULL)
				return ENOMEM;
			r->voff = v;
			r->kvcap = cap;
		}
		ko = b->len;
		p++;	/* opening quote of the key */
		rc = json_string(&p, b);
		if (rc == 0 && b->len > ko &&
		    memchr(b->p + ko, '\0', b->len - ko) != NULL)
			return rowfail(r, line, "NUL character in a key");
		if (rc == 0)
			rc = crm_buf_addc(b, '\0');
		skip_ws(&p);
		p++;	/* ':' */
		skip_ws(&p);
		vo = b->len;
		if (rc != 0)
			return rc;
		if (*p == '"') {
			p++;
			rc = json_string(&p, b);
		} else if (*p == 'n') {
			p += 4;
		} else if (*p == 't') {
			rc = crm_buf_adds(b, "true");
			p += 4;
		} else if (*p == 'f') {
			rc = crm_buf_adds(b, "false");
			p += 5;
		} else if (*p == '[') {
			p++;
			for (;;) {
				skip_ws(&p);
				if (*p == ']') {
					p++;
					break;
				}
				if (*p == ',') {
					p++;
					skip_ws(&p);
				}
				if (*p == 'n') {
					p += 4;	/* null: no element */
					continue;
				}
				if (*p == '{' || *p == '[')
					return rowfail(r, line,
					    "field '%s': nested value in an array",
					    b->p + ko);
				if (b->len > vo)
					rc = crm_buf_addc(b, ';');
				if (rc == 0 && *p == '"') {
					p++;
					rc = json_string(&p, b);
				} else if (rc == 0) {
					const char *s = p;

					skip_scalar(&p);
					rc = crm_buf_add(b, s, (size_t)(p - s));
				}
				if (rc != 0)
					return rc;
			}
		} else if (*p == '{') {
			return rowfail(r, line,
			    "field '%s': nested objects are not supported",
			    b->p + ko);
		} else {
			const char *s = p;

			while (*p == '-' || *p == '+' || *p == '.' ||
			    *p == 'e' || *p == 'E' || (*p >= '0' && *p <= '9'))
				p++;
			rc = crm_buf_add(b, s, (size_t)(p - s));
		}
		if (rc == 0 && b->len > vo &&
		    memchr(b->p + vo, '\0', b->len - vo) != NULL)
			return rowfail(r, line, "field '%s': NUL character",
			    b->p + ko);
		if (rc == 0)
			rc = crm_buf_addc(b, '\0');
		if (rc != 0)
			return rc;
		r->koff[n] = ko;
		r->voff[n] = vo;
		n++;
	}
	rc = row_reserve(r, n);
	if (rc != 0)
		return rc;
	for (i = 0; i < n; i++) {
		r->keys[i] = b->p + r->koff[i];
		r->vals[i] = b->p + r->voff[i];
		r->lens[i] = strlen(r->vals[i]);
	}
	/* Each JSON record may have other keys: a new key generation. */
	r->held = b;
	hand_out(r, line, n, r->row.keygen + 1 > 1 ? r->row.keygen + 1 : 2);
	*out = &r->row;
	return 0;
}

static int
json_checked(struct crm_reader *r, const char *text, size_t len, size_t line,
    const struct crm_row **out)
{
	size_t el = 0, ec = 0;
	char msg[600];

	if (crm_json_check(text, len, &el, &ec) != 0) {
		snprintf(msg, sizeof(msg), "%s", crm_errdetail(CRM_EDATA));
		return rowfail(r, line + (el ? el - 1 : 0), "%s (column %zu)", msg,
		    ec);
	}
	return json_object(r, text, line, out);
}

static int
ndjson_next(struct crm_reader *r, const struct crm_row **out)
{
	size_t i;
	int rc;

	for (;;) {
		if (!get_line(r, &rc))
			return rc != 0 ? rc : CRM_ENOTFOUND;
		r->line++;
		/* Blank: spaces, tabs, CR only (strchr would take NUL too). */
		for (i = 0; i < r->line_buf.len; i++)
			if (r->line_buf.p[i] != ' ' && r->line_buf.p[i] != '\t' &&
			    r->line_buf.p[i] != '\r')
				break;
		if (i == r->line_buf.len)
			continue;
		if (r->line == 1 && r->line_buf.len >= 3 &&
		    memcmp(r->line_buf.p, "\xef\xbb\xbf", 3) == 0) {
			memmove(r->line_buf.p, r->line_buf.p + 3,
			    r->line_buf.len - 2);
			r->line_buf.len -= 3;
		}
		return json_checked(r, r->line_buf.p, r->line_buf.len, r->line,
		    out);
	}
}

/* Next byte of the JSON array, or -1 at the end. */
static int
jgetc(struct crm_reader *r)
{
	if (r->pos == r->len && fill(r) != 0)
		return -2;
	if (r->pos == r->len)
		return -1;
	return (unsigned char)r->buf[r->pos++];
}

static int
json_skip_ws(struct crm_reader *r)
{
	int c;

	for (;;) {
		c = jgetc(r);
		if (c == '\n')
			r->line++;
		else if (c != ' ' && c != '\t' && c != '\r')
			return c;
	}
}

static int
json_next(struct crm_reader *r, const struct crm_row **out)
{
	size_t start;
	int c, depth, instr, esc;

	if (r->json_state == 2)
		return CRM_ENOTFOUND;
	if (r->json_state == 0) {
		c = json_skip_ws(r);
		if (c == 0xef && jgetc(r) == 0xbb && jgetc(r) == 0xbf)
			c = json_skip_ws(r);
		if (c != '[')
			return fail(r, r->line, CRM_EDATA,
			    "expected a JSON array of objects");
		r->json_state = 1;
	}
	c = json_skip_ws(r);
	if (r->nelem > 0) {
		if (c == ']')
			goto end;
		if (c != ',')
			return fail(r, r->line, CRM_EDATA,
			    "invalid JSON: expected ',' or ']' between records");
		c = json_skip_ws(r);
	} else if (c == ']')
		goto end;
	if (c != '{')
		return fail(r, r->line, c == -2 ? EIO : CRM_EDATA,
		    c == -1 ? "invalid JSON: unterminated array" :
		    "expected a JSON object for each record");
	/* Gather the element, tracking strings, up to its closing brace. */
	start = r->line;
	crm_buf_reset(&r->line_buf);
	depth = 0;
	instr = esc = 0;
	for (;;) {
		if (c < 0)
			return fail(r, r->line, c == -2 ? EIO : CRM_EDATA,
			    "invalid JSON: unterminated object");
		if (crm_buf_addc(&r->line_buf, c) != 0)
			return ENOMEM;
		if (r->line_buf.len > CRM_MAX_FIELD_BYTES)
			return fail(r, start, CRM_EDATA,
			    "record larger than %u bytes", CRM_MAX_FIELD_BYTES);
		if (c == '\n')
			r->line++;
		if (instr) {
			if (esc)
				esc = 0;
			else if (c == '\\')
				esc = 1;
			else if (c == '"')
				instr = 0;
		} else if (c == '"')
			instr = 1;
		else if (c == '{' || c == '[')
			depth++;
		else if (c == '}' || c == ']') {
			if (--depth == 0)
				break;
		}
		c = jgetc(r);
	}
	r->nelem++;
	return json_checked(r, r->line_buf.p, r->line_buf.len, start, out);
end:
	r->json_state = 2;
	c = json_skip_ws(r);
	if (c != -1)
		return fail(r, r->line, CRM_EDATA,
		    "invalid JSON: trailing data after the array");
	return CRM_ENOTFOUND;
}

/* ---- detection and the public face ---------------------------------- */

static enum crm_infmt
detect(struct crm_reader *r)
{
	size_t i = r->pos, eol;
	const char *b = r->buf;
	int tab = 0, comma = 0, digits = 1, any = 0;

	if (r->len - i >= 3 && memcmp(b + i, "\xef\xbb\xbf", 3) == 0)
		i += 3;
	while (i < r->len && strchr(" \t\r\n", b[i]) != NULL)
		i++;
	if (i < r->len && b[i] == '[')
		return CRM_IN_JSON;
	if (i < r->len && b[i] == '{')
		return CRM_IN_NDJSON;
	for (eol = i; eol < r->len && b[eol] != '\n'; eol++) {
		char c = b[eol];

		tab |= c == '\t';
		comma |= c == ',';
		if (c != '\r' && c != ' ') {
			any = 1;
			digits &= c >= '0' && c <= '9';
		}
	}
	if (any && digits)
		return CRM_IN_IDS;
	/* A reference such as ext:E0001 or email:ann@example.com. */
	if (any && !tab && !comma) {
		size_t k = i;

		while (k < eol && ((b[k] >= 'a' && b[k] <= 'z') || b[k] == '_'))
			k++;
		if (k > i && k < eol && b[k] == ':' && k + 1 < eol &&
		    memchr(b + k, ' ', eol - k) == NULL)
			return CRM_IN_IDS;
	}
	if (tab && !comma)
		return CRM_IN_TSV;
	return CRM_IN_CSV;
}

int
crm_reader_new(struct crm_reader **out, FILE *fp, enum crm_infmt fmt)
{
	struct crm_reader *r = calloc(1, sizeof(*r));
	int rc;

	*out = NULL;
	if (r == NULL)
		return ENOMEM;
	r->fp = fp;
	r->buf = malloc(CHUNK);
	if (r->buf == NULL) {
		free(r);
		return ENOMEM;
	}
	r->line = 1;
	rc = fill(r);
	if (rc != 0) {
		crm_reader_free(r);
		return rc;
	}
	r->line = 0;
	if (fmt == CRM_IN_AUTO)
		fmt = detect(r);
	r->fmt = fmt;
	if (fmt == CRM_IN_JSON)
		r->line = 1;	/* counted by newlines inside the array */
	if (fmt == CRM_IN_CSV) {
		r->line = 1;
		/* Strict quotes; libcsv trims blanks around unquoted fields
		 * (quoted ones keep them, and our writer quotes them);
		 * report every line end so line numbers stay exact. */
		if (csv_init(&r->csv, CSV_STRICT | CSV_REPALL_NL |
		    CSV_STRICT_FINI) != 0) {
			crm_reader_free(r);
			return ENOMEM;
		}
		csv_set_realloc_func(&r->csv, capped_realloc);
		/* Grow field buffers 64 KiB at a time, not libcsv's 128 bytes:
		 * that is quadratic for a large field under ASan or valgrind. */
		csv_set_blk_size(&r->csv, 65536);
		r->csv_init = 1;
	}
	*out = r;
	return 0;
}

int
crm_reader_next(struct crm_reader *r, const struct crm_row **row)
{
	int rc;

	*row = NULL;
	r->rowerr = 0;
	r->badrow = 0;
	r->held = NULL;
	if (r->err)
		return r->err;
	switch (r->fmt) {
	case CRM_IN_CSV:
		rc = csv_next(r, row);
		break;
	case CRM_IN_TSV:
		rc = tsv_next(r, row);
		break;
	case CRM_IN_JSON:
		rc = json_next(r, row);
		break;
	case CRM_IN_NDJSON:
		rc = ndjson_next(r, row);
		break;
	default:
		rc = ids_next(r, row);
		break;
	}
	if (rc != 0 && rc != CRM_ENOTFOUND && r->err == 0 && !r->rowerr) {
		r->err = rc;
		r->errline = r->line;
	}
	return rc;
}

size_t
crm_reader_line(const struct crm_reader *r)
{
	return r->err || r->rowerr ? r->errline : r->line;
}

int
crm_reader_failed(const struct crm_reader *r)
{
	return r->err != 0;
}

const struct crm_row *
crm_reader_badrow(const struct crm_reader *r)
{
	return r->rowerr && r->badrow ? &r->row : NULL;
}

int
crm_reader_take(struct crm_reader *r, struct crm_buf *b)
{
	struct crm_buf t;

	if (r->held == NULL)
		return CRM_ENOTFOUND;
	t = *r->held;
	*r->held = *b;
	*b = t;
	crm_buf_reset(r->held);
	r->held = NULL;
	return 0;
}

enum crm_infmt
crm_reader_format(const struct crm_reader *r)
{
	return r->fmt;
}

void
crm_reader_free(struct crm_reader *r)
{
	size_t i;

	if (r == NULL)
		return;
	if (r->csv_init)
		csv_free(&r->csv);
	for (i = 0; i < r->nhdr; i++)
		free(r->hdr[i]);
	free(r->hdr);
	for (i = 0; i < r->qcap; i++) {
		free(r->q[i].off);
		free(r->q[i].len);
		crm_buf_free(&r->q[i].data);
	}
	free(r->q);
	free(r->keys);
	free(r->vals);
	free(r->lens);
	free(r->koff);
	free(r->voff);
	crm_buf_free(&r->line_buf);
	crm_buf_free(&r->keybuf);
	free(r->buf);
	free(r);
}
