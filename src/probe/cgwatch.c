/* cgwatch.c: the memory cgroups the probe keeps to their reserve, the
 * server's and client's child cgroups (v1), and the pids cgroup's refused
 * forks (see cgwatch.h). */
#include "probe/cgwatch.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

void mc_probe_cgwatch_init(struct mc_probe_cgwatch *w)
{
	memset(w, 0, sizeof(*w));
	mc_cg_locate(NULL, 0, MC_CG_PIDS, &w->pids);
}

/* v1: the server and the client each in a child cgroup of the probe's
 * own, so the charge of each side shows apart (v2 allows no process in a
 * cgroup whose children have controllers: not done there). */
static bool split(struct mc_probe_cgwatch *w, const char *dir)
{
	char name[64];

	snprintf(name, sizeof(name), "maxconn-probe.%d.server", (int)getpid());
	if (mc_cg_sub_make(dir, name, w->sub[0], sizeof(w->sub[0])) < 0) {
		w->sub[0][0] = '\0';
		return false;
	}
	snprintf(name, sizeof(name), "maxconn-probe.%d.client", (int)getpid());
	if (mc_cg_sub_make(dir, name, w->sub[1], sizeof(w->sub[1])) < 0) {
		mc_cg_sub_remove(w->sub[0]);
		w->sub[0][0] = w->sub[1][0] = '\0';
		return false;
	}
	return true;
}

int mc_probe_cgwatch_add(struct mc_probe_cgwatch *w, int pid, const char *who, uint64_t reserve,
			 bool split_sides)
{
	struct mc_probe_cgroup *c;
	struct mc_cg cg;
	struct mc_cg_mem m;

	mc_cg_locate(NULL, pid, MC_CG_MEMORY, &cg);
	mc_cg_mem_read(NULL, &cg, &m);
	if (m.err || m.limit == MC_CG_NONE || w->ncg == MC_PROBE_MAX_CG)
		return -1;
	for (int i = 0; i < w->ncg; i++)
		if (strcmp(w->cg[i].dir, m.at) == 0)
			return i; /* --server-pid in the probe's own cgroup */
	c = &w->cg[w->ncg];
	snprintf(c->who, sizeof(c->who), "%s", who);
	snprintf(c->dir, sizeof(c->dir), "%.199s", m.at);
	c->version = cg.version;
	c->high = m.high;
	c->limit = m.limit;
	/* --reserve when given; else 5% of the limit, as `maxconn limits` keeps */
	c->reserve = reserve ? reserve : m.limit / 20;
	w->now[w->ncg] = m;
	if (split_sides && cg.version == 1)
		c->per_side = split(w, cg.dir);
	return w->ncg++;
}

void mc_probe_cgwatch_remove_subs(struct mc_probe_cgwatch *w)
{
	for (int i = 0; i < 2; i++)
		if (w->sub[i][0]) {
			mc_cg_sub_remove(w->sub[i]);
			w->sub[i][0] = '\0';
		}
}

void mc_probe_cgwatch_hand_over(struct mc_probe_cgwatch *w, char (*out)[256])
{
	memcpy(out, w->sub, sizeof(w->sub));
	memset(w->sub, 0, sizeof(w->sub));
}

int mc_probe_cgwatch_sample(struct mc_probe_cgwatch *w, bool full, uint64_t near_x, bool *near)
{
	int hit = 0;

	*near = false;
	for (int i = 0; i < w->ncg && i < MC_PROBE_MAX_CG; i++) {
		struct mc_cg_mem *m = &w->now[i];
		uint64_t room, reserve = w->cg[i].reserve;
		if (full)
			mc_cg_mem_sample(NULL, w->cg[i].version, m);
		else
			mc_cg_mem_usage(NULL, w->cg[i].version, m);
		if (m->use_err)
			continue;
		room = mc_cg_mem_room(m);
		if (!hit && room <= reserve)
			hit = i + 1;
		*near |= room / near_x <= reserve;
	}
	return hit;
}

/* A child cgroup's usage, 0 when there is none or it cannot be read. */
static uint64_t sub_usage(const struct mc_probe_cgwatch *w, int side)
{
	char path[300];
	uint64_t v = 0;

	if (!w->sub[side][0])
		return 0;
	snprintf(path, sizeof(path), "%s/memory.usage_in_bytes", w->sub[side]);
	return mc_cg_read_value(NULL, path, &v) == 0 ? v : 0;
}

bool mc_probe_cgwatch_pids(const struct mc_probe_cgwatch *w, uint64_t *max, uint64_t *refused)
{
	struct mc_cg_pids pc;

	if (!w->pids.version || w->pids.err)
		return false;
	mc_cg_pids_read(NULL, &w->pids, &pc);
	if (pc.err || pc.max == MC_CG_NONE || pc.ev_err)
		return false;
	*max = pc.max;
	*refused = pc.ev_max;
	return true;
}

void mc_probe_cgwatch_start(struct mc_probe_cgwatch *w)
{
	bool near;
	uint64_t max;

	if (!mc_probe_cgwatch_pids(w, &max, &w->pids_refused0))
		w->pids_refused0 = 0;
	mc_probe_cgwatch_sample(w, true, 1, &near);
	memcpy(w->before, w->now, sizeof(w->before));
	w->sub_before[0] = sub_usage(w, 0);
	w->sub_before[1] = sub_usage(w, 1);
}

/* b - a per connection, 0 when it did not grow */
static double per_conn(uint64_t a, uint64_t b, uint64_t reached)
{
	return b > a ? (double)(b - a) / (double)reached : 0;
}

bool mc_probe_cgwatch_per_side(const struct mc_probe_cgwatch *w, uint64_t reached,
			       double *accept, double *connect)
{
	if (!w->sub[0][0] || !w->sub[1][0])
		return false;
	*accept = per_conn(w->sub_before[0], sub_usage(w, 0), reached);
	*connect = per_conn(w->sub_before[1], sub_usage(w, 1), reached);
	return true;
}
