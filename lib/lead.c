/*
 * lead.c — scoring, grading, routing, qualification and conversion of
 * leads (see lead.h for the rules).  The rule tables are small: they
 * are kept as JSON in settings and read whole by each command; a
 * condition is a --where expression compiled by lib/filter.c, so rules
 * and selections mean the same thing.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <cJSON.h>

#include "customer.h"
#include "audit.h"
#include "error.h"
#include "filter.h"
#include "lead.h"
#include "store.h"
#include "utf8.h"
#include "value.h"

/* The key of the scorer a transaction keeps (crm_memo_get). */
static const char scorer_memo;

#define FLD(e, name) crm_field_find((e), (name), strlen(name))
#define E_LEAD (crm_entity_find("lead"))

/* True when v holds exactly the text s. */
static int
val_is(const struct crm_val *v, const char *s)
{
	return v->state == CRM_V_SET && v->len == strlen(s) &&
	    memcmp(v->s, s, v->len) == 0;
}

static int
lead_open(const struct crm_rec *lead)
{
	const struct crm_val *st = &lead->v[FLD(lead->ent, "status")];

	return !val_is(st, "converted") && !val_is(st, "disqualified");
}

/* ---- conditions ---------------------------------------------------------- */

/*
 * A rule's condition: a --where expression on lead fields, or on
 * last_activity, which is the `at` of the lead's latest activity and is
 * tested on that activity (on an empty one when it has none, so
 * `last_activity=` means "never").
 */
struct cond {
	struct crm_filter flt;	/* no conditions: always met */
	int activity;
	char *field;		/* the field it reads, for --explain */
};

#define LAST_ACTIVITY "last_activity"

static void
cond_free(struct cond *c)
{
	crm_filter_free(&c->flt);
	free(c->field);
	c->field = NULL;
}

static int
cond_compile(struct crm_txn *tx, const char *when, struct cond *c)
{
	const struct crm_entity *e = E_LEAD;
	struct crm_buf expr = CRM_BUF_INIT;
	const char *name = when;
	size_t nl, skip;
	int rc;

	memset(c, 0, sizeof(*c));
	crm_filter_init(&c->flt, e);
	if (when == NULL || when[strspn(when, " \t")] == '\0')
		return 0;
	nl = strcspn(when, "=!<>~");
	crm_trim(&name, &nl);
	c->field = strndup(name, nl);
	if (c->field == NULL)
		return ENOMEM;
	if (strcmp(c->field, LAST_ACTIVITY) == 0) {
		c->activity = 1;
		crm_filter_init(&c->flt, crm_entity_find("activity"));
		rc = crm_buf_printf(&expr, "at%s", when + strcspn(when, "=!<>~"));
	} else
		rc = crm_buf_adds(&expr, when);
	if (rc == 0)
		rc = crm_filter_add(&c->flt, tx, expr.p, tx->now);
	if (rc == CRM_EUSAGE) {
		/* Said of the rule's field, not of an option. */
		char tmp[600];
		const char *d = crm_errdetail(rc);

		skip = strlen("--where \"") + expr.len + strlen("\": ");
		if (strncmp(d, "--where \"", 9) == 0 && strlen(d) > skip)
			d += skip;
		snprintf(tmp, sizeof(tmp), "%s", d);
		rc = crm_seterr(CRM_EDATA, "field 'when': \"%s\": %s", when, tmp);
	}
	crm_buf_free(&expr);
	if (rc != 0)
		cond_free(c);
	return rc;
}

/* The lead's latest activity (by `at`, else created_at) into act, or
 * act emptied when it has none. */
static int
latest_activity(struct crm_txn *tx, const struct crm_rec *lead,
    struct crm_rec *act)
{
	const struct crm_entity *ae = act->ent;
	int f_at = FLD(ae, "at");
	struct crm_iter *it = NULL;
	struct crm_rec *r;
	char num[24];
	int64_t best = INT64_MIN;
	uint64_t id;
	int rc;

	crm_rec_reset(act);
	if (lead->id == 0)
		return 0;	/* not stored yet: nothing refers to it */
	r = crm_rec_new(ae);
	if (r == NULL)
		return ENOMEM;
	snprintf(num, sizeof(num), "%llu", (unsigned long long)lead->id);
	rc = crm_iter_index(tx, ae, FLD(ae, "lead"), num, strlen(num), &it);
	while (rc == 0 && (rc = crm_iter_next(it, &id, NULL, NULL)) == 0) {
		int64_t t;

		rc = crm_fetch(tx, r, id);
		if (rc != 0)
			break;
		t = r->v[f_at].state == CRM_V_SET ? r->v[f_at].i :
		    r->v[CRM_FLD_CREATED].i;
		if (t > best) {
			best = t;
			rc = crm_rec_copy(act, r);
		}
	}
	if (rc == CRM_ENOTFOUND)
		rc = 0;
	crm_iter_free(it);
	crm_rec_free(r);
	return rc;
}

/* Whether lead (or act, its latest activity) meets c; with value, the
 * text of the field c reads. */
static int
cond_met(const struct cond *c, const struct crm_rec *lead,
    const struct crm_rec *act, struct crm_buf *value)
{
	const struct crm_rec *r = c->activity ? act : lead;
	int f, rc = 0;

	if (value != NULL && c->field != NULL) {
		crm_buf_reset(value);
		f = c->activity ? FLD(r->ent, "at") : FLD(r->ent, c->field);
		if (f >= 0)
			rc = crm_rec_text(r, f, value);
		else {
			const struct crm_custom *cu = crm_rec_custom(r, c->field,
			    strlen(c->field));

			if (cu != NULL)
				rc = crm_buf_add(value, cu->s, cu->len);
		}
	}
	if (rc != 0)
		return -rc;
	return crm_filter_match(&c->flt, r);
}

/* ---- rule tables ----------------------------------------------------------- */

struct crm_ltable_spec {
	const char *what;		/* "scoring rule" */
	const char *setting;
	const char *const *cols;
	const enum crm_kind *kinds;
	size_t ncols;
	int listcol;			/* a ';'-list column, or -1 */
	const char *const *dflt;	/* default cells, row by row; NULL */
	size_t ndflt;			/* default rows */
	int (*check)(struct crm_txn *, const struct crm_ltable *, size_t);
	int need_rows;
};

static int check_scoring(struct crm_txn *, const struct crm_ltable *, size_t);
static int check_grades(struct crm_txn *, const struct crm_ltable *, size_t);
static int check_routing(struct crm_txn *, const struct crm_ltable *, size_t);

static const char *const scoring_cols[] = { "name", "when", "points" };
static const enum crm_kind scoring_kinds[] = { CRM_K_STR, CRM_K_STR,
	CRM_K_NUM };
static const char *const scoring_dflt[] = {
	"has e-mail", "email!=", "10",
	"has phone", "phone!=", "5",
	"has company", "company!=", "10",
	"referral", "source=referral", "20",
	"web", "source=web", "10",
	"campaign", "campaign!=", "10",
	"recent activity", "last_activity>=-14d", "15",
};

static const char *const grade_cols[] = { "grade", "min" };
static const enum crm_kind grade_kinds[] = { CRM_K_STR, CRM_K_NUM };
static const char *const grade_dflt[] = { "A", "50", "B", "25", "C", NULL };

/* `last` is printed, not stored: the rotation lives apart. */
static const char *const routing_cols[] = { "name", "when", "team", "cap",
	"last" };
static const enum crm_kind routing_kinds[] = { CRM_K_STR, CRM_K_STR,
	CRM_K_TAGS, CRM_K_NUM, CRM_K_STR };

const struct crm_ltable_spec crm_lead_scoring = { "scoring rule",
	"lead.scoring", scoring_cols, scoring_kinds, 3, -1, scoring_dflt,
	sizeof(scoring_dflt) / sizeof(scoring_dflt[0]) / 3, check_scoring, 0 };
const struct crm_ltable_spec crm_lead_grades = { "grade", "lead.grades",
	grade_cols, grade_kinds, 2, -1, grade_dflt, 3, check_grades, 1 };
const struct crm_ltable_spec crm_lead_routing = { "routing rule",
	"lead.routing", routing_cols, routing_kinds, 4, 2, NULL, 0,
	check_routing, 0 };

#define ROUTING_LAST "lead.routing.last."
#define MAX_NAME 128	/* bytes of a rule's name */

void
crm_ltable_init(struct crm_ltable *t, const struct crm_ltable_spec *spec)
{
	memset(t, 0, sizeof(*t));
	t->spec = spec;
	t->ncols = spec->ncols;
}

size_t
crm_ltable_columns(const struct crm_ltable_spec *spec,
    const char *const **names, const enum crm_kind **kinds)
{
	*names = spec->cols;
	*kinds = spec->kinds;
	return spec == &crm_lead_routing ? spec->ncols + 1 : spec->ncols;
}

const char *
crm_ltable_what(const struct crm_ltable_spec *spec)
{
	return spec->what;
}

void
crm_ltable_free(struct crm_ltable *t)
{
	size_t i;

	for (i = 0; t->cells != NULL && i < t->nrows * t->ncols; i++)
		free(t->cells[i]);
	free(t->cells);
	t->cells = NULL;
	t->nrows = 0;
}

const char *
crm_ltable_cell(const struct crm_ltable *t, size_t r, size_t c)
{
	return t->cells[r * t->ncols + c];
}

static int
add_row(struct crm_ltable *t)
{
	char **p = realloc(t->cells, (t->nrows + 1) * t->ncols * sizeof(*p));

	if (p == NULL)
		return ENOMEM;
	t->cells = p;
	memset(p + t->nrows * t->ncols, 0, t->ncols * sizeof(*p));
	t->nrows++;
	return 0;
}

/* Sets a cell from text: trimmed; a list column becomes "a;b" from
 * "a, b" or "a;b"; empty text empties it. */
static int
set_cell(struct crm_ltable *t, size_t r, size_t c, const char *s, size_t len)
{
	struct crm_buf b = CRM_BUF_INIT;
	char **cell = &t->cells[r * t->ncols + c];
	int rc = 0;

	crm_trim(&s, &len);
	if ((int)c == t->spec->listcol) {
		const char *p = s, *end = s + len;

		while (p < end && rc == 0) {
			const char *q = p;
			size_t n;

			while (q < end && *q != ';' && *q != ',')
				q++;
			n = (size_t)(q - p);
			crm_trim(&p, &n);
			if (n > 0)
				rc = crm_buf_printf(&b, "%s%.*s", b.len ? ";" : "",
				    (int)n, p);
			p = q + 1;
		}
	} else
		rc = crm_buf_add(&b, s, len);
	if (rc != 0) {
		crm_buf_free(&b);
		return rc;
	}
	free(*cell);
	*cell = b.len > 0 ? b.p : NULL;
	if (b.len == 0)
		crm_buf_free(&b);
	return 0;
}

static int
load_defaults(struct crm_ltable *t)
{
	size_t r, c;
	int rc = 0;

	for (r = 0; r < t->spec->ndflt && rc == 0; r++) {
		rc = add_row(t);
		for (c = 0; c < t->ncols && rc == 0; c++) {
			const char *v = t->spec->dflt[r * t->ncols + c];

			if (v != NULL)
				rc = set_cell(t, r, c, v, strlen(v));
		}
	}
	return rc;
}

int
crm_ltable_load(struct crm_txn *tx, const struct crm_ltable_spec *spec,
    struct crm_ltable *t)
{
	struct crm_buf b = CRM_BUF_INIT;
	cJSON *arr = NULL, *row;
	size_t c;
	int rc;

	crm_ltable_init(t, spec);
	rc = crm_setting_get(tx, spec->setting, &b);
	if (rc == CRM_ENOTFOUND || (rc == 0 && b.len == 0)) {
		crm_buf_free(&b);
		return load_defaults(t);
	}
	if (rc != 0)
		goto done;
	arr = cJSON_ParseWithLength(b.p, b.len);
	if (!cJSON_IsArray(arr)) {
		rc = crm_seterr(CRM_ECORRUPT, "setting %s: not a JSON array",
		    spec->setting);
		goto done;
	}
	cJSON_ArrayForEach(row, arr) {
		rc = add_row(t);
		for (c = 0; c < t->ncols && rc == 0; c++) {
			cJSON *v = cJSON_GetObjectItemCaseSensitive(row,
			    spec->cols[c]);

			if (cJSON_IsString(v))
				rc = set_cell(t, t->nrows - 1, c, v->valuestring,
				    strlen(v->valuestring));
		}
		if (rc != 0)
			break;
	}
done:
	if (rc != 0)
		crm_ltable_free(t);
	cJSON_Delete(arr);
	crm_buf_free(&b);
	return rc;
}

/* Says which rule a data error is about. */
static int
of_rule(int rc, const struct crm_ltable_spec *spec, const char *name)
{
	char tmp[700];

	if (rc != CRM_EDATA)
		return rc;
	snprintf(tmp, sizeof(tmp), "%s", crm_errdetail(rc));
	return crm_seterr(rc, "%s '%s': %s", spec->what, name, tmp);
}

int
crm_ltable_store(struct crm_txn *tx, const struct crm_ltable *t)
{
	const struct crm_ltable_spec *spec = t->spec;
	cJSON *arr = NULL, *row;
	char *text = NULL;
	size_t r, q, c;
	int rc = 0;

	if (spec->need_rows && t->nrows == 0)
		return crm_seterr(CRM_EDATA, "no %ss: give at least one",
		    spec->what);
	for (r = 0; r < t->nrows && rc == 0; r++) {
		const char *name = crm_ltable_cell(t, r, 0);

		if (name == NULL)
			return crm_seterr(CRM_EDATA, "%s %zu: field '%s': required",
			    spec->what, r + 1, spec->cols[0]);
		/* Names are keys of settings (the turn of a routing rule). */
		if (strlen(name) > MAX_NAME ||
		    crm_utf8_check(name, strlen(name), NULL) != 0)
			return crm_seterr(CRM_EDATA, "%s %s: not a name (invalid "
			    "UTF-8, or more than %d bytes)", spec->what,
			    spec->cols[0], MAX_NAME);
		for (c = 1; c < t->ncols; c++) {
			const char *v = crm_ltable_cell(t, r, c);

			if (v != NULL && crm_utf8_check(v, strlen(v), NULL) != 0)
				return crm_seterr(CRM_EDATA, "%s '%s': field '%s': "
				    "invalid UTF-8", spec->what, name,
				    spec->cols[c]);
		}
		for (q = 0; q < r; q++)
			if (strcmp(crm_ltable_cell(t, q, 0), name) == 0)
				return crm_seterr(CRM_EDATA,
				    "%s '%s': given twice", spec->what, name);
		rc = of_rule(spec->check(tx, t, r), spec, name);
	}
	if (rc != 0)
		return rc;
	arr = cJSON_CreateArray();
	for (r = 0; r < t->nrows && arr != NULL; r++) {
		row = cJSON_CreateObject();
		if (row == NULL || !cJSON_AddItemToArray(arr, row)) {
			cJSON_Delete(row);
			rc = ENOMEM;
			break;
		}
		for (c = 0; c < t->ncols && rc == 0; c++) {
			const char *v = crm_ltable_cell(t, r, c);

			if (v != NULL && cJSON_AddStringToObject(row, spec->cols[c],
			    v) == NULL)
				rc = ENOMEM;
		}
	}
	if (rc == 0 && arr != NULL)
		text = cJSON_PrintUnformatted(arr);
	if (rc == 0 && text == NULL)
		rc = ENOMEM;
	if (rc == 0)	/* the change drops the scorer made from the old */
		rc = crm_setting_change(tx, spec->setting, text);
	cJSON_free(text);
	cJSON_Delete(arr);
	return rc;
}

int
crm_ltable_reset(struct crm_txn *tx, const struct crm_ltable_spec *spec)
{
	/* An empty value reads as "not stored"; the change drops the scorer. */
	return crm_setting_change(tx, spec->setting, "");
}

int
crm_ltable_upsert(struct crm_ltable *t, const char *const *vals)
{
	const char *name = vals[0];
	size_t r, c, nl = name != NULL ? strlen(name) : 0;
	int rc = 0;

	if (name != NULL)
		crm_trim(&name, &nl);
	if (nl == 0)
		return crm_seterr(CRM_EUSAGE, "a %s needs a name",
		    t->spec->what);
	for (r = 0; r < t->nrows; r++)
		if (strlen(crm_ltable_cell(t, r, 0)) == nl &&
		    memcmp(crm_ltable_cell(t, r, 0), name, nl) == 0)
			break;
	if (r == t->nrows)
		return crm_ltable_append(t, vals);
	for (c = 0; c < t->ncols && rc == 0; c++)
		if (vals[c] != NULL)
			rc = set_cell(t, r, c, vals[c], strlen(vals[c]));
	return rc;
}

int
crm_ltable_append(struct crm_ltable *t, const char *const *vals)
{
	size_t c;
	int rc;

	rc = add_row(t);
	for (c = 0; c < t->ncols && rc == 0; c++)
		if (vals[c] != NULL)
			rc = set_cell(t, t->nrows - 1, c, vals[c], strlen(vals[c]));
	return rc;
}

int
crm_ltable_remove(struct crm_ltable *t, const char *name)
{
	size_t r, c;

	for (r = 0; r < t->nrows; r++)
		if (strcmp(crm_ltable_cell(t, r, 0), name) == 0)
			break;
	if (r == t->nrows)
		return crm_seterr(CRM_ENOTFOUND, "%s '%s': not found",
		    t->spec->what, name);
	for (c = 0; c < t->ncols; c++)
		free(t->cells[r * t->ncols + c]);
	memmove(&t->cells[r * t->ncols], &t->cells[(r + 1) * t->ncols],
	    (t->nrows - r - 1) * t->ncols * sizeof(*t->cells));
	t->nrows--;
	return 0;
}

int
crm_ltable_read(struct crm_ltable *t, struct crm_reader *rd,
    const char *input)
{
	const struct crm_ltable_spec *spec = t->spec;
	const struct crm_row *row;
	struct crm_buf cols = CRM_BUF_INIT;
	size_t i, c, nprint;
	const char *const *names;
	const enum crm_kind *kinds;
	int rc;

	crm_ltable_free(t);
	nprint = crm_ltable_columns(spec, &names, &kinds);
	while ((rc = crm_reader_next(rd, &row)) == 0) {
		rc = add_row(t);
		for (i = 0; i < row->n && rc == 0; i++) {
			for (c = 0; c < nprint; c++)
				if (strcmp(row->keys[i], names[c]) == 0)
					break;
			if (c == nprint) {
				for (c = 0; c < spec->ncols && rc == 0; c++)
					rc = crm_buf_printf(&cols, "%s%s",
					    c ? ", " : "", names[c]);
				if (rc == 0)
					rc = crm_seterr(CRM_EDATA,
					    "%s:%zu: no column '%s' in %ss (%s)",
					    input, row->line, row->keys[i],
					    spec->what, cols.p);
			} else if (c < spec->ncols)
				rc = set_cell(t, t->nrows - 1, c, row->vals[i],
				    row->lens[i]);
		}
		if (rc != 0)
			break;
	}
	crm_buf_free(&cols);
	if (rc == CRM_ENOTFOUND)
		return 0;
	if (rc == CRM_EDATA && strncmp(crm_errdetail(rc), input,
	    strlen(input)) != 0) {
		char tmp[700];

		snprintf(tmp, sizeof(tmp), "%s", crm_errdetail(rc));
		rc = crm_seterr(rc, "%s:%zu: %s", input, crm_reader_line(rd), tmp);
	}
	return rc;
}

int
crm_ltable_print(struct crm_txn *tx, const struct crm_ltable *t,
    struct crm_out *out)
{
	const char *const *names;
	const enum crm_kind *kinds;
	const char *vals[8];
	size_t lens[8], n, r, c;
	struct crm_buf key = CRM_BUF_INIT, last = CRM_BUF_INIT;
	int rc;

	n = crm_ltable_columns(t->spec, &names, &kinds);
	rc = crm_out_columns(out, names, kinds, n);
	for (r = 0; r < t->nrows && rc == 0; r++) {
		for (c = 0; c < t->ncols; c++) {
			vals[c] = crm_ltable_cell(t, r, c);
			lens[c] = vals[c] ? strlen(vals[c]) : 0;
		}
		if (n > t->ncols) {
			crm_buf_reset(&key);
			crm_buf_reset(&last);
			rc = crm_buf_printf(&key, ROUTING_LAST "%s", vals[0]);
			if (rc == 0)
				rc = crm_setting_get(tx, key.p, &last);
			if (rc == CRM_ENOTFOUND)
				rc = 0;
			vals[c] = last.p;
			lens[c] = last.len;
		}
		if (rc == 0)
			rc = crm_out_row(out, vals, lens);
	}
	if (rc == 0)
		rc = crm_out_end(out);
	crm_buf_free(&key);
	crm_buf_free(&last);
	return rc;
}

/* An integer cell within [lo, hi], or empty when it may be. */
static int
int_cell(const struct crm_ltable *t, size_t r, size_t c, int64_t lo,
    int64_t hi, int required, int64_t *out)
{
	const char *v = crm_ltable_cell(t, r, c);

	if (v == NULL) {
		if (required)
			return crm_seterr(CRM_EDATA, "field '%s': required",
			    t->spec->cols[c]);
		return CRM_ENOTFOUND;
	}
	if (crm_parse_i64(v, strlen(v), lo, hi, out) != 0)
		return crm_seterr(CRM_EDATA,
		    "field '%s': \"%s\": not a whole number from %lld to %lld",
		    t->spec->cols[c], v, (long long)lo, (long long)hi);
	return 0;
}

static int
check_when(struct crm_txn *tx, const char *when)
{
	struct cond c;
	int rc;

	rc = cond_compile(tx, when, &c);
	if (rc == 0)
		cond_free(&c);
	return rc;
}

#define MAX_POINTS 1000000

static int
check_scoring(struct crm_txn *tx, const struct crm_ltable *t, size_t r)
{
	int64_t x;
	int rc;

	rc = check_when(tx, crm_ltable_cell(t, r, 1));
	if (rc == 0)
		rc = int_cell(t, r, 2, -MAX_POINTS, MAX_POINTS, 1, &x);
	return rc;
}

static int
check_grades(struct crm_txn *tx, const struct crm_ltable *t, size_t r)
{
	int64_t x;
	int rc;

	(void)tx;
	rc = int_cell(t, r, 1, -MAX_POINTS * 100, MAX_POINTS * 100, 0, &x);
	return rc == CRM_ENOTFOUND ? 0 : rc;
}

static int
check_routing(struct crm_txn *tx, const struct crm_ltable *t, size_t r)
{
	int64_t x;
	int rc;

	rc = check_when(tx, crm_ltable_cell(t, r, 1));
	if (rc == 0 && crm_ltable_cell(t, r, 2) == NULL)
		rc = crm_seterr(CRM_EDATA, "field 'team': required: the owners "
		    "to assign to, ';'-separated");
	if (rc == 0) {
		rc = int_cell(t, r, 3, 0, INT32_MAX, 0, &x);
		if (rc == CRM_ENOTFOUND)
			rc = 0;
	}
	return rc;
}

/* ---- scoring --------------------------------------------------------------- */

struct grade {
	const char *name;
	int64_t min;
};

struct crm_scorer {
	struct crm_ltable rules, grades;
	struct cond *conds;
	int64_t *points;
	struct grade *g;	/* highest min first; the floor last */
	size_t n, ng;
	int activity;		/* some rule reads last_activity */
	struct crm_rec *act;
	struct crm_buf value;
};

static void
scorer_free(void *s)
{
	crm_scorer_free(s);
}

void
crm_scorer_free(struct crm_scorer *s)
{
	size_t i;

	if (s == NULL)
		return;
	for (i = 0; s->conds != NULL && i < s->n; i++)
		cond_free(&s->conds[i]);
	free(s->conds);
	free(s->points);
	free(s->g);
	crm_ltable_free(&s->rules);
	crm_ltable_free(&s->grades);
	crm_rec_free(s->act);
	crm_buf_free(&s->value);
	free(s);
}

static int
cmp_grade(const void *a, const void *b)
{
	const struct grade *x = a, *y = b;

	return x->min < y->min ? 1 : x->min > y->min ? -1 : 0;
}

int
crm_scorer_open(struct crm_txn *tx, struct crm_scorer **out)
{
	struct crm_scorer *s;
	size_t i;
	int rc;

	*out = NULL;
	s = calloc(1, sizeof(*s));
	if (s == NULL)
		return ENOMEM;
	rc = crm_ltable_load(tx, &crm_lead_scoring, &s->rules);
	if (rc == 0)
		rc = crm_ltable_load(tx, &crm_lead_grades, &s->grades);
	if (rc != 0)
		goto done;
	s->conds = calloc(s->rules.nrows + 1, sizeof(*s->conds));
	s->points = calloc(s->rules.nrows + 1, sizeof(*s->points));
	s->g = calloc(s->grades.nrows + 1, sizeof(*s->g));
	s->act = crm_rec_new(crm_entity_find("activity"));
	if (s->conds == NULL || s->points == NULL || s->g == NULL ||
	    s->act == NULL) {
		rc = ENOMEM;
		goto done;
	}
	for (i = 0; i < s->rules.nrows && rc == 0; i++) {
		const char *p = crm_ltable_cell(&s->rules, i, 2);

		rc = cond_compile(tx, crm_ltable_cell(&s->rules, i, 1),
		    &s->conds[i]);
		if (rc != 0) {
			rc = of_rule(rc, &crm_lead_scoring,
			    crm_ltable_cell(&s->rules, i, 0));
			break;
		}
		s->n++;
		s->activity |= s->conds[i].activity;
		if (p == NULL || crm_parse_i64(p, strlen(p), -MAX_POINTS,
		    MAX_POINTS, &s->points[i]) != 0)
			rc = crm_seterr(CRM_ECORRUPT, "scoring rule '%s': bad points",
			    crm_ltable_cell(&s->rules, i, 0));
	}
	for (i = 0; i < s->grades.nrows && rc == 0; i++) {
		const char *m = crm_ltable_cell(&s->grades, i, 1);

		s->g[i].name = crm_ltable_cell(&s->grades, i, 0);
		s->g[i].min = INT64_MIN;
		if (m != NULL && crm_parse_i64(m, strlen(m), INT64_MIN, INT64_MAX,
		    &s->g[i].min) != 0)
			rc = crm_seterr(CRM_ECORRUPT, "grade '%s': bad min",
			    s->g[i].name);
	}
	s->ng = s->grades.nrows;
	if (rc == 0 && s->ng > 1)
		qsort(s->g, s->ng, sizeof(*s->g), cmp_grade);
done:
	if (rc != 0)
		crm_scorer_free(s);
	else
		*out = s;
	return rc;
}

/* The grade of score: the first whose min it reaches, else the lowest. */
static const struct grade *
grade_of(const struct crm_scorer *s, int64_t score)
{
	size_t i;

	for (i = 0; i < s->ng; i++)
		if (score >= s->g[i].min)
			return &s->g[i];
	return s->ng > 0 ? &s->g[s->ng - 1] : NULL;
}

int
crm_lead_score(struct crm_txn *tx, struct crm_scorer *s,
    const struct crm_rec *lead, int64_t *score, const char **grade,
    int (*fn)(const struct crm_score_term *, void *), void *arg)
{
	struct crm_score_term term;
	const struct grade *g;
	struct crm_buf when = CRM_BUF_INIT;
	size_t i;
	int rc = 0, met;

	*score = 0;
	if (s->activity)
		rc = latest_activity(tx, lead, s->act);
	for (i = 0; i < s->n && rc == 0; i++) {
		met = cond_met(&s->conds[i], lead, s->act,
		    fn != NULL ? &s->value : NULL);
		if (met < 0) {
			rc = -met;
			break;
		}
		if (met)
			*score += s->points[i];
		if (fn == NULL)
			continue;
		term.kind = CRM_TERM_RULE;
		term.rule = crm_ltable_cell(&s->rules, i, 0);
		term.when = crm_ltable_cell(&s->rules, i, 1);
		term.value = s->conds[i].field != NULL && s->value.p != NULL ?
		    s->value.p : "";
		term.points = met ? s->points[i] : 0;
		term.met = met;
		rc = fn(&term, arg);
	}
	g = grade_of(s, *score);
	*grade = g != NULL ? g->name : NULL;
	if (rc == 0 && fn != NULL) {
		memset(&term, 0, sizeof(term));
		term.kind = CRM_TERM_TOTAL;
		term.rule = "total";
		term.points = *score;
		term.met = 1;
		rc = fn(&term, arg);
	}
	if (rc == 0 && fn != NULL && g != NULL) {
		/* The lowest grade is "below the next one up". */
		if (g->min != INT64_MIN && (g + 1 < s->g + s->ng || *score >= g->min))
			rc = crm_buf_printf(&when, "score>=%lld", (long long)g->min);
		else if (g > s->g)
			rc = crm_buf_printf(&when, "score<%lld", (long long)g[-1].min);
		term.kind = CRM_TERM_GRADE;
		term.rule = "grade";
		term.when = when.p;
		term.value = g->name;
		term.points = 0;
		if (rc == 0)
			rc = fn(&term, arg);
	}
	crm_buf_free(&when);
	return rc;
}

/* Score and grade into nw; keep_score: only the grade of its score. */
static int
put_score(struct crm_txn *tx, struct crm_scorer *s, struct crm_rec *nw,
    int keep_score)
{
	int f_score = FLD(nw->ent, "score"), f_grade = FLD(nw->ent, "grade");
	const char *grade = NULL;
	const struct grade *g;
	int64_t score;
	int rc = 0;

	if (keep_score) {
		g = grade_of(s, nw->v[f_score].i);
		grade = g != NULL ? g->name : NULL;
	} else {
		rc = crm_lead_score(tx, s, nw, &score, &grade, NULL, NULL);
		if (rc == 0)
			crm_rec_setint(nw, f_score, score);
	}
	if (rc == 0)
		rc = crm_rec_setf(nw, f_grade, grade ? grade : "",
		    grade ? strlen(grade) : 0, tx->now);
	return rc;
}

struct rescore {
	struct crm_txn *tx;
	struct crm_scorer *s;
};

static int
rescore_one(struct crm_rec *nw, void *arg)
{
	struct rescore *r = arg;

	return put_score(r->tx, r->s, nw, 0);
}

int
crm_lead_rescore(struct crm_txn *tx, struct crm_scorer *s, uint64_t id)
{
	struct rescore r = { tx, s };

	return crm_edit(tx, E_LEAD, id, rescore_one, &r);
}

int
crm_lead_on_insert(struct crm_txn *tx, struct crm_rec *nw)
{
	int f_score = FLD(nw->ent, "score"), f_grade = FLD(nw->ent, "grade");
	struct crm_scorer *s = NULL;
	int rc, given = nw->v[f_score].state == CRM_V_SET;

	if (given && nw->v[f_grade].state == CRM_V_SET)
		return 0;
	/* Opened once per transaction: an import scores every row. */
	s = crm_memo_get(tx, &scorer_memo);
	if (s == NULL) {
		rc = crm_scorer_open(tx, &s);
		if (rc == 0)
			rc = crm_memo_put(tx, &scorer_memo, s, scorer_free);
		if (rc != 0)
			return rc;
	}
	return put_score(tx, s, nw, given);
}

int
crm_campaign_check(struct crm_txn *tx, const struct crm_rec *nw)
{
	const struct crm_val *cost = &nw->v[FLD(nw->ent, "cost")];
	const struct crm_val *from = &nw->v[FLD(nw->ent, "started_on")];
	const struct crm_val *to = &nw->v[FLD(nw->ent, "ended_on")];
	struct crm_buf a = CRM_BUF_INIT, b = CRM_BUF_INIT;
	int rc = 0;

	(void)tx;
	if (cost->state == CRM_V_SET && cost->i < 0)
		return crm_seterr(CRM_EDATA, "field 'cost': may not be negative");
	if (from->state == CRM_V_SET && to->state == CRM_V_SET &&
	    to->i < from->i) {
		rc = crm_date_format(&a, to->i);
		if (rc == 0)
			rc = crm_date_format(&b, from->i);
		if (rc == 0)
			rc = crm_seterr(CRM_EDATA, "field 'ended_on': %s is before "
			    "started_on %s", a.p, b.p);
	}
	crm_buf_free(&a);
	crm_buf_free(&b);
	return rc;
}

/* ---- routing ----------------------------------------------------------------- */

struct route {
	const char *name;
	struct cond cond;
	char **members;
	size_t nmembers;
	int64_t cap;		/* -1: none */
	size_t next;		/* member whose turn it is */
};

struct owncount {
	char *owner;
	int64_t open;
};

struct crm_router {
	struct crm_ltable t;
	struct route *r;
	size_t n;
	struct owncount *counts;
	size_t ncounts;
	struct crm_rec *lead, *act;
};

void
crm_router_free(struct crm_router *r)
{
	size_t i, k;

	if (r == NULL)
		return;
	for (i = 0; r->r != NULL && i < r->n; i++) {
		cond_free(&r->r[i].cond);
		for (k = 0; k < r->r[i].nmembers; k++)
			free(r->r[i].members[k]);
		free(r->r[i].members);
	}
	free(r->r);
	for (i = 0; i < r->ncounts; i++)
		free(r->counts[i].owner);
	free(r->counts);
	crm_ltable_free(&r->t);
	crm_rec_free(r->lead);
	crm_rec_free(r->act);
	free(r);
}

/* Splits a "a;b" cell into rt->members. */
static int
split_team(struct route *rt, const char *team)
{
	const char *p = team;

	rt->members = calloc(strlen(team) / 2 + 2, sizeof(*rt->members));
	if (rt->members == NULL)
		return ENOMEM;
	while (*p != '\0') {
		size_t len = strcspn(p, ";");

		rt->members[rt->nmembers] = strndup(p, len);
		if (rt->members[rt->nmembers] == NULL)
			return ENOMEM;
		rt->nmembers++;
		p += len;
		if (*p == ';')
			p++;
	}
	return 0;
}

/* The member after the one the rule gave its last lead to. */
static int
load_turn(struct crm_txn *tx, struct route *rt)
{
	struct crm_buf key = CRM_BUF_INIT, last = CRM_BUF_INIT;
	size_t k;
	int rc;

	rc = crm_buf_printf(&key, ROUTING_LAST "%s", rt->name);
	if (rc == 0)
		rc = crm_setting_get(tx, key.p, &last);
	if (rc == CRM_ENOTFOUND)
		rc = 0;
	for (k = 0; rc == 0 && last.len > 0 && k < rt->nmembers; k++)
		if (strcmp(rt->members[k], last.p) == 0) {
			rt->next = (k + 1) % rt->nmembers;
			break;
		}
	crm_buf_free(&key);
	crm_buf_free(&last);
	return rc;
}

int
crm_router_open(struct crm_txn *tx, struct crm_router **out)
{
	struct crm_router *r;
	size_t i;
	int rc;

	*out = NULL;
	r = calloc(1, sizeof(*r));
	if (r == NULL)
		return ENOMEM;
	rc = crm_ltable_load(tx, &crm_lead_routing, &r->t);
	if (rc == 0 && r->t.nrows == 0)
		rc = crm_seterr(CRM_EDATA, "no routing rules: add one with "
		    "'routing set NAME --team USER,...'");
	if (rc != 0)
		goto done;
	r->r = calloc(r->t.nrows, sizeof(*r->r));
	r->lead = crm_rec_new(E_LEAD);
	r->act = crm_rec_new(crm_entity_find("activity"));
	if (r->r == NULL || r->lead == NULL || r->act == NULL) {
		rc = ENOMEM;
		goto done;
	}
	for (i = 0; i < r->t.nrows && rc == 0; i++) {
		struct route *rt = &r->r[i];
		const char *cap = crm_ltable_cell(&r->t, i, 3);

		rt->name = crm_ltable_cell(&r->t, i, 0);
		rt->cap = -1;
		rc = cond_compile(tx, crm_ltable_cell(&r->t, i, 1), &rt->cond);
		if (rc != 0) {
			rc = of_rule(rc, &crm_lead_routing, rt->name);
			break;
		}
		r->n++;
		if (crm_ltable_cell(&r->t, i, 2) == NULL)
			rc = crm_seterr(CRM_ECORRUPT, "routing rule '%s': no team",
			    rt->name);
		if (rc == 0)
			rc = split_team(rt, crm_ltable_cell(&r->t, i, 2));
		if (rc == 0 && cap != NULL && crm_parse_i64(cap, strlen(cap), 0,
		    INT32_MAX, &rt->cap) != 0)
			rc = crm_seterr(CRM_ECORRUPT, "routing rule '%s': bad cap",
			    rt->name);
		if (rc == 0)
			rc = load_turn(tx, rt);
	}
done:
	if (rc != 0)
		crm_router_free(r);
	else
		*out = r;
	return rc;
}

/* The open leads of owner (r->counts[*at]), counted once through the
 * owner index and kept up to date by the assignments after. */
static int
open_count(struct crm_txn *tx, struct crm_router *r, const char *owner,
    size_t *at)
{
	const struct crm_entity *e = E_LEAD;
	struct crm_iter *it = NULL;
	struct crm_rec *l;
	struct owncount *p;
	uint64_t id;
	size_t i;
	int rc;

	for (i = 0; i < r->ncounts; i++)
		if (strcmp(r->counts[i].owner, owner) == 0) {
			*at = i;
			return 0;
		}
	p = realloc(r->counts, (r->ncounts + 1) * sizeof(*p));
	if (p == NULL)
		return ENOMEM;
	r->counts = p;
	p = &r->counts[r->ncounts];
	p->open = 0;
	p->owner = strdup(owner);
	l = crm_rec_new(e);
	if (p->owner == NULL || l == NULL) {
		free(p->owner);
		crm_rec_free(l);
		return ENOMEM;
	}
	rc = crm_iter_index(tx, e, FLD(e, "owner"), owner, strlen(owner), &it);
	while (rc == 0 && (rc = crm_iter_next(it, &id, NULL, NULL)) == 0) {
		rc = crm_fetch(tx, l, id);
		if (rc == 0 && lead_open(l))
			p->open++;
	}
	if (rc == CRM_ENOTFOUND)
		rc = 0;
	crm_iter_free(it);
	crm_rec_free(l);
	if (rc != 0) {
		free(p->owner);
		return rc;
	}
	*at = r->ncounts++;
	return 0;
}

static int
set_owner(struct crm_rec *nw, void *arg)
{
	const char *owner = arg;

	return crm_rec_setf(nw, FLD(nw->ent, "owner"), owner, strlen(owner), 0);
}

int
crm_lead_assign(struct crm_txn *tx, struct crm_router *r, uint64_t id,
    int reassign, struct crm_assignment *out)
{
	const struct crm_val *ov;
	struct route *rt, *chosen = NULL;
	struct crm_buf key = CRM_BUF_INIT;
	size_t i, k, m = 0, old = SIZE_MAX, cnt;
	int rc, matched = 0, act = 0;

	memset(out, 0, sizeof(*out));
	rc = crm_fetch(tx, r->lead, id);
	if (rc != 0)
		return rc;
	ov = &r->lead->v[FLD(r->lead->ent, "owner")];
	if (!lead_open(r->lead)) {
		out->outcome = CRM_ASSIGN_CLOSED;
		return 0;
	}
	if (ov->state == CRM_V_SET && !reassign) {
		out->outcome = CRM_ASSIGN_OWNED;
		return 0;
	}
	/* A reassigned lead leaves its owner's count while it is placed. */
	if (ov->state == CRM_V_SET) {
		char *o = strndup(ov->s, ov->len);

		rc = o == NULL ? ENOMEM : open_count(tx, r, o, &old);
		free(o);
		if (rc != 0)
			return rc;
		r->counts[old].open--;
	}
	for (i = 0; i < r->n && chosen == NULL && rc == 0; i++) {
		rt = &r->r[i];
		if (rt->cond.activity && !act) {
			rc = latest_activity(tx, r->lead, r->act);
			act = 1;
		}
		if (rc != 0 || !cond_met(&rt->cond, r->lead, r->act, NULL))
			continue;
		matched = 1;
		for (k = 0; k < rt->nmembers && chosen == NULL && rc == 0; k++) {
			m = (rt->next + k) % rt->nmembers;
			if (rt->cap < 0) {
				chosen = rt;
				break;
			}
			rc = open_count(tx, r, rt->members[m], &cnt);
			if (rc == 0 && r->counts[cnt].open < rt->cap)
				chosen = rt;
		}
		if (chosen == NULL) {
			out->rule = rt->name;
			out->cap = rt->cap;
		}
	}
	if (rc == 0 && chosen == NULL) {
		if (old != SIZE_MAX)
			r->counts[old].open++;
		out->outcome = matched ? CRM_ASSIGN_FULL : CRM_ASSIGN_NORULE;
		return 0;
	}
	if (rc == 0) {
		rc = crm_edit(tx, r->lead->ent, id, set_owner, chosen->members[m]);
		if (rc == 1)
			rc = 0;
	}
	if (rc == 0)
		rc = open_count(tx, r, chosen->members[m], &cnt);
	if (rc == 0) {
		r->counts[cnt].open++;
		chosen->next = (m + 1) % chosen->nmembers;
		rc = crm_buf_printf(&key, ROUTING_LAST "%s", chosen->name);
	}
	if (rc == 0)
		rc = crm_setting_put(tx, key.p, chosen->members[m]);
	if (rc == 0) {
		out->outcome = CRM_ASSIGNED;
		out->owner = chosen->members[m];
		out->rule = chosen->name;
	}
	crm_buf_free(&key);
	return rc;
}

/* ---- qualification ------------------------------------------------------------ */

/* Refuses a converted lead; with deny_disq a disqualified one too. */
static int
refuse_closed(const struct crm_rec *lead, int deny_disq, const char *doing)
{
	const struct crm_entity *e = lead->ent;
	const struct crm_val *st = &lead->v[FLD(e, "status")];
	const struct crm_val *cu = &lead->v[FLD(e, "customer")];
	const struct crm_val *why = &lead->v[FLD(e, "disqualify_reason")];

	if (val_is(st, "converted")) {
		if (cu->state == CRM_V_SET)
			return crm_seterr(CRM_EDATA, "lead %llu: already converted "
			    "(customer %lld); cannot %s it",
			    (unsigned long long)lead->id, (long long)cu->i, doing);
		return crm_seterr(CRM_EDATA, "lead %llu: already converted; "
		    "cannot %s it", (unsigned long long)lead->id, doing);
	}
	if (deny_disq && val_is(st, "disqualified"))
		return crm_seterr(CRM_EDATA, "lead %llu: disqualified (%.*s); "
		    "qualify it before you %s it", (unsigned long long)lead->id,
		    why->state == CRM_V_SET ? (int)why->len : 9,
		    why->state == CRM_V_SET ? why->s : "no reason", doing);
	return 0;
}

struct statusedit {
	const char *status;
	const char *reason;	/* NULL: clear */
	int64_t now;
};

static int
set_status(struct crm_rec *nw, void *arg)
{
	struct statusedit *s = arg;
	int rc;

	rc = refuse_closed(nw, 0, strcmp(s->status, "qualified") == 0 ?
	    "qualify" : "disqualify");
	if (rc == 0)
		rc = crm_rec_setf(nw, FLD(nw->ent, "status"), s->status,
		    strlen(s->status), s->now);
	if (rc == 0)
		rc = crm_rec_setf(nw, FLD(nw->ent, "disqualify_reason"),
		    s->reason ? s->reason : "", s->reason ? strlen(s->reason) : 0,
		    s->now);
	return rc;
}

int
crm_lead_qualify(struct crm_txn *tx, uint64_t id)
{
	struct statusedit s = { "qualified", NULL, tx->now };

	return crm_edit(tx, E_LEAD, id, set_status, &s);
}

int
crm_lead_disqualify(struct crm_txn *tx, uint64_t id, const char *reason)
{
	struct statusedit s = { "disqualified", reason, tx->now };

	if (reason == NULL || reason[strspn(reason, " \t")] == '\0')
		return crm_seterr(CRM_EUSAGE, "disqualify: give a --reason");
	return crm_edit(tx, E_LEAD, id, set_status, &s);
}

/* ---- conversion ------------------------------------------------------------------ */

/* Copies field `from` of src into field `to` of dst, as text; only into
 * an empty field when fill. */
static int
copy_field(struct crm_rec *dst, const char *to, const struct crm_rec *src,
    const char *from, int fill, int64_t now)
{
	struct crm_buf b = CRM_BUF_INIT;
	int ft = FLD(dst->ent, to), rc;

	if (fill && dst->v[ft].state != CRM_V_EMPTY)
		return 0;
	rc = crm_rec_text(src, FLD(src->ent, from), &b);
	if (rc == 0 && b.len > 0)
		rc = crm_rec_setf(dst, ft, b.p, b.len, now);
	crm_buf_free(&b);
	return rc;
}

/* The fields a lead gives its customer: (customer field, lead field). */
static const char *const to_customer[][2] = {
	{ "email", "email" }, { "phone", "phone" }, { "region", "region" },
	{ "source", "source" }, { "owner", "owner" },
};

struct fillarg {
	const struct crm_rec *lead;
	int64_t now;
};

static int
fill_customer(struct crm_rec *nw, void *arg)
{
	struct fillarg *f = arg;
	size_t i;
	int rc = 0;

	for (i = 0; i < sizeof(to_customer) / sizeof(to_customer[0]) &&
	    rc == 0; i++)
		rc = copy_field(nw, to_customer[i][0], f->lead, to_customer[i][1],
		    1, f->now);
	return rc;
}

/* The customer the lead is: by e-mail, then phone; or a new one. */
static int
convert_customer(struct crm_txn *tx, const struct crm_rec *lead,
    struct crm_conversion *c)
{
	const struct crm_entity *ce = crm_entity_find("customer");
	const struct crm_entity *le = lead->ent;
	const struct crm_val *email = &lead->v[FLD(le, "email")];
	const struct crm_val *company = &lead->v[FLD(le, "company")];
	struct fillarg fa = { lead, tx->now };
	struct crm_rec *cust;
	uint64_t id = 0;
	size_t i;
	int rc = CRM_ENOTFOUND;

	cust = crm_rec_new(ce);
	if (cust == NULL)
		return ENOMEM;
	if (email->state == CRM_V_SET) {
		rc = crm_rec_setf(cust, FLD(ce, "email"), email->s, email->len,
		    tx->now);
		if (rc == 0)
			rc = crm_find_by(tx, cust, FLD(ce, "email"), &id);
		if (rc == 0)
			c->matched = CRM_DUPE_EMAIL;
	}
	if (rc == CRM_ENOTFOUND &&
	    lead->v[FLD(le, "phone")].state == CRM_V_SET) {
		rc = copy_field(cust, "phone", lead, "phone", 0, tx->now);
		if (rc == 0)
			rc = crm_find_by(tx, cust, FLD(ce, "phone"), &id);
		if (rc == 0)
			c->matched = CRM_DUPE_PHONE;
	}
	if (rc == 0) {
		c->customer = id;
		rc = crm_edit(tx, ce, id, fill_customer, &fa);
		rc = rc == 1 ? 0 : rc;
		goto done;
	}
	if (rc != CRM_ENOTFOUND)
		goto done;
	crm_rec_reset(cust);
	rc = copy_field(cust, "name", lead, company->state == CRM_V_SET ?
	    "company" : "name", 0, tx->now);
	if (rc == 0)
		rc = crm_rec_setf(cust, FLD(ce, "kind"),
		    company->state == CRM_V_SET ? "company" : "person",
		    company->state == CRM_V_SET ? 7 : 6, tx->now);
	for (i = 0; i < sizeof(to_customer) / sizeof(to_customer[0]) &&
	    rc == 0; i++)
		rc = copy_field(cust, to_customer[i][0], lead, to_customer[i][1],
		    0, tx->now);
	if (rc == 0)
		rc = crm_insert(tx, cust);
	if (rc == 0)
		c->customer = cust->id;
done:
	crm_rec_free(cust);
	return rc;
}

struct contactfind {
	const struct crm_rec *lead;
	uint64_t found;
	size_t n;
};

/* A contact of the customer with the lead's e-mail, else phone. */
static int
match_contact(const struct crm_rec *ct, void *arg)
{
	struct contactfind *f = arg;
	const struct crm_val *le = &f->lead->v[FLD(f->lead->ent, "email")];
	const struct crm_val *lp = &f->lead->v[FLD(f->lead->ent, "phone")];
	const struct crm_val *ce = &ct->v[FLD(ct->ent, "email")];
	const struct crm_val *cp = &ct->v[FLD(ct->ent, "phone")];

	f->n++;
	if (f->found != 0)
		return 0;
	/* Stored trimmed: the normal form is the same without case. */
	if (le->state == CRM_V_SET && ce->state == CRM_V_SET &&
	    le->len == ce->len && strncasecmp(le->s, ce->s, le->len) == 0)
		f->found = ct->id;
	else if (le->state != CRM_V_SET && lp->state == CRM_V_SET &&
	    cp->state == CRM_V_SET &&
	    crm_phone_equal(lp->s, lp->len, cp->s, cp->len))
		f->found = ct->id;
	return 0;
}

static int
convert_contact(struct crm_txn *tx, const struct crm_rec *lead,
    struct crm_conversion *c)
{
	const struct crm_entity *ce = crm_entity_find("customer");
	const struct crm_entity *te = crm_entity_find("contact");
	struct contactfind f = { lead, 0, 0 };
	struct crm_rec *ct;
	int rc;

	rc = crm_refs_each(tx, ce, c->customer, te, match_contact, &f);
	if (rc != 0 || f.found != 0) {
		c->contact = f.found;
		return rc;
	}
	ct = crm_rec_new(te);
	if (ct == NULL)
		return ENOMEM;
	crm_rec_setint(ct, FLD(te, "customer"), (int64_t)c->customer);
	rc = copy_field(ct, "name", lead, "name", 0, tx->now);
	if (rc == 0)
		rc = copy_field(ct, "email", lead, "email", 0, tx->now);
	if (rc == 0)
		rc = copy_field(ct, "phone", lead, "phone", 0, tx->now);
	/* The first contact of a customer is its main one. */
	if (rc == 0 && f.n == 0)
		crm_rec_setint(ct, FLD(te, "primary"), 1);
	if (rc == 0)
		rc = crm_insert(tx, ct);
	if (rc == 0) {
		c->contact = ct->id;
		c->new_contact = 1;
	}
	crm_rec_free(ct);
	return rc;
}

/* Says which record a conversion's error is about. */
static int
about(int rc, const char *what)
{
	char tmp[700];

	if (rc != CRM_EDATA && rc != CRM_EEXIST)
		return rc;
	snprintf(tmp, sizeof(tmp), "%s", crm_errdetail(rc));
	return crm_seterr(rc, "%s: %s", what, tmp);
}

static int
convert_deal(struct crm_txn *tx, const struct crm_rec *lead,
    struct crm_conversion *c)
{
	const struct crm_entity *de = crm_entity_find("deal");
	struct crm_rec *d;
	int rc;

	d = crm_rec_new(de);
	if (d == NULL)
		return ENOMEM;
	crm_rec_setint(d, FLD(de, "customer"), (int64_t)c->customer);
	rc = crm_rec_setf(d, FLD(de, "title"), c->deal_title,
	    strlen(c->deal_title), tx->now);
	if (rc == 0 && c->currency != NULL)
		rc = crm_rec_setf(d, FLD(de, "currency"), c->currency,
		    strlen(c->currency), tx->now);
	if (rc == 0 && c->amount != NULL)
		rc = crm_rec_setf(d, FLD(de, "amount"), c->amount,
		    strlen(c->amount), tx->now);
	if (rc == 0)
		rc = copy_field(d, "owner", lead, "owner", 0, tx->now);
	if (rc == 0)
		rc = copy_field(d, "source", lead, "source", 0, tx->now);
	/* Stage and probability are the deal rules' to set. */
	if (rc == 0)
		rc = crm_insert(tx, d);
	if (rc == 0)
		c->deal = d->id;
	crm_rec_free(d);
	return about(rc, "deal");
}

static int
mark_converted(struct crm_rec *nw, void *arg)
{
	struct crm_conversion *c = arg;
	const struct crm_entity *e = nw->ent;

	crm_rec_setint(nw, FLD(e, "customer"), (int64_t)c->customer);
	crm_rec_setint(nw, FLD(e, "contact"), (int64_t)c->contact);
	if (c->deal != 0)
		crm_rec_setint(nw, FLD(e, "deal"), (int64_t)c->deal);
	return crm_rec_setf(nw, FLD(e, "status"), "converted", 9, 0);
}

int
crm_lead_convert(struct crm_txn *tx, uint64_t id, struct crm_conversion *c)
{
	struct crm_rec *lead;
	int rc;

	c->customer = c->contact = c->deal = 0;
	c->matched = 0;
	c->new_contact = 0;
	if (c->deal_title == NULL && (c->amount != NULL || c->currency != NULL))
		return crm_seterr(CRM_EUSAGE,
		    "convert: --amount and --currency need --deal-title");
	if (c->deal_title != NULL && c->deal_title[strspn(c->deal_title,
	    " \t")] == '\0')
		return crm_seterr(CRM_EUSAGE, "convert: --deal-title is empty");
	lead = crm_rec_new(E_LEAD);
	if (lead == NULL)
		return ENOMEM;
	rc = crm_fetch(tx, lead, id);
	if (rc == 0)
		rc = refuse_closed(lead, 1, "convert");
	if (rc == 0)
		rc = about(convert_customer(tx, lead, c), "customer");
	if (rc == 0)
		rc = about(convert_contact(tx, lead, c), "contact");
	if (rc == 0 && c->deal_title != NULL)
		rc = convert_deal(tx, lead, c);
	if (rc == 0)
		rc = crm_edit(tx, E_LEAD, id, mark_converted, c);
	crm_rec_free(lead);
	return rc;
}

/* ---- selection ------------------------------------------------------------------- */

int
crm_select(struct crm_txn *tx, const struct crm_entity *e,
    const uint64_t *ids, size_t n, char *const *where, size_t nwhere,
    uint64_t **out, size_t *nout)
{
	struct crm_filter flt;
	struct crm_iter *it = NULL;
	struct crm_rec *r = NULL;
	size_t i = 0, cap = 0;
	uint64_t id;
	int rc = 0;

	*out = NULL;
	*nout = 0;
	crm_filter_init(&flt, e);
	for (i = 0; i < nwhere && rc == 0; i++)
		rc = crm_filter_add(&flt, tx, where[i], tx->now);
	r = crm_rec_new(e);
	if (rc == 0 && r == NULL)
		rc = ENOMEM;
	if (rc == 0 && ids == NULL)
		rc = crm_iter_all(tx, e, &it);
	for (i = 0; rc == 0; i++) {
		if (ids == NULL)
			rc = crm_iter_next(it, &id, NULL, NULL);
		else if (i < n)
			id = ids[i];
		else
			break;
		if (rc != 0)
			break;
		if (flt.n > 0) {
			rc = crm_fetch(tx, r, id);
			if (rc != 0 || !crm_filter_match(&flt, r))
				continue;
		}
		if (*nout == cap) {
			uint64_t *p;

			cap = cap ? cap * 2 : 64;
			p = realloc(*out, cap * sizeof(*p));
			if (p == NULL) {
				rc = ENOMEM;
				break;
			}
			*out = p;
		}
		(*out)[(*nout)++] = id;
	}
	if (rc == CRM_ENOTFOUND)
		rc = 0;
	if (rc != 0) {
		free(*out);
		*out = NULL;
		*nout = 0;
	}
	crm_iter_free(it);
	crm_rec_free(r);
	crm_filter_free(&flt);
	return rc;
}
