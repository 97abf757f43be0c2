/* test_shard.c: client shards (--shard K/M): for many N, M and pair
 * counts, the shares sum to N and differ by at most one; the slices of
 * (source, destination) pairs never overlap; slices of identical lists on
 * every shard cut into ranges again; each shard's share is in proportion
 * to its pairs, so every shard fits when the total fits; bad shards are
 * usage errors. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "client/shard.h"

static void test_parse(void **state)
{
	static const char *const bad[] = {"0/2", "3/2", "x/y", "1/0", "2", "/2", "1/", "1/2x",
					  " 1/2", "+1/2", "-1/2", "1//2", "1/65537", ""};
	struct mc_shard sh;
	struct mc_err err;

	(void)state;
	assert_int_equal(mc_shard_parse("1/2", &sh, &err), 0);
	assert_int_equal(sh.k, 1);
	assert_int_equal(sh.m, 2);
	assert_int_equal(mc_shard_parse("65536/65536", &sh, &err), 0);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err.msg[0] = '\0';
		assert_int_equal(mc_shard_parse(bad[i], &sh, &err), -EINVAL);
		assert_non_null(strstr(err.msg, "--shard"));
	}
	/* an Indexed Job: JOB_COMPLETION_INDEX counts from 0 */
	assert_int_equal(mc_shard_from_index("0", 4, &sh, &err), 0);
	assert_int_equal(sh.k, 1);
	assert_int_equal(mc_shard_from_index("3", 4, &sh, &err), 0);
	assert_int_equal(sh.k, 4);
	assert_int_equal(mc_shard_from_index("4", 4, &sh, &err), -EINVAL);
	assert_non_null(strstr(err.msg, "JOB_COMPLETION_INDEX='4'"));
	assert_int_equal(mc_shard_from_index(NULL, 4, &sh, &err), -EINVAL);
	assert_non_null(strstr(err.msg, "--shard K/4"));
	assert_int_equal(mc_shard_from_index("x", 4, &sh, &err), -EINVAL);
	assert_int_equal(mc_shard_from_index("1", 0, &sh, &err), -EINVAL);
}

static void test_shares_sum(void **state)
{
	static const uint64_t ns[] = {0, 1, 2, 3, 7, 10, 99, 100, 1000, 1000003, 4294967295u};

	(void)state;
	for (size_t i = 0; i < sizeof(ns) / sizeof(ns[0]); i++)
		for (uint64_t m = 1; m <= 40; m++) {
			uint64_t sum = 0, lo = UINT64_MAX, hi = 0, expect_lo = 0;
			for (uint64_t k = 1; k <= m; k++) {
				struct mc_shard sh = {k, m};
				uint64_t s = mc_shard_share(ns[i], &sh), plo, phi;
				/* the part is where the earlier ones ended */
				mc_shard_part(ns[i], k - 1, m, &plo, &phi);
				assert_int_equal(plo, expect_lo);
				assert_int_equal(phi - plo, s);
				expect_lo = phi;
				sum += s;
				lo = s < lo ? s : lo;
				hi = s > hi ? s : hi;
				/* remainders go to the first shards */
				assert_int_equal(s, ns[i] / m + (k - 1 < ns[i] % m));
			}
			assert_int_equal(sum, ns[i]);
			assert_true(hi - lo <= 1);
			assert_int_equal(expect_lo, ns[i]);
		}
}

/* Every shard of m over nsrc x ndst: disjoint pairs, or an error for all
 * shards alike. Returns the shards that could be cut (0 or m). */
static uint64_t check_disjoint(uint64_t nsrc, uint64_t ndst, uint64_t m)
{
	uint64_t rows = nsrc ? nsrc : 1, ok = 0;
	unsigned char *used = calloc(rows * ndst, 1);

	assert_non_null(used);
	for (uint64_t k = 1; k <= m; k++) {
		struct mc_shard sh = {k, m};
		struct mc_shard_slice sl;
		struct mc_err err;
		int rc = mc_shard_slice(&sh, 1000, nsrc, ndst, &sl, &err);
		if (rc < 0) {
			assert_int_equal(rc, -EINVAL);
			assert_non_null(strstr(err.msg, "--source"));
			continue;
		}
		ok++;
		assert_true(sl.dst_lo < sl.dst_hi && sl.dst_hi <= ndst);
		if (nsrc)
			assert_true(sl.src_lo < sl.src_hi && sl.src_hi <= nsrc);
		else
			assert_true(sl.src_lo == 0 && sl.src_hi == 0);
		if (!sl.disjoint) {
			/* only when the kernel picks the sources and there are
			 * fewer destinations than shards: every shard takes all */
			assert_int_equal(nsrc, 0);
			assert_true(ndst < m);
			assert_int_equal(sl.dst_hi - sl.dst_lo, ndst);
			continue;
		}
		for (uint64_t s = nsrc ? sl.src_lo : 0; s < (nsrc ? sl.src_hi : 1); s++)
			for (uint64_t d = sl.dst_lo; d < sl.dst_hi; d++) {
				assert_int_equal(used[s * ndst + d], 0); /* no pair twice */
				used[s * ndst + d] = 1;
			}
	}
	free(used);
	assert_true(ok == 0 || ok == m);
	return ok;
}

static void test_pairs_disjoint(void **state)
{
	(void)state;
	for (uint64_t nsrc = 0; nsrc <= 20; nsrc++)
		for (uint64_t ndst = 1; ndst <= 12; ndst++)
			for (uint64_t m = 1; m <= 24; m++) {
				uint64_t ok = check_disjoint(nsrc, ndst, m);
				uint64_t rows = nsrc ? nsrc : 1;
				/* at least M sources: always whole sources each */
				if (nsrc >= m)
					assert_int_equal(ok, m);
				/* fewer: possible exactly when the fullest source
				 * has a destination for each of its shards */
				else if (nsrc)
					assert_int_equal(ok, ndst >= (m + rows - 1) / rows ? m : 0);
				else
					assert_int_equal(ok, m); /* shared when ndst < m */
			}
}

static void test_whole_sources(void **state)
{
	struct mc_shard_slice sl;
	struct mc_err err;

	(void)state;
	/* 8 sources, 2 shards: 4 whole addresses each, every destination */
	assert_int_equal(mc_shard_slice(&(struct mc_shard){2, 2}, 1000001, 8, 4, &sl, &err), 0);
	assert_int_equal(sl.conns, 500000);
	assert_int_equal(sl.src_lo, 4);
	assert_int_equal(sl.src_hi, 8);
	assert_int_equal(sl.dst_lo, 0);
	assert_int_equal(sl.dst_hi, 4);
	/* 1 source, 4 ports, 2 shards: two ports each */
	assert_int_equal(mc_shard_slice(&(struct mc_shard){1, 2}, 10, 1, 4, &sl, &err), 0);
	assert_int_equal(sl.src_hi - sl.src_lo, 1);
	assert_int_equal(sl.dst_lo, 0);
	assert_int_equal(sl.dst_hi, 2);
}

/* Every shard of m over nsrc x ndst with n connections: the shares sum to
 * n, and each shard's share is at most ceil(n / pairs) per pair of its
 * slice, so whenever n fits the pairs' ports in total (n <= pairs x
 * ports), every shard fits its own. */
static void check_fits(uint64_t n, uint64_t nsrc, uint64_t ndst, uint64_t m)
{
	uint64_t pairs = (nsrc ? nsrc : 1) * ndst, per = (n + pairs - 1) / pairs, sum = 0;

	for (uint64_t k = 1; k <= m; k++) {
		struct mc_shard sh = {k, m};
		struct mc_shard_slice sl;
		struct mc_err err;
		uint64_t mine;

		if (mc_shard_slice(&sh, n, nsrc, ndst, &sl, &err) < 0)
			return; /* cannot be cut: every shard alike (check_disjoint) */
		sum += sl.conns;
		if (!sl.disjoint) /* shared pairs: the even share */
			continue;
		mine = (nsrc ? sl.src_hi - sl.src_lo : 1) * (sl.dst_hi - sl.dst_lo);
		if (sl.conns > mine * per)
			fail_msg("n %lu, %lu sources x %lu destinations, shard %lu/%lu: %lu "
				 "connections over %lu pairs, more than %lu each",
				 (unsigned long)n, (unsigned long)nsrc, (unsigned long)ndst,
				 (unsigned long)k, (unsigned long)m, (unsigned long)sl.conns,
				 (unsigned long)mine, (unsigned long)per);
	}
	assert_int_equal(sum, n);
}

static void test_every_shard_fits(void **state)
{
	static const uint64_t ns[] = {1, 2, 3, 5, 7, 24, 100, 101, 2400, 2999, 3000, 65535, 1000003};
	struct mc_shard_slice a, b;
	struct mc_err err;

	(void)state;
	for (size_t i = 0; i < sizeof(ns) / sizeof(ns[0]); i++)
		for (uint64_t nsrc = 0; nsrc <= 13; nsrc++)
			for (uint64_t ndst = 1; ndst <= 9; ndst++)
				for (uint64_t m = 1; m <= 17; m++)
					check_fits(ns[i], nsrc, ndst, m);
	/* issue 22's row: 3 sources, 2 shards, 1,000 ports per pair, -n 2400:
	 * 2,400 fit 3,000 ports; the shards take 2 and 1 sources, and 1,600
	 * (of 2,000) and 800 (of 1,000) connections, not 1,200 each */
	assert_int_equal(mc_shard_slice(&(struct mc_shard){1, 2}, 2400, 3, 1, &a, &err), 0);
	assert_int_equal(mc_shard_slice(&(struct mc_shard){2, 2}, 2400, 3, 1, &b, &err), 0);
	assert_int_equal(a.src_hi - a.src_lo, 2);
	assert_int_equal(a.conns, 1600);
	assert_int_equal(b.src_hi - b.src_lo, 1);
	assert_int_equal(b.conns, 800);
	/* a huge IPv6 block of sources: no overflow in the proportion */
	assert_int_equal(mc_shard_slice(&(struct mc_shard){1, 3}, 4000000000u, UINT64_MAX, 2, &a,
					&err),
			 0);
	assert_int_equal(a.conns, 1333333334);
}

static void test_cut(void **state)
{
	struct mc_addr_range src[2], out[2];
	struct mc_endpoint_range dst[2], dout[2];
	struct mc_err err;
	char buf[MC_ADDR_STRLEN];

	(void)state;
	/* the union of two hosts' sources: 10.0.0.11-14 and 10.0.0.21-24 */
	assert_int_equal(mc_parse_addr_range("10.0.0.11-10.0.0.14", &src[0], &err), 0);
	assert_int_equal(mc_parse_addr_range("10.0.0.21-10.0.0.24", &src[1], &err), 0);
	assert_int_equal(mc_shard_cut_src(src, 2, 4, 8, out), 1);
	assert_string_equal(mc_addr_str(&out[0].first, buf, sizeof(buf)), "10.0.0.21");
	assert_int_equal(out[0].count, 4);
	/* across the two ranges */
	assert_int_equal(mc_shard_cut_src(src, 2, 3, 6, out), 2);
	assert_string_equal(mc_addr_str(&out[0].first, buf, sizeof(buf)), "10.0.0.14");
	assert_int_equal(out[0].count, 1);
	assert_string_equal(mc_addr_str(&out[1].first, buf, sizeof(buf)), "10.0.0.21");
	assert_int_equal(out[1].count, 2);
	/* destinations: ports 9000-9003 of one address, 9100 of another */
	assert_int_equal(mc_parse_endpoint("10.0.0.1:9000-9003", false, &dst[0], &err), 0);
	assert_int_equal(mc_parse_endpoint("10.0.0.2:9100", false, &dst[1], &err), 0);
	assert_int_equal(mc_shard_cut_dst(dst, 2, 2, 5, dout), 2);
	assert_int_equal(dout[0].port_lo, 9002);
	assert_int_equal(dout[0].port_hi, 9003);
	assert_int_equal(dout[1].port_lo, 9100);
	assert_int_equal(dout[1].port_hi, 9100);
	assert_string_equal(mc_addr_str(&dout[1].addr, buf, sizeof(buf)), "10.0.0.2");
	assert_int_equal(mc_shard_cut_dst(dst, 2, 1, 2, dout), 1);
	assert_int_equal(dout[0].port_lo, 9001);
	assert_int_equal(dout[0].port_hi, 9001);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_shares_sum),
		cmocka_unit_test(test_pairs_disjoint),
		cmocka_unit_test(test_whole_sources),
		cmocka_unit_test(test_every_shard_fits),
		cmocka_unit_test(test_cut),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
