/*
 * cli.h — tool support for the programs in cmd/: option tables, parsing,
 * --help, --list-options (for completions and the man-page check),
 * messages, output set-up and exit statuses.  Only cmd/ uses this; the
 * rest of lib/ never prints or exits.
 *
 * Each program describes itself with one struct crm_tool: its
 * subcommands, each with a handler, the option groups it takes (shared
 * groups such as crm_opts_output are fragments, not copies), its
 * arguments and whether it reads or writes the database.  crm_main()
 * does the rest: parses, prints help, opens the database once (read-only
 * where the table says so), runs the handler, flushes stdout and maps
 * the result to the exit status of DESIGN.md.
 */
#ifndef CRM_CLI_H
#define CRM_CLI_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "crm.h"

enum { CRM_ARG_NONE = 0, CRM_ARG_REQ = 1 };
enum { CRM_OPT_MULTI = 1 };	/* may be given more than once */

struct crm_option {
	const char *name;		/* long name, without -- */
	int shortopt;			/* 0 for none */
	int arg;			/* CRM_ARG_NONE or CRM_ARG_REQ */
	const char *argname;		/* "FILE" */
	const char *help;
	unsigned flags;
	const char *const *choices;	/* values, for help and completion */
	const char *complete;		/* "file", "dir", "field" or NULL */
};
#define CRM_OPT_END { NULL, 0, 0, NULL, NULL, 0, NULL, NULL }

enum { CRM_DB_NONE, CRM_DB_READ, CRM_DB_WRITE };

struct crm_ctx;

struct crm_cmd {
	const char *name;
	int (*run)(struct crm_ctx *);
	const struct crm_option *const *groups;	/* NULL-terminated */
	const char *args;		/* "ID [FIELD=VALUE]..." */
	const char *summary;
	int db;
	int minargs, maxargs;		/* maxargs -1: any number */
	const char *entity;		/* fields listed in --help, or NULL */
	unsigned flags;
};

/* "-word" arguments are data (tag -vip), not options (but -h). */
#define CRM_CMD_DASHWORDS 1u

struct crm_tool {
	const char *name;		/* "crm-customer" */
	const char *summary;
	const struct crm_cmd *cmds;	/* ends with a NULL name */
};

struct crm_ctx {
	const struct crm_tool *tool;
	const struct crm_cmd *cmd;
	int argc;			/* positional arguments */
	char **argv;
	struct crm_db *db;		/* opened per cmd->db, else NULL */
	int64_t now;
	const char *user;		/* use crm_ctx_user(): set lazily */
	/* parsed options, parallel to opts */
	const struct crm_option **opts;
	char ***vals;
	size_t *nvals;
	size_t nopts;
};

/* Shared option groups. */
extern const struct crm_option crm_opts_db[];
extern const struct crm_option crm_opts_output[];	/* -f, --excel, --no-header */
extern const struct crm_option crm_opts_fields[];	/* --fields */
extern const struct crm_option crm_opts_select[];
extern const struct crm_option crm_opts_input[];

/* Runs the tool; returns the exit status. */
int crm_main(const struct crm_tool *tool, int argc, char **argv);

/* Last value of option name (a flag gives ""), or NULL if not given. */
const char *crm_opt(const struct crm_ctx *ctx, const char *name);
/* All values of a repeatable option; *n counts them. */
char *const *crm_optv(const struct crm_ctx *ctx, const char *name,
    size_t *n);
/* An option given as a non-negative integer; CRM_EUSAGE when not. */
int crm_opt_int(const struct crm_ctx *ctx, const char *name, int64_t dflt,
    int64_t *out);

/* For a command that reads unless an option makes it write
 * (overdue --mark-reminded): reopens the database for writing. */
int crm_ctx_writable(struct crm_ctx *ctx);

/* Messages on stderr as "prog: message". */
void crm_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
const char *crm_progname(void);
/* The acting user: $CRM_USER, else the login name. */
const char *crm_ctx_user(struct crm_ctx *ctx);

/* Output writer per --format (table on a terminal, else csv), --excel,
 * --no-header, NO_COLOR. */
int crm_ctx_out(const struct crm_ctx *ctx, struct crm_out **out);
enum crm_fmt crm_ctx_format(const struct crm_ctx *ctx);

/*
 * Columns for records of e: --fields when given (CRM_EUSAGE on an
 * unknown name that is not a custom field in use), else every field
 * (brief ones only for a table) and the custom fields in use.
 * Allocates the columns, names and kinds for crm_out_columns; free all
 * three with free() (names point into the schema or into store).
 */
int crm_ctx_columns(const struct crm_ctx *ctx, struct crm_txn *tx,
    const struct crm_entity *e, struct crm_colspec **cols,
    const char ***names, enum crm_kind **kinds, size_t *n,
    struct crm_buf *store);

/*
 * Opens an input named by the user: "-" is stdin; a missing file is
 * CRM_ENOINPUT.  When rewind is set and stdin is not seekable, it is
 * copied to a temporary file so a write may be run again.
 */
int crm_open_input(const char *name, int again, FILE **fp);

/* A progress line on stderr, only when stderr is a terminal. */
void crm_progress(const char *what, size_t done, size_t total);
void crm_progress_end(void);

#endif
