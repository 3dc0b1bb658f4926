/*
 * test_report.c — the arithmetic and the pieces of report.h that the
 * command-line tests reach only in part: periods (ISO weeks at year ends,
 * leap days), weighted amounts and ratios rounded half away from zero on
 * both sides of zero and at the edges of int64, result tables (cells,
 * sorting, bars).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "error.h"
#include "report.h"
#include "value.h"

static int64_t
day(int y, unsigned m, unsigned d)
{
	return crm_days_from_civil(y, m, d);
}

static void
period(const char *s, int64_t from, int64_t to)
{
	int64_t f = 0, t = 0;

	assert_int_equal(crm_period_parse(s, &f, &t), 0);
	assert_int_equal(f, from);
	assert_int_equal(t, to);
}

static void
test_periods(void **state)
{
	int64_t f, t;
	static const char *const bad[] = { "", "26", "2026-", "2026-1",
		"2026-13", "2026-00", "2026-Q0", "2026-Q5", "2026-Q12", "2026-W00",
		"2026-W54", "2025-W53", "2026-W7", "2026-02-29", "2026-11-31",
		"2026-11-23x", "0000", "2026/11", " 2026", "2026-11-1", NULL };
	int i;

	(void)state;
	period("2026", day(2026, 1, 1), day(2026, 12, 31));
	period("2024-Q1", day(2024, 1, 1), day(2024, 3, 31));
	period("2026-q4", day(2026, 10, 1), day(2026, 12, 31));
	period("2024-02", day(2024, 2, 1), day(2024, 2, 29));
	period("2026-12", day(2026, 12, 1), day(2026, 12, 31));
	period("2024-02-29", day(2024, 2, 29), day(2024, 2, 29));
	/* ISO weeks: 2026-W01 starts in 2025; 2026 has 53 weeks (1 January
	 * is a Thursday), 2025 has 52; 2021-W01 starts on 4 January. */
	period("2026-W01", day(2025, 12, 29), day(2026, 1, 4));
	period("2026-W47", day(2026, 11, 16), day(2026, 11, 22));
	period("2026-W53", day(2026, 12, 28), day(2027, 1, 3));
	period("2021-w01", day(2021, 1, 4), day(2021, 1, 10));
	period("2020-W53", day(2020, 12, 28), day(2021, 1, 3));
	for (i = 0; bad[i] != NULL; i++) {
		if (crm_period_parse(bad[i], &f, &t) != CRM_EUSAGE)
			fail_msg("period \"%s\" accepted", bad[i]);
	}
}

static void
test_weighted(void **state)
{
	(void)state;
	assert_int_equal(crm_weighted(100000, 10), 10000);
	assert_int_equal(crm_weighted(1005, 25), 251);	/* 251.25 */
	assert_int_equal(crm_weighted(10, 25), 3);	/* 2.5: away from 0 */
	assert_int_equal(crm_weighted(30, 25), 8);	/* 7.5 */
	assert_int_equal(crm_weighted(1001, 50), 501);	/* 500.5 */
	assert_int_equal(crm_weighted(-10, 25), -3);	/* -2.5 */
	assert_int_equal(crm_weighted(-1005, 25), -251);
	assert_int_equal(crm_weighted(7, 0), 0);
	assert_int_equal(crm_weighted(7, 100), 7);
	/* Past what 64 bits hold times 100: exact through 128 bits. */
	assert_int_equal(crm_weighted(INT64_MAX, 100), INT64_MAX);
	assert_int_equal(crm_weighted(INT64_MAX, 50), INT64_MAX / 2 + 1);
	assert_int_equal(crm_weighted(INT64_MIN + 1, 50), INT64_MIN / 2);
}

/* The text of cell (row, col), as a C string. */
static const char *
cell(const struct crm_rtab *t, size_t row, size_t col)
{
	static char buf[64];
	size_t len;
	const char *s = crm_rtab_text(t, row, col, &len);

	snprintf(buf, sizeof(buf), "%.*s", (int)len, s ? s : "");
	return buf;
}

static void
test_cells(void **state)
{
	struct crm_rtab t;

	(void)state;
	crm_rtab_init(&t);
	assert_int_equal(crm_rtab_col(&t, "a", CRM_K_NUM), 0);
	assert_int_equal(crm_rtab_row(&t), 0);
	assert_int_equal(crm_rtab_pct(&t, 2, 3), 0);		/* 66.67 */
	assert_string_equal(cell(&t, 0, 0), "66.7");
	assert_int_equal(crm_rtab_row(&t), 0);
	assert_int_equal(crm_rtab_pct(&t, -1, 8), 0);		/* -12.5 */
	assert_string_equal(cell(&t, 1, 0), "-12.5");
	assert_int_equal(crm_rtab_row(&t), 0);
	assert_int_equal(crm_rtab_ratio(&t, 10, 3, 2), 0);	/* 3.333 */
	assert_string_equal(cell(&t, 2, 0), "3.33");
	assert_int_equal(crm_rtab_row(&t), 0);
	assert_int_equal(crm_rtab_ratio(&t, -5, 2, 0), 0);	/* -2.5 */
	assert_string_equal(cell(&t, 3, 0), "-3");
	assert_int_equal(crm_rtab_row(&t), 0);
	assert_int_equal(crm_rtab_ratio(&t, 1, 0, 1), 0);	/* no rate */
	assert_string_equal(cell(&t, 4, 0), "");
	assert_int_equal(crm_rtab_row(&t), 0);
	assert_int_equal(crm_rtab_money(&t, -5, 2), 0);
	assert_string_equal(cell(&t, 5, 0), "-0.05");
	/* One cell too many is a bug, reported, not a write past the row. */
	assert_int_equal(crm_rtab_int(&t, 1), CRM_EINTERNAL);
	crm_rtab_free(&t);
}

static void
test_sort_and_bars(void **state)
{
	static const struct { const char *name; int64_t n; } rows[] = {
		{ "b", 3 }, { "a", 10 }, { "c", 0 }, { "a", 2 }, { NULL, 5 },
	};
	struct crm_rtab t;
	struct crm_buf bar = CRM_BUF_INIT;
	size_t i;

	(void)state;
	crm_rtab_init(&t);
	assert_int_equal(crm_rtab_col(&t, "name", CRM_K_STR), 0);
	assert_int_equal(crm_rtab_col(&t, "n", CRM_K_NUM), 0);
	for (i = 0; i < 5; i++) {
		assert_int_equal(crm_rtab_row(&t), 0);
		if (rows[i].name != NULL)
			assert_int_equal(crm_rtab_str(&t, rows[i].name, 1), 0);
		else
			assert_int_equal(crm_rtab_empty(&t), 0);
		assert_int_equal(crm_rtab_int(&t, rows[i].n), 0);
		crm_rtab_bar(&t, rows[i].n, 0);
	}
	assert_int_equal(crm_rtab_sort(&t, "name,-n"), 0);
	assert_string_equal(cell(&t, 0, 1), "10");	/* a 10, a 2, b, c, empty */
	assert_string_equal(cell(&t, 1, 1), "2");
	assert_string_equal(cell(&t, 2, 0), "b");
	assert_string_equal(cell(&t, 4, 0), "");
	assert_int_equal(crm_rtab_sort(&t, "nope"), CRM_EUSAGE);
	/* Bars against the largest, 10, in eighths of 4 cells: 10 -> 32/8,
	 * 2 -> 6.4 -> 6/8, 0 -> nothing, 5 -> 16/8. */
	assert_int_equal(crm_rtab_bartext(&t, 0, 4, &bar), 0);
	assert_string_equal(bar.p, "\xe2\x96\x88\xe2\x96\x88\xe2\x96\x88\xe2\x96\x88");
	assert_int_equal(crm_rtab_bartext(&t, 1, 4, &bar), 0);
	assert_string_equal(bar.p, "\xe2\x96\x8a");
	assert_int_equal(crm_rtab_bartext(&t, 3, 4, &bar), 0);
	assert_int_equal(bar.len, 0);
	assert_int_equal(crm_rtab_bartext(&t, 4, 4, &bar), 0);
	assert_string_equal(bar.p, "\xe2\x96\x88\xe2\x96\x88");
	/* Centred: whole cells, the rest shared out on the left. */
	t.bar_center = 1;
	assert_int_equal(crm_rtab_bartext(&t, 1, 4, &bar), 0);
	assert_string_equal(bar.p, " \xe2\x96\x88");	/* 0.8 -> 1 cell */
	crm_buf_free(&bar);
	crm_rtab_free(&t);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_periods),
		cmocka_unit_test(test_weighted),
		cmocka_unit_test(test_cells),
		cmocka_unit_test(test_sort_and_bars),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
