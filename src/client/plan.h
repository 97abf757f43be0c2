/* plan.h: the client's address planning, internal to the engine. Connection
 * i goes to pair i mod pairs; pair p is source p mod nsrc toward
 * destination p / nsrc, each of the flattened --source and --connect lists.
 * The public figures (pairs, ports per pair, the ceiling) are in client.h. */
#ifndef MC_CLIENT_PLAN_H
#define MC_CLIENT_PLAN_H

#include <stdbool.h>
#include <stdint.h>

#include "client/client-t.h"
#include "common/addr.h"
#include "common/err.h"

/* The two ends of a pair. False when no source is set (the kernel picks):
 * *src is then left as it was. */
bool mc_client__pair_ends(const struct client *cl, uint64_t pair, struct mc_addr *src,
			  const struct mc_addr **dst, uint16_t *port);

/* port_select maxconn: the cursors over the pairs this run uses (pair i mod
 * pairs of connection i: never more pairs than connections) in cl->ports,
 * and without sources cl->route_src, the source the kernel routes from
 * toward each destination. Nothing for port_select kernel. 0, or -errno
 * with err set; the caller frees cl->ports and cl->route_src either way. */
int mc_client__ports_setup(struct client *cl, struct mc_err *err);

#endif
