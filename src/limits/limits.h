/* limits.h: the limits model behind `maxconn limits`.
 *
 * Three separate pieces, as STYLE.md asks:
 *   read.c   fills a struct mc_limits_snap from /proc, /sys, /etc and the
 *            process's own rlimits; every file path goes through a root
 *            directory so tests point it at a fake tree (tests/unit/fixtures);
 *   registry.c  the one table of limits: id, name, source, kind, judge
 *            function and the --explain texts of each (registry-int.h);
 *   judge.c  a pure function: snapshot + scenario -> one struct mc_limits_item
 *            per registry entry with the number of connections it allows, the
 *            binding limit, and the ordered changes needed to reach --target;
 *            each limit judged in the judge_*.c of its family (judge-int.h);
 *   print.c  the table, the summary line, the 4-tuple arithmetic, --explain;
 *   json.c   the --json document (schema in docs/limits.md).
 *
 * A value that cannot be read carries the -errno of the read (never a
 * guess); the judge turns it into status "unknown" with that reason. */
#ifndef MC_LIMITS_LIMITS_H
#define MC_LIMITS_LIMITS_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "common/addr.h"
#include "common/err.h"
#include "common/limit-t.h"
#include "common/model.h"
#include "host/host.h"
#include "limits/bufcost.h"
#include "limits/cpubusy.h"
#include "limits/msgcost.h"
#include "limits/sockcost.h"
#include "net/diag.h"
#include "net/nat.h"
#include "net/ruleset.h"

/* "no ceiling" for a limit, and "unlimited" for a raw value (RLIM_INFINITY,
 * memory.max "max", ...) */
#define MC_LIMITS_NONE UINT64_MAX

/* The fds a process needs besides its connections: stdin, stdout, stderr,
 * the epoll fd, two eventfds/timerfds, the listen socket, and the spare fd
 * kept for the EMFILE trick (see DESIGN.md). Per fd table. */
#define MC_LIMITS_FD_OVERHEAD 8

/* What an idle connection costs in kernel memory and in a memory cgroup's
 * charge is measured here (limits/sockcost.h: MC_LIMITS_SOCK_CALIB_CONNS
 * loopback connections, each side and the epoll watches apart). The
 * figures below are only the stated assumption where that calibration
 * cannot run (not root, no network namespace, under --root); the output
 * then says "assumed" and where they come from. */
#define MC_LIMITS_SOCK_CALIB_CONNS 1000

/* Assumed kernel bytes per idle ESTABLISHED socket when /proc/slabinfo
 * cannot be read either: the sum measured on Linux 6.x x86_64 (tcp_sock
 * 2.5 KB, socket inode 0.86 KB, dentry 0.2 KB, file 0.2 KB, epoll item,
 * bind bucket). */
#define MC_LIMITS_DEFAULT_SOCK_BYTES 4100

/* Assumed: what a socket costs besides the slab caches slabinfo names
 * (the epoll wait-queue entry, allocations outside named caches), fitted
 * by `maxconn probe --target max` at 2.28M connections on Linux 6.18. */
#define MC_LIMITS_SOCK_REST_BYTES 250

/* Assumed: what a memory cgroup is charged per connection, per side, as
 * fitted on Linux 6.18 with cgroup v1 (42k-45k connections in a 256 MiB
 * cgroup): an accepted socket's tcp_sock was not charged (1,498-1,515 B:
 * the named caches + ~120 B), a connecting one's was (4,081-4,098 B: + ~190
 * B, its bind buckets). Other kernels differ: the calibration measures. */
#define MC_LIMITS_CG_ACCEPT_REST     120
#define MC_LIMITS_CG_CONNECT_REST    190
#define MC_LIMITS_CG_ACCEPT_DEFAULT  1500
#define MC_LIMITS_CG_CONNECT_DEFAULT 4090

/* Per thread in the thread-per-connection model, besides its socket: the
 * kernel stack (THREAD_SIZE, 16 KiB on x86_64 and arm64) and the user stack
 * pages a thread blocked in read() has touched (two pages). task_struct
 * comes from slabinfo when readable, else this default. */
#define MC_LIMITS_KSTACK_BYTES	       16384
#define MC_LIMITS_USTACK_TOUCHED_PAGES 2
#define MC_LIMITS_DEFAULT_TASK_BYTES   6144
/* Memory maps a thread adds to its process: its stack and the guard page
 * below it. Measured: 1,000 threads of `maxconn server --model threads`
 * added 2,028 lines to /proc/PID/maps (Linux 6.18, glibc 2.36; the same
 * with --thread-stack 64k). */
#define MC_LIMITS_MAPS_PER_THREAD 2

/* The address space a 64-bit process can map (47 bits on x86_64): bounds
 * how many thread stacks of RLIMIT_STACK bytes can be reserved when the
 * kernel overcommits. */
#define MC_LIMITS_VA_BYTES (1ULL << 47)

/* Paths, relative to the snapshot root, of the files only the limits model
 * reads (the host files other layers read too are host/host.h's
 * MC_HOST_P_*: meminfo, slabinfo, sockstat, netstat, the port sysctls,
 * conntrack's count and max).
 * The judge names them in reasons. */
#define MC_LIMITS_P_NR_OPEN	"/proc/sys/fs/nr_open"
#define MC_LIMITS_P_FILE_MAX	"/proc/sys/fs/file-max"
#define MC_LIMITS_P_FILE_NR	"/proc/sys/fs/file-nr"
#define MC_LIMITS_P_EPOLL_WATCHES "/proc/sys/fs/epoll/max_user_watches"
#define MC_LIMITS_P_SOMAXCONN	"/proc/sys/net/core/somaxconn"
#define MC_LIMITS_P_SYN_BACKLOG "/proc/sys/net/ipv4/tcp_max_syn_backlog"
#define MC_LIMITS_P_SYNCOOKIES	"/proc/sys/net/ipv4/tcp_syncookies"
#define MC_LIMITS_P_TCP_MEM	"/proc/sys/net/ipv4/tcp_mem"
#define MC_LIMITS_P_TCP_RMEM	"/proc/sys/net/ipv4/tcp_rmem"
#define MC_LIMITS_P_TCP_WMEM	"/proc/sys/net/ipv4/tcp_wmem"
#define MC_LIMITS_P_THREADS_MAX "/proc/sys/kernel/threads-max"
#define MC_LIMITS_P_PID_MAX	"/proc/sys/kernel/pid_max"
#define MC_LIMITS_P_OVERCOMMIT	"/proc/sys/vm/overcommit_memory"
#define MC_LIMITS_P_MAP_COUNT	"/proc/sys/vm/max_map_count"
#define MC_LIMITS_P_TW_BUCKETS	"/proc/sys/net/ipv4/tcp_max_tw_buckets"
#define MC_LIMITS_P_TW_REUSE	"/proc/sys/net/ipv4/tcp_tw_reuse"
#define MC_LIMITS_P_TW_DELAY	"/proc/sys/net/ipv4/tcp_tw_reuse_delay"
#define MC_LIMITS_P_TIMESTAMPS	"/proc/sys/net/ipv4/tcp_timestamps"
#define MC_LIMITS_P_FIN_TIMEOUT "/proc/sys/net/ipv4/tcp_fin_timeout"
#define MC_LIMITS_P_ORPHANS	"/proc/sys/net/ipv4/tcp_max_orphans"
#define MC_LIMITS_P_CT_BUCKETS	"/proc/sys/net/netfilter/nf_conntrack_buckets"
#define MC_LIMITS_P_IPT_NAMES	"/proc/net/ip_tables_names"
#define MC_LIMITS_P_LOADAVG	"/proc/loadavg"
#define MC_LIMITS_P_IF_INET6	"/proc/net/if_inet6"
#define MC_LIMITS_P_FIB_TRIE	"/proc/net/fib_trie"
#define MC_LIMITS_P_CGROUP	"/proc/self/cgroup"
#define MC_LIMITS_P_UID_MAP	"/proc/self/uid_map"
#define MC_LIMITS_P_LIMITS_CONF "/etc/security/limits.conf"
#define MC_LIMITS_P_LIMITS_D	"/etc/security/limits.d"
#define MC_LIMITS_P_CGROUP_FS	"/sys/fs/cgroup"


/* One nofile/nproc line of limits.conf or limits.d/\*.conf. */
struct mc_limits_conf {
	char file[64];	 /* "limits.conf", "limits.d/90-nofile.conf" */
	char domain[32]; /* "*", "root", "@group" */
	char type[8];	 /* "soft", "hard", "-" */
	char item[8];	 /* "nofile", "nproc" */
	char value[24];	 /* "1000000", "unlimited" */
};

#define MC_LIMITS_MAX_CONF  16
#define MC_LIMITS_MAX_TW    64
#define MC_LIMITS_MAX_ADDRS 16

/* A local IPv4 address or block from the fib (e.g. 127.0.0.0/8). */
struct mc_limits_addr {
	char addr[16];
	unsigned prefix; /* 32 for one address */
};

struct mc_limits_cgroup {
	int version;			    /* 0: none found, 1, 2 */
	char mem_path[200], pids_path[200]; /* the process's directories under the root */
	char mem_at[200], pids_at[200];	    /* the directories that set the binding limits */
	/* the memory level with the least room from the process's directory up:
	 * its limit (memory.max or memory.high, v2; memory.limit_in_bytes, v1),
	 * usage, and headroom (limit - usage + inactive file); v =
	 * MC_LIMITS_NONE when no level sets a limit */
	struct mc_host_num mem_limit, mem_headroom, mem_usage;
	bool mem_high; /* the binding limit is memory.high: throttled, not killed */
	/* there: how often the limit was hit and the OOM killer ran (v2
	 * memory.events max and oom_kill; v1 memory.failcnt and memory.oom_control
	 * oom_kill) */
	struct mc_host_num mem_events_max, mem_oom_kill;
	struct mc_host_num pids_max, pids_current;
	struct mc_host_num pids_events_max;		  /* pids.events max: forks refused */
	struct mc_host_num cpu_quota_us, cpu_period_us; /* quota NONE: no quota */
};

/* Everything `maxconn limits` reads. The *_soft/_hard rlimits, cpus, uid
 * and page_size come from the running process (mc_limits_read_self) but sit
 * here so tests can set them. */
struct mc_limits_snap {
	/* whose limits: 0 = this process (read_self), else a pid whose
	 * /proc/PID/limits, cgroup and uid mc_limits_read_pid reads; set it
	 * before mc_limits_read */
	int pid;
	char pid_limits[32]; /* "/proc/PID/limits" when pid is set */
	/* the directory /proc, /sys and /etc were read under (--root), ""
	 * for the real / */
	char root[256];

	/* the process */
	struct mc_host_num nofile_soft, nofile_hard; /* NONE = RLIM_INFINITY */
	struct mc_host_num nproc_soft, nproc_hard;
	struct mc_host_num stack_soft;
	struct mc_host_num cpus; /* CPUs this process may run on */
	uint32_t uid;
	bool init_userns; /* uid 0 here is the real root (RLIMIT_NPROC exempt) */
	uint64_t page_size;

	/* file descriptors */
	struct mc_host_num nr_open, file_max, file_nr; /* file_nr: allocated now */
	struct mc_host_num epoll_watches;		 /* fs.epoll.max_user_watches */
	struct mc_limits_conf conf[MC_LIMITS_MAX_CONF];
	int nconf;
	int conf_err; /* reading limits.conf */

	/* ports and addresses */
	struct mc_host_num port_lo, port_hi;
	struct mc_host_num reserved_in_range; /* reserved ports inside the range */
	struct mc_limits_addr addrs[MC_LIMITS_MAX_ADDRS];
	int naddrs;
	int addrs_err;
	char addrs6[MC_LIMITS_MAX_ADDRS][48]; /* IPv6, link-local left out */
	int naddrs6;

	/* accept path */
	struct mc_host_num somaxconn, syn_backlog, syncookies;
	struct mc_host_netstat netstat; /* ListenOverflows, ListenDrops */

	/* memory (bytes) */
	struct mc_host_meminfo meminfo; /* MemTotal, MemAvailable, CommitLimit, Committed_AS */
	struct mc_host_num overcommit;
	/* slabinfo: obj[] weighs a socket's caches and a thread's task */
	struct mc_host_slab_bytes slab;
	struct mc_host_num tcp_mem[3]; /* pages */
	struct mc_host_num tcp_rmem[3], tcp_wmem[3];
	/* what --traffic's unread bytes cost per connection (live host only:
	 * mc_limits_read_buf measures it; size 0: not read, the judge then
	 * states its assumption) */
	struct mc_bufcost buf;
	/* what a heartbeat message costs in CPU here (mc_limits_read_cpu,
	 * live host only; msg_bytes 0: not measured) */
	struct mc_msgcost msgcost;
	/* what an idle connection costs in kernel memory and cgroup charge
	 * (mc_limits_read_sock, live host only; measured false: not run) */
	struct mc_sockcost sock;
	/* the CPU other work used just before (mc_limits_read_cpu; read false:
	 * not measured, none is subtracted) */
	struct mc_cpubusy cpubusy;
	struct mc_limits_cgroup cg;

	/* threads */
	struct mc_host_num threads_max, pid_max, threads_now;
	/* vm.max_map_count, and the maps the process has now (/proc/self/maps,
	 * or --pid's) */
	struct mc_host_num max_map_count, maps_now;

	/* conntrack */
	struct mc_host_num ct_max, ct_count, ct_buckets;
	bool ct_nat_table; /* iptables nat table loaded: NAT makes the kernel track */
	/* the firewall's rules (mc_limits_read_netns, live host only): whether
	 * one makes the kernel track connections before any entry exists */
	struct mc_ruleset ct_rules;
	bool ct_rules_read;
	/* the source NAT rules of this namespace (mc_limits_read_netns, live
	 * host only): the middle box when limits runs on the router */
	struct mc_nat_rules nat;
	bool nat_read;

	/* the network namespace: in a child one the global net sysctls (tcp_mem,
	 * tcp_max_orphans) are absent and nf_conntrack_max is read-only. When
	 * the host is read live, mc_limits_read_netns reads the globals from
	 * the initial namespace if it may (globals_from_init), or keeps why
	 * not (globals_err: -EPERM without CAP_SYS_ADMIN) */
	bool netns_child, ct_max_ro, globals_from_init;
	int globals_err;

	/* speed: the established hash where this process runs */
	struct mc_host_ehash ehash;

	/* churn */
	struct mc_host_num tw_buckets, tw_reuse, fin_timeout, max_orphans;
	struct mc_host_num tw_reuse_delay; /* ms; ENOENT before Linux 6.13: 1 s */
	struct mc_host_num timestamps;     /* net.ipv4.tcp_timestamps */
	/* the TIME_WAIT sockets of clients' ports by pair, those that still
	 * keep connect() off their port first (mc_limits_read_netns, live host
	 * only; tw_err: reading them failed) */
	struct mc_diag_tw_pair tw[MC_LIMITS_MAX_TW];
	int ntw, tw_err;
	bool tw_read;
	/* /proc/net/sockstat: tcp_inuse, tcp_tw and tcp_orphan all read, or
	 * all carry one error (-EINVAL when the file lacks one of them) */
	struct mc_host_sockstat sockstat;
};

enum mc_limits_role { MC_LIMITS_SERVER, MC_LIMITS_CLIENT, MC_LIMITS_BOTH };

/* A middle box on the path (--via): a source NAT (masquerade, snat) or a
 * reverse proxy, whose address(es) open the connections to the
 * destination(s) in the client's place. */
enum mc_limits_via_kind { MC_LIMITS_VIA_NONE, MC_LIMITS_VIA_SNAT, MC_LIMITS_VIA_PROXY };
struct mc_limits_via {
	enum mc_limits_via_kind kind;
	uint64_t addrs;		   /* its source addresses; 0: not given */
	char addrs_text[64];	   /* as given */
	uint16_t port_lo, port_hi; /* the ports it maps onto; 0: not given */
};
/* --via snat[:ADDR[,ADDR|-ADDR...]][:LO-HI] or proxy[:...][:LO-HI] into v.
 * Returns 0, or -EINVAL with err saying what was wrong. */
int mc_limits_via_parse(const char *arg, struct mc_limits_via *v, struct mc_err *err);
/* uring counts like epoll: a ring's registered files are capped at
 * RLIMIT_NOFILE, one ring per fd table (--fd-tables) */

/* What the user plans (the flags of `maxconn limits`). */
struct mc_limits_scenario {
	enum mc_limits_role role;
	enum mc_model model;
	uint64_t sources;     /* client source addresses */
	uint64_t dest_addrs;  /* destination addresses */
	uint64_t dest_ports;  /* destination ports = the server's listen ports */
	uint64_t fd_tables;   /* processes, or maxconn workers (one fd table each) */
	uint64_t fd_overhead; /* fds per table that are not connections */
	uint64_t traffic;     /* bytes each connection holds unread (--traffic) */
	uint64_t heartbeat_ns; /* --heartbeat: a message per connection this often; 0 none */
	uint64_t message;      /* --message: its bytes (16) */
	uint64_t target;      /* 0: none */
	uint64_t backlog;     /* listen() backlog the server asks for */
	uint64_t mem_reserve; /* memory kept free; 0: 5% of MemTotal, at least 64 MiB */
	uint64_t cg_reserve;  /* cgroup memory kept free; 0: 5% of its limit */
	uint64_t tasks;	      /* tasks it starts besides a thread per connection
			       * (counted against the thread limits) */
	/* the client's pairs by address (--connect, --source), when given:
	 * their ports held in TIME_WAIT are counted exactly; otherwise the
	 * pairs with the most of them stand for the scenario's */
	bool have_dst, have_src;
	struct mc_endpoint_range dst;
	struct mc_addr_range src;
	/* the client binds each port before connect() (maxconn client's own
	 * port choice): ports in TIME_WAIT are taken over at once when the old
	 * connection used timestamps, whatever tcp_tw_reuse says */
	bool bind_ports;
	struct mc_limits_via via; /* kind NONE: no middle box described */
};

enum mc_limits_kind {
	MC_LIMITS_CEILING, /* caps concurrent connections */
	MC_LIMITS_QUEUE,   /* caps connections waiting to be accepted */
	MC_LIMITS_INFO,	   /* shown for context; caps nothing in this scenario */
	MC_LIMITS_SPEED,   /* caps no count, slows every connection past it: never
			    * binds (the established hash) */
};

enum mc_limits_status {
	MC_LIMITS_FINE,
	MC_LIMITS_BINDING,	/* the lowest ceiling */
	MC_LIMITS_NEEDS_CHANGE, /* below --target */
	MC_LIMITS_UNKNOWN,	/* a value it needs could not be read */
};

#define MC_LIMITS_MAX_FIX  12
#define MC_LIMITS_MAX_VALS 6

struct mc_limits_val {
	const char *key; /* "soft", "hard", "lo", ... */
	uint64_t v;
	bool known;
};

/* One judged limit. */
struct mc_limits_item {
	const char *id;	    /* stable id: net/cause.h or MC_LIMIT_* */
	const char *name;   /* "open files per process (RLIMIT_NOFILE)" */
	const char *source; /* "getrlimit(RLIMIT_NOFILE)", a /proc path, ... */
	enum mc_limits_kind kind;
	char value[96]; /* the raw value(s) as text: "20000 soft, 20000 hard" */
	struct mc_limits_val vals[MC_LIMITS_MAX_VALS];
	int nvals;
	uint64_t conns; /* connections (or waiting connections) it allows;
			 * MC_LIMITS_NONE: no ceiling */
	enum mc_limits_status status;
	bool needs_change; /* conns < target (also set on the binding one) */
	char reason[200];  /* status unknown: why */
	char note[640];	   /* how conns follows from the value */
	uint64_t raise_to; /* with a target: the value it must be set to; 0 = n/a */
	char fix[MC_LIMITS_MAX_FIX][200];
	int nfix;
	double chain; /* a speed row: sockets per bucket at the target or the
		       * ceiling (0: no count to judge it at) */
};

#define MC_LIMITS_MAX_ITEMS 32

struct mc_limits_result {
	struct mc_limits_item items[MC_LIMITS_MAX_ITEMS];
	int n;
	int binding;			  /* index of the binding item, -1 when none is known */
	uint64_t ceiling;		  /* its conns: what this host holds in the scenario */
	int nunknown;			  /* ceilings that could not be judged */
	int changes[MC_LIMITS_MAX_ITEMS]; /* with a target: items to change, in order */
	int nchanges;

	/* derived figures print.c and json.c show */
	uint64_t fds_per_conn, socks_per_conn;
	uint64_t sock_bytes;	 /* kernel bytes per idle socket */
	bool sock_bytes_default; /* slabinfo unreadable: MC_LIMITS_DEFAULT_SOCK_BYTES */
	/* where sock_bytes and the cg_*_bytes come from: "measured" or
	 * "assumed", and how (when, how, or why assumed) */
	const char *sock_source, *cg_source;
	char sock_how[480], cg_how[480];
	uint64_t conn_bytes;	 /* all memory one connection costs (sockets,
				  * traffic, thread) */
	uint64_t mem_reserve;	 /* kept free, subtracted from MemAvailable */
	struct mc_bufcost buf;	 /* with --traffic: its cost as judged (measured
				  * or assumed: buf.how says which) */
	/* what a memory cgroup is charged per connection here, and per side
	 * (0 for a side not on this host); cg_default: slabinfo unreadable,
	 * the assumed defaults (cg_source, cg_how say which) */
	uint64_t cg_conn_bytes, cg_accept_bytes, cg_connect_bytes;
	bool cg_default;
	uint64_t ports_per_pair; /* 0 when unknown */
	uint64_t pairs;		 /* sources x dest addrs x dest ports */
	uint64_t accept_queue;	 /* per listen socket, min(backlog, somaxconn) + 1 */
};

/* Defaults: an ordinary single-process epoll server on this host. */
void mc_limits_scenario_default(struct mc_limits_scenario *sc);

/* Fill s from the files under root ("" or NULL: the real /). Never fails:
 * each value carries its own error. Does not touch the process fields. */
void mc_limits_read(const char *root, struct mc_limits_snap *s);
/* Can root be read as one (--root)? 0 when it is a directory that holds at
 * least one of proc/, sys/ and etc/; -ENOTDIR, -ENOENT, -EACCES (stat's
 * error) or -ENODATA (none of the three). */
int mc_limits_root_check(const char *root);
/* What the model asks the kernel rather than files, for the network
 * namespace this process is in (read_netns.c): the firewall's rules
 * (net/ruleset.h), and the global net sysctls from the initial namespace
 * when this is a child one. Call after mc_limits_read
 * on the live host (not under --root). */
void mc_limits_read_netns(struct mc_limits_snap *s);
/* Its two halves: the ruleset and TIME_WAIT; and the global net sysctls
 * (tcp_mem, tcp_max_orphans) read here when this namespace has them, else
 * from the initial one (globals_from_init, or globals_err) */
void mc_limits_read_ruleset_tw(struct mc_limits_snap *s);
void mc_limits_read_globals(struct mc_limits_snap *s);
/* What traffic bytes left unread cost per connection here (s->buf): the
 * calibration of limits/bufcost.h in a private network namespace, or its
 * stated assumption when it cannot run (not root, no namespaces). A result
 * kept for this boot, kernel and CPUs (limits/calib.h) is used unless
 * fresh; a new one is kept. Live host only; nothing for traffic 0. */
void mc_limits_read_buf(struct mc_limits_snap *s, uint64_t traffic, bool fresh);
/* What a heartbeat message of msg bytes costs in CPU here (s->msgcost):
 * the calibration of limits/msgcost.h; when it cannot run, msgcost.how says
 * why and cpu is judged unknown. Kept and reused as mc_limits_read_buf.
 * One cost per server model (model: its engine echoes). First the CPU
 * other work is using is measured (s->cpubusy, 0.3 s, never
 * kept). Live host only. */
void mc_limits_read_cpu(struct mc_limits_snap *s, uint64_t msg, enum mc_model model, bool fresh);
/* What an idle connection costs in kernel memory and cgroup charge here
 * (s->sock): the calibration of limits/sockcost.h, kept and reused as
 * mc_limits_read_buf (its key adds the cgroup version); when it cannot
 * run, sock.how says why and the judge assumes. Live host only. */
void mc_limits_read_sock(struct mc_limits_snap *s, bool fresh);
/* The TIME_WAIT reuse rules (net/diag.h) of snapshot s, every field set
 * (bound false: connect() searches the port). */
void mc_limits_tw_rules(const struct mc_limits_snap *s, struct mc_tw_rules *r);
/* The process fields of s: rlimits, CPUs, uid, page size. */
void mc_limits_read_self(struct mc_limits_snap *s);
/* Replace the rlimits and uid of s with those of process s->pid, from
 * root/proc/PID/limits and /proc/PID/status. Returns 0, or -errno when
 * the process's limits cannot be read (no such process: -ENOENT). */
int mc_limits_read_pid(const char *root, struct mc_limits_snap *s);

/* Judge: pure; fills r. Returns 0, or -EINVAL for a scenario with a zero
 * count. */
int mc_limits_judge(const struct mc_limits_snap *s, const struct mc_limits_scenario *sc,
		    struct mc_limits_result *r);
/* The item with this id, or NULL. */
const struct mc_limits_item *mc_limits_find(const struct mc_limits_result *r, const char *id);

const char *mc_limits_status_str(enum mc_limits_status st); /* "binding", "needs_change" */
const char *mc_limits_kind_str(enum mc_limits_kind k); /* "ceiling", "queue", "info", "speed" */
const char *mc_limits_role_str(enum mc_limits_role r);	    /* "server", "client", "both" */

/* Table, summary line, 4-tuple arithmetic, and the changes for --target. */
void mc_limits_print(FILE *f, const struct mc_limits_snap *s, const struct mc_limits_scenario *sc,
		     const struct mc_limits_result *r);
/* The one summary sentence (also used by print and json). */
void mc_limits_summary(char *buf, size_t len, const struct mc_limits_scenario *sc,
		       const struct mc_limits_result *r);
/* --explain ID: what it is, how it shows when hit, how to raise it.
 * Returns 0, or -ENOENT for an id it does not know. */
int mc_limits_explain(FILE *f, const char *id);
/* ... and that limit as judged here: its value, what it allows, how the
 * number follows (the arithmetic and each figure's source), its readings. */
void mc_limits_explain_host(FILE *f, const struct mc_limits_item *it);
/* Every limit id, in table order, comma-separated ("ephemeral_ports,
 * source_addresses, ..."), into buf (always terminated when len > 0).
 * Returns the length of the whole list, as snprintf does: >= len means it
 * was cut. */
int mc_limits_ids(char *buf, size_t len);
/* The same list word-wrapped at width columns, each line indented. */
void mc_limits_print_ids(FILE *f, int indent, int width);
/* The --json document. */
void mc_limits_print_json(FILE *f, const struct mc_limits_snap *s,
			  const struct mc_limits_scenario *sc, const struct mc_limits_result *r);

#endif
