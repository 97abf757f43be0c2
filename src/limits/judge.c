/* judge.c: the pure part of the limits model. From a snapshot of the host
 * and the scenario the user plans, it computes for every limit the number of
 * connections it allows, its status, the value it must be raised to for
 * --target and the exact lines that raise it; then the binding limit and the
 * ordered list of changes. No I/O: unit tests feed it fake snapshots.
 *
 * The arithmetic (documented in docs/limits.md):
 *   ports       client: sources x dest addrs x dest ports x (range - reserved)
 *   fd_process  (RLIMIT_NOFILE soft - overhead) x fd tables / fds per conn
 *   fd_nr_open  (fs.nr_open - overhead) x fd tables / fds per conn
 *   fd_system   (fs.file-max - allocated now) / fds per conn
 *   memory      (MemAvailable - reserve) / bytes per conn
 *   conntrack   nf_conntrack_max - count, only when the kernel tracks
 *   threads     one thread per connection: min of threads-max, pid_max,
 *               RLIMIT_NPROC, pids.max, address space / stack size */
#include "limits/limits.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "common/err.h"
#include "common/fmt.h"
#include "net/cause.h"

#define SYSCTL_D "/etc/sysctl.d/99-maxconn.conf"

static uint64_t mul_sat(uint64_t a, uint64_t b)
{
	if (a == MC_LIMITS_NONE || b == MC_LIMITS_NONE)
		return MC_LIMITS_NONE;
	if (a && b > UINT64_MAX / a)
		return MC_LIMITS_NONE;
	return a * b;
}

static uint64_t add_sat(uint64_t a, uint64_t b)
{
	return a > UINT64_MAX - b ? MC_LIMITS_NONE : a + b;
}

static uint64_t sub0(uint64_t a, uint64_t b)
{
	return a > b ? a - b : 0;
}

static uint64_t div_up(uint64_t a, uint64_t b)
{
	return b ? a / b + (a % b != 0) : MC_LIMITS_NONE;
}

/* a / b, keeping "no ceiling" as it is */
static uint64_t div_keep(uint64_t a, uint64_t b)
{
	return a == MC_LIMITS_NONE ? MC_LIMITS_NONE : a / b;
}

static uint64_t min_u(uint64_t a, uint64_t b)
{
	return a < b ? a : b;
}

static uint64_t max_u(uint64_t a, uint64_t b)
{
	return a > b ? a : b;
}

static struct mc_limits_item *add_item(struct mc_limits_result *r, const char *id, const char *name,
				       const char *source, enum mc_limits_kind kind)
{
	struct mc_limits_item *it;

	if (r->n >= MC_LIMITS_MAX_ITEMS)
		return NULL;
	it = &r->items[r->n++];
	memset(it, 0, sizeof(*it));
	it->id = id;
	it->name = name;
	it->source = source;
	it->kind = kind;
	it->conns = MC_LIMITS_NONE;
	it->status = MC_LIMITS_FINE;
	return it;
}

static void add_val(struct mc_limits_item *it, const char *key, struct mc_limits_num n)
{
	if (it->nvals >= MC_LIMITS_MAX_VALS)
		return;
	it->vals[it->nvals].key = key;
	it->vals[it->nvals].v = n.v;
	it->vals[it->nvals].known = n.err == 0;
	it->nvals++;
}

static void __attribute__((format(printf, 2, 3)))
set_value(struct mc_limits_item *it, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(it->value, sizeof(it->value), fmt, ap);
	va_end(ap);
}

static void __attribute__((format(printf, 2, 3)))
set_note(struct mc_limits_item *it, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(it->note, sizeof(it->note), fmt, ap);
	va_end(ap);
}

static void __attribute__((format(printf, 2, 3)))
add_fix(struct mc_limits_item *it, const char *fmt, ...)
{
	va_list ap;

	if (it->nfix >= MC_LIMITS_MAX_FIX)
		return;
	va_start(ap, fmt);
	vsnprintf(it->fix[it->nfix++], sizeof(it->fix[0]), fmt, ap);
	va_end(ap);
}

/* The sysctl pair every sysctl fix prints: the command that changes it now
 * and the line that keeps it after a reboot. */
static void fix_sysctl(struct mc_limits_item *it, const char *key, const char *val)
{
	add_fix(it, "sysctl -w %s=\"%s\"", key, val);
	add_fix(it, "echo '%s = %s' >> " SYSCTL_D, key, val);
}

static void fix_sysctl_u64(struct mc_limits_item *it, const char *key, uint64_t v)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "%" PRIu64, v);
	fix_sysctl(it, key, buf);
}

/* Status unknown: name the file and the errno. */
static void set_unknown(struct mc_limits_item *it, const char *what, int err)
{
	char eb[96];

	it->status = MC_LIMITS_UNKNOWN;
	it->conns = MC_LIMITS_NONE;
	snprintf(it->reason, sizeof(it->reason), "cannot read %s: %s", what,
		 mc_strerror(err, eb, sizeof(eb)));
	if (!it->value[0])
		set_value(it, "unknown");
}

static const char *cnt(uint64_t v, char *buf, size_t len)
{
	if (v == MC_LIMITS_NONE)
		snprintf(buf, len, "unlimited");
	else
		snprintf(buf, len, "%" PRIu64, v);
	return buf;
}

/* A read number as text, "?" when unknown. */
static const char *numstr(struct mc_limits_num n, char *buf, size_t len)
{
	if (n.err)
		snprintf(buf, len, "?");
	else
		cnt(n.v, buf, len);
	return buf;
}

/* The address 127.0.0.0 + k, for --source 127.0.0.1-<it>. */
static const char *loop_addr(uint64_t k, char *buf, size_t len)
{
	if (k > 0xffffff)
		k = 0xfffffe;
	snprintf(buf, len, "127.%u.%u.%u", (unsigned)(k >> 16) & 255, (unsigned)(k >> 8) & 255,
		 (unsigned)k & 255);
	return buf;
}

/* What judging needs besides the snapshot and the scenario. */
struct ctx {
	const struct mc_limits_snap *s;
	const struct mc_limits_scenario *sc;
	struct mc_limits_result *r;
	uint64_t fdpc; /* fds per connection on this host */
	uint64_t spc;  /* sockets per connection on this host */
	uint64_t tpc;  /* threads per connection (model threads): the server's one */
	bool client;   /* this host opens the connections */
	bool server;   /* this host accepts them */
	bool threads;
};

/* The demand a fix is computed for: --target, or else twice the ceiling
 * (an example of the next step). */
static uint64_t demand(const struct ctx *c, const struct mc_limits_item *it)
{
	if (c->sc->target)
		return c->sc->target;
	if (it->conns == MC_LIMITS_NONE || it->conns == 0)
		return 1000;
	return mul_sat(it->conns, 2);
}

/* ---- ports ---------------------------------------------------------- */

/* ephemeral_ports: a ceiling for a client (pairs x ports per pair); for a
 * server information with the 2^48 argument. Fixes: more sources, more
 * destination ports, a wider range (when 1024-65535 can carry it). */
static void judge_ports(struct ctx *c)
{
	const struct mc_limits_snap *s = c->s;
	const struct mc_limits_scenario *sc = c->sc;
	struct mc_limits_item *it =
	    add_item(c->r, MC_LIMIT_PORTS, "ephemeral ports per (source, destination) pair",
		     MC_LIMITS_P_PORT_RANGE, c->client ? MC_LIMITS_CEILING : MC_LIMITS_INFO);
	uint64_t range, per_pair, pairs, d, need, k;
	char a[24];

	if (!it)
		return;
	add_val(it, "lo", s->port_lo);
	add_val(it, "hi", s->port_hi);
	add_val(it, "reserved_in_range", s->reserved_in_range);
	c->r->pairs = mul_sat(mul_sat(sc->sources, sc->dest_addrs), sc->dest_ports);
	if (s->port_lo.err || s->port_hi.err) {
		set_unknown(it, MC_LIMITS_P_PORT_RANGE,
			    s->port_lo.err ? s->port_lo.err : s->port_hi.err);
		if (!c->client) {
			it->status = MC_LIMITS_FINE; /* a server does not need it */
			set_note(it, "a server uses no ephemeral ports (%s)", it->reason);
		}
		return;
	}
	range = s->port_hi.v - s->port_lo.v + 1;
	per_pair = sub0(range, s->reserved_in_range.err ? 0 : s->reserved_in_range.v);
	c->r->ports_per_pair = per_pair;
	set_value(it, "%" PRIu64 "-%" PRIu64 " (%" PRIu64 " ports, %" PRIu64 " reserved)",
		  s->port_lo.v, s->port_hi.v, range,
		  s->reserved_in_range.err ? 0 : s->reserved_in_range.v);
	if (!c->client) {
		set_note(it, "a server accepts on its listen port: 2^32 client IPs x 2^16 client "
			     "ports = 2^48 tuples per listening port; ports cap nothing here");
		return;
	}
	pairs = c->r->pairs;
	it->conns = mul_sat(pairs, per_pair);
	set_note(it,
		 "%" PRIu64 " source(s) x %" PRIu64 " destination address(es) x %" PRIu64
		 " destination port(s) x %" PRIu64 " ports per pair",
		 sc->sources, sc->dest_addrs, sc->dest_ports, per_pair);

	d = demand(c, it);
	need = div_up(d, pairs); /* ports per pair needed */
	it->raise_to = need;
	k = div_up(d, mul_sat(mul_sat(sc->dest_addrs, sc->dest_ports), max_u(per_pair, 1)));
	if (k <= 0xfffffe)
		add_fix(it,
			"maxconn client --source 127.0.0.1-%s (%" PRIu64
			" loopback source addresses; all of 127.0.0.0/8 is local; elsewhere "
			"add addresses with 'ip addr add')",
			loop_addr(k, a, sizeof(a)), k);
	k = div_up(d, mul_sat(mul_sat(sc->sources, sc->dest_addrs), max_u(per_pair, 1)));
	if (k <= 65535)
		add_fix(it,
			"or %" PRIu64 " destination ports: maxconn server --listen "
			"127.0.0.1:10000-%" PRIu64 " and client --connect the same range",
			k, 10000 + k - 1 > 65535 ? 65535 : 10000 + k - 1);
	need = add_sat(need, s->reserved_in_range.err ? 0 : s->reserved_in_range.v);
	if (need <= 65535 - 1024 + 1) {
		uint64_t hi = s->port_hi.v, lo;
		char v[32];
		if (need > hi - 1024 + 1)
			hi = 65535;
		lo = hi - need + 1;
		if (lo > s->port_lo.v)
			lo = s->port_lo.v;
		snprintf(v, sizeof(v), "%" PRIu64 " %" PRIu64, lo, hi);
		fix_sysctl(it, "net.ipv4.ip_local_port_range", v);
	} else {
		add_fix(it, "(widening net.ipv4.ip_local_port_range to 1024 65535 gives only "
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
static void judge_sources(struct ctx *c)
{
	const struct mc_limits_snap *s = c->s;
	struct mc_limits_item *it =
	    add_item(c->r, MC_LIMIT_SOURCES, "local addresses usable as sources",
		     MC_LIMITS_P_FIB_TRIE ", " MC_LIMITS_P_IF_INET6, MC_LIMITS_INFO);
	char *p;
	size_t left;
	uint64_t total = 0;

	if (!it)
		return;
	if (s->addrs_err) {
		set_unknown(it, MC_LIMITS_P_FIB_TRIE, s->addrs_err);
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
			total = add_sat(total, (1ULL << (32 - s->addrs[i].prefix)) - 2);
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
		set_value(it, "none");
	add_val(it, "addresses", (struct mc_limits_num){total, 0});
	set_note(it,
		 "%" PRIu64 " local IPv4 addresses (a /8 block on lo counts 16777214) and %d IPv6: "
		 "each gives every destination its own port range; --sources %" PRIu64
		 " is what this scenario uses",
		 total, s->naddrs6, c->sc->sources);
}

/* ---- file descriptors ---------------------------------------------- */

/* fds one fd table can give to connections when its limit is lim. */
static uint64_t table_fds(uint64_t lim, uint64_t ovh)
{
	return lim == MC_LIMITS_NONE ? MC_LIMITS_NONE : sub0(lim, ovh);
}

/* The maxconn flag that spreads d connections over fd tables of lim fds:
 * workers of the server or the client; with role both each side holds one
 * socket per connection in its own tables. */
static void fix_workers(struct ctx *c, struct mc_limits_item *it, uint64_t d, uint64_t lim)
{
	uint64_t w = div_up(d, lim - c->sc->fd_overhead);

	if (c->sc->role == MC_LIMITS_BOTH)
		add_fix(it,
			"or more fd tables: maxconn server --workers %" PRIu64
			" and maxconn client --workers %" PRIu64
			" (each worker owns an fd table of "
			"%" PRIu64 "); this model: --fd-tables %" PRIu64,
			w, w, lim, mul_sat(w, 2));
	else
		add_fix(it,
			"or more fd tables: maxconn %s --workers %" PRIu64 " (each worker owns an "
			"fd table of %" PRIu64 "); this model: --fd-tables %" PRIu64,
			c->sc->role == MC_LIMITS_CLIENT ? "client" : "server", w, lim, w);
}

/* fd_process: (RLIMIT_NOFILE soft - overhead) x tables / fds per
 * connection. Fix: ulimit -n when the hard limit allows it, else
 * limits.conf / systemd (root), or more fd tables. */
static void judge_fd_process(struct ctx *c)
{
	const struct mc_limits_snap *s = c->s;
	const struct mc_limits_scenario *sc = c->sc;
	struct mc_limits_item *it = add_item(
	    c->r, MC_LIMIT_FD_PROCESS, "open files per process (RLIMIT_NOFILE, ulimit -n)",
	    c->s->pid > 0 ? c->s->pid_limits : "getrlimit(RLIMIT_NOFILE)", MC_LIMITS_CEILING);
	uint64_t d, per;
	char sb[24], hb[24];

	if (!it)
		return;
	add_val(it, "soft", s->nofile_soft);
	add_val(it, "hard", s->nofile_hard);
	if (s->nofile_soft.err) {
		set_unknown(it, "RLIMIT_NOFILE", s->nofile_soft.err);
		return;
	}
	set_value(it, "%s soft, %s hard", cnt(s->nofile_soft.v, sb, sizeof(sb)),
		  s->nofile_hard.err ? "unknown" : cnt(s->nofile_hard.v, hb, sizeof(hb)));
	if (s->nofile_soft.v == MC_LIMITS_NONE) {
		set_note(it, "unlimited soft limit: fs.nr_open caps each fd table");
		return;
	}
	it->conns =
	    div_keep(mul_sat(table_fds(s->nofile_soft.v, sc->fd_overhead), sc->fd_tables), c->fdpc);
	set_note(it,
		 "(%" PRIu64 " - %" PRIu64 " overhead fds) x %" PRIu64 " fd table(s) / %" PRIu64
		 " fd(s) per connection",
		 s->nofile_soft.v, sc->fd_overhead, sc->fd_tables, c->fdpc);

	d = demand(c, it);
	per = add_sat(div_up(mul_sat(d, c->fdpc), sc->fd_tables), sc->fd_overhead);
	it->raise_to = per;
	if (s->nofile_hard.err == 0 && per <= s->nofile_hard.v) {
		add_fix(it,
			"ulimit -n %" PRIu64 " (in the shell that starts the program; the hard "
			"limit %s allows it without root)",
			per, cnt(s->nofile_hard.v, hb, sizeof(hb)));
		add_fix(it, "systemd unit: LimitNOFILE=%" PRIu64, per);
	} else {
		add_fix(it, "echo '* soft nofile %" PRIu64 "' >> /etc/security/limits.conf", per);
		add_fix(it,
			"echo '* hard nofile %" PRIu64 "' >> /etc/security/limits.conf "
			"(new login sessions; raising the hard limit needs root, "
			"CAP_SYS_RESOURCE)",
			per);
		add_fix(it, "systemd unit: LimitNOFILE=%" PRIu64, per);
		if (s->nr_open.err == 0 && per > s->nr_open.v)
			add_fix(it, "first raise fs.nr_open to %" PRIu64 " (see fd_nr_open)", per);
	}
	if (s->nofile_soft.v > sc->fd_overhead)
		fix_workers(c, it, d, s->nofile_soft.v);
}

/* fd_nr_open: the same arithmetic with fs.nr_open, the cap no rlimit and no
 * fd table can pass. */
static void judge_fd_nr_open(struct ctx *c)
{
	const struct mc_limits_snap *s = c->s;
	const struct mc_limits_scenario *sc = c->sc;
	struct mc_limits_item *it =
	    add_item(c->r, MC_LIMIT_FD_NR_OPEN, "highest RLIMIT_NOFILE allowed (fs.nr_open)",
		     MC_LIMITS_P_NR_OPEN, MC_LIMITS_CEILING);
	uint64_t d, per;

	if (!it)
		return;
	add_val(it, "nr_open", s->nr_open);
	if (s->nr_open.err) {
		set_unknown(it, MC_LIMITS_P_NR_OPEN, s->nr_open.err);
		return;
	}
	set_value(it, "%" PRIu64, s->nr_open.v);
	it->conns =
	    div_keep(mul_sat(table_fds(s->nr_open.v, sc->fd_overhead), sc->fd_tables), c->fdpc);
	set_note(it,
		 "no fd table grows past it: (%" PRIu64 " - %" PRIu64 ") x %" PRIu64
		 " fd table(s) / %" PRIu64 " fd(s) per connection",
		 s->nr_open.v, sc->fd_overhead, sc->fd_tables, c->fdpc);
	d = demand(c, it);
	per = add_sat(div_up(mul_sat(d, c->fdpc), sc->fd_tables), sc->fd_overhead);
	it->raise_to = per;
	fix_sysctl_u64(it, "fs.nr_open", per);
	if (s->nr_open.v > sc->fd_overhead)
		fix_workers(c, it, d, s->nr_open.v);
}

/* fd_system: what fs.file-max leaves above the files allocated now, shared
 * by every process. */
static void judge_fd_system(struct ctx *c)
{
	const struct mc_limits_snap *s = c->s;
	struct mc_limits_item *it =
	    add_item(c->r, MC_LIMIT_FD_SYSTEM, "open files system-wide (fs.file-max)",
		     MC_LIMITS_P_FILE_MAX " and file-nr", MC_LIMITS_CEILING);
	uint64_t d, need;

	if (!it)
		return;
	add_val(it, "file_max", s->file_max);
	add_val(it, "allocated", s->file_nr);
	if (s->file_max.err) {
		set_unknown(it, MC_LIMITS_P_FILE_MAX, s->file_max.err);
		return;
	}
	if (s->file_nr.err) {
		set_unknown(it, MC_LIMITS_P_FILE_NR, s->file_nr.err);
		return;
	}
	set_value(it, "%" PRIu64 " max, %" PRIu64 " in use", s->file_max.v, s->file_nr.v);
	it->conns = sub0(s->file_max.v, s->file_nr.v) / c->fdpc;
	set_note(it,
		 "(%" PRIu64 " - %" PRIu64 " in use) / %" PRIu64 " fd(s) per connection; "
		 "shared by every process (root may exceed it)",
		 s->file_max.v, s->file_nr.v, c->fdpc);
	if (s->uid == 0 && s->init_userns) {
		/* alloc_empty_file() checks file-max only without CAP_SYS_ADMIN:
		 * shown for other users' processes, caps nothing for root */
		it->kind = MC_LIMITS_INFO;
		set_note(it,
			 "root (CAP_SYS_ADMIN) is exempt: the kernel checks fs.file-max only for "
			 "other users; for them (%" PRIu64 " - %" PRIu64 " in use) / %" PRIu64
			 " fd(s) per connection",
			 s->file_max.v, s->file_nr.v, c->fdpc);
	}
	d = demand(c, it);
	need = add_sat(add_sat(s->file_nr.v, mul_sat(d, c->fdpc)), 65536);
	it->raise_to = need;
	fix_sysctl_u64(it, "fs.file-max", need);
}

/* epoll_watches: fs.epoll.max_user_watches caps the fds one user may have
 * registered in epoll instances, all its processes together (epoll_ctl
 * says ENOSPC past it). The default is 4% of low memory / ~90 bytes, about
 * 230k per GiB: below the memory ceiling when both ends are on the host.
 * An epoll server and maxconn client watch one socket each per
 * connection; uring and threads servers none. */
static void judge_epoll_watches(struct ctx *c)
{
	const struct mc_limits_snap *s = c->s;
	struct mc_limits_item *it = add_item(c->r, MC_LIMIT_EPOLL_WATCHES,
					     "epoll watches per user (fs.epoll.max_user_watches)",
					     MC_LIMITS_P_EPOLL_WATCHES, MC_LIMITS_CEILING);
	uint64_t wpc = (c->client ? 1 : 0) + (c->server && c->sc->model == MC_MODEL_EPOLL ? 1 : 0);
	uint64_t d, need;

	if (!it)
		return;
	add_val(it, "max_user_watches", s->epoll_watches);
	if (s->epoll_watches.err) {
		set_unknown(it, MC_LIMITS_P_EPOLL_WATCHES, s->epoll_watches.err);
		return;
	}
	set_value(it, "%" PRIu64 " per user", s->epoll_watches.v);
	if (!wpc) {
		it->kind = MC_LIMITS_INFO;
		set_note(it, "this model watches no socket with epoll");
		return;
	}
	it->conns = s->epoll_watches.v / wpc;
	set_note(it,
		 "%" PRIu64 " / %" PRIu64 " watched socket(s) per connection (shared by every "
		 "process of the user; watches in use now are not counted)",
		 s->epoll_watches.v, wpc);
	d = demand(c, it);
	need = add_sat(mul_sat(d, wpc), 65536);
	it->raise_to = need;
	fix_sysctl_u64(it, "fs.epoll.max_user_watches", need);
}

/* fd_user: the limits.conf and limits.d nofile/nproc lines, as
 * information (pam applies them to new sessions, not to this process). */
static void judge_fd_user(struct ctx *c)
{
	const struct mc_limits_snap *s = c->s;
	struct mc_limits_item *it =
	    add_item(c->r, MC_LIMIT_FD_USER, "per-user limits (limits.conf, limits.d)",
		     MC_LIMITS_P_LIMITS_CONF, MC_LIMITS_INFO);
	char *p;
	size_t left;
	int shown = 0;

	if (!it)
		return;
	p = it->value;
	left = sizeof(it->value);
	for (int i = 0; i < s->nconf; i++) {
		int n = snprintf(p, left, "%s%s %s %s %s", shown ? "; " : "", s->conf[i].domain,
				 s->conf[i].type, s->conf[i].item, s->conf[i].value);
		if (n < 0 || (size_t)n >= left)
			break;
		p += n;
		left -= (size_t)n;
		shown++;
	}
	if (!s->nconf) {
		if (s->conf_err && s->conf_err != -ENOENT) {
			set_unknown(it, MC_LIMITS_P_LIMITS_CONF, s->conf_err);
			it->status = MC_LIMITS_FINE; /* information only */
			set_note(it, "%s", it->reason);
			it->reason[0] = '\0';
			return;
		}
		set_value(it, "no nofile/nproc lines");
	}
	set_note(it, "pam_limits sets these at login; this process runs with its own "
		     "rlimits (fd_process, nproc)");
	add_fix(it, "echo '* soft nofile 1048576' >> /etc/security/limits.conf");
	add_fix(it, "echo '* hard nofile 1048576' >> /etc/security/limits.conf");
}

/* ---- memory --------------------------------------------------------- */

static uint64_t sock_bytes(const struct ctx *c, bool *dflt)
{
	const struct mc_limits_slab *sl = &c->s->slab;
	uint64_t b;

	*dflt = sl->err || !sl->tcp;
	if (*dflt)
		return MC_LIMITS_DEFAULT_SOCK_BYTES;
	b = sl->tcp + sl->sock_inode + sl->dentry + sl->filp + MC_LIMITS_SOCK_REST_BYTES;
	if (!c->threads)
		b += sl->epi;
	return b;
}

/* Memory one connection costs on this host: its socket(s), the traffic
 * buffers, the bind bucket of a client port, and its thread(s). */
static void conn_cost(struct ctx *c)
{
	struct mc_limits_result *r = c->r;
	const struct mc_limits_slab *sl = &c->s->slab;
	uint64_t per = sock_bytes(c, &r->sock_bytes_default);

	r->sock_bytes = per;
	r->conn_bytes = mul_sat(c->spc, add_sat(per, c->sc->traffic));
	if (c->client && !r->sock_bytes_default)
		r->conn_bytes = add_sat(r->conn_bytes, sl->bind_bucket);
	if (c->threads) {
		uint64_t task = !sl->err && sl->task ? sl->task : MC_LIMITS_DEFAULT_TASK_BYTES;
		uint64_t t = MC_LIMITS_KSTACK_BYTES + task +
			     MC_LIMITS_USTACK_TOUCHED_PAGES * c->s->page_size;
		r->conn_bytes = add_sat(r->conn_bytes, mul_sat(c->tpc, t));
	}
	if (r->conn_bytes == 0)
		r->conn_bytes = 1;
}

static void fix_memory_common(struct ctx *c, struct mc_limits_item *it)
{
	if (c->sc->traffic)
		add_fix(it, "or less buffer memory per connection: lower --traffic, or cap "
			    "net.ipv4.tcp_rmem / tcp_wmem maximums");
	if (c->threads)
		add_fix(it, "or --model epoll: no thread (16 KiB kernel stack + task) per "
			    "connection");
	add_fix(it, "or spread the connections over more hosts");
}

/* memory: (MemAvailable - reserve) / bytes per connection. The reserve is
 * 5% of MemTotal, at least 64 MiB, so the host is never run dry. */
static void judge_memory(struct ctx *c)
{
	const struct mc_limits_snap *s = c->s;
	struct mc_limits_result *r = c->r;
	struct mc_limits_item *it =
	    add_item(c->r, MC_LIMIT_MEMORY, "kernel memory for sockets (MemAvailable)",
		     MC_LIMITS_P_MEMINFO ", " MC_LIMITS_P_SLABINFO, MC_LIMITS_CEILING);
	char a[32], b[32], e[32];
	uint64_t d, need;

	if (!it)
		return;
	add_val(it, "mem_total", s->mem_total);
	add_val(it, "mem_available", s->mem_available);
	add_val(it, "bytes_per_connection", (struct mc_limits_num){r->conn_bytes, 0});
	r->mem_reserve = c->sc->mem_reserve ? c->sc->mem_reserve
					    : max_u(s->mem_total.err ? 0 : s->mem_total.v / 20,
						    64ULL << 20);
	add_val(it, "reserve", (struct mc_limits_num){r->mem_reserve, 0});
	if (s->mem_available.err) {
		set_unknown(it, "MemAvailable in " MC_LIMITS_P_MEMINFO, s->mem_available.err);
		return;
	}
	set_value(it, "%s available of %s", mc_fmt_bytes(s->mem_available.v, a, sizeof(a)),
		  s->mem_total.err ? "unknown" : mc_fmt_bytes(s->mem_total.v, b, sizeof(b)));
	it->conns = sub0(s->mem_available.v, r->mem_reserve) / r->conn_bytes;
	set_note(it,
		 "(MemAvailable - %s reserve) / %" PRIu64 " bytes per connection (%" PRIu64
		 " socket(s) x %" PRIu64 " B%s%s%s)",
		 mc_fmt_bytes(r->mem_reserve, e, sizeof(e)), r->conn_bytes, c->spc, r->sock_bytes,
		 r->sock_bytes_default ? ", slabinfo unreadable: default" : " from slabinfo",
		 c->sc->traffic ? " + traffic" : "", c->threads ? " + thread" : "");
	d = demand(c, it);
	need = add_sat(mul_sat(d, r->conn_bytes), r->mem_reserve);
	it->raise_to = need;
	add_fix(it, "%" PRIu64 " connections need %s available (%s now): free or add memory", d,
		mc_fmt_bytes(need, a, sizeof(a)), mc_fmt_bytes(s->mem_available.v, b, sizeof(b)));
	fix_memory_common(c, it);
}

/* cgroup_memory: the headroom at the tightest cgroup level, less 5% of its
 * limit, / bytes per connection; no limit when no level sets one. */
static void judge_cgroup_memory(struct ctx *c)
{
	const struct mc_limits_cgroup *cg = &c->s->cg;
	struct mc_limits_result *r = c->r;
	struct mc_limits_item *it =
	    add_item(c->r, MC_LIMIT_CGROUP_MEMORY,
		     cg->version == 1 ? "cgroup memory limit (v1 memory.limit_in_bytes)"
				      : "cgroup memory limit (memory.max)",
		     cg->mem_path[0] ? cg->mem_path : MC_LIMITS_P_CGROUP, MC_LIMITS_CEILING);
	uint64_t reserve, d, need, used;
	char a[32], b[32];
	const char *file = cg->version == 1 ? "memory.limit_in_bytes" : "memory.max";

	if (!it)
		return;
	add_val(it, "limit", cg->mem_limit);
	add_val(it, "headroom", cg->mem_headroom);
	if (cg->mem_limit.err) {
		set_unknown(it, "the cgroup memory limit", cg->mem_limit.err);
		return;
	}
	if (cg->mem_limit.v == MC_LIMITS_NONE) {
		set_value(it, "no limit");
		set_note(it, "%s",
			 cg->version ? "no memory limit on this cgroup or its parents"
				     : "not in a memory cgroup");
		return;
	}
	if (cg->mem_headroom.err) {
		set_unknown(it, "the cgroup memory usage", cg->mem_headroom.err);
		return;
	}
	reserve = cg->mem_limit.v / 20;
	set_value(it, "%s limit, %s free", mc_fmt_bytes(cg->mem_limit.v, a, sizeof(a)),
		  mc_fmt_bytes(cg->mem_headroom.v, b, sizeof(b)));
	it->conns = sub0(cg->mem_headroom.v, reserve) / r->conn_bytes;
	set_note(it,
		 "(limit - usage + inactive file - 5%% reserve) / %" PRIu64
		 " bytes per connection; sockets are charged to the cgroup",
		 r->conn_bytes);
	d = demand(c, it);
	used = sub0(cg->mem_limit.v, cg->mem_headroom.v);
	need = add_sat(add_sat(mul_sat(d, r->conn_bytes), used), reserve);
	need = add_sat(need, need / 19); /* keep the 5% reserve of the new limit */
	it->raise_to = need;
	add_fix(it, "echo %" PRIu64 " > /sys/fs/cgroup%s/%s", need,
		cg->mem_path + strlen(MC_LIMITS_P_CGROUP_FS), file);
	add_fix(it, "systemd unit: MemoryMax=%" PRIu64 " (docker: --memory %" PRIu64 ")", need,
		need);
	fix_memory_common(c, it);
}

/* tcp_mem: with --traffic, tcp_mem max pages / buffer bytes per
 * connection; idle connections hold no buffers, so information then. */
static void judge_tcp_mem(struct ctx *c)
{
	const struct mc_limits_snap *s = c->s;
	uint64_t traffic = c->sc->traffic;
	struct mc_limits_item *it =
	    add_item(c->r, MC_LIMIT_TCP_MEM, "TCP buffer memory (net.ipv4.tcp_mem)",
		     MC_LIMITS_P_TCP_MEM, traffic ? MC_LIMITS_CEILING : MC_LIMITS_INFO);
	uint64_t maxb, d, pages;
	char a[32], v[80];

	if (!it)
		return;
	add_val(it, "min_pages", s->tcp_mem[0]);
	add_val(it, "pressure_pages", s->tcp_mem[1]);
	add_val(it, "max_pages", s->tcp_mem[2]);
	add_val(it, "rmem_default", s->tcp_rmem[1]);
	add_val(it, "wmem_default", s->tcp_wmem[1]);
	if (s->tcp_mem[2].err) {
		set_unknown(it, MC_LIMITS_P_TCP_MEM, s->tcp_mem[2].err);
		if (!traffic)
			it->status = MC_LIMITS_FINE;
		return;
	}
	maxb = mul_sat(s->tcp_mem[2].v, s->page_size);
	set_value(it, "%" PRIu64 " %" PRIu64 " %" PRIu64 " pages (max %s)", s->tcp_mem[0].v,
		  s->tcp_mem[1].v, s->tcp_mem[2].v, mc_fmt_bytes(maxb, a, sizeof(a)));
	if (!traffic) {
		char rw[32];
		if (s->tcp_rmem[2].err || s->tcp_wmem[2].err)
			snprintf(rw, sizeof(rw), "?");
		else
			mc_fmt_bytes(s->tcp_rmem[2].v + s->tcp_wmem[2].v, rw, sizeof(rw));
		set_note(it,
			 "idle connections hold no buffer memory; a busy one holds up to tcp_rmem "
			 "+ tcp_wmem max (%s); --traffic BYTES counts it and this caps the total",
			 rw);
		return;
	}
	it->conns = div_keep(maxb, mul_sat(traffic, c->spc));
	set_note(it,
		 "%s / (%" PRIu64 " B traffic x %" PRIu64 " socket(s)); above pressure (%" PRIu64
		 " pages) the kernel shrinks buffers",
		 a, traffic, c->spc, s->tcp_mem[1].v);
	d = demand(c, it);
	pages = div_up(mul_sat(mul_sat(d, traffic), c->spc), s->page_size);
	it->raise_to = pages;
	snprintf(v, sizeof(v), "%" PRIu64 " %" PRIu64 " %" PRIu64,
		 min_u(s->tcp_mem[0].v, pages / 2), max_u(s->tcp_mem[1].v, pages / 4 * 3), pages);
	fix_sysctl(it, "net.ipv4.tcp_mem", v);
}

/* ---- conntrack ------------------------------------------------------ */

/* conntrack: a ceiling (max - count) only while the kernel tracks: entries
 * exist or a NAT table is loaded. No module, or nothing tracked: no limit,
 * and no warning. */
static void judge_conntrack(struct ctx *c)
{
	const struct mc_limits_snap *s = c->s;
	struct mc_limits_item *it =
	    add_item(c->r, MC_LIMIT_CONNTRACK, "connection tracking table (nf_conntrack_max)",
		     MC_LIMITS_P_CT_MAX, MC_LIMITS_CEILING);
	bool tracking;
	uint64_t d, need;

	if (!it)
		return;
	add_val(it, "max", s->ct_max);
	add_val(it, "count", s->ct_count);
	if (s->ct_max.err == -ENOENT) {
		set_value(it, "no conntrack");
		set_note(it, "the nf_conntrack module is not loaded: nothing is tracked, no limit");
		return;
	}
	if (s->ct_max.err) {
		set_unknown(it, MC_LIMITS_P_CT_MAX, s->ct_max.err);
		return;
	}
	if (s->ct_count.err) {
		set_unknown(it, MC_LIMITS_P_CT_COUNT, s->ct_count.err);
		return;
	}
	tracking = s->ct_count.v > 0 || s->ct_nat_table;
	set_value(it, "%" PRIu64 " max, %" PRIu64 " tracked", s->ct_max.v, s->ct_count.v);
	if (!tracking) {
		set_note(it,
			 "not tracking (no entries, no NAT table): no limit; a rule that "
			 "tracks (state, ct, NAT) would cap new connections at %" PRIu64,
			 s->ct_max.v);
		return;
	}
	it->conns = sub0(s->ct_max.v, s->ct_count.v);
	set_note(it,
		 "the kernel is tracking connections: %" PRIu64 " max - %" PRIu64
		 " tracked; when full new SYNs are dropped (ETIMEDOUT)",
		 s->ct_max.v, s->ct_count.v);
	d = demand(c, it);
	need = add_sat(add_sat(s->ct_count.v, d), d / 10);
	it->raise_to = need;
	fix_sysctl_u64(it, "net.netfilter.nf_conntrack_max", need);
	add_fix(it, "or do not track these connections: iptables -t raw -I PREROUTING -p tcp "
		    "-j CT --notrack; iptables -t raw -I OUTPUT -p tcp -j CT --notrack");
}

/* ---- accept queue --------------------------------------------------- */

/* accept_queue: min(backlog, somaxconn) + 1 per listen socket: how many
 * connections can wait for accept(), a queue and never the binding limit. */
static void judge_acceptq(struct ctx *c)
{
	const struct mc_limits_snap *s = c->s;
	const struct mc_limits_scenario *sc = c->sc;
	struct mc_limits_item *it =
	    add_item(c->r, MC_LIMIT_ACCEPTQ, "accept queue per listen socket (somaxconn)",
		     MC_LIMITS_P_SOMAXCONN, c->server ? MC_LIMITS_QUEUE : MC_LIMITS_INFO);
	uint64_t q, want;
	char nb[24], ob[24], db[24];

	if (!it)
		return;
	add_val(it, "somaxconn", s->somaxconn);
	add_val(it, "backlog", (struct mc_limits_num){sc->backlog, 0});
	add_val(it, "tcp_max_syn_backlog", s->syn_backlog);
	add_val(it, "syncookies", s->syncookies);
	add_val(it, "listen_overflows", s->listen_overflows);
	add_val(it, "listen_drops", s->listen_drops);
	if (s->somaxconn.err) {
		set_unknown(it, MC_LIMITS_P_SOMAXCONN, s->somaxconn.err);
		if (!c->server)
			it->status = MC_LIMITS_FINE;
		return;
	}
	q = min_u(sc->backlog, s->somaxconn.v) + 1;
	c->r->accept_queue = q;
	set_value(it, "somaxconn %" PRIu64 ", backlog %" PRIu64 ", syn %s, cookies %s",
		  s->somaxconn.v, sc->backlog, numstr(s->syn_backlog, nb, sizeof(nb)),
		  s->syncookies.err ? "?" : (s->syncookies.v ? "on" : "off"));
	if (!c->server) {
		set_note(it, "the server's queue, on its host");
		return;
	}
	it->conns = mul_sat(q, sc->dest_ports);
	set_note(it,
		 "not a ceiling on held connections: up to (min(backlog, somaxconn) + 1) = %" PRIu64
		 " x %" PRIu64 " listen socket(s) wait for accept(); ListenOverflows %s, "
		 "ListenDrops %s so far",
		 q, sc->dest_ports, numstr(s->listen_overflows, ob, sizeof(ob)),
		 numstr(s->listen_drops, db, sizeof(db)));
	want = max_u(s->somaxconn.v, 65535);
	fix_sysctl_u64(it, "net.core.somaxconn", want);
	add_fix(it, "and listen with that backlog: maxconn server --backlog %" PRIu64, want);
	add_fix(it, "or accept faster: more --workers");
}

/* ---- threads (thread-per-connection) -------------------------------- */

static struct mc_limits_item *thread_item(struct ctx *c, const char *id, const char *name,
					  const char *source)
{
	return add_item(c->r, id, name, source, c->threads ? MC_LIMITS_CEILING : MC_LIMITS_INFO);
}

static void threads_epoll_note(struct ctx *c, struct mc_limits_item *it)
{
	if (!c->threads && it->status != MC_LIMITS_UNKNOWN)
		set_note(it, "--model epoll: a few threads serve every connection; caps only "
			     "thread-per-connection servers (--model threads)");
	if (!c->threads && it->status == MC_LIMITS_UNKNOWN) {
		it->status = MC_LIMITS_FINE;
		snprintf(it->note, sizeof(it->note), "%s (--model epoll does not need it)",
			 it->reason);
		it->reason[0] = '\0';
	}
}

/* threads: (threads-max - threads now) / threads per connection, for
 * --model threads; information for epoll. */
static void judge_threads(struct ctx *c)
{
	const struct mc_limits_snap *s = c->s;
	struct mc_limits_item *it =
	    thread_item(c, MC_LIMIT_THREADS, "threads system-wide (kernel.threads-max)",
			MC_LIMITS_P_THREADS_MAX);
	uint64_t d;

	if (!it)
		return;
	add_val(it, "threads_max", s->threads_max);
	add_val(it, "threads_now", s->threads_now);
	if (s->threads_max.err || s->threads_now.err) {
		set_unknown(it, s->threads_max.err ? MC_LIMITS_P_THREADS_MAX : MC_LIMITS_P_LOADAVG,
			    s->threads_max.err ? s->threads_max.err : s->threads_now.err);
	} else {
		set_value(it, "%" PRIu64 " max, %" PRIu64 " running", s->threads_max.v,
			  s->threads_now.v);
		if (c->threads) {
			it->conns = sub0(s->threads_max.v, s->threads_now.v) / c->tpc;
			set_note(it,
				 "(%" PRIu64 " - %" PRIu64 " threads now) / %" PRIu64
				 " thread(s) per connection",
				 s->threads_max.v, s->threads_now.v, c->tpc);
			d = demand(c, it);
			it->raise_to = add_sat(s->threads_now.v, mul_sat(d, c->tpc));
			fix_sysctl_u64(it, "kernel.threads-max", it->raise_to);
			add_fix(it, "or --model epoll: IO multiplexing, a few threads for all");
		}
	}
	threads_epoll_note(c, it);
}

/* pid_max: every thread takes an id: (pid_max - threads now) / threads per
 * connection. */
static void judge_pid_max(struct ctx *c)
{
	const struct mc_limits_snap *s = c->s;
	struct mc_limits_item *it = thread_item(c, MC_LIMIT_PID_MAX,
						"thread ids (kernel.pid_max)", MC_LIMITS_P_PID_MAX);

	if (!it)
		return;
	add_val(it, "pid_max", s->pid_max);
	if (s->pid_max.err || s->threads_now.err) {
		set_unknown(it, s->pid_max.err ? MC_LIMITS_P_PID_MAX : MC_LIMITS_P_LOADAVG,
			    s->pid_max.err ? s->pid_max.err : s->threads_now.err);
	} else {
		set_value(it, "%" PRIu64, s->pid_max.v);
		if (c->threads) {
			uint64_t d;
			it->conns = sub0(s->pid_max.v, s->threads_now.v) / c->tpc;
			set_note(it,
				 "every thread takes an id: (%" PRIu64 " - %" PRIu64
				 " in use) / %" PRIu64,
				 s->pid_max.v, s->threads_now.v, c->tpc);
			d = demand(c, it);
			it->raise_to = min_u(
			    add_sat(add_sat(s->threads_now.v, mul_sat(d, c->tpc)), 300), 4194304);
			fix_sysctl_u64(it, "kernel.pid_max", it->raise_to);
			add_fix(it, "(4194304 is the most a 64-bit kernel allows)");
		}
	}
	threads_epoll_note(c, it);
}

/* nproc: RLIMIT_NPROC / threads per connection; not enforced for uid 0 in
 * the initial user namespace. */
static void judge_nproc(struct ctx *c)
{
	const struct mc_limits_snap *s = c->s;
	struct mc_limits_item *it =
	    thread_item(c, MC_LIMIT_NPROC, "threads per user (RLIMIT_NPROC, ulimit -u)",
			c->s->pid > 0 ? c->s->pid_limits : "getrlimit(RLIMIT_NPROC)");
	char a[24], b[24];

	if (!it)
		return;
	add_val(it, "soft", s->nproc_soft);
	add_val(it, "hard", s->nproc_hard);
	if (s->nproc_soft.err) {
		set_unknown(it, "RLIMIT_NPROC", s->nproc_soft.err);
	} else {
		set_value(it, "%s soft, %s hard", cnt(s->nproc_soft.v, a, sizeof(a)),
			  s->nproc_hard.err ? "unknown" : cnt(s->nproc_hard.v, b, sizeof(b)));
		if (c->threads && s->uid == 0 && s->init_userns) {
			set_note(it, "not enforced for root (uid 0 in the initial user namespace)");
		} else if (c->threads && s->nproc_soft.v != MC_LIMITS_NONE) {
			uint64_t d;
			it->conns = s->nproc_soft.v / c->tpc;
			set_note(it,
				 "%" PRIu64 " threads of this user / %" PRIu64
				 " per connection (less the threads the user already runs)",
				 s->nproc_soft.v, c->tpc);
			d = demand(c, it);
			it->raise_to = add_sat(mul_sat(d, c->tpc), 1024);
			add_fix(it,
				"ulimit -u %" PRIu64 " (up to the hard limit), or in "
				"/etc/security/limits.conf: * - nproc %" PRIu64,
				it->raise_to, it->raise_to);
			add_fix(it, "systemd unit: LimitNPROC=%" PRIu64, it->raise_to);
		}
	}
	threads_epoll_note(c, it);
}

/* cgroup_pids: (pids.max - pids.current) / threads per connection at the
 * tightest level; no limit when none is set. */
static void judge_cgroup_pids(struct ctx *c)
{
	const struct mc_limits_cgroup *cg = &c->s->cg;
	struct mc_limits_item *it =
	    thread_item(c, MC_LIMIT_CGROUP_PIDS, "cgroup task limit (pids.max)",
			cg->pids_path[0] ? cg->pids_path : MC_LIMITS_P_CGROUP);

	if (!it)
		return;
	add_val(it, "max", cg->pids_max);
	add_val(it, "current", cg->pids_current);
	if (cg->pids_max.err) {
		set_unknown(it, "pids.max", cg->pids_max.err);
	} else if (cg->pids_max.v == MC_LIMITS_NONE) {
		set_value(it, "no limit");
		if (c->threads)
			set_note(it, "no pids limit on this cgroup or its parents");
	} else if (cg->pids_current.err) {
		set_unknown(it, "pids.current", cg->pids_current.err);
	} else {
		set_value(it, "%" PRIu64 " max, %" PRIu64 " now", cg->pids_max.v,
			  cg->pids_current.v);
		if (c->threads) {
			uint64_t d;
			it->conns = sub0(cg->pids_max.v, cg->pids_current.v) / c->tpc;
			set_note(it, "(%" PRIu64 " - %" PRIu64 ") / %" PRIu64, cg->pids_max.v,
				 cg->pids_current.v, c->tpc);
			d = demand(c, it);
			it->raise_to = add_sat(cg->pids_current.v, add_sat(mul_sat(d, c->tpc), 64));
			add_fix(it, "echo %" PRIu64 " > /sys/fs/cgroup%s/pids.max", it->raise_to,
				cg->pids_path + strlen(MC_LIMITS_P_CGROUP_FS));
			add_fix(it, "systemd unit: TasksMax=%" PRIu64, it->raise_to);
		}
	}
	if (!c->threads && it->status != MC_LIMITS_UNKNOWN && it->conns == MC_LIMITS_NONE &&
	    cg->pids_max.err == 0 && cg->pids_max.v == MC_LIMITS_NONE)
		return;
	threads_epoll_note(c, it);
}

/* thread_stack: stacks of RLIMIT_STACK bytes are reserved address space:
 * the 47-bit space / stack, or with overcommit_memory=2 the commit room /
 * stack. */
static void judge_thread_stack(struct ctx *c)
{
	const struct mc_limits_snap *s = c->s;
	struct mc_limits_item *it =
	    thread_item(c, MC_LIMIT_THREAD_STACK, "thread stacks (RLIMIT_STACK, ulimit -s)",
			c->s->pid > 0 ? c->s->pid_limits : "getrlimit(RLIMIT_STACK)");
	char a[32], b[32], ob[24];
	uint64_t stack, room;
	bool strict;

	if (!it)
		return;
	add_val(it, "stack", s->stack_soft);
	add_val(it, "overcommit_memory", s->overcommit);
	if (s->stack_soft.err) {
		set_unknown(it, "RLIMIT_STACK", s->stack_soft.err);
		threads_epoll_note(c, it);
		return;
	}
	/* glibc uses 8 MiB when RLIMIT_STACK is unlimited */
	stack = s->stack_soft.v == MC_LIMITS_NONE ? 8ULL << 20 : s->stack_soft.v;
	strict = s->overcommit.err == 0 && s->overcommit.v == 2;
	set_value(it, "%s per thread, overcommit_memory %s", mc_fmt_bytes(stack, a, sizeof(a)),
		  numstr(s->overcommit, ob, sizeof(ob)));
	if (!c->threads) {
		threads_epoll_note(c, it);
		return;
	}
	if (strict && (s->commit_limit.err || s->committed_as.err)) {
		set_unknown(it, "CommitLimit in " MC_LIMITS_P_MEMINFO,
			    s->commit_limit.err ? s->commit_limit.err : s->committed_as.err);
		return;
	}
	room = strict ? sub0(s->commit_limit.v, s->committed_as.v) : MC_LIMITS_VA_BYTES;
	it->conns = div_keep(room, mul_sat(stack, c->tpc));
	set_note(it, "%s / %s stack per thread (%s)", mc_fmt_bytes(room, b, sizeof(b)), a,
		 strict ? "overcommit_memory=2: CommitLimit - Committed_AS"
			: "47-bit address space; stacks are reserved, not resident");
	{
		uint64_t d = demand(c, it), kb = room / mul_sat(d, c->tpc) / 1024;
		it->raise_to = kb;
		add_fix(it,
			"smaller stacks: ulimit -s %" PRIu64 " (KiB) or pthread_attr_setstacksize",
			kb ? kb : 16);
		add_fix(it, "or --model epoll");
	}
}

/* ---- CPU and churn (information) ----------------------------------- */

/* cpu: CPUs and a cgroup quota, as information: CPU bounds rates, not the
 * number of idle connections held. */
static void judge_cpu(struct ctx *c)
{
	const struct mc_limits_snap *s = c->s;
	const struct mc_limits_cgroup *cg = &s->cg;
	struct mc_limits_item *it = add_item(c->r, MC_LIMIT_CPU, "CPUs",
					     "sched_getaffinity, cgroup cpu quota", MC_LIMITS_INFO);

	if (!it)
		return;
	add_val(it, "cpus", s->cpus);
	add_val(it, "quota_us", cg->cpu_quota_us);
	add_val(it, "period_us", cg->cpu_period_us);
	if (s->cpus.err) {
		set_unknown(it, "the CPU affinity", s->cpus.err);
		it->status = MC_LIMITS_FINE;
		return;
	}
	if (cg->cpu_quota_us.err == 0 && cg->cpu_quota_us.v != MC_LIMITS_NONE &&
	    cg->cpu_period_us.err == 0 && cg->cpu_period_us.v)
		set_value(it, "%" PRIu64 " (cgroup quota %.2f CPUs)", s->cpus.v,
			  (double)cg->cpu_quota_us.v / (double)cg->cpu_period_us.v);
	else
		set_value(it, "%" PRIu64, s->cpus.v);
	set_note(it, "idle connections cost no CPU: CPU bounds how fast connections open and "
		     "how much traffic they carry, not how many are held");
}

/* time_wait: churn settings, as information; tcp_tw_reuse=2 (loopback
 * only) is the default and never a warning. */
static void judge_time_wait(struct ctx *c)
{
	const struct mc_limits_snap *s = c->s;
	struct mc_limits_item *it = add_item(c->r, MC_LIMIT_TIME_WAIT,
					     "TIME_WAIT and churn (tcp_tw_reuse, tcp_fin_timeout)",
					     MC_LIMITS_P_TW_REUSE, MC_LIMITS_INFO);
	const char *reuse;
	char fb[24], bb[24], tb[24];

	if (!it)
		return;
	add_val(it, "tw_reuse", s->tw_reuse);
	add_val(it, "fin_timeout", s->fin_timeout);
	add_val(it, "max_tw_buckets", s->tw_buckets);
	add_val(it, "time_wait_now", s->tcp_tw);
	if (s->tw_reuse.err) {
		set_unknown(it, MC_LIMITS_P_TW_REUSE, s->tw_reuse.err);
		it->status = MC_LIMITS_FINE;
		return;
	}
	reuse = s->tw_reuse.v == 0 ? "off" : s->tw_reuse.v == 1 ? "on" : "loopback";
	set_value(it, "tw_reuse %" PRIu64 " (%s), fin_timeout %ss, tw max %s", s->tw_reuse.v, reuse,
		  numstr(s->fin_timeout, fb, sizeof(fb)), numstr(s->tw_buckets, bb, sizeof(bb)));
	if (!c->client)
		set_note(it,
			 "held connections never enter TIME_WAIT; on a server it only "
			 "costs memory after closes (%s in TIME_WAIT now)",
			 numstr(s->tcp_tw, tb, sizeof(tb)));
	else if (s->tw_reuse.v == 0)
		set_note(it,
			 "a client that closes and reconnects keeps each closed port in "
			 "TIME_WAIT for 60 s; net.ipv4.tcp_tw_reuse=1 (or 2 for loopback) lets "
			 "connect() reuse it after 1 s (%s in TIME_WAIT now)",
			 numstr(s->tcp_tw, tb, sizeof(tb)));
	else if (s->tw_reuse.v == 1)
		set_note(it,
			 "connect() reuses a port in TIME_WAIT after 1 s (TCP timestamps on) "
			 "(%s in TIME_WAIT now)",
			 numstr(s->tcp_tw, tb, sizeof(tb)));
	else
		set_note(it,
			 "connect() reuses a port in TIME_WAIT after 1 s toward loopback "
			 "destinations (TCP timestamps on); elsewhere a closed port waits 60 s "
			 "(%s in TIME_WAIT now)",
			 numstr(s->tcp_tw, tb, sizeof(tb)));
}

/* orphans: tcp_max_orphans, as information (held connections are never
 * orphans). */
static void judge_orphans(struct ctx *c)
{
	const struct mc_limits_snap *s = c->s;
	struct mc_limits_item *it =
	    add_item(c->r, MC_LIMIT_ORPHANS, "orphaned sockets (tcp_max_orphans)",
		     MC_LIMITS_P_ORPHANS, MC_LIMITS_INFO);

	if (!it)
		return;
	add_val(it, "max_orphans", s->max_orphans);
	add_val(it, "orphans_now", s->tcp_orphan);
	if (s->max_orphans.err) {
		set_unknown(it, MC_LIMITS_P_ORPHANS, s->max_orphans.err);
		it->status = MC_LIMITS_FINE;
		return;
	}
	set_value(it, "%" PRIu64, s->max_orphans.v);
	set_note(it, "closed by the program, not yet by TCP; past the max the kernel resets "
		     "them ('too many orphaned sockets'); held connections are never orphans");
}

/* ---- the whole judgement ------------------------------------------- */

/* Every limit, in the order the table shows them (after redis's syscheck:
 * a table of named checks). Each appends one item to the result. */
static void (*const checks[])(struct ctx *) = {
    judge_ports,   judge_sources, judge_fd_process,    judge_fd_nr_open,  judge_fd_system,
    judge_epoll_watches,
    judge_fd_user, judge_memory,  judge_cgroup_memory, judge_tcp_mem,	  judge_conntrack,
    judge_threads, judge_pid_max, judge_nproc,	       judge_cgroup_pids, judge_thread_stack,
    judge_acceptq, judge_cpu,	  judge_time_wait,     judge_orphans,
};

static int cmp_conns(const struct mc_limits_result *r, int a, int b)
{
	return r->items[a].conns < r->items[b].conns ? -1 : r->items[a].conns > r->items[b].conns;
}

/* The whole judgement: the cost of a connection, every check, then the
 * binding item (lowest known ceiling, first in table order on a tie), the
 * items below --target, and those sorted lowest first. */
int mc_limits_judge(const struct mc_limits_snap *s, const struct mc_limits_scenario *sc,
		    struct mc_limits_result *r)
{
	struct ctx c = {s, sc, r, 1, 1, 1, false, false, false};

	if (!sc->sources || !sc->dest_addrs || !sc->dest_ports || !sc->fd_tables || !sc->backlog)
		return -EINVAL;
	memset(r, 0, sizeof(*r));
	r->binding = -1;
	r->ceiling = MC_LIMITS_NONE;
	c.client = sc->role != MC_LIMITS_SERVER;
	c.server = sc->role != MC_LIMITS_CLIENT;
	c.threads = sc->model == MC_MODEL_THREADS;
	c.fdpc = c.spc = sc->role == MC_LIMITS_BOTH ? 2 : 1;
	/* --model is the server's: with role both the client on this host is
	 * maxconn client (event-driven), so one thread per connection */
	c.tpc = 1;
	r->fds_per_conn = c.fdpc;
	r->socks_per_conn = c.spc;
	conn_cost(&c);

	for (size_t i = 0; i < sizeof(checks) / sizeof(checks[0]); i++)
		checks[i](&c);

	for (int i = 0; i < r->n; i++) {
		struct mc_limits_item *it = &r->items[i];
		if (it->kind != MC_LIMITS_CEILING)
			continue;
		if (it->status == MC_LIMITS_UNKNOWN) {
			r->nunknown++;
			continue;
		}
		if (it->conns != MC_LIMITS_NONE &&
		    (r->binding < 0 || it->conns < r->items[r->binding].conns))
			r->binding = i;
		if (sc->target && it->conns < sc->target) {
			it->needs_change = true;
			it->status = MC_LIMITS_NEEDS_CHANGE;
			r->changes[r->nchanges++] = i;
		}
	}
	if (r->binding >= 0) {
		r->items[r->binding].status = MC_LIMITS_BINDING;
		r->ceiling = r->items[r->binding].conns;
	}
	/* the changes in the order the limits would be hit: lowest first */
	for (int i = 1; i < r->nchanges; i++)
		for (int j = i; j > 0 && cmp_conns(r, r->changes[j], r->changes[j - 1]) < 0; j--) {
			int t = r->changes[j];
			r->changes[j] = r->changes[j - 1];
			r->changes[j - 1] = t;
		}
	return 0;
}

const struct mc_limits_item *mc_limits_find(const struct mc_limits_result *r, const char *id)
{
	for (int i = 0; i < r->n; i++)
		if (strcmp(r->items[i].id, id) == 0)
			return &r->items[i];
	return NULL;
}

void mc_limits_scenario_default(struct mc_limits_scenario *sc)
{
	memset(sc, 0, sizeof(*sc));
	sc->role = MC_LIMITS_SERVER;
	sc->model = MC_MODEL_EPOLL;
	sc->sources = sc->dest_addrs = sc->dest_ports = sc->fd_tables = 1;
	sc->fd_overhead = MC_LIMITS_FD_OVERHEAD;
	sc->backlog = 4096; /* SOMAXCONN in glibc >= 2.34 and Linux >= 5.4 */
}

const char *mc_limits_status_str(enum mc_limits_status st)
{
	switch (st) {
	case MC_LIMITS_BINDING:
		return "binding";
	case MC_LIMITS_NEEDS_CHANGE:
		return "needs_change";
	case MC_LIMITS_UNKNOWN:
		return "unknown";
	case MC_LIMITS_FINE:
		break;
	}
	return "fine";
}

const char *mc_limits_kind_str(enum mc_limits_kind k)
{
	return k == MC_LIMITS_CEILING ? "ceiling" : k == MC_LIMITS_QUEUE ? "queue" : "info";
}

const char *mc_limits_role_str(enum mc_limits_role role)
{
	return role == MC_LIMITS_SERVER ? "server" : role == MC_LIMITS_CLIENT ? "client" : "both";
}

