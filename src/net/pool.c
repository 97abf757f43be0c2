/* pool.c: the worker pool of the server engines and the client: plans,
 * thread start, spawn, wait-until-ready, the accepting set and its growth
 * (see pool.h). */
#include "net/pool.h"

#include <errno.h>
#include <stdlib.h>
#include <unistd.h>

#include "common/counter.h"

uint64_t mc_pool_table_room(uint64_t fd_limit, uint64_t open_fds)
{
	return fd_limit > open_fds + 3 ? fd_limit - open_fds - 3 : 1;
}

/* Tables of per_worker that conns needs; 0 when conns is 0 (no bound). */
static uint64_t tables_for(uint64_t conns, uint64_t per_worker)
{
	return conns ? (conns + per_worker - 1) / per_worker : 0;
}

struct mc_pool_plan mc_pool_plan_grow(uint64_t conns, uint64_t per_worker, unsigned workers,
				      unsigned ncpu)
{
	uint64_t need = tables_for(conns, per_worker);
	struct mc_pool_plan p;

	if (workers) {
		p.initial = p.max = workers;
	} else {
		p.initial = ncpu ? ncpu : 1;
		if (need && need < p.initial)
			p.initial = (unsigned)need;
		p.max = need && need + 1 < MC_POOL_MAX ? (unsigned)need + 1 : MC_POOL_MAX;
	}
	if (p.initial > MC_POOL_MAX)
		p.initial = MC_POOL_MAX;
	if (p.max > MC_POOL_MAX)
		p.max = MC_POOL_MAX;
	return p;
}

unsigned mc_pool_plan_fixed(uint64_t conns, uint64_t per_worker, unsigned workers, unsigned ncpu)
{
	uint64_t need = tables_for(conns, per_worker);
	unsigned n;

	if (workers)
		return workers < MC_POOL_MAX ? workers : MC_POOL_MAX;
	n = ncpu ? ncpu : 1;
	if (need > n)
		n = (unsigned)(need < MC_POOL_MAX ? need : MC_POOL_MAX);
	if (conns < n)
		n = conns ? (unsigned)conns : 1;
	return n < MC_POOL_MAX ? n : MC_POOL_MAX;
}

uint64_t mc_pool_worker_room(int state, bool accepting, bool paused, uint64_t held, uint64_t cap,
			     uint64_t table)
{
	if (state == 0)
		return table;
	return state == 1 && (accepting || paused) && held < cap ? cap - held : 0;
}

bool mc_pool_should_grow(unsigned n, unsigned max, uint64_t room, uint64_t table)
{
	return n < max && room < 2 * table;
}

bool mc_pool_has_room(uint64_t held, uint64_t cap)
{
	return held <= cap - cap / 8;
}

unsigned mc_pool_ncpu(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);

	return n > 0 ? (unsigned)n : 1;
}

int mc_pool_thread_start(pthread_t *tid, const pthread_attr_t *attr, void *(*fn)(void *), void *arg,
			 unsigned id, struct mc_err *err)
{
	char eb[96];
	int rc = pthread_create(tid, attr, fn, arg);

	if (rc)
		return mc_errf(err, -rc,
			       "starting worker %u: %s: the thread limit (ulimit -u, "
			       "kernel.threads-max, pids.max) or memory",
			       id, mc_strerror(rc, eb, sizeof(eb)));
	return 0;
}

int mc_pool_spawn(struct mc_pool *p, struct mc_err *err)
{
	unsigned id = atomic_load(&p->n);
	struct mc_pool_worker *w;
	int rc;

	if (id >= MC_POOL_MAX)
		return mc_errf(err, -ENOSPC, "too many workers (%u)", id);
	w = calloc(1, p->size);
	if (!w)
		return mc_errf(err, -ENOMEM, "out of memory for worker %u", id);
	w->pool = p;
	w->id = id;
	if (p->prepare)
		p->prepare(w);
	if ((rc = mc_pool_thread_start(&w->tid, NULL, p->main, w, id, err)) < 0) {
		free(w);
		return rc;
	}
	p->w[id] = w;
	atomic_store(&p->n, id + 1);
	return 0;
}

/* err says why worker w could not start. Returns rc. */
static int why(const struct mc_pool *p, const struct mc_pool_worker *w, int rc, struct mc_err *err)
{
	char eb[96];

	if (p->why)
		p->why(w, rc, err);
	else
		mc_errf(err, rc, "worker %u could not start: %s", w->id,
			mc_strerror(rc, eb, sizeof(eb)));
	return rc;
}

int mc_pool_failed(const struct mc_pool *p, struct mc_err *err)
{
	unsigned n = mc_pool_count(p);

	for (unsigned i = 0; i < n; i++) {
		int st = atomic_load(&p->w[i]->state);
		if (st < 0)
			return why(p, p->w[i], st, err);
	}
	return 0;
}

int mc_pool_start(struct mc_pool *p, unsigned n, struct mc_ctl *ctl, struct mc_err *err)
{
	int rc;

	for (unsigned i = 0; i < n; i++)
		if ((rc = mc_pool_spawn(p, err)) < 0)
			return rc;
	for (;;) {
		unsigned ready = 0;

		if ((rc = mc_pool_failed(p, err)) < 0)
			return rc;
		for (unsigned i = 0; i < n; i++)
			ready += atomic_load(&p->w[i]->state) == 1;
		if (ready == n)
			return 0;
		if (mc_ctl_wait(ctl, 100) == MC_CTL_SIGNAL)
			return MC_POOL_SIGNALLED;
	}
}

uint64_t mc_pool_room(const struct mc_pool *p)
{
	unsigned n = mc_pool_count(p);
	uint64_t r = 0;

	for (unsigned i = 0; i < n; i++) {
		const struct mc_pool_worker *w = p->w[i];
		r += mc_pool_worker_room(atomic_load(&w->state),
					 atomic_load_explicit(&w->accepting, memory_order_relaxed),
					 atomic_load_explicit(&w->paused, memory_order_relaxed),
					 CNT_GET(w->held), CNT_GET(w->cap), p->table);
	}
	return r;
}

int mc_pool_grow(struct mc_pool *p)
{
	struct mc_err err;

	if (!p->grows ||
	    !mc_pool_should_grow(mc_pool_count(p), atomic_load(&p->max), mc_pool_room(p), p->table))
		return -1;
	/* the host says no by refusing the thread, or by refusing a worker
	 * that started what it needs (no file for its epoll or io_uring at
	 * fs.file-max, no memory): the next would meet the same refusal, and
	 * the failed one's room of 0 would ask for another every pass */
	if (mc_pool_failed(p, &err) < 0 || mc_pool_spawn(p, &err) < 0) {
		atomic_store(&p->max, mc_pool_count(p));
		return -1;
	}
	return 20;
}

void mc_pool_join(struct mc_pool *p)
{
	unsigned n = mc_pool_count(p);

	for (unsigned i = 0; i < n; i++)
		pthread_join(p->w[i]->tid, NULL);
}

void mc_pool_free(struct mc_pool *p)
{
	unsigned n = mc_pool_count(p);

	for (unsigned i = 0; i < n; i++) {
		free(p->w[i]);
		p->w[i] = NULL;
	}
	atomic_store(&p->n, 0);
}

void mc_pool_worker_ready(struct mc_pool_worker *w, int rc)
{
	atomic_store(&w->state, rc < 0 ? rc : 1);
	mc_ctl_wake(w->pool->wakefd);
}

void mc_pool_accept_start(struct mc_pool_worker *w)
{
	atomic_fetch_add(&w->pool->accepting, 1);
	atomic_store(&w->accepting, true);
}

bool mc_pool_accept_stop(struct mc_pool_worker *w, bool last_stays)
{
	struct mc_pool *p = w->pool;
	unsigned n;

	if (!atomic_load_explicit(&w->accepting, memory_order_relaxed))
		return false;
	if (!last_stays) {
		atomic_fetch_sub(&p->accepting, 1);
		atomic_store(&w->accepting, false);
		return true;
	}
	n = atomic_load(&p->accepting);
	while (n > 1) {
		if (atomic_compare_exchange_weak(&p->accepting, &n, n - 1)) {
			atomic_store(&w->accepting, false);
			mc_ctl_wake(p->wakefd);
			return true;
		}
	}
	return false;
}

void mc_pool_pause(struct mc_pool_worker *w, bool on)
{
	/* paused first: the main thread never sees it out of the set and
	 * not paused, so it never grows for it */
	if (on) {
		atomic_store(&w->paused, true);
		mc_pool_accept_stop(w, false);
	} else {
		atomic_store(&w->paused, false);
	}
}

bool mc_pool_accept_resume(struct mc_pool_worker *w)
{
	if (atomic_load_explicit(&w->accepting, memory_order_relaxed) ||
	    !mc_pool_has_room(CNT_GET(w->held), CNT_GET(w->cap)))
		return false;
	mc_pool_accept_start(w);
	return true;
}

void mc_pool_took(struct mc_pool_worker *w)
{
	struct mc_pool *p = w->pool;
	uint64_t total;

	CNT_ADD(w->held, 1);
	total = atomic_fetch_add_explicit(&p->held_total, 1, memory_order_relaxed) + 1;
	mc_counter_peak(&p->held_peak, total);
	if (CNT_GET(w->held) == CNT_GET(w->cap) / 2)
		mc_ctl_wake(p->wakefd); /* the main thread may add a worker */
}

void mc_pool_let_go(struct mc_pool_worker *w)
{
	CNT_ADD(w->held, (uint64_t)-1);
	atomic_fetch_sub_explicit(&w->pool->held_total, 1, memory_order_relaxed);
}
