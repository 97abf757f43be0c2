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
/* "metrics": {"url", "scrapes"} in a JSON summary (nothing when m is NULL). */
void mc_cli_metrics_json(struct mc_json *j, struct mc_metrics *m);
/* The families every endpoint serves: build and run info, the host's
 * sockets and memory, read now. shard NULL or "" for none. */
void mc_cli_metrics_common(struct mc_prom *p, const char *role, const char *model,
			   const char *shard);

#endif
