/* snapshot.h: the run's figures from its workers, internal to the client
 * engine (mc_client_stats_merge, the public merge, is in client.h). */
#ifndef MC_CLIENT_SNAPSHOT_H
#define MC_CLIENT_SNAPSHOT_H

#include <stdbool.h>

#include "client/client-t.h"

/* The workers' counters merged on read into *st, with the run's own figures
 * (requested, peak, workers, ports, elapsed, rss); histograms only with
 * hists, once the workers are joined (before, the round trips, and with
 * live_hists the connect latencies, as the workers last published them). */
void mc_client__collect(struct client *cl, struct mc_client_stats *st, bool hists);

/* After the run: when the first error (the first worker's that has one, as
 * mc_client__collect picks it) is EADDRNOTAVAIL, add to out->first_error
 * how many of that pair's ports are in TIME_WAIT (net/diag.h). */
void mc_client__time_wait_words(struct client *cl, struct mc_client_stats *out);

#endif
