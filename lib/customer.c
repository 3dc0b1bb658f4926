/*
 * customer.c — duplicates, merge, references and the agenda.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit.h"
#include "customer.h"
#include "error.h"
#include "store.h"
#include "value.h"

/* ---- duplicates ------------------------------------------------------- */

struct keyed {
	char *key;
	size_t pos;		/* in dupstate.ids */
};

struct dupstate {
	struct keyed *k[CRM_DUPE_NCRIT];
	size_t n[CRM_DUPE_NCRIT], cap[CRM_DUPE_NCRIT];
	uint64_t *ids;		/* every record, entity by entity, in id order */
	unsigned char *ent;	/* its entity, as an index into ents */
	unsigned char *want;	/* its group is to be reported */
	size_t nids;
	size_t *parent;		/* union-find over positions in ids */
	unsigned *why;
};

/*
 * The field each entity compares by each criterion (bit order of
 * CRM_DUPE_*), or NULL.  A lead's company meets customers' names only
 * (two leads from one company are two people, not a duplicate).
 */
static const struct {
	const char *entity;
	const char *field[CRM_DUPE_NCRIT];
} dupe_fields[] = {
	{ "customer", { "email", "phone", "name", "name" } },
	{ "lead", { "email", "phone", "name", "company" } },
};
static const int dupe_cross[CRM_DUPE_NCRIT] = { 0, 0, 0, 1 };

static int
dupe_field(const struct crm_entity *e, int w)
{
	size_t i;

	for (i = 0; i < sizeof(dupe_fields) / sizeof(dupe_fields[0]); i++)
		if (strcmp(dupe_fields[i].entity, e->name) == 0 &&
		    dupe_fields[i].field[w] != NULL)
			return crm_field_find(e, dupe_fields[i].field[w],
			    strlen(dupe_fields[i].field[w]));
	return -1;
}

static int
push_key(struct dupstate *d, int which, const char *key, size_t len,
    size_t pos)
{
	if (len == 0)
		return 0;
	if (d->n[which] == d->cap[which]) {
		size_t cap = d->cap[which] ? d->cap[which] * 2 : 1024;
		struct keyed *p = realloc(d->k[which], cap * sizeof(*p));

		if (p == NULL)
			return ENOMEM;
		d->k[which] = p;
		d->cap[which] = cap;
	}
	d->k[which][d->n[which]].key = strndup(key, len);
	if (d->k[which][d->n[which]].key == NULL)
		return ENOMEM;
	d->k[which][d->n[which]].pos = pos;
	d->n[which]++;
	return 0;
}

static int
cmp_keyed(const void *a, const void *b)
{
	const struct keyed *x = a, *y = b;
	int c = strcmp(x->key, y->key);

	if (c != 0)
		return c;
	return x->pos < y->pos ? -1 : x->pos > y->pos;
}

static size_t
find_root(size_t *parent, size_t x)
{
	while (parent[x] != x) {
		parent[x] = parent[parent[x]];
		x = parent[x];
	}
	return x;
}

struct member {
	size_t root;
	size_t pos;
	unsigned why;
};

static int
cmp_member(const void *a, const void *b)
{
	const struct member *x = a, *y = b;

	if (x->root != y->root)
		return x->root < y->root ? -1 : 1;
	return x->pos < y->pos ? -1 : x->pos > y->pos;
}

/* The key of criterion w for value v of field f into b (empty: none). */
static int
dupe_key(const struct crm_entity *e, int f, int w, const struct crm_val *v,
    struct crm_buf *b)
{
	size_t k, nd = 0;
	int rc = 0;

	crm_buf_reset(b);
	if (w == 0)
		return crm_index_key(e, f, v->s, v->len, b);
	if (w >= 2)
		return crm_name_key(b, v->s, v->len);
	for (k = 0; k < v->len && rc == 0; k++)
		if (v->s[k] >= '0' && v->s[k] <= '9') {
			rc = crm_buf_addc(b, v->s[k]);
			nd++;
		}
	/* The subscriber number's tail survives reformatting. */
	if (rc == 0 && nd < 7)
		crm_buf_reset(b);
	else if (rc == 0 && nd > 9) {
		memmove(b->p, b->p + nd - 9, 9);
		b->len = 9;
		b->p[9] = '\0';
	}
	return rc;
}

/* Reads the keys of every record of e into d. */
static int
dupe_scan(struct crm_txn *tx, struct dupstate *d, const struct crm_entity *e,
    unsigned char ei, unsigned by, int (*want)(const struct crm_rec *))
{
	struct crm_rec *r;
	struct crm_iter *it = NULL;
	struct crm_buf b = CRM_BUF_INIT;
	const void *data;
	size_t len;
	uint64_t id;
	int rc, w, f;

	r = crm_rec_new(e);
	if (r == NULL)
		return ENOMEM;
	rc = crm_iter_all(tx, e, &it);
	while (rc == 0 && (rc = crm_iter_next(it, &id, &data, &len)) == 0) {
		rc = crm_rec_decode(r, id, data, len, CRM_DECODE_BORROW);
		if (rc != 0)
			break;
		if (d->nids % 1024 == 0) {
			uint64_t *p = realloc(d->ids, (d->nids + 1024) * sizeof(*p));
			unsigned char *q, *q2;

			if (p != NULL)
				d->ids = p;
			q = realloc(d->ent, d->nids + 1024);
			if (q != NULL)
				d->ent = q;
			q2 = realloc(d->want, d->nids + 1024);
			if (q2 != NULL)
				d->want = q2;
			if (p == NULL || q == NULL || q2 == NULL) {
				rc = ENOMEM;
				break;
			}
		}
		d->ids[d->nids] = id;
		d->ent[d->nids] = ei;
		d->want[d->nids] = want == NULL || want(r);
		for (w = 0; w < CRM_DUPE_NCRIT && rc == 0; w++) {
			f = (by & (1u << w)) ? dupe_field(e, w) : -1;
			if (f < 0 || r->v[f].state != CRM_V_SET)
				continue;
			rc = dupe_key(e, f, w, &r->v[f], &b);
			if (rc == 0)
				rc = push_key(d, w, b.p, b.len, d->nids);
		}
		d->nids++;
	}
	if (rc == CRM_ENOTFOUND)
		rc = 0;
	crm_buf_free(&b);
	crm_iter_free(it);
	crm_rec_free(r);
	return rc;
}

int
crm_dupes_among(struct crm_txn *tx, const struct crm_entity *const *ents,
    size_t nents, int (*want)(const struct crm_rec *), unsigned by,
    int (*fn)(uint64_t group, const struct crm_entity *e, uint64_t id,
    unsigned why, void *arg), void *arg)
{
	struct dupstate d;
	struct member *m = NULL;
	size_t i, j, k, nm = 0;
	uint64_t group;
	int rc = 0, w;

	memset(&d, 0, sizeof(d));
	for (i = 0; i < nents && rc == 0; i++)
		rc = dupe_scan(tx, &d, ents[i], (unsigned char)i, by, want);
	if (rc != 0)
		goto done;
	d.parent = malloc((d.nids ? d.nids : 1) * sizeof(*d.parent));
	d.why = calloc(d.nids ? d.nids : 1, sizeof(*d.why));
	if (d.parent == NULL || d.why == NULL) {
		rc = ENOMEM;
		goto done;
	}
	for (i = 0; i < d.nids; i++)
		d.parent[i] = i;
	for (w = 0; w < CRM_DUPE_NCRIT; w++) {
		if (d.n[w] > 1)
			qsort(d.k[w], d.n[w], sizeof(*d.k[w]), cmp_keyed);
		for (i = 0; i < d.n[w]; i = j) {
			int mixed = 0;

			for (j = i + 1; j < d.n[w] &&
			    strcmp(d.k[w][j].key, d.k[w][i].key) == 0; j++)
				mixed |= d.ent[d.k[w][j].pos] !=
				    d.ent[d.k[w][i].pos];
			if (dupe_cross[w] && !mixed)
				continue;
			for (k = i + 1; k < j; k++) {
				size_t a = d.k[w][i].pos, c = d.k[w][k].pos;

				d.why[a] |= 1u << w;
				d.why[c] |= 1u << w;
				a = find_root(d.parent, a);
				c = find_root(d.parent, c);
				if (a != c)
					d.parent[a > c ? a : c] = a < c ? a : c;
			}
		}
	}
	m = malloc((d.nids ? d.nids : 1) * sizeof(*m));
	if (m == NULL) {
		rc = ENOMEM;
		goto done;
	}
	for (i = 0; i < d.nids; i++)
		if (d.why[i] != 0) {
			m[nm].root = find_root(d.parent, i);
			m[nm].pos = i;
			m[nm].why = d.why[i];
			nm++;
		}
	/* The union keeps the smallest position as root, so groups come in
	 * order of their first record. */
	if (nm > 1)
		qsort(m, nm, sizeof(*m), cmp_member);
	group = 0;
	for (i = 0; i < nm && rc == 0; i = j) {
		int wanted = 0;

		for (j = i; j < nm && m[j].root == m[i].root; j++)
			wanted |= d.want[m[j].pos];
		if (!wanted)
			continue;
		group++;
		for (k = i; k < j && rc == 0; k++)
			rc = fn(group, ents[d.ent[m[k].pos]], d.ids[m[k].pos],
			    m[k].why, arg);
	}
done:
	for (w = 0; w < CRM_DUPE_NCRIT; w++) {
		for (i = 0; i < d.n[w]; i++)
			free(d.k[w][i].key);
		free(d.k[w]);
	}
	free(d.ids);
	free(d.ent);
	free(d.want);
	free(d.parent);
	free(d.why);
	free(m);
	return rc;
}

struct custdupes {
	int (*fn)(uint64_t, uint64_t, unsigned, void *);
	void *arg;
};

static int
cust_dupe(uint64_t group, const struct crm_entity *e, uint64_t id,
    unsigned why, void *arg)
{
	struct custdupes *c = arg;

	(void)e;
	return c->fn(group, id, why, c->arg);
}

int
crm_dupes(struct crm_txn *tx, unsigned by,
    int (*fn)(uint64_t group, uint64_t id, unsigned why, void *arg),
    void *arg)
{
	const struct crm_entity *e = crm_entity_find("customer");
	struct custdupes c = { fn, arg };

	return crm_dupes_among(tx, &e, 1, NULL,
	    by & (CRM_DUPE_EMAIL | CRM_DUPE_PHONE | CRM_DUPE_NAME), cust_dupe,
	    &c);
}

static const char *const dupe_names[CRM_DUPE_NCRIT] = { "email", "phone",
	"name", "company" };

int
crm_dupes_parse(const char *spec, unsigned allowed, unsigned *by)
{
	const char *p = spec;
	int w;

	while (*p != '\0') {
		size_t len = strcspn(p, ",");

		for (w = 0; w < CRM_DUPE_NCRIT; w++)
			if ((allowed & (1u << w)) && strlen(dupe_names[w]) == len &&
			    strncmp(p, dupe_names[w], len) == 0)
				break;
		if (w == CRM_DUPE_NCRIT) {
			struct crm_buf list = CRM_BUF_INIT;
			unsigned left = allowed;
			int rc;

			/* "email, phone or name" */
			for (w = 0; w < CRM_DUPE_NCRIT; w++)
				if (left & (1u << w)) {
					left &= ~(1u << w);
					crm_buf_printf(&list, "%s%s", list.len == 0 ?
					    "" : left ? ", " : " or ", dupe_names[w]);
				}
			rc = crm_seterr(CRM_EUSAGE, "--by \"%.*s\": not %s",
			    (int)len, p, list.p ? list.p : "");
			crm_buf_free(&list);
			return rc;
		}
		*by |= 1u << w;
		p += len;
		if (*p == ',')
			p++;
	}
	return 0;
}

int
crm_dupes_why(struct crm_buf *out, unsigned why)
{
	int w, rc = 0;
	size_t start = out->len;

	for (w = 0; w < CRM_DUPE_NCRIT && rc == 0; w++)
		if (why & (1u << w))
			rc = crm_buf_printf(out, "%s%s",
			    out->len > start ? ";" : "", dupe_names[w]);
	return rc;
}

/* ---- references -------------------------------------------------------- */

/*
 * Calls fn for each (entity, field) of the schema that refers to e.
 */
static int
each_ref_field(const struct crm_entity *e,
    int (*fn)(const struct crm_entity *of, int f, void *arg), void *arg)
{
	int i, f, rc = 0;

	for (i = 0; i < crm_nentities && rc == 0; i++) {
		const struct crm_entity *of = crm_entities[i];

		for (f = 0; f < of->nfields && rc == 0; f++)
			if (of->fields[f].type == CRM_T_REF &&
			    strcmp(of->fields[f].ref, e->name) == 0)
				rc = fn(of, f, arg);
	}
	return rc;
}

/* Ids of records of `of` whose field f holds id; caller frees *ids. */
static int
ids_referring(struct crm_txn *tx, const struct crm_entity *of, int f,
    uint64_t id, uint64_t **ids, size_t *n)
{
	struct crm_iter *it = NULL;
	char num[24];
	uint64_t x;
	size_t cap = 0;
	int rc;

	*ids = NULL;
	*n = 0;
	snprintf(num, sizeof(num), "%llu", (unsigned long long)id);
	rc = crm_iter_index(tx, of, f, num, strlen(num), &it);
	/* Collected first: callers write, and writes disturb cursors. */
	while (rc == 0 && (rc = crm_iter_next(it, &x, NULL, NULL)) == 0) {
		if (*n == cap) {
			uint64_t *p;

			cap = cap ? cap * 2 : 16;
			p = realloc(*ids, cap * sizeof(*p));
			if (p == NULL) {
				rc = ENOMEM;
				break;
			}
			*ids = p;
		}
		(*ids)[(*n)++] = x;
	}
	crm_iter_free(it);
	if (rc == CRM_ENOTFOUND)
		rc = 0;
	if (rc != 0) {
		free(*ids);
		*ids = NULL;
		*n = 0;
	}
	return rc;
}

struct countarg {
	struct crm_txn *tx;
	uint64_t id;
	size_t total;
	struct crm_buf *desc;
	const struct crm_entity *target;
};

static int
count_one(const struct crm_entity *of, int f, void *arg)
{
	struct countarg *c = arg;
	uint64_t *ids;
	size_t n;
	int rc;

	rc = ids_referring(c->tx, of, f, c->id, &ids, &n);
	free(ids);
	if (rc != 0 || n == 0)
		return rc;
	c->total += n;
	if (c->desc != NULL)
		rc = crm_buf_printf(c->desc, "%s%zu %s", c->desc->len ? ", " : "",
		    n, n == 1 ? of->name : of->plural);
	return rc;
}

int
crm_refs_count(struct crm_txn *tx, const struct crm_entity *e, uint64_t id,
    size_t *count, struct crm_buf *desc)
{
	struct countarg c = { tx, id, 0, desc, e };
	int rc;

	rc = each_ref_field(e, count_one, &c);
	*count = c.total;
	return rc;
}

struct delarg {
	struct crm_txn *tx;
	uint64_t id;
	const struct crm_entity *dep;
};

static int
delete_one(const struct crm_entity *of, int f, void *arg)
{
	struct delarg *d = arg;
	struct crm_rec *r;
	uint64_t *ids;
	size_t n, i;
	int rc;

	if (of != d->dep)
		return 0;
	rc = ids_referring(d->tx, of, f, d->id, &ids, &n);
	r = crm_rec_new(of);
	if (r == NULL)
		rc = ENOMEM;
	for (i = 0; i < n && rc == 0; i++) {
		rc = crm_fetch(d->tx, r, ids[i]);
		if (rc == 0)
			rc = crm_delete(d->tx, r);
	}
	crm_rec_free(r);
	free(ids);
	return rc;
}

int
crm_refs_delete(struct crm_txn *tx, const struct crm_entity *e, uint64_t id,
    const struct crm_entity *dep)
{
	struct delarg d = { tx, id, dep };

	return each_ref_field(e, delete_one, &d);
}

struct eacharg {
	struct crm_txn *tx;
	uint64_t id;
	const struct crm_entity *of;
	int (*fn)(const struct crm_rec *, void *);
	void *arg;
};

static int
each_one(const struct crm_entity *of, int f, void *arg)
{
	struct eacharg *a = arg;
	struct crm_rec *r;
	uint64_t *ids;
	size_t n, i;
	int rc;

	if (of != a->of)
		return 0;
	rc = ids_referring(a->tx, of, f, a->id, &ids, &n);
	r = crm_rec_new(of);
	if (r == NULL)
		rc = ENOMEM;
	for (i = 0; i < n && rc == 0; i++) {
		rc = crm_fetch(a->tx, r, ids[i]);
		if (rc == 0)
			rc = a->fn(r, a->arg);
	}
	crm_rec_free(r);
	free(ids);
	return rc;
}

int
crm_refs_each(struct crm_txn *tx, const struct crm_entity *e, uint64_t id,
    const struct crm_entity *of, int (*fn)(const struct crm_rec *, void *),
    void *arg)
{
	struct eacharg a = { tx, id, of, fn, arg };

	return each_ref_field(e, each_one, &a);
}

/* ---- merge ------------------------------------------------------------- */

struct movearg {
	struct crm_txn *tx;
	uint64_t from, to;
};

struct refmove {
	int f;
	uint64_t to;
};

static int
point_to(struct crm_rec *nw, void *arg)
{
	struct refmove *m = arg;

	crm_rec_setint(nw, m->f, (int64_t)m->to);
	return 0;
}

static int
move_one(const struct crm_entity *of, int f, void *arg)
{
	struct movearg *m = arg;
	struct refmove rm = { f, m->to };
	uint64_t *ids;
	size_t n, i;
	int rc;

	rc = ids_referring(m->tx, of, f, m->from, &ids, &n);
	for (i = 0; i < n && rc == 0; i++) {
		rc = crm_edit(m->tx, of, ids[i], point_to, &rm);
		if (rc == 1)
			rc = 0;
	}
	free(ids);
	return rc;
}

/* Fills keep's empty fields from dup; joins tags. */
static int
fill_from(struct crm_rec *keep, const struct crm_rec *dup)
{
	const struct crm_entity *e = keep->ent;
	size_t i;
	int f, rc = 0;

	for (f = CRM_FLD_UPDATED + 1; f < e->nfields && rc == 0; f++) {
		const struct crm_val *dv = &dup->v[f];

		if (dv->state != CRM_V_SET)
			continue;
		if (e->fields[f].type == CRM_T_TAGS &&
		    keep->v[f].state == CRM_V_SET) {
			const char *p = dv->s, *end = dv->s + dv->len, *semi;

			for (; p < end && rc >= 0; p = semi + 1) {
				semi = memchr(p, ';', (size_t)(end - p));
				if (semi == NULL)
					semi = end;
				rc = crm_rec_tag(keep, f, p, (size_t)(semi - p), 1);
			}
			rc = rc < 0 ? rc : 0;
			continue;
		}
		if (keep->v[f].state != CRM_V_EMPTY)
			continue;
		keep->v[f] = *dv;
		if (dv->s != NULL && e->fields[f].type != CRM_T_ENUM) {
			keep->v[f].s = crm_rec_strdup(keep, dv->s, dv->len);
			if (keep->v[f].s == NULL)
				rc = ENOMEM;
		}
	}
	for (i = 0; i < dup->ncust && rc == 0; i++) {
		const struct crm_custom *c = &dup->cust[i];
		const struct crm_custom *k = crm_rec_custom(keep, c->name, c->nlen);

		if (k == NULL || k->len == 0)
			rc = crm_rec_set(keep, c->name, c->nlen, c->s, c->len, 0, 0);
	}
	return rc;
}

int
crm_merge(struct crm_txn *tx, uint64_t keep, const uint64_t *dups, size_t n)
{
	const struct crm_entity *e = crm_entity_find("customer");
	struct crm_rec *old = NULL, *nw = NULL, *dup = NULL;
	size_t i, j;
	int rc = 0;

	for (i = 0; i < n; i++) {
		if (dups[i] == keep)
			return crm_seterr(CRM_EUSAGE,
			    "cannot merge customer %llu into itself",
			    (unsigned long long)keep);
		for (j = 0; j < i; j++)
			if (dups[j] == dups[i])
				return crm_seterr(CRM_EUSAGE,
				    "customer %llu named twice",
				    (unsigned long long)dups[i]);
	}
	old = crm_rec_new(e);
	nw = crm_rec_new(e);
	dup = crm_rec_new(e);
	if (old == NULL || nw == NULL || dup == NULL) {
		rc = ENOMEM;
		goto done;
	}
	rc = crm_fetch(tx, old, keep);
	if (rc == 0)
		rc = crm_rec_copy(nw, old);
	for (i = 0; i < n && rc == 0; i++) {
		struct movearg m = { tx, dups[i], keep };

		rc = crm_fetch(tx, dup, dups[i]);
		if (rc == 0)
			rc = each_ref_field(e, move_one, &m);
		if (rc == 0)
			rc = fill_from(nw, dup);
		/* Delete first: the duplicate's unique keys may move to keep. */
		if (rc == 0)
			rc = crm_delete(tx, dup);
		if (rc == 0) {
			char num[24];

			snprintf(num, sizeof(num), "%llu",
			    (unsigned long long)dups[i]);
			rc = crm_audit_add(tx, e, keep, CRM_AUDIT_MERGE, "", 0,
			    NULL, 0, num, strlen(num));
		}
	}
	if (rc == 0) {
		rc = crm_update(tx, old, nw);
		if (rc == 1)
			rc = 0;
	}
done:
	crm_rec_free(old);
	crm_rec_free(nw);
	crm_rec_free(dup);
	return rc;
}

/* ---- agenda ------------------------------------------------------------- */

struct agitem {
	int64_t due;
	uint64_t id;
};

static int
cmp_agitem(const void *a, const void *b)
{
	const struct agitem *x = a, *y = b;

	if (x->due != y->due)
		return x->due < y->due ? -1 : 1;
	return x->id < y->id ? -1 : x->id > y->id;
}

int
crm_agenda(struct crm_txn *tx, const char *owner, int64_t days,
    int (*fn)(const struct crm_rec *act, const struct crm_rec *cust,
    void *arg), void *arg)
{
	const struct crm_entity *ae = crm_entity_find("activity");
	const struct crm_entity *ce = crm_entity_find("customer");
	int f_fu = crm_field_find(ae, "follow_up", 9);
	int f_done = crm_field_find(ae, "done", 4);
	int f_cust = crm_field_find(ae, "customer", 8);
	int f_by = crm_field_find(ae, "by", 2);
	int f_owner = crm_field_find(ce, "owner", 5);
	int64_t today = tx->now >= 0 ? tx->now / 86400 :
	    -((-tx->now + 86399) / 86400);
	struct crm_rec *a = NULL, *c = NULL;
	struct crm_iter *it = NULL;
	struct agitem *items = NULL;
	size_t n = 0, cap = 0, i;
	const void *data;
	size_t len;
	uint64_t id;
	int rc;

	a = crm_rec_new(ae);
	c = crm_rec_new(ce);
	if (a == NULL || c == NULL) {
		rc = ENOMEM;
		goto done;
	}
	rc = crm_iter_all(tx, ae, &it);
	while (rc == 0 && (rc = crm_iter_next(it, &id, &data, &len)) == 0) {
		rc = crm_rec_decode(a, id, data, len, CRM_DECODE_BORROW);
		if (rc != 0)
			break;
		if (a->v[f_fu].state != CRM_V_SET || a->v[f_fu].i > today + days ||
		    (a->v[f_done].state == CRM_V_SET && a->v[f_done].i))
			continue;
		if (n == cap) {
			struct agitem *p;

			cap = cap ? cap * 2 : 64;
			p = realloc(items, cap * sizeof(*p));
			if (p == NULL) {
				rc = ENOMEM;
				break;
			}
			items = p;
		}
		items[n].due = a->v[f_fu].i;
		items[n].id = id;
		n++;
	}
	if (rc == CRM_ENOTFOUND)
		rc = 0;
	if (n > 1)
		qsort(items, n, sizeof(*items), cmp_agitem);
	for (i = 0; i < n && rc == 0; i++) {
		const struct crm_rec *cust = NULL;
		const struct crm_val *who;

		rc = crm_fetch(tx, a, items[i].id);
		if (rc != 0)
			break;
		if (a->v[f_cust].state == CRM_V_SET) {
			rc = crm_fetch(tx, c, (uint64_t)a->v[f_cust].i);
			if (rc == CRM_ENOTFOUND) {
				crm_clearerr();
				rc = 0;
			} else if (rc == 0)
				cust = c;
			else
				break;
		}
		if (owner != NULL) {
			who = cust != NULL && cust->v[f_owner].state == CRM_V_SET ?
			    &cust->v[f_owner] : &a->v[f_by];
			if (who->state != CRM_V_SET || who->len != strlen(owner) ||
			    memcmp(who->s, owner, who->len) != 0)
				continue;
		}
		rc = fn(a, cust, arg);
	}
done:
	free(items);
	crm_iter_free(it);
	crm_rec_free(a);
	crm_rec_free(c);
	return rc;
}
