/* test_pool.c: the worker pool's plans, pure functions of numbers
 * (net/pool.h): how many workers to start and to grow to (server, shard-
 * free), how many to start whole (client), the room each worker adds to
 * the accepting set and when the main thread adds a worker. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <string.h>

#include "net/pool.h"

static void test_table_room(void **state)
{
	(void)state;
	/* RLIMIT_NOFILE less the open fds and three to spare */
	assert_int_equal(mc_pool_table_room(1024, 5), 1016);
	assert_int_equal(mc_pool_table_room(20000, 0), 19997);
	/* never 0: a table too small still holds one */
	assert_int_equal(mc_pool_table_room(8, 5), 1);
	assert_int_equal(mc_pool_table_room(8, 4), 1);
	assert_int_equal(mc_pool_table_room(9, 5), 1);
	assert_int_equal(mc_pool_table_room(10, 5), 2);
}

static void test_plan_grow(void **state)
{
	static const struct {
		uint64_t conns, per_worker;
		unsigned workers, ncpu, initial, max;
	} cases[] = {
	    /* --workers N: N, and no more */
	    {1000000, 1000, 3, 8, 3, 3},
	    /* auto, no bound: one per CPU, grow as far as the pool goes */
	    {0, 1000, 0, 4, 4, MC_POOL_MAX},
	    /* 2,500 in tables of 1,000: 3 tables, so 3 of the 4 CPUs, one more may come */
	    {2500, 1000, 0, 4, 3, 4},
	    /* 1M in tables of 20k needs 50: one per CPU, grow to 51 */
	    {1000000, 20000, 0, 2, 2, 51},
	    /* exactly one table */
	    {1000, 1000, 0, 2, 1, 2},
	    /* never past the pool */
	    {10000000, 1000, 0, 2, 2, MC_POOL_MAX},
	    {0, 1000, 9999, 2, MC_POOL_MAX, MC_POOL_MAX},
	    /* no CPU count: one */
	    {0, 1000, 0, 0, 1, MC_POOL_MAX},
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
		struct mc_pool_plan p = mc_pool_plan_grow(cases[i].conns, cases[i].per_worker,
							  cases[i].workers, cases[i].ncpu);
		assert_int_equal(p.initial, cases[i].initial);
		assert_int_equal(p.max, cases[i].max);
	}
}

static void test_plan_fixed(void **state)
{
	static const struct {
		uint64_t conns, per_worker;
		unsigned workers, ncpu, n;
	} cases[] = {
	    {100000, 1000, 7, 2, 7},
	    {100000, 1000, 9999, 2, MC_POOL_MAX},
	    /* fits in one table: one per CPU */
	    {500, 1000, 0, 4, 4},
	    /* needs more tables than CPUs: one per table */
	    {1000000, 20000, 0, 4, 50},
	    {1000001, 20000, 0, 4, 51},
	    /* fewer connections than CPUs: one worker per connection */
	    {3, 1000, 0, 8, 3},
	    {0, 1000, 0, 8, 1},
	    /* never past the pool */
	    {100000000, 1000, 0, 4, MC_POOL_MAX},
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++)
		assert_int_equal(mc_pool_plan_fixed(cases[i].conns, cases[i].per_worker,
						    cases[i].workers, cases[i].ncpu),
				 cases[i].n);
}

static void test_worker_room(void **state)
{
	(void)state;
	/* starting: a whole table, whatever it holds */
	assert_int_equal(mc_pool_worker_room(0, false, false, 0, 0, 1016), 1016);
	/* ready and accepting: what its table has left */
	assert_int_equal(mc_pool_worker_room(1, true, false, 16, 1016, 1016), 1000);
	assert_int_equal(mc_pool_worker_room(1, true, false, 1016, 1016, 1016), 0);
	assert_int_equal(mc_pool_worker_room(1, true, false, 2000, 1016, 1016), 0);
	/* left the accepting set (full), or failed: none */
	assert_int_equal(mc_pool_worker_room(1, false, false, 16, 1016, 1016), 0);
	/* paused (ENFILE, an --accept-rate budget), not full: its room
	 * counts, so the pool does not grow for it */
	assert_int_equal(mc_pool_worker_room(1, false, true, 16, 1016, 1016), 1000);
	assert_int_equal(mc_pool_worker_room(1, false, true, 1016, 1016, 1016), 0);
	assert_int_equal(mc_pool_worker_room(-12, true, false, 0, 1016, 1016), 0);
}

static void test_should_grow(void **state)
{
	(void)state;
	/* less than two tables of room: grow */
	assert_true(mc_pool_should_grow(2, 10, 1999, 1000));
	assert_false(mc_pool_should_grow(2, 10, 2000, 1000));
	/* no more than max */
	assert_false(mc_pool_should_grow(10, 10, 0, 1000));
	assert_false(mc_pool_should_grow(11, 10, 0, 1000));
	assert_true(mc_pool_should_grow(0, 1, 0, 1000));
	/* a pool of 2 CPUs, tables of 1,000: both ready, 900 held each, room
	 * 200: grow; a third starting adds a whole table, 1,200: grow again;
	 * a fourth starting, 2,200: enough */
	uint64_t room = mc_pool_worker_room(1, true, false, 900, 1000, 1000) +
			mc_pool_worker_room(1, true, false, 900, 1000, 1000);
	assert_int_equal(room, 200);
	assert_true(mc_pool_should_grow(2, 51, room, 1000));
	room += mc_pool_worker_room(0, false, false, 0, 0, 1000);
	assert_true(mc_pool_should_grow(3, 51, room, 1000));
	room += mc_pool_worker_room(0, false, false, 0, 0, 1000);
	assert_false(mc_pool_should_grow(4, 51, room, 1000));
}

/* Two idle workers with tables of 1,000 (two tables of room: no growth);
 * one pauses (the system's file
 * limit, ENFILE): it leaves the accepting set, but the pool's room stays,
 * so the pool adds no worker that could not take more either. A worker
 * that leaves the set full takes its room with it. */
static void test_pause_keeps_room(void **state)
{
	struct mc_pool p = {.table = 1000, .wakefd = -1, .grows = true};
	struct mc_pool_worker w[2];

	(void)state;
	memset(w, 0, sizeof(w));
	atomic_store(&p.max, 4);
	atomic_store(&p.n, 2);
	for (int i = 0; i < 2; i++) {
		w[i].pool = &p;
		atomic_store(&w[i].state, 1);
		atomic_store(&w[i].held, 0);
		atomic_store(&w[i].cap, 1000);
		mc_pool_accept_start(&w[i]);
		p.w[i] = &w[i];
	}
	assert_int_equal(mc_pool_room(&p), 2000);
	assert_false(mc_pool_should_grow(2, 4, mc_pool_room(&p), p.table));

	mc_pool_pause(&w[0], true);
	assert_false(atomic_load(&w[0].accepting));
	assert_int_equal(atomic_load(&p.accepting), 1);
	assert_int_equal(mc_pool_room(&p), 2000);
	assert_false(mc_pool_should_grow(2, 4, mc_pool_room(&p), p.table));

	/* the pause ends: back in the set, the same room */
	assert_true(mc_pool_accept_resume(&w[0]));
	mc_pool_pause(&w[0], false);
	assert_int_equal(atomic_load(&p.accepting), 2);
	assert_int_equal(mc_pool_room(&p), 2000);

	/* full: out of the set with no room; now the pool grows */
	atomic_store(&w[1].held, 1000);
	atomic_store(&w[0].held, 1000);
	assert_int_equal(mc_pool_room(&p), 0);
	assert_true(mc_pool_should_grow(2, 4, mc_pool_room(&p), p.table));
}

/* Two workers ready and one that started but could not set itself up
 * (no file for its epoll at fs.file-max): its room is 0, so the room is
 * below two tables, yet the pool adds no worker (the next would meet the
 * same refusal) and stops growing for good. Before this, the main thread
 * started another every 20 ms, up to 4,096. */
static void test_failed_worker_stops_growth(void **state)
{
	struct mc_pool p = {.table = 1000, .wakefd = -1, .grows = true};
	struct mc_pool_worker w[3];

	(void)state;
	memset(w, 0, sizeof(w));
	atomic_store(&p.max, 4096);
	atomic_store(&p.n, 3);
	for (int i = 0; i < 3; i++) {
		w[i].pool = &p;
		w[i].id = (unsigned)i;
		atomic_store(&w[i].state, i < 2 ? 1 : -ENFILE);
		atomic_store(&w[i].held, 150);
		atomic_store(&w[i].cap, 1000);
		if (i < 2)
			mc_pool_accept_start(&w[i]);
		p.w[i] = &w[i];
	}
	assert_int_equal(mc_pool_room(&p), 1700);
	assert_true(mc_pool_should_grow(3, 4096, mc_pool_room(&p), p.table));
	assert_int_equal(mc_pool_grow(&p), -1);
	assert_int_equal(mc_pool_count(&p), 3);
	assert_int_equal(atomic_load(&p.max), 3);
	assert_int_equal(mc_pool_grow(&p), -1);
	assert_int_equal(mc_pool_count(&p), 3);
}

static void test_has_room(void **state)
{
	(void)state;
	/* a full worker joins the accepting set again at 7/8 of its cap */
	assert_true(mc_pool_has_room(875, 1000));
	assert_false(mc_pool_has_room(876, 1000));
	assert_true(mc_pool_has_room(0, 1000));
	assert_true(mc_pool_has_room(0, 0));
	assert_false(mc_pool_has_room(1, 0));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_table_room),	cmocka_unit_test(test_plan_grow),
	    cmocka_unit_test(test_plan_fixed),	cmocka_unit_test(test_worker_room),
	    cmocka_unit_test(test_should_grow), cmocka_unit_test(test_has_room),
	    cmocka_unit_test(test_pause_keeps_room),
	    cmocka_unit_test(test_failed_worker_stops_growth),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
