/*
 * db.c — opening, creating and transacting on the LMDB environment.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "db.h"
#include "error.h"
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
	return crm_buf_printf(b, "%s.%s", e->name, e->fields[f].name);
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
				    (fl & CRM_F_UNIQUE ? 0 : MDB_DUPSORT | MDB_DUPFIXED),
				    &db->idx[e->num][f]);
		}
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
	return 0;
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
crm_txn_end(struct crm_txn *tx)
{
	if (tx->t != NULL)
		mdb_txn_abort(tx->t);
	tx->t = NULL;
	crm_buf_free(&tx->kbuf);
	crm_buf_free(&tx->vbuf);
	crm_buf_free(&tx->abuf);
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

int
crm_put(struct crm_txn *tx, MDB_dbi dbi, MDB_val *key, MDB_val *val,
    unsigned flags, int dup)
{
	MDB_val k = *key, v = *val;
	int rc;

	if (dbi < 128 && tx->noappend[dbi] == 0) {
		rc = mdb_put(tx->t, dbi, &k, &v, flags |
		    (dup ? MDB_APPENDDUP : MDB_APPEND));
		if (rc != MDB_KEYEXIST)
			return rc;
		tx->noappend[dbi] = 1024;	/* out of order: rest a while */
	} else if (dbi < 128)
		tx->noappend[dbi]--;
	return mdb_put(tx->t, dbi, key, val, flags);
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
	if (rc == 0)
		rc = mdb_put(tx->t, tx->db->meta, &key, &val, 0);
	crm_buf_free(&k);
	return rc;
}
