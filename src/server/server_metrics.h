/* server_metrics.h: the server's figures as Prometheus families (metrics/prom.h),
 * from the same merged stats the live line and the summary read. Pure. */
#ifndef MC_SERVER_METRICS_H
#define MC_SERVER_METRICS_H

#include "metrics/prom.h"
#include "server/server-t.h"

/* User memory per held connection: RSS growth since the server was ready
 * ÷ the peak held; 0 before any was held. */
double mc_server_user_bytes_per_conn(const struct mc_server_stats *s);

/* maxconn_server_*: held (gauge), accepted, refused by cause (with the
 * limit behind it), closed by cause, bytes (counters), workers and user
 * memory per connection (gauges). */
void mc_server_metrics(struct mc_prom *p, const struct mc_server_stats *s);

#endif
