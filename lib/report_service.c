/*
 * report_service.c — the service reports: sla and csat (over tickets)
 * and activity (over the activity log).
 *
 * SLA deadlines come from the service desk's rules (lib/ticket.h): the
 * ticket's first_response_due and resolution_due, which they set from
 * the stored SLA policy when a ticket is created (resolution pushed back
 * by time in pending where the policy pauses it); a ticket without them
 * (made before there were rules) gets created_at plus its priority's
 * times from the same policy.  A deadline is met when its event
 * (first_response_at; resolved_at, else closed_at) came by it, breached
 * when it came after it or has not come and the deadline has passed
 * (DESIGN.md), and open otherwise.
 */
#include <string.h>

#include "report_int.h"
#include "ticket.h"

enum { MET, BREACHED, PENDING };

struct ticketf {
	int created, priority, first_at, resolved_at, closed_at, first_due,
	    resolve_due, csat, status, pending_since;
};

struct slag {
	int64_t n, first[3], resolve[3];
};

struct ticketscan {
	struct rgrouper g;
	struct ticketf f;
	struct crm_sla sla;
};

static void
ticketf_init(struct ticketf *f, const struct crm_entity *e)
{
	f->created = FLD(e, "created_at");
	f->priority = FLD(e, "priority");
	f->first_at = FLD(e, "first_response_at");
	f->resolved_at = FLD(e, "resolved_at");
	f->closed_at = FLD(e, "closed_at");
	f->first_due = FLD(e, "first_response_due");
	f->resolve_due = FLD(e, "resolution_due");
	f->csat = FLD(e, "csat");
	f->status = FLD(e, "status");
	f->pending_since = FLD(e, "pending_since");
}

/* Met, breached or pending: the event at (when has_event) against due. */
static int
sla_state(int has_event, int64_t at, int64_t due, int64_t now)
{
	if (has_event)
		return at <= due ? MET : BREACHED;
	return now > due ? BREACHED : PENDING;
}

static int
sla_row(struct crm_rctx *c, struct crm_rec *r, void *arg)
{
	struct ticketscan *x = arg;
	struct crm_ticket_clock clk;
	const struct crm_sla_row *row;
	struct rgroup *grp;
	struct slag *p;
	int64_t created = r->v[x->f.created].i, now = c->tx->now;
	int prio = 1, rc, res;

	if (rset(r, x->f.priority))
		prio = crm_priority_index(r->v[x->f.priority].s,
		    r->v[x->f.priority].len);
	row = &x->sla.p[prio >= 0 ? prio : CRM_PRIO_NORMAL];
	crm_ticket_clock(&x->sla, r, now, 0, &clk);
	rg_from(&x->g, r);
	rc = rg_find(&x->g, &grp);
	if (rc != 0)
		return rc;
	p = rg_pay(grp);
	p->n++;
	p->first[sla_state(rset(r, x->f.first_at), r->v[x->f.first_at].i,
	    clk.has_first ? clk.first_due : created + row->first, now)]++;
	res = rset(r, x->f.resolved_at) ? x->f.resolved_at : x->f.closed_at;
	p->resolve[sla_state(rset(r, res), r->v[res].i, clk.has_res ?
	    clk.res_due : created + row->resolution, now)]++;
	return 0;
}

static int
scan_tickets(struct crm_rctx *c, struct ticketscan *x, size_t paysize,
    uint64_t mask, rscan_fn fn)
{
	int rc, customs = 0;

	ticketf_init(&x->f, c->ent);
	rg_init(&x->g, c, paysize);
	rc = rg_user(&x->g, c, 0);
	mask |= rg_mask(&x->g, c->ent, &customs) | BIT(x->f.created);
	if (rc == 0)
		rc = rscan(c, c->ent, mask, customs, 1, x->f.created, fn, x);
	rg_sort(&x->g);
	if (rc == 0)
		rc = rg_cols(&x->g, c->tab);
	return rc;
}

int
crm_report_sla(struct crm_rctx *c)
{
	static const char *const cols[] = { "tickets", "fr_met", "fr_breached",
		"fr_open", "fr_compliance", "res_met", "res_breached", "res_open",
		"res_compliance" };
	struct ticketscan x;
	struct crm_rtab *t = c->tab;
	struct ticketf f;
	size_t i, k;
	int rc;

	memset(&x, 0, sizeof(x));
	ticketf_init(&f, c->ent);
	rc = crm_sla_load(c->tx, &x.sla);
	if (rc == 0)
		rc = scan_tickets(c, &x, sizeof(struct slag), BIT(f.priority) |
		    BIT(f.first_at) | BIT(f.resolved_at) | BIT(f.closed_at) |
		    BIT(f.first_due) | BIT(f.resolve_due) | BIT(f.status) |
		    BIT(f.pending_since), sla_row);
	for (k = 0; k < 9 && rc == 0; k++)
		rc = crm_rtab_col(t, cols[k], CRM_K_NUM);
	t->barmax = 1000;
	for (i = 0; i < x.g.n && rc == 0; i++) {
		struct rgroup *grp = x.g.list[i];
		struct slag *p = rg_pay(grp);
		int64_t *v[2] = { p->first, p->resolve };

		rc = crm_rtab_row(t);
		if (rc == 0)
			rc = rg_cells(&x.g, grp, t);
		if (rc == 0)
			rc = crm_rtab_int(t, p->n);
		for (k = 0; k < 2 && rc == 0; k++) {
			rc = crm_rtab_int(t, v[k][MET]);
			if (rc == 0)
				rc = crm_rtab_int(t, v[k][BREACHED]);
			if (rc == 0)
				rc = crm_rtab_int(t, v[k][PENDING]);
			/* Of the deadlines decided: met or breached. */
			if (rc == 0)
				rc = crm_rtab_pct(t, v[k][MET], v[k][MET] +
				    v[k][BREACHED]);
		}
		if (p->resolve[MET] + p->resolve[BREACHED] > 0)
			crm_rtab_bar(t, p->resolve[MET] * 1000 / (p->resolve[MET] +
			    p->resolve[BREACHED]), 0);
	}
	rg_free(&x.g);
	return rc;
}

struct csatg {
	int64_t n, rated, sum, dist[5];
};

static int
csat_row(struct crm_rctx *c, struct crm_rec *r, void *arg)
{
	struct ticketscan *x = arg;
	struct rgroup *grp;
	struct csatg *p;
	int64_t v;
	int rc;

	(void)c;
	rg_from(&x->g, r);
	rc = rg_find(&x->g, &grp);
	if (rc != 0)
		return rc;
	p = rg_pay(grp);
	p->n++;
	if (!rset(r, x->f.csat))
		return 0;
	v = r->v[x->f.csat].i;
	if (v < 1 || v > 5)
		return 0;	/* outside the scale: not a rating */
	p->rated++;
	p->sum += v;
	p->dist[v - 1]++;
	return 0;
}

int
crm_report_csat(struct crm_rctx *c)
{
	static const char *const cols[] = { "tickets", "rated", "average",
		"csat_1", "csat_2", "csat_3", "csat_4", "csat_5", "satisfied" };
	struct ticketscan x;
	struct crm_rtab *t = c->tab;
	struct ticketf f;
	size_t i, k;
	int rc;

	ticketf_init(&f, c->ent);
	rc = scan_tickets(c, &x, sizeof(struct csatg), BIT(f.csat), csat_row);
	for (k = 0; k < 9 && rc == 0; k++)
		rc = crm_rtab_col(t, cols[k], CRM_K_NUM);
	t->barmax = 500;	/* 5.00 */
	for (i = 0; i < x.g.n && rc == 0; i++) {
		struct rgroup *grp = x.g.list[i];
		struct csatg *p = rg_pay(grp);

		rc = crm_rtab_row(t);
		if (rc == 0)
			rc = rg_cells(&x.g, grp, t);
		if (rc == 0)
			rc = crm_rtab_int(t, p->n);
		if (rc == 0)
			rc = crm_rtab_int(t, p->rated);
		if (rc == 0)
			rc = crm_rtab_ratio(t, p->sum, p->rated, 2);
		for (k = 0; k < 5 && rc == 0; k++)
			rc = crm_rtab_int(t, p->dist[k]);
		/* Satisfied: rated 4 or 5. */
		if (rc == 0)
			rc = crm_rtab_pct(t, p->dist[3] + p->dist[4], p->rated);
		if (p->rated > 0)
			crm_rtab_bar(t, p->sum * 100 / p->rated, 0);
	}
	rg_free(&x.g);
	return rc;
}

/* ---- activity --------------------------------------------------------------------- */

struct actg {
	int64_t n, kind[5], follow, done, open, overdue;
};

struct actscan {
	struct rgrouper g;
	int kind, at, created, follow, done;
};

static int
activity_row(struct crm_rctx *c, struct crm_rec *r, void *arg)
{
	struct actscan *x = arg;
	const struct crm_field *kf = &r->ent->fields[x->kind];
	struct rgroup *grp;
	struct actg *p;
	int64_t day = rday(rset(r, x->at) ? r->v[x->at].i : r->v[x->created].i);
	int rc, i;

	if (!rin(c, day))
		return 0;
	rg_from(&x->g, r);
	rc = rg_find(&x->g, &grp);
	if (rc != 0)
		return rc;
	p = rg_pay(grp);
	p->n++;
	for (i = 0; rset(r, x->kind) && i < 5 && kf->values[i] != NULL; i++)
		if (strcmp(kf->values[i], r->v[x->kind].s) == 0)
			p->kind[i]++;
	if (!rset(r, x->follow))
		return 0;
	p->follow++;
	if (rset(r, x->done) && r->v[x->done].i)
		p->done++;
	else {
		p->open++;
		if (r->v[x->follow].i < c->today)
			p->overdue++;
	}
	return 0;
}

int
crm_report_activity(struct crm_rctx *c)
{
	static const char *const cols[] = { "activities", "call", "email",
		"visit", "meeting", "note", "follow_ups", "done", "open",
		"overdue" };
	struct actscan x;
	struct crm_rtab *t = c->tab;
	uint64_t mask;
	size_t i, k;
	int rc, customs = 0;

	x.kind = FLD(c->ent, "kind");
	x.at = FLD(c->ent, "at");
	x.created = FLD(c->ent, "created_at");
	x.follow = FLD(c->ent, "follow_up");
	x.done = FLD(c->ent, "done");
	rg_init(&x.g, c, sizeof(struct actg));
	rc = rg_user(&x.g, c, 0);
	mask = rg_mask(&x.g, c->ent, &customs) | BIT(x.kind) | BIT(x.at) |
	    BIT(x.created) | BIT(x.follow) | BIT(x.done);
	if (rc == 0)
		rc = rscan(c, c->ent, mask, customs, 1, -1, activity_row, &x);
	rg_sort(&x.g);
	if (rc == 0)
		rc = rg_cols(&x.g, t);
	for (k = 0; k < 10 && rc == 0; k++)
		rc = crm_rtab_col(t, cols[k], CRM_K_NUM);
	for (i = 0; i < x.g.n && rc == 0; i++) {
		struct rgroup *grp = x.g.list[i];
		struct actg *p = rg_pay(grp);
		int64_t v[10] = { p->n, p->kind[0], p->kind[1], p->kind[2],
			p->kind[3], p->kind[4], p->follow, p->done, p->open,
			p->overdue };

		rc = crm_rtab_row(t);
		if (rc == 0)
			rc = rg_cells(&x.g, grp, t);
		for (k = 0; k < 10 && rc == 0; k++)
			rc = crm_rtab_int(t, v[k]);
		crm_rtab_bar(t, p->n, 0);
	}
	rg_free(&x.g);
	return rc;
}
