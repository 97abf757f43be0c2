/* test_metrics.c: the Prometheus text format: the writer (escaping,
 * numbers, histograms cumulative with +Inf = _count), the reader (what the
 * writer wrote reads back; node_exporter's lines; no read past the end of
 * the buffer), and the server's and client's families from their stats
 * (the client's by cause: every cause a client counts, in any enum order). */
#include <errno.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include <cmocka.h>

#include "client/client_metrics.h"
#include "metrics/prom.h"
#include "metrics/text.h"
#include "server/server_metrics.h"

static double value_of(const char *text, const char *name, const char *key, const char *val)
{
	double v;
	assert_int_equal(mc_prom_sum(text, name, key, val, &v), 1);
	return v;
}

static void test_writer(void **state)
{
	struct mc_prom p;
	const char *pos;
	struct mc_prom_line l;
	char buf[64];

	(void)state;
	mc_prom_init(&p);
	mc_prom_family(&p, "x_total", "counter", "a help with \\ and\nnewline");
	mc_prom_sample(&p, "x_total", MC_PROM_LABELS("cause", "a\"b\\c\nd", "limit", NULL), 3);
	mc_prom_gauge(&p, "y", "a gauge", 0.1);
	mc_prom_gauge(&p, "big", "exact", 4294967295.0);
	mc_prom_gauge(&p, "nan", "not a number", NAN);
	mc_prom_gauge(&p, "inf", "infinite", INFINITY);
	assert_int_equal(p.err, 0);
	assert_non_null(strstr(p.buf, "# HELP x_total a help with \\\\ and\\nnewline\n"));
	assert_non_null(strstr(p.buf, "# TYPE x_total counter\n"));
	/* a NULL label value leaves the label out */
	assert_non_null(strstr(p.buf, "x_total{cause=\"a\\\"b\\\\c\\nd\"} 3\n"));
	assert_non_null(strstr(p.buf, "\ny 0.1\n"));
	assert_non_null(strstr(p.buf, "\nbig 4294967295\n"));
	assert_non_null(strstr(p.buf, "\nnan NaN\n"));
	assert_non_null(strstr(p.buf, "\ninf +Inf\n"));
	/* and reads back */
	pos = p.buf;
	assert_true(mc_prom_next(&pos, &l));
	assert_int_equal(l.name_len, 7);
	assert_true(mc_prom_label(&l, "cause", buf, sizeof(buf)));
	assert_string_equal(buf, "a\"b\\c\nd");
	assert_false(mc_prom_label(&l, "limit", buf, sizeof(buf)));
	assert_true(l.value == 3);
	assert_true(value_of(p.buf, "y", NULL, NULL) == 0.1);
	assert_true(isnan(value_of(p.buf, "nan", NULL, NULL)));
	assert_true(isinf(value_of(p.buf, "inf", NULL, NULL)));
	mc_prom_free(&p);
}

static void test_hist(void **state)
{
	struct mc_prom p;
	struct mc_hist h;
	const char *pos;
	struct mc_prom_line l;
	double last = -1, count, sum;
	int buckets = 0;

	(void)state;
	mc_hist_init(&h);
	for (int i = 0; i < 100; i++)
		mc_hist_add(&h, 200000); /* 200 us */
	for (int i = 0; i < 10; i++)
		mc_hist_add(&h, 3000000000ull); /* 3 s */
	mc_prom_init(&p);
	mc_prom_family(&p, "lat_seconds", "histogram", "latency");
	mc_prom_hist(&p, "lat_seconds", MC_PROM_LABELS("role", "client"), &h,
		     mc_prom_latency_bounds, mc_prom_latency_nbounds);
	assert_int_equal(p.err, 0);
	/* cumulative: 0 below 200 us, 100 from 250 us, 110 from 5 s */
	assert_true(value_of(p.buf, "lat_seconds_bucket", "le", "0.0001") == 0);
	assert_true(value_of(p.buf, "lat_seconds_bucket", "le", "0.00025") == 100);
	assert_true(value_of(p.buf, "lat_seconds_bucket", "le", "2.5") == 100);
	assert_true(value_of(p.buf, "lat_seconds_bucket", "le", "5") == 110);
	count = value_of(p.buf, "lat_seconds_count", "role", "client");
	assert_true(value_of(p.buf, "lat_seconds_bucket", "le", "+Inf") == count);
	assert_true(count == 110);
	sum = value_of(p.buf, "lat_seconds_sum", NULL, NULL);
	assert_true(fabs(sum - (100 * 200e-6 + 10 * 3.0)) < 1e-9);
	/* never decreasing, and every bucket carries the role label */
	pos = p.buf;
	while (mc_prom_next(&pos, &l)) {
		char role[16];
		assert_true(mc_prom_label(&l, "role", role, sizeof(role)));
		if (l.name_len != strlen("lat_seconds_bucket"))
			continue;
		assert_true(l.value >= last);
		last = l.value;
		buckets++;
	}
	assert_int_equal(buckets, (int)mc_prom_latency_nbounds + 1);
	mc_prom_free(&p);
}

static const char node_exporter[] =
	"# HELP node_sockstat_TCP_inuse Number of TCP sockets in state inuse.\n"
	"# TYPE node_sockstat_TCP_inuse gauge\n"
	"node_sockstat_TCP_inuse 1005\n"
	"node_memory_MemAvailable_bytes 2.3405752e+10\n"
	"node_netstat_TcpExt_ListenOverflows 17\n"
	"node_slabinfo_active_objects{slab=\"TCP\"} 2000\n"
	"node_slabinfo_active_objects{slab=\"dentry\"} 91000\n"
	"node_slabinfo_active_objects{slab=\"TCP\",x=\"y\"} 1\n"
	"garbage line without value\n"
	"  node_filefd_allocated   2208   1700000000000\n"
	"bad{unterminated=\"x 1\n"
	"node_nf_conntrack_entries_limit 262144";

static void test_reader(void **state)
{
	double v;

	(void)state;
	assert_true(value_of(node_exporter, "node_sockstat_TCP_inuse", NULL, NULL) == 1005);
	assert_true(value_of(node_exporter, "node_memory_MemAvailable_bytes", NULL, NULL) ==
		    23405752000.0);
	/* a timestamp after the value is ignored */
	assert_true(value_of(node_exporter, "node_filefd_allocated", NULL, NULL) == 2208);
	/* the last line has no newline */
	assert_true(value_of(node_exporter, "node_nf_conntrack_entries_limit", NULL, NULL) ==
		    262144);
	/* label match: both TCP lines, not dentry */
	assert_int_equal(mc_prom_sum(node_exporter, "node_slabinfo_active_objects", "slab", "TCP",
				     &v), 2);
	assert_true(v == 2001);
	assert_int_equal(mc_prom_sum(node_exporter, "node_sockstat", NULL, NULL, &v), 0);
	assert_int_equal(mc_prom_sum(node_exporter, "bad", NULL, NULL, &v), 0);
	assert_true(v == 0);
}

/* A series (a name and one label set, in any order) listed twice makes the
 * page malformed: no sum (it would double the figure); series that differ
 * in a label are summed; over MC_PROM_SUM_MAX series is no figure. */
static void test_reader_series(void **state)
{
	char *big = malloc(70 * 40);
	size_t w = 0;
	double v;

	(void)state;
	assert_int_equal(mc_prom_sum("m 8e9\nm 8e9\n", "m", NULL, NULL, &v), -EEXIST);
	assert_true(isnan(v));
	assert_int_equal(
	    mc_prom_sum("m{a=\"1\",b=\"2\"} 1\nm{b=\"2\", a=\"1\"} 1\n", "m", "a", "1", &v),
	    -EEXIST);
	assert_int_equal(
	    mc_prom_sum("m{a=\"1\",b=\"2\"} 1\nm{a=\"1\",b=\"3\"} 2\n", "m", "a", "1", &v), 2);
	assert_true(v == 3);
	/* a label set that is a part of the other's is another series */
	assert_int_equal(mc_prom_sum("m{a=\"1\"} 1\nm{a=\"1\",b=\"x\"} 2\n", "m", NULL, NULL, &v),
			 2);
	assert_int_equal(mc_prom_sum("m{a=\"1\",b=\"x\"} 1\nm{a=\"1\"} 2\n", "m", NULL, NULL, &v),
			 2);
	/* escapes in values compare as values */
	assert_int_equal(mc_prom_sum("m{a=\"x\\\"y\"} 1\nm{a=\"x\\\"y\"} 2\n", "m", NULL, NULL, &v),
			 -EEXIST);
	assert_non_null(big);
	for (int i = 0; i <= MC_PROM_SUM_MAX; i++)
		w += (size_t)sprintf(big + w, "m{i=\"%d\"} 1\n", i);
	assert_int_equal(mc_prom_sum(big, "m", NULL, NULL, &v), -E2BIG);
	assert_true(isnan(v));
	big[w - strlen("m{i=\"64\"} 1\n")] = '\0';
	assert_int_equal(mc_prom_sum(big, "m", NULL, NULL, &v), MC_PROM_SUM_MAX);
	assert_true(v == MC_PROM_SUM_MAX);
	free(big);
}

/* The reader on text that ends right before an unreadable page: any read
 * past the end crashes at once (picohttpparser's test). */
static void test_reader_bounds(void **state)
{
	static const char *const texts[] = {"a 1", "a{b=\"c\"} 2", "a{b=\"c\\", "a{", "# x",
					    "a", "a ", "a{b=\"c\"}"};
	long pg = sysconf(_SC_PAGESIZE);
	char *map = mmap(NULL, 2 * (size_t)pg, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
			 -1, 0);

	(void)state;
	assert_true(map != MAP_FAILED);
	assert_int_equal(mprotect(map + pg, (size_t)pg, PROT_NONE), 0);
	for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
		size_t n = strlen(texts[i]) + 1;
		char *s = map + pg - n;
		const char *pos = s;
		struct mc_prom_line l;
		char buf[8];
		memcpy(s, texts[i], n);
		while (mc_prom_next(&pos, &l))
			mc_prom_label(&l, "b", buf, sizeof(buf));
	}
	munmap(map, 2 * (size_t)pg);
}

static void test_server_families(void **state)
{
	struct mc_server_stats st = {0};
	struct mc_prom p;

	(void)state;
	st.held = 123;
	st.held_peak = 150;
	st.accepted = 200;
	st.refused[MC_CAUSE_EMFILE] = 5;
	st.refused[MC_CAUSE_MAX_CONNS] = 2;
	st.closed[MC_CAUSE_PEER_CLOSED] = 7;
	st.closed[MC_CAUSE_TIMEDOUT] = 1; /* no key of its own: "other" */
	st.rss_base = 1000;
	st.rss = 1000 + 150 * 20;
	mc_prom_init(&p);
	mc_server_metrics(&p, &st);
	assert_true(value_of(p.buf, "maxconn_server_connections_held", NULL, NULL) == 123);
	assert_true(value_of(p.buf, "maxconn_server_connections_refused_total", "cause",
			     "fd_limit") == 5);
	assert_true(value_of(p.buf, "maxconn_server_connections_refused_total", "limit",
			     "fd_process") == 5);
	assert_true(value_of(p.buf, "maxconn_server_connections_refused_total", "cause",
			     "max_conns") == 2);
	assert_true(value_of(p.buf, "maxconn_server_connections_closed_total", "cause", "other") ==
		    1);
	assert_true(value_of(p.buf, "maxconn_server_user_memory_bytes_per_connection", NULL,
			     NULL) == 20);
	mc_prom_free(&p);
}

static void test_client_families(void **state)
{
	struct mc_client_stats *st = calloc(1, sizeof(*st));
	struct mc_prom p;

	(void)state;
	assert_non_null(st);
	mc_hist_init(&st->connect_lat);
	mc_hist_init(&st->rtt);
	st->requested = 500;
	st->open = 480;
	st->fail[MC_CAUSE_ADDRNOTAVAIL] = 20;
	st->lost[MC_CAUSE_PEER_CLOSED] = 3;
	mc_hist_add(&st->connect_lat, 1500000); /* 1.5 ms */
	mc_prom_init(&p);
	mc_client_metrics(&p, st);
	assert_true(value_of(p.buf, "maxconn_client_connections_held", NULL, NULL) == 480);
	assert_true(value_of(p.buf, "maxconn_client_connections_requested", NULL, NULL) == 500);
	assert_true(value_of(p.buf, "maxconn_client_connects_failed_total", "limit",
			     "ephemeral_ports") == 20);
	assert_true(value_of(p.buf, "maxconn_client_connections_lost_total", "cause",
			     "peer_closed") == 3);
	assert_true(value_of(p.buf, "maxconn_client_connect_duration_seconds_bucket", "le",
			     "0.001") == 0);
	assert_true(value_of(p.buf, "maxconn_client_connect_duration_seconds_bucket", "le",
			     "0.0025") == 1);
	assert_true(value_of(p.buf, "maxconn_client_round_trip_seconds_count", NULL, NULL) == 0);
	mc_prom_free(&p);
	free(st);
}

/* The client's series by cause are every cause a client can count, each
 * once with its own count, wherever it stands in the enum: every cause an
 * errno maps to and peer_closed, none of the server's own refusals. */
static void test_client_causes(void **state)
{
	struct mc_client_stats *st = calloc(1, sizeof(*st));
	bool counted[MC_CAUSE_COUNT] = {false};
	int series = 0;
	struct mc_prom p;
	double v;

	(void)state;
	assert_non_null(st);
	for (int e = 0; e < 4096; e++)
		counted[mc_cause_from_errno(e)] = true;
	counted[MC_CAUSE_PEER_CLOSED] = true;
	counted[MC_CAUSE_PROTO] = true; /* --proto: the protocol's answer */
	mc_hist_init(&st->connect_lat);
	mc_hist_init(&st->rtt);
	for (int k = 0; k < MC_CAUSE_COUNT; k++) {
		st->fail[k] = 10 + (uint64_t)k;
		st->lost[k] = 100 + (uint64_t)k;
	}
	mc_prom_init(&p);
	mc_client_metrics(&p, st);
	for (int k = 0; k < MC_CAUSE_COUNT; k++) {
		const char *key = mc_cause_key((enum mc_cause)k);
		int n = mc_prom_sum(p.buf, "maxconn_client_connects_failed_total", "cause", key, &v);

		assert_int_equal(n, counted[k] ? 1 : 0);
		assert_true(!n || v == 10 + k);
		n = mc_prom_sum(p.buf, "maxconn_client_connections_lost_total", "cause", key, &v);
		assert_int_equal(n, counted[k] ? 1 : 0);
		assert_true(!n || v == 100 + k);
		assert_int_equal(mc_cause_server_only((enum mc_cause)k), !counted[k]);
		series += counted[k];
	}
	assert_int_equal(mc_prom_sum(p.buf, "maxconn_client_connects_failed_total", NULL, NULL, &v),
			 series);
	assert_int_equal(mc_prom_sum(p.buf, "maxconn_client_connects_failed_total", "cause",
				     "max_conns", &v),
			 0);
	assert_int_equal(mc_prom_sum(p.buf, "maxconn_client_connects_failed_total", "cause",
				     "other", &v),
			 1);
	mc_prom_free(&p);
	free(st);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_writer),	    cmocka_unit_test(test_hist),
	    cmocka_unit_test(test_reader),	    cmocka_unit_test(test_reader_series),
	    cmocka_unit_test(test_reader_bounds),   cmocka_unit_test(test_server_families),
	    cmocka_unit_test(test_client_families), cmocka_unit_test(test_client_causes),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
