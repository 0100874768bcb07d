/* moisson db status|start|stop — the embedded PostgreSQL cluster. */
#include "cli_internal.h"
#include "cluster.h"

#include <stdio.h>
#include <string.h>

static const char db_usage[] =
    "usage: moisson db status|start|stop\n"
    "\n"
    "Manages moisson's own PostgreSQL cluster in MOISSON_HOME (used when neither\n"
    "--db nor MOISSON_DB names a server).  'start' creates it on first use and\n"
    "applies the migrations; the data survives stops and machine restarts.\n";

static int db_status(struct cli *cli)
{
    struct cluster_status st;
    struct mo_err err = {0};
    if (cluster_status(cli->home, &st, &err) != MO_OK) {
        cli_error("%s", err.msg);
        return CLI_EXIT_FAIL;
    }
    printf("home:        %s\n", cli->home);
    printf("data:        %s\n", st.datadir);
    printf("initialised: %s\n", st.initialised ? "yes" : "no");
    if (st.running)
        printf("running:     yes (pid %ld)\nconninfo:    %s\n", st.pid, st.conninfo);
    else
        printf("running:     no\n");
    return st.running ? CLI_EXIT_OK : 3;
}

int cli_cmd_db(struct cli *cli, int argc, char **argv)
{
    struct mo_err err = {0};
    if (cli_wants_help(argc, argv)) {
        fputs(db_usage, stdout);
        return CLI_EXIT_OK;
    }
    if (argc != 2) {
        fputs(db_usage, stderr);
        return CLI_EXIT_USAGE;
    }
    const char *what = argv[1];
    if (!strcmp(what, "status"))
        return db_status(cli);
    if (!strcmp(what, "start")) {
        if (!cli_store(cli))
            return CLI_EXIT_FAIL;
        printf("cluster of %s running\n", cli->home);
        return CLI_EXIT_OK;
    }
    if (!strcmp(what, "stop")) {
        if (cluster_stop(cli->home, &err) != MO_OK) {
            cli_error("%s", err.msg);
            return CLI_EXIT_FAIL;
        }
        printf("cluster of %s stopped\n", cli->home);
        return CLI_EXIT_OK;
    }
    fputs(db_usage, stderr);
    return CLI_EXIT_USAGE;
}
