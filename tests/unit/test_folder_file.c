/*
 * test_folder_file.c — one file of a local folder taken only when it
 * changed: its validator (times, size, inode), a file left unread while the
 * validator holds, read again after a change or when asked whole, and the
 * errors of a file that is gone or broken.  (Over HTTP the same module asks
 * with If-None-Match / If-Modified-Since: fetch_get_if is tested in
 * test_fetch.c, the whole WAF path in tests/integration/test_folders.sh.)
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "folder_file.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define RECORD "<?xml version=\"1.0\"?>\n<fiche><titre>Voirie</titre></fiche>\n"

static void write_file(const char *path, const char *text)
{
    FILE *fp = fopen(path, "w");
    assert_non_null(fp);
    assert_int_equal(fputs(text, fp) >= 0, 1);
    assert_int_equal(fclose(fp), 0);
}

/* Sets the file's modification time to t (seconds, nanoseconds 0). */
static void set_mtime(const char *path, time_t t)
{
    struct timespec ts[2] = {{t, 0}, {t, 0}};
    assert_int_equal(utimensat(AT_FDCWD, path, ts, 0), 0);
}

/* Loads ff from disk; returns whether it was read (1) or left unread (0). */
static int load(struct folder_file *ff, int whole)
{
    struct mo_err err = {0};
    if (folder_file_load(ff, NULL, whole, &err) != MO_OK)
        fail_msg("folder_file_load: %s", err.msg);
    assert_int_equal(ff->not_modified, ff->doc == NULL);
    return ff->doc != NULL;
}

/* Keeps what the last load said as the old validator. */
static void remember(struct folder_file *ff)
{
    assert_non_null(ff->etag);
    char *v = strdup(ff->etag);
    assert_non_null(v);
    assert_int_equal(folder_file_set_old(ff, v, NULL, "abc"), MO_OK);
    free(v);
    assert_string_equal(ff->old_hash, "abc");
}

/* Scratch directories are made in the test's working directory (its build
 * directory), relative paths, and removed at the end of each test. */
static void test_stat_validator(void **state)
{
    (void)state;
    char dir[] = "moisson-ffile-XXXXXX", path[256], v[FOLDER_STAT_VALIDATOR_MAX], w[80];
    assert_non_null(mkdtemp(dir));
    snprintf(path, sizeof path, "%s/f.xml", dir);
    write_file(path, RECORD);
    set_mtime(path, 1700000000);
    assert_int_equal(folder_file_stat_validator(path, v, sizeof v), 1);
    assert_int_equal(strncmp(v, "m1700000000.000000000-c", 23), 0);
    snprintf(w, sizeof w, "-s%zu-i", strlen(RECORD));
    assert_non_null(strstr(v, w));
    char again[FOLDER_STAT_VALIDATOR_MAX];
    assert_int_equal(folder_file_stat_validator(path, again, sizeof again), 1);
    assert_string_equal(v, again); /* nothing changed: the same */
    unlink(path);
    assert_int_equal(folder_file_stat_validator(path, v, sizeof v), 0);
    rmdir(dir);
}

static void test_unread_while_unchanged(void **state)
{
    (void)state;
    char dir[] = "moisson-ffile-XXXXXX", path[256];
    assert_non_null(mkdtemp(dir));
    snprintf(path, sizeof path, "%s/f.xml", dir);
    write_file(path, RECORD);
    struct folder_file ff = {.name = path};

    assert_int_equal(load(&ff, 0), 1); /* no old validator: read */
    assert_null(ff.last_modified);
    remember(&ff);
    assert_int_equal(load(&ff, 0), 0); /* the same: unread */
    assert_null(ff.etag);
    assert_int_equal(load(&ff, 1), 1); /* asked whole: read */
    assert_int_equal(load(&ff, 0), 0);

    /* the content changes (another size): read */
    write_file(path, RECORD "<!-- plus -->\n");
    assert_int_equal(load(&ff, 0), 1);
    remember(&ff);
    assert_int_equal(load(&ff, 0), 0);

    /* the same size, an old date put back (rsync -t): its change time tells */
    struct stat before;
    assert_int_equal(stat(path, &before), 0);
    sleep(1);
    write_file(path, RECORD "<!-- PLUS -->\n");
    struct timespec ts[2] = {before.st_atim, before.st_mtim};
    assert_int_equal(utimensat(AT_FDCWD, path, ts, 0), 0);
    assert_int_equal(load(&ff, 0), 1);

    folder_file_clear(&ff);
    assert_null(ff.name);
    folder_file_clear(&ff); /* twice is harmless */
    folder_file_clear(NULL);
    unlink(path);
    rmdir(dir);
}

static void test_errors(void **state)
{
    (void)state;
    char dir[] = "moisson-ffile-XXXXXX", path[256];
    struct mo_err err = {0};
    assert_non_null(mkdtemp(dir));
    snprintf(path, sizeof path, "%s/f.xml", dir);
    write_file(path, RECORD);
    struct folder_file ff = {.name = path};
    assert_int_equal(load(&ff, 0), 1);
    remember(&ff);

    /* broken: an error naming the file, nothing kept */
    write_file(path, "<fiche><titre>Voi");
    assert_int_not_equal(folder_file_load(&ff, NULL, 0, &err), MO_OK);
    assert_non_null(strstr(err.msg, path));
    assert_null(ff.doc);
    assert_null(ff.etag);
    assert_int_equal(ff.not_modified, 0);

    /* gone, though an old validator is kept */
    unlink(path);
    mo_err_clear(&err);
    assert_int_equal(folder_file_load(&ff, NULL, 0, &err), MO_EIO);
    char want[300];
    snprintf(want, sizeof want, "could not open \"%s\"", path);
    assert_string_equal(err.msg, want);
    assert_int_equal(ff.not_modified, 0);
    folder_file_clear(&ff);
    rmdir(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_stat_validator),
        cmocka_unit_test(test_unread_while_unchanged),
        cmocka_unit_test(test_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
