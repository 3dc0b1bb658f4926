/*
 * report_int.h — what the report modules share, never included by cmd/:
 * the running report, scans over an entity's records, and groups keyed
 * by --by fields (a hash table over encoded keys, one allocation per new
 * group, none per record).
 *
 *   report.c          result tables, periods, stages, --by, groups, scans
 *   report_sales.c    pipeline, forecast, winrate, lost, cycle, funnel,
 *                     sources
 *   report_money.c    aging, rfm, churn, retention, ltv
 *   report_service.c  sla, csat, activity
 */
#ifndef CRM_REPORT_INT_H
#define CRM_REPORT_INT_H

#include <stddef.h>
#include <stdint.h>

#include "crm.h"
#include "deal.h"
#include "report.h"

#define RK_MAX 10	/* grouping keys */
#define FLD(e, name) crm_field_find((e), (name), sizeof(name) - 1)
#define BIT(f) ((uint64_t)1 << (f))

/* Buckets a date key may be cut into: --by created_at:month. */
enum { RU_NONE, RU_DAY, RU_WEEK, RU_MONTH, RU_QUARTER, RU_YEAR };

struct rkey {
	char col[80];			/* column name */
	const struct crm_entity *ent;	/* where rg_from reads it; NULL:
					 * set by the report (rg_set) */
	int field;			/* field number, -1: custom (col) */
	enum crm_type type;		/* how it prints and sorts */
	int unit;			/* RU_*, for dates and timestamps */
	const char *const *order;	/* sorts by position (enum values) */
	int stages;			/* sorts in pipeline order */
	int namecol;			/* a reference: the referenced record's
					 * title follows in its own column */
};

/* A key's value for the record at hand; s is borrowed. */
struct rpart {
	int set;
	int64_t i;		/* numeric types and bucketed dates */
	const char *s;
	uint32_t len;
};

struct rgroup {
	uint64_t hash;
	uint32_t klen;
	uint32_t idx;		/* creation order */
	unsigned char *key;
};
#define RG_HDR ((sizeof(struct rgroup) + 15) & ~(size_t)15)

static inline void *
rg_pay(struct rgroup *g)
{
	return (char *)g + RG_HDR;
}

struct rchunk;

struct rgrouper {
	struct rkey k[RK_MAX];
	size_t nk;
	struct rpart p[RK_MAX];
	size_t paysize;
	struct crm_buf kb;
	struct rgroup **slots;
	size_t nslots;
	struct rgroup **list;	/* creation order, then sorted by rg_sort */
	size_t n, cap;
	struct rchunk *chunks;
	const struct crm_rctx *c;
};

struct crm_rctx {
	struct crm_txn *tx;
	const struct crm_report_req *req;
	const struct crm_report_def *def;
	const struct crm_entity *ent;	/* what --where and --by read */
	struct crm_rtab *tab;
	struct crm_filter flt;
	uint64_t fmask;
	int fcustoms;
	struct crm_pipeline *pipes;	/* every pipeline, in order */
	size_t npipes, lastpipe;
	int64_t today;			/* days, from tx->now */
	struct crm_buf custom;		/* custom field names of ent in use */
	size_t ncustom;
	struct crm_rec *looks[CRM_MAX_ENTITIES];	/* rtitle's, by entity */
	struct crm_buf tmp;
};

/* ---- groups ---- */
void rg_init(struct rgrouper *g, const struct crm_rctx *c, size_t paysize);
void rg_free(struct rgrouper *g);
/* Keys from "field[:unit],…" of entity e (the report's --by). */
int rg_by(struct rgrouper *g, const struct crm_entity *e, const char *spec);
/* The keys of --by (else the report's default) on the report's entity,
 * then its currency when money and not already a key. */
int rg_user(struct rgrouper *g, struct crm_rctx *c, int money);
/* A key of field f of e (ensured: nothing when already a key). */
int rg_field(struct rgrouper *g, const struct crm_entity *e, int f);
/* A key the report sets itself with rg_set. */
int rg_virtual(struct rgrouper *g, const char *col, enum crm_type type,
    int unit);
/* Fields of e the keys read, and whether custom fields are among them. */
uint64_t rg_mask(const struct rgrouper *g, const struct crm_entity *e,
    int *customs);
/* Sets the parts of the keys read from r's entity. */
void rg_from(struct rgrouper *g, const struct crm_rec *r);
void rg_set(struct rgrouper *g, size_t k, int set, int64_t i, const char *s,
    size_t len);
/* The group of the parts set: found, or made with a zeroed payload. */
int rg_find(struct rgrouper *g, struct rgroup **out);
/* Sorts g->list by the keys in order, empty values last. */
void rg_sort(struct rgrouper *g);
/* Part k of a group's key (strings borrowed from the group). */
void rg_part(const struct rgrouper *g, const struct rgroup *grp, size_t k,
    struct rpart *out);
/* Columns of the keys (and names of references) / their cells. */
int rg_cols(struct rgrouper *g, struct crm_rtab *t);
int rg_cells(struct rgrouper *g, const struct rgroup *grp,
    struct crm_rtab *t);
/* Minor-unit exponent of the group's currency key (2 without one). */
int rg_exponent(const struct rgrouper *g, const struct rgroup *grp);
/* The bar scale of a currency (rows of one currency share a scale), and
 * of a group's currency key (0 without one). */
uint32_t rscale(const char *cur, size_t len);
uint32_t rg_scale(const struct rgrouper *g, const struct rgroup *grp);

/* ---- records ---- */
typedef int (*rscan_fn)(struct crm_rctx *c, struct crm_rec *r, void *arg);
/*
 * Calls fn for each record of e, decoded only in the fields of mask
 * (and custom fields when customs): those that meet --where when
 * filtered (e must be the report's entity), and whose field pfield
 * (>= 0) lies in the period.
 */
int rscan(struct crm_rctx *c, const struct crm_entity *e, uint64_t mask,
    int customs, int filtered, int pfield, rscan_fn fn, void *arg);
/* Record id of e decoded in the fields of mask into r; CRM_ENOTFOUND. */
int rget(struct crm_rctx *c, const struct crm_entity *e, uint64_t id,
    uint64_t mask, int customs, struct crm_rec *r);
/* Largest id of e (0 when none). */
int rmaxid(struct crm_rctx *c, const struct crm_entity *e, uint64_t *max);
/* Title of record id of e (ref columns), appended to out. */
int rtitle(struct crm_rctx *c, const struct crm_entity *e, uint64_t id,
    struct crm_buf *out);
/* A day in the period (always, without one). */
int rin(const struct crm_rctx *c, int64_t day);

/* ---- values ---- */
static inline int64_t
rday(int64_t secs)
{
	return secs >= 0 ? secs / 86400 : -((-secs + 86399) / 86400);
}

/* Day of field f of r (dates as they are, timestamps' UTC day). */
static inline int64_t
rday_of(const struct crm_rec *r, int f)
{
	return r->ent->fields[f].type == CRM_T_TIME ? rday(r->v[f].i) :
	    r->v[f].i;
}

static inline int
rset(const struct crm_rec *r, int f)
{
	return r->v[f].state == CRM_V_SET;
}

static inline int
rtext_is(const struct crm_rec *r, int f, const char *s, size_t len)
{
	return r->v[f].state == CRM_V_SET && r->v[f].len == len &&
	    __builtin_memcmp(r->v[f].s, s, len) == 0;
}

/* num / den rounded half away from zero (den not 0): averages of money. */
int64_t rdiv(int64_t num, int64_t den);
/* Where a deal stands, from its stage field f_stage: still open (no
 * stage, or one that is not won or lost), won or lost. */
enum { OPEN, WON, LOST };
int rdeal_state(const struct crm_rec *r, int f_stage);
/* A deal's probability from its stage in its pipeline (0 when neither
 * is known): for deals whose own probability field is empty. */
int rprob(struct crm_rctx *c, const struct crm_rec *r, int f_pipe,
    int f_stage);
/* acc += v, or CRM_EDATA when the sum leaves the range of money. */
int radd(int64_t *acc, int64_t v);
/* First day of the bucket of day (RU_MONTH…). */
int64_t rbucket(int64_t day, int unit);
/* Text of a bucket's first day: 2026-11, 2026-Q4, 2026-W47, 2026. */
int rbucket_text(struct crm_buf *b, int64_t day, int unit);

/* Sums per currency inside one group (sources, ltv): a short list. */
struct rcur {
	char cur[4];
	int64_t n, sum, cost;
	int has_cost;
};
struct rcurs {
	struct rcur *v;
	size_t n;
};
/* The entry of currency cur (made, zeroed, when new); NULL: no memory. */
struct rcur *rcur_of(struct rcurs *l, const char *cur, size_t len);
void rcur_sort(struct rcurs *l);

/* The reports. */
int crm_report_pipeline(struct crm_rctx *c);
int crm_report_forecast(struct crm_rctx *c);
int crm_report_winrate(struct crm_rctx *c);
int crm_report_lost(struct crm_rctx *c);
int crm_report_cycle(struct crm_rctx *c);
int crm_report_funnel(struct crm_rctx *c);
int crm_report_sources(struct crm_rctx *c);
int crm_report_aging(struct crm_rctx *c);
int crm_report_rfm(struct crm_rctx *c);
int crm_report_churn(struct crm_rctx *c);
int crm_report_retention(struct crm_rctx *c);
int crm_report_ltv(struct crm_rctx *c);
int crm_report_sla(struct crm_rctx *c);
int crm_report_csat(struct crm_rctx *c);
int crm_report_activity(struct crm_rctx *c);

#endif
