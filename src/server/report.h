/* report.h: the summary of a server run, as text and as JSON (the
 * command's output after the run; --json's schema in docs/). */
#ifndef MC_SERVER_REPORT_H
#define MC_SERVER_REPORT_H

#include <stdio.h>

#include "server/server-t.h"

struct mc_json;

/* "maxconn server: held N at peak, ..." and its lines: closed, refused,
 * bytes, workers and the limits the refusals name. */
void mc_server_print(FILE *f, const struct mc_server_config *cfg, const struct mc_server_stats *s);
/* The same as the members of the JSON object j is in ("command" first);
 * the caller opened it and closes it after what it adds ("metrics"). */
void mc_server_json(struct mc_json *j, const struct mc_server_config *cfg,
		    const struct mc_server_stats *s);

#endif
