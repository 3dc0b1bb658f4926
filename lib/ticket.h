/*
 * ticket.h — the service desk's rules: SLA policy and deadlines, the
 * status flow, replies and the first response, breaches, escalation,
 * satisfaction ratings and assignment rules.
 *
 * Rules that keep a ticket true whatever tool writes it (crm-ticket,
 * crm-import, set -) run from lib/rules.c in the store's transaction:
 *
 *   ticket created  deadlines set from the SLA policy of its priority,
 *                   counted from created_at, unless given; an active
 *                   ticket without an assignee is given one by the
 *                   assignment rules; one already in breach, or rated
 *                   low, is escalated.
 *   ticket changed  the status may only follow the flow
 *                   new → open | pending | resolved, open ↔ pending,
 *                   open | pending → resolved → closed, and reopen
 *                   (pending | resolved | closed → open); each step sets
 *                   its timestamp (resolved_at, closed_at; a reopen
 *                   clears them) and keeps the time spent pending; a
 *                   new priority gives new deadlines; a ticket is rated
 *                   once, when resolved or closed; a step taken in
 *                   breach, or a low rating, escalates it.
 *   reply added     an activity of kind reply to a ticket is its first
 *                   response when it is the earliest, and opens a new
 *                   ticket.
 *
 * SLA (DESIGN.md): per priority a first-response and a resolution time,
 * wall-clock from created_at; default urgent 30m/4h, high 2h/1d, normal
 * 8h/3d, low 1d/7d.  When pause_pending is on for the priority, time in
 * pending pushes the resolution deadline back.  A breach is a deadline
 * passed with its event not yet happened, or happened after it.
 */
#ifndef CRM_TICKET_H
#define CRM_TICKET_H

#include <stddef.h>
#include <stdint.h>

#include "db.h"
#include "record.h"

/* Priorities and statuses, in the order of the schema's lists. */
enum { CRM_PRIO_LOW, CRM_PRIO_NORMAL, CRM_PRIO_HIGH, CRM_PRIO_URGENT,
	CRM_NPRIO };
enum { CRM_TS_NEW, CRM_TS_OPEN, CRM_TS_PENDING, CRM_TS_RESOLVED,
	CRM_TS_CLOSED, CRM_NTS };

/* Name of priority or status i (static); index of a name, or -1. */
const char *crm_priority_name(int i);
int crm_priority_index(const char *s, size_t len);
const char *crm_status_name(int i);
int crm_status_index(const char *s, size_t len);

/* ---- SLA policy ------------------------------------------------------ */

struct crm_sla_row {
	int64_t first;		/* first response, seconds after created_at */
	int64_t resolution;	/* resolution, seconds after created_at */
	int pause_pending;	/* time in pending pushes the resolution back */
	int low_csat;		/* a rating at or below this escalates */
};

struct crm_sla {
	struct crm_sla_row p[CRM_NPRIO];	/* by priority */
};

/* The defaults of DESIGN.md (no pause, low CSAT 2). */
void crm_sla_defaults(struct crm_sla *sla);
/* The policy stored in the database, defaults where none is. */
int crm_sla_load(struct crm_txn *tx, struct crm_sla *sla);
/* Stores the policy, one setting for all priorities (CRM_EDATA naming
 * the priority when a time is not more than zero, or the resolution
 * comes before the first response). */
int crm_sla_store(struct crm_txn *tx, const struct crm_sla *sla);

/* "30m", "4h", "1d": seconds as the largest unit that is exact, which
 * crm_duration_parse reads back.  Appends to b. */
int crm_duration_format(struct crm_buf *b, int64_t secs);
/* "1d2h", "-45m": a signed span to the minute, for people. */
int crm_span_format(struct crm_buf *b, int64_t secs);

/* ---- the clock of a ticket -------------------------------------------- */

enum {
	CRM_BREACH_FIRST_MISSING = 1 << 0,	/* no first response, past due */
	CRM_BREACH_FIRST_LATE = 1 << 1,		/* first response after due */
	CRM_BREACH_RES_OVERDUE = 1 << 2,	/* not resolved, past due */
	CRM_BREACH_RES_LATE = 1 << 3,		/* resolved after due */
	CRM_SOON_FIRST = 1 << 4,		/* first response due soon */
	CRM_SOON_RES = 1 << 5,			/* resolution due soon */
};
#define CRM_BREACHED (CRM_BREACH_FIRST_MISSING | CRM_BREACH_FIRST_LATE | \
	CRM_BREACH_RES_OVERDUE | CRM_BREACH_RES_LATE)

struct crm_ticket_clock {
	int status;		/* CRM_TS_*, -1 when unset */
	int active;		/* new, open or pending */
	int has_first, has_res;
	int64_t first_due;
	int64_t res_due;	/* with the pending time so far when paused */
	int has_next;
	int64_t next_due;	/* the deadline worked to now: the first
				 * response's until there is one, then the
				 * resolution's (active tickets only) */
	unsigned breach;	/* CRM_BREACH_* and CRM_SOON_* bits */
	int64_t breached_at;	/* the earliest deadline breached */
};

/* The state of ticket t at now; soon > 0 also flags deadlines that fall
 * within soon seconds. */
void crm_ticket_clock(const struct crm_sla *sla, const struct crm_rec *t,
    int64_t now, int64_t soon, struct crm_ticket_clock *c);

/* "first_response_missing;resolution_overdue": the words of bits,
 * ';'-separated, appended to b. */
int crm_breach_text(struct crm_buf *b, unsigned bits);

/* ---- rules, called from lib/rules.c ------------------------------------ */

/* Before a ticket is written (old NULL for a creation). */
int crm_ticket_before(struct crm_txn *tx, const struct crm_rec *old,
    struct crm_rec *nw);
/* After an activity is written: replies make the first response. */
int crm_ticket_after(struct crm_txn *tx, const struct crm_rec *old,
    const struct crm_rec *nw);

/* ---- steps -------------------------------------------------------------- */

/* What a step did, for the message a tool prints. */
struct crm_ticket_step {
	int from, to;		/* statuses before and after */
	int escalated;		/* the step escalated the ticket */
	char why[96];		/* and why (crm_breach_text words, low_csat) */
	uint64_t activity;	/* the reply or comment written */
};

/*
 * Moves ticket id to status to (CRM_EDATA naming both when the flow
 * does not allow it, or when it is there already).  To open is to
 * reopen: a new ticket is opened by its first reply, not this way.
 */
int crm_ticket_move(struct crm_txn *tx, uint64_t id, int to,
    struct crm_ticket_step *st);

/*
 * A reply to the customer (reply set) or an internal comment, as an
 * activity of the ticket by the acting user, now; a reply is the
 * customer's too.  A closed ticket takes no reply.  With to >= 0 the
 * ticket then moves to that status (when it is not there yet).
 */
int crm_ticket_note(struct crm_txn *tx, uint64_t id, int reply,
    const char *text, int to, struct crm_ticket_step *st);

/*
 * Closes a resolved ticket, with a rating 1-5 (0: none) and the
 * customer's comment (NULL: none).  A closed ticket not yet rated takes
 * its rating this way; one rated already refuses another.
 */
int crm_ticket_close(struct crm_txn *tx, uint64_t id, int csat,
    const char *comment, struct crm_ticket_step *st);

/* Sets the assignee (NULL or "" clears); 1 when it was so already. */
int crm_ticket_assign(struct crm_txn *tx, uint64_t id, const char *user);

/* ---- views ---------------------------------------------------------------- */

enum crm_ticket_view {
	CRM_TV_QUEUE,		/* active tickets, next deadline first */
	CRM_TV_BREACHES,	/* active tickets in breach (or due soon) */
	CRM_TV_ESCALATIONS,	/* escalated, or active and in breach */
};

struct crm_ticket_sel {
	enum crm_ticket_view view;
	int64_t soon;		/* breaches: also those due within, seconds */
	const char *assignee;	/* queue: only this user's (NULL: all) */
};

/*
 * Calls fn for each ticket of the view, in its order, with the ticket's
 * clock.  The records are copies, valid during the call.
 */
int crm_ticket_select(struct crm_txn *tx, const struct crm_ticket_sel *sel,
    int (*fn)(const struct crm_rec *t, const struct crm_ticket_clock *c,
    void *arg), void *arg);

/* Copies of records in a growing array; free with crm_reclist_free. */
struct crm_reclist {
	struct crm_rec **r;
	size_t n, cap;
};

/* Appends a copy of r to the list arg: a callback for crm_refs_each. */
int crm_reclist_add(const struct crm_rec *r, void *arg);
void crm_reclist_free(struct crm_reclist *l);

/*
 * The tickets of t's customer created before t, newest first, at most
 * limit, appended to out; *more counts those left out.
 */
int crm_ticket_earlier(struct crm_txn *tx, const struct crm_rec *t,
    size_t limit, struct crm_reclist *out, size_t *more);

/* ---- assignment rules ------------------------------------------------------ */

/*
 * A rule gives the tickets of a category (any category: "*") to one
 * user, or to a team in turn (round robin).  Kept in the database.
 */
struct crm_assign_rule {
	char *category;
	char **users;
	size_t nusers;
	size_t next;		/* whose turn it is */
};

struct crm_assign_rules {
	struct crm_assign_rule *r;
	size_t n;
};

/* Loads the rules, in the order they were added; free with
 * crm_assign_free. */
int crm_assign_load(struct crm_txn *tx, struct crm_assign_rules *rules);
void crm_assign_free(struct crm_assign_rules *rules);
/* Adds the rule of a category, or replaces it (its turn starts over). */
int crm_assign_put(struct crm_txn *tx, const char *category,
    char *const *users, size_t nusers);
/* Deletes the rule of a category; CRM_ENOTFOUND when there is none. */
int crm_assign_delete(struct crm_txn *tx, const char *category);

#endif
