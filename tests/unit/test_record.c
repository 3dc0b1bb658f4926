/*
 * test_record.c — records in memory (crm_rec_set and friends), their
 * text forms, and the binary encoding stored in LMDB: a round trip
 * gives back the record, and damaged bytes give CRM_ECORRUPT, never a
 * crash or a read past the end (run under ASan: every decode reads a
 * heap buffer of exactly the encoding's length).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "buf.h"
#include "error.h"
#include "record.h"
#include "schema.h"
#include "value.h"

/* 2026-03-15T12:00:00Z */
#define NOW INT64_C(1773576000)

#define assert_i64(a, b) do { \
	int64_t a_ = (a), b_ = (b); \
	if (a_ != b_) \
		fail_msg("%s: %lld != %lld", #a, (long long)a_, (long long)b_); \
} while (0)

static const struct crm_entity *
ent(const char *name)
{
	const struct crm_entity *e = crm_entity_find(name);

	assert_non_null(e);
	return e;
}

static int
fld(const struct crm_rec *r, const char *name)
{
	int f = crm_field_find(r->ent, name, strlen(name));

	if (f < 0)
		fail_msg("%s has no field '%s'", r->ent->name, name);
	return f;
}

static int
set(struct crm_rec *r, const char *name, const char *text)
{
	return crm_rec_set(r, name, strlen(name), text, strlen(text), NOW, 0);
}

#define SET_OK(r, name, text) do { \
	int rc_ = set(r, name, text); \
	if (rc_ != 0) \
		fail_msg("%s=\"%s\" refused: %s", name, text, \
		    crm_errdetail(rc_)); \
} while (0)

#define SET_BAD(r, name, text) do { \
	int rc_ = set(r, name, text); \
	if (rc_ != CRM_EDATA) \
		fail_msg("%s=\"%s\": want CRM_EDATA, got %d", name, text, rc_); \
} while (0)

/* The text form of a field, as a malloc'd string ("" when empty). */
static char *
text(const struct crm_rec *r, const char *name)
{
	struct crm_buf b = CRM_BUF_INIT;

	assert_int_equal(crm_rec_text(r, fld(r, name), &b), 0);
	if (b.p == NULL)
		return strdup("");
	return b.p;
}

#define TEXT(r, name, want) do { \
	char *t_ = text(r, name); \
	if (strcmp(t_, want) != 0) \
		fail_msg("%s: \"%s\", want \"%s\"", name, t_, want); \
	free(t_); \
} while (0)

static uint8_t
state_of(const struct crm_rec *r, const char *name)
{
	return r->v[fld(r, name)].state;
}

/* ---- setting fields ------------------------------------------------- */

static void
test_customer_fields(void **state)
{
	struct crm_rec *r = crm_rec_new(ent("customer"));

	(void)state;
	assert_non_null(r);
	SET_OK(r, "ext_id", "E0001");
	/* Free text keeps its blanks (a quoted "  x  " means what it says);
	 * typed and indexed values are trimmed. */
	SET_OK(r, "name", "  ACME, Inc.  ");
	TEXT(r, "name", "  ACME, Inc.  ");
	SET_OK(r, "name", "ACME, Inc.");
	SET_OK(r, "owner", "  ann ");
	TEXT(r, "owner", "ann");
	SET_OK(r, "ext_id", " E0001\t");
	TEXT(r, "ext_id", "E0001");
	SET_OK(r, "kind", "Company");
	TEXT(r, "kind", "company");		/* canonical spelling */
	SET_OK(r, "kind", "PERSON");
	TEXT(r, "kind", "person");
	SET_BAD(r, "kind", "robot");
	assert_non_null(strstr(crm_errdetail(CRM_EDATA), "company, person"));
	assert_non_null(strstr(crm_errdetail(CRM_EDATA), "field 'kind'"));
	TEXT(r, "kind", "person");		/* a refused value changes nothing */
	SET_BAD(r, "kind", "compan");
	SET_BAD(r, "kind", "companyx");

	SET_OK(r, "email", " Ann@Example.COM ");
	TEXT(r, "email", "Ann@Example.COM");	/* kept as typed, trimmed */
	SET_BAD(r, "email", "bob@");
	assert_non_null(strstr(crm_errdetail(CRM_EDATA), "field 'email'"));
	assert_non_null(strstr(crm_errdetail(CRM_EDATA), "bob@"));
	SET_BAD(r, "email", "a b@c.d");
	TEXT(r, "email", "Ann@Example.COM");

	/* A phone round-trips as written: only checked, not rewritten. */
	SET_OK(r, "phone", "+86 138 0000 0007");
	TEXT(r, "phone", "+86 138 0000 0007");
	SET_BAD(r, "phone", "call me");

	SET_OK(r, "region", "APAC");
	SET_OK(r, "industry", "Retail");
	SET_OK(r, "tier", "A");
	SET_OK(r, "owner", "ann");
	SET_OK(r, "source", "web");
	SET_OK(r, "notes", "line one\nline two, \"quoted\"");
	TEXT(r, "notes", "line one\nline two, \"quoted\"");
	SET_OK(r, "created_at", "2026-03-01T08:00:00+08:00");
	TEXT(r, "created_at", "2026-03-01T00:00:00Z");
	SET_BAD(r, "created_at", "yesterday-ish");

	/* Empty text clears a field. */
	SET_OK(r, "region", "");
	assert_int_equal(state_of(r, "region"), CRM_V_EMPTY);
	TEXT(r, "region", "");
	SET_OK(r, "industry", "   ");
	assert_int_equal(state_of(r, "industry"), CRM_V_EMPTY);

	/* Bytes that are not text. */
	SET_BAD(r, "name", "\xff\xfe");
	assert_int_equal(crm_rec_set(r, "name", 4, "a\0b", 3, NOW, 0), CRM_EDATA);
	TEXT(r, "name", "ACME, Inc.");
	crm_rec_free(r);
}

static void
test_tags(void **state)
{
	struct crm_rec *r = crm_rec_new(ent("customer"));
	int f;

	(void)state;
	assert_non_null(r);
	f = fld(r, "tags");
	SET_OK(r, "tags", "a; b;a");
	TEXT(r, "tags", "a;b");
	SET_OK(r, "tags", " vip , gold ;; vip;");
	TEXT(r, "tags", "vip;gold");
	SET_OK(r, "tags", "\xe9\x87\x8d\xe8\xa6\x81; vip");	/* 重要 */
	TEXT(r, "tags", "\xe9\x87\x8d\xe8\xa6\x81;vip");
	SET_OK(r, "tags", " ; ; ");
	assert_int_equal(state_of(r, "tags"), CRM_V_EMPTY);

	/* Adding and removing one word. */
	assert_int_equal(crm_rec_tag(r, f, "vip", 3, 1), 1);
	assert_int_equal(crm_rec_tag(r, f, " vip ", 5, 1), 0);
	assert_int_equal(crm_rec_tag(r, f, "gold", 4, 1), 1);
	TEXT(r, "tags", "vip;gold");
	assert_int_equal(crm_rec_tag(r, f, "silver", 6, 0), 0);
	assert_int_equal(crm_rec_tag(r, f, "vip", 3, 0), 1);
	TEXT(r, "tags", "gold");
	assert_int_equal(crm_rec_tag(r, f, "gold", 4, 0), 1);
	assert_int_equal(state_of(r, "tags"), CRM_V_EMPTY);
	assert_int_equal(crm_rec_tag(r, f, "a;b", 3, 1), CRM_EDATA);
	assert_int_equal(crm_rec_tag(r, f, "a,b", 3, 1), CRM_EDATA);
	assert_int_equal(crm_rec_tag(r, f, "  ", 2, 1), CRM_EDATA);

	/* Whole words only. */
	assert_true(crm_tags_has("vip;gold", 8, "vip", 3));
	assert_true(crm_tags_has("vip;gold", 8, "gold", 4));
	assert_false(crm_tags_has("vip;gold", 8, "vi", 2));
	assert_false(crm_tags_has("vip;gold", 8, "ip", 2));
	assert_false(crm_tags_has("vip;gold", 8, "old", 3));
	assert_false(crm_tags_has("vip;gold", 8, "p;g", 3));
	assert_false(crm_tags_has("", 0, "vip", 3));
	crm_rec_free(r);
}

static void
test_custom_and_system(void **state)
{
	struct crm_rec *r = crm_rec_new(ent("customer"));
	const struct crm_custom *c;

	(void)state;
	assert_non_null(r);
	SET_OK(r, "Favourite Colour", "blue");
	SET_OK(r, "\xe9\xa2\x9c\xe8\x89\xb2", "\xe7\xba\xa2");	/* 颜色=红 */
	c = crm_rec_custom(r, "Favourite Colour", 16);
	assert_non_null(c);
	assert_int_equal(c->len, 4);
	assert_memory_equal(c->s, "blue", 4);
	SET_OK(r, "Favourite Colour", "green");
	assert_int_equal(r->ncust, 2);		/* replaced, not added */
	c = crm_rec_custom(r, "Favourite Colour", 16);
	assert_memory_equal(c->s, "green", 5);
	assert_null(crm_rec_custom(r, "favourite colour", 16));
	assert_null(crm_rec_custom(r, "Favourite", 9));

	/* Names that would break --where or --fields. */
	SET_BAD(r, "a=b", "x");
	SET_BAD(r, "a,b", "x");
	SET_BAD(r, "a;b", "x");
	SET_BAD(r, "a|b", "x");
	SET_BAD(r, "a<b", "x");
	SET_BAD(r, "a!b", "x");
	SET_BAD(r, "a~b", "x");
	SET_BAD(r, "a\nb", "x");
	SET_BAD(r, "\xff", "x");
	assert_int_equal(crm_rec_set(r, "", 0, "x", 1, NOW, 0), CRM_EDATA);
	SET_BAD(r, "x123456789x123456789x123456789x123456789x123456789x123456789"
	    "xxxxx", "x");	/* 65 bytes */
	SET_OK(r, "x123456789x123456789x123456789x123456789x123456789x123456789"
	    "xxxx", "x");	/* 64 */
	assert_int_equal(r->ncust, 3);

	/* System fields: crm sets them. */
	SET_BAD(r, "id", "7");
	assert_non_null(strstr(crm_errdetail(CRM_EDATA), "field 'id'"));
	SET_BAD(r, "updated_at", "2026-01-01T00:00:00Z");
	assert_int_equal(r->id, 0);
	assert_int_equal(state_of(r, "updated_at"), CRM_V_EMPTY);
	assert_int_equal(crm_rec_set(r, "id", 2, "7", 1, NOW, 1), 0);
	assert_int_equal(r->id, 7);
	TEXT(r, "id", "7");
	assert_int_equal(crm_rec_set(r, "id", 2, "0", 1, NOW, 1), CRM_EDATA);
	assert_int_equal(crm_rec_set(r, "id", 2, "x", 1, NOW, 1), CRM_EDATA);
	assert_int_equal(crm_rec_set(r, "id", 2, "-3", 2, NOW, 1), CRM_EDATA);
	assert_int_equal(r->id, 7);
	assert_int_equal(crm_rec_set(r, "updated_at", 10, "2026-01-01T00:00:00Z",
	    20, NOW, 1), 0);
	TEXT(r, "updated_at", "2026-01-01T00:00:00Z");
	crm_rec_free(r);
}

static void
test_size_limits(void **state)
{
	struct crm_rec *r = crm_rec_new(ent("customer"));
	size_t big = 64 * 1024 + 1;
	char *s = malloc(big);

	(void)state;
	assert_non_null(r);
	assert_non_null(s);
	memset(s, 'x', big);
	/* Notes up to 64 KiB; more is refused, never cut. */
	assert_int_equal(crm_rec_set(r, "notes", 5, s, big - 1, NOW, 0), 0);
	assert_int_equal(r->v[fld(r, "notes")].len, big - 1);
	assert_int_equal(crm_rec_set(r, "notes", 5, s, big, NOW, 0), CRM_EDATA);
	assert_int_equal(r->v[fld(r, "notes")].len, big - 1);
	/* An indexed value must fit an LMDB key. */
	assert_int_equal(crm_rec_set(r, "ext_id", 6, s, 480, NOW, 0), 0);
	assert_int_equal(crm_rec_set(r, "ext_id", 6, s, 481, NOW, 0), CRM_EDATA);
	assert_int_equal(crm_rec_set(r, "owner", 5, s, 600, NOW, 0), CRM_EDATA);
	free(s);
	crm_rec_free(r);
}

static void
test_deal_fields(void **state)
{
	struct crm_rec *r = crm_rec_new(ent("deal"));

	(void)state;
	assert_non_null(r);
	SET_OK(r, "ext_id", "D-17");
	SET_OK(r, "customer", "ext:E0001");
	assert_int_equal(state_of(r, "customer"), CRM_V_PENDING);
	TEXT(r, "customer", "ext:E0001");
	SET_OK(r, "title", "Renewal 2026");
	SET_OK(r, "amount", "1,234.50");
	assert_int_equal(state_of(r, "amount"), CRM_V_PENDING);
	SET_OK(r, "currency", "usd");
	TEXT(r, "currency", "USD");
	SET_BAD(r, "currency", "dollars");
	SET_BAD(r, "currency", "U$D");
	TEXT(r, "currency", "USD");
	SET_OK(r, "stage", "proposal");
	SET_OK(r, "probability", "75");
	TEXT(r, "probability", "75");
	SET_OK(r, "probability", "0");
	SET_OK(r, "probability", "100");
	SET_BAD(r, "probability", "101");
	SET_BAD(r, "probability", "-1");
	SET_BAD(r, "probability", "50%");
	SET_BAD(r, "probability", "0.5");
	SET_OK(r, "expected_close", "2026/4/30");
	TEXT(r, "expected_close", "2026-04-30");
	SET_OK(r, "expected_close", "+1m");		/* from 2026-03-15 */
	TEXT(r, "expected_close", "2026-04-15");
	SET_BAD(r, "expected_close", "2026-02-29");
	SET_BAD(r, "expected_close", "next week");
	SET_OK(r, "stage_changed_at", "-2h");
	TEXT(r, "stage_changed_at", "2026-03-15T10:00:00Z");
	SET_OK(r, "closed_at", "2026-03-15T20:00:00+08:00");
	TEXT(r, "closed_at", "2026-03-15T12:00:00Z");
	SET_BAD(r, "closed_at", "2026-03-15T25:00:00Z");
	SET_OK(r, "owner", "bob");
	SET_OK(r, "source", "referral");
	SET_OK(r, "lost_reason", "");
	assert_int_equal(crm_rec_finish_money(r), 0);
	TEXT(r, "amount", "1234.50");
	assert_i64(r->v[fld(r, "amount")].i, 123450);
	crm_rec_free(r);
}

static void
test_invoice_and_others(void **state)
{
	struct crm_rec *r = crm_rec_new(ent("invoice"));

	(void)state;
	assert_non_null(r);
	SET_OK(r, "number", "INV-2026-0001");
	SET_OK(r, "deal", "17");
	SET_OK(r, "customer", "email:ann@example.com");
	SET_OK(r, "amount", "150000");
	SET_OK(r, "currency", "JPY");
	SET_OK(r, "issued_on", "today");
	TEXT(r, "issued_on", "2026-03-15");
	SET_OK(r, "due_on", "+30d");
	TEXT(r, "due_on", "2026-04-14");
	SET_OK(r, "paid", "1,500");
	SET_OK(r, "status", "PAID");
	TEXT(r, "status", "paid");
	SET_BAD(r, "status", "settled");
	SET_OK(r, "dunning_level", "3");
	SET_BAD(r, "dunning_level", "x");
	SET_OK(r, "reminded_at", "now");
	TEXT(r, "reminded_at", "2026-03-15T12:00:00Z");
	assert_int_equal(crm_rec_finish_money(r), 0);
	TEXT(r, "amount", "150000");
	TEXT(r, "paid", "1500");
	crm_rec_free(r);

	/* Booleans (contact) and bounded integers (ticket). */
	r = crm_rec_new(ent("contact"));
	assert_non_null(r);
	SET_OK(r, "primary", "Yes");
	TEXT(r, "primary", "yes");
	SET_OK(r, "primary", "0");
	TEXT(r, "primary", "no");
	assert_int_equal(state_of(r, "primary"), CRM_V_SET);
	SET_BAD(r, "primary", "maybe");
	crm_rec_free(r);

	r = crm_rec_new(ent("ticket"));
	assert_non_null(r);
	SET_OK(r, "csat", "5");
	SET_OK(r, "csat", "1");
	SET_BAD(r, "csat", "0");
	SET_BAD(r, "csat", "6");
	SET_OK(r, "priority", "Urgent");
	TEXT(r, "priority", "urgent");
	SET_BAD(r, "priority", "critical");
	SET_OK(r, "escalated", "true");
	TEXT(r, "escalated", "yes");
	crm_rec_free(r);

	r = crm_rec_new(ent("lead"));
	assert_non_null(r);
	SET_OK(r, "score", "-1000000");
	SET_BAD(r, "score", "1000001");
	SET_OK(r, "status", "Qualified");
	TEXT(r, "status", "qualified");
	crm_rec_free(r);
}

/*
 * A refused value leaves the field as it was: a command that reports the
 * error and goes on (import --skip-invalid, set with several fields)
 * must not write a half-parsed value.
 */
static void
test_refused_keeps_value(void **state)
{
	static const struct {
		const char *ent, *field, *good, *bad, *shown;
	} cases[] = {
		{ "deal", "probability", "40", "101", "40" },
		{ "deal", "probability", "40", "-1", "40" },
		{ "ticket", "csat", "4", "9", "4" },
		{ "lead", "score", "10", "99999999", "10" },
		{ "contact", "primary", "no", "maybe", "no" },
		{ "contact", "primary", "yes", "perhaps", "yes" },
		{ "ticket", "escalated", "yes", "sometimes", "yes" },
		{ "deal", "expected_close", "2026-04-30", "2026-02-30", "2026-04-30" },
		{ "deal", "closed_at", "2026-03-01T00:00:00Z", "2026-03-01T24:00:00Z",
		    "2026-03-01T00:00:00Z" },
		{ "deal", "currency", "EUR", "EURO", "EUR" },
		{ "customer", "kind", "person", "robot", "person" },
		{ "customer", "email", "a@b.cd", "a@b", "a@b.cd" },
		{ "customer", "phone", "110", "1-800-FLOWERS", "110" },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct crm_rec *r = crm_rec_new(ent(cases[i].ent));
		char *t;

		assert_non_null(r);
		char msg[256];
		int same, st;

		SET_OK(r, cases[i].field, cases[i].good);
		SET_BAD(r, cases[i].field, cases[i].bad);
		t = text(r, cases[i].field);
		same = strcmp(t, cases[i].shown) == 0;
		st = state_of(r, cases[i].field);
		snprintf(msg, sizeof(msg), "%s.%s: after the refused \"%s\" it "
		    "holds \"%s\", not \"%s\"", cases[i].ent, cases[i].field,
		    cases[i].bad, t, cases[i].shown);
		free(t);
		crm_rec_free(r);
		if (!same)
			fail_msg("%s", msg);
		assert_int_equal(st, CRM_V_SET);
	}
}

/* Money waits for the currency: the same text means different amounts. */
static void
test_money_pending(void **state)
{
	struct crm_rec *r = crm_rec_new(ent("deal"));

	(void)state;
	assert_non_null(r);
	SET_OK(r, "amount", "1500");
	SET_OK(r, "currency", "JPY");		/* set after the amount */
	assert_int_equal(crm_rec_exponent(r), 0);
	assert_int_equal(crm_rec_finish_money(r), 0);
	assert_i64(r->v[fld(r, "amount")].i, 1500);
	TEXT(r, "amount", "1500");

	crm_rec_reset(r);
	SET_OK(r, "currency", "USD");
	SET_OK(r, "amount", "1500");
	assert_int_equal(crm_rec_finish_money(r), 0);
	assert_i64(r->v[fld(r, "amount")].i, 150000);
	TEXT(r, "amount", "1500.00");

	/* No currency: two decimals. */
	crm_rec_reset(r);
	SET_OK(r, "amount", "-0.05");
	assert_int_equal(crm_rec_exponent(r), 2);
	assert_int_equal(crm_rec_finish_money(r), 0);
	TEXT(r, "amount", "-0.05");

	/* KWD has three. */
	crm_rec_reset(r);
	SET_OK(r, "amount", "1.5");
	SET_OK(r, "currency", "kwd");
	assert_int_equal(crm_rec_finish_money(r), 0);
	TEXT(r, "amount", "1.500");

	/* Cents in yen are refused at finish, naming the field. */
	crm_rec_reset(r);
	SET_OK(r, "amount", "1234.5");
	SET_OK(r, "currency", "JPY");
	assert_int_equal(crm_rec_finish_money(r), CRM_EDATA);
	assert_non_null(strstr(crm_errdetail(CRM_EDATA), "field 'amount'"));

	crm_rec_reset(r);
	SET_OK(r, "amount", "12,5");
	assert_int_equal(crm_rec_finish_money(r), CRM_EDATA);
	assert_non_null(strstr(crm_errdetail(CRM_EDATA), "12,5"));

	/* A pending amount cannot be encoded by mistake. */
	crm_rec_reset(r);
	SET_OK(r, "title", "t");
	SET_OK(r, "amount", "5");
	{
		struct crm_buf b = CRM_BUF_INIT;

		assert_int_not_equal(crm_rec_encode(r, &b), 0);
		crm_buf_free(&b);
	}
	crm_rec_free(r);
}

/* ---- encoding ------------------------------------------------------- */

/* Field by field equality, customs in order. */
static void
assert_rec_equal(const struct crm_rec *a, const struct crm_rec *b)
{
	int f;
	size_t i;

	assert_ptr_equal(a->ent, b->ent);
	assert_int_equal(a->id, b->id);
	for (f = 1; f < a->ent->nfields; f++) {
		const struct crm_val *x = &a->v[f], *y = &b->v[f];

		if (x->state != y->state)
			fail_msg("field '%s': state %d vs %d",
			    a->ent->fields[f].name, x->state, y->state);
		if (x->state == CRM_V_EMPTY)
			continue;
		switch (a->ent->fields[f].type) {
		case CRM_T_INT: case CRM_T_MONEY: case CRM_T_DATE:
		case CRM_T_TIME: case CRM_T_BOOL: case CRM_T_REF:
			if (x->i != y->i)
				fail_msg("field '%s': %lld vs %lld",
				    a->ent->fields[f].name, (long long)x->i,
				    (long long)y->i);
			break;
		default:
			if (x->len != y->len || memcmp(x->s, y->s, x->len) != 0)
				fail_msg("field '%s': \"%.*s\" vs \"%.*s\"",
				    a->ent->fields[f].name, (int)x->len, x->s,
				    (int)y->len, y->s);
			break;
		}
	}
	assert_int_equal(a->ncust, b->ncust);
	for (i = 0; i < a->ncust; i++) {
		assert_int_equal(a->cust[i].nlen, b->cust[i].nlen);
		assert_memory_equal(a->cust[i].name, b->cust[i].name,
		    a->cust[i].nlen);
		assert_int_equal(a->cust[i].len, b->cust[i].len);
		assert_memory_equal(a->cust[i].s, b->cust[i].s, a->cust[i].len);
	}
}

/* A customer with every customer field and custom fields. */
static struct crm_rec *
full_customer(void)
{
	struct crm_rec *r = crm_rec_new(ent("customer"));

	assert_non_null(r);
	r->id = 42;
	SET_OK(r, "created_at", "1969-07-20T20:17:40Z");	/* negative */
	assert_int_equal(crm_rec_set(r, "updated_at", 10, "2026-03-15T12:00:00Z",
	    20, NOW, 1), 0);
	SET_OK(r, "ext_id", "E0001");
	SET_OK(r, "name", "\xe5\xbc\xa0\xe4\xb8\x89 Trading, \"Ltd\"");
	SET_OK(r, "kind", "person");
	SET_OK(r, "email", "Zhang@Example.cn");
	SET_OK(r, "phone", "+86 138 0000 0007");
	SET_OK(r, "region", "APAC");
	SET_OK(r, "industry", "Retail");
	SET_OK(r, "tier", "A");
	SET_OK(r, "tags", "vip;\xe9\x87\x8d\xe8\xa6\x81;gold");
	SET_OK(r, "owner", "ann");
	SET_OK(r, "source", "trade show");
	SET_OK(r, "notes", "line one\nline two\ttabbed");
	SET_OK(r, "colour", "blue");
	SET_OK(r, "\xe7\xad\x89\xe7\xba\xa7", "\xe9\x87\x91");	/* 等级=金 */
	SET_OK(r, "cleared", "");	/* empty customs are not stored */
	return r;
}

/* A deal with the numeric types at their extremes. */
static struct crm_rec *
full_deal(void)
{
	struct crm_rec *r = crm_rec_new(ent("deal"));

	assert_non_null(r);
	r->id = 7;
	SET_OK(r, "ext_id", "D1");
	crm_rec_setint(r, fld(r, "customer"), INT64_C(9007199254740993));
	SET_OK(r, "title", "Big one");
	SET_OK(r, "currency", "KWD");
	crm_rec_setint(r, fld(r, "amount"), INT64_MAX);
	SET_OK(r, "stage", "won");
	/* Out of the field's bounds, but the codec must still carry it. */
	crm_rec_setint(r, fld(r, "probability"), INT64_MIN);
	SET_OK(r, "expected_close", "0001-01-01");
	SET_OK(r, "stage_changed_at", "9999-12-31T23:59:59Z");
	SET_OK(r, "closed_at", "0001-01-01T00:00:00Z");
	SET_OK(r, "lost_reason", "");
	return r;
}

static struct crm_rec *
full_ticket(void)
{
	struct crm_rec *r = crm_rec_new(ent("ticket"));

	assert_non_null(r);
	r->id = 1;
	crm_rec_setint(r, fld(r, "customer"), 1);
	SET_OK(r, "subject", "Printer on fire");
	SET_OK(r, "priority", "urgent");
	SET_OK(r, "status", "pending");
	SET_OK(r, "csat", "1");
	SET_OK(r, "escalated", "no");		/* false is a value, not empty */
	SET_OK(r, "first_response_due", "2026-03-15T12:30:00Z");
	return r;
}

static struct crm_rec *
full_invoice(void)
{
	struct crm_rec *r = crm_rec_new(ent("invoice"));

	assert_non_null(r);
	r->id = 3;
	SET_OK(r, "number", "INV-1");
	SET_OK(r, "amount", "-0.05");		/* a credit note */
	SET_OK(r, "paid", "0");
	SET_OK(r, "currency", "EUR");
	assert_int_equal(crm_rec_finish_money(r), 0);
	SET_OK(r, "due_on", "1969-12-31");
	SET_OK(r, "dunning_level", "0");
	return r;
}

typedef struct crm_rec *(*maker)(void);

static void
round_trip(struct crm_rec *orig)
{
	struct crm_buf enc = CRM_BUF_INIT, again = CRM_BUF_INIT;
	struct crm_rec *dec = crm_rec_new(orig->ent);
	char *data;
	int f;

	assert_non_null(dec);
	assert_int_equal(crm_rec_encode(orig, &enc), 0);
	assert_true(enc.len >= 1);
	data = malloc(enc.len);
	assert_non_null(data);
	memcpy(data, enc.p, enc.len);

	/* Borrowed: text points into the encoded bytes. */
	assert_int_equal(crm_rec_decode(dec, orig->id, data, enc.len,
	    CRM_DECODE_BORROW), 0);
	assert_rec_equal(orig, dec);
	for (f = 1; f < orig->ent->nfields; f++)
		if (dec->v[f].state == CRM_V_SET && dec->v[f].s != NULL &&
		    orig->ent->fields[f].type != CRM_T_ENUM)
			assert_true(dec->v[f].s >= data &&
			    dec->v[f].s < data + enc.len);
	/* The encoding is canonical: encoding the decoded record again
	 * gives the same bytes. */
	assert_int_equal(crm_rec_encode(dec, &again), 0);
	assert_int_equal(again.len, enc.len);
	assert_memory_equal(again.p, enc.p, enc.len);

	/* Copied: survives the bytes being overwritten and freed. */
	assert_int_equal(crm_rec_decode(dec, orig->id, data, enc.len,
	    CRM_DECODE_COPY), 0);
	memset(data, 0xa5, enc.len);
	free(data);
	assert_rec_equal(orig, dec);
	for (f = 1; f < orig->ent->nfields; f++) {
		char *a, *b;

		a = text(orig, orig->ent->fields[f].name);
		b = text(dec, orig->ent->fields[f].name);
		assert_string_equal(a, b);
		free(a);
		free(b);
	}

	crm_buf_free(&enc);
	crm_buf_free(&again);
	crm_rec_free(dec);
}

static void
test_round_trip(void **state)
{
	static const maker makers[] = { full_customer, full_deal, full_ticket,
		full_invoice };
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(makers) / sizeof(makers[0]); i++) {
		struct crm_rec *r = makers[i]();

		if (r->ent == crm_entity_find("customer")) {
			/* The cleared custom field is not carried over. */
			struct crm_buf enc = CRM_BUF_INIT;
			struct crm_rec *dec = crm_rec_new(r->ent);

			assert_int_equal(crm_rec_encode(r, &enc), 0);
			assert_int_equal(crm_rec_decode(dec, 42, enc.p, enc.len,
			    CRM_DECODE_COPY), 0);
			assert_null(crm_rec_custom(dec, "cleared", 7));
			assert_non_null(crm_rec_custom(dec, "colour", 6));
			assert_int_equal(dec->ncust, 2);
			crm_buf_free(&enc);
			crm_rec_free(dec);
			/* Compare against the record without it. */
			r->ncust = 2;
		}
		round_trip(r);
		crm_rec_free(r);
	}
}

static void
test_copy(void **state)
{
	struct crm_rec *a = full_customer(), *b = crm_rec_new(ent("customer"));

	(void)state;
	assert_non_null(b);
	SET_OK(b, "notes", "to be replaced");
	assert_int_equal(crm_rec_copy(b, a), 0);
	assert_rec_equal(a, b);
	/* Independent: changing the copy leaves the original. */
	SET_OK(b, "name", "Other");
	SET_OK(b, "colour", "red");
	TEXT(a, "name", "\xe5\xbc\xa0\xe4\xb8\x89 Trading, \"Ltd\"");
	assert_memory_equal(crm_rec_custom(a, "colour", 6)->s, "blue", 4);
	crm_rec_free(a);
	crm_rec_free(b);
}

/* crm_rec_setf_ref keeps a value that ends in NUL where it is, and
 * copies one it had to trim (or that does not end there). */
static void
test_setf_ref(void **state)
{
	const struct crm_entity *e = ent("customer");
	struct crm_rec *r = crm_rec_new(e);
	char row[] = "Acme\0 E1 \0ann@example.com\0ACME corp";
	int name = crm_field_find(e, "name", 4);
	int ext = crm_field_find(e, "ext_id", 6);
	int email = crm_field_find(e, "email", 5);
	int notes = crm_field_find(e, "notes", 5);

	(void)state;
	assert_non_null(r);
	assert_int_equal(crm_rec_setf_ref(r, name, row, 4, NOW), 0);
	assert_ptr_equal(r->v[name].s, row);
	/* " E1 ": an indexed value is trimmed, so it no longer ends in NUL. */
	assert_int_equal(crm_rec_setf_ref(r, ext, row + 5, 4, NOW), 0);
	assert_ptr_not_equal(r->v[ext].s, row + 6);
	assert_int_equal(r->v[ext].len, 2);
	assert_memory_equal(r->v[ext].s, "E1", 3);
	assert_int_equal(crm_rec_setf_ref(r, email, row + 10, 15, NOW), 0);
	assert_ptr_equal(r->v[email].s, row + 10);
	/* "ACME" of "ACME corp": not the end of the text. */
	assert_int_equal(crm_rec_setf_ref(r, notes, row + 26, 4, NOW), 0);
	assert_ptr_not_equal(r->v[notes].s, row + 26);
	assert_memory_equal(r->v[notes].s, "ACME", 5);
	/* A bad value is refused as by crm_rec_setf. */
	assert_int_equal(crm_rec_setf_ref(r, email, row, 4, NOW), CRM_EDATA);
	crm_clearerr();
	assert_ptr_equal(r->v[email].s, row + 10);
	crm_rec_free(r);
}

static void
test_rec_text(void **state)
{
	struct crm_rec *r = full_deal();
	struct crm_buf b = CRM_BUF_INIT;

	(void)state;
	TEXT(r, "id", "7");
	TEXT(r, "customer", "9007199254740993");
	TEXT(r, "amount", "9223372036854775.807");	/* KWD */
	TEXT(r, "expected_close", "0001-01-01");
	TEXT(r, "stage_changed_at", "9999-12-31T23:59:59Z");
	TEXT(r, "probability", "-9223372036854775808");
	TEXT(r, "closed_at", "0001-01-01T00:00:00Z");
	TEXT(r, "currency", "KWD");
	TEXT(r, "lost_reason", "");
	/* Nothing is appended for an empty field. */
	assert_int_equal(crm_buf_adds(&b, "x"), 0);
	assert_int_equal(crm_rec_text(r, fld(r, "lost_reason"), &b), 0);
	assert_int_equal(b.len, 1);
	crm_buf_free(&b);
	crm_rec_free(r);

	r = full_ticket();
	TEXT(r, "escalated", "no");
	TEXT(r, "priority", "urgent");
	TEXT(r, "first_response_due", "2026-03-15T12:30:00Z");
	crm_rec_free(r);

	r = full_invoice();
	TEXT(r, "amount", "-0.05");
	TEXT(r, "paid", "0.00");
	TEXT(r, "due_on", "1969-12-31");
	TEXT(r, "dunning_level", "0");
	crm_rec_free(r);

	/* An unsaved record has no id to show. */
	r = crm_rec_new(ent("customer"));
	TEXT(r, "id", "");
	crm_rec_free(r);
}

static int
decode_bytes(const struct crm_entity *e, const void *p, size_t n, int copy)
{
	struct crm_rec *r = crm_rec_new(e);
	char *b = malloc(n > 0 ? n : 1);
	int rc;

	assert_non_null(r);
	assert_non_null(b);
	if (n > 0)
		memcpy(b, p, n);
	rc = crm_rec_decode(r, 5, b, n, copy);
	/* Whatever happened, the id is the key's. */
	assert_int_equal(r->id, 5);
	free(b);
	crm_rec_free(r);
	return rc;
}

#define CORRUPT(e, lit) do { \
	assert_int_equal(decode_bytes(e, lit, sizeof(lit) - 1, 0), CRM_ECORRUPT); \
	assert_int_equal(decode_bytes(e, lit, sizeof(lit) - 1, 1), CRM_ECORRUPT); \
} while (0)

static void
test_decode_corrupt(void **state)
{
	const struct crm_entity *c = ent("customer");
	unsigned char buf[16];

	(void)state;
	/* An empty record is one version byte. */
	assert_int_equal(decode_bytes(c, "\x01", 1, 0), 0);
	assert_int_equal(decode_bytes(c, "", 0, 0), CRM_ECORRUPT);
	assert_int_equal(decode_bytes(c, "", 0, 1), CRM_ECORRUPT);
	CORRUPT(c, "\x00");
	CORRUPT(c, "\x02");
	CORRUPT(c, "\xff\x05\x01x");
	/* Field tags past the entity's fields (customer has 15). */
	buf[0] = 1;
	buf[1] = (unsigned char)(c->nfields + 1);
	buf[2] = 1;
	buf[3] = 'x';
	assert_int_equal(decode_bytes(c, buf, 4, 0), CRM_ECORRUPT);
	assert_int_equal(decode_bytes(c, buf, 4, 1), CRM_ECORRUPT);
	CORRUPT(c, "\x01\x7f\x01x");
	CORRUPT(c, "\x01\xff\xff\xff\xff\x0f\x01x");	/* a huge tag */
	/* A varint longer than 64 bits. */
	CORRUPT(c, "\x01\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\x01");
	/* Text longer than what is left (name is field 4, tag 5). */
	CORRUPT(c, "\x01\x05\x05" "abc");
	CORRUPT(c, "\x01\x05\xff\xff\xff\xff\xff\xff\xff\xff\x7f" "abc");
	/* A tag with no payload, a varint cut short. */
	CORRUPT(c, "\x01\x05");
	CORRUPT(c, "\x01\x02\x80");
	/* An enum spelling that is not in the list (kind: field 5, tag 6). */
	CORRUPT(c, "\x01\x06\x05robot");
	/* A custom field cut in its name or its value. */
	CORRUPT(c, "\x01\x00");
	CORRUPT(c, "\x01\x00\x03" "ab");
	CORRUPT(c, "\x01\x00\x01" "a");
	CORRUPT(c, "\x01\x00\x01" "a\x04xyz");
}

/*
 * crm_varint_get and crm_varint_skip against a plain reference: every
 * value written by crm_buf_addvarint reads back at each length (1 to 10
 * bytes), with or without bytes after it; every cut is CRM_ECORRUPT and
 * leaves the cursor where it was; 11 bytes are too many.
 */
static void
test_varint(void **state)
{
	static const uint64_t vals[] = { 0, 1, 127, 128, 255, 16383, 16384,
		2097151, 2097152, 1783872000, (uint64_t)1 << 35,
		((uint64_t)1 << 56) - 1, (uint64_t)1 << 56, (uint64_t)1 << 63,
		UINT64_MAX };
	unsigned char over[11];
	size_t i, cut;

	(void)state;
	for (i = 0; i < sizeof(vals) / sizeof(vals[0]); i++) {
		struct crm_buf b = CRM_BUF_INIT;
		const unsigned char *p, *end;
		uint64_t v, ref = 0;
		size_t n, k;

		assert_int_equal(crm_buf_addvarint(&b, vals[i]), 0);
		n = b.len;
		for (k = 0; k < n; k++)
			ref |= (uint64_t)((unsigned char)b.p[k] & 0x7f) << (7 * k);
		assert_true(ref == vals[i]);
		assert_int_equal(crm_buf_add(&b, "\x05tail", 5), 0);
		for (cut = 0; cut <= b.len; cut++) {
			p = (const unsigned char *)b.p;
			end = p + cut;
			if (cut < n) {
				assert_int_equal(crm_varint_get(&p, end, &v),
				    CRM_ECORRUPT);
				assert_ptr_equal(p, b.p);
				assert_int_equal(crm_varint_skip(&p, end),
				    CRM_ECORRUPT);
				assert_ptr_equal(p, b.p);
				continue;
			}
			assert_int_equal(crm_varint_get(&p, end, &v), 0);
			assert_true(v == vals[i]);
			assert_ptr_equal(p, b.p + n);
			p = (const unsigned char *)b.p;
			assert_int_equal(crm_varint_skip(&p, end), 0);
			assert_ptr_equal(p, b.p + n);
		}
		crm_buf_free(&b);
	}
	memset(over, 0x80, sizeof(over));
	over[10] = 0x01;
	for (cut = 10; cut <= sizeof(over); cut++) {
		const unsigned char *p = over;
		uint64_t v;

		assert_int_equal(crm_varint_get(&p, over + cut, &v),
		    CRM_ECORRUPT);
		assert_int_equal(crm_varint_skip(&p, over + cut),
		    CRM_ECORRUPT);
		assert_ptr_equal(p, over);
	}
}

/*
 * Every truncation of a valid encoding decodes to CRM_ECORRUPT or, when
 * the cut falls exactly between two fields, to a record whose encoding
 * is the bytes that were kept.  Never a crash, never a read past them.
 */
static void
test_decode_truncated(void **state)
{
	static const maker makers[] = { full_customer, full_deal, full_ticket,
		full_invoice };
	size_t i, len, ncorrupt;

	(void)state;
	for (i = 0; i < sizeof(makers) / sizeof(makers[0]); i++) {
		struct crm_rec *r = makers[i](), *dec = crm_rec_new(r->ent);
		struct crm_buf enc = CRM_BUF_INIT, again = CRM_BUF_INIT;

		assert_non_null(dec);
		assert_int_equal(crm_rec_encode(r, &enc), 0);
		ncorrupt = 0;
		for (len = 0; len < enc.len; len++) {
			int copy;

			for (copy = 0; copy <= 1; copy++) {
				char *b = malloc(len > 0 ? len : 1);
				int rc;

				assert_non_null(b);
				memcpy(b, enc.p, len);
				rc = crm_rec_decode(dec, r->id, b, len, copy);
				if (rc == 0) {
					assert_int_equal(crm_rec_encode(dec,
					    &again), 0);
					assert_int_equal(again.len, len);
					assert_memory_equal(again.p, b, len);
				} else {
					if (rc != CRM_ECORRUPT)
						fail_msg("%s cut at %zu of %zu: "
						    "rc %d", r->ent->name, len,
						    enc.len, rc);
					ncorrupt += copy;
				}
				free(b);
			}
		}
		/* The empty prefix and a cut inside the last value. */
		assert_int_equal(decode_bytes(r->ent, enc.p, 0, 0), CRM_ECORRUPT);
		assert_int_equal(decode_bytes(r->ent, enc.p, enc.len - 1, 0),
		    CRM_ECORRUPT);
		assert_true(ncorrupt > enc.len / 2);
		crm_buf_free(&enc);
		crm_buf_free(&again);
		crm_rec_free(dec);
		crm_rec_free(r);
	}
}

/* Flipped bits anywhere: a clean error or a record, never a crash. */
static void
test_decode_bitflips(void **state)
{
	static const unsigned char masks[] = { 0x01, 0x02, 0x10, 0x40, 0x80,
		0xff };
	struct crm_rec *r = full_customer(), *dec = crm_rec_new(r->ent);
	struct crm_buf enc = CRM_BUF_INIT;
	size_t i, m;

	(void)state;
	assert_non_null(dec);
	assert_int_equal(crm_rec_encode(r, &enc), 0);
	for (i = 0; i < enc.len; i++)
		for (m = 0; m < sizeof(masks); m++) {
			char *b = malloc(enc.len);
			int rc;

			assert_non_null(b);
			memcpy(b, enc.p, enc.len);
			b[i] = (char)(b[i] ^ masks[m]);
			rc = crm_rec_decode(dec, 1, b, enc.len, (int)(m & 1));
			if (rc != 0 && rc != CRM_ECORRUPT)
				fail_msg("byte %zu ^ 0x%02x: rc %d", i, masks[m],
				    rc);
			free(b);
		}
	crm_buf_free(&enc);
	crm_rec_free(dec);
	crm_rec_free(r);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_customer_fields),
		cmocka_unit_test(test_tags),
		cmocka_unit_test(test_custom_and_system),
		cmocka_unit_test(test_size_limits),
		cmocka_unit_test(test_deal_fields),
		cmocka_unit_test(test_invoice_and_others),
		cmocka_unit_test(test_refused_keeps_value),
		cmocka_unit_test(test_money_pending),
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_copy),
		cmocka_unit_test(test_setf_ref),
		cmocka_unit_test(test_rec_text),
		cmocka_unit_test(test_varint),
		cmocka_unit_test(test_decode_corrupt),
		cmocka_unit_test(test_decode_truncated),
		cmocka_unit_test(test_decode_bitflips),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
