/* host.c: the families every endpoint serves: build and run info, and the
 * host's sockets and memory (see host.h). */
#include "metrics/host.h"

#include <stddef.h>

#include "host/host.h"
#include "metrics/names.h"

void mc_metrics_host_read(const char *root, struct mc_metrics_host *h)
{
	struct mc_host_sockstat so;
	struct mc_host_netstat n;
	struct mc_host_meminfo m;

	*h = (struct mc_metrics_host){0};
	mc_host_sockstat_read(root, &so);
	h->sockstat_known = !so.tcp_inuse.err && !so.tcp_tw.err && !so.tcp_orphan.err;
	h->tcp_inuse = so.tcp_inuse.v;
	h->tcp_tw = so.tcp_tw.v;
	h->tcp_orphan = so.tcp_orphan.v;
	mc_host_netstat_read(root, &n);
	h->netstat_known = !n.listen_overflows.err && !n.listen_drops.err;
	h->listen_overflows = n.listen_overflows.v;
	h->listen_drops = n.listen_drops.v;
	mc_host_meminfo_read(root, &m);
	h->meminfo_known = !m.mem_total.err && !m.mem_available.err && !m.slab_total.err;
	h->mem_total = m.mem_total.v;
	h->mem_available = m.mem_available.v;
	h->kernel_bytes = m.slab_total.v + m.kernel_stack.v + m.page_tables.v;
}

/* The host's families: each a value of struct mc_metrics_host, written when
 * the file it comes from was read. */
static const struct {
	const char *name, *type, *help;
	size_t off;  /* of the value in struct mc_metrics_host */
	size_t known; /* of the bool that says it was read */
} fam[] = {
#define F(name, type, field, known, help)                                                          \
{name, type, help, offsetof(struct mc_metrics_host, field),                                \
 offsetof(struct mc_metrics_host, known)}
	F(MC_FAM_HOST_TCP_INUSE, "gauge", tcp_inuse, sockstat_known,
	  "TCP sockets in use in this network namespace, both ends and listeners "
	  "(/proc/net/sockstat TCP inuse)"),
	F(MC_FAM_HOST_TCP_TW, "gauge", tcp_tw, sockstat_known,
	  "TCP sockets in TIME_WAIT in this network namespace (sockstat tw)"),
	F(MC_FAM_HOST_LISTEN_OVERFLOWS, "counter", listen_overflows, netstat_known,
	  "connections dropped because a listen socket's accept queue was full, this "
	  "network namespace (/proc/net/netstat ListenOverflows)"),
	F(MC_FAM_HOST_LISTEN_DROPS, "counter", listen_drops, netstat_known,
	  "SYNs and ACKs dropped at listen sockets, overflows included, this network "
	  "namespace (/proc/net/netstat ListenDrops)"),
	F(MC_FAM_HOST_MEM_TOTAL, "gauge", mem_total, meminfo_known,
	  "MemTotal of /proc/meminfo"),
	F(MC_FAM_HOST_MEM_AVAILABLE, "gauge", mem_available, meminfo_known,
	  "MemAvailable of /proc/meminfo (it counts the dentries and inodes of open "
	  "sockets as reclaimable, which they are not)"),
	F(MC_FAM_HOST_KERNEL_MEM, "gauge", kernel_bytes, meminfo_known,
	  "Slab + KernelStack + PageTables of /proc/meminfo: where sockets live (about "
	  "4 KB each)"),
#undef F
};

void mc_metrics_host_write(struct mc_prom *p, const struct mc_metrics_info *info,
			   const struct mc_metrics_host *h)
{
	mc_prom_family(p, MC_FAM_BUILD_INFO, "gauge", "maxconn's version; always 1");
	mc_prom_sample(p, MC_FAM_BUILD_INFO, MC_PROM_LABELS("version", info->version), 1);
	mc_prom_family(p, "maxconn_run_info", "gauge",
		       "what this process runs: role (server, client, probe), the server's "
		       "model, the client's shard (K/M); always 1");
	mc_prom_sample(p, "maxconn_run_info",
		       MC_PROM_LABELS("version", info->version, "role", info->role, "model",
				      info->model, "shard", info->shard && *info->shard ? info->shard : NULL),
		       1);
	for (size_t i = 0; i < sizeof(fam) / sizeof(fam[0]); i++) {
		const char *base = (const char *)h;
		if (!*(const bool *)(base + fam[i].known))
			continue; /* unknown: left out, not 0 */
		mc_prom_family(p, fam[i].name, fam[i].type, fam[i].help);
		mc_prom_sample(p, fam[i].name, NULL,
			       (double)*(const uint64_t *)(base + fam[i].off));
	}
}
