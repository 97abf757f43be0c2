/* ruleset.h: does the firewall of this network namespace make the kernel
 * track connections? nf_conntrack keeps an entry per connection only once
 * a rule or chain needs it, so tracking shows in the ruleset before any
 * entry does. Read the way nft and iptables read their rules: nf_tables
 * over netlink (ct expressions, NAT chains and statements, the xt
 * state/conntrack matches and NAT targets of iptables-nft, notrack), and
 * the legacy ip_tables (the nat table, state/conntrack matches, NAT, CT and
 * NOTRACK targets). The parsers are pure functions of a buffer
 * (unit-tested); reading needs CAP_NET_ADMIN. */
#ifndef MC_NET_RULESET_H
#define MC_NET_RULESET_H

#include <stdbool.h>
#include <stddef.h>

struct mc_ruleset {
	int err;	/* reading nf_tables: 0, or -errno (-EPERM without CAP_NET_ADMIN) */
	int legacy_err; /* reading ip_tables: 0, or -errno (-ENOENT: none loaded) */
	bool tracks;	/* a rule or chain makes the kernel track connections */
	bool notrack;	/* a rule exempts some traffic from tracking */
	char why[96];	/* the first that tracks: "nftables inet filter/input: ct" */
};

/* Read this network namespace's rules into r (zeroed first). Returns r->err
 * when nf_tables could not be read and no legacy table said anything. */
int mc_ruleset_read(struct mc_ruleset *r);

/* Pure: one nf_tables dump (netlink messages answering NFT_MSG_GETRULE or
 * NFT_MSG_GETCHAIN), added to r. */
void mc_ruleset_parse_nft(const void *buf, size_t len, struct mc_ruleset *r);
/* Pure: the entries of one legacy ip_tables table (IPT_SO_GET_ENTRIES),
 * added to r. */
void mc_ruleset_parse_ipt(const void *entries, size_t size, const char *table,
			  struct mc_ruleset *r);

#endif
