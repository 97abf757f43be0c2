/* serve_metrics.h: the --metrics endpoint as every command runs it (start,
 * its place in the JSON summary, the families every endpoint serves). */
#ifndef MC_CLI_SERVE_METRICS_H
#define MC_CLI_SERVE_METRICS_H

#include <stdbool.h>
#include <stddef.h>

#include "common/addr.h"
#include "metrics/serve.h"

struct mc_json;

/* Start the endpoint; says where on stderr unless quiet. 0, or prints why
 * not and returns MC_EXIT_RUNTIME. */
int mc_cli_metrics_start(const char *cmd, const struct mc_endpoint_range *ep, size_t snap_len,
			 mc_metrics_render_fn render, void *arg, bool quiet, struct mc_metrics **m);
/* --metrics at (a port of 0 clashes with nothing) on one of the
 * command's own n endpoints own[] (flag: the option that gave them, why:
 * what would go wrong): a usage error naming both, MC_EXIT_USAGE; else
 * 0. The same address, or a wildcard (0.0.0.0, ::) on either side, of
 * one family (IPv6 listeners are IPv6 only), and a port in the range. */
int mc_cli_metrics_clash(const char *cmd, const struct mc_endpoint_range *at,
			 const struct mc_endpoint_range *own, size_t n, const char *flag,
			 const char *why);
/* "metrics": {"url", "scrapes", "refused", "evicted"} in a JSON summary
 * (nothing when m is NULL): pages served, connections refused at the
 * endpoint's caps and closed for room (slow to send a request). */
void mc_cli_metrics_json(struct mc_json *j, struct mc_metrics *m);
/* The families every endpoint serves: build and run info, and once the
 * command has published (published: its render was handed a snapshot)
 * the host's sockets and memory, read now. shard NULL or "" for none. */
void mc_cli_metrics_common(struct mc_prom *p, const char *role, const char *model,
			   const char *shard, bool published);

#endif
