/* test_procfs.c: common/procfs's line parsers (a meminfo key, a netstat
 * counter, a sockstat key) and one process's files: CPU ticks from
 * /proc/PID/stat past an odd comm, plain status fields, context switches
 * summed over its tasks. The host files' readers are test_host.c's. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "common/procfs.h"

/* A key of meminfo, a counter of netstat (by its column among the names),
 * a key of sockstat's TCP line. */
static void test_line_parsers(void **state)
{
	static const char netstat[] = "TcpExt: SyncookiesSent ListenOverflows ListenDrops\n"
				      "TcpExt: 3 17 19\n"
				      "IpExt: InNoRoutes\nIpExt: 0\n";
	static const char meminfo[] = "MemTotal:       24576000 kB\n"
				      "MemAvailable:   20000000 kB\nSlab:  1024 kB\n";
	static const char sockstat[] = "sockets: used 20\nTCP: inuse 6001 orphan 2 tw 7 alloc "
				       "6003 mem 12\nUDP: inuse 1 mem 0\n";
	uint64_t v;

	(void)state;
	assert_int_equal(mc_proc_netstat(netstat, "TcpExt", "ListenOverflows", &v), 0);
	assert_int_equal(v, 17);
	assert_int_equal(mc_proc_netstat(netstat, "TcpExt", "ListenDrops", &v), 0);
	assert_int_equal(v, 19);
	assert_int_equal(mc_proc_netstat(netstat, "TcpExt", "Nope", &v), -ENOENT);
	assert_int_equal(mc_proc_netstat(netstat, "IpExt", "InNoRoutes", &v), 0);
	assert_int_equal(v, 0);
	/* names without a line of values */
	assert_int_equal(mc_proc_netstat("TcpExt: ListenDrops\n", "TcpExt", "ListenDrops", &v),
			 -ENOENT);

	assert_int_equal(mc_proc_kb_field(meminfo, "MemAvailable", &v), 0);
	assert_int_equal(v, 20000000ULL * 1024);
	assert_int_equal(mc_proc_kb_field(meminfo, "Mem", &v), -ENOENT);

	assert_int_equal(mc_proc_sockstat(sockstat, "inuse", &v), 0);
	assert_int_equal(v, 6001);
	assert_int_equal(mc_proc_sockstat(sockstat, "tw", &v), 0);
	assert_int_equal(v, 7);
	assert_int_equal(mc_proc_sockstat(sockstat, "nope", &v), -ENOENT);
	/* a key of another line is not TCP's */
	assert_int_equal(mc_proc_sockstat("TCP: inuse 1\nUDP: inuse 1 mem 3\n", "mem", &v),
			 -ENOENT);
}

static void test_stat_cpu(void **state)
{
	uint64_t t = 0;

	(void)state;
	/* a comm with spaces and parentheses: fields count from the last ')' */
	assert_int_equal(mc_proc_stat_cpu("7 (a) b (c)) R 1 7 7 0 -1 4194304 99 0 0 0 "
					  "12 30 0 0 20 0 1 0 5 3133440 412\n",
					  &t),
			 0);
	assert_int_equal(t, 42);
	/* minflt past 32 bits */
	assert_int_equal(mc_proc_stat_cpu("7 (x) S 1 7 7 0 -1 4194304 99999999999 0 0 0 "
					  "5 6 0\n",
					  &t),
			 0);
	assert_int_equal(t, 11);
	assert_int_equal(mc_proc_stat_cpu("7 (x) S 1 7 7 0\n", &t), -EINVAL);
	assert_int_equal(mc_proc_stat_cpu("no parenthesis", &t), -EINVAL);
}

static void test_status_fields(void **state)
{
	static const char st[] = "Name:\tmaxconn-server\n"
				 "Threads:\t4\n"
				 "VmPTE:\t      52 kB\n"
				 "voluntary_ctxt_switches:\t637\n"
				 "nonvoluntary_ctxt_switches:\t13\n"
				 "Bad:\tx\n";
	uint64_t v = 0;

	(void)state;
	assert_int_equal(mc_proc_status_field(st, "Threads", &v), 0);
	assert_int_equal(v, 4);
	assert_int_equal(mc_proc_status_field(st, "VmPTE", &v), 0);
	assert_int_equal(v, 52);
	assert_int_equal(mc_proc_kb_field(st, "VmPTE", &v), 0);
	assert_int_equal(v, 52 * 1024);
	/* "voluntary_..." must not match inside "nonvoluntary_..." */
	assert_int_equal(mc_proc_status_ctxt(st, &v), 0);
	assert_int_equal(v, 650);
	assert_int_equal(mc_proc_status_field(st, "Bad", &v), -EINVAL);
	assert_int_equal(mc_proc_status_field(st, "VmRSS", &v), -ENOENT);
	assert_int_equal(mc_proc_status_ctxt("Threads:\t1\n", &v), -ENOENT);
}

/* A fake process under a root: 4242 with three tasks, one of which has no
 * counters (it is skipped). */
static void test_read_pid(void **state)
{
	struct mc_proc_pid p;

	(void)state;
	assert_int_equal(mc_proc_read_pid("tests/unit/fixtures/proc/pid", 4242, &p), 0);
	assert_int_equal(p.cpu_ticks, 1000);
	assert_int_equal(p.threads, 3);
	assert_int_equal(p.rss, 2096 * 1024);
	assert_int_equal(p.pte, 52 * 1024);
	assert_int_equal(p.ctxt_switches, 11 + 220);
	assert_int_equal(p.tasks_read, 2);
	assert_int_equal(mc_proc_read_pid("tests/unit/fixtures/proc/pid", 4243, &p), -ENOENT);
	assert_int_equal(p.cpu_ticks, 0);
	/* this process, for real */
	assert_int_equal(mc_proc_read_pid(NULL, (int)getpid(), &p), 0);
	assert_true(p.threads >= 1 && p.rss > 0 && p.tasks_read >= 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_line_parsers),
	    cmocka_unit_test(test_stat_cpu),
	    cmocka_unit_test(test_status_fields),
	    cmocka_unit_test(test_read_pid),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
