/* test_parse.c: counts, sizes, durations. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
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
	assert_non_null(strstr(err.msg, "'99999999999999999999' is too large"));
	assert_true(mc_parse_count("1000000000000001", &v, &err) < 0);
	assert_int_equal(mc_parse_count("1000000000000000", &v, &err), 0);
	/* decimals that name a whole number are one, exactly */
	assert_int_equal(mc_parse_count("4.1M", &v, &err), 0);
	assert_int_equal(v, 4100000);
	assert_int_equal(mc_parse_count("16.1k", &v, &err), 0);
	assert_int_equal(v, 16100);
	assert_int_equal(mc_parse_count("8.2G", &v, &err), 0);
	assert_int_equal(v, 8200000000ULL);
	assert_int_equal(mc_parse_count("1.50000000000000000000k", &v, &err), 0);
	assert_int_equal(v, 1500);
	assert_int_equal(mc_parse_count(".5k", &v, &err), 0);
	assert_int_equal(v, 500);
	assert_true(mc_parse_count("1.0000000001k", &v, &err) < 0);
	assert_non_null(strstr(err.msg, "'1.0000000001k' is not a whole number"));
	assert_true(mc_parse_count("1.2345k", &v, &err) < 0);
	assert_true(mc_parse_count(".", &v, &err) < 0);
	assert_true(mc_parse_count("+5", &v, &err) < 0);
	assert_true(mc_parse_count("1.5.0k", &v, &err) < 0);
}

/* Every decimal with up to three places and k, up to 110.999k (1,627 of
 * these 111,000 were refused while a count was a double), and with six
 * places and M, and nine and G, every 997th. */
static void test_count_decimals(void **state)
{
	char s[32];
	uint64_t v;
	struct mc_err err;

	(void)state;
	for (uint64_t i = 0; i < 111000; i++) {
		snprintf(s, sizeof(s), "%llu.%03llu%s", (unsigned long long)(i / 1000),
			 (unsigned long long)(i % 1000), i % 2 ? "k" : "K");
		assert_int_equal(mc_parse_count(s, &v, &err), 0);
		assert_int_equal(v, i);
	}
	for (uint64_t i = 0; i < 100000000; i += 997) {
		snprintf(s, sizeof(s), "%llu.%06lluM", (unsigned long long)(i / 1000000),
			 (unsigned long long)(i % 1000000));
		assert_int_equal(mc_parse_count(s, &v, &err), 0);
		assert_int_equal(v, i);
	}
	for (uint64_t i = 0; i < 100000000000ULL; i += 997 * 1000 + 1) {
		snprintf(s, sizeof(s), "%llu.%09lluG", (unsigned long long)(i / 1000000000),
			 (unsigned long long)(i % 1000000000));
		assert_int_equal(mc_parse_count(s, &v, &err), 0);
		assert_int_equal(v, i);
	}
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
	    cmocka_unit_test(test_count_decimals),
	    cmocka_unit_test(test_size),
	    cmocka_unit_test(test_duration),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
