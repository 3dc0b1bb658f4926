/*
 * value.c — value types: integers, money, dates, timestamps, e-mail,
 * phone and name normal forms.  No floating point anywhere: money is
 * integer minor units, time is integer seconds.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "error.h"
#include "value.h"

#define MIN_DAYS CRM_MIN_DAYS
#define MAX_DAYS CRM_MAX_DAYS

static int
isdig(int c)
{
	return c >= '0' && c <= '9';
}

static int
lower(int c)
{
	return c >= 'A' && c <= 'Z' ? c + 32 : c;
}

int
crm_parse_i64(const char *s, size_t len, int64_t min, int64_t max,
    int64_t *out)
{
	uint64_t v = 0, lim;
	int64_t x;
	size_t i = 0;
	int neg = 0;

	crm_trim(&s, &len);
	if (len > 0 && (s[0] == '-' || s[0] == '+')) {
		neg = s[0] == '-';
		i++;
	}
	if (i == len)
		return crm_seterr(CRM_EDATA, "\"%.*s\": not an integer",
		    (int)len, s);
	lim = neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
	for (; i < len; i++) {
		if (!isdig((unsigned char)s[i]))
			return crm_seterr(CRM_EDATA, "\"%.*s\": not an integer",
			    (int)len, s);
		if (v > (lim - (uint64_t)(s[i] - '0')) / 10)
			return crm_seterr(CRM_EDATA, "\"%.*s\": out of range",
			    (int)len, s);
		v = v * 10 + (uint64_t)(s[i] - '0');
	}
	if (neg)
		x = v == (uint64_t)INT64_MAX + 1 ? INT64_MIN : -(int64_t)v;
	else
		x = (int64_t)v;
	if (x < min || x > max)
		return crm_seterr(CRM_EDATA,
		    "\"%.*s\": out of range %lld to %lld", (int)len, s,
		    (long long)min, (long long)max);
	*out = x;	/* only on success */
	return 0;
}

/* ---- money ---------------------------------------------------------- */

static const struct {
	char code[4];
	int exp;
} exponents[] = {
	{ "BHD", 3 }, { "BIF", 0 }, { "CLP", 0 }, { "DJF", 0 }, { "GNF", 0 },
	{ "IQD", 3 }, { "ISK", 0 }, { "JOD", 3 }, { "JPY", 0 }, { "KMF", 0 },
	{ "KRW", 0 }, { "KWD", 3 }, { "LYD", 3 }, { "OMR", 3 }, { "PYG", 0 },
	{ "RWF", 0 }, { "TND", 3 }, { "UGX", 0 }, { "VND", 0 }, { "VUV", 0 },
	{ "XAF", 0 }, { "XOF", 0 }, { "XPF", 0 },
};

int
crm_currency_exponent(const char *code, size_t len)
{
	size_t i;

	if (code == NULL || len != 3)
		return 2;
	for (i = 0; i < sizeof(exponents) / sizeof(exponents[0]); i++)
		if (memcmp(exponents[i].code, code, 3) == 0)
			return exponents[i].exp;
	return 2;
}

int
crm_currency_parse(const char *s, size_t len, char out[4])
{
	size_t i;

	crm_trim(&s, &len);
	if (len != 3)
		goto bad;
	for (i = 0; i < 3; i++) {
		int c = (unsigned char)s[i];

		if (c >= 'a' && c <= 'z')
			c -= 32;
		if (c < 'A' || c > 'Z')
			goto bad;
		out[i] = (char)c;
	}
	out[3] = '\0';
	return 0;
bad:
	return crm_seterr(CRM_EDATA,
	    "\"%.*s\": not an ISO 4217 currency code", (int)len, s);
}

int
crm_money_parse(const char *s, size_t len, int exponent, int64_t *out)
{
	const char *p, *end;
	uint64_t v = 0;
	int neg = 0, frac = -1, ndig = 0, group = -1, nfrac = 0, i;

	crm_trim(&s, &len);
	p = s;
	end = s + len;
	if (p < end && (*p == '-' || *p == '+'))
		neg = *p++ == '-';
	for (; p < end; p++) {
		int c = (unsigned char)*p;

		if (isdig(c)) {
			if (frac >= 0) {
				nfrac++;
				if (frac == exponent) {
					if (c != '0')
						goto toomany;
					continue;
				}
				frac++;
			} else if (group >= 0)
				group++;
			if (v > (UINT64_MAX - 9) / 10)
				goto range;
			v = v * 10 + (uint64_t)(c - '0');
			ndig++;
		} else if (c == ',' && frac < 0 && ndig > 0 &&
		    (group == -1 ? ndig <= 3 : group == 3)) {
			group = 0;
		} else if (c == '.' && frac < 0 && (group == -1 || group == 3)) {
			frac = 0;
			group = -1;
		} else
			goto bad;
	}
	if (ndig == 0 || (group >= 0 && group != 3) || (frac >= 0 && nfrac == 0))
		goto bad;
	for (i = frac < 0 ? 0 : frac; i < exponent; i++) {
		if (v > UINT64_MAX / 10)
			goto range;
		v *= 10;
	}
	if (v > (uint64_t)INT64_MAX)
		goto range;
	*out = neg ? -(int64_t)v : (int64_t)v;
	return 0;
bad:
	return crm_seterr(CRM_EDATA, "\"%.*s\": not a decimal number",
	    (int)len, s);
toomany:
	return crm_seterr(CRM_EDATA,
	    "\"%.*s\": more than %d decimal places for this currency",
	    (int)len, s, exponent);
range:
	return crm_seterr(CRM_EDATA, "\"%.*s\": amount out of range",
	    (int)len, s);
}

int
crm_money_format(struct crm_buf *b, int64_t minor, int exponent)
{
	char tmp[32];
	uint64_t v;
	int n = 0, rc, i;

	v = minor < 0 ? (uint64_t)0 - (uint64_t)minor : (uint64_t)minor;
	do {
		tmp[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v || n <= exponent);
	if (minor < 0 && (rc = crm_buf_addc(b, '-')) != 0)
		return rc;
	for (i = n - 1; i >= 0; i--) {
		rc = crm_buf_addc(b, tmp[i]);
		if (rc == 0 && i == exponent && exponent > 0)
			rc = crm_buf_addc(b, '.');
		if (rc != 0)
			return rc;
	}
	return 0;
}

/* ---- calendar ------------------------------------------------------- */

/* Howard Hinnant's days_from_civil: exact over the whole range. */
int64_t
crm_days_from_civil(int64_t y, unsigned m, unsigned d)
{
	int64_t era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

void
crm_civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d)
{
	int64_t era, doe, yoe, doy, mp;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	*y = yoe + era * 400;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = (unsigned)(doy - (153 * mp + 2) / 5 + 1);
	*m = (unsigned)(mp < 10 ? mp + 3 : mp - 9);
	*y += *m <= 2;
}

static unsigned
month_days(int64_t y, unsigned m)
{
	static const unsigned char md[] = { 31, 28, 31, 30, 31, 30, 31, 31,
		30, 31, 30, 31 };

	if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
		return 29;
	return md[m - 1];
}

/* Reads exactly n digits at *p into *v. */
static int
digits(const char **p, const char *end, int n, int *v)
{
	int x = 0;

	while (n-- > 0) {
		if (*p >= end || !isdig((unsigned char)**p))
			return -1;
		x = x * 10 + (*(*p)++ - '0');
	}
	*v = x;
	return 0;
}

/* Reads 1 to max digits. */
static int
digits_var(const char **p, const char *end, int max, int *v)
{
	int x = 0, n = 0;

	while (*p < end && isdig((unsigned char)**p) && n < max) {
		x = x * 10 + (*(*p)++ - '0');
		n++;
	}
	if (n == 0)
		return -1;
	*v = x;
	return 0;
}

/* Parses the calendar-date head of s; *p is left after it. */
static int
civil_date(const char **p, const char *end, int64_t *days)
{
	int y, m, d;
	char sep;

	if (digits(p, end, 4, &y) != 0 || *p >= end)
		return -1;
	sep = **p;
	if (sep != '-' && sep != '/')
		return -1;
	(*p)++;
	if ((sep == '-' ? digits(p, end, 2, &m) : digits_var(p, end, 2, &m)) != 0 ||
	    *p >= end || **p != sep)
		return -1;
	(*p)++;
	if ((sep == '-' ? digits(p, end, 2, &d) : digits_var(p, end, 2, &d)) != 0)
		return -1;
	if (y < 1 || m < 1 || m > 12 || d < 1 ||
	    (unsigned)d > month_days(y, (unsigned)m))
		return -2;
	*days = crm_days_from_civil(y, (unsigned)m, (unsigned)d);
	return 0;
}

static int64_t
add_months(int64_t days, int64_t months)
{
	int64_t y, total;
	unsigned m, d, md;

	crm_civil_from_days(days, &y, &m, &d);
	total = y * 12 + (m - 1) + months;
	y = total >= 0 ? total / 12 : (total - 11) / 12;
	m = (unsigned)(total - y * 12) + 1;
	md = month_days(y, m);
	if (d > md)
		d = md;
	return crm_days_from_civil(y, m, d);
}

/*
 * A relative offset "+7d" / "-2w" / "-1m" / "+30min": the number and its
 * unit, one of s min h d w m y (m is a month everywhere, as in dates).
 * Returns -1 when s is not of that form.
 */
static int
relative(const char *s, size_t len, int64_t *n, char *unit)
{
	size_t k = len;
	int64_t v;

	if (len < 2 || (s[0] != '+' && s[0] != '-'))
		return -1;
	while (k > 1 && s[k - 1] >= 'a' && s[k - 1] <= 'z')
		k--;
	if (len - k == 3 && memcmp(s + k, "min", 3) == 0)
		*unit = 'M';	/* minutes */
	else if (len - k == 1 && strchr("shdwmy", s[k]) != NULL)
		*unit = s[k];
	else
		return -1;
	if (crm_parse_i64(s, k, -1000000, 1000000, &v) != 0) {
		crm_clearerr();
		return -1;
	}
	*n = v;
	return 0;
}

static int
word(const char *s, size_t len, const char *w)
{
	size_t i;

	if (strlen(w) != len)
		return 0;
	for (i = 0; i < len; i++)
		if (lower((unsigned char)s[i]) != w[i])
			return 0;
	return 1;
}

static int64_t
floor_div(int64_t a, int64_t b)
{
	int64_t q = a / b;

	return a % b != 0 && a < 0 ? q - 1 : q;	/* no negation: INT64_MIN */
}

int
crm_date_parse(const char *s, size_t len, int64_t now, int64_t *days)
{
	const char *p, *end;
	int64_t today = floor_div(now, 86400), n, t;
	char unit;
	int rc;

	crm_trim(&s, &len);
	p = s;
	end = s + len;
	if (word(s, len, "today"))
		t = today;
	else if (word(s, len, "yesterday"))
		t = today - 1;
	else if (word(s, len, "tomorrow"))
		t = today + 1;
	else if (relative(s, len, &n, &unit) == 0) {
		switch (unit) {
		case 'd': t = today + n; break;
		case 'w': t = today + 7 * n; break;
		case 'm': t = add_months(today, n); break;
		case 'y': t = add_months(today, 12 * n); break;
		default: goto bad;
		}
	} else {
		rc = civil_date(&p, end, &t);
		if (rc == -2)
			return crm_seterr(CRM_EDATA, "\"%.*s\": no such date",
			    (int)len, s);
		if (rc != 0)
			goto bad;
		if (p != end) {
			/* A timestamp: its UTC date. */
			int64_t secs;

			if (crm_time_parse(s, len, now, &secs) != 0)
				goto bad;
			t = floor_div(secs, 86400);
		}
	}
	if (t < MIN_DAYS || t > MAX_DAYS)
		return crm_seterr(CRM_EDATA,
		    "\"%.*s\": date outside 0001-01-01 to 9999-12-31",
		    (int)len, s);
	*days = t;
	return 0;
bad:
	return crm_seterr(CRM_EDATA,
	    "\"%.*s\": not a date (YYYY-MM-DD, today, -30d, +2w, -1m)",
	    (int)len, s);
}

/* Appends n as exactly w digits (zero-padded); w <= 19. */
static void
put_digits(char *out, uint64_t n, int w)
{
	while (w-- > 0) {
		out[w] = (char)('0' + n % 10);
		n /= 10;
	}
}

/* Formatting by hand: printf was most of the time of a large listing. */
int
crm_date_format(struct crm_buf *b, int64_t days)
{
	int64_t y;
	unsigned m, d;
	char tmp[16];

	crm_civil_from_days(days, &y, &m, &d);
	if (y < 0 || y > 9999)
		return crm_buf_printf(b, "%04lld-%02u-%02u", (long long)y, m, d);
	put_digits(tmp, (uint64_t)y, 4);
	tmp[4] = '-';
	put_digits(tmp + 5, m, 2);
	tmp[7] = '-';
	put_digits(tmp + 8, d, 2);
	return crm_buf_add(b, tmp, 10);
}

/*
 * The form a load meets for every row, YYYY-MM-DDTHH:MM:SSZ, read at its
 * fixed places.  -1 for anything else, in range or not: the general
 * parse below then decides, and words its errors.
 */
static int
time_fixed(const char *s, int64_t *secs)
{
#define DG(i) ((unsigned)((unsigned char)s[i] - '0'))
	unsigned y, m, d, hh, mm, ss, bad;

	bad = (DG(0) > 9) | (DG(1) > 9) | (DG(2) > 9) | (DG(3) > 9) |
	    (DG(5) > 9) | (DG(6) > 9) | (DG(8) > 9) | (DG(9) > 9) |
	    (DG(11) > 9) | (DG(12) > 9) | (DG(14) > 9) | (DG(15) > 9) |
	    (DG(17) > 9) | (DG(18) > 9) | (s[4] != '-') | (s[7] != '-') |
	    (s[10] != 'T') | (s[13] != ':') | (s[16] != ':') | (s[19] != 'Z');
	if (bad)
		return -1;
	y = DG(0) * 1000 + DG(1) * 100 + DG(2) * 10 + DG(3);
	m = DG(5) * 10 + DG(6);
	d = DG(8) * 10 + DG(9);
	hh = DG(11) * 10 + DG(12);
	mm = DG(14) * 10 + DG(15);
	ss = DG(17) * 10 + DG(18);
#undef DG
	if (y < 1 || m < 1 || m > 12 || d < 1 || d > month_days(y, m) ||
	    hh > 23 || mm > 59 || ss > 59)
		return -1;
	*secs = crm_days_from_civil(y, m, d) * 86400 +
	    (int64_t)(hh * 3600 + mm * 60 + ss);
	return 0;
}

int
crm_time_parse(const char *s, size_t len, int64_t now, int64_t *secs)
{
	const char *p, *end;
	int64_t days, n, t;
	int hh = 0, mm = 0, ss = 0, oh, om, sign, rc;
	char unit;

	crm_trim(&s, &len);
	if (len == 20 && time_fixed(s, secs) == 0)
		return 0;
	p = s;
	end = s + len;
	/* A date first (most times are): no word nor offset to look for. */
	if (len > 0 && isdig((unsigned char)*s))
		goto absolute;
	if (word(s, len, "now")) {
		*secs = now;
		return 0;
	}
	if (word(s, len, "today")) {
		*secs = floor_div(now, 86400) * 86400;
		return 0;
	}
	if (relative(s, len, &n, &unit) == 0) {
		int64_t today = floor_div(now, 86400);

		switch (unit) {
		case 's': t = n; break;
		case 'M': t = n * 60; break;
		case 'h': t = n * 3600; break;
		case 'd': t = n * 86400; break;
		case 'w': t = n * 7 * 86400; break;
		/* Calendar months and years keep the time of day. */
		case 'm': t = (add_months(today, n) - today) * 86400; break;
		case 'y': t = (add_months(today, 12 * n) - today) * 86400; break;
		default: goto bad;
		}
		if (__builtin_add_overflow(now, t, &t) ||
		    t < (int64_t)MIN_DAYS * 86400 ||
		    t > ((int64_t)MAX_DAYS + 1) * 86400 - 1)
			return crm_seterr(CRM_EDATA, "\"%.*s\": outside 0001-01-01 "
			    "to 9999-12-31", (int)len, s);
		*secs = t;
		return 0;
	}
absolute:
	rc = civil_date(&p, end, &days);
	if (rc == -2)
		return crm_seterr(CRM_EDATA, "\"%.*s\": no such date",
		    (int)len, s);
	if (rc != 0)
		goto bad;
	if (p < end) {
		if (*p != 'T' && *p != 't' && *p != ' ')
			goto bad;
		p++;
		if (digits(&p, end, 2, &hh) != 0 || p >= end || *p++ != ':' ||
		    digits(&p, end, 2, &mm) != 0)
			goto bad;
		if (p < end && *p == ':') {
			p++;
			if (digits(&p, end, 2, &ss) != 0)
				goto bad;
			if (p < end && (*p == '.' || *p == ',')) {
				/* Fractions of a second are dropped. */
				p++;
				if (p >= end || !isdig((unsigned char)*p))
					goto bad;
				while (p < end && isdig((unsigned char)*p))
					p++;
			}
		}
		if (hh > 23 || mm > 59 || ss > 60)
			return crm_seterr(CRM_EDATA, "\"%.*s\": no such time",
			    (int)len, s);
		if (ss == 60)
			ss = 59;	/* a leap second lands on :59 */
		t = days * 86400 + hh * 3600 + mm * 60 + ss;
		if (p < end && (*p == 'Z' || *p == 'z'))
			p++;
		else if (p < end && (*p == '+' || *p == '-')) {
			sign = *p++ == '-' ? -1 : 1;
			if (digits(&p, end, 2, &oh) != 0)
				goto bad;
			if (p < end && *p == ':')
				p++;
			if (digits(&p, end, 2, &om) != 0 || oh > 23 || om > 59)
				goto bad;
			t -= sign * (oh * 3600 + om * 60);
		}
		if (p != end)
			goto bad;
	} else
		t = days * 86400;
	if (t < (int64_t)MIN_DAYS * 86400 || t > ((int64_t)MAX_DAYS + 1) * 86400 - 1)
		return crm_seterr(CRM_EDATA, "\"%.*s\": outside 0001-01-01 to "
		    "9999-12-31", (int)len, s);
	*secs = t;
	return 0;
bad:
	return crm_seterr(CRM_EDATA,
	    "\"%.*s\": not a timestamp (YYYY-MM-DDTHH:MM:SSZ, now, -2h, -30d, -1m)",
	    (int)len, s);
}

int
crm_time_format(struct crm_buf *b, int64_t secs)
{
	int64_t days = floor_div(secs, 86400), rem = secs - days * 86400;
	char tmp[12];
	int rc;

	rc = crm_date_format(b, days);
	if (rc != 0)
		return rc;
	tmp[0] = 'T';
	put_digits(tmp + 1, (uint64_t)(rem / 3600), 2);
	tmp[3] = ':';
	put_digits(tmp + 4, (uint64_t)(rem / 60 % 60), 2);
	tmp[6] = ':';
	put_digits(tmp + 7, (uint64_t)(rem % 60), 2);
	tmp[9] = 'Z';
	return crm_buf_add(b, tmp, 10);
}

int
crm_int_format(struct crm_buf *b, int64_t v)
{
	char tmp[24];
	uint64_t u = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
	int n = 24;

	do {
		tmp[--n] = (char)('0' + u % 10);
		u /= 10;
	} while (u != 0);
	if (v < 0)
		tmp[--n] = '-';
	return crm_buf_add(b, tmp + n, (size_t)(24 - n));
}

int
crm_duration_parse(const char *s, size_t len, int64_t *secs)
{
	int64_t n, mul = 1;

	crm_trim(&s, &len);
	if (len > 1 && !isdig((unsigned char)s[len - 1])) {
		switch (s[len - 1]) {
		case 's': mul = 1; break;
		case 'm': mul = 60; break;
		case 'h': mul = 3600; break;
		case 'd': mul = 86400; break;
		case 'w': mul = 7 * 86400; break;
		default: goto bad;
		}
		len--;
	}
	if (crm_parse_i64(s, len, 0, INT64_MAX / (7 * 86400), &n) != 0)
		goto bad;
	*secs = n * mul;
	return 0;
bad:
	return crm_seterr(CRM_EDATA,
	    "\"%.*s\": not a duration (30m, 4h, 1d, 2w)", (int)len, s);
}

int
crm_now(int64_t *secs)
{
	const char *env = getenv("CRM_NOW");
	struct timespec ts;

	if (clock_gettime(CLOCK_REALTIME, &ts) != 0)
		return errno;
	*secs = ts.tv_sec;
	/* Relative forms ("now", "-1d") count from the clock. */
	if (env != NULL && env[0] != '\0' &&
	    crm_time_parse(env, strlen(env), ts.tv_sec, secs) != 0)
		return crm_seterr(CRM_EDATA,
		    "CRM_NOW \"%s\": not an ISO 8601 timestamp", env);
	return 0;
}

/* A plain decimal, at six places; fails quietly. */
static int
decimal6(const char *s, size_t len, int64_t *v)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (s[i] == ',')
			return -1;	/* "1,5" is text here, not 15 */
	if (crm_money_parse(s, len, 6, v) != 0) {
		crm_clearerr();
		return -1;
	}
	return 0;
}

int
crm_value_cmp(const char *a, size_t al, const char *b, size_t bl)
{
	int64_t x, y;
	int c, na, nb;

	/* Numbers first, in numeric order, then texts byte by byte: a
	 * total order, as sorting needs (9 < 10 < 1a). */
	na = al > 0 && decimal6(a, al, &x) == 0;
	nb = bl > 0 && decimal6(b, bl, &y) == 0;
	if (na && nb)
		return x < y ? -1 : x > y;
	if (na != nb)
		return na ? -1 : 1;
	c = memcmp(a, b, al < bl ? al : bl);
	if (c != 0)
		return c;
	return al < bl ? -1 : al > bl;
}

int
crm_bool_parse(const char *s, size_t len, int *out)
{
	static const char *const yes[] = { "1", "true", "yes", "y", "t" };
	static const char *const no[] = { "0", "false", "no", "n", "f" };
	size_t i;

	crm_trim(&s, &len);
	for (i = 0; i < 5; i++) {
		if (word(s, len, yes[i])) {
			*out = 1;
			return 0;
		}
		if (word(s, len, no[i])) {
			*out = 0;
			return 0;
		}
	}
	return crm_seterr(CRM_EDATA, "\"%.*s\": not a boolean (yes/no)",
	    (int)len, s);
}

/* ---- normal forms --------------------------------------------------- */

int
crm_email_norm(struct crm_buf *out, const char *s, size_t len)
{
	size_t i, at = (size_t)-1, dot = (size_t)-1;
	char *d = NULL;
	int rc;

	crm_trim(&s, &len);
	if (out != NULL) {
		rc = crm_buf_grow(out, len);
		if (rc != 0)
			return rc;
		d = out->p + out->len;
	}
	/* Checked and lowered in one pass; the copy counts only if good. */
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c > '@') {
			if (d != NULL)
				d[i] = (char)lower(c);
			if (c == 0x7f)
				goto bad;
			continue;
		}
		if (d != NULL)
			d[i] = (char)c;
		if (c <= ' ' || c == ',' || c == ';' || c == '<' || c == '>')
			goto bad;
		if (c == '@') {
			if (at != (size_t)-1)
				goto bad;
			at = i;
		} else if (c == '.' && at != (size_t)-1)
			dot = i;
	}
	if (at == (size_t)-1 || at == 0 || dot == (size_t)-1 ||
	    dot == at + 1 || dot == len - 1)
		goto bad;
	if (out != NULL) {
		out->len += len;
		out->p[out->len] = '\0';
	}
	return 0;
bad:
	if (out != NULL)
		out->p[out->len] = '\0';
	return crm_seterr(CRM_EDATA, "\"%.*s\": not an e-mail address",
	    (int)len, s);
}

int
crm_phone_norm(struct crm_buf *out, const char *s, size_t len)
{
	size_t i, n, start = out != NULL ? out->len : 0;
	int ndig = 0, kept, plus = 0;
	char num[24], *first;

	crm_trim(&s, &len);
	/* One pass: the digits are kept aside (a number of more than 22
	 * is refused below anyway), separators dropped. */
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (isdig(c)) {
			if (ndig < 23)
				num[1 + ndig] = (char)c;
			ndig++;
		} else if (c == '+' && ndig == 0 && !plus)
			plus = 1;
		else if (c != ' ' && c != '-' && c != '(' && c != ')' &&
		    c != '.' && c != '/')
			goto bad;
	}
	/* A leading + or 00 is the international prefix: decided on the
	 * digits, so the normal form is stable. */
	if (!plus && ndig >= 2 && num[1] == '0' && num[2] == '0')
		plus = 2;	/* 00: drop the two zeros */
	kept = ndig - (plus == 2 ? 2 : 0);
	if (kept < 3 || kept > 20)
		goto bad;
	if (out == NULL)
		return 0;	/* only asked whether it is one */
	/* At most 20 digits and the +, added at once. */
	n = (size_t)kept + (plus != 0);
	first = num + 1 + (ndig - kept) - (plus != 0);
	first[0] = plus ? '+' : first[0];
	return crm_buf_add(out, first, n);
bad:
	if (out != NULL) {
		out->len = start;
		if (out->p)
			out->p[start] = '\0';
	}
	return crm_seterr(CRM_EDATA, "\"%.*s\": not a phone number",
	    (int)len, s);
}

int
crm_phone_same(const char *a, const char *b)
{
	const char *intl, *nat;
	size_t li, ln;

	if (strcmp(a, b) == 0)
		return 1;
	if (a[0] == '+' && b[0] != '+') {
		intl = a;
		nat = b;
	} else if (b[0] == '+' && a[0] != '+') {
		intl = b;
		nat = a;
	} else
		return 0;
	if (nat[0] == '0')
		nat++;		/* national trunk prefix */
	li = strlen(intl);
	ln = strlen(nat);
	return ln >= 7 && li > ln + 1 && strcmp(intl + li - ln, nat) == 0;
}

int
crm_phone_equal(const char *a, size_t al, const char *b, size_t bl)
{
	struct crm_buf x = CRM_BUF_INIT, y = CRM_BUF_INIT;
	int same = 0;

	if (crm_phone_norm(&x, a, al) == 0 && crm_phone_norm(&y, b, bl) == 0)
		same = crm_phone_same(x.p, y.p);
	crm_clearerr();
	crm_buf_free(&x);
	crm_buf_free(&y);
	return same;
}

static const char *const company_forms[] = {
	"有限责任公司", "股份有限公司", "有限公司", "公司", "incorporated",
	"corporation", "company", "limited", "gmbh", "inc", "ltd", "llc", "corp",
	"co", "ag", "sa", "bv", "plc",
};

int
crm_name_key(struct crm_buf *out, const char *s, size_t len)
{
	size_t i, start = out->len, n, k, word = out->len;
	int rc = 0, sep = 1;

	for (i = 0; i < len && rc == 0; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c < 0x80) {
			if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
			    (c >= 'A' && c <= 'Z')) {
				if (sep)
					word = out->len;	/* a word starts */
				sep = 0;
				rc = crm_buf_addc(out, lower(c));
			} else
				sep = 1;
			continue;
		}
		sep = 0;
		/* U+3000 ideographic space and U+3001/3002 、。 */
		if (c == 0xe3 && i + 2 < len && (unsigned char)s[i + 1] == 0x80 &&
		    (unsigned char)s[i + 2] <= 0x82) {
			i += 2;
			continue;
		}
		/* Full-width ASCII U+FF01–FF5E folds to ASCII. */
		if (c == 0xef && i + 2 < len) {
			unsigned cp = ((c & 0x0fu) << 12) |
			    (((unsigned char)s[i + 1] & 0x3fu) << 6) |
			    ((unsigned char)s[i + 2] & 0x3fu);

			if (cp >= 0xff01 && cp <= 0xff5e) {
				int a = (int)(cp - 0xff01 + 0x21);

				if ((a >= '0' && a <= '9') || (a >= 'a' && a <= 'z') ||
				    (a >= 'A' && a <= 'Z'))
					rc = crm_buf_addc(out, lower(a));
				i += 2;
				continue;
			}
		}
		rc = crm_buf_addc(out, c);
	}
	if (rc != 0)
		return rc;
	n = out->len - start;
	for (k = 0; k < sizeof(company_forms) / sizeof(company_forms[0]); k++) {
		size_t fl = strlen(company_forms[k]);
		int latin = (unsigned char)company_forms[k][0] < 0x80;

		/* "Lisa" is not "Li S.A.": Latin forms must be a whole word. */
		if (n > fl && (!latin || word == out->len - fl) &&
		    memcmp(out->p + out->len - fl, company_forms[k], fl) == 0) {
			out->len -= fl;
			out->p[out->len] = '\0';
			break;
		}
	}
	return 0;
}
