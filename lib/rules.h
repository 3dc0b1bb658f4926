/*
 * rules.h — business rules that keep derived fields true whatever tool
 * writes a record: called by the store around every insert, update and
 * delete, in the same transaction.
 *
 * The rules live with their entities: deal.h (stages, probability,
 * stage and close times), invoice.h (paid, status, payments), lead.h
 * (a new lead without a score is scored and graded; a campaign's cost is
 * not negative and it does not end before it starts), ticket.h (deadlines,
 * status flow, ratings, escalation, assignment; a reply activity is its
 * ticket's first response).
 */
#ifndef CRM_RULES_H
#define CRM_RULES_H

#include "db.h"
#include "record.h"

/* Defaults that other values depend on (a payment's currency, which
 * sets how its amount is read): after references resolve, before money
 * is parsed. */
int crm_rules_defaults(struct crm_txn *tx, struct crm_rec *nw);

/* Before writing nw (old is NULL for an insert): refuse what the rules
 * forbid (CRM_EDATA with detail). */
int crm_rules_before(struct crm_txn *tx, const struct crm_rec *old,
    struct crm_rec *nw);

/* After the write (nw NULL for a delete, old NULL for an insert). */
int crm_rules_after(struct crm_txn *tx, const struct crm_rec *old,
    const struct crm_rec *nw);

#endif
