/*
 * schema.c — the entity tables of DESIGN.md.  A business field is added
 * here and nowhere else; see schema.h for the rules on field numbers.
 */
#include <pthread.h>
#include <string.h>

#include "error.h"
#include "schema.h"
#include "utf8.h"

#define SYSFIELDS \
	{ "id", CRM_T_INT, CRM_F_SYSTEM | CRM_F_BRIEF, "record id, assigned", \
	    NULL, NULL, NULL, 0, 0 }, \
	{ "created_at", CRM_T_TIME, 0, "when the record was created", \
	    NULL, NULL, NULL, 0, 0 }, \
	{ "updated_at", CRM_T_TIME, CRM_F_SYSTEM, "when it last changed", \
	    NULL, NULL, NULL, 0, 0 }

#define N(a) ((int)(sizeof(a) / sizeof((a)[0])))

static const char *const customer_kinds[] = { "company", "person", NULL };
static const char *const activity_kinds[] = { "call", "email", "visit",
	"meeting", "note", "reply", "comment", NULL };
static const char *const lead_statuses[] = { "new", "contacted", "qualified",
	"disqualified", "converted", NULL };
static const char *const invoice_statuses[] = { "open", "partial", "paid",
	"void", NULL };
static const char *const priorities[] = { "low", "normal", "high", "urgent",
	NULL };
static const char *const ticket_statuses[] = { "new", "open", "pending",
	"resolved", "closed", NULL };

#define F(name, type, flags, help) { name, type, flags, help, NULL, NULL, NULL, 0, 0 }
#define FE(name, flags, vals, dflt, help) \
	{ name, CRM_T_ENUM, flags, help, vals, NULL, dflt, 0, 0 }
#define FR(name, ent, flags, help) \
	{ name, CRM_T_REF, flags | CRM_F_INDEX, help, NULL, ent, NULL, 0, 0 }
#define FI(name, flags, lo, hi, help) \
	{ name, CRM_T_INT, flags, help, NULL, NULL, NULL, lo, hi }

static const struct crm_field customer_fields[] = {
	SYSFIELDS,
	F("ext_id", CRM_T_TEXT, CRM_F_UNIQUE | CRM_F_BRIEF, "id in another system"),
	F("name", CRM_T_TEXT, CRM_F_REQUIRED | CRM_F_BRIEF, "company or person name"),
	FE("kind", 0, customer_kinds, "company", "company or person"),
	F("email", CRM_T_EMAIL, CRM_F_UNIQUE | CRM_F_BRIEF, "e-mail address"),
	F("phone", CRM_T_PHONE, CRM_F_INDEX | CRM_F_BRIEF, "phone number"),
	F("region", CRM_T_TEXT, 0, "region or territory"),
	F("industry", CRM_T_TEXT, 0, "industry"),
	F("tier", CRM_T_TEXT, CRM_F_BRIEF, "tier, such as A, B, C"),
	F("tags", CRM_T_TAGS, CRM_F_INDEX | CRM_F_BRIEF, "tags"),
	F("owner", CRM_T_TEXT, CRM_F_INDEX | CRM_F_BRIEF, "owning user"),
	F("source", CRM_T_TEXT, 0, "where the customer came from"),
	F("notes", CRM_T_TEXT, 0, "free text"),
};

static const struct crm_field contact_fields[] = {
	SYSFIELDS,
	FR("customer", "customer", CRM_F_REQUIRED | CRM_F_BRIEF, "customer the contact works for"),
	F("name", CRM_T_TEXT, CRM_F_REQUIRED | CRM_F_BRIEF, "contact name"),
	F("title", CRM_T_TEXT, CRM_F_BRIEF, "job title"),
	F("email", CRM_T_EMAIL, CRM_F_INDEX | CRM_F_BRIEF, "e-mail address"),
	F("phone", CRM_T_PHONE, CRM_F_INDEX | CRM_F_BRIEF, "phone number"),
	F("primary", CRM_T_BOOL, CRM_F_BRIEF, "the main contact"),
};

static const struct crm_field activity_fields[] = {
	SYSFIELDS,
	FR("customer", "customer", CRM_F_BRIEF, "customer concerned"),
	FR("lead", "lead", 0, "lead concerned"),
	FR("deal", "deal", 0, "deal concerned"),
	FR("ticket", "ticket", 0, "ticket concerned"),
	FE("kind", CRM_F_REQUIRED | CRM_F_BRIEF, activity_kinds, NULL, "call, email, visit, meeting, note, reply (to a ticket) or comment"),
	F("at", CRM_T_TIME, CRM_F_BRIEF, "when it happened"),
	F("by", CRM_T_TEXT, CRM_F_INDEX | CRM_F_BRIEF, "who did it"),
	F("summary", CRM_T_TEXT, CRM_F_BRIEF, "what was said or done"),
	F("follow_up", CRM_T_DATE, CRM_F_BRIEF, "date to follow up"),
	F("done", CRM_T_BOOL, CRM_F_BRIEF, "follow-up done"),
};

static const struct crm_field lead_fields[] = {
	SYSFIELDS,
	F("ext_id", CRM_T_TEXT, CRM_F_UNIQUE | CRM_F_BRIEF, "id in another system"),
	F("name", CRM_T_TEXT, CRM_F_REQUIRED | CRM_F_BRIEF, "person's name"),
	F("company", CRM_T_TEXT, CRM_F_BRIEF, "company name"),
	F("email", CRM_T_EMAIL, CRM_F_INDEX | CRM_F_BRIEF, "e-mail address"),
	F("phone", CRM_T_PHONE, CRM_F_INDEX, "phone number"),
	F("region", CRM_T_TEXT, 0, "region or territory"),
	F("source", CRM_T_TEXT, CRM_F_INDEX | CRM_F_BRIEF, "lead source"),
	F("campaign", CRM_T_TEXT, CRM_F_INDEX, "campaign name"),
	FE("status", CRM_F_BRIEF, lead_statuses, "new", "new, contacted, qualified, disqualified or converted"),
	FI("score", CRM_F_BRIEF, -1000000, 1000000, "score points"),
	F("grade", CRM_T_TEXT, CRM_F_BRIEF, "grade from score"),
	F("owner", CRM_T_TEXT, CRM_F_INDEX | CRM_F_BRIEF, "assigned user"),
	FR("customer", "customer", 0, "customer it converted to"),
	FR("deal", "deal", 0, "deal it converted to"),
	F("disqualify_reason", CRM_T_TEXT, 0, "why it was disqualified"),
	FR("contact", "contact", 0, "contact it converted to"),
};

static const struct crm_field campaign_fields[] = {
	SYSFIELDS,
	F("name", CRM_T_TEXT, CRM_F_REQUIRED | CRM_F_UNIQUE | CRM_F_BRIEF, "campaign name"),
	F("channel", CRM_T_TEXT, CRM_F_BRIEF, "channel"),
	F("cost", CRM_T_MONEY, CRM_F_BRIEF, "cost"),
	F("currency", CRM_T_CURRENCY, CRM_F_BRIEF, "currency of the cost"),
	F("started_on", CRM_T_DATE, CRM_F_BRIEF, "start date"),
	F("ended_on", CRM_T_DATE, CRM_F_BRIEF, "end date"),
};

static const struct crm_field deal_fields[] = {
	SYSFIELDS,
	F("ext_id", CRM_T_TEXT, CRM_F_UNIQUE | CRM_F_BRIEF, "id in another system"),
	FR("customer", "customer", CRM_F_REQUIRED | CRM_F_BRIEF, "customer"),
	F("title", CRM_T_TEXT, CRM_F_REQUIRED | CRM_F_BRIEF, "deal title"),
	F("amount", CRM_T_MONEY, CRM_F_BRIEF, "deal value"),
	F("currency", CRM_T_CURRENCY, CRM_F_BRIEF, "currency"),
	F("stage", CRM_T_TEXT, CRM_F_INDEX | CRM_F_BRIEF, "pipeline stage"),
	FI("probability", 0, 0, 100, "win probability, percent"),
	F("expected_close", CRM_T_DATE, CRM_F_BRIEF, "expected close date"),
	F("owner", CRM_T_TEXT, CRM_F_INDEX | CRM_F_BRIEF, "owning user"),
	F("source", CRM_T_TEXT, 0, "lead source"),
	F("stage_changed_at", CRM_T_TIME, 0, "when the stage last changed"),
	F("closed_at", CRM_T_TIME, 0, "when won or lost"),
	F("lost_reason", CRM_T_TEXT, 0, "why it was lost"),
	{ "pipeline", CRM_T_TEXT, 0, "pipeline the stages come from",
	  NULL, NULL, "default", 0, 0 },
};

static const struct crm_field invoice_fields[] = {
	SYSFIELDS,
	F("number", CRM_T_TEXT, CRM_F_REQUIRED | CRM_F_UNIQUE | CRM_F_BRIEF, "invoice number"),
	FR("deal", "deal", 0, "deal invoiced"),
	FR("customer", "customer", CRM_F_BRIEF, "customer billed"),
	F("amount", CRM_T_MONEY, CRM_F_REQUIRED | CRM_F_BRIEF, "amount due"),
	F("currency", CRM_T_CURRENCY, CRM_F_BRIEF, "currency"),
	F("issued_on", CRM_T_DATE, 0, "issue date"),
	F("due_on", CRM_T_DATE, CRM_F_BRIEF, "due date"),
	{ "paid", CRM_T_MONEY, CRM_F_BRIEF, "sum of payments, kept by crm",
	  NULL, NULL, "0", 0, 0 },
	FE("status", CRM_F_BRIEF, invoice_statuses, "open", "open, partial, paid or void"),
	FI("dunning_level", 0, 0, 100, "reminder level reached"),
	F("reminded_at", CRM_T_TIME, 0, "when last reminded"),
};

static const struct crm_field payment_fields[] = {
	SYSFIELDS,
	F("ext_id", CRM_T_TEXT, CRM_F_UNIQUE | CRM_F_BRIEF, "id in another system"),
	FR("invoice", "invoice", CRM_F_REQUIRED | CRM_F_BRIEF, "invoice paid"),
	F("amount", CRM_T_MONEY, CRM_F_REQUIRED | CRM_F_BRIEF, "amount paid"),
	F("currency", CRM_T_CURRENCY, CRM_F_BRIEF, "currency"),
	F("paid_on", CRM_T_DATE, CRM_F_BRIEF, "payment date"),
	F("method", CRM_T_TEXT, CRM_F_BRIEF, "payment method"),
	F("reference", CRM_T_TEXT, 0, "bank or card reference"),
};

static const struct crm_field ticket_fields[] = {
	SYSFIELDS,
	F("ext_id", CRM_T_TEXT, CRM_F_UNIQUE | CRM_F_BRIEF, "id in another system"),
	FR("customer", "customer", CRM_F_BRIEF, "customer"),
	F("subject", CRM_T_TEXT, CRM_F_REQUIRED | CRM_F_BRIEF, "subject"),
	F("category", CRM_T_TEXT, CRM_F_INDEX, "category"),
	FE("priority", CRM_F_BRIEF, priorities, "normal", "low, normal, high or urgent"),
	FE("status", CRM_F_BRIEF, ticket_statuses, "new", "new, open, pending, resolved or closed"),
	F("channel", CRM_T_TEXT, 0, "channel it came in by"),
	F("assignee", CRM_T_TEXT, CRM_F_INDEX | CRM_F_BRIEF, "assigned user"),
	F("first_response_at", CRM_T_TIME, 0, "first response"),
	F("resolved_at", CRM_T_TIME, 0, "resolution"),
	F("closed_at", CRM_T_TIME, 0, "closing"),
	F("first_response_due", CRM_T_TIME, 0, "first-response deadline"),
	F("resolution_due", CRM_T_TIME, 0, "resolution deadline"),
	FI("csat", 0, 1, 5, "satisfaction, 1 to 5"),
	F("escalated", CRM_T_BOOL, 0, "escalated"),
	F("pending_since", CRM_T_TIME, 0, "when it went pending, while it is"),
	FI("pending_seconds", 0, 0, INT64_MAX, "time spent pending before, seconds"),
	F("escalated_at", CRM_T_TIME, 0, "when the escalation arose"),
	F("escalation", CRM_T_TEXT, 0, "why it was escalated"),
	F("csat_comment", CRM_T_TEXT, 0, "the customer's comment on the rating"),
};

static const struct crm_field article_fields[] = {
	SYSFIELDS,
	F("ext_id", CRM_T_TEXT, CRM_F_UNIQUE | CRM_F_BRIEF, "id in another system"),
	F("title", CRM_T_TEXT, CRM_F_REQUIRED | CRM_F_BRIEF, "title"),
	F("category", CRM_T_TEXT, CRM_F_INDEX | CRM_F_BRIEF, "ticket category it answers"),
	F("tags", CRM_T_TAGS, CRM_F_INDEX | CRM_F_BRIEF, "tags"),
	F("body", CRM_T_TEXT, 0, "the article's text"),
};

#define ENTITY(var, nm, pl, num, flds, cur, title) \
	static const struct crm_entity var = { nm, pl, num, flds, N(flds), cur, title }

ENTITY(customer, "customer", "customers", 1, customer_fields, -1, 4);
ENTITY(contact, "contact", "contacts", 2, contact_fields, -1, 4);
ENTITY(activity, "activity", "activities", 3, activity_fields, -1, 10);
ENTITY(lead, "lead", "leads", 4, lead_fields, -1, 4);
ENTITY(campaign, "campaign", "campaigns", 5, campaign_fields, 6, 3);
ENTITY(deal, "deal", "deals", 6, deal_fields, 7, 5);
ENTITY(invoice, "invoice", "invoices", 7, invoice_fields, 7, 3);
ENTITY(payment, "payment", "payments", 8, payment_fields, 6, 3);
ENTITY(ticket, "ticket", "tickets", 9, ticket_fields, -1, 5);
ENTITY(article, "article", "articles", 10, article_fields, -1, 4);

const struct crm_entity *const crm_entities[] = {
	&customer, &contact, &activity, &lead, &campaign, &deal, &invoice,
	&payment, &ticket, &article,
};
const int crm_nentities = N(crm_entities);

int
crm_type_numeric(enum crm_type t)
{
	return t == CRM_T_INT || t == CRM_T_MONEY || t == CRM_T_DATE ||
	    t == CRM_T_TIME || t == CRM_T_BOOL || t == CRM_T_REF;
}

const struct crm_entity *
crm_entity_find(const char *name)
{
	int i;

	for (i = 0; i < crm_nentities; i++)
		if (crm_entities[i]->name[0] == name[0] &&
		    (strcmp(crm_entities[i]->name, name) == 0 ||
		    strcmp(crm_entities[i]->plural, name) == 0))
			return crm_entities[i];
	return NULL;
}

/* What the tables say of each entity, worked out once: they are
 * constant, and asked for every row of an import. */
static struct {
	uint32_t types;		/* a bit per field type */
	uint64_t dflts;		/* a bit per field with a default */
	unsigned char nlen[64];	/* the length of each field's name */
} facts[sizeof(crm_entities) / sizeof(crm_entities[0])];
static pthread_once_t facts_once = PTHREAD_ONCE_INIT;

static void
find_facts(void)
{
	int i, f;

	for (i = 0; i < crm_nentities; i++)
		for (f = 0; f < crm_entities[i]->nfields && f < 64; f++) {
			facts[i].types |= 1u << crm_entities[i]->fields[f].type;
			if (crm_entities[i]->fields[f].dflt != NULL)
				facts[i].dflts |= (uint64_t)1 << f;
			facts[i].nlen[f] =
			    (unsigned char)strlen(crm_entities[i]->fields[f].name);
		}
}

static int
facts_of(const struct crm_entity *e)
{
	int i;

	pthread_once(&facts_once, find_facts);
	if (e->num >= 1 && e->num <= crm_nentities &&
	    crm_entities[e->num - 1] == e)
		return e->num - 1;	/* the table lists them by number */
	for (i = 0; i < crm_nentities; i++)
		if (crm_entities[i] == e)
			return i;
	return -1;
}

int
crm_entity_has_type(const struct crm_entity *e, enum crm_type t)
{
	int i = facts_of(e);

	return i < 0 || ((facts[i].types >> t) & 1);	/* not ours: it may */
}

uint64_t
crm_entity_defaults(const struct crm_entity *e)
{
	int i = facts_of(e), f;
	uint64_t bits = 0;

	if (i >= 0)
		return facts[i].dflts;
	for (f = 0; f < e->nfields && f < 64; f++)
		if (e->fields[f].dflt != NULL)
			bits |= (uint64_t)1 << f;
	return bits;
}

const struct crm_entity *
crm_entity_bynum(int num)
{
	int i;

	for (i = 0; i < crm_nentities; i++)
		if (crm_entities[i]->num == num)
			return crm_entities[i];
	return NULL;
}

int
crm_field_find(const struct crm_entity *e, const char *name, size_t len)
{
	int i, k = facts_of(e);

	/* The rules ask by name for every row of an import: the lengths
	 * and first letters go first. */
	if (k >= 0 && e->nfields <= 64) {
		for (i = 0; len > 0 && i < e->nfields; i++)
			if (facts[k].nlen[i] == len &&
			    e->fields[i].name[0] == name[0] &&
			    memcmp(e->fields[i].name, name, len) == 0)
				return i;
		return -1;
	}
	for (i = 0; i < e->nfields; i++)
		if (strlen(e->fields[i].name) == len &&
		    memcmp(e->fields[i].name, name, len) == 0)
			return i;
	return -1;
}

const char *
crm_type_name(enum crm_type t)
{
	static const char *const names[] = {
		[CRM_T_TEXT] = "text", [CRM_T_INT] = "integer",
		[CRM_T_MONEY] = "money", [CRM_T_DATE] = "date",
		[CRM_T_TIME] = "timestamp", [CRM_T_BOOL] = "boolean",
		[CRM_T_ENUM] = "one of", [CRM_T_REF] = "reference",
		[CRM_T_TAGS] = "tags", [CRM_T_EMAIL] = "e-mail",
		[CRM_T_PHONE] = "phone", [CRM_T_CURRENCY] = "currency",
	};

	return names[t];
}

int
crm_custom_name_ok(const char *s, size_t len)
{
	size_t i;

	if (len == 0 || len > 64 || crm_utf8_check(s, len, NULL) != 0)
		return 0;
	/* Edge blanks are trimmed from headers and --where: not names. */
	if (s[0] == ' ' || s[0] == '\t' || s[len - 1] == ' ' ||
	    s[len - 1] == '\t')
		return 0;
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c < 0x20 || c == 0x7f || strchr("=,;|<>!~", c) != NULL)
			return 0;
	}
	return 1;
}
