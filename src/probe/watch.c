/* watch.c: read the host while the probe ramps (see watch.h). */
#include "probe/watch.h"

#include <dirent.h>
#include <errno.h>
#include <sys/stat.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/kcmp.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "common/procfs.h"
#include "host/host.h"

/* Does b list one of the caches a socket lives in? */
static bool socket_cache_listed(const struct mc_host_slab_bytes *b)
{
	static const enum mc_host_slab_id socket_caches[] = {
	    MC_HOST_SLAB_TCP,  MC_HOST_SLAB_TCPV6,     MC_HOST_SLAB_SOCK_INODE, MC_HOST_SLAB_DENTRY,
	    MC_HOST_SLAB_FILP, MC_HOST_SLAB_EPOLL_EPI, MC_HOST_SLAB_EPOLL_PWQ,
	};

	for (size_t i = 0; i < sizeof(socket_caches) / sizeof(socket_caches[0]); i++)
		if (b->listed[socket_caches[i]])
			return true;
	return false;
}

void mc_watch_read(struct mc_watch *w, bool with_slab)
{
	long ps = sysconf(_SC_PAGESIZE);

	memset(w, 0, sizeof(*w));
	if (with_slab) {
		if (!mc_host_slab_bytes_read(NULL, ps > 0 ? (uint64_t)ps : 4096, &w->slab) &&
		    !socket_cache_listed(&w->slab))
			w->slab.err = -ENOENT;
	} else {
		w->slab.err = -ENODATA;
	}
	mc_host_meminfo_read(NULL, &w->meminfo);
	mc_host_netstat_read(NULL, &w->netstat);
	mc_host_sockstat_read(NULL, &w->sockstat);
	w->ct_err = mc_proc_read_u64(NULL, MC_HOST_P_CT_COUNT, &w->ct_count);
	if (!w->ct_err)
		w->ct_err = mc_proc_read_u64(NULL, MC_HOST_P_CT_MAX, &w->ct_max);
	w->listen_err = -ENODATA;
	w->ct_stat.err = w->router_ct.err = -ENODATA;
	w->plog_err = -ENODATA;
}

void mc_watch_proxy_log(struct mc_watch *w, const char *path, uint64_t from)
{
	struct stat sb;

	if (!path)
		return;
	if (from != UINT64_MAX) {
		w->plog_err = mc_nat_proxy_log_read(path, from, &w->plog_noport, w->plog_line,
						    sizeof(w->plog_line), &w->plog_size);
		return;
	}
	w->plog_err = stat(path, &sb) == 0 ? 0 : -errno;
	w->plog_size = w->plog_err ? 0 : (uint64_t)sb.st_size;
}

void mc_watch_path_read(struct mc_watch *w, const char *router)
{
	mc_ct_stat_read(NULL, &w->ct_stat);
	if (router && *router)
		mc_ct_stat_read(router, &w->router_ct);
}

void mc_watch_listen_read(struct mc_watch *w, const struct mc_endpoint_range *dst, size_t ndst)
{
	w->listen_err = mc_diag_listen_read(dst, ndst, &w->listen);
	if (!w->listen_err && !w->listen.listeners)
		w->listen_err = -ENOENT;
}

uint64_t mc_watch_rss(int pid)
{
	char path[64], buf[4096];
	uint64_t v = 0;

	snprintf(path, sizeof(path), "/proc/%d/status", pid);
	if (mc_proc_read(NULL, path, buf, sizeof(buf)) > 0)
		mc_proc_kb_field(buf, "VmRSS", &v);
	return v;
}

/* The socket fds of one fd table: /proc/PID/task/TID/fd. */
static int64_t table_sockets(int pid, int tid)
{
	char path[96], name[48];
	struct dirent *d;
	int64_t n = 0;
	DIR *dir;

	snprintf(path, sizeof(path), "/proc/%d/task/%d/fd", pid, tid);
	if (!(dir = opendir(path)))
		return -errno;
	while ((d = readdir(dir))) {
		ssize_t l;
		if (d->d_name[0] == '.')
			continue;
		l = readlinkat(dirfd(dir), d->d_name, name, sizeof(name) - 1);
		if (l > 7 && memcmp(name, "socket:", 7) == 0)
			n++;
	}
	closedir(dir);
	return n;
}

#define MAX_TABLES 4096

int64_t mc_watch_sockets(int pid)
{
	char path[64];
	int *tables = malloc(MAX_TABLES * sizeof(*tables)), ntables = 0;
	struct dirent *d;
	int64_t n = 0;
	DIR *dir;

	snprintf(path, sizeof(path), "/proc/%d/task", pid);
	if (!tables || !(dir = opendir(path))) {
		free(tables);
		return table_sockets(pid, pid);
	}
	/* a maxconn server's workers each own an fd table (unshare(CLONE_FILES)),
	 * which /proc/PID/fd alone does not show: each table counted once, the
	 * tasks that share one found with kcmp(KCMP_FILES) */
	while ((d = readdir(dir))) {
		int tid = atoi(d->d_name), same = 0;
		int64_t k;
		if (tid <= 0)
			continue;
		for (int i = ntables - 1; i >= 0 && !same; i--) {
			long rc = syscall(SYS_kcmp, tid, tables[i], KCMP_FILES, 0, 0);
			if (rc < 0) { /* no kcmp here: the process's own table only */
				closedir(dir);
				free(tables);
				return table_sockets(pid, pid);
			}
			same = rc == 0;
		}
		if (same || ntables == MAX_TABLES)
			continue;
		tables[ntables++] = tid;
		if ((k = table_sockets(pid, tid)) < 0 && ntables == 1) {
			closedir(dir); /* another user's process: not readable */
			free(tables);
			return k;
		}
		if (k > 0)
			n += k;
	}
	closedir(dir);
	free(tables);
	return ntables ? n : table_sockets(pid, pid);
}

void mc_watch_comm(int pid, char *buf, size_t len)
{
	char path[64];
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/%d/comm", pid);
	n = mc_proc_read(NULL, path, buf, len);
	if (n <= 0) {
		if (len)
			buf[0] = '\0';
		return;
	}
	buf[strcspn(buf, "\n")] = '\0';
}
