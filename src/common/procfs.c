/* procfs.c: small /proc and /sys file reads under a root, and the pure
 * parsers of what they hold: meminfo/status fields, netstat counters, the
 * sockstat TCP line, one process's CPU time, threads, memory and context
 * switches (see procfs.h). */
#include "common/procfs.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int open_under(const char *root, const char *path, int flags)
{
	char full[PATH_MAX];
	int fd;

	snprintf(full, sizeof(full), "%s%s", root ? root : "", path);
	do
		fd = open(full, flags | O_CLOEXEC);
	while (fd == -1 && errno == EINTR);
	return fd == -1 ? -errno : fd;
}

ssize_t mc_proc_read(const char *root, const char *path, char *buf, size_t len)
{
	size_t got = 0;
	int fd = open_under(root, path, O_RDONLY);

	if (fd < 0)
		return fd;
	while (got + 1 < len) {
		ssize_t n = read(fd, buf + got, len - 1 - got);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1) {
			int e = errno;
			close(fd);
			return -e;
		}
		if (n == 0)
			break;
		got += (size_t)n;
	}
	buf[got] = '\0';
	close(fd);
	return (ssize_t)got;
}

int mc_proc_count_lines(const char *root, const char *path, uint64_t *n)
{
	char buf[8192];
	int fd = open_under(root, path, O_RDONLY);
	ssize_t r;

	if (fd < 0)
		return fd;
	*n = 0;
	while ((r = read(fd, buf, sizeof(buf))) != 0) {
		if (r < 0) {
			int e = errno;
			if (e == EINTR)
				continue;
			close(fd);
			return -e;
		}
		for (ssize_t i = 0; i < r; i++)
			*n += buf[i] == '\n';
	}
	close(fd);
	return 0;
}

int mc_proc_read_u64s(const char *root, const char *path, uint64_t *v, int n)
{
	char buf[256], *p, *end;
	ssize_t r = mc_proc_read(root, path, buf, sizeof(buf));

	if (r < 0)
		return (int)r;
	p = buf;
	for (int i = 0; i < n; i++) {
		while (*p == ' ' || *p == '\t')
			p++;
		if (*p < '0' || *p > '9')
			return -EINVAL;
		errno = 0;
		v[i] = strtoull(p, &end, 10);
		if (errno)
			return -errno;
		p = end;
	}
	return 0;
}

int mc_proc_read_u64(const char *root, const char *path, uint64_t *v)
{
	return mc_proc_read_u64s(root, path, v, 1);
}

int mc_proc_write(const char *root, const char *path, const char *val)
{
	int fd = open_under(root, path, O_WRONLY);
	size_t len = strlen(val);
	ssize_t n;

	if (fd < 0)
		return fd;
	do
		n = write(fd, val, len);
	while (n == -1 && errno == EINTR);
	if (n == -1) {
		int e = errno;
		close(fd);
		return -e;
	}
	close(fd);
	return n == (ssize_t)len ? 0 : -EIO;
}

int mc_self_rss(uint64_t *bytes)
{
	uint64_t v[2];
	int rc = mc_proc_read_u64s(NULL, "/proc/self/statm", v, 2);

	if (rc < 0)
		return rc;
	*bytes = v[1] * (uint64_t)sysconf(_SC_PAGESIZE);
	return 0;
}

/* Find a line that starts with key (at the start of buf or after '\n'). */
static const char *line_with(const char *buf, const char *key)
{
	size_t n = strlen(key);

	for (const char *p = buf; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL)
		if (strncmp(p, key, n) == 0)
			return p;
	return NULL;
}

int mc_proc_status_field(const char *buf, const char *key, uint64_t *v)
{
	char k[64];
	unsigned long long x;
	const char *p;

	snprintf(k, sizeof(k), "%s:", key);
	p = line_with(buf, k);
	if (!p)
		return -ENOENT;
	if (sscanf(p + strlen(k), "%llu", &x) != 1)
		return -EINVAL;
	*v = x;
	return 0;
}

int mc_proc_kb_field(const char *buf, const char *key, uint64_t *bytes)
{
	uint64_t kb;
	int rc = mc_proc_status_field(buf, key, &kb);

	if (rc == 0)
		*bytes = kb * 1024;
	return rc;
}

int mc_proc_stat_cpu(const char *buf, uint64_t *ticks)
{
	const char *p = strrchr(buf, ')');
	uint64_t v[2];

	if (!p)
		return -EINVAL;
	p++;
	/* after "pid (comm)": state is field 3 ... utime 14, stime 15 */
	for (int field = 3; field < 14; field++) {
		p += strspn(p, " ");
		if (!*p || *p == '\n')
			return -EINVAL;
		p += strcspn(p, " \n");
	}
	for (int i = 0; i < 2; i++) {
		char *end;
		p += strspn(p, " ");
		if (*p < '0' || *p > '9')
			return -EINVAL;
		v[i] = strtoull(p, &end, 10);
		p = end;
	}
	*ticks = v[0] + v[1];
	return 0;
}

int mc_proc_status_ctxt(const char *buf, uint64_t *v)
{
	uint64_t vol, nonvol;
	int rc;

	if ((rc = mc_proc_status_field(buf, "voluntary_ctxt_switches", &vol)) < 0 ||
	    (rc = mc_proc_status_field(buf, "nonvoluntary_ctxt_switches", &nonvol)) < 0)
		return rc;
	*v = vol + nonvol;
	return 0;
}

/* The sum of the context switches of pid's live tasks. */
static void read_tasks(const char *root, int pid, struct mc_proc_pid *p)
{
	char path[PATH_MAX], buf[4096];
	struct dirent *de;
	DIR *d;

	snprintf(path, sizeof(path), "%s/proc/%d/task", root ? root : "", pid);
	if (!(d = opendir(path)))
		return;
	while ((de = readdir(d))) {
		uint64_t n;
		if (de->d_name[0] < '0' || de->d_name[0] > '9')
			continue;
		snprintf(path, sizeof(path), "/proc/%d/task/%.16s/status", pid, de->d_name);
		if (mc_proc_read(root, path, buf, sizeof(buf)) > 0 &&
		    mc_proc_status_ctxt(buf, &n) == 0) {
			p->ctxt_switches += n;
			p->tasks_read++;
		}
	}
	closedir(d);
}

int mc_proc_read_pid(const char *root, int pid, struct mc_proc_pid *p)
{
	char path[64], buf[4096];
	ssize_t r;
	int rc;

	memset(p, 0, sizeof(*p));
	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	if ((r = mc_proc_read(root, path, buf, sizeof(buf))) < 0)
		return (int)r;
	if ((rc = mc_proc_stat_cpu(buf, &p->cpu_ticks)) < 0)
		return rc;
	snprintf(path, sizeof(path), "/proc/%d/status", pid);
	if ((r = mc_proc_read(root, path, buf, sizeof(buf))) < 0)
		return (int)r;
	mc_proc_status_field(buf, "Threads", &p->threads);
	mc_proc_kb_field(buf, "VmRSS", &p->rss);
	mc_proc_kb_field(buf, "VmPTE", &p->pte);
	read_tasks(root, pid, p);
	return 0;
}

int mc_proc_netstat(const char *buf, const char *prefix, const char *key, uint64_t *v)
{
	char pre[32];
	const char *names, *vals;
	int col = -1, i = 0;

	snprintf(pre, sizeof(pre), "%s:", prefix);
	names = line_with(buf, pre);
	if (!names)
		return -ENOENT;
	vals = line_with(strchr(names, '\n') ? strchr(names, '\n') + 1 : "", pre);
	if (!vals)
		return -ENOENT;
	/* find the column of key among the names */
	for (const char *p = names + strlen(pre); *p && *p != '\n';) {
		size_t n;
		while (*p == ' ')
			p++;
		n = strcspn(p, " \n");
		if (n == strlen(key) && strncmp(p, key, n) == 0) {
			col = i;
			break;
		}
		i++;
		p += n;
	}
	if (col < 0)
		return -ENOENT;
	vals += strlen(pre);
	for (i = 0; i <= col; i++) {
		char *end;
		unsigned long long x = strtoull(vals, &end, 10);
		if (end == vals)
			return -ENOENT;
		if (i == col) {
			*v = x;
			return 0;
		}
		vals = end;
	}
	return -ENOENT;
}

int mc_proc_sockstat(const char *buf, const char *key, uint64_t *v)
{
	const char *p = line_with(buf, "TCP:"), *e, *q;
	char k[32];

	if (!p)
		return -ENOENT;
	snprintf(k, sizeof(k), " %s ", key);
	e = strchr(p, '\n');
	q = strstr(p, k);
	if (!q || (e && q > e))
		return -ENOENT;
	*v = strtoull(q + strlen(k), NULL, 10);
	return 0;
}
