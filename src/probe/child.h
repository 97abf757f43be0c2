/* child.h: the probe's server and client children as one object (internal
 * to src/probe; see child.c). struct mc_probe_children owns the page the
 * children publish their counters in, their pids and exit status, starting,
 * pausing, freezing and ending them; the run and the ramp talk to them only
 * through the functions below. It also answers for "the server" of a step:
 * its own child, or the --server-pid process. */
#ifndef MC_PROBE_CHILD_H
#define MC_PROBE_CHILD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "client/client.h"
#include "common/addr.h"
#include "common/clock.h"
#include "common/err.h"
#include "net/ctl.h"
#include "probe/probe-t.h"
#include "server/server.h"

/* the client publishes its counters this often: the probe's sampling period */
#define MC_PROBE_SAMPLE_NS	(100 * MC_NS_PER_MS)
#define MC_PROBE_MAX_DEST_PORTS 64
#define MC_PROBE_MAX_SOURCES	16 /* --source ranges */
/* what each connection sends every --heartbeat, and the server echoes */
#define MC_PROBE_HEARTBEAT "0123456789abcdef"

/* A step's addresses: where the client connects and from where. Planned by
 * probe.c before the children start; on the host's loopback the server's
 * ports (the kernel's choice) are written by mc_probe_children_start_server.
 * Read by the children and the ramp. */
struct mc_probe_addrs {
	struct mc_endpoint_range dst[MC_PROBE_MAX_DEST_PORTS];
	size_t ndst;
	struct mc_addr_range src[MC_PROBE_MAX_SOURCES];
	size_t nsrc;
};

/* The page shared with the children (child.c: never touched elsewhere). */
struct mc_probe_page;

struct mc_probe_child {
	pid_t pid;
	int status;
	bool reaped;
};

struct mc_probe_children {
	/* given at init by the run, only read here: the flags, the probe's
	 * signal fds (watched while the server starts, closed in the
	 * children), the kernel log fd (closed in the children), the server's
	 * ready file, and the child cgroup each side joins ("" or NULL: none) */
	const struct mc_probe_config *cfg;
	struct mc_ctl *ctl;
	int kmsg;
	const char *ready;
	const char *sub[2];
	/* the server's network namespace (ip netns name), "" or NULL: the
	 * probe's own; set by the run before the server starts */
	const char *server_netns;
	/* its own */
	struct mc_probe_page *sh;
	struct mc_probe_child server, client;
	bool frozen; /* both were stopped (SIGSTOP) at a reserve; read by the ramp */
};

/* Make the shared page. Returns 0 or -ENOMEM. */
int mc_probe_children_init(struct mc_probe_children *c, const struct mc_probe_config *cfg,
			   struct mc_ctl *ctl);
/* End any child left (mc_probe_children_stop) and free the page. */
void mc_probe_children_free(struct mc_probe_children *c);

/* Fork the server for scenario sc on a->dst (port 0: the kernel's choice)
 * and wait until it listens; a->dst then holds the ports it listens on.
 * Returns 0, -EINTR when a signal came meanwhile, or -errno with err set
 * (the child may be left to mc_probe_children_stop). */
int mc_probe_children_start_server(struct mc_probe_children *c,
				   const struct mc_probe_scenario *sc, struct mc_probe_addrs *a,
				   struct mc_err *err);
/* Fork the client: conns connections from a->src to a->dst. Returns 0 or
 * -errno with err set. */
int mc_probe_children_start_client(struct mc_probe_children *c,
				   const struct mc_probe_scenario *sc,
				   const struct mc_probe_addrs *a, uint64_t conns,
				   struct mc_err *err);

/* The children's latest counters. The server's only when it is the probe's
 * own (else ss is left as it is). False when they were being written all the
 * time it tried. */
bool mc_probe_children_client_counts(struct mc_probe_children *c, struct mc_client_stats *cs);
bool mc_probe_children_server_counts(struct mc_probe_children *c, struct mc_server_stats *ss);
/* The client's engine returned with success: its counts are final. */
bool mc_probe_children_client_finished(const struct mc_probe_children *c);

/* True when the server (server) or the client child has ended; why then
 * says how: the child's error ("the probe's client ended: ..."), the
 * signal that killed it ("the probe's server was killed by SIGKILL (signal
 * 9)..."), or its exit code. */
bool mc_probe_children_ended(struct mc_probe_children *c, bool server, char *why, size_t len);

/* The server publishes once a second: wait (at most 1.5 s) until it has
 * published once more, so its latest refusals are in. */
void mc_probe_children_fresh_server_tick(struct mc_probe_children *c);

/* Stop (SIGSTOP) or continue (SIGCONT) the client: near a reserve the
 * probe lets it run in short steps. */
void mc_probe_children_pause_client(struct mc_probe_children *c, bool pause);
/* The client starts no more connects (it keeps what it holds). */
void mc_probe_children_stop_connects(struct mc_probe_children *c);
/* Stop both children where they are (SIGSTOP) so nothing grows while the
 * probe takes its figures at a reserve; sets c->frozen. */
void mc_probe_children_freeze(struct mc_probe_children *c);

/* End both children (SIGKILL, both at once) and reap them; their pids go
 * back to 0. */
void mc_probe_children_stop(struct mc_probe_children *c);
/* Leave both running for the caller: their pids (0: none) into *server_pid
 * and *client_pid; the object forgets them. */
void mc_probe_children_hand_over(struct mc_probe_children *c, int *server_pid, int *client_pid);
/* End two children handed over (SIGKILL, both at once) and reap them.
 * With sigfd >= 0 (a signalfd), a signal there ends the wait early: 1 is
 * returned, the two still exiting (the kernel goes on closing their
 * sockets; whoever inherits them reaps them). 0 once both are gone.
 * tick (when set, with sigfd) is called about four times a second while
 * they exit. */
int mc_probe_children_end(int server_pid, int client_pid, int sigfd, void (*tick)(void *arg),
			  void *arg);
/* Once pids[0..n-1] (0: none) are gone, remove the directories dirs[0..1]
 * ("" none), from a detached process of its own, so that the caller can
 * exit now. 0, or -errno when it could not be started. */
int mc_probe_remove_after(const int *pids, int n, char dirs[2][256]);

/* The probe's own server child, 0 when none runs. */
int mc_probe_children_server_pid(const struct mc_probe_children *c);
/* The server of the step, whoever's: the probe's own, or --server-pid; 0
 * when there is none. */
int mc_probe_server_pid(const struct mc_probe_children *c);
/* The server's resident bytes: the probe's own server child, or the
 * --server-pid process and its children; 0 when there is none. */
uint64_t mc_probe_server_rss(const struct mc_probe_children *c);
/* The --server-pid server's socket fds (it and its children), or -1 when
 * there is none or they cannot be read. */
int64_t mc_probe_server_sockets(const struct mc_probe_children *c);

#endif
