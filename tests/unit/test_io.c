/*
 * test_io.c — the readers (CSV, TSV, JSON, NDJSON, ids; detection) over
 * fmemopen() inputs, and the writers (CSV, TSV, JSON, NDJSON, ids,
 * table) into open_memstream().
 *
 * Rows read are dumped as "LINE:key=value|key=value\n" with \n, \r and
 * \t in values shown as two characters, so an expectation is one string.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <cJSON.h>

#include "buf.h"
#include "error.h"
#include "input.h"
#include "output.h"
#include "record.h"
#include "schema.h"

/* ---- reading -------------------------------------------------------- */

struct result {
	int rc;			/* what ended the reading */
	size_t line;		/* crm_reader_line() then */
	enum crm_infmt fmt;	/* format after detection */
	size_t nrows;
	char *dump;
	char detail[512];
};

static void
dump_row(struct crm_buf *b, const struct crm_row *row)
{
	size_t i, j;

	assert_int_equal(crm_buf_printf(b, "%zu:", row->line), 0);
	for (i = 0; i < row->n; i++) {
		assert_int_equal(crm_buf_printf(b, "%s%s=", i ? "|" : "",
		    row->keys[i]), 0);
		for (j = 0; j < row->lens[i]; j++) {
			char c = row->vals[i][j];

			if (c == '\n')
				assert_int_equal(crm_buf_adds(b, "\\n"), 0);
			else if (c == '\r')
				assert_int_equal(crm_buf_adds(b, "\\r"), 0);
			else if (c == '\t')
				assert_int_equal(crm_buf_adds(b, "\\t"), 0);
			else
				assert_int_equal(crm_buf_addc(b, c), 0);
		}
	}
	assert_int_equal(crm_buf_addc(b, '\n'), 0);
}

/* Reads data[0..len) to the end or the first error. */
static struct result
read_n(const char *data, size_t len, enum crm_infmt fmt)
{
	struct result res;
	struct crm_buf b = CRM_BUF_INIT;
	struct crm_reader *r = NULL;
	const struct crm_row *row;
	char *copy = malloc(len > 0 ? len : 1);
	FILE *fp;
	int rc;

	memset(&res, 0, sizeof(res));
	assert_non_null(copy);
	if (len > 0)
		memcpy(copy, data, len);
	fp = fmemopen(copy, len, "r");
	assert_non_null(fp);
	rc = crm_reader_new(&r, fp, fmt);
	assert_int_equal(rc, 0);
	res.fmt = crm_reader_format(r);
	for (;;) {
		rc = crm_reader_next(r, &row);
		if (rc != 0)
			break;
		assert_non_null(row);
		dump_row(&b, row);
		res.nrows++;
	}
	res.rc = rc;
	res.line = crm_reader_line(r);
	if (rc != CRM_ENOTFOUND) {
		snprintf(res.detail, sizeof(res.detail), "%s", crm_errdetail(rc));
		/* Malformed input ends the reading for good; after a bad row
		 * the reader goes on (checked by test_bad_row_reads_on). */
		if (crm_reader_failed(r))
			assert_int_equal(crm_reader_next(r, &row), rc);
	}
	crm_reader_free(r);
	fclose(fp);
	free(copy);
	res.dump = b.p ? b.p : strdup("");
	assert_non_null(res.dump);
	return res;
}

static struct result
read_s(const char *s, enum crm_infmt fmt)
{
	return read_n(s, strlen(s), fmt);
}

/*
 * Checks a reading: rows as want, ended by want_rc (at eline, with word
 * in the detail, when it is an error).  Everything is freed before a
 * failure is reported, so a failing check leaks nothing under ASan.
 */
static void
check_read(const char *what, const char *in, size_t len, enum crm_infmt fmt,
    const char *want, int want_rc, size_t eline, const char *word)
{
	struct result r = read_n(in, len, fmt);
	char msg[2048];
	int bad = 1;

	if (r.rc != want_rc)
		snprintf(msg, sizeof(msg), "reading %s: ended with %d at line "
		    "%zu (%s), want %d; rows:\n%.1000s", what, r.rc, r.line,
		    r.detail, want_rc, r.dump);
	else if (strcmp(r.dump, want) != 0)
		snprintf(msg, sizeof(msg), "reading %s:\n got: %.900s\nwant: "
		    "%.900s", what, r.dump, want);
	else if (want_rc != CRM_ENOTFOUND && r.line != eline)
		snprintf(msg, sizeof(msg), "reading %s: error at line %zu, want "
		    "%zu (%s)", what, r.line, eline, r.detail);
	else if (want_rc != CRM_ENOTFOUND && strstr(r.detail, word) == NULL)
		snprintf(msg, sizeof(msg), "reading %s: detail \"%s\" lacks "
		    "\"%s\"", what, r.detail, word);
	else
		bad = 0;
	free(r.dump);
	if (bad)
		fail_msg("%s", msg);
}

/* Reads all of lit and expects the rows want, then a clean end. */
#define READS(lit, fmt, want) \
	check_read(#lit, lit, sizeof(lit) - 1, fmt, want, CRM_ENOTFOUND, 0, "")

/* Reads lit and expects the rows want, then CRM_EDATA at line, with a
 * detail holding word. */
#define FAILS(lit, fmt, want, eline, word) \
	check_read(#lit, lit, sizeof(lit) - 1, fmt, want, CRM_EDATA, eline, word)

static void
test_csv_basic(void **state)
{
	(void)state;
	READS("name,email\nAcme,a@x.com\nBeta,b@x.com\n", CRM_IN_CSV,
	    "2:name=Acme|email=a@x.com\n3:name=Beta|email=b@x.com\n");
	/* BOM and CRLF, as Excel saves. */
	READS("\xef\xbb\xbfname,email\r\nAcme,a@x.com\r\nBeta,b@x.com\r\n",
	    CRM_IN_CSV,
	    "2:name=Acme|email=a@x.com\n3:name=Beta|email=b@x.com\n");
	/* No newline at the end: the last row still counts. */
	READS("a,b\n1,2", CRM_IN_CSV, "2:a=1|b=2\n");
	READS("a,b\r\n1,2", CRM_IN_CSV, "2:a=1|b=2\n");
	/* Only a header, or nothing at all: no rows, no error (so
	 * `list -f ids | tool -` does nothing when nothing matched). */
	READS("a,b\n", CRM_IN_CSV, "");
	READS("", CRM_IN_CSV, "");
	READS("\n\n", CRM_IN_CSV, "");
	READS("", CRM_IN_TSV, "");
	READS("", CRM_IN_AUTO, "");
	READS("", CRM_IN_NDJSON, "");
	READS("", CRM_IN_IDS, "");
	/* Empty fields. */
	READS("a,b,c\n,,\n1,,3\n", CRM_IN_CSV, "2:a=|b=|c=\n3:a=1|b=|c=3\n");
	/* Non-ASCII. */
	READS("name\n\xe5\xbc\xa0\xe4\xb8\x89\n", CRM_IN_CSV,
	    "2:name=\xe5\xbc\xa0\xe4\xb8\x89\n");
}

static void
test_csv_quotes_and_lines(void **state)
{
	(void)state;
	/* Quoted commas, quotes and newlines; the next rows keep their
	 * true line numbers. */
	READS("name,notes\nA,\"x, y\"\nB,\"line1\nline2\"\nC,\"say \"\"hi\"\"\"\n"
	    "D,z\n", CRM_IN_CSV,
	    "2:name=A|notes=x, y\n3:name=B|notes=line1\\nline2\n"
	    "5:name=C|notes=say \"hi\"\n6:name=D|notes=z\n");
	READS("name,notes\r\nB,\"l1\r\nl2\r\nl3\"\r\nC,z\r\n", CRM_IN_CSV,
	    "2:name=B|notes=l1\\r\\nl2\\r\\nl3\n5:name=C|notes=z\n");
	READS("a,b\n\"\",\"\"\"\"\n", CRM_IN_CSV, "2:a=|b=\"\n");
	READS("\"na,me\",\"e\nmail\"\nx,y\n", CRM_IN_CSV,
	    "3:na,me=x|e\nmail=y\n");
	/* Blank lines are skipped but counted. */
	READS("name,tier\n\nA,1\n\n\nB,2\n\n", CRM_IN_CSV,
	    "3:name=A|tier=1\n6:name=B|tier=2\n");
	READS("name,tier\r\n\r\nA,1\r\n\r\nB,2\r\n", CRM_IN_CSV,
	    "3:name=A|tier=1\n5:name=B|tier=2\n");
	READS("name,tier\nA,1\n   \nB,2\n", CRM_IN_CSV,
	    "2:name=A|tier=1\n4:name=B|tier=2\n");
	READS("\n\nname\nA\n", CRM_IN_CSV, "4:name=A\n");
}

static void
test_csv_errors(void **state)
{
	(void)state;
	/* Ragged rows, with the line they are on. */
	FAILS("a,b\n1,2\n3\n4,5\n", CRM_IN_CSV, "2:a=1|b=2\n", 3,
	    "1 fields, but the header has 2");
	FAILS("a,b\n1,2,3\n", CRM_IN_CSV, "", 2, "3 fields");
	FAILS("a,b\n\"x\ny\",1\n3\n", CRM_IN_CSV, "2:a=x\\ny|b=1\n", 4,
	    "fields");
	/* Quotes. */
	FAILS("a,b\n1,\"oops\n2,3\n", CRM_IN_CSV, "", 2, "unterminated");
	/* Header problems. */
	FAILS("name,email,name\n1,2,3\n", CRM_IN_CSV, "", 1, "'name' appears twice");
	FAILS("name, name\n1,2\n", CRM_IN_CSV, "", 1, "twice");
	FAILS("a,,b\n1,2,3\n", CRM_IN_CSV, "", 1, "column 2 has no name");
	/* Bytes that are not text. */
	FAILS("a,b\n1,x\0y\n", CRM_IN_CSV, "", 2, "NUL");
	FAILS("a,b\n1,2\n3,\xc3\x28\n", CRM_IN_CSV, "2:a=1|b=2\n", 3,
	    "invalid UTF-8");
	FAILS("a,b\n1,\xed\xa0\x80\n", CRM_IN_CSV, "", 2, "UTF-8");	/* surrogate */
	FAILS("\xff,b\n1,2\n", CRM_IN_CSV, "", 1, "UTF-8");
	FAILS("a,b\n\0,2\n", CRM_IN_CSV, "", 2, "NUL");
}

/*
 * Blanks at the edges of an unquoted field are trimmed (libcsv does it,
 * and the writer quotes such values for that reason); inside quotes they
 * are data and kept.  Header names are trimmed.
 */
static void
test_csv_spaces(void **state)
{
	(void)state;
	READS(" name , tier \n Acme ,\" A \"\n", CRM_IN_CSV,
	    "2:name=Acme|tier= A \n");
	READS("a,b\n\"\tx\t\",\" \"\n", CRM_IN_CSV, "2:a=\\tx\\t|b= \n");
	READS("a,b\nx y,  \n", CRM_IN_CSV, "2:a=x y|b=\n");
}

/* A stray quote is reported on the line it is on. */
static void
test_csv_stray_quote(void **state)
{
	(void)state;
	FAILS("a,b\n1,x\"y\n", CRM_IN_CSV, "", 2, "quote");
	FAILS("a,b\n1,\"x\"y\n", CRM_IN_CSV, "", 2, "quote");
}

/*
 * The rows before a malformed line come out before its error, as they
 * do before a ragged row: every row gets its outcome.
 */
static void
test_csv_rows_before_error(void **state)
{
	(void)state;
	FAILS("a,b\n1,2\n3,4\n5,x\"y\n", CRM_IN_CSV,
	    "2:a=1|b=2\n3:a=3|b=4\n", 4, "quote");
	FAILS("a,b\n1,2\n\n3,\"unterminated\n", CRM_IN_CSV,
	    "2:a=1|b=2\n", 4, "unterminated");
}

/* Rows that straddle the 64 KiB read chunks keep their text and lines. */
static void
test_csv_long_input(void **state)
{
	struct crm_buf in = CRM_BUF_INIT, want = CRM_BUF_INIT;
	struct result res;
	size_t i, line = 2;

	(void)state;
	assert_int_equal(crm_buf_adds(&in, "id,notes,tail\n"), 0);
	for (i = 0; i < 12000; i++) {
		/* Every third row has a quoted field over two lines. */
		if (i % 3 == 0) {
			assert_int_equal(crm_buf_printf(&in,
			    "%zu,\"first %zu,\nsecond\",t%zu\n", i, i, i), 0);
			assert_int_equal(crm_buf_printf(&want,
			    "%zu:id=%zu|notes=first %zu,\\nsecond|tail=t%zu\n",
			    line, i, i, i), 0);
			line += 2;
		} else {
			assert_int_equal(crm_buf_printf(&in,
			    "%zu,plain %zu,t%zu\r\n", i, i, i), 0);
			assert_int_equal(crm_buf_printf(&want,
			    "%zu:id=%zu|notes=plain %zu|tail=t%zu\n", line, i,
			    i, i), 0);
			line++;
		}
	}
	assert_true(in.len > 3 * 65536);
	res = read_n(in.p, in.len, CRM_IN_AUTO);
	assert_int_equal(res.fmt, CRM_IN_CSV);
	assert_int_equal(res.rc, CRM_ENOTFOUND);
	assert_int_equal(res.nrows, 12000);
	if (strcmp(res.dump, want.p) != 0) {
		size_t k = 0;

		while (res.dump[k] == want.p[k])
			k++;
		while (k > 0 && want.p[k - 1] != '\n')
			k--;
		fail_msg("first difference at:\n got: %.120s\nwant: %.120s",
		    res.dump + k, want.p + k);
	}
	free(res.dump);
	crm_buf_free(&in);
	crm_buf_free(&want);
}

/*
 * CSV input is checked as UTF-8 a read at a time: a character cut by
 * the end of a read is whole in its field, and a bad byte before or
 * after the end of a read is still found in a row that spans it.
 */
static void
test_csv_utf8_chunks(void **state)
{
	struct crm_buf in = CRM_BUF_INIT, want = CRM_BUF_INIT;
	size_t i, line, at;
	int bad;

	(void)state;
	for (bad = 0; bad < 3; bad++) {
		crm_buf_reset(&in);
		crm_buf_reset(&want);
		assert_int_equal(crm_buf_adds(&in, "id,name\n"), 0);
		for (i = 0, line = 2; in.len < 65536 - 40; i++, line++) {
			/* 张 then 0 to 6 三: 3-byte characters at every offset */
			static const char more[] = "\xe4\xb8\x89\xe4\xb8\x89"
			    "\xe4\xb8\x89\xe4\xb8\x89\xe4\xb8\x89\xe4\xb8\x89";

			assert_int_equal(crm_buf_printf(&in, "%zu,\xe5\xbc\xa0%.*s\n",
			    i, (int)(i % 7 * 3), more), 0);
			assert_int_equal(crm_buf_printf(&want,
			    "%zu:id=%zu|name=\xe5\xbc\xa0%.*s\n", line, i,
			    (int)(i % 7 * 3), more), 0);
		}
		/* A row across the end of the first read (65536 bytes), its
		 * bad byte before that end (1) or after it (2). */
		at = in.len;
		assert_int_equal(crm_buf_printf(&in, "x,%s%s%s\n",
		    bad == 1 ? "aa\xff" : "aaa", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
		    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
		    bad == 2 ? "b\xff" : "bb"), 0);
		assert_true(at < 65536 - 10 && in.len > 65536 + 10);
		for (i = 0; i < 3; i++)
			assert_int_equal(crm_buf_printf(&in, "y%zu,\xe5\xbc\xa0\n",
			    i), 0);
		if (bad) {
			check_read("a bad byte near the end of a read", in.p, in.len,
			    CRM_IN_CSV, want.p, CRM_EDATA, line, "invalid UTF-8");
			continue;
		}
		assert_int_equal(crm_buf_printf(&want, "%zu:id=x|name=aaa%s%s\n",
		    line, "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
		    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "bb"), 0);
		for (i = 0; i < 3; i++)
			assert_int_equal(crm_buf_printf(&want,
			    "%zu:id=y%zu|name=\xe5\xbc\xa0\n", line + 1 + i, i), 0);
		check_read("characters cut by the end of a read", in.p, in.len,
		    CRM_IN_CSV, want.p, CRM_ENOTFOUND, 0, "");
	}
	crm_buf_free(&in);
	crm_buf_free(&want);
}

static void
test_tsv(void **state)
{
	(void)state;
	/* The escapes our TSV writer makes come back. */
	READS("name\tnotes\nA\tx\\ty\\nz\\\\w\\r\n", CRM_IN_TSV,
	    "2:name=A|notes=x\\ty\\nz\\w\\r\n");
	READS("a\tb\r\n1\t2\r\n", CRM_IN_TSV, "2:a=1|b=2\n");
	READS("a\tb\n\n1\t2\n\n3\t4", CRM_IN_TSV, "3:a=1|b=2\n5:a=3|b=4\n");
	READS("a\tb\n\t2\n1\t\n", CRM_IN_TSV, "2:a=|b=2\n3:a=1|b=\n");
	/* Quotes and commas are plain data in TSV. */
	READS("a\tb\n\"x\"\t1,2\n", CRM_IN_TSV, "2:a=\"x\"|b=1,2\n");
	/* An unknown escape is kept as written. */
	READS("a\n\\q\n", CRM_IN_TSV, "2:a=\\q\n");
	READS("\xef\xbb\xbf" "a\tb\n1\t2\n", CRM_IN_TSV, "2:a=1|b=2\n");

	FAILS("a\tb\n1\t2\n3\n", CRM_IN_TSV, "2:a=1|b=2\n", 3, "fields");
	FAILS("a\tb\n1\t2\t3\n", CRM_IN_TSV, "", 2, "fields");
	FAILS("a\ta\n1\t2\n", CRM_IN_TSV, "", 1, "twice");
	FAILS("a\tb\n1\t\xc3\n", CRM_IN_TSV, "", 2, "UTF-8");
}

/* A NUL in a TSV line must not hide the rest of the line. */
static void
test_tsv_nul(void **state)
{
	(void)state;
	FAILS("a\tb\n1\tx\0y\n", CRM_IN_TSV, "", 2, "NUL");
	FAILS("a\tb\nx\0y\t2\n", CRM_IN_TSV, "", 2, "NUL");
}

static void
test_json(void **state)
{
	(void)state;
	/* Numbers keep their exact text; arrays join with ';'; null is
	 * empty; booleans are words. */
	READS("[{\"name\":\"Acme\",\"amount\":1234.50,\"tags\":[\"vip\",\"gold\"],"
	    "\"notes\":null,\"ok\":true,\"no\":false,\"n\":-1.5e3,"
	    "\"big\":12345678901234567890123,"
	    "\"u\":\"B\\u00e9 \\ud83d\\ude00\\n\\\"q\\\"\\/\"}]", CRM_IN_JSON,
	    "1:name=Acme|amount=1234.50|tags=vip;gold|notes=|ok=true|no=false|"
	    "n=-1.5e3|big=12345678901234567890123|"
	    "u=B\xc3\xa9 \xf0\x9f\x98\x80\\n\"q\"/\n");
	/* Rows start where their object starts. */
	READS("[\n  {\"a\": \"1\"},\n  {\n    \"a\": \"2\"\n  }\n]\n", CRM_IN_JSON,
	    "2:a=1\n3:a=2\n");
	READS("[]", CRM_IN_JSON, "");
	READS(" \n[ ]\n", CRM_IN_JSON, "");
	READS("[{}]", CRM_IN_JSON, "1:\n");
	READS("[{\"t\":[1,2.50,\"x\"],\"e\":[],\"s\":\"\"}]", CRM_IN_JSON,
	    "1:t=1;2.50;x|e=|s=\n");
	READS("\xef\xbb\xbf[{\"a\":1}]", CRM_IN_JSON, "1:a=1\n");
	/* Brackets inside strings are text. */
	READS("[{\"a\":\"}]{[\"},{\"a\":\"\\\\\"}]", CRM_IN_JSON,
	    "1:a=}]{[\n1:a=\\\n");
	/* Keys keep their order and may be anything. */
	READS("[{\"z\":1,\"Na me\":2}]", CRM_IN_JSON, "1:z=1|Na me=2\n");
}

/* null inside an array is no value, not the word "null". */
static void
test_json_null_in_array(void **state)
{
	struct result r;
	int bad;

	(void)state;
	r = read_s("[{\"tags\":[\"vip\",null,\"gold\"]}]", CRM_IN_JSON);
	bad = r.rc != CRM_ENOTFOUND || strstr(r.dump, "null") != NULL ||
	    strstr(r.dump, "vip") == NULL || strstr(r.dump, "gold") == NULL;
	if (bad) {
		char msg[256];

		snprintf(msg, sizeof(msg), "%s", r.dump);
		free(r.dump);
		fail_msg("[\"vip\",null,\"gold\"] read as: %s", msg);
	}
	free(r.dump);
}

static void
test_json_errors(void **state)
{
	(void)state;
	FAILS("[{\"a\":{\"b\":1}}]", CRM_IN_JSON, "", 1, "nested");
	FAILS("[{\"t\":[{\"x\":1}]}]", CRM_IN_JSON, "", 1, "nested");
	FAILS("[{\"t\":[[1]]}]", CRM_IN_JSON, "", 1, "nested");
	FAILS("[{\"a\":1}] x", CRM_IN_JSON, "1:a=1\n", 1, "trailing");
	FAILS("[{\"a\":1}][]", CRM_IN_JSON, "1:a=1\n", 1, "trailing");
	FAILS("[1]", CRM_IN_JSON, "", 1, "object");
	FAILS("[\"a\"]", CRM_IN_JSON, "", 1, "object");
	FAILS("[{\"a\":1}", CRM_IN_JSON, "1:a=1\n", 1, "']'");
	FAILS("[{\"a\":1", CRM_IN_JSON, "", 1, "unterminated");
	FAILS("[{\"a\":1} {\"a\":2}]", CRM_IN_JSON, "1:a=1\n", 1, "','");
	FAILS("[{\"a\":1},]", CRM_IN_JSON, "1:a=1\n", 1, "object");
	FAILS("[{\"a\":01}]", CRM_IN_JSON, "", 1, "leading zero");
	FAILS("[{\"a\":2.}]", CRM_IN_JSON, "", 1, "JSON");
	FAILS("[{\"a\":1e999}]", CRM_IN_JSON, "", 1, "JSON");
	FAILS("[{\"a\":1,\"a\":2}]", CRM_IN_JSON, "", 1, "duplicate key");
	FAILS("[{\"a\":\"\xc3\x28\"}]", CRM_IN_JSON, "", 1, "JSON");
	FAILS("[{\"a\":\"tab\there\"}]", CRM_IN_JSON, "", 1, "JSON");
	FAILS("[{a:1}]", CRM_IN_JSON, "", 1, "JSON");
	FAILS("{\"a\":1}", CRM_IN_JSON, "", 1, "array");
	/* The line of the fault, not of the array. */
	FAILS("[\n{\"a\":1},\n{\"a\":01}\n]", CRM_IN_JSON, "2:a=1\n", 3,
	    "leading zero");
	FAILS("[\n{\"a\":1},\n{\n\"a\":\n01}\n]", CRM_IN_JSON, "2:a=1\n", 5,
	    "leading zero");
}

static void
test_json_nul(void **state)
{
	(void)state;
	/* A decoded \u0000 would cut the value short: refused, wherever the
	 * value is. */
	FAILS("[{\"a\":\"x\\u0000y\",\"b\":1}]", CRM_IN_JSON, "", 1, "NUL");
	FAILS("[{\"a\\u0000b\":1}]", CRM_IN_JSON, "", 1, "NUL");
	FAILS("[{\"b\":1,\"a\":\"x\\u0000y\"}]", CRM_IN_JSON, "", 1, "NUL");
	FAILS("{\"a\":\"x\\u0000y\"}\n", CRM_IN_NDJSON, "", 1, "NUL");
}

static void
test_ndjson(void **state)
{
	(void)state;
	READS("{\"a\":\"1\"}\n\n{\"a\":2,\"t\":[\"x\",\"y\"]}\r\n  \n{\"a\":null}",
	    CRM_IN_NDJSON, "1:a=1\n3:a=2|t=x;y\n5:a=\n");
	READS("\xef\xbb\xbf{\"a\":1}\n", CRM_IN_NDJSON, "1:a=1\n");
	FAILS("{\"a\":1}\n{\"a\":}\n{\"a\":3}\n", CRM_IN_NDJSON, "1:a=1\n", 2,
	    "JSON");
	FAILS("{\"a\":1}\n[1]\n", CRM_IN_NDJSON, "1:a=1\n", 2, "object");
	FAILS("{\"a\":1} {\"a\":2}\n", CRM_IN_NDJSON, "", 1, "JSON");
	FAILS("{\"a\":{\"b\":1}}\n", CRM_IN_NDJSON, "", 1, "nested");
	FAILS("{\"a\":1}\n{\"a\":\"\xff\"}\n", CRM_IN_NDJSON, "1:a=1\n", 2,
	    "JSON");
}

static void
test_ids(void **state)
{
	(void)state;
	READS("1\n2\n\n 3 \n4", CRM_IN_IDS, "1:id=1\n2:id=2\n4:id=3\n5:id=4\n");
	READS("7\r\n8\r\n", CRM_IN_IDS, "1:id=7\n2:id=8\n");
	/* Any reference passes here; the store resolves it. */
	READS("ext:E1\nemail:a@b.c\n", CRM_IN_IDS,
	    "1:id=ext:E1\n2:id=email:a@b.c\n");
	FAILS("1\n\xff\n", CRM_IN_IDS, "1:id=1\n", 2, "UTF-8");
}

static void
test_detection(void **state)
{
	static const struct {
		const char *in;
		enum crm_infmt want;
		size_t nrows;
	} cases[] = {
		{ "name,email\nA,a@b.c\n", CRM_IN_CSV, 1 },
		{ "name\temail\nA\ta@b.c\n", CRM_IN_TSV, 1 },
		{ "name\tnotes,more\nA\tx\n", CRM_IN_CSV, 0 },	/* comma: CSV */
		{ "name\nA\n", CRM_IN_CSV, 1 },
		{ "id\n1\n", CRM_IN_CSV, 1 },
		{ "[{\"a\":1}]", CRM_IN_JSON, 1 },
		{ "\n  \r\n [{\"a\":1}]", CRM_IN_JSON, 1 },
		{ "\xef\xbb\xbf[{\"a\":1}]", CRM_IN_JSON, 1 },
		{ "{\"a\":1}\n{\"a\":2}\n", CRM_IN_NDJSON, 2 },
		{ "\xef\xbb\xbf{\"a\":1}\n", CRM_IN_NDJSON, 1 },
		{ "42\n43\n", CRM_IN_IDS, 2 },
		{ "42\r\n", CRM_IN_IDS, 1 },
		{ "ext:E0001\next:E0002\n", CRM_IN_IDS, 2 },
		{ "email:ann@example.com\n", CRM_IN_IDS, 1 },
		{ "\xef\xbb\xbf" "name,email\r\nA,a@b.c\r\n", CRM_IN_CSV, 1 },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct result r = read_s(cases[i].in, CRM_IN_AUTO);

		if (r.fmt != cases[i].want)
			fail_msg("case %zu: detected %s, want %s", i,
			    crm_infmt_names[r.fmt],
			    crm_infmt_names[cases[i].want]);
		if (cases[i].nrows > 0 && (r.rc != CRM_ENOTFOUND ||
		    r.nrows != cases[i].nrows))
			fail_msg("case %zu: %zu rows, rc %d (%s)", i, r.nrows,
			    r.rc, r.detail);
		free(r.dump);
	}
	{
		enum crm_infmt f = CRM_IN_AUTO;

		assert_int_equal(crm_infmt_parse("ndjson", &f), 0);
		assert_int_equal(f, CRM_IN_NDJSON);
		assert_int_equal(crm_infmt_parse("tsv", &f), 0);
		assert_int_equal(f, CRM_IN_TSV);
		assert_int_equal(crm_infmt_parse("xml", &f), CRM_EUSAGE);
		assert_int_equal(crm_infmt_parse("CSV", &f), CRM_EUSAGE);
	}
}

/*
 * Fields past CRM_MAX_FIELD_BYTES are refused with CRM_EDATA and the
 * line they are on, in every format.  read_big builds the input: a prefix,
 * big bytes of 'x', a suffix.
 */
static struct result
read_big(const char *prefix, size_t big, const char *suffix,
    enum crm_infmt fmt)
{
	size_t pl = strlen(prefix), sl = strlen(suffix);
	char *in = malloc(pl + big + sl);
	struct result r;

	assert_non_null(in);
	memcpy(in, prefix, pl);
	memset(in + pl, 'x', big);
	memcpy(in + pl + big, suffix, sl);
	r = read_n(in, pl + big + sl, fmt);
	free(in);
	return r;
}

static void
check_big(const char *prefix, size_t big, const char *suffix,
    enum crm_infmt fmt, size_t want_rows)
{
	struct result r = read_big(prefix, big, suffix, fmt);
	char msg[600];
	int bad = 1;

	if (r.rc != CRM_EDATA)
		snprintf(msg, sizeof(msg), "%s: a field of %zu bytes: rc %d, "
		    "%zu rows", crm_infmt_names[fmt], big, r.rc, r.nrows);
	else if (r.nrows != want_rows)
		snprintf(msg, sizeof(msg), "%s: %zu rows before the error, "
		    "want %zu", crm_infmt_names[fmt], r.nrows, want_rows);
	else if (r.line != 2)
		snprintf(msg, sizeof(msg), "%s: error at line %zu, want 2 (%s)",
		    crm_infmt_names[fmt], r.line, r.detail);
	else
		bad = 0;
	free(r.dump);
	if (bad)
		fail_msg("%s", msg);
}

#define BIG_FAILS(prefix, big, suffix, fmt, want_rows) \
	check_big(prefix, big, suffix, fmt, want_rows)

static void
test_oversized(void **state)
{
	size_t big = CRM_MAX_FIELD_BYTES + 256 * 1024;

	(void)state;
	BIG_FAILS("a\tb\n1\t", big, "\n", CRM_IN_TSV, 0);
	BIG_FAILS("{\"a\":1}\n{\"a\":\"", big, "\"}\n", CRM_IN_NDJSON, 1);
	BIG_FAILS("[{\"a\":1},\n{\"a\":\"", big, "\"}]", CRM_IN_JSON, 1);
}

static void
test_oversized_csv(void **state)
{
	size_t big = CRM_MAX_FIELD_BYTES + 256 * 1024;

	(void)state;
	BIG_FAILS("a,b\n1,", big, "\n", CRM_IN_CSV, 0);
	BIG_FAILS("a,b\n1,\"", big, "\"\n", CRM_IN_CSV, 0);
}

/* The limit is the limit: one byte over it is already too many. */
static void
test_oversized_exact(void **state)
{
	size_t big = CRM_MAX_FIELD_BYTES + 1;

	(void)state;
	BIG_FAILS("a\tb\n1\t", big, "\n", CRM_IN_TSV, 0);
	BIG_FAILS("{\"a\":1}\n{\"a\":\"", big, "\"}\n", CRM_IN_NDJSON, 1);
}

static void
test_oversized_exact_csv(void **state)
{
	struct result r;

	(void)state;
	/* Exactly at the limit is fine. */
	r = read_big("a\n", CRM_MAX_FIELD_BYTES, "\n", CRM_IN_CSV);
	assert_int_equal(r.rc, CRM_ENOTFOUND);
	assert_int_equal(r.nrows, 1);
	free(r.dump);
	BIG_FAILS("a,b\n1,", CRM_MAX_FIELD_BYTES + 1, "\n", CRM_IN_CSV, 0);
}

/* A bad row is reported with its line, and the rows after it are read. */
static void
test_bad_row_reads_on(void **state)
{
	static const struct {
		const char *in;
		enum crm_infmt fmt;
		size_t badline;
	} cases[] = {
		{ "a,b\n1,2\n3\n4,5\n", CRM_IN_CSV, 3 },
		{ "a\tb\n1\t2\n3\n4\t5\n", CRM_IN_TSV, 3 },
		{ "{\"a\":1}\n{\"a\":01}\n{\"a\":2}\n", CRM_IN_NDJSON, 2 },
		{ "[{\"a\":1},\n{\"a\":\"x\",\"a\":2},\n{\"a\":3}]", CRM_IN_JSON,
		  2 },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		FILE *fp = fmemopen((void *)cases[i].in, strlen(cases[i].in), "r");
		struct crm_reader *r = NULL;
		const struct crm_row *row;
		size_t good = 0, bad = 0;
		int rc;

		assert_non_null(fp);
		assert_int_equal(crm_reader_new(&r, fp, cases[i].fmt), 0);
		while ((rc = crm_reader_next(r, &row)) != CRM_ENOTFOUND) {
			if (rc == 0) {
				good++;
				continue;
			}
			assert_int_equal(rc, CRM_EDATA);
			assert_false(crm_reader_failed(r));
			assert_int_equal(crm_reader_line(r), cases[i].badline);
			bad++;
		}
		if (good != 2 || bad != 1)
			print_error("case %zu: %zu good, %zu bad rows\n", i, good,
			    bad);
		crm_reader_free(r);
		fclose(fp);
		assert_int_equal(good, 2);
		assert_int_equal(bad, 1);
	}
}

/* ---- writing -------------------------------------------------------- */

/*
 * Writes nrows rows of ncols values (NULL is an empty value) with the
 * given columns and returns everything written, malloc'd.
 */
static char *
write_rows(enum crm_fmt fmt, unsigned flags, const char *const *names,
    const enum crm_kind *kinds, size_t ncols, const char *const *vals,
    size_t nrows)
{
	struct crm_out *o = NULL;
	char *text = NULL;
	size_t size = 0, i, j;
	size_t *lens = calloc(ncols, sizeof(*lens));
	FILE *fp = open_memstream(&text, &size);

	assert_non_null(fp);
	assert_non_null(lens);
	assert_int_equal(crm_out_new(&o, fp, fmt, flags), 0);
	assert_int_equal(crm_out_columns(o, names, kinds, ncols), 0);
	for (i = 0; i < nrows; i++) {
		for (j = 0; j < ncols; j++) {
			const char *v = vals[i * ncols + j];

			lens[j] = v ? strlen(v) : 0;
		}
		assert_int_equal(crm_out_row(o, vals + i * ncols, lens), 0);
	}
	assert_int_equal(crm_out_end(o), 0);
	crm_out_free(o);
	assert_int_equal(fclose(fp), 0);
	free(lens);
	return text;
}

#define WRITES(fmt, flags, names, kinds, vals, want) do { \
	char *t_ = write_rows(fmt, flags, names, kinds, \
	    sizeof(names) / sizeof(names[0]), vals, \
	    sizeof(vals) / sizeof(vals[0]) / (sizeof(names) / sizeof(names[0]))); \
	if (strcmp(t_, want) != 0) \
		fail_msg("wrote:\n%s\nwant:\n%s", t_, want); \
	free(t_); \
} while (0)

static void
test_csv_writer(void **state)
{
	static const char *const names[] = { "name", "notes" };
	static const char *const vals[] = {
		"Acme", "plain",
		"a,b", "say \"hi\"",
		"l1\nl2", "cr\r",
		" lead", "trail ",
		"", NULL,
		"+86 138 0000 0007", "=1+1",
		"-5.00", "@a",
		"\xe5\xbc\xa0\xe4\xb8\x89", "'quoted'",
	};

	(void)state;
	/* Minimal RFC 4180 quoting; plain CSV keeps every value as is. */
	WRITES(CRM_FMT_CSV, 0, names, NULL, vals,
	    "name,notes\n"
	    "Acme,plain\n"
	    "\"a,b\",\"say \"\"hi\"\"\"\n"
	    "\"l1\nl2\",\"cr\r\"\n"
	    "\" lead\",\"trail \"\n"
	    ",\n"
	    "+86 138 0000 0007,=1+1\n"
	    "-5.00,@a\n"
	    "\xe5\xbc\xa0\xe4\xb8\x89,'quoted'\n");
	WRITES(CRM_FMT_CSV, CRM_OUT_NOHEADER, names, NULL, vals,
	    "Acme,plain\n"
	    "\"a,b\",\"say \"\"hi\"\"\"\n"
	    "\"l1\nl2\",\"cr\r\"\n"
	    "\" lead\",\"trail \"\n"
	    ",\n"
	    "+86 138 0000 0007,=1+1\n"
	    "-5.00,@a\n"
	    "\xe5\xbc\xa0\xe4\xb8\x89,'quoted'\n");
	/* No rows: still the header. */
	{
		char *t = write_rows(CRM_FMT_CSV, 0, names, NULL, 2, NULL, 0);

		assert_string_equal(t, "name,notes\n");
		free(t);
		t = write_rows(CRM_FMT_TSV, 0, names, NULL, 2, NULL, 0);
		assert_string_equal(t, "name\tnotes\n");
		free(t);
	}
}

static void
test_csv_excel(void **state)
{
	static const char *const names[] = { "v" };
	static const char *const vals[] = {
		"=1+1", "+cmd", "-x", "@a", "\tx", "\rx",
		"\xef\xbc\x9dx",		/* ＝x */
		"\xef\xbc\x8b" "1",		/* ＋1 */
		"\xef\xbc\xa0x",		/* ＠x */
		"=HYPERLINK(\"http://x\",\"y\")",
		"-5.00", "+5", "-5", "42", "1234.50", "a=b", "x-1", "",
		"-", "+", "-.", "-1-1", "=5",
	};

	(void)state;
	WRITES(CRM_FMT_CSV, CRM_OUT_EXCEL, names, NULL, vals,
	    "v\n"
	    "'=1+1\n'+cmd\n'-x\n'@a\n\"'\tx\"\n\"'\rx\"\n"
	    "'\xef\xbc\x9dx\n'\xef\xbc\x8b" "1\n'\xef\xbc\xa0x\n"
	    "\"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\"\n"
	    "-5.00\n+5\n-5\n42\n1234.50\na=b\nx-1\n\n"
	    "'-\n'+\n'-.\n'-1-1\n'=5\n");
	/* TSV gets the same protection. */
	{
		static const char *const v2[] = { "=1+1", "-5.00", "\tx" };
		char *t = write_rows(CRM_FMT_TSV, CRM_OUT_EXCEL, names, NULL, 1,
		    v2, 3);

		assert_string_equal(t, "v\n'=1+1\n-5.00\n'\\tx\n");
		free(t);
	}
}

static void
test_tsv_writer(void **state)
{
	static const char *const names[] = { "a", "b" };
	static const char *const vals[] = {
		"x\ty", "l1\nl2",
		"back\\slash", "cr\rlf",
		"\"q\",c", NULL,
	};

	(void)state;
	WRITES(CRM_FMT_TSV, 0, names, NULL, vals,
	    "a\tb\n"
	    "x\\ty\tl1\\nl2\n"
	    "back\\\\slash\tcr\\rlf\n"
	    "\"q\",c\t\n");
}

/* What the CSV and TSV writers print, the readers read back exactly. */
static void
test_write_read_round_trip(void **state)
{
	static const char *const names[] = { "name", "notes", "phone" };
	static const char *const vals[] = {
		"Acme, \"Inc\"", "two\nlines\r\nand \\ more\ttab", "+86 138 0000 0007",
		" spaced ", "", "=1+1",
		"\xe5\xbc\xa0\xe4\xb8\x89", "\\t literal", "00",
	};
	static const enum crm_fmt fmts[] = { CRM_FMT_CSV, CRM_FMT_TSV };
	static const enum crm_infmt infmts[] = { CRM_IN_CSV, CRM_IN_TSV };
	size_t k;

	(void)state;
	for (k = 0; k < 2; k++) {
		char *t = write_rows(fmts[k], 0, names, NULL, 3, vals, 3);
		struct crm_reader *r = NULL;
		const struct crm_row *row;
		FILE *fp = fmemopen(t, strlen(t), "r");
		size_t i, j;

		assert_non_null(fp);
		assert_int_equal(crm_reader_new(&r, fp, CRM_IN_AUTO), 0);
		assert_int_equal(crm_reader_format(r), infmts[k]);
		for (i = 0; i < 3; i++) {
			assert_int_equal(crm_reader_next(r, &row), 0);
			assert_int_equal(row->n, 3);
			for (j = 0; j < 3; j++) {
				assert_string_equal(row->keys[j], names[j]);
				assert_int_equal(row->lens[j],
				    strlen(vals[i * 3 + j]));
				assert_memory_equal(row->vals[j], vals[i * 3 + j],
				    row->lens[j]);
			}
		}
		assert_int_equal(crm_reader_next(r, &row), CRM_ENOTFOUND);
		crm_reader_free(r);
		fclose(fp);
		free(t);
	}
}

static void
test_json_writer(void **state)
{
	static const char *const names[] = { "id", "name", "amount", "tags",
		"primary", "notes" };
	static const enum crm_kind kinds[] = { CRM_K_NUM, CRM_K_STR,
		CRM_K_MONEY, CRM_K_TAGS, CRM_K_BOOL, CRM_K_STR };
	static const char *const vals[] = {
		"9007199254740993", "Acme \"Q\"\n\xe5\xbc\xa0", "1234.50",
		"vip;gold", "yes", "\x01",
		"2", NULL, NULL, NULL, NULL, "",
	};
	char *t;
	cJSON *doc, *a, *b;

	(void)state;
	t = write_rows(CRM_FMT_JSON, 0, names, kinds, 6, vals, 2);
	/* Integers print exactly, beyond a double's 2^53. */
	assert_non_null(strstr(t, "\"id\":9007199254740993"));
	/* Money is a string: "1234.50" keeps its cents. */
	assert_non_null(strstr(t, "\"amount\":\"1234.50\""));
	doc = cJSON_Parse(t);
	if (doc == NULL)
		fail_msg("not JSON:\n%s", t);
	assert_true(cJSON_IsArray(doc));
	assert_int_equal(cJSON_GetArraySize(doc), 2);
	a = cJSON_GetArrayItem(doc, 0);
	b = cJSON_GetArrayItem(doc, 1);
	assert_true(cJSON_IsNumber(cJSON_GetObjectItem(a, "id")));
	assert_string_equal(cJSON_GetObjectItem(a, "name")->valuestring,
	    "Acme \"Q\"\n\xe5\xbc\xa0");
	assert_true(cJSON_IsString(cJSON_GetObjectItem(a, "amount")));
	assert_true(cJSON_IsArray(cJSON_GetObjectItem(a, "tags")));
	assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(a, "tags")), 2);
	assert_string_equal(cJSON_GetArrayItem(cJSON_GetObjectItem(a, "tags"),
	    1)->valuestring, "gold");
	assert_true(cJSON_IsTrue(cJSON_GetObjectItem(a, "primary")));
	assert_string_equal(cJSON_GetObjectItem(a, "notes")->valuestring, "\x01");
	/* Empty values: null, and [] for tags so .tags[] always works. */
	assert_true(cJSON_IsNull(cJSON_GetObjectItem(b, "name")));
	assert_true(cJSON_IsNull(cJSON_GetObjectItem(b, "amount")));
	assert_true(cJSON_IsArray(cJSON_GetObjectItem(b, "tags")));
	assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(b, "tags")), 0);
	assert_true(cJSON_IsNull(cJSON_GetObjectItem(b, "primary")));
	assert_true(cJSON_IsNull(cJSON_GetObjectItem(b, "notes")));
	cJSON_Delete(doc);
	free(t);

	/* An empty result is an empty array. */
	t = write_rows(CRM_FMT_JSON, 0, names, kinds, 6, NULL, 0);
	assert_string_equal(t, "[]\n");
	free(t);

	/* NDJSON: one object per line, no array. */
	t = write_rows(CRM_FMT_NDJSON, 0, names, kinds, 6, vals, 2);
	{
		char *nl = strchr(t, '\n');

		assert_non_null(nl);
		assert_int_equal(t[0], '{');
		assert_int_equal(nl[1], '{');
		assert_non_null(strchr(nl + 1, '\n'));
		assert_int_equal(strchr(nl + 1, '\n')[1], '\0');
		*nl = '\0';
		doc = cJSON_Parse(t);
		assert_non_null(doc);
		assert_true(cJSON_IsObject(doc));
		cJSON_Delete(doc);
	}
	free(t);
	t = write_rows(CRM_FMT_NDJSON, 0, names, kinds, 6, NULL, 0);
	assert_string_equal(t, "");
	free(t);
}

/* Whatever text a number column holds, the output stays JSON. */
static void
test_json_writer_bad_number(void **state)
{
	static const char *const names[] = { "customer" };
	static const enum crm_kind kinds[] = { CRM_K_NUM };
	static const char *const vals[] = { "ext:E9\"}]" };
	char *t = write_rows(CRM_FMT_JSON, 0, names, kinds, 1, vals, 1);
	cJSON *doc = cJSON_Parse(t);
	char msg[256];

	(void)state;
	snprintf(msg, sizeof(msg), "%s", t);
	free(t);
	if (doc == NULL)
		fail_msg("a non-numeric value in a number column broke the "
		    "JSON:\n%s", msg);
	cJSON_Delete(doc);
}

static void
test_ids_writer(void **state)
{
	static const char *const names[] = { "name", "id" };
	static const char *const vals[] = { "a", "3", "b", "17", "c", NULL };

	(void)state;
	WRITES(CRM_FMT_IDS, 0, names, NULL, vals, "3\n17\n");
}

static void
test_table(void **state)
{
	static const char *const names[] = { "name", "amount", "city" };
	static const enum crm_kind kinds[] = { CRM_K_STR, CRM_K_MONEY,
		CRM_K_STR };
	static const char *const vals[] = {
		"\xe5\xbc\xa0\xe4\xb8\x89", "5.00", "\xe5\x8c\x97\xe4\xba\xac",
		"Bob", "1234.50", "NYC",
		"x", NULL, "a\nb",
	};

	(void)state;
	/* 张三 and 北京 are four columns wide; numbers align right; the
	 * last column is not padded; a newline shows as \n. */
	WRITES(CRM_FMT_TABLE, 0, names, kinds, vals,
	    "name  amount   city\n"
	    "\xe5\xbc\xa0\xe4\xb8\x89     5.00  \xe5\x8c\x97\xe4\xba\xac\n"
	    "Bob   1234.50  NYC\n"
	    "x              a\\nb\n");
	WRITES(CRM_FMT_TABLE, CRM_OUT_NOHEADER, names, kinds, vals,
	    "\xe5\xbc\xa0\xe4\xb8\x89     5.00  \xe5\x8c\x97\xe4\xba\xac\n"
	    "Bob   1234.50  NYC\n"
	    "x              a\\nb\n");
	/* A wide header widens its column; nothing is ever cut. */
	{
		static const char *const n2[] = { "\xe5\x90\x8d\xe7\xa7\xb0\xe5\x90\x8d",
			"v" };	/* 名称名: six columns */
		static const char *const v2[] = { "ab", "1",
			"a-very-long-value", "2" };

		WRITES(CRM_FMT_TABLE, 0, n2, NULL, v2,
		    "\xe5\x90\x8d\xe7\xa7\xb0\xe5\x90\x8d             v\n"
		    "ab                 1\n"
		    "a-very-long-value  2\n");
	}
	/* No rows, no table. */
	{
		char *t = write_rows(CRM_FMT_TABLE, 0, names, kinds, 3, NULL, 0);

		assert_string_equal(t, "");
		free(t);
	}
}

static void
test_out_record(void **state)
{
	const struct crm_entity *e = crm_entity_find("deal");
	struct crm_rec *r = crm_rec_new(e);
	struct crm_colspec cols[5];
	const char *names[5];
	enum crm_kind kinds[5];
	struct crm_out *o = NULL;
	char *text = NULL;
	size_t size = 0, i;
	FILE *fp = open_memstream(&text, &size);

	(void)state;
	assert_non_null(r);
	assert_non_null(fp);
	crm_rec_setint(r, CRM_FLD_ID, 12);
	assert_int_equal(crm_rec_set(r, "title", 5, "Big, one", 8, 0, 0), 0);
	assert_int_equal(crm_rec_set(r, "amount", 6, "1500", 4, 0, 0), 0);
	assert_int_equal(crm_rec_set(r, "currency", 8, "JPY", 3, 0, 0), 0);
	assert_int_equal(crm_rec_set(r, "colour", 6, "blue", 4, 0, 0), 0);
	assert_int_equal(crm_rec_finish_money(r), 0);
	cols[0].field = CRM_FLD_ID;
	cols[1].field = crm_field_find(e, "title", 5);
	cols[2].field = crm_field_find(e, "amount", 6);
	cols[3].field = -1;
	cols[3].custom = "colour";
	cols[4].field = -1;
	cols[4].custom = "missing";
	for (i = 0; i < 5; i++) {
		names[i] = cols[i].field >= 0 ? e->fields[cols[i].field].name :
		    cols[i].custom;
		kinds[i] = cols[i].field >= 0 ?
		    crm_field_kind(&e->fields[cols[i].field]) : CRM_K_STR;
	}
	assert_int_equal(kinds[0], CRM_K_NUM);
	assert_int_equal(kinds[2], CRM_K_MONEY);
	assert_int_equal(crm_out_new(&o, fp, CRM_FMT_CSV, 0), 0);
	assert_int_equal(crm_out_columns(o, names, kinds, 5), 0);
	assert_int_equal(crm_out_record(o, cols, 5, r), 0);
	assert_int_equal(crm_out_end(o), 0);
	crm_out_free(o);
	fclose(fp);
	assert_string_equal(text,
	    "id,title,amount,colour,missing\n12,\"Big, one\",1500,blue,\n");
	free(text);
	crm_rec_free(r);
}

static void
test_fmt_parse(void **state)
{
	enum crm_fmt f = CRM_FMT_TABLE;

	(void)state;
	assert_int_equal(crm_fmt_parse("csv", &f), 0);
	assert_int_equal(f, CRM_FMT_CSV);
	assert_int_equal(crm_fmt_parse("ids", &f), 0);
	assert_int_equal(f, CRM_FMT_IDS);
	assert_int_equal(crm_fmt_parse("xml", &f), CRM_EUSAGE);
	assert_int_equal(crm_fmt_parse("", &f), CRM_EUSAGE);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_csv_basic),
		cmocka_unit_test(test_csv_quotes_and_lines),
		cmocka_unit_test(test_csv_errors),
		cmocka_unit_test(test_csv_spaces),
		cmocka_unit_test(test_csv_stray_quote),
		cmocka_unit_test(test_csv_rows_before_error),
		cmocka_unit_test(test_csv_long_input),
		cmocka_unit_test(test_csv_utf8_chunks),
		cmocka_unit_test(test_tsv),
		cmocka_unit_test(test_tsv_nul),
		cmocka_unit_test(test_json),
		cmocka_unit_test(test_json_errors),
		cmocka_unit_test(test_json_null_in_array),
		cmocka_unit_test(test_json_nul),
		cmocka_unit_test(test_ndjson),
		cmocka_unit_test(test_ids),
		cmocka_unit_test(test_detection),
		cmocka_unit_test(test_oversized),
		cmocka_unit_test(test_oversized_csv),
		cmocka_unit_test(test_oversized_exact),
		cmocka_unit_test(test_oversized_exact_csv),
		cmocka_unit_test(test_csv_writer),
		cmocka_unit_test(test_csv_excel),
		cmocka_unit_test(test_tsv_writer),
		cmocka_unit_test(test_bad_row_reads_on),
		cmocka_unit_test(test_write_read_round_trip),
		cmocka_unit_test(test_json_writer),
		cmocka_unit_test(test_json_writer_bad_number),
		cmocka_unit_test(test_ids_writer),
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_out_record),
		cmocka_unit_test(test_fmt_parse),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
