/* report.h: the summary of a client run, as text and as JSON (the
 * command's output after the run; --json's schema in docs/). */
#ifndef MC_CLIENT_REPORT_H
#define MC_CLIENT_REPORT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "client/client.h"

struct mc_json;

/* A run's stats and what the summary says beside them. */
struct mc_client_summary {
	const struct mc_client_stats *stats;
	const char *shard;	 /* "K/M", "" when not sharded */
	uint64_t total;		 /* the connections of all shards (--conns) */
	uint64_t ports, ceiling; /* local ports per pair, and the connections they allow */
	bool traffic;		 /* --send or --echo-verify: the traffic line */
	int exit_code;
	/* connects that timed out, judged on the path's readings
	 * (client/path.h): the limit they name (NULL: none) and why */
	bool timeouts_judged;
	const char *timeout_limit;
	char timeout_why[400];
};

/* The host limit behind most of the failures (a limit id), or NULL. With
 * sum->timeouts_judged, timeouts name the judged limit, not the accept
 * queue. */
const char *mc_client_limit(const struct mc_client_summary *sum);

/* "maxconn client: N of M connections established ..." and its lines:
 * failures and losses by cause, what the server said, latencies, stalls,
 * local ports, traffic, workers and memory. */
void mc_client_print(FILE *f, const struct mc_client_summary *sum);
/* The same as the members of the JSON object j is in ("command" first);
 * the caller opened it and closes it after what it adds ("metrics"). */
void mc_client_json(struct mc_json *j, const struct mc_client_summary *sum);

#endif
