/* serverside.c: the server host's side of a probe across hosts (see
 * serverside.h). Pure. */
#include "probe/serverside.h"

#include <inttypes.h>
#include <math.h>
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

void mc_probe_remote_init(struct mc_probe_remote *r)
{
	for (int i = 0; i < MC_RF_N; i++)
		r->v[i] = NAN;
	r->node = r->maxconn = false;
	r->publishes = NAN;
}

static bool have(const char *page, const char *name, const char *key, const char *val, double *v)
{
	return mc_prom_sum(page, name, key, val, v) > 0;
}

void mc_probe_remote_parse(const char *page, struct mc_probe_remote *r)
{
	double v, a, b, sum = 0, one = 0;
	int caches = 0;

	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
		if (isnan(r->v[rows[i].f]) &&
		    have(page, rows[i].name, rows[i].cause < MC_CAUSE_COUNT ? MC_LABEL_CAUSE : NULL,
			 mc_cause_server_key(rows[i].cause), &v))
			r->v[rows[i].f] = v;
	if (isnan(r->v[MC_RF_KERNEL]) && have(page, "node_memory_Slab_bytes", NULL, NULL, &v)) {
		r->v[MC_RF_KERNEL] = v;
		if (have(page, "node_memory_KernelStack_bytes", NULL, NULL, &a))
			r->v[MC_RF_KERNEL] += a;
		if (have(page, "node_memory_PageTables_bytes", NULL, NULL, &b))
			r->v[MC_RF_KERNEL] += b;
	}
	for (size_t i = 0; i < sizeof(sock_caches) / sizeof(sock_caches[0]); i++) {
		const char *name = mc_host_slab_name(sock_caches[i].id);
		if (have(page, "node_slabinfo_active_objects", "slab", name, &a) &&
		    have(page, "node_slabinfo_object_size_bytes", "slab", name, &b)) {
			sum += a * b;
			one += sock_caches[i].v4 ? b : 0;
			caches++;
		}
	}
	if (caches && isnan(r->v[MC_RF_SLAB_SOCK])) {
		r->v[MC_RF_SLAB_SOCK] = sum;
		r->v[MC_RF_SOCK_OBJ] = one;
	}
	r->node = r->node || have(page, "node_sockstat_TCP_inuse", NULL, NULL, &v);
	r->maxconn = r->maxconn || have(page, MC_FAM_BUILD_INFO, NULL, NULL, &v);
	if (have(page, MC_FAM_PUBLISHES, NULL, NULL, &v) && !(v <= r->publishes))
		r->publishes = v;
}

static double grew(const struct mc_probe_remote *b, const struct mc_probe_remote *a,
		   enum mc_probe_rf f)
{
	return a->v[f] - b->v[f]; /* NAN when either is unknown */
}

void mc_probe_server_host_figures(const struct mc_probe_remote *before,
				  const struct mc_probe_remote *after,
				  struct mc_probe_server_host *h)
{
	double added = grew(before, after, MC_RF_TCP_INUSE), per = NAN, user;

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
		    mc_fmt_bytes((uint64_t)h->mem_available, b1, sizeof(b1)),
		    mc_fmt_bytes((uint64_t)h->reserve, b2, sizeof(b2)));
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
		fn(arg, "server host: TCP sockets", (uint64_t)h->sockets, text);
	}
	for (size_t i = 0; i < sizeof(deltas) / sizeof(deltas[0]); i++)
		if (rose(before, after, deltas[i].f, &by))
			fn(arg, deltas[i].what, (uint64_t)by, deltas[i].text);
	if (!isnan(a[MC_RF_CT]) && !isnan(a[MC_RF_CT_MAX])) {
		snprintf(text, sizeof(text), "of nf_conntrack_max %.0f there", a[MC_RF_CT_MAX]);
		fn(arg, "server host: conntrack entries", (uint64_t)a[MC_RF_CT], text);
	}
	if (!isnan(a[MC_RF_FD_ALLOC]) && !isnan(a[MC_RF_FD_MAX])) {
		snprintf(text, sizeof(text), "files open there, of fs.file-max %.0f",
			 a[MC_RF_FD_MAX]);
		fn(arg, "server host: open files", (uint64_t)a[MC_RF_FD_ALLOC], text);
	}
	if (!isnan(h->mem_available)) {
		snprintf(text, sizeof(text), "MemAvailable there; its reserve would be %s",
			 isnan(h->reserve) ? "unknown"
					   : mc_fmt_bytes((uint64_t)h->reserve, b1, sizeof(b1)));
		fn(arg, "server host: MemAvailable", (uint64_t)h->mem_available, text);
	}
}
