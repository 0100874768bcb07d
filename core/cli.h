/*
 * cli.h — the moisson command line: parses the subcommand and its options,
 * runs it, prints its result.  The only module that prints to stdout.
 */
#ifndef MOISSON_CLI_H
#define MOISSON_CLI_H

/* Returns the process exit status: 0 success, 1 failure, 2 usage error. */
int cli_main(int argc, char **argv);

#endif
