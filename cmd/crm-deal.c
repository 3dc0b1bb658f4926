/*
 * crm-deal — deals in a staged pipeline, invoices, payments and the
 * overdue list with dunning levels.
 *
 * Thin: the record verbs come from lib/cli_records.c, the pipeline and
 * deal rules from lib/deal.c, invoices, payments and dunning from
 * lib/invoice.c.  This file parses options and writes rows.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli_records.h"
#include "deal.h"
#include "invoice.h"

#define E_DEAL (crm_entity_find("deal"))
#define E_INVOICE (crm_entity_find("invoice"))
#define E_PAYMENT (crm_entity_find("payment"))
#define E_CUSTOMER (crm_entity_find("customer"))
#define FLD(e, name) crm_field_find((e), (name), strlen(name))

static const struct crm_option force_opts[] = {
	{ "force", 0, CRM_ARG_NONE, NULL,
	  "also delete the deal's activities", 0, NULL, NULL },
	CRM_OPT_END
};

static const struct crm_option undo_opts[] = {
	{ "force", 0, CRM_ARG_NONE, NULL,
	  "undo even where records changed since", 0, NULL, NULL },
	CRM_OPT_END
};

static const struct crm_option lost_opts[] = {
	{ "reason", 'r', CRM_ARG_REQ, "TEXT", "why it was lost (required)", 0,
	  NULL, NULL },
	CRM_OPT_END
};

static const struct crm_option pipeline_opts[] = {
	{ "pipeline", 'p', CRM_ARG_REQ, "NAME",
	  "the pipeline (default: default)", 0, NULL, NULL },
	CRM_OPT_END
};

static const struct crm_option stalled_opts[] = {
	{ "days", 'd', CRM_ARG_REQ, "N",
	  "stage unchanged more than N days (default: each stage's limit, 14)",
	  0, NULL, NULL },
	CRM_OPT_END
};

static const struct crm_option closing_opts[] = {
	{ "days", 'd', CRM_ARG_REQ, "N",
	  "expected to close within N days (default 30; slipped ones too)",
	  0, NULL, NULL },
	CRM_OPT_END
};

static const struct crm_option invoice_add_opts[] = {
	{ "amount", 'a', CRM_ARG_REQ, "AMOUNT",
	  "amount to invoice (split over the instalments)", 0, NULL, NULL },
	{ "due", 0, CRM_ARG_REQ, "DATE", "due date (YYYY-MM-DD, +30d)", 0,
	  NULL, NULL },
	{ "number", 'n', CRM_ARG_REQ, "NUMBER",
	  "invoice number (default INV-000001 counting up; with "
	  "instalments NUMBER-1, NUMBER-2, ...)", 0, NULL, NULL },
	{ "issued", 0, CRM_ARG_REQ, "DATE", "issue date (default today)", 0,
	  NULL, NULL },
	{ "instalments", 'k', CRM_ARG_REQ, "K", "split into K invoices", 0,
	  NULL, NULL },
	{ "every", 0, CRM_ARG_REQ, "INTERVAL",
	  "between instalments' due dates: 30d, 2w, 1m, 1y (default 1m)", 0,
	  NULL, NULL },
	CRM_OPT_END
};

static const struct crm_option pay_opts[] = {
	{ "amount", 'a', CRM_ARG_REQ, "AMOUNT",
	  "amount paid (default: the outstanding amount)", 0, NULL, NULL },
	{ "on", 0, CRM_ARG_REQ, "DATE", "payment date (default today)", 0,
	  NULL, NULL },
	{ "method", 'm', CRM_ARG_REQ, "METHOD", "bank, card, cash, ...", 0,
	  NULL, NULL },
	{ "reference", 0, CRM_ARG_REQ, "TEXT", "bank or card reference", 0,
	  NULL, NULL },
	CRM_OPT_END
};

static const struct crm_option overdue_opts[] = {
	{ "min-days", 0, CRM_ARG_REQ, "N", "at least N days overdue", 0,
	  NULL, NULL },
	{ "level", 'l', CRM_ARG_REQ, "L", "only invoices at dunning level L",
	  0, NULL, NULL },
	{ "mark-reminded", 0, CRM_ARG_NONE, NULL,
	  "list only invoices not yet reminded at their level, and record "
	  "the reminder", 0, NULL, NULL },
	CRM_OPT_END
};

#define G(...) ((const struct crm_option *const[]){ __VA_ARGS__, NULL })

/* ---- show sections ------------------------------------------------------ */

static const char *const hist_names[] = { "stage", "entered", "left", "days" };
static const enum crm_kind hist_kinds[] = { CRM_K_STR, CRM_K_STR, CRM_K_STR,
	CRM_K_NUM };

struct histgrid {
	struct crm_grid *g;
	int64_t now;
};

static int
hist_row(const char *stage, size_t len, int64_t entered, int64_t left,
    void *arg)
{
	struct histgrid *h = arg;
	struct crm_buf b = CRM_BUF_INIT;
	int rc;

	rc = crm_grid_add(h->g, stage, len);
	if (rc == 0)
		rc = crm_time_format(&b, entered);
	if (rc == 0)
		rc = crm_grid_add(h->g, b.p, b.len);
	crm_buf_reset(&b);
	if (rc == 0 && left >= 0)
		rc = crm_time_format(&b, left);
	if (rc == 0)
		rc = crm_grid_add(h->g, b.p, b.len);
	crm_buf_reset(&b);
	/* Whole days, rounded down: a stage of 36 hours is 1 day. */
	if (left < 0)
		left = h->now > entered ? h->now : entered;
	if (rc == 0)
		rc = crm_int_format(&b, (left - entered) / 86400);
	if (rc == 0)
		rc = crm_grid_add(h->g, b.p, b.len);
	crm_buf_free(&b);
	return rc;
}

static int
stage_history(struct crm_txn *tx, const struct crm_rec *deal,
    struct crm_grid *g)
{
	struct histgrid h = { g, tx->now };

	g->names = hist_names;
	g->kinds = hist_kinds;
	g->ncols = 4;
	return crm_deal_history(tx, deal, hist_row, &h);
}

static const char *const pay_names[] = { "id", "invoice", "amount",
	"currency", "paid_on", "method", "reference" };
static const enum crm_kind pay_kinds[] = { CRM_K_NUM, CRM_K_STR, CRM_K_MONEY,
	CRM_K_STR, CRM_K_STR, CRM_K_STR, CRM_K_STR };

struct paygrid {
	struct crm_txn *tx;
	struct crm_grid *g;
	const struct crm_rec *inv;
};

static int
grid_field(struct crm_grid *g, const struct crm_rec *r, const char *name)
{
	struct crm_buf b = CRM_BUF_INIT;
	int rc = crm_rec_text(r, FLD(r->ent, name), &b);

	if (rc == 0)
		rc = crm_grid_add(g, b.p, b.len);
	crm_buf_free(&b);
	return rc;
}

static int
pay_row(const struct crm_rec *p, void *arg)
{
	struct paygrid *pg = arg;
	int rc;

	rc = grid_field(pg->g, p, "id");
	if (rc == 0)
		rc = grid_field(pg->g, pg->inv, "number");
	if (rc == 0)
		rc = grid_field(pg->g, p, "amount");
	if (rc == 0)
		rc = grid_field(pg->g, p, "currency");
	if (rc == 0)
		rc = grid_field(pg->g, p, "paid_on");
	if (rc == 0)
		rc = grid_field(pg->g, p, "method");
	if (rc == 0)
		rc = grid_field(pg->g, p, "reference");
	return rc;
}

static int
pay_of_invoice(const struct crm_rec *inv, void *arg)
{
	struct paygrid *pg = arg;

	pg->inv = inv;
	return crm_refs_each(pg->tx, E_INVOICE, inv->id, E_PAYMENT, pay_row,
	    pg);
}

/* The payments of a deal's invoices. */
static int
deal_payments(struct crm_txn *tx, const struct crm_rec *deal,
    struct crm_grid *g)
{
	struct paygrid pg = { tx, g, NULL };

	g->names = pay_names;
	g->kinds = pay_kinds;
	g->ncols = 7;
	return crm_refs_each(tx, E_DEAL, deal->id, E_INVOICE, pay_of_invoice,
	    &pg);
}

static const struct crm_section deal_sections[] = {
	{ NULL, "stage history", NULL, 0, 0, stage_history, NULL },
	{ "invoice", "invoices", "due_on", 0, 0, NULL, NULL },
	{ NULL, "payments", NULL, 0, 0, deal_payments, NULL },
	{ "activity", "activities", "at", 1, 10, NULL, NULL },
};

static const struct crm_section invoice_sections[] = {
	{ "payment", "payments", "paid_on", 0, 0, NULL, NULL },
};

/* ---- record verbs ------------------------------------------------------- */

static int
cmd_show(struct crm_ctx *ctx)
{
	return crm_cli_show(ctx, E_DEAL, deal_sections,
	    sizeof(deal_sections) / sizeof(deal_sections[0]));
}

static int
cmd_delete(struct crm_ctx *ctx)
{
	static const char *const cascade[] = { "activity" };

	return crm_cli_delete(ctx, E_DEAL, cascade, 1);
}

static int
cmd_history(struct crm_ctx *ctx)
{
	return crm_cli_history(ctx, E_DEAL);
}

/* ---- stage, won, lost --------------------------------------------------- */

struct stagejob {
	struct crm_ctx *ctx;
	const char *stage, *reason;
	uint64_t id;
	int changed;
};

static int
set_stage(struct crm_rec *nw, void *arg)
{
	struct stagejob *j = arg;
	int rc;

	rc = crm_rec_setf(nw, FLD(nw->ent, "stage"), j->stage,
	    strlen(j->stage), j->ctx->now);
	if (rc == 0 && j->reason != NULL)
		rc = crm_rec_setf(nw, FLD(nw->ent, "lost_reason"), j->reason,
		    strlen(j->reason), j->ctx->now);
	return rc;
}

static int
stage_fn(struct crm_txn *tx, void *arg)
{
	struct stagejob *j = arg;
	int rc;

	rc = crm_cli_ref(tx, E_DEAL, j->ctx->argv[0], &j->id);
	if (rc == 0)
		rc = crm_edit(tx, E_DEAL, j->id, set_stage, j);
	j->changed = rc == 0;
	return rc == 1 ? 0 : rc;
}

static int
move_deal(struct crm_ctx *ctx, const char *stage, const char *reason)
{
	struct stagejob j = { ctx, stage, reason, 0, 0 };
	int rc;

	rc = crm_write(ctx->db, stage_fn, &j);
	if (rc == 0)
		crm_warn("deal %llu: %s%s", (unsigned long long)j.id,
		    j.changed ? "now " : "already ", stage);
	return rc;
}

static int
cmd_stage(struct crm_ctx *ctx)
{
	/* The lost reason is required: the reports count by it. */
	if (strcmp(ctx->argv[1], "lost") == 0)
		return crm_seterr(CRM_EUSAGE, "stage: a deal is lost with "
		    "'lost --reason TEXT %s'", ctx->argv[0]);
	return move_deal(ctx, ctx->argv[1], NULL);
}

static int
cmd_won(struct crm_ctx *ctx)
{
	return move_deal(ctx, "won", NULL);
}

static int
cmd_lost(struct crm_ctx *ctx)
{
	const char *reason = crm_opt(ctx, "reason");

	if (reason == NULL || reason[0] == '\0')
		return crm_seterr(CRM_EUSAGE, "lost: --reason is required");
	return move_deal(ctx, "lost", reason);
}

/* ---- pipelines ---------------------------------------------------------- */

struct stagesarg {
	struct crm_out *out;
	struct crm_row_out row;
	const char *only;
	int found;
};

static int
stages_rows(const struct crm_pipeline *p, void *arg)
{
	struct stagesarg *a = arg;
	size_t i;
	int rc = 0;

	if (a->only != NULL && strcmp(a->only, p->name) != 0)
		return 0;
	a->found = 1;
	for (i = 0; i < p->n && rc == 0; i++) {
		const struct crm_stage *s = &p->st[i];
		int closed = crm_stage_closed(s->name, strlen(s->name));

		rc = crm_row_text(&a->row, p->name, strlen(p->name));
		if (rc == 0)
			rc = crm_row_int(&a->row, (int64_t)i + 1);
		if (rc == 0)
			rc = crm_row_text(&a->row, s->name, strlen(s->name));
		if (rc == 0)
			rc = crm_row_int(&a->row, s->prob);
		if (rc == 0)
			rc = closed ? crm_row_text(&a->row, NULL, 0) :
			    crm_row_int(&a->row, s->stall_days);
		if (rc == 0)
			rc = crm_row_emit(&a->row, a->out);
	}
	return rc;
}

static int
cmd_stages(struct crm_ctx *ctx)
{
	static const char *const names[] = { "pipeline", "position", "stage",
		"probability", "stall_days" };
	static const enum crm_kind kinds[] = { CRM_K_STR, CRM_K_NUM, CRM_K_STR,
		CRM_K_NUM, CRM_K_NUM };
	struct stagesarg a;
	struct crm_txn tx;
	int rc;

	memset(&a, 0, sizeof(a));
	a.only = crm_opt(ctx, "pipeline");
	rc = crm_read_begin(ctx->db, &tx);
	if (rc != 0)
		return rc;
	rc = crm_ctx_out(ctx, &a.out);
	if (rc == 0)
		rc = crm_out_columns(a.out, names, kinds, 5);
	if (rc == 0)
		rc = crm_pipeline_each(&tx, stages_rows, &a);
	if (rc == 0 && a.only != NULL && !a.found)
		rc = crm_seterr(CRM_ENOTFOUND, "no pipeline \"%s\"", a.only);
	if (rc == 0)
		rc = crm_out_end(a.out);
	crm_out_free(a.out);
	crm_row_free(&a.row);
	crm_txn_end(&tx);
	return rc;
}

/* "name=percent[:stall-days]" */
static int
parse_stage(const char *arg, struct crm_stage *s)
{
	const char *eq = strchr(arg, '=');
	char *end;
	long prob, days = CRM_STALL_DAYS;

	if (eq == NULL || eq == arg || (size_t)(eq - arg) >= CRM_STAGE_NAMELEN)
		goto bad;
	prob = strtol(eq + 1, &end, 10);
	if (end == eq + 1 || prob < 0 || prob > 100)
		goto bad;
	if (*end == ':') {
		const char *d = end + 1;

		days = strtol(d, &end, 10);
		if (end == d || days < 0 || days > 100000)
			goto bad;
	}
	if (*end != '\0')
		goto bad;
	memset(s, 0, sizeof(*s));
	memcpy(s->name, arg, (size_t)(eq - arg));
	s->prob = (int)prob;
	s->stall_days = (int)days;
	return 0;
bad:
	return crm_seterr(CRM_EUSAGE, "\"%s\": expected STAGE=PERCENT or "
	    "STAGE=PERCENT:STALL_DAYS (percent 0 to 100)", arg);
}

struct pipejob {
	struct crm_ctx *ctx;
	struct crm_pipeline p;
};

static int
stages_set_fn(struct crm_txn *tx, void *arg)
{
	return crm_pipeline_save(tx, &((struct pipejob *)arg)->p);
}

static int
cmd_stages_set(struct crm_ctx *ctx)
{
	struct pipejob j;
	const char *name = crm_opt(ctx, "pipeline");
	int i, rc;

	memset(&j, 0, sizeof(j));
	j.ctx = ctx;
	snprintf(j.p.name, sizeof(j.p.name), "%s", name ? name : "default");
	if (ctx->argc > CRM_STAGES_MAX)
		return crm_seterr(CRM_EUSAGE, "at most %d stages",
		    CRM_STAGES_MAX);
	for (i = 0; i < ctx->argc; i++) {
		rc = parse_stage(ctx->argv[i], &j.p.st[j.p.n++]);
		if (rc != 0)
			return rc;
	}
	rc = crm_write(ctx->db, stages_set_fn, &j);
	if (rc == 0)
		crm_warn("pipeline %s: %d stages set", j.p.name, ctx->argc);
	return rc;
}

static int
stages_delete_fn(struct crm_txn *tx, void *arg)
{
	struct crm_ctx *ctx = arg;

	return crm_pipeline_delete(tx, ctx->argv[0]);
}

static int
cmd_stages_delete(struct crm_ctx *ctx)
{
	return crm_write(ctx->db, stages_delete_fn, ctx);
}

/* ---- stalled and closing ------------------------------------------------ */

struct dealrows {
	struct crm_txn *tx;
	struct crm_out *out;
	struct crm_row_out row;
	struct crm_rec *cust;
};

/* A deal row: id, title, customer, its name, the given fields, n. */
static int
deal_row(struct dealrows *d, const struct crm_rec *deal,
    const char *const *fields, size_t nfields, int64_t n)
{
	const struct crm_val *c = &deal->v[FLD(deal->ent, "customer")];
	size_t i;
	int rc, have = 0;

	if (c->state == CRM_V_SET) {
		rc = crm_fetch(d->tx, d->cust, (uint64_t)c->i);
		if (rc != 0 && rc != CRM_ENOTFOUND)
			return rc;
		have = rc == 0;
	}
	rc = crm_row_field(&d->row, deal, "id");
	if (rc == 0)
		rc = crm_row_field(&d->row, deal, "title");
	if (rc == 0)
		rc = crm_row_field(&d->row, deal, "customer");
	if (rc == 0)
		rc = crm_row_field(&d->row, have ? d->cust : NULL, "name");
	for (i = 0; i < nfields && rc == 0; i++)
		rc = crm_row_field(&d->row, deal, fields[i]);
	if (rc == 0)
		rc = crm_row_int(&d->row, n);
	if (rc == 0)
		rc = crm_row_emit(&d->row, d->out);
	return rc;
}

static const char *const stalled_fields[] = { "stage", "owner", "amount",
	"currency", "stage_changed_at" };
static const char *const closing_fields[] = { "stage", "owner", "amount",
	"currency", "probability", "expected_close" };

static int
stalled_row(const struct crm_rec *deal, int64_t days, void *arg)
{
	return deal_row(arg, deal, stalled_fields, 5, days);
}

static int
closing_row(const struct crm_rec *deal, int64_t days, void *arg)
{
	return deal_row(arg, deal, closing_fields, 6, days);
}

static int
deal_report(struct crm_ctx *ctx, const char *const *fields, size_t nfields,
    const char *last, int closing, int64_t days)
{
	const char *names[CRM_ROW_MAX];
	enum crm_kind kinds[CRM_ROW_MAX];
	struct dealrows d;
	struct crm_txn tx;
	size_t i, n = 0;
	int rc;

	memset(&d, 0, sizeof(d));
	names[n] = "id", kinds[n++] = CRM_K_NUM;
	names[n] = "title", kinds[n++] = CRM_K_STR;
	names[n] = "customer", kinds[n++] = CRM_K_NUM;
	names[n] = "customer_name", kinds[n++] = CRM_K_STR;
	for (i = 0; i < nfields; i++) {
		const struct crm_field *f = &E_DEAL->fields[FLD(E_DEAL,
		    fields[i])];

		names[n] = fields[i];
		kinds[n++] = crm_field_kind(f);
	}
	names[n] = last, kinds[n++] = CRM_K_NUM;
	rc = crm_read_begin(ctx->db, &tx);
	if (rc != 0)
		return rc;
	d.tx = &tx;
	d.cust = crm_rec_new(E_CUSTOMER);
	if (d.cust == NULL)
		rc = ENOMEM;
	if (rc == 0)
		rc = crm_ctx_out(ctx, &d.out);
	if (rc == 0)
		rc = crm_out_columns(d.out, names, kinds, n);
	if (rc == 0)
		rc = closing ? crm_deals_closing(&tx, days, closing_row, &d) :
		    crm_deals_stalled(&tx, days, stalled_row, &d);
	if (rc == 0)
		rc = crm_out_end(d.out);
	crm_out_free(d.out);
	crm_row_free(&d.row);
	crm_rec_free(d.cust);
	crm_txn_end(&tx);
	return rc;
}

static int
cmd_stalled(struct crm_ctx *ctx)
{
	int64_t days;
	int rc = crm_opt_int(ctx, "days", -1, &days);

	if (rc == 0 && crm_opt(ctx, "days") == NULL)
		days = -1;	/* each stage's own limit */
	return rc != 0 ? rc : deal_report(ctx, stalled_fields, 5,
	    "days_in_stage", 0, days);
}

static int
cmd_closing(struct crm_ctx *ctx)
{
	int64_t days;
	int rc = crm_opt_int(ctx, "days", 30, &days);

	return rc != 0 ? rc : deal_report(ctx, closing_fields, 6,
	    "days_to_close", 1, days);
}

/* ---- invoices ----------------------------------------------------------- */

struct invjob {
	struct crm_ctx *ctx;
	int64_t k;
	struct crm_every every;
	uint64_t *ids;
	size_t n;
	struct crm_buf numbers;
};

/* Sets field name of r to text, reporting the option it came from. */
static int
set_text(struct crm_rec *r, const char *name, const char *text, int64_t now)
{
	return crm_rec_set(r, name, strlen(name), text, strlen(text), now, 0);
}

/* A bad option value: a usage error naming the option. */
static int
opt_err(const char *name, int rc)
{
	char why[256];

	if (rc != CRM_EDATA)
		return rc;
	snprintf(why, sizeof(why), "%s", crm_errdetail(rc));
	return crm_seterr(CRM_EUSAGE, "--%s %s", name, why);
}

/* The date of option name, or dflt when it is not given. */
static int
opt_date(struct crm_ctx *ctx, const char *name, const char *dflt,
    int64_t now, int64_t *day)
{
	const char *v = crm_opt(ctx, name) ? crm_opt(ctx, name) : dflt;

	return opt_err(name, crm_date_parse(v, strlen(v), now, day));
}

static int
invoice_add_fn(struct crm_txn *tx, void *arg)
{
	struct invjob *j = arg;
	struct crm_ctx *ctx = j->ctx;
	const struct crm_entity *ie = E_INVOICE;
	const char *number = crm_opt(ctx, "number"), *v;
	struct crm_rec *deal = crm_rec_new(E_DEAL), *inv = crm_rec_new(ie);
	struct crm_buf b = CRM_BUF_INIT;
	const struct crm_val *cur;
	int64_t total, due, issued, i;
	int rc, exp;

	j->n = 0;
	crm_buf_reset(&j->numbers);
	rc = deal == NULL || inv == NULL ? ENOMEM : 0;
	if (rc == 0)
		rc = crm_cli_ref(tx, E_DEAL, ctx->argv[0], &deal->id);
	if (rc == 0)
		rc = crm_fetch(tx, deal, deal->id);
	if (rc != 0)
		goto done;
	cur = &deal->v[FLD(E_DEAL, "currency")];
	if (cur->state != CRM_V_SET) {
		rc = crm_seterr(CRM_EDATA, "deal %llu has no currency: set one "
		    "first (crm-deal set %llu currency=EUR)",
		    (unsigned long long)deal->id, (unsigned long long)deal->id);
		goto done;
	}
	exp = crm_currency_exponent(cur->s, cur->len);
	v = crm_opt(ctx, "amount");
	rc = opt_err("amount", crm_money_parse(v, strlen(v), exp, &total));
	if (rc == 0 && total <= 0)
		rc = crm_seterr(CRM_EUSAGE, "--amount \"%s\": an invoice is "
		    "for more than zero", v);
	if (rc == 0)
		rc = opt_date(ctx, "due", NULL, tx->now, &due);
	if (rc == 0)
		rc = opt_date(ctx, "issued", "today", tx->now, &issued);
	if (rc != 0)
		goto done;
	free(j->ids);
	j->ids = calloc((size_t)j->k, sizeof(*j->ids));
	if (j->ids == NULL) {
		rc = ENOMEM;
		goto done;
	}
	for (i = 0; i < j->k && rc == 0; i++) {
		crm_rec_reset(inv);
		crm_buf_reset(&b);
		if (number == NULL)
			rc = crm_invoice_number(tx, &b);
		else if (j->k > 1)
			rc = crm_buf_printf(&b, "%s-%lld", number,
			    (long long)i + 1);
		else
			rc = crm_buf_adds(&b, number);
		if (rc == 0)
			rc = crm_rec_setf(inv, FLD(ie, "number"), b.p, b.len,
			    tx->now);
		if (rc == 0)
			rc = crm_rec_setf(inv, FLD(ie, "currency"), cur->s,
			    cur->len, tx->now);
		crm_buf_reset(&b);
		if (rc == 0)
			rc = crm_money_format(&b, crm_instalment(total, j->k, i),
			    exp);
		if (rc == 0)
			rc = crm_rec_setf(inv, FLD(ie, "amount"), b.p, b.len,
			    tx->now);
		crm_rec_setint(inv, FLD(ie, "deal"), (int64_t)deal->id);
		if (deal->v[FLD(E_DEAL, "customer")].state == CRM_V_SET)
			crm_rec_setint(inv, FLD(ie, "customer"),
			    deal->v[FLD(E_DEAL, "customer")].i);
		crm_rec_setint(inv, FLD(ie, "issued_on"), issued);
		crm_rec_setint(inv, FLD(ie, "due_on"),
		    crm_every_add(due, &j->every, i));
		if (rc == 0)
			rc = crm_insert(tx, inv);
		if (rc == 0) {
			j->ids[j->n++] = inv->id;
			rc = crm_buf_printf(&j->numbers, "%s%s",
			    j->numbers.len ? ", " : "",
			    inv->v[FLD(ie, "number")].s);
		}
	}
done:
	crm_buf_free(&b);
	crm_rec_free(deal);
	crm_rec_free(inv);
	return rc;
}

static int
cmd_invoice_add(struct crm_ctx *ctx)
{
	struct invjob j;
	const char *every = crm_opt(ctx, "every");
	size_t i;
	int rc;

	memset(&j, 0, sizeof(j));
	j.ctx = ctx;
	if (crm_opt(ctx, "amount") == NULL || crm_opt(ctx, "due") == NULL)
		return crm_seterr(CRM_EUSAGE, "invoice add: --amount and --due "
		    "are required");
	rc = crm_opt_int(ctx, "instalments", 1, &j.k);
	if (rc == 0 && (j.k < 1 || j.k > 360))
		rc = crm_seterr(CRM_EUSAGE, "--instalments: 1 to 360");
	if (rc == 0 && every != NULL && j.k == 1)
		rc = crm_seterr(CRM_EUSAGE, "--every needs --instalments");
	if (rc == 0)
		rc = crm_every_parse(every != NULL ? every : "1m", &j.every);
	if (rc == 0)
		rc = crm_write(ctx->db, invoice_add_fn, &j);
	for (i = 0; i < j.n && rc == 0; i++)
		printf("%llu\n", (unsigned long long)j.ids[i]);
	if (rc == 0)
		crm_warn("invoiced: %s", j.numbers.p);
	free(j.ids);
	crm_buf_free(&j.numbers);
	return rc;
}

static int
cmd_invoice_list(struct crm_ctx *ctx)
{
	return crm_cli_list_of(ctx, E_INVOICE, "deal");
}

static int
cmd_invoice_show(struct crm_ctx *ctx)
{
	return crm_cli_show(ctx, E_INVOICE, invoice_sections, 1);
}

static int
void_one(struct crm_txn *tx, uint64_t id, void *arg)
{
	(void)arg;
	return crm_invoice_void(tx, id);
}

static int
cmd_invoice_void(struct crm_ctx *ctx)
{
	struct crm_each ea = { E_INVOICE, ctx->argc, void_one, NULL, 0, 0,
		NULL, 0 };
	int rc = crm_cli_each(ctx, &ea);

	if (rc == 0)
		crm_warn("voided %zu invoice%s", ea.n, ea.n == 1 ? "" : "s");
	return rc;
}

/* ---- payments ----------------------------------------------------------- */

struct payjob {
	struct crm_ctx *ctx;
	uint64_t id;
	struct crm_buf msg;
};

static int
pay_fn(struct crm_txn *tx, void *arg)
{
	struct payjob *j = arg;
	struct crm_ctx *ctx = j->ctx;
	const struct crm_entity *ie = E_INVOICE, *pe = E_PAYMENT;
	struct crm_rec *inv = crm_rec_new(ie), *p = crm_rec_new(pe);
	struct crm_buf b = CRM_BUF_INIT;
	struct crm_overdue o;
	const char *v;
	int rc, exp;

	crm_buf_reset(&j->msg);
	rc = inv == NULL || p == NULL ? ENOMEM : 0;
	if (rc == 0)
		rc = crm_cli_ref(tx, ie, ctx->argv[0], &inv->id);
	if (rc == 0)
		rc = crm_fetch(tx, inv, inv->id);
	if (rc != 0)
		goto done;
	exp = crm_rec_exponent(inv);
	crm_invoice_overdue(inv, 0, NULL, &o);
	if (o.outstanding <= 0 && crm_opt(ctx, "amount") == NULL) {
		rc = crm_seterr(CRM_EDATA, "invoice %s is paid already",
		    inv->v[FLD(ie, "number")].s);
		goto done;
	}
	crm_rec_setint(p, FLD(pe, "invoice"), (int64_t)inv->id);
	v = crm_opt(ctx, "amount");
	if (v == NULL) {
		/* Pay in full: the amount still outstanding. */
		rc = crm_money_format(&b, o.outstanding, exp);
		v = b.p;
	}
	if (rc == 0)
		rc = set_text(p, "amount", v, tx->now);
	if (rc == 0)
		rc = set_text(p, "paid_on", crm_opt(ctx, "on") ?
		    crm_opt(ctx, "on") : "today", tx->now);
	if (rc == 0 && (v = crm_opt(ctx, "method")) != NULL)
		rc = set_text(p, "method", v, tx->now);
	if (rc == 0 && (v = crm_opt(ctx, "reference")) != NULL)
		rc = set_text(p, "reference", v, tx->now);
	if (rc == 0)
		rc = crm_insert(tx, p);
	if (rc == 0) {
		j->id = p->id;
		rc = crm_fetch(tx, inv, inv->id);
	}
	if (rc == 0) {
		crm_invoice_overdue(inv, 0, NULL, &o);
		crm_buf_reset(&b);
		rc = crm_money_format(&b, o.outstanding, exp);
	}
	if (rc == 0)
		rc = crm_buf_printf(&j->msg, "invoice %s: %s, outstanding %s %s",
		    inv->v[FLD(ie, "number")].s, inv->v[FLD(ie, "status")].s,
		    b.p, inv->v[FLD(ie, "currency")].state == CRM_V_SET ?
		    inv->v[FLD(ie, "currency")].s : "");
done:
	crm_buf_free(&b);
	crm_rec_free(inv);
	crm_rec_free(p);
	return rc;
}

static int
cmd_pay(struct crm_ctx *ctx)
{
	struct payjob j = { ctx, 0, CRM_BUF_INIT };
	int rc = crm_write(ctx->db, pay_fn, &j);

	if (rc == 0) {
		printf("%llu\n", (unsigned long long)j.id);
		crm_warn("%s", j.msg.p);
	}
	crm_buf_free(&j.msg);
	return rc;
}

static int
cmd_payments(struct crm_ctx *ctx)
{
	return crm_cli_list_of(ctx, E_PAYMENT, "invoice");
}

/* ---- overdue and dunning ------------------------------------------------ */

static const char *const overdue_names[] = { "number", "customer",
	"customer_name", "email", "phone", "amount", "paid", "outstanding",
	"currency", "due_on", "days_overdue", "dunning_level", "reminded_at" };
static const enum crm_kind overdue_kinds[] = { CRM_K_STR, CRM_K_NUM,
	CRM_K_STR, CRM_K_STR, CRM_K_STR, CRM_K_MONEY, CRM_K_MONEY, CRM_K_MONEY,
	CRM_K_STR, CRM_K_STR, CRM_K_NUM, CRM_K_NUM, CRM_K_STR };
#define NOVERDUE (sizeof(overdue_names) / sizeof(overdue_names[0]))

/* Rows wait in a buffer until the marks commit: a write may be run
 * again, and nothing may be printed twice or for marks never made. */
struct overduejob {
	struct crm_ctx *ctx;
	int64_t min_days, level;
	int mark;
	struct crm_rec *cust;
	struct crm_txn *tx;
	struct crm_buf cells;	/* NOVERDUE NUL-terminated cells per row */
	size_t rows;
};

static int
cell(struct overduejob *j, const char *s, size_t len)
{
	int rc = crm_buf_add(&j->cells, s != NULL ? s : "", s ? len : 0);

	return rc == 0 ? crm_buf_addc(&j->cells, '\0') : rc;
}

static int
cell_field(struct overduejob *j, const struct crm_rec *r, const char *name)
{
	size_t at = j->cells.len;
	int rc = 0;

	if (r != NULL)
		rc = crm_rec_text(r, FLD(r->ent, name), &j->cells);
	if (rc == 0 && r == NULL && j->cells.len != at)
		j->cells.len = at;
	return rc == 0 ? crm_buf_addc(&j->cells, '\0') : rc;
}

static int
overdue_row(const struct crm_rec *inv, const struct crm_overdue *o,
    void *arg)
{
	struct overduejob *j = arg;
	const struct crm_val *c = &inv->v[FLD(inv->ent, "customer")];
	const struct crm_rec *cust = NULL;
	int rc = 0;

	if (c->state == CRM_V_SET) {
		rc = crm_fetch(j->tx, j->cust, (uint64_t)c->i);
		if (rc == 0)
			cust = j->cust;
		else if (rc == CRM_ENOTFOUND)
			rc = 0;
	}
	if (rc == 0)
		rc = cell_field(j, inv, "number");
	if (rc == 0)
		rc = cell_field(j, inv, "customer");
	if (rc == 0)
		rc = cell_field(j, cust, "name");
	if (rc == 0)
		rc = cell_field(j, cust, "email");
	if (rc == 0)
		rc = cell_field(j, cust, "phone");
	if (rc == 0)
		rc = cell_field(j, inv, "amount");
	if (rc == 0)
		rc = cell_field(j, inv, "paid");
	if (rc == 0)
		rc = crm_money_format(&j->cells, o->outstanding,
		    crm_rec_exponent(inv));
	if (rc == 0)
		rc = cell(j, NULL, 0);
	if (rc == 0)
		rc = cell_field(j, inv, "currency");
	if (rc == 0)
		rc = cell_field(j, inv, "due_on");
	if (rc == 0)
		rc = crm_int_format(&j->cells, o->days);
	if (rc == 0)
		rc = cell(j, NULL, 0);
	if (rc == 0)
		rc = crm_int_format(&j->cells, o->level);
	if (rc == 0)
		rc = cell(j, NULL, 0);
	if (rc == 0)
		rc = cell_field(j, inv, "reminded_at");
	if (rc == 0)
		j->rows++;
	return rc;
}

static int
overdue_fn(struct crm_txn *tx, void *arg)
{
	struct overduejob *j = arg;

	crm_buf_reset(&j->cells);
	j->rows = 0;
	j->tx = tx;
	return crm_overdue_each(tx, j->min_days, (int)j->level, j->mark,
	    overdue_row, j);
}

static int
cmd_overdue(struct crm_ctx *ctx)
{
	struct overduejob j;
	struct crm_out *out = NULL;
	struct crm_txn tx;
	const char *vals[NOVERDUE], *p;
	size_t lens[NOVERDUE], r, c;
	int rc;

	memset(&j, 0, sizeof(j));
	j.ctx = ctx;
	j.mark = crm_opt(ctx, "mark-reminded") != NULL;
	rc = crm_opt_int(ctx, "min-days", 1, &j.min_days);
	if (rc == 0)
		rc = crm_opt_int(ctx, "level", 0, &j.level);
	if (rc == 0 && j.level > CRM_DUNNING_MAX)
		rc = crm_seterr(CRM_EUSAGE, "--level: at most %d",
		    CRM_DUNNING_MAX);
	if (rc != 0)
		return rc;
	j.cust = crm_rec_new(E_CUSTOMER);
	if (j.cust == NULL)
		return ENOMEM;
	if (j.mark && (rc = crm_ctx_writable(ctx)) == 0)
		rc = crm_write(ctx->db, overdue_fn, &j);
	else if (j.mark)
		;
	else if ((rc = crm_read_begin(ctx->db, &tx)) == 0) {
		rc = overdue_fn(&tx, &j);
		crm_txn_end(&tx);
	}
	if (rc == 0)
		rc = crm_ctx_out(ctx, &out);
	if (rc == 0)
		rc = crm_out_columns(out, overdue_names, overdue_kinds,
		    NOVERDUE);
	for (r = 0, p = j.cells.p; r < j.rows && rc == 0; r++) {
		for (c = 0; c < NOVERDUE; c++) {
			lens[c] = strlen(p);
			vals[c] = p;
			p += lens[c] + 1;
		}
		rc = crm_out_row(out, vals, lens);
	}
	if (rc == 0)
		rc = crm_out_end(out);
	if (rc == 0 && j.mark)
		crm_warn("marked %zu invoice%s reminded", j.rows,
		    j.rows == 1 ? "" : "s");
	crm_out_free(out);
	crm_rec_free(j.cust);
	crm_buf_free(&j.cells);
	return rc;
}

static int
cmd_dunning(struct crm_ctx *ctx)
{
	static const char *const names[] = { "level", "from_days", "to_days" };
	static const enum crm_kind kinds[] = { CRM_K_NUM, CRM_K_NUM, CRM_K_NUM };
	struct crm_dunning d;
	struct crm_row_out row;
	struct crm_out *out = NULL;
	struct crm_txn tx;
	size_t i;
	int rc;

	memset(&row, 0, sizeof(row));
	rc = crm_read_begin(ctx->db, &tx);
	if (rc != 0)
		return rc;
	rc = crm_dunning_load(&tx, &d);
	crm_txn_end(&tx);
	if (rc == 0)
		rc = crm_ctx_out(ctx, &out);
	if (rc == 0)
		rc = crm_out_columns(out, names, kinds, 3);
	for (i = 0; i < d.n && rc == 0; i++) {
		rc = crm_row_int(&row, (int64_t)i + 1);
		if (rc == 0)
			rc = crm_row_int(&row, d.days[i]);
		if (rc == 0)
			rc = i + 1 < d.n ? crm_row_int(&row, d.days[i + 1] - 1) :
			    crm_row_text(&row, NULL, 0);
		if (rc == 0)
			rc = crm_row_emit(&row, out);
	}
	if (rc == 0)
		rc = crm_out_end(out);
	crm_out_free(out);
	crm_row_free(&row);
	return rc;
}

static int
dunning_set_fn(struct crm_txn *tx, void *arg)
{
	return crm_dunning_save(tx, arg);
}

static int
cmd_dunning_set(struct crm_ctx *ctx)
{
	struct crm_dunning d;
	int i, rc;

	memset(&d, 0, sizeof(d));
	if (ctx->argc > CRM_DUNNING_MAX)
		return crm_seterr(CRM_EUSAGE, "at most %d levels",
		    CRM_DUNNING_MAX);
	for (i = 0; i < ctx->argc; i++) {
		char *end;
		long long v = strtoll(ctx->argv[i], &end, 10);

		if (end == ctx->argv[i] || *end != '\0')
			return crm_seterr(CRM_EUSAGE, "\"%s\": give the day "
			    "each level starts at, such as 1 16 31 61",
			    ctx->argv[i]);
		d.days[d.n++] = v;
	}
	rc = crm_write(ctx->db, dunning_set_fn, &d);
	if (rc == 0)
		crm_warn("%zu dunning levels set", d.n);
	return rc;
}

/* ---- the table ---------------------------------------------------------- */

static const struct crm_cmd cmds[] = {
	{ "add", crm_cmd_add, G(crm_opts_db, crm_opts_input),
	  "TITLE customer=REF [FIELD=VALUE]... | -",
	  "add a deal, or many from CSV/TSV/JSON/NDJSON on stdin",
	  CRM_DB_WRITE, 1, -1, "deal", 0 },
	{ "show", cmd_show, G(crm_opts_db, crm_opts_output), "DEAL",
	  "a deal with its stage history, invoices, payments and activities",
	  CRM_DB_READ, 1, 1, "deal", 0 },
	{ "list", crm_cmd_list, G(crm_opts_db, crm_opts_select, crm_opts_output,
	  crm_opts_fields), "", "list deals", CRM_DB_READ, 0, 0, "deal", 0 },
	{ "set", crm_cmd_set, G(crm_opts_db, crm_opts_input),
	  "DEAL FIELD=VALUE... | -",
	  "change fields (FIELD= clears), or records read from stdin",
	  CRM_DB_WRITE, 1, -1, "deal", 0 },
	{ "delete", cmd_delete, G(crm_opts_db, crm_opts_input, force_opts),
	  "DEAL... | -", "delete deals", CRM_DB_WRITE, 1, -1, NULL, 0 },
	{ "stage", cmd_stage, G(crm_opts_db), "DEAL STAGE",
	  "move a deal to a stage of its pipeline", CRM_DB_WRITE, 2, 2, NULL,
	  0 },
	{ "won", cmd_won, G(crm_opts_db), "DEAL", "mark a deal won",
	  CRM_DB_WRITE, 1, 1, NULL, 0 },
	{ "lost", cmd_lost, G(crm_opts_db, lost_opts), "DEAL --reason TEXT",
	  "mark a deal lost, with the reason", CRM_DB_WRITE, 1, 1, NULL, 0 },
	{ "stages", cmd_stages, G(crm_opts_db, pipeline_opts, crm_opts_output),
	  "", "the pipelines' stages, probabilities and stall limits",
	  CRM_DB_READ, 0, 0, NULL, 0 },
	{ "stages set", cmd_stages_set, G(crm_opts_db, pipeline_opts),
	  "STAGE=PERCENT[:STALL_DAYS]...",
	  "set a pipeline's open stages in order (won and lost follow)",
	  CRM_DB_WRITE, 1, -1, NULL, 0 },
	{ "stages delete", cmd_stages_delete, G(crm_opts_db), "PIPELINE",
	  "remove a pipeline no deal is in", CRM_DB_WRITE, 1, 1, NULL, 0 },
	{ "stalled", cmd_stalled, G(crm_opts_db, stalled_opts, crm_opts_output),
	  "", "open deals whose stage has not changed for too long",
	  CRM_DB_READ, 0, 0, NULL, 0 },
	{ "closing", cmd_closing, G(crm_opts_db, closing_opts, crm_opts_output),
	  "", "open deals expected to close soon (or slipped)", CRM_DB_READ, 0,
	  0, NULL, 0 },
	{ "invoice add", cmd_invoice_add, G(crm_opts_db, invoice_add_opts),
	  "DEAL --amount AMOUNT --due DATE",
	  "invoice a deal, in one invoice or in instalments", CRM_DB_WRITE, 1,
	  1, NULL, 0 },
	{ "invoice list", cmd_invoice_list, G(crm_opts_db, crm_opts_select,
	  crm_opts_output, crm_opts_fields), "[DEAL]",
	  "list invoices, of one deal or all", CRM_DB_READ, 0, 1, "invoice",
	  0 },
	{ "invoice show", cmd_invoice_show, G(crm_opts_db, crm_opts_output),
	  "INVOICE", "an invoice with its payments", CRM_DB_READ, 1, 1,
	  "invoice", 0 },
	{ "invoice set", crm_cmd_set, G(crm_opts_db, crm_opts_input),
	  "INVOICE FIELD=VALUE... | -", "change an invoice", CRM_DB_WRITE, 1,
	  -1, "invoice", 0 },
	{ "invoice void", cmd_invoice_void, G(crm_opts_db, crm_opts_input),
	  "INVOICE... | -", "void invoices that have no payments",
	  CRM_DB_WRITE, 1, -1, NULL, 0 },
	{ "pay", cmd_pay, G(crm_opts_db, pay_opts), "INVOICE",
	  "record a payment (partial or full; overpayment is refused)",
	  CRM_DB_WRITE, 1, 1, NULL, 0 },
	{ "payments", cmd_payments, G(crm_opts_db, crm_opts_select,
	  crm_opts_output, crm_opts_fields), "[INVOICE]",
	  "list payments, of one invoice or all", CRM_DB_READ, 0, 1,
	  "payment", 0 },
	{ "overdue", cmd_overdue, G(crm_opts_db, overdue_opts, crm_opts_output),
	  "", "overdue invoices with dunning levels (for cron)",
	  CRM_DB_READ, 0, 0, NULL, 0 },
	{ "dunning", cmd_dunning, G(crm_opts_db, crm_opts_output), "",
	  "the dunning levels", CRM_DB_READ, 0, 0, NULL, 0 },
	{ "dunning set", cmd_dunning_set, G(crm_opts_db), "DAYS...",
	  "set the day each dunning level starts at (default 1 16 31 61)",
	  CRM_DB_WRITE, 1, -1, NULL, 0 },
	{ "history", cmd_history, G(crm_opts_db, crm_opts_output), "DEAL",
	  "the audit trail of a deal", CRM_DB_READ, 1, 1, NULL, 0 },
	{ "undo", crm_cli_undo, G(crm_opts_db, undo_opts), "CHANGE",
	  "reverse a change", CRM_DB_WRITE, 1, 1, NULL, 0 },
	{ NULL, NULL, NULL, NULL, NULL, 0, 0, 0, NULL, 0 }
};

static const struct crm_tool tool = {
	"crm-deal",
	"Deals in a staged pipeline, invoices, payments and dunning.",
	cmds,
};

int
main(int argc, char **argv)
{
	return crm_main(&tool, argc, argv);
}
