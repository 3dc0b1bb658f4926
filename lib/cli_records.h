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

/* A related section of a show: records of `of` referring to the shown
 * record, sorted by field `sort` (descending when desc), at most limit
 * (0: all). */
struct crm_section {
	const char *entity;
	const char *title;
	const char *sort;
	int desc;
	size_t limit;
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

/* Resolves a reference argument within a transaction. */
int crm_cli_ref(struct crm_txn *tx, const struct crm_entity *e,
    const char *arg, uint64_t *id);

/* Reads ids (any row format with an id, ext_id or unique column) from
 * stdin when args is just "-", else resolves args; *ids is malloc'd. */
int crm_cli_refs(struct crm_ctx *ctx, struct crm_txn *tx,
    const struct crm_entity *e, char **args, int nargs, uint64_t **ids,
    size_t *n);

/* Writes one record (or a JSON object with sections) — used by show. */
int crm_cli_print_records(struct crm_ctx *ctx, struct crm_txn *tx,
    const struct crm_entity *e, const uint64_t *ids, size_t n);

#endif
