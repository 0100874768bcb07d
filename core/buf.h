/*
 * buf.h — a growable byte buffer with a hard maximum.
 *
 * The data is always NUL-terminated (the terminator is not counted in len).
 * Appending past max fails with MO_ELIMIT and leaves the buffer as it was.
 */
#ifndef MOISSON_BUF_H
#define MOISSON_BUF_H

#include "result.h"

#include <stdarg.h>
#include <stddef.h>

struct buf {
    char *data;
    size_t len;
    size_t cap;
    size_t max;
};

/* Starts an empty buffer that may grow to max bytes; allocates nothing. */
void buf_init(struct buf *b, size_t max);

/* Frees the data and resets the buffer (max is kept); b may be NULL. */
void buf_free(struct buf *b);

/* Empties the buffer, keeping its memory. */
void buf_reset(struct buf *b);

mo_rc buf_append(struct buf *b, const void *data, size_t len) MO_MUST_CHECK;
mo_rc buf_append_str(struct buf *b, const char *s) MO_MUST_CHECK;
mo_rc buf_printf(struct buf *b, const char *fmt, ...) MO_PRINTF(2, 3) MO_MUST_CHECK;
mo_rc buf_vprintf(struct buf *b, const char *fmt, va_list ap) MO_PRINTF(2, 0) MO_MUST_CHECK;

/* Hands the data over to the caller (never NULL on MO_OK; "" when empty);
 * the buffer is left empty. */
mo_rc buf_steal(struct buf *b, char **out) MO_MUST_CHECK;

#endif
