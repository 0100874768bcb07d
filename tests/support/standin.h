/*
 * standin.h — start and stop the partner stand-in (tests/standin/partner.py)
 * on a free loopback port, from C tests.
 */
#ifndef MOISSON_STANDIN_H
#define MOISSON_STANDIN_H

struct standin {
    int pid;
    int port;
    char base_url[128]; /* http://127.0.0.1:PORT */
    char dir[256];      /* private temp dir (port file, request log) */
};

/* Starts partner.py with the given arguments (NULL-terminated argv tail,
 * e.g. {"--records", dir, "--misbehave", "next-zero", NULL}); waits until it
 * listens.  Fails the calling cmocka test when it cannot start. */
void standin_start(struct standin *s, const char *const *args);

/* Changes the stand-in's behaviour at run time (POST /_control with the
 * given query string, e.g. "misbehave=drop:5"); fails the test on error. */
void standin_control(struct standin *s, const char *query);

/* Returns the stand-in's request log (JSON lines, newly allocated). */
char *standin_requests(struct standin *s);

/* Stops the stand-in (SIGTERM, then SIGKILL) and removes its dir. */
void standin_stop(struct standin *s);

#endif
