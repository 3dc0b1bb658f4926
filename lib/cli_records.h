/*
 * cli_records.h — the record commands every tool shares (list, show,
 * add, set, tag, delete, history, undo), written once over the schema
 * so crm-customer, crm-lead, crm-deal and crm-ticket differ only in
 * their tables and their own business verbs.  Tool support: prints.
 */
#ifndef CRM_CLI_RECORDS_H
#define CRM_CLI_RECORDS_H

#include "cli.h"

/* Records of e per --where/--sort/--limit/--fields/--format; extra
 * conditions (not NULL) are added to the user's. */
int crm_cli_list(struct crm_ctx *ctx, const struct crm_entity *e,
    const char *const *extra, size_t nextra);

/*
 * A small computed table (stage history, a balance): ncols names and
 * kinds, then cells appended row by row with crm_grid_add.
 */
struct crm_grid {
	const char *const *names;
	const enum crm_kind *kinds;
	size_t ncols, ncells;
	struct crm_buf text;	/* the cells, each NUL-terminated */
};
int crm_grid_add(struct crm_grid *g, const char *s, size_t len);

/*
 * Records of e under a parent named by ctx->argv[0] (when given): those
 * whose field `field` refers to it, as in "invoice list DEAL"; all of
 * them without an argument.
 */
int crm_cli_list_of(struct crm_ctx *ctx, const struct crm_entity *e,
    const char *field);

/* A related section of a show: records of `of` referring to the shown
 * record (those meeting the --where expression `where`, when set),
 * sorted by field `sort` (descending when desc), at most limit (0: all)
 * — or, when compute is set, the grid it fills. */
struct crm_section {
	const char *entity;
	const char *title;
	const char *sort;
	int desc;
	size_t limit;
	int (*compute)(struct crm_txn *, const struct crm_rec *,
	    struct crm_grid *);
	const char *where;
};

/* Shows the record named by ctx->argv[0], then its sections. */
int crm_cli_show(struct crm_ctx *ctx, const struct crm_entity *e,
    const struct crm_section *sections, size_t nsections);

/*
 * Creates records: "-" reads rows from stdin (all or nothing); else the
 * arguments are FIELD=VALUE pairs, a first argument without '=' being
 * the title field (preset, when not NULL, names fields fixed by the
 * command, such as the customer of a contact).  Prints new ids.
 */
int crm_cli_add(struct crm_ctx *ctx, const struct crm_entity *e,
    char **args, int nargs, const char *const *preset, size_t npreset);

/* Changes records: REF FIELD=VALUE…, or "-" reading rows that name
 * their record by id or a unique field. */
int crm_cli_set(struct crm_ctx *ctx, const struct crm_entity *e);

/* Tags: REF… (or -) followed by +word / -word. */
int crm_cli_tag(struct crm_ctx *ctx, const struct crm_entity *e);

/* Deletes REF… (or -).  Records still referred to are refused unless
 * --force, which also deletes the dependants of the entities named in
 * cascade (contacts, activities); others always block. */
int crm_cli_delete(struct crm_ctx *ctx, const struct crm_entity *e,
    const char *const *cascade, size_t ncascade);

/* The audit trail of one record. */
int crm_cli_history(struct crm_ctx *ctx, const struct crm_entity *e);

/* Reverses a change (ctx->argv[0]); --force past later edits. */
int crm_cli_undo(struct crm_ctx *ctx);

/*
 * One write over the records named by the first nargs arguments (or
 * "-": ids read from stdin): fn(tx, id, arg) for each, in one
 * transaction, returning 1 for a record it left as it was.  The ids are
 * read once, since crm_write may run the transaction again; afterwards
 * n counts the records named and changed those fn changed.
 */
struct crm_each {
	const struct crm_entity *e;
	int nargs;
	int (*fn)(struct crm_txn *tx, uint64_t id, void *arg);
	void *arg;
	size_t n, changed;
	uint64_t *ids;		/* private */
	int read;
};
int crm_cli_each(struct crm_ctx *ctx, struct crm_each *each);

/*
 * Handlers for command-table rows that are a plain record verb on the
 * row's entity (the table's `entity`), with nothing of their own:
 * "add", "list" and "set".
 */
int crm_cmd_add(struct crm_ctx *ctx);
int crm_cmd_list(struct crm_ctx *ctx);
int crm_cmd_set(struct crm_ctx *ctx);

/* Resolves a reference argument within a transaction. */
int crm_cli_ref(struct crm_txn *tx, const struct crm_entity *e,
    const char *arg, uint64_t *id);

/* Reads ids (any row format with an id, ext_id or unique column) from
 * stdin when args is just "-", else resolves args; *ids is malloc'd. */
int crm_cli_refs(struct crm_ctx *ctx, struct crm_txn *tx,
    const struct crm_entity *e, char **args, int nargs, uint64_t **ids,
    size_t *n);

/*
 * A row of mixed values for crm_out_row: record fields, text and
 * numbers appended in column order, then written with crm_row_emit
 * (which also empties it for the next row).
 */
#define CRM_ROW_MAX 32
struct crm_row_out {
	struct crm_buf b;
	size_t off[CRM_ROW_MAX + 1];
	size_t n;
};
int crm_row_field(struct crm_row_out *row, const struct crm_rec *r,
    const char *field);
int crm_row_text(struct crm_row_out *row, const char *s, size_t len);
int crm_row_int(struct crm_row_out *row, int64_t v);
int crm_row_money(struct crm_row_out *row, int64_t minor, int exponent);
int crm_row_emit(struct crm_row_out *row, struct crm_out *out);
void crm_row_free(struct crm_row_out *row);

/* Writes one record (or a JSON object with sections) — used by show. */
int crm_cli_print_records(struct crm_ctx *ctx, struct crm_txn *tx,
    const struct crm_entity *e, const uint64_t *ids, size_t n);

#endif
