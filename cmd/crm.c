/*
 * crm — the front of the toolkit, as git is of its commands: `crm
 * customer list` runs `crm-customer list`, found beside this program
 * first and then in $PATH, by exec, so the tool's exit status and
 * signals are the caller's.  Options before the command (--db) go to
 * the tool.  `crm` alone, or `crm help`, lists the tools it finds and
 * its own commands; `crm help TOOL` shows the tool's manual, or its
 * --help when no manual is installed.
 *
 * Its own commands look after the database as a whole: init creates
 * it, backup copies it while others write, check looks for damage,
 * stats counts, audit reads the audit log.  Thin: lib/check.c and
 * lib/admin.c do the work; this file parses and prints.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "admin.h"
#include "cli.h"

extern char **environ;

#define TOOL_PREFIX "crm-"

static const struct crm_option backup_opts[] = {
	{ "check", 0, CRM_ARG_NONE, NULL,
	  "open and check the copy before it replaces FILE", 0, NULL, NULL },
	CRM_OPT_END
};

/* Entity names for --entity, filled from the schema in main. */
static const char *entity_names[CRM_MAX_ENTITIES + 1];

static const struct crm_option audit_opts[] = {
	{ "entity", 'e', CRM_ARG_REQ, "ENTITY", "only records of ENTITY", 0,
	  entity_names, NULL },
	{ "id", 0, CRM_ARG_REQ, "N", "only record N (of --entity, else of any)",
	  0, NULL, NULL },
	{ "since", 0, CRM_ARG_REQ, "TIME",
	  "only changes at or after TIME (2024-05-01, -7d, -2h, today)", 0, NULL,
	  NULL },
	{ "until", 0, CRM_ARG_REQ, "TIME", "only changes before TIME", 0, NULL,
	  NULL },
	{ "user", 'u', CRM_ARG_REQ, "USER", "only changes by USER", 0, NULL, NULL },
	{ "tool", 0, CRM_ARG_REQ, "TOOL", "only changes made with TOOL", 0, NULL,
	  NULL },
	{ "change", 'c', CRM_ARG_REQ, "N", "only change N", 0, NULL, NULL },
	CRM_OPT_END
};

#define G(...) ((const struct crm_option *const[]){ __VA_ARGS__, NULL })

static int cmd_init(struct crm_ctx *);
static int cmd_backup(struct crm_ctx *);
static int cmd_check(struct crm_ctx *);
static int cmd_stats(struct crm_ctx *);
static int cmd_audit(struct crm_ctx *);
static int cmd_help(struct crm_ctx *);

static const struct crm_cmd cmds[] = {
	{ "init", cmd_init, G(crm_opts_db), "",
	  "create the database (directory 0700, files 0600); prints where",
	  CRM_DB_NONE, 0, 0, NULL, 0 },
	{ "backup", cmd_backup, G(crm_opts_db, backup_opts), "FILE | -",
	  "a consistent, compacted copy of the database, made while others "
	  "write", CRM_DB_READ, 1, 1, NULL, 0 },
	{ "check", cmd_check, G(crm_opts_db, crm_opts_output), "",
	  "look for damage: indexes, references, invoices, the audit log "
	  "(exit 65)", CRM_DB_READ, 0, 0, NULL, 0 },
	{ "stats", cmd_stats, G(crm_opts_db, crm_opts_output), "",
	  "records per entity, index entries, file and map size, last change",
	  CRM_DB_READ, 0, 0, NULL, 0 },
	{ "audit", cmd_audit, G(crm_opts_db, audit_opts, crm_opts_output), "",
	  "the audit log: who changed what, when, with which tool",
	  CRM_DB_READ, 0, 0, NULL, 0 },
	{ "help", cmd_help, NULL, "[COMMAND]",
	  "list the tools and commands, or show one's manual",
	  CRM_DB_NONE, 0, 1, NULL, 0 },
	{ NULL, NULL, NULL, NULL, NULL, 0, 0, 0, NULL, 0 }
};

static const struct crm_tool tool = {
	"crm",
	"The crm toolkit: customers, sales and service in one local database.",
	cmds,
};

/* ---- finding the tools -------------------------------------------------- */

static const char *argv0;	/* main's argv[0] */

/* The directory this program is in (malloc'd), or NULL. */
static char *
self_dir(void)
{
	char buf[PATH_MAX], *path = NULL, *slash;
	ssize_t n;

	n = readlink("/proc/self/exe", buf, sizeof(buf) - 1);
	if (n > 0) {
		buf[n] = '\0';
		path = strdup(buf);
	} else if (argv0 != NULL && strchr(argv0, '/') != NULL)
		path = realpath(argv0, NULL);
	if (path == NULL)
		return NULL;
	slash = strrchr(path, '/');
	if (slash == NULL) {
		free(path);
		return NULL;
	}
	slash[slash == path] = '\0';
	return path;
}

static int
is_program(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISREG(st.st_mode) &&
	    access(path, X_OK) == 0;
}

/*
 * Calls fn(dir, arg) for each directory a tool is looked for in, in
 * order: this program's, then $PATH's (an empty entry is ".").  fn
 * returns 0 to go on.
 */
static int
each_dir(int (*fn)(const char *dir, void *), void *arg)
{
	const char *path = getenv("PATH"), *p, *colon;
	char *self = self_dir(), *dir;
	int rc = 0;

	if (self != NULL)
		rc = fn(self, arg);
	free(self);
	for (p = path; rc == 0 && p != NULL; p = colon ? colon + 1 : NULL) {
		colon = strchr(p, ':');
		dir = colon ? strndup(p, (size_t)(colon - p)) : strdup(p);
		if (dir == NULL)
			return ENOMEM;
		rc = fn(dir[0] ? dir : ".", arg);
		free(dir);
	}
	return rc;
}

struct find {
	const char *name;	/* crm-NAME */
	char *path;
};

static int
find_in(const char *dir, void *arg)
{
	struct find *f = arg;

	if (asprintf(&f->path, "%s/%s", dir, f->name) < 0) {
		f->path = NULL;
		return ENOMEM;
	}
	if (is_program(f->path))
		return 1;
	free(f->path);
	f->path = NULL;
	return 0;
}

/* The path of crm-NAME (malloc'd), or NULL when there is none. */
static char *
find_tool(const char *name)
{
	struct find f = { NULL, NULL };
	char *prog;

	if (asprintf(&prog, TOOL_PREFIX "%s", name) < 0)
		return NULL;
	f.name = prog;
	each_dir(find_in, &f);
	free(prog);
	return f.path;
}

/* The tools found, by name (without the prefix), sorted, unique. */
struct tools {
	char **name, **path;
	size_t n, cap;
};

static int
collect_in(const char *dir, void *arg)
{
	struct tools *t = arg;
	struct dirent *d;
	DIR *dp = opendir(dir);
	size_t i;

	if (dp == NULL)
		return 0;
	while ((d = readdir(dp)) != NULL) {
		const char *nm = d->d_name + strlen(TOOL_PREFIX);
		char *path;

		if (strncmp(d->d_name, TOOL_PREFIX, strlen(TOOL_PREFIX)) != 0 ||
		    *nm == '\0')
			continue;
		for (i = 0; i < t->n; i++)
			if (strcmp(t->name[i], nm) == 0)
				break;
		if (i < t->n)
			continue;	/* an earlier directory has it */
		if (asprintf(&path, "%s/%s", dir, d->d_name) < 0)
			break;
		if (!is_program(path)) {
			free(path);
			continue;
		}
		if (t->n == t->cap) {
			size_t cap = t->cap ? t->cap * 2 : 16;
			char **a = realloc(t->name, cap * sizeof(*a));
			char **b = a ? realloc(t->path, cap * sizeof(*b)) : NULL;

			if (a != NULL)
				t->name = a;
			if (b == NULL) {
				free(path);
				break;
			}
			t->path = b;
			t->cap = cap;
		}
		t->name[t->n] = strdup(nm);
		t->path[t->n] = path;
		if (t->name[t->n] == NULL) {
			free(path);
			break;
		}
		t->n++;
	}
	closedir(dp);
	return 0;
}

static void
sort_tools(struct tools *t)
{
	size_t i, j;

	for (i = 1; i < t->n; i++)
		for (j = i; j > 0 && strcmp(t->name[j - 1], t->name[j]) > 0; j--) {
			char *a = t->name[j], *b = t->path[j];

			t->name[j] = t->name[j - 1];
			t->path[j] = t->path[j - 1];
			t->name[j - 1] = a;
			t->path[j - 1] = b;
		}
}

static void
free_tools(struct tools *t)
{
	size_t i;

	for (i = 0; i < t->n; i++) {
		free(t->name[i]);
		free(t->path[i]);
	}
	free(t->name);
	free(t->path);
}

/* Milliseconds since *t0. */
static long
elapsed_ms(const struct timespec *t0)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (t.tv_sec - t0->tv_sec) * 1000L + (t.tv_nsec - t0->tv_nsec) / 1000000L;
}

#define QUIET_MS 2000	/* a program asked for its summary gets this long */

/*
 * Runs argv (argv[0] a path, or a name looked up in $PATH when search)
 * with standard input and error on /dev/null and standard output into
 * out (at most size - 1 bytes, NUL-terminated).  Any crm-* program in
 * $PATH is asked, and one that does not know the question may wait
 * for something: it is killed after QUIET_MS.  Returns the exit
 * status, or -1 when it could not run or was killed.
 */
static int
run_quietly(char *const *argv, int search, char *out, size_t size)
{
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t attr;
	struct timespec t0;
	int pfd[2], st = -1, rc;
	size_t len = 0;
	ssize_t n;
	pid_t pid, w;

	out[0] = '\0';
	if (pipe2(pfd, O_CLOEXEC) != 0)
		return -1;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_adddup2(&fa, pfd[1], 1);
	posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
	/* Its own process group, so what it started can be killed too. */
	posix_spawnattr_init(&attr);
	posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP);
	posix_spawnattr_setpgroup(&attr, 0);
	rc = (search ? posix_spawnp : posix_spawn)(&pid, argv[0], &fa, &attr,
	    argv, environ);
	posix_spawnattr_destroy(&attr);
	posix_spawn_file_actions_destroy(&fa);
	close(pfd[1]);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	while (rc == 0 && len + 1 < size) {
		struct pollfd p = { pfd[0], POLLIN, 0 };
		long left = QUIET_MS - elapsed_ms(&t0);

		if (left <= 0)
			break;
		n = poll(&p, 1, (int)left);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		n = read(pfd[0], out + len, size - 1 - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		len += (size_t)n;
	}
	out[len] = '\0';
	close(pfd[0]);		/* a program still writing gets SIGPIPE */
	while (rc == 0) {
		struct timespec ms5 = { 0, 5000000L };

		w = waitpid(pid, &st, WNOHANG);
		if (w == pid)
			return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
		if (w < 0 && errno != EINTR)
			break;
		if (elapsed_ms(&t0) >= QUIET_MS) {
			kill(-pid, SIGKILL);
			waitpid(pid, &st, 0);
			break;
		}
		nanosleep(&ms5, NULL);
	}
	return -1;
}

/* A tool's one-line summary, from the first line of --list-options. */
static void
tool_summary(const char *path, char *out, size_t size)
{
	char buf[1024], *p, *nl;
	char *argv[] = { (char *)path, (char *)"--list-options", NULL };

	out[0] = '\0';
	run_quietly(argv, 0, buf, sizeof(buf));
	if (strncmp(buf, "tool\t", 5) != 0)
		return;
	p = strchr(buf + 5, '\t');
	if (p == NULL)
		return;
	nl = strchr(++p, '\n');
	if (nl != NULL)
		*nl = '\0';
	snprintf(out, size, "%s", p);
}

static const struct crm_cmd *
find_cmd(const char *name)
{
	const struct crm_cmd *c;

	for (c = cmds; c->name != NULL; c++)
		if (strcmp(c->name, name) == 0)
			return c;
	return NULL;
}

/* ---- help ---------------------------------------------------------------- */

static void
overview(FILE *fp)
{
	const struct crm_cmd *c;
	struct tools t = { NULL, NULL, 0, 0 };
	char sum[512];
	size_t i;

	each_dir(collect_in, &t);
	sort_tools(&t);
	fprintf(fp, "usage: crm [--db DIR] COMMAND [ARGS]...\n\n%s\n\n",
	    tool.summary);
	fprintf(fp, "Tools (crm TOOL ... runs crm-TOOL ...):\n");
	for (i = 0; i < t.n; i++) {
		tool_summary(t.path[i], sum, sizeof(sum));
		if (sum[0] != '\0')
			fprintf(fp, "  %-12s %s\n", t.name[i], sum);
		else
			fprintf(fp, "  %s\n", t.name[i]);
	}
	if (t.n == 0)
		fprintf(fp, "  (no crm-* program beside crm or in $PATH)\n");
	fprintf(fp, "\nDatabase commands:\n");
	for (c = cmds; c->name != NULL; c++)
		fprintf(fp, "  %-12s %s\n", c->name, c->summary);
	fprintf(fp, "\nGlobal options (before the command):\n"
	    "  --db DIR     database directory (default $CRM_DB, else "
	    "${XDG_DATA_HOME:-~/.local/share}/crm)\n"
	    "  -h, --help   show this help\n"
	    "  --version    show the version\n"
	    "\nRun 'crm help COMMAND' for a command's manual or options; "
	    "see crm(1), crm(7).\n"
	    "Exit status: 0 ok, 1 not found, 64 usage, 65 bad data "
	    "(check: problems found),\n66 no input, 70 internal, 73 cannot "
	    "create, 74 I/O, 75 busy/full (retry),\n77 permission; a tool's "
	    "own status passes through.\n");
	free_tools(&t);
}

/* Edit distance, for "did you mean". */
static size_t
distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), i, j, d[64];

	if (la >= 63 || lb >= 63)
		return 64;
	for (j = 0; j <= lb; j++)
		d[j] = j;
	for (i = 1; i <= la; i++) {
		size_t diag = d[0], tmp;

		d[0] = i;
		for (j = 1; j <= lb; j++) {
			tmp = d[j];
			d[j] = a[i - 1] == b[j - 1] ? diag :
			    1 + (diag < d[j] ? (diag < d[j - 1] ? diag : d[j - 1]) :
			    (d[j] < d[j - 1] ? d[j] : d[j - 1]));
			diag = tmp;
		}
	}
	return d[lb];
}

/* The error for a command that is neither ours nor a tool's. */
static int
no_such_command(const char *name)
{
	struct tools t = { NULL, NULL, 0, 0 };
	struct crm_buf near = CRM_BUF_INIT;
	const struct crm_cmd *c;
	size_t i;
	int rc;

	each_dir(collect_in, &t);
	sort_tools(&t);
	for (c = cmds; c->name != NULL; c++)
		if (distance(name, c->name) <= 2)
			crm_buf_printf(&near, "%s'%s'", near.len ? ", " : "", c->name);
	for (i = 0; i < t.n; i++)
		if (distance(name, t.name[i]) <= 2 ||
		    strncmp(name, t.name[i], strlen(name)) == 0)
			crm_buf_printf(&near, "%s'%s'", near.len ? ", " : "",
			    t.name[i]);
	rc = crm_seterr(CRM_EUSAGE, "'%s' is not a crm command, and there is "
	    "no " TOOL_PREFIX "%s beside crm or in $PATH; %s%s%s", name, name,
	    near.len ? "did you mean " : "see 'crm help'",
	    near.len ? near.p : "", near.len ? "?" : "");
	crm_buf_free(&near);
	free_tools(&t);
	return rc;
}

/* A tool name is a plain word: it becomes part of a file name. */
static int
tool_name_ok(const char *name)
{
	return name[0] != '\0' && name[0] != '-' && name[0] != '.' &&
	    strchr(name, '/') == NULL && strlen(name) < 200;
}

/*
 * Replaces this process with crm-NAME ARGS.  Returns only when it
 * cannot: CRM_EUSAGE when there is no such tool, else why exec failed.
 */
static int
run_tool(const char *name, char *const *args, int nargs)
{
	char *path, **av;
	int i, err;

	path = tool_name_ok(name) ? find_tool(name) : NULL;
	if (path == NULL)
		return no_such_command(name);
	av = calloc((size_t)nargs + 2, sizeof(*av));
	if (av == NULL || asprintf(&av[0], TOOL_PREFIX "%s", name) < 0) {
		free(av);
		free(path);
		return ENOMEM;
	}
	for (i = 0; i < nargs; i++)
		av[i + 1] = args[i];
	if (fflush(stdout) != 0)
		err = errno;
	else {
		execv(path, av);
		err = errno;
	}
	err = crm_seterr(err == EACCES || err == EPERM ? CRM_EPERM : err,
	    "cannot run %s: %s", path, strerror(err));
	free(av[0]);
	free(av);
	free(path);
	return err;
}

static int
cmd_help(struct crm_ctx *ctx)
{
	char *av[4], buf[16], *page;
	const char *name;
	int rc;

	if (ctx->argc == 0) {
		overview(stdout);
		return 0;
	}
	name = ctx->argv[0];
	if (find_cmd(name) != NULL) {
		av[0] = (char *)"crm";
		av[1] = (char *)name;
		av[2] = (char *)"--help";
		av[3] = NULL;
		return crm_main(&tool, 3, av) == 0 ? 0 : CRM_EIO;
	}
	page = tool_name_ok(name) ? find_tool(name) : NULL;
	if (page == NULL)
		return no_such_command(name);
	free(page);
	/* Its manual when man has one, else its --help. */
	if (asprintf(&page, TOOL_PREFIX "%s", name) < 0)
		return ENOMEM;
	av[0] = (char *)"man";
	av[1] = (char *)"-w";
	av[2] = page;
	av[3] = NULL;
	if (run_quietly(av, 1, buf, sizeof(buf)) == 0 && fflush(stdout) == 0) {
		av[1] = page;
		av[2] = NULL;
		execvp("man", av);
	}
	free(page);
	av[0] = (char *)"--help";
	rc = run_tool(name, av, 1);
	return rc;
}

/* ---- init ---------------------------------------------------------------- */

static int
cmd_init(struct crm_ctx *ctx)
{
	struct crm_buf dir = CRM_BUF_INIT, file = CRM_BUF_INIT;
	struct crm_db *db = NULL;
	struct stat st;
	char *abs = NULL;
	int rc, existed = 0;

	rc = crm_db_dir(crm_opt(ctx, "db"), &dir);
	if (rc == 0)
		rc = crm_buf_printf(&file, "%s/data.mdb", dir.p);
	if (rc == 0)
		existed = stat(file.p, &st) == 0;
	if (rc == 0)
		rc = crm_db_open(dir.p, CRM_OPEN_RDWR, tool.name,
		    crm_ctx_user(ctx), &db);
	crm_db_close(db);
	if (rc != 0)
		goto done;
	abs = realpath(dir.p, NULL);
	printf("%s\n", abs ? abs : dir.p);
	crm_warn("%s", existed ? "the database exists already" :
	    "created a new database");
	/* Made here, it is private; made by someone else, say so. */
	if (stat(dir.p, &st) == 0 && (st.st_mode & 077))
		crm_warn("warning: %s is open to other users (mode %04o); "
		    "chmod 700 it", abs ? abs : dir.p, st.st_mode & 07777);
	if (stat(file.p, &st) == 0 && (st.st_mode & 077))
		crm_warn("warning: %s is open to other users (mode %04o); "
		    "chmod 600 it", file.p, st.st_mode & 07777);
done:
	free(abs);
	crm_buf_free(&dir);
	crm_buf_free(&file);
	return rc;
}

/* ---- check and backup ------------------------------------------------------ */

static const char *const problem_cols[] = { "entity", "id", "field",
	"problem" };
static const enum crm_kind problem_kinds[] = { CRM_K_STR, CRM_K_NUM,
	CRM_K_STR, CRM_K_STR };

static int
problem_row(const struct crm_problem *p, void *arg)
{
	struct crm_out *out = arg;
	char id[24];
	const char *vals[4];
	size_t lens[4];

	snprintf(id, sizeof(id), "%llu", (unsigned long long)p->id);
	vals[0] = p->entity;
	vals[1] = p->id ? id : NULL;
	vals[2] = p->field;
	vals[3] = p->what;
	lens[0] = strlen(p->entity);
	lens[1] = p->id ? strlen(id) : 0;
	lens[2] = strlen(p->field);
	lens[3] = strlen(p->what);
	return crm_out_row(out, vals, lens);
}

/* "42 records, 97 index entries, 120 audit entries" */
static void
counted(char *buf, size_t size, const struct crm_check_counts *n)
{
	snprintf(buf, size, "%llu record%s, %llu index entr%s, %llu audit "
	    "entr%s", (unsigned long long)n->records, n->records == 1 ? "" : "s",
	    (unsigned long long)n->index_entries,
	    n->index_entries == 1 ? "y" : "ies",
	    (unsigned long long)n->audit_entries,
	    n->audit_entries == 1 ? "y" : "ies");
}

static int
cmd_check(struct crm_ctx *ctx)
{
	struct crm_check_counts n;
	struct crm_out *out = NULL;
	struct crm_txn tx;
	char what[200];
	int rc;

	memset(&n, 0, sizeof(n));
	rc = crm_ctx_out(ctx, &out);
	if (rc == 0)
		rc = crm_out_columns(out, problem_cols, problem_kinds, 4);
	if (rc != 0)
		goto done;
	rc = crm_read_begin(ctx->db, &tx);
	if (rc != 0)
		goto done;
	rc = crm_check(&tx, problem_row, out, &n);
	crm_txn_end(&tx);
	/* An empty table says nothing a person needs; the other formats
	 * print their header or [] for the programs reading them. */
	if (rc == 0 && (n.problems > 0 || crm_ctx_format(ctx) != CRM_FMT_TABLE))
		rc = crm_out_end(out);
	if (rc != 0)
		goto done;
	counted(what, sizeof(what), &n);
	if (n.problems == 0)
		crm_warn("check: ok: %s", what);
	else
		rc = crm_seterr(CRM_EDATA, "check: %llu problem%s in %s",
		    (unsigned long long)n.problems,
		    n.problems == 1 ? "" : "s", what);
done:
	crm_out_free(out);
	return rc;
}

static int
warn_problem(const struct crm_problem *p, void *arg)
{
	(void)arg;
	if (p->id != 0)
		crm_warn("backup: %s %llu%s%s%s: %s", p->entity,
		    (unsigned long long)p->id, p->field[0] ? ": field '" : "",
		    p->field, p->field[0] ? "'" : "", p->what);
	else
		crm_warn("backup: %s%s%s%s: %s", p->entity,
		    p->field[0] ? ": " : "", p->field, "", p->what);
	return 0;
}

static int
cmd_backup(struct crm_ctx *ctx)
{
	struct crm_backup_info info;
	const char *file = ctx->argv[0];
	unsigned flags = crm_opt(ctx, "check") ? CRM_BACKUP_VERIFY : 0;
	char what[200];
	int rc;

	if (strcmp(file, "-") == 0 && isatty(STDOUT_FILENO))
		return crm_seterr(CRM_EUSAGE, "backup: standard output is a "
		    "terminal; redirect it, or name a file");
	rc = crm_backup(ctx->db, file, flags, warn_problem, NULL, &info);
	if (rc != 0)
		return rc;
	counted(what, sizeof(what), &info.check);
	if (flags & CRM_BACKUP_VERIFY)
		crm_warn("backed up to %s; the copy checks clean (%s)",
		    info.path ? info.path : "standard output", what);
	else
		crm_warn("backed up to %s",
		    info.path ? info.path : "standard output");
	free(info.path);
	return 0;
}

/* ---- stats ------------------------------------------------------------------ */

static int
stat_row(const char *name, const char *value, void *arg)
{
	const char *vals[2] = { name, value };
	size_t lens[2] = { strlen(name), strlen(value) };

	return crm_out_row(arg, vals, lens);
}

static int
cmd_stats(struct crm_ctx *ctx)
{
	static const char *const cols[] = { "name", "value" };
	static const enum crm_kind kinds[] = { CRM_K_STR, CRM_K_NUM };
	struct crm_out *out = NULL;
	struct crm_txn tx;
	int rc;

	rc = crm_ctx_out(ctx, &out);
	if (rc == 0)
		rc = crm_out_columns(out, cols, kinds, 2);
	if (rc == 0)
		rc = crm_read_begin(ctx->db, &tx);
	if (rc == 0) {
		rc = crm_stats(&tx, stat_row, out);
		crm_txn_end(&tx);
	}
	if (rc == 0)
		rc = crm_out_end(out);
	crm_out_free(out);
	return rc;
}

/* ---- audit ------------------------------------------------------------------ */

struct auditq {
	struct crm_out *out;
	const struct crm_entity *e;
	uint64_t id, change;
	int has_since, has_until;
	int64_t since, until;
	const char *user, *tool;
	struct crm_buf b;
};

static int
same(const char *want, const char *s, size_t len)
{
	return want == NULL || (strlen(want) == len && memcmp(want, s, len) == 0);
}

static int
audit_row(const struct crm_audit *a, void *arg)
{
	struct auditq *q = arg;
	const struct crm_entity *e = crm_audit_entity(a->entity);
	const char *vals[10];
	size_t lens[10], off[3], i;
	int rc;

	if ((q->e != NULL && (e == NULL || e->num != q->e->num)) ||
	    (q->id != 0 && a->id != q->id) ||
	    (q->change != 0 && a->change != q->change) ||
	    (q->has_since && a->at < q->since) ||
	    (q->has_until && a->at >= q->until) ||
	    !same(q->user, a->user, a->ulen) || !same(q->tool, a->tool, a->tlen))
		return 0;
	crm_buf_reset(&q->b);
	off[0] = 0;
	rc = crm_time_format(&q->b, a->at);
	off[1] = q->b.len;
	if (rc == 0)
		rc = crm_buf_printf(&q->b, "%llu", (unsigned long long)a->change);
	off[2] = q->b.len;
	if (rc == 0)
		rc = crm_buf_printf(&q->b, "%llu", (unsigned long long)a->id);
	if (rc != 0)
		return rc;
	vals[0] = q->b.p;
	lens[0] = off[1];
	vals[1] = a->user;
	lens[1] = a->ulen;
	vals[2] = a->tool;
	lens[2] = a->tlen;
	vals[3] = q->b.p + off[1];
	lens[3] = off[2] - off[1];
	vals[4] = e != NULL ? e->name : "?";
	vals[5] = q->b.p + off[2];
	lens[5] = q->b.len - off[2];
	vals[6] = crm_audit_opname(a->op);
	vals[7] = a->field;
	lens[7] = a->flen;
	/* Creations and deletions keep whole records, which are not text;
	 * a merge names the merged record in "new". */
	vals[8] = a->op == CRM_AUDIT_UPDATE ? a->old : NULL;
	lens[8] = vals[8] != NULL ? a->olen : 0;
	vals[9] = a->op == CRM_AUDIT_UPDATE || a->op == CRM_AUDIT_MERGE ?
	    a->nw : NULL;
	lens[9] = vals[9] != NULL ? a->nlen : 0;
	for (i = 4; i <= 6; i += 2)
		lens[i] = strlen(vals[i]);
	return crm_out_row(q->out, vals, lens);
}

/* A time option: absolute or relative to now. */
static int
time_opt(struct crm_ctx *ctx, const char *name, int64_t *t, int *given)
{
	const char *v = crm_opt(ctx, name);

	*given = v != NULL;
	if (v == NULL)
		return 0;
	if (crm_time_parse(v, strlen(v), ctx->now, t) != 0) {
		char msg[300];

		snprintf(msg, sizeof(msg), "--%s \"%s\": %s", name, v,
		    crm_errdetail(CRM_EDATA));
		return crm_seterr(CRM_EUSAGE, "%s", msg);
	}
	return 0;
}

static int
cmd_audit(struct crm_ctx *ctx)
{
	static const char *const cols[] = { "at", "user", "tool", "change",
		"entity", "id", "op", "field", "old", "new" };
	static const enum crm_kind kinds[] = { CRM_K_STR, CRM_K_STR, CRM_K_STR,
		CRM_K_NUM, CRM_K_STR, CRM_K_NUM, CRM_K_STR, CRM_K_STR, CRM_K_STR,
		CRM_K_STR };
	struct auditq q;
	struct crm_txn tx;
	const char *v;
	int64_t n;
	int rc;

	memset(&q, 0, sizeof(q));
	v = crm_opt(ctx, "entity");
	if (v != NULL)
		q.e = strcmp(v, crm_audit_setting.name) == 0 ?
		    &crm_audit_setting : crm_entity_find(v);
	rc = crm_opt_int(ctx, "id", 0, &n);
	q.id = (uint64_t)n;
	if (rc == 0)
		rc = crm_opt_int(ctx, "change", 0, &n);
	q.change = (uint64_t)n;
	if (rc == 0)
		rc = time_opt(ctx, "since", &q.since, &q.has_since);
	if (rc == 0)
		rc = time_opt(ctx, "until", &q.until, &q.has_until);
	if (rc != 0)
		return rc;
	q.user = crm_opt(ctx, "user");
	q.tool = crm_opt(ctx, "tool");
	rc = crm_ctx_out(ctx, &q.out);
	if (rc == 0)
		rc = crm_out_columns(q.out, cols, kinds, 10);
	if (rc == 0)
		rc = crm_read_begin(ctx->db, &tx);
	if (rc == 0) {
		/* The narrowest walk the log has an index for. */
		if (q.e != NULL && q.id != 0)
			rc = crm_audit_each(&tx, q.e, q.id, 0, audit_row, &q);
		else
			rc = crm_audit_each(&tx, NULL, 0, q.change, audit_row, &q);
		crm_txn_end(&tx);
	}
	if (rc == 0)
		rc = crm_out_end(q.out);
	crm_out_free(q.out);
	crm_buf_free(&q.b);
	return rc;
}

/* ---- main ------------------------------------------------------------------ */

int
main(int argc, char **argv)
{
	char **av;
	int i, j, k;

	argv0 = argv[0];
	for (i = 0; i < crm_nentities && i < CRM_MAX_ENTITIES - 1; i++)
		entity_names[i] = crm_entities[i]->name;
	entity_names[i] = crm_audit_setting.name;	/* audit --entity */
	/* Options before the command: --db goes on to the command. */
	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--db") == 0 && i + 1 < argc) {
			i++;
			continue;
		}
		if (strncmp(argv[i], "--db=", 5) == 0)
			continue;
		if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0)
			break;
		if (argv[i][0] == '-') {
			int st;

			if (strcmp(argv[i], "--list-options") != 0)
				return crm_main(&tool, argc, argv);
			/* For completions: other commands are tools. */
			st = crm_main(&tool, 2, (char *[]){ argv[0], argv[i], NULL });
			if (st == 0) {
				printf("run\t" TOOL_PREFIX "\thelp\n");
				st = fflush(stdout) != 0 || ferror(stdout) ? 74 : 0;
			}
			return st;
		}
		break;
	}
	if (i == argc || strcmp(argv[i], "-h") == 0 ||
	    strcmp(argv[i], "--help") == 0) {
		overview(stdout);
		return fflush(stdout) != 0 || ferror(stdout) ? 74 : 0;
	}
	if (find_cmd(argv[i]) == NULL) {
		const char *name = argv[i];
		int rc;

		/* A tool's: the options before the command, then the rest. */
		memmove(argv + i, argv + i + 1, (size_t)(argc - i) * sizeof(*argv));
		rc = run_tool(name, argv + 1, argc - 2);
		crm_warn("%s", crm_errdetail(rc));
		return crm_exitcode(rc);
	}
	/* Ours: the options before the command go after it, where a
	 * command's own --db is read (and wins, being later). */
	av = calloc((size_t)argc + 1, sizeof(*av));
	if (av == NULL)
		return 70;
	av[0] = argv[0];
	av[1] = argv[i];
	for (j = 1, k = 2; j < argc; j++)
		if (j != i)
			av[k++] = argv[j];
	k = crm_main(&tool, argc, av);
	free(av);
	return k;
}
