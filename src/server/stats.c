/* stats.c: merging the server's per-worker counts (see stats.h). */
#include "server/stats.h"

static void add_causes(uint64_t *dst, const uint64_t *src)
{
	for (int k = 0; k < MC_CAUSE_COUNT; k++)
		dst[k] += src[k];
}

void mc_server_stats_merge(struct mc_server_stats *dst, const struct mc_server_stats *src)
{
	dst->accepted += src->accepted;
	dst->held += src->held;
	add_causes(dst->refused, src->refused);
	add_causes(dst->closed, src->closed);
	add_causes(dst->epoll_failed, src->epoll_failed);
	dst->bytes_in += src->bytes_in;
	dst->bytes_out += src->bytes_out;
}

void mc_srv_counters_merge(struct mc_server_stats *st, const struct mc_srv_counters *c,
			   uint64_t held)
{
	struct mc_server_stats one = {
	    .accepted = atomic_load_explicit(&c->accepted, memory_order_relaxed),
	    .held = held,
	    .bytes_in = atomic_load_explicit(&c->bytes_in, memory_order_relaxed),
	    .bytes_out = atomic_load_explicit(&c->bytes_out, memory_order_relaxed),
	};

	for (int k = 0; k < MC_CAUSE_COUNT; k++) {
		one.refused[k] = atomic_load_explicit(&c->refused[k], memory_order_relaxed);
		one.closed[k] = atomic_load_explicit(&c->closed[k], memory_order_relaxed);
		one.epoll_failed[k] =
		    atomic_load_explicit(&c->epoll_failed[k], memory_order_relaxed);
	}
	mc_server_stats_merge(st, &one);
}

void mc_srv_pool_collect(struct mc_server_stats *st, const struct mc_pool *p)
{
	unsigned n = mc_pool_count(p);

	for (unsigned i = 0; i < n; i++) {
		const struct mc_srv_worker *w = (const struct mc_srv_worker *)mc_pool_at(p, i);
		mc_srv_counters_merge(st, &w->c,
				      atomic_load_explicit(&w->pw.held, memory_order_relaxed));
	}
	st->held_peak = atomic_load(&p->held_peak);
	st->workers = n;
	st->accepting = atomic_load(&p->accepting);
}
