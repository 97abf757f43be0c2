/* run.c: the client engine's run, mc_client_run (see client.h): it plans
 * the workers (their fd tables, the ramp's slots) and the ports (plan.c),
 * starts the workers (worker.c), waits through ramp, hold and drain while
 * it calls the ticks, then stops and joins them and takes the figures
 * (snapshot.c). */
#include "client/client.h"

#include <errno.h>
#include <stdlib.h>

#include "client/client-t.h"
#include "client/plan.h"
#include "client/snapshot.h"
#include "client/worker.h"
#include "common/clock.h"
#include "common/procfs.h"
#include "net/sock.h"

#define DEFAULT_INFLIGHT 4096
#define DEFAULT_TIMEOUT  (10 * MC_NS_PER_SEC)
#define DRAIN_NS	 (2 * MC_NS_PER_SEC)

static bool all(struct client *cl, _Atomic int *(*field)(struct cli_worker *))
{
	for (unsigned i = 0; i < mc_pool_count(&cl->pool); i++)
		if (!atomic_load(field(mc_client__worker_at(cl, i))))
			return false;
	return true;
}

static _Atomic int *f_ramp(struct cli_worker *w)
{
	return &w->ramp_done;
}

static _Atomic int *f_drained(struct cli_worker *w)
{
	return &w->drained;
}

static void client_free(struct client *cl)
{
	mc_ports_free(&cl->ports);
	free(cl->route_src);
	free(cl);
}

/* The workers: as many as the connections need fd tables (private ones past
 * the process's own), their share of the in-flight connects, and how many
 * ramp at once. */
static void plan_workers(struct client *cl)
{
	const struct mc_client_config *cfg = cl->cfg;
	int open_fds = mc_fdtable_count();
	uint64_t cap_est;
	unsigned n;

	cap_est = mc_pool_table_room(mc_fdtable_limit(), open_fds > 0 ? (uint64_t)open_fds : 0);
	cl->private_tables = cfg->conns > cap_est;
	n = cl->nworkers = mc_pool_plan_fixed(cfg->conns, cap_est, cfg->workers, mc_pool_ncpu());
	cl->inflight = cfg->inflight ? cfg->inflight : DEFAULT_INFLIGHT;
	cl->ramp_slots = cfg->ramp_workers ? cfg->ramp_workers : 8 * mc_pool_ncpu();
	if (cl->ramp_slots > n)
		cl->ramp_slots = n;
	atomic_store(&cl->ramp_released, cl->ramp_slots);
	cl->pool = (struct mc_pool){.size = sizeof(struct cli_worker),
				    .main = mc_client__worker_main,
				    .prepare = mc_client__worker_prepare,
				    .owner = cl,
				    .wakefd = cl->ctl.wakefd,
				    .table = cap_est};
	atomic_store(&cl->pool.max, n);
}

/* A tick: the figures as they stand, to cfg->tick. */
static void tick(struct client *cl, uint64_t rss_base, uint64_t ramp_end)
{
	const struct mc_client_config *cfg = cl->cfg;
	struct mc_client_stats *st;

	if (!cfg->tick || !(st = malloc(sizeof(*st))))
		return;
	mc_client__collect(cl, st, false);
	st->rss_base = rss_base;
	st->ramp_ns = ramp_end ? ramp_end - cl->t0 : 0;
	cfg->tick(cfg->tick_arg, st);
	free(st);
}

/* The run while the workers go: the ramp until every worker is done, the
 * hold, the drain of the echoes, a tick every tick_ns; a signal ends it
 * (after a last look at the echoes). *ramp_end: when the ramp ended (0: it
 * did not). 0, or -errno with err set when a worker failed. */
static int hold(struct client *cl, uint64_t rss_base, uint64_t *ramp_end, struct mc_err *err)
{
	const struct mc_client_config *cfg = cl->cfg;
	const uint64_t tick_ns = cfg->tick_ns ? cfg->tick_ns : MC_NS_PER_SEC;
	uint64_t last_tick = mc_now_ns(), drain_end = 0;
	int rc;

	for (;;) {
		uint64_t now = mc_now_ns();
		int timeout = (int)((last_tick + tick_ns - now) / MC_NS_PER_MS) + 1;
		enum mc_ctl_event ev;

		if (last_tick + tick_ns <= now)
			timeout = 0;
		if ((rc = mc_pool_failed(&cl->pool, err)) < 0)
			return rc;
		if (!*ramp_end && all(cl, f_ramp)) {
			*ramp_end = now;
			if (atomic_load(&cl->open_total) == 0)
				return 0; /* nothing to hold */
		}
		if (*ramp_end && !cfg->hold_forever && !drain_end &&
		    now >= *ramp_end + cfg->hold_ns) {
			if (!cfg->echo_bytes)
				return 0;
			atomic_store(&cl->phase, PHASE_DRAIN);
			drain_end = now + DRAIN_NS;
		}
		if (drain_end && (now >= drain_end || all(cl, f_drained)))
			return 0;
		if (*ramp_end && !cfg->hold_forever && !drain_end) {
			uint64_t end = *ramp_end + cfg->hold_ns;
			int ms = end > now ? (int)((end - now) / MC_NS_PER_MS) + 1 : 0;
			timeout = ms < timeout ? ms : timeout;
		}
		if (drain_end && timeout > 50)
			timeout = 50;
		ev = mc_ctl_wait(&cl->ctl, timeout);
		if (ev == MC_CTL_SIGNAL) {
			if (drain_end || !cfg->echo_bytes)
				return 0;
			atomic_store(&cl->phase, PHASE_DRAIN); /* a last look at the echoes */
			drain_end = mc_now_ns() + MC_NS_PER_SEC;
			continue;
		}
		now = mc_now_ns();
		if (now - last_tick >= tick_ns) {
			last_tick = now;
			tick(cl, rss_base, *ramp_end);
		}
	}
}

int mc_client_run(const struct mc_client_config *cfg, struct mc_client_stats *out,
		  struct mc_err *err)
{
	struct client *cl = calloc(1, sizeof(*cl));
	uint64_t rss_base = 0, rss_end = 0, ramp_end = 0, t_end;
	int rc = 0;

	if (!cl)
		return mc_errf(err, -ENOMEM, "out of memory");
	cl->cfg = cfg;
	cl->nsrc = mc_client_nsrc(cfg);
	cl->ndst = mc_client_ndst(cfg);
	cl->npairs = mc_client_pairs(cfg);
	cl->timeout_ns = cfg->connect_timeout_ns ? cfg->connect_timeout_ns : DEFAULT_TIMEOUT;
	cl->msg_len = cfg->proto == MC_PROTO_HTTP ? cfg->request_len
		      : cfg->echo_bytes		   ? cfg->echo_bytes
		      : cfg->traffic_bytes ? cfg->traffic_bytes
					   : cfg->send_len;
	if ((rc = mc_client__ports_setup(cl, err)) < 0 || (rc = mc_ctl_init(&cl->ctl, err)) < 0) {
		client_free(cl);
		return rc;
	}
	plan_workers(cl);

	cl->t0 = mc_now_ns();
	for (unsigned i = 0; i < cl->nworkers; i++)
		if ((rc = mc_pool_spawn(&cl->pool, err)) < 0)
			goto stop;
	mc_self_rss(&rss_base);
	rc = hold(cl, rss_base, &ramp_end, err);
stop:
	/* the run's end: its time and memory while everything is still held */
	t_end = mc_now_ns();
	mc_self_rss(&rss_end);
	/* stop the workers first, then count: a connect completing while the
	 * counts were read would be attempted but neither established nor
	 * failed. Once joined, every connect is established, failed or still
	 * in flight (attempted = established + failed + inflight), and open is
	 * what was held (the final close does not count as a loss). */
	mc_ctl_stop(&cl->ctl);
	mc_pool_join(&cl->pool);
	mc_client__collect(cl, out, true);
	out->rss_base = rss_base;
	out->rss = rss_end;
	out->stop_signal = cl->ctl.signo;
	out->ramp_ns = ramp_end ? ramp_end - cl->t0 : 0;
	out->elapsed_ns = t_end - cl->t0;
	mc_client__time_wait_words(cl, out);
	for (unsigned i = 0; i < mc_pool_count(&cl->pool); i++)
		pthread_mutex_destroy(&mc_client__worker_at(cl, i)->rtt_lock);
	mc_pool_free(&cl->pool);
	mc_ctl_close(&cl->ctl);
	client_free(cl);
	return rc;
}
