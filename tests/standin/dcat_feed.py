"""dcat_feed.py — the DCAT side of the partner stand-in (partner.py --dcat, --dcat-synthetic).

A catalog served the way udata and ckanext-dcat serve theirs: pages of N datasets, each page
a dcat:Catalog typed hydra:Collection (hydra:totalItems) with a hydra:PartialCollectionView
(hydra:first, hydra:last, hydra:next on all but the last page, hydra:previous).  No rdflib:
RDF/XML input is split with lxml (top-level node elements), Turtle input with a small
statement splitter; pages are written as text.

    GET {base}/catalog.rdf?page=K   (RDF/XML; also {base} and {base}/catalog.rdf: page 1)
    GET {base}/catalog.ttl?page=K   (Turtle, when the --dcat file is Turtle)

Page K out of range: 404.  K counts from 1.

A page can lie about paging (partner.py's misbehaviours, see page_lie): its next link
missing, pointing back or skipping a page, the datasets of another page or none at all,
a wrong or changing hydra:totalItems, a body cut in the middle.
"""

import hashlib
import html
import re

from lxml import etree

RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
DCAT = "http://www.w3.org/ns/dcat#"
HYDRA = "http://www.w3.org/ns/hydra/core#"
RECORD_TYPES = {DCAT + "Dataset", DCAT + "DatasetSeries", DCAT + "DataService"}

RDF_HEAD = ('<?xml version="1.0" encoding="UTF-8"?>\n'
            '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"'
            ' xmlns:dcat="http://www.w3.org/ns/dcat#" xmlns:dct="http://purl.org/dc/terms/"'
            ' xmlns:foaf="http://xmlns.com/foaf/0.1/" xmlns:vcard="http://www.w3.org/2006/vcard/ns#"'
            ' xmlns:locn="http://www.w3.org/ns/locn#" xmlns:hydra="http://www.w3.org/ns/hydra/core#"'
            ' xmlns:adms="http://www.w3.org/ns/adms#">\n')


def esc(text):
    return html.escape(str(text), quote=True)


# Paging misbehaviours that name a page (K, the page number; see partner.py's README).
PAGE_LIES = {"next-zero", "next-stuck", "next-loop", "next-skip", "repeat-page", "empty-page",
             "truncate"}
AS_USUAL = -1


class Lie:
    """How one page departs from the truth."""

    def __init__(self):
        self.drop = 0           # datasets lost at the end of the feed
        self.extra_total = 0    # added to the true hydra:totalItems
        self.no_total = False   # no hydra:totalItems at all
        self.items_of = None    # serve the datasets of this page number instead
        self.empty = False      # serve no dataset
        self.next = AS_USUAL    # page number of the next link; None: no next link
        self.endless = False    # the page exists even past the last one
        self.truncate = False   # cut the body in the middle


def page_lie(mis, k):
    """The lie of page k under the active misbehaviours (partner.Misbehaviour objects, whose
    counts the caller has stepped; called under the caller's lock: marks `once` pages)."""
    lie = Lie()
    for m in mis:
        if m.name == "drop":
            lie.drop += m.int()
        elif m.name == "no-total":
            lie.no_total = True
        elif m.name == "fewer":
            lie.extra_total += m.int()
        elif m.name == "matched-drift":
            lie.extra_total += m.int() * max(0, m.count - 1)
        elif m.name == "repeat-from" and k >= m.int(0, 2):
            lie.items_of, lie.next, lie.endless = m.int(0, 2) - 1, k + 1, True
        elif m.name in PAGE_LIES and m.int() == k and not (m.once and k in m.served):
            m.served.add(k)
            if m.name == "next-zero":
                lie.next = None
            elif m.name == "next-stuck":
                lie.next = k
            elif m.name == "next-loop":
                lie.next = m.int(1, 1)
            elif m.name == "next-skip":
                lie.next = k + 2
            elif m.name == "repeat-page":
                lie.items_of = k - 1
            elif m.name == "empty-page":
                lie.empty = True
            else:
                lie.truncate = True
    return lie


def hydra_rdfxml(page_url, catalog_url, page, pages, total, url_of, nxt):
    """The catalog-as-collection and its view, in RDF/XML (nxt: the next page number, or
    None for no next link; total None: not told)."""
    out = ['<dcat:Catalog rdf:about="%s">' % esc(catalog_url),
           '<rdf:type rdf:resource="%sCollection"/>' % HYDRA,
           '<dct:title>Catalogue du partenaire</dct:title>']
    if total is not None:
        out.append('<hydra:totalItems rdf:datatype="http://www.w3.org/2001/XMLSchema#integer">%d'
                   '</hydra:totalItems>' % total)
    out += ['<hydra:view rdf:resource="%s"/>' % esc(page_url),
            '</dcat:Catalog>',
            '<hydra:PartialCollectionView rdf:about="%s">' % esc(page_url),
            '<hydra:first rdf:resource="%s"/>' % esc(url_of(1)),
            '<hydra:last rdf:resource="%s"/>' % esc(url_of(pages))]
    if nxt is not None:
        out.append('<hydra:next rdf:resource="%s"/>' % esc(url_of(nxt)))
    if page > 1:
        out.append('<hydra:previous rdf:resource="%s"/>' % esc(url_of(page - 1)))
    out.append('</hydra:PartialCollectionView>\n')
    return "\n".join(out)


def hydra_turtle(page_url, catalog_url, page, pages, total, url_of, nxt):
    lines = ["<%s> a <%sCatalog>, <%sCollection> ;" % (catalog_url, DCAT, HYDRA)]
    if total is not None:
        lines.append("    <%stotalItems> %d ;" % (HYDRA, total))
    lines += ["    <%sview> <%s> ." % (HYDRA, page_url),
              "<%s> a <%sPartialCollectionView> ;" % (page_url, HYDRA),
              "    <%sfirst> <%s> ;" % (HYDRA, url_of(1))]
    if nxt is not None:
        lines.append("    <%snext> <%s> ;" % (HYDRA, url_of(nxt)))
    if page > 1:
        lines.append("    <%sprevious> <%s> ;" % (HYDRA, url_of(page - 1)))
    lines.append("    <%slast> <%s> .\n" % (HYDRA, url_of(pages)))
    return "\n".join(lines)


class Feed:
    """Datasets as text blocks, pages of page_size; shared blocks go on every page."""

    def __init__(self, page_size):
        self.page_size = max(1, page_size)
        self.turtle = False
        self.header = ""   # RDF/XML: the rdf:RDF start tag; Turtle: the prefixes
        self.shared = []   # blocks that are not records (distributions, agents...)

    def __len__(self):
        return self.count()

    def pages(self):
        return max(1, (self.count() + self.page_size - 1) // self.page_size)

    def extension(self):
        return "ttl" if self.turtle else "rdf"

    def content_type(self):
        return "text/turtle; charset=UTF-8" if self.turtle else "application/rdf+xml; charset=UTF-8"

    def page(self, k, base_url, lie=None):
        """Page k (1-based) as bytes, or None when out of range; lie: a Lie to tell."""
        lie = lie or Lie()
        count = max(0, self.count() - lie.drop)
        pages = max(1, (count + self.page_size - 1) // self.page_size)
        if k < 1 or (k > pages and not lie.endless):
            return None

        def url_of(n):
            return "%s/catalog.%s?page=%d" % (base_url, self.extension(), n)
        src = k if lie.items_of is None else lie.items_of
        blocks = []
        if not lie.empty and src >= 1:
            start = (src - 1) * self.page_size
            blocks = [self.block(i) for i in range(start, min(start + self.page_size, count))]
        nxt = (k + 1 if k < pages else None) if lie.next == AS_USUAL else lie.next
        total = None if lie.no_total else count + lie.extra_total
        args = (url_of(k), base_url + "/catalog", k, pages, total, url_of, nxt)
        if self.turtle:
            body = self.header + hydra_turtle(*args) + "\n".join(blocks + self.shared) + "\n"
        else:
            body = (self.header + hydra_rdfxml(*args) + "\n".join(blocks + self.shared)
                    + "\n</rdf:RDF>\n")
        body = body.encode("utf-8")
        return body[:len(body) // 2] if lie.truncate else body


class FileFeed(Feed):
    """The datasets of an RDF/XML or Turtle file."""

    def __init__(self, path, page_size):
        super().__init__(page_size)
        self.records = []
        with open(path, "rb") as f:
            data = f.read()
        if path.endswith((".ttl", ".nt")):
            self._load_turtle(data.decode("utf-8"))
        else:
            self._load_rdfxml(data)

    def count(self):
        return len(self.records)

    def block(self, i):
        return self.records[i]

    def _load_rdfxml(self, data):
        parser = etree.XMLParser(resolve_entities=False, no_network=True)
        root = etree.fromstring(data, parser)
        nodes = list(root) if root.tag == "{%s}RDF" % RDF else [root]
        nsmap = {k: v for k, v in root.nsmap.items() if k}
        decls = "".join(' xmlns:%s="%s"' % (k, esc(v)) for k, v in sorted(nsmap.items()))
        self.header = ('<?xml version="1.0" encoding="UTF-8"?>\n<rdf:RDF%s%s>\n'
                       % (decls, "" if "hydra" in nsmap else ' xmlns:hydra="%s"' % HYDRA))
        for node in nodes:
            if not isinstance(node.tag, str):
                continue
            types = {node.tag.replace("{", "").replace("}", "")}
            types |= {t.get("{%s}resource" % RDF) for t in node.findall("{%s}type" % RDF)}
            text = etree.tostring(node, encoding="unicode", with_tail=False)
            if types & RECORD_TYPES:
                self.records.append(text)
            elif types & {DCAT + "Catalog", HYDRA + "Collection"}:
                self._nested_records(node)
            elif not types & {HYDRA + "PartialCollectionView", HYDRA + "PagedCollection"}:
                self.shared.append(text)

    def _nested_records(self, catalog):
        """Records written inside the catalog (dcat:dataset/dcat:Dataset…): the catalog
        itself is replaced by the stand-in's own."""
        for prop in catalog:
            for node in prop if isinstance(prop.tag, str) else ():
                if not isinstance(node.tag, str):
                    continue
                types = {node.tag.replace("{", "").replace("}", "")}
                types |= {t.get("{%s}resource" % RDF) for t in node.findall("{%s}type" % RDF)}
                if types & RECORD_TYPES:
                    self.records.append(etree.tostring(node, encoding="unicode", with_tail=False))

    def _load_turtle(self, text):
        head, records, shared = [], [], []
        for st in turtle_statements(text):
            low = st.lstrip().lower()
            if low.startswith(("@prefix", "@base", "prefix", "base")):
                head.append(st)
            elif re.search(r"(\ba\b|rdf:type|<%s>)\s+(dcat:(Dataset|DatasetSeries|DataService)\b"
                           r"|<%s(Dataset|DatasetSeries|DataService)>)"
                           % (re.escape(RDF + "type"), re.escape(DCAT)), st):
                records.append(st)
            elif not re.search(r"dcat:Catalog\b|<%sCatalog>|hydra:|<%s" % (re.escape(DCAT),
                                                                         re.escape(HYDRA)), st):
                shared.append(st)
        self.turtle = True
        self.header = "\n".join(head) + "\n"
        self.records = records
        self.shared = shared


def turtle_statements(text):
    """Top-level Turtle statements (each with its final '.'), comments dropped."""
    out, cur, depth, i, n = [], [], 0, 0, len(text)
    while i < n:
        c = text[i]
        if c == "#":
            while i < n and text[i] != "\n":
                i += 1
            continue
        if c in "\"'":
            q = text[i:i + 3] if text[i:i + 3] in ('"""', "'''") else c
            j = i + len(q)
            while j < n and text[j:j + len(q)] != q:
                j += 2 if text[j] == "\\" else 1
            cur.append(text[i:j + len(q)])
            i = j + len(q)
            continue
        if c == "<":
            j = text.find(">", i)
            j = n - 1 if j < 0 else j
            cur.append(text[i:j + 1])
            i = j + 1
            continue
        if c in "[(":
            depth += 1
        elif c in "])":
            depth -= 1
        cur.append(c)
        i += 1
        if c == "." and depth == 0 and (i >= n or text[i] in " \t\r\n"):
            st = "".join(cur).strip()
            if st:
                out.append(st)
            cur = []
    return out


class SyntheticFeed(Feed):
    """N varied French datasets, deterministic in (seed, index), made on demand."""

    FORMATS = [("Shapefile", "application/zip", "shp.zip"), ("GeoJSON", "application/geo+json", "geojson"),
               ("CSV", "text/csv", "csv"), ("GeoPackage", "application/geopackage+sqlite3", "gpkg")]
    LICENCES = ["https://www.etalab.gouv.fr/licence-ouverte-open-licence",
                "https://opendatacommons.org/licenses/odbl/1-0/"]

    def __init__(self, n, seed, page_size, communes, themes):
        super().__init__(page_size)
        self.n, self.seed = n, seed
        self.communes, self.themes = communes, themes
        self.header = RDF_HEAD

    def count(self):
        return self.n

    def block(self, i):
        h = hashlib.blake2b(b"dcat:%d:%d" % (self.seed, i), digest_size=32).digest()
        name, dep, lon, lat = self.communes[h[0] % len(self.communes)]
        theme = self.themes[h[1] % len(self.themes)]
        year = 2005 + h[2] % 21
        slug = re.sub(r"[^a-z0-9]+", "-", name.lower().encode("ascii", "ignore").decode()).strip("-")
        uri = "https://data.%s.example.fr/datasets/%d-%s" % (slug or "commune", i, h[3:7].hex())
        dx, dy = 0.02 + (h[8] % 30) / 100.0, 0.015 + (h[9] % 20) / 100.0
        w, s, e, nn = lon - dx, lat - dy, lon + dx, lat + dy
        issued = "%04d-%02d-%02d" % (year, 1 + h[10] % 12, 1 + h[11] % 28)
        modified = "%04d-%02d-%02dT%02d:%02d:00" % (min(2026, year + h[12] % 4), 1 + h[13] % 12,
                                                   1 + h[14] % 28, h[15] % 24, h[16] % 60)
        kws = "".join("<dcat:keyword xml:lang=\"fr\">%s</dcat:keyword>" % esc(k)
                      for k in theme[3][: 1 + h[17] % len(theme[3])] + [name])
        dists = []
        for d in range(1 + h[18] % 3):
            fmt, mt, ext = self.FORMATS[(h[19] + d) % len(self.FORMATS)]
            dists.append(
                '<dcat:distribution><dcat:Distribution rdf:about="%s/distributions/%d">'
                '<dct:title>%s.%s</dct:title><dcat:accessURL rdf:resource="%s"/>'
                '<dcat:downloadURL rdf:resource="%s/files/%s.%s"/><dct:format>%s</dct:format>'
                '<dcat:mediaType rdf:resource="http://www.iana.org/assignments/media-types/%s"/>'
                '<dct:license rdf:resource="%s"/></dcat:Distribution></dcat:distribution>'
                % (uri, d, slug, ext, uri, uri, slug, ext, fmt, mt,
                   self.LICENCES[h[20] % len(self.LICENCES)]))
        return (
            '<dcat:Dataset rdf:about="%s">'
            '<dct:identifier>fr-%s-%08d</dct:identifier>'
            '<dct:title xml:lang="fr">%s — %s (%d)</dct:title>'
            '<dct:description xml:lang="fr">Données « %s » sur le territoire de %s (département %s), '
            'millésime %d, mises à jour par le service SIG.</dct:description>%s'
            '<dcat:theme rdf:resource="http://inspire.ec.europa.eu/theme/%s"/>'
            '<dct:issued rdf:datatype="http://www.w3.org/2001/XMLSchema#date">%s</dct:issued>'
            '<dct:modified rdf:datatype="http://www.w3.org/2001/XMLSchema#dateTime">%s</dct:modified>'
            '<dct:publisher><foaf:Organization><foaf:name>Commune de %s</foaf:name>'
            '</foaf:Organization></dct:publisher>'
            '<dcat:contactPoint><vcard:Organization><vcard:fn>Service SIG de %s</vcard:fn>'
            '<vcard:hasEmail rdf:resource="mailto:sig@%s.example.fr"/></vcard:Organization>'
            '</dcat:contactPoint>'
            '<dct:spatial><dct:Location><dcat:bbox rdf:datatype="http://www.opengis.net/ont/geosparql#wktLiteral">'
            'POLYGON((%.4f %.4f, %.4f %.4f, %.4f %.4f, %.4f %.4f, %.4f %.4f))</dcat:bbox>'
            '</dct:Location></dct:spatial>'
            '<dct:temporal><dct:PeriodOfTime><dcat:startDate>%d-01-01</dcat:startDate>'
            '<dcat:endDate>%d-12-31</dcat:endDate></dct:PeriodOfTime></dct:temporal>'
            '%s</dcat:Dataset>'
            % (esc(uri), slug, i, esc(theme[0]), esc(name), year, esc(theme[0].lower()), esc(name),
               dep, year, kws, ("lu", "au", "ps", "hy", "tn")[h[21] % 5], issued, modified,
               esc(name), esc(name), slug, w, s, e, s, e, nn, w, nn, w, s, year, year,
               "".join(dists)))
