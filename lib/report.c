/*
 * report.c — what every report uses: result tables, periods, the deal
 * stages, --by keys and the groups they make, and scans over records.
 *
 * Grouping is the hot path of a report over a million records: a scan
 * decodes only the fields the report, its keys and its filter read
 * (crm_rec_decode_some, strings borrowed from the map), the keys of a
 * record are encoded into one reused buffer, and a hash table finds the
 * group; memory is allocated per new group, never per record.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <cJSON.h>

#include "report_int.h"

/* ---- result tables ------------------------------------------------------ */

void
crm_rtab_init(struct crm_rtab *t)
{
	memset(t, 0, sizeof(*t));
}

void
crm_rtab_free(struct crm_rtab *t)
{
	size_t i;

	for (i = 0; i < t->ncols; i++)
		free(t->names[i]);
	free(t->names);
	free(t->kinds);
	free(t->refcol);
	free(t->cells);
	free(t->barval);
	free(t->barscale);
	free(t->rowmax);
	crm_buf_free(&t->text);
	memset(t, 0, sizeof(*t));
}

int
crm_rtab_col(struct crm_rtab *t, const char *name, enum crm_kind kind)
{
	char **names;
	enum crm_kind *kinds;
	unsigned char *ref;

	if (t->nrows > 0)
		return crm_seterr(CRM_EINTERNAL, "column '%s' after the rows", name);
	names = realloc(t->names, (t->ncols + 1) * sizeof(*names));
	if (names == NULL)
		return ENOMEM;
	t->names = names;
	kinds = realloc(t->kinds, (t->ncols + 1) * sizeof(*kinds));
	if (kinds == NULL)
		return ENOMEM;
	t->kinds = kinds;
	ref = realloc(t->refcol, t->ncols + 1);
	if (ref == NULL)
		return ENOMEM;
	t->refcol = ref;
	t->names[t->ncols] = strdup(name);
	if (t->names[t->ncols] == NULL)
		return ENOMEM;
	t->kinds[t->ncols] = kind;
	t->refcol[t->ncols] = 0;
	t->ncols++;
	return 0;
}

int
crm_rtab_row(struct crm_rtab *t)
{
	if (t->nrows > 0 && t->cur != t->ncols)
		return crm_seterr(CRM_EINTERNAL, "report row %zu has %zu of %zu "
		    "cells", t->nrows, t->cur, t->ncols);
	if (t->nrows == t->caprows) {
		size_t cap = t->caprows ? t->caprows * 2 : 64;
		struct crm_rcell *cells;
		int64_t *bv;
		uint32_t *bs;

		cells = realloc(t->cells, cap * (t->ncols ? t->ncols : 1) *
		    sizeof(*cells));
		if (cells == NULL)
			return ENOMEM;
		t->cells = cells;
		bv = realloc(t->barval, cap * sizeof(*bv));
		if (bv == NULL)
			return ENOMEM;
		t->barval = bv;
		bs = realloc(t->barscale, cap * sizeof(*bs));
		if (bs == NULL)
			return ENOMEM;
		t->barscale = bs;
		t->caprows = cap;
	}
	t->barval[t->nrows] = -1;
	t->barscale[t->nrows] = 0;
	t->nrows++;
	t->cur = 0;
	return 0;
}

static struct crm_rcell *
next_cell(struct crm_rtab *t)
{
	struct crm_rcell *c;

	if (t->nrows == 0 || t->cur >= t->ncols) {
		crm_seterr(CRM_EINTERNAL, "report row %zu: more cells than the "
		    "%zu columns", t->nrows, t->ncols);
		return NULL;
	}
	c = &t->cells[(t->nrows - 1) * t->ncols + t->cur++];
	memset(c, 0, sizeof(*c));
	c->off = (uint32_t)t->text.len;
	return c;
}

int
crm_rtab_str(struct crm_rtab *t, const char *s, size_t len)
{
	struct crm_rcell *c = next_cell(t);
	int rc;

	if (c == NULL)
		return CRM_EINTERNAL;
	if (t->text.len + len > UINT32_MAX)
		return ENOMEM;
	rc = crm_buf_add(&t->text, s, len);
	c->len = (uint32_t)len;
	return rc;
}

int
crm_rtab_empty(struct crm_rtab *t)
{
	return next_cell(t) == NULL ? CRM_EINTERNAL : 0;
}

static int
num_cell(struct crm_rtab *t, int64_t v, int exponent)
{
	struct crm_rcell *c = next_cell(t);
	size_t before = t->text.len;
	int rc;

	if (c == NULL)
		return CRM_EINTERNAL;
	rc = exponent < 0 ? crm_int_format(&t->text, v) :
	    crm_money_format(&t->text, v, exponent);
	c->len = (uint32_t)(t->text.len - before);
	c->num = v;
	c->isnum = 1;
	return rc;
}

int
crm_rtab_int(struct crm_rtab *t, int64_t v)
{
	return num_cell(t, v, -1);
}

int
crm_rtab_money(struct crm_rtab *t, int64_t minor, int exponent)
{
	return num_cell(t, minor, exponent);
}

/* num / den * 10^places, rounded half away from zero. */
static int64_t
div_round(__int128 num, __int128 den, int places)
{
	__int128 q, r;
	int i;

	for (i = 0; i < places; i++)
		num *= 10;
	q = num / den;
	r = num % den;
	if (r < 0)
		r = -r;
	if (2 * r >= (den < 0 ? -den : den))
		q += (num < 0) == (den < 0) ? 1 : -1;
	return (int64_t)q;
}

int
crm_rtab_ratio(struct crm_rtab *t, int64_t num, int64_t den, int places)
{
	if (den == 0)
		return crm_rtab_empty(t);
	return num_cell(t, div_round(num, den, places), places);
}

int
crm_rtab_pct(struct crm_rtab *t, int64_t num, int64_t den)
{
	if (den == 0)
		return crm_rtab_empty(t);
	return num_cell(t, div_round((__int128)num * 100, den, 1), 1);
}

void
crm_rtab_bar(struct crm_rtab *t, int64_t value, uint32_t scale)
{
	if (t->nrows == 0)
		return;
	t->barval[t->nrows - 1] = value < 0 ? 0 : value;
	t->barscale[t->nrows - 1] = scale;
}

const char *
crm_rtab_text(const struct crm_rtab *t, size_t row, size_t col, size_t *len)
{
	const struct crm_rcell *c = &t->cells[row * t->ncols + col];

	*len = c->len;
	return c->len ? t->text.p + c->off : NULL;
}

int
crm_rtab_find(const struct crm_rtab *t, const char *name, size_t len)
{
	size_t i;

	for (i = 0; i < t->ncols; i++)
		if (strlen(t->names[i]) == len && memcmp(t->names[i], name, len) == 0)
			return (int)i;
	return -1;
}

struct sortkeys {
	const struct crm_rtab *t;
	int col[8], desc[8];
	size_t n;
};

static int
cmp_rows(const void *x, const void *y, void *arg)
{
	const struct sortkeys *sk = arg;
	const struct crm_rtab *t = sk->t;
	size_t a = *(const size_t *)x, b = *(const size_t *)y, k;

	for (k = 0; k < sk->n; k++) {
		const struct crm_rcell *p = &t->cells[a * t->ncols + sk->col[k]];
		const struct crm_rcell *q = &t->cells[b * t->ncols + sk->col[k]];
		int c;

		if ((p->len == 0) != (q->len == 0))
			return p->len == 0 ? 1 : -1;	/* empty last */
		if (p->len == 0)
			continue;
		if (p->isnum && q->isnum)
			c = p->num < q->num ? -1 : p->num > q->num;
		else
			c = crm_value_cmp(t->text.p + p->off, p->len,
			    t->text.p + q->off, q->len);
		if (c != 0)
			return sk->desc[k] ? -c : c;
	}
	return a < b ? -1 : a > b;
}

int
crm_rtab_sort(struct crm_rtab *t, const char *spec)
{
	struct sortkeys sk;
	const char *p = spec;
	struct crm_rcell *cells = NULL;
	int64_t *bv = NULL;
	uint32_t *bs = NULL;
	size_t *idx = NULL, i;
	int rc = 0;

	memset(&sk, 0, sizeof(sk));
	sk.t = t;
	while (*p != '\0') {
		size_t len;
		int desc = 0;

		if (*p == '-' || *p == '+')
			desc = *p++ == '-';
		len = strcspn(p, ",");
		if (sk.n == 8)
			return crm_seterr(CRM_EUSAGE, "--sort: at most 8 columns");
		sk.col[sk.n] = crm_rtab_find(t, p, len);
		if (sk.col[sk.n] < 0)
			return crm_seterr(CRM_EUSAGE, "--sort \"%s\": no column "
			    "'%.*s' in this report", spec, (int)len, p);
		sk.desc[sk.n++] = desc;
		p += len;
		if (*p == ',')
			p++;
	}
	if (t->nrows < 2 || sk.n == 0)
		return 0;
	idx = malloc(t->nrows * sizeof(*idx));
	cells = malloc(t->nrows * t->ncols * sizeof(*cells));
	bv = malloc(t->nrows * sizeof(*bv));
	bs = malloc(t->nrows * sizeof(*bs));
	if (idx == NULL || cells == NULL || bv == NULL || bs == NULL) {
		rc = ENOMEM;
		goto done;
	}
	for (i = 0; i < t->nrows; i++)
		idx[i] = i;
	qsort_r(idx, t->nrows, sizeof(*idx), cmp_rows, &sk);
	for (i = 0; i < t->nrows; i++) {
		memcpy(&cells[i * t->ncols], &t->cells[idx[i] * t->ncols],
		    t->ncols * sizeof(*cells));
		bv[i] = t->barval[idx[i]];
		bs[i] = t->barscale[idx[i]];
	}
	memcpy(t->cells, cells, t->nrows * t->ncols * sizeof(*cells));
	memcpy(t->barval, bv, t->nrows * sizeof(*bv));
	memcpy(t->barscale, bs, t->nrows * sizeof(*bs));
	free(t->rowmax);
	t->rowmax = NULL;
done:
	free(idx);
	free(cells);
	free(bv);
	free(bs);
	return rc;
}

struct scalerow {
	uint32_t scale;
	size_t row;
};

static int
cmp_scalerow(const void *x, const void *y)
{
	const struct scalerow *a = x, *b = y;

	if (a->scale != b->scale)
		return a->scale < b->scale ? -1 : 1;
	return a->row < b->row ? -1 : a->row > b->row;
}

/* The largest bar of the rows that share each row's scale: sorted by
 * scale once, so a table of many rows stays linear-logarithmic. */
static int
bar_maxima(struct crm_rtab *t)
{
	struct scalerow *sr;
	size_t i, j, k;

	t->rowmax = calloc(t->nrows ? t->nrows : 1, sizeof(*t->rowmax));
	sr = malloc((t->nrows ? t->nrows : 1) * sizeof(*sr));
	if (t->rowmax == NULL || sr == NULL) {
		free(sr);
		return ENOMEM;
	}
	for (i = 0; i < t->nrows; i++) {
		sr[i].scale = t->barscale[i];
		sr[i].row = i;
	}
	qsort(sr, t->nrows, sizeof(*sr), cmp_scalerow);
	for (i = 0; i < t->nrows; i = j) {
		int64_t m = 0;

		for (j = i; j < t->nrows && sr[j].scale == sr[i].scale; j++)
			if (t->barval[sr[j].row] > m)
				m = t->barval[sr[j].row];
		for (k = i; k < j; k++)
			t->rowmax[sr[k].row] = t->barmax > 0 ? t->barmax : m;
	}
	free(sr);
	return 0;
}

int
crm_rtab_bartext(struct crm_rtab *t, size_t row, int width,
    struct crm_buf *out)
{
	static const char *const part[8] = { "", "\xe2\x96\x8f", "\xe2\x96\x8e",
		"\xe2\x96\x8d", "\xe2\x96\x8c", "\xe2\x96\x8b", "\xe2\x96\x8a",
		"\xe2\x96\x89" };	/* ▏▎▍▌▋▊▉: 1/8 … 7/8 of a cell */
	int64_t v = t->barval[row], max, n;
	int rc = 0, i;

	crm_buf_reset(out);
	if (v < 0)
		return 0;
	if (t->rowmax == NULL)
		rc = bar_maxima(t);
	if (rc != 0)
		return rc;
	max = t->rowmax[row];
	if (max <= 0)
		return 0;
	if (v > max)
		v = max;
	if (t->bar_center) {
		/* Whole cells, centred, so steps narrow evenly: a funnel. */
		n = div_round((__int128)v * width, max, 0);
		if (n == 0 && v > 0)
			n = 1;
		if (n == 0)
			return 0;
		for (i = 0; i < (width - n) / 2 && rc == 0; i++)
			rc = crm_buf_addc(out, ' ');
		for (i = 0; i < n && rc == 0; i++)
			rc = crm_buf_adds(out, "\xe2\x96\x88");
		return rc;
	}
	n = div_round((__int128)v * width * 8, max, 0);
	if (n == 0 && v > 0)
		n = 1;		/* a sliver: not nothing */
	for (i = 0; i < n / 8 && rc == 0; i++)
		rc = crm_buf_adds(out, "\xe2\x96\x88");	/* █ */
	if (rc == 0)
		rc = crm_buf_adds(out, part[n % 8]);
	return rc;
}

/* ---- periods -------------------------------------------------------------- */

/* Reads exactly n digits at *p. */
static int
digits(const char **p, int n, int64_t *out)
{
	int i;

	*out = 0;
	for (i = 0; i < n; i++) {
		if ((*p)[i] < '0' || (*p)[i] > '9')
			return -1;
		*out = *out * 10 + ((*p)[i] - '0');
	}
	*p += n;
	return 0;
}

/* ISO 8601: the Monday of week 1 is the Monday of the week of 4 January. */
static int64_t
iso_week1(int64_t y)
{
	int64_t jan4 = crm_days_from_civil(y, 1, 4);
	int64_t wd = ((jan4 % 7) + 7 + 3) % 7;	/* 0 Monday … 6 Sunday */

	return jan4 - wd;
}

int
crm_period_parse(const char *s, int64_t *from, int64_t *to)
{
	const char *p = s;
	int64_t y, m, d, n;

	if (digits(&p, 4, &y) != 0 || y < 1)
		goto bad;
	if (*p == '\0') {
		*from = crm_days_from_civil(y, 1, 1);
		*to = crm_days_from_civil(y, 12, 31);
		return 0;
	}
	if (*p++ != '-')
		goto bad;
	if (*p == 'Q' || *p == 'q') {
		p++;
		if (digits(&p, 1, &n) != 0 || n < 1 || n > 4 || *p != '\0')
			goto bad;
		*from = crm_days_from_civil(y, (unsigned)(3 * n - 2), 1);
		*to = (n == 4 ? crm_days_from_civil(y + 1, 1, 1) :
		    crm_days_from_civil(y, (unsigned)(3 * n + 1), 1)) - 1;
		return 0;
	}
	if (*p == 'W' || *p == 'w') {
		p++;
		if (digits(&p, 2, &n) != 0 || *p != '\0' || n < 1 ||
		    iso_week1(y) + 7 * (n - 1) > iso_week1(y + 1) - 7)
			goto bad;
		*from = iso_week1(y) + 7 * (n - 1);
		*to = *from + 6;
		return 0;
	}
	if (digits(&p, 2, &m) != 0 || m < 1 || m > 12)
		goto bad;
	if (*p == '\0') {
		*from = crm_days_from_civil(y, (unsigned)m, 1);
		*to = (m == 12 ? crm_days_from_civil(y + 1, 1, 1) :
		    crm_days_from_civil(y, (unsigned)m + 1, 1)) - 1;
		return 0;
	}
	if (*p++ != '-' || digits(&p, 2, &d) != 0 || *p != '\0' || d < 1 ||
	    crm_days_from_civil(y, (unsigned)m, (unsigned)d) >=
	    (m == 12 ? crm_days_from_civil(y + 1, 1, 1) :
	    crm_days_from_civil(y, (unsigned)m + 1, 1)))
		goto bad;
	*from = *to = crm_days_from_civil(y, (unsigned)m, (unsigned)d);
	return 0;
bad:
	return crm_seterr(CRM_EUSAGE, "--period \"%s\": not a year (2026), "
	    "quarter (2026-Q3), month (2026-11), ISO week (2026-W47) or day "
	    "(2026-11-23)", s);
}

int64_t
rbucket(int64_t day, int unit)
{
	int64_t y;
	unsigned m, d;

	switch (unit) {
	case RU_WEEK:
		return day - (((day % 7) + 7 + 3) % 7);
	case RU_MONTH:
	case RU_QUARTER:
	case RU_YEAR:
		crm_civil_from_days(day, &y, &m, &d);
		if (unit == RU_QUARTER)
			m = (m - 1) / 3 * 3 + 1;
		if (unit == RU_YEAR)
			m = 1;
		return crm_days_from_civil(y, m, 1);
	default:
		return day;
	}
}

int
rbucket_text(struct crm_buf *b, int64_t day, int unit)
{
	int64_t y;
	unsigned m, d;

	crm_civil_from_days(day, &y, &m, &d);
	switch (unit) {
	case RU_WEEK: {
		/* The ISO year is the year of the week's Thursday. */
		int64_t thu = day + 3, wy;
		unsigned wm, wd;

		crm_civil_from_days(thu, &wy, &wm, &wd);
		return crm_buf_printf(b, "%04lld-W%02lld", (long long)wy,
		    (long long)((day - iso_week1(wy)) / 7 + 1));
	}
	case RU_MONTH:
		return crm_buf_printf(b, "%04lld-%02u", (long long)y, m);
	case RU_QUARTER:
		return crm_buf_printf(b, "%04lld-Q%u", (long long)y, (m + 2) / 3);
	case RU_YEAR:
		return crm_buf_printf(b, "%04lld", (long long)y);
	default:
		return crm_date_format(b, day);
	}
}

/* ---- deal stages ------------------------------------------------------------ */

static int
add_pipeline(const struct crm_pipeline *p, void *arg)
{
	struct crm_rctx *c = arg;
	struct crm_pipeline *v;

	v = realloc(c->pipes, (c->npipes + 1) * sizeof(*v));
	if (v == NULL)
		return ENOMEM;
	c->pipes = v;
	c->pipes[c->npipes++] = *p;
	return 0;
}

/* Position of a stage in the pipelines' order: the open stages of each
 * pipeline in turn, then won and lost; -1 when no pipeline has it. */
static int
stage_rank(const struct crm_rctx *c, const char *s, size_t len)
{
	size_t i, j;
	int n = 0;

	if (crm_stage_closed(s, len))
		return (c->npipes + 1) * CRM_STAGES_MAX + (len == 4);
	for (i = 0; i < c->npipes; i++)
		for (j = 0; j < c->pipes[i].n; j++, n++)
			if (strlen(c->pipes[i].st[j].name) == len &&
			    memcmp(c->pipes[i].st[j].name, s, len) == 0)
				return n;
	return -1;
}

int
rdeal_state(const struct crm_rec *r, int f_stage)
{
	if (!rset(r, f_stage) || !crm_stage_closed(r->v[f_stage].s,
	    r->v[f_stage].len))
		return OPEN;
	return r->v[f_stage].len == 3 ? WON : LOST;
}

int
rprob(struct crm_rctx *c, const struct crm_rec *r, int f_pipe, int f_stage)
{
	const struct crm_stage *st;
	const char *name = "default";
	size_t len = 7, i;

	if (!rset(r, f_stage))
		return 0;
	if (rset(r, f_pipe)) {
		name = r->v[f_pipe].s;
		len = r->v[f_pipe].len;
	}
	/* Deals mostly share one pipeline: try the last one first. */
	i = c->lastpipe;
	if (i >= c->npipes || strlen(c->pipes[i].name) != len ||
	    memcmp(c->pipes[i].name, name, len) != 0)
		for (i = 0; i < c->npipes; i++)
			if (strlen(c->pipes[i].name) == len &&
			    memcmp(c->pipes[i].name, name, len) == 0)
				break;
	if (i == c->npipes)
		return 0;
	c->lastpipe = i;
	st = crm_stage_find(&c->pipes[i], r->v[f_stage].s, r->v[f_stage].len);
	return st != NULL ? st->prob : 0;
}

int64_t
crm_weighted(int64_t amount, int64_t prob)
{
	int64_t x;

	/* In 64 bits when the product fits (always, for real amounts): a
	 * division by a constant, not a call, for each of a million deals. */
	if (prob >= 0 && prob <= 100 && amount > INT64_MIN / 100 &&
	    amount < INT64_MAX / 100) {
		x = amount * prob;
		return x >= 0 ? (x + 50) / 100 : -((-x + 50) / 100);
	}
	return div_round((__int128)amount * prob, 100, 0);
}

int64_t
rdiv(int64_t num, int64_t den)
{
	return div_round(num, den, 0);
}

int
radd(int64_t *acc, int64_t v)
{
	if (__builtin_add_overflow(*acc, v, acc))
		return crm_seterr(CRM_EDATA, "a sum is beyond the range of money "
		    "(%lld minor units)", (long long)INT64_MAX);
	return 0;
}

struct rcur *
rcur_of(struct rcurs *l, const char *cur, size_t len)
{
	struct rcur *v;
	size_t i;

	if (cur == NULL || len > 3)
		len = cur == NULL ? 0 : 3;
	if (cur == NULL)
		cur = "";
	for (i = 0; i < l->n; i++)
		if (strlen(l->v[i].cur) == len && memcmp(l->v[i].cur, cur, len) == 0)
			return &l->v[i];
	v = realloc(l->v, (l->n + 1) * sizeof(*v));
	if (v == NULL)
		return NULL;
	l->v = v;
	v = &l->v[l->n++];
	memset(v, 0, sizeof(*v));
	memcpy(v->cur, cur, len);
	return v;
}

static int
cmp_rcur(const void *a, const void *b)
{
	return strcmp(((const struct rcur *)a)->cur, ((const struct rcur *)b)->cur);
}

void
rcur_sort(struct rcurs *l)
{
	if (l->n > 1)
		qsort(l->v, l->n, sizeof(*l->v), cmp_rcur);
}

/* ---- groups ------------------------------------------------------------------ */

struct rchunk {
	struct rchunk *next;
	size_t used, cap;
	max_align_t data[];
};

static void *
chunk_alloc(struct rgrouper *g, size_t n)
{
	struct rchunk *ch = g->chunks;
	void *p;

	n = (n + 15) & ~(size_t)15;
	if (ch == NULL || ch->cap - ch->used < n) {
		size_t cap = n > 65536 ? n : 65536;

		ch = malloc(sizeof(*ch) + cap);
		if (ch == NULL)
			return NULL;
		ch->next = g->chunks;
		ch->used = 0;
		ch->cap = cap;
		g->chunks = ch;
	}
	p = (char *)ch->data + ch->used;
	ch->used += n;
	return p;
}

void
rg_init(struct rgrouper *g, const struct crm_rctx *c, size_t paysize)
{
	memset(g, 0, sizeof(*g));
	g->c = c;
	g->paysize = (paysize + 15) & ~(size_t)15;
}

void
rg_free(struct rgrouper *g)
{
	struct rchunk *ch, *next;

	for (ch = g->chunks; ch != NULL; ch = next) {
		next = ch->next;
		free(ch);
	}
	free(g->slots);
	free(g->list);
	crm_buf_free(&g->kb);
	memset(g, 0, sizeof(*g));
}

static int
num_type(enum crm_type t)
{
	return t == CRM_T_INT || t == CRM_T_MONEY || t == CRM_T_DATE ||
	    t == CRM_T_TIME || t == CRM_T_BOOL || t == CRM_T_REF;
}

static int
key_numeric(const struct rkey *k)
{
	return k->unit != RU_NONE || num_type(k->type);
}

static int
add_key(struct rgrouper *g, const struct crm_entity *e, int f, const char *col,
    size_t clen, enum crm_type type, int unit)
{
	struct rkey *k;
	static const char *const units[] = { "", "day", "week", "month",
		"quarter", "year" };
	size_t i;

	if (g->nk == RK_MAX)
		return crm_seterr(CRM_EUSAGE, "--by: at most %d fields", RK_MAX - 1);
	k = &g->k[g->nk];
	memset(k, 0, sizeof(*k));
	if (unit != RU_NONE && f >= 0)
		snprintf(k->col, sizeof(k->col), "%.*s_%s", (int)clen, col,
		    units[unit]);
	else
		snprintf(k->col, sizeof(k->col), "%.*s", (int)clen, col);
	for (i = 0; i < g->nk; i++)
		if (strcmp(g->k[i].col, k->col) == 0)
			return crm_seterr(CRM_EUSAGE, "--by: '%s' twice", k->col);
	k->ent = e;
	k->field = f;
	k->type = type;
	k->unit = unit;
	if (e != NULL && f >= 0) {
		const struct crm_field *fd = &e->fields[f];

		if (fd->type == CRM_T_ENUM)
			k->order = fd->values;
		k->stages = strcmp(e->name, "deal") == 0 &&
		    strcmp(fd->name, "stage") == 0;
		k->namecol = fd->type == CRM_T_REF && unit == RU_NONE;
	}
	g->nk++;
	return 0;
}

int
rg_virtual(struct rgrouper *g, const char *col, enum crm_type type, int unit)
{
	return add_key(g, NULL, -2, col, strlen(col), type, unit);
}

int
rg_field(struct rgrouper *g, const struct crm_entity *e, int f)
{
	size_t i;

	for (i = 0; i < g->nk; i++)
		if (g->k[i].ent == e && g->k[i].field == f &&
		    g->k[i].unit == RU_NONE)
			return 0;
	return add_key(g, e, f, e->fields[f].name, strlen(e->fields[f].name),
	    e->fields[f].type, RU_NONE);
}

/* True when name is a custom field used on the report's entity. */
static int
custom_in_use(const struct crm_rctx *c, const char *name, size_t len)
{
	const char *p = c->custom.p;
	size_t i;

	for (i = 0; p != NULL && i < c->ncustom; i++, p += strlen(p) + 1)
		if (strlen(p) == len && memcmp(p, name, len) == 0)
			return 1;
	return 0;
}

int
rg_by(struct rgrouper *g, const struct crm_entity *e, const char *spec)
{
	static const char *const units[] = { "", "day", "week", "month",
		"quarter", "year" };
	const char *p = spec;
	int rc = 0;

	while (rc == 0 && *p != '\0') {
		const char *name = p, *colon;
		size_t len = strcspn(p, ","), nl, ul = 0;
		int f, unit = RU_NONE, u;

		p += len;
		if (*p == ',')
			p++;
		crm_trim(&name, &len);
		if (len == 0)
			return crm_seterr(CRM_EUSAGE, "--by \"%s\": an empty field "
			    "name", spec);
		colon = memchr(name, ':', len);
		nl = colon ? (size_t)(colon - name) : len;
		if (colon != NULL) {
			ul = len - nl - 1;
			for (u = 1; u <= RU_YEAR; u++)
				if (strlen(units[u]) == ul &&
				    memcmp(units[u], colon + 1, ul) == 0)
					unit = u;
			if (unit == RU_NONE)
				return crm_seterr(CRM_EUSAGE, "--by \"%.*s\": not "
				    "day, week, month, quarter or year after ':'",
				    (int)len, name);
		}
		f = crm_field_find(e, name, nl);
		if (f < 0 && !custom_in_use(g->c, name, nl))
			return crm_seterr(CRM_EUSAGE, "--by \"%.*s\": no field "
			    "'%.*s' in %s", (int)len, name, (int)nl, name,
			    e->plural);
		if (unit != RU_NONE && (f < 0 || (e->fields[f].type != CRM_T_DATE &&
		    e->fields[f].type != CRM_T_TIME)))
			return crm_seterr(CRM_EUSAGE, "--by \"%.*s\": '%.*s' is not "
			    "a date", (int)len, name, (int)nl, name);
		rc = add_key(g, e, f, name, nl, f >= 0 ? e->fields[f].type :
		    CRM_T_TEXT, unit);
	}
	return rc;
}

int
rg_user(struct rgrouper *g, struct crm_rctx *c, int money)
{
	const char *spec = c->req->by != NULL ? c->req->by : c->def->dflt_by;
	int rc = spec != NULL ? rg_by(g, c->ent, spec) : 0;

	if (rc == 0 && money && c->ent->currency >= 0)
		rc = rg_field(g, c->ent, c->ent->currency);
	return rc;
}

uint64_t
rg_mask(const struct rgrouper *g, const struct crm_entity *e, int *customs)
{
	uint64_t m = 0;
	size_t i;

	for (i = 0; i < g->nk; i++) {
		if (g->k[i].ent != e)
			continue;
		if (g->k[i].field == -1)
			*customs = 1;
		else if (g->k[i].field >= 0)
			m |= BIT(g->k[i].field);
		/* Money prints at its currency's exponent. */
		if (g->k[i].type == CRM_T_MONEY && e->currency >= 0)
			m |= BIT(e->currency);
	}
	return m;
}

void
rg_set(struct rgrouper *g, size_t k, int set, int64_t i, const char *s,
    size_t len)
{
	g->p[k].set = set;
	g->p[k].i = i;
	g->p[k].s = s;
	g->p[k].len = (uint32_t)len;
}

void
rg_from(struct rgrouper *g, const struct crm_rec *r)
{
	size_t k;

	for (k = 0; k < g->nk; k++) {
		const struct rkey *key = &g->k[k];
		struct rpart *p = &g->p[k];

		if (key->ent != r->ent)
			continue;
		if (key->field == -1) {
			const struct crm_custom *cu = crm_rec_custom(r, key->col,
			    strlen(key->col));

			p->set = cu != NULL && cu->len > 0;
			p->s = p->set ? cu->s : NULL;
			p->len = p->set ? cu->len : 0;
			continue;
		}
		if (key->field == CRM_FLD_ID) {
			p->set = 1;
			p->i = (int64_t)r->id;
			continue;
		}
		p->set = r->v[key->field].state == CRM_V_SET;
		p->i = r->v[key->field].i;
		p->s = r->v[key->field].s;
		p->len = r->v[key->field].len;
		if (p->set && key->unit != RU_NONE)
			p->i = rbucket(rday_of(r, key->field), key->unit);
	}
}

/* FNV-1a over 8-byte words (keys are short), then mixed. */
static uint64_t
hash_bytes(const unsigned char *p, size_t n)
{
	uint64_t h = 1469598103934665603ULL, w;

	for (; n >= 8; p += 8, n -= 8) {
		memcpy(&w, p, 8);
		h = (h ^ w) * 1099511628211ULL;
	}
	w = 0;
	memcpy(&w, p, n);
	h = (h ^ w ^ n) * 1099511628211ULL;
	h ^= h >> 32;
	h *= 0xd6e8feb86659fd93ULL;
	return h ^ (h >> 32);
}

static int
grow_slots(struct rgrouper *g)
{
	size_t n = g->nslots ? g->nslots * 2 : 256, i;
	struct rgroup **s = calloc(n, sizeof(*s));

	if (s == NULL)
		return ENOMEM;
	for (i = 0; i < g->n; i++) {
		size_t j = g->list[i]->hash & (n - 1);

		while (s[j] != NULL)
			j = (j + 1) & (n - 1);
		s[j] = g->list[i];
	}
	free(g->slots);
	g->slots = s;
	g->nslots = n;
	return 0;
}

int
rg_find(struct rgrouper *g, struct rgroup **out)
{
	struct rgroup *grp;
	uint64_t h;
	size_t k, j;
	int rc = 0;

	/* Never a NULL buffer, even for a key of no parts (--by ''). */
	if (g->kb.p == NULL)
		rc = crm_buf_grow(&g->kb, 64);
	g->kb.len = 0;
	for (k = 0; k < g->nk && rc == 0; k++) {
		const struct rpart *p = &g->p[k];

		rc = crm_buf_addc(&g->kb, p->set);
		if (rc != 0 || !p->set)
			continue;
		if (key_numeric(&g->k[k]))
			rc = crm_buf_add(&g->kb, &p->i, sizeof(p->i));
		else {
			uint32_t len = p->len;

			rc = crm_buf_add(&g->kb, &len, sizeof(len));
			if (rc == 0)
				rc = crm_buf_add(&g->kb, p->s, len);
		}
	}
	if (rc != 0)
		return rc;
	if (g->kb.len > UINT32_MAX)
		return ENOMEM;
	h = hash_bytes((const unsigned char *)g->kb.p, g->kb.len);
	if (2 * (g->n + 1) > g->nslots)
		rc = grow_slots(g);
	if (rc != 0)
		return rc;
	for (j = h & (g->nslots - 1); (grp = g->slots[j]) != NULL;
	    j = (j + 1) & (g->nslots - 1))
		if (grp->hash == h && grp->klen == g->kb.len &&
		    memcmp(grp->key, g->kb.p, g->kb.len) == 0) {
			*out = grp;
			return 0;
		}
	if (g->n == g->cap) {
		size_t cap = g->cap ? g->cap * 2 : 256;
		struct rgroup **l = realloc(g->list, cap * sizeof(*l));

		if (l == NULL)
			return ENOMEM;
		g->list = l;
		g->cap = cap;
	}
	grp = chunk_alloc(g, RG_HDR + g->paysize + g->kb.len);
	if (grp == NULL)
		return ENOMEM;
	grp->hash = h;
	grp->klen = (uint32_t)g->kb.len;
	grp->idx = (uint32_t)g->n;
	memset(rg_pay(grp), 0, g->paysize);
	grp->key = (unsigned char *)rg_pay(grp) + g->paysize;
	memcpy(grp->key, g->kb.p, g->kb.len);
	g->slots[j] = grp;
	g->list[g->n++] = grp;
	*out = grp;
	return 0;
}

void
rg_part(const struct rgrouper *g, const struct rgroup *grp, size_t k,
    struct rpart *out)
{
	const unsigned char *p = grp->key;
	size_t i;

	for (i = 0;; i++) {
		int set = *p++;
		uint32_t len = 0;

		memset(out, 0, sizeof(*out));
		out->set = set;
		if (set && key_numeric(&g->k[i])) {
			memcpy(&out->i, p, sizeof(out->i));
			p += sizeof(out->i);
		} else if (set) {
			memcpy(&len, p, sizeof(len));
			out->s = (const char *)p + sizeof(len);
			out->len = len;
			p += sizeof(len) + len;
		}
		if (i == k)
			return;
	}
}

/* Position of a value in a key's order: enum values or pipeline stages;
 * -1 when it has none or the value is not listed. */
static int
key_rank(const struct rgrouper *g, const struct rkey *k, const struct rpart *p)
{
	size_t i;

	if (k->stages)
		return stage_rank(g->c, p->s, p->len);
	for (i = 0; k->order != NULL && k->order[i] != NULL; i++)
		if (strlen(k->order[i]) == p->len &&
		    memcmp(k->order[i], p->s, p->len) == 0)
			return (int)i;
	return -1;
}

static int
cmp_groups(const void *x, const void *y, void *arg)
{
	const struct rgrouper *g = arg;
	const struct rgroup *a = *(struct rgroup *const *)x;
	const struct rgroup *b = *(struct rgroup *const *)y;
	size_t k;

	for (k = 0; k < g->nk; k++) {
		const struct rkey *key = &g->k[k];
		struct rpart p, q;
		int c, ra, rb;

		rg_part(g, a, k, &p);
		rg_part(g, b, k, &q);
		if (p.set != q.set)
			return p.set ? -1 : 1;	/* empty last */
		if (!p.set)
			continue;
		if (key_numeric(key))
			c = p.i < q.i ? -1 : p.i > q.i;
		else {
			ra = key_rank(g, key, &p);
			rb = key_rank(g, key, &q);
			if ((ra < 0) != (rb < 0))
				c = ra < 0 ? 1 : -1;	/* listed first */
			else if (ra >= 0)
				c = ra < rb ? -1 : ra > rb;
			else
				c = crm_value_cmp(p.s, p.len, q.s, q.len);
		}
		if (c != 0)
			return c;
	}
	return a->idx < b->idx ? -1 : a->idx > b->idx;
}

void
rg_sort(struct rgrouper *g)
{
	if (g->n > 1)
		qsort_r(g->list, g->n, sizeof(*g->list), cmp_groups, g);
}

static enum crm_kind
key_kind(const struct rkey *k)
{
	if (k->unit != RU_NONE)
		return CRM_K_STR;
	switch (k->type) {
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

/* The title column of a reference key: "name" for a customer (the
 * customer's name), else FIELD_name. */
static void
name_col(const struct rkey *k, char *out, size_t len)
{
	if (strcmp(k->col, "customer") == 0)
		snprintf(out, len, "name");
	else
		snprintf(out, len, "%s_name", k->col);
}

static int
col_of(struct rgrouper *g, size_t k, struct crm_rtab *t)
{
	const struct rkey *key = &g->k[k];
	char nm[96];
	int rc;

	rc = crm_rtab_col(t, key->col, key_kind(key));
	if (rc == 0 && key->type == CRM_T_REF && key->unit == RU_NONE)
		t->refcol[t->ncols - 1] = 1;
	if (rc == 0 && key->namecol) {
		name_col(key, nm, sizeof(nm));
		rc = crm_rtab_col(t, nm, CRM_K_STR);
	}
	return rc;
}

int
rg_cols(struct rgrouper *g, struct crm_rtab *t)
{
	size_t k;
	int rc = 0;

	for (k = 0; k < g->nk && rc == 0; k++)
		rc = col_of(g, k, t);
	return rc;
}

int
rg_exponent(const struct rgrouper *g, const struct rgroup *grp)
{
	struct rpart p;
	size_t k;

	for (k = 0; k < g->nk; k++)
		if (g->k[k].type == CRM_T_CURRENCY) {
			rg_part(g, grp, k, &p);
			return crm_currency_exponent(p.set ? p.s : NULL, p.len);
		}
	return 2;
}

uint32_t
rscale(const char *cur, size_t len)
{
	uint32_t s = 0;
	size_t i;

	for (i = 0; i < len && i < 3; i++)
		s = s << 8 | (unsigned char)cur[i];
	return s;
}

uint32_t
rg_scale(const struct rgrouper *g, const struct rgroup *grp)
{
	struct rpart p;
	size_t k;

	for (k = 0; k < g->nk; k++)
		if (g->k[k].type == CRM_T_CURRENCY) {
			rg_part(g, grp, k, &p);
			return p.set ? rscale(p.s, p.len) : 0;
		}
	return 0;
}

static int
cell_of(struct rgrouper *g, const struct rgroup *grp, size_t k,
    struct crm_rtab *t)
{
	const struct rkey *key = &g->k[k];
	struct crm_rctx *c = (struct crm_rctx *)g->c;
	struct rpart p;
	int rc = 0;

	rg_part(g, grp, k, &p);
	crm_buf_reset(&c->tmp);
	if (!p.set)
		rc = crm_rtab_empty(t);
	else if (key->unit != RU_NONE) {
		rc = rbucket_text(&c->tmp, p.i, key->unit);
		if (rc == 0)
			rc = crm_rtab_str(t, c->tmp.p, c->tmp.len);
	} else {
		switch (key->type) {
		case CRM_T_INT:
		case CRM_T_REF:
			rc = crm_rtab_int(t, p.i);
			break;
		case CRM_T_MONEY:
			rc = crm_rtab_money(t, p.i, rg_exponent(g, grp));
			break;
		case CRM_T_DATE:
		case CRM_T_TIME:
			rc = key->type == CRM_T_DATE ? crm_date_format(&c->tmp, p.i) :
			    crm_time_format(&c->tmp, p.i);
			if (rc == 0)
				rc = crm_rtab_str(t, c->tmp.p, c->tmp.len);
			break;
		case CRM_T_BOOL:
			rc = crm_rtab_str(t, p.i ? "yes" : "no", p.i ? 3 : 2);
			break;
		default:
			rc = crm_rtab_str(t, p.s, p.len);
			break;
		}
	}
	if (rc == 0 && key->namecol) {
		crm_buf_reset(&c->tmp);
		if (p.set)
			rc = rtitle(c, crm_entity_find(key->ent->fields[key->field].ref),
			    (uint64_t)p.i, &c->tmp);
		if (rc == 0)
			rc = crm_rtab_str(t, c->tmp.p, c->tmp.len);
	}
	return rc;
}

int
rg_cells(struct rgrouper *g, const struct rgroup *grp, struct crm_rtab *t)
{
	size_t k;
	int rc = 0;

	for (k = 0; k < g->nk && rc == 0; k++)
		rc = cell_of(g, grp, k, t);
	return rc;
}

/* ---- records -------------------------------------------------------------------- */

int
rin(const struct crm_rctx *c, int64_t day)
{
	return (!c->req->has_from || day >= c->req->from) &&
	    (!c->req->has_to || day <= c->req->to);
}

static int
corrupt(const struct crm_entity *e, uint64_t id, int rc)
{
	if (rc == CRM_ECORRUPT)
		return crm_seterr(CRM_ECORRUPT, "%s %llu: the stored record does "
		    "not decode (run crm check)", e->name, (unsigned long long)id);
	return rc;
}

int
rscan(struct crm_rctx *c, const struct crm_entity *e, uint64_t mask,
    int customs, int filtered, int pfield, rscan_fn fn, void *arg)
{
	struct crm_iter *it = NULL;
	struct crm_rec *r = NULL;
	MDB_stat st;
	size_t done = 0, total = 0;
	int rc, period = pfield >= 0 && (c->req->has_from || c->req->has_to);

	filtered = filtered && c->flt.n > 0;
	if (filtered) {
		mask |= c->fmask;
		customs |= c->fcustoms;
	}
	if (period)
		mask |= BIT(pfield);
	if (c->req->progress != NULL &&
	    mdb_stat(c->tx->t, crm_db_records(c->tx->db, e), &st) == 0)
		total = st.ms_entries;
	r = crm_rec_new(e);
	if (r == NULL)
		return ENOMEM;
	rc = crm_iter_all(c->tx, e, &it);
	while (rc == 0) {
		uint64_t id;
		const void *data;
		size_t len;

		rc = crm_iter_next(it, &id, &data, &len);
		if (rc != 0)
			break;
		if ((++done & 0xffff) == 0 && c->req->progress != NULL)
			c->req->progress(c->req->progress_arg, e->plural, done, total);
		rc = crm_rec_decode_some(r, id, data, len, mask, customs);
		if (rc != 0) {
			rc = corrupt(e, id, rc);
			break;
		}
		if (filtered && !crm_filter_match(&c->flt, r))
			continue;
		if (period && (!rset(r, pfield) || !rin(c, rday_of(r, pfield))))
			continue;
		rc = fn(c, r, arg);
	}
	if (rc == CRM_ENOTFOUND)
		rc = 0;
	if (c->req->progress != NULL && total > 0xffff)
		c->req->progress(c->req->progress_arg, e->plural, done, total);
	crm_iter_free(it);
	crm_rec_free(r);
	return rc;
}

int
rget(struct crm_rctx *c, const struct crm_entity *e, uint64_t id,
    uint64_t mask, int customs, struct crm_rec *r)
{
	unsigned char kb[8];
	MDB_val k = { 8, kb }, v;
	int rc;

	crm_be64_put(kb, id);
	rc = mdb_get(c->tx->t, crm_db_records(c->tx->db, e), &k, &v);
	if (rc == MDB_NOTFOUND)
		return CRM_ENOTFOUND;
	if (rc != 0)
		return crm_db_err(rc);
	rc = crm_rec_decode_some(r, id, v.mv_data, v.mv_size, mask, customs);
	return corrupt(e, id, rc);
}

int
rmaxid(struct crm_rctx *c, const struct crm_entity *e, uint64_t *max)
{
	MDB_cursor *cur = NULL;
	MDB_val k, v;
	int rc;

	*max = 0;
	rc = mdb_cursor_open(c->tx->t, crm_db_records(c->tx->db, e), &cur);
	if (rc != 0)
		return crm_db_err(rc);
	rc = mdb_cursor_get(cur, &k, &v, MDB_LAST);
	if (rc == 0 && k.mv_size == 8)
		*max = crm_be64_get(k.mv_data);
	mdb_cursor_close(cur);
	return rc == MDB_NOTFOUND ? 0 : crm_db_err(rc);
}

int
rtitle(struct crm_rctx *c, const struct crm_entity *e, uint64_t id,
    struct crm_buf *out)
{
	struct crm_rec **r = &c->looks[e->num % CRM_MAX_ENTITIES];
	int rc;

	if (*r == NULL) {
		*r = crm_rec_new(e);
		if (*r == NULL)
			return ENOMEM;
	}
	rc = rget(c, e, id, BIT(e->title), 0, *r);
	if (rc == CRM_ENOTFOUND)
		return 0;	/* a dangling reference: no name */
	return rc != 0 ? rc : crm_rec_text(*r, e->title, out);
}

/* ---- the reports ---------------------------------------------------------------- */

/* What each report reads; what a period selects on is in its module. */
const struct crm_report_def crm_report_defs[] = {
	{ "pipeline", "deal", "stage", 1, 1, crm_report_pipeline },
	{ "funnel", "lead", NULL, 1, 1, crm_report_funnel },
	{ "forecast", "deal", NULL, 1, 1, crm_report_forecast },
	{ "winrate", "deal", "owner", 1, 1, crm_report_winrate },
	{ "lost", "deal", "lost_reason", 1, 1, crm_report_lost },
	{ "cycle", "deal", "owner", 1, 1, crm_report_cycle },
	{ "aging", "invoice", "customer", 1, 1, crm_report_aging },
	{ "sla", "ticket", "priority", 1, 1, crm_report_sla },
	{ "csat", "ticket", NULL, 1, 1, crm_report_csat },
	{ "rfm", "customer", NULL, 0, 1, crm_report_rfm },
	{ "churn", "customer", NULL, 0, 0, crm_report_churn },
	{ "retention", "customer", NULL, 0, 1, crm_report_retention },
	{ "ltv", "customer", "source", 1, 1, crm_report_ltv },
	{ "sources", "lead", "source", 1, 1, crm_report_sources },
	{ "activity", "activity", "by", 1, 1, crm_report_activity },
	{ NULL, NULL, NULL, 0, 0, NULL }
};

const struct crm_report_def *
crm_report_find(const char *name)
{
	const struct crm_report_def *d;

	for (d = crm_report_defs; d->name != NULL; d++)
		if (strcmp(d->name, name) == 0)
			return d;
	return NULL;
}

int
crm_report_run(struct crm_txn *tx, const struct crm_report_def *def,
    const struct crm_report_req *rq, struct crm_rtab *out)
{
	struct crm_rctx c;
	size_t i;
	int rc = 0;

	memset(&c, 0, sizeof(c));
	c.tx = tx;
	c.req = rq;
	c.def = def;
	c.ent = crm_entity_find(def->entity);
	c.tab = out;
	c.today = rday(tx->now);
	crm_filter_init(&c.flt, c.ent);
	if (rq->by != NULL && !def->takes_by)
		rc = crm_seterr(CRM_EUSAGE, "%s: takes no --by", def->name);
	if (rc == 0 && !def->takes_period && (rq->has_from || rq->has_to))
		rc = crm_seterr(CRM_EUSAGE, "%s: takes no period", def->name);
	for (i = 0; i < rq->nwhere && rc == 0; i++)
		rc = crm_filter_add(&c.flt, tx, rq->where[i], tx->now);
	crm_filter_fields(&c.flt, &c.fmask, &c.fcustoms);
	if (rc == 0)
		rc = crm_pipeline_each(tx, add_pipeline, &c);
	if (rc == 0)
		rc = crm_custom_names(tx, c.ent, &c.custom, &c.ncustom);
	if (rc == 0)
		rc = def->run(&c);
	if (rc == 0 && out->nrows > 0 && out->cur != out->ncols)
		rc = crm_seterr(CRM_EINTERNAL, "%s: a short last row", def->name);
	crm_filter_free(&c.flt);
	free(c.pipes);
	crm_buf_free(&c.custom);
	crm_buf_free(&c.tmp);
	for (i = 0; i < CRM_MAX_ENTITIES; i++)
		crm_rec_free(c.looks[i]);
	return rc;
}
