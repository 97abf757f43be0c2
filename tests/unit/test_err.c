/* test_err.c: errno names. Every errno Linux defines has its name (issue
 * 22: ENOSPC and EROFS printed as "(E?)"), checked against glibc's own
 * strerrorname_np for 1..133; only the numbers Linux leaves unused are "E?". */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "common/err.h"

static void test_every_errno_named(void **state)
{
	int unnamed = 0;

	(void)state;
	for (int e = 1; e <= 133; e++) {
		const char *want = strerrorname_np(e);

		if (!want) { /* 41 and 58: Linux defines no errno there */
			assert_true(e == 41 || e == 58);
			assert_string_equal(mc_errno_name(e), "E?");
			unnamed++;
			continue;
		}
		if (strcmp(mc_errno_name(e), want) != 0)
			fail_msg("errno %d: mc_errno_name says %s, glibc %s", e, mc_errno_name(e),
				 want);
		assert_string_not_equal(mc_errno_name(e), "E?");
	}
	assert_int_equal(unnamed, 2);
}

static void test_strerror_names(void **state)
{
	char buf[128];

	(void)state;
	assert_string_equal(mc_strerror(ENOSPC, buf, sizeof(buf)),
			    "No space left on device (ENOSPC)");
	assert_string_equal(mc_strerror(-EROFS, buf, sizeof(buf)), "Read-only file system (EROFS)");
	assert_string_equal(mc_errno_name(EHWPOISON), "EHWPOISON");
	assert_string_equal(mc_errno_name(-EADDRNOTAVAIL), "EADDRNOTAVAIL");
	/* the aliases are their first names' numbers */
	assert_string_equal(mc_errno_name(EWOULDBLOCK), "EAGAIN");
	assert_string_equal(mc_errno_name(ENOTSUP), "EOPNOTSUPP");
	/* nothing beyond the table, nothing for 0, no overflow on INT_MIN */
	assert_string_equal(mc_errno_name(0), "E?");
	assert_string_equal(mc_errno_name(134), "E?");
	assert_string_equal(mc_errno_name(100000), "E?");
	assert_string_equal(mc_errno_name(-2147483647 - 1), "E?");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_every_errno_named),
	    cmocka_unit_test(test_strerror_names),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
