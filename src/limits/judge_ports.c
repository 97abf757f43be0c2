/* judge_ports.c: the limits of the 4-tuple: ephemeral ports per (source,
 * destination) pair and the local addresses usable as sources (registry.c
 * binds them to their ids; judge-int.h says what a judge function does).
 *
 *   ephemeral_ports  client: sources x dest addrs x dest ports x (range -
 *                    reserved), less the ports of those pairs held in
 *                    TIME_WAIT that connect() may not take over yet (see
 *                    net/diag.h); a server: 2^48 tuples per listening port
 *   source_addresses information */
#include <endian.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "limits/judge-int.h"

/* The address 127.0.0.0 + k, for --source 127.0.0.1-<it>. */
static const char *loop_addr(uint64_t k, char *buf, size_t len)
{
	if (k > 0xffffff)
		k = 0xfffffe;
	snprintf(buf, len, "127.%u.%u.%u", (unsigned)(k >> 16) & 255, (unsigned)(k >> 8) & 255,
		 (unsigned)k & 255);
	return buf;
}

/* Is a within the count addresses from first (IPv4 by number; IPv6 within
 * the same upper 64 bits)? */
static bool in_range(const struct mc_addr *a, const struct mc_addr_range *r)
{
	if (a->family != r->first.family)
		return false;
	if (a->family == AF_INET) {
		uint64_t x = ntohl(a->u.v4.s_addr), f = ntohl(r->first.u.v4.s_addr);
		return x >= f && x - f < r->count;
	}
	{
		uint64_t xh, xl, fh, fl;
		memcpy(&xh, a->u.v6.s6_addr, 8);
		memcpy(&fh, r->first.u.v6.s6_addr, 8);
		memcpy(&xl, a->u.v6.s6_addr + 8, 8);
		memcpy(&fl, r->first.u.v6.s6_addr + 8, 8);
		xl = be64toh(xl);
		fl = be64toh(fl);
		return xh == fh && xl >= fl && xl - fl < r->count;
	}
}

/* The ports of the scenario's pairs held in TIME_WAIT that connect() may
 * not take over yet (read live): for --connect/--source the pairs given,
 * else the pairs with the most of them, as many as the scenario has (a
 * client that reconnects meets its own). The busiest pair into busy. */
static uint64_t tw_blocking(const struct mc__judge *c, uint64_t pairs, uint64_t per_pair,
			    const struct mc_diag_tw_pair **busy)
{
	const struct mc_limits_snap *s = c->s;
	const struct mc_limits_scenario *sc = c->sc;
	bool timestamps = s->timestamps.err || s->timestamps.v != 0;
	uint64_t n = 0, blocking;
	int used = 0;

	*busy = NULL;
	for (int i = 0; s->tw_read && i < s->ntw; i++) {
		const struct mc_diag_tw_pair *p = &s->tw[i];
		if (sc->have_dst ? !mc_addr_equal(&p->dst, &sc->dst.addr) ||
				       p->dport < sc->dst.port_lo || p->dport > sc->dst.port_hi ||
				       (sc->have_src && !in_range(&p->src, &sc->src))
				 : (uint64_t)used >= pairs)
			continue;
		blocking = !sc->bind_ports ? p->blocking : timestamps ? 0 : p->all;
		if (!blocking)
			continue;
		n = mc__add_sat(n, mc__min_u(blocking, per_pair));
		if (!*busy)
			*busy = p;
		used++;
	}
	return n;
}

/* ephemeral_ports: a ceiling for a client (pairs x ports per pair); for a
 * server information with the 2^48 argument. Fixes: more sources, more
 * destination ports, a wider range (when 1024-65535 can carry it). */
void mc__judge_ports(struct mc__judge *c, struct mc_limits_item *it)
{
	const struct mc_limits_snap *s = c->s;
	const struct mc_limits_scenario *sc = c->sc;
	uint64_t range, per_pair, pairs, d, need, k, tw;
	const struct mc_diag_tw_pair *busy;
	char a[24];

	if (!c->client)
		it->kind = MC_LIMITS_INFO;
	mc__add_val(it, "lo", s->port_lo);
	mc__add_val(it, "hi", s->port_hi);
	mc__add_val(it, "reserved_in_range", s->reserved_in_range);
	c->r->pairs = mc__mul_sat(mc__mul_sat(sc->sources, sc->dest_addrs), sc->dest_ports);
	if (s->port_lo.err || s->port_hi.err) {
		mc__set_unknown(it, MC_HOST_P_PORT_RANGE,
				s->port_lo.err ? s->port_lo.err : s->port_hi.err);
		if (!c->client) {
			it->status = MC_LIMITS_FINE; /* a server does not need it */
			mc__set_note(it, "a server uses no ephemeral ports (%s)", it->reason);
		}
		return;
	}
	range = s->port_hi.v - s->port_lo.v + 1;
	per_pair = mc__sub0(range, s->reserved_in_range.err ? 0 : s->reserved_in_range.v);
	c->r->ports_per_pair = per_pair;
	mc__set_value(it, "%" PRIu64 "-%" PRIu64 " (%" PRIu64 " ports, %" PRIu64 " reserved)",
		      s->port_lo.v, s->port_hi.v, range,
		      s->reserved_in_range.err ? 0 : s->reserved_in_range.v);
	if (!c->client) {
		mc__set_note(it,
			     "a server accepts on its listen port: 2^32 client IPs x 2^16 client "
			     "ports = 2^48 tuples per listening port; ports cap nothing here");
		return;
	}
	pairs = c->r->pairs;
	tw = tw_blocking(c, pairs, per_pair, &busy);
	it->conns = mc__sub0(mc__mul_sat(pairs, per_pair), tw);
	mc__set_note(it,
		     "%" PRIu64 " source(s) x %" PRIu64 " destination address(es) x %" PRIu64
		     " destination port(s) x %" PRIu64 " ports per pair",
		     sc->sources, sc->dest_addrs, sc->dest_ports, per_pair);
	if (tw) {
		char sa[MC_ADDR_STRLEN], da[MC_ADDR_STRLEN];
		size_t n = strlen(it->note);
		snprintf(it->note + n, sizeof(it->note) - n,
			 ", less %" PRIu64 " held in TIME_WAIT that connect() may not take over "
			 "yet (%s -> %s has %" PRIu64 " in TIME_WAIT; see time_wait)",
			 tw, mc_addr_str(&busy->src, sa, sizeof(sa)),
			 mc_addr_port_str(&busy->dst, busy->dport, da, sizeof(da)), busy->all);
	}

	d = mc__demand(c, it);
	if (tw)
		mc__add_fix(it, "or let connect() take over ports in TIME_WAIT: net.ipv4.tcp_tw_reuse "
				"= 1 (2 covers loopback only) and a lower "
				"net.ipv4.tcp_tw_reuse_delay (ms); or keep connections open");
	need = mc__div_up(d, pairs); /* ports per pair needed */
	it->raise_to = need;
	k = mc__div_up(
	    d, mc__mul_sat(mc__mul_sat(sc->dest_addrs, sc->dest_ports), mc__max_u(per_pair, 1)));
	if (k <= 0xfffffe)
		mc__add_fix(it,
			    "maxconn client --source 127.0.0.1-%s (%" PRIu64
			    " loopback source addresses; all of 127.0.0.0/8 is local; elsewhere "
			    "add addresses with 'ip addr add')",
			    loop_addr(k, a, sizeof(a)), k);
	k = mc__div_up(
	    d, mc__mul_sat(mc__mul_sat(sc->sources, sc->dest_addrs), mc__max_u(per_pair, 1)));
	if (k <= 65535)
		mc__add_fix(it,
			    "or %" PRIu64 " destination ports: maxconn server --listen "
			    "127.0.0.1:10000-%" PRIu64 " and client --connect the same range",
			    k, 10000 + k - 1 > 65535 ? 65535 : 10000 + k - 1);
	need = mc__add_sat(need, s->reserved_in_range.err ? 0 : s->reserved_in_range.v);
	if (need <= 65535 - 1024 + 1) {
		uint64_t hi = s->port_hi.v, lo;
		char v[32];
		if (need > hi - 1024 + 1)
			hi = 65535;
		lo = hi - need + 1;
		if (lo > s->port_lo.v)
			lo = s->port_lo.v;
		snprintf(v, sizeof(v), "%" PRIu64 " %" PRIu64, lo, hi);
		mc__fix_sysctl(it, "net.ipv4.ip_local_port_range", v);
	} else {
		mc__add_fix(it, "(widening net.ipv4.ip_local_port_range to 1024 65535 gives only "
				"64512 ports per pair: add source addresses or destination ports)");
	}
}

/* An IPv4 address in dotted form, as a number (0 when it does not parse). */
static uint32_t v4(const char *a)
{
	unsigned b[4];

	if (sscanf(a, "%u.%u.%u.%u", &b[0], &b[1], &b[2], &b[3]) != 4)
		return 0;
	return (uint32_t)(b[0] << 24 | b[1] << 16 | b[2] << 8 | b[3]);
}

/* Is single address i inside a block (e.g. 127.0.0.0/8) listed as well? */
static bool in_block(const struct mc_limits_snap *s, int i)
{
	uint32_t a = v4(s->addrs[i].addr);

	for (int k = 0; k < s->naddrs; k++) {
		unsigned p = s->addrs[k].prefix;
		uint32_t mask = p ? ~0U << (32 - p) : 0;
		if (k != i && p < 31 && (a & mask) == (v4(s->addrs[k].addr) & mask))
			return true;
	}
	return false;
}

/* Local addresses usable as sources (information). */
void mc__judge_sources(struct mc__judge *c, struct mc_limits_item *it)
{
	const struct mc_limits_snap *s = c->s;
	char *p;
	size_t left;
	uint64_t total = 0;

	if (s->addrs_err) {
		mc__set_unknown(it, MC_LIMITS_P_FIB_TRIE, s->addrs_err);
		return;
	}
	p = it->value;
	left = sizeof(it->value);
	for (int i = 0; i < s->naddrs && left > 1; i++) {
		int n = s->addrs[i].prefix < 32
			    ? snprintf(p, left, "%s%s/%u", i ? ", " : "", s->addrs[i].addr,
				       s->addrs[i].prefix)
			    : snprintf(p, left, "%s%s", i ? ", " : "", s->addrs[i].addr);
		if (n < 0 || (size_t)n >= left)
			break;
		p += n;
		left -= (size_t)n;
		if (s->addrs[i].prefix >= 8 && s->addrs[i].prefix < 31)
			total = mc__add_sat(total, (1ULL << (32 - s->addrs[i].prefix)) - 2);
		else if (!in_block(s, i))
			total++;
	}
	for (int i = 0; i < s->naddrs6 && left > 1; i++) {
		int n = snprintf(p, left, "%s%s", s->naddrs || i ? ", " : "", s->addrs6[i]);
		if (n < 0 || (size_t)n >= left)
			break;
		p += n;
		left -= (size_t)n;
	}
	if (!s->naddrs && !s->naddrs6)
		mc__set_value(it, "none");
	mc__add_val(it, "addresses", (struct mc_host_num){total, 0});
	mc__set_note(it,
		     "%" PRIu64
		     " local IPv4 addresses (a /8 block on lo counts 16777214) and %d IPv6: "
		     "each gives every destination its own port range; --sources %" PRIu64
		     " is what this scenario uses",
		     total, s->naddrs6, c->sc->sources);
}
