/* judge-int.h: internal to src/limits (and its unit tests). What the
 * judge_*.c files share: the judging context, the helpers that fill a
 * struct mc_limits_item, the saturating arithmetic, and each family's judge
 * functions, which registry.c binds to their ids. The mc__ prefix marks
 * names no other module may use; the public interface is limits.h.
 *
 * A judge function receives the item the registry already named (id, name,
 * source and kind from its entry, no ceiling, status fine) and fills in the
 * rest: raw values, the connections it allows, the note, the value to raise
 * it to and the fix lines. It may narrow the kind (a ceiling that caps
 * nothing in this scenario becomes information) or name the source more
 * exactly (a --pid's limits file, the cgroup directory). Pure: no I/O. */
#ifndef MC_LIMITS_JUDGE_INT_H
#define MC_LIMITS_JUDGE_INT_H

#include <stdbool.h>
#include <stdint.h>

#include "limits/limits.h"

/* What judging needs besides the snapshot and the scenario. */
struct mc__judge {
	const struct mc_limits_snap *s;
	const struct mc_limits_scenario *sc;
	struct mc_limits_result *r;
	uint64_t fdpc; /* fds per connection on this host */
	uint64_t spc;  /* sockets per connection on this host */
	uint64_t tpc;  /* threads per connection (model threads): the server's one */
	bool client;   /* this host opens the connections */
	bool server;   /* this host accepts them */
	bool threads;
};

/* ---- saturating arithmetic: MC_LIMITS_NONE is "no ceiling" ---------- */

static inline uint64_t mc__mul_sat(uint64_t a, uint64_t b)
{
	if (a == MC_LIMITS_NONE || b == MC_LIMITS_NONE)
		return MC_LIMITS_NONE;
	if (a && b > UINT64_MAX / a)
		return MC_LIMITS_NONE;
	return a * b;
}

static inline uint64_t mc__add_sat(uint64_t a, uint64_t b)
{
	return a > UINT64_MAX - b ? MC_LIMITS_NONE : a + b;
}

static inline uint64_t mc__sub0(uint64_t a, uint64_t b)
{
	return a > b ? a - b : 0;
}

static inline uint64_t mc__div_up(uint64_t a, uint64_t b)
{
	return b ? a / b + (a % b != 0) : MC_LIMITS_NONE;
}

/* a / b, keeping "no ceiling" as it is */
static inline uint64_t mc__div_keep(uint64_t a, uint64_t b)
{
	return a == MC_LIMITS_NONE ? MC_LIMITS_NONE : a / b;
}

static inline uint64_t mc__min_u(uint64_t a, uint64_t b)
{
	return a < b ? a : b;
}

static inline uint64_t mc__max_u(uint64_t a, uint64_t b)
{
	return a > b ? a : b;
}

/* ---- filling an item (judge_item.c) ------------------------------------ */

/* A raw value for the JSON "values" object (known when n.err == 0). */
void mc__add_val(struct mc_limits_item *it, const char *key, struct mc_host_num n);
/* The VALUE column, the note under it, one more fix line (at most
 * MC_LIMITS_MAX_FIX; the rest are dropped). */
void mc__set_value(struct mc_limits_item *it, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void mc__set_note(struct mc_limits_item *it, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void mc__add_fix(struct mc_limits_item *it, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* The two fix lines of a sysctl: `sysctl -w` now, the sysctl.d line for
 * after a reboot. */
void mc__fix_sysctl(struct mc_limits_item *it, const char *key, const char *val);
void mc__fix_sysctl_u64(struct mc_limits_item *it, const char *key, uint64_t v);
/* Status unknown, the reason naming what could not be read and the errno
 * (err is -errno). */
void mc__set_unknown(struct mc_limits_item *it, const char *what, int err);
/* A global net sysctl (tcp_mem, tcp_max_orphans) from a child network
 * namespace, where it is absent (n.err -ENOENT): shown as global, where to
 * read it and why it was not (status fine, no ceiling; never "unknown").
 * Returns true when that was the case. */
bool mc__global_absent(const struct mc__judge *c, struct mc_limits_item *it,
		       struct mc_host_num n, const char *key);
/* When such a value was read from the initial namespace, say so after the
 * item's note. */
void mc__note_global(const struct mc__judge *c, struct mc_limits_item *it);
/* v as text, "unlimited" for MC_LIMITS_NONE; a read number, "?" when it
 * could not be read. Both return buf. */
const char *mc__cnt(uint64_t v, char *buf, size_t len);
const char *mc__numstr(struct mc_host_num n, char *buf, size_t len);
/* The connections a fix is computed for: --target, else twice the item's
 * ceiling (1000 when it has none). */
uint64_t mc__demand(const struct mc__judge *c, const struct mc_limits_item *it);

/* ---- the judge functions, by family (registry.c lists them) ---------- */

/* judge_ports.c: ports and addresses */
void mc__judge_ports(struct mc__judge *c, struct mc_limits_item *it);
void mc__judge_sources(struct mc__judge *c, struct mc_limits_item *it);

/* judge_via.c: the middle box of the path (--via, or this host's NAT) */
void mc__judge_middlebox(struct mc__judge *c, struct mc_limits_item *it);

/* judge_fd.c: file descriptors */
void mc__judge_fd_process(struct mc__judge *c, struct mc_limits_item *it);
void mc__judge_fd_nr_open(struct mc__judge *c, struct mc_limits_item *it);
void mc__judge_fd_system(struct mc__judge *c, struct mc_limits_item *it);
void mc__judge_epoll_watches(struct mc__judge *c, struct mc_limits_item *it);
void mc__judge_fd_user(struct mc__judge *c, struct mc_limits_item *it);

/* judge_mem.c: memory. mc__conn_cost runs before every judge: it sets the
 * bytes one connection costs (r->conn_bytes, r->sock_bytes) the memory
 * ceilings divide by. */
void mc__conn_cost(struct mc__judge *c);
void mc__judge_memory(struct mc__judge *c, struct mc_limits_item *it);
void mc__judge_cgroup_memory(struct mc__judge *c, struct mc_limits_item *it);
void mc__judge_tcp_mem(struct mc__judge *c, struct mc_limits_item *it);

/* judge_threads.c: tasks and CPUs */
void mc__judge_threads(struct mc__judge *c, struct mc_limits_item *it);
void mc__judge_pid_max(struct mc__judge *c, struct mc_limits_item *it);
void mc__judge_nproc(struct mc__judge *c, struct mc_limits_item *it);
void mc__judge_cgroup_pids(struct mc__judge *c, struct mc_limits_item *it);
void mc__judge_thread_stack(struct mc__judge *c, struct mc_limits_item *it);
void mc__judge_map_count(struct mc__judge *c, struct mc_limits_item *it);
void mc__judge_cpu(struct mc__judge *c, struct mc_limits_item *it);

/* judge_net.c: the accept queue, conntrack, churn */
void mc__judge_conntrack(struct mc__judge *c, struct mc_limits_item *it);
void mc__judge_acceptq(struct mc__judge *c, struct mc_limits_item *it);
void mc__judge_time_wait(struct mc__judge *c, struct mc_limits_item *it);
void mc__judge_orphans(struct mc__judge *c, struct mc_limits_item *it);
void mc__judge_ehash(struct mc__judge *c, struct mc_limits_item *it);

#endif
