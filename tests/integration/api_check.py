"""api_check.py URL — checks the OGC API Records JSON API of a running
`moisson serve` whose database holds tests/fixtures/search/records.sql.

Every response is parsed as JSON; FeatureCollections, Features, problems,
the landing page, conformance, collections and the OpenAPI document are
validated with JSON Schemas of our own that mirror the required members of
OGC API - Records Part 1 / OGC API - Features / RFC 7807 (python3-jsonschema;
when it is missing the same required members are checked by hand).
Prints one line per failure and "N passed, M failed"; exit status 1 on any
failure.
"""
import json
import sys
import urllib.error
import urllib.parse
import urllib.request

try:
    import jsonschema
except ImportError:  # pragma: no cover
    jsonschema = None

BASE = sys.argv[1].rstrip("/")
ITEMS = BASE + "/api/collections/territoire/items"
passed = 0
failed = 0

LINK = {"type": "object", "required": ["href", "rel"],
        "properties": {"href": {"type": "string", "pattern": "^https?://"},
                       "rel": {"type": "string"}, "type": {"type": "string"}}}
LINKS = {"type": "array", "items": LINK}
GEOMETRY = {"oneOf": [
    {"type": "null"},
    {"type": "object", "required": ["type", "coordinates"],
     "properties": {"type": {"enum": ["Polygon"]},
                    "coordinates": {"type": "array", "minItems": 1, "items": {
                        "type": "array", "minItems": 4,
                        "items": {"type": "array", "minItems": 2, "maxItems": 2,
                                  "items": {"type": "number"}}}}}},
    {"type": "object", "required": ["type", "coordinates"],
     "properties": {"type": {"enum": ["Point"]},
                    "coordinates": {"type": "array", "minItems": 2, "maxItems": 2}}}]}
TIME = {"oneOf": [{"type": "null"},
                  {"type": "object", "required": ["interval"],
                   "properties": {"interval": {"type": "array", "minItems": 2, "maxItems": 2,
                                               "items": {"type": "string"}}}}]}
FEATURE = {"type": "object",
           "required": ["type", "id", "time", "geometry", "properties", "links"],
           "properties": {"type": {"enum": ["Feature"]}, "id": {"type": "string"},
                          "geometry": GEOMETRY, "time": TIME,
                          "properties": {"type": "object", "required": ["type", "title"],
                                         "properties": {"title": {"type": "string"},
                                                        "type": {"type": "string"}}},
                          "links": LINKS}}
RECORD = dict(FEATURE)
RECORD["required"] = FEATURE["required"] + ["conformsTo"]
COLLECTION_PAGE = {
    "type": "object",
    "required": ["type", "features", "links", "numberMatched", "numberReturned", "timeStamp"],
    "properties": {"type": {"enum": ["FeatureCollection"]},
                   "features": {"type": "array", "items": FEATURE},
                   "numberMatched": {"type": "integer", "minimum": 0},
                   "numberReturned": {"type": "integer", "minimum": 0},
                   "numberMatchedExact": {"type": "boolean"},
                   "timeStamp": {"type": "string",
                                 "pattern": "^\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ$"},
                   "links": LINKS,
                   "facets": {"type": "object", "additionalProperties": {
                       "type": "array", "items": {
                           "type": "object", "required": ["value", "count"],
                           "properties": {"value": {"type": "string"},
                                          "count": {"type": "integer"}}}}}}}
PROBLEM = {"type": "object", "required": ["type", "title", "status", "detail"],
           "properties": {"status": {"type": "integer"}, "title": {"type": "string"},
                          "detail": {"type": "string"},
                          "invalid-params": {"type": "array", "items": {
                              "type": "object", "required": ["name", "reason"]}}}}
LANDING = {"type": "object", "required": ["links"], "properties": {"links": LINKS}}
CONFORMANCE = {"type": "object", "required": ["conformsTo"],
               "properties": {"conformsTo": {"type": "array", "minItems": 1,
                                             "items": {"type": "string"}}}}
COLLECTION = {"type": "object", "required": ["id", "links"],
              "properties": {"id": {"type": "string"}, "itemType": {"enum": ["record"]},
                             "links": LINKS}}
COLLECTIONS = {"type": "object", "required": ["collections", "links"],
               "properties": {"collections": {"type": "array", "items": COLLECTION},
                              "links": LINKS}}
OPENAPI = {"type": "object", "required": ["openapi", "info", "paths"],
           "properties": {"openapi": {"type": "string", "pattern": "^3\\.0\\."},
                          "info": {"type": "object", "required": ["title", "version"]},
                          "paths": {"type": "object", "minProperties": 1}}}


def check(cond, what):
    global passed, failed
    if cond:
        passed += 1
    else:
        failed += 1
        print("FAIL:", what)


def validate(doc, schema, what):
    if jsonschema is not None:
        try:
            jsonschema.validate(doc, schema)
            check(True, what)
        except jsonschema.ValidationError as e:
            check(False, "%s: %s" % (what, e.message))
    else:
        check(all(k in doc for k in schema.get("required", [])), what + ": required members")


def get(url):
    """(status, content type, raw body, parsed JSON or None)"""
    try:
        with urllib.request.urlopen(url, timeout=60) as r:
            status, ctype, raw = r.status, r.headers.get("Content-Type", ""), r.read()
    except urllib.error.HTTPError as e:
        status, ctype, raw = e.code, e.headers.get("Content-Type", ""), e.read()
    try:
        doc = json.loads(raw.decode("utf-8"))
    except (ValueError, UnicodeDecodeError):
        doc = None
    check(doc is not None, "%s: body is JSON" % url)
    return status, ctype, raw, doc


def items(query):
    return get(ITEMS + "?" + urllib.parse.urlencode(query, doseq=True))


def links(doc, rel):
    return [l for l in doc.get("links", []) if l.get("rel") == rel]


def landing_and_documents():
    st, ct, _, doc = get(BASE + "/api")
    check(st == 200 and ct.startswith("application/json"), "landing 200 JSON")
    validate(doc, LANDING, "landing schema")
    for rel in ("self", "service-desc", "conformance", "data"):
        check(len(links(doc, rel)) == 1, "landing link " + rel)
    st, _, _, doc = get(BASE + "/api/conformance")
    validate(doc, CONFORMANCE, "conformance schema")
    check("http://www.opengis.net/spec/ogcapi-records-1/1.0/conf/core" in doc["conformsTo"],
          "conformance: records core")
    st, _, _, doc = get(BASE + "/api/collections")
    validate(doc, COLLECTIONS, "collections schema")
    check(doc["collections"][0]["id"] == "territoire", "collections: territoire")
    st, _, _, doc = get(BASE + "/api/collections/territoire")
    validate(doc, COLLECTION, "collection schema")
    check(links(doc, "items")[0]["href"].endswith("/api/collections/territoire/items"),
          "collection: items link")
    st, ct, _, doc = get(BASE + "/api/collections/territoire/queryables")
    check(st == 200 and "schema+json" in ct and doc["type"] == "object" and
          "q" in doc["properties"], "queryables")


def openapi():
    st, ct, _, doc = get(BASE + "/api/openapi")
    check(st == 200 and "openapi" in ct, "openapi 200 and media type")
    validate(doc, OPENAPI, "openapi schema")
    check("/api/collections/territoire/items" in doc["paths"], "openapi: items path")
    params = doc["components"]["parameters"]
    for p in ("q", "bbox", "datetime", "type", "limit", "offset", "sortby", "facets", "f"):
        check(p in params, "openapi parameter " + p)
    check("facets" in doc["components"]["schemas"]["FeatureCollection"]["properties"],
          "openapi documents the facets extension")
    # every $ref resolves
    refs = []

    def walk(o):
        if isinstance(o, dict):
            for k, v in o.items():
                if k == "$ref":
                    refs.append(v)
                walk(v)
        elif isinstance(o, list):
            for v in o:
                walk(v)
    walk(doc)
    for ref in refs:
        node = doc
        for part in ref.lstrip("#/").split("/"):
            node = node.get(part) if isinstance(node, dict) else None
        check(node is not None, "openapi $ref resolves: " + ref)


def search_pages():
    st, ct, _, doc = items({"q": "eglise"})
    check(st == 200 and ct.startswith("application/geo+json"), "items 200 geo+json")
    validate(doc, COLLECTION_PAGE, "items schema")
    check([f["id"] for f in doc["features"]] == ["r-eglises", "r-eglise-abstract"],
          "eglise: relevance order")
    check(doc["numberMatched"] == 2 and doc["numberReturned"] == 2 and
          doc["numberMatchedExact"] is True, "eglise: counts")
    f = doc["features"][0]
    check(f["properties"]["title"] == "Églises du centre-ville", "accented title")
    check(f["properties"]["highlight"]["title"] == [[0, 7]], "highlight in code points")
    check(f["geometry"] == {"type": "Polygon", "coordinates": [[[-1, 47], [0, 47], [0, 48],
                                                                 [-1, 48], [-1, 47]]]},
          "geometry from the bbox")
    check(links(f, "self")[0]["href"].endswith("/items/r-eglises"), "feature self link")
    # paging by links
    st, _, _, p1 = items({"sortby": "title", "limit": "2"})
    check(p1["numberMatched"] == 6 and len(p1["features"]) == 2, "page 1")
    check(not links(p1, "prev") and len(links(p1, "next")) == 1, "page 1 links")
    seen = [f["id"] for f in p1["features"]]
    page = p1
    while links(page, "next"):
        st, _, _, page = get(links(page, "next")[0]["href"])
        validate(page, COLLECTION_PAGE, "next page schema")
        check(len(links(page, "prev")) == 1, "next page has prev")
        seen += [f["id"] for f in page["features"]]
    check(seen == ["r-dup", "r-eglises", "r-eglise-abstract", "r-nobbox", "r-routes",
                   "r-hostile"], "paging by next links visits every record once")
    # facets extension
    st, _, _, doc = items({"facets": "true", "type": "dataset"})
    validate(doc, COLLECTION_PAGE, "facets schema")
    check(doc.get("facetsExact") is True, "facetsExact")
    check({"value": "dataset", "count": 3} in doc["facets"]["type"], "type facet count")
    check(set(doc["facets"]) == {"partner", "organisation", "keyword", "theme", "type",
                                 "format", "year"}, "every facet present")
    st, _, _, doc = items({"bbox": "1.5,47.5,2.5,48.5", "datetime": "2010/2016"})
    check([f["id"] for f in doc["features"]] == ["r-routes"], "bbox and datetime")
    st, _, _, doc = items({"q": "</script><b>", "limit": "1"})
    check(st == 200 and doc["numberMatched"] >= 0, "hostile q answers JSON")
    check("q=%3C%2Fscript%3E%3Cb%3E" in links(doc, "self")[0]["href"], "q encoded in self link")


def record():
    st, ct, raw, doc = get(ITEMS + "/r-hostile")
    check(st == 200 and ct.startswith("application/geo+json"), "record 200")
    validate(doc, RECORD, "record schema")
    check(doc["properties"]["title"] == 'Titre "quoté" \\ barre </script> <b>gras</b>',
          "hostile title round trip")
    check(doc["properties"]["description"] == "Texte avec \x01 contrôle,\ttabulation et\nligne.",
          "control characters round trip")
    check(b"</script>" not in raw and b"<b>" not in raw, "no raw angle brackets in the body")
    check(b"\\u0001" in raw and b"\\t" in raw and b"\\n" in raw and b'\\"' in raw and
          b"\\\\" in raw, "escapes present")
    check(doc["geometry"] == {"type": "Point", "coordinates": [1, 47]}, "degenerate box: point")
    st, _, _, doc = get(ITEMS + "/r-eglises")
    hrefs = [l["href"] for l in links(doc, "alternate")]
    check(any("request=GetRecordById" in h and "outputSchema=http%3A%2F%2Fwww.isotc211.org"
              "%2F2005%2Fgmd" in h for h in hrefs), "ISO GetRecordById link")
    check(any("outputSchema=http%3A%2F%2Fwww.opengis.net%2Fcat%2Fcsw%2F2.0.2" in h
              for h in hrefs), "DC GetRecordById link")
    check(doc["properties"]["keywords"] == ["patrimoine", "lieux de culte"], "keywords")
    check(doc["properties"]["themes"][0]["concepts"] == [{"id": "society"}], "themes")
    check(doc["properties"]["contacts"] == [{"organization": "Ville A"}], "contacts")
    check(any(l["rel"] == "related" and l["href"].startswith("https://a.invalid/wms")
              for l in doc["links"]), "record's own links")
    st, _, _, doc = get(ITEMS + "/r-routes")
    check(doc["time"] == {"interval": ["2010-01-01T00:00:00Z", "2015-12-31T00:00:00Z"]},
          "temporal extent as time.interval")
    st, _, _, doc = items({"q": "routes"})
    check(doc["features"][0]["time"] == {"interval": ["2010-01-01T00:00:00Z",
                                                      "2015-12-31T00:00:00Z"]},
          "time on the items page")
    check(get(ITEMS + "/r-eglises")[3]["time"] is None, "no temporal extent: time null")
    st, ct, _, doc = get(ITEMS + "/nothing-here")
    check(st == 404 and ct.startswith("application/problem+json"), "unknown record 404")
    validate(doc, PROBLEM, "404 problem schema")


BAD = [  # (query, parameter named, status)
    ({"bbox": "1,2,3"}, "bbox", 400),
    ({"bbox": "0,48,1,47"}, "bbox", 400),
    ({"limit": "-1"}, "limit", 400),
    ({"offset": "x"}, "offset", 400),
    ({"offset": "10001"}, "offset", 400),
    ({"datetime": "hier"}, "datetime", 400),
    ({"sortby": "size"}, "sortby", 400),
    ({"facets": "yes"}, "facets", 400),
    ({"year": "20x0"}, "year", 400),
    ({"unknown": "1"}, "unknown", 400),
    ({"q": ["a", "b"]}, "q", 400),
    ({"f": "xml"}, "f", 400),
]


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None


def see_other(url):
    """(status, Location) of a request whose redirect is not followed"""
    try:
        with urllib.request.build_opener(NoRedirect).open(url, timeout=60) as r:
            return r.status, r.headers.get("Location")
    except urllib.error.HTTPError as e:
        return e.code, e.headers.get("Location")


def html_pages():
    """f=html: 303 to the HTML page showing the same thing, which answers HTML"""
    query = [("q", "église"), ("type", "dataset"), ("datetime", "2020-01-01T00:00:00Z/.."),
             ("sortby", "-updated"), ("offset", "25"), ("limit", "5"), ("f", "html")]
    st, loc = see_other(ITEMS + "?" + urllib.parse.urlencode(query))
    check(st == 303, "items f=html: 303")
    check(loc == BASE + "/?q=%C3%A9glise&type=dataset&from=2020-01-01&sort=-date&page=3",
          "items f=html: the same search on the search page (%s)" % loc)
    with urllib.request.urlopen(loc, timeout=60) as r:
        check(r.status == 200 and r.headers.get("Content-Type", "").startswith("text/html"),
              "items f=html: the page answers HTML")
    st, loc = see_other(ITEMS + "/r-eglises?f=html")
    check(st == 303 and loc == BASE + "/record/r-eglises", "item f=html: its record page")
    with urllib.request.urlopen(loc, timeout=60) as r:
        check(r.status == 200 and b"r-eglises" in r.read(), "item f=html: the record page")
    for doc in ("", "/conformance", "/collections"):
        st, loc = see_other(BASE + "/api" + doc + "?f=html")
        check(st == 303 and loc == BASE + "/", "%s f=html: the search page" % (doc or "landing"))


def bad_parameters():
    for query, name, status in BAD:
        st, ct, _, doc = items(query)
        what = "bad %s" % urllib.parse.urlencode(query, doseq=True)
        check(st == status and ct.startswith("application/problem+json"), what + ": status")
        if doc is None:
            continue
        validate(doc, PROBLEM, what + ": problem schema")
        check(doc["status"] == status and
              doc.get("invalid-params", [{}])[0].get("name") == name, what + ": names " + name)
    st, ct, _, doc = get(BASE + "/api/nowhere")
    check(st == 404 and ct.startswith("application/problem+json"), "unknown path 404")
    st, ct, _, doc = get(BASE + "/api/conformance?x=1")
    check(st == 400 and doc["invalid-params"][0]["name"] == "x", "document with a parameter")


for part in (landing_and_documents, openapi, search_pages, record, bad_parameters, html_pages):
    try:
        part()
    except Exception as e:  # a crash of the checker is a failure, not a pass
        check(False, "%s raised %r" % (part.__name__, e))
print("%d passed, %d failed" % (passed, failed))
sys.exit(1 if failed else 0)
