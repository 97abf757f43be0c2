/* nat.c: source NAT rules and conntrack's statistics (see nat.h). */
#include "net/nat.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* A dotted IPv4 address at p, host order, into *a; returns the characters
 * read, 0 when there is none. */
static int parse_v4(const char *p, uint32_t *a)
{
	unsigned b[4];
	int n = 0;

	if (sscanf(p, "%3u.%3u.%3u.%3u%n", &b[0], &b[1], &b[2], &b[3], &n) != 4 || b[0] > 255 ||
	    b[1] > 255 || b[2] > 255 || b[3] > 255)
		return 0;
	*a = b[0] << 24 | b[1] << 16 | b[2] << 8 | b[3];
	return n;
}

/* "P-Q" or "P" at p into the rule's ports; returns the characters read. */
static int parse_ports(const char *p, struct mc_nat_rule *r)
{
	unsigned lo, hi;
	int n = 0;

	if (sscanf(p, "%5u-%5u%n", &lo, &hi, &n) == 2 ||
	    (sscanf(p, "%5u%n", &lo, &n) == 1 && (hi = lo, true))) {
		if (lo && lo <= hi && hi <= 65535) {
			r->port_lo = (uint16_t)lo;
			r->port_hi = (uint16_t)hi;
		}
		return n;
	}
	return 0;
}

/* "A[-B][:P[-Q]]" or ":P[-Q]" at p into the rule's addresses and ports. */
static void parse_to(const char *p, struct mc_nat_rule *r)
{
	int n = parse_v4(p, &r->addr_lo);

	if (n) {
		r->addr_hi = r->addr_lo;
		p += n;
		if (*p == '-' && (n = parse_v4(p + 1, &r->addr_hi)) != 0)
			p += 1 + n;
		if (r->addr_hi < r->addr_lo)
			r->addr_hi = r->addr_lo;
	}
	if (*p == ':')
		parse_ports(p + 1, r);
}

/* "ADDR[/PREFIX]" at p into the rule's destination match. */
static void parse_daddr(const char *p, struct mc_nat_rule *r)
{
	unsigned prefix = 32;
	int n = parse_v4(p, &r->daddr);

	if (!n)
		return;
	if (p[n] == '/')
		prefix = (unsigned)strtoul(p + n + 1, NULL, 10);
	if (prefix > 32)
		prefix = 32;
	r->dmask = prefix ? ~0U << (32 - prefix) : 0;
	r->daddr &= r->dmask;
	if (!r->dmask) /* 0.0.0.0/0: any */
		r->daddr = 0;
}

/* The line from p to its end, trimmed, into the rule's text. */
static void keep_text(const char *p, size_t len, struct mc_nat_rule *r)
{
	while (len && (*p == ' ' || *p == '\t')) {
		p++;
		len--;
	}
	while (len && (p[len - 1] == ' ' || p[len - 1] == '\t' || p[len - 1] == '\r'))
		len--;
	if (len >= sizeof(r->text))
		len = sizeof(r->text) - 1;
	memcpy(r->text, p, len);
	r->text[len] = '\0';
}

/* A word w in line l (of length len), as a whole word; a pointer past it
 * and its following space, or NULL. */
static const char *word(const char *l, size_t len, const char *w)
{
	size_t wl = strlen(w);

	for (size_t i = 0; i + wl <= len; i++)
		if (memcmp(l + i, w, wl) == 0 && (i == 0 || l[i - 1] == ' ' || l[i - 1] == '\t') &&
		    (i + wl == len || l[i + wl] == ' ' || l[i + wl] == '\n')) {
			const char *p = l + i + wl;
			while (p < l + len && *p == ' ')
				p++;
			return p;
		}
	return NULL;
}

/* One nft rule line of a nat postrouting chain, when it does source NAT. */
static void nft_rule(const char *l, size_t len, struct mc_nat_rules *rs)
{
	struct mc_nat_rule r = {.masquerade = false};
	const char *p;

	if (rs->n >= MC_NAT_MAX_RULES)
		return;
	if ((p = word(l, len, "masquerade")) != NULL) {
		r.masquerade = true;
		if (len - (size_t)(p - l) > 3 && strncmp(p, "to ", 3) == 0)
			parse_to(p + 3, &r);
	} else if ((p = word(l, len, "snat")) != NULL) {
		if (strncmp(p, "ip to ", 6) == 0)
			p += 3;
		if (strncmp(p, "to ", 3) != 0)
			return; /* snat ip prefix to, maps: not modelled */
		parse_to(p + 3, &r);
		if (!r.addr_lo)
			return;
	} else {
		return;
	}
	if ((p = word(l, len, "ip daddr")) != NULL)
		parse_daddr(p, &r);
	keep_text(l, len, &r);
	rs->r[rs->n++] = r;
}

void mc_nat_parse_nft(const char *text, struct mc_nat_rules *rs)
{
	bool nat = false;

	for (const char *l = text; l && *l;) {
		const char *e = strchr(l, '\n');
		size_t len = e ? (size_t)(e - l) : strlen(l);
		const char *t = l;
		while (t < l + len && (*t == ' ' || *t == '\t'))
			t++;
		if (strncmp(t, "chain ", 6) == 0 || *t == '}')
			nat = false;
		else if (word(t, len - (size_t)(t - l), "type nat hook postrouting"))
			nat = true;
		else if (nat)
			nft_rule(l, len, rs);
		l = e ? e + 1 : NULL;
	}
	if (rs->n && !rs->from[0])
		snprintf(rs->from, sizeof(rs->from), "nft list ruleset");
}

void mc_nat_parse_ipt(const char *text, struct mc_nat_rules *rs)
{
	bool found = false;

	for (const char *l = text; l && *l;) {
		const char *e = strchr(l, '\n');
		size_t len = e ? (size_t)(e - l) : strlen(l);
		const char *p;
		struct mc_nat_rule r = {.masquerade = false};
		bool take = false;

		if (rs->n < MC_NAT_MAX_RULES && strncmp(l, "-A POSTROUTING ", 15) == 0) {
			if (word(l, len, "-j MASQUERADE")) {
				r.masquerade = take = true;
				if ((p = word(l, len, "--to-ports")) != NULL)
					parse_ports(p, &r);
			} else if (word(l, len, "-j SNAT") &&
				   (p = word(l, len, "--to-source")) != NULL) {
				parse_to(p, &r);
				take = r.addr_lo != 0;
			}
			if (take && (p = word(l, len, "-d")) != NULL)
				parse_daddr(p, &r);
		}
		if (take) {
			keep_text(l, len, &r);
			rs->r[rs->n++] = r;
			found = true;
		}
		l = e ? e + 1 : NULL;
	}
	if (found && !rs->from[0])
		snprintf(rs->from, sizeof(rs->from), "iptables-save -t nat");
}

const struct mc_nat_rule *mc_nat_match(const struct mc_nat_rules *rs, uint32_t daddr)
{
	for (int i = 0; i < rs->n; i++)
		if (!daddr || (daddr & rs->r[i].dmask) == rs->r[i].daddr)
			return &rs->r[i];
	return NULL;
}

uint64_t mc_nat_addrs(const struct mc_nat_rule *rule)
{
	return rule->masquerade || !rule->addr_lo ? 1 : (uint64_t)rule->addr_hi - rule->addr_lo + 1;
}

uint64_t mc_nat_ports(const struct mc_nat_rule *rule)
{
	if (rule->port_lo)
		return (uint64_t)rule->port_hi - rule->port_lo + 1;
	return MC_NAT_DEFAULT_HI - MC_NAT_DEFAULT_LO + 1;
}

/* A command's whole output (up to 64 KiB) into a new buffer; NULL with
 * *err set when it could not run or said nothing. */
static char *run_text(const char *cmd, int *err)
{
	size_t cap = 65536, n = 0, got;
	char *buf = malloc(cap);
	FILE *f;

	if (!buf) {
		*err = -ENOMEM;
		return NULL;
	}
	f = popen(cmd, "re");
	if (!f) {
		*err = -errno;
		free(buf);
		return NULL;
	}
	while (n + 1 < cap && (got = fread(buf + n, 1, cap - 1 - n, f)) > 0)
		n += got;
	buf[n] = '\0';
	if (pclose(f) != 0 && !n) {
		*err = -ENOENT; /* not installed, or not permitted */
		free(buf);
		return NULL;
	}
	return buf;
}

int mc_nat_read(struct mc_nat_rules *rs, bool legacy)
{
	int err = 0;
	char *t;

	*rs = (struct mc_nat_rules){.n = 0};
	t = run_text("nft list ruleset 2>/dev/null", &err);
	if (t) {
		mc_nat_parse_nft(t, rs);
		free(t);
	}
	if (legacy) {
		int e2 = 0;
		char *t2 = run_text("iptables-save -t nat 2>/dev/null", &e2);
		if (t2) {
			mc_nat_parse_ipt(t2, rs);
			free(t2);
			err = 0;
		}
	}
	rs->err = rs->n ? 0 : err;
	return rs->err;
}

int mc_ct_stat_parse(const char *text, struct mc_ct_stat *st)
{
	int col_if = -1, col_drop = -1, col_early = -1, col = 0;
	const char *l = text, *e;

	*st = (struct mc_ct_stat){.err = -EINVAL};
	e = strchr(l, '\n');
	if (!e)
		return st->err;
	for (const char *p = l; p < e;) {
		size_t w;
		while (p < e && *p == ' ')
			p++;
		w = strcspn(p, " \n");
		if (!w)
			break;
		if (w == 13 && strncmp(p, "insert_failed", w) == 0)
			col_if = col;
		else if (w == 4 && strncmp(p, "drop", w) == 0)
			col_drop = col;
		else if (w == 10 && strncmp(p, "early_drop", w) == 0)
			col_early = col;
		col++;
		p += w;
	}
	if (col_if < 0 || col_drop < 0)
		return st->err;
	for (l = e + 1; *l; l = e ? e + 1 : l + strlen(l)) {
		char *end;
		e = strchr(l, '\n');
		col = 0;
		for (const char *p = l; *p && *p != '\n'; col++) {
			uint64_t v = strtoull(p, &end, 16);
			if (end == p)
				break;
			if (col == col_if)
				st->insert_failed += v;
			else if (col == col_drop)
				st->drop += v;
			else if (col == col_early)
				st->early_drop += v;
			p = end;
		}
		if (!e)
			break;
	}
	st->err = 0;
	return 0;
}

/* The file's text, read whole into buf (NUL-terminated). */
static int read_file(const char *path, char *buf, size_t len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	size_t n = 0;
	ssize_t got;

	if (fd < 0)
		return -errno;
	while (n + 1 < len && (got = read(fd, buf + n, len - 1 - n)) != 0) {
		if (got < 0) {
			if (errno == EINTR)
				continue;
			got = -errno;
			close(fd);
			return (int)got;
		}
		n += (size_t)got;
	}
	buf[n] = '\0';
	close(fd);
	return 0;
}

struct ct_job {
	const char *netns;
	struct mc_ct_stat *st;
	int err;
};

/* A thread of its own enters the other namespace (setns changes only the
 * calling thread's) and reads its statistics there. */
static void *ct_thread(void *arg)
{
	struct ct_job *j = arg;
	char path[300], buf[65536];
	int fd;

	if (strchr(j->netns, '/'))
		snprintf(path, sizeof(path), "%s", j->netns);
	else
		snprintf(path, sizeof(path), "/run/netns/%s", j->netns);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		j->err = -errno;
		return NULL;
	}
	if (setns(fd, CLONE_NEWNET) != 0) {
		j->err = -errno;
		close(fd);
		return NULL;
	}
	close(fd);
	j->err = read_file("/proc/thread-self/net/stat/nf_conntrack", buf, sizeof(buf));
	if (!j->err)
		j->err = mc_ct_stat_parse(buf, j->st);
	return NULL;
}

int mc_ct_stat_read(const char *netns, struct mc_ct_stat *st)
{
	char buf[65536];
	int err;

	*st = (struct mc_ct_stat){.err = 0};
	if (!netns || !*netns) {
		err = read_file("/proc/self/net/stat/nf_conntrack", buf, sizeof(buf));
		if (!err)
			err = mc_ct_stat_parse(buf, st);
	} else {
		struct ct_job j = {netns, st, 0};
		pthread_t t;
		err = -pthread_create(&t, NULL, ct_thread, &j);
		if (!err) {
			pthread_join(t, NULL);
			err = j.err;
		}
	}
	st->err = err;
	return err;
}

uint64_t mc_nat_proxy_log_scan(const char *text, size_t len, char *first, size_t flen)
{
	size_t pl = strlen(MC_NAT_PROXY_NOPORT);
	uint64_t n = 0;

	if (flen)
		first[0] = '\0';
	for (size_t i = 0; i < len;) {
		const char *l = text + i, *e = memchr(l, '\n', len - i);
		size_t ll = e ? (size_t)(e - l) : len - i;
		const char *hit = memmem(l, ll, MC_NAT_PROXY_NOPORT, pl);
		if (hit) {
			if (!n && flen) {
				const char *from = memmem(l, ll, "connect()", 9);
				if (!from || from > hit)
					from = l;
				snprintf(first, flen, "%.*s", (int)(hit + pl - from), from);
			}
			n++;
		}
		i += ll + 1;
	}
	return n;
}

int mc_nat_proxy_log_read(const char *path, uint64_t from, uint64_t *count, char *first,
			  size_t flen, uint64_t *end)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	char buf[65536], carry[512];
	size_t keep = 0;
	off_t size;
	ssize_t got;

	*count = 0;
	if (flen)
		first[0] = '\0';
	if (fd < 0)
		return -errno;
	size = lseek(fd, 0, SEEK_END);
	*end = size < 0 ? 0 : (uint64_t)size;
	if (from > *end)
		from = 0; /* the log was rotated or cut */
	if (lseek(fd, (off_t)from, SEEK_SET) < 0) {
		close(fd);
		return -errno;
	}
	/* in blocks, the part line at a block's end carried into the next */
	while ((got = read(fd, buf + keep, sizeof(buf) - keep)) > 0 ||
	       (got < 0 && errno == EINTR)) {
		size_t n, cut;
		char one[240];
		if (got < 0)
			continue;
		n = keep + (size_t)got;
		cut = n;
		while (cut && buf[cut - 1] != '\n')
			cut--;
		if (!cut) /* a line longer than the buffer: take it whole */
			cut = n;
		*count += mc_nat_proxy_log_scan(buf, cut, one, sizeof(one));
		if (flen && !first[0] && one[0])
			snprintf(first, flen, "%s", one);
		keep = n - cut;
		if (keep > sizeof(carry))
			keep = 0;
		memmove(buf, buf + cut, keep);
	}
	if (keep)
		*count += mc_nat_proxy_log_scan(buf, keep, NULL, 0);
	close(fd);
	return 0;
}
