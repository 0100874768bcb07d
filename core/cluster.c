/*
 * cluster.c — the embedded PostgreSQL cluster: find the binaries, initdb,
 * start and stop with pg_ctl, create the database.
 *
 * Commands run through fork + execv with argv arrays (no shell); as root they
 * run as CLUSTER_SYSTEM_USER.  Their output is captured (never printed on
 * stdout) and its last lines are quoted in the error message when they fail.
 * cluster_ensure holds an flock on HOME/.cluster.lock so concurrent callers
 * (parallel tests, several workers) do not initdb or start twice.
 */
#include "cluster.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <libpq-fe.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#define CLUSTER_PATH_MAX 1024
#define CLUSTER_OUTPUT_MAX 4096
#define CLUSTER_SOCKET_NAME ".s.PGSQL.5432"
#define CLUSTER_PG_LIB "/usr/lib/postgresql"

/* Who runs the PostgreSQL commands: ourselves, or the system user when root. */
struct cluster_ctx {
    char home[CLUSTER_PATH_MAX - 16];
    char bindir[CLUSTER_PATH_MAX];
    char datadir[CLUSTER_PATH_MAX - 8];
    char rundir[CLUSTER_PATH_MAX - 8];
    char logdir[CLUSTER_PATH_MAX - 8];
    int as_user; /* 1: drop to uid/gid below */
    uid_t uid;
    gid_t gid;
    char user[64];
};

static mo_rc cluster_ctx_init(const char *home, struct cluster_ctx *c, struct mo_err *err)
{
    memset(c, 0, sizeof *c);
    if (!home || home[0] != '/')
        return mo_fail(err, MO_EBADREQ, "moisson home \"%s\" is not an absolute path",
                       home ? home : "");
    if (strchr(home, '\'') || strchr(home, '\\') || strchr(home, '\n'))
        return mo_fail(err, MO_EBADREQ,
                       "moisson home \"%s\" contains a quote, backslash or "
                       "newline",
                       home);
    size_t len = strlen(home);
    while (len > 1 && home[len - 1] == '/')
        len--;
    if (len + 32 >= sizeof c->home)
        return mo_fail(err, MO_ELIMIT, "moisson home \"%s\" is too long", home);
    memcpy(c->home, home, len);
    c->home[len] = '\0';
    snprintf(c->datadir, sizeof c->datadir, "%s/pg", c->home);
    snprintf(c->rundir, sizeof c->rundir, "%s/run", c->home);
    snprintf(c->logdir, sizeof c->logdir, "%s/log", c->home);
    if (strlen(c->rundir) + 1 + strlen(CLUSTER_SOCKET_NAME) >
        sizeof(((struct sockaddr_un *)0)->sun_path) - 1)
        return mo_fail(err, MO_ELIMIT,
                       "socket path \"%s/%s\" is longer than 107 bytes: "
                       "choose a shorter MOISSON_HOME",
                       c->rundir, CLUSTER_SOCKET_NAME);
    if (geteuid() == 0) {
        struct passwd *pw = getpwnam(CLUSTER_SYSTEM_USER);
        if (!pw)
            return mo_fail(err, MO_EIO,
                           "running as root needs the system user \"%s\" to own "
                           "the cluster, and there is none",
                           CLUSTER_SYSTEM_USER);
        c->as_user = 1;
        c->uid = pw->pw_uid;
        c->gid = pw->pw_gid;
        snprintf(c->user, sizeof c->user, "%s", pw->pw_name);
    }
    return MO_OK;
}

static int cluster_file_exists(const char *dir, const char *name)
{
    char path[CLUSTER_PATH_MAX + 64];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    return access(path, F_OK) == 0;
}

/* ---- running commands ---- */

static void cluster_child(const struct cluster_ctx *c, int out_fd, char *const argv[])
{
    int null_fd = open("/dev/null", O_RDONLY);
    if (null_fd >= 0) {
        dup2(null_fd, STDIN_FILENO);
        close(null_fd);
    }
    dup2(out_fd, STDOUT_FILENO);
    dup2(out_fd, STDERR_FILENO);
    close(out_fd);
    if (c->as_user) {
        if (setgid(c->gid) != 0 || initgroups(c->user, c->gid) != 0 || setuid(c->uid) != 0) {
            dprintf(STDERR_FILENO, "could not switch to user \"%s\": %s\n", c->user,
                    strerror(errno));
            _exit(126);
        }
    }
    if (chdir(c->home) != 0 && chdir("/") != 0)
        _exit(126);
    execv(argv[0], argv);
    dprintf(STDERR_FILENO, "could not run \"%s\": %s\n", argv[0], strerror(errno));
    _exit(127);
}

/* Keeps the last lines of out (at most CLUSTER_OUTPUT_MAX bytes), on one line. */
static void cluster_tail(const char *out, size_t len, char *tail, size_t size)
{
    size_t start = len > 400 ? len - 400 : 0;
    size_t j = 0;
    for (size_t i = start; i < len && j + 1 < size; i++)
        tail[j++] = (out[i] == '\n' || out[i] == '\r') ? ' ' : out[i];
    while (j > 0 && tail[j - 1] == ' ')
        j--;
    tail[j] = '\0';
}

/* Runs argv (argv[0] an absolute path); *status receives the exit status
 * (-1 when killed).  The combined output goes into out (size, NUL-ended). */
static mo_rc cluster_exec(const struct cluster_ctx *c, char *const argv[], int *status, char *out,
                          size_t size, struct mo_err *err)
{
    int fds[2];
    if (pipe2(fds, O_CLOEXEC) != 0)
        return mo_fail(err, MO_EIO, "could not create a pipe: %s", strerror(errno));
    fflush(NULL);
    pid_t pid = fork();
    if (pid < 0) {
        close(fds[0]);
        close(fds[1]);
        return mo_fail(err, MO_EIO, "could not fork to run \"%s\": %s", argv[0], strerror(errno));
    }
    if (pid == 0) {
        close(fds[0]);
        cluster_child(c, fds[1], argv);
    }
    close(fds[1]);
    size_t len = 0;
    char chunk[1024];
    for (;;) {
        ssize_t got = read(fds[0], chunk, sizeof chunk);
        if (got < 0 && errno == EINTR)
            continue;
        if (got <= 0)
            break;
        for (ssize_t i = 0; i < got; i++) {
            if (len + 1 >= size) { /* keep the end: drop the older half */
                memmove(out, out + size / 2, len - size / 2);
                len -= size / 2;
            }
            out[len++] = chunk[i];
        }
    }
    out[len] = '\0';
    close(fds[0]);
    int ws = 0;
    while (waitpid(pid, &ws, 0) < 0) {
        if (errno != EINTR)
            return mo_fail(err, MO_EIO, "could not wait for \"%s\": %s", argv[0], strerror(errno));
    }
    *status = WIFEXITED(ws) ? WEXITSTATUS(ws) : -1;
    return MO_OK;
}

/* Runs argv and fails with the tail of its output unless it exits 0. */
static mo_rc cluster_run(const struct cluster_ctx *c, char *const argv[], const char *what,
                         struct mo_err *err)
{
    char out[CLUSTER_OUTPUT_MAX];
    char tail[512];
    int status = 0;
    mo_rc rc = cluster_exec(c, argv, &status, out, sizeof out, err);
    if (rc != MO_OK)
        return rc;
    if (status != 0) {
        cluster_tail(out, strlen(out), tail, sizeof tail);
        return mo_fail(err, MO_EIO, "could not %s (\"%s\" exited with %d): %s", what, argv[0],
                       status, tail);
    }
    return MO_OK;
}

/* ---- binaries ---- */

static int cluster_bindir_ok(const char *dir)
{
    char path[CLUSTER_PATH_MAX + 16];
    snprintf(path, sizeof path, "%s/initdb", dir);
    if (access(path, X_OK) != 0)
        return 0;
    snprintf(path, sizeof path, "%s/pg_ctl", dir);
    return access(path, X_OK) == 0;
}

static int cluster_bindir_from_pg_config(struct cluster_ctx *c)
{
    static const char *const candidates[] = {"/usr/bin/pg_config", "/usr/local/bin/pg_config"};
    struct cluster_ctx self = *c;
    self.as_user = 0; /* pg_config reads nothing private */
    for (size_t i = 0; i < sizeof candidates / sizeof *candidates; i++) {
        char out[CLUSTER_PATH_MAX];
        int status = 0;
        char *argv[] = {(char *)candidates[i], (char *)"--bindir", NULL};
        if (access(candidates[i], X_OK) != 0)
            continue;
        if (cluster_exec(&self, argv, &status, out, sizeof out, NULL) != MO_OK || status != 0)
            continue;
        out[strcspn(out, "\r\n")] = '\0';
        if (out[0] == '/' && cluster_bindir_ok(out)) {
            snprintf(c->bindir, sizeof c->bindir, "%s", out);
            return 1;
        }
    }
    return 0;
}

static int cluster_bindir_newest(struct cluster_ctx *c)
{
    DIR *d = opendir(CLUSTER_PG_LIB);
    long best = -1;
    if (!d)
        return 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        char *end = NULL;
        long v = strtol(e->d_name, &end, 10);
        char dir[CLUSTER_PATH_MAX];
        if (end == e->d_name || *end != '\0' || v <= best)
            continue;
        snprintf(dir, sizeof dir, "%s/%s/bin", CLUSTER_PG_LIB, e->d_name);
        if (cluster_bindir_ok(dir)) {
            best = v;
            snprintf(c->bindir, sizeof c->bindir, "%s", dir);
        }
    }
    closedir(d);
    return best >= 0;
}

static mo_rc cluster_find_bindir(struct cluster_ctx *c, struct mo_err *err)
{
    if (cluster_bindir_from_pg_config(c) || cluster_bindir_newest(c))
        return MO_OK;
    return mo_fail(err, MO_ENOTFOUND,
                   "no PostgreSQL server binaries found (pg_config --bindir, "
                   "%s/*/bin): install postgresql or set --db",
                   CLUSTER_PG_LIB);
}

/* ---- status ---- */

static void cluster_conninfo(const struct cluster_ctx *c, const char *db, char *out, size_t size)
{
    snprintf(out, size, "host=%s dbname=%s user=%s", c->rundir, db, CLUSTER_DB_NAME);
}

static long cluster_read_pid(const struct cluster_ctx *c)
{
    char path[CLUSTER_PATH_MAX + 32];
    long pid = 0;
    snprintf(path, sizeof path, "%s/postmaster.pid", c->datadir);
    FILE *f = fopen(path, "r");
    if (!f)
        return 0;
    if (fscanf(f, "%ld", &pid) != 1)
        pid = 0;
    fclose(f);
    return pid;
}

/* A server answers on the socket (it may still be starting). */
static int cluster_answers(const struct cluster_ctx *c)
{
    char conninfo[CLUSTER_PATH_MAX + 128];
    snprintf(conninfo, sizeof conninfo, "host=%s dbname=postgres user=%s connect_timeout=5",
             c->rundir, CLUSTER_DB_NAME);
    PGPing p = PQping(conninfo);
    return p == PQPING_OK || p == PQPING_REJECT;
}

static void cluster_fill_status(const struct cluster_ctx *c, struct cluster_status *st)
{
    memset(st, 0, sizeof *st);
    st->initialised = cluster_file_exists(c->datadir, "PG_VERSION");
    st->running = st->initialised && cluster_answers(c);
    st->pid = st->running ? cluster_read_pid(c) : 0;
    cluster_conninfo(c, CLUSTER_DB_NAME, st->conninfo, sizeof st->conninfo);
    snprintf(st->datadir, sizeof st->datadir, "%s", c->datadir);
}

mo_rc cluster_status(const char *home, struct cluster_status *st, struct mo_err *err)
{
    struct cluster_ctx c;
    mo_rc rc = cluster_ctx_init(home, &c, err);
    if (rc != MO_OK)
        return rc;
    cluster_fill_status(&c, st);
    return MO_OK;
}

/* ---- ensure ---- */

static mo_rc cluster_mkdir(const struct cluster_ctx *c, const char *dir, mode_t mode, int give,
                           struct mo_err *err)
{
    char path[CLUSTER_PATH_MAX + 8];
    snprintf(path, sizeof path, "%s", dir);
    for (char *p = path + 1;; p++) {
        if (*p != '/' && *p != '\0')
            continue;
        char saved = *p;
        *p = '\0';
        if (mkdir(path, saved ? 0755 : mode) != 0 && errno != EEXIST)
            return mo_fail(err, MO_EIO, "could not create directory \"%s\": %s", path,
                           strerror(errno));
        *p = saved;
        if (!saved)
            break;
    }
    if (give && c->as_user) {
        if (chown(path, c->uid, c->gid) != 0)
            return mo_fail(err, MO_EIO, "could not give directory \"%s\" to \"%s\": %s", path,
                           c->user, strerror(errno));
    }
    if (give && chmod(path, mode) != 0)
        return mo_fail(err, MO_EIO, "could not set the mode of \"%s\": %s", path, strerror(errno));
    return MO_OK;
}

static mo_rc cluster_make_dirs(const struct cluster_ctx *c, struct mo_err *err)
{
    mo_rc rc = cluster_mkdir(c, c->home, 0755, 0, err);
    if (rc == MO_OK)
        rc =
            cluster_mkdir(c, c->datadir, 0700, !cluster_file_exists(c->datadir, "PG_VERSION"), err);
    if (rc == MO_OK)
        rc = cluster_mkdir(c, c->rundir, 0700, 1, err);
    if (rc == MO_OK)
        rc = cluster_mkdir(c, c->logdir, 0700, 1, err);
    return rc;
}

/* PostgreSQL's buffer cache for this machine: a sixteenth of its memory,
 * from 128 MB (PostgreSQL's default) to 1 GB.  With 128 MB, serving 100,000
 * records (900 MB of table and TOAST) read nearly every page through the
 * kernel; a sixteenth leaves the rest to the harvester, the server and the
 * kernel's own cache. */
static long cluster_shared_buffers_mb(void)
{
    long pages = sysconf(_SC_PHYS_PAGES), page = sysconf(_SC_PAGESIZE);
    long mb = pages > 0 && page > 0 ? (long)((double)pages * (double)page / 16.0 / 1048576.0) : 0;
    if (mb < 128)
        return 128;
    return mb > 1024 ? 1024 : mb;
}

static mo_rc cluster_write_settings(const struct cluster_ctx *c, struct mo_err *err)
{
    char path[CLUSTER_PATH_MAX + 32];
    snprintf(path, sizeof path, "%s/postgresql.conf", c->datadir);
    FILE *f = fopen(path, "a");
    if (!f)
        return mo_fail(err, MO_EIO, "could not open \"%s\": %s", path, strerror(errno));
    fprintf(f,
            "\n# ---- moisson: private cluster, unix socket only ----\n"
            "listen_addresses = ''\n"
            "unix_socket_directories = '%s'\n"
            "unix_socket_permissions = 0700\n"
            "shared_buffers = %ldMB\n"
            "max_connections = 100\n"
            "work_mem = 16MB\n"
            "maintenance_work_mem = 128MB\n"
            "wal_level = replica\n"
            "max_wal_size = 4GB\n"
            "checkpoint_timeout = 15min\n"
            "log_min_messages = warning\n"
            "log_line_prefix = '%%m [%%p] '\n"
            "timezone = 'UTC'\n"
            "log_timezone = 'UTC'\n",
            c->rundir, cluster_shared_buffers_mb());
    if (fclose(f) != 0)
        return mo_fail(err, MO_EIO, "could not write \"%s\": %s", path, strerror(errno));
    return MO_OK;
}

static mo_rc cluster_initdb(const struct cluster_ctx *c, struct mo_err *err)
{
    char initdb[CLUSTER_PATH_MAX + 16];
    snprintf(initdb, sizeof initdb, "%s/initdb", c->bindir);
    char *argv[] = {initdb,
                    (char *)"-D",
                    (char *)c->datadir,
                    (char *)"-U",
                    (char *)CLUSTER_DB_NAME,
                    (char *)"--auth=trust",
                    (char *)"-E",
                    (char *)"UTF8",
                    (char *)"--locale=C.UTF-8",
                    (char *)"--no-instructions",
                    NULL};
    mo_rc rc = cluster_run(c, argv, "initialise the cluster", err);
    if (rc != MO_OK)
        return rc;
    return cluster_write_settings(c, err);
}

/* A postmaster.pid left by a machine restart names a pid that is now dead or
 * some other program: remove it (and the socket lock) so the start is not
 * refused.  A live postgres process keeps its files. */
static void cluster_clear_stale_pid(const struct cluster_ctx *c)
{
    long pid = cluster_read_pid(c);
    char path[CLUSTER_PATH_MAX + 64];
    char comm[64] = "";
    if (pid <= 0)
        return;
    snprintf(path, sizeof path, "/proc/%ld/comm", pid);
    FILE *f = fopen(path, "r");
    if (f) {
        if (!fgets(comm, sizeof comm, f))
            comm[0] = '\0';
        fclose(f);
        comm[strcspn(comm, "\n")] = '\0';
    }
    int alive = kill((pid_t)pid, 0) == 0 || errno == EPERM;
    if (alive && (strcmp(comm, "postgres") == 0 || strcmp(comm, "postmaster") == 0))
        return;
    snprintf(path, sizeof path, "%s/postmaster.pid", c->datadir);
    unlink(path);
    snprintf(path, sizeof path, "%s/%s.lock", c->rundir, CLUSTER_SOCKET_NAME);
    unlink(path);
}

static mo_rc cluster_start(const struct cluster_ctx *c, struct mo_err *err)
{
    char pg_ctl[CLUSTER_PATH_MAX + 16];
    char logfile[CLUSTER_PATH_MAX + 32];
    char timeout[16];
    snprintf(pg_ctl, sizeof pg_ctl, "%s/pg_ctl", c->bindir);
    snprintf(logfile, sizeof logfile, "%s/postgresql.log", c->logdir);
    snprintf(timeout, sizeof timeout, "%d", CLUSTER_START_TIMEOUT_S);
    cluster_clear_stale_pid(c);
    char *argv[] = {pg_ctl,          (char *)"-D", (char *)c->datadir, (char *)"-l",
                    logfile,         (char *)"-w", (char *)"-t",       timeout,
                    (char *)"start", NULL};
    mo_rc rc = cluster_run(c, argv, "start the cluster", err);
    if (rc != MO_OK)
        return mo_err_prefix(err, "see \"%s\"", logfile);
    return MO_OK;
}

static mo_rc cluster_create_db(const struct cluster_ctx *c, struct mo_err *err)
{
    char conninfo[CLUSTER_PATH_MAX + 128];
    const char *params[] = {CLUSTER_DB_NAME};
    PGresult *res = NULL;
    mo_rc rc = MO_OK;
    cluster_conninfo(c, "postgres", conninfo, sizeof conninfo);
    PGconn *conn = PQconnectdb(conninfo);
    if (PQstatus(conn) != CONNECTION_OK) {
        rc = mo_fail(err, MO_EDB, "could not connect to the cluster of \"%s\": %s", c->home,
                     PQerrorMessage(conn));
        goto out;
    }
    res = PQexecParams(conn, "SELECT 1 FROM pg_database WHERE datname = $1", 1, NULL, params, NULL,
                       NULL, 0);
    if (PQresultStatus(res) != PGRES_TUPLES_OK) {
        rc = mo_fail(err, MO_EDB, "could not list databases: %s", PQerrorMessage(conn));
        goto out;
    }
    if (PQntuples(res) == 0) {
        PQclear(res);
        res = PQexec(conn, "CREATE DATABASE " CLUSTER_DB_NAME);
        const char *state = PQresultErrorField(res, PG_DIAG_SQLSTATE);
        if (PQresultStatus(res) != PGRES_COMMAND_OK && !(state && !strcmp(state, "42P04")))
            rc = mo_fail(err, MO_EDB, "could not create database \"%s\": %s", CLUSTER_DB_NAME,
                         PQerrorMessage(conn));
    }
out:
    PQclear(res);
    PQfinish(conn);
    if (rc != MO_OK) {
        size_t n = strlen(err ? err->msg : "");
        while (err && n > 0 && err->msg[n - 1] == '\n')
            err->msg[--n] = '\0';
    }
    return rc;
}

static int cluster_lock(const struct cluster_ctx *c)
{
    char path[CLUSTER_PATH_MAX + 32];
    snprintf(path, sizeof path, "%s/.cluster.lock", c->home);
    int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0)
        return -1;
    while (flock(fd, LOCK_EX) != 0) {
        if (errno != EINTR) {
            close(fd);
            return -1;
        }
    }
    return fd;
}

mo_rc cluster_ensure(const char *home, char *conninfo, size_t size, struct mo_err *err)
{
    struct cluster_ctx c;
    struct cluster_status st;
    int lock_fd = -1;
    mo_rc rc = cluster_ctx_init(home, &c, err);
    if (rc == MO_OK)
        rc = cluster_make_dirs(&c, err);
    if (rc != MO_OK)
        goto out;
    lock_fd = cluster_lock(&c);
    if (lock_fd < 0) {
        rc = mo_fail(err, MO_EIO, "could not lock \"%s/.cluster.lock\": %s", c.home,
                     strerror(errno));
        goto out;
    }
    cluster_fill_status(&c, &st);
    if (!st.running)
        rc = cluster_find_bindir(&c, err);
    if (rc == MO_OK && !st.initialised)
        rc = cluster_initdb(&c, err);
    if (rc == MO_OK && !st.running)
        rc = cluster_start(&c, err);
    if (rc == MO_OK)
        rc = cluster_create_db(&c, err);
    if (rc == MO_OK)
        cluster_conninfo(&c, CLUSTER_DB_NAME, conninfo, size);
out:
    if (lock_fd >= 0)
        close(lock_fd);
    return rc;
}

mo_rc cluster_stop(const char *home, struct mo_err *err)
{
    struct cluster_ctx c;
    char pg_ctl[CLUSTER_PATH_MAX + 16];
    char timeout[16];
    mo_rc rc = cluster_ctx_init(home, &c, err);
    if (rc != MO_OK)
        return rc;
    /* Nothing answers: stopped, or a stale postmaster.pid whose pid must not
     * be signalled (it may belong to another program after a restart). */
    if (!cluster_file_exists(c.datadir, "PG_VERSION") || !cluster_answers(&c))
        return MO_OK;
    rc = cluster_find_bindir(&c, err);
    if (rc != MO_OK)
        return rc;
    snprintf(pg_ctl, sizeof pg_ctl, "%s/pg_ctl", c.bindir);
    snprintf(timeout, sizeof timeout, "%d", CLUSTER_START_TIMEOUT_S);
    char *argv[] = {pg_ctl,       (char *)"-D", c.datadir, (char *)"-m",   (char *)"fast",
                    (char *)"-w", (char *)"-t", timeout,   (char *)"stop", NULL};
    char out[CLUSTER_OUTPUT_MAX];
    char tail[512];
    int status = 0;
    rc = cluster_exec(&c, argv, &status, out, sizeof out, err);
    if (rc != MO_OK || status == 0)
        return rc;
    /* exit 1 with "not running" / stale pid file: already stopped */
    if (strstr(out, "not running") || strstr(out, "Is server running?"))
        return MO_OK;
    cluster_tail(out, strlen(out), tail, sizeof tail);
    return mo_fail(err, MO_EIO, "could not stop the cluster of \"%s\": %s", c.home, tail);
}
