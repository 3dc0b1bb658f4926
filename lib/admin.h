/*
 * admin.h — looking after the database as a whole: facts about it
 * (crm stats) and hot backups (crm backup).  Nothing here prints.
 */
#ifndef CRM_ADMIN_H
#define CRM_ADMIN_H

#include <stdint.h>

#include "check.h"
#include "db.h"

/*
 * Facts about the database as tx sees it, as (name, value) pairs in a
 * fixed order: path, schema_version, file_bytes, used_bytes, map_bytes,
 * page_size, readers; records.ENTITY for each entity; index.ENTITY.FIELD
 * (entries) for each index; audit_entries; bytes.records,
 * bytes.indexes, bytes.audit (pages in use); last_change and its
 * last_change_at, last_change_user, last_change_tool (empty values when
 * nothing has changed yet).  fn returns 0 to go on; anything else stops
 * and is returned.  The strings are valid during the call only.
 */
int crm_stats(struct crm_txn *tx,
    int (*fn)(const char *name, const char *value, void *arg), void *arg);

/* What a backup wrote. */
struct crm_backup_info {
	char *path;		/* the file written (malloc'd), NULL for stdout */
	uint64_t bytes;		/* its size */
	struct crm_check_counts check;	/* when verified */
};

enum { CRM_BACKUP_VERIFY = 1 };

/*
 * Writes a compacted copy of the database, one consistent snapshot
 * taken while other processes may go on writing (LMDB's
 * mdb_env_copyfd2 with MDB_CP_COMPACT), to path: "-" is standard
 * output; an existing directory gets DIR/data.mdb, so it can be opened
 * as a database; any other path is a file, to be restored as some
 * DIR/data.mdb.  The copy goes to a temporary file beside the target
 * and is renamed over it only when whole, so a failed backup leaves no
 * half file and an older backup in place.
 *
 * With CRM_BACKUP_VERIFY the copy is opened and checked (crm_check,
 * problems to fn) before it replaces anything; a copy with problems is
 * CRM_EDATA and is not kept.  Refuses (CRM_EUSAGE) to write over the
 * database itself.  Fills info (free info->path) on success.
 */
int crm_backup(struct crm_db *db, const char *path, unsigned flags,
    int (*fn)(const struct crm_problem *, void *), void *arg,
    struct crm_backup_info *info);

#endif
