/*
 * invoice.c — invoice and payment rules, numbers, instalments and
 * dunning.  See invoice.h.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit.h"
#include "error.h"
#include "invoice.h"
#include "store.h"
#include "value.h"

#define FLD(e, name) crm_field_find((e), (name), strlen(name))
#define E_INVOICE (crm_entity_find("invoice"))
#define E_PAYMENT (crm_entity_find("payment"))

static int64_t
day_of(int64_t secs)
{
	return secs >= 0 ? secs / 86400 : -((-secs + 86399) / 86400);
}

static int
is_text(const struct crm_val *v, const char *s)
{
	return v->state == CRM_V_SET && v->len == strlen(s) &&
	    memcmp(v->s, s, v->len) == 0;
}

/* Sum of the payments of invoice id, in minor units. */
static int
payments_sum(struct crm_txn *tx, uint64_t invoice, int64_t *sum)
{
	const struct crm_entity *pe = E_PAYMENT;
	struct crm_iter *it = NULL;
	struct crm_rec *p;
	char num[24];
	uint64_t id;
	int rc, f_amount = FLD(pe, "amount");

	*sum = 0;
	p = crm_rec_new(pe);
	if (p == NULL)
		return ENOMEM;
	snprintf(num, sizeof(num), "%llu", (unsigned long long)invoice);
	rc = crm_iter_index(tx, pe, FLD(pe, "invoice"), num, strlen(num), &it);
	while (rc == 0 && (rc = crm_iter_next(it, &id, NULL, NULL)) == 0) {
		/* Only the amount, a number: nothing to copy. */
		rc = crm_fetch_some(tx, p, id, (uint64_t)1 << f_amount);
		if (rc == 0 && p->v[f_amount].state == CRM_V_SET &&
		    __builtin_add_overflow(*sum, p->v[f_amount].i, sum))
			rc = crm_seterr(CRM_EDATA, "invoice %llu: payments "
			    "overflow", (unsigned long long)invoice);
	}
	if (rc == CRM_ENOTFOUND)
		rc = 0;
	crm_iter_free(it);
	crm_rec_free(p);
	return rc;
}

/*
 * paid is the sum of the payments (none yet on a create) and status
 * follows from it; void stays void, and is refused once paid.
 */
int
crm_invoice_before(struct crm_txn *tx, const struct crm_rec *old,
    struct crm_rec *nw)
{
	const struct crm_entity *ie = nw->ent;
	int f_amount = FLD(ie, "amount"), f_paid = FLD(ie, "paid");
	int f_status = FLD(ie, "status");
	const char *status;
	int64_t sum = 0;
	int rc = 0;

	if (old != NULL)
		rc = payments_sum(tx, nw->id, &sum);
	if (rc != 0)
		return rc;
	crm_rec_setint(nw, f_paid, sum);
	if (sum > 0 && nw->v[f_amount].state == CRM_V_SET &&
	    nw->v[f_amount].i < sum) {
		struct crm_buf a = CRM_BUF_INIT, b = CRM_BUF_INIT;
		int exp = crm_rec_exponent(nw);

		crm_money_format(&a, nw->v[f_amount].i, exp);
		crm_money_format(&b, sum, exp);
		rc = crm_seterr(CRM_EDATA, "field 'amount': %s is less than the "
		    "%s already paid", a.p ? a.p : "", b.p ? b.p : "");
		crm_buf_free(&a);
		crm_buf_free(&b);
		return rc;
	}
	if (is_text(&nw->v[f_status], "void")) {
		if (sum > 0)
			return crm_seterr(CRM_EDATA, "field 'status': invoice "
			    "%llu has payments and cannot be void",
			    (unsigned long long)nw->id);
		return 0;
	}
	status = sum <= 0 ? "open" :
	    nw->v[f_amount].state == CRM_V_SET && sum >= nw->v[f_amount].i ?
	    "paid" : "partial";
	return crm_rec_setf(nw, f_status, status, strlen(status), tx->now);
}

static int
touch(struct crm_rec *nw, void *arg)
{
	(void)nw;
	(void)arg;
	return 0;
}

/* Rewrites an invoice so its rule recomputes paid and status. */
static int
invoice_refresh(struct crm_txn *tx, uint64_t invoice)
{
	int rc = crm_edit(tx, E_INVOICE, invoice, touch, NULL);

	if (rc == CRM_ENOTFOUND) {
		crm_clearerr();
		return 0;	/* deleted in the same change */
	}
	return rc == 1 ? 0 : rc;
}

/* A payment without a currency takes its invoice's, before its amount
 * is read (the currency says how many decimals it has). */
int
crm_payment_defaults(struct crm_txn *tx, struct crm_rec *nw)
{
	const struct crm_entity *pe = nw->ent, *ie = E_INVOICE;
	int f_inv = FLD(pe, "invoice"), f_cur = FLD(pe, "currency");
	int f_icur = FLD(ie, "currency");
	struct crm_rec *inv;
	int rc;

	if (nw->v[f_inv].state != CRM_V_SET || nw->v[f_cur].state != CRM_V_EMPTY)
		return 0;
	inv = crm_rec_new(ie);
	if (inv == NULL)
		return ENOMEM;
	rc = crm_fetch(tx, inv, (uint64_t)nw->v[f_inv].i);
	if (rc == 0 && inv->v[f_icur].state == CRM_V_SET)
		rc = crm_rec_setf(nw, f_cur, inv->v[f_icur].s,
		    inv->v[f_icur].len, tx->now);
	if (rc == CRM_ENOTFOUND) {
		crm_clearerr();
		rc = 0;		/* reported by crm_payment_before */
	}
	crm_rec_free(inv);
	return rc;
}

/* A payment: in its invoice's currency, more than zero, no overpayment,
 * not on a void invoice. */
int
crm_payment_before(struct crm_txn *tx, const struct crm_rec *old,
    struct crm_rec *nw)
{
	const struct crm_entity *pe = nw->ent, *ie = E_INVOICE;
	int f_inv = FLD(pe, "invoice"), f_amount = FLD(pe, "amount");
	int f_cur = FLD(pe, "currency");
	struct crm_rec *inv = NULL;
	const struct crm_val *ic;
	int64_t sum, amount, mine;
	int rc;

	if (nw->v[f_inv].state != CRM_V_SET)
		return 0;
	inv = crm_rec_new(ie);
	if (inv == NULL)
		return ENOMEM;
	rc = crm_fetch(tx, inv, (uint64_t)nw->v[f_inv].i);
	if (rc != 0)
		goto done;
	ic = &inv->v[FLD(ie, "currency")];
	if (nw->v[f_cur].state == CRM_V_SET && ic->state == CRM_V_SET &&
	    (nw->v[f_cur].len != ic->len ||
	    memcmp(nw->v[f_cur].s, ic->s, ic->len) != 0)) {
		rc = crm_seterr(CRM_EDATA,
		    "field 'currency': %.*s, but invoice %llu is in %.*s",
		    (int)nw->v[f_cur].len, nw->v[f_cur].s,
		    (unsigned long long)inv->id, (int)ic->len, ic->s);
		goto done;
	}
	if (is_text(&inv->v[FLD(ie, "status")], "void")) {
		rc = crm_seterr(CRM_EDATA, "field 'invoice': invoice %llu is "
		    "void", (unsigned long long)inv->id);
		goto done;
	}
	if (nw->v[f_amount].state != CRM_V_SET)
		goto done;
	rc = payments_sum(tx, inv->id, &sum);
	if (rc != 0)
		goto done;
	mine = old != NULL && old->v[f_inv].state == CRM_V_SET &&
	    old->v[f_inv].i == nw->v[f_inv].i ? old->v[f_amount].i : 0;
	amount = inv->v[FLD(ie, "amount")].i;
	if (nw->v[f_amount].i <= 0)
		rc = crm_seterr(CRM_EDATA, "field 'amount': a payment must be "
		    "more than zero");
	else if (sum - mine + nw->v[f_amount].i > amount) {
		struct crm_buf a = CRM_BUF_INIT, b = CRM_BUF_INIT;
		int exp = crm_rec_exponent(inv);

		const struct crm_val *num = &inv->v[FLD(ie, "number")];

		crm_money_format(&a, amount - (sum - mine), exp);
		crm_money_format(&b, nw->v[f_amount].i, exp);
		rc = crm_seterr(CRM_EDATA, "field 'amount': %s would overpay "
		    "invoice %.*s (outstanding %s)", b.p ? b.p : "",
		    (int)num->len, num->s, a.p ? a.p : "");
		crm_buf_free(&a);
		crm_buf_free(&b);
	}
done:
	if (rc == CRM_ENOTFOUND)
		rc = crm_seterr(CRM_EDATA, "field 'invoice': no such invoice");
	crm_rec_free(inv);
	return rc;
}

/* After a payment changes, its invoice (and the one it left) follow. */
int
crm_payment_after(struct crm_txn *tx, const struct crm_rec *old,
    const struct crm_rec *nw)
{
	int f = FLD(E_PAYMENT, "invoice"), rc = 0;

	if (nw != NULL && nw->v[f].state == CRM_V_SET)
		rc = invoice_refresh(tx, (uint64_t)nw->v[f].i);
	if (rc == 0 && old != NULL && old->v[f].state == CRM_V_SET &&
	    (nw == NULL || nw->v[f].i != old->v[f].i))
		rc = invoice_refresh(tx, (uint64_t)old->v[f].i);
	return rc;
}

/* ---- numbers and instalments -------------------------------------------- */

int
crm_invoice_number(struct crm_txn *tx, struct crm_buf *out)
{
	const struct crm_entity *ie = E_INVOICE;
	struct crm_buf b = CRM_BUF_INIT;
	unsigned long long next = 1;
	char num[32], nx[24];
	uint64_t id;
	int rc;

	rc = crm_setting_get(tx, "invoice.next", &b);
	if (rc == 0) {
		crm_buf_addc(&b, '\0');
		next = strtoull(b.p, NULL, 10);
	} else if (rc == CRM_ENOTFOUND)
		rc = 0;
	crm_buf_free(&b);
	for (; rc == 0; next++) {
		snprintf(num, sizeof(num), "INV-%06llu", next);
		rc = crm_lookup(tx, ie, num, strlen(num), &id);
		if (rc == CRM_ENOTFOUND) {
			crm_clearerr();
			rc = 0;
			break;
		}
	}
	snprintf(nx, sizeof(nx), "%llu", next + 1);
	if (rc == 0)
		rc = crm_setting_put(tx, "invoice.next", nx);
	if (rc == 0)
		rc = crm_buf_adds(out, num);
	return rc;
}

int64_t
crm_instalment(int64_t total, int64_t k, int64_t i)
{
	int64_t part = total / k, left = total % k;

	/* C division truncates: a negative total leaves a negative rest,
	 * spread the same way. */
	if (left >= 0)
		return part + (i < left ? 1 : 0);
	return part - (i < -left ? 1 : 0);
}

int
crm_every_parse(const char *s, struct crm_every *ev)
{
	char *end;
	long long n;

	n = strtoll(s, &end, 10);
	if (end == s || n <= 0 || n > 1000 || end[0] == '\0' || end[1] != '\0')
		goto bad;
	switch (end[0]) {
	case 'd':
		ev->n = n, ev->unit = 'd';
		return 0;
	case 'w':
		ev->n = n * 7, ev->unit = 'd';
		return 0;
	case 'm':
		ev->n = n, ev->unit = 'm';
		return 0;
	case 'y':
		ev->n = n * 12, ev->unit = 'm';
		return 0;
	}
bad:
	return crm_seterr(CRM_EUSAGE, "--every \"%s\": not an interval such "
	    "as 30d, 2w, 1m or 1y", s);
}

int64_t
crm_every_add(int64_t day, const struct crm_every *ev, int64_t n)
{
	static const unsigned mdays[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30,
		31, 30, 31 };
	int64_t y, months;
	unsigned m, d, last;

	if (ev->unit == 'd')
		return day + ev->n * n;
	/* Calendar months: the same day of the month, or the month's last
	 * day when it is shorter (Jan 31 + 1m is Feb 28 or 29). */
	crm_civil_from_days(day, &y, &m, &d);
	months = y * 12 + (m - 1) + ev->n * n;
	y = months / 12;
	m = (unsigned)(months % 12) + 1;
	last = mdays[m - 1] + (m == 2 && (y % 4 == 0 && (y % 100 != 0 ||
	    y % 400 == 0)));
	return crm_days_from_civil(y, m, d < last ? d : last);
}

/* ---- dunning ------------------------------------------------------------ */

static const struct crm_dunning default_dunning = { { 1, 16, 31, 61 }, 4 };

int
crm_dunning_load(struct crm_txn *tx, struct crm_dunning *d)
{
	struct crm_buf b = CRM_BUF_INIT;
	const char *p;
	int rc;

	*d = default_dunning;
	rc = crm_setting_get(tx, "invoice.dunning", &b);
	if (rc == CRM_ENOTFOUND) {
		crm_clearerr();
		return 0;
	}
	if (rc == 0)
		rc = crm_buf_addc(&b, '\0');
	if (rc == 0) {
		d->n = 0;
		for (p = b.p; *p != '\0' && d->n < CRM_DUNNING_MAX; ) {
			char *end;

			d->days[d->n++] = strtoll(p, &end, 10);
			p = *end == ',' ? end + 1 : end;
			if (end == p && *p != '\0')
				break;
		}
		if (d->n == 0)
			*d = default_dunning;
	}
	crm_buf_free(&b);
	return rc;
}

int
crm_dunning_save(struct crm_txn *tx, const struct crm_dunning *d)
{
	struct crm_buf b = CRM_BUF_INIT;
	size_t i;
	int rc = 0;

	if (d->n == 0)
		return crm_seterr(CRM_EUSAGE, "dunning: give at least one level");
	for (i = 0; i < d->n && rc == 0; i++) {
		if (d->days[i] < 1 || (i > 0 && d->days[i] <= d->days[i - 1]))
			rc = crm_seterr(CRM_EUSAGE, "dunning level %zu: starts "
			    "at %lld days; levels start at 1 day or more, each "
			    "later than the one before", i + 1,
			    (long long)d->days[i]);
		else
			rc = crm_buf_printf(&b, "%s%lld", i ? "," : "",
			    (long long)d->days[i]);
	}
	if (rc == 0)
		rc = crm_setting_change(tx, "invoice.dunning", b.p);
	crm_buf_free(&b);
	return rc;
}

int
crm_dunning_level(const struct crm_dunning *d, int64_t days)
{
	size_t i;
	int level = 0;

	for (i = 0; i < d->n; i++)
		if (days >= d->days[i])
			level = (int)i + 1;
	return level;
}

int
crm_invoice_overdue(const struct crm_rec *inv, int64_t today,
    const struct crm_dunning *d, struct crm_overdue *o)
{
	const struct crm_entity *ie = inv->ent;
	const struct crm_val *due = &inv->v[FLD(ie, "due_on")];
	const struct crm_val *amount = &inv->v[FLD(ie, "amount")];
	const struct crm_val *paid = &inv->v[FLD(ie, "paid")];
	const struct crm_val *lvl = &inv->v[FLD(ie, "dunning_level")];

	memset(o, 0, sizeof(*o));
	o->outstanding = (amount->state == CRM_V_SET ? amount->i : 0) -
	    (paid->state == CRM_V_SET ? paid->i : 0);
	o->reminded = lvl->state == CRM_V_SET ? (int)lvl->i : 0;
	if (due->state != CRM_V_SET || is_text(&inv->v[FLD(ie, "status")],
	    "void"))
		return 0;
	o->days = today - due->i;
	if (o->days <= 0 || o->outstanding <= 0)
		return 0;
	o->level = d != NULL ? crm_dunning_level(d, o->days) : 0;
	return 1;
}

struct due {
	struct crm_rec *r;
	struct crm_overdue o;
};

static int
cmp_due(const void *a, const void *b)
{
	const struct due *x = a, *y = b;

	if (x->o.days != y->o.days)
		return x->o.days > y->o.days ? -1 : 1;
	return x->r->id < y->r->id ? -1 : x->r->id > y->r->id;
}

struct reminder {
	int level;
	int64_t at;
};

static int
mark_reminded(struct crm_rec *nw, void *arg)
{
	const struct reminder *m = arg;

	crm_rec_setint(nw, FLD(nw->ent, "dunning_level"), m->level);
	crm_rec_setint(nw, FLD(nw->ent, "reminded_at"), m->at);
	return 0;
}

int
crm_overdue_each(struct crm_txn *tx, int64_t min_days, int level, int mark,
    int (*fn)(const struct crm_rec *, const struct crm_overdue *, void *),
    void *arg)
{
	const struct crm_entity *ie = E_INVOICE;
	struct crm_dunning dn;
	struct crm_iter *it = NULL;
	struct crm_rec *r = NULL;
	struct due *v = NULL;
	size_t n = 0, cap = 0, i;
	int64_t today = day_of(tx->now);
	const void *data;
	size_t len;
	uint64_t id;
	int rc;

	rc = crm_dunning_load(tx, &dn);
	if (rc == 0)
		rc = crm_iter_all(tx, ie, &it);
	while (rc == 0 && (rc = crm_iter_next(it, &id, &data, &len)) == 0) {
		struct crm_overdue o;

		if (r == NULL && (r = crm_rec_new(ie)) == NULL) {
			rc = ENOMEM;
			break;
		}
		/* Copied: marking writes, and a write may move the map. */
		rc = crm_rec_decode(r, id, data, len, CRM_DECODE_COPY);
		if (rc != 0 || !crm_invoice_overdue(r, today, &dn, &o) ||
		    o.days < min_days || (level > 0 && o.level != level) ||
		    (mark && o.reminded >= o.level))
			continue;
		if (n == cap) {
			size_t nc = cap ? cap * 2 : 64;
			struct due *a = realloc(v, nc * sizeof(*v));

			if (a == NULL) {
				rc = ENOMEM;
				break;
			}
			v = a;
			cap = nc;
		}
		v[n].r = r;
		v[n].o = o;
		n++;
		r = NULL;
	}
	if (rc == CRM_ENOTFOUND)
		rc = 0;
	crm_iter_free(it);
	crm_rec_free(r);
	if (rc == 0 && n > 1)
		qsort(v, n, sizeof(*v), cmp_due);
	for (i = 0; i < n && rc == 0; i++) {
		if (mark) {
			struct reminder m = { v[i].o.level, tx->now };

			rc = crm_edit(tx, ie, v[i].r->id, mark_reminded, &m);
			if (rc == 1)
				rc = 0;
			mark_reminded(v[i].r, &m);
			v[i].o.reminded = m.level;
		}
		if (rc == 0)
			rc = fn(v[i].r, &v[i].o, arg);
	}
	for (i = 0; i < n; i++)
		crm_rec_free(v[i].r);
	free(v);
	return rc;
}

static int
set_void(struct crm_rec *nw, void *arg)
{
	(void)arg;
	return crm_rec_setf(nw, FLD(nw->ent, "status"), "void", 4, 0);
}

int
crm_invoice_void(struct crm_txn *tx, uint64_t id)
{
	int rc = crm_edit(tx, E_INVOICE, id, set_void, NULL);

	return rc == 1 ? 0 : rc;
}

int
crm_customer_balance(struct crm_txn *tx, uint64_t customer,
    int (*fn)(const char *cur, int64_t outstanding, int64_t overdue,
    int exponent, void *), void *arg)
{
	const struct crm_entity *ie = E_INVOICE;
	struct {
		char cur[4];
		int64_t sum, late;
		int exp;
	} acc[16];
	size_t nacc = 0, i;
	struct crm_iter *it = NULL;
	struct crm_rec *r;
	char num[24];
	uint64_t id;
	int rc, f_cur = FLD(ie, "currency");

	r = crm_rec_new(ie);
	if (r == NULL)
		return ENOMEM;
	snprintf(num, sizeof(num), "%llu", (unsigned long long)customer);
	rc = crm_iter_index(tx, ie, FLD(ie, "customer"), num, strlen(num), &it);
	while (rc == 0 && (rc = crm_iter_next(it, &id, NULL, NULL)) == 0) {
		struct crm_overdue o;
		const struct crm_val *c;
		int late;

		rc = crm_fetch(tx, r, id);
		if (rc != 0 || is_text(&r->v[FLD(ie, "status")], "void"))
			continue;
		late = crm_invoice_overdue(r, day_of(tx->now), NULL, &o);
		c = &r->v[f_cur];
		if (o.outstanding == 0)
			continue;
		for (i = 0; i < nacc; i++)
			if (c->state == CRM_V_SET && c->len == 3 &&
			    memcmp(acc[i].cur, c->s, 3) == 0)
				break;
		if (i == nacc) {
			if (nacc == sizeof(acc) / sizeof(acc[0])) {
				rc = crm_seterr(CRM_EDATA, "customer %llu: "
				    "invoices in too many currencies",
				    (unsigned long long)customer);
				break;
			}
			memset(&acc[i], 0, sizeof(acc[i]));
			if (c->state == CRM_V_SET && c->len == 3)
				memcpy(acc[i].cur, c->s, 3);
			acc[i].exp = crm_rec_exponent(r);
			nacc++;
		}
		if (__builtin_add_overflow(acc[i].sum, o.outstanding,
		    &acc[i].sum) || (late && __builtin_add_overflow(acc[i].late,
		    o.outstanding, &acc[i].late)))
			rc = crm_seterr(CRM_EDATA, "customer %llu: balance "
			    "overflow", (unsigned long long)customer);
	}
	if (rc == CRM_ENOTFOUND)
		rc = 0;
	crm_iter_free(it);
	crm_rec_free(r);
	for (i = 0; i < nacc && rc == 0; i++)
		if (acc[i].sum != 0)
			rc = fn(acc[i].cur, acc[i].sum, acc[i].late, acc[i].exp,
			    arg);
	return rc;
}
