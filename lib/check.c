/*
 * check.c — the consistency check (see check.h).
 *
 * One read transaction, so the database may be in use meanwhile.  Work
 * grows with the data, never with the square of it: records are read
 * once, each value looked up in its index; an index is read whole only
 * when its size differs from what the records call for or an entry was
 * missing (else the two sets are equal); invoices are matched with
 * their payments by one sort.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit.h"
#include "check.h"
#include "error.h"
#include "idlist.h"
#include "record.h"
#include "store.h"
#include "value.h"

#define MAX_KEY 511	/* LMDB's limit: such values are not indexed */

struct payment {
	uint64_t invoice;
	int64_t amount;
};

struct ck {
	struct crm_txn *tx;
	int (*fn)(const struct crm_problem *, void *);
	void *arg;
	struct crm_check_counts n;
	struct crm_buf keys;		/* index keys of one field */
	struct crm_buf text;		/* a value as shown in a message */
	/* Per entity number and field: index entries the records call for,
	 * and whether one was missing (the index is then read whole). */
	uint64_t expect[CRM_MAX_ENTITIES][CRM_MAX_FIELDS];
	unsigned char suspect[CRM_MAX_ENTITIES][CRM_MAX_FIELDS];
	uint64_t maxid[CRM_MAX_ENTITIES];	/* in records or the audit log */
	struct payment *pay;
	size_t npay, cappay;
	uint64_t last_seq, last_change;
};

static int
problem(struct ck *c, const char *entity, uint64_t id, const char *field,
    const char *fmt, ...) __attribute__((format(printf, 5, 6)));

static int
problem(struct ck *c, const char *entity, uint64_t id, const char *field,
    const char *fmt, ...)
{
	struct crm_problem p;
	char what[600];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	p.entity = entity;
	p.id = id;
	p.field = field ? field : "";
	p.what = what;
	c->n.problems++;
	return c->fn(&p, c->arg);
}

/* A value for a message: quoted, at most 60 bytes, controls as \xNN.
 * Valid until the next call. */
static const char *
shown(struct ck *c, const char *s, size_t len)
{
	size_t i, max = len > 60 ? 57 : len;

	crm_buf_reset(&c->text);
	crm_buf_addc(&c->text, '"');
	for (i = 0; i < max; i++) {
		unsigned char ch = (unsigned char)s[i];

		if (ch < 0x20 || ch == 0x7f || ch == '"' || ch == '\\')
			crm_buf_printf(&c->text, "\\x%02x", ch);
		else
			crm_buf_addc(&c->text, ch);
	}
	crm_buf_adds(&c->text, max < len ? "...\"" : "\"");
	return c->text.p ? c->text.p : "\"\"";
}

/* An index key for a message: a number for numeric fields. */
static const char *
shown_key(struct ck *c, const struct crm_field *fd, const MDB_val *k)
{
	if (crm_type_numeric(fd->type) && k->mv_size == 8) {
		crm_buf_reset(&c->text);
		crm_buf_printf(&c->text, "%lld",
		    (long long)crm_be64_get(k->mv_data));
		return c->text.p;
	}
	return shown(c, k->mv_data, k->mv_size);
}

static int
add_key(struct crm_buf *out, const void *p, size_t len, size_t *n)
{
	unsigned char l[2] = { (unsigned char)(len >> 8), (unsigned char)len };
	int rc;

	/* Values the store does not index: empty, or past LMDB's limit. */
	if (len == 0 || len > MAX_KEY)
		return 0;
	rc = crm_buf_add(out, l, 2);
	if (rc == 0)
		rc = crm_buf_add(out, p, len);
	if (rc == 0)
		(*n)++;
	return rc;
}

/*
 * The index keys field f of r calls for, as the store writes them: each
 * word of a tag list as it is; a number as 8 bytes big-endian; other
 * text in its normal form (crm_index_key).  Into out as pairs of a
 * 2-byte length and the key; *n counts them.
 */
static int
field_keys(const struct crm_rec *r, int f, struct crm_buf *out, size_t *n)
{
	const struct crm_field *fd = &r->ent->fields[f];
	const struct crm_val *v = &r->v[f];
	struct crm_buf k = CRM_BUF_INIT;
	const char *p, *end, *semi;
	int rc = 0;

	crm_buf_reset(out);
	*n = 0;
	if (v->state != CRM_V_SET)
		return 0;
	if (fd->type == CRM_T_TAGS) {
		for (p = v->s, end = v->s + v->len; p < end && rc == 0;
		    p = semi + 1) {
			semi = memchr(p, ';', (size_t)(end - p));
			if (semi == NULL)
				semi = end;
			rc = add_key(out, p, (size_t)(semi - p), n);
		}
		return rc;
	}
	if (crm_type_numeric(fd->type))
		rc = crm_buf_addbe64(&k, (uint64_t)v->i);
	else
		rc = crm_index_key(r->ent, f, v->s, v->len, &k);
	if (rc == 0)
		rc = add_key(out, k.p, k.len, n);
	crm_buf_free(&k);
	return rc;
}

/* Whether keys (from field_keys) hold key. */
static int
has_key(const struct crm_buf *keys, const MDB_val *key)
{
	const unsigned char *p = (const unsigned char *)keys->p;
	const unsigned char *end = p + keys->len;

	while (p != NULL && p + 2 <= end) {
		size_t len = (size_t)p[0] << 8 | p[1];

		if (len == key->mv_size && memcmp(p + 2, key->mv_data, len) == 0)
			return 1;
		p += 2 + len;
	}
	return 0;
}

static int
index_name(struct crm_buf *b, const struct crm_entity *e, int f)
{
	crm_buf_reset(b);
	return crm_buf_printf(b, "%s.%s", e->name, e->fields[f].name);
}

/* ---- records ---------------------------------------------------------- */

/* The record's values are in their indexes, under its id. */
static int
check_indexed(struct ck *c, const struct crm_rec *r, MDB_cursor **cur)
{
	const struct crm_entity *e = r->ent;
	struct crm_buf name = CRM_BUF_INIT;
	int f, rc = 0;

	for (f = 0; f < e->nfields && rc == 0; f++) {
		const struct crm_field *fd = &e->fields[f];
		MDB_dbi dbi = crm_db_index(c->tx->db, e, f);
		const unsigned char *p, *end;
		size_t nk;

		if (dbi == 0)
			continue;
		rc = field_keys(r, f, &c->keys, &nk);
		c->expect[e->num][f] += nk;
		p = (const unsigned char *)c->keys.p;
		end = p + c->keys.len;
		while (rc == 0 && p != NULL && p + 2 <= end) {
			MDB_val k, v;
			unsigned char idb[8];

			k.mv_size = (size_t)p[0] << 8 | p[1];
			k.mv_data = (void *)(p + 2);
			p += 2 + k.mv_size;
			crm_be64_put(idb, r->id);
			v.mv_data = idb;
			v.mv_size = 8;
			if (fd->flags & CRM_F_UNIQUE)
				rc = mdb_get(c->tx->t, dbi, &k, &v);
			else
				rc = crm_idl_has(cur[f], &k, r->id);
			if (rc == MDB_CORRUPTED) {
				c->suspect[e->num][f] = 1;	/* scan_index says */
				rc = 0;
				continue;
			}
			if (rc == MDB_NOTFOUND) {
				c->suspect[e->num][f] = 1;
				rc = index_name(&name, e, f);
				if (rc == 0)
					rc = problem(c, e->name, r->id, fd->name,
					    "%s is not in index %s",
					    shown_key(c, fd, &k), name.p);
				continue;
			}
			if (rc != 0 || !(fd->flags & CRM_F_UNIQUE))
				continue;
			if (v.mv_size != 8) {
				c->suspect[e->num][f] = 1;
				rc = problem(c, e->name, r->id, fd->name,
				    "index entry for %s is %zu bytes, not 8",
				    shown_key(c, fd, &k), v.mv_size);
			} else if (crm_be64_get(v.mv_data) != r->id) {
				/* The other record is looked at in its turn. */
				rc = problem(c, e->name, r->id, fd->name,
				    "%s is unique, but its index names %s %llu",
				    shown_key(c, fd, &k), e->name,
				    (unsigned long long)crm_be64_get(v.mv_data));
			}
		}
	}
	crm_buf_free(&name);
	return rc;
}

static int
check_values(struct ck *c, const struct crm_rec *r)
{
	const struct crm_entity *e = r->ent;
	int f, rc = 0;

	for (f = 0; f < e->nfields && rc == 0; f++) {
		const struct crm_field *fd = &e->fields[f];
		const struct crm_val *v = &r->v[f];

		if (v->state != CRM_V_SET) {
			if (fd->flags & CRM_F_REQUIRED)
				rc = problem(c, e->name, r->id, fd->name,
				    "required, but empty");
			continue;
		}
		if (fd->type == CRM_T_INT && fd->min < fd->max &&
		    (v->i < fd->min || v->i > fd->max))
			rc = problem(c, e->name, r->id, fd->name,
			    "%lld is outside %lld..%lld", (long long)v->i,
			    (long long)fd->min, (long long)fd->max);
		if (fd->type == CRM_T_REF && rc == 0) {
			const struct crm_entity *to = crm_entity_find(fd->ref);

			if (v->i <= 0 || !crm_exists(c->tx, to, (uint64_t)v->i))
				rc = problem(c, e->name, r->id, fd->name,
				    "refers to %s %lld, which does not exist",
				    to->name, (long long)v->i);
		}
	}
	return rc;
}

/* Custom field names are registered, so listings show their column. */
static int
check_customs(struct ck *c, const struct crm_rec *r, struct crm_buf *k)
{
	size_t i;
	int rc = 0;

	for (i = 0; i < r->ncust && rc == 0; i++) {
		MDB_val key, val;

		crm_buf_reset(k);
		rc = crm_buf_printf(k, "cf/%02d/%.*s", r->ent->num,
		    (int)r->cust[i].nlen, r->cust[i].name);
		key.mv_data = k->p;
		key.mv_size = k->len;
		if (rc == 0)
			rc = mdb_get(c->tx->t, crm_db_meta(c->tx->db), &key, &val);
		if (rc == MDB_NOTFOUND)
			rc = problem(c, r->ent->name, r->id, "",
			    "custom field %s is not registered (meta %s)",
			    shown(c, r->cust[i].name, r->cust[i].nlen), k->p);
	}
	return rc;
}

static int
note_payment(struct ck *c, const struct crm_rec *r)
{
	int fi = crm_field_find(r->ent, "invoice", 7);
	int fa = crm_field_find(r->ent, "amount", 6);

	if (fi < 0 || fa < 0 || r->v[fi].state != CRM_V_SET)
		return 0;
	if (c->npay == c->cappay) {
		size_t cap = c->cappay ? c->cappay * 2 : 1024;
		struct payment *p = realloc(c->pay, cap * sizeof(*p));

		if (p == NULL)
			return ENOMEM;
		c->pay = p;
		c->cappay = cap;
	}
	c->pay[c->npay].invoice = (uint64_t)r->v[fi].i;
	c->pay[c->npay].amount = r->v[fa].state == CRM_V_SET ? r->v[fa].i : 0;
	c->npay++;
	return 0;
}

static int
check_records(struct ck *c, const struct crm_entity *e)
{
	MDB_cursor *rcur = NULL, *icur[CRM_MAX_FIELDS] = { NULL };
	struct crm_rec *r = crm_rec_new(e);
	struct crm_buf k = CRM_BUF_INIT;
	MDB_val key, val;
	int f, rc, is_payment = strcmp(e->name, "payment") == 0;

	if (r == NULL)
		return ENOMEM;
	rc = mdb_cursor_open(c->tx->t, crm_db_records(c->tx->db, e), &rcur);
	for (f = 0; f < e->nfields && rc == 0; f++)
		if (crm_db_index(c->tx->db, e, f) != 0)
			rc = mdb_cursor_open(c->tx->t, crm_db_index(c->tx->db, e, f),
			    &icur[f]);
	if (rc != 0)
		goto done;
	for (rc = mdb_cursor_get(rcur, &key, &val, MDB_FIRST); rc == 0;
	    rc = mdb_cursor_get(rcur, &key, &val, MDB_NEXT)) {
		uint64_t id;

		c->n.records++;
		if (key.mv_size != 8) {
			rc = problem(c, e->name, 0, "",
			    "record key of %zu bytes, not 8", key.mv_size);
			if (rc != 0)
				break;
			continue;
		}
		id = crm_be64_get(key.mv_data);
		if (id > c->maxid[e->num])
			c->maxid[e->num] = id;
		rc = crm_rec_decode(r, id, val.mv_data, val.mv_size,
		    CRM_DECODE_BORROW);
		if (rc == CRM_ECORRUPT) {
			crm_clearerr();
			rc = problem(c, e->name, id, "", "record does not decode");
			if (rc != 0)
				break;
			continue;
		}
		if (rc == 0)
			rc = check_values(c, r);
		if (rc == 0)
			rc = check_indexed(c, r, icur);
		if (rc == 0)
			rc = check_customs(c, r, &k);
		if (rc == 0 && is_payment)
			rc = note_payment(c, r);
		/* Every record came with an audit entry. */
		if (rc == 0)
			rc = crm_audit_has(c->tx, e, id);
		if (rc == CRM_ECORRUPT) {
			crm_clearerr();
			rc = 0;	/* reported with the log */
		}
		if (rc == CRM_ENOTFOUND)
			rc = problem(c, e->name, id, "",
			    "has no entry in the audit log");
		if (rc != 0)
			break;
	}
	if (rc == MDB_NOTFOUND)
		rc = 0;
done:
	for (f = 0; f < e->nfields; f++)
		if (icur[f] != NULL)
			mdb_cursor_close(icur[f]);
	if (rcur != NULL)
		mdb_cursor_close(rcur);
	crm_buf_free(&k);
	crm_rec_free(r);
	return rc;
}

/* ---- indexes ----------------------------------------------------------- */

/* Entry id of the index of field f, under key, names a record holding
 * that key. */
static int
check_entry(struct ck *c, const struct crm_entity *e, int f, const char *name,
    struct crm_rec *r, const MDB_val *key, uint64_t id)
{
	const struct crm_field *fd = &e->fields[f];
	size_t nk;
	int rc;

	rc = crm_fetch(c->tx, r, id);
	if (rc == CRM_ENOTFOUND) {
		crm_clearerr();
		rc = problem(c, e->name, id, fd->name,
		    "index %s names it for %s, but it does not exist",
		    name, shown_key(c, fd, key));
	} else if (rc == CRM_ECORRUPT) {
		crm_clearerr();
		rc = 0;		/* reported with the records */
	} else if (rc == 0) {
		rc = field_keys(r, f, &c->keys, &nk);
		if (rc == 0 && !has_key(&c->keys, key))
			rc = problem(c, e->name, id, fd->name,
			    "index %s names it for %s, which it does "
			    "not hold", name, shown_key(c, fd, key));
	}
	return rc;
}

/* Every entry of the index of field f names a record holding its key:
 * an id of a unique index, each id of a block of a non-unique one. */
static int
scan_index(struct ck *c, const struct crm_entity *e, int f, const char *name)
{
	const struct crm_field *fd = &e->fields[f];
	int unique = (fd->flags & CRM_F_UNIQUE) != 0;
	struct crm_rec *r = crm_rec_new(e);
	MDB_cursor *cur = NULL;
	MDB_val key, val;
	size_t i;
	int rc;

	if (r == NULL)
		return ENOMEM;
	rc = mdb_cursor_open(c->tx->t, crm_db_index(c->tx->db, e, f), &cur);
	for (rc = rc != 0 ? rc : mdb_cursor_get(cur, &key, &val, MDB_FIRST);
	    rc == 0; rc = mdb_cursor_get(cur, &key, &val, MDB_NEXT)) {
		if (unique ? val.mv_size != 8 : crm_idl_valid(&val) != 0) {
			rc = problem(c, e->name, 0, fd->name, unique ?
			    "index %s: entry for %s is %zu bytes, not 8" :
			    "index %s: the ids for %s (%zu bytes) are not "
			    "in order", name, shown_key(c, fd, &key),
			    val.mv_size);
			if (rc != 0)
				break;
			continue;
		}
		for (i = 0; i < val.mv_size / 8 && rc == 0; i++)
			rc = check_entry(c, e, f, name, r, &key,
			    crm_be64_get((unsigned char *)val.mv_data + 8 * i));
		if (rc != 0)
			break;
	}
	if (rc == MDB_NOTFOUND)
		rc = 0;
	if (cur != NULL)
		mdb_cursor_close(cur);
	crm_rec_free(r);
	return rc;
}

static int
check_indexes(struct ck *c, const struct crm_entity *e)
{
	struct crm_buf name = CRM_BUF_INIT;
	int f, rc = 0;

	for (f = 0; f < e->nfields && rc == 0; f++) {
		MDB_dbi dbi = crm_db_index(c->tx->db, e, f);
		size_t n;

		if (dbi == 0)
			continue;
		rc = crm_index_entries(c->tx, e, f, &n);
		if (rc == 0)
			rc = index_name(&name, e, f);
		if (rc != 0)
			break;
		c->n.index_entries += n;
		/*
		 * Every entry the records call for was found: when the index
		 * holds no more than that, it holds nothing else.
		 */
		if (n == c->expect[e->num][f] &&
		    !c->suspect[e->num][f])
			continue;
		rc = scan_index(c, e, f, name.p);
	}
	crm_buf_free(&name);
	return rc;
}

/* ---- invoices ----------------------------------------------------------- */

static int
cmp_payment(const void *a, const void *b)
{
	const struct payment *x = a, *y = b;

	return x->invoice < y->invoice ? -1 : x->invoice > y->invoice;
}

/* paid is the sum of the payments (a rule of lib/rules.c). */
static int
check_invoices(struct ck *c)
{
	const struct crm_entity *e = crm_entity_find("invoice");
	struct crm_rec *r;
	struct crm_buf a = CRM_BUF_INIT, b = CRM_BUF_INIT;
	MDB_cursor *cur = NULL;
	MDB_val key, val;
	size_t i = 0;
	int rc, fp;

	fp = e != NULL ? crm_field_find(e, "paid", 4) : -1;
	if (fp < 0)
		return 0;
	r = crm_rec_new(e);
	if (r == NULL)
		return ENOMEM;
	if (c->npay > 1)
		qsort(c->pay, c->npay, sizeof(*c->pay), cmp_payment);
	rc = mdb_cursor_open(c->tx->t, crm_db_records(c->tx->db, e), &cur);
	for (rc = rc != 0 ? rc : mdb_cursor_get(cur, &key, &val, MDB_FIRST);
	    rc == 0; rc = mdb_cursor_get(cur, &key, &val, MDB_NEXT)) {
		uint64_t id;
		int64_t sum = 0, paid;
		int over = 0;

		if (key.mv_size != 8)
			continue;
		id = crm_be64_get(key.mv_data);
		while (i < c->npay && c->pay[i].invoice < id)
			i++;
		for (; i < c->npay && c->pay[i].invoice == id; i++)
			over |= __builtin_add_overflow(sum, c->pay[i].amount, &sum);
		if (crm_rec_decode(r, id, val.mv_data, val.mv_size,
		    CRM_DECODE_BORROW) != 0) {
			crm_clearerr();
			continue;	/* reported with the records */
		}
		paid = r->v[fp].state == CRM_V_SET ? r->v[fp].i : 0;
		if (paid == sum && !over)
			continue;
		crm_buf_reset(&a);
		crm_buf_reset(&b);
		rc = crm_money_format(&a, paid, crm_rec_exponent(r));
		if (rc == 0)
			rc = crm_money_format(&b, sum, crm_rec_exponent(r));
		if (rc == 0)
			rc = problem(c, e->name, id, "paid", over ?
			    "is %s, but its payments overflow" :
			    "is %s, but its payments sum to %s", a.p, b.p);
		if (rc != 0)
			break;
	}
	if (rc == MDB_NOTFOUND)
		rc = 0;
	if (cur != NULL)
		mdb_cursor_close(cur);
	crm_buf_free(&a);
	crm_buf_free(&b);
	crm_rec_free(r);
	return rc;
}

/* ---- audit log ----------------------------------------------------------- */

struct audit_walk {
	struct ck *c;
	struct crm_rec *old[CRM_MAX_ENTITIES];	/* for deletions' records */
	uint64_t n;
};

/* A setting's entry: an update of a named setting, filed under id 0. */
static int
audit_setting(struct ck *c, const struct crm_audit *a)
{
	int rc;

	if (a->op != CRM_AUDIT_UPDATE || a->id != 0 || a->flen == 0)
		return problem(c, "audit", a->seq, "", "a setting's entry "
		    "that is not an update of a named setting");
	rc = crm_audit_filed(c->tx, a);
	if (rc == CRM_ENOTFOUND)
		rc = problem(c, "audit", a->seq, "",
		    "not filed under the settings in audit.rec");
	return rc;
}

/* One entry, in sequence order: sound, and filed under its record. */
static int
audit_entry(const struct crm_audit *a, void *arg)
{
	struct audit_walk *w = arg;
	struct ck *c = w->c;
	const struct crm_entity *e = crm_entity_bynum(a->entity);
	int rc = 0;

	w->n++;
	c->n.audit_entries++;
	c->last_seq = a->seq;
	if (a->change < c->last_change)
		rc = problem(c, "audit", a->seq, "change",
		    "change %llu comes after change %llu",
		    (unsigned long long)a->change,
		    (unsigned long long)c->last_change);
	if (a->change > c->last_change)
		c->last_change = a->change;
	if (rc != 0)
		return rc;
	if (a->entity == CRM_AUDIT_SETTING)
		return audit_setting(c, a);
	if (e == NULL || a->entity < 0 || a->entity >= CRM_MAX_ENTITIES)
		return problem(c, "audit", a->seq, "entity",
		    "names entity number %d, which does not exist", a->entity);
	if (a->id > c->maxid[e->num])
		c->maxid[e->num] = a->id;
	if (a->op < CRM_AUDIT_CREATE || a->op > CRM_AUDIT_MERGE)
		rc = problem(c, "audit", a->seq, "op",
		    "operation %d is not create, update, delete or merge", a->op);
	if (rc == 0 && a->op == CRM_AUDIT_UPDATE &&
	    crm_field_find(e, a->field, a->flen) < 0 &&
	    !crm_custom_name_ok(a->field, a->flen))
		rc = problem(c, "audit", a->seq, "field",
		    "updates %s, which is not a field of %s",
		    shown(c, a->field, a->flen), e->plural);
	if (rc == 0 && a->op == CRM_AUDIT_DELETE) {
		/* The deleted record is kept whole, for undo. */
		if (w->old[e->num] == NULL)
			w->old[e->num] = crm_rec_new(e);
		if (w->old[e->num] == NULL)
			return ENOMEM;
		if (crm_rec_decode(w->old[e->num], a->id, a->old, a->olen,
		    CRM_DECODE_BORROW) != 0) {
			crm_clearerr();
			rc = problem(c, "audit", a->seq, "old",
			    "the deleted %s %llu does not decode", e->name,
			    (unsigned long long)a->id);
		}
	}
	if (rc != 0)
		return rc;
	rc = crm_audit_filed(c->tx, a);
	if (rc == CRM_ENOTFOUND)
		rc = problem(c, "audit", a->seq, "",
		    "not filed under %s %llu in audit.rec", e->name,
		    (unsigned long long)a->id);
	return rc;
}

/* The entries of one record, through audit.rec. */
struct rec_walk {
	int entity;
	uint64_t id;
	uint64_t n;
	int last_op;
	uint64_t last_change, stray;
};

static int
rec_entry(const struct crm_audit *a, void *arg)
{
	struct rec_walk *w = arg;

	w->n++;
	if (a->entity != w->entity || a->id != w->id) {
		if (w->stray == 0)
			w->stray = a->seq;
		return 0;
	}
	w->last_op = a->op;
	w->last_change = a->change;
	return 0;
}

/*
 * Each record named in audit.rec: its entries exist and are its own,
 * and it exists unless its last entry deleted it.
 */
static int
named_record(int entity, uint64_t id, uint64_t nlisted, void *arg)
{
	struct ck *c = arg;
	const struct crm_entity *e = crm_audit_entity(entity);
	struct rec_walk w;
	int rc, exists;

	if (e == NULL || (entity == CRM_AUDIT_SETTING && id != 0))
		return problem(c, "audit", 0, "audit.rec",
		    "names entity number %d, which does not exist", entity);
	memset(&w, 0, sizeof(w));
	w.entity = entity;
	w.id = id;
	rc = crm_audit_each(c->tx, e, id, 0, rec_entry, &w);
	if (rc == CRM_ECORRUPT) {
		crm_clearerr();
		return 0;	/* reported with the log */
	}
	if (rc != 0)
		return rc;
	if (w.n < nlisted)
		rc = problem(c, e->name, id, "", "audit.rec lists %llu entries "
		    "of it, but only %llu exist", (unsigned long long)nlisted,
		    (unsigned long long)w.n);
	else if (w.stray != 0)
		rc = problem(c, e->name, id, "",
		    "audit.rec lists entry %llu, which is not about it",
		    (unsigned long long)w.stray);
	if (rc != 0 || w.last_op == 0 || entity == CRM_AUDIT_SETTING)
		return rc;
	exists = crm_exists(c->tx, e, id);
	if (w.last_op == CRM_AUDIT_DELETE && exists)
		rc = problem(c, e->name, id, "",
		    "exists, but change %llu deleted it",
		    (unsigned long long)w.last_change);
	else if (w.last_op != CRM_AUDIT_DELETE && !exists)
		rc = problem(c, e->name, id, "",
		    "does not exist, but the audit log never deleted it (last "
		    "change %llu)", (unsigned long long)w.last_change);
	return rc;
}

static int
check_audit_records(struct ck *c)
{
	int rc = crm_audit_named(c->tx, named_record, c);

	if (rc == CRM_ECORRUPT) {
		crm_clearerr();
		rc = problem(c, "audit", 0, "audit.rec", "a key that does not "
		    "name a record");
	}
	return rc;
}

static int
check_audit(struct ck *c)
{
	struct audit_walk w;
	int rc, i;

	memset(&w, 0, sizeof(w));
	w.c = c;
	rc = crm_audit_each(c->tx, NULL, 0, 0, audit_entry, &w);
	if (rc == CRM_ECORRUPT) {
		/* The walk stops at an entry that does not decode. */
		uint64_t bad, after;

		crm_clearerr();
		rc = crm_audit_first_bad(c->tx, &bad, &after);
		if (rc == 0)
			rc = problem(c, "audit", bad, "",
			    "entry does not decode (%llu entries after it not "
			    "checked)", (unsigned long long)after);
	}
	for (i = 0; i < CRM_MAX_ENTITIES; i++)
		crm_rec_free(w.old[i]);
	if (rc == 0)
		rc = check_audit_records(c);
	return rc;
}

/* ---- sequences ----------------------------------------------------------- */

/* The sequence name in meta: what comes next is past what is used. */
static int
check_seq(struct ck *c, const char *name, uint64_t used)
{
	MDB_val k = { strlen(name), (void *)name }, v;
	uint64_t next = 1;
	int rc;

	rc = mdb_get(c->tx->t, crm_db_meta(c->tx->db), &k, &v);
	if (rc == MDB_NOTFOUND)
		rc = 0;
	else if (rc == 0 && v.mv_size != 8)
		return problem(c, "meta", 0, name, "%zu bytes, not 8",
		    v.mv_size);
	else if (rc == 0)
		next = crm_be64_get(v.mv_data);
	if (rc == 0 && next <= used)
		rc = problem(c, "meta", 0, name,
		    "next is %llu, but %llu is in use",
		    (unsigned long long)next, (unsigned long long)used);
	return rc;
}

static int
check_seqs(struct ck *c)
{
	char name[48];
	int i, rc = 0;

	for (i = 0; i < crm_nentities && rc == 0; i++) {
		snprintf(name, sizeof(name), "seq/%s", crm_entities[i]->name);
		rc = check_seq(c, name, c->maxid[crm_entities[i]->num]);
	}
	if (rc == 0)
		rc = check_seq(c, "seq/audit", c->last_seq);
	if (rc == 0)
		rc = check_seq(c, "seq/change", c->last_change);
	return rc;
}

int
crm_check(struct crm_txn *tx, int (*fn)(const struct crm_problem *, void *),
    void *arg, struct crm_check_counts *counts)
{
	struct ck *c;
	int i, rc = 0;

	c = calloc(1, sizeof(*c));
	if (c == NULL)
		return ENOMEM;
	c->tx = tx;
	c->fn = fn;
	c->arg = arg;
	for (i = 0; i < crm_nentities && rc == 0; i++)
		rc = check_records(c, crm_entities[i]);
	for (i = 0; i < crm_nentities && rc == 0; i++)
		rc = check_indexes(c, crm_entities[i]);
	if (rc == 0)
		rc = check_invoices(c);
	if (rc == 0)
		rc = check_audit(c);
	if (rc == 0)
		rc = check_seqs(c);
	if (counts != NULL)
		*counts = c->n;
	crm_buf_free(&c->keys);
	crm_buf_free(&c->text);
	free(c->pay);
	free(c);
	return rc;
}
