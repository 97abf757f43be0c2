/* serve.c: the --metrics endpoint on libmicrohttpd (see serve.h).
 *
 * libmicrohttpd is Debian's libmicrohttpd12: it does the HTTP/1.1 a
 * Prometheus server speaks (keep-alive, pipelining, partial reads, HEAD,
 * slow or idle clients timed out, a cap on connections) on a thread of its
 * own, which a hand-written server would have to get right too. The
 * listening socket is made here with net/sock.c, so a busy port or a wrong
 * address gets maxconn's own message, and handed to the library. */
#include "metrics/serve.h"

#include <errno.h>
#include <microhttpd.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "metrics/names.h"
#include "net/sock.h"

#define CONN_LIMIT   16 /* scrapers at once */
#define CONN_TIMEOUT 10 /* seconds an idle keep-alive connection stays */

struct mc_metrics {
	struct MHD_Daemon *d;
	int lfd;
	pthread_mutex_t mu; /* the snapshot: the publishing tick and a scrape */
	void *snap;
	unsigned long publishes; /* under mu, with the snapshot */
	size_t snap_len;
	mc_metrics_render_fn render;
	void *arg;
	_Atomic unsigned long scrapes;
	char url[MC_ADDR_STRLEN + 32];
};

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
	void *copy;

	(void)version;
	(void)upload;
	if (strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0)
		return reply(c, MHD_HTTP_METHOD_NOT_ALLOWED, "text/plain", strdup("GET only\n"), 9);
	if (!*state) { /* the headers are in; the (empty) body comes next */
		*state = m;
		return MHD_YES;
	}
	*upload_len = 0;
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
	m->render(m->arg, copy, &out);
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
	m->lfd = mc_sock_listen(addr, port, 64, err);
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
	m->d = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL, 0, NULL, NULL,
				handle, m, MHD_OPTION_LISTEN_SOCKET, m->lfd,
				MHD_OPTION_CONNECTION_LIMIT, (unsigned)CONN_LIMIT,
				MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)CONN_TIMEOUT,
				MHD_OPTION_END);
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
