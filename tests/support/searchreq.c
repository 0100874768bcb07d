/*
 * searchreq.c — searchreq_parse (searchreq.h).
 */
#include "searchreq.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <string.h>

void searchreq_parse(struct search_request *r, char *copy, size_t size, const char *query)
{
    char *save = NULL;
    search_request_init(r);
    if ((size_t)snprintf(copy, size, "%s", query) >= size)
        fail_msg("request text longer than %zu bytes: %s", size, query);
    for (char *t = strtok_r(copy, "&", &save); t; t = strtok_r(NULL, "&", &save)) {
        struct mo_err err = {0};
        char *eq = strchr(t, '=');
        if (!eq)
            fail_msg("no '=' in request parameter %s", t);
        *eq = '\0';
        if (search_request_set(r, t, eq + 1, &err) != MO_OK)
            fail_msg("parameter %s refused: %s", t, err.msg);
    }
}
