/* test_probe_netns.c: the size of the established hash the probe gives a
 * step's namespace (probe/netns.c): the power of two nearest twice the
 * sockets, within 1,024 and the kernel's most (2^24). */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "host/host.h"
#include "probe/netns.h"

static void test_ehash_size(void **state)
{
	(void)state;
	/* a handful: the floor */
	assert_int_equal(mc_probe_ehash_size(0), 1024);
	assert_int_equal(mc_probe_ehash_size(100), 1024);
	/* 3,000 connections: 6,001 sockets, 12,002 is nearer 8,192 than 16,384 */
	assert_int_equal(mc_probe_ehash_size(6001), 8192);
	assert_int_equal(mc_probe_ehash_size(6200), 16384);
	/* 1M connections: 2M sockets, 4,194,304 buckets */
	assert_int_equal(mc_probe_ehash_size(2000001), 4194304);
	/* 2.6M connections (--target max here): 5.2M sockets, 10.4M nearer 2^23 */
	assert_int_equal(mc_probe_ehash_size(5230660), 8388608);
	/* the kernel's most, whatever the sockets */
	assert_int_equal(mc_probe_ehash_size(7000000), MC_HOST_CHILD_EHASH_MAX);
	assert_int_equal(mc_probe_ehash_size(UINT64_MAX / 4), MC_HOST_CHILD_EHASH_MAX);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_ehash_size),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
