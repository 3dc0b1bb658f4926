/*
 * kb.c — knowledge-base search and suggestions.  A scan of the
 * articles with substring tests: a help desk's knowledge base holds
 * hundreds of articles, not millions, and people's words do not match
 * whole index keys ("router" should find "Routers").
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "error.h"
#include "kb.h"
#include "store.h"

#define FLD(e, name) crm_field_find((e), (name), strlen(name))

struct words {
	char **w;
	size_t n;
};

static void
words_free(struct words *ws)
{
	size_t i;

	for (i = 0; i < ws->n; i++)
		free(ws->w[i]);
	free(ws->w);
	ws->w = NULL;
	ws->n = 0;
}

static int
word_byte(unsigned char c)
{
	/* Bytes of UTF-8 sequences belong to words: 路由器 is one. */
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
	    (c >= 'A' && c <= 'Z') || c >= 0x80;
}

/* Words a ticket's subject says nothing with. */
static int
common_word(const char *w, size_t len)
{
	static const char *const stop[] = { "about", "after", "again", "all",
		"and", "any", "are", "been", "but", "can", "cannot", "cant",
		"could", "does", "dont", "for", "from", "get", "got", "has",
		"have", "help", "how", "into", "issue", "its", "need", "not",
		"our", "please", "problem", "should", "still", "than", "that",
		"the", "them", "then", "there", "they", "this", "was", "what",
		"when", "why", "will", "with", "wont", "would", "you", "your",
		NULL };
	size_t i;

	if (len < 3)
		return 1;
	for (i = 0; stop[i] != NULL; i++)
		if (strlen(stop[i]) == len && memcmp(stop[i], w, len) == 0)
			return 1;
	return 0;
}

/* "delayed" finds "delay", "routers" "router". */
static size_t
stem(const char *w, size_t len)
{
	if (len >= 6 && memcmp(w + len - 3, "ing", 3) == 0)
		return len - 3;
	if (len >= 5 && (memcmp(w + len - 2, "ed", 2) == 0 ||
	    memcmp(w + len - 2, "es", 2) == 0))
		return len - 2;
	if (len >= 4 && w[len - 1] == 's' && w[len - 2] != 's')
		return len - 1;
	return len;
}

/* The words of s, lower-cased, each once; with plain unset, common
 * words dropped and the rest stemmed. */
static int
split(const char *s, size_t len, int plain, struct words *ws)
{
	size_t i = 0, j, k, n;

	while (i < len) {
		char *w, **p;
		int dup = 0;

		while (i < len && !word_byte((unsigned char)s[i]))
			i++;
		for (j = i; j < len && word_byte((unsigned char)s[j]); j++)
			;
		if (j == i)
			break;
		w = strndup(s + i, j - i);
		if (w == NULL)
			return ENOMEM;
		for (k = 0; w[k] != '\0'; k++)
			if (w[k] >= 'A' && w[k] <= 'Z')
				w[k] = (char)(w[k] - 'A' + 'a');
		n = j - i;
		i = j;
		if (!plain) {
			if (common_word(w, n)) {
				free(w);
				continue;
			}
			w[stem(w, n)] = '\0';
		}
		for (k = 0; k < ws->n; k++)
			dup |= strcmp(ws->w[k], w) == 0;
		if (dup) {
			free(w);
			continue;
		}
		p = realloc(ws->w, (ws->n + 1) * sizeof(*p));
		if (p == NULL) {
			free(w);
			return ENOMEM;
		}
		ws->w = p;
		ws->w[ws->n++] = w;
	}
	return 0;
}

/* Whether the text of field f holds w (lower case), ASCII case aside. */
static int
holds(const struct crm_rec *a, int f, const char *w)
{
	const struct crm_val *v = &a->v[f];
	size_t wl = strlen(w), i;

	if (v->state != CRM_V_SET || v->len < wl)
		return 0;
	for (i = 0; i + wl <= v->len; i++)
		if (strncasecmp(v->s + i, w, wl) == 0)
			return 1;
	return 0;
}

struct query {
	struct words w;
	int all;		/* every word must be found */
	const char *cat;	/* the ticket's category, or NULL */
	size_t catlen;
};

struct hit {
	struct crm_rec *a;
	int score;
};

static int
cmp_hits(const void *x, const void *y)
{
	const struct hit *p = x, *q = y;

	if (p->score != q->score)
		return p->score > q->score ? -1 : 1;
	return p->a->id < q->a->id ? -1 : p->a->id > q->a->id;
}

static int
score(const struct crm_rec *a, const struct query *q)
{
	const struct crm_entity *e = a->ent;
	int ft = FLD(e, "title"), fg = FLD(e, "tags"), fc = FLD(e, "category");
	int fb = FLD(e, "body"), s = 0, one;
	const struct crm_val *c = &a->v[fc];
	size_t i;

	for (i = 0; i < q->w.n; i++) {
		one = 3 * holds(a, ft, q->w.w[i]) + 2 * holds(a, fg, q->w.w[i]) +
		    2 * holds(a, fc, q->w.w[i]) + holds(a, fb, q->w.w[i]);
		if (one == 0 && q->all)
			return 0;
		s += one;
	}
	if (q->cat != NULL && c->state == CRM_V_SET && c->len == q->catlen &&
	    strncasecmp(c->s, q->cat, c->len) == 0)
		s += 3;
	return s;
}

static int
run(struct crm_txn *tx, const struct query *q, size_t limit, crm_kb_fn fn,
    void *arg)
{
	const struct crm_entity *e = crm_entity_find("article");
	struct crm_iter *it = NULL;
	struct crm_rec *r = crm_rec_new(e);
	struct hit *h = NULL;
	size_t n = 0, cap = 0, i;
	int rc = r == NULL ? ENOMEM : crm_iter_all(tx, e, &it);

	while (rc == 0) {
		const void *data;
		uint64_t id;
		size_t len;
		int s;

		rc = crm_iter_next(it, &id, &data, &len);
		if (rc == 0)
			rc = crm_rec_decode(r, id, data, len, CRM_DECODE_BORROW);
		if (rc != 0)
			break;
		s = score(r, q);
		if (s == 0)
			continue;
		if (n == cap) {
			struct hit *p;

			cap = cap ? cap * 2 : 32;
			p = realloc(h, cap * sizeof(*p));
			if (p == NULL) {
				rc = ENOMEM;
				break;
			}
			h = p;
		}
		h[n].a = crm_rec_new(e);
		if (h[n].a == NULL || crm_rec_copy(h[n].a, r) != 0) {
			crm_rec_free(h[n].a);
			rc = ENOMEM;
			break;
		}
		h[n++].score = s;
	}
	if (rc == CRM_ENOTFOUND)
		rc = 0;
	if (rc == 0 && n > 1)
		qsort(h, n, sizeof(*h), cmp_hits);
	for (i = 0; i < n && (limit == 0 || i < limit) && rc == 0; i++)
		rc = fn(h[i].a, h[i].score, arg);
	for (i = 0; i < n; i++)
		crm_rec_free(h[i].a);
	free(h);
	crm_iter_free(it);
	crm_rec_free(r);
	return rc;
}

int
crm_kb_search(struct crm_txn *tx, const char *query, size_t limit,
    crm_kb_fn fn, void *arg)
{
	struct query q;
	int rc;

	memset(&q, 0, sizeof(q));
	q.all = 1;
	rc = split(query, strlen(query), 1, &q.w);
	if (rc == 0 && q.w.n == 0)
		rc = crm_seterr(CRM_EUSAGE, "search: no word to look for");
	if (rc == 0)
		rc = run(tx, &q, limit, fn, arg);
	words_free(&q.w);
	return rc;
}

int
crm_kb_suggest(struct crm_txn *tx, uint64_t id, size_t limit, crm_kb_fn fn,
    void *arg)
{
	const struct crm_entity *te = crm_entity_find("ticket");
	struct crm_rec *t = crm_rec_new(te);
	const struct crm_val *subj, *cat;
	struct query q;
	int rc;

	memset(&q, 0, sizeof(q));
	rc = t == NULL ? ENOMEM : crm_fetch(tx, t, id);
	if (rc == 0) {
		subj = &t->v[FLD(te, "subject")];
		cat = &t->v[FLD(te, "category")];
		if (subj->state == CRM_V_SET)
			rc = split(subj->s, subj->len, 0, &q.w);
		if (cat->state == CRM_V_SET) {
			q.cat = cat->s;
			q.catlen = cat->len;
		}
	}
	if (rc == 0)
		rc = run(tx, &q, limit, fn, arg);
	words_free(&q.w);
	crm_rec_free(t);
	return rc;
}
