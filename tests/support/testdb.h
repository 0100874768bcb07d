/*
 * testdb.h — a fresh, migrated database in the test run's private cluster.
 *
 * The cluster itself is started by the CTest fixture (moisson db start with
 * MOISSON_HOME of the test run); each test creates its own database so tests
 * can run in parallel.
 */
#ifndef MOISSON_TESTDB_H
#define MOISSON_TESTDB_H

#include <stddef.h>

/* Drops and creates database "t_<name>", applies the migrations of
 * $MOISSON_SHARE/schemas, and writes its conninfo into out.  Fails the
 * calling cmocka test on error. */
void testdb_create(const char *name, char *out, size_t size);

/* Runs one SQL statement (no parameters) and returns the first column of the
 * first row as a newly allocated string (NULL when no row); fails the test on
 * error.  For assertions only. */
char *testdb_query_value(const char *conninfo, const char *sql);

/* A connection to conninfo with the server's notices silenced; fails the
 * test when it cannot connect.  PQfinish it. */
struct pg_conn *testdb_connect(const char *conninfo);

/* Runs sql (statements without parameters); fails the test on error,
 * quoting the start of sql. */
void testdb_exec(struct pg_conn *conn, const char *sql);

/* The content of a file of the source tree, by its path from the top
 * ($MOISSON_SOURCE_DIR), NUL-terminated; fails the test when unreadable.
 * Free it. */
char *testdb_read_source(const char *relpath);

/* Corpus directory ($MOISSON_CORPUS) or NULL when absent (the caller skips
 * with a message). */
const char *testdb_corpus_dir(void);

#endif
