/*
 * fuzz_csv.c — CSV (and auto-detected) input → rows → records.
 *
 * The bytes are read with CRM_IN_CSV and with CRM_IN_AUTO.  Every row is
 * checked against input.h (distinct keys, valid UTF-8, no NUL, lines in
 * order, bad rows skipped, fatal errors sticky) and applied to a
 * customer, a deal and one more entity (chosen by the input's size) as
 * `import` would.  Each record that takes the row is copied, encoded
 * and decoded (borrowed and copied) and must say the same; each field's
 * printed text must read back as itself; and the record written as
 * CSV, NDJSON and TSV by crm_out_record (what `list -f` prints) must
 * import as the same record.  When the whole input reads cleanly,
 * the rows are written out again as CSV, TSV, NDJSON and a JSON array
 * and must read back unchanged.  When detection picks CSV, the rows
 * must equal the explicit CSV reading.
 *
 * libcsv itself is linked from the system and not instrumented: this
 * fuzzes our layer around it (field limits, header rules, line counts,
 * the queue of pending rows).
 */
#include "fuzz_rows.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const struct crm_entity *ents[3];
	struct fuzz_rows csv, autod;

	ents[0] = fuzz_entity("customer");
	ents[1] = fuzz_entity("deal");
	/* A third entity, by the input's size: bools, ints, enums. */
	ents[2] = crm_entities[size % (size_t)crm_nentities];

	fuzz_read(&csv, data, size, CRM_IN_CSV, ents, 3);
	if (csv.rc == CRM_ENOTFOUND && csv.n > 0 && csv.nf[0] > 0) {
		fuzz_write_read(&csv, CRM_FMT_CSV, CRM_IN_CSV);
		fuzz_write_read(&csv, CRM_FMT_TSV, CRM_IN_TSV);
		fuzz_write_read(&csv, CRM_FMT_NDJSON, CRM_IN_NDJSON);
		fuzz_write_read(&csv, CRM_FMT_JSON, CRM_IN_JSON);
	}

	fuzz_read(&autod, data, size, CRM_IN_AUTO, ents, 1);
	if (autod.fmt == CRM_IN_CSV && autod.rc != ENOMEM && csv.rc != ENOMEM) {
		FUZZ_CHECK(autod.rc == csv.rc, "auto-detected CSV ended with "
		    "rc %d, explicit CSV with %d", autod.rc, csv.rc);
		FUZZ_CHECK(autod.total == csv.total && autod.dump.len ==
		    csv.dump.len && (csv.dump.len == 0 ||
		    memcmp(autod.dump.p, csv.dump.p, csv.dump.len) == 0),
		    "auto-detected CSV gave other rows than explicit CSV");
	}
	fuzz_rows_free(&csv);
	fuzz_rows_free(&autod);
	return 0;
}
