/*
 * fuzz_decode.c — the record codec on bytes that did not come from it,
 * as a damaged database would hand them over.
 *
 * For every entity, crm_rec_decode (borrowing and copying) must return 0
 * or CRM_ECORRUPT, the same both ways, and never read outside the bytes
 * (they are handed over in a buffer of exactly their size).  When it
 * returns 0:
 *   - the record prints (crm_rec_text on every field);
 *   - re-encoding and decoding again gives a record that prints the
 *     same, and encoding that gives the same bytes (a fixed point);
 *   - crm_rec_decode_some also succeeds for several masks, and gives
 *     exactly the fields in the mask (equal to the full decode) and
 *     nothing else, custom fields only when asked.
 * When crm_rec_decode refuses the bytes, crm_rec_decode_some may still
 * accept them (it steps over fields it does not want), but must not
 * crash.
 */
#include <errno.h>

#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int
same_val(const struct crm_val *a, const struct crm_val *b)
{
	if (a->state != b->state || a->i != b->i || a->len != b->len)
		return 0;
	if ((a->s == NULL) != (b->s == NULL))
		return 0;
	return a->s == NULL || a->len == 0 || memcmp(a->s, b->s, a->len) == 0;
}

/*
 * True when crm_rec_text may be asked for this record.  A date or time
 * that no parser produces (outside years 1-9999) can still be decoded
 * from damaged bytes; printing it is known to overflow (see known.txt,
 * "decode-date-range"), so while that is open such records are only
 * decoded, not printed.
 */
static int
printable(const struct crm_rec *r)
{
	int f;

	if (!fuzz_known("decode-date-range"))
		return 1;
	for (f = 0; f < r->ent->nfields; f++) {
		enum crm_type t = r->ent->fields[f].type;
		int64_t v = r->v[f].i;

		if (r->v[f].state != CRM_V_SET)
			continue;
		if (t == CRM_T_DATE && (v < -1000000000 || v > 1000000000))
			return 0;
		if (t == CRM_T_TIME && (v < -((int64_t)1 << 60) ||
		    v > ((int64_t)1 << 60)))
			return 0;
	}
	return 1;
}

static void
one_entity(const struct crm_entity *e, const char *bytes, size_t size,
    uint64_t seedmask)
{
	struct crm_rec *r = crm_rec_new(e), *b = crm_rec_new(e),
	    *p = crm_rec_new(e);
	struct crm_buf enc = CRM_BUF_INIT, enc2 = CRM_BUF_INIT;
	struct crm_buf d1 = CRM_BUF_INIT, d2 = CRM_BUF_INIT;
	const uint64_t masks[] = { UINT64_MAX, 0, 1, seedmask, ~seedmask };
	size_t k, c;
	int rc, rcb, f, customs, show;

	if (r == NULL || b == NULL || p == NULL)
		goto done;
	rcb = crm_rec_decode(b, 7, bytes, size, CRM_DECODE_BORROW);
	rc = crm_rec_decode(r, 7, bytes, size, CRM_DECODE_COPY);
	if (rc == ENOMEM || rcb == ENOMEM)
		goto done;
	FUZZ_CHECK(rc == 0 || rc == CRM_ECORRUPT, "%s: crm_rec_decode: rc %d",
	    e->name, rc);
	FUZZ_CHECK(rc == rcb, "%s: copying gives rc %d, borrowing %d",
	    e->name, rc, rcb);
	if (rc != 0) {
		/* Only: no crash, no over-read. */
		for (k = 0; k < sizeof(masks) / sizeof(masks[0]); k++) {
			rc = crm_rec_decode_some(p, 7, bytes, size, masks[k],
			    (int)(k & 1));
			FUZZ_CHECK(rc == 0 || rc == CRM_ECORRUPT || rc == ENOMEM,
			    "%s: crm_rec_decode_some: rc %d", e->name, rc);
		}
		goto done;
	}
	FUZZ_CHECK(r->id == 7 && r->v[CRM_FLD_ID].i == 7, "%s: id %llu",
	    e->name, (unsigned long long)r->id);
	for (f = 0; f < e->nfields; f++)
		FUZZ_CHECK(same_val(&r->v[f], &b->v[f]), "%s: field '%s' "
		    "differs between copy and borrow", e->name,
		    e->fields[f].name);
	FUZZ_CHECK(r->ncust == b->ncust, "%s: customs", e->name);

	/* Encode, decode again: the same record; encode: the same bytes. */
	show = printable(r);
	if (show)
		fuzz_rec_dump(r, &d1);
	rc = crm_rec_encode(r, &enc);
	if (rc == ENOMEM)
		goto done;
	FUZZ_CHECK(rc == 0, "%s: re-encoding a decoded record: rc %d (%s)",
	    e->name, rc, crm_errdetail(rc));
	rc = crm_rec_decode(b, 7, enc.p, enc.len, CRM_DECODE_BORROW);
	FUZZ_CHECK(rc == 0, "%s: our own encoding of a decoded record "
	    "does not decode: rc %d", e->name, rc);
	if (show) {
		fuzz_rec_dump(b, &d2);
		FUZZ_SAME(&d1, &d2, "decoded records");
	}
	rc = crm_rec_encode(b, &enc2);
	FUZZ_CHECK(rc == 0 || rc == ENOMEM, "encode: rc %d", rc);
	if (rc == 0)
		FUZZ_SAME(&enc, &enc2, "encodings");

	/* Partial decodes: the fields asked for, as decoded whole. */
	for (k = 0; k < sizeof(masks) / sizeof(masks[0]); k++) {
		customs = (int)(k & 1);
		rc = crm_rec_decode_some(p, 7, bytes, size, masks[k], customs);
		if (rc == ENOMEM)
			continue;
		FUZZ_CHECK(rc == 0, "%s: crm_rec_decode accepts but "
		    "crm_rec_decode_some(mask %#llx) gives rc %d", e->name,
		    (unsigned long long)masks[k], rc);
		for (f = 1; f < e->nfields; f++) {
			int want = f >= 64 || (masks[k] >> f & 1);

			if (want)
				FUZZ_CHECK(same_val(&p->v[f], &r->v[f]), "%s: "
				    "field '%s' decoded alone differs", e->name,
				    e->fields[f].name);
			else
				FUZZ_CHECK(p->v[f].state == CRM_V_EMPTY, "%s: "
				    "field '%s' decoded though not asked for",
				    e->name, e->fields[f].name);
		}
		FUZZ_CHECK(p->ncust == (customs ? r->ncust : 0), "%s: %zu "
		    "custom fields decoded, %zu in the record, customs %d",
		    e->name, p->ncust, r->ncust, customs);
		for (c = 0; c < p->ncust; c++)
			FUZZ_CHECK(p->cust[c].nlen == r->cust[c].nlen &&
			    p->cust[c].len == r->cust[c].len &&
			    memcmp(p->cust[c].name, r->cust[c].name,
			    p->cust[c].nlen) == 0 && memcmp(p->cust[c].s,
			    r->cust[c].s, p->cust[c].len) == 0,
			    "%s: custom field %zu differs", e->name, c);
	}
done:
	crm_rec_free(r);
	crm_rec_free(b);
	crm_rec_free(p);
	crm_buf_free(&enc);
	crm_buf_free(&enc2);
	crm_buf_free(&d1);
	crm_buf_free(&d2);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint64_t h = 0xcbf29ce484222325ULL;
	char *bytes = malloc(size ? size : 1);
	size_t i;
	int e;

	if (bytes == NULL)
		return 0;
	if (size > 0)
		memcpy(bytes, data, size);
	for (i = 0; i < size; i++)
		h = (h ^ data[i]) * 0x100000001b3ULL;
	for (e = 0; e < crm_nentities; e++)
		one_entity(crm_entities[e], bytes, size, h);
	crm_clearerr();
	free(bytes);
	return 0;
}
