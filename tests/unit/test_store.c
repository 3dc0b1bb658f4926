/*
 * test_store.c — the database on disk: creation and permissions,
 * inserts with unique keys, look-ups by reference, updates with their
 * audit trail, delete and undo, growth of the map inside one write,
 * and refusal of a database from a newer crm.
 *
 * Each test gets a fresh directory from mkdtemp under /tmp, removed
 * afterwards; a failed test keeps it and prints its path.
 */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <ftw.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>
#include <lmdb.h>

#include "audit.h"
#include "buf.h"
#include "check.h"
#include "db.h"
#include "error.h"
#include "record.h"
#include "schema.h"
#include "store.h"

#define NOW_TEXT "2026-03-15T12:00:00Z"
#define NOW INT64_C(1773576000)

struct fixture {
	char tmp[64];		/* the mkdtemp directory */
	char dir[96];		/* the database inside it (not yet made) */
	struct crm_db *db;
	int passed;		/* set by the test's last line */
};

/* The last line of every test: the directory can go. */
#define PASSED(fx) ((fx)->passed = 1)

static int
rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static int
setup(void **state)
{
	struct fixture *fx = calloc(1, sizeof(*fx));

	if (fx == NULL)
		return -1;
	snprintf(fx->tmp, sizeof(fx->tmp), "/tmp/crm-test-store-XXXXXX");
	if (mkdtemp(fx->tmp) == NULL) {
		free(fx);
		return -1;
	}
	snprintf(fx->dir, sizeof(fx->dir), "%s/db", fx->tmp);
	setenv("CRM_NOW", NOW_TEXT, 1);
	unsetenv("CRM_MAP_SIZE");
	unsetenv("CRM_BUSY_TIMEOUT");
	*state = fx;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *fx = *state;

	crm_db_close(fx->db);
	if (fx->passed)
		nftw(fx->tmp, rm_one, 16, FTW_DEPTH | FTW_PHYS);
	else
		print_message("# kept the database of the failed test: %s\n",
		    fx->dir);
	unsetenv("CRM_MAP_SIZE");
	free(fx);
	return 0;
}

static const struct crm_entity *
customer_ent(void)
{
	const struct crm_entity *e = crm_entity_find("customer");

	assert_non_null(e);
	return e;
}

static void
open_rw(struct fixture *fx)
{
	int rc = crm_db_open(fx->dir, CRM_OPEN_RDWR, "test_store", "tester",
	    &fx->db);

	if (rc != 0)
		fail_msg("open %s: %s", fx->dir, crm_errdetail(rc));
}

static void
reopen(struct fixture *fx)
{
	crm_db_close(fx->db);
	fx->db = NULL;
	open_rw(fx);
}

/* ---- write callbacks ------------------------------------------------ */

/* Customers to insert, each a NULL-terminated list of "field=value". */
struct insert_job {
	const char *const *const *recs;
	size_t n;
	uint64_t ids[8];
	int runs;
};

static int
set_list(struct crm_rec *r, const char *const *kv)
{
	int rc = 0;

	for (; rc == 0 && *kv != NULL; kv++) {
		const char *eq = strchr(*kv, '=');

		rc = crm_rec_set(r, *kv, (size_t)(eq - *kv), eq + 1,
		    strlen(eq + 1), NOW, 0);
	}
	return rc;
}

static int
do_insert(struct crm_txn *tx, void *arg)
{
	struct insert_job *job = arg;
	struct crm_rec *r = crm_rec_new(customer_ent());
	size_t i;
	int rc = 0;

	job->runs++;
	if (r == NULL)
		return ENOMEM;
	for (i = 0; i < job->n && rc == 0; i++) {
		crm_rec_reset(r);
		rc = set_list(r, job->recs[i]);
		if (rc == 0)
			rc = crm_insert(tx, r);
		if (rc == 0)
			job->ids[i] = r->id;
	}
	crm_rec_free(r);
	return rc;
}

static int
insert_list(struct fixture *fx, const char *const *const *recs, size_t n,
    uint64_t *ids)
{
	struct insert_job job;
	int rc;

	memset(&job, 0, sizeof(job));
	job.recs = recs;
	job.n = n;
	rc = crm_write(fx->db, do_insert, &job);
	if (ids != NULL)
		memcpy(ids, job.ids, n * sizeof(*ids));
	return rc;
}

/* Inserts one customer from "field=value" pairs; returns its id. */
static uint64_t
insert1(struct fixture *fx, ...)
{
	const char *kv[16];
	const char *const *recs[1];
	size_t n = 0;
	uint64_t id = 0;
	va_list ap;
	int rc;

	va_start(ap, fx);
	while ((kv[n] = va_arg(ap, const char *)) != NULL)
		n++;
	va_end(ap);
	recs[0] = kv;
	rc = insert_list(fx, recs, 1, &id);
	if (rc != 0)
		fail_msg("insert: %s", crm_errdetail(rc));
	return id;
}

static size_t
count(struct fixture *fx, const struct crm_entity *e)
{
	struct crm_txn tx;
	struct crm_iter *it = NULL;
	uint64_t id, last = 0;
	size_t n = 0;
	int rc;

	assert_int_equal(crm_read_begin(fx->db, &tx), 0);
	assert_int_equal(crm_iter_all(&tx, e, &it), 0);
	while ((rc = crm_iter_next(it, &id, NULL, NULL)) == 0) {
		assert_true(id > last);		/* id order */
		last = id;
		n++;
	}
	assert_int_equal(rc, CRM_ENOTFOUND);
	crm_iter_free(it);
	crm_txn_end(&tx);
	return n;
}

/* The text of a field of customer id, malloc'd ("" when empty). */
static char *
field_text(struct fixture *fx, uint64_t id, const char *field)
{
	const struct crm_entity *e = customer_ent();
	struct crm_rec *r = crm_rec_new(e);
	struct crm_buf b = CRM_BUF_INIT;
	struct crm_txn tx;
	int f = crm_field_find(e, field, strlen(field)), rc;

	assert_non_null(r);
	assert_int_equal(crm_read_begin(fx->db, &tx), 0);
	rc = crm_fetch(&tx, r, id);
	if (rc != 0)
		fail_msg("fetch %llu: %s", (unsigned long long)id,
		    crm_errdetail(rc));
	if (f >= 0)
		assert_int_equal(crm_rec_text(r, f, &b), 0);
	else {
		const struct crm_custom *c = crm_rec_custom(r, field,
		    strlen(field));

		if (c != NULL)
			assert_int_equal(crm_buf_add(&b, c->s, c->len), 0);
	}
	crm_txn_end(&tx);
	crm_rec_free(r);
	return b.p ? b.p : strdup("");
}

#define FIELD(fx, id, field, want) do { \
	char *t_ = field_text(fx, id, field); \
	if (strcmp(t_, want) != 0) \
		fail_msg("customer %llu %s: \"%s\", want \"%s\"", \
		    (unsigned long long)(id), field, t_, want); \
	free(t_); \
} while (0)

static int
lookup(struct fixture *fx, const char *ref, uint64_t *id)
{
	struct crm_txn tx;
	int rc;

	assert_int_equal(crm_read_begin(fx->db, &tx), 0);
	*id = 0;
	rc = crm_lookup(&tx, customer_ent(), ref, strlen(ref), id);
	crm_txn_end(&tx);
	return rc;
}

#define FINDS(fx, ref, want) do { \
	uint64_t id_; \
	int rc_ = lookup(fx, ref, &id_); \
	if (rc_ != 0) \
		fail_msg("lookup \"%s\": %s", ref, crm_errdetail(rc_)); \
	assert_int_equal(id_, want); \
} while (0)

#define MISSES(fx, ref) do { \
	uint64_t id_; \
	int rc_ = lookup(fx, ref, &id_); \
	if (rc_ != CRM_ENOTFOUND) \
		fail_msg("lookup \"%s\": want CRM_ENOTFOUND, got %d (id %llu)", \
		    ref, rc_, (unsigned long long)id_); \
} while (0)

/* Ids under value in the index of field, as "1,2," text. */
static char *
indexed(struct fixture *fx, const char *field, const char *value)
{
	const struct crm_entity *e = customer_ent();
	struct crm_buf b = CRM_BUF_INIT;
	struct crm_iter *it = NULL;
	struct crm_txn tx;
	uint64_t id;
	int rc;

	assert_int_equal(crm_read_begin(fx->db, &tx), 0);
	assert_int_equal(crm_iter_index(&tx, e, crm_field_find(e, field,
	    strlen(field)), value, strlen(value), &it), 0);
	while ((rc = crm_iter_next(it, &id, NULL, NULL)) == 0)
		assert_int_equal(crm_buf_printf(&b, "%llu,",
		    (unsigned long long)id), 0);
	assert_int_equal(rc, CRM_ENOTFOUND);
	crm_iter_free(it);
	crm_txn_end(&tx);
	return b.p ? b.p : strdup("");
}

#define INDEXED(fx, field, value, want) do { \
	char *t_ = indexed(fx, field, value); \
	if (strcmp(t_, want) != 0) \
		fail_msg("%s %s: ids \"%s\", want \"%s\"", field, value, t_, \
		    want); \
	free(t_); \
} while (0)

#define TAGGED(fx, word, want) INDEXED(fx, "tags", word, want)

/* ---- opening -------------------------------------------------------- */

static mode_t
mode_of(const char *dir, const char *name)
{
	char path[256];
	struct stat st;

	snprintf(path, sizeof(path), "%s%s%s", dir, name[0] ? "/" : "", name);
	if (stat(path, &st) != 0)
		fail_msg("%s: missing", path);
	return st.st_mode & 07777;
}

static void
test_open_creates_private(void **state)
{
	struct fixture *fx = *state;
	mode_t old = umask(0);		/* even with a permissive umask */

	open_rw(fx);
	umask(old);
	assert_string_equal(crm_db_path(fx->db), fx->dir);
	assert_int_equal(mode_of(fx->dir, ""), 0700);
	assert_int_equal(mode_of(fx->dir, "data.mdb"), 0600);
	assert_int_equal(mode_of(fx->dir, "lock.mdb"), 0600);
	assert_int_equal(mode_of(fx->dir, "write.lock"), 0600);
	assert_int_equal(count(fx, customer_ent()), 0);

	/* It opens read-only once it exists. */
	crm_db_close(fx->db);
	fx->db = NULL;
	assert_int_equal(crm_db_open(fx->dir, CRM_OPEN_RDONLY, "t", "u",
	    &fx->db), 0);
	assert_int_equal(count(fx, customer_ent()), 0);
	PASSED(fx);
}

static void
test_open_rdonly_missing(void **state)
{
	struct fixture *fx = *state;
	struct stat st;
	int rc;

	rc = crm_db_open(fx->dir, CRM_OPEN_RDONLY, "t", "u", &fx->db);
	assert_int_equal(rc, CRM_ENOINPUT);
	assert_null(fx->db);
	assert_non_null(strstr(crm_errdetail(rc), fx->dir));
	/* Reading creates nothing. */
	assert_int_not_equal(stat(fx->dir, &st), 0);
	PASSED(fx);
}

/* A file where the database directory should be. */
static void
test_open_not_a_dir(void **state)
{
	struct fixture *fx = *state;
	FILE *fp = fopen(fx->dir, "w");

	assert_non_null(fp);
	assert_int_equal(fclose(fp), 0);
	assert_int_equal(crm_db_open(fx->dir, CRM_OPEN_RDWR, "t", "u", &fx->db),
	    CRM_ECANTCREAT);
	assert_null(fx->db);
	assert_int_equal(crm_db_open(fx->dir, CRM_OPEN_RDONLY, "t", "u", &fx->db),
	    CRM_ENOINPUT);
	assert_null(fx->db);
	PASSED(fx);
}

static void
test_open_nested_dir(void **state)
{
	struct fixture *fx = *state;
	char deep[160];

	snprintf(deep, sizeof(deep), "%s/a/b/crm", fx->tmp);
	assert_int_equal(crm_db_open(deep, CRM_OPEN_RDWR, "t", "u", &fx->db), 0);
	assert_int_equal(mode_of(deep, ""), 0700);
	assert_int_equal(mode_of(deep, "data.mdb"), 0600);
	PASSED(fx);
}

/* ---- inserting ------------------------------------------------------ */

static void
test_insert_ids(void **state)
{
	struct fixture *fx = *state;
	static const char *const a[] = { "name=Acme", "ext_id=E0001",
		"email=ann@example.com", "tags=vip", NULL };
	static const char *const b[] = { "name=Beta", "ext_id=E0002",
		"email=bob@example.com", "tags=vip;gold", NULL };
	static const char *const c[] = { "name=Cyan", "colour=blue", NULL };
	static const char *const *const recs[] = { a, b, c };
	uint64_t ids[3];

	open_rw(fx);
	assert_int_equal(insert_list(fx, recs, 3, ids), 0);
	assert_int_equal(ids[0], 1);
	assert_int_equal(ids[1], 2);
	assert_int_equal(ids[2], 3);
	assert_int_equal(count(fx, customer_ent()), 3);
	FIELD(fx, 1, "name", "Acme");
	FIELD(fx, 2, "email", "bob@example.com");
	FIELD(fx, 3, "colour", "blue");
	/* Defaults and times are filled in. */
	FIELD(fx, 3, "kind", "company");
	FIELD(fx, 1, "created_at", NOW_TEXT);
	FIELD(fx, 1, "updated_at", NOW_TEXT);
	FIELD(fx, 2, "id", "2");

	/* Ids go on after a reopen and are never reused. */
	reopen(fx);
	assert_int_equal(insert1(fx, "name=Dale", (char *)NULL), 4);
	assert_int_equal(count(fx, crm_entity_find("deal")), 0);

	/* A tag index lists both vip customers. */
	{
		struct crm_txn tx;
		struct crm_iter *it = NULL;
		uint64_t id;
		const struct crm_entity *e = customer_ent();

		assert_int_equal(crm_read_begin(fx->db, &tx), 0);
		assert_int_equal(crm_iter_index(&tx, e, crm_field_find(e, "tags",
		    4), "vip", 3, &it), 0);
		assert_int_equal(crm_iter_next(it, &id, NULL, NULL), 0);
		assert_int_equal(id, 1);
		assert_int_equal(crm_iter_next(it, &id, NULL, NULL), 0);
		assert_int_equal(id, 2);
		assert_int_equal(crm_iter_next(it, &id, NULL, NULL),
		    CRM_ENOTFOUND);
		crm_iter_free(it);
		crm_txn_end(&tx);
	}
	PASSED(fx);
}

/*
 * Keys and encoding made ahead (crm_prepare, as an import's reader does)
 * store the same record as crm_insert alone; a field changed after the
 * preparation is stored and indexed as changed; a refused creation
 * still gives the record back as it came.
 */
static int
do_prepared(struct crm_txn *tx, void *arg)
{
	static const char *const a[] = { "name=Acme", "ext_id=E1",
		"email= Ann@Example.COM", "phone=+86 138 0000 0007", "owner=dana",
		"tags=vip;gold", "colour=blue", NULL };
	static const char *const b[] = { "name=Beta", "ext_id=E2",
		"email=bob@example.com", "owner=erin", NULL };
	static const char *const c[] = { "name=Dup", "email=ANN@example.com",
		NULL };
	const struct crm_entity *e = customer_ent();
	struct crm_rec *r = crm_rec_new(e), *got = crm_rec_new(e);
	struct crm_buf enc = CRM_BUF_INIT;
	struct crm_prep p;
	unsigned char k[8];
	MDB_val key = { 8, k }, val;
	int kind = crm_field_find(e, "kind", 4);

	(void)arg;
	memset(&p, 0, sizeof(p));
	assert_non_null(r);
	assert_non_null(got);
	assert_int_equal(set_list(r, a), 0);
	crm_prepare(r, NOW, &p);
	assert_ptr_equal(r->prep, &p);
	assert_int_equal(r->v[kind].state, CRM_V_EMPTY);	/* as it was */
	assert_int_equal(crm_insert(tx, r), 0);
	/* The bytes stored are the record's whole encoding. */
	crm_be64_put(k, r->id);
	assert_int_equal(mdb_get(tx->t, crm_db_records(tx->db, e), &key, &val),
	    0);
	assert_int_equal(crm_fetch(tx, got, r->id), 0);
	assert_int_equal(crm_rec_encode(got, &enc), 0);
	assert_int_equal(enc.len, val.mv_size);
	assert_memory_equal(enc.p, val.mv_data, enc.len);

	crm_rec_reset(r);
	assert_int_equal(set_list(r, b), 0);
	crm_prepare(r, NOW, &p);
	assert_int_equal(crm_rec_set(r, "email", 5, "carl@example.com", 16, NOW,
	    0), 0);
	assert_int_equal(crm_rec_set(r, "owner", 5, "frank", 5, NOW, 0), 0);
	assert_int_equal(crm_insert(tx, r), 0);

	crm_rec_reset(r);
	assert_int_equal(set_list(r, c), 0);
	crm_prepare(r, NOW, &p);
	assert_int_equal(crm_insert(tx, r), CRM_EEXIST);
	crm_clearerr();
	assert_int_equal(r->v[kind].state, CRM_V_EMPTY);
	assert_int_equal(tx->conflict_id, 1);

	crm_buf_free(&enc);
	crm_prep_free(&p);
	crm_rec_free(r);
	crm_rec_free(got);
	return 0;
}

static void
test_prepared_insert(void **state)
{
	struct fixture *fx = *state;

	open_rw(fx);
	assert_int_equal(crm_write(fx->db, do_prepared, NULL), 0);
	assert_int_equal(count(fx, customer_ent()), 2);
	FIELD(fx, 1, "email", "Ann@Example.COM");
	FIELD(fx, 1, "kind", "company");
	FIELD(fx, 1, "colour", "blue");
	FIELD(fx, 1, "created_at", NOW_TEXT);
	FINDS(fx, "email:ann@example.com", 1);
	FINDS(fx, "ext:E1", 1);
	INDEXED(fx, "phone", "13800000007", "1,");
	INDEXED(fx, "owner", "dana", "1,");
	TAGGED(fx, "gold", "1,");
	FIELD(fx, 2, "email", "carl@example.com");
	FIELD(fx, 2, "owner", "frank");
	FINDS(fx, "email:carl@example.com", 2);
	MISSES(fx, "email:bob@example.com");
	INDEXED(fx, "owner", "frank", "2,");
	INDEXED(fx, "owner", "erin", "");
	PASSED(fx);
}

static void
test_insert_required(void **state)
{
	struct fixture *fx = *state;
	static const char *const a[] = { "tier=A", NULL };
	static const char *const *const recs[] = { a };

	open_rw(fx);
	assert_int_equal(insert_list(fx, recs, 1, NULL), CRM_EDATA);
	assert_non_null(strstr(crm_errdetail(CRM_EDATA), "field 'name'"));
	assert_int_equal(count(fx, customer_ent()), 0);
	PASSED(fx);
}

/* A unique e-mail taken twice: CRM_EEXIST, and nothing of that write
 * is kept — not the other rows, not the id sequence. */
static void
test_unique_collision(void **state)
{
	struct fixture *fx = *state;
	static const char *const b[] = { "name=Beta", "email=bob@example.com",
		NULL };
	static const char *const dup[] = { "name=Ann again",
		"email=ANN@Example.COM", NULL };
	static const char *const dupx[] = { "name=Ext again", "ext_id=E0001",
		NULL };
	static const char *const *const recs[] = { b, dup };
	static const char *const *const recs2[] = { dupx };
	static const char *const *const twice[] = { b, b };
	int rc;

	open_rw(fx);
	assert_int_equal(insert1(fx, "name=Ann", "email=ann@example.com",
	    "ext_id=E0001", (char *)NULL), 1);

	rc = insert_list(fx, recs, 2, NULL);
	assert_int_equal(rc, CRM_EEXIST);
	assert_non_null(strstr(crm_errdetail(rc), "email"));
	assert_int_equal(count(fx, customer_ent()), 1);
	MISSES(fx, "email:bob@example.com");

	assert_int_equal(insert_list(fx, recs2, 1, NULL), CRM_EEXIST);
	assert_non_null(strstr(crm_errdetail(CRM_EEXIST), "ext_id"));
	/* Two new rows that collide with each other. */
	assert_int_equal(insert_list(fx, twice, 2, NULL), CRM_EEXIST);
	assert_int_equal(count(fx, customer_ent()), 1);

	/* The failed writes consumed no id. */
	assert_int_equal(insert1(fx, "name=Cyan", (char *)NULL), 2);
	/* And the e-mail of the aborted Beta is free. */
	assert_int_equal(insert1(fx, "name=Beta", "email=bob@example.com",
	    (char *)NULL), 3);
	PASSED(fx);
}

/* ---- looking up ----------------------------------------------------- */

static void
test_lookup(void **state)
{
	struct fixture *fx = *state;

	open_rw(fx);
	assert_int_equal(insert1(fx, "name=Ann", "email=ann@example.com",
	    "ext_id=E0001", (char *)NULL), 1);
	assert_int_equal(insert1(fx, "name=Bob", "email=Bob@Example.org",
	    "ext_id=E0002", (char *)NULL), 2);
	/* An external id that looks like a number, with no record 1001. */
	assert_int_equal(insert1(fx, "name=Cy", "ext_id=1001", (char *)NULL), 3);

	FINDS(fx, "1", 1);
	FINDS(fx, " 2 ", 2);
	FINDS(fx, "id:2", 2);
	FINDS(fx, "ext:E0002", 2);
	FINDS(fx, "ext_id:E0001", 1);
	FINDS(fx, "email:ann@example.com", 1);
	FINDS(fx, "email:ANN@EXAMPLE.COM", 1);
	FINDS(fx, "email:bob@example.org", 2);
	FINDS(fx, "email:  bob@example.org ", 2);
	FINDS(fx, "E0002", 2);			/* bare ext_id */
	FINDS(fx, "ann@example.com", 1);	/* bare e-mail */
	FINDS(fx, "Ann@Example.com", 1);
	FINDS(fx, "1001", 3);
	FINDS(fx, "3", 3);

	MISSES(fx, "99");
	MISSES(fx, "id:99");
	MISSES(fx, "ext:E9999");
	MISSES(fx, "ext:e0001");		/* external ids are exact */
	MISSES(fx, "email:nobody@example.com");
	MISSES(fx, "nobody");
	MISSES(fx, "0");
	MISSES(fx, "-1");
	assert_non_null(strstr(crm_errdetail(CRM_ENOTFOUND), "not found"));
	{
		uint64_t id;

		assert_int_equal(lookup(fx, "", &id), CRM_EDATA);
		assert_int_equal(lookup(fx, "   ", &id), CRM_EDATA);
	}
	PASSED(fx);
}

/* ---- updating ------------------------------------------------------- */

struct update_job {
	uint64_t id;
	const char *const *kv;
	int result;		/* crm_update's return */
	uint64_t change;
};

static int
do_update(struct crm_txn *tx, void *arg)
{
	struct update_job *job = arg;
	struct crm_rec *old = crm_rec_new(customer_ent());
	struct crm_rec *nw = crm_rec_new(customer_ent());
	int rc;

	if (old == NULL || nw == NULL) {
		rc = ENOMEM;
		goto done;
	}
	rc = crm_fetch(tx, old, job->id);
	if (rc == 0)
		rc = crm_rec_copy(nw, old);
	if (rc == 0)
		rc = set_list(nw, job->kv);
	if (rc == 0)
		rc = crm_update(tx, old, nw);
	if (rc == 1) {
		job->result = 1;
		rc = 0;
	}
done:
	crm_rec_free(old);
	crm_rec_free(nw);
	return rc;
}

static int
update(struct fixture *fx, uint64_t id, const char *const *kv,
    struct update_job *job)
{
	memset(job, 0, sizeof(*job));
	job->id = id;
	job->kv = kv;
	return crm_write(fx->db, do_update, job);
}

/* Audit entries collected as "op field: old -> new" lines. */
static int
collect_audit(const struct crm_audit *a, void *arg)
{
	struct crm_buf *b = arg;

	if (a->op == CRM_AUDIT_UPDATE)
		return crm_buf_printf(b, "update %.*s: %.*s -> %.*s [%.*s/%.*s]\n",
		    (int)a->flen, a->field, (int)a->olen, a->old, (int)a->nlen,
		    a->nw, (int)a->ulen, a->user, (int)a->tlen, a->tool);
	return crm_buf_printf(b, "%s %llu [%.*s/%.*s]\n",
	    crm_audit_opname(a->op), (unsigned long long)a->id, (int)a->ulen,
	    a->user, (int)a->tlen, a->tool);
}

static char *
audit_of(struct fixture *fx, uint64_t id)
{
	struct crm_buf b = CRM_BUF_INIT;
	struct crm_txn tx;

	assert_int_equal(crm_read_begin(fx->db, &tx), 0);
	assert_int_equal(crm_audit_each(&tx, customer_ent(), id, 0,
	    collect_audit, &b), 0);
	crm_txn_end(&tx);
	return b.p ? b.p : strdup("");
}

static void
test_update_audit(void **state)
{
	struct fixture *fx = *state;
	static const char *const kv1[] = { "tier=B", "colour=blue",
		"email=ann@new.example.com", "tags=vip;gold", NULL };
	static const char *const same[] = { "tier=B", "colour=blue", NULL };
	static const char *const kv2[] = { "tier=", "colour=", NULL };
	struct update_job job;
	char *log;

	open_rw(fx);
	assert_int_equal(insert1(fx, "name=Ann", "tier=A", "tags=vip",
	    "email=ann@example.com", (char *)NULL), 1);
	assert_int_equal(insert1(fx, "name=Other", (char *)NULL), 2);

	setenv("CRM_NOW", "2026-03-16T08:00:00Z", 1);
	assert_int_equal(update(fx, 1, kv1, &job), 0);
	assert_int_equal(job.result, 0);
	FIELD(fx, 1, "tier", "B");
	FIELD(fx, 1, "colour", "blue");
	FIELD(fx, 1, "updated_at", "2026-03-16T08:00:00Z");
	FIELD(fx, 1, "created_at", NOW_TEXT);
	/* Indexes follow the change. */
	MISSES(fx, "email:ann@example.com");
	FINDS(fx, "email:ann@new.example.com", 1);

	/* Nothing changed: nothing written, not even updated_at. */
	setenv("CRM_NOW", "2026-03-17T08:00:00Z", 1);
	assert_int_equal(update(fx, 1, same, &job), 0);
	assert_int_equal(job.result, 1);
	FIELD(fx, 1, "updated_at", "2026-03-16T08:00:00Z");

	/* Clearing a field and a custom field. */
	assert_int_equal(update(fx, 1, kv2, &job), 0);
	assert_int_equal(job.result, 0);
	FIELD(fx, 1, "tier", "");
	FIELD(fx, 1, "colour", "");

	log = audit_of(fx, 1);
	assert_string_equal(log,
	    "create 1 [tester/test_store]\n"
	    "update email: ann@example.com -> ann@new.example.com "
	    "[tester/test_store]\n"
	    "update tier: A -> B [tester/test_store]\n"
	    "update tags: vip -> vip;gold [tester/test_store]\n"
	    "update colour:  -> blue [tester/test_store]\n"
	    "update tier: B ->  [tester/test_store]\n"
	    "update colour: blue ->  [tester/test_store]\n");
	free(log);
	/* The other record's history is its own. */
	log = audit_of(fx, 2);
	assert_string_equal(log, "create 2 [tester/test_store]\n");
	free(log);
	PASSED(fx);
}

/* Indexes follow updates; a unique key taken by another record is
 * refused and the update not written. */
static void
test_update_indexes(void **state)
{
	struct fixture *fx = *state;
	static const char *const retag[] = { "tags=gold;new", NULL };
	static const char *const steal[] = { "email=ANN@example.com",
		"tier=Z", NULL };
	static const char *const stealx[] = { "ext_id=E1", NULL };
	struct update_job job;
	struct crm_buf names = CRM_BUF_INIT;
	struct crm_txn tx;
	size_t n = 0;

	open_rw(fx);
	assert_int_equal(insert1(fx, "name=Ann", "ext_id=E1",
	    "email=ann@example.com", "tags=vip;gold", "colour=blue",
	    (char *)NULL), 1);
	assert_int_equal(insert1(fx, "name=Bob", "ext_id=E2", "tags=vip",
	    "size=L", (char *)NULL), 2);
	TAGGED(fx, "vip", "1,2,");
	TAGGED(fx, "gold", "1,");

	assert_int_equal(update(fx, 1, retag, &job), 0);
	TAGGED(fx, "vip", "2,");
	TAGGED(fx, "gold", "1,");
	TAGGED(fx, "new", "1,");

	assert_int_equal(update(fx, 2, steal, &job), CRM_EEXIST);
	FIELD(fx, 2, "tier", "");		/* nothing of it was written */
	FIELD(fx, 2, "email", "");
	FINDS(fx, "email:ann@example.com", 1);
	assert_int_equal(update(fx, 2, stealx, &job), CRM_EEXIST);
	FINDS(fx, "ext:E1", 1);
	FINDS(fx, "ext:E2", 2);

	/* Custom field names are remembered for listings. */
	assert_int_equal(crm_read_begin(fx->db, &tx), 0);
	assert_int_equal(crm_custom_names(&tx, customer_ent(), &names, &n), 0);
	crm_txn_end(&tx);
	assert_int_equal(n, 2);
	assert_int_equal(names.len, 12);
	assert_memory_equal(names.p, "colour\0size\0", 12);
	crm_buf_free(&names);
	PASSED(fx);
}

/* ---- gathered duplicates ----------------------------------------------- */

/*
 * crm_put holds back the ids of an owner or tag for one put; whatever
 * reads that index in the same write must see them all the same: a
 * look-up half-way, an update that moves an older id under a key with
 * newer ones, more keys than a table gathers at once, more ids than a
 * group holds.
 */
#define DUPS_N 700
#define DUPS_OWNERS 13

static int
owner_ids(struct crm_txn *tx, const char *owner, uint64_t *n, uint64_t *last)
{
	const struct crm_entity *e = customer_ent();
	struct crm_iter *it = NULL;
	uint64_t id;
	int rc;

	*n = *last = 0;
	rc = crm_iter_index(tx, e, crm_field_find(e, "owner", 5), owner,
	    strlen(owner), &it);
	while (rc == 0 && (rc = crm_iter_next(it, &id, NULL, NULL)) == 0) {
		if (id <= *last)
			return -1;	/* ids in order, each once */
		*last = id;
		(*n)++;
	}
	crm_iter_free(it);
	return rc == CRM_ENOTFOUND ? 0 : rc;
}

static int
do_dups(struct crm_txn *tx, void *arg)
{
	uint64_t *seen = arg, n, last;
	struct crm_rec *r = crm_rec_new(customer_ent());
	struct crm_rec *nw = crm_rec_new(customer_ent());
	char name[32], owner[32], tags[32];
	int i, rc = 0;

	if (r == NULL || nw == NULL)
		rc = ENOMEM;
	for (i = 1; i <= DUPS_N && rc == 0; i++) {
		crm_rec_reset(r);
		snprintf(name, sizeof(name), "name=C%d", i);
		snprintf(owner, sizeof(owner), "owner=o%d", i % DUPS_OWNERS);
		snprintf(tags, sizeof(tags), "tags=t%d;all", i % 3);
		{
			const char *kv[] = { name, owner, tags, NULL };

			rc = set_list(r, kv);
		}
		if (rc == 0)
			rc = crm_insert(tx, r);
		/* Half-way, in the same write: o3 has ids 3, 16, 29, ... */
		if (rc == 0 && i == DUPS_N / 2) {
			rc = owner_ids(tx, "o3", &n, &last);
			seen[0] = n;
		}
	}
	/* Customer 1 (an older id) moves to o5, whose ids run past it. */
	if (rc == 0)
		rc = crm_fetch(tx, r, 1);
	if (rc == 0)
		rc = crm_rec_copy(nw, r);
	if (rc == 0) {
		const char *kv[] = { "owner=o5", NULL };

		rc = set_list(nw, kv);
	}
	if (rc == 0)
		rc = crm_update(tx, r, nw);
	if (rc == 0)
		rc = owner_ids(tx, "o5", &seen[1], &last);
	crm_rec_free(r);
	crm_rec_free(nw);
	return rc;
}

static int
no_problem(const struct crm_problem *p, void *arg)
{
	(void)arg;
	print_message("# check: %s %llu %s: %s\n", p->entity ? p->entity : "",
	    (unsigned long long)p->id, p->field, p->what);
	return 0;
}

static void
test_gathered_dups(void **state)
{
	struct fixture *fx = *state;
	struct crm_check_counts cc;
	struct crm_txn tx;
	uint64_t seen[2] = { 0, 0 }, n, last;
	char o[8];
	int k, total = 0;

	open_rw(fx);
	assert_int_equal(crm_write(fx->db, do_dups, seen), 0);
	assert_int_equal(seen[0], (DUPS_N / 2 - 3) / DUPS_OWNERS + 1);
	/* o5: 5, 18, ... and now 1 as well */
	assert_int_equal(seen[1], (DUPS_N - 5) / DUPS_OWNERS + 1 + 1);
	assert_int_equal(crm_read_begin(fx->db, &tx), 0);
	for (k = 0; k < DUPS_OWNERS; k++) {
		snprintf(o, sizeof(o), "o%d", k);
		assert_int_equal(owner_ids(&tx, o, &n, &last), 0);
		total += (int)n;
	}
	assert_int_equal(total, DUPS_N);
	memset(&cc, 0, sizeof(cc));
	assert_int_equal(crm_check(&tx, no_problem, NULL, &cc), 0);
	assert_int_equal(cc.problems, 0);
	assert_int_equal(cc.records, DUPS_N);
	crm_txn_end(&tx);
	INDEXED(fx, "owner", "o1", "14,27,40,53,66,79,92,105,118,131,144,157,"
	    "170,183,196,209,222,235,248,261,274,287,300,313,326,339,352,365,"
	    "378,391,404,417,430,443,456,469,482,495,508,521,534,547,560,573,"
	    "586,599,612,625,638,651,664,677,690,");
	PASSED(fx);
}

/* ---- delete and undo ------------------------------------------------ */

struct delete_job {
	uint64_t id;
	uint64_t change;
};

static int
do_delete(struct crm_txn *tx, void *arg)
{
	struct delete_job *job = arg;
	struct crm_rec *r = crm_rec_new(customer_ent());
	int rc;

	if (r == NULL)
		return ENOMEM;
	rc = crm_fetch(tx, r, job->id);
	if (rc == 0)
		rc = crm_delete(tx, r);
	if (rc == 0)
		rc = crm_audit_change(tx, &job->change);
	crm_rec_free(r);
	return rc;
}

struct undo_job {
	uint64_t change;
	size_t n;
};

static int
do_undo(struct crm_txn *tx, void *arg)
{
	struct undo_job *job = arg;

	return crm_undo(tx, job->change, 0, &job->n);
}

static int
do_undo_force(struct crm_txn *tx, void *arg)
{
	struct undo_job *job = arg;

	return crm_undo(tx, job->change, 1, &job->n);
}

static void
test_delete_undo(void **state)
{
	struct fixture *fx = *state;
	struct delete_job del;
	struct undo_job undo;
	struct crm_txn tx;
	struct crm_rec *r;
	char *log;

	open_rw(fx);
	assert_int_equal(insert1(fx, "name=Ann", "ext_id=E1",
	    "email=ann@example.com", "tags=vip", "phone=+86 138 0000 0007",
	    "colour=blue", (char *)NULL), 1);
	assert_int_equal(insert1(fx, "name=Bob", (char *)NULL), 2);

	del.id = 1;
	del.change = 0;
	assert_int_equal(crm_write(fx->db, do_delete, &del), 0);
	assert_true(del.change > 0);
	assert_int_equal(count(fx, customer_ent()), 1);
	MISSES(fx, "1");
	MISSES(fx, "ext:E1");
	MISSES(fx, "email:ann@example.com");
	TAGGED(fx, "vip", "");
	r = crm_rec_new(customer_ent());
	assert_non_null(r);
	assert_int_equal(crm_read_begin(fx->db, &tx), 0);
	assert_int_equal(crm_fetch(&tx, r, 1), CRM_ENOTFOUND);
	crm_txn_end(&tx);

	undo.change = del.change;
	undo.n = 0;
	assert_int_equal(crm_write(fx->db, do_undo, &undo), 0);
	assert_int_equal(undo.n, 1);

	/* Undo brings back the same record under the same id. */
	assert_int_equal(count(fx, customer_ent()), 2);
	FIELD(fx, 1, "name", "Ann");
	FIELD(fx, 1, "phone", "+86 138 0000 0007");
	FIELD(fx, 1, "tags", "vip");
	FIELD(fx, 1, "colour", "blue");
	FIELD(fx, 1, "created_at", NOW_TEXT);
	FINDS(fx, "ext:E1", 1);
	FINDS(fx, "email:ann@example.com", 1);
	FINDS(fx, "phone:+8613800000007", 1);
	TAGGED(fx, "vip", "1,");
	/* A new record still gets a new id. */
	assert_int_equal(insert1(fx, "name=Cy", (char *)NULL), 3);

	log = audit_of(fx, 1);
	assert_string_equal(log,
	    "create 1 [tester/test_store]\n"
	    "delete 1 [tester/test_store]\n"
	    "create 1 [tester/test_store]\n");
	free(log);
	crm_rec_free(r);

	/* The same change cannot be undone twice. */
	undo.change = del.change;
	assert_int_equal(crm_write(fx->db, do_undo, &undo), CRM_EDATA);
	assert_non_null(strstr(crm_errdetail(CRM_EDATA), "already undone"));
	assert_int_equal(count(fx, customer_ent()), 3);

	/* Undoing a change that does not exist. */
	undo.change = 999;
	assert_int_equal(crm_write(fx->db, do_undo, &undo), CRM_ENOTFOUND);
	PASSED(fx);
}

/* Undo of an insert removes the record and frees its unique keys. */
static void
test_undo_insert(void **state)
{
	struct fixture *fx = *state;
	struct undo_job undo;
	struct crm_txn tx;
	uint64_t change = 0;

	open_rw(fx);
	assert_int_equal(insert1(fx, "name=Ann", "email=ann@example.com",
	    (char *)NULL), 1);
	assert_int_equal(crm_read_begin(fx->db, &tx), 0);
	assert_int_equal(crm_audit_change(&tx, &change), 0);
	crm_txn_end(&tx);
	/* The next change id: the insert was the one before. */
	assert_true(change >= 2);
	undo.change = change - 1;
	assert_int_equal(crm_write(fx->db, do_undo, &undo), 0);
	assert_int_equal(undo.n, 1);
	assert_int_equal(count(fx, customer_ent()), 0);
	MISSES(fx, "email:ann@example.com");
	assert_int_equal(insert1(fx, "name=Ann 2", "email=ann@example.com",
	    (char *)NULL), 2);

	/* A record edited since its creation is not silently deleted. */
	{
		static const char *const kv[] = { "tier=A", NULL };
		struct update_job job;

		assert_int_equal(crm_read_begin(fx->db, &tx), 0);
		assert_int_equal(crm_audit_change(&tx, &change), 0);
		crm_txn_end(&tx);
		assert_int_equal(update(fx, 2, kv, &job), 0);
		undo.change = change - 1;	/* the insert of record 2 */
		assert_int_equal(crm_write(fx->db, do_undo, &undo), CRM_EDATA);
		assert_non_null(strstr(crm_errdetail(CRM_EDATA), "changed since"));
		assert_int_equal(count(fx, customer_ent()), 1);
		FIELD(fx, 2, "tier", "A");
	}
	PASSED(fx);
}

/* ---- map growth ----------------------------------------------------- */

struct bulk_job {
	size_t n;
	int runs;
	int max_attempt;
	uint64_t first, last;
	int pager;		/* start a pager, left to crm_txn_end to stop */
};

static int
do_bulk(struct crm_txn *tx, void *arg)
{
	struct bulk_job *job = arg;
	struct crm_rec *r = crm_rec_new(customer_ent());
	char name[64], email[64], ext[32];
	size_t i;
	int rc = 0;

	/* Run again after growth: everything from scratch. */
	job->runs++;
	if (tx->attempt > job->max_attempt)
		job->max_attempt = tx->attempt;
	job->first = job->last = 0;
	if (r == NULL)
		return ENOMEM;
	if (job->pager)
		crm_pager_start(tx, (size_t)1 << 30);
	for (i = 0; i < job->n && rc == 0; i++) {
		int nl = snprintf(name, sizeof(name), "Customer number %zu", i);
		int el = snprintf(email, sizeof(email), "c%zu@example.com", i);
		int xl = snprintf(ext, sizeof(ext), "E%06zu", i);

		crm_rec_reset(r);
		rc = crm_rec_set(r, "name", 4, name, (size_t)nl, tx->now, 0);
		if (rc == 0)
			rc = crm_rec_set(r, "email", 5, email, (size_t)el,
			    tx->now, 0);
		if (rc == 0)
			rc = crm_rec_set(r, "ext_id", 6, ext, (size_t)xl,
			    tx->now, 0);
		if (rc == 0)
			rc = crm_rec_set(r, "tags", 4, "bulk;test", 9, tx->now, 0);
		if (rc == 0)
			rc = crm_insert(tx, r);
		if (rc == 0 && job->first == 0)
			job->first = r->id;
		if (rc == 0)
			job->last = r->id;
	}
	crm_rec_free(r);
	return rc;
}

static void
test_map_growth(void **state)
{
	struct fixture *fx = *state;
	struct bulk_job job;
	int rc;

	assert_int_equal(setenv("CRM_MAP_SIZE", "65536", 1), 0);
	open_rw(fx);
	memset(&job, 0, sizeof(job));
	job.n = 5000;
	rc = crm_write(fx->db, do_bulk, &job);
	if (rc != 0)
		fail_msg("bulk insert: %s", crm_errdetail(rc));
	assert_true(job.runs > 1);		/* it did have to grow */
	assert_int_equal(job.max_attempt, job.runs - 1);
	assert_int_equal(job.first, 1);
	assert_int_equal(job.last, 5000);
	assert_int_equal(count(fx, customer_ent()), 5000);
	FINDS(fx, "email:c4999@example.com", 5000);
	FINDS(fx, "ext:E000000", 1);
	FIELD(fx, 2500, "name", "Customer number 2499");

	/* The grown map is kept: a reopen with the small setting still
	 * reads and writes. */
	reopen(fx);
	assert_int_equal(count(fx, customer_ent()), 5000);
	assert_int_equal(insert1(fx, "name=One more", (char *)NULL), 5001);
	unsetenv("CRM_MAP_SIZE");
	PASSED(fx);
}

/*
 * A pager faulting pages in ahead of the writer changes nothing of what
 * is written, also when the map grows under the write (the pager of
 * each run is stopped by crm_txn_end, before the map moves).
 */
static void
test_pager(void **state)
{
	struct fixture *fx = *state;
	struct bulk_job job;
	int rc;

	open_rw(fx);
	memset(&job, 0, sizeof(job));
	job.n = 20000;
	job.pager = 1;
	rc = crm_write(fx->db, do_bulk, &job);
	if (rc != 0)
		fail_msg("bulk insert: %s", crm_errdetail(rc));
	assert_int_equal(count(fx, customer_ent()), 20000);
	FINDS(fx, "email:c19999@example.com", 20000);
	FIELD(fx, 12345, "name", "Customer number 12344");

	crm_db_close(fx->db);
	fx->db = NULL;
	assert_int_equal(setenv("CRM_MAP_SIZE", "65536", 1), 0);
	snprintf(fx->dir + strlen(fx->dir), sizeof(fx->dir) - strlen(fx->dir),
	    "2");
	open_rw(fx);
	memset(&job, 0, sizeof(job));
	job.n = 5000;
	job.pager = 1;
	rc = crm_write(fx->db, do_bulk, &job);
	if (rc != 0)
		fail_msg("bulk insert: %s", crm_errdetail(rc));
	assert_true(job.runs > 1);
	assert_int_equal(count(fx, customer_ent()), 5000);
	FINDS(fx, "ext:E004999", 5000);
	unsetenv("CRM_MAP_SIZE");
	PASSED(fx);
}

/* An e-mail's index key is lowered, A to Z only: other bytes (UTF-8
 * of other scripts) as they are, at any length and alignment. */
static void
test_index_key_email(void **state)
{
	const struct crm_entity *e = customer_ent();
	int f = crm_field_find(e, "email", 5);
	struct crm_buf b = CRM_BUF_INIT;
	char in[80], want[80];
	size_t n, i;
	static const char mixed[] = " J\xc3\xb6rg.M\xc3\x9cLLER+Tag@Example.ORG ";

	(void)state;
	assert_int_equal(crm_index_key(e, f, mixed, strlen(mixed), &b), 0);
	assert_string_equal(b.p, "j\xc3\xb6rg.m\xc3\x9cller+tag@example.org");
	/* every length to 40, each byte of "@AZaz[`\x80\xc1" in turn */
	for (n = 1; n <= 40; n++) {
		for (i = 0; i < n; i++) {
			in[i] = "@AZaz[`\x80\xc1Q"[(i * 7 + n) % 10];
			want[i] = in[i] >= 'A' && in[i] <= 'Z' ?
			    (char)(in[i] + 32) : in[i];
		}
		want[n] = '\0';
		crm_buf_reset(&b);
		assert_int_equal(crm_buf_adds(&b, "k:"), 0);
		assert_int_equal(crm_index_key(e, f, in, n, &b), 0);
		assert_int_equal(b.len, n + 2);
		assert_memory_equal(b.p + 2, want, n);
	}
	crm_buf_free(&b);
}

/* ---- versions ------------------------------------------------------- */

/* Writes meta "schema_version" = v (big-endian 64-bit) with plain LMDB. */
static void
set_schema_version(const char *dir, uint64_t v)
{
	MDB_env *env = NULL;
	MDB_txn *t = NULL;
	MDB_dbi meta;
	unsigned char b[8];
	MDB_val key = { 14, "schema_version" }, val = { 8, b };

	crm_be64_put(b, v);
	assert_int_equal(mdb_env_create(&env), 0);
	assert_int_equal(mdb_env_set_maxdbs(env, 128), 0);
	assert_int_equal(mdb_env_open(env, dir, 0, 0600), 0);
	assert_int_equal(mdb_txn_begin(env, NULL, 0, &t), 0);
	assert_int_equal(mdb_dbi_open(t, "meta", 0, &meta), 0);
	assert_int_equal(mdb_put(t, meta, &key, &val, 0), 0);
	assert_int_equal(mdb_txn_commit(t), 0);
	mdb_env_close(env);
}

static uint64_t
get_schema_version(const char *dir)
{
	MDB_env *env = NULL;
	MDB_txn *t = NULL;
	MDB_dbi meta;
	MDB_val key = { 14, "schema_version" }, val;
	uint64_t v;

	assert_int_equal(mdb_env_create(&env), 0);
	assert_int_equal(mdb_env_set_maxdbs(env, 128), 0);
	assert_int_equal(mdb_env_open(env, dir, MDB_RDONLY, 0600), 0);
	assert_int_equal(mdb_txn_begin(env, NULL, MDB_RDONLY, &t), 0);
	assert_int_equal(mdb_dbi_open(t, "meta", 0, &meta), 0);
	assert_int_equal(mdb_get(t, meta, &key, &val), 0);
	assert_int_equal(val.mv_size, 8);
	v = crm_be64_get(val.mv_data);
	mdb_txn_abort(t);
	mdb_env_close(env);
	return v;
}

/* ---- runs of creations in the audit log ------------------------------ */

static int
collect_seq(const struct crm_audit *a, void *arg)
{
	return crm_buf_printf(arg, "%llu:%s:%llu ", (unsigned long long)a->seq,
	    crm_audit_opname(a->op), (unsigned long long)a->id);
}

/* Every entry of change (all when 0) as "seq:op:id " text. */
static char *
change_log(struct fixture *fx, uint64_t change)
{
	struct crm_buf b = CRM_BUF_INIT;
	struct crm_txn tx;

	assert_int_equal(crm_read_begin(fx->db, &tx), 0);
	assert_int_equal(crm_audit_each(&tx, NULL, 0, change, collect_seq, &b),
	    0);
	crm_txn_end(&tx);
	return b.p ? b.p : strdup("");
}

static size_t
audit_keys(struct fixture *fx)
{
	struct crm_txn tx;
	MDB_stat st;

	assert_int_equal(crm_read_begin(fx->db, &tx), 0);
	assert_int_equal(mdb_stat(tx.t, crm_db_audit(fx->db), &st), 0);
	crm_txn_end(&tx);
	return st.ms_entries;
}

static int
set_tier(struct crm_rec *nw, void *arg)
{
	(void)arg;
	return crm_rec_set(nw, "tier", 4, "A", 1, NOW, 0);
}

/* Creations in a row, an update between them, then more. */
static int
do_mixed(struct crm_txn *tx, void *arg)
{
	static const char *const names[] = { "name=A1", "name=A2", "name=A3",
		"name=B4", "name=B5" };
	struct crm_rec *r = crm_rec_new(customer_ent());
	uint64_t *change = arg, second = 0;
	int i, rc = 0;

	if (r == NULL)
		return ENOMEM;
	for (i = 0; i < 5 && rc == 0; i++) {
		const char *kv[2] = { names[i], NULL };

		if (i == 3)
			rc = crm_edit(tx, customer_ent(), second, set_tier, NULL);
		crm_rec_reset(r);
		if (rc == 0)
			rc = set_list(r, kv);
		if (rc == 0)
			rc = crm_insert(tx, r);
		if (i == 1)
			second = r->id;
	}
	crm_rec_free(r);
	if (rc == 0)
		rc = crm_audit_change(tx, change);
	return rc;
}

/*
 * Creations of consecutive ids in one write are one entry in the log,
 * but every reader still sees one creation per record, numbered as if
 * written on its own; undo reverses them all; the database is marked
 * as one an older crm cannot read.
 */
static void
test_audit_runs(void **state)
{
	struct fixture *fx = *state;
	struct delete_job del;
	struct undo_job undo;
	uint64_t change = 0;
	char *log;

	open_rw(fx);
	assert_int_equal(crm_write(fx->db, do_mixed, &change), 0);
	log = change_log(fx, change);
	assert_string_equal(log, "1:create:1 2:create:2 3:create:3 "
	    "4:update:2 5:create:4 6:create:5 ");
	free(log);
	assert_int_equal(audit_keys(fx), 3);	/* two runs and the update */
	log = audit_of(fx, 2);
	assert_string_equal(log, "create 2 [tester/test_store]\n"
	    "update tier:  -> A [tester/test_store]\n");
	free(log);
	log = audit_of(fx, 5);
	assert_string_equal(log, "create 5 [tester/test_store]\n");
	free(log);
	log = audit_of(fx, 6);
	assert_string_equal(log, "");
	free(log);

	/* Deleted and restored: its creation in the run comes first. */
	del.id = 4;
	del.change = 0;
	assert_int_equal(crm_write(fx->db, do_delete, &del), 0);
	undo.change = del.change;
	assert_int_equal(crm_write(fx->db, do_undo, &undo), 0);
	log = audit_of(fx, 4);
	assert_string_equal(log, "create 4 [tester/test_store]\n"
	    "delete 4 [tester/test_store]\n"
	    "create 4 [tester/test_store]\n");
	free(log);
	log = change_log(fx, del.change);
	assert_string_equal(log, "7:delete:4 ");
	free(log);

	/* Undo of the whole write: every record of both runs goes. */
	undo.change = change;
	assert_int_equal(crm_write(fx->db, do_undo, &undo), CRM_EDATA);
	crm_clearerr();		/* 4 was changed since: --force */
	assert_int_equal(crm_write(fx->db, do_undo_force, &undo), 0);
	assert_int_equal(undo.n, 6);
	assert_int_equal(count(fx, customer_ent()), 0);

	crm_db_close(fx->db);
	fx->db = NULL;
	assert_int_equal(get_schema_version(fx->dir), CRM_SCHEMA_VERSION);

	/* A database of version 1 stays so until a run is written in it. */
	set_schema_version(fx->dir, 1);
	open_rw(fx);
	assert_int_equal(insert1(fx, "name=Solo", (char *)NULL), 6);
	crm_db_close(fx->db);
	fx->db = NULL;
	assert_int_equal(get_schema_version(fx->dir), 1);
	open_rw(fx);
	assert_int_equal(crm_write(fx->db, do_mixed, &change), 0);
	crm_db_close(fx->db);
	fx->db = NULL;
	assert_int_equal(get_schema_version(fx->dir), CRM_SCHEMA_VERSION);
	PASSED(fx);
}

/*
 * Turns the non-unique index "customer.NAME.ids" back into schema
 * version 2's "customer.NAME": one id per duplicate (plain LMDB).
 */
static void
downgrade_index(const char *dir, const char *name)
{
	MDB_env *env = NULL;
	MDB_txn *t = NULL;
	MDB_dbi from, to;
	MDB_cursor *c = NULL;
	MDB_val k, v, one;
	char newname[64], oldname[64];
	size_t i;
	int rc;

	snprintf(newname, sizeof(newname), "customer.%s.ids", name);
	snprintf(oldname, sizeof(oldname), "customer.%s", name);
	assert_int_equal(mdb_env_create(&env), 0);
	assert_int_equal(mdb_env_set_maxdbs(env, 128), 0);
	assert_int_equal(mdb_env_open(env, dir, 0, 0600), 0);
	assert_int_equal(mdb_txn_begin(env, NULL, 0, &t), 0);
	assert_int_equal(mdb_dbi_open(t, newname, MDB_DUPSORT, &from), 0);
	assert_int_equal(mdb_dbi_open(t, oldname, MDB_CREATE | MDB_DUPSORT |
	    MDB_DUPFIXED, &to), 0);
	assert_int_equal(mdb_cursor_open(t, from, &c), 0);
	for (rc = mdb_cursor_get(c, &k, &v, MDB_FIRST); rc == 0;
	    rc = mdb_cursor_get(c, &k, &v, MDB_NEXT))
		for (i = 0; i < v.mv_size / 8; i++) {
			one.mv_data = (char *)v.mv_data + 8 * i;
			one.mv_size = 8;
			assert_int_equal(mdb_put(t, to, &k, &one, 0), 0);
		}
	assert_int_equal(rc, MDB_NOTFOUND);
	mdb_cursor_close(c);
	assert_int_equal(mdb_drop(t, from, 1), 0);
	assert_int_equal(mdb_txn_commit(t), 0);
	mdb_env_close(env);
}

/* 1 when dir holds a table of that name. */
static int
has_table(const char *dir, const char *name)
{
	MDB_env *env = NULL;
	MDB_txn *t = NULL;
	MDB_dbi dbi;
	int rc;

	assert_int_equal(mdb_env_create(&env), 0);
	assert_int_equal(mdb_env_set_maxdbs(env, 128), 0);
	assert_int_equal(mdb_env_open(env, dir, MDB_RDONLY, 0600), 0);
	assert_int_equal(mdb_txn_begin(env, NULL, MDB_RDONLY, &t), 0);
	rc = mdb_dbi_open(t, name, 0, &dbi);
	mdb_txn_abort(t);
	mdb_env_close(env);
	return rc == 0;
}

static int
count_problems(const struct crm_problem *p, void *arg)
{
	(void)p;
	++*(int *)arg;
	return 0;
}

/* Version 2 kept one id per duplicate; the first open that may write
 * (here: a reader's, in a writable directory) converts to blocks. */
static void
test_index_upgrade(void **state)
{
	struct fixture *fx = *state;
	struct crm_txn tx;
	char name[16], want[1024] = "";
	int i, problems = 0;

	open_rw(fx);
	for (i = 1; i <= 150; i++) {
		snprintf(name, sizeof(name), "name=C%d", i);
		if (i % 3 == 0) {
			assert_int_equal(insert1(fx, name, "owner=dana",
			    "tags=vip;new", (char *)NULL), (uint64_t)i);
			snprintf(want + strlen(want), sizeof(want) - strlen(want),
			    "%d,", i);
		} else
			assert_int_equal(insert1(fx, name, "owner=bob",
			    (char *)NULL), (uint64_t)i);
	}
	crm_db_close(fx->db);
	fx->db = NULL;
	downgrade_index(fx->dir, "owner");
	downgrade_index(fx->dir, "tags");
	set_schema_version(fx->dir, 2);
	assert_true(has_table(fx->dir, "customer.owner"));

	assert_int_equal(crm_db_open(fx->dir, CRM_OPEN_RDONLY, "test_store",
	    "tester", &fx->db), 0);
	INDEXED(fx, "owner", "dana", want);
	TAGGED(fx, "vip", want);
	assert_int_equal(crm_read_begin(fx->db, &tx), 0);
	assert_int_equal(crm_check(&tx, count_problems, &problems, NULL), 0);
	crm_txn_end(&tx);
	assert_int_equal(problems, 0);
	crm_db_close(fx->db);
	fx->db = NULL;
	assert_int_equal(get_schema_version(fx->dir), CRM_SCHEMA_VERSION);
	assert_false(has_table(fx->dir, "customer.owner"));
	assert_false(has_table(fx->dir, "customer.tags"));
	assert_true(has_table(fx->dir, "customer.owner.ids"));
	PASSED(fx);
}

static void
test_newer_schema(void **state)
{
	struct fixture *fx = *state;
	int rc;

	open_rw(fx);
	assert_int_equal(insert1(fx, "name=Ann", (char *)NULL), 1);
	crm_db_close(fx->db);		/* never two handles in one process */
	fx->db = NULL;
	assert_int_equal(get_schema_version(fx->dir), CRM_SCHEMA_VERSION);

	set_schema_version(fx->dir, CRM_SCHEMA_VERSION + 41);
	rc = crm_db_open(fx->dir, CRM_OPEN_RDONLY, "t", "u", &fx->db);
	assert_int_equal(rc, CRM_EVERSION);
	assert_null(fx->db);
	assert_non_null(strstr(crm_errdetail(rc), "newer"));
	rc = crm_db_open(fx->dir, CRM_OPEN_RDWR, "t", "u", &fx->db);
	assert_int_equal(rc, CRM_EVERSION);
	assert_null(fx->db);
	/* Refusing it changed nothing. */
	assert_int_equal(get_schema_version(fx->dir), CRM_SCHEMA_VERSION + 41);

	/* The same version opens again. */
	set_schema_version(fx->dir, CRM_SCHEMA_VERSION);
	open_rw(fx);
	FIELD(fx, 1, "name", "Ann");
	PASSED(fx);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_open_creates_private, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_open_rdonly_missing, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_open_not_a_dir, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_open_nested_dir, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_insert_ids, setup, teardown),
		cmocka_unit_test_setup_teardown(test_prepared_insert, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_insert_required, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_unique_collision, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_lookup, setup, teardown),
		cmocka_unit_test_setup_teardown(test_update_audit, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_gathered_dups, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_update_indexes, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_delete_undo, setup, teardown),
		cmocka_unit_test_setup_teardown(test_undo_insert, setup, teardown),
		cmocka_unit_test_setup_teardown(test_map_growth, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pager, setup, teardown),
		cmocka_unit_test_setup_teardown(test_audit_runs, setup, teardown),
		cmocka_unit_test(test_index_key_email),
		cmocka_unit_test_setup_teardown(test_index_upgrade, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_newer_schema, setup,
		    teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
