/*
 * crm-ticket — the service desk: tickets with priorities, categories,
 * assignees and a status flow (new, open, pending, resolved, closed,
 * reopen); replies and internal comments; SLA deadlines per priority,
 * breaches, escalations and satisfaction ratings; assignment rules and
 * the work queue; a small knowledge base with suggestions.
 *
 * Thin: the record verbs (list, show, set, delete, history, the kb
 * ones) are lib/cli_records.c's; the rules (deadlines, the flow, first
 * response, escalation, assignment) live in lib/ticket.c, where every
 * tool that writes a ticket meets them; the knowledge base's search in
 * lib/kb.c.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cJSON.h>

#include "cli_records.h"

#define E_TICKET (crm_entity_find("ticket"))
#define E_ACTIVITY (crm_entity_find("activity"))
#define E_ARTICLE (crm_entity_find("article"))

/* How many earlier tickets of the customer `show` lists. */
#define EARLIER 10

static const char *const priorities[] = { "low", "normal", "high", "urgent",
	NULL };
static const char *const reply_statuses[] = { "open", "pending", "resolved",
	NULL };
static const char *const yesno[] = { "yes", "no", NULL };

static const struct crm_option open_opts[] = {
	{ "customer", 'c', CRM_ARG_REQ, "CUSTOMER",
	  "the customer (id, ext:ID, e-mail)", 0, NULL, NULL },
	{ "subject", 's', CRM_ARG_REQ, "TEXT", "what it is about", 0, NULL,
	  NULL },
	{ "priority", 'p', CRM_ARG_REQ, "PRIORITY", "priority (default normal)",
	  0, priorities, NULL },
	{ "category", 0, CRM_ARG_REQ, "CATEGORY",
	  "category, such as billing or logistics", 0, NULL, NULL },
	{ "channel", 0, CRM_ARG_REQ, "CHANNEL",
	  "how it came in, such as email or phone", 0, NULL, NULL },
	{ "assignee", 'a', CRM_ARG_REQ, "USER",
	  "who works on it (default: the assignment rules)", 0, NULL, NULL },
	CRM_OPT_END
};

static const struct crm_option force_opts[] = {
	{ "force", 0, CRM_ARG_NONE, NULL, "also delete the tickets' replies "
	  "and comments", 0, NULL, NULL },
	CRM_OPT_END
};

static const struct crm_option reply_opts[] = {
	{ "message", 'm', CRM_ARG_REQ, "TEXT", "what was written (required)",
	  0, NULL, NULL },
	{ "status", 0, CRM_ARG_REQ, "STATUS", "then move the ticket to STATUS",
	  0, reply_statuses, NULL },
	CRM_OPT_END
};

static const struct crm_option comment_opts[] = {
	{ "message", 'm', CRM_ARG_REQ, "TEXT", "the note (required)", 0, NULL,
	  NULL },
	CRM_OPT_END
};

static const struct crm_option close_opts[] = {
	{ "csat", 0, CRM_ARG_REQ, "N", "the customer's satisfaction, 1 to 5 "
	  "(once per ticket)", 0, NULL, NULL },
	{ "comment", 0, CRM_ARG_REQ, "TEXT", "the customer's comment on it", 0,
	  NULL, NULL },
	CRM_OPT_END
};

static const struct crm_option queue_opts[] = {
	{ "assignee", 'a', CRM_ARG_REQ, "USER", "only USER's tickets", 0, NULL,
	  NULL },
	{ "mine", 0, CRM_ARG_NONE, NULL, "only mine ($CRM_USER)", 0, NULL,
	  NULL },
	CRM_OPT_END
};

static const struct crm_option breach_opts[] = {
	{ "soon", 0, CRM_ARG_REQ, "DURATION",
	  "also tickets due within DURATION (30m, 1h, 1d)", 0, NULL, NULL },
	CRM_OPT_END
};

static const struct crm_option sla_opts[] = {
	{ "first-response", 0, CRM_ARG_REQ, "DURATION",
	  "time to the first response (30m, 8h, 1d)", 0, NULL, NULL },
	{ "resolution", 0, CRM_ARG_REQ, "DURATION", "time to the resolution",
	  0, NULL, NULL },
	{ "pause-pending", 0, CRM_ARG_REQ, "YES|NO",
	  "time in pending pushes the resolution deadline back", 0, yesno,
	  NULL },
	{ "low-csat", 0, CRM_ARG_REQ, "N",
	  "a rating at or below N escalates (0: none)", 0, NULL, NULL },
	{ "reset", 0, CRM_ARG_NONE, NULL, "back to the defaults first", 0,
	  NULL, NULL },
	CRM_OPT_END
};

static const struct crm_option kb_add_opts[] = {
	{ "body-file", 0, CRM_ARG_REQ, "FILE", "the article's text, from FILE",
	  0, NULL, "file" },
	CRM_OPT_END
};

static const struct crm_option limit_opts[] = {
	{ "limit", 'n', CRM_ARG_REQ, "N", "print at most N articles", 0, NULL,
	  NULL },
	CRM_OPT_END
};

#define G(...) ((const struct crm_option *const[]){ __VA_ARGS__, NULL })

/* ---- record verbs --------------------------------------------------------- */

static int
cmd_open(struct crm_ctx *ctx)
{
	static const char *const opt2field[][2] = {
		{ "customer", "customer" }, { "subject", "subject" },
		{ "priority", "priority" }, { "category", "category" },
		{ "channel", "channel" }, { "assignee", "assignee" },
	};
	char **args;
	size_t i, n = 0, nf = 0;
	int rc, k;

	if (ctx->argc == 1 && strcmp(ctx->argv[0], "-") == 0) {
		for (i = 0; i < sizeof(opt2field) / sizeof(opt2field[0]); i++)
			if (crm_opt(ctx, opt2field[i][0]) != NULL)
				return crm_seterr(CRM_EUSAGE, "open -: fields "
				    "come from the input rows, not --%s",
				    opt2field[i][0]);
		return crm_cli_add(ctx, E_TICKET, ctx->argv, 1, NULL, 0);
	}
	args = calloc((size_t)ctx->argc + 7, sizeof(*args));
	if (args == NULL)
		return ENOMEM;
	/* The arguments first (a first one without '=' is the subject),
	 * then the options as FIELD=VALUE. */
	for (k = 0; k < ctx->argc; k++)
		args[n++] = ctx->argv[k];
	rc = 0;
	for (i = 0; i < sizeof(opt2field) / sizeof(opt2field[0]) && rc == 0; i++) {
		const char *v = crm_opt(ctx, opt2field[i][0]);

		if (v != NULL && asprintf(&args[n + nf++], "%s=%s",
		    opt2field[i][1], v) < 0) {
			nf--;
			rc = ENOMEM;
		}
	}
	if (rc == 0 && n + nf == 0)
		rc = crm_seterr(CRM_EUSAGE, "open: give --subject (and "
		    "--customer), FIELD=VALUE, or - for stdin");
	if (rc == 0)
		rc = crm_cli_add(ctx, E_TICKET, args, (int)(n + nf), NULL, 0);
	for (i = 0; i < nf; i++)
		free(args[n + i]);
	free(args);
	return rc;
}

static int
cmd_delete(struct crm_ctx *ctx)
{
	static const char *const cascade[] = { "activity" };

	return crm_cli_delete(ctx, E_TICKET, cascade, 1);
}

static int
cmd_history(struct crm_ctx *ctx)
{
	return crm_cli_history(ctx, E_TICKET);
}

/* ---- show ----------------------------------------------------------------- */

static const struct crm_section ticket_sections[] = {
	{ "activity", "activities", "at", 0, 0, NULL, NULL },
};

static const struct crm_sort *by_at;

static int
cmp_at(const void *a, const void *b)
{
	return crm_sort_cmp(by_at, *(struct crm_rec *const *)a,
	    *(struct crm_rec *const *)b);
}

/* Records as JSON objects of every field and the custom fields in use. */
static cJSON *
json_recs(struct crm_ctx *ctx, struct crm_txn *tx, const struct crm_entity *e,
    struct crm_rec *const *recs, size_t n)
{
	struct crm_colspec *cols = NULL;
	const char **names = NULL;
	enum crm_kind *kinds = NULL;
	struct crm_buf store = CRM_BUF_INIT;
	cJSON *arr = NULL, *o;
	size_t ncols, i;

	if (crm_ctx_columns(ctx, tx, e, &cols, &names, &kinds, &ncols,
	    &store) == 0)
		arr = cJSON_CreateArray();
	for (i = 0; i < n && arr != NULL; i++) {
		o = crm_rec_json(cols, ncols, recs[i]);
		if (o == NULL || !cJSON_AddItemToArray(arr, o)) {
			cJSON_Delete(o);
			cJSON_Delete(arr);
			arr = NULL;
		}
	}
	free(cols);
	free(names);
	free(kinds);
	crm_buf_free(&store);
	return arr;
}

/* The earlier tickets of the customer, as a table after the record. */
static int
print_earlier(struct crm_ctx *ctx, const struct crm_rec *t,
    const struct crm_reclist *earlier, size_t more)
{
	static const char *const names[] = { "id", "created_at", "subject",
		"category", "priority", "status", "csat" };
	const struct crm_entity *e = E_TICKET;
	struct crm_colspec cols[7];
	enum crm_kind kinds[7];
	struct crm_out *out = NULL;
	size_t i;
	int rc;

	if (earlier->n == 0)
		return 0;
	for (i = 0; i < 7; i++) {
		cols[i].field = crm_field_find(e, names[i], strlen(names[i]));
		cols[i].custom = NULL;
		kinds[i] = crm_field_kind(&e->fields[cols[i].field]);
	}
	printf("\nearlier tickets of customer %lld:\n",
	    (long long)t->v[crm_field_find(e, "customer", 8)].i);
	rc = crm_ctx_out(ctx, &out);
	if (rc == 0)
		rc = crm_out_columns(out, names, kinds, 7);
	for (i = 0; i < earlier->n && rc == 0; i++)
		rc = crm_out_record(out, cols, 7, earlier->r[i]);
	if (rc == 0)
		rc = crm_out_end(out);
	crm_out_free(out);
	if (rc == 0 && more > 0)
		printf("(and %zu more: %s list --where customer=%lld)\n", more,
		    crm_progname(),
		    (long long)t->v[crm_field_find(e, "customer", 8)].i);
	return rc;
}

/* The ticket with its replies and comments as one JSON object, and its
 * customer's earlier tickets. */
static int
print_json(struct crm_ctx *ctx, struct crm_txn *tx, struct crm_rec *t,
    const struct crm_reclist *earlier)
{
	const struct crm_entity *e = E_TICKET;
	struct crm_reclist acts = { NULL, 0, 0 };
	struct crm_sort s;
	cJSON *obj = NULL, *a = NULL, *b = NULL;
	char *text = NULL;
	int rc;

	rc = crm_refs_each(tx, e, t->id, E_ACTIVITY, crm_reclist_add, &acts);
	if (rc == 0)
		rc = crm_sort_parse(&s, E_ACTIVITY, "at");
	if (rc == 0 && acts.n > 1) {
		by_at = &s;
		qsort(acts.r, acts.n, sizeof(*acts.r), cmp_at);
	}
	if (rc == 0) {
		cJSON *one = json_recs(ctx, tx, e, &t, 1);

		obj = one != NULL ? cJSON_DetachItemFromArray(one, 0) : NULL;
		cJSON_Delete(one);
		a = json_recs(ctx, tx, E_ACTIVITY, acts.r, acts.n);
		b = json_recs(ctx, tx, e, earlier->r, earlier->n);
		if (obj == NULL || a == NULL || b == NULL ||
		    !cJSON_AddItemToObject(obj, "activities", a)) {
			cJSON_Delete(a);
			cJSON_Delete(b);
			rc = ENOMEM;
		} else if (!cJSON_AddItemToObject(obj, "earlier_tickets", b)) {
			cJSON_Delete(b);
			rc = ENOMEM;
		}
	}
	if (rc == 0)
		text = cJSON_PrintUnformatted(obj);
	if (rc == 0 && text == NULL)
		rc = ENOMEM;
	if (rc == 0)
		printf("%s\n", text);
	cJSON_free(text);
	cJSON_Delete(obj);
	crm_reclist_free(&acts);
	return rc;
}

static int
cmd_show(struct crm_ctx *ctx)
{
	struct crm_reclist earlier = { NULL, 0, 0 };
	const char *f = crm_opt(ctx, "format");
	enum crm_fmt fmt = crm_ctx_format(ctx);
	struct crm_rec *t = NULL;
	struct crm_txn tx;
	uint64_t id;
	size_t more = 0;
	int rc;

	if (f != NULL && (rc = crm_fmt_parse(f, &fmt)) != 0)
		return rc;
	/* CSV, TSV, NDJSON, ids: the ticket alone, as list prints it. */
	if (fmt == CRM_FMT_TABLE) {
		rc = crm_cli_show(ctx, E_TICKET, ticket_sections, 1);
		if (rc != 0)
			return rc;
	} else if (fmt != CRM_FMT_JSON)
		return crm_cli_show(ctx, E_TICKET, ticket_sections, 1);
	rc = crm_read_begin(ctx->db, &tx);
	if (rc != 0)
		return rc;
	t = crm_rec_new(E_TICKET);
	if (t == NULL)
		rc = ENOMEM;
	if (rc == 0)
		rc = crm_cli_ref(&tx, E_TICKET, ctx->argv[0], &id);
	if (rc == 0)
		rc = crm_fetch(&tx, t, id);
	if (rc == 0)
		rc = crm_ticket_earlier(&tx, t, EARLIER, &earlier, &more);
	if (rc == 0)
		rc = fmt == CRM_FMT_JSON ? print_json(ctx, &tx, t, &earlier) :
		    print_earlier(ctx, t, &earlier, more);
	crm_reclist_free(&earlier);
	crm_rec_free(t);
	crm_txn_end(&tx);
	return rc;
}

/* ---- steps ------------------------------------------------------------------ */

static void
say_step(uint64_t id, const struct crm_ticket_step *st)
{
	if (st->from != st->to)
		crm_warn("ticket %llu: %s (was %s)", (unsigned long long)id,
		    crm_status_name(st->to), crm_status_name(st->from));
	if (st->escalated)
		crm_warn("ticket %llu: escalated: %s", (unsigned long long)id,
		    st->why);
}

/* A step on each ticket named, all in one transaction. */
struct stepjob {
	struct crm_ctx *ctx;
	int to;			/* status to move to */
	int csat;		/* close */
	uint64_t *ids;
	struct crm_ticket_step *st;
	size_t n;
};

static int
step_fn(struct crm_txn *tx, void *arg)
{
	struct stepjob *j = arg;
	const char *cmd = j->ctx->cmd->name, *msg = crm_opt(j->ctx, "message");
	size_t i;
	int rc = 0, k;

	for (k = 0; k < j->ctx->argc && rc == 0; k++)
		rc = crm_cli_ref(tx, E_TICKET, j->ctx->argv[k], &j->ids[k]);
	j->n = (size_t)j->ctx->argc;
	for (i = 0; i < j->n && rc == 0; i++) {
		if (strcmp(cmd, "reply") == 0 || strcmp(cmd, "comment") == 0)
			rc = crm_ticket_note(tx, j->ids[i], cmd[0] == 'r', msg,
			    j->to, &j->st[i]);
		else if (strcmp(cmd, "close") == 0)
			rc = crm_ticket_close(tx, j->ids[i], j->csat,
			    crm_opt(j->ctx, "comment"), &j->st[i]);
		else
			rc = crm_ticket_move(tx, j->ids[i], j->to, &j->st[i]);
	}
	return rc;
}

static int
run_steps(struct crm_ctx *ctx, int to, int csat)
{
	struct stepjob j = { ctx, to, csat, NULL, NULL, 0 };
	size_t i;
	int rc;

	j.ids = calloc((size_t)ctx->argc, sizeof(*j.ids));
	j.st = calloc((size_t)ctx->argc, sizeof(*j.st));
	rc = j.ids == NULL || j.st == NULL ? ENOMEM : crm_write(ctx->db, step_fn,
	    &j);
	for (i = 0; i < j.n && rc == 0; i++) {
		if (j.st[i].activity != 0)
			printf("%llu\n", (unsigned long long)j.st[i].activity);
		say_step(j.ids[i], &j.st[i]);
		if (csat > 0)
			crm_warn("ticket %llu: rated %d",
			    (unsigned long long)j.ids[i], csat);
	}
	free(j.ids);
	free(j.st);
	return rc;
}

static int
cmd_reply(struct crm_ctx *ctx)
{
	const char *to = crm_opt(ctx, "status");

	if (crm_opt(ctx, "message") == NULL)
		return crm_seterr(CRM_EUSAGE, "%s: --message is required",
		    ctx->cmd->name);
	return run_steps(ctx, to ? crm_status_index(to, strlen(to)) : -1, 0);
}

static int
cmd_pending(struct crm_ctx *ctx)
{
	return run_steps(ctx, CRM_TS_PENDING, 0);
}

static int
cmd_resolve(struct crm_ctx *ctx)
{
	return run_steps(ctx, CRM_TS_RESOLVED, 0);
}

static int
cmd_reopen(struct crm_ctx *ctx)
{
	return run_steps(ctx, CRM_TS_OPEN, 0);
}

static int
cmd_close(struct crm_ctx *ctx)
{
	const char *v = crm_opt(ctx, "csat");
	int64_t csat = 0;

	if (v != NULL && crm_parse_i64(v, strlen(v), 1, 5, &csat) != 0)
		return crm_seterr(CRM_EUSAGE, "--csat \"%s\": not a rating from "
		    "1 to 5", v);
	return run_steps(ctx, CRM_TS_CLOSED, (int)csat);
}

static int
assign_one(struct crm_txn *tx, uint64_t id, void *arg)
{
	return crm_ticket_assign(tx, id, arg);
}

static int
cmd_assign(struct crm_ctx *ctx)
{
	const char *user = ctx->argv[ctx->argc - 1];
	struct crm_each ea = { E_TICKET, ctx->argc - 1, assign_one,
		(void *)user, 0, 0, NULL, 0 };
	int rc;

	rc = crm_cli_each(ctx, &ea);
	if (rc == 0 && user[0] != '\0')
		crm_warn("assigned %zu of %zu ticket%s to %s", ea.changed, ea.n,
		    ea.n == 1 ? "" : "s", user);
	else if (rc == 0)
		crm_warn("unassigned %zu of %zu ticket%s", ea.changed, ea.n,
		    ea.n == 1 ? "" : "s");
	return rc;
}

/* ---- views: queue, breaches, escalations ------------------------------------ */

struct viewarg {
	struct crm_out *out;
	const char *const *names;
	size_t n;
	int64_t now;
	struct crm_buf b;
};

/* One column of a view: a ticket field, or what its clock says. */
static int
view_value(struct viewarg *v, const char *name, const struct crm_rec *t,
    const struct crm_ticket_clock *c)
{
	const struct crm_entity *e = t->ent;
	int f = crm_field_find(e, name, strlen(name));
	int stored = f >= 0 && t->v[f].state == CRM_V_SET;

	if (strcmp(name, "next_due") == 0)
		return c->has_next ? crm_time_format(&v->b, c->next_due) : 0;
	if (strcmp(name, "due_in") == 0)
		return c->has_next ? crm_span_format(&v->b, c->next_due - v->now) :
		    0;
	if (strcmp(name, "breach") == 0)
		return crm_breach_text(&v->b, c->breach);
	/* The deadline as it stands, with a paused clock's time added. */
	if (strcmp(name, "resolution_due") == 0)
		return c->has_res ? crm_time_format(&v->b, c->res_due) : 0;
	/* In breach, not yet marked: escalated by the rule all the same. */
	if (strcmp(name, "escalated_at") == 0 && !stored)
		return c->breached_at ? crm_time_format(&v->b, c->breached_at) :
		    0;
	if (strcmp(name, "escalation") == 0 && !stored)
		return crm_breach_text(&v->b, c->breach & CRM_BREACHED);
	return crm_rec_text(t, f, &v->b);
}

static int
view_row(const struct crm_rec *t, const struct crm_ticket_clock *c, void *arg)
{
	struct viewarg *v = arg;
	const char *vals[12];
	size_t lens[12], offs[12], i;
	int rc = 0;

	crm_buf_reset(&v->b);
	for (i = 0; i < v->n && rc == 0; i++) {
		offs[i] = v->b.len;
		rc = view_value(v, v->names[i], t, c);
		lens[i] = v->b.len - offs[i];
	}
	for (i = 0; i < v->n; i++)
		vals[i] = lens[i] ? v->b.p + offs[i] : NULL;
	return rc != 0 ? rc : crm_out_row(v->out, vals, lens);
}

static int
run_view(struct crm_ctx *ctx, const struct crm_ticket_sel *sel,
    const char *const *names, size_t n)
{
	const struct crm_entity *e = E_TICKET;
	struct viewarg v = { NULL, names, n, 0, CRM_BUF_INIT };
	enum crm_kind kinds[12];
	struct crm_txn tx;
	size_t i;
	int rc, f;

	for (i = 0; i < n; i++) {
		f = crm_field_find(e, names[i], strlen(names[i]));
		kinds[i] = strcmp(names[i], "breach") == 0 ||
		    strcmp(names[i], "escalation") == 0 ? CRM_K_TAGS :
		    f >= 0 ? crm_field_kind(&e->fields[f]) : CRM_K_STR;
	}
	rc = crm_read_begin(ctx->db, &tx);
	if (rc != 0)
		return rc;
	v.now = tx.now;
	rc = crm_ctx_out(ctx, &v.out);
	if (rc == 0)
		rc = crm_out_columns(v.out, names, kinds, n);
	if (rc == 0)
		rc = crm_ticket_select(&tx, sel, view_row, &v);
	if (rc == 0)
		rc = crm_out_end(v.out);
	crm_out_free(v.out);
	crm_buf_free(&v.b);
	crm_txn_end(&tx);
	return rc;
}

static int
cmd_queue(struct crm_ctx *ctx)
{
	static const char *const names[] = { "id", "ext_id", "customer",
		"subject", "priority", "status", "assignee", "next_due", "due_in",
		"breach" };
	struct crm_ticket_sel sel = { CRM_TV_QUEUE, 0, crm_opt(ctx, "assignee") };

	if (crm_opt(ctx, "mine") != NULL)
		sel.assignee = crm_ctx_user(ctx);
	return run_view(ctx, &sel, names, 10);
}

static int
cmd_breaches(struct crm_ctx *ctx)
{
	static const char *const names[] = { "id", "ext_id", "customer",
		"subject", "priority", "status", "assignee", "first_response_due",
		"resolution_due", "breach" };
	struct crm_ticket_sel sel = { CRM_TV_BREACHES, 0, NULL };
	const char *soon = crm_opt(ctx, "soon");

	if (soon != NULL && (crm_duration_parse(soon, strlen(soon),
	    &sel.soon) != 0 || sel.soon <= 0)) {
		crm_clearerr();
		return crm_seterr(CRM_EUSAGE, "--soon \"%s\": not a duration "
		    "(30m, 4h, 1d, 2w)", soon);
	}
	return run_view(ctx, &sel, names, 10);
}

static int
cmd_escalations(struct crm_ctx *ctx)
{
	static const char *const names[] = { "id", "ext_id", "customer",
		"subject", "priority", "status", "assignee", "csat",
		"escalated_at", "escalation" };
	struct crm_ticket_sel sel = { CRM_TV_ESCALATIONS, 0, NULL };

	return run_view(ctx, &sel, names, 10);
}

/* ---- SLA policy ------------------------------------------------------------- */

static int
cmd_sla_show(struct crm_ctx *ctx)
{
	static const char *const names[] = { "priority", "first_response",
		"resolution", "pause_pending", "low_csat" };
	static const enum crm_kind kinds[] = { CRM_K_STR, CRM_K_STR,
		CRM_K_STR, CRM_K_BOOL, CRM_K_NUM };
	struct crm_buf b = CRM_BUF_INIT;
	struct crm_out *out = NULL;
	struct crm_sla sla;
	struct crm_txn tx;
	int rc, p;

	rc = crm_read_begin(ctx->db, &tx);
	if (rc != 0)
		return rc;
	rc = crm_sla_load(&tx, &sla);
	if (rc == 0)
		rc = crm_ctx_out(ctx, &out);
	if (rc == 0)
		rc = crm_out_columns(out, names, kinds, 5);
	/* Most urgent first, as the policy is read. */
	for (p = CRM_NPRIO - 1; p >= 0 && rc == 0; p--) {
		const struct crm_sla_row *r = &sla.p[p];
		const char *vals[5];
		size_t lens[5], offs[5], i;

		crm_buf_reset(&b);
		offs[0] = 0;
		rc = crm_buf_adds(&b, crm_priority_name(p));
		offs[1] = b.len;
		if (rc == 0)
			rc = crm_duration_format(&b, r->first);
		offs[2] = b.len;
		if (rc == 0)
			rc = crm_duration_format(&b, r->resolution);
		offs[3] = b.len;
		if (rc == 0)
			rc = crm_buf_adds(&b, r->pause_pending ? "yes" : "no");
		offs[4] = b.len;
		if (rc == 0)
			rc = crm_buf_printf(&b, "%d", r->low_csat);
		for (i = 0; i < 5 && rc == 0; i++) {
			lens[i] = (i == 4 ? b.len : offs[i + 1]) - offs[i];
			vals[i] = b.p + offs[i];
		}
		if (rc == 0)
			rc = crm_out_row(out, vals, lens);
	}
	if (rc == 0)
		rc = crm_out_end(out);
	crm_out_free(out);
	crm_buf_free(&b);
	crm_txn_end(&tx);
	return rc;
}

struct slajob {
	struct crm_ctx *ctx;
	unsigned which;		/* bit per priority */
	int64_t first, resolution, low;	/* -1: unchanged */
	int pause;		/* -1: unchanged */
};

static int
sla_fn(struct crm_txn *tx, void *arg)
{
	struct slajob *j = arg;
	struct crm_sla sla, dflt;
	int rc, p;

	crm_sla_defaults(&dflt);
	rc = crm_sla_load(tx, &sla);
	for (p = 0; p < CRM_NPRIO && rc == 0; p++) {
		struct crm_sla_row *r = &sla.p[p];

		if (!(j->which & (1u << p)))
			continue;
		if (crm_opt(j->ctx, "reset") != NULL)
			*r = dflt.p[p];
		if (j->first >= 0)
			r->first = j->first;
		if (j->resolution >= 0)
			r->resolution = j->resolution;
		if (j->pause >= 0)
			r->pause_pending = j->pause;
		if (j->low >= 0)
			r->low_csat = (int)j->low;
	}
	return rc == 0 ? crm_sla_store(tx, &sla) : rc;
}

/* A duration option, or -1 when not given. */
static int
opt_duration(struct crm_ctx *ctx, const char *name, int64_t *out)
{
	const char *v = crm_opt(ctx, name);

	*out = -1;
	if (v == NULL)
		return 0;
	if (crm_duration_parse(v, strlen(v), out) != 0) {
		crm_clearerr();
		return crm_seterr(CRM_EUSAGE, "--%s \"%s\": not a duration "
		    "(30m, 4h, 1d, 2w)", name, v);
	}
	return 0;
}

static int
cmd_sla_set(struct crm_ctx *ctx)
{
	struct slajob j = { ctx, 0, -1, -1, -1, -1 };
	const char *pause = crm_opt(ctx, "pause-pending");
	int rc, k, p;

	rc = opt_duration(ctx, "first-response", &j.first);
	if (rc == 0)
		rc = opt_duration(ctx, "resolution", &j.resolution);
	if (rc == 0 && crm_opt(ctx, "low-csat") != NULL &&
	    (crm_opt_int(ctx, "low-csat", -1, &j.low) != 0 || j.low > 5))
		rc = crm_seterr(CRM_EUSAGE, "--low-csat \"%s\": not 0 to 5",
		    crm_opt(ctx, "low-csat"));
	if (rc != 0)
		return rc;
	if (pause != NULL)
		j.pause = strcmp(pause, "yes") == 0;
	if (j.first < 0 && j.resolution < 0 && j.pause < 0 && j.low < 0 &&
	    crm_opt(ctx, "reset") == NULL)
		return crm_seterr(CRM_EUSAGE, "sla set: nothing to change: give "
		    "--first-response, --resolution, --pause-pending, --low-csat "
		    "or --reset");
	for (k = 0; k < ctx->argc; k++) {
		p = crm_priority_index(ctx->argv[k], strlen(ctx->argv[k]));
		if (p < 0)
			return crm_seterr(CRM_EUSAGE, "sla set: \"%s\": not a "
			    "priority (low, normal, high, urgent)", ctx->argv[k]);
		j.which |= 1u << p;
	}
	if (j.which == 0)
		j.which = (1u << CRM_NPRIO) - 1;
	rc = crm_write(ctx->db, sla_fn, &j);
	if (rc == 0)
		crm_warn("SLA policy changed; open tickets keep their deadlines "
		    "until their priority changes");
	return rc;
}

/* ---- assignment rules -------------------------------------------------------- */

struct rulejob {
	struct crm_ctx *ctx;
	int add;
};

static int
rule_fn(struct crm_txn *tx, void *arg)
{
	struct rulejob *j = arg;

	if (j->add)
		return crm_assign_put(tx, j->ctx->argv[0], j->ctx->argv + 1,
		    (size_t)j->ctx->argc - 1);
	return crm_assign_delete(tx, j->ctx->argv[0]);
}

static int
cmd_rule_add(struct crm_ctx *ctx)
{
	struct rulejob j = { ctx, 1 };
	struct crm_buf users = CRM_BUF_INIT;
	int rc, i;

	rc = crm_write(ctx->db, rule_fn, &j);
	for (i = 1; i < ctx->argc && rc == 0; i++)
		rc = crm_buf_printf(&users, "%s%s", i > 1 ? ", " : "",
		    ctx->argv[i]);
	if (rc == 0)
		crm_warn("new tickets of %s%s go to %s%s",
		    strcmp(ctx->argv[0], "*") == 0 ? "any category" : "category ",
		    strcmp(ctx->argv[0], "*") == 0 ? "" : ctx->argv[0], users.p,
		    ctx->argc > 2 ? ", in turn" : "");
	crm_buf_free(&users);
	return rc;
}

static int
cmd_rule_delete(struct crm_ctx *ctx)
{
	struct rulejob j = { ctx, 0 };
	int rc = crm_write(ctx->db, rule_fn, &j);

	if (rc == 0)
		crm_warn("deleted the rule for %s", ctx->argv[0]);
	return rc;
}

static int
cmd_rule_list(struct crm_ctx *ctx)
{
	static const char *const names[] = { "category", "assignees", "next" };
	static const enum crm_kind kinds[] = { CRM_K_STR, CRM_K_TAGS, CRM_K_STR };
	struct crm_assign_rules rules = { NULL, 0 };
	struct crm_buf b = CRM_BUF_INIT;
	struct crm_out *out = NULL;
	struct crm_txn tx;
	size_t i, k;
	int rc;

	rc = crm_read_begin(ctx->db, &tx);
	if (rc != 0)
		return rc;
	rc = crm_assign_load(&tx, &rules);
	if (rc == 0)
		rc = crm_ctx_out(ctx, &out);
	if (rc == 0)
		rc = crm_out_columns(out, names, kinds, 3);
	for (i = 0; i < rules.n && rc == 0; i++) {
		const struct crm_assign_rule *r = &rules.r[i];
		const char *vals[3];
		size_t lens[3];

		crm_buf_reset(&b);
		for (k = 0; k < r->nusers && rc == 0; k++)
			rc = crm_buf_printf(&b, "%s%s", k ? ";" : "", r->users[k]);
		vals[0] = r->category;
		lens[0] = strlen(r->category);
		vals[1] = b.p;
		lens[1] = b.len;
		vals[2] = r->users[r->next];
		lens[2] = strlen(vals[2]);
		if (rc == 0)
			rc = crm_out_row(out, vals, lens);
	}
	if (rc == 0)
		rc = crm_out_end(out);
	crm_out_free(out);
	crm_buf_free(&b);
	crm_assign_free(&rules);
	crm_txn_end(&tx);
	return rc;
}

/* ---- knowledge base ------------------------------------------------------------ */

/* The text of a file (- for stdin), whole, NUL-terminated. */
static int
slurp(const char *name, struct crm_buf *b)
{
	FILE *fp = NULL;
	char chunk[8192];
	size_t n;
	int rc;

	rc = crm_open_input(name, 0, &fp);
	while (rc == 0 && (n = fread(chunk, 1, sizeof(chunk), fp)) > 0)
		rc = crm_buf_add(b, chunk, n);
	if (rc == 0 && ferror(fp))
		rc = crm_seterr(CRM_EIO, "%s: read error", name);
	if (rc == 0)
		rc = crm_buf_adds(b, "");
	if (fp != NULL && fp != stdin)
		fclose(fp);
	return rc;
}

static int
cmd_kb_add(struct crm_ctx *ctx)
{
	const char *file = crm_opt(ctx, "body-file");
	struct crm_buf b = CRM_BUF_INIT;
	const char *preset[1];
	int rc = 0;

	if (file != NULL && strcmp(ctx->argv[0], "-") == 0)
		return crm_seterr(CRM_EUSAGE, "kb add -: the body comes from the "
		    "input rows, not --body-file");
	if (file != NULL) {
		rc = crm_buf_adds(&b, "body=");
		if (rc == 0)
			rc = slurp(file, &b);
		preset[0] = b.p;
	}
	if (rc == 0)
		rc = crm_cli_add(ctx, E_ARTICLE, ctx->argv, ctx->argc, preset,
		    file != NULL);
	crm_buf_free(&b);
	return rc;
}

static int
cmd_kb_show(struct crm_ctx *ctx)
{
	return crm_cli_show(ctx, E_ARTICLE, NULL, 0);
}

static int
cmd_kb_delete(struct crm_ctx *ctx)
{
	return crm_cli_delete(ctx, E_ARTICLE, NULL, 0);
}

struct kbarg {
	struct crm_out *out;
	struct crm_buf b;
};

static int
kb_row(const struct crm_rec *a, int score, void *arg)
{
	static const char *const f[] = { "id", "title", "category", "tags" };
	struct kbarg *k = arg;
	const char *vals[5];
	size_t lens[5], offs[5], i;
	int rc = 0;

	crm_buf_reset(&k->b);
	for (i = 0; i < 5 && rc == 0; i++) {
		offs[i] = k->b.len;
		rc = i < 4 ? crm_rec_text(a, crm_field_find(a->ent, f[i],
		    strlen(f[i])), &k->b) : crm_buf_printf(&k->b, "%d", score);
		lens[i] = k->b.len - offs[i];
	}
	for (i = 0; i < 5; i++)
		vals[i] = lens[i] ? k->b.p + offs[i] : NULL;
	return rc != 0 ? rc : crm_out_row(k->out, vals, lens);
}

/* Search or suggest: articles with their scores. */
static int
run_kb(struct crm_ctx *ctx, int64_t dflt_limit)
{
	static const char *const names[] = { "id", "title", "category", "tags",
		"score" };
	static const enum crm_kind kinds[] = { CRM_K_NUM, CRM_K_STR, CRM_K_STR,
		CRM_K_TAGS, CRM_K_NUM };
	struct kbarg k = { NULL, CRM_BUF_INIT };
	struct crm_buf query = CRM_BUF_INIT;
	struct crm_txn tx;
	int64_t limit;
	uint64_t id;
	int rc, i;

	rc = crm_opt_int(ctx, "limit", dflt_limit, &limit);
	if (rc != 0)
		return rc;
	rc = crm_read_begin(ctx->db, &tx);
	if (rc != 0)
		return rc;
	rc = crm_ctx_out(ctx, &k.out);
	if (rc == 0)
		rc = crm_out_columns(k.out, names, kinds, 5);
	if (rc == 0 && strcmp(ctx->cmd->name, "suggest") == 0) {
		rc = crm_cli_ref(&tx, E_TICKET, ctx->argv[0], &id);
		if (rc == 0)
			rc = crm_kb_suggest(&tx, id, (size_t)limit, kb_row, &k);
	} else if (rc == 0) {
		for (i = 0; i < ctx->argc && rc == 0; i++)
			rc = crm_buf_printf(&query, "%s ", ctx->argv[i]);
		if (rc == 0)
			rc = crm_kb_search(&tx, query.p, (size_t)limit, kb_row, &k);
	}
	if (rc == 0)
		rc = crm_out_end(k.out);
	crm_out_free(k.out);
	crm_buf_free(&k.b);
	crm_buf_free(&query);
	crm_txn_end(&tx);
	return rc;
}

static int
cmd_kb_search(struct crm_ctx *ctx)
{
	return run_kb(ctx, 0);
}

static int
cmd_suggest(struct crm_ctx *ctx)
{
	return run_kb(ctx, 5);
}

/* ---- the table ------------------------------------------------------------------- */

static const struct crm_cmd cmds[] = {
	{ "open", cmd_open, G(crm_opts_db, crm_opts_input, open_opts),
	  "[SUBJECT] [FIELD=VALUE]... | -",
	  "open a ticket (deadlines from the SLA, assignee from the rules), "
	  "or many from stdin", CRM_DB_WRITE, 0, -1, "ticket", 0 },
	{ "show", cmd_show, G(crm_opts_db, crm_opts_output), "TICKET",
	  "a ticket, its replies and comments, and the customer's earlier "
	  "tickets", CRM_DB_READ, 1, 1, "ticket", 0 },
	{ "list", crm_cmd_list, G(crm_opts_db, crm_opts_select, crm_opts_output,
	  crm_opts_fields), "", "list tickets", CRM_DB_READ, 0, 0, "ticket", 0 },
	{ "set", crm_cmd_set, G(crm_opts_db, crm_opts_input),
	  "TICKET FIELD=VALUE... | -",
	  "change fields (FIELD= clears), or records read from stdin",
	  CRM_DB_WRITE, 1, -1, "ticket", 0 },
	{ "delete", cmd_delete, G(crm_opts_db, crm_opts_input, force_opts),
	  "TICKET... | -", "delete tickets", CRM_DB_WRITE, 1, -1, NULL, 0 },
	{ "history", cmd_history, G(crm_opts_db, crm_opts_output), "TICKET",
	  "the audit trail of a ticket: every step, when and by whom",
	  CRM_DB_READ, 1, 1, NULL, 0 },
	{ "reply", cmd_reply, G(crm_opts_db, reply_opts), "TICKET",
	  "record a reply to the customer (the first is the first response)",
	  CRM_DB_WRITE, 1, 1, NULL, 0 },
	{ "comment", cmd_reply, G(crm_opts_db, comment_opts), "TICKET",
	  "add an internal note", CRM_DB_WRITE, 1, 1, NULL, 0 },
	{ "pending", cmd_pending, G(crm_opts_db), "TICKET...",
	  "wait for the customer (the clock may pause)", CRM_DB_WRITE, 1, -1,
	  NULL, 0 },
	{ "resolve", cmd_resolve, G(crm_opts_db), "TICKET...",
	  "mark tickets resolved", CRM_DB_WRITE, 1, -1, NULL, 0 },
	{ "close", cmd_close, G(crm_opts_db, close_opts), "TICKET",
	  "close a resolved ticket, with the customer's rating",
	  CRM_DB_WRITE, 1, 1, NULL, 0 },
	{ "reopen", cmd_reopen, G(crm_opts_db), "TICKET...",
	  "back to open, from pending, resolved or closed", CRM_DB_WRITE, 1, -1,
	  NULL, 0 },
	{ "assign", cmd_assign, G(crm_opts_db, crm_opts_input),
	  "TICKET... USER | - USER", "give tickets to a user ('' unassigns)",
	  CRM_DB_WRITE, 2, -1, NULL, 0 },
	{ "queue", cmd_queue, G(crm_opts_db, queue_opts, crm_opts_output), "",
	  "the work list: open tickets, next deadline first", CRM_DB_READ, 0, 0,
	  NULL, 0 },
	{ "breaches", cmd_breaches, G(crm_opts_db, breach_opts, crm_opts_output),
	  "", "open tickets past an SLA deadline, or due soon (for cron)",
	  CRM_DB_READ, 0, 0, NULL, 0 },
	{ "escalations", cmd_escalations, G(crm_opts_db, crm_opts_output), "",
	  "escalated tickets, for a supervisor", CRM_DB_READ, 0, 0, NULL, 0 },
	{ "sla show", cmd_sla_show, G(crm_opts_db, crm_opts_output), "",
	  "the SLA policy per priority", CRM_DB_READ, 0, 0, NULL, 0 },
	{ "sla set", cmd_sla_set, G(crm_opts_db, sla_opts), "[PRIORITY]...",
	  "change the SLA policy of priorities (default all)", CRM_DB_WRITE, 0,
	  -1, NULL, 0 },
	{ "rule add", cmd_rule_add, G(crm_opts_db), "CATEGORY USER...",
	  "assign new tickets of a category ('*': any) to a user, or to "
	  "several in turn", CRM_DB_WRITE, 2, -1, NULL, 0 },
	{ "rule list", cmd_rule_list, G(crm_opts_db, crm_opts_output), "",
	  "the assignment rules", CRM_DB_READ, 0, 0, NULL, 0 },
	{ "rule delete", cmd_rule_delete, G(crm_opts_db), "CATEGORY",
	  "delete an assignment rule", CRM_DB_WRITE, 1, 1, NULL, 0 },
	{ "kb add", cmd_kb_add, G(crm_opts_db, crm_opts_input, kb_add_opts),
	  "TITLE [FIELD=VALUE]... | -", "add a knowledge-base article",
	  CRM_DB_WRITE, 1, -1, "article", 0 },
	{ "kb list", crm_cmd_list, G(crm_opts_db, crm_opts_select,
	  crm_opts_output, crm_opts_fields), "", "list articles", CRM_DB_READ,
	  0, 0, "article", 0 },
	{ "kb show", cmd_kb_show, G(crm_opts_db, crm_opts_output), "ARTICLE",
	  "show an article", CRM_DB_READ, 1, 1, "article", 0 },
	{ "kb set", crm_cmd_set, G(crm_opts_db, crm_opts_input),
	  "ARTICLE FIELD=VALUE... | -", "change articles", CRM_DB_WRITE, 1, -1,
	  "article", 0 },
	{ "kb delete", cmd_kb_delete, G(crm_opts_db, crm_opts_input),
	  "ARTICLE... | -", "delete articles", CRM_DB_WRITE, 1, -1, NULL, 0 },
	{ "kb search", cmd_kb_search, G(crm_opts_db, limit_opts,
	  crm_opts_output), "WORD...", "articles holding every word, best "
	  "first", CRM_DB_READ, 1, -1, NULL, 0 },
	{ "suggest", cmd_suggest, G(crm_opts_db, limit_opts, crm_opts_output),
	  "TICKET", "articles that may answer a ticket (its subject and "
	  "category)", CRM_DB_READ, 1, 1, NULL, 0 },
	{ NULL, NULL, NULL, NULL, NULL, 0, 0, 0, NULL, 0 }
};

static const struct crm_tool tool = {
	"crm-ticket",
	"Service tickets: SLA deadlines, breaches, escalation, satisfaction; "
	"a knowledge base.",
	cmds,
};

int
main(int argc, char **argv)
{
	return crm_main(&tool, argc, argv);
}
