/*
 * lead.h — the lead rules that are more than storing fields: scoring
 * and grading, assignment (routing) to owners, qualification, and
 * conversion into a customer, a contact and a deal.
 *
 * Scoring, grading and routing are configured by three small rule
 * tables kept as settings in the database (so a backup carries them):
 *
 *   scoring  name, when, points — a lead meeting `when` (a --where
 *            condition on lead fields, custom ones included, or on
 *            last_activity, the time of the lead's latest activity;
 *            empty: every lead) gets `points` (may be negative).
 *   grades   grade, min — a lead's grade is the one with the highest
 *            min at or below its score; the lowest grade takes the rest.
 *   routing  name, when, team, cap — the first rule whose `when` the
 *            lead meets gives it to the next member of `team` (';'-
 *            separated) in turn, skipping members with `cap` or more
 *            open leads; the turn is kept per rule, across runs.
 *
 * Scoring and grades have defaults while none are stored; routing has
 * none.  Everything here works inside the caller's transaction.
 */
#ifndef CRM_LEAD_H
#define CRM_LEAD_H

#include <stddef.h>
#include <stdint.h>

#include "db.h"
#include "input.h"
#include "output.h"
#include "record.h"

/* ---- rule tables ----------------------------------------------------- */

struct crm_ltable_spec;
extern const struct crm_ltable_spec crm_lead_scoring, crm_lead_grades,
    crm_lead_routing;

/* A rule table in memory: rows of text cells (NULL when empty). */
struct crm_ltable {
	const struct crm_ltable_spec *spec;
	size_t nrows, ncols;
	char **cells;		/* nrows * ncols, owned */
};

/* An empty table of spec. */
void crm_ltable_init(struct crm_ltable *t, const struct crm_ltable_spec *spec);

/* Column names and output kinds of spec's table. */
size_t crm_ltable_columns(const struct crm_ltable_spec *spec,
    const char *const **names, const enum crm_kind **kinds);
/* "scoring rule", for messages. */
const char *crm_ltable_what(const struct crm_ltable_spec *spec);

/* The stored table, or the defaults when none is stored.  Free with
 * crm_ltable_free. */
int crm_ltable_load(struct crm_txn *tx, const struct crm_ltable_spec *spec,
    struct crm_ltable *t);
void crm_ltable_free(struct crm_ltable *t);
/* Cell of row r, column c (NULL when empty); borrowed from t. */
const char *crm_ltable_cell(const struct crm_ltable *t, size_t r, size_t c);

/*
 * Checks every row (CRM_EDATA: "scoring rule 'x': field 'points': …")
 * and stores t, replacing what was stored.  An empty table is stored as
 * such (scoring then gives every lead 0); grades need at least one row.
 */
int crm_ltable_store(struct crm_txn *tx, const struct crm_ltable *t);

/* Forgets the stored table: the defaults apply again. */
int crm_ltable_reset(struct crm_txn *tx, const struct crm_ltable_spec *spec);

/*
 * Adds a row, or changes the row with the same first cell (its name):
 * vals holds one value per column, NULL to keep a changed row's cell
 * (or leave a new row's empty), "" to empty it.
 */
int crm_ltable_upsert(struct crm_ltable *t, const char *const *vals);
/* Adds a row at the end, whatever its name (crm_ltable_store refuses a
 * name given twice). */
int crm_ltable_append(struct crm_ltable *t, const char *const *vals);
/* Removes the row named name; CRM_ENOTFOUND with detail when none. */
int crm_ltable_remove(struct crm_ltable *t, const char *name);

/*
 * Replaces t's rows with rows read from rd: columns by name, in any
 * order; unknown columns are CRM_EDATA, except those the table prints
 * but does not take (routing's `last`).  Errors name input:line.
 */
int crm_ltable_read(struct crm_ltable *t, struct crm_reader *rd,
    const char *input);

/*
 * Writes t through out (columns set here), with routing's rotation
 * (the owner each rule gave its last lead) as a last column `last`.
 */
int crm_ltable_print(struct crm_txn *tx, const struct crm_ltable *t,
    struct crm_out *out);

/* ---- scoring --------------------------------------------------------- */

struct crm_scorer;

/* Loads and compiles the scoring rules and grades (relative times in
 * rules count from tx->now).  Free with crm_scorer_free. */
int crm_scorer_open(struct crm_txn *tx, struct crm_scorer **s);
void crm_scorer_free(struct crm_scorer *s);

/* One rule's part in a score, for --explain. */
enum crm_term_kind { CRM_TERM_RULE, CRM_TERM_TOTAL, CRM_TERM_GRADE };
struct crm_score_term {
	enum crm_term_kind kind;
	const char *rule;	/* rule name; "total", "grade" at the end */
	const char *when;	/* its condition, or the grade's (may be NULL) */
	const char *value;	/* what the lead has there; the grade */
	int64_t points;		/* contributed: 0 when not met; the total */
	int met;
};

/*
 * Scores lead: *score is the sum of the points of the rules it meets,
 * *grade (borrowed from s) the grade of that score.  When fn is not
 * NULL it gets every rule's term, then a "total" and a "grade" term.
 */
int crm_lead_score(struct crm_txn *tx, struct crm_scorer *s,
    const struct crm_rec *lead, int64_t *score, const char **grade,
    int (*fn)(const struct crm_score_term *, void *), void *arg);

/* Recomputes and stores score and grade of lead id (audited).  Returns
 * 0 when they changed, 1 when not. */
int crm_lead_rescore(struct crm_txn *tx, struct crm_scorer *s, uint64_t id);

/*
 * The rule run on every new lead (from lib/rules.c): a lead added or
 * imported without a score is scored and graded; one that brings its
 * score keeps it and gets the grade of it when it has none.
 */
int crm_lead_on_insert(struct crm_txn *tx, struct crm_rec *nw);

/* The rule run before a campaign is written (from lib/rules.c): its
 * cost is not negative and it does not end before it starts. */
int crm_campaign_check(struct crm_txn *tx, const struct crm_rec *nw);

/* ---- routing --------------------------------------------------------- */

struct crm_router;

/* Loads the routing rules; CRM_EDATA "no routing rules …" when none. */
int crm_router_open(struct crm_txn *tx, struct crm_router **r);
void crm_router_free(struct crm_router *r);

enum crm_assign_outcome {
	CRM_ASSIGNED,		/* given to owner by rule */
	CRM_ASSIGN_OWNED,	/* has an owner already (not reassign) */
	CRM_ASSIGN_CLOSED,	/* converted or disqualified */
	CRM_ASSIGN_NORULE,	/* no rule's condition met */
	CRM_ASSIGN_FULL,	/* every member of the rules met is at cap */
};

struct crm_assignment {
	enum crm_assign_outcome outcome;
	const char *owner;	/* CRM_ASSIGNED: borrowed from the router */
	const char *rule;	/* CRM_ASSIGNED: the rule; FULL: the last */
	int64_t cap;		/* CRM_ASSIGN_FULL: that rule's cap */
};

/*
 * Assigns lead id by the rules: sets its owner (audited) and moves the
 * rule's turn on (stored in tx).  An owned lead is left alone unless
 * reassign.  Open leads (new, contacted, qualified) count towards caps,
 * the ones assigned in this transaction included.
 */
int crm_lead_assign(struct crm_txn *tx, struct crm_router *r, uint64_t id,
    int reassign, struct crm_assignment *out);

/* ---- status and conversion ------------------------------------------- */

/*
 * Sets lead id qualified (a disqualified lead's reason is cleared).
 * A converted lead is refused (CRM_EDATA).  Returns 1 when it was
 * qualified already.
 */
int crm_lead_qualify(struct crm_txn *tx, uint64_t id);

/* Sets lead id disqualified with reason (required); a converted lead
 * is refused. */
int crm_lead_disqualify(struct crm_txn *tx, uint64_t id, const char *reason);

struct crm_conversion {
	/* in: the deal to open, or deal_title NULL for none */
	const char *deal_title, *amount, *currency;
	/* out */
	uint64_t customer, contact, deal;	/* deal 0: none */
	unsigned matched;	/* CRM_DUPE_EMAIL or _PHONE: an existing
				 * customer was found that way; 0: new */
	int new_contact;	/* the contact was created, not found */
};

/*
 * Converts lead id: to the customer whose e-mail, else phone, is the
 * lead's (filling only its empty fields from the lead), else to a new
 * customer (named after the lead's company, else the lead); to a
 * contact of that customer with the lead's e-mail or phone, else a new
 * one (the lead's person); and, with a deal title, to a new deal of the
 * customer with the lead's owner and source.  The lead becomes
 * converted and keeps customer, contact and deal.  A lead that is
 * converted or disqualified is refused (CRM_EDATA).
 */
int crm_lead_convert(struct crm_txn *tx, uint64_t id,
    struct crm_conversion *c);

/* ---- selection ---------------------------------------------------------- */

/*
 * The ids of records of e to work on: ids[0..n) when ids is not NULL,
 * else every record; only those meeting every condition in where.
 * *out is malloc'd.
 */
int crm_select(struct crm_txn *tx, const struct crm_entity *e,
    const uint64_t *ids, size_t n, char *const *where, size_t nwhere,
    uint64_t **out, size_t *nout);

#endif
