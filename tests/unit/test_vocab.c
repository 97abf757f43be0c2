/* test_vocab.c: the one vocabulary every layer speaks: the server model has
 * one parse and one name, and a bad value is refused naming it and the
 * choices. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "common/model.h"
#include "net/cause.h"

static void test_model_round_trip(void **state)
{
	(void)state;
	for (int m = 0; m < MC_MODEL_COUNT; m++) {
		enum mc_model back = MC_MODEL_COUNT;
		struct mc_err err;

		assert_int_equal(mc_model_parse(mc_model_name((enum mc_model)m), &back, &err), 0);
		assert_int_equal(back, m);
	}
	assert_string_equal(mc_model_name(MC_MODEL_EPOLL), "epoll");
	assert_string_equal(mc_model_name(MC_MODEL_THREADS), "threads");
	assert_string_equal(mc_model_name(MC_MODEL_URING), "uring");
	assert_string_equal(mc_model_name((enum mc_model)99), "?");
}

static void test_model_bad(void **state)
{
	const char *bad[] = {"", "EPOLL", "fibers", "epoll ", "uring2"};
	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		enum mc_model m = MC_MODEL_URING;
		struct mc_err err;

		assert_int_equal(mc_model_parse(bad[i], &m, &err), -22);
		assert_int_equal(m, MC_MODEL_URING); /* untouched */
		assert_non_null(strstr(err.msg, "--model '"));
		assert_non_null(strstr(err.msg, "use epoll, threads or uring"));
	}
}

/* The thread limit behind a pthread_create that failed, from what the host
 * showed: the maps at vm.max_map_count, a pids cgroup that refused, or
 * the generic thread limit. */
static void test_thread_limit(void **state)
{
	struct mc_thread_facts f = {0};

	(void)state;
	assert_string_equal(mc_cause_thread_limit(&f), MC_LIMIT_THREADS);
	f.maps = 65529;
	f.max_map_count = 65530;
	assert_string_equal(mc_cause_thread_limit(&f), MC_LIMIT_MAP_COUNT);
	f.maps = 1000;
	f.pids_max = 300;
	f.pids_current = 299;
	assert_string_equal(mc_cause_thread_limit(&f), MC_LIMIT_THREADS);
	f.pids_refused = 1;
	assert_string_equal(mc_cause_thread_limit(&f), MC_LIMIT_CGROUP_PIDS);
	f.pids_refused = 0;
	f.pids_current = 300;
	assert_string_equal(mc_cause_thread_limit(&f), MC_LIMIT_CGROUP_PIDS);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_model_round_trip),
		cmocka_unit_test(test_model_bad),
		cmocka_unit_test(test_thread_limit),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
