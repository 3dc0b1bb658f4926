/*
 * crm-customer — customers, their contacts, tags, custom fields and
 * activity log; follow-up agenda; duplicates, merge and history.
 *
 * Thin: each subcommand parses its options (from the tables below) and
 * calls libcrm.  The shared record verbs (list, show, add, set, tag,
 * delete, history, undo) live in lib/cli_records.c; the customer rules
 * (duplicates, merge, agenda) in lib/customer.c.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli_records.h"
#include "customer.h"
#include "invoice.h"

#define E_CUSTOMER (crm_entity_find("customer"))
#define E_CONTACT (crm_entity_find("contact"))
#define E_ACTIVITY (crm_entity_find("activity"))

static const struct crm_option force_opts[] = {
	{ "force", 0, CRM_ARG_NONE, NULL,
	  "also delete the record's contacts and activities", 0, NULL, NULL },
	CRM_OPT_END
};

static const struct crm_option undo_opts[] = {
	{ "force", 0, CRM_ARG_NONE, NULL,
	  "undo even where records changed since", 0, NULL, NULL },
	CRM_OPT_END
};

static const char *const activity_kinds[] = { "call", "email", "visit",
	"meeting", "note", NULL };

static const struct crm_option log_opts[] = {
	{ "kind", 'k', CRM_ARG_REQ, "KIND", "what happened", 0,
	  activity_kinds, NULL },
	{ "summary", 'm', CRM_ARG_REQ, "TEXT", "what was said or done", 0,
	  NULL, NULL },
	{ "follow-up", 0, CRM_ARG_REQ, "DATE",
	  "date to follow up (YYYY-MM-DD, +3d, +1w)", 0, NULL, NULL },
	{ "at", 0, CRM_ARG_REQ, "TIME", "when it happened (default now)", 0,
	  NULL, NULL },
	{ "by", 0, CRM_ARG_REQ, "USER", "who did it (default $CRM_USER)", 0,
	  NULL, NULL },
	CRM_OPT_END
};

static const struct crm_option agenda_opts[] = {
	{ "owner", 0, CRM_ARG_REQ, "USER", "only follow-ups of USER's customers",
	  0, NULL, NULL },
	{ "mine", 0, CRM_ARG_NONE, NULL, "only mine ($CRM_USER)", 0, NULL,
	  NULL },
	{ "days", 'd', CRM_ARG_REQ, "N",
	  "due within N days from today (default 0: due or overdue)", 0, NULL,
	  NULL },
	CRM_OPT_END
};

static const char *const dupe_kinds[] = { "email", "phone", "name", NULL };
#define ALL_DUPES (CRM_DUPE_EMAIL | CRM_DUPE_PHONE | CRM_DUPE_NAME)

static const struct crm_option dupes_opts[] = {
	{ "by", 0, CRM_ARG_REQ, "CRITERIA",
	  "match on email, phone, name (comma-separated; default all)",
	  CRM_OPT_MULTI, dupe_kinds, NULL },
	CRM_OPT_END
};

#define G(...) ((const struct crm_option *const[]){ __VA_ARGS__, NULL })

/* ---- handlers ----------------------------------------------------------- */

static const char *const balance_names[] = { "currency", "outstanding",
	"overdue" };
static const enum crm_kind balance_kinds[] = { CRM_K_STR, CRM_K_MONEY,
	CRM_K_MONEY };

static int
balance_row(const char *cur, int64_t outstanding, int64_t overdue,
    int exponent, void *arg)
{
	struct crm_grid *g = arg;
	struct crm_buf b = CRM_BUF_INIT;
	int rc;

	rc = crm_grid_add(g, cur, strlen(cur));
	if (rc == 0)
		rc = crm_money_format(&b, outstanding, exponent);
	if (rc == 0)
		rc = crm_grid_add(g, b.p, b.len);
	crm_buf_reset(&b);
	if (rc == 0)
		rc = crm_money_format(&b, overdue, exponent);
	if (rc == 0)
		rc = crm_grid_add(g, b.p, b.len);
	crm_buf_free(&b);
	return rc;
}

/* What the customer owes, per currency. */
static int
balance(struct crm_txn *tx, const struct crm_rec *cust, struct crm_grid *g)
{
	g->names = balance_names;
	g->kinds = balance_kinds;
	g->ncols = 3;
	return crm_customer_balance(tx, cust->id, balance_row, g);
}

static const struct crm_section customer_sections[] = {
	{ "contact", "contacts", "id", 0, 0, NULL, NULL },
	{ "activity", "activities", "at", 1, 10, NULL, NULL },
	{ "lead", "leads", "id", 0, 0, NULL, NULL },
	{ "deal", "deals", "id", 1, 0, NULL, NULL },
	{ "invoice", "invoices", "due_on", 1, 0, NULL, NULL },
	{ "ticket", "open tickets", "id", 1, 0, NULL,
	  "status=new|open|pending" },
	{ NULL, "balance", NULL, 0, 0, balance, NULL },
};

static int
cmd_show(struct crm_ctx *ctx)
{
	return crm_cli_show(ctx, E_CUSTOMER, customer_sections,
	    sizeof(customer_sections) / sizeof(customer_sections[0]));
}

static int
cmd_tag(struct crm_ctx *ctx)
{
	return crm_cli_tag(ctx, E_CUSTOMER);
}

static int
cmd_delete(struct crm_ctx *ctx)
{
	static const char *const cascade[] = { "contact", "activity" };

	return crm_cli_delete(ctx, E_CUSTOMER, cascade, 2);
}

static int
cmd_history(struct crm_ctx *ctx)
{
	return crm_cli_history(ctx, E_CUSTOMER);
}

/* A preset "customer=ID" naming the customer argument, resolved first so
 * a bad reference is reported as such. */
static int
customer_preset(struct crm_ctx *ctx, const char *ref, char *buf, size_t len)
{
	struct crm_txn tx;
	uint64_t id;
	int rc;

	rc = crm_read_begin(ctx->db, &tx);
	if (rc != 0)
		return rc;
	rc = crm_cli_ref(&tx, E_CUSTOMER, ref, &id);
	crm_txn_end(&tx);
	if (rc == 0)
		snprintf(buf, len, "customer=%llu", (unsigned long long)id);
	return rc;
}

static int
cmd_contact_add(struct crm_ctx *ctx)
{
	char preset[64];
	const char *p[1] = { preset };
	int rc;

	if (strcmp(ctx->argv[0], "-") == 0)
		return crm_cli_add(ctx, E_CONTACT, ctx->argv, 1, NULL, 0);
	rc = customer_preset(ctx, ctx->argv[0], preset, sizeof(preset));
	if (rc != 0)
		return rc;
	return crm_cli_add(ctx, E_CONTACT, ctx->argv + 1, ctx->argc - 1, p, 1);
}

static int
cmd_contact_list(struct crm_ctx *ctx)
{
	return crm_cli_list_of(ctx, E_CONTACT, "customer");
}

static int
cmd_contact_delete(struct crm_ctx *ctx)
{
	return crm_cli_delete(ctx, E_CONTACT, NULL, 0);
}

static int
cmd_log(struct crm_ctx *ctx)
{
	char preset[64], *args[6];
	const char *p[1] = { preset };
	const char *v;
	int n = 0, rc, i;

	v = crm_opt(ctx, "kind");
	if (v == NULL)
		return crm_seterr(CRM_EUSAGE,
		    "log: --kind is required (call, email, visit, meeting, note)");
	rc = customer_preset(ctx, ctx->argv[0], preset, sizeof(preset));
	if (rc != 0)
		return rc;
	/* The options become FIELD=VALUE pairs for the generic add. */
	if (asprintf(&args[n++], "kind=%s", v) < 0)
		return ENOMEM;
	v = crm_opt(ctx, "summary");
	if (v != NULL && asprintf(&args[n++], "summary=%s", v) < 0)
		n--;
	v = crm_opt(ctx, "follow-up");
	if (v != NULL && asprintf(&args[n++], "follow_up=%s", v) < 0)
		n--;
	v = crm_opt(ctx, "at");
	if (asprintf(&args[n++], "at=%s", v ? v : "now") < 0)
		n--;
	v = crm_opt(ctx, "by");
	if (asprintf(&args[n++], "by=%s", v ? v : crm_ctx_user(ctx)) < 0)
		n--;
	rc = crm_cli_add(ctx, E_ACTIVITY, args, n, p, 1);
	for (i = 0; i < n; i++)
		free(args[i]);
	return rc;
}

static int
cmd_activities(struct crm_ctx *ctx)
{
	return crm_cli_list_of(ctx, E_ACTIVITY, "customer");
}

static int
mark_done(struct crm_rec *nw, void *arg)
{
	(void)arg;
	crm_rec_setint(nw, crm_field_find(nw->ent, "done", 4), 1);
	return 0;
}

static int
done_one(struct crm_txn *tx, uint64_t id, void *arg)
{
	return crm_edit(tx, E_ACTIVITY, id, mark_done, arg);
}

static int
cmd_done(struct crm_ctx *ctx)
{
	struct crm_each ea = { E_ACTIVITY, ctx->argc, done_one, NULL, 0, 0,
		NULL, 0 };
	int rc;

	if (ctx->argc == 1 && strcmp(ctx->argv[0], "-") == 0)
		return crm_seterr(CRM_EUSAGE, "done: give activity ids");
	rc = crm_cli_each(ctx, &ea);
	if (rc == 0)
		crm_warn("marked %zu follow-up%s done", ea.changed,
		    ea.changed == 1 ? "" : "s");
	return rc;
}

/* Agenda rows: the follow-up, its customer and how late it is. */
struct agendaarg {
	struct crm_out *out;
	struct crm_row_out row;
	int64_t today;
};

static int
agenda_row(const struct crm_rec *a, const struct crm_rec *c, void *arg)
{
	struct agendaarg *g = arg;
	struct crm_row_out *row = &g->row;
	int rc;

	rc = crm_row_field(row, a, "id");
	if (rc == 0)
		rc = crm_row_field(row, a, "follow_up");
	if (rc == 0)
		rc = crm_row_int(row, g->today -
		    a->v[crm_field_find(a->ent, "follow_up", 9)].i);
	if (rc == 0)
		rc = crm_row_field(row, a, "customer");
	if (rc == 0)
		rc = crm_row_field(row, c, "name");
	if (rc == 0)
		rc = crm_row_field(row, c, "owner");
	if (rc == 0)
		rc = crm_row_field(row, a, "by");
	if (rc == 0)
		rc = crm_row_field(row, a, "kind");
	if (rc == 0)
		rc = crm_row_field(row, a, "summary");
	if (rc == 0)
		rc = crm_row_emit(row, g->out);
	return rc;
}

static int
cmd_agenda(struct crm_ctx *ctx)
{
	static const char *const names[] = { "id", "follow_up", "days_overdue",
		"customer", "name", "owner", "by", "kind", "summary" };
	static const enum crm_kind kinds[] = { CRM_K_NUM, CRM_K_STR, CRM_K_NUM,
		CRM_K_NUM, CRM_K_STR, CRM_K_STR, CRM_K_STR, CRM_K_STR, CRM_K_STR };
	struct agendaarg g;
	struct crm_txn tx;
	const char *owner = crm_opt(ctx, "owner");
	int64_t days;
	int rc;

	if (crm_opt(ctx, "mine") != NULL)
		owner = crm_ctx_user(ctx);
	memset(&g, 0, sizeof(g));
	rc = crm_opt_int(ctx, "days", 0, &days);
	if (rc != 0)
		return rc;
	rc = crm_read_begin(ctx->db, &tx);
	if (rc != 0)
		return rc;
	g.today = tx.now >= 0 ? tx.now / 86400 : -((-tx.now + 86399) / 86400);
	rc = crm_ctx_out(ctx, &g.out);
	if (rc == 0)
		rc = crm_out_columns(g.out, names, kinds, 9);
	if (rc == 0)
		rc = crm_agenda(&tx, owner, days, agenda_row, &g);
	if (rc == 0)
		rc = crm_out_end(g.out);
	crm_out_free(g.out);
	crm_row_free(&g.row);
	crm_txn_end(&tx);
	return rc;
}

struct dupesarg {
	struct crm_out *out;
	struct crm_txn *tx;
	struct crm_rec *r;
	struct crm_row_out row;
};

static int
dupes_row(uint64_t group, uint64_t id, unsigned why, void *arg)
{
	struct dupesarg *d = arg;
	struct crm_buf b = CRM_BUF_INIT;
	int rc;

	rc = crm_fetch(d->tx, d->r, id);
	if (rc == 0)
		rc = crm_row_int(&d->row, (int64_t)group);
	if (rc == 0)
		rc = crm_row_int(&d->row, (int64_t)id);
	if (rc == 0)
		rc = crm_row_field(&d->row, d->r, "name");
	if (rc == 0)
		rc = crm_row_field(&d->row, d->r, "email");
	if (rc == 0)
		rc = crm_row_field(&d->row, d->r, "phone");
	if (rc == 0)
		rc = crm_dupes_why(&b, why);
	if (rc == 0)
		rc = crm_row_text(&d->row, b.p, b.len);
	if (rc == 0)
		rc = crm_row_emit(&d->row, d->out);
	crm_buf_free(&b);
	return rc;
}

static int
cmd_dupes(struct crm_ctx *ctx)
{
	static const char *const names[] = { "group", "id", "name", "email",
		"phone", "match" };
	static const enum crm_kind kinds[] = { CRM_K_NUM, CRM_K_NUM, CRM_K_STR,
		CRM_K_STR, CRM_K_STR, CRM_K_TAGS };
	struct dupesarg d;
	struct crm_txn tx;
	char *const *by;
	size_t nby, i;
	unsigned mask = 0;
	int rc;

	memset(&d, 0, sizeof(d));
	by = crm_optv(ctx, "by", &nby);
	for (i = 0; i < nby; i++) {
		rc = crm_dupes_parse(by[i], ALL_DUPES, &mask);
		if (rc != 0)
			return rc;
	}
	if (mask == 0)
		mask = ALL_DUPES;
	rc = crm_read_begin(ctx->db, &tx);
	if (rc != 0)
		return rc;
	d.tx = &tx;
	d.r = crm_rec_new(E_CUSTOMER);
	if (d.r == NULL)
		rc = ENOMEM;
	if (rc == 0)
		rc = crm_ctx_out(ctx, &d.out);
	if (rc == 0)
		rc = crm_out_columns(d.out, names, kinds, 6);
	if (rc == 0)
		rc = crm_dupes(&tx, mask, dupes_row, &d);
	if (rc == 0)
		rc = crm_out_end(d.out);
	crm_out_free(d.out);
	crm_row_free(&d.row);
	crm_rec_free(d.r);
	crm_txn_end(&tx);
	return rc;
}

struct mergejob {
	struct crm_ctx *ctx;
	uint64_t keep, *dups;
	size_t ndups;
	uint64_t change;
};

static int
merge_fn(struct crm_txn *tx, void *arg)
{
	struct mergejob *m = arg;
	int rc, i;

	rc = crm_cli_ref(tx, E_CUSTOMER, m->ctx->argv[0], &m->keep);
	for (i = 1; i < m->ctx->argc && rc == 0; i++)
		rc = crm_cli_ref(tx, E_CUSTOMER, m->ctx->argv[i], &m->dups[i - 1]);
	m->ndups = (size_t)m->ctx->argc - 1;
	if (rc == 0)
		rc = crm_merge(tx, m->keep, m->dups, m->ndups);
	if (rc == 0)
		rc = crm_audit_change(tx, &m->change);
	return rc;
}

static int
cmd_merge(struct crm_ctx *ctx)
{
	struct mergejob m;
	int rc;

	memset(&m, 0, sizeof(m));
	m.ctx = ctx;
	m.dups = calloc((size_t)ctx->argc, sizeof(*m.dups));
	if (m.dups == NULL)
		return ENOMEM;
	rc = crm_write(ctx->db, merge_fn, &m);
	if (rc == 0)
		crm_warn("merged %zu customer%s into %llu as change %llu "
		    "(undo: %s undo %llu)", m.ndups, m.ndups == 1 ? "" : "s",
		    (unsigned long long)m.keep, (unsigned long long)m.change,
		    crm_progname(), (unsigned long long)m.change);
	free(m.dups);
	return rc;
}

/* ---- the table ------------------------------------------------------------ */

static const struct crm_cmd cmds[] = {
	{ "add", crm_cmd_add, G(crm_opts_db, crm_opts_input), "NAME [FIELD=VALUE]... | -",
	  "add a customer, or many from CSV/TSV/JSON/NDJSON on stdin",
	  CRM_DB_WRITE, 1, -1, "customer", 0 },
	{ "show", cmd_show, G(crm_opts_db, crm_opts_output), "CUSTOMER",
	  "the single customer view: record, contacts, activities, deals, "
	  "invoices, tickets", CRM_DB_READ, 1, 1, "customer", 0 },
	{ "list", crm_cmd_list, G(crm_opts_db, crm_opts_select, crm_opts_output, crm_opts_fields), "",
	  "list customers", CRM_DB_READ, 0, 0, "customer", 0 },
	{ "set", crm_cmd_set, G(crm_opts_db, crm_opts_input),
	  "CUSTOMER FIELD=VALUE... | -",
	  "change fields (FIELD= clears), or records read from stdin",
	  CRM_DB_WRITE, 1, -1, "customer", 0 },
	{ "tag", cmd_tag, G(crm_opts_db, crm_opts_input),
	  "CUSTOMER... | - +TAG|-TAG...", "add or remove tags",
	  CRM_DB_WRITE, 2, -1, NULL, CRM_CMD_DASHWORDS },
	{ "delete", cmd_delete, G(crm_opts_db, crm_opts_input, force_opts),
	  "CUSTOMER... | -", "delete customers", CRM_DB_WRITE, 1, -1, NULL, 0 },
	{ "contact add", cmd_contact_add, G(crm_opts_db, crm_opts_input),
	  "CUSTOMER NAME [FIELD=VALUE]... | -", "add a contact person",
	  CRM_DB_WRITE, 1, -1, "contact", 0 },
	{ "contact list", cmd_contact_list,
	  G(crm_opts_db, crm_opts_select, crm_opts_output, crm_opts_fields), "[CUSTOMER]",
	  "list contacts, of one customer or all", CRM_DB_READ, 0, 1, "contact", 0 },
	{ "contact set", crm_cmd_set, G(crm_opts_db, crm_opts_input),
	  "CONTACT FIELD=VALUE... | -", "change a contact", CRM_DB_WRITE, 1, -1, "contact", 0 },
	{ "contact delete", cmd_contact_delete, G(crm_opts_db, crm_opts_input),
	  "CONTACT... | -", "delete contacts", CRM_DB_WRITE, 1, -1, NULL, 0 },
	{ "log", cmd_log, G(crm_opts_db, log_opts), "CUSTOMER",
	  "log a call, e-mail, visit, meeting or note, with a follow-up date",
	  CRM_DB_WRITE, 1, 1, NULL, 0 },
	{ "activities", cmd_activities,
	  G(crm_opts_db, crm_opts_select, crm_opts_output, crm_opts_fields), "[CUSTOMER]",
	  "list logged activities", CRM_DB_READ, 0, 1, "activity", 0 },
	{ "done", cmd_done, G(crm_opts_db), "ACTIVITY...",
	  "mark follow-ups done", CRM_DB_WRITE, 1, -1, NULL, 0 },
	{ "agenda", cmd_agenda, G(crm_opts_db, agenda_opts, crm_opts_output), "",
	  "follow-ups due (for cron)", CRM_DB_READ, 0, 0, NULL, 0 },
	{ "dupes", cmd_dupes, G(crm_opts_db, dupes_opts, crm_opts_output), "",
	  "likely duplicate customers", CRM_DB_READ, 0, 0, NULL, 0 },
	{ "merge", cmd_merge, G(crm_opts_db), "KEEP DUPLICATE...",
	  "merge duplicates into one customer (undoable)", CRM_DB_WRITE, 2, -1, NULL, 0 },
	{ "history", cmd_history, G(crm_opts_db, crm_opts_output), "CUSTOMER",
	  "the audit trail of a customer", CRM_DB_READ, 1, 1, NULL, 0 },
	{ "undo", crm_cli_undo, G(crm_opts_db, undo_opts), "CHANGE",
	  "reverse a change (a merge, an add -, a set)", CRM_DB_WRITE, 1, 1, NULL, 0 },
	{ NULL, NULL, NULL, NULL, NULL, 0, 0, 0, NULL, 0 }
};

static const struct crm_tool tool = {
	"crm-customer",
	"Customers, contacts, activities and follow-ups.",
	cmds,
};

int
main(int argc, char **argv)
{
	return crm_main(&tool, argc, argv);
}
