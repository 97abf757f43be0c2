/* test_probe_kmsg.c: which kernel log lines a probe keeps as its own
 * evidence (they name its processes, cgroups or listeners, or a host-wide
 * limit) and which it only counts as other processes' (kmsg.c). The lines
 * are the kernel's own, as read from /dev/kmsg on 6.18. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "probe/kmsg.h"

#define MAXL 6

/* an OOM kill in memory cgroup /maxconn-exp-oom of process 10226 (tail) */
static const char *const oom[] = {
    "tail invoked oom-killer: gfp_mask=0xcc0(GFP_KERNEL), order=0, oom_score_adj=0",
    "CPU: 1 UID: 0 PID: 10226 Comm: tail Not tainted 6.18.44-fc-v1300 #1 PREEMPT(none) ",
    "Call Trace:",
    " oom_kill_process.cold+0x8/0x94",
    " mem_cgroup_out_of_memory+0xe8/0x130",
    "memory: usage 8192kB, limit 8192kB, failcnt 79",
    "Memory cgroup stats for /maxconn-exp-oom:",
    "[  pid  ]   uid  tgid total_vm      rss rss_anon rss_file rss_shmem pgtables_bytes "
    "swapents oom_score_adj name",
    "[  10226]     0 10226     2735     2405     2016      389         0    57344        0    "
    "         0 tail",
    "oom-kill:constraint=CONSTRAINT_MEMCG,nodemask=(null),cpuset=/,mems_allowed=0,oom_memcg=/"
    "maxconn-exp-oom,task_memcg=/maxconn-exp-oom,task=tail,pid=10226,uid=0",
    "Memory cgroup out of memory: Killed process 10226 (tail) total-vm:10940kB, "
    "anon-rss:8064kB, file-rss:1556kB, shmem-rss:0kB, UID:0 pgtables:56kB oom_score_adj:0",
};

struct fix {
	char line[MAXL][MC_PROBE_KMSG_LINE];
	struct mc_probe_kmsg_lines l;
	struct mc_probe_kmsg_own own;
};

static void setup_fix(struct fix *f)
{
	memset(f, 0, sizeof(*f));
	f->l.line = f->line;
	f->l.max = MAXL;
	f->own.pid[0] = 4000;
	f->own.pid[1] = 4001;
	f->own.pid[2] = 4002;
	f->own.npid = 3;
	f->own.cg[0] = "/sys/fs/cgroup/memory/process_api/aa5b";
	f->own.cg[1] = "/maxconn-test-pids.27378";
	f->own.ncg = 2;
	f->own.port[0] = 9000;
	f->own.nport = 1;
}

static void take_oom(struct fix *f)
{
	for (size_t i = 0; i < sizeof(oom) / sizeof(oom[0]); i++)
		mc_probe_kmsg_take(&f->l, &f->own, oom[i]);
	mc_probe_kmsg_flush(&f->l);
}

/* another cgroup's OOM kill: nothing kept, its three lines counted */
static void test_foreign_oom(void **state)
{
	struct fix f;

	(void)state;
	setup_fix(&f);
	take_oom(&f);
	assert_int_equal(f.l.n, 0);
	assert_int_equal(f.l.other, 3);
}

/* the run's own process killed: the three lines kept, none counted */
static void test_own_oom(void **state)
{
	struct fix f;

	(void)state;
	setup_fix(&f);
	f.own.pid[1] = 10226;
	take_oom(&f);
	assert_int_equal(f.l.n, 3);
	assert_int_equal(f.l.other, 0);
	assert_non_null(strstr(f.line[0], "invoked oom-killer"));
	assert_non_null(strstr(f.line[1], "oom-kill:"));
	assert_non_null(strstr(f.line[2], "Killed process 10226"));
}

/* a thread of the run's process (the threads model) is the run's */
static bool thread_of_4001(int tid, int pid)
{
	return tid == 10226 && pid == 4001;
}

static void test_thread_oom(void **state)
{
	struct fix f;

	(void)state;
	setup_fix(&f);
	f.own.related = thread_of_4001;
	take_oom(&f);
	assert_int_equal(f.l.n, 3);
	assert_int_equal(f.l.other, 0);
}

/* the run's memory cgroup killed a neighbour in it: the run's doing */
static void test_oom_in_own_cgroup(void **state)
{
	struct fix f;

	(void)state;
	setup_fix(&f);
	mc_probe_kmsg_take(&f.l, &f.own,
			   "oom-kill:constraint=CONSTRAINT_MEMCG,nodemask=(null),cpuset=/,"
			   "mems_allowed=0,oom_memcg=/process_api/aa5b,task_memcg=/process_api/"
			   "aa5b/x,task=tail,pid=77,uid=0");
	assert_int_equal(f.l.n, 1);
	/* a cgroup whose name only ends like the run's is not it */
	mc_probe_kmsg_take(&f.l, &f.own,
			   "oom-kill:constraint=CONSTRAINT_MEMCG,nodemask=(null),cpuset=/,"
			   "mems_allowed=0,oom_memcg=/b,task_memcg=/b,task=tail,pid=78,uid=0");
	assert_int_equal(f.l.n, 1);
	assert_int_equal(f.l.other, 1);
}

static void test_pids_controller(void **state)
{
	struct fix f;

	(void)state;
	setup_fix(&f);
	mc_probe_kmsg_take(
	    &f.l, &f.own, "cgroup: fork rejected by pids controller in /libpod_parent/libpod-1f2e");
	assert_int_equal(f.l.n, 0);
	assert_int_equal(f.l.other, 1);
	mc_probe_kmsg_take(&f.l, &f.own,
			   "cgroup: fork rejected by pids controller in /maxconn-test-pids.27378");
	assert_int_equal(f.l.n, 1);
	/* the root cgroup is no one's */
	f.own.cg[1] = "";
	mc_probe_kmsg_take(&f.l, &f.own, "cgroup: fork rejected by pids controller in /");
	assert_int_equal(f.l.other, 2);
}

/* host-wide limits are every run's; the run's listener is its own */
static void test_host_wide_and_ports(void **state)
{
	struct fix f;

	(void)state;
	setup_fix(&f);
	mc_probe_kmsg_take(&f.l, &f.own, "nf_conntrack: nf_conntrack: table full, dropping packet");
	mc_probe_kmsg_take(&f.l, &f.own, "TCP: out of memory -- consider tuning tcp_mem");
	mc_probe_kmsg_take(&f.l, &f.own, "TCP: too many orphaned sockets");
	mc_probe_kmsg_take(&f.l, &f.own, "VFS: file-max limit 1000 reached");
	assert_int_equal(f.l.n, 4);
	mc_probe_kmsg_take(&f.l, &f.own,
			   "TCP: request_sock_TCP: Possible SYN flooding on port 127.0.0.1:9000. "
			   "Sending cookies.");
	assert_int_equal(f.l.n, 5);
	mc_probe_kmsg_take(&f.l, &f.own,
			   "TCP: request_sock_TCPv6: Possible SYN flooding on port [::1]:8080. "
			   "Sending cookies.");
	assert_int_equal(f.l.n, 5);
	assert_int_equal(f.l.other, 1);
	/* past max: counted as the run's, left out */
	mc_probe_kmsg_take(&f.l, &f.own, "nf_conntrack: nf_conntrack: table full, dropping packet");
	mc_probe_kmsg_take(&f.l, &f.own, "nf_conntrack: nf_conntrack: table full, dropping packet");
	assert_int_equal(f.l.n, MAXL);
	assert_int_equal(f.l.left, 1);
	/* lines about nothing of the kind are not counted at all */
	mc_probe_kmsg_take(&f.l, &f.own, "br0: port 3(hv3) entered disabled state");
	assert_int_equal(f.l.other, 1);
}

/* "X invoked oom-killer" with no "PID:" line after it: another's */
static void test_pending_unresolved(void **state)
{
	struct fix f;

	(void)state;
	setup_fix(&f);
	mc_probe_kmsg_take(&f.l, &f.own, oom[0]);
	mc_probe_kmsg_flush(&f.l);
	assert_int_equal(f.l.other, 1);
	assert_int_equal(f.l.n, 0);
	mc_probe_kmsg_take(&f.l, &f.own, oom[0]);
	mc_probe_kmsg_take(&f.l, &f.own, "nf_conntrack: nf_conntrack: table full, dropping packet");
	assert_int_equal(f.l.other, 2);
	assert_int_equal(f.l.n, 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_foreign_oom),	       cmocka_unit_test(test_own_oom),
	    cmocka_unit_test(test_thread_oom),	       cmocka_unit_test(test_oom_in_own_cgroup),
	    cmocka_unit_test(test_pids_controller),    cmocka_unit_test(test_host_wide_and_ports),
	    cmocka_unit_test(test_pending_unresolved),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
