/* cgroup.h: a process's memory and pids cgroups, v1 or v2: where they are
 * (the path from /proc/PID/cgroup, the mount from /proc/self/mountinfo) and
 * what they hold (the tightest limit up the hierarchy, the usage there, and
 * the counters that show a limit was hit: memory.events or memory.failcnt
 * and oom_kill, pids.events). Every file is read under a root directory
 * that tests point at a fake tree (common/procfs.h). The limits model reads
 * it once; the probe samples it while it ramps. The parsers of
 * /proc/PID/cgroup and mountinfo text are pure (unit-tested). */
#ifndef MC_COMMON_CGROUP_H
#define MC_COMMON_CGROUP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* "no limit" (memory.max "max", v1's 9223372036854771712) */
#define MC_CG_NONE UINT64_MAX
#define MC_CG_FS   "/sys/fs/cgroup" /* where the mounts are when mountinfo says nothing */

enum mc_cg_ctrl { MC_CG_MEMORY, MC_CG_PIDS, MC_CG_CPU };

/* Where one controller of a process is. */
struct mc_cg {
	int version; /* 1 or 2; 0: the process is in no cgroup of this controller */
	int err;     /* 0, or -errno: the directory is not there (-ENOENT: not mounted,
		      * or /proc/PID/cgroup unreadable) */
	char dir[256]; /* the process's cgroup directory (a path under the root) */
	size_t top;    /* length of the mount point in dir: walking up stops there */
};

/* Pure: the path of controller ctrl ("memory", "pids", "cpu") in
 * /proc/PID/cgroup text ("4:memory:/a/b", or the v2 line "0::/a/b" when no
 * v1 hierarchy has it) into path. Returns 1 (v1) or 2 (v2), or -ENOENT. */
int mc_cg_parse_path(const char *cgroup_txt, const char *ctrl, char *path, size_t len);
/* Pure: the mount of controller ctrl (v1: fstype cgroup with ctrl among its
 * options) or of cgroup2 (ctrl NULL) in /proc/self/mountinfo text: its
 * mount point and the cgroup path its root shows. 0 or -ENOENT. */
int mc_cg_parse_mount(const char *mountinfo_txt, const char *ctrl, char *mnt, size_t mlen,
		      char *croot, size_t rlen);

/* Find controller c of process pid (0: this process) under root. */
void mc_cg_locate(const char *root, int pid, enum mc_cg_ctrl c, struct mc_cg *cg);

/* The memory cgroup at its tightest: the level from the process's
 * directory up to the mount whose limit (memory.max or memory.high on v2,
 * memory.limit_in_bytes on v1) leaves the least room. */
struct mc_cg_mem {
	int err;	/* reading a limit failed: -errno, nothing below is known */
	uint64_t limit; /* MC_CG_NONE: no level sets one */
	bool high;	/* the limit is memory.high: throttled above it, not killed */
	char at[256];	/* the directory that sets it */
	/* at that level (sampled again by mc_cg_mem_sample) */
	int use_err;
	uint64_t usage;		/* memory.current / memory.usage_in_bytes */
	uint64_t inactive_file; /* page cache the kernel reclaims first */
	int ev_err;		/* the counters below could not be read */
	/* v2 memory.events: max (allocations that hit the limit), oom, oom_kill,
	 * high; v1: memory.failcnt as max, oom_kill from memory.oom_control */
	uint64_t ev_max, ev_oom, ev_oom_kill, ev_high;
};

/* Read the memory cgroup cg (version cg->version) into m. */
void mc_cg_mem_read(const char *root, const struct mc_cg *cg, struct mc_cg_mem *m);
/* Read usage, inactive file and the counters of m->at again. 0 or -errno. */
int mc_cg_mem_sample(const char *root, int version, struct mc_cg_mem *m);
/* Read only the usage of m->at (cheap enough for 200 times a second). */
int mc_cg_mem_usage(const char *root, int version, struct mc_cg_mem *m);
/* What the level may still take: limit - usage + inactive file, at most
 * the limit (MC_CG_NONE without a limit, 0 when usage is unknown). */
uint64_t mc_cg_mem_room(const struct mc_cg_mem *m);

/* The pids cgroup at its tightest (the least room). */
struct mc_cg_pids {
	int err;	/* reading pids.max failed */
	uint64_t max;	/* MC_CG_NONE: no level sets one */
	char at[256];
	int cur_err;
	uint64_t current;
	int ev_err;
	uint64_t ev_max; /* pids.events "max": forks refused */
};

void mc_cg_pids_read(const char *root, const struct mc_cg *cg, struct mc_cg_pids *p);
/* Read pids.current and pids.events of p->at again. 0 or -errno. */
int mc_cg_pids_sample(const char *root, struct mc_cg_pids *p);

/* Child cgroups for the probe's own processes (real paths, no root): make
 * dir/name (into out), move the calling process into a cgroup, remove one
 * that no process is left in. 0 or -errno. */
int mc_cg_sub_make(const char *dir, const char *name, char *out, size_t len);
int mc_cg_join(const char *dir);
int mc_cg_sub_remove(const char *dir);

/* A cgroup's number file: "max" or v1's huge value -> MC_CG_NONE. 0 or
 * -errno. */
int mc_cg_read_value(const char *root, const char *path, uint64_t *v);

#endif
