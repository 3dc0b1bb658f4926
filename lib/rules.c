/*
 * rules.c — derived fields, kept in the store's transaction.  One place
 * per rule: change a business rule here and every tool follows.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "error.h"
#include "rules.h"
#include "store.h"
#include "ticket.h"
#include "value.h"

#define FLD(e, name) crm_field_find((e), (name), strlen(name))

static int
is(const struct crm_rec *r, const char *entity)
{
	return r != NULL && strcmp(r->ent->name, entity) == 0;
}

/* Sum of the payments of invoice id, in minor units. */
static int
payments_sum(struct crm_txn *tx, uint64_t invoice, int64_t *sum)
{
	const struct crm_entity *pe = crm_entity_find("payment");
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
		rc = crm_fetch(tx, p, id);
		if (rc == 0 && p->v[f_amount].state == CRM_V_SET) {
			if (__builtin_add_overflow(*sum, p->v[f_amount].i, sum))
				rc = crm_seterr(CRM_EDATA,
				    "invoice %llu: payments overflow",
				    (unsigned long long)invoice);
		}
	}
	if (rc == CRM_ENOTFOUND)
		rc = 0;
	crm_iter_free(it);
	crm_rec_free(p);
	return rc;
}

/* paid and status of an invoice, from its payments. */
static int
set_paid(struct crm_rec *nw, void *arg)
{
	struct crm_txn *tx = arg;
	const struct crm_entity *ie = nw->ent;
	int f_amount = FLD(ie, "amount"), f_paid = FLD(ie, "paid");
	int f_status = FLD(ie, "status");
	const char *status;
	int64_t sum;
	int rc;

	rc = payments_sum(tx, nw->id, &sum);
	if (rc != 0)
		return rc;
	crm_rec_setint(nw, f_paid, sum);
	status = nw->v[f_status].state == CRM_V_SET &&
	    strcmp(nw->v[f_status].s, "void") == 0 ? "void" :
	    sum <= 0 ? "open" :
	    nw->v[f_amount].state == CRM_V_SET && sum >= nw->v[f_amount].i ?
	    "paid" : "partial";
	return crm_rec_setf(nw, f_status, status, strlen(status), tx->now);
}

static int
invoice_refresh(struct crm_txn *tx, uint64_t invoice)
{
	int rc = crm_edit(tx, crm_entity_find("invoice"), invoice, set_paid, tx);

	if (rc == CRM_ENOTFOUND) {
		crm_clearerr();
		return 0;	/* deleted in the same change */
	}
	return rc == 1 ? 0 : rc;
}

/* A payment without a currency takes its invoice's, before its amount
 * is read (the currency says how many decimals it has). */
static int
payment_defaults(struct crm_txn *tx, struct crm_rec *nw)
{
	const struct crm_entity *pe = nw->ent, *ie = crm_entity_find("invoice");
	int f_inv = FLD(pe, "invoice"), f_cur = FLD(pe, "currency");
	struct crm_rec *inv;
	int rc;

	if (nw->v[f_inv].state != CRM_V_SET || nw->v[f_cur].state != CRM_V_EMPTY)
		return 0;
	inv = crm_rec_new(ie);
	if (inv == NULL)
		return ENOMEM;
	rc = crm_fetch(tx, inv, (uint64_t)nw->v[f_inv].i);
	if (rc == 0 && inv->v[FLD(ie, "currency")].state == CRM_V_SET)
		rc = crm_rec_setf(nw, f_cur, inv->v[FLD(ie, "currency")].s,
		    inv->v[FLD(ie, "currency")].len, tx->now);
	if (rc == CRM_ENOTFOUND) {
		crm_clearerr();
		rc = 0;		/* reported by payment_before */
	}
	crm_rec_free(inv);
	return rc;
}

/* A payment: in its invoice's currency, more than zero, no overpayment. */
static int
payment_before(struct crm_txn *tx, const struct crm_rec *old,
    struct crm_rec *nw)
{
	const struct crm_entity *pe = nw->ent, *ie = crm_entity_find("invoice");
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

		crm_money_format(&a, amount - (sum - mine), exp);
		crm_money_format(&b, nw->v[f_amount].i, exp);
		rc = crm_seterr(CRM_EDATA, "field 'amount': %s would overpay "
		    "invoice %llu (outstanding %s)", b.p ? b.p : "",
		    (unsigned long long)inv->id, a.p ? a.p : "");
		crm_buf_free(&a);
		crm_buf_free(&b);
	}
done:
	if (rc == CRM_ENOTFOUND)
		rc = crm_seterr(CRM_EDATA, "field 'invoice': no such invoice");
	crm_rec_free(inv);
	return rc;
}

int
crm_rules_defaults(struct crm_txn *tx, struct crm_rec *nw)
{
	if (is(nw, "payment"))
		return payment_defaults(tx, nw);
	return 0;
}

int
crm_rules_before(struct crm_txn *tx, const struct crm_rec *old,
    struct crm_rec *nw)
{
	if (is(nw, "payment"))
		return payment_before(tx, old, nw);
	if (is(nw, "ticket"))
		return crm_ticket_before(tx, old, nw);
	return 0;
}

int
crm_rules_after(struct crm_txn *tx, const struct crm_rec *old,
    const struct crm_rec *nw)
{
	int rc = 0, f;

	if (is(nw, "payment") || is(old, "payment")) {
		const struct crm_entity *pe = crm_entity_find("payment");

		f = FLD(pe, "invoice");
		if (nw != NULL && nw->v[f].state == CRM_V_SET)
			rc = invoice_refresh(tx, (uint64_t)nw->v[f].i);
		/* Moved or deleted: the old invoice changes too. */
		if (rc == 0 && old != NULL && old->v[f].state == CRM_V_SET &&
		    (nw == NULL || nw->v[f].i != old->v[f].i))
			rc = invoice_refresh(tx, (uint64_t)old->v[f].i);
	}
	if (rc == 0 && is(nw, "activity"))
		rc = crm_ticket_after(tx, old, nw);
	return rc;
}
