/* pool.h: the worker pool the server engines (epoll, io_uring) and the
 * client share: how many workers to start and how many at most, starting a
 * worker thread (and naming the thread limit when the host says no),
 * waiting until the first ones are ready, and, for the server, the
 * accepting set and its growth: the main thread starts another worker when
 * the accepting ones have less than two tables of room.
 *
 * An engine's worker struct begins with a struct mc_pool_worker; the pool
 * allocates it (pool->size bytes, zeroed), lets the engine prepare it, and
 * starts pool->main on it. Everything the pool plans with is also a pure
 * function of numbers (mc_pool_plan_*, mc_pool_worker_room, ...), so the
 * plans are unit-tested without threads. */
#ifndef MC_NET_POOL_H
#define MC_NET_POOL_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/err.h"
#include "net/ctl.h"

#define MC_POOL_MAX 4096 /* workers in one pool (--workers takes 1 to 4096) */

/* mc_pool_wait_ready returns this when SIGINT/SIGTERM came first. */
#define MC_POOL_SIGNALLED 1

struct mc_pool;

/* The head of every engine's worker struct. state, accepting and held are
 * written by the worker and read by the main thread; cap is the worker's
 * own (0 until it is ready). */
struct mc_pool_worker {
	struct mc_pool *pool;
	pthread_t tid;
	unsigned id;
	_Atomic int state;	/* 0 starting, 1 ready, -errno failed */
	_Atomic bool accepting; /* counted in pool->accepting */
	_Atomic bool paused;	/* out of the accepting set for a while, not full
				 * (mc_pool_pause): its room still counts */
	_Atomic uint64_t held;	/* connections it holds now */
	_Atomic uint64_t cap;	/* connections it may hold */
};

struct mc_pool {
	/* set by the engine before the first spawn */
	size_t size;	       /* of the engine's worker struct */
	void *(*main)(void *); /* the worker thread; its argument is the worker */
	void (*prepare)(struct mc_pool_worker *w); /* before its thread starts; may be NULL */
	void *owner;				   /* the engine, for main and prepare */
	/* names in err why worker w could not start (rc); NULL: "worker N
	 * could not start: ERROR" */
	void (*why)(const struct mc_pool_worker *w, int rc, struct mc_err *err);
	int wakefd;	      /* the mc_ctl wake eventfd of the main thread */
	bool grows;	      /* mc_pool_grow may add workers */
	uint64_t table;	      /* connections one worker's table holds */
	_Atomic unsigned max; /* workers at most (lowered when the host says no) */
	/* the pool's own */
	_Atomic unsigned n, accepting;
	_Atomic uint64_t held_total, held_peak;
	struct mc_pool_worker *w[MC_POOL_MAX];
};

/* ---- plans: pure functions of numbers ------------------------------- */

struct mc_pool_plan {
	unsigned initial; /* workers to start now */
	unsigned max;	  /* workers the pool may grow to */
};

/* Connections one fd table holds for a new worker: RLIMIT_NOFILE less the
 * fds open now and three to spare; at least 1. */
uint64_t mc_pool_table_room(uint64_t fd_limit, uint64_t open_fds);
/* The plan of a pool that grows (the server): with --workers N, N and no
 * more; in auto mode one per CPU, or fewer when conns fit in fewer tables
 * of per_worker, growing up to one more than conns needs (MC_POOL_MAX when
 * conns is 0: as many as the host allows). Never more than MC_POOL_MAX. */
struct mc_pool_plan mc_pool_plan_grow(uint64_t conns, uint64_t per_worker, unsigned workers,
				      unsigned ncpu);
/* The plan of a pool started whole (the client): --workers N, or one per
 * CPU, more when conns needs more tables of per_worker, fewer when there are
 * fewer connections than that; at least 1, at most MC_POOL_MAX. */
unsigned mc_pool_plan_fixed(uint64_t conns, uint64_t per_worker, unsigned workers, unsigned ncpu);
/* Room one worker adds to the accepting set: a whole table while it
 * starts (state 0), what its table has left while it accepts or is only
 * paused (a host-wide refusal, an --accept-rate budget: another worker
 * would not take more), else 0. */
uint64_t mc_pool_worker_room(int state, bool accepting, bool paused, uint64_t held, uint64_t cap,
			     uint64_t table);
/* Start another worker? Yes while there are fewer than max and the
 * accepting ones have less than two tables of room: a ramp at full speed
 * then never finds every worker full while a new one waits for a CPU. */
bool mc_pool_should_grow(unsigned n, unsigned max, uint64_t room, uint64_t table);
/* May a worker that left the accepting set (full) join it again? Once it
 * holds no more than 7/8 of its cap. */
bool mc_pool_has_room(uint64_t held, uint64_t cap);
/* Online CPUs, at least 1. */
unsigned mc_pool_ncpu(void);

/* ---- the main thread's side ----------------------------------------- */

/* Start a thread; on failure err names the thread limit. Returns 0 or
 * -errno. */
int mc_pool_thread_start(pthread_t *tid, const pthread_attr_t *attr, void *(*fn)(void *), void *arg,
			 unsigned id, struct mc_err *err);
/* Allocate worker number n, prepare it and start its thread. Returns 0, or
 * -errno with err set (too many workers, no memory, the thread limit); the
 * worker is then freed and not counted. */
int mc_pool_spawn(struct mc_pool *p, struct mc_err *err);
/* Spawn n workers and wait until they are ready. Returns 0,
 * MC_POOL_SIGNALLED (SIGINT/SIGTERM came first), or -errno with err set
 * (a spawn or a worker failed; the workers started are left running). */
int mc_pool_start(struct mc_pool *p, unsigned n, struct mc_ctl *ctl, struct mc_err *err);
/* Has a worker failed to start? The first one's -errno with err set (see
 * pool->why), or 0. */
int mc_pool_failed(const struct mc_pool *p, struct mc_err *err);
/* Room left in the accepting workers (mc_pool_worker_room summed). */
uint64_t mc_pool_room(const struct mc_pool *p);
/* Called by the main thread on every wake: when the pool grows and
 * mc_pool_should_grow says so, start a worker (if the host says no, stop
 * growing; a worker that started but failed its setup is a no too).
 * Returns the milliseconds until it wants to be called again, or -1. */
int mc_pool_grow(struct mc_pool *p);
/* Worker i (i < mc_pool_count). */
static inline struct mc_pool_worker *mc_pool_at(const struct mc_pool *p, unsigned i)
{
	return p->w[i];
}
static inline unsigned mc_pool_count(const struct mc_pool *p)
{
	return atomic_load(&p->n);
}
/* Join every worker thread (after mc_ctl_stop), then free them. */
void mc_pool_join(struct mc_pool *p);
void mc_pool_free(struct mc_pool *p);

/* ---- the worker's side ---------------------------------------------- */

/* Report setup done (rc 0: ready) or failed (rc -errno), and wake the main
 * thread. */
void mc_pool_worker_ready(struct mc_pool_worker *w, int rc);
/* Join the accepting set. */
void mc_pool_accept_start(struct mc_pool_worker *w);
/* Leave the accepting set. When full (last_stays), not if w is the last
 * one in it (it keeps accepting and refuses the surplus), and the main
 * thread is woken to plan growth. Returns true when it left. */
bool mc_pool_accept_stop(struct mc_pool_worker *w, bool last_stays);
/* Leave the accepting set for a while (on) or end that (off, before
 * mc_pool_accept_resume): the worker is not full, so the pool does not
 * grow for it. */
void mc_pool_pause(struct mc_pool_worker *w, bool on);
/* Join the accepting set again if w left it and has room (mc_pool_has_room).
 * Returns true when it joined. */
bool mc_pool_accept_resume(struct mc_pool_worker *w);
/* A connection was taken (held, the pool's total and peak; at half the cap
 * the main thread is woken, since it may add a worker) or let go. */
void mc_pool_took(struct mc_pool_worker *w);
void mc_pool_let_go(struct mc_pool_worker *w);

#endif
