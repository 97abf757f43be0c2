/* metrics.c: --metrics ADDR:PORT as every command takes it: the value, the
 * endpoint's start with its one line on stderr, its place in the JSON
 * summary, and the families every endpoint serves (metrics/host.h). */
#include "cli/cli.h"

#include <stdio.h>
#include <string.h>

#include "common/json.h"
#include "common/parse.h"
#include "metrics/host.h"

int mc_cli_parse_metrics(const char *cmd, const char *arg, struct mc_endpoint_range *out)
{
	struct mc_err err;
	char buf[96];

	/* ":9464" is every IPv4 address, as node_exporter's --web.listen-address */
	if (arg[0] == ':' && strlen(arg) < sizeof(buf) - 8) {
		snprintf(buf, sizeof(buf), "0.0.0.0%s", arg);
		arg = buf;
	}
	if (mc_parse_endpoint(arg, true, out, &err) < 0 || out->port_lo != out->port_hi)
		return mc_cli_usage_error(cmd,
					  "--metrics '%s': use ADDR:PORT, e.g. 127.0.0.1:9464 or "
					  ":9464 (every address); port 0 lets the kernel pick",
					  arg);
	return 0;
}

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
