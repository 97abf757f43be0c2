/* host.c: the families every endpoint serves: build and run info, and the
 * host's sockets and memory (see host.h). */
#include "metrics/host.h"

#include <stdbool.h>
#include <stddef.h>

#include "host/host.h"
#include "metrics/names.h"

void mc_metrics_host_read(const char *root, struct mc_metrics_host *h)
{
	mc_host_sockstat_read(root, &h->sockstat);
	mc_host_netstat_read(root, &h->netstat);
	mc_host_meminfo_read(root, &h->meminfo);
}

/* The host file a family comes from. */
enum source { SOCKSTAT, NETSTAT, MEMINFO };

/* Were the figures the families of file f need read? */
static bool known(const struct mc_metrics_host *h, enum source f)
{
	const struct mc_host_sockstat *so = &h->sockstat;
	const struct mc_host_meminfo *m = &h->meminfo;

	switch (f) {
	case SOCKSTAT:
		return !so->tcp_inuse.err && !so->tcp_tw.err && !so->tcp_orphan.err;
	case NETSTAT:
		return !h->netstat.listen_overflows.err && !h->netstat.listen_drops.err;
	case MEMINFO:
		return !m->mem_total.err && !m->mem_available.err && !m->slab_total.err;
	}
	return false;
}

/* The host's families but the kernel's memory (written after them): each
 * a figure of struct mc_metrics_host, written when its file was read. */
static const struct {
	const char *name, *type, *help;
	size_t off; /* of the figure (struct mc_host_num) in struct mc_metrics_host */
	enum source from;
} fam[] = {
#define F(name, type, figure, from, help)                                                          \
	{name, type, help, offsetof(struct mc_metrics_host, figure), from}
	F(MC_FAM_HOST_TCP_INUSE, "gauge", sockstat.tcp_inuse, SOCKSTAT,
	  "TCP sockets in use in this network namespace, both ends and listeners "
	  "(/proc/net/sockstat TCP inuse)"),
	F(MC_FAM_HOST_TCP_TW, "gauge", sockstat.tcp_tw, SOCKSTAT,
	  "TCP sockets in TIME_WAIT in this network namespace (sockstat tw)"),
	F(MC_FAM_HOST_LISTEN_OVERFLOWS, "counter", netstat.listen_overflows, NETSTAT,
	  "connections dropped because a listen socket's accept queue was full, this "
	  "network namespace (/proc/net/netstat ListenOverflows)"),
	F(MC_FAM_HOST_LISTEN_DROPS, "counter", netstat.listen_drops, NETSTAT,
	  "SYNs and ACKs dropped at listen sockets, overflows included, this network "
	  "namespace (/proc/net/netstat ListenDrops)"),
	F(MC_FAM_HOST_MEM_TOTAL, "gauge", meminfo.mem_total, MEMINFO,
	  "MemTotal of /proc/meminfo"),
	F(MC_FAM_HOST_MEM_AVAILABLE, "gauge", meminfo.mem_available, MEMINFO,
	  "MemAvailable of /proc/meminfo (it counts the dentries and inodes of open "
	  "sockets as reclaimable, which they are not)"),
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
	if (!h) /* no snapshot yet: the info alone */
		return;
	for (size_t i = 0; i < sizeof(fam) / sizeof(fam[0]); i++) {
		const struct mc_host_num *v = (const void *)((const char *)h + fam[i].off);
		if (!known(h, fam[i].from))
			continue; /* unknown: left out, not 0 */
		mc_prom_family(p, fam[i].name, fam[i].type, fam[i].help);
		mc_prom_sample(p, fam[i].name, NULL, (double)v->v);
	}
	if (!known(h, MEMINFO))
		return;
	mc_prom_family(p, MC_FAM_HOST_KERNEL_MEM, "gauge",
		       "Slab + KernelStack + PageTables of /proc/meminfo: where sockets live (about "
		       "4 KB each)");
	mc_prom_sample(p, MC_FAM_HOST_KERNEL_MEM, NULL,
		       (double)mc_host_kernel_bytes(&h->meminfo));
}
