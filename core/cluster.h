/*
 * cluster.h — moisson's own private PostgreSQL cluster (the embedded default).
 *
 * Lives in HOME/pg (data) with its unix socket in HOME/run (no TCP port).
 * initdb and pg_ctl come from the system PostgreSQL (pg_config --bindir, else
 * the newest /usr/lib/postgresql/N/bin).  When moisson runs as root, which
 * PostgreSQL refuses, the cluster is owned and run by an unprivileged system
 * user (CLUSTER_SYSTEM_USER, Debian's "postgres") and the commands run as that
 * user; the home directory must be reachable by it.  The cluster has one
 * database, "moisson", owned by the superuser role "moisson"; only the unix
 * socket is open, with permissions 0700.
 */
#ifndef MOISSON_CLUSTER_H
#define MOISSON_CLUSTER_H

#include "result.h"

#define CLUSTER_SYSTEM_USER "postgres"
#define CLUSTER_DB_NAME "moisson"
#define CLUSTER_START_TIMEOUT_S 60

struct cluster_status {
    int initialised; /* HOME/pg holds a data directory */
    int running;
    long pid;        /* postmaster pid when running */
    char conninfo[1024];
    char datadir[1024];
};

/* Reports on the cluster of home without changing anything. */
mo_rc cluster_status(const char *home, struct cluster_status *st,
                     struct mo_err *err) MO_MUST_CHECK;

/* initdb when needed, start when stopped, create the database when missing;
 * writes the libpq conninfo (host=<socket dir> dbname=moisson user=moisson)
 * into conninfo (size bytes).  Safe to call when already running. */
mo_rc cluster_ensure(const char *home, char *conninfo, size_t size,
                     struct mo_err *err) MO_MUST_CHECK;

/* Stops a running cluster (fast shutdown); a stopped one is MO_OK. */
mo_rc cluster_stop(const char *home, struct mo_err *err) MO_MUST_CHECK;

#endif
