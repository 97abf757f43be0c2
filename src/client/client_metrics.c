/* client_metrics.c: the client's Prometheus families (see
 * client_metrics.h). The cause labels are the keys of the client's JSON
 * (net/cause.c: EADDRNOTAVAIL, ETIMEDOUT, peer_closed, ...), each with the
 * limit id behind it where there is one; every cause a client can count is
 * written, 0 included, so rate() works from the first scrape. */
#include "client/client_metrics.h"

double mc_client_user_bytes_per_conn(const struct mc_client_stats *s)
{
	if (!s->open_peak || s->rss < s->rss_base)
		return 0;
	return (double)(s->rss - s->rss_base) / (double)s->open_peak;
}

/* Every cause a client can count (net/cause.h): all but the server's own
 * refusals, whatever their place in the enum. */
static void by_cause(struct mc_prom *p, const char *name, const char *help, const uint64_t *v)
{
	mc_prom_family(p, name, "counter", help);
	for (int k = 0; k < MC_CAUSE_COUNT; k++)
		if (!mc_cause_server_only((enum mc_cause)k))
			mc_prom_sample(p, name,
				       MC_PROM_LABELS("cause", mc_cause_key((enum mc_cause)k), "limit",
						      mc_cause_limit((enum mc_cause)k)),
				       (double)v[k]);
}

void mc_client_metrics(struct mc_prom *p, const struct mc_client_stats *s)
{
	mc_prom_gauge(p, "maxconn_client_connections_requested",
		      "connections this client opens (its shard's share of --conns)",
		      (double)s->requested);
	mc_prom_gauge(p, "maxconn_client_connections_held",
		      "connections established and not lost: held now", (double)s->open);
	mc_prom_gauge(p, "maxconn_client_connections_held_peak", "the most held at once",
		      (double)s->open_peak);
	mc_prom_gauge(p, "maxconn_client_connects_in_flight", "connects started, not finished",
		      (double)s->inflight);
	mc_prom_counter(p, "maxconn_client_connects_attempted_total", "connects started",
			(double)s->attempted);
	mc_prom_counter(p, "maxconn_client_connects_established_total", "connects that succeeded",
			(double)s->established);
	by_cause(p, "maxconn_client_connects_failed_total",
		 "connects that failed, by cause (errno), with the host limit behind it", s->fail);
	by_cause(p, "maxconn_client_connections_lost_total",
		 "established connections that ended before the client closed them, by cause",
		 s->lost);
	mc_prom_family(p, "maxconn_client_connect_duration_seconds", "histogram",
		       "time from connect() to established");
	mc_prom_hist(p, "maxconn_client_connect_duration_seconds", NULL, &s->connect_lat,
		     mc_prom_latency_bounds, mc_prom_latency_nbounds);
	mc_prom_family(p, "maxconn_client_round_trip_seconds", "histogram",
		       "time from sending a message to having all of it back (--send, "
		       "--echo-verify)");
	mc_prom_hist(p, "maxconn_client_round_trip_seconds", NULL, &s->rtt,
		     mc_prom_latency_bounds, mc_prom_latency_nbounds);
	mc_prom_counter(p, "maxconn_client_sent_bytes_total", "bytes sent", (double)s->bytes_out);
	mc_prom_counter(p, "maxconn_client_received_bytes_total", "bytes received",
			(double)s->bytes_in);
	mc_prom_counter(p, "maxconn_client_messages_sent_total", "messages sent",
			(double)s->msgs_sent);
	mc_prom_counter(p, "maxconn_client_messages_returned_total",
			"messages that came back whole", (double)s->msgs_returned);
	mc_prom_counter(p, "maxconn_client_echo_mismatches_total",
			"connections that got a wrong byte back (--echo-verify)",
			(double)s->echo_mismatch);
	mc_prom_gauge(p, "maxconn_client_user_memory_bytes_per_connection",
		      "resident memory grown since the workers started, per connection at the "
		      "peak",
		      mc_client_user_bytes_per_conn(s));
}
