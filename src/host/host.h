/* host.h: one reader per host file maxconn reads, each into one struct
 * that every layer uses (limits, probe, metrics, client): /proc/meminfo,
 * /proc/slabinfo, /proc/net/sockstat, /proc/net/netstat,
 * net.ipv4.ip_local_port_range and net.ipv4.ip_local_reserved_ports,
 * the established hash's net.ipv4.tcp_ehash_entries and
 * tcp_child_ehash_entries.
 * A figure has one name everywhere: the field names below (MemAvailable is
 * mem_available, ListenOverflows listen_overflows, the port range lo/hi).
 *
 * Every reader reads under a root directory (common/procfs.h: NULL or ""
 * is the real /) so tests point it at a fake tree; beside each reader, the
 * pure parser of the file's text, unit-tested (tests/unit/test_host.c).
 * The paths are here and nowhere else. */
#ifndef MC_HOST_HOST_H
#define MC_HOST_HOST_H

#include <stdbool.h>
#include <stdint.h>

#define MC_HOST_P_MEMINFO    "/proc/meminfo"
#define MC_HOST_P_SLABINFO   "/proc/slabinfo"
#define MC_HOST_P_SOCKSTAT   "/proc/net/sockstat"
#define MC_HOST_P_NETSTAT    "/proc/net/netstat"
#define MC_HOST_P_PORT_RANGE "/proc/sys/net/ipv4/ip_local_port_range"
#define MC_HOST_P_RESERVED   "/proc/sys/net/ipv4/ip_local_reserved_ports"
#define MC_HOST_P_EHASH	     "/proc/sys/net/ipv4/tcp_ehash_entries"
#define MC_HOST_P_CHILD_EHASH "/proc/sys/net/ipv4/tcp_child_ehash_entries"
/* The most tcp_child_ehash_entries takes (Linux's tcp_child_ehash_entries_max,
 * 16Mi; Documentation/networking/ip-sysctl.rst: 0, or 2^n with n 0..24) */
#define MC_HOST_CHILD_EHASH_MAX (1ULL << 24)
/* conntrack's table: read by limits (its ceiling) and the probe (how full) */
#define MC_HOST_P_CT_MAX   "/proc/sys/net/netfilter/nf_conntrack_max"
#define MC_HOST_P_CT_COUNT "/proc/sys/net/netfilter/nf_conntrack_count"

/* One figure read from the host, in the one shape every layer keeps it (a
 * host file's figure here; limits' sysctls, rlimits and cgroup files as
 * well): v is meaningful only when err == 0. Else err is the -errno of
 * the read (-ENOENT: no such file), -ENOENT for a key a readable file
 * lacks, or -EINVAL for a key without a number (a value that does not
 * parse); the readers here leave v 0 then. */
struct mc_host_num {
	uint64_t v;
	int err;
};

/* /proc/meminfo, in bytes (host-wide). */
struct mc_host_meminfo {
	int err;			  /* the read's -errno, or 0 */
	struct mc_host_num mem_total;	  /* MemTotal */
	struct mc_host_num mem_available; /* MemAvailable */
	struct mc_host_num commit_limit;  /* CommitLimit */
	struct mc_host_num committed_as;  /* Committed_AS */
	struct mc_host_num slab_total;	  /* Slab */
	struct mc_host_num sreclaimable;  /* SReclaimable: dentries and inodes,
					   * sockets' too */
	struct mc_host_num kernel_stack;  /* KernelStack */
	struct mc_host_num page_tables;	  /* PageTables */
};

/* The kernel's own memory, where sockets live (about 4 KB each): Slab +
 * KernelStack + PageTables; a figure m lacks counts 0. */
static inline uint64_t mc_host_kernel_bytes(const struct mc_host_meminfo *m)
{
	return m->slab_total.v + m->kernel_stack.v + m->page_tables.v;
}

/* The "TCP:" line of /proc/net/sockstat: inuse, orphan, tw and alloc count
 * this network namespace's sockets; mem is pages, host-wide. */
struct mc_host_sockstat {
	int err;
	struct mc_host_num tcp_inuse, tcp_orphan, tcp_tw, tcp_alloc, tcp_mem_pages;
};

/* The TcpExt counters of /proc/net/netstat maxconn uses (this network
 * namespace). */
struct mc_host_netstat {
	int err;
	struct mc_host_num listen_overflows; /* ListenOverflows */
	struct mc_host_num listen_drops;     /* ListenDrops */
	struct mc_host_num syncookies_sent;  /* SyncookiesSent */
	struct mc_host_num reqq_full_drop;   /* TCPReqQFullDrop */
	struct mc_host_num syn_retrans;	     /* TCPSynRetrans: SYNs sent again */
	struct mc_host_num mem_pressures;    /* TCPMemoryPressures: above tcp_mem pressure */
};

/* net.ipv4.ip_local_port_range: "32768\t60999". */
struct mc_host_port_range {
	int err; /* the read's -errno, -EINVAL: not two ports with lo <= hi */
	uint16_t lo, hi;
};

/* The established-connection hash where this process runs: the buckets
 * every lookup of a connected socket hashes into (net.ipv4.tcp_ehash_entries,
 * fixed at boot for the host by thash_entries=, 5.19 on), and what a
 * namespace made from here gets (tcp_child_ehash_entries: 0 = the host's,
 * shared). In a child namespace tcp_ehash_entries is negative when it
 * shares the host's hash: buckets keeps its size, own says which. Each
 * figure carries its own err (-ENOENT: before Linux 5.19). */
struct mc_host_ehash {
	struct mc_host_num buckets; /* tcp_ehash_entries, its size */
	bool own;		    /* not the initial namespace's shared hash
				     * (the initial namespace's own is true) */
	struct mc_host_num child;   /* tcp_child_ehash_entries */
};

/* The buckets for a hash that will hold this many sockets: the power of
 * two nearest twice their number (chains of half a socket), from 1,024 up
 * to MC_HOST_CHILD_EHASH_MAX (2^24). What the probe gives its namespaces,
 * and what limits advises for thash_entries= and tcp_child_ehash_entries. */
uint64_t mc_host_ehash_size(uint64_t sockets);

/* net.ipv4.ip_local_reserved_ports, one bit per port. */
struct mc_host_reserved {
	int err;	    /* the read's -errno, -EINVAL: the list does not parse */
	uint32_t n;	    /* ports listed */
	uint8_t bits[8192]; /* port p is bit p & 7 of bits[p >> 3] */
};

/* The slab caches of /proc/slabinfo that maxconn reads: where a socket
 * lives (TCP or TCPv6 sock, socket inode, dentry, file, epoll item and
 * wait-queue entry), a client port's bind bucket, and a thread's task. */
enum mc_host_slab_id {
	MC_HOST_SLAB_TCP,	  /* "TCP" */
	MC_HOST_SLAB_TCPV6,	  /* "TCPv6" */
	MC_HOST_SLAB_SOCK_INODE,  /* "sock_inode_cache" */
	MC_HOST_SLAB_DENTRY,	  /* "dentry" */
	MC_HOST_SLAB_FILP,	  /* "filp" */
	MC_HOST_SLAB_EPOLL_EPI,	  /* "eventpoll_epi" */
	MC_HOST_SLAB_EPOLL_PWQ,	  /* "eventpoll_pwq" */
	MC_HOST_SLAB_BIND_BUCKET, /* "tcp_bind_bucket" */
	MC_HOST_SLAB_TASK,	  /* "task_struct" */
	MC_HOST_SLAB_N
};

/* One cache's line of /proc/slabinfo (version 2.1): "name <active_objs>
 * <num_objs> <objsize> <objperslab> <pagesperslab> : tunables ... :
 * slabdata ...". listed is false when the file has no such line. */
struct mc_host_slab_cache {
	bool listed;
	uint64_t active, objs, objsize, per_slab, pages_per_slab;
};

/* The caches of enum mc_host_slab_id, as one read of /proc/slabinfo found
 * them. */
struct mc_host_slabinfo {
	int err; /* the read's -errno (root only: -EACCES), or 0 */
	struct mc_host_slab_cache c[MC_HOST_SLAB_N];
};

/* The readers: each zeroes its struct, reads root + its path and parses
 * it. They return the struct's err: 0, or the -errno of the read (the
 * port range and reserved ports: -EINVAL as well when the text does not
 * parse). A figure a readable file lacks keeps its own err. */
int mc_host_meminfo_read(const char *root, struct mc_host_meminfo *m);
int mc_host_sockstat_read(const char *root, struct mc_host_sockstat *s);
int mc_host_netstat_read(const char *root, struct mc_host_netstat *n);
int mc_host_port_range_read(const char *root, struct mc_host_port_range *r);
int mc_host_reserved_read(const char *root, struct mc_host_reserved *r);
/* ehash: returns buckets.err. */
int mc_host_ehash_read(const char *root, struct mc_host_ehash *e);
/* slabinfo: 0 even when none of the caches is listed. */
int mc_host_slabinfo_read(const char *root, struct mc_host_slabinfo *s);

/* The pure parsers behind them (buf NUL-terminated); they set the figures
 * and leave err to the reader. */
void mc_host_meminfo_parse(const char *buf, struct mc_host_meminfo *m);
void mc_host_sockstat_parse(const char *buf, struct mc_host_sockstat *s);
void mc_host_netstat_parse(const char *buf, struct mc_host_netstat *n);
/* "LO HI" (tabs or spaces): 0, or -EINVAL unless 1 <= lo <= hi <= 65535
 * (what the kernel accepts for the sysctl). */
int mc_host_port_range_parse(const char *buf, struct mc_host_port_range *r);
/* tcp_ehash_entries' text ("262144", "-262144" in a child namespace that
 * shares the host's): 0, or -EINVAL for no number. */
int mc_host_ehash_parse(const char *buf, struct mc_host_ehash *e);
/* The list as the kernel prints it ("8080,9000-9100\n"; "" or "\n" when
 * empty): ports and ranges "a-b" separated by commas, whitespace allowed
 * between items. Rejected with -EINVAL, r left empty: a non-digit where a
 * port belongs ("abc", "5-"), a port over 65535, a range with a > b, and
 * anything but a separator after a port ("5x"). The kernel refuses all of
 * these when the sysctl is written, so a list that holds them is not the
 * kernel's (a typo in a fake tree): better unknown than miscounted. A port
 * listed twice counts once. 0 or -EINVAL. */
int mc_host_reserved_parse(const char *list, struct mc_host_reserved *r);
/* The reserved ports inside [lo, hi]. */
uint32_t mc_host_reserved_count(const struct mc_host_reserved *r, uint16_t lo, uint16_t hi);
static inline bool mc_host_reserved_has(const struct mc_host_reserved *r, uint16_t port)
{
	return r->bits[port >> 3] & (1u << (port & 7));
}
/* Fills the caches of s it finds (s->err untouched). A line whose name
 * and five numbers do not parse (short, garbled) is skipped, so its cache
 * reads as not listed; when a name appears twice the last line wins. 0,
 * or -ENOENT when none of the caches is listed. */
int mc_host_slabinfo_parse(const char *buf, struct mc_host_slabinfo *s);

/* A cache's name as slabinfo (and node_exporter's slabinfo collector)
 * spells it: "TCP", "sock_inode_cache", ... */
const char *mc_host_slab_name(enum mc_host_slab_id id);
/* Each object's share of its slab: pagesperslab x page_size / objperslab
 * (the object size with its padding); 0 when not listed or objperslab is
 * 0. */
uint64_t mc_host_slab_obj_bytes(const struct mc_host_slab_cache *c, uint64_t page_size);
/* The bytes the active objects hold, each with its share of its slab:
 * active x pagesperslab x page_size / objperslab (multiplied first, so no
 * per-object rounding); 0 when not listed or objperslab is 0. It counts
 * allocations, not the free slack of slabs other work left behind. */
uint64_t mc_host_slab_used_bytes(const struct mc_host_slab_cache *c, uint64_t page_size);

/* The caches of one slabinfo read in bytes, at one page size: the one
 * reduction that limits (a socket's and a thread's footprint, obj[]) and
 * the probe (the caches' growth, used[]) weigh sockets with. A cache not
 * listed reads 0 in every array. */
struct mc_host_slab_bytes {
	int err;			 /* the read's -errno (root only: -EACCES), or 0 */
	bool listed[MC_HOST_SLAB_N];	 /* the file has the cache's line */
	uint64_t active[MC_HOST_SLAB_N]; /* active objects */
	uint64_t obj[MC_HOST_SLAB_N];	 /* mc_host_slab_obj_bytes: one object */
	uint64_t used[MC_HOST_SLAB_N];	 /* mc_host_slab_used_bytes: the active objects */
};

/* b from the caches of si at page_size (b->err is si->err). */
void mc_host_slab_bytes_from(const struct mc_host_slabinfo *si, uint64_t page_size,
			     struct mc_host_slab_bytes *b);
/* Read root's /proc/slabinfo into b at page_size; returns b->err (0 even
 * when none of the caches is listed). */
int mc_host_slab_bytes_read(const char *root, uint64_t page_size, struct mc_host_slab_bytes *b);

#endif
