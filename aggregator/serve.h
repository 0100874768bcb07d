/*
 * serve.h — what `moisson serve` runs: the HTTP front (http.h) over a pool
 * of database connections (dbpool.h), with the route table of the public
 * endpoints.
 *
 * For now the table holds /health (200 "ok" when a borrowed connection
 * answers, else 503).  The CSW, HTML and OGC API Records endpoints are added
 * as entries of that table in serve.c; their handlers get the struct serve
 * as ctx and reach the pool and the public URL through the accessors below.
 */
#ifndef MOISSON_SERVE_H
#define MOISSON_SERVE_H

#include "csw.h"
#include "dbpool.h"
#include "http.h"
#include "log.h"
#include "result.h"

#include <stddef.h>

#define SERVE_DEFAULT_ADDRESS "127.0.0.1"
#define SERVE_DEFAULT_PORT 8080
#define SERVE_MAX_URL 512    /* the public URL */
#define SERVE_MAX_LISTEN 128 /* "ADDR:PORT" as typed */
#define SERVE_HEALTH_PATH "/health"
#define SERVE_RETRY_AFTER_S 5 /* told to clients with a 503 */

struct serve_config {
    const char *address;          /* numeric IP address to listen on */
    unsigned port;                /* 0: a free port */
    const char *public_url;       /* as clients reach us; NULL: http://ADDRESS:PORT */
    struct http_limits limits;    /* http_limits_default, then adjusted */
    const char *conninfo;         /* libpq connection string (db_resolve) */
    unsigned db_connections;      /* 0: limits.threads + 2 */
    unsigned db_wait_ms;          /* 0: DBPOOL_DEFAULT_WAIT_MS */
    const struct log *log;        /* borrowed; may be NULL */
    const char *xslt_dir;         /* output stylesheets: serves /csw (csw.h); NULL: no /csw */
    struct csw_identity identity; /* GetCapabilities' service description (NULL texts: the
                                     defaults); its title also names the HTML pages and the
                                     OGC API landing page */
    /* the search page's map (web.h): an XYZ tile template (NULL: the offline map) and the
     * credit shown under it (NULL: the tile server's host) */
    const char *tile_url;
    const char *tile_attribution;
    int no_search_index;   /* 1: every search from SQL (search_start_index not called) */
    unsigned search_lag_s; /* search_start_index's lag_s */
};

struct serve;

/* Checks the configuration, opens the pool, binds and starts serving.
 * MO_EBADREQ for a bad address, public URL, identity text (the message
 * names it: csw_identity_check) or tile background (web_tiles_check), MO_EDB when the database
 * cannot be reached, MO_EIO when the address cannot be bound. */
mo_rc serve_start(const struct serve_config *cfg, struct serve **out,
                  struct mo_err *err) MO_MUST_CHECK;

/* The port listened on (the real one when the config asked for 0). */
unsigned serve_port(const struct serve *s);

/* The public URL, without a trailing '/' (never NULL). */
const char *serve_public_url(const struct serve *s);

/* The pool handlers borrow from (owned by s; NULL once stopped). */
struct dbpool *serve_pool(struct serve *s);

/* Stops gracefully: no new connection, running requests finish (at most
 * grace_s seconds), then the pool is closed.  Idempotent. */
void serve_stop(struct serve *s, unsigned grace_s);

/* Stops (HTTP_STOP_GRACE_S) if needed and frees; s may be NULL. */
void serve_free(struct serve *s);

/* "ADDR:PORT", "[IPv6]:PORT" or "ADDR" (port SERVE_DEFAULT_PORT) into addr
 * (size bytes) and *port (0 to 65535).  MO_EBADREQ naming the text. */
mo_rc serve_parse_listen(const char *text, char *addr, size_t size, unsigned *port,
                         struct mo_err *err) MO_MUST_CHECK;

/* Checks a public URL (http or https, a host, printable ASCII without
 * spaces, quotes or angle brackets, at most SERVE_MAX_URL bytes) and copies
 * it into out without its trailing '/'.  MO_EBADREQ naming it. */
mo_rc serve_check_public_url(const char *url, char *out, size_t size,
                             struct mo_err *err) MO_MUST_CHECK;

#endif
