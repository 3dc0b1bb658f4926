/*
 * kb.h — the knowledge base: articles (entity "article": title,
 * category, tags, body) found by words, and those that may answer a
 * ticket.
 *
 * Words are compared without ASCII case, as parts of the text ("route"
 * finds "router").  A word found in an article's title counts 3, in its
 * tags or category 2, in its body 1; an article sharing the ticket's
 * category counts 3 more in a suggestion.
 */
#ifndef CRM_KB_H
#define CRM_KB_H

#include <stddef.h>
#include <stdint.h>

#include "db.h"
#include "record.h"

typedef int (*crm_kb_fn)(const struct crm_rec *article, int score,
    void *arg);

/*
 * Articles holding every word of query, best first (then by id), at
 * most limit (0: all).  A query without a word is CRM_EUSAGE.
 */
int crm_kb_search(struct crm_txn *tx, const char *query, size_t limit,
    crm_kb_fn fn, void *arg);

/*
 * Articles that may answer ticket id: those holding any word of its
 * subject (short and common words aside) or sharing its category, best
 * first, at most limit (0: all).
 */
int crm_kb_suggest(struct crm_txn *tx, uint64_t id, size_t limit,
    crm_kb_fn fn, void *arg);

#endif
