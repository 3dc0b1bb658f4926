/*
 * crm-lead — leads and campaigns: scoring and grading by rules kept in
 * the database, assignment to owners by routing rules (round-robin
 * over a team, by region or source, with a cap of open leads),
 * qualification, conversion into a customer, a contact and a deal,
 * and likely duplicates among leads and customers.
 *
 * Thin: the shared record verbs (list, show, add, set, delete, history,
 * undo) are lib/cli_records.c; the lead rules are lib/lead.c.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli_records.h"
#include "customer.h"
#include "lead.h"

#define E_LEAD (crm_entity_find("lead"))
#define E_CAMPAIGN (crm_entity_find("campaign"))
#define E_CUSTOMER (crm_entity_find("customer"))

/* A write that went well but must not be kept (a dry run). */
#define DRY_RUN (CRM_ELAST + 1)

static const struct crm_option force_opts[] = {
	{ "force", 0, CRM_ARG_NONE, NULL, "also delete the lead's activities",
	  0, NULL, NULL },
	CRM_OPT_END
};

static const struct crm_option undo_opts[] = {
	{ "force", 0, CRM_ARG_NONE, NULL,
	  "undo even where records changed since", 0, NULL, NULL },
	CRM_OPT_END
};

static const struct crm_option where_opts[] = {
	{ "where", 'w', CRM_ARG_REQ, "EXPR",
	  "only the leads where EXPR holds (repeatable)", CRM_OPT_MULTI, NULL,
	  "field" },
	CRM_OPT_END
};

static const struct crm_option score_opts[] = {
	{ "explain", 0, CRM_ARG_NONE, NULL,
	  "show each rule's part in one lead's score (stores nothing)", 0,
	  NULL, NULL },
	CRM_OPT_END
};

static const struct crm_option assign_opts[] = {
	{ "reassign", 0, CRM_ARG_NONE, NULL,
	  "also assign leads that have an owner", 0, NULL, NULL },
	{ "dry-run", 'n', CRM_ARG_NONE, NULL,
	  "print the assignments, change nothing", 0, NULL, NULL },
	CRM_OPT_END
};

static const struct crm_option disqualify_opts[] = {
	{ "reason", 'r', CRM_ARG_REQ, "TEXT", "why (required)", 0, NULL, NULL },
	CRM_OPT_END
};

static const struct crm_option convert_opts[] = {
	{ "deal-title", 0, CRM_ARG_REQ, "TITLE", "also open a deal with this title",
	  0, NULL, NULL },
	{ "amount", 0, CRM_ARG_REQ, "AMOUNT", "the deal's amount", 0, NULL, NULL },
	{ "currency", 0, CRM_ARG_REQ, "CODE", "the deal's currency (ISO 4217)",
	  0, NULL, NULL },
	CRM_OPT_END
};

static const char *const dupe_kinds[] = { "email", "phone", "name",
	"company", NULL };
#define ALL_DUPES (CRM_DUPE_EMAIL | CRM_DUPE_PHONE | CRM_DUPE_NAME | \
	CRM_DUPE_COMPANY)

static const struct crm_option dupes_opts[] = {
	{ "by", 0, CRM_ARG_REQ, "CRITERIA",
	  "match on email, phone, name, company (comma-separated; default all)",
	  CRM_OPT_MULTI, dupe_kinds, NULL },
	CRM_OPT_END
};

static const struct crm_option scoring_set_opts[] = {
	{ "when", 0, CRM_ARG_REQ, "EXPR",
	  "condition on the lead, as in --where (empty: every lead)", 0, NULL,
	  "field" },
	{ "points", 0, CRM_ARG_REQ, "N", "points for a lead that meets it", 0,
	  NULL, NULL },
	CRM_OPT_END
};

static const struct crm_option routing_set_opts[] = {
	{ "when", 0, CRM_ARG_REQ, "EXPR",
	  "condition on the lead, as in --where (empty: every lead)", 0, NULL,
	  "field" },
	{ "team", 0, CRM_ARG_REQ, "USER,...",
	  "owners to assign to in turn", 0, NULL, NULL },
	{ "cap", 0, CRM_ARG_REQ, "N",
	  "skip owners with N or more open leads (empty: no cap)", 0, NULL,
	  NULL },
	CRM_OPT_END
};

#define G(...) ((const struct crm_option *const[]){ __VA_ARGS__, NULL })

/* ---- records ------------------------------------------------------------ */

static const struct crm_section lead_sections[] = {
	{ "activity", "activities", "at", 1, 10, NULL, NULL },
};

static int
cmd_show(struct crm_ctx *ctx)
{
	return crm_cli_show(ctx, E_LEAD, lead_sections, 1);
}

static int
cmd_delete(struct crm_ctx *ctx)
{
	static const char *const cascade[] = { "activity" };

	return crm_cli_delete(ctx, E_LEAD, cascade, 1);
}

static int
cmd_history(struct crm_ctx *ctx)
{
	return crm_cli_history(ctx, E_LEAD);
}

static int
cmd_campaign_delete(struct crm_ctx *ctx)
{
	return crm_cli_delete(ctx, E_CAMPAIGN, NULL, 0);
}

/* ---- leads to work on ----------------------------------------------------- */

/*
 * The leads a command works on, in tx: those named (or read from stdin
 * with -), else all; only those meeting every --where.  Stdin is read
 * once; a rerun of the write (the map grew) reuses what it named.
 */
struct picked {
	uint64_t *named;
	size_t nnamed;
	int read;
	uint64_t *ids;
	size_t n;
};

static int
pick_leads(struct crm_ctx *ctx, struct crm_txn *tx, struct picked *p,
    const char *const *dflt, size_t ndflt)
{
	char *const *where;
	char **all = NULL;
	size_t nwhere, i;
	int rc;

	if (!p->read && ctx->argc > 0) {
		rc = crm_cli_refs(ctx, tx, E_LEAD, ctx->argv, ctx->argc,
		    &p->named, &p->nnamed);
		if (rc != 0)
			return rc;
	}
	p->read = 1;
	free(p->ids);
	p->ids = NULL;
	p->n = 0;
	if (ctx->argc > 0 && p->nnamed == 0)
		return 0;	/* "-" and nothing on stdin: no leads, not all */
	where = crm_optv(ctx, "where", &nwhere);
	if (ctx->argc == 0 && ndflt > 0) {
		/* No leads named: the conditions of "all" come first. */
		all = calloc(nwhere + ndflt, sizeof(*all));
		if (all == NULL)
			return ENOMEM;
		for (i = 0; i < ndflt; i++)
			all[i] = (char *)dflt[i];
		for (i = 0; i < nwhere; i++)
			all[ndflt + i] = where[i];
		where = all;
		nwhere += ndflt;
	}
	rc = crm_select(tx, E_LEAD, ctx->argc > 0 ? p->named : NULL,
	    p->nnamed, where, nwhere, &p->ids, &p->n);
	free(all);
	return rc;
}

static void
picked_free(struct picked *p)
{
	free(p->named);
	free(p->ids);
}

/* "3 leads", "1 lead" */
static const char *
leads(size_t n)
{
	return n == 1 ? "lead" : "leads";
}

/* ---- score ------------------------------------------------------------------ */

struct scorejob {
	struct crm_ctx *ctx;
	struct picked p;
	size_t changed;
};

static int
score_fn(struct crm_txn *tx, void *arg)
{
	struct scorejob *j = arg;
	struct crm_scorer *s = NULL;
	size_t i;
	int rc;

	j->changed = 0;
	rc = pick_leads(j->ctx, tx, &j->p, NULL, 0);
	if (rc == 0)
		rc = crm_scorer_open(tx, &s);
	for (i = 0; i < j->p.n && rc == 0; i++) {
		rc = crm_lead_rescore(tx, s, j->p.ids[i]);
		if (rc == 0)
			j->changed++;
		if (rc == 1)
			rc = 0;
	}
	crm_scorer_free(s);
	return rc;
}

static int
explain_row(const struct crm_score_term *t, void *arg)
{
	struct crm_out *out = arg;
	struct crm_buf b = CRM_BUF_INIT;
	const char *vals[4];
	size_t lens[4];
	int rc = 0, grade = t->kind == CRM_TERM_GRADE;

	if (!grade)
		rc = crm_int_format(&b, t->points);
	vals[0] = t->rule;
	vals[1] = t->when;
	vals[2] = t->value;
	vals[3] = grade ? NULL : b.p;
	lens[0] = strlen(t->rule);
	lens[1] = t->when ? strlen(t->when) : 0;
	lens[2] = t->value ? strlen(t->value) : 0;
	lens[3] = grade ? 0 : b.len;
	if (rc == 0)
		rc = crm_out_row(out, vals, lens);
	crm_buf_free(&b);
	return rc;
}

static int
score_explain(struct crm_ctx *ctx)
{
	static const char *const names[] = { "rule", "when", "value", "points" };
	static const enum crm_kind kinds[] = { CRM_K_STR, CRM_K_STR, CRM_K_STR,
		CRM_K_NUM };
	struct crm_txn tx;
	struct crm_scorer *s = NULL;
	struct crm_out *out = NULL;
	struct crm_rec *lead = NULL;
	const char *grade;
	int64_t score;
	uint64_t id;
	size_t nw;
	int rc;

	crm_optv(ctx, "where", &nw);
	if (ctx->argc != 1 || strcmp(ctx->argv[0], "-") == 0 || nw > 0)
		return crm_seterr(CRM_EUSAGE, "score --explain: give one lead");
	rc = crm_read_begin(ctx->db, &tx);
	if (rc != 0)
		return rc;
	lead = crm_rec_new(E_LEAD);
	if (lead == NULL)
		rc = ENOMEM;
	if (rc == 0)
		rc = crm_cli_ref(&tx, E_LEAD, ctx->argv[0], &id);
	if (rc == 0)
		rc = crm_fetch(&tx, lead, id);
	if (rc == 0)
		rc = crm_scorer_open(&tx, &s);
	if (rc == 0)
		rc = crm_ctx_out(ctx, &out);
	if (rc == 0)
		rc = crm_out_columns(out, names, kinds, 4);
	if (rc == 0)
		rc = crm_lead_score(&tx, s, lead, &score, &grade, explain_row, out);
	if (rc == 0)
		rc = crm_out_end(out);
	crm_out_free(out);
	crm_scorer_free(s);
	crm_rec_free(lead);
	crm_txn_end(&tx);
	return rc;
}

static int
cmd_score(struct crm_ctx *ctx)
{
	struct scorejob j;
	int rc;

	if (crm_opt(ctx, "explain") != NULL)
		return score_explain(ctx);
	memset(&j, 0, sizeof(j));
	j.ctx = ctx;
	rc = crm_write(ctx->db, score_fn, &j);
	if (rc == 0)
		crm_warn("scored %zu %s, %zu changed", j.p.n, leads(j.p.n),
		    j.changed);
	picked_free(&j.p);
	return rc;
}

/* ---- assign ---------------------------------------------------------------- */

struct assigned {
	uint64_t id;
	char *owner, *rule;
};

struct assignjob {
	struct crm_ctx *ctx;
	struct picked p;
	int reassign, dry;
	struct assigned *done;
	size_t ndone;
	size_t owned, closed, left;
	struct crm_buf msgs;	/* why leads were left, a line each */
	uint64_t change;
};

static void
assign_reset(struct assignjob *j)
{
	size_t i;

	for (i = 0; i < j->ndone; i++) {
		free(j->done[i].owner);
		free(j->done[i].rule);
	}
	j->ndone = j->owned = j->closed = j->left = 0;
	j->change = 0;
	crm_buf_reset(&j->msgs);
}

static int
assign_fn(struct crm_txn *tx, void *arg)
{
	struct assignjob *j = arg;
	struct crm_router *r = NULL;
	struct crm_assignment a;
	size_t i;
	int rc;

	static const char *const open[] = { "status=new|contacted|qualified",
		"owner=" };

	assign_reset(j);
	/* None named: the open leads without an owner (or all open ones). */
	rc = pick_leads(j->ctx, tx, &j->p, open, j->reassign ? 1 : 2);
	if (rc == 0)
		rc = crm_router_open(tx, &r);
	if (rc == 0) {
		free(j->done);
		j->done = calloc(j->p.n + 1, sizeof(*j->done));
		if (j->done == NULL)
			rc = ENOMEM;
	}
	for (i = 0; i < j->p.n && rc == 0; i++) {
		rc = crm_lead_assign(tx, r, j->p.ids[i], j->reassign, &a);
		if (rc != 0)
			break;
		switch (a.outcome) {
		case CRM_ASSIGNED:
			j->done[j->ndone].id = j->p.ids[i];
			j->done[j->ndone].owner = strdup(a.owner);
			j->done[j->ndone].rule = strdup(a.rule);
			j->ndone++;
			if (j->done[j->ndone - 1].owner == NULL ||
			    j->done[j->ndone - 1].rule == NULL)
				rc = ENOMEM;
			break;
		case CRM_ASSIGN_OWNED:
			j->owned++;
			break;
		case CRM_ASSIGN_CLOSED:
			j->closed++;
			break;
		case CRM_ASSIGN_NORULE:
			j->left++;
			rc = crm_buf_printf(&j->msgs,
			    "lead %llu: not assigned: no routing rule for it\n",
			    (unsigned long long)j->p.ids[i]);
			break;
		case CRM_ASSIGN_FULL:
			j->left++;
			rc = crm_buf_printf(&j->msgs, "lead %llu: not assigned: "
			    "every owner of rule '%s' has %lld open %s (its cap)\n",
			    (unsigned long long)j->p.ids[i], a.rule,
			    (long long)a.cap, leads((size_t)a.cap));
			break;
		}
	}
	crm_router_free(r);
	if (rc == 0 && j->ndone > 0 && !j->dry)
		rc = crm_audit_change(tx, &j->change);
	return rc == 0 && j->dry ? DRY_RUN : rc;
}

static int
assign_print(struct crm_ctx *ctx, struct assignjob *j)
{
	static const char *const names[] = { "id", "name", "owner", "rule" };
	static const enum crm_kind kinds[] = { CRM_K_NUM, CRM_K_STR, CRM_K_STR,
		CRM_K_STR };
	struct crm_out *out = NULL;
	struct crm_txn tx;
	struct crm_rec *lead = NULL;
	struct crm_buf b = CRM_BUF_INIT;
	int f_name = crm_field_find(E_LEAD, "name", 4);
	size_t i;
	int rc;

	rc = crm_read_begin(ctx->db, &tx);
	if (rc != 0)
		return rc;
	lead = crm_rec_new(E_LEAD);
	if (lead == NULL)
		rc = ENOMEM;
	if (rc == 0)
		rc = crm_ctx_out(ctx, &out);
	if (rc == 0)
		rc = crm_out_columns(out, names, kinds, 4);
	for (i = 0; i < j->ndone && rc == 0; i++) {
		const char *vals[4];
		size_t lens[4];

		crm_buf_reset(&b);
		rc = crm_fetch(&tx, lead, j->done[i].id);
		if (rc == 0)
			rc = crm_buf_printf(&b, "%llu",
			    (unsigned long long)j->done[i].id);
		if (rc != 0)
			break;
		vals[0] = b.p;
		lens[0] = b.len;
		vals[1] = lead->v[f_name].s;
		lens[1] = lead->v[f_name].len;
		vals[2] = j->done[i].owner;
		lens[2] = strlen(vals[2]);
		vals[3] = j->done[i].rule;
		lens[3] = strlen(vals[3]);
		rc = crm_out_row(out, vals, lens);
	}
	if (rc == 0)
		rc = crm_out_end(out);
	crm_buf_free(&b);
	crm_out_free(out);
	crm_rec_free(lead);
	crm_txn_end(&tx);
	return rc;
}

static int
cmd_assign(struct crm_ctx *ctx)
{
	struct assignjob j;
	struct crm_buf sum = CRM_BUF_INIT;
	const char *p, *nl;
	int rc;

	memset(&j, 0, sizeof(j));
	j.ctx = ctx;
	j.reassign = crm_opt(ctx, "reassign") != NULL;
	j.dry = crm_opt(ctx, "dry-run") != NULL;
	rc = crm_write(ctx->db, assign_fn, &j);
	if (rc == DRY_RUN)
		rc = 0;
	if (rc == 0)
		rc = assign_print(ctx, &j);
	for (p = j.msgs.p; rc == 0 && p != NULL && *p != '\0'; p = nl + 1) {
		nl = strchr(p, '\n');
		crm_warn("%.*s", (int)(nl - p), p);
	}
	if (rc == 0) {
		crm_buf_printf(&sum, "%s %zu of %zu %s", j.dry ? "would assign" :
		    "assigned", j.ndone, j.p.n, leads(j.p.n));
		if (j.change != 0)
			crm_buf_printf(&sum, " as change %llu",
			    (unsigned long long)j.change);
		if (j.owned > 0)
			crm_buf_printf(&sum, "; %zu already owned (--reassign moves "
			    "them)", j.owned);
		if (j.closed > 0)
			crm_buf_printf(&sum, "; %zu converted or disqualified",
			    j.closed);
		if (j.left > 0)
			crm_buf_printf(&sum, "; %zu not assigned", j.left);
		crm_warn("%s", sum.p ? sum.p : "");
	}
	assign_reset(&j);
	free(j.done);
	crm_buf_free(&j.msgs);
	crm_buf_free(&sum);
	picked_free(&j.p);
	return rc;
}

/* ---- qualify, disqualify, convert ------------------------------------------ */

static int
status_one(struct crm_txn *tx, uint64_t id, void *arg)
{
	const char *reason = arg;	/* NULL: qualify */

	return reason != NULL ? crm_lead_disqualify(tx, id, reason) :
	    crm_lead_qualify(tx, id);
}

static int
set_status(struct crm_ctx *ctx, const char *reason)
{
	struct crm_each ea = { E_LEAD, ctx->argc, status_one, (void *)reason,
		0, 0, NULL, 0 };
	int rc = crm_cli_each(ctx, &ea);

	if (rc == 0)
		crm_warn("%s %zu of %zu %s", reason ? "disqualified" : "qualified",
		    ea.changed, ea.n, leads(ea.n));
	return rc;
}

static int
cmd_qualify(struct crm_ctx *ctx)
{
	return set_status(ctx, NULL);
}

static int
cmd_disqualify(struct crm_ctx *ctx)
{
	const char *reason = crm_opt(ctx, "reason");

	if (reason == NULL || reason[strspn(reason, " \t")] == '\0')
		return crm_seterr(CRM_EUSAGE,
		    "disqualify: --reason is required");
	return set_status(ctx, reason);
}

struct convertjob {
	struct crm_ctx *ctx;
	uint64_t lead;
	struct crm_conversion c;
	uint64_t change;
};

static int
convert_fn(struct crm_txn *tx, void *arg)
{
	struct convertjob *j = arg;
	int rc;

	rc = crm_cli_ref(tx, E_LEAD, j->ctx->argv[0], &j->lead);
	if (rc == 0)
		rc = crm_lead_convert(tx, j->lead, &j->c);
	if (rc == 0)
		rc = crm_audit_change(tx, &j->change);
	return rc;
}

static int
cmd_convert(struct crm_ctx *ctx)
{
	static const char *const names[] = { "lead", "customer", "contact",
		"deal", "matched" };
	static const enum crm_kind kinds[] = { CRM_K_NUM, CRM_K_NUM, CRM_K_NUM,
		CRM_K_NUM, CRM_K_STR };
	struct convertjob j;
	struct crm_out *out = NULL;
	struct crm_buf b = CRM_BUF_INIT;
	const char *vals[5];
	size_t lens[5], offs[5], i;
	int rc;

	memset(&j, 0, sizeof(j));
	j.ctx = ctx;
	j.c.deal_title = crm_opt(ctx, "deal-title");
	j.c.amount = crm_opt(ctx, "amount");
	j.c.currency = crm_opt(ctx, "currency");
	rc = crm_write(ctx->db, convert_fn, &j);
	if (rc != 0)
		return rc;
	rc = crm_ctx_out(ctx, &out);
	if (rc == 0)
		rc = crm_out_columns(out, names, kinds, 5);
	offs[0] = 0;
	if (rc == 0)
		rc = crm_buf_printf(&b, "%llu", (unsigned long long)j.lead);
	offs[1] = b.len;
	if (rc == 0)
		rc = crm_buf_printf(&b, "%llu", (unsigned long long)j.c.customer);
	offs[2] = b.len;
	if (rc == 0)
		rc = crm_buf_printf(&b, "%llu", (unsigned long long)j.c.contact);
	offs[3] = b.len;
	if (rc == 0 && j.c.deal != 0)
		rc = crm_buf_printf(&b, "%llu", (unsigned long long)j.c.deal);
	offs[4] = b.len;
	if (rc == 0)
		rc = crm_dupes_why(&b, j.c.matched);
	for (i = 0; i < 5 && rc == 0; i++) {
		lens[i] = (i == 4 ? b.len : offs[i + 1]) - offs[i];
		vals[i] = b.p + offs[i];
	}
	if (rc == 0)
		rc = crm_out_row(out, vals, lens);
	if (rc == 0)
		rc = crm_out_end(out);
	if (rc == 0)
		crm_warn("converted lead %llu to %s customer %llu%s (change %llu)",
		    (unsigned long long)j.lead, j.c.matched ? "existing" : "new",
		    (unsigned long long)j.c.customer,
		    j.c.deal != 0 ? " with a deal" : "",
		    (unsigned long long)j.change);
	crm_out_free(out);
	crm_buf_free(&b);
	return rc;
}

/* ---- dupes ------------------------------------------------------------------- */

struct dupesarg {
	struct crm_out *out;
	struct crm_txn *tx;
	struct crm_rec *lead, *cust;
};

static int
dupes_row(uint64_t group, const struct crm_entity *e, uint64_t id,
    unsigned why, void *arg)
{
	struct dupesarg *d = arg;
	static const char *const f[] = { "name", "email", "phone" };
	struct crm_rec *r = e == E_LEAD ? d->lead : d->cust;
	struct crm_buf b = CRM_BUF_INIT;
	const char *vals[7];
	size_t lens[7], offs[8], i;
	int rc;

	rc = crm_fetch(d->tx, r, id);
	offs[0] = 0;
	if (rc == 0)
		rc = crm_buf_printf(&b, "%llu", (unsigned long long)group);
	offs[1] = b.len;
	if (rc == 0)
		rc = crm_buf_adds(&b, e->name);
	offs[2] = b.len;
	if (rc == 0)
		rc = crm_buf_printf(&b, "%llu", (unsigned long long)id);
	for (i = 0; i < 3 && rc == 0; i++) {
		offs[3 + i] = b.len;
		rc = crm_rec_text(r, crm_field_find(e, f[i], strlen(f[i])), &b);
	}
	offs[6] = b.len;
	if (rc == 0)
		rc = crm_dupes_why(&b, why);
	offs[7] = b.len;
	for (i = 0; i < 7 && rc == 0; i++) {
		lens[i] = offs[i + 1] - offs[i];
		vals[i] = lens[i] ? b.p + offs[i] : NULL;
	}
	if (rc == 0)
		rc = crm_out_row(d->out, vals, lens);
	crm_buf_free(&b);
	return rc;
}

/* Groups are reported for the leads still to work on: a converted
 * lead meets its own customer. */
static int
unconverted_lead(const struct crm_rec *r)
{
	const struct crm_val *st = &r->v[crm_field_find(r->ent, "status", 6)];

	return r->ent == E_LEAD && !(st->state == CRM_V_SET && st->len == 9 &&
	    memcmp(st->s, "converted", 9) == 0);
}

static int
cmd_dupes(struct crm_ctx *ctx)
{
	static const char *const names[] = { "group", "entity", "id", "name",
		"email", "phone", "match" };
	static const enum crm_kind kinds[] = { CRM_K_NUM, CRM_K_STR, CRM_K_NUM,
		CRM_K_STR, CRM_K_STR, CRM_K_STR, CRM_K_TAGS };
	const struct crm_entity *ents[2];
	struct dupesarg d = { NULL, NULL, NULL, NULL };
	struct crm_txn tx;
	char *const *by;
	size_t nby, i;
	unsigned mask = 0;
	int rc;

	by = crm_optv(ctx, "by", &nby);
	for (i = 0; i < nby; i++) {
		rc = crm_dupes_parse(by[i], ALL_DUPES, &mask);
		if (rc != 0)
			return rc;
	}
	if (mask == 0)
		mask = ALL_DUPES;
	ents[0] = E_LEAD;
	ents[1] = E_CUSTOMER;
	rc = crm_read_begin(ctx->db, &tx);
	if (rc != 0)
		return rc;
	d.tx = &tx;
	d.lead = crm_rec_new(E_LEAD);
	d.cust = crm_rec_new(E_CUSTOMER);
	if (d.lead == NULL || d.cust == NULL)
		rc = ENOMEM;
	if (rc == 0)
		rc = crm_ctx_out(ctx, &d.out);
	if (rc == 0)
		rc = crm_out_columns(d.out, names, kinds, 7);
	if (rc == 0)
		rc = crm_dupes_among(&tx, ents, 2, unconverted_lead, mask,
		    dupes_row, &d);
	if (rc == 0)
		rc = crm_out_end(d.out);
	crm_out_free(d.out);
	crm_rec_free(d.lead);
	crm_rec_free(d.cust);
	crm_txn_end(&tx);
	return rc;
}

/* ---- scoring, grades, routing: the rule tables -------------------------------- */

static int
table_list(struct crm_ctx *ctx, const struct crm_ltable_spec *spec)
{
	struct crm_ltable t;
	struct crm_out *out = NULL;
	struct crm_txn tx;
	int rc;

	rc = crm_read_begin(ctx->db, &tx);
	if (rc != 0)
		return rc;
	rc = crm_ltable_load(&tx, spec, &t);
	if (rc == 0) {
		rc = crm_ctx_out(ctx, &out);
		if (rc == 0)
			rc = crm_ltable_print(&tx, &t, out);
		crm_ltable_free(&t);
	}
	crm_out_free(out);
	crm_txn_end(&tx);
	return rc;
}

enum table_op { T_REPLACE, T_UPSERT, T_REMOVE, T_RESET };

struct tablejob {
	struct crm_ctx *ctx;
	enum table_op op;
	struct crm_ltable rows;		/* its spec; T_REPLACE: the new table */
	const char *vals[5];		/* T_UPSERT: NULL keeps a cell */
};

static int
table_fn(struct crm_txn *tx, void *arg)
{
	struct tablejob *j = arg;
	struct crm_ltable t;
	int rc, i;

	if (j->op == T_REPLACE)
		return crm_ltable_store(tx, &j->rows);
	if (j->op == T_RESET)
		return crm_ltable_reset(tx, j->rows.spec);
	rc = crm_ltable_load(tx, j->rows.spec, &t);
	if (rc != 0)
		return rc;
	if (j->op == T_UPSERT)
		rc = crm_ltable_upsert(&t, j->vals);
	for (i = 0; j->op == T_REMOVE && i < j->ctx->argc && rc == 0; i++)
		rc = crm_ltable_remove(&t, j->ctx->argv[i]);
	if (rc == 0)
		rc = crm_ltable_store(tx, &t);
	crm_ltable_free(&t);
	return rc;
}

/*
 * Runs op on spec's table in one write.  T_REPLACE takes the rows of
 * rows (already read: the write may run twice).
 */
static int
table_run(struct crm_ctx *ctx, struct tablejob *j)
{
	const struct crm_ltable_spec *spec = j->rows.spec;
	int rc;

	j->ctx = ctx;
	rc = crm_write(ctx->db, table_fn, j);
	if (rc == 0 && j->op == T_REPLACE)
		crm_warn("stored %zu %s%s", j->rows.nrows, crm_ltable_what(spec),
		    j->rows.nrows == 1 ? "" : "s");
	crm_ltable_free(&j->rows);
	return rc;
}

/* "set -": the whole table from stdin. */
static int
table_from_stdin(struct crm_ctx *ctx, const struct crm_ltable_spec *spec)
{
	struct tablejob j;
	struct crm_reader *rd = NULL;
	const char *f = crm_opt(ctx, "input-format");
	enum crm_infmt fmt = CRM_IN_AUTO;
	int rc = 0;

	if (ctx->argc != 1)
		return crm_seterr(CRM_EUSAGE,
		    "set -: the %ss come from the input rows",
		    crm_ltable_what(spec));
	memset(&j, 0, sizeof(j));
	j.op = T_REPLACE;
	crm_ltable_init(&j.rows, spec);
	if (f != NULL)
		rc = crm_infmt_parse(f, &fmt);
	if (rc == 0)
		rc = crm_reader_new(&rd, stdin, fmt);
	if (rc == 0)
		rc = crm_ltable_read(&j.rows, rd, "<stdin>");
	crm_reader_free(rd);
	if (rc != 0) {
		crm_ltable_free(&j.rows);
		return rc;
	}
	return table_run(ctx, &j);
}

/* "set NAME --opt V...": one row added or changed. */
static int
table_upsert(struct crm_ctx *ctx, const struct crm_ltable_spec *spec,
    const char *const *opts, size_t nopts)
{
	struct tablejob j;
	size_t i;

	for (i = 0; strcmp(ctx->argv[0], "-") == 0 && i < nopts; i++)
		if (crm_opt(ctx, opts[i]) != NULL)
			return crm_seterr(CRM_EUSAGE, "set -: --%s is for one "
			    "%s, not for rules read from stdin", opts[i],
			    crm_ltable_what(spec));
	if (strcmp(ctx->argv[0], "-") == 0)
		return table_from_stdin(ctx, spec);
	if (ctx->argc != 1)
		return crm_seterr(CRM_EUSAGE, "set: give one %s name",
		    crm_ltable_what(spec));
	memset(&j, 0, sizeof(j));
	j.op = T_UPSERT;
	crm_ltable_init(&j.rows, spec);
	j.vals[0] = ctx->argv[0];
	for (i = 0; i < nopts; i++)
		j.vals[i + 1] = crm_opt(ctx, opts[i]);
	return table_run(ctx, &j);
}

static int
table_op(struct crm_ctx *ctx, const struct crm_ltable_spec *spec,
    enum table_op op)
{
	struct tablejob j;

	memset(&j, 0, sizeof(j));
	j.op = op;
	crm_ltable_init(&j.rows, spec);
	return table_run(ctx, &j);
}

static int
cmd_scoring_list(struct crm_ctx *ctx)
{
	return table_list(ctx, &crm_lead_scoring);
}

static int
cmd_scoring_set(struct crm_ctx *ctx)
{
	static const char *const opts[] = { "when", "points" };

	return table_upsert(ctx, &crm_lead_scoring, opts, 2);
}

static int
cmd_scoring_delete(struct crm_ctx *ctx)
{
	return table_op(ctx, &crm_lead_scoring, T_REMOVE);
}

static int
cmd_scoring_reset(struct crm_ctx *ctx)
{
	return table_op(ctx, &crm_lead_scoring, T_RESET);
}

static int
cmd_grades_list(struct crm_ctx *ctx)
{
	return table_list(ctx, &crm_lead_grades);
}

/* GRADE=MIN... (MIN empty or left out for the lowest), or -. */
static int
cmd_grades_set(struct crm_ctx *ctx)
{
	struct tablejob j;
	int i, rc = 0;

	if (strcmp(ctx->argv[0], "-") == 0)
		return table_from_stdin(ctx, &crm_lead_grades);
	memset(&j, 0, sizeof(j));
	j.op = T_REPLACE;
	crm_ltable_init(&j.rows, &crm_lead_grades);
	for (i = 0; i < ctx->argc && rc == 0; i++) {
		char *eq = strchr(ctx->argv[i], '=');
		const char *vals[2];

		if (eq != NULL)
			*eq = '\0';
		vals[0] = ctx->argv[i];
		vals[1] = eq != NULL ? eq + 1 : NULL;
		rc = crm_ltable_append(&j.rows, vals);
		if (eq != NULL)
			*eq = '=';
	}
	if (rc != 0) {
		crm_ltable_free(&j.rows);
		return rc;
	}
	return table_run(ctx, &j);
}

static int
cmd_grades_reset(struct crm_ctx *ctx)
{
	return table_op(ctx, &crm_lead_grades, T_RESET);
}

static int
cmd_routing_list(struct crm_ctx *ctx)
{
	return table_list(ctx, &crm_lead_routing);
}

static int
cmd_routing_set(struct crm_ctx *ctx)
{
	static const char *const opts[] = { "when", "team", "cap" };

	return table_upsert(ctx, &crm_lead_routing, opts, 3);
}

static int
cmd_routing_delete(struct crm_ctx *ctx)
{
	return table_op(ctx, &crm_lead_routing, T_REMOVE);
}

/* ---- the table -------------------------------------------------------------- */

#define OUT crm_opts_output
#define SEL crm_opts_select

static const struct crm_cmd cmds[] = {
	{ "add", crm_cmd_add, G(crm_opts_db, crm_opts_input),
	  "NAME [FIELD=VALUE]... | -",
	  "add a lead (scored and graded), or many from stdin",
	  CRM_DB_WRITE, 1, -1, "lead", 0 },
	{ "show", cmd_show, G(crm_opts_db, OUT), "LEAD",
	  "a lead and its latest activities", CRM_DB_READ, 1, 1, "lead", 0 },
	{ "list", crm_cmd_list, G(crm_opts_db, SEL, OUT, crm_opts_fields), "",
	  "list leads", CRM_DB_READ, 0, 0, "lead", 0 },
	{ "set", crm_cmd_set, G(crm_opts_db, crm_opts_input),
	  "LEAD FIELD=VALUE... | -",
	  "change fields (FIELD= clears), or records read from stdin",
	  CRM_DB_WRITE, 1, -1, "lead", 0 },
	{ "delete", cmd_delete, G(crm_opts_db, crm_opts_input, force_opts),
	  "LEAD... | -", "delete leads", CRM_DB_WRITE, 1, -1, NULL, 0 },
	{ "score", cmd_score, G(crm_opts_db, crm_opts_input, where_opts,
	  score_opts, OUT), "[LEAD... | -]",
	  "recompute and store score and grade (all leads when none named)",
	  CRM_DB_WRITE, 0, -1, NULL, 0 },
	{ "assign", cmd_assign, G(crm_opts_db, crm_opts_input, where_opts,
	  assign_opts, OUT), "[LEAD... | -]",
	  "give leads owners by the routing rules (all unowned when none named)",
	  CRM_DB_WRITE, 0, -1, NULL, 0 },
	{ "qualify", cmd_qualify, G(crm_opts_db, crm_opts_input),
	  "LEAD... | -", "mark leads qualified", CRM_DB_WRITE, 1, -1, NULL, 0 },
	{ "disqualify", cmd_disqualify, G(crm_opts_db, crm_opts_input,
	  disqualify_opts), "LEAD... | -",
	  "mark leads disqualified, with a reason", CRM_DB_WRITE, 1, -1, NULL, 0 },
	{ "convert", cmd_convert, G(crm_opts_db, convert_opts, OUT), "LEAD",
	  "make a lead a customer, a contact and optionally a deal",
	  CRM_DB_WRITE, 1, 1, NULL, 0 },
	{ "dupes", cmd_dupes, G(crm_opts_db, dupes_opts, OUT), "",
	  "likely duplicates of leads, among leads and customers",
	  CRM_DB_READ, 0, 0, NULL, 0 },
	{ "history", cmd_history, G(crm_opts_db, OUT), "LEAD",
	  "the audit trail of a lead", CRM_DB_READ, 1, 1, NULL, 0 },
	{ "undo", crm_cli_undo, G(crm_opts_db, undo_opts), "CHANGE",
	  "reverse a change (an assign, a convert, a set)", CRM_DB_WRITE, 1, 1,
	  NULL, 0 },
	{ "campaign add", crm_cmd_add, G(crm_opts_db, crm_opts_input),
	  "NAME [FIELD=VALUE]... | -", "add a campaign", CRM_DB_WRITE, 1, -1,
	  "campaign", 0 },
	{ "campaign list", crm_cmd_list,
	  G(crm_opts_db, SEL, OUT, crm_opts_fields), "", "list campaigns",
	  CRM_DB_READ, 0, 0, "campaign", 0 },
	{ "campaign set", crm_cmd_set, G(crm_opts_db, crm_opts_input),
	  "CAMPAIGN FIELD=VALUE... | -", "change a campaign", CRM_DB_WRITE, 1,
	  -1, "campaign", 0 },
	{ "campaign delete", cmd_campaign_delete, G(crm_opts_db, crm_opts_input),
	  "CAMPAIGN... | -", "delete campaigns", CRM_DB_WRITE, 1, -1, NULL, 0 },
	{ "scoring list", cmd_scoring_list, G(crm_opts_db, OUT), "",
	  "the scoring rules", CRM_DB_READ, 0, 0, NULL, 0 },
	{ "scoring set", cmd_scoring_set, G(crm_opts_db, scoring_set_opts,
	  crm_opts_input), "NAME [--when EXPR] [--points N] | -",
	  "add or change a scoring rule, or replace them all from stdin",
	  CRM_DB_WRITE, 1, -1, NULL, 0 },
	{ "scoring delete", cmd_scoring_delete, G(crm_opts_db), "NAME...",
	  "delete scoring rules", CRM_DB_WRITE, 1, -1, NULL, 0 },
	{ "scoring reset", cmd_scoring_reset, G(crm_opts_db), "",
	  "back to the default scoring rules", CRM_DB_WRITE, 0, 0, NULL, 0 },
	{ "grades list", cmd_grades_list, G(crm_opts_db, OUT), "",
	  "the grades and their lowest scores", CRM_DB_READ, 0, 0, NULL, 0 },
	{ "grades set", cmd_grades_set, G(crm_opts_db, crm_opts_input),
	  "GRADE=MIN... [GRADE] | -", "replace the grades", CRM_DB_WRITE, 1, -1,
	  NULL, 0 },
	{ "grades reset", cmd_grades_reset, G(crm_opts_db), "",
	  "back to the default grades", CRM_DB_WRITE, 0, 0, NULL, 0 },
	{ "routing list", cmd_routing_list, G(crm_opts_db, OUT), "",
	  "the assignment rules and whose turn it is", CRM_DB_READ, 0, 0, NULL,
	  0 },
	{ "routing set", cmd_routing_set, G(crm_opts_db, routing_set_opts,
	  crm_opts_input), "NAME [--when EXPR] [--team USER,...] [--cap N] | -",
	  "add or change an assignment rule, or replace them all from stdin",
	  CRM_DB_WRITE, 1, -1, NULL, 0 },
	{ "routing delete", cmd_routing_delete, G(crm_opts_db), "NAME...",
	  "delete assignment rules", CRM_DB_WRITE, 1, -1, NULL, 0 },
	{ NULL, NULL, NULL, NULL, NULL, 0, 0, 0, NULL, 0 }
};

static const struct crm_tool tool = {
	"crm-lead",
	"Leads and campaigns: scoring, assignment, qualification, conversion.",
	cmds,
};

int
main(int argc, char **argv)
{
	return crm_main(&tool, argc, argv);
}
