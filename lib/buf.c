/* buf.c — growable byte buffer and the varint helpers of the codecs. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "error.h"

int
crm_buf_grow(struct crm_buf *b, size_t extra)
{
	size_t need, cap;
	char *p;

	if (extra > SIZE_MAX - b->len - 1)
		return ENOMEM;
	need = b->len + extra + 1;
	if (need <= b->cap)
		return 0;
	cap = b->cap ? b->cap : 64;
	while (cap < need)
		cap = cap > SIZE_MAX / 2 ? need : cap * 2;
	p = realloc(b->p, cap);
	if (p == NULL)
		return ENOMEM;
	b->p = p;
	b->cap = cap;
	return 0;
}

int
crm_buf_add_slow(struct crm_buf *b, const void *p, size_t n)
{
	int rc;

	rc = crm_buf_grow(b, n);
	if (rc != 0)
		return rc;
	if (n > 0)
		memcpy(b->p + b->len, p, n);
	b->len += n;
	b->p[b->len] = '\0';
	return 0;
}

int
crm_buf_adds(struct crm_buf *b, const char *s)
{
	return crm_buf_add(b, s, strlen(s));
}

int
crm_buf_printf(struct crm_buf *b, const char *fmt, ...)
{
	va_list ap;
	int n, rc;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		return EINVAL;
	rc = crm_buf_grow(b, (size_t)n);
	if (rc != 0)
		return rc;
	va_start(ap, fmt);
	vsnprintf(b->p + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
	return 0;
}

void
crm_buf_free(struct crm_buf *b)
{
	free(b->p);
	b->p = NULL;
	b->len = b->cap = 0;
}

int
crm_buf_addbe64(struct crm_buf *b, uint64_t v)
{
	unsigned char tmp[8];

	crm_be64_put(tmp, v);
	return crm_buf_add(b, tmp, 8);
}

const unsigned char *
crm_varint_slow(const unsigned char *p, const unsigned char *end,
    uint64_t *v)
{
	uint64_t x = 0;
	int i, n;

	/* At most 10 bytes; with 10 in hand no byte needs its own check. */
	n = end - p >= 10 ? 10 : (int)(end - p);
	for (i = 0; i < n; i++) {
		x |= (uint64_t)(p[i] & 0x7f) << (7 * i);
		if (p[i] < 0x80) {
			*v = x;
			return p + i + 1;
		}
	}
	return NULL;	/* cut short, or longer than 10 bytes */
}
