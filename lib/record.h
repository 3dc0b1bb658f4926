/*
 * record.h — a record of any entity in memory, its text forms, and the
 * compact binary encoding stored in LMDB.
 *
 * A record holds one struct crm_val per schema field plus custom fields.
 * Numeric types (int, money, date, time, bool, ref) keep their value in
 * .i; text types point at .s/.len.  Strings are either owned by the
 * record's arena or, after crm_rec_decode(..., CRM_DECODE_BORROW),
 * borrowed from the LMDB map: valid only until the end of the read
 * transaction (or the next write in a write transaction).
 *
 * Encoding (version 1): a 0x01 byte, then for each set field a varint
 * field number + 1 and its payload — zigzag varint for int, money, date
 * and time; varint for bool and ref; varint length + bytes for text —
 * then custom fields as a 0 varint, name and value as length + bytes.
 * No JSON and no parsing of text on the read path.
 */
#ifndef CRM_RECORD_H
#define CRM_RECORD_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "schema.h"

enum crm_vstate {
	CRM_V_EMPTY = 0,
	CRM_V_SET,
	CRM_V_PENDING,	/* text not yet converted: money waiting for its
			 * currency, a reference waiting for a lookup */
};

struct crm_val {
	int64_t i;
	const char *s;
	uint32_t len;
	uint8_t state;
};

struct crm_custom {
	const char *name;
	const char *s;
	uint32_t nlen, len;
};

struct crm_arena_blk;
struct crm_prep;

struct crm_rec {
	const struct crm_entity *ent;
	uint64_t id;
	struct crm_val *v;		/* ent->nfields entries */
	struct crm_custom *cust;
	size_t ncust, capcust;
	struct crm_arena_blk *arena;
	const struct crm_prep *prep;	/* work done ahead for crm_insert
					 * (store.h); NULL after a reset */
	struct crm_buf scratch;		/* for set_tags */
};

/* Allocates an empty record of entity e; NULL when out of memory.
 * Free with crm_rec_free. */
struct crm_rec *crm_rec_new(const struct crm_entity *e);
void crm_rec_free(struct crm_rec *r);
/* Empties r for reuse, keeping its allocations. */
void crm_rec_reset(struct crm_rec *r);
/* Copies src into dst (same entity), owning every string. */
int crm_rec_copy(struct crm_rec *dst, const struct crm_rec *src);

/*
 * Sets field name (built-in or custom) from its text form.  Empty text
 * clears it.  crm_rec_set checks the text is UTF-8 without NUL;
 * crm_rec_setf trusts its caller for that (the readers check every
 * field already, and a million-row import should not check twice).  Built-in values are checked and converted at once, except
 * money and references (CRM_V_PENDING until crm_rec_resolve).
 * Returns 0, CRM_EDATA with detail "field 'x': …", or ENOMEM.
 * System fields (id, updated_at) are refused unless allow_system.
 */
int crm_rec_set(struct crm_rec *r, const char *name, size_t nlen,
    const char *text, size_t len, int64_t now, int allow_system);
int crm_rec_setf(struct crm_rec *r, int field, const char *text, size_t len,
    int64_t now);
/*
 * crm_rec_setf that may keep text by reference instead of copying it
 * into r: the caller keeps the bytes, and the one after them, unchanged
 * for as long as r holds the value (an import's row, whose buffer
 * belongs to the same slot as the record).
 */
int crm_rec_setf_ref(struct crm_rec *r, int field, const char *text,
    size_t len, int64_t now);
void crm_rec_setint(struct crm_rec *r, int field, int64_t v);

/* Field f holds the same value in a and b (both of one entity). */
int crm_rec_same(const struct crm_rec *a, const struct crm_rec *b, int f);

/* Custom field value of r, or NULL. */
const struct crm_custom *crm_rec_custom(const struct crm_rec *r,
    const char *name, size_t nlen);

/*
 * Adds (+word) or removes (-word) a tag; returns 1 when the set changed,
 * 0 when not, or an error.
 */
int crm_rec_tag(struct crm_rec *r, int field, const char *word, size_t len,
    int add);
/* True when the tags field holds word. */
int crm_tags_has(const char *tags, size_t len, const char *word, size_t wlen);

/*
 * Appends the text form of field to out (money at its currency's
 * exponent, dates as YYYY-MM-DD, timestamps as YYYY-MM-DDTHH:MM:SSZ).
 * Nothing is appended for an empty field.
 */
int crm_rec_text(const struct crm_rec *r, int field, struct crm_buf *out);

/* Minor-unit exponent of r's money fields. */
int crm_rec_exponent(const struct crm_rec *r);

/* Converts pending money (needs the currency set first). */
int crm_rec_finish_money(struct crm_rec *r);

/* Encodes r (without its id) into out, replacing out's contents. */
int crm_rec_encode(const struct crm_rec *r, struct crm_buf *out);
/*
 * The same encoding in two parts, for a caller that makes the fields
 * from "from" on ahead of time: crm_rec_encode_head(r, k, out), then
 * crm_rec_encode_tail(r, k, out), gives crm_rec_encode(r, out).  The
 * head replaces out's contents; the tail (custom fields included) is
 * appended.
 */
int crm_rec_encode_head(const struct crm_rec *r, int to, struct crm_buf *out);
int crm_rec_encode_tail(const struct crm_rec *r, int from,
    struct crm_buf *out);

enum { CRM_DECODE_BORROW = 0, CRM_DECODE_COPY = 1 };
/* Decodes data into r (reset first); CRM_ECORRUPT on bad bytes. */
int crm_rec_decode(struct crm_rec *r, uint64_t id, const void *data,
    size_t len, int copy);
/*
 * Decodes only the fields whose bit (1 << field number) is in mask, and
 * custom fields when customs is set; the rest are left empty.  A scan
 * tests its filter on this, then decodes the survivors whole.
 */
int crm_rec_decode_some(struct crm_rec *r, uint64_t id, const void *data,
    size_t len, uint64_t mask, int customs);

/* Arena allocation owned by r, freed by crm_rec_reset/crm_rec_free. */
void *crm_rec_alloc(struct crm_rec *r, size_t n);
char *crm_rec_strdup(struct crm_rec *r, const char *s, size_t len);

#endif
