#include "buf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void buf_init(struct buf *b, size_t max)
{
    b->data = NULL;
    b->len = 0;
    b->cap = 0;
    b->max = max;
}

void buf_free(struct buf *b)
{
    if (!b)
        return;
    free(b->data);
    b->data = NULL;
    b->len = 0;
    b->cap = 0;
}

void buf_reset(struct buf *b)
{
    b->len = 0;
    if (b->data)
        b->data[0] = '\0';
}

static mo_rc buf_reserve(struct buf *b, size_t extra)
{
    if (extra > b->max || b->len > b->max - extra)
        return MO_ELIMIT;
    size_t need = b->len + extra + 1;
    if (need <= b->cap)
        return MO_OK;
    size_t cap = b->cap ? b->cap : 256;
    while (cap < need)
        cap *= 2;
    if (cap > b->max + 1)
        cap = b->max + 1;
    char *p = realloc(b->data, cap);
    if (!p)
        return MO_ENOMEM;
    b->data = p;
    b->cap = cap;
    return MO_OK;
}

mo_rc buf_append(struct buf *b, const void *data, size_t len)
{
    mo_rc rc = buf_reserve(b, len);
    if (rc != MO_OK)
        return rc;
    if (len)
        memcpy(b->data + b->len, data, len);
    b->len += len;
    b->data[b->len] = '\0';
    return MO_OK;
}

mo_rc buf_append_str(struct buf *b, const char *s)
{
    return buf_append(b, s, strlen(s));
}

mo_rc buf_vprintf(struct buf *b, const char *fmt, va_list ap)
{
    va_list copy;
    va_copy(copy, ap);
    int n = vsnprintf(NULL, 0, fmt, copy);
    va_end(copy);
    if (n < 0)
        return MO_EIO;
    mo_rc rc = buf_reserve(b, (size_t)n);
    if (rc != MO_OK)
        return rc;
    vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
    b->len += (size_t)n;
    return MO_OK;
}

mo_rc buf_printf(struct buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    mo_rc rc = buf_vprintf(b, fmt, ap);
    va_end(ap);
    return rc;
}

mo_rc buf_steal(struct buf *b, char **out)
{
    if (!b->data) {
        mo_rc rc = buf_reserve(b, 0);
        if (rc != MO_OK)
            return rc;
        b->data[0] = '\0';
    }
    *out = b->data;
    b->data = NULL;
    b->len = 0;
    b->cap = 0;
    return MO_OK;
}
