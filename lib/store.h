/*
 * store.h — records in the database: fetch, insert, update, delete,
 * look up by reference, iterate; indexes and the audit log are kept in
 * the same transaction as every change.
 */
#ifndef CRM_STORE_H
#define CRM_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "db.h"
#include "record.h"

/*
 * Fetches record id of r->ent into r.  In a read transaction strings
 * are borrowed from the map (valid until crm_txn_end); in a write
 * transaction they are copied, since a later put may move pages.
 * CRM_ENOTFOUND (with detail "customer 7: not found") when absent.
 */
int crm_fetch(struct crm_txn *tx, struct crm_rec *r, uint64_t id);

/*
 * The fields of mask only (bit f for field f), strings borrowed even in
 * a write transaction: for a caller that reads a few values and writes
 * nothing before it is done with them (a sum of amounts).
 */
int crm_fetch_some(struct crm_txn *tx, struct crm_rec *r, uint64_t id,
    uint64_t mask);

/*
 * Resolves a reference to a record of e: "42" (id), "ext:E0001",
 * "email:ann@example.com", "FIELD:value" for any unique field, or a
 * bare value tried as id, then against each unique field in turn.
 * CRM_ENOTFOUND with detail when nothing matches.
 */
int crm_lookup(struct crm_txn *tx, const struct crm_entity *e,
    const char *ref, size_t len, uint64_t *id);

/*
 * Completes r for writing: converts pending money, resolves pending
 * references (CRM_EDATA "field 'customer': \"E9\": no such customer").
 */
int crm_resolve(struct crm_txn *tx, struct crm_rec *r);

/*
 * Inserts r as a new record: defaults applied, required fields checked,
 * created_at (unless given) and updated_at set to tx->now, a new id
 * assigned (r->id is set on return), unique keys checked (CRM_EEXIST
 * with detail; tx->conflict_id and conflict_field name the holder,
 * nothing of r was written and r is as given, references and money
 * resolved), indexes written, audited as a creation.
 */
int crm_insert(struct crm_txn *tx, struct crm_rec *r);

/*
 * Writes nw over old (same id): each changed field is indexed and
 * audited; updated_at is set.  Returns 0, or 1 when nothing changed
 * (and nothing was written).
 */
int crm_update(struct crm_txn *tx, const struct crm_rec *old,
    struct crm_rec *nw);

/*
 * Changes record id of e: fetches it, lets edit change a copy, and
 * writes the copy back with crm_update.  Returns 0 when written, 1 when
 * nothing changed, or an error (edit's own included).
 */
int crm_edit(struct crm_txn *tx, const struct crm_entity *e, uint64_t id,
    int (*edit)(struct crm_rec *nw, void *arg), void *arg);

/* Deletes old (as fetched): record, index entries, audited with its
 * full contents so it can be restored. */
int crm_delete(struct crm_txn *tx, const struct crm_rec *old);

/* Re-creates a deleted record with its old id (used by undo). */
int crm_restore(struct crm_txn *tx, struct crm_rec *r);

/*
 * The first record (lowest id for a non-unique index) whose field f has
 * the value r holds in f, through f's index: 0 and *id, or
 * CRM_ENOTFOUND (no detail set).  f must be indexed and set in r.
 */
int crm_find_by(struct crm_txn *tx, const struct crm_rec *r, int f,
    uint64_t *id);

/* True when a record with that id exists. */
int crm_exists(struct crm_txn *tx, const struct crm_entity *e, uint64_t id);

/* The entries of field f's index: ids under a key, every key's. */
int crm_index_entries(struct crm_txn *tx, const struct crm_entity *e, int f,
    size_t *n);

/* Iteration over records, in id order, or over ids under an index key. */
struct crm_iter;
int crm_iter_all(struct crm_txn *tx, const struct crm_entity *e,
    struct crm_iter **it);
/* Ids whose field f has the value text (normal form applied).  Ids
 * written under it while iterating may or may not be given: collect
 * first, then write. */
int crm_iter_index(struct crm_txn *tx, const struct crm_entity *e, int f,
    const char *text, size_t len, struct crm_iter **it);
/* Next id; with iter_all also the borrowed encoded bytes.  Returns 0,
 * CRM_ENOTFOUND at the end, or an error. */
int crm_iter_next(struct crm_iter *it, uint64_t *id, const void **data,
    size_t *len);
void crm_iter_free(struct crm_iter *it);

/*
 * Work for crm_insert done ahead, off the writer's path (in an import's
 * reader thread): the key of each indexed field and the encoding of the
 * fields after updated_at, made from r as crm_insert will store it (the
 * defaults of a creation filled in).  crm_prepare points r->prep here;
 * crm_insert takes a key or the encoding only while r still holds the
 * values it was made from (a rule or a resolved reference may change a
 * field in between) and makes the rest itself.  r is left as it was.
 * The caller owns p (zeroed first) and frees it with crm_prep_free.
 */
#define CRM_PREP_MAXCUST 8
struct crm_prep {
	struct crm_val v[CRM_MAX_FIELDS];	/* r's values when made */
	struct crm_custom cust[CRM_PREP_MAXCUST];
	size_t ncust;
	int tail;		/* the encoding is made (at tail_off in buf) */
	size_t tail_off;
	uint32_t koff[CRM_MAX_FIELDS], klen[CRM_MAX_FIELDS];	/* keys in
				 * buf; klen CRM_PREP_NOKEY when not made */
	struct crm_buf buf;
};
#define CRM_PREP_NOKEY UINT32_MAX
void crm_prepare(struct crm_rec *r, int64_t now, struct crm_prep *p);
void crm_prep_free(struct crm_prep *p);

/* The index key of a text value of field f (normal form), into out. */
int crm_index_key(const struct crm_entity *e, int f, const char *text,
    size_t len, struct crm_buf *out);

/* Names of custom fields ever used on e, sorted, NUL-separated in out;
 * *n counts them. */
int crm_custom_names(struct crm_txn *tx, const struct crm_entity *e,
    struct crm_buf *out, size_t *n);

#endif
