/* test_fmt.c: counts, byte sizes and durations for people. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "common/fmt.h"

static void test_format(void **state)
{
	char buf[32];

	(void)state;
	assert_string_equal(mc_fmt_count(999, buf, sizeof(buf)), "999");
	assert_string_equal(mc_fmt_count(28232, buf, sizeof(buf)), "28.2k");
	assert_string_equal(mc_fmt_count(1000000, buf, sizeof(buf)), "1.00M");
	assert_string_equal(mc_fmt_bytes(512, buf, sizeof(buf)), "512 B");
	assert_string_equal(mc_fmt_bytes(1536, buf, sizeof(buf)), "1.5 KiB");
	assert_string_equal(mc_fmt_duration(1500000000ULL, buf, sizeof(buf)), "1.50s");
	assert_string_equal(mc_fmt_duration(250000000ULL, buf, sizeof(buf)), "250.00ms");
}

static void test_thousands(void **state)
{
	char buf[32], small[4];

	(void)state;
	assert_string_equal(mc_fmt_thousands(0, buf, sizeof(buf)), "0");
	assert_string_equal(mc_fmt_thousands(999, buf, sizeof(buf)), "999");
	assert_string_equal(mc_fmt_thousands(1000, buf, sizeof(buf)), "1,000");
	assert_string_equal(mc_fmt_thousands(120000, buf, sizeof(buf)), "120,000");
	assert_string_equal(mc_fmt_thousands(1234567, buf, sizeof(buf)), "1,234,567");
	assert_string_equal(mc_fmt_thousands(UINT64_MAX, buf, sizeof(buf)),
			    "18,446,744,073,709,551,615");
	/* cut to fit, never past the buffer */
	assert_string_equal(mc_fmt_thousands(1234567, small, sizeof(small)), "1,2");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_format),
	    cmocka_unit_test(test_thousands),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
