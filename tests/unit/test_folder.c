/*
 * test_folder.c — folder listings: what an autoindex page yields (a table of
 * links as Apache, nginx and Python write them), what a local directory
 * yields (subfolders, symbolic links, other files), and the refusals.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "folder.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define BASE "http://partenaire.example.fr/metadonnees/"

struct link_case {
    const char *href;
    const char *file; /* expected in files, or NULL */
    const char *dir;  /* expected in dirs, or NULL */
};

static const struct link_case links[] = {
    {"plu.xml", BASE "plu.xml", NULL},
    {"PLU-2.XML", BASE "PLU-2.XML", NULL},
    {"./cadastre.xml", BASE "cadastre.xml", NULL},
    {"/metadonnees/voirie.xml", BASE "voirie.xml", NULL},
    {BASE "absolu.xml", BASE "absolu.xml", NULL},
    {"sous%20dossier/", NULL, BASE "sous%20dossier/"},
    {"archives/", NULL, BASE "archives/"},
    {"fiche.xml#haut", BASE "fiche.xml", NULL},
    {"../", NULL, NULL},                                       /* parent */
    {"../autre.xml", NULL, NULL},                              /* beside the folder */
    {"/ailleurs/x.xml", NULL, NULL},                           /* elsewhere on the host */
    {"http://autre.example.fr/metadonnees/x.xml", NULL, NULL}, /* another host */
    {"?C=N;O=D", NULL, NULL},                                  /* Apache sort links */
    {"plu.xml?download=1", NULL, NULL},
    {"lisezmoi.txt", NULL, NULL},
    {"mailto:sig@example.fr", NULL, NULL},
    {"javascript:alert(1)", NULL, NULL},
    {"", NULL, NULL},
};

static int has(const struct folder_list *l, const char *s)
{
    for (size_t i = 0; i < l->n; i++)
        if (!strcmp(l->items[i], s))
            return 1;
    return 0;
}

static void test_index_links(void **state)
{
    (void)state;
    char html[8192] = "<html><head><title>Index of /metadonnees</title></head><body><pre>";
    for (size_t i = 0; i < sizeof links / sizeof *links; i++) {
        char a[512];
        snprintf(a, sizeof a, "<a href=\"%s\">x</a>\n", links[i].href);
        strcat(html, a);
    }
    strcat(html, "</pre></body></html>");
    FILE *fp = fmemopen(html, strlen(html), "rb");
    struct folder_list files = {0}, dirs = {0};
    struct mo_err err = {0};
    assert_int_equal(folder_parse_index(fp, BASE, &files, &dirs, &err), MO_OK);
    fclose(fp);
    size_t want_files = 0, want_dirs = 0;
    for (size_t i = 0; i < sizeof links / sizeof *links; i++) {
        if (links[i].file && !has(&files, links[i].file))
            fail_msg("href \"%s\": file %s missing", links[i].href, links[i].file);
        if (links[i].dir && !has(&dirs, links[i].dir))
            fail_msg("href \"%s\": folder %s missing", links[i].href, links[i].dir);
        want_files += links[i].file != NULL;
        want_dirs += links[i].dir != NULL;
    }
    assert_int_equal(files.n, want_files);
    assert_int_equal(dirs.n, want_dirs);
    folder_list_free(&files);
    folder_list_free(&dirs);
}

/* A folder URL without its final slash is the same folder. */
static void test_base_without_slash(void **state)
{
    (void)state;
    static const char html[] = "<a href=\"plu.xml\">plu</a>";
    FILE *fp = fmemopen((void *)html, sizeof html - 1, "rb");
    struct folder_list files = {0}, dirs = {0};
    struct mo_err err = {0};
    assert_int_equal(folder_parse_index(fp, "http://h.example/metadonnees", &files, &dirs, &err),
                     MO_OK);
    fclose(fp);
    assert_int_equal(files.n, 1);
    folder_list_free(&files);
    folder_list_free(&dirs);
}

static void test_not_a_listing(void **state)
{
    (void)state;
    static const char *const bodies[] = {"", "<?xml version=\"1.0\"?><gmd:MD_Metadata/>"};
    for (size_t i = 0; i < 2; i++) {
        FILE *fp = fmemopen((void *)(bodies[i][0] ? bodies[i] : " "),
                            bodies[i][0] ? strlen(bodies[i]) : 0, "rb");
        if (!fp) /* fmemopen refuses a size of 0 on some libcs */
            fp = tmpfile();
        struct folder_list files = {0}, dirs = {0};
        struct mo_err err = {0};
        assert_int_equal(folder_parse_index(fp, BASE, &files, &dirs, &err), MO_EPARTNER);
        assert_non_null(strstr(err.msg, "is not a folder listing"));
        fclose(fp);
        folder_list_free(&files);
        folder_list_free(&dirs);
    }
}

static void touch(const char *dir, const char *name)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs("<x/>", f);
    fclose(f);
}

static void test_local_directory(void **state)
{
    (void)state;
    char dir[] = "/tmp/moisson-folder-XXXXXX", sub[512], link[512], hidden[512];
    assert_non_null(mkdtemp(dir));
    snprintf(sub, sizeof sub, "%s/sous", dir);
    snprintf(hidden, sizeof hidden, "%s/.cache", dir);
    assert_int_equal(mkdir(sub, 0700), 0);
    assert_int_equal(mkdir(hidden, 0700), 0);
    touch(dir, "b.xml");
    touch(dir, "a.XML");
    touch(dir, "notes.txt");
    touch(sub, "c.xml");
    touch(hidden, "d.xml");
    snprintf(link, sizeof link, "%s/boucle", sub);
    assert_int_equal(symlink(dir, link), 0); /* a loop: not followed */

    struct folder_list files = {0};
    struct mo_err err = {0};
    assert_int_equal(folder_list_dir(dir, &files, &err), MO_OK);
    assert_int_equal(files.n, 3);
    char want[512];
    snprintf(want, sizeof want, "%s/a.XML", dir);
    assert_string_equal(files.items[0], want); /* sorted */
    snprintf(want, sizeof want, "%s/sous/c.xml", dir);
    assert_true(has(&files, want));
    folder_list_free(&files);

    assert_int_equal(folder_list_dir("/nonexistent/moisson", &files, &err), MO_ENOTFOUND);
    char file[600];
    snprintf(file, sizeof file, "%s/b.xml", dir);
    assert_int_equal(folder_list_dir(file, &files, &err), MO_EBADREQ);

    char cmd[700];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    assert_int_equal(system(cmd), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_index_links),
        cmocka_unit_test(test_base_without_slash),
        cmocka_unit_test(test_not_a_listing),
        cmocka_unit_test(test_local_directory),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
