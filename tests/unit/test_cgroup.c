/* test_cgroup.c: common/cgroup.c: the pure parsers of /proc/PID/cgroup and
 * mountinfo (v1 controllers, the v2 line, cpu not taken for cpuset or
 * cpuacct), and reading the fake trees in tests/unit/fixtures/limits/: v2
 * with memory.high below memory.max and its events (cg2ev); v1 mounted
 * from a bind of a container's cgroup, the limit on the mount's root and
 * the process below it, failcnt and oom_kill (cg1ns). */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "common/cgroup.h"
#include "limits/limits.h"

#define FIX "tests/unit/fixtures/limits/"

static void test_parse_path(void **state)
{
	const char *v1 = "12:cpu,cpuacct:/a\n4:memory:/b/c\n3:cpuset:/z\n0::/v2path\n";
	char p[256];

	(void)state;
	assert_int_equal(mc_cg_parse_path(v1, "cpu", p, sizeof(p)), 1);
	assert_string_equal(p, "/a");
	assert_int_equal(mc_cg_parse_path(v1, "memory", p, sizeof(p)), 1);
	assert_string_equal(p, "/b/c");
	/* no v1 hierarchy has pids: the v2 line */
	assert_int_equal(mc_cg_parse_path(v1, "pids", p, sizeof(p)), 2);
	assert_string_equal(p, "/v2path");
	assert_int_equal(mc_cg_parse_path("0::/only\n", "memory", p, sizeof(p)), 2);
	assert_string_equal(p, "/only");
	assert_int_equal(mc_cg_parse_path("4:memory:/b\n", "pids", p, sizeof(p)), -ENOENT);
	assert_int_equal(mc_cg_parse_path("", "pids", p, sizeof(p)), -ENOENT);
}

static void test_parse_mount(void **state)
{
	const char *mi =
	    "22 1 0:20 / / rw - ext4 /dev/vda rw\n"
	    "34 31 0:31 / /sys/fs/cgroup/cpuset rw - cgroup cgroup rw,cpuset\n"
	    "33 31 0:30 / /sys/fs/cgroup/cpu,cpuacct rw,relatime - cgroup cgroup rw,cpu,cpuacct\n"
	    "35 31 0:32 /docker/abc /cg/mem rw shared:9 - cgroup cgroup rw,memory\n"
	    "41 31 0:38 / /sys/fs/cgroup/unified rw - cgroup2 cgroup2 rw\n";
	char m[256], r[256];

	(void)state;
	assert_int_equal(mc_cg_parse_mount(mi, "memory", m, sizeof(m), r, sizeof(r)), 0);
	assert_string_equal(m, "/cg/mem");
	assert_string_equal(r, "/docker/abc");
	/* cpu is its own word, not the prefix of cpuset */
	assert_int_equal(mc_cg_parse_mount(mi, "cpu", m, sizeof(m), r, sizeof(r)), 0);
	assert_string_equal(m, "/sys/fs/cgroup/cpu,cpuacct");
	assert_int_equal(mc_cg_parse_mount(mi, NULL, m, sizeof(m), r, sizeof(r)), 0);
	assert_string_equal(m, "/sys/fs/cgroup/unified");
	assert_int_equal(mc_cg_parse_mount(mi, "pids", m, sizeof(m), r, sizeof(r)), -ENOENT);
	assert_int_equal(mc_cg_parse_mount("garbage\n\n", NULL, m, sizeof(m), r, sizeof(r)),
			 -ENOENT);
}

/* v2: memory.high (256 MiB) under memory.max (512 MiB) binds; its events. */
static void test_v2_high_events(void **state)
{
	struct mc_cg cg;
	struct mc_cg_mem m;
	struct mc_cg_pids p;

	(void)state;
	mc_cg_locate(FIX "cg2ev", 0, MC_CG_MEMORY, &cg);
	assert_int_equal(cg.version, 2);
	assert_int_equal(cg.err, 0);
	assert_string_equal(cg.dir, "/sys/fs/cgroup/user.slice/app.scope");
	mc_cg_mem_read(FIX "cg2ev", &cg, &m);
	assert_int_equal(m.err, 0);
	assert_true(m.high);
	assert_int_equal(m.limit, 268435456);
	assert_string_equal(m.at, "/sys/fs/cgroup/user.slice/app.scope");
	assert_int_equal(m.usage, 104857600);
	assert_int_equal(mc_cg_mem_room(&m), 268435456 - 104857600 + 4194304);
	assert_int_equal(m.ev_max, 3);
	assert_int_equal(m.ev_oom_kill, 1);
	assert_int_equal(m.ev_high, 12);
	mc_cg_locate(FIX "cg2ev", 0, MC_CG_PIDS, &cg);
	mc_cg_pids_read(FIX "cg2ev", &cg, &p);
	assert_int_equal(p.max, 300);
	assert_int_equal(p.current, 7);
	assert_int_equal(p.ev_max, 5);
}

/* v1 from a bind mount of /docker/abc: the process's cgroup web lies below
 * the mount's root; the limit is set on the root (the mount point). */
static void test_v1_bind_mount(void **state)
{
	struct mc_cg cg;
	struct mc_cg_mem m;

	(void)state;
	mc_cg_locate(FIX "cg1ns", 0, MC_CG_MEMORY, &cg);
	assert_int_equal(cg.version, 1);
	assert_string_equal(cg.dir, "/sys/fs/cgroup/memory/web");
	mc_cg_mem_read(FIX "cg1ns", &cg, &m);
	assert_int_equal(m.limit, 1073741824);
	assert_false(m.high);
	assert_string_equal(m.at, "/sys/fs/cgroup/memory");
	assert_int_equal(m.ev_max, 42);
	assert_int_equal(m.ev_oom_kill, 2);
	assert_int_equal(mc_cg_mem_room(&m), 1073741824 - 536870912);
}

/* The same through the limits model's reader and judge. */
static void test_limits(void **state)
{
	struct mc_limits_snap s;
	struct mc_limits_scenario sc;
	struct mc_limits_result *r = calloc(1, sizeof(*r));
	const struct mc_limits_item *it;

	(void)state;
	memset(&s, 0, sizeof(s));
	s.page_size = 4096;
	mc_limits_read(FIX "cg2ev", &s);
	assert_true(s.cg.mem_high);
	assert_int_equal(s.cg.mem_limit.v, 268435456);
	assert_int_equal(s.cg.mem_events_max.v, 3);
	assert_int_equal(s.cg.mem_oom_kill.v, 1);
	assert_int_equal(s.cg.pids_events_max.v, 5);
	s.nofile_soft = s.nofile_hard = (struct mc_host_num){100000000, 0};
	mc_limits_scenario_default(&sc);
	assert_int_equal(mc_limits_judge(&s, &sc, r), 0);
	it = mc_limits_find(r, MC_LIMIT_CGROUP_MEMORY);
	assert_non_null(it);
	/* the fix raises memory.high where it is set */
	assert_non_null(strstr(it->fix[0], "/sys/fs/cgroup/user.slice/app.scope/memory.high"));
	assert_non_null(strstr(it->value, "memory.high"));

	memset(&s, 0, sizeof(s));
	mc_limits_read(FIX "cg1ns", &s);
	assert_int_equal(s.cg.version, 1);
	assert_int_equal(s.cg.mem_limit.v, 1073741824);
	assert_int_equal(s.cg.mem_events_max.v, 42);
	assert_string_equal(s.cg.mem_at, "/sys/fs/cgroup/memory");
	assert_string_equal(s.cg.pids_path, "/sys/fs/cgroup/pids");
	assert_int_equal(s.cg.pids_max.v, 1000);
	assert_int_equal(s.cg.pids_current.v, 900);
	free(r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_parse_path),	   cmocka_unit_test(test_parse_mount),
	    cmocka_unit_test(test_v2_high_events), cmocka_unit_test(test_v1_bind_mount),
	    cmocka_unit_test(test_limits),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
