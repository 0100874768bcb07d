/*
 * web_html.c — the HTML writer of the pages: trusted markup, and the
 * escaping that every harvested or user string goes through.
 */
#include "web_internal.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

void html_init(struct html *h, struct buf *out)
{
    h->out = out;
    h->rc = MO_OK;
}

static void html_put(struct html *h, const char *s, size_t len)
{
    if (h->rc == MO_OK && len)
        h->rc = buf_append(h->out, s, len);
}

void html_raw(struct html *h, const char *markup)
{
    html_put(h, markup, strlen(markup));
}

void html_printf(struct html *h, const char *fmt, ...)
{
    va_list ap;
    if (h->rc != MO_OK)
        return;
    va_start(ap, fmt);
    h->rc = buf_vprintf(h->out, fmt, ap);
    va_end(ap);
}

/* Length of the valid UTF-8 sequence at s (at most left bytes), 0 when
 * the bytes there are not one. */
static size_t utf8_len(const unsigned char *s, size_t left)
{
    size_t n = s[0] < 0x80             ? 1
               : (s[0] & 0xE0) == 0xC0 ? 2
               : (s[0] & 0xF0) == 0xE0 ? 3
               : (s[0] & 0xF8) == 0xF0 ? 4
                                       : 0;
    if (!n || n > left || (n == 2 && s[0] < 0xC2) || (n == 4 && s[0] > 0xF4))
        return 0;
    for (size_t i = 1; i < n; i++)
        if ((s[i] & 0xC0) != 0x80)
            return 0;
    if ((n == 3 && s[0] == 0xE0 && s[1] < 0xA0) || (n == 3 && s[0] == 0xED && s[1] >= 0xA0) ||
        (n == 4 && s[0] == 0xF0 && s[1] < 0x90) || (n == 4 && s[0] == 0xF4 && s[1] >= 0x90))
        return 0;
    return n;
}

/* The escaping of html_text_n and html_attr: attr also writes tab and
 * newline as references. */
static void html_escape(struct html *h, const char *s, size_t len, int attr)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0;
    while (i < len && h->rc == MO_OK) {
        unsigned char c = p[i];
        const char *ref = c == '&'            ? "&amp;"
                          : c == '<'          ? "&lt;"
                          : c == '>'          ? "&gt;"
                          : c == '"'          ? "&quot;"
                          : c == '\''         ? "&#39;"
                          : attr && c == '\n' ? "&#10;"
                          : attr && c == '\t' ? "&#9;"
                                              : NULL;
        if (ref) {
            html_raw(h, ref);
            i++;
        } else if (c < 0x20 && c != '\n' && c != '\t') {
            i++; /* control characters (and \r) dropped */
        } else if (c == 0x7F) {
            i++;
        } else {
            size_t n = utf8_len(p + i, len - i);
            if (n)
                html_put(h, s + i, n);
            else
                html_raw(h, "\xEF\xBF\xBD");
            i += n ? n : 1;
        }
    }
}

void html_text_n(struct html *h, const char *s, size_t len)
{
    html_escape(h, s, len, 0);
}

void html_text(struct html *h, const char *s)
{
    if (s)
        html_escape(h, s, strlen(s), 0);
}

void html_attr(struct html *h, const char *s)
{
    if (s)
        html_escape(h, s, strlen(s), 1);
}

void html_url_arg(struct html *h, const char *s)
{
    static const char hex[] = "0123456789ABCDEF";
    for (const unsigned char *p = (const unsigned char *)s; *p && h->rc == MO_OK; p++) {
        int plain = (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
                    (*p >= '0' && *p <= '9') || strchr("-._~", *p);
        char enc[3] = {'%', hex[*p >> 4], hex[*p & 15]};
        if (plain)
            html_put(h, (const char *)p, 1);
        else
            html_put(h, enc, 3);
    }
}

mo_rc html_finish(const struct html *h, struct mo_err *err)
{
    if (h->rc != MO_OK)
        return mo_fail(err, h->rc, "could not write the page: %s",
                       h->rc == MO_ELIMIT ? "larger than its cap" : "out of memory");
    return MO_OK;
}
