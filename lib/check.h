/*
 * check.h — the consistency check behind `crm check`: what a crash, a
 * bug or a stray tool could have broken, looked at from one snapshot.
 *
 *   records    every record decodes, its required fields are set and
 *              its numbers are in bounds;
 *   indexes    each record's indexed values are in their index under
 *              its id, and each index entry is a value its record
 *              holds, so a unique index has no value twice;
 *   references every reference names a record that exists;
 *   invoices   an invoice's paid is the sum of its payments;
 *   audit      entries decode, are filed under their record, and agree
 *              with the records: a record exists unless its last entry
 *              deletes it, and has at least one entry;
 *   sequences  the next id, audit entry and change are past every one
 *              in use, so none is handed out twice.
 *
 * Problems go to a callback, one at a time; nothing is printed.
 */
#ifndef CRM_CHECK_H
#define CRM_CHECK_H

#include <stdint.h>

#include "db.h"

/* One problem; the strings are valid only during the callback. */
struct crm_problem {
	const char *entity;	/* "customer", …, or "audit", "meta" */
	uint64_t id;		/* record id, audit sequence number, or 0 */
	const char *field;	/* field, index or key; "" when none */
	const char *what;	/* the problem, in words */
};

/* What the check looked at. */
struct crm_check_counts {
	uint64_t records;
	uint64_t index_entries;
	uint64_t audit_entries;
	uint64_t problems;
};

/*
 * Checks the database as tx sees it (a read transaction), calling fn
 * for each problem; fn returns 0 to go on, anything else stops the
 * check and is returned.  Returns 0 when the check ran to its end, with
 * or without problems (counts->problems says), or an error that kept
 * it from reading on.  counts may be NULL.
 */
int crm_check(struct crm_txn *tx,
    int (*fn)(const struct crm_problem *, void *), void *arg,
    struct crm_check_counts *counts);

#endif
