/*
 * fuzz_values.c — the value parsers and formatters of value.h and the
 * UTF-8 functions of utf8.h.
 *
 * The first byte chooses what to fuzz; the rest is the text (or, for the
 * formatter checks, eight bytes of a number).  Each parser must return 0
 * or CRM_EDATA, never read past its length (the text is handed over in
 * a buffer of exactly its size, so ASan sees any over-read), and:
 *   money     at exponents 0-3: format then parse gives the value back,
 *             the formatted text is a fixed point, and one more
 *             exponent is exactly ten times the value;
 *   integers  any int64 but INT64_MIN formats and parses back at each
 *             exponent; crm_parse_i64 agrees with a plain reference;
 *   dates     parse → in 0001..9999 → format → parse gives the same day;
 *             every day in range round-trips;
 *   times     parse → format → parse gives the same second;
 *   durations non-negative, a whole number of the unit;
 *   e-mail    normal form is lower case, same length, idempotent;
 *   phone     digits and a leading '+', idempotent, a refused number
 *             leaves the buffer as it was; crm_phone_same symmetric;
 *             crm_phone_equal ("a|b") symmetric and equal to
 *             crm_phone_same on the normal forms;
 *   name key  no ASCII upper case, spaces or punctuation; never longer;
 *             for valid UTF-8 (what records hold): stays valid, and
 *             ASCII case does not matter;
 *   utf8      crm_utf8_check agrees with a reference decoder (and its
 *             bad offset is the longest valid prefix), width is additive
 *             over code points, prefix never splits a code point, fits,
 *             is maximal and takes trailing zero-width code points;
 *   tags      a list set from text, then "+word"/"-word" lines through
 *             crm_rec_tag: the list stays normal (no empty, repeated or
 *             blank-edged words), the word is in it exactly after "+",
 *             and the return value says whether the list changed;
 *   others    booleans, currencies; crm_value_cmp is antisymmetric and
 *             transitive ("a|b|c").
 */
#include <errno.h>

#include "fuzz_common.h"
#include "utf8.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MIN_DAYS (-719162)	/* 0001-01-01, as value.c */
#define MAX_DAYS 2932896	/* 9999-12-31 */

/* The text as its own allocation, so that ASan sees an over-read. */
static char *
dup_exact(const uint8_t *p, size_t n)
{
	char *s = malloc(n ? n : 1);

	if (s == NULL)
		abort();
	if (n > 0)
		memcpy(s, p, n);
	return s;
}

static void
expect_rc(int rc, const char *what)
{
	FUZZ_CHECK(rc == 0 || rc == CRM_EDATA, "%s: rc %d (%s)", what, rc,
	    crm_errdetail(rc));
}

/* ---- money ---------------------------------------------------------- */

static void
money(const char *s, size_t n)
{
	struct crm_buf b = CRM_BUF_INIT, b2 = CRM_BUF_INIT;
	int64_t v[4], w;
	int ok[4], e, rc;

	for (e = 0; e < 4; e++) {
		rc = crm_money_parse(s, n, e, &v[e]);
		expect_rc(rc, "crm_money_parse");
		ok[e] = rc == 0;
		if (!ok[e])
			continue;
		crm_buf_reset(&b);
		FUZZ_CHECK(crm_money_format(&b, v[e], e) == 0, "format");
		rc = crm_money_parse(b.p, b.len, e, &w);
		FUZZ_CHECK(rc == 0 && w == v[e], "money \"%.*s\" at exponent %d "
		    "is %lld, printed \"%s\", read back as %lld (rc %d)",
		    (int)n, s, e, (long long)v[e], b.p, (long long)w, rc);
		crm_buf_reset(&b2);
		FUZZ_CHECK(crm_money_format(&b2, w, e) == 0, "format");
		FUZZ_SAME(&b, &b2, "printed money");
	}
	/* One more decimal place: ten times as many minor units. */
	for (e = 0; e < 3; e++)
		if (ok[e] && ok[e + 1])
			FUZZ_CHECK(v[e + 1] == v[e] * 10, "\"%.*s\": %lld at "
			    "exponent %d but %lld at %d", (int)n, s,
			    (long long)v[e], e, (long long)v[e + 1], e + 1);
		else if (ok[e] && !ok[e + 1])
			FUZZ_CHECK(v[e] > INT64_MAX / 10 || v[e] < -(INT64_MAX / 10),
			    "\"%.*s\" reads at exponent %d but not at %d", (int)n,
			    s, e, e + 1);
	crm_buf_free(&b);
	crm_buf_free(&b2);
}

static void
money_int(int64_t v)
{
	struct crm_buf b = CRM_BUF_INIT;
	int64_t w;
	int e, rc;

	if (v == INT64_MIN)
		v = INT64_MIN + 1;
	for (e = 0; e < 4; e++) {
		crm_buf_reset(&b);
		FUZZ_CHECK(crm_money_format(&b, v, e) == 0, "format");
		rc = crm_money_parse(b.p, b.len, e, &w);
		FUZZ_CHECK(rc == 0 && w == v, "%lld at exponent %d prints as "
		    "\"%s\", which reads as %lld (rc %d)", (long long)v, e, b.p,
		    (long long)w, rc);
	}
	crm_buf_reset(&b);
	FUZZ_CHECK(crm_int_format(&b, v) == 0, "int format");
	FUZZ_CHECK(crm_parse_i64(b.p, b.len, INT64_MIN, INT64_MAX, &w) == 0 &&
	    w == v, "%lld prints as \"%s\"", (long long)v, b.p);
	crm_buf_free(&b);
}

/* ---- integers ------------------------------------------------------- */

/* A plain reference for crm_parse_i64. */
static int
ref_i64(const char *s, size_t n, int64_t min, int64_t max, int64_t *out)
{
	__int128 v = 0;
	size_t i = 0;
	int neg = 0;

	while (n > 0 && (s[0] == ' ' || s[0] == '\t')) {
		s++;
		n--;
	}
	while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t'))
		n--;
	if (n > 0 && (s[0] == '+' || s[0] == '-'))
		neg = s[i++] == '-';
	if (i == n)
		return -1;
	for (; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
		if (v > (__int128)INT64_MAX + 1)
			return -1;
	}
	if (neg)
		v = -v;
	if (v < min || v > max)
		return -1;
	*out = (int64_t)v;
	return 0;
}

static void
integers(const char *s, size_t n, uint8_t sel)
{
	static const int64_t bounds[][2] = {
		{ INT64_MIN, INT64_MAX }, { 0, 100 }, { 1, 5 },
		{ -1000000, 1000000 }, { 1, INT64_MAX }, { 0, 0 },
	};
	int64_t got = 0, want = 0;
	int rc, ref;
	size_t k = sel % (sizeof(bounds) / sizeof(bounds[0]));

	rc = crm_parse_i64(s, n, bounds[k][0], bounds[k][1], &got);
	expect_rc(rc, "crm_parse_i64");
	ref = ref_i64(s, n, bounds[k][0], bounds[k][1], &want);
	FUZZ_CHECK((rc == 0) == (ref == 0) && (rc != 0 || got == want),
	    "crm_parse_i64(\"%.*s\", %lld, %lld): rc %d value %lld; the "
	    "reference says %s %lld", (int)n, s, (long long)bounds[k][0],
	    (long long)bounds[k][1], rc, (long long)got,
	    ref == 0 ? "valid" : "invalid", (long long)want);
}

/* ---- dates and times ------------------------------------------------ */

static void
dates(const char *s, size_t n, int64_t now)
{
	struct crm_buf b = CRM_BUF_INIT;
	int64_t d, d2;
	int rc;

	rc = crm_date_parse(s, n, now, &d);
	expect_rc(rc, "crm_date_parse");
	if (rc == 0) {
		FUZZ_CHECK(d >= MIN_DAYS && d <= MAX_DAYS, "\"%.*s\" is day "
		    "%lld, outside 0001..9999", (int)n, s, (long long)d);
		FUZZ_CHECK(crm_date_format(&b, d) == 0, "format");
		FUZZ_CHECK(b.len == 10, "day %lld prints as \"%s\"",
		    (long long)d, b.p);
		/* A printed date does not depend on now. */
		rc = crm_date_parse(b.p, b.len, -now, &d2);
		FUZZ_CHECK(rc == 0 && d2 == d, "\"%.*s\" is day %lld, printed "
		    "\"%s\", read back as %lld (rc %d)", (int)n, s,
		    (long long)d, b.p, (long long)d2, rc);
	}
	crm_buf_free(&b);
}

static void
times(const char *s, size_t n, int64_t now)
{
	struct crm_buf b = CRM_BUF_INIT;
	int64_t t, t2 = 0, d = 0;
	int rc;

	rc = crm_time_parse(s, n, now, &t);
	expect_rc(rc, "crm_time_parse");
	if (rc == 0) {
		FUZZ_CHECK(crm_time_format(&b, t) == 0, "format");
		rc = crm_time_parse(b.p, b.len, -now, &t2);
		/* Known: instants outside years 1-9999 are taken but print
		 * as text that is refused (known.txt: time-range). */
		if (rc != 0 && fuzz_known("time-range") &&
		    fuzz_odd_year(b.p, b.len))
			goto done;	/* fuzz_known_value() without a record */
		FUZZ_CHECK(rc == 0 && t2 == t, "timestamp \"%.*s\" is %lld, "
		    "printed \"%s\", read back as %lld (rc %d: %s)", (int)n, s,
		    (long long)t, b.p, (long long)t2, rc,
		    rc ? crm_errdetail(rc) : "ok");
		/* As a date, a timestamp is its UTC day. */
		rc = crm_date_parse(b.p, b.len, now, &d);
		if (rc == 0)
			FUZZ_CHECK(d * 86400 <= t && t < d * 86400 + 86400,
			    "\"%s\" is day %lld", b.p, (long long)d);
	}
done:
	crm_buf_free(&b);
}

/* Every day in range and every second in range prints and reads back. */
static void
calendar_int(int64_t x)
{
	struct crm_buf b = CRM_BUF_INIT;
	int64_t span = (int64_t)MAX_DAYS - MIN_DAYS + 1, d, back, t;
	int64_t y;
	unsigned m, dd;
	int rc;

	d = MIN_DAYS + (int64_t)((uint64_t)x % (uint64_t)span);
	crm_civil_from_days(d, &y, &m, &dd);
	FUZZ_CHECK(crm_days_from_civil(y, m, dd) == d, "day %lld is "
	    "%lld-%u-%u", (long long)d, (long long)y, m, dd);
	FUZZ_CHECK(crm_date_format(&b, d) == 0, "format");
	rc = crm_date_parse(b.p, b.len, 0, &back);
	FUZZ_CHECK(rc == 0 && back == d, "day %lld prints as \"%s\", reads "
	    "as %lld (rc %d)", (long long)d, b.p, (long long)back, rc);
	t = d * 86400 + (int64_t)((uint64_t)x / (uint64_t)span % 86400);
	crm_buf_reset(&b);
	FUZZ_CHECK(crm_time_format(&b, t) == 0, "format");
	rc = crm_time_parse(b.p, b.len, 0, &back);
	FUZZ_CHECK(rc == 0 && back == t, "second %lld prints as \"%s\", "
	    "reads as %lld (rc %d)", (long long)t, b.p, (long long)back, rc);
	crm_buf_free(&b);
}

static void
durations(const char *s, size_t n)
{
	int64_t t;
	int rc = crm_duration_parse(s, n, &t);
	char last;

	expect_rc(rc, "crm_duration_parse");
	if (rc != 0)
		return;
	FUZZ_CHECK(t >= 0, "duration \"%.*s\" is %lld", (int)n, s,
	    (long long)t);
	while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t'))
		n--;
	last = n > 0 ? s[n - 1] : '0';
	FUZZ_CHECK(last == 'm' ? t % 60 == 0 : last == 'h' ? t % 3600 == 0 :
	    last == 'd' ? t % 86400 == 0 : last == 'w' ? t % 604800 == 0 : 1,
	    "duration \"%.*s\" is %lld seconds", (int)n, s, (long long)t);
}

/* ---- normal forms --------------------------------------------------- */

static void
emails(const char *s, size_t n)
{
	struct crm_buf b = CRM_BUF_INIT, b2 = CRM_BUF_INIT;
	size_t i, at = 0, tl = n;
	const char *t = s;
	int rc;

	rc = crm_email_norm(&b, s, n);
	expect_rc(rc, "crm_email_norm");
	if (rc == 0) {
		crm_trim(&t, &tl);
		FUZZ_CHECK(b.len == tl, "\"%.*s\" normalises to \"%s\"",
		    (int)n, s, b.p);
		for (i = 0; i < b.len; i++) {
			FUZZ_CHECK(!(b.p[i] >= 'A' && b.p[i] <= 'Z'), "upper case "
			    "in \"%s\"", b.p);
			at += b.p[i] == '@';
		}
		FUZZ_CHECK(at == 1, "\"%s\" has %zu '@'", b.p, at);
		rc = crm_email_norm(&b2, b.p, b.len);
		FUZZ_CHECK(rc == 0, "normal form \"%s\" is refused", b.p);
		FUZZ_SAME(&b, &b2, "e-mail normal forms");
	}
	crm_buf_free(&b);
	crm_buf_free(&b2);
}

static void
phones(const char *s, size_t n)
{
	struct crm_buf b = CRM_BUF_INIT, b2 = CRM_BUF_INIT;
	const char *bar = memchr(s, '|', n);
	size_t i;
	int rc;

	/* Something already in the buffer stays, on success or failure. */
	FUZZ_CHECK(crm_buf_adds(&b, "pre:") == 0, "buf");
	rc = crm_phone_norm(&b, s, n);
	expect_rc(rc, "crm_phone_norm");
	FUZZ_CHECK(b.len >= 4 && memcmp(b.p, "pre:", 4) == 0 &&
	    b.p[b.len] == '\0', "the buffer's head was lost");
	if (rc != 0)
		FUZZ_CHECK(b.len == 4, "a refused number left \"%s\"", b.p);
	if (rc == 0) {
		for (i = 4; i < b.len; i++)
			FUZZ_CHECK((b.p[i] >= '0' && b.p[i] <= '9') ||
			    (i == 4 && b.p[i] == '+'), "phone \"%.*s\" normalises "
			    "to \"%s\"", (int)n, s, b.p + 4);
		rc = crm_phone_norm(&b2, b.p + 4, b.len - 4);
		/* Known: "0-0…" normalises to "00…", which reads as "+…"
		 * (known.txt: phone-norm-00). */
		if (fuzz_known("phone-norm-00") &&
		    strncmp(b.p + 4, "00", 2) == 0)
			goto pair;
		FUZZ_CHECK(rc == 0 && strcmp(b2.p, b.p + 4) == 0, "normal form "
		    "\"%s\" normalises to \"%s\" (rc %d)", b.p + 4,
		    rc ? "" : b2.p, rc);
		FUZZ_CHECK(crm_phone_same(b.p + 4, b.p + 4), "not the same "
		    "as itself: %s", b.p + 4);
	}
pair:
	if (bar != NULL) {
		struct crm_buf x = CRM_BUF_INIT, y = CRM_BUF_INIT;

		const char *t = bar + 1;
		size_t al = (size_t)(bar - s), bl = n - al - 1;
		int eq = crm_phone_equal(s, al, t, bl), ok;

		FUZZ_CHECK(eq == 0 || eq == 1, "crm_phone_equal gave %d", eq);
		FUZZ_CHECK(eq == crm_phone_equal(t, bl, s, al), "crm_phone_equal"
		    "(\"%.*s\", \"%.*s\") is not symmetric", (int)al, s,
		    (int)bl, t);
		ok = crm_phone_norm(&x, s, al) == 0 &&
		    crm_phone_norm(&y, t, bl) == 0;
		crm_clearerr();
		if (ok) {
			FUZZ_CHECK(crm_phone_same(x.p, y.p) ==
			    crm_phone_same(y.p, x.p), "crm_phone_same(%s, %s) "
			    "is not symmetric", x.p, y.p);
			FUZZ_CHECK(eq == crm_phone_same(x.p, y.p), "crm_phone_"
			    "equal(\"%.*s\", \"%.*s\") is %d, but their normal "
			    "forms %s and %s compare %d", (int)al, s, (int)bl, t,
			    eq, x.p, y.p, crm_phone_same(x.p, y.p));
		} else
			FUZZ_CHECK(eq == 0, "crm_phone_equal takes a number "
			    "crm_phone_norm refuses");
		crm_buf_free(&x);
		crm_buf_free(&y);
	}
	crm_buf_free(&b);
	crm_buf_free(&b2);
}

static void
namekeys(const char *s, size_t n)
{
	struct crm_buf b = CRM_BUF_INIT, b2 = CRM_BUF_INIT;
	char *up;
	size_t i;
	int rc;

	rc = crm_name_key(&b, s, n);
	FUZZ_CHECK(rc == 0, "crm_name_key: rc %d", rc);
	FUZZ_CHECK(b.len <= n, "key of %zu bytes from %zu", b.len, n);
	for (i = 0; i < b.len; i++) {
		unsigned char c = (unsigned char)b.p[i];

		FUZZ_CHECK(c >= 0x80 || (c >= '0' && c <= '9') ||
		    (c >= 'a' && c <= 'z'), "byte 0x%02x in the name key of "
		    "\"%.*s\"", c, (int)n, s);
	}
	/* Names reach crm_name_key through records: valid UTF-8. */
	if (crm_utf8_check(s, n, NULL) != 0)
		goto done;
	FUZZ_CHECK(crm_utf8_check(b.p ? b.p : "", b.len, NULL) == 0,
	    "the name key of valid UTF-8 \"%.*s\" is not valid UTF-8",
	    (int)n, s);
	up = dup_exact((const uint8_t *)s, n);
	for (i = 0; i < n; i++)
		if (up[i] >= 'a' && up[i] <= 'z')
			up[i] = (char)(up[i] - 32);
	FUZZ_CHECK(crm_name_key(&b2, up, n) == 0, "name key");
	FUZZ_SAME(&b, &b2, "name keys of a text and of its upper case");
	free(up);
done:
	crm_buf_free(&b);
	crm_buf_free(&b2);
}

/* ---- UTF-8 ---------------------------------------------------------- */

/* Length of a well-formed sequence at s (RFC 3629), or 0.  NUL is 0. */
static size_t
ref_seq(const unsigned char *s, size_t n)
{
	uint32_t cp;
	size_t k, i;

	if (s[0] == 0)
		return 0;
	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc0 && s[0] < 0xe0)
		k = 2, cp = s[0] & 0x1f;
	else if (s[0] >= 0xe0 && s[0] < 0xf0)
		k = 3, cp = s[0] & 0x0f;
	else if (s[0] >= 0xf0 && s[0] < 0xf8)
		k = 4, cp = s[0] & 0x07;
	else
		return 0;
	if (n < k)
		return 0;
	for (i = 1; i < k; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	if ((k == 2 && cp < 0x80) || (k == 3 && cp < 0x800) ||
	    (k == 4 && cp < 0x10000) || cp > 0x10ffff ||
	    (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return k;
}

/* Length of the display unit at s as utf8.c defines it. */
static size_t
ref_unit(const unsigned char *s, size_t n)
{
	size_t k;

	if (s[0] == 0)
		return 1;
	k = ref_seq(s, n);
	return k ? k : 1;
}

static void
utf8(const char *s, size_t n, size_t cols)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i, k, bad = (size_t)-1, valid = 0, w, p, wp, p2;
	int rc;

	while (valid < n && (k = ref_seq(u + valid, n - valid)) != 0)
		valid += k;
	rc = crm_utf8_check(s, n, &bad);
	FUZZ_CHECK((rc == 0) == (valid == n), "crm_utf8_check says %d, the "
	    "reference finds %zu of %zu bytes valid", rc, valid, n);
	if (rc != 0)
		FUZZ_CHECK(rc == CRM_EDATA && bad == valid, "bad offset %zu, "
		    "the reference says %zu", bad, valid);

	/* Width is the sum over units. */
	w = crm_utf8_width(s, n);
	{
		size_t sum = 0;

		for (i = 0; i < n; i += k) {
			k = ref_unit(u + i, n - i);
			sum += crm_utf8_width(s + i, k);
		}
		FUZZ_CHECK(sum == w, "width %zu, but the units add up to %zu",
		    w, sum);
	}
	FUZZ_CHECK(w <= 2 * n, "width %zu of %zu bytes", w, n);

	/* Prefix: on a unit boundary, fits, maximal, zero-width taken. */
	p = crm_utf8_prefix(s, n, cols);
	FUZZ_CHECK(p <= n, "prefix %zu of %zu", p, n);
	for (i = 0; i < p; i += ref_unit(u + i, n - i))
		;
	FUZZ_CHECK(i == p, "prefix of %zu bytes ends inside a code point",
	    p);
	wp = crm_utf8_width(s, p);
	FUZZ_CHECK(wp <= cols, "prefix of width %zu for %zu columns", wp,
	    cols);
	if (p < n) {
		k = ref_unit(u + p, n - p);
		FUZZ_CHECK(wp + crm_utf8_width(s + p, k) > cols, "prefix %zu "
		    "(width %zu) stops before a unit that fits %zu columns", p,
		    wp, cols);
	}
	FUZZ_CHECK(crm_utf8_prefix(s, n, w) == n, "the whole text does not "
	    "fit its own width %zu", w);
	/* More columns never give a shorter prefix. */
	p2 = crm_utf8_prefix(s, n, cols + 1);
	FUZZ_CHECK(p2 >= p, "prefix for %zu columns %zu, for %zu only %zu",
	    cols, p, cols + 1, p2);
}

/* ---- tags ----------------------------------------------------------- */

/* A normal tag list: words split by ';', none empty, repeated, or with
 * ',' or edge blanks. */
static void
tags_normal(const struct crm_val *v)
{
	const char *p, *end, *semi;
	size_t wl;

	if (v->state == CRM_V_EMPTY)
		return;
	FUZZ_CHECK(v->state == CRM_V_SET && v->len > 0, "tags state %d len "
	    "%u", v->state, v->len);
	for (p = v->s, end = v->s + v->len; p < end; p = semi + 1) {
		semi = memchr(p, ';', (size_t)(end - p));
		if (semi == NULL)
			semi = end;
		wl = (size_t)(semi - p);
		FUZZ_CHECK(wl > 0 && memchr(p, ',', wl) == NULL && p[0] != ' ' &&
		    p[0] != '\t' && p[wl - 1] != ' ' && p[wl - 1] != '\t',
		    "tag list \"%.*s\" has a bad word \"%.*s\"", (int)v->len,
		    v->s, (int)wl, p);
		FUZZ_CHECK(!crm_tags_has(semi < end ? semi + 1 : end,
		    (size_t)(end - (semi < end ? semi + 1 : end)), p, wl),
		    "tag \"%.*s\" twice in \"%.*s\"", (int)wl, p, (int)v->len,
		    v->s);
	}
}

/* First line: a tag list; each next line "+word" or "-word". */
static void
tags(const char *s, size_t n, int64_t now)
{
	const struct crm_entity *e = fuzz_entity("customer");
	struct crm_rec *r = crm_rec_new(e);
	struct crm_buf before = CRM_BUF_INIT;
	int f = crm_field_find(e, "tags", 4), rc;
	const char *p = s, *end = s + n, *nl;

	if (r == NULL)
		abort();
	nl = memchr(p, '\n', n);
	rc = crm_rec_setf(r, f, p, nl ? (size_t)(nl - p) : n, now);
	expect_rc(rc, "setting tags");
	tags_normal(&r->v[f]);
	for (p = nl ? nl + 1 : end; p < end; p = nl ? nl + 1 : end) {
		const char *w;
		size_t wl;
		int add, changed;

		nl = memchr(p, '\n', (size_t)(end - p));
		w = p + 1;
		wl = (nl ? (size_t)(nl - p) : (size_t)(end - p));
		if (wl == 0)
			continue;
		add = *p != '-';
		wl--;
		crm_buf_reset(&before);
		if (r->v[f].state == CRM_V_SET)
			(void)crm_buf_add(&before, r->v[f].s, r->v[f].len);
		rc = crm_rec_tag(r, f, w, wl, add);
		FUZZ_CHECK(rc == 0 || rc == 1 || rc == CRM_EDATA, "crm_rec_tag: "
		    "rc %d", rc);
		tags_normal(&r->v[f]);
		changed = r->v[f].state == CRM_V_SET ? before.len != r->v[f].len ||
		    memcmp(before.p ? before.p : "", r->v[f].s, before.len) != 0 :
		    before.len != 0;
		if (rc == CRM_EDATA) {
			FUZZ_CHECK(!changed, "a refused tag changed the list");
			continue;
		}
		FUZZ_CHECK(rc == changed, "crm_rec_tag says %d, the list went "
		    "from \"%.*s\" to \"%.*s\"", rc, (int)before.len,
		    before.p ? before.p : "", (int)r->v[f].len,
		    r->v[f].s ? r->v[f].s : "");
		crm_trim(&w, &wl);
		FUZZ_CHECK((r->v[f].state == CRM_V_SET && crm_tags_has(r->v[f].s,
		    r->v[f].len, w, wl)) == add, "after %s\"%.*s\" the list "
		    "is \"%.*s\"", add ? "+" : "-", (int)wl, w,
		    (int)r->v[f].len, r->v[f].s ? r->v[f].s : "");
	}
	crm_buf_free(&before);
	crm_rec_free(r);
}

/* ---- the rest ------------------------------------------------------- */

static void
others(const char *s, size_t n)
{
	const char *bar = memchr(s, '|', n);
	char cur[4];
	int b, rc, e;

	rc = crm_bool_parse(s, n, &b);
	expect_rc(rc, "crm_bool_parse");
	if (rc == 0)
		FUZZ_CHECK(b == 0 || b == 1, "boolean %d", b);
	rc = crm_currency_parse(s, n, cur);
	expect_rc(rc, "crm_currency_parse");
	if (rc == 0) {
		FUZZ_CHECK(strlen(cur) == 3, "currency \"%s\"", cur);
		e = crm_currency_exponent(cur, 3);
		FUZZ_CHECK(e >= 0 && e <= 3, "exponent %d", e);
	}
	e = crm_currency_exponent(s, n);
	FUZZ_CHECK(e >= 0 && e <= 3, "exponent %d", e);
	if (bar != NULL) {
		const char *t = bar + 1;
		size_t al = (size_t)(bar - s), bl = n - al - 1;
		int ab = crm_value_cmp(s, al, t, bl), ba = crm_value_cmp(t, bl,
		    s, al);

		FUZZ_CHECK((ab > 0) - (ab < 0) == -((ba > 0) - (ba < 0)),
		    "crm_value_cmp(\"%.*s\", \"%.*s\") = %d, reversed %d",
		    (int)al, s, (int)bl, t, ab, ba);
		FUZZ_CHECK(crm_value_cmp(s, al, s, al) == 0, "\"%.*s\" is not "
		    "equal to itself", (int)al, s);
		/* --sort sorts custom fields with it: it must be an order. */
		bar = memchr(t, '|', bl);
		if (bar != NULL && !fuzz_known("value-cmp-order")) {
			const char *u = bar + 1;
			size_t tl = (size_t)(bar - t), ul = bl - tl - 1;

			if (crm_value_cmp(s, al, t, tl) < 0 &&
			    crm_value_cmp(t, tl, u, ul) < 0)
				FUZZ_CHECK(crm_value_cmp(s, al, u, ul) < 0,
				    "crm_value_cmp: \"%.*s\" < \"%.*s\" < \"%.*s\" "
				    "but not \"%.*s\" < \"%.*s\"", (int)al, s,
				    (int)tl, t, (int)ul, u, (int)al, s, (int)ul, u);
		}
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	int64_t now = fuzz_now(), x = 0;
	uint8_t sel;
	char *s;
	size_t n;

	if (size < 1)
		return 0;
	sel = data[0];
	n = size - 1;
	s = dup_exact(data + 1, n);
	if (n >= 8)
		memcpy(&x, s, 8);
	switch (sel % 13) {
	case 0: money(s, n); break;
	case 1: money_int(x); break;
	case 2: integers(s, n, sel / 13); break;
	case 3: dates(s, n, now); break;
	case 4: times(s, n, now); break;
	case 5: calendar_int(x); break;
	case 6: durations(s, n); break;
	case 7: emails(s, n); break;
	case 8: phones(s, n); break;
	case 9: namekeys(s, n); break;
	case 10: utf8(s, n, sel / 13); break;
	case 11: others(s, n); break;
	case 12: tags(s, n, now); break;
	}
	crm_clearerr();
	free(s);
	return 0;
}
