/* diagnose.h: from what the probe saw to the limit that stopped it.
 *
 * One pure step, unit-tested: the counts of the client and the server,
 * the kernel counters before and after, memory against the reserve, the
 * kernel log lines, and the model's limits for the step -> why the step
 * ended, the limit's id and name (a thread limit named after the one the
 * model expected to bind), one sentence of what the user would have seen,
 * and the evidence list. Causes map to limits through net/cause.h. */
#ifndef MC_PROBE_DIAGNOSE_H
#define MC_PROBE_DIAGNOSE_H

#include <stdbool.h>
#include <stdint.h>

#include "client/client.h"
#include "common/cgroup.h"
#include "net/cause.h"
#include "probe/cpuwatch.h"
#include "probe/probe-t.h"
#include "probe/serverside.h"
#include "probe/watch.h"

#define MC_PROBE_MAX_KMSG 6

struct mc_probe_obs {
	uint64_t target; /* connections asked for */
	const char *router_netns; /* --router-netns, or NULL */
	uint64_t held, attempted; /* the client's */
	uint64_t reached; /* what the step reached: held, or the server's own count */
	bool reached_server; /* reached is the server's own count (--server-pid) */
	uint64_t fail[MC_CAUSE_COUNT]; /* client connects that failed, by cause */
	uint64_t lost[MC_CAUSE_COUNT]; /* client connections lost, by cause */
	char first_error[256];	       /* the client's first failure, in words */
	char cause_error[MC_CAUSE_COUNT][160]; /* its first failure of each cause */
	/* what the server said on connections it then ended */
	struct mc_client_said said[MC_CLIENT_SAID_MAX];
	unsigned nsaid;
	/* the client falling behind (client.h): stalls of its workers over
	 * 100 ms, the longest, connects it saw late (timed by the kernel) */
	uint64_t cli_stalls, cli_stall_max_ns, cli_connects_late;
	/* the server's side (have_server: its own, or none for --target-addr) */
	bool have_server;
	uint64_t srv_held;
	uint64_t srv_refused[MC_CAUSE_COUNT]; /* accepted and closed, by cause: EMFILE
					       * (fd table full), NOMEM, WATCHES, THREADS
					       * (no thread for it), MAX_CONNS */
	int srv_thread_errno;
	char srv_thread_limit[24]; /* the limit id it named for that failure, "" none */
	uint64_t srv_maps;	   /* its memory maps at the top (threads model), 0 unknown */
	uint64_t max_map_count;	   /* vm.max_map_count, 0 unknown */
	uint64_t srv_fd_limit; /* RLIMIT_NOFILE of the server, 0 unknown */
	bool srv_one_table;
	/* --server-metrics: the server host's readings and figures (NULL, or
	 * srv_host->known false: unknown) */
	const struct mc_probe_remote *srv_before, *srv_after;
	const struct mc_probe_server_host *srv_host;
	/* the host */
	struct mc_watch before, after;
	uint64_t reserve;
	bool reserve_hit, interrupted, timed_out, child_failed;
	/* --traffic: TCP buffer memory (sockstat mem, global) came near
	 * tcp_mem max and the ramp stopped there (ramp.c); the bytes then,
	 * and tcp_mem's pressure and max, in bytes */
	bool tcp_mem_hit;
	uint64_t tcp_mem_bytes, tcp_mem_pressure, tcp_mem_max;
	/* --heartbeat: the heartbeats fell behind while the CPUs were busy
	 * (cpuwatch.h): the evidence, and the last count that held */
	bool cpu_hit;
	struct mc_probe_cpuwatch cpu;
	/* child_failed: the most the client held at the step's samples, up
	 * to the one that saw the end (ramp.c): the count before it drained */
	uint64_t child_held;
	int stop_signal; /* interrupted: SIGINT (Ctrl-C) or SIGTERM */
	/* the memory cgroups kept to their reserve (the report's cg[]), as they
	 * were when the step started and at its top; cg_hit: 1 + the index of
	 * the one whose room fell to its reserve, 0 none */
	struct mc_probe_cgroup cg[MC_PROBE_MAX_CG];
	struct mc_cg_mem cg_before[MC_PROBE_MAX_CG], cg_after[MC_PROBE_MAX_CG];
	int ncg, cg_hit;
	/* the pids cgroup the server and client run in: forks it refused
	 * (pids.events max) when the step started and at its top */
	bool have_pids;
	uint64_t pids_refused_before, pids_refused_after, pids_max;
	char child_error[200];
	/* the kernel log's lines of this run (kmsg.h), the run's lines beyond
	 * them, and the lines about other processes on this host (counted) */
	char kmsg[MC_PROBE_MAX_KMSG][240];
	int nkmsg;
	uint64_t kmsg_left, kmsg_other;
};

/* Judge a step: read o and the model's limits of the step (st->limits,
 * st->nlimits, filled before it ran); fill st->stop, limit_id,
 * limit_name, happened and ev[]/nev, and touch nothing else. */
void mc_probe_diagnose(const struct mc_probe_obs *o, struct mc_probe_step *st);

#endif
