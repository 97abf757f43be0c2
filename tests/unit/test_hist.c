/* test_hist.c: the log-linear histogram: bucket boundaries, quantiles within
 * 1/32 of the exact value, exact count/sum/min/max, merging, and taking
 * an earlier snapshot out (a window's values only). */
#include <setjmp.h>
#include <stdarg.h>
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <cmocka.h>

#include "common/hist.h"

static void test_index_continuous(void **state)
{
	(void)state;
	/* exact below 64, then every bucket starts where the last one ended */
	for (uint64_t v = 0; v < 64; v++)
		assert_int_equal(mc_hist_index(v), v);
	uint64_t prev_hi = 63;
	for (unsigned i = 64; i < MC_HIST_BUCKETS; i++) {
		uint64_t lo, hi;
		mc_hist_bucket_range(i, &lo, &hi);
		assert_int_equal(lo, prev_hi + 1);
		assert_true(hi >= lo);
		assert_int_equal(mc_hist_index(lo), i);
		assert_int_equal(mc_hist_index(hi), i);
		/* width at most 1/32 of the low bound */
		assert_true((hi - lo) * 32 <= lo);
		prev_hi = hi;
		if (hi == UINT64_MAX)
			break;
	}
	assert_int_equal(prev_hi, UINT64_MAX);
	assert_true(mc_hist_index(UINT64_MAX) < MC_HIST_BUCKETS);
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

static void test_quantiles_vs_exact(void **state)
{
	enum { N = 20000 };
	static uint64_t v[N];
	static struct mc_hist h;
	const double qs[] = {0.5, 0.9, 0.99, 0.999};
	uint64_t seed = 88172645463325252ULL, sum = 0;

	(void)state;
	mc_hist_init(&h);
	for (int i = 0; i < N; i++) {
		seed ^= seed << 13;
		seed ^= seed >> 7;
		seed ^= seed << 17;
		/* latencies from 1us to ~1s, log-spread */
		v[i] = 1000ULL << (seed % 20);
		v[i] += seed % v[i];
		mc_hist_add(&h, v[i]);
		sum += v[i];
	}
	qsort(v, N, sizeof(v[0]), cmp_u64);
	assert_int_equal(h.count, N);
	assert_int_equal(h.sum, sum);
	assert_int_equal(h.min, v[0]);
	assert_int_equal(h.max, v[N - 1]);
	assert_int_equal(mc_hist_quantile(&h, 1.0), v[N - 1]);
	for (size_t k = 0; k < sizeof(qs) / sizeof(qs[0]); k++) {
		uint64_t exact = v[(size_t)(qs[k] * N + 0.5) - 1];
		uint64_t got = mc_hist_quantile(&h, qs[k]);
		double err = got > exact ? (double)(got - exact) : (double)(exact - got);
		assert_true(err <= (double)exact / 32.0);
	}
}

static void test_small_and_empty(void **state)
{
	struct mc_hist h;

	(void)state;
	mc_hist_init(&h);
	assert_int_equal(mc_hist_quantile(&h, 0.5), 0);
	assert_true(mc_hist_mean(&h) == 0.0);
	mc_hist_add(&h, 7);
	mc_hist_add(&h, 7);
	mc_hist_add(&h, 9);
	assert_int_equal(mc_hist_quantile(&h, 0.5), 7);
	assert_int_equal(mc_hist_quantile(&h, 0.9), 9);
	assert_int_equal(mc_hist_quantile(&h, 0.0), 7);
	assert_true(mc_hist_mean(&h) > 7.66 && mc_hist_mean(&h) < 7.67);
}

static void test_merge(void **state)
{
	static struct mc_hist a, b, all;

	(void)state;
	mc_hist_init(&a);
	mc_hist_init(&b);
	mc_hist_init(&all);
	for (uint64_t i = 1; i <= 1000; i++) {
		mc_hist_add(i % 2 ? &a : &b, i * 1000);
		mc_hist_add(&all, i * 1000);
	}
	mc_hist_merge(&a, &b);
	assert_memory_equal(&a, &all, sizeof(all));
	/* merging an empty one changes nothing (min stays) */
	mc_hist_init(&b);
	mc_hist_merge(&a, &b);
	assert_int_equal(a.min, 1000);
	assert_int_equal(a.count, 1000);
}

static void test_sub(void **state)
{
	static struct mc_hist h, start, win, bad;

	(void)state;
	mc_hist_init(&h);
	mc_hist_init(&win);
	/* before the window: slow values, far from the window's */
	for (uint64_t i = 1; i <= 500; i++)
		mc_hist_add(&h, 1000000 + i * 1000);
	start = h;
	for (uint64_t i = 1; i <= 1000; i++) {
		mc_hist_add(&h, i * 100);
		mc_hist_add(&win, i * 100);
	}
	bad = start;
	assert_int_equal(mc_hist_sub(&h, &start), 0);
	assert_int_equal(h.count, 1000);
	assert_int_equal(h.sum, win.sum);
	assert_memory_equal(h.b, win.b, sizeof(h.b));
	/* min and max: the bounds of the end buckets, within the old ones */
	assert_int_equal(h.min, 100);
	assert_true(h.max >= 100000 && h.max <= 100000 + 100000 / 32);
	assert_int_equal(mc_hist_quantile(&h, 0.5), mc_hist_quantile(&win, 0.5));
	assert_int_equal(mc_hist_quantile(&h, 0.99), mc_hist_quantile(&win, 0.99));
	/* taking a later state out of an earlier one is refused, h unchanged */
	assert_int_equal(mc_hist_sub(&bad, &win), -EINVAL);
	assert_memory_equal(&bad, &start, sizeof(bad));
	/* nothing added since: empty */
	assert_int_equal(mc_hist_sub(&bad, &start), 0);
	assert_int_equal(bad.count, 0);
	assert_int_equal(mc_hist_quantile(&bad, 0.5), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_index_continuous),
		cmocka_unit_test(test_quantiles_vs_exact),
		cmocka_unit_test(test_small_and_empty),
		cmocka_unit_test(test_merge),
		cmocka_unit_test(test_sub),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
