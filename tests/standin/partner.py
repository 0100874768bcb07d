#!/usr/bin/python3
"""partner.py — a CSW partner stand-in for moisson's tests, demo and benchmark.

It serves a set of metadata records (files, CSW responses or synthetic ISO 19139
records) over HTTP on 127.0.0.1 like a partner's catalogue would, and can be told to
misbehave in the ways real catalogues do (broken paging, exceptions, HTML error pages,
truncated or hostile XML, odd encodings, slowness...).  It speaks CSW 2.0.2, or only
CSW 3.0.0 with --csw-version 3.0.0 (csw30.py), and serves DCAT (dcat_feed.py) and OGC
capabilities (ogc_feed.py) beside.  See README.md next to this file.

Run with Debian's Python (it needs python3-lxml):  /usr/bin/python3 partner.py --help
"""

import argparse
import collections
import gzip
import hashlib
import html
import io
import json
import os
import re
import signal
import socket
import sys
import threading
import time
import urllib.parse
import zlib
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from lxml import etree

import csw30
import dcat_feed

# ---------------------------------------------------------------------------
# Namespaces and small helpers
# ---------------------------------------------------------------------------

NS = {
    "csw": "http://www.opengis.net/cat/csw/2.0.2",
    "ows": "http://www.opengis.net/ows",
    "ogc": "http://www.opengis.net/ogc",
    "dc": "http://purl.org/dc/elements/1.1/",
    "dct": "http://purl.org/dc/terms/",
    "gmd": "http://www.isotc211.org/2005/gmd",
    "gco": "http://www.isotc211.org/2005/gco",
    "gmx": "http://www.isotc211.org/2005/gmx",
    "srv": "http://www.isotc211.org/2005/srv",
    "gml": "http://www.opengis.net/gml/3.2",
    "xlink": "http://www.w3.org/1999/xlink",
    "xsi": "http://www.w3.org/2001/XMLSchema-instance",
}
GMD = NS["gmd"]
CSW = NS["csw"]
ISO_SCHEMAS = {GMD, "http://www.isotc211.org/2005/gmi", "csw:IsoRecord"}

# A parser that never resolves entities nor touches the network: the stand-in
# reads hostile request bodies too.
SAFE_PARSER = etree.XMLParser(resolve_entities=False, no_network=True,
                              remove_blank_text=False, huge_tree=False)


_NEEDS_ESCAPE = re.compile(r"[&<>\"']")


def esc(text):
    """Escapes text for XML element content and attribute values (fast path: nothing to do)."""
    text = str(text)
    return html.escape(text, quote=True) if _NEEDS_ESCAPE.search(text) else text


def now_iso():
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())


def norm_date(value):
    """Normalises a date/datetime string for lexicographic comparison."""
    v = (value or "").strip().replace(" ", "T")
    if v.endswith("Z"):
        v = v[:-1]
    return v[:19]


# ---------------------------------------------------------------------------
# Records
# ---------------------------------------------------------------------------

class Meta:
    """What the stand-in needs to know about a record besides its bytes."""
    __slots__ = ("ident", "title", "abstract", "stamp", "rtype", "bbox", "kind")

    def __init__(self, ident, title, abstract, stamp, rtype, bbox, kind):
        self.ident = ident        # fileIdentifier / dc:identifier
        self.title = title
        self.abstract = abstract
        self.stamp = stamp        # gmd:dateStamp / dct:modified, as written
        self.rtype = rtype        # dataset, series, service...
        self.bbox = bbox          # (west, south, east, north) or None
        self.kind = kind          # "iso", "dc" or "other"


def _first_text(root, xpath):
    r = root.xpath(xpath)
    if not r:
        return ""
    v = r[0]
    return (v if isinstance(v, str) else (v.text or "")).strip()


def meta_from_tree(root):
    """Extracts Meta from an lxml record element (namespace-agnostic where cheap)."""
    ln = etree.QName(root).localname
    ns = etree.QName(root).namespace
    if ns == CSW:  # csw:Record / SummaryRecord / BriefRecord
        bbox = None
        lc = _first_text(root, "./*[local-name()='BoundingBox' or local-name()='WGS84BoundingBox']/*[local-name()='LowerCorner']")
        uc = _first_text(root, "./*[local-name()='BoundingBox' or local-name()='WGS84BoundingBox']/*[local-name()='UpperCorner']")
        if lc and uc:
            try:
                a, b = [float(x) for x in lc.split()[:2]]
                c, d = [float(x) for x in uc.split()[:2]]
                crs = _first_text(root, "./*[local-name()='BoundingBox']/@crs")
                if "EPSG" in crs and "4326" in crs:  # lat/lon axis order
                    bbox = (b, a, d, c)
                else:
                    bbox = (a, b, c, d)
            except ValueError:
                bbox = None
        return Meta(_first_text(root, "./*[local-name()='identifier']"),
                    _first_text(root, "./*[local-name()='title']"),
                    _first_text(root, "./*[local-name()='abstract' or local-name()='description']"),
                    _first_text(root, "./*[local-name()='modified' or local-name()='date']"),
                    _first_text(root, "./*[local-name()='type']") or "dataset",
                    bbox, "dc")
    if ln.endswith("MD_Metadata") or ln == "MI_Metadata" or \
            root.get("{%s}isoType" % NS["gco"]):
        ident = _first_text(root, "./*[local-name()='fileIdentifier']/*")
        title = _first_text(root, "./*[local-name()='identificationInfo']/*/*[local-name()='citation']/*/*[local-name()='title']/*[1]")
        abstract = _first_text(root, "./*[local-name()='identificationInfo']/*/*[local-name()='abstract']/*[1]")
        stamp = _first_text(root, "./*[local-name()='dateStamp']/*")
        rtype = _first_text(root, "./*[local-name()='hierarchyLevel']/*/@codeListValue") or "dataset"
        bbox = None
        bb = root.xpath(".//*[local-name()='EX_GeographicBoundingBox']")
        if bb:
            try:
                vals = [float(_first_text(bb[0], "./*[local-name()='%s']/*" % k))
                        for k in ("westBoundLongitude", "southBoundLatitude",
                                  "eastBoundLongitude", "northBoundLatitude")]
                bbox = tuple(vals)
            except ValueError:
                bbox = None
        return Meta(ident, title, abstract, stamp, rtype, bbox, "iso")
    # Anything else (rdf:RDF, ...): served as stored, best-effort identifier.
    about = root.get("{http://www.w3.org/1999/02/22-rdf-syntax-ns#}about") or ""
    ident = _first_text(root, ".//*[local-name()='identifier']") or about
    return Meta(ident, _first_text(root, ".//*[local-name()='title']"), "", "",
                "dataset", None, "other")


def serialise(root):
    """Record element → UTF-8 bytes, no XML declaration, namespaces declared on it."""
    return etree.tostring(root, encoding="unicode").encode("utf-8")


class FileRecords:
    """Records loaded from files at startup (small sets: tests and demo)."""

    def __init__(self):
        self.metas = []
        self.xmls = []

    def add_path(self, path, log):
        if os.path.isdir(path):
            for name in sorted(os.listdir(path)):
                if name.endswith(".xml"):
                    self.add_file(os.path.join(path, name), log)
        else:
            self.add_file(path, log)

    def add_file(self, path, log):
        try:
            tree = etree.parse(path, SAFE_PARSER)
        except (etree.XMLSyntaxError, OSError) as e:
            log("skipping %s: %s" % (path, e))
            return
        root = tree.getroot()
        q = etree.QName(root)
        if q.namespace == CSW and q.localname == "GetRecordsResponse":
            recs = root.xpath("./csw:SearchResults/*", namespaces=NS)
        elif q.namespace == CSW and q.localname == "GetRecordByIdResponse":
            recs = list(root.iterchildren(etree.Element))
        else:
            recs = [root]
        for r in recs:
            self.metas.append(meta_from_tree(r))
            self.xmls.append(serialise(r))

    def __len__(self):
        return len(self.metas)

    def meta(self, i):
        return self.metas[i]

    def xml(self, i):
        return self.xmls[i]


# ---------------------------------------------------------------------------
# ISO 19139 writer (used by the synthetic generator and to write the demo records)
# ---------------------------------------------------------------------------

CL = "http://standards.iso.org/iso/19139/resources/gmxCodelists.xml#"
ISO_ROOT_NS = ('xmlns:gmd="http://www.isotc211.org/2005/gmd" '
               'xmlns:gco="http://www.isotc211.org/2005/gco" '
               'xmlns:gmx="http://www.isotc211.org/2005/gmx" '
               'xmlns:srv="http://www.isotc211.org/2005/srv" '
               'xmlns:gml="http://www.opengis.net/gml/3.2" '
               'xmlns:xlink="http://www.w3.org/1999/xlink" '
               'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
               'xsi:schemaLocation="http://www.isotc211.org/2005/gmd '
               'http://schemas.opengis.net/csw/2.0.2/profiles/apiso/1.0.0/apiso.xsd"')


def _cs(text):
    return "<gco:CharacterString>%s</gco:CharacterString>" % esc(text)


def _code(elem, value, codelist=None):
    return '<gmd:{0} codeList="{1}{2}" codeListValue="{3}">{3}</gmd:{0}>'.format(
        elem, CL, codelist or elem, esc(value))


def _date(date, dtype):
    tag = "gco:DateTime" if "T" in date else "gco:Date"
    return ("<gmd:date><gmd:CI_Date><gmd:date><{0}>{1}</{0}></gmd:date>"
            "<gmd:dateType>{2}</gmd:dateType></gmd:CI_Date></gmd:date>").format(
                tag, esc(date), _code("CI_DateTypeCode", dtype))


def _party(p, tag):
    """p: dict org, email, role, [individual, position, phone, city, postcode, address]."""
    out = ["<%s><gmd:CI_ResponsibleParty>" % tag]
    if p.get("individual"):
        out.append("<gmd:individualName>%s</gmd:individualName>" % _cs(p["individual"]))
    out.append("<gmd:organisationName>%s</gmd:organisationName>" % _cs(p["org"]))
    if p.get("position"):
        out.append("<gmd:positionName>%s</gmd:positionName>" % _cs(p["position"]))
    out.append("<gmd:contactInfo><gmd:CI_Contact>")
    if p.get("phone"):
        out.append("<gmd:phone><gmd:CI_Telephone><gmd:voice>%s</gmd:voice>"
                   "</gmd:CI_Telephone></gmd:phone>" % _cs(p["phone"]))
    out.append("<gmd:address><gmd:CI_Address>")
    if p.get("address"):
        out.append("<gmd:deliveryPoint>%s</gmd:deliveryPoint>" % _cs(p["address"]))
    if p.get("city"):
        out.append("<gmd:city>%s</gmd:city>" % _cs(p["city"]))
    if p.get("postcode"):
        out.append("<gmd:postalCode>%s</gmd:postalCode>" % _cs(p["postcode"]))
    if p.get("city"):
        out.append("<gmd:country>%s</gmd:country>" % _cs("France"))
    out.append("<gmd:electronicMailAddress>%s</gmd:electronicMailAddress>" % _cs(p["email"]))
    out.append("</gmd:CI_Address></gmd:address>")
    if p.get("url"):
        out.append("<gmd:onlineResource><gmd:CI_OnlineResource><gmd:linkage><gmd:URL>%s"
                   "</gmd:URL></gmd:linkage></gmd:CI_OnlineResource></gmd:onlineResource>"
                   % esc(p["url"]))
    out.append("</gmd:CI_Contact></gmd:contactInfo>")
    out.append("<gmd:role>%s</gmd:role>" % _code("CI_RoleCode", p.get("role", "pointOfContact")))
    out.append("</gmd:CI_ResponsibleParty></%s>" % tag)
    return "".join(out)


def _free_text(tag, text, en):
    """A character string with an optional English translation (PT_FreeText)."""
    if not en:
        return "<%s>%s</%s>" % (tag, _cs(text), tag)
    return ('<{0} xsi:type="gmd:PT_FreeText_PropertyType">{1}<gmd:PT_FreeText><gmd:textGroup>'
            '<gmd:LocalisedCharacterString locale="#EN">{2}</gmd:LocalisedCharacterString>'
            '</gmd:textGroup></gmd:PT_FreeText></{0}>').format(tag, _cs(text), esc(en))


def _keywords(kw):
    """kw: dict words, [thesaurus, thesaurus_date, thesaurus_url, type]."""
    out = ["<gmd:descriptiveKeywords><gmd:MD_Keywords>"]
    for w in kw["words"]:
        if kw.get("anchor"):
            out.append('<gmd:keyword><gmx:Anchor xlink:href="%s">%s</gmx:Anchor></gmd:keyword>'
                       % (esc(kw["anchor"] + urllib.parse.quote(w.split()[0].lower())), esc(w)))
        else:
            out.append("<gmd:keyword>%s</gmd:keyword>" % _cs(w))
    if kw.get("type"):
        out.append("<gmd:type>%s</gmd:type>" % _code("MD_KeywordTypeCode", kw["type"]))
    if kw.get("thesaurus"):
        out.append("<gmd:thesaurusName><gmd:CI_Citation>")
        if kw.get("thesaurus_url"):
            out.append('<gmd:title><gmx:Anchor xlink:href="%s">%s</gmx:Anchor></gmd:title>'
                       % (esc(kw["thesaurus_url"]), esc(kw["thesaurus"])))
        else:
            out.append("<gmd:title>%s</gmd:title>" % _cs(kw["thesaurus"]))
        out.append(_date(kw.get("thesaurus_date", "2008-06-01"), "publication"))
        out.append("</gmd:CI_Citation></gmd:thesaurusName>")
    out.append("</gmd:MD_Keywords></gmd:descriptiveKeywords>")
    return "".join(out)


def _extent(d, tag="gmd:extent"):
    w, s, e, n = d["bbox"]
    out = ["<%s><gmd:EX_Extent>" % tag]
    if d.get("extent_name"):
        out.append("<gmd:description>%s</gmd:description>" % _cs(d["extent_name"]))
    out.append("<gmd:geographicElement><gmd:EX_GeographicBoundingBox>"
               "<gmd:westBoundLongitude><gco:Decimal>%.4f</gco:Decimal></gmd:westBoundLongitude>"
               "<gmd:eastBoundLongitude><gco:Decimal>%.4f</gco:Decimal></gmd:eastBoundLongitude>"
               "<gmd:southBoundLatitude><gco:Decimal>%.4f</gco:Decimal></gmd:southBoundLatitude>"
               "<gmd:northBoundLatitude><gco:Decimal>%.4f</gco:Decimal></gmd:northBoundLatitude>"
               "</gmd:EX_GeographicBoundingBox></gmd:geographicElement>" % (w, e, s, n))
    if d.get("temporal"):
        b, en = d["temporal"]
        out.append('<gmd:temporalElement><gmd:EX_TemporalExtent><gmd:extent>'
                   '<gml:TimePeriod gml:id="tp-%s"><gml:beginPosition>%s</gml:beginPosition>'
                   '<gml:endPosition%s>%s</gml:endPosition></gml:TimePeriod></gmd:extent>'
                   '</gmd:EX_TemporalExtent></gmd:temporalElement>'
                   % (esc(re.sub(r"[^A-Za-z0-9_.-]", "", d["id"])[:40]), esc(b),
                      "" if en else ' indeterminatePosition="now"', esc(en or "")))
    out.append("</gmd:EX_Extent></%s>" % tag)
    return "".join(out)


def build_iso(d):
    """Builds one gmd:MD_Metadata record (a str, no XML declaration) from a dict.

    Keys: id, stamp, title, abstract, level (dataset|series|service), contact (party),
    bbox (w,s,e,n); optional: title_en, abstract_en, alt_title, parent, dates
    [(date, type)], purpose, status, poc [party], keywords [kw], topics, licence,
    access, scale, temporal (begin, end|None), online [(url, protocol, name, desc)],
    formats [(name, version)], crs, lineage, graphic, extent_name, maintenance,
    service {type, version, operates_on [(uuid, href)], url}, ident_code.
    """
    level = d.get("level", "dataset")
    multilingual = bool(d.get("title_en") or d.get("abstract_en"))
    o = ['<gmd:MD_Metadata %s>' % ISO_ROOT_NS]
    o.append("<gmd:fileIdentifier>%s</gmd:fileIdentifier>" % _cs(d["id"]))
    o.append('<gmd:language><gmd:LanguageCode codeList="http://www.loc.gov/standards/iso639-2/"'
             ' codeListValue="fre">fre</gmd:LanguageCode></gmd:language>')
    o.append("<gmd:characterSet>%s</gmd:characterSet>" % _code("MD_CharacterSetCode", "utf8"))
    if d.get("parent"):
        o.append("<gmd:parentIdentifier>%s</gmd:parentIdentifier>" % _cs(d["parent"]))
    o.append("<gmd:hierarchyLevel>%s</gmd:hierarchyLevel>" % _code("MD_ScopeCode", level))
    if not d.get("compact"):
        o.append("<gmd:hierarchyLevelName>%s</gmd:hierarchyLevelName>" % _cs(
            {"dataset": "Jeu de données", "series": "Série de données",
             "service": "Service"}.get(level, level)))
    o.append(_party(d["contact"], "gmd:contact"))
    tag = "gco:DateTime" if "T" in d["stamp"] else "gco:Date"
    o.append("<gmd:dateStamp><{0}>{1}</{0}></gmd:dateStamp>".format(tag, esc(d["stamp"])))
    o.append("<gmd:metadataStandardName>%s</gmd:metadataStandardName>" % _cs(
        "ISO 19115:2003/19139"))
    o.append("<gmd:metadataStandardVersion>%s</gmd:metadataStandardVersion>" % _cs("1.0"))
    if multilingual:
        o.append('<gmd:locale><gmd:PT_Locale id="EN"><gmd:languageCode><gmd:LanguageCode '
                 'codeList="http://www.loc.gov/standards/iso639-2/" codeListValue="eng">eng'
                 '</gmd:LanguageCode></gmd:languageCode><gmd:characterEncoding>%s'
                 '</gmd:characterEncoding></gmd:PT_Locale></gmd:locale>'
                 % _code("MD_CharacterSetCode", "utf8"))
    if d.get("crs"):
        o.append('<gmd:referenceSystemInfo><gmd:MD_ReferenceSystem><gmd:referenceSystemIdentifier>'
                 '<gmd:RS_Identifier><gmd:code><gmx:Anchor xlink:href="http://www.opengis.net/def/crs/EPSG/0/%s">'
                 'EPSG:%s</gmx:Anchor></gmd:code><gmd:codeSpace>%s</gmd:codeSpace></gmd:RS_Identifier>'
                 '</gmd:referenceSystemIdentifier></gmd:MD_ReferenceSystem></gmd:referenceSystemInfo>'
                 % (esc(d["crs"]), esc(d["crs"]), _cs("EPSG")))
    ident_tag = "srv:SV_ServiceIdentification" if level == "service" else "gmd:MD_DataIdentification"
    o.append("<gmd:identificationInfo><%s>" % ident_tag)
    # citation
    o.append("<gmd:citation><gmd:CI_Citation>")
    o.append(_free_text("gmd:title", d["title"], d.get("title_en")))
    if d.get("alt_title"):
        o.append("<gmd:alternateTitle>%s</gmd:alternateTitle>" % _cs(d["alt_title"]))
    for date, dtype in d.get("dates") or [(d["stamp"][:10], "publication")]:
        o.append(_date(date, dtype))
    if d.get("ident_code"):
        o.append("<gmd:identifier><gmd:MD_Identifier><gmd:code>%s</gmd:code></gmd:MD_Identifier>"
                 "</gmd:identifier>" % _cs(d["ident_code"]))
    o.append("</gmd:CI_Citation></gmd:citation>")
    o.append(_free_text("gmd:abstract", d["abstract"], d.get("abstract_en")))
    if d.get("purpose"):
        o.append("<gmd:purpose>%s</gmd:purpose>" % _cs(d["purpose"]))
    if d.get("status"):
        o.append("<gmd:status>%s</gmd:status>" % _code("MD_ProgressCode", d["status"]))
    for p in d.get("poc") or [d["contact"]]:
        o.append(_party(p, "gmd:pointOfContact"))
    if d.get("maintenance"):
        o.append("<gmd:resourceMaintenance><gmd:MD_MaintenanceInformation>"
                 "<gmd:maintenanceAndUpdateFrequency>%s</gmd:maintenanceAndUpdateFrequency>"
                 "</gmd:MD_MaintenanceInformation></gmd:resourceMaintenance>"
                 % _code("MD_MaintenanceFrequencyCode", d["maintenance"]))
    if d.get("graphic"):
        o.append("<gmd:graphicOverview><gmd:MD_BrowseGraphic><gmd:fileName>%s</gmd:fileName>"
                 "<gmd:fileType>%s</gmd:fileType></gmd:MD_BrowseGraphic></gmd:graphicOverview>"
                 % (_cs(d["graphic"]), _cs("png")))
    for kw in d.get("keywords", []):
        o.append(_keywords(kw))
    if d.get("licence") or d.get("access"):
        o.append("<gmd:resourceConstraints><gmd:MD_LegalConstraints>")
        if d.get("licence"):
            o.append("<gmd:useLimitation>%s</gmd:useLimitation>" % _cs(d["licence"]))
        o.append("<gmd:accessConstraints>%s</gmd:accessConstraints>"
                 % _code("MD_RestrictionCode", "otherRestrictions"))
        o.append("<gmd:otherConstraints>%s</gmd:otherConstraints>" % _cs(
            d.get("access") or "Pas de restriction d'accès public"))
        o.append("</gmd:MD_LegalConstraints></gmd:resourceConstraints>")
    if level == "service":
        sv = d["service"]
        o.append('<srv:serviceType><gco:LocalName codeSpace="INSPIRE">%s</gco:LocalName>'
                 '</srv:serviceType>' % esc(sv.get("kind", "view")))
        o.append("<srv:serviceTypeVersion>%s</srv:serviceTypeVersion>" % _cs(
            "OGC:%s %s" % (sv["type"], sv["version"])))
        o.append(_extent(d, "srv:extent"))
        o.append('<srv:couplingType><srv:SV_CouplingType codeList="%sSV_CouplingType" '
                 'codeListValue="tight">tight</srv:SV_CouplingType></srv:couplingType>' % CL)
        o.append('<srv:containsOperations><srv:SV_OperationMetadata><srv:operationName>%s'
                 '</srv:operationName><srv:DCP><srv:DCPList codeList="%sDCPList" '
                 'codeListValue="WebServices">WebServices</srv:DCPList></srv:DCP>'
                 '<srv:connectPoint><gmd:CI_OnlineResource><gmd:linkage><gmd:URL>%s</gmd:URL>'
                 '</gmd:linkage></gmd:CI_OnlineResource></srv:connectPoint>'
                 '</srv:SV_OperationMetadata></srv:containsOperations>'
                 % (_cs("GetCapabilities"), CL, esc(sv["url"])))
        for uuid, href in sv.get("operates_on", []):
            o.append('<srv:operatesOn uuidref="%s" xlink:href="%s"/>' % (esc(uuid), esc(href)))
    else:
        o.append('<gmd:spatialRepresentationType><gmd:MD_SpatialRepresentationTypeCode '
                 'codeList="%sMD_SpatialRepresentationTypeCode" codeListValue="vector">vector'
                 '</gmd:MD_SpatialRepresentationTypeCode></gmd:spatialRepresentationType>' % CL)
        if d.get("scale"):
            o.append("<gmd:spatialResolution><gmd:MD_Resolution><gmd:equivalentScale>"
                     "<gmd:MD_RepresentativeFraction><gmd:denominator><gco:Integer>%d"
                     "</gco:Integer></gmd:denominator></gmd:MD_RepresentativeFraction>"
                     "</gmd:equivalentScale></gmd:MD_Resolution></gmd:spatialResolution>"
                     % d["scale"])
        o.append('<gmd:language><gmd:LanguageCode codeList="http://www.loc.gov/standards/iso639-2/"'
                 ' codeListValue="fre">fre</gmd:LanguageCode></gmd:language>')
        if not d.get("compact"):
            o.append("<gmd:characterSet>%s</gmd:characterSet>" % _code("MD_CharacterSetCode", "utf8"))
        for t in d.get("topics", []):
            o.append("<gmd:topicCategory><gmd:MD_TopicCategoryCode>%s</gmd:MD_TopicCategoryCode>"
                     "</gmd:topicCategory>" % esc(t))
        o.append(_extent(d))
    o.append("</%s></gmd:identificationInfo>" % ident_tag)
    # distribution
    if d.get("online") or d.get("formats"):
        o.append("<gmd:distributionInfo><gmd:MD_Distribution>")
        for name, version in d.get("formats", []):
            o.append("<gmd:distributionFormat><gmd:MD_Format><gmd:name>%s</gmd:name>"
                     "<gmd:version>%s</gmd:version></gmd:MD_Format></gmd:distributionFormat>"
                     % (_cs(name), _cs(version)))
        if d.get("online"):
            o.append("<gmd:transferOptions><gmd:MD_DigitalTransferOptions>")
            for url, proto, name, desc in d["online"]:
                o.append("<gmd:onLine><gmd:CI_OnlineResource><gmd:linkage><gmd:URL>%s</gmd:URL>"
                         "</gmd:linkage><gmd:protocol>%s</gmd:protocol><gmd:name>%s</gmd:name>"
                         "<gmd:description>%s</gmd:description></gmd:CI_OnlineResource></gmd:onLine>"
                         % (esc(url), _cs(proto), _cs(name), _cs(desc)))
            o.append("</gmd:MD_DigitalTransferOptions></gmd:transferOptions>")
        o.append("</gmd:MD_Distribution></gmd:distributionInfo>")
    if d.get("lineage") or level != "service":
        o.append("<gmd:dataQualityInfo><gmd:DQ_DataQuality><gmd:scope><gmd:DQ_Scope><gmd:level>%s"
                 "</gmd:level></gmd:DQ_Scope></gmd:scope>" % _code("MD_ScopeCode", level))
        if d.get("lineage"):
            o.append("<gmd:lineage><gmd:LI_Lineage><gmd:statement>%s</gmd:statement>"
                     "</gmd:LI_Lineage></gmd:lineage>" % _cs(d["lineage"]))
        o.append("</gmd:DQ_DataQuality></gmd:dataQualityInfo>")
    o.append("</gmd:MD_Metadata>")
    return "".join(o)


# ---------------------------------------------------------------------------
# Synthetic records: deterministic, generated lazily per index
# ---------------------------------------------------------------------------

# (name, département code, lon, lat): a spread of French communes.
COMMUNES = [
    ("Rennes", "35", -1.68, 48.11), ("Brest", "29", -4.49, 48.39), ("Quimper", "29", -4.10, 48.00),
    ("Lorient", "56", -3.37, 47.75), ("Vannes", "56", -2.76, 47.66), ("Saint-Brieuc", "22", -2.76, 48.51),
    ("Nantes", "44", -1.55, 47.22), ("Angers", "49", -0.56, 47.47), ("Le Mans", "72", 0.20, 48.00),
    ("Laval", "53", -0.77, 48.07), ("Caen", "14", -0.37, 49.18), ("Rouen", "76", 1.10, 49.44),
    ("Le Havre", "76", 0.11, 49.49), ("Amiens", "80", 2.30, 49.89), ("Lille", "59", 3.06, 50.63),
    ("Arras", "62", 2.78, 50.29), ("Beauvais", "60", 2.08, 49.43), ("Laon", "02", 3.62, 49.56),
    ("Reims", "51", 4.03, 49.26), ("Troyes", "10", 4.07, 48.30), ("Metz", "57", 6.18, 49.12),
    ("Nancy", "54", 6.18, 48.69), ("Strasbourg", "67", 7.75, 48.57), ("Colmar", "68", 7.36, 48.08),
    ("Mulhouse", "68", 7.34, 47.75), ("Besançon", "25", 6.02, 47.24), ("Dijon", "21", 5.04, 47.32),
    ("Auxerre", "89", 3.57, 47.80), ("Orléans", "45", 1.91, 47.90), ("Tours", "37", 0.69, 47.39),
    ("Blois", "41", 1.33, 47.59), ("Bourges", "18", 2.40, 47.08), ("Châteauroux", "36", 1.69, 46.81),
    ("Poitiers", "86", 0.34, 46.58), ("La Rochelle", "17", -1.15, 46.16), ("Niort", "79", -0.46, 46.32),
    ("Angoulême", "16", 0.16, 45.65), ("Limoges", "87", 1.26, 45.83), ("Périgueux", "24", 0.72, 45.18),
    ("Bordeaux", "33", -0.58, 44.84), ("Arcachon", "33", -1.17, 44.66), ("Mont-de-Marsan", "40", -0.50, 43.89),
    ("Pau", "64", -0.37, 43.30), ("Bayonne", "64", -1.47, 43.49), ("Tarbes", "65", 0.08, 43.23),
    ("Toulouse", "31", 1.44, 43.60), ("Albi", "81", 2.15, 43.93), ("Montauban", "82", 1.35, 44.02),
    ("Cahors", "46", 1.44, 44.45), ("Rodez", "12", 2.57, 44.35), ("Aurillac", "15", 2.44, 44.93),
    ("Clermont-Ferrand", "63", 3.08, 45.78), ("Vichy", "03", 3.43, 46.13), ("Le Puy-en-Velay", "43", 3.88, 45.04),
    ("Saint-Étienne", "42", 4.39, 45.44), ("Lyon", "69", 4.84, 45.76), ("Villeurbanne", "69", 4.88, 45.77),
    ("Grenoble", "38", 5.72, 45.19), ("Chambéry", "73", 5.92, 45.57), ("Annecy", "74", 6.13, 45.90),
    ("Valence", "26", 4.89, 44.93), ("Privas", "07", 4.60, 44.74), ("Avignon", "84", 4.81, 43.95),
    ("Nîmes", "30", 4.36, 43.84), ("Montpellier", "34", 3.88, 43.61), ("Béziers", "34", 3.22, 43.34),
    ("Perpignan", "66", 2.90, 42.70), ("Carcassonne", "11", 2.35, 43.21), ("Marseille", "13", 5.37, 43.30),
    ("Aix-en-Provence", "13", 5.45, 43.53), ("Toulon", "83", 5.93, 43.12), ("Nice", "06", 7.26, 43.70),
    ("Gap", "05", 6.08, 44.56), ("Digne-les-Bains", "04", 6.24, 44.09), ("Ajaccio", "2A", 8.74, 41.92),
    ("Bastia", "2B", 9.45, 42.70), ("Chartres", "28", 1.49, 48.45), ("Évreux", "27", 1.15, 49.02),
    ("Alençon", "61", 0.09, 48.43), ("Saint-Lô", "50", -1.09, 49.12), ("Cherbourg-en-Cotentin", "50", -1.62, 49.64),
    ("Versailles", "78", 2.13, 48.80), ("Créteil", "94", 2.46, 48.79), ("Melun", "77", 2.66, 48.54),
    ("Nevers", "58", 3.16, 46.99), ("Mâcon", "71", 4.83, 46.31), ("Bourg-en-Bresse", "01", 5.23, 46.21),
    ("Lons-le-Saunier", "39", 5.55, 46.67), ("Épinal", "88", 6.45, 48.17), ("Charleville-Mézières", "08", 4.72, 49.77),
]

# (theme phrase, topic category, INSPIRE theme (fr), GEMET keywords)
THEMES = [
    ("Plan local d'urbanisme", "planningCadastre", "Usage des sols", ["urbanisme", "plan d'occupation des sols", "aménagement du territoire"]),
    ("Cadastre et parcelles", "planningCadastre", "Parcelles cadastrales", ["cadastre", "parcelle", "propriété foncière"]),
    ("Réseau d'assainissement", "utilitiesCommunication", "Services d'utilité publique et services publics", ["eaux usées", "réseau d'assainissement", "station d'épuration"]),
    ("Réseau d'eau potable", "utilitiesCommunication", "Services d'utilité publique et services publics", ["eau potable", "approvisionnement en eau", "canalisation"]),
    ("Zones inondables", "inlandWaters", "Zones à risque naturel", ["inondation", "risque naturel", "plaine inondable"]),
    ("Espaces verts et parcs", "environment", "Usage des sols", ["espace vert", "parc urbain", "végétation"]),
    ("Voirie communale", "transportation", "Réseaux de transport", ["route", "voirie", "circulation routière"]),
    ("Pistes cyclables", "transportation", "Réseaux de transport", ["piste cyclable", "mobilité douce", "vélo"]),
    ("Arrêts de transport en commun", "transportation", "Réseaux de transport", ["transport public", "autobus", "arrêt"]),
    ("Éclairage public", "utilitiesCommunication", "Services d'utilité publique et services publics", ["éclairage public", "énergie", "équipement urbain"]),
    ("Bâtiments publics", "structure", "Bâtiments", ["bâtiment public", "équipement collectif", "patrimoine"]),
    ("Zones d'activité économique", "economy", "Usage des sols", ["zone industrielle", "activité économique", "entreprise"]),
    ("Collecte des déchets", "environment", "Installations de suivi environnemental", ["déchet", "collecte des déchets", "tri sélectif"]),
    ("Points d'apport volontaire", "environment", "Services d'utilité publique et services publics", ["recyclage", "déchet ménager", "conteneur"]),
    ("Occupation du sol", "imageryBaseMapsEarthCover", "Occupation des terres", ["occupation du sol", "couverture du sol", "artificialisation"]),
    ("Orthophotographie", "imageryBaseMapsEarthCover", "Ortho-imagerie", ["photographie aérienne", "orthophotographie", "imagerie"]),
    ("Haies et bocage", "biota", "Habitats et biotopes", ["haie", "bocage", "biodiversité"]),
    ("Zones humides", "inlandWaters", "Habitats et biotopes", ["zone humide", "marais", "protection de la nature"]),
    ("Cours d'eau", "inlandWaters", "Hydrographie", ["cours d'eau", "rivière", "hydrographie"]),
    ("Sites Natura 2000", "environment", "Sites protégés", ["site protégé", "Natura 2000", "conservation"]),
    ("Bruit des infrastructures", "environment", "Santé et sécurité des personnes", ["bruit", "nuisance sonore", "carte de bruit"]),
    ("Qualité de l'air", "climatologyMeteorologyAtmosphere", "Conditions atmosphériques", ["qualité de l'air", "pollution atmosphérique", "mesure"]),
    ("Établissements scolaires", "society", "Services d'utilité publique et services publics", ["école", "établissement scolaire", "éducation"]),
    ("Adresses", "location", "Adresses", ["adresse", "numérotation", "localisation"]),
    ("Limites administratives", "boundaries", "Unités administratives", ["limite administrative", "commune", "découpage territorial"]),
    ("Population carroyée", "society", "Répartition de la population — démographie", ["population", "démographie", "recensement"]),
    ("Plan cadastral informatisé", "planningCadastre", "Parcelles cadastrales", ["cadastre", "plan", "numérisation"]),
    ("Servitudes d'utilité publique", "planningCadastre", "Zones de gestion, de restriction ou de réglementation", ["servitude", "réglementation", "urbanisme"]),
    ("Risques de mouvements de terrain", "geoscientificInformation", "Zones à risque naturel", ["glissement de terrain", "géologie", "risque naturel"]),
    ("Itinéraires de randonnée", "transportation", "Réseaux de transport", ["randonnée", "sentier", "tourisme"]),
]
KINDS = ["communal", "intercommunal", "départemental", "de la zone urbaine", "du centre-ville", "du secteur nord", "du secteur sud"]
ORG_FORMS = [("Commune de {c}", "mairie"), ("Communauté d'agglomération de {c}", "agglo"),
             ("Communauté de communes du Pays de {c}", "ccpays"), ("Syndicat mixte du SCoT de {c}", "scot"),
             ("Département ({d})", "cd{d}"), ("DDT ({d})", "ddt{d}"),
             ("Syndicat intercommunal des eaux de {c}", "siea")]
SOURCES = ["relevés de terrain effectués par les services techniques", "numérisation sur le fond cadastral (PCI vecteur)",
           "photo-interprétation de l'orthophotographie départementale", "intégration des données du délégataire",
           "consolidation des fichiers des communes membres", "levés topographiques et géoréférencement GPS",
           "extraction de la base de données du service instructeur", "digitalisation des plans papier anciens"]
FORMATS = [("ESRI Shapefile", "1.0"), ("GeoPackage", "1.2"), ("GeoJSON", "RFC 7946"), ("CSV", "-"),
           ("MapInfo TAB", "9.0"), ("GML", "3.2.1")]
LICENCES = ["Licence Ouverte / Open Licence version 2.0", "Open Database License (ODbL) 1.0",
            "Pas de restriction d'usage", "Diffusion restreinte aux partenaires"]
FREQUENCIES = ["annually", "asNeeded", "irregular", "monthly", "continual", "notPlanned"]


class SyntheticRecords:
    """N synthetic ISO 19139 records, deterministic in (seed, index), made on demand.

    Metadata of one record is derived from a BLAKE2 hash of (seed, index), so any
    index is computed directly, without generating the ones before it.  The full XML
    is built on first use and kept in a bounded cache.
    """

    CACHE_MAX = 50000

    def __init__(self, n, seed):
        self.n = n
        self.seed = seed
        self._metas = {}
        self._xml = collections.OrderedDict()
        self._lock = threading.Lock()
        # Read-ahead: after a page is served, a background thread builds the next one
        # while the client is busy parsing (harvesters read pages in order).
        self._ahead = collections.deque()
        self._ahead_event = threading.Event()
        threading.Thread(target=self._read_ahead, daemon=True).start()

    def prefetch(self, indices):
        self._ahead.append(indices)
        self._ahead_event.set()

    def _read_ahead(self):
        while True:
            self._ahead_event.wait()
            self._ahead_event.clear()
            while self._ahead:
                for i in self._ahead.popleft():
                    if 0 <= i < self.n:
                        self.xml(i)

    def __len__(self):
        return self.n

    def forget(self, i):
        """Drops record i from the cache (a one-pass dump keeps memory flat)."""
        with self._lock:
            self._xml.pop(i, None)
            self._metas.pop(i, None)

    def _h(self, i):
        return hashlib.blake2b(b"%d:%d" % (self.seed, i), digest_size=32).digest()

    def ident(self, i):
        h = self._h(i)
        x = bytearray(h[:16])
        x[6] = (x[6] & 0x0F) | 0x40  # version 4
        x[8] = (x[8] & 0x3F) | 0x80  # variant
        s = x.hex()
        return "%s-%s-%s-%s-%s" % (s[:8], s[8:12], s[12:16], s[16:20], s[20:])

    def _fields(self, i):
        """Everything needed for Meta, from the hash bytes."""
        h = self._h(i)
        commune = COMMUNES[h[16] % len(COMMUNES)]
        theme = THEMES[h[17] % len(THEMES)]
        kind = KINDS[h[18] % len(KINDS)]
        year = 2005 + h[19] % 22
        lvl = h[20] % 20
        level = "series" if lvl < 2 else "service" if lvl < 4 else "dataset"
        month, day = 1 + h[21] % 12, 1 + h[22] % 28
        stamp_year = min(2026, year + h[23] % 3)
        stamp = "%04d-%02d-%02dT%02d:%02d:%02d" % (stamp_year, month, day, h[24] % 24,
                                                   h[25] % 60, h[26] % 60)
        return h, commune, theme, kind, year, level, stamp

    def meta(self, i):
        m = self._metas.get(i)
        if m is not None:
            return m
        h, commune, theme, kind, year, level, stamp = self._fields(i)
        name, dep, lon, lat = commune
        if level == "service":
            title = "Service de visualisation WMS — %s %s (%s)" % (theme[0], kind, name)
        elif level == "series":
            title = "%s — série historique %d-%d, %s" % (theme[0], year, min(2026, year + 5), name)
        else:
            title = "%s %s — %s (%d)" % (theme[0], kind, name, year)
        abstract = ("Données relatives au thème « %s » sur le territoire de %s (département %s), "
                    "millésime %d. Le jeu de données recense les objets %s et leurs attributs "
                    "descriptifs, mis à jour par le service SIG." % (
                        theme[0].lower(), name, dep, year, ", ".join(theme[3])))
        dx = 0.02 + (h[27] % 40) / 100.0
        dy = 0.015 + (h[28] % 30) / 100.0
        ox = ((h[29] % 21) - 10) / 100.0
        oy = ((h[30] % 21) - 10) / 100.0
        bbox = (round(lon + ox - dx, 4), round(lat + oy - dy, 4),
                round(lon + ox + dx, 4), round(lat + oy + dy, 4))
        m = Meta(self.ident(i), title, abstract, stamp, level, bbox, "iso")
        if len(self._metas) < 2_000_000:
            self._metas[i] = m
        return m

    def xml(self, i):
        with self._lock:
            x = self._xml.get(i)
            if x is not None:
                self._xml.move_to_end(i)
                return x
        x = build_iso(self.fields_dict(i)).encode("utf-8")
        with self._lock:
            self._xml[i] = x
            if len(self._xml) > self.CACHE_MAX:
                self._xml.popitem(last=False)
        return x

    def fields_dict(self, i, meta=None):
        """The full build_iso() dict of record i (meta may override title/stamp)."""
        m = meta or self.meta(i)
        h, commune, theme, kind, year, level, stamp = self._fields(i)
        name, dep, lon, lat = commune
        slug = re.sub(r"[^a-z0-9]+", "-", name.lower().encode("ascii", "ignore").decode()).strip("-") \
            or "commune"
        b = h[31]
        org_form, mail = ORG_FORMS[(h[16] + h[17]) % len(ORG_FORMS)]
        org = org_form.format(c=name, d=dep)
        mailbox = mail.format(d=dep.lower())
        contact = {"org": org, "email": "sig@%s-%s.example.fr" % (mailbox, slug), "role": "pointOfContact"}
        if h[3] % 3 == 0:
            contact.update({"city": name, "postcode": "%s%03d" % (dep.replace("2A", "20").replace("2B", "20"),
                                                                  (h[2] % 99) * 10),
                            "phone": "+33 2 %02d %02d %02d %02d" % (h[4] % 100, h[5] % 100, h[6] % 100, h[7] % 100)})
        pocs = [{"org": org, "email": contact["email"], "role": "owner"}]
        if b & 1:
            pocs.append({"org": "Service SIG mutualisé de %s" % name, "individual": "Cellule SIG",
                         "email": "geomatique@%s.example.fr" % slug, "role": "custodian"})
        n_kw = 1 + h[8] % 5
        free = list(theme[3]) + [name, "département %s" % dep, "données ouvertes", "SIG", "géomatique",
                                 "territoire", "%d" % year][: n_kw]
        keywords = [
            {"words": [theme[2]], "thesaurus": "GEMET - INSPIRE themes, version 1.0",
             "thesaurus_date": "2008-06-01", "type": "theme",
             "thesaurus_url": "http://www.eionet.europa.eu/gemet/inspire_themes"},
            {"words": free, "type": "theme"},
        ]
        if h[9] % 2:
            keywords.insert(1, {"words": theme[3][: 1 + h[9] % 3], "thesaurus": "GEMET - Concepts, version 4.1.4",
                                "thesaurus_date": "2020-06-30", "type": "theme"})
        if h[9] % 3 == 0:
            keywords.append({"words": [name], "type": "place"})
        base = "https://geo.%s.example.fr" % slug
        layer = re.sub(r"[^a-z0-9]+", "_", theme[0].lower().encode("ascii", "ignore").decode()).strip("_")
        online = [("%s/geoserver/ows?SERVICE=WMS&REQUEST=GetCapabilities" % base, "OGC:WMS",
                   layer, "Visualisation de la couche %s" % theme[0])]
        if h[10] % 2:
            online.append(("%s/geoserver/ows?SERVICE=WFS&REQUEST=GetCapabilities" % base, "OGC:WFS",
                           layer, "Téléchargement des objets (WFS)"))
        if h[11] % 3:
            online.append(("%s/telechargement/%s_%d.zip" % (base, layer, year), "WWW:DOWNLOAD-1.0-http--download",
                           "%s_%d.zip" % (layer, year), "Archive téléchargeable"))
        if h[12] % 6 == 0:
            online.append(("%s/donnees/%s" % (base, m.ident), "WWW:LINK-1.0-http--link",
                           "Fiche sur le portail", "Page de présentation des données"))
        lineage = "Données produites à partir de %s en %d. %s" % (
            SOURCES[h[13] % len(SOURCES)], year,
            "Contrôle qualité réalisé par échantillonnage. " * (h[14] % 4))
        d = {
            "id": m.ident, "stamp": m.stamp, "title": m.title, "abstract": m.abstract, "level": level,
            "contact": contact, "poc": pocs, "bbox": m.bbox, "keywords": keywords,
            "topics": [theme[1]] + (["planningCadastre"] if h[15] % 5 == 0 and theme[1] != "planningCadastre" else []),
            "dates": [("%d-%02d-%02d" % (year, 1 + h[21] % 12, 1 + h[22] % 28), "creation")]
            + ([(m.stamp[:10], "revision")] if b & 128 else []),
            "status": ("completed" if h[15] % 3 else "onGoing") if h[5] % 2 else None,
            "maintenance": FREQUENCIES[h[14] % len(FREQUENCIES)] if h[6] % 3 == 0 else None,
            "licence": LICENCES[h[13] % len(LICENCES)],
            "scale": [1000, 2000, 5000, 10000, 25000][h[12] % 5] if h[7] % 2 else None,
            "crs": "2154", "compact": bool(h[15] % 2),
            "lineage": lineage if level != "service" else None, "online": online,
            "formats": [FORMATS[h[11] % len(FORMATS)]] + ([FORMATS[h[10] % len(FORMATS)]] if b & 2 else []),
            "extent_name": "%s (%s)" % (name, dep),
            "graphic": "%s/apercus/%s.png" % (base, layer) if b & 4 and h[4] % 2 else None,
            "purpose": "Connaissance du territoire et aide à la décision des élus." if b & 8 else None,
            "ident_code": "FR-%s-%s-%d" % (dep, layer[:20].upper(), year) if b & 16 else None,
            "temporal": ("%d-01-01" % year, None if b & 32 else "%d-12-31" % year) if level != "service" else None,
            "alt_title": theme[0].upper() if b & 64 else None,
        }
        if level == "service":
            d["service"] = {"type": "WMS", "version": "1.3.0",
                            "url": "%s/geoserver/ows?SERVICE=WMS&REQUEST=GetCapabilities" % base,
                            "operates_on": [(self.ident((i + k) % self.n),
                                             "%s/csw?service=CSW&request=GetRecordById&id=%s" % (base, self.ident((i + k) % self.n)))
                                            for k in (1, 2)]}
        return d


# ---------------------------------------------------------------------------
# Record alteration (modify:N, xxe, billion-laughs): done with lxml on the bytes
# ---------------------------------------------------------------------------

def alter_record(xml_bytes, title=None, stamp=None):
    """Returns record bytes with a new title and/or dateStamp (ISO) or dct:modified (DC)."""
    root = etree.fromstring(xml_bytes, SAFE_PARSER)
    q = etree.QName(root)
    if q.namespace == CSW:
        if title is not None:
            for t in root.xpath("./*[local-name()='title']")[:1]:
                t.text = title
        if stamp is not None:
            m = root.xpath("./dct:modified", namespaces=NS)
            if m:
                m[0].text = stamp
            else:
                el = etree.Element("{%s}modified" % NS["dct"])
                el.text = stamp
                # before abstract/BoundingBox would be nicer; csw:Record accepts DC/DCT in any order
                bb = root.xpath("./ows:BoundingBox|./ows:WGS84BoundingBox", namespaces=NS)
                if bb:
                    bb[0].addprevious(el)
                else:
                    root.append(el)
    else:
        if title is not None:
            for t in root.xpath("./*[local-name()='identificationInfo']/*/*[local-name()='citation']"
                                "/*/*[local-name()='title']/*[1]")[:1]:
                for c in list(t):
                    t.remove(c)
                t.text = title
        if stamp is not None:
            for s in root.xpath("./*[local-name()='dateStamp']/*")[:1]:
                s.text = stamp
    return serialise(root)


# ---------------------------------------------------------------------------
# Record views: the records as currently served (after drop/modify)
# ---------------------------------------------------------------------------

def dc_record(m, element_set, v3=False):
    """csw:Record (or Brief/Summary) built from an ISO record's Meta; v3: in the CSW 3.0
    namespace, with an OWS 2.0 bounding box."""
    tag = {"brief": "BriefRecord", "summary": "SummaryRecord"}.get(element_set, "Record")
    o = ['<csw:%s xmlns:csw="%s" xmlns:dc="%s" xmlns:dct="%s" xmlns:ows="%s">'
         % (tag, csw30.CSW30 if v3 else CSW, NS["dc"], NS["dct"],
            csw30.OWS20 if v3 else NS["ows"])]
    o.append("<dc:identifier>%s</dc:identifier>" % esc(m.ident))
    o.append("<dc:title>%s</dc:title>" % esc(m.title))
    o.append("<dc:type>%s</dc:type>" % esc(m.rtype))
    if tag != "BriefRecord":
        if m.stamp:
            o.append("<dct:modified>%s</dct:modified>" % esc(m.stamp))
        o.append("<dct:abstract>%s</dct:abstract>" % esc(m.abstract))
    if m.bbox:
        w, s, e, n = m.bbox
        o.append('<ows:BoundingBox crs="urn:ogc:def:crs:OGC:1.3:CRS84"><ows:LowerCorner>%s %s'
                 '</ows:LowerCorner><ows:UpperCorner>%s %s</ows:UpperCorner></ows:BoundingBox>'
                 % (w, s, e, n))
    o.append("</csw:%s>" % tag)
    return "".join(o).encode("utf-8")


def dc_record_v3(xml_bytes):
    """A stored csw:Record of CSW 2.0.2 as CSW 3.0 writes it (csw/3.0, OWS 2.0 boxes)."""
    # serialise() declares every namespace as xmlns:p="URI": moving the declarations moves
    # the elements, prefixes and all
    return (xml_bytes.replace(b'"%s"' % CSW.encode(), b'"%s"' % csw30.CSW30.encode())
            .replace(b'"%s"' % NS["ows"].encode(), b'"%s"' % csw30.OWS20.encode()))


class View:
    """The served record list: base records minus dropped ones, with modified ones."""

    def __init__(self, base):
        self.base = base
        self.drop = 0
        self.modify = 0
        self.modify_stamp = now_iso()[:19]
        self._mod_cache = {}
        self._id_index = None
        self._lock = threading.Lock()

    def configure(self, drop, modify):
        if modify != self.modify:
            self._mod_cache = {}
            self.modify_stamp = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime())
        self.drop, self.modify = drop, modify
        self._id_index = None

    def __len__(self):
        return max(0, len(self.base) - self.drop)

    def _modified(self, i):
        with self._lock:
            r = self._mod_cache.get(i)
        if r is None:
            m0 = self.base.meta(i)
            m = Meta(m0.ident, m0.title + " (modifié)", m0.abstract, self.modify_stamp,
                     m0.rtype, m0.bbox, m0.kind)
            if isinstance(self.base, SyntheticRecords):
                x = build_iso(self.base.fields_dict(i, m)).encode("utf-8")
            else:
                x = alter_record(self.base.xml(i), m.title, m.stamp)
            r = (m, x)
            with self._lock:
                self._mod_cache[i] = r
        return r

    def meta(self, i):
        return self._modified(i)[0] if i < self.modify else self.base.meta(i)

    def xml(self, i):
        return self._modified(i)[1] if i < self.modify else self.base.xml(i)

    def find(self, ident):
        if self._id_index is None:
            idx = {}
            for i in range(len(self)):
                idx.setdefault(self.meta(i).ident, i)
            self._id_index = idx
        return self._id_index.get(ident)


# ---------------------------------------------------------------------------
# Constraints: a small, explicit subset of OGC Filter and CQL
# ---------------------------------------------------------------------------

MODIFIED_NAMES = {"modified", "apiso:modified", "dct:modified", "dc:modified"}
TEXT_NAMES = {"anytext", "csw:anytext", "apiso:anytext", "dc:title", "title", "apiso:title",
              "csw:title"}


def like_regex(pattern, wild="%", single="_", escape="\\"):
    out, i = [], 0
    while i < len(pattern):
        c = pattern[i]
        if c == escape and i + 1 < len(pattern):
            out.append(re.escape(pattern[i + 1]))
            i += 2
            continue
        out.append(".*" if c == wild else "." if c == single else re.escape(c))
        i += 1
    return re.compile("".join(out), re.IGNORECASE | re.DOTALL)


class Predicate:
    """A conjunction of supported conditions; `ignored` lists what was not understood."""

    def __init__(self):
        self.conds = []      # (kind, op/field, value)
        self.ignored = []
        self.key = ""

    def add_modified(self, op, value):
        self.conds.append(("date", op, norm_date(value)))

    def add_like(self, field, regex):
        self.conds.append(("like", field, regex))

    def __call__(self, m):
        for kind, a, b in self.conds:
            if kind == "date":
                s = norm_date(m.stamp)
                if not s or (s < b if a == ">=" else s <= b):
                    return False
            else:
                texts = (m.title,) if a == "title" else (m.title, m.abstract)
                if not any(b.fullmatch(t or "") for t in texts):
                    return False
        return True


def parse_filter(el, pred):
    """Walks an ogc:Filter (Filter 1.1) or fes:Filter (FES 2.0, CSW 3.0) element, adding the
    supported conditions to pred."""
    ln = etree.QName(el).localname
    if ln in ("Filter", "And"):
        for c in el.iterchildren(etree.Element):
            parse_filter(c, pred)
        return
    prop = (el.findtext("{%s}PropertyName" % NS["ogc"]) or
            el.findtext("{%s}ValueReference" % csw30.FES20) or "").strip()
    lit = (el.findtext("{%s}Literal" % NS["ogc"]) or
           el.findtext("{%s}Literal" % csw30.FES20) or "").strip()
    lp = prop.lower()
    if ln in ("PropertyIsGreaterThanOrEqualTo", "PropertyIsGreaterThan") and lp in MODIFIED_NAMES:
        pred.add_modified(">=" if ln.endswith("EqualTo") else ">", lit)
    elif ln == "PropertyIsLike" and lp in TEXT_NAMES:
        field = "anytext" if "anytext" in lp else "title"
        rx = like_regex(lit, el.get("wildCard", "*"), el.get("singleChar", "?"),
                        el.get("escapeChar", el.get("escape", "\\")))
        pred.add_like(field, rx)
    else:
        pred.ignored.append("%s(%s)" % (ln, prop))


CQL_DATE = re.compile(r"^\s*(?:\w+:)?modified\s*(>=|>)\s*'([^']*)'\s*$", re.IGNORECASE)
CQL_LIKE = re.compile(r"^\s*(?:\w+:)?(anytext|title)\s+i?like\s+'([^']*)'\s*$", re.IGNORECASE)


def parse_cql(text, pred):
    for part in re.split(r"\s+AND\s+", text.strip(), flags=re.IGNORECASE):
        part = part.strip()
        while part.startswith("(") and part.endswith(")"):
            part = part[1:-1].strip()
        m = CQL_DATE.match(part)
        if m:
            pred.add_modified(m.group(1), m.group(2))
            continue
        m = CQL_LIKE.match(part)
        if m:
            pred.add_like("anytext" if m.group(1).lower() == "anytext" else "title",
                          like_regex(m.group(2)))
            continue
        if part:
            pred.ignored.append(part)


# ---------------------------------------------------------------------------
# Misbehaviours
# ---------------------------------------------------------------------------

KNOWN = {"next-zero", "next-beyond", "next-stuck", "repeat-page", "fewer", "cap", "ignore-max",
         "matched-drift", "empty-page", "exception", "exception-page", "html", "status",
         "fail-after", "truncate", "slow", "gzip", "gzip-bomb", "endless", "encoding", "drop",
         "modify", "dc-only", "xxe", "billion-laughs", "no-post", "get-only-caps-url",
         "next-loop", "next-skip", "repeat-from", "no-total"}


class Misbehaviour:
    """One active misbehaviour; `count` counts the GetRecords result pages and the DCAT pages
    served since it was set.  On /dcat, paging misbehaviours name a page number (?page=K)
    and hold every time that page is served, or only the first time with a ":once" argument
    (`served` keeps the pages already spoilt once)."""

    def __init__(self, spec):
        name, _, arg = spec.partition(":")
        name = name.strip().lower()
        if name not in KNOWN:
            raise ValueError("unknown misbehaviour %r" % spec)
        self.spec = spec
        self.name = name
        self.args = arg.split(":") if arg else []
        self.once = "once" in self.args
        self.args = [a for a in self.args if a != "once"]
        self.count = 0
        self.served = set()
        if name == "status":
            self.remaining = int(self.args[1]) if len(self.args) > 1 else None

    def int(self, k=0, default=1):
        try:
            return int(self.args[k])
        except (IndexError, ValueError):
            return default


# ---------------------------------------------------------------------------
# The server state
# ---------------------------------------------------------------------------

class State:
    def __init__(self, base, base_path, log_path, verbose):
        self.view = View(base)
        self.base_path = base_path.rstrip("/") or "/csw"
        self.lock = threading.Lock()
        self.mis = []
        self.version = 0
        self.filter_cache = {}
        self.last_page = None          # (start, maxrec) of the previous GetRecords page
        self.v3 = False                # --csw-version 3.0.0: a CSW 3.0.0-only catalogue
        self.requests = collections.deque(maxlen=200000)
        self.log_file = open(log_path, "a", encoding="utf-8") if log_path else None
        self.verbose = verbose
        self.stopping = threading.Event()
        self._bomb = None
        self._bomb_lock = threading.Lock()
        self.all_dc = len(base) > 0 and all(base.meta(i).kind == "dc" for i in range(min(len(base), 2000)))

    def say(self, msg):
        if self.verbose:
            sys.stderr.write("partner: %s\n" % msg)

    def set_misbehaviour(self, spec):
        with self.lock:
            if spec.strip().lower() == "none":
                self.mis = []
            else:
                self.mis.append(Misbehaviour(spec))
                if self.mis[-1].name == "gzip-bomb":  # build the body now, not on first request
                    threading.Thread(target=self.bomb, daemon=True).start()
            drop = sum(m.int() for m in self.mis if m.name == "drop")
            modify = sum(m.int() for m in self.mis if m.name == "modify")
            self.view.configure(drop, modify)
            self.version += 1
            self.filter_cache = {}

    def dcat_lie(self, k):
        """Counts one DCAT page request and tells how page k lies (dcat_feed.page_lie)."""
        with self.lock:
            for m in self.mis:
                m.count += 1
            return dcat_feed.page_lie(self.mis, k)

    def has(self, name):
        for m in self.mis:
            if m.name == name:
                return m
        return None

    def log_request(self, entry):
        line = json.dumps(entry, ensure_ascii=False)
        with self.lock:
            self.requests.append(line)
            if self.log_file:
                self.log_file.write(line + "\n")
                self.log_file.flush()

    def matching(self, pred):
        """Indices of the served records matching pred (cached per predicate)."""
        n = len(self.view)
        if pred is None or not pred.conds:
            return range(n)
        key = (pred.key, self.version)
        r = self.filter_cache.get(key)
        if r is None:
            meta = self.view.meta
            r = [i for i in range(n) if pred(meta(i))]
            if len(self.filter_cache) > 64:
                self.filter_cache = {}
            self.filter_cache[key] = r
        return r

    def bomb(self):
        """A small gzip body inflating to 128 MiB (twice the test harness's 64 MiB cap): built
        once by streaming compression, at a level quick enough for a loaded machine."""
        with self._bomb_lock:
            return self._make_bomb()

    def _make_bomb(self):
        if self._bomb is None:
            comp = zlib.compressobj(6, zlib.DEFLATED, 31)  # 31: gzip container
            out = [comp.compress(b'<?xml version="1.0" encoding="UTF-8"?>\n<csw:GetRecordsResponse '
                                 b'xmlns:csw="http://www.opengis.net/cat/csw/2.0.2"><csw:SearchResults>')]
            block = (b"<a>" + b" " * 1018 + b"</a>\n") * 1024   # 1 MiB of tiny elements/whitespace
            for _ in range(128):
                out.append(comp.compress(block))
            out.append(comp.flush())
            self._bomb = b"".join(out)
        return self._bomb


# ---------------------------------------------------------------------------
# CSW documents
# ---------------------------------------------------------------------------

XML_DECL = b'<?xml version="1.0" encoding="UTF-8"?>\n'


def exception_report(code, text, locator=None):
    return (XML_DECL + (
        '<ows:ExceptionReport xmlns:ows="http://www.opengis.net/ows" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" version="1.2.0" language="fr" '
        'xsi:schemaLocation="http://www.opengis.net/ows http://schemas.opengis.net/ows/1.0.0/owsExceptionReport.xsd">'
        '<ows:Exception exceptionCode="%s"%s><ows:ExceptionText>%s</ows:ExceptionText>'
        '</ows:Exception></ows:ExceptionReport>\n'
        % (esc(code), ' locator="%s"' % esc(locator) if locator else "", esc(text))).encode("utf-8"))


def capabilities(op_url, dc_only, no_post):
    schemas = [CSW] if dc_only else [GMD, CSW]

    def op(name, params, constraints=()):
        dcp = '<ows:Get xlink:href="%s?"/>' % esc(op_url)
        if not no_post:
            dcp += '<ows:Post xlink:href="%s"/>' % esc(op_url)
        p = "".join('<ows:Parameter name="%s">%s</ows:Parameter>' % (
            n, "".join("<ows:Value>%s</ows:Value>" % esc(v) for v in vals)) for n, vals in params)
        p += "".join('<ows:Constraint name="%s">%s</ows:Constraint>' % (
            n, "".join("<ows:Value>%s</ows:Value>" % esc(v) for v in vals)) for n, vals in constraints)
        return '<ows:Operation name="%s"><ows:DCP><ows:HTTP>%s</ows:HTTP></ows:DCP>%s</ows:Operation>' % (
            name, dcp, p)

    # like GeoNetwork and pycsw: the ISO queryables, among them Modified
    iso_queryables = [] if dc_only else [("SupportedISOQueryables",
                                          ["Title", "AnyText", "Modified", "Identifier", "Type"])]

    ops = "".join([
        op("GetCapabilities", [("sections", ["ServiceIdentification", "ServiceProvider",
                                             "OperationsMetadata", "Filter_Capabilities"])]),
        op("GetRecords", [("resultType", ["hits", "results", "validate"]),
                          ("outputFormat", ["application/xml"]),
                          ("outputSchema", schemas),
                          ("typeNames", ["csw:Record"] + ([] if dc_only else ["gmd:MD_Metadata"])),
                          ("CONSTRAINTLANGUAGE", ["FILTER", "CQL_TEXT"]),
                          ("ElementSetName", ["brief", "summary", "full"])], iso_queryables),
        op("GetRecordById", [("outputSchema", schemas),
                             ("ElementSetName", ["brief", "summary", "full"])]),
    ])
    doc = (
        '<csw:Capabilities xmlns:csw="http://www.opengis.net/cat/csw/2.0.2" '
        'xmlns:ows="http://www.opengis.net/ows" xmlns:ogc="http://www.opengis.net/ogc" '
        'xmlns:gml="http://www.opengis.net/gml" xmlns:xlink="http://www.w3.org/1999/xlink" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
        'version="2.0.2" xsi:schemaLocation="http://www.opengis.net/cat/csw/2.0.2 '
        'http://schemas.opengis.net/csw/2.0.2/CSW-discovery.xsd">'
        '<ows:ServiceIdentification><ows:Title>Catalogue partenaire (stand-in moisson)</ows:Title>'
        '<ows:Abstract>Catalogue CSW de test servi par tests/standin/partner.py.</ows:Abstract>'
        '<ows:Keywords><ows:Keyword>catalogue</ows:Keyword><ows:Keyword>métadonnées</ows:Keyword></ows:Keywords>'
        '<ows:ServiceType>CSW</ows:ServiceType><ows:ServiceTypeVersion>2.0.2</ows:ServiceTypeVersion>'
        '<ows:Fees>aucun</ows:Fees><ows:AccessConstraints>aucune</ows:AccessConstraints>'
        '</ows:ServiceIdentification>'
        '<ows:ServiceProvider><ows:ProviderName>moisson stand-in</ows:ProviderName>'
        '<ows:ServiceContact><ows:IndividualName>Cellule SIG</ows:IndividualName>'
        '<ows:ContactInfo><ows:Address><ows:ElectronicMailAddress>sig@partenaire.example.fr'
        '</ows:ElectronicMailAddress></ows:Address></ows:ContactInfo></ows:ServiceContact>'
        '</ows:ServiceProvider>'
        '<ows:OperationsMetadata>%s'
        '<ows:Parameter name="service"><ows:Value>CSW</ows:Value></ows:Parameter>'
        '<ows:Parameter name="version"><ows:Value>2.0.2</ows:Value></ows:Parameter>'
        '</ows:OperationsMetadata>'
        '<ogc:Filter_Capabilities><ogc:Spatial_Capabilities><ogc:GeometryOperands>'
        '<ogc:GeometryOperand>gml:Envelope</ogc:GeometryOperand></ogc:GeometryOperands>'
        '<ogc:SpatialOperators><ogc:SpatialOperator name="BBOX"/></ogc:SpatialOperators>'
        '</ogc:Spatial_Capabilities><ogc:Scalar_Capabilities><ogc:LogicalOperators/>'
        '<ogc:ComparisonOperators><ogc:ComparisonOperator>GreaterThan</ogc:ComparisonOperator>'
        '<ogc:ComparisonOperator>GreaterThanEqualTo</ogc:ComparisonOperator>'
        '<ogc:ComparisonOperator>Like</ogc:ComparisonOperator></ogc:ComparisonOperators>'
        '</ogc:Scalar_Capabilities><ogc:Id_Capabilities><ogc:EID/><ogc:FID/></ogc:Id_Capabilities>'
        '</ogc:Filter_Capabilities></csw:Capabilities>\n') % ops
    return XML_DECL + doc.encode("utf-8")


RESPONSE_HEAD = ('<csw:GetRecordsResponse xmlns:csw="http://www.opengis.net/cat/csw/2.0.2" '
                 'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dct="http://purl.org/dc/terms/" '
                 'xmlns:ows="http://www.opengis.net/ows" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
                 'version="2.0.2" xsi:schemaLocation="http://www.opengis.net/cat/csw/2.0.2 '
                 'http://schemas.opengis.net/csw/2.0.2/CSW-discovery.xsd">')


def reencode(body, enc):
    """Re-encodes a UTF-8 XML body, rewriting its declaration (charrefs outside 8-bit sets)."""
    text = body.decode("utf-8")
    text = re.sub(r'^<\?xml[^>]*\?>', '<?xml version="1.0" encoding="%s"?>' % enc, text, count=1)
    if not text.startswith("<?xml"):
        text = '<?xml version="1.0" encoding="%s"?>\n' % enc + text
    low = enc.lower().replace("_", "-")
    if low in ("utf-16", "utf16"):
        return text.encode("utf-16")          # with BOM
    codec = {"iso-8859-1": "latin-1", "latin1": "latin-1", "windows-1252": "cp1252",
             "cp1252": "cp1252"}.get(low, low)
    return text.encode(codec, "xmlcharrefreplace")


# ---------------------------------------------------------------------------
# HTTP handler
# ---------------------------------------------------------------------------

class Request:
    """A parsed CSW request (from KVP or an XML body)."""

    def __init__(self):
        self.op = ""
        self.start = 1
        self.max = 10
        self.result_type = "hits"
        self.schema = CSW
        self.element_set = "full"
        self.ids = []
        self.pred = None
        self.error = None
        self.version = None          # the version the request says it speaks, if any
        self.accept_versions = None  # GetCapabilities: AcceptVersions, if given


def csw_defaults(r, v3):
    """CSW 3.0 has no resultType (results always come) and answers csw30:Record by default."""
    if v3:
        r.result_type = "results"
        r.schema = csw30.CSW30
    return r


def parse_kvp(q, v3=False):
    r = csw_defaults(Request(), v3)
    kv = {k.lower(): v[-1] for k, v in q.items()}
    r.op = kv.get("request", "")
    r.version = kv.get("version")
    r.accept_versions = kv.get("acceptversions")
    try:
        r.start = max(1, int(kv.get("startposition", "1")))
        r.max = max(0, int(kv.get("maxrecords", "10")))
    except ValueError:
        r.error = ("InvalidParameterValue", "startPosition/maxRecords must be integers", "startPosition")
    r.result_type = kv.get("resulttype", r.result_type).lower()
    r.schema = kv.get("outputschema", r.schema)
    r.element_set = kv.get("elementsetname", "full").lower()
    r.ids = [x for x in kv.get("id", "").split(",") if x]
    constraint = kv.get("constraint")
    if constraint:
        pred = Predicate()
        pred.key = constraint
        lang = kv.get("constraintlanguage", "CQL_TEXT").upper()
        if lang == "FILTER" or constraint.lstrip().startswith("<"):
            try:
                parse_filter(etree.fromstring(constraint.encode("utf-8"), SAFE_PARSER), pred)
            except etree.XMLSyntaxError as e:
                r.error = ("InvalidParameterValue", "constraint: %s" % e, "constraint")
        else:
            parse_cql(constraint, pred)
        r.pred = pred
    return r


def parse_xml_request(body, v3=False):
    r = csw_defaults(Request(), v3)
    root = etree.fromstring(body, SAFE_PARSER)
    ln = etree.QName(root).localname
    r.op = ln
    ns = etree.QName(root).namespace
    r.version = root.get("version") or {CSW: "2.0.2", csw30.CSW30: "3.0.0"}.get(ns)
    if ns == CSW:
        r.version = "2.0.2"  # a CSW 2.0.2 body is a 2.0.2 request whatever it says
    if ln == "GetCapabilities":
        versions = root.xpath("./*[local-name()='AcceptVersions']/*[local-name()='Version']")
        if versions:
            r.accept_versions = ",".join((v.text or "").strip() for v in versions)
    elif ln == "GetRecords":
        try:
            r.start = max(1, int(root.get("startPosition", "1")))
            r.max = max(0, int(root.get("maxRecords", "10")))
        except ValueError:
            r.error = ("InvalidParameterValue", "startPosition/maxRecords must be integers", "startPosition")
        r.result_type = root.get("resultType", r.result_type).lower()
        r.schema = root.get("outputSchema", r.schema)
        es = root.xpath(".//*[local-name()='ElementSetName']")
        if es:
            r.element_set = (es[0].text or "full").strip().lower()
        cons = root.xpath(".//*[local-name()='Constraint']")
        if cons:
            pred = Predicate()
            pred.key = etree.tostring(cons[0]).decode("utf-8", "replace")
            f = cons[0].xpath("./*[local-name()='Filter']")
            cql = cons[0].xpath("./*[local-name()='CqlText']")
            if f:
                parse_filter(f[0], pred)
            elif cql:
                parse_cql(cql[0].text or "", pred)
            r.pred = pred
    elif ln == "GetRecordById":
        r.ids = [(e.text or "").strip() for e in root.xpath("./*[local-name()='Id']")]
        r.schema = root.get("outputSchema", r.schema)
        es = root.xpath("./*[local-name()='ElementSetName']")
        if es:
            r.element_set = (es[0].text or "full").strip().lower()
    return r


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "moisson-standin/1.0"
    state = None  # set at startup
    dcat = None   # a dcat_feed.Feed with --dcat / --dcat-synthetic
    ogc = None    # an ogc_feed.OgcFeed with --capabilities

    def log_message(self, fmt, *args):  # quiet by default
        if self.state.verbose:
            sys.stderr.write("partner: " + (fmt % args) + "\n")

    # --- plumbing ----------------------------------------------------------

    def _send(self, status, body, ctype="application/xml; charset=UTF-8", headers=None,
              compressible=True):
        st = self.state
        slow = st.has("slow")
        if slow:
            time.sleep(slow.int(0, 1000) / 1000.0)
        enc = st.has("encoding")
        if enc and ctype.startswith("application/xml"):
            name = ":".join(enc.args) or "ISO-8859-1"
            body = reencode(body, name)
            ctype = "application/xml; charset=%s" % name
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        if compressible and st.has("gzip") and "gzip" in self.headers.get("Accept-Encoding", ""):
            body = gzip.compress(body, compresslevel=1)
            self.send_header("Content-Encoding", "gzip")
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _exception(self, status, code, text, locator=None):
        report = csw30.exception_report if self.state.v3 else exception_report
        self._send(status, report(code, text, locator))

    def _read_body(self):
        n = int(self.headers.get("Content-Length") or 0)
        if n > 50 * 1024 * 1024:
            raise ValueError("body too large")
        return self.rfile.read(n) if n > 0 else b""

    def _dispatch(self, method):
        try:
            url = urllib.parse.urlsplit(self.path)
            query = urllib.parse.parse_qs(url.query, keep_blank_values=True)
            body = self._read_body() if method == "POST" else b""
            if not url.path.startswith("/_"):
                self.state.log_request({
                    "method": method, "path": url.path, "query": url.query,
                    "body": body[:4096].decode("utf-8", "replace"),
                    "accept_encoding": self.headers.get("Accept-Encoding", ""),
                    "user_agent": self.headers.get("User-Agent", ""),
                    "time": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime()) + ".%03dZ" % (time.time() % 1 * 1000)})
            self._route(method, url.path, query, body)
        except (BrokenPipeError, ConnectionResetError):
            pass
        except Exception as e:  # never crash: report and go on
            self.state.say("error on %s %s: %r" % (method, self.path, e))
            try:
                self._exception(500, "NoApplicableCode", "internal stand-in error: %r" % e)
            except Exception:
                pass

    def do_GET(self):
        self._dispatch("GET")

    def do_POST(self):
        self._dispatch("POST")

    def do_HEAD(self):
        self._dispatch("HEAD")

    def _other(self):
        self._dispatch(self.command)

    do_PUT = do_DELETE = do_OPTIONS = do_PATCH = _other

    # --- routing -------------------------------------------------------------

    def _route(self, method, path, query, body):
        st = self.state
        base = st.base_path
        if path == "/_control":
            return self._control(method, query)
        if path == "/_requests":
            with st.lock:
                data = "".join(line + "\n" for line in st.requests).encode("utf-8")
            return self._send(200, data, "application/x-ndjson; charset=UTF-8", compressible=False)
        if self.dcat is not None and (path == "/dcat" or path.startswith("/dcat/")):
            return self._dcat_page(path, query)
        if self.ogc is not None and self.ogc.serves(path):
            host = self.headers.get("Host") or "127.0.0.1:%d" % self.server.server_address[1]
            status, data, ctype = self.ogc.answer(path, query, host, st)
            return self._send(status, data, ctype)
        caps_only = st.has("get-only-caps-url")
        if path == base or path == base + "/":
            at_query = False
        elif path == base + "/query" and not caps_only:
            at_query = True
        else:
            return self._send(404, b"not found\n", "text/plain; charset=UTF-8")
        if method not in ("GET", "POST", "HEAD"):
            return self._send(405, b"method not allowed\n", "text/plain; charset=UTF-8",
                              headers={"Allow": "GET, POST"})
        if method == "POST" and st.has("no-post"):
            return self._send(405, b"POST not supported\n", "text/plain; charset=UTF-8",
                              headers={"Allow": "GET"})
        # Parse the request
        if method == "POST" and body.lstrip()[:1] == b"<":
            try:
                req = parse_xml_request(body, st.v3)
            except etree.XMLSyntaxError as e:
                return self._exception(400, "NoApplicableCode", "request body is not XML: %s" % e)
        else:
            if method == "POST":
                query = urllib.parse.parse_qs(body.decode("utf-8", "replace"), keep_blank_values=True)
            req = parse_kvp(query, st.v3)
        op = req.op.lower()
        if op == "getcapabilities":
            host = self.headers.get("Host") or "127.0.0.1:%d" % self.server.server_address[1]
            op_url = "http://%s%s%s" % (host, base, "" if caps_only else "/query")
            dc_only, no_post = st.has("dc-only") or st.all_dc, bool(st.has("no-post"))
            if not st.v3:
                return self._send(200, capabilities(op_url, dc_only, no_post))
            if not csw30.speaks_3(req.accept_versions):
                return self._exception(400, "VersionNegotiationFailed",
                                       "this catalogue speaks CSW 3.0.0 only, not %s"
                                       % req.accept_versions, "AcceptVersions")
            return self._send(200, csw30.capabilities(op_url, dc_only, no_post,
                                                      "http://%s%s" % (host, base)))
        if op in ("getrecords", "getrecordbyid"):
            if not at_query and not caps_only:
                return self._exception(400, "OperationNotSupported",
                                       "%s is served at the URL given in the capabilities (%s/query)"
                                       % (req.op, base), "request")
            if st.v3 and req.version != "3.0.0":
                return self._exception(400, "InvalidParameterValue" if req.version else
                                       "MissingParameterValue",
                                       "this catalogue speaks CSW 3.0.0 only, not %s"
                                       % (req.version or "an unversioned request"), "version")
            if req.error:
                return self._exception(400, *req.error)
            if op == "getrecords":
                return self._get_records(req)
            return self._get_record_by_id(req)
        if not req.op:
            return self._exception(400, "MissingParameterValue", "request parameter missing", "request")
        return self._exception(400, "OperationNotSupported", "unknown request %s" % req.op, "request")

    def _dcat_page(self, path, query):
        """A page of the DCAT catalog (dcat_feed.py): /dcat, /dcat/catalog.EXT?page=K."""
        feed = self.dcat
        if path not in ("/dcat", "/dcat/", "/dcat/catalog." + feed.extension()):
            return self._send(404, b"not found\n", "text/plain; charset=UTF-8")
        try:
            k = int((query.get("page") or ["1"])[0])
        except ValueError:
            k = 0
        host = self.headers.get("Host") or "127.0.0.1:%d" % self.server.server_address[1]
        st = self.state
        if self._status_fault():
            return None
        body = feed.page(k, "http://%s/dcat" % host, st.dcat_lie(k))
        if body is None:
            return self._send(404, b"no such page\n", "text/plain; charset=UTF-8")
        if self.state.has("html"):
            return self._send(200, b"<!DOCTYPE html><html><body>maintenance</body></html>",
                              "text/html; charset=UTF-8")
        self._send(200, body, feed.content_type())

    def _control(self, method, query):
        st = self.state
        if method != "POST":
            return self._send(405, b"use POST\n", "text/plain; charset=UTF-8")
        try:
            for spec in query.get("misbehave", []):
                st.set_misbehaviour(spec)
            if "reset" in query:
                with st.lock:
                    st.requests.clear()
                    st.last_page = None
                    for m in st.mis:
                        m.count = 0
                        m.served.clear()
        except ValueError as e:
            return self._send(400, ("%s\n" % e).encode("utf-8"), "text/plain; charset=UTF-8")
        active = " ".join(m.spec for m in st.mis) or "none"
        self._send(200, ("ok: %s\n" % active).encode("utf-8"), "text/plain; charset=UTF-8")

    # --- GetRecords ------------------------------------------------------------

    def _want_iso(self, req):
        return req.schema in ISO_SCHEMAS

    def _record_bytes(self, i, req):
        v = self.state.view
        m = v.meta(i)
        if m.kind == "iso" and not self._want_iso(req):
            return dc_record(m, req.element_set, self.state.v3)
        if m.kind == "dc" and self.state.v3:
            return dc_record_v3(v.xml(i))
        return v.xml(i)

    def _status_fault(self):
        """The "status" misbehaviour (an HTTP error status, while it lasts); True when answered."""
        m = self.state.has("status")
        if not m or (m.remaining is not None and m.remaining <= 0):
            return False
        if m.remaining is not None:
            m.remaining -= 1
        code = m.int(0, 503)
        hdr = {"Retry-After": "1"} if code in (429, 503) else {}
        self._send(code, ("HTTP %d from the stand-in\n" % code).encode(), "text/plain; charset=UTF-8",
                   headers=hdr)
        return True

    def _fault(self):
        """Transport-level misbehaviours common to GetRecords; True when answered."""
        st = self.state
        if self._status_fault():
            return True
        if st.has("html"):
            self._send(200, ("<!DOCTYPE html><html><head><title>Erreur</title></head><body>"
                             "<h1>Service momentanément indisponible</h1><p>Veuillez réessayer plus "
                             "tard.</p></body></html>\n").encode("utf-8"), "text/html; charset=UTF-8")
            return True
        if st.has("exception"):
            self._exception(200, "NoApplicableCode", "java.lang.NullPointerException (stand-in)")
            return True
        if st.has("gzip-bomb"):
            body = st.bomb()
            self.send_response(200)
            self.send_header("Content-Type", "application/xml; charset=UTF-8")
            self.send_header("Content-Encoding", "gzip")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            return True
        if st.has("endless"):
            self._endless()
            return True
        return False

    def _endless(self):
        self.send_response(200)
        self.send_header("Content-Type", "application/xml; charset=UTF-8")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        self.close_connection = True
        chunk = XML_DECL + RESPONSE_HEAD.encode() + b'<csw:SearchResults numberOfRecordsMatched="1" ' \
            b'numberOfRecordsReturned="1" nextRecord="0">'
        filler = b"<!-- endless -->" + b"<dc:title>encore</dc:title>\n" * 2000
        self.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
        while not self.state.stopping.is_set():
            self.wfile.write(b"%x\r\n%s\r\n" % (len(filler), filler))
            self.wfile.flush()

    def _get_records(self, req):
        st = self.state
        is_results = req.result_type == "results"
        if is_results:
            with st.lock:
                for m in st.mis:
                    m.count += 1
        if self._fault():
            return
        if req.pred and req.pred.ignored:
            st.say("ignored constraint parts: %s" % req.pred.ignored)
            st.log_request({"ignored": req.pred.ignored})
        dc_schema = csw30.CSW30 if st.v3 else CSW
        if req.schema not in ISO_SCHEMAS and req.schema != dc_schema:
            return self._exception(400, "InvalidParameterValue", "unsupported outputSchema %s" % req.schema,
                                   "outputSchema")
        if req.schema in ISO_SCHEMAS and (st.has("dc-only")):
            return self._exception(400, "InvalidParameterValue", "outputSchema %s not offered" % req.schema,
                                   "outputSchema")
        mis = {m.name: m for m in st.mis}

        def page_is(name):
            m = mis.get(name)
            return m is not None and is_results and m.count == m.int()

        if page_is("exception-page"):
            return self._exception(200, "NoApplicableCode", "Erreur interne lors de la recherche (stand-in)")
        fa = mis.get("fail-after")
        if fa and is_results and fa.count > fa.int():
            return self._send(500, b"<html><body>500 Internal Server Error</body></html>\n",
                              "text/html; charset=UTF-8")

        start, maxrec = req.start, req.max
        rp = mis.get("repeat-page")
        if rp and is_results and rp.count == rp.int() and st.last_page:
            start, maxrec = st.last_page
        if is_results:
            st.last_page = (req.start, req.max)

        indices = st.matching(req.pred)
        total = len(indices)
        served_max = maxrec
        if "ignore-max" in mis:
            served_max = mis["ignore-max"].int(0, 10)
        if "cap" in mis:
            served_max = min(served_max, mis["cap"].int(0, 10))
        matched = total
        if "fewer" in mis:
            matched += mis["fewer"].int()
        if "matched-drift" in mis and is_results:
            matched += mis["matched-drift"].int() * max(0, mis["matched-drift"].count - 1)

        if not is_results:
            sel = []
        else:
            sel = list(indices[start - 1:start - 1 + served_max]) if start <= total else []
        if page_is("empty-page"):
            sel = []
            nxt = start + served_max
            nxt = nxt if nxt <= total else 0
        else:
            nxt = start + len(sel)
            if nxt > total or not sel or not is_results:
                nxt = 0
        # paging misbehaviours on the nextRecord value
        if is_results:
            if page_is("next-zero"):
                nxt = 0
            if "next-beyond" in mis and nxt:
                nxt = matched + start + 1
            ns = mis.get("next-stuck")
            if ns and ns.count >= ns.int():
                nxt = start
            if "fewer" in mis and nxt == 0 and sel and start + len(sel) <= matched:
                nxt = start + len(sel)   # keep announcing records that do not exist
        recs = [self._record_bytes(i, req) for i in sel]
        if sel and isinstance(st.view.base, SyntheticRecords) and self._want_iso(req) \
                and isinstance(indices, range):
            st.view.base.prefetch(range(sel[-1] + 1, min(sel[-1] + 1 + len(sel), total)))
        xxe_title = None
        if recs and ("xxe" in mis or "billion-laughs" in mis):
            marker = "@@STANDIN-ENTITY@@"
            m0 = st.view.meta(sel[0])
            recs[0] = alter_record(recs[0], title=marker)
            ent = "&xxe;" if "xxe" in mis else "&lol9;"
            recs[0] = recs[0].replace(marker.encode(), ent.encode())
            xxe_title = m0.title
        schema_attr = GMD if self._want_iso(req) else dc_schema
        prolog = XML_DECL
        doctype = csw30.DOCTYPE_NAME if st.v3 else "csw:GetRecordsResponse"
        if xxe_title is not None:
            if "xxe" in mis:
                prolog += ('<!DOCTYPE %s [\n<!ENTITY xxe SYSTEM "file:///etc/passwd">\n]>\n'
                           % doctype).encode()
            else:
                ents = ['<!ENTITY lol "lol">', '<!ENTITY lol1 "' + "&lol;" * 10 + '">']
                for k in range(2, 10):
                    ents.append('<!ENTITY lol%d "%s">' % (k, ("&lol%d;" % (k - 1)) * 10))
                prolog += ("<!DOCTYPE %s [\n%s\n]>\n" % (doctype, "\n".join(ents))).encode()
        if st.v3:
            parts = [prolog, csw30.RESPONSE_HEAD.encode(), csw30.search_status(now_iso()).encode(),
                     csw30.search_results(matched, len(recs), nxt, req.element_set,
                                          schema_attr).encode()]
            tail = csw30.RESPONSE_TAIL
        else:
            parts = [prolog, RESPONSE_HEAD.encode(),
                     ('<csw:SearchStatus timestamp="%s"/>' % now_iso()).encode(),
                     ('<csw:SearchResults numberOfRecordsMatched="%d" numberOfRecordsReturned="%d" '
                      'nextRecord="%d" elementSet="%s" recordSchema="%s">\n'
                      % (matched, len(recs), nxt, esc(req.element_set), schema_attr)).encode()]
            tail = b"</csw:SearchResults></csw:GetRecordsResponse>\n"
        prefix_len = sum(len(p) for p in parts)
        parts.extend(r + b"\n" for r in recs)
        parts.append(tail)
        body = b"".join(parts)
        if page_is("truncate"):
            if recs:
                mid = len(recs) // 2
                off = prefix_len + sum(len(r) + 1 for r in recs[:mid])
                body = body[:off + len(recs[mid]) // 2]
            else:
                body = body[:len(body) // 2]
        self._send(200, body)

    def _get_record_by_id(self, req):
        st = self.state
        if self._fault():
            return
        recs = []
        for ident in req.ids:
            i = st.view.find(ident)
            if i is not None:
                recs.append(self._record_bytes(i, req))
        if st.v3:  # CSW 3.0: the record itself is the answer
            if not recs:
                return self._exception(404, "NotFound", "no record %s" % ",".join(req.ids), "id")
            return self._send(200, XML_DECL + recs[0] + b"\n")
        body = (XML_DECL + ('<csw:GetRecordByIdResponse xmlns:csw="%s">\n' % CSW).encode()
                + b"".join(r + b"\n" for r in recs) + b"</csw:GetRecordByIdResponse>\n")
        self._send(200, body)


# ---------------------------------------------------------------------------
# Main
# ---------------------------------------------------------------------------

class Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 64


def main(argv=None):
    ap = argparse.ArgumentParser(description="CSW 2.0.2 / 3.0.0 partner stand-in for moisson tests")
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--port-file")
    ap.add_argument("--records", action="append", default=[])
    ap.add_argument("--synthetic", type=int, default=0)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--misbehave", action="append", default=[])
    ap.add_argument("--log")
    ap.add_argument("--base-path", default="/csw")
    ap.add_argument("--verbose", action="store_true")
    ap.add_argument("--csw-version", choices=["2.0.2", "3.0.0"], default="2.0.2",
                    help="the one CSW version spoken (3.0.0: see csw30.py)")
    ap.add_argument("--dcat", metavar="FILE",
                    help="serve the datasets of an RDF/XML or Turtle file as a DCAT catalog "
                         "with Hydra paging at /dcat (see dcat_feed.py)")
    ap.add_argument("--dcat-synthetic", type=int, default=0, metavar="N",
                    help="serve N synthetic DCAT datasets with Hydra paging at /dcat")
    ap.add_argument("--dcat-page-size", type=int, default=100, metavar="N")
    ap.add_argument("--capabilities", metavar="FILE",
                    help="serve FILE as a WFS/WMS GetCapabilities answer at /ogc (see ogc_feed.py)")
    ap.add_argument("--metadata", action="append", default=[], metavar="/md/NAME=FILE",
                    help="with --capabilities: serve FILE at /md/NAME (a MetadataURL target)")
    ap.add_argument("--dump", metavar="FILE",
                    help="write the --synthetic records to FILE, each followed by a NUL byte, "
                         "and exit (input of bench/bench-partner)")
    a = ap.parse_args(argv)

    def say(msg):
        sys.stderr.write("partner: %s\n" % msg)

    if a.dump:
        synth = SyntheticRecords(a.synthetic, a.seed)
        with open(a.dump, "wb") as out:
            for i in range(a.synthetic):
                out.write(synth.xml(i))
                out.write(b"\0")
                synth.forget(i)
        return 0
    if a.synthetic:
        base = SyntheticRecords(a.synthetic, a.seed)
    else:
        base = FileRecords()
        for p in a.records:
            base.add_path(p, say)
    state = State(base, a.base_path, a.log, a.verbose)
    state.v3 = a.csw_version == "3.0.0"
    for spec in a.misbehave:
        try:
            state.set_misbehaviour(spec)
        except ValueError as e:
            say(str(e))
            return 2
    Handler.state = state
    if a.dcat or a.dcat_synthetic:
        Handler.dcat = (dcat_feed.FileFeed(a.dcat, a.dcat_page_size) if a.dcat else
                        dcat_feed.SyntheticFeed(a.dcat_synthetic, a.seed, a.dcat_page_size,
                                                COMMUNES, THEMES))
    if a.capabilities:
        import ogc_feed
        try:
            Handler.ogc = ogc_feed.OgcFeed(a.capabilities, a.metadata)
        except (OSError, ValueError) as e:
            say(str(e))
            return 2
    server = Server(("127.0.0.1", a.port), Handler)
    port = server.server_address[1]

    def on_term(signum, frame):
        state.stopping.set()
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, on_term)
    signal.signal(signal.SIGINT, on_term)
    if a.port_file:
        tmp = a.port_file + ".tmp"
        with open(tmp, "w") as f:
            f.write("%d\n" % port)
        os.rename(tmp, a.port_file)
    if a.verbose:
        say("listening on http://127.0.0.1:%d%s (%d records)" % (port, state.base_path, len(base)))
    try:
        server.serve_forever(poll_interval=0.2)
    except KeyboardInterrupt:
        pass
    finally:
        state.stopping.set()
        server.server_close()
        if state.log_file:
            state.log_file.close()
    # Leave at once: daemon threads (an endless response, the read-ahead) need no teardown.
    sys.stderr.flush()
    os._exit(0)


if __name__ == "__main__":
    sys.exit(main())
