/* judge.c: the pure part of the limits model: the judgement as a whole.
 * From a snapshot of the host and the scenario the user plans, it walks the
 * registry (registry.c: one entry per limit, in table order) and lets each
 * limit's judge function (judge_ports.c, judge_fd.c, judge_mem.c,
 * judge_threads.c, judge_net.c) fill its item: the connections it allows,
 * its status, the value it must be raised to for --target and the exact
 * lines that raise it. Then it picks the binding limit and orders the
 * changes. The item helpers every judge function shares are
 * in judge_item.c. No I/O: unit tests feed it fake snapshots.
 *
 * The arithmetic of each limit is documented in docs/limits.md and above
 * its judge function. */
#include "limits/limits.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "common/err.h"
#include "common/fmt.h"
#include "limits/judge-int.h"
#include "limits/registry-int.h"

/* ---- the whole judgement ------------------------------------------- */

static int cmp_conns(const struct mc_limits_result *r, int a, int b)
{
	return r->items[a].conns < r->items[b].conns ? -1 : r->items[a].conns > r->items[b].conns;
}

/* The whole judgement: the cost of a connection, every check, then the
 * binding item (lowest known ceiling, first in table order on a tie), the
 * items below --target, and those sorted lowest first. */
int mc_limits_judge(const struct mc_limits_snap *s, const struct mc_limits_scenario *sc,
		    struct mc_limits_result *r)
{
	struct mc__judge c = {s, sc, r, 1, 1, 1, false, false, false};

	if (!sc->sources || !sc->dest_addrs || !sc->dest_ports || !sc->fd_tables || !sc->backlog)
		return -EINVAL;
	memset(r, 0, sizeof(*r));
	r->binding = -1;
	r->ceiling = MC_LIMITS_NONE;
	c.client = sc->role != MC_LIMITS_SERVER;
	c.server = sc->role != MC_LIMITS_CLIENT;
	c.threads = sc->model == MC_MODEL_THREADS;
	c.fdpc = c.spc = sc->role == MC_LIMITS_BOTH ? 2 : 1;
	/* --model is the server's: with role both the client on this host is
	 * maxconn client (event-driven), so one thread per connection */
	c.tpc = 1;
	r->fds_per_conn = c.fdpc;
	r->socks_per_conn = c.spc;
	mc__conn_cost(&c);

	/* every limit in table order (after redis's syscheck: a table of
	 * named checks); the registry names each item, its judge fills it */
	for (size_t i = 0; i < mc__nlimits; i++) {
		const struct mc__limit *l = &mc__limits[i];
		struct mc_limits_item *it = &r->items[r->n++];

		it->id = l->id;
		it->name = l->name;
		it->source = l->source;
		it->kind = l->kind;
		it->conns = MC_LIMITS_NONE;
		it->status = MC_LIMITS_FINE;
		l->judge(&c, it);
	}

	for (int i = 0; i < r->n; i++) {
		struct mc_limits_item *it = &r->items[i];
		if (it->kind != MC_LIMITS_CEILING)
			continue;
		if (it->status == MC_LIMITS_UNKNOWN) {
			r->nunknown++;
			continue;
		}
		if (it->conns != MC_LIMITS_NONE &&
		    (r->binding < 0 || it->conns < r->items[r->binding].conns))
			r->binding = i;
		if (sc->target && it->conns < sc->target) {
			it->needs_change = true;
			it->status = MC_LIMITS_NEEDS_CHANGE;
			r->changes[r->nchanges++] = i;
		}
	}
	if (r->binding >= 0) {
		r->items[r->binding].status = MC_LIMITS_BINDING;
		r->ceiling = r->items[r->binding].conns;
	}
	/* the changes in the order the limits would be hit: lowest first */
	for (int i = 1; i < r->nchanges; i++)
		for (int j = i; j > 0 && cmp_conns(r, r->changes[j], r->changes[j - 1]) < 0; j--) {
			int t = r->changes[j];
			r->changes[j] = r->changes[j - 1];
			r->changes[j - 1] = t;
		}
	return 0;
}

const struct mc_limits_item *mc_limits_find(const struct mc_limits_result *r, const char *id)
{
	for (int i = 0; i < r->n; i++)
		if (strcmp(r->items[i].id, id) == 0)
			return &r->items[i];
	return NULL;
}

void mc_limits_scenario_default(struct mc_limits_scenario *sc)
{
	memset(sc, 0, sizeof(*sc));
	sc->role = MC_LIMITS_SERVER;
	sc->model = MC_MODEL_EPOLL;
	sc->sources = sc->dest_addrs = sc->dest_ports = sc->fd_tables = 1;
	sc->fd_overhead = MC_LIMITS_FD_OVERHEAD;
	sc->backlog = 4096; /* SOMAXCONN in glibc >= 2.34 and Linux >= 5.4 */
	sc->message = 16;   /* the probe's heartbeat */
}

const char *mc_limits_status_str(enum mc_limits_status st)
{
	switch (st) {
	case MC_LIMITS_BINDING:
		return "binding";
	case MC_LIMITS_NEEDS_CHANGE:
		return "needs_change";
	case MC_LIMITS_UNKNOWN:
		return "unknown";
	case MC_LIMITS_FINE:
		break;
	}
	return "fine";
}

const char *mc_limits_kind_str(enum mc_limits_kind k)
{
	return k == MC_LIMITS_CEILING ? "ceiling"
	       : k == MC_LIMITS_QUEUE ? "queue"
	       : k == MC_LIMITS_SPEED ? "speed"
				      : "info";
}

const char *mc_limits_role_str(enum mc_limits_role role)
{
	return role == MC_LIMITS_SERVER ? "server" : role == MC_LIMITS_CLIENT ? "client" : "both";
}
