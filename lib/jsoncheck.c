/*
 * jsoncheck.c — strict RFC 8259 validation.
 *
 * An iterative parser with an explicit stack, so hostile nesting costs
 * a counter, not the C stack.  Nothing is built: values are checked and
 * skipped.  Only object keys are decoded, because duplicates must be
 * found after decoding ("a" equals "\u0061").
 *
 * Keys of all open objects live in one stack (decoded bytes in kbuf,
 * entries in keys); closing an object pops its keys.  A small object is
 * searched linearly.  Once an object passes SMALLKEYS keys, its keys go
 * into one open-addressing table shared by all open objects, salted
 * with the object's first key index so that equal keys of different
 * objects do not collide.  Keys enter that table in stack order and
 * leave it from the top, and clearing the newest entries of a
 * linear-probing table restores it exactly, so no tombstones are needed.
 */
#include <errno.h>
#include <float.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "jsoncheck.h"
#include "utf8.h"

#define SMALLKEYS 16		/* more keys than this: use the table */
#define NOSLOT SIZE_MAX
#define ISDIGIT(c) ((unsigned)(c) - '0' < 10)

/*
 * Any number whose decimal exponent (value = 0.d1d2... x 10^E, d1 != 0)
 * is below this fits a double, any above it overflows; at exactly this
 * exponent strtod decides.  DBL_MAX is about 1.8e308 = 0.18 x 10^309.
 */
#define EDGE_EXP 309
#define EDGE_DIGITS 400		/* more than the 309 digits of the cut-off */

struct key {
	size_t off, len;	/* decoded bytes in kbuf */
	size_t slot;		/* index in the table, or NOSLOT */
	uint64_t hash;
};

struct jc {
	const unsigned char *p;
	size_t len, i;
	size_t eoff;		/* offset of the fault */
	size_t depth;
	/* Per open container: first key index (objects), kind. */
	size_t base[CRM_JSON_MAXDEPTH];
	unsigned char kind[CRM_JSON_MAXDEPTH];

	unsigned char *kbuf;
	size_t klen, kcap;
	struct key *keys;
	size_t nkeys, nkcap;
	size_t *slots;		/* key index + 1, 0 when empty */
	size_t nslots, nused;

	/* Most documents fit these and never touch malloc. */
	unsigned char kinl[512];
	struct key keyinl[32];
};

enum { ARRAY, OBJECT, BIGOBJECT };
enum { VALUE, KEY, AFTER };

static int
fail(struct jc *j, size_t off, const char *what)
{
	j->eoff = off;
	return crm_seterr(CRM_EDATA, "invalid JSON: %s", what);
}

/* Names the byte at off (or the end of input) that should be expect. */
static int
unexpected(struct jc *j, size_t off, const char *expect)
{
	unsigned char c;

	j->eoff = off;
	if (off == j->len)
		return crm_seterr(CRM_EDATA,
		    "invalid JSON: unexpected end of input, expected %s",
		    expect);
	c = j->p[off];
	if (c == '\0')
		return crm_seterr(CRM_EDATA, "invalid JSON: NUL byte");
	if (off == 0 && j->len >= 3 && memcmp(j->p, "\xef\xbb\xbf", 3) == 0)
		return crm_seterr(CRM_EDATA, "invalid JSON: byte-order mark");
	if (c > 0x20 && c < 0x7f)
		return crm_seterr(CRM_EDATA,
		    "invalid JSON: unexpected %c%c%c, expected %s",
		    c == '\'' ? '"' : '\'', c, c == '\'' ? '"' : '\'', expect);
	return crm_seterr(CRM_EDATA,
	    "invalid JSON: unexpected byte 0x%02X, expected %s", c, expect);
}

/*
 * Returns buf, grown to hold need elements of size bytes, or NULL.  The
 * first growth moves off the inline buffer inl, which is never freed.
 */
static void *
grow(void *buf, void *inl, size_t *cap, size_t need, size_t size)
{
	size_t n = *cap;
	void *nb;

	if (need <= n)
		return buf;
	while (n < need) {
		if (n > SIZE_MAX / 2 / size)
			return NULL;
		n *= 2;
	}
	if (buf == inl) {
		nb = malloc(n * size);
		if (nb != NULL)
			memcpy(nb, inl, *cap * size);
	} else
		nb = realloc(buf, n * size);
	if (nb != NULL)
		*cap = n;
	return nb;
}

static void
skipws(struct jc *j)
{
	while (j->i < j->len) {
		switch (j->p[j->i]) {
		case ' ':
		case '\t':
		case '\n':
		case '\r':
			j->i++;
			break;
		default:
			return;
		}
	}
}

static int
hex4(const unsigned char *p, uint32_t *v)
{
	uint32_t x = 0;
	int k;

	for (k = 0; k < 4; k++) {
		x <<= 4;
		if (ISDIGIT(p[k]))
			x |= p[k] - '0';
		else if (p[k] >= 'a' && p[k] <= 'f')
			x |= p[k] - 'a' + 10;
		else if (p[k] >= 'A' && p[k] <= 'F')
			x |= p[k] - 'A' + 10;
		else
			return -1;
	}
	*v = x;
	return 0;
}

/*
 * Decodes the escape at p[*ip] == '\\' into *cp and moves *ip past it.
 * A high surrogate must be followed at once by an escaped low one.
 */
static int
escape(struct jc *j, size_t *ip, uint32_t *cp)
{
	const unsigned char *p = j->p;
	size_t i = *ip, left = j->len - i;
	uint32_t u, lo;

	if (left < 2)
		return fail(j, i, "unterminated string");
	switch (p[i + 1]) {
	case '"':
	case '\\':
	case '/':
		*cp = p[i + 1];
		break;
	case 'b':
		*cp = '\b';
		break;
	case 'f':
		*cp = '\f';
		break;
	case 'n':
		*cp = '\n';
		break;
	case 'r':
		*cp = '\r';
		break;
	case 't':
		*cp = '\t';
		break;
	case 'u':
		if (left < 6 || hex4(p + i + 2, &u) != 0)
			return fail(j, i, "invalid \\u escape");
		if (u >= 0xd800 && u <= 0xdbff) {
			if (left < 8 || p[i + 6] != '\\' || p[i + 7] != 'u')
				goto lone;
			if (left < 12 || hex4(p + i + 8, &lo) != 0)
				return fail(j, i + 6, "invalid \\u escape");
			if (lo < 0xdc00 || lo > 0xdfff)
				goto lone;
			u = 0x10000 + ((u - 0xd800) << 10) + (lo - 0xdc00);
			i += 6;
		} else if (u >= 0xdc00 && u <= 0xdfff)
			goto lone;
		*cp = u;
		*ip = i + 6;
		return 0;
	default:
		if (p[i + 1] > 0x20 && p[i + 1] < 0x7f) {
			j->eoff = i;
			return crm_seterr(CRM_EDATA,
			    "invalid JSON: invalid escape \\%c", p[i + 1]);
		}
		return fail(j, i, "invalid escape");
	}
	*ip = i + 2;
	return 0;
lone:
	j->eoff = i;
	return crm_seterr(CRM_EDATA, "invalid JSON: lone surrogate \\u%04X",
	    (unsigned)u);
}

static size_t
put8(unsigned char *o, uint32_t cp)
{
	if (cp < 0x80) {
		o[0] = cp;
		return 1;
	}
	if (cp < 0x800) {
		o[0] = 0xc0 | cp >> 6;
		o[1] = 0x80 | (cp & 0x3f);
		return 2;
	}
	if (cp < 0x10000) {
		o[0] = 0xe0 | cp >> 12;
		o[1] = 0x80 | (cp >> 6 & 0x3f);
		o[2] = 0x80 | (cp & 0x3f);
		return 3;
	}
	o[0] = 0xf0 | cp >> 18;
	o[1] = 0x80 | (cp >> 12 & 0x3f);
	o[2] = 0x80 | (cp >> 6 & 0x3f);
	o[3] = 0x80 | (cp & 0x3f);
	return 4;
}

/*
 * Checks the string whose opening quote is at j->i and moves j->i past
 * its closing quote.  With out, also writes the decoded bytes there
 * (never more than the string's raw length) and their count to *outlen.
 */
static int
string(struct jc *j, unsigned char *out, size_t *outlen)
{
	const unsigned char *p = j->p;
	size_t i = j->i + 1, start, bad, n = 0;
	uint32_t cp = 0;
	int rc;

	for (;;) {
		start = i;
		while (i < j->len && p[i] >= 0x20 && p[i] != '"' &&
		    p[i] != '\\')
			i++;
		/*
		 * '"' and '\\' never occur inside a multibyte sequence, so
		 * the run between them can be checked on its own.
		 */
		if (i > start &&
		    crm_utf8_check((const char *)p + start, i - start, &bad) != 0)
			return fail(j, start + bad, "invalid UTF-8");
		if (out != NULL) {
			memcpy(out + n, p + start, i - start);
			n += i - start;
		}
		if (i == j->len)
			return fail(j, j->i, "unterminated string");
		if (p[i] == '"')
			break;
		if (p[i] == '\0')
			return fail(j, i, "NUL byte");
		if (p[i] != '\\')
			return fail(j, i, "control character in string");
		rc = escape(j, &i, &cp);
		if (rc != 0)
			return rc;
		if (out != NULL)
			n += put8(out + n, cp);
	}
	j->i = i + 1;
	if (outlen != NULL)
		*outlen = n;
	return 0;
}

/*
 * The overflow check for a number whose decimal exponent is EDGE_EXP:
 * strtod on its significant digits, written without a decimal point so
 * that LC_NUMERIC cannot change the reading.  Digits past EDGE_DIGITS
 * are folded into one sticky nonzero digit, which keeps the rounding.
 */
static int
edge_overflows(const unsigned char *p, size_t from, size_t end)
{
	char buf[EDGE_DIGITS + 16];
	size_t n = 0, k;
	int sticky = 0;
	double x;

	for (k = from; k < end && (ISDIGIT(p[k]) || p[k] == '.'); k++) {
		if (p[k] == '.')
			continue;
		if (n < EDGE_DIGITS)
			buf[n++] = p[k];
		else if (p[k] != '0')
			sticky = 1;
	}
	if (sticky)
		buf[n++] = '1';
	snprintf(buf + n, sizeof(buf) - n, "e%d", EDGE_EXP - (int)n);
	x = strtod(buf, NULL);
	return x > DBL_MAX;
}

/* Checks the number at j->i against the RFC grammar and a double's range. */
static int
number(struct jc *j)
{
	const unsigned char *p = j->p;
	size_t i = j->i, len = j->len, istart, iend, fstart = 0, fend = 0;
	size_t first;
	long long e = 0, e10;
	int eneg = 0;

	if (p[i] == '-')
		i++;
	if (i == len || !ISDIGIT(p[i]))
		return unexpected(j, i, "a digit");
	istart = i;
	if (p[i] == '0') {
		i++;
		if (i < len && ISDIGIT(p[i]))
			return fail(j, istart, "leading zero in number");
	} else
		while (i < len && ISDIGIT(p[i]))
			i++;
	iend = i;
	if (i < len && p[i] == '.') {
		i++;
		if (i == len || !ISDIGIT(p[i]))
			return unexpected(j, i, "a digit after '.'");
		fstart = i;
		while (i < len && ISDIGIT(p[i]))
			i++;
		fend = i;
	}
	if (i < len && (p[i] == 'e' || p[i] == 'E')) {
		i++;
		if (i < len && (p[i] == '+' || p[i] == '-'))
			eneg = p[i++] == '-';
		if (i == len || !ISDIGIT(p[i]))
			return unexpected(j, i, "a digit in exponent");
		/* Saturate: past a billion the answer no longer changes. */
		for (; i < len && ISDIGIT(p[i]); i++)
			if (e < 1000000000)
				e = e * 10 + (p[i] - '0');
	}
	if (eneg)
		e = -e;

	/* e10 such that the value is 0.d1d2... x 10^e10 with d1 != 0. */
	if (p[istart] != '0') {
		first = istart;
		e10 = (iend - istart > 1000000000 ? 1000000000 :
		    (long long)(iend - istart)) + e;
	} else {
		for (first = fstart; first < fend && p[first] == '0'; first++)
			;
		if (first == fend) {	/* zero: any exponent is fine */
			j->i = i;
			return 0;
		}
		e10 = e - (first - fstart > 1000000000 ? 1000000000 :
		    (long long)(first - fstart));
	}
	if (e10 > EDGE_EXP ||
	    (e10 == EDGE_EXP && edge_overflows(p, first, i)))
		return fail(j, j->i, "number out of range");
	j->i = i;
	return 0;
}

static int
literal(struct jc *j, const char *word, const char *expect)
{
	size_t k;

	for (k = 0; word[k] != '\0'; k++)
		if (j->i + k == j->len || j->p[j->i + k] != word[k])
			return unexpected(j, j->i + k, expect);
	j->i += k;
	return 0;
}

/*
 * Hash of a decoded key, salted with the index of its object's first
 * key: equal keys of one object hash equal, equal keys of nested objects
 * spread out.
 */
static uint64_t
keyhash(const unsigned char *s, size_t n, size_t base)
{
	uint64_t h = 0xcbf29ce484222325ULL;	/* FNV-1a */

	while (n-- > 0)
		h = (h ^ *s++) * 0x100000001b3ULL;
	h ^= (uint64_t)base * 0x9e3779b97f4a7c15ULL;
	h ^= h >> 31;
	h *= 0xbf58476d1ce4e5b9ULL;
	h ^= h >> 29;
	return h;
}

static int
samekey(const struct jc *j, const struct key *a, const struct key *b)
{
	return a->hash == b->hash && a->len == b->len &&
	    memcmp(j->kbuf + a->off, j->kbuf + b->off, a->len) == 0;
}

/*
 * Looks key k up among the keys from index base on; returns the index
 * of an equal key, or SIZE_MAX after putting k in the table.
 */
static size_t
tabput(struct jc *j, size_t k, size_t base)
{
	size_t mask = j->nslots - 1, s = (size_t)j->keys[k].hash & mask, e;

	while (j->slots[s] != 0) {
		e = j->slots[s] - 1;
		/* Only the innermost open object has keys from base on. */
		if (e >= base && samekey(j, &j->keys[e], &j->keys[k]))
			return e;
		s = (s + 1) & mask;
	}
	j->slots[s] = k + 1;
	j->keys[k].slot = s;
	j->nused++;
	return SIZE_MAX;
}

/* Makes room in the table for one more key: at most half full. */
static int
tabreserve(struct jc *j)
{
	size_t *old = j->slots, nold = j->nslots, k;

	if (2 * (j->nused + 1) <= j->nslots)
		return 0;
	if (nold > SIZE_MAX / 4 / sizeof(*old))
		return ENOMEM;
	j->nslots = nold == 0 ? 64 : 2 * nold;
	j->slots = calloc(j->nslots, sizeof(*j->slots));
	if (j->slots == NULL) {
		j->slots = old;
		j->nslots = nold;
		return ENOMEM;
	}
	/* Reinsert in stack order, so that popping keeps restoring it. */
	j->nused = 0;
	for (k = 0; k < j->nkeys; k++)
		if (j->keys[k].slot != NOSLOT)
			(void)tabput(j, k, SIZE_MAX);
	free(old);
	return 0;
}

/* Describes a decoded key for a message: escaped, cut to fit size. */
static void
showkey(char *buf, size_t size, const unsigned char *s, size_t n)
{
	size_t o = 0, k = 0, step, out;
	int esc;

	while (k < n) {
		/* Keys are valid UTF-8: take whole code points. */
		esc = s[k] < 0x20 || s[k] == 0x7f || s[k] == '"' || s[k] == '\\';
		step = s[k] < 0xc0 ? 1 : s[k] < 0xe0 ? 2 : s[k] < 0xf0 ? 3 : 4;
		out = !esc ? step : s[k] == '"' || s[k] == '\\' ? 2 : 6;
		if (size - o < out + 4) {	/* keep room for "..." */
			memcpy(buf + o, "...", 4);
			return;
		}
		if (!esc)
			memcpy(buf + o, s + k, step);
		else if (out == 2) {
			buf[o] = '\\';
			buf[o + 1] = s[k];
		} else
			snprintf(buf + o, size - o, "\\u%04X", s[k]);
		o += out;
		k += step;
	}
	buf[o] = '\0';
}

/*
 * Checks and records the key whose opening quote is at j->i, in the
 * innermost open object, and fails if that object already has it.
 */
static int
key(struct jc *j)
{
	size_t start = j->i, d = j->depth - 1, base = j->base[d], n, k;
	struct key *nk;
	char shown[72];
	void *nb;
	int rc;

	rc = string(j, NULL, NULL);
	if (rc != 0)
		return rc;
	/* Decoding never lengthens the string: reserve its raw length. */
	nb = grow(j->kbuf, j->kinl, &j->kcap, j->klen + (j->i - start), 1);
	if (nb == NULL)
		return ENOMEM;
	j->kbuf = nb;
	nb = grow(j->keys, j->keyinl, &j->nkcap, j->nkeys + 1,
	    sizeof(*j->keys));
	if (nb == NULL)
		return ENOMEM;
	j->keys = nb;
	j->i = start;
	(void)string(j, j->kbuf + j->klen, &n);

	nk = &j->keys[j->nkeys];
	nk->off = j->klen;
	nk->len = n;
	nk->slot = NOSLOT;
	nk->hash = keyhash(j->kbuf + j->klen, n, base);

	k = SIZE_MAX;
	if (j->kind[d] == BIGOBJECT) {
		rc = tabreserve(j);
		if (rc != 0)
			return rc;
		k = tabput(j, j->nkeys, base);
	} else {
		for (k = base; k < j->nkeys; k++)
			if (samekey(j, &j->keys[k], nk))
				break;
		if (k == j->nkeys)
			k = SIZE_MAX;
	}
	if (k != SIZE_MAX) {
		j->eoff = start;
		showkey(shown, sizeof(shown), j->kbuf + nk->off, n);
		return crm_seterr(CRM_EDATA,
		    "invalid JSON: duplicate key \"%s\"", shown);
	}
	j->klen += n;
	j->nkeys++;

	if (j->kind[d] == OBJECT && j->nkeys - base > SMALLKEYS) {
		/* Too many to search linearly: move them to the table. */
		j->kind[d] = BIGOBJECT;
		for (k = base; k < j->nkeys; k++) {
			rc = tabreserve(j);
			if (rc != 0)
				return rc;
			(void)tabput(j, k, base);
		}
	}
	return 0;
}

/* Closes the innermost container, dropping an object's keys. */
static void
pop(struct jc *j)
{
	size_t d = --j->depth, base = j->base[d], k;

	if (j->kind[d] == ARRAY)
		return;
	if (j->kind[d] == BIGOBJECT) {
		for (k = base; k < j->nkeys; k++)
			j->slots[j->keys[k].slot] = 0;
		j->nused -= j->nkeys - base;
	}
	if (j->nkeys > base)
		j->klen = j->keys[base].off;
	j->nkeys = base;
}

static int
parse(struct jc *j)
{
	int state = VALUE, rc = 0, obj;
	unsigned char c;

	for (;;) {
		skipws(j);
		obj = j->depth > 0 && j->kind[j->depth - 1] != ARRAY;
		if (state == AFTER) {
			if (j->depth == 0)
				break;
			if (j->i < j->len && j->p[j->i] == ',') {
				j->i++;
				state = obj ? KEY : VALUE;
			} else if (j->i < j->len &&
			    j->p[j->i] == (obj ? '}' : ']')) {
				j->i++;
				pop(j);
			} else
				return unexpected(j, j->i,
				    obj ? "',' or '}'" : "',' or ']'");
			continue;
		}
		if (state == KEY) {
			if (j->i < j->len && j->p[j->i] == '}')
				return fail(j, j->i, "trailing comma");
			if (j->i == j->len || j->p[j->i] != '"')
				return unexpected(j, j->i, "a string key");
			rc = key(j);
			if (rc != 0)
				return rc;
			skipws(j);
			if (j->i == j->len || j->p[j->i] != ':')
				return unexpected(j, j->i, "':'");
			j->i++;
			state = VALUE;
			continue;
		}

		if (j->i == j->len)
			return unexpected(j, j->i, "a value");
		state = AFTER;
		switch (c = j->p[j->i]) {
		case '{':
		case '[':
			if (j->depth == CRM_JSON_MAXDEPTH) {
				j->eoff = j->i;
				return crm_seterr(CRM_EDATA,
				    "invalid JSON: nesting deeper than %d",
				    CRM_JSON_MAXDEPTH);
			}
			j->kind[j->depth] = c == '{' ? OBJECT : ARRAY;
			j->base[j->depth] = j->nkeys;
			j->depth++;
			j->i++;
			skipws(j);
			if (j->i < j->len && j->p[j->i] == (c == '{' ? '}' : ']')) {
				j->i++;
				pop(j);
			} else
				state = c == '{' ? KEY : VALUE;
			break;
		case '"':
			rc = string(j, NULL, NULL);
			break;
		case 't':
			rc = literal(j, "true", "'true'");
			break;
		case 'f':
			rc = literal(j, "false", "'false'");
			break;
		case 'n':
			rc = literal(j, "null", "'null'");
			break;
		case ']':
			if (obj || j->depth == 0)
				return unexpected(j, j->i, "a value");
			return fail(j, j->i, "trailing comma");
		default:
			if (c == '-' || ISDIGIT(c))
				rc = number(j);
			else
				return unexpected(j, j->i, "a value");
			break;
		}
		if (rc != 0)
			return rc;
	}
	if (j->i < j->len) {
		if (j->p[j->i] == '\0')
			return fail(j, j->i, "NUL byte");
		return fail(j, j->i, "trailing data after value");
	}
	return 0;
}

int
crm_json_check(const char *p, size_t len, size_t *line, size_t *col)
{
	struct jc j;
	size_t l = 0, c = 0, k;
	int rc;

	j.p = (const unsigned char *)p;
	j.len = len;
	j.i = 0;
	j.eoff = 0;
	j.depth = 0;
	j.kbuf = j.kinl;
	j.klen = 0;
	j.kcap = sizeof(j.kinl);
	j.keys = j.keyinl;
	j.nkeys = 0;
	j.nkcap = sizeof(j.keyinl) / sizeof(j.keyinl[0]);
	j.slots = NULL;
	j.nslots = 0;
	j.nused = 0;

	rc = parse(&j);
	if (rc == 0)
		goto done;
	if (rc == CRM_EDATA) {
		/*
		 * Everything before the fault parsed, so it is valid UTF-8:
		 * count code points by skipping continuation bytes.
		 */
		l = c = 1;
		for (k = 0; k < j.eoff; k++) {
			if (j.p[k] == '\n') {
				l++;
				c = 1;
			} else if ((j.p[k] & 0xc0) != 0x80)
				c++;
		}
	}
	if (line != NULL)
		*line = l;
	if (col != NULL)
		*col = c;
done:
	if (j.kbuf != j.kinl)
		free(j.kbuf);
	if (j.keys != j.keyinl)
		free(j.keys);
	free(j.slots);
	return rc;
}
