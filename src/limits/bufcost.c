/* bufcost.c: the TCP buffer memory a connection holding unread bytes costs
 * here (see bufcost.h): the calibration in a private network namespace, the
 * assumption where it cannot run, and the sum of its readings (pure). The
 * child, its namespace and its pipe are calib.c's. */
#include "limits/bufcost.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <linux/sock_diag.h>
#include <linux/sockios.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "common/clock.h"
#include "common/fmt.h"
#include "limits/calib.h"

/* Connections the calibration holds: enough to average over, few enough
 * that it holds at most BUDGET bytes whatever --traffic asks. */
#define CAL_CONNS  64
#define CAL_BUDGET (64ULL << 20)
#define CAL_CHUNK  65536 /* what the client writes at once (its scratch) */

static uint64_t round_up(uint64_t v, uint64_t to)
{
	return to ? (v + to - 1) / to * to : v;
}

void mc_bufcost_sum(uint64_t size, const struct mc_bufcost_sock *reader,
		    const struct mc_bufcost_sock *writer, uint64_t n, struct mc_bufcost *b)
{
	uint64_t r = 0, w = 0, rin = 0, wout = 0;

	for (uint64_t i = 0; i < n; i++) {
		/* fwd_alloc is an int in the kernel: never below 0 here */
		r += reader[i].rmem_alloc + reader[i].wmem_queued +
		     ((int32_t)reader[i].fwd_alloc > 0 ? reader[i].fwd_alloc : 0);
		w += writer[i].rmem_alloc + writer[i].wmem_queued +
		     ((int32_t)writer[i].fwd_alloc > 0 ? writer[i].fwd_alloc : 0);
		rin += reader[i].inq;
		wout += writer[i].outq;
	}
	memset(b, 0, sizeof(*b));
	b->size = size;
	b->conns = n;
	if (!n)
		return;
	b->reader_bytes = (r + n - 1) / n;
	b->writer_bytes = (w + n - 1) / n;
	b->reader_held = rin / n;
	b->writer_held = wout / n;
	b->charged = b->reader_bytes + b->writer_bytes;
	b->measured = true;
}

void mc_bufcost_assume(uint64_t size, uint64_t page_size, uint64_t rcvbuf_max, uint64_t sndbuf_max,
		       const char *why, struct mc_bufcost *b)
{
	uint64_t in_reader = rcvbuf_max && size > rcvbuf_max / 2 ? rcvbuf_max / 2 : size;
	uint64_t in_writer = size - in_reader;

	if (sndbuf_max && in_writer > sndbuf_max)
		in_writer = sndbuf_max;
	memset(b, 0, sizeof(*b));
	b->size = size;
	b->reader_held = in_reader;
	b->writer_held = in_writer;
	/* an skb's head (about 1 KiB of struct and shared info) per 64 KiB */
	b->reader_bytes =
	    in_reader ? round_up(in_reader + (in_reader / CAL_CHUNK + 1) * 1024, page_size) : 0;
	b->writer_bytes =
	    in_writer ? round_up(in_writer + (in_writer / CAL_CHUNK + 1) * 1024, page_size) : 0;
	b->charged = b->reader_bytes + b->writer_bytes;
	snprintf(b->how, sizeof(b->how),
		 "assumed (the calibration could not run: %s): the bytes in the reader's receive "
		 "queue up to half tcp_rmem max, 1 KiB per skb, whole pages",
		 why);
}

/* Write what is left of size on fd (non-blocking), until EAGAIN. */
static void write_rest(int fd, uint64_t *left, const char *buf)
{
	while (*left) {
		size_t len = *left < CAL_CHUNK ? (size_t)*left : CAL_CHUNK;
		ssize_t n = send(fd, buf, len, MSG_NOSIGNAL | MSG_DONTWAIT);
		if (n > 0) {
			*left -= (uint64_t)n;
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		return; /* EAGAIN: the window or sndbuf is full */
	}
}

static int read_sock(int fd, bool reader, struct mc_bufcost_sock *s)
{
	uint32_t mi[SK_MEMINFO_VARS] = {0};
	socklen_t len = sizeof(mi);
	int q = 0;

	if (getsockopt(fd, SOL_SOCKET, SO_MEMINFO, mi, &len) < 0)
		return -errno;
	s->rmem_alloc = mi[SK_MEMINFO_RMEM_ALLOC];
	s->fwd_alloc = mi[SK_MEMINFO_FWD_ALLOC];
	s->wmem_queued = mi[SK_MEMINFO_WMEM_QUEUED];
	if (ioctl(fd, reader ? SIOCINQ : SIOCOUTQ, &q) < 0)
		return -errno;
	if (reader)
		s->inq = (uint32_t)q;
	else
		s->outq = (uint32_t)q;
	return 0;
}

/* The pairs made, filled and read; in the forked child. */
struct cal {
	int lfd, r[CAL_CONNS], w[CAL_CONNS];
	uint64_t left[CAL_CONNS], n;
	struct mc_bufcost_sock rs[CAL_CONNS], ws[CAL_CONNS];
};

static int cal_connect(struct cal *c)
{
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t al = sizeof(a);

	c->lfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (c->lfd < 0 || bind(c->lfd, (struct sockaddr *)&a, sizeof(a)) < 0 ||
	    listen(c->lfd, CAL_CONNS) < 0 || getsockname(c->lfd, (struct sockaddr *)&a, &al) < 0)
		return -errno;
	for (uint64_t i = 0; i < c->n; i++) {
		c->w[i] = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (c->w[i] < 0 || connect(c->w[i], (struct sockaddr *)&a, sizeof(a)) < 0)
			return -errno;
		c->r[i] = accept4(c->lfd, NULL, NULL, SOCK_CLOEXEC);
		if (c->r[i] < 0)
			return -errno;
	}
	return 0;
}

/* Send, then wait until the queues stand still: the same totals for
 * STILL_MS (longer than a delayed ACK, 40-200 ms, which moves bytes from
 * the writer's count), at most 1.5 s. */
#define STILL_MS 300
static int cal_fill(struct cal *c, uint64_t size)
{
	static char buf[CAL_CHUNK];
	uint64_t end = mc_now_ms() + 1500, last = UINT64_MAX, still_since = mc_now_ms();

	memset(buf, 'm', sizeof(buf));
	for (uint64_t i = 0; i < c->n; i++)
		c->left[i] = size;
	while (mc_now_ms() < end) {
		uint64_t tot = 0;
		for (uint64_t i = 0; i < c->n; i++) {
			int in = 0, out = 0;
			write_rest(c->w[i], &c->left[i], buf); /* EAGAIN: full, it stays */
			if (ioctl(c->r[i], SIOCINQ, &in) < 0 || ioctl(c->w[i], SIOCOUTQ, &out) < 0)
				return -errno;
			tot += (uint64_t)in * 3 + (uint64_t)out + c->left[i];
		}
		if (tot != last)
			still_since = mc_now_ms();
		last = tot;
		if (mc_now_ms() - still_since >= STILL_MS)
			return 0;
		poll(NULL, 0, 20);
	}
	return -ETIMEDOUT;
}

/* What the child sends back. */
struct cal_msg {
	uint64_t n;
	struct mc_bufcost_sock rs[CAL_CONNS], ws[CAL_CONNS];
};

/* In the calibration's child (calib.h): the pairs made, filled and read. */
static int cal_run(void *arg, void *out)
{
	uint64_t size = *(const uint64_t *)arg;
	struct cal_msg *m = out;
	struct cal *c = calloc(1, sizeof(*c));
	int rc;

	if (!c)
		return -ENOMEM;
	c->n = size ? CAL_BUDGET / size : CAL_CONNS;
	c->n = c->n > CAL_CONNS ? CAL_CONNS : c->n < 4 ? 4 : c->n;
	rc = cal_connect(c);
	if (!rc)
		rc = cal_fill(c, size);
	for (uint64_t i = 0; !rc && i < c->n; i++)
		if ((rc = read_sock(c->r[i], true, &m->rs[i])) < 0 ||
		    (rc = read_sock(c->w[i], false, &m->ws[i])) < 0)
			break;
	m->n = c->n;
	return rc; /* the process exits: the kernel closes the sockets */
}

int mc_bufcost_measure(uint64_t size, uint64_t page_size, struct mc_bufcost *b)
{
	struct cal_msg *m = calloc(1, sizeof(*m));
	uint64_t t0 = mc_now_ms();
	char sz[32];
	int rc;

	(void)page_size;
	if (!m)
		return -ENOMEM;
	rc = mc_calib_run(cal_run, &size, m, sizeof(*m), 2000);
	if (!rc) {
		mc_bufcost_sum(size, m->rs, m->ws, m->n, b);
		snprintf(b->how, sizeof(b->how),
			 "measured: %" PRIu64
			 " loopback connections in a private network namespace, "
			 "%s sent once on each and left unread, SO_MEMINFO of each socket (%" PRIu64
			 " ms)",
			 m->n, mc_fmt_bytes(size, sz, sizeof(sz)), mc_now_ms() - t0);
	}
	free(m);
	return rc;
}
