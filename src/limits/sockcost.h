/* sockcost.h: what an idle TCP connection costs in kernel memory on this
 * host, per side (the accepted socket, the connecting one) and per epoll
 * watch, and what a memory cgroup is charged for each: measured by a short
 * calibration (mc_sockcost_measure) in a private network namespace and
 * child memory cgroups of its own, never fitted. */
#ifndef MC_LIMITS_SOCKCOST_H
#define MC_LIMITS_SOCKCOST_H

#include <stdbool.h>
#include <stdint.h>

struct mc_sockcost {
	uint64_t conns; /* loopback connections the calibration held */
	uint64_t at;	/* when it was measured (seconds since the epoch) */
	/* the host's slab caches' growth (every cache of /proc/slabinfo,
	 * objects weighed by their share of their slab's pages), per socket of
	 * each side and per epoll watch */
	uint64_t accept_bytes, connect_bytes, epoll_bytes;
	bool measured;
	/* what a child memory cgroup was charged, per socket of each side and
	 * per epoll watch (v1 memory.kmem.usage_in_bytes, v2 memory.current) */
	uint64_t cg_accept_bytes, cg_connect_bytes, cg_epoll_bytes;
	int cg_version; /* 0: not measured (cg_how says why) */
	char how[320], cg_how[240];
};

/* The readings of one calibration, MC_SOCKCOST_ROUNDS rounds of fresh
 * connections (the figures are each round's median: another process's
 * slab churn moves one round or two): the slab bytes before and after
 * each phase (connect n, accept n, n*2 epoll watches), the charge of the
 * phase's own cgroup before and after, and TCP's object share (the
 * accepted socket's tcp_sock is made while the other side connects). */
#define MC_SOCKCOST_ROUNDS 5
struct mc_sockcost_raw {
	uint64_t n;
	uint64_t slab[MC_SOCKCOST_ROUNDS][4];
	uint64_t cg0[MC_SOCKCOST_ROUNDS][3], cg1[MC_SOCKCOST_ROUNDS][3];
	int cg_version;
	uint64_t tcp_obj;
};

/* Pure: the figures from raw readings (a phase that shrank, another
 * process having freed more than the calibration made, counts 0). */
void mc_sockcost_sum(const struct mc_sockcost_raw *raw, struct mc_sockcost *c);

/* Pure: /proc/slabinfo text's bytes in use, every cache's active objects
 * weighed by pagesperslab * page_size / objperslab, and TCP's object
 * share (0 when it is not listed). 0, or -EINVAL (not slabinfo 2.x). */
int mc_sockcost_slab(const char *txt, uint64_t page_size, uint64_t *bytes, uint64_t *tcp_obj);

/* Each phase's child cgroup is capped at this; the caller runs the
 * calibration only where its process's memory cgroup has MC_SOCKCOST_ROOM
 * free (it is charged about 30 MB at most). */
#define MC_SOCKCOST_CG_MAX (64ULL << 20)
#define MC_SOCKCOST_ROOM   (128ULL << 20)

/* The calibration: a forked child in a network namespace of its own,
 * pinned to one CPU, makes conns loopback connections (both ends) in three
 * phases, each in a child memory cgroup of cg_dir made and removed here
 * (cg_dir NULL or not writable: the host's figures only, cg_how says
 * why). 0, or -errno (-EPERM: not root; the caller then assumes). */
int mc_sockcost_measure(uint64_t conns, const char *cg_dir, int cg_version, struct mc_sockcost *c);

#endif
