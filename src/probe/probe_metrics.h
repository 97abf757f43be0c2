/* probe_metrics.h: the probe's own Prometheus families (maxconn_probe_*), from
 * its latest sample; `maxconn probe --metrics` serves them beside its
 * client's and server's (client/client_metrics.h, server/server_metrics.h). Pure. */
#ifndef MC_PROBE_PROBE_METRICS_H
#define MC_PROBE_PROBE_METRICS_H

#include "metrics/prom.h"
#include "probe/probe-t.h"

/* step, target (+Inf for max), connect rate, kernel and user bytes grown,
 * MemAvailable, and the server host's TCP sockets when known (not NAN). */
void mc_probe_metrics(struct mc_prom *p, const struct mc_probe_sample *s, uint64_t target,
		      double server_host_sockets);

#endif
