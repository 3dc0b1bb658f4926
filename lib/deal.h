/*
 * deal.h — the sales pipeline: stages with their probabilities and
 * stall limits (stored in the database, setting "deal.stages", so a
 * backup carries them), the rules that keep a deal's stage fields true,
 * its stage history, and the stalled and closing lists.
 *
 * Pinned (DESIGN.md): default stages lead 10 %, qualified 25 %, proposal
 * 50 %, negotiation 75 %, won 100 %, lost 0 %; a deal is stalled when it
 * is open (not won or lost) and its stage changed more than N days ago
 * (default 14, configurable per stage).  Every pipeline ends with the
 * closed stages "won" and "lost".
 */
#ifndef CRM_DEAL_H
#define CRM_DEAL_H

#include <stddef.h>
#include <stdint.h>

#include "db.h"
#include "record.h"

#define CRM_STAGES_MAX 32
#define CRM_STAGE_NAMELEN 48
#define CRM_STALL_DAYS 14

struct crm_stage {
	char name[CRM_STAGE_NAMELEN];
	int prob;		/* percent */
	int stall_days;
};

struct crm_pipeline {
	char name[CRM_STAGE_NAMELEN];
	struct crm_stage st[CRM_STAGES_MAX];
	size_t n;
};

/* The stages of pipeline name (NULL: "default"); CRM_ENOTFOUND (with a
 * detail listing the pipelines) when there is no such pipeline. */
int crm_pipeline_load(struct crm_txn *tx, const char *name,
    struct crm_pipeline *p);

/* Every pipeline, in the order first defined; fn returns 0 to go on. */
int crm_pipeline_each(struct crm_txn *tx,
    int (*fn)(const struct crm_pipeline *, void *), void *arg);

/*
 * Replaces (or creates) pipeline p->name with the open stages in p (won
 * and lost are added at the end, with p's values for them if p names
 * them).  Checks names and percentages (CRM_EUSAGE).
 */
int crm_pipeline_save(struct crm_txn *tx, const struct crm_pipeline *p);

/* Removes a pipeline other than "default"; refused while deals use it. */
int crm_pipeline_delete(struct crm_txn *tx, const char *name);

/* Stage s of p, or NULL. */
const struct crm_stage *crm_stage_find(const struct crm_pipeline *p,
    const char *s, size_t len);

/* True for the closed stages. */
int crm_stage_closed(const char *s, size_t len);

/* Rules, called by lib/rules.c around every write of a deal. */
int crm_deal_before(struct crm_txn *tx, const struct crm_rec *old,
    struct crm_rec *nw);

/*
 * Stage history of a deal, oldest first, from its creation and the
 * audit log's stage changes: fn(stage, entered, left) with left -1 for
 * the stage it is in.  entered is the creation time (or, for a deal
 * whose changes predate crm, its stage_changed_at).
 */
int crm_deal_history(struct crm_txn *tx, const struct crm_rec *deal,
    int (*fn)(const char *stage, size_t len, int64_t entered, int64_t left,
    void *arg), void *arg);

/*
 * Open deals whose stage changed more than days ago (days < 0: each
 * stage's own limit), oldest change first: fn(deal, days in stage).
 */
int crm_deals_stalled(struct crm_txn *tx, int64_t days,
    int (*fn)(const struct crm_rec *, int64_t, void *), void *arg);

/*
 * Open deals expected to close within days from today (past dates
 * included: they have slipped), soonest first: fn(deal, days to close,
 * negative when past).
 */
int crm_deals_closing(struct crm_txn *tx, int64_t days,
    int (*fn)(const struct crm_rec *, int64_t, void *), void *arg);

#endif
