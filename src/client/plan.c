/* plan.c: address planning: the (source, destination) pairs of a run and
 * the two ends of each, the local ports a pair can hold (the port range and
 * the reserved ports read from the host), and port_select maxconn's cursors
 * over the pairs with the route source of each destination (see plan.h). */
#include "client/plan.h"

#include <errno.h>
#include <stdlib.h>
#include <sys/random.h>
#include <unistd.h>

#include "client/ports.h"
#include "common/clock.h"
#include "host/host.h"

uint64_t mc_client_nsrc(const struct mc_client_config *cfg)
{
	uint64_t n = 0;
	for (size_t i = 0; i < cfg->nsrc; i++)
		n += cfg->src[i].count;
	return n ? n : 1;
}

uint64_t mc_client_ndst(const struct mc_client_config *cfg)
{
	uint64_t n = 0;
	for (size_t i = 0; i < cfg->ndst; i++)
		n += (uint64_t)cfg->dst[i].port_hi - cfg->dst[i].port_lo + 1;
	return n;
}

uint64_t mc_client_pairs(const struct mc_client_config *cfg)
{
	return mc_client_nsrc(cfg) * mc_client_ndst(cfg);
}

uint64_t mc_client_port_ceiling(const struct mc_client_config *cfg, uint64_t ports_per_pair)
{
	return mc_client_pairs(cfg) * ports_per_pair;
}

/* The kernel's range, 32768-60999 when it cannot be read. */
static void sysctl_range(uint16_t *lo, uint16_t *hi)
{
	struct mc_host_port_range r;

	mc_host_port_range_read(NULL, &r);
	*lo = r.err ? 32768 : r.lo;
	*hi = r.err ? 60999 : r.hi;
}

int mc_client_local_ports(const struct mc_client_config *cfg, uint16_t *lo, uint16_t *hi,
			  uint64_t *per_pair, uint64_t *reserved)
{
	struct mc_host_reserved res;
	uint32_t nres;

	if (cfg->port_select == MC_PORT_SELECT_MAXCONN && cfg->port_lo) {
		*lo = cfg->port_lo;
		*hi = cfg->port_hi;
	} else {
		sysctl_range(lo, hi);
	}
	/* as the kernel would: an unreadable list reserves nothing */
	mc_host_reserved_read(NULL, &res);
	nres = mc_host_reserved_count(&res, *lo, *hi);
	*reserved = nres;
	*per_pair = (uint64_t)*hi - *lo + 1 - nres;
	return 0;
}

static void src_nth(const struct mc_client_config *cfg, uint64_t i, struct mc_addr *out)
{
	for (size_t k = 0; k < cfg->nsrc; k++) {
		if (i < cfg->src[k].count) {
			mc_addr_nth(&cfg->src[k], i, out);
			return;
		}
		i -= cfg->src[k].count;
	}
}

/* Destination i: its address and port; returns the index of its range. */
static size_t dst_nth(const struct mc_client_config *cfg, uint64_t i, const struct mc_addr **addr,
		      uint16_t *port)
{
	for (size_t k = 0; k < cfg->ndst; k++) {
		uint64_t n = (uint64_t)cfg->dst[k].port_hi - cfg->dst[k].port_lo + 1;
		if (i < n) {
			*addr = &cfg->dst[k].addr;
			*port = (uint16_t)(cfg->dst[k].port_lo + i);
			return k;
		}
		i -= n;
	}
	return 0;
}

bool mc_client__pair_ends(const struct client *cl, uint64_t pair, struct mc_addr *src,
			  const struct mc_addr **dst, uint16_t *port)
{
	const struct mc_client_config *cfg = cl->cfg;
	size_t k;

	if (cfg->nsrc) {
		src_nth(cfg, pair % cl->nsrc, src);
		dst_nth(cfg, pair / cl->nsrc, dst, port);
		return true;
	}
	k = dst_nth(cfg, pair, dst, port);
	if (!cl->route_src)
		return false;
	*src = cl->route_src[k];
	return true;
}

int mc_client__ports_setup(struct client *cl, struct mc_err *err)
{
	const struct mc_client_config *cfg = cl->cfg;
	uint64_t used = cl->npairs < cfg->conns ? cl->npairs : cfg->conns, per, res;
	uint32_t seed = 0;
	uint16_t lo, hi;
	struct mc_host_reserved reserved;
	char eb[96];
	int rc;

	if (cfg->port_select != MC_PORT_SELECT_MAXCONN)
		return 0;
	mc_client_local_ports(cfg, &lo, &hi, &per, &res);
	/* a reserved list we cannot read reserves nothing */
	mc_host_reserved_read(NULL, &reserved);
	if (getrandom(&seed, sizeof(seed), GRND_NONBLOCK) != sizeof(seed))
		seed = (uint32_t)mc_now_ns() ^ (uint32_t)getpid();
	rc = mc_ports_init(&cl->ports, lo, hi, &reserved, used, seed);
	if (rc < 0)
		return mc_errf(err, rc, "local ports %u-%u for %llu pairs: %s", lo, hi,
			       (unsigned long long)used, mc_strerror(rc, eb, sizeof(eb)));
	cl->own_ports = true;
	if (cfg->nsrc)
		return 0;
	cl->route_src = calloc(cfg->ndst ? cfg->ndst : 1, sizeof(*cl->route_src));
	if (!cl->route_src)
		return mc_errf(err, -ENOMEM, "out of memory");
	for (size_t k = 0; k < cfg->ndst; k++) {
		char d[MC_ADDR_STRLEN];
		if ((rc = mc_ports_route_source(&cfg->dst[k].addr, &cl->route_src[k])) < 0)
			return mc_errf(err, rc, "no route to %s: %s",
				       mc_addr_str(&cfg->dst[k].addr, d, sizeof(d)),
				       mc_strerror(rc, eb, sizeof(eb)));
	}
	return 0;
}
