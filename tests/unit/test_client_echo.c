/* test_client_echo.c: the client's echo pattern (client/echo.h): what is
 * filled checks whole from any offset; a wrong byte, two bytes swapped and
 * another connection's stream are caught at the first byte that differs. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "client/echo.h"

#define N 5000

static void test_whole(void **state)
{
	static unsigned char a[N], b[N];

	(void)state;
	mc_client__echo_fill(7, 0, a, N);
	assert_int_equal(mc_client__echo_check(7, 0, a, N), N);
	/* a stream read from the middle is the same stream */
	mc_client__echo_fill(7, 1000, b, N - 1000);
	assert_memory_equal(a + 1000, b, N - 1000);
	assert_int_equal(mc_client__echo_check(7, 1000, a + 1000, N - 1000), N - 1000);
	assert_int_equal(mc_client__echo_check(7, 0, a, 0), 0);
}

static void test_wrong(void **state)
{
	static unsigned char a[N];
	size_t i = 1234, j = 1235;
	unsigned char t;

	(void)state;
	mc_client__echo_fill(7, 0, a, N);
	a[i] ^= 0x20;
	assert_int_equal(mc_client__echo_check(7, 0, a, N), i);
	a[i] ^= 0x20;
	while (a[i] == a[j])
		j++;
	t = a[i], a[i] = a[j], a[j] = t; /* out of order */
	assert_int_equal(mc_client__echo_check(7, 0, a, N), i);
}

static void test_other_connection(void **state)
{
	static unsigned char a[64];

	(void)state;
	for (uint32_t idx = 0; idx < 2000; idx++) {
		mc_client__echo_fill(idx, 0, a, sizeof(a));
		assert_true(mc_client__echo_check(idx + 1, 0, a, sizeof(a)) < sizeof(a));
		assert_true(mc_client__echo_check(idx + 1024, 0, a, sizeof(a)) < sizeof(a));
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_whole),
		cmocka_unit_test(test_wrong),
		cmocka_unit_test(test_other_connection),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
