/* epoll.c: the epoll engine (`--model epoll`, the default): workers from
 * the pool (net/pool.h), each with its epoll instance and, past one fd
 * table, its own table; the accept path with the EMFILE reserve, hold and
 * echo (see server.h for the design). */
#include <assert.h>
#include <errno.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "common/clock.h"
#include "common/counter.h"
#include "net/pool.h"
#include "net/sock.h"
#include "server/engine.h"
#include "server/stats.h"

#define ACCEPT_BATCH    64
#define EVENT_BATCH     256
#define SCRATCH_SIZE    32768
#define TAG_LISTEN      0xFFFFFFFFu /* epoll data: high 32 bits */
#define TAG_STOP        0xFFFFFFFEu
#define GEN_MAX         0xFFFFFFF0u
#define ENFILE_PAUSE_NS (10 * MC_NS_PER_MS)

/* Per-connection state: 16 bytes, indexed by fd, nothing allocated while a
 * connection is idle. pend holds echo bytes the peer was not ready for;
 * while it does, the connection is watched for EPOLLOUT only and not read
 * (our backpressure), so its end of file (a half-close) is read only once
 * everything before it has been written back. */
struct srv_conn {
	uint32_t gen;      /* bumped on close: stale epoll events are dropped */
	uint16_t open;
	uint16_t pend_len;
	char *pend;
};
static_assert(sizeof(struct srv_conn) == 16, "keep per-connection state tiny");

struct ep_server;

struct srv_worker {
	struct mc_srv_worker sw; /* first: the pool allocates and starts us */
	struct ep_server *srv;
	int epfd, reserve;
	bool listening;    /* listeners are in our epoll */
	bool paused;       /* --accept-rate budget spent, or the system's files */
	uint64_t resume_ns;
	struct srv_conn *conns;
	size_t nconns; /* size of conns[] (fd numbers below the fd limit) */
	char *scratch;
};

struct ep_server {
	struct mc_engine_env env; /* cfg, listeners, ctl, t0 */
	bool private_tables;
	_Atomic uint64_t accepted_total; /* --accept-rate */
	struct mc_pool pool;
};

static uint64_t cap_of(const struct srv_worker *w)
{
	return CNT_GET(w->sw.pw.cap);
}

/* epoll_ctl, its failure counted by cause. Returns 0 or -errno. */
static int ctl(struct srv_worker *w, int op, int fd, uint32_t events, uint64_t data)
{
	struct epoll_event ev = {.events = events, .data.u64 = data};
	int e;

	if (epoll_ctl(w->epfd, op, fd, op == EPOLL_CTL_DEL ? NULL : &ev) == 0)
		return 0;
	e = errno;
	CNT_ADD(w->sw.c.epoll_failed[mc_cause_from_errno(e)], 1);
	return -e;
}

static void listeners_set(struct srv_worker *w, bool on)
{
	struct ep_server *s = w->srv;

	if (w->listening == on)
		return;
	for (size_t i = 0; i < s->env.nl; i++) {
		/* a listener that could not be added (ENOMEM, ENOSPC) is not
		 * polled by this worker; the others still are (counted in
		 * epoll_failed); deleting it again says ENOENT, which is no
		 * failure */
		if (on)
			ctl(w, EPOLL_CTL_ADD, s->env.lfds[i], EPOLLIN | EPOLLEXCLUSIVE,
			    ((uint64_t)TAG_LISTEN << 32) | i);
		else if (epoll_ctl(w->epfd, EPOLL_CTL_DEL, s->env.lfds[i], NULL) == -1 &&
			 errno != ENOENT)
			CNT_ADD(w->sw.c.epoll_failed[mc_cause_from_errno(errno)], 1);
	}
	w->listening = on;
}

/* Leave the accepting set when full, unless we are the last one in it: the
 * last accepting worker keeps polling and refuses the surplus cleanly. */
static void worker_full(struct srv_worker *w)
{
	if (mc_pool_accept_stop(&w->sw.pw, true))
		listeners_set(w, false);
}

static void worker_room(struct srv_worker *w)
{
	if (!w->paused && mc_pool_accept_resume(&w->sw.pw))
		listeners_set(w, true);
}

static void conn_close(struct srv_worker *w, int fd, enum mc_cause why)
{
	struct srv_conn *c = &w->conns[fd];

	close(fd);
	c->open = 0;
	c->gen = c->gen + 1 >= GEN_MAX ? 0 : c->gen + 1;
	CNT_ADD(w->sw.c.not_echoed, c->pend_len);
	free(c->pend);
	c->pend = NULL;
	c->pend_len = 0;
	CNT_ADD(w->sw.c.closed[why], 1);
	mc_pool_let_go(&w->sw.pw);
	worker_room(w);
}

/* Drop one pending connection: accept and close it at once. Returns false
 * when none was pending. */
static bool drop_one(struct srv_worker *w, int lfd, enum mc_cause why)
{
	int fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);

	if (fd >= 0) {
		close(fd);
		CNT_ADD(w->sw.c.refused[why], 1);
		return true;
	}
	if ((errno == EMFILE || errno == ENFILE) && mc_reserve_drop(&w->reserve, lfd) > 0) {
		CNT_ADD(w->sw.c.refused[why], 1);
		return true;
	}
	return errno == EINTR || errno == ECONNABORTED;
}

/* Stop polling the listeners until resume_ns (the worker loop resumes). */
static void pause_until(struct srv_worker *w, uint64_t resume_ns)
{
	w->paused = true;
	w->resume_ns = resume_ns;
	mc_pool_pause(&w->sw.pw, true);
	listeners_set(w, false);
}

static bool rate_allows(struct srv_worker *w)
{
	struct ep_server *s = w->srv;
	double rate = s->env.cfg->accept_rate;
	uint64_t done, allowed, now;

	if (rate < 0)
		return true; /* no clock read on the accept path unless limited */
	now = mc_now_ns();
	done = atomic_load_explicit(&s->accepted_total, memory_order_relaxed);
	allowed = (uint64_t)(rate * (double)(now - s->env.t0) / 1e9) + 1;
	if (done < allowed)
		return true;
	pause_until(w, s->env.t0 + (uint64_t)((double)(done + 1) * 1e9 / rate));
	return false;
}

static void on_listen(struct srv_worker *w, int lfd)
{
	struct ep_server *s = w->srv;
	uint64_t max = s->env.cfg->max_conns;

	for (int i = 0; i < ACCEPT_BATCH; i++) {
		int fd, rc;

		if (max && atomic_load_explicit(&s->pool.held_total, memory_order_relaxed) >= max) {
			if (!drop_one(w, lfd, MC_CAUSE_MAX_CONNS))
				return;
			continue;
		}
		if (CNT_GET(w->sw.pw.held) >= cap_of(w)) {
			worker_full(w);
			if (!w->listening)
				return;
			if (!drop_one(w, lfd, MC_CAUSE_EMFILE))
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
			case ENFILE:
				/* fs.file-max, for the whole system: another fd table
				 * would not help. Refuse through the reserve, counted.
				 * When even that finds no file (others hold them all),
				 * the connection waits in the queue: counted once per
				 * try, and the worker looks again ENFILE_PAUSE later
				 * instead of spinning; files may be freed elsewhere */
				CNT_ADD(w->sw.c.refused[MC_CAUSE_ENFILE], 1);
				if (mc_reserve_drop(&w->reserve, lfd) <= 0)
					pause_until(w, mc_now_ns() + ENFILE_PAUSE_NS);
				return;
			case EMFILE:
				/* the table is full before our cap said so (other fds
				 * opened): refuse through the reserve, stop accepting */
				if (mc_reserve_drop(&w->reserve, lfd) > 0)
					CNT_ADD(w->sw.c.refused[MC_CAUSE_EMFILE], 1);
				atomic_store(&w->sw.pw.cap, CNT_GET(w->sw.pw.held));
				worker_full(w);
				return;
			case ENOBUFS:
			case ENOMEM:
				CNT_ADD(w->sw.c.refused[MC_CAUSE_NOMEM], 1);
				return;
			default:
				/* EPROTO, EPERM (a firewall): the kernel dropped
				 * that one; the next may be fine */
				return;
			}
		}
		if ((size_t)fd >= w->nconns) { /* cannot happen below RLIMIT_NOFILE */
			close(fd);
			CNT_ADD(w->sw.c.refused[MC_CAUSE_EMFILE], 1);
			continue;
		}
		struct srv_conn *c = &w->conns[fd];
		/* --mode unread: only the peer's close is watched */
		rc = ctl(w, EPOLL_CTL_ADD, fd,
			 s->env.cfg->mode == MC_SERVER_UNREAD ? EPOLLRDHUP : EPOLLIN | EPOLLRDHUP,
			 ((uint64_t)c->gen << 32) | (uint32_t)fd);
		if (rc < 0) {
			close(fd);
			/* ENOSPC: fs.epoll.max_user_watches; ENOMEM: memory */
			CNT_ADD(w->sw.c.refused[mc_cause_from_errno(rc)], 1);
			continue;
		}
		c->open = 1;
		CNT_ADD(w->sw.c.accepted, 1);
		atomic_fetch_add_explicit(&s->accepted_total, 1, memory_order_relaxed);
		mc_pool_took(&w->sw.pw);
	}
}

/* Write as much of buf as the socket takes; keep the rest in c->pend (empty
 * on entry) and wait for EPOLLOUT alone: reading stops meanwhile (that is
 * our backpressure), and EPOLLRDHUP stays out of the mask, since after a
 * half-close it would be reported on every wait. Returns 0 or -errno (the
 * connection is to be closed; what was not written is counted, not echoed).
 */
static int echo_write(struct srv_worker *w, int fd, const char *buf, size_t len)
{
	struct srv_conn *c = &w->conns[fd];
	size_t off = 0;
	int rc = 0;

	while (off < len) {
		ssize_t n = send(fd, buf + off, len - off, MSG_NOSIGNAL);
		if (n > 0) {
			off += (size_t)n;
			CNT_ADD(w->sw.c.bytes_out, (uint64_t)n);
			continue;
		}
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1 && errno == EAGAIN)
			break;
		rc = -errno;
		break;
	}
	if (off < len && rc == 0) {
		size_t rest = len - off;
		char *p = malloc(rest);
		if (!p) {
			CNT_ADD(w->sw.c.not_echoed, rest);
			return -ENOMEM;
		}
		memcpy(p, buf + off, rest);
		free(c->pend);
		c->pend = p;
		c->pend_len = (uint16_t)rest;
		/* not watched for EPOLLOUT, the rest would never be sent */
		return ctl(w, EPOLL_CTL_MOD, fd, EPOLLOUT,
			   ((uint64_t)c->gen << 32) | (uint32_t)fd);
	}
	if (rc < 0)
		CNT_ADD(w->sw.c.not_echoed, len - off);
	return rc;
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
	/* all sent: read again (not watched for EPOLLIN, it would hang) */
	if (rc == 0 && !c->pend)
		rc = ctl(w, EPOLL_CTL_MOD, fd, EPOLLIN | EPOLLRDHUP,
			 ((uint64_t)c->gen << 32) | (uint32_t)fd);
	if (rc < 0)
		conn_close(w, fd, mc_cause_from_errno(rc));
}

/* --mode unread: why the peer's connection ended (a reset, or its close). */
static enum mc_cause unread_end(int fd)
{
	int e = mc_sock_error(fd);

	return e < 0 ? mc_cause_from_errno(e) : MC_CAUSE_PEER_CLOSED;
}

static void on_readable(struct srv_worker *w, int fd)
{
	bool echo = w->srv->env.cfg->mode == MC_SERVER_ECHO;

	for (int i = 0; i < 4; i++) {
		ssize_t n = recv(fd, w->scratch, SCRATCH_SIZE, 0);
		if (n > 0) {
			CNT_ADD(w->sw.c.bytes_in, (uint64_t)n);
			if (echo) {
				int rc = echo_write(w, fd, w->scratch, (size_t)n);
				if (rc < 0) {
					conn_close(w, fd, mc_cause_from_errno(rc));
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
			conn_close(w, fd, MC_CAUSE_PEER_CLOSED);
			return;
		}
		if (errno == EINTR)
			continue;
		if (errno == EAGAIN)
			return;
		conn_close(w, fd, mc_cause_from_errno(errno));
		return;
	}
}

static int worker_setup(struct srv_worker *w)
{
	struct ep_server *s = w->srv;
	int open_fds;

	w->epfd = mc_ctl_worker_init(s->env.ctl, s->private_tables, (uint64_t)TAG_STOP << 32);
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
		atomic_store(&w->sw.pw.cap, w->nconns > (size_t)open_fds + 1
						 ? w->nconns - (size_t)open_fds - 1
						 : 0);
	} else {
		atomic_store(&w->sw.pw.cap, UINT64_MAX / 2);
	}
	return 0;
}

/* Close what the worker holds and free what it has: at its end, and after
 * a setup that failed half way (a shared fd table keeps its fds). */
static void worker_release(struct srv_worker *w)
{
	for (size_t fd = 0; w->conns && fd < w->nconns; fd++)
		if (w->conns[fd].open) {
			close((int)fd);
			CNT_ADD(w->sw.c.not_echoed, w->conns[fd].pend_len);
			free(w->conns[fd].pend);
		}
	free(w->conns);
	free(w->scratch);
	w->conns = NULL;
	w->scratch = NULL;
	if (w->reserve >= 0)
		close(w->reserve);
	if (w->epfd >= 0)
		close(w->epfd);
	w->reserve = w->epfd = -1;
}

static void *worker_main(void *arg)
{
	struct srv_worker *w = arg;
	struct ep_server *s = w->srv;
	struct epoll_event evs[EVENT_BATCH];
	int rc = worker_setup(w);

	if (rc < 0) {
		worker_release(w);
		mc_pool_worker_ready(&w->sw.pw, rc);
		return NULL;
	}
	if (s->env.cfg->accept_rate != 0) {
		mc_pool_accept_start(&w->sw.pw);
		listeners_set(w, true);
	}
	mc_pool_worker_ready(&w->sw.pw, 0);

	for (;;) {
		int timeout = -1, n;

		if (w->paused) {
			uint64_t now = mc_now_ns();
			if (now >= w->resume_ns) {
				w->paused = false;
				worker_room(w);
				mc_pool_pause(&w->sw.pw, false);
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
					on_listen(w, s->env.lfds[lo]);
				continue;
			}
			if (lo >= w->nconns || !w->conns[lo].open || w->conns[lo].gen != tag)
				continue; /* closed (and maybe reused) earlier in this batch */
			/* with echo bytes pending, any event (EPOLLOUT, or an
			 * error) is for the write side: never read before they
			 * are written back */
			if (w->conns[lo].pend)
				on_writable(w, (int)lo);
			else if (s->env.cfg->mode == MC_SERVER_UNREAD)
				conn_close(w, (int)lo, unread_end((int)lo));
			else
				on_readable(w, (int)lo);
		}
	}
out:
	worker_release(w);
	return NULL;
}

static void worker_prepare(struct mc_pool_worker *pw)
{
	struct srv_worker *w = (struct srv_worker *)pw;

	w->srv = pw->pool->owner;
	w->epfd = w->reserve = -1;
}

static void worker_failed(const struct mc_pool_worker *pw, int rc, struct mc_err *err)
{
	char eb[96];

	mc_errf(err, rc, "worker %u could not start: %s%s", pw->id, mc_strerror(rc, eb, sizeof(eb)),
		rc == -EPERM ? " (unshare(CLONE_FILES) refused: seccomp?)" : "");
}

/* ---- the engine ------------------------------------------------------ */

static void ep_stop(void *run, struct mc_server_stats *st)
{
	struct ep_server *s = run;

	mc_pool_join(&s->pool);
	if (st)
		mc_srv_pool_bytes(st, &s->pool);
	mc_pool_free(&s->pool);
	free(s);
}

static int ep_start(void **run, const struct mc_engine_env *env, struct mc_err *err)
{
	const struct mc_server_config *cfg = env->cfg;
	struct ep_server *s = calloc(1, sizeof(*s));
	struct mc_pool_plan plan;
	int rc, open_fds;

	if (!s)
		return mc_errf(err, -ENOMEM, "out of memory");
	s->env = *env;
	s->pool = (struct mc_pool){.size = sizeof(struct srv_worker),
				   .main = worker_main,
				   .prepare = worker_prepare,
				   .owner = s,
				   .why = worker_failed,
				   .wakefd = env->ctl->wakefd};
	/* One table is enough when the target fits in it; past that every
	 * worker takes its own. */
	open_fds = mc_fdtable_count();
	s->pool.table = mc_pool_table_room(mc_fdtable_limit(), open_fds > 0 ? (uint64_t)open_fds : 0);
	s->private_tables = cfg->max_conns == 0 || cfg->max_conns > s->pool.table;
	if (s->private_tables) {
		plan = mc_pool_plan_grow(cfg->max_conns, s->pool.table, cfg->workers,
					 mc_pool_ncpu());
	} else {
		plan.initial = cfg->workers ? cfg->workers : 1;
		plan.max = plan.initial;
	}
	atomic_store(&s->pool.max, plan.max);
	s->pool.grows = !cfg->workers && s->private_tables && cfg->accept_rate != 0;

	/* the first workers, listening (or failed) */
	if ((rc = mc_pool_start(&s->pool, plan.initial, s->env.ctl, err)) < 0) {
		mc_ctl_stop(s->env.ctl);
		ep_stop(s, NULL);
		return rc;
	}
	*run = s;
	return rc == MC_POOL_SIGNALLED ? MC_ENGINE_SIGNALLED : 0;
}

static int ep_grow(void *run)
{
	return mc_pool_grow(&((struct ep_server *)run)->pool);
}

/* Per-worker counters merged on read. */
static void ep_collect(void *run, struct mc_server_stats *st)
{
	struct ep_server *s = run;

	mc_srv_pool_collect(st, &s->pool);
	st->private_fd_tables = s->private_tables;
	st->per_table_cap = s->private_tables ? s->pool.table : 0;
}

const struct mc_engine mc_engine_epoll = {
	.start = ep_start,
	.grow = ep_grow,
	.collect = ep_collect,
	.stop = ep_stop,
};
