/*
 * http_text.h — the text rules of the HTTP front, without libmicrohttpd:
 * percent-decoding, UTF-8 validation, header names and values, media types,
 * and quoting outside text safely into messages.
 */
#ifndef MOISSON_HTTP_TEXT_H
#define MOISSON_HTTP_TEXT_H

#include <stddef.h>

#define HTTP_TEXT_QUOTE_MAX 160 /* a quoted value in a message, with its "..." */
#define HTTP_TEXT_TOKEN_MAX 64  /* a response header name */

/* Decodes %HH escapes of s in place ('+' is left alone; malformed escapes are
 * kept as written) and returns the new length.  An encoded NUL (%00) becomes
 * the byte 0xFF, which is never valid UTF-8, so that http_text_utf8_ok
 * refuses it instead of the string being cut short. */
size_t http_text_unescape(char *s);

/* True when the len bytes of s are valid UTF-8 (no overlong form, no
 * surrogate, nothing past U+10FFFF) without a NUL. */
int http_text_utf8_ok(const char *s, size_t len);

/* True when name is an HTTP token (RFC 9110) of at most HTTP_TEXT_TOKEN_MAX
 * bytes. */
int http_text_token_ok(const char *name);

/* True when value holds no control character but tab (no CR or LF: no
 * header injection). */
int http_text_value_ok(const char *value);

/* True when the media type of a Content-Type value (before any ';',
 * case-insensitive) is one of types (NULL-terminated).  header may be NULL
 * (false). */
int http_text_media_type_in(const char *header, const char *const *types);

/* Copies s into out (size bytes, at most HTTP_TEXT_QUOTE_MAX used) for a
 * message: control characters, '"', '\\' and bytes of invalid UTF-8 become
 * '?', and a long value is cut on a character boundary with "...". */
void http_text_quote(const char *s, char *out, size_t size);

#endif
