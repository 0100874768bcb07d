"""csw30.py — the CSW 3.0.0 documents of the partner stand-in (partner.py --csw-version 3.0.0).

A catalogue that speaks only CSW 3.0.0, as con terra's terraCatalog or a pycsw configured
for 3.0 do: capabilities in the csw/3.0 namespace with OWS 2.0 and FES 2.0, GetRecords
answered as csw30:GetRecordsResponse (csw30:SearchStatus, csw30:SearchResults with
numberOfRecordsMatched / numberOfRecordsReturned / nextRecord), OWS 2.0 exception reports.
Element and attribute names follow the official schemas of the corpus
(schemas.opengis.net/cat/csw/3.0/cswGetCapabilities.xsd, cswGetRecords.xsd, ows/2.0,
filter/2.0).  partner.py decides what to serve; this module only writes the documents.

Version negotiation (OGC 06-121r9 §7.3.2): GetCapabilities with an AcceptVersions list that
names no 3.x version answers VersionNegotiationFailed; an operation request that says
version 2.0.2 (KVP VERSION, or an XML body in the csw/2.0.2 namespace or with
version="2.0.2") answers InvalidParameterValue on "version".
"""

import html

CSW30 = "http://www.opengis.net/cat/csw/3.0"
CSW202 = "http://www.opengis.net/cat/csw/2.0.2"
OWS20 = "http://www.opengis.net/ows/2.0"
OWS11 = "http://www.opengis.net/ows/1.1"
FES20 = "http://www.opengis.net/fes/2.0"
GMD = "http://www.isotc211.org/2005/gmd"
XML_DECL = b'<?xml version="1.0" encoding="UTF-8"?>\n'

RESPONSE_HEAD = ('<csw30:GetRecordsResponse xmlns:csw30="%s" '
                 'xmlns:dc="http://purl.org/dc/elements/1.1/" '
                 'xmlns:dct="http://purl.org/dc/terms/" '
                 'xmlns:ows="%s" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
                 'version="3.0.0" xsi:schemaLocation="%s '
                 'http://schemas.opengis.net/cat/csw/3.0/cswGetRecords.xsd">'
                 % (CSW30, OWS20, CSW30))
RESPONSE_TAIL = b"</csw30:SearchResults></csw30:GetRecordsResponse>\n"
DOCTYPE_NAME = "csw30:GetRecordsResponse"

# FES 2.0 conformance classes the stand-in's filter subset stands for (see partner.py).
CONFORMANCE = [("ImplementsQuery", "TRUE"), ("ImplementsAdHocQuery", "TRUE"),
               ("ImplementsFunctions", "FALSE"), ("ImplementsResourceId", "TRUE"),
               ("ImplementsMinStandardFilter", "TRUE"), ("ImplementsStandardFilter", "FALSE"),
               ("ImplementsMinSpatialFilter", "TRUE"), ("ImplementsSpatialFilter", "FALSE"),
               ("ImplementsMinTemporalFilter", "FALSE"), ("ImplementsTemporalFilter", "FALSE"),
               ("ImplementsVersionNav", "FALSE"), ("ImplementsSorting", "FALSE"),
               ("ImplementsExtendedOperators", "FALSE"), ("ImplementsMinimumXPath", "TRUE"),
               ("ImplementsSchemaElementFunc", "FALSE")]


def esc(text):
    return html.escape(str(text), quote=True)


def speaks_3(accept_versions):
    """Whether an AcceptVersions value ("2.0.2,3.0.0", or None when absent) allows 3.0."""
    if accept_versions is None:
        return True
    return any(v.strip().startswith("3.") for v in accept_versions.split(","))


def exception_report(code, text, locator=None):
    """An OWS 2.0 exception report."""
    return XML_DECL + (
        '<ows:ExceptionReport xmlns:ows="%s" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
        'version="2.0.0" xml:lang="fr" xsi:schemaLocation="%s '
        'http://schemas.opengis.net/ows/2.0/owsExceptionReport.xsd">'
        '<ows:Exception exceptionCode="%s"%s><ows:ExceptionText>%s</ows:ExceptionText>'
        '</ows:Exception></ows:ExceptionReport>\n'
        % (OWS20, OWS20, esc(code), ' locator="%s"' % esc(locator) if locator else "",
           esc(text))).encode("utf-8")


def _values(vals):
    return "<ows:AllowedValues>%s</ows:AllowedValues>" % "".join(
        "<ows:Value>%s</ows:Value>" % esc(v) for v in vals)


def capabilities(op_url, dc_only, no_post, caps_url):
    """The capabilities of a CSW 3.0.0-only catalogue.  op_url: where GetRecords and
    GetRecordById are served; caps_url: where GetCapabilities is."""
    schemas = [CSW30] if dc_only else [GMD, CSW30]

    def dcp(url, post=True):
        d = '<ows:Get xlink:href="%s"/>' % esc(url)
        if post and not no_post:
            d += '<ows:Post xlink:href="%s"/>' % esc(url)
        return "<ows:DCP><ows:HTTP>%s</ows:HTTP></ows:DCP>" % d

    def op(name, url, params, constraints=(), post=True):
        p = "".join('<ows:Parameter name="%s">%s</ows:Parameter>' % (n, _values(v))
                    for n, v in params)
        c = "".join('<ows:Constraint name="%s">%s</ows:Constraint>' % (n, _values(v))
                    for n, v in constraints)
        return '<ows:Operation name="%s">%s%s%s</ows:Operation>' % (name, dcp(url, post), p, c)

    iso_queryables = [] if dc_only else [("SupportedISOQueryables",
                                          ["Title", "AnyText", "Modified", "Identifier", "Type"])]
    ops = "".join([
        op("GetCapabilities", caps_url, [("AcceptVersions", ["3.0.0"]),
                                         ("AcceptFormats", ["application/xml"]),
                                         ("Sections", ["ServiceIdentification", "ServiceProvider",
                                                       "OperationsMetadata", "Filter_Capabilities",
                                                       "All"])], post=False),
        op("GetRecords", op_url, [("typeNames",
                                   ["csw:Record"] + ([] if dc_only else ["gmd:MD_Metadata"])),
                                  ("outputFormat", ["application/xml"]),
                                  ("outputSchema", schemas),
                                  ("CONSTRAINTLANGUAGE", ["FILTER", "CQL_TEXT"]),
                                  ("ElementSetName", ["brief", "summary", "full"])],
           [("CoreQueryables", ["Title", "Subject", "Abstract", "Modified", "Type",
                                "Identifier", "BoundingBox"])] + iso_queryables),
        op("GetRecordById", op_url, [("outputSchema", schemas),
                                     ("outputFormat", ["application/xml"]),
                                     ("ElementSetName", ["brief", "summary", "full"])]),
    ])
    conformance = "".join(
        '<fes:Constraint name="%s"><ows11:NoValues/><ows11:DefaultValue>%s</ows11:DefaultValue>'
        '</fes:Constraint>' % (n, v) for n, v in CONFORMANCE)
    doc = (
        '<csw30:Capabilities xmlns:csw30="%s" xmlns:ows="%s" xmlns:ows11="%s" xmlns:fes="%s" '
        'xmlns:gml="http://www.opengis.net/gml/3.2" xmlns:xlink="http://www.w3.org/1999/xlink" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" version="3.0.0" '
        'xsi:schemaLocation="%s http://schemas.opengis.net/cat/csw/3.0/cswGetCapabilities.xsd">'
        '<ows:ServiceIdentification><ows:Title>Catalogue partenaire CSW 3.0 (stand-in moisson)'
        '</ows:Title><ows:Abstract>Catalogue CSW 3.0.0 de test servi par tests/standin/partner.py.'
        '</ows:Abstract><ows:Keywords><ows:Keyword>catalogue</ows:Keyword>'
        '<ows:Keyword>métadonnées</ows:Keyword></ows:Keywords>'
        '<ows:ServiceType codeSpace="OGC">CSW</ows:ServiceType>'
        '<ows:ServiceTypeVersion>3.0.0</ows:ServiceTypeVersion>'
        '<ows:Fees>aucun</ows:Fees><ows:AccessConstraints>aucune</ows:AccessConstraints>'
        '</ows:ServiceIdentification>'
        '<ows:ServiceProvider><ows:ProviderName>moisson stand-in</ows:ProviderName>'
        '<ows:ServiceContact><ows:IndividualName>Cellule SIG</ows:IndividualName>'
        '<ows:ContactInfo><ows:Address><ows:ElectronicMailAddress>sig@partenaire.example.fr'
        '</ows:ElectronicMailAddress></ows:Address></ows:ContactInfo></ows:ServiceContact>'
        '</ows:ServiceProvider>'
        '<ows:OperationsMetadata>%s'
        '<ows:Parameter name="service">%s</ows:Parameter>'
        '<ows:Parameter name="version">%s</ows:Parameter>'
        '</ows:OperationsMetadata>'
        '<fes:Filter_Capabilities><fes:Conformance>%s</fes:Conformance>'
        '<fes:Id_Capabilities><fes:ResourceIdentifier name="csw30:Id"/></fes:Id_Capabilities>'
        '<fes:Scalar_Capabilities><fes:LogicalOperators/><fes:ComparisonOperators>'
        '<fes:ComparisonOperator name="PropertyIsGreaterThan"/>'
        '<fes:ComparisonOperator name="PropertyIsGreaterThanOrEqualTo"/>'
        '<fes:ComparisonOperator name="PropertyIsLike"/></fes:ComparisonOperators>'
        '</fes:Scalar_Capabilities>'
        '<fes:Spatial_Capabilities><fes:GeometryOperands>'
        '<fes:GeometryOperand name="gml:Envelope"/></fes:GeometryOperands>'
        '<fes:SpatialOperators><fes:SpatialOperator name="BBOX"/></fes:SpatialOperators>'
        '</fes:Spatial_Capabilities></fes:Filter_Capabilities></csw30:Capabilities>\n'
        % (CSW30, OWS20, OWS11, FES20, CSW30, ops, _values(["CSW"]), _values(["3.0.0"]),
           conformance))
    return XML_DECL + doc.encode("utf-8")


def search_results(matched, returned, nxt, element_set, record_schema):
    """The csw30:SearchResults start tag."""
    return ('<csw30:SearchResults numberOfRecordsMatched="%d" numberOfRecordsReturned="%d" '
            'nextRecord="%d" elementSet="%s" recordSchema="%s">\n'
            % (matched, returned, nxt, esc(element_set), esc(record_schema)))


def search_status(timestamp):
    return '<csw30:SearchStatus timestamp="%s"/>' % esc(timestamp)
