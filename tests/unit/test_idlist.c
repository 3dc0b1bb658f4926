/*
 * test_idlist.c — the ids of a non-unique index in blocks: random adds
 * (runs at the end, as a load makes them, and single ids anywhere),
 * deletes and repeats, checked after every step against a plain array
 * of the ids each key should hold; iteration that goes on while the
 * blocks change under it; and the conversion of a schema version 2
 * table (one id per duplicate).
 *
 * Each test gets a fresh LMDB environment in a mkdtemp directory.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <lmdb.h>

#include "buf.h"
#include "idlist.h"

#define NKEYS 3
#define MAXID 4000

struct fixture {
	char dir[64];
	MDB_env *env;
	MDB_txn *t;
	MDB_dbi dbi;
	MDB_cursor *c;
	/* the model: have[k][id] */
	unsigned char have[NKEYS][MAXID + 1];
};

static const char *const keys[NKEYS] = { "alice", "bob", "x" };

static int
setup(void **state)
{
	struct fixture *fx = calloc(1, sizeof(*fx));

	if (fx == NULL)
		return -1;
	strcpy(fx->dir, "/tmp/crm-idlist-XXXXXX");
	if (mkdtemp(fx->dir) == NULL || mdb_env_create(&fx->env) != 0 ||
	    mdb_env_set_maxdbs(fx->env, 4) != 0 ||
	    mdb_env_set_mapsize(fx->env, 64 << 20) != 0 ||
	    mdb_env_open(fx->env, fx->dir, 0, 0600) != 0 ||
	    mdb_txn_begin(fx->env, NULL, 0, &fx->t) != 0 ||
	    mdb_dbi_open(fx->t, "ix", MDB_CREATE | MDB_DUPSORT, &fx->dbi) != 0 ||
	    mdb_cursor_open(fx->t, fx->dbi, &fx->c) != 0)
		return -1;
	*state = fx;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *fx = *state;
	char path[96];

	mdb_cursor_close(fx->c);
	mdb_txn_abort(fx->t);
	mdb_env_close(fx->env);
	snprintf(path, sizeof(path), "%s/data.mdb", fx->dir);
	unlink(path);
	snprintf(path, sizeof(path), "%s/lock.mdb", fx->dir);
	unlink(path);
	rmdir(fx->dir);
	free(fx);
	return 0;
}

static MDB_val
key_of(int k)
{
	MDB_val v = { strlen(keys[k]), (void *)keys[k] };

	return v;
}

static void
add(struct fixture *fx, int k, const uint64_t *ids, size_t n)
{
	unsigned char buf[512 * 8];
	MDB_val key = key_of(k);
	size_t i;

	assert_true(n <= 512);
	for (i = 0; i < n; i++) {
		crm_be64_put(buf + 8 * i, ids[i]);
		fx->have[k][ids[i]] = 1;
	}
	assert_int_equal(crm_idl_add(fx->c, &key, buf, n), 0);
}

/* Every block is well formed, and the ids of each key are the model's,
 * in order, whether read by iteration, by count or one by one. */
static void
agree(struct fixture *fx)
{
	unsigned char blk[CRM_IDL_MAX * 8];
	MDB_val k, v;
	size_t total = 0, counted, n, pos;
	uint64_t id, want;
	int key, rc, first, fin, was_final = 0;

	for (rc = mdb_cursor_get(fx->c, &k, &v, MDB_FIRST); rc == 0;
	    rc = mdb_cursor_get(fx->c, &k, &v, MDB_NEXT))
		assert_int_equal(crm_idl_valid(&v), 0);
	assert_int_equal(rc, MDB_NOTFOUND);
	for (key = 0; key < NKEYS; key++) {
		MDB_val kv = key_of(key);

		want = 0;
		first = 1;
		id = 0;
		was_final = 0;
		for (;;) {
			rc = crm_idl_next(fx->c, &kv, first, id, blk, &n, &pos,
			    &fin);
			if (rc == MDB_NOTFOUND)
				break;
			assert_int_equal(rc, 0);
			/* no block after one said to be the last */
			assert_false(was_final);
			was_final = fin;
			for (; pos < n; pos++) {
				id = crm_be64_get(blk + 8 * pos);
				while (want <= MAXID && !fx->have[key][want])
					want++;
				assert_int_equal(id, want);
				want++;
				total++;
			}
			first = 0;
		}
		while (want <= MAXID && !fx->have[key][want])
			want++;
		assert_int_equal(want, MAXID + 1);	/* none missed */
		for (id = 1; id <= MAXID; id += 7)
			assert_int_equal(crm_idl_has(fx->c, &kv, id),
			    fx->have[key][id] ? 0 : MDB_NOTFOUND);
	}
	assert_int_equal(crm_idl_count(fx->t, fx->dbi, &counted), 0);
	assert_int_equal(counted, total);
}

/* A load: runs of ascending ids at the end fill whole blocks. */
static void
test_runs_fill_blocks(void **state)
{
	struct fixture *fx = *state;
	uint64_t ids[126];
	MDB_stat st;
	size_t i, r;

	for (r = 0; r < 10; r++) {
		for (i = 0; i < 126; i++)
			ids[i] = 1 + r * 126 + i;
		add(fx, 0, ids, 126);
	}
	agree(fx);
	assert_int_equal(mdb_stat(fx->t, fx->dbi, &st), 0);
	assert_int_equal(st.ms_entries, 1260 / CRM_IDL_MAX);
	/* One at a time tops the last block up rather than adding one. */
	for (i = 0; i < 5; i++) {
		ids[0] = 2000 + i;
		add(fx, 0, ids, 1);
	}
	agree(fx);
	assert_int_equal(mdb_stat(fx->t, fx->dbi, &st), 0);
	assert_int_equal(st.ms_entries, 1260 / CRM_IDL_MAX + 1);
}

/* Random adds anywhere, repeats and deletes, against the model. */
static void
test_random_against_model(void **state)
{
	struct fixture *fx = *state;
	uint64_t ids[200];
	size_t step, i, n;
	int k;

	srand(12345);
	for (step = 0; step < 600; step++) {
		k = rand() % NKEYS;
		switch (rand() % 4) {
		case 0:		/* a sorted batch of distinct ids anywhere */
			n = 1 + (size_t)(rand() % 200);
			ids[0] = 1 + (uint64_t)(rand() % 50);
			for (i = 1; i < n; i++)
				ids[i] = ids[i - 1] + 1 + (uint64_t)(rand() % 30);
			while (n > 0 && ids[n - 1] > MAXID)
				n--;
			if (n > 0)
				add(fx, k, ids, n);
			break;
		case 1:		/* one id, maybe there already */
			ids[0] = 1 + (uint64_t)(rand() % MAXID);
			add(fx, k, ids, 1);
			break;
		default: {	/* delete one, there or not */
			MDB_val key = key_of(k);
			uint64_t id = 1 + (uint64_t)(rand() % MAXID);

			assert_int_equal(crm_idl_del(fx->c, &key, id),
			    fx->have[k][id] ? 0 : MDB_NOTFOUND);
			fx->have[k][id] = 0;
			break;
		}
		}
		if (step % 25 == 0)
			agree(fx);
	}
	agree(fx);
}

/* Iteration finds its place again from the last id it gave, so it
 * neither repeats nor skips ids while blocks split and vanish. */
static void
test_iterate_while_changing(void **state)
{
	struct fixture *fx = *state;
	unsigned char blk[CRM_IDL_MAX * 8];
	MDB_val key = key_of(1);
	uint64_t ids[300], id = 0, prev = 0;
	size_t i, n, pos, seen = 0;
	int rc, first = 1, fin;

	for (i = 0; i < 300; i++)
		ids[i] = 10 * (i + 1);
	add(fx, 1, ids, 300);
	for (;;) {
		rc = crm_idl_next(fx->c, &key, first, id, blk, &n, &pos,
		    &fin);
		if (rc == MDB_NOTFOUND)
			break;
		assert_int_equal(rc, 0);
		first = 0;
		id = crm_be64_get(blk + 8 * pos);
		assert_true(id > prev);
		prev = id;
		seen++;
		/* delete what was given, and add one below it */
		assert_int_equal(crm_idl_del(fx->c, &key, id), 0);
		fx->have[1][id] = 0;
		ids[0] = id - 5;
		add(fx, 1, ids, 1);
	}
	assert_int_equal(seen, 300);
	agree(fx);
}

/* A version 2 table, one id per duplicate, into blocks. */
static void
test_convert(void **state)
{
	struct fixture *fx = *state;
	MDB_dbi old;
	MDB_val k, v;
	unsigned char b[8];
	uint64_t id;
	int key;

	assert_int_equal(mdb_dbi_open(fx->t, "old", MDB_CREATE | MDB_DUPSORT |
	    MDB_DUPFIXED, &old), 0);
	for (key = 0; key < NKEYS; key++)
		for (id = 1 + (uint64_t)key; id <= 1000; id += 1 + (uint64_t)key) {
			k = key_of(key);
			crm_be64_put(b, id);
			v.mv_data = b;
			v.mv_size = 8;
			assert_int_equal(mdb_put(fx->t, old, &k, &v, 0), 0);
			fx->have[key][id] = 1;
		}
	assert_int_equal(crm_idl_convert(fx->t, old, fx->dbi), 0);
	agree(fx);
	/* one id per duplicate is not a block of ours */
	k = key_of(0);
	v.mv_size = 12;
	v.mv_data = "twelve bytes";
	assert_int_equal(crm_idl_valid(&v), MDB_CORRUPTED);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_runs_fill_blocks, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_random_against_model,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_iterate_while_changing,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_convert, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
