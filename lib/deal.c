/*
 * deal.c — pipelines and the deal rules.  See deal.h.
 *
 * The pipelines are one setting, "deal.stages": a line per stage,
 * "pipeline TAB stage TAB percent TAB stall-days", stages of a pipeline
 * together and in order.  Parsed on each use rather than cached: it is
 * a few hundred bytes, and a cache would be state shared between
 * transactions.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit.h"
#include "deal.h"
#include "error.h"
#include "store.h"
#include "utf8.h"
#include "value.h"

#define FLD(e, name) crm_field_find((e), (name), strlen(name))
#define SETTING "deal.stages"

static const struct crm_stage default_stages[] = {
	{ "lead", 10, CRM_STALL_DAYS },
	{ "qualified", 25, CRM_STALL_DAYS },
	{ "proposal", 50, CRM_STALL_DAYS },
	{ "negotiation", 75, CRM_STALL_DAYS },
	{ "won", 100, 0 },
	{ "lost", 0, 0 },
};

int
crm_stage_closed(const char *s, size_t len)
{
	return (len == 3 && memcmp(s, "won", 3) == 0) ||
	    (len == 4 && memcmp(s, "lost", 4) == 0);
}

const struct crm_stage *
crm_stage_find(const struct crm_pipeline *p, const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < p->n; i++)
		if (strlen(p->st[i].name) == len &&
		    memcmp(p->st[i].name, s, len) == 0)
			return &p->st[i];
	return NULL;
}

static void
default_pipeline(struct crm_pipeline *p)
{
	memset(p, 0, sizeof(*p));
	strcpy(p->name, "default");
	memcpy(p->st, default_stages, sizeof(default_stages));
	p->n = sizeof(default_stages) / sizeof(default_stages[0]);
}

/* Calls fn for each pipeline of the setting text (or the default). */
static int
parse_each(const char *s, size_t len,
    int (*fn)(const struct crm_pipeline *, void *), void *arg)
{
	struct crm_pipeline p;
	const char *end = s + len;
	int rc = 0;

	if (s == NULL) {
		default_pipeline(&p);
		return fn(&p, arg);
	}
	memset(&p, 0, sizeof(p));
	while (s < end && rc == 0) {
		const char *nl = memchr(s, '\n', (size_t)(end - s));
		const char *f[4];
		size_t fl[4], k;
		const char *q = s;
		struct crm_stage *st;

		if (nl == NULL)
			nl = end;
		for (k = 0; k < 4; k++) {
			const char *t = memchr(q, '\t', (size_t)(nl - q));

			f[k] = q;
			fl[k] = (size_t)((t != NULL && k < 3 ? t : nl) - q);
			q = t != NULL && k < 3 ? t + 1 : nl;
		}
		s = nl + 1;
		if (fl[0] == 0 || fl[0] >= CRM_STAGE_NAMELEN ||
		    fl[1] == 0 || fl[1] >= CRM_STAGE_NAMELEN)
			return crm_seterr(CRM_ECORRUPT, "setting %s: bad line",
			    SETTING);
		if (p.n > 0 && (strlen(p.name) != fl[0] ||
		    memcmp(p.name, f[0], fl[0]) != 0)) {
			rc = fn(&p, arg);
			memset(&p, 0, sizeof(p));
		}
		if (rc != 0 || p.n == CRM_STAGES_MAX)
			return rc != 0 ? rc : crm_seterr(CRM_ECORRUPT,
			    "setting %s: too many stages", SETTING);
		memcpy(p.name, f[0], fl[0]);
		st = &p.st[p.n++];
		memcpy(st->name, f[1], fl[1]);
		st->prob = atoi(f[2]);
		st->stall_days = atoi(f[3]);
	}
	if (rc == 0 && p.n > 0)
		rc = fn(&p, arg);
	return rc;
}

struct findarg {
	const char *name;
	struct crm_pipeline *out;
	struct crm_buf names;
	int found;
};

static int
find_one(const struct crm_pipeline *p, void *arg)
{
	struct findarg *a = arg;

	if (strcmp(p->name, a->name) == 0) {
		*a->out = *p;
		a->found = 1;
		return 0;
	}
	return crm_buf_printf(&a->names, "%s%s", a->names.len ? ", " : "",
	    p->name);
}

/* The pipelines' setting, read once per transaction (a deal import
 * asks for every row); crm_setting_change drops the memo. */
struct pipe_memo {
	struct crm_buf text;
	int have;
};
static const char pipe_memo_key;

static void
pipe_memo_free(void *p)
{
	struct pipe_memo *m = p;

	crm_buf_free(&m->text);
	free(m);
}

static int
setting(struct crm_txn *tx, struct crm_buf *b, int *have)
{
	struct pipe_memo *m = crm_memo_get(tx, &pipe_memo_key);
	int rc;

	crm_buf_reset(b);
	if (m != NULL) {
		*have = m->have;
		return m->have ? crm_buf_add(b, m->text.p, m->text.len) : 0;
	}
	rc = crm_setting_get(tx, SETTING, b);
	*have = rc == 0;
	if (rc == CRM_ENOTFOUND)
		rc = 0;
	/* Kept for the next row; without a free slot, read each time. */
	m = rc == 0 ? calloc(1, sizeof(*m)) : NULL;
	if (m == NULL)
		return rc;
	m->have = *have;
	if (*have && crm_buf_add(&m->text, b->p, b->len) != 0)
		pipe_memo_free(m);
	else
		(void)crm_memo_put(tx, &pipe_memo_key, m, pipe_memo_free);
	return rc;
}

int
crm_pipeline_load(struct crm_txn *tx, const char *name,
    struct crm_pipeline *p)
{
	struct crm_buf b = CRM_BUF_INIT;
	struct findarg a = { name != NULL ? name : "default", p, CRM_BUF_INIT,
		0 };
	int rc, have;

	rc = setting(tx, &b, &have);
	if (rc == 0)
		rc = parse_each(have ? b.p : NULL, b.len, find_one, &a);
	if (rc == 0 && !a.found)
		rc = crm_seterr(CRM_ENOTFOUND, "no pipeline \"%s\" (there %s %s)",
		    a.name, strchr(a.names.p ? a.names.p : "", ',') ? "are" :
		    "is", a.names.p ? a.names.p : "none");
	crm_buf_free(&a.names);
	crm_buf_free(&b);
	return rc;
}

int
crm_pipeline_each(struct crm_txn *tx,
    int (*fn)(const struct crm_pipeline *, void *), void *arg)
{
	struct crm_buf b = CRM_BUF_INIT;
	int rc, have;

	rc = setting(tx, &b, &have);
	if (rc == 0)
		rc = parse_each(have ? b.p : NULL, b.len, fn, arg);
	crm_buf_free(&b);
	return rc;
}

/* ---- saving ------------------------------------------------------------- */

struct savearg {
	const struct crm_pipeline *nw;	/* replaces its namesake; NULL: drop */
	const char *drop;
	struct crm_buf out;
	int done;
};

static int
write_pipeline(struct crm_buf *b, const struct crm_pipeline *p)
{
	size_t i;
	int rc = 0;

	for (i = 0; i < p->n && rc == 0; i++)
		rc = crm_buf_printf(b, "%s\t%s\t%d\t%d\n", p->name,
		    p->st[i].name, p->st[i].prob, p->st[i].stall_days);
	return rc;
}

static int
save_one(const struct crm_pipeline *p, void *arg)
{
	struct savearg *a = arg;

	if (a->drop != NULL && strcmp(p->name, a->drop) == 0) {
		a->done = 1;
		return 0;
	}
	if (a->nw != NULL && strcmp(p->name, a->nw->name) == 0) {
		a->done = 1;
		return write_pipeline(&a->out, a->nw);
	}
	return write_pipeline(&a->out, p);
}

static int
name_ok(const char *s)
{
	size_t len = strlen(s);

	return len > 0 && len < CRM_STAGE_NAMELEN &&
	    crm_utf8_check(s, len, NULL) == 0 && strpbrk(s, "\t\n\r=,:|;") == NULL;
}

static int
store_pipelines(struct crm_txn *tx, struct savearg *a)
{
	int rc;

	rc = crm_pipeline_each(tx, save_one, a);
	if (rc == 0 && a->nw != NULL && !a->done)
		rc = write_pipeline(&a->out, a->nw);
	if (rc == 0)
		rc = crm_buf_addc(&a->out, '\0');
	if (rc == 0)
		rc = crm_setting_change(tx, SETTING, a->out.p);
	return rc;
}

int
crm_pipeline_save(struct crm_txn *tx, const struct crm_pipeline *p)
{
	struct crm_pipeline full;
	struct savearg a = { &full, NULL, CRM_BUF_INIT, 0 };
	size_t i, j;
	int rc;

	if (!name_ok(p->name))
		return crm_seterr(CRM_EUSAGE, "pipeline \"%s\": not a usable "
		    "name (1 to %d bytes, none of tab = , : | ;)", p->name,
		    CRM_STAGE_NAMELEN - 1);
	memset(&full, 0, sizeof(full));
	strcpy(full.name, p->name);
	for (i = 0; i < p->n; i++) {
		const struct crm_stage *s = &p->st[i];

		if (!name_ok(s->name))
			return crm_seterr(CRM_EUSAGE, "stage \"%s\": not a "
			    "usable name", s->name);
		if (s->prob < 0 || s->prob > 100)
			return crm_seterr(CRM_EUSAGE, "stage %s: probability "
			    "%d: not 0 to 100", s->name, s->prob);
		if (s->stall_days < 0)
			return crm_seterr(CRM_EUSAGE, "stage %s: stall days "
			    "must not be negative", s->name);
		for (j = 0; j < i; j++)
			if (strcmp(p->st[j].name, s->name) == 0)
				return crm_seterr(CRM_EUSAGE, "stage %s: given "
				    "twice", s->name);
		if (!crm_stage_closed(s->name, strlen(s->name)))
			full.st[full.n++] = *s;
	}
	if (full.n == 0)
		return crm_seterr(CRM_EUSAGE, "pipeline %s: needs at least one "
		    "open stage (won and lost are added)", p->name);
	/* The closed stages last, as given or by default. */
	for (i = 4; i < 6; i++) {
		const struct crm_stage *s = crm_stage_find(p,
		    default_stages[i].name, strlen(default_stages[i].name));

		full.st[full.n++] = s != NULL ? *s : default_stages[i];
	}
	rc = store_pipelines(tx, &a);
	crm_buf_free(&a.out);
	return rc;
}

int
crm_pipeline_delete(struct crm_txn *tx, const char *name)
{
	const struct crm_entity *de = crm_entity_find("deal");
	struct savearg a = { NULL, name, CRM_BUF_INIT, 0 };
	struct crm_pipeline p;
	struct crm_iter *it = NULL;
	struct crm_rec *d;
	uint64_t id, used = 0;
	int rc, f = FLD(de, "pipeline");
	const void *data;
	size_t len;

	if (strcmp(name, "default") == 0)
		return crm_seterr(CRM_EUSAGE, "the default pipeline stays "
		    "(change its stages with stages set)");
	rc = crm_pipeline_load(tx, name, &p);
	if (rc != 0)
		return rc;
	d = crm_rec_new(de);
	if (d == NULL)
		return ENOMEM;
	rc = crm_iter_all(tx, de, &it);
	while (rc == 0 && used == 0 &&
	    (rc = crm_iter_next(it, &id, &data, &len)) == 0) {
		rc = crm_rec_decode_some(d, id, data, len, (uint64_t)1 << f, 0);
		if (rc == 0 && d->v[f].state == CRM_V_SET &&
		    strlen(name) == d->v[f].len &&
		    memcmp(d->v[f].s, name, d->v[f].len) == 0)
			used = id;
	}
	if (rc == CRM_ENOTFOUND)
		rc = 0;
	crm_iter_free(it);
	crm_rec_free(d);
	if (rc == 0 && used != 0)
		rc = crm_seterr(CRM_EDATA, "pipeline %s: deal %llu (and "
		    "maybe others) still in it", name, (unsigned long long)used);
	if (rc == 0)
		rc = store_pipelines(tx, &a);
	crm_buf_free(&a.out);
	return rc;
}

/* ---- the rules ---------------------------------------------------------- */

/* The user left field f alone: empty on a create, unchanged on an
 * update — so the rule may fill it. */
static int
untouched(const struct crm_rec *old, const struct crm_rec *nw, int f)
{
	return old == NULL ? nw->v[f].state == CRM_V_EMPTY :
	    crm_rec_same(old, nw, f);
}

static int
stage_list(const struct crm_pipeline *p, struct crm_buf *b)
{
	size_t i;
	int rc = 0;

	for (i = 0; i < p->n && rc == 0; i++)
		rc = crm_buf_printf(b, "%s%s", i ? ", " : "", p->st[i].name);
	return rc;
}

int
crm_deal_before(struct crm_txn *tx, const struct crm_rec *old,
    struct crm_rec *nw)
{
	const struct crm_entity *de = nw->ent;
	int f_pipe = FLD(de, "pipeline"), f_stage = FLD(de, "stage");
	int f_prob = FLD(de, "probability"), f_at = FLD(de, "stage_changed_at");
	int f_closed = FLD(de, "closed_at"), f_reason = FLD(de, "lost_reason");
	struct crm_pipeline p;
	const struct crm_stage *st;
	struct crm_val *sv = &nw->v[f_stage];
	int64_t when;
	int rc, moved;

	rc = crm_pipeline_load(tx, nw->v[f_pipe].state == CRM_V_SET ?
	    nw->v[f_pipe].s : NULL, &p);
	if (rc == CRM_ENOTFOUND) {
		char why[256];

		snprintf(why, sizeof(why), "%s", crm_errdetail(rc));
		return crm_seterr(CRM_EDATA, "field 'pipeline': %s", why);
	}
	if (rc != 0)
		return rc;
	if (sv->state != CRM_V_SET) {
		rc = crm_rec_setf(nw, f_stage, p.st[0].name,
		    strlen(p.st[0].name), tx->now);
		if (rc != 0)
			return rc;
	}
	st = crm_stage_find(&p, sv->s, sv->len);
	if (st == NULL) {
		struct crm_buf b = CRM_BUF_INIT;

		rc = stage_list(&p, &b);
		if (rc == 0)
			rc = crm_seterr(CRM_EDATA, "field 'stage': \"%.*s\" is "
			    "not a stage of pipeline %s (%s)", (int)sv->len,
			    sv->s, p.name, b.p);
		crm_buf_free(&b);
		return rc;
	}
	moved = old == NULL || !crm_rec_same(old, nw, f_stage) ||
	    !crm_rec_same(old, nw, f_pipe);
	if (!moved)
		return 0;
	/* A create keeps the times it is given (an import of history);
	 * otherwise the move happens now. */
	if (untouched(old, nw, f_prob))
		crm_rec_setint(nw, f_prob, st->prob);
	if (untouched(old, nw, f_at))
		crm_rec_setint(nw, f_at, old == NULL &&
		    nw->v[CRM_FLD_CREATED].state == CRM_V_SET ?
		    nw->v[CRM_FLD_CREATED].i : tx->now);
	when = nw->v[f_at].i;
	if (crm_stage_closed(sv->s, sv->len)) {
		if (untouched(old, nw, f_closed))
			crm_rec_setint(nw, f_closed, when);
	} else if (old != NULL) {
		/* Reopened: no longer closed, no longer lost. */
		if (untouched(old, nw, f_closed))
			nw->v[f_closed].state = CRM_V_EMPTY;
		if (untouched(old, nw, f_reason))
			nw->v[f_reason].state = CRM_V_EMPTY;
	}
	if (sv->len == 3 && memcmp(sv->s, "won", 3) == 0 &&
	    untouched(old, nw, f_reason))
		nw->v[f_reason].state = CRM_V_EMPTY;
	return 0;
}

/* ---- history ------------------------------------------------------------ */

struct histarg {
	struct crm_buf stages;	/* NUL-separated stage names */
	int64_t *at;
	size_t n, cap;
};

static int
hist_add(struct histarg *h, const char *s, size_t len, int64_t at)
{
	int rc;

	if (h->n == h->cap) {
		size_t cap = h->cap ? h->cap * 2 : 8;
		int64_t *a = realloc(h->at, cap * sizeof(*a));

		if (a == NULL)
			return ENOMEM;
		h->at = a;
		h->cap = cap;
	}
	rc = crm_buf_add(&h->stages, s, len);
	if (rc == 0)
		rc = crm_buf_addc(&h->stages, '\0');
	if (rc == 0)
		h->at[h->n++] = at;
	return rc;
}

static int
hist_entry(const struct crm_audit *a, void *arg)
{
	struct histarg *h = arg;

	if (a->op != CRM_AUDIT_UPDATE || a->flen != 5 ||
	    memcmp(a->field, "stage", 5) != 0)
		return 0;
	/* The first change also tells the stage the deal started in. */
	if (h->n == 0 && a->olen > 0) {
		int rc = hist_add(h, a->old, a->olen, INT64_MIN);

		if (rc != 0)
			return rc;
	}
	return hist_add(h, a->nw, a->nlen, a->at);
}

int
crm_deal_history(struct crm_txn *tx, const struct crm_rec *deal,
    int (*fn)(const char *stage, size_t len, int64_t entered, int64_t left,
    void *arg), void *arg)
{
	const struct crm_entity *de = deal->ent;
	const struct crm_val *sv = &deal->v[FLD(de, "stage")];
	const struct crm_val *at = &deal->v[FLD(de, "stage_changed_at")];
	struct histarg h;
	const char *s;
	size_t i;
	int rc;

	memset(&h, 0, sizeof(h));
	rc = crm_audit_each(tx, de, deal->id, 0, hist_entry, &h);
	if (rc == 0 && h.n == 0 && sv->state == CRM_V_SET)
		rc = hist_add(&h, sv->s, sv->len, at->state == CRM_V_SET ?
		    at->i : deal->v[CRM_FLD_CREATED].i);
	if (rc == 0 && h.n > 0 && h.at[0] == INT64_MIN)
		h.at[0] = deal->v[CRM_FLD_CREATED].i;
	s = h.stages.p;
	for (i = 0; i < h.n && rc == 0; i++) {
		rc = fn(s, strlen(s), h.at[i], i + 1 < h.n ? h.at[i + 1] : -1,
		    arg);
		s += strlen(s) + 1;
	}
	free(h.at);
	crm_buf_free(&h.stages);
	return rc;
}

/* ---- stalled and closing ------------------------------------------------ */

struct pick {
	struct crm_rec *r;
	int64_t key, val;
};

static int
cmp_pick(const void *a, const void *b)
{
	const struct pick *x = a, *y = b;

	if (x->key != y->key)
		return x->key < y->key ? -1 : 1;
	return x->r->id < y->r->id ? -1 : x->r->id > y->r->id;
}

static int64_t
day_of(int64_t secs)
{
	return secs >= 0 ? secs / 86400 : -((-secs + 86399) / 86400);
}

/*
 * Open deals passing keep(), sorted by the key it gives, handed to fn
 * with the value it gives.
 */
static int
open_deals(struct crm_txn *tx,
    int (*keep)(struct crm_txn *, const struct crm_rec *, int64_t arg,
    int64_t *key, int64_t *val), int64_t karg,
    int (*fn)(const struct crm_rec *, int64_t, void *), void *arg)
{
	const struct crm_entity *de = crm_entity_find("deal");
	int f_stage = FLD(de, "stage");
	struct crm_iter *it = NULL;
	struct pick *v = NULL;
	struct crm_rec *d = NULL;
	size_t n = 0, cap = 0, i;
	const void *data;
	size_t len;
	uint64_t id;
	int rc;

	rc = crm_iter_all(tx, de, &it);
	while (rc == 0 && (rc = crm_iter_next(it, &id, &data, &len)) == 0) {
		int64_t key, val;

		if (d == NULL && (d = crm_rec_new(de)) == NULL) {
			rc = ENOMEM;
			break;
		}
		rc = crm_rec_decode(d, id, data, len, 0);
		if (rc != 0 || (d->v[f_stage].state == CRM_V_SET &&
		    crm_stage_closed(d->v[f_stage].s, d->v[f_stage].len)))
			continue;
		rc = keep(tx, d, karg, &key, &val);
		if (rc <= 0)
			continue;
		rc = 0;
		if (n == cap) {
			size_t nc = cap ? cap * 2 : 64;
			struct pick *a = realloc(v, nc * sizeof(*v));

			if (a == NULL) {
				rc = ENOMEM;
				break;
			}
			v = a;
			cap = nc;
		}
		v[n].r = d;
		v[n].key = key;
		v[n].val = val;
		n++;
		d = NULL;
	}
	if (rc == CRM_ENOTFOUND)
		rc = 0;
	crm_iter_free(it);
	crm_rec_free(d);
	if (rc == 0 && n > 1)
		qsort(v, n, sizeof(*v), cmp_pick);
	for (i = 0; i < n && rc == 0; i++)
		rc = fn(v[i].r, v[i].val, arg);
	for (i = 0; i < n; i++)
		crm_rec_free(v[i].r);
	free(v);
	return rc;
}

static int
keep_stalled(struct crm_txn *tx, const struct crm_rec *d, int64_t days,
    int64_t *key, int64_t *val)
{
	const struct crm_entity *de = d->ent;
	const struct crm_val *at = &d->v[FLD(de, "stage_changed_at")];
	const struct crm_val *sv = &d->v[FLD(de, "stage")];
	const struct crm_val *pv = &d->v[FLD(de, "pipeline")];
	int64_t since = at->state == CRM_V_SET ? at->i :
	    d->v[CRM_FLD_CREATED].i;
	int64_t limit = days;

	if (limit < 0) {
		struct crm_pipeline p;
		const struct crm_stage *st = NULL;
		char name[CRM_STAGE_NAMELEN];
		int rc;

		snprintf(name, sizeof(name), "%.*s", pv->state == CRM_V_SET ?
		    (int)pv->len : 7, pv->state == CRM_V_SET ? pv->s :
		    "default");
		rc = crm_pipeline_load(tx, name, &p);
		if (rc == 0 && sv->state == CRM_V_SET)
			st = crm_stage_find(&p, sv->s, sv->len);
		if (rc == CRM_ENOTFOUND)
			crm_clearerr();
		limit = st != NULL ? st->stall_days : CRM_STALL_DAYS;
	}
	/* Whole days of 24 hours, as show counts them. */
	*val = (tx->now - since) / 86400;
	*key = since;
	return tx->now - since > limit * 86400;
}

int
crm_deals_stalled(struct crm_txn *tx, int64_t days,
    int (*fn)(const struct crm_rec *, int64_t, void *), void *arg)
{
	return open_deals(tx, keep_stalled, days, fn, arg);
}

static int
keep_closing(struct crm_txn *tx, const struct crm_rec *d, int64_t days,
    int64_t *key, int64_t *val)
{
	const struct crm_val *ec = &d->v[FLD(d->ent, "expected_close")];

	if (ec->state != CRM_V_SET)
		return 0;
	*val = ec->i - day_of(tx->now);
	*key = ec->i;
	return *val <= days;
}

int
crm_deals_closing(struct crm_txn *tx, int64_t days,
    int (*fn)(const struct crm_rec *, int64_t, void *), void *arg)
{
	return open_deals(tx, keep_closing, days, fn, arg);
}
