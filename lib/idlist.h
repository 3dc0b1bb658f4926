/*
 * idlist.h — the ids under one key of a non-unique index ("customer.owner":
 * "dana" → every customer of dana's), packed in blocks.
 *
 * Each block is one duplicate of the key in an MDB_DUPSORT table: up to
 * CRM_IDL_MAX ids, big-endian, ascending.  Blocks sort by their first
 * id, and no two overlap, so the ids of a key are its blocks in order.
 * A load of a key's next 126 ids is then three puts where one id per
 * duplicate (schema version 2) made 126, each through LMDB's sub-tree.
 *
 * Every function works on a cursor of the table, leaves no pointer into
 * the map behind, and returns 0, MDB_NOTFOUND or an LMDB error.
 */
#ifndef CRM_IDLIST_H
#define CRM_IDLIST_H

#include <stddef.h>
#include <stdint.h>

#include <lmdb.h>

/* A duplicate is a key of LMDB's sub-tree: at most 511 bytes. */
#define CRM_IDL_MAX 63

/* Adds n ids (big-endian, ascending, distinct); those already there
 * are no change. */
int crm_idl_add(MDB_cursor *c, const MDB_val *key, const unsigned char *ids,
    size_t n);

/* Removes id: MDB_NOTFOUND when it is not there. */
int crm_idl_del(MDB_cursor *c, const MDB_val *key, uint64_t id);

/* 0 when id is under key, else MDB_NOTFOUND. */
int crm_idl_has(MDB_cursor *c, const MDB_val *key, uint64_t id);

/*
 * The block of key holding the first id after `after` (any id when
 * first is set): copied into out (room for CRM_IDL_MAX ids), *n ids
 * from *pos on are the ones after it.  MDB_NOTFOUND past the last.
 * *final: it is the key's last block, so a caller that only reads
 * need not ask again (ids added above it since would not be seen).
 */
int crm_idl_next(MDB_cursor *c, const MDB_val *key, int first, uint64_t after,
    unsigned char *out, size_t *n, size_t *pos, int *final);

/* 0 when a block read from the map is well formed: 1 to CRM_IDL_MAX
 * ids, ascending, none 0. */
int crm_idl_valid(const MDB_val *block);

/* The ids in table dbi, every key's. */
int crm_idl_count(MDB_txn *t, MDB_dbi dbi, size_t *n);

/* Copies a table of one id per duplicate (MDB_DUPFIXED, as schema
 * version 2 kept them) into dbi's blocks. */
int crm_idl_convert(MDB_txn *t, MDB_dbi from, MDB_dbi to);

#endif
