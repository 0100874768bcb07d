#include "paths.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static mo_rc copy_path(char *out, size_t size, const char *what, const char *value,
                       struct mo_err *err)
{
    int n = snprintf(out, size, "%s", value);
    if (n < 0 || (size_t)n >= size)
        return mo_fail(err, MO_ELIMIT, "%s path is too long: \"%s\"", what, value);
    return MO_OK;
}

mo_rc paths_home(char *out, size_t size, struct mo_err *err)
{
    const char *env = getenv("MOISSON_HOME");
    if (env && *env)
        return copy_path(out, size, "MOISSON_HOME", env, err);
    if (geteuid() == 0)
        return copy_path(out, size, "home", "/var/lib/moisson", err);
    char tmp[PATHS_MAX];
    const char *xdg = getenv("XDG_DATA_HOME");
    const char *home = getenv("HOME");
    if (xdg && *xdg)
        snprintf(tmp, sizeof tmp, "%s/moisson", xdg);
    else if (home && *home)
        snprintf(tmp, sizeof tmp, "%s/.local/share/moisson", home);
    else
        return mo_fail(err, MO_EBADREQ, "cannot tell moisson's home: set MOISSON_HOME");
    return copy_path(out, size, "home", tmp, err);
}

static int is_share_dir(const char *dir)
{
    char probe[PATHS_MAX + 64];
    struct stat st;
    snprintf(probe, sizeof probe, "%s/xslt/iso19139-to-unified.xsl", dir);
    return stat(probe, &st) == 0;
}

mo_rc paths_share(char *out, size_t size, struct mo_err *err)
{
    const char *env = getenv("MOISSON_SHARE");
    if (env && *env)
        return copy_path(out, size, "MOISSON_SHARE", env, err);

    char exe[PATHS_MAX];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n <= 0)
        return mo_fail(err, MO_EIO, "cannot find the moisson binary: set MOISSON_SHARE");
    exe[n] = '\0';
    char *slash = strrchr(exe, '/');
    if (slash)
        *slash = '\0';

    char candidate[PATHS_MAX + 64];
    static const char *const rel[] = {"..", "../share/moisson", "."};
    for (size_t i = 0; i < sizeof rel / sizeof rel[0]; i++) {
        snprintf(candidate, sizeof candidate, "%s/%s", exe, rel[i]);
        char real[PATH_MAX];
        if (realpath(candidate, real) && is_share_dir(real))
            return copy_path(out, size, "share", real, err);
    }
    return mo_fail(err, MO_ENOTFOUND,
                   "cannot find moisson's stylesheets near \"%s\": set MOISSON_SHARE", exe);
}

mo_rc paths_mkdirs(const char *dir, unsigned mode, struct mo_err *err)
{
    char tmp[PATHS_MAX];
    mo_rc rc = copy_path(tmp, sizeof tmp, "directory", dir, err);
    if (rc != MO_OK)
        return rc;
    for (char *p = tmp + 1;; p++) {
        if (*p != '/' && *p != '\0')
            continue;
        char saved = *p;
        *p = '\0';
        if (mkdir(tmp, (mode_t)mode) != 0 && errno != EEXIST)
            return mo_fail(err, MO_EIO, "could not create directory \"%s\": %s", tmp,
                           strerror(errno));
        *p = saved;
        if (saved == '\0')
            break;
    }
    return MO_OK;
}
