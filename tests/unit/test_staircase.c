/* test_staircase.c: the probe's staircase (probe/staircase.c), pure
 * functions of the flags, the host and the last step: the first scenario,
 * and the lift after each limit, until a limit the probe cannot lift. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "limits/limits.h"
#include "probe/staircase.h"

static const struct mc_probe_host host = {
	.port_lo = 40000, .port_hi = 40999, .somaxconn = 4096, .nofile = 1024};

/* --staircase --target 100k: the seeds' naive program in a fresh namespace */
static void stair_config(struct mc_probe_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->target = 100000;
	cfg->dest_ports = 1;
	cfg->staircase = true;
}

/* The first scenario of --staircase --target 100k with this model and
 * backlog (0: the default), in a fresh namespace. */
static struct mc_probe_scenario seed(enum mc_model model, uint64_t backlog)
{
	struct mc_probe_config cfg;
	struct mc_probe_scenario sc;

	stair_config(&cfg);
	cfg.model = model;
	cfg.backlog = backlog;
	mc_probe_first_scenario(&cfg, &host, &sc);
	return sc;
}

/* Lift after a step of scenario sc that stopped (stop) at limit id; the
 * next scenario in *next, what changed in what (200 bytes). */
static bool lift_after(const struct mc_probe_scenario *sc, enum mc_probe_stop stop,
		       const char *id, struct mc_probe_scenario *next, char *what)
{
	struct mc_probe_step st;

	memset(&st, 0, sizeof(st));
	st.sc = *sc;
	st.stop = stop;
	snprintf(st.limit_id, sizeof(st.limit_id), "%s", id);
	return mc_probe_lift(&st, next, what, 200);
}

static void test_first_staircase(void **state)
{
	struct mc_probe_config cfg;
	struct mc_probe_scenario sc;

	(void)state;
	stair_config(&cfg);
	mc_probe_first_scenario(&cfg, &host, &sc);
	assert_int_equal(sc.model, MC_MODEL_EPOLL);
	assert_int_equal(sc.sources, 1);
	assert_int_equal(sc.dest_ports, 1);
	/* a new namespace: the kernel's default range, not the host's */
	assert_int_equal(sc.port_lo, 32768);
	assert_int_equal(sc.port_hi, 60999);
	assert_true(sc.one_table);
	assert_int_equal(sc.fd_limit, 1024);
	assert_int_equal(sc.backlog, 65535);
	assert_int_equal(sc.target, 100000);
}

static void test_first_plain(void **state)
{
	struct mc_probe_config cfg = {.target = 100000, .dest_ports = 1};
	struct mc_probe_scenario sc;

	(void)state;
	mc_probe_first_scenario(&cfg, &host, &sc);
	/* enough sources for the target with a pair to spare (the client fills
	 * a pair to its last port at full speed), private tables */
	assert_int_equal(sc.sources, 5);
	assert_false(sc.one_table);
	/* on the host (--no-netns): its range and somaxconn */
	cfg.host = true;
	mc_probe_first_scenario(&cfg, &host, &sc);
	assert_int_equal(sc.port_lo, 40000);
	assert_int_equal(sc.port_hi, 40999);
	assert_int_equal(sc.backlog, 4096);
	assert_int_equal(sc.sources, 101); /* 1000 ports per pair on this host */
	/* the user's flags win */
	cfg.port_lo = 50000;
	cfg.port_hi = 50099;
	cfg.backlog = 128;
	cfg.fd_limit = 2000;
	cfg.sources = 3;
	mc_probe_first_scenario(&cfg, &host, &sc);
	assert_int_equal(sc.port_lo, 50000);
	assert_int_equal(sc.port_hi, 50099);
	assert_int_equal(sc.backlog, 128);
	assert_int_equal(sc.fd_limit, 2000);
	assert_true(sc.one_table);
	assert_int_equal(sc.sources, 3);
}

/* Not root, so no namespace: the steps run on the host's loopback, and the
 * step line must show its somaxconn and port range, not a new namespace's
 * (it said "backlog 65535" while somaxconn was 4096). */
static void test_first_without_netns(void **state)
{
	struct mc_probe_config cfg = {.target = 100000, .dest_ports = 1};
	struct mc_probe_host h = host;
	struct mc_probe_scenario sc;

	(void)state;
	h.no_netns = true;
	mc_probe_first_scenario(&cfg, &h, &sc);
	assert_int_equal(sc.backlog, 4096);
	assert_int_equal(sc.port_lo, 40000);
	assert_int_equal(sc.port_hi, 40999);
	stair_config(&cfg);
	mc_probe_first_scenario(&cfg, &h, &sc);
	assert_int_equal(sc.backlog, 4096);
	assert_int_equal(sc.port_lo, 40000);
}

/* ports: the range to 1024-65535 when that reaches the target (or the
 * target is max), else straight to more source addresses */
static void test_lift_ports(void **state)
{
	struct mc_probe_scenario sc = seed(MC_MODEL_EPOLL, 0), next;
	char what[200];

	(void)state;
	/* 100k: one pair of 64512 would not do; 28232-port pairs for 100k and
	 * one to spare */
	assert_true(lift_after(&sc, MC_PROBE_LIMIT, MC_LIMIT_PORTS, &next, what));
	assert_int_equal(next.port_lo, 32768);
	assert_int_equal(next.port_hi, 60999);
	assert_int_equal(next.sources, 5);
	assert_non_null(strstr(what, "more source addresses: 5"));
	/* ports again (skipped ports, say): now the range reaches it */
	sc = next;
	assert_true(lift_after(&sc, MC_PROBE_LIMIT, MC_LIMIT_PORTS, &next, what));
	assert_int_equal(next.port_lo, 1024);
	assert_int_equal(next.sources, 5);
	/* and again: at least twice as many sources */
	sc = next;
	assert_true(lift_after(&sc, MC_PROBE_LIMIT, MC_LIMIT_PORTS, &next, what));
	assert_int_equal(next.sources, 10);

	/* 50k: the seed's own lift, the range, is enough */
	sc = seed(MC_MODEL_EPOLL, 0);
	sc.target = 50000;
	assert_true(lift_after(&sc, MC_PROBE_LIMIT, MC_LIMIT_PORTS, &next, what));
	assert_int_equal(next.port_lo, 1024);
	assert_int_equal(next.port_hi, 65535);
	assert_int_equal(next.sources, 1);
	assert_non_null(strstr(what, "1024-65535"));
	/* then sources: 50k over 64512-port pairs, one to spare */
	sc = next;
	assert_true(lift_after(&sc, MC_PROBE_LIMIT, MC_LIMIT_PORTS, &next, what));
	assert_int_equal(next.sources, 2);

	/* max: the range first, then 8 times the sources */
	sc = seed(MC_MODEL_EPOLL, 0);
	sc.target = MC_LIMITS_NONE;
	assert_true(lift_after(&sc, MC_PROBE_LIMIT, MC_LIMIT_PORTS, &next, what));
	assert_int_equal(next.port_lo, 1024);
	sc = next;
	assert_true(lift_after(&sc, MC_PROBE_LIMIT, MC_LIMIT_PORTS, &next, what));
	assert_int_equal(next.sources, 8);
}

/* fd_process: private fd tables, once */
static void test_lift_fd(void **state)
{
	struct mc_probe_scenario sc = seed(MC_MODEL_EPOLL, 0), next;
	char what[200];

	(void)state;
	assert_true(lift_after(&sc, MC_PROBE_LIMIT, MC_LIMIT_FD_PROCESS, &next, what));
	assert_false(next.one_table);
	assert_int_equal(next.fd_limit, 1024);
	assert_non_null(strstr(what, "private fd tables"));
	/* already private: nothing left to lift */
	sc = next;
	assert_false(lift_after(&sc, MC_PROBE_LIMIT, MC_LIMIT_FD_PROCESS, &next, what));
}

/* accept_queue: a 16x backlog, up to 65535 */
static void test_lift_accept_queue(void **state)
{
	static const uint64_t backlogs[] = {2048, 32768, 65535};
	struct mc_probe_scenario sc = seed(MC_MODEL_EPOLL, 128), next;
	char what[200];

	(void)state;
	for (size_t i = 0; i < sizeof(backlogs) / sizeof(backlogs[0]); i++) {
		assert_true(lift_after(&sc, MC_PROBE_LIMIT, MC_LIMIT_ACCEPTQ, &next, what));
		assert_int_equal(next.backlog, backlogs[i]);
		sc = next;
	}
	assert_non_null(strstr(what, "65535"));
	assert_false(lift_after(&sc, MC_PROBE_LIMIT, MC_LIMIT_ACCEPTQ, &next, what));
}

/* middlebox_ports (--via snat): a NAT address more each time, and client
 * addresses enough for the pool (netfilter hashes them onto it: 8 a NAT
 * address); without the probe's router (nat_addrs 0) nothing to lift */
static void test_lift_middlebox(void **state)
{
	struct mc_probe_config cfg;
	struct mc_probe_scenario sc, next;
	char what[200];

	(void)state;
	stair_config(&cfg);
	cfg.via_snat = true;
	mc_probe_first_scenario(&cfg, &host, &sc);
	assert_int_equal(sc.nat_addrs, 1);
	assert_int_equal(sc.sources, 1);
	assert_true(lift_after(&sc, MC_PROBE_LIMIT, MC_LIMIT_MIDDLEBOX, &next, what));
	assert_int_equal(next.nat_addrs, 2);
	assert_int_equal(next.sources, 16);
	assert_non_null(strstr(what, "snat to 10.231.2.1-10.231.2.2"));
	sc = next;
	assert_true(lift_after(&sc, MC_PROBE_LIMIT, MC_LIMIT_MIDDLEBOX, &next, what));
	assert_int_equal(next.nat_addrs, 3);
	assert_int_equal(next.sources, 24);
	sc.nat_addrs = 0;
	assert_false(lift_after(&sc, MC_PROBE_LIMIT, MC_LIMIT_MIDDLEBOX, &next, what));
	/* --via nginx: proxy_bind over two addresses, once */
	cfg.via_snat = false;
	cfg.via_nginx = true;
	mc_probe_first_scenario(&cfg, &host, &sc);
	assert_int_equal(sc.nat_addrs, 0);
	assert_int_equal(sc.proxy_binds, 1);
	assert_true(lift_after(&sc, MC_PROBE_LIMIT, MC_LIMIT_MIDDLEBOX, &next, what));
	assert_int_equal(next.proxy_binds, 2);
	assert_non_null(strstr(what, "proxy_bind over two source addresses"));
	sc = next;
	assert_false(lift_after(&sc, MC_PROBE_LIMIT, MC_LIMIT_MIDDLEBOX, &next, what));
}

/* threads: epoll instead of a thread per connection */
static void test_lift_threads(void **state)
{
	struct mc_probe_scenario sc = seed(MC_MODEL_THREADS, 0), next;
	char what[200];

	(void)state;
	assert_int_equal(sc.model, MC_MODEL_THREADS);
	assert_true(lift_after(&sc, MC_PROBE_LIMIT, MC_LIMIT_THREADS, &next, what));
	assert_int_equal(next.model, MC_MODEL_EPOLL);
	assert_non_null(strstr(what, "--model epoll"));
	/* epoll already: nothing to lift */
	sc = next;
	assert_false(lift_after(&sc, MC_PROBE_LIMIT, MC_LIMIT_THREADS, &next, what));
}

/* host-wide limits end it with the scenario unchanged; so does a step
 * that did not stop at a limit */
static void test_lift_ends(void **state)
{
	static const char *const hostwide[] = {MC_LIMIT_MEMORY, MC_LIMIT_FD_SYSTEM,
					       MC_LIMIT_CONNTRACK};
	static const enum mc_probe_stop stops[] = {MC_PROBE_TARGET, MC_PROBE_RESERVE,
						   MC_PROBE_TIMEOUT, MC_PROBE_INTERRUPTED,
						   MC_PROBE_FAILED};
	struct mc_probe_scenario sc = seed(MC_MODEL_EPOLL, 0), next;
	char what[200] = "";

	(void)state;
	for (size_t i = 0; i < sizeof(hostwide) / sizeof(hostwide[0]); i++) {
		assert_false(lift_after(&sc, MC_PROBE_LIMIT, hostwide[i], &next, what));
		assert_int_equal(next.port_lo, sc.port_lo);
		assert_int_equal(next.sources, sc.sources);
		assert_int_equal(next.backlog, sc.backlog);
		assert_true(next.one_table);
		assert_int_equal(next.model, sc.model);
	}
	/* a limit that could be lifted, but the step did not stop at it */
	for (size_t i = 0; i < sizeof(stops) / sizeof(stops[0]); i++)
		assert_false(lift_after(&sc, stops[i], MC_LIMIT_PORTS, &next, what));
	assert_string_equal(what, "");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_first_staircase), cmocka_unit_test(test_first_plain),
		cmocka_unit_test(test_lift_ports),	cmocka_unit_test(test_lift_fd),
		cmocka_unit_test(test_lift_accept_queue),
		cmocka_unit_test(test_lift_middlebox), cmocka_unit_test(test_lift_threads),
		cmocka_unit_test(test_lift_ends), cmocka_unit_test(test_first_without_netns),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
