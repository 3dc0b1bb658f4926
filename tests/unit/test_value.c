/*
 * test_value.c — the value types of value.h: integers, exact money,
 * currencies, dates, timestamps, durations, "now", e-mail and phone
 * normal forms, and the name key used to find duplicates.
 *
 * Every parser is handed a heap copy of exactly the input's length (no
 * terminating NUL after it), so under ASan a read past the end fails
 * the test instead of landing on a NUL.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "buf.h"
#include "error.h"
#include "value.h"

/* 2026-03-31T15:00:00Z: a month end, so -1m has to clamp. */
#define NOW_MAR31 INT64_C(1774969200)
/* 2026-03-01T12:34:56Z */
#define T_MAR01 INT64_C(1772368496)

#define D_2026_03_01 20513
#define D_2026_02_28 20512
#define D_2026_03_31 20543

/* A heap copy of s[0..n) with nothing after it. */
static char *
exact(const char *s, size_t n)
{
	char *b = malloc(n > 0 ? n : 1);

	assert_non_null(b);
	if (n > 0)
		memcpy(b, s, n);
	return b;
}

/* Compares int64 values with a readable message (cmocka's are unsigned). */
#define assert_i64(a, b) do { \
	int64_t a_ = (a), b_ = (b); \
	if (a_ != b_) \
		fail_msg("%s: %lld != %lld", #a, (long long)a_, (long long)b_); \
} while (0)

/* ---- integers ------------------------------------------------------- */

static int
i64(const char *s, int64_t min, int64_t max, int64_t *out)
{
	char *b = exact(s, strlen(s));
	int rc = crm_parse_i64(b, strlen(s), min, max, out);

	free(b);
	return rc;
}

static void
test_parse_i64(void **state)
{
	int64_t v = 0;

	(void)state;
	assert_int_equal(i64("0", INT64_MIN, INT64_MAX, &v), 0);
	assert_i64(v, 0);
	assert_int_equal(i64("-0", INT64_MIN, INT64_MAX, &v), 0);
	assert_i64(v, 0);
	assert_int_equal(i64("+5", INT64_MIN, INT64_MAX, &v), 0);
	assert_i64(v, 5);
	assert_int_equal(i64("  42\t", INT64_MIN, INT64_MAX, &v), 0);
	assert_i64(v, 42);
	assert_int_equal(i64("007", INT64_MIN, INT64_MAX, &v), 0);
	assert_i64(v, 7);
	assert_int_equal(i64("9223372036854775807", INT64_MIN, INT64_MAX, &v), 0);
	assert_i64(v, INT64_MAX);
	assert_int_equal(i64("-9223372036854775808", INT64_MIN, INT64_MAX, &v), 0);
	assert_i64(v, INT64_MIN);

	assert_int_equal(i64("9223372036854775808", INT64_MIN, INT64_MAX, &v),
	    CRM_EDATA);
	assert_int_equal(i64("-9223372036854775809", INT64_MIN, INT64_MAX, &v),
	    CRM_EDATA);
	assert_int_equal(i64("99999999999999999999999", INT64_MIN, INT64_MAX, &v),
	    CRM_EDATA);
	assert_int_equal(i64("", INT64_MIN, INT64_MAX, &v), CRM_EDATA);
	assert_int_equal(i64("  ", INT64_MIN, INT64_MAX, &v), CRM_EDATA);
	assert_int_equal(i64("-", INT64_MIN, INT64_MAX, &v), CRM_EDATA);
	assert_int_equal(i64("+", INT64_MIN, INT64_MAX, &v), CRM_EDATA);
	assert_int_equal(i64("1a", INT64_MIN, INT64_MAX, &v), CRM_EDATA);
	assert_int_equal(i64("0x10", INT64_MIN, INT64_MAX, &v), CRM_EDATA);
	assert_int_equal(i64("1 2", INT64_MIN, INT64_MAX, &v), CRM_EDATA);
	assert_int_equal(i64("1.0", INT64_MIN, INT64_MAX, &v), CRM_EDATA);
	assert_int_equal(i64("--1", INT64_MIN, INT64_MAX, &v), CRM_EDATA);

	/* Caller's bounds, inclusive. */
	assert_int_equal(i64("100", 0, 100, &v), 0);
	assert_i64(v, 100);
	assert_int_equal(i64("0", 0, 100, &v), 0);
	assert_int_equal(i64("101", 0, 100, &v), CRM_EDATA);
	assert_int_equal(i64("-1", 0, 100, &v), CRM_EDATA);
	assert_non_null(strstr(crm_errdetail(CRM_EDATA), "out of range"));

	/* Only len bytes are read: "123456" with len 3 is 123. */
	assert_int_equal(crm_parse_i64("123456", 3, INT64_MIN, INT64_MAX, &v), 0);
	assert_i64(v, 123);
}

static void
test_bool(void **state)
{
	static const char *const yes[] = { "1", "true", "TRUE", "yes", "Yes",
		"y", " Y " };
	static const char *const no[] = { "0", "false", "No", "n", "NO" };
	size_t i;
	int b;

	(void)state;
	for (i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
		b = -1;
		assert_int_equal(crm_bool_parse(yes[i], strlen(yes[i]), &b), 0);
		assert_int_equal(b, 1);
	}
	for (i = 0; i < sizeof(no) / sizeof(no[0]); i++) {
		b = -1;
		assert_int_equal(crm_bool_parse(no[i], strlen(no[i]), &b), 0);
		assert_int_equal(b, 0);
	}
	assert_int_equal(crm_bool_parse("maybe", 5, &b), CRM_EDATA);
	assert_int_equal(crm_bool_parse("", 0, &b), CRM_EDATA);
	assert_int_equal(crm_bool_parse("2", 1, &b), CRM_EDATA);
}

/* ---- money ---------------------------------------------------------- */

static int
money(const char *s, int exp, int64_t *out)
{
	char *b = exact(s, strlen(s));
	int rc = crm_money_parse(b, strlen(s), exp, out);

	free(b);
	return rc;
}

#define MONEY_OK(s, exp, want) do { \
	int64_t v_ = INT64_C(0x5a5a5a5a); \
	int rc_ = money(s, exp, &v_); \
	if (rc_ != 0) \
		fail_msg("money \"%s\" exp %d refused: %s", s, exp, \
		    crm_errdetail(rc_)); \
	assert_i64(v_, want); \
} while (0)

#define MONEY_BAD(s, exp) do { \
	int64_t v_ = 0; \
	int rc_ = money(s, exp, &v_); \
	if (rc_ != CRM_EDATA) \
		fail_msg("money \"%s\" exp %d: want CRM_EDATA, got %d (%lld)", \
		    s, exp, rc_, (long long)v_); \
} while (0)

static char *
fmt_money(int64_t minor, int exp)
{
	struct crm_buf b = CRM_BUF_INIT;

	assert_int_equal(crm_money_format(&b, minor, exp), 0);
	return b.p;
}

#define FMT_MONEY(minor, exp, want) do { \
	char *s_ = fmt_money(minor, exp); \
	assert_string_equal(s_, want); \
	free(s_); \
} while (0)

static void
test_money_parse(void **state)
{
	(void)state;
	MONEY_OK("1234.5", 2, 123450);
	MONEY_OK("1234.50", 2, 123450);
	MONEY_OK("1,234.50", 2, 123450);
	MONEY_OK("1,234,567.89", 2, 123456789);
	MONEY_OK("1234", 2, 123400);
	MONEY_OK("0", 2, 0);
	MONEY_OK("-0.05", 2, -5);
	MONEY_OK("+7.25", 2, 725);
	MONEY_OK("  19.99 ", 2, 1999);
	MONEY_OK("-0.00", 2, 0);
	/* Extra fraction digits are fine when they are zeros. */
	MONEY_OK("1.230", 2, 123);
	MONEY_OK("1.2300000", 2, 123);

	/* A comma is a thousands separator only, never a decimal point. */
	MONEY_BAD("12,5", 2);
	MONEY_BAD("1,23", 2);
	MONEY_BAD("1,2345", 2);
	MONEY_BAD("1234,5", 2);
	MONEY_BAD("1,234,56", 2);
	MONEY_BAD(",123", 2);
	MONEY_BAD("1,,234", 2);
	MONEY_BAD("1.234,50", 2);
	/* More decimals than the currency has. */
	MONEY_BAD("1.234", 2);
	MONEY_BAD("0.001", 2);
	assert_non_null(strstr(crm_errdetail(CRM_EDATA), "decimal places"));
	/* Not numbers. */
	MONEY_BAD("2.", 2);
	MONEY_BAD(".", 2);
	MONEY_BAD("", 2);
	MONEY_BAD("   ", 2);
	MONEY_BAD("-", 2);
	MONEY_BAD("--5", 2);
	MONEY_BAD("1.2.3", 2);
	MONEY_BAD("1e3", 2);
	MONEY_BAD("1 234", 2);
	MONEY_BAD("$5", 2);
	MONEY_BAD("5 USD", 2);
	MONEY_BAD("abc", 2);
	/* The detail quotes the input. */
	MONEY_BAD("12,5", 2);
	assert_non_null(strstr(crm_errdetail(CRM_EDATA), "12,5"));
}

static void
test_money_exponents(void **state)
{
	(void)state;
	/* JPY: no minor unit. */
	MONEY_OK("1500", 0, 1500);
	MONEY_OK("1500.00", 0, 1500);
	MONEY_OK("1,500", 0, 1500);
	MONEY_BAD("1500.5", 0);
	MONEY_BAD("1500.", 0);
	FMT_MONEY(1500, 0, "1500");
	FMT_MONEY(-1500, 0, "-1500");
	FMT_MONEY(0, 0, "0");
	/* KWD: three decimals. */
	MONEY_OK("1.234", 3, 1234);
	MONEY_OK("1.5", 3, 1500);
	MONEY_OK("0.001", 3, 1);
	MONEY_OK("-0.001", 3, -1);
	MONEY_BAD("0.0001", 3);
	FMT_MONEY(1234, 3, "1.234");
	FMT_MONEY(1, 3, "0.001");
	FMT_MONEY(-1, 3, "-0.001");
	/* Two decimals, formatting. */
	FMT_MONEY(123450, 2, "1234.50");
	FMT_MONEY(-5, 2, "-0.05");
	FMT_MONEY(0, 2, "0.00");
	FMT_MONEY(100, 2, "1.00");

	assert_int_equal(crm_currency_exponent("JPY", 3), 0);
	assert_int_equal(crm_currency_exponent("KRW", 3), 0);
	assert_int_equal(crm_currency_exponent("KWD", 3), 3);
	assert_int_equal(crm_currency_exponent("BHD", 3), 3);
	assert_int_equal(crm_currency_exponent("USD", 3), 2);
	assert_int_equal(crm_currency_exponent("EUR", 3), 2);
	assert_int_equal(crm_currency_exponent("CNY", 3), 2);
	assert_int_equal(crm_currency_exponent("XYZ", 3), 2);
	assert_int_equal(crm_currency_exponent(NULL, 0), 2);
	assert_int_equal(crm_currency_exponent("JPYX", 4), 2);
	/* Only len bytes count: "JPY" inside a longer string. */
	assert_int_equal(crm_currency_exponent("JPYEN", 3), 0);
}

static void
test_currency_parse(void **state)
{
	char c[4];

	(void)state;
	assert_int_equal(crm_currency_parse("usd", 3, c), 0);
	assert_string_equal(c, "USD");
	assert_int_equal(crm_currency_parse(" Jpy ", 5, c), 0);
	assert_string_equal(c, "JPY");
	assert_int_equal(crm_currency_parse("US", 2, c), CRM_EDATA);
	assert_int_equal(crm_currency_parse("USDX", 4, c), CRM_EDATA);
	assert_int_equal(crm_currency_parse("U5D", 3, c), CRM_EDATA);
	assert_int_equal(crm_currency_parse("", 0, c), CRM_EDATA);
	assert_int_equal(crm_currency_parse("\xe2\x82\xac", 3, c), CRM_EDATA);
}

static void
test_money_overflow(void **state)
{
	(void)state;
	/* INT64_MAX minor units is the largest amount. */
	MONEY_OK("92233720368547758.07", 2, INT64_MAX);
	MONEY_OK("-92233720368547758.07", 2, -INT64_MAX);
	MONEY_OK("9223372036854775807", 0, INT64_MAX);
	MONEY_BAD("92233720368547758.08", 2);
	MONEY_BAD("9223372036854775808", 0);
	MONEY_BAD("9223372036854775807", 2);	/* overflows when scaled */
	MONEY_BAD("99999999999999999999999999", 2);
	MONEY_BAD("-99999999999999999999999999", 2);
	MONEY_BAD("184467440737095516.16", 2);	/* 2^64 minor units */
	MONEY_BAD("1844674407370955161.6", 2);	/* wraps uint64 when scaled */
	assert_non_null(strstr(crm_errdetail(CRM_EDATA), "out of range"));
}

static void
test_money_round_trip(void **state)
{
	static const int64_t vals[] = {
		0, 1, -1, 5, -5, 99, 100, 101, 123450, -123450,
		INT64_C(9007199254740992), -INT64_C(9007199254740992),	/* 2^53 */
		INT64_C(9007199254740993), -INT64_C(9007199254740993),
		INT64_MAX, -INT64_MAX, INT64_MAX - 1,
	};
	size_t i;
	int exp;

	(void)state;
	for (exp = 0; exp <= 3; exp++)
		for (i = 0; i < sizeof(vals) / sizeof(vals[0]); i++) {
			char *s = fmt_money(vals[i], exp);
			int64_t back = 0;
			int rc = money(s, exp, &back);

			if (rc != 0 || back != vals[i])
				fail_msg("%lld at exp %d printed \"%s\", read "
				    "back rc %d value %lld", (long long)vals[i],
				    exp, s, rc, (long long)back);
			free(s);
		}
	FMT_MONEY(INT64_C(9007199254740992), 2, "90071992547409.92");
	FMT_MONEY(INT64_MAX, 2, "92233720368547758.07");
	FMT_MONEY(-INT64_MAX, 2, "-92233720368547758.07");
	FMT_MONEY(INT64_MIN, 2, "-92233720368547758.08");
}

/* ---- dates ---------------------------------------------------------- */

static int
date(const char *s, int64_t now, int64_t *days)
{
	char *b = exact(s, strlen(s));
	int rc = crm_date_parse(b, strlen(s), now, days);

	free(b);
	return rc;
}

#define DATE_OK(s, now, want) do { \
	int64_t d_ = INT64_MIN; \
	int rc_ = date(s, now, &d_); \
	if (rc_ != 0) \
		fail_msg("date \"%s\" refused: %s", s, crm_errdetail(rc_)); \
	assert_i64(d_, want); \
} while (0)

#define DATE_BAD(s, now) do { \
	int64_t d_ = 0; \
	int rc_ = date(s, now, &d_); \
	if (rc_ != CRM_EDATA) \
		fail_msg("date \"%s\": want CRM_EDATA, got %d (%lld)", s, rc_, \
		    (long long)d_); \
} while (0)

static char *
fmt_date(int64_t days)
{
	struct crm_buf b = CRM_BUF_INIT;

	assert_int_equal(crm_date_format(&b, days), 0);
	return b.p;
}

#define FMT_DATE(days, want) do { \
	char *s_ = fmt_date(days); \
	assert_string_equal(s_, want); \
	free(s_); \
} while (0)

static void
test_date_absolute(void **state)
{
	(void)state;
	DATE_OK("2026-03-01", 0, D_2026_03_01);
	DATE_OK("2026/3/1", 0, D_2026_03_01);
	DATE_OK("2026/03/01", 0, D_2026_03_01);
	DATE_OK(" 2026-03-01 ", 0, D_2026_03_01);
	DATE_OK("1970-01-01", 0, 0);
	DATE_OK("1969-12-31", 0, -1);
	DATE_OK("0001-01-01", 0, -719162);
	DATE_OK("9999-12-31", 0, 2932896);
	/* A timestamp gives its UTC date. */
	DATE_OK("2026-03-01T12:34:56Z", 0, D_2026_03_01);
	DATE_OK("2026-03-02T06:00:00+08:00", 0, D_2026_03_01);
	DATE_OK("2026-02-28T20:00:00-05:00", 0, D_2026_03_01);

	DATE_BAD("2026-02-30", 0);
	assert_non_null(strstr(crm_errdetail(CRM_EDATA), "no such date"));
	DATE_BAD("2026-04-31", 0);
	DATE_BAD("2026-13-01", 0);
	DATE_BAD("2026-00-10", 0);
	DATE_BAD("2026-01-00", 0);
	DATE_BAD("2026/2/30", 0);
	DATE_BAD("0000-12-31", 0);
	DATE_BAD("10000-01-01", 0);
	DATE_BAD("2026-03", 0);
	DATE_BAD("2026-03-01x", 0);
	DATE_BAD("2026-03/01", 0);
	DATE_BAD("26-03-01", 0);
	DATE_BAD("", 0);
	DATE_BAD("soon", 0);
	DATE_BAD("2026-03-01T25:00:00Z", 0);

	FMT_DATE(D_2026_03_01, "2026-03-01");
	FMT_DATE(0, "1970-01-01");
	FMT_DATE(-1, "1969-12-31");
	FMT_DATE(-719162, "0001-01-01");
	FMT_DATE(2932896, "9999-12-31");
}

static void
test_date_leap_years(void **state)
{
	(void)state;
	DATE_OK("2024-02-29", 0, 19782);
	DATE_OK("2000-02-29", 0, 11016);
	DATE_BAD("2023-02-29", 0);
	assert_non_null(strstr(crm_errdetail(CRM_EDATA), "no such date"));
	DATE_BAD("1900-02-29", 0);
	DATE_BAD("2100-02-29", 0);
	DATE_OK("2400-02-29", 0, crm_days_from_civil(2400, 2, 29));
	DATE_OK("2024/2/29", 0, 19782);
	DATE_BAD("2023/2/29", 0);
}

static void
test_date_relative(void **state)
{
	const int64_t now = NOW_MAR31;	/* 2026-03-31T15:00:00Z */

	(void)state;
	DATE_OK("today", now, D_2026_03_31);
	DATE_OK("TODAY", now, D_2026_03_31);
	DATE_OK("yesterday", now, D_2026_03_31 - 1);
	DATE_OK("tomorrow", now, D_2026_03_31 + 1);
	DATE_OK("+7d", now, D_2026_03_31 + 7);
	DATE_OK("-30d", now, D_2026_03_31 - 30);
	DATE_OK("-2w", now, D_2026_03_31 - 14);
	DATE_OK("+0d", now, D_2026_03_31);
	/* Months and years clamp to the month's last day. */
	DATE_OK("-1m", now, D_2026_02_28);
	DATE_OK("+1m", now, crm_days_from_civil(2026, 4, 30));
	DATE_OK("+2m", now, crm_days_from_civil(2026, 5, 31));
	DATE_OK("-13m", now, crm_days_from_civil(2025, 2, 28));
	DATE_OK("-1y", now, crm_days_from_civil(2025, 3, 31));
	DATE_OK("-25m", now, crm_days_from_civil(2024, 2, 29));
	DATE_OK("-1y", crm_days_from_civil(2024, 2, 29) * 86400,
	    crm_days_from_civil(2023, 2, 28));
	DATE_OK("-1m", crm_days_from_civil(2026, 1, 15) * 86400,
	    crm_days_from_civil(2025, 12, 15));
	/* Before the epoch "today" is still the calendar day. */
	DATE_OK("today", -1, -1);
	DATE_OK("today", -86400, -1);
	DATE_OK("today", -86401, -2);

	DATE_BAD("+7x", now);
	DATE_BAD("7d", now);
	DATE_BAD("+d", now);
	DATE_BAD("+1.5d", now);
	DATE_BAD("+1000000y", now);	/* past 9999-12-31 */
}

/* ---- timestamps ----------------------------------------------------- */

static int
ts(const char *s, int64_t now, int64_t *secs)
{
	char *b = exact(s, strlen(s));
	int rc = crm_time_parse(b, strlen(s), now, secs);

	free(b);
	return rc;
}

#define TIME_OK(s, now, want) do { \
	int64_t t_ = INT64_MIN; \
	int rc_ = ts(s, now, &t_); \
	if (rc_ != 0) \
		fail_msg("time \"%s\" refused: %s", s, crm_errdetail(rc_)); \
	assert_i64(t_, want); \
} while (0)

#define TIME_BAD(s) do { \
	int64_t t_ = 0; \
	int rc_ = ts(s, 0, &t_); \
	if (rc_ != CRM_EDATA) \
		fail_msg("time \"%s\": want CRM_EDATA, got %d (%lld)", s, rc_, \
		    (long long)t_); \
} while (0)

static char *
fmt_time(int64_t secs)
{
	struct crm_buf b = CRM_BUF_INIT;

	assert_int_equal(crm_time_format(&b, secs), 0);
	return b.p;
}

#define FMT_TIME(secs, want) do { \
	char *s_ = fmt_time(secs); \
	assert_string_equal(s_, want); \
	free(s_); \
} while (0)

static void
test_time_parse(void **state)
{
	const int64_t now = NOW_MAR31;

	(void)state;
	TIME_OK("2026-03-01T12:34:56Z", 0, T_MAR01);
	TIME_OK("2026-03-01t12:34:56z", 0, T_MAR01);
	TIME_OK("2026-03-01 12:34:56Z", 0, T_MAR01);
	TIME_OK("2026-03-01T12:34:56", 0, T_MAR01);
	TIME_OK("2026-03-01T12:34:56.789Z", 0, T_MAR01);	/* dropped */
	TIME_OK("2026-03-01T12:34:56.999999999+00:00", 0, T_MAR01);
	TIME_OK("2026-03-01T20:34:56+08:00", 0, T_MAR01);
	TIME_OK("2026-03-01T20:34:56+0800", 0, T_MAR01);
	TIME_OK("2026-03-01T07:04:56-05:30", 0, T_MAR01);
	TIME_OK("2026-03-01T12:34Z", 0, T_MAR01 - 56);
	/* An offset that crosses midnight and a month end. */
	TIME_OK("2026-03-01T00:30:00+08:00", 0,
	    crm_days_from_civil(2026, 2, 28) * 86400 + 16 * 3600 + 30 * 60);
	/* A bare date is midnight UTC. */
	TIME_OK("2026-03-01", 0, D_2026_03_01 * INT64_C(86400));
	/* A leap second lands on :59. */
	TIME_OK("2016-12-31T23:59:60Z", 0,
	    crm_days_from_civil(2016, 12, 31) * 86400 + 86399);
	/* Relative to now. */
	TIME_OK("now", now, now);
	TIME_OK("NOW", now, now);
	TIME_OK("-2h", now, now - 7200);
	TIME_OK("+30min", now, now + 1800);
	TIME_OK("-90s", now, now - 90);
	TIME_OK("-7d", now, now - 7 * 86400);
	TIME_OK("-2w", now, now - 14 * 86400);
	TIME_OK("+45s", now, now + 45);
	TIME_OK("1969-12-31T23:59:59Z", 0, -1);
	/* m is a calendar month, as in dates, and keeps the time of day:
	 * 2026-03-31T15:00 - 1m = 2026-02-28T15:00. */
	TIME_OK("-1m", now, D_2026_02_28 * INT64_C(86400) + 15 * 3600);
	TIME_OK("+1m", now, crm_days_from_civil(2026, 4, 30) * 86400 + 15 * 3600);
	TIME_OK("-1y", now, crm_days_from_civil(2025, 3, 31) * 86400 + 15 * 3600);
	TIME_OK("today", now, D_2026_03_31 * INT64_C(86400));

	/* the ends of the range and a leap day, in the form a load meets */
	TIME_OK("0001-01-01T00:00:00Z", 0, crm_days_from_civil(1, 1, 1) * 86400);
	TIME_OK("9999-12-31T23:59:59Z", 0,
	    crm_days_from_civil(9999, 12, 31) * 86400 + 86399);
	TIME_OK("2024-02-29T23:59:59Z", 0,
	    crm_days_from_civil(2024, 2, 29) * 86400 + 86399);
	TIME_BAD("0000-01-01T00:00:00Z");
	TIME_BAD("2026-00-01T00:00:00Z");
	TIME_BAD("2026-01-00T00:00:00Z");
	TIME_BAD("2026-03-01T12:00:0xZ");
	TIME_BAD("2026-03-01T12:00:00Y");
	TIME_BAD("2026-13-01T00:00:00Z");
	TIME_BAD("2026-02-29T00:00:00Z");
	TIME_BAD("2026-03-01T24:00:00Z");
	TIME_BAD("2026-03-01T12:60:00Z");
	TIME_BAD("2026-03-01T12:00:61Z");
	TIME_BAD("2026-03-01T12:00:00+24:00");
	TIME_BAD("2026-03-01T12:00:00+08:60");
	TIME_BAD("2026-03-01T12:00:00Zjunk");
	TIME_BAD("2026-03-01T12:00:00.Z");
	TIME_BAD("2026-03-01T12");
	TIME_BAD("2026-03-01T1:00:00Z");
	TIME_BAD("2026-03-01X12:00:00Z");
	TIME_BAD("-2x");
	TIME_BAD("-2mins");
	TIME_BAD("-m");
	TIME_BAD("2h");
	TIME_BAD("");
	TIME_BAD("yesterday-ish");
}

static void
test_time_format(void **state)
{
	static const int64_t vals[] = {
		0, 1, -1, 59, 60, 86399, 86400, -86400, -86401,
		T_MAR01, NOW_MAR31, 951782400 /* 2000-02-29 */,
		INT64_C(253402300799),		/* 9999-12-31T23:59:59Z */
		INT64_C(-62135596800),		/* 0001-01-01T00:00:00Z */
	};
	size_t i;

	(void)state;
	FMT_TIME(0, "1970-01-01T00:00:00Z");
	FMT_TIME(-1, "1969-12-31T23:59:59Z");
	FMT_TIME(T_MAR01, "2026-03-01T12:34:56Z");
	FMT_TIME(INT64_C(253402300799), "9999-12-31T23:59:59Z");
	FMT_TIME(INT64_C(-62135596800), "0001-01-01T00:00:00Z");
	for (i = 0; i < sizeof(vals) / sizeof(vals[0]); i++) {
		char *s = fmt_time(vals[i]);
		int64_t back = 0;

		assert_int_equal(ts(s, 0, &back), 0);
		assert_i64(back, vals[i]);
		free(s);
	}
	/* Every hour of a leap day and the days around it. */
	for (i = 0; i < 24 * 3; i++) {
		int64_t t = crm_days_from_civil(2024, 2, 28) * 86400 +
		    (int64_t)i * 3600 + 1799;
		char *s = fmt_time(t);
		int64_t back = 0;

		assert_int_equal(ts(s, 0, &back), 0);
		assert_i64(back, t);
		free(s);
	}
}

static void
test_calendar(void **state)
{
	int64_t d, y;
	unsigned m, dd;

	(void)state;
	/* days_from_civil and civil_from_days are inverses over the range. */
	for (d = -719162; d <= 2932896; d += 997) {
		crm_civil_from_days(d, &y, &m, &dd);
		assert_i64(crm_days_from_civil(y, m, dd), d);
	}
	crm_civil_from_days(-719162, &y, &m, &dd);
	assert_i64(y, 1);
	assert_int_equal(m, 1);
	assert_int_equal(dd, 1);
}

/* ---- durations and now --------------------------------------------- */

static void
test_duration(void **state)
{
	static const struct {
		const char *s;
		int64_t want;
	} ok[] = {
		{ "30m", 1800 }, { "4h", 14400 }, { "1d", 86400 },
		{ "2w", 1209600 }, { "90", 90 }, { "90s", 90 }, { "0", 0 },
		{ " 8h ", 28800 },
	};
	static const char *const bad[] = { "", "m", "h4", "-5m", "1.5h", "5x",
		"99999999999999999w", "abc" };
	size_t i;
	int64_t v;

	(void)state;
	for (i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		char *b = exact(ok[i].s, strlen(ok[i].s));

		v = -1;
		if (crm_duration_parse(b, strlen(ok[i].s), &v) != 0)
			fail_msg("duration \"%s\" refused", ok[i].s);
		assert_i64(v, ok[i].want);
		free(b);
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char *b = exact(bad[i], strlen(bad[i]));

		if (crm_duration_parse(b, strlen(bad[i]), &v) != CRM_EDATA)
			fail_msg("duration \"%s\" accepted as %lld", bad[i],
			    (long long)v);
		free(b);
	}
}

static void
test_now_fixed(void **state)
{
	int64_t v = 0;

	(void)state;
	assert_int_equal(setenv("CRM_NOW", "2026-03-01T12:34:56Z", 1), 0);
	assert_int_equal(crm_now(&v), 0);
	assert_i64(v, T_MAR01);
	assert_int_equal(setenv("CRM_NOW", "2026-03-01T20:34:56+08:00", 1), 0);
	assert_int_equal(crm_now(&v), 0);
	assert_i64(v, T_MAR01);
	assert_int_equal(setenv("CRM_NOW", "2026-03-01", 1), 0);
	assert_int_equal(crm_now(&v), 0);
	assert_i64(v, D_2026_03_01 * INT64_C(86400));
	assert_int_equal(unsetenv("CRM_NOW"), 0);
}

static void
test_now_bad(void **state)
{
	static const char *const bad[] = { "yesterday at noon",
		"2026-02-30T00:00:00Z", "2026-03-01T12:00:00+25:00", "-2x",
		"1772368496" };
	int64_t v = 0;
	size_t i;
	int rc;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(setenv("CRM_NOW", bad[i], 1), 0);
		rc = crm_now(&v);
		assert_int_equal(unsetenv("CRM_NOW"), 0);
		if (rc != CRM_EDATA)
			fail_msg("CRM_NOW=\"%s\": want CRM_EDATA, got %d (%lld)",
			    bad[i], rc, (long long)v);
		assert_non_null(strstr(crm_errdetail(CRM_EDATA), "CRM_NOW"));
	}
}

/*
 * "now", "today" and offsets do not name a fixed time: CRM_NOW=now is
 * refused or read from the clock, never as 1970-01-01.
 */
static void
test_now_words(void **state)
{
	static const struct {
		const char *s;
		int64_t lo, hi;		/* accepted range around the clock */
	} words[] = {
		{ "now", -5, 5 },
		{ "today", -86400, 5 },
		{ "-2h", -7200 - 5, -7200 + 5 },
		{ "+1d", 86400 - 5, 86400 + 5 },
	};
	int64_t v, clock_now = (int64_t)time(NULL);
	size_t i;
	int rc;

	(void)state;
	for (i = 0; i < sizeof(words) / sizeof(words[0]); i++) {
		assert_int_equal(setenv("CRM_NOW", words[i].s, 1), 0);
		v = 0;
		rc = crm_now(&v);
		assert_int_equal(unsetenv("CRM_NOW"), 0);
		if (rc == 0 && (v < clock_now + words[i].lo ||
		    v > clock_now + words[i].hi))
			fail_msg("CRM_NOW=%s gave %lld, the clock says %lld",
			    words[i].s, (long long)v, (long long)clock_now);
		if (rc != 0)
			assert_int_equal(rc, CRM_EDATA);
	}
}

static void
test_now_clock(void **state)
{
	int64_t v = 0, before = (int64_t)time(NULL);

	(void)state;
	assert_int_equal(setenv("CRM_NOW", "", 1), 0);
	assert_int_equal(crm_now(&v), 0);
	assert_true(v >= before - 1 && v <= (int64_t)time(NULL) + 1);
	assert_int_equal(unsetenv("CRM_NOW"), 0);
	assert_int_equal(crm_now(&v), 0);
	assert_true(v >= before - 1 && v <= (int64_t)time(NULL) + 1);
}

/* ---- e-mail, phone, name keys ---------------------------------------- */

static int
email(const char *s, struct crm_buf *out)
{
	char *b = exact(s, strlen(s));
	int rc;

	crm_buf_reset(out);
	rc = crm_email_norm(out, b, strlen(s));
	/* Asked only to check, it says the same. */
	assert_int_equal(crm_email_norm(NULL, b, strlen(s)), rc);
	free(b);
	return rc;
}

static void
test_email(void **state)
{
	static const char *const bad[] = { "bob@", "@example.com", "bob",
		"a b@c.d", "bob@@example.com", "bob@example", "bob@.com",
		"bob@example.", "", "   ", "bob@exa mple.com", "bob@x.com\n",
		"bob@x.com,ann@x.com", "Bob <bob@x.com>", "bob@x.com;",
		"b\x7fob@x.com", "bo\x01" "b@x.com" };
	struct crm_buf b = CRM_BUF_INIT;
	size_t i;

	(void)state;
	assert_int_equal(email("  Bob@Example.COM\t", &b), 0);
	assert_string_equal(b.p, "bob@example.com");
	assert_int_equal(email("ann.lee+crm@mail.example.co.uk", &b), 0);
	assert_string_equal(b.p, "ann.lee+crm@mail.example.co.uk");
	assert_int_equal(email("ZHANG@\xe4\xbe\x8b\xe5\xad\x90.cn", &b), 0);
	assert_string_equal(b.p, "zhang@\xe4\xbe\x8b\xe5\xad\x90.cn");
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (email(bad[i], &b) != CRM_EDATA)
			fail_msg("e-mail \"%s\" accepted as \"%s\"", bad[i],
			    b.p ? b.p : "");
	/* The normal form is appended after what out holds. */
	crm_buf_reset(&b);
	assert_int_equal(crm_buf_adds(&b, "key:"), 0);
	assert_int_equal(crm_email_norm(&b, "A@B.CD", 6), 0);
	assert_string_equal(b.p, "key:a@b.cd");
	crm_buf_free(&b);
}

static int
phone(const char *s, struct crm_buf *out)
{
	char *b = exact(s, strlen(s));
	int rc;

	crm_buf_reset(out);
	rc = crm_phone_norm(out, b, strlen(s));
	/* Asked only to check, it says the same. */
	assert_int_equal(crm_phone_norm(NULL, b, strlen(s)), rc);
	free(b);
	return rc;
}

#define PHONE_OK(s, want) do { \
	if (phone(s, &b) != 0) \
		fail_msg("phone \"%s\" refused: %s", s, \
		    crm_errdetail(CRM_EDATA)); \
	assert_string_equal(b.p, want); \
} while (0)

static void
test_phone(void **state)
{
	static const char *const bad[] = { "", "12", "+", "00", "138-0000-abcd",
		"call me", "1+2", "++8613800000007", "138 0000 0007 ext 12",
		"123456789012345678901", "00123456789012345678901",
		"+123456789012345678901", "\xef\xbc\x91\xef\xbc\x92\xef\xbc\x93",
		"138_0000_0007", "138#0000" };
	struct crm_buf b = CRM_BUF_INIT;
	size_t i;

	(void)state;
	PHONE_OK("+86 138 0000 0007", "+8613800000007");
	PHONE_OK("(138) 0000-0007", "13800000007");
	PHONE_OK("0086 138 0000 0007", "+8613800000007");
	PHONE_OK("00 86 138 0000 0007", "+8613800000007");
	PHONE_OK("+1 (555) 010-9999", "+15550109999");
	PHONE_OK("555.010.9999", "5550109999");
	PHONE_OK("030/1234567", "0301234567");
	PHONE_OK("  110  ", "110");
	PHONE_OK("12345678901234567890", "12345678901234567890");
	/* the longest: 20 digits after + or 00 */
	PHONE_OK("+12345678901234567890", "+12345678901234567890");
	PHONE_OK("00 12345678901234567890", "+12345678901234567890");
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (phone(bad[i], &b) != CRM_EDATA)
			fail_msg("phone \"%s\" accepted as \"%s\"", bad[i],
			    b.p ? b.p : "");
	/* A refused number leaves out as it was. */
	crm_buf_reset(&b);
	assert_int_equal(crm_buf_adds(&b, "p:"), 0);
	assert_int_equal(crm_phone_norm(&b, "12ab34", 6), CRM_EDATA);
	assert_string_equal(b.p, "p:");
	assert_int_equal(b.len, 2);
	crm_buf_free(&b);
}

static void
test_phone_same(void **state)
{
	(void)state;
	assert_true(crm_phone_same("+8613800000007", "+8613800000007"));
	assert_true(crm_phone_same("+8613800000007", "13800000007"));
	assert_true(crm_phone_same("13800000007", "+8613800000007"));
	assert_true(crm_phone_same("+4915112345678", "015112345678"));
	assert_true(crm_phone_same("015112345678", "+4915112345678"));
	assert_false(crm_phone_same("+8613800000007", "+8513800000007"));
	assert_false(crm_phone_same("+8613800000007", "13800000008"));
	assert_false(crm_phone_same("13800000007", "13800000008"));
	/* Too short to say: a 4-digit tail proves nothing. */
	assert_false(crm_phone_same("+861234", "1234"));
	assert_false(crm_phone_same("+86123456", "123456"));
	/* The national number alone is not an international number. */
	assert_false(crm_phone_same("+13800000007", "13800000007"));
}

static char *
name_key(const char *s)
{
	struct crm_buf b = CRM_BUF_INIT;
	char *in = exact(s, strlen(s));

	assert_int_equal(crm_name_key(&b, in, strlen(s)), 0);
	free(in);
	if (b.p == NULL)
		return strdup("");
	return b.p;
}

/* Compares the name keys of a and b; frees them before any failure. */
static void
check_keys(const char *a, const char *b, int want_same)
{
	char *ka = name_key(a), *kb = name_key(b);
	char msg[512];
	int same = strcmp(ka, kb) == 0;

	snprintf(msg, sizeof(msg), "\"%s\" -> \"%s\", \"%s\" -> \"%s\"", a,
	    ka, b, kb);
	free(ka);
	free(kb);
	if (same != want_same)
		fail_msg("name keys should %s: %s", want_same ? "meet" : "differ",
		    msg);
}

#define SAME_KEY(a, b) check_keys(a, b, 1)
#define DIFF_KEY(a, b) check_keys(a, b, 0)

#define KEY(a, want) do { \
	char *k_ = name_key(a); \
	int ok_ = strcmp(k_, want) == 0; \
	char got_[256]; \
	snprintf(got_, sizeof(got_), "%s", k_); \
	free(k_); \
	if (!ok_) \
		fail_msg("name key of \"%s\": \"%s\", want \"%s\"", a, got_, \
		    want); \
} while (0)

static void
test_name_key(void **state)
{
	(void)state;
	KEY("ACME, Inc.", "acme");
	SAME_KEY("ACME, Inc.", "acme");
	SAME_KEY("Acme Ltd", "ACME");
	SAME_KEY("Acme GmbH", "acme");
	SAME_KEY("Acme Corporation", "acme");
	SAME_KEY("Acme Co.", "acme");
	SAME_KEY("Acme-Widgets", "acme widgets");
	SAME_KEY("\xe5\xbc\xa0 \xe4\xb8\x89", "\xe5\xbc\xa0\xe4\xb8\x89");
	SAME_KEY("\xe5\xbc\xa0\xe3\x80\x80\xe4\xb8\x89",	/* ideographic space */
	    "\xe5\xbc\xa0\xe4\xb8\x89");
	SAME_KEY("\xef\xbc\xa1\xef\xbc\xa3\xef\xbc\xad\xef\xbc\xa5", "acme");
	SAME_KEY("\xef\xbd\x81\xef\xbd\x83\xef\xbd\x8d\xef\xbd\x85", "ACME");
	/* 阿里巴巴有限公司 and 阿里巴巴 */
	SAME_KEY("\xe9\x98\xbf\xe9\x87\x8c\xe5\xb7\xb4\xe5\xb7\xb4"
	    "\xe6\x9c\x89\xe9\x99\x90\xe5\x85\xac\xe5\x8f\xb8",
	    "\xe9\x98\xbf\xe9\x87\x8c\xe5\xb7\xb4\xe5\xb7\xb4");
	DIFF_KEY("Acme", "Acne");
	DIFF_KEY("\xe5\xbc\xa0\xe4\xb8\x89", "\xe5\xbc\xa0\xe5\x9b\x9b");
	/* A name that is only a company form keeps it. */
	KEY("Inc", "inc");
	/*
	 * A company form is a trailing word, not any trailing letters:
	 * Lisa is not Li, Tesco is not Tes, Costco is not Cost.
	 */
	KEY("Lisa", "lisa");
	DIFF_KEY("Lisa", "Li");
	DIFF_KEY("Tesco", "Tes");
	DIFF_KEY("Costco", "Cost");
	DIFF_KEY("Disco", "Dis");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_i64),
		cmocka_unit_test(test_bool),
		cmocka_unit_test(test_money_parse),
		cmocka_unit_test(test_money_exponents),
		cmocka_unit_test(test_currency_parse),
		cmocka_unit_test(test_money_overflow),
		cmocka_unit_test(test_money_round_trip),
		cmocka_unit_test(test_date_absolute),
		cmocka_unit_test(test_date_leap_years),
		cmocka_unit_test(test_date_relative),
		cmocka_unit_test(test_time_parse),
		cmocka_unit_test(test_time_format),
		cmocka_unit_test(test_calendar),
		cmocka_unit_test(test_duration),
		cmocka_unit_test(test_now_fixed),
		cmocka_unit_test(test_now_bad),
		cmocka_unit_test(test_now_words),
		cmocka_unit_test(test_now_clock),
		cmocka_unit_test(test_email),
		cmocka_unit_test(test_phone),
		cmocka_unit_test(test_phone_same),
		cmocka_unit_test(test_name_key),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
