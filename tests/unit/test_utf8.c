/*
 * test_utf8.c — crm_utf8_check, crm_utf8_width, crm_utf8_prefix.
 *
 * Strings under test are copied into buffers of exactly their length, so
 * under ASan a read past the end is caught rather than landing on a
 * terminating NUL.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "error.h"
#include "utf8.h"

/* A heap copy of s[0..n) with nothing after it. */
static char *
exact(const char *s, size_t n)
{
	char *b = malloc(n > 0 ? n : 1);

	assert_non_null(b);
	memcpy(b, s, n);
	return b;
}

/* crm_utf8_check on an exact copy; returns the offset, or -1 if valid. */
static long
check(const char *s, size_t n)
{
	char *b = exact(s, n);
	size_t bad = (size_t)-2;
	int rc;

	rc = crm_utf8_check(b, n, &bad);
	free(b);
	if (rc == 0) {
		assert_int_equal(bad, (size_t)-2);	/* left alone */
		return -1;
	}
	assert_int_equal(rc, CRM_EDATA);
	return (long)bad;
}

#define CHECK(lit, want) assert_int_equal(check(lit, sizeof(lit) - 1), want)

static void
test_valid(void **state)
{
	(void)state;
	CHECK("", -1);
	CHECK("abc", -1);
	CHECK("\xc3\xa9", -1);			/* é */
	CHECK("\xe5\xbc\xa0\xe4\xb8\x89", -1);	/* 张三 */
	CHECK("\xf0\x9f\x98\x80", -1);		/* U+1F600 */
	CHECK("\xc2\x80", -1);			/* U+0080, shortest 2-byte */
	CHECK("\xdf\xbf", -1);			/* U+07FF */
	CHECK("\xe0\xa0\x80", -1);		/* U+0800 */
	CHECK("\xed\x9f\xbf", -1);		/* U+D7FF, below surrogates */
	CHECK("\xee\x80\x80", -1);		/* U+E000, above them */
	CHECK("\xef\xbf\xbf", -1);		/* U+FFFF */
	CHECK("\xf0\x90\x80\x80", -1);		/* U+10000 */
	CHECK("\xf4\x8f\xbf\xbf", -1);		/* U+10FFFF */
	CHECK("\x7f\x01", -1);			/* controls are not our business */
	CHECK("name: \xe5\xbc\xa0\xe4\xb8\x89, city: M\xc3\xbcnchen, ok", -1);
	assert_int_equal(crm_utf8_check("abc", 3, NULL), 0);
}

static void
test_overlong(void **state)
{
	(void)state;
	CHECK("\xc0\x80", 0);
	CHECK("ab\xc0\x80", 2);
	CHECK("\xc1\xbf", 0);
	CHECK("x\xe0\x80\x80", 1);
	CHECK("\xe0\x9f\xbf", 0);
	CHECK("\xf0\x80\x80\x80", 0);
	CHECK("\xf0\x8f\xbf\xbf", 0);
}

static void
test_surrogates_and_range(void **state)
{
	(void)state;
	CHECK("\xed\xa0\x80", 0);		/* U+D800 */
	CHECK("abc\xed\xbf\xbf", 3);		/* U+DFFF */
	CHECK("\xed\xa0\xbd\xed\xb8\x80", 0);	/* CESU-8 pair */
	CHECK("\xf4\x90\x80\x80", 0);		/* U+110000 */
	CHECK("ok\xf5\x80\x80\x80", 2);
	CHECK("\xf8\x88\x80\x80\x80", 0);	/* old 5-byte form */
	CHECK("\xfe", 0);
	CHECK("\xff", 0);
}

static void
test_truncated_and_stray(void **state)
{
	(void)state;
	CHECK("\x80", 0);			/* stray continuation */
	CHECK("a\xbf" "b", 1);
	CHECK("\xc3", 0);
	CHECK("abc\xe4\xb8", 3);
	CHECK("\xe4\xb8" "a", 0);
	CHECK("\xf0\x9f\x98", 0);
	CHECK("\xf0\x9f\x98" "abc", 0);
	CHECK("\xc3\xa9\xc3", 2);
	CHECK("\xe5\xbc\xa0\xe4\xb8", 3);
}

static void
test_nul(void **state)
{
	(void)state;
	CHECK("\0", 0);
	CHECK("ab\0cd", 2);
	CHECK("\xc3\xa9\0", 2);
}

/*
 * The eight-byte fast path must report the same offset wherever the
 * offending byte falls relative to the blocks, and a multibyte sequence
 * may straddle a block boundary.
 */
static void
test_fast_path_offsets(void **state)
{
	static const char *const bad[] = { "\0", "\x80", "\xff", "\xc0\x80",
	    "\xed\xa0\x80", "\xe4\xb8" };
	char buf[64];
	size_t pos, k, n;

	(void)state;
	for (k = 0; k < sizeof(bad) / sizeof(bad[0]); k++) {
		n = k == 0 ? 1 : strlen(bad[k]);
		for (pos = 0; pos + n <= 40; pos++) {
			memset(buf, 'x', sizeof(buf));
			memcpy(buf + pos, bad[k], n);
			/* A truncated sequence needs an ASCII byte after it. */
			assert_int_equal(check(buf, 40), (long)pos);
			assert_int_equal(check(buf, pos + n), (long)pos);
		}
	}
	for (pos = 0; pos + 4 <= 40; pos++) {
		memset(buf, 'y', sizeof(buf));
		memcpy(buf + pos, "\xf0\x9f\x98\x80", 4);
		assert_int_equal(check(buf, 40), -1);
		assert_int_equal(check(buf, pos + 3), (long)pos);
	}
}

/*
 * A slow reference: assemble each code point and check it, the way RFC
 * 3629 states the rules.
 */
static long
refcheck(const unsigned char *s, size_t n)
{
	size_t i = 0, k, need;
	uint32_t cp, min;

	while (i < n) {
		if (s[i] == 0)
			return (long)i;
		if (s[i] < 0x80) {
			i++;
			continue;
		}
		if (s[i] >= 0xc0 && s[i] < 0xe0) {
			need = 1;
			cp = s[i] & 0x1f;
			min = 0x80;
		} else if (s[i] >= 0xe0 && s[i] < 0xf0) {
			need = 2;
			cp = s[i] & 0x0f;
			min = 0x800;
		} else if (s[i] >= 0xf0 && s[i] < 0xf8) {
			need = 3;
			cp = s[i] & 0x07;
			min = 0x10000;
		} else
			return (long)i;
		if (n - i <= need)
			return (long)i;
		for (k = 1; k <= need; k++) {
			if ((s[i + k] & 0xc0) != 0x80)
				return (long)i;
			cp = cp << 6 | (s[i + k] & 0x3f);
		}
		if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
			return (long)i;
		i += need + 1;
	}
	return -1;
}

static void
test_against_reference(void **state)
{
	static const unsigned char pick[] = { 0x00, 'a', 0x7f, 0x80, 0x8f,
	    0x90, 0x9f, 0xa0, 0xbf, 0xc0, 0xc1, 0xc2, 0xdf, 0xe0, 0xe1, 0xec,
	    0xed, 0xee, 0xef, 0xf0, 0xf1, 0xf3, 0xf4, 0xf5, 0xff };
	unsigned char buf[24];
	unsigned long seed = 12345;
	size_t n, k;
	int round;

	(void)state;
	for (round = 0; round < 200000; round++) {
		n = round % 24;
		for (k = 0; k < n; k++) {
			seed = seed * 6364136223846793005UL + 1442695040888963407UL;
			/* Interesting bytes; every third round, ASCII runs. */
			buf[k] = (seed >> 33) % 8 < (round % 3 == 0 ? 7u : 2u) ?
			    'x' :
			    pick[(seed >> 40) % sizeof(pick)];
		}
		assert_int_equal(check((const char *)buf, n),
		    refcheck(buf, n));
	}
}

static size_t
width(const char *s, size_t n)
{
	char *b = exact(s, n);
	size_t w = crm_utf8_width(b, n);

	free(b);
	return w;
}

#define WIDTH(lit, want) assert_int_equal(width(lit, sizeof(lit) - 1), want)

static void
test_width(void **state)
{
	(void)state;
	WIDTH("", 0);
	WIDTH("abc", 3);
	WIDTH("\xe5\xbc\xa0\xe4\xb8\x89", 4);	/* 张三 */
	WIDTH("\xef\xbc\xa6", 2);		/* Ｆ fullwidth */
	WIDTH("\xef\xbd\xb1", 1);		/* ｱ halfwidth katakana */
	WIDTH("\xc3\xa9", 1);			/* é precomposed */
	WIDTH("e\xcc\x81", 1);			/* e + U+0301 */
	WIDTH("\xed\x95\x9c\xea\xb8\x80", 4);	/* 한글 */
	WIDTH("\xe3\x81\x82", 2);		/* あ */
	WIDTH("\xe3\x80\x80", 2);		/* ideographic space */
	WIDTH("\xf0\x9f\x98\x80", 2);		/* 😀 */
	WIDTH("\xf0\xa0\x80\x80", 2);		/* U+20000, CJK ext. B */
	WIDTH("a\xe2\x80\x8b" "b", 2);		/* zero width space */
	WIDTH("\xe2\x9d\xa4\xef\xb8\x8f", 1);	/* ❤ + VS16: 1 + 0 */
	WIDTH("\xe2\x80\x8d", 0);		/* ZWJ */
	WIDTH("\xef\xbb\xbf", 0);		/* BOM / ZWNBSP */
	WIDTH("a\tb\n\x7f", 2);			/* C0 and DEL */
	WIDTH("\xc2\x85", 0);			/* C1 NEL */
	WIDTH("\xc2\xad", 1);			/* soft hyphen is drawn */
	WIDTH("\xce\xa9\xd0\x96", 2);		/* Ω Ж */
	WIDTH("\xef\xbc\xa1" "bc\xe5\xbc\xa0", 6);
	/* Invalid bytes count one column each, and nothing past the end. */
	WIDTH("\xff", 1);
	WIDTH("a\xe4\xb8", 3);
}

static size_t
prefix(const char *s, size_t n, size_t cols)
{
	char *b = exact(s, n);
	size_t p = crm_utf8_prefix(b, n, cols);

	free(b);
	return p;
}

#define PREFIX(lit, cols, want) \
	assert_int_equal(prefix(lit, sizeof(lit) - 1, cols), want)

static void
test_prefix(void **state)
{
	(void)state;
	PREFIX("", 5, 0);
	PREFIX("abc", 0, 0);
	PREFIX("abc", 2, 2);
	PREFIX("abc", 3, 3);
	PREFIX("abc", 99, 3);
	PREFIX("\xe5\xbc\xa0\xe4\xb8\x89", 1, 0);	/* 张 does not fit */
	PREFIX("\xe5\xbc\xa0\xe4\xb8\x89", 2, 3);
	PREFIX("\xe5\xbc\xa0\xe4\xb8\x89", 3, 3);	/* never half of 三 */
	PREFIX("\xe5\xbc\xa0\xe4\xb8\x89", 4, 6);
	PREFIX("a\xe5\xbc\xa0", 2, 1);
	PREFIX("\xc3\xa9\xc3\xa9", 1, 2);		/* éé */
	PREFIX("e\xcc\x81x", 1, 3);			/* the accent goes along */
	PREFIX("e\xcc\x81x", 0, 0);
	PREFIX("\xcc\x81" "a", 0, 2);			/* zero-width fits in 0 */
	PREFIX("\xf0\x9f\x98\x80!", 1, 0);
	PREFIX("\xf0\x9f\x98\x80!", 2, 4);
	PREFIX("a\xe4\xb8", 2, 2);			/* invalid: byte units */
	PREFIX("abc", (size_t)-1, 3);
}

/* On mixed text: the prefix fits, ends on a boundary, and is longest. */
static void
test_prefix_property(void **state)
{
	static const char s[] = "Zo\xc3\xab \xe5\xbc\xa0\xe4\xb8\x89 e\xcc\x81"
	    "\xef\xbc\xa6\xf0\x9f\x98\x80\xe2\x80\x8bok";
	size_t n = sizeof(s) - 1, cols, p, q, total = width(s, n);

	(void)state;
	for (cols = 0; cols <= total + 1; cols++) {
		p = prefix(s, n, cols);
		assert_true(p <= n);
		assert_true(width(s, p) <= cols);
		/* Never inside a code point: a boundary is not 10xxxxxx. */
		assert_true(p == n || ((unsigned char)s[p] & 0xc0) != 0x80);
		if (p < n) {
			for (q = p + 1; q < n &&
			    ((unsigned char)s[q] & 0xc0) == 0x80; q++)
				;
			assert_true(width(s, q) > cols);
		}
	}
	assert_int_equal(prefix(s, n, total), n);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_valid),
		cmocka_unit_test(test_overlong),
		cmocka_unit_test(test_surrogates_and_range),
		cmocka_unit_test(test_truncated_and_stray),
		cmocka_unit_test(test_nul),
		cmocka_unit_test(test_fast_path_offsets),
		cmocka_unit_test(test_against_reference),
		cmocka_unit_test(test_width),
		cmocka_unit_test(test_prefix),
		cmocka_unit_test(test_prefix_property),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
