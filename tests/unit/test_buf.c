/* The capped buffer: growth, the cap, steal. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "buf.h"

#include <stdlib.h>
#include <string.h>

static void test_append_and_printf(void **state)
{
    (void)state;
    struct buf b;
    buf_init(&b, 1 << 20);
    assert_int_equal(buf_append_str(&b, "moisson"), MO_OK);
    assert_int_equal(buf_printf(&b, " %d %s", 42, "records"), MO_OK);
    assert_string_equal(b.data, "moisson 42 records");
    assert_int_equal(b.len, strlen("moisson 42 records"));
    for (int i = 0; i < 1000; i++)
        assert_int_equal(buf_append_str(&b, "0123456789"), MO_OK);
    assert_int_equal(b.len, 18 + 10000);
    buf_free(&b);
}

static void test_cap_is_hard(void **state)
{
    (void)state;
    struct buf b;
    buf_init(&b, 16);
    assert_int_equal(buf_append_str(&b, "0123456789abcdef"), MO_OK);
    assert_int_equal(buf_append_str(&b, "x"), MO_ELIMIT);
    assert_int_equal(buf_printf(&b, "%s", "y"), MO_ELIMIT);
    assert_string_equal(b.data, "0123456789abcdef");
    assert_int_equal(b.len, 16);
    buf_free(&b);
}

static void test_steal_empty_and_full(void **state)
{
    (void)state;
    struct buf b;
    char *s = NULL;
    buf_init(&b, 64);
    assert_int_equal(buf_steal(&b, &s), MO_OK);
    assert_string_equal(s, "");
    free(s);
    assert_int_equal(buf_append_str(&b, "abc"), MO_OK);
    assert_int_equal(buf_steal(&b, &s), MO_OK);
    assert_string_equal(s, "abc");
    assert_null(b.data);
    assert_int_equal(b.len, 0);
    free(s);
    buf_free(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_append_and_printf),
        cmocka_unit_test(test_cap_is_hard),
        cmocka_unit_test(test_steal_empty_and_full),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
