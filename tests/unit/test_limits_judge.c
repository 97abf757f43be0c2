/* test_limits_judge.c: limits/judge.c on snapshots read from the fake trees
 * in tests/unit/fixtures/limits/ with rlimits set by the test. Each limit is
 * made binding in turn and its ceiling checked against hand-computed numbers;
 * unknown values carry their reason; no false warnings (tcp_tw_reuse=2, the
 * port range against connections per pair, conntrack when nothing is
 * tracked); the changes for --target come in order with exact lines. */
#include <errno.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "limits/limits.h"
#include "limits_fx.h"
#include "common/addr.h"
#include "net/cause.h"

/* base tree: MemTotal 8 GiB, MemAvailable 4 GiB, so the reserve is
 * 8 GiB / 20 = 429496729 and (4 GiB - reserve) = 3865470567 bytes; an
 * idle epoll socket is 2520 + 862 + 195 + 195 + 128 = 3900 bytes. */
#define USABLE 3865470567ULL
/* ... plus what the named caches miss (MC_LIMITS_SOCK_REST_BYTES) */
#define SOCK (3900 + MC_LIMITS_SOCK_REST_BYTES)
/* what a memory cgroup is charged: an accepted socket has no tcp_sock
 * charged (862 + 195 + 195 + 128 = 1380), a connecting one has (+ 2520) */
#define CG_ACCEPT  (1380 + MC_LIMITS_CG_ACCEPT_REST)
#define CG_CONNECT (3900 + MC_LIMITS_CG_CONNECT_REST)

static struct fx *load(const char *tree)
{
	return fx_load(tree, 20000, 20000);
}

/* Lift the fd limits out of the way so memory-side limits can bind. */
static void lift_fds(struct fx *f)
{
	f->s.nofile_soft = f->s.nofile_hard = (struct mc_host_num){100000000, 0};
	f->s.nr_open = (struct mc_host_num){100000000, 0};
	f->s.file_max = (struct mc_host_num){1000000000, 0};
}

static const struct mc_limits_item *judge(struct fx *f)
{
	assert_int_equal(mc_limits_judge(&f->s, &f->sc, &f->r), 0);
	assert_true(f->r.binding >= 0);
	return &f->r.items[f->r.binding];
}

static const struct mc_limits_item *item(struct fx *f, const char *id)
{
	const struct mc_limits_item *it = mc_limits_find(&f->r, id);

	assert_non_null(it);
	return it;
}

static void assert_binding(struct fx *f, const char *id, uint64_t conns)
{
	const struct mc_limits_item *b = judge(f);

	if (strcmp(b->id, id) != 0)
		fail_msg("binding: expected %s, got %s (%llu)", id, b->id,
			 (unsigned long long)b->conns);
	assert_int_equal(b->conns, conns);
	assert_int_equal(f->r.ceiling, conns);
	assert_int_equal(b->status, MC_LIMITS_BINDING);
}

/* Nothing but the binding limit may say anything but fine. */
static void assert_no_warnings(struct fx *f)
{
	for (int i = 0; i < f->r.n; i++) {
		const struct mc_limits_item *it = &f->r.items[i];
		if (i == f->r.binding)
			continue;
		if (it->status != MC_LIMITS_FINE || it->needs_change)
			fail_msg("%s: status %s, expected fine (%s)", it->id,
				 mc_limits_status_str(it->status), it->reason);
	}
}

static bool has_fix(const struct mc_limits_item *it, const char *needle)
{
	for (int i = 0; i < it->nfix; i++)
		if (strstr(it->fix[i], needle))
			return true;
	return false;
}

/* The default scenario on the base tree: an epoll server with RLIMIT_NOFILE
 * 20000 holds 19992; ports are not its limit; no false warnings. */
static void test_server_fd_process(void **state)
{
	struct fx *f = load(FIX "base");
	const struct mc_limits_item *it;

	(void)state;
	assert_binding(f, MC_LIMIT_FD_PROCESS, 20000 - 8);
	assert_no_warnings(f);
	assert_int_equal(f->r.nunknown, 0);
	it = item(f, MC_LIMIT_PORTS);
	assert_int_equal(it->kind, MC_LIMITS_INFO);
	assert_int_equal(it->conns, MC_LIMITS_NONE);
	assert_non_null(strstr(it->note, "2^48"));
	assert_int_equal(f->r.ports_per_pair, 28232);
	/* tcp_tw_reuse=2 is the loopback-only default, not a problem */
	it = item(f, MC_LIMIT_TIME_WAIT);
	assert_int_equal(it->status, MC_LIMITS_FINE);
	assert_non_null(strstr(it->value, "tw_reuse 2 (loopback)"));
	/* not tracking: conntrack caps nothing */
	it = item(f, MC_LIMIT_CONNTRACK);
	assert_int_equal(it->conns, MC_LIMITS_NONE);
	assert_non_null(strstr(it->note, "not tracking"));
	/* the other fd levels */
	assert_int_equal(item(f, MC_LIMIT_FD_NR_OPEN)->conns, 1048576 - 8);
	assert_int_equal(item(f, MC_LIMIT_FD_SYSTEM)->conns, 1000000 - 1000);
	assert_int_equal(item(f, MC_LIMIT_MEMORY)->conns, USABLE / SOCK);
	assert_int_equal(f->r.sock_bytes, SOCK);
	assert_false(f->r.sock_bytes_default);
	/* the fix: more than the hard limit, so limits.conf and workers */
	it = item(f, MC_LIMIT_FD_PROCESS);
	assert_true(has_fix(it, "LimitNOFILE="));
	assert_true(has_fix(it, "--workers 2"));
	free(f);
}

/* Soft below hard: ulimit -n is enough, no root; an unlimited soft limit
 * leaves fs.nr_open as the cap. */
static void test_fd_soft_below_hard(void **state)
{
	struct fx *f = load(FIX "base");
	const struct mc_limits_item *it;

	(void)state;
	f->s.nofile_soft.v = 1024;
	f->s.nofile_hard.v = 524288;
	assert_binding(f, MC_LIMIT_FD_PROCESS, 1016);
	it = item(f, MC_LIMIT_FD_PROCESS);
	assert_int_equal(it->raise_to, 2 * 1016 + 8);
	assert_true(has_fix(it, "ulimit -n 2040 (in the shell"));
	assert_false(has_fix(it, "limits.conf"));
	f->s.nofile_soft.v = MC_LIMITS_NONE;
	f->sc.role = MC_LIMITS_BOTH;
	f->sc.sources = 1000;
	f->s.meminfo.mem_available.v = 64ULL << 30;
	f->s.file_max.v = 100000000;
	assert_binding(f, MC_LIMIT_FD_NR_OPEN, (1048576 - 8) / 2);
	assert_int_equal(item(f, MC_LIMIT_FD_PROCESS)->conns, MC_LIMITS_NONE);
	free(f);
}

/* --fd-tables multiplies the per-table limit. */
static void test_fd_tables(void **state)
{
	struct fx *f = load(FIX "base");

	(void)state;
	f->sc.fd_tables = 4;
	assert_binding(f, MC_LIMIT_FD_PROCESS, (20000 - 8) * 4);
	f->sc.fd_overhead = 0;
	assert_binding(f, MC_LIMIT_FD_PROCESS, 80000);
	free(f);
}

/* A client: the port range binds at 28232 per (source, destination) pair. */
static void test_client_ports(void **state)
{
	struct fx *f = load(FIX "base");
	const struct mc_limits_item *it;

	(void)state;
	f->sc.role = MC_LIMITS_CLIENT;
	f->s.nofile_soft = f->s.nofile_hard = (struct mc_host_num){100000, 0};
	assert_binding(f, MC_LIMIT_PORTS, 28232);
	assert_no_warnings(f);

	/* 4 sources x 2 destination ports: 8 pairs; now fds bind */
	f->sc.sources = 4;
	f->sc.dest_ports = 2;
	assert_binding(f, MC_LIMIT_FD_PROCESS, 100000 - 8);
	it = item(f, MC_LIMIT_PORTS);
	assert_int_equal(it->conns, 8ULL * 28232);
	assert_int_equal(it->status, MC_LIMITS_FINE);

	/* a target the pairs can carry: the port range is compared with
	 * connections per pair (12500), not with the total (tcpkali's false
	 * warning) */
	f->sc.target = 100000;
	judge(f);
	assert_false(item(f, MC_LIMIT_PORTS)->needs_change);
	assert_int_equal(f->r.nchanges, 1);
	assert_string_equal(f->r.items[f->r.changes[0]].id, MC_LIMIT_FD_PROCESS);
	free(f);
}

/* Reserved ports inside the range lower the per-pair count. */
static void test_reserved_ports(void **state)
{
	struct fx *f = load(FIX "misc");

	(void)state;
	f->sc.role = MC_LIMITS_CLIENT;
	f->s.nofile_soft = f->s.nofile_hard = (struct mc_host_num){100000, 0};
	assert_binding(f, MC_LIMIT_PORTS, 28232 - 33);
	free(f);
}

/* --target on a client: exact lines, lowest ceiling first. */
static void test_target_client(void **state)
{
	struct fx *f = load(FIX "base");
	const struct mc_limits_item *it;

	(void)state;
	f->sc.role = MC_LIMITS_CLIENT;
	f->sc.target = 1000000;
	assert_binding(f, MC_LIMIT_FD_PROCESS, 19992);
	/* fd_process 19992, ports 28232, memory 975143, fd_system 999000 */
	assert_int_equal(f->r.nchanges, 4);
	assert_string_equal(f->r.items[f->r.changes[0]].id, MC_LIMIT_FD_PROCESS);
	assert_string_equal(f->r.items[f->r.changes[1]].id, MC_LIMIT_PORTS);
	assert_string_equal(f->r.items[f->r.changes[2]].id, MC_LIMIT_MEMORY);
	assert_int_equal(f->r.items[f->r.changes[2]].conns, USABLE / (3964 + MC_LIMITS_SOCK_REST_BYTES));
	assert_string_equal(f->r.items[f->r.changes[3]].id, MC_LIMIT_FD_SYSTEM);
	assert_true(f->r.items[f->r.binding].needs_change);

	it = item(f, MC_LIMIT_FD_PROCESS);
	assert_int_equal(it->raise_to, 1000008);
	assert_true(has_fix(it, "* hard nofile 1000008"));
	assert_true(has_fix(it, "LimitNOFILE=1000008"));
	assert_true(has_fix(it, "maxconn client --workers 51"));

	/* 1M / 28232 per pair = 35.4: 36 sources, 127.0.0.1-127.0.0.36 */
	it = item(f, MC_LIMIT_PORTS);
	assert_int_equal(it->status, MC_LIMITS_NEEDS_CHANGE);
	assert_true(has_fix(it, "--source 127.0.0.1-127.0.0.36"));
	assert_true(has_fix(it, "127.0.0.1:10000-10035"));
	assert_true(has_fix(it, "only 64512 ports per pair"));

	/* memory: 1M x 3900 + reserve > 4 GiB available */
	it = item(f, MC_LIMIT_MEMORY);
	assert_int_equal(it->raise_to, 1000000ULL * (3964 + MC_LIMITS_SOCK_REST_BYTES) + 429496729);

	/* a target the port range can reach by widening it */
	f->sc.target = 50000;
	f->s.nofile_soft = f->s.nofile_hard = (struct mc_host_num){100000, 0};
	judge(f);
	it = item(f, MC_LIMIT_PORTS);
	assert_int_equal(it->raise_to, 50000);
	assert_true(has_fix(it, "sysctl -w net.ipv4.ip_local_port_range=\"11000 60999\""));
	assert_true(has_fix(it, "net.ipv4.ip_local_port_range = 11000 60999' >> "
				"/etc/sysctl.d/99-maxconn.conf"));
	assert_true(has_fix(it, "--source 127.0.0.1-127.0.0.2 "));
	free(f);
}

/* Role both: 2 fds and 2 sockets per connection, and the client's ports. */
static void test_both(void **state)
{
	struct fx *f = load(FIX "base");

	(void)state;
	f->sc.role = MC_LIMITS_BOTH;
	f->sc.fd_tables = 4;
	assert_binding(f, MC_LIMIT_PORTS, 28232);
	f->sc.sources = 10;
	assert_binding(f, MC_LIMIT_FD_PROCESS, (20000 - 8) * 4 / 2);
	assert_int_equal(f->r.fds_per_conn, 2);
	assert_int_equal(f->r.socks_per_conn, 2);
	/* two sockets plus the client port's bind bucket */
	assert_int_equal(f->r.conn_bytes, 2 * SOCK + 64);
	assert_int_equal(item(f, MC_LIMIT_MEMORY)->conns, USABLE / (7864 + 2 * MC_LIMITS_SOCK_REST_BYTES));
	assert_int_equal(item(f, MC_LIMIT_FD_SYSTEM)->conns, (1000000 - 1000) / 2);
	free(f);
}

static void test_fd_system(void **state)
{
	struct fx *f = load(FIX "base");
	const struct mc_limits_item *it;

	(void)state;
	f->s.file_max.v = 10000;
	assert_binding(f, MC_LIMIT_FD_SYSTEM, 9000);
	f->sc.target = 50000;
	judge(f);
	it = item(f, MC_LIMIT_FD_SYSTEM);
	assert_int_equal(it->raise_to, 1000 + 50000 + 65536);
	assert_true(has_fix(it, "sysctl -w fs.file-max=\"116536\""));
	assert_true(has_fix(it, "echo 'fs.file-max = 116536' >> /etc/sysctl.d/99-maxconn.conf"));
	free(f);
}

/* nr_open binds when RLIMIT_NOFILE was set above it (nr_open lowered
 * afterwards): no fd table grows past nr_open. */
static void test_fd_nr_open(void **state)
{
	struct fx *f = load(FIX "base");
	const struct mc_limits_item *it;

	(void)state;
	f->s.nofile_soft = f->s.nofile_hard = (struct mc_host_num){2000000, 0};
	f->s.meminfo.mem_available.v = 64ULL << 30;
	f->s.file_max.v = 100000000;
	assert_binding(f, MC_LIMIT_FD_NR_OPEN, 1048576 - 8);
	assert_int_equal(item(f, MC_LIMIT_FD_PROCESS)->conns, 2000000 - 8);
	f->sc.target = 1500000;
	judge(f);
	it = item(f, MC_LIMIT_FD_NR_OPEN);
	assert_true(has_fix(it, "sysctl -w fs.nr_open=\"1500008\""));
	assert_true(has_fix(it, "--workers 2"));
	free(f);
}

/* With the fds lifted, kernel memory per socket binds. */
static void test_memory(void **state)
{
	struct fx *f = load(FIX "base");
	const struct mc_limits_item *it;

	(void)state;
	lift_fds(f);
	assert_binding(f, MC_LIMIT_MEMORY, USABLE / SOCK);
	assert_no_warnings(f);
	it = item(f, MC_LIMIT_MEMORY);
	assert_int_equal(it->vals[3].v, 429496729); /* reserve */
	assert_int_equal(f->r.mem_reserve, 429496729);

	/* slabinfo unreadable (root only): the documented 4.1 KB default */
	f->s.slab.err = -EACCES;
	assert_binding(f, MC_LIMIT_MEMORY, USABLE / 4100);
	assert_true(f->r.sock_bytes_default);
	assert_non_null(strstr(item(f, MC_LIMIT_MEMORY)->note, "default"));
	free(f);
}

/* Under traffic: buffers per connection as the kernel charges them (the
 * measured cost: 64 KiB unread is 69632 B in the reader's queue, 17 whole
 * pages), and tcp_mem caps them less what is in use (256 pages here). */
static void test_traffic_tcp_mem(void **state)
{
	struct fx *f = load(FIX "base");
	const struct mc_limits_item *it;

	(void)state;
	lift_fds(f);
	f->sc.traffic = 65536;
	f->s.buf = (struct mc_bufcost){.size = 65536, .conns = 64, .reader_held = 65536,
				       .reader_bytes = 69632, .charged = 69632, .measured = true};
	snprintf(f->s.buf.how, sizeof(f->s.buf.how), "measured: a test");
	/* (300000 - 256 pages in use) x 4096 / 69632; the old model, the
	 * payload in both sockets at its size, said 18750 */
	assert_binding(f, MC_LIMIT_TCP_MEM, 17632);
	it = item(f, MC_LIMIT_TCP_MEM);
	assert_non_null(strstr(it->note, "69632 B charged per connection"));
	assert_non_null(strstr(it->note, "measured: a test"));
	assert_int_equal(item(f, MC_LIMIT_MEMORY)->conns, USABLE / (SOCK + 69632));
	f->sc.target = 30000;
	judge(f);
	it = item(f, MC_LIMIT_TCP_MEM);
	/* 30000 x 69632 / 4096 = 510000 pages, + the 256 in use */
	assert_int_equal(it->raise_to, 510256);
	assert_true(has_fix(it, "sysctl -w net.ipv4.tcp_mem=\"100000 382692 510256\""));
	/* both ends here: the writer's queue counts too (unacked bytes) */
	f->sc.target = 0;
	f->sc.role = MC_LIMITS_BOTH;
	f->s.buf.writer_bytes = 36864;
	assert_binding(f, MC_LIMIT_TCP_MEM, (300000ULL - 256) * 4096 / (69632 + 36864));
	/* not measured (a snapshot under --root): the stated assumption */
	f->sc.role = MC_LIMITS_SERVER;
	f->s.buf.size = 0;
	judge(f);
	it = item(f, MC_LIMIT_TCP_MEM);
	assert_non_null(strstr(it->note, "assumed"));
	assert_int_equal(it->conns, (300000ULL - 256) * 4096 / 69632);
	/* idle: tcp_mem is information only */
	f->sc.traffic = 0;
	f->sc.target = 0;
	judge(f);
	assert_int_equal(item(f, MC_LIMIT_TCP_MEM)->kind, MC_LIMITS_INFO);
	free(f);
}

/* The calibration's sum: per connection, each socket's queued truesize and
 * forward allocation (never below 0), and the payload where it sits. */
static void test_bufcost_sum(void **state)
{
	const struct mc_bufcost_sock rd[2] = {{20480 - 512, 512, 0, 16384, 0},
					      {20480, (uint32_t)-4096, 0, 16384, 0}};
	const struct mc_bufcost_sock wr[2] = {{0, 4096, 0, 0, 0}, {0, 0, 8192, 0, 100}};
	struct mc_bufcost b;

	(void)state;
	mc_bufcost_sum(16384, rd, wr, 2, &b);
	assert_true(b.measured);
	assert_int_equal(b.reader_bytes, 20480);
	assert_int_equal(b.writer_bytes, 6144);
	assert_int_equal(b.reader_held, 16384);
	assert_int_equal(b.writer_held, 50);
	assert_int_equal(b.charged, 20480 + 6144);
	mc_bufcost_assume(16384, 4096, 6291456, 4194304, "EPERM", &b);
	assert_false(b.measured);
	assert_int_equal(b.reader_bytes, 20480); /* 16 KiB + 1 KiB, whole pages */
	assert_int_equal(b.writer_bytes, 0);
	assert_non_null(strstr(b.how, "assumed (the calibration could not run: EPERM)"));
}

/* --heartbeat: CPU is a ceiling, usable CPUs (or the cgroup's quota) less
 * 20% / (messages per second per connection x the measured CPU per
 * message at this host's ends); the arithmetic and its sources in the
 * note; unknown when it was not measured; information without traffic. */
/* 2 CPUs, no quota, both ends, 100 ms heartbeats, 10 + 15 us a message. */
static void heartbeat_fx(struct fx *f)
{
	lift_fds(f);
	f->s.cpus = (struct mc_host_num){2, 0};
	f->s.cg.cpu_quota_us = (struct mc_host_num){MC_LIMITS_NONE, 0};
	f->sc.role = MC_LIMITS_BOTH;
	f->sc.heartbeat_ns = 100 * 1000 * 1000ULL;
	f->s.msgcost = (struct mc_msgcost){.msg_bytes = 16, .server_ns = 10000,
					   .client_ns = 15000, .measured = true};
	snprintf(f->s.msgcost.how, sizeof(f->s.msgcost.how), "measured: a test");
}

/* The CPU other work used before is subtracted: the host's (/proc/stat)
 * without a quota; with a binding quota the cgroup's own usage, or what
 * the host leaves when less. */
static void test_cpu_heartbeat_busy(void **state)
{
	struct fx *f = load(FIX "base");
	const struct mc_limits_item *it;
	double cpus = 0;
	const char *s0 = "cpu  100 0 100 800 0 0 0 0 0 0\ncpu0 1\ncpu1 1\n";
	const char *s1 = "cpu  160 0 110 830 0 0 10 0 0 0\ncpu0 1\ncpu1 1\n";

	(void)state;
	/* 80 of 110 jiffies busy on 2 CPUs */
	assert_int_equal(mc_cpubusy_parse(s0, s1, &cpus), 0);
	assert_true(cpus > 1.45 && cpus < 1.46);
	assert_int_equal(mc_cpubusy_parse(s1, s0, &cpus), -EINVAL);
	heartbeat_fx(f);
	f->s.cpubusy = (struct mc_cpubusy){.read = true, .window_s = 0.3, .host_cpus = 0.5,
					   .cg_read = true, .cg_cpus = 0.1};
	/* (2 - 0.5) x 0.8 / (10 msgs/s x 25 us) */
	assert_binding(f, MC_LIMIT_CPU, 4800);
	it = item(f, MC_LIMIT_CPU);
	assert_non_null(strstr(it->note, "2.00 CPUs (CPUs this process may run on "
					 "(sched_getaffinity)) - 0.50 taken by other work (measured: "
					 "/proc/stat over 0.3 s) = 1.50 less 20% headroom = 1.20 / ("));
	/* a quota of 0.5 CPU: its own usage (0.1) is subtracted */
	f->s.cg.version = 2;
	f->s.cg.cpu_quota_us = (struct mc_host_num){50000, 0};
	f->s.cg.cpu_period_us = (struct mc_host_num){100000, 0};
	judge(f);
	it = item(f, MC_LIMIT_CPU);
	assert_in_range(it->conns, 1279, 1280); /* 0.4 x 0.8 / 250 us */
	assert_non_null(strstr(it->note, "- 0.10 taken by other work (measured: the cgroup's usage"));
	/* the host leaves 0.2 CPU only: that binds */
	f->s.cpubusy.host_cpus = 1.8;
	judge(f);
	assert_in_range(item(f, MC_LIMIT_CPU)->conns, 639, 640); /* 0.2 x 0.8 / 250 us */
	/* threads spinning got 0.3 CPU under the 0.5 quota: 0.2 taken */
	f->s.cpubusy = (struct mc_cpubusy){.read = true, .host_cpus = 1.9, .spun = true,
					   .spinners = 2, .spin_s = 0.3, .avail_cpus = 0.3};
	judge(f);
	it = item(f, MC_LIMIT_CPU);
	assert_in_range(it->conns, 959, 960); /* 0.3 x 0.8 / 250 us */
	assert_non_null(strstr(it->note, "0.50 CPUs (the cgroup's cpu.max) - 0.20 taken by other "
					 "work (measured: 2 threads spinning got 0.30 CPUs over 0.3 s; "
					 "/proc/stat: 1.90 busy before) = 0.30 less 20% headroom"));
	/* they got more than the quota: nothing taken */
	f->s.cpubusy.avail_cpus = 1.2;
	judge(f);
	assert_int_equal(item(f, MC_LIMIT_CPU)->conns, 1600);
	/* measured for another model: unknown, and why */
	f->sc.model = MC_MODEL_THREADS;
	judge(f);
	it = item(f, MC_LIMIT_CPU);
	assert_int_equal(it->status, MC_LIMITS_UNKNOWN);
	assert_non_null(strstr(it->reason, "measured for another --model"));
	f->sc.model = MC_MODEL_EPOLL;
	/* not measured: nothing subtracted, as before */
	f->s.cpubusy = (struct mc_cpubusy){0};
	judge(f);
	assert_int_equal(item(f, MC_LIMIT_CPU)->conns, 1600);
	free(f);
}

static void test_cpu_heartbeat(void **state)
{
	struct fx *f = load(FIX "base");
	const struct mc_limits_item *it;

	(void)state;
	heartbeat_fx(f);
	/* 2 CPUs x 0.8 / (10 msgs/s x 25 us) */
	assert_binding(f, MC_LIMIT_CPU, 6400);
	it = item(f, MC_LIMIT_CPU);
	assert_int_equal(it->kind, MC_LIMITS_CEILING);
	assert_non_null(strstr(it->note, "2.00 CPUs (CPUs this process may run on "
					 "(sched_getaffinity)) less 20% headroom = 1.60 / (10.0 "
					 "messages/s per connection x 25.0 us per message: server end + "
					 "client end) (measured: a test)"));
	/* the server's end alone */
	f->sc.role = MC_LIMITS_SERVER;
	judge(f);
	assert_int_equal(item(f, MC_LIMIT_CPU)->conns, 16000);
	/* a v1 quota of half a CPU binds first */
	f->s.cg.version = 1;
	f->s.cg.cpu_quota_us = (struct mc_host_num){50000, 0};
	f->s.cg.cpu_period_us = (struct mc_host_num){100000, 0};
	judge(f);
	it = item(f, MC_LIMIT_CPU);
	assert_int_equal(it->conns, 4000);
	assert_non_null(strstr(it->note, "0.50 CPUs (the cgroup's cpu.cfs_quota_us / cfs_period_us)"));
	/* another message size than measured: unknown, and why */
	f->sc.message = 1024;
	judge(f);
	it = item(f, MC_LIMIT_CPU);
	assert_int_equal(it->status, MC_LIMITS_UNKNOWN);
	assert_non_null(strstr(it->reason, "the CPU a message costs is not known"));
	/* no heartbeat: information */
	f->sc.heartbeat_ns = 0;
	judge(f);
	assert_int_equal(item(f, MC_LIMIT_CPU)->kind, MC_LIMITS_INFO);
	free(f);
}

static void test_cgroup_memory(void **state)
{
	struct fx *f = load(FIX "cg2");
	const struct mc_limits_item *it;

	(void)state;
	lift_fds(f);
	/* (1 GiB - 100 MiB + 50 MiB inactive - 1 GiB/20) / what the cgroup is
	 * charged for an accepted socket: inode 862 + dentry 195 + file 195 +
	 * epoll item 128 + MC_LIMITS_CG_ACCEPT_REST (no tcp_sock) */
	assert_binding(f, MC_LIMIT_CGROUP_MEMORY,
		       (1073741824ULL - 104857600 + 52428800 - 1073741824 / 20) / CG_ACCEPT);
	it = item(f, MC_LIMIT_CGROUP_MEMORY);
	/* the limit is set on app, not on app/web where the process is */
	assert_true(has_fix(it, "echo "));
	assert_true(has_fix(it, " > /sys/fs/cgroup/app/memory.max"));
	assert_string_equal(it->source, "/sys/fs/cgroup/app");
	assert_true(has_fix(it, "MemoryMax="));
	assert_non_null(strstr(item(f, MC_LIMIT_CPU)->value, "1.50 CPUs"));
	free(f);

	f = load(FIX "cg1");
	lift_fds(f);
	/* (512 MiB - 256 MiB - 512 MiB/20) / CG_ACCEPT */
	assert_binding(f, MC_LIMIT_CGROUP_MEMORY,
		       (536870912ULL - 268435456 - 536870912 / 20) / CG_ACCEPT);
	/* a client is charged its tcp_sock too: + 2520 + the connect side's
	 * rest; both sides on this host: the sum */
	f->sc.role = MC_LIMITS_CLIENT;
	f->sc.sources = 100;
	assert_binding(f, MC_LIMIT_CGROUP_MEMORY,
		       (536870912ULL - 268435456 - 536870912 / 20) / CG_CONNECT);
	f->sc.role = MC_LIMITS_BOTH;
	assert_binding(f, MC_LIMIT_CGROUP_MEMORY,
		       (536870912ULL - 268435456 - 536870912 / 20) / (CG_ACCEPT + CG_CONNECT));
	assert_int_equal(f->r.cg_accept_bytes, CG_ACCEPT);
	assert_int_equal(f->r.cg_connect_bytes, CG_CONNECT);
	/* without slabinfo: the measured defaults */
	f->s.slab.err = -EACCES;
	assert_binding(f, MC_LIMIT_CGROUP_MEMORY,
		       (536870912ULL - 268435456 - 536870912 / 20) /
			   (MC_LIMITS_CG_ACCEPT_DEFAULT + MC_LIMITS_CG_CONNECT_DEFAULT));
	/* the probe's own reserve replaces the 5% */
	f->sc.cg_reserve = 1 << 20;
	assert_binding(f, MC_LIMIT_CGROUP_MEMORY,
		       (536870912ULL - 268435456 - (1 << 20)) /
			   (MC_LIMITS_CG_ACCEPT_DEFAULT + MC_LIMITS_CG_CONNECT_DEFAULT));
	assert_true(has_fix(item(f, MC_LIMIT_CGROUP_MEMORY),
			    "/sys/fs/cgroup/memory/docker/abc/memory.limit_in_bytes"));
	free(f);
}

/* Where the calibration ran (limits/sockcost.h), its figures replace the
 * slab caches and the assumed rests, per side, and both sources say
 * "measured": figures of a calibration on Linux 6.18 (cgroup v1). */
static void measured(struct fx *f)
{
	struct mc_sockcost *k = &f->s.sock;

	*k = (struct mc_sockcost){.measured = true, .accept_bytes = 3515, .connect_bytes = 4454,
				  .epoll_bytes = 241, .cg_version = 1, .cg_accept_bytes = 1241,
				  .cg_connect_bytes = 3924, .cg_epoll_bytes = 240};
	snprintf(k->how, sizeof(k->how), "measured 2026-12-08 00:45 UTC: 5 x 1000 connections");
	snprintf(k->cg_how, sizeof(k->cg_how), "measured: memory.kmem.usage_in_bytes");
}

static void test_memory_measured(void **state)
{
	struct fx *f = load(FIX "base");

	(void)state;
	lift_fds(f);
	measured(f);
	/* the server's side: an accepted socket and its epoll watch */
	assert_binding(f, MC_LIMIT_MEMORY, USABLE / (3515 + 241));
	assert_string_equal(f->r.sock_source, "measured");
	assert_non_null(strstr(f->r.sock_how, "3515 B accepted, 4454 B connecting"));
	assert_non_null(strstr(f->r.sock_how, "measured 2026-12-08 00:45 UTC"));
	assert_non_null(strstr(item(f, MC_LIMIT_MEMORY)->note, "B measured"));
	/* both sides: each its own figure, no bind bucket added (measured in) */
	f->sc.role = MC_LIMITS_BOTH;
	f->sc.sources = 100;
	assert_binding(f, MC_LIMIT_MEMORY, USABLE / (3515 + 4454 + 2 * 241));
	assert_int_equal(f->r.sock_bytes, (3515 + 4454 + 2 * 241 + 1) / 2);
	/* not measured: assumed, and why */
	f->s.sock.measured = false;
	snprintf(f->s.sock.how, sizeof(f->s.sock.how), "the calibration could not run: EPERM");
	assert_binding(f, MC_LIMIT_MEMORY, USABLE / (2 * SOCK + 64));
	assert_string_equal(f->r.sock_source, "assumed");
	assert_non_null(strstr(f->r.sock_how, "assumed (the calibration could not run: EPERM)"));
	assert_non_null(strstr(f->r.sock_how, "fitted on Linux 6.18"));
	free(f);
}

static void test_cgroup_memory_measured(void **state)
{
	struct fx *f = load(FIX "cg1");

	(void)state;
	lift_fds(f);
	measured(f);
	/* (512 MiB - 256 MiB - 512 MiB/20) / (accepted 1241 + watch 240) */
	assert_binding(f, MC_LIMIT_CGROUP_MEMORY,
		       (536870912ULL - 268435456 - 536870912 / 20) / (1241 + 240));
	assert_string_equal(f->r.cg_source, "measured");
	assert_non_null(strstr(item(f, MC_LIMIT_CGROUP_MEMORY)->note, "measured"));
	f->sc.role = MC_LIMITS_BOTH;
	f->sc.sources = 100;
	assert_binding(f, MC_LIMIT_CGROUP_MEMORY,
		       (536870912ULL - 268435456 - 536870912 / 20) / (1241 + 240 + 3924 + 240));
	assert_int_equal(f->r.cg_accept_bytes, 1241 + 240);
	assert_int_equal(f->r.cg_connect_bytes, 3924 + 240);
	/* a kernel that charges the accepted tcp_sock: the calibration says so
	 * and the ceiling follows, no rule assumed */
	f->s.sock.cg_accept_bytes = 3761;
	assert_binding(f, MC_LIMIT_CGROUP_MEMORY,
		       (536870912ULL - 268435456 - 536870912 / 20) / (3761 + 240 + 3924 + 240));
	/* the host's figures measured, no cgroup could be made: assumed */
	f->s.sock.cg_version = 0;
	snprintf(f->s.sock.cg_how, sizeof(f->s.sock.cg_how), "no child memory cgroup could be made (EACCES)");
	judge(f);
	assert_string_equal(f->r.cg_source, "assumed");
	assert_non_null(strstr(f->r.cg_how, "(no child memory cgroup could be made (EACCES))"));
	assert_int_equal(f->r.cg_accept_bytes, CG_ACCEPT);
	free(f);
}

/* Thread per connection: each thread limit binds in turn. */
static void test_threads(void **state)
{
	struct fx *f = load(FIX "base");
	const struct mc_limits_item *it;

	(void)state;
	f->sc.model = MC_MODEL_THREADS;
	lift_fds(f);
	/* RLIMIT_NPROC 4096 for uid 1000 */
	assert_binding(f, MC_LIMIT_NPROC, 4096);
	/* root in the initial user namespace is exempt: pid_max binds */
	f->s.uid = 0;
	assert_binding(f, MC_LIMIT_PID_MAX, 32768 - 100);
	assert_int_equal(item(f, MC_LIMIT_NPROC)->conns, MC_LIMITS_NONE);
	/* threads-max */
	f->s.pid_max.v = 4194304;
	assert_binding(f, MC_LIMIT_THREADS, 100000 - 100);
	f->sc.target = 200000;
	judge(f);
	it = item(f, MC_LIMIT_THREADS);
	assert_true(has_fix(it, "kernel.threads-max=\"200100\""));
	assert_true(has_fix(it, "--model epoll"));
	f->sc.target = 0;
	/* memory: socket without epoll item + 16 KiB kernel stack + task +
	 * two stack pages */
	f->s.threads_max.v = 10000000;
	assert_binding(f, MC_LIMIT_MEMORY, USABLE / (3772 + MC_LIMITS_SOCK_REST_BYTES + 16384 + 6553 + 8192));
	/* strict overcommit: each 8 MiB stack is committed */
	f->s.overcommit.v = 2;
	assert_binding(f, MC_LIMIT_THREAD_STACK, (16777216ULL - 100000) * 1024 / (8 << 20));
	/* ulimit -s 0: glibc gives each thread PTHREAD_STACK_MIN (16 KiB), and
	 * the judge must not divide by the zero */
	f->s.stack_soft.v = 0;
	judge(f);
	assert_int_equal(item(f, MC_LIMIT_THREAD_STACK)->conns,
			 (16777216ULL - 100000) * 1024 / 16384);
	f->s.stack_soft.v = 8 << 20;
	/* the same host as an epoll server: none of these apply */
	f->sc.model = MC_MODEL_EPOLL;
	assert_binding(f, MC_LIMIT_MEMORY, USABLE / SOCK);
	assert_int_equal(item(f, MC_LIMIT_THREADS)->kind, MC_LIMITS_INFO);
	free(f);

	f = load(FIX "cg2");
	f->sc.model = MC_MODEL_THREADS;
	f->s.uid = 0;
	lift_fds(f);
	assert_binding(f, MC_LIMIT_CGROUP_PIDS, 1000 - 10);
	/* the tasks the scenario starts besides one per connection count too */
	f->sc.tasks = 5;
	assert_binding(f, MC_LIMIT_CGROUP_PIDS, 1000 - 10 - 5);
	/* a process holding 60,000 maps: two more per thread */
	f->s.max_map_count = (struct mc_host_num){65530, 0};
	f->s.maps_now = (struct mc_host_num){64000, 0};
	assert_binding(f, MC_LIMIT_MAP_COUNT, (65530 - 64000) / MC_LIMITS_MAPS_PER_THREAD);
	it = item(f, MC_LIMIT_MAP_COUNT);
	assert_true(has_fix(it, "vm.max_map_count="));
	assert_true(has_fix(it, "--model epoll"));
	/* unreadable maps: unknown with the reason, never a guess */
	f->s.maps_now.err = -EACCES;
	judge(f);
	it = item(f, MC_LIMIT_MAP_COUNT);
	assert_int_equal(it->status, MC_LIMITS_UNKNOWN);
	assert_non_null(strstr(it->reason, "maps"));
	/* an epoll server: information only */
	f->s.maps_now.err = 0;
	f->sc.model = MC_MODEL_EPOLL;
	judge(f);
	assert_int_equal(item(f, MC_LIMIT_MAP_COUNT)->kind, MC_LIMITS_INFO);
	free(f);
}

static void test_conntrack(void **state)
{
	struct fx *f = load(FIX "base");
	const struct mc_limits_item *it;

	(void)state;
	lift_fds(f);
	f->s.ct_count.v = 1000; /* the kernel is tracking */
	assert_binding(f, MC_LIMIT_CONNTRACK, 262144 - 1000);
	f->sc.target = 500000;
	judge(f);
	it = item(f, MC_LIMIT_CONNTRACK);
	assert_int_equal(it->raise_to, 1000 + 500000 + 50000);
	assert_true(has_fix(it, "net.netfilter.nf_conntrack_max=\"551000\""));
	assert_true(has_fix(it, "--notrack"));
	/* no conntrack module at all */
	f->sc.target = 0;
	f->s.ct_max.err = -ENOENT;
	assert_binding(f, MC_LIMIT_MEMORY, USABLE / SOCK);
	assert_non_null(strstr(item(f, MC_LIMIT_CONNTRACK)->note, "not loaded"));
	free(f);

	/* a NAT table makes the kernel track even with no entries yet */
	f = load(FIX "misc");
	lift_fds(f);
	assert_binding(f, MC_LIMIT_CONNTRACK, 65536);
	free(f);

	/* a ct rule in the ruleset, no entry yet: tracked from the first one;
	 * in a child namespace the max is set on the host, the table grown */
	f = load(FIX "base");
	lift_fds(f);
	f->s.ct_rules_read = true;
	f->s.ct_rules.tracks = true;
	snprintf(f->s.ct_rules.why, sizeof(f->s.ct_rules.why), "nftables inet filter/input: ct");
	f->s.ct_max_ro = true;
	f->s.ct_buckets = (struct mc_host_num){65536, 0};
	f->sc.target = 300000;
	judge(f);
	it = item(f, MC_LIMIT_CONNTRACK);
	assert_int_equal(it->conns, 262144);
	assert_non_null(strstr(it->note, "nftables inet filter/input: ct"));
	assert_true(has_fix(it, "read-only in this network namespace"));
	assert_true(has_fix(it, "nf_conntrack_buckets=\"330000\""));
	assert_true(has_fix(it, "tcp dport PORT notrack"));
	/* the ruleset unreadable (not root) and nothing tracked yet: unknown,
	 * never "no limit" */
	f->s.ct_rules.tracks = false;
	f->s.ct_rules.err = -EPERM;
	f->s.ct_rules.legacy_err = -ENOENT;
	judge(f);
	it = item(f, MC_LIMIT_CONNTRACK);
	assert_int_equal(it->status, MC_LIMITS_UNKNOWN);
	assert_non_null(strstr(it->reason, "EPERM"));
	free(f);
}

/* Seen from a child network namespace the global net sysctls are absent:
 * shown as global with where to read them, never as unknown; read from the
 * initial namespace when it may, and said so. */
static void test_globals_in_child_netns(void **state)
{
	struct fx *f = load(FIX "base");
	const struct mc_limits_item *it;

	(void)state;
	f->s.netns_child = true;
	f->s.tcp_mem[0].err = f->s.tcp_mem[1].err = f->s.tcp_mem[2].err = -ENOENT;
	f->s.max_orphans.err = -ENOENT;
	f->s.globals_err = -EACCES;
	judge(f);
	assert_int_equal(f->r.nunknown, 0);
	it = item(f, MC_LIMIT_TCP_MEM);
	assert_int_equal(it->status, MC_LIMITS_FINE);
	assert_non_null(strstr(it->value, "global"));
	assert_non_null(strstr(it->note, "EACCES"));
	assert_non_null(strstr(it->note, "sysctl net.ipv4.tcp_mem"));
	it = item(f, MC_LIMIT_ORPHANS);
	assert_int_equal(it->status, MC_LIMITS_FINE);
	assert_non_null(strstr(it->value, "global"));
	/* with --traffic tcp_mem would be a ceiling: still not "unknown" */
	f->sc.traffic = 65536;
	judge(f);
	assert_int_equal(item(f, MC_LIMIT_TCP_MEM)->status, MC_LIMITS_FINE);
	/* read from the initial namespace */
	f->sc.traffic = 0;
	f->s.tcp_mem[2] = (struct mc_host_num){575796, 0};
	f->s.tcp_mem[0] = (struct mc_host_num){287898, 0};
	f->s.tcp_mem[1] = (struct mc_host_num){383867, 0};
	f->s.globals_err = 0;
	f->s.globals_from_init = true;
	judge(f);
	assert_non_null(strstr(item(f, MC_LIMIT_TCP_MEM)->note, "read from the initial network"));
	free(f);
}

/* tcp_tw_reuse 0, 1 or 2 is never a warning: TIME_WAIT is churn, not a
 * ceiling on held connections; the note says what each value does. */
static void test_time_wait(void **state)
{
	struct fx *f = load(FIX "base");
	const struct mc_limits_item *it;
	struct mc_err err;

	(void)state;
	f->sc.role = MC_LIMITS_CLIENT;
	f->s.nofile_soft = f->s.nofile_hard = (struct mc_host_num){100000, 0};
	for (uint64_t v = 0; v <= 2; v++) {
		f->s.tw_reuse.v = v;
		assert_binding(f, MC_LIMIT_PORTS, 28232);
		assert_no_warnings(f);
		it = item(f, MC_LIMIT_TIME_WAIT);
		assert_int_equal(it->kind, MC_LIMITS_INFO);
		assert_non_null(strstr(it->note, v == 0 ? "60 s" : "1000 ms after"));
		assert_non_null(strstr(it->note, "5 in TIME_WAIT now"));
	}
	/* ports a pair holds in TIME_WAIT that connect() may not take over:
	 * subtracted from that pair's range; the busiest pairs stand for the
	 * scenario's when no address is given */
	f->s.tw_read = true;
	f->s.ntw = 2;
	mc_parse_addr("127.0.0.2", &f->s.tw[0].src, &err);
	mc_parse_addr("127.0.0.1", &f->s.tw[0].dst, &err);
	f->s.tw[0].dport = 9000;
	f->s.tw[0].all = 1000;
	f->s.tw[0].blocking = 800;
	f->s.tw[1] = f->s.tw[0];
	mc_parse_addr("127.0.0.3", &f->s.tw[1].src, &err);
	f->s.tw[1].blocking = 100;
	assert_binding(f, MC_LIMIT_PORTS, 28232 - 800);
	it = item(f, MC_LIMIT_PORTS);
	assert_non_null(strstr(it->note, "less 800 held in TIME_WAIT"));
	assert_non_null(strstr(it->note, "127.0.0.2 -> 127.0.0.1:9000"));
	assert_true(has_fix(it, "tcp_tw_reuse"));
	assert_non_null(strstr(item(f, MC_LIMIT_TIME_WAIT)->note, "900 still keeping connect() off"));
	f->sc.sources = 2;
	assert_binding(f, MC_LIMIT_PORTS, 2 * 28232 - 900);
	/* the pairs named: only theirs count */
	f->sc.sources = 1;
	f->sc.have_dst = f->sc.have_src = true;
	mc_parse_endpoint("127.0.0.1:9000", false, &f->sc.dst, &err);
	mc_parse_addr_range("127.0.0.3", &f->sc.src, &err);
	assert_binding(f, MC_LIMIT_PORTS, 28232 - 100);
	/* a client that binds each port first takes them over at once (with
	 * timestamps), whatever tcp_tw_reuse says */
	mc_parse_endpoint("127.0.0.1:9000", false, &f->sc.dst, &err);
	f->sc.bind_ports = true;
	assert_binding(f, MC_LIMIT_PORTS, 28232);
	f->s.timestamps = (struct mc_host_num){0, 0};
	assert_binding(f, MC_LIMIT_PORTS, 28232 - 1000);
	f->sc.bind_ports = false;
	mc_parse_endpoint("127.0.0.1:9001", false, &f->sc.dst, &err);
	assert_binding(f, MC_LIMIT_PORTS, 28232);
	free(f);
}

/* The accept queue is how many can wait, never the binding ceiling. */
static void test_accept_queue(void **state)
{
	struct fx *f = load(FIX "base");
	const struct mc_limits_item *it;

	(void)state;
	f->s.somaxconn.v = 16;
	judge(f);
	it = item(f, MC_LIMIT_ACCEPTQ);
	assert_int_equal(it->kind, MC_LIMITS_QUEUE);
	assert_int_equal(it->conns, 17);
	assert_int_equal(f->r.accept_queue, 17);
	assert_string_equal(f->r.items[f->r.binding].id, MC_LIMIT_FD_PROCESS);
	f->sc.backlog = 5;
	f->sc.dest_ports = 3;
	judge(f);
	assert_int_equal(item(f, MC_LIMIT_ACCEPTQ)->conns, 6 * 3);
	free(f);
}

/* Values that cannot be read are unknown with the reason, never guessed. */
static void test_unknown(void **state)
{
	struct fx *f = load(FIX "base");
	const struct mc_limits_item *it;
	char sum[768];

	(void)state;
	f->s.file_nr.err = -EACCES;
	judge(f);
	it = item(f, MC_LIMIT_FD_SYSTEM);
	assert_int_equal(it->status, MC_LIMITS_UNKNOWN);
	assert_int_equal(it->conns, MC_LIMITS_NONE);
	assert_non_null(strstr(it->reason, "/proc/sys/fs/file-nr"));
	assert_non_null(strstr(it->reason, "Permission denied (EACCES)"));
	assert_int_equal(f->r.nunknown, 1);
	mc_limits_summary(sum, sizeof(sum), &f->sc, &f->r);
	assert_non_null(strstr(sum, "19,992"));
	assert_non_null(strstr(sum, "1 limit could not be read"));
	free(f);

	/* nothing readable: no crash, nothing binds but the rlimit */
	f = load(FIX "does-not-exist");
	judge(f);
	assert_string_equal(f->r.items[f->r.binding].id, MC_LIMIT_FD_PROCESS);
	assert_int_equal(item(f, MC_LIMIT_MEMORY)->status, MC_LIMITS_UNKNOWN);
	assert_non_null(strstr(item(f, MC_LIMIT_MEMORY)->reason, "ENOENT"));
	assert_int_equal(item(f, MC_LIMIT_FD_NR_OPEN)->status, MC_LIMITS_UNKNOWN);
	assert_true(f->r.nunknown >= 4);
	/* a server does not need the port range */
	assert_int_equal(item(f, MC_LIMIT_PORTS)->status, MC_LIMITS_FINE);
	f->sc.role = MC_LIMITS_CLIENT;
	judge(f);
	assert_int_equal(item(f, MC_LIMIT_PORTS)->status, MC_LIMITS_UNKNOWN);
	f->s.nofile_soft.err = -EPERM;
	assert_int_equal(mc_limits_judge(&f->s, &f->sc, &f->r), 0);
	assert_int_equal(f->r.binding, -1);
	assert_int_equal(f->r.ceiling, MC_LIMITS_NONE);
	mc_limits_summary(sum, sizeof(sum), &f->sc, &f->r);
	assert_non_null(strstr(sum, "could not be read"));
	free(f);
}

/* No cgroup filesystem: cgroup_memory is unknown, cgroup_pids too but the
 * epoll model does not need it. */
static void test_no_cgroupfs(void **state)
{
	struct fx *f = load(FIX "nocgfs");
	const struct mc_limits_item *it;

	(void)state;
	assert_binding(f, MC_LIMIT_FD_PROCESS, 19992);
	it = item(f, MC_LIMIT_CGROUP_MEMORY);
	assert_int_equal(it->status, MC_LIMITS_UNKNOWN);
	assert_non_null(strstr(it->reason, "ENOENT"));
	assert_int_equal(f->r.nunknown, 1);
	assert_int_equal(item(f, MC_LIMIT_CGROUP_PIDS)->status, MC_LIMITS_FINE);
	f->sc.model = MC_MODEL_THREADS;
	judge(f);
	assert_int_equal(item(f, MC_LIMIT_CGROUP_PIDS)->status, MC_LIMITS_UNKNOWN);
	free(f);
}

static void test_bad_scenario(void **state)
{
	struct fx *f = load(FIX "base");

	(void)state;
	f->sc.sources = 0;
	assert_int_equal(mc_limits_judge(&f->s, &f->sc, &f->r), -EINVAL);
	free(f);
}

/* The table (json false) or the JSON of f's last judgement, to free. */
static char *printed(struct fx *f, bool json)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&buf, &len);

	assert_non_null(m);
	if (json)
		mc_limits_print_json(m, &f->s, &f->sc, &f->r);
	else
		mc_limits_print(m, &f->s, &f->sc, &f->r);
	fclose(m);
	return buf;
}

/* The established hash is a speed, never a ceiling (issue 24, item 2):
 * at 1M connections with both ends here, 2M sockets on the host's 262,144
 * buckets walk chains of ~7.6; it never binds nor asks to be changed, yet
 * shows its fix (thash_entries=, tcp_child_ehash_entries) with the size
 * for the target; without a target it is judged at the ceiling. */
static void test_ehash_speed(void **state)
{
	struct fx *f = load(FIX "base");
	const struct mc_limits_item *it;
	char *buf;

	(void)state;
	lift_fds(f);
	f->sc.role = MC_LIMITS_BOTH;
	f->sc.sources = 100;
	f->sc.target = 1000000;
	judge(f);
	it = item(f, MC_LIMIT_EHASH);
	assert_int_equal(it->kind, MC_LIMITS_SPEED);
	assert_int_equal(it->status, MC_LIMITS_FINE);
	assert_false(it->needs_change);
	assert_int_equal(it->conns, MC_LIMITS_NONE);
	assert_true(it->chain > 7.62 && it->chain < 7.63);
	assert_string_equal(it->value, "262144 buckets (the host's)");
	assert_int_equal(it->raise_to, 4194304);
	assert_int_equal(it->nfix, 2);
	assert_non_null(strstr(it->fix[0], "thash_entries=4194304 "));
	assert_non_null(strstr(it->fix[1], "net.ipv4.tcp_child_ehash_entries=4194304 "));
	assert_non_null(strstr(it->note, "2000000 sockets"));
	assert_string_not_equal(f->r.items[f->r.binding].id, MC_LIMIT_EHASH);
	for (int k = 0; k < f->r.nchanges; k++)
		assert_string_not_equal(f->r.items[f->r.changes[k]].id, MC_LIMIT_EHASH);

	buf = printed(f, false);
	assert_non_null(strstr(buf, "chains of 7.6  speed: slows\n"));
	assert_non_null(strstr(buf, "fix: the host's hash, at boot: thash_entries=4194304"));
	free(buf);
	buf = printed(f, true);
	assert_non_null(strstr(buf, "\"kind\": \"speed\""));
	assert_non_null(strstr(buf, "\"chain_length\": 7.629"));
	free(buf);

	/* a child namespace sharing the host's hash says so */
	f->s.netns_child = true;
	f->s.ehash.own = false;
	judge(f);
	assert_string_equal(item(f, MC_LIMIT_EHASH)->value, "262144 buckets (the host's, shared)");
	/* a hash big enough asks for nothing */
	f->s.ehash.buckets.v = 1 << 23;
	judge(f);
	assert_int_equal(item(f, MC_LIMIT_EHASH)->nfix, 0);
	assert_string_equal(item(f, MC_LIMIT_EHASH)->value,
			    "8388608 buckets (the host's, shared)");
	/* no target: judged at the ceiling */
	f->s.ehash.buckets.v = 262144;
	f->sc.target = 0;
	judge(f);
	it = item(f, MC_LIMIT_EHASH);
	assert_true(it->chain > 0);
	assert_true(fabs(it->chain - 2.0 * (double)f->r.ceiling / 262144) < 1e-9);
	/* unreadable (before 5.19): no count unknown for it */
	f->s.ehash.buckets.err = -ENOENT;
	judge(f);
	assert_int_equal(item(f, MC_LIMIT_EHASH)->status, MC_LIMITS_FINE);
	assert_int_equal(f->r.nunknown, 0);
	free(f);
}

/* Every limit the table shows has an --explain text; the table shows the
 * seeds' arithmetic; the JSON names the binding limit. */
static void test_output(void **state)
{
	struct fx *f = load(FIX "base");
	char *buf;
	FILE *m;

	(void)state;
	judge(f);
	m = fopen("/dev/null", "w");
	assert_non_null(m);
	for (int i = 0; i < f->r.n; i++)
		if (mc_limits_explain(m, f->r.items[i].id) != 0)
			fail_msg("no --explain for %s", f->r.items[i].id);
	fclose(m);
	assert_int_equal(mc_limits_explain(stdout, "nonsense"), -ENOENT);

	buf = printed(f, false);
	assert_non_null(strstr(buf, "2^48"));
	assert_non_null(strstr(buf, "281,474,976,710,656"));
	assert_non_null(strstr(buf, "= 28,232 connections"));
	assert_non_null(strstr(buf, "This host can hold about 19,992 connections as a server"));
	assert_non_null(strstr(buf, "fix (to double it): "));
	free(buf);

	buf = printed(f, true);
	assert_non_null(strstr(buf, "\"binding\": \"fd_process\""));
	assert_non_null(strstr(buf, "\"connections\": 19992"));
	assert_non_null(strstr(buf, "\"schema_version\": 1"));
	free(buf);
	free(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_server_fd_process),
	    cmocka_unit_test(test_fd_soft_below_hard),
	    cmocka_unit_test(test_fd_tables),
	    cmocka_unit_test(test_client_ports),
	    cmocka_unit_test(test_reserved_ports),
	    cmocka_unit_test(test_target_client),
	    cmocka_unit_test(test_both),
	    cmocka_unit_test(test_ehash_speed),
	    cmocka_unit_test(test_fd_system),
	    cmocka_unit_test(test_fd_nr_open),
	    cmocka_unit_test(test_memory),
	    cmocka_unit_test(test_traffic_tcp_mem),
	    cmocka_unit_test(test_bufcost_sum),
	    cmocka_unit_test(test_cpu_heartbeat),
	    cmocka_unit_test(test_cpu_heartbeat_busy),
	    cmocka_unit_test(test_cgroup_memory),
	    cmocka_unit_test(test_memory_measured),
	    cmocka_unit_test(test_cgroup_memory_measured),
	    cmocka_unit_test(test_threads),
	    cmocka_unit_test(test_conntrack),
	    cmocka_unit_test(test_globals_in_child_netns),
	    cmocka_unit_test(test_time_wait),
	    cmocka_unit_test(test_accept_queue),
	    cmocka_unit_test(test_unknown),
	    cmocka_unit_test(test_no_cgroupfs),
	    cmocka_unit_test(test_bad_scenario),
	    cmocka_unit_test(test_output),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
