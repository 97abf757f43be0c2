/* serve.h: the --metrics endpoint: GET /metrics over HTTP from its own
 * thread (libmicrohttpd), rendering the latest published snapshot.
 *
 * The engines never see it. The command's tick (the same call that draws
 * the live line, about once a second, from the main thread) publishes the
 * merged per-worker figures it was handed: a copy under a mutex that only
 * that tick and a scrape take, never a worker. A scrape copies the
 * snapshot out, unlocks, and renders it with the command's render
 * function on the endpoint's thread, so a slow or stuck scraper costs the
 * engines nothing. Before the first publish there is no snapshot: the
 * render function is handed NULL and writes what it knows without one
 * (never a 0 that stands for "not known yet"). Every page ends with
 * maxconn_metrics_publishes_total, the publishes so far.
 *
 * The endpoint holds at most 128 connections, 16 from one address, and
 * gives a connection 3 s to send a whole request: an arrival takes the
 * place of one that is slower than that (serve.c), so slow clients
 * (slowloris) and crowds cannot keep a scraper out, and a crowd beyond
 * the cap is refused at once (accepted and closed) rather than left to
 * time out in the listen queue. One thread, whatever comes. */
#ifndef MC_METRICS_SERVE_H
#define MC_METRICS_SERVE_H

#include <stddef.h>

#include "common/addr.h"
#include "common/err.h"
#include "metrics/prom.h"

struct mc_metrics;

/* Render snap (a copy of the last published snapshot, snap_len bytes;
 * NULL before the first publish) into out. Called on the endpoint's
 * thread, one scrape at a time. */
typedef void (*mc_metrics_render_fn)(void *arg, const void *snap, struct mc_prom *out);

/* Listen on addr:port (port 0: the kernel picks; mc_metrics_url says
 * which) and serve /metrics. Returns 0 and *out, or -errno with err
 * naming the address and the fix. */
int mc_metrics_start(struct mc_metrics **out, const struct mc_addr *addr, uint16_t port,
		     size_t snap_len, mc_metrics_render_fn render, void *arg, struct mc_err *err);
/* Copy snap_len bytes of snap as the snapshot the next scrape renders. */
void mc_metrics_publish(struct mc_metrics *m, const void *snap);
/* "http://127.0.0.1:9464/metrics" */
const char *mc_metrics_url(const struct mc_metrics *m);
/* Scrapes answered so far (for the summary and the tests). */
unsigned long mc_metrics_scrapes(struct mc_metrics *m);
/* Connections refused at a cap, and closed for room (slow to send their
 * request) so far. */
unsigned long mc_metrics_refused(struct mc_metrics *m);
unsigned long mc_metrics_evicted(struct mc_metrics *m);
/* Stop serving and free (NULL: nothing). */
void mc_metrics_stop(struct mc_metrics *m);

#endif
