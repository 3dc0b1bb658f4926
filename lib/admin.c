/*
 * admin.c — stats and hot backups of the whole database (admin.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "admin.h"
#include "audit.h"
#include "error.h"
#include "store.h"
#include "tmp.h"
#include "value.h"

/* ---- stats ------------------------------------------------------------ */

struct stats {
	int (*fn)(const char *, const char *, void *);
	void *arg;
	struct crm_buf name, val;
};

static int
emit(struct stats *s, const char *value)
{
	return s->fn(s->name.p, value ? value : "", s->arg);
}

static int
emit_num(struct stats *s, uint64_t v)
{
	char num[24];

	snprintf(num, sizeof(num), "%llu", (unsigned long long)v);
	return emit(s, num);
}

static int
named(struct stats *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int
named(struct stats *s, const char *fmt, ...)
{
	char tmp[200];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	crm_buf_reset(&s->name);
	return crm_buf_adds(&s->name, tmp);
}

/* The first entry of the last change: when, who, which tool. */
static int
first_entry(const struct crm_audit *a, void *arg)
{
	*(struct crm_audit *)arg = *a;
	return -1;	/* one is enough */
}

static int
last_change(struct crm_txn *tx, struct stats *s)
{
	MDB_val k = { 10, "seq/change" }, v;
	struct crm_audit a;
	uint64_t change = 0;
	int rc;

	memset(&a, 0, sizeof(a));
	rc = mdb_get(tx->t, crm_db_meta(tx->db), &k, &v);
	if (rc == 0 && v.mv_size == 8 && crm_be64_get(v.mv_data) > 1)
		change = crm_be64_get(v.mv_data) - 1;
	else if (rc == 0 || rc == MDB_NOTFOUND)
		rc = 0;
	if (rc == 0 && change != 0) {
		rc = crm_audit_each(tx, NULL, 0, change, first_entry, &a);
		if (rc == -1)
			rc = 0;
	}
	if (rc == 0)
		rc = named(s, "last_change");
	if (rc == 0)
		rc = change ? emit_num(s, change) : emit(s, "");
	crm_buf_reset(&s->val);
	if (rc == 0 && a.change != 0)
		rc = crm_time_format(&s->val, a.at);
	if (rc == 0)
		rc = named(s, "last_change_at");
	if (rc == 0)
		rc = emit(s, s->val.p);
	crm_buf_reset(&s->val);
	if (rc == 0)
		rc = crm_buf_add(&s->val, a.user, a.ulen);
	if (rc == 0)
		rc = named(s, "last_change_user");
	if (rc == 0)
		rc = emit(s, s->val.p);
	crm_buf_reset(&s->val);
	if (rc == 0)
		rc = crm_buf_add(&s->val, a.tool, a.tlen);
	if (rc == 0)
		rc = named(s, "last_change_tool");
	if (rc == 0)
		rc = emit(s, s->val.p);
	return rc;
}

int
crm_stats(struct crm_txn *tx,
    int (*fn)(const char *name, const char *value, void *arg), void *arg)
{
	struct stats s = { fn, arg, CRM_BUF_INIT, CRM_BUF_INIT };
	MDB_env *env = mdb_txn_env(tx->t);
	MDB_envinfo info;
	MDB_stat st;
	MDB_val k = { 14, "schema_version" }, v;
	struct stat fst;
	uint64_t nentries = 0;
	int i, f, rc;

	rc = mdb_env_info(env, &info);
	if (rc == 0)
		rc = mdb_env_stat(env, &st);
	if (rc == 0)
		rc = named(&s, "path");
	if (rc == 0)
		rc = emit(&s, crm_db_path(tx->db));
	if (rc == 0)
		rc = named(&s, "schema_version");
	if (rc == 0) {
		rc = mdb_get(tx->t, crm_db_meta(tx->db), &k, &v);
		if (rc == 0 && v.mv_size == 8)
			rc = emit_num(&s, crm_be64_get(v.mv_data));
		else if (rc == 0 || rc == MDB_NOTFOUND)
			rc = emit(&s, "");
	}
	if (rc == 0)
		rc = crm_buf_printf(&s.val, "%s/data.mdb", crm_db_path(tx->db));
	if (rc == 0 && stat(s.val.p, &fst) != 0)
		rc = crm_seterr(errno, "%s: %s", s.val.p, strerror(errno));
	if (rc == 0)
		rc = named(&s, "file_bytes");
	if (rc == 0)
		rc = emit_num(&s, (uint64_t)fst.st_size);
	if (rc == 0)
		rc = named(&s, "used_bytes");
	if (rc == 0)
		rc = emit_num(&s, ((uint64_t)info.me_last_pgno + 1) * st.ms_psize);
	if (rc == 0)
		rc = named(&s, "map_bytes");
	if (rc == 0)
		rc = emit_num(&s, info.me_mapsize);
	if (rc == 0)
		rc = named(&s, "page_size");
	if (rc == 0)
		rc = emit_num(&s, st.ms_psize);
	for (i = 0; i < crm_nentities && rc == 0; i++) {
		rc = mdb_stat(tx->t, crm_db_records(tx->db, crm_entities[i]), &st);
		if (rc == 0)
			rc = named(&s, "records.%s", crm_entities[i]->name);
		if (rc == 0)
			rc = emit_num(&s, st.ms_entries);
	}
	for (i = 0; i < crm_nentities && rc == 0; i++) {
		const struct crm_entity *e = crm_entities[i];

		for (f = 0; f < e->nfields && rc == 0; f++) {
			size_t n;

			if (crm_db_index(tx->db, e, f) == 0)
				continue;
			rc = crm_index_entries(tx, e, f, &n);
			if (rc == 0)
				rc = named(&s, "index.%s.%s", e->name,
				    e->fields[f].name);
			if (rc == 0)
				rc = emit_num(&s, n);
		}
	}
	/* Entries as crm audit lists them: a run of creations is stored as
	 * one but numbered as many, so the next number tells. */
	if (rc == 0) {
		MDB_val sk = { 9, "seq/audit" }, sv;

		rc = mdb_get(tx->t, crm_db_meta(tx->db), &sk, &sv);
		if (rc == 0 && sv.mv_size == 8)
			nentries = crm_be64_get(sv.mv_data) - 1;
		if (rc == MDB_NOTFOUND)
			rc = 0;
	}
	if (rc == 0)
		rc = named(&s, "audit_entries");
	if (rc == 0)
		rc = emit_num(&s, nentries);
	if (rc == 0)
		rc = last_change(tx, &s);
	crm_buf_free(&s.name);
	crm_buf_free(&s.val);
	return rc;
}

/* ---- backup ------------------------------------------------------------- */

/* Writes a compacted snapshot of env to fd. */
static int
copy_env(MDB_env *env, int fd)
{
	int rc, tries;

	for (tries = 0;; tries++) {
		rc = mdb_env_copyfd2(env, fd, MDB_CP_COMPACT);
		if (rc != MDB_MAP_RESIZED || tries >= 5)
			break;
		/* A writer grew the map since the open: adopt its size.  The
		 * copy's transaction failed to start, so nothing was written. */
		rc = mdb_env_set_mapsize(env, 0);
		if (rc != 0)
			break;
	}

	if (rc == EPIPE || rc == ENOSPC || rc == EDQUOT || rc == EFBIG ||
	    rc == EIO)
		return crm_seterr(rc, "cannot write the backup: %s",
		    strerror(rc));
	return rc;
}

static int
fsync_dir(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC), rc = 0;

	if (fd < 0)
		return errno;
	if (fsync(fd) != 0 && errno != EINVAL)
		rc = errno;
	close(fd);
	return rc;
}

/* Copies the file at path to fd 1. */
static int
cat_file(const char *path)
{
	char buf[1 << 16];
	ssize_t n, w, off;
	int fd = open(path, O_RDONLY | O_CLOEXEC), rc = 0;

	if (fd < 0)
		return errno;
	while ((n = read(fd, buf, sizeof(buf))) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			rc = errno;
			break;
		}
		for (off = 0; off < n; off += w) {
			w = write(STDOUT_FILENO, buf + off, (size_t)(n - off));
			if (w < 0 && errno == EINTR) {
				w = 0;
				continue;
			}
			if (w < 0) {
				rc = crm_seterr(errno, "cannot write the backup: %s",
				    strerror(errno));
				break;
			}
		}
		if (rc != 0)
			break;
	}
	close(fd);
	return rc;
}

/* Opens the copy in dir and checks it. */
static int
verify(const char *dir, int (*fn)(const struct crm_problem *, void *),
    void *arg, struct crm_check_counts *counts)
{
	struct crm_db *db = NULL;
	struct crm_txn tx;
	int rc;

	memset(&tx, 0, sizeof(tx));
	rc = crm_db_open(dir, CRM_OPEN_RDONLY, "crm", NULL, &db);
	if (rc == 0)
		rc = crm_read_begin(db, &tx);
	if (rc == 0)
		rc = crm_check(&tx, fn, arg, counts);
	crm_txn_end(&tx);
	crm_db_close(db);
	if (rc == 0 && counts->problems > 0)
		rc = crm_seterr(CRM_EDATA, "the copy fails its check (%llu "
		    "problem%s); no backup written",
		    (unsigned long long)counts->problems,
		    counts->problems == 1 ? "" : "s");
	return rc;
}

/* Where a backup to path goes: NULL for stdout, DIR/data.mdb for an
 * existing directory, else path itself.  *out is malloc'd. */
static int
target(const char *path, char **out)
{
	struct stat st;

	*out = NULL;
	if (strcmp(path, "-") == 0)
		return 0;
	if (path[0] == '\0')
		return crm_seterr(CRM_EUSAGE, "backup: empty file name");
	if (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
		if (asprintf(out, "%s/data.mdb", path) < 0)
			return ENOMEM;
	} else {
		*out = strdup(path);
		if (*out == NULL)
			return ENOMEM;
	}
	return 0;
}

/* The directory a file is in ("." for a bare name); malloc'd. */
static char *
dir_of(const char *file)
{
	const char *slash = strrchr(file, '/');

	if (slash == NULL)
		return strdup(".");
	if (slash == file)
		return strdup("/");
	return strndup(file, (size_t)(slash - file));
}

int
crm_backup(struct crm_db *db, const char *path, unsigned flags,
    int (*fn)(const struct crm_problem *, void *), void *arg,
    struct crm_backup_info *info)
{
	struct crm_txn tx;
	struct stat live, st;
	MDB_env *env;
	char *dest = NULL, *dir = NULL, *tmpdir = NULL, *copy = NULL,
	    *lock = NULL;
	int rc, fd = -1;

	memset(info, 0, sizeof(*info));
	rc = target(path, &dest);
	if (rc != 0)
		return rc;
	/* The environment, through a transaction (db.h keeps it private). */
	rc = crm_read_begin(db, &tx);
	if (rc != 0)
		goto done;
	env = mdb_txn_env(tx.t);
	crm_txn_end(&tx);
	if (asprintf(&copy, "%s/data.mdb", crm_db_path(db)) < 0) {
		copy = NULL;
		rc = ENOMEM;
		goto done;
	}
	if (dest != NULL && stat(copy, &live) == 0 && stat(dest, &st) == 0 &&
	    live.st_dev == st.st_dev && live.st_ino == st.st_ino) {
		rc = crm_seterr(CRM_EUSAGE,
		    "backup: %s is the database itself", dest);
		goto done;
	}
	free(copy);
	copy = NULL;
	if (dest == NULL && !(flags & CRM_BACKUP_VERIFY)) {
		rc = copy_env(env, STDOUT_FILENO);
		goto done;
	}
	/* A temporary directory beside the target, so the rename stays on
	 * one file system and the copy can be opened as a database. */
	dir = dest != NULL ? dir_of(dest) : strdup(crm_tmpdir());
	if (dir == NULL || asprintf(&tmpdir, "%s/.crm-backup.XXXXXX", dir) < 0) {
		tmpdir = NULL;
		rc = ENOMEM;
		goto done;
	}
	if (mkdtemp(tmpdir) == NULL) {
		rc = crm_seterr(errno == EACCES || errno == EROFS ? CRM_EPERM :
		    errno == ENOENT || errno == ENOTDIR ? CRM_ECANTCREAT : errno,
		    "cannot write the backup in %s: %s", dir, strerror(errno));
		free(tmpdir);
		tmpdir = NULL;
		goto done;
	}
	if (asprintf(&copy, "%s/data.mdb", tmpdir) < 0 ||
	    asprintf(&lock, "%s/lock.mdb", tmpdir) < 0) {
		rc = ENOMEM;
		goto done;
	}
	fd = open(copy, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0) {
		rc = crm_seterr(errno, "cannot create %s: %s", copy,
		    strerror(errno));
		goto done;
	}
	rc = copy_env(env, fd);
	if (rc == 0 && fsync(fd) != 0)
		rc = crm_seterr(errno, "cannot write the backup: %s",
		    strerror(errno));
	if (rc == 0 && fstat(fd, &st) == 0)
		info->bytes = (uint64_t)st.st_size;
	if (close(fd) != 0 && rc == 0)
		rc = crm_seterr(errno, "cannot write the backup: %s",
		    strerror(errno));
	fd = -1;
	if (rc == 0 && (flags & CRM_BACKUP_VERIFY))
		rc = verify(tmpdir, fn, arg, &info->check);
	if (rc != 0)
		goto done;
	if (dest == NULL) {
		rc = cat_file(copy);
		goto done;
	}
	if (rename(copy, dest) != 0) {
		rc = crm_seterr(errno == EACCES ? CRM_EPERM : errno,
		    "cannot rename the backup to %s: %s", dest, strerror(errno));
		goto done;
	}
	rc = fsync_dir(dir);
	if (rc == 0) {
		info->path = dest;
		dest = NULL;
	}
done:
	if (fd >= 0)
		close(fd);
	if (copy != NULL && tmpdir != NULL)
		unlink(copy);
	if (lock != NULL)
		unlink(lock);
	if (tmpdir != NULL)
		rmdir(tmpdir);
	free(copy);
	free(lock);
	free(tmpdir);
	free(dir);
	free(dest);
	return rc;
}
