/*
 * test_json.c — the JSON writer (aggregator/json.h): string escaping as a
 * table (quotes, backslashes, every control character, </script>, U+2028,
 * invalid UTF-8 → U+FFFD), documents with commas in the right places, the
 * sticky errors (misuse, depth, the buffer's cap).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "json.h"

#include <string.h>

struct case_escape {
    const char *in;
    size_t len; /* 0: strlen(in) */
    const char *out;
};

static const struct case_escape escape_cases[] = {
    {"plain", 0, "plain"},
    {"Églises à Saint-Étienne", 0, "Églises à Saint-Étienne"},
    {"a \"quoted\" word", 0, "a \\\"quoted\\\" word"},
    {"back\\slash", 0, "back\\\\slash"},
    {"</script><b>&amp;", 0, "\\u003c/script\\u003e\\u003cb\\u003e\\u0026amp;"},
    {"tab\tnl\ncr\rbs\bff\f", 0, "tab\\tnl\\ncr\\rbs\\bff\\f"},
    {"\x01\x1f\x7f", 0, "\\u0001\\u001f\\u007f"},
    {"nul\0in", 6, "nul\\u0000in"},
    {"line\xe2\x80\xa8sep\xe2\x80\xa9", 0, "line\\u2028sep\\u2029"},
    {"emoji \xf0\x9f\x8c\xbe", 0, "emoji \xf0\x9f\x8c\xbe"},
    {"bad \xff byte", 0, "bad \xef\xbf\xbd byte"},
    {"latin1 \xe9t\xe9", 0, "latin1 \xef\xbf\xbdt\xef\xbf\xbd"},
    {"cut \xc3", 0, "cut \xef\xbf\xbd"},
    {"overlong \xc0\xaf", 0, "overlong \xef\xbf\xbd\xef\xbf\xbd"},
    {"surrogate \xed\xa0\x80", 0, "surrogate \xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd"},
    {"past max \xf4\x90\x80\x80", 0, "past max \xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd"},
    {"", 0, ""},
};

static void test_escape(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof escape_cases / sizeof escape_cases[0]; i++) {
        const struct case_escape *c = &escape_cases[i];
        struct buf b;
        buf_init(&b, 4096);
        assert_int_equal(json_escape(&b, c->in, c->len ? c->len : strlen(c->in)), MO_OK);
        if (strcmp(b.data ? b.data : "", c->out))
            fail_msg("case %zu: got \"%s\", wanted \"%s\"", i, b.data ? b.data : "", c->out);
        buf_free(&b);
    }
}

static void test_document(void **state)
{
    (void)state;
    struct buf b;
    struct json j;
    struct mo_err err = {0};
    buf_init(&b, 4096);
    json_init(&j, &b);
    json_begin_object(&j);
    json_member_string(&j, "title", "a\"b");
    json_member_int(&j, "n", -42);
    json_key(&j, "list");
    json_begin_array(&j);
    json_double(&j, 1.5);
    json_double(&j, 0.0 / 0.0); /* NaN: null */
    json_bool(&j, 1);
    json_null(&j);
    json_string(&j, NULL);
    json_begin_object(&j);
    json_end_object(&j);
    json_begin_array(&j);
    json_end_array(&j);
    json_end_array(&j);
    json_key(&j, "raw");
    json_raw(&j, "{\"x\":[1]}");
    json_end_object(&j);
    assert_int_equal(json_finish(&j, &err), MO_OK);
    assert_string_equal(b.data, "{\"title\":\"a\\\"b\",\"n\":-42,\"list\":[1.5,null,true,null,null,"
                                "{},[]],\"raw\":{\"x\":[1]}}");
    buf_free(&b);
}

/* Misuse and limits: one sticky error, reported by json_finish. */
static void test_errors(void **state)
{
    (void)state;
    struct buf b;
    struct json j;
    struct mo_err err = {0};

    buf_init(&b, 4096); /* a value where a key is due */
    json_init(&j, &b);
    json_begin_object(&j);
    json_string(&j, "no key");
    json_end_object(&j);
    assert_int_equal(json_finish(&j, &err), MO_EBADREQ);
    buf_free(&b);

    buf_init(&b, 4096); /* unclosed */
    json_init(&j, &b);
    json_begin_array(&j);
    assert_int_equal(json_finish(&j, &err), MO_EBADREQ);
    buf_free(&b);

    buf_init(&b, 4096); /* mismatched close */
    json_init(&j, &b);
    json_begin_array(&j);
    json_end_object(&j);
    assert_int_equal(json_finish(&j, &err), MO_EBADREQ);
    buf_free(&b);

    buf_init(&b, 4096); /* two top-level values */
    json_init(&j, &b);
    json_int(&j, 1);
    json_int(&j, 2);
    assert_int_equal(json_finish(&j, &err), MO_EBADREQ);
    buf_free(&b);

    buf_init(&b, 4096); /* nothing written */
    json_init(&j, &b);
    assert_int_equal(json_finish(&j, &err), MO_EBADREQ);
    buf_free(&b);

    buf_init(&b, 4096); /* too deep */
    json_init(&j, &b);
    for (int i = 0; i < JSON_MAX_DEPTH + 1; i++)
        json_begin_array(&j);
    for (int i = 0; i < JSON_MAX_DEPTH + 1; i++)
        json_end_array(&j);
    assert_int_equal(json_finish(&j, &err), MO_ELIMIT);
    assert_non_null(strstr(err.msg, "deeper"));
    buf_free(&b);

    buf_init(&b, 16); /* past the buffer's cap */
    json_init(&j, &b);
    json_begin_array(&j);
    json_string(&j, "a string longer than sixteen bytes");
    json_end_array(&j);
    assert_int_equal(json_finish(&j, &err), MO_ELIMIT);
    buf_free(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_escape),
        cmocka_unit_test(test_document),
        cmocka_unit_test(test_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
