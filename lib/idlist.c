/*
 * idlist.c — the ids under one key of a non-unique index, in blocks of
 * up to CRM_IDL_MAX (see idlist.h).
 */
#include <stdint.h>
#include <string.h>

#include "buf.h"
#include "idlist.h"

#define ID(p, i) crm_be64_get((const unsigned char *)(p) + 8 * (i))

static uint64_t
first_id(const MDB_val *b)
{
	return ID(b->mv_data, 0);
}

static uint64_t
last_id(const MDB_val *b)
{
	return ID(b->mv_data, b->mv_size / 8 - 1);
}

int
crm_idl_valid(const MDB_val *b)
{
	size_t i, n = b->mv_size / 8;

	if (b->mv_size % 8 != 0 || n == 0 || n > CRM_IDL_MAX ||
	    ID(b->mv_data, 0) == 0)
		return MDB_CORRUPTED;
	for (i = 1; i < n; i++)
		if (ID(b->mv_data, i - 1) >= ID(b->mv_data, i))
			return MDB_CORRUPTED;
	return 0;
}

/* Checked before the ids are read, so a bad block cannot overrun. */
static int
shape(const MDB_val *b)
{
	return b->mv_size % 8 != 0 || b->mv_size == 0 ||
	    b->mv_size > CRM_IDL_MAX * 8 ? MDB_CORRUPTED : 0;
}

/*
 * Puts c on the block of key where id belongs, *b: the last whose first
 * id is not above id, else the first.  *last: it is the key's last
 * block.  MDB_NOTFOUND: the key has none.  The last block is looked at
 * before any search among the others: a load adds above every id there.
 */
static int
seek_on(MDB_cursor *c, const MDB_val *key, uint64_t id, MDB_val *b, int *last);

static int
seek(MDB_cursor *c, const MDB_val *key, uint64_t id, MDB_val *b, int *last)
{
	MDB_val k = *key;
	int rc;

	*last = 0;
	rc = mdb_cursor_get(c, &k, b, MDB_SET_KEY);
	if (rc == 0)
		rc = shape(b);
	return rc != 0 ? rc : seek_on(c, key, id, b, last);
}

/* seek, with c already on the key's first block *b. */
static int
seek_on(MDB_cursor *c, const MDB_val *key, uint64_t id, MDB_val *b, int *last)
{
	MDB_val k = *key;
	unsigned char want[8];
	size_t ndup;
	int rc;

	*last = 0;
	if (first_id(b) >= id) {
		rc = mdb_cursor_count(c, &ndup);
		*last = rc == 0 && ndup == 1;
		return rc;
	}
	rc = mdb_cursor_get(c, &k, b, MDB_LAST_DUP);
	if (rc == 0)
		rc = shape(b);
	if (rc != 0 || first_id(b) <= id) {
		*last = 1;
		return rc;
	}
	/* Some block starts above id, and the first below it. */
	crm_be64_put(want, id);
	b->mv_data = want;
	b->mv_size = 8;
	rc = mdb_cursor_get(c, &k, b, MDB_GET_BOTH_RANGE);
	if (rc == 0)
		rc = shape(b);
	if (rc == 0 && first_id(b) != id)
		rc = mdb_cursor_get(c, &k, b, MDB_PREV_DUP);
	return rc == 0 ? shape(b) : rc;
}

/* The sorted union of a (na) and b (nb) into out; its length. */
static size_t
merge(const unsigned char *a, size_t na, const unsigned char *b, size_t nb,
    unsigned char *out)
{
	size_t i = 0, j = 0, n = 0;
	uint64_t x, prev = 0;

	while (i < na || j < nb) {
		if (j == nb || (i < na && ID(a, i) <= ID(b, j)))
			x = ID(a, i++);
		else
			x = ID(b, j++);
		if (n > 0 && x == prev)
			continue;
		crm_be64_put(out + 8 * n++, x);
		prev = x;
	}
	return n;
}

/*
 * Puts n ids as new blocks: full ones when they go at the end of the
 * key (a load: the next ids fill the last block), else halves, so an
 * insert into a full block leaves room on both sides.
 */
static int
put_blocks(MDB_cursor *c, const MDB_val *key, const unsigned char *ids,
    size_t n, int at_end)
{
	MDB_val k, d;
	size_t per, nb;
	int rc = 0;

	nb = (n + CRM_IDL_MAX - 1) / CRM_IDL_MAX;
	per = at_end ? CRM_IDL_MAX : (n + nb - 1) / nb;
	while (n > 0 && rc == 0) {
		k = *key;
		d.mv_data = (void *)ids;
		d.mv_size = 8 * (n < per ? n : per);
		rc = mdb_cursor_put(c, &k, &d, at_end ? MDB_APPENDDUP : 0);
		if (rc == MDB_KEYEXIST && at_end) {
			k = *key;
			d.mv_data = (void *)ids;
			rc = mdb_cursor_put(c, &k, &d, 0);
		}
		ids += d.mv_size;
		n -= d.mv_size / 8;
	}
	return rc;
}

int
crm_idl_add(MDB_cursor *c, const MDB_val *key, const unsigned char *ids,
    size_t n)
{
	unsigned char old[CRM_IDL_MAX * 8], out[CRM_IDL_MAX * 3 * 8];
	size_t i = 0, nold, take, nout, keep, ndup;
	uint64_t limit;
	MDB_val b, k;
	int rc, last, moved, above;

	/* One id (a reference: a deal's customer) most often starts a key:
	 * the put that finds the key there leaves c on its first block. */
	if (n == 1) {
		k = *key;
		b.mv_data = (void *)ids;
		b.mv_size = 8;
		rc = mdb_cursor_put(c, &k, &b, MDB_NOOVERWRITE);
		if (rc != MDB_KEYEXIST)
			return rc;
		rc = shape(&b);
		if (rc == 0)
			rc = mdb_cursor_count(c, &ndup);
		if (rc != 0)
			return rc;
		/* The key's only block: LMDB overwrites a lone duplicate
		 * in place (MDB_CURRENT), where a delete and a put would
		 * take the key out of its page and back. */
		nold = b.mv_size / 8;
		if (ndup == 1 && (nout = merge(b.mv_data, nold, ids, 1, out)) <=
		    CRM_IDL_MAX) {
			if (nout == nold)
				return 0;	/* there already */
			k = *key;
			b.mv_data = out;
			b.mv_size = 8 * nout;
			return mdb_cursor_put(c, &k, &b, MDB_CURRENT);
		}
	}
	while (i < n) {
		if (n == 1) {
			rc = shape(&b);
			if (rc == 0)
				rc = seek_on(c, key, ID(ids, i), &b, &last);
		} else
			rc = seek(c, key, ID(ids, i), &b, &last);
		if (rc != 0 && rc != MDB_NOTFOUND)
			return rc;
		nold = 0;
		limit = UINT64_MAX;
		moved = 0;
		if (rc == MDB_NOTFOUND)
			last = 1;
		else {
			nold = b.mv_size / 8;
			memcpy(old, b.mv_data, b.mv_size);
		}
		if (nold > 0 && !last) {
			k = *key;
			rc = mdb_cursor_get(c, &k, &b, MDB_NEXT_DUP);
			if (rc == 0)
				rc = shape(&b);
			if (rc == 0)
				limit = first_id(&b);
			else if (rc == MDB_NOTFOUND)
				last = 1;
			else
				return rc;
			moved = 1;
		}
		/* This block takes the ids below the next block's first. */
		for (take = 0; i + take < n && take < 2 * CRM_IDL_MAX &&
		    ID(ids, i + take) < limit; take++)
			;
		nout = merge(old, nold, ids + 8 * i, take, out);
		i += take;
		if (nout == nold)
			continue;	/* all there already */
		/* Above the block's last id: a full block stays as it is. */
		above = nold == 0 || ID(out, nold - 1) == ID(old, nold - 1);
		keep = nold == CRM_IDL_MAX && above ? nold : 0;
		if (nold > 0 && keep == 0) {
			if (moved) {	/* back to the block */
				k = *key;
				b.mv_data = old;
				b.mv_size = 8 * nold;
				rc = mdb_cursor_get(c, &k, &b, MDB_GET_BOTH);
			}
			if (rc == 0)
				rc = mdb_cursor_del(c, 0);
			if (rc != 0)
				return rc;
		}
		rc = put_blocks(c, key, out + 8 * keep, nout - keep,
		    last && above);
		if (rc != 0)
			return rc;
	}
	return 0;
}

/* Where id is in block b, or -1. */
static long
find(const MDB_val *b, uint64_t id)
{
	size_t lo = 0, hi = b->mv_size / 8, mid;
	uint64_t x;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		x = ID(b->mv_data, mid);
		if (x == id)
			return (long)mid;
		if (x < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return -1;
}

int
crm_idl_del(MDB_cursor *c, const MDB_val *key, uint64_t id)
{
	unsigned char rest[CRM_IDL_MAX * 8];
	MDB_val b, k;
	size_t n;
	long at;
	int rc, last;

	rc = seek(c, key, id, &b, &last);
	if (rc != 0)
		return rc;
	at = find(&b, id);
	if (at < 0)
		return MDB_NOTFOUND;
	n = b.mv_size / 8;
	memcpy(rest, b.mv_data, 8 * (size_t)at);
	memcpy(rest + 8 * at, (unsigned char *)b.mv_data + 8 * (at + 1),
	    8 * (n - (size_t)at - 1));
	rc = mdb_cursor_del(c, 0);
	if (rc != 0 || n == 1)
		return rc;
	k = *key;
	b.mv_data = rest;
	b.mv_size = 8 * (n - 1);
	return mdb_cursor_put(c, &k, &b, 0);
}

int
crm_idl_has(MDB_cursor *c, const MDB_val *key, uint64_t id)
{
	MDB_val b;
	int rc, last;

	rc = seek(c, key, id, &b, &last);
	if (rc == 0 && find(&b, id) < 0)
		rc = MDB_NOTFOUND;
	return rc;
}

int
crm_idl_next(MDB_cursor *c, const MDB_val *key, int first, uint64_t after,
    unsigned char *out, size_t *n, size_t *pos, int *final)
{
	MDB_val b, k = *key;
	size_t i, ndup;
	int rc, last = 0;

	if (first) {
		rc = mdb_cursor_get(c, &k, &b, MDB_SET_KEY);
		if (rc == 0)
			rc = mdb_cursor_count(c, &ndup);
		last = rc == 0 && ndup == 1;
	} else if (after == UINT64_MAX)
		return MDB_NOTFOUND;
	else {
		/* Found again from the last id given, not from where the
		 * cursor was: the caller may have changed the blocks since. */
		rc = seek(c, key, after + 1, &b, &last);
		if (rc == 0 && last_id(&b) <= after) {
			rc = mdb_cursor_get(c, &k, &b, MDB_NEXT_DUP);
			last = 0;
		}
	}
	if (rc == 0)
		rc = crm_idl_valid(&b);
	if (rc != 0)
		return rc;
	*final = last;
	memcpy(out, b.mv_data, b.mv_size);
	*n = b.mv_size / 8;
	for (i = 0; !first && i < *n && ID(out, i) <= after; i++)
		;
	*pos = i;
	return 0;
}

int
crm_idl_count(MDB_txn *t, MDB_dbi dbi, size_t *n)
{
	MDB_cursor *c;
	MDB_val k, b;
	int rc;

	*n = 0;
	rc = mdb_cursor_open(t, dbi, &c);
	if (rc != 0)
		return rc;
	for (rc = mdb_cursor_get(c, &k, &b, MDB_FIRST); rc == 0;
	    rc = mdb_cursor_get(c, &k, &b, MDB_NEXT))
		*n += b.mv_size / 8;
	mdb_cursor_close(c);
	return rc == MDB_NOTFOUND ? 0 : rc;
}

int
crm_idl_convert(MDB_txn *t, MDB_dbi from, MDB_dbi to)
{
	MDB_cursor *src = NULL, *dst = NULL;
	unsigned char key[512], ids[CRM_IDL_MAX * 8];
	MDB_val k, v, kk;
	size_t klen = 0, n = 0;
	int rc;

	rc = mdb_cursor_open(t, from, &src);
	if (rc == 0)
		rc = mdb_cursor_open(t, to, &dst);
	for (rc = rc != 0 ? rc : mdb_cursor_get(src, &k, &v, MDB_FIRST);
	    rc == 0; rc = mdb_cursor_get(src, &k, &v, MDB_NEXT)) {
		if (v.mv_size != 8 || k.mv_size > sizeof(key)) {
			rc = MDB_CORRUPTED;
			break;
		}
		if (n > 0 && (k.mv_size != klen ||
		    memcmp(k.mv_data, key, klen) != 0 || n == CRM_IDL_MAX)) {
			kk.mv_data = key;
			kk.mv_size = klen;
			rc = crm_idl_add(dst, &kk, ids, n);
			n = 0;
			if (rc != 0)
				break;
		}
		memcpy(key, k.mv_data, k.mv_size);
		klen = k.mv_size;
		memcpy(ids + 8 * n++, v.mv_data, 8);
	}
	if (rc == MDB_NOTFOUND && n > 0) {
		kk.mv_data = key;
		kk.mv_size = klen;
		rc = crm_idl_add(dst, &kk, ids, n);
	}
	if (src != NULL)
		mdb_cursor_close(src);
	if (dst != NULL)
		mdb_cursor_close(dst);
	return rc == MDB_NOTFOUND ? 0 : rc;
}
