/* test_ruleset.c: net/ruleset.c reads whether the firewall makes the
 * kernel track connections from nf_tables dumps and legacy ip_tables
 * entries built here byte by byte: an nft `ct state` rule and a nat chain
 * track, an iptables-nft `-m conntrack` (xt match) and `-j MASQUERADE`
 * track, a `notrack` rule alone does not, a rule of plain matches does not;
 * a legacy `-m state` entry and the nat table track, `-j CT --notrack`
 * exempts; a truncated buffer is read no further. */
#include <netinet/in.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nf_tables_compat.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter_ipv4/ip_tables.h>
#include <linux/netlink.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "net/ruleset.h"

struct buf {
	char b[4096] __attribute__((aligned(8)));
	size_t n;
};

/* Open an attribute (or a message, hdr_len bytes of header); returns its
 * offset so close_at can set its length. */
static size_t put_attr(struct buf *b, unsigned type, const void *data, size_t len)
{
	struct nlattr *a = (struct nlattr *)(b->b + b->n);
	size_t at = b->n;

	a->nla_type = (uint16_t)type;
	a->nla_len = (uint16_t)(NLA_HDRLEN + len);
	if (data)
		memcpy(b->b + b->n + NLA_HDRLEN, data, len);
	b->n += NLA_ALIGN(NLA_HDRLEN + len);
	return at;
}

static void put_str(struct buf *b, unsigned type, const char *s)
{
	put_attr(b, type, s, strlen(s) + 1);
}

static size_t nest(struct buf *b, unsigned type)
{
	return put_attr(b, type | NLA_F_NESTED, NULL, 0);
}

static void close_nest(struct buf *b, size_t at)
{
	((struct nlattr *)(b->b + at))->nla_len = (uint16_t)(b->n - at);
}

static size_t msg(struct buf *b, unsigned nft_msg, unsigned family)
{
	struct nlmsghdr *h = (struct nlmsghdr *)(b->b + b->n);
	struct nfgenmsg *g = NLMSG_DATA(h);
	size_t at = b->n;

	memset(h, 0, NLMSG_LENGTH(sizeof(*g)));
	h->nlmsg_type = (uint16_t)((NFNL_SUBSYS_NFTABLES << 8) | nft_msg);
	g->nfgen_family = (uint8_t)family;
	b->n += NLMSG_ALIGN(NLMSG_LENGTH(sizeof(*g)));
	return at;
}

static void close_msg(struct buf *b, size_t at)
{
	((struct nlmsghdr *)(b->b + at))->nlmsg_len = (uint32_t)(b->n - at);
}

/* A rule in inet filter/input made of the expressions named (a "match:X"
 * or "target:X" is an xt compat expression of that name). */
static void rule(struct buf *b, const char *const *exprs)
{
	size_t m = msg(b, NFT_MSG_NEWRULE, NFPROTO_INET), list;

	put_str(b, NFTA_RULE_TABLE, "filter");
	put_str(b, NFTA_RULE_CHAIN, "input");
	list = nest(b, NFTA_RULE_EXPRESSIONS);
	for (int i = 0; exprs[i]; i++) {
		size_t e = nest(b, NFTA_LIST_ELEM);
		if (strncmp(exprs[i], "match:", 6) == 0 || strncmp(exprs[i], "target:", 7) == 0) {
			bool match = exprs[i][0] == 'm';
			size_t d;
			put_str(b, NFTA_EXPR_NAME, match ? "match" : "target");
			d = nest(b, NFTA_EXPR_DATA);
			put_str(b, match ? NFTA_MATCH_NAME : NFTA_TARGET_NAME,
				strchr(exprs[i], ':') + 1);
			close_nest(b, d);
		} else {
			put_str(b, NFTA_EXPR_NAME, exprs[i]);
		}
		close_nest(b, e);
	}
	close_nest(b, list);
	close_msg(b, m);
}

static struct mc_ruleset parse(const char *const *exprs)
{
	struct buf b = {.n = 0};
	struct mc_ruleset r = {0};

	rule(&b, exprs);
	mc_ruleset_parse_nft(b.b, b.n, &r);
	return r;
}

static void test_nft_rules(void **state)
{
	static const char *const ct_state[] = {"meta", "ct", "bitwise", "cmp", "immediate", NULL};
	static const char *const plain[] = {"meta", "cmp", "payload", "cmp", "immediate", NULL};
	static const char *const notrack[] = {"payload", "cmp", "notrack", NULL};
	static const char *const xt_ct[] = {"match:conntrack", "counter", "target:ACCEPT", NULL};
	static const char *const xt_masq[] = {"meta", "cmp", "target:MASQUERADE", NULL};
	static const char *const xt_notrack[] = {"payload", "target:CT", NULL};
	static const struct {
		const char *const *exprs;
		bool tracks, notrack;
		const char *why;
	} cases[] = {
		{ct_state, true, false, "nftables inet filter/input: ct"},
		{plain, false, false, ""},
		{notrack, false, true, ""},
		{xt_ct, true, false, "nftables inet filter/input: xt match conntrack"},
		{xt_masq, true, false, "nftables inet filter/input: xt target MASQUERADE"},
		{xt_notrack, false, true, ""},
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct mc_ruleset r = parse(cases[i].exprs);
		assert_int_equal(r.tracks, cases[i].tracks);
		assert_int_equal(r.notrack, cases[i].notrack);
		assert_string_equal(r.why, cases[i].why);
	}
}

static void test_nft_chain_and_truncation(void **state)
{
	static const char *const ct_state[] = {"ct", NULL};
	struct buf b = {.n = 0};
	struct mc_ruleset r = {0};
	size_t m;

	(void)state;
	m = msg(&b, NFT_MSG_NEWCHAIN, NFPROTO_IPV4);
	put_str(&b, NFTA_CHAIN_TABLE, "nat");
	put_str(&b, NFTA_CHAIN_NAME, "postrouting");
	put_str(&b, NFTA_CHAIN_TYPE, "nat");
	close_msg(&b, m);
	mc_ruleset_parse_nft(b.b, b.n, &r);
	assert_true(r.tracks);
	assert_string_equal(r.why, "nftables ip nat/postrouting: a nat chain");

	/* a rule cut short: nothing past the cut is read */
	memset(&b, 0, sizeof(b));
	memset(&r, 0, sizeof(r));
	rule(&b, ct_state);
	mc_ruleset_parse_nft(b.b, b.n - 12, &r);
	assert_false(r.tracks);
}

/* One legacy entry with an optional match and a target, into b. */
static void ipt_entry_with(struct buf *b, const char *match, const char *target)
{
	struct ipt_entry *e = (struct ipt_entry *)(b->b + b->n);
	size_t off = sizeof(*e);

	memset(e, 0, sizeof(*e));
	if (match) {
		struct xt_entry_match *m = (void *)((char *)e + off);
		memset(m, 0, sizeof(*m) + 8);
		m->u.user.match_size = (uint16_t)(sizeof(*m) + 8);
		snprintf(m->u.user.name, sizeof(m->u.user.name), "%s", match);
		off += sizeof(*m) + 8;
	}
	e->target_offset = (uint16_t)off;
	{
		struct xt_entry_target *t = (void *)((char *)e + off);
		memset(t, 0, sizeof(*t) + 8);
		t->u.user.target_size = (uint16_t)(sizeof(*t) + 8);
		snprintf(t->u.user.name, sizeof(t->u.user.name), "%s", target);
		off += sizeof(*t) + 8;
	}
	e->next_offset = (uint16_t)off;
	b->n += off;
}

static void test_legacy(void **state)
{
	struct buf b = {.n = 0};
	struct mc_ruleset r = {0};

	(void)state;
	ipt_entry_with(&b, "tcp", "ACCEPT");
	ipt_entry_with(&b, NULL, "DROP");
	mc_ruleset_parse_ipt(b.b, b.n, "filter", &r);
	assert_false(r.tracks);
	ipt_entry_with(&b, "state", "ACCEPT");
	mc_ruleset_parse_ipt(b.b, b.n, "filter", &r);
	assert_true(r.tracks);
	assert_string_equal(r.why, "iptables (legacy) filter: -m state");

	memset(&b, 0, sizeof(b));
	memset(&r, 0, sizeof(r));
	ipt_entry_with(&b, "tcp", "CT");
	mc_ruleset_parse_ipt(b.b, b.n, "raw", &r);
	assert_false(r.tracks);
	assert_true(r.notrack);
	/* the nat table needs conntrack whatever its rules */
	mc_ruleset_parse_ipt(b.b, 0, "nat", &r);
	assert_true(r.tracks);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_nft_rules),
	    cmocka_unit_test(test_nft_chain_and_truncation),
	    cmocka_unit_test(test_legacy),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
