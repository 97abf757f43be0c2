/* cgwatch.h: the memory cgroups the probe keeps to their reserve, and the
 * pids cgroup it runs in (internal to src/probe; see cgwatch.c). One object,
 * struct mc_probe_cgwatch, made at the scene (probe.c) and sampled by the
 * ramp; the report's cg[] is a copy of its list, written by probe.c once. */
#ifndef MC_PROBE_CGWATCH_H
#define MC_PROBE_CGWATCH_H

#include <stdbool.h>
#include <stdint.h>

#include "common/cgroup.h"
#include "probe/probe-t.h"

struct mc_probe_cgwatch {
	/* the memory cgroups with a limit (the report's cg[]) */
	struct mc_probe_cgroup cg[MC_PROBE_MAX_CG];
	int ncg;
	/* each sampled now, and as it was when the step's client started */
	struct mc_cg_mem now[MC_PROBE_MAX_CG], before[MC_PROBE_MAX_CG];
	/* the child cgroups the server ([0]) and client ([1]) run in, "" none,
	 * and their usage when the step's client started */
	char sub[2][256];
	uint64_t sub_before[2];
	/* the pids cgroup of the probe and its children (version 0: none), and
	 * the forks it had refused when the step's client started */
	struct mc_cg pids;
	uint64_t pids_refused0;
};

/* Find the pids cgroup the probe runs in; no memory cgroup watched yet. */
void mc_probe_cgwatch_init(struct mc_probe_cgwatch *w);
/* Keep a reserve in pid's memory cgroup when it has a limit (0: the
 * probe's own): add the level whose limit binds, read now, under who.
 * reserve: --reserve, 0 for 5% of the limit. split_sides: make a child
 * cgroup for the server and one for the client (v1 only) so the charge of
 * each side shows apart. Returns its index, or -1. */
int mc_probe_cgwatch_add(struct mc_probe_cgwatch *w, int pid, const char *who, uint64_t reserve,
			 bool split_sides);
/* Remove the child cgroups (after the children are gone). */
void mc_probe_cgwatch_remove_subs(struct mc_probe_cgwatch *w);
/* Give the child cgroups to the caller to remove (mc_probe_teardown). */
void mc_probe_cgwatch_hand_over(struct mc_probe_cgwatch *w, char (*out)[256]);

/* As the step's client starts: read every cgroup as its "before". */
void mc_probe_cgwatch_start(struct mc_probe_cgwatch *w);
/* Read every watched cgroup (full: usage, inactive file and counters;
 * else the usage alone). Returns 1 + the index of the first whose room is
 * at or below its reserve, or 0; *near: one is within near_x reserves. */
int mc_probe_cgwatch_sample(struct mc_probe_cgwatch *w, bool full, uint64_t near_x, bool *near);
/* The pids cgroup's max and the forks it has refused; false without one. */
bool mc_probe_cgwatch_pids(const struct mc_probe_cgwatch *w, uint64_t *max, uint64_t *refused);
/* What the server's and the client's child cgroups were charged per
 * connection over the step (reached connections); false without them. */
bool mc_probe_cgwatch_per_side(const struct mc_probe_cgwatch *w, uint64_t reached,
			       double *accept, double *connect);

#endif
