/* test_host.c: host/host.c's one reader per host file, on fake text and
 * fake trees (tests/unit/fixtures/limits/base and misc, host/bad, run from
 * the repo root): meminfo, sockstat and netstat figures each with its own
 * error (a missing key, a key without a number, a short file, no file);
 * the port range and the reserved ports with the kernel's syntax and what
 * it refuses; slabinfo: every number of the caches it knows, lines it must
 * skip (headers, other caches, a short line, garbled numbers, a name that
 * only starts like a known one), each object's share of its slab and the
 * bytes the active objects hold, the read under a root directory, and no
 * read past the end of the text. */
#include <errno.h>
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

#include "host/host.h"

#define BASE "tests/unit/fixtures/limits/base"
#define MISC "tests/unit/fixtures/limits/misc"
#define BAD  "tests/unit/fixtures/host/bad"
#define NONE "tests/unit/fixtures/does-not-exist"

static void assert_fig(struct mc_host_num n, uint64_t v)
{
	assert_int_equal(n.err, 0);
	assert_int_equal(n.v, v);
}

static void assert_fig_err(struct mc_host_num n, int err)
{
	assert_int_equal(n.err, err);
	assert_int_equal(n.v, 0);
}

static void test_meminfo(void **state)
{
	static const char text[] = "MemTotal:       24576000 kB\n"
				   "MemAvailable:   20000000 kB\n"
				   "Slab:              1024 kB\n"
				   "SReclaimable:       512 kB\n"
				   "KernelStack:        16 kB\n"
				   "PageTables:          8 kB\n"
				   "CommitLimit:   bad\n";
	struct mc_host_meminfo m;

	(void)state;
	memset(&m, 0xff, sizeof(m));
	mc_host_meminfo_parse(text, &m);
	assert_fig(m.mem_total, 24576000ULL * 1024);
	assert_fig(m.mem_available, 20000000ULL * 1024);
	assert_fig(m.slab_total, 1024 * 1024);
	assert_fig(m.sreclaimable, 512 * 1024);
	assert_fig(m.kernel_stack, 16 * 1024);
	assert_fig(m.page_tables, 8 * 1024);
	assert_fig_err(m.commit_limit, -EINVAL); /* the key without a number */
	assert_fig_err(m.committed_as, -ENOENT); /* no such key */

	assert_int_equal(mc_host_meminfo_read(BASE, &m), 0);
	assert_fig(m.mem_total, 8388608ULL * 1024);
	assert_fig(m.mem_available, 4194304ULL * 1024);
	assert_fig(m.commit_limit, 16777216ULL * 1024);
	assert_fig(m.committed_as, 100000ULL * 1024);
	assert_fig_err(m.slab_total, -ENOENT);
	/* garbage where the number belongs */
	assert_int_equal(mc_host_meminfo_read(BAD, &m), 0);
	assert_fig_err(m.mem_total, -EINVAL);
	assert_fig_err(m.mem_available, -ENOENT);
	/* no file: every figure carries the read's error */
	assert_int_equal(mc_host_meminfo_read(NONE, &m), -ENOENT);
	assert_int_equal(m.err, -ENOENT);
	assert_fig_err(m.mem_total, -ENOENT);
	assert_fig_err(m.page_tables, -ENOENT);
}

static void test_sockstat(void **state)
{
	struct mc_host_sockstat s;

	(void)state;
	assert_int_equal(mc_host_sockstat_read(BASE, &s), 0);
	assert_fig(s.tcp_inuse, 3);
	assert_fig(s.tcp_orphan, 1);
	assert_fig(s.tcp_tw, 5);
	assert_fig(s.tcp_alloc, 4);
	assert_fig(s.tcp_mem_pages, 256);
	/* a short TCP line: what it has, and the rest missing */
	assert_int_equal(mc_host_sockstat_read(BAD, &s), 0);
	assert_fig(s.tcp_inuse, 3);
	assert_fig(s.tcp_orphan, 0);
	assert_fig_err(s.tcp_tw, -ENOENT);
	assert_fig_err(s.tcp_mem_pages, -ENOENT);
	/* no TCP line at all */
	mc_host_sockstat_parse("sockets: used 1\nUDP: inuse 1 mem 0\n", &s);
	assert_fig_err(s.tcp_inuse, -ENOENT);
	assert_fig_err(s.tcp_mem_pages, -ENOENT);
	assert_int_equal(mc_host_sockstat_read(NONE, &s), -ENOENT);
	assert_fig_err(s.tcp_tw, -ENOENT);
}

static void test_netstat(void **state)
{
	static const char text[] = "TcpExt: SyncookiesSent ListenOverflows ListenDrops "
				   "TCPReqQFullDrop TCPSynRetrans\n"
				   "TcpExt: 3 17 19 2 40\n"
				   "IpExt: InNoRoutes\nIpExt: 0\n";
	struct mc_host_netstat n;

	(void)state;
	mc_host_netstat_parse(text, &n);
	assert_fig(n.syncookies_sent, 3);
	assert_fig(n.listen_overflows, 17);
	assert_fig(n.listen_drops, 19);
	assert_fig(n.reqq_full_drop, 2);
	assert_fig(n.syn_retrans, 40);
	assert_int_equal(mc_host_netstat_read(BASE, &n), 0);
	assert_fig(n.listen_overflows, 7);
	assert_fig(n.listen_drops, 9);
	assert_fig(n.syncookies_sent, 0);
	assert_fig_err(n.syn_retrans, -ENOENT); /* not among the names */
	/* names and no line of values */
	assert_int_equal(mc_host_netstat_read(BAD, &n), 0);
	assert_fig_err(n.listen_overflows, -ENOENT);
	mc_host_netstat_parse("garbage\n", &n);
	assert_fig_err(n.listen_drops, -ENOENT);
	assert_int_equal(mc_host_netstat_read(NONE, &n), -ENOENT);
	assert_fig_err(n.listen_drops, -ENOENT);
}

static void test_port_range(void **state)
{
	struct mc_host_port_range r;

	(void)state;
	assert_int_equal(mc_host_port_range_parse("32768\t60999\n", &r), 0);
	assert_int_equal(r.lo, 32768);
	assert_int_equal(r.hi, 60999);
	assert_int_equal(mc_host_port_range_parse(" 1024  65535", &r), 0);
	assert_int_equal(r.hi, 65535);
	assert_int_equal(mc_host_port_range_parse("80 80", &r), 0);
	assert_int_equal(mc_host_port_range_parse("32768\n", &r), -EINVAL); /* short */
	assert_int_equal(mc_host_port_range_parse("", &r), -EINVAL);
	assert_int_equal(mc_host_port_range_parse("a b", &r), -EINVAL);
	assert_int_equal(mc_host_port_range_parse("60999 32768", &r), -EINVAL);
	assert_int_equal(mc_host_port_range_parse("0 100", &r), -EINVAL);
	assert_int_equal(mc_host_port_range_parse("1 65536", &r), -EINVAL);
	assert_int_equal(mc_host_port_range_parse("1 99999999999999999999999", &r), -EINVAL);

	assert_int_equal(mc_host_port_range_read(BASE, &r), 0);
	assert_int_equal(r.lo, 32768);
	assert_int_equal(r.hi, 60999);
	assert_int_equal(mc_host_port_range_read(BAD, &r), -EINVAL); /* reversed */
	assert_int_equal(r.err, -EINVAL);
	assert_int_equal(r.lo, 0);
	assert_int_equal(mc_host_port_range_read(NONE, &r), -ENOENT);
}

static void test_reserved(void **state)
{
	struct mc_host_reserved *r = malloc(sizeof(*r));

	(void)state;
	assert_non_null(r);
	assert_int_equal(mc_host_reserved_parse("", r), 0);
	assert_int_equal(r->n, 0);
	assert_int_equal(mc_host_reserved_parse(NULL, r), 0);
	assert_int_equal(mc_host_reserved_parse("\n", r), 0);
	assert_int_equal(r->n, 0);
	/* only what falls inside the range counts */
	assert_int_equal(mc_host_reserved_parse("8080,40000-40009,60000\n", r), 0);
	assert_int_equal(r->n, 12);
	assert_int_equal(mc_host_reserved_count(r, 40000, 40099), 10);
	assert_true(mc_host_reserved_has(r, 40000));
	assert_true(mc_host_reserved_has(r, 40009));
	assert_false(mc_host_reserved_has(r, 40010));
	assert_true(mc_host_reserved_has(r, 8080));
	/* a range across the edge counts its part inside */
	assert_int_equal(mc_host_reserved_parse("39990-40004", r), 0);
	assert_int_equal(mc_host_reserved_count(r, 40000, 40099), 5);
	/* listed twice: counted once */
	assert_int_equal(mc_host_reserved_parse("40001,40000-40002", r), 0);
	assert_int_equal(r->n, 3);
	assert_int_equal(mc_host_reserved_count(r, 40000, 40099), 3);
	/* whitespace between items; the whole range to the last port */
	assert_int_equal(mc_host_reserved_parse("1, 2\t3 65535", r), 0);
	assert_int_equal(mc_host_reserved_count(r, 1, 65535), 4);
	/* what the kernel would never write: rejected, nothing reserved */
	assert_int_equal(mc_host_reserved_parse("abc", r), -EINVAL);
	assert_int_equal(mc_host_reserved_parse("5-3", r), -EINVAL);
	assert_int_equal(mc_host_reserved_parse("70000", r), -EINVAL);
	assert_int_equal(mc_host_reserved_parse("5-", r), -EINVAL);
	assert_int_equal(mc_host_reserved_parse("40000,5x", r), -EINVAL);
	assert_int_equal(r->n, 0);
	assert_false(mc_host_reserved_has(r, 40000));

	/* misc reserves 32768-32799 and 60999 inside 32768-60999, 8080 and
	 * 61000-61010 outside */
	assert_int_equal(mc_host_reserved_read(MISC, r), 0);
	assert_int_equal(r->n, 1 + 32 + 1 + 11);
	assert_int_equal(mc_host_reserved_count(r, 32768, 60999), 33);
	assert_int_equal(mc_host_reserved_read(BAD, r), -EINVAL);
	assert_int_equal(r->err, -EINVAL);
	assert_int_equal(mc_host_reserved_count(r, 1, 65535), 0);
	assert_int_equal(mc_host_reserved_read(NONE, r), -ENOENT);
	free(r);
}

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

static void assert_cache(const struct mc_host_slab_cache *c, uint64_t active, uint64_t objs,
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
	struct mc_host_slabinfo s;
	const struct mc_host_slab_cache *c = s.c;

	(void)state;
	assert_int_equal(mc_host_slabinfo_parse(slabinfo, &s), 0);
	assert_cache(&c[MC_HOST_SLAB_TCP], 1300, 1313, 2368, 13, 8);
	assert_cache(&c[MC_HOST_SLAB_TCPV6], 13, 13, 2496, 13, 8);
	assert_cache(&c[MC_HOST_SLAB_SOCK_INODE], 1900, 1900, 832, 19, 4);
	assert_cache(&c[MC_HOST_SLAB_EPOLL_EPI], 640, 640, 128, 32, 1);
	assert_cache(&c[MC_HOST_SLAB_EPOLL_PWQ], 448, 448, 72, 56, 1);
	assert_cache(&c[MC_HOST_SLAB_BIND_BUCKET], 128, 128, 64, 64, 1);
	assert_cache(&c[MC_HOST_SLAB_TASK], 94, 110, 5824, 5, 8);
	/* the short and the garbled line are skipped: not listed, all 0 */
	assert_false(c[MC_HOST_SLAB_FILP].listed);
	assert_int_equal(c[MC_HOST_SLAB_FILP].active, 0);
	assert_false(c[MC_HOST_SLAB_DENTRY].listed);
	assert_int_equal(c[MC_HOST_SLAB_DENTRY].per_slab, 0);
}

static void test_slabinfo_bytes(void **state)
{
	struct mc_host_slabinfo s;
	const struct mc_host_slab_cache *c = s.c;

	(void)state;
	assert_int_equal(mc_host_slabinfo_parse(slabinfo, &s), 0);
	/* each object's share of its slab: pages x page size / objects */
	assert_int_equal(mc_host_slab_obj_bytes(&c[MC_HOST_SLAB_TCP], 4096), 8 * 4096 / 13);
	assert_int_equal(mc_host_slab_obj_bytes(&c[MC_HOST_SLAB_SOCK_INODE], 4096), 4 * 4096 / 19);
	assert_int_equal(mc_host_slab_obj_bytes(&c[MC_HOST_SLAB_TASK], 4096), 8 * 4096 / 5);
	assert_int_equal(mc_host_slab_obj_bytes(&c[MC_HOST_SLAB_TCP], 16384), 8 * 16384 / 13);
	/* the active objects' bytes, multiplied before the division */
	assert_int_equal(mc_host_slab_used_bytes(&c[MC_HOST_SLAB_TCP], 4096),
			 1300ULL * 8 * 4096 / 13);
	assert_int_equal(mc_host_slab_used_bytes(&c[MC_HOST_SLAB_EPOLL_PWQ], 4096),
			 448ULL * 4096 / 56);
	assert_int_equal(mc_host_slab_used_bytes(&c[MC_HOST_SLAB_TCPV6], 4096),
			 13ULL * 8 * 4096 / 13);
	/* not listed, or no objects per slab: 0, no division by zero */
	assert_int_equal(mc_host_slab_obj_bytes(&c[MC_HOST_SLAB_FILP], 4096), 0);
	assert_int_equal(mc_host_slab_used_bytes(&c[MC_HOST_SLAB_DENTRY], 4096), 0);
	assert_int_equal(
	    mc_host_slabinfo_parse("TCP 1 1 2368 0 8 : tunables 0 0 0 : slabdata 1 1 0\n", &s), 0);
	assert_true(c[MC_HOST_SLAB_TCP].listed);
	assert_int_equal(mc_host_slab_obj_bytes(&c[MC_HOST_SLAB_TCP], 4096), 0);
	assert_int_equal(mc_host_slab_used_bytes(&c[MC_HOST_SLAB_TCP], 4096), 0);
}

/* The one reduction limits and the probe read: every cache's listing,
 * active objects and both byte figures, at the page size given, and the
 * read's error. */
static void test_slab_bytes(void **state)
{
	struct mc_host_slabinfo s;
	struct mc_host_slab_bytes b;

	(void)state;
	assert_int_equal(mc_host_slabinfo_parse(slabinfo, &s), 0);
	s.err = 0;
	mc_host_slab_bytes_from(&s, 16384, &b);
	assert_int_equal(b.err, 0);
	assert_true(b.listed[MC_HOST_SLAB_TCP]);
	assert_int_equal(b.active[MC_HOST_SLAB_TCP], 1300);
	assert_int_equal(b.obj[MC_HOST_SLAB_TCP], 8 * 16384 / 13);
	assert_int_equal(b.used[MC_HOST_SLAB_TCP], 1300ULL * 8 * 16384 / 13);
	assert_int_equal(b.obj[MC_HOST_SLAB_TASK], 8 * 16384 / 5);
	assert_int_equal(b.used[MC_HOST_SLAB_EPOLL_PWQ], 448ULL * 16384 / 56);
	assert_false(b.listed[MC_HOST_SLAB_FILP]);
	assert_int_equal(b.active[MC_HOST_SLAB_FILP], 0);
	assert_int_equal(b.obj[MC_HOST_SLAB_FILP], 0);
	assert_int_equal(b.used[MC_HOST_SLAB_FILP], 0);
	/* unreadable: the read's error, every figure 0 */
	memset(&s, 0, sizeof(s));
	s.err = -EACCES;
	mc_host_slab_bytes_from(&s, 4096, &b);
	assert_int_equal(b.err, -EACCES);
	assert_false(b.listed[MC_HOST_SLAB_TCP]);
	assert_int_equal(b.obj[MC_HOST_SLAB_TCP], 0);
}

static void test_slabinfo_none(void **state)
{
	struct mc_host_slabinfo s;

	(void)state;
	assert_int_equal(mc_host_slabinfo_parse("", &s), -ENOENT);
	assert_int_equal(mc_host_slabinfo_parse("nothing here\n", &s), -ENOENT);
	/* a name alone, then the next line's numbers: not this cache's */
	assert_int_equal(mc_host_slabinfo_parse("TCP\n1 2 3 4 5\n", &s), -ENOENT);
	assert_false(s.c[MC_HOST_SLAB_TCP].listed);
	assert_int_equal(mc_host_slabinfo_parse("sock_inode_cache\n1 2 3 4 5 6 7 8 9 10\n", &s),
			 -ENOENT);
	assert_int_equal(mc_host_slabinfo_parse("TCP 1 2 3 4\n", &s), -ENOENT);
}

/* The text right before a PROT_NONE page: a read past its end crashes. */
static void test_slabinfo_no_overread(void **state)
{
	static const char tail[] = "TCP 26 26 2368 13 8";
	long page = sysconf(_SC_PAGESIZE);
	struct mc_host_slabinfo s;
	char *map;

	(void)state;
	map = mmap(NULL, (size_t)page * 2, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1,
		   0);
	assert_true(map != MAP_FAILED);
	assert_int_equal(mprotect(map + page, (size_t)page, PROT_NONE), 0);
	memcpy(map + page - sizeof(tail), tail, sizeof(tail));
	assert_int_equal(mc_host_slabinfo_parse(map + page - sizeof(tail), &s), 0);
	assert_int_equal(s.c[MC_HOST_SLAB_TCP].pages_per_slab, 8);
	munmap(map, (size_t)page * 2);
}

/* Read under a root, as `maxconn limits --root` and the unit fixtures do. */
static void test_slabinfo_read(void **state)
{
	struct mc_host_slabinfo s;

	(void)state;
	assert_int_equal(mc_host_slabinfo_read("tests/unit/fixtures/limits/base", &s), 0);
	assert_cache(&s.c[MC_HOST_SLAB_TCP], 26, 26, 2368, 13, 8);
	assert_cache(&s.c[MC_HOST_SLAB_DENTRY], 14973, 14973, 192, 21, 1);
	assert_false(s.c[MC_HOST_SLAB_EPOLL_PWQ].listed);
	assert_int_equal(mc_host_slabinfo_read("tests/unit/fixtures/limits/misc", &s), -ENOENT);
	assert_false(s.c[MC_HOST_SLAB_TCP].listed);
}

/* The names as slabinfo (and node_exporter) spell them; parsing a line
 * that starts with each name finds that cache. */
static void test_slab_names(void **state)
{
	struct mc_host_slabinfo s;
	char line[96];

	(void)state;
	assert_string_equal(mc_host_slab_name(MC_HOST_SLAB_TCPV6), "TCPv6");
	assert_string_equal(mc_host_slab_name(MC_HOST_SLAB_SOCK_INODE), "sock_inode_cache");
	assert_string_equal(mc_host_slab_name(MC_HOST_SLAB_N), "");
	for (int i = 0; i < MC_HOST_SLAB_N; i++) {
		snprintf(line, sizeof(line), "%s 1 2 3 4 5 : tunables 0 0 0\n",
			 mc_host_slab_name((enum mc_host_slab_id)i));
		assert_int_equal(mc_host_slabinfo_parse(line, &s), 0);
		assert_true(s.c[i].listed);
		assert_int_equal(s.c[i].pages_per_slab, 5);
	}
}

/* tcp_ehash_entries: the host's own hash, a child namespace's own, and a
 * child that shares the host's (negative) */
static void test_ehash(void **state)
{
	struct mc_host_ehash e;

	(void)state;
	memset(&e, 0, sizeof(e));
	assert_int_equal(mc_host_ehash_parse("262144\n", &e), 0);
	assert_int_equal(e.buckets.v, 262144);
	assert_true(e.own);
	assert_int_equal(mc_host_ehash_parse("-262144\n", &e), 0);
	assert_int_equal(e.buckets.v, 262144);
	assert_false(e.own);
	assert_int_equal(mc_host_ehash_parse("2097152", &e), 0);
	assert_true(e.own);
	assert_int_equal(mc_host_ehash_parse("", &e), -EINVAL);
	assert_int_equal(mc_host_ehash_parse("-", &e), -EINVAL);
	assert_int_equal(mc_host_ehash_parse("0", &e), -EINVAL);
	/* a root without the files: before Linux 5.19 */
	assert_int_equal(mc_host_ehash_read("/nonexistent", &e), -ENOENT);
	assert_int_equal(e.child.err, -ENOENT);
	assert_int_equal(e.buckets.v, 0);
}

/* the size the probe gives its namespaces and limits advises: the power of
 * two nearest twice the sockets, within 1,024 and the kernel's most */
static void test_ehash_size(void **state)
{
	(void)state;
	/* a handful: the floor */
	assert_int_equal(mc_host_ehash_size(0), 1024);
	assert_int_equal(mc_host_ehash_size(100), 1024);
	/* 3,000 connections: 6,001 sockets, 12,002 is nearer 8,192 than 16,384 */
	assert_int_equal(mc_host_ehash_size(6001), 8192);
	assert_int_equal(mc_host_ehash_size(6200), 16384);
	/* 1M connections: 2M sockets, 4,194,304 buckets */
	assert_int_equal(mc_host_ehash_size(2000001), 4194304);
	/* 2.6M connections (--target max here): 5.2M sockets, 10.4M nearer 2^23 */
	assert_int_equal(mc_host_ehash_size(5230660), 8388608);
	/* the kernel's most, whatever the sockets */
	assert_int_equal(mc_host_ehash_size(7000000), MC_HOST_CHILD_EHASH_MAX);
	assert_int_equal(mc_host_ehash_size(UINT64_MAX / 4), MC_HOST_CHILD_EHASH_MAX);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_meminfo),
	    cmocka_unit_test(test_sockstat),
	    cmocka_unit_test(test_netstat),
	    cmocka_unit_test(test_port_range),
	    cmocka_unit_test(test_ehash),
	    cmocka_unit_test(test_ehash_size),
	    cmocka_unit_test(test_reserved),
	    cmocka_unit_test(test_slabinfo_parse),
	    cmocka_unit_test(test_slabinfo_bytes),
	    cmocka_unit_test(test_slab_bytes),
	    cmocka_unit_test(test_slabinfo_none),
	    cmocka_unit_test(test_slabinfo_no_overread),
	    cmocka_unit_test(test_slabinfo_read),
	    cmocka_unit_test(test_slab_names),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
