/*
 * web_assets.c — the static files of the pages, compiled in so that the
 * server needs no files and no CDN: the style sheet (responsive, contrast
 * of at least 4.5:1, visible focus) and the map script (a drag on the SVG
 * map writes the bounding box into the search form, converting back from
 * Web Mercator on a tiled map; without it the bbox text field does the
 * same).
 */
#include "web_internal.h"

#include <string.h>

static const char web_css[] =
    "*{box-sizing:border-box}\n"
    "body{margin:0;font:16px/1.5 system-ui,-apple-system,\"Segoe UI\",Roboto,sans-serif;"
    "color:#1a1a1a;background:#fff}\n"
    "a{color:#0b4f9c}a:visited{color:#5a2d91}\n"
    "a:focus,button:focus,input:focus,select:focus,main:focus{outline:3px solid #d35400;"
    "outline-offset:2px}\n"
    ".skip{position:absolute;left:-999px;top:0;background:#fff;padding:.5em}\n"
    ".skip:focus{left:.5em}\n"
    "header.site,footer.site{background:#12355b;color:#fff;padding:.5em 1em}\n"
    "header.site a,footer.site a{color:#fff}\n"
    "header.site{display:flex;flex-wrap:wrap;justify-content:space-between;align-items:center}\n"
    ".brand{margin:0;font-weight:bold;font-size:1.2em}\n"
    "nav ul{list-style:none;margin:0;padding:0;display:flex;gap:1em;flex-wrap:wrap}\n"
    "main{max-width:75em;margin:0 auto;padding:1em}\n"
    "form.search{display:grid;gap:.5em;grid-template-columns:repeat(auto-fit,minmax(12em,1fr));"
    "align-items:end;margin-bottom:1em}\n"
    "form.search .q{grid-column:1/-1}\n"
    "label{display:block;font-weight:600}\n"
    "input,select,button{font:inherit;padding:.4em;width:100%;border:1px solid #555;"
    "border-radius:3px}\n"
    "button{background:#12355b;color:#fff;cursor:pointer}\n"
    ".hint{font-size:.875em;color:#444;margin:0}\n"
    ".layout{display:grid;grid-template-columns:16em 1fr;gap:1.5em}\n"
    "@media (max-width:48em){.layout{grid-template-columns:1fr}}\n"
    ".facets h2{font-size:1em;margin:1em 0 .25em}\n"
    ".facets ul,.active ul{list-style:none;margin:0;padding:0}\n"
    ".facets li a[aria-current]{font-weight:bold}\n"
    ".active li{display:inline-block;margin:0 .5em .5em 0;background:#e8eef6;padding:.1em .5em;"
    "border-radius:1em}\n"
    "p.behind{background:#fff3cd;color:#1a1a1a;padding:.3em .5em}\n"
    "ol.hits{list-style:none;padding:0}\n"
    "ol.hits li{border-bottom:1px solid #ccc;padding:.5em 0}\n"
    "ol.hits h3{margin:0;font-size:1.1em}\n"
    ".meta{color:#444;font-size:.875em;margin:0}\n"
    "mark{background:#ffe066;color:#000}\n"
    ".map{border:1px solid #999;background:#f4f7fb;width:100%;height:auto;max-height:24em;"
    "touch-action:none}\n"
    ".map .grid{stroke:#9aa8b8;fill:none}\n"
    ".map .extent{fill:rgba(11,79,156,.15);stroke:#0b4f9c}\n"
    ".map .point{fill:#0b4f9c}\n"
    ".map .pick{fill:rgba(211,84,0,.2);stroke:#d35400}\n"
    ".map.tiled .grid{stroke:#12355b;stroke-opacity:.3}\n"
    ".map image{pointer-events:none}\n"
    ".attribution{font-size:.75em;color:#444;margin:.25em 0 0}\n"
    "nav.pages ul{list-style:none;display:flex;gap:1em;padding:0}\n"
    "dl.fields{display:grid;grid-template-columns:14em 1fr;gap:.25em 1em}\n"
    "dl.fields dt{font-weight:600}dl.fields dd{margin:0}\n"
    "@media (max-width:48em){dl.fields{grid-template-columns:1fr}dl.fields "
    "dd{margin-bottom:.5em}}\n"
    "table{border-collapse:collapse;width:100%;display:block;overflow-x:auto}\n"
    "th,td{border:1px solid #bbb;padding:.25em .5em;text-align:left}\n"
    "pre{white-space:pre-wrap;word-break:break-all;background:#f6f6f6;padding:1em;"
    "max-height:30em;overflow:auto}\n"
    ".status-success{color:#1e6b2f}.status-failed{color:#a61b1b}.status-incomplete{color:#8a5300}\n"
    ".error{color:#a61b1b}\n";

static const char web_js[] =
    "/* map.js: a drag on the results map writes the box into the bbox field */\n"
    "(function () {\n"
    "  'use strict';\n"
    "  var svg = document.getElementById('map');\n"
    "  var field = document.getElementById('bbox');\n"
    "  if (!svg || !field || !svg.getScreenCTM) return;\n"
    "  var NS = 'http://www.w3.org/2000/svg';\n"
    "  var start = null, pick = null;\n"
    "  /* a tiled map is in Web Mercator: y is minus the northing in degrees */\n"
    "  var mercator = svg.getAttribute('data-projection') === 'EPSG:3857';\n"
    "  function at(ev) {\n"
    "    var p = svg.createSVGPoint();\n"
    "    p.x = ev.clientX; p.y = ev.clientY;\n"
    "    return p.matrixTransform(svg.getScreenCTM().inverse());\n"
    "  }\n"
    "  function round(v) { return Math.round(v * 10000) / 10000; }\n"
    "  function lat(y) {\n"
    "    if (!mercator) return -y;\n"
    "    return Math.atan(Math.sinh(-y * Math.PI / 180)) * 180 / Math.PI;\n"
    "  }\n"
    "  function draw(a, b) {\n"
    "    pick.setAttribute('x', Math.min(a.x, b.x));\n"
    "    pick.setAttribute('y', Math.min(a.y, b.y));\n"
    "    pick.setAttribute('width', Math.abs(a.x - b.x));\n"
    "    pick.setAttribute('height', Math.abs(a.y - b.y));\n"
    "  }\n"
    "  svg.addEventListener('pointerdown', function (ev) {\n"
    "    start = at(ev);\n"
    "    if (!pick) {\n"
    "      pick = document.createElementNS(NS, 'rect');\n"
    "      pick.setAttribute('class', 'pick');\n"
    "      pick.setAttribute('vector-effect', 'non-scaling-stroke');\n"
    "      svg.appendChild(pick);\n"
    "    }\n"
    "    draw(start, start);\n"
    "    if (svg.setPointerCapture) svg.setPointerCapture(ev.pointerId);\n"
    "    ev.preventDefault();\n"
    "  });\n"
    "  svg.addEventListener('pointermove', function (ev) {\n"
    "    if (start) draw(start, at(ev));\n"
    "  });\n"
    "  svg.addEventListener('pointerup', function (ev) {\n"
    "    if (!start) return;\n"
    "    var end = at(ev);\n"
    "    draw(start, end);\n"
    "    var w = Math.min(start.x, end.x), e = Math.max(start.x, end.x);\n"
    "    var s = lat(Math.max(start.y, end.y)), n = lat(Math.min(start.y, end.y));\n"
    "    start = null;\n"
    "    if (e - w <= 0 || n - s <= 0) return;\n"
    "    field.value = [round(w), round(s), round(e), round(n)].join(',');\n"
    "    field.dispatchEvent(new Event('change'));\n"
    "  });\n"
    "})();\n";

int web_asset_get(const char *name, const char **type, const char **body)
{
    if (!strcmp(name, "moisson.css")) {
        *type = "text/css; charset=utf-8";
        *body = web_css;
        return 1;
    }
    if (!strcmp(name, "map.js")) {
        *type = "text/javascript; charset=utf-8";
        *body = web_js;
        return 1;
    }
    return 0;
}
