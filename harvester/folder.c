#include "folder.h"

#include <dirent.h>
#include <errno.h>
#include <libxml/HTMLparser.h>
#include <libxml/uri.h>
#include <libxml/xpath.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#define FOLDER_MAX_INDEX_BYTES (16L * 1024 * 1024) /* one autoindex page */

void folder_list_free(struct folder_list *l)
{
    if (!l)
        return;
    for (size_t i = 0; i < l->n; i++)
        free(l->items[i]);
    free(l->items);
    memset(l, 0, sizeof *l);
}

static mo_rc list_push(struct folder_list *l, const char *s, struct mo_err *err)
{
    if (l->n >= FOLDER_MAX_FILES)
        return mo_fail(err, MO_ELIMIT, "more than %d files in the folder", FOLDER_MAX_FILES);
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 64;
        char **items = realloc(l->items, cap * sizeof *items);
        if (!items)
            return mo_fail(err, MO_ENOMEM, "out of memory listing a folder");
        l->items = items;
        l->cap = cap;
    }
    if (!(l->items[l->n] = strdup(s)))
        return mo_fail(err, MO_ENOMEM, "out of memory listing a folder");
    l->n++;
    return MO_OK;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

void folder_list_sort(struct folder_list *l)
{
    if (l->n < 2)
        return;
    qsort(l->items, l->n, sizeof *l->items, cmp_str);
    size_t kept = 1;
    for (size_t i = 1; i < l->n; i++) {
        if (!strcmp(l->items[i], l->items[kept - 1]))
            free(l->items[i]);
        else
            l->items[kept++] = l->items[i];
    }
    l->n = kept;
}

int folder_is_xml_name(const char *name)
{
    size_t n = strlen(name);
    return n > 4 && !strcasecmp(name + n - 4, ".xml");
}

/* ---- Web Accessible Folders ---- */

static char *read_all(FILE *fp, size_t *len)
{
    size_t cap = 64 * 1024, n = 0;
    char *buf = malloc(cap + 1);
    if (!buf)
        return NULL;
    rewind(fp);
    for (size_t got; (got = fread(buf + n, 1, cap - n, fp)) > 0;) {
        n += got;
        if (n == cap) {
            if (cap >= (size_t)FOLDER_MAX_INDEX_BYTES) {
                free(buf);
                return NULL;
            }
            char *grown = realloc(buf, cap * 2 + 1);
            if (!grown) {
                free(buf);
                return NULL;
            }
            buf = grown;
            cap *= 2;
        }
    }
    buf[n] = '\0';
    *len = n;
    return buf;
}

/* Keeps one link: a file or a subfolder strictly under base. */
static mo_rc take_link(const char *href, const char *base, struct folder_list *files,
                       struct folder_list *dirs, struct mo_err *err)
{
    if (!href[0] || href[0] == '?' || href[0] == '#' || strchr(href, '?'))
        return MO_OK; /* sort links, anchors, queries */
    xmlChar *abs = xmlBuildURI((const xmlChar *)href, (const xmlChar *)base);
    if (!abs)
        return MO_OK;
    char *u = (char *)abs;
    char *hash = strchr(u, '#');
    if (hash)
        *hash = '\0';
    size_t blen = strlen(base), ulen = strlen(u);
    mo_rc rc = MO_OK;
    if (ulen > blen && ulen < FOLDER_MAX_URL && !strncmp(u, base, blen) &&
        !strstr(u + blen, "/../") && strncmp(u + blen, "../", 3) != 0) {
        if (u[ulen - 1] == '/')
            rc = list_push(dirs, u, err);
        else if (folder_is_xml_name(u))
            rc = list_push(files, u, err);
    }
    xmlFree(abs);
    return rc;
}

mo_rc folder_parse_index(FILE *body, const char *base_url, struct folder_list *files,
                         struct folder_list *dirs, struct mo_err *err)
{
    char base[FOLDER_MAX_URL + 2];
    size_t blen = strlen(base_url);
    if (blen == 0 || blen >= FOLDER_MAX_URL)
        return mo_fail(err, MO_EBADREQ, "bad folder URL \"%s\"", base_url);
    snprintf(base, sizeof base, "%s%s", base_url, base_url[blen - 1] == '/' ? "" : "/");

    size_t len = 0;
    char *html = read_all(body, &len);
    if (!html)
        return mo_fail(err, MO_ELIMIT, "\"%s\": listing larger than %ld bytes or out of memory",
                       base_url, FOLDER_MAX_INDEX_BYTES);
    const char *p = html;
    while (*p == ' ' || *p == '\n' || *p == '\r' || *p == '\t')
        p++;
    if (len == 0 || !strncmp(p, "<?xml", 5)) {
        free(html);
        return mo_fail(err, MO_EPARTNER, "\"%s\" is not a folder listing (%s)", base_url,
                       len == 0 ? "empty answer" : "an XML document, not an HTML index");
    }
    htmlDocPtr doc = htmlReadMemory(html, (int)len, base, NULL,
                                    HTML_PARSE_NONET | HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING);
    free(html);
    if (!doc)
        return mo_fail(err, MO_EPARTNER, "\"%s\" is not a folder listing (unreadable HTML)",
                       base_url);
    mo_rc rc = MO_OK;
    xmlXPathContext *ctx = xmlXPathNewContext(doc);
    xmlXPathObject *links = ctx ? xmlXPathEvalExpression((const xmlChar *)"//a/@href", ctx) : NULL;
    if (!links) {
        rc = mo_fail(err, MO_ENOMEM, "out of memory reading \"%s\"", base_url);
    } else if (links->nodesetval) {
        for (int i = 0; i < links->nodesetval->nodeNr && rc == MO_OK; i++) {
            xmlChar *href = xmlNodeGetContent(links->nodesetval->nodeTab[i]);
            if (href)
                rc = take_link((const char *)href, base, files, dirs, err);
            xmlFree(href);
        }
    }
    xmlXPathFreeObject(links);
    xmlXPathFreeContext(ctx);
    xmlFreeDoc(doc);
    return rc;
}

/* ---- local directories ---- */

static mo_rc list_dir_at(const char *dir, int depth, struct folder_list *files, struct mo_err *err)
{
    DIR *d = opendir(dir);
    if (!d)
        return mo_fail(err, errno == ENOENT ? MO_ENOTFOUND : MO_EIO, "could not read \"%s\": %s",
                       dir, strerror(errno));
    mo_rc rc = MO_OK;
    for (struct dirent *e; rc == MO_OK && (e = readdir(d));) {
        if (e->d_name[0] == '.')
            continue; /* ., .. and hidden files */
        char path[4096];
        if ((size_t)snprintf(path, sizeof path, "%s/%s", dir, e->d_name) >= sizeof path)
            continue;
        struct stat st;
        if (lstat(path, &st) != 0)
            continue;
        if (S_ISDIR(st.st_mode) && depth < FOLDER_MAX_DEPTH)
            rc = list_dir_at(path, depth + 1, files, err);
        else if (S_ISREG(st.st_mode) && folder_is_xml_name(e->d_name))
            rc = list_push(files, path, err);
    }
    closedir(d);
    return rc;
}

mo_rc folder_list_dir(const char *dir, struct folder_list *files, struct mo_err *err)
{
    struct stat st;
    if (stat(dir, &st) != 0)
        return mo_fail(err, errno == ENOENT ? MO_ENOTFOUND : MO_EIO, "could not read \"%s\": %s",
                       dir, strerror(errno));
    if (!S_ISDIR(st.st_mode))
        return mo_fail(err, MO_EBADREQ, "\"%s\" is not a directory", dir);
    mo_rc rc = list_dir_at(dir, 0, files, err);
    if (rc == MO_OK)
        folder_list_sort(files);
    return rc;
}
