/*
 * import.h — bulk load of any entity from CSV, TSV, JSON or NDJSON:
 * header mapping, validation, ordered match rules with normalisation,
 * one outcome per row (created, updated, unchanged, skipped, rejected),
 * all-or-nothing or batched commits, and undo of a whole import.
 *
 * The engine never prints: every row's outcome goes to a report
 * callback (for --dry-run plans and --reject files), progress to a
 * progress callback.  Writes run in crm_write callbacks, which may be
 * run again after the map grows; each event carries the attempt number,
 * and a reporter that sees it change must drop what it kept of the
 * earlier attempt (rows from the last committed batch on are replayed).
 */
#ifndef CRM_IMPORT_H
#define CRM_IMPORT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "db.h"
#include "input.h"
#include "schema.h"

enum crm_on_match { CRM_ONMATCH_UPDATE, CRM_ONMATCH_SKIP, CRM_ONMATCH_ERROR };
enum crm_on_new { CRM_ONNEW_CREATE, CRM_ONNEW_SKIP, CRM_ONNEW_ERROR };
enum crm_outcome { CRM_ROW_CREATED, CRM_ROW_UPDATED, CRM_ROW_UNCHANGED,
	CRM_ROW_SKIPPED, CRM_ROW_REJECTED };

/* Name of an outcome: "created", "updated", … */
const char *crm_outcome_name(enum crm_outcome o);

#define CRM_MATCH_ID (-2)	/* a match rule on the record id */
#define CRM_IMPORT_MAXRULES 8

struct crm_import_event {
	const char *file;	/* input name as given ("-" is "<stdin>") */
	size_t line;
	enum crm_outcome outcome;
	uint64_t id;		/* record created, updated or matched */
	const char *reason;	/* why rejected or skipped, else NULL */
	const struct crm_row *row;	/* the input row (borrowed) */
	int attempt;
};

struct crm_import_input {
	FILE *fp;		/* rewindable (a file, or stdin spooled) */
	const char *name;
};

struct crm_import {
	const struct crm_entity *ent;
	/* --map SOURCE=FIELD pairs (SOURCE is an input column name) */
	const char *const *map_from;
	const char *const *map_to;
	size_t nmap;
	int strict;		/* unmapped unknown columns are an error */
	int match[CRM_IMPORT_MAXRULES];	/* field numbers or CRM_MATCH_ID */
	size_t nmatch;		/* 0: every unique field of the entity */
	enum crm_on_match on_match;
	enum crm_on_new on_new;
	int skip_invalid;	/* write the valid rows, reject the rest */
	int dry_run;		/* report the plan, write nothing */
	int empty_clears;	/* an empty value clears the field on update */
	size_t batch;		/* commit every batch rows; 0: all at once */
	enum crm_infmt fmt;
	const char *const *preset;	/* FIELD=VALUE set on every row */
	size_t npreset;
	int (*report)(void *arg, const struct crm_import_event *ev);
	void (*progress)(void *arg, size_t rows, uint64_t bytes,
	    uint64_t total);
	void (*committed)(void *arg);	/* after each commit */
	void *arg;
};

struct crm_import_stats {
	size_t read, created, updated, unchanged, skipped, rejected;
	uint64_t batch;		/* the import's batch id (0 on a dry run) */
	size_t commits;
	size_t unwritten;	/* of skipped: valid rows of a rolled-back
				 * transaction */
};

/*
 * Runs an import of inputs[0..n).  Returns 0; CRM_EDATA when rows were
 * rejected without skip_invalid (nothing written, or with a batch size
 * everything up to the batch that failed) or a header cannot be mapped
 * (with detail); or a storage error.  *st is filled in either case.
 */
int crm_import_run(struct crm_db *db, const struct crm_import *opt,
    const struct crm_import_input *inputs, size_t n,
    struct crm_import_stats *st);

/* Parses "email,phone,ext_id" (and "id") into opt->match. */
int crm_import_match_parse(struct crm_import *opt, const char *spec);

/*
 * Reverses every change of a batch, newest first, in one transaction.
 * A record changed since is refused unless force (see crm_undo).
 */
int crm_import_undo(struct crm_db *db, uint64_t batch, int force,
    size_t *entries);

/* One past import, for --batches. */
struct crm_batch_info {
	uint64_t batch;
	int64_t at;
	char user[64], entity[32], files[256];
	size_t read, created, updated, unchanged, skipped, rejected;
	int undone;
};
int crm_import_batches(struct crm_db *db,
    int (*fn)(const struct crm_batch_info *, void *), void *arg);

#endif
