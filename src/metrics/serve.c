/* serve.c: the --metrics endpoint on libmicrohttpd (see serve.h).
 *
 * libmicrohttpd is Debian's libmicrohttpd12: it does the HTTP/1.1 a
 * Prometheus server speaks (keep-alive, pipelining, partial reads, HEAD,
 * idle clients timed out) on a thread of its own, which a hand-written
 * server would have to get right too. The listening socket is made here
 * with net/sock.c, so a busy port or a wrong address gets maxconn's own
 * message, and handed to the library.
 *
 * Who may connect is decided here, at each arrival (the library's accept
 * policy callback, on its one thread, which runs every callback of this
 * file but the publish): a slow client must not keep a scraper out, and
 * a crowd must be refused at once, not left in the listen queue until
 * its connects time out. So every connection is tracked from its start
 * to its close (struct peer), and a connection that is still waiting
 * for a whole request is one that may be closed to make room:
 *   - one still waiting REQUEST_WAIT after it connected (or after its
 *     last answer) is closed when another one arrives;
 *   - one address holds at most PER_ADDR, all of them CONN_CAP: at either
 *     cap, the arrival takes the place of the connection (of that
 *     address, or of all) that has waited longest for its request, or is
 *     refused (accepted and closed: no reply, no wait) when every one is
 *     being answered.
 * A scraper's request comes with the last packet of its handshake, and
 * is read before most of the arrivals after it; it would take CONN_CAP
 * of them in that moment to take its place. So nobody trickling headers
 * (slowloris), holding idle connections or reconnecting in waves can
 * keep it out, nor one address take every place. No grace for the
 * newest: with one, attackers reconnecting in step keep every place
 * younger than it, and a scraper that comes then is refused. The
 * library's own connection limit is left above CONN_CAP so that it never
 * stops accepting (which leaves a crowd in the listen queue); the queue is
 * LISTEN_BACKLOG long for bursts.
 *
 * The library polls with poll(2), level-triggered, not its epoll mode:
 * with epoll (edge-triggered) a crowd whose requests came before they
 * were accepted, while older ones were being closed for room, was left
 * unread now and then: 128 connections with their requests in the
 * socket and no answer for seconds (1 crowd of 400 in 30 crowds run one
 * after another here, and in CI's test_metrics_abuse; 0 in 105 with
 * poll). A few hundred sockets at most are poll's size. */
#include "metrics/serve.h"

#include <errno.h>
#include <microhttpd.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "common/clock.h"
#include "metrics/names.h"
#include "net/sock.h"

#define CONN_CAP       128		   /* connections at once */
#define PER_ADDR       16		   /* from one peer address */
#define REQUEST_WAIT   (3 * MC_NS_PER_SEC) /* for a whole request */
#define IDLE_TIMEOUT   5		   /* s without a byte: the library closes */
#define LISTEN_BACKLOG 1024		   /* the kernel caps it at somaxconn */
#define CONN_MEMORY    (16 * 1024)	   /* a connection's buffers (headers) */
#define MHD_CAP	       (2 * CONN_CAP)	   /* never reached: see above */

/* A connection from its start to its close (the library's socket
 * context). */
struct peer {
	struct peer *prev, *next; /* in m->peers; both NULL once closed by us */
	struct mc_addr addr;
	int fd;
	bool waiting;	   /* for a whole request: may be closed for room */
	bool evicted;	   /* shut down by us; the library closes it next */
	uint64_t since_ns; /* when it began waiting */
};

struct mc_metrics {
	struct MHD_Daemon *d;
	int lfd;
	pthread_mutex_t mu; /* the snapshot: the publishing tick and a scrape */
	void *snap;
	unsigned long publishes; /* under mu, with the snapshot */
	size_t snap_len;
	mc_metrics_render_fn render;
	void *arg;
	struct peer *peers; /* the library's thread only */
	unsigned npeers;
	_Atomic unsigned long scrapes, refused, evicted;
	char url[MC_ADDR_STRLEN + 32];
};

static void unlink_peer(struct mc_metrics *m, struct peer *p)
{
	if (p->prev)
		p->prev->next = p->next;
	else
		m->peers = p->next;
	if (p->next)
		p->next->prev = p->prev;
	p->prev = p->next = NULL;
	m->npeers--;
}

/* Close p to make room: shutdown, so the library reads the end and
 * closes it itself on its next turn (the fd stays its own: nothing here
 * can touch a reused one). */
static void evict(struct mc_metrics *m, struct peer *p)
{
	shutdown(p->fd, SHUT_RDWR);
	unlink_peer(m, p);
	p->evicted = true;
	atomic_fetch_add(&m->evicted, 1);
}

/* The accept policy (see the top): MHD_YES to take a connection from
 * addr, maybe closing an older one for it. */
static enum MHD_Result admit(void *cls, const struct sockaddr *sa, socklen_t len)
{
	struct mc_metrics *m = cls;
	struct peer *p, *next, *oldest = NULL, *oldest_mine = NULL;
	uint64_t now = mc_now_ns();
	struct mc_addr addr;
	unsigned mine = 0;

	(void)len;
	mc_addr_from_sockaddr(sa, &addr, NULL);
	for (p = m->peers; p; p = next) {
		bool same = mc_addr_equal(&p->addr, &addr);
		next = p->next;
		if (p->waiting && now - p->since_ns > REQUEST_WAIT) {
			evict(m, p);
			continue;
		}
		mine += same;
		if (!p->waiting)
			continue;
		if (!oldest || p->since_ns < oldest->since_ns)
			oldest = p;
		if (same && (!oldest_mine || p->since_ns < oldest_mine->since_ns))
			oldest_mine = p;
	}
	if (mine >= PER_ADDR)
		oldest = oldest_mine;
	else if (m->npeers < CONN_CAP)
		return MHD_YES;
	if (!oldest) {
		atomic_fetch_add(&m->refused, 1);
		return MHD_NO;
	}
	evict(m, oldest);
	return MHD_YES;
}

/* The library's start and close of a connection. */
static void track(void *cls, struct MHD_Connection *c, void **ctx,
		  enum MHD_ConnectionNotificationCode what)
{
	struct mc_metrics *m = cls;
	const union MHD_ConnectionInfo *ci;
	struct peer *p = *ctx;

	if (what == MHD_CONNECTION_NOTIFY_CLOSED) {
		if (p && !p->evicted)
			unlink_peer(m, p);
		free(p);
		*ctx = NULL;
		return;
	}
	if (!(p = calloc(1, sizeof(*p))))
		return; /* untracked: never closed for room, still timed out */
	if ((ci = MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS)))
		mc_addr_from_sockaddr(ci->client_addr, &p->addr, NULL);
	ci = MHD_get_connection_info(c, MHD_CONNECTION_INFO_CONNECTION_FD);
	p->fd = ci ? ci->connect_fd : -1;
	p->waiting = p->fd >= 0;
	p->since_ns = mc_now_ns();
	p->next = m->peers;
	if (m->peers)
		m->peers->prev = p;
	m->peers = p;
	m->npeers++;
	*ctx = p;
}

/* The connection's peer (NULL: untracked). */
static struct peer *peer_of(struct MHD_Connection *c)
{
	const union MHD_ConnectionInfo *ci =
		MHD_get_connection_info(c, MHD_CONNECTION_INFO_SOCKET_CONTEXT);

	return ci ? ci->socket_context : NULL;
}

/* A request answered (or failed): a kept-alive connection waits for the
 * next one from now. */
static void answered(void *cls, struct MHD_Connection *c, void **state,
		     enum MHD_RequestTerminationCode toe)
{
	struct peer *p = peer_of(c);

	(void)cls;
	(void)state;
	(void)toe;
	if (p && !p->evicted) {
		p->waiting = p->fd >= 0;
		p->since_ns = mc_now_ns();
	}
}

static const char index_page[] =
	"<html><head><title>maxconn</title></head><body>"
	"<h1>maxconn</h1><p><a href=\"/metrics\">/metrics</a></p></body></html>\n";

/* Queue body (malloc'd; the response frees it). */
static enum MHD_Result reply(struct MHD_Connection *c, unsigned code, const char *type, char *body,
			     size_t len)
{
	struct MHD_Response *r;
	enum MHD_Result rc;

	if (!body)
		return MHD_NO;
	if (!(r = MHD_create_response_from_buffer(len, body, MHD_RESPMEM_MUST_FREE))) {
		free(body);
		return MHD_NO;
	}
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, type);
	rc = MHD_queue_response(c, code, r);
	MHD_destroy_response(r);
	return rc;
}

static enum MHD_Result handle(void *cls, struct MHD_Connection *c, const char *url,
			      const char *method, const char *version, const char *upload,
			      size_t *upload_len, void **state)
{
	struct mc_metrics *m = cls;
	struct mc_prom out;
	unsigned long publishes;
	struct peer *p;
	void *copy = NULL;

	(void)version;
	(void)upload;
	if (!*state) { /* the headers are in; a body, if any, comes next */
		*state = m;
		return MHD_YES;
	}
	if (*upload_len) { /* a body: read and dropped (a GET's means nothing) */
		*upload_len = 0;
		return MHD_YES;
	}
	if ((p = peer_of(c))) /* the request is whole: answered, not evicted */
		p->waiting = false;
	if (strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0)
		return reply(c, MHD_HTTP_METHOD_NOT_ALLOWED, "text/plain", strdup("GET only\n"), 9);
	if (strcmp(url, "/") == 0)
		return reply(c, MHD_HTTP_OK, "text/html", strdup(index_page),
			     sizeof(index_page) - 1);
	if (strcmp(url, "/metrics") != 0)
		return reply(c, MHD_HTTP_NOT_FOUND, "text/plain", strdup("try /metrics\n"), 13);
	if (!(copy = malloc(m->snap_len)))
		return MHD_NO;
	pthread_mutex_lock(&m->mu);
	memcpy(copy, m->snap, m->snap_len);
	publishes = m->publishes;
	pthread_mutex_unlock(&m->mu);
	mc_prom_init(&out);
	/* before the first publish the snapshot is no figure, not zeros */
	m->render(m->arg, publishes ? copy : NULL, &out);
	mc_prom_counter(&out, MC_FAM_PUBLISHES,
			"snapshots published since the endpoint started (about one a second): a "
			"reader that needs figures newer than a moment waits for it to grow",
			(double)publishes);
	free(copy);
	if (out.err || !out.buf) {
		mc_prom_free(&out);
		return reply(c, MHD_HTTP_INTERNAL_SERVER_ERROR, "text/plain",
			     strdup("out of memory\n"), 14);
	}
	atomic_fetch_add(&m->scrapes, 1);
	return reply(c, MHD_HTTP_OK, "text/plain; version=0.0.4; charset=utf-8", out.buf, out.len);
}

int mc_metrics_start(struct mc_metrics **out, const struct mc_addr *addr, uint16_t port,
		     size_t snap_len, mc_metrics_render_fn render, void *arg, struct mc_err *err)
{
	struct mc_metrics *m = calloc(1, sizeof(*m));
	char where[MC_ADDR_STRLEN];
	sigset_t all, old;
	uint16_t bound = port;

	*out = NULL;
	if (!m || !(m->snap = calloc(1, snap_len ? snap_len : 1))) {
		free(m);
		return mc_errf(err, -ENOMEM, "out of memory");
	}
	pthread_mutex_init(&m->mu, NULL);
	m->snap_len = snap_len;
	m->render = render;
	m->arg = arg;
	m->lfd = mc_sock_listen(addr, port, LISTEN_BACKLOG, err);
	if (m->lfd < 0) {
		int rc = m->lfd;
		struct mc_err why = *err;
		char eb[96];
		mc_addr_port_str(addr, port, where, sizeof(where));
		if (rc == -EADDRINUSE)
			mc_errf(err, rc,
				"--metrics %s: %s: another program listens there; pick another "
				"port (ss -ltnp 'sport = :%u' shows which)",
				where, mc_strerror(-rc, eb, sizeof(eb)), port);
		else
			mc_errf(err, rc, "--metrics %s: %s", where, why.msg);
		pthread_mutex_destroy(&m->mu);
		free(m->snap);
		free(m);
		return rc;
	}
	mc_sock_local_port(m->lfd, &bound);
	mc_addr_port_str(addr, bound, where, sizeof(where));
	snprintf(m->url, sizeof(m->url), "http://%s/metrics", where);
	/* the library's thread takes no signal: SIGINT and SIGTERM go to the
	 * command's signalfd, whenever it is made */
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	m->d = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_POLL, 0, admit, m,
				handle, m, MHD_OPTION_LISTEN_SOCKET, m->lfd,
				MHD_OPTION_CONNECTION_LIMIT, (unsigned)MHD_CAP,
				MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)IDLE_TIMEOUT,
				MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)CONN_MEMORY,
				MHD_OPTION_NOTIFY_CONNECTION, track, m,
				MHD_OPTION_NOTIFY_COMPLETED, answered, m, MHD_OPTION_END);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (!m->d) {
		close(m->lfd);
		free(m->snap);
		free(m);
		return mc_errf(err, -EIO,
			       "--metrics %s: libmicrohttpd could not start its thread (out of "
			       "threads or memory?)",
			       where);
	}
	*out = m;
	return 0;
}

void mc_metrics_publish(struct mc_metrics *m, const void *snap)
{
	pthread_mutex_lock(&m->mu);
	memcpy(m->snap, snap, m->snap_len);
	m->publishes++;
	pthread_mutex_unlock(&m->mu);
}

const char *mc_metrics_url(const struct mc_metrics *m)
{
	return m->url;
}

unsigned long mc_metrics_scrapes(struct mc_metrics *m)
{
	return atomic_load(&m->scrapes);
}

unsigned long mc_metrics_refused(struct mc_metrics *m)
{
	return atomic_load(&m->refused);
}

unsigned long mc_metrics_evicted(struct mc_metrics *m)
{
	return atomic_load(&m->evicted);
}

void mc_metrics_stop(struct mc_metrics *m)
{
	if (!m)
		return;
	MHD_stop_daemon(m->d); /* joins its thread; the listening socket is ours */
	close(m->lfd);
	pthread_mutex_destroy(&m->mu);
	free(m->snap);
	free(m);
}
