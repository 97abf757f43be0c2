/* ruleset.c: whether the firewall makes the kernel track connections, from
 * nf_tables (netlink) and legacy ip_tables (getsockopt): see ruleset.h. */
#include "net/ruleset.h"

#include <errno.h>
#include <netinet/in.h> /* before the kernel's headers: they defer to glibc's */
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nf_tables_compat.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter_ipv4/ip_tables.h>
#include <linux/netlink.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "common/procfs.h"
#include "net/nl.h"

/* nf_tables expressions that need conntrack: ct (state, status, mark,
 * zone...), NAT, connlimit, flow offload, synproxy. */
static const char *const nft_tracking[] = {"ct",	"nat",		"masq",	    "redir",
					   "connlimit", "flow_offload", "synproxy", NULL};
/* xt matches (iptables-nft's compat "match", legacy entries) and targets
 * that need conntrack, and those that exempt traffic from it */
static const char *const xt_matches[] = {"state",   "conntrack", "connlimit", "connmark",
					 "helper",  "connbytes", "cluster",	  NULL};
static const char *const xt_targets[] = {"MASQUERADE", "SNAT",	   "DNAT", "REDIRECT",
					 "NETMAP",     "CONNMARK", NULL};
static const char *const xt_notrack[] = {"NOTRACK", "CT", NULL};

static bool in(const char *s, const char *const *list)
{
	for (int i = 0; list[i]; i++)
		if (strcmp(s, list[i]) == 0)
			return true;
	return false;
}

/* Tracking seen; the first place that needs it, in words, is kept. */
static void tracked(struct mc_ruleset *r, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void tracked(struct mc_ruleset *r, const char *fmt, ...)
{
	va_list ap;

	if (!r->tracks) {
		va_start(ap, fmt);
		vsnprintf(r->why, sizeof(r->why), fmt, ap);
		va_end(ap);
	}
	r->tracks = true;
}

/* ---- netlink attributes --------------------------------------------- */

struct attrs {
	const struct nlattr *a[16];
};

/* The attributes in [p, p + len) by type (those above 15 are ignored). */
static void parse_attrs(const void *p, size_t len, struct attrs *out)
{
	const char *c = p;

	memset(out, 0, sizeof(*out));
	while (len >= NLA_HDRLEN) {
		const struct nlattr *a = (const struct nlattr *)c;
		size_t al = a->nla_len, step = NLA_ALIGN(al);
		unsigned type = a->nla_type & NLA_TYPE_MASK;
		if (al < NLA_HDRLEN || al > len)
			break;
		if (type < 16)
			out->a[type] = a;
		if (step >= len)
			break;
		c += step;
		len -= step;
	}
}

static const void *payload(const struct nlattr *a)
{
	return (const char *)a + NLA_HDRLEN;
}

static size_t payload_len(const struct nlattr *a)
{
	return a->nla_len - NLA_HDRLEN;
}

/* A string attribute into buf ("" when absent). */
static const char *str(const struct nlattr *a, char *buf, size_t len)
{
	size_t n = a ? payload_len(a) : 0;

	if (n >= len)
		n = len - 1;
	memcpy(buf, a ? payload(a) : "", n);
	buf[n] = '\0';
	return buf;
}

static const char *family_name(unsigned f)
{
	switch (f) {
	case NFPROTO_INET: return "inet";
	case NFPROTO_IPV4: return "ip";
	case NFPROTO_IPV6: return "ip6";
	case NFPROTO_BRIDGE: return "bridge";
	case NFPROTO_NETDEV: return "netdev";
	case NFPROTO_ARP: return "arp";
	default: return "?";
	}
}

/* One expression of a rule. */
static void nft_expr(const struct nlattr *e, const char *where, struct mc_ruleset *r)
{
	struct attrs ea, da;
	char name[32], sub[32];

	parse_attrs(payload(e), payload_len(e), &ea);
	str(ea.a[NFTA_EXPR_NAME], name, sizeof(name));
	if (in(name, nft_tracking)) {
		tracked(r, "nftables %s: %s", where, name);
		return;
	}
	if (strcmp(name, "notrack") == 0) {
		r->notrack = true;
		return;
	}
	if (!ea.a[NFTA_EXPR_DATA])
		return;
	parse_attrs(payload(ea.a[NFTA_EXPR_DATA]), payload_len(ea.a[NFTA_EXPR_DATA]), &da);
	if (strcmp(name, "match") == 0 && in(str(da.a[NFTA_MATCH_NAME], sub, sizeof(sub)), xt_matches))
		tracked(r, "nftables %s: xt match %s", where, sub);
	if (strcmp(name, "target") == 0) {
		str(da.a[NFTA_TARGET_NAME], sub, sizeof(sub));
		if (in(sub, xt_targets))
			tracked(r, "nftables %s: xt target %s", where, sub);
		else if (in(sub, xt_notrack))
			r->notrack = true;
	}
}

void mc_ruleset_parse_nft(const void *buf, size_t len, struct mc_ruleset *r)
{
	int n = (int)len;

	for (const struct nlmsghdr *h = buf; NLMSG_OK(h, n); h = NLMSG_NEXT(h, n)) {
		unsigned type = h->nlmsg_type & 0xff;
		const struct nfgenmsg *g = NLMSG_DATA(h);
		size_t hl = NLMSG_LENGTH(NLMSG_ALIGN(sizeof(*g)));
		char table[64], chain[64], where[160], ctype[16];
		struct attrs a;

		if (h->nlmsg_type >> 8 != NFNL_SUBSYS_NFTABLES || h->nlmsg_len < hl)
			continue;
		parse_attrs((const char *)h + hl, h->nlmsg_len - hl, &a);
		if (type == NFT_MSG_NEWCHAIN) {
			/* a nat chain registers conntrack's hooks by itself */
			if (strcmp(str(a.a[NFTA_CHAIN_TYPE], ctype, sizeof(ctype)), "nat") == 0)
				tracked(r, "nftables %s %s/%s: a nat chain", family_name(g->nfgen_family),
					str(a.a[NFTA_CHAIN_TABLE], table, sizeof(table)),
					str(a.a[NFTA_CHAIN_NAME], chain, sizeof(chain)));
			continue;
		}
		if (type != NFT_MSG_NEWRULE || !a.a[NFTA_RULE_EXPRESSIONS])
			continue;
		snprintf(where, sizeof(where), "%s %s/%s", family_name(g->nfgen_family),
			 str(a.a[NFTA_RULE_TABLE], table, sizeof(table)),
			 str(a.a[NFTA_RULE_CHAIN], chain, sizeof(chain)));
		{
			const char *p = payload(a.a[NFTA_RULE_EXPRESSIONS]);
			size_t left = payload_len(a.a[NFTA_RULE_EXPRESSIONS]);
			while (left >= NLA_HDRLEN) {
				const struct nlattr *e = (const struct nlattr *)p;
				size_t step = NLA_ALIGN(e->nla_len);
				if (e->nla_len < NLA_HDRLEN || e->nla_len > left)
					break;
				if ((e->nla_type & NLA_TYPE_MASK) == NFTA_LIST_ELEM)
					nft_expr(e, where, r);
				if (step >= left)
					break;
				p += step;
				left -= step;
			}
		}
	}
}

void mc_ruleset_parse_ipt(const void *entries, size_t size, const char *table,
			  struct mc_ruleset *r)
{
	const char *base = entries;

	if (strcmp(table, "nat") == 0)
		tracked(r, "iptables (legacy) %s table", table);
	for (size_t off = 0; off + sizeof(struct ipt_entry) <= size;) {
		const struct ipt_entry *e = (const struct ipt_entry *)(base + off);
		char name[XT_EXTENSION_MAXNAMELEN + 1];

		if (e->next_offset < sizeof(*e) || off + e->next_offset > size ||
		    e->target_offset > e->next_offset)
			break;
		for (size_t m = sizeof(*e); m + sizeof(struct xt_entry_match) <= e->target_offset;) {
			const struct xt_entry_match *x = (const void *)((const char *)e + m);
			if (x->u.user.match_size < sizeof(*x))
				break;
			snprintf(name, sizeof(name), "%.*s", XT_EXTENSION_MAXNAMELEN - 1,
				 x->u.user.name);
			if (in(name, xt_matches))
				tracked(r, "iptables (legacy) %s: -m %s", table, name);
			m += x->u.user.match_size;
		}
		if (e->target_offset + sizeof(struct xt_entry_target) <= e->next_offset) {
			const struct xt_entry_target *t =
			    (const void *)((const char *)e + e->target_offset);
			snprintf(name, sizeof(name), "%.*s", XT_EXTENSION_MAXNAMELEN - 1,
				 t->u.user.name);
			if (in(name, xt_targets))
				tracked(r, "iptables (legacy) %s: -j %s", table, name);
			else if (in(name, xt_notrack))
				r->notrack = true;
		}
		off += e->next_offset;
	}
}

/* ---- reading -------------------------------------------------------- */

#define RULES_BUF 65536

static int nft_msg(void *arg, const struct nlmsghdr *h)
{
	mc_ruleset_parse_nft(h, h->nlmsg_len, arg);
	return 0;
}

/* One nf_tables dump of msg, each answer parsed as it comes. */
static int nft_dump(int nl, unsigned msg, char *buf, struct mc_ruleset *r)
{
	struct {
		struct nlmsghdr h;
		struct nfgenmsg g;
	} req = {
		.h = {.nlmsg_len = sizeof(req),
		      .nlmsg_type = (NFNL_SUBSYS_NFTABLES << 8) | msg,
		      .nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP,
		      .nlmsg_seq = msg},
		.g = {.nfgen_family = NFPROTO_UNSPEC, .version = NFNETLINK_V0},
	};

	return mc_nl_dump(nl, &req, sizeof(req), buf, RULES_BUF, nft_msg, r);
}

static int read_nft(struct mc_ruleset *r)
{
	int nl = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_NETFILTER);
	char *buf = malloc(RULES_BUF);
	int rc;

	if (nl < 0 || !buf) {
		rc = nl < 0 ? -errno : -ENOMEM;
		if (nl >= 0)
			close(nl);
		free(buf);
		return rc;
	}
	rc = nft_dump(nl, NFT_MSG_GETCHAIN, buf, r);
	if (rc == 0)
		rc = nft_dump(nl, NFT_MSG_GETRULE, buf, r);
	close(nl);
	free(buf);
	return rc;
}

/* Each table in /proc/net/ip_tables_names, its entries walked. */
static int read_legacy(struct mc_ruleset *r)
{
	char names[512];
	ssize_t len = mc_proc_read(NULL, "/proc/net/ip_tables_names", names, sizeof(names));
	int s, rc = 0;

	if (len <= 0)
		return len < 0 ? (int)len : -ENOENT;
	if ((s = socket(AF_INET, SOCK_RAW | SOCK_CLOEXEC, IPPROTO_RAW)) < 0)
		return -errno;
	for (char *sv, *t = strtok_r(names, "\n", &sv); t; t = strtok_r(NULL, "\n", &sv)) {
		struct ipt_getinfo info;
		struct ipt_get_entries *ge;
		socklen_t il = sizeof(info), gl;

		memset(&info, 0, sizeof(info));
		snprintf(info.name, sizeof(info.name), "%s", t);
		if (getsockopt(s, IPPROTO_IP, IPT_SO_GET_INFO, &info, &il) < 0) {
			rc = -errno;
			continue;
		}
		gl = (socklen_t)(sizeof(*ge) + info.size);
		if (!(ge = calloc(1, gl))) {
			rc = -ENOMEM;
			break;
		}
		snprintf(ge->name, sizeof(ge->name), "%s", t);
		ge->size = info.size;
		if (getsockopt(s, IPPROTO_IP, IPT_SO_GET_ENTRIES, ge, &gl) == 0)
			mc_ruleset_parse_ipt(ge->entrytable, ge->size, t, r);
		else
			rc = -errno;
		free(ge);
	}
	close(s);
	return rc;
}

int mc_ruleset_read(struct mc_ruleset *r)
{
	memset(r, 0, sizeof(*r));
	r->err = read_nft(r);
	r->legacy_err = read_legacy(r);
	return r->err && !r->tracks ? r->err : 0;
}
