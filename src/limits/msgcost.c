/* msgcost.c: the CPU a heartbeat message and a connect cost here (see
 * msgcost.h): the calibration's two threads and their CPU clocks, run in
 * calib.c's child in a private network namespace. */
#include "limits/msgcost.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "limits/calib.h"
#include "server/server.h"

#define CAL_CONNS    256
#define CAL_RUN_NS   (130 * 1000 * 1000ULL) /* a run; the median of CAL_RUNS */
#define CAL_RUNS     3
#define CAL_GIVEUP_S 3
#define CAL_BUF	     (1 << 20) /* --message is at most 1 MiB */
#define CAL_PORT     40000     /* the engine's listener, in the private namespace */

static uint64_t clock_ns(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

/* What the child measures and sends back. */
struct cal_msg {
	int rc;
	char err[160]; /* the engine's words when it could not start */
	uint64_t conns, msgs, server_ns, client_ns, connect_ns;
};

struct cal {
	int cfd[CAL_CONNS], sfd[CAL_CONNS], n;
	int sep;		    /* the server thread's epoll */
	_Atomic int stop;	    /* the client is done */
	_Atomic int mark;	    /* 1: the server is to read its clock (then 0) */
	_Atomic uint64_t server_ns; /* the server thread's CPU clock, at a mark */
	char *buf;		    /* the client's message */
	char *sbuf;		    /* the server's scratch */
	size_t msg;
	/* threads, uring: maxconn's own server engine, in a thread of its own */
	struct mc_endpoint_range lr;
	struct mc_server_config scfg;
	struct mc_server_stats sst;
	struct mc_err serr;
	_Atomic int srv_rc; /* 1 while it runs */
};

/* The server's thread: read what comes, write it back (a message of up
 * to 1 MiB fits the socket's send buffer once read: tcp_wmem grows). */
static void *server_main(void *arg)
{
	struct cal *c = arg;
	struct epoll_event ev[64];

	while (!atomic_load(&c->stop)) {
		int n;
		if (atomic_load(&c->mark)) {
			atomic_store(&c->server_ns, clock_ns(CLOCK_THREAD_CPUTIME_ID));
			atomic_store(&c->mark, 0);
		}
		n = epoll_wait(c->sep, ev, 64, 1);
		for (int i = 0; i < n; i++) {
			int fd = ev[i].data.fd;
			ssize_t k;
			while ((k = recv(fd, c->sbuf, CAL_BUF, MSG_DONTWAIT)) > 0)
				for (ssize_t off = 0; off < k;) {
					ssize_t w = send(fd, c->sbuf + off, (size_t)(k - off),
							 MSG_NOSIGNAL);
					if (w <= 0 && errno != EINTR)
						break;
					off += w > 0 ? w : 0;
				}
		}
	}
	return NULL;
}

/* connect + accept of every pair, on this thread: its CPU per connection. */
static int cal_connect(struct cal *c, uint64_t *per)
{
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t al = sizeof(a);
	int lfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), rc = 0;
	uint64_t t0;

	if (lfd < 0 || bind(lfd, (struct sockaddr *)&a, sizeof(a)) < 0 ||
	    listen(lfd, CAL_CONNS) < 0 || getsockname(lfd, (struct sockaddr *)&a, &al) < 0)
		return -errno;
	t0 = clock_ns(CLOCK_THREAD_CPUTIME_ID);
	for (c->n = 0; c->n < CAL_CONNS; c->n++) {
		int i = c->n;
		c->cfd[i] = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (c->cfd[i] < 0 || connect(c->cfd[i], (struct sockaddr *)&a, sizeof(a)) < 0 ||
		    (c->sfd[i] = accept4(lfd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK)) < 0) {
			rc = -errno;
			break;
		}
	}
	*per = c->n ? (clock_ns(CLOCK_THREAD_CPUTIME_ID) - t0) / (uint64_t)c->n : 0;
	close(lfd);
	return rc;
}

/* The engine's thread: mc_server_run, echo mode, until the child exits. */
static void *engine_main(void *arg)
{
	struct cal *c = arg;

	atomic_store(&c->srv_rc, mc_server_run(&c->scfg, &c->sst, &c->serr));
	return NULL;
}

/* threads, uring: the model's engine echoes (server/engine.h), started on
 * CAL_PORT; connect every pair as the client does (the engine accepts). The
 * process's CPU clock over the connects and a 50 ms settle, per connection. */
static int cal_connect_engine(struct cal *c, enum mc_model model, uint64_t *per)
{
	struct sockaddr_in a = {.sin_family = AF_INET,
				.sin_port = htons(CAL_PORT),
				.sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	struct timespec settle = {0, 50 * 1000 * 1000};
	pthread_t t;
	uint64_t t0, giveup = clock_ns(CLOCK_MONOTONIC) + 1000000000ULL;

	if (mc_parse_addr("127.0.0.1", &c->lr.addr, &c->serr) < 0)
		return -EINVAL;
	c->lr.port_lo = c->lr.port_hi = CAL_PORT;
	c->scfg = (struct mc_server_config){.listen = &c->lr,
					    .nlisten = 1,
					    .workers = 1,
					    .mode = MC_SERVER_ECHO,
					    .model = model,
					    .backlog = CAL_CONNS,
					    .accept_rate = -1,
					    .duration_ns = 60 * 1000000000ULL};
	atomic_store(&c->srv_rc, 1);
	if (pthread_create(&t, NULL, engine_main, c))
		return -EAGAIN;
	pthread_detach(t); /* it ends with the child */
	t0 = clock_ns(CLOCK_PROCESS_CPUTIME_ID);
	for (c->n = 0; c->n < CAL_CONNS; c->n++) {
		int i = c->n;
		if ((c->cfd[i] = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0)
			return -errno;
		while (connect(c->cfd[i], (struct sockaddr *)&a, sizeof(a)) < 0) {
			int e = errno;
			struct timespec ms = {0, 1000000};
			if (e != ECONNREFUSED || clock_ns(CLOCK_MONOTONIC) > giveup ||
			    atomic_load(&c->srv_rc) <= 0)
				return atomic_load(&c->srv_rc) < 0 ? atomic_load(&c->srv_rc) : -e;
			nanosleep(&ms, NULL); /* the engine is not listening yet */
			if (!i)
				t0 = clock_ns(CLOCK_PROCESS_CPUTIME_ID);
		}
	}
	nanosleep(&settle, NULL);
	*per = (clock_ns(CLOCK_PROCESS_CPUTIME_ID) - t0) / (uint64_t)c->n;
	return 0;
}

/* Rounds: every connection sends its message, then all are read back. */
static int cal_rounds(struct cal *c, uint64_t *msgs)
{
	int cep = epoll_create1(EPOLL_CLOEXEC);
	uint64_t end = clock_ns(CLOCK_MONOTONIC) + CAL_RUN_NS;
	uint64_t giveup = clock_ns(CLOCK_MONOTONIC) + CAL_GIVEUP_S * 1000000000ULL;
	struct epoll_event ev[64];
	size_t *got = calloc((size_t)c->n, sizeof(*got));
	char *rbuf = malloc(CAL_BUF); /* its own: the server's scratch is the server's */

	if (cep < 0 || !got || !rbuf) {
		free(got);
		free(rbuf);
		return cep < 0 ? -errno : -ENOMEM;
	}
	for (int i = 0; i < c->n; i++) {
		struct epoll_event e = {.events = EPOLLIN, .data.u32 = (uint32_t)i};
		fcntl(c->cfd[i], F_SETFL, O_NONBLOCK);
		epoll_ctl(cep, EPOLL_CTL_ADD, c->cfd[i], &e);
	}
	*msgs = 0;
	while (clock_ns(CLOCK_MONOTONIC) < end) {
		int left = c->n;
		for (int i = 0; i < c->n; i++) {
			got[i] = 0;
			for (size_t off = 0; off < c->msg;) {
				ssize_t w =
				    send(c->cfd[i], c->buf + off, c->msg - off, MSG_NOSIGNAL);
				if (w > 0)
					off += (size_t)w;
				else if (errno != EINTR && errno != EAGAIN)
					return -errno;
			}
		}
		while (left > 0) {
			int n = epoll_wait(cep, ev, 64, 100);
			if (clock_ns(CLOCK_MONOTONIC) > giveup) {
				free(got);
				free(rbuf);
				close(cep);
				return -ETIMEDOUT;
			}
			for (int k = 0; k < n; k++) {
				int i = (int)ev[k].data.u32;
				ssize_t r;
				while ((r = recv(c->cfd[i], rbuf, CAL_BUF, MSG_DONTWAIT)) > 0) {
					got[i] += (size_t)r;
					if (got[i] == c->msg)
						left--;
				}
			}
		}
		*msgs += (uint64_t)c->n;
	}
	free(got);
	free(rbuf);
	close(cep);
	return 0;
}

/* The run whose CPU per message (both ends) is the median into out. */
static void median(struct cal_msg *run, struct cal_msg *out)
{
	double per[CAL_RUNS];
	int order[CAL_RUNS];

	for (int i = 0; i < CAL_RUNS; i++) {
		per[i] = run[i].msgs
			     ? (double)(run[i].server_ns + run[i].client_ns) / (double)run[i].msgs
			     : 1e18;
		order[i] = i;
	}
	for (int i = 1; i < CAL_RUNS; i++)
		for (int j = i; j > 0 && per[order[j]] < per[order[j - 1]]; j--) {
			int t = order[j];
			order[j] = order[j - 1];
			order[j - 1] = t;
		}
	out->msgs = run[order[CAL_RUNS / 2]].msgs;
	out->server_ns = run[order[CAL_RUNS / 2]].server_ns;
	out->client_ns = run[order[CAL_RUNS / 2]].client_ns;
}

/* What the child is given. */
struct cal_arg {
	size_t msg;
	enum mc_model model;
};

/* epoll: the server thread above, its own CPU clock read at marks. */
static int cal_epoll(struct cal *c, struct cal_msg *out, struct cal_msg *run)
{
	pthread_t t;
	uint64_t s0;

	if ((out->rc = cal_connect(c, &out->connect_ns)) < 0)
		return out->rc;
	if ((c->sep = epoll_create1(EPOLL_CLOEXEC)) < 0)
		return -errno;
	for (int i = 0; i < c->n; i++) {
		struct epoll_event e = {.events = EPOLLIN, .data.fd = c->sfd[i]};
		epoll_ctl(c->sep, EPOLL_CTL_ADD, c->sfd[i], &e);
	}
	if ((out->rc = -pthread_create(&t, NULL, server_main, c)) < 0)
		return out->rc;
	for (int r = 0; r < CAL_RUNS && !out->rc; r++) {
		uint64_t cl0 = clock_ns(CLOCK_THREAD_CPUTIME_ID);
		atomic_store(&c->server_ns, 0);
		atomic_store(&c->mark, 1); /* the server's clock, read at its next wait */
		while (atomic_load(&c->mark) == 1)
			sched_yield();
		s0 = atomic_load(&c->server_ns);
		out->rc = cal_rounds(c, &run[r].msgs);
		run[r].client_ns = clock_ns(CLOCK_THREAD_CPUTIME_ID) - cl0;
		atomic_store(&c->mark, 1);
		while (atomic_load(&c->mark) == 1)
			sched_yield();
		run[r].server_ns = atomic_load(&c->server_ns) - s0;
	}
	atomic_store(&c->stop, 1);
	pthread_join(t, NULL);
	return out->rc;
}

/* threads, uring: the engine's threads are all the process's CPU but the
 * client's thread: the server's end is the process's CPU clock less the
 * client thread's. */
static int cal_engine(struct cal *c, enum mc_model model, struct cal_msg *out, struct cal_msg *run)
{
	if ((out->rc = cal_connect_engine(c, model, &out->connect_ns)) < 0) {
		snprintf(out->err, sizeof(out->err), "%s", c->serr.msg);
		return out->rc;
	}
	for (int r = 0; r < CAL_RUNS && !out->rc; r++) {
		uint64_t cl0 = clock_ns(CLOCK_THREAD_CPUTIME_ID);
		uint64_t p0 = clock_ns(CLOCK_PROCESS_CPUTIME_ID);
		out->rc = cal_rounds(c, &run[r].msgs);
		run[r].client_ns = clock_ns(CLOCK_THREAD_CPUTIME_ID) - cl0;
		run[r].server_ns = clock_ns(CLOCK_PROCESS_CPUTIME_ID) - p0 - run[r].client_ns;
	}
	return out->rc;
}

/* In the calibration's child (calib.h). */
static int cal_run(void *arg, void *outp)
{
	const struct cal_arg *a = arg;
	struct cal_msg *out = outp;
	struct cal *c = calloc(1, sizeof(*c));
	struct cal_msg run[CAL_RUNS] = {{0}};

	if (!c || !(c->buf = malloc(a->msg)) || !(c->sbuf = malloc(CAL_BUF)))
		return -ENOMEM;
	memset(c->buf, 'h', a->msg);
	c->msg = a->msg;
	if ((a->model == MC_MODEL_EPOLL ? cal_epoll(c, out, run)
					: cal_engine(c, a->model, out, run)) < 0)
		return out->rc;
	median(run, out);
	out->conns = (uint64_t)c->n;
	return out->rc; /* the process exits: the kernel closes the sockets */
}

int mc_msgcost_measure(uint64_t msg_bytes, enum mc_model model, struct mc_msgcost *m)
{
	struct cal_msg cm = {0};
	struct cal_arg a = {.msg = (size_t)msg_bytes, .model = model};
	int rc;

	memset(m, 0, sizeof(*m));
	m->msg_bytes = msg_bytes;
	m->model = model;
	if (!msg_bytes || msg_bytes > CAL_BUF)
		return -EINVAL;
	rc = mc_calib_run(cal_run, &a, &cm, sizeof(cm), (CAL_GIVEUP_S + 1) * 1000);
	if (rc < 0 && cm.err[0])
		snprintf(m->how, sizeof(m->how), "%s", cm.err);
	if (rc < 0)
		return rc;
	if (!cm.msgs)
		return -ENODATA;
	m->conns = cm.conns;
	m->msgs = cm.msgs;
	m->server_ns = (double)cm.server_ns / (double)cm.msgs;
	m->client_ns = (double)cm.client_ns / (double)cm.msgs;
	m->connect_ns = (double)cm.connect_ns;
	m->measured = true;
	if (model == MC_MODEL_EPOLL)
		snprintf(m->how, sizeof(m->how),
			 "measured: %" PRIu64 " messages of %" PRIu64 " B echoed over %" PRIu64
			 " loopback connections in a private network namespace "
			 "(the median of %d runs), each end's thread CPU clock (softirq in its "
			 "context included)",
			 cm.msgs, msg_bytes, cm.conns, CAL_RUNS);
	else
		snprintf(m->how, sizeof(m->how),
			 "measured: %" PRIu64 " messages of %" PRIu64 " B echoed by maxconn's %s "
			 "engine over %" PRIu64 " loopback connections in a private network "
			 "namespace (the median of %d runs), the server's end the process's CPU "
			 "clock less the client thread's",
			 cm.msgs, msg_bytes, mc_model_name(model), cm.conns, CAL_RUNS);
	return 0;
}
