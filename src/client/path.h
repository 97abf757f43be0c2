/* path.h: the client's readings of the path its connects take (this
 * namespace's TcpExt counters, conntrack -S here and on the router) before
 * and after a run, and the limit they name when connects timed out. */
#ifndef MC_CLIENT_PATH_H
#define MC_CLIENT_PATH_H

#include <stddef.h>
#include <stdint.h>

#include "host/host.h"
#include "net/cause.h"
#include "net/nat.h"

struct mc_client_path {
	struct mc_host_netstat netstat;
	struct mc_ct_stat ct_here, ct_router; /* ct_router.err -ENODATA: no router named */
};

/* Read them now; router: --router-netns (NULL: none). */
void mc_client_path_read(const char *router, struct mc_client_path *p);
/* The limit id the growth from b to a names for timedout connects, or
 * NULL; the evidence in words into why (mc_cause_timeout_limit). */
const char *mc_client_path_judge(const struct mc_client_path *b, const struct mc_client_path *a,
				 uint64_t timedout, const char *router, char *why, size_t len);

#endif
