/*
 * json.c — the JSON writer of json.h: separators, nesting, sticky errors and
 * string escaping with UTF-8 validation.
 */
#include "json.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

/* Length of the valid UTF-8 sequence at p (n bytes left) and its code point
 * in *cp; 0 when the bytes there are not one (overlong, surrogate, past
 * U+10FFFF, truncated). */
static size_t json_utf8_seq(const unsigned char *p, size_t n, unsigned *cp)
{
    unsigned c = p[0];
    size_t len;
    unsigned min;
    if (c < 0x80) {
        *cp = c;
        return 1;
    }
    if (c >= 0xC2 && c <= 0xDF) {
        len = 2, min = 0x80, c &= 0x1F;
    } else if (c >= 0xE0 && c <= 0xEF) {
        len = 3, min = 0x800, c &= 0x0F;
    } else if (c >= 0xF0 && c <= 0xF4) {
        len = 4, min = 0x10000, c &= 0x07;
    } else {
        return 0;
    }
    if (n < len)
        return 0;
    for (size_t i = 1; i < len; i++) {
        if ((p[i] & 0xC0) != 0x80)
            return 0;
        c = (c << 6) | (p[i] & 0x3F);
    }
    if (c < min || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF))
        return 0;
    *cp = c;
    return len;
}

/* The escape of one ASCII byte, or NULL when it is written as is. */
static const char *json_ascii_escape(unsigned char c, char tmp[8])
{
    switch (c) {
    case '"':
        return "\\\"";
    case '\\':
        return "\\\\";
    case '\n':
        return "\\n";
    case '\r':
        return "\\r";
    case '\t':
        return "\\t";
    case '\b':
        return "\\b";
    case '\f':
        return "\\f";
    default:
        break;
    }
    if (c < 0x20 || c == 0x7F || c == '<' || c == '>' || c == '&') {
        snprintf(tmp, 8, "\\u%04x", c);
        return tmp;
    }
    return NULL;
}

mo_rc json_escape(struct buf *out, const char *s, size_t len)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0, plain = 0; /* plain: start of the run copied as is */
    mo_rc rc = MO_OK;
    while (i < len && rc == MO_OK) {
        char tmp[8];
        const char *esc = NULL;
        unsigned cp = 0;
        size_t n = json_utf8_seq(p + i, len - i, &cp);
        if (n == 1)
            esc = json_ascii_escape(p[i], tmp);
        else if (n == 0)
            esc = "\xEF\xBF\xBD"; /* U+FFFD for each bad byte */
        else if (cp == 0x2028 || cp == 0x2029)
            esc = cp == 0x2028 ? "\\u2028" : "\\u2029";
        if (!esc) {
            i += n;
            continue;
        }
        rc = buf_append(out, s + plain, i - plain);
        if (rc == MO_OK)
            rc = buf_append_str(out, esc);
        i += n ? n : 1;
        plain = i;
    }
    if (rc == MO_OK)
        rc = buf_append(out, s + plain, len - plain);
    return rc;
}

void json_init(struct json *j, struct buf *out)
{
    memset(j, 0, sizeof *j);
    j->out = out;
}

static void json_set_error(struct json *j, mo_rc rc)
{
    if (j->rc == MO_OK)
        j->rc = rc;
}

static void json_put(struct json *j, const char *text, size_t len)
{
    if (j->rc == MO_OK)
        json_set_error(j, buf_append(j->out, text, len));
}

/* Writes the separator a value needs here; 0 when the value may not come. */
static int json_before_value(struct json *j)
{
    if (j->rc != MO_OK)
        return 0;
    if (j->in_object[j->depth]) {
        if (!j->key_done) {
            json_set_error(j, MO_EBADREQ);
            return 0;
        }
        j->key_done = 0;
        return 1;
    }
    if (j->depth == 0 && j->need_comma[0]) { /* one top-level value only */
        json_set_error(j, MO_EBADREQ);
        return 0;
    }
    if (j->need_comma[j->depth])
        json_put(j, ",", 1);
    j->need_comma[j->depth] = 1;
    return j->rc == MO_OK;
}

static void json_open(struct json *j, char c, int object)
{
    if (!json_before_value(j))
        return;
    if (j->depth >= JSON_MAX_DEPTH) {
        json_set_error(j, MO_ELIMIT);
        return;
    }
    json_put(j, &c, 1);
    j->depth++;
    j->need_comma[j->depth] = 0;
    j->in_object[j->depth] = (unsigned char)object;
}

static void json_close(struct json *j, char c, int object)
{
    if (j->rc != MO_OK)
        return;
    if (j->depth == 0 || j->in_object[j->depth] != object || j->key_done) {
        json_set_error(j, MO_EBADREQ);
        return;
    }
    json_put(j, &c, 1);
    j->depth--;
}

void json_begin_object(struct json *j)
{
    json_open(j, '{', 1);
}

void json_end_object(struct json *j)
{
    json_close(j, '}', 1);
}

void json_begin_array(struct json *j)
{
    json_open(j, '[', 0);
}

void json_end_array(struct json *j)
{
    json_close(j, ']', 0);
}

static void json_put_string(struct json *j, const char *s, size_t len)
{
    json_put(j, "\"", 1);
    if (j->rc == MO_OK)
        json_set_error(j, json_escape(j->out, s, len));
    json_put(j, "\"", 1);
}

void json_key(struct json *j, const char *key)
{
    if (j->rc != MO_OK)
        return;
    if (!j->in_object[j->depth] || j->key_done || !key) {
        json_set_error(j, MO_EBADREQ);
        return;
    }
    if (j->need_comma[j->depth])
        json_put(j, ",", 1);
    j->need_comma[j->depth] = 1;
    json_put_string(j, key, strlen(key));
    json_put(j, ":", 1);
    j->key_done = 1;
}

void json_string_n(struct json *j, const char *s, size_t len)
{
    if (!json_before_value(j))
        return;
    if (!s)
        json_put(j, "null", 4);
    else
        json_put_string(j, s, len);
}

void json_string(struct json *j, const char *s)
{
    json_string_n(j, s, s ? strlen(s) : 0);
}

static void json_put_literal(struct json *j, const char *text)
{
    if (json_before_value(j))
        json_put(j, text, strlen(text));
}

void json_int(struct json *j, long long v)
{
    char tmp[32];
    snprintf(tmp, sizeof tmp, "%lld", v);
    json_put_literal(j, tmp);
}

void json_double(struct json *j, double v)
{
    char tmp[40];
    if (!isfinite(v)) {
        json_put_literal(j, "null");
        return;
    }
    snprintf(tmp, sizeof tmp, "%.15g", v);
    json_put_literal(j, tmp);
}

void json_bool(struct json *j, int v)
{
    json_put_literal(j, v ? "true" : "false");
}

void json_null(struct json *j)
{
    json_put_literal(j, "null");
}

void json_raw(struct json *j, const char *text)
{
    json_put_literal(j, text);
}

void json_member_string(struct json *j, const char *key, const char *s)
{
    json_key(j, key);
    json_string(j, s);
}

void json_member_int(struct json *j, const char *key, long long v)
{
    json_key(j, key);
    json_int(j, v);
}

mo_rc json_finish(struct json *j, struct mo_err *err)
{
    if (j->rc == MO_OK && (j->depth != 0 || j->key_done || !j->need_comma[0]))
        j->rc = MO_EBADREQ;
    switch (j->rc) {
    case MO_OK:
        return MO_OK;
    case MO_ELIMIT:
        return mo_fail(err, MO_ELIMIT, "JSON document too large or nested deeper than %d",
                       JSON_MAX_DEPTH);
    case MO_ENOMEM:
        return mo_fail(err, MO_ENOMEM, "out of memory writing JSON");
    default:
        return mo_fail(err, j->rc,
                       "JSON written out of order (a value without its key, or "
                       "containers not closed)");
    }
}
