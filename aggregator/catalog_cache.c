/*
 * catalog_cache.c — the fixed-size, mutex-guarded table of catalog_cache.h.
 */
#include "catalog_cache.h"

#include "catalog.h"

#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

struct cache_slot {
    char *key; /* owned; NULL when the slot is empty */
    size_t len;
    long long gen;
    long long num;
    char *text; /* owned, may be NULL */
};

struct catalog_cache {
    pthread_mutex_t lock;
    size_t n;
    struct cache_slot *slots;
};

/* FNV-1a, 64 bits. */
static uint64_t cache_hash(const char *key, size_t len)
{
    uint64_t h = 1469598103934665603ULL;
    for (size_t i = 0; i < len; i++) {
        h ^= (unsigned char)key[i];
        h *= 1099511628211ULL;
    }
    return h;
}

mo_rc catalog_cache_new(size_t slots, struct catalog_cache **out, struct mo_err *err)
{
    *out = NULL;
    struct catalog_cache *c = calloc(1, sizeof *c);
    if (!c || !slots || !(c->slots = calloc(slots, sizeof *c->slots))) {
        free(c);
        return mo_fail(err, MO_ENOMEM, "out of memory for the catalog cache");
    }
    c->n = slots;
    pthread_mutex_init(&c->lock, NULL);
    *out = c;
    return MO_OK;
}

void catalog_cache_free(struct catalog_cache *c)
{
    if (!c)
        return;
    for (size_t i = 0; i < c->n; i++) {
        free(c->slots[i].key);
        free(c->slots[i].text);
    }
    free(c->slots);
    pthread_mutex_destroy(&c->lock);
    free(c);
}

int catalog_cache_get(struct catalog_cache *c, const char *key, size_t len, long long *gen,
                      long long *num, char *text, size_t size)
{
    int found = 0;
    struct cache_slot *s = &c->slots[cache_hash(key, len) % c->n];
    pthread_mutex_lock(&c->lock);
    if (s->key && s->len == len && !memcmp(s->key, key, len)) {
        size_t tl = s->text ? strlen(s->text) : 0;
        if (!text || tl < size) {
            found = 1;
            *gen = s->gen;
            *num = s->num;
            if (text)
                memcpy(text, s->text ? s->text : "", tl + 1);
        }
    }
    pthread_mutex_unlock(&c->lock);
    return found;
}

void catalog_cache_put(struct catalog_cache *c, const char *key, size_t len, long long gen,
                       long long num, const char *text)
{
    if (len > CATALOG_MAX_KEY || (text && strlen(text) > CATALOG_MAX_KEY))
        return;
    char *k = malloc(len + 1);
    char *t = text ? strdup(text) : NULL;
    if (!k || (text && !t)) {
        free(k);
        free(t);
        return;
    }
    memcpy(k, key, len);
    k[len] = '\0';
    struct cache_slot *s = &c->slots[cache_hash(key, len) % c->n];
    pthread_mutex_lock(&c->lock);
    char *old_key = s->key, *old_text = s->text;
    s->key = k;
    s->len = len;
    s->gen = gen;
    s->num = num;
    s->text = t;
    pthread_mutex_unlock(&c->lock);
    free(old_key); /* outside the lock */
    free(old_text);
}
