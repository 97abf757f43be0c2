/* server_metrics.c: the server's Prometheus families (see server_metrics.h). The cause
 * labels are the server summary's keys (net/cause.c): refused fd_limit,
 * max_conns, memory, threads, epoll_watches; closed peer_closed,
 * ECONNRESET, other. Every key is written, 0 included, so rate() works
 * from the first scrape. */
#include "server/server_metrics.h"

#include "metrics/names.h"
#include "net/cause.h"

double mc_server_user_bytes_per_conn(const struct mc_server_stats *s)
{
	if (!s->held_peak || s->rss < s->rss_base)
		return 0;
	return (double)(s->rss - s->rss_base) / (double)s->held_peak;
}

static void by_cause(struct mc_prom *p, const char *name, const char *help,
		     const struct mc_cause_count *v, int n, int with_limit)
{
	mc_prom_family(p, name, "counter", help);
	for (int i = 0; i < n; i++)
		mc_prom_sample(p, name,
			       MC_PROM_LABELS(MC_LABEL_CAUSE, v[i].key, "limit",
					      with_limit ? mc_cause_limit(v[i].cause) : NULL),
			       (double)v[i].n);
}

void mc_server_metrics(struct mc_prom *p, const struct mc_server_stats *s)
{
	struct mc_cause_count v[MC_CAUSE_COUNT];

	mc_prom_gauge(p, MC_FAM_SERVER_HELD, "connections the server holds now", (double)s->held);
	mc_prom_gauge(p, "maxconn_server_connections_held_peak",
		      "the most connections held at once", (double)s->held_peak);
	mc_prom_counter(p, "maxconn_server_connections_accepted_total",
			"connections accepted and kept", (double)s->accepted);
	by_cause(p, MC_FAM_SERVER_REFUSED,
		 "connections accepted and closed at once, by cause, with the host limit behind "
		 "it (fd_limit: the fd table was full)",
		 v, mc_cause_server_refused(s->refused, v), 1);
	by_cause(p, "maxconn_server_connections_closed_total",
		 "held connections that ended, by cause", v, mc_cause_server_closed(s->closed, v),
		 0);
	mc_prom_counter(p, "maxconn_server_received_bytes_total", "bytes read from connections",
			(double)s->bytes_in);
	mc_prom_counter(p, "maxconn_server_sent_bytes_total", "bytes written to connections",
			(double)s->bytes_out);
	mc_prom_gauge(p, "maxconn_server_workers", "worker threads", (double)s->workers);
	mc_prom_gauge(p, MC_FAM_SERVER_USER_BYTES,
		      "resident memory grown since the server was ready, per connection at the "
		      "peak",
		      mc_server_user_bytes_per_conn(s));
}
