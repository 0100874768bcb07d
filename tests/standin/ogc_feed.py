"""ogc_feed.py — an OGC service (WFS / WMS) for the partner stand-in: one
capabilities document, and the ISO records its MetadataURLs point at.

partner.py --capabilities FILE [--metadata /md/NAME=FILE ...]

* GET /ogc?SERVICE=WFS&REQUEST=GetCapabilities (any case, any other
  parameter; no REQUEST at all too) answers FILE byte for byte, as
  application/xml with no charset (the document says its own encoding).
  Every "@STANDIN@" in FILE is replaced by http://HOST:PORT of the stand-in,
  so that MetadataURLs can point back at /md/... .
* Another REQUEST answers an OWS 1.1 ExceptionReport, 400, OperationNotSupported.
* GET /md/NAME answers the FILE given for it (application/xml), else 404.
* Misbehaviours that apply: "html" (an HTML page, 200), "exception" (an
  ExceptionReport, 200), "status:CODE[:COUNT]" (the next COUNT capabilities
  requests answer CODE), "slow:MS" and "gzip" as for CSW.
"""

import urllib.parse

EXCEPTION = (b'<?xml version="1.0" encoding="UTF-8"?>\n'
             b'<ows:ExceptionReport xmlns:ows="http://www.opengis.net/ows/1.1" version="2.0.0">'
             b'<ows:Exception exceptionCode="%s" locator="request"><ows:ExceptionText>%s'
             b'</ows:ExceptionText></ows:Exception></ows:ExceptionReport>\n')


class OgcFeed:
    def __init__(self, caps_path, metadata_specs):
        with open(caps_path, "rb") as f:
            self.caps = f.read()
        self.metadata = {}
        for spec in metadata_specs:
            path, sep, file = spec.partition("=")
            if not sep or not path.startswith("/md/") or not file:
                raise ValueError("--metadata wants /md/NAME=FILE, not %r" % spec)
            with open(file, "rb") as f:
                self.metadata[path] = f.read()

    def serves(self, path):
        return path in ("/ogc", "/ogc/") or path.startswith("/md/")

    def answer(self, path, query, host, st):
        """(status, body, content type) for a GET of path with its parsed query."""
        if path.startswith("/md/"):
            body = self.metadata.get(path)
            if body is None:
                return 404, b"no such record\n", "text/plain; charset=UTF-8"
            return 200, body, "application/xml"
        params = {k.lower(): v[-1] for k, v in query.items()}
        request = params.get("request", "GetCapabilities")
        if request.lower() != "getcapabilities":
            return 400, EXCEPTION % (b"OperationNotSupported",
                                     ("unknown request %s" % request).encode("utf-8", "replace")
                                     .replace(b"&", b"&amp;").replace(b"<", b"&lt;")), \
                "application/xml; charset=UTF-8"
        status = st.has("status")
        with st.lock:
            fail = status is not None and (status.remaining is None or status.remaining > 0)
            if fail and status.remaining is not None:
                status.remaining -= 1
        if fail:
            return status.int(0, 503), b"unavailable\n", "text/plain; charset=UTF-8"
        if st.has("html"):
            return 200, b"<!DOCTYPE html><html><body>maintenance</body></html>", \
                "text/html; charset=UTF-8"
        if st.has("exception"):
            return 200, EXCEPTION % (b"NoApplicableCode", b"capabilities unavailable"), \
                "application/xml; charset=UTF-8"
        return 200, self.caps.replace(b"@STANDIN@", ("http://%s" % host).encode("ascii")), \
            "application/xml"
