/* threads.c: the thread-per-connection engine (`--model threads`), the
 * seeds' "traditional" model: one acceptor thread, and one thread with
 * blocking reads and writes for every connection. It exists to measure what
 * each connection costs that model (a stack, a task, context switches) and
 * where it stops (a connection that gets no thread is refused, cause
 * MC_CAUSE_THREADS); epoll is the model that scales. --accept-rate R
 * paces the acceptor as it paces epoll's workers: R a second since the
 * run started. */

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "common/cgroup.h"
#include "common/clock.h"
#include "common/counter.h"
#include "common/procfs.h"
#include "net/sock.h"
#include "server/engine.h"
#include "server/stats.h"

#define MAX_POLL 4097
#define STOP_WAIT_S 10 /* th_stop's bound on the connection threads' end */

struct th_server {
	const struct mc_server_config *cfg;
	const int *lfds;
	size_t nl;
	int stopfd, reserve;
	uint64_t t0; /* when the run started: --accept-rate counts from it */
	pthread_t acceptor;
	pthread_attr_t attr;
	_Atomic bool stopping;
	struct mc_srv_counters c; /* every connection thread adds to them */
	_Atomic uint64_t held, held_peak;
	_Atomic uint64_t live; /* connection threads running */
	/* th_stop waits on ended for live to reach 0: the last connection
	 * thread to end broadcasts it, under mu */
	pthread_mutex_t mu;
	pthread_cond_t ended;
	_Atomic unsigned char *open; /* by fd: a connection thread owns it */
	size_t nopen;
	_Atomic int thread_errno; /* first pthread_create failure */
	/* the thread limit that refused it, and what names it: the pids
	 * cgroup and its refusals when the server started */
	char thread_limit[24];
	struct mc_cg pids_cg;
	uint64_t pids_refused0;
};

/* Which limit refused a thread: read right after the first failure. */
static void name_thread_limit(struct th_server *t)
{
	struct mc_thread_facts f = {0};
	struct mc_cg_pids p;

	mc_proc_count_lines(NULL, "/proc/self/maps", &f.maps);
	mc_proc_read_u64(NULL, "/proc/sys/vm/max_map_count", &f.max_map_count);
	mc_cg_pids_read(NULL, &t->pids_cg, &p);
	if (!p.err && p.max != MC_CG_NONE) {
		f.pids_max = p.max;
		f.pids_current = p.cur_err ? 0 : p.current;
		f.pids_refused = !p.ev_err && p.ev_max > t->pids_refused0;
	}
	snprintf(t->thread_limit, sizeof(t->thread_limit), "%s", mc_cause_thread_limit(&f));
}

struct conn_arg {
	struct th_server *t;
	int fd;
};

/* One connection: blocking reads until EOF or error; echo writes back. */
static void *conn_main(void *arg)
{
	struct conn_arg a = *(struct conn_arg *)arg;
	struct th_server *t = a.t;
	bool echo = t->cfg->mode == MC_SERVER_ECHO;
	char buf[4096];
	enum mc_cause why = MC_CAUSE_PEER_CLOSED;

	free(arg);
	while (t->cfg->mode == MC_SERVER_UNREAD) {
		/* --mode unread: wait for the peer's end, read nothing */
		struct pollfd pf = {.fd = a.fd, .events = POLLRDHUP};
		int e;
		if (poll(&pf, 1, -1) < 0 && errno == EINTR)
			continue;
		e = mc_sock_error(a.fd);
		why = e < 0 ? mc_cause_from_errno(e) : MC_CAUSE_PEER_CLOSED;
		goto out;
	}
	for (;;) {
		ssize_t n = recv(a.fd, buf, sizeof(buf), 0);
		if (n > 0) {
			atomic_fetch_add_explicit(&t->c.bytes_in, (uint64_t)n, memory_order_relaxed);
			for (ssize_t off = 0; echo && off < n;) {
				ssize_t w = send(a.fd, buf + off, (size_t)(n - off), MSG_NOSIGNAL);
				if (w <= 0 && errno != EINTR) {
					why = mc_cause_from_errno(errno);
					atomic_fetch_add_explicit(&t->c.not_echoed,
								  (uint64_t)(n - off),
								  memory_order_relaxed);
					goto out;
				}
				if (w > 0) {
					off += w;
					atomic_fetch_add_explicit(&t->c.bytes_out, (uint64_t)w,
								  memory_order_relaxed);
				}
			}
			continue;
		}
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1)
			why = mc_cause_from_errno(errno);
		break;
	}
out:
	atomic_store(&t->open[a.fd], 0);
	close(a.fd);
	if (!atomic_load(&t->stopping))
		atomic_fetch_add(&t->c.closed[why], 1);
	atomic_fetch_sub(&t->held, 1);
	pthread_mutex_lock(&t->mu);
	if (atomic_fetch_sub(&t->live, 1) == 1)
		pthread_cond_broadcast(&t->ended);
	pthread_mutex_unlock(&t->mu);
	return NULL;
}

/* --accept-rate R above 0: the milliseconds until the next accept is
 * due, 0 if it is due now. As the epoll engine: R a second since t0, one
 * ahead; only the acceptor thread adds to c.accepted. */
static int rate_wait_ms(const struct th_server *t)
{
	double rate = t->cfg->accept_rate;
	uint64_t done, now, next;

	if (rate <= 0)
		return 0; /* unlimited, or 0 (never): the listeners are not polled */
	done = atomic_load_explicit(&t->c.accepted, memory_order_relaxed);
	now = mc_now_ns();
	if (done < (uint64_t)(rate * (double)(now - t->t0) / 1e9) + 1)
		return 0;
	next = t->t0 + (uint64_t)((double)done * 1e9 / rate);
	return next > now ? (int)((next - now + MC_NS_PER_MS - 1) / MC_NS_PER_MS) : 1;
}

static void accept_some(struct th_server *t, int lfd)
{
	for (int i = 0; i < 64; i++) {
		uint64_t held;
		int fd;

		if (rate_wait_ms(t))
			return;
		fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC); /* a blocking socket */
		if (fd == -1) {
			if (errno == EINTR || errno == ECONNABORTED)
				continue;
			if ((errno == EMFILE || errno == ENFILE) &&
			    mc_reserve_drop(&t->reserve, lfd) > 0)
				atomic_fetch_add(&t->c.refused[mc_cause_from_errno(errno)], 1);
			return;
		}
		if ((size_t)fd >= t->nopen ||
		    (t->cfg->max_conns && atomic_load(&t->held) >= t->cfg->max_conns)) {
			close(fd);
			atomic_fetch_add(&t->c.refused[(size_t)fd >= t->nopen ? MC_CAUSE_EMFILE
									     : MC_CAUSE_MAX_CONNS],
					 1);
			continue;
		}
		struct conn_arg *a = malloc(sizeof(*a));
		pthread_t tid;
		int rc = a ? 0 : ENOMEM;
		if (a) {
			a->t = t;
			a->fd = fd;
			atomic_store(&t->open[fd], 1);
			atomic_fetch_add(&t->live, 1);
			held = atomic_fetch_add(&t->held, 1) + 1;
			rc = pthread_create(&tid, &t->attr, conn_main, a);
			if (rc) {
				atomic_store(&t->open[fd], 0);
				atomic_fetch_sub(&t->live, 1);
				atomic_fetch_sub(&t->held, 1);
				free(a);
			}
		}
		if (rc) {
			/* EAGAIN: the thread limit (RLIMIT_NPROC, threads-max,
			 * pid_max, pids.max) or no memory for another stack */
			/* only this (acceptor) thread writes them: the name
			 * first, then the errno that makes it visible */
			if (!atomic_load(&t->thread_errno)) {
				name_thread_limit(t);
				atomic_store(&t->thread_errno, rc);
			}
			close(fd);
			atomic_fetch_add(&t->c.refused[MC_CAUSE_THREADS], 1);
			continue;
		}
		atomic_fetch_add(&t->c.accepted, 1);
		mc_counter_peak(&t->held_peak, held);
	}
}

static void *acceptor_main(void *arg)
{
	struct th_server *t = arg;
	struct pollfd *p = calloc(t->nl + 1, sizeof(*p));

	if (!p)
		return NULL;
	p[0].fd = t->stopfd;
	p[0].events = POLLIN;
	for (size_t i = 0; i < t->nl; i++)
		p[i + 1].fd = t->lfds[i];
	for (;;) {
		int wait = rate_wait_ms(t); /* listeners unpolled until then */

		for (size_t i = 0; i < t->nl; i++)
			p[i + 1].events = t->cfg->accept_rate == 0 || wait ? 0 : POLLIN;
		if (poll(p, t->nl + 1, wait ? wait : -1) == -1 && errno != EINTR)
			break;
		if (p[0].revents)
			break;
		for (size_t i = 0; i < t->nl; i++)
			if (p[i + 1].revents & POLLIN)
				accept_some(t, t->lfds[i]);
	}
	free(p);
	return NULL;
}

static void th_stop(void *run, struct mc_server_stats *st)
{
	struct th_server *t = run;
	struct timespec until;
	int rc = 0;

	pthread_join(t->acceptor, NULL); /* it watches the stop fd */
	atomic_store(&t->stopping, true);
	/* wake every blocked read: the threads close their sockets and end */
	for (size_t fd = 0; fd < t->nopen; fd++)
		if (atomic_load(&t->open[fd]))
			shutdown((int)fd, SHUT_RDWR);
	/* Wait for the last one to say it ended. The wait is bounded: a
	 * thread that a shutdown cannot wake (stopped by a debugger, stuck in
	 * the kernel) must not hang the server's exit; its state is then
	 * left allocated rather than freed under it. */
	clock_gettime(CLOCK_MONOTONIC, &until);
	until.tv_sec += STOP_WAIT_S;
	pthread_mutex_lock(&t->mu);
	while (atomic_load(&t->live) && rc != ETIMEDOUT)
		rc = pthread_cond_timedwait(&t->ended, &t->mu, &until);
	pthread_mutex_unlock(&t->mu);
	if (st) /* every thread that ended counted what it could not echo */
		mc_srv_counters_bytes(st, &t->c);
	if (atomic_load(&t->live))
		return; /* a thread is stuck: leak rather than free under it */
	pthread_cond_destroy(&t->ended);
	pthread_mutex_destroy(&t->mu);
	pthread_attr_destroy(&t->attr);
	if (t->reserve >= 0)
		close(t->reserve);
	free(t->open);
	free(t);
}

/* Start the acceptor on the listening fds; the stop eventfd ends it. */
static int th_start(void **run, const struct mc_engine_env *env, struct mc_err *err)
{
	const struct mc_server_config *cfg = env->cfg;
	struct th_server *t = calloc(1, sizeof(*t));
	char eb[96];
	int rc;

	if (!t)
		return mc_errf(err, -ENOMEM, "out of memory");
	t->cfg = cfg;
	t->lfds = env->lfds;
	t->nl = env->nl;
	t->stopfd = env->ctl->stopfd;
	t->t0 = env->t0;
	t->nopen = mc_fdtable_limit();
	t->open = calloc(t->nopen, 1);
	t->reserve = mc_reserve_open();
	pthread_mutex_init(&t->mu, NULL);
	{
		pthread_condattr_t ca;
		pthread_condattr_init(&ca);
		pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
		pthread_cond_init(&t->ended, &ca);
		pthread_condattr_destroy(&ca);
	}
	mc_cg_locate(NULL, 0, MC_CG_PIDS, &t->pids_cg);
	{
		struct mc_cg_pids p;
		mc_cg_pids_read(NULL, &t->pids_cg, &p);
		t->pids_refused0 = p.err || p.ev_err ? 0 : p.ev_max;
	}
	pthread_attr_init(&t->attr);
	pthread_attr_setdetachstate(&t->attr, PTHREAD_CREATE_DETACHED);
	if (cfg->thread_stack &&
	    (rc = pthread_attr_setstacksize(&t->attr, cfg->thread_stack)) != 0) {
		free(t->open);
		free(t);
		return mc_errf(err, -rc, "--thread-stack %zu: %s (at least %d bytes)",
			       cfg->thread_stack, mc_strerror(rc, eb, sizeof(eb)), 16384);
	}
	if (!t->open || (rc = pthread_create(&t->acceptor, NULL, acceptor_main, t)) != 0) {
		free(t->open);
		free(t);
		return mc_errf(err, -ENOMEM, "starting the acceptor thread: out of memory");
	}
	*run = t;
	return 0;
}

static void th_collect(void *run, struct mc_server_stats *st)
{
	struct th_server *t = run;

	mc_srv_counters_merge(st, &t->c, atomic_load(&t->held));
	st->held_peak = atomic_load(&t->held_peak);
	st->workers = (unsigned)atomic_load(&t->live);
	st->thread_errno = atomic_load(&t->thread_errno);
	if (st->thread_errno) /* named before thread_errno was set */
		snprintf(st->thread_limit, sizeof(st->thread_limit), "%s", t->thread_limit);
}

const struct mc_engine mc_engine_threads = {
	.start = th_start,
	.grow = NULL, /* a thread per connection: nothing to plan */
	.collect = th_collect,
	.stop = th_stop,
};
