/* client_metrics.h: the client's figures as Prometheus families (metrics/prom.h),
 * from the same merged stats the live line and the summary read, and the
 * figures derived from them that the summary shares. Pure. */
#ifndef MC_CLIENT_CLIENT_METRICS_H
#define MC_CLIENT_CLIENT_METRICS_H

#include "client/client.h"
#include "metrics/prom.h"

/* User memory per held connection: RSS growth since the workers started ÷
 * the peak held; 0 before any was held. */
double mc_client_user_bytes_per_conn(const struct mc_client_stats *s);

/* maxconn_client_*: requested, held, in flight (gauges); attempted,
 * established, failed and lost by cause (with the limit behind it), bytes,
 * messages (counters); connect latency and round trips (histograms, in
 * seconds: empty unless the stats carry them, mc_client_config.live_hists);
 * user memory per connection. */
void mc_client_metrics(struct mc_prom *p, const struct mc_client_stats *s);

#endif
