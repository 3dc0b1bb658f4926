/*
 * ticket.c — SLA policy, the ticket rules, steps, views and assignment
 * rules.  See ticket.h for the rules themselves; the comments here say
 * why they are written as they are.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "customer.h"
#include "audit.h"
#include "error.h"
#include "store.h"
#include "ticket.h"
#include "utf8.h"
#include "value.h"

#define FLD(e, name) crm_field_find((e), (name), strlen(name))
#define E_TICKET (crm_entity_find("ticket"))
#define E_ACTIVITY (crm_entity_find("activity"))

/* 9999-12-31T23:59:59Z: the last timestamp crm prints. */
#define MAX_TIME INT64_C(253402300799)
/* No SLA time beyond ten years: deadlines stay printable. */
#define MAX_SLA (INT64_C(3650) * 86400)

/* The ticket's field numbers, looked up once per call. */
struct tf {
	const struct crm_entity *e;
	int customer, subject, category, priority, status, assignee;
	int first_at, resolved_at, closed_at, first_due, res_due, csat;
	int escalated, pending_since, pending_secs, escalated_at, escalation;
	int csat_comment;
};

/* Field numbers are fixed by the schema: looked up once, not per row
 * of an import. */
static struct tf tf_cache;
static pthread_once_t tf_once = PTHREAD_ONCE_INIT;

static void
tf_init(void)
{
	const struct crm_entity *e = E_TICKET;
	struct tf *f = &tf_cache;

	f->e = e;
	f->customer = FLD(e, "customer");
	f->subject = FLD(e, "subject");
	f->category = FLD(e, "category");
	f->priority = FLD(e, "priority");
	f->status = FLD(e, "status");
	f->assignee = FLD(e, "assignee");
	f->first_at = FLD(e, "first_response_at");
	f->resolved_at = FLD(e, "resolved_at");
	f->closed_at = FLD(e, "closed_at");
	f->first_due = FLD(e, "first_response_due");
	f->res_due = FLD(e, "resolution_due");
	f->csat = FLD(e, "csat");
	f->escalated = FLD(e, "escalated");
	f->pending_since = FLD(e, "pending_since");
	f->pending_secs = FLD(e, "pending_seconds");
	f->escalated_at = FLD(e, "escalated_at");
	f->escalation = FLD(e, "escalation");
	f->csat_comment = FLD(e, "csat_comment");
}

static const struct tf *
tfields(void)
{
	pthread_once(&tf_once, tf_init);
	return &tf_cache;
}

static int
isset(const struct crm_rec *r, int f)
{
	return r->v[f].state == CRM_V_SET;
}

static void
clear(struct crm_rec *r, int f)
{
	memset(&r->v[f], 0, sizeof(r->v[f]));
}

/* Position of an enum field's value in its list, or -1. */
static int
enum_index(const struct crm_rec *r, int f)
{
	const char *const *vals = r->ent->fields[f].values;
	const struct crm_val *v = &r->v[f];
	int i;

	if (v->state != CRM_V_SET)
		return -1;
	for (i = 0; vals[i] != NULL; i++)
		if (strlen(vals[i]) == v->len && memcmp(vals[i], v->s, v->len) == 0)
			return i;
	return -1;
}

static int
list_index(const char *const *vals, const char *s, size_t len)
{
	int i;

	for (i = 0; vals[i] != NULL; i++)
		if (strlen(vals[i]) == len && strncasecmp(vals[i], s, len) == 0)
			return i;
	return -1;
}

static const char *const *
ticket_values(int field)
{
	return tfields()->e->fields[field].values;
}

const char *
crm_priority_name(int i)
{
	return i >= 0 && i < CRM_NPRIO ?
	    ticket_values(tfields()->priority)[i] : "";
}

int
crm_priority_index(const char *s, size_t len)
{
	return list_index(ticket_values(tfields()->priority), s, len);
}

const char *
crm_status_name(int i)
{
	return i >= 0 && i < CRM_NTS ? ticket_values(tfields()->status)[i] : "";
}

int
crm_status_index(const char *s, size_t len)
{
	return list_index(ticket_values(tfields()->status), s, len);
}

static int
priority_of(const struct crm_rec *t, const struct tf *f)
{
	int p = enum_index(t, f->priority);

	return p >= 0 ? p : CRM_PRIO_NORMAL;
}

static int
is_active(int status)
{
	/* A ticket without a status is new (the store gives the default). */
	return status < CRM_TS_RESOLVED;
}

/* ---- SLA policy ----------------------------------------------------------- */

void
crm_sla_defaults(struct crm_sla *sla)
{
	static const int64_t first[CRM_NPRIO] = { 86400, 8 * 3600, 2 * 3600,
		30 * 60 };
	static const int64_t res[CRM_NPRIO] = { 7 * 86400, 3 * 86400, 86400,
		4 * 3600 };
	int i;

	for (i = 0; i < CRM_NPRIO; i++) {
		sla->p[i].first = first[i];
		sla->p[i].resolution = res[i];
		sla->p[i].pause_pending = 0;
		sla->p[i].low_csat = 2;
	}
}

#define SLA_KEY "ticket.sla"

/* The next space-separated word of a line. */
static void
next_word(const char **p, const char *end, const char **w, size_t *len)
{
	const char *s = *p, *e;

	while (s < end && *s == ' ')
		s++;
	for (e = s; e < end && *e != ' '; e++)
		;
	*w = s;
	*len = (size_t)(e - s);
	*p = e;
}

/* One line of the setting: "PRIORITY FIRST RESOLUTION PAUSE LOW_CSAT",
 * the times in seconds. */
static int
parse_sla_line(const char *p, const char *end, struct crm_sla *sla)
{
	int64_t v[4];
	const char *w;
	size_t len;
	int prio, k;

	next_word(&p, end, &w, &len);
	prio = crm_priority_index(w, len);
	for (k = 0; k < 4 && prio >= 0; k++) {
		next_word(&p, end, &w, &len);
		if (crm_parse_i64(w, len, 0, MAX_SLA, &v[k]) != 0)
			prio = -1;
	}
	if (prio < 0 || p != end)
		return CRM_ECORRUPT;
	sla->p[prio].first = v[0];
	sla->p[prio].resolution = v[1];
	sla->p[prio].pause_pending = v[2] != 0;
	sla->p[prio].low_csat = (int)v[3];
	return 0;
}

int
crm_sla_load(struct crm_txn *tx, struct crm_sla *sla)
{
	struct crm_buf b = CRM_BUF_INIT;
	const char *p, *nl, *end;
	int rc;

	crm_sla_defaults(sla);
	rc = crm_setting_get(tx, SLA_KEY, &b);
	if (rc == CRM_ENOTFOUND)
		rc = 0;
	end = b.p + b.len;
	for (p = b.p; rc == 0 && p != NULL && p < end; p = nl + 1) {
		nl = memchr(p, '\n', (size_t)(end - p));
		if (nl == NULL)
			nl = end;
		rc = parse_sla_line(p, nl, sla);
	}
	if (rc != 0 && rc != ENOMEM)
		rc = crm_seterr(CRM_ECORRUPT, "setting " SLA_KEY ": \"%.*s\": "
		    "not an SLA policy", (int)b.len, b.p ? b.p : "");
	crm_buf_free(&b);
	return rc;
}

int
crm_sla_store(struct crm_txn *tx, const struct crm_sla *sla)
{
	struct crm_buf b = CRM_BUF_INIT;
	int rc = 0, i;

	for (i = CRM_NPRIO - 1; i >= 0 && rc == 0; i--) {
		const struct crm_sla_row *row = &sla->p[i];
		const char *name = crm_priority_name(i);

		if (row->first <= 0 || row->resolution <= 0)
			rc = crm_seterr(CRM_EDATA, "SLA of %s: a time must be "
			    "more than zero", name);
		else if (row->first > MAX_SLA || row->resolution > MAX_SLA)
			rc = crm_seterr(CRM_EDATA, "SLA of %s: more than 3650 "
			    "days", name);
		else if (row->resolution < row->first)
			rc = crm_seterr(CRM_EDATA, "SLA of %s: the resolution "
			    "time is shorter than the first-response time", name);
		else if (row->low_csat < 0 || row->low_csat > 5)
			rc = crm_seterr(CRM_EDATA, "SLA of %s: low CSAT %d: not "
			    "0 to 5", name, row->low_csat);
		else
			rc = crm_buf_printf(&b, "%s %lld %lld %d %d\n", name,
			    (long long)row->first, (long long)row->resolution,
			    row->pause_pending ? 1 : 0, row->low_csat);
	}
	if (rc == 0)
		rc = crm_setting_change(tx, SLA_KEY, b.p);
	crm_buf_free(&b);
	return rc;
}

int
crm_duration_format(struct crm_buf *b, int64_t secs)
{
	static const struct { int64_t n; char unit; } units[] = {
		{ 86400, 'd' }, { 3600, 'h' }, { 60, 'm' }, { 1, 's' },
	};
	size_t i;

	for (i = 0; i < sizeof(units) / sizeof(units[0]); i++)
		if (secs != 0 && secs % units[i].n == 0)
			return crm_buf_printf(b, "%lld%c",
			    (long long)(secs / units[i].n), units[i].unit);
	return crm_buf_adds(b, "0s");
}

int
crm_span_format(struct crm_buf *b, int64_t secs)
{
	int64_t m = (secs < 0 ? -secs : secs) / 60;
	int rc = 0;

	if (secs < 0 && m > 0)
		rc = crm_buf_addc(b, '-');
	if (rc == 0 && m >= 1440)
		rc = crm_buf_printf(b, "%lldd", (long long)(m / 1440));
	if (rc == 0 && m % 1440 >= 60)
		rc = crm_buf_printf(b, "%lldh", (long long)(m % 1440 / 60));
	if (rc == 0 && (m % 60 != 0 || m == 0))
		rc = crm_buf_printf(b, "%lldm", (long long)(m % 60));
	return rc;
}

/* ---- the clock ------------------------------------------------------------ */

void
crm_ticket_clock(const struct crm_sla *sla, const struct crm_rec *t,
    int64_t now, int64_t soon, struct crm_ticket_clock *c)
{
	const struct crm_sla_row *row;
	const struct tf *f = tfields();
	int64_t due;

	row = &sla->p[priority_of(t, f)];
	memset(c, 0, sizeof(*c));
	c->status = enum_index(t, f->status);
	c->active = is_active(c->status);
	c->breached_at = INT64_MAX;
	if (isset(t, f->first_due)) {
		c->has_first = 1;
		c->first_due = due = t->v[f->first_due].i;
		if (isset(t, f->first_at)) {
			if (t->v[f->first_at].i > due)
				c->breach |= CRM_BREACH_FIRST_LATE;
		} else if (c->active && now > due)
			c->breach |= CRM_BREACH_FIRST_MISSING;
		else if (c->active && soon > 0 && due - now <= soon)
			c->breach |= CRM_SOON_FIRST;
		if (c->breach & (CRM_BREACH_FIRST_LATE | CRM_BREACH_FIRST_MISSING))
			c->breached_at = due;
	}
	if (isset(t, f->res_due)) {
		c->has_res = 1;
		due = t->v[f->res_due].i;
		/* A paused clock: the deadline moves with the time pending. */
		if (c->status == CRM_TS_PENDING && row->pause_pending &&
		    isset(t, f->pending_since) && now > t->v[f->pending_since].i)
			due += now - t->v[f->pending_since].i;
		c->res_due = due;
		if (isset(t, f->resolved_at)) {
			if (t->v[f->resolved_at].i > due)
				c->breach |= CRM_BREACH_RES_LATE;
		} else if (c->active && now > due)
			c->breach |= CRM_BREACH_RES_OVERDUE;
		else if (c->active && soon > 0 && due - now <= soon)
			c->breach |= CRM_SOON_RES;
		if ((c->breach & (CRM_BREACH_RES_LATE | CRM_BREACH_RES_OVERDUE)) &&
		    due < c->breached_at)
			c->breached_at = due;
	}
	if (c->active && c->has_first && !isset(t, f->first_at)) {
		c->has_next = 1;
		c->next_due = c->first_due;
	} else if (c->active && c->has_res) {
		c->has_next = 1;
		c->next_due = c->res_due;
	}
	if (c->breached_at == INT64_MAX)
		c->breached_at = 0;
}

int
crm_breach_text(struct crm_buf *b, unsigned bits)
{
	static const char *const words[] = { "first_response_missing",
		"first_response_late", "resolution_overdue", "resolution_late",
		"first_response_soon", "resolution_soon" };
	size_t i, start = b->len;
	int rc = 0;

	for (i = 0; i < sizeof(words) / sizeof(words[0]) && rc == 0; i++)
		if (bits & (1u << i))
			rc = crm_buf_printf(b, "%s%s", b->len > start ? ";" : "",
			    words[i]);
	return rc;
}

/* ---- assignment rules --------------------------------------------------------- */

#define ASSIGN_KEY "ticket.assign"

static void
rule_free(struct crm_assign_rule *r)
{
	size_t k;

	for (k = 0; k < r->nusers; k++)
		free(r->users[k]);
	free(r->users);
	free(r->category);
	memset(r, 0, sizeof(*r));
}

void
crm_assign_free(struct crm_assign_rules *rules)
{
	size_t i;

	for (i = 0; i < rules->n; i++)
		rule_free(&rules->r[i]);
	free(rules->r);
	rules->r = NULL;
	rules->n = 0;
}

/* One line "CATEGORY\tUSER,USER\tNEXT" into a rule. */
static int
parse_rule(const char *s, size_t len, struct crm_assign_rule *r)
{
	const char *t1 = memchr(s, '\t', len), *t2, *u, *end = s + len;
	int64_t next;

	memset(r, 0, sizeof(*r));
	t2 = t1 ? memchr(t1 + 1, '\t', (size_t)(end - t1 - 1)) : NULL;
	if (t1 == NULL || t2 == NULL || t2 == t1 + 1 ||
	    crm_parse_i64(t2 + 1, (size_t)(end - t2 - 1), 0, INT64_MAX,
	    &next) != 0)
		return crm_seterr(CRM_ECORRUPT, "setting " ASSIGN_KEY
		    ": \"%.*s\": not an assignment rule", (int)len, s);
	r->category = strndup(s, (size_t)(t1 - s));
	if (r->category == NULL)
		return ENOMEM;
	for (u = t1 + 1; u < t2; ) {
		const char *comma = memchr(u, ',', (size_t)(t2 - u));
		const char *ue = comma ? comma : t2;
		char **p = realloc(r->users, (r->nusers + 1) * sizeof(*p));

		if (p == NULL)
			return ENOMEM;
		r->users = p;
		r->users[r->nusers] = strndup(u, (size_t)(ue - u));
		if (r->users[r->nusers] == NULL)
			return ENOMEM;
		r->nusers++;
		u = ue + 1;
	}
	r->next = (size_t)next % r->nusers;
	return 0;
}

int
crm_assign_load(struct crm_txn *tx, struct crm_assign_rules *rules)
{
	struct crm_buf b = CRM_BUF_INIT;
	const char *p, *nl;
	int rc;

	rules->r = NULL;
	rules->n = 0;
	rc = crm_setting_get(tx, ASSIGN_KEY, &b);
	if (rc == CRM_ENOTFOUND)
		rc = 0;
	for (p = b.p; rc == 0 && p != NULL && *p != '\0'; p = nl + 1) {
		struct crm_assign_rule *r;

		nl = strchr(p, '\n');
		if (nl == NULL)
			nl = p + strlen(p) - 1;
		r = realloc(rules->r, (rules->n + 1) * sizeof(*r));
		if (r == NULL) {
			rc = ENOMEM;
			break;
		}
		rules->r = r;
		rules->n++;
		rc = parse_rule(p, (size_t)(nl - p) + (*nl != '\n'),
		    &rules->r[rules->n - 1]);
	}
	crm_buf_free(&b);
	if (rc != 0)
		crm_assign_free(rules);
	return rc;
}

/* Stores the rules: audited when they change (audit), not when only a
 * turn passes. */
static int
assign_store(struct crm_txn *tx, const struct crm_assign_rules *rules,
    int audit)
{
	struct crm_buf b = CRM_BUF_INIT;
	size_t i, k;
	int rc = 0;

	for (i = 0; i < rules->n && rc == 0; i++) {
		const struct crm_assign_rule *r = &rules->r[i];

		rc = crm_buf_printf(&b, "%s\t", r->category);
		for (k = 0; k < r->nusers && rc == 0; k++)
			rc = crm_buf_printf(&b, "%s%s", k ? "," : "", r->users[k]);
		if (rc == 0)
			rc = crm_buf_printf(&b, "\t%zu\n", r->next);
	}
	if (rc == 0)
		rc = (audit ? crm_setting_change : crm_setting_put)(tx, ASSIGN_KEY,
		    b.p ? b.p : "");
	crm_buf_free(&b);
	return rc;
}

/* The rule of a category: its own, else "*"; NULL when none. */
static struct crm_assign_rule *
rule_for(struct crm_assign_rules *rules, const char *cat, size_t len)
{
	struct crm_assign_rule *any = NULL;
	size_t i;

	for (i = 0; i < rules->n; i++) {
		const char *c = rules->r[i].category;

		if (strcmp(c, "*") == 0)
			any = &rules->r[i];
		else if (len > 0 && strlen(c) == len && strncasecmp(c, cat, len) == 0)
			return &rules->r[i];
	}
	return any;
}

/* Category and user names are kept in one line of text: no tab, line
 * break or (for users) comma, and not empty. */
static int
name_ok(const char *what, const char *s, const char *bad)
{
	size_t bl;

	if (s[0] == '\0' || strpbrk(s, bad) != NULL)
		return crm_seterr(CRM_EDATA, "%s \"%s\": empty, or holds a tab, "
		    "line break%s", what, s, strchr(bad, ',') ? " or comma" : "");
	if (crm_utf8_check(s, strlen(s), &bl) != 0)
		return crm_seterr(CRM_EDATA, "%s: invalid UTF-8", what);
	return 0;
}

int
crm_assign_put(struct crm_txn *tx, const char *category, char *const *users,
    size_t nusers)
{
	struct crm_assign_rules rules = { NULL, 0 };
	struct crm_assign_rule nr;
	size_t i;
	int rc;

	memset(&nr, 0, sizeof(nr));
	if (nusers == 0)
		return crm_seterr(CRM_EUSAGE, "a rule needs a user or a team");
	rc = name_ok("category", category, "\t\n\r");
	for (i = 0; i < nusers && rc == 0; i++)
		rc = name_ok("user", users[i], "\t\n\r,");
	if (rc == 0)
		rc = crm_assign_load(tx, &rules);
	if (rc != 0)
		return rc;
	nr.category = strdup(category);
	nr.users = calloc(nusers, sizeof(*nr.users));
	if (nr.category == NULL || nr.users == NULL)
		rc = ENOMEM;
	for (i = 0; i < nusers && rc == 0; i++) {
		nr.users[i] = strdup(users[i]);
		if (nr.users[i] == NULL)
			rc = ENOMEM;
		else
			nr.nusers++;
	}
	for (i = 0; i < rules.n; i++)
		if (strcmp(rules.r[i].category, category) == 0)
			break;
	if (rc == 0 && i == rules.n) {
		struct crm_assign_rule *p = realloc(rules.r,
		    (rules.n + 1) * sizeof(*p));

		if (p == NULL)
			rc = ENOMEM;
		else {
			rules.r = p;
			memset(&rules.r[rules.n++], 0, sizeof(*p));
		}
	}
	if (rc == 0) {
		/* A rule given again replaces the old, and its turn starts over. */
		rule_free(&rules.r[i]);
		rules.r[i] = nr;
		memset(&nr, 0, sizeof(nr));
		rc = assign_store(tx, &rules, 1);
	}
	rule_free(&nr);
	crm_assign_free(&rules);
	return rc;
}

int
crm_assign_delete(struct crm_txn *tx, const char *category)
{
	struct crm_assign_rules rules;
	size_t i;
	int rc;

	rc = crm_assign_load(tx, &rules);
	if (rc != 0)
		return rc;
	for (i = 0; i < rules.n; i++)
		if (strcmp(rules.r[i].category, category) == 0)
			break;
	if (i == rules.n)
		rc = crm_seterr(CRM_ENOTFOUND, "no assignment rule for \"%s\"",
		    category);
	else {
		rule_free(&rules.r[i]);
		memmove(&rules.r[i], &rules.r[i + 1],
		    (rules.n - i - 1) * sizeof(rules.r[0]));
		rules.n--;
		rc = assign_store(tx, &rules, 1);
	}
	crm_assign_free(&rules);
	return rc;
}

/* Gives a new ticket its assignee by the rules, and passes the turn. */
static int
assign_by_rule(struct crm_txn *tx, struct crm_rec *t, const struct tf *f)
{
	struct crm_assign_rules rules;
	struct crm_assign_rule *r;
	const struct crm_val *cat = &t->v[f->category];
	const char *user;
	int rc;

	rc = crm_assign_load(tx, &rules);
	if (rc != 0 || rules.n == 0) {
		crm_assign_free(&rules);
		return rc;
	}
	r = rule_for(&rules, cat->state == CRM_V_SET ? cat->s : "",
	    cat->state == CRM_V_SET ? cat->len : 0);
	if (r != NULL) {
		user = r->users[r->next];
		rc = crm_rec_setf(t, f->assignee, user, strlen(user), tx->now);
		r->next = (r->next + 1) % r->nusers;
		if (rc == 0 && r->nusers > 1)
			rc = assign_store(tx, &rules, 0);
	}
	crm_assign_free(&rules);
	return rc;
}

/* ---- rules -------------------------------------------------------------------- */

/* A deadline: base + span (+ extra), refused past the printable range. */
static int
deadline(struct crm_rec *t, int f, int64_t base, int64_t span, int64_t extra)
{
	int64_t v;

	if (__builtin_add_overflow(base, span, &v) ||
	    __builtin_add_overflow(v, extra, &v) || v > MAX_TIME)
		return crm_seterr(CRM_EDATA, "field '%s': the deadline falls "
		    "after the year 9999", t->ent->fields[f].name);
	crm_rec_setint(t, f, v);
	return 0;
}

/* Escalates t when it is in breach now, or was just rated low. */
static int
auto_escalate(struct crm_txn *tx, const struct crm_sla *sla,
    const struct crm_rec *old, struct crm_rec *t, const struct tf *f)
{
	struct crm_ticket_clock c;
	struct crm_buf why = CRM_BUF_INIT;
	unsigned bits;
	int low, rc;

	if (isset(t, f->escalated) && t->v[f->escalated].i)
		return 0;
	crm_ticket_clock(sla, t, tx->now, 0, &c);
	bits = c.breach & CRM_BREACHED;
	low = isset(t, f->csat) && (old == NULL || !crm_rec_same(old, t, f->csat)) &&
	    t->v[f->csat].i <= sla->p[priority_of(t, f)].low_csat;
	if (bits == 0 && !low)
		return 0;
	rc = crm_breach_text(&why, bits);
	if (rc == 0 && low)
		rc = crm_buf_printf(&why, "%slow_csat", bits ? ";" : "");
	if (rc == 0)
		rc = crm_rec_setf(t, f->escalation, why.p, why.len, tx->now);
	crm_rec_setint(t, f->escalated, 1);
	crm_rec_setint(t, f->escalated_at, bits ? c.breached_at : tx->now);
	crm_buf_free(&why);
	return rc;
}

static int
ticket_created(struct crm_txn *tx, const struct crm_sla *sla,
    struct crm_rec *t, const struct tf *f)
{
	const struct crm_sla_row *row = &sla->p[priority_of(t, f)];
	int64_t base, pend;
	uint64_t holder;
	int rc = 0, g, status;

	/* A unique key taken: the store refuses the record and gives it
	 * back as it came (crm-import then updates the holder with it), so
	 * nothing may be derived into it, nor a turn of a rule used up. */
	for (g = 0; g < t->ent->nfields; g++) {
		if (!(t->ent->fields[g].flags & CRM_F_UNIQUE) || !isset(t, g))
			continue;
		rc = crm_find_by(tx, t, g, &holder);
		if (rc == 0)
			return 0;
		if (rc != CRM_ENOTFOUND)
			return rc;
	}
	rc = 0;		/* no holder: not an error for what follows */
	base = isset(t, CRM_FLD_CREATED) ? t->v[CRM_FLD_CREATED].i : tx->now;
	pend = isset(t, f->pending_secs) ? t->v[f->pending_secs].i : 0;
	status = enum_index(t, f->status);
	if (status == CRM_TS_PENDING && !isset(t, f->pending_since))
		crm_rec_setint(t, f->pending_since, tx->now);
	if (!isset(t, f->first_due))
		rc = deadline(t, f->first_due, base, row->first, 0);
	if (rc == 0 && !isset(t, f->res_due))
		rc = deadline(t, f->res_due, base, row->resolution,
		    row->pause_pending ? pend : 0);
	if (rc == 0 && !isset(t, f->assignee) && is_active(status))
		rc = assign_by_rule(tx, t, f);
	/* An escalated column in the input is its own answer. */
	if (rc == 0 && t->v[f->escalated].state == CRM_V_EMPTY)
		rc = auto_escalate(tx, sla, NULL, t, f);
	return rc;
}

/* Whether the flow allows from → to, and what to do instead. */
static int
check_flow(uint64_t id, int from, int to)
{
	static const unsigned char ok[CRM_NTS][CRM_NTS] = {
		/* to:      new open pend res closed */
		[CRM_TS_NEW] = { 1, 1, 1, 1, 0 },
		[CRM_TS_OPEN] = { 0, 1, 1, 1, 0 },
		[CRM_TS_PENDING] = { 0, 1, 1, 1, 0 },
		[CRM_TS_RESOLVED] = { 0, 1, 0, 1, 1 },
		[CRM_TS_CLOSED] = { 0, 1, 0, 0, 1 },
	};
	const char *hint;

	if (from < 0 || to < 0 || ok[from][to])
		return 0;
	hint = to == CRM_TS_NEW ? "a ticket is new only until it is worked on" :
	    from >= CRM_TS_RESOLVED ? "reopen it first" : "resolve it first";
	return crm_seterr(CRM_EDATA, "ticket %llu: cannot go from %s to %s: %s",
	    (unsigned long long)id, crm_status_name(from), crm_status_name(to),
	    hint);
}

/* Timestamps of a status change, where the write does not give them. */
static void
step_times(struct crm_txn *tx, const struct crm_rec *old, struct crm_rec *t,
    const struct tf *f, int from, int to)
{
	if (to == CRM_TS_RESOLVED && crm_rec_same(old, t, f->resolved_at))
		crm_rec_setint(t, f->resolved_at, tx->now);
	if (to == CRM_TS_CLOSED && crm_rec_same(old, t, f->closed_at))
		crm_rec_setint(t, f->closed_at, tx->now);
	if (to == CRM_TS_OPEN && from >= CRM_TS_RESOLVED) {
		/* Reopened: not resolved any more. */
		if (crm_rec_same(old, t, f->resolved_at))
			clear(t, f->resolved_at);
		if (crm_rec_same(old, t, f->closed_at))
			clear(t, f->closed_at);
	}
	if (from == CRM_TS_PENDING && isset(old, f->pending_since) &&
	    crm_rec_same(old, t, f->pending_since)) {
		int64_t spell = tx->now - old->v[f->pending_since].i;
		int64_t before = isset(t, f->pending_secs) ?
		    t->v[f->pending_secs].i : 0;

		if (spell > 0 && !__builtin_add_overflow(before, spell, &spell))
			crm_rec_setint(t, f->pending_secs, spell);
		clear(t, f->pending_since);
	}
	if (to == CRM_TS_PENDING && crm_rec_same(old, t, f->pending_since))
		crm_rec_setint(t, f->pending_since, tx->now);
}

static int
ticket_changed(struct crm_txn *tx, const struct crm_sla *sla,
    const struct crm_rec *old, struct crm_rec *t, const struct tf *f)
{
	const struct crm_sla_row *row = &sla->p[priority_of(t, f)];
	int from = enum_index(old, f->status), to = enum_index(t, f->status);
	int rc = 0, moved, reprice;

	moved = from != to;
	if (moved) {
		rc = check_flow(old->id, from, to);
		if (rc != 0)
			return rc;
		step_times(tx, old, t, f, from, to);
	}
	if (!crm_rec_same(old, t, f->csat)) {
		if (isset(old, f->csat))
			return crm_seterr(CRM_EDATA, "ticket %llu: rated %lld "
			    "already: one rating per ticket",
			    (unsigned long long)old->id,
			    (long long)old->v[f->csat].i);
		if (to != CRM_TS_RESOLVED && to != CRM_TS_CLOSED)
			return crm_seterr(CRM_EDATA, "ticket %llu is %s: a "
			    "ticket is rated when it is resolved or closed",
			    (unsigned long long)old->id, crm_status_name(to));
	}
	/* A new priority (or creation time) gives new deadlines; time that
	 * ends pending pushes the resolution back when the clock pauses. */
	reprice = (!crm_rec_same(old, t, f->priority) ||
	    !crm_rec_same(old, t, CRM_FLD_CREATED)) && isset(t, CRM_FLD_CREATED);
	if (reprice && crm_rec_same(old, t, f->first_due))
		rc = deadline(t, f->first_due, t->v[CRM_FLD_CREATED].i,
		    row->first, 0);
	if (rc == 0 && reprice && crm_rec_same(old, t, f->res_due))
		rc = deadline(t, f->res_due, t->v[CRM_FLD_CREATED].i,
		    row->resolution, row->pause_pending && isset(t, f->pending_secs) ?
		    t->v[f->pending_secs].i : 0);
	else if (rc == 0 && row->pause_pending && isset(t, f->res_due) &&
	    crm_rec_same(old, t, f->res_due) && !crm_rec_same(old, t, f->pending_secs))
		rc = deadline(t, f->res_due, t->v[f->res_due].i,
		    t->v[f->pending_secs].i, isset(old, f->pending_secs) ?
		    -old->v[f->pending_secs].i : 0);
	if (rc != 0)
		return rc;
	if (!crm_rec_same(old, t, f->escalated)) {
		/* Escalated or calmed by hand. */
		if (isset(t, f->escalated) && t->v[f->escalated].i) {
			if (crm_rec_same(old, t, f->escalated_at))
				crm_rec_setint(t, f->escalated_at, tx->now);
			if (crm_rec_same(old, t, f->escalation))
				rc = crm_rec_setf(t, f->escalation, "manual", 6,
				    tx->now);
		} else {
			if (crm_rec_same(old, t, f->escalated_at))
				clear(t, f->escalated_at);
			if (crm_rec_same(old, t, f->escalation))
				clear(t, f->escalation);
		}
		return rc;
	}
	/* Only a step of the ticket's own escalates it, not a merge of its
	 * customer or a new subject. */
	if (moved || reprice || !crm_rec_same(old, t, f->csat) ||
	    !crm_rec_same(old, t, f->first_at) || !crm_rec_same(old, t, f->resolved_at) ||
	    !crm_rec_same(old, t, f->first_due) || !crm_rec_same(old, t, f->res_due))
		rc = auto_escalate(tx, sla, old, t, f);
	return rc;
}

int
crm_ticket_before(struct crm_txn *tx, const struct crm_rec *old,
    struct crm_rec *nw)
{
	struct crm_sla sla;
	const struct tf *f = tfields();
	int rc;

	rc = crm_sla_load(tx, &sla);
	if (rc != 0)
		return rc;
	return old == NULL ? ticket_created(tx, &sla, nw, f) :
	    ticket_changed(tx, &sla, old, nw, f);
}

static int
is_reply(const struct crm_rec *a, int fkind, int fticket)
{
	const struct crm_val *k = &a->v[fkind];

	return k->state == CRM_V_SET && k->len == 5 &&
	    memcmp(k->s, "reply", 5) == 0 && isset(a, fticket);
}

/* The first response of a ticket: the earliest reply. */
static int
first_response(struct crm_rec *t, void *arg)
{
	const int64_t *at = arg;
	const struct tf *f = tfields();

	if (!isset(t, f->first_at) || *at < t->v[f->first_at].i)
		crm_rec_setint(t, f->first_at, *at);
	/* Answered: a new ticket is open now. */
	if (enum_index(t, f->status) == CRM_TS_NEW)
		return crm_rec_setf(t, f->status, "open", 4, 0);
	return 0;
}

int
crm_ticket_after(struct crm_txn *tx, const struct crm_rec *old,
    const struct crm_rec *nw)
{
	const struct crm_entity *ae;
	int fk, ft, fat, rc;
	int64_t at;

	if (nw == NULL)
		return 0;	/* a reply taken back leaves the response made */
	ae = nw->ent;
	fk = FLD(ae, "kind");
	ft = FLD(ae, "ticket");
	fat = FLD(ae, "at");
	if (!is_reply(nw, fk, ft))
		return 0;
	at = isset(nw, fat) ? nw->v[fat].i : nw->v[CRM_FLD_CREATED].i;
	if (old != NULL && is_reply(old, fk, ft) && crm_rec_same(old, nw, ft) &&
	    crm_rec_same(old, nw, fat))
		return 0;	/* moved with its customer, or re-worded */
	rc = crm_edit(tx, E_TICKET, (uint64_t)nw->v[ft].i, first_response, &at);
	if (rc == CRM_ENOTFOUND) {
		crm_clearerr();
		return 0;	/* gone: an undo restored a reply of a deleted ticket */
	}
	return rc == 1 ? 0 : rc;
}

/* ---- steps -------------------------------------------------------------------- */

/* The ticket's status and escalation before a step. */
static int
step_begin(struct crm_txn *tx, uint64_t id, struct crm_rec *t,
    struct crm_ticket_step *st, int *escalated)
{
	const struct tf *f = tfields();
	int rc;

	memset(st, 0, sizeof(*st));
	rc = crm_fetch(tx, t, id);
	if (rc != 0)
		return rc;
	st->from = st->to = enum_index(t, f->status);
	*escalated = isset(t, f->escalated) && t->v[f->escalated].i;
	return 0;
}

/* And after it: the status reached, and an escalation it caused. */
static int
step_end(struct crm_txn *tx, uint64_t id, struct crm_rec *t,
    struct crm_ticket_step *st, int escalated)
{
	const struct tf *f = tfields();
	int rc;

	rc = crm_fetch(tx, t, id);
	if (rc != 0)
		return rc;
	st->to = enum_index(t, f->status);
	if (!escalated && isset(t, f->escalated) && t->v[f->escalated].i) {
		st->escalated = 1;
		snprintf(st->why, sizeof(st->why), "%.*s",
		    (int)t->v[f->escalation].len,
		    t->v[f->escalation].s ? t->v[f->escalation].s : "");
	}
	return 0;
}

static int
set_status(struct crm_rec *t, void *arg)
{
	const int *to = arg;
	const char *name = crm_status_name(*to);
	const struct tf *f = tfields();

	return crm_rec_setf(t, f->status, name, strlen(name), 0);
}

/* Moves t (as fetched) to status to. */
static int
move(struct crm_txn *tx, const struct crm_rec *t, int from, int to)
{
	int rc;

	if (from == to)
		return crm_seterr(CRM_EDATA, "ticket %llu is %s already",
		    (unsigned long long)t->id, crm_status_name(to));
	rc = crm_edit(tx, t->ent, t->id, set_status, &to);
	return rc == 1 ? 0 : rc;
}

int
crm_ticket_move(struct crm_txn *tx, uint64_t id, int to,
    struct crm_ticket_step *st)
{
	struct crm_rec *t = crm_rec_new(E_TICKET);
	int rc, esc;

	if (t == NULL)
		return ENOMEM;
	rc = step_begin(tx, id, t, st, &esc);
	/* Reopening is for what was open once. */
	if (rc == 0 && to == CRM_TS_OPEN && st->from == CRM_TS_NEW)
		rc = crm_seterr(CRM_EDATA, "ticket %llu is new: a reply opens it",
		    (unsigned long long)id);
	if (rc == 0)
		rc = move(tx, t, st->from, to);
	if (rc == 0)
		rc = step_end(tx, id, t, st, esc);
	crm_rec_free(t);
	return rc;
}

int
crm_ticket_note(struct crm_txn *tx, uint64_t id, int reply, const char *text,
    int to, struct crm_ticket_step *st)
{
	const struct crm_entity *ae = E_ACTIVITY;
	struct crm_rec *t = crm_rec_new(E_TICKET), *a = crm_rec_new(ae);
	const char *kind = reply ? "reply" : "comment";
	const struct tf *f = tfields();
	int rc, esc;

	if (t == NULL || a == NULL) {
		rc = ENOMEM;
		goto done;
	}
	rc = step_begin(tx, id, t, st, &esc);
	if (rc != 0)
		goto done;
	if (reply && st->from == CRM_TS_CLOSED) {
		rc = crm_seterr(CRM_EDATA, "ticket %llu is closed: reopen it "
		    "to reply", (unsigned long long)id);
		goto done;
	}
	rc = crm_rec_setf(a, FLD(ae, "kind"), kind, strlen(kind), tx->now);
	crm_rec_setint(a, FLD(ae, "ticket"), (int64_t)id);
	/* A reply is part of the customer's story; a comment is internal. */
	if (reply && isset(t, f->customer))
		crm_rec_setint(a, FLD(ae, "customer"), t->v[f->customer].i);
	crm_rec_setint(a, FLD(ae, "at"), tx->now);
	if (rc == 0 && tx->user != NULL)
		rc = crm_rec_set(a, "by", 2, tx->user, strlen(tx->user), tx->now, 0);
	if (rc == 0)
		rc = crm_rec_set(a, "summary", 7, text, strlen(text), tx->now, 0);
	if (rc == 0)
		rc = crm_insert(tx, a);
	if (rc == 0)
		st->activity = a->id;
	if (rc == 0 && to >= 0) {
		rc = crm_fetch(tx, t, id);
		if (rc == 0 && enum_index(t, f->status) != to)
			rc = move(tx, t, enum_index(t, f->status), to);
	}
	if (rc == 0)
		rc = step_end(tx, id, t, st, esc);
done:
	crm_rec_free(t);
	crm_rec_free(a);
	return rc;
}

struct closing {
	int close, csat;
	const char *comment;
};

static int
set_closing(struct crm_rec *t, void *arg)
{
	const struct closing *c = arg;
	const struct tf *f = tfields();
	int rc = 0;

	if (c->close)
		rc = crm_rec_setf(t, f->status, "closed", 6, 0);
	if (rc == 0 && c->csat > 0)
		crm_rec_setint(t, f->csat, c->csat);
	if (rc == 0 && c->comment != NULL)
		rc = crm_rec_set(t, "csat_comment", 12, c->comment,
		    strlen(c->comment), 0, 0);
	return rc;
}

int
crm_ticket_close(struct crm_txn *tx, uint64_t id, int csat,
    const char *comment, struct crm_ticket_step *st)
{
	struct crm_rec *t = crm_rec_new(E_TICKET);
	struct closing c = { 1, csat, comment };
	int rc, esc;

	if (t == NULL)
		return ENOMEM;
	if (csat < 0 || csat > 5) {
		crm_rec_free(t);
		return crm_seterr(CRM_EDATA, "field 'csat': %d: not 1 to 5", csat);
	}
	rc = step_begin(tx, id, t, st, &esc);
	/* Closed already: the rating may still come, once. */
	if (rc == 0 && st->from == CRM_TS_CLOSED) {
		if (csat == 0)
			rc = crm_seterr(CRM_EDATA, "ticket %llu is closed already",
			    (unsigned long long)id);
		c.close = 0;
	}
	if (rc == 0) {
		rc = crm_edit(tx, t->ent, id, set_closing, &c);
		if (rc == 1)
			rc = 0;
	}
	if (rc == 0)
		rc = step_end(tx, id, t, st, esc);
	crm_rec_free(t);
	return rc;
}

static int
set_assignee(struct crm_rec *t, void *arg)
{
	const char *user = arg;

	return crm_rec_set(t, "assignee", 8, user ? user : "",
	    user ? strlen(user) : 0, 0, 0);
}

int
crm_ticket_assign(struct crm_txn *tx, uint64_t id, const char *user)
{
	return crm_edit(tx, E_TICKET, id, set_assignee, (void *)user);
}

/* ---- views ---------------------------------------------------------------------- */

struct picked {
	struct crm_rec *t;
	struct crm_ticket_clock c;
	int64_t key;
};

static int
cmp_picked(const void *a, const void *b)
{
	const struct picked *x = a, *y = b;

	if (x->key != y->key)
		return x->key < y->key ? -1 : 1;
	return x->t->id < y->t->id ? -1 : x->t->id > y->t->id;
}

/* Whether t belongs in the view, and its place in it. */
static int
in_view(const struct crm_ticket_sel *sel, const struct crm_rec *t,
    const struct crm_ticket_clock *c, const struct tf *f, int64_t *key)
{
	const struct crm_val *a = &t->v[f->assignee];
	unsigned soon = CRM_SOON_FIRST | CRM_SOON_RES;

	switch (sel->view) {
	case CRM_TV_QUEUE:
		if (!c->active || (sel->assignee != NULL &&
		    (a->state != CRM_V_SET || a->len != strlen(sel->assignee) ||
		    memcmp(a->s, sel->assignee, a->len) != 0)))
			return 0;
		*key = c->has_next ? c->next_due : INT64_MAX;
		return 1;
	case CRM_TV_BREACHES:
		if (!c->active || !(c->breach & (CRM_BREACHED | soon)))
			return 0;
		/* Breached first, by how long ago; then those due soon. */
		*key = c->breach & CRM_BREACHED ? c->breached_at :
		    c->breach & CRM_SOON_FIRST ? c->first_due : c->res_due;
		return 1;
	case CRM_TV_ESCALATIONS:
		if (isset(t, f->escalated) && t->v[f->escalated].i) {
			*key = isset(t, f->escalated_at) ?
			    t->v[f->escalated_at].i : INT64_MIN;
			return 1;
		}
		if (!c->active || !(c->breach & CRM_BREACHED))
			return 0;
		*key = c->breached_at;
		return 1;
	}
	return 0;
}

int
crm_ticket_select(struct crm_txn *tx, const struct crm_ticket_sel *sel,
    int (*fn)(const struct crm_rec *t, const struct crm_ticket_clock *c,
    void *arg), void *arg)
{
	const struct crm_entity *e = E_TICKET;
	struct crm_iter *it = NULL;
	struct crm_rec *r = NULL;
	struct picked *p = NULL;
	struct crm_sla sla;
	const struct tf *f = tfields();
	size_t n = 0, cap = 0, i;
	int rc;

	rc = crm_sla_load(tx, &sla);
	if (rc == 0)
		rc = crm_iter_all(tx, e, &it);
	r = crm_rec_new(e);
	if (rc == 0 && r == NULL)
		rc = ENOMEM;
	while (rc == 0) {
		struct crm_ticket_clock c;
		const void *data;
		uint64_t id;
		size_t len;
		int64_t key;

		rc = crm_iter_next(it, &id, &data, &len);
		if (rc == 0)
			rc = crm_rec_decode(r, id, data, len, CRM_DECODE_BORROW);
		if (rc != 0)
			break;
		crm_ticket_clock(&sla, r, tx->now, sel->soon, &c);
		if (!in_view(sel, r, &c, f, &key))
			continue;
		if (n == cap) {
			struct picked *q;

			cap = cap ? cap * 2 : 64;
			q = realloc(p, cap * sizeof(*q));
			if (q == NULL) {
				rc = ENOMEM;
				break;
			}
			p = q;
		}
		p[n].t = crm_rec_new(e);
		if (p[n].t == NULL || crm_rec_copy(p[n].t, r) != 0) {
			crm_rec_free(p[n].t);
			rc = ENOMEM;
			break;
		}
		p[n].c = c;
		p[n].key = key;
		n++;
	}
	if (rc == CRM_ENOTFOUND)
		rc = 0;
	if (rc == 0 && n > 1)
		qsort(p, n, sizeof(*p), cmp_picked);
	for (i = 0; i < n && rc == 0; i++)
		rc = fn(p[i].t, &p[i].c, arg);
	for (i = 0; i < n; i++)
		crm_rec_free(p[i].t);
	free(p);
	crm_rec_free(r);
	crm_iter_free(it);
	return rc;
}

int
crm_reclist_add(const struct crm_rec *r, void *arg)
{
	struct crm_reclist *l = arg;
	struct crm_rec *copy;

	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 16;
		struct crm_rec **p = realloc(l->r, cap * sizeof(*p));

		if (p == NULL)
			return ENOMEM;
		l->r = p;
		l->cap = cap;
	}
	copy = crm_rec_new(r->ent);
	if (copy == NULL || crm_rec_copy(copy, r) != 0) {
		crm_rec_free(copy);
		return ENOMEM;
	}
	l->r[l->n++] = copy;
	return 0;
}

void
crm_reclist_free(struct crm_reclist *l)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		crm_rec_free(l->r[i]);
	free(l->r);
	l->r = NULL;
	l->n = l->cap = 0;
}

struct earlier {
	const struct crm_rec *t;
	struct crm_reclist *out;
};

static int
before_t(const struct crm_rec *x, const struct crm_rec *t)
{
	int64_t a = x->v[CRM_FLD_CREATED].i, b = t->v[CRM_FLD_CREATED].i;

	return a < b || (a == b && x->id < t->id);
}

static int
collect_earlier(const struct crm_rec *x, void *arg)
{
	struct earlier *e = arg;

	if (x->id == e->t->id || !before_t(x, e->t))
		return 0;
	return crm_reclist_add(x, e->out);
}

static int
cmp_newest(const void *a, const void *b)
{
	const struct crm_rec *x = *(struct crm_rec *const *)a;
	const struct crm_rec *y = *(struct crm_rec *const *)b;

	return before_t(x, y) ? 1 : before_t(y, x) ? -1 : 0;
}

int
crm_ticket_earlier(struct crm_txn *tx, const struct crm_rec *t,
    size_t limit, struct crm_reclist *out, size_t *more)
{
	struct earlier e = { t, out };
	size_t start = out->n;
	const struct tf *f = tfields();
	int rc;

	*more = 0;
	if (!isset(t, f->customer))
		return 0;
	rc = crm_refs_each(tx, crm_entity_find("customer"),
	    (uint64_t)t->v[f->customer].i, t->ent, collect_earlier, &e);
	if (rc == 0 && out->n - start > 1)
		qsort(out->r + start, out->n - start, sizeof(*out->r),
		    cmp_newest);
	while (out->n - start > limit) {
		crm_rec_free(out->r[--out->n]);
		(*more)++;
	}
	return rc;
}
