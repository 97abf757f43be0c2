/* child.h: the probe's server and client children and the shared page they
 * publish their counters in (internal to src/probe; see child.c). */
#ifndef MC_PROBE_CHILD_H
#define MC_PROBE_CHILD_H

#include <stdbool.h>
#include <stddef.h>

#include "common/err.h"
#include "probe/run.h"

/* A zeroed page shared with the children, or NULL when mmap fails. */
struct mc_probe_page *mc_probe_page_new(void);
void mc_probe_page_free(struct mc_probe_page *pg);

/* Copy a child's latest counters (len bytes of its union) into st; false
 * when they were being written all the time it tried. */
bool mc_probe_fetch(struct mc_probe_pub *pub, void *st, size_t len);

/* Fork the server for scenario sc on p->dst (port 0: the kernel's choice)
 * and wait until it listens; p->dst then holds the ports it listens on.
 * Returns 0, or -errno with err set (the child may be left to
 * mc_probe_stop_children). */
int mc_probe_spawn_server(struct mc_probe_ctx *p, const struct mc_probe_scenario *sc,
			  struct mc_err *err);
/* Fork the client: p->conns connections from p->src to p->dst. Returns 0
 * or -errno with err set. */
int mc_probe_spawn_client(struct mc_probe_ctx *p, const struct mc_probe_scenario *sc,
			  struct mc_err *err);

/* True when the server (server) or the client child has ended; why then
 * says so with the child's error ("the probe's client ended: ..."). */
bool mc_probe_child_ended(struct mc_probe_ctx *p, bool server, char *why, size_t len);

/* The server publishes once a second: wait (at most 1.5 s) until it has
 * published once more, so its latest refusals are in. */
void mc_probe_fresh_server_tick(struct mc_probe_ctx *p);

/* Stop (SIGSTOP) or continue (SIGCONT) the client: near a reserve the
 * probe lets it run in short steps. */
void mc_probe_pause_client(struct mc_probe_ctx *p, bool pause);

/* Stop both children where they are (SIGSTOP) so nothing grows while the
 * probe takes its figures at a reserve; sets p->frozen. */
void mc_probe_freeze_children(struct mc_probe_ctx *p);

/* End both children (SIGKILL, both at once) and reap them; their pids go
 * back to 0. */
void mc_probe_stop_children(struct mc_probe_ctx *p);

/* The server's resident bytes: the probe's own server child, or the
 * --server-pid process and its children; 0 when there is none. */
uint64_t mc_probe_server_rss(const struct mc_probe_ctx *p);
/* The --server-pid server's socket fds (it and its children), or -1 when
 * there is none or they cannot be read. */
int64_t mc_probe_server_sockets(const struct mc_probe_ctx *p);

#endif
