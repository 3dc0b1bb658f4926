/*
 * fuzz_common.h — helpers shared by the libFuzzer targets in tests/fuzz.
 *
 * A broken invariant calls FUZZ_FAIL, which prints what broke and aborts,
 * so libFuzzer saves the input as a crash like any sanitizer report.
 * Expected failures (CRM_EDATA on bad input) are not findings; any other
 * return code where the library documents only those is.
 */
#ifndef CRM_FUZZ_COMMON_H
#define CRM_FUZZ_COMMON_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "error.h"
#include "record.h"
#include "schema.h"
#include "value.h"

#define FUZZ_FAIL(...) do { \
	fprintf(stderr, "\nFUZZ INVARIANT BROKEN at %s:%d: ", __FILE__, \
	    __LINE__); \
	fprintf(stderr, __VA_ARGS__); \
	fprintf(stderr, "\n"); \
	abort(); \
} while (0)

#define FUZZ_CHECK(cond, ...) do { \
	if (!(cond)) { \
		fprintf(stderr, "\nfailed: %s", #cond); \
		FUZZ_FAIL(__VA_ARGS__); \
	} \
} while (0)

/*
 * Known, reported and not yet fixed findings: a check tagged with a name
 * listed in $FUZZ_KNOWN (comma-separated; run.sh reads known.txt) is
 * skipped, so fuzzing can go on past it.  With FUZZ_KNOWN unset every
 * check runs: that is how `run.sh regress` shows what is still open.
 */
static inline int
fuzz_known(const char *name)
{
	static const char *list;
	static int init;
	const char *p;
	size_t n = strlen(name);

	if (!init) {
		list = getenv("FUZZ_KNOWN");
		init = 1;
	}
	for (p = list; p != NULL && *p != '\0'; p += strcspn(p, ",")) {
		p += strspn(p, ", ");
		if (strncmp(p, name, n) == 0 && (p[n] == '\0' || p[n] == ',' ||
		    p[n] == ' '))
			return 1;
	}
	return 0;
}

/*
 * UBSan stops at the first report (build.sh keeps UB checks recoverable
 * only so that $UBSAN_OPTIONS suppressions, ubsan.supp, can skip known
 * reports); $UBSAN_OPTIONS given at run time comes on top of these.
 */
const char *__ubsan_default_options(void);
const char *
__ubsan_default_options(void)
{
	return "halt_on_error=1:print_stacktrace=1:report_error_type=1";
}

/* True when a printed timestamp has a year outside 0001-9999. */
static inline int
fuzz_odd_year(const char *t, size_t len)
{
	size_t i;

	if (len != 20 || memcmp(t, "0000", 4) == 0)
		return 1;
	for (i = 0; i < 4; i++)
		if (t[i] < '0' || t[i] > '9')
			return 1;
	return 0;
}

/*
 * True when field f of r, printed as t[0..len), is a value a known open
 * bug cannot read back: a timestamp outside years 1-9999 (time-range),
 * a phone normal form starting "00" (phone-norm-00).
 */
static inline int
fuzz_known_value(const struct crm_rec *r, int f, const char *t, size_t len)
{
	enum crm_type type = r->ent->fields[f].type;

	if (type == CRM_T_TIME && fuzz_known("time-range") &&
	    fuzz_odd_year(t, len))
		return 1;
	if (type == CRM_T_PHONE && fuzz_known("phone-norm-00") && len >= 2 &&
	    memcmp(t, "00", 2) == 0)
		return 1;
	return 0;
}

/* True when some field of r is such a value, or a custom field's name
 * is one a known bug cannot read back. */
static inline int
fuzz_known_record(const struct crm_rec *r)
{
	struct crm_buf t = CRM_BUF_INIT;
	size_t i;
	int f, hit = 0;

	/* A custom field named with edge blanks, which CSV headers and
	 * --where trim (custom-name-blanks). */
	for (i = 0; i < r->ncust && !hit; i++)
		hit = r->cust[i].len > 0 && fuzz_known("custom-name-blanks") &&
		    (r->cust[i].name[0] == ' ' ||
		    r->cust[i].name[r->cust[i].nlen - 1] == ' ');
	for (f = 1; f < r->ent->nfields && !hit; f++) {
		if (r->v[f].state != CRM_V_SET)
			continue;
		crm_buf_reset(&t);
		if (crm_rec_text(r, f, &t) == 0)
			hit = fuzz_known_value(r, f, t.p ? t.p : "", t.len);
	}
	crm_buf_free(&t);
	return hit;
}

/* Out of memory is not a finding (libFuzzer's -rss_limit_mb says so). */
#define FUZZ_OK_OR_NOMEM(rc) do { \
	if ((rc) == ENOMEM) \
		return 0; \
} while (0)

/* A fixed "now" so relative dates are reproducible: 2026-11-23T12:34:56Z. */
static inline int64_t
fuzz_now(void)
{
	return crm_days_from_civil(2026, 11, 23) * 86400 + 12 * 3600 +
	    34 * 60 + 56;
}

static inline const struct crm_entity *
fuzz_entity(const char *name)
{
	const struct crm_entity *e = crm_entity_find(name);

	if (e == NULL)
		FUZZ_FAIL("no entity %s", name);
	return e;
}

/*
 * Appends the text form of every field of r ("name=text\n", with the
 * field's state) and of every non-empty custom field, in order, to out.
 * Two records with equal dumps say the same thing.
 */
static inline void
fuzz_rec_dump(const struct crm_rec *r, struct crm_buf *out)
{
	int f, rc;
	size_t i;

	crm_buf_reset(out);
	for (f = 0; f < r->ent->nfields; f++) {
		/* By hand, not crm_buf_printf: this runs for every field of
		 * every record, several times per input. */
		rc = crm_buf_adds(out, r->ent->fields[f].name);
		if (rc == 0)
			rc = crm_buf_addc(out, '[');
		if (rc == 0)
			rc = crm_buf_addc(out, '0' + (f == CRM_FLD_ID ? 1 :
			    r->v[f].state));
		if (rc == 0)
			rc = crm_buf_add(out, "]=", 2);
		if (rc == 0)
			rc = crm_rec_text(r, f, out);
		if (rc == 0)
			rc = crm_buf_addc(out, '\n');
		if (rc != 0)
			FUZZ_FAIL("crm_rec_text: rc %d (%s)", rc,
			    crm_errdetail(rc));
	}
	for (i = 0; i < r->ncust; i++) {
		if (r->cust[i].len == 0)
			continue;
		rc = crm_buf_addc(out, '+');
		if (rc == 0)
			rc = crm_buf_add(out, r->cust[i].name, r->cust[i].nlen);
		if (rc == 0)
			rc = crm_buf_addc(out, '=');
		if (rc == 0)
			rc = crm_buf_add(out, r->cust[i].s, r->cust[i].len);
		if (rc == 0)
			rc = crm_buf_addc(out, '\n');
		if (rc != 0)
			FUZZ_FAIL("dump: rc %d", rc);
	}
}

/* Prints two buffers that should have been equal, then aborts. */
#define FUZZ_SAME(a, b, what) do { \
	const struct crm_buf *fa_ = (a), *fb_ = (b); \
	if (fa_->len != fb_->len || \
	    (fa_->len > 0 && memcmp(fa_->p, fb_->p, fa_->len) != 0)) \
		FUZZ_FAIL("%s differ:\n--- first (%zu bytes)\n%.*s\n" \
		    "--- second (%zu bytes)\n%.*s", what, fa_->len, \
		    (int)fa_->len, fa_->p ? fa_->p : "", fb_->len, \
		    (int)fb_->len, fb_->p ? fb_->p : ""); \
} while (0)

/*
 * Encodes r, decodes the bytes (copying and borrowing) and checks that
 * the decoded record says the same as r and encodes to the same bytes.
 * r must have no pending values.
 */
static inline void
fuzz_roundtrip(const struct crm_rec *r)
{
	struct crm_buf enc = CRM_BUF_INIT, enc2 = CRM_BUF_INIT;
	struct crm_buf d1 = CRM_BUF_INIT, d2 = CRM_BUF_INIT;
	struct crm_rec *back;
	int rc, copy;

	rc = crm_rec_encode(r, &enc);
	if (rc == ENOMEM)
		goto done;
	FUZZ_CHECK(rc == 0, "crm_rec_encode: rc %d (%s)", rc,
	    crm_errdetail(rc));
	back = crm_rec_new(r->ent);
	if (back == NULL)
		goto done;
	fuzz_rec_dump(r, &d1);
	/* A copy says the same. */
	rc = crm_rec_copy(back, r);
	FUZZ_CHECK(rc == 0 || rc == ENOMEM, "crm_rec_copy: rc %d", rc);
	if (rc == 0) {
		fuzz_rec_dump(back, &d2);
		FUZZ_SAME(&d1, &d2, "a record and its copy");
	}
	for (copy = 0; copy <= 1; copy++) {
		rc = crm_rec_decode(back, r->id, enc.p, enc.len,
		    copy ? CRM_DECODE_COPY : CRM_DECODE_BORROW);
		if (rc == ENOMEM)
			break;
		FUZZ_CHECK(rc == 0, "crm_rec_decode of our own encoding: rc %d",
		    rc);
		fuzz_rec_dump(back, &d2);
		FUZZ_SAME(&d1, &d2, "record before encoding and after decoding");
		rc = crm_rec_encode(back, &enc2);
		FUZZ_CHECK(rc == 0 || rc == ENOMEM, "re-encode: rc %d", rc);
		if (rc == 0)
			FUZZ_SAME(&enc, &enc2, "encodings");
	}
	crm_rec_free(back);
done:
	crm_buf_free(&enc);
	crm_buf_free(&enc2);
	crm_buf_free(&d1);
	crm_buf_free(&d2);
}

/*
 * Text forms are read back as themselves: setting a field from its own
 * printed text gives the same text.  This is what makes `list` output a
 * valid `import` input.  Returns only when it holds.
 */
static inline void
fuzz_text_stable(const struct crm_rec *r, int64_t now)
{
	struct crm_buf t1 = CRM_BUF_INIT, t2 = CRM_BUF_INIT;
	struct crm_rec *again = crm_rec_new(r->ent);
	int f, rc;

	if (again == NULL)
		return;
	/* The currency first, so money is read at the right exponent. */
	if (r->ent->currency >= 0 &&
	    r->v[r->ent->currency].state == CRM_V_SET) {
		crm_buf_reset(&t1);
		if (crm_rec_text(r, r->ent->currency, &t1) == 0)
			(void)crm_rec_setf(again, r->ent->currency, t1.p, t1.len,
			    now);
	}
	for (f = 1; f < r->ent->nfields; f++) {
		const struct crm_field *fd = &r->ent->fields[f];

		if (r->v[f].state != CRM_V_SET)
			continue;
		crm_buf_reset(&t1);
		crm_buf_reset(&t2);
		rc = crm_rec_text(r, f, &t1);
		if (rc == ENOMEM)
			break;
		FUZZ_CHECK(rc == 0, "crm_rec_text: rc %d", rc);
		rc = crm_rec_setf(again, f, t1.p ? t1.p : "", t1.len, now);
		if (rc == ENOMEM)
			break;
		if (fuzz_known_value(r, f, t1.p ? t1.p : "", t1.len))
			continue;
		FUZZ_CHECK(rc == 0, "field '%s': its own text \"%.*s\" is "
		    "refused: %s", fd->name, (int)t1.len, t1.p ? t1.p : "",
		    crm_errdetail(rc));
		if (fd->type == CRM_T_MONEY) {
			rc = crm_rec_finish_money(again);
			FUZZ_CHECK(rc == 0, "field '%s': its own text \"%.*s\" "
			    "is refused as money: %s", fd->name, (int)t1.len,
			    t1.p ? t1.p : "", crm_errdetail(rc));
		}
		if (fd->type == CRM_T_REF && again->v[f].state == CRM_V_PENDING) {
			int64_t id;

			rc = crm_parse_i64(again->v[f].s, again->v[f].len, 0,
			    INT64_MAX, &id);
			FUZZ_CHECK(rc == 0, "reference text \"%.*s\"",
			    (int)t1.len, t1.p ? t1.p : "");
			crm_rec_setint(again, f, id);
		}
		rc = crm_rec_text(again, f, &t2);
		FUZZ_CHECK(rc == 0 || rc == ENOMEM, "crm_rec_text: rc %d", rc);
		if (rc == 0 && (t1.len != t2.len ||
		    (t1.len && memcmp(t1.p, t2.p, t1.len) != 0)))
			FUZZ_FAIL("field '%s': text \"%.*s\" reads back as "
			    "\"%.*s\"", fd->name, (int)t1.len, t1.p,
			    (int)t2.len, t2.p ? t2.p : "");
	}
	crm_rec_free(again);
	crm_buf_free(&t1);
	crm_buf_free(&t2);
}

#endif
