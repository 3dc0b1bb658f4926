/*
 * record.c — records in memory, their text forms and their encoding.
 * Values are checked here, once, whatever the input path (options,
 * CSV, JSON, import), so every tool agrees on what is valid.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "error.h"
#include "record.h"
#include "utf8.h"
#include "value.h"

#define ENC_VERSION 1
#define MAX_TEXT (64 * 1024)	/* one field; larger is refused, not cut */
#define MAX_KEYTEXT 480		/* indexed text, under LMDB's 511-byte keys */

struct crm_arena_blk {
	struct crm_arena_blk *next;
	size_t used, cap;
	max_align_t data[];
};

void *
crm_rec_alloc(struct crm_rec *r, size_t n)
{
	struct crm_arena_blk *b = r->arena;
	size_t cap;
	void *p;

	n = (n + 15) & ~(size_t)15;
	if (b == NULL || b->cap - b->used < n) {
		cap = n > 4000 ? n : 4000;
		b = malloc(sizeof(*b) + cap);
		if (b == NULL)
			return NULL;
		b->next = r->arena;
		b->used = 0;
		b->cap = cap;
		r->arena = b;
	}
	p = (char *)b->data + b->used;
	b->used += n;
	return p;
}

char *
crm_rec_strdup(struct crm_rec *r, const char *s, size_t len)
{
	char *p = crm_rec_alloc(r, len + 1);

	if (p == NULL)
		return NULL;
	if (len > 0)
		memcpy(p, s, len);
	p[len] = '\0';
	return p;
}

struct crm_rec *
crm_rec_new(const struct crm_entity *e)
{
	struct crm_rec *r = calloc(1, sizeof(*r));

	if (r == NULL)
		return NULL;
	r->ent = e;
	r->v = calloc((size_t)e->nfields, sizeof(*r->v));
	if (r->v == NULL) {
		free(r);
		return NULL;
	}
	return r;
}

void
crm_rec_reset(struct crm_rec *r)
{
	struct crm_arena_blk *b, *next;

	memset(r->v, 0, (size_t)r->ent->nfields * sizeof(*r->v));
	r->ncust = 0;
	r->id = 0;
	r->prep = NULL;
	if (r->arena == NULL)
		return;
	/* Keep the newest block: most records fit in one. */
	for (b = r->arena->next; b != NULL; b = next) {
		next = b->next;
		free(b);
	}
	r->arena->next = NULL;
	r->arena->used = 0;
}

void
crm_rec_free(struct crm_rec *r)
{
	if (r == NULL)
		return;
	crm_rec_reset(r);
	crm_buf_free(&r->scratch);
	free(r->arena);
	free(r->cust);
	free(r->v);
	free(r);
}

int
crm_rec_copy(struct crm_rec *dst, const struct crm_rec *src)
{
	size_t i;
	int f;

	crm_rec_reset(dst);
	dst->id = src->id;
	for (f = 0; f < src->ent->nfields; f++) {
		dst->v[f] = src->v[f];
		if (src->v[f].s != NULL) {
			dst->v[f].s = crm_rec_strdup(dst, src->v[f].s, src->v[f].len);
			if (dst->v[f].s == NULL)
				return ENOMEM;
		}
	}
	for (i = 0; i < src->ncust; i++) {
		const struct crm_custom *c = &src->cust[i];
		int rc = 0;
		struct crm_custom *d;

		if (dst->ncust == dst->capcust) {
			size_t cap = dst->capcust ? dst->capcust * 2 : 8;
			void *p = realloc(dst->cust, cap * sizeof(*dst->cust));

			if (p == NULL)
				return ENOMEM;
			dst->cust = p;
			dst->capcust = cap;
		}
		d = &dst->cust[dst->ncust];
		d->name = crm_rec_strdup(dst, c->name, c->nlen);
		d->s = crm_rec_strdup(dst, c->s, c->len);
		if (d->name == NULL || d->s == NULL)
			rc = ENOMEM;
		if (rc != 0)
			return rc;
		d->nlen = c->nlen;
		d->len = c->len;
		dst->ncust++;
	}
	return 0;
}

/* Prefixes the detail of the last value error with the field's name. */
static int
field_err(const char *name, size_t nlen)
{
	char tmp[900];

	snprintf(tmp, sizeof(tmp), "%s", crm_errdetail(CRM_EDATA));
	return crm_seterr(CRM_EDATA, "field '%.*s': %s", (int)nlen, name, tmp);
}

static int
set_custom(struct crm_rec *r, const char *name, size_t nlen,
    const char *text, size_t len)
{
	struct crm_custom *c = NULL;
	size_t i;

	if (!crm_custom_name_ok(name, nlen))
		return crm_seterr(CRM_EDATA,
		    "field '%.*s': not a valid field name", (int)nlen, name);
	for (i = 0; i < r->ncust; i++)
		if (r->cust[i].nlen == nlen &&
		    memcmp(r->cust[i].name, name, nlen) == 0)
			c = &r->cust[i];
	if (c == NULL) {
		if (r->ncust == r->capcust) {
			size_t cap = r->capcust ? r->capcust * 2 : 8;
			void *p = realloc(r->cust, cap * sizeof(*r->cust));

			if (p == NULL)
				return ENOMEM;
			r->cust = p;
			r->capcust = cap;
		}
		c = &r->cust[r->ncust++];
		c->name = crm_rec_strdup(r, name, nlen);
		if (c->name == NULL) {
			r->ncust--;
			return ENOMEM;
		}
		c->nlen = (uint32_t)nlen;
	}
	/* An empty custom value is kept as empty: "field=" clears it. */
	c->s = crm_rec_strdup(r, text, len);
	if (c->s == NULL)
		return ENOMEM;
	c->len = (uint32_t)len;
	return 0;
}

const struct crm_custom *
crm_rec_custom(const struct crm_rec *r, const char *name, size_t nlen)
{
	size_t i;

	for (i = 0; i < r->ncust; i++)
		if (r->cust[i].nlen == nlen &&
		    memcmp(r->cust[i].name, name, nlen) == 0)
			return &r->cust[i];
	return NULL;
}

int
crm_tags_has(const char *tags, size_t len, const char *word, size_t wlen)
{
	const char *p = tags, *end = tags + len, *semi;

	while (p < end) {
		semi = memchr(p, ';', (size_t)(end - p));
		if (semi == NULL)
			semi = end;
		if ((size_t)(semi - p) == wlen && memcmp(p, word, wlen) == 0)
			return 1;
		p = semi + 1;
	}
	return 0;
}

/* Normalises a tag list: trimmed words, no empties, no repeats. */
static int
set_tags(struct crm_rec *r, int field, const char *text, size_t len, int ref)
{
	struct crm_buf b = r->scratch;	/* r's, lent and given back */
	const char *p = text, *end = text + len, *sep;
	int rc = 0;

	crm_buf_reset(&b);
	while (p < end && rc == 0) {
		const char *w;
		size_t wl;

		for (sep = p; sep < end && *sep != ';' && *sep != ','; sep++)
			;
		w = p;
		wl = (size_t)(sep - p);
		crm_trim(&w, &wl);
		if (wl > 0 && !crm_tags_has(b.p ? b.p : "", b.len, w, wl)) {
			if (b.len > 0)
				rc = crm_buf_addc(&b, ';');
			if (rc == 0)
				rc = crm_buf_add(&b, w, wl);
		}
		p = sep + 1;
	}
	if (rc == 0) {
		struct crm_val *v = &r->v[field];

		/* Most lists are in normal form already: kept as in setf. */
		v->state = b.len ? CRM_V_SET : CRM_V_EMPTY;
		v->s = b.len == 0 ? NULL : ref && b.len == len && text[len] == '\0' &&
		    memcmp(b.p, text, len) == 0 ? text :
		    crm_rec_strdup(r, b.p, b.len);
		v->len = (uint32_t)b.len;
		if (b.len && v->s == NULL)
			rc = ENOMEM;
	}
	r->scratch = b;
	return rc;
}

int
crm_rec_tag(struct crm_rec *r, int field, const char *word, size_t len,
    int add)
{
	struct crm_val *v = &r->v[field];
	struct crm_buf b = CRM_BUF_INIT;
	const char *p, *end, *semi;
	int has, rc = 0;

	crm_trim(&word, &len);
	if (len == 0 || memchr(word, ';', len) || memchr(word, ',', len) ||
	    crm_utf8_check(word, len, NULL) != 0)
		return crm_seterr(CRM_EDATA, "tag \"%.*s\": not a tag word",
		    (int)len, word);
	has = v->state == CRM_V_SET && crm_tags_has(v->s, v->len, word, len);
	if (has == add)
		return 0;
	if (add) {
		if (v->state == CRM_V_SET) {
			rc = crm_buf_add(&b, v->s, v->len);
			if (rc == 0)
				rc = crm_buf_addc(&b, ';');
		}
		if (rc == 0)
			rc = crm_buf_add(&b, word, len);
	} else {
		for (p = v->s, end = v->s + v->len; p < end && rc == 0;
		    p = semi + 1) {
			semi = memchr(p, ';', (size_t)(end - p));
			if (semi == NULL)
				semi = end;
			if ((size_t)(semi - p) == len && memcmp(p, word, len) == 0)
				continue;
			if (b.len > 0)
				rc = crm_buf_addc(&b, ';');
			if (rc == 0)
				rc = crm_buf_add(&b, p, (size_t)(semi - p));
		}
	}
	if (rc == 0)
		rc = set_tags(r, field, b.p ? b.p : "", b.len, 0);
	crm_buf_free(&b);
	return rc == 0 ? 1 : rc;
}

/* crm_rec_setf; ref: text may be kept by reference (see record.h). */
static int
setf(struct crm_rec *r, int field, const char *text, size_t len, int64_t now,
    int ref)
{
	const struct crm_field *f = &r->ent->fields[field];
	struct crm_val *v = &r->v[field];
	char cur[4];
	int64_t iv = 0;
	int rc = 0, b;
	size_t tlen = len;
	const char *t = text;

	/* Blanks around typed values are noise; free text keeps them (a
	 * quoted "  x  " in CSV means what it says), unless it is all blank. */
	crm_trim(&t, &tlen);
	if (tlen == 0) {
		memset(v, 0, sizeof(*v));
		return 0;
	}
	if (f->type != CRM_T_TEXT || (f->flags & (CRM_F_UNIQUE | CRM_F_INDEX))) {
		text = t;
		len = tlen;
	}
	if (len > MAX_TEXT)
		return crm_seterr(CRM_EDATA,
		    "field '%s': %zu bytes, more than the %d allowed", f->name,
		    len, MAX_TEXT);
	if ((f->flags & (CRM_F_UNIQUE | CRM_F_INDEX)) && f->type != CRM_T_TAGS &&
	    len > MAX_KEYTEXT)
		return crm_seterr(CRM_EDATA,
		    "field '%s': %zu bytes, more than the %d an indexed field "
		    "allows", f->name, len, MAX_KEYTEXT);
	switch (f->type) {
	/* Parsed aside: a refused value leaves the field as it was. */
	case CRM_T_INT:
		rc = crm_parse_i64(text, len,
		    f->min < f->max ? f->min : INT64_MIN,
		    f->min < f->max ? f->max : INT64_MAX, &iv);
		break;
	case CRM_T_DATE:
		rc = crm_date_parse(text, len, now, &iv);
		break;
	case CRM_T_TIME:
		rc = crm_time_parse(text, len, now, &iv);
		break;
	case CRM_T_BOOL:
		rc = crm_bool_parse(text, len, &b);
		iv = b;
		break;
	case CRM_T_ENUM: {
		const char *const *e;

		for (e = f->values; *e != NULL; e++)
			if (strlen(*e) == len && strncasecmp(*e, text, len) == 0)
				break;
		if (*e == NULL) {
			struct crm_buf list = CRM_BUF_INIT;

			for (e = f->values; *e != NULL && rc == 0; e++)
				rc = crm_buf_printf(&list, "%s%s",
				    e == f->values ? "" : ", ", *e);
			if (rc == 0)
				rc = crm_seterr(CRM_EDATA,
				    "field '%s': \"%.*s\": not one of %s",
				    f->name, (int)len, text, list.p);
			crm_buf_free(&list);
			return rc;
		}
		v->s = *e;	/* static, canonical spelling */
		v->len = (uint32_t)len;
		v->state = CRM_V_SET;
		return 0;
	}
	case CRM_T_TAGS:
		return set_tags(r, field, text, len, ref);
	/* Checked only: the value is kept as written. */
	case CRM_T_EMAIL:
		rc = crm_email_norm(NULL, text, len);
		break;
	case CRM_T_PHONE:
		rc = crm_phone_norm(NULL, text, len);
		break;
	case CRM_T_CURRENCY:
		rc = crm_currency_parse(text, len, cur);
		if (rc == 0) {
			text = cur;
			len = 3;
		}
		break;
	case CRM_T_MONEY:
	case CRM_T_REF:
	case CRM_T_TEXT:
		break;
	}
	if (rc != 0)
		return rc == CRM_EDATA ? field_err(f->name, strlen(f->name)) : rc;
	switch (f->type) {
	case CRM_T_INT:
	case CRM_T_DATE:
	case CRM_T_TIME:
	case CRM_T_BOOL:
		v->i = iv;
		v->s = NULL;
		v->len = 0;
		v->state = CRM_V_SET;
		return 0;
	default:
		break;
	}
	/* Stored as written: by reference when the caller allows it and the
	 * text ends there (values are NUL-terminated, as copies are). */
	v->s = ref && text[len] == '\0' && text != cur ? text :
	    crm_rec_strdup(r, text, len);
	if (v->s == NULL)
		return ENOMEM;
	v->len = (uint32_t)len;
	v->i = 0;
	v->state = f->type == CRM_T_MONEY || f->type == CRM_T_REF ?
	    CRM_V_PENDING : CRM_V_SET;
	return 0;
}

int
crm_rec_setf(struct crm_rec *r, int field, const char *text, size_t len,
    int64_t now)
{
	return setf(r, field, text, len, now, 0);
}

int
crm_rec_setf_ref(struct crm_rec *r, int field, const char *text, size_t len,
    int64_t now)
{
	return setf(r, field, text, len, now, 1);
}

int
crm_rec_set(struct crm_rec *r, const char *name, size_t nlen,
    const char *text, size_t len, int64_t now, int allow_system)
{
	int f = crm_field_find(r->ent, name, nlen);
	size_t bad;

	if (crm_utf8_check(text, len, &bad) != 0)
		return crm_seterr(CRM_EDATA,
		    "field '%.*s': invalid UTF-8 or NUL at byte %zu", (int)nlen,
		    name, bad + 1);

	if (f < 0)
		return set_custom(r, name, nlen, text, len);
	if ((r->ent->fields[f].flags & CRM_F_SYSTEM) && !allow_system)
		return crm_seterr(CRM_EDATA,
		    "field '%.*s': set by crm, cannot be changed", (int)nlen,
		    name);
	if (f == CRM_FLD_ID) {
		int64_t id;
		int rc;

		crm_trim(&text, &len);
		rc = crm_parse_i64(text, len, 1, INT64_MAX, &id);
		if (rc != 0)
			return field_err(name, nlen);
		r->id = (uint64_t)id;
		r->v[f].i = id;
		r->v[f].state = CRM_V_SET;
		return 0;
	}
	return crm_rec_setf(r, f, text, len, now);
}

int
crm_rec_same(const struct crm_rec *a, const struct crm_rec *b, int f)
{
	const struct crm_val *x = &a->v[f], *y = &b->v[f];

	if (x->state != y->state)
		return 0;
	if (x->state == CRM_V_EMPTY)
		return 1;
	if (x->state == CRM_V_SET && crm_type_numeric(a->ent->fields[f].type))
		return x->i == y->i;
	return x->len == y->len && (x->len == 0 ||
	    memcmp(x->s, y->s, x->len) == 0);
}

void
crm_rec_setint(struct crm_rec *r, int field, int64_t v)
{
	r->v[field].i = v;
	r->v[field].s = NULL;
	r->v[field].len = 0;
	r->v[field].state = CRM_V_SET;
	if (field == CRM_FLD_ID)
		r->id = (uint64_t)v;
}

int
crm_rec_exponent(const struct crm_rec *r)
{
	const struct crm_val *c;

	if (r->ent->currency < 0)
		return 2;
	c = &r->v[r->ent->currency];
	if (c->state != CRM_V_SET)
		return 2;
	return crm_currency_exponent(c->s, c->len);
}

int
crm_rec_finish_money(struct crm_rec *r)
{
	int f, exp;

	if (!crm_entity_has_type(r->ent, CRM_T_MONEY))
		return 0;
	exp = crm_rec_exponent(r);
	for (f = 0; f < r->ent->nfields; f++) {
		struct crm_val *v = &r->v[f];

		if (r->ent->fields[f].type != CRM_T_MONEY ||
		    v->state != CRM_V_PENDING)
			continue;
		if (crm_money_parse(v->s, v->len, exp, &v->i) != 0)
			return field_err(r->ent->fields[f].name,
			    strlen(r->ent->fields[f].name));
		v->s = NULL;
		v->len = 0;
		v->state = CRM_V_SET;
	}
	return 0;
}

int
crm_rec_text(const struct crm_rec *r, int field, struct crm_buf *out)
{
	const struct crm_field *f = &r->ent->fields[field];
	const struct crm_val *v = &r->v[field];

	if (field == CRM_FLD_ID)
		return r->id ? crm_int_format(out, (int64_t)r->id) : 0;
	if (v->state == CRM_V_EMPTY)
		return 0;
	if (v->state == CRM_V_PENDING)
		return crm_buf_add(out, v->s, v->len);
	switch (f->type) {
	case CRM_T_INT:
	case CRM_T_REF:
		return crm_int_format(out, v->i);
	case CRM_T_MONEY:
		return crm_money_format(out, v->i, crm_rec_exponent(r));
	case CRM_T_DATE:
		return crm_date_format(out, v->i);
	case CRM_T_TIME:
		return crm_time_format(out, v->i);
	case CRM_T_BOOL:
		return crm_buf_adds(out, v->i ? "yes" : "no");
	default:
		return crm_buf_add(out, v->s, v->len);
	}
}

/* ---- codec ---------------------------------------------------------- */

static int decode(struct crm_rec *r, uint64_t id, const void *data,
    size_t len, int copy, uint64_t mask, int customs);

static uint64_t
zigzag(int64_t v)
{
	return ((uint64_t)v << 1) ^ (uint64_t)(v >> 63);
}

static int64_t
unzigzag(uint64_t v)
{
	return (int64_t)(v >> 1) ^ -(int64_t)(v & 1);
}

static unsigned char *
put_str(unsigned char *w, const char *s, size_t len)
{
	w = crm_varint_put(w, len);
	if (len > 0)
		memcpy(w, s, len);
	return w + len;
}

/*
 * Appends fields [from, to) of r, then its custom fields if customs.
 * The room for all of it is made first, then written without a check
 * per byte: a load encodes every record it writes.
 */
static int
encode_range(const struct crm_rec *r, int from, int to, int customs,
    struct crm_buf *out)
{
	const struct crm_field *fields = r->ent->fields;
	size_t i, need = 0;
	unsigned char *w;
	int f, rc;

	for (f = from; f < to; f++) {
		const struct crm_val *v = &r->v[f];

		if (v->state == CRM_V_EMPTY)
			continue;
		if (v->state == CRM_V_PENDING)
			return crm_seterr(CRM_EINTERNAL,
			    "field '%s' encoded before it was resolved",
			    fields[f].name);
		switch (fields[f].type) {
		case CRM_T_INT:
		case CRM_T_MONEY:
		case CRM_T_DATE:
		case CRM_T_TIME:
		case CRM_T_BOOL:
		case CRM_T_REF:
			need += 20;	/* two varints */
			break;
		default:
			need += 20 + v->len;
			break;
		}
	}
	for (i = 0; customs && i < r->ncust; i++)
		need += 30 + r->cust[i].nlen + r->cust[i].len;
	rc = crm_buf_grow(out, need);
	if (rc != 0)
		return rc;
	w = (unsigned char *)out->p + out->len;
	for (f = from; f < to; f++) {
		const struct crm_val *v = &r->v[f];

		if (v->state == CRM_V_EMPTY)
			continue;
		w = crm_varint_put(w, (uint64_t)f + 1);
		switch (fields[f].type) {
		case CRM_T_INT:
		case CRM_T_MONEY:
		case CRM_T_DATE:
		case CRM_T_TIME:
			w = crm_varint_put(w, zigzag(v->i));
			break;
		case CRM_T_BOOL:
		case CRM_T_REF:
			w = crm_varint_put(w, (uint64_t)v->i);
			break;
		default:
			w = put_str(w, v->s, v->len);
			break;
		}
	}
	for (i = 0; customs && i < r->ncust; i++) {
		if (r->cust[i].len == 0)
			continue;	/* cleared */
		w = crm_varint_put(w, 0);
		w = put_str(w, r->cust[i].name, r->cust[i].nlen);
		w = put_str(w, r->cust[i].s, r->cust[i].len);
	}
	out->len = (size_t)(w - (unsigned char *)out->p);
	out->p[out->len] = '\0';
	return 0;
}

int
crm_rec_encode(const struct crm_rec *r, struct crm_buf *out)
{
	crm_buf_reset(out);
	return crm_buf_addc(out, ENC_VERSION) != 0 ? ENOMEM :
	    encode_range(r, 1, r->ent->nfields, 1, out);
}

int
crm_rec_encode_head(const struct crm_rec *r, int to, struct crm_buf *out)
{
	crm_buf_reset(out);
	return crm_buf_addc(out, ENC_VERSION) != 0 ? ENOMEM :
	    encode_range(r, 1, to, 0, out);
}

int
crm_rec_encode_tail(const struct crm_rec *r, int from, struct crm_buf *out)
{
	return encode_range(r, from, r->ent->nfields, 1, out);
}

/* Inline: a scan calls it for every text field of every record. */
static inline __attribute__((always_inline)) int
get_str(const unsigned char **p, const unsigned char *end, const char **s,
    uint32_t *len)
{
	uint64_t n;

	if (crm_varint_get(p, end, &n) != 0 || n > (uint64_t)(end - *p))
		return CRM_ECORRUPT;
	*s = (const char *)*p;
	*len = (uint32_t)n;
	*p += n;
	return 0;
}

int
crm_rec_decode(struct crm_rec *r, uint64_t id, const void *data, size_t len,
    int copy)
{
	return decode(r, id, data, len, copy, UINT64_MAX, 1);
}

int
crm_rec_decode_some(struct crm_rec *r, uint64_t id, const void *data,
    size_t len, uint64_t mask, int customs)
{
	return decode(r, id, data, len, CRM_DECODE_BORROW, mask, customs);
}

static int
decode(struct crm_rec *r, uint64_t id, const void *data, size_t len,
    int copy, uint64_t mask, int customs)
{
	const unsigned char *p = data, *end = p + len;
	uint64_t tag, n;
	int rc = 0;

	crm_rec_reset(r);
	r->id = id;
	r->v[CRM_FLD_ID].i = (int64_t)id;
	r->v[CRM_FLD_ID].state = CRM_V_SET;
	if (len < 1 || *p++ != ENC_VERSION)
		return CRM_ECORRUPT;
	while (p < end && rc == 0) {
		if (crm_varint_get(&p, end, &tag) != 0)
			return CRM_ECORRUPT;
		if (tag == 0) {
			const char *name, *s;
			uint32_t nl, sl;

			if (get_str(&p, end, &name, &nl) != 0 ||
			    get_str(&p, end, &s, &sl) != 0)
				return CRM_ECORRUPT;
			if (!customs)
				continue;
			if (r->ncust == r->capcust) {
				size_t cap = r->capcust ? r->capcust * 2 : 8;
				void *np = realloc(r->cust, cap * sizeof(*r->cust));

				if (np == NULL)
					return ENOMEM;
				r->cust = np;
				r->capcust = cap;
			}
			if (copy) {
				name = crm_rec_strdup(r, name, nl);
				s = crm_rec_strdup(r, s, sl);
				if (name == NULL || s == NULL)
					return ENOMEM;
			}
			r->cust[r->ncust].name = name;
			r->cust[r->ncust].nlen = nl;
			r->cust[r->ncust].s = s;
			r->cust[r->ncust].len = sl;
			r->ncust++;
			continue;
		}
		if (tag > (uint64_t)r->ent->nfields || tag == CRM_FLD_ID + 1)
			return CRM_ECORRUPT;	/* the id is the key, never encoded */
		if (tag <= 64 && !(mask & ((uint64_t)1 << (tag - 1)))) {
			/* Not wanted: step over the payload. */
			enum crm_type t = r->ent->fields[tag - 1].type;
			const char *s;
			uint32_t sl;

			if (t == CRM_T_INT || t == CRM_T_MONEY || t == CRM_T_DATE ||
			    t == CRM_T_TIME || t == CRM_T_BOOL || t == CRM_T_REF)
				rc = crm_varint_skip(&p, end);
			else
				rc = get_str(&p, end, &s, &sl);
			if (rc != 0)
				return CRM_ECORRUPT;
			continue;
		}
		{
			int f = (int)tag - 1;
			struct crm_val *v = &r->v[f];

			switch (r->ent->fields[f].type) {
			case CRM_T_INT:
			case CRM_T_MONEY:
			case CRM_T_DATE:
			case CRM_T_TIME:
				rc = crm_varint_get(&p, end, &n);
				v->i = unzigzag(n);
				/* Never stored by crm: damage, not a date. */
				if (rc == 0 && ((r->ent->fields[f].type == CRM_T_DATE &&
				    (v->i < CRM_MIN_DAYS || v->i > CRM_MAX_DAYS)) ||
				    (r->ent->fields[f].type == CRM_T_TIME &&
				    (v->i < (int64_t)CRM_MIN_DAYS * 86400 ||
				    v->i >= ((int64_t)CRM_MAX_DAYS + 1) * 86400))))
					rc = CRM_ECORRUPT;
				break;
			case CRM_T_BOOL:
			case CRM_T_REF:
				rc = crm_varint_get(&p, end, &n);
				v->i = (int64_t)n;
				break;
			case CRM_T_ENUM: {
				const char *const *e;

				rc = get_str(&p, end, &v->s, &v->len);
				/* Point at the static spelling: never borrowed. */
				for (e = r->ent->fields[f].values; rc == 0 && *e; e++)
					if (strlen(*e) == v->len &&
					    memcmp(*e, v->s, v->len) == 0) {
						v->s = *e;
						break;
					}
				if (rc == 0 && *e == NULL)
					rc = CRM_ECORRUPT;
				break;
			}
			default:
				rc = get_str(&p, end, &v->s, &v->len);
				if (rc == 0 && copy) {
					v->s = crm_rec_strdup(r, v->s, v->len);
					if (v->s == NULL)
						rc = ENOMEM;
				}
				break;
			}
			if (rc != 0)
				return rc == ENOMEM ? rc : CRM_ECORRUPT;
			v->state = CRM_V_SET;
		}
	}
	return rc;
}
