/* test_probe_html.c: the probe's HTML page (html.c): the three charts, one
 * point a sample, the key figures, escaping, and no NaN or infinity in any
 * SVG coordinate for empty, one-sample, huge and NaN reports.
 *
 * MC_HTML_OUT=path writes the staircase page there, for
 * tests/integration/browser.sh to render. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <math.h>
#include <cmocka.h>

#include "probe/probe.h"

#define NSAMPLES 50

static void add_limit(struct mc_probe_step *s, const char *id, const char *name, const char *value,
		      uint64_t conns, bool binding)
{
	struct mc_probe_limit *l = &s->limits[s->nlimits++];

	snprintf(l->id, sizeof(l->id), "%s", id);
	snprintf(l->name, sizeof(l->name), "%s", name);
	snprintf(l->value, sizeof(l->value), "%s", value);
	l->conns = conns;
	l->binding = binding;
}

static void add_ev(struct mc_probe_step *s, const char *what, uint64_t value, const char *text)
{
	struct mc_probe_evidence *e = &s->ev[s->nev++];

	snprintf(e->what, sizeof(e->what), "%s", what);
	e->value = value;
	snprintf(e->text, sizeof(e->text), "%s", text);
}

/* A staircase of three steps: ports per pair, then the fd limit, then the
 * memory reserve; 50 samples; limits with no ceiling; a NaN diff. */
static void fake_report(struct mc_probe_report *r, struct mc_probe_sample *smp)
{
	static const uint64_t reached[3] = {28232, 65536, 120000};

	memset(r, 0, sizeof(*r));
	snprintf(r->kernel, sizeof(r->kernel), "6.1.0-18-amd64");
	r->cpus = 8;
	r->mem_total = 16ULL << 30;
	r->netns = true;
	snprintf(r->where, sizeof(r->where), "private network namespace (root)");
	r->server_pid = 4242;
	snprintf(r->server_name, sizeof(r->server_name), "maxconn & co");
	r->staircase = true;
	r->target = MC_LIMITS_NONE;
	r->reserve = 512ULL << 20;

	r->nsteps = 3;
	for (int i = 0; i < 3; i++) {
		struct mc_probe_step *s = &r->steps[i];

		s->sc.model = MC_MODEL_EPOLL;
		s->sc.sources = i == 0 ? 1 : 40;
		s->sc.dest_ports = 1;
		s->sc.port_lo = 32768;
		s->sc.port_hi = 60999;
		s->sc.fd_limit = i < 2 ? 65536 : 1048576;
		s->sc.one_table = i < 2;
		s->sc.backlog = 4096;
		s->sc.target = MC_LIMITS_NONE;
		s->reached = reached[i];
		s->attempted = reached[i] + 10;
		s->predicted = reached[i];
		s->diff_pct = 0;
		s->seconds = 8.5;
		s->rate = (double)reached[i] / 8.5;
		s->stop = MC_PROBE_LIMIT;
		s->slab.total = 4150;
	}
	snprintf(r->steps[0].limit_id, 32, "ports_per_pair");
	snprintf(r->steps[0].limit_name, 96, "ephemeral ports per (source, destination) pair");
	snprintf(r->steps[0].predicted_limit, 32, "ports_per_pair");
	snprintf(r->steps[0].happened, 240, "connect(): EADDRNOTAVAIL <script>alert(1)</script>");
	snprintf(r->steps[0].lifted, 200, "--source 127.0.0.2-127.0.0.41");
	add_ev(&r->steps[0], "client connect(): EADDRNOTAVAIL", 1523,
	       "every port of the pair used");
	snprintf(r->steps[1].limit_id, 32, "nofile");
	snprintf(r->steps[1].limit_name, 96, "open files per process (RLIMIT_NOFILE)");
	snprintf(r->steps[1].predicted_limit, 32, "nofile");
	snprintf(r->steps[1].happened, 240, "accept(): EMFILE");
	snprintf(r->steps[1].lifted, 200, "ulimit -n 1048576, private fd tables");
	add_ev(&r->steps[1], "server refused.fd_limit", 12, "accept() at the fd limit");
	add_ev(&r->steps[1], "ListenOverflows", 0, "");

	struct mc_probe_step *last = &r->steps[2];

	last->stop = MC_PROBE_RESERVE;
	last->predicted = 130000;
	last->diff_pct = NAN;
	snprintf(last->predicted_limit, 32, "memory");
	snprintf(last->happened, 240, "MemAvailable fell to 512 MiB 'reserve' \"kept\"");
	add_ev(last, "MemAvailable", 536870912, "bytes left");
	add_limit(last, "nofile", "open files per process", "1048576", 1048576, false);
	add_limit(last, "file_max", "open files, system", "9223372036854775807", MC_LIMITS_NONE,
		  false);
	add_limit(last, "ports_per_pair", "ports per pair x 40 pairs", "28232", 1129280, false);
	add_limit(last, "memory", "memory (cgroup and MemAvailable)", "15.2 GiB", 130000, true);
	add_limit(last, "threads", "threads (not used by epoll)", "none", MC_LIMITS_NONE, false);
	add_limit(last, "zero", "a limit that allows nothing", "0", 0, false);

	for (int i = 0; i < NSAMPLES; i++) {
		int step = i < 17 ? 0 : i < 34 ? 1 : 2;
		int k = i - (step == 0 ? 0 : step == 1 ? 17 : 34);

		smp[i] = (struct mc_probe_sample){
		    .t = 0.5 * i,
		    .step = step,
		    .held = reached[step] * (uint64_t)(k + 1) / 17,
		    .server_held = reached[step] * (uint64_t)(k + 1) / 17 - (uint64_t)k,
		    .rate = 5000,
		    .kernel_bytes = 4150ULL * reached[step] * (uint64_t)(k + 1) / 17,
		    .user_bytes = 49ULL * reached[step] * (uint64_t)(k + 1) / 17,
		    .mem_available = 8ULL << 30,
		};
	}
	r->samples = smp;
	r->nsamples = NSAMPLES;

	last->slab = (struct mc_probe_slab){.tcp = 2304,
					 .sock_inode = 704,
					 .dentry = 192,
					 .filp = 256,
					 .epoll = 160,
					 .other = 534,
					 .total = 4150,
					 .sockets = 240000,
					 .known = true};
	last->user_per_conn_server = 17;
	last->user_per_conn_client = 32;
	last->mem_available_end = 600ULL << 20;
	last->more_conns = 9000;
	r->seconds = 25.3;
}

/* Render r as a run that exits with exit_code; the caller frees the page. */
static char *render(const struct mc_probe_report *r, int exit_code)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	assert_int_equal(mc_probe_html(f, r, exit_code), 0);
	assert_int_equal(fclose(f), 0);
	assert_non_null(buf);
	return buf;
}

static int count(const char *hay, const char *needle)
{
	int n = 0;

	for (const char *p = hay; (p = strstr(p, needle)); p += strlen(needle))
		n++;
	return n;
}

/* No "nan" or "inf" (any case) between each <svg and its </svg>, and the
 * page has exactly the three charts, each closed. */
static void assert_svgs_finite(const char *page)
{
	const char *p = page;
	int n = 0;

	while ((p = strstr(p, "<svg"))) {
		const char *end = strstr(p, "</svg>");

		assert_non_null(end);
		for (const char *q = p; q < end; q++) {
			if (strncasecmp(q, "nan", 3) == 0 || strncasecmp(q, "inf", 3) == 0)
				fail_msg("non-finite text in svg %d: %.60s", n, q);
		}
		p = end;
		n++;
	}
	assert_int_equal(n, 3);
	assert_int_equal(count(page, "</svg>"), 3);
}

static void assert_charts(const char *page)
{
	assert_non_null(strstr(page, "<svg id=\"chart-conns\""));
	assert_non_null(strstr(page, "<svg id=\"chart-memory\""));
	assert_non_null(strstr(page, "<svg id=\"chart-limits\""));
	assert_non_null(strstr(page, "id=\"reached\""));
	assert_non_null(strstr(page, "id=\"limit\""));
	assert_non_null(strstr(page, "</html>"));
	assert_svgs_finite(page);
}

/* The number of "x,y" points in the points attribute of element id. */
static int polyline_points(const char *page, const char *id)
{
	char key[64];
	const char *p, *end;
	int n = 1;

	snprintf(key, sizeof(key), "id=\"%s\"", id);
	p = strstr(page, key);
	if (!p)
		return 0;
	p = strstr(p, "points=\"");
	assert_non_null(p);
	p += strlen("points=\"");
	end = strchr(p, '"');
	assert_non_null(end);
	if (end == p)
		return 0;
	for (; p < end; p++)
		n += *p == ' ';
	return n;
}

/* The text report of r. */
static char *print_text(const struct mc_probe_report *r)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	mc_probe_print(f, r);
	fclose(f);
	return buf;
}

/* --staircase --heartbeat: the seeds' CPU row with the measured cost, as a
 * row of its own when no step stopped at the CPU, in the step's row when
 * one did. */
static void test_seed_cpu_row(void **state)
{
	static struct mc_probe_report r;
	struct mc_probe_sample smp[NSAMPLES];
	struct mc_probe_step *last;
	char *txt;

	(void)state;
	fake_report(&r, smp);
	txt = print_text(&r);
	assert_null(strstr(txt, "  CPU: "));
	free(txt);
	last = &r.steps[2];
	add_limit(last, "cpu", "CPUs", "8", 250000, false);
	for (int i = 0; i < 3; i++) {
		r.steps[i].cpu_msgs_per_s = 10;
		r.steps[i].cpu_ns_per_msg = 25000;
		r.steps[i].cpu_left = 7.5;
	}
	txt = print_text(&r);
	assert_non_null(strstr(txt, "  CPU: 8 CPUs; 10.0 messages/s x 25.0 us of CPU per message "
				    "(measured here) = 0.025% of a CPU (7.50 CPUs left to it, "
				    "measured)\n     the model's ceiling 250000: not reached\n"));
	free(txt);
	/* the last step stopped at the CPU: its row has the cost */
	snprintf(last->limit_id, 32, "cpu");
	snprintf(last->limit_name, 96, "CPU (the heartbeats fell behind)");
	last->stop = MC_PROBE_LIMIT;
	txt = print_text(&r);
	assert_null(strstr(txt, "  CPU: "));
	assert_non_null(strstr(txt, "3. CPU (the heartbeats fell behind): 8; 10.0 messages/s x 25.0 "
				    "us of CPU per message (measured here)"));
	free(txt);
}

static void test_staircase(void **state)
{
	static struct mc_probe_report r;
	struct mc_probe_sample smp[NSAMPLES];
	const char *out = getenv("MC_HTML_OUT");
	char *page;

	(void)state;
	fake_report(&r, smp);
	page = render(&r, 3);
	if (out && *out) {
		FILE *f = fopen(out, "w");

		assert_non_null(f);
		fputs(page, f);
		assert_int_equal(fclose(f), 0);
	}

	assert_charts(page);
	assert_int_equal(polyline_points(page, "series-held"), NSAMPLES);
	assert_int_equal(polyline_points(page, "series-server"), NSAMPLES);
	/* the memory paths: one M a step, L for the other samples */
	assert_non_null(strstr(page, "id=\"series-kernel\""));
	assert_non_null(strstr(page, "id=\"series-user\""));
	/* two step changes, each marked with the limit that ended the step */
	assert_int_equal(count(page, "class=\"step-marker\""), 2);
	assert_non_null(strstr(page, "step 2: after ports_per_pair"));
	assert_non_null(strstr(page, "step 3: after nofile"));

	/* the figures */
	assert_non_null(strstr(page, "id=\"reached\" data-value=\"120000\">120,000</strong>"));
	assert_non_null(strstr(page, "id=\"limit\" data-value=\"memory_reserve\""));
	assert_non_null(strstr(page, "<span id=\"diff\">n/a</span>"));
	assert_non_null(strstr(page, "<span id=\"predicted\">130,000</span>"));

	/* the limits chart: six bars, two without a ceiling, the binding one marked */
	assert_int_equal(count(page, "<g class=\"bar"), 6);
	assert_int_equal(count(page, "<g class=\"bar none\">"), 2);
	assert_int_equal(count(page, "<g class=\"bar binding\">"), 1);
	assert_non_null(strstr(page, "reached 120k"));
	assert_non_null(strstr(page, "<tr class=\"binding\"><td><code>memory</code>"));

	/* tables */
	assert_int_equal(count(page, "<ul class=\"evidence\""), 3);
	assert_non_null(strstr(page, "id=\"steps-table\""));
	assert_non_null(strstr(page, "id=\"memory-table\""));
	assert_non_null(strstr(page, "id=\"limits-table\""));
	assert_non_null(strstr(page, "<td>9223372036854775807</td>")); /* value text as is */

	/* escaping */
	assert_null(strstr(page, "<script"));
	assert_non_null(strstr(page, "EADDRNOTAVAIL &lt;script&gt;alert(1)&lt;/script&gt;"));
	assert_non_null(strstr(page, "maxconn &amp; co"));
	assert_non_null(strstr(page, "&#39;reserve&#39; &quot;kept&quot;"));
	free(page);
}

/* When other work moved the slab caches, the memory table says the figure
 * is from the caches' object sizes, and still splits it by cache. */
static void test_memory_from_object_sizes(void **state)
{
	static struct mc_probe_report r;
	struct mc_probe_sample smp[NSAMPLES];
	char *page;

	(void)state;
	fake_report(&r, smp);
	r.steps[r.nsteps - 1].slab.from = MC_PROBE_KMEM_SLABINFO;
	page = render(&r, 3);
	assert_non_null(strstr(page, "kernel bytes per socket, by slab cache"));
	assert_null(strstr(page, "object sizes"));
	free(page);

	r.steps[r.nsteps - 1].slab.from = MC_PROBE_KMEM_OBJECTS;
	r.steps[r.nsteps - 1].slab.tcp_objs_grew = -18000;
	page = render(&r, 3);
	assert_non_null(strstr(page, "kernel bytes per socket, from the slab caches' object sizes: "
				     "other work on this kernel moved the caches"));
	assert_non_null(strstr(page, "<th>TCP</th>"));
	free(page);
}

/* --window and --target-addr have their sections; without them, none. */
static void test_steady_and_server_host(void **state)
{
	static struct mc_probe_report r;
	struct mc_probe_sample smp[NSAMPLES];
	struct mc_probe_step *last;
	char *page;

	(void)state;
	fake_report(&r, smp);
	page = render(&r, 3);
	assert_null(strstr(page, "id=\"steady\""));
	assert_null(strstr(page, "id=\"server-host\""));
	free(page);

	last = &r.steps[r.nsteps - 1];
	last->steady = (struct mc_probe_steady){.ran = true,
						.seconds = 10.02,
						.settle_s = 2,
						.heartbeat_s = 1,
						.conns = 10000,
						.held = 10000,
						.msgs = 100000,
						.msgs_per_s = 9980,
						.sent_per_s = 10000,
						.rtt_count = 100000,
						.rtt_p50_us = 61,
						.rtt_p99_us = 350,
						.rtt_max_us = 2100,
						.server = true,
						.cpu_ms = 97.3,
						.cpu_ms_per_1k = 0.97,
						.ctx_per_s = 1234,
						.threads = 3,
						.user_per_conn = 16.5,
						.slab_per_conn = 8300,
						.kstack_pt_per_conn = 12};
	snprintf(r.target_addr, sizeof(r.target_addr), "10.0.0.1:9000");
	last->srv_host = (struct mc_probe_server_host){.asked = true, .known = false};
	snprintf(last->srv_host.error, sizeof(last->srv_host.error), "no --server-metrics <given>");
	page = render(&r, 3);
	assert_non_null(strstr(page, "<table id=\"steady-table\">"));
	assert_non_null(strstr(page, "<tr><th>connections held</th><td class=\"n\">10,000</td>"));
	assert_non_null(strstr(page, "<tr><th>round trip p99</th><td class=\"n\">350 µs</td>"));
	assert_non_null(strstr(page, "<tr><th>server CPU per 1,000 messages</th><td "
				     "class=\"n\">0.97 ms</td>"));
	assert_non_null(strstr(page, "<p id=\"server-host-unknown\">Unknown: no --server-metrics "
				     "&lt;given&gt;."));
	assert_svgs_finite(page);
	free(page);

	last->srv_host.known = true;
	snprintf(last->srv_host.source, sizeof(last->srv_host.source), "node_exporter");
	last->srv_host.sockets = 20001;
	last->srv_host.sockets_before = 1;
	last->srv_host.held = NAN;
	last->srv_host.kernel_per_socket = 4096;
	snprintf(last->srv_host.kernel_method, sizeof(last->srv_host.kernel_method),
		 "slabinfo growth / sockets added");
	last->srv_host.user_per_conn = NAN;
	last->srv_host.mem_total = 24.0 * 1024 * 1024 * 1024;
	last->srv_host.mem_available = NAN;
	last->srv_host.reserve = 2.4 * 1024 * 1024 * 1024;
	last->srv_host.more_conns = NAN;
	page = render(&r, 3);
	assert_non_null(strstr(page, "<table id=\"server-host-table\">"));
	assert_non_null(strstr(page, "<tr><th>from</th><td>node_exporter</td>"));
	assert_non_null(strstr(page, "<tr><th>TCP sockets in use there at the top</th><td "
				     "class=\"n\">20001</td>"));
	assert_non_null(strstr(page, "<tr><th>kernel bytes per socket there</th><td "
				     "class=\"n\">4096 B</td>"));
	assert_non_null(strstr(page, "<tr><th>memory there</th><td class=\"n\">24.0 GiB</td>"));
	/* unknown is said, never a number */
	assert_non_null(strstr(page, "<tr><th>MemAvailable there</th><td class=\"n\">unknown</td>"));
	assert_non_null(strstr(page, "<tr><th>projection: more connections its memory allows</th><td "
				     "class=\"n\">n/a</td>"));
	assert_null(strstr(page, "connections the maxconn server holds"));
	free(page);
}

static void test_empty(void **state)
{
	static struct mc_probe_report r;
	char *page;

	(void)state;
	memset(&r, 0, sizeof(r));
	page = render(&r, 0);
	assert_charts(page);
	assert_null(strstr(page, "<polyline"));
	assert_null(strstr(page, "<path"));
	assert_int_equal(count(page, "no samples were taken"), 2);
	assert_non_null(strstr(page, "no limits were judged"));
	assert_non_null(strstr(page, "id=\"reached\" data-value=\"0\">0</strong>"));
	assert_non_null(strstr(page, "No step ran."));
	free(page);
}

/* One sample, and every value at its largest or not a number. */
static void test_one_sample_huge(void **state)
{
	static struct mc_probe_report r;
	struct mc_probe_sample smp[NSAMPLES];
	char *page;

	(void)state;
	fake_report(&r, smp);
	smp[0] = (struct mc_probe_sample){.t = NAN,
					  .held = UINT64_MAX - 1,
					  .server_held = UINT64_MAX,
					  .kernel_bytes = UINT64_MAX,
					  .user_bytes = UINT64_MAX};
	r.nsamples = 1;
	/* the result: the last step, once r.nsteps below is clamped */
	r.steps[MC_PROBE_MAX_STEPS - 1].reached = UINT64_MAX;
	r.steps[MC_PROBE_MAX_STEPS - 1].predicted = MC_LIMITS_NONE;
	r.target = MC_LIMITS_NONE;
	r.steps[MC_PROBE_MAX_STEPS - 1].diff_pct = INFINITY;
	r.seconds = NAN;
	r.steps[2].seconds = -INFINITY;
	r.steps[2].rate = NAN;
	/* the memory figures: the step with the most sockets */
	r.steps[2].user_per_conn_server = NAN;
	r.steps[2].slab.total = INFINITY;
	for (int i = 0; i < r.steps[2].nlimits; i++)
		r.steps[2].limits[i].conns = MC_LIMITS_NONE;
	r.steps[2].nev = 99; /* out of range: clamped, not read past the array */
	r.nsteps = 99;

	page = render(&r, 3);
	assert_charts(page);
	assert_int_equal(polyline_points(page, "series-held"), 1);
	assert_non_null(strstr(page, "<circle class=\"dot held\""));
	assert_non_null(strstr(page, "<span id=\"predicted\">no ceiling</span>"));
	assert_non_null(strstr(page, "data-value=\"18446744073709551615\""));
	free(page);
}

/* A write error comes back as a negative errno. */
static void test_write_error(void **state)
{
	static struct mc_probe_report r;
	FILE *f = fopen("/dev/full", "w");

	(void)state;
	if (!f)
		skip();
	memset(&r, 0, sizeof(r));
	assert_true(mc_probe_html(f, &r, 0) < 0);
	fclose(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_staircase),
	    cmocka_unit_test(test_seed_cpu_row),
	    cmocka_unit_test(test_memory_from_object_sizes),
	    cmocka_unit_test(test_steady_and_server_host),
	    cmocka_unit_test(test_empty),
	    cmocka_unit_test(test_one_sample_huge),
	    cmocka_unit_test(test_write_error),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
