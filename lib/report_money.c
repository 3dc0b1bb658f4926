/*
 * report_money.c — receivables and customer value: aging (over
 * invoices), rfm, churn, retention and ltv (over customers and what they
 * paid).
 *
 * A payment belongs to the customer of its invoice.  The customer
 * reports first map every invoice to its customer in a dense array (ids
 * are assigned in order, so the array is as long as the largest id),
 * then read the payments once; customers are read last, in id order
 * beside the sorted results, for --where, names and owners.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report_int.h"

#define NONE INT64_MIN	/* a day never seen */

/* ---- aging --------------------------------------------------------------------- */

struct agef {
	int amount, paid, status, due, currency;
};

struct age {
	int64_t b[5], total;
};

struct agescan {
	struct rgrouper g;
	struct agef f;
};

static int
aging_row(struct crm_rctx *c, struct crm_rec *r, void *arg)
{
	struct agescan *x = arg;
	struct rgroup *grp;
	struct age *p;
	int64_t out, late;
	int rc, b;

	if (rtext_is(r, x->f.status, "void", 4))
		return 0;
	out = rset(r, x->f.amount) ? r->v[x->f.amount].i : 0;
	if (rset(r, x->f.paid) && __builtin_sub_overflow(out, r->v[x->f.paid].i,
	    &out))
		return crm_seterr(CRM_EDATA, "invoice %llu: amount less paid is "
		    "beyond the range of money", (unsigned long long)r->id);
	if (out <= 0)
		return 0;
	/* Days past due_on; not yet due (or no due date) is current. */
	late = rset(r, x->f.due) ? c->today - r->v[x->f.due].i : 0;
	b = late <= 0 ? 0 : late <= 30 ? 1 : late <= 60 ? 2 : late <= 90 ? 3 : 4;
	rg_from(&x->g, r);
	rc = rg_find(&x->g, &grp);
	if (rc != 0)
		return rc;
	p = rg_pay(grp);
	rc = radd(&p->b[b], out);
	if (rc == 0)
		rc = radd(&p->total, out);
	return rc;
}

int
crm_report_aging(struct crm_rctx *c)
{
	static const char *const cols[] = { "current", "1-30", "31-60", "61-90",
		"90+", "total" };
	struct agescan x;
	struct crm_rtab *t = c->tab;
	uint64_t mask;
	size_t i, k;
	int rc, customs = 0;

	x.f.amount = FLD(c->ent, "amount");
	x.f.paid = FLD(c->ent, "paid");
	x.f.status = FLD(c->ent, "status");
	x.f.due = FLD(c->ent, "due_on");
	x.f.currency = FLD(c->ent, "currency");
	rg_init(&x.g, c, sizeof(struct age));
	rc = rg_user(&x.g, c, 1);
	mask = rg_mask(&x.g, c->ent, &customs) | BIT(x.f.amount) | BIT(x.f.paid) |
	    BIT(x.f.status) | BIT(x.f.due) | BIT(x.f.currency);
	if (rc == 0)
		rc = rscan(c, c->ent, mask, customs, 1, FLD(c->ent, "issued_on"),
		    aging_row, &x);
	rg_sort(&x.g);
	if (rc == 0)
		rc = rg_cols(&x.g, t);
	for (k = 0; k < 6 && rc == 0; k++)
		rc = crm_rtab_col(t, cols[k], CRM_K_MONEY);
	for (i = 0; i < x.g.n && rc == 0; i++) {
		struct rgroup *grp = x.g.list[i];
		struct age *p = rg_pay(grp);
		int exp = rg_exponent(&x.g, grp);

		rc = crm_rtab_row(t);
		if (rc == 0)
			rc = rg_cells(&x.g, grp, t);
		for (k = 0; k < 5 && rc == 0; k++)
			rc = crm_rtab_money(t, p->b[k], exp);
		if (rc == 0)
			rc = crm_rtab_money(t, p->total, exp);
		crm_rtab_bar(t, p->total, rg_scale(&x.g, grp));
	}
	rg_free(&x.g);
	return rc;
}

/* ---- payments by customer --------------------------------------------------------- */

/* A dense map from the ids of one entity to customer ids. */
struct idmap {
	uint64_t *v;
	uint64_t max;
};

struct mapscan {
	struct idmap *m;
	int f;
};

static int
map_row(struct crm_rctx *c, struct crm_rec *r, void *arg)
{
	struct mapscan *x = arg;

	(void)c;
	if (r->id <= x->m->max && rset(r, x->f))
		x->m->v[r->id] = (uint64_t)r->v[x->f].i;
	return 0;
}

/* m[id] = the customer of each record of e (0 when none). */
static int
idmap_load(struct crm_rctx *c, const char *entity, struct idmap *m)
{
	const struct crm_entity *e = crm_entity_find(entity);
	struct mapscan x = { m, FLD(e, "customer") };
	int rc;

	rc = rmaxid(c, e, &m->max);
	if (rc != 0)
		return rc;
	m->v = calloc(m->max + 1, sizeof(*m->v));
	if (m->v == NULL)
		return ENOMEM;
	return rscan(c, e, BIT(x.f), 0, 0, -1, map_row, &x);
}

static uint64_t
idmap_get(const struct idmap *m, const struct crm_rec *r, int f)
{
	uint64_t id;

	if (!rset(r, f))
		return 0;
	id = (uint64_t)r->v[f].i;
	return id <= m->max ? m->v[id] : 0;
}

/* What one payment is, for the customer reports. */
struct pay {
	uint64_t cust;
	const char *cur;
	size_t curlen;
	int64_t day, amount;
};

typedef int (*pay_fn)(struct crm_rctx *c, const struct pay *p, void *arg);

struct payscan {
	struct idmap inv;
	int f_inv, f_amount, f_cur, f_paid, f_created;
	pay_fn fn;
	void *arg;
};

static int
pay_row(struct crm_rctx *c, struct crm_rec *r, void *arg)
{
	struct payscan *x = arg;
	struct pay p;

	p.cust = idmap_get(&x->inv, r, x->f_inv);
	if (p.cust == 0)
		return 0;	/* an invoice without a customer */
	p.cur = rset(r, x->f_cur) ? r->v[x->f_cur].s : "";
	p.curlen = rset(r, x->f_cur) ? r->v[x->f_cur].len : 0;
	/* The day it was paid, else the day it was recorded. */
	p.day = rset(r, x->f_paid) ? r->v[x->f_paid].i :
	    rday(r->v[x->f_created].i);
	p.amount = rset(r, x->f_amount) ? r->v[x->f_amount].i : 0;
	return x->fn(c, &p, x->arg);
}

/* Calls fn for every payment whose invoice has a customer (the invoice
 * map is loaded on the first call and kept in x). */
static int
scan_payments(struct crm_rctx *c, struct payscan *x, pay_fn fn, void *arg)
{
	const struct crm_entity *pe = crm_entity_find("payment");
	int rc = 0;

	if (x->inv.v == NULL)
		rc = idmap_load(c, "invoice", &x->inv);
	x->f_inv = FLD(pe, "invoice");
	x->f_amount = FLD(pe, "amount");
	x->f_cur = FLD(pe, "currency");
	x->f_paid = FLD(pe, "paid_on");
	x->f_created = FLD(pe, "created_at");
	x->fn = fn;
	x->arg = arg;
	if (rc == 0)
		rc = rscan(c, pe, BIT(x->f_inv) | BIT(x->f_amount) | BIT(x->f_cur) |
		    BIT(x->f_paid) | BIT(x->f_created), 0, 0, -1, pay_row, x);
	return rc;
}

/*
 * One customer in one currency (rfm, churn): collected in a group keyed
 * (customer, currency) whose payload is up to three sums, then copied
 * into a dense array sorted by customer and currency, so the passes that
 * follow read memory in order rather than chase a million pointers.
 */
struct unit {
	uint64_t cust;
	char cur[4];
	int ci;			/* index of the currency among those seen */
	int keep;		/* the customer exists and meets --where */
	int64_t v[3];		/* the group's payload */
	uint32_t name, namelen, owner, ownerlen;	/* in a text buffer */
	int r, f, m;		/* rfm scores */
};

static int
cmp_unit(const void *a, const void *b)
{
	const struct unit *p = a, *q = b;

	if (p->cust != q->cust)
		return p->cust < q->cust ? -1 : 1;
	return strcmp(p->cur, q->cur);
}

/* The groups of g, keyed (customer, currency), as sorted units; the
 * currencies numbered in *curs (up to 64). */
static int
units_of(const struct rgrouper *g, struct unit **out, char curs[64][4],
    int *ncurs)
{
	struct unit *u;
	size_t i;
	int k;

	*ncurs = 0;
	u = calloc(g->n ? g->n : 1, sizeof(*u));
	*out = u;
	if (u == NULL)
		return ENOMEM;
	for (i = 0; i < g->n; i++) {
		struct rpart cp, cur;
		size_t len;

		rg_part(g, g->list[i], 0, &cp);
		rg_part(g, g->list[i], 1, &cur);
		len = cur.set && cur.len < 4 ? cur.len : 0;
		u[i].cust = (uint64_t)cp.i;
		if (len > 0)
			memcpy(u[i].cur, cur.s, len);
		memcpy(u[i].v, rg_pay(g->list[i]), sizeof(u[i].v));
		for (k = 0; k < *ncurs; k++)
			if (strcmp(curs[k], u[i].cur) == 0)
				break;
		if (k == *ncurs) {
			if (k == 64)
				return crm_seterr(CRM_EDATA, "payments in more than "
				    "64 currencies");
			memcpy(curs[k], u[i].cur, 4);
			(*ncurs)++;
		}
		u[i].ci = k;
	}
	qsort(u, g->n, sizeof(*u), cmp_unit);
	return 0;
}

/*
 * Walks the customers in id order beside the sorted units: marks the
 * units whose customer exists and meets --where, and appends the name
 * (and the owner when f_owner >= 0) of each to text.
 */
static int
walk_customers(struct crm_rctx *c, struct unit *u, size_t n, int f_name,
    int f_owner, struct crm_buf *text)
{
	const struct crm_entity *ce = crm_entity_find("customer");
	MDB_cursor *cur = NULL;
	MDB_val key, val;
	struct crm_rec *r;
	uint64_t at = 0, mask = BIT(f_name) | c->fmask;
	size_t i, before;
	int rc, mrc = 0, have = 0;

	if (f_owner >= 0)
		mask |= BIT(f_owner);
	r = crm_rec_new(ce);
	if (r == NULL)
		return ENOMEM;
	rc = crm_db_err(mdb_cursor_open(c->tx->t, crm_db_records(c->tx->db, ce),
	    &cur));
	if (rc == 0) {
		mrc = mdb_cursor_get(cur, &key, &val, MDB_FIRST);
		if (mrc == 0)
			at = crm_be64_get(key.mv_data);
	}
	for (i = 0; i < n && rc == 0; i++) {
		uint64_t id = u[i].cust;

		if (i > 0 && id == u[i - 1].cust) {
			u[i].keep = u[i - 1].keep;
			u[i].name = u[i - 1].name;
			u[i].namelen = u[i - 1].namelen;
			u[i].owner = u[i - 1].owner;
			u[i].ownerlen = u[i - 1].ownerlen;
			continue;
		}
		/* Near: step; far: seek. */
		while (mrc == 0 && at < id && id - at <= 64) {
			mrc = mdb_cursor_get(cur, &key, &val, MDB_NEXT);
			if (mrc == 0)
				at = crm_be64_get(key.mv_data);
		}
		if (mrc == 0 && at < id) {
			unsigned char kb[8];

			crm_be64_put(kb, id);
			key.mv_data = kb;
			key.mv_size = 8;
			mrc = mdb_cursor_get(cur, &key, &val, MDB_SET_RANGE);
			if (mrc == 0)
				at = crm_be64_get(key.mv_data);
		}
		if (mrc != 0 && mrc != MDB_NOTFOUND) {
			rc = crm_db_err(mrc);
			break;
		}
		have = 0;
		if (mrc == 0 && at == id) {
			rc = crm_rec_decode_some(r, id, val.mv_data, val.mv_size,
			    mask, c->fcustoms);
			if (rc == CRM_ECORRUPT)
				rc = crm_seterr(CRM_ECORRUPT, "customer %llu: the "
				    "stored record does not decode (run crm check)",
				    (unsigned long long)id);
			have = rc == 0 && (c->flt.n == 0 ||
			    crm_filter_match(&c->flt, r));
		}
		u[i].keep = have;
		if (!have || rc != 0)
			continue;
		before = text->len;
		rc = crm_rec_text(r, f_name, text);
		u[i].name = (uint32_t)before;
		u[i].namelen = (uint32_t)(text->len - before);
		before = text->len;
		if (rc == 0 && f_owner >= 0)
			rc = crm_rec_text(r, f_owner, text);
		u[i].owner = (uint32_t)before;
		u[i].ownerlen = (uint32_t)(text->len - before);
		if (rc == 0 && text->len > UINT32_MAX)
			rc = ENOMEM;
	}
	if (cur != NULL)
		mdb_cursor_close(cur);
	crm_rec_free(r);
	return rc;
}

/* ---- rfm ------------------------------------------------------------------------- */

enum { R_LAST, R_COUNT, R_SUM };	/* an rfm unit's v[] */

struct rfmscan {
	struct rgrouper g;	/* (customer, currency): last day, count, sum */
	struct payscan ps;
	int64_t asof;
};

static int
rfm_pay(struct crm_rctx *c, const struct pay *p, void *arg)
{
	struct rfmscan *x = arg;
	struct rgroup *grp;
	int64_t *v;
	int rc;

	if (!rin(c, p->day) || p->day > x->asof)
		return 0;
	rg_set(&x->g, 0, 1, (int64_t)p->cust, NULL, 0);
	rg_set(&x->g, 1, p->curlen > 0, 0, p->cur, p->curlen);
	rc = rg_find(&x->g, &grp);
	if (rc != 0)
		return rc;
	v = rg_pay(grp);
	if (v[R_COUNT] == 0 || p->day > v[R_LAST])
		v[R_LAST] = p->day;
	v[R_COUNT]++;
	return radd(&v[R_SUM], p->amount);
}

struct sv {
	int cur;
	int64_t v;
};

static int
cmp_sv(const void *a, const void *b)
{
	const struct sv *p = a, *q = b;

	if (p->cur != q->cur)
		return p->cur < q->cur ? -1 : 1;
	return p->v < q->v ? -1 : p->v > q->v;
}

/* First index in [lo, hi) of s whose value is >= v (upper: > v). */
static size_t
bound(const struct sv *s, size_t lo, size_t hi, int64_t v, int upper)
{
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (s[mid].v < v || (upper && s[mid].v == v))
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* The value scored: recency in days (which 0), frequency, monetary. */
static int64_t
rfm_value(const struct unit *u, int which, int64_t asof)
{
	return which == 0 ? asof - u->v[R_LAST] : u->v[which];
}

/*
 * Quintile scores of one measure: 1 + floor(5 * b / n), b the number of
 * the currency's customers with a worse value (a smaller frequency or
 * monetary, more days since the last payment), n their number.  Equal
 * values score the same.
 */
static int
score(struct unit *u, size_t nu, int ncurs, int which, int64_t asof)
{
	struct sv *s;
	size_t *start, n = 0, i;
	int rc = 0;

	s = malloc((nu ? nu : 1) * sizeof(*s));
	start = calloc((size_t)ncurs + 1, sizeof(*start));
	if (s == NULL || start == NULL) {
		rc = ENOMEM;
		goto done;
	}
	for (i = 0; i < nu; i++)
		if (u[i].keep) {
			s[n].cur = u[i].ci;
			s[n++].v = rfm_value(&u[i], which, asof);
		}
	qsort(s, n, sizeof(*s), cmp_sv);
	for (i = 0; i < n; i++)
		start[s[i].cur + 1] = i + 1;
	for (i = 1; i <= (size_t)ncurs; i++)
		if (start[i] < start[i - 1])
			start[i] = start[i - 1];
	for (i = 0; i < nu; i++) {
		size_t lo = start[u[i].ci], hi = start[u[i].ci + 1], b;
		int64_t v = rfm_value(&u[i], which, asof);

		if (!u[i].keep)
			continue;
		/* Recency: more days is worse. */
		b = which == 0 ? hi - bound(s, lo, hi, v, 1) :
		    bound(s, lo, hi, v, 0) - lo;
		*(which == 0 ? &u[i].r : which == 1 ? &u[i].f : &u[i].m) =
		    1 + (int)(5 * b / (hi - lo));
	}
done:
	free(s);
	free(start);
	return rc;
}

/*
 * Segments from R and FM = (F + M) / 2 rounded up, first match wins:
 *   champions        R >= 4, FM >= 4
 *   loyal            R >= 3, FM >= 3
 *   new              R >= 4, F = 1
 *   promising        R >= 4
 *   needs-attention  R = 3
 *   cant-lose        FM = 5            (R <= 2 from here on)
 *   at-risk          FM >= 3
 *   about-to-sleep   R = 2
 *   hibernating      FM = 2            (R = 1 from here on)
 *   lost             otherwise
 */
static const char *
segment(int r, int f, int m)
{
	int fm = (f + m + 1) / 2;

	if (r >= 4 && fm >= 4)
		return "champions";
	if (r >= 3 && fm >= 3)
		return "loyal";
	if (r >= 4 && f == 1)
		return "new";
	if (r >= 4)
		return "promising";
	if (r == 3)
		return "needs-attention";
	if (fm == 5)
		return "cant-lose";
	if (fm >= 3)
		return "at-risk";
	if (r == 2)
		return "about-to-sleep";
	if (fm == 2)
		return "hibernating";
	return "lost";
}

int
crm_report_rfm(struct crm_rctx *c)
{
	static const char *const cols[] = { "customer", "name", "recency_days",
		"frequency", "monetary", "currency", "r", "f", "m", "segment" };
	static const enum crm_kind kinds[] = { CRM_K_NUM, CRM_K_STR, CRM_K_NUM,
		CRM_K_NUM, CRM_K_MONEY, CRM_K_STR, CRM_K_NUM, CRM_K_NUM, CRM_K_NUM,
		CRM_K_STR };
	struct rfmscan x;
	struct crm_rtab *t = c->tab;
	struct crm_buf names = CRM_BUF_INIT;
	struct unit *u = NULL;
	char curs[64][4];
	size_t i, n = 0;
	int rc, k, ncurs = 0;

	memset(&x, 0, sizeof(x));
	x.asof = c->req->has_to ? c->req->to : c->today;
	rg_init(&x.g, c, 3 * sizeof(int64_t));
	rc = rg_virtual(&x.g, "customer", CRM_T_REF, RU_NONE);
	if (rc == 0)
		rc = rg_virtual(&x.g, "currency", CRM_T_CURRENCY, RU_NONE);
	if (rc == 0)
		rc = scan_payments(c, &x.ps, rfm_pay, &x);
	if (rc == 0) {
		n = x.g.n;
		rc = units_of(&x.g, &u, curs, &ncurs);
	}
	rg_free(&x.g);
	if (rc == 0)
		rc = walk_customers(c, u, n, FLD(c->ent, "name"), -1, &names);
	for (k = 0; k < 3 && rc == 0; k++)
		rc = score(u, n, ncurs, k, x.asof);
	for (i = 0; i < 10 && rc == 0; i++)
		rc = crm_rtab_col(t, cols[i], kinds[i]);
	if (rc == 0)
		t->refcol[0] = 1;
	for (i = 0; i < n && rc == 0; i++) {
		const char *seg = segment(u[i].r, u[i].f, u[i].m);
		size_t cl = strlen(u[i].cur);

		if (!u[i].keep)
			continue;
		rc = crm_rtab_row(t);
		if (rc == 0)
			rc = crm_rtab_int(t, (int64_t)u[i].cust);
		if (rc == 0)
			rc = crm_rtab_str(t, names.p + u[i].name, u[i].namelen);
		if (rc == 0)
			rc = crm_rtab_int(t, x.asof - u[i].v[R_LAST]);
		if (rc == 0)
			rc = crm_rtab_int(t, u[i].v[R_COUNT]);
		if (rc == 0)
			rc = crm_rtab_money(t, u[i].v[R_SUM],
			    crm_currency_exponent(u[i].cur, cl));
		if (rc == 0)
			rc = crm_rtab_str(t, u[i].cur, cl);
		if (rc == 0)
			rc = crm_rtab_int(t, u[i].r);
		if (rc == 0)
			rc = crm_rtab_int(t, u[i].f);
		if (rc == 0)
			rc = crm_rtab_int(t, u[i].m);
		if (rc == 0)
			rc = crm_rtab_str(t, seg, strlen(seg));
		crm_rtab_bar(t, u[i].v[R_SUM], (uint32_t)u[i].ci);
	}
	free(u);
	free(x.ps.inv.v);
	crm_buf_free(&names);
	return rc;
}

/* ---- churn ------------------------------------------------------------------------ */

enum { C_REV12, C_OPENW };	/* a churn unit's v[] */

struct churnscan {
	struct rgrouper g;		/* (customer, currency) */
	struct payscan ps;
	int64_t *last;			/* per customer: latest day touched */
	unsigned char *bought;
	uint64_t maxcust;
	struct idmap deals, tickets;
	/* deal fields */
	int d_cust, d_stage, d_amount, d_cur, d_prob, d_created, d_changed,
	    d_closed, d_pipe;
	int t_cust, t_created, t_first, t_resolved, t_closed;
	int a_cust, a_deal, a_ticket, a_at, a_created;
};

static void
touch(struct churnscan *x, uint64_t cust, int64_t day)
{
	if (cust != 0 && cust <= x->maxcust && day > x->last[cust])
		x->last[cust] = day;
}

static int
unit_sums(struct churnscan *x, uint64_t cust, const char *cur, size_t len,
    int64_t **v)
{
	struct rgroup *grp;
	int rc;

	rg_set(&x->g, 0, 1, (int64_t)cust, NULL, 0);
	rg_set(&x->g, 1, len > 0, 0, cur, len);
	rc = rg_find(&x->g, &grp);
	*v = rc == 0 ? rg_pay(grp) : NULL;
	return rc;
}

static int
churn_deal(struct crm_rctx *c, struct crm_rec *r, void *arg)
{
	struct churnscan *x = arg;
	uint64_t cust = rset(r, x->d_cust) ? (uint64_t)r->v[x->d_cust].i : 0;
	int state = rdeal_state(r, x->d_stage), won = state == WON;
	int open = state == OPEN;
	int f[3] = { x->d_created, x->d_changed, x->d_closed }, i, rc;
	int64_t p, *v;

	if (r->id <= x->deals.max)
		x->deals.v[r->id] = cust;
	if (cust == 0 || cust > x->maxcust)
		return 0;
	for (i = 0; i < 3; i++)
		if (rset(r, f[i]))
			touch(x, cust, rday(r->v[f[i]].i));
	if (!won && !open)
		return 0;
	rc = unit_sums(x, cust, rset(r, x->d_cur) ? r->v[x->d_cur].s : "",
	    rset(r, x->d_cur) ? r->v[x->d_cur].len : 0, &v);
	if (rc != 0 || won) {
		x->bought[cust] |= won;
		return rc;
	}
	p = rset(r, x->d_prob) ? r->v[x->d_prob].i :
	    rprob(c, r, x->d_pipe, x->d_stage);
	return radd(&v[C_OPENW], crm_weighted(rset(r, x->d_amount) ?
	    r->v[x->d_amount].i : 0, p));
}

static int
churn_ticket(struct crm_rctx *c, struct crm_rec *r, void *arg)
{
	struct churnscan *x = arg;
	uint64_t cust = rset(r, x->t_cust) ? (uint64_t)r->v[x->t_cust].i : 0;
	int f[4] = { x->t_created, x->t_first, x->t_resolved, x->t_closed }, i;

	(void)c;
	if (r->id <= x->tickets.max)
		x->tickets.v[r->id] = cust;
	for (i = 0; i < 4; i++)
		if (rset(r, f[i]))
			touch(x, cust, rday(r->v[f[i]].i));
	return 0;
}

static int
churn_activity(struct crm_rctx *c, struct crm_rec *r, void *arg)
{
	struct churnscan *x = arg;
	uint64_t cust = rset(r, x->a_cust) ? (uint64_t)r->v[x->a_cust].i : 0;

	(void)c;
	/* An activity on a deal or a ticket touches its customer. */
	if (cust == 0)
		cust = idmap_get(&x->deals, r, x->a_deal);
	if (cust == 0)
		cust = idmap_get(&x->tickets, r, x->a_ticket);
	touch(x, cust, rday(rset(r, x->a_at) ? r->v[x->a_at].i :
	    r->v[x->a_created].i));
	return 0;
}

static int
churn_pay(struct crm_rctx *c, const struct pay *p, void *arg)
{
	struct churnscan *x = arg;
	int64_t *v;
	int rc;

	if (p->cust > x->maxcust)
		return 0;
	touch(x, p->cust, p->day);
	x->bought[p->cust] = 1;
	rc = unit_sums(x, p->cust, p->cur, p->curlen, &v);
	/* Revenue of the last twelve months: what leaving would cost. */
	if (rc == 0 && p->day > c->today - 365 && p->day <= c->today)
		rc = radd(&v[C_REV12], p->amount);
	return rc;
}

static void
churn_fields(struct churnscan *x)
{
	const struct crm_entity *d = crm_entity_find("deal");
	const struct crm_entity *t = crm_entity_find("ticket");
	const struct crm_entity *a = crm_entity_find("activity");

	x->d_cust = FLD(d, "customer");
	x->d_stage = FLD(d, "stage");
	x->d_amount = FLD(d, "amount");
	x->d_cur = FLD(d, "currency");
	x->d_prob = FLD(d, "probability");
	x->d_created = FLD(d, "created_at");
	x->d_changed = FLD(d, "stage_changed_at");
	x->d_closed = FLD(d, "closed_at");
	x->d_pipe = FLD(d, "pipeline");
	x->t_cust = FLD(t, "customer");
	x->t_created = FLD(t, "created_at");
	x->t_first = FLD(t, "first_response_at");
	x->t_resolved = FLD(t, "resolved_at");
	x->t_closed = FLD(t, "closed_at");
	x->a_cust = FLD(a, "customer");
	x->a_deal = FLD(a, "deal");
	x->a_ticket = FLD(a, "ticket");
	x->a_at = FLD(a, "at");
	x->a_created = FLD(a, "created_at");
}

static int
churn_scan(struct crm_rctx *c, struct churnscan *x)
{
	const struct crm_entity *d = crm_entity_find("deal");
	const struct crm_entity *t = crm_entity_find("ticket");
	const struct crm_entity *a = crm_entity_find("activity");
	uint64_t i;
	int rc;

	rc = rmaxid(c, c->ent, &x->maxcust);
	if (rc == 0)
		rc = rmaxid(c, d, &x->deals.max);
	if (rc == 0)
		rc = rmaxid(c, t, &x->tickets.max);
	if (rc != 0)
		return rc;
	x->last = malloc((x->maxcust + 1) * sizeof(*x->last));
	x->bought = calloc(x->maxcust + 1, 1);
	x->deals.v = calloc(x->deals.max + 1, sizeof(*x->deals.v));
	x->tickets.v = calloc(x->tickets.max + 1, sizeof(*x->tickets.v));
	if (x->last == NULL || x->bought == NULL || x->deals.v == NULL ||
	    x->tickets.v == NULL)
		return ENOMEM;
	for (i = 0; i <= x->maxcust; i++)
		x->last[i] = NONE;
	rc = rscan(c, d, BIT(x->d_cust) | BIT(x->d_stage) | BIT(x->d_amount) |
	    BIT(x->d_cur) | BIT(x->d_prob) | BIT(x->d_created) |
	    BIT(x->d_changed) | BIT(x->d_closed) | BIT(x->d_pipe), 0, 0, -1,
	    churn_deal, x);
	if (rc == 0)
		rc = rscan(c, t, BIT(x->t_cust) | BIT(x->t_created) |
		    BIT(x->t_first) | BIT(x->t_resolved) | BIT(x->t_closed), 0, 0,
		    -1, churn_ticket, x);
	if (rc == 0)
		rc = scan_payments(c, &x->ps, churn_pay, x);
	if (rc == 0)
		rc = rscan(c, a, BIT(x->a_cust) | BIT(x->a_deal) | BIT(x->a_ticket) |
		    BIT(x->a_at) | BIT(x->a_created), 0, 0, -1, churn_activity, x);
	return rc;
}

int
crm_report_churn(struct crm_rctx *c)
{
	static const char *const cols[] = { "customer", "name", "owner",
		"last_contact", "days_inactive", "currency", "revenue_12m",
		"open_weighted", "value_at_risk" };
	static const enum crm_kind kinds[] = { CRM_K_NUM, CRM_K_STR, CRM_K_STR,
		CRM_K_STR, CRM_K_NUM, CRM_K_STR, CRM_K_MONEY, CRM_K_MONEY,
		CRM_K_MONEY };
	struct churnscan x;
	struct crm_rtab *t = c->tab;
	struct crm_buf text = CRM_BUF_INIT;
	struct unit *u = NULL;
	char curs[64][4];
	int64_t days = c->req->days >= 0 ? c->req->days : 90;
	size_t i, n = 0;
	int rc, ncurs;

	memset(&x, 0, sizeof(x));
	churn_fields(&x);
	rg_init(&x.g, c, 3 * sizeof(int64_t));
	rc = rg_virtual(&x.g, "customer", CRM_T_REF, RU_NONE);
	if (rc == 0)
		rc = rg_virtual(&x.g, "currency", CRM_T_CURRENCY, RU_NONE);
	if (rc == 0)
		rc = churn_scan(c, &x);
	if (rc == 0) {
		n = x.g.n;
		rc = units_of(&x.g, &u, curs, &ncurs);
	}
	rg_free(&x.g);
	if (rc == 0)
		rc = walk_customers(c, u, n, FLD(c->ent, "name"),
		    FLD(c->ent, "owner"), &text);
	for (i = 0; i < 9 && rc == 0; i++)
		rc = crm_rtab_col(t, cols[i], kinds[i]);
	if (rc == 0)
		t->refcol[0] = 1;
	for (i = 0; i < n && rc == 0; i++) {
		uint64_t cust = u[i].cust;
		int64_t risk = u[i].v[C_REV12];
		size_t cl = strlen(u[i].cur);
		int exp = crm_currency_exponent(u[i].cur, cl);

		/* Bought before, and quiet for more than the days given. */
		if (!u[i].keep || !x.bought[cust] || x.last[cust] == NONE ||
		    c->today - x.last[cust] <= days)
			continue;
		rc = crm_rtab_row(t);
		if (rc == 0)
			rc = crm_rtab_int(t, (int64_t)cust);
		if (rc == 0)
			rc = crm_rtab_str(t, text.p + u[i].name, u[i].namelen);
		if (rc == 0)
			rc = crm_rtab_str(t, text.p + u[i].owner, u[i].ownerlen);
		crm_buf_reset(&c->tmp);
		if (rc == 0)
			rc = crm_date_format(&c->tmp, x.last[cust]);
		if (rc == 0)
			rc = crm_rtab_str(t, c->tmp.p, c->tmp.len);
		if (rc == 0)
			rc = crm_rtab_int(t, c->today - x.last[cust]);
		if (rc == 0)
			rc = crm_rtab_str(t, u[i].cur, cl);
		if (rc == 0)
			rc = crm_rtab_money(t, u[i].v[C_REV12], exp);
		if (rc == 0)
			rc = crm_rtab_money(t, u[i].v[C_OPENW], exp);
		if (rc == 0)
			rc = radd(&risk, u[i].v[C_OPENW]);
		if (rc == 0)
			rc = crm_rtab_money(t, risk, exp);
		crm_rtab_bar(t, risk, (uint32_t)u[i].ci);
	}
	free(u);
	free(x.ps.inv.v);
	free(x.last);
	free(x.bought);
	free(x.deals.v);
	free(x.tickets.v);
	crm_buf_free(&text);
	return rc;
}

/* ---- retention --------------------------------------------------------------------- */

#define MAX_MONTHS 60

struct cohort {
	int64_t customers, repeat, m[MAX_MONTHS + 1];
};

struct retscan {
	struct payscan ps;
	uint64_t maxcust;
	int64_t *first;		/* per customer: day of the first payment */
	uint64_t *months;	/* bit k: paid k months after the first;
				 * bit 0: paid in any later month */
	unsigned char *keep;	/* --where */
	int pass;
};

static int64_t
month_index(int64_t day)
{
	int64_t y;
	unsigned m, d;

	crm_civil_from_days(day, &y, &m, &d);
	return y * 12 + m - 1;
}

static int
ret_pay(struct crm_rctx *c, const struct pay *p, void *arg)
{
	struct retscan *x = arg;
	int64_t off;

	(void)c;
	if (p->cust > x->maxcust)
		return 0;
	if (x->pass == 0) {
		if (x->first[p->cust] == NONE || p->day < x->first[p->cust])
			x->first[p->cust] = p->day;
		return 0;
	}
	off = month_index(p->day) - month_index(x->first[p->cust]);
	if (off >= 1)
		x->months[p->cust] |= 1;
	if (off >= 1 && off <= MAX_MONTHS)
		x->months[p->cust] |= (uint64_t)1 << off;
	return 0;
}

static int
ret_keep(struct crm_rctx *c, struct crm_rec *r, void *arg)
{
	struct retscan *x = arg;

	(void)c;
	if (r->id <= x->maxcust)
		x->keep[r->id] = 1;
	return 0;
}

int
crm_report_retention(struct crm_rctx *c)
{
	struct retscan x;
	struct rgrouper g;
	struct crm_rtab *t = c->tab;
	int64_t months = c->req->months > 0 ? c->req->months : 12;
	char col[16];
	uint64_t i;
	size_t j;
	int rc, k;

	memset(&x, 0, sizeof(x));
	rg_init(&g, c, sizeof(struct cohort));
	if (months > MAX_MONTHS)
		return crm_seterr(CRM_EUSAGE, "--months %lld: at most %d",
		    (long long)months, MAX_MONTHS);
	rc = rg_virtual(&g, "cohort", CRM_T_DATE, RU_MONTH);
	if (rc == 0)
		rc = rmaxid(c, c->ent, &x.maxcust);
	if (rc != 0)
		goto done;
	x.first = malloc((x.maxcust + 1) * sizeof(*x.first));
	x.months = calloc(x.maxcust + 1, sizeof(*x.months));
	x.keep = malloc(x.maxcust + 1);
	if (x.first == NULL || x.months == NULL || x.keep == NULL) {
		rc = ENOMEM;
		goto done;
	}
	for (i = 0; i <= x.maxcust; i++)
		x.first[i] = NONE;
	memset(x.keep, c->flt.n == 0, x.maxcust + 1);
	if (c->flt.n > 0)
		rc = rscan(c, c->ent, 0, 0, 1, -1, ret_keep, &x);
	for (x.pass = 0; x.pass < 2 && rc == 0; x.pass++)
		rc = scan_payments(c, &x.ps, ret_pay, &x);
	for (i = 1; i <= x.maxcust && rc == 0; i++) {
		struct rgroup *grp;
		struct cohort *p;

		if (x.first[i] == NONE || !x.keep[i] || !rin(c, x.first[i]))
			continue;
		rg_set(&g, 0, 1, rbucket(x.first[i], RU_MONTH), NULL, 0);
		rc = rg_find(&g, &grp);
		if (rc != 0)
			break;
		p = rg_pay(grp);
		p->customers++;
		p->repeat += x.months[i] & 1;
		for (k = 1; k <= months; k++)
			p->m[k] += (x.months[i] >> k) & 1;
	}
	rg_sort(&g);
	if (rc == 0)
		rc = rg_cols(&g, t);
	if (rc == 0)
		rc = crm_rtab_col(t, "customers", CRM_K_NUM);
	if (rc == 0)
		rc = crm_rtab_col(t, "repeat", CRM_K_NUM);
	if (rc == 0)
		rc = crm_rtab_col(t, "repeat_rate", CRM_K_NUM);
	for (k = 1; k <= months && rc == 0; k++) {
		snprintf(col, sizeof(col), "m%d", k);
		rc = crm_rtab_col(t, col, CRM_K_NUM);
	}
	t->barmax = 1000;
	for (j = 0; j < g.n && rc == 0; j++) {
		struct cohort *p = rg_pay(g.list[j]);

		rc = crm_rtab_row(t);
		if (rc == 0)
			rc = rg_cells(&g, g.list[j], t);
		if (rc == 0)
			rc = crm_rtab_int(t, p->customers);
		if (rc == 0)
			rc = crm_rtab_int(t, p->repeat);
		if (rc == 0)
			rc = crm_rtab_pct(t, p->repeat, p->customers);
		for (k = 1; k <= months && rc == 0; k++)
			rc = crm_rtab_int(t, p->m[k]);
		crm_rtab_bar(t, p->repeat * 1000 / p->customers, 0);
	}
done:
	rg_free(&g);
	free(x.ps.inv.v);
	free(x.first);
	free(x.months);
	free(x.keep);
	return rc;
}

/* ---- ltv -------------------------------------------------------------------------- */

struct ltvg {
	int64_t customers;
	struct rcurs cs;	/* paying customers (n), revenue (sum) */
};

struct ltvscan {
	struct rgrouper g;	/* the --by groups of customers */
	struct rgrouper u;	/* (customer, currency): revenue */
	struct payscan ps;
	uint64_t maxcust;
	uint32_t *grp;		/* per customer: index in g.list + 1 */
	int64_t asof;
};

static int
ltv_cust(struct crm_rctx *c, struct crm_rec *r, void *arg)
{
	struct ltvscan *x = arg;
	struct rgroup *grp;
	int rc;

	(void)c;
	if (r->id > x->maxcust)
		return 0;
	rg_from(&x->g, r);
	rc = rg_find(&x->g, &grp);
	if (rc == 0) {
		((struct ltvg *)rg_pay(grp))->customers++;
		x->grp[r->id] = grp->idx + 1;
	}
	return rc;
}

static int
ltv_pay(struct crm_rctx *c, const struct pay *p, void *arg)
{
	struct ltvscan *x = arg;
	struct rgroup *grp;
	int rc;

	if (p->cust > x->maxcust || x->grp[p->cust] == 0 || !rin(c, p->day) ||
	    p->day > x->asof)
		return 0;
	rg_set(&x->u, 0, 1, (int64_t)p->cust, NULL, 0);
	rg_set(&x->u, 1, p->curlen > 0, 0, p->cur, p->curlen);
	rc = rg_find(&x->u, &grp);
	return rc != 0 ? rc : radd((int64_t *)rg_pay(grp), p->amount);
}

int
crm_report_ltv(struct crm_rctx *c)
{
	static const char *const cols[] = { "currency", "customers", "paying",
		"revenue", "ltv" };
	static const enum crm_kind kinds[] = { CRM_K_STR, CRM_K_NUM, CRM_K_NUM,
		CRM_K_MONEY, CRM_K_MONEY };
	struct ltvscan x;
	struct rgroup **byidx = NULL;
	struct crm_rtab *t = c->tab;
	uint64_t mask;
	size_t i, j;
	int rc, customs = 0;

	memset(&x, 0, sizeof(x));
	x.asof = c->req->has_to ? c->req->to : c->today;
	rg_init(&x.g, c, sizeof(struct ltvg));
	rg_init(&x.u, c, sizeof(int64_t));
	rc = rg_user(&x.g, c, 0);
	if (rc == 0)
		rc = rg_virtual(&x.u, "customer", CRM_T_REF, RU_NONE);
	if (rc == 0)
		rc = rg_virtual(&x.u, "currency", CRM_T_CURRENCY, RU_NONE);
	if (rc == 0)
		rc = rmaxid(c, c->ent, &x.maxcust);
	if (rc != 0)
		goto done;
	x.grp = calloc(x.maxcust + 1, sizeof(*x.grp));
	if (x.grp == NULL) {
		rc = ENOMEM;
		goto done;
	}
	mask = rg_mask(&x.g, c->ent, &customs);
	rc = rscan(c, c->ent, mask, customs, 1, -1, ltv_cust, &x);
	if (rc == 0)
		rc = scan_payments(c, &x.ps, ltv_pay, &x);
	/* Each customer's revenue in a currency into its group. */
	byidx = malloc((x.g.n ? x.g.n : 1) * sizeof(*byidx));
	if (byidx == NULL && rc == 0)
		rc = ENOMEM;
	for (i = 0; i < x.g.n && rc == 0; i++)
		byidx[i] = x.g.list[i];	/* still in creation order */
	for (i = 0; i < x.u.n && rc == 0; i++) {
		struct rpart cp, cur;
		struct ltvg *p;
		struct rcur *cs;

		rg_part(&x.u, x.u.list[i], 0, &cp);
		rg_part(&x.u, x.u.list[i], 1, &cur);
		p = rg_pay(byidx[x.grp[cp.i] - 1]);
		cs = rcur_of(&p->cs, cur.s, cur.len);
		if (cs == NULL) {
			rc = ENOMEM;
			break;
		}
		cs->n++;
		rc = radd(&cs->sum, *(int64_t *)rg_pay(x.u.list[i]));
	}
	rg_sort(&x.g);
	if (rc == 0)
		rc = rg_cols(&x.g, t);
	for (i = 0; i < 5 && rc == 0; i++)
		rc = crm_rtab_col(t, cols[i], kinds[i]);
	for (i = 0; i < x.g.n && rc == 0; i++) {
		struct rgroup *grp = x.g.list[i];
		struct ltvg *p = rg_pay(grp);

		rcur_sort(&p->cs);
		/* A group where nobody paid still shows its customers. */
		for (j = 0; j < (p->cs.n ? p->cs.n : 1) && rc == 0; j++) {
			struct rcur *cs = p->cs.n ? &p->cs.v[j] : NULL;
			int exp = cs ? crm_currency_exponent(cs->cur,
			    strlen(cs->cur)) : 2;

			rc = crm_rtab_row(t);
			if (rc == 0)
				rc = rg_cells(&x.g, grp, t);
			if (rc == 0)
				rc = cs ? crm_rtab_str(t, cs->cur, strlen(cs->cur)) :
				    crm_rtab_empty(t);
			if (rc == 0)
				rc = crm_rtab_int(t, p->customers);
			if (rc == 0)
				rc = crm_rtab_int(t, cs ? cs->n : 0);
			if (rc == 0)
				rc = cs ? crm_rtab_money(t, cs->sum, exp) :
				    crm_rtab_empty(t);
			/* Lifetime value: revenue over every customer of the
			 * group, paying or not. */
			if (rc == 0)
				rc = cs ? crm_rtab_money(t, rdiv(cs->sum,
				    p->customers), exp) : crm_rtab_empty(t);
			if (cs != NULL)
				crm_rtab_bar(t, cs->sum, rscale(cs->cur,
				    strlen(cs->cur)));
		}
	}
	for (i = 0; i < x.g.n; i++)
		free(((struct ltvg *)rg_pay(x.g.list[i]))->cs.v);
done:
	free(byidx);
	rg_free(&x.g);
	rg_free(&x.u);
	free(x.ps.inv.v);
	free(x.grp);
	return rc;
}
