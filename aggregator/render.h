/*
 * render.h — records as the CSW server serves them, by the output stylesheets.
 *
 * render_new compiles the output stylesheets of xslt/ once:
 *   unified-to-csw-record.xsl  unified record → csw:BriefRecord / csw:SummaryRecord
 *                              / csw:Record (Dublin Core, CSW 2.0.2 record.xsd)
 *   unified-to-iso19139.xsl    unified record → full gmd:MD_Metadata (ISO 19139)
 *   iso19139-element-set.xsl   ISO 19139 record → ISO AP brief / summary (OGC 07-045)
 * A struct render is read-only afterwards and may be shared by any number of
 * threads: each call makes its own transform context (security preferences
 * that forbid every file and network access, depth and operation limits, its
 * own error collector).  The input document is the caller's: libxslt writes
 * its document-order index into it, so one document must not be rendered by
 * two threads at the same time.
 *
 * Every render_* call appends one record element (UTF-8, no XML declaration,
 * its namespaces declared on it) to the caller's buffer, ready to be placed
 * inside a GetRecords or GetRecordById response; on error nothing is appended
 * and err names the record and the cause.  An ISO record harvested as ISO is
 * served as the partner wrote it (record.original): render_iso is for the
 * others, render_iso_subset makes the brief and summary sets of any ISO record.
 */
#ifndef MOISSON_RENDER_H
#define MOISSON_RENDER_H

#include "buf.h"
#include "result.h"

#include <libxml/tree.h>

/* Longest value of one provenance parameter. */
#define RENDER_MAX_PARAM_BYTES 4096

/* CSW ElementSetName. */
enum render_set { RENDER_BRIEF, RENDER_SUMMARY, RENDER_FULL };

/* Where a record came from; each member may be NULL (left out). */
struct render_params {
    const char *sources;    /* partner names, separated by commas and/or spaces */
    const char *harvested;  /* ISO 8601 date-time of the harvest */
    const char *public_url; /* public base URL of this server (serve --public-url) */
};

struct render;

/* Compiles the output stylesheets found in xslt_dir; call it at start-up,
 * before threads (it registers the EXSLT functions).  MO_EIO when a file is
 * missing, MO_EXSLT when one does not compile. */
mo_rc render_new(const char *xslt_dir, struct render **out, struct mo_err *err) MO_MUST_CHECK;

/* Frees r; r may be NULL. */
void render_free(struct render *r);

/* "brief", "summary", "full" → set (exact, lower case as CSW writes them);
 * MO_EBADREQ naming the value otherwise. */
mo_rc render_set_parse(const char *name, enum render_set *set, struct mo_err *err) MO_MUST_CHECK;

/* The CSW name of set ("brief", "summary" or "full"). */
const char *render_set_name(enum render_set set);

/* Dublin Core: the unified record as csw:BriefRecord, csw:SummaryRecord or
 * csw:Record (with provenance, params may be NULL).  MO_EXSLT when the
 * document is not a unified record or the stylesheet fails, MO_EBADREQ for a
 * parameter that is not UTF-8 text or longer than RENDER_MAX_PARAM_BYTES,
 * MO_ELIMIT when out would grow past its maximum. */
mo_rc render_dc(const struct render *r, xmlDoc *unified, enum render_set set,
                const struct render_params *params, struct buf *out,
                struct mo_err *err) MO_MUST_CHECK;

/* ISO 19139 rebuilt from the unified record: full, or its brief / summary
 * set (the full record through iso19139-element-set.xsl).  Errors as
 * render_dc. */
mo_rc render_iso(const struct render *r, xmlDoc *unified, enum render_set set,
                 const struct render_params *params, struct buf *out,
                 struct mo_err *err) MO_MUST_CHECK;

/* The brief or summary set of an ISO 19139 record as the partner wrote it
 * (gmd:MD_Metadata, gmi:MI_Metadata, gco:isoType profiles); nothing is added.
 * RENDER_FULL is refused with MO_EBADREQ: the full record is the original
 * itself.  MO_EXSLT for another root element. */
mo_rc render_iso_subset(const struct render *r, xmlDoc *iso, enum render_set set, struct buf *out,
                        struct mo_err *err) MO_MUST_CHECK;

#endif
