/*
 * fuzz_json.c — crm_json_check and the JSON / NDJSON readers.
 *
 * 1. crm_json_check on the raw bytes: returns 0, CRM_EDATA (with a
 *    1-based line and column inside the text) or ENOMEM.  When it
 *    accepts, cJSON_ParseWithLengthOpts with require_null_terminated
 *    must accept too: the checker is the strict one, so cJSON refusing
 *    something we passed means our checker let through what it should
 *    not.  (cJSON accepting what we refuse is expected: it is lenient.)
 * 2. Differential: when the text is valid, the rows our readers build
 *    (they walk the text themselves instead of using cJSON, to keep
 *    numbers exact) must match cJSON's tree: same keys in order, same
 *    strings, "true"/"false", null as empty, arrays of scalars joined
 *    with ';'; a record with a nested object is refused as a bad row
 *    and the reader goes on to the next.  A one-line text is read as
 *    NDJSON, an array as CRM_IN_JSON.
 * 3. The bytes through the readers as CRM_IN_JSON and CRM_IN_NDJSON,
 *    rows applied to customer records and round-tripped (fuzz_rows.h),
 *    and rows with equal keys written back as NDJSON and JSON and read
 *    again unchanged.
 */
#include <math.h>

#include <cJSON.h>

#include "fuzz_rows.h"
#include "jsoncheck.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* True when the reader must refuse this object as a record. */
static int
object_refused(const cJSON *obj)
{
	const cJSON *c, *e;

	if (!cJSON_IsObject(obj))
		return 1;
	for (c = obj->child; c != NULL; c = c->next) {
		if (cJSON_IsObject(c))
			return 1;
		if (cJSON_IsArray(c))
			for (e = c->child; e != NULL; e = e->next)
				if (cJSON_IsObject(e) || cJSON_IsArray(e))
					return 1;
	}
	return 0;
}

/* True when some object in the tree has two equal keys. */
static int
has_duplicate(const cJSON *v)
{
	const cJSON *a, *b;

	for (a = v->child; a != NULL; a = a->next) {
		if (cJSON_IsObject(v))
			for (b = a->next; b != NULL; b = b->next)
				if (strcmp(a->string, b->string) == 0)
					return 1;
		if (has_duplicate(a))
			return 1;
	}
	return 0;
}

/* Compares a number as our reader kept it (text) with cJSON's double. */
static void
same_number(const char *key, const char *text, size_t len, double d)
{
	char *t = fuzz_memdup(text, len), *end;
	double x = strtod(t, &end);

	FUZZ_CHECK(*end == '\0' && len > 0, "field '%s': number kept as "
	    "\"%s\", which is not a number", key, t);
	FUZZ_CHECK(x == d || (isnan(x) && isnan(d)), "field '%s': number "
	    "\"%s\" is %.17g, cJSON read %.17g", key, t, x, d);
	free(t);
}

/* Checks a row against the cJSON object it came from. */
static void
same_row(const struct crm_row *row, const cJSON *obj)
{
	const cJSON *c, *e;
	struct crm_buf want = CRM_BUF_INIT;
	size_t i = 0;
	int numbers;

	for (c = obj->child; c != NULL; c = c->next, i++) {
		FUZZ_CHECK(i < row->n, "row at line %zu has %zu fields, cJSON "
		    "more", row->line, row->n);
		FUZZ_CHECK(strcmp(row->keys[i], c->string) == 0, "key %zu is "
		    "'%s', cJSON says '%s'", i, row->keys[i], c->string);
		crm_buf_reset(&want);
		numbers = 0;
		if (cJSON_IsString(c))
			(void)crm_buf_adds(&want, c->valuestring);
		else if (cJSON_IsTrue(c))
			(void)crm_buf_adds(&want, "true");
		else if (cJSON_IsFalse(c))
			(void)crm_buf_adds(&want, "false");
		else if (cJSON_IsNumber(c)) {
			same_number(c->string, row->vals[i], row->lens[i],
			    c->valuedouble);
			continue;
		} else if (cJSON_IsArray(c)) {
			for (e = c->child; e != NULL; e = e->next) {
				if (cJSON_IsNull(e))
					continue;
				if (cJSON_IsNumber(e)) {
					numbers = 1;
					break;
				}
				/* Our reader puts ';' only after something. */
				if (want.len > 0)
					(void)crm_buf_addc(&want, ';');
				(void)crm_buf_adds(&want, cJSON_IsString(e) ?
				    e->valuestring : cJSON_IsTrue(e) ? "true" :
				    "false");
			}
		}
		/* null: empty */
		if (numbers)
			continue;
		if (want.len != row->lens[i] || (want.len > 0 &&
		    memcmp(want.p, row->vals[i], want.len) != 0))
			FUZZ_FAIL("field '%s' at line %zu is \"%.*s\", cJSON "
			    "says \"%.*s\"", c->string, row->line,
			    (int)row->lens[i], row->vals[i], (int)want.len,
			    want.p ? want.p : "");
	}
	FUZZ_CHECK(i == row->n, "row at line %zu has %zu fields, cJSON %zu",
	    row->line, row->n, i);
	crm_buf_free(&want);
}

/* Reads text as fmt and compares every row with cJSON's items. */
static void
differential(const uint8_t *data, size_t size, enum crm_infmt fmt,
    const cJSON *root)
{
	struct crm_reader *rd = NULL;
	const struct crm_row *row;
	const cJSON *item;
	char *copy = malloc(size);
	FILE *fp;
	int rc;

	if (copy == NULL)
		return;
	memcpy(copy, data, size);
	fp = fmemopen(copy, size, "r");
	if (fp == NULL) {
		free(copy);
		return;
	}
	rc = crm_reader_new(&rd, fp, fmt);
	if (rc != 0)
		goto done;
	if (fmt == CRM_IN_NDJSON) {
		rc = crm_reader_next(rd, &row);
		if (rc == ENOMEM)
			goto done;
		if (object_refused(root)) {
			FUZZ_CHECK(rc == CRM_EDATA && !crm_reader_failed(rd),
			    "NDJSON: a line cJSON reads as a non-record gave "
			    "rc %d, failed %d", rc, crm_reader_failed(rd));
		} else {
			FUZZ_CHECK(rc == 0, "NDJSON: a valid object gave rc %d "
			    "(%s)", rc, crm_errdetail(rc));
			same_row(row, root);
		}
		rc = crm_reader_next(rd, &row);
		FUZZ_CHECK(rc == CRM_ENOTFOUND, "NDJSON: a second row from "
		    "one line (rc %d)", rc);
		goto done;
	}
	/* A JSON array of records. */
	if (!cJSON_IsArray(root)) {
		rc = crm_reader_next(rd, &row);
		FUZZ_CHECK((rc == CRM_EDATA && crm_reader_failed(rd)) ||
		    rc == ENOMEM, "JSON: a non-array gave rc %d", rc);
		goto done;
	}
	for (item = root->child; item != NULL; item = item->next) {
		rc = crm_reader_next(rd, &row);
		if (rc == ENOMEM)
			goto done;
		if (!cJSON_IsObject(item)) {
			/* Only objects are gathered: anything else ends it. */
			FUZZ_CHECK(rc == CRM_EDATA && crm_reader_failed(rd),
			    "JSON: an element that is no object gave rc %d, "
			    "failed %d", rc, crm_reader_failed(rd));
			goto done;
		}
		if (object_refused(item)) {
			/* A bad record: reported, and reading goes on. */
			FUZZ_CHECK(rc == CRM_EDATA && !crm_reader_failed(rd),
			    "JSON: an element cJSON reads as a non-record gave "
			    "rc %d, failed %d", rc, crm_reader_failed(rd));
			continue;
		}
		FUZZ_CHECK(rc == 0, "JSON: a valid element gave rc %d (%s)", rc,
		    crm_errdetail(rc));
		same_row(row, item);
	}
	rc = crm_reader_next(rd, &row);
	FUZZ_CHECK(rc == CRM_ENOTFOUND || rc == ENOMEM, "JSON: after the last "
	    "element rc %d (%s)", rc, crm_errdetail(rc));
done:
	crm_reader_free(rd);
	fclose(fp);
	free(copy);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const struct crm_entity *ents[1];
	struct fuzz_rows rs;
	size_t line = 0, col = 0, i, nl = 0;
	int rc;

	ents[0] = fuzz_entity("customer");

	/* 1. The checker. */
	rc = crm_json_check((const char *)data, size, &line, &col);
	FUZZ_CHECK(rc == 0 || rc == CRM_EDATA || rc == ENOMEM,
	    "crm_json_check: rc %d", rc);
	for (i = 0; i < size; i++)
		nl += data[i] == '\n';
	if (rc == CRM_EDATA)
		FUZZ_CHECK(line >= 1 && line <= nl + 1 && col >= 1,
		    "fault at line %zu column %zu of %zu lines (%s)", line, col,
		    nl + 1, crm_errdetail(rc));
	if (rc == CRM_EDATA && strstr(crm_errdetail(rc), "duplicate key") &&
	    memmem(data, size, "\\u0000", 6) == NULL) {
		/* The table of keys must not see duplicates that are not. */
		char *z = fuzz_memdup((const char *)data, size);
		cJSON *root = cJSON_ParseWithLengthOpts(z, size + 1, NULL, 1);

		if (root != NULL)
			FUZZ_CHECK(has_duplicate(root), "crm_json_check: %s, but "
			    "cJSON finds no two equal keys", crm_errdetail(rc));
		cJSON_Delete(root);
		free(z);
	}
	if (rc == 0) {
		/* cJSON wants the terminating NUL inside the length. */
		char *z = fuzz_memdup((const char *)data, size);
		const char *end = NULL;
		cJSON *root = cJSON_ParseWithLengthOpts(z, size + 1, &end, 1);

		FUZZ_CHECK(root != NULL, "crm_json_check accepted what cJSON "
		    "refuses near offset %td: \"%.*s\"",
		    end ? end - z : (ptrdiff_t)-1, (int)(size < 200 ? size : 200),
		    z);
		/* 2. Our walkers against cJSON's tree.  "\u0000" cuts
		 * cJSON's C strings short, so texts holding it are left to
		 * the plain checks below. */
		if (memmem(data, size, "\\u0000", 6) == NULL) {
			FUZZ_CHECK(!has_duplicate(root), "crm_json_check "
			    "accepted an object with two equal keys");
			if (nl == 0)
				differential(data, size, CRM_IN_NDJSON, root);
			differential(data, size, CRM_IN_JSON, root);
		}
		cJSON_Delete(root);
		free(z);
	}

	/* 3. The readers on the raw bytes. */
	fuzz_read(&rs, data, size, CRM_IN_JSON, ents, 1);
	fuzz_write_read(&rs, CRM_FMT_JSON, CRM_IN_JSON);
	fuzz_write_read(&rs, CRM_FMT_NDJSON, CRM_IN_NDJSON);
	fuzz_rows_free(&rs);
	fuzz_read(&rs, data, size, CRM_IN_NDJSON, ents, 1);
	fuzz_write_read(&rs, CRM_FMT_NDJSON, CRM_IN_NDJSON);
	fuzz_rows_free(&rs);
	return 0;
}
