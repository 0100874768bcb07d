/*
 * catalog_cache.h — a fixed-size table of (key → generation, number, text)
 * shared by threads under its own mutex, for catalog.c: the exact counts and
 * the page cursors of the CSW server.
 *
 * Direct-mapped: a key's hash picks one slot, and a new key evicts what was
 * there.  Keys and texts longer than CATALOG_MAX_KEY are not kept, so the
 * memory is at most slots × 2 × CATALOG_MAX_KEY bytes.
 */
#ifndef MOISSON_CATALOG_CACHE_H
#define MOISSON_CATALOG_CACHE_H

#include "result.h"

#include <stddef.h>

struct catalog_cache;

/* A table of slots entries (MO_ENOMEM). */
mo_rc catalog_cache_new(size_t slots, struct catalog_cache **out, struct mo_err *err) MO_MUST_CHECK;

/* Frees the table and every key; c may be NULL. */
void catalog_cache_free(struct catalog_cache *c);

/* Looks key (len bytes) up: 1 when present, with its generation, number and
 * text (copied into text, size bytes, when text is not NULL; a text that
 * does not fit counts as absent); 0 otherwise. */
int catalog_cache_get(struct catalog_cache *c, const char *key, size_t len, long long *gen,
                      long long *num, char *text, size_t size);

/* Stores (or replaces) key with its values; text may be NULL.  Silently
 * keeps nothing when the key or the text is too long or memory is short:
 * a cache may forget. */
void catalog_cache_put(struct catalog_cache *c, const char *key, size_t len, long long gen,
                       long long num, const char *text);

#endif
