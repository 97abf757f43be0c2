/* test_stats.c: per-worker stats merged on read (client and server), the
 * errno -> cause -> limit mapping the reports rely on, and the server's
 * summary keys derived from the causes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <cmocka.h>

#include "client/client.h"
#include "net/cause.h"
#include "server/server.h"

static void test_client_merge(void **state)
{
	struct mc_client_stats *a = calloc(1, sizeof(*a)), *b = calloc(1, sizeof(*b));

	(void)state;
	mc_hist_init(&a->connect_lat);
	mc_hist_init(&a->rtt);
	mc_hist_init(&b->connect_lat);
	mc_hist_init(&b->rtt);
	mc_hist_init(&a->connect_queue);
	mc_hist_init(&b->connect_queue);
	a->ramp_done = true;
	a->attempted = 10;
	a->established = 8;
	a->fail[MC_CAUSE_ADDRNOTAVAIL] = 2;
	mc_hist_add(&a->connect_lat, 100);
	b->ramp_done = true;
	b->attempted = 6; /* one still in flight */
	b->established = 4;
	b->open = 4;
	b->fail[MC_CAUSE_TIMEDOUT] = 1;
	b->lost[MC_CAUSE_RESET] = 3;
	b->echo_lost_bytes = 77;
	b->inflight = 1;
	b->msgs_skipped = 6;
	b->ports_skipped_bound = 2;
	b->ports_skipped_tuple = 3;
	b->stalls = 1;
	b->stall_max_ns = 500;
	a->stall_max_ns = 900;
	b->connects_late = 4;
	mc_hist_add(&b->connect_lat, 300);
	mc_hist_add(&b->connect_queue, 42);
	strcpy(b->first_error, "connect 127.0.0.1:9: boom");
	mc_client_stats_merge(a, b);
	assert_int_equal(a->attempted, 16);
	assert_int_equal(a->established, 12);
	assert_int_equal(a->open, 4);
	assert_int_equal(a->fail[MC_CAUSE_ADDRNOTAVAIL], 2);
	assert_int_equal(a->fail[MC_CAUSE_TIMEDOUT], 1);
	assert_int_equal(a->lost[MC_CAUSE_RESET], 3);
	assert_int_equal(a->echo_lost_bytes, 77);
	assert_int_equal(a->inflight, 1);
	assert_int_equal(a->msgs_skipped, 6);
	assert_int_equal(a->ports_skipped_bound, 2);
	assert_int_equal(a->ports_skipped_tuple, 3);
	assert_int_equal(a->stalls, 1);
	assert_int_equal(a->stall_max_ns, 900); /* the longest, not a sum */
	assert_int_equal(a->connects_late, 4);
	assert_int_equal(a->connect_queue.count, 1);
	assert_int_equal(a->connect_queue.max, 42);
	/* at the end: attempted = established + failed + in flight */
	assert_int_equal(a->attempted, a->established + mc_cause_sum(a->fail) + a->inflight);
	assert_int_equal(a->connect_lat.max, 300);
	assert_string_equal(a->first_error, "connect 127.0.0.1:9: boom");
	assert_true(a->ramp_done);
	/* the first error seen stays; ramp_done is an AND */
	strcpy(b->first_error, "later");
	b->ramp_done = false;
	mc_client_stats_merge(a, b);
	assert_string_equal(a->first_error, "connect 127.0.0.1:9: boom");
	assert_false(a->ramp_done);
	free(a);
	free(b);
}

static void test_server_merge(void **state)
{
	struct mc_server_stats a = {.accepted = 5, .held = 5, .refused[MC_CAUSE_EMFILE] = 1,
				    .bytes_in = 10};
	struct mc_server_stats b = {.accepted = 7, .held = 6, .closed[MC_CAUSE_PEER_CLOSED] = 1,
				    .refused[MC_CAUSE_MAX_CONNS] = 2, .bytes_in = 3, .bytes_out = 3,
				    .bytes_not_echoed = 4, .held_peak = 999};

	(void)state;
	mc_server_stats_merge(&a, &b);
	assert_int_equal(a.accepted, 12);
	assert_int_equal(a.held, 11);
	assert_int_equal(a.closed[MC_CAUSE_PEER_CLOSED], 1);
	assert_int_equal(a.refused[MC_CAUSE_EMFILE], 1);
	assert_int_equal(a.refused[MC_CAUSE_MAX_CONNS], 2);
	assert_int_equal(a.bytes_in, 13);
	assert_int_equal(a.bytes_out, 3);
	assert_int_equal(a.bytes_not_echoed, 4);
	assert_int_equal(a.held_peak, 0); /* not a sum: the caller's */
}

static void test_causes(void **state)
{
	(void)state;
	assert_string_equal(mc_cause_limit(mc_cause_from_errno(EADDRNOTAVAIL)), MC_LIMIT_PORTS);
	assert_string_equal(mc_cause_limit(mc_cause_from_errno(-EMFILE)), MC_LIMIT_FD_PROCESS);
	assert_string_equal(mc_cause_limit(mc_cause_from_errno(ENFILE)), MC_LIMIT_FD_SYSTEM);
	assert_string_equal(mc_cause_limit(mc_cause_from_errno(ETIMEDOUT)), MC_LIMIT_ACCEPTQ);
	assert_string_equal(mc_cause_limit(mc_cause_from_errno(ENOBUFS)), MC_LIMIT_MEMORY);
	assert_string_equal(mc_cause_limit(mc_cause_from_errno(ENOMEM)), MC_LIMIT_MEMORY);
	assert_null(mc_cause_limit(mc_cause_from_errno(ECONNREFUSED)));
	assert_null(mc_cause_limit(mc_cause_from_errno(ECONNRESET)));
	assert_int_equal(mc_cause_from_errno(EPIPE), MC_CAUSE_RESET);
	assert_int_equal(mc_cause_from_errno(12345), MC_CAUSE_OTHER);
	for (int k = 0; k < MC_CAUSE_COUNT; k++) {
		assert_non_null(mc_cause_key((enum mc_cause)k));
		assert_true(strlen(mc_cause_advice((enum mc_cause)k)) > 10);
	}
	assert_non_null(strstr(mc_cause_advice(MC_CAUSE_ADDRNOTAVAIL), "--source"));
	assert_non_null(strstr(mc_cause_advice(MC_CAUSE_TIMEDOUT), "somaxconn"));
}

/* The server's summary keeps its JSON keys, now derived from the causes. */
static void test_server_causes(void **state)
{
	uint64_t refused[MC_CAUSE_COUNT] = {0}, closed[MC_CAUSE_COUNT] = {0};
	struct mc_cause_count g[MC_CAUSE_COUNT];
	static const char *const rkeys[] = {"fd_limit",	  "max_conns",	   "memory",
					    "threads",	  "epoll_watches", "fd_system"};
	static const char *const ckeys[] = {"peer_closed", "ECONNRESET", "other"};

	(void)state;
	refused[MC_CAUSE_EMFILE] = 1;
	refused[MC_CAUSE_MAX_CONNS] = 2;
	refused[MC_CAUSE_NOMEM] = 3;
	refused[MC_CAUSE_THREADS] = 4;
	refused[MC_CAUSE_WATCHES] = 5;
	refused[MC_CAUSE_ENFILE] = 6;
	assert_int_equal(mc_cause_server_refused(refused, g), 6);
	for (int i = 0; i < 6; i++) {
		assert_string_equal(g[i].key, rkeys[i]);
		assert_int_equal(g[i].n, (uint64_t)i + 1);
	}
	closed[MC_CAUSE_PEER_CLOSED] = 10;
	closed[MC_CAUSE_RESET] = 20;
	closed[MC_CAUSE_OTHER] = 1;
	closed[MC_CAUSE_TIMEDOUT] = 2; /* no key of its own: under other */
	closed[MC_CAUSE_NOMEM] = 4;
	assert_int_equal(mc_cause_server_closed(closed, g), 3);
	for (int i = 0; i < 3; i++)
		assert_string_equal(g[i].key, ckeys[i]);
	assert_int_equal(g[0].n, 10);
	assert_int_equal(g[1].n, 20);
	assert_int_equal(g[2].n, 7);
	/* the limit the server names: threads, system files, fd, watches,
	 * memory; never
	 * --max-conns */
	assert_int_equal(mc_cause_server_limit(refused), MC_CAUSE_THREADS);
	assert_string_equal(mc_cause_limit(MC_CAUSE_THREADS), MC_LIMIT_THREADS);
	refused[MC_CAUSE_THREADS] = 0;
	/* the system's files before a table's: no table would help */
	assert_int_equal(mc_cause_server_limit(refused), MC_CAUSE_ENFILE);
	assert_string_equal(mc_cause_limit(MC_CAUSE_ENFILE), MC_LIMIT_FD_SYSTEM);
	refused[MC_CAUSE_ENFILE] = 0;
	assert_int_equal(mc_cause_server_limit(refused), MC_CAUSE_EMFILE);
	refused[MC_CAUSE_EMFILE] = 0;
	assert_int_equal(mc_cause_server_limit(refused), MC_CAUSE_WATCHES);
	refused[MC_CAUSE_WATCHES] = 0;
	assert_int_equal(mc_cause_server_limit(refused), MC_CAUSE_NOMEM);
	refused[MC_CAUSE_NOMEM] = 0;
	assert_int_equal(mc_cause_server_limit(refused), MC_CAUSE_COUNT);
	assert_null(mc_cause_limit(MC_CAUSE_MAX_CONNS));
	/* the server's own causes never come from an errno (so never in the
	 * client's counts) */
	for (int e = 1; e < 200; e++) {
		assert_int_not_equal(mc_cause_from_errno(e), MC_CAUSE_MAX_CONNS);
		assert_int_not_equal(mc_cause_from_errno(e), MC_CAUSE_THREADS);
	}
}

static void test_port_ceiling(void **state)
{
	struct mc_endpoint_range dst[2];
	struct mc_addr_range src[2];
	struct mc_err err;
	struct mc_client_config cfg = {.dst = dst, .src = src};

	(void)state;
	assert_int_equal(mc_parse_endpoint("127.0.0.1:9000-9003", false, &dst[0], &err), 0);
	assert_int_equal(mc_parse_endpoint("127.0.0.1:9100", false, &dst[1], &err), 0);
	cfg.ndst = 2;
	/* no --source: one source (the kernel's pick) */
	assert_int_equal(mc_client_pairs(&cfg), 5);
	assert_int_equal(mc_client_port_ceiling(&cfg, 28232), 5 * 28232);
	assert_int_equal(mc_parse_addr_range("127.0.0.2-127.0.0.11", &src[0], &err), 0);
	assert_int_equal(mc_parse_addr_range("127.0.1.0/30", &src[1], &err), 0);
	cfg.nsrc = 2;
	assert_int_equal(mc_client_nsrc(&cfg), 12);
	assert_int_equal(mc_client_ndst(&cfg), 5);
	assert_int_equal(mc_client_port_ceiling(&cfg, 200), 12 * 5 * 200);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_client_merge),
		cmocka_unit_test(test_server_merge),
		cmocka_unit_test(test_causes),
		cmocka_unit_test(test_server_causes),
		cmocka_unit_test(test_port_ceiling),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
