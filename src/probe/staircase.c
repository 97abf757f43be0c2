/* staircase.c: the scenarios the probe runs (see staircase.h). The first
 * one is the user's, or with --staircase the seeds' naive program; after
 * each step the limit that stopped it is lifted in the next, until the
 * target, the memory reserve or a limit this host cannot lift in a
 * namespace. Pure: the host's values come in as arguments. */
#include "probe/staircase.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "limits/limits.h"

static uint64_t ports_in(const struct mc_probe_scenario *sc)
{
	return sc->port_hi >= sc->port_lo ? sc->port_hi - sc->port_lo + 1 : 1;
}

/* Source addresses that give target connections over pairs of per ports
 * each, with one pair to spare (ports the kernel refuses, TIME_WAIT). The
 * client chooses its ports itself (client/ports.h), so a pair fills at full
 * speed to its last port: no need to keep pairs part empty, as with the
 * kernel's choice, whose search slows sharply past half a pair's range. */
static uint64_t sources_for(uint64_t target, uint64_t per)
{
	return (target + per - 1) / per + 1;
}

bool mc_probe_lift(const struct mc_probe_step *st, struct mc_probe_scenario *next, char *what,
		   size_t len)
{
	const char *id = st->limit_id;

	*next = st->sc;
	if (st->stop != MC_PROBE_LIMIT)
		return false;
	if (strcmp(id, MC_LIMIT_PORTS) == 0) {
		bool wide = next->port_lo <= 1024 && next->port_hi >= 65535;
		uint64_t wide_ceiling = 64512 * next->dest_ports * (next->sources ? next->sources : 1);

		/* the seed's own lift (1024-65535) when that alone reaches the
		 * target (or the target is max); otherwise straight to more
		 * source addresses, the lift that goes on to the target */
		if (!wide && (next->target == MC_LIMITS_NONE || next->target <= wide_ceiling)) {
			next->port_lo = 1024;
			next->port_hi = 65535;
			snprintf(what, len,
				 "widened net.ipv4.ip_local_port_range to 1024-65535 (in the "
				 "probe's namespace)");
		} else {
			uint64_t want = next->target == MC_LIMITS_NONE
						? next->sources * 8
						: sources_for(next->target, ports_in(next) * next->dest_ports);
			next->sources = want > next->sources ? want : next->sources * 2;
			snprintf(what, len,
				 "more source addresses: %" PRIu64 " (127.0.0.2 on), each with its "
				 "own %" PRIu64 " ports per destination",
				 next->sources, ports_in(next));
		}
		return true;
	}
	if (strcmp(id, MC_LIMIT_MIDDLEBOX) == 0 && next->nat_addrs && next->nat_addrs < 90) {
		/* the fix limits names: an address pool for the NAT */
		next->nat_addrs++;
		/* netfilter picks the pool's address by a hash of the client's
		 * address: a pool serves several client addresses, not one */
		if (next->sources < 8ULL * next->nat_addrs)
			next->sources = 8ULL * next->nat_addrs;
		snprintf(what, len,
			 "a NAT address more on the router: snat to 10.231.2.1-10.231.2.%u, each "
			 "with its own %d ports toward the server; %" PRIu64
			 " client addresses (the pool is hashed by client address)",
			 next->nat_addrs, 40999 - 40000 + 1, next->sources);
		return true;
	}
	if (strcmp(id, MC_LIMIT_MIDDLEBOX) == 0 && next->proxy_binds == 1) {
		/* the fix limits names for nginx */
		next->proxy_binds = 2;
		snprintf(what, len,
			 "nginx proxy_bind over two source addresses (10.231.2.1 and 10.231.2.2, "
			 "by the client port's parity), each with its own %d ports toward the "
			 "server",
			 40999 - 40000 + 1);
		return true;
	}
	if (strcmp(id, MC_LIMIT_FD_PROCESS) == 0 && next->one_table) {
		next->one_table = false;
		snprintf(what, len,
			 "private fd tables: each worker thread takes its own table of %" PRIu64
			 " fds (unshare(CLONE_FILES)), as the seed raises ulimit -n",
			 next->fd_limit);
		return true;
	}
	if (strcmp(id, MC_LIMIT_ACCEPTQ) == 0 && next->backlog < 65535) {
		next->backlog = next->backlog * 16 < 65535 ? next->backlog * 16 : 65535;
		snprintf(what, len, "a larger backlog and net.core.somaxconn: %" PRIu64,
			 next->backlog);
		return true;
	}
	if (strcmp(id, MC_LIMIT_THREADS) == 0 && next->model == MC_MODEL_THREADS) {
		next->model = MC_MODEL_EPOLL;
		snprintf(what, len,
			 "IO multiplexing: --model epoll, a few threads for all connections "
			 "instead of one each");
		return true;
	}
	return false;
}

void mc_probe_first_scenario(const struct mc_probe_config *cfg, const struct mc_probe_host *host,
			     struct mc_probe_scenario *sc)
{
	bool on_host = cfg->host || cfg->have_target_addr || host->no_netns;

	memset(sc, 0, sizeof(*sc));
	sc->model = cfg->model;
	sc->target = cfg->target;
	sc->dest_ports = cfg->dest_ports ? cfg->dest_ports : 1;
	if (cfg->port_lo) {
		sc->port_lo = cfg->port_lo;
		sc->port_hi = cfg->port_hi;
	} else {
		/* a new namespace starts with the kernel's default range */
		sc->port_lo = on_host ? host->port_lo : 32768;
		sc->port_hi = on_host ? host->port_hi : 60999;
	}
	sc->fd_limit = cfg->fd_limit ? cfg->fd_limit : host->nofile;
	sc->one_table = cfg->fd_limit || cfg->staircase;
	sc->backlog = cfg->backlog ? cfg->backlog : on_host ? host->somaxconn : 65535;
	sc->nat_addrs = cfg->via_snat ? 1 : 0;
	sc->proxy_binds = cfg->via_nginx ? 1 : 0;
	if (cfg->nsrc) {
		/* --source: the user's addresses */
		sc->sources = 0;
		for (size_t i = 0; i < cfg->nsrc; i++)
			sc->sources += cfg->src[i].count;
	} else if (cfg->sources) {
		sc->sources = cfg->sources;
	} else if (cfg->staircase) {
		sc->sources = 1;
	} else {
		/* enough sources for the target (max: 4M), one pair to spare */
		uint64_t t = cfg->target == MC_LIMITS_NONE ? 4000000 : cfg->target;
		sc->sources = sources_for(t, ports_in(sc) * sc->dest_ports);
	}
	/* the kernel picks the source for a remote server, and for IPv6 (whose
	 * loopback is the one address ::1) */
	if (cfg->have_target_addr && !cfg->nsrc &&
	    (!mc_addr_is_loopback(&cfg->target_addr.addr) ||
	     cfg->target_addr.addr.family != AF_INET))
		sc->sources = 0;
}
