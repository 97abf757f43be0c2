/* path.c: what a client can read of the path its connects take, to name
 * why they timed out (net/cause.h's mc_cause_timeout_limit judges): this
 * namespace's TcpExt counters (a server here overflows them) and
 * conntrack's statistics, here and in the router's namespace when
 * --router-netns names it (the middle box's `conntrack -S`). */
#include "client/path.h"

#include <errno.h>
#include <stdio.h>

static uint64_t grew(uint64_t before, uint64_t after)
{
	return after > before ? after - before : 0;
}

void mc_client_path_read(const char *router, struct mc_client_path *p)
{
	mc_host_netstat_read(NULL, &p->netstat);
	mc_ct_stat_read(NULL, &p->ct_here);
	if (router && *router)
		mc_ct_stat_read(router, &p->ct_router);
	else
		p->ct_router.err = -ENODATA;
}

const char *mc_client_path_judge(const struct mc_client_path *b, const struct mc_client_path *a,
				 uint64_t timedout, const char *router, char *why, size_t len)
{
	struct mc_timeout_facts f = {.timedout = timedout};
	char where[160];

	if (!b->netstat.err && !a->netstat.err) {
		f.overflow = grew(b->netstat.listen_overflows.v, a->netstat.listen_overflows.v);
		f.drops = grew(b->netstat.listen_drops.v, a->netstat.listen_drops.v);
		f.synre = grew(b->netstat.syn_retrans.v, a->netstat.syn_retrans.v);
	}
	if (!b->ct_router.err && !a->ct_router.err) {
		f.ct_read = true;
		f.ct_insert_failed = grew(b->ct_router.insert_failed, a->ct_router.insert_failed);
		f.ct_drop = grew(b->ct_router.drop, a->ct_router.drop);
		snprintf(where, sizeof(where), "the router's namespace (%.120s)", router);
		f.ct_where = where;
	}
	if (!f.ct_insert_failed && !f.ct_drop && !b->ct_here.err && !a->ct_here.err) {
		f.ct_read = true;
		f.ct_insert_failed = grew(b->ct_here.insert_failed, a->ct_here.insert_failed);
		f.ct_drop = grew(b->ct_here.drop, a->ct_here.drop);
		if (f.ct_insert_failed || f.ct_drop)
			f.ct_where = "this namespace";
	}
	return mc_cause_timeout_limit(&f, why, len);
}
