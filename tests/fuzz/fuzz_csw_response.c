/*
 * Fuzz target: a partner's answer as the harvester reads it — the streaming
 * GetRecords walk with every record copied and normalised, and the same bytes
 * read as capabilities.
 *
 * With -DMOISSON_FUZZ=ON (clang) this is a libFuzzer target; without, it is
 * a plain reproducer: fuzz_csw_response FILE|DIR... runs each file once.
 */
#include "csw_client.h"
#include "normalise.h"
#include "xmlsafe.h"

#include <libexslt/exslt.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static struct normaliser *norm;

static mo_rc on_record(void *ud, xmlNode *node, long index, struct mo_err *err)
{
    (void)ud;
    (void)index;
    xmlDoc *doc = csw_record_doc(node);
    if (!doc)
        return mo_fail(err, MO_ENOMEM, "out of memory");
    struct record rec = {0};
    struct mo_err rec_err = {0};
    if (record_set_original(&rec, doc, NORMALISE_VERSION) == MO_OK)
        (void)!normalise_record(norm, doc, &rec, &rec_err);
    record_clear(&rec);
    xmlFreeDoc(doc);
    return MO_OK;
}

static void setup(void)
{
    if (norm)
        return;
    xmlsafe_init();
    exsltRegisterAll();
    const char *share = getenv("MOISSON_SHARE");
    char xslt[4096];
    snprintf(xslt, sizeof xslt, "%s/xslt", share ? share : ".");
    struct mo_err err = {0};
    if (normalise_new(xslt, &norm, &err) != MO_OK) {
        fprintf(stderr, "fuzz_csw_response: %s (set MOISSON_SHARE)\n", err.msg);
        abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    setup();
    FILE *fp = tmpfile();
    if (!fp)
        return 0;
    fwrite(data, 1, size, fp);
    struct csw_page_info info;
    struct mo_err err = {0};
    (void)!csw_parse_records(fp, "fuzz", NULL, &info, on_record, NULL, &err);
    struct csw_endpoint ep;
    (void)!csw_parse_capabilities(fp, "http://fuzz.invalid/csw", &ep, &err);
    fclose(fp);
    return 0;
}

#ifndef MOISSON_LIBFUZZER
#include <dirent.h>
#include <sys/stat.h>

static int run_file(const char *path)
{
    FILE *fp = fopen(path, "rb");
    if (!fp) {
        perror(path);
        return 1;
    }
    fseek(fp, 0, SEEK_END);
    long n = ftell(fp);
    rewind(fp);
    uint8_t *buf = malloc(n > 0 ? (size_t)n : 1);
    size_t got = buf ? fread(buf, 1, (size_t)n, fp) : 0;
    fclose(fp);
    LLVMFuzzerTestOneInput(buf, got);
    free(buf);
    printf("%s: ok\n", path);
    return 0;
}

/* Each argument: a file, or a directory whose files are run. */
int main(int argc, char **argv)
{
    int status = 0;
    for (int i = 1; i < argc; i++) {
        struct stat st;
        DIR *d = stat(argv[i], &st) == 0 && S_ISDIR(st.st_mode) ? opendir(argv[i]) : NULL;
        if (!d) {
            status |= run_file(argv[i]);
            continue;
        }
        for (struct dirent *e; (e = readdir(d));) {
            char path[4096];
            snprintf(path, sizeof path, "%s/%s", argv[i], e->d_name);
            if (e->d_name[0] != '.' && stat(path, &st) == 0 && S_ISREG(st.st_mode))
                status |= run_file(path);
        }
        closedir(d);
    }
    normalise_free(norm);
    return status;
}
#endif
