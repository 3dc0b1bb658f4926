/*
 * import.c — the bulk-load engine behind crm-import (and `add -`,
 * `set -` of every tool).
 *
 * One pass over the inputs, inside crm_write: each row is mapped,
 * checked, resolved, matched and then created, updated, left unchanged,
 * skipped or rejected.  Rows see the rows before them (same
 * transaction), so duplicates inside a file match each other.  A batch
 * size commits every N rows; a "resume" mark in meta, keyed by a
 * fingerprint of the inputs, lets a re-run of an interrupted batched
 * import skip what was committed.  Every commit is listed under the
 * import's batch id, so --undo reverses the whole import.
 */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "audit.h"
#include "error.h"
#include "import.h"
#include "record.h"
#include "store.h"
#include "value.h"

#define CRM_EDRYRUN (CRM_ELAST + 1)	/* internal: abort, all is well */

/* Column roles besides a field number. */
enum { COL_CUSTOM = -1, COL_SKIP = -2, COL_ID = -3 };

struct colmap {
	unsigned keygen;
	size_t n;
	int *field;
	const char **custom;	/* custom names mapped to, NULL: as given */
};

/*
 * Two threads: a reader that parses rows and checks their values into
 * records (no database needed), and the writer, which holds the write
 * transaction and resolves, matches and stores them, in order.  They
 * meet in a ring of slots; each slot owns its record and a copy of its
 * row (for reports), so memory stays bounded by the ring.  A CSV or TSV
 * row's record (its values checked, then its index keys and encoding)
 * is made by whichever thread has time: the reader while the writer has
 * rows to go on with, the writer otherwise (see fill).
 */
#define RING 1024

enum { SLOT_ROW, SLOT_BAD, SLOT_FAIL, SLOT_HEADER, SLOT_EOF };

struct slot {
	int kind;
	size_t fi;		/* input it came from */
	size_t line;
	const struct colmap *map;	/* its input's, for the writer to
				 * fill the record with; NULL when filled */
	int prep_rc;		/* checking the values failed: a row error */
	char *reason;		/* malloc'd, for BAD, FAIL, HEADER or prep_rc */
	struct crm_rec *rec;
	struct crm_prep prep;	/* its keys and encoding, when made here */
	uint64_t given;		/* fields present in the row */
	const char *idtext;	/* the id column, in rowbuf */
	size_t idlen;
	struct crm_row row;
	const char **keys, **vals;
	size_t *lens, cap;
	struct crm_buf rowbuf;
};

/*
 * The ring is single-producer, single-consumer: each side publishes
 * how many slots it has filled or finished with in an atomic counter,
 * so a row crosses without a lock.  The mutex and conditions are only
 * for sleeping when the ring is empty or full; the other side wakes a
 * sleeper in bunches (a wake-up per row costs more than the row).
 */
struct pipe {
	pthread_t th;
	int running;
	pthread_mutex_t mu;
	pthread_cond_t can_put, can_get;
	struct slot *s;
	_Alignas(64) atomic_size_t put;	/* slots filled (reader) */
	_Alignas(64) atomic_size_t got;	/* slots finished (writer) */
	_Alignas(64) atomic_int stop;
	atomic_int getter_waits, putter_waits;
	size_t put_seen;		/* writer's last look at put */
};

#define WAKE_AT 64
/* Rows waiting for the writer above which the reader does its share:
 * first the record's values, then its keys and encoding.  Built with
 * both 0 (and -Wno-type-limits), the reader does all: instruction
 * counts (callgrind) then do not depend on timing. */
#ifndef FILL_AHEAD
#define FILL_AHEAD 64
#endif
#ifndef PREP_AHEAD
#define PREP_AHEAD 192
#endif

struct job {
	struct crm_db *db;
	const struct crm_import *o;
	const struct crm_import_input *in;
	size_t nin;
	struct crm_import_stats *st;
	int rules[CRM_IMPORT_MAXRULES];
	size_t nrules;
	int rules_cover_unique;	/* every unique field is a rule */
	int fast_create;	/* the rules are the unique fields in order:
				 * try the creation, the store names a match */
	size_t batch;		/* rows per commit (none on a dry run) */
	uint64_t bytes_total;	/* sizes of the inputs, for progress */
	uint64_t bytes_before;	/* sizes of the inputs already read */
	/* reading position */
	size_t fi;
	struct crm_reader *rd;
	size_t rows;		/* rows read of input fi */
	size_t total;		/* rows read of all inputs */
	int eof;
	/* position and counts at the last commit */
	size_t c_fi, c_rows, c_total;
	struct crm_import_stats c_st;
	/* resume */
	char fingerprint[40];
	size_t resume_rows;	/* rows committed by an interrupted run */
	uint64_t resume_batch;
	struct crm_import_stats prev;	/* that run's counts */
	/* per transaction */
	size_t txn_rows, txn_rejected;
	int input_failed;	/* an input could not be read to its end */
	int attempt;
	int header_bad;
	struct colmap map;	/* the reader thread's, for JSON records */
	struct colmap *maps;	/* per input with a header (CSV, TSV) */
	const char ***hdrs;	/* per input: its header, copied for the
				 * slots (the reader's goes with it) */
	struct crm_rec *rec, *old, *nw;	/* rec: the current slot's */
	uint64_t *given;	/* bit per field: present in the row */
	char reason[600];
	int64_t now;		/* for relative dates in values */
	struct pipe pp;
	size_t cur_fi;		/* writer side: input of the last slot */
};

const char *
crm_outcome_name(enum crm_outcome o)
{
	static const char *const names[] = { "created", "updated",
		"unchanged", "skipped", "rejected" };

	return names[o];
}

int
crm_import_match_parse(struct crm_import *opt, const char *spec)
{
	const char *p = spec;

	opt->nmatch = 0;
	while (*p != '\0') {
		size_t len = strcspn(p, ",");
		int f;

		if (opt->nmatch == CRM_IMPORT_MAXRULES)
			return crm_seterr(CRM_EUSAGE, "--match: at most %d rules",
			    CRM_IMPORT_MAXRULES);
		if (len == 2 && memcmp(p, "id", 2) == 0)
			f = CRM_MATCH_ID;
		else {
			f = crm_field_find(opt->ent, p, len);
			if (f < 0 || !(opt->ent->fields[f].flags &
			    (CRM_F_UNIQUE | CRM_F_INDEX)) ||
			    opt->ent->fields[f].type == CRM_T_TAGS)
				return crm_seterr(CRM_EUSAGE,
				    "--match \"%.*s\": not a unique or indexed field "
				    "of %s", (int)len, p, opt->ent->name);
		}
		opt->match[opt->nmatch++] = f;
		p += len;
		if (*p == ',')
			p++;
	}
	return 0;
}

/* ---- header mapping ------------------------------------------------------ */

/* "Ext ID", "ext-id" and "EXT_ID" all name ext_id. */
static int
field_by_header(const struct crm_entity *e, const char *key)
{
	char norm[80];
	size_t i, n = strlen(key);

	if (n == 0 || n >= sizeof(norm))
		return -1;
	for (i = 0; i < n; i++) {
		char c = key[i];

		norm[i] = c >= 'A' && c <= 'Z' ? (char)(c + 32) :
		    c == ' ' || c == '-' ? '_' : c;
	}
	norm[n] = '\0';
	if (strcmp(norm, "id") == 0)
		return COL_ID;
	return crm_field_find(e, norm, n);
}

/*
 * The column map of row: an input with a header keeps one (its rows may
 * be filled in by the writer, later); JSON records get theirs each.
 */
static int
build_map(struct job *j, const struct crm_row *row, struct colmap **out)
{
	const struct crm_import *o = j->o;
	struct colmap *m = row->keygen == 1 ? &j->maps[j->fi] : &j->map;
	size_t i, k;
	int f;

	*out = m;
	if (row->keygen == m->keygen && row->n == m->n && row->keygen == 1)
		return 0;
	free(m->field);
	free(m->custom);
	m->field = calloc(row->n ? row->n : 1, sizeof(*m->field));
	m->custom = calloc(row->n ? row->n : 1, sizeof(*m->custom));
	if (m->field == NULL || m->custom == NULL)
		return ENOMEM;
	m->n = row->n;
	m->keygen = row->keygen;
	/* A --map for a column that is not there is a typo, not a no-op
	 * (checked against CSV and TSV headers; JSON records vary). */
	for (k = 0; k < o->nmap && row->keygen == 1; k++) {
		for (i = 0; i < row->n; i++)
			if (strcmp(o->map_from[k], row->keys[i]) == 0)
				break;
		if (i == row->n)
			return crm_seterr(CRM_EDATA,
			    "--map '%s=%s': no column '%s' in the header",
			    o->map_from[k], o->map_to[k], o->map_from[k]);
	}
	for (i = 0; i < row->n; i++) {
		const char *key = row->keys[i], *to = NULL;

		for (k = 0; k < o->nmap; k++)
			if (strcmp(o->map_from[k], key) == 0) {
				to = o->map_to[k];
				break;
			}
		if (to != NULL && to[0] == '\0') {
			m->field[i] = COL_SKIP;	/* --map 'Column=' drops it */
			continue;
		}
		f = field_by_header(o->ent, to != NULL ? to : key);
		if (f >= 0 && (o->ent->fields[f].flags & CRM_F_SYSTEM))
			f = COL_SKIP;	/* updated_at is crm's to set */
		for (k = 0; f >= 0 && k < i; k++)
			if (m->field[k] == f)
				return crm_seterr(CRM_EDATA,
				    "columns '%s' and '%s' both give field '%s' (drop "
				    "one with --map '%s=')", row->keys[k], key,
				    o->ent->fields[f].name, key);
		if (f != -1) {
			m->field[i] = f;
			continue;
		}
		if (o->strict && to == NULL)
			return crm_seterr(CRM_EDATA,
			    "column '%s' is not a field of %s (map it with --map, "
			    "or drop --strict)", key, o->ent->name);
		m->field[i] = COL_CUSTOM;
		m->custom[i] = to;
		if (!crm_custom_name_ok(to != NULL ? to : key,
		    strlen(to != NULL ? to : key)))
			return crm_seterr(CRM_EDATA,
			    "column '%s': not usable as a field name (map it with "
			    "--map '%s=NAME')", key, key);
	}
	return 0;
}

/* ---- one row --------------------------------------------------------------- */

static int
emit(struct job *j, const char *file, const struct crm_row *row,
    enum crm_outcome oc, uint64_t id, const char *reason)
{
	struct crm_import_event ev;

	switch (oc) {
	case CRM_ROW_CREATED: j->st->created++; break;
	case CRM_ROW_UPDATED: j->st->updated++; break;
	case CRM_ROW_UNCHANGED: j->st->unchanged++; break;
	case CRM_ROW_SKIPPED: j->st->skipped++; break;
	case CRM_ROW_REJECTED: j->st->rejected++; j->txn_rejected++; break;
	}
	if (j->o->report == NULL)
		return 0;
	ev.file = file;
	ev.line = row != NULL ? row->line : 0;
	ev.outcome = oc;
	ev.id = id;
	ev.reason = reason;
	ev.row = row;
	ev.attempt = j->attempt;
	return j->o->report(j->o->arg, &ev);
}

/* Keeps the detail of the error being handled as the row's reason. */
static const char *
why(struct job *j, int rc)
{
	snprintf(j->reason, sizeof(j->reason), "%s", crm_errdetail(rc));
	return j->reason;
}

static int
is_rowerr(int rc)
{
	return rc == CRM_EDATA || rc == CRM_EEXIST || rc == CRM_EUSAGE ||
	    rc == CRM_ENOTFOUND;
}

/* The slot's row: row's line and width over the slot's arrays. */
static void
slot_row(struct slot *sl, const struct crm_row *row)
{
	sl->row.line = row->line;
	sl->row.n = row->n;
	sl->row.keys = sl->keys;
	sl->row.vals = sl->vals;
	sl->row.lens = sl->lens;
	sl->row.keygen = row->keygen;
}

/* The slot's arrays for n fields. */
static int
slot_reserve(struct slot *sl, size_t n)
{
	void *a;

	if (n <= sl->cap)
		return 0;
	a = realloc(sl->keys, n * sizeof(*sl->keys));
	if (a == NULL)
		return ENOMEM;
	sl->keys = a;
	a = realloc(sl->vals, n * sizeof(*sl->vals));
	if (a == NULL)
		return ENOMEM;
	sl->vals = a;
	a = realloc(sl->lens, n * sizeof(*sl->lens));
	if (a == NULL)
		return ENOMEM;
	sl->lens = a;
	sl->cap = n;
	return 0;
}

/*
 * Moves a row into its slot: the reader hands over the buffer holding
 * its bytes (and takes the slot's old one), so nothing is copied but
 * the pointers.  A header (CSV, TSV) is copied once per input instead.
 */
static int
take_row(struct job *j, struct slot *sl, const struct crm_row *row)
{
	const char *const *keys = row->keys;
	char *p;
	size_t i, size;
	int rc;

	if (row->keygen == 1 && j->hdrs[j->fi] == NULL) {
		/* n names, then their bytes, in one block. */
		for (i = 0, size = row->n * sizeof(char *); i < row->n; i++)
			size += strlen(row->keys[i]) + 1;
		j->hdrs[j->fi] = malloc(size);
		if (j->hdrs[j->fi] == NULL)
			return ENOMEM;
		p = (char *)(j->hdrs[j->fi] + row->n);
		for (i = 0; i < row->n; i++) {
			size = strlen(row->keys[i]) + 1;
			j->hdrs[j->fi][i] = memcpy(p, row->keys[i], size);
			p += size;
		}
	}
	if (row->keygen == 1)
		keys = j->hdrs[j->fi];
	rc = slot_reserve(sl, row->n);
	if (rc == 0)
		rc = crm_reader_take(j->rd, &sl->rowbuf);
	if (rc != 0)
		return rc;
	for (i = 0; i < row->n; i++) {
		sl->keys[i] = keys[i];
		sl->vals[i] = row->vals[i];
		sl->lens[i] = row->lens[i];
	}
	slot_row(sl, row);
	return 0;
}

/* Copies a row into its slot (a bad row: the reader keeps its bytes). */
static int
copy_row(struct slot *sl, const struct crm_row *row)
{
	size_t i, *off;
	int rc;

	rc = slot_reserve(sl, row->n);
	if (rc != 0)
		return rc;
	crm_buf_reset(&sl->rowbuf);
	/* Offsets first (the buffer may move), pointers after. */
	off = (size_t *)sl->lens;
	for (i = 0; i < row->n && rc == 0; i++) {
		off[i] = sl->rowbuf.len;
		rc = crm_buf_add(&sl->rowbuf, row->vals[i], row->lens[i]);
		if (rc == 0)
			rc = crm_buf_addc(&sl->rowbuf, '\0');
		/* Keys too: the reader frees its header at the end of an
		 * input, while rows of it may still wait in the ring. */
		if (rc == 0)
			rc = crm_buf_adds(&sl->rowbuf, row->keys[i]);
		if (rc == 0)
			rc = crm_buf_addc(&sl->rowbuf, '\0');
	}
	if (rc != 0)
		return rc;
	for (i = 0; i < row->n; i++) {
		sl->vals[i] = sl->rowbuf.p + off[i];
		sl->keys[i] = sl->vals[i] + row->lens[i] + 1;
	}
	for (i = 0; i < row->n; i++)
		sl->lens[i] = row->lens[i];
	slot_row(sl, row);
	return 0;
}

static void
slot_say(struct slot *sl, int kind, size_t line, const char *msg)
{
	free(sl->reason);
	sl->kind = kind;
	sl->line = line;
	sl->reason = strdup(msg);	/* NULL when out of memory: "?" below */
}

/* Fills the slot's record from its row under map m: presets, then each
 * column.  Either thread may: it touches only the slot. */
static int
prepare(struct job *j, struct slot *sl, const struct colmap *m)
{
	const struct crm_import *o = j->o;
	const struct crm_row *row = &sl->row;
	struct crm_rec *r = sl->rec;
	size_t i;
	int rc = 0;

	crm_rec_reset(r);
	sl->given = 0;
	sl->idtext = NULL;
	sl->idlen = 0;
	for (i = 0; i < o->npreset && rc == 0; i++) {
		const char *eq = strchr(o->preset[i], '=');

		rc = crm_rec_set(r, o->preset[i], (size_t)(eq - o->preset[i]),
		    eq + 1, strlen(eq + 1), j->now, 0);
	}
	for (i = 0; i < row->n && rc == 0; i++) {
		int f = m->field[i];

		if (f == COL_SKIP)
			continue;
		if (f == COL_ID) {
			sl->idtext = row->vals[i];
			sl->idlen = row->lens[i];
		} else if (f == COL_CUSTOM) {
			const char *name = m->custom[i] != NULL ? m->custom[i] :
			    row->keys[i];

			rc = crm_rec_set(r, name, strlen(name), row->vals[i],
			    row->lens[i], j->now, 0);
		} else {
			/* The row's bytes live in the slot as long as r. */
			rc = crm_rec_setf_ref(r, f, row->vals[i], row->lens[i],
			    j->now);
			if (f < 64)
				sl->given |= (uint64_t)1 << f;
		}
	}
	return rc;
}

/* The record the row matches under the rules, or 0. */
static int
match(struct job *j, struct crm_txn *tx, const char *idtext, size_t idlen,
    uint64_t *id, int *rule)
{
	size_t k;
	int rc;

	*id = 0;
	for (k = 0; k < j->nrules; k++) {
		int f = j->rules[k];

		if (f == CRM_MATCH_ID) {
			if (idtext == NULL || idlen == 0)
				continue;
			rc = crm_lookup(tx, j->o->ent, idtext, idlen, id);
			if (rc == CRM_ENOTFOUND) {
				crm_clearerr();
				*id = 0;
				continue;
			}
		} else
			rc = crm_find_by(tx, j->rec, f, id);
		if (rc == CRM_ENOTFOUND) {
			*id = 0;
			continue;
		}
		if (rc != 0)
			return rc;
		*rule = f;
		return 0;
	}
	return 0;
}

/* A unique value of the row that belongs to another record. */
static int
check_unique(struct job *j, struct crm_txn *tx, uint64_t self)
{
	const struct crm_entity *e = j->o->ent;
	uint64_t other;
	int f, rc;

	for (f = 0; f < e->nfields; f++) {
		if (!(e->fields[f].flags & CRM_F_UNIQUE))
			continue;
		rc = crm_find_by(tx, j->rec, f, &other);
		if (rc == CRM_ENOTFOUND)
			continue;
		if (rc != 0)
			return rc;
		if (other != self) {
			struct crm_buf t = CRM_BUF_INIT;

			crm_rec_text(j->rec, f, &t);
			rc = crm_seterr(CRM_EEXIST,
			    "field '%s': \"%s\" already belongs to %s %llu",
			    e->fields[f].name, t.p ? t.p : "", e->name,
			    (unsigned long long)other);
			crm_buf_free(&t);
			return rc;
		}
	}
	return 0;
}

/*
 * A row that matches a record by one rule but names it differently by
 * another (same e-mail, another ext_id) is two identities, not an
 * update: refused, so no re-run flips the record between them.
 */
static int
check_identity(struct job *j, int rule)
{
	const struct crm_entity *e = j->o->ent;
	struct crm_buf ta = CRM_BUF_INIT, tb = CRM_BUF_INIT;
	struct crm_buf na = CRM_BUF_INIT, nb = CRM_BUF_INIT;
	size_t k;
	int rc = 0;

	for (k = 0; k < j->nrules && rc == 0; k++) {
		int f = j->rules[k];

		if (f == rule || f == CRM_MATCH_ID ||
		    !(e->fields[f].flags & CRM_F_UNIQUE) ||
		    j->rec->v[f].state != CRM_V_SET ||
		    j->old->v[f].state != CRM_V_SET)
			continue;
		crm_buf_reset(&ta);
		crm_buf_reset(&tb);
		crm_buf_reset(&na);
		crm_buf_reset(&nb);
		rc = crm_rec_text(j->rec, f, &ta);
		if (rc == 0)
			rc = crm_rec_text(j->old, f, &tb);
		if (rc == 0)
			rc = crm_index_key(e, f, ta.p ? ta.p : "", ta.len, &na);
		if (rc == 0)
			rc = crm_index_key(e, f, tb.p ? tb.p : "", tb.len, &nb);
		if (rc == 0 && (na.len != nb.len ||
		    memcmp(na.p, nb.p, na.len) != 0))
			rc = crm_seterr(CRM_EDATA,
			    "field '%s': \"%s\", but %s %llu (matched by %s) has "
			    "\"%s\"", e->fields[f].name, ta.p, e->name,
			    (unsigned long long)j->old->id,
			    rule == CRM_MATCH_ID ? "id" : e->fields[rule].name, tb.p);
	}
	crm_buf_free(&ta);
	crm_buf_free(&tb);
	crm_buf_free(&na);
	crm_buf_free(&nb);
	return rc;
}

/* Do the row and the old record hold field f in the same normal form? */
static int
same_key(struct job *j, int f)
{
	const struct crm_val *a = &j->rec->v[f], *b = &j->old->v[f];
	struct crm_buf x = CRM_BUF_INIT, y = CRM_BUF_INIT;
	int same = 0;

	if (a->state != CRM_V_SET || b->state != CRM_V_SET)
		return 0;
	if (j->o->ent->fields[f].type == CRM_T_PHONE)
		same = crm_phone_equal(a->s, a->len, b->s, b->len);
	else if (crm_index_key(j->o->ent, f, a->s, a->len, &x) == 0 &&
	    crm_index_key(j->o->ent, f, b->s, b->len, &y) == 0)
		same = x.len == y.len && memcmp(x.p, y.p, x.len) == 0;
	crm_buf_free(&x);
	crm_buf_free(&y);
	return same;
}

/* nw = old with the row's values over it. */
static int
overlay(struct job *j)
{
	const struct crm_entity *e = j->o->ent;
	struct crm_rec *in = j->rec, *nw = j->nw;
	size_t i;
	int f, rc;

	rc = crm_rec_copy(nw, j->old);
	for (f = CRM_FLD_UPDATED + 1; f < e->nfields && rc == 0; f++) {
		int given = f < 64 && (j->given[0] & ((uint64_t)1 << f));

		if (in->v[f].state == CRM_V_EMPTY && !(given && j->o->empty_clears))
			continue;
		/* The same address or number spelt otherwise is no change,
		 * or every re-run would flip it between the spellings. */
		if ((e->fields[f].type == CRM_T_EMAIL ||
		    e->fields[f].type == CRM_T_PHONE) && same_key(j, f))
			continue;
		nw->v[f] = in->v[f];	/* strings stay in in's arena */
	}
	if (rc == 0 && in->v[CRM_FLD_CREATED].state == CRM_V_SET)
		nw->v[CRM_FLD_CREATED] = in->v[CRM_FLD_CREATED];
	for (i = 0; i < in->ncust && rc == 0; i++) {
		const struct crm_custom *c = &in->cust[i];

		if (c->len == 0 && !j->o->empty_clears)
			continue;
		rc = crm_rec_set(nw, c->name, c->nlen, c->s, c->len, 0, 0);
	}
	return rc;
}

static int
process(struct job *j, struct crm_txn *tx, const char *file,
    struct slot *sl)
{
	const struct crm_import *o = j->o;
	const struct crm_row *row = &sl->row;
	const char *idtext;
	size_t idlen;
	uint64_t id = 0;
	int rc, rule = -1;

	j->rec = sl->rec;
	j->given = &sl->given;
	if (sl->map != NULL) {
		/* Left to the writer (see fill). */
		rc = prepare(j, sl, sl->map);
		sl->map = NULL;
		sl->prep_rc = rc;
		if (rc != 0)
			slot_say(sl, SLOT_ROW, sl->line, crm_errdetail(rc));
	}
	if (sl->prep_rc != 0)
		return emit(j, file, row, CRM_ROW_REJECTED, 0, sl->reason);
	idtext = sl->idtext;
	idlen = sl->idlen;
	rc = crm_resolve(tx, j->rec);
	if (rc == 0 && j->fast_create) {
		/* Most rows of a load are new: one pass of the unique keys
		 * both checks and claims them. */
		rc = crm_insert(tx, j->rec);
		if (rc == 0)
			return emit(j, file, row, CRM_ROW_CREATED, j->rec->id, NULL);
		if (!is_rowerr(rc))
			return rc;
		if (rc == CRM_EEXIST && tx->conflict_id != 0) {
			/* A match: the store gave the record back as it was. */
			id = tx->conflict_id;
			rule = tx->conflict_field;
			crm_clearerr();
			rc = 0;
		} else {
			/* Refused as a new record (a required field missing, an
			 * overpayment): as an update of a match it may be fine. */
			why(j, rc);
			crm_clearerr();
			rc = match(j, tx, idtext, idlen, &id, &rule);
			if (rc == 0 && id == 0)
				return emit(j, file, row, CRM_ROW_REJECTED, 0,
				    j->reason);
		}
	} else if (rc == 0)
		rc = match(j, tx, idtext, idlen, &id, &rule);
	/* An id names one of crm's records: one that is not there is an
	 * error, never a new record (another system's keys go in ext_id). */
	if (rc == 0 && id == 0 && idtext != NULL && idlen > 0) {
		size_t k;

		for (k = 0; k < j->nrules; k++)
			if (j->rules[k] == CRM_MATCH_ID)
				rc = crm_seterr(CRM_EDATA, "%s %.*s: not found",
				    o->ent->name, (int)idlen, idtext);
	}
	if (is_rowerr(rc))
		return emit(j, file, row, CRM_ROW_REJECTED, 0, why(j, rc));
	if (rc != 0)
		return rc;
	if (id != 0) {
		char msg[600];

		if (rule == CRM_MATCH_ID)
			snprintf(msg, sizeof(msg), "matches %s %llu by id",
			    o->ent->name, (unsigned long long)id);
		else {
			struct crm_buf t = CRM_BUF_INIT;

			crm_rec_text(j->rec, rule, &t);
			snprintf(msg, sizeof(msg),
			    "field '%s': \"%s\" already belongs to %s %llu",
			    o->ent->fields[rule].name, t.p ? t.p : "", o->ent->name,
			    (unsigned long long)id);
			crm_buf_free(&t);
		}
		if (o->on_match == CRM_ONMATCH_SKIP)
			return emit(j, file, row, CRM_ROW_SKIPPED, id, msg);
		if (o->on_match == CRM_ONMATCH_ERROR)
			return emit(j, file, row, CRM_ROW_REJECTED, id, msg);
		rc = check_unique(j, tx, id);
		if (rc == 0)
			rc = crm_fetch(tx, j->old, id);
		if (rc == 0)
			rc = check_identity(j, rule);
		if (rc == 0)
			rc = overlay(j);
		if (rc == 0)
			rc = crm_update(tx, j->old, j->nw);
		if (rc == 1)
			return emit(j, file, row, CRM_ROW_UNCHANGED, id, NULL);
		if (is_rowerr(rc))
			return emit(j, file, row, CRM_ROW_REJECTED, id, why(j, rc));
		if (rc != 0)
			return rc;
		return emit(j, file, row, CRM_ROW_UPDATED, id, NULL);
	}
	if (o->on_new == CRM_ONNEW_SKIP)
		return emit(j, file, row, CRM_ROW_SKIPPED, 0, "no match");
	if (o->on_new == CRM_ONNEW_ERROR) {
		snprintf(j->reason, sizeof(j->reason),
		    "row names no %s: give an id or a unique field column",
		    o->ent->name);
		return emit(j, file, row, CRM_ROW_REJECTED, 0, j->reason);
	}
	/* With every unique field a rule, no match means none is taken. */
	rc = j->rules_cover_unique ? 0 : check_unique(j, tx, 0);
	if (rc == 0)
		rc = crm_insert(tx, j->rec);
	if (is_rowerr(rc))
		return emit(j, file, row, CRM_ROW_REJECTED, 0, why(j, rc));
	if (rc != 0)
		return rc;
	return emit(j, file, row, CRM_ROW_CREATED, j->rec->id, NULL);
}

/* ---- batches, resume marks ------------------------------------------------- */

static int
meta_put(struct crm_txn *tx, const char *key, const void *val, size_t len)
{
	MDB_val k = { strlen(key), (void *)key }, v = { len, (void *)val };

	return mdb_put(tx->t, crm_db_meta(tx->db), &k, &v, 0);
}

static int
meta_get(struct crm_txn *tx, const char *key, MDB_val *v)
{
	MDB_val k = { strlen(key), (void *)key };
	int rc = mdb_get(tx->t, crm_db_meta(tx->db), &k, v);

	return rc == MDB_NOTFOUND ? CRM_ENOTFOUND : rc;
}

static int
new_batch(struct crm_txn *tx, uint64_t *batch)
{
	unsigned char b[8];
	MDB_val v;
	int rc;

	rc = meta_get(tx, "seq/batch", &v);
	*batch = rc == 0 && v.mv_size == 8 ? crm_be64_get(v.mv_data) : 1;
	if (rc != 0 && rc != CRM_ENOTFOUND)
		return rc;
	crm_be64_put(b, *batch + 1);
	return meta_put(tx, "seq/batch", b, 8);
}

/* Records this commit under the batch: its change and the counts. */
static int
note_batch(struct job *j, struct crm_txn *tx)
{
	struct crm_buf v = CRM_BUF_INIT;
	struct crm_import_stats sum = *j->st, *s = &sum;
	char key[64];
	uint64_t change;
	size_t i;
	int rc;

	rc = crm_audit_change(tx, &change);
	if (rc != 0)
		return rc;
	/* A resumed import: its rows skipped as imported before were
	 * counted by the run that imported them. */
	if (j->resume_rows > 0) {
		size_t again = j->total < j->resume_rows ? j->total : j->resume_rows;

		s->read = j->prev.read + s->read - again;
		s->skipped = j->prev.skipped + s->skipped - again;
		s->created += j->prev.created;
		s->updated += j->prev.updated;
		s->unchanged += j->prev.unchanged;
		s->rejected += j->prev.rejected;
	}
	snprintf(key, sizeof(key), "batchchg/%020llu/%020llu",
	    (unsigned long long)s->batch, (unsigned long long)change);
	rc = meta_put(tx, key, "", 0);
	/* at, entity, counts, user, files: one small record. */
	if (rc == 0)
		rc = crm_buf_addvarint(&v, (uint64_t)tx->now);
	if (rc == 0)
		rc = crm_buf_addvarint(&v, (uint64_t)j->o->ent->num);
	if (rc == 0)
		rc = crm_buf_addvarint(&v, s->read);
	if (rc == 0)
		rc = crm_buf_addvarint(&v, s->created);
	if (rc == 0)
		rc = crm_buf_addvarint(&v, s->updated);
	if (rc == 0)
		rc = crm_buf_addvarint(&v, s->unchanged);
	if (rc == 0)
		rc = crm_buf_addvarint(&v, s->skipped);
	if (rc == 0)
		rc = crm_buf_addvarint(&v, s->rejected);
	if (rc == 0)
		rc = crm_buf_printf(&v, "%s", tx->user);
	if (rc == 0)
		rc = crm_buf_addc(&v, '\0');
	for (i = 0; i < j->nin && rc == 0; i++)
		rc = crm_buf_printf(&v, "%s%s", i ? " " : "", j->in[i].name);
	snprintf(key, sizeof(key), "batch/%020llu", (unsigned long long)s->batch);
	if (rc == 0)
		rc = meta_put(tx, key, v.p, v.len);
	crm_buf_free(&v);
	return rc;
}

/*
 * A fingerprint of the inputs (entity, sizes, first 64 KiB of each):
 * the same files give the same mark, so a re-run finds where it stopped.
 */
static void
fingerprint(struct job *j)
{
	uint64_t h = 1469598103934665603ULL;
	char buf[4096];
	size_t i, n, total;
	struct stat st;

	h = (h ^ (uint64_t)j->o->ent->num) * 1099511628211ULL;
	for (i = 0; i < j->nin; i++) {
		FILE *fp = j->in[i].fp;

		if (fstat(fileno(fp), &st) == 0)
			h = (h ^ (uint64_t)st.st_size) * 1099511628211ULL;
		if (fseeko(fp, 0, SEEK_SET) != 0)
			continue;
		for (total = 0; total < 65536 &&
		    (n = fread(buf, 1, sizeof(buf), fp)) > 0; total += n) {
			size_t k;

			for (k = 0; k < n; k++)
				h = (h ^ (unsigned char)buf[k]) * 1099511628211ULL;
		}
		clearerr(fp);
	}
	snprintf(j->fingerprint, sizeof(j->fingerprint), "resume/%016llx",
	    (unsigned long long)h);
}

static int
resume_put(struct job *j, struct crm_txn *tx)
{
	unsigned char b[16];

	crm_be64_put(b, j->total);
	crm_be64_put(b + 8, j->st->batch);
	return meta_put(tx, j->fingerprint, b, 16);
}

/* ---- the pass ---------------------------------------------------------------- */

static int
open_input(struct job *j)
{
	if (fseeko(j->in[j->fi].fp, 0, SEEK_SET) != 0 &&
	    j->in[j->fi].fp != stdin)
		return errno;
	clearerr(j->in[j->fi].fp);
	return crm_reader_new(&j->rd, j->in[j->fi].fp, j->o->fmt);
}

/* Reads the next row into sl (reader thread). */
static void
fill(struct job *j, struct slot *sl, size_t ahead)
{
	const struct crm_row *row;
	struct colmap *m;
	int rc;

	for (;;) {
		if (j->rd == NULL) {
			if (j->fi >= j->nin) {
				sl->kind = SLOT_EOF;
				return;
			}
			rc = open_input(j);
			if (rc != 0) {
				slot_say(sl, SLOT_FAIL, 0, crm_errdetail(rc));
				sl->fi = j->fi++;
				return;
			}
		}
		sl->fi = j->fi;
		rc = crm_reader_next(j->rd, &row);
		if (rc == CRM_ENOTFOUND) {
			crm_reader_free(j->rd);
			j->rd = NULL;
			j->fi++;
			continue;
		}
		if (rc != 0) {
			int failed = crm_reader_failed(j->rd);
			const struct crm_row *bad = crm_reader_badrow(j->rd);

			/* A bad row, or input that cannot be read on. */
			slot_say(sl, failed ? SLOT_FAIL : SLOT_BAD,
			    crm_reader_line(j->rd), crm_errdetail(rc));
			sl->row.n = 0;
			if (bad != NULL && copy_row(sl, bad) != 0)
				sl->row.n = 0;
			if (failed) {
				crm_reader_free(j->rd);
				j->rd = NULL;
				j->fi++;
			}
			return;
		}
		sl->kind = SLOT_ROW;
		sl->line = row->line;
		sl->map = NULL;
		rc = build_map(j, row, &m);
		if (rc != 0) {
			char msg[700];

			snprintf(msg, sizeof(msg), "%s:1: %s",
			    strcmp(j->in[j->fi].name, "-") == 0 ? "<stdin>" :
			    j->in[j->fi].name, crm_errdetail(rc));
			slot_say(sl, SLOT_HEADER, 1, msg);
			return;
		}
		rc = take_row(j, sl, row);
		/*
		 * The record's values, then its index keys and encoding, made
		 * here while the writer has rows enough to go on with; when it
		 * is about to run dry, the row goes as it is and the writer
		 * does the rest (crm_insert does without keys made ahead), so
		 * neither thread waits for work the other could have done.
		 * A JSON record's map is gone with the next: filled here.
		 */
		if (rc == 0 && row->keygen == 1 && ahead < FILL_AHEAD) {
			sl->map = m;
			return;
		}
		if (rc == 0)
			rc = prepare(j, sl, m);
		if (rc == 0 && j->o->on_new == CRM_ONNEW_CREATE &&
		    ahead >= PREP_AHEAD)
			crm_prepare(sl->rec, j->now, &sl->prep);
		sl->prep_rc = rc;
		if (rc != 0)
			slot_say(sl, SLOT_ROW, row->line, crm_errdetail(rc));
		return;
	}
}

static void *
reader_main(void *arg)
{
	struct job *j = arg;
	struct pipe *pp = &j->pp;
	size_t put, got = 0;
	int kind;

	for (;;) {
		put = atomic_load_explicit(&pp->put, memory_order_relaxed);
		if (put - got == RING)
			got = atomic_load(&pp->got);
		if (put - got == RING) {
			pthread_mutex_lock(&pp->mu);
			atomic_store(&pp->putter_waits, 1);
			while ((put - (got = atomic_load(&pp->got))) == RING &&
			    !atomic_load(&pp->stop))
				pthread_cond_wait(&pp->can_put, &pp->mu);
			atomic_store(&pp->putter_waits, 0);
			pthread_mutex_unlock(&pp->mu);
		}
		if (atomic_load_explicit(&pp->stop, memory_order_relaxed))
			break;
		/* The writer never touches slots past put. */
		pp->s[put % RING].prep_rc = 0;
		fill(j, &pp->s[put % RING], put - atomic_load_explicit(&pp->got,
		    memory_order_relaxed));
		kind = pp->s[put % RING].kind;
		atomic_store(&pp->put, put + 1);
		if (atomic_load(&pp->getter_waits) && (kind != SLOT_ROW ||
		    put + 1 - atomic_load(&pp->got) >= WAKE_AT)) {
			pthread_mutex_lock(&pp->mu);
			pthread_cond_signal(&pp->can_get);
			pthread_mutex_unlock(&pp->mu);
		}
		if (kind == SLOT_EOF || kind == SLOT_HEADER)
			break;
	}
	return NULL;
}

static int
reader_start(struct job *j)
{
	struct pipe *pp = &j->pp;
	int rc;

	atomic_store(&pp->put, 0);
	atomic_store(&pp->got, 0);
	atomic_store(&pp->stop, 0);
	pp->put_seen = 0;
	rc = pthread_create(&pp->th, NULL, reader_main, j);
	if (rc != 0)
		return rc;
	pp->running = 1;
	return 0;
}

static void
reader_stop(struct job *j)
{
	struct pipe *pp = &j->pp;

	if (!pp->running)
		return;
	atomic_store(&pp->stop, 1);
	pthread_mutex_lock(&pp->mu);
	pthread_cond_signal(&pp->can_put);
	pthread_mutex_unlock(&pp->mu);
	pthread_join(pp->th, NULL);
	pp->running = 0;
}

static struct slot *
next_slot(struct job *j)
{
	struct pipe *pp = &j->pp;
	size_t got = atomic_load_explicit(&pp->got, memory_order_relaxed);

	if (pp->put_seen == got)
		pp->put_seen = atomic_load(&pp->put);
	if (pp->put_seen == got) {
		pthread_mutex_lock(&pp->mu);
		atomic_store(&pp->getter_waits, 1);
		while ((pp->put_seen = atomic_load(&pp->put)) == got)
			pthread_cond_wait(&pp->can_get, &pp->mu);
		atomic_store(&pp->getter_waits, 0);
		pthread_mutex_unlock(&pp->mu);
	}
	return &pp->s[got % RING];
}

static void
done_slot(struct job *j)
{
	struct pipe *pp = &j->pp;
	size_t got = atomic_load_explicit(&pp->got, memory_order_relaxed) + 1;

	atomic_store(&pp->got, got);
	if (atomic_load(&pp->putter_waits) &&
	    RING - (atomic_load(&pp->put) - got) >= WAKE_AT) {
		pthread_mutex_lock(&pp->mu);
		pthread_cond_signal(&pp->can_put);
		pthread_mutex_unlock(&pp->mu);
	}
}

/* Back to the last commit: a rerun of the transaction starts there. */
static int
rewind_to_commit(struct job *j)
{
	const struct crm_row *row;
	size_t skip;
	int rc = 0;

	reader_stop(j);
	crm_reader_free(j->rd);
	j->rd = NULL;
	j->fi = j->c_fi;
	j->cur_fi = j->c_fi;
	j->total = j->c_total;
	*j->st = j->c_st;
	j->eof = 0;
	if (j->fi < j->nin) {
		rc = open_input(j);
		/* Bad rows count too: the reader reads on past them. */
		for (skip = j->c_rows; rc == 0 && skip > 0; skip--) {
			rc = crm_reader_next(j->rd, &row);
			if (rc == CRM_EDATA && !crm_reader_failed(j->rd))
				rc = 0;
		}
		if (rc == CRM_ENOTFOUND || rc == CRM_EDATA)
			rc = 0;	/* met again, in order, by the reader */
	}
	j->rows = j->c_rows;
	if (rc == 0)
		rc = reader_start(j);
	return rc;
}

static int
import_txn(struct crm_txn *tx, struct job *j)
{
	struct slot *sl;
	int rc = 0, kind;

	if (tx->attempt > 0) {
		j->attempt++;
		rc = rewind_to_commit(j);
		if (rc != 0)
			return rc;
	}
	j->txn_rows = j->txn_rejected = 0;
	if (j->st->batch == 0 && !j->o->dry_run) {
		rc = new_batch(tx, &j->st->batch);
		if (rc != 0)
			return rc;
	}
	while (!j->eof) {
		const char *name;

		sl = next_slot(j);
		kind = sl->kind;
		if (kind == SLOT_EOF) {
			j->eof = 1;	/* the slot stays: nothing follows it */
			break;
		}
		if (kind == SLOT_HEADER) {
			rc = crm_seterr(CRM_EDATA, "%s", sl->reason ? sl->reason :
			    "bad header");
			j->header_bad = 1;
			return rc;
		}
		if (sl->fi != j->cur_fi) {
			j->cur_fi = sl->fi;
			j->rows = 0;
		}
		name = strcmp(j->in[sl->fi].name, "-") == 0 ? "<stdin>" :
		    j->in[sl->fi].name;
		j->st->read++;
		j->txn_rows++;
		if (kind == SLOT_FAIL) {
			/* Malformed: nothing after it can be read, so rows would
			 * be lost unseen: the import fails, --skip-invalid or not. */
			struct crm_row where = { sl->line, 0, NULL, NULL, NULL, 0 };
			char msg[700];

			snprintf(msg, sizeof(msg), "%s; the rest of %s is not read",
			    sl->reason ? sl->reason : "?", name);
			j->input_failed = 1;
			rc = emit(j, name, &where, CRM_ROW_REJECTED, 0, msg);
		} else if (kind == SLOT_BAD) {
			struct crm_row where = { sl->line, 0, NULL, NULL, NULL, 0 };

			j->rows++;
			j->total++;
			rc = emit(j, name, sl->row.n > 0 ? &sl->row : &where,
			    CRM_ROW_REJECTED, 0, sl->reason ? sl->reason : "?");
		} else {
			j->rows++;
			j->total++;
			if (j->total <= j->resume_rows) {
				char msg[80];

				snprintf(msg, sizeof(msg),
				    "imported before, by batch %llu",
				    (unsigned long long)j->resume_batch);
				rc = emit(j, name, &sl->row, CRM_ROW_SKIPPED, 0, msg);
			} else
				rc = process(j, tx, name, sl);
		}
		done_slot(j);
		if (rc != 0)
			return rc;
		if (j->o->progress != NULL && (j->total & 0x3fff) == 0) {
			off_t pos = ftello(j->in[j->cur_fi].fp);

			j->o->progress(j->o->arg, j->total,
			    pos > 0 ? (uint64_t)pos : 0, j->bytes_total);
		}
		if (j->batch > 0 && j->txn_rows >= j->batch)
			break;
	}
	if (j->o->dry_run)
		return CRM_EDRYRUN;
	if ((j->txn_rejected > 0 && !j->o->skip_invalid) || j->input_failed)
		return CRM_EDATA;
	if (j->batch > 0) {
		/* A finished import needs no mark; an unfinished one keeps
		 * where it is, for a re-run. */
		if (j->eof) {
			MDB_val key = { strlen(j->fingerprint), j->fingerprint };

			rc = mdb_del(tx->t, crm_db_meta(tx->db), &key, NULL);
			if (rc == MDB_NOTFOUND)
				rc = 0;
		} else
			rc = resume_put(j, tx);
		if (rc != 0)
			return rc;
	}
	return note_batch(j, tx);
}

static int
import_fn(struct crm_txn *tx, void *arg)
{
	struct job *j = arg;
	int rc;

	/* As much again as crm_db_reserve made room for. */
	crm_pager_start(tx, j->o->dry_run ? 0 : (size_t)(j->bytes_total * 3));
	rc = import_txn(tx, j);
	crm_pager_stop(tx);
	return rc;
}

/* A re-run of an interrupted batched import: where did it stop? */
static int
find_resume(struct crm_txn *tx, void *arg)
{
	struct job *j = arg;
	MDB_val v;
	int rc;

	rc = meta_get(tx, j->fingerprint, &v);
	if (rc == CRM_ENOTFOUND)
		return 0;
	if (rc != 0)
		return rc;
	if (v.mv_size == 16) {
		char key[40];
		const unsigned char *p, *end;
		uint64_t x[8];
		int i;

		j->resume_rows = crm_be64_get(v.mv_data);
		j->resume_batch = crm_be64_get((unsigned char *)v.mv_data + 8);
		snprintf(key, sizeof(key), "batch/%020llu",
		    (unsigned long long)j->resume_batch);
		if (meta_get(tx, key, &v) != 0)
			return 0;
		p = v.mv_data;
		end = p + v.mv_size;
		for (i = 0; i < 8; i++)
			if (crm_varint_get(&p, end, &x[i]) != 0)
				return 0;
		j->prev.read = x[2];
		j->prev.created = x[3];
		j->prev.updated = x[4];
		j->prev.unchanged = x[5];
		j->prev.skipped = x[6];
		j->prev.rejected = x[7];
	}
	return 0;
}

int
crm_import_run(struct crm_db *db, const struct crm_import *opt,
    const struct crm_import_input *inputs, size_t n,
    struct crm_import_stats *st)
{
	struct job j;
	struct crm_txn tx;
	uint64_t given = 0;
	size_t k;
	int rc, f;

	memset(&j, 0, sizeof(j));
	memset(st, 0, sizeof(*st));
	j.db = db;
	j.o = opt;
	j.in = inputs;
	j.nin = n;
	j.st = st;
	j.given = &given;
	j.batch = opt->dry_run ? 0 : opt->batch;
	for (k = 0; k < n; k++) {
		struct stat sb;

		if (fstat(fileno(inputs[k].fp), &sb) == 0 && S_ISREG(sb.st_mode))
			j.bytes_total += (uint64_t)sb.st_size;
	}
	if (opt->ent->nfields > 64)
		return crm_seterr(CRM_EINTERNAL, "too many fields");
	/* Default rules: every unique field, in schema order. */
	if (opt->nmatch > 0) {
		memcpy(j.rules, opt->match, opt->nmatch * sizeof(int));
		j.nrules = opt->nmatch;
	} else
		for (f = 0; f < opt->ent->nfields; f++)
			if ((opt->ent->fields[f].flags & CRM_F_UNIQUE) &&
			    j.nrules < CRM_IMPORT_MAXRULES)
				j.rules[j.nrules++] = f;
	j.rules_cover_unique = 1;
	for (f = 0; f < opt->ent->nfields; f++) {
		int covered = 0;

		if (!(opt->ent->fields[f].flags & CRM_F_UNIQUE))
			continue;
		for (k = 0; k < j.nrules; k++)
			covered |= j.rules[k] == f;
		j.rules_cover_unique &= covered;
	}
	{
		size_t u = 0;

		j.fast_create = opt->on_new == CRM_ONNEW_CREATE;
		for (f = 0; f < opt->ent->nfields; f++)
			if (opt->ent->fields[f].flags & CRM_F_UNIQUE)
				j.fast_create &= u < j.nrules && j.rules[u++] == f;
		j.fast_create &= u == j.nrules;
	}
	for (k = 0; k < opt->nmap; k++)
		if (opt->map_to[k][0] != '\0' &&
		    field_by_header(opt->ent, opt->map_to[k]) == -1 &&
		    !crm_custom_name_ok(opt->map_to[k], strlen(opt->map_to[k])))
			return crm_seterr(CRM_EUSAGE,
			    "--map '%s=%s': not a field name", opt->map_from[k],
			    opt->map_to[k]);
	j.old = crm_rec_new(opt->ent);
	j.nw = crm_rec_new(opt->ent);
	if (j.old == NULL || j.nw == NULL) {
		rc = ENOMEM;
		goto done;
	}
	if (j.batch > 0) {
		fingerprint(&j);
		rc = crm_read_begin(db, &tx);
		if (rc == 0) {
			rc = find_resume(&tx, &j);
			crm_txn_end(&tx);
		}
		if (rc != 0)
			goto done;
		if (j.resume_rows > 0)
			st->batch = j.resume_batch;	/* carry on the same import */
	}
	rc = crm_now(&j.now);
	/* Room for the import ahead: about three times the input. */
	if (rc == 0 && !opt->dry_run && j.bytes_total > 0)
		rc = crm_db_reserve(db, (size_t)(j.bytes_total * 3));
	if (rc != 0)
		goto done;
	j.hdrs = calloc(n ? n : 1, sizeof(*j.hdrs));
	j.maps = calloc(n ? n : 1, sizeof(*j.maps));
	j.pp.s = calloc(RING, sizeof(*j.pp.s));
	if (j.pp.s == NULL || j.hdrs == NULL || j.maps == NULL) {
		rc = ENOMEM;
		goto done;
	}
	for (k = 0; k < RING; k++) {
		j.pp.s[k].rec = crm_rec_new(opt->ent);
		if (j.pp.s[k].rec == NULL) {
			rc = ENOMEM;
			goto done;
		}
	}
	pthread_mutex_init(&j.pp.mu, NULL);
	pthread_cond_init(&j.pp.can_put, NULL);
	pthread_cond_init(&j.pp.can_get, NULL);
	rc = reader_start(&j);
	while (rc == 0) {
		rc = crm_write(db, import_fn, &j);
		if (rc != 0)
			break;
		st->commits++;
		if (opt->committed != NULL)
			opt->committed(opt->arg);
		j.c_fi = j.cur_fi;
		j.c_rows = j.rows;
		j.c_total = j.total;
		j.c_st = *st;
		if (j.eof)
			break;
	}
	if (rc == CRM_EDATA && !j.header_bad) {
		/* Rolled back: its rows are read and rejected or not written. */
		struct crm_import_stats t = *st;

		*st = j.c_st;
		st->read = t.read;
		st->rejected = t.rejected;
		st->skipped += (t.read - j.c_st.read) - (t.rejected -
		    j.c_st.rejected);
		st->unwritten = (t.read - j.c_st.read) - (t.rejected -
		    j.c_st.rejected);
	}
	reader_stop(&j);
	pthread_mutex_destroy(&j.pp.mu);
	pthread_cond_destroy(&j.pp.can_put);
	pthread_cond_destroy(&j.pp.can_get);
	if (rc == CRM_EDRYRUN)
		rc = 0;
	if (rc == CRM_EDATA && !j.header_bad)
		rc = crm_seterr(CRM_EDATA, "%zu row%s rejected", st->rejected,
		    st->rejected == 1 ? "" : "s");
done:
	for (k = 0; j.pp.s != NULL && k < RING; k++) {
		crm_rec_free(j.pp.s[k].rec);
		crm_prep_free(&j.pp.s[k].prep);
		free(j.pp.s[k].reason);
		free(j.pp.s[k].keys);
		free(j.pp.s[k].vals);
		free(j.pp.s[k].lens);
		crm_buf_free(&j.pp.s[k].rowbuf);
	}
	free(j.pp.s);
	for (k = 0; j.hdrs != NULL && k < n; k++)
		free((void *)j.hdrs[k]);
	free(j.hdrs);
	for (k = 0; j.maps != NULL && k < n; k++) {
		free(j.maps[k].field);
		free(j.maps[k].custom);
	}
	free(j.maps);
	crm_reader_free(j.rd);
	free(j.map.field);
	free(j.map.custom);
	crm_rec_free(j.old);
	crm_rec_free(j.nw);
	return rc;
}

/* ---- undo and listing -------------------------------------------------------- */

struct undojob {
	uint64_t batch;
	int force;
	size_t entries;
};

static int
undo_fn(struct crm_txn *tx, void *arg)
{
	struct undojob *u = arg;
	MDB_cursor *c = NULL;
	MDB_val k, v;
	char prefix[48];
	uint64_t *changes = NULL;
	size_t n = 0, cap = 0, pl, i, e;
	int rc;

	u->entries = 0;
	pl = (size_t)snprintf(prefix, sizeof(prefix), "batchchg/%020llu/",
	    (unsigned long long)u->batch);
	rc = mdb_cursor_open(tx->t, crm_db_meta(tx->db), &c);
	if (rc != 0)
		return rc;
	k.mv_data = prefix;
	k.mv_size = pl;
	for (rc = mdb_cursor_get(c, &k, &v, MDB_SET_RANGE); rc == 0;
	    rc = mdb_cursor_get(c, &k, &v, MDB_NEXT)) {
		int64_t ch;

		if (k.mv_size <= pl || memcmp(k.mv_data, prefix, pl) != 0)
			break;
		if (crm_parse_i64((char *)k.mv_data + pl, k.mv_size - pl, 1,
		    INT64_MAX, &ch) != 0) {
			rc = CRM_ECORRUPT;
			break;
		}
		if (n == cap) {
			uint64_t *p;

			cap = cap ? cap * 2 : 16;
			p = realloc(changes, cap * sizeof(*p));
			if (p == NULL) {
				rc = ENOMEM;
				break;
			}
			changes = p;
		}
		changes[n++] = (uint64_t)ch;
	}
	mdb_cursor_close(c);
	if (rc == MDB_NOTFOUND)
		rc = 0;
	if (rc == 0 && n == 0)
		rc = crm_seterr(CRM_ENOTFOUND, "batch %llu: not found",
		    (unsigned long long)u->batch);
	for (i = n; i > 0 && rc == 0; i--) {
		rc = crm_undo(tx, changes[i - 1], u->force, &e);
		if (rc == CRM_ENOTFOUND) {
			/* A commit that changed nothing (all rows unchanged). */
			char key[40];
			unsigned char vb[8];
			uint64_t self;

			crm_clearerr();
			rc = crm_audit_change(tx, &self);
			snprintf(key, sizeof(key), "undone/%020llu",
			    (unsigned long long)changes[i - 1]);
			crm_be64_put(vb, self);
			if (rc == 0)
				rc = meta_put(tx, key, vb, 8);
			e = 0;
		}
		u->entries += e;
	}
	free(changes);
	return rc;
}

int
crm_import_undo(struct crm_db *db, uint64_t batch, int force, size_t *entries)
{
	struct undojob u = { batch, force, 0 };
	int rc;

	rc = crm_write(db, undo_fn, &u);
	*entries = u.entries;
	return rc;
}

int
crm_import_batches(struct crm_db *db,
    int (*fn)(const struct crm_batch_info *, void *), void *arg)
{
	struct crm_txn tx;
	MDB_cursor *c = NULL;
	MDB_val k, v;
	int rc;

	rc = crm_read_begin(db, &tx);
	if (rc != 0)
		return rc;
	rc = mdb_cursor_open(tx.t, crm_db_meta(db), &c);
	k.mv_data = "batch/";
	k.mv_size = 6;
	for (rc = rc ? rc : mdb_cursor_get(c, &k, &v, MDB_SET_RANGE); rc == 0;
	    rc = mdb_cursor_get(c, &k, &v, MDB_NEXT)) {
		struct crm_batch_info b;
		const unsigned char *p = v.mv_data, *end = p + v.mv_size;
		uint64_t x[8];
		const char *s;
		size_t i, ul;
		int64_t id;

		if (k.mv_size < 6 || memcmp(k.mv_data, "batch/", 6) != 0)
			break;
		memset(&b, 0, sizeof(b));
		if (crm_parse_i64((char *)k.mv_data + 6, k.mv_size - 6, 1,
		    INT64_MAX, &id) != 0) {
			rc = CRM_ECORRUPT;
			break;
		}
		for (i = 0; i < 8 && rc == 0; i++)
			rc = crm_varint_get(&p, end, &x[i]);
		if (rc != 0)
			break;
		b.batch = (uint64_t)id;
		b.at = (int64_t)x[0];
		snprintf(b.entity, sizeof(b.entity), "%s",
		    crm_entity_bynum((int)x[1]) ? crm_entity_bynum((int)x[1])->name :
		    "?");
		b.read = x[2];
		b.created = x[3];
		b.updated = x[4];
		b.unchanged = x[5];
		b.skipped = x[6];
		b.rejected = x[7];
		s = (const char *)p;
		ul = strnlen(s, (size_t)(end - p));
		snprintf(b.user, sizeof(b.user), "%.*s", (int)ul, s);
		if (ul < (size_t)(end - p))
			snprintf(b.files, sizeof(b.files), "%.*s",
			    (int)((size_t)(end - p) - ul - 1), s + ul + 1);
		{
			/* Undone when its first change was. */
			char key[64];
			MDB_cursor *c2 = NULL;
			MDB_val k2, v2;
			size_t pl = (size_t)snprintf(key, sizeof(key),
			    "batchchg/%020llu/", (unsigned long long)b.batch);

			if (mdb_cursor_open(tx.t, crm_db_meta(db), &c2) == 0) {
				k2.mv_data = key;
				k2.mv_size = pl;
				if (mdb_cursor_get(c2, &k2, &v2, MDB_SET_RANGE) == 0 &&
				    k2.mv_size > pl && memcmp(k2.mv_data, key, pl) == 0) {
					char uk[64];
					MDB_val k3, v3;

					snprintf(uk, sizeof(uk), "undone/%.*s",
					    (int)(k2.mv_size - pl), (char *)k2.mv_data + pl);
					k3.mv_data = uk;
					k3.mv_size = strlen(uk);
					b.undone = mdb_get(tx.t, crm_db_meta(db), &k3,
					    &v3) == 0;
				}
				mdb_cursor_close(c2);
			}
		}
		rc = fn(&b, arg);
		if (rc != 0)
			break;
	}
	if (rc == MDB_NOTFOUND)
		rc = 0;
	if (c != NULL)
		mdb_cursor_close(c);
	crm_txn_end(&tx);
	return rc;
}
