/* test_sockcost.c: limits/sockcost.c's arithmetic on fixture readings: the
 * bytes in use read from /proc/slabinfo text (objects weighed by their
 * slab's pages), and the per-side figures from a calibration's rounds (the
 * accepted socket's tcp_sock moved to its side, the median of the rounds,
 * a phase that shrank counted 0, no cgroup figures without a cgroup). */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "limits/sockcost.h"

static const char slab_txt[] =
    "slabinfo - version: 2.1\n"
    "# name            <active_objs> <num_objs> <objsize> <objperslab> <pagesperslab> : "
    "tunables <limit> <batchcount> <sharedfactor> : slabdata <active_slabs> <num_slabs> "
    "<sharedavail>\n"
    "TCP                   24     24   2432   12    8 : tunables    0    0    0 : slabdata      "
    "2      2      0\n"
    "dentry               420    441    192   21    1 : tunables    0    0    0 : slabdata     "
    "21     21      0\n"
    "kmalloc-64           640    640     64   64    1 : tunables    0    0    0 : slabdata     "
    "10     10      0\n";

static void test_slab(void **state)
{
	uint64_t bytes, tcp;

	(void)state;
	assert_int_equal(mc_sockcost_slab(slab_txt, 4096, &bytes, &tcp), 0);
	/* TCP 24 x 8 pages / 12 = 65536, dentry 420 x 4096 / 21 = 81920,
	 * kmalloc-64 640 x 4096 / 64 = 40960 */
	assert_int_equal(bytes, 65536 + 81920 + 40960);
	assert_int_equal(tcp, 2730); /* 32768 / 12 */
	assert_int_equal(mc_sockcost_slab("MemTotal: 1 kB\n", 4096, &bytes, &tcp), -EINVAL);
}

/* A round of 1,000 connections: the connect phase grows the slab by the
 * connecting socket (4,400 B) and the accepted one's tcp_sock (2,730 B),
 * the accept phase by the rest of the accepted one (800 B), the 2,000
 * watches by 230 B each; the cgroups are charged 4,164, 1,241 and 240 B. */
static void round_of(struct mc_sockcost_raw *r, int i, uint64_t base, uint64_t noise)
{
	r->slab[i][0] = base;
	r->slab[i][1] = base + 1000 * (4400 + 2730) + noise;
	r->slab[i][2] = r->slab[i][1] + 1000 * 800;
	r->slab[i][3] = r->slab[i][2] + 2000 * 230;
	r->cg0[i][0] = r->cg0[i][1] = r->cg0[i][2] = 4096 * (uint64_t)i;
	r->cg1[i][0] = r->cg0[i][0] + 4164000;
	r->cg1[i][1] = r->cg0[i][1] + 1241000;
	r->cg1[i][2] = r->cg0[i][2] + 480000;
}

static void test_sum(void **state)
{
	struct mc_sockcost_raw r = {.n = 1000, .cg_version = 1, .tcp_obj = 2730};
	struct mc_sockcost c = {0};

	(void)state;
	for (int i = 0; i < MC_SOCKCOST_ROUNDS; i++)
		round_of(&r, i, 100000000 + 10000000 * (uint64_t)i, 0);
	/* another process's 50 MB in one round's connect phase, and a free of
	 * 20 MB in another's: the median leaves both out */
	r.slab[1][1] += 50000000;
	r.slab[1][2] += 50000000;
	r.slab[1][3] += 50000000;
	r.slab[3][1] -= 20000000;
	r.slab[3][2] -= 20000000;
	r.slab[3][3] -= 20000000;
	mc_sockcost_sum(&r, &c);
	assert_true(c.measured);
	assert_int_equal(c.conns, 1000);
	assert_int_equal(c.connect_bytes, 4400);
	assert_int_equal(c.accept_bytes, 3530);
	assert_int_equal(c.epoll_bytes, 230);
	assert_int_equal(c.cg_version, 1);
	assert_int_equal(c.cg_connect_bytes, 4164);
	assert_int_equal(c.cg_accept_bytes, 1241);
	assert_int_equal(c.cg_epoll_bytes, 240);

	/* no cgroup: the host's figures only */
	r.cg_version = 0;
	memset(&c, 0, sizeof(c));
	mc_sockcost_sum(&r, &c);
	assert_true(c.measured);
	assert_int_equal(c.cg_accept_bytes, 0);
	assert_int_equal(c.cg_connect_bytes, 0);

	/* the slab shrank in most rounds' phases: nothing measured */
	for (int i = 0; i < MC_SOCKCOST_ROUNDS; i++)
		r.slab[i][1] = r.slab[i][2] = r.slab[i][3] = r.slab[i][0] - 1;
	memset(&c, 0, sizeof(c));
	mc_sockcost_sum(&r, &c);
	assert_false(c.measured);
	assert_int_equal(c.connect_bytes, 0);
	assert_int_equal(c.accept_bytes, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_slab),
	    cmocka_unit_test(test_sum),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
