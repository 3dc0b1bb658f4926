/*
 * output.c — table, CSV, TSV, JSON, NDJSON and ids writers.
 *
 * CSV is quoted by hand rather than with libcsv's csv_fwrite, which
 * quotes every field: minimal quoting keeps plain values byte-identical
 * on a round trip and is what sqlite3 and mlr write.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <cJSON.h>

#include "error.h"
#include "output.h"
#include "utf8.h"

const char *const crm_fmt_names[] = { "table", "csv", "tsv", "json",
	"ndjson", "ids", NULL };

struct crm_out {
	FILE *fp;
	enum crm_fmt fmt;
	unsigned flags;
	char **names;
	enum crm_kind *kinds;
	size_t ncols;
	size_t nrows;
	int idcol;
	/* table: every cell kept until the end, to size the columns */
	char **cells;
	size_t ncells, capcells;
	struct crm_buf line;
};

int
crm_fmt_parse(const char *s, enum crm_fmt *fmt)
{
	int i;

	for (i = 0; crm_fmt_names[i] != NULL; i++)
		if (strcmp(s, crm_fmt_names[i]) == 0) {
			*fmt = (enum crm_fmt)i;
			return 0;
		}
	return crm_seterr(CRM_EUSAGE,
	    "--format \"%s\": not one of table, csv, tsv, json, ndjson, ids", s);
}

int
crm_out_new(struct crm_out **out, FILE *fp, enum crm_fmt fmt, unsigned flags)
{
	struct crm_out *o = calloc(1, sizeof(*o));

	*out = NULL;
	if (o == NULL)
		return ENOMEM;
	o->fp = fp;
	o->fmt = fmt;
	o->flags = flags;
	o->idcol = 0;
	*out = o;
	return 0;
}

int
crm_out_columns(struct crm_out *o, const char *const *names,
    const enum crm_kind *kinds, size_t n)
{
	size_t i;

	o->names = calloc(n ? n : 1, sizeof(*o->names));
	o->kinds = calloc(n ? n : 1, sizeof(*o->kinds));
	if (o->names == NULL || o->kinds == NULL)
		return ENOMEM;
	o->ncols = n;
	for (i = 0; i < n; i++) {
		o->names[i] = strdup(names[i]);
		if (o->names[i] == NULL)
			return ENOMEM;
		o->kinds[i] = kinds ? kinds[i] : CRM_K_STR;
		if (strcmp(names[i], "id") == 0)
			o->idcol = (int)i;
	}
	return 0;
}

/* True when a cell would be read as a formula by a spreadsheet. */
static int
risky(const char *s, size_t len)
{
	static const char *const wide[] = { "\xef\xbc\x9d", "\xef\xbc\x8b",
		"\xef\xbc\x8d", "\xef\xbc\xa0" };	/* ＝ ＋ － ＠ */
	size_t i;
	int digits = 0, dot = 0;

	if (len == 0)
		return 0;
	if (len >= 3)
		for (i = 0; i < 4; i++)
			if (memcmp(s, wide[i], 3) == 0)
				return 1;
	if (strchr("=+-@\t\r", s[0]) == NULL)
		return 0;
	/* A plain signed number is data, not a formula. */
	for (i = 1; i < len; i++) {
		if (s[i] >= '0' && s[i] <= '9')
			digits++;
		else if (s[i] == '.' && !dot)
			dot = 1;
		else
			return 1;
	}
	return !(digits > 0 && (s[0] == '-' || s[0] == '+'));
}

static int
csv_cell(struct crm_buf *b, const char *s, size_t len, int excel)
{
	const char *q;
	int rc = 0, quote;

	/* Edge blanks are quoted too: readers (libcsv among them) trim
	 * unquoted ones, and the value must come back as it was. */
	quote = len > 0 && (memchr(s, ',', len) || memchr(s, '"', len) ||
	    memchr(s, '\n', len) || memchr(s, '\r', len) || s[0] == ' ' ||
	    s[0] == '\t' || s[len - 1] == ' ' || s[len - 1] == '\t');
	if (quote)
		rc = crm_buf_addc(b, '"');
	if (rc == 0 && excel && risky(s, len))
		rc = crm_buf_addc(b, '\'');
	/* Copy runs between quotes, doubling each quote. */
	while (rc == 0 && len > 0) {
		q = quote ? memchr(s, '"', len) : NULL;
		if (q == NULL) {
			rc = crm_buf_add(b, s, len);
			break;
		}
		rc = crm_buf_add(b, s, (size_t)(q - s) + 1);
		if (rc == 0)
			rc = crm_buf_addc(b, '"');
		len -= (size_t)(q - s) + 1;
		s = q + 1;
	}
	if (rc == 0 && quote)
		rc = crm_buf_addc(b, '"');
	return rc;
}

static int
tsv_cell(struct crm_buf *b, const char *s, size_t len, int excel)
{
	size_t i;
	int rc = 0;

	if (excel && risky(s, len))
		rc = crm_buf_addc(b, '\'');
	for (i = 0; i < len && rc == 0; i++) {
		switch (s[i]) {
		case '\t': rc = crm_buf_adds(b, "\\t"); break;
		case '\n': rc = crm_buf_adds(b, "\\n"); break;
		case '\r': rc = crm_buf_adds(b, "\\r"); break;
		case '\\': rc = crm_buf_adds(b, "\\\\"); break;
		default: rc = crm_buf_addc(b, s[i]); break;
		}
	}
	return rc;
}

static int
flush_line(struct crm_out *o)
{
	if (o->line.len > 0 &&
	    fwrite(o->line.p, 1, o->line.len, o->fp) != o->line.len)
		return crm_seterr(CRM_EIO, "write error on standard output: %s",
		    strerror(errno ? errno : EIO));
	crm_buf_reset(&o->line);
	return 0;
}

static int
delimited_row(struct crm_out *o, const char *const *vals, const size_t *lens)
{
	int (*cell)(struct crm_buf *, const char *, size_t, int) =
	    o->fmt == CRM_FMT_CSV ? csv_cell : tsv_cell;
	char sep = o->fmt == CRM_FMT_CSV ? ',' : '\t';
	int excel = (o->flags & CRM_OUT_EXCEL) != 0, rc = 0;
	size_t i;

	for (i = 0; i < o->ncols && rc == 0; i++) {
		if (i > 0)
			rc = crm_buf_addc(&o->line, sep);
		if (rc == 0 && vals != NULL && vals[i] != NULL)
			rc = cell(&o->line, vals[i], lens[i], excel);
		else if (rc == 0 && vals == NULL)
			rc = cell(&o->line, o->names[i], strlen(o->names[i]), 0);
	}
	if (rc == 0)
		rc = crm_buf_addc(&o->line, '\n');
	return rc != 0 ? rc : flush_line(o);
}

static cJSON *
json_value(enum crm_kind k, const char *s, size_t len)
{
	char *tmp;
	cJSON *v = NULL;

	if ((s == NULL || len == 0) && k == CRM_K_TAGS)
		return cJSON_CreateArray();	/* jq: .tags[] works on every record */
	if (s == NULL || len == 0)
		return cJSON_CreateNull();
	tmp = strndup(s, len);
	if (tmp == NULL)
		return NULL;
	switch (k) {
	case CRM_K_NUM: {
		/* Numbers print exactly as written (cJSON's double loses
		 * above 2^53), decimals too (a report's rates); anything else
		 * in the column (an unresolved reference) is a string, so the
		 * JSON stays valid. */
		size_t i = tmp[0] == '-', start = i;
		int ok;

		while (tmp[i] >= '0' && tmp[i] <= '9')
			i++;
		ok = i > start;
		if (ok && tmp[i] == '.') {
			start = ++i;
			while (tmp[i] >= '0' && tmp[i] <= '9')
				i++;
			ok = i > start;
		}
		v = ok && tmp[i] == '\0' ? cJSON_CreateRaw(tmp) :
		    cJSON_CreateString(tmp);
		break;
	}
	case CRM_K_BOOL:
		v = cJSON_CreateBool(strcmp(tmp, "yes") == 0 ||
		    strcmp(tmp, "true") == 0);
		break;
	case CRM_K_TAGS: {
		char *p = tmp, *semi;

		v = cJSON_CreateArray();
		while (v != NULL && p != NULL) {
			cJSON *item;

			semi = strchr(p, ';');
			if (semi)
				*semi = '\0';
			item = cJSON_CreateString(p);
			if (item == NULL || !cJSON_AddItemToArray(v, item)) {
				cJSON_Delete(item);
				cJSON_Delete(v);
				v = NULL;
				break;
			}
			p = semi ? semi + 1 : NULL;
		}
		break;
	}
	default:
		v = cJSON_CreateString(tmp);
		break;
	}
	free(tmp);
	return v;
}

static int
json_row(struct crm_out *o, const char *const *vals, const size_t *lens)
{
	cJSON *obj = cJSON_CreateObject();
	char *text = NULL;
	size_t i;
	int rc = 0;

	if (obj == NULL)
		return ENOMEM;
	for (i = 0; i < o->ncols && rc == 0; i++) {
		cJSON *v = json_value(o->kinds[i], vals[i], vals[i] ? lens[i] : 0);

		if (v == NULL || !cJSON_AddItemToObject(obj, o->names[i], v)) {
			cJSON_Delete(v);
			rc = ENOMEM;
		}
	}
	if (rc == 0) {
		text = cJSON_PrintUnformatted(obj);
		if (text == NULL)
			rc = ENOMEM;
	}
	if (rc == 0 && o->fmt == CRM_FMT_JSON)
		rc = crm_buf_adds(&o->line, o->nrows == 0 ? "[\n" : ",\n");
	if (rc == 0)
		rc = crm_buf_adds(&o->line, text);
	if (rc == 0 && o->fmt == CRM_FMT_NDJSON)
		rc = crm_buf_addc(&o->line, '\n');
	if (rc == 0)
		rc = flush_line(o);
	cJSON_free(text);
	cJSON_Delete(obj);
	return rc;
}

static int
keep_cell(struct crm_out *o, const char *s, size_t len)
{
	char *c;

	if (o->ncells == o->capcells) {
		size_t cap = o->capcells ? o->capcells * 2 : 256;
		char **p = realloc(o->cells, cap * sizeof(*p));

		if (p == NULL)
			return ENOMEM;
		o->cells = p;
		o->capcells = cap;
	}
	c = strndup(s ? s : "", s ? len : 0);
	if (c == NULL)
		return ENOMEM;
	/* A newline would break the grid: show it as the two characters \n. */
	if (strpbrk(c, "\n\r\t") != NULL) {
		struct crm_buf b = CRM_BUF_INIT;
		int rc = tsv_cell(&b, c, strlen(c), 0);

		free(c);
		if (rc != 0)
			return rc;
		c = b.p ? b.p : strdup("");
		if (c == NULL)
			return ENOMEM;
	}
	o->cells[o->ncells++] = c;
	return 0;
}

int
crm_out_row(struct crm_out *o, const char *const *vals, const size_t *lens)
{
	size_t i;
	int rc = 0;

	if (o->nrows == 0 && !(o->flags & CRM_OUT_NOHEADER) &&
	    (o->fmt == CRM_FMT_CSV || o->fmt == CRM_FMT_TSV))
		rc = delimited_row(o, NULL, NULL);
	if (rc != 0)
		return rc;
	switch (o->fmt) {
	case CRM_FMT_CSV:
	case CRM_FMT_TSV:
		rc = delimited_row(o, vals, lens);
		break;
	case CRM_FMT_JSON:
	case CRM_FMT_NDJSON:
		rc = json_row(o, vals, lens);
		break;
	case CRM_FMT_IDS:
		if (o->ncols > 0 && vals[o->idcol] != NULL) {
			rc = crm_buf_add(&o->line, vals[o->idcol], lens[o->idcol]);
			if (rc == 0)
				rc = crm_buf_addc(&o->line, '\n');
			if (rc == 0)
				rc = flush_line(o);
		}
		break;
	case CRM_FMT_TABLE:
		for (i = 0; i < o->ncols && rc == 0; i++)
			rc = keep_cell(o, vals[i], vals[i] ? lens[i] : 0);
		break;
	}
	if (rc == 0)
		o->nrows++;
	return rc;
}

/* True when cell c of table row r (0: the header) and all after it are
 * empty. */
static int
trailing_empty(const struct crm_out *o, size_t r, size_t c)
{
	for (; c < o->ncols; c++)
		if ((r == 0 ? o->names[c] : o->cells[(r - 1) * o->ncols + c])[0]
		    != '\0')
			return 0;
	return 1;
}

static int
print_table(struct crm_out *o)
{
	size_t *w, r, c, nrows = o->ncols ? o->ncells / o->ncols : 0;
	int color = (o->flags & CRM_OUT_COLOR) != 0, rc = 0;

	if (o->ncols == 0)
		return 0;
	w = calloc(o->ncols, sizeof(*w));
	if (w == NULL)
		return ENOMEM;
	for (c = 0; c < o->ncols; c++)
		w[c] = crm_utf8_width(o->names[c], strlen(o->names[c]));
	for (r = 0; r < nrows; r++)
		for (c = 0; c < o->ncols; c++) {
			const char *s = o->cells[r * o->ncols + c];
			size_t cw = crm_utf8_width(s, strlen(s));

			if (cw > w[c])
				w[c] = cw;
		}
	for (r = (o->flags & CRM_OUT_NOHEADER) ? 1 : 0; r <= nrows && rc == 0;
	    r++) {
		for (c = 0; c < o->ncols && rc == 0; c++) {
			const char *s = r == 0 ? o->names[c] :
			    o->cells[(r - 1) * o->ncols + c];
			size_t len = strlen(s), cw = crm_utf8_width(s, len), pad;
			int right = r > 0 && (o->kinds[c] == CRM_K_NUM ||
			    o->kinds[c] == CRM_K_MONEY);
			int last = c + 1 == o->ncols;
			size_t k;

			/* Nothing after the last non-empty cell of a row. */
			if (len == 0 && c > 0 && trailing_empty(o, r, c))
				break;
			for (k = c + 1, last = 1; k < o->ncols && last; k++)
				if ((r == 0 ? o->names[k] :
				    o->cells[(r - 1) * o->ncols + k])[0] != '\0')
					last = 0;
			/* Nor separators before empty cells that end it. */
			if (len == 0 && last)
				break;

			pad = w[c] - cw;
			if (c > 0)
				rc = crm_buf_adds(&o->line, "  ");
			if (rc == 0 && r == 0 && color)
				rc = crm_buf_adds(&o->line, "\033[1m");
			while (rc == 0 && right && pad > 0) {
				rc = crm_buf_addc(&o->line, ' ');
				pad--;
			}
			if (rc == 0)
				rc = crm_buf_add(&o->line, s, len);
			if (rc == 0 && r == 0 && color)
				rc = crm_buf_adds(&o->line, "\033[0m");
			while (rc == 0 && !last && pad > 0) {
				rc = crm_buf_addc(&o->line, ' ');
				pad--;
			}
		}
		if (rc == 0)
			rc = crm_buf_addc(&o->line, '\n');
		if (rc == 0)
			rc = flush_line(o);
	}
	free(w);
	return rc;
}

int
crm_out_end(struct crm_out *o)
{
	int rc = 0;

	switch (o->fmt) {
	case CRM_FMT_CSV:
	case CRM_FMT_TSV:
		/* An empty result still names its columns. */
		if (o->nrows == 0 && !(o->flags & CRM_OUT_NOHEADER))
			rc = delimited_row(o, NULL, NULL);
		break;
	case CRM_FMT_JSON:
		rc = crm_buf_adds(&o->line, o->nrows == 0 ? "[]\n" : "\n]\n");
		if (rc == 0)
			rc = flush_line(o);
		break;
	case CRM_FMT_TABLE:
		if (o->nrows > 0)
			rc = print_table(o);
		break;
	default:
		break;
	}
	if (rc == 0 && fflush(o->fp) != 0)
		rc = EIO;
	if (rc == EIO)
		rc = crm_seterr(CRM_EIO, "write error on standard output: %s",
		    strerror(errno ? errno : EIO));
	return rc;
}

void
crm_out_free(struct crm_out *o)
{
	size_t i;

	if (o == NULL)
		return;
	for (i = 0; i < o->ncols; i++)
		free(o->names ? o->names[i] : NULL);
	for (i = 0; i < o->ncells; i++)
		free(o->cells[i]);
	free(o->cells);
	free(o->names);
	free(o->kinds);
	crm_buf_free(&o->line);
	free(o);
}

enum crm_kind
crm_field_kind(const struct crm_field *f)
{
	switch (f->type) {
	case CRM_T_INT:
	case CRM_T_REF:
		return CRM_K_NUM;
	case CRM_T_MONEY:
		return CRM_K_MONEY;
	case CRM_T_BOOL:
		return CRM_K_BOOL;
	case CRM_T_TAGS:
		return CRM_K_TAGS;
	default:
		return CRM_K_STR;
	}
}

int
crm_out_record(struct crm_out *o, const struct crm_colspec *cols, size_t n,
    const struct crm_rec *r)
{
	struct crm_buf b = CRM_BUF_INIT;
	const char **vals = NULL;
	size_t *lens = NULL, *offs = NULL, i;
	int rc = 0;

	vals = calloc(n ? n : 1, sizeof(*vals));
	lens = calloc(n ? n : 1, sizeof(*lens));
	offs = calloc(n ? n : 1, sizeof(*offs));
	if (vals == NULL || lens == NULL || offs == NULL) {
		rc = ENOMEM;
		goto done;
	}
	/* Text forms go into one buffer; pointers are fixed up after. */
	for (i = 0; i < n && rc == 0; i++) {
		offs[i] = b.len;
		if (cols[i].field >= 0)
			rc = crm_rec_text(r, cols[i].field, &b);
		else {
			const struct crm_custom *c = crm_rec_custom(r,
			    cols[i].custom, strlen(cols[i].custom));

			if (c != NULL)
				rc = crm_buf_add(&b, c->s, c->len);
		}
		lens[i] = b.len - offs[i];
	}
	for (i = 0; i < n && rc == 0; i++)
		vals[i] = lens[i] ? b.p + offs[i] : NULL;
	if (rc == 0)
		rc = crm_out_row(o, vals, lens);
done:
	crm_buf_free(&b);
	free(vals);
	free(lens);
	free(offs);
	return rc;
}

void *
crm_json_value(enum crm_kind k, const char *s, size_t len)
{
	return json_value(k, s, len);
}

void *
crm_rec_json(const struct crm_colspec *cols, size_t n, const struct crm_rec *r)
{
	struct crm_buf b = CRM_BUF_INIT;
	cJSON *obj = cJSON_CreateObject(), *v;
	size_t i;

	for (i = 0; i < n && obj != NULL; i++) {
		const char *name;
		enum crm_kind k;
		int rc = 0;

		crm_buf_reset(&b);
		if (cols[i].field >= 0) {
			name = r->ent->fields[cols[i].field].name;
			k = crm_field_kind(&r->ent->fields[cols[i].field]);
			rc = crm_rec_text(r, cols[i].field, &b);
		} else {
			const struct crm_custom *c = crm_rec_custom(r,
			    cols[i].custom, strlen(cols[i].custom));

			name = cols[i].custom;
			k = CRM_K_STR;
			if (c != NULL)
				rc = crm_buf_add(&b, c->s, c->len);
		}
		v = rc == 0 ? json_value(k, b.p, b.len) : NULL;
		if (v == NULL || !cJSON_AddItemToObject(obj, name, v)) {
			cJSON_Delete(v);
			cJSON_Delete(obj);
			obj = NULL;
		}
	}
	crm_buf_free(&b);
	return obj;
}
