/*
 * standin.c — start and stop the partner stand-in (tests/standin/partner.py)
 * from cmocka tests: fork + execv of Debian's Python on a free loopback port,
 * control and request log over HTTP with plain libcurl.
 */
#include "standin.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#define STANDIN_MAX_ARGS 64
#define STANDIN_START_TIMEOUT_MS 15000

static void sleep_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) == -1 && errno == EINTR) {
    }
}

static int read_port(const char *path)
{
    FILE *f = fopen(path, "r");
    int port = 0;
    if (!f)
        return 0;
    if (fscanf(f, "%d", &port) != 1)
        port = 0;
    fclose(f);
    return port;
}

static void remove_dir(const char *dir)
{
    static const char *const names[] = {"port", "port.tmp", "requests.log", "stderr.log"};
    char path[512];
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        snprintf(path, sizeof path, "%s/%s", dir, names[i]);
        unlink(path);
    }
    rmdir(dir);
}

void standin_start(struct standin *s, const char *const *args)
{
    memset(s, 0, sizeof *s);
    const char *src = getenv("MOISSON_SOURCE_DIR");
    const char *py = getenv("MOISSON_PYTHON");
    if (!src || !*src)
        fail_msg("standin: MOISSON_SOURCE_DIR is not set");
    if (!py || !*py)
        py = "/usr/bin/python3";

    const char *tmp = getenv("TMPDIR");
    snprintf(s->dir, sizeof s->dir, "%s/moisson-standin-XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (!mkdtemp(s->dir))
        fail_msg("standin: mkdtemp(%s): %s", s->dir, strerror(errno));

    char script[512], port_file[300], log_file[300], err_file[300];
    snprintf(script, sizeof script, "%s/tests/standin/partner.py", src);
    snprintf(port_file, sizeof port_file, "%s/port", s->dir);
    snprintf(log_file, sizeof log_file, "%s/requests.log", s->dir);
    snprintf(err_file, sizeof err_file, "%s/stderr.log", s->dir);

    const char *argv[STANDIN_MAX_ARGS + 12];
    size_t n = 0;
    argv[n++] = py;
    argv[n++] = script;
    argv[n++] = "--port";
    argv[n++] = "0";
    argv[n++] = "--port-file";
    argv[n++] = port_file;
    argv[n++] = "--log";
    argv[n++] = log_file;
    for (size_t i = 0; args && args[i]; i++) {
        if (i >= STANDIN_MAX_ARGS)
            fail_msg("standin: too many arguments");
        argv[n++] = args[i];
    }
    argv[n] = NULL;

    fflush(NULL);
    pid_t pid = fork();
    if (pid < 0)
        fail_msg("standin: fork: %s", strerror(errno));
    if (pid == 0) {
        /* child: its stderr goes to a file shown when the start fails */
        FILE *e = freopen(err_file, "w", stderr);
        (void)e;
        execv(py, (char *const *)argv);
        fprintf(stderr, "execv %s: %s\n", py, strerror(errno));
        _exit(127);
    }
    s->pid = (int)pid;

    for (int waited = 0; waited < STANDIN_START_TIMEOUT_MS; waited += 20) {
        int status;
        if (waitpid(pid, &status, WNOHANG) == pid) {
            char msg[1024] = "";
            FILE *f = fopen(err_file, "r");
            if (f) {
                size_t got = fread(msg, 1, sizeof msg - 1, f);
                msg[got] = '\0';
                fclose(f);
            }
            s->pid = 0;
            remove_dir(s->dir);
            fail_msg("standin: partner.py exited (status %d) before listening: %s", status, msg);
        }
        s->port = read_port(port_file);
        if (s->port > 0) {
            snprintf(s->base_url, sizeof s->base_url, "http://127.0.0.1:%d/csw", s->port);
            return;
        }
        sleep_ms(20);
    }
    standin_stop(s);
    fail_msg("standin: partner.py did not listen within %d ms", STANDIN_START_TIMEOUT_MS);
}

struct grow {
    char *data;
    size_t len;
};

static size_t grow_write(char *ptr, size_t size, size_t nmemb, void *userdata)
{
    struct grow *g = userdata;
    size_t add = size * nmemb;
    char *p = realloc(g->data, g->len + add + 1);
    if (!p)
        return 0;
    memcpy(p + g->len, ptr, add);
    g->data = p;
    g->len += add;
    g->data[g->len] = '\0';
    return add;
}

/* One request to the stand-in's private endpoints; returns the body (malloc'd). */
static char *standin_http(struct standin *s, const char *path, const char *query, int post)
{
    char url[1024];
    snprintf(url, sizeof url, "http://127.0.0.1:%d%s%s%s", s->port, path, query && *query ? "?" : "",
             query ? query : "");
    CURL *c = curl_easy_init();
    if (!c)
        fail_msg("standin: curl_easy_init failed");
    struct grow g = {malloc(1), 0};
    if (!g.data)
        fail_msg("standin: out of memory");
    g.data[0] = '\0';
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, grow_write);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &g);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, 30L);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_NOPROXY, "*");
    if (post) {
        curl_easy_setopt(c, CURLOPT_POST, 1L);
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, "");
    }
    CURLcode rc = curl_easy_perform(c);
    long status = 0;
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
    curl_easy_cleanup(c);
    if (rc != CURLE_OK || status != 200) {
        char msg[256];
        snprintf(msg, sizeof msg, "%s", g.data);
        free(g.data);
        fail_msg("standin: %s %s: %s (HTTP %ld) %s", post ? "POST" : "GET", url,
                 curl_easy_strerror(rc), status, msg);
    }
    return g.data;
}

void standin_control(struct standin *s, const char *query)
{
    free(standin_http(s, "/_control", query, 1));
}

char *standin_requests(struct standin *s)
{
    return standin_http(s, "/_requests", NULL, 0);
}

void standin_stop(struct standin *s)
{
    if (s->pid > 0) {
        pid_t pid = (pid_t)s->pid;
        int status;
        kill(pid, SIGTERM);
        int gone = 0;
        for (int waited = 0; waited < 5000; waited += 20) {
            if (waitpid(pid, &status, WNOHANG) == pid) {
                gone = 1;
                break;
            }
            sleep_ms(20);
        }
        if (!gone) {
            kill(pid, SIGKILL);
            waitpid(pid, &status, 0);
        }
        s->pid = 0;
    }
    if (s->dir[0]) {
        remove_dir(s->dir);
        s->dir[0] = '\0';
    }
}
