/* judge_net.c: the kernel's network tables besides ports: conntrack, the
 * accept queue, churn (TIME_WAIT, orphans) as information, and the
 * established hash as a speed (registry.c binds them to their ids;
 * judge-int.h says what a judge function does).
 *
 *   conntrack     nf_conntrack_max - count, only when the kernel tracks
 *   accept_queue  a queue: (min(backlog, somaxconn) + 1) x listen sockets
 *   time_wait, orphans  information
 *   ehash         a speed: sockets per bucket at the target (or the ceiling) */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>

#include "limits/judge-int.h"

/* Why the kernel tracks connections here, into buf; false when nothing
 * shows that it does. */
static bool ct_tracking(const struct mc_limits_snap *s, char *buf, size_t len)
{
	if (s->ct_rules_read && s->ct_rules.tracks)
		snprintf(buf, len, "%s", s->ct_rules.why);
	else if (s->ct_nat_table)
		snprintf(buf, len, "the iptables nat table is loaded");
	else if (s->ct_count.v > 0)
		snprintf(buf, len, "%" PRIu64 " connections are tracked already", s->ct_count.v);
	else
		return false;
	return true;
}

/* The fixes of a full conntrack table, as they work where this runs:
 * nf_conntrack_max is global and read-only in a child network namespace
 * (set it on the host), its hash table (nf_conntrack_buckets) grown with
 * it, or the traffic exempted with a notrack rule for the port. */
static void fix_conntrack(struct mc__judge *c, struct mc_limits_item *it, uint64_t need)
{
	const struct mc_limits_snap *s = c->s;

	if (s->ct_max_ro)
		mc__add_fix(it, "nf_conntrack_max is one setting for the whole host, read-only in "
				"this network namespace: run these on the host (its initial network "
				"namespace), e.g. nsenter --net=/proc/1/ns/net");
	mc__fix_sysctl_u64(it, "net.netfilter.nf_conntrack_max", need);
	if (s->ct_buckets.err == 0 && s->ct_buckets.v < need)
		mc__fix_sysctl_u64(it, "net.netfilter.nf_conntrack_buckets", need);
	mc__add_fix(it, "or do not track the server's port (PORT below); in this network "
			"namespace: nft add table inet notrack_maxconn");
	mc__add_fix(it, "nft add chain inet notrack_maxconn pre '{ type filter hook prerouting "
			"priority raw; }'; nft add chain inet notrack_maxconn out '{ type filter hook "
			"output priority raw; }'");
	mc__add_fix(it, "nft add rule inet notrack_maxconn pre tcp dport PORT notrack; nft add "
			"rule inet notrack_maxconn pre tcp sport PORT notrack; the same two in out");
	mc__add_fix(it, "(iptables: -t raw -I PREROUTING -p tcp --dport PORT -j CT --notrack, and "
			"OUTPUT); then accept 'ct state untracked' where your rules accept established");
}

/* conntrack: a ceiling (max - count) only while the kernel tracks: a rule
 * or chain needs it (the ruleset, read live), a NAT table is loaded, or
 * entries exist. No module, or nothing tracked: no limit, and no warning;
 * a ruleset that could not be read with no entries: unknown. */
void mc__judge_conntrack(struct mc__judge *c, struct mc_limits_item *it)
{
	const struct mc_limits_snap *s = c->s;
	char why[128];
	uint64_t d, need;

	mc__add_val(it, "max", s->ct_max);
	mc__add_val(it, "count", s->ct_count);
	mc__add_val(it, "buckets", s->ct_buckets);
	if (s->ct_max.err == -ENOENT) {
		mc__set_value(it, "no conntrack");
		mc__set_note(it,
			     "the nf_conntrack module is not loaded: nothing is tracked, no limit");
		return;
	}
	if (s->ct_max.err) {
		mc__set_unknown(it, MC_HOST_P_CT_MAX, s->ct_max.err);
		return;
	}
	if (s->ct_count.err) {
		mc__set_unknown(it, MC_HOST_P_CT_COUNT, s->ct_count.err);
		return;
	}
	mc__set_value(it, "%" PRIu64 " max%s, %" PRIu64 " tracked", s->ct_max.v,
		      s->ct_max_ro ? " (global)" : "", s->ct_count.v);
	if (!ct_tracking(s, why, sizeof(why))) {
		if (s->ct_rules_read && s->ct_rules.err && s->ct_rules.legacy_err != 0) {
			mc__set_unknown(it, "the firewall rules (nf_tables over netlink)",
					s->ct_rules.err);
			mc__set_note(it, "whether a rule makes the kernel track connections; run as "
					 "root (CAP_NET_ADMIN) to know");
			return;
		}
		mc__set_note(it,
			     "not tracking: no rule or chain needs it, no NAT table, no entries: no "
			     "limit; a rule that tracks (ct state, NAT) would cap new connections at "
			     "%" PRIu64,
			     mc__sub0(s->ct_max.v, s->ct_count.v));
		return;
	}
	it->conns = mc__sub0(s->ct_max.v, s->ct_count.v);
	mc__set_note(it,
		     "tracked (%s): %" PRIu64 " max - %" PRIu64
		     " tracked; when full new SYNs are dropped (ETIMEDOUT)%s",
		     why, s->ct_max.v, s->ct_count.v,
		     s->ct_rules.notrack ? "; a notrack rule exempts some traffic (is it yours?)"
					 : "");
	d = mc__demand(c, it);
	need = mc__add_sat(mc__add_sat(s->ct_count.v, d), d / 10);
	it->raise_to = need;
	fix_conntrack(c, it, need);
}

/* accept_queue: min(backlog, somaxconn) + 1 per listen socket: how many
 * connections can wait for accept(), a queue and never the binding limit. */
void mc__judge_acceptq(struct mc__judge *c, struct mc_limits_item *it)
{
	const struct mc_limits_snap *s = c->s;
	const struct mc_limits_scenario *sc = c->sc;
	uint64_t q, want;
	char nb[24], ob[24], db[24];

	if (!c->server)
		it->kind = MC_LIMITS_INFO;
	mc__add_val(it, "somaxconn", s->somaxconn);
	mc__add_val(it, "backlog", (struct mc_host_num){sc->backlog, 0});
	mc__add_val(it, "tcp_max_syn_backlog", s->syn_backlog);
	mc__add_val(it, "syncookies", s->syncookies);
	mc__add_val(it, "listen_overflows", s->netstat.listen_overflows);
	mc__add_val(it, "listen_drops", s->netstat.listen_drops);
	if (s->somaxconn.err) {
		mc__set_unknown(it, MC_LIMITS_P_SOMAXCONN, s->somaxconn.err);
		if (!c->server)
			it->status = MC_LIMITS_FINE;
		return;
	}
	q = mc__min_u(sc->backlog, s->somaxconn.v) + 1;
	c->r->accept_queue = q;
	mc__set_value(it, "somaxconn %" PRIu64 ", backlog %" PRIu64 ", syn %s, cookies %s",
		      s->somaxconn.v, sc->backlog, mc__numstr(s->syn_backlog, nb, sizeof(nb)),
		      s->syncookies.err ? "?" : (s->syncookies.v ? "on" : "off"));
	if (!c->server) {
		mc__set_note(it, "the server's queue, on its host");
		return;
	}
	it->conns = mc__mul_sat(q, sc->dest_ports);
	mc__set_note(
	    it,
	    "not a ceiling on held connections: up to (min(backlog, somaxconn) + 1) = %" PRIu64
	    " x %" PRIu64 " listen socket(s) wait for accept(); ListenOverflows %s, "
	    "ListenDrops %s so far",
	    q, sc->dest_ports, mc__numstr(s->netstat.listen_overflows, ob, sizeof(ob)),
	    mc__numstr(s->netstat.listen_drops, db, sizeof(db)));
	want = mc__max_u(s->somaxconn.v, 65535);
	it->raise_to = want;
	mc__fix_sysctl_u64(it, "net.core.somaxconn", want);
	mc__add_fix(it, "and listen with that backlog: maxconn server --backlog %" PRIu64, want);
	mc__add_fix(it, "or accept faster: more --workers");
}

/* The TIME_WAIT sockets on clients' ports (read live): how many, how many
 * still keep connect() off their port, and the busiest pair, as words. */
static void tw_words(const struct mc_limits_snap *s, char *buf, size_t len)
{
	uint64_t all = 0, blocking = 0;
	char sa[MC_ADDR_STRLEN], da[MC_ADDR_STRLEN];

	buf[0] = '\0';
	if (!s->tw_read || !s->ntw)
		return;
	for (int i = 0; i < s->ntw; i++) {
		all += s->tw[i].all;
		blocking += s->tw[i].blocking;
	}
	snprintf(buf, len,
		 "; on clients' ports %" PRIu64 " in TIME_WAIT, %" PRIu64
		 " still keeping connect() off (most: %s -> %s, %" PRIu64 " of %" PRIu64 ")",
		 all, blocking, mc_addr_str(&s->tw[0].src, sa, sizeof(sa)),
		 mc_addr_port_str(&s->tw[0].dst, s->tw[0].dport, da, sizeof(da)), s->tw[0].blocking,
		 s->tw[0].all);
}

/* time_wait: churn settings and the ports held in TIME_WAIT now, as
 * information (the ports a pair cannot use count in ephemeral_ports); the
 * reuse rules as connect() applies them (tcp_twsk_unique): timestamps on,
 * tcp_tw_reuse 1 (or 2 with a loopback address), tcp_tw_reuse_delay ms
 * after the socket entered TIME_WAIT. tcp_tw_reuse=2 is the default and
 * never a warning. */
void mc__judge_time_wait(struct mc__judge *c, struct mc_limits_item *it)
{
	const struct mc_limits_snap *s = c->s;
	const char *reuse;
	char fb[24], bb[24], tb[24], tw[200];
	struct mc_tw_rules r;

	mc__add_val(it, "tw_reuse", s->tw_reuse);
	mc__add_val(it, "tw_reuse_delay_ms", s->tw_reuse_delay);
	mc__add_val(it, "fin_timeout", s->fin_timeout);
	mc__add_val(it, "max_tw_buckets", s->tw_buckets);
	mc__add_val(it, "time_wait_now", s->sockstat.tcp_tw);
	if (s->tw_reuse.err) {
		mc__set_unknown(it, MC_LIMITS_P_TW_REUSE, s->tw_reuse.err);
		it->status = MC_LIMITS_FINE;
		return;
	}
	mc_limits_tw_rules(s, &r);
	tw_words(s, tw, sizeof(tw));
	reuse = s->tw_reuse.v == 0 ? "off" : s->tw_reuse.v == 1 ? "on" : "loopback";
	mc__set_value(it, "tw_reuse %" PRIu64 " (%s) after %u ms, fin_timeout %ss, tw max %s",
		      s->tw_reuse.v, reuse, r.delay_ms, mc__numstr(s->fin_timeout, fb, sizeof(fb)),
		      mc__numstr(s->tw_buckets, bb, sizeof(bb)));
	mc__numstr(s->sockstat.tcp_tw, tb, sizeof(tb));
	if (!c->client)
		mc__set_note(it,
			     "held connections never enter TIME_WAIT; on a server it only "
			     "costs memory after closes (%s in TIME_WAIT now)%s",
			     tb, tw);
	else if (!r.timestamps)
		mc__set_note(it,
			     "tcp_timestamps is off: connect() never takes over a port in TIME_WAIT; "
			     "each closed port waits 60 s (%s in TIME_WAIT now)%s",
			     tb, tw);
	else if (s->tw_reuse.v == 0)
		mc__set_note(it,
			     "a client that closes and reconnects keeps each closed port in "
			     "TIME_WAIT for 60 s; net.ipv4.tcp_tw_reuse=1 (or 2 for loopback) lets "
			     "connect() reuse it after tcp_tw_reuse_delay (%s in TIME_WAIT now)%s",
			     tb, tw);
	else if (s->tw_reuse.v == 1)
		mc__set_note(it,
			     "connect() reuses a port in TIME_WAIT %u ms after it entered it (TCP "
			     "timestamps on) (%s in TIME_WAIT now)%s",
			     r.delay_ms, tb, tw);
	else
		mc__set_note(it,
			     "connect() reuses a port in TIME_WAIT %u ms after it entered it toward "
			     "loopback destinations (TCP timestamps on); elsewhere a closed port waits "
			     "60 s (%s in TIME_WAIT now)%s",
			     r.delay_ms, tb, tw);
}

/* orphans: tcp_max_orphans, as information (held connections are never
 * orphans). */
void mc__judge_orphans(struct mc__judge *c, struct mc_limits_item *it)
{
	const struct mc_limits_snap *s = c->s;

	mc__add_val(it, "max_orphans", s->max_orphans);
	mc__add_val(it, "orphans_now", s->sockstat.tcp_orphan);
	if (s->max_orphans.err) {
		if (mc__global_absent(c, it, s->max_orphans, "net.ipv4.tcp_max_orphans"))
			return;
		mc__set_unknown(it, MC_LIMITS_P_ORPHANS, s->max_orphans.err);
		it->status = MC_LIMITS_FINE;
		return;
	}
	mc__set_value(it, "%" PRIu64, s->max_orphans.v);
	mc__set_note(it, "closed by the program, not yet by TCP; past the max the kernel resets "
			 "them ('too many orphaned sockets'); held connections are never orphans");
	mc__note_global(c, it);
}

/* The lowest ceiling judged so far: the registry keeps the hash's row
 * after every ceiling, so this is the host's. MC_LIMITS_NONE: none known. */
static uint64_t ceiling_so_far(const struct mc__judge *c, const struct mc_limits_item *self)
{
	uint64_t low = MC_LIMITS_NONE;

	for (int i = 0; i < c->r->n && &c->r->items[i] != self; i++) {
		const struct mc_limits_item *o = &c->r->items[i];
		if (o->kind == MC_LIMITS_CEILING && o->status != MC_LIMITS_UNKNOWN)
			low = mc__min_u(low, o->conns);
	}
	return low;
}

void mc__judge_ehash(struct mc__judge *c, struct mc_limits_item *it)
{
	const struct mc_host_ehash *e = &c->s->ehash;
	uint64_t conns = c->sc->target ? c->sc->target : ceiling_so_far(c, it);
	uint64_t socks = mc__mul_sat(conns, c->spc), want;
	char a[32], b[32];

	mc__add_val(it, "buckets", e->buckets);
	mc__add_val(it, "child_ehash_entries", e->child);
	if (e->buckets.err) {
		mc__set_unknown(it, MC_HOST_P_EHASH, e->buckets.err);
		it->status = MC_LIMITS_FINE; /* a speed, not a ceiling: nothing unknown caps */
		if (e->buckets.err == -ENOENT)
			mc__set_note(it, "before Linux 5.19 the size is only in the boot log: dmesg | "
					 "grep 'established hash table'");
		return;
	}
	mc__set_value(it, "%" PRIu64 " buckets (%s)", e->buckets.v,
		      !c->s->netns_child ? "the host's"
		      : e->own		 ? "this namespace's own"
					 : "the host's, shared");
	if (conns == MC_LIMITS_NONE || !conns) {
		mc__set_note(it, "a speed limit, not a count: every segment and every connect's check "
				 "walks a chain of sockets / buckets");
		return;
	}
	it->chain = (double)socks / (double)e->buckets.v;
	mc__set_note(it,
		     "a speed limit, not a count: at %s %s connections (%s sockets) every segment "
		     "and every "
		     "connect's uniqueness check walks a chain of ~%.1f sockets (sockets / buckets); "
		     "past ~1 the connect rate falls (measured on 2 cores, Linux 6.18: ~48k/s at "
		     "the start, ~13k/s at 5.2M sockets on 262,144 buckets)",
		     c->sc->target ? "the target's" : "the ceiling's", mc__cnt(conns, a, sizeof(a)),
		     mc__cnt(socks, b, sizeof(b)), it->chain);
	want = mc_host_ehash_size(socks);
	if (it->chain <= 1.0 || want <= e->buckets.v)
		return;
	it->raise_to = want;
	mc__add_fix(it,
		    "the host's hash, at boot: thash_entries=%" PRIu64
		    " on the kernel command line (GRUB_CMDLINE_LINUX in /etc/default/grub, "
		    "update-grub, reboot)",
		    want);
	mc__add_fix(it,
		    "a namespace's own (Linux 5.19+): sysctl -w net.ipv4.tcp_child_ehash_entries=%" PRIu64
		    " in its parent just before making it (ip netns add, unshare -n, a container's "
		    "start), then back to %" PRIu64,
		    want, e->child.err ? 0 : e->child.v);
}
