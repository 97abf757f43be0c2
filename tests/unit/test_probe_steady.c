/* test_probe_steady.c: the probe's steady-state window (probe/steady.c),
 * the pure step from two snapshots to figures: rates over the window, the
 * round trips taken in it only (those before it subtracted), server CPU
 * per 1,000 messages, context switches that went back (threads ended)
 * counted as 0, memory per connection against the step's start, and a
 * window with no message or no server. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "common/clock.h"
#include "probe/steady.h"

static struct mc_probe_window_snap a, b;
static const struct mc_probe_window_base base = {
	.slab_total = 100 << 20, .kernel_stack = 1 << 20, .server_rss = 4 << 20,
	.server_pte = 64 << 10};

/* 1,000 connections, 1 s heartbeat, a 10 s window: 10,000 messages, the
 * server spending 50 ticks (100 per second) */
static void fill(void)
{
	memset(&a, 0, sizeof(a));
	mc_hist_init(&a.rtt);
	/* the ramp's round trips: slow, and all before the window */
	for (int i = 0; i < 500; i++)
		mc_hist_add(&a.rtt, 50 * MC_NS_PER_MS);
	a.t_ns = 100 * MC_NS_PER_SEC;
	a.client_ns = 20 * MC_NS_PER_SEC;
	a.msgs_sent = a.msgs_returned = 5000;
	a.conns = a.server_held = 1000;
	a.server = true;
	a.proc = (struct mc_proc_pid){.cpu_ticks = 300, .threads = 4, .ctxt_switches = 7000};
	b = a;
	for (int i = 0; i < 10000; i++)
		mc_hist_add(&b.rtt, (uint64_t)(i < 9900 ? 60 : 2000) * MC_NS_PER_US);
	b.t_ns = a.t_ns + 10 * MC_NS_PER_SEC;
	b.client_ns = a.client_ns + 10 * MC_NS_PER_SEC;
	b.msgs_sent = a.msgs_sent + 10010;
	b.msgs_returned = a.msgs_returned + 10000;
	b.proc.cpu_ticks = a.proc.cpu_ticks + 50;
	b.proc.ctxt_switches = a.proc.ctxt_switches + 6370;
	b.proc.threads = 4;
	b.proc.pte = base.server_pte + 4096;
	b.server_rss = base.server_rss + 36900;
	b.slab_total = base.slab_total + 7266000;
	b.kernel_stack = base.kernel_stack + 176000;
}

static void test_window(void **state)
{
	struct mc_probe_steady w;

	(void)state;
	fill();
	mc_probe_steady_compute(&base, &a, &b, 100, 2 * MC_NS_PER_SEC, MC_NS_PER_SEC, &w);
	assert_true(w.ran);
	assert_true(fabs(w.seconds - 10) < 1e-9);
	assert_true(fabs(w.settle_s - 2) < 1e-9 && fabs(w.heartbeat_s - 1) < 1e-9);
	assert_int_equal(w.msgs, 10000);
	assert_true(fabs(w.msgs_per_s - 1000) < 1e-9);
	assert_true(fabs(w.sent_per_s - 1001) < 1e-9);
	/* only the window's round trips: none of the ramp's 50 ms */
	assert_int_equal(w.rtt_count, 10000);
	assert_true(w.rtt_p50_us >= 58 && w.rtt_p50_us <= 62);
	assert_true(w.rtt_p99_us >= 58 && w.rtt_p99_us <= 62);
	/* max: the top of its bucket, within 1/32 */
	assert_true(w.rtt_max_us >= 2000 && w.rtt_max_us <= 2000 + 2000 / 32);
	/* 50 ticks at 100/s = 500 ms for 10,000 messages */
	assert_true(w.server);
	assert_true(fabs(w.cpu_ms - 500) < 1e-9);
	assert_true(fabs(w.cpu_ms_per_1k - 50) < 1e-9);
	assert_true(fabs(w.ctx_per_s - 637) < 1e-9);
	assert_int_equal(w.threads, 4);
	assert_int_equal(w.held, 1000);
	assert_true(fabs(w.user_per_conn - 36.9) < 1e-9);
	assert_true(fabs(w.slab_per_conn - 7266) < 1e-9);
	assert_true(fabs(w.kstack_pt_per_conn - 180.096) < 1e-9);
}

/* The client's counts come from its ticks: the rate is over its clock. */
static void test_client_clock(void **state)
{
	struct mc_probe_steady w;

	(void)state;
	fill();
	b.client_ns = a.client_ns + 8 * MC_NS_PER_SEC;
	mc_probe_steady_compute(&base, &a, &b, 100, 0, MC_NS_PER_SEC, &w);
	assert_true(fabs(w.msgs_per_s - 1250) < 1e-9);
	/* no client tick in between: the probe's clock */
	b.client_ns = a.client_ns;
	mc_probe_steady_compute(&base, &a, &b, 100, 0, MC_NS_PER_SEC, &w);
	assert_true(fabs(w.msgs_per_s - 1000) < 1e-9);
}

static void test_no_traffic_no_server(void **state)
{
	struct mc_probe_steady w;

	(void)state;
	fill();
	b.msgs_sent = a.msgs_sent;
	b.msgs_returned = a.msgs_returned;
	b.rtt = a.rtt;
	/* threads ended in the window: their switches left the sum */
	b.proc.ctxt_switches = a.proc.ctxt_switches - 100;
	mc_probe_steady_compute(&base, &a, &b, 100, 0, 0, &w);
	assert_int_equal(w.msgs, 0);
	assert_int_equal(w.rtt_count, 0);
	assert_true(w.rtt_p50_us == 0);
	assert_true(isnan(w.cpu_ms_per_1k));
	assert_true(w.ctx_per_s == 0);
	/* the server could not be read at the end: no server figures, the
	 * memory per connection divides by the client's count */
	b.server = false;
	b.server_held = 0;
	b.conns = 500;
	mc_probe_steady_compute(&base, &a, &b, 100, 0, 0, &w);
	assert_false(w.server);
	assert_true(w.cpu_ms == 0 && w.threads == 0);
	assert_int_equal(w.held, 500);
	assert_true(fabs(w.slab_per_conn - 14532) < 1e-9);
	assert_true(fabs(w.kstack_pt_per_conn - 352) < 1e-9);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_window),
		cmocka_unit_test(test_client_clock),
		cmocka_unit_test(test_no_traffic_no_server),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
