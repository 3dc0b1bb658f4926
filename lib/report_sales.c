/*
 * report_sales.c — the sales reports: pipeline, forecast, winrate, lost,
 * cycle (over deals), funnel and sources (over leads).
 *
 * A deal is open while its stage is neither "won" nor "lost".  Its
 * probability is its own field, else its stage's default from the
 * stored pipeline (crm_stages_load), else 0.  Weighted amounts are
 * rounded half away from zero per deal (crm_weighted), so a group's
 * weighted amount is the sum of its deals' and groups add up exactly
 * whatever --by cuts them by.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "report_int.h"

struct dealf {
	int stage, amount, currency, prob, expected, closed, created, pipeline;
};

static void
dealf_init(struct dealf *d, const struct crm_entity *e)
{
	d->stage = FLD(e, "stage");
	d->amount = FLD(e, "amount");
	d->currency = FLD(e, "currency");
	d->prob = FLD(e, "probability");
	d->expected = FLD(e, "expected_close");
	d->closed = FLD(e, "closed_at");
	d->created = FLD(e, "created_at");
	d->pipeline = FLD(e, "pipeline");
}

static int
deal_state(const struct crm_rec *r, const struct dealf *d)
{
	return rdeal_state(r, d->stage);
}

static int64_t
deal_prob(struct crm_rctx *c, const struct crm_rec *r, const struct dealf *d)
{
	if (rset(r, d->prob))
		return r->v[d->prob].i;
	return rprob(c, r, d->pipeline, d->stage);
}

/* What the probability may need beside the field itself. */
#define PROB_MASK(d) (BIT((d).prob) | BIT((d).stage) | BIT((d).pipeline))

static int64_t
amount_of(const struct crm_rec *r, int f)
{
	return rset(r, f) ? r->v[f].i : 0;
}

/* ---- pipeline -------------------------------------------------------------- */

struct pipe {
	int64_t n, amount, weighted;
};

struct dealscan {
	struct rgrouper g;
	struct dealf d;
	int month;		/* forecast: the month key */
	int lost_only;		/* lost: not the won deals */
};

static int
pipeline_row(struct crm_rctx *c, struct crm_rec *r, void *arg)
{
	struct dealscan *x = arg;
	struct rgroup *grp;
	struct pipe *p;
	int64_t amount;
	int rc;

	if (deal_state(r, &x->d) != OPEN)
		return 0;
	rg_from(&x->g, r);
	rc = rg_find(&x->g, &grp);
	if (rc != 0)
		return rc;
	p = rg_pay(grp);
	amount = amount_of(r, x->d.amount);
	p->n++;
	rc = radd(&p->amount, amount);
	if (rc == 0)
		rc = radd(&p->weighted, crm_weighted(amount, deal_prob(c, r, &x->d)));
	return rc;
}

int
crm_report_pipeline(struct crm_rctx *c)
{
	struct dealscan x;
	struct crm_rtab *t = c->tab;
	uint64_t mask;
	size_t i;
	int rc, customs = 0;

	dealf_init(&x.d, c->ent);
	rg_init(&x.g, c, sizeof(struct pipe));
	rc = rg_user(&x.g, c, 1);
	mask = rg_mask(&x.g, c->ent, &customs) | PROB_MASK(x.d) |
	    BIT(x.d.amount) | BIT(x.d.currency);
	if (rc == 0)
		rc = rscan(c, c->ent, mask, customs, 1, x.d.expected, pipeline_row,
		    &x);
	rg_sort(&x.g);
	if (rc == 0)
		rc = rg_cols(&x.g, t);
	if (rc == 0)
		rc = crm_rtab_col(t, "count", CRM_K_NUM);
	if (rc == 0)
		rc = crm_rtab_col(t, "amount", CRM_K_MONEY);
	if (rc == 0)
		rc = crm_rtab_col(t, "weighted", CRM_K_MONEY);
	for (i = 0; i < x.g.n && rc == 0; i++) {
		struct rgroup *grp = x.g.list[i];
		struct pipe *p = rg_pay(grp);
		int exp = rg_exponent(&x.g, grp);

		rc = crm_rtab_row(t);
		if (rc == 0)
			rc = rg_cells(&x.g, grp, t);
		if (rc == 0)
			rc = crm_rtab_int(t, p->n);
		if (rc == 0)
			rc = crm_rtab_money(t, p->amount, exp);
		if (rc == 0)
			rc = crm_rtab_money(t, p->weighted, exp);
		crm_rtab_bar(t, p->amount, rg_scale(&x.g, grp));
	}
	rg_free(&x.g);
	return rc;
}

/* ---- forecast --------------------------------------------------------------- */

struct fc {
	int64_t open, amount, weighted, won, won_amount;
};

static int
forecast_row(struct crm_rctx *c, struct crm_rec *r, void *arg)
{
	struct dealscan *x = arg;
	struct rgroup *grp;
	struct fc *p;
	int state = deal_state(r, &x->d), f, rc;
	int64_t amount, day = 0;

	if (state == LOST)
		return 0;
	/* Open deals count in the month they are expected to close, won
	 * ones in the month they closed. */
	f = state == OPEN ? x->d.expected : x->d.closed;
	if (rset(r, f))
		day = rday_of(r, f);
	if ((c->req->has_from || c->req->has_to) && (!rset(r, f) || !rin(c, day)))
		return 0;
	rg_from(&x->g, r);
	rg_set(&x->g, (size_t)x->month, rset(r, f), rbucket(day, RU_MONTH), NULL,
	    0);
	rc = rg_find(&x->g, &grp);
	if (rc != 0)
		return rc;
	p = rg_pay(grp);
	amount = amount_of(r, x->d.amount);
	if (state == WON) {
		p->won++;
		return radd(&p->won_amount, amount);
	}
	p->open++;
	rc = radd(&p->amount, amount);
	if (rc == 0)
		rc = radd(&p->weighted, crm_weighted(amount, deal_prob(c, r, &x->d)));
	return rc;
}

int
crm_report_forecast(struct crm_rctx *c)
{
	static const char *const cols[] = { "open_deals", "open_amount",
		"weighted", "won_deals", "won_amount", "forecast" };
	static const enum crm_kind kinds[] = { CRM_K_NUM, CRM_K_MONEY,
		CRM_K_MONEY, CRM_K_NUM, CRM_K_MONEY, CRM_K_MONEY };
	struct dealscan x;
	struct crm_rtab *t = c->tab;
	uint64_t mask;
	size_t i;
	int rc, customs = 0;

	dealf_init(&x.d, c->ent);
	rg_init(&x.g, c, sizeof(struct fc));
	x.month = 0;
	rc = rg_virtual(&x.g, "month", CRM_T_DATE, RU_MONTH);
	if (rc == 0)
		rc = rg_user(&x.g, c, 1);
	mask = rg_mask(&x.g, c->ent, &customs) | PROB_MASK(x.d) |
	    BIT(x.d.amount) | BIT(x.d.currency) | BIT(x.d.expected) |
	    BIT(x.d.closed);
	if (rc == 0)
		rc = rscan(c, c->ent, mask, customs, 1, -1, forecast_row, &x);
	rg_sort(&x.g);
	if (rc == 0)
		rc = rg_cols(&x.g, t);
	for (i = 0; i < 6 && rc == 0; i++)
		rc = crm_rtab_col(t, cols[i], kinds[i]);
	for (i = 0; i < x.g.n && rc == 0; i++) {
		struct rgroup *grp = x.g.list[i];
		struct fc *p = rg_pay(grp);
		int exp = rg_exponent(&x.g, grp);
		int64_t fcast = p->won_amount;

		rc = crm_rtab_row(t);
		if (rc == 0)
			rc = rg_cells(&x.g, grp, t);
		if (rc == 0)
			rc = crm_rtab_int(t, p->open);
		if (rc == 0)
			rc = crm_rtab_money(t, p->amount, exp);
		if (rc == 0)
			rc = crm_rtab_money(t, p->weighted, exp);
		if (rc == 0)
			rc = crm_rtab_int(t, p->won);
		if (rc == 0)
			rc = crm_rtab_money(t, p->won_amount, exp);
		if (rc == 0)
			rc = radd(&fcast, p->weighted);
		if (rc == 0)
			rc = crm_rtab_money(t, fcast, exp);
		crm_rtab_bar(t, fcast, rg_scale(&x.g, grp));
	}
	rg_free(&x.g);
	return rc;
}

/* ---- winrate and lost ----------------------------------------------------------- */

struct wr {
	int64_t won, lost, won_amount, lost_amount;
};

static int
closed_row(struct crm_rctx *c, struct crm_rec *r, void *arg)
{
	struct dealscan *x = arg;
	struct rgroup *grp;
	struct wr *p;
	int state = deal_state(r, &x->d), rc;

	(void)c;
	if (state == OPEN || (x->lost_only && state != LOST))
		return 0;
	rg_from(&x->g, r);
	rc = rg_find(&x->g, &grp);
	if (rc != 0)
		return rc;
	p = rg_pay(grp);
	if (state == WON) {
		p->won++;
		return radd(&p->won_amount, amount_of(r, x->d.amount));
	}
	p->lost++;
	return radd(&p->lost_amount, amount_of(r, x->d.amount));
}

/* Closed deals (only lost ones when lost_only) into x->g. */
static int
scan_closed(struct crm_rctx *c, struct dealscan *x, int lost_only)
{
	uint64_t mask;
	int rc, customs = 0;

	dealf_init(&x->d, c->ent);
	rg_init(&x->g, c, sizeof(struct wr));
	x->lost_only = lost_only;
	rc = rg_user(&x->g, c, 1);
	mask = rg_mask(&x->g, c->ent, &customs) | BIT(x->d.stage) |
	    BIT(x->d.amount) | BIT(x->d.currency);
	if (rc == 0)
		rc = rscan(c, c->ent, mask, customs, 1, x->d.closed, closed_row, x);
	rg_sort(&x->g);
	if (rc == 0)
		rc = rg_cols(&x->g, c->tab);
	return rc;
}

int
crm_report_winrate(struct crm_rctx *c)
{
	static const char *const cols[] = { "closed", "won", "lost", "win_rate",
		"won_amount", "avg_won" };
	static const enum crm_kind kinds[] = { CRM_K_NUM, CRM_K_NUM, CRM_K_NUM,
		CRM_K_NUM, CRM_K_MONEY, CRM_K_MONEY };
	struct dealscan x;
	struct crm_rtab *t = c->tab;
	size_t i;
	int rc;

	rc = scan_closed(c, &x, 0);
	for (i = 0; i < 6 && rc == 0; i++)
		rc = crm_rtab_col(t, cols[i], kinds[i]);
	t->barmax = 1000;	/* 100.0 % */
	for (i = 0; i < x.g.n && rc == 0; i++) {
		struct rgroup *grp = x.g.list[i];
		struct wr *p = rg_pay(grp);
		int exp = rg_exponent(&x.g, grp);

		rc = crm_rtab_row(t);
		if (rc == 0)
			rc = rg_cells(&x.g, grp, t);
		if (rc == 0)
			rc = crm_rtab_int(t, p->won + p->lost);
		if (rc == 0)
			rc = crm_rtab_int(t, p->won);
		if (rc == 0)
			rc = crm_rtab_int(t, p->lost);
		if (rc == 0)
			rc = crm_rtab_pct(t, p->won, p->won + p->lost);
		if (rc == 0)
			rc = crm_rtab_money(t, p->won_amount, exp);
		if (rc == 0)
			rc = p->won ? crm_rtab_money(t, rdiv(p->won_amount,
			    p->won), exp) : crm_rtab_empty(t);
		if (rc == 0 && p->won + p->lost > 0)
			crm_rtab_bar(t, p->won * 1000 / (p->won + p->lost), 0);
	}
	rg_free(&x.g);
	return rc;
}

int
crm_report_lost(struct crm_rctx *c)
{
	struct dealscan x;
	struct crm_rtab *t = c->tab;
	int64_t all = 0;
	size_t i;
	int rc;

	rc = scan_closed(c, &x, 1);
	if (rc == 0)
		rc = crm_rtab_col(t, "lost", CRM_K_NUM);
	if (rc == 0)
		rc = crm_rtab_col(t, "amount", CRM_K_MONEY);
	if (rc == 0)
		rc = crm_rtab_col(t, "share", CRM_K_NUM);
	for (i = 0; i < x.g.n; i++)
		all += ((struct wr *)rg_pay(x.g.list[i]))->lost;
	for (i = 0; i < x.g.n && rc == 0; i++) {
		struct rgroup *grp = x.g.list[i];
		struct wr *p = rg_pay(grp);

		rc = crm_rtab_row(t);
		if (rc == 0)
			rc = rg_cells(&x.g, grp, t);
		if (rc == 0)
			rc = crm_rtab_int(t, p->lost);
		if (rc == 0)
			rc = crm_rtab_money(t, p->lost_amount, rg_exponent(&x.g, grp));
		if (rc == 0)
			rc = crm_rtab_pct(t, p->lost, all);
		crm_rtab_bar(t, p->lost, 0);
	}
	rg_free(&x.g);
	return rc;
}

/* ---- cycle ------------------------------------------------------------------------ */

struct cyc {
	int64_t n, sum, min, max;
	int64_t *days;
	size_t cap;
};

static int
cycle_row(struct crm_rctx *c, struct crm_rec *r, void *arg)
{
	struct dealscan *x = arg;
	struct rgroup *grp;
	struct cyc *p;
	int64_t days;
	int rc;

	(void)c;
	if (deal_state(r, &x->d) != WON || !rset(r, x->d.closed) ||
	    !rset(r, x->d.created))
		return 0;
	days = rday_of(r, x->d.closed) - rday_of(r, x->d.created);
	rg_from(&x->g, r);
	rc = rg_find(&x->g, &grp);
	if (rc != 0)
		return rc;
	p = rg_pay(grp);
	if (p->n == (int64_t)p->cap) {
		size_t cap = p->cap ? p->cap * 2 : 16;
		int64_t *d = realloc(p->days, cap * sizeof(*d));

		if (d == NULL)
			return ENOMEM;
		p->days = d;
		p->cap = cap;
	}
	p->days[p->n] = days;
	if (p->n == 0 || days < p->min)
		p->min = days;
	if (p->n == 0 || days > p->max)
		p->max = days;
	p->n++;
	p->sum += days;
	return 0;
}

static int
cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return x < y ? -1 : x > y;
}

int
crm_report_cycle(struct crm_rctx *c)
{
	static const char *const cols[] = { "won", "avg_days", "median_days",
		"min_days", "max_days" };
	struct dealscan x;
	struct crm_rtab *t = c->tab;
	uint64_t mask;
	size_t i;
	int rc, customs = 0;

	dealf_init(&x.d, c->ent);
	rg_init(&x.g, c, sizeof(struct cyc));
	rc = rg_user(&x.g, c, 0);
	mask = rg_mask(&x.g, c->ent, &customs) | BIT(x.d.stage) |
	    BIT(x.d.closed) | BIT(x.d.created);
	if (rc == 0)
		rc = rscan(c, c->ent, mask, customs, 1, x.d.closed, cycle_row, &x);
	rg_sort(&x.g);
	if (rc == 0)
		rc = rg_cols(&x.g, t);
	for (i = 0; i < 5 && rc == 0; i++)
		rc = crm_rtab_col(t, cols[i], CRM_K_NUM);
	for (i = 0; i < x.g.n && rc == 0; i++) {
		struct rgroup *grp = x.g.list[i];
		struct cyc *p = rg_pay(grp);
		size_t h = (size_t)p->n / 2;

		qsort(p->days, (size_t)p->n, sizeof(*p->days), cmp_i64);
		rc = crm_rtab_row(t);
		if (rc == 0)
			rc = rg_cells(&x.g, grp, t);
		if (rc == 0)
			rc = crm_rtab_int(t, p->n);
		if (rc == 0)
			rc = crm_rtab_ratio(t, p->sum, p->n, 1);
		if (rc == 0)
			rc = crm_rtab_ratio(t, p->n % 2 ? 2 * p->days[h] :
			    p->days[h - 1] + p->days[h], 2, 1);
		if (rc == 0)
			rc = crm_rtab_int(t, p->min);
		if (rc == 0)
			rc = crm_rtab_int(t, p->max);
		crm_rtab_bar(t, p->sum * 10 / p->n, 0);
	}
	for (i = 0; i < x.g.n; i++)
		free(((struct cyc *)rg_pay(x.g.list[i]))->days);
	rg_free(&x.g);
	return rc;
}

/* ---- funnel and sources: leads and the deals they became --------------------------- */

struct leadf {
	int status, deal, campaign;
};

struct lead_g {
	int64_t leads, qualified, converted, won;
	struct rcurs cs;	/* won deals (n), revenue (sum), cost */
};

struct leadscan {
	struct rgrouper g;
	struct leadf l;
	struct dealf d;
	struct crm_rec *deal;
};

static int
lead_row(struct crm_rctx *c, struct crm_rec *r, void *arg)
{
	struct leadscan *x = arg;
	struct rgroup *grp;
	struct lead_g *p;
	int rc, converted = rtext_is(r, x->l.status, "converted", 9);

	rg_from(&x->g, r);
	rc = rg_find(&x->g, &grp);
	if (rc != 0)
		return rc;
	p = rg_pay(grp);
	p->leads++;
	if (converted || rtext_is(r, x->l.status, "qualified", 9))
		p->qualified++;
	if (!converted)
		return 0;
	p->converted++;
	if (!rset(r, x->l.deal))
		return 0;
	rc = rget(c, crm_entity_find("deal"), (uint64_t)r->v[x->l.deal].i,
	    BIT(x->d.stage) | BIT(x->d.amount) | BIT(x->d.currency), 0, x->deal);
	if (rc == CRM_ENOTFOUND)
		return 0;	/* the deal was deleted since */
	if (rc == 0 && deal_state(x->deal, &x->d) == WON) {
		const struct crm_val *cv = &x->deal->v[x->d.currency];
		struct rcur *cs = rcur_of(&p->cs, cv->state == CRM_V_SET ? cv->s :
		    "", cv->state == CRM_V_SET ? cv->len : 0);

		if (cs == NULL)
			return ENOMEM;
		p->won++;
		cs->n++;
		rc = radd(&cs->sum, amount_of(x->deal, x->d.amount));
	}
	return rc;
}

static int
scan_leads(struct crm_rctx *c, struct leadscan *x)
{
	const struct crm_entity *de = crm_entity_find("deal");
	uint64_t mask;
	int rc, customs = 0;

	x->l.status = FLD(c->ent, "status");
	x->l.deal = FLD(c->ent, "deal");
	x->l.campaign = FLD(c->ent, "campaign");
	dealf_init(&x->d, de);
	rg_init(&x->g, c, sizeof(struct lead_g));
	x->deal = crm_rec_new(de);
	if (x->deal == NULL)
		return ENOMEM;
	rc = rg_user(&x->g, c, 0);
	mask = rg_mask(&x->g, c->ent, &customs) | BIT(x->l.status) |
	    BIT(x->l.deal);
	if (rc == 0)
		rc = rscan(c, c->ent, mask, customs, 1, FLD(c->ent, "created_at"),
		    lead_row, x);
	rg_sort(&x->g);
	if (rc == 0)
		rc = rg_cols(&x->g, c->tab);
	return rc;
}

static void
free_leads(struct leadscan *x)
{
	size_t i;

	for (i = 0; i < x->g.n; i++)
		free(((struct lead_g *)rg_pay(x->g.list[i]))->cs.v);
	rg_free(&x->g);
	crm_rec_free(x->deal);
}

int
crm_report_funnel(struct crm_rctx *c)
{
	static const char *const steps[] = { "leads", "qualified", "converted",
		"won" };
	struct leadscan x;
	struct crm_rtab *t = c->tab;
	size_t i, s;
	int rc;

	rc = scan_leads(c, &x);
	if (rc == 0)
		rc = crm_rtab_col(t, "step", CRM_K_STR);
	if (rc == 0)
		rc = crm_rtab_col(t, "count", CRM_K_NUM);
	if (rc == 0)
		rc = crm_rtab_col(t, "rate", CRM_K_NUM);
	if (rc == 0)
		rc = crm_rtab_col(t, "overall", CRM_K_NUM);
	t->bar_center = 1;
	for (i = 0; i < x.g.n && rc == 0; i++) {
		struct rgroup *grp = x.g.list[i];
		struct lead_g *p = rg_pay(grp);
		int64_t n[4] = { p->leads, p->qualified, p->converted, p->won };

		for (s = 0; s < 4 && rc == 0; s++) {
			rc = crm_rtab_row(t);
			if (rc == 0)
				rc = rg_cells(&x.g, grp, t);
			if (rc == 0)
				rc = crm_rtab_str(t, steps[s], strlen(steps[s]));
			if (rc == 0)
				rc = crm_rtab_int(t, n[s]);
			if (rc == 0)
				rc = crm_rtab_pct(t, n[s], s == 0 ? n[0] : n[s - 1]);
			if (rc == 0)
				rc = crm_rtab_pct(t, n[s], n[0]);
			crm_rtab_bar(t, n[s], (uint32_t)i);
		}
	}
	free_leads(&x);
	return rc;
}

/* The cost of the campaign named by the group, when it is grouped by
 * campaign alone (a cost cannot be split between other keys). */
static int
campaign_cost(struct crm_rctx *c, struct leadscan *x, struct rgroup *grp,
    struct lead_g *p)
{
	const struct crm_entity *ce = crm_entity_find("campaign");
	struct crm_rec *cr = NULL;
	struct rcur *cs;
	struct rpart part;
	uint64_t id;
	int rc, f_cost = FLD(ce, "cost"), f_cur = FLD(ce, "currency");

	if (x->g.nk != 1 || x->g.k[0].field != x->l.campaign)
		return 0;
	rg_part(&x->g, grp, 0, &part);
	if (!part.set)
		return 0;
	crm_buf_reset(&c->tmp);
	rc = crm_buf_adds(&c->tmp, "name:");
	if (rc == 0)
		rc = crm_buf_add(&c->tmp, part.s, part.len);
	if (rc == 0)
		rc = crm_lookup(c->tx, ce, c->tmp.p, c->tmp.len, &id);
	if (rc == CRM_ENOTFOUND) {
		crm_clearerr();
		return 0;	/* leads name a campaign never recorded */
	}
	cr = crm_rec_new(ce);
	if (cr == NULL)
		rc = ENOMEM;
	if (rc == 0)
		rc = rget(c, ce, id, BIT(f_cost) | BIT(f_cur), 0, cr);
	if (rc == 0 && rset(cr, f_cost)) {
		cs = rcur_of(&p->cs, rset(cr, f_cur) ? cr->v[f_cur].s : "",
		    rset(cr, f_cur) ? cr->v[f_cur].len : 0);
		if (cs == NULL)
			rc = ENOMEM;
		else {
			cs->has_cost = 1;
			rc = radd(&cs->cost, cr->v[f_cost].i);
		}
	}
	crm_rec_free(cr);
	return rc;
}

int
crm_report_sources(struct crm_rctx *c)
{
	static const char *const cols[] = { "currency", "leads", "converted",
		"conversion", "won_deals", "won_revenue", "cost", "roi" };
	static const enum crm_kind kinds[] = { CRM_K_STR, CRM_K_NUM, CRM_K_NUM,
		CRM_K_NUM, CRM_K_NUM, CRM_K_MONEY, CRM_K_MONEY, CRM_K_NUM };
	struct leadscan x;
	struct crm_rtab *t = c->tab;
	size_t i, j;
	int rc;

	rc = scan_leads(c, &x);
	for (i = 0; i < 8 && rc == 0; i++)
		rc = crm_rtab_col(t, cols[i], kinds[i]);
	for (i = 0; i < x.g.n && rc == 0; i++) {
		struct rgroup *grp = x.g.list[i];
		struct lead_g *p = rg_pay(grp);
		struct rcur none;

		rc = campaign_cost(c, &x, grp, p);
		if (rc != 0)
			break;
		rcur_sort(&p->cs);
		memset(&none, 0, sizeof(none));
		/* The group's counts on each of its currencies' rows; a
		 * group without money has one row, without a currency. */
		for (j = 0; j < (p->cs.n ? p->cs.n : 1) && rc == 0; j++) {
			struct rcur *cs = p->cs.n ? &p->cs.v[j] : &none;
			int exp = crm_currency_exponent(cs->cur, strlen(cs->cur));
			int64_t gain = cs->sum;

			rc = crm_rtab_row(t);
			if (rc == 0)
				rc = rg_cells(&x.g, grp, t);
			if (rc == 0)
				rc = crm_rtab_str(t, cs->cur, strlen(cs->cur));
			if (rc == 0)
				rc = crm_rtab_int(t, p->leads);
			if (rc == 0)
				rc = crm_rtab_int(t, p->converted);
			if (rc == 0)
				rc = crm_rtab_pct(t, p->converted, p->leads);
			if (rc == 0)
				rc = crm_rtab_int(t, cs->n);
			if (rc == 0)
				rc = p->cs.n ? crm_rtab_money(t, cs->sum, exp) :
				    crm_rtab_empty(t);
			if (rc == 0)
				rc = cs->has_cost ? crm_rtab_money(t, cs->cost, exp) :
				    crm_rtab_empty(t);
			/* ROI: what the won deals brought over what the
			 * campaign cost, in percent of the cost. */
			if (rc == 0 && cs->has_cost)
				rc = radd(&gain, -cs->cost);
			if (rc == 0)
				rc = cs->has_cost ? crm_rtab_pct(t, gain, cs->cost) :
				    crm_rtab_empty(t);
			crm_rtab_bar(t, p->leads, 0);
		}
	}
	free_leads(&x);
	return rc;
}
