/*
 * csw_cache.c — the bounded, mutex-guarded table of rendered GetRecords
 * pages of csw_cache.h.
 */
#include "csw_cache.h"

#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

struct cache_entry {
    char *key; /* owned; NULL when the slot is empty */
    size_t key_len;
    unsigned long used; /* the table's clock at the last use: the oldest of a set goes first */
    long long gen;
    struct csw_cache_page page;
    char *records; /* owned */
    size_t records_len;
};

struct csw_cache {
    pthread_mutex_t lock;
    size_t n;
    size_t max_bytes;
    struct cache_entry *slots; /* n sets of CSW_CACHE_WAYS entries */
    unsigned long clock;
    struct csw_cache_stats stats; /* bytes: keys and records held */
};

/* FNV-1a, 64 bits, then MurmurHash3's finaliser: FNV-1a alone carries a
 * difference only towards the high bits, and keys that share a long tail
 * (the page and output of the key) crowded a few sets. */
static uint64_t cache_hash(const char *key, size_t len)
{
    uint64_t h = 1469598103934665603ULL;
    for (size_t i = 0; i < len; i++) {
        h ^= (unsigned char)key[i];
        h *= 1099511628211ULL;
    }
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdULL;
    h ^= h >> 33;
    h *= 0xc4ceb9fe1a85ec53ULL;
    h ^= h >> 33;
    return h;
}

mo_rc csw_cache_new(size_t slots, size_t max_bytes, struct csw_cache **out, struct mo_err *err)
{
    *out = NULL;
    if (!slots)
        return mo_fail(err, MO_EBADREQ, "a page cache needs at least one slot");
    size_t sets = (slots + CSW_CACHE_WAYS - 1) / CSW_CACHE_WAYS;
    struct csw_cache *c = calloc(1, sizeof *c);
    if (!c || !(c->slots = calloc(sets * CSW_CACHE_WAYS, sizeof *c->slots))) {
        free(c);
        return mo_fail(err, MO_ENOMEM, "out of memory for the page cache");
    }
    c->n = sets;
    c->max_bytes = max_bytes;
    pthread_mutex_init(&c->lock, NULL);
    *out = c;
    return MO_OK;
}

void csw_cache_free(struct csw_cache *c)
{
    if (!c)
        return;
    for (size_t i = 0; i < c->n * CSW_CACHE_WAYS; i++) {
        free(c->slots[i].key);
        free(c->slots[i].records);
    }
    free(c->slots);
    pthread_mutex_destroy(&c->lock);
    free(c);
}

/* The entry of key in its set, or NULL; call with the lock held. */
static struct cache_entry *cache_find(struct cache_entry *set, const char *key, size_t len)
{
    for (size_t i = 0; i < CSW_CACHE_WAYS; i++)
        if (set[i].key && set[i].key_len == len && !memcmp(set[i].key, key, len))
            return &set[i];
    return NULL;
}

/* Where key goes in its set: its own entry, else an empty one, else the
 * one used longest ago; call with the lock held. */
static struct cache_entry *cache_victim(struct cache_entry *set, const char *key, size_t len)
{
    struct cache_entry *s = cache_find(set, key, len);
    for (size_t i = 0; !s && i < CSW_CACHE_WAYS; i++)
        if (!set[i].key)
            s = &set[i];
    if (s)
        return s;
    s = &set[0];
    for (size_t i = 1; i < CSW_CACHE_WAYS; i++)
        if (set[i].used < s->used)
            s = &set[i];
    return s;
}

static struct cache_entry *cache_set(struct csw_cache *c, const char *key, size_t len)
{
    return &c->slots[(cache_hash(key, len) % c->n) * CSW_CACHE_WAYS];
}

int csw_cache_get(struct csw_cache *c, const char *key, size_t len, long long gen,
                  struct csw_cache_page *page, struct buf *out)
{
    int found = 0;
    pthread_mutex_lock(&c->lock);
    struct cache_entry *s = cache_find(cache_set(c, key, len), key, len);
    if (s && s->gen == gen) {
        s->used = ++c->clock;
        size_t mark = out->len;
        found = buf_append(out, s->records, s->records_len) == MO_OK;
        if (found)
            *page = s->page;
        else if (out->data) { /* as it was */
            out->len = mark;
            out->data[mark] = '\0';
        }
    }
    if (found)
        c->stats.hits++;
    else
        c->stats.misses++;
    pthread_mutex_unlock(&c->lock);
    return found;
}

void csw_cache_put(struct csw_cache *c, const char *key, size_t len, long long gen,
                   const struct csw_cache_page *page, const char *records, size_t records_len)
{
    if (len > CSW_CACHE_MAX_KEY || records_len > CSW_CACHE_MAX_ENTRY)
        return;
    char *k = malloc(len + 1);
    char *r = malloc(records_len + 1);
    if (!k || !r) {
        free(k);
        free(r);
        return;
    }
    memcpy(k, key, len);
    k[len] = '\0';
    if (records_len) /* an empty page may have no buffer at all */
        memcpy(r, records, records_len);
    r[records_len] = '\0';
    char *old_key = NULL, *old_records = NULL;
    pthread_mutex_lock(&c->lock);
    struct cache_entry *s = cache_victim(cache_set(c, key, len), key, len);
    size_t held = c->stats.bytes - (s->key ? s->key_len + s->records_len : 0);
    if (held + len + records_len <= c->max_bytes) {
        old_key = s->key;
        old_records = s->records;
        *s = (struct cache_entry){k, len, ++c->clock, gen, *page, r, records_len};
        c->stats.bytes = held + len + records_len;
        c->stats.stored++;
        k = r = NULL; /* the slot owns them */
    }
    pthread_mutex_unlock(&c->lock);
    free(k); /* not kept: over the budget */
    free(r);
    free(old_key); /* outside the lock */
    free(old_records);
}

void csw_cache_get_stats(struct csw_cache *c, struct csw_cache_stats *out)
{
    pthread_mutex_lock(&c->lock);
    *out = c->stats;
    pthread_mutex_unlock(&c->lock);
}
