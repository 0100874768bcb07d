/*
 * ogc_url.h — the URLs of an OGC service (WFS, WMS) from what a user pastes.
 *
 * A user pastes a service's base URL ("https://geo.example.fr/geoserver/wfs"),
 * or a full GetCapabilities URL with whatever casing its server printed
 * ("HTTPS://Geo.Example.fr/wfs?Service=wfs&Request=getCapabilities&map=x").
 * ogc_url_capabilities makes the request to send; ogc_url_service makes the
 * stable form that identifies the service (record identifiers are built on it,
 * so a re-harvest updates records instead of duplicating them).
 *
 * Both: surrounding white space is ignored; only http and https; the scheme
 * and host are lower-cased, a default port (80, 443) and the fragment are
 * dropped, an empty path becomes "/"; the path, userinfo and other query
 * parameters (vendor parameters: map=, language=, authkey=…) are kept as
 * written, in their order; empty parameters ("&&", a trailing "?") are dropped.
 * Parameter names are matched without regard to case.
 */
#ifndef MOISSON_OGC_URL_H
#define MOISSON_OGC_URL_H

#include "result.h"

#include <stddef.h>

/* Longest URL built (the terminator not counted). */
#define OGC_URL_MAX 2048

/* The GetCapabilities URL of service ("WFS" or "WMS", any case) for pasted:
 * the vendor parameters, then SERVICE=<service>&REQUEST=GetCapabilities, then
 * the VERSION and ACCEPTVERSIONS the user gave (values kept).  A REQUEST for
 * another operation (a pasted GetMap URL) is replaced.  Writes at most size
 * bytes into out.  Errors (MO_EBADREQ naming the input): not http(s), no host,
 * white space or control characters inside, a SERVICE parameter naming
 * another service, an unknown service; MO_ELIMIT past size or OGC_URL_MAX. */
mo_rc ogc_url_capabilities(const char *pasted, const char *service, char *out, size_t size,
                           struct mo_err *err) MO_MUST_CHECK;

/* The stable service URL of pasted: as above, without SERVICE, REQUEST,
 * VERSION and ACCEPTVERSIONS.  Same errors (no service check). */
mo_rc ogc_url_service(const char *pasted, char *out, size_t size, struct mo_err *err) MO_MUST_CHECK;

#endif
