/* uring.c: the io_uring engine (`--model uring`): workers from the pool
 * (net/pool.h), each with a ring, multishot accept into registered files,
 * receives from provided buffers, hold and echo.
 *
 * A worker posts one multishot accept per listener (the listeners are
 * ordinary fds shared by every worker) that puts each new socket straight
 * into the ring's registered-file table (accept "direct"), so a connection
 * costs no slot in the process fd table; then one receive in flight per
 * connection, fed from a ring of provided buffers the worker shares between
 * its connections, so an idle connection has no buffer. Echo sends from
 * that buffer with the fixed file, one send in flight per connection, in
 * order.
 *
 * The receives are single-shot, posted again after each completion, not
 * multishot: on kernel 6.18 a multishot receive whose connection was reset
 * just after it delivered data sometimes never completed again (a
 * standalone test of 3,000 connections that send 5 bytes and reset left 1
 * to 6 of them with no completion in 17 of 30 runs; single-shot, 0 in 54),
 * and the server counted connections as held that the kernel had closed.
 *
 * A ring's registered-file table is capped at RLIMIT_NOFILE, so a worker
 * holds at most that many connections: a worker near full cancels its
 * accepts and, in auto mode, the main thread has started another worker
 * before that (one ring per RLIMIT_NOFILE connections). Connections that
 * still reach a full table are closed by the kernel and counted as refused
 * for the fd limit. If io_uring is missing or disabled, start says why and
 * how to fix it (-ENOSYS or -EPERM) and never falls back to another model. */
#include <assert.h>
#include <errno.h>
#include <liburing.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

#include "common/counter.h"
#include "common/procfs.h"
#include "net/pool.h"
#include "net/sock.h"
#include "server/engine.h"
#include "server/stats.h"

#define MAX_FILES   (1u << 20) /* the kernel's cap on one ring's file table */
#define SQ_ENTRIES  1024
#define CQ_ENTRIES  8192
#define BUF_COUNT   64 /* provided buffers per worker (a power of two): 256 KiB,
			* resident once the kernel has cycled through them, so
			* 1024 (4 MiB) cost ~210 B per connection at 20k per ring;
			* 64 gives 50 B at 50k with the same echo rate */
#define BUF_SIZE    4096
#define BGID        0
#define SINGLE_MAX  64 /* single-shot accepts in flight per worker */
#define QMAX        8 /* echo: buffers queued on one connection before it stops reading */
#define NONE16      0xFFFFu
#define NONE32      0xFFFFFFFFu

/* user_data: the operation in the top byte, the slot or listener below */
enum { OP_ACCEPT = 1, OP_ACCEPT1, OP_RECV, OP_SEND, OP_CLOSE, OP_CANCEL, OP_STOP };
#define UD(op, idx) (((uint64_t)(op) << 56) | (uint32_t)(idx))

/* conn flags */
enum {
	F_OPEN = 1,     /* a connection is in this slot */
	F_RECV = 2,     /* a receive is in flight */
	F_SEND = 4,     /* a send is in flight */
	F_CLOSING = 8,  /* ending: close once nothing is in flight */
	F_STALLED = 16, /* receive ended for want of buffers: on the stalled list */
	F_QFULL = 32,   /* echo: receive stopped until the queue drains */
	F_EOF = 64,     /* echo: the peer is done sending; close once the queue is written back */
};
/* Per-connection state: 16 bytes, indexed by the registered-file slot. The
 * echo queue is a chain of provided buffers (linked through the worker's
 * per-buffer arrays): nothing is allocated for a connection, and an idle
 * one holds no buffer. */
struct ur_conn {
	uint16_t qhead, qtail; /* buffer ids, NONE16 when empty */
	uint16_t qoff;         /* bytes of qhead already sent */
	uint16_t qn;           /* buffers queued */
	uint8_t flags;
	uint8_t why; /* enum mc_cause: why it is closing */
	uint8_t pad[2];
	uint32_t next; /* the stalled list */
};
static_assert(sizeof(struct ur_conn) == 16, "keep per-connection state tiny");
static_assert(MC_CAUSE_COUNT <= 256, "a cause fits in ur_conn.why");

struct ur_server;

struct ur_worker {
	struct mc_srv_worker sw; /* first: the pool allocates and starts us */
	struct ur_server *u;
	struct io_uring ring;
	bool ring_ok, stopping;
	struct io_uring_buf_ring *br;
	char *bufs;
	uint16_t *blen, *bnext; /* per buffer: bytes, next in a connection's queue */
	unsigned returned;      /* buffers given back since the last advance */
	unsigned out;           /* buffers we hold (not in the ring) */
	struct ur_conn *conns;  /* by slot */
	uint8_t *armed;         /* by listener: multishot accept 0 none, 1 live, 2 cancelled */
	uint32_t pending;       /* single-shot accepts in flight: a slot promised to each */
	uint32_t closing;       /* direct closes in flight */
	size_t rr;              /* next listener for a single-shot accept */
	bool replan;            /* accept_plan() has something to do */
	bool singles_cancelled, broken;
	uint32_t stalled_head, stalled_tail;
	const char *stage;   /* what failed, when pw.state < 0 */
};

struct ur_server {
	struct mc_engine_env env; /* cfg, listeners, ctl, t0 */
	uint32_t cap;   /* registered files per ring: RLIMIT_NOFILE */
	uint32_t margin; /* multishot accept only while more slots than this are free */
	bool echo;
	struct mc_pool pool;
};


/* ---- submission helpers --------------------------------------------- */

static struct io_uring_sqe *sqe_get(struct ur_worker *w)
{
	struct io_uring_sqe *sqe;

	while (!(sqe = io_uring_get_sqe(&w->ring)))
		io_uring_submit(&w->ring); /* the queue is full: hand it over */
	return sqe;
}

static void cancel(struct ur_worker *w, uint64_t target, int flags)
{
	struct io_uring_sqe *sqe = sqe_get(w);

	io_uring_prep_cancel64(sqe, target, flags);
	io_uring_sqe_set_data64(sqe, UD(OP_CANCEL, 0));
}

static void accept_arm(struct ur_worker *w, size_t i)
{
	struct io_uring_sqe *sqe = sqe_get(w);

	io_uring_prep_multishot_accept_direct(sqe, w->u->env.lfds[i], NULL, NULL, 0);
	io_uring_sqe_set_data64(sqe, UD(OP_ACCEPT, i));
	w->armed[i] = 1;
}

static void recv_arm(struct ur_worker *w, uint32_t slot)
{
	struct io_uring_sqe *sqe = sqe_get(w);

	io_uring_prep_recv(sqe, (int)slot, NULL, 0, 0); /* single-shot: see the top */
	sqe->flags |= IOSQE_FIXED_FILE | IOSQE_BUFFER_SELECT;
	sqe->buf_group = BGID;
	io_uring_sqe_set_data64(sqe, UD(OP_RECV, slot));
	w->conns[slot].flags |= F_RECV;
}

static void send_next(struct ur_worker *w, uint32_t slot)
{
	struct ur_conn *c = &w->conns[slot];
	struct io_uring_sqe *sqe = sqe_get(w);

	io_uring_prep_send(sqe, (int)slot, w->bufs + (size_t)c->qhead * BUF_SIZE + c->qoff,
			   (size_t)(w->blen[c->qhead] - c->qoff), MSG_NOSIGNAL | MSG_WAITALL);
	sqe->flags |= IOSQE_FIXED_FILE;
	io_uring_sqe_set_data64(sqe, UD(OP_SEND, slot));
	c->flags |= F_SEND;
}

static void close_slot(struct ur_worker *w, uint32_t slot)
{
	struct io_uring_sqe *sqe = sqe_get(w);

	io_uring_prep_close_direct(sqe, slot);
	io_uring_sqe_set_data64(sqe, UD(OP_CLOSE, slot));
	w->closing++; /* the slot is taken until the close completes */
}

/* Give a provided buffer back to the kernel (published at the batch end). */
static void buf_put(struct ur_worker *w, uint16_t bid)
{
	io_uring_buf_ring_add(w->br, w->bufs + (size_t)bid * BUF_SIZE, BUF_SIZE, bid,
			      io_uring_buf_ring_mask(BUF_COUNT), (int)w->returned++);
	w->out--;
}

/* ---- accepting ------------------------------------------------------ */

/* Slots that no accept may take: held, promised to a single-shot accept in
 * flight, or still closing. */
static uint32_t slots_free(const struct ur_worker *w)
{
	uint64_t used = CNT_GET(w->sw.pw.held) + w->pending + w->closing;

	return used < w->u->cap ? (uint32_t)(w->u->cap - used) : 0;
}

/* Leave the accepting set when full, unless we are the last one in it (the
 * main thread is starting the next worker; until then connections wait in
 * the listen queue). */
static void worker_full(struct ur_worker *w)
{
	if (mc_pool_accept_stop(&w->sw.pw, true))
		w->replan = true;
}

static void worker_room(struct ur_worker *w)
{
	if (w->u->env.cfg->accept_rate != 0 && mc_pool_accept_resume(&w->sw.pw))
		w->replan = true;
}

/* Post the accepts the worker's state calls for. A multishot accept drains
 * the whole listen queue into the ring at once, and a socket accepted into
 * a full table is closed by the kernel, so multishot runs only while more
 * slots are free than the queue can hold (u->margin); past that the worker
 * posts single-shot accepts, at most one per free slot, and fills its table
 * to the last slot without refusing anything. The last accepting worker,
 * full, when no other worker can start, keeps one accept posted: what it
 * takes is refused (closed by the kernel) and counted. */
static void accept_plan(struct ur_worker *w)
{
	struct ur_server *u = w->u;
	bool on = atomic_load_explicit(&w->sw.pw.accepting, memory_order_relaxed);
	uint32_t free_slots = slots_free(w), want;
	bool multi;

	w->replan = false;
	if (on && free_slots == 0) {
		worker_full(w);
		on = atomic_load_explicit(&w->sw.pw.accepting, memory_order_relaxed);
		w->replan = false;
	}
	multi = on && free_slots > u->margin;
	for (size_t i = 0; i < u->env.nl; i++) {
		if (multi && w->armed[i] == 0) {
			accept_arm(w, i);
		} else if (!multi && w->armed[i] == 1) {
			cancel(w, UD(OP_ACCEPT, i), 0);
			w->armed[i] = 2; /* 0 again on its last CQE */
		}
	}
	if (!on) {
		if (w->pending && !w->singles_cancelled) {
			for (size_t i = 0; i < u->env.nl; i++)
				cancel(w, UD(OP_ACCEPT1, i), IORING_ASYNC_CANCEL_ALL);
			w->singles_cancelled = true;
		}
		return;
	}
	w->singles_cancelled = false;
	if (multi)
		return;
	want = free_slots + w->pending;
	if (want == 0 && mc_pool_count(&u->pool) >= atomic_load(&u->pool.max))
		want = 1; /* refuse the surplus: the kernel closes it, we count it */
	while (w->pending < want && w->pending < SINGLE_MAX) {
		struct io_uring_sqe *sqe = sqe_get(w);
		size_t i = w->rr++ % u->env.nl;

		/* "allocate a slot": liburing 2.3 adds the 1 itself, 2.4 and
		 * later turn IORING_FILE_INDEX_ALLOC into this; both mean ALLOC */
		io_uring_prep_accept_direct(sqe, u->env.lfds[i], NULL, NULL, 0,
					    IORING_FILE_INDEX_ALLOC - 1);
		io_uring_sqe_set_data64(sqe, UD(OP_ACCEPT1, i));
		w->pending++;
	}
}

static void conn_new(struct ur_worker *w, uint32_t slot)
{
	struct ur_server *u = w->u;

	if (slot >= u->cap) { /* cannot happen: the table has cap slots */
		close_slot(w, slot);
		CNT_ADD(w->sw.c.refused[MC_CAUSE_EMFILE], 1);
		return;
	}
	if (u->env.cfg->max_conns &&
	    atomic_load_explicit(&u->pool.held_total, memory_order_relaxed) >= u->env.cfg->max_conns) {
		close_slot(w, slot);
		CNT_ADD(w->sw.c.refused[MC_CAUSE_MAX_CONNS], 1);
		return;
	}
	w->conns[slot] = (struct ur_conn){.qhead = NONE16, .qtail = NONE16, .flags = F_OPEN};
	recv_arm(w, slot);
	CNT_ADD(w->sw.c.accepted, 1);
	mc_pool_took(&w->sw.pw);
}

/* A multishot (single == false) or single-shot accept completed. */
static void on_accept(struct ur_worker *w, size_t li, int res, unsigned flags, bool single)
{
	if (single)
		w->pending--;
	else if (!(flags & IORING_CQE_F_MORE))
		w->armed[li] = 0; /* ended: accept_plan posts it again if wanted */
	w->replan = true;
	if (res >= 0) {
		conn_new(w, (uint32_t)res);
	} else if (res == -ENFILE || res == -EMFILE) {
		/* the table was full: the kernel closed that connection */
		CNT_ADD(w->sw.c.refused[MC_CAUSE_EMFILE], 1);
	} else if (res == -ENOMEM || res == -ENOBUFS) {
		CNT_ADD(w->sw.c.refused[MC_CAUSE_NOMEM], 1);
	} else if (res == -EINVAL || res == -EBADF || res == -ENOTSOCK) {
		w->broken = true; /* this kernel cannot do it: do not spin re-posting */
	}
}

/* ---- connections ---------------------------------------------------- */

/* Give back the buffers of a connection's echo queue; what they still held
 * was read and will not be written back: counted. */
static void queue_drop(struct ur_worker *w, struct ur_conn *c)
{
	uint64_t left = 0;

	while (c->qhead != NONE16) {
		uint16_t next = w->bnext[c->qhead];
		left += w->blen[c->qhead];
		buf_put(w, c->qhead);
		c->qhead = next;
	}
	CNT_ADD(w->sw.c.not_echoed, left - c->qoff); /* qoff: sent of the first */
	c->qtail = NONE16;
	c->qn = c->qoff = 0;
}

/* Close the slot once nothing of ours is in flight on it: after this the
 * kernel may hand the slot to a new connection. */
static void conn_release(struct ur_worker *w, uint32_t slot)
{
	struct ur_conn *c = &w->conns[slot];

	if (c->flags & (F_RECV | F_SEND | F_STALLED))
		return;
	queue_drop(w, c);
	close_slot(w, slot);
	CNT_ADD(w->sw.c.closed[c->why], 1);
	c->flags = 0;
	mc_pool_let_go(&w->sw.pw);
	worker_room(w);
}

static void conn_end(struct ur_worker *w, uint32_t slot, enum mc_cause why)
{
	struct ur_conn *c = &w->conns[slot];

	if (c->flags & F_CLOSING)
		return;
	c->flags |= F_CLOSING;
	c->why = (uint8_t)why;
	if (c->flags & F_RECV)
		cancel(w, UD(OP_RECV, slot), 0);
	conn_release(w, slot);
}

/* The peer is done sending (a receive read 0). Hold mode, or nothing left
 * to echo: the connection ends. Otherwise it ends once the queue is
 * written back (on_send): a half-close is not the end of the write side. */
static void peer_done(struct ur_worker *w, uint32_t slot)
{
	struct ur_conn *c = &w->conns[slot];

	if (c->qhead == NONE16)
		conn_end(w, slot, MC_CAUSE_PEER_CLOSED);
	else
		c->flags |= F_EOF;
}

/* Receive again if nothing stops it: not ending, not waiting for buffers,
 * the peer not done sending, and (echo) the queue has drained to half. */
static void recv_resume(struct ur_worker *w, uint32_t slot)
{
	struct ur_conn *c = &w->conns[slot];

	if (c->flags & (F_RECV | F_CLOSING | F_STALLED | F_EOF))
		return;
	if ((c->flags & F_QFULL) && c->qn > QMAX / 2)
		return;
	c->flags &= (uint8_t)~F_QFULL;
	recv_arm(w, slot);
}

static void stall(struct ur_worker *w, uint32_t slot)
{
	struct ur_conn *c = &w->conns[slot];

	c->flags |= F_STALLED;
	c->next = NONE32;
	if (w->stalled_tail == NONE32)
		w->stalled_head = slot;
	else
		w->conns[w->stalled_tail].next = slot;
	w->stalled_tail = slot;
}

/* After a batch: connections whose receive ran out of buffers read again,
 * one per buffer the kernel has (a receive takes one), and closing ones
 * leave the list at once. A connection that waits here has no receive in
 * flight, so it learns of a reset only once it reads again. */
static void unstall(struct ur_worker *w)
{
	unsigned spare = BUF_COUNT - w->out;

	for (int i = 0; i < 64 && w->stalled_head != NONE32; i++) {
		uint32_t slot = w->stalled_head;
		struct ur_conn *c = &w->conns[slot];

		if (!(c->flags & F_CLOSING)) {
			if (spare == 0)
				return;
			spare--;
		}
		w->stalled_head = c->next;
		if (w->stalled_head == NONE32)
			w->stalled_tail = NONE32;
		c->flags &= (uint8_t)~F_STALLED;
		if (c->flags & F_CLOSING)
			conn_release(w, slot);
		else
			recv_resume(w, slot);
	}
}

static void echo_enqueue(struct ur_worker *w, uint32_t slot, uint16_t bid, uint16_t len)
{
	struct ur_conn *c = &w->conns[slot];

	w->blen[bid] = len;
	w->bnext[bid] = NONE16;
	if (c->qtail == NONE16)
		c->qhead = bid;
	else
		w->bnext[c->qtail] = bid;
	c->qtail = bid;
	c->qn++;
	if (!(c->flags & F_SEND))
		send_next(w, slot);
	/* the peer reads slower than it writes: stop reading it (receive no
	 * more until half the queue is sent), so one connection cannot take
	 * every buffer of the worker */
	if (c->qn >= QMAX)
		c->flags |= F_QFULL;
}

static void on_recv(struct ur_worker *w, uint32_t slot, int res, unsigned flags)
{
	struct ur_conn *c = &w->conns[slot];
	uint16_t bid = NONE16;

	if (slot >= w->u->cap || !(c->flags & F_OPEN))
		return;
	if (!(flags & IORING_CQE_F_MORE))
		c->flags &= (uint8_t)~F_RECV;
	if (flags & IORING_CQE_F_BUFFER) {
		bid = (uint16_t)(flags >> IORING_CQE_BUFFER_SHIFT);
		w->out++;
	}
	if (res > 0) {
		CNT_ADD(w->sw.c.bytes_in, (uint64_t)res);
		if (w->u->echo && !(c->flags & F_CLOSING) && bid != NONE16) {
			echo_enqueue(w, slot, bid, (uint16_t)res);
			bid = NONE16;
		} else if (w->u->echo) {
			CNT_ADD(w->sw.c.not_echoed, (uint64_t)res); /* read as it ends */
		}
	}
	if (bid != NONE16)
		buf_put(w, bid);
	if (res == 0)
		peer_done(w, slot);
	else if (res == -ENOBUFS && !(c->flags & F_CLOSING))
		stall(w, slot);
	else if (res < 0 && res != -ECANCELED && res != -ENOBUFS)
		conn_end(w, slot, mc_cause_from_errno(res));
	/* released (conn_end closed the slot, which may already hold the next
	 * connection by the time a receive armed now would run), or still
	 * receiving: nothing more to do */
	if (!(c->flags & F_OPEN) || (c->flags & F_RECV))
		return;
	if (c->flags & F_CLOSING)
		conn_release(w, slot);
	else
		recv_resume(w, slot); /* the next receive */
}

static void on_send(struct ur_worker *w, uint32_t slot, int res)
{
	struct ur_conn *c = &w->conns[slot];

	if (slot >= w->u->cap || !(c->flags & F_OPEN))
		return;
	c->flags &= (uint8_t)~F_SEND;
	if (res > 0) {
		CNT_ADD(w->sw.c.bytes_out, (uint64_t)res);
		c->qoff = (uint16_t)(c->qoff + res);
		if (c->qoff >= w->blen[c->qhead]) {
			uint16_t next = w->bnext[c->qhead];
			buf_put(w, c->qhead);
			c->qhead = next;
			if (next == NONE16)
				c->qtail = NONE16;
			c->qn--;
			c->qoff = 0;
		}
	} else {
		conn_end(w, slot, mc_cause_from_errno(res));
	}
	if (!(c->flags & F_OPEN))
		return; /* released: arm nothing on a closing slot */
	if (c->flags & F_CLOSING) {
		conn_release(w, slot);
		return;
	}
	if (c->qhead != NONE16)
		send_next(w, slot);
	else if (c->flags & F_EOF)
		conn_end(w, slot, MC_CAUSE_PEER_CLOSED); /* all written back */
	else
		recv_resume(w, slot);
}

/* ---- the worker ----------------------------------------------------- */

/* A ring of provided buffers (what io_uring_setup_buf_ring does in
 * liburing 2.4; Debian 12 has 2.3): page-aligned ring memory, registered as
 * group BGID, every buffer handed to the kernel. */
static int bufs_setup(struct ur_worker *w)
{
	size_t rsz = BUF_COUNT * sizeof(struct io_uring_buf);
	struct io_uring_buf_reg reg = {.ring_entries = BUF_COUNT, .bgid = BGID};
	void *p = mmap(NULL, rsz, PROT_READ | PROT_WRITE, MAP_ANONYMOUS | MAP_PRIVATE, -1, 0);
	int rc;

	if (p == MAP_FAILED)
		return -errno;
	w->br = p;
	io_uring_buf_ring_init(w->br);
	reg.ring_addr = (uint64_t)(uintptr_t)p;
	if ((rc = io_uring_register_buf_ring(&w->ring, &reg, 0)) < 0)
		return rc;
	/* touched only where the kernel writes: an idle server stays small */
	p = mmap(NULL, (size_t)BUF_COUNT * BUF_SIZE, PROT_READ | PROT_WRITE,
		 MAP_ANONYMOUS | MAP_PRIVATE, -1, 0);
	if (p == MAP_FAILED)
		return -errno;
	w->bufs = p;
	w->out = BUF_COUNT;
	for (unsigned i = 0; i < BUF_COUNT; i++)
		buf_put(w, (uint16_t)i);
	io_uring_buf_ring_advance(w->br, (int)w->returned);
	w->returned = 0;
	return 0;
}

static int worker_setup(struct ur_worker *w)
{
	struct ur_server *u = w->u;
	struct io_uring_params p = {.flags = IORING_SETUP_CQSIZE | IORING_SETUP_SUBMIT_ALL |
					     IORING_SETUP_SINGLE_ISSUER |
					     IORING_SETUP_DEFER_TASKRUN,
				    .cq_entries = CQ_ENTRIES};
	struct io_uring_sqe *sqe;
	int rc;

	w->stage = "io_uring_queue_init";
	rc = io_uring_queue_init_params(SQ_ENTRIES, &w->ring, &p);
	if (rc == -EINVAL) { /* before 6.1: no DEFER_TASKRUN */
		p = (struct io_uring_params){.flags = IORING_SETUP_CQSIZE,
					     .cq_entries = CQ_ENTRIES};
		rc = io_uring_queue_init_params(SQ_ENTRIES, &w->ring, &p);
	}
	if (rc < 0)
		return rc;
	w->ring_ok = true;
	w->stage = "io_uring_register_files_sparse";
	if ((rc = io_uring_register_files_sparse(&w->ring, u->cap)) < 0)
		return rc;
	w->stage = "io_uring_register_buf_ring";
	if ((rc = bufs_setup(w)) < 0)
		return rc;
	w->stage = "allocating connection state";
	w->conns = calloc(u->cap, sizeof(*w->conns));
	w->blen = calloc(BUF_COUNT, sizeof(*w->blen));
	w->bnext = calloc(BUF_COUNT, sizeof(*w->bnext));
	w->armed = calloc(u->env.nl, 1);
	if (!w->conns || !w->blen || !w->bnext || !w->armed)
		return -ENOMEM;
	w->stalled_head = w->stalled_tail = NONE32;
	atomic_store(&w->sw.pw.cap, u->cap);
	sqe = sqe_get(w);
	io_uring_prep_poll_add(sqe, u->env.ctl->stopfd, POLLIN);
	io_uring_sqe_set_data64(sqe, UD(OP_STOP, 0));
	if (u->env.cfg->accept_rate != 0) {
		mc_pool_accept_start(&w->sw.pw);
		accept_plan(w);
	}
	w->stage = "io_uring_submit";
	rc = io_uring_submit(&w->ring);
	return rc < 0 ? rc : 0;
}

static void dispatch(struct ur_worker *w, const struct io_uring_cqe *cqe)
{
	uint64_t ud = io_uring_cqe_get_data64(cqe);
	uint32_t idx = (uint32_t)ud;

	switch ((int)(ud >> 56)) {
	case OP_ACCEPT:
	case OP_ACCEPT1:
		on_accept(w, idx, cqe->res, cqe->flags, ud >> 56 == OP_ACCEPT1);
		break;
	case OP_CLOSE:
		w->closing--;
		w->replan = true;
		break;
	case OP_RECV:
		on_recv(w, idx, cqe->res, cqe->flags);
		break;
	case OP_SEND:
		on_send(w, idx, cqe->res);
		break;
	case OP_STOP:
		w->stopping = true;
		break;
	default: /* OP_CANCEL: nothing to do */
		break;
	}
}

static void worker_free(struct ur_worker *w)
{
	/* the stop drops what the open connections still had to echo */
	for (uint32_t slot = 0; w->conns && slot < w->u->cap; slot++)
		if (w->conns[slot].flags & F_OPEN)
			queue_drop(w, &w->conns[slot]);
	if (w->ring_ok)
		io_uring_queue_exit(&w->ring); /* closes every registered socket */
	w->ring_ok = false;
	if (w->br)
		munmap(w->br, BUF_COUNT * sizeof(struct io_uring_buf));
	if (w->bufs)
		munmap(w->bufs, (size_t)BUF_COUNT * BUF_SIZE);
	free(w->conns);
	free(w->blen);
	free(w->bnext);
	free(w->armed);
}

static void *worker_main(void *arg)
{
	struct ur_worker *w = arg;
	int rc = worker_setup(w);

	if (rc < 0) {
		mc_pool_accept_stop(&w->sw.pw, false);
		worker_free(w);
		mc_pool_worker_ready(&w->sw.pw, rc);
		return NULL;
	}
	mc_pool_worker_ready(&w->sw.pw, 0);

	while (!w->stopping) {
		struct io_uring_cqe *cqe;
		unsigned head, n = 0;

		rc = io_uring_submit_and_wait(&w->ring, 1);
		if (rc < 0 && rc != -EINTR && rc != -EAGAIN && rc != -EBUSY && rc != -ETIME)
			break;
		io_uring_for_each_cqe(&w->ring, head, cqe)
		{
			dispatch(w, cqe);
			n++;
		}
		io_uring_cq_advance(&w->ring, n);
		unstall(w);
		if (w->replan && !w->broken)
			accept_plan(w);
		if (w->returned) {
			io_uring_buf_ring_advance(w->br, (int)w->returned);
			w->returned = 0;
		}
	}
	worker_free(w);
	return NULL;
}

/* ---- the main thread's side ----------------------------------------- */

static void worker_prepare(struct mc_pool_worker *pw)
{
	((struct ur_worker *)pw)->u = pw->pool->owner;
}

static void worker_failed(const struct mc_pool_worker *pw, int rc, struct mc_err *err)
{
	char eb[96];

	mc_errf(err, rc, "worker %u: %s: %s%s", pw->id, ((const struct ur_worker *)pw)->stage,
		mc_strerror(-rc, eb, sizeof(eb)),
		rc == -EMFILE ? " (more files than RLIMIT_NOFILE)" : "");
}

/* Why io_uring_queue_init failed, and what to do about it. */
static int unavailable(struct mc_err *err, int rc)
{
	uint64_t v = 0;
	bool known = mc_proc_read_u64(NULL, "/proc/sys/kernel/io_uring_disabled", &v) == 0;
	char eb[96];

	mc_strerror(-rc, eb, sizeof(eb));
	if (known && v == 2)
		return mc_errf(err, rc,
			       "io_uring is disabled on this host (kernel.io_uring_disabled = 2, "
			       "io_uring_setup: %s): set it to 0 (sysctl -w "
			       "kernel.io_uring_disabled=0), or use --model epoll",
			       eb);
	if (known && v == 1)
		return mc_errf(err, rc,
			       "io_uring is limited to privileged processes on this host "
			       "(kernel.io_uring_disabled = 1, io_uring_setup: %s): run with "
			       "CAP_SYS_ADMIN, join the group kernel.io_uring_group names, set "
			       "kernel.io_uring_disabled to 0, or use --model epoll",
			       eb);
	if (rc == -ENOSYS)
		return mc_errf(err, rc,
			       "io_uring is not available (io_uring_setup: %s): the kernel is "
			       "older than 5.1 or built without CONFIG_IO_URING; use --model epoll",
			       eb);
	if (rc == -EPERM)
		return mc_errf(err, rc,
			       "io_uring_setup was refused (%s): a seccomp filter (container "
			       "runtimes' default profiles block io_uring) or a security module; "
			       "allow io_uring_setup, io_uring_enter and io_uring_register, or use "
			       "--model epoll",
			       eb);
	return mc_errf(err, rc, "io_uring_queue_init: %s; or use --model epoll", eb);
}

static int ur_grow(void *run)
{
	return mc_pool_grow(&((struct ur_server *)run)->pool);
}

/* Per-worker counters merged on read. */
static void ur_collect(void *run, struct mc_server_stats *st)
{
	struct ur_server *u = run;

	mc_srv_pool_collect(st, &u->pool);
	st->private_fd_tables = false; /* sockets live in the rings, not in fd tables */
	st->per_table_cap = u->cap;
}

static void ur_stop(void *run, struct mc_server_stats *st)
{
	struct ur_server *u = run;

	mc_pool_join(&u->pool);
	if (st)
		mc_srv_pool_bytes(st, &u->pool);
	mc_pool_free(&u->pool);
	free(u);
}

static int ur_start(void **run, const struct mc_engine_env *env, struct mc_err *err)
{
	const struct mc_server_config *cfg = env->cfg;
	struct ur_server *u;
	struct io_uring probe;
	uint64_t limit = mc_fdtable_limit(), somaxconn;
	struct mc_pool_plan plan;
	int backlog;
	int rc;

	/* io_uring may be compiled out, disabled by sysctl or blocked by
	 * seccomp: say which, and never fall back to another model */
	if ((rc = io_uring_queue_init(4, &probe, 0)) < 0)
		return unavailable(err, rc);
	io_uring_queue_exit(&probe);

	u = calloc(1, sizeof(*u));
	if (!u)
		return mc_errf(err, -ENOMEM, "out of memory");
	u->env = *env;
	u->echo = cfg->mode == MC_SERVER_ECHO;
	u->cap = (uint32_t)(limit < MAX_FILES ? limit : MAX_FILES);
	/* the most one multishot accept can take at once: a full listen queue
	 * (the kernel caps the backlog at somaxconn), and a few that arrive
	 * while it drains */
	backlog = cfg->backlog;
	if (mc_proc_read_u64(NULL, "/proc/sys/net/core/somaxconn", &somaxconn) < 0)
		somaxconn = 4096;
	if (backlog < 0 || (uint64_t)backlog > somaxconn)
		backlog = (int)somaxconn;
	u->margin = (uint32_t)backlog + 64;
	/* one ring per table: a worker still starting counts as a whole ring */
	u->pool = (struct mc_pool){.size = sizeof(struct ur_worker),
				   .main = worker_main,
				   .prepare = worker_prepare,
				   .owner = u,
				   .why = worker_failed,
				   .wakefd = env->ctl->wakefd,
				   .table = u->cap,
				   .grows = !cfg->workers && cfg->accept_rate != 0};
	plan = mc_pool_plan_grow(cfg->max_conns, u->cap, cfg->workers, mc_pool_ncpu());
	atomic_store(&u->pool.max, plan.max);

	if ((rc = mc_pool_start(&u->pool, plan.initial, u->env.ctl, err)) < 0) {
		mc_ctl_stop(u->env.ctl);
		ur_stop(u, NULL);
		return rc;
	}
	*run = u;
	return rc == MC_POOL_SIGNALLED ? MC_ENGINE_SIGNALLED : 0;
}

const struct mc_engine mc_engine_uring = {
	.start = ur_start,
	.grow = ur_grow,
	.collect = ur_collect,
	.stop = ur_stop,
};
