/* serve_metrics.c: the --metrics endpoint as every command runs it: its
 * start with its one line on stderr, the refusal of an address that is
 * the command's own, its place in the JSON summary, and the families
 * every endpoint serves (metrics/host.h). The flag's value is
 * parsed with the other shared flags (cli/opt.c). */
#include "cli/serve_metrics.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/usage.h"
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

/* The wildcard address (0.0.0.0, ::): every address of the host. */
static bool any(const struct mc_addr *a)
{
	return a->family == AF_INET ? a->u.v4.s_addr == htonl(INADDR_ANY)
				    : IN6_IS_ADDR_UNSPECIFIED(&a->u.v6);
}

int mc_cli_metrics_clash(const char *cmd, const struct mc_endpoint_range *at,
			 const struct mc_endpoint_range *own, size_t n, const char *flag,
			 const char *why)
{
	char m[MC_ADDR_STRLEN], o[MC_ADDR_STRLEN];

	for (size_t i = 0; i < n; i++) {
		const struct mc_endpoint_range *e = &own[i];
		uint16_t hi = e->port_hi > e->port_lo ? e->port_hi : e->port_lo;
		if (!at->port_lo || at->port_lo < e->port_lo || at->port_lo > hi ||
		    at->addr.family != e->addr.family ||
		    !(mc_addr_equal(&at->addr, &e->addr) || any(&at->addr) || any(&e->addr)))
			continue;
		mc_addr_port_str(&at->addr, at->port_lo, m, sizeof(m));
		mc_addr_port_str(&e->addr, e->port_lo, o, sizeof(o));
		if (hi > e->port_lo)
			snprintf(o + strlen(o), sizeof(o) - strlen(o), "-%u", hi);
		return mc_cli_usage_error(cmd,
					  "--metrics %s is also %s %s: %s; give --metrics a port "
					  "of its own",
					  m, flag, o, why);
	}
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
	mc_json_kv_u64(j, "refused", mc_metrics_refused(m));
	mc_json_kv_u64(j, "evicted", mc_metrics_evicted(m));
	mc_json_obj_close(j);
}

void mc_cli_metrics_common(struct mc_prom *p, const char *role, const char *model,
			   const char *shard, bool published)
{
	struct mc_metrics_info info = {MC_VERSION, role, model, shard};
	struct mc_metrics_host h;

	if (published)
		mc_metrics_host_read(NULL, &h);
	mc_metrics_host_write(p, &info, published ? &h : NULL);
}
