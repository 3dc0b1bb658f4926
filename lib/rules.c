/*
 * rules.c — where the store meets the business rules: one dispatch per
 * hook, by entity.  The rules themselves live with their entity (deal.c,
 * invoice.c, …), so changing one is a change in one place.
 */
#include <string.h>

#include "deal.h"
#include "invoice.h"
#include "lead.h"
#include "ticket.h"
#include "rules.h"

/* Called for every record written: the first letter settles most. */
static int
is(const struct crm_rec *r, const char *entity)
{
	return r != NULL && r->ent->name[0] == entity[0] &&
	    strcmp(r->ent->name, entity) == 0;
}

int
crm_rules_defaults(struct crm_txn *tx, struct crm_rec *nw)
{
	if (is(nw, "payment"))
		return crm_payment_defaults(tx, nw);
	return 0;
}

int
crm_rules_before(struct crm_txn *tx, const struct crm_rec *old,
    struct crm_rec *nw)
{
	if (is(nw, "payment"))
		return crm_payment_before(tx, old, nw);
	if (is(nw, "invoice"))
		return crm_invoice_before(tx, old, nw);
	/* An undo puts back what these rules derived, and the steps back
	 * they would refuse (a closed ticket reopened by undoing its
	 * close) are the point of it.  Money stays checked. */
	if (tx->undoing)
		return 0;
	if (is(nw, "deal"))
		return crm_deal_before(tx, old, nw);
	if (is(nw, "lead") && old == NULL)
		return crm_lead_on_insert(tx, nw);
	if (is(nw, "campaign"))
		return crm_campaign_check(tx, nw);
	if (is(nw, "ticket"))
		return crm_ticket_before(tx, old, nw);
	return 0;
}

int
crm_rules_after(struct crm_txn *tx, const struct crm_rec *old,
    const struct crm_rec *nw)
{
	if (is(nw, "payment") || is(old, "payment"))
		return crm_payment_after(tx, old, nw);
	if (is(nw, "activity"))
		return crm_ticket_after(tx, old, nw);
	return 0;
}
