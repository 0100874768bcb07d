/*
 * search_cache.c — the search's shared cache (search_internal.h): a table
 * of (key, generation) → text under one mutex.  A key may sit in any of the
 * SEARCH_CACHE_WAYS slots after the one its hash picks; a new key takes the
 * least recently used of them (a direct-mapped table made two popular keys
 * of a benchmark's 66 evict each other at every request).  A key longer
 * than SEARCH_MAX_KEY or a value longer than SEARCH_MAX_CACHED is not kept,
 * so memory stays under slots × (SEARCH_MAX_KEY + SEARCH_MAX_CACHED).
 */
#include "search_internal.h"

#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define SEARCH_CACHE_WAYS 4

struct search_slot {
    char *key;
    size_t len;
    long long gen;
    char *value;
    unsigned long long used; /* clock of the last get or put */
};

struct search_cache {
    pthread_mutex_t lock;
    size_t n;
    unsigned long long clock;
    struct search_slot *slots;
};

mo_rc search_cache_new(size_t slots, struct search_cache **out, struct mo_err *err)
{
    *out = NULL;
    struct search_cache *c = calloc(1, sizeof *c);
    if (c)
        c->slots = calloc(slots ? slots : 1, sizeof *c->slots);
    if (!c || !c->slots) {
        free(c);
        return mo_fail(err, MO_ENOMEM, "out of memory for the search cache");
    }
    c->n = slots;
    pthread_mutex_init(&c->lock, NULL);
    *out = c;
    return MO_OK;
}

void search_cache_free(struct search_cache *c)
{
    if (!c)
        return;
    for (size_t i = 0; i < c->n; i++) {
        free(c->slots[i].key);
        free(c->slots[i].value);
    }
    free(c->slots);
    pthread_mutex_destroy(&c->lock);
    free(c);
}

/* FNV-1a of the key. */
static size_t search_cache_slot(const struct search_cache *c, const char *key, size_t len)
{
    uint64_t h = 1469598103934665603ULL;
    for (size_t i = 0; i < len; i++)
        h = (h ^ (unsigned char)key[i]) * 1099511628211ULL;
    return (size_t)(h % c->n);
}

/* The slot holding key among its ways, or NULL. */
static struct search_slot *search_cache_find(struct search_cache *c, size_t first, const char *key,
                                             size_t len)
{
    for (size_t w = 0; w < SEARCH_CACHE_WAYS; w++) {
        struct search_slot *s = &c->slots[(first + w) % c->n];
        if (s->key && s->len == len && !memcmp(s->key, key, len))
            return s;
    }
    return NULL;
}

char *search_cache_get(struct search_cache *c, const char *key, size_t len, long long gen)
{
    char *copy = NULL;
    if (!c->n) /* no cache (MOISSON_SEARCH_CACHE=off) */
        return NULL;
    size_t first = search_cache_slot(c, key, len);
    pthread_mutex_lock(&c->lock);
    struct search_slot *s = search_cache_find(c, first, key, len);
    if (s && s->gen == gen) {
        copy = strdup(s->value);
        s->used = ++c->clock;
    }
    pthread_mutex_unlock(&c->lock);
    return copy;
}

void search_cache_put(struct search_cache *c, const char *key, size_t len, long long gen,
                      const char *value)
{
    if (!c->n || len > SEARCH_MAX_KEY || strlen(value) > SEARCH_MAX_CACHED)
        return;
    char *k = malloc(len + 1), *v = strdup(value);
    if (!k || !v) {
        free(k);
        free(v);
        return;
    }
    memcpy(k, key, len);
    k[len] = '\0';
    size_t first = search_cache_slot(c, key, len);
    pthread_mutex_lock(&c->lock);
    struct search_slot *s = search_cache_find(c, first, key, len);
    if (!s) { /* the least recently used of the ways (an empty one has used 0) */
        s = &c->slots[first];
        for (size_t w = 1; w < SEARCH_CACHE_WAYS; w++) {
            struct search_slot *t = &c->slots[(first + w) % c->n];
            if (t->used < s->used)
                s = t;
        }
    }
    char *old_k = s->key, *old_v = s->value;
    s->key = k;
    s->len = len;
    s->gen = gen;
    s->value = v;
    s->used = ++c->clock;
    pthread_mutex_unlock(&c->lock);
    free(old_k);
    free(old_v);
}
