/* test_procfs.c: common/procfs's /proc/slabinfo parser on fake text: every
 * number of the caches it knows, lines it must skip (headers, other caches,
 * a short line, garbled numbers, a name that only starts like a known one),
 * each object's share of its slab and the bytes the active objects hold,
 * the read under a root directory, and no read past the end of the text;
 * one process's files: CPU ticks from /proc/PID/stat past an odd comm,
 * plain status fields, context switches summed over its tasks. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include <cmocka.h>

#include "common/procfs.h"

static const char slabinfo[] =
    "slabinfo - version: 2.1\n"
    "# name            <active_objs> <num_objs> <objsize> <objperslab> <pagesperslab> "
    ": tunables <limit> <batchcount> <sharedfactor> : slabdata <active_slabs> "
    "<num_slabs> <sharedavail>\n"
    "TCPv6                 13     13   2496   13    8 : tunables    0    0    0 : "
    "slabdata      1      1      0\n"
    "request_sock_TCP      12     12    320   12    1 : tunables    0    0    0 : "
    "slabdata      1      1      0\n"
    "TCP                 1300   1313   2368   13    8 : tunables    0    0    0 : "
    "slabdata    101    101      0\n"
    "tcp_bind_bucket      128    128     64   64    1 : tunables    0    0    0 : "
    "slabdata      2      2      0\n"
    "eventpoll_epi        640    640    128   32    1 : tunables    0    0    0 : "
    "slabdata     20     20      0\n"
    "eventpoll_pwq        448    448     72   56    1 : tunables    0    0    0 : "
    "slabdata      8      8      0\n"
    "sock_inode_cache    1900   1900    832   19    4 : tunables    0    0    0 : "
    "slabdata    100    100      0\n"
    /* short: the line ends before objperslab */
    "filp                 483    483    192\n"
    /* garbled numbers */
    "dentry             14973  1x973    192   21    1 : tunables    0    0    0 : "
    "slabdata    713    713      0\n"
    /* a longer name than a known one */
    "task_struct_x         94    110   5824    5    8 : tunables    0    0    0 : "
    "slabdata     22     22      0\n"
    /* no newline at the end */
    "task_struct           94    110   5824    5    8 : tunables    0    0    0 : "
    "slabdata     22     22      0";

static void assert_cache(const struct mc_proc_slab_cache *c, uint64_t active, uint64_t objs,
			 uint64_t objsize, uint64_t per, uint64_t pages)
{
	assert_true(c->listed);
	assert_int_equal(c->active, active);
	assert_int_equal(c->objs, objs);
	assert_int_equal(c->objsize, objsize);
	assert_int_equal(c->per_slab, per);
	assert_int_equal(c->pages_per_slab, pages);
}

static void test_slabinfo_parse(void **state)
{
	struct mc_proc_slabinfo s;
	const struct mc_proc_slab_cache *c = s.c;

	(void)state;
	assert_int_equal(mc_proc_slabinfo(slabinfo, &s), 0);
	assert_cache(&c[MC_PROC_SLAB_TCP], 1300, 1313, 2368, 13, 8);
	assert_cache(&c[MC_PROC_SLAB_TCPV6], 13, 13, 2496, 13, 8);
	assert_cache(&c[MC_PROC_SLAB_SOCK_INODE], 1900, 1900, 832, 19, 4);
	assert_cache(&c[MC_PROC_SLAB_EPOLL_EPI], 640, 640, 128, 32, 1);
	assert_cache(&c[MC_PROC_SLAB_EPOLL_PWQ], 448, 448, 72, 56, 1);
	assert_cache(&c[MC_PROC_SLAB_BIND_BUCKET], 128, 128, 64, 64, 1);
	assert_cache(&c[MC_PROC_SLAB_TASK], 94, 110, 5824, 5, 8);
	/* the short and the garbled line are skipped: not listed, all 0 */
	assert_false(c[MC_PROC_SLAB_FILP].listed);
	assert_int_equal(c[MC_PROC_SLAB_FILP].active, 0);
	assert_false(c[MC_PROC_SLAB_DENTRY].listed);
	assert_int_equal(c[MC_PROC_SLAB_DENTRY].per_slab, 0);
}

static void test_slabinfo_bytes(void **state)
{
	struct mc_proc_slabinfo s;
	const struct mc_proc_slab_cache *c = s.c;

	(void)state;
	assert_int_equal(mc_proc_slabinfo(slabinfo, &s), 0);
	/* each object's share of its slab: pages x page size / objects */
	assert_int_equal(mc_proc_slab_obj_bytes(&c[MC_PROC_SLAB_TCP], 4096), 8 * 4096 / 13);
	assert_int_equal(mc_proc_slab_obj_bytes(&c[MC_PROC_SLAB_SOCK_INODE], 4096), 4 * 4096 / 19);
	assert_int_equal(mc_proc_slab_obj_bytes(&c[MC_PROC_SLAB_TASK], 4096), 8 * 4096 / 5);
	assert_int_equal(mc_proc_slab_obj_bytes(&c[MC_PROC_SLAB_TCP], 16384), 8 * 16384 / 13);
	/* the active objects' bytes, multiplied before the division */
	assert_int_equal(mc_proc_slab_used_bytes(&c[MC_PROC_SLAB_TCP], 4096),
			 1300ULL * 8 * 4096 / 13);
	assert_int_equal(mc_proc_slab_used_bytes(&c[MC_PROC_SLAB_EPOLL_PWQ], 4096),
			 448ULL * 4096 / 56);
	assert_int_equal(mc_proc_slab_used_bytes(&c[MC_PROC_SLAB_TCPV6], 4096),
			 13ULL * 8 * 4096 / 13);
	/* not listed, or no objects per slab: 0, no division by zero */
	assert_int_equal(mc_proc_slab_obj_bytes(&c[MC_PROC_SLAB_FILP], 4096), 0);
	assert_int_equal(mc_proc_slab_used_bytes(&c[MC_PROC_SLAB_DENTRY], 4096), 0);
	assert_int_equal(
	    mc_proc_slabinfo("TCP 1 1 2368 0 8 : tunables 0 0 0 : slabdata 1 1 0\n", &s), 0);
	assert_true(c[MC_PROC_SLAB_TCP].listed);
	assert_int_equal(mc_proc_slab_obj_bytes(&c[MC_PROC_SLAB_TCP], 4096), 0);
	assert_int_equal(mc_proc_slab_used_bytes(&c[MC_PROC_SLAB_TCP], 4096), 0);
}

static void test_slabinfo_none(void **state)
{
	struct mc_proc_slabinfo s;

	(void)state;
	assert_int_equal(mc_proc_slabinfo("", &s), -ENOENT);
	assert_int_equal(mc_proc_slabinfo("nothing here\n", &s), -ENOENT);
	/* a name alone, then the next line's numbers: not this cache's */
	assert_int_equal(mc_proc_slabinfo("TCP\n1 2 3 4 5\n", &s), -ENOENT);
	assert_false(s.c[MC_PROC_SLAB_TCP].listed);
	assert_int_equal(mc_proc_slabinfo("sock_inode_cache\n1 2 3 4 5 6 7 8 9 10\n", &s), -ENOENT);
	assert_int_equal(mc_proc_slabinfo("TCP 1 2 3 4\n", &s), -ENOENT);
}

/* The text right before a PROT_NONE page: a read past its end crashes. */
static void test_slabinfo_no_overread(void **state)
{
	static const char tail[] = "TCP 26 26 2368 13 8";
	long page = sysconf(_SC_PAGESIZE);
	struct mc_proc_slabinfo s;
	char *map;

	(void)state;
	map = mmap(NULL, (size_t)page * 2, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1,
		   0);
	assert_true(map != MAP_FAILED);
	assert_int_equal(mprotect(map + page, (size_t)page, PROT_NONE), 0);
	memcpy(map + page - sizeof(tail), tail, sizeof(tail));
	assert_int_equal(mc_proc_slabinfo(map + page - sizeof(tail), &s), 0);
	assert_int_equal(s.c[MC_PROC_SLAB_TCP].pages_per_slab, 8);
	munmap(map, (size_t)page * 2);
}

/* Read under a root, as `maxconn limits --root` and the unit fixtures do. */
static void test_slabinfo_read(void **state)
{
	struct mc_proc_slabinfo s;

	(void)state;
	assert_int_equal(mc_proc_read_slabinfo("tests/unit/fixtures/limits/base", &s), 0);
	assert_cache(&s.c[MC_PROC_SLAB_TCP], 26, 26, 2368, 13, 8);
	assert_cache(&s.c[MC_PROC_SLAB_DENTRY], 14973, 14973, 192, 21, 1);
	assert_false(s.c[MC_PROC_SLAB_EPOLL_PWQ].listed);
	assert_int_equal(mc_proc_read_slabinfo("tests/unit/fixtures/limits/misc", &s), -ENOENT);
	assert_false(s.c[MC_PROC_SLAB_TCP].listed);
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
	    cmocka_unit_test(test_slabinfo_parse), cmocka_unit_test(test_slabinfo_bytes),
	    cmocka_unit_test(test_slabinfo_none),  cmocka_unit_test(test_slabinfo_no_overread),
	    cmocka_unit_test(test_slabinfo_read),  cmocka_unit_test(test_stat_cpu),
	    cmocka_unit_test(test_status_fields),  cmocka_unit_test(test_read_pid),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
