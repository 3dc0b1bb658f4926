/*
 * customer.h — the customer rules that are more than storing fields:
 * likely duplicates, merge, what refers to a customer, and the agenda
 * of follow-ups.  Written against the schema, so deals, invoices and
 * tickets (any entity with a field referring to "customer") are moved
 * by merge and counted by crm_refs_count without changes here.
 */
#ifndef CRM_CUSTOMER_H
#define CRM_CUSTOMER_H

#include <stddef.h>
#include <stdint.h>

#include "db.h"
#include "record.h"

enum {
	CRM_DUPE_EMAIL = 1,
	CRM_DUPE_PHONE = 2,
	CRM_DUPE_NAME = 4,
	CRM_DUPE_COMPANY = 8,	/* a lead's company against customer names */
	CRM_DUPE_NCRIT = 4,	/* number of criteria */
};

/*
 * Finds likely duplicate customers: the same e-mail (case and spaces
 * aside), the same phone number (its last 9 digits, since exports
 * differ in country codes and trunk prefixes), or the same name key
 * (crm_name_key: case, spaces, punctuation and company forms aside).
 * Groups are closed over all criteria (A~B by e-mail, B~C by phone puts
 * A, B, C together).  fn is called for each member of each group, in
 * order of group then id, with the group number (1, 2, …) and the
 * criteria that tied it to its group.
 */
int crm_dupes(struct crm_txn *tx, unsigned by,
    int (*fn)(uint64_t group, uint64_t id, unsigned why, void *arg),
    void *arg);

/*
 * The same over the records of several entities (customers and leads):
 * each compares its own e-mail, phone and name fields, and with
 * CRM_DUPE_COMPANY a lead's company meets customers' names (never
 * another lead's company).  Only groups holding a record that want
 * accepts are reported (all groups when want is NULL), numbered 1, 2, …
 * in order.
 */
int crm_dupes_among(struct crm_txn *tx, const struct crm_entity *const *ents,
    size_t nents, int (*want)(const struct crm_rec *), unsigned by,
    int (*fn)(uint64_t group, const struct crm_entity *e, uint64_t id,
    unsigned why, void *arg), void *arg);

/* Adds the criteria named in spec ("email,phone") to *by; names outside
 * allowed are CRM_EUSAGE ("--by \"x\": not email, phone or name"). */
int crm_dupes_parse(const char *spec, unsigned allowed, unsigned *by);

/* Appends the names of the criteria in why, ';'-separated ("email;name"). */
int crm_dupes_why(struct crm_buf *out, unsigned why);

/*
 * Merges customers dups[0..n) into keep, in tx: records of any entity
 * that refer to a duplicate are moved to keep; keep's empty fields are
 * filled from the duplicates (tags are joined, custom fields added);
 * the duplicates are deleted.  All of it is audited as one change, so
 * crm_undo reverses it.
 */
int crm_merge(struct crm_txn *tx, uint64_t keep, const uint64_t *dups,
    size_t n);

/*
 * Counts records of other entities that refer to record id of e, and
 * describes them in desc ("2 contacts, 1 deal") when not NULL.
 */
int crm_refs_count(struct crm_txn *tx, const struct crm_entity *e,
    uint64_t id, size_t *count, struct crm_buf *desc);

/*
 * Deletes the records of entity dep (contacts, activities) that refer
 * to record id of e.
 */
int crm_refs_delete(struct crm_txn *tx, const struct crm_entity *e,
    uint64_t id, const struct crm_entity *dep);

/*
 * Calls fn(item, ref, ref id) for each record of `of` whose field refers
 * to record id of e — the single customer view's sections.
 */
int crm_refs_each(struct crm_txn *tx, const struct crm_entity *e,
    uint64_t id, const struct crm_entity *of,
    int (*fn)(const struct crm_rec *, void *), void *arg);

/*
 * The agenda: activities with a follow-up date on or before today +
 * days that are not done, oldest first; with owner, only those whose
 * customer's owner is owner (or, for an activity without a customer
 * owner, whose author is).  fn gets the activity and its customer
 * (NULL when none).
 */
int crm_agenda(struct crm_txn *tx, const char *owner, int64_t days,
    int (*fn)(const struct crm_rec *act, const struct crm_rec *cust,
    void *arg), void *arg);

#endif
