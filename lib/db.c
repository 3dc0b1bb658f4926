/*
 * db.c — opening, creating and transacting on the LMDB environment.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "db.h"
#include "error.h"
#include "idlist.h"
#include "value.h"

/*
 * Writers map the file writable (MDB_WRITEMAP): a long transaction's
 * pages go to the page cache instead of the heap, so a million-row
 * import does not grow the process, and LMDB keeps no dirty-page list
 * to search.  The price: the file must own real blocks up to the map
 * size (posix_fallocate), or a full disk would kill the writer with
 * SIGBUS instead of returning ENOSPC.  So the map starts small — the
 * file and some room — and grows by doubling, or ahead of a big import
 * (crm_db_reserve).
 */
#define MIN_MAP ((size_t)32 << 20)
#define MAX_GROWTHS 12

struct crm_db {
	MDB_env *env;
	char *dir;
	char *tool, *user;
	int rdonly;
	int lockfd;
	size_t mapsize;
	MDB_dbi rec[CRM_MAX_ENTITIES];
	MDB_dbi idx[CRM_MAX_ENTITIES][CRM_MAX_FIELDS];
	/* The indexed fields per entity, the unique ones first. */
	int keyed[CRM_MAX_ENTITIES][CRM_MAX_FIELDS];
	int nkeyed[CRM_MAX_ENTITIES], nunique[CRM_MAX_ENTITIES];
	MDB_dbi meta, audit, audit_rec;
};

int
crm_db_err(int rc)
{
	switch (rc) {
	case MDB_MAP_FULL:
		return CRM_EFULL;
	case MDB_READERS_FULL:
		return CRM_EBUSY;
	default:
		return rc;
	}
}

int
crm_db_dir(const char *opt, struct crm_buf *out)
{
	const char *env, *home;

	if (opt != NULL && opt[0] != '\0')
		return crm_buf_adds(out, opt);
	env = getenv("CRM_DB");
	if (env != NULL && env[0] != '\0')
		return crm_buf_adds(out, env);
	env = getenv("XDG_DATA_HOME");
	if (env != NULL && env[0] == '/')
		return crm_buf_printf(out, "%s/crm", env);
	home = getenv("HOME");
	if (home == NULL || home[0] == '\0')
		return crm_seterr(CRM_EUSAGE,
		    "no database: give --db DIR or set CRM_DB or HOME");
	return crm_buf_printf(out, "%s/.local/share/crm", home);
}

/* mkdir -p with mode 0700 for the last component. */
static int
make_dir(const char *dir)
{
	struct stat st;
	char *p, *copy;
	int rc = 0;

	if (stat(dir, &st) == 0)
		return S_ISDIR(st.st_mode) ? 0 : ENOTDIR;

	copy = strdup(dir);
	if (copy == NULL)
		return ENOMEM;
	for (p = copy + 1; *p != '\0'; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(copy, 0755) != 0 && errno != EEXIST) {
			rc = errno;
			goto done;
		}
		*p = '/';
	}
	if (mkdir(copy, 0700) != 0 && errno != EEXIST)
		rc = errno;
done:
	free(copy);
	return rc;
}

static size_t
env_mapsize(const char *datafile)
{
	const char *s = getenv("CRM_MAP_SIZE");
	struct stat st;
	size_t size = MIN_MAP;
	int64_t v;

	if (s != NULL && crm_parse_i64(s, strlen(s), 65536, INT64_MAX, &v) == 0)
		return (size_t)v;
	crm_clearerr();
	/* The file as it is; room is added after the open, from the size
	 * actually used (else every open would grow the file). */
	if (stat(datafile, &st) == 0 && (size_t)st.st_size > size)
		size = (size_t)st.st_size;
	return (size + ((size_t)1 << 20) - 1) & ~(((size_t)1 << 20) - 1);
}

static int lock_write(struct crm_db *db);
static void unlock_write(struct crm_db *db);

/* Real blocks for the whole map (see MIN_MAP). */
static int
reserve(struct crm_db *db, size_t size)
{
	int fd, rc;

	if (db->rdonly)
		return 0;
	rc = mdb_env_get_fd(db->env, &fd);
	if (rc != 0)
		return rc;
	rc = posix_fallocate(fd, 0, (off_t)size);
	if (rc == ENOSPC || rc == EDQUOT || rc == EFBIG)
		return crm_seterr(rc, "%s: no room for the database to grow to "
		    "%zu MiB: %s", db->dir, size >> 20, strerror(rc));
	/* A file system without fallocate: nothing better to do. */
	return rc == EOPNOTSUPP || rc == EINVAL ? 0 : rc;
}

int
crm_db_reserve(struct crm_db *db, size_t extra)
{
	MDB_envinfo info;
	MDB_stat st;
	size_t used, want;
	int rc;

	rc = mdb_env_info(db->env, &info);
	if (rc == 0)
		rc = mdb_env_stat(db->env, &st);
	if (rc != 0)
		return rc;
	used = (info.me_last_pgno + 1) * (size_t)st.ms_psize;
	if (used + extra <= info.me_mapsize)
		return 0;
	want = info.me_mapsize;
	while (want < used + extra)
		want *= 2;
	rc = lock_write(db);	/* no transaction may be open in the map */
	if (rc != 0)
		return rc;
	rc = mdb_env_set_mapsize(db->env, want);
	if (rc == 0)
		rc = reserve(db, want);
	if (rc == 0)
		db->mapsize = want;
	unlock_write(db);
	return rc;
}

static int
dbi_name(struct crm_buf *b, const struct crm_entity *e, int f)
{
	crm_buf_reset(b);
	if (f < 0)
		return crm_buf_adds(b, e->name);
	/* A non-unique index holds blocks of ids (idlist.h) under a name
	 * of its own: schema version 2 had one id per duplicate under
	 * "entity.field", converted when a writer first opens it. */
	return crm_buf_printf(b, "%s.%s%s", e->name, e->fields[f].name,
	    e->fields[f].flags & CRM_F_UNIQUE ? "" : ".ids");
}

/*
 * Moves the ids of a version 2 index ("entity.field", one per
 * duplicate) into its blocks, and drops it.  A database without one
 * is no change.
 */
static int
convert_index(MDB_txn *t, const struct crm_entity *e, int f, MDB_dbi to)
{
	struct crm_buf name = CRM_BUF_INIT;
	MDB_dbi from;
	int rc;

	rc = crm_buf_printf(&name, "%s.%s", e->name, e->fields[f].name);
	if (rc == 0)
		rc = mdb_dbi_open(t, name.p, MDB_DUPSORT | MDB_DUPFIXED, &from);
	crm_buf_free(&name);
	if (rc == MDB_NOTFOUND)
		return 0;
	if (rc == 0)
		rc = crm_idl_convert(t, from, to);
	if (rc == 0)
		rc = mdb_drop(t, from, 1);
	return rc;
}

/* The fields of e with an index, the unique ones first, in field order. */
static void
keyed_fields(struct crm_db *db, const struct crm_entity *e)
{
	int f, n = 0, pass;

	for (pass = 0; pass < 2; pass++) {
		for (f = 0; f < e->nfields; f++)
			if (db->idx[e->num][f] != 0 &&
			    ((e->fields[f].flags & CRM_F_UNIQUE) == 0) == pass)
				db->keyed[e->num][n++] = f;
		if (pass == 0)
			db->nunique[e->num] = n;
	}
	db->nkeyed[e->num] = n;
}

/* Opens every named database; creates them when create is set. */
static int
open_dbis(struct crm_db *db, MDB_txn *t, int create)
{
	struct crm_buf name = CRM_BUF_INIT;
	unsigned c = create ? MDB_CREATE : 0;
	int i, f, rc;

	rc = mdb_dbi_open(t, "meta", c, &db->meta);
	if (rc == 0)
		rc = mdb_dbi_open(t, "audit", c, &db->audit);
	if (rc == 0)
		rc = mdb_dbi_open(t, "audit.rec", c | MDB_DUPSORT | MDB_DUPFIXED,
		    &db->audit_rec);
	for (i = 0; i < crm_nentities && rc == 0; i++) {
		const struct crm_entity *e = crm_entities[i];

		rc = dbi_name(&name, e, -1);
		if (rc == 0)
			rc = mdb_dbi_open(t, name.p, c, &db->rec[e->num]);
		for (f = 0; f < e->nfields && rc == 0; f++) {
			unsigned fl = e->fields[f].flags;

			if (!(fl & (CRM_F_UNIQUE | CRM_F_INDEX)))
				continue;
			rc = dbi_name(&name, e, f);
			if (rc == 0)
				rc = mdb_dbi_open(t, name.p, c |
				    (fl & CRM_F_UNIQUE ? 0 : MDB_DUPSORT),
				    &db->idx[e->num][f]);
			if (rc == 0 && create && !(fl & CRM_F_UNIQUE))
				rc = convert_index(t, e, f, db->idx[e->num][f]);
		}
		keyed_fields(db, e);
	}
	crm_buf_free(&name);
	return rc;
}

static int
check_version(struct crm_db *db, MDB_txn *t, int init)
{
	MDB_val k = { 14, "schema_version" }, v;
	unsigned char buf[8];
	uint64_t ver;
	int rc;

	rc = mdb_get(t, db->meta, &k, &v);
	if (rc == MDB_NOTFOUND && init) {
		crm_be64_put(buf, CRM_SCHEMA_VERSION);
		v.mv_data = buf;
		v.mv_size = 8;
		return mdb_put(t, db->meta, &k, &v, 0);
	}
	if (rc == MDB_NOTFOUND)
		return crm_seterr(CRM_ECORRUPT,
		    "%s: not a crm database (no schema version)", db->dir);
	if (rc != 0)
		return rc;
	if (v.mv_size != 8)
		return CRM_ECORRUPT;
	ver = crm_be64_get(v.mv_data);
	if (ver > CRM_SCHEMA_VERSION)
		return crm_seterr(CRM_EVERSION,
		    "%s: database schema version %llu is newer than this crm "
		    "understands (%d); upgrade crm", db->dir,
		    (unsigned long long)ver, CRM_SCHEMA_VERSION);
	/* A writer that opened every table has converted the older ones
	 * (convert_index): older crm must not write to them now. */
	if (init && ver < CRM_SCHEMA_VERSION) {
		crm_be64_put(buf, CRM_SCHEMA_VERSION);
		v.mv_data = buf;
		v.mv_size = 8;
		return mdb_put(t, db->meta, &k, &v, 0);
	}
	return 0;
}

int
crm_db_stamp(struct crm_txn *tx)
{
	MDB_val k = { 14, "schema_version" }, v;
	unsigned char buf[8];
	int rc;

	if (tx->stamped)
		return 0;
	rc = mdb_get(tx->t, tx->db->meta, &k, &v);
	if (rc == 0 && (v.mv_size != 8 ||
	    crm_be64_get(v.mv_data) < CRM_SCHEMA_VERSION)) {
		crm_be64_put(buf, CRM_SCHEMA_VERSION);
		v.mv_data = buf;
		v.mv_size = 8;
		rc = mdb_put(tx->t, tx->db->meta, &k, &v, 0);
	}
	if (rc == 0)
		tx->stamped = 1;
	return rc;
}

static int
lock_write(struct crm_db *db)
{
	const char *s = getenv("CRM_BUSY_TIMEOUT");
	int64_t timeout = 30, waited_ms = 0, step = 5;
	struct timespec ts;

	if (s != NULL && crm_parse_i64(s, strlen(s), 0, 86400, &timeout) != 0)
		crm_clearerr();
	for (;;) {
		if (flock(db->lockfd, LOCK_EX | LOCK_NB) == 0)
			return 0;
		if (errno != EWOULDBLOCK && errno != EINTR)
			return errno;
		if (waited_ms >= timeout * 1000)
			return crm_seterr(CRM_EBUSY,
			    "database busy: another writer has held it for "
			    "%llds, try again", (long long)timeout);
		ts.tv_sec = step / 1000;
		ts.tv_nsec = (step % 1000) * 1000000L;
		nanosleep(&ts, NULL);
		waited_ms += step;
		if (step < 100)
			step *= 2;
	}
}

static void
unlock_write(struct crm_db *db)
{
	flock(db->lockfd, LOCK_UN);
}

int
crm_db_open(const char *dir, int mode, const char *tool, const char *user,
    struct crm_db **out)
{
	struct crm_db *db = NULL;
	struct crm_buf path = CRM_BUF_INIT;
	struct stat st;
	MDB_txn *t = NULL;
	int rc, dead, missing, upgrade;

	*out = NULL;
	db = calloc(1, sizeof(*db));
	if (db == NULL)
		return ENOMEM;
	db->lockfd = -1;
	db->rdonly = mode == CRM_OPEN_RDONLY;
	db->dir = strdup(dir);
	db->tool = strdup(tool ? tool : "crm");
	db->user = strdup(user ? user : "");
	if (db->dir == NULL || db->tool == NULL || db->user == NULL) {
		rc = ENOMEM;
		goto done;
	}
	rc = crm_buf_printf(&path, "%s/data.mdb", dir);
	if (rc != 0)
		goto done;
	missing = stat(path.p, &st) != 0;
	if (missing && (errno == EACCES || errno == EPERM)) {
		rc = crm_seterr(CRM_EPERM, "%s: permission denied", dir);
		goto done;
	}
	if (missing && errno == ENOTDIR) {
		rc = crm_seterr(db->rdonly ? CRM_ENOINPUT : CRM_ECANTCREAT,
		    "%s: not a directory", dir);
		goto done;
	}
	if (missing && db->rdonly) {
		rc = crm_seterr(CRM_ENOINPUT,
		    "no database at %s (it is created by the first change)",
		    dir);
		goto done;
	}
	if (missing) {
		rc = make_dir(dir);
		if (rc != 0) {
			rc = crm_seterr(rc == EACCES ? CRM_EPERM : CRM_ECANTCREAT,
			    "cannot create database directory %s: %s", dir,
			    strerror(rc));
			goto done;
		}
	}
	crm_buf_reset(&path);
	rc = crm_buf_printf(&path, "%s/write.lock", dir);
	if (rc != 0)
		goto done;
	db->lockfd = open(path.p, (db->rdonly ? O_RDONLY : O_RDWR | O_CREAT) |
	    O_CLOEXEC, 0600);
	if (db->lockfd < 0 && !db->rdonly) {
		rc = errno == EACCES ? crm_seterr(CRM_EPERM,
		    "%s: permission denied", path.p) : errno;
		goto done;
	}
	rc = mdb_env_create(&db->env);
	if (rc != 0)
		goto done;
	crm_buf_reset(&path);
	rc = crm_buf_printf(&path, "%s/data.mdb", dir);
	if (rc != 0)
		goto done;
	db->mapsize = env_mapsize(path.p);
	rc = mdb_env_set_mapsize(db->env, db->mapsize);
	if (rc == 0)
		rc = mdb_env_set_maxdbs(db->env, 128);
	if (rc == 0)
		rc = mdb_env_set_maxreaders(db->env, 510);
	if (rc != 0)
		goto done;
	rc = mdb_env_open(db->env, dir, MDB_NOTLS |
	    (db->rdonly ? MDB_RDONLY : MDB_WRITEMAP), 0600);
	if (rc != 0) {
		if (rc == EACCES)
			rc = crm_seterr(CRM_EPERM, "%s: permission denied", dir);
		else if (rc == ENOENT)
			rc = crm_seterr(CRM_ENOINPUT, "no database at %s", dir);
		else if (missing)
			rc = crm_seterr(CRM_ECANTCREAT,
			    "cannot create database in %s: %s", dir,
			    mdb_strerror(rc));
		goto done;
	}
	/* Readers killed with SIGKILL leave slots behind: clear them. */
	mdb_reader_check(db->env, &dead);
	{
		MDB_envinfo info;

		if (mdb_env_info(db->env, &info) == 0)
			db->mapsize = info.me_mapsize;
	}
	/* A quarter more than the data (at least MIN_MAP) as room. */
	if (!db->rdonly && getenv("CRM_MAP_SIZE") == NULL) {
		MDB_envinfo info;
		MDB_stat mst;

		if (mdb_env_info(db->env, &info) == 0 &&
		    mdb_env_stat(db->env, &mst) == 0) {
			size_t used = (info.me_last_pgno + 1) * (size_t)mst.ms_psize;
			size_t want = used + (used / 4 > MIN_MAP ? used / 4 : MIN_MAP);

			want = (want + ((size_t)1 << 20) - 1) &
			    ~(((size_t)1 << 20) - 1);
			if (want > db->mapsize &&
			    mdb_env_set_mapsize(db->env, want) == 0)
				db->mapsize = want;
		}
	}
	rc = reserve(db, db->mapsize);
	if (rc != 0)
		goto done;
	/* Most opens find every table: a read transaction is enough. */
	rc = mdb_txn_begin(db->env, NULL, MDB_RDONLY, &t);
	if (rc == MDB_MAP_RESIZED) {
		mdb_env_set_mapsize(db->env, 0);
		rc = mdb_txn_begin(db->env, NULL, MDB_RDONLY, &t);
	}
	if (rc != 0)
		goto done;
	rc = open_dbis(db, t, 0);
	if (rc == 0)
		rc = check_version(db, t, 0);
	if (rc == 0) {
		rc = mdb_txn_commit(t);
		t = NULL;
		goto done;
	}
	/* A version, but tables missing: written by an older crm, before a
	 * field was indexed.  A writer adds them; so does a reader that may
	 * write, once, and then opens again. */
	upgrade = rc == MDB_NOTFOUND && db->rdonly && db->meta != 0 &&
	    check_version(db, t, 0) == 0;
	mdb_txn_abort(t);
	t = NULL;
	if (upgrade && access(dir, W_OK) == 0) {
		struct crm_db *w = NULL;

		crm_db_close(db);
		db = NULL;
		rc = crm_db_open(dir, CRM_OPEN_RDWR, tool, user, &w);
		crm_db_close(w);
		if (rc == 0)
			rc = crm_db_open(dir, mode, tool, user, &db);
		crm_buf_free(&path);
		if (rc == 0)
			*out = db;
		return rc;
	}
	if (rc != MDB_NOTFOUND && !(rc == CRM_ECORRUPT && !db->rdonly))
		goto done;
	if (upgrade) {
		rc = crm_seterr(CRM_EPERM, "%s: written by an older crm; open "
		    "it once where it may be written to, to bring it up to "
		    "date", dir);
		goto done;
	}
	if (db->rdonly) {
		/* Most likely created this instant by a writer that has not
		 * committed its tables yet: nothing to read so far. */
		rc = crm_seterr(CRM_ENOINPUT,
		    "no database at %s yet (it is being created)", dir);
		goto done;
	}
	/* New database, or one from an older crm: create what is missing. */
	rc = lock_write(db);
	if (rc != 0)
		goto done;
	rc = mdb_txn_begin(db->env, NULL, 0, &t);
	if (rc == 0)
		rc = open_dbis(db, t, 1);
	if (rc == 0)
		rc = check_version(db, t, 1);
	if (rc == 0) {
		rc = mdb_txn_commit(t);
		t = NULL;
	}
	unlock_write(db);
done:
	if (t != NULL)
		mdb_txn_abort(t);
	crm_buf_free(&path);
	if (rc != 0) {
		crm_db_close(db);
		return crm_db_err(rc);
	}
	*out = db;
	return 0;
}

void
crm_db_close(struct crm_db *db)
{
	if (db == NULL)
		return;
	if (db->env != NULL)
		mdb_env_close(db->env);
	if (db->lockfd >= 0)
		close(db->lockfd);
	free(db->dir);
	free(db->tool);
	free(db->user);
	free(db);
}

const char *
crm_db_path(const struct crm_db *db)
{
	return db->dir;
}

static int
txn_init(struct crm_db *db, struct crm_txn *tx, int rw)
{
	int rc;

	memset(tx, 0, sizeof(*tx));
	tx->db = db;
	tx->rw = rw;
	tx->user = db->user;
	tx->tool = db->tool;
	rc = crm_now(&tx->now);
	if (rc != 0)
		return rc;
	rc = mdb_txn_begin(db->env, NULL, rw ? 0 : MDB_RDONLY, &tx->t);
	if (rc == MDB_MAP_RESIZED) {
		/* Another process grew the map: adopt its size. */
		mdb_env_set_mapsize(db->env, 0);
		rc = mdb_txn_begin(db->env, NULL, rw ? 0 : MDB_RDONLY, &tx->t);
	}
	return crm_db_err(rc);
}

int
crm_read_begin(struct crm_db *db, struct crm_txn *tx)
{
	return txn_init(db, tx, 0);
}

void
crm_memo_clear(struct crm_txn *tx)
{
	size_t i;

	for (i = 0; i < sizeof(tx->memo) / sizeof(tx->memo[0]); i++)
		crm_memo_drop(tx, tx->memo[i].key);
}

void
crm_txn_end(struct crm_txn *tx)
{
	size_t i;

	crm_memo_clear(tx);
	crm_pager_stop(tx);
	free(tx->dupq);
	tx->dupq = NULL;
	/* A write transaction's cursors end with it; a read's do not. */
	for (i = 0; i < CRM_MAX_DBI && tx->t != NULL && !tx->rw; i++)
		if (tx->wc[i] != NULL)
			mdb_cursor_close(tx->wc[i]);
	memset(tx->wc, 0, sizeof(tx->wc));
	if (tx->t != NULL)
		mdb_txn_abort(tx->t);
	tx->t = NULL;
	crm_buf_free(&tx->kbuf);
	crm_buf_free(&tx->vbuf);
	crm_buf_free(&tx->abuf);
}

void *
crm_memo_get(struct crm_txn *tx, const void *key)
{
	size_t i;

	for (i = 0; key != NULL && i < sizeof(tx->memo) / sizeof(tx->memo[0]);
	    i++)
		if (tx->memo[i].key == key)
			return tx->memo[i].val;
	return NULL;
}

int
crm_memo_put(struct crm_txn *tx, const void *key, void *val,
    void (*free_fn)(void *))
{
	size_t i;

	crm_memo_drop(tx, key);
	for (i = 0; i < sizeof(tx->memo) / sizeof(tx->memo[0]); i++)
		if (tx->memo[i].key == NULL) {
			tx->memo[i].key = key;
			tx->memo[i].val = val;
			tx->memo[i].free = free_fn;
			return 0;
		}
	free_fn(val);
	return ENOMEM;
}

void
crm_memo_drop(struct crm_txn *tx, const void *key)
{
	size_t i;

	for (i = 0; key != NULL && i < sizeof(tx->memo) / sizeof(tx->memo[0]);
	    i++)
		if (tx->memo[i].key == key) {
			tx->memo[i].free(tx->memo[i].val);
			memset(&tx->memo[i], 0, sizeof(tx->memo[i]));
		}
}

/* Writes back the sequences the transaction advanced. */
static int
flush_seqs(struct crm_txn *tx)
{
	struct crm_buf k = CRM_BUF_INIT;
	unsigned char b[8];
	MDB_val key, val = { 8, b };
	int i, rc = 0;

	for (i = 0; i < CRM_MAX_ENTITIES && rc == 0; i++) {
		const struct crm_entity *e = crm_entity_bynum(i);

		if (tx->next_id[i] == 0 || e == NULL)
			continue;
		crm_buf_reset(&k);
		rc = crm_buf_printf(&k, "seq/%s", e->name);
		key.mv_data = k.p;
		key.mv_size = k.len;
		crm_be64_put(b, tx->next_id[i]);
		if (rc == 0)
			rc = mdb_put(tx->t, tx->db->meta, &key, &val, 0);
	}
	if (rc == 0 && tx->audit_next != 0) {
		key.mv_data = "seq/audit";
		key.mv_size = 9;
		crm_be64_put(b, tx->audit_next);
		rc = mdb_put(tx->t, tx->db->meta, &key, &val, 0);
	}
	if (rc == 0 && tx->change != 0) {
		key.mv_data = "seq/change";
		key.mv_size = 10;
		crm_be64_put(b, tx->change + 1);
		rc = mdb_put(tx->t, tx->db->meta, &key, &val, 0);
	}
	crm_buf_free(&k);
	return rc;
}

int
crm_write(struct crm_db *db, int (*fn)(struct crm_txn *, void *), void *arg)
{
	struct crm_txn tx;
	int rc, attempt;

	if (db->rdonly)
		return crm_seterr(CRM_EINTERNAL, "write on a read-only open");
	rc = lock_write(db);
	if (rc != 0)
		return rc;
	for (attempt = 0;; attempt++) {
		rc = txn_init(db, &tx, 1);
		tx.attempt = attempt;
		if (rc == 0)
			rc = fn(&tx, arg);
		if (rc == 0 && tx.before_commit != NULL)
			rc = tx.before_commit(&tx);
		if (rc == 0)
			rc = crm_dups_flush(&tx, 0);
		if (rc == 0)
			rc = flush_seqs(&tx);
		if (rc == 0) {
			rc = mdb_txn_commit(tx.t);
			tx.t = NULL;
		}
		crm_txn_end(&tx);
		if ((rc != MDB_MAP_FULL && rc != CRM_EFULL) ||
		    attempt >= MAX_GROWTHS)
			break;
		/* Grow and run again; no transaction is open now. */
		rc = mdb_env_set_mapsize(db->env, db->mapsize * 2);
		if (rc == 0)
			rc = reserve(db, db->mapsize * 2);
		if (rc != 0)
			break;
		db->mapsize *= 2;
		crm_clearerr();
	}
	unlock_write(db);
	return crm_db_err(rc);
}

MDB_dbi
crm_db_records(const struct crm_db *db, const struct crm_entity *e)
{
	return db->rec[e->num];
}

MDB_dbi
crm_db_index(const struct crm_db *db, const struct crm_entity *e, int f)
{
	return db->idx[e->num][f];
}

void
crm_db_keyed(const struct crm_db *db, const struct crm_entity *e,
    const int **fields, int *n, int *nunique)
{
	*fields = db->keyed[e->num];
	*n = db->nkeyed[e->num];
	*nunique = db->nunique[e->num];
}

MDB_dbi
crm_db_meta(const struct crm_db *db)
{
	return db->meta;
}

MDB_dbi
crm_db_audit(const struct crm_db *db)
{
	return db->audit;
}

MDB_dbi
crm_db_audit_rec(const struct crm_db *db)
{
	return db->audit_rec;
}

/*
 * The pager.  New pages come from the end of the used part of the file
 * (the map is backed by real blocks: see reserve), so it faults in the
 * pages past the highest one written, WINDOW bytes ahead at most: those
 * it dirtied in vain are written as zeros at the commit.  The writer's
 * position is where crm_put last put data, noted every PAGER_EVERY
 * puts; the pager looks every millisecond, and finds the end of the
 * map (LMDB does not say where it is) in /proc/self/maps.
 *
 * It does not write pages back early (sync_file_range, fdatasync): the
 * commit clears a flag in the header of every page the transaction
 * dirtied, so all of them are dirty again for its msync.  Measured on a
 * load of 1M customers: early writeback kept Dirty at 10-60 MB, and it
 * was back at 316 MB, the whole load, at the commit.
 */
#define PAGER_WINDOW ((uintptr_t)16 << 20)
#define PAGER_STEP ((uintptr_t)1 << 20)
#define PAGER_EVERY 64

struct crm_pager {
	pthread_t th;
	uintptr_t done, end;		/* faulted in up to done, of end */
	size_t left;			/* bytes it may still fault in */
	atomic_uintptr_t front;		/* highest address written */
	atomic_int stop;
};

/* The end of the mapping that holds address a, or 0. */
static uintptr_t
map_end(uintptr_t a)
{
	unsigned long lo, hi;
	char line[512];
	uintptr_t end = 0;
	FILE *fp = fopen("/proc/self/maps", "r");

	while (fp != NULL && end == 0 && fgets(line, sizeof(line), fp) != NULL)
		if (sscanf(line, "%lx-%lx", &lo, &hi) == 2 && a >= lo && a < hi)
			end = hi;
	if (fp != NULL)
		fclose(fp);
	return end;
}

static void *
pager_main(void *arg)
{
	struct crm_pager *pg = arg;
	struct timespec ms = { 0, 1000000 };
	uintptr_t front, len;

	while (!atomic_load_explicit(&pg->stop, memory_order_relaxed)) {
		front = atomic_load_explicit(&pg->front, memory_order_relaxed);
		if (front != 0 && pg->end == 0) {
			pg->end = map_end(front) & ~(PAGER_STEP - 1);
			if (pg->end == 0)
				break;
		}
		if (pg->done < front)
			pg->done = front & ~(PAGER_STEP - 1);
		if (front == 0 || pg->done >= front + PAGER_WINDOW) {
			nanosleep(&ms, NULL);
			continue;
		}
		if (pg->done >= pg->end || pg->left < PAGER_STEP)
			break;
		len = pg->end - pg->done < PAGER_STEP ? pg->end - pg->done :
		    PAGER_STEP;
		pg->left -= len;
		/* Unsupported (before Linux 5.14) or failed: only slower. */
		if (madvise((void *)pg->done, len, MADV_POPULATE_WRITE) != 0)
			break;
		pg->done += len;
	}
	return NULL;
}

void
crm_pager_start(struct crm_txn *tx, size_t bytes)
{
	struct crm_pager *pg;
	unsigned fl;

	/* Small writes: a window of zeros written in vain would cost more. */
	if (bytes < 8 * PAGER_WINDOW || tx->pager != NULL || !tx->rw ||
	    mdb_env_get_flags(tx->db->env, &fl) != 0 || !(fl & MDB_WRITEMAP))
		return;
	pg = calloc(1, sizeof(*pg));
	if (pg == NULL)
		return;
	pg->left = bytes;
	atomic_init(&pg->front, 0);
	atomic_init(&pg->stop, 0);
	if (pthread_create(&pg->th, NULL, pager_main, pg) != 0) {
		free(pg);
		return;
	}
	tx->pager = pg;
}

void
crm_pager_stop(struct crm_txn *tx)
{
	if (tx->pager == NULL)
		return;
	atomic_store(&tx->pager->stop, 1);
	pthread_join(tx->pager->th, NULL);
	free(tx->pager);
	tx->pager = NULL;
}

/* Tells the pager where c's last put went. */
static void
pager_note(struct crm_pager *pg, MDB_cursor *c)
{
	MDB_val k, v;
	uintptr_t a;

	if (mdb_cursor_get(c, &k, &v, MDB_GET_CURRENT) != 0)
		return;
	a = (uintptr_t)v.mv_data;
	if (a > atomic_load_explicit(&pg->front, memory_order_relaxed))
		atomic_store_explicit(&pg->front, a, memory_order_relaxed);
}

static int
wcursor(struct crm_txn *tx, MDB_dbi dbi, MDB_cursor **c)
{
	int rc = 0;

	if (dbi >= CRM_MAX_DBI)
		return EINVAL;
	if (tx->wc[dbi] == NULL)
		rc = mdb_cursor_open(tx->t, dbi, &tx->wc[dbi]);
	*c = tx->wc[dbi];
	return rc;
}

/*
 * Ids for one key of a non-unique index, gathered to go in together:
 * a put of one id costs a search of the key and a rewrite of its last
 * block, where a load gives the same handful of keys (owners, tags)
 * over and over.  Two blocks' worth go in as two new blocks.  A table
 * with keys of its own (phones) takes a few groups and puts the rest
 * at once.
 */
#define DUPQ_IDS (2 * CRM_IDL_MAX)	/* ids a key gathers before they go in */
#define DUPQ_GROUPS 32		/* keys gathering at once, */
#define DUPQ_PER_DBI 8		/* and of one table */

struct dupq_group {
	MDB_dbi dbi;
	unsigned n;
	size_t klen;
	unsigned char key[512];
	unsigned char ids[DUPQ_IDS * 8];
};

struct crm_dupq {
	int n;
	struct dupq_group g[DUPQ_GROUPS];
	struct dupq_table {		/* per table: its groups, and how */
		unsigned char n, g[DUPQ_PER_DBI];	/* often a key */
		unsigned hits, misses;	/* found one, or none free */
	} t[CRM_MAX_DBI];
};

static int
cmp_id(const void *a, const void *b)
{
	return memcmp(a, b, 8);
}

static int
dupq_put_group(struct crm_txn *tx, struct dupq_group *g)
{
	MDB_cursor *c;
	MDB_val key = { g->klen, g->key };
	unsigned i;
	int rc, sorted = 1;

	if (g->n == 0)
		return 0;
	rc = wcursor(tx, g->dbi, &c);
	if (rc != 0)
		return rc;
	for (i = 1; i < g->n && sorted; i++)
		sorted = memcmp(g->ids + 8 * (i - 1), g->ids + 8 * i, 8) < 0;
	if (!sorted)
		qsort(g->ids, g->n, 8, cmp_id);	/* crm_idl_add drops repeats */
	rc = crm_idl_add(c, &key, g->ids, g->n);
	g->n = 0;
	return rc;
}

/* Gathers (key, id) for a later put: *held is 0 when it is not taken
 * (no group free), and the caller puts it now. */
static int
dupq_add(struct crm_txn *tx, MDB_dbi dbi, const MDB_val *key,
    const MDB_val *val, int *held)
{
	struct crm_dupq *q = tx->dupq;
	struct dupq_group *g = NULL;
	struct dupq_table *t;
	int i;

	*held = 0;
	if (val->mv_size != 8 || key->mv_size == 0 ||
	    key->mv_size > sizeof(g->key) || dbi >= CRM_MAX_DBI)
		return 0;
	if (q == NULL) {
		q = tx->dupq = calloc(1, sizeof(*q));
		if (q == NULL)
			return 0;
	}
	t = &q->t[dbi];
	/* A table whose keys hardly come again is not worth the look. */
	if (t->misses > 1024 && t->misses > 8 * t->hits)
		return 0;
	for (i = 0; i < t->n && g == NULL; i++) {
		struct dupq_group *c = &q->g[t->g[i]];

		if (c->klen == key->mv_size &&
		    c->key[0] == *(const unsigned char *)key->mv_data &&
		    memcmp(c->key, key->mv_data, key->mv_size) == 0)
			g = c;
	}
	if (g == NULL) {
		if (t->n == DUPQ_PER_DBI || q->n == DUPQ_GROUPS) {
			t->misses++;
			return 0;
		}
		t->g[t->n++] = (unsigned char)q->n;
		g = &q->g[q->n++];
		g->dbi = dbi;
		g->n = 0;
		g->klen = key->mv_size;
		memcpy(g->key, key->mv_data, key->mv_size);
	} else
		t->hits++;
	memcpy(g->ids + 8 * g->n++, val->mv_data, 8);
	*held = 1;
	return g->n == DUPQ_IDS ? dupq_put_group(tx, g) : 0;
}

int
crm_dups_flush(struct crm_txn *tx, MDB_dbi dbi)
{
	struct crm_dupq *q = tx->dupq;
	int i, rc = 0;

	for (i = 0; q != NULL && i < q->n && rc == 0; i++)
		if (dbi == 0 || q->g[i].dbi == dbi)
			rc = dupq_put_group(tx, &q->g[i]);
	return rc;
}

int
crm_put(struct crm_txn *tx, MDB_dbi dbi, MDB_val *key, MDB_val *val,
    unsigned flags, int dup)
{
	MDB_cursor *c;
	MDB_val v;
	int rc, held;

	if (dup && flags == 0) {
		rc = dupq_add(tx, dbi, key, val, &held);
		if (rc != 0 || held)
			return rc;
	}
	rc = wcursor(tx, dbi, &c);
	if (rc != 0)
		return rc;
	/*
	 * Most puts of a load are appends, tried first: MDB_APPEND needs no
	 * search at all when the cursor is still at the end (no other
	 * cursor writes here), and splits a full last page by starting a
	 * new one.  Refused (not the largest) without a change, a put goes
	 * in place, and appends to that table rest a while.  A duplicate
	 * (an id) is nearly always the largest of its key, and a new key of
	 * a sorted column (a phone of a generated series) the largest key.
	 */
	rc = MDB_KEYEXIST;
	if (tx->noapp[dbi] == 0) {
		v = *val;
		rc = mdb_cursor_put(c, key, &v, flags | MDB_APPEND);
		if (rc == MDB_KEYEXIST)
			tx->noapp[dbi] = 64;
	} else
		tx->noapp[dbi]--;
	/* An id for a key there already goes into its blocks. */
	if (rc == MDB_KEYEXIST && dup && flags == 0 && val->mv_size == 8)
		rc = crm_idl_add(c, key, val->mv_data, 1);
	else if (rc == MDB_KEYEXIST)
		rc = mdb_cursor_put(c, key, val, flags);
	if (rc == 0 && tx->pager != NULL && ++tx->puts % PAGER_EVERY == 0)
		pager_note(tx->pager, c);
	return rc;
}

int
crm_del(struct crm_txn *tx, MDB_dbi dbi, MDB_val *key, MDB_val *val)
{
	MDB_cursor *c;
	MDB_val k = *key, v;
	unsigned fl;
	int rc;

	rc = crm_dups_flush(tx, dbi);
	if (rc == 0)
		rc = wcursor(tx, dbi, &c);
	if (rc == 0)
		rc = mdb_dbi_flags(tx->t, dbi, &fl);
	if (rc != 0)
		return rc;
	/* As mdb_del: a value names one duplicate, none names them all. */
	if (val != NULL && (fl & MDB_DUPSORT) && !(fl & MDB_DUPFIXED) &&
	    val->mv_size == 8)
		rc = crm_idl_del(c, &k, crm_be64_get(val->mv_data));
	else if (val != NULL && (fl & MDB_DUPSORT)) {
		v = *val;
		rc = mdb_cursor_get(c, &k, &v, MDB_GET_BOTH);
		if (rc == 0)
			rc = mdb_cursor_del(c, 0);
	} else {
		rc = mdb_cursor_get(c, &k, &v, MDB_SET);
		if (rc == 0)
			rc = mdb_cursor_del(c, fl & MDB_DUPSORT ? MDB_NODUPDATA : 0);
	}
	return rc;
}

int
crm_setting_get(struct crm_txn *tx, const char *name, struct crm_buf *out)
{
	struct crm_buf k = CRM_BUF_INIT;
	MDB_val key, val;
	int rc;

	rc = crm_buf_printf(&k, "set/%s", name);
	key.mv_data = k.p;
	key.mv_size = k.len;
	if (rc == 0)
		rc = mdb_get(tx->t, tx->db->meta, &key, &val);
	if (rc == MDB_NOTFOUND)
		rc = CRM_ENOTFOUND;
	if (rc == 0)
		rc = crm_buf_add(out, val.mv_data, val.mv_size);
	crm_buf_free(&k);
	return rc;
}

int
crm_setting_put(struct crm_txn *tx, const char *name, const char *value)
{
	struct crm_buf k = CRM_BUF_INIT;
	MDB_val key, val = { strlen(value), (void *)value };
	int rc;

	rc = crm_buf_printf(&k, "set/%s", name);
	key.mv_data = k.p;
	key.mv_size = k.len;
	if (rc == 0 && val.mv_size == 0) {
		rc = mdb_del(tx->t, tx->db->meta, &key, NULL);
		if (rc == MDB_NOTFOUND)
			rc = 0;
	} else if (rc == 0)
		rc = mdb_put(tx->t, tx->db->meta, &key, &val, 0);
	crm_buf_free(&k);
	return rc;
}
