/* serverside.c: the server host's side of a probe across hosts (see
 * serverside.h). Pure. */
#include "probe/serverside.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "common/fmt.h"
#include "host/host.h"
#include "metrics/names.h"
#include "metrics/text.h"

/* Where each figure is read: node_exporter's family first, a maxconn
 * server's after (a figure the first page gave stays). maxconn's families
 * are named where they are written (metrics/names.h), and a refusal's
 * label is the server's key for its cause (net/cause.c); MC_CAUSE_COUNT:
 * no label. */
static const struct {
	enum mc_probe_rf f;
	const char *name;
	enum mc_cause cause;
} rows[] = {
	{MC_RF_TCP_INUSE, "node_sockstat_TCP_inuse", MC_CAUSE_COUNT},
	{MC_RF_MEM_TOTAL, "node_memory_MemTotal_bytes", MC_CAUSE_COUNT},
	{MC_RF_MEM_AVAIL, "node_memory_MemAvailable_bytes", MC_CAUSE_COUNT},
	{MC_RF_FD_ALLOC, "node_filefd_allocated", MC_CAUSE_COUNT},
	{MC_RF_FD_MAX, "node_filefd_maximum", MC_CAUSE_COUNT},
	{MC_RF_CT, "node_nf_conntrack_entries", MC_CAUSE_COUNT},
	{MC_RF_CT_MAX, "node_nf_conntrack_entries_limit", MC_CAUSE_COUNT},
	{MC_RF_OVERFLOWS, "node_netstat_TcpExt_ListenOverflows", MC_CAUSE_COUNT},
	{MC_RF_DROPS, "node_netstat_TcpExt_ListenDrops", MC_CAUSE_COUNT},
	{MC_RF_TCP_INUSE, MC_FAM_HOST_TCP_INUSE, MC_CAUSE_COUNT},
	{MC_RF_MEM_TOTAL, MC_FAM_HOST_MEM_TOTAL, MC_CAUSE_COUNT},
	{MC_RF_MEM_AVAIL, MC_FAM_HOST_MEM_AVAILABLE, MC_CAUSE_COUNT},
	{MC_RF_KERNEL, MC_FAM_HOST_KERNEL_MEM, MC_CAUSE_COUNT},
	{MC_RF_OVERFLOWS, MC_FAM_HOST_LISTEN_OVERFLOWS, MC_CAUSE_COUNT},
	{MC_RF_DROPS, MC_FAM_HOST_LISTEN_DROPS, MC_CAUSE_COUNT},
	{MC_RF_SRV_HELD, MC_FAM_SERVER_HELD, MC_CAUSE_COUNT},
	{MC_RF_SRV_USER, MC_FAM_SERVER_USER_BYTES, MC_CAUSE_COUNT},
	{MC_RF_REF_FD, MC_FAM_SERVER_REFUSED, MC_CAUSE_EMFILE},
	{MC_RF_REF_MEM, MC_FAM_SERVER_REFUSED, MC_CAUSE_NOMEM},
	{MC_RF_REF_THREADS, MC_FAM_SERVER_REFUSED, MC_CAUSE_THREADS},
	{MC_RF_REF_WATCHES, MC_FAM_SERVER_REFUSED, MC_CAUSE_WATCHES},
};

/* The slab caches a socket lives in (node_exporter's slabinfo collector
 * names them as slabinfo does); an IPv4 socket takes one object of each
 * but TCPv6. */
static const struct {
	enum mc_host_slab_id id;
	bool v4;
} sock_caches[] = {{MC_HOST_SLAB_TCP, true},	    {MC_HOST_SLAB_TCPV6, false},
		   {MC_HOST_SLAB_SOCK_INODE, true}, {MC_HOST_SLAB_DENTRY, true},
		   {MC_HOST_SLAB_FILP, true},	    {MC_HOST_SLAB_EPOLL_EPI, true},
		   {MC_HOST_SLAB_EPOLL_PWQ, true}};

/* What a figure may be: a count (sockets, files, refusals) fits a
 * uint64_t; bytes are under 64 PiB (2^56, beyond any host's memory). */
#define MAX_COUNT 18446744073709551616.0 /* 2^64 */
#define MAX_BYTES 72057594037927936.0	 /* 2^56 */

static bool is_bytes(enum mc_probe_rf f)
{
	return f == MC_RF_MEM_TOTAL || f == MC_RF_MEM_AVAIL || f == MC_RF_KERNEL ||
	       f == MC_RF_SLAB_SOCK || f == MC_RF_SOCK_OBJ || f == MC_RF_SRV_USER;
}

void mc_probe_remote_init(struct mc_probe_remote *r)
{
	for (int i = 0; i < MC_RF_N; i++)
		r->v[i] = NAN;
	r->node = r->maxconn = false;
	r->publishes = NAN;
	r->bad[0] = '\0';
	r->nbad = 0;
}

/* A figure the page has but that is not used: the first one says why. */
__attribute__((format(printf, 3, 4))) static bool reject(struct mc_probe_remote *r, double *v,
							 const char *fmt, ...)
{
	va_list ap;

	if (!r->bad[0]) {
		va_start(ap, fmt);
		vsnprintf(r->bad, sizeof(r->bad), fmt, ap);
		va_end(ap);
	}
	r->nbad++;
	*v = NAN;
	return false;
}

/* Read the figure name{key="val"} (key NULL: any label set) from page into
 * *v: true when the page has one such series, listed once, finite, not
 * negative and under max; false when it has none or one that fails (why:
 * r->bad). */
static bool figure(const char *page, const char *name, const char *key, const char *val, double max,
		   struct mc_probe_remote *r, double *v)
{
	int n = mc_prom_sum(page, name, key, val, v);
	char s[112], num[32];

	if (n == 0)
		return false;
	snprintf(s, sizeof(s), "%s%s%s%s%s%s", name, key ? "{" : "", key ? key : "",
		 key ? "=\"" : "", key ? val : "", key ? "\"}" : "");
	if (n == -EEXIST)
		return reject(r, v, "%s is listed twice (one series twice: a malformed page)", s);
	if (n < 0 || n > 1) /* a page of several hosts (federation) would add them up */
		return reject(r, v, "%s has %s series where one figure is one (several hosts?)", s,
			      n < 0    ? "too many"
			      : n == 2 ? "2"
				       : "3 or more");
	if (isnan(*v))
		snprintf(num, sizeof(num), "NaN");
	else
		snprintf(num, sizeof(num), isinf(*v) ? (*v > 0 ? "+Inf" : "-Inf") : "%g", *v);
	if (!isfinite(*v) || *v < 0 || *v >= max)
		return reject(r, v, "%s is %s: %s", s, num,
			      !isfinite(*v)	 ? "not a number a host can have"
			      : *v < 0		 ? "a host's figure is never negative"
			      : max == MAX_BYTES ? "over 64 PiB, more than any host has"
						 : "over 2^64, more than any host counts");
	return true;
}

/* Slab + KernelStack + PageTables, when the page has Slab. */
static void kernel_mem(const char *page, struct mc_probe_remote *r)
{
	static const char *const parts[] = {"node_memory_KernelStack_bytes",
					    "node_memory_PageTables_bytes"};
	double v, a;

	if (!isnan(r->v[MC_RF_KERNEL]) ||
	    !figure(page, "node_memory_Slab_bytes", NULL, NULL, MAX_BYTES, r, &v))
		return;
	for (size_t i = 0; i < sizeof(parts) / sizeof(parts[0]); i++)
		if (figure(page, parts[i], NULL, NULL, MAX_BYTES, r, &a))
			v += a;
	r->v[MC_RF_KERNEL] = v;
	r->node = true;
}

/* The socket caches' bytes (and one IPv4 socket's objects), when the page
 * has node_exporter's slabinfo collector. */
static void sock_slabs(const char *page, struct mc_probe_remote *r)
{
	double a, b, sum = 0, one = 0;
	int caches = 0;

	for (size_t i = 0; i < sizeof(sock_caches) / sizeof(sock_caches[0]); i++) {
		const char *name = mc_host_slab_name(sock_caches[i].id);
		if (!figure(page, "node_slabinfo_active_objects", "slab", name, MAX_COUNT, r, &a) ||
		    !figure(page, "node_slabinfo_object_size_bytes", "slab", name, MAX_BYTES, r,
			    &b))
			continue;
		if (a * b >= MAX_BYTES) {
			reject(r, &a, "slab cache %s: %g objects of %g B: over 64 PiB", name, a, b);
			continue;
		}
		sum += a * b;
		one += sock_caches[i].v4 ? b : 0;
		caches++;
	}
	if (caches && isnan(r->v[MC_RF_SLAB_SOCK])) {
		r->v[MC_RF_SLAB_SOCK] = sum;
		r->v[MC_RF_SOCK_OBJ] = one;
		r->node = true;
	}
}

void mc_probe_remote_parse(const char *page, struct mc_probe_remote *r)
{
	double v;

	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		enum mc_probe_rf f = rows[i].f;
		bool label = rows[i].cause < MC_CAUSE_COUNT;
		if (!isnan(r->v[f]) || !figure(page, rows[i].name, label ? MC_LABEL_CAUSE : NULL,
					       mc_cause_server_key(rows[i].cause),
					       is_bytes(f) ? MAX_BYTES : MAX_COUNT, r, &v))
			continue;
		r->v[f] = v;
		if (strncmp(rows[i].name, "node_", 5) == 0)
			r->node = true;
		else
			r->maxconn = true;
	}
	kernel_mem(page, r);
	sock_slabs(page, r);
	r->node = r->node || mc_prom_sum(page, "node_sockstat_TCP_inuse", NULL, NULL, &v) != 0;
	r->maxconn = r->maxconn || mc_prom_sum(page, MC_FAM_BUILD_INFO, NULL, NULL, &v) != 0;
	if (figure(page, MC_FAM_PUBLISHES, NULL, NULL, MAX_COUNT, r, &v) && !(v <= r->publishes))
		r->publishes = v;
}

static double grew(const struct mc_probe_remote *b, const struct mc_probe_remote *a,
		   enum mc_probe_rf f)
{
	return a->v[f] - b->v[f]; /* NAN when either is unknown */
}

static bool any_figure(const struct mc_probe_remote *r)
{
	for (int i = 0; i < MC_RF_N; i++)
		if (!isnan(r->v[i]))
			return true;
	return false;
}

/* Known readings hold a figure, and say which figures were not used. */
static void usable(const struct mc_probe_remote *before, const struct mc_probe_remote *after,
		   struct mc_probe_server_host *h)
{
	const struct mc_probe_remote *bad = after->nbad ? after : before;
	int nbad = bad->nbad;

	if (!h->known)
		return;
	if (!any_figure(before) || !any_figure(after)) {
		h->known = false;
		if (nbad)
			snprintf(h->error, sizeof(h->error), "no figure there could be used: %s%s",
				 bad->bad, nbad > 1 ? " (and more)" : "");
		else
			snprintf(h->error, sizeof(h->error),
				 "the page has none of the figures asked for (node_exporter's "
				 "node_sockstat_TCP_inuse, node_memory_*, a maxconn server's "
				 "maxconn_host_*): an empty page or another exporter's; pass "
				 "node_exporter's /metrics or a maxconn server's --metrics");
	} else if (nbad) {
		snprintf(h->error, sizeof(h->error), "%d figure%s not used: %s%s", nbad,
			 nbad > 1 ? "s" : "", bad->bad, nbad > 1 ? ", ..." : "");
	}
}

void mc_probe_server_host_figures(const struct mc_probe_remote *before,
				  const struct mc_probe_remote *after,
				  struct mc_probe_server_host *h)
{
	double added = grew(before, after, MC_RF_TCP_INUSE), per = NAN, user;

	usable(before, after, h);
	snprintf(h->source, sizeof(h->source), "%s%s%s", after->node ? "node_exporter" : "",
		 after->node && after->maxconn ? " + " : "", after->maxconn ? "maxconn server" : "");
	h->sockets = after->v[MC_RF_TCP_INUSE];
	h->sockets_before = before->v[MC_RF_TCP_INUSE];
	h->held = after->v[MC_RF_SRV_HELD];
	h->user_per_conn = after->v[MC_RF_SRV_USER];
	h->mem_total = after->v[MC_RF_MEM_TOTAL];
	h->mem_available = after->v[MC_RF_MEM_AVAIL];
	h->kernel_per_socket = NAN;
	h->kernel_method[0] = '\0';
	if (added >= 1) {
		double slab = grew(before, after, MC_RF_SLAB_SOCK);
		double kern = grew(before, after, MC_RF_KERNEL);
		double one = after->v[MC_RF_SOCK_OBJ];
		if (!isnan(slab) && slab > 0) {
			per = slab / added;
			snprintf(h->kernel_method, sizeof(h->kernel_method),
				 "slabinfo: socket caches grown / sockets added");
		}
		/* the caches are the whole host's: when other work moved them
		 * meanwhile (the growth is under half or over three times what
		 * one socket's objects weigh), say what one socket weighs */
		if (!isnan(one) && one > 0 && (isnan(per) || per < one / 2 || per > 3 * one)) {
			per = one;
			snprintf(h->kernel_method, sizeof(h->kernel_method),
				 "slabinfo: one object of each socket cache (other work moved the "
				 "caches' growth)");
		} else if (isnan(per) && !isnan(kern) && kern > 0) {
			per = kern / added;
			snprintf(h->kernel_method, sizeof(h->kernel_method),
				 "meminfo: Slab+KernelStack+PageTables grown / sockets added");
		}
		h->kernel_per_socket = per;
	}
	h->reserve = NAN;
	h->more_conns = NAN;
	if (!isnan(h->mem_total)) {
		h->reserve = h->mem_total / 10 > 1073741824.0 ? h->mem_total / 10 : 1073741824.0;
		user = isnan(h->user_per_conn) ? 0 : h->user_per_conn;
		if (!isnan(per) && !isnan(h->mem_available))
			h->more_conns = h->mem_available > h->reserve
						? floor((h->mem_available - h->reserve) / (per + user))
						: 0;
		if (!(h->more_conns < MAX_COUNT)) /* a fraction of a byte a socket */
			h->more_conns = NAN;
	}
}

static bool rose(const struct mc_probe_remote *b, const struct mc_probe_remote *a,
		 enum mc_probe_rf f, double *by)
{
	*by = grew(b, a, f);
	return !isnan(*by) && *by > 0;
}

bool mc_probe_server_host_verdict(const struct mc_probe_remote *before,
				  const struct mc_probe_remote *after,
				  const struct mc_probe_server_host *h, const uint64_t *fail,
				  const uint64_t *lost, uint64_t held, struct mc_probe_srv_verdict *v)
{
	static const struct {
		enum mc_probe_rf f;
		enum mc_cause cause;
		const char *name, *what;
	} refusals[] = {
		{MC_RF_REF_FD, MC_CAUSE_EMFILE, "open files per process (ulimit -n), server",
		 "at its fd limit (EMFILE)"},
		{MC_RF_REF_THREADS, MC_CAUSE_THREADS, "threads (one per connection), server",
		 "for want of a thread"},
		{MC_RF_REF_WATCHES, MC_CAUSE_WATCHES, "epoll watches per user, server",
		 "for want of epoll watches (ENOSPC)"},
		{MC_RF_REF_MEM, MC_CAUSE_NOMEM, "kernel memory, server", "for want of memory"},
	};
	uint64_t ended = mc_cause_sum(lost) + fail[MC_CAUSE_TIMEDOUT] + fail[MC_CAUSE_RESET];
	const double *a = after->v;
	double by;

	memset(v, 0, sizeof(*v));
#define SAY(id, name, ...)                                                                         \
	do {                                                                                       \
		snprintf(v->limit_id, sizeof(v->limit_id), "%s", id);                              \
		snprintf(v->limit_name, sizeof(v->limit_name), "%s", name);                        \
		snprintf(v->happened, sizeof(v->happened), __VA_ARGS__);                           \
		return true;                                                                       \
	} while (0)
	for (size_t i = 0; i < sizeof(refusals) / sizeof(refusals[0]); i++)
		if (rose(before, after, refusals[i].f, &by))
			SAY(mc_cause_limit(refusals[i].cause), refusals[i].name,
			    "the server refused %.0f connections %s once it held %.0f (its "
			    "--metrics: maxconn_server_connections_refused_total); the client "
			    "held %" PRIu64 ", %" PRIu64 " ended by the server",
			    by, refusals[i].what, isnan(h->held) ? 0 : h->held, held, ended);
	if (!isnan(a[MC_RF_CT]) && !isnan(a[MC_RF_CT_MAX]) && a[MC_RF_CT_MAX] > 0 &&
	    a[MC_RF_CT] + a[MC_RF_CT_MAX] / 100 >= a[MC_RF_CT_MAX])
		SAY(MC_LIMIT_CONNTRACK, "connection tracking table on the server host",
		    "the server host's conntrack table is full (%.0f of nf_conntrack_max %.0f): "
		    "new SYNs are dropped there, the client sees ETIMEDOUT x %" PRIu64,
		    a[MC_RF_CT], a[MC_RF_CT_MAX], fail[MC_CAUSE_TIMEDOUT]);
	if (!isnan(a[MC_RF_FD_ALLOC]) && !isnan(a[MC_RF_FD_MAX]) && a[MC_RF_FD_MAX] > 0 &&
	    a[MC_RF_FD_ALLOC] >= a[MC_RF_FD_MAX])
		SAY(MC_LIMIT_FD_SYSTEM, "open files system-wide on the server host (fs.file-max)",
		    "the server host has %.0f files open of fs.file-max %.0f", a[MC_RF_FD_ALLOC],
		    a[MC_RF_FD_MAX]);
	if (!isnan(h->mem_available) && !isnan(h->reserve) && h->mem_available <= h->reserve) {
		char b1[32], b2[32];
		SAY(MC_LIMIT_MEMORY, "memory on the server host",
		    "the server host's MemAvailable fell to %s, within the reserve of %s",
		    mc_fmt_bytes(mc_fmt_u64(h->mem_available), b1, sizeof(b1)),
		    mc_fmt_bytes(mc_fmt_u64(h->reserve), b2, sizeof(b2)));
	}
	if (ended && rose(before, after, MC_RF_OVERFLOWS, &by))
		SAY(MC_LIMIT_ACCEPTQ, "accept queue on the server host (listen backlog, somaxconn)",
		    "%.0f ListenOverflows on the server host: it does not accept as fast as "
		    "connections arrive; the client saw ETIMEDOUT x %" PRIu64 " and %" PRIu64
		    " lost",
		    by, fail[MC_CAUSE_TIMEDOUT], mc_cause_sum(lost));
#undef SAY
	return false;
}

void mc_probe_server_host_evidence(const struct mc_probe_remote *before,
				   const struct mc_probe_remote *after,
				   const struct mc_probe_server_host *h, mc_probe_evidence_fn fn,
				   void *arg)
{
	static const struct {
		enum mc_probe_rf f;
		const char *what, *text;
	} deltas[] = {
		{MC_RF_REF_FD, "server host: refused fd_limit",
		 "the maxconn server accepted and closed them at its fd limit"},
		{MC_RF_REF_THREADS, "server host: refused threads", "no thread for them"},
		{MC_RF_REF_WATCHES, "server host: refused epoll_watches",
		 "fs.epoll.max_user_watches used up"},
		{MC_RF_REF_MEM, "server host: refused memory", "ENOMEM/ENOBUFS there"},
		{MC_RF_OVERFLOWS, "server host: ListenOverflows",
		 "accept queue full there (TcpExt ListenOverflows, grown during the step)"},
		{MC_RF_DROPS, "server host: ListenDrops",
		 "SYNs and ACKs dropped at its listeners (grown during the step)"},
	};
	const double *a = after->v;
	char text[240], b1[32];
	double by;

	if (!isnan(h->sockets)) {
		snprintf(text, sizeof(text),
			 "TCP sockets in use there (sockstat inuse, %s), %.0f before the step",
			 h->source, h->sockets_before);
		fn(arg, "server host: TCP sockets", mc_fmt_u64(h->sockets), text);
	}
	for (size_t i = 0; i < sizeof(deltas) / sizeof(deltas[0]); i++)
		if (rose(before, after, deltas[i].f, &by))
			fn(arg, deltas[i].what, mc_fmt_u64(by), deltas[i].text);
	if (!isnan(a[MC_RF_CT]) && !isnan(a[MC_RF_CT_MAX])) {
		snprintf(text, sizeof(text), "of nf_conntrack_max %.0f there", a[MC_RF_CT_MAX]);
		fn(arg, "server host: conntrack entries", mc_fmt_u64(a[MC_RF_CT]), text);
	}
	if (!isnan(a[MC_RF_FD_ALLOC]) && !isnan(a[MC_RF_FD_MAX])) {
		snprintf(text, sizeof(text), "files open there, of fs.file-max %.0f",
			 a[MC_RF_FD_MAX]);
		fn(arg, "server host: open files", mc_fmt_u64(a[MC_RF_FD_ALLOC]), text);
	}
	if (!isnan(h->mem_available)) {
		snprintf(text, sizeof(text), "MemAvailable there; its reserve would be %s",
			 isnan(h->reserve) ? "unknown"
					   : mc_fmt_bytes(mc_fmt_u64(h->reserve), b1, sizeof(b1)));
		fn(arg, "server host: MemAvailable", mc_fmt_u64(h->mem_available), text);
	}
}
