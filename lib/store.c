/*
 * store.c — records, their indexes and their audit entries, always
 * written together in the caller's transaction.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit.h"
#include "rules.h"
#include "error.h"
#include "idlist.h"
#include "store.h"
#include "value.h"

struct crm_iter {
	MDB_cursor *c;
	int index;		/* iterating an index's duplicates */
	int unique;
	int started;
	int done;
	MDB_val key;
	unsigned char keybuf[512];
	/* a non-unique index: the block of ids being given, copied */
	size_t nids, at;
	int final;		/* the block is the key's last */
	uint64_t last;		/* the last id given */
	unsigned char ids[CRM_IDL_MAX * 8];
};

static int
not_found(const struct crm_entity *e, const char *ref, size_t len)
{
	return crm_seterr(CRM_ENOTFOUND, "%s %.*s: not found", e->name,
	    (int)len, ref);
}

int
crm_exists(struct crm_txn *tx, const struct crm_entity *e, uint64_t id)
{
	unsigned char k[8];
	MDB_val key = { 8, k }, val;

	crm_be64_put(k, id);
	return mdb_get(tx->t, crm_db_records(tx->db, e), &key, &val) == 0;
}

/* The encoded record id of e, borrowed from the map. */
static int
get_record(struct crm_txn *tx, const struct crm_entity *e, uint64_t id,
    MDB_val *val)
{
	unsigned char k[8];
	MDB_val key = { 8, k };
	int rc;

	crm_be64_put(k, id);
	rc = mdb_get(tx->t, crm_db_records(tx->db, e), &key, val);
	if (rc == MDB_NOTFOUND)
		return crm_seterr(CRM_ENOTFOUND, "%s %llu: not found",
		    e->name, (unsigned long long)id);
	return rc;
}

int
crm_fetch(struct crm_txn *tx, struct crm_rec *r, uint64_t id)
{
	MDB_val val;
	int rc;

	rc = get_record(tx, r->ent, id, &val);
	if (rc != 0)
		return rc;
	return crm_rec_decode(r, id, val.mv_data, val.mv_size,
	    tx->rw ? CRM_DECODE_COPY : CRM_DECODE_BORROW);
}

int
crm_fetch_some(struct crm_txn *tx, struct crm_rec *r, uint64_t id,
    uint64_t mask)
{
	MDB_val val;
	int rc;

	rc = get_record(tx, r->ent, id, &val);
	if (rc != 0)
		return rc;
	return crm_rec_decode_some(r, id, val.mv_data, val.mv_size, mask, 0);
}

/* A-Z to a-z, other bytes as they are: eight at a time, as an e-mail
 * key is made for every row a load matches on. */
static void
lower_ascii(char *s, size_t n)
{
	const uint64_t ones = 0x0101010101010101ULL, high = ones << 7;
	uint64_t w, low7, above_z, from_a;
	size_t i = 0;

	for (; i + 8 <= n; i += 8) {
		memcpy(&w, s + i, 8);
		/* Per byte, no carry between them: the top bit of from_a
		 * says >= 'A', of above_z > 'Z'; ASCII only. */
		low7 = w & ~high;
		above_z = low7 + (0x7f - 'Z') * ones;
		from_a = low7 + (0x80 - 'A') * ones;
		w ^= ((from_a ^ above_z) & ~w & high) >> 2;
		memcpy(s + i, &w, 8);
	}
	for (; i < n; i++)
		if (s[i] >= 'A' && s[i] <= 'Z')
			s[i] += 32;
}

int
crm_index_key(const struct crm_entity *e, int f, const char *text,
    size_t len, struct crm_buf *out)
{
	enum crm_type t = e->fields[f].type;
	size_t start = out->len;
	int64_t id;
	int rc;

	crm_trim(&text, &len);
	switch (t) {
	case CRM_T_EMAIL:
		rc = crm_buf_add(out, text, len);
		if (rc == 0)
			lower_ascii(out->p + start, len);
		return rc;
	case CRM_T_PHONE:
		/*
		 * The subscriber number's tail: "+86 138 0000 0007" and
		 * "13800000007" meet here, and crm_phone_same decides.
		 */
		rc = crm_phone_norm(out, text, len);
		if (rc == CRM_EDATA) {
			crm_clearerr();
			return crm_buf_add(out, text, len);
		}
		if (rc == 0 && out->len - start > 9) {
			memmove(out->p + start, out->p + out->len - 9, 9);
			out->len = start + 9;
			out->p[out->len] = '\0';
		}
		return rc;
	case CRM_T_REF:
	case CRM_T_INT:
		if (crm_parse_i64(text, len, 0, INT64_MAX, &id) != 0) {
			crm_clearerr();
			id = -1;	/* matches nothing */
		}
		return crm_buf_addbe64(out, (uint64_t)id);
	default:
		return crm_buf_add(out, text, len);
	}
}

/* Index key of a stored value (not a tag list), appended to out. */
static int
add_value_key(const struct crm_rec *r, int f, struct crm_buf *out)
{
	const struct crm_val *v = &r->v[f];

	if (crm_type_numeric(r->ent->fields[f].type))
		return crm_buf_addbe64(out, (uint64_t)v->i);
	return crm_index_key(r->ent, f, v->s, v->len, out);
}

static int
value_key(const struct crm_rec *r, int f, struct crm_buf *out)
{
	crm_buf_reset(out);
	return add_value_key(r, f, out);
}

static int
same_val(const struct crm_val *a, const struct crm_val *b)
{
	return a->state == b->state && a->i == b->i && a->s == b->s &&
	    a->len == b->len;
}

/* The key of field f of r: made ahead (r->prep) if r still holds the
 * value it was made from, else now, in tx->kbuf. */
static int
field_key(struct crm_txn *tx, const struct crm_rec *r, int f, MDB_val *key)
{
	const struct crm_prep *p = r->prep;
	int rc;

	if (p != NULL && p->klen[f] != CRM_PREP_NOKEY &&
	    same_val(&p->v[f], &r->v[f])) {
		key->mv_data = p->buf.p + p->koff[f];
		key->mv_size = p->klen[f];
		return 0;
	}
	rc = value_key(r, f, &tx->kbuf);
	key->mv_data = tx->kbuf.p;
	key->mv_size = tx->kbuf.len;
	return rc;
}

/* Adds (add=1) or removes the index entries of field f of r. */
static int
index_field(struct crm_txn *tx, const struct crm_rec *r, int f, int add)
{
	const struct crm_field *fd = &r->ent->fields[f];
	const struct crm_val *v = &r->v[f];
	MDB_dbi dbi = crm_db_index(tx->db, r->ent, f);
	unsigned char idb[8];
	MDB_val key, val = { 8, idb };
	const char *p, *end, *semi;
	int rc = 0;

	if (dbi == 0 || v->state != CRM_V_SET)
		return 0;
	crm_be64_put(idb, r->id);
	if (fd->type == CRM_T_TAGS) {
		for (p = v->s, end = v->s + v->len; p < end && rc == 0;
		    p = semi + 1) {
			semi = memchr(p, ';', (size_t)(end - p));
			if (semi == NULL)
				semi = end;
			key.mv_data = (void *)p;
			key.mv_size = (size_t)(semi - p);
			rc = add ? crm_put(tx, dbi, &key, &val, 0, 1) :
			    crm_del(tx, dbi, &key, &val);
			if (rc == MDB_NOTFOUND)
				rc = 0;
		}
		return rc;
	}
	rc = field_key(tx, r, f, &key);
	if (rc != 0)
		return rc;
	if (key.mv_size == 0)
		return 0;
	if (key.mv_size > 511)
		return crm_seterr(CRM_EDATA,
		    "field '%s': value too long to index", fd->name);
	if (!add) {
		rc = crm_del(tx, dbi, &key,
		    fd->flags & CRM_F_UNIQUE ? NULL : &val);
		return rc == MDB_NOTFOUND ? 0 : rc;
	}
	if (!(fd->flags & CRM_F_UNIQUE))
		return crm_put(tx, dbi, &key, &val, 0, 1);
	rc = crm_put(tx, dbi, &key, &val, MDB_NOOVERWRITE, 0);
	if (rc == MDB_KEYEXIST) {
		uint64_t other = crm_be64_get(val.mv_data);

		if (other == r->id)
			return 0;
		tx->conflict_id = other;
		tx->conflict_field = f;
		return crm_seterr(CRM_EEXIST,
		    "field '%s': \"%.*s\" already belongs to %s %llu",
		    fd->name, (int)v->len, v->s, r->ent->name,
		    (unsigned long long)other);
	}
	return rc;
}

/* A phone index key names candidates: the first that is the number. */
static int
find_phone(struct crm_txn *tx, const struct crm_rec *r, int f, uint64_t *id)
{
	struct crm_iter *it = NULL;
	struct crm_rec *c;
	const struct crm_val *v = &r->v[f];
	uint64_t x;
	int rc;

	c = crm_rec_new(r->ent);
	if (c == NULL)
		return ENOMEM;
	rc = crm_iter_index(tx, r->ent, f, v->s, v->len, &it);
	while (rc == 0 && (rc = crm_iter_next(it, &x, NULL, NULL)) == 0) {
		rc = crm_fetch(tx, c, x);
		if (rc == 0 && c->v[f].state == CRM_V_SET &&
		    crm_phone_equal(c->v[f].s, c->v[f].len, v->s, v->len)) {
			*id = x;
			break;
		}
	}
	crm_iter_free(it);
	crm_rec_free(c);
	return rc;
}

int
crm_find_by(struct crm_txn *tx, const struct crm_rec *r, int f, uint64_t *id)
{
	MDB_dbi dbi = crm_db_index(tx->db, r->ent, f);
	MDB_val key, val;
	int rc;

	if (r->ent->fields[f].type == CRM_T_PHONE && r->v[f].state == CRM_V_SET)
		return find_phone(tx, r, f, id);
	if (dbi == 0 || r->v[f].state != CRM_V_SET)
		return CRM_ENOTFOUND;
	if (r->ent->fields[f].type == CRM_T_TAGS)
		return CRM_ENOTFOUND;	/* a set, not a key */
	rc = crm_dups_flush(tx, dbi);	/* the ids crm_put holds back */
	if (rc != 0)
		return rc;
	rc = value_key(r, f, &tx->kbuf);
	if (rc != 0)
		return rc;
	if (tx->kbuf.len == 0 || tx->kbuf.len > 511)
		return CRM_ENOTFOUND;
	key.mv_data = tx->kbuf.p;
	key.mv_size = tx->kbuf.len;
	rc = mdb_get(tx->t, dbi, &key, &val);	/* first duplicate */
	if (rc == MDB_NOTFOUND)
		return CRM_ENOTFOUND;
	if (rc == 0)
		*id = crm_be64_get(val.mv_data);
	return rc;
}

static int
lookup_field(struct crm_txn *tx, const struct crm_entity *e, int f,
    const char *s, size_t len, uint64_t *id)
{
	MDB_dbi dbi = crm_db_index(tx->db, e, f);
	MDB_val key, val;
	int rc;

	rc = dbi != 0 ? crm_dups_flush(tx, dbi) : 0;	/* ids held back */
	if (rc != 0)
		return rc;
	crm_buf_reset(&tx->kbuf);
	rc = crm_index_key(e, f, s, len, &tx->kbuf);
	if (rc != 0)
		return rc;
	if (tx->kbuf.len == 0 || tx->kbuf.len > 511)
		return MDB_NOTFOUND;
	key.mv_data = tx->kbuf.p;
	key.mv_size = tx->kbuf.len;
	rc = mdb_get(tx->t, dbi, &key, &val);
	if (rc == 0)
		*id = crm_be64_get(val.mv_data);
	return rc;
}

int
crm_lookup(struct crm_txn *tx, const struct crm_entity *e, const char *ref,
    size_t len, uint64_t *id)
{
	const char *colon;
	int64_t n;
	int f, rc;

	crm_trim(&ref, &len);
	if (len == 0)
		return crm_seterr(CRM_EDATA, "empty %s reference", e->name);
	colon = memchr(ref, ':', len);
	if (colon != NULL) {
		size_t pl = (size_t)(colon - ref);

		f = pl == 3 && memcmp(ref, "ext", 3) == 0 ?
		    crm_field_find(e, "ext_id", 6) : crm_field_find(e, ref, pl);
		if (pl == 2 && memcmp(ref, "id", 2) == 0) {
			if (crm_parse_i64(colon + 1, len - pl - 1, 1, INT64_MAX,
			    &n) != 0 || !crm_exists(tx, e, (uint64_t)n))
				return not_found(e, ref, len);
			*id = (uint64_t)n;
			return 0;
		}
		if (f >= 0 && (e->fields[f].flags & (CRM_F_UNIQUE | CRM_F_INDEX))) {
			rc = lookup_field(tx, e, f, colon + 1, len - pl - 1, id);
			if (rc == MDB_NOTFOUND)
				return not_found(e, ref, len);
			return rc;
		}
	}
	if (crm_parse_i64(ref, len, 1, INT64_MAX, &n) == 0 &&
	    crm_exists(tx, e, (uint64_t)n)) {
		*id = (uint64_t)n;
		return 0;
	}
	crm_clearerr();
	for (f = 0; f < e->nfields; f++) {
		if (!(e->fields[f].flags & CRM_F_UNIQUE))
			continue;
		rc = lookup_field(tx, e, f, ref, len, id);
		if (rc != MDB_NOTFOUND)
			return rc;
	}
	return not_found(e, ref, len);
}

/* The references r names by text, made ids. */
static int
resolve_refs(struct crm_txn *tx, struct crm_rec *r)
{
	int f, rc;

	for (f = 0; f < r->ent->nfields; f++) {
		const struct crm_field *fd = &r->ent->fields[f];
		struct crm_val *v = &r->v[f];
		uint64_t id;

		if (fd->type != CRM_T_REF || v->state != CRM_V_PENDING)
			continue;
		rc = crm_lookup(tx, crm_entity_find(fd->ref), v->s, v->len, &id);
		if (rc == CRM_ENOTFOUND)
			return crm_seterr(CRM_EDATA,
			    "field '%s': \"%.*s\": no such %s", fd->name,
			    (int)v->len, v->s, fd->ref);
		if (rc != 0)
			return rc;
		v->i = (int64_t)id;
		v->s = NULL;
		v->len = 0;
		v->state = CRM_V_SET;
	}
	return 0;
}

int
crm_resolve(struct crm_txn *tx, struct crm_rec *r)
{
	int rc = 0;

	/* Asked for every row of an import: entities without references
	 * skip the loop. */
	if (crm_entity_has_type(r->ent, CRM_T_REF))
		rc = resolve_refs(tx, r);
	/* Money last: a rule may supply the currency it is read in. */
	if (rc == 0)
		rc = crm_rules_defaults(tx, r);
	if (rc == 0)
		rc = crm_rec_finish_money(r);
	return rc;
}

/* The id the next record of e gets (not used up until the caller
 * advances tx->next_id). */
static int
peek_id(struct crm_txn *tx, const struct crm_entity *e, uint64_t *id)
{
	struct crm_buf k = CRM_BUF_INIT;
	MDB_val key, val;
	int rc = 0;

	if (tx->next_id[e->num] == 0) {
		rc = crm_buf_printf(&k, "seq/%s", e->name);
		key.mv_data = k.p;
		key.mv_size = k.len;
		if (rc == 0)
			rc = mdb_get(tx->t, crm_db_meta(tx->db), &key, &val);
		if (rc == MDB_NOTFOUND) {
			tx->next_id[e->num] = 1;
			rc = 0;
		} else if (rc == 0)
			tx->next_id[e->num] = crm_be64_get(val.mv_data);
	}
	crm_buf_free(&k);
	if (rc == 0)
		*id = tx->next_id[e->num];
	return rc;
}

static int
check_required(const struct crm_rec *r)
{
	int f;

	for (f = 0; f < r->ent->nfields; f++)
		if ((r->ent->fields[f].flags & CRM_F_REQUIRED) &&
		    r->v[f].state == CRM_V_EMPTY)
			return crm_seterr(CRM_EDATA, "field '%s': required",
			    r->ent->fields[f].name);
	return 0;
}

/* Remembers custom field names so listings know their columns. */
static int
note_customs(struct crm_txn *tx, const struct crm_rec *r)
{
	MDB_val key, val = { 0, "" };
	size_t i;
	int rc = 0;

	for (i = 0; i < r->ncust && rc == 0; i++) {
		crm_buf_reset(&tx->kbuf);
		rc = crm_buf_printf(&tx->kbuf, "cf/%02d/%.*s", r->ent->num,
		    (int)r->cust[i].nlen, r->cust[i].name);
		key.mv_data = tx->kbuf.p;
		key.mv_size = tx->kbuf.len;
		if (rc == 0)
			rc = mdb_put(tx->t, crm_db_meta(tx->db), &key, &val,
			    MDB_NOOVERWRITE);
		if (rc == MDB_KEYEXIST)
			rc = 0;
	}
	return rc;
}

/* Fields after updated_at, made ahead, that r still holds as they were. */
static int
tail_ready(const struct crm_rec *r)
{
	const struct crm_prep *p = r->prep;
	size_t i;
	int f;

	if (p == NULL || !p->tail || p->ncust != r->ncust)
		return 0;
	for (f = CRM_FLD_UPDATED + 1; f < r->ent->nfields; f++)
		if (!same_val(&p->v[f], &r->v[f]))
			return 0;
	for (i = 0; i < r->ncust; i++)
		if (p->cust[i].name != r->cust[i].name ||
		    p->cust[i].s != r->cust[i].s ||
		    p->cust[i].nlen != r->cust[i].nlen ||
		    p->cust[i].len != r->cust[i].len)
			return 0;
	return 1;
}

static int
put_record(struct crm_txn *tx, const struct crm_rec *r, unsigned flags)
{
	const struct crm_prep *p = r->prep;
	unsigned char k[8];
	MDB_val key = { 8, k }, val;
	int rc;

	if (tail_ready(r)) {
		rc = crm_rec_encode_head(r, CRM_FLD_UPDATED + 1, &tx->vbuf);
		if (rc == 0)
			rc = crm_buf_add(&tx->vbuf, p->buf.p + p->tail_off,
			    p->buf.len - p->tail_off);
	} else
		rc = crm_rec_encode(r, &tx->vbuf);
	if (rc != 0)
		return rc;
	crm_be64_put(k, r->id);
	val.mv_data = tx->vbuf.p;
	val.mv_size = tx->vbuf.len;
	return crm_put(tx, crm_db_records(tx->db, r->ent), &key, &val, flags, 0);
}

/* The defaults of a creation, in the fields r leaves empty; *filled
 * gets a bit per field filled. */
static int
fill_defaults(struct crm_rec *r, int64_t now, uint64_t *filled)
{
	uint64_t todo = crm_entity_defaults(r->ent);
	int f, rc = 0;

	for (; todo != 0 && rc == 0; todo &= todo - 1) {
		const char *d;

		f = __builtin_ctzll(todo);
		d = r->ent->fields[f].dflt;
		if (r->v[f].state == CRM_V_EMPTY) {
			rc = crm_rec_setf(r, f, d, strlen(d), now);
			*filled |= (uint64_t)1 << f;
		}
	}
	return rc;
}

/* Empties the fields a creation filled in: r is back as it came. */
static void
unfill(struct crm_rec *r, uint64_t filled)
{
	for (; filled != 0; filled &= filled - 1)
		memset(&r->v[__builtin_ctzll(filled)], 0, sizeof(r->v[0]));
}

void
crm_prepare(struct crm_rec *r, int64_t now, struct crm_prep *p)
{
	const struct crm_entity *e = r->ent;
	uint64_t filled = 0;
	size_t off;
	int f, rc;

	r->prep = NULL;
	crm_buf_reset(&p->buf);
	p->tail = 0;
	for (f = 0; f < CRM_MAX_FIELDS; f++)
		p->klen[f] = CRM_PREP_NOKEY;
	if (e->nfields > CRM_MAX_FIELDS)
		return;
	/* Defaults first, as crm_insert fills them. */
	rc = fill_defaults(r, now, &filled);
	memcpy(p->v, r->v, (size_t)e->nfields * sizeof(*r->v));
	p->ncust = r->ncust;
	if (r->ncust > 0 && r->ncust <= CRM_PREP_MAXCUST)
		memcpy(p->cust, r->cust, r->ncust * sizeof(*r->cust));
	for (f = 0; f < e->nfields && rc == 0; f++) {
		if (!(e->fields[f].flags & (CRM_F_UNIQUE | CRM_F_INDEX)) ||
		    e->fields[f].type == CRM_T_TAGS || r->v[f].state != CRM_V_SET)
			continue;
		off = p->buf.len;
		rc = add_value_key(r, f, &p->buf);
		p->koff[f] = (uint32_t)off;
		p->klen[f] = rc == 0 ? (uint32_t)(p->buf.len - off) :
		    CRM_PREP_NOKEY;
	}
	/* Money and references wait for the writer: no encoding yet. */
	for (f = CRM_FLD_UPDATED + 1; f < e->nfields; f++)
		if (r->v[f].state == CRM_V_PENDING)
			break;
	if (rc == 0 && f == e->nfields && r->ncust <= CRM_PREP_MAXCUST) {
		p->tail_off = p->buf.len;
		p->tail = crm_rec_encode_tail(r, CRM_FLD_UPDATED + 1,
		    &p->buf) == 0;
	}
	unfill(r, filled);
	if (rc != 0)
		crm_clearerr();
	r->prep = p;
}

void
crm_prep_free(struct crm_prep *p)
{
	crm_buf_free(&p->buf);
}

static int
insert(struct crm_txn *tx, struct crm_rec *r, int restore)
{
	uint64_t filled = 0;	/* fields this call filled in */
	const int *keyed;
	int k, g, nkeyed, nunique, rc;

	/* Defaults first: a default amount is money to resolve too. */
	rc = restore ? 0 : fill_defaults(r, tx->now, &filled);
	if (rc == 0)
		rc = crm_resolve(tx, r);
	if (rc == 0)
		rc = check_required(r);
	if (rc == 0 && !restore)
		rc = crm_rules_before(tx, NULL, r);
	if (rc == 0 && !restore) {
		rc = peek_id(tx, r->ent, &r->id);
		crm_rec_setint(r, CRM_FLD_ID, (int64_t)r->id);
		if (r->v[CRM_FLD_CREATED].state == CRM_V_EMPTY) {
			crm_rec_setint(r, CRM_FLD_CREATED, tx->now);
			filled |= (uint64_t)1 << CRM_FLD_CREATED;
		}
		crm_rec_setint(r, CRM_FLD_UPDATED, tx->now);
		filled |= (uint64_t)1 << CRM_FLD_UPDATED | 1;
	}
	/*
	 * Unique keys first, in field order: a taken one leaves no trace
	 * (the keys put before it are taken back, the id is not used up), so
	 * an import can try a creation and fall back to the match it names.
	 */
	tx->conflict_id = 0;
	crm_db_keyed(tx->db, r->ent, &keyed, &nkeyed, &nunique);
	for (k = 0; k < nunique && rc == 0; k++) {
		rc = index_field(tx, r, keyed[k], 1);
		for (g = 0; g < k && rc == CRM_EEXIST; g++)
			if (index_field(tx, r, keyed[g], 0) != 0)
				rc = CRM_EINTERNAL;
	}
	if (rc != 0) {
		/* Nothing of r is written yet: give it back as it came, so the
		 * caller can match and update with it instead. */
		unfill(r, filled);
		r->id = 0;
		return rc;
	}
	if (rc == 0 && !restore)
		tx->next_id[r->ent->num]++;
	if (rc == 0)
		rc = put_record(tx, r, MDB_NOOVERWRITE);
	if (rc == MDB_KEYEXIST)
		rc = crm_seterr(CRM_EEXIST, "%s %llu already exists",
		    r->ent->name, (unsigned long long)r->id);
	for (k = nunique; k < nkeyed && rc == 0; k++)
		rc = index_field(tx, r, keyed[k], 1);
	if (rc == 0)
		rc = note_customs(tx, r);
	/* The record itself is the creation's "new": storing it twice would
	 * double an import's writes, and later updates log their old values. */
	if (rc == 0 && restore)
		rc = crm_audit_add(tx, r->ent, r->id, CRM_AUDIT_CREATE, "", 0,
		    NULL, 0, NULL, 0);
	else if (rc == 0)
		rc = crm_audit_created(tx, r->ent, r->id);
	if (rc == 0)
		rc = crm_rules_after(tx, NULL, r);
	return rc;
}

int
crm_insert(struct crm_txn *tx, struct crm_rec *r)
{
	return insert(tx, r, 0);
}

int
crm_restore(struct crm_txn *tx, struct crm_rec *r)
{
	return insert(tx, r, 1);
}

static int
audit_field(struct crm_txn *tx, const struct crm_rec *old,
    const struct crm_rec *nw, int f)
{
	struct crm_buf a = CRM_BUF_INIT, b = CRM_BUF_INIT;
	const char *name = old->ent->fields[f].name;
	int rc;

	rc = crm_rec_text(old, f, &a);
	if (rc == 0)
		rc = crm_rec_text(nw, f, &b);
	if (rc == 0)
		rc = crm_audit_add(tx, old->ent, old->id, CRM_AUDIT_UPDATE,
		    name, strlen(name), a.p, a.len, b.p, b.len);
	crm_buf_free(&a);
	crm_buf_free(&b);
	return rc;
}

int
crm_update(struct crm_txn *tx, const struct crm_rec *old, struct crm_rec *nw)
{
	int f, rc, changed = 0;
	size_t i;

	nw->id = old->id;
	rc = crm_resolve(tx, nw);
	if (rc == 0)
		rc = check_required(nw);
	if (rc == 0)
		rc = crm_rules_before(tx, old, nw);
	for (f = CRM_FLD_UPDATED + 1; f < old->ent->nfields && rc == 0; f++) {
		if (crm_rec_same(old, nw, f))
			continue;
		changed = 1;
		rc = index_field(tx, old, f, 0);
		if (rc == 0)
			rc = index_field(tx, nw, f, 1);
		if (rc == 0)
			rc = audit_field(tx, old, nw, f);
	}
	if (rc == 0 && !crm_rec_same(old, nw, CRM_FLD_CREATED)) {
		changed = 1;
		rc = audit_field(tx, old, nw, CRM_FLD_CREATED);
	}
	/* Custom fields: every name either side has. */
	for (i = 0; i < nw->ncust && rc == 0; i++) {
		const struct crm_custom *n = &nw->cust[i];
		const struct crm_custom *o = crm_rec_custom(old, n->name, n->nlen);
		size_t ol = o ? o->len : 0;

		if (ol == n->len && (ol == 0 || memcmp(o->s, n->s, ol) == 0))
			continue;
		changed = 1;
		crm_buf_reset(&tx->vbuf);
		rc = crm_buf_add(&tx->vbuf, n->name, n->nlen);
		if (rc == 0)
			rc = crm_audit_add(tx, old->ent, old->id,
			    CRM_AUDIT_UPDATE, tx->vbuf.p, tx->vbuf.len,
			    o ? o->s : "", ol, n->s, n->len);
	}
	for (i = 0; i < old->ncust && rc == 0; i++) {
		const struct crm_custom *o = &old->cust[i];

		if (crm_rec_custom(nw, o->name, o->nlen) != NULL || o->len == 0)
			continue;
		changed = 1;
		crm_buf_reset(&tx->vbuf);
		rc = crm_buf_add(&tx->vbuf, o->name, o->nlen);
		if (rc == 0)
			rc = crm_audit_add(tx, old->ent, old->id,
			    CRM_AUDIT_UPDATE, tx->vbuf.p, tx->vbuf.len,
			    o->s, o->len, "", 0);
	}
	if (rc != 0)
		return rc;
	if (!changed)
		return 1;
	crm_rec_setint(nw, CRM_FLD_UPDATED, tx->now);
	rc = note_customs(tx, nw);
	if (rc == 0)
		rc = put_record(tx, nw, 0);
	if (rc == 0)
		rc = crm_rules_after(tx, old, nw);
	return rc;
}

int
crm_edit(struct crm_txn *tx, const struct crm_entity *e, uint64_t id,
    int (*edit)(struct crm_rec *nw, void *arg), void *arg)
{
	struct crm_rec *old = crm_rec_new(e), *nw = crm_rec_new(e);
	int rc;

	rc = old == NULL || nw == NULL ? ENOMEM : crm_fetch(tx, old, id);
	if (rc == 0)
		rc = crm_rec_copy(nw, old);
	if (rc == 0)
		rc = edit(nw, arg);
	if (rc == 0)
		rc = crm_update(tx, old, nw);
	crm_rec_free(old);
	crm_rec_free(nw);
	return rc;
}

int
crm_delete(struct crm_txn *tx, const struct crm_rec *old)
{
	unsigned char k[8];
	MDB_val key = { 8, k };
	int f, rc = 0;

	for (f = 0; f < old->ent->nfields && rc == 0; f++)
		rc = index_field(tx, old, f, 0);
	crm_be64_put(k, old->id);
	if (rc == 0)
		rc = crm_del(tx, crm_db_records(tx->db, old->ent), &key, NULL);
	if (rc == 0)
		rc = crm_rec_encode(old, &tx->vbuf);
	if (rc == 0)
		rc = crm_audit_add(tx, old->ent, old->id, CRM_AUDIT_DELETE, "", 0,
		    tx->vbuf.p, tx->vbuf.len, NULL, 0);
	if (rc == 0)
		rc = crm_rules_after(tx, old, NULL);
	return rc;
}

/* ---- iteration ------------------------------------------------------ */

int
crm_iter_all(struct crm_txn *tx, const struct crm_entity *e,
    struct crm_iter **out)
{
	struct crm_iter *it = calloc(1, sizeof(*it));
	int rc;

	*out = NULL;
	if (it == NULL)
		return ENOMEM;
	rc = mdb_cursor_open(tx->t, crm_db_records(tx->db, e), &it->c);
	if (rc != 0) {
		free(it);
		return rc;
	}
	*out = it;
	return 0;
}

int
crm_iter_index(struct crm_txn *tx, const struct crm_entity *e, int f,
    const char *text, size_t len, struct crm_iter **out)
{
	struct crm_iter *it;
	MDB_dbi dbi = crm_db_index(tx->db, e, f);
	int rc;

	*out = NULL;
	if (dbi == 0)
		return crm_seterr(CRM_EINTERNAL, "field '%s' has no index",
		    e->fields[f].name);
	rc = crm_dups_flush(tx, dbi);	/* the ids crm_put holds back */
	if (rc != 0)
		return rc;
	it = calloc(1, sizeof(*it));
	if (it == NULL)
		return ENOMEM;
	it->index = 1;
	it->unique = (e->fields[f].flags & CRM_F_UNIQUE) != 0;
	crm_buf_reset(&tx->kbuf);
	if (e->fields[f].type == CRM_T_TAGS) {
		crm_trim(&text, &len);
		rc = crm_buf_add(&tx->kbuf, text, len);
	} else
		rc = crm_index_key(e, f, text, len, &tx->kbuf);
	if (rc == 0 && (tx->kbuf.len == 0 || tx->kbuf.len > 511))
		it->done = 1;
	else if (rc == 0) {
		memcpy(it->keybuf, tx->kbuf.p, tx->kbuf.len);
		it->key.mv_data = it->keybuf;
		it->key.mv_size = tx->kbuf.len;
	}
	if (rc == 0)
		rc = mdb_cursor_open(tx->t, dbi, &it->c);
	if (rc != 0) {
		free(it);
		return rc;
	}
	*out = it;
	return 0;
}

int
crm_iter_next(struct crm_iter *it, uint64_t *id, const void **data,
    size_t *len)
{
	MDB_val k, v;
	int rc;

	if (it->done)
		return CRM_ENOTFOUND;
	if (!it->index) {
		rc = mdb_cursor_get(it->c, &k, &v,
		    it->started ? MDB_NEXT : MDB_FIRST);
		it->started = 1;
		if (rc == MDB_NOTFOUND) {
			it->done = 1;
			return CRM_ENOTFOUND;
		}
		if (rc != 0)
			return rc;
		if (k.mv_size != 8)
			return CRM_ECORRUPT;
		*id = crm_be64_get(k.mv_data);
		if (data != NULL) {
			*data = v.mv_data;
			*len = v.mv_size;
		}
		return 0;
	}
	k = it->key;
	if (!it->unique) {
		rc = 0;
		if (it->at == it->nids)
			rc = it->final ? MDB_NOTFOUND : crm_idl_next(it->c,
			    &it->key, !it->started, it->last, it->ids,
			    &it->nids, &it->at, &it->final);
		if (rc == 0) {
			v.mv_data = it->ids + 8 * it->at++;
			v.mv_size = 8;
		}
	} else if (!it->started)
		rc = mdb_cursor_get(it->c, &k, &v, MDB_SET_KEY);
	else
		rc = MDB_NOTFOUND;
	it->started = 1;
	if (rc == MDB_NOTFOUND) {
		it->done = 1;
		return CRM_ENOTFOUND;
	}
	if (rc == MDB_CORRUPTED)
		return CRM_ECORRUPT;
	if (rc != 0)
		return rc;
	if (v.mv_size != 8)
		return CRM_ECORRUPT;
	*id = it->last = crm_be64_get(v.mv_data);
	if (data != NULL) {
		*data = NULL;
		*len = 0;
	}
	return 0;
}

void
crm_iter_free(struct crm_iter *it)
{
	if (it == NULL)
		return;
	if (it->c != NULL)
		mdb_cursor_close(it->c);
	free(it);
}

int
crm_index_entries(struct crm_txn *tx, const struct crm_entity *e, int f,
    size_t *n)
{
	MDB_dbi dbi = crm_db_index(tx->db, e, f);
	MDB_stat st;
	int rc;

	*n = 0;
	if (dbi == 0)
		return 0;
	rc = crm_dups_flush(tx, dbi);	/* the ids crm_put holds back */
	if (rc != 0 || !(e->fields[f].flags & CRM_F_UNIQUE))
		return rc != 0 ? rc : crm_idl_count(tx->t, dbi, n);
	rc = mdb_stat(tx->t, dbi, &st);
	if (rc == 0)
		*n = st.ms_entries;
	return rc;
}

int
crm_custom_names(struct crm_txn *tx, const struct crm_entity *e,
    struct crm_buf *out, size_t *n)
{
	char prefix[16];
	MDB_cursor *c = NULL;
	MDB_val k, v;
	size_t pl;
	int rc;

	*n = 0;
	pl = (size_t)snprintf(prefix, sizeof(prefix), "cf/%02d/", e->num);
	rc = mdb_cursor_open(tx->t, crm_db_meta(tx->db), &c);
	if (rc != 0)
		return rc;
	k.mv_data = prefix;
	k.mv_size = pl;
	for (rc = mdb_cursor_get(c, &k, &v, MDB_SET_RANGE); rc == 0;
	    rc = mdb_cursor_get(c, &k, &v, MDB_NEXT)) {
		if (k.mv_size <= pl || memcmp(k.mv_data, prefix, pl) != 0)
			break;
		rc = crm_buf_add(out, (char *)k.mv_data + pl, k.mv_size - pl);
		if (rc == 0)
			rc = crm_buf_addc(out, '\0');
		if (rc != 0)
			break;
		(*n)++;
	}
	if (rc == MDB_NOTFOUND)
		rc = 0;
	mdb_cursor_close(c);
	return rc;
}
