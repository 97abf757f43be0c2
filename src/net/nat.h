/* nat.h: the middle box of a path, as this host's netfilter shows it: the
 * source NAT rules (nftables `masquerade` / `snat to`, iptables' MASQUERADE
 * and SNAT targets) with the addresses and port range each maps connections
 * onto, and conntrack's own statistics (`conntrack -S`: insert_failed,
 * drop), which count the SYNs a NAT with no free port left dropped. The
 * parsers are pure functions of the text nft, iptables-save and
 * /proc/net/stat/nf_conntrack print (unit-tested); the readers run nft and
 * read the file, in this network namespace or a named one. */
#ifndef MC_NET_NAT_H
#define MC_NET_NAT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The ports netfilter's NAT maps a source port onto when the rule gives no
 * range (nf_nat_l4proto_unique_tuple: 1024-65535 for a source port >= 1024;
 * measured: 64,512 connections to one destination through one address). */
#define MC_NAT_DEFAULT_LO 1024
#define MC_NAT_DEFAULT_HI 65535

/* One source NAT rule of a postrouting chain. */
struct mc_nat_rule {
	bool masquerade;	   /* else snat */
	uint32_t addr_lo, addr_hi; /* snat's addresses, host order; 0 for masquerade */
	uint16_t port_lo, port_hi; /* the rule's port range; 0: none given */
	uint32_t daddr, dmask;	   /* its `ip daddr` / -d match, host order; dmask 0: any */
	char text[160];		   /* the rule as read, trimmed */
};

#define MC_NAT_MAX_RULES 8
struct mc_nat_rules {
	struct mc_nat_rule r[MC_NAT_MAX_RULES];
	int n;
	int err;       /* reading: 0, or -errno (-ENOENT: no nft) */
	char from[32]; /* "nft list ruleset", "iptables-save -t nat" */
};

/* Pure: add the source NAT rules of `nft list ruleset`'s text (rules of
 * chains of type nat hook postrouting) to r. */
void mc_nat_parse_nft(const char *text, struct mc_nat_rules *r);
/* Pure: the same for `iptables-save -t nat` (-A POSTROUTING ... -j
 * MASQUERADE [--to-ports A-B] / -j SNAT --to-source A[-B][:P-Q]). */
void mc_nat_parse_ipt(const char *text, struct mc_nat_rules *r);
/* The first rule whose destination match covers daddr (host order; 0: any
 * rule), or NULL. */
const struct mc_nat_rule *mc_nat_match(const struct mc_nat_rules *r, uint32_t daddr);
/* What one rule maps onto: its addresses (1 for masquerade: the outgoing
 * interface's) and ports per (address, destination) (the rule's range, or
 * the default 64,512). */
uint64_t mc_nat_addrs(const struct mc_nat_rule *rule);
uint64_t mc_nat_ports(const struct mc_nat_rule *rule);
/* Read this network namespace's rules: `nft list ruleset`, and with
 * legacy set (an ip_tables nat table is loaded) `iptables-save -t nat`.
 * Returns 0 or r->err. */
int mc_nat_read(struct mc_nat_rules *r, bool legacy);

/* conntrack's statistics, summed over the CPUs. */
struct mc_ct_stat {
	uint64_t insert_failed, drop, early_drop;
	int err; /* 0, or -errno */
};
/* Pure: /proc/net/stat/nf_conntrack's text (a header of names, a row of
 * hex counters per CPU). Returns 0 or -EINVAL. */
int mc_ct_stat_parse(const char *text, struct mc_ct_stat *st);
/* Read them for this network namespace (netns NULL or "") or another: a
 * name under /run/netns (ip netns) or a path (/proc/PID/ns/net). Returns 0
 * or -errno (also in st->err). */
int mc_ct_stat_read(const char *netns, struct mc_ct_stat *st);

/* What a reverse proxy's error log says when it has no port left toward
 * its upstream: nginx's "(99: Cannot assign requested address) while
 * connecting to upstream". */
#define MC_NAT_PROXY_NOPORT "(99: Cannot assign requested address) while connecting to upstream"
/* Pure: the lines of log text (len bytes, possibly cut mid-line at either
 * end) that say MC_NAT_PROXY_NOPORT: their count, and the first one's
 * words from "connect()" (or the line's start) to the phrase's end into
 * first (cut to flen). Returns the count. */
uint64_t mc_nat_proxy_log_scan(const char *text, size_t len, char *first, size_t flen);
/* The count of such lines in the file at path from byte offset from to its
 * end, the first quoted into first; *end gets the file's size (the next
 * read's from). Returns 0 or -errno. */
int mc_nat_proxy_log_read(const char *path, uint64_t from, uint64_t *count, char *first,
			  size_t flen, uint64_t *end);

#endif
