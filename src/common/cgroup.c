/* cgroup.c: where a process's memory and pids cgroups are, v1 or v2, and
 * what they hold (see cgroup.h). All reads go through common/procfs.h
 * under a root. */
#include "common/cgroup.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/procfs.h"

/* Is tok one of the comma-separated words of list? */
static bool has_word(const char *list, size_t len, const char *tok)
{
	size_t n = strlen(tok);

	for (const char *p = list, *end = list + len; p < end;) {
		const char *c = memchr(p, ',', (size_t)(end - p));
		size_t w = c ? (size_t)(c - p) : (size_t)(end - p);
		if (w == n && strncmp(p, tok, n) == 0)
			return true;
		if (!c)
			break;
		p = c + 1;
	}
	return false;
}

int mc_cg_parse_path(const char *txt, const char *ctrl, char *path, size_t len)
{
	char v2[PATH_MAX] = "";
	bool have_v2 = false;

	for (const char *line = txt; line && *line;) {
		const char *nl = strchr(line, '\n');
		size_t ll = nl ? (size_t)(nl - line) : strlen(line);
		const char *c1 = memchr(line, ':', ll);
		const char *c2 = c1 ? memchr(c1 + 1, ':', ll - (size_t)(c1 + 1 - line)) : NULL;

		if (c2) {
			size_t plen = ll - (size_t)(c2 + 1 - line);
			if (c2 == c1 + 1) {
				snprintf(v2, sizeof(v2), "%.*s", (int)plen, c2 + 1);
				have_v2 = true;
			} else if (has_word(c1 + 1, (size_t)(c2 - c1 - 1), ctrl)) {
				snprintf(path, len, "%.*s", (int)plen, c2 + 1);
				return 1;
			}
		}
		line = nl ? nl + 1 : NULL;
	}
	if (!have_v2)
		return -ENOENT;
	snprintf(path, len, "%s", v2);
	return 2;
}

int mc_cg_parse_mount(const char *txt, const char *ctrl, char *mnt, size_t mlen, char *croot,
		      size_t rlen)
{
	for (const char *line = txt; line && *line;) {
		const char *nl = strchr(line, '\n');
		char l[1024], *f[6], *sep, *sv;
		int n = 0;

		snprintf(l, sizeof(l), "%.*s", (int)(nl ? (size_t)(nl - line) : strlen(line)), line);
		line = nl ? nl + 1 : NULL;
		sep = strstr(l, " - ");
		if (!sep)
			continue;
		*sep = '\0';
		for (char *t = strtok_r(l, " ", &sv); t && n < 6; t = strtok_r(NULL, " ", &sv))
			f[n++] = t;
		if (n < 5)
			continue;
		{
			char *fstype = strtok_r(sep + 3, " ", &sv), *src, *opts;
			src = fstype ? strtok_r(NULL, " ", &sv) : NULL;
			opts = src ? strtok_r(NULL, " ", &sv) : NULL;
			if (!fstype)
				continue;
			if (ctrl ? strcmp(fstype, "cgroup") != 0 || !opts ||
				       !has_word(opts, strlen(opts), ctrl)
				 : strcmp(fstype, "cgroup2") != 0)
				continue;
		}
		snprintf(mnt, mlen, "%s", f[4]);
		snprintf(croot, rlen, "%s", f[3]);
		return 0;
	}
	return -ENOENT;
}

static bool exists(const char *root, const char *path)
{
	char full[PATH_MAX + 256];

	snprintf(full, sizeof(full), "%s%s", root ? root : "", path);
	return access(full, F_OK) == 0;
}

static const char *const ctrl_names[] = {
	[MC_CG_MEMORY] = "memory",
	[MC_CG_PIDS] = "pids",
	[MC_CG_CPU] = "cpu",
};

/* The mount point of the hierarchy, from mountinfo or else where Debian and
 * systemd put it. */
static void find_mount(const char *root, const char *ctrl, char *mnt, size_t mlen, char *croot,
		       size_t rlen)
{
	char *buf = malloc(1 << 16);

	if (buf && mc_proc_read(root, "/proc/self/mountinfo", buf, 1 << 16) > 0 &&
	    mc_cg_parse_mount(buf, ctrl, mnt, mlen, croot, rlen) == 0) {
		free(buf);
		return;
	}
	free(buf);
	snprintf(croot, rlen, "/");
	if (ctrl)
		snprintf(mnt, mlen, MC_CG_FS "/%s", ctrl);
	else if (exists(root, MC_CG_FS "/cgroup.controllers"))
		snprintf(mnt, mlen, MC_CG_FS);
	else
		snprintf(mnt, mlen, MC_CG_FS "/unified");
}

void mc_cg_locate(const char *root, int pid, enum mc_cg_ctrl c, struct mc_cg *cg)
{
	char buf[4096], path[PATH_MAX], mnt[PATH_MAX], croot[PATH_MAX], f[64];
	const char *rel;
	size_t rl;
	ssize_t r;

	memset(cg, 0, sizeof(*cg));
	if (pid > 0)
		snprintf(f, sizeof(f), "/proc/%d/cgroup", pid);
	else
		snprintf(f, sizeof(f), "/proc/self/cgroup");
	r = mc_proc_read(root, f, buf, sizeof(buf));
	if (r < 0) {
		cg->err = (int)r;
		return;
	}
	cg->version = mc_cg_parse_path(buf, ctrl_names[c], path, sizeof(path));
	if (cg->version < 0) {
		cg->version = 0;
		return;
	}
	find_mount(root, cg->version == 1 ? ctrl_names[c] : NULL, mnt, sizeof(mnt), croot,
		   sizeof(croot));
	/* the path as the mount shows it: less the cgroup its root is */
	rl = strcmp(croot, "/") == 0 ? 0 : strlen(croot);
	rel = strncmp(path, croot, rl) == 0 ? path + rl : "";
	if ((size_t)snprintf(cg->dir, sizeof(cg->dir), "%s%s", mnt,
			     strcmp(rel, "/") == 0 ? "" : rel) >= sizeof(cg->dir)) {
		cg->err = -ENAMETOOLONG;
		return;
	}
	cg->top = strlen(mnt);
	/* a cgroup namespace or a partial mount may hide the path: the mount */
	if (!exists(root, cg->dir))
		cg->dir[cg->top] = '\0';
	snprintf(path, sizeof(path), "%s/cgroup.procs", cg->dir);
	if (!exists(root, path))
		cg->err = -ENOENT; /* not mounted: unknown, not "no limit" */
}

/* Cut the last component of dir; false at the mount point. */
static bool up(char *dir, size_t top)
{
	char *slash = strrchr(dir, '/');

	if (strlen(dir) <= top || !slash || (size_t)(slash - dir) < top)
		return false;
	*slash = '\0';
	return true;
}

int mc_cg_read_value(const char *root, const char *path, uint64_t *v)
{
	char buf[64];
	unsigned long long x;
	ssize_t r = mc_proc_read(root, path, buf, sizeof(buf));

	if (r < 0)
		return (int)r;
	if (strncmp(buf, "max", 3) == 0) {
		*v = MC_CG_NONE;
		return 0;
	}
	if (sscanf(buf, "%llu", &x) != 1)
		return -EINVAL;
	*v = x >= (1ULL << 62) ? MC_CG_NONE : (uint64_t)x;
	return 0;
}

static int value_in(const char *root, const char *dir, const char *name, uint64_t *v)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	return mc_cg_read_value(root, path, v);
}

/* "key N" in a flat keyed file (memory.stat, memory.events, pids.events,
 * memory.oom_control); 0 or -ENOENT. */
static int keyed(const char *buf, const char *key, uint64_t *v)
{
	size_t n = strlen(key);

	for (const char *p = buf; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL)
		if (strncmp(p, key, n) == 0 && p[n] == ' ') {
			*v = strtoull(p + n + 1, NULL, 10);
			return 0;
		}
	return -ENOENT;
}

static int keyed_file(const char *root, const char *dir, const char *name, char *buf, size_t len)
{
	char path[PATH_MAX];
	ssize_t r;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	r = mc_proc_read(root, path, buf, len);
	return r < 0 ? (int)r : 0;
}

/* The limit of one level: memory.max or memory.high (the lower), or v1's
 * limit_in_bytes. -ENOENT where the level has none (the v2 root). */
static int level_limit(const char *root, const char *dir, int version, uint64_t *lim, bool *high)
{
	uint64_t h = MC_CG_NONE;
	int rc;

	*high = false;
	if (version == 1)
		return value_in(root, dir, "memory.limit_in_bytes", lim);
	if ((rc = value_in(root, dir, "memory.max", lim)) < 0)
		return rc;
	if (value_in(root, dir, "memory.high", &h) == 0 && h < *lim) {
		*lim = h;
		*high = true;
	}
	return 0;
}

int mc_cg_mem_usage(const char *root, int version, struct mc_cg_mem *m)
{
	m->use_err = value_in(root, m->at,
			      version == 1 ? "memory.usage_in_bytes" : "memory.current", &m->usage);
	return m->use_err;
}

int mc_cg_mem_sample(const char *root, int version, struct mc_cg_mem *m)
{
	char buf[8192];

	mc_cg_mem_usage(root, version, m);
	m->inactive_file = 0;
	if (keyed_file(root, m->at, "memory.stat", buf, sizeof(buf)) == 0 &&
	    keyed(buf, version == 1 ? "total_inactive_file" : "inactive_file", &m->inactive_file) <
		0)
		keyed(buf, "inactive_file", &m->inactive_file);
	m->ev_max = m->ev_oom = m->ev_oom_kill = m->ev_high = 0;
	if (version == 1) {
		m->ev_err = value_in(root, m->at, "memory.failcnt", &m->ev_max);
		if (keyed_file(root, m->at, "memory.oom_control", buf, sizeof(buf)) == 0)
			keyed(buf, "oom_kill", &m->ev_oom_kill);
	} else {
		m->ev_err = keyed_file(root, m->at, "memory.events", buf, sizeof(buf));
		if (!m->ev_err) {
			keyed(buf, "max", &m->ev_max);
			keyed(buf, "oom", &m->ev_oom);
			keyed(buf, "oom_kill", &m->ev_oom_kill);
			keyed(buf, "high", &m->ev_high);
		}
	}
	return m->use_err;
}

uint64_t mc_cg_mem_room(const struct mc_cg_mem *m)
{
	uint64_t room;

	if (m->limit == MC_CG_NONE)
		return MC_CG_NONE;
	if (m->use_err)
		return 0;
	room = (m->usage < m->limit ? m->limit - m->usage : 0) + m->inactive_file;
	return room < m->limit ? room : m->limit;
}

void mc_cg_mem_read(const char *root, const struct mc_cg *cg, struct mc_cg_mem *m)
{
	char dir[sizeof(cg->dir)];
	uint64_t best = MC_CG_NONE;

	memset(m, 0, sizeof(*m));
	m->limit = MC_CG_NONE;
	if (cg->err || !cg->version) {
		m->err = cg->err;
		return;
	}
	snprintf(dir, sizeof(dir), "%s", cg->dir);
	do {
		struct mc_cg_mem lv = {.limit = MC_CG_NONE};
		uint64_t room;
		int rc = level_limit(root, dir, cg->version, &lv.limit, &lv.high);

		if (rc == -ENOENT)
			continue; /* the v2 root has no memory.max */
		if (rc < 0) {
			m->err = rc;
			return;
		}
		if (lv.limit == MC_CG_NONE)
			continue;
		snprintf(lv.at, sizeof(lv.at), "%s", dir);
		mc_cg_mem_sample(root, cg->version, &lv);
		room = lv.use_err ? lv.limit : mc_cg_mem_room(&lv);
		if (m->limit == MC_CG_NONE || room < best || (room == best && lv.limit < m->limit)) {
			*m = lv;
			best = room;
		}
	} while (up(dir, cg->top));
}

int mc_cg_pids_sample(const char *root, struct mc_cg_pids *p)
{
	char buf[512];

	p->cur_err = value_in(root, p->at, "pids.current", &p->current);
	p->ev_max = 0;
	p->ev_err = keyed_file(root, p->at, "pids.events", buf, sizeof(buf));
	if (!p->ev_err)
		keyed(buf, "max", &p->ev_max);
	return p->cur_err;
}

void mc_cg_pids_read(const char *root, const struct mc_cg *cg, struct mc_cg_pids *p)
{
	char dir[sizeof(cg->dir)];
	uint64_t best = MC_CG_NONE;

	memset(p, 0, sizeof(*p));
	p->max = MC_CG_NONE;
	if (cg->err || !cg->version) {
		p->err = cg->err;
		return;
	}
	snprintf(dir, sizeof(dir), "%s", cg->dir);
	do {
		struct mc_cg_pids lv = {0};
		uint64_t room;
		int rc = value_in(root, dir, "pids.max", &lv.max);

		if (rc == -ENOENT || (rc == 0 && lv.max == MC_CG_NONE))
			continue;
		if (rc < 0) {
			p->err = rc;
			return;
		}
		snprintf(lv.at, sizeof(lv.at), "%s", dir);
		mc_cg_pids_sample(root, &lv);
		room = lv.cur_err ? lv.max : lv.max - (lv.current < lv.max ? lv.current : lv.max);
		if (p->max == MC_CG_NONE || room < best) {
			*p = lv;
			best = room;
		}
	} while (up(dir, cg->top));
}

int mc_cg_sub_make(const char *dir, const char *name, char *out, size_t len)
{
	if ((size_t)snprintf(out, len, "%s/%s", dir, name) >= len)
		return -ENAMETOOLONG;
	if (mkdir(out, 0755) < 0 && errno != EEXIST)
		return -errno;
	return 0;
}

int mc_cg_join(const char *dir)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/cgroup.procs", dir);
	return mc_proc_write(NULL, path, "0"); /* 0: the writer itself */
}

int mc_cg_sub_remove(const char *dir)
{
	return rmdir(dir) < 0 ? -errno : 0;
}
