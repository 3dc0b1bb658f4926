/*
 * crm-report — aggregate reports over the whole database: the sales
 * pipeline, funnel, forecast, win rate, lost reasons and sales cycle;
 * receivables aging; SLA compliance and CSAT; RFM segments, churn risk,
 * retention cohorts and lifetime value; lead sources; activity.
 *
 * Thin: every command parses the same way (its option groups below say
 * which of --by, the period, --days and --months it takes), runs the
 * report of its name in one read transaction (lib/report.c) and prints
 * the result table as a table with bar charts, CSV, TSV, JSON or NDJSON.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "report.h"

#define BAR_WIDTH 30

static const struct crm_option by_opts[] = {
	{ "by", 0, CRM_ARG_REQ, "FIELDS",
	  "group by these fields (comma-separated; FIELD:month, :week, "
	  ":quarter, :year or :day for a date)", 0, NULL, "field" },
	CRM_OPT_END
};

static const struct crm_option period_opts[] = {
	{ "from", 0, CRM_ARG_REQ, "DATE", "from this day (YYYY-MM-DD, -30d, ...)",
	  0, NULL, NULL },
	{ "to", 0, CRM_ARG_REQ, "DATE", "up to and including this day", 0, NULL,
	  NULL },
	{ "period", 'p', CRM_ARG_REQ, "PERIOD",
	  "a year, quarter, month, ISO week or day: 2026, 2026-Q3, 2026-11, "
	  "2026-W47", 0, NULL, NULL },
	CRM_OPT_END
};

static const struct crm_option bar_opts[] = {
	{ "no-bars", 0, CRM_ARG_NONE, NULL, "no bar chart in a table", 0, NULL,
	  NULL },
	CRM_OPT_END
};

static const struct crm_option days_opts[] = {
	{ "days", 'd', CRM_ARG_REQ, "N",
	  "at risk after N days without contact (default 90)", 0, NULL, NULL },
	CRM_OPT_END
};

static const struct crm_option months_opts[] = {
	{ "months", 'm', CRM_ARG_REQ, "N",
	  "months after the first purchase to show (default 12, at most 60)", 0,
	  NULL, NULL },
	CRM_OPT_END
};

#define G(...) ((const struct crm_option *const[]){ __VA_ARGS__, NULL })

/* The option groups of a report with --by and a period; the reports
 * per customer have their own below. */
#define GROUPED G(crm_opts_db, by_opts, period_opts, crm_opts_select, \
	crm_opts_output, crm_opts_fields, bar_opts)

static void
progress(void *arg, const char *what, size_t done, size_t total)
{
	(void)arg;
	crm_progress(what, done, total);
}

static int
day_opt(struct crm_ctx *ctx, const char *name, int *has, int64_t *day)
{
	const char *v = crm_opt(ctx, name);
	char msg[300];
	int rc;

	*has = v != NULL;
	if (v == NULL)
		return 0;
	rc = crm_date_parse(v, strlen(v), ctx->now, day);
	if (rc == CRM_EDATA) {
		snprintf(msg, sizeof(msg), "%s", crm_errdetail(rc));
		rc = crm_seterr(CRM_EUSAGE, "--%s: %s", name, msg);
	}
	return rc;
}

/* The request from the options: --by, --where, the period, --days,
 * --months. */
static int
request(struct crm_ctx *ctx, struct crm_report_req *rq)
{
	const char *period = crm_opt(ctx, "period");
	int rc;

	memset(rq, 0, sizeof(*rq));
	rq->by = crm_opt(ctx, "by");
	rq->where = crm_optv(ctx, "where", &rq->nwhere);
	if (isatty(STDERR_FILENO))
		rq->progress = progress;
	if (period != NULL && (crm_opt(ctx, "from") || crm_opt(ctx, "to")))
		return crm_seterr(CRM_EUSAGE, "--period: give it or --from/--to, "
		    "not both");
	if (period != NULL) {
		rc = crm_period_parse(period, &rq->from, &rq->to);
		rq->has_from = rq->has_to = 1;
	} else {
		rc = day_opt(ctx, "from", &rq->has_from, &rq->from);
		if (rc == 0)
			rc = day_opt(ctx, "to", &rq->has_to, &rq->to);
	}
	if (rc == 0 && rq->has_from && rq->has_to && rq->from > rq->to)
		rc = crm_seterr(CRM_EUSAGE, "--from is after --to");
	if (rc == 0)
		rc = crm_opt_int(ctx, "days", 90, &rq->days);
	if (rc == 0)
		rc = crm_opt_int(ctx, "months", 12, &rq->months);
	if (rc == 0 && (rq->months < 1 || rq->months > 60))
		rc = crm_seterr(CRM_EUSAGE, "--months %lld: not 1 to 60",
		    (long long)rq->months);
	return rc;
}

/* Output columns: --fields, else all; *bars when a table draws them. */
static int
choose(struct crm_ctx *ctx, const struct crm_rtab *t, size_t **cols,
    size_t *n)
{
	const char *spec = crm_opt(ctx, "fields"), *p;
	size_t i;

	*n = 0;
	*cols = calloc(t->ncols + (spec ? strlen(spec) : 0) + 1, sizeof(**cols));
	if (*cols == NULL)
		return ENOMEM;
	if (spec == NULL) {
		for (i = 0; i < t->ncols; i++)
			(*cols)[(*n)++] = i;
		return 0;
	}
	for (p = spec; *p != '\0';) {
		size_t len = strcspn(p, ",");
		int c = crm_rtab_find(t, p, len);

		if (c < 0)
			return crm_seterr(CRM_EUSAGE, "--fields: no column '%.*s' "
			    "in this report", (int)len, p);
		(*cols)[(*n)++] = (size_t)c;
		p += len;
		if (*p == ',')
			p++;
	}
	return 0;
}

static int
print(struct crm_ctx *ctx, struct crm_rtab *t)
{
	struct crm_out *out = NULL;
	struct crm_buf bar = CRM_BUF_INIT;
	const char **names = NULL, **vals = NULL;
	enum crm_kind *kinds = NULL;
	size_t *cols = NULL, *lens = NULL, n = 0, i, r;
	int64_t limit;
	int rc, bars = 0;

	rc = crm_opt_int(ctx, "limit", INT64_MAX, &limit);
	if (rc == 0)
		rc = choose(ctx, t, &cols, &n);
	if (rc == 0 && crm_ctx_format(ctx) == CRM_FMT_IDS &&
	    (n == 0 || !t->refcol[cols[0]]))
		rc = crm_seterr(CRM_EUSAGE, "--format ids: the rows of %s are not "
		    "records (its first column is not an id)", ctx->cmd->name);
	if (rc != 0)
		goto done;
	if (crm_ctx_format(ctx) == CRM_FMT_TABLE && crm_opt(ctx, "no-bars") == NULL)
		for (r = 0; r < t->nrows && !bars; r++)
			bars = t->barval[r] >= 0;
	names = calloc(n + 1, sizeof(*names));
	kinds = calloc(n + 1, sizeof(*kinds));
	vals = calloc(n + 1, sizeof(*vals));
	lens = calloc(n + 1, sizeof(*lens));
	if (names == NULL || kinds == NULL || vals == NULL || lens == NULL) {
		rc = ENOMEM;
		goto done;
	}
	for (i = 0; i < n; i++) {
		names[i] = t->names[cols[i]];
		kinds[i] = t->kinds[cols[i]];
	}
	names[n] = "";		/* the bars: no heading */
	kinds[n] = CRM_K_STR;
	rc = crm_ctx_out(ctx, &out);
	if (rc == 0)
		rc = crm_out_columns(out, names, kinds, n + (size_t)bars);
	for (r = 0; r < t->nrows && (int64_t)r < limit && rc == 0; r++) {
		for (i = 0; i < n; i++)
			vals[i] = crm_rtab_text(t, r, cols[i], &lens[i]);
		if (bars) {
			rc = crm_rtab_bartext(t, r, BAR_WIDTH, &bar);
			vals[n] = bar.p;
			lens[n] = bar.len;
		}
		if (rc == 0)
			rc = crm_out_row(out, vals, lens);
	}
	if (rc == 0)
		rc = crm_out_end(out);
done:
	crm_out_free(out);
	crm_buf_free(&bar);
	free(cols);
	free(names);
	free(kinds);
	free(vals);
	free(lens);
	return rc;
}

static int
cmd_report(struct crm_ctx *ctx)
{
	const struct crm_report_def *def = crm_report_find(ctx->cmd->name);
	const char *sort = crm_opt(ctx, "sort");
	struct crm_report_req rq;
	struct crm_rtab t;
	struct crm_txn tx;
	int rc;

	crm_rtab_init(&t);
	if (def == NULL)
		return crm_seterr(CRM_EINTERNAL, "no report '%s'", ctx->cmd->name);
	rc = request(ctx, &rq);
	if (rc != 0)
		return rc;
	/* One snapshot for the whole report; printing needs none. */
	rc = crm_read_begin(ctx->db, &tx);
	if (rc != 0)
		return rc;
	rc = crm_report_run(&tx, def, &rq, &t);
	crm_txn_end(&tx);
	crm_progress_end();
	if (rc == 0 && sort != NULL)
		rc = crm_rtab_sort(&t, sort);
	if (rc == 0)
		rc = print(ctx, &t);
	crm_rtab_free(&t);
	return rc;
}

/* ---- the table ------------------------------------------------------------ */

static const struct crm_cmd cmds[] = {
	{ "pipeline", cmd_report, GROUPED, "",
	  "open deals by stage (or --by): count, amount, weighted amount",
	  CRM_DB_READ, 0, 0, "deal", 0 },
	{ "funnel", cmd_report, GROUPED, "",
	  "leads, qualified, converted, won: counts and conversion rates",
	  CRM_DB_READ, 0, 0, "lead", 0 },
	{ "forecast", cmd_report, GROUPED, "",
	  "weighted pipeline by expected-close month, against deals won",
	  CRM_DB_READ, 0, 0, "deal", 0 },
	{ "winrate", cmd_report, GROUPED, "",
	  "closed deals by owner (or --by): win rate, average won amount",
	  CRM_DB_READ, 0, 0, "deal", 0 },
	{ "lost", cmd_report, GROUPED, "",
	  "lost deals by reason (or --by): count, amount, share",
	  CRM_DB_READ, 0, 0, "deal", 0 },
	{ "cycle", cmd_report, GROUPED, "",
	  "won deals by owner (or --by): days from created to won",
	  CRM_DB_READ, 0, 0, "deal", 0 },
	{ "aging", cmd_report, GROUPED, "",
	  "receivables by customer (or --by) in buckets of days past due",
	  CRM_DB_READ, 0, 0, "invoice", 0 },
	{ "sla", cmd_report, GROUPED, "",
	  "tickets by priority (or --by): first-response and resolution SLA",
	  CRM_DB_READ, 0, 0, "ticket", 0 },
	{ "csat", cmd_report, GROUPED, "",
	  "satisfaction ratings of tickets: average and distribution",
	  CRM_DB_READ, 0, 0, "ticket", 0 },
	{ "rfm", cmd_report, G(crm_opts_db, period_opts, crm_opts_select,
	  crm_opts_output, crm_opts_fields, bar_opts), "",
	  "recency, frequency, monetary scores and segment per customer",
	  CRM_DB_READ, 0, 0, "customer", 0 },
	{ "churn", cmd_report, G(crm_opts_db, days_opts, crm_opts_select,
	  crm_opts_output, crm_opts_fields, bar_opts), "",
	  "customers who bought before and went quiet, with the value at risk",
	  CRM_DB_READ, 0, 0, "customer", 0 },
	{ "retention", cmd_report, G(crm_opts_db, months_opts, period_opts,
	  crm_opts_select, crm_opts_output, crm_opts_fields, bar_opts), "",
	  "monthly cohorts of first purchase and their repeat purchases",
	  CRM_DB_READ, 0, 0, "customer", 0 },
	{ "ltv", cmd_report, GROUPED, "",
	  "revenue per customer to date, by source (or --by)",
	  CRM_DB_READ, 0, 0, "customer", 0 },
	{ "sources", cmd_report, GROUPED, "",
	  "per lead source or campaign: leads, conversions, won revenue, ROI",
	  CRM_DB_READ, 0, 0, "lead", 0 },
	{ "activity", cmd_report, GROUPED, "",
	  "interactions and follow-ups per user (or --by)",
	  CRM_DB_READ, 0, 0, "activity", 0 },
	{ NULL, NULL, NULL, NULL, NULL, 0, 0, 0, NULL, 0 }
};

static const struct crm_tool tool = {
	"crm-report",
	"Reports over customers, leads, deals, invoices, payments and tickets.",
	cmds,
};

int
main(int argc, char **argv)
{
	return crm_main(&tool, argc, argv);
}
