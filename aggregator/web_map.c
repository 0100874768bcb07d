/*
 * web_map.c — the map of the results' extents, an inline SVG that needs no
 * script.  Without a tile template it is drawn in lon/lat degrees (y is
 * minus the latitude) over a graticule and needs no network at all.  With
 * one (moisson serve --tile-url) it is drawn in Web Mercator over the XYZ
 * tiles of the EPSG:3857 grid that cover the view, under a light
 * graticule; a tile that does not load leaves its square empty and the
 * extents still show.  Also the checks of the template and attribution.
 *
 * Mercator coordinates in the SVG: x is the longitude in degrees, y minus
 * the Mercator northing expressed in degrees (ln tan(pi/4 + lat/2) * 180/pi).
 * Both axes then have the same scale, the tiled world is the square
 * [-180, 180]^2, and tile (z, x, y) is the square of side 360/2^z at
 * (-180 + x * side, -180 + y * side): the tiles line up with the extents
 * without any pixel arithmetic, and map.js only has to convert y back.
 */
#include "web_internal.h"

#include "http_text.h"

#include <math.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#define WEB_MAP_MAX_LINES 16    /* graticule lines per direction, about */
#define WEB_MAP_MAX_LAT 85.0511 /* Web Mercator's limit: where its world is square */
#define WEB_MAP_MAX_ZOOM 18     /* the deepest level common tile servers have */
#define WEB_MAP_MAX_ACROSS 4    /* tiles per direction: at most 16 <image> per map */
#define WEB_MAP_PI 3.14159265358979323846
#define WEB_MAP_MAX_TILE_HREF (WEB_MAX_TILE_URL + 3 * 24) /* a template with z, x, y filled */

/* The territory shown when no result has an extent: metropolitan France. */
static const double web_map_home[4] = {-5.5, 41.0, 10.0, 51.5};

static double dmin(double a, double b)
{
    return a < b ? a : b;
}

static double dmax(double a, double b)
{
    return a > b ? a : b;
}

/* The smallest multiple of step at or above v. */
static double ceil_to(double v, double step)
{
    double k = (double)(long long)(v / step);
    return k * step < v ? (k + 1) * step : k * step;
}

static double clamp(double v, double lo, double hi)
{
    return v < lo ? lo : v > hi ? hi : v;
}

/* ---- projections: the SVG y of a latitude (x is always the longitude) ---- */

typedef double (*map_y_fn)(double lat);

static double map_y_plain(double lat)
{
    return -lat;
}

static double map_y_mercator(double lat)
{
    double phi = clamp(lat, -WEB_MAP_MAX_LAT, WEB_MAP_MAX_LAT) * WEB_MAP_PI / 180;
    return -log(tan(WEB_MAP_PI / 4 + phi / 2)) * 180 / WEB_MAP_PI;
}

/* The union of the boxes, padded, within the world. */
static void map_view(const double (*boxes)[4], size_t n, double v[4])
{
    if (!n) {
        for (int i = 0; i < 4; i++)
            v[i] = web_map_home[i];
        return;
    }
    v[0] = boxes[0][0], v[1] = boxes[0][1], v[2] = boxes[0][2], v[3] = boxes[0][3];
    for (size_t i = 1; i < n; i++) {
        v[0] = dmin(v[0], boxes[i][0]), v[1] = dmin(v[1], boxes[i][1]);
        v[2] = dmax(v[2], boxes[i][2]), v[3] = dmax(v[3], boxes[i][3]);
    }
    double pad = dmax(0.5, 0.1 * dmax(v[2] - v[0], v[3] - v[1]));
    v[0] = clamp(v[0] - pad, -180, 180), v[2] = clamp(v[2] + pad, -180, 180);
    v[1] = clamp(v[1] - pad, -90, 90), v[3] = clamp(v[3] + pad, -90, 90);
}

static double map_step(double span)
{
    static const double steps[] = {0.1, 0.25, 0.5, 1, 2, 5, 10, 15, 30, 45, 90};
    for (size_t i = 0; i < sizeof steps / sizeof steps[0]; i++)
        if (span / steps[i] <= WEB_MAP_MAX_LINES)
            return steps[i];
    return 90;
}

/* Meridians and parallels every step degrees, the step chosen from the
 * view's span in degrees whatever the projection. */
static void map_graticule(struct html *h, const double v[4], map_y_fn y_of)
{
    double step = map_step(dmax(v[2] - v[0], v[3] - v[1]));
    html_raw(h, "<path class=\"grid\" vector-effect=\"non-scaling-stroke\" d=\"");
    for (double x = ceil_to(v[0], step); x <= v[2]; x += step)
        html_printf(h, "M%.4f %.4fV%.4f", x, y_of(v[3]), y_of(v[1]));
    for (double y = ceil_to(v[1], step); y <= v[3]; y += step)
        html_printf(h, "M%.4f %.4fH%.4f", v[0], y_of(y), v[2]);
    html_raw(h, "\"/>\n");
}

/* ---- tiles ---- */

/* The tiles drawn: columns x0..x1 and rows y0..y1 of zoom level z. */
struct map_tiles {
    int z;
    long x0, x1, y0, y1;
};

/* The column (or row) at zoom z holding the SVG coordinate c (-180..180);
 * a far edge (last) lying on a tile border belongs to the tile before it,
 * which is the last one seen. */
static long map_tile_index(double c, int z, int last)
{
    long n = 1L << z;
    double f = (c + 180) / 360 * (double)n;
    long i = last ? (long)ceil(f) - 1 : (long)floor(f);
    return i < 0 ? 0 : i >= n ? n - 1 : i;
}

/* The deepest zoom level whose tiles over the view (x0, y0, x1, y1 in SVG
 * units) are at most WEB_MAP_MAX_ACROSS in each direction: sharp enough
 * for a map a few hundred pixels wide, few enough requests per page. */
static void map_tiles_pick(const double view[4], struct map_tiles *t)
{
    for (int z = WEB_MAP_MAX_ZOOM; z >= 0; z--) {
        t->z = z;
        t->x0 = map_tile_index(view[0], z, 0), t->x1 = map_tile_index(view[2], z, 1);
        t->y0 = map_tile_index(view[1], z, 0), t->y1 = map_tile_index(view[3], z, 1);
        if (t->x1 - t->x0 < WEB_MAP_MAX_ACROSS && t->y1 - t->y0 < WEB_MAP_MAX_ACROSS)
            return;
    }
}

/* The template with {z}, {x} and {y} replaced (a checked template: each is
 * there once, and out has room for it). */
static void map_tile_href(const char *tmpl, int z, long x, long y, char *out, size_t size)
{
    size_t n = 0;
    for (const char *p = tmpl; *p && n + 1 < size;) {
        if (p[0] == '{' && p[1] && strchr("zxy", p[1]) && p[2] == '}') {
            long v = p[1] == 'z' ? z : p[1] == 'x' ? x : y;
            int w = snprintf(out + n, size - n, "%ld", v);
            n = w < 0 || (size_t)w >= size - n ? size - 1 : n + (size_t)w;
            p += 3;
        } else {
            out[n++] = *p++;
        }
    }
    out[n] = 0;
}

static void map_tiles_write(struct html *h, const char *tmpl, const double view[4])
{
    struct map_tiles t;
    char href[WEB_MAP_MAX_TILE_HREF];
    map_tiles_pick(view, &t);
    double side = 360.0 / (double)(1L << t.z);
    /* The tiles overflow the view.  Where the map's box on the page has
     * another shape than the view (the style sheet caps its height), that
     * overflow would show on one side only: clipped to the view, the tiles
     * end where the graticule does. */
    html_printf(h,
                "<defs><clipPath id=\"map-view\"><rect x=\"%.4f\" y=\"%.4f\" width=\"%.4f\" "
                "height=\"%.4f\"/></clipPath></defs>\n"
                "<g class=\"tiles\" data-zoom=\"%d\" clip-path=\"url(#map-view)\">\n",
                view[0], view[1], view[2] - view[0], view[3] - view[1], t.z);
    for (long y = t.y0; y <= t.y1; y++)
        for (long x = t.x0; x <= t.x1; x++) {
            map_tile_href(tmpl, t.z, x, y, href, sizeof href);
            html_raw(h, "<image href=\"");
            html_attr(h, href);
            html_printf(h,
                        "\" x=\"%.6f\" y=\"%.6f\" width=\"%.6f\" height=\"%.6f\" "
                        "preserveAspectRatio=\"none\"/>\n",
                        -180 + (double)x * side, -180 + (double)y * side, side, side);
        }
    html_raw(h, "</g>\n");
}

/* ---- the map ---- */

static void map_extents_write(struct html *h, const double (*boxes)[4], const char *const *titles,
                              size_t n, map_y_fn y_of, double span)
{
    for (size_t i = 0; i < n; i++) {
        const double *b = boxes[i];
        int point = b[2] - b[0] <= 0 && b[3] - b[1] <= 0;
        if (point)
            html_printf(h, "<circle class=\"point\" cx=\"%.5f\" cy=\"%.5f\" r=\"%.5f\">", b[0],
                        y_of(b[1]), span / 80);
        else
            html_printf(h,
                        "<rect class=\"extent\" vector-effect=\"non-scaling-stroke\" x=\"%.5f\" "
                        "y=\"%.5f\" width=\"%.5f\" height=\"%.5f\">",
                        b[0], y_of(b[3]), b[2] - b[0], y_of(b[1]) - y_of(b[3]));
        html_raw(h, "<title>");
        html_text(h, titles[i]);
        html_raw(h, point ? "</title></circle>\n" : "</title></rect>\n");
    }
}

void web_map_write(struct html *h, enum web_lang lang, const char *tile_url,
                   const char *attribution, const double (*boxes)[4], const char *const *titles,
                   size_t n)
{
    int tiled = tile_url && tile_url[0];
    map_y_fn y_of = tiled ? map_y_mercator : map_y_plain;
    double v[4];
    map_view(boxes, n, v);
    if (tiled) { /* so that the data attributes say what is really shown */
        v[1] = clamp(v[1], -WEB_MAP_MAX_LAT, WEB_MAP_MAX_LAT);
        v[3] = clamp(v[3], -WEB_MAP_MAX_LAT, WEB_MAP_MAX_LAT);
    }
    double top = y_of(v[3]), height = y_of(v[1]) - y_of(v[3]);
    double span = dmax(v[2] - v[0], height);
    html_printf(h,
                "<svg id=\"map\" class=\"%s\" role=\"img\" aria-labelledby=\"map-title\" "
                "xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"%.4f %.4f %.4f %.4f\" "
                "data-west=\"%.4f\" data-south=\"%.4f\" data-east=\"%.4f\" data-north=\"%.4f\"%s>\n"
                "<title id=\"map-title\">",
                tiled ? "map tiled" : "map", v[0], top, v[2] - v[0], height, v[0], v[1], v[2], v[3],
                tiled ? " data-projection=\"EPSG:3857\"" : "");
    html_text(h, web_msg(lang, tiled ? MSG_MAP_DESC_TILES : MSG_MAP_DESC));
    html_raw(h, "</title>\n");
    if (tiled) {
        double view[4] = {v[0], top, v[2], top + height};
        map_tiles_write(h, tile_url, view);
    }
    map_graticule(h, v, y_of);
    map_extents_write(h, boxes, titles, n, y_of, span);
    html_raw(h, "</svg>\n");
    if (tiled && attribution && attribution[0]) {
        html_raw(h, "<p class=\"attribution\">");
        html_text(h, web_msg(lang, MSG_MAP_BACKGROUND));
        html_raw(h, " ");
        html_text(h, attribution);
        html_raw(h, "</p>\n");
    }
}

/* ---- checking the configuration ---- */

static size_t tile_scheme_len(const char *url)
{
    return !strncasecmp(url, "http://", 7) ? 7 : !strncasecmp(url, "https://", 8) ? 8 : 0;
}

/* Bytes of the authority (host[:port]) after the scheme. */
static size_t tile_authority_len(const char *url)
{
    return strcspn(url + tile_scheme_len(url), "/?#");
}

/* host[:port], len bytes: a host that can go into a CSP source as it is
 * (CSP host sources have no user name and no IPv6 literal), a port of 1 to
 * 65535. */
static mo_rc tile_authority_check(const char *a, size_t len, struct mo_err *err)
{
    size_t host = strcspn(a, ":/?#");
    if (host > len)
        host = len;
    if (memchr(a, '@', len))
        return mo_fail(err, MO_EBADREQ, "a user name is not allowed (every visitor would see it)");
    if (!host)
        return mo_fail(err, MO_EBADREQ, "no host");
    for (size_t i = 0; i < host; i++)
        if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-", a[i]))
            return mo_fail(err, MO_EBADREQ,
                           "the host may hold letters, digits, dots and hyphens only (no "
                           "placeholder, no IPv6 literal)");
    if (host == len)
        return MO_OK;
    /* a[host] is the ':' before the port */
    size_t digits = len - host - 1;
    long port = 0;
    for (size_t i = host + 1; i < len && digits <= 5; i++) {
        if (a[i] < '0' || a[i] > '9')
            return mo_fail(err, MO_EBADREQ, "bad port");
        port = port * 10 + (a[i] - '0');
    }
    if (digits < 1 || digits > 5 || port < 1 || port > 65535)
        return mo_fail(err, MO_EBADREQ, "bad port");
    return MO_OK;
}

/* Each of {z}, {x}, {y} exactly once in path (what follows the host), and
 * no other brace: a brace left over would reach the tile server as it is. */
static mo_rc tile_placeholders_check(const char *path, struct mo_err *err)
{
    static const char *const names[] = {"{z}", "{x}", "{y}"};
    size_t braces = 0;
    for (const char *p = path; *p; p++)
        braces += *p == '{' || *p == '}';
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        const char *at = strstr(path, names[i]);
        if (!at)
            return mo_fail(err, MO_EBADREQ, "%s missing", names[i]);
        if (strstr(at + 3, names[i]))
            return mo_fail(err, MO_EBADREQ, "%s more than once", names[i]);
    }
    if (braces != 6)
        return mo_fail(err, MO_EBADREQ, "a brace outside {z}, {x} and {y}");
    return MO_OK;
}

mo_rc web_tile_url_check(const char *url, struct mo_err *err)
{
    if (!url)
        return MO_OK;
    size_t n = strlen(url), scheme = tile_scheme_len(url);
    if (!scheme)
        return mo_fail(err, MO_EBADREQ, "not http:// or https://");
    if (n > WEB_MAX_TILE_URL)
        return mo_fail(err, MO_EBADREQ, "longer than %d bytes (%zu)", WEB_MAX_TILE_URL, n);
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)url[i];
        if (c <= 0x20 || c >= 0x7F)
            return mo_fail(err, MO_EBADREQ,
                           "%s at byte %zu (printable ASCII only: percent-encode it)",
                           c == ' ' ? "space" : "character outside printable ASCII", i + 1);
        if (strchr("\"'`<>\\", c))
            return mo_fail(err, MO_EBADREQ, "character %c at byte %zu not allowed", c, i + 1);
    }
    size_t authority = tile_authority_len(url);
    mo_rc rc = tile_authority_check(url + scheme, authority, err);
    if (rc == MO_OK)
        rc = tile_placeholders_check(url + scheme + authority, err);
    return rc;
}

mo_rc web_tile_attribution_check(const char *text, struct mo_err *err)
{
    if (!text)
        return MO_OK;
    size_t n = strlen(text);
    if (n > WEB_MAX_TILE_ATTRIBUTION)
        return mo_fail(err, MO_EBADREQ, "longer than %d bytes (%zu)", WEB_MAX_TILE_ATTRIBUTION, n);
    if (!http_text_utf8_ok(text, n))
        return mo_fail(err, MO_EBADREQ, "not valid UTF-8");
    for (const unsigned char *p = (const unsigned char *)text; *p; p++) {
        if (*p < 0x20 || *p == 0x7F)
            return mo_fail(err, MO_EBADREQ, "control character 0x%02X", (unsigned)*p);
        if (p[0] == 0xC2 && p[1] >= 0x80 && p[1] <= 0x9F) /* U+0080..U+009F */
            return mo_fail(err, MO_EBADREQ, "control character U+%04X", (unsigned)p[1]);
    }
    return MO_OK;
}

mo_rc web_tiles_check(const char *url, const char *attribution, struct mo_err *err)
{
    char quoted[HTTP_TEXT_QUOTE_MAX];
    if (!url || !url[0])
        return MO_OK;
    mo_rc rc = web_tile_url_check(url, err);
    if (rc != MO_OK) {
        http_text_quote(url, quoted, sizeof quoted);
        mo_err_prefix(err, "bad tile URL \"%s\"", quoted);
        return rc;
    }
    rc = web_tile_attribution_check(attribution, err);
    if (rc != MO_OK) {
        http_text_quote(attribution, quoted, sizeof quoted);
        mo_err_prefix(err, "bad tile attribution \"%s\"", quoted);
    }
    return rc;
}

void web_tile_origin(const char *tile_url, char *out, size_t size)
{
    size_t n = tile_scheme_len(tile_url) + tile_authority_len(tile_url);
    snprintf(out, size, "%.*s", (int)n, tile_url);
}

void web_tile_host(const char *tile_url, char *out, size_t size)
{
    const char *a = tile_url + tile_scheme_len(tile_url);
    size_t n = strcspn(a, ":/?#");
    snprintf(out, size, "%.*s", (int)n, a);
}
