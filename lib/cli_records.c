/*
 * cli_records.c — list, show, add, set, tag, delete, history and undo
 * for any entity.  Writes run in crm_write callbacks that start from
 * scratch on every attempt (the map may grow), and collect their
 * messages to print once the transaction is over.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cJSON.h>

#include "cli_records.h"
#include "customer.h"
#include "import.h"

#define MAX_REPORTED 50	/* row errors printed before "and N more" */

/* ---- helpers ------------------------------------------------------------ */

int
crm_cli_ref(struct crm_txn *tx, const struct crm_entity *e, const char *arg,
    uint64_t *id)
{
	return crm_lookup(tx, e, arg, strlen(arg), id);
}

/* Parses "field=value" into a record. */
static int
set_pair(struct crm_rec *r, const char *arg, int64_t now)
{
	const char *eq = strchr(arg, '=');

	if (eq == NULL || eq == arg)
		return crm_seterr(CRM_EUSAGE,
		    "\"%s\": expected FIELD=VALUE", arg);
	return crm_rec_set(r, arg, (size_t)(eq - arg), eq + 1, strlen(eq + 1),
	    now, 0);
}

/* Collected "name:line: detail" messages, printed after the write. */
struct msgs {
	struct crm_buf text;
	size_t n;
};

static void
print_msgs(struct msgs *m)
{
	const char *p = m->text.p, *nl;

	while (p != NULL && *p != '\0') {
		nl = strchr(p, '\n');
		crm_warn("%.*s", (int)(nl ? nl - p : (long)strlen(p)), p);
		p = nl ? nl + 1 : NULL;
	}
	if (m->n > MAX_REPORTED)
		crm_warn("... and %zu more errors", m->n - MAX_REPORTED);
	crm_buf_free(&m->text);
}

static int
open_reader(struct crm_ctx *ctx, FILE *fp, struct crm_reader **r)
{
	const char *f = crm_opt(ctx, "input-format");
	enum crm_infmt fmt = CRM_IN_AUTO;
	int rc;

	if (f != NULL) {
		rc = crm_infmt_parse(f, &fmt);
		if (rc != 0)
			return rc;
	}
	if (fseeko(fp, 0, SEEK_SET) != 0 && fp != stdin)
		return errno;
	clearerr(fp);
	return crm_reader_new(r, fp, fmt);
}

/* ---- list --------------------------------------------------------------- */

struct item {
	uint64_t id;
	const void *data;
	size_t len;
	int64_t num;
	const char *s;
	size_t slen;
	int empty;
};

struct sortctx {
	const struct crm_sort *sort;
	struct crm_rec *a, *b;
	int numeric;
};

static int
cmp_items(const void *x, const void *y, void *arg)
{
	const struct item *p = x, *q = y;
	struct sortctx *sc = arg;
	int c = 0;

	if (p->empty != q->empty)
		return p->empty ? 1 : -1;
	if (!p->empty) {
		if (sc->numeric)
			c = p->num < q->num ? -1 : p->num > q->num;
		else if (sc->sort->field[0] < 0)
			c = crm_value_cmp(p->s, p->slen, q->s, q->slen);
		else {
			size_t n = p->slen < q->slen ? p->slen : q->slen;

			c = memcmp(p->s, q->s, n);
			if (c == 0)
				c = p->slen < q->slen ? -1 : p->slen > q->slen;
		}
		if (sc->sort->desc[0])
			c = -c;
	}
	if (c != 0)
		return c;
	if (sc->sort->n > 1 && p->data != NULL && q->data != NULL &&
	    crm_rec_decode(sc->a, p->id, p->data, p->len, 0) == 0 &&
	    crm_rec_decode(sc->b, q->id, q->data, q->len, 0) == 0)
		return crm_sort_cmp(sc->sort, sc->a, sc->b);
	return p->id < q->id ? -1 : p->id > q->id;
}

/* The first sort key of r, extracted once per record. */
static void
sort_key(const struct crm_sort *s, const struct crm_rec *r, struct item *it)
{
	int f = s->field[0];

	it->empty = 1;
	if (f < 0) {
		const struct crm_custom *c = crm_rec_custom(r, s->custom[0],
		    strcspn(s->custom[0], ","));

		if (c != NULL && c->len > 0) {
			it->s = c->s;
			it->slen = c->len;
			it->empty = 0;
		}
		return;
	}
	if (f == CRM_FLD_ID) {
		it->num = (int64_t)r->id;
		it->empty = 0;
		return;
	}
	if (r->v[f].state == CRM_V_EMPTY)
		return;
	it->empty = 0;
	it->num = r->v[f].i;
	it->s = r->v[f].s;
	it->slen = r->v[f].len;
}

static int
sort_numeric(const struct crm_sort *s, const struct crm_entity *e)
{
	int f = s->field[0];
	enum crm_type t;

	if (f < 0)
		return 0;
	if (f == CRM_FLD_ID)
		return 1;
	t = e->fields[f].type;
	return t == CRM_T_INT || t == CRM_T_MONEY || t == CRM_T_DATE ||
	    t == CRM_T_TIME || t == CRM_T_BOOL || t == CRM_T_REF;
}

int
crm_cli_list(struct crm_ctx *ctx, const struct crm_entity *e,
    const char *const *extra, size_t nextra)
{
	struct crm_txn tx;
	struct crm_filter flt;
	struct crm_sort sort;
	struct crm_out *out = NULL;
	struct crm_iter *it = NULL;
	struct crm_rec *r = NULL;
	struct crm_colspec *cols = NULL;
	const char **names = NULL;
	enum crm_kind *kinds = NULL;
	struct crm_buf store = CRM_BUF_INIT;
	struct item *items = NULL;
	size_t ncols = 0, nitems = 0, cap = 0, nw, i, shown = 0;
	char *const *where;
	const char *sortspec = crm_opt(ctx, "sort"), *itext;
	size_t ilen;
	int64_t limit;
	uint64_t fmask;
	int rc, txopen = 0, ifield, fcustoms, sorting = sortspec != NULL;

	crm_filter_init(&flt, e);
	memset(&sort, 0, sizeof(sort));
	rc = crm_opt_int(ctx, "limit", INT64_MAX, &limit);
	if (rc != 0)
		goto done;
	rc = crm_read_begin(ctx->db, &tx);
	if (rc != 0)
		goto done;
	txopen = 1;
	where = crm_optv(ctx, "where", &nw);
	for (i = 0; i < nw && rc == 0; i++)
		rc = crm_filter_add(&flt, &tx, where[i], tx.now);
	for (i = 0; i < nextra && rc == 0; i++)
		rc = crm_filter_add(&flt, &tx, extra[i], tx.now);
	if (rc == 0 && sorting)
		rc = crm_sort_parse(&sort, e, sortspec);
	if (rc == 0)
		rc = crm_ctx_columns(ctx, &tx, e, &cols, &names, &kinds, &ncols,
		    &store);
	if (rc == 0)
		rc = crm_ctx_out(ctx, &out);
	if (rc == 0)
		rc = crm_out_columns(out, names, kinds, ncols);
	if (rc != 0)
		goto done;
	r = crm_rec_new(e);
	if (r == NULL) {
		rc = ENOMEM;
		goto done;
	}
	/* An equality on an indexed field reads only the matching ids. */
	ifield = crm_filter_indexable(&flt, &itext, &ilen);
	crm_filter_fields(&flt, &fmask, &fcustoms);
	rc = ifield >= 0 ? crm_iter_index(&tx, e, ifield, itext, ilen, &it) :
	    crm_iter_all(&tx, e, &it);
	while (rc == 0 && (sorting || (int64_t)shown < limit)) {
		uint64_t id;
		const void *data;
		size_t len;

		rc = crm_iter_next(it, &id, &data, &len);
		if (rc != 0)
			break;
		if (data == NULL) {
			MDB_val k, v;
			unsigned char kb[8];

			crm_be64_put(kb, id);
			k.mv_data = kb;
			k.mv_size = 8;
			rc = mdb_get(tx.t, crm_db_records(ctx->db, e), &k, &v);
			if (rc == MDB_NOTFOUND) {
				rc = 0;	/* index ahead of a deletion: skip */
				continue;
			}
			if (rc != 0)
				break;
			data = v.mv_data;
			len = v.mv_size;
		}
		/* Test the filter on the fields it reads, then decode whole. */
		if (flt.n > 0) {
			rc = crm_rec_decode_some(r, id, data, len, fmask, fcustoms);
			if (rc != 0 || !crm_filter_match(&flt, r))
				continue;
		}
		rc = crm_rec_decode(r, id, data, len, CRM_DECODE_BORROW);
		if (rc != 0)
			continue;
		if (!sorting) {
			rc = crm_out_record(out, cols, ncols, r);
			shown++;
			continue;
		}
		if (nitems == cap) {
			struct item *p;

			cap = cap ? cap * 2 : 1024;
			p = realloc(items, cap * sizeof(*p));
			if (p == NULL) {
				rc = ENOMEM;
				break;
			}
			items = p;
		}
		items[nitems].id = id;
		items[nitems].data = data;
		items[nitems].len = len;
		sort_key(&sort, r, &items[nitems]);
		nitems++;
	}
	if (rc == CRM_ENOTFOUND)
		rc = 0;
	if (rc == 0 && sorting) {
		struct sortctx sc = { &sort, crm_rec_new(e), crm_rec_new(e),
			sort_numeric(&sort, e) };

		if (sc.a == NULL || sc.b == NULL)
			rc = ENOMEM;
		else if (nitems > 1)
			qsort_r(items, nitems, sizeof(*items), cmp_items, &sc);
		crm_rec_free(sc.a);
		crm_rec_free(sc.b);
		for (i = 0; i < nitems && (int64_t)i < limit && rc == 0; i++) {
			rc = crm_rec_decode(r, items[i].id, items[i].data,
			    items[i].len, CRM_DECODE_BORROW);
			if (rc == 0)
				rc = crm_out_record(out, cols, ncols, r);
		}
	}
	if (rc == 0)
		rc = crm_out_end(out);
done:
	if (txopen)
		crm_txn_end(&tx);
	crm_filter_free(&flt);
	crm_iter_free(it);
	crm_rec_free(r);
	crm_out_free(out);
	free(items);
	free(cols);
	free(names);
	free(kinds);
	crm_buf_free(&store);
	return rc;
}

int
crm_cli_list_of(struct crm_ctx *ctx, const struct crm_entity *e,
    const char *field)
{
	int f = crm_field_find(e, field, strlen(field));
	char preset[96];
	const char *p[1] = { preset };
	struct crm_txn tx;
	uint64_t id;
	int rc;

	if (ctx->argc == 0)
		return crm_cli_list(ctx, e, NULL, 0);
	rc = crm_read_begin(ctx->db, &tx);
	if (rc != 0)
		return rc;
	rc = crm_cli_ref(&tx, crm_entity_find(e->fields[f].ref), ctx->argv[0],
	    &id);
	crm_txn_end(&tx);
	snprintf(preset, sizeof(preset), "%s=%llu", field,
	    (unsigned long long)id);
	return rc != 0 ? rc : crm_cli_list(ctx, e, p, 1);
}

struct eachjob {
	struct crm_ctx *ctx;
	struct crm_each *each;
};

static int
each_fn(struct crm_txn *tx, void *arg)
{
	struct eachjob *j = arg;
	struct crm_each *ea = j->each;
	size_t i;
	int rc = 0;

	ea->changed = 0;
	if (!ea->read) {
		rc = crm_cli_refs(j->ctx, tx, ea->e, j->ctx->argv, ea->nargs,
		    &ea->ids, &ea->n);
		if (rc != 0)
			return rc;
		ea->read = 1;
	}
	for (i = 0; i < ea->n && rc == 0; i++) {
		rc = ea->fn(tx, ea->ids[i], ea->arg);
		if (rc == 0)
			ea->changed++;
		if (rc == 1)
			rc = 0;
	}
	return rc;
}

int
crm_cli_each(struct crm_ctx *ctx, struct crm_each *each)
{
	struct eachjob j = { ctx, each };
	int rc = crm_write(ctx->db, each_fn, &j);

	free(each->ids);
	each->ids = NULL;
	return rc;
}

int
crm_cmd_add(struct crm_ctx *ctx)
{
	return crm_cli_add(ctx, crm_entity_find(ctx->cmd->entity), ctx->argv,
	    ctx->argc, NULL, 0);
}

int
crm_cmd_list(struct crm_ctx *ctx)
{
	return crm_cli_list(ctx, crm_entity_find(ctx->cmd->entity), NULL, 0);
}

int
crm_cmd_set(struct crm_ctx *ctx)
{
	return crm_cli_set(ctx, crm_entity_find(ctx->cmd->entity));
}

/* ---- rows of mixed values ------------------------------------------------ */

static int
row_next(struct crm_row_out *row, int rc)
{
	if (rc == 0 && row->n == CRM_ROW_MAX)
		rc = crm_seterr(CRM_EUSAGE, "too many columns");
	if (rc == 0)
		row->off[++row->n] = row->b.len;
	return rc;
}

int
crm_row_field(struct crm_row_out *row, const struct crm_rec *r,
    const char *field)
{
	int f = r != NULL ? crm_field_find(r->ent, field, strlen(field)) : -1;

	return row_next(row, f >= 0 ? crm_rec_text(r, f, &row->b) : 0);
}

int
crm_row_text(struct crm_row_out *row, const char *s, size_t len)
{
	return row_next(row, s != NULL ? crm_buf_add(&row->b, s, len) : 0);
}

int
crm_row_int(struct crm_row_out *row, int64_t v)
{
	return row_next(row, crm_int_format(&row->b, v));
}

int
crm_row_money(struct crm_row_out *row, int64_t minor, int exponent)
{
	return row_next(row, crm_money_format(&row->b, minor, exponent));
}

int
crm_row_emit(struct crm_row_out *row, struct crm_out *out)
{
	const char *vals[CRM_ROW_MAX];
	size_t lens[CRM_ROW_MAX], i;
	int rc;

	for (i = 0; i < row->n; i++) {
		lens[i] = row->off[i + 1] - row->off[i];
		vals[i] = lens[i] ? row->b.p + row->off[i] : NULL;
	}
	rc = crm_out_row(out, vals, lens);
	crm_buf_reset(&row->b);
	row->n = 0;
	return rc;
}

void
crm_row_free(struct crm_row_out *row)
{
	crm_buf_free(&row->b);
	row->n = 0;
}

/* ---- show --------------------------------------------------------------- */

struct collected {
	struct crm_rec **recs;
	size_t n, cap;
	struct crm_grid grid;
};

int
crm_grid_add(struct crm_grid *g, const char *s, size_t len)
{
	int rc = crm_buf_add(&g->text, s != NULL ? s : "", s != NULL ? len : 0);

	if (rc == 0)
		rc = crm_buf_addc(&g->text, '\0');
	if (rc == 0)
		g->ncells++;
	return rc;
}

/* The grid's cells in turn: *p starts NULL. */
static const char *
grid_next(const struct crm_grid *g, const char *p)
{
	return p == NULL ? g->text.p : p + strlen(p) + 1;
}

static size_t
grid_rows(const struct crm_grid *g)
{
	return g->ncols ? g->ncells / g->ncols : 0;
}

static int
print_grid(const struct crm_grid *g, unsigned flags)
{
	struct crm_out *out = NULL;
	const char *vals[32], *p = NULL;
	size_t lens[32], r, c;
	int rc;

	if (grid_rows(g) == 0 || g->ncols > 32)
		return 0;
	rc = crm_out_new(&out, stdout, CRM_FMT_TABLE, flags);
	if (rc == 0)
		rc = crm_out_columns(out, g->names, g->kinds, g->ncols);
	for (r = 0; r < grid_rows(g) && rc == 0; r++) {
		for (c = 0; c < g->ncols; c++) {
			p = grid_next(g, p);
			vals[c] = p;
			lens[c] = strlen(p);
		}
		rc = crm_out_row(out, vals, lens);
	}
	if (rc == 0)
		rc = crm_out_end(out);
	crm_out_free(out);
	return rc;
}

static cJSON *
grid_json(const struct crm_grid *g)
{
	cJSON *arr = cJSON_CreateArray(), *o = NULL, *v;
	const char *p = NULL;
	size_t r, c;

	for (r = 0; arr != NULL && r < grid_rows(g); r++) {
		o = cJSON_CreateObject();
		if (o == NULL || !cJSON_AddItemToArray(arr, o))
			goto fail;
		for (c = 0; c < g->ncols; c++) {
			p = grid_next(g, p);
			v = crm_json_value(g->kinds[c], p, strlen(p));
			if (v == NULL || !cJSON_AddItemToObject(o, g->names[c], v)) {
				cJSON_Delete(v);
				goto fail;
			}
		}
		o = NULL;
	}
	return arr;
fail:
	cJSON_Delete(arr);
	return NULL;
}

static int
count_ref(const struct crm_rec *r, void *arg)
{
	(void)r;
	(*(size_t *)arg)++;
	return 0;
}

static int
collect_rec(const struct crm_rec *r, void *arg)
{
	struct collected *c = arg;
	struct crm_rec *copy;

	if (c->n == c->cap) {
		size_t cap = c->cap ? c->cap * 2 : 16;
		struct crm_rec **p = realloc(c->recs, cap * sizeof(*p));

		if (p == NULL)
			return ENOMEM;
		c->recs = p;
		c->cap = cap;
	}
	copy = crm_rec_new(r->ent);
	if (copy == NULL || crm_rec_copy(copy, r) != 0) {
		crm_rec_free(copy);
		return ENOMEM;
	}
	c->recs[c->n++] = copy;
	return 0;
}

static const struct crm_sort *section_sort;

static int
cmp_recs(const void *a, const void *b)
{
	return crm_sort_cmp(section_sort, *(struct crm_rec *const *)a,
	    *(struct crm_rec *const *)b);
}

/* Drops the collected records that do not meet expr. */
static int
keep_where(struct crm_txn *tx, const struct crm_entity *e, const char *expr,
    struct collected *c)
{
	struct crm_filter f;
	size_t i, k = 0;
	int rc;

	crm_filter_init(&f, e);
	rc = crm_filter_add(&f, tx, expr, tx->now);
	for (i = 0; i < c->n && rc == 0; i++) {
		if (crm_filter_match(&f, c->recs[i]))
			c->recs[k++] = c->recs[i];
		else
			crm_rec_free(c->recs[i]);
	}
	if (rc == 0)
		c->n = k;
	crm_filter_free(&f);
	return rc;
}

/* A section title as a JSON key: "open tickets" is open_tickets. */
static const char *
json_key(const char *title, char *buf, size_t len)
{
	size_t i;

	for (i = 0; title[i] != '\0' && i + 1 < len; i++)
		buf[i] = title[i] == ' ' ? '_' : title[i];
	buf[i] = '\0';
	return buf;
}

static void
free_collected(struct collected *c)
{
	size_t i;

	for (i = 0; i < c->n; i++)
		crm_rec_free(c->recs[i]);
	free(c->recs);
	c->recs = NULL;
	c->n = c->cap = 0;
	crm_buf_free(&c->grid.text);
}

/* Every field with a value, then custom fields: the columns of a show. */
static int
full_columns(struct crm_rec *r, int brief, struct crm_colspec **cols,
    size_t *n)
{
	size_t i, k = 0;
	int f;

	*cols = calloc((size_t)r->ent->nfields + r->ncust + 1, sizeof(**cols));
	if (*cols == NULL)
		return ENOMEM;
	for (f = 0; f < r->ent->nfields; f++)
		if (!brief || (r->ent->fields[f].flags & CRM_F_BRIEF)) {
			(*cols)[k].field = f;
			k++;
		}
	for (i = 0; i < r->ncust && !brief; i++) {
		/* Names may be borrowed from the map, without a NUL. */
		(*cols)[k].field = -1;
		(*cols)[k].custom = crm_rec_strdup(r, r->cust[i].name,
		    r->cust[i].nlen);
		if ((*cols)[k].custom == NULL)
			return ENOMEM;
		k++;
	}
	*n = k;
	return 0;
}

static int
names_kinds(const struct crm_entity *e, const struct crm_colspec *cols,
    size_t n, const char ***names, enum crm_kind **kinds)
{
	size_t i;

	*names = calloc(n ? n : 1, sizeof(**names));
	*kinds = calloc(n ? n : 1, sizeof(**kinds));
	if (*names == NULL || *kinds == NULL)
		return ENOMEM;
	for (i = 0; i < n; i++) {
		(*names)[i] = cols[i].field >= 0 ? e->fields[cols[i].field].name :
		    cols[i].custom;
		(*kinds)[i] = cols[i].field >= 0 ?
		    crm_field_kind(&e->fields[cols[i].field]) : CRM_K_STR;
	}
	return 0;
}

/* A small table of records (a show section) on stdout. */
static int
print_table(const struct crm_entity *e, struct crm_rec **recs, size_t n,
    unsigned flags)
{
	struct crm_out *out = NULL;
	struct crm_colspec *cols = NULL;
	const char **names = NULL;
	enum crm_kind *kinds = NULL;
	size_t ncols = 0, i;
	int rc;

	if (n == 0)
		return 0;
	rc = full_columns(recs[0], 1, &cols, &ncols);
	if (rc == 0)
		rc = names_kinds(e, cols, ncols, &names, &kinds);
	if (rc == 0)
		rc = crm_out_new(&out, stdout, CRM_FMT_TABLE, flags);
	if (rc == 0)
		rc = crm_out_columns(out, names, kinds, ncols);
	for (i = 0; i < n && rc == 0; i++)
		rc = crm_out_record(out, cols, ncols, recs[i]);
	if (rc == 0)
		rc = crm_out_end(out);
	crm_out_free(out);
	free(cols);
	free(names);
	free(kinds);
	return rc;
}

/* The record itself, as "field  value" lines. */
static int
print_vertical(const struct crm_rec *r, unsigned flags)
{
	struct crm_out *out = NULL;
	struct crm_buf b = CRM_BUF_INIT;
	static const char *const names[] = { "field", "value" };
	const char *vals[2];
	size_t lens[2], i;
	int rc, f;

	rc = crm_out_new(&out, stdout, CRM_FMT_TABLE, flags | CRM_OUT_NOHEADER);
	if (rc == 0)
		rc = crm_out_columns(out, names, NULL, 2);
	for (f = 0; f < r->ent->nfields && rc == 0; f++) {
		crm_buf_reset(&b);
		rc = crm_rec_text(r, f, &b);
		if (rc != 0 || b.len == 0)
			continue;
		vals[0] = r->ent->fields[f].name;
		lens[0] = strlen(vals[0]);
		vals[1] = b.p;
		lens[1] = b.len;
		rc = crm_out_row(out, vals, lens);
	}
	for (i = 0; i < r->ncust && rc == 0; i++) {
		if (r->cust[i].len == 0)
			continue;
		vals[0] = r->cust[i].name;
		lens[0] = r->cust[i].nlen;
		vals[1] = r->cust[i].s;
		lens[1] = r->cust[i].len;
		rc = crm_out_row(out, vals, lens);
	}
	if (rc == 0)
		rc = crm_out_end(out);
	crm_out_free(out);
	crm_buf_free(&b);
	return rc;
}

int
crm_cli_show(struct crm_ctx *ctx, const struct crm_entity *e,
    const struct crm_section *sections, size_t nsections)
{
	struct crm_txn tx;
	struct crm_rec *r = NULL;
	struct collected *sec = NULL;
	struct crm_colspec *cols = NULL;
	cJSON *obj = NULL;
	char key[64];
	char *text = NULL;
	uint64_t id;
	size_t ncols, i, j;
	enum crm_fmt fmt = crm_ctx_format(ctx);
	int rc, txopen = 0;
	unsigned flags = 0;

	if (crm_opt(ctx, "format") != NULL &&
	    (rc = crm_fmt_parse(crm_opt(ctx, "format"), &fmt)) != 0)
		return rc;
	rc = crm_read_begin(ctx->db, &tx);
	if (rc != 0)
		return rc;
	txopen = 1;
	r = crm_rec_new(e);
	sec = calloc(nsections ? nsections : 1, sizeof(*sec));
	if (r == NULL || sec == NULL) {
		rc = ENOMEM;
		goto done;
	}
	rc = crm_cli_ref(&tx, e, ctx->argv[0], &id);
	if (rc == 0)
		rc = crm_fetch(&tx, r, id);
	if (rc != 0)
		goto done;
	if (fmt != CRM_FMT_TABLE && fmt != CRM_FMT_JSON) {
		/* One row in the usual columns: CSV, TSV, NDJSON, ids. */
		rc = crm_cli_print_records(ctx, &tx, e, &id, 1);
		goto done;
	}
	for (i = 0; i < nsections && rc == 0; i++) {
		const struct crm_entity *of;
		struct crm_sort s;

		if (sections[i].compute != NULL) {
			rc = sections[i].compute(&tx, r, &sec[i].grid);
			continue;
		}
		of = crm_entity_find(sections[i].entity);
		rc = crm_refs_each(&tx, e, id, of, collect_rec, &sec[i]);
		if (rc == 0 && sections[i].where != NULL)
			rc = keep_where(&tx, of, sections[i].where, &sec[i]);
		if (rc == 0 && sections[i].sort != NULL) {
			char spec[64];

			snprintf(spec, sizeof(spec), "%s%s",
			    sections[i].desc ? "-" : "", sections[i].sort);
			rc = crm_sort_parse(&s, of, spec);
			section_sort = &s;
			if (rc == 0 && sec[i].n > 1)
				qsort(sec[i].recs, sec[i].n, sizeof(*sec[i].recs),
				    cmp_recs);
		}
		if (sections[i].limit > 0 && sec[i].n > sections[i].limit) {
			for (j = sections[i].limit; j < sec[i].n; j++)
				crm_rec_free(sec[i].recs[j]);
			sec[i].n = sections[i].limit;
		}
	}
	if (rc != 0)
		goto done;
	if (fmt == CRM_FMT_JSON) {
		rc = full_columns(r, 0, &cols, &ncols);
		obj = rc == 0 ? crm_rec_json(cols, ncols, r) : NULL;
		for (i = 0; i < nsections && obj != NULL; i++) {
			cJSON *arr = sections[i].compute != NULL ?
			    grid_json(&sec[i].grid) : cJSON_CreateArray();

			for (j = 0; arr != NULL && j < sec[i].n; j++) {
				struct crm_colspec *sc = NULL;
				size_t sn;
				cJSON *o = NULL;

				if (full_columns(sec[i].recs[j], 0, &sc, &sn) == 0)
					o = crm_rec_json(sc, sn, sec[i].recs[j]);
				free(sc);
				if (o == NULL || !cJSON_AddItemToArray(arr, o)) {
					cJSON_Delete(o);
					cJSON_Delete(arr);
					arr = NULL;
				}
			}
			if (arr == NULL || !cJSON_AddItemToObject(obj,
			    json_key(sections[i].title, key, sizeof(key)), arr)) {
				cJSON_Delete(arr);
				rc = ENOMEM;
				break;
			}
		}
		if (rc == 0 && obj == NULL)
			rc = ENOMEM;
		if (rc == 0)
			text = cJSON_PrintUnformatted(obj);
		if (rc == 0 && text == NULL)
			rc = ENOMEM;
		if (rc == 0)
			printf("%s\n", text);
		goto done;
	}
	if (isatty(STDOUT_FILENO) && (getenv("NO_COLOR") == NULL ||
	    getenv("NO_COLOR")[0] == '\0'))
		flags |= CRM_OUT_COLOR;
	rc = print_vertical(r, flags);
	for (i = 0; i < nsections && rc == 0; i++) {
		if (sections[i].compute != NULL && grid_rows(&sec[i].grid) > 0) {
			printf("\n%s:\n", sections[i].title);
			rc = print_grid(&sec[i].grid, flags);
		}
		if (sec[i].n == 0)
			continue;
		printf("\n%s:\n", sections[i].title);
		rc = print_table(crm_entity_find(sections[i].entity),
		    sec[i].recs, sec[i].n, flags);
	}
done:
	for (i = 0; sec != NULL && i < nsections; i++)
		free_collected(&sec[i]);
	free(sec);
	free(cols);
	cJSON_free(text);
	cJSON_Delete(obj);
	crm_rec_free(r);
	if (txopen)
		crm_txn_end(&tx);
	return rc;
}

int
crm_cli_print_records(struct crm_ctx *ctx, struct crm_txn *tx,
    const struct crm_entity *e, const uint64_t *ids, size_t n)
{
	struct crm_out *out = NULL;
	struct crm_rec *r = NULL;
	struct crm_colspec *cols = NULL;
	const char **names = NULL;
	enum crm_kind *kinds = NULL;
	struct crm_buf store = CRM_BUF_INIT;
	size_t ncols = 0, i;
	int rc;

	r = crm_rec_new(e);
	if (r == NULL)
		return ENOMEM;
	rc = crm_ctx_columns(ctx, tx, e, &cols, &names, &kinds, &ncols, &store);
	if (rc == 0)
		rc = crm_ctx_out(ctx, &out);
	if (rc == 0)
		rc = crm_out_columns(out, names, kinds, ncols);
	for (i = 0; i < n && rc == 0; i++) {
		rc = crm_fetch(tx, r, ids[i]);
		if (rc == 0)
			rc = crm_out_record(out, cols, ncols, r);
	}
	if (rc == 0)
		rc = crm_out_end(out);
	crm_out_free(out);
	crm_rec_free(r);
	free(cols);
	free(names);
	free(kinds);
	crm_buf_free(&store);
	return rc;
}

/* ---- add and set ------------------------------------------------------------ */

/*
 * Records from stdin go through the import engine (lib/import.c), so
 * `add -` and `set -` check, match and report exactly as crm-import
 * does: add refuses a row whose unique key exists, set refuses one that
 * names no record.
 */
struct rowsjob {
	struct msgs msgs;
	uint64_t *ids;
	size_t nids, capids;
	int attempt;
};

static int
rows_report(void *arg, const struct crm_import_event *ev)
{
	struct rowsjob *j = arg;

	if (ev->attempt != j->attempt) {
		/* A rerun after growing the map: start the lists again. */
		j->attempt = ev->attempt;
		crm_buf_reset(&j->msgs.text);
		j->msgs.n = 0;
		j->nids = 0;
	}
	if (ev->outcome == CRM_ROW_REJECTED) {
		j->msgs.n++;
		if (j->msgs.n > MAX_REPORTED)
			return 0;
		return crm_buf_printf(&j->msgs.text, "%s:%zu: %s\n", ev->file,
		    ev->line, ev->reason);
	}
	if (ev->outcome != CRM_ROW_CREATED)
		return 0;
	if (j->nids == j->capids) {
		size_t cap = j->capids ? j->capids * 2 : 64;
		uint64_t *p = realloc(j->ids, cap * sizeof(*p));

		if (p == NULL)
			return ENOMEM;
		j->ids = p;
		j->capids = cap;
	}
	j->ids[j->nids++] = ev->id;
	return 0;
}

static int
rows_run(struct crm_ctx *ctx, struct crm_import *opt, struct rowsjob *j,
    struct crm_import_stats *st)
{
	struct crm_import_input in = { NULL, "-" };
	const char *f = crm_opt(ctx, "input-format");
	int rc;

	if (f != NULL && (rc = crm_infmt_parse(f, &opt->fmt)) != 0)
		return rc;
	opt->report = rows_report;
	opt->arg = j;
	rc = crm_open_input("-", 1, &in.fp);
	if (rc == 0)
		rc = crm_import_run(ctx->db, opt, &in, 1, st);
	if (in.fp != NULL && in.fp != stdin)
		fclose(in.fp);
	if (j->msgs.n > 0) {
		size_t nerr = j->msgs.n;

		print_msgs(&j->msgs);
		rc = crm_seterr(CRM_EDATA, "nothing %s: %zu error%s",
		    opt->on_new == CRM_ONNEW_CREATE ? "added" : "changed", nerr,
		    nerr == 1 ? "" : "s");
	}
	return rc;
}

struct addjob {
	const struct crm_entity *e;
	char **args;
	int nargs;
	const char *const *preset;
	size_t npreset;
	uint64_t id;
};

static int
add_fn(struct crm_txn *tx, void *arg)
{
	struct addjob *j = arg;
	struct crm_rec *r;
	size_t k;
	int rc = 0, i;

	r = crm_rec_new(j->e);
	if (r == NULL)
		return ENOMEM;
	for (i = 0; i < j->nargs && rc == 0; i++) {
		if (i == 0 && strchr(j->args[0], '=') == NULL) {
			const char *t = j->e->fields[j->e->title].name;

			rc = crm_rec_set(r, t, strlen(t), j->args[0],
			    strlen(j->args[0]), tx->now, 0);
		}
		else
			rc = set_pair(r, j->args[i], tx->now);
	}
	for (k = 0; k < j->npreset && rc == 0; k++)
		rc = set_pair(r, j->preset[k], tx->now);
	if (rc == 0)
		rc = crm_insert(tx, r);
	if (rc == 0)
		j->id = r->id;
	crm_rec_free(r);
	return rc;
}

int
crm_cli_add(struct crm_ctx *ctx, const struct crm_entity *e, char **args,
    int nargs, const char *const *preset, size_t npreset)
{
	struct crm_import opt;
	struct crm_import_stats st;
	struct rowsjob j;
	struct addjob a = { e, args, nargs, preset, npreset, 0 };
	size_t i;
	int rc;

	if (nargs == 0)
		return crm_seterr(CRM_EUSAGE,
		    "nothing to add: give %s [FIELD=VALUE]... or - for stdin",
		    e->fields[e->title].name);
	if (!(nargs == 1 && strcmp(args[0], "-") == 0)) {
		rc = crm_write(ctx->db, add_fn, &a);
		if (rc == 0)
			printf("%llu\n", (unsigned long long)a.id);
		return rc;
	}
	memset(&opt, 0, sizeof(opt));
	memset(&j, 0, sizeof(j));
	opt.ent = e;
	opt.on_match = CRM_ONMATCH_ERROR;
	opt.on_new = CRM_ONNEW_CREATE;
	opt.preset = preset;
	opt.npreset = npreset;
	rc = rows_run(ctx, &opt, &j, &st);
	for (i = 0; i < j.nids && rc == 0; i++)
		printf("%llu\n", (unsigned long long)j.ids[i]);
	if (rc == 0)
		crm_warn("added %zu %s", st.created, st.created == 1 ? e->name :
		    e->plural);
	free(j.ids);
	crm_buf_free(&j.msgs.text);
	return rc;
}

struct setjob {
	struct crm_ctx *ctx;
	const struct crm_entity *e;
	int64_t now;
};

static int
set_pairs(struct crm_rec *nw, void *arg)
{
	struct setjob *j = arg;
	int rc = 0, i;

	for (i = 1; i < j->ctx->argc && rc == 0; i++)
		rc = set_pair(nw, j->ctx->argv[i], j->now);
	return rc;
}

static int
set_fn(struct crm_txn *tx, void *arg)
{
	struct setjob *j = arg;
	uint64_t id;
	int rc;

	j->now = tx->now;
	rc = crm_cli_ref(tx, j->e, j->ctx->argv[0], &id);
	if (rc == 0)
		rc = crm_edit(tx, j->e, id, set_pairs, j);
	return rc == 1 ? 0 : rc;
}

int
crm_cli_set(struct crm_ctx *ctx, const struct crm_entity *e)
{
	struct crm_import opt;
	struct crm_import_stats st;
	struct setjob sj = { ctx, e, 0 };
	struct rowsjob j;
	int rc, f;

	if (strcmp(ctx->argv[0], "-") != 0) {
		if (ctx->argc < 2)
			return crm_seterr(CRM_EUSAGE,
			    "set %s: no FIELD=VALUE given", ctx->argv[0]);
		return crm_write(ctx->db, set_fn, &sj);
	}
	if (ctx->argc > 1)
		return crm_seterr(CRM_EUSAGE,
		    "set -: fields come from the input rows");
	memset(&opt, 0, sizeof(opt));
	memset(&j, 0, sizeof(j));
	opt.ent = e;
	opt.on_match = CRM_ONMATCH_UPDATE;
	opt.on_new = CRM_ONNEW_ERROR;
	opt.empty_clears = 1;
	/* A row names its record by id, else by a unique field. */
	opt.match[opt.nmatch++] = CRM_MATCH_ID;
	for (f = 0; f < e->nfields && opt.nmatch < CRM_IMPORT_MAXRULES; f++)
		if (e->fields[f].flags & CRM_F_UNIQUE)
			opt.match[opt.nmatch++] = f;
	rc = rows_run(ctx, &opt, &j, &st);
	if (rc == 0)
		crm_warn("changed %zu of %zu %s", st.updated, st.read,
		    st.read == 1 ? e->name : e->plural);
	free(j.ids);
	crm_buf_free(&j.msgs.text);
	return rc;
}

/* Which record a row names: its id, else the first unique field. */
static int
row_target(struct crm_txn *tx, const struct crm_entity *e,
    const struct crm_row *row, uint64_t *id)
{
	size_t i;
	int f;

	for (i = 0; i < row->n; i++)
		if (strcmp(row->keys[i], "id") == 0 && row->lens[i] > 0)
			return crm_lookup(tx, e, row->vals[i], row->lens[i], id) ==
			    0 ? 0 : crm_seterr(CRM_EDATA, "%s %s: not found",
			    e->name, row->vals[i]);
	for (f = 0; f < e->nfields; f++) {
		if (!(e->fields[f].flags & CRM_F_UNIQUE))
			continue;
		for (i = 0; i < row->n; i++) {
			char ref[600];

			if (strcmp(row->keys[i], e->fields[f].name) != 0 ||
			    row->lens[i] == 0)
				continue;
			snprintf(ref, sizeof(ref), "%s:%.*s", e->fields[f].name,
			    (int)row->lens[i], row->vals[i]);
			if (crm_lookup(tx, e, ref, strlen(ref), id) == 0)
				return 0;
			return crm_seterr(CRM_EDATA, "%s with %s \"%.*s\": not found",
			    e->name, e->fields[f].name, (int)row->lens[i],
			    row->vals[i]);
		}
	}
	return crm_seterr(CRM_EDATA,
	    "row names no %s: give an id or a unique field column", e->name);
}

/* ---- ids from arguments or stdin ------------------------------------------ */

int
crm_cli_refs(struct crm_ctx *ctx, struct crm_txn *tx,
    const struct crm_entity *e, char **args, int nargs, uint64_t **ids,
    size_t *n)
{
	struct crm_reader *rd = NULL;
	const struct crm_row *row;
	size_t cap = 0;
	uint64_t id;
	int rc = 0, i;

	*ids = NULL;
	*n = 0;
	if (nargs == 1 && strcmp(args[0], "-") == 0) {
		rc = open_reader(ctx, stdin, &rd);
		while (rc == 0 && (rc = crm_reader_next(rd, &row)) == 0) {
			rc = row_target(tx, e, row, &id);
			if (rc != 0) {
				char tmp[700];

				snprintf(tmp, sizeof(tmp), "%s",
				    crm_errdetail(rc));
				rc = crm_seterr(rc, "<stdin>:%zu: %s", row->line,
				    tmp);
				break;
			}
			if (*n == cap) {
				uint64_t *p;

				cap = cap ? cap * 2 : 64;
				p = realloc(*ids, cap * sizeof(*p));
				if (p == NULL) {
					rc = ENOMEM;
					break;
				}
				*ids = p;
			}
			(*ids)[(*n)++] = id;
		}
		if (rc == CRM_ENOTFOUND)
			rc = 0;
		else if (rc == CRM_EDATA && rd != NULL &&
		    strncmp(crm_errdetail(rc), "<stdin>", 7) != 0) {
			char tmp[700];

			snprintf(tmp, sizeof(tmp), "%s", crm_errdetail(rc));
			rc = crm_seterr(rc, "<stdin>:%zu: %s",
			    crm_reader_line(rd), tmp);
		}
		crm_reader_free(rd);
		return rc;
	}
	*ids = calloc((size_t)nargs + 1, sizeof(**ids));
	if (*ids == NULL)
		return ENOMEM;
	for (i = 0; i < nargs && rc == 0; i++) {
		rc = crm_cli_ref(tx, e, args[i], &(*ids)[i]);
		if (rc == 0)
			(*n)++;
	}
	return rc;
}

/* ---- tag ------------------------------------------------------------------ */

struct tagjob {
	struct crm_ctx *ctx;
	const struct crm_entity *e;
	char **refs;
	int nrefs;
	char **words;
	int nwords;
	uint64_t *ids;
	size_t nids;
	int read;
	size_t changed;
};

static int
tag_words(struct crm_rec *nw, void *arg)
{
	struct tagjob *j = arg;
	int f = crm_field_find(j->e, "tags", 4), rc = 0, w;

	for (w = 0; w < j->nwords && rc >= 0; w++)
		rc = crm_rec_tag(nw, f, j->words[w] + 1, strlen(j->words[w] + 1),
		    j->words[w][0] == '+');
	return rc < 0 ? rc : 0;
}

static int
tag_fn(struct crm_txn *tx, void *arg)
{
	struct tagjob *j = arg;
	size_t i;
	int rc = 0;

	j->changed = 0;
	if (!j->read) {
		/* Stdin is read once; the ids are kept for a rerun. */
		rc = crm_cli_refs(j->ctx, tx, j->e, j->refs, j->nrefs, &j->ids,
		    &j->nids);
		if (rc != 0)
			return rc;
		j->read = 1;
	}
	for (i = 0; i < j->nids && rc == 0; i++) {
		rc = crm_edit(tx, j->e, j->ids[i], tag_words, j);
		if (rc == 0)
			j->changed++;
		if (rc == 1)
			rc = 0;
	}
	return rc;
}

int
crm_cli_tag(struct crm_ctx *ctx, const struct crm_entity *e)
{
	struct tagjob j;
	int i, rc;

	memset(&j, 0, sizeof(j));
	j.ctx = ctx;
	j.e = e;
	if (crm_field_find(e, "tags", 4) < 0)
		return crm_seterr(CRM_EUSAGE, "%s records have no tags", e->name);
	j.refs = calloc((size_t)ctx->argc + 1, sizeof(*j.refs));
	j.words = calloc((size_t)ctx->argc + 1, sizeof(*j.words));
	if (j.refs == NULL || j.words == NULL) {
		rc = ENOMEM;
		goto done;
	}
	for (i = 0; i < ctx->argc; i++) {
		const char *a = ctx->argv[i];

		if ((a[0] == '+' || a[0] == '-') && a[1] != '\0')
			j.words[j.nwords++] = ctx->argv[i];
		else if (j.nwords > 0) {
			rc = crm_seterr(CRM_EUSAGE,
			    "\"%s\": records come before +tag/-tag words", a);
			goto done;
		} else
			j.refs[j.nrefs++] = ctx->argv[i];
	}
	if (j.nrefs == 0 || j.nwords == 0) {
		rc = crm_seterr(CRM_EUSAGE,
		    "tag needs records (or -) and +tag/-tag words");
		goto done;
	}
	rc = crm_write(ctx->db, tag_fn, &j);
	if (rc == 0)
		crm_warn("tagged %zu of %zu %s", j.changed, j.nids,
		    j.nids == 1 ? e->name : e->plural);
done:
	free(j.refs);
	free(j.words);
	free(j.ids);
	return rc;
}

/* ---- delete --------------------------------------------------------------- */

struct deljob {
	struct crm_ctx *ctx;
	const struct crm_entity *e;
	const char *const *cascade;
	size_t ncascade;
	int force;
	uint64_t *ids;
	size_t nids;
	int read;
};

static int
del_fn(struct crm_txn *tx, void *arg)
{
	struct deljob *j = arg;
	struct crm_rec *r = NULL;
	struct crm_buf desc = CRM_BUF_INIT;
	size_t i, k, count;
	int rc = 0;

	if (!j->read) {
		rc = crm_cli_refs(j->ctx, tx, j->e, j->ctx->argv, j->ctx->argc,
		    &j->ids, &j->nids);
		if (rc != 0)
			return rc;
		j->read = 1;
	}
	r = crm_rec_new(j->e);
	if (r == NULL)
		return ENOMEM;
	for (i = 0; i < j->nids && rc == 0; i++) {
		if (j->force)
			for (k = 0; k < j->ncascade && rc == 0; k++)
				rc = crm_refs_delete(tx, j->e, j->ids[i],
				    crm_entity_find(j->cascade[k]));
		crm_buf_reset(&desc);
		if (rc == 0)
			rc = crm_refs_count(tx, j->e, j->ids[i], &count, &desc);
		if (rc == 0 && count > 0) {
			/* --force helps only when every one of them is of a
			 * kind it deletes. */
			size_t nc = 0, c;

			for (k = 0; k < j->ncascade && rc == 0 && !j->force; k++) {
				c = 0;
				rc = crm_refs_each(tx, j->e, j->ids[i],
				    crm_entity_find(j->cascade[k]), count_ref, &c);
				nc += c;
			}
			if (rc == 0)
				rc = crm_seterr(CRM_EDATA,
				    "%s %llu: still has %s; %s", j->e->name,
				    (unsigned long long)j->ids[i], desc.p,
				    j->force || nc < count ?
				    "merge or move them first" :
				    "use --force to delete them too");
		}
		if (rc == 0)
			rc = crm_fetch(tx, r, j->ids[i]);
		if (rc == 0)
			rc = crm_delete(tx, r);
	}
	crm_buf_free(&desc);
	crm_rec_free(r);
	return rc;
}

int
crm_cli_delete(struct crm_ctx *ctx, const struct crm_entity *e,
    const char *const *cascade, size_t ncascade)
{
	struct deljob j;
	int rc;

	memset(&j, 0, sizeof(j));
	j.ctx = ctx;
	j.e = e;
	j.cascade = cascade;
	j.ncascade = ncascade;
	j.force = crm_opt(ctx, "force") != NULL;
	rc = crm_write(ctx->db, del_fn, &j);
	if (rc == 0)
		crm_warn("deleted %zu %s", j.nids, j.nids == 1 ? e->name :
		    e->plural);
	free(j.ids);
	return rc;
}

/* ---- history and undo ------------------------------------------------------ */

struct histarg {
	struct crm_out *out;
	const struct crm_entity *e;
	struct crm_buf b;
	size_t n;
};

static int
hist_row(const struct crm_audit *a, void *arg)
{
	struct histarg *h = arg;
	const char *vals[9];
	size_t lens[9], i;
	char change[24], id[24];
	size_t at_end;
	int rc;

	h->n++;
	crm_buf_reset(&h->b);
	rc = crm_time_format(&h->b, a->at);
	if (rc != 0)
		return rc;
	at_end = h->b.len;
	snprintf(change, sizeof(change), "%llu", (unsigned long long)a->change);
	snprintf(id, sizeof(id), "%llu", (unsigned long long)a->id);
	vals[0] = h->b.p;
	lens[0] = at_end;
	vals[1] = change;
	vals[2] = a->user;
	lens[2] = a->ulen;
	vals[3] = a->tool;
	lens[3] = a->tlen;
	vals[4] = id;
	vals[5] = crm_audit_opname(a->op);
	vals[6] = a->field;
	lens[6] = a->flen;
	/* Creations and deletions store whole records: not text. */
	vals[7] = a->op == CRM_AUDIT_UPDATE ? a->old : NULL;
	lens[7] = a->op == CRM_AUDIT_UPDATE ? a->olen : 0;
	vals[8] = a->op == CRM_AUDIT_UPDATE || a->op == CRM_AUDIT_MERGE ?
	    a->nw : NULL;
	lens[8] = vals[8] != NULL ? a->nlen : 0;
	for (i = 0; i < 9; i++)
		if (i == 1 || i == 4 || i == 5)
			lens[i] = strlen(vals[i]);
	return crm_out_row(h->out, vals, lens);
}

int
crm_cli_history(struct crm_ctx *ctx, const struct crm_entity *e)
{
	static const char *const names[] = { "at", "change", "user", "tool",
		"id", "op", "field", "old", "new" };
	static const enum crm_kind kinds[] = { CRM_K_STR, CRM_K_NUM, CRM_K_STR,
		CRM_K_STR, CRM_K_NUM, CRM_K_STR, CRM_K_STR, CRM_K_STR, CRM_K_STR };
	struct histarg h;
	struct crm_txn tx;
	uint64_t id;
	int rc;

	memset(&h, 0, sizeof(h));
	h.e = e;
	rc = crm_read_begin(ctx->db, &tx);
	if (rc != 0)
		return rc;
	/* A deleted record has history too: a bare id is taken as is. */
	if (crm_cli_ref(&tx, e, ctx->argv[0], &id) != 0) {
		int64_t n;

		if (crm_parse_i64(ctx->argv[0], strlen(ctx->argv[0]), 1,
		    INT64_MAX, &n) != 0) {
			rc = crm_seterr(CRM_ENOTFOUND, "%s %s: not found",
			    e->name, ctx->argv[0]);
			goto done;
		}
		crm_clearerr();
		id = (uint64_t)n;
	}
	rc = crm_ctx_out(ctx, &h.out);
	if (rc == 0)
		rc = crm_out_columns(h.out, names, kinds, 9);
	if (rc == 0)
		rc = crm_audit_each(&tx, e, id, 0, hist_row, &h);
	if (rc == 0 && h.n == 0)
		rc = crm_seterr(CRM_ENOTFOUND, "%s %s: not found", e->name,
		    ctx->argv[0]);
	if (rc == 0)
		rc = crm_out_end(h.out);
done:
	crm_out_free(h.out);
	crm_buf_free(&h.b);
	crm_txn_end(&tx);
	return rc;
}

struct undojob {
	uint64_t change;
	int force;
	size_t n;
	uint64_t newchange;
};

static int
undo_fn(struct crm_txn *tx, void *arg)
{
	struct undojob *u = arg;
	int rc;

	rc = crm_undo(tx, u->change, u->force, &u->n);
	if (rc == 0)
		rc = crm_audit_change(tx, &u->newchange);
	return rc;
}

int
crm_cli_undo(struct crm_ctx *ctx)
{
	struct undojob u;
	int64_t n;
	int rc;

	memset(&u, 0, sizeof(u));
	if (crm_parse_i64(ctx->argv[0], strlen(ctx->argv[0]), 1, INT64_MAX,
	    &n) != 0)
		return crm_seterr(CRM_EUSAGE, "undo \"%s\": not a change number",
		    ctx->argv[0]);
	u.change = (uint64_t)n;
	u.force = crm_opt(ctx, "force") != NULL;
	rc = crm_write(ctx->db, undo_fn, &u);
	if (rc == 0)
		crm_warn("undid change %llu (%zu entr%s) as change %llu",
		    (unsigned long long)u.change, u.n, u.n == 1 ? "y" : "ies",
		    (unsigned long long)u.newchange);
	return rc;
}
