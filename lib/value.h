/*
 * value.h — parsing and printing of the value types every entity uses:
 * integers, exact money, dates, UTC timestamps, currencies, e-mail and
 * phone numbers, and the normal forms used to match records.
 *
 * Parsers take (s, len) — input need not be NUL-terminated — and return
 * 0 or CRM_EDATA with a crm_seterr() detail that names the problem but
 * not the field (the caller adds "field 'x': ").  Formatters append to a
 * struct crm_buf and return 0 or ENOMEM.
 */
#ifndef CRM_VALUE_H
#define CRM_VALUE_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"

/* The one checked integer parser: optional sign, digits, nothing else. */
int crm_parse_i64(const char *s, size_t len, int64_t min, int64_t max,
    int64_t *out);

/* Strips ASCII spaces and tabs from both ends of (*s, *len); inline,
 * as every value read passes here. */
static inline void
crm_trim(const char **s, size_t *len)
{
	while (*len > 0 && (**s == ' ' || **s == '\t')) {
		(*s)++;
		(*len)--;
	}
	while (*len > 0 && ((*s)[*len - 1] == ' ' || (*s)[*len - 1] == '\t'))
		(*len)--;
}

/*
 * Money: a decimal string ("1234.5", "-0.05", "1,234.50") to integer
 * minor units at the currency's exponent (2 for most, 0 for JPY, 3 for
 * KWD).  A comma is taken only as a thousands separator in groups of
 * three, so "12,5" is refused rather than guessed.  More fraction digits
 * than the currency has are refused unless they are zeros.
 */
int crm_money_parse(const char *s, size_t len, int exponent, int64_t *out);
int crm_money_format(struct crm_buf *b, int64_t minor, int exponent);

/* Minor-unit exponent of an ISO 4217 code; 2 when unknown or NULL. */
int crm_currency_exponent(const char *code, size_t len);
/* Three ASCII letters, upper-cased into out[4]. */
int crm_currency_parse(const char *s, size_t len, char out[4]);

/*
 * Dates are days since 1970-01-01 (negative before), from 0001-01-01 to
 * 9999-12-31.  Accepted: YYYY-MM-DD, YYYY/M/D, a timestamp (its UTC
 * date), and relative to now: today, yesterday, tomorrow, +7d, -30d, -2w,
 * -1m, +1y (months and years clamp the day: Jan 31 + 1m = Feb 28).
 */
#define CRM_MIN_DAYS (-719162)	/* 0001-01-01 */
#define CRM_MAX_DAYS 2932896	/* 9999-12-31 */
int crm_date_parse(const char *s, size_t len, int64_t now, int64_t *days);
int crm_date_format(struct crm_buf *b, int64_t days);

/*
 * Timestamps are seconds since the epoch, UTC.  Accepted:
 * YYYY-MM-DDTHH:MM:SS[.frac](Z|±HH:MM), the same with a space for T,
 * a bare date (midnight UTC), now, today, and offsets from now: -90s,
 * +30min, -2h, -7d, -2w, -1m (a calendar month, as in dates), +1y.
 * Printed as YYYY-MM-DDTHH:MM:SSZ.
 */
int crm_time_parse(const char *s, size_t len, int64_t now, int64_t *secs);
int crm_time_format(struct crm_buf *b, int64_t secs);

/* A decimal integer, without printf. */
int crm_int_format(struct crm_buf *b, int64_t v);

/*
 * Durations for SLA and --days options: 30m, 4h, 1d, 2w or a bare
 * number of seconds.
 */
int crm_duration_parse(const char *s, size_t len, int64_t *secs);

/* Calendar conversions (proleptic Gregorian). */
int64_t crm_days_from_civil(int64_t y, unsigned m, unsigned d);
void crm_civil_from_days(int64_t days, int64_t *y, unsigned *m, unsigned *d);

/*
 * "Now": $CRM_NOW when set (any form crm_time_parse takes, absolute),
 * else the clock.  Returns 0, or CRM_EDATA when $CRM_NOW does not parse.
 */
int crm_now(int64_t *secs);

/*
 * Orders two custom-field values: numbers (in numeric order, so 9 < 10)
 * before texts (byte by byte).  Returns <0, 0 or >0.
 */
int crm_value_cmp(const char *a, size_t al, const char *b, size_t bl);

/* Booleans: 1/0, true/false, yes/no, y/n (any case). */
int crm_bool_parse(const char *s, size_t len, int *out);

/*
 * E-mail: checks the shape (one @, a non-empty local part, a dotted
 * domain, no spaces or controls) and appends the normal form, trimmed
 * and lower-cased, to out (NULL: only checks).
 */
int crm_email_norm(struct crm_buf *out, const char *s, size_t len);

/*
 * Phone: checks the shape (digits with + ( ) - . / and spaces; 3 to 20
 * digits) and appends the digits to out; a leading + or 00 becomes a
 * leading '+' so international numbers are told apart.  out NULL: only
 * checks.
 */
int crm_phone_norm(struct crm_buf *out, const char *s, size_t len);

/*
 * True when two normal phone forms are the same number: equal, or one is
 * international (+CC…) and ends with the other's national digits (its
 * trunk 0 dropped) of at least 7 digits.
 */
int crm_phone_same(const char *a, const char *b);

/* crm_phone_same on two numbers as written (false when either is not
 * a phone number). */
int crm_phone_equal(const char *a, size_t al, const char *b, size_t bl);

/*
 * Name key for duplicate detection: ASCII lower-cased, spaces and
 * punctuation (ASCII, ideographic and full-width) removed, and a trailing
 * company form (inc, ltd, llc, gmbh, co, corp, 有限公司, 公司) dropped, so
 * "ACME, Inc." and "Acme" meet, and so do 张三 and 张 三.
 */
int crm_name_key(struct crm_buf *out, const char *s, size_t len);

#endif
