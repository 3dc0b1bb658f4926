/*
 * audit.h — the audit log: every change, written in the same
 * transaction as the change itself.  An entry records when, who, which
 * tool, the change id (one per write transaction, so an import or a
 * merge is one change), the entity and record, and the field with its
 * old and new text.  A deletion stores the old record's encoding in
 * "old", so it can be reversed; a creation stores nothing more (the
 * record is in the store, and every later update logs the old value).
 */
#ifndef CRM_AUDIT_H
#define CRM_AUDIT_H

#include <stddef.h>
#include <stdint.h>

#include "db.h"

enum crm_audit_op {
	CRM_AUDIT_CREATE = 1,
	CRM_AUDIT_UPDATE = 2,
	CRM_AUDIT_DELETE = 3,
	CRM_AUDIT_MERGE = 4,	/* on the kept record: "new" is the merged id;
				 * a marker, the moves are audited themselves */
};

/* One entry; strings are borrowed from the map (length-counted). */
struct crm_audit {
	uint64_t seq;
	uint64_t change;
	int64_t at;
	int entity;		/* crm_entity.num */
	uint64_t id;
	int op;
	const char *user, *tool, *field, *old, *nw;
	size_t ulen, tlen, flen, olen, nlen;
};

int crm_audit_add(struct crm_txn *tx, const struct crm_entity *e,
    uint64_t id, int op, const char *field, size_t flen, const void *old,
    size_t olen, const void *nw, size_t nlen);

/*
 * The creation of record id of e: as crm_audit_add(tx, e, id,
 * CRM_AUDIT_CREATE, …) with nothing else to say, but creations of
 * consecutive ids in a row are stored as one entry (see audit.c), as a
 * load makes them.  crm_audit_each still hands out one per record.
 */
int crm_audit_created(struct crm_txn *tx, const struct crm_entity *e,
    uint64_t id);

/* The change id of this transaction, assigned on first use. */
int crm_audit_change(struct crm_txn *tx, uint64_t *change);

/*
 * Calls fn for each entry, oldest first: of one record when e is not
 * NULL, of one change when change != 0, else all.  fn returns 0 to go
 * on; anything else stops and is returned.
 */
int crm_audit_each(struct crm_txn *tx, const struct crm_entity *e,
    uint64_t id, uint64_t change,
    int (*fn)(const struct crm_audit *, void *), void *arg);

/*
 * For crm check, without knowing how the log is laid out: whether
 * record id of e has an entry (0, else CRM_ENOTFOUND); whether entry a,
 * as crm_audit_each hands it out, is filed under its record; and each
 * record the log files entries under, with how many (entity numbers as
 * stored, so a damaged one shows).
 */
int crm_audit_has(struct crm_txn *tx, const struct crm_entity *e,
    uint64_t id);
int crm_audit_filed(struct crm_txn *tx, const struct crm_audit *a);
/* The first stored entry that does not decode (0 when none), and how
 * many are stored after it. */
int crm_audit_first_bad(struct crm_txn *tx, uint64_t *seq, uint64_t *after);
int crm_audit_named(struct crm_txn *tx,
    int (*fn)(int entity, uint64_t id, uint64_t nlisted, void *), void *arg);

/*
 * Settings (pipelines, the SLA policy, scoring and routing rules,
 * dunning levels) are audited as well, filed under a pseudo-entity
 * "setting" with id 0: the field is the setting's name, old and new its
 * text.  It has no fields and is not one of crm_entities; undo puts the
 * old text back.
 */
#define CRM_AUDIT_SETTING 127
extern const struct crm_entity crm_audit_setting;

/* What an entry is about: crm_entity_bynum(num), or the settings. */
const struct crm_entity *crm_audit_entity(int num);

/* Stores a setting and audits the change (nothing when it is the same).
 * Counters and cursors the tools keep as settings use crm_setting_put. */
int crm_setting_change(struct crm_txn *tx, const char *name,
    const char *value);

/* Text of the operation: "create", "update", "delete". */
const char *crm_audit_opname(int op);

/*
 * Reverses change: creations are deleted, deletions restored, updates
 * set back — newest first — as a new change.  A record changed again
 * since is refused (CRM_EDATA naming it) unless force.  *n counts the
 * entries reversed.
 */
int crm_undo(struct crm_txn *tx, uint64_t change, int force, size_t *n);

#endif
