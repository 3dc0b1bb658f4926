/*
 * test_filter.c — --where conditions and --sort keys over hand-built
 * customer, deal and contact records (no database: references are
 * given as ids, so crm_filter_add is called with a NULL transaction).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "error.h"
#include "filter.h"
#include "record.h"
#include "schema.h"

/* 2026-03-15T12:00:00Z */
#define NOW INT64_C(1773576000)

static const struct crm_entity *
ent(const char *name)
{
	const struct crm_entity *e = crm_entity_find(name);

	assert_non_null(e);
	return e;
}

/*
 * Every record a test makes is freed after it, pass or fail, so a
 * failing assertion leaks nothing under ASan.
 */
static struct crm_rec *made[64];
static size_t nmade;

static int
free_made(void **state)
{
	(void)state;
	while (nmade > 0)
		crm_rec_free(made[--nmade]);
	return 0;
}

/*
 * A record from "field=value" strings, NULL-terminated.  A value of a
 * reference field is taken as an id; money is finished at the end.
 */
static struct crm_rec *
mk(const char *entity, uint64_t id, ...)
{
	struct crm_rec *r = crm_rec_new(ent(entity));
	const char *kv;
	va_list ap;

	assert_non_null(r);
	assert_true(nmade < sizeof(made) / sizeof(made[0]));
	made[nmade++] = r;
	crm_rec_setint(r, CRM_FLD_ID, (int64_t)id);
	va_start(ap, id);
	while ((kv = va_arg(ap, const char *)) != NULL) {
		const char *eq = strchr(kv, '=');
		int f, rc;

		assert_non_null(eq);
		f = crm_field_find(r->ent, kv, (size_t)(eq - kv));
		if (f >= 0 && r->ent->fields[f].type == CRM_T_REF) {
			crm_rec_setint(r, f, strtoll(eq + 1, NULL, 10));
			continue;
		}
		rc = crm_rec_set(r, kv, (size_t)(eq - kv), eq + 1, strlen(eq + 1),
		    NOW, 0);
		if (rc != 0)
			fail_msg("%s: %s", kv, crm_errdetail(rc));
	}
	va_end(ap);
	assert_int_equal(crm_rec_finish_money(r), 0);
	return r;
}

/* Does r meet the one condition expr? */
static int
where(const struct crm_rec *r, const char *expr)
{
	struct crm_filter f;
	int rc, hit;

	crm_filter_init(&f, r->ent);
	rc = crm_filter_add(&f, NULL, expr, NOW);
	if (rc != 0) {
		crm_filter_free(&f);
		fail_msg("--where \"%s\" refused: %s", expr, crm_errdetail(rc));
	}
	hit = crm_filter_match(&f, r);
	crm_filter_free(&f);
	return hit;
}

#define YES(r, expr) do { \
	if (!where(r, expr)) \
		fail_msg("%s %llu should match --where \"%s\"", (r)->ent->name, \
		    (unsigned long long)(r)->id, expr); \
} while (0)

#define NO(r, expr) do { \
	if (where(r, expr)) \
		fail_msg("%s %llu should not match --where \"%s\"", \
		    (r)->ent->name, (unsigned long long)(r)->id, expr); \
} while (0)

static struct crm_rec *
acme(void)
{
	return mk("customer", 1, "ext_id=E0001", "name=Acme", "kind=company",
	    "email=Ann@Example.com", "phone=+86 138 0000 0007", "tier=A",
	    "tags=vip;gold", "owner=ann", "region=APAC",
	    "created_at=2026-03-01T09:00:00Z", "colour=blue", "size=10",
	    (char *)NULL);
}

static struct crm_rec *
bob(void)
{
	return mk("customer", 2, "name=Bob Smith", "kind=person", "tier=B",
	    "tags=vip2", "owner=bob", (char *)NULL);
}

static void
test_text(void **state)
{
	struct crm_rec *a = acme(), *b = bob();

	(void)state;
	YES(a, "name=Acme");
	YES(a, " name = Acme ");		/* spaces around are not data */
	NO(b, "name=Acme");
	NO(a, "name=Acm");
	NO(a, "name!=Acme");
	YES(b, "name!=Acme");
	YES(a, "name~cm");
	YES(a, "name~CME");			/* ~ ignores case */
	YES(b, "name~smith");
	NO(a, "name~smith");
	YES(a, "name<B");
	YES(b, "name>B");
	YES(a, "name<=Acme");
	YES(a, "name>=Acme");
	NO(a, "name>Acme");
	NO(a, "name<Acme");
	YES(a, "owner=ann");
	YES(a, "id=1");
	YES(b, "id>1");
	NO(a, "id>1");
}

static void
test_one_of_and_empty(void **state)
{
	struct crm_rec *a = acme(), *b = bob();

	(void)state;
	YES(a, "tier=A|B");
	YES(b, "tier=A|B");
	YES(b, "tier=C|B");
	NO(a, "tier=B|C");
	YES(a, "tier!=B|C");
	NO(b, "tier!=A|B");
	YES(a, "owner=bob|ann|cid");
	YES(a, "tier= A | B ");
	YES(a, "id=3|1");
	NO(b, "id=3|1");

	/* field= is "empty", field!= is "not empty". */
	YES(b, "region=");
	NO(a, "region=");
	YES(a, "region!=");
	NO(b, "region!=");
	YES(b, "email=");
	YES(b, "ext_id= ");
	YES(b, "colour=");			/* custom field never set */
	NO(a, "colour=");
	YES(a, "colour!=");
	/* An empty field is not equal to a value but differs from it. */
	NO(b, "region=APAC");
	YES(b, "region!=APAC");
	NO(b, "region<ZZZ");
	NO(b, "region~A");
}

static void
test_tags_custom_enum(void **state)
{
	struct crm_rec *a = acme(), *b = bob();

	(void)state;
	/* tags=x means "has the tag x", whole words only. */
	YES(a, "tags=vip");
	YES(a, "tags=gold");
	NO(b, "tags=vip");			/* vip2 is another tag */
	YES(b, "tags=vip2");
	NO(a, "tags=vi");
	YES(a, "tags=silver|gold");
	YES(b, "tags!=vip");
	NO(a, "tags!=vip");
	YES(a, "tags~ol");

	/* Custom fields compare as text. */
	YES(a, "colour=blue");
	NO(a, "colour=Blue");
	YES(a, "colour~BL");
	YES(a, "colour>a");
	YES(a, "colour=red|blue");
	YES(a, "size=10");
	/* ...but numbers among them compare as numbers. */
	YES(a, "size>9");
	NO(a, "size<9");
	YES(a, "size>=10.0");
	YES(a, "size<10.5");

	/* Enumerations are case-insensitive on input, and so in --where. */
	YES(a, "kind=company");
	YES(b, "kind=person|company");
	NO(b, "kind=company");
	YES(a, "kind=Company");
	NO(b, "kind!=PERSON");
}

/* E-mail and phone compare by their normal forms, as the indexes do. */
static void
test_email_phone(void **state)
{
	struct crm_rec *a = acme();

	(void)state;
	YES(a, "email=ann@example.com");
	YES(a, "email=ANN@EXAMPLE.COM");
	NO(a, "email=ann@example.org");
	YES(a, "email~EXAMPLE");
	YES(a, "phone=+86 138 0000 0007");
	YES(a, "phone=+8613800000007");
	YES(a, "phone=0086 138 0000 0007");
	NO(a, "phone=+8613800000008");
}

static struct crm_rec *
deal(uint64_t id, const char *amount, const char *currency, const char *close)
{
	char a[64], c[64], d[64];

	snprintf(a, sizeof(a), "amount=%s", amount);
	snprintf(c, sizeof(c), "currency=%s", currency);
	snprintf(d, sizeof(d), "expected_close=%s", close);
	return mk("deal", id, "customer=1", "title=t", a, c, d,
	    "probability=50", "stage=proposal",
	    "stage_changed_at=2026-03-01T00:00:00Z", (char *)NULL);
}

static void
test_money(void **state)
{
	struct crm_rec *small = deal(1, "999.99", "USD", "2026-03-10");
	struct crm_rec *even = deal(2, "1000.00", "USD", "2026-03-10");
	struct crm_rec *neg = deal(3, "-0.01", "USD", "2026-03-10");

	(void)state;
	NO(small, "amount>=1000.00");
	YES(even, "amount>=1000.00");
	YES(even, "amount>=1000");
	YES(even, "amount>=1,000");
	YES(even, "amount=1000");
	YES(even, "amount=1,000.00");
	NO(small, "amount=1000");
	YES(small, "amount<1000");
	YES(small, "amount=999.99");
	NO(small, "amount=999.9");
	YES(small, "amount<=999.99");
	NO(small, "amount<999.99");
	YES(small, "amount>999.98");
	YES(small, "amount=1|999.99");
	YES(neg, "amount<0");
	YES(neg, "amount=-0.01");
	NO(neg, "amount>-0.01");
	YES(even, "amount!=999.99");
	YES(even, "amount~1000");

	/* A value between two cents: never equal, but still ordered. */
	NO(even, "amount=1000.001");
	YES(even, "amount!=1000.001");
	YES(even, "amount<1000.001");
	NO(even, "amount>1000.001");
	YES(small, "amount<999.995");
	NO(small, "amount>999.995");
}

/* Amounts are compared in the record's own currency exponent. */
static void
test_money_exponents(void **state)
{
	struct crm_rec *yen = deal(1, "1501", "JPY", "2026-03-10");
	struct crm_rec *yen0 = deal(2, "1500", "JPY", "2026-03-10");
	struct crm_rec *cent = deal(3, "0.01", "USD", "2026-03-10");
	struct crm_rec *kwd = deal(4, "1.234", "KWD", "2026-03-10");

	(void)state;
	YES(yen, "amount=1501");
	YES(yen, "amount=1501.00");
	YES(yen, "amount>1500");
	YES(yen0, "amount=1500");
	NO(yen0, "amount=1500.5");
	YES(yen, "amount>1500.5");
	NO(yen, "amount<1500.5");
	NO(yen0, "amount>1500.5");
	YES(yen0, "amount<1500.5");
	NO(cent, "amount<0.005");
	YES(cent, "amount>0.005");
	YES(kwd, "amount=1.234");
	YES(kwd, "amount>1.23");
	NO(kwd, "amount=1.23");
}

static void
test_dates_and_numbers(void **state)
{
	/* NOW is 2026-03-15T12:00:00Z. */
	struct crm_rec *d = deal(1, "10", "USD", "2026-03-10");
	struct crm_rec *later = deal(2, "10", "USD", "2026-04-20");

	(void)state;
	YES(d, "expected_close=2026-03-10");
	YES(d, "expected_close=2026/3/10");
	YES(d, "expected_close<today");
	NO(later, "expected_close<today");
	YES(d, "expected_close>=-7d");		/* 2026-03-08 */
	NO(d, "expected_close>-3d");
	YES(later, "expected_close>+1m");	/* 2026-04-15 */
	NO(d, "expected_close>=+1m");
	YES(d, "expected_close>=-2w");		/* 2026-03-01 */
	YES(d, "expected_close=yesterday|2026-03-10");
	YES(d, "expected_close<=2026-03-10T23:00:00Z");
	YES(d, "stage_changed_at<-14d");	/* 2026-03-01T12:00Z */
	NO(d, "stage_changed_at<-15d");
	YES(d, "stage_changed_at=2026-03-01");	/* midnight */
	YES(d, "stage_changed_at>=2026-03-01T08:00:00+08:00");
	NO(d, "stage_changed_at>2026-03-01T08:00:00+08:00");
	YES(d, "probability=50");
	YES(d, "probability>=50");
	NO(d, "probability>50");
	YES(d, "probability<100");
	YES(d, "probability=10|50");
	YES(d, "probability~5");
	YES(d, "customer=1");
	NO(d, "customer=2");
	YES(d, "stage=proposal|negotiation");
}

static void
test_bool(void **state)
{
	struct crm_rec *c = mk("contact", 1, "customer=1", "name=Ann",
	    "primary=yes", (char *)NULL);
	struct crm_rec *o = mk("contact", 2, "customer=1", "name=Bo",
	    "primary=no", (char *)NULL);
	struct crm_rec *u = mk("contact", 3, "customer=1", "name=Cy",
	    (char *)NULL);

	(void)state;
	YES(c, "primary=yes");
	YES(c, "primary=true");
	YES(c, "primary=1");
	NO(o, "primary=yes");
	YES(o, "primary=no");
	NO(u, "primary=no");			/* unset is not "no" */
	YES(u, "primary=");
	NO(o, "primary=");
}

static void
test_several(void **state)
{
	struct crm_rec *a = acme(), *b = bob();
	struct crm_filter f;

	(void)state;
	crm_filter_init(&f, ent("customer"));
	assert_int_equal(crm_filter_match(&f, a), 1);	/* no condition */
	assert_int_equal(crm_filter_add(&f, NULL, "tags=vip", NOW), 0);
	assert_int_equal(crm_filter_add(&f, NULL, "tier=A", NOW), 0);
	assert_int_equal(crm_filter_add(&f, NULL, "created_at>=2026-03-01", NOW),
	    0);
	assert_int_equal(f.n, 3);
	assert_true(crm_filter_match(&f, a));
	assert_false(crm_filter_match(&f, b));
	assert_int_equal(crm_filter_add(&f, NULL, "owner=bob", NOW), 0);
	assert_false(crm_filter_match(&f, a));
	crm_filter_free(&f);
	assert_int_equal(f.n, 0);
}

static void
test_indexable(void **state)
{
	struct crm_filter f;
	const char *t = NULL;
	size_t len = 0;

	(void)state;
	crm_filter_init(&f, ent("customer"));
	assert_int_equal(crm_filter_add(&f, NULL, "name=Acme", NOW), 0);
	assert_int_equal(crm_filter_indexable(&f, &t, &len), -1);
	assert_int_equal(crm_filter_add(&f, NULL, "email=Ann@Example.com", NOW),
	    0);
	assert_int_equal(crm_filter_indexable(&f, &t, &len),
	    crm_field_find(f.ent, "email", 5));
	assert_int_equal(len, 15);
	assert_memory_equal(t, "Ann@Example.com", 15);
	crm_filter_free(&f);

	/* one-of, empty and ranges need a scan. */
	crm_filter_init(&f, ent("customer"));
	assert_int_equal(crm_filter_add(&f, NULL, "owner=ann|bob", NOW), 0);
	assert_int_equal(crm_filter_add(&f, NULL, "email=", NOW), 0);
	assert_int_equal(crm_filter_add(&f, NULL, "ext_id>E1", NOW), 0);
	assert_int_equal(crm_filter_indexable(&f, &t, &len), -1);
	assert_int_equal(crm_filter_add(&f, NULL, "tags=vip", NOW), 0);
	assert_int_equal(crm_filter_indexable(&f, &t, &len),
	    crm_field_find(f.ent, "tags", 4));
	assert_int_equal(len, 3);
	crm_filter_free(&f);
}

static void
test_bad_expressions(void **state)
{
	static const struct {
		const char *ent, *expr;
	} bad[] = {
		{ "customer", "" },
		{ "customer", "name" },
		{ "customer", "=Acme" },
		{ "customer", " =Acme" },
		{ "customer", "name!Acme" },
		{ "customer", "name<" },		/* empty needs = or != */
		{ "customer", "name>= " },
		{ "customer", "name~" },
		{ "customer", "a,b=1" },		/* not a field name */
		{ "customer", "a;b=1" },
		{ "customer", "created_at>last week" },
		{ "customer", "id=abc" },
		{ "deal", "amount>abc" },
		{ "deal", "amount>12,5" },
		{ "deal", "amount=1|x" },
		{ "deal", "expected_close<notadate" },
		{ "deal", "expected_close=2026-02-30" },
		{ "deal", "probability=1.5" },
		{ "deal", "probability>5%" },
		{ "contact", "primary=maybe" },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct crm_filter f;
		int rc;

		crm_filter_init(&f, ent(bad[i].ent));
		rc = crm_filter_add(&f, NULL, bad[i].expr, NOW);
		if (rc != CRM_EUSAGE)
			fail_msg("--where \"%s\" on %s: want CRM_EUSAGE, got %d",
			    bad[i].expr, bad[i].ent, rc);
		/* The detail quotes the expression. */
		assert_non_null(strstr(crm_errdetail(CRM_EUSAGE), "--where"));
		assert_int_equal(f.n, 0);
		crm_filter_free(&f);
	}
}

/* ---- sorting -------------------------------------------------------- */

static void
test_sort_parse(void **state)
{
	const struct crm_entity *e = ent("deal");
	struct crm_sort s;

	(void)state;
	assert_int_equal(crm_sort_parse(&s, e, "amount"), 0);
	assert_int_equal(s.n, 1);
	assert_int_equal(s.field[0], crm_field_find(e, "amount", 6));
	assert_int_equal(s.desc[0], 0);
	assert_int_equal(crm_sort_parse(&s, e, "-amount,title,+owner"), 0);
	assert_int_equal(s.n, 3);
	assert_int_equal(s.desc[0], 1);
	assert_int_equal(s.field[1], crm_field_find(e, "title", 5));
	assert_int_equal(s.desc[1], 0);
	assert_int_equal(s.desc[2], 0);
	assert_int_equal(crm_sort_parse(&s, e, "-colour"), 0);
	assert_int_equal(s.field[0], -1);
	assert_non_null(s.custom[0]);
	assert_int_equal(s.desc[0], 1);
	assert_int_equal(crm_sort_parse(&s, e, "-"), CRM_EUSAGE);
	assert_int_equal(crm_sort_parse(&s, e, "amount,,title"), CRM_EUSAGE);
	assert_int_equal(crm_sort_parse(&s, e, ",amount"), CRM_EUSAGE);
	assert_int_equal(crm_sort_parse(&s, e, "a=b"), CRM_EUSAGE);
	assert_int_equal(crm_sort_parse(&s, e, "a,b,c,d,e,f,g,h"), 0);
	assert_int_equal(s.n, 8);
	assert_int_equal(crm_sort_parse(&s, e, "a,b,c,d,e,f,g,h,i"), CRM_EUSAGE);
}

static const struct crm_sort *sort_keys;

static int
cmp(const void *a, const void *b)
{
	return crm_sort_cmp(sort_keys, *(struct crm_rec *const *)a,
	    *(struct crm_rec *const *)b);
}

/* Sorts recs by spec and checks the ids come out as want. */
static void
check_order(struct crm_rec **recs, size_t n, const char *spec,
    const uint64_t *want)
{
	struct crm_sort s;
	size_t i;

	assert_int_equal(crm_sort_parse(&s, recs[0]->ent, spec), 0);
	sort_keys = &s;
	qsort(recs, n, sizeof(*recs), cmp);
	for (i = 0; i < n; i++)
		if (recs[i]->id != want[i])
			fail_msg("--sort %s: position %zu holds %llu, want %llu",
			    spec, i, (unsigned long long)recs[i]->id,
			    (unsigned long long)want[i]);
}

static void
test_sort_cmp(void **state)
{
	struct crm_rec *r[5];

	(void)state;
	r[0] = mk("deal", 1, "customer=1", "title=b", "amount=10.00",
	    "owner=ann", "size=3", (char *)NULL);
	r[1] = mk("deal", 2, "customer=1", "title=a", "amount=9.99",
	    "size=1", (char *)NULL);
	r[2] = mk("deal", 3, "customer=1", "title=c", "owner=bob",
	    (char *)NULL);				/* no amount */
	r[3] = mk("deal", 4, "customer=1", "title=a", "amount=-5",
	    "owner=ann", "size=2", (char *)NULL);
	r[4] = mk("deal", 5, "customer=1", "title=d", "amount=100",
	    "expected_close=2026-01-01", (char *)NULL);
	{
		const uint64_t want[] = { 4, 2, 1, 5, 3 };
		check_order(r, 5, "amount", want);
	}
	{
		/* Descending, and the empty amount still last. */
		const uint64_t want[] = { 5, 1, 2, 4, 3 };
		check_order(r, 5, "-amount", want);
	}
	{
		/* Ties broken by the next key, then by id. */
		const uint64_t want[] = { 1, 4, 3, 5, 2 };
		check_order(r, 5, "owner,-title", want);
	}
	{
		const uint64_t want[] = { 2, 4, 1, 3, 5 };
		check_order(r, 5, "size", want);
	}
	{
		const uint64_t want[] = { 1, 4, 2, 3, 5 };
		check_order(r, 5, "-size", want);
	}
	{
		const uint64_t want[] = { 5, 4, 3, 2, 1 };
		check_order(r, 5, "-id", want);
	}
	{
		const uint64_t want[] = { 5, 1, 2, 3, 4 };
		check_order(r, 5, "expected_close", want);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_text, free_made),
		cmocka_unit_test_teardown(test_one_of_and_empty, free_made),
		cmocka_unit_test_teardown(test_tags_custom_enum, free_made),
		cmocka_unit_test_teardown(test_email_phone, free_made),
		cmocka_unit_test_teardown(test_money, free_made),
		cmocka_unit_test_teardown(test_money_exponents, free_made),
		cmocka_unit_test_teardown(test_dates_and_numbers, free_made),
		cmocka_unit_test_teardown(test_bool, free_made),
		cmocka_unit_test_teardown(test_several, free_made),
		cmocka_unit_test_teardown(test_indexable, free_made),
		cmocka_unit_test_teardown(test_bad_expressions, free_made),
		cmocka_unit_test_teardown(test_sort_parse, free_made),
		cmocka_unit_test_teardown(test_sort_cmp, free_made),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
