/*
 * filter.h — selection of records: --where conditions, --sort keys and
 * --limit, evaluated over records of one entity.
 *
 * A condition is FIELD OP VALUE with OP one of = != < <= > >= ~ (case-
 * insensitive substring); "a|b" after = or != means one of; an empty
 * value means the field is empty; tags=vip means "has the tag".  Values
 * are parsed as the field's type, so dates may be relative (-30d) and
 * money is compared exactly.  Custom fields compare as text.
 */
#ifndef CRM_FILTER_H
#define CRM_FILTER_H

#include <stddef.h>
#include <stdint.h>

#include "db.h"
#include "record.h"

enum crm_op { CRM_OP_EQ, CRM_OP_NE, CRM_OP_LT, CRM_OP_LE, CRM_OP_GT,
	CRM_OP_GE, CRM_OP_MATCH };

struct crm_cond;

struct crm_filter {
	const struct crm_entity *ent;
	struct crm_cond *conds;
	size_t n;
};

/* Initialises f for entity e. */
void crm_filter_init(struct crm_filter *f, const struct crm_entity *e);
void crm_filter_free(struct crm_filter *f);

/*
 * Parses one --where expression and adds it.  References are resolved
 * in tx (may be NULL when none are used).  CRM_EUSAGE with detail on a
 * bad expression, unknown operator, or a value that is not of the
 * field's type.
 */
int crm_filter_add(struct crm_filter *f, struct crm_txn *tx,
    const char *expr, int64_t now);

/* The fields the conditions read (bits by field number; the currency
 * with any money field), and whether any reads a custom field. */
void crm_filter_fields(const struct crm_filter *f, uint64_t *mask,
    int *customs);

/* True when r meets every condition. */
int crm_filter_match(const struct crm_filter *f, const struct crm_rec *r);

/*
 * A condition the store can answer from an index (field = one value on
 * a unique or indexed field, or tags=word): its field and text, or -1.
 */
int crm_filter_indexable(const struct crm_filter *f, const char **text,
    size_t *len);

/* Sort keys: "[-]field[,[-]field…]". */
struct crm_sort {
	int field[8];		/* field number, or -1 for custom */
	const char *custom[8];
	int desc[8];
	size_t n;
};
int crm_sort_parse(struct crm_sort *s, const struct crm_entity *e,
    const char *spec);
/* Compares two records by the keys; empty values sort last. */
int crm_sort_cmp(const struct crm_sort *s, const struct crm_rec *a,
    const struct crm_rec *b);

#endif
