/*
 * audit.c — the audit log and undo.  Entries are keyed by a sequence
 * number, so they read back in the order they were written; change ids
 * grow with it, so one change's entries are contiguous and found by a
 * binary search instead of another index.  "audit.rec" lists the
 * entries of each record: entity byte and id → sequence numbers.
 *
 * Runs.  A load creates records by the million, each with the same
 * creation entry but for its id.  Creations of consecutive ids, one
 * after the other in a transaction, are kept as one entry (op OP_RUN,
 * id the first, "new" the count as a varint) at the sequence number of
 * the first, the run's other numbers left unused, and one key in
 * audit.rec: RUNKEY | entity, first id.  Ids are never reused, so runs
 * never overlap.  Readers never see a run: crm_audit_each hands out a
 * creation per record, with the sequence number it would have had on
 * its own.  A run of one is written as a plain creation.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit.h"
#include "error.h"
#include "record.h"
#include "store.h"

static int
add_str(struct crm_buf *b, const void *s, size_t len)
{
	int rc = crm_buf_addvarint(b, len);

	return rc == 0 && len > 0 ? crm_buf_add(b, s, len) : rc;
}

static int
load_seq(struct crm_txn *tx, const char *name, uint64_t *out)
{
	MDB_val k = { strlen(name), (void *)name }, v;
	int rc;

	rc = mdb_get(tx->t, crm_db_meta(tx->db), &k, &v);
	if (rc == MDB_NOTFOUND) {
		*out = 1;
		return 0;
	}
	if (rc == 0)
		*out = crm_be64_get(v.mv_data);
	return rc;
}

int
crm_audit_change(struct crm_txn *tx, uint64_t *change)
{
	int rc = 0;

	if (tx->change == 0)
		rc = load_seq(tx, "seq/change", &tx->change);
	*change = tx->change;
	return rc;
}

#define OP_RUN 100	/* never handed out: see "Runs" above */
#define RUNKEY 0x80

/* The entry numbered seq, with its audit.rec key (rk0: the key's first
 * byte, the entity's number or RUNKEY with it). */
static int
put_entry(struct crm_txn *tx, uint64_t seq, const struct crm_entity *e,
    uint64_t id, int op, const char *field, size_t flen, const void *old,
    size_t olen, const void *nw, size_t nlen, int rk0)
{
	struct crm_buf *b = &tx->abuf;	/* reused: one entry per row */
	unsigned char kb[8], rk[9];
	MDB_val key = { 8, kb }, val, rkey = { 9, rk }, rval = { 8, kb };
	uint64_t change;
	int rc;

	crm_buf_reset(b);
	rc = crm_audit_change(tx, &change);
	if (rc != 0)
		return rc;
	rc = crm_buf_addvarint(b, (uint64_t)tx->now);
	if (rc == 0)
		rc = crm_buf_addvarint(b, change);
	if (rc == 0)
		rc = add_str(b, tx->user, strlen(tx->user));
	if (rc == 0)
		rc = add_str(b, tx->tool, strlen(tx->tool));
	if (rc == 0)
		rc = crm_buf_addvarint(b, (uint64_t)e->num);
	if (rc == 0)
		rc = crm_buf_addvarint(b, id);
	if (rc == 0)
		rc = crm_buf_addvarint(b, (uint64_t)op);
	if (rc == 0)
		rc = add_str(b, field, flen);
	if (rc == 0)
		rc = add_str(b, old, olen);
	if (rc == 0)
		rc = add_str(b, nw, nlen);
	if (rc != 0)
		return rc;
	crm_be64_put(kb, seq);
	val.mv_data = b->p;
	val.mv_size = b->len;
	rc = crm_put(tx, crm_db_audit(tx->db), &key, &val, MDB_NOOVERWRITE, 0);
	if (rc != 0)
		return rc;
	rk[0] = (unsigned char)rk0;
	crm_be64_put(rk + 1, id);
	return crm_put(tx, crm_db_audit_rec(tx->db), &rkey, &rval, 0, 0);
}

/* Writes the open run, if any. */
static int
run_flush(struct crm_txn *tx)
{
	unsigned char cnt[10];
	uint64_t n = tx->run.n;
	size_t cl;
	int rc;

	tx->run.n = 0;
	tx->before_commit = NULL;
	if (n == 0)
		return 0;
	if (n == 1)
		return put_entry(tx, tx->run.seq, tx->run.e, tx->run.first,
		    CRM_AUDIT_CREATE, "", 0, NULL, 0, NULL, 0, tx->run.e->num);
	cl = (size_t)(crm_varint_put(cnt, n) - cnt);
	rc = crm_db_stamp(tx);	/* older crm cannot read runs */
	if (rc == 0)
		rc = put_entry(tx, tx->run.seq, tx->run.e, tx->run.first, OP_RUN,
		    "", 0, NULL, 0, cnt, cl, RUNKEY | tx->run.e->num);
	return rc;
}

/* Loads the sequences an entry needs. */
static int
entry_seqs(struct crm_txn *tx)
{
	uint64_t change;
	int rc;

	rc = crm_audit_change(tx, &change);
	if (rc == 0 && tx->audit_next == 0)
		rc = load_seq(tx, "seq/audit", &tx->audit_next);
	return rc;
}

int
crm_audit_add(struct crm_txn *tx, const struct crm_entity *e, uint64_t id,
    int op, const char *field, size_t flen, const void *old, size_t olen,
    const void *nw, size_t nlen)
{
	int rc;

	rc = run_flush(tx);	/* it comes first */
	if (rc == 0)
		rc = entry_seqs(tx);
	if (rc == 0)
		rc = put_entry(tx, tx->audit_next, e, id, op, field, flen, old,
		    olen, nw, nlen, e->num);
	if (rc == 0)
		tx->audit_next++;
	return rc;
}

const struct crm_entity crm_audit_setting = {
	"setting", "settings", CRM_AUDIT_SETTING, NULL, 0, -1, -1
};

const struct crm_entity *
crm_audit_entity(int num)
{
	return num == CRM_AUDIT_SETTING ? &crm_audit_setting :
	    crm_entity_bynum(num);
}

int
crm_setting_change(struct crm_txn *tx, const char *name, const char *value)
{
	struct crm_buf old = CRM_BUF_INIT;
	size_t len = strlen(value);
	int rc;

	rc = crm_setting_get(tx, name, &old);
	if (rc == CRM_ENOTFOUND)
		rc = 0;
	if (rc != 0 || (old.len == len && memcmp(old.p, value, len) == 0))
		goto done;
	rc = crm_setting_put(tx, name, value);
	if (rc == 0)
		crm_memo_clear(tx);	/* what was parsed from it is old */
	if (rc == 0)
		rc = crm_audit_add(tx, &crm_audit_setting, 0, CRM_AUDIT_UPDATE,
		    name, strlen(name), old.p, old.len, value, len);
done:
	crm_buf_free(&old);
	return rc;
}

int
crm_audit_created(struct crm_txn *tx, const struct crm_entity *e,
    uint64_t id)
{
	int rc;

	rc = entry_seqs(tx);
	if (rc != 0)
		return rc;
	if (tx->run.n > 0 && tx->run.e == e && id == tx->run.first + tx->run.n &&
	    tx->audit_next == tx->run.seq + tx->run.n) {
		tx->run.n++;
		tx->audit_next++;
		return 0;
	}
	rc = run_flush(tx);
	if (rc != 0)
		return rc;
	tx->run.e = e;
	tx->run.first = id;
	tx->run.n = 1;
	tx->run.seq = tx->audit_next++;
	tx->before_commit = run_flush;
	return 0;
}

static int
get_str(const unsigned char **p, const unsigned char *end, const char **s,
    size_t *len)
{
	uint64_t n;

	if (crm_varint_get(p, end, &n) != 0 || n > (uint64_t)(end - *p))
		return CRM_ECORRUPT;
	*s = (const char *)*p;
	*len = (size_t)n;
	*p += n;
	return 0;
}

static int
decode(uint64_t seq, const MDB_val *v, struct crm_audit *a)
{
	const unsigned char *p = v->mv_data, *end = p + v->mv_size;
	uint64_t x[5];
	int rc;

	memset(a, 0, sizeof(*a));
	a->seq = seq;
	rc = crm_varint_get(&p, end, &x[0]);
	if (rc == 0)
		rc = crm_varint_get(&p, end, &x[1]);
	if (rc == 0)
		rc = get_str(&p, end, &a->user, &a->ulen);
	if (rc == 0)
		rc = get_str(&p, end, &a->tool, &a->tlen);
	if (rc == 0)
		rc = crm_varint_get(&p, end, &x[2]);
	if (rc == 0)
		rc = crm_varint_get(&p, end, &x[3]);
	if (rc == 0)
		rc = crm_varint_get(&p, end, &x[4]);
	if (rc == 0)
		rc = get_str(&p, end, &a->field, &a->flen);
	if (rc == 0)
		rc = get_str(&p, end, &a->old, &a->olen);
	if (rc == 0)
		rc = get_str(&p, end, &a->nw, &a->nlen);
	if (rc != 0)
		return CRM_ECORRUPT;
	a->at = (int64_t)x[0];
	a->change = x[1];
	a->entity = (int)x[2];
	a->id = x[3];
	a->op = (int)x[4];
	return 0;
}

/* Entries a decoded entry stands for: a run's count, else 1. */
static int
entry_count(const struct crm_audit *a, uint64_t *n)
{
	const unsigned char *p = (const unsigned char *)a->nw;

	*n = 1;
	if (a->op != OP_RUN)
		return 0;
	if (crm_varint_get(&p, p + a->nlen, n) != 0 || *n < 2 ||
	    a->id + *n < a->id)
		return CRM_ECORRUPT;
	return 0;
}

/* The creation i of run a, as if it had been written on its own. */
static void
run_item(struct crm_audit *a, uint64_t i)
{
	a->seq += i;
	a->id += i;
	a->op = CRM_AUDIT_CREATE;
	a->nw = "";
	a->nlen = 0;
}

/* Entry seq, run or not, decoded from a copy in *copy (which undo may
 * keep while it writes). */
static int
entry_at(struct crm_txn *tx, uint64_t seq, struct crm_buf *copy,
    struct crm_audit *a)
{
	MDB_cursor *c = NULL;
	MDB_val k, v, cv;
	unsigned char kb[8];
	uint64_t at, n;
	int rc;

	rc = mdb_cursor_open(tx->t, crm_db_audit(tx->db), &c);
	if (rc != 0)
		return rc;
	crm_be64_put(kb, seq);
	k.mv_data = kb;
	k.mv_size = 8;
	rc = mdb_cursor_get(c, &k, &v, MDB_SET_RANGE);
	/* Not a key of its own: a creation inside a run before it. */
	if (rc == 0 && crm_be64_get(k.mv_data) != seq)
		rc = mdb_cursor_get(c, &k, &v, MDB_PREV);
	else if (rc == MDB_NOTFOUND)
		rc = mdb_cursor_get(c, &k, &v, MDB_LAST);
	if (rc == MDB_NOTFOUND)
		rc = CRM_ECORRUPT;
	crm_buf_reset(copy);
	if (rc == 0)
		rc = crm_buf_add(copy, v.mv_data, v.mv_size);
	if (rc == 0) {
		at = crm_be64_get(k.mv_data);
		cv.mv_data = copy->p;
		cv.mv_size = copy->len;
		rc = decode(at, &cv, a);
	}
	if (rc == 0)
		rc = entry_count(a, &n);
	if (rc == 0 && seq - at >= n)
		rc = CRM_ECORRUPT;
	if (rc == 0 && a->op == OP_RUN)
		run_item(a, seq - at);
	mdb_cursor_close(c);
	return rc;
}

/*
 * The creation of record id of e inside a run, if it was made in one:
 * 0 and *a, CRM_ENOTFOUND, or an error.  c is a cursor on audit.rec.
 */
static int
run_of(struct crm_txn *tx, MDB_cursor *c, const struct crm_entity *e,
    uint64_t id, struct crm_audit *a)
{
	unsigned char kb[9];
	MDB_val k = { 9, kb }, v, av;
	uint64_t first, n;
	int rc;

	kb[0] = (unsigned char)(RUNKEY | e->num);
	crm_be64_put(kb + 1, id);
	rc = mdb_cursor_get(c, &k, &v, MDB_SET_RANGE);
	/* The run starting at id, else the last one starting before it. */
	if (rc == 0 && (k.mv_size != 9 || memcmp(k.mv_data, kb, 9) != 0))
		rc = mdb_cursor_get(c, &k, &v, MDB_PREV);
	else if (rc == MDB_NOTFOUND)
		rc = mdb_cursor_get(c, &k, &v, MDB_LAST);
	if (rc == MDB_NOTFOUND || (rc == 0 && (k.mv_size != 9 ||
	    *(unsigned char *)k.mv_data != kb[0])))
		return CRM_ENOTFOUND;
	if (rc != 0)
		return rc;
	first = crm_be64_get((unsigned char *)k.mv_data + 1);
	k.mv_data = v.mv_data;
	k.mv_size = 8;
	rc = mdb_get(tx->t, crm_db_audit(tx->db), &k, &av);
	if (rc == 0)
		rc = decode(crm_be64_get(v.mv_data), &av, a);
	if (rc == 0)
		rc = entry_count(a, &n);
	if (rc == 0 && (a->op != OP_RUN || a->id != first))
		rc = CRM_ECORRUPT;
	if (rc != 0)
		return rc == MDB_NOTFOUND ? CRM_ECORRUPT : rc;
	if (id - first >= n)
		return CRM_ENOTFOUND;
	run_item(a, id - first);
	return 0;
}

const char *
crm_audit_opname(int op)
{
	switch (op) {
	case CRM_AUDIT_CREATE: return "create";
	case CRM_AUDIT_UPDATE: return "update";
	case CRM_AUDIT_DELETE: return "delete";
	case CRM_AUDIT_MERGE: return "merge";
	default: return "?";
	}
}

/* The first sequence number whose change is >= change. */
static int
first_of_change(MDB_cursor *c, uint64_t change, uint64_t *seq)
{
	MDB_val k, v;
	struct crm_audit a;
	uint64_t lo, hi, mid;
	unsigned char kb[8];
	int rc;

	rc = mdb_cursor_get(c, &k, &v, MDB_LAST);
	if (rc != 0)
		return rc;
	hi = crm_be64_get(k.mv_data) + 1;
	lo = 1;
	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		crm_be64_put(kb, mid);
		k.mv_data = kb;
		k.mv_size = 8;
		rc = mdb_cursor_get(c, &k, &v, MDB_SET_RANGE);
		if (rc == MDB_NOTFOUND) {
			hi = mid;
			continue;
		}
		if (rc == 0)
			rc = decode(crm_be64_get(k.mv_data), &v, &a);
		if (rc != 0)
			return rc;
		if (a.change < change)
			lo = crm_be64_get(k.mv_data) + 1;
		else
			hi = mid;
	}
	*seq = lo;
	return 0;
}

int
crm_audit_each(struct crm_txn *tx, const struct crm_entity *e, uint64_t id,
    uint64_t change, int (*fn)(const struct crm_audit *, void *), void *arg)
{
	MDB_cursor *c = NULL, *rc_cur = NULL;
	MDB_val k, v;
	struct crm_audit a, run;
	unsigned char kb[9];
	uint64_t seq, n, i;
	int rc, have_run;

	rc = tx->rw ? run_flush(tx) : 0;
	if (rc == 0)
		rc = mdb_cursor_open(tx->t, crm_db_audit(tx->db), &c);
	if (rc != 0)
		return rc;
	if (e != NULL) {
		rc = mdb_cursor_open(tx->t, crm_db_audit_rec(tx->db), &rc_cur);
		if (rc != 0)
			goto done;
		/* Its creation in a run comes in sequence with the rest. */
		rc = run_of(tx, rc_cur, e, id, &run);
		have_run = rc == 0;
		if (rc == CRM_ENOTFOUND)
			rc = 0;
		if (rc != 0)
			goto done;
		kb[0] = (unsigned char)e->num;
		crm_be64_put(kb + 1, id);
		k.mv_data = kb;
		k.mv_size = 9;
		for (rc = mdb_cursor_get(rc_cur, &k, &v, MDB_SET_KEY); rc == 0;
		    rc = mdb_cursor_get(rc_cur, &k, &v, MDB_NEXT_DUP)) {
			MDB_val ak = { 8, v.mv_data }, av;

			rc = mdb_get(tx->t, crm_db_audit(tx->db), &ak, &av);
			if (rc == 0)
				rc = decode(crm_be64_get(v.mv_data), &av, &a);
			if (rc == 0 && have_run && run.seq < a.seq) {
				have_run = 0;
				rc = fn(&run, arg);
			}
			if (rc == 0)
				rc = fn(&a, arg);
			if (rc != 0)
				goto done;
		}
		if (rc == MDB_NOTFOUND && have_run)
			rc = fn(&run, arg);
		goto done;
	}
	if (change != 0) {
		rc = first_of_change(c, change, &seq);
		if (rc != 0)
			goto done;
		crm_be64_put(kb, seq);
		k.mv_data = kb;
		k.mv_size = 8;
		rc = mdb_cursor_get(c, &k, &v, MDB_SET_RANGE);
	} else
		rc = mdb_cursor_get(c, &k, &v, MDB_FIRST);
	for (; rc == 0; rc = mdb_cursor_get(c, &k, &v, MDB_NEXT)) {
		rc = decode(crm_be64_get(k.mv_data), &v, &a);
		if (rc == 0)
			rc = entry_count(&a, &n);
		if (rc != 0)
			goto done;
		if (change != 0 && a.change != change)
			break;
		for (i = 0, run = a; i < n && rc == 0; i++) {
			if (run.op == OP_RUN) {
				a = run;
				run_item(&a, i);
			}
			rc = fn(&a, arg);
		}
		if (rc != 0)
			goto done;
	}
	rc = 0;
done:
	if (rc == MDB_NOTFOUND)
		rc = 0;
	if (rc_cur != NULL)
		mdb_cursor_close(rc_cur);
	mdb_cursor_close(c);
	return rc;
}

/* ---- for crm check ------------------------------------------------- */

/* The plain key of (entity number, id) in audit.rec: its entries, or 0. */
static int
plain_count(MDB_cursor *c, int entity, uint64_t id, size_t *n)
{
	unsigned char kb[9];
	MDB_val k = { 9, kb }, v;
	int rc;

	*n = 0;
	kb[0] = (unsigned char)entity;
	crm_be64_put(kb + 1, id);
	rc = mdb_cursor_get(c, &k, &v, MDB_SET_KEY);
	if (rc == 0)
		rc = mdb_cursor_count(c, n);
	return rc == MDB_NOTFOUND ? 0 : rc;
}

static int
in_run(struct crm_txn *tx, MDB_cursor *c, const struct crm_entity *e,
    uint64_t id, struct crm_audit *a)
{
	int rc = e != NULL ? run_of(tx, c, e, id, a) : CRM_ENOTFOUND;

	return rc == CRM_ENOTFOUND ? 0 : rc == 0 ? 1 : rc;
}

int
crm_audit_has(struct crm_txn *tx, const struct crm_entity *e, uint64_t id)
{
	MDB_cursor *c = NULL;
	struct crm_audit a;
	size_t n = 0;
	int rc;

	rc = mdb_cursor_open(tx->t, crm_db_audit_rec(tx->db), &c);
	if (rc == 0)
		rc = plain_count(c, e->num, id, &n);
	if (rc == 0 && n == 0)
		rc = in_run(tx, c, e, id, &a);
	if (rc == 0 && n == 0)
		rc = CRM_ENOTFOUND;
	else if (rc == 1)
		rc = 0;
	if (c != NULL)
		mdb_cursor_close(c);
	return rc;
}

int
crm_audit_filed(struct crm_txn *tx, const struct crm_audit *a)
{
	const struct crm_entity *e = crm_entity_bynum(a->entity);
	MDB_cursor *c = NULL;
	struct crm_audit run;
	unsigned char kb[9], sb[8];
	MDB_val k = { 9, kb }, v = { 8, sb };
	int rc;

	rc = mdb_cursor_open(tx->t, crm_db_audit_rec(tx->db), &c);
	if (rc == 0 && a->op == CRM_AUDIT_CREATE) {
		rc = in_run(tx, c, e, a->id, &run);
		if (rc == 1)
			rc = run.seq == a->seq ? 2 : 0;
	}
	if (rc == 0) {
		kb[0] = (unsigned char)a->entity;
		crm_be64_put(kb + 1, a->id);
		crm_be64_put(sb, a->seq);
		rc = mdb_cursor_get(c, &k, &v, MDB_GET_BOTH);
		if (rc == MDB_NOTFOUND)
			rc = CRM_ENOTFOUND;
	}
	if (c != NULL)
		mdb_cursor_close(c);
	return rc == 2 ? 0 : rc;
}

int
crm_audit_first_bad(struct crm_txn *tx, uint64_t *seq, uint64_t *after)
{
	MDB_cursor *c = NULL;
	MDB_val k, v;
	struct crm_audit a;
	uint64_t n;
	int rc;

	*seq = *after = 0;
	rc = mdb_cursor_open(tx->t, crm_db_audit(tx->db), &c);
	for (rc = rc != 0 ? rc : mdb_cursor_get(c, &k, &v, MDB_FIRST);
	    rc == 0; rc = mdb_cursor_get(c, &k, &v, MDB_NEXT)) {
		if (*seq != 0) {
			(*after)++;
			continue;
		}
		if (k.mv_size != 8 || decode(crm_be64_get(k.mv_data), &v,
		    &a) != 0 || entry_count(&a, &n) != 0) {
			crm_clearerr();
			*seq = k.mv_size == 8 ? crm_be64_get(k.mv_data) : 0;
		}
	}
	if (c != NULL)
		mdb_cursor_close(c);
	return rc == MDB_NOTFOUND ? 0 : rc;
}

int
crm_audit_named(struct crm_txn *tx,
    int (*fn)(int entity, uint64_t id, uint64_t nlisted, void *), void *arg)
{
	MDB_cursor *c = NULL, *look = NULL;
	MDB_val k, v;
	struct crm_audit a;
	int rc;

	rc = mdb_cursor_open(tx->t, crm_db_audit_rec(tx->db), &c);
	if (rc == 0)
		rc = mdb_cursor_open(tx->t, crm_db_audit_rec(tx->db), &look);
	for (rc = rc != 0 ? rc : mdb_cursor_get(c, &k, &v, MDB_FIRST);
	    rc == 0; rc = mdb_cursor_get(c, &k, &v, MDB_NEXT_NODUP)) {
		const unsigned char *kp = k.mv_data;
		int num = kp[0] & ~RUNKEY;
		const struct crm_entity *e = crm_entity_bynum(num);
		uint64_t id, i, n;
		size_t ndup = 0;

		if (k.mv_size != 9)
			return CRM_ECORRUPT;
		id = crm_be64_get(kp + 1);
		if (!(kp[0] & RUNKEY)) {
			rc = mdb_cursor_count(c, &ndup);
			if (rc == 0)
				rc = in_run(tx, look, e, id, &a);
			if (rc == CRM_ECORRUPT) {
				crm_clearerr();
				rc = 0;
			}
			if (rc == 0 || rc == 1)
				rc = fn(num, id, ndup + (rc == 1), arg);
			if (rc != 0)
				break;
			continue;
		}
		/* A run: its records that no plain key names (those came
		 * above, their creation counted in). */
		if (e == NULL) {
			rc = fn(num, id, 1, arg);
			if (rc != 0)
				break;
			continue;
		}
		n = 0;
		rc = run_of(tx, look, e, id, &a);
		if (rc == CRM_ECORRUPT || rc == CRM_ENOTFOUND) {
			crm_clearerr();
			rc = 0;	/* the entry is reported as it is read */
			continue;
		}
		if (rc == 0) {
			MDB_val ak = { 8, v.mv_data }, av;

			rc = mdb_get(tx->t, crm_db_audit(tx->db), &ak, &av);
			if (rc == 0)
				rc = decode(crm_be64_get(v.mv_data), &av, &a);
			if (rc == 0)
				rc = entry_count(&a, &n);
		}
		for (i = 0; rc == 0 && i < n; i++) {
			rc = plain_count(look, num, id + i, &ndup);
			if (rc == 0 && ndup == 0)
				rc = fn(num, id + i, 1, arg);
		}
		if (rc != 0)
			break;
	}
	if (rc == MDB_NOTFOUND)
		rc = 0;
	if (look != NULL)
		mdb_cursor_close(look);
	if (c != NULL)
		mdb_cursor_close(c);
	return rc;
}

/* ---- undo ----------------------------------------------------------- */

struct entry_list {
	uint64_t *seq;
	size_t n, cap;
};

static int
collect(const struct crm_audit *a, void *arg)
{
	struct entry_list *l = arg;

	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 64;
		uint64_t *p = realloc(l->seq, cap * sizeof(*p));

		if (p == NULL)
			return ENOMEM;
		l->seq = p;
		l->cap = cap;
	}
	l->seq[l->n++] = a->seq;
	return 0;
}

/* Finds an entry of a later change than the one being undone. */
struct later {
	uint64_t change, self;
	uint64_t found;
};

static int
later_change(const struct crm_audit *a, void *arg)
{
	struct later *l = arg;

	if (a->change > l->change && a->change != l->self && !l->found)
		l->found = a->change;
	return 0;
}

/*
 * The updates of one record in a change are reversed together, in one
 * crm_update: the rules then see the whole old state at once (a deal's
 * stage and its stage_changed_at come back together, and the rule does
 * not stamp the move back as new).
 */
struct pending {
	struct crm_rec *cur, *nw;
};

static int
flush(struct crm_txn *tx, struct pending *p)
{
	int rc = 0;

	if (p->cur != NULL) {
		rc = crm_update(tx, p->cur, p->nw);
		if (rc == 1)
			rc = 0;
	}
	crm_rec_free(p->cur);
	crm_rec_free(p->nw);
	p->cur = p->nw = NULL;
	return rc;
}

/* A setting back to its old text, unless it changed since. */
static int
undo_setting(struct crm_txn *tx, const struct crm_audit *a, int force)
{
	struct crm_buf name = CRM_BUF_INIT, cur = CRM_BUF_INIT,
	    old = CRM_BUF_INIT;
	int rc;

	if (a->op != CRM_AUDIT_UPDATE || a->id != 0)
		return CRM_ECORRUPT;
	/* C strings of the entry's texts (crm_buf_add terminates them) */
	rc = crm_buf_add(&name, a->field, a->flen);
	if (rc == 0)
		rc = crm_buf_add(&old, a->old, a->olen);
	if (rc == 0)
		rc = crm_setting_get(tx, name.p, &cur);
	if (rc == CRM_ENOTFOUND)
		rc = 0;
	if (rc == 0 && !force && (cur.len != a->nlen ||
	    (cur.len > 0 && memcmp(cur.p, a->nw, cur.len) != 0)))
		rc = crm_seterr(CRM_EDATA, "setting '%s' changed since; not "
		    "undone (use --force)", name.p);
	if (rc == 0)
		rc = crm_setting_change(tx, name.p, old.p);
	crm_buf_free(&name);
	crm_buf_free(&cur);
	crm_buf_free(&old);
	return rc;
}

static int
undo_one(struct crm_txn *tx, const struct crm_audit *a, int force,
    struct pending *p)
{
	const struct crm_entity *e = crm_entity_bynum(a->entity);
	struct crm_rec *cur = NULL, *nw = NULL;
	struct crm_buf txt = CRM_BUF_INIT;
	int rc = 0, f;

	if (a->entity == CRM_AUDIT_SETTING) {
		rc = flush(tx, p);
		return rc != 0 ? rc : undo_setting(tx, a, force);
	}
	if (e == NULL)
		return CRM_ECORRUPT;
	cur = crm_rec_new(e);
	nw = crm_rec_new(e);
	if (cur == NULL || nw == NULL) {
		rc = ENOMEM;
		goto done;
	}
	if (a->op != CRM_AUDIT_UPDATE)
		rc = flush(tx, p);
	if (rc != 0)
		goto done;
	switch (a->op) {
	case CRM_AUDIT_CREATE:
		if (!force) {
			struct later l = { a->change, tx->change, 0 };

			rc = crm_audit_each(tx, e, a->id, 0, later_change, &l);
			if (rc == 0 && l.found)
				rc = crm_seterr(CRM_EDATA,
				    "%s %llu changed since (change %llu); not "
				    "undone (use --force)", e->name,
				    (unsigned long long)a->id,
				    (unsigned long long)l.found);
			if (rc != 0)
				break;
		}
		rc = crm_fetch(tx, cur, a->id);
		if (rc == CRM_ENOTFOUND) {
			crm_clearerr();
			rc = 0;	/* already gone */
			break;
		}
		if (rc == 0)
			rc = crm_delete(tx, cur);
		break;
	case CRM_AUDIT_DELETE:
		if (crm_exists(tx, e, a->id))
			break;	/* already restored */
		rc = crm_rec_decode(nw, a->id, a->old, a->olen, CRM_DECODE_COPY);
		if (rc == 0)
			rc = crm_restore(tx, nw);
		break;
	case CRM_AUDIT_UPDATE:
		if (p->cur != NULL && (p->cur->ent != e || p->cur->id != a->id))
			rc = flush(tx, p);
		if (rc == 0 && p->cur == NULL) {
			rc = crm_fetch(tx, cur, a->id);
			if (rc == CRM_ENOTFOUND && force) {
				crm_clearerr();
				rc = 0;
				break;
			}
			if (rc == 0)
				rc = crm_rec_copy(nw, cur);
			if (rc != 0)
				break;
			p->cur = cur;
			p->nw = nw;
			cur = nw = NULL;
		}
		if (rc != 0)
			break;
		f = crm_field_find(e, a->field, a->flen);
		if (f >= 0)
			rc = crm_rec_text(p->cur, f, &txt);
		else {
			const struct crm_custom *c = crm_rec_custom(p->cur,
			    a->field, a->flen);

			if (c != NULL)
				rc = crm_buf_add(&txt, c->s, c->len);
		}
		if (rc == 0 && !force && (txt.len != a->nlen ||
		    (txt.len > 0 && memcmp(txt.p, a->nw, txt.len) != 0))) {
			rc = crm_seterr(CRM_EDATA,
			    "%s %llu: field '%.*s' changed since (now \"%s\"); "
			    "not undone (use --force)", e->name,
			    (unsigned long long)a->id, (int)a->flen, a->field,
			    txt.p ? txt.p : "");
			break;
		}
		if (rc == 0)
			rc = crm_rec_set(p->nw, a->field, a->flen, a->old,
			    a->olen, tx->now, 1);
		break;
	case CRM_AUDIT_MERGE:
		break;	/* the entries around it undo the merge */
	default:
		rc = CRM_ECORRUPT;
	}
done:
	crm_buf_free(&txt);
	crm_rec_free(cur);
	crm_rec_free(nw);
	return rc;
}

int
crm_undo(struct crm_txn *tx, uint64_t change, int force, size_t *n)
{
	struct entry_list l = { NULL, 0, 0 };
	struct pending p = { NULL, NULL };
	struct crm_buf copy = CRM_BUF_INIT;
	char key[40];
	MDB_val mk, mv;
	size_t i;
	int rc;

	*n = 0;
	/* meta "undone/CHANGE" names the change that undid it. */
	snprintf(key, sizeof(key), "undone/%020llu", (unsigned long long)change);
	mk.mv_data = key;
	mk.mv_size = strlen(key);
	rc = mdb_get(tx->t, crm_db_meta(tx->db), &mk, &mv);
	if (rc == 0 && mv.mv_size == 8)
		return crm_seterr(CRM_EDATA,
		    "change %llu was already undone by change %llu",
		    (unsigned long long)change,
		    (unsigned long long)crm_be64_get(mv.mv_data));
	if (rc != MDB_NOTFOUND)
		return rc == 0 ? CRM_ECORRUPT : rc;
	rc = crm_audit_each(tx, NULL, 0, change, collect, &l);
	tx->undoing = 1;
	if (rc == 0 && l.n == 0)
		rc = crm_seterr(CRM_ENOTFOUND, "change %llu: not found",
		    (unsigned long long)change);
	/* Newest first, so an update is undone before its record's creation;
	 * each from a copy, as undo writes, which may move the map's bytes. */
	for (i = l.n; i > 0 && rc == 0; i--) {
		struct crm_audit a;

		rc = entry_at(tx, l.seq[i - 1], &copy, &a);
		if (rc == 0)
			rc = undo_one(tx, &a, force, &p);
		if (rc == 0)
			(*n)++;
	}
	if (rc == 0)
		rc = flush(tx, &p);
	tx->undoing = 0;
	crm_rec_free(p.cur);	/* left over after a failure */
	crm_rec_free(p.nw);
	crm_buf_free(&copy);
	if (rc == 0) {
		uint64_t self;
		unsigned char vb[8];

		rc = crm_audit_change(tx, &self);
		crm_be64_put(vb, self);
		mv.mv_data = vb;
		mv.mv_size = 8;
		if (rc == 0)
			rc = mdb_put(tx->t, crm_db_meta(tx->db), &mk, &mv, 0);
	}
	free(l.seq);
	return rc;
}
