/* server.c: the server engine: workers, accept path, hold and echo (see
 * server.h for the design). */
#include "server/server.h"

#include <assert.h>
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "common/clock.h"
#include "common/procfs.h"
#include "net/ctl.h"
#include "net/sock.h"
#include "server/worker.h"
#include "server/threads.h"
#include "server/uring.h"

#define MAX_LISTENERS   4096
#define MAX_WORKERS     4096
#define ACCEPT_BATCH    64
#define EVENT_BATCH     256
#define SCRATCH_SIZE    32768
#define TAG_LISTEN      0xFFFFFFFFu /* epoll data: high 32 bits */
#define TAG_STOP        0xFFFFFFFEu
#define GEN_MAX         0xFFFFFFF0u

/* Per-connection state: 16 bytes, indexed by fd, nothing allocated while a
 * connection is idle. pend holds echo bytes the peer was not ready for. */
struct srv_conn {
	uint32_t gen;      /* bumped on close: stale epoll events are dropped */
	uint16_t open;
	uint16_t pend_len;
	char *pend;
};
static_assert(sizeof(struct srv_conn) == 16, "keep per-connection state tiny");

struct server;

struct srv_worker {
	struct server *srv;
	pthread_t tid;
	int epfd, reserve;
	uint64_t cap;      /* connections this worker may hold */
	bool listening;    /* listeners are in our epoll */
	_Atomic bool counted; /* we count in srv->accepting (read by main) */
	bool paused;       /* --accept-rate budget spent */
	uint64_t resume_ns;
	struct srv_conn *conns;
	size_t nconns; /* size of conns[] (fd numbers below the fd limit) */
	char *scratch;
	struct mc_srv_counters c;
	_Atomic int state; /* 0 starting, 1 ready, -errno failed */
};

struct server {
	const struct mc_server_config *cfg;
	struct mc_ctl ctl;
	int lfds[MAX_LISTENERS];
	char lnames[MAX_LISTENERS][MC_ADDR_STRLEN];
	size_t nl;
	bool private_tables;
	uint64_t cap_est;
	uint64_t t0;
	_Atomic uint64_t held_total, held_peak, accepted_total;
	_Atomic unsigned accepting;
	_Atomic unsigned nworkers;
	struct srv_worker *w[MAX_WORKERS];
	struct mc_threads *threads; /* --model threads */
	struct mc_uring *uring;     /* --model uring */
};

static void listeners_set(struct srv_worker *w, bool on)
{
	struct server *s = w->srv;

	if (w->listening == on)
		return;
	for (size_t i = 0; i < s->nl; i++) {
		if (on) {
			struct epoll_event ev = {.events = EPOLLIN | EPOLLEXCLUSIVE,
						 .data.u64 = ((uint64_t)TAG_LISTEN << 32) | i};
			epoll_ctl(w->epfd, EPOLL_CTL_ADD, s->lfds[i], &ev);
		} else {
			epoll_ctl(w->epfd, EPOLL_CTL_DEL, s->lfds[i], NULL);
		}
	}
	w->listening = on;
}

/* Leave the accepting set when full, unless we are the last one in it: the
 * last accepting worker keeps polling and refuses the surplus cleanly. */
static void worker_full(struct srv_worker *w)
{
	struct server *s = w->srv;
	unsigned n = atomic_load(&s->accepting);

	if (!w->counted)
		return;
	while (n > 1) {
		if (atomic_compare_exchange_weak(&s->accepting, &n, n - 1)) {
			w->counted = false;
			listeners_set(w, false);
			mc_ctl_wake(s->ctl.wakefd);
			return;
		}
	}
}

static void worker_room(struct srv_worker *w)
{
	if (w->counted || w->paused || CNT_GET(w->c.held) > w->cap - w->cap / 8)
		return;
	atomic_fetch_add(&w->srv->accepting, 1);
	w->counted = true;
	listeners_set(w, true);
}

static void conn_close(struct srv_worker *w, int fd, _Atomic uint64_t *why)
{
	struct srv_conn *c = &w->conns[fd];

	close(fd);
	c->open = 0;
	c->gen = c->gen + 1 >= GEN_MAX ? 0 : c->gen + 1;
	free(c->pend);
	c->pend = NULL;
	c->pend_len = 0;
	CNT_ADD(*why, 1);
	CNT_ADD(w->c.held, (uint64_t)-1);
	atomic_fetch_sub_explicit(&w->srv->held_total, 1, memory_order_relaxed);
	worker_room(w);
}

/* Drop one pending connection: accept and close it at once. Returns false
 * when none was pending. */
static bool drop_one(struct srv_worker *w, int lfd, _Atomic uint64_t *why)
{
	int fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);

	if (fd >= 0) {
		close(fd);
		CNT_ADD(*why, 1);
		return true;
	}
	if ((errno == EMFILE || errno == ENFILE) && mc_reserve_drop(&w->reserve, lfd) > 0) {
		CNT_ADD(*why, 1);
		return true;
	}
	return errno == EINTR || errno == ECONNABORTED;
}

static bool rate_allows(struct srv_worker *w)
{
	struct server *s = w->srv;
	double rate = s->cfg->accept_rate;
	uint64_t done, allowed, now;

	if (rate < 0)
		return true; /* no clock read on the accept path unless limited */
	now = mc_now_ns();
	done = atomic_load_explicit(&s->accepted_total, memory_order_relaxed);
	allowed = (uint64_t)(rate * (double)(now - s->t0) / 1e9) + 1;
	if (done < allowed)
		return true;
	w->paused = true;
	w->resume_ns = s->t0 + (uint64_t)((double)(done + 1) * 1e9 / rate);
	if (w->counted) {
		atomic_fetch_sub(&s->accepting, 1);
		w->counted = false;
	}
	listeners_set(w, false);
	return false;
}

static void on_listen(struct srv_worker *w, int lfd)
{
	struct server *s = w->srv;
	uint64_t max = s->cfg->max_conns;

	for (int i = 0; i < ACCEPT_BATCH; i++) {
		uint64_t held;
		int fd;

		if (max && atomic_load_explicit(&s->held_total, memory_order_relaxed) >= max) {
			if (!drop_one(w, lfd, &w->c.refused_max))
				return;
			continue;
		}
		if (CNT_GET(w->c.held) >= w->cap) {
			worker_full(w);
			if (!w->listening)
				return;
			if (!drop_one(w, lfd, &w->c.refused_fd))
				return;
			continue;
		}
		if (!rate_allows(w))
			return;
		fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd == -1) {
			switch (errno) {
			case EAGAIN:
				return;
			case EINTR:
			case ECONNABORTED:
				continue;
			case EMFILE:
			case ENFILE:
				/* the table is full before our cap said so (other fds
				 * opened): refuse through the reserve, stop accepting */
				if (mc_reserve_drop(&w->reserve, lfd) > 0)
					CNT_ADD(w->c.refused_fd, 1);
				w->cap = CNT_GET(w->c.held);
				worker_full(w);
				return;
			case ENOBUFS:
			case ENOMEM:
				CNT_ADD(w->c.refused_mem, 1);
				return;
			default:
				/* EPROTO, EPERM (a firewall): the kernel dropped
				 * that one; the next may be fine */
				return;
			}
		}
		if ((size_t)fd >= w->nconns) { /* cannot happen below RLIMIT_NOFILE */
			close(fd);
			CNT_ADD(w->c.refused_fd, 1);
			continue;
		}
		struct srv_conn *c = &w->conns[fd];
		struct epoll_event ev = {.events = EPOLLIN | EPOLLRDHUP,
					 .data.u64 = ((uint64_t)c->gen << 32) | (uint32_t)fd};
		if (epoll_ctl(w->epfd, EPOLL_CTL_ADD, fd, &ev) == -1) {
			int e = errno;
			close(fd);
			if (e == ENOSPC)
				CNT_ADD(w->c.refused_watches, 1);
			else
				CNT_ADD(w->c.refused_mem, 1);
			continue;
		}
		c->open = 1;
		CNT_ADD(w->c.accepted, 1);
		CNT_ADD(w->c.held, 1);
		atomic_fetch_add_explicit(&s->accepted_total, 1, memory_order_relaxed);
		held = atomic_fetch_add_explicit(&s->held_total, 1, memory_order_relaxed) + 1;
		mc_counter_peak(&s->held_peak, held);
		if (CNT_GET(w->c.held) == w->cap / 2)
			mc_ctl_wake(s->ctl.wakefd); /* the main thread may add a worker */
	}
}

/* Write as much of buf as the socket takes; keep the rest in c->pend and
 * wait for EPOLLOUT (reading stops meanwhile: that is our backpressure). */
static int echo_write(struct srv_worker *w, int fd, const char *buf, size_t len)
{
	struct srv_conn *c = &w->conns[fd];
	size_t off = 0;

	while (off < len) {
		ssize_t n = send(fd, buf + off, len - off, MSG_NOSIGNAL);
		if (n > 0) {
			off += (size_t)n;
			CNT_ADD(w->c.bytes_out, (uint64_t)n);
			continue;
		}
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1 && errno == EAGAIN)
			break;
		return -errno;
	}
	if (off < len) {
		size_t rest = len - off;
		char *p = malloc(rest);
		if (!p)
			return -ENOMEM;
		memcpy(p, buf + off, rest);
		free(c->pend);
		c->pend = p;
		c->pend_len = (uint16_t)rest;
		struct epoll_event ev = {.events = EPOLLOUT | EPOLLRDHUP,
					 .data.u64 = ((uint64_t)c->gen << 32) | (uint32_t)fd};
		epoll_ctl(w->epfd, EPOLL_CTL_MOD, fd, &ev);
	}
	return 0;
}

static void on_writable(struct srv_worker *w, int fd)
{
	struct srv_conn *c = &w->conns[fd];
	char *p = c->pend;
	size_t len = c->pend_len;
	int rc;

	c->pend = NULL;
	c->pend_len = 0;
	rc = echo_write(w, fd, p, len);
	free(p);
	if (rc < 0) {
		conn_close(w, fd, rc == -ECONNRESET || rc == -EPIPE ? &w->c.closed_reset
								     : &w->c.closed_other);
		return;
	}
	if (!c->pend) {
		struct epoll_event ev = {.events = EPOLLIN | EPOLLRDHUP,
					 .data.u64 = ((uint64_t)c->gen << 32) | (uint32_t)fd};
		epoll_ctl(w->epfd, EPOLL_CTL_MOD, fd, &ev);
	}
}

static void on_readable(struct srv_worker *w, int fd)
{
	bool echo = w->srv->cfg->mode == MC_SERVER_ECHO;

	for (int i = 0; i < 4; i++) {
		ssize_t n = recv(fd, w->scratch, SCRATCH_SIZE, 0);
		if (n > 0) {
			CNT_ADD(w->c.bytes_in, (uint64_t)n);
			if (echo) {
				int rc = echo_write(w, fd, w->scratch, (size_t)n);
				if (rc < 0) {
					conn_close(w, fd,
						   rc == -ECONNRESET || rc == -EPIPE
							   ? &w->c.closed_reset
							   : &w->c.closed_other);
					return;
				}
				if (w->conns[fd].pend)
					return;
			}
			if ((size_t)n < SCRATCH_SIZE)
				return;
			continue;
		}
		if (n == 0) {
			conn_close(w, fd, &w->c.closed_peer);
			return;
		}
		if (errno == EINTR)
			continue;
		if (errno == EAGAIN)
			return;
		conn_close(w, fd,
			   errno == ECONNRESET || errno == EPIPE ? &w->c.closed_reset
								 : &w->c.closed_other);
		return;
	}
}

static int worker_setup(struct srv_worker *w)
{
	struct server *s = w->srv;
	int open_fds;

	w->epfd = mc_ctl_worker_init(&s->ctl, s->private_tables, (uint64_t)TAG_STOP << 32);
	if (w->epfd < 0)
		return w->epfd;
	if ((w->reserve = mc_reserve_open()) < 0)
		return w->reserve;
	w->nconns = mc_fdtable_limit();
	w->conns = calloc(w->nconns, sizeof(*w->conns));
	w->scratch = malloc(SCRATCH_SIZE);
	if (!w->conns || !w->scratch)
		return -ENOMEM;
	if (s->private_tables) {
		open_fds = mc_fdtable_count();
		if (open_fds < 0)
			return open_fds;
		/* one fd stays free so a full worker can still accept-and-close */
		w->cap = w->nconns > (size_t)open_fds + 1 ? w->nconns - (size_t)open_fds - 1 : 0;
	} else {
		w->cap = UINT64_MAX / 2;
	}
	return 0;
}

static void *worker_main(void *arg)
{
	struct srv_worker *w = arg;
	struct server *s = w->srv;
	struct epoll_event evs[EVENT_BATCH];
	int rc = worker_setup(w);

	if (rc < 0) {
		atomic_store(&w->state, rc);
		mc_ctl_wake(s->ctl.wakefd);
		return NULL;
	}
	if (s->cfg->accept_rate != 0) {
		atomic_fetch_add(&s->accepting, 1);
		w->counted = true;
		listeners_set(w, true);
	}
	atomic_store(&w->state, 1);
	mc_ctl_wake(s->ctl.wakefd);

	for (;;) {
		int timeout = -1, n;

		if (w->paused) {
			uint64_t now = mc_now_ns();
			if (now >= w->resume_ns) {
				w->paused = false;
				worker_room(w);
			} else {
				timeout = (int)((w->resume_ns - now) / MC_NS_PER_MS) + 1;
			}
		}
		n = epoll_wait(w->epfd, evs, EVENT_BATCH, timeout);
		if (n == -1 && errno != EINTR)
			break;
		for (int i = 0; i < n; i++) {
			uint32_t tag = (uint32_t)(evs[i].data.u64 >> 32);
			uint32_t lo = (uint32_t)evs[i].data.u64;

			if (tag == TAG_STOP)
				goto out;
			if (tag == TAG_LISTEN) {
				if (w->listening)
					on_listen(w, s->lfds[lo]);
				continue;
			}
			if (lo >= w->nconns || !w->conns[lo].open || w->conns[lo].gen != tag)
				continue; /* closed (and maybe reused) earlier in this batch */
			if (evs[i].events & EPOLLOUT)
				on_writable(w, (int)lo);
			else
				on_readable(w, (int)lo);
		}
	}
out:
	for (size_t fd = 0; fd < w->nconns; fd++)
		if (w->conns[fd].open) {
			close((int)fd);
			free(w->conns[fd].pend);
		}
	free(w->conns);
	free(w->scratch);
	w->conns = NULL;
	w->scratch = NULL;
	if (w->reserve >= 0)
		close(w->reserve);
	close(w->epfd);
	return NULL;
}

int mc_srv_thread_start(pthread_t *tid, void *(*fn)(void *), void *arg, unsigned id,
			struct mc_err *err)
{
	char eb[96];
	int rc = pthread_create(tid, NULL, fn, arg);

	if (rc)
		return mc_errf(err, -rc,
			       "starting worker %u: %s: the thread limit (ulimit -u, "
			       "kernel.threads-max, pids.max) or memory",
			       id, mc_strerror(rc, eb, sizeof(eb)));
	return 0;
}

static int spawn_worker(struct server *s, struct mc_err *err)
{
	unsigned id = atomic_load(&s->nworkers);
	struct srv_worker *w;
	int rc;

	if (id >= MAX_WORKERS)
		return mc_errf(err, -ENOSPC, "too many workers (%u)", id);
	w = calloc(1, sizeof(*w));
	if (!w)
		return mc_errf(err, -ENOMEM, "out of memory for a worker");
	w->srv = s;
	w->epfd = w->reserve = -1;
	if ((rc = mc_srv_thread_start(&w->tid, worker_main, w, id, err)) < 0) {
		free(w);
		return rc;
	}
	s->w[id] = w;
	atomic_store(&s->nworkers, id + 1);
	return 0;
}

void mc_server_stats_merge(struct mc_server_stats *dst, const struct mc_server_stats *src)
{
	dst->accepted += src->accepted;
	dst->held += src->held;
	dst->closed_peer += src->closed_peer;
	dst->closed_reset += src->closed_reset;
	dst->closed_other += src->closed_other;
	dst->refused_fd += src->refused_fd;
	dst->refused_max += src->refused_max;
	dst->refused_mem += src->refused_mem;
	dst->refused_watches += src->refused_watches;
	dst->bytes_in += src->bytes_in;
	dst->bytes_out += src->bytes_out;
}

/* Per-worker counters merged on read. */
static void collect(struct server *s, struct mc_server_stats *st)
{
	unsigned n = atomic_load(&s->nworkers);

	memset(st, 0, sizeof(*st));
	if (s->threads || s->uring) {
		if (s->threads)
			mc_threads_collect(s->threads, st);
		else
			mc_uring_collect(s->uring, st);
		st->elapsed_ns = mc_now_ns() - s->t0;
		mc_self_rss(&st->rss);
		return;
	}
	for (unsigned i = 0; i < n; i++)
		mc_srv_counters_merge(st, &s->w[i]->c);
	st->held_peak = atomic_load(&s->held_peak);
	st->workers = n;
	st->accepting = atomic_load(&s->accepting);
	st->private_fd_tables = s->private_tables;
	st->per_table_cap = s->private_tables ? s->cap_est : 0;
	st->elapsed_ns = mc_now_ns() - s->t0;
	mc_self_rss(&st->rss);
}

/* Room left in the workers that accept now, counting a worker that is still
 * starting as a whole table. The main thread keeps at least two tables of
 * room, so a ramp at full speed never finds every worker full while a new
 * one waits for a CPU. */
static uint64_t room(struct server *s)
{
	unsigned n = atomic_load(&s->nworkers);
	uint64_t r = 0;

	for (unsigned i = 0; i < n; i++) {
		struct srv_worker *w = s->w[i];
		r += mc_srv_room(atomic_load(&w->state),
				 atomic_load_explicit(&w->counted, memory_order_relaxed),
				 CNT_GET(w->c.held), w->cap, s->cap_est);
	}
	return r;
}

static int write_ready_file(struct server *s, struct mc_err *err)
{
	char tmp[4096];
	FILE *f;

	snprintf(tmp, sizeof(tmp), "%s.tmp", s->cfg->ready_file);
	f = fopen(tmp, "w");
	if (!f)
		return mc_errf(err, -errno, "--ready-file %s: %s", s->cfg->ready_file,
			       strerror(errno));
	for (size_t i = 0; i < s->nl; i++)
		fprintf(f, "%s\n", s->lnames[i]);
	if (fclose(f) != 0 || rename(tmp, s->cfg->ready_file) != 0)
		return mc_errf(err, -errno, "--ready-file %s: %s", s->cfg->ready_file,
			       strerror(errno));
	return 0;
}

static int open_listeners(struct server *s, struct mc_err *err)
{
	const struct mc_server_config *cfg = s->cfg;
	int backlog = cfg->backlog;

	if (backlog < 0) {
		uint64_t v;
		backlog = mc_proc_read_u64(NULL, "/proc/sys/net/core/somaxconn", &v) == 0
				  ? (int)v
				  : 4096;
	}
	for (size_t i = 0; i < cfg->nlisten; i++) {
		const struct mc_endpoint_range *e = &cfg->listen[i];
		for (unsigned p = e->port_lo; p <= e->port_hi; p++) {
			uint16_t port = (uint16_t)p;
			int fd;

			if (s->nl >= MAX_LISTENERS)
				return mc_errf(err, -E2BIG, "more than %d listen ports", MAX_LISTENERS);
			fd = mc_sock_listen(&e->addr, port, backlog, err);
			if (fd < 0)
				return fd;
			mc_sock_local_port(fd, &port);
			mc_addr_port_str(&e->addr, port, s->lnames[s->nl], MC_ADDR_STRLEN);
			s->lfds[s->nl++] = fd;
		}
	}
	return 0;
}

int mc_server_run(const struct mc_server_config *cfg, struct mc_server_stats *out,
		  struct mc_err *err)
{
	struct server *s = calloc(1, sizeof(*s));
	uint64_t limit = mc_fdtable_limit(), rss_base = 0, last_tick;
	unsigned initial, max_workers;
	bool auto_workers = cfg->workers == 0;
	int rc, open_fds;

	if (!s)
		return mc_errf(err, -ENOMEM, "out of memory");
	s->cfg = cfg;
	if ((rc = mc_ctl_init(&s->ctl, err)) < 0) {
		free(s);
		return rc;
	}
	if ((rc = open_listeners(s, err)) < 0)
		goto out;

	if (cfg->model == MC_MODEL_THREADS) {
		s->t0 = mc_now_ns();
		if ((rc = mc_threads_start(&s->threads, cfg, s->lfds, s->nl, s->ctl.stopfd, err)) < 0)
			goto out;
		initial = max_workers = 0;
		goto ready;
	}
	if (cfg->model == MC_MODEL_URING) {
		s->t0 = mc_now_ns();
		rc = mc_uring_start(&s->uring, cfg, s->lfds, s->nl, &s->ctl, err);
		if (rc < 0)
			goto out;
		initial = max_workers = 0;
		if (rc == MC_URING_SIGNALLED) {
			rc = 0;
			goto stop;
		}
		goto ready;
	}

	/* One table is enough when the target fits in it; past that every
	 * worker takes its own. */
	open_fds = mc_fdtable_count();
	s->cap_est = limit > (uint64_t)open_fds + 3 ? limit - (uint64_t)open_fds - 3 : 1;
	s->private_tables = cfg->max_conns == 0 || cfg->max_conns > s->cap_est;
	if (!s->private_tables) {
		initial = auto_workers ? 1 : cfg->workers;
		max_workers = initial;
	} else if (auto_workers) {
		long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
		uint64_t need = cfg->max_conns ? (cfg->max_conns + s->cap_est - 1) / s->cap_est : 0;
		initial = (unsigned)(ncpu > 0 ? ncpu : 1);
		if (need && need < initial)
			initial = (unsigned)need;
		max_workers = MAX_WORKERS;
		if (cfg->max_conns)
			max_workers = (unsigned)(need + 1 < MAX_WORKERS ? need + 1 : MAX_WORKERS);
	} else {
		initial = max_workers = cfg->workers;
	}
	if (initial > MAX_WORKERS)
		initial = max_workers = MAX_WORKERS;

	s->t0 = mc_now_ns();
	for (unsigned i = 0; i < initial; i++)
		if ((rc = spawn_worker(s, err)) < 0)
			goto stop;
	/* wait for the first workers to be listening (or to fail) */
	for (;;) {
		unsigned ready = 0;
		for (unsigned i = 0; i < initial; i++) {
			int st = atomic_load(&s->w[i]->state);
			if (st < 0) {
				char eb[96];
				rc = mc_errf(err, st,
					     "worker %u could not start: %s%s", i,
					     mc_strerror(st, eb, sizeof(eb)),
					     st == -EPERM ? " (unshare(CLONE_FILES) refused: seccomp?)"
							  : "");
				goto stop;
			}
			ready += st == 1;
		}
		if (ready == initial)
			break;
		if (mc_ctl_wait(&s->ctl, 100) == MC_CTL_SIGNAL)
			goto stop;
	}
ready:
	mc_self_rss(&rss_base);
	if (cfg->ready_file && (rc = write_ready_file(s, err)) < 0)
		goto stop;

	last_tick = mc_now_ns();
	for (;;) {
		uint64_t now = mc_now_ns();
		uint64_t next = last_tick + MC_NS_PER_SEC;
		int timeout = next > now ? (int)((next - now) / MC_NS_PER_MS) + 1 : 0;
		enum mc_ctl_event ev;

		if (cfg->duration_ns) {
			uint64_t end = s->t0 + cfg->duration_ns;
			if (now >= end)
				break;
			if ((end - now) / MC_NS_PER_MS < (uint64_t)timeout)
				timeout = (int)((end - now) / MC_NS_PER_MS) + 1;
		}
		if (s->uring) {
			int t = mc_uring_grow(s->uring);
			if (t >= 0 && t < timeout)
				timeout = t;
		}
		if (!s->threads && !s->uring && auto_workers && s->private_tables && cfg->accept_rate != 0 &&
		    atomic_load(&s->nworkers) < max_workers && room(s) < 2 * s->cap_est) {
			struct mc_err serr;
			if (spawn_worker(s, &serr) < 0)
				max_workers = atomic_load(&s->nworkers); /* the host said no */
			if (timeout > 20)
				timeout = 20;
		}
		ev = mc_ctl_wait(&s->ctl, timeout);
		if (ev == MC_CTL_SIGNAL)
			break;
		now = mc_now_ns();
		if (now - last_tick >= MC_NS_PER_SEC) {
			last_tick = now;
			if (cfg->tick) {
				struct mc_server_stats st;
				collect(s, &st);
				st.rss_base = rss_base;
				cfg->tick(cfg->tick_arg, &st);
			}
		}
	}
	rc = 0;
stop:
	collect(s, out);
	out->rss_base = rss_base;
	out->stop_signal = s->ctl.signo;
	mc_ctl_stop(&s->ctl);
	if (s->threads)
		mc_threads_stop(s->threads);
	if (s->uring)
		mc_uring_stop(s->uring);
	for (unsigned i = 0; i < atomic_load(&s->nworkers); i++) {
		pthread_join(s->w[i]->tid, NULL);
		free(s->w[i]);
	}
out:
	for (size_t i = 0; i < s->nl; i++)
		close(s->lfds[i]);
	mc_ctl_close(&s->ctl);
	free(s);
	return rc;
}
