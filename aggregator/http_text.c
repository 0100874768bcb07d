/*
 * http_text.c — percent-decoding, UTF-8 validation, header text checks and
 * safe quoting for the HTTP front.
 */
#include "http_text.h"

#include <string.h>
#include <strings.h>

static int http_text_hex(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

size_t http_text_unescape(char *s)
{
    char *w = s;
    for (const char *r = s; *r; r++) {
        int hi, lo;
        if (r[0] == '%' && (hi = http_text_hex(r[1])) >= 0 && (lo = http_text_hex(r[2])) >= 0) {
            int byte = hi * 16 + lo;
            *w++ = (char)(byte == 0 ? 0xFF : byte);
            r += 2;
        } else {
            *w++ = *r;
        }
    }
    *w = '\0';
    return (size_t)(w - s);
}

/* Length of the UTF-8 sequence starting at s (at most n bytes), 0 when it is
 * not valid. */
static size_t http_text_utf8_seq(const unsigned char *s, size_t n)
{
    unsigned c = s[0];
    size_t len;
    unsigned min;
    if (c == 0)
        return 0;
    if (c < 0x80)
        return 1;
    if (c >= 0xC2 && c <= 0xDF) {
        len = 2;
        min = 0x80;
    } else if (c >= 0xE0 && c <= 0xEF) {
        len = 3;
        min = 0x800;
    } else if (c >= 0xF0 && c <= 0xF4) {
        len = 4;
        min = 0x10000;
    } else {
        return 0;
    }
    if (len > n)
        return 0;
    unsigned cp = c & (0x7F >> len);
    for (size_t i = 1; i < len; i++) {
        if ((s[i] & 0xC0) != 0x80)
            return 0;
        cp = (cp << 6) | (s[i] & 0x3F);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
        return 0;
    return len;
}

int http_text_utf8_ok(const char *s, size_t len)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0;
    while (i < len) {
        size_t n = http_text_utf8_seq(p + i, len - i);
        if (n == 0)
            return 0;
        i += n;
    }
    return 1;
}

int http_text_token_ok(const char *name)
{
    static const char extra[] = "!#$%&'*+-.^_`|~";
    size_t n = name ? strlen(name) : 0;
    if (n == 0 || n > HTTP_TEXT_TOKEN_MAX)
        return 0;
    for (const char *p = name; *p; p++) {
        char c = *p;
        int alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
        if (!alnum && !strchr(extra, c))
            return 0;
    }
    return 1;
}

int http_text_value_ok(const char *value)
{
    if (!value)
        return 0;
    for (const unsigned char *p = (const unsigned char *)value; *p; p++)
        if ((*p < 0x20 && *p != '\t') || *p == 0x7F)
            return 0;
    return 1;
}

int http_text_media_type_in(const char *header, const char *const *types)
{
    if (!header)
        return 0;
    while (*header == ' ' || *header == '\t')
        header++;
    size_t n = strcspn(header, "; \t");
    for (size_t i = 0; types[i]; i++)
        if (strlen(types[i]) == n && strncasecmp(header, types[i], n) == 0)
            return 1;
    return 0;
}

void http_text_quote(const char *s, char *out, size_t size)
{
    const unsigned char *p = (const unsigned char *)(s ? s : "");
    size_t room = size < HTTP_TEXT_QUOTE_MAX ? size : HTTP_TEXT_QUOTE_MAX;
    size_t left = strlen((const char *)p);
    size_t w = 0;
    if (room < 4) {
        if (room)
            out[0] = '\0';
        return;
    }
    while (left) {
        size_t n = http_text_utf8_seq(p, left);
        int keep = n > 1 || (n == 1 && *p >= 0x20 && *p != 0x7F && *p != '"' && *p != '\\');
        size_t put = keep ? n : 1;
        size_t eat = n ? n : 1;
        if (w + put + 4 > room) {
            memcpy(out + w, "...", 3);
            w += 3;
            break;
        }
        if (keep)
            memcpy(out + w, p, n);
        else
            out[w] = '?';
        w += put;
        p += eat;
        left -= eat;
    }
    out[w] = '\0';
}
