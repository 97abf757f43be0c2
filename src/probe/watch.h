/* watch.h: what the probe reads from the host while it ramps: slab caches,
 * memory, the TCP counters, sockstat, conntrack, the drops of the measured
 * server's listeners, a process's RSS (the kernel log: kmsg.h). The host files are read by host/host.h's one
 * reader each (their figures keep its names here); this gathers them into one sample. */
#ifndef MC_PROBE_WATCH_H
#define MC_PROBE_WATCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/addr.h"
#include "host/host.h"
#include "net/diag.h"
#include "net/nat.h"

struct mc_watch {
	/* the slab caches in bytes (host/host.h's one reduction of slabinfo);
	 * slab.err: the read's -errno (root only), -ENOENT when it lists no
	 * socket cache, -ENODATA when not read (with_slab false) */
	struct mc_host_slab_bytes slab;
	/* the host files, host/host.h's one reader each: a file's err is the
	 * -errno of its read (ENFILE at the system's file limit, ...), its
	 * figures are then 0 and must be shown as unreadable, not as 0 */
	struct mc_host_meminfo meminfo;	  /* bytes, host-wide */
	struct mc_host_netstat netstat;	  /* TcpExt, this network namespace */
	struct mc_host_sockstat sockstat; /* inuse/orphan/tw/alloc: this
					   * namespace; mem: pages, host-wide */
	/* nf_conntrack_count / _max; ct_err != 0 when conntrack is not loaded */
	uint64_t ct_count, ct_max;
	int ct_err;
	/* the listeners the measured server's connections go to, read by
	 * sock_diag (mc_watch_listen_read): their own drops, apart from the
	 * other listeners of the namespace that netstat's counters sum.
	 * listen_err: 0 read; -ENOENT none of this namespace's listeners takes
	 * them (the server is on another host); -ENODATA not read; or the
	 * read's -errno */
	struct mc_diag_listen listen;
	int listen_err;
	/* conntrack -S, this namespace's and a NAT router's on the path
	 * (mc_watch_path_read; err -ENODATA: not read) */
	struct mc_ct_stat ct_stat, router_ct;
	/* a reverse proxy's error log (--proxy-log): its size when read, and
	 * since the step began the lines saying it had no port toward its
	 * upstream, the first quoted; plog_err -ENODATA: not read */
	uint64_t plog_size, plog_noport;
	char plog_line[200];
	int plog_err;
};

/* Read all of the above; /proc/slabinfo only when with_slab (it walks
 * every cache under a lock: too slow to read ten times a second while
 * the kernel allocates a hundred thousand sockets a second). Never fails:
 * missing parts keep 0 (slab.err, ct_err say why). */
void mc_watch_read(struct mc_watch *w, bool with_slab);
/* conntrack's statistics here and, when router (--router-netns) is set, in
 * the router's network namespace. */
void mc_watch_path_read(struct mc_watch *w, const char *router);
/* The proxy's error log at path from byte from (the step's start: the
 * size read then) to its end; from UINT64_MAX: only its size. */
void mc_watch_proxy_log(struct mc_watch *w, const char *path, uint64_t from);

/* Read w->listen: the listeners of this namespace that take the
 * connections toward dst[0..ndst) (the measured server's). Never fails:
 * w->listen_err says why when they could not be read. */
void mc_watch_listen_read(struct mc_watch *w, const struct mc_endpoint_range *dst, size_t ndst);

/* A process's resident bytes, or 0 when it cannot be read. */
uint64_t mc_watch_rss(int pid);
/* The socket fds of a process over all its fd tables (a thread that called
 * unshare(CLONE_FILES) has its own: /proc/PID/task/TID/fd, each table once),
 * or -errno when they cannot be read. */
int64_t mc_watch_sockets(int pid);
/* A process's name (comm), "" when it cannot be read. */
void mc_watch_comm(int pid, char *buf, size_t len);

#endif
