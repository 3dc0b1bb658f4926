/*
 * db.h — the database: one LMDB environment per directory, with a named
 * database per entity ("customer": id → encoded record), per unique
 * field ("customer.email": normal form → id) or other indexed field
 * ("customer.owner.ids": value → blocks of ids, idlist.h), for settings
 * and sequences ("meta"), and for the audit log ("audit", "audit.rec").
 *
 * Writers are serialised by LMDB and, before that, by a lock file that
 * is waited on for at most $CRM_BUSY_TIMEOUT seconds (default 30), so a
 * second writer gets CRM_EBUSY instead of hanging.  The map grows by
 * itself: a write that fills it is aborted, the map doubled and the
 * write run again from the start — which is why writes are callbacks.
 */
#ifndef CRM_DB_H
#define CRM_DB_H

#include <stddef.h>
#include <stdint.h>

#include <lmdb.h>

#include "buf.h"
#include "schema.h"

#define CRM_MAX_ENTITIES 16
#define CRM_MAX_FIELDS 32
#define CRM_MAX_DBI 128		/* named databases in one environment */

struct crm_db;

struct crm_txn {
	struct crm_db *db;
	MDB_txn *t;
	int rw;
	int64_t now;		/* "now" of the whole transaction */
	const char *user;	/* acting user, for audit */
	const char *tool;	/* program name, for audit */
	uint64_t change;	/* change id of this write, 0 until the first */
	uint64_t audit_next;	/* next audit sequence, 0 until loaded */
	uint64_t next_id[CRM_MAX_ENTITIES];	/* 0 until loaded */
	int attempt;		/* 0 on the first run of a write callback */
	uint64_t conflict_id;	/* after CRM_EEXIST: the record holding the key */
	int conflict_field;	/* and the field */
	struct crm_buf kbuf, vbuf;	/* scratch for keys and values */
	struct crm_buf abuf;	/* scratch for audit entries */
	MDB_cursor *wc[CRM_MAX_DBI];	/* per DBI: the cursor of crm_put
					 * and crm_del, opened on first use */
	unsigned char noapp[CRM_MAX_DBI];	/* puts before an append is
					 * tried again */
	struct crm_dupq *dupq;		/* ids gathered by crm_put */
	struct crm_pager *pager;	/* see crm_pager_start */
	unsigned puts;			/* crm_put calls, for the pager */
	struct {			/* creations not yet in the audit */
		const struct crm_entity *e;	/* log (audit.c) */
		uint64_t first, n, seq;
	} run;
	int (*before_commit)(struct crm_txn *);	/* set by a module with
					 * writes of its own still to make */
	int stamped;			/* schema version checked (db.c) */
	int undoing;			/* crm_undo at work: it puts back
					 * what the rules once derived */
	struct crm_memo {		/* see crm_memo_get */
		const void *key;
		void *val;
		void (*free)(void *);
	} memo[4];
};

enum { CRM_OPEN_RDONLY = 0, CRM_OPEN_RDWR = 1 };

/*
 * A module's memo for the length of one transaction — settings parsed
 * once for a million-row import rather than once a row.  key is any
 * address of the module's own; put hands val (freed with free when the
 * transaction ends, or on drop) to the transaction, or frees it and
 * returns ENOMEM when all slots are taken.  A settings change
 * (crm_setting_change) drops them all; whoever changes anything else a
 * memo was made from drops it.
 */
void *crm_memo_get(struct crm_txn *tx, const void *key);
int crm_memo_put(struct crm_txn *tx, const void *key, void *val,
    void (*free)(void *));
void crm_memo_drop(struct crm_txn *tx, const void *key);
/* Drops every memo: a setting changed (crm_setting_change), and memos
 * are made from settings. */
void crm_memo_clear(struct crm_txn *tx);

/*
 * Where the database lives: opt (from --db) if not NULL, else $CRM_DB,
 * else ${XDG_DATA_HOME:-$HOME/.local/share}/crm.  Appends to out.
 */
int crm_db_dir(const char *opt, struct crm_buf *out);

/*
 * Opens (and with CRM_OPEN_RDWR creates: directory 0700, files 0600)
 * the database in dir.  A read-only open of a missing database is
 * CRM_ENOINPUT.  A database from a newer crm is CRM_EVERSION.
 * tool and user are recorded in the audit log of every write.
 */
int crm_db_open(const char *dir, int mode, const char *tool,
    const char *user, struct crm_db **out);
void crm_db_close(struct crm_db *db);
const char *crm_db_path(const struct crm_db *db);

/* A read transaction: one consistent snapshot.  End with crm_txn_end. */
int crm_read_begin(struct crm_db *db, struct crm_txn *tx);
void crm_txn_end(struct crm_txn *tx);

/*
 * Runs fn in one write transaction and commits it when fn returns 0;
 * any other return aborts it and is returned.  fn may be run more than
 * once (after growing the map): it must start from scratch each time
 * (tx->attempt says which run) and keep side effects out until
 * crm_write returns.
 */
int crm_write(struct crm_db *db, int (*fn)(struct crm_txn *, void *),
    void *arg);

/*
 * Makes room for extra more bytes of data before a big write (an
 * import of a large file), so the write does not have to be run again
 * each time the map fills.  Takes the write lock briefly.
 */
int crm_db_reserve(struct crm_db *db, size_t extra);

/* DBI handles, for the store and audit modules. */
MDB_dbi crm_db_records(const struct crm_db *db, const struct crm_entity *e);
/* The index of field f, or 0 when it has none. */
MDB_dbi crm_db_index(const struct crm_db *db, const struct crm_entity *e,
    int f);
/* The fields of e that have an index: *nunique unique ones, then the
 * others; *n in all. */
void crm_db_keyed(const struct crm_db *db, const struct crm_entity *e,
    const int **fields, int *n, int *nunique);
MDB_dbi crm_db_meta(const struct crm_db *db);
MDB_dbi crm_db_audit(const struct crm_db *db);
MDB_dbi crm_db_audit_rec(const struct crm_db *db);

/*
 * Marks the database as written in the format of CRM_SCHEMA_VERSION,
 * which a crm older than that cannot read: called in the transaction
 * that first writes something only this version understands.
 */
int crm_db_stamp(struct crm_txn *tx);

/* Settings: small text values in "meta", under "set/" + name; an empty
 * value removes one (so it reads as never set: the default). */
int crm_setting_get(struct crm_txn *tx, const char *name, struct crm_buf *out);
int crm_setting_put(struct crm_txn *tx, const char *name, const char *value);

/*
 * crm_put gathers the ids of a key of a table of duplicates (an index
 * such as owner or tags) and puts them together; this puts what waits
 * for table dbi (0: all).  Whatever reads such a table in a write calls
 * it first (the store does), and crm_write before the commit.
 */
int crm_dups_flush(struct crm_txn *tx, MDB_dbi dbi);

/*
 * mdb_put and mdb_del through one cursor per DBI, kept for the whole
 * write transaction.  A put next to the last one (new ids, sorted
 * keys: most of a load) lands on the page the cursor is on, and LMDB
 * skips the search from the root; a put past the last key is tried as
 * an append first.  dup: val is an id for a non-unique index, which
 * keeps a key's ids in blocks (idlist.h).  Every write to records, indexes and
 * the audit log must come through these two: an append through
 * another cursor would leave this one on a page that is no longer the
 * last, and MDB_APPEND trusts it to be.
 * crm_del deletes one duplicate (of an index: one id) when val is
 * given, else the key.
 */
int crm_put(struct crm_txn *tx, MDB_dbi dbi, MDB_val *key, MDB_val *val,
    unsigned flags, int dup);
int crm_del(struct crm_txn *tx, MDB_dbi dbi, MDB_val *key, MDB_val *val);

/*
 * A long write (a big import) puts data on hundreds of megabytes of new
 * pages, and the first touch of each stops the writer in the kernel.  A
 * pager thread faults them in ahead, a bounded window past the highest
 * page crm_put has written to, and bytes in all (what the write is
 * expected to add; nothing for a small write).  Start it inside a write
 * callback and stop it before the callback returns (crm_txn_end stops
 * it too).  Optional: when it cannot start, the write goes on without.
 */
void crm_pager_start(struct crm_txn *tx, size_t bytes);
void crm_pager_stop(struct crm_txn *tx);

/* Maps an LMDB or system error to ours (MAP_FULL → CRM_EFULL and so on). */
int crm_db_err(int rc);

#endif
