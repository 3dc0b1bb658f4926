/*
 * invoice.h — invoices, payments and dunning.
 *
 *   invoice  paid is the sum of its payments and status follows from it
 *            (open, partial, paid; void stays void, and only an invoice
 *            without payments may be voided) — both recomputed on every
 *            write, whatever a user or an import gives.
 *   payment  takes its invoice's currency; more than zero; may not take
 *            an invoice past its amount (overpayment is refused); a void
 *            invoice takes no payment.
 *   overdue  due_on before today and paid < amount (not void); days
 *            overdue = today - due_on; outstanding = amount - paid; the
 *            dunning level from the days overdue, by default 1 at 1-15,
 *            2 at 16-30, 3 at 31-60, 4 above 60 (setting
 *            "invoice.dunning").  An invoice's dunning_level field holds
 *            the level it was last reminded at, reminded_at when.
 */
#ifndef CRM_INVOICE_H
#define CRM_INVOICE_H

#include <stddef.h>
#include <stdint.h>

#include "db.h"
#include "record.h"

/* Rules, called by lib/rules.c. */
int crm_payment_defaults(struct crm_txn *tx, struct crm_rec *nw);
int crm_payment_before(struct crm_txn *tx, const struct crm_rec *old,
    struct crm_rec *nw);
int crm_payment_after(struct crm_txn *tx, const struct crm_rec *old,
    const struct crm_rec *nw);
int crm_invoice_before(struct crm_txn *tx, const struct crm_rec *old,
    struct crm_rec *nw);

/* A free invoice number, "INV-000001" counting up (setting
 * "invoice.next"), skipping numbers already taken. */
int crm_invoice_number(struct crm_txn *tx, struct crm_buf *out);

/* Part i (0-based) of total split into k instalments: equal parts, the
 * minor units left over going one each to the first ones. */
int64_t crm_instalment(int64_t total, int64_t k, int64_t i);

/*
 * An instalment interval: N d, w, m (calendar months) or y; then the
 * date n intervals after day.  CRM_EUSAGE when it does not parse.
 */
struct crm_every {
	int64_t n;
	char unit;	/* 'd' or 'm' (weeks are days, years months) */
};
int crm_every_parse(const char *s, struct crm_every *ev);
int64_t crm_every_add(int64_t day, const struct crm_every *ev, int64_t n);

/* Dunning thresholds: level i + 1 starts at days[i] days overdue. */
#define CRM_DUNNING_MAX 16
struct crm_dunning {
	int64_t days[CRM_DUNNING_MAX];
	size_t n;
};
int crm_dunning_load(struct crm_txn *tx, struct crm_dunning *d);
int crm_dunning_save(struct crm_txn *tx, const struct crm_dunning *d);
int crm_dunning_level(const struct crm_dunning *d, int64_t days_overdue);

/* Outstanding and overdue state of an invoice at day `today`. */
struct crm_overdue {
	int64_t outstanding;
	int64_t days;		/* overdue; <= 0 when not yet due */
	int level;		/* dunning level for days, 0 when not overdue */
	int reminded;		/* level it was last reminded at */
};
/* 1 when inv is overdue (o filled), 0 when not. */
int crm_invoice_overdue(const struct crm_rec *inv, int64_t today,
    const struct crm_dunning *d, struct crm_overdue *o);

/*
 * Overdue invoices, most overdue first, with days >= min_days and (when
 * level > 0) at that dunning level; with mark, only those not yet
 * reminded at their current level, which are then marked (dunning_level,
 * reminded_at = now) — tx must be a write transaction.  fn gets each
 * invoice as it is after marking.
 */
int crm_overdue_each(struct crm_txn *tx, int64_t min_days, int level,
    int mark, int (*fn)(const struct crm_rec *, const struct crm_overdue *,
    void *), void *arg);

/* Voids an invoice: refused once it has payments. */
int crm_invoice_void(struct crm_txn *tx, uint64_t id);

/* What a customer owes, per currency: the outstanding amounts of its
 * invoices (void ones aside) and the part of them overdue today;
 * fn(currency, outstanding, overdue, exponent) for each currency with a
 * balance. */
int crm_customer_balance(struct crm_txn *tx, uint64_t customer,
    int (*fn)(const char *cur, int64_t outstanding, int64_t overdue,
    int exponent, void *), void *arg);

#endif
