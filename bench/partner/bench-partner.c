/*
 * bench-partner — a CSW 2.0.2 partner fast enough not to be what a harvest
 * benchmark measures.
 *
 * It serves the records of a file written by the stand-in
 * (tests/standin/partner.py --synthetic N --dump FILE: records separated by
 * NUL bytes) through GetCapabilities and GetRecords (POST XML or GET KVP;
 * startPosition and maxRecords honoured, everything else ignored).  Pages are
 * concatenations of the stored records, so serving costs next to no CPU.
 * Not a CSW server: a benchmark tool, on 127.0.0.1 only.
 *
 * usage: bench-partner --records FILE --port-file F [--port N]
 */
#include <microhttpd.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define BODY_MAX (64 * 1024)
#define PAGE_MAX 10000

struct records {
    char *data;
    size_t *offset; /* start of record i */
    size_t *length;
    long count;
};

struct request {
    char body[BODY_MAX];
    size_t len;
};

static volatile sig_atomic_t stop_flag;

static void on_signal(int sig)
{
    (void)sig;
    stop_flag = 1;
}

static int load_records(const char *path, struct records *r)
{
    FILE *fp = fopen(path, "rb");
    if (!fp)
        return -1;
    fseek(fp, 0, SEEK_END);
    long size = ftell(fp);
    rewind(fp);
    r->data = malloc((size_t)size + 1);
    if (!r->data || fread(r->data, 1, (size_t)size, fp) != (size_t)size) {
        fclose(fp);
        return -1;
    }
    fclose(fp);
    long n = 0;
    for (long i = 0; i < size; i++)
        n += r->data[i] == '\0';
    r->offset = calloc((size_t)n + 1, sizeof *r->offset);
    r->length = calloc((size_t)n + 1, sizeof *r->length);
    size_t start = 0;
    for (long i = 0, k = 0; i < size; i++) {
        if (r->data[i] != '\0')
            continue;
        r->offset[k] = start;
        r->length[k++] = (size_t)i - start;
        start = (size_t)i + 1;
    }
    r->count = n;
    return 0;
}

static const char caps_fmt[] =
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>"
    "<csw:Capabilities xmlns:csw=\"http://www.opengis.net/cat/csw/2.0.2\" "
    "xmlns:ows=\"http://www.opengis.net/ows\" xmlns:xlink=\"http://www.w3.org/1999/xlink\" "
    "version=\"2.0.2\"><ows:ServiceIdentification><ows:Title>bench partner</ows:Title>"
    "<ows:ServiceType>CSW</ows:ServiceType><ows:ServiceTypeVersion>2.0.2</ows:ServiceTypeVersion>"
    "</ows:ServiceIdentification><ows:OperationsMetadata><ows:Operation name=\"GetRecords\">"
    "<ows:DCP><ows:HTTP><ows:Get xlink:href=\"http://127.0.0.1:%d/csw\"/>"
    "<ows:Post xlink:href=\"http://127.0.0.1:%d/csw\"/></ows:HTTP></ows:DCP>"
    "<ows:Parameter name=\"outputSchema\"><ows:Value>http://www.isotc211.org/2005/gmd</ows:Value>"
    "</ows:Parameter><ows:Constraint name=\"SupportedISOQueryables\"><ows:Value>Modified"
    "</ows:Value></ows:Constraint></ows:Operation></ows:OperationsMetadata></csw:Capabilities>";

static long number_after(const char *text, const char *key, long fallback)
{
    const char *p = strstr(text, key);
    if (!p)
        return fallback;
    p += strlen(key);
    while (*p == '"' || *p == '=' || *p == ' ')
        p++;
    return strtol(p, NULL, 10);
}

static struct MHD_Response *records_page(const struct records *r, long start, long max)
{
    long first = start - 1, last = first + max; /* [first, last) */
    if (first < 0)
        first = 0;
    if (max > PAGE_MAX)
        last = first + PAGE_MAX;
    if (last > r->count)
        last = r->count;
    if (first > last)
        first = last;
    size_t size = 1024;
    for (long i = first; i < last; i++)
        size += r->length[i];
    char *out = malloc(size);
    if (!out)
        return NULL;
    long next = last < r->count ? last + 1 : 0;
    int n = snprintf(out, size,
                     "<?xml version=\"1.0\" encoding=\"UTF-8\"?><csw:GetRecordsResponse "
                     "xmlns:csw=\"http://www.opengis.net/cat/csw/2.0.2\" version=\"2.0.2\">"
                     "<csw:SearchStatus timestamp=\"2026-01-01T00:00:00Z\"/><csw:SearchResults "
                     "numberOfRecordsMatched=\"%ld\" numberOfRecordsReturned=\"%ld\" "
                     "nextRecord=\"%ld\" elementSet=\"full\">",
                     r->count, last - first, next);
    size_t len = (size_t)n;
    for (long i = first; i < last; i++) {
        memcpy(out + len, r->data + r->offset[i], r->length[i]);
        len += r->length[i];
    }
    len += (size_t)snprintf(out + len, size - len, "</csw:SearchResults></csw:GetRecordsResponse>");
    return MHD_create_response_from_buffer(len, out, MHD_RESPMEM_MUST_FREE);
}

static enum MHD_Result answer(void *cls, struct MHD_Connection *c, const char *url,
                              const char *method, const char *version, const char *upload,
                              size_t *upload_size, void **state)
{
    const struct records *r = cls;
    struct request *req = *state;
    (void)url;
    (void)version;
    if (!req) {
        *state = calloc(1, sizeof *req);
        return *state ? MHD_YES : MHD_NO;
    }
    if (*upload_size) {
        size_t take =
            *upload_size < BODY_MAX - 1 - req->len ? *upload_size : BODY_MAX - 1 - req->len;
        memcpy(req->body + req->len, upload, take);
        req->len += take;
        *upload_size = 0;
        return MHD_YES;
    }
    struct MHD_Response *resp = NULL;
    const char *request = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "request");
    if (!strcmp(method, "GET") && request && !strcasecmp(request, "GetCapabilities")) {
        const union MHD_DaemonInfo *di =
            MHD_get_daemon_info(MHD_get_connection_info(c, MHD_CONNECTION_INFO_DAEMON)->daemon,
                                MHD_DAEMON_INFO_BIND_PORT);
        char caps[sizeof caps_fmt + 32];
        int n = snprintf(caps, sizeof caps, caps_fmt, di->port, di->port);
        resp = MHD_create_response_from_buffer((size_t)n, caps, MHD_RESPMEM_MUST_COPY);
    } else if (!strcmp(method, "POST")) {
        req->body[req->len] = '\0';
        resp = records_page(r, number_after(req->body, "startPosition", 1),
                            number_after(req->body, "maxRecords", 10));
    } else {
        const char *s = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "startPosition");
        const char *m = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "maxRecords");
        resp = records_page(r, s ? atol(s) : 1, m ? atol(m) : 10);
    }
    if (!resp)
        return MHD_NO;
    MHD_add_response_header(resp, "Content-Type", "application/xml; charset=UTF-8");
    enum MHD_Result ret = MHD_queue_response(c, MHD_HTTP_OK, resp);
    MHD_destroy_response(resp);
    return ret;
}

static void completed(void *cls, struct MHD_Connection *c, void **state,
                      enum MHD_RequestTerminationCode code)
{
    (void)cls;
    (void)c;
    (void)code;
    free(*state);
    *state = NULL;
}

int main(int argc, char **argv)
{
    const char *records_path = NULL, *port_file = NULL;
    int port = 0;
    for (int i = 1; i + 1 < argc; i += 2) {
        if (!strcmp(argv[i], "--records"))
            records_path = argv[i + 1];
        else if (!strcmp(argv[i], "--port-file"))
            port_file = argv[i + 1];
        else if (!strcmp(argv[i], "--port"))
            port = atoi(argv[i + 1]);
    }
    struct records r = {0};
    if (!records_path || !port_file || load_records(records_path, &r) != 0) {
        fprintf(stderr, "usage: bench-partner --records FILE --port-file F [--port N]\n");
        return 2;
    }
    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    struct MHD_Daemon *d = MHD_start_daemon(
        MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL, 0, NULL, NULL, answer, &r,
        MHD_OPTION_SOCK_ADDR, &addr, MHD_OPTION_NOTIFY_COMPLETED, completed, NULL, MHD_OPTION_END);
    if (!d)
        return 1;
    char tmp[4096];
    snprintf(tmp, sizeof tmp, "%s.tmp", port_file);
    FILE *pf = fopen(tmp, "w");
    if (!pf)
        return 1;
    fprintf(pf, "%d\n", MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT)->port);
    fclose(pf);
    rename(tmp, port_file);
    signal(SIGTERM, on_signal);
    signal(SIGINT, on_signal);
    while (!stop_flag)
        pause();
    MHD_stop_daemon(d);
    return 0;
}
