/* serve_metrics.c: the --metrics endpoint as every command runs it: its
 * start with its one line on stderr, its place in the JSON summary, and the
 * families every endpoint serves (metrics/host.h). The flag's value is
 * parsed with the other shared flags (cli/opt.c). */
#include "cli/serve_metrics.h"

#include <stdio.h>

#include "cli/cli.h"
#include "common/err.h"
#include "common/json.h"
#include "metrics/host.h"

int mc_cli_metrics_start(const char *cmd, const struct mc_endpoint_range *ep, size_t snap_len,
			 mc_metrics_render_fn render, void *arg, bool quiet, struct mc_metrics **m)
{
	struct mc_err err;

	if (mc_metrics_start(m, &ep->addr, ep->port_lo, snap_len, render, arg, &err) < 0) {
		fprintf(stderr, "maxconn %s: %s\n", cmd, err.msg);
		return MC_EXIT_RUNTIME;
	}
	if (!quiet)
		fprintf(stderr, "maxconn %s: Prometheus metrics at %s\n", cmd, mc_metrics_url(*m));
	return 0;
}

void mc_cli_metrics_json(struct mc_json *j, struct mc_metrics *m)
{
	if (!m)
		return;
	mc_json_key(j, "metrics");
	mc_json_obj_open(j);
	mc_json_kv_str(j, "url", mc_metrics_url(m));
	mc_json_kv_u64(j, "scrapes", mc_metrics_scrapes(m));
	mc_json_obj_close(j);
}

void mc_cli_metrics_common(struct mc_prom *p, const char *role, const char *model,
			   const char *shard)
{
	struct mc_metrics_info info = {MC_VERSION, role, model, shard};
	struct mc_metrics_host h;

	mc_metrics_host_read(NULL, &h);
	mc_metrics_host_write(p, &info, &h);
}
