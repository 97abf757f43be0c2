/* test_limits_read.c: limits/read.c on fake /proc, /sys and /etc trees under
 * tests/unit/fixtures/limits/ (run from the repo root): every value read,
 * cgroup v1 and v2 found and walked to the tightest level, reserved ports
 * counted inside the range only, and a missing tree read as errors without
 * a crash. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "limits/limits.h"

#define FIX "tests/unit/fixtures/limits/"

static struct mc_limits_snap *read_tree(const char *root)
{
	struct mc_limits_snap *s = calloc(1, sizeof(*s));

	assert_non_null(s);
	s->page_size = 4096;
	mc_limits_read(root, s);
	return s;
}

static void assert_num(struct mc_host_num n, uint64_t v)
{
	assert_int_equal(n.err, 0);
	assert_int_equal(n.v, v);
}

static void test_base(void **state)
{
	struct mc_limits_snap *s = read_tree(FIX "base");

	(void)state;
	assert_num(s->nr_open, 1048576);
	assert_num(s->file_max, 1000000);
	assert_num(s->file_nr, 1000);
	assert_num(s->port_lo, 32768);
	assert_num(s->port_hi, 60999);
	assert_num(s->reserved_in_range, 0);
	assert_num(s->somaxconn, 4096);
	assert_num(s->syn_backlog, 2048);
	assert_num(s->syncookies, 1);
	assert_num(s->netstat.listen_overflows, 7);
	assert_num(s->netstat.listen_drops, 9);
	assert_num(s->meminfo.mem_total, 8388608ULL * 1024);
	assert_num(s->meminfo.mem_available, 4194304ULL * 1024);
	assert_num(s->meminfo.commit_limit, 16777216ULL * 1024);
	assert_num(s->meminfo.committed_as, 100000ULL * 1024);
	assert_num(s->overcommit, 0);
	assert_num(s->tcp_mem[0], 100000);
	assert_num(s->tcp_mem[2], 300000);
	assert_num(s->tcp_rmem[2], 6291456);
	assert_num(s->tcp_wmem[1], 16384);
	assert_num(s->threads_max, 100000);
	assert_num(s->pid_max, 32768);
	assert_num(s->threads_now, 100);
	assert_num(s->ct_max, 262144);
	assert_num(s->ct_count, 0);
	assert_false(s->ct_nat_table);
	assert_num(s->tw_reuse, 2);
	assert_num(s->fin_timeout, 60);
	assert_num(s->tw_buckets, 131072);
	assert_num(s->max_orphans, 131072);
	assert_num(s->sockstat.tcp_inuse, 3);
	assert_num(s->sockstat.tcp_orphan, 1);
	assert_num(s->sockstat.tcp_tw, 5);
	assert_true(s->init_userns);

	/* slab footprints: pages x 4096 / objects per slab */
	assert_int_equal(s->slab.err, 0);
	assert_int_equal(s->slab.obj[MC_HOST_SLAB_TCP], 8 * 4096 / 13);
	assert_int_equal(s->slab.obj[MC_HOST_SLAB_TCPV6], 8 * 4096 / 13);
	assert_int_equal(s->slab.obj[MC_HOST_SLAB_SOCK_INODE], 4 * 4096 / 19);
	assert_int_equal(s->slab.obj[MC_HOST_SLAB_DENTRY], 4096 / 21);
	assert_int_equal(s->slab.obj[MC_HOST_SLAB_FILP], 4096 / 21);
	assert_int_equal(s->slab.obj[MC_HOST_SLAB_EPOLL_EPI], 4096 / 32);
	assert_int_equal(s->slab.obj[MC_HOST_SLAB_BIND_BUCKET], 4096 / 64);
	assert_int_equal(s->slab.obj[MC_HOST_SLAB_TASK], 8 * 4096 / 5);

	/* 127.0.0.0/8, 127.0.0.1, 10.0.0.5 from the Main table, no duplicates
	 * from the Local table, no broadcast or unicast routes */
	assert_int_equal(s->addrs_err, 0);
	assert_int_equal(s->naddrs, 3);
	assert_string_equal(s->addrs[0].addr, "127.0.0.0");
	assert_int_equal(s->addrs[0].prefix, 8);
	assert_string_equal(s->addrs[1].addr, "127.0.0.1");
	assert_int_equal(s->addrs[1].prefix, 32);
	assert_string_equal(s->addrs[2].addr, "10.0.0.5");
	/* IPv6 without the link-local fe80:: one */
	assert_int_equal(s->naddrs6, 2);
	assert_string_equal(s->addrs6[0], "::1");
	assert_string_equal(s->addrs6[1], "fd00::2");

	/* limits.conf: nofile and nproc lines only, comments skipped; then
	 * limits.d/\*.conf (README is not a .conf) */
	assert_int_equal(s->conf_err, 0);
	assert_int_equal(s->nconf, 4);
	assert_string_equal(s->conf[0].domain, "*");
	assert_string_equal(s->conf[0].type, "soft");
	assert_string_equal(s->conf[0].item, "nofile");
	assert_string_equal(s->conf[0].value, "65536");
	assert_string_equal(s->conf[2].domain, "@dev");
	assert_string_equal(s->conf[2].item, "nproc");
	assert_string_equal(s->conf[3].file, "limits.d/90-root.conf");
	assert_string_equal(s->conf[3].value, "1048576");

	/* cgroup v2 without limits */
	assert_int_equal(s->cg.version, 2);
	assert_num(s->cg.mem_limit, MC_LIMITS_NONE);
	assert_num(s->cg.pids_max, MC_LIMITS_NONE);
	assert_num(s->cg.cpu_quota_us, MC_LIMITS_NONE);
	assert_string_equal(s->cg.mem_path, "/sys/fs/cgroup/test.slice");
	free(s);
}

static void test_cgroup_v2(void **state)
{
	struct mc_limits_snap *s = read_tree(FIX "cg2");

	(void)state;
	assert_int_equal(s->cg.version, 2);
	/* app/web has no limit; its parent app has 1 GiB */
	assert_num(s->cg.mem_limit, 1073741824);
	/* limit - current + inactive_file at the limiting level */
	assert_num(s->cg.mem_headroom, 1073741824ULL - 104857600 + 52428800);
	assert_num(s->cg.pids_max, 1000);
	assert_num(s->cg.pids_current, 10);
	assert_num(s->cg.cpu_quota_us, 150000);
	assert_num(s->cg.cpu_period_us, 100000);
	assert_string_equal(s->cg.mem_path, "/sys/fs/cgroup/app/web");
	free(s);
}

static void test_cgroup_v1(void **state)
{
	struct mc_limits_snap *s = read_tree(FIX "cg1");

	(void)state;
	assert_int_equal(s->cg.version, 1);
	assert_num(s->cg.mem_limit, 536870912);
	assert_num(s->cg.mem_headroom, 536870912 - 268435456);
	assert_num(s->cg.pids_max, 500);
	assert_num(s->cg.pids_current, 20);
	assert_num(s->cg.cpu_quota_us, 50000);
	assert_string_equal(s->cg.mem_path, "/sys/fs/cgroup/memory/docker/abc");
	assert_string_equal(s->cg.pids_path, "/sys/fs/cgroup/pids/docker/abc");
	free(s);
}

static void test_misc(void **state)
{
	struct mc_limits_snap *s = read_tree(FIX "misc");

	(void)state;
	/* 8080 and 61000-61010 are outside 32768-60999: 32 + 1 inside */
	assert_num(s->reserved_in_range, 33);
	assert_true(s->ct_nat_table);
	/* the old sysctl name when net/netfilter has none */
	assert_num(s->ct_max, 65536);
	assert_int_equal(s->slab.err, -ENOENT);
	free(s);
}

/* ports per (source, destination) pair, as the judge counts them from what
 * was read: the range less the reserved ports inside it (misc reserves
 * 32768-32799 and 60999 inside, 8080 and 61000-61010 outside: 33 of
 * 28232) */
static void test_ports_per_pair(void **state)
{
	static const char *const trees[] = {FIX "base", FIX "misc", FIX "does-not-exist"};
	static const uint64_t want[] = {28232, 28232 - 33, 0};
	struct mc_limits_result *r = calloc(1, sizeof(*r));
	struct mc_limits_scenario sc;

	(void)state;
	assert_non_null(r);
	mc_limits_scenario_default(&sc);
	for (int i = 0; i < 3; i++) {
		struct mc_limits_snap *s = read_tree(trees[i]);
		mc_limits_read_self(s);
		assert_int_equal(mc_limits_judge(s, &sc, r), 0);
		assert_int_equal(r->ports_per_pair, want[i]);
		free(s);
	}
	free(r);
}

/* Nothing there: every value carries its errno; nothing crashes. */
static void test_missing(void **state)
{
	struct mc_limits_snap *s = read_tree(FIX "does-not-exist");

	(void)state;
	assert_int_equal(s->nr_open.err, -ENOENT);
	assert_int_equal(s->file_max.err, -ENOENT);
	assert_int_equal(s->port_lo.err, -ENOENT);
	assert_int_equal(s->reserved_in_range.err, -ENOENT);
	assert_int_equal(s->meminfo.mem_available.err, -ENOENT);
	assert_int_equal(s->slab.err, -ENOENT);
	assert_int_equal(s->netstat.listen_overflows.err, -ENOENT);
	assert_int_equal(s->threads_now.err, -ENOENT);
	assert_int_equal(s->ct_max.err, -ENOENT);
	assert_int_equal(s->cg.mem_limit.err, -ENOENT);
	assert_int_equal(s->addrs_err, -ENOENT);
	assert_int_equal(s->conf_err, -ENOENT);
	assert_int_equal(s->nconf, 0);
	free(s);
}

/* /proc/self/cgroup names a cgroup but no cgroup filesystem is mounted
 * (a container): unknown, not "no limit". */
static void test_no_cgroupfs(void **state)
{
	struct mc_limits_snap *s = read_tree(FIX "nocgfs");

	(void)state;
	assert_int_equal(s->cg.version, 2);
	assert_int_equal(s->cg.mem_limit.err, -ENOENT);
	assert_int_equal(s->cg.pids_max.err, -ENOENT);
	free(s);
}

/* --pid: another process's rlimits, uid and cgroup. */
static void test_pid(void **state)
{
	struct mc_limits_snap *s = calloc(1, sizeof(*s));

	(void)state;
	assert_non_null(s);
	s->page_size = 4096;
	s->pid = 4242;
	assert_int_equal(mc_limits_read_pid(FIX "base", s), 0);
	mc_limits_read(FIX "base", s);
	assert_string_equal(s->pid_limits, "/proc/4242/limits");
	assert_num(s->nofile_soft, 65535);
	assert_num(s->nofile_hard, 1048576);
	assert_num(s->nproc_soft, 63704);
	assert_num(s->stack_soft, 8388608);
	assert_int_equal(s->uid, 33);
	/* its cgroup, not ours: a 2 GiB limit with 1 GiB used, 512 tasks */
	assert_string_equal(s->cg.mem_path, "/sys/fs/cgroup/system.slice/nginx.service");
	assert_num(s->cg.mem_limit, 2147483648ULL);
	assert_num(s->cg.mem_headroom, 1073741824ULL);
	assert_num(s->cg.pids_max, 512);
	/* no such process */
	s->pid = 4243;
	assert_int_equal(mc_limits_read_pid(FIX "base", s), -ENOENT);
	free(s);
}

/* The live host: read_self fills the process fields. */
/* Every field of the TIME_WAIT rules is set, whatever r held before (bound
 * was once left as the stack had it: UBSan read 191 from a bool). */
static void test_tw_rules(void **state)
{
	struct mc_limits_snap *s = calloc(1, sizeof(*s));
	struct mc_tw_rules r;

	(void)state;
	assert_non_null(s);
	s->tw_reuse = (struct mc_host_num){1, 0};
	s->tw_reuse_delay = (struct mc_host_num){0, -ENOENT};
	s->timestamps = (struct mc_host_num){1, 0};
	memset(&r, 0xbf, sizeof(r));
	mc_limits_tw_rules(s, &r);
	assert_int_equal(r.reuse, 1);
	assert_int_equal(r.delay_ms, 1000); /* unreadable: the kernel's default */
	assert_true(r.timestamps);
	assert_false(r.bound);
	unsigned char b;
	memcpy(&b, &r.bound, 1);
	assert_int_equal(b, 0);
	free(s);
}

static void test_self(void **state)
{
	struct mc_limits_snap s;

	(void)state;
	memset(&s, 0, sizeof(s));
	mc_limits_read_self(&s);
	assert_int_equal(s.nofile_soft.err, 0);
	assert_true(s.nofile_soft.v > 0);
	assert_int_equal(s.cpus.err, 0);
	assert_true(s.cpus.v >= 1);
	assert_true(s.page_size >= 4096);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_base),	cmocka_unit_test(test_cgroup_v2),
	    cmocka_unit_test(test_cgroup_v1),	cmocka_unit_test(test_misc),
	    cmocka_unit_test(test_ports_per_pair), cmocka_unit_test(test_missing),	cmocka_unit_test(test_pid),
	    cmocka_unit_test(test_no_cgroupfs), cmocka_unit_test(test_self),
	    cmocka_unit_test(test_tw_rules),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
