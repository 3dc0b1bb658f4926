/*
 * cli.c — option tables to getopt_long, help, completion lists,
 * messages and exit statuses for the programs in cmd/.
 */
#include <errno.h>
#include <getopt.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "tmp.h"

static const char *progname = "crm";

const struct crm_option crm_opts_db[] = {
	{ "db", 0, CRM_ARG_REQ, "DIR",
	  "database directory (default $CRM_DB, else ${XDG_DATA_HOME:-~/.local/share}/crm)",
	  0, NULL, "dir" },
	CRM_OPT_END
};

const struct crm_option crm_opts_output[] = {
	{ "format", 'f', CRM_ARG_REQ, "FMT",
	  "output format (default: table on a terminal, else csv)", 0,
	  crm_fmt_names, NULL },
	{ "excel", 0, CRM_ARG_NONE, NULL,
	  "neutralise formulas for spreadsheets (prefix = + - @ with ')",
	  0, NULL, NULL },
	{ "no-header", 0, CRM_ARG_NONE, NULL, "omit the CSV/TSV header row",
	  0, NULL, NULL },
	CRM_OPT_END
};

const struct crm_option crm_opts_fields[] = {
	{ "fields", 0, CRM_ARG_REQ, "A,B,...", "columns to print, in order",
	  0, NULL, "field" },
	CRM_OPT_END
};

const struct crm_option crm_opts_select[] = {
	{ "where", 'w', CRM_ARG_REQ, "EXPR",
	  "keep records where EXPR holds (field=v != < <= > >= ~; repeatable)",
	  CRM_OPT_MULTI, NULL, "field" },
	{ "sort", 's', CRM_ARG_REQ, "[-]FIELD", "sort by fields, - for descending",
	  0, NULL, "field" },
	{ "limit", 'n', CRM_ARG_REQ, "N", "print at most N records", 0, NULL,
	  NULL },
	CRM_OPT_END
};

const struct crm_option crm_opts_input[] = {
	{ "input-format", 0, CRM_ARG_REQ, "FMT",
	  "format of records read from stdin (default: detected)", 0,
	  crm_infmt_names, NULL },
	CRM_OPT_END
};

static const struct crm_option help_opts[] = {
	{ "help", 'h', CRM_ARG_NONE, NULL, "show this help", 0, NULL, NULL },
	{ "version", 0, CRM_ARG_NONE, NULL, "show the version", 0, NULL, NULL },
	CRM_OPT_END
};

const char *
crm_progname(void)
{
	return progname;
}

static const char *acting_user(void);

const char *
crm_ctx_user(struct crm_ctx *ctx)
{
	if (ctx->user == NULL)
		ctx->user = acting_user();
	return ctx->user;
}

void
crm_warn(const char *fmt, ...)
{
	va_list ap;

	fflush(stdout);
	fprintf(stderr, "%s: ", progname);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

/* ---- option tables --------------------------------------------------- */

static size_t
count_opts(const struct crm_cmd *cmd)
{
	const struct crm_option *const *g;
	const struct crm_option *o;
	size_t n = 2;	/* --help, --version */

	for (g = cmd->groups; g != NULL && *g != NULL; g++)
		for (o = *g; o->name != NULL; o++)
			n++;
	return n;
}

static void
each_opt(const struct crm_cmd *cmd,
    void (*fn)(const struct crm_option *, void *), void *arg)
{
	const struct crm_option *const *g;
	const struct crm_option *o;

	for (g = cmd->groups; g != NULL && *g != NULL; g++)
		for (o = *g; o->name != NULL; o++)
			fn(o, arg);
	for (o = help_opts; o->name != NULL; o++)
		fn(o, arg);
}

static void
print_opt_help(const struct crm_option *o, void *arg)
{
	FILE *fp = arg;
	char left[64];
	int n;

	n = snprintf(left, sizeof(left), "%c%c%s--%s%s%s",
	    o->shortopt ? '-' : ' ', o->shortopt ? o->shortopt : ' ',
	    o->shortopt ? ", " : "  ", o->name, o->arg ? " " : "",
	    o->arg ? o->argname : "");
	if (n < 0)
		return;
	fprintf(fp, "  %-26s %s", left, o->help);
	if (o->choices != NULL && o->choices[0] != NULL) {
		const char *const *c;

		fputs(" [", fp);
		for (c = o->choices; *c != NULL; c++)
			fprintf(fp, "%s%s", c == o->choices ? "" : "|", *c);
		fputc(']', fp);
	}
	fputc('\n', fp);
}

static void
cmd_help(const struct crm_tool *tool, const struct crm_cmd *cmd, FILE *fp)
{
	fprintf(fp, "usage: %s %s [OPTIONS]%s%s\n\n%s\n\nOptions:\n",
	    tool->name, cmd->name, cmd->args[0] ? " " : "", cmd->args,
	    cmd->summary);
	each_opt(cmd, print_opt_help, fp);
	if (cmd->entity != NULL) {
		const struct crm_entity *e = crm_entity_find(cmd->entity);
		int f;

		fprintf(fp, "\nFields of %s %s (any other NAME=VALUE is kept as "
		    "a custom field):\n", strchr("aeiou", e->name[0]) ? "an" : "a",
		    e->name);
		for (f = 0; f < e->nfields; f++) {
			const struct crm_field *fd = &e->fields[f];
			const char *const *v;

			fprintf(fp, "  %-18s %s%s%s", fd->name, fd->help,
			    fd->flags & CRM_F_REQUIRED ? ", required" : "",
			    fd->flags & CRM_F_UNIQUE ? ", unique" : "");
			if (fd->flags & CRM_F_SYSTEM)
				fputs(", set by crm", fp);
			else if (fd->type == CRM_T_ENUM) {
				fputs(": ", fp);
				for (v = fd->values; *v != NULL; v++)
					fprintf(fp, "%s%s", v == fd->values ? "" : "|", *v);
			} else if (fd->type != CRM_T_TEXT)
				fprintf(fp, " (%s)", crm_type_name(fd->type));
			fputc('\n', fp);
		}
	}
	fprintf(fp, "\nSee %s(1).\n", tool->name);
}

static void
tool_help(const struct crm_tool *tool, FILE *fp)
{
	const struct crm_cmd *c;

	fprintf(fp, "usage: %s [--db DIR] COMMAND [OPTIONS] [ARGS]\n\n%s\n\n"
	    "Commands:\n", tool->name, tool->summary);
	for (c = tool->cmds; c->name != NULL; c++)
		fprintf(fp, "  %-16s %s\n", c->name, c->summary);
	fprintf(fp, "\nGlobal options:\n"
	    "  --db DIR          database directory\n"
	    "  -h, --help        show help (also after a command)\n"
	    "  --version         show the version\n"
	    "\nRun '%s COMMAND --help' for a command's options; see %s(1).\n"
	    "Exit status: 0 ok, 1 not found, 64 usage, 65 bad data, "
	    "66 no input,\n70 internal, 73 cannot create, 74 I/O, "
	    "75 busy/full (retry), 77 permission.\n", tool->name, tool->name);
}

struct listarg {
	const char *cmd;
	FILE *fp;
};

static void
list_opt(const struct crm_option *o, void *arg)
{
	struct listarg *la = arg;
	const char *const *c;

	fprintf(la->fp, "opt\t%s\t--%s\t%s\t%s\t", la->cmd, o->name,
	    o->shortopt ? (char[]){ '-', (char)o->shortopt, 0 } : "",
	    o->arg ? o->argname : "");
	for (c = o->choices; c != NULL && *c != NULL; c++)
		fprintf(la->fp, "%s%s", c == o->choices ? "" : " ", *c);
	fprintf(la->fp, "\t%s\t%s\n", o->complete ? o->complete : "", o->help);
}

/*
 * One line per subcommand and option, tab-separated, for the completion
 * generator and the man-page test:
 *   cmd  NAME  ARGS  SUMMARY
 *   opt  CMD  --LONG  -S  ARGNAME  CHOICES  COMPLETE  HELP
 */
static void
list_options(const struct crm_tool *tool, FILE *fp)
{
	const struct crm_cmd *c;
	struct listarg la = { NULL, fp };

	fprintf(fp, "tool\t%s\t%s\n", tool->name, tool->summary);
	for (c = tool->cmds; c->name != NULL; c++)
		fprintf(fp, "cmd\t%s\t%s\t%s\n", c->name, c->args, c->summary);
	for (c = tool->cmds; c->name != NULL; c++) {
		la.cmd = c->name;
		each_opt(c, list_opt, &la);
	}
}

/* ---- parsing ---------------------------------------------------------- */

struct collect {
	struct crm_ctx *ctx;
	struct option *lo;
	char *shorts;
	size_t n, sn;
};

static void
collect_opt(const struct crm_option *o, void *arg)
{
	struct collect *c = arg;

	c->ctx->opts[c->n] = o;
	c->lo[c->n].name = o->name;
	c->lo[c->n].has_arg = o->arg ? required_argument : no_argument;
	c->lo[c->n].flag = NULL;
	c->lo[c->n].val = 256 + (int)c->n;
	if (o->shortopt) {
		c->shorts[c->sn++] = (char)o->shortopt;
		if (o->arg)
			c->shorts[c->sn++] = ':';
	}
	c->n++;
}

static int
add_val(struct crm_ctx *ctx, size_t i, const char *v)
{
	char **p = realloc(ctx->vals[i], (ctx->nvals[i] + 1) * sizeof(*p));

	if (p == NULL)
		return ENOMEM;
	ctx->vals[i] = p;
	p[ctx->nvals[i]++] = (char *)(v ? v : "");
	return 0;
}

static int
usage_err(const struct crm_tool *tool, const struct crm_cmd *cmd,
    const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static int
usage_err(const struct crm_tool *tool, const struct crm_cmd *cmd,
    const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", progname);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nTry '%s%s%s --help'.\n", tool->name,
	    cmd ? " " : "", cmd ? cmd->name : "");
	return 64;
}

/* A "-word" argument that is data (tag removal), not an option: any
 * but -h, so `tag 1 -x` removes the tag x. */
static int
is_dashword(const char *a)
{
	return a[0] == '-' && a[1] != '-' && a[1] != '\0' &&
	    !(a[1] == 'h' && a[2] == '\0');
}

static int
parse_cmd(struct crm_ctx *ctx, int argc, char **argv, int dashwords)
{
	struct collect c;
	char **args = NULL, **pos = NULL;
	int nargs = 0, npos = 0, i, ch, rc = 0, idx;

	c.ctx = ctx;
	ctx->nopts = count_opts(ctx->cmd);
	ctx->opts = calloc(ctx->nopts, sizeof(*ctx->opts));
	ctx->vals = calloc(ctx->nopts, sizeof(*ctx->vals));
	ctx->nvals = calloc(ctx->nopts, sizeof(*ctx->nvals));
	c.lo = calloc(ctx->nopts + 1, sizeof(*c.lo));
	c.shorts = calloc(ctx->nopts * 2 + 3, 1);
	args = calloc((size_t)argc + 1, sizeof(*args));
	pos = calloc((size_t)argc + 1, sizeof(*pos));
	if (!ctx->opts || !ctx->vals || !ctx->nvals || !c.lo || !c.shorts ||
	    !args || !pos) {
		rc = ENOMEM;
		goto done;
	}
	c.n = 0;
	c.sn = 0;
	c.shorts[c.sn++] = ':';
	each_opt(ctx->cmd, collect_opt, &c);
	/* Keep "-word" tag removals away from getopt. */
	for (i = 0; i < argc; i++) {
		if (dashwords && i > 0 && is_dashword(argv[i]))
			pos[npos++] = argv[i];
		else
			args[nargs++] = argv[i];
	}
	optind = 0;	/* glibc: full re-initialisation */
	opterr = 0;
	while ((ch = getopt_long(nargs, args, c.shorts, c.lo, &idx)) != -1) {
		size_t k;

		if (ch == '?' || ch == ':') {
			const char *bad = args[optind - 1];

			rc = usage_err(ctx->tool, ctx->cmd, ch == ':' ?
			    "option '%s' needs a value" : "unknown option '%s'",
			    optopt && ch == '?' ? (char[]){ '-', (char)optopt, 0 } : bad);
			goto done;
		}
		if (ch >= 256)
			k = (size_t)(ch - 256);
		else {
			for (k = 0; k < ctx->nopts; k++)
				if (ctx->opts[k]->shortopt == ch)
					break;
		}
		if (k >= ctx->nopts)
			continue;
		if (strcmp(ctx->opts[k]->name, "help") == 0) {
			cmd_help(ctx->tool, ctx->cmd, stdout);
			rc = -1;
			goto done;
		}
		if (strcmp(ctx->opts[k]->name, "version") == 0) {
			printf("%s %s\n", ctx->tool->name, CRM_VERSION);
			rc = -1;
			goto done;
		}
		/* A value from a fixed list is checked here, once for all. */
		if (ctx->opts[k]->choices != NULL &&
		    !(ctx->opts[k]->flags & CRM_OPT_MULTI)) {
			const char *const *cv;

			for (cv = ctx->opts[k]->choices; *cv != NULL; cv++)
				if (strcmp(*cv, optarg) == 0)
					break;
			if (*cv == NULL) {
				struct crm_buf list = CRM_BUF_INIT;

				for (cv = ctx->opts[k]->choices; *cv != NULL; cv++)
					crm_buf_printf(&list, "%s%s",
					    cv == ctx->opts[k]->choices ? "" : ", ", *cv);
				rc = usage_err(ctx->tool, ctx->cmd,
				    "--%s \"%s\": not one of %s",
				    ctx->opts[k]->name, optarg, list.p);
				crm_buf_free(&list);
				goto done;
			}
		}
		if (ctx->nvals[k] > 0 && !(ctx->opts[k]->flags & CRM_OPT_MULTI)) {
			/* Last one wins, like most tools. */
			ctx->nvals[k] = 0;
		}
		rc = add_val(ctx, k, optarg);
		if (rc != 0)
			goto done;
	}
	for (i = optind; i < nargs; i++)
		pos[npos++] = args[i];
	/* Restore the user's order of positional arguments. */
	if (dashwords) {
		int j = 0;

		for (i = 1; i < argc; i++) {
			int k2;

			for (k2 = 0; k2 < npos; k2++)
				if (pos[k2] == argv[i]) {
					args[j++] = argv[i];
					break;
				}
		}
		memcpy(pos, args, (size_t)j * sizeof(*pos));
		npos = j;
	}
	if (npos < ctx->cmd->minargs ||
	    (ctx->cmd->maxargs >= 0 && npos > ctx->cmd->maxargs)) {
		rc = usage_err(ctx->tool, ctx->cmd, "%s: %s: %s",
		    ctx->cmd->name, npos < ctx->cmd->minargs ?
		    "missing arguments" : "too many arguments",
		    ctx->cmd->args[0] ? ctx->cmd->args : "takes no arguments");
		goto done;
	}
	ctx->argc = npos;
	ctx->argv = pos;
	pos = NULL;
done:
	free(c.lo);
	free(c.shorts);
	free(args);
	free(pos);
	return rc;
}

const char *
crm_opt(const struct crm_ctx *ctx, const char *name)
{
	size_t i;

	for (i = 0; i < ctx->nopts; i++)
		if (strcmp(ctx->opts[i]->name, name) == 0)
			return ctx->nvals[i] ? ctx->vals[i][ctx->nvals[i] - 1] :
			    NULL;
	return NULL;
}

char *const *
crm_optv(const struct crm_ctx *ctx, const char *name, size_t *n)
{
	size_t i;

	for (i = 0; i < ctx->nopts; i++)
		if (strcmp(ctx->opts[i]->name, name) == 0) {
			*n = ctx->nvals[i];
			return ctx->vals[i];
		}
	*n = 0;
	return NULL;
}

int
crm_ctx_writable(struct crm_ctx *ctx)
{
	struct crm_db *db;
	char *dir;
	int rc;

	if (ctx->db == NULL || ctx->cmd->db == CRM_DB_WRITE)
		return 0;
	/* LMDB wants one environment per file in a process: close first. */
	dir = strdup(crm_db_path(ctx->db));
	if (dir == NULL)
		return ENOMEM;
	crm_db_close(ctx->db);
	ctx->db = NULL;
	rc = crm_db_open(dir, CRM_OPEN_RDWR, ctx->tool->name,
	    crm_ctx_user(ctx), &db);
	if (rc == 0)
		ctx->db = db;
	free(dir);
	return rc;
}

int
crm_opt_int(const struct crm_ctx *ctx, const char *name, int64_t dflt,
    int64_t *out)
{
	const char *v = crm_opt(ctx, name);

	*out = dflt;
	if (v == NULL)
		return 0;
	if (crm_parse_i64(v, strlen(v), 0, INT64_MAX, out) != 0)
		return crm_seterr(CRM_EUSAGE,
		    "--%s \"%s\": not a non-negative integer", name, v);
	return 0;
}

static const char *
acting_user(void)
{
	const char *u = getenv("CRM_USER");
	struct passwd *pw;

	if (u != NULL && u[0] != '\0')
		return u;
	u = getenv("LOGNAME");
	if (u != NULL && u[0] != '\0')
		return u;
	pw = getpwuid(geteuid());
	return pw != NULL ? pw->pw_name : "unknown";
}

static void
free_ctx(struct crm_ctx *ctx)
{
	size_t i;

	for (i = 0; i < ctx->nopts && ctx->vals; i++)
		free(ctx->vals[i]);
	free(ctx->vals);
	free(ctx->nvals);
	free(ctx->opts);
	free(ctx->argv);
	crm_db_close(ctx->db);
}

int
crm_main(const struct crm_tool *tool, int argc, char **argv)
{
	struct crm_ctx ctx;
	struct crm_buf dir = CRM_BUF_INIT;
	const char *dbopt = NULL, *v;
	int i, rc = 0, status;

	memset(&ctx, 0, sizeof(ctx));
	progname = tool->name;
	ctx.tool = tool;
	/* Global options come before the command. */
	for (i = 1; i < argc && argv[i][0] == '-' && argv[i][1] != '\0'; i++) {
		const char *a = argv[i];

		if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
			tool_help(tool, stdout);
			goto flush;
		} else if (strcmp(a, "--version") == 0) {
			printf("%s %s\n", tool->name, CRM_VERSION);
			goto flush;
		} else if (strcmp(a, "--list-options") == 0) {
			list_options(tool, stdout);
			goto flush;
		} else if (strcmp(a, "--db") == 0 && i + 1 < argc)
			dbopt = argv[++i];
		else if (strncmp(a, "--db=", 5) == 0)
			dbopt = a + 5;
		else if (strcmp(a, "--db") == 0)
			return usage_err(tool, NULL, "option '--db' needs a value");
		else
			return usage_err(tool, NULL, "unknown option '%s'", a);
	}
	if (i >= argc)
		return usage_err(tool, NULL, "no command given");
	/* Two-word commands ("contact add", "stages set") first: "stages"
	 * may be a command of its own. */
	for (ctx.cmd = tool->cmds; ctx.cmd->name != NULL; ctx.cmd++) {
		const char *sp = strchr(ctx.cmd->name, ' ');

		if (sp != NULL && i + 1 < argc &&
		    strncmp(ctx.cmd->name, argv[i], (size_t)(sp - ctx.cmd->name)) == 0 &&
		    argv[i][sp - ctx.cmd->name] == '\0' &&
		    strcmp(sp + 1, argv[i + 1]) == 0) {
			i++;
			break;
		}
	}
	if (ctx.cmd->name == NULL)
		for (ctx.cmd = tool->cmds; ctx.cmd->name != NULL; ctx.cmd++)
			if (strcmp(ctx.cmd->name, argv[i]) == 0)
				break;
	if (ctx.cmd->name == NULL) {
		struct crm_buf words = CRM_BUF_INIT;
		const struct crm_cmd *c;
		size_t wl = strlen(argv[i]);
		int st;

		/* "contact" alone: name the commands it starts. */
		for (c = tool->cmds; c->name != NULL; c++)
			if (strncmp(c->name, argv[i], wl) == 0 && c->name[wl] == ' ')
				crm_buf_printf(&words, "%s%s", words.len ? ", " : "",
				    c->name);
		if (words.len > 0 && i + 1 < argc && (strcmp(argv[i + 1],
		    "--help") == 0 || strcmp(argv[i + 1], "-h") == 0)) {
			printf("usage: %s %s COMMAND [OPTIONS] [ARGS]\n\n"
			    "Commands:\n", tool->name, argv[i]);
			for (c = tool->cmds; c->name != NULL; c++)
				if (strncmp(c->name, argv[i], wl) == 0 &&
				    c->name[wl] == ' ')
					printf("  %-16s %s\n", c->name, c->summary);
			printf("\nRun '%s %s COMMAND --help' for its options.\n",
			    tool->name, argv[i]);
			crm_buf_free(&words);
			goto flush;
		}
		if (words.len > 0)
			st = usage_err(tool, NULL, "'%s' needs a command: %s",
			    argv[i], words.p);
		else
			st = usage_err(tool, NULL, "'%s' is not a command", argv[i]);
		crm_buf_free(&words);
		return st;
	}
	rc = parse_cmd(&ctx, argc - i, argv + i,
	    (ctx.cmd->flags & CRM_CMD_DASHWORDS) != 0);
	if (rc == -1) {
		rc = 0;
		free_ctx(&ctx);
		goto flush;
	}
	if (rc != 0) {
		free_ctx(&ctx);
		return rc == 64 ? 64 : crm_exitcode(rc);
	}
	v = crm_opt(&ctx, "db");
	if (v != NULL)
		dbopt = v;
	/* The login name can cost a passwd lookup: only writers need it. */
	ctx.user = ctx.cmd->db == CRM_DB_WRITE || getenv("CRM_USER") != NULL ?
	    acting_user() : NULL;
	rc = crm_now(&ctx.now);
	if (rc != 0) {
		char msg[300];

		snprintf(msg, sizeof(msg), "%s", crm_errdetail(rc));
		rc = crm_seterr(CRM_EUSAGE, "%s", msg);
	}
	if (rc == 0 && ctx.cmd->db != CRM_DB_NONE) {
		rc = crm_db_dir(dbopt, &dir);
		if (rc == 0)
			rc = crm_db_open(dir.p, ctx.cmd->db == CRM_DB_WRITE ?
			    CRM_OPEN_RDWR : CRM_OPEN_RDONLY, tool->name, ctx.user,
			    &ctx.db);
	}
	if (rc == 0)
		rc = ctx.cmd->run(&ctx);
	if (rc == 0 && (fflush(stdout) != 0 || ferror(stdout)))
		rc = crm_seterr(CRM_EIO, "write error on standard output: %s",
		    strerror(errno ? errno : EIO));
	if (rc != 0)
		crm_warn("%s", crm_errdetail(rc));
	free_ctx(&ctx);
	crm_buf_free(&dir);
	status = crm_exitcode(rc);
	return status;
flush:
	if (fflush(stdout) != 0 || ferror(stdout)) {
		crm_warn("write error on standard output: %s", strerror(errno));
		return 74;
	}
	return 0;
}

/* ---- output set-up ------------------------------------------------------ */

enum crm_fmt
crm_ctx_format(const struct crm_ctx *ctx)
{
	const char *f = crm_opt(ctx, "format");
	enum crm_fmt fmt;

	if (f != NULL && crm_fmt_parse(f, &fmt) == 0)
		return fmt;
	return isatty(STDOUT_FILENO) ? CRM_FMT_TABLE : CRM_FMT_CSV;
}

int
crm_ctx_out(const struct crm_ctx *ctx, struct crm_out **out)
{
	const char *f = crm_opt(ctx, "format"), *nc = getenv("NO_COLOR");
	enum crm_fmt fmt;
	unsigned flags = 0;
	int rc;

	if (f != NULL) {
		rc = crm_fmt_parse(f, &fmt);
		if (rc != 0)
			return rc;
	} else
		fmt = crm_ctx_format(ctx);
	if (crm_opt(ctx, "excel") != NULL)
		flags |= CRM_OUT_EXCEL;
	if (crm_opt(ctx, "no-header") != NULL)
		flags |= CRM_OUT_NOHEADER;
	if (fmt == CRM_FMT_TABLE && isatty(STDOUT_FILENO) &&
	    (nc == NULL || nc[0] == '\0'))
		flags |= CRM_OUT_COLOR;
	return crm_out_new(out, stdout, fmt, flags);
}

int
crm_ctx_columns(const struct crm_ctx *ctx, struct crm_txn *tx,
    const struct crm_entity *e, struct crm_colspec **colsp,
    const char ***namesp, enum crm_kind **kindsp, size_t *np,
    struct crm_buf *store)
{
	const char *spec = crm_opt(ctx, "fields");
	struct crm_colspec *cols = NULL;
	const char **names = NULL;
	enum crm_kind *kinds = NULL;
	size_t ncust = 0, max, n = 0, i;
	const char *p;
	int rc, f, table = crm_ctx_format(ctx) == CRM_FMT_TABLE;

	*colsp = NULL;
	*namesp = NULL;
	*kindsp = NULL;
	*np = 0;
	crm_buf_reset(store);
	rc = crm_custom_names(tx, e, store, &ncust);
	if (rc != 0)
		return rc;
	max = (size_t)e->nfields + ncust + (spec ? strlen(spec) + 1 : 0);
	cols = calloc(max, sizeof(*cols));
	names = calloc(max, sizeof(*names));
	kinds = calloc(max, sizeof(*kinds));
	if (cols == NULL || names == NULL || kinds == NULL) {
		rc = ENOMEM;
		goto done;
	}
	if (spec != NULL) {
		const char *s = spec, *comma;

		while (*s != '\0') {
			size_t len;

			comma = strchr(s, ',');
			len = comma ? (size_t)(comma - s) : strlen(s);
			f = crm_field_find(e, s, len);
			if (f >= 0) {
				cols[n].field = f;
				names[n] = e->fields[f].name;
				kinds[n] = crm_field_kind(&e->fields[f]);
				n++;
			} else {
				int found = 0;

				for (p = store->p, i = 0; i < ncust; i++,
				    p += strlen(p) + 1)
					if (strlen(p) == len && memcmp(p, s, len) == 0) {
						cols[n].field = -1;
						cols[n].custom = p;
						names[n] = p;
						kinds[n] = CRM_K_STR;
						n++;
						found = 1;
						break;
					}
				if (!found) {
					rc = crm_seterr(CRM_EUSAGE,
					    "--fields: no field '%.*s' in %s",
					    (int)len, s, e->plural);
					goto done;
				}
			}
			s += len;
			if (*s == ',')
				s++;
		}
	} else {
		for (f = 0; f < e->nfields; f++) {
			if (table && !(e->fields[f].flags & CRM_F_BRIEF))
				continue;
			cols[n].field = f;
			names[n] = e->fields[f].name;
			kinds[n] = crm_field_kind(&e->fields[f]);
			n++;
		}
		for (p = store->p, i = 0; i < ncust && !table; i++,
		    p += strlen(p) + 1) {
			cols[n].field = -1;
			cols[n].custom = p;
			names[n] = p;
			kinds[n] = CRM_K_STR;
			n++;
		}
	}
done:
	if (rc != 0) {
		free(cols);
		free(names);
		free(kinds);
		return rc;
	}
	*colsp = cols;
	*namesp = names;
	*kindsp = kinds;
	*np = n;
	return 0;
}

int
crm_open_input(const char *name, int again, FILE **fpp)
{
	FILE *fp, *tmp;
	char buf[65536];
	size_t n;
	int rc;

	*fpp = NULL;
	if (strcmp(name, "-") != 0) {
		fp = fopen(name, "rb");
		if (fp == NULL)
			return crm_seterr(errno == ENOENT ? CRM_ENOINPUT :
			    errno == EACCES ? CRM_EPERM : errno,
			    "cannot open %s: %s", name, strerror(errno));
		*fpp = fp;
		return 0;
	}
	if (!again || fseeko(stdin, 0, SEEK_CUR) == 0) {
		*fpp = stdin;
		return 0;
	}
	/* A pipe cannot be read twice: keep a copy in a temporary file. */
	rc = crm_tmpfile(&tmp);
	if (rc != 0)
		return rc;
	while ((n = fread(buf, 1, sizeof(buf), stdin)) > 0)
		if (fwrite(buf, 1, n, tmp) != n) {
			fclose(tmp);
			return crm_seterr(EIO, "cannot spool standard input: %s",
			    strerror(errno));
		}
	if (ferror(stdin)) {
		fclose(tmp);
		return crm_seterr(EIO, "read error on standard input");
	}
	rewind(tmp);
	*fpp = tmp;
	return 0;
}

static time_t last_progress;
static int progress_shown;

void
crm_progress(const char *what, size_t done, size_t total)
{
	time_t now;

	if (!isatty(STDERR_FILENO))
		return;
	now = time(NULL);
	if (now == last_progress && done != total)
		return;
	last_progress = now;
	progress_shown = 1;
	if (total > 0)
		fprintf(stderr, "\r%s: %zu/%zu (%zu%%)", what, done, total,
		    done * 100 / total);
	else
		fprintf(stderr, "\r%s: %zu", what, done);
}

void
crm_progress_end(void)
{
	if (progress_shown && isatty(STDERR_FILENO))
		fputs("\r\033[K", stderr);
	progress_shown = 0;
}
