/*
 * report.h — aggregate reports over the whole database: the sales
 * pipeline, funnel, forecast, win rate, lost reasons and sales cycle;
 * receivables aging; SLA compliance and CSAT; RFM segments, churn risk,
 * retention cohorts and lifetime value; lead sources; activity.
 *
 * A report runs in one read transaction — one consistent snapshot, while
 * writers carry on — and fills a struct crm_rtab: named, typed columns
 * and rows of cells, each with its text and, for numbers, an exact
 * integer to sort by.  Money is summed in integer minor units, never
 * across currencies (currency is a grouping column of every report that
 * shows money) and never through floating point; averages and rates are
 * rounded half away from zero, in integers.  The library never prints:
 * the tool writes the table in the format asked for, with bar charts in
 * a table.
 *
 * Which records each report reads, what --where and --by apply to and
 * which date a period selects on are in crm_report_defs[] and in
 * crm-report(1).
 */
#ifndef CRM_REPORT_H
#define CRM_REPORT_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "db.h"
#include "output.h"

/* ---- result tables ----------------------------------------------------- */

struct crm_rcell {
	uint32_t off, len;	/* text in the table's buffer; len 0: empty */
	int64_t num;		/* value to sort by, when isnum */
	uint8_t isnum;
};

struct crm_rtab {
	char **names;		/* column names (owned) */
	enum crm_kind *kinds;
	unsigned char *refcol;	/* 1: the column holds record ids */
	size_t ncols;
	struct crm_rcell *cells;	/* nrows * ncols */
	size_t nrows, caprows;
	struct crm_buf text;
	/* Bars: per row a value (barval < 0: none) drawn against the
	 * largest value of the rows with the same barscale (rows of one
	 * currency, or one funnel); barmax fixes the scale (a percentage
	 * against 100) when not 0.  bar_center centres them: a funnel. */
	int64_t *barval;
	uint32_t *barscale;
	int64_t barmax;
	int bar_center;
	int64_t *rowmax;	/* per row, the top of its scale (made by
				 * crm_rtab_bartext, dropped by a sort) */
	size_t cur;		/* cells of the row being written */
};

void crm_rtab_init(struct crm_rtab *t);
void crm_rtab_free(struct crm_rtab *t);

/* Adds a column (before the first row); name is copied. */
int crm_rtab_col(struct crm_rtab *t, const char *name, enum crm_kind kind);

/* Starts a row; then one crm_rtab_* call per column, in order. */
int crm_rtab_row(struct crm_rtab *t);
int crm_rtab_str(struct crm_rtab *t, const char *s, size_t len);
int crm_rtab_int(struct crm_rtab *t, int64_t v);
int crm_rtab_empty(struct crm_rtab *t);
int crm_rtab_money(struct crm_rtab *t, int64_t minor, int exponent);
/*
 * num/den with the given decimal places (0 to 3), rounded half away from
 * zero; empty when den is 0.  crm_rtab_pct is 100 * num / den with one
 * place.
 */
int crm_rtab_ratio(struct crm_rtab *t, int64_t num, int64_t den, int places);
int crm_rtab_pct(struct crm_rtab *t, int64_t num, int64_t den);
/* The bar of the current row. */
void crm_rtab_bar(struct crm_rtab *t, int64_t value, uint32_t scale);

/* Text of cell (row, col), borrowed from t; *len 0 when empty. */
const char *crm_rtab_text(const struct crm_rtab *t, size_t row, size_t col,
    size_t *len);
/* The column named name, or -1. */
int crm_rtab_find(const struct crm_rtab *t, const char *name, size_t len);

/*
 * Sorts the rows by "[-]col[,[-]col…]" (output column names): numbers
 * by value, text byte by byte (numbers in it numerically), empty cells
 * last; stable, so ties keep the report's order.  CRM_EUSAGE on an
 * unknown column.
 */
int crm_rtab_sort(struct crm_rtab *t, const char *spec);

/*
 * The bar of row as text, width cells wide at most (eighths of a cell
 * with block characters; a centred bar in whole cells), into out
 * (replaced).  Nothing for a row without a bar.
 */
int crm_rtab_bartext(struct crm_rtab *t, size_t row, int width,
    struct crm_buf *out);

/* ---- periods ------------------------------------------------------------ */

/*
 * A period as the first and last day (inclusive, days since 1970-01-01):
 * 2026 (a year), 2026-Q3, 2026-11, 2026-W47 (an ISO 8601 week, Monday to
 * Sunday), or 2026-11-23 (one day).  CRM_EUSAGE with detail when not.
 */
int crm_period_parse(const char *s, int64_t *from, int64_t *to);

/* ---- reports ------------------------------------------------------------ */

struct crm_report_req {
	const char *by;		/* --by "field[:unit],…", NULL: the default */
	char *const *where;	/* --where expressions, on the report's entity */
	size_t nwhere;
	int has_from, has_to;	/* the period, days inclusive */
	int64_t from, to;
	int64_t days;		/* churn: days without contact (90) */
	int64_t months;		/* retention: months after the first, 1 to
				 * 60 (12) */
	/* Progress of long scans (may be NULL): what, records done, total. */
	void (*progress)(void *arg, const char *what, size_t done, size_t total);
	void *progress_arg;
};

struct crm_rctx;	/* a running report (report_int.h) */

struct crm_report_def {
	const char *name;	/* "pipeline" */
	const char *entity;	/* what --where and --by read */
	const char *dflt_by;	/* --by when not given, or NULL */
	int takes_by;		/* accepts --by */
	int takes_period;	/* accepts --from, --to, --period */
	int (*run)(struct crm_rctx *);
};

/* Every report, ending with a NULL name. */
extern const struct crm_report_def crm_report_defs[];

const struct crm_report_def *crm_report_find(const char *name);

/*
 * Runs report def in tx (a read transaction) into out (initialised,
 * empty).  CRM_EUSAGE for a bad --by, --where or option; CRM_EDATA for a
 * sum beyond the range of money or a stored setting that does not parse.
 */
int crm_report_run(struct crm_txn *tx, const struct crm_report_def *def,
    const struct crm_report_req *req, struct crm_rtab *out);

/* amount × prob / 100 in minor units, rounded half away from zero. */
int64_t crm_weighted(int64_t amount, int64_t prob);

#endif
