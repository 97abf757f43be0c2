/* test_parse.c: counts, sizes, durations. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "common/parse.h"

static void test_count(void **state)
{
	uint64_t v;
	struct mc_err err;

	(void)state;
	assert_int_equal(mc_parse_count("100", &v, &err), 0);
	assert_int_equal(v, 100);
	assert_int_equal(mc_parse_count("100k", &v, &err), 0);
	assert_int_equal(v, 100000);
	assert_int_equal(mc_parse_count("1M", &v, &err), 0);
	assert_int_equal(v, 1000000);
	assert_int_equal(mc_parse_count("2.5k", &v, &err), 0);
	assert_int_equal(v, 2500);
	assert_int_equal(mc_parse_count("1G", &v, &err), 0);
	assert_int_equal(v, 1000000000ULL);
	assert_int_equal(mc_parse_count("0", &v, &err), 0);
	assert_int_equal(v, 0);
	assert_true(mc_parse_count("", &v, &err) < 0);
	assert_true(mc_parse_count("-5", &v, &err) < 0);
	assert_true(mc_parse_count("1.5", &v, &err) < 0);
	assert_true(mc_parse_count("10x", &v, &err) < 0);
	assert_non_null(strstr(err.msg, "'10x'"));
	assert_true(mc_parse_count("0x10", &v, &err) < 0);
	assert_true(mc_parse_count("inf", &v, &err) < 0);
	assert_true(mc_parse_count("1e3", &v, &err) < 0);
	assert_true(mc_parse_count(" 5", &v, &err) < 0);
	assert_true(mc_parse_count("5 ", &v, &err) < 0);
	assert_true(mc_parse_count(NULL, &v, &err) < 0);
	assert_true(mc_parse_count("99999999999999999999", &v, &err) < 0);
}

static void test_size(void **state)
{
	uint64_t v;
	struct mc_err err;

	(void)state;
	assert_int_equal(mc_parse_size("4096", &v, &err), 0);
	assert_int_equal(v, 4096);
	assert_int_equal(mc_parse_size("64k", &v, &err), 0);
	assert_int_equal(v, 65536);
	assert_int_equal(mc_parse_size("16KiB", &v, &err), 0);
	assert_int_equal(v, 16384);
	assert_int_equal(mc_parse_size("1M", &v, &err), 0);
	assert_int_equal(v, 1048576);
	assert_int_equal(mc_parse_size("1.5G", &v, &err), 0);
	assert_int_equal(v, 1610612736ULL);
	assert_true(mc_parse_size("1X", &v, &err) < 0);
	assert_non_null(strstr(err.msg, "'1X'"));
	assert_true(mc_parse_size("k", &v, &err) < 0);
}

static void test_duration(void **state)
{
	uint64_t v;
	struct mc_err err;

	(void)state;
	assert_int_equal(mc_parse_duration("30s", &v, &err), 0);
	assert_int_equal(v, 30000000000ULL);
	assert_int_equal(mc_parse_duration("30", &v, &err), 0);
	assert_int_equal(v, 30000000000ULL);
	assert_int_equal(mc_parse_duration("500ms", &v, &err), 0);
	assert_int_equal(v, 500000000ULL);
	assert_int_equal(mc_parse_duration("100us", &v, &err), 0);
	assert_int_equal(v, 100000ULL);
	assert_int_equal(mc_parse_duration("2m", &v, &err), 0);
	assert_int_equal(v, 120000000000ULL);
	assert_int_equal(mc_parse_duration("1h", &v, &err), 0);
	assert_int_equal(v, 3600000000000ULL);
	assert_int_equal(mc_parse_duration("1.5s", &v, &err), 0);
	assert_int_equal(v, 1500000000ULL);
	assert_true(mc_parse_duration("10 s", &v, &err) < 0);
	assert_true(mc_parse_duration("s", &v, &err) < 0);
	assert_true(mc_parse_duration("5d", &v, &err) < 0);
	assert_non_null(strstr(err.msg, "'5d'"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_count),
	    cmocka_unit_test(test_size),
	    cmocka_unit_test(test_duration),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
