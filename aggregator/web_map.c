/*
 * web_map.c — the map of the results' extents: an SVG in lon/lat degrees
 * (y is minus the latitude) over a graticule, works offline and without
 * script.  No tiles: a configured tile background is not done yet.
 */
#include "web_internal.h"

#define WEB_MAP_MAX_LINES 16 /* graticule lines per direction, about */

/* The territory shown when no result has an extent: metropolitan France. */
static const double web_map_home[4] = {-5.5, 41.0, 10.0, 51.5};

/* Small helpers instead of libm (the library links no -lm). */
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

static void map_graticule(struct html *h, const double v[4])
{
    double step = map_step(dmax(v[2] - v[0], v[3] - v[1]));
    html_raw(h, "<path class=\"grid\" vector-effect=\"non-scaling-stroke\" d=\"");
    for (double x = ceil_to(v[0], step); x <= v[2]; x += step)
        html_printf(h, "M%.4f %.4fV%.4f", x, -v[3], -v[1]);
    for (double y = ceil_to(v[1], step); y <= v[3]; y += step)
        html_printf(h, "M%.4f %.4fH%.4f", v[0], -y, v[2]);
    html_raw(h, "\"/>\n");
}

void web_map_write(struct html *h, enum web_lang lang, const double (*boxes)[4],
                   const char *const *titles, size_t n)
{
    double v[4];
    map_view(boxes, n, v);
    double span = dmax(v[2] - v[0], v[3] - v[1]);
    html_printf(h,
                "<svg id=\"map\" class=\"map\" role=\"img\" aria-labelledby=\"map-title\" "
                "xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"%.4f %.4f %.4f %.4f\" "
                "data-west=\"%.4f\" data-south=\"%.4f\" data-east=\"%.4f\" data-north=\"%.4f\">\n"
                "<title id=\"map-title\">",
                v[0], -v[3], v[2] - v[0], v[3] - v[1], v[0], v[1], v[2], v[3]);
    html_text(h, web_msg(lang, MSG_MAP_DESC));
    html_raw(h, "</title>\n");
    map_graticule(h, v);
    for (size_t i = 0; i < n; i++) {
        const double *b = boxes[i];
        if (b[2] - b[0] <= 0 && b[3] - b[1] <= 0)
            html_printf(h, "<circle class=\"point\" cx=\"%.5f\" cy=\"%.5f\" r=\"%.5f\">", b[0],
                        -b[1], span / 80);
        else
            html_printf(h,
                        "<rect class=\"extent\" vector-effect=\"non-scaling-stroke\" x=\"%.5f\" "
                        "y=\"%.5f\" width=\"%.5f\" height=\"%.5f\">",
                        b[0], -b[3], b[2] - b[0], b[3] - b[1]);
        html_raw(h, "<title>");
        html_text(h, titles[i]);
        html_raw(h, b[2] - b[0] <= 0 && b[3] - b[1] <= 0 ? "</title></circle>\n"
                                                         : "</title></rect>\n");
    }
    html_raw(h, "</svg>\n");
}
