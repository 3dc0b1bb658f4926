/*
 * schema.h — the one description of every entity: its fields, their
 * types, which are required, unique or indexed, and what they refer to.
 * Validation, parsing, the record codec, indexes, filters, output
 * columns and help text are all driven from these tables.
 *
 * Field numbers are the position in the entity's table and are stored in
 * every encoded record: append new fields at the end, never reorder or
 * remove one without bumping CRM_SCHEMA_VERSION and migrating.
 */
#ifndef CRM_SCHEMA_H
#define CRM_SCHEMA_H

#include <stddef.h>
#include <stdint.h>

#define CRM_SCHEMA_VERSION 3	/* 2: runs of creations in the audit log;
				 * 3: non-unique indexes in blocks of ids */

enum crm_type {
	CRM_T_TEXT,
	CRM_T_INT,
	CRM_T_MONEY,	/* integer minor units; currency in another field */
	CRM_T_DATE,	/* days since 1970-01-01 */
	CRM_T_TIME,	/* seconds since the epoch, UTC */
	CRM_T_BOOL,
	CRM_T_ENUM,	/* text from a fixed list */
	CRM_T_REF,	/* id of a record of another entity */
	CRM_T_TAGS,	/* a set of words, ';'-separated in text */
	CRM_T_EMAIL,
	CRM_T_PHONE,
	CRM_T_CURRENCY,	/* ISO 4217 code */
};

enum {
	CRM_F_REQUIRED = 1 << 0,
	CRM_F_UNIQUE = 1 << 1,	/* unique key: index, matching, ext refs */
	CRM_F_INDEX = 1 << 2,	/* non-unique secondary index */
	CRM_F_SYSTEM = 1 << 3,	/* set by crm, not by users (id, updated_at) */
	CRM_F_BRIEF = 1 << 4,	/* shown in the default table view */
};

struct crm_field {
	const char *name;
	enum crm_type type;
	unsigned flags;
	const char *help;
	const char *const *values;	/* CRM_T_ENUM: NULL-terminated */
	const char *ref;		/* CRM_T_REF: entity name */
	const char *dflt;		/* value given on create when absent */
	int64_t min, max;		/* CRM_T_INT bounds when min < max */
};

struct crm_entity {
	const char *name;		/* "customer" */
	const char *plural;		/* "customers" */
	int num;			/* stable small number, in audit keys */
	const struct crm_field *fields;
	int nfields;
	int currency;			/* field number of the currency, or -1 */
	int title;			/* field number shown as the record's name */
};

/* Field numbers every entity shares, in this order. */
enum { CRM_FLD_ID = 0, CRM_FLD_CREATED = 1, CRM_FLD_UPDATED = 2 };

extern const struct crm_entity *const crm_entities[];
extern const int crm_nentities;

/* Lookups; NULL or -1 when absent. */
const struct crm_entity *crm_entity_find(const char *name);
const struct crm_entity *crm_entity_bynum(int num);
int crm_field_find(const struct crm_entity *e, const char *name, size_t len);
/* Whether e has a built-in field of type t. */
int crm_entity_has_type(const struct crm_entity *e, enum crm_type t);
/* A bit (1 << f) per built-in field f of e with a default. */
uint64_t crm_entity_defaults(const struct crm_entity *e);

/* Types held as a number (int, money, date, time, bool, ref). */
int crm_type_numeric(enum crm_type t);

/* Name of a type, for help and messages ("date", "money"). */
const char *crm_type_name(enum crm_type t);

/*
 * Custom field names: 1 to 64 bytes of valid UTF-8, no controls, and none
 * of = , ; | < > ! ~ so they can be used in --where and --fields.
 */
int crm_custom_name_ok(const char *s, size_t len);

#endif
