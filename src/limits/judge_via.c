/* judge_via.c: the middle box of the path (registry.c binds it to
 * middlebox_ports): a source NAT or a reverse proxy opens the connections
 * to the destination from its own address(es), so toward one destination
 * ip:port each of them has one port range, whatever the clients behind it:
 *
 *   middlebox_ports  addresses x destination addresses x destination ports
 *                    x the ports it maps onto (a NAT rule's range, else
 *                    netfilter's 1024-65535 = 64,512; a proxy's
 *                    ip_local_port_range)
 *
 * The path is described (--via, parsed here) or read from this host's nat
 * rules (net/nat.h). Pure, like every judge. */
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "limits/judge-int.h"

/* "LO-HI" at the end of s after its last ':', when it is one: into v. */
static bool take_ports(char *s, struct mc_limits_via *v)
{
	char *c = strrchr(s, ':');
	struct mc_err e;

	if (!c || !strchr(c, '-') || strspn(c + 1, "0123456789-") != strlen(c + 1))
		return false;
	if (mc_parse_port_range(c + 1, &v->port_lo, &v->port_hi, &e) < 0)
		return false;
	*c = '\0';
	return true;
}

int mc_limits_via_parse(const char *arg, struct mc_limits_via *v, struct mc_err *err)
{
	char buf[256], *list, *save = NULL;
	size_t kl;

	*v = (struct mc_limits_via){.kind = MC_LIMITS_VIA_NONE};
	kl = strcspn(arg, ":");
	if (kl == 4 && strncmp(arg, "snat", 4) == 0)
		v->kind = MC_LIMITS_VIA_SNAT;
	else if (kl == 5 && strncmp(arg, "proxy", 5) == 0)
		v->kind = MC_LIMITS_VIA_PROXY;
	else
		goto bad;
	if (!arg[kl])
		return 0;
	if (strlen(arg + kl + 1) >= sizeof(buf))
		goto bad;
	snprintf(buf, sizeof(buf), "%s", arg + kl + 1);
	if (strspn(buf, "0123456789-") == strlen(buf) && strchr(buf, '-')) {
		/* snat:LO-HI is a range with no address: not an address */
		goto bad;
	}
	take_ports(buf, v);
	list = buf;
	if (*list && list[strlen(list) - 1] == ':')
		list[strlen(list) - 1] = '\0'; /* snat::LO-HI */
	snprintf(v->addrs_text, sizeof(v->addrs_text), "%.63s", list);
	for (char *a = strtok_r(list, ",", &save); a; a = strtok_r(NULL, ",", &save)) {
		struct mc_addr_range r;
		if (mc_parse_addr_range(a, &r, err) < 0) {
			char m[sizeof(err->msg)];
			snprintf(m, sizeof(m), "%s", err->msg);
			snprintf(err->msg, sizeof(err->msg), "--via '%s': %.300s", arg, m);
			return -EINVAL;
		}
		v->addrs = mc__add_sat(v->addrs, r.count);
	}
	return 0;
bad:
	snprintf(err->msg, sizeof(err->msg),
		 "--via '%s': expected snat or proxy, then optionally ':' and the middle box's "
		 "source addresses (ADDR,ADDR or ADDR-ADDR) and ':LO-HI' for its port range, "
		 "e.g. snat:10.0.1.1,10.0.1.2:40000-40999 or proxy:10.0.0.5",
		 arg);
	return -EINVAL;
}

/* The NAT rule of this host that applies to the scenario's destination,
 * when rules were read. */
static const struct mc_nat_rule *host_rule(const struct mc__judge *c)
{
	const struct mc_limits_snap *s = c->s;
	const struct mc_limits_scenario *sc = c->sc;
	uint32_t d = 0;

	if (!s->nat_read || !s->nat.n)
		return NULL;
	if (sc->have_dst && sc->dst.addr.family == AF_INET)
		d = ntohl(sc->dst.addr.u.v4.s_addr);
	return mc_nat_match(&s->nat, d);
}

/* Fixes for a source NAT: more addresses (a pool), a wider range, more
 * destination ports or addresses. */
static void fix_snat(struct mc_limits_item *it, uint64_t need_addrs, uint64_t ports,
		     uint64_t need_dests)
{
	mc__add_fix(it,
		    "more NAT addresses: an address pool for %" PRIu64
		    " address(es), nft 'snat to ADDR1-ADDRn' (iptables -j SNAT --to-source "
		    "ADDR1-ADDRn) in place of masquerade; netfilter picks one per client "
		    "address, so it serves as many client addresses",
		    need_addrs);
	if (ports < MC_NAT_DEFAULT_HI - MC_NAT_DEFAULT_LO + 1)
		mc__add_fix(it, "or a wider port range in the rule: masquerade to :1024-65535 "
				"(or no range: 64,512 ports)");
	mc__add_fix(it,
		    "or more destinations: %" PRIu64
		    " destination ip:port pairs on the server (more listen ports or addresses)",
		    need_dests);
}

/* Fixes for a reverse proxy: proxy_bind over several addresses, more
 * backend ports or addresses, upstream keepalive. */
static void fix_proxy(struct mc_limits_item *it, uint64_t need_addrs, uint64_t need_dests)
{
	mc__add_fix(it,
		    "nginx: proxy_bind over %" PRIu64
		    " source address(es) of the proxy, e.g. split_clients \"$remote_addr"
		    "$remote_port\" $src { 50%% 10.0.0.1; * 10.0.0.2; } and proxy_bind $src",
		    need_addrs);
	mc__add_fix(it,
		    "or more backend ip:port pairs in the upstream block: %" PRIu64
		    " (the backend listening on more ports or addresses)",
		    need_dests);
	mc__add_fix(it, "or keep upstream connections and multiplex over them (http: upstream "
			"keepalive N; proxy_http_version 1.1), so client connections do not "
			"each hold one");
	mc__add_fix(it, "or widen the proxy host's net.ipv4.ip_local_port_range (1024 65535)");
}

/* middlebox_ports: the described or read middle box's ceiling; without
 * --via, a NAT rule read here is shown for context. */
void mc__judge_middlebox(struct mc__judge *c, struct mc_limits_item *it)
{
	const struct mc_limits_snap *s = c->s;
	const struct mc_limits_scenario *sc = c->sc;
	const struct mc_limits_via *v = &sc->via;
	const struct mc_nat_rule *rule = host_rule(c);
	uint64_t addrs, ports, lo, hi, dests, d;
	const char *addr_from, *port_from;
	bool proxy = v->kind == MC_LIMITS_VIA_PROXY;

	dests = mc__mul_sat(sc->dest_addrs, sc->dest_ports);
	if (v->kind == MC_LIMITS_VIA_NONE) {
		it->kind = MC_LIMITS_INFO;
		if (!rule) {
			mc__set_value(it, "none");
			mc__set_note(it, "no middle box described (--via snat|proxy[:ADDR,...]) "
					 "or read in this host's nat rules");
			return;
		}
		mc__set_value(it, "%.90s", rule->text);
		it->source = s->nat.from;
		mc__set_note(it,
			     "this host does source NAT: %" PRIu64 " address(es) x %" PRIu64
			     " ports per destination ip:port; connections through it are capped "
			     "there (--via snat counts it as the path's ceiling)",
			     mc_nat_addrs(rule), mc_nat_ports(rule));
		return;
	}
	/* addresses: given, the rule's, or one (masquerade: the outgoing
	 * interface's; a proxy's default source) */
	if (v->addrs) {
		addrs = v->addrs;
		addr_from = "given";
	} else if (!proxy && rule) {
		addrs = mc_nat_addrs(rule);
		addr_from = "read";
	} else {
		addrs = 1;
		addr_from = "assumed";
	}
	/* ports: given, the rule's, netfilter's default, or the proxy host's
	 * ip_local_port_range */
	if (v->port_lo) {
		lo = v->port_lo;
		hi = v->port_hi;
		port_from = "given";
	} else if (!proxy && rule && rule->port_lo) {
		lo = rule->port_lo;
		hi = rule->port_hi;
		port_from = "read from the rule";
	} else if (!proxy) {
		lo = MC_NAT_DEFAULT_LO;
		hi = MC_NAT_DEFAULT_HI;
		port_from = rule ? "the rule gives none: netfilter's default"
				 : "assumed: netfilter's default when a rule gives none";
	} else if (!s->port_lo.err && !s->port_hi.err) {
		lo = s->port_lo.v;
		hi = s->port_hi.v;
		port_from =
		    "this host's ip_local_port_range: run limits on the proxy, or give :LO-HI";
	} else {
		mc__set_unknown(it, MC_HOST_P_PORT_RANGE,
				s->port_lo.err ? s->port_lo.err : s->port_hi.err);
		return;
	}
	ports = hi - lo + 1;
	if (!proxy && addrs > 1 && c->client && sc->sources < addrs) {
		/* netfilter picks the address of a pool per client address (a
		 * hash of the client's and the destination's addresses): one
		 * client address uses one NAT address */
		addrs = sc->sources;
		addr_from = "at most one per client address: netfilter hashes the client's "
			    "address onto the pool";
	}
	if (proxy && !v->port_lo && !s->reserved_in_range.err)
		ports = mc__sub0(ports, s->reserved_in_range.v);
	if (rule && !proxy)
		it->source = s->nat.from;
	else
		it->source = "--via";
	mc__add_val(it, "addresses", (struct mc_host_num){addrs, 0});
	mc__add_val(it, "lo", (struct mc_host_num){lo, 0});
	mc__add_val(it, "hi", (struct mc_host_num){hi, 0});
	mc__add_val(it, "destinations", (struct mc_host_num){dests, 0});
	mc__set_value(it, "%s %" PRIu64 " address(es), ports %" PRIu64 "-%" PRIu64,
		      proxy ? "proxy" : "snat", addrs, lo, hi);
	it->conns = mc__mul_sat(mc__mul_sat(addrs, dests), ports);
	mc__set_note(it,
		     "%" PRIu64 " %s address(es) (%s%s%.40s) x %" PRIu64
		     " destination ip:port(s) x %" PRIu64 " ports (%s%s%.80s): each address has "
		     "one port range toward each destination",
		     addrs, proxy ? "proxy" : "NAT", addr_from, v->addrs_text[0] ? ": " : "",
		     v->addrs_text, dests, ports, port_from, rule && !proxy ? "; " : "",
		     rule && !proxy ? rule->text : "");
	d = mc__demand(c, it);
	it->raise_to = mc__div_up(d, mc__mul_sat(dests, mc__max_u(ports, 1)));
	if (proxy)
		fix_proxy(it, it->raise_to, mc__div_up(d, mc__mul_sat(addrs, mc__max_u(ports, 1))));
	else
		fix_snat(it, it->raise_to, ports,
			 mc__div_up(d, mc__mul_sat(addrs, mc__max_u(ports, 1))));
}
