/*
 * buf.h — a growable byte buffer, the one string builder of libcrm.
 *
 * The buffer owns b->p; crm_buf_free releases it.  b->p is always
 * NUL-terminated after any successful append, so it can be handed to C
 * string functions; b->len does not count the NUL.
 */
#ifndef CRM_BUF_H
#define CRM_BUF_H

#include <stddef.h>
#include <stdint.h>

#include "error.h"

struct crm_buf {
	char *p;
	size_t len;
	size_t cap;
};

#define CRM_BUF_INIT { NULL, 0, 0 }

/* Each returns 0 or ENOMEM. */
int crm_buf_grow(struct crm_buf *b, size_t extra);
int crm_buf_add_slow(struct crm_buf *b, const void *p, size_t n);
int crm_buf_adds(struct crm_buf *b, const char *s);

/* Inline when it fits: the codecs append a few bytes at a time, by the
 * million. */
static inline int
crm_buf_add(struct crm_buf *b, const void *p, size_t n)
{
	if (b->cap - b->len > n) {
		if (n > 0)
			__builtin_memcpy(b->p + b->len, p, n);
		b->len += n;
		b->p[b->len] = '\0';
		return 0;
	}
	return crm_buf_add_slow(b, p, n);
}

static inline int
crm_buf_addc(struct crm_buf *b, int c)
{
	char ch = (char)c;

	if (b->cap - b->len > 1) {
		b->p[b->len++] = ch;
		b->p[b->len] = '\0';
		return 0;
	}
	return crm_buf_add_slow(b, &ch, 1);
}
int crm_buf_printf(struct crm_buf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void crm_buf_free(struct crm_buf *b);

/* Empties b, keeping its memory. */
static inline void
crm_buf_reset(struct crm_buf *b)
{
	b->len = 0;
	if (b->p)
		b->p[0] = '\0';
}

/* Little varint and fixed-width helpers for the record and audit codecs,
 * inline: a record is a varint or two per field. */
/* Writes v as a varint at w (room for 10 bytes); returns its end. */
static inline unsigned char *
crm_varint_put(unsigned char *w, uint64_t v)
{
	while (v >= 0x80) {
		*w++ = (unsigned char)(v | 0x80);
		v >>= 7;
	}
	*w++ = (unsigned char)v;
	return w;
}

static inline int
crm_buf_addvarint(struct crm_buf *b, uint64_t v)
{
	unsigned char tmp[10];

	if (v < 0x80)
		return crm_buf_addc(b, (int)v);
	return crm_buf_add(b, tmp, (size_t)(crm_varint_put(tmp, v) - tmp));
}
int crm_buf_addbe64(struct crm_buf *b, uint64_t v);

/* Big-endian ids, so keys sort as numbers: inline, a put or two per
 * index entry. */
static inline void
crm_be64_put(unsigned char out[8], uint64_t v)
{
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	v = __builtin_bswap64(v);
#endif
	__builtin_memcpy(out, &v, 8);
}

static inline uint64_t
crm_be64_get(const unsigned char in[8])
{
	uint64_t v;

	__builtin_memcpy(&v, in, 8);
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	v = __builtin_bswap64(v);
#endif
	return v;
}

/*
 * Reads a varint at *p (not past end); advances *p.  Returns 0, or
 * CRM_ECORRUPT when the bytes end early or the value overflows.
 * Inline: it runs for every field of every record a scan decodes.
 */
const unsigned char *crm_varint_slow(const unsigned char *p,
    const unsigned char *end, uint64_t *v);	/* NULL: corrupt */

static inline int
crm_varint_get(const unsigned char **p, const unsigned char *end,
    uint64_t *v)
{
	const unsigned char *q = *p;

	/* One and two bytes (tags, lengths, small numbers) inline. */
	if (q < end && q[0] < 0x80) {
		*v = q[0];
		*p = q + 1;
		return 0;
	}
	if (end - q >= 2 && q[1] < 0x80) {
		*v = (uint64_t)(q[0] & 0x7f) | (uint64_t)q[1] << 7;
		*p = q + 2;
		return 0;
	}
	/* The slow path returns where it ended, so that callers' cursors
	 * never have their address taken and stay in registers. */
	q = crm_varint_slow(q, end, v);
	if (q == NULL)
		return CRM_ECORRUPT;
	*p = q;
	return 0;
}

/* Steps over a varint without its value: CRM_ECORRUPT as crm_varint_get. */
static inline int
crm_varint_skip(const unsigned char **p, const unsigned char *end)
{
	const unsigned char *q = *p, *stop;

#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	/* Its end within 8 bytes (a timestamp takes 5): the first byte with
	 * the top bit clear, found in one word. */
	if (end - q >= 8) {
		uint64_t w, m;

		__builtin_memcpy(&w, q, 8);
		m = ~w & 0x8080808080808080ULL;
		if (m != 0) {
			*p = q + __builtin_ctzll(m) / 8 + 1;
			return 0;
		}
	}
#endif
	stop = end - q > 10 ? q + 10 : end;
	while (q < stop)
		if (*q++ < 0x80) {
			*p = q;
			return 0;
		}
	return CRM_ECORRUPT;
}

#endif
