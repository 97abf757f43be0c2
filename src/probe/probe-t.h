/* probe-t.h: the probe's types, and nothing else (as server/server-t.h):
 * the scenario a step runs, the samples, a step's record and the report
 * that holds them, why a step ended, the flags of `maxconn probe`. Every
 * unit of src/probe and the command include it without pulling the probe's
 * code, so no unit needs probe.h (the command's API) and no include cycle
 * goes through it.
 *
 * Who writes what: the report (struct mc_probe_report) is filled by the run
 * (probe.c: the scene, the steps' scenarios and predictions, the
 * teardown; ramp.c: the samples) and each step's record (struct
 * mc_probe_step) as its comments say; the writers (report.c, html.c) and
 * result.c only read them. */
#ifndef MC_PROBE_PROBE_T_H
#define MC_PROBE_PROBE_T_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "client/http.h"
#include "common/addr.h"
#include "common/model.h"

struct mc_client_stats;
struct mc_server_stats;

#define MC_PROBE_MAX_STEPS    8
#define MC_PROBE_MAX_SAMPLES  4096 /* one a second past the first 100 ms steps */
#define MC_PROBE_MAX_EVIDENCE 32
#define MC_PROBE_MAX_LIMITS   16
#define MC_PROBE_MAX_CG	      2
#define MC_PROBE_MAX_URLS     4 /* --server-metrics */
#define MC_PROBE_EHASH_SHARED UINT64_MAX /* --ehash shared */

/* Why a step ended. */
enum mc_probe_stop {
	MC_PROBE_TARGET,      /* every connection asked for is held */
	MC_PROBE_LIMIT,       /* a host limit: limit_id says which */
	MC_PROBE_RESERVE,     /* MemAvailable, or a cgroup's room, fell to the reserve */
	MC_PROBE_INTERRUPTED, /* Ctrl-C / SIGTERM */
	MC_PROBE_TIMEOUT,     /* --timeout passed */
	MC_PROBE_FAILED,      /* a child died or could not start */
};

/* What one step of the probe ran: the knobs the staircase turns. */
struct mc_probe_scenario {
	enum mc_model model;
	uint64_t sources;	  /* client source addresses (127.0.0.2 on) */
	uint64_t dest_ports;	  /* server listen ports */
	uint64_t port_lo, port_hi; /* ip_local_port_range in force */
	uint64_t fd_limit;	  /* RLIMIT_NOFILE of server and client */
	bool one_table;		  /* one fd table per process (no private tables) */
	unsigned nat_addrs;	  /* --via snat: the router's NAT addresses; 0: no router */
	unsigned proxy_binds;	  /* --via nginx: 1 its default source, 2 proxy_bind over
				   * two addresses; 0: no proxy */
	uint64_t backlog;	  /* listen backlog (and somaxconn in the netns) */
	uint64_t target;	  /* connections asked for; MC_LIMITS_NONE: max */
};

/* The established-connection hash a step ran with (netns.c): every
 * segment and every connect's uniqueness check looks a socket up there, so
 * its chains (sockets / buckets) set the ramp's speed at millions. */
struct mc_probe_ehash {
	uint64_t sockets; /* the sockets it was sized for (0: not sized) */
	uint64_t asked;	  /* tcp_child_ehash_entries set in the namespace the
			   * step's was made from (0: none) */
	uint64_t buckets; /* tcp_ehash_entries read where the step ran (0: unread) */
	bool own;	  /* a hash of the step's namespace's own, not the
			   * kernel's shared one */
	char why[200];	  /* not sized: why, in words ("" when sized) */
};

/* One sample of the time series, about ten a second while ramping. */
struct mc_probe_sample {
	double t;		/* seconds since the probe started */
	int step;		/* staircase step it belongs to */
	uint64_t held;		/* connections the client holds */
	uint64_t server_held;	/* connections the server holds (0: unknown) */
	double rate;		/* connects per second since the last sample */
	uint64_t kernel_bytes;	/* slab growth since the step began */
	uint64_t user_bytes;	/* RSS growth of server + client since ready */
	uint64_t mem_available; /* MemAvailable */
};

/* One counter or line that shows why it stopped. */
struct mc_probe_evidence {
	char what[64];	  /* "client connect(): EADDRNOTAVAIL", "ListenOverflows" */
	uint64_t value;	  /* the count (or bytes for memory lines) */
	bool unreadable;  /* the reading failed: no value; text says why */
	char text[240]; /* a sentence, or the dmesg line itself */
};

/* A limit as the model judged it for a step, and how near the ramp got. */
struct mc_probe_limit {
	char id[32];
	char name[96];
	char value[96]; /* the raw value as text */
	uint64_t conns; /* connections it allows; MC_LIMITS_NONE: no ceiling */
	bool binding;	/* the model's binding limit */
};

/* A memory cgroup with a limit the probe keeps its reserve in: its own
 * (the server and client it starts are in it), or --server-pid's. */
struct mc_probe_cgroup {
	char who[48];  /* "server and client", "client", "server (pid 123)" */
	char dir[200]; /* the directory whose limit binds */
	int version;   /* 1 or 2 */
	bool high;     /* the limit is memory.high (throttling), not memory.max */
	uint64_t limit, reserve;
	bool per_side; /* server and client each in a child cgroup (v1): the
			* charge of each side measured apart */
};

/* Where the kernel bytes per socket come from. */
enum mc_probe_kmem {
	MC_PROBE_KMEM_UNKNOWN, /* nothing grew that could be read: no figure */
	MC_PROBE_KMEM_SLABINFO, /* the socket caches of /proc/slabinfo (root) */
	MC_PROBE_KMEM_MEMINFO,	/* meminfo's Slab + KernelStack + PageTables growth */
	/* the caches' object sizes, one of each per socket: the caches moved
	 * by far more or less than the probe's sockets (other work on this
	 * kernel opened or closed sockets meanwhile), so their growth is not
	 * the probe's */
	MC_PROBE_KMEM_OBJECTS,
};

/* Kernel bytes per socket by slab cache, over a step's growth. */
struct mc_probe_slab {
	double tcp, sock_inode, dentry, filp, epoll, other, total;
	uint64_t sockets; /* sockets the deltas are divided by (0: none held) */
	bool known;	  /* /proc/slabinfo was readable */
	enum mc_probe_kmem from; /* what total is measured from */
	/* TCP + TCPv6 objects the step added (negative: fewer at the top than
	 * before), against sockets: how far other work moved the caches */
	int64_t tcp_objs_grew;
};

/* The server host's side of a step, from --server-metrics (node_exporter,
 * a maxconn server's --metrics): read before the client starts and at the
 * top. A figure that could not be had is NAN (and JSON null). */
struct mc_probe_server_host {
	bool asked;	  /* --server-metrics was given */
	bool known;	  /* it answered before and at the top */
	char source[64];  /* "node_exporter", "maxconn server", or both */
	char error[240];  /* why unknown */
	double sockets;	  /* TCP sockets in use there at the top (sockstat inuse) */
	double sockets_before;
	double held;		   /* a maxconn server's own count */
	double kernel_per_socket;  /* kernel bytes per socket added there */
	char kernel_method[96];	   /* how: slabinfo or meminfo growth ÷ sockets added */
	double user_per_conn;	   /* a maxconn server's own user bytes per connection */
	double mem_total, mem_available, reserve;
	double more_conns; /* (available - reserve) ÷ (kernel + user bytes per connection) */
};

/* The steady-state window (--window) of a step that reached its target:
 * from --settle after all connections were up, for --window, what the held
 * connections cost while they send their heartbeats. Rates are over the
 * window; the memory figures are taken at its end against the step's start
 * (before the client), per connection held. */
struct mc_probe_steady {
	bool ran;	     /* false: no window (none asked, or stopped short) */
	double seconds;	     /* the window as measured */
	double settle_s;     /* from all up to its start */
	double heartbeat_s;  /* each connection's period; 0: no heartbeat */
	uint64_t conns;	     /* connections the client held at its end */
	uint64_t held;	     /* what the memory figures divide by: the server's
			      * count, or conns when it is unknown */
	uint64_t msgs;	     /* messages echoed back in it */
	double msgs_per_s;   /* echoed per second */
	double sent_per_s;   /* sent per second */
	/* round trips completed in the window only, in microseconds */
	uint64_t rtt_count;
	double rtt_p50_us, rtt_p99_us, rtt_max_us;
	/* the server process (its own, or --server-pid); server false: none */
	bool server;
	double cpu_ms;	      /* utime + stime of all its threads over it */
	double cpu_ms_per_1k; /* per 1,000 messages echoed; NAN: no message */
	double ctx_per_s;     /* voluntary + nonvoluntary, over its tasks */
	uint64_t threads;     /* at its end */
	double user_per_conn;	   /* server RSS growth since it listened */
	double slab_per_conn;	   /* meminfo Slab growth (both ends' sockets) */
	double kstack_pt_per_conn; /* KernelStack growth + server VmPTE growth */
};

/* One step's record. Its owner is probe.c's run_step, which writes sc (and,
 * once the step ends, lifted and teardown_s) and the prediction, and hands
 * each other part to one writer: the measurement and the costs to ramp.c
 * (mc_probe_ramp, mc_probe_account), the verdict (stop, limit_id,
 * limit_name, happened, ev) to diagnose.c, srv_host to remote.c, steady to
 * steady.c. The writers (report.c, html.c) and result.c only read it. */
struct mc_probe_step {
	struct mc_probe_scenario sc;
	struct mc_probe_ehash ehash; /* the hash it ran with (netns.c) */
	/* the model, before the step */
	uint64_t predicted;	     /* ceiling for this scenario (capped at target) */
	char predicted_limit[32];    /* its id, or "target" */
	struct mc_probe_limit limits[MC_PROBE_MAX_LIMITS];
	int nlimits;
	/* the measurement */
	uint64_t reached;  /* connections held when the step stopped: the server's
			    * own count of its sockets when it is known, else the
			    * client's once its counts settled */
	uint64_t client_held; /* what the client held then */
	bool reached_server;  /* reached is the server's own count */
	uint64_t attempted;
	double diff_pct;   /* (reached - predicted) / predicted x 100 */
	double seconds;	   /* ramp time of this step (when all came: the client's
			    * own, from its start to every connect finished) */
	double teardown_s; /* ending the children and their sockets */
	double rate;	   /* connects per second */
	/* the verdict (diagnose.c) */
	enum mc_probe_stop stop;
	char limit_id[32];   /* the limit that stopped it ("" for target) */
	char limit_name[96]; /* in words */
	char happened[240];  /* what the user would see: the error, in words */
	struct mc_probe_evidence ev[MC_PROBE_MAX_EVIDENCE];
	int nev;
	char lifted[200]; /* what the staircase changed after this step ("") */
	/* what one connection costs here (slab.total: kernel bytes per socket) */
	struct mc_probe_slab slab;
	double user_per_conn_server, user_per_conn_client;
	uint64_t mem_available_end; /* MemAvailable at the top of the step */
	uint64_t more_conns; /* projection: (MemAvailable - reserve) / bytes per conn */
	/* what each watched cgroup (report's cg[]) was charged per connection
	 * over the step, and per side where measured apart (0: unknown) */
	double cg_per_conn[MC_PROBE_MAX_CG];
	double cg_accept, cg_connect;
	uint64_t cg_room_end[MC_PROBE_MAX_CG]; /* its room at the top */
	struct mc_probe_server_host srv_host; /* --target-addr: the server host's side */
	struct mc_probe_steady steady; /* the window, when one ran */
	/* --heartbeat: what the model was given (predict): the CPU one message
	 * costs at the ends the probe runs (ns, measured; 0: unknown), the
	 * messages a second per connection, the CPUs left (measured by
	 * spinning; 0: not) */
	double cpu_ns_per_msg, cpu_msgs_per_s, cpu_left;
};

struct mc_probe_report {
	/* the scene */
	char kernel[64];
	unsigned cpus;
	uint64_t mem_total;
	bool netns;	      /* in a private network namespace */
	char where[160];      /* "private network namespace (root)", ... */
	char target_addr[64]; /* --target-addr, "" for its own server */
	int server_pid;	      /* --server-pid, or the child's while it ran */
	char server_name[32]; /* comm of --server-pid */
	char tmpdir[64];      /* where the probe made its temporary directory */
	bool staircase;
	uint64_t target; /* MC_LIMITS_NONE: max */
	uint64_t reserve;
	struct mc_probe_cgroup cg[MC_PROBE_MAX_CG];
	int ncg;
	/* the steps (one without --staircase) */
	struct mc_probe_step steps[MC_PROBE_MAX_STEPS];
	int nsteps;
	/* the time series */
	struct mc_probe_sample *samples;
	size_t nsamples;
	/* the result is the last step's (mc_probe_last), the memory figures the
	 * largest step's (mc_probe_memory_step): nothing here copies them */
	uint64_t server_fd_limit; /* --server-pid: its RLIMIT_NOFILE soft; 0 unknown */
	double seconds;
};

/* What the user asked for (the flags of `maxconn probe`). */
struct mc_probe_config {
	uint64_t target; /* connections; MC_LIMITS_NONE: until the first limit */
	const char *router_netns; /* a NAT router's namespace on the path, or NULL */
	const char *proxy_log;	  /* a reverse proxy's error log (nginx), or NULL */
	bool via_snat; /* --via snat: each step through a NAT router of the probe's own */
	bool via_nginx; /* --via nginx: through an nginx stream proxy of the probe's own */
	enum mc_model model;
	uint64_t sources;	   /* client source addresses; 0: enough for the target */
	uint64_t dest_ports;	   /* server listen ports (default 1) */
	uint64_t port_lo, port_hi; /* ip_local_port_range in the netns; 0: as it is */
	uint64_t fd_limit;	   /* RLIMIT_NOFILE with one fd table per process; 0:
				    * the current limit and private fd tables */
	uint64_t backlog;	   /* 0: 65535 in the netns, somaxconn on the host */
	uint64_t reserve;	   /* memory kept free; 0: max(10% of RAM, 1 GiB) of
				    * the host, 5% of a cgroup's limit */
	size_t thread_stack;	   /* --model threads; 0: the default */
	double rate;		   /* connects per second; 0: as fast as it goes */
	bool staircase;
	bool host;		   /* --no-netns: the host's loopback, tune nothing */
	const struct mc_addr_range *src; /* --source: the client's source
					  * addresses; none: 127.0.0.2 on */
	size_t nsrc;
	bool have_target_addr;	   /* probe an existing server */
	struct mc_endpoint_range target_addr;
	int server_pid;		   /* that server's pid, 0: none */
	uint64_t hold_ns;	   /* hold the connections this long at the end */
	uint64_t heartbeat_ns;	   /* each connection sends 16 bytes this often and
				    * the server echoes them; 0: no traffic */
	uint64_t message_bytes;	   /* --message: a heartbeat's bytes; 0: 16 */
	enum mc_client_proto proto; /* --proto (with --target-addr): http holds a
				     * connection once its request was answered
				     * 2xx/3xx, --heartbeat sends it again */
	const char *request;	   /* the HTTP request (mc_http_request_build) */
	size_t request_len;
	uint64_t max_rtt_ns;	   /* --max-rtt: heartbeats later than this (p99 of
				    * a sample) while the CPUs are busy are the CPU's
				    * limit; 0: the heartbeat period */
	uint64_t traffic_bytes;	   /* --traffic: each connection sends this once
				    * and the server leaves it unread (buffer
				    * memory held: tcp_mem); 0: none */
	uint64_t window_ns;	   /* the steady-state window once all are up; 0:
				    * none */
	uint64_t settle_ns;	   /* from all up to the window's start */
	uint64_t timeout_ns;	   /* the whole probe; 0: 10 minutes */
	uint64_t ehash;		   /* buckets of its namespaces' established hash; 0:
				    * sized for each step; MC_PROBE_EHASH_SHARED: the
				    * kernel's */
	/* --server-metrics: the server host's exporters, read about once a
	 * second (node_exporter, a maxconn server's --metrics) */
	const char *server_metrics[MC_PROBE_MAX_URLS];
	int nserver_metrics;
	bool client_hists; /* the client child publishes its histograms live */
	/* called about ten times a second from the probe's only thread */
	void (*tick)(void *arg, const struct mc_probe_report *r, const struct mc_probe_sample *s);
	void *tick_arg;
	/* with tick, when set: the children's counters as just fetched (ss
	 * NULL with --target-addr) and the server host's sockets (NAN unknown) */
	void (*observe)(void *arg, const struct mc_client_stats *cs, const struct mc_server_stats *ss,
			const struct mc_probe_sample *s, double server_host_sockets);
};

/* What is left running when the figures are taken: the last step's server
 * and client, holding their connections (0: none). */
struct mc_probe_rest {
	int server_pid, client_pid;
	uint64_t sockets; /* the sockets they hold, both ends (what closing costs) */
	bool netns;	  /* in a namespace of the probe's own: its sockets are
			   * theirs (the teardown counts what is left) */
	char cgroups[2][256]; /* the child cgroups they run in, removed after them ("") */
};

#endif
