/* test_probe_diagnose.c: the probe's judgement of why a step stopped (a pure
 * function of the counts), and the /proc parsers it reads them with. */
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "limits/limits.h"
#include "net/diag.h"
#include "probe/diagnose.h"
#include "probe/result.h"

static struct mc_probe_obs *obs(void)
{
	struct mc_probe_obs *o = calloc(1, sizeof(*o));
	o->target = 1000;
	o->have_server = true;
	o->reserve = 1ULL << 30;
	o->before.meminfo.mem_available.v = o->after.meminfo.mem_available.v = 8ULL << 30;
	return o;
}

static const struct mc_probe_evidence *ev(const struct mc_probe_step *st, const char *what)
{
	for (int i = 0; i < st->nev; i++)
		if (strcmp(st->ev[i].what, what) == 0)
			return &st->ev[i];
	return NULL;
}

/* The evidence line what of st has value v and, when text, those words. */
static void ev_is(const struct mc_probe_step *st, const char *what, uint64_t v, const char *text)
{
	const struct mc_probe_evidence *e = ev(st, what);

	if (!e) {
		fail_msg("no evidence line '%s'", what);
		return;
	}
	assert_int_equal(e->value, v);
	if (text)
		assert_non_null(strstr(e->text, text));
}

/* the value of an evidence line, or UINT64_MAX when it is missing */
static uint64_t evval(const struct mc_probe_step *st, const char *what)
{
	const struct mc_probe_evidence *e = ev(st, what);
	return e ? e->value : UINT64_MAX;
}

static void test_target(void **state)
{
	struct mc_probe_obs *o = obs();
	struct mc_probe_step st = {0};

	(void)state;
	o->held = 1000;
	mc_probe_diagnose(o, &st);
	assert_int_equal(st.stop, MC_PROBE_TARGET);
	assert_string_equal(st.limit_id, "");
	assert_non_null(ev(&st, "MemAvailable"));
	free(o);
}

static void test_ports(void **state)
{
	struct mc_probe_obs *o = obs();
	struct mc_probe_step st = {0};

	(void)state;
	o->held = 300;
	o->fail[MC_CAUSE_ADDRNOTAVAIL] = 700;
	mc_probe_diagnose(o, &st);
	assert_int_equal(st.stop, MC_PROBE_LIMIT);
	assert_string_equal(st.limit_id, MC_LIMIT_PORTS);
	assert_non_null(strstr(st.happened, "EADDRNOTAVAIL"));
	assert_non_null(strstr(st.happened, "700"));
	assert_int_equal(evval(&st, "client connect: EADDRNOTAVAIL"), 700);
	free(o);
}

/* the server's fd table fills: the client sees its connections closed */
static void test_server_fd(void **state)
{
	struct mc_probe_obs *o = obs();
	struct mc_probe_step st = {0};

	(void)state;
	o->held = 992;
	o->srv_held = 992;
	o->srv_refused[MC_CAUSE_EMFILE] = 8;
	o->lost[MC_CAUSE_PEER_CLOSED] = 8;
	mc_probe_diagnose(o, &st);
	assert_string_equal(st.limit_id, MC_LIMIT_FD_PROCESS);
	assert_non_null(strstr(st.limit_name, "server"));
	assert_int_equal(evval(&st, "server refused: fd_limit"), 8);
	assert_int_equal(evval(&st, "client lost: peer_closed"), 8);
	free(o);
}

/* threads win over the losses they cause */
static void test_threads(void **state)
{
	struct mc_probe_obs *o = obs();
	struct mc_probe_step st = {0};

	(void)state;
	o->held = 193;
	o->srv_held = 193;
	o->srv_refused[MC_CAUSE_THREADS] = 807;
	o->srv_thread_errno = 11;
	o->lost[MC_CAUSE_PEER_CLOSED] = 807;
	mc_probe_diagnose(o, &st);
	assert_string_equal(st.limit_id, MC_LIMIT_THREADS);
	assert_non_null(strstr(st.happened, "EAGAIN"));
	free(o);
}

/* a thread limit is named after the thread limit the model expected to
 * bind, in the same step */
static void test_thread_limit_named(void **state)
{
	struct mc_probe_obs *o = obs();
	struct mc_probe_step st = {0};

	(void)state;
	o->held = 193;
	o->srv_held = 193;
	o->srv_refused[MC_CAUSE_THREADS] = 807;
	st.nlimits = 2;
	snprintf(st.limits[0].id, sizeof(st.limits[0].id), "%s", MC_LIMIT_PID_MAX);
	snprintf(st.limits[0].name, sizeof(st.limits[0].name), "pid_max");
	snprintf(st.limits[1].id, sizeof(st.limits[1].id), "%s", MC_LIMIT_NPROC);
	snprintf(st.limits[1].name, sizeof(st.limits[1].name), "processes per user");
	st.limits[1].binding = true;
	mc_probe_diagnose(o, &st);
	assert_int_equal(st.stop, MC_PROBE_LIMIT);
	assert_string_equal(st.limit_id, MC_LIMIT_THREADS);
	assert_string_equal(st.limit_name, "threads: processes per user");
	/* no binding thread limit in the model: the plain name */
	st.limits[1].binding = false;
	mc_probe_diagnose(o, &st);
	assert_string_equal(st.limit_name, "threads (one per connection)");
	free(o);
}

/* a server refusal by a cause diagnose has no words of its own for is
 * still evidence, named by the cause */
static void test_server_other_cause(void **state)
{
	struct mc_probe_obs *o = obs();
	struct mc_probe_step st = {0};

	(void)state;
	o->held = 1000;
	o->srv_refused[MC_CAUSE_UNREACH] = 3;
	mc_probe_diagnose(o, &st);
	assert_int_equal(st.stop, MC_PROBE_TARGET);
	assert_int_equal(evval(&st, "server refused: EHOSTUNREACH"), 3);
	free(o);
}

/* epoll_ctl ENOSPC on both sides: the user's epoll watches, not memory */
static void test_epoll_watches(void **state)
{
	struct mc_probe_obs *o = obs();
	struct mc_probe_step st = {0};

	(void)state;
	o->target = 4000000;
	o->held = 2745592;
	o->fail[MC_CAUSE_WATCHES] = 195433;
	o->srv_refused[MC_CAUSE_WATCHES] = 195434;
	mc_probe_diagnose(o, &st);
	assert_string_equal(st.limit_id, MC_LIMIT_EPOLL_WATCHES);
	assert_non_null(strstr(st.happened, "ENOSPC"));
	assert_int_equal(evval(&st, "server refused: epoll_watches"), 195434);
	assert_int_equal(evval(&st, "client connect: ENOSPC"), 195433);
	assert_int_equal(mc_cause_from_errno(ENOSPC), MC_CAUSE_WATCHES);
	assert_string_equal(mc_cause_limit(MC_CAUSE_WATCHES), MC_LIMIT_EPOLL_WATCHES);
	free(o);
}

/* the reserve stops it even with other failures, and wins over the target */
static void test_reserve(void **state)
{
	struct mc_probe_obs *o = obs();
	struct mc_probe_step st = {0};

	(void)state;
	o->held = 900;
	o->reserve_hit = true;
	o->after.meminfo.mem_available.v = 1ULL << 30;
	mc_probe_diagnose(o, &st);
	assert_int_equal(st.stop, MC_PROBE_RESERVE);
	assert_string_equal(st.limit_id, MC_LIMIT_MEMORY);
	free(o);
}

/* --traffic: TCP buffer memory came to 97% of tcp_mem max (the ramp
 * stopped): tcp_mem, a limit (exit 3), in bytes and percent, with
 * TCPMemoryPressures and the kernel's "TCP: out of memory" lines as
 * evidence (that line alone names tcp_mem); a reserve hit at once is still
 * the reserve. */
static void test_tcp_mem(void **state)
{
	struct mc_probe_obs *o = obs();
	struct mc_probe_step st = {0};

	(void)state;
	o->held = 112000;
	o->target = MC_LIMITS_NONE;
	o->tcp_mem_hit = true;
	o->tcp_mem_bytes = 2290000000ULL;
	o->tcp_mem_max = 575832ULL * 4096;
	o->tcp_mem_pressure = 383888ULL * 4096;
	mc_probe_diagnose(o, &st);
	assert_int_equal(st.stop, MC_PROBE_LIMIT);
	assert_string_equal(st.limit_id, MC_LIMIT_TCP_MEM);
	assert_non_null(strstr(st.happened, "TCP buffers held 2.1 GiB (sockstat mem, the whole "
					    "host), 97% of tcp_mem max 2.2 GiB (pressure from "
					    "1.5 GiB)"));
	/* the evidence: TCPMemoryPressures over the step (0 said too), the
	 * kernel's "TCP: out of memory" lines */
	ev_is(&st, "TCPMemoryPressures", 0, "never over tcp_mem pressure");
	ev_is(&st, "kernel: TCP out of memory", 0, "none, the probe stopped first");
	o->before.netstat.mem_pressures.v = 3;
	o->after.netstat.mem_pressures.v = 5;
	st = (struct mc_probe_step){0};
	mc_probe_diagnose(o, &st);
	ev_is(&st, "TCPMemoryPressures", 2, "over tcp_mem pressure");
	/* the ramp ended otherwise, the kernel said it: tcp_mem, from its line */
	o->tcp_mem_hit = false;
	o->nkmsg = 2;
	snprintf(o->kmsg[0], sizeof(o->kmsg[0]), "TCP: out of memory -- consider tuning tcp_mem");
	snprintf(o->kmsg[1], sizeof(o->kmsg[1]), "TCP: out of memory -- consider tuning tcp_mem");
	st = (struct mc_probe_step){0};
	mc_probe_diagnose(o, &st);
	assert_int_equal(st.stop, MC_PROBE_LIMIT);
	assert_string_equal(st.limit_id, MC_LIMIT_TCP_MEM);
	assert_non_null(strstr(st.happened, "the kernel refused TCP buffer memory: 'TCP: out of "
					    "memory -- consider tuning tcp_mem' in its log 2 time(s)"));
	ev_is(&st, "kernel: TCP out of memory", 2, NULL);
	o->reserve_hit = true;
	mc_probe_diagnose(o, &st);
	assert_int_equal(st.stop, MC_PROBE_RESERVE);
	free(o);
}

/* --heartbeat: the heartbeats fell behind while the CPUs were busy: cpu,
 * a limit, the words and the evidence lines (busy split, run queue,
 * skipped, the round trips at the stop and at the last good point). */
static void test_cpu(void **state)
{
	struct mc_probe_obs *o = obs();
	struct mc_probe_step st = {0};
	const struct mc_probe_evidence *e = NULL;

	(void)state;
	o->held = 6100;
	o->target = MC_LIMITS_NONE;
	o->cpu_hit = true;
	o->cpu = (struct mc_probe_cpuwatch){.max_rtt_ns = 100000000, .held = 6100, .p50 = 150000000,
					    .p99 = 331000000, .runq = 7, .skipped = 12, .busy = 0.97,
					    .user = 0.4, .sys = 0.35, .softirq = 0.22,
					    .good_held = 5800, .good_p50 = 2000000,
					    .good_p99 = 80000000};
	mc_probe_diagnose(o, &st);
	assert_int_equal(st.stop, MC_PROBE_LIMIT);
	assert_string_equal(st.limit_id, MC_LIMIT_CPU);
	assert_string_equal(st.happened, "heartbeats late (p99 331 ms > --max-rtt 100 ms) at 6100 "
					 "held, the CPUs 97% busy; the schedule held up to 5800");
	for (int i = 0; i < st.nev; i++)
		if (strcmp(st.ev[i].what, "CPU busy (%)") == 0)
			e = &st.ev[i];
	assert_non_null(e);
	if (!e) {
		free(o);
		return;
	}
	assert_int_equal(e->value, 97);
	assert_non_null(strstr(e->text, "user 40%, system 35%, softirq 22%"));
	free(o);
}

/* timeouts with listen overflows: the accept queue, with the counter */
/* A memory cgroup's room fell to its reserve: cgroup_memory, with the
 * cgroup's counters as evidence; a max target prints as max. */
static void test_cgroup_reserve(void **state)
{
	struct mc_probe_obs *o = obs();
	struct mc_probe_step st = {0};

	(void)state;
	o->held = 45000;
	o->target = MC_LIMITS_NONE;
	o->ncg = 1;
	snprintf(o->cg[0].who, sizeof(o->cg[0].who), "server and client");
	snprintf(o->cg[0].dir, sizeof(o->cg[0].dir), "/sys/fs/cgroup/memory/box");
	o->cg[0].version = 1;
	o->cg[0].limit = 256ULL << 20;
	o->cg[0].reserve = o->cg[0].limit / 20;
	o->cg_after[0].limit = o->cg[0].limit;
	o->cg_after[0].usage = o->cg[0].limit - (12ULL << 20);
	o->cg_before[0].ev_max = 2;
	o->cg_after[0].ev_max = 5;
	o->cg_hit = 1;
	mc_probe_diagnose(o, &st);
	assert_int_equal(st.stop, MC_PROBE_RESERVE);
	assert_string_equal(st.limit_id, MC_LIMIT_CGROUP_MEMORY);
	assert_non_null(strstr(st.happened, "/sys/fs/cgroup/memory/box"));
	assert_non_null(strstr(st.happened, "oom_kill +0"));
	assert_int_equal(evval(&st, "memory.failcnt"), 3);
	assert_int_equal(evval(&st, "memory oom_kill"), 0);
	assert_int_equal(evval(&st, "cgroup memory (server and client)"), o->cg_after[0].usage);

	/* no reserve, no failure, target max: no 2^64 in the words */
	memset(&st, 0, sizeof(st));
	o->cg_hit = 0;
	mc_probe_diagnose(o, &st);
	assert_string_equal(st.limit_id, "unknown");
	assert_null(strstr(st.happened, "18446744073709551615"));
	assert_non_null(strstr(st.happened, "target max"));
	free(o);
}

/* At the system's file limit: the server's ENFILE refusals name fd_system,
 * and readings that failed with it are unreadable, never 0. */
static void test_enfile(void **state)
{
	struct mc_probe_obs *o = obs();
	struct mc_probe_step st = {0};
	const struct mc_probe_evidence *e;

	(void)state;
	o->held = 600;
	o->srv_held = 600;
	o->srv_refused[MC_CAUSE_ENFILE] = 400;
	o->after.meminfo.err = -ENFILE;
	o->after.sockstat.err = -ENFILE;
	o->after.meminfo.mem_available.v = 0;
	mc_probe_diagnose(o, &st);
	assert_string_equal(st.limit_id, MC_LIMIT_FD_SYSTEM);
	assert_int_equal(evval(&st, "server refused: fd_system"), 400);
	e = ev(&st, "MemAvailable");
	assert_true(e && e->unreadable);
	assert_true(e && strstr(e->text, "ENFILE"));
	e = ev(&st, "sockstat TCP inuse");
	assert_true(e && e->unreadable);
	free(o);
}

static void test_accept_queue(void **state)
{
	struct mc_probe_obs *o = obs();
	struct mc_probe_step st = {0};

	(void)state;
	o->held = 500;
	o->fail[MC_CAUSE_TIMEDOUT] = 20;
	o->before.netstat.listen_overflows.v = 100;
	o->after.netstat.listen_overflows.v = 160;
	mc_probe_diagnose(o, &st);
	assert_string_equal(st.limit_id, MC_LIMIT_ACCEPTQ);
	assert_int_equal(evval(&st, "ListenOverflows"), 60);
	free(o);
}

/* timeouts with SYN retransmits and no overflow or drop: not the accept
 * queue (issue 21: a NAT out of ports drops SYNs the same way; the accept
 * queue is named only on a listen overflow or drop); with ListenDrops, the
 * accept queue on the kernel's word. With a router's conntrack -S showing
 * insert failures: the middle box's ports, with its counts */
static void test_accept_queue_syn_retrans(void **state)
{
	struct mc_probe_obs *o = obs();
	struct mc_probe_step st = {0};

	(void)state;
	o->held = 500;
	o->fail[MC_CAUSE_TIMEDOUT] = 20;
	o->before.netstat.syn_retrans.v = 7;
	o->after.netstat.syn_retrans.v = 47;
	o->before.router_ct.err = o->after.router_ct.err = -ENODATA;
	mc_probe_diagnose(o, &st);
	assert_string_equal(st.limit_id, "unknown");
	assert_int_equal(evval(&st, "TCPSynRetrans"), 40);
	assert_non_null(strstr(st.happened, "40 SYN retransmits"));
	assert_non_null(strstr(st.happened, "not the accept queue"));
	memset(&st, 0, sizeof(st));
	o->router_netns = "mc_r";
	o->before.router_ct = (struct mc_ct_stat){.insert_failed = 5, .drop = 5};
	o->after.router_ct = (struct mc_ct_stat){.insert_failed = 65, .drop = 66};
	mc_probe_diagnose(o, &st);
	assert_string_equal(st.limit_id, MC_LIMIT_MIDDLEBOX);
	assert_int_equal(evval(&st, "router conntrack insert_failed"), 60);
	assert_non_null(strstr(st.happened, "router's namespace (mc_r)"));
	assert_non_null(strstr(st.happened, "insert_failed 60 and drop 61"));
	o->after.router_ct = o->before.router_ct;
	memset(&st, 0, sizeof(st));
	o->after.netstat.syn_retrans.v = 7;
	o->after.netstat.listen_drops.v = 3;
	mc_probe_diagnose(o, &st);
	assert_string_equal(st.limit_id, MC_LIMIT_ACCEPTQ);
	free(o);
}

/* a reverse proxy's error log saying it had no port toward its upstream
 * (--proxy-log): the proxy's ports, in its own words, before the losses
 * it caused (the client saw its connections closed: peer_closed) */
static void test_proxy_noport(void **state)
{
	struct mc_probe_obs *o = obs();
	struct mc_probe_step st = {0};

	(void)state;
	o->have_server = false;
	o->target = 1500;
	o->held = 1000;
	o->reached = 1000;
	o->lost[MC_CAUSE_PEER_CLOSED] = 500;
	mc_probe_diagnose(o, &st);
	assert_string_equal(st.limit_id, "server");
	memset(&st, 0, sizeof(st));
	o->after.plog_noport = 410;
	snprintf(o->after.plog_line, sizeof(o->after.plog_line), "%s",
		 "connect() to 10.22.2.2:9000 failed (99: Cannot assign requested address) while "
		 "connecting to upstream");
	mc_probe_diagnose(o, &st);
	assert_string_equal(st.limit_id, MC_LIMIT_MIDDLEBOX);
	assert_non_null(strstr(st.happened, "the proxy logged x 410"));
	assert_non_null(strstr(st.happened, "(99: Cannot assign requested address) while "
					   "connecting to upstream"));
	assert_int_equal(evval(&st, "proxy: no port upstream"), 410);
	free(o);
}

/* timeouts with no kernel evidence (no overflow, drop or SYN retransmit):
 * never the accept queue. The seeds' first step once read "limit
 * accept_queue ... with 0 ListenOverflows" when the client itself was late;
 * its stalls are shown instead. */
static void test_timeouts_without_evidence(void **state)
{
	struct mc_probe_obs *o = obs();
	struct mc_probe_step st = {0};

	(void)state;
	o->held = 15100;
	o->target = 100000;
	o->fail[MC_CAUSE_TIMEDOUT] = 256;
	o->cli_stalls = 12;
	o->cli_stall_max_ns = 6800000000ull;
	o->cli_connects_late = 900;
	mc_probe_diagnose(o, &st);
	assert_string_not_equal(st.limit_id, MC_LIMIT_ACCEPTQ);
	assert_string_equal(st.limit_id, "unknown");
	assert_int_equal(st.stop, MC_PROBE_LIMIT);
	assert_non_null(strstr(st.happened, "not the accept queue"));
	assert_non_null(strstr(st.happened, "client fell behind"));
	assert_int_equal(evval(&st, "client fell behind"), 12);
	assert_non_null(strstr(ev(&st, "client fell behind")->text, "6.80 s"));
	assert_int_equal(evval(&st, "client saw connects late"), 900);
	/* connects noticed late without a stall: no "fell behind 0 times" line */
	memset(&st, 0, sizeof(st));
	o->cli_stalls = 0;
	mc_probe_diagnose(o, &st);
	assert_null(ev(&st, "client fell behind"));
	assert_int_equal(evval(&st, "client saw connects late"), 900);
	/* without stalls: still not the accept queue */
	memset(&st, 0, sizeof(st));
	o->cli_stalls = o->cli_connects_late = 0;
	mc_probe_diagnose(o, &st);
	assert_string_equal(st.limit_id, "unknown");
	assert_null(ev(&st, "client fell behind"));
	free(o);
}

/* timeouts with a full conntrack table: conntrack, not the accept queue */
static void test_conntrack(void **state)
{
	struct mc_probe_obs *o = obs();
	struct mc_probe_step st = {0};

	(void)state;
	o->held = 500;
	o->fail[MC_CAUSE_TIMEDOUT] = 20;
	o->after.ct_max = 1000;
	o->after.ct_count = 1000;
	snprintf(o->kmsg[0], sizeof(o->kmsg[0]), "nf_conntrack: table full, dropping packet");
	o->nkmsg = 1;
	mc_probe_diagnose(o, &st);
	assert_string_equal(st.limit_id, MC_LIMIT_CONNTRACK);
	assert_non_null(ev(&st, "dmesg"));
	free(o);
}

/* an external server that closes connections: its own limit */
static void test_external(void **state)
{
	struct mc_probe_obs *o = obs();
	struct mc_probe_step st = {0};

	(void)state;
	o->have_server = false;
	o->target = 5000;
	o->held = 1530;
	o->reached = 1530;
	o->lost[MC_CAUSE_PEER_CLOSED] = 100;
	mc_probe_diagnose(o, &st);
	assert_string_equal(st.limit_id, "server");
	assert_non_null(strstr(st.happened, "1530"));
	free(o);
}

/* an external server that ended n connections (peer_closed), holding
 * reached, after saying len bytes of text on each */
static struct mc_probe_obs *server_said(uint64_t reached, uint64_t n, const char *text, size_t len)
{
	struct mc_probe_obs *o = obs();

	o->have_server = false;
	o->target = reached + 2000;
	o->held = o->reached = reached;
	o->lost[MC_CAUSE_PEER_CLOSED] = n;
	o->nsaid = 1;
	o->said[0].cause = MC_CAUSE_PEER_CLOSED;
	o->said[0].len = (uint8_t)len;
	memcpy(o->said[0].bytes, text, len);
	o->said[0].conns = n;
	return o;
}

/* redis past maxclients: what it said before closing is the evidence, and
 * in the sentence; a server that held its ceiling is "server" */
static void test_server_said(void **state)
{
	static const char full[] = "-ERR max number of clients reached\r\n";
	struct mc_probe_obs *o = server_said(10000, 80, full, sizeof(full) - 1);
	struct mc_probe_step st = {0};
	const struct mc_probe_evidence *e;

	(void)state;
	o->held = 10300; /* the client's count; the server's is reached */
	mc_probe_diagnose(o, &st);
	assert_string_equal(st.limit_id, "server");
	assert_non_null(strstr(st.happened, "10000"));
	assert_non_null(strstr(st.happened, "\"-ERR max number of clients reached\\r\\n\""));
	e = ev(&st, "server said: peer_closed");
	assert_non_null(e);
	assert_int_equal(evval(&st, "server said: peer_closed"), 80);
	assert_non_null(strstr(e->text, "-ERR max number of clients reached\\r\\n"));
	free(o);
}

/* --server-pid: the client holds 12000, the server 9936; the namespace
 * counted 6502 ListenOverflows */
static void holds_fewer(struct mc_probe_obs *o)
{
	o->have_server = false;
	o->target = 12000;
	o->held = 12000;
	o->reached = 9936;
	o->reached_server = true;
	o->before.netstat.listen_overflows.v = 10;
	o->after.netstat.listen_overflows.v = 6512;
}

/* --server-pid: the client holds the target but the server only 9936 of
 * them (redis behind a full accept queue: the kernel completed the rest
 * with SYN cookies and dropped them). Not the target: the accept queue,
 * on the kernel's word; without that word, the server. */
static void test_server_holds_fewer(void **state)
{
	struct mc_probe_obs *o = obs();
	struct mc_probe_step st = {0};

	(void)state;
	holds_fewer(o);
	o->before.netstat.listen_drops.v = 10;
	o->after.netstat.listen_drops.v = 6512;
	mc_probe_diagnose(o, &st);
	assert_int_equal(st.stop, MC_PROBE_LIMIT);
	assert_string_equal(st.limit_id, "accept_queue");
	assert_non_null(strstr(st.happened, "the client holds 12000 but the server 9936: 6502 "
					    "ListenOverflows, 6502 ListenDrops"));

	o->after.netstat.listen_overflows.v = o->before.netstat.listen_overflows.v;
	o->after.netstat.listen_drops.v = o->before.netstat.listen_drops.v;
	mc_probe_diagnose(o, &st);
	assert_int_equal(st.stop, MC_PROBE_LIMIT);
	assert_string_equal(st.limit_id, "server");
	assert_non_null(strstr(st.happened, "had not accepted the rest"));

	/* the server holds them all: the target */
	o->reached = 12000;
	mc_probe_diagnose(o, &st);
	assert_int_equal(st.stop, MC_PROBE_TARGET);
	/* the client's count alone (no --server-pid): the target as before */
	o->reached = 9936;
	o->reached_server = false;
	mc_probe_diagnose(o, &st);
	assert_int_equal(st.stop, MC_PROBE_TARGET);
	free(o);
}

/* nginx's client_header_timeout: every idle connection closed, not a byte
 * said: the server closing them, nothing quoted, no refusal named */
static void test_server_closes_idle(void **state)
{
	struct mc_probe_obs *o = server_said(0, 2000, "", 0);
	struct mc_probe_step st = {0};

	(void)state;
	o->nsaid = 0;
	mc_probe_diagnose(o, &st);
	assert_int_equal(st.stop, MC_PROBE_LIMIT);
	assert_string_equal(st.limit_id, "server_closes_idle");
	assert_non_null(strstr(st.happened, "the server closed every connection (2000)"));
	assert_non_null(strstr(st.happened, "it said nothing"));
	assert_null(strstr(st.happened, "it said \""));
	assert_null(ev(&st, "server said: peer_closed"));
	free(o);
}

/* --proto http against a server answering 503: its own answer, quoted */
static void test_server_answer(void **state)
{
	static const char line[] = "HTTP/1.1 503 Service Temporarily Unavailable";
	struct mc_probe_obs *o = server_said(0, 0, line, sizeof(line) - 1);
	struct mc_probe_step st = {0};

	(void)state;
	o->fail[MC_CAUSE_PROTO] = 500;
	o->said[0].cause = MC_CAUSE_PROTO;
	o->said[0].conns = 500;
	mc_probe_diagnose(o, &st);
	assert_string_equal(st.limit_id, "server_answer");
	assert_non_null(strstr(st.happened, "refused 500 connections in its protocol's answer"));
	assert_non_null(strstr(st.happened, "it said \"HTTP/1.1 503 Service"));
	free(o);
}

/* redis in protected mode: every connection ended at once, none held: the
 * server refuses this client; a long message is cut with "...", bytes
 * that are not text are escaped */
static void test_server_refuses(void **state)
{
	char text[MC_CLIENT_SAID_BYTES];
	struct mc_probe_obs *o;
	struct mc_probe_step st = {0};
	const struct mc_probe_evidence *e;

	(void)state;
	memset(text, 'x', sizeof(text));
	memcpy(text, "-DENIED\x01", 8);
	o = server_said(0, 64, text, sizeof(text));
	mc_probe_diagnose(o, &st);
	assert_int_equal(st.stop, MC_PROBE_LIMIT);
	assert_string_equal(st.limit_id, "server_refuses");
	assert_non_null(strstr(st.happened, "at once (64)"));
	e = ev(&st, "server said: peer_closed");
	assert_non_null(e);
	assert_non_null(strstr(e->text, "\"-DENIED\\x01xxx"));
	assert_non_null(strstr(e->text, "xx\"...:"));
	/* holding its ceiling, the same losses are its limit, not a refusal */
	o->reached = o->held = 1000;
	mc_probe_diagnose(o, &st);
	assert_string_equal(st.limit_id, "server");
	free(o);
}

/* a failure of a cause that names no limit carries its own message: the
 * evidence line and the sentence say what failed and how */
static void test_other_failure_message(void **state)
{
	static const char msg[] = "connect [::1]:9000 from 127.0.0.2: Address family not "
				  "supported by protocol (EAFNOSUPPORT)";
	struct mc_probe_obs *o = obs();
	struct mc_probe_step st = {0};
	const struct mc_probe_evidence *e;

	(void)state;
	o->target = 2000;
	o->fail[MC_CAUSE_OTHER] = 2000;
	snprintf(o->cause_error[MC_CAUSE_OTHER], sizeof(o->cause_error[0]), "%s", msg);
	mc_probe_diagnose(o, &st);
	e = ev(&st, "client connect: other");
	assert_non_null(e);
	assert_int_equal(evval(&st, "client connect: other"), 2000);
	assert_non_null(strstr(e->text, msg));
	assert_int_equal(st.stop, MC_PROBE_LIMIT);
	assert_string_equal(st.limit_id, "connect");
	assert_non_null(strstr(st.happened, "EAFNOSUPPORT"));
	free(o);
}

static void test_interrupted_and_child(void **state)
{
	struct mc_probe_obs *o = obs();
	struct mc_probe_step st = {0};

	(void)state;
	o->held = 10;
	o->interrupted = true;
	o->stop_signal = SIGINT;
	mc_probe_diagnose(o, &st);
	assert_int_equal(st.stop, MC_PROBE_INTERRUPTED);
	assert_string_equal(st.happened, "interrupted (Ctrl-C) at 10 held");
	/* SIGTERM is no Ctrl-C */
	o->stop_signal = SIGTERM;
	mc_probe_diagnose(o, &st);
	assert_int_equal(st.stop, MC_PROBE_INTERRUPTED);
	assert_string_equal(st.happened, "interrupted (SIGTERM) at 10 held");
	o->child_failed = true;
	snprintf(o->child_error, sizeof(o->child_error), "the probe's server ended: bind");
	mc_probe_diagnose(o, &st);
	assert_int_equal(st.stop, MC_PROBE_FAILED);
	assert_string_equal(st.happened, "the probe's server ended: bind");
	free(o);
}

/* The TCP cache's growth is the probe's own when it is 0.75 to 3 objects
 * per connection (one end in this kernel, or both); other work opening or
 * closing sockets meanwhile moves it outside. */
static void test_slab_growth_is_ours(void **state)
{
	(void)state;
	assert_true(mc_probe_slab_growth_is_ours(5927, 3000));	/* both ends, measured */
	assert_true(mc_probe_slab_growth_is_ours(3000, 3000));	/* a server on another host */
	assert_true(mc_probe_slab_growth_is_ours(2250, 3000));
	assert_true(mc_probe_slab_growth_is_ours(9000, 3000));
	assert_false(mc_probe_slab_growth_is_ours(2249, 3000));
	assert_false(mc_probe_slab_growth_is_ours(9001, 3000));
	assert_false(mc_probe_slab_growth_is_ours(-18000, 3000)); /* others closed 24k */
	assert_false(mc_probe_slab_growth_is_ours(0, 3000));
	assert_false(mc_probe_slab_growth_is_ours(0, 0));
}

/* The measured server's listeners, read by sock_diag when the step began
 * and at its top: listeners found, their drops then and at the top. */
static void own_listeners(struct mc_probe_obs *o, uint64_t drops0, uint64_t drops1)
{
	o->before.listen.listeners = o->after.listen.listeners = 1;
	o->before.listen.drops = drops0;
	o->after.listen.drops = drops1;
	o->after.listen.backlog = 4096;
	o->before.listen_err = o->after.listen_err = 0;
}

/* A flood of another listener of the namespace (the server's --metrics
 * endpoint, backlog 64, 1,500 connects) while the client timed out: the
 * namespace's 2,815 ListenOverflows and the SYN retransmits are not the
 * server's; when its own listeners dropped nothing it is not the accept
 * queue, when they dropped it is. */
static void test_flood_elsewhere_timeouts(void **state)
{
	struct mc_probe_obs *o = obs();
	struct mc_probe_step st = {0};

	(void)state;
	o->have_server = false;
	o->held = 500;
	o->fail[MC_CAUSE_TIMEDOUT] = 20;
	o->before.netstat.listen_overflows.v = o->before.netstat.listen_drops.v = 100;
	o->after.netstat.listen_overflows.v = o->after.netstat.listen_drops.v = 2915;
	o->before.netstat.syn_retrans.v = 0;
	o->after.netstat.syn_retrans.v = 1400;
	own_listeners(o, 7, 7);
	mc_probe_diagnose(o, &st);
	assert_string_not_equal(st.limit_id, MC_LIMIT_ACCEPTQ);
	assert_string_equal(st.limit_id, "unknown");
	assert_non_null(strstr(st.happened, "not the accept queue"));
	assert_non_null(strstr(st.happened, "2815 ListenOverflows"));
	assert_int_equal(evval(&st, "server listeners: drops"), 0);
	assert_int_equal(evval(&st, "ListenOverflows"), 2815); /* still shown */
	assert_non_null(strstr(ev(&st, "server listeners: drops")->text, "of 4096"));

	/* its own listeners dropped 60: the accept queue, on their word */
	memset(&st, 0, sizeof(st));
	o->after.listen.drops = 67;
	mc_probe_diagnose(o, &st);
	assert_string_equal(st.limit_id, MC_LIMIT_ACCEPTQ);
	assert_int_equal(evval(&st, "server listeners: drops"), 60);
	assert_non_null(
	    strstr(st.happened, "60 SYNs or ACKs dropped at the server's own listeners"));

	/* not read (the server on another host): the namespace's counters as
	 * before, saying where they come from */
	memset(&st, 0, sizeof(st));
	o->before.listen_err = o->after.listen_err = -ENOENT;
	o->after.listen.drops = 7;
	mc_probe_diagnose(o, &st);
	assert_string_equal(st.limit_id, MC_LIMIT_ACCEPTQ);
	assert_null(ev(&st, "server listeners: drops"));
	assert_non_null(strstr(st.happened, "2815 ListenOverflows, 2815 ListenDrops, 1400 SYN "
					    "retransmits (this host's counters"));
	assert_non_null(strstr(st.happened, "another host"));
	free(o);
}

/* Issue 22, row 1: probe --target-addr against `maxconn server -n 500`
 * with --server-metrics at the server host's node_exporter, while 1,500
 * connections flood the server's --metrics port. The server host's
 * ListenOverflows (every listener's there) grew by 2,815 between the two
 * readings and the server ended 1,500 connections (its --max-conns, which
 * no refusal family of the server host names): the server host's verdict
 * was the accept queue. Its own listener, read here, dropped nothing: the
 * server's own limit, as without the flood. */
static void test_flood_elsewhere_server_host(void **state)
{
	struct mc_probe_obs *o = obs();
	struct mc_probe_step st = {0};
	struct mc_probe_remote before, after;
	struct mc_probe_server_host h;

	(void)state;
	mc_probe_remote_init(&before);
	mc_probe_remote_init(&after);
	before.node = after.node = true;
	before.v[MC_RF_OVERFLOWS] = before.v[MC_RF_DROPS] = 23;
	after.v[MC_RF_OVERFLOWS] = after.v[MC_RF_DROPS] = 2838;
	memset(&h, 0, sizeof(h));
	mc_probe_server_host_figures(&before, &after, &h);
	h.asked = h.known = true;
	o->srv_before = &before;
	o->srv_after = &after;
	o->srv_host = &h;
	o->have_server = false;
	o->target = 2000;
	o->held = o->reached = 500;
	o->lost[MC_CAUSE_PEER_CLOSED] = 1500;
	o->before.netstat.listen_overflows.v = o->before.netstat.listen_drops.v = 23;
	o->after.netstat.listen_overflows.v = o->after.netstat.listen_drops.v = 2838;
	own_listeners(o, 0, 0);
	mc_probe_diagnose(o, &st);
	assert_int_equal(st.stop, MC_PROBE_LIMIT);
	assert_string_equal(st.limit_id, "server");
	assert_non_null(strstr(st.happened, "closed or reset 1500 connections"));
	assert_int_equal(evval(&st, "server host: ListenOverflows"), 2815);
	assert_int_equal(evval(&st, "server listeners: drops"), 0);

	/* the server's own listener overflowed: the accept queue */
	memset(&st, 0, sizeof(st));
	o->after.listen.drops = 900;
	mc_probe_diagnose(o, &st);
	assert_string_equal(st.limit_id, MC_LIMIT_ACCEPTQ);

	/* its listener not readable here: the server host's word, as before */
	memset(&st, 0, sizeof(st));
	o->before.listen_err = o->after.listen_err = -ENOENT;
	mc_probe_diagnose(o, &st);
	assert_string_equal(st.limit_id, MC_LIMIT_ACCEPTQ);
	assert_non_null(strstr(st.happened, "2815 ListenOverflows on the server host"));
	free(o);
}

/* --server-pid: the client holds more than the server; the namespace's
 * overflows are another listener's when the server's own dropped none */
static void test_server_holds_fewer_own_listeners(void **state)
{
	struct mc_probe_obs *o = obs();
	struct mc_probe_step st = {0};

	(void)state;
	holds_fewer(o);
	own_listeners(o, 0, 0);
	mc_probe_diagnose(o, &st);
	assert_string_equal(st.limit_id, "server");
	assert_non_null(strstr(st.happened, "had not accepted the rest"));
	memset(&st, 0, sizeof(st));
	o->after.listen.drops = 2064;
	mc_probe_diagnose(o, &st);
	assert_string_equal(st.limit_id, MC_LIMIT_ACCEPTQ);
	assert_non_null(
	    strstr(st.happened, "2064 SYNs or ACKs dropped at the server's own listeners"));
	free(o);
}

/* Which listeners take a destination's connections: its own address and
 * port, or the wildcard when the address is one of this host's (:: takes
 * IPv4 unless IPV6_V6ONLY); never another port, never for another host. */
static void test_listen_takes(void **state)
{
	struct mc_endpoint_range dst[2];
	struct mc_diag_sock s;
	struct mc_err err;
	bool local[2] = {true, false};

	(void)state;
	assert_int_equal(mc_parse_endpoint("127.0.0.1:9000-9001", false, &dst[0], &err), 0);
	assert_int_equal(mc_parse_endpoint("10.9.9.9:9464", false, &dst[1], &err), 0);
	memset(&s, 0, sizeof(s));
	s.state = MC_TCP_LISTEN;
	assert_int_equal(mc_parse_addr("127.0.0.1", &s.src, &err), 0);
	s.sport = 9001;
	assert_true(mc_diag_listen_takes(&s, dst, 2, local));
	s.sport = 9464; /* the --metrics endpoint: another port */
	assert_false(mc_diag_listen_takes(&s, dst, 2, local));
	assert_int_equal(mc_parse_addr("0.0.0.0", &s.src, &err), 0);
	s.sport = 9000;
	assert_true(mc_diag_listen_takes(&s, dst, 2, local));
	s.sport = 9464; /* 10.9.9.9 is not this host's: not its wildcard */
	assert_false(mc_diag_listen_takes(&s, dst, 2, local));
	assert_int_equal(mc_parse_addr("127.0.0.2", &s.src, &err), 0);
	s.sport = 9000; /* another address of the host */
	assert_false(mc_diag_listen_takes(&s, dst, 2, local));
	assert_int_equal(mc_parse_addr("::", &s.src, &err), 0);
	assert_true(mc_diag_listen_takes(&s, dst, 2, local));
	s.v6only = true;
	assert_false(mc_diag_listen_takes(&s, dst, 2, local));
	local[0] = false;
	s.v6only = false;
	assert_false(mc_diag_listen_takes(&s, dst, 2, local));
}

/* More evidence than a step keeps: the last place counts what was left
 * out, and every kept line is whole (before, lines past 16 were dropped
 * without a word, and the namespace's ListenOverflows went with them). */
static void test_evidence_full(void **state)
{
	struct mc_probe_obs *o = obs();
	struct mc_probe_step st = {0};
	const struct mc_probe_evidence *left;

	(void)state;
	for (int k = 0; k < MC_CAUSE_COUNT; k++)
		o->fail[k] = o->lost[k] = o->srv_refused[k] = 1 + (uint64_t)k;
	o->after.netstat.listen_overflows.v = o->after.netstat.listen_drops.v = 5;
	o->after.netstat.syn_retrans.v = 7;
	mc_probe_diagnose(o, &st);
	assert_int_equal(st.nev, MC_PROBE_MAX_EVIDENCE);
	left = &st.ev[MC_PROBE_MAX_EVIDENCE - 1];
	assert_string_equal(left->what, "evidence left out");
	assert_true(left->value >= 1);
	assert_non_null(strstr(left->text, "lines of evidence past the"));
	for (int i = 0; i < MC_PROBE_MAX_EVIDENCE - 1; i++)
		assert_string_not_equal(st.ev[i].what, "evidence left out");
	free(o);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_target),	  cmocka_unit_test(test_ports),
	    cmocka_unit_test(test_server_fd),	  cmocka_unit_test(test_threads),
	    cmocka_unit_test(test_reserve),	  cmocka_unit_test(test_tcp_mem), cmocka_unit_test(test_cpu),
	    cmocka_unit_test(test_epoll_watches), cmocka_unit_test(test_accept_queue),
	    cmocka_unit_test(test_accept_queue_syn_retrans),
	    cmocka_unit_test(test_proxy_noport),
	    cmocka_unit_test(test_timeouts_without_evidence),
	    cmocka_unit_test(test_conntrack),	  cmocka_unit_test(test_external),
	    cmocka_unit_test(test_server_said),	  cmocka_unit_test(test_server_refuses),
	    cmocka_unit_test(test_server_closes_idle), cmocka_unit_test(test_server_answer),
	    cmocka_unit_test(test_other_failure_message),
	    cmocka_unit_test(test_cgroup_reserve), cmocka_unit_test(test_enfile),
	    cmocka_unit_test(test_interrupted_and_child),
	    cmocka_unit_test(test_slab_growth_is_ours),
	    cmocka_unit_test(test_server_holds_fewer),
	    cmocka_unit_test(test_thread_limit_named), cmocka_unit_test(test_server_other_cause),
	    cmocka_unit_test(test_flood_elsewhere_timeouts),
	    cmocka_unit_test(test_flood_elsewhere_server_host),
	    cmocka_unit_test(test_server_holds_fewer_own_listeners),
	    cmocka_unit_test(test_listen_takes),
	    cmocka_unit_test(test_evidence_full),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
