/*
 * fuzz_filter.c — --where expressions and --sort keys.
 *
 * The input is split into lines; each line (up to eight) is given to
 * crm_filter_add for customers and for deals (tx NULL: references are
 * plain ids) and to crm_sort_parse.  crm_filter_add must return 0,
 * CRM_EUSAGE or ENOMEM.  For every accepted expression, against a few
 * fixed records of each entity:
 *   - crm_filter_match does not crash and gives 0 or 1;
 *   - the complementary operator (= and !=, < and >=, <= and >) is
 *     accepted exactly when the expression is, and the two never both
 *     match; = and != always disagree, and for an ordering one of the
 *     pair matches whenever the field is set;
 *   - matching a record decoded with only the fields crm_filter_fields
 *     asks for (crm_rec_decode_some, as a scan does) gives the same
 *     answer as matching the whole record;
 *   - crm_filter_indexable names a real field or none.
 * All accepted expressions together match exactly where each one does.
 * Sort keys that parse order the fixed records consistently: a record
 * equals itself, a < b exactly when b > a, and (for built-in fields)
 * the order is transitive.
 */
#include <errno.h>

#include "filter.h"
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define NREC 6
#define MAXLINES 8

struct fixture {
	const struct crm_entity *ent;
	struct crm_rec *rec[NREC];
	struct crm_buf enc[NREC];
};

static struct fixture fx[2];

static void
set(struct crm_rec *r, const char *name, const char *text)
{
	int rc = crm_rec_set(r, name, strlen(name), text, strlen(text),
	    fuzz_now(), 0);

	if (rc != 0)
		FUZZ_FAIL("fixture %s=%s: %s", name, text, crm_errdetail(rc));
}

/* Resolves pending references as plain ids and money at its exponent. */
static void
finish(struct crm_rec *r, uint64_t id)
{
	int f;

	for (f = 0; f < r->ent->nfields; f++)
		if (r->ent->fields[f].type == CRM_T_REF &&
		    r->v[f].state == CRM_V_PENDING) {
			int64_t v;

			if (crm_parse_i64(r->v[f].s, r->v[f].len, 1, INT64_MAX,
			    &v) != 0)
				FUZZ_FAIL("fixture ref");
			crm_rec_setint(r, f, v);
		}
	if (crm_rec_finish_money(r) != 0)
		FUZZ_FAIL("fixture money: %s", crm_errdetail(CRM_EDATA));
	crm_rec_setint(r, CRM_FLD_ID, (int64_t)id);
}

static void
fixtures(void)
{
	struct fixture *c = &fx[0], *d = &fx[1];
	int i;

	c->ent = fuzz_entity("customer");
	d->ent = fuzz_entity("deal");
	for (i = 0; i < NREC; i++) {
		c->rec[i] = crm_rec_new(c->ent);
		d->rec[i] = crm_rec_new(d->ent);
		if (c->rec[i] == NULL || d->rec[i] == NULL)
			abort();
	}
	/* Customers: full, Chinese, minimal, big id, custom-heavy, empty. */
	set(c->rec[0], "name", "Acme, Inc.");
	set(c->rec[0], "ext_id", "E0000001");
	set(c->rec[0], "kind", "company");
	set(c->rec[0], "email", "Sales@Acme.example");
	set(c->rec[0], "phone", "+44 20 7946 0000");
	set(c->rec[0], "region", "EMEA");
	set(c->rec[0], "tier", "A");
	set(c->rec[0], "tags", "vip;newsletter");
	set(c->rec[0], "owner", "alice");
	set(c->rec[0], "created_at", "2024-03-01T10:00:00Z");
	set(c->rec[0], "score", "10");
	set(c->rec[0], "note", "x|y");
	finish(c->rec[0], 1);
	set(c->rec[1], "name", "张三");
	set(c->rec[1], "kind", "person");
	set(c->rec[1], "phone", "020 7946 0000");
	set(c->rec[1], "region", "上海");
	set(c->rec[1], "tags", "vip");
	set(c->rec[1], "created_at", "1999-12-31T23:59:59Z");
	set(c->rec[1], "score", "9.5");
	finish(c->rec[1], 2);
	set(c->rec[2], "name", "Bob");
	finish(c->rec[2], 3);
	set(c->rec[3], "name", "  spaced  ");
	set(c->rec[3], "email", "a@b.co");
	set(c->rec[3], "tier", "B");
	set(c->rec[3], "created_at", "0001-01-01T00:00:00Z");
	finish(c->rec[3], (uint64_t)1 << 40);
	set(c->rec[4], "name", "Ünïcødé GmbH");
	set(c->rec[4], "notes", "line1\nline2\ttab");
	set(c->rec[4], "created_at", "9999-12-31T23:59:59Z");
	set(c->rec[4], "score", "-3");
	set(c->rec[4], "colour", "Blue");
	finish(c->rec[4], 5);
	finish(c->rec[5], 6);

	/* Deals in EUR, JPY, KWD, USD, none, and empty. */
	set(d->rec[0], "title", "Big");
	set(d->rec[0], "customer", "1");
	set(d->rec[0], "currency", "EUR");
	set(d->rec[0], "amount", "1,234.50");
	set(d->rec[0], "stage", "won");
	set(d->rec[0], "probability", "90");
	set(d->rec[0], "expected_close", "2026-12-01");
	set(d->rec[0], "closed_at", "2026-11-20T08:00:00+01:00");
	finish(d->rec[0], 1);
	set(d->rec[1], "title", "Yen");
	set(d->rec[1], "customer", "2");
	set(d->rec[1], "currency", "jpy");
	set(d->rec[1], "amount", "1500");
	set(d->rec[1], "stage", "open");
	finish(d->rec[1], 2);
	set(d->rec[2], "title", "Dinar");
	set(d->rec[2], "customer", "3");
	set(d->rec[2], "currency", "KWD");
	set(d->rec[2], "amount", "12.345");
	set(d->rec[2], "probability", "0");
	finish(d->rec[2], 3);
	set(d->rec[3], "title", "Refund");
	set(d->rec[3], "customer", "9223372036854775807");
	set(d->rec[3], "currency", "USD");
	set(d->rec[3], "amount", "-0.01");
	set(d->rec[3], "stage_changed_at", "now");
	set(d->rec[3], "region", "APAC");
	finish(d->rec[3], 4);
	set(d->rec[4], "title", "No money");
	set(d->rec[4], "customer", "1");
	set(d->rec[4], "amount", "92233720368547758.07");
	finish(d->rec[4], 5);
	finish(d->rec[5], 6);

	for (i = 0; i < NREC; i++) {
		memset(&c->enc[i], 0, sizeof(c->enc[i]));
		memset(&d->enc[i], 0, sizeof(d->enc[i]));
		if (crm_rec_encode(c->rec[i], &c->enc[i]) != 0 ||
		    crm_rec_encode(d->rec[i], &d->enc[i]) != 0)
			FUZZ_FAIL("fixture encode");
	}
}

/* The operator of expr as crm_filter_add reads it: start and length. */
static const char *
find_op(const char *expr, size_t *oplen)
{
	const char *p = expr + strcspn(expr, "=!<>~");

	if (*p == '\0' || (*p == '!' && p[1] != '='))
		return NULL;
	*oplen = (*p == '!' || ((*p == '<' || *p == '>') && p[1] == '=')) ?
	    2 : 1;
	return p;
}

/* expr with the complementary operator, or NULL when there is none. */
static char *
complement(const char *expr)
{
	const char *op, *val, *rep;
	size_t oplen = 0, nl;
	char *out;

	op = find_op(expr, &oplen);
	if (op == NULL)
		return NULL;
	val = op + oplen;
	switch (*op) {
	case '=': rep = "!="; break;
	case '!': rep = "="; break;
	case '<': rep = oplen == 2 ? ">" : ">="; break;
	case '>': rep = oplen == 2 ? "<" : "<="; break;
	default: return NULL;	/* ~ has none */
	}
	/* "a>==b" is >= "=b"; "a<" "=b" would read as <= "b". */
	if (*val == '=' && strlen(rep) == 1 && *rep != '=')
		return NULL;
	nl = (size_t)(op - expr);
	out = malloc(nl + strlen(rep) + strlen(val) + 1);
	if (out == NULL)
		abort();
	memcpy(out, expr, nl);
	memcpy(out + nl, rep, strlen(rep));
	memcpy(out + nl + strlen(rep), val, strlen(val) + 1);
	return out;
}

/* Matches f on record i whole and as a scan decodes it; both agree. */
static int
match(const struct crm_filter *f, struct fixture *x, int i,
    struct crm_rec *part)
{
	uint64_t mask;
	int customs, m, m2, rc;

	m = crm_filter_match(f, x->rec[i]);
	FUZZ_CHECK(m == 0 || m == 1, "crm_filter_match gave %d", m);
	crm_filter_fields(f, &mask, &customs);
	FUZZ_CHECK(mask & 1, "the id is not among the fields read");
	rc = crm_rec_decode_some(part, x->rec[i]->id, x->enc[i].p,
	    x->enc[i].len, mask, customs);
	if (rc == ENOMEM)
		return m;
	FUZZ_CHECK(rc == 0, "crm_rec_decode_some: rc %d", rc);
	m2 = crm_filter_match(f, part);
	FUZZ_CHECK(m2 == m, "record %d of %s matches %d whole but %d when "
	    "decoded with only the filter's fields (mask %#llx, customs %d)",
	    i, x->ent->name, m, m2, (unsigned long long)mask, customs);
	return m;
}

/* True when field name (as in the expression) is set in record i. */
static int
present(struct fixture *x, const char *expr, int i)
{
	struct crm_filter f;
	const char *op;
	size_t oplen = 0;
	char *e;
	int m, rc;

	op = find_op(expr, &oplen);
	e = malloc((size_t)(op - expr) + 2);
	if (e == NULL)
		abort();
	memcpy(e, expr, (size_t)(op - expr));
	memcpy(e + (op - expr), "=", 2);
	crm_filter_init(&f, x->ent);
	rc = crm_filter_add(&f, NULL, e, fuzz_now());
	FUZZ_CHECK(rc == 0 || rc == ENOMEM, "\"%s\" accepted but \"%s\" "
	    "not: %s", expr, e, crm_errdetail(rc));
	m = rc == 0 ? !crm_filter_match(&f, x->rec[i]) : -1;
	crm_filter_free(&f);
	free(e);
	return m;
}

static void
one_expr(struct fixture *x, const char *expr, struct crm_filter *all,
    int *allm, struct crm_rec *part)
{
	struct crm_filter f, g;
	const char *text;
	char *comp;
	size_t len, oplen = 0;
	int rc, rc2, i, m, m2, fld;
	int64_t now = fuzz_now();

	crm_filter_init(&f, x->ent);
	rc = crm_filter_add(&f, NULL, expr, now);
	FUZZ_CHECK(rc == 0 || rc == CRM_EUSAGE || rc == ENOMEM,
	    "crm_filter_add(\"%s\"): rc %d (%s)", expr, rc, crm_errdetail(rc));
	comp = complement(expr);
	if (rc == 0) {
		FUZZ_CHECK(f.n == 1, "one expression made %zu conditions", f.n);
		fld = crm_filter_indexable(&f, &text, &len);
		FUZZ_CHECK(fld >= -1 && fld < x->ent->nfields, "indexable "
		    "field %d", fld);
		if (fld >= 0)
			FUZZ_CHECK(text != NULL, "indexable without text");
		if (crm_filter_add(all, NULL, expr, now) != 0)
			abort();
	}
	if (comp != NULL && rc != ENOMEM) {
		crm_filter_init(&g, x->ent);
		rc2 = crm_filter_add(&g, NULL, comp, now);
		if (rc2 != ENOMEM)
			FUZZ_CHECK((rc == 0) == (rc2 == 0), "\"%s\" gives rc %d "
			    "but \"%s\" gives %d (%s)", expr, rc, comp, rc2,
			    crm_errdetail(rc ? rc : rc2));
		if (rc != 0 || rc2 != 0) {
			crm_filter_free(&g);
			free(comp);
			comp = NULL;
		}
	}
	if (rc != 0) {
		crm_filter_free(&f);
		free(comp);
		return;
	}
	for (i = 0; i < NREC; i++) {
		m = match(&f, x, i, part);
		allm[i] &= m;
		if (comp == NULL)
			continue;
		m2 = match(&g, x, i, part);
		FUZZ_CHECK(!(m && m2), "record %d of %s matches both \"%s\" "
		    "and \"%s\"", i, x->ent->name, expr, comp);
		if (*find_op(expr, &oplen) == '=' || *find_op(expr, &oplen) == '!')
			FUZZ_CHECK(m != m2, "record %d of %s matches neither "
			    "\"%s\" nor \"%s\"", i, x->ent->name, expr, comp);
		else if (!m && !m2)
			FUZZ_CHECK(present(x, expr, i) != 1, "record %d of %s "
			    "has the field but matches neither \"%s\" nor "
			    "\"%s\"", i, x->ent->name, expr, comp);
	}
	if (comp != NULL)
		crm_filter_free(&g);
	crm_filter_free(&f);
	free(comp);
}

static void
sorts(struct fixture *x, const char *spec)
{
	struct crm_sort s;
	int rc, i, j, k, ab, ba, builtin = 1;
	size_t q;

	rc = crm_sort_parse(&s, x->ent, spec);
	FUZZ_CHECK(rc == 0 || rc == CRM_EUSAGE, "crm_sort_parse(\"%s\"): "
	    "rc %d", spec, rc);
	if (rc != 0)
		return;
	FUZZ_CHECK(s.n <= 8, "%zu sort keys", s.n);
	for (q = 0; q < s.n; q++) {
		FUZZ_CHECK(s.field[q] >= -1 && s.field[q] < x->ent->nfields,
		    "sort field %d", s.field[q]);
		if (s.field[q] < 0) {
			FUZZ_CHECK(s.custom[q] != NULL, "custom key without a name");
			builtin = 0;
		}
	}
	for (i = 0; i < NREC; i++) {
		FUZZ_CHECK(crm_sort_cmp(&s, x->rec[i], x->rec[i]) == 0,
		    "\"%s\": record %d is not equal to itself", spec, i);
		for (j = 0; j < NREC; j++) {
			ab = crm_sort_cmp(&s, x->rec[i], x->rec[j]);
			ba = crm_sort_cmp(&s, x->rec[j], x->rec[i]);
			FUZZ_CHECK((ab > 0) - (ab < 0) == -((ba > 0) - (ba < 0)),
			    "\"%s\": records %d and %d compare %d and %d", spec,
			    i, j, ab, ba);
		}
	}
	if (!builtin && fuzz_known("value-cmp-order"))
		return;
	for (i = 0; i < NREC; i++)
		for (j = 0; j < NREC; j++)
			for (k = 0; k < NREC; k++)
				if (crm_sort_cmp(&s, x->rec[i], x->rec[j]) < 0 &&
				    crm_sort_cmp(&s, x->rec[j], x->rec[k]) < 0)
					FUZZ_CHECK(crm_sort_cmp(&s, x->rec[i],
					    x->rec[k]) < 0, "\"%s\": %d < %d < %d "
					    "but not %d < %d", spec, i, j, k, i, k);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int ready;
	struct crm_filter all[2];
	struct crm_rec *part[2];
	int allm[2][NREC], e, i, nlines = 0;
	char *text, *line, *nl;

	if (!ready) {
		fixtures();
		ready = 1;
	}
	/* A C string: crm_filter_add and crm_sort_parse take one. */
	text = malloc(size + 1);
	if (text == NULL)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	for (e = 0; e < 2; e++) {
		crm_filter_init(&all[e], fx[e].ent);
		part[e] = crm_rec_new(fx[e].ent);
		if (part[e] == NULL)
			abort();
		for (i = 0; i < NREC; i++)
			allm[e][i] = 1;
	}
	for (line = text; line != NULL && nlines < MAXLINES; nlines++) {
		nl = strchr(line, '\n');
		if (nl != NULL)
			*nl = '\0';
		for (e = 0; e < 2; e++) {
			one_expr(&fx[e], line, &all[e], allm[e], part[e]);
			sorts(&fx[e], line);
		}
		line = nl ? nl + 1 : NULL;
	}
	for (e = 0; e < 2; e++) {
		for (i = 0; i < NREC; i++) {
			int m = match(&all[e], &fx[e], i, part[e]);

			FUZZ_CHECK(m == allm[e][i], "record %d of %s: the %zu "
			    "conditions together match %d, one by one %d", i,
			    fx[e].ent->name, all[e].n, m, allm[e][i]);
		}
		crm_filter_free(&all[e]);
		crm_rec_free(part[e]);
	}
	crm_clearerr();
	free(text);
	return 0;
}
