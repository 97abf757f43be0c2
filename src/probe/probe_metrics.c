/* probe_metrics.c: the probe's own Prometheus families (see probe_metrics.h). */
#include "probe/probe_metrics.h"

#include <math.h>

#include "limits/limits.h"

void mc_probe_metrics(struct mc_prom *p, const struct mc_probe_sample *s, uint64_t target,
		      double server_host_sockets)
{
	mc_prom_gauge(p, "maxconn_probe_step", "the staircase step running (1 without --staircase)",
		      s->step + 1);
	mc_prom_gauge(p, "maxconn_probe_target_connections",
		      "connections the probe ramps to (+Inf: --target max)",
		      target == MC_LIMITS_NONE ? INFINITY : (double)target);
	mc_prom_gauge(p, "maxconn_probe_connect_rate", "connects per second since the last sample",
		      s->rate);
	mc_prom_gauge(p, "maxconn_probe_kernel_memory_grown_bytes",
		      "Slab + KernelStack + PageTables grown since the step began", (double)s->kernel_bytes);
	mc_prom_gauge(p, "maxconn_probe_user_memory_grown_bytes",
		      "resident memory of the probe's server and client grown since they were ready",
		      (double)s->user_bytes);
	mc_prom_gauge(p, "maxconn_probe_memory_available_bytes",
		      "MemAvailable less the reclaimable memory the step's sockets pin",
		      (double)s->mem_available);
	if (!isnan(server_host_sockets))
		mc_prom_gauge(p, "maxconn_probe_server_host_tcp_sockets_in_use",
			      "TCP sockets in use on the server host (--server-metrics)",
			      server_host_sockets);
}
