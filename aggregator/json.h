/*
 * json.h — a small JSON writer with correct escaping, for the OGC API
 * Records responses (api.c) and anything else that answers JSON.
 *
 * The writer appends to a caller's capped struct buf and tracks where commas
 * go, so handlers write values in order and never a separator.  Errors are
 * sticky: after the first failure (the buffer's cap, memory, nesting past
 * JSON_MAX_DEPTH, a value where a key is due) every call does nothing and
 * json_finish reports it, so a handler checks once at the end.
 *
 * Strings are escaped for JSON and for being embedded in HTML: '"', '\\',
 * every control character (U+0000–U+001F, U+007F), '<', '>', '&', U+2028 and
 * U+2029 become escapes, so a harvested title "</script>" cannot close a
 * script element.  Input that is not valid UTF-8 (a truncated sequence, an
 * overlong form, a surrogate) has each bad byte replaced by U+FFFD: the
 * output is always valid UTF-8 JSON.
 */
#ifndef MOISSON_JSON_H
#define MOISSON_JSON_H

#include "buf.h"
#include "result.h"

#include <stddef.h>

#define JSON_MAX_DEPTH 32 /* nested objects and arrays */

struct json {
    struct buf *out; /* borrowed */
    mo_rc rc;        /* the first error, sticky */
    int depth;
    unsigned char need_comma[JSON_MAX_DEPTH + 1];
    unsigned char in_object[JSON_MAX_DEPTH + 1];
    unsigned char key_done; /* a key was written: its value is due */
};

/* Starts writing to out (borrowed; appended to). */
void json_init(struct json *j, struct buf *out);

/* Objects and arrays; inside an object, every value is preceded by
 * json_key.  Nesting past JSON_MAX_DEPTH is MO_ELIMIT. */
void json_begin_object(struct json *j);
void json_end_object(struct json *j);
void json_begin_array(struct json *j);
void json_end_array(struct json *j);

/* The key of the next value of the current object (escaped as a string). */
void json_key(struct json *j, const char *key);

/* A string value (s NULL writes null); json_string_n takes len bytes, NUL
 * bytes included (written as \u0000). */
void json_string(struct json *j, const char *s);
void json_string_n(struct json *j, const char *s, size_t len);

void json_int(struct json *j, long long v);
/* A finite number with up to 15 significant digits; NaN and infinities,
 * which JSON lacks, are written as null. */
void json_double(struct json *j, double v);
void json_bool(struct json *j, int v);
void json_null(struct json *j);

/* A value given as JSON text, written as is: for constant documents of
 * the program's own (the caller vouches that it is one valid value). */
void json_raw(struct json *j, const char *text);

/* Shortcuts: json_key then the value. */
void json_member_string(struct json *j, const char *key, const char *s);
void json_member_int(struct json *j, const char *key, long long v);

/* MO_OK when everything was written and every object and array closed;
 * else the first error (MO_ELIMIT for the cap or the depth, MO_ENOMEM,
 * MO_EBADREQ for a misuse: a value without its key, a close that does not
 * match, unclosed containers), with a message in err. */
mo_rc json_finish(struct json *j, struct mo_err *err) MO_MUST_CHECK;

/* Appends s (len bytes) to out as the inside of a JSON string (no quotes),
 * with the escaping above.  MO_ELIMIT or MO_ENOMEM from the buffer. */
mo_rc json_escape(struct buf *out, const char *s, size_t len) MO_MUST_CHECK;

#endif
