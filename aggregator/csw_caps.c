/*
 * csw_caps.c — what the service says about itself: GetCapabilities (from the
 * configuration, the public URL, the parameters' allowed values and the
 * queryables table), DescribeRecord (the record schemas, by reference to
 * their official location), and the values of a request parameter that
 * GetDomain ParameterName answers.
 */
#include "csw_internal.h"

#include "queryables.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#define CAPS_OPEN                                                                                  \
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"                                                 \
    "<csw:Capabilities xmlns:csw=\"" CSW_NS "\" xmlns:ows=\"http://www.opengis.net/ows\""          \
    " xmlns:ogc=\"http://www.opengis.net/ogc\" xmlns:gml=\"http://www.opengis.net/gml\""           \
    " xmlns:xlink=\"http://www.w3.org/1999/xlink\""                                                \
    " xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" version=\"" CSW_VERSION "\""         \
    " updateSequence=\"%d\" xsi:schemaLocation=\"" CSW_NS                                          \
    " http://schemas.opengis.net/csw/2.0.2/CSW-discovery.xsd\">\n"

static const char *const v_format[] = {"application/xml", NULL};
static const char *const v_schema[] = {CSW_NS, CSW_GMD_NS, NULL};
static const char *const v_types[] = {"csw:Record", "gmd:MD_Metadata", NULL};
static const char *const v_result[] = {"hits", "results", "validate", NULL};
static const char *const v_set[] = {"brief", "summary", "full", NULL};
static const char *const v_lang[] = {"FILTER", "CQL_TEXT", NULL};
static const char *const v_schema_lang[] = {"http://www.w3.org/XML/Schema", NULL};
static const char *const v_sections[] = {"ServiceIdentification",
                                         "ServiceProvider",
                                         "OperationsMetadata",
                                         "Filter_Capabilities",
                                         "All",
                                         NULL};
static const char *const v_versions[] = {CSW_VERSION, NULL};

struct csw_param {
    const char *op; /* NULL: every operation */
    const char *name;
    const char *const *values;
};

static const struct csw_param params[] = {
    {"GetCapabilities", "sections", v_sections},
    {"GetCapabilities", "acceptVersions", v_versions},
    {"GetCapabilities", "acceptFormats", v_format},
    {"DescribeRecord", "typeName", v_types},
    {"DescribeRecord", "outputFormat", v_format},
    {"DescribeRecord", "schemaLanguage", v_schema_lang},
    {"GetRecords", "resultType", v_result},
    {"GetRecords", "outputFormat", v_format},
    {"GetRecords", "outputSchema", v_schema},
    {"GetRecords", "typeNames", v_types},
    {"GetRecords", "CONSTRAINTLANGUAGE", v_lang},
    {"GetRecords", "ElementSetName", v_set},
    {"GetRecordById", "outputSchema", v_schema},
    {"GetRecordById", "outputFormat", v_format},
    {"GetRecordById", "ElementSetName", v_set},
};

static const char *const param_names[] = {
    "GetCapabilities.sections",      "GetCapabilities.acceptVersions",
    "GetCapabilities.acceptFormats", "DescribeRecord.typeName",
    "DescribeRecord.outputFormat",   "DescribeRecord.schemaLanguage",
    "GetRecords.resultType",         "GetRecords.outputFormat",
    "GetRecords.outputSchema",       "GetRecords.typeNames",
    "GetRecords.CONSTRAINTLANGUAGE", "GetRecords.ElementSetName",
    "GetRecordById.outputSchema",    "GetRecordById.outputFormat",
    "GetRecordById.ElementSetName",  NULL,
};

/* The ISO AP 1.0 queryables (OGC 07-045, tables 6, 8, 10); other apiso
 * names of the queryables table are listed as additional. */
static const char *const iso_ap_queryables[] = {
    "Subject",
    "Title",
    "Abstract",
    "AnyText",
    "Format",
    "Identifier",
    "Modified",
    "Type",
    "BoundingBox",
    "CRS",
    "AlternateTitle",
    "RevisionDate",
    "CreationDate",
    "PublicationDate",
    "OrganisationName",
    "HasSecurityConstraints",
    "Language",
    "ResourceIdentifier",
    "ParentIdentifier",
    "KeywordType",
    "TopicCategory",
    "ResourceLanguage",
    "GeographicDescriptionCode",
    "Denominator",
    "DistanceValue",
    "DistanceUOM",
    "TempExtent_begin",
    "TempExtent_end",
    "ServiceType",
    "ServiceTypeVersion",
    "Operation",
    "OperatesOn",
    "OperatesOnIdentifier",
    "OperatesOnName",
    "CouplingType",
    NULL,
};

const char *const *csw_parameter_names(void)
{
    return param_names;
}

const char *const *csw_parameter_values(const char *name)
{
    const char *dot = strchr(name, '.');
    if (!dot)
        return NULL;
    for (size_t i = 0; i < sizeof params / sizeof params[0]; i++)
        if (strlen(params[i].op) == (size_t)(dot - name) &&
            !strncasecmp(params[i].op, name, (size_t)(dot - name)) &&
            !strcasecmp(params[i].name, dot + 1))
            return params[i].values;
    return NULL;
}

/* ---- GetCapabilities ---- */

static mo_rc caps_values(struct buf *out, const char *const *values)
{
    mo_rc rc = MO_OK;
    for (size_t i = 0; rc == MO_OK && values[i]; i++) {
        rc = buf_append_str(out, "<ows:Value>");
        if (rc == MO_OK)
            rc = csw_xml_escape(out, values[i]);
        if (rc == MO_OK)
            rc = buf_append_str(out, "</ows:Value>");
    }
    return rc;
}

static mo_rc caps_text(struct buf *out, const char *el, const char *text)
{
    mo_rc rc = buf_printf(out, "<%s>", el);
    if (rc == MO_OK)
        rc = csw_xml_escape(out, text);
    if (rc == MO_OK)
        rc = buf_printf(out, "</%s>", el);
    return rc;
}

/* ows:Keywords from the comma-separated list, each keyword trimmed of spaces;
 * nothing when no keyword is left (the element needs one). */
static mo_rc caps_keywords(struct buf *out, const char *list)
{
    mo_rc rc = MO_OK;
    int any = 0;
    for (const char *k = list; rc == MO_OK && *k;) {
        size_t n = strcspn(k, ",");
        char word[CSW_MAX_TEXT + 1];
        const char *s = k;
        k += n + (k[n] == ',');
        while (n && *s == ' ')
            s++, n--;
        while (n && s[n - 1] == ' ')
            n--;
        if (!n)
            continue;
        snprintf(word, sizeof word, "%.*s", (int)n, s);
        if (!any)
            rc = buf_append_str(out, "<ows:Keywords>");
        any = 1;
        if (rc == MO_OK)
            rc = caps_text(out, "ows:Keyword", word);
    }
    if (rc == MO_OK && any)
        rc = buf_append_str(out, "</ows:Keywords>");
    return rc;
}

static mo_rc caps_identification(const struct csw *c, struct buf *out)
{
    const struct csw_identity *id = &c->cfg.identity;
    mo_rc rc = buf_append_str(out, "<ows:ServiceIdentification>");
    if (rc == MO_OK)
        rc = caps_text(out, "ows:Title", id->title);
    if (rc == MO_OK)
        rc = caps_text(out, "ows:Abstract", id->abstract);
    if (rc == MO_OK)
        rc = caps_keywords(out, id->keywords);
    if (rc == MO_OK)
        rc = buf_append_str(out, "<ows:ServiceType>CSW</ows:ServiceType>"
                                 "<ows:ServiceTypeVersion>" CSW_VERSION "</ows:ServiceTypeVersion>"
                                 "<ows:Fees>none</ows:Fees>"
                                 "<ows:AccessConstraints>none</ows:AccessConstraints>"
                                 "</ows:ServiceIdentification>\n");
    return rc;
}

static mo_rc caps_provider(const struct csw *c, struct buf *out)
{
    const struct csw_identity *id = &c->cfg.identity;
    mo_rc rc = buf_append_str(out, "<ows:ServiceProvider>");
    if (rc == MO_OK)
        rc = caps_text(out, "ows:ProviderName", id->provider_name);
    if (rc == MO_OK)
        rc = buf_append_str(out, "<ows:ProviderSite xlink:href=\"");
    if (rc == MO_OK)
        rc = csw_xml_escape(out, id->provider_site);
    if (rc == MO_OK)
        rc = buf_append_str(out, "\"/><ows:ServiceContact>");
    if (rc == MO_OK)
        rc = caps_text(out, "ows:IndividualName", id->contact_name);
    if (rc == MO_OK)
        rc = buf_append_str(out, "<ows:ContactInfo><ows:Address>");
    if (rc == MO_OK && id->contact_email[0])
        rc = caps_text(out, "ows:ElectronicMailAddress", id->contact_email);
    if (rc == MO_OK)
        rc = buf_append_str(out, "</ows:Address></ows:ContactInfo>"
                                 "<ows:Role>pointOfContact</ows:Role>"
                                 "</ows:ServiceContact></ows:ServiceProvider>\n");
    return rc;
}

/* The queryables of the table as three constraints of GetRecords. */
static mo_rc caps_queryables(struct buf *out)
{
    static const char *const groups[] = {"SupportedISOQueryables", "AdditionalQueryables",
                                         "SupportedDublinCoreQueryables"};
    size_t n = 0;
    const struct queryable *all = queryable_list(&n);
    mo_rc rc = MO_OK;
    for (int g = 0; rc == MO_OK && g < 3; g++) {
        int any = 0;
        for (size_t i = 0; rc == MO_OK && i < n; i++) {
            int iso = !strncmp(all[i].name, "apiso:", 6), standard = 0;
            for (size_t k = 0; iso && iso_ap_queryables[k]; k++)
                standard |= !strcmp(all[i].name + 6, iso_ap_queryables[k]);
            if ((g == 0 && !(iso && standard)) || (g == 1 && !(iso && !standard)) ||
                (g == 2 && iso))
                continue;
            if (!any)
                rc = buf_printf(out, "<ows:Constraint name=\"%s\">", groups[g]);
            any = 1;
            if (rc == MO_OK)
                rc = caps_text(out, "ows:Value", all[i].name);
        }
        if (rc == MO_OK && any)
            rc = buf_append_str(out, "</ows:Constraint>");
    }
    return rc;
}

static mo_rc caps_operation(const struct csw *c, struct buf *out, const char *op, int post)
{
    mo_rc rc =
        buf_printf(out, "<ows:Operation name=\"%s\"><ows:DCP><ows:HTTP><ows:Get xlink:href=\"", op);
    if (rc == MO_OK)
        rc = csw_xml_escape(out, c->public_url);
    if (rc == MO_OK)
        rc = buf_append_str(out, CSW_PATH "?\"/>");
    if (rc == MO_OK && post) {
        rc = buf_append_str(out, "<ows:Post xlink:href=\"");
        if (rc == MO_OK)
            rc = csw_xml_escape(out, c->public_url);
        if (rc == MO_OK)
            rc = buf_append_str(out, CSW_PATH "\"/>");
    }
    if (rc == MO_OK)
        rc = buf_append_str(out, "</ows:HTTP></ows:DCP>");
    for (size_t i = 0; rc == MO_OK && i < sizeof params / sizeof params[0]; i++) {
        if (strcmp(params[i].op, op))
            continue;
        rc = buf_printf(out, "<ows:Parameter name=\"%s\">", params[i].name);
        if (rc == MO_OK)
            rc = caps_values(out, params[i].values);
        if (rc == MO_OK)
            rc = buf_append_str(out, "</ows:Parameter>");
    }
    if (rc == MO_OK && !strcmp(op, "GetDomain")) {
        rc = buf_append_str(out, "<ows:Parameter name=\"ParameterName\">");
        if (rc == MO_OK)
            rc = caps_values(out, param_names);
        if (rc == MO_OK)
            rc = buf_append_str(out, "</ows:Parameter>");
    }
    if (rc == MO_OK && !strcmp(op, "GetRecords"))
        rc = caps_queryables(out);
    if (rc == MO_OK)
        rc = buf_append_str(out, "</ows:Operation>");
    return rc;
}

static mo_rc caps_operations(const struct csw *c, struct buf *out)
{
    static const char *const ops[] = {"GetCapabilities", "DescribeRecord", "GetRecords",
                                      "GetRecordById", "GetDomain"};
    mo_rc rc = buf_append_str(out, "<ows:OperationsMetadata>");
    for (size_t i = 0; rc == MO_OK && i < sizeof ops / sizeof ops[0]; i++)
        rc = caps_operation(c, out, ops[i], 1);
    if (rc == MO_OK)
        rc = buf_printf(out,
                        "<ows:Parameter name=\"service\"><ows:Value>CSW</ows:Value></ows:Parameter>"
                        "<ows:Parameter name=\"version\"><ows:Value>" CSW_VERSION
                        "</ows:Value></ows:Parameter>"
                        "<ows:Constraint name=\"PostEncoding\"><ows:Value>XML</ows:Value>"
                        "</ows:Constraint>"
                        "<ows:Constraint name=\"MaxRecordDefault\"><ows:Value>%d</ows:Value>"
                        "</ows:Constraint>"
                        "<ows:Constraint name=\"MaxRecords\"><ows:Value>%d</ows:Value>"
                        "</ows:Constraint>"
                        "</ows:OperationsMetadata>\n",
                        CSW_DEFAULT_MAX_RECORDS, CSW_MAX_RECORDS);
    return rc;
}

static mo_rc caps_filter(struct buf *out)
{
    return buf_append_str(
        out, "<ogc:Filter_Capabilities><ogc:Spatial_Capabilities><ogc:GeometryOperands>"
             "<ogc:GeometryOperand>gml:Envelope</ogc:GeometryOperand>"
             "<ogc:GeometryOperand>gml:Polygon</ogc:GeometryOperand>"
             "</ogc:GeometryOperands><ogc:SpatialOperators>"
             "<ogc:SpatialOperator name=\"BBOX\"/><ogc:SpatialOperator name=\"Intersects\"/>"
             "<ogc:SpatialOperator name=\"Within\"/><ogc:SpatialOperator name=\"Contains\"/>"
             "<ogc:SpatialOperator name=\"Disjoint\"/>"
             "</ogc:SpatialOperators></ogc:Spatial_Capabilities>"
             "<ogc:Scalar_Capabilities><ogc:LogicalOperators/><ogc:ComparisonOperators>"
             "<ogc:ComparisonOperator>EqualTo</ogc:ComparisonOperator>"
             "<ogc:ComparisonOperator>NotEqualTo</ogc:ComparisonOperator>"
             "<ogc:ComparisonOperator>LessThan</ogc:ComparisonOperator>"
             "<ogc:ComparisonOperator>GreaterThan</ogc:ComparisonOperator>"
             "<ogc:ComparisonOperator>LessThanEqualTo</ogc:ComparisonOperator>"
             "<ogc:ComparisonOperator>GreaterThanEqualTo</ogc:ComparisonOperator>"
             "<ogc:ComparisonOperator>Like</ogc:ComparisonOperator>"
             "<ogc:ComparisonOperator>Between</ogc:ComparisonOperator>"
             "<ogc:ComparisonOperator>NullCheck</ogc:ComparisonOperator>"
             "</ogc:ComparisonOperators></ogc:Scalar_Capabilities>"
             "<ogc:Id_Capabilities><ogc:EID/></ogc:Id_Capabilities></ogc:Filter_Capabilities>\n");
}

int csw_caps_write(const struct csw *c, const struct csw_request *req, struct buf *out,
                   struct csw_exception *ex)
{
    /* the client already has this update: the root alone */
    unsigned sections = req->update_sequence == CSW_UPDATE_SEQUENCE ? 0 : req->sections;
    mo_rc rc = buf_printf(out, CAPS_OPEN, CSW_UPDATE_SEQUENCE);
    if (rc == MO_OK && (sections & CSW_SECTION_IDENTIFICATION))
        rc = caps_identification(c, out);
    if (rc == MO_OK && (sections & CSW_SECTION_PROVIDER))
        rc = caps_provider(c, out);
    if (rc == MO_OK && (sections & CSW_SECTION_OPERATIONS))
        rc = caps_operations(c, out);
    if (rc == MO_OK) /* always: CSW-discovery.xsd makes Filter_Capabilities mandatory */
        rc = caps_filter(out);
    if (rc == MO_OK)
        rc = buf_append_str(out, "</csw:Capabilities>\n");
    if (rc != MO_OK)
        return csw_fail(ex, CSW_EX_NO_CODE, NULL, "could not write the capabilities");
    return 0;
}

/* ---- DescribeRecord ---- */

int csw_describe_write(const struct csw_request *req, struct buf *out, struct csw_exception *ex)
{
    unsigned types = req->type_names ? req->type_names : CSW_TYPE_RECORD | CSW_TYPE_MD;
    mo_rc rc = buf_append_str(out, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                                   "<csw:DescribeRecordResponse xmlns:csw=\"" CSW_NS "\""
                                   " xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\""
                                   " xsi:schemaLocation=\"" CSW_NS
                                   " http://schemas.opengis.net/csw/2.0.2/CSW-discovery.xsd\">\n");
    if (rc == MO_OK && (types & CSW_TYPE_RECORD))
        rc = buf_append_str(
            out,
            "<csw:SchemaComponent targetNamespace=\"" CSW_NS "\""
            " schemaLanguage=\"http://www.w3.org/XML/Schema\">"
            "<xsd:schema xmlns:xsd=\"http://www.w3.org/2001/XMLSchema\" targetNamespace=\"" CSW_NS
            "\" elementFormDefault=\"qualified\" version=\"2.0.2\">"
            "<xsd:include schemaLocation=\"http://schemas.opengis.net/csw/2.0.2/record.xsd\"/>"
            "</xsd:schema></csw:SchemaComponent>\n");
    if (rc == MO_OK && (types & CSW_TYPE_MD))
        rc = buf_append_str(out, "<csw:SchemaComponent targetNamespace=\"" CSW_GMD_NS "\""
                                 " schemaLanguage=\"http://www.w3.org/XML/Schema\">"
                                 "<xsd:schema xmlns:xsd=\"http://www.w3.org/2001/XMLSchema\" "
                                 "targetNamespace=\"" CSW_GMD_NS
                                 "\" elementFormDefault=\"qualified\" version=\"2007-04-17\">"
                                 "<xsd:include schemaLocation="
                                 "\"http://schemas.opengis.net/iso/19139/20070417/gmd/gmd.xsd\"/>"
                                 "</xsd:schema></csw:SchemaComponent>\n");
    if (rc == MO_OK)
        rc = buf_append_str(out, "</csw:DescribeRecordResponse>\n");
    if (rc != MO_OK)
        return csw_fail(ex, CSW_EX_NO_CODE, NULL, "could not write the record description");
    return 0;
}
