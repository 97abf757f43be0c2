/* diag.c: the kernel's list of TCP sockets over NETLINK_SOCK_DIAG, the way
 * `ss` reads it, the TIME_WAIT reuse rule of connect() and the drops of the
 * listeners a destination's connections go to (see diag.h). */
#include "net/diag.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/sock_diag.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "common/procfs.h"
#include "net/nl.h"

/* One inet_diag_msg into s. */
static void from_msg(const struct inet_diag_msg *m, struct mc_diag_sock *s)
{
	memset(s, 0, sizeof(*s));
	s->src.family = s->dst.family = m->idiag_family;
	if (m->idiag_family == AF_INET) {
		memcpy(&s->src.u.v4, m->id.idiag_src, 4);
		memcpy(&s->dst.u.v4, m->id.idiag_dst, 4);
	} else {
		memcpy(&s->src.u.v6, m->id.idiag_src, 16);
		memcpy(&s->dst.u.v6, m->id.idiag_dst, 16);
	}
	s->sport = ntohs(m->id.idiag_sport);
	s->dport = ntohs(m->id.idiag_dport);
	s->state = m->idiag_state;
	s->expires_ms = m->idiag_expires;
	s->rqueue = m->idiag_rqueue;
	s->wqueue = m->idiag_wqueue;
}

/* The attributes: sk_drops (asked with idiag_ext), IPV6_V6ONLY. */
static void from_attrs(const struct nlmsghdr *h, struct mc_diag_sock *s)
{
	const struct rtattr *a =
	    (const void *)((const char *)NLMSG_DATA(h) + NLMSG_ALIGN(sizeof(struct inet_diag_msg)));
	int len = (int)h->nlmsg_len - NLMSG_LENGTH(sizeof(struct inet_diag_msg));

	for (; RTA_OK(a, len); a = RTA_NEXT(a, len)) {
		if (a->rta_type == INET_DIAG_SKMEMINFO &&
		    RTA_PAYLOAD(a) >= (SK_MEMINFO_DROPS + 1) * sizeof(uint32_t)) {
			uint32_t mi[SK_MEMINFO_DROPS + 1];
			memcpy(mi, RTA_DATA(a), sizeof(mi));
			s->drops = mi[SK_MEMINFO_DROPS];
			s->has_drops = true;
		} else if (a->rta_type == INET_DIAG_SKV6ONLY && RTA_PAYLOAD(a) >= 1) {
			s->v6only = *(const uint8_t *)RTA_DATA(a) != 0;
		}
	}
}

struct walk {
	int (*fn)(void *arg, const struct mc_diag_sock *s);
	void *arg;
	int stopped;
};

static int walk_msg(void *arg, const struct nlmsghdr *h)
{
	struct walk *w = arg;
	struct mc_diag_sock s;

	if (h->nlmsg_len < NLMSG_LENGTH(sizeof(struct inet_diag_msg)))
		return 0;
	from_msg(NLMSG_DATA(h), &s);
	from_attrs(h, &s);
	return w->stopped = w->fn(w->arg, &s) != 0;
}

/* One dump of family, with the attributes ext asks for (a mask of
 * 1 << (INET_DIAG_* - 1)); 0, 1 (fn asked to stop) or -errno. */
static int walk_family(int nl, int family, uint32_t states, uint8_t ext, long *buf, size_t len,
		       struct walk *w)
{
	struct {
		struct nlmsghdr nlh;
		struct inet_diag_req_v2 r;
	} req = {
		.nlh = {.nlmsg_len = sizeof(req),
			.nlmsg_type = SOCK_DIAG_BY_FAMILY,
			.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP},
		.r = {.sdiag_family = (uint8_t)family,
		      .sdiag_protocol = IPPROTO_TCP,
		      .idiag_ext = ext,
		      .idiag_states = states},
	};
	int rc = mc_nl_dump(nl, &req, sizeof(req), buf, len, walk_msg, w);

	return rc < 0 ? rc : w->stopped;
}

/* what `ss` reads at a time; the kernel sizes its dump messages to the
 * largest read it has seen */
#define DIAG_BUF 32768

static int walk(uint32_t states, uint8_t ext, int (*fn)(void *arg, const struct mc_diag_sock *s),
		void *arg)
{
	long *buf = malloc(DIAG_BUF);
	struct walk w = {fn, arg, 0};
	int nl, rc;

	if (!buf)
		return -ENOMEM;
	nl = socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);
	if (nl < 0) {
		rc = -errno;
		free(buf);
		return rc;
	}
	rc = walk_family(nl, AF_INET, states, ext, buf, DIAG_BUF, &w);
	if (rc == 0)
		rc = walk_family(nl, AF_INET6, states, ext, buf, DIAG_BUF, &w);
	close(nl);
	free(buf);
	return rc < 0 ? rc : 0;
}

int mc_diag_walk(uint32_t states, int (*fn)(void *arg, const struct mc_diag_sock *s), void *arg)
{
	return walk(states, 0, fn, arg);
}

/* The wildcard address of a family */
static bool is_any(const struct mc_addr *a)
{
	return a->family == AF_INET ? a->u.v4.s_addr == htonl(INADDR_ANY)
				    : IN6_IS_ADDR_UNSPECIFIED(&a->u.v6);
}

bool mc_diag_listen_takes(const struct mc_diag_sock *s, const struct mc_endpoint_range *dst,
			  size_t ndst, const bool *local)
{
	for (size_t i = 0; i < ndst; i++) {
		const struct mc_endpoint_range *d = &dst[i];
		if (s->sport < d->port_lo || s->sport > d->port_hi)
			continue;
		if (mc_addr_equal(&s->src, &d->addr))
			return true;
		if (!local[i] || !is_any(&s->src))
			continue;
		if (s->src.family == d->addr.family ||
		    (d->addr.family == AF_INET && !s->v6only)) /* :: takes IPv4 too */
			return true;
	}
	return false;
}

/* Is a one of this namespace's addresses? A socket can bind to it. */
static bool addr_local(const struct mc_addr *a)
{
	struct sockaddr_storage ss;
	socklen_t len = mc_addr_to_sockaddr(a, 0, &ss);
	int fd = socket(a->family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	bool local = fd >= 0 && bind(fd, (struct sockaddr *)&ss, len) == 0;

	if (fd >= 0)
		close(fd);
	return local;
}

#define LISTEN_DST_MAX 16

struct listen_sum {
	const struct mc_endpoint_range *dst;
	size_t ndst;
	bool local[LISTEN_DST_MAX];
	struct mc_diag_listen *out;
	bool no_drops; /* a listener without sk_drops */
};

static int listen_fn(void *arg, const struct mc_diag_sock *s)
{
	struct listen_sum *l = arg;

	if (s->state != MC_TCP_LISTEN || !mc_diag_listen_takes(s, l->dst, l->ndst, l->local))
		return 0;
	l->out->listeners++;
	l->out->drops += s->drops;
	l->out->queued += s->rqueue;
	l->out->backlog += s->wqueue;
	l->no_drops |= !s->has_drops;
	return 0;
}

int mc_diag_listen_read(const struct mc_endpoint_range *dst, size_t ndst,
			struct mc_diag_listen *out)
{
	struct listen_sum l = {
	    dst, ndst < LISTEN_DST_MAX ? ndst : LISTEN_DST_MAX, {false}, out, false};
	int rc;

	memset(out, 0, sizeof(*out));
	for (size_t i = 0; i < l.ndst; i++)
		l.local[i] = addr_local(&dst[i].addr);
	/* (the kernel adds IPV6_V6ONLY of an IPv6 listener unasked) */
	rc = walk(1u << MC_TCP_LISTEN, 1u << (INET_DIAG_SKMEMINFO - 1), listen_fn, &l);
	if (rc == 0 && l.no_drops)
		rc = -ENODATA;
	return rc;
}

bool mc_diag_tw_blocks(const struct mc_tw_rules *r, const struct mc_addr *src,
		       const struct mc_addr *dst, uint32_t expires_ms)
{
	unsigned reuse = r->reuse;
	uint32_t age = expires_ms < MC_TW_LEN_MS ? MC_TW_LEN_MS - expires_ms : 0;

	if (reuse == 2 && !mc_addr_is_loopback(src) && !mc_addr_is_loopback(dst))
		reuse = 0; /* 2: loopback only */
	/* without timestamps PAWS cannot protect the new connection; a bound
	 * port is taken over at once (tcp_twsk_unique with no twp) */
	return !r->timestamps || (!r->bound && (!reuse || age <= r->delay_ms));
}

struct tw_pair {
	const struct mc_addr *src, *dst;
	uint16_t dport;
	const struct mc_tw_rules *r;
	uint64_t all, blocking;
};

static int tw_pair_fn(void *arg, const struct mc_diag_sock *s)
{
	struct tw_pair *t = arg;

	if (s->dport != t->dport || !mc_addr_equal(&s->src, t->src) ||
	    !mc_addr_equal(&s->dst, t->dst))
		return 0;
	t->all++;
	t->blocking += mc_diag_tw_blocks(t->r, &s->src, &s->dst, s->expires_ms);
	return 0;
}

void mc_diag_tw_rules(struct mc_tw_rules *r)
{
	uint64_t v;

	r->reuse = mc_proc_read_u64(NULL, "/proc/sys/net/ipv4/tcp_tw_reuse", &v) == 0 ? (unsigned)v
										       : 2;
	r->delay_ms =
	    mc_proc_read_u64(NULL, "/proc/sys/net/ipv4/tcp_tw_reuse_delay", &v) == 0 ? (unsigned)v
											 : 1000;
	r->timestamps =
	    mc_proc_read_u64(NULL, "/proc/sys/net/ipv4/tcp_timestamps", &v) != 0 || v != 0;
	r->bound = false;
}

int mc_diag_tw_pair(const struct mc_addr *src, const struct mc_addr *dst, uint16_t dport,
		    const struct mc_tw_rules *r, uint64_t *all, uint64_t *blocking)
{
	struct mc_tw_rules here;
	struct tw_pair t = {src, dst, dport, r, 0, 0};
	int rc;

	if (!r) {
		mc_diag_tw_rules(&here);
		t.r = &here;
	}
	rc = mc_diag_walk(1u << MC_TCP_TIME_WAIT, tw_pair_fn, &t);
	if (rc == 0) {
		*all = t.all;
		*blocking = t.blocking;
	}
	return rc;
}

/* Pairs by a small open-addressed table; past TW_SLOTS distinct pairs the
 * rest are not counted (their number is kept). */
#define TW_SLOTS 4096

struct tw_table {
	const struct mc_tw_rules *r;
	uint16_t lo, hi;
	struct mc_diag_tw_pair *p; /* TW_SLOTS */
	bool *used;
};

static uint32_t pair_hash(const struct mc_diag_sock *s)
{
	uint32_t h = 2166136261u;
	const unsigned char *k[2] = {(const void *)&s->src.u, (const void *)&s->dst.u};

	for (int j = 0; j < 2; j++)
		for (size_t i = 0; i < (s->src.family == AF_INET ? 4u : 16u); i++)
			h = (h ^ k[j][i]) * 16777619u;
	return (h ^ s->dport) * 16777619u;
}

static int tw_pairs_fn(void *arg, const struct mc_diag_sock *s)
{
	struct tw_table *t = arg;
	uint32_t i = pair_hash(s) % TW_SLOTS;

	if (s->sport < t->lo || s->sport > t->hi)
		return 0;
	for (int probe = 0; probe < TW_SLOTS; probe++, i = (i + 1) % TW_SLOTS) {
		struct mc_diag_tw_pair *p = &t->p[i];
		if (t->used[i] && (p->dport != s->dport || !mc_addr_equal(&p->src, &s->src) ||
				   !mc_addr_equal(&p->dst, &s->dst)))
			continue;
		if (!t->used[i]) {
			t->used[i] = true;
			p->src = s->src;
			p->dst = s->dst;
			p->dport = s->dport;
		}
		p->all++;
		p->blocking += mc_diag_tw_blocks(t->r, &s->src, &s->dst, s->expires_ms);
		return 0;
	}
	return 0;
}

static int by_blocking(const void *a, const void *b)
{
	const struct mc_diag_tw_pair *x = a, *y = b;

	return x->blocking < y->blocking ? 1 : x->blocking > y->blocking ? -1 : 0;
}

int mc_diag_tw_pairs(const struct mc_tw_rules *r, uint16_t port_lo, uint16_t port_hi,
		     struct mc_diag_tw_pair *out, int max, int *n)
{
	struct tw_table t = {r, port_lo, port_hi, calloc(TW_SLOTS, sizeof(*t.p)),
			     calloc(TW_SLOTS, sizeof(*t.used))};
	int rc = t.p && t.used ? mc_diag_walk(1u << MC_TCP_TIME_WAIT, tw_pairs_fn, &t) : -ENOMEM;

	*n = 0;
	if (rc == 0) {
		int k = 0;
		for (int i = 0; i < TW_SLOTS; i++)
			if (t.used[i])
				t.p[k++] = t.p[i];
		qsort(t.p, (size_t)k, sizeof(*t.p), by_blocking);
		for (int i = 0; i < k && i < max; i++)
			out[i] = t.p[i];
		*n = k < max ? k : max;
	}
	free(t.p);
	free(t.used);
	return rc;
}

struct tw_any {
	const struct mc_addr *dst;
	uint16_t dport;
	const struct mc_tw_rules *r;
	uint64_t all, blocking;
};

static int tw_any_fn(void *arg, const struct mc_diag_sock *s)
{
	struct tw_any *t = arg;

	if (s->dport == t->dport && mc_addr_equal(&s->dst, t->dst)) {
		t->all++;
		t->blocking += mc_diag_tw_blocks(t->r, &s->src, &s->dst, s->expires_ms);
	}
	return 0;
}

void mc_diag_tw_words(const struct mc_addr *src, const struct mc_addr *dst, uint16_t dport,
		      bool bound, char *buf, size_t len)
{
	struct mc_tw_rules r;
	uint64_t all = 0, blocking = 0;
	int rc;

	buf[0] = '\0';
	mc_diag_tw_rules(&r);
	r.bound = bound;
	if (src) {
		rc = mc_diag_tw_pair(src, dst, dport, &r, &all, &blocking);
	} else {
		struct tw_any t = {dst, dport, &r, 0, 0};
		rc = mc_diag_walk(1u << MC_TCP_TIME_WAIT, tw_any_fn, &t);
		all = t.all;
		blocking = t.blocking;
	}
	if (rc < 0 || !all)
		return;
	snprintf(buf, len,
		 "%llu ports of this pair are in TIME_WAIT, %llu of them still kept from connect() "
		 "(%s%u, tcp_tw_reuse_delay %u ms%s)",
		 (unsigned long long)all, (unsigned long long)blocking,
		 bound ? "bound ports are taken over at once; tcp_tw_reuse " : "tcp_tw_reuse ",
		 r.reuse, r.delay_ms, r.timestamps ? "" : ", tcp_timestamps off: no reuse");
}
