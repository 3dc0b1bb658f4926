/*
 * filter.c — --where, --sort.  Operands are parsed once, at parse time,
 * into the field's type, so matching a million records does no parsing.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "error.h"
#include "filter.h"
#include "store.h"
#include "value.h"

struct operand {
	const char *s;		/* text (owned by the condition's copy) */
	size_t len;
	int64_t i;		/* numeric form when the field is numeric */
	int64_t money[4];	/* money at exponents 0..3 */
};

struct crm_cond {
	int field;		/* -1: custom */
	char *custom;		/* custom field name */
	size_t clen;
	enum crm_op op;
	int empty;		/* compare against the empty value */
	char *text;		/* owned copy of the value text */
	struct operand *vals;
	size_t nvals;
};

void
crm_filter_init(struct crm_filter *f, const struct crm_entity *e)
{
	f->ent = e;
	f->conds = NULL;
	f->n = 0;
}

void
crm_filter_free(struct crm_filter *f)
{
	size_t i;

	for (i = 0; i < f->n; i++) {
		free(f->conds[i].custom);
		free(f->conds[i].text);
		free(f->conds[i].vals);
	}
	free(f->conds);
	f->conds = NULL;
	f->n = 0;
}

static int
parse_operand(const struct crm_entity *e, int field, struct crm_txn *tx,
    struct operand *o, int64_t now)
{
	const struct crm_field *fd = &e->fields[field];
	uint64_t id;
	int rc = 0, b, x;

	switch (fd->type) {
	case CRM_T_INT:
		rc = crm_parse_i64(o->s, o->len, INT64_MIN, INT64_MAX, &o->i);
		break;
	case CRM_T_DATE:
		rc = crm_date_parse(o->s, o->len, now, &o->i);
		break;
	case CRM_T_TIME:
		rc = crm_time_parse(o->s, o->len, now, &o->i);
		break;
	case CRM_T_BOOL:
		rc = crm_bool_parse(o->s, o->len, &b);
		o->i = b;
		break;
	case CRM_T_MONEY:
		for (x = 0; x < 4 && rc == 0; x++)
			rc = crm_money_parse(o->s, o->len, x, &o->money[x]);
		if (rc != 0) {
			/* Too many decimals for small exponents is fine. */
			crm_clearerr();
			rc = crm_money_parse(o->s, o->len, 3, &o->money[3]);
			for (x = 0; x < 3 && rc == 0; x++)
				if (crm_money_parse(o->s, o->len, x,
				    &o->money[x]) != 0) {
					crm_clearerr();
					/* A value between units: never equal. */
					o->money[x] = INT64_MIN;
				}
		}
		break;
	case CRM_T_REF:
		if (tx == NULL) {
			rc = crm_parse_i64(o->s, o->len, 0, INT64_MAX, &o->i);
			break;
		}
		rc = crm_lookup(tx, crm_entity_find(fd->ref), o->s, o->len, &id);
		if (rc == CRM_ENOTFOUND) {
			crm_clearerr();
			o->i = -1;	/* matches nothing */
			rc = 0;
		} else
			o->i = (int64_t)id;
		break;
	default:
		break;
	}
	return rc;
}

int
crm_filter_add(struct crm_filter *f, struct crm_txn *tx, const char *expr,
    int64_t now)
{
	struct crm_cond c, *nc;
	const char *p, *name_end, *val;
	size_t nl, i;
	int rc = 0;

	memset(&c, 0, sizeof(c));
	for (p = expr; *p != '\0' && strchr("=!<>~", *p) == NULL; p++)
		;
	if (*p == '\0')
		return crm_seterr(CRM_EUSAGE,
		    "--where \"%s\": no operator (= != < <= > >= ~)", expr);
	name_end = p;
	switch (*p) {
	case '=': c.op = CRM_OP_EQ; p++; break;
	case '~': c.op = CRM_OP_MATCH; p++; break;
	case '!':
		if (p[1] != '=')
			return crm_seterr(CRM_EUSAGE,
			    "--where \"%s\": '!' must be followed by '='", expr);
		c.op = CRM_OP_NE;
		p += 2;
		break;
	case '<':
		c.op = p[1] == '=' ? CRM_OP_LE : CRM_OP_LT;
		p += p[1] == '=' ? 2 : 1;
		break;
	case '>':
		c.op = p[1] == '=' ? CRM_OP_GE : CRM_OP_GT;
		p += p[1] == '=' ? 2 : 1;
		break;
	}
	val = p;
	{
		const char *ns = expr;

		nl = (size_t)(name_end - expr);
		crm_trim(&ns, &nl);
		if (nl == 0)
			return crm_seterr(CRM_EUSAGE,
			    "--where \"%s\": no field name", expr);
		c.field = crm_field_find(f->ent, ns, nl);
		if (c.field < 0) {
			if (!crm_custom_name_ok(ns, nl))
				return crm_seterr(CRM_EUSAGE,
				    "--where \"%s\": bad field name", expr);
			c.custom = strndup(ns, nl);
			c.clen = nl;
			if (c.custom == NULL)
				return ENOMEM;
		}
	}
	c.text = strdup(val);
	if (c.text == NULL) {
		rc = ENOMEM;
		goto fail;
	}
	c.empty = c.text[strspn(c.text, " \t")] == '\0';
	if (c.empty && c.op != CRM_OP_EQ && c.op != CRM_OP_NE) {
		rc = crm_seterr(CRM_EUSAGE,
		    "--where \"%s\": an empty value needs = or !=", expr);
		goto fail;
	}
	if (!c.empty) {
		/* Split "a|b" into alternatives, only for = and !=. */
		size_t n = 1;
		char *q, *start;

		if (c.op == CRM_OP_EQ || c.op == CRM_OP_NE)
			for (q = c.text; *q != '\0'; q++)
				n += *q == '|';
		c.vals = calloc(n, sizeof(*c.vals));
		if (c.vals == NULL) {
			rc = ENOMEM;
			goto fail;
		}
		start = c.text;
		for (i = 0; i < n; i++) {
			q = n > 1 ? strchr(start, '|') : NULL;
			c.vals[i].s = start;
			c.vals[i].len = q ? (size_t)(q - start) : strlen(start);
			crm_trim(&c.vals[i].s, &c.vals[i].len);
			if (q)
				start = q + 1;
			if (c.field >= 0 && c.op != CRM_OP_MATCH) {
				rc = parse_operand(f->ent, c.field, tx, &c.vals[i], now);
				if (rc == CRM_EDATA) {
					char tmp[512];

					snprintf(tmp, sizeof(tmp), "%s",
					    crm_errdetail(CRM_EDATA));
					rc = crm_seterr(CRM_EUSAGE,
					    "--where \"%s\": %s", expr, tmp);
				}
				if (rc != 0)
					goto fail;
			}
		}
		c.nvals = n;
	}
	nc = realloc(f->conds, (f->n + 1) * sizeof(*nc));
	if (nc == NULL) {
		rc = ENOMEM;
		goto fail;
	}
	f->conds = nc;
	f->conds[f->n++] = c;
	return 0;
fail:
	free(c.custom);
	free(c.text);
	free(c.vals);
	return rc;
}

static int
lower_ascii(int c)
{
	return c >= 'A' && c <= 'Z' ? c + 32 : c;
}

static int
ci_contains(const char *h, size_t hl, const char *n, size_t nl)
{
	size_t i, k;
	int first;

	if (nl == 0)
		return 1;
	first = lower_ascii((unsigned char)n[0]);
	for (i = 0; i + nl <= hl; i++) {
		if (lower_ascii((unsigned char)h[i]) != first)
			continue;
		for (k = 1; k < nl; k++)
			if (lower_ascii((unsigned char)h[i + k]) !=
			    lower_ascii((unsigned char)n[k]))
				break;
		if (k == nl)
			return 1;
	}
	return 0;
}

static int
cmp_text(const char *a, size_t al, const char *b, size_t bl)
{
	int c = memcmp(a, b, al < bl ? al : bl);

	if (c != 0)
		return c;
	return al < bl ? -1 : al > bl;
}

static int
ordered(enum crm_op op, int c)
{
	switch (op) {
	case CRM_OP_LT: return c < 0;
	case CRM_OP_LE: return c <= 0;
	case CRM_OP_GT: return c > 0;
	case CRM_OP_GE: return c >= 0;
	case CRM_OP_EQ: return c == 0;
	case CRM_OP_NE: return c != 0;
	default: return 0;
	}
}

static int
match_one(const struct crm_cond *c, const struct crm_rec *r)
{
	const struct crm_field *fd = c->field >= 0 ? &r->ent->fields[c->field] :
	    NULL;
	const char *s = NULL;
	size_t len = 0, i;
	int64_t num = 0;
	int present, any = 0, exp = 2;
	struct crm_buf txt = CRM_BUF_INIT;

	if (fd == NULL) {
		const struct crm_custom *cu = crm_rec_custom(r, c->custom, c->clen);

		present = cu != NULL && cu->len > 0;
		if (present) {
			s = cu->s;
			len = cu->len;
		}
	} else {
		const struct crm_val *v = &r->v[c->field];

		present = v->state != CRM_V_EMPTY || c->field == CRM_FLD_ID;
		num = c->field == CRM_FLD_ID ? (int64_t)r->id : v->i;
		s = v->s;
		len = v->len;
		if (fd->type == CRM_T_MONEY)
			exp = crm_rec_exponent(r);
	}
	if (c->empty)
		return c->op == CRM_OP_EQ ? !present : present;
	if (!present)
		return c->op == CRM_OP_NE;
	if (c->op == CRM_OP_MATCH) {
		int hit;

		if (fd != NULL && crm_type_numeric(fd->type)) {
			if (crm_rec_text(r, c->field, &txt) != 0) {
				crm_buf_free(&txt);
				return 0;
			}
			s = txt.p;
			len = txt.len;
		}
		hit = ci_contains(s, len, c->vals[0].s, c->vals[0].len);
		crm_buf_free(&txt);
		return hit;
	}
	for (i = 0; i < c->nvals && !any; i++) {
		const struct operand *o = &c->vals[i];
		int cmp;

		if (fd != NULL && fd->type == CRM_T_TAGS &&
		    (c->op == CRM_OP_EQ || c->op == CRM_OP_NE)) {
			any = crm_tags_has(s, len, o->s, o->len);
			continue;
		}
		if (fd != NULL && fd->type == CRM_T_MONEY) {
			int64_t m = o->money[exp < 4 ? exp : 3];

			if (m == INT64_MIN) {
				/* Between the currency's units (1500.5 yen): compare
				 * at three places, in 128 bits so nothing overflows. */
				__int128 x = num, y = o->money[3];
				int k;

				if (c->op == CRM_OP_EQ || c->op == CRM_OP_NE)
					continue;
				for (k = exp; k < 3; k++)
					x *= 10;
				cmp = x < y ? -1 : x > y;
			} else
				cmp = num < m ? -1 : num > m;
		} else if (fd != NULL && crm_type_numeric(fd->type))
			cmp = num < o->i ? -1 : num > o->i;
		else if (fd != NULL && (fd->type == CRM_T_EMAIL ||
		    fd->type == CRM_T_ENUM))
			cmp = len == o->len ? strncasecmp(s, o->s, len) :
			    cmp_text(s, len, o->s, o->len);
		else if (fd != NULL && fd->type == CRM_T_PHONE &&
		    (c->op == CRM_OP_EQ || c->op == CRM_OP_NE))
			cmp = !crm_phone_equal(s, len, o->s, o->len);
		else if (fd == NULL)
			cmp = crm_value_cmp(s, len, o->s, o->len);
		else
			cmp = cmp_text(s, len, o->s, o->len);
		any = ordered(c->op == CRM_OP_NE ? CRM_OP_EQ : c->op, cmp);
	}
	return c->op == CRM_OP_NE ? !any : any;
}

void
crm_filter_fields(const struct crm_filter *f, uint64_t *mask, int *customs)
{
	size_t i;

	*mask = 1;	/* id */
	*customs = 0;
	for (i = 0; i < f->n; i++) {
		int fld = f->conds[i].field;

		if (fld < 0) {
			*customs = 1;
			continue;
		}
		*mask |= (uint64_t)1 << fld;
		if (f->ent->fields[fld].type == CRM_T_MONEY && f->ent->currency >= 0)
			*mask |= (uint64_t)1 << f->ent->currency;
	}
}

int
crm_filter_match(const struct crm_filter *f, const struct crm_rec *r)
{
	size_t i;

	for (i = 0; i < f->n; i++)
		if (!match_one(&f->conds[i], r))
			return 0;
	return 1;
}

int
crm_filter_indexable(const struct crm_filter *f, const char **text,
    size_t *len)
{
	size_t i;

	for (i = 0; i < f->n; i++) {
		const struct crm_cond *c = &f->conds[i];

		if (c->field < 0 || c->op != CRM_OP_EQ || c->empty ||
		    c->nvals != 1)
			continue;
		if (!(f->ent->fields[c->field].flags &
		    (CRM_F_UNIQUE | CRM_F_INDEX)))
			continue;
		*text = c->vals[0].s;
		*len = c->vals[0].len;
		if (f->ent->fields[c->field].type == CRM_T_REF) {
			/* The index holds resolved ids: hand over the id. */
			static _Thread_local char num[24];

			*len = (size_t)snprintf(num, sizeof(num), "%lld",
			    (long long)c->vals[0].i);
			*text = num;
		}
		return c->field;
	}
	return -1;
}

int
crm_sort_parse(struct crm_sort *s, const struct crm_entity *e,
    const char *spec)
{
	const char *p = spec, *comma;

	memset(s, 0, sizeof(*s));
	while (*p != '\0') {
		size_t len;
		int desc = 0;

		if (s->n == 8)
			return crm_seterr(CRM_EUSAGE, "--sort: at most 8 keys");
		if (*p == '-' || *p == '+') {
			desc = *p == '-';
			p++;
		}
		comma = strchr(p, ',');
		len = comma ? (size_t)(comma - p) : strlen(p);
		if (len == 0)
			return crm_seterr(CRM_EUSAGE, "--sort \"%s\": empty key",
			    spec);
		s->field[s->n] = crm_field_find(e, p, len);
		if (s->field[s->n] < 0) {
			if (!crm_custom_name_ok(p, len))
				return crm_seterr(CRM_EUSAGE,
				    "--sort \"%s\": bad field name", spec);
			s->custom[s->n] = p;	/* borrowed from spec */
		}
		s->desc[s->n] = desc;
		s->n++;
		p += len;
		if (*p == ',')
			p++;
	}
	return 0;
}

int
crm_sort_cmp(const struct crm_sort *s, const struct crm_rec *a,
    const struct crm_rec *b)
{
	size_t k;

	for (k = 0; k < s->n; k++) {
		const char *as = NULL, *bs = NULL;
		size_t al = 0, bl = 0;
		int c = 0, ae, be, f = s->field[k];

		if (f < 0) {
			const char *name = s->custom[k];
			size_t nl = strcspn(name, ",");
			const struct crm_custom *x = crm_rec_custom(a, name, nl);
			const struct crm_custom *y = crm_rec_custom(b, name, nl);

			ae = x == NULL || x->len == 0;
			be = y == NULL || y->len == 0;
			if (!ae) {
				as = x->s;
				al = x->len;
			}
			if (!be) {
				bs = y->s;
				bl = y->len;
			}
			if (!ae && !be)
				c = crm_value_cmp(as, al, bs, bl);
		} else {
			const struct crm_val *x = &a->v[f], *y = &b->v[f];

			ae = x->state == CRM_V_EMPTY && f != CRM_FLD_ID;
			be = y->state == CRM_V_EMPTY && f != CRM_FLD_ID;
			if (f == CRM_FLD_ID)
				c = a->id < b->id ? -1 : a->id > b->id;
			else if (!ae && !be && crm_type_numeric(a->ent->fields[f].type))
				c = x->i < y->i ? -1 : x->i > y->i;
			else if (!ae && !be)
				c = cmp_text(x->s, x->len, y->s, y->len);
		}
		if (ae != be)
			return ae ? 1 : -1;	/* empty last, either way */
		if (c != 0)
			return s->desc[k] ? -c : c;
	}
	return a->id < b->id ? -1 : a->id > b->id;
}
