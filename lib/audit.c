/*
 * audit.c — the audit log and undo.  Entries are keyed by a sequence
 * number, so they read back in the order they were written; change ids
 * grow with it, so one change's entries are contiguous and found by a
 * binary search instead of another index.
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

int
crm_audit_add(struct crm_txn *tx, const struct crm_entity *e, uint64_t id,
    int op, const char *field, size_t flen, const void *old, size_t olen,
    const void *nw, size_t nlen)
{
	struct crm_buf *b = &tx->abuf;	/* reused: one entry per row */
	unsigned char kb[8], rk[9];
	MDB_val key = { 8, kb }, val, rkey = { 9, rk }, rval = { 8, kb };
	uint64_t change;
	int rc;

	crm_buf_reset(b);
	rc = crm_audit_change(tx, &change);
	if (rc == 0 && tx->audit_next == 0)
		rc = load_seq(tx, "seq/audit", &tx->audit_next);
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
		goto done;
	crm_be64_put(kb, tx->audit_next);
	val.mv_data = b->p;
	val.mv_size = b->len;
	rc = mdb_put(tx->t, crm_db_audit(tx->db), &key, &val, MDB_APPEND);
	if (rc != 0)
		goto done;
	rk[0] = (unsigned char)e->num;
	crm_be64_put(rk + 1, id);
	rc = crm_put(tx, crm_db_audit_rec(tx->db), &rkey, &rval, 0, 0);
	if (rc == 0)
		tx->audit_next++;
done:
	return rc;
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
	struct crm_audit a;
	unsigned char kb[9];
	uint64_t seq;
	int rc;

	rc = mdb_cursor_open(tx->t, crm_db_audit(tx->db), &c);
	if (rc != 0)
		return rc;
	if (e != NULL) {
		rc = mdb_cursor_open(tx->t, crm_db_audit_rec(tx->db), &rc_cur);
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
			if (rc == 0)
				rc = fn(&a, arg);
			if (rc != 0)
				goto done;
		}
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
		if (rc != 0)
			goto done;
		if (change != 0 && a.change != change)
			break;
		rc = fn(&a, arg);
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

static int
undo_one(struct crm_txn *tx, const struct crm_audit *a, int force,
    struct pending *p)
{
	const struct crm_entity *e = crm_entity_bynum(a->entity);
	struct crm_rec *cur = NULL, *nw = NULL;
	struct crm_buf txt = CRM_BUF_INIT;
	int rc = 0, f;

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
	if (rc == 0 && l.n == 0)
		rc = crm_seterr(CRM_ENOTFOUND, "change %llu: not found",
		    (unsigned long long)change);
	/* Newest first, so an update is undone before its record's creation. */
	for (i = l.n; i > 0 && rc == 0; i--) {
		unsigned char kb[8];
		MDB_val k = { 8, kb }, v;
		struct crm_audit a;

		crm_be64_put(kb, l.seq[i - 1]);
		rc = mdb_get(tx->t, crm_db_audit(tx->db), &k, &v);
		if (rc == 0)
			rc = decode(l.seq[i - 1], &v, &a);
		/* Copy out: undo writes, which may move the borrowed bytes. */
		if (rc == 0) {
			struct crm_buf copy = CRM_BUF_INIT;

			rc = crm_buf_add(&copy, v.mv_data, v.mv_size);
			if (rc == 0) {
				MDB_val cv = { copy.len, copy.p };

				rc = decode(l.seq[i - 1], &cv, &a);
			}
			if (rc == 0)
				rc = undo_one(tx, &a, force, &p);
			crm_buf_free(&copy);
		}
		if (rc == 0)
			(*n)++;
	}
	if (rc == 0)
		rc = flush(tx, &p);
	crm_rec_free(p.cur);	/* left over after a failure */
	crm_rec_free(p.nw);
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
