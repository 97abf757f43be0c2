/* test_probe_serverside.c: the server host's side of a probe across hosts
 * (probe/serverside.c): what node_exporter's and a maxconn server's pages
 * say, the figures two readings give (sockets, kernel bytes per socket and
 * how, memory left, the projection), the limit they name, and the verdict
 * of a step that without them would only say "the server's own limit";
 * pages that lie (NaN, Inf, negative, 1e300, a series twice, an empty page,
 * another exporter's) give unknown figures with the reason, and the
 * reports convert no figure out of range (run under make asan: UBSan). */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "metrics/host.h"
#include "metrics/prom.h"
#include "common/fmt.h"
#include "metrics/text.h"
#include "probe/diagnose.h"
#include "probe/probe.h"
#include "probe/serverside.h"
#include "server/server_metrics.h"

/* A node_exporter page with sockets, slab caches and memory as given. */
static void node_page(char *buf, size_t len, double inuse, double tcp_objs, double avail,
		      double slab, double overflows, double ct)
{
	snprintf(buf, len,
		 "# HELP node_sockstat_TCP_inuse x\n# TYPE node_sockstat_TCP_inuse gauge\n"
		 "node_sockstat_TCP_inuse %.0f\n"
		 "node_memory_MemTotal_bytes 2.5e+10\n"
		 "node_memory_MemAvailable_bytes %.17g\n"
		 "node_memory_Slab_bytes %.17g\nnode_memory_KernelStack_bytes 1e6\n"
		 "node_memory_PageTables_bytes 2e6\n"
		 "node_filefd_allocated 3000\nnode_filefd_maximum 9.2e18\n"
		 "node_nf_conntrack_entries %.0f\nnode_nf_conntrack_entries_limit 262144\n"
		 "node_netstat_TcpExt_ListenOverflows %.0f\nnode_netstat_TcpExt_ListenDrops %.0f\n"
		 "node_slabinfo_active_objects{slab=\"TCP\"} %.0f\n"
		 "node_slabinfo_object_size_bytes{slab=\"TCP\"} 2368\n"
		 "node_slabinfo_active_objects{slab=\"sock_inode_cache\"} %.0f\n"
		 "node_slabinfo_object_size_bytes{slab=\"sock_inode_cache\"} 832\n"
		 "node_slabinfo_active_objects{slab=\"TCPv6\"} 10\n"
		 "node_slabinfo_object_size_bytes{slab=\"TCPv6\"} 2560\n",
		 inuse, avail, slab, ct, overflows, overflows, tcp_objs, tcp_objs);
}

static void test_parse(void **state)
{
	struct mc_probe_remote r;
	char page[4096];

	(void)state;
	node_page(page, sizeof(page), 1005, 1000, 2e10, 3e9, 7, 12);
	mc_probe_remote_init(&r);
	assert_true(isnan(r.v[MC_RF_TCP_INUSE]));
	mc_probe_remote_parse(page, &r);
	assert_true(r.node);
	assert_false(r.maxconn);
	assert_true(r.v[MC_RF_TCP_INUSE] == 1005);
	assert_true(r.v[MC_RF_MEM_AVAIL] == 2e10);
	assert_true(r.v[MC_RF_KERNEL] == 3e9 + 3e6);
	assert_true(r.v[MC_RF_OVERFLOWS] == 7);
	assert_true(r.v[MC_RF_CT] == 12);
	/* socket caches: TCP, sock_inode_cache and TCPv6 objects */
	assert_true(r.v[MC_RF_SLAB_SOCK] == 1000 * 2368 + 1000 * 832 + 10 * 2560);
	/* one IPv4 socket: a TCP and a sock_inode_cache object */
	assert_true(r.v[MC_RF_SOCK_OBJ] == 2368 + 832);
	assert_true(isnan(r.v[MC_RF_SRV_HELD]));
	/* a maxconn server's page adds its own figures; node_exporter's stay */
	mc_probe_remote_parse("maxconn_build_info{version=\"0.1.0\"} 1\n"
			      "maxconn_host_tcp_sockets_in_use 99\n"
			      "maxconn_server_connections_held 1000\n"
			      "maxconn_server_user_memory_bytes_per_connection 17.5\n"
			      "maxconn_server_connections_refused_total{cause=\"fd_limit\",limit="
			      "\"fd_process\"} 3\n",
			      &r);
	assert_true(r.maxconn);
	assert_true(r.v[MC_RF_TCP_INUSE] == 1005);
	assert_true(r.v[MC_RF_SRV_HELD] == 1000);
	assert_true(r.v[MC_RF_SRV_USER] == 17.5);
	assert_true(r.v[MC_RF_REF_FD] == 3);
	/* a maxconn server alone gives the host's sockets too */
	mc_probe_remote_init(&r);
	mc_probe_remote_parse("maxconn_host_tcp_sockets_in_use 99\n", &r);
	assert_true(r.v[MC_RF_TCP_INUSE] == 99);
}

static void readings(struct mc_probe_remote *b, struct mc_probe_remote *a, double added,
		     double tcp_grown, double slab_grown)
{
	char page[4096];

	mc_probe_remote_init(b);
	mc_probe_remote_init(a);
	node_page(page, sizeof(page), 5, 1000, 2e10, 3e9, 0, 0);
	mc_probe_remote_parse(page, b);
	node_page(page, sizeof(page), 5 + added, 1000 + tcp_grown, 2e10 - 1e9, 3e9 + slab_grown, 0,
		  0);
	mc_probe_remote_parse(page, a);
}

static void test_figures(void **state)
{
	struct mc_probe_remote b, a;
	struct mc_probe_server_host h = {.asked = true, .known = true};

	(void)state;
	/* 10,000 sockets added, 10,000 of each cache: 3,200 B a socket */
	readings(&b, &a, 10000, 10000, 5e7);
	mc_probe_server_host_figures(&b, &a, &h);
	assert_true(h.sockets == 10005);
	assert_true(h.sockets_before == 5);
	assert_true(fabs(h.kernel_per_socket - 3200) < 1e-6);
	assert_non_null(strstr(h.kernel_method, "grown"));
	assert_string_equal(h.source, "node_exporter");
	/* reserve: 10% of 25e9; projection (19e9 - 2.5e9) / 3200 */
	assert_true(h.reserve == 2.5e9);
	assert_true(h.more_conns == floor((19e9 - 2.5e9) / 3200));
	/* other work freed sockets meanwhile: the growth says 320 B, under
	 * half of one socket's objects: the objects are the figure */
	readings(&b, &a, 10000, 1000, 5e7);
	mc_probe_server_host_figures(&b, &a, &h);
	assert_true(h.kernel_per_socket == 2368 + 832);
	assert_non_null(strstr(h.kernel_method, "one object"));
	/* no sockets added: nothing to divide by */
	readings(&b, &a, 0, 0, 0);
	mc_probe_server_host_figures(&b, &a, &h);
	assert_true(isnan(h.kernel_per_socket));
	assert_true(isnan(h.more_conns));
	assert_true(h.mem_available == 19e9);
}

static void test_meminfo_method(void **state)
{
	struct mc_probe_remote b, a;
	struct mc_probe_server_host h = {.asked = true, .known = true};

	(void)state;
	mc_probe_remote_init(&b);
	mc_probe_remote_init(&a);
	mc_probe_remote_parse("node_sockstat_TCP_inuse 0\nnode_memory_Slab_bytes 1e9\n"
			      "node_memory_MemTotal_bytes 8e9\nnode_memory_MemAvailable_bytes 4e9\n",
			      &b);
	mc_probe_remote_parse("node_sockstat_TCP_inuse 1000\nnode_memory_Slab_bytes 1.004e9\n"
			      "node_memory_MemTotal_bytes 8e9\nnode_memory_MemAvailable_bytes 1e9\n",
			      &a);
	mc_probe_server_host_figures(&b, &a, &h);
	assert_true(fabs(h.kernel_per_socket - 4000) < 1e-6);
	assert_non_null(strstr(h.kernel_method, "meminfo"));
	/* at the reserve (1 GiB on a host of 8 GB): no room, and the limit */
	assert_true(h.more_conns == 0);
	{
		uint64_t fail[MC_CAUSE_COUNT] = {0}, lost[MC_CAUSE_COUNT] = {0};
		struct mc_probe_srv_verdict v;
		assert_true(mc_probe_server_host_verdict(&b, &a, &h, fail, lost, 1000, &v));
		assert_string_equal(v.limit_id, "memory");
	}
}

static void test_verdict(void **state)
{
	struct mc_probe_remote b, a;
	struct mc_probe_server_host h = {.asked = true, .known = true};
	struct mc_probe_srv_verdict v;
	uint64_t fail[MC_CAUSE_COUNT] = {0}, lost[MC_CAUSE_COUNT] = {0};
	char page[4096];

	(void)state;
	/* nothing on the server host's side: no verdict */
	readings(&b, &a, 1000, 1000, 4e6);
	mc_probe_server_host_figures(&b, &a, &h);
	assert_false(mc_probe_server_host_verdict(&b, &a, &h, fail, lost, 1000, &v));
	/* the accept queue overflowed there while connects timed out */
	mc_probe_remote_init(&a);
	node_page(page, sizeof(page), 1005, 2000, 2e10, 3.004e9, 250, 0);
	mc_probe_remote_parse(page, &a);
	fail[MC_CAUSE_TIMEDOUT] = 80;
	assert_true(mc_probe_server_host_verdict(&b, &a, &h, fail, lost, 1000, &v));
	assert_string_equal(v.limit_id, "accept_queue");
	assert_non_null(strstr(v.happened, "250 ListenOverflows"));
	/* the conntrack table full there comes first */
	mc_probe_remote_init(&a);
	node_page(page, sizeof(page), 1005, 2000, 2e10, 3.004e9, 250, 262000);
	mc_probe_remote_parse(page, &a);
	assert_true(mc_probe_server_host_verdict(&b, &a, &h, fail, lost, 1000, &v));
	assert_string_equal(v.limit_id, "conntrack");
	/* a maxconn server's refusals at its fd limit come before all */
	mc_probe_remote_parse("maxconn_server_connections_refused_total{cause=\"fd_limit\"} 0\n", &b);
	mc_probe_remote_parse("maxconn_server_connections_refused_total{cause=\"fd_limit\"} 900\n"
			      "maxconn_server_connections_held 1086\n",
			      &a);
	mc_probe_server_host_figures(&b, &a, &h);
	assert_true(mc_probe_server_host_verdict(&b, &a, &h, fail, lost, 1086, &v));
	assert_string_equal(v.limit_id, "fd_process");
	assert_non_null(strstr(v.limit_name, "server"));
	assert_non_null(strstr(v.happened, "refused 900"));
}

/* The step's verdict: an external server that closed connections is "the
 * server's own limit" blind; with its host's readings, the limit it is. */
static void test_diagnose(void **state)
{
	struct mc_probe_obs *o = calloc(1, sizeof(*o));
	struct mc_probe_remote b, a;
	struct mc_probe_step st = {0};
	bool found = false;

	(void)state;
	assert_non_null(o);
	o->target = 3000;
	o->held = o->reached = 1086;
	o->lost[MC_CAUSE_PEER_CLOSED] = 900;
	o->reserve = 1ULL << 30;
	o->before.meminfo.mem_available.v = o->after.meminfo.mem_available.v = 8ULL << 30;
	mc_probe_diagnose(o, &st);
	assert_string_equal(st.limit_id, "server");
	readings(&b, &a, 1100, 1100, 4e6);
	mc_probe_remote_parse("maxconn_server_connections_refused_total{cause=\"fd_limit\"} 0\n", &b);
	mc_probe_remote_parse("maxconn_server_connections_refused_total{cause=\"fd_limit\"} 900\n",
			      &a);
	st.srv_host.known = true;
	mc_probe_server_host_figures(&b, &a, &st.srv_host);
	o->srv_before = &b;
	o->srv_after = &a;
	o->srv_host = &st.srv_host;
	mc_probe_diagnose(o, &st);
	assert_int_equal(st.stop, MC_PROBE_LIMIT);
	assert_string_equal(st.limit_id, "fd_process");
	for (int i = 0; i < st.nev; i++)
		if (strcmp(st.ev[i].what, "server host: refused fd_limit") == 0) {
			assert_int_equal(st.ev[i].value, 900);
			found = true;
		}
	assert_true(found);
	/* unknown (it did not answer): blind again */
	st.srv_host.known = false;
	mc_probe_diagnose(o, &st);
	assert_string_equal(st.limit_id, "server");
	free(o);
}

/* What a maxconn server's endpoint writes (the host's families and the
 * server's) is what the probe reads back: the family names and the cause
 * labels come from one place each, so a rename on one side only fails
 * here. */
static void test_round_trip(void **state)
{
	struct mc_metrics_info info = {"test", "server", "epoll", ""};
	/* every figure read (err 0); kernel memory is Slab + KernelStack +
	 * PageTables */
	struct mc_metrics_host h = {
	    .sockstat = {.tcp_inuse = {5001, 0}},
	    .netstat = {.listen_overflows = {7, 0}, .listen_drops = {9, 0}},
	    .meminfo = {.mem_total = {1ULL << 34, 0},
			.mem_available = {1ULL << 33, 0},
			.slab_total = {123456000, 0},
			.kernel_stack = {700, 0},
			.page_tables = {89, 0}}};
	struct mc_server_stats s = {.held = 4321, .held_peak = 4400, .rss_base = 1000000,
				    .rss = 1000000 + 4400 * 20};
	struct mc_probe_remote r;
	struct mc_prom p;

	(void)state;
	s.refused[MC_CAUSE_EMFILE] = 11;
	s.refused[MC_CAUSE_NOMEM] = 12;
	s.refused[MC_CAUSE_THREADS] = 13;
	s.refused[MC_CAUSE_WATCHES] = 14;
	mc_prom_init(&p);
	mc_metrics_host_write(&p, &info, &h);
	mc_server_metrics(&p, &s);
	assert_int_equal(p.err, 0);
	mc_probe_remote_init(&r);
	mc_probe_remote_parse(p.buf, &r);
	assert_true(r.maxconn);
	assert_false(r.node);
	assert_true(r.v[MC_RF_TCP_INUSE] == 5001);
	assert_true(r.v[MC_RF_MEM_TOTAL] == (double)(1ULL << 34));
	assert_true(r.v[MC_RF_MEM_AVAIL] == (double)(1ULL << 33));
	assert_true(r.v[MC_RF_KERNEL] == 123456789);
	assert_true(r.v[MC_RF_OVERFLOWS] == 7);
	assert_true(r.v[MC_RF_DROPS] == 9);
	assert_true(r.v[MC_RF_SRV_HELD] == 4321);
	assert_true(r.v[MC_RF_SRV_USER] == 20);
	assert_true(r.v[MC_RF_REF_FD] == 11);
	assert_true(r.v[MC_RF_REF_MEM] == 12);
	assert_true(r.v[MC_RF_REF_THREADS] == 13);
	assert_true(r.v[MC_RF_REF_WATCHES] == 14);
	mc_prom_free(&p);
}

/* One page parsed alone: the figure f is unknown and r.bad says why. */
static void rejected(const char *page, enum mc_probe_rf f, const char *why)
{
	struct mc_probe_remote r;

	mc_probe_remote_init(&r);
	mc_probe_remote_parse(page, &r);
	if (!isnan(r.v[f]) || !strstr(r.bad, why))
		fail_msg("page \"%s\": figure %d = %g, reason \"%s\", expected unknown with \"%s\"",
			 page, (int)f, r.v[f], r.bad, why);
	assert_true(r.nbad >= 1);
}

static void test_lies(void **state)
{
	struct mc_probe_remote r;

	(void)state;
	rejected("node_sockstat_TCP_inuse NaN\n", MC_RF_TCP_INUSE,
		 "node_sockstat_TCP_inuse is NaN: not a number");
	rejected("node_memory_MemAvailable_bytes +Inf\n", MC_RF_MEM_AVAIL,
		 "node_memory_MemAvailable_bytes is +Inf");
	rejected("node_sockstat_TCP_inuse -5\n", MC_RF_TCP_INUSE,
		 "node_sockstat_TCP_inuse is -5: a host's figure is never negative");
	rejected("node_memory_MemAvailable_bytes 1e300\n", MC_RF_MEM_AVAIL,
		 "is 1e+300: over 64 PiB");
	rejected("node_memory_MemTotal_bytes 1.8446744073709552e19\n", MC_RF_MEM_TOTAL,
		 "over 64 PiB");
	rejected("node_filefd_allocated 1e300\n", MC_RF_FD_ALLOC, "over 2^64");
	rejected("maxconn_server_connections_held -Inf\n", MC_RF_SRV_HELD, "is -Inf");
	/* one series twice: not summed (the memory doubled) */
	rejected("node_memory_MemTotal_bytes 8e9\nnode_memory_MemTotal_bytes 8e9\n",
		 MC_RF_MEM_TOTAL, "node_memory_MemTotal_bytes is listed twice");
	rejected(
	    "maxconn_server_connections_refused_total{cause=\"fd_limit\",limit=\"fd_process\"} "
	    "3\nmaxconn_server_connections_refused_total{limit=\"fd_process\", "
	    "cause=\"fd_limit\"} 3\n",
	    MC_RF_REF_FD,
	    "maxconn_server_connections_refused_total{cause=\"fd_limit\"} is listed twice");
	rejected("node_slabinfo_active_objects{slab=\"TCP\"} 1000\n"
		 "node_slabinfo_active_objects{slab=\"TCP\"} 1000\n"
		 "node_slabinfo_object_size_bytes{slab=\"TCP\"} 2368\n",
		 MC_RF_SLAB_SOCK, "node_slabinfo_active_objects{slab=\"TCP\"} is listed twice");
	rejected("node_slabinfo_active_objects{slab=\"TCP\"} 1e19\n"
		 "node_slabinfo_object_size_bytes{slab=\"TCP\"} 2368\n",
		 MC_RF_SLAB_SOCK, "slab cache TCP: 1e+19 objects of 2368 B: over 64 PiB");
	/* two series where a figure is one: two hosts' (a federated page),
	 * not their sum */
	rejected("node_memory_MemTotal_bytes{instance=\"a:9100\"} 8e9\n"
		 "node_memory_MemTotal_bytes{instance=\"b:9100\"} 8e9\n",
		 MC_RF_MEM_TOTAL,
		 "node_memory_MemTotal_bytes has 2 series where one figure is one");
	/* the parts of the kernel's memory are checked too */
	rejected("node_memory_Slab_bytes NaN\n", MC_RF_KERNEL, "node_memory_Slab_bytes is NaN");
	mc_probe_remote_init(&r);
	mc_probe_remote_parse("node_memory_Slab_bytes 1e9\nnode_memory_KernelStack_bytes -1\n", &r);
	assert_true(r.v[MC_RF_KERNEL] == 1e9);
	assert_non_null(strstr(r.bad, "node_memory_KernelStack_bytes is -1"));
	/* the figures around a bad one are used; the first reason stays, all
	 * are counted */
	mc_probe_remote_init(&r);
	mc_probe_remote_parse("node_sockstat_TCP_inuse -5\nnode_memory_MemTotal_bytes 8e9\n"
			      "node_filefd_allocated NaN\n"
			      "node_filefd_maximum 9.2233720368547758e+18\n",
			      &r);
	assert_true(r.v[MC_RF_MEM_TOTAL] == 8e9);
	/* fs.file-max's default on 64-bit kernels (LONG_MAX) is a count */
	assert_true(r.v[MC_RF_FD_MAX] == 9.2233720368547758e+18);
	assert_int_equal(r.nbad, 2);
	assert_non_null(strstr(r.bad, "node_sockstat_TCP_inuse is -5"));
	assert_true(r.node);
	/* a publish count that lies is not waited on */
	mc_probe_remote_init(&r);
	mc_probe_remote_parse("maxconn_metrics_publishes_total NaN\n", &r);
	assert_true(isnan(r.publishes));
}

/* Readings of pages with nothing the probe reads are not known; known
 * readings with a figure that lied say so and do not use it. */
static void test_unusable_pages(void **state)
{
	static const char *const pages[] = {
	    "",
	    "# HELP go_goroutines Number of goroutines.\n# TYPE go_goroutines gauge\n"
	    "go_goroutines 8\nprocess_resident_memory_bytes 1.2e7\n",
	    "<html><body>Not a metrics page</body></html>\n",
	};
	struct mc_probe_remote b, a;
	struct mc_probe_server_host h;

	(void)state;
	for (size_t i = 0; i < sizeof(pages) / sizeof(pages[0]); i++) {
		memset(&h, 0, sizeof(h));
		h.asked = h.known = true;
		mc_probe_remote_init(&b);
		mc_probe_remote_init(&a);
		mc_probe_remote_parse(pages[i], &b);
		mc_probe_remote_parse(pages[i], &a);
		mc_probe_server_host_figures(&b, &a, &h);
		assert_false(h.known);
		assert_string_equal(h.source, "");
		assert_non_null(strstr(h.error, "none of the figures asked for"));
	}
	/* every figure lied: unknown, and the reason is the lie */
	memset(&h, 0, sizeof(h));
	h.asked = h.known = true;
	mc_probe_remote_init(&b);
	mc_probe_remote_init(&a);
	mc_probe_remote_parse("node_sockstat_TCP_inuse NaN\n", &b);
	mc_probe_remote_parse("node_sockstat_TCP_inuse NaN\n", &a);
	mc_probe_server_host_figures(&b, &a, &h);
	assert_false(h.known);
	assert_string_equal(h.error,
			    "no figure there could be used: node_sockstat_TCP_inuse is NaN: not a "
			    "number a host can have");
	/* one figure lied: known without it, and it is named */
	memset(&h, 0, sizeof(h));
	h.asked = h.known = true;
	readings(&b, &a, 10000, 10000, 5e7);
	mc_probe_remote_init(&a);
	mc_probe_remote_parse(
	    "node_memory_MemAvailable_bytes 1e300\nnode_sockstat_TCP_inuse 10005\n"
	    "node_memory_MemTotal_bytes 2.5e10\n",
	    &a);
	mc_probe_server_host_figures(&b, &a, &h);
	assert_true(h.known);
	assert_true(isnan(h.mem_available));
	assert_true(isnan(h.more_conns));
	assert_string_equal(h.error, "1 figure not used: node_memory_MemAvailable_bytes is 1e+300: "
				     "over 64 PiB, more than any host has");
	/* a fraction of a byte a socket: no projection past 2^64 */
	memset(&h, 0, sizeof(h));
	h.asked = h.known = true;
	mc_probe_remote_init(&b);
	mc_probe_remote_init(&a);
	mc_probe_remote_parse(
	    "node_sockstat_TCP_inuse 0\nnode_memory_Slab_bytes 0\n"
	    "node_memory_MemTotal_bytes 5e16\nnode_memory_MemAvailable_bytes 4e16\n",
	    &b);
	mc_probe_remote_parse(
	    "node_sockstat_TCP_inuse 1000\nnode_memory_Slab_bytes 1e-7\n"
	    "node_memory_MemTotal_bytes 5e16\nnode_memory_MemAvailable_bytes 4e16\n",
	    &a);
	mc_probe_server_host_figures(&b, &a, &h);
	assert_true(h.kernel_per_socket > 0 && h.kernel_per_socket < 1e-9);
	assert_true(isnan(h.more_conns));
}

static char *render(const struct mc_probe_report *r, bool html)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	if (html)
		assert_int_equal(mc_probe_html(f, r, 0), 0);
	else
		mc_probe_print(f, r);
	fclose(f);
	return buf;
}

/* The summary and the HTML page say which figure was not used and why,
 * and figures out of any integer's range (as a report from before the
 * checks could hold) are converted without undefined behaviour. */
static void test_reports(void **state)
{
	static struct mc_probe_report r;
	struct mc_probe_server_host *h = &r.steps[0].srv_host;
	char *text, *html;

	(void)state;
	r.nsteps = 1;
	snprintf(r.target_addr, sizeof(r.target_addr), "10.0.0.1:9000");
	h->asked = h->known = true;
	snprintf(h->source, sizeof(h->source), "node_exporter");
	snprintf(h->error, sizeof(h->error), "1 figure not used: node_sockstat_TCP_inuse is -5");
	h->sockets = h->sockets_before = h->held = h->kernel_per_socket = NAN;
	h->user_per_conn = NAN;
	h->mem_total = h->mem_available = h->reserve = 1e300;
	h->more_conns = 1e300;
	text = render(&r, false);
	html = render(&r, true);
	assert_non_null(
	    strstr(text, "  not used   1 figure not used: node_sockstat_TCP_inuse is -5\n"));
	assert_non_null(strstr(html, "<tr><th>not used</th><td>1 figure not used: "
				     "node_sockstat_TCP_inuse is -5</td></tr>"));
	free(text);
	free(html);
	assert_true(mc_fmt_u64(NAN) == 0);
	assert_true(mc_fmt_u64(-5) == 0);
	assert_true(mc_fmt_u64(3.7) == 3);
	assert_true(mc_fmt_u64(1e300) == UINT64_MAX);
	assert_true(mc_fmt_u64(18446744073709551616.0) == UINT64_MAX);
	assert_true(mc_fmt_u64(9.2233720368547758e+18) == 9223372036854775808ULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_parse),	   cmocka_unit_test(test_figures),
	    cmocka_unit_test(test_meminfo_method), cmocka_unit_test(test_verdict),
	    cmocka_unit_test(test_diagnose),	   cmocka_unit_test(test_round_trip),
	    cmocka_unit_test(test_lies),	   cmocka_unit_test(test_unusable_pages),
	    cmocka_unit_test(test_reports),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
