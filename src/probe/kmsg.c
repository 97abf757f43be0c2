/* kmsg.c: the kernel log lines a probe keeps as its own evidence, and the
 * count of the others (see kmsg.h). Judging a line is pure; reading
 * /dev/kmsg and asking /proc whose a task is are the two functions at the
 * end. */
#include "probe/kmsg.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/procfs.h"

/* Kernel messages about connections, sockets, memory and forks: the only
 * ones looked at. An OOM dump's stack frames (" oom_kill_process+0x8/0x94"),
 * task table ("[  pid  ]  uid ...") and cgroup statistics are part of the
 * line that opened it. */
static bool relevant(const char *m)
{
	if (m[0] == ' ' || m[0] == '[' || strncmp(m, "Memory cgroup stats for ", 24) == 0)
		return false;
	static const char *const words[] = {
	    "TCP:",	     "nf_conntrack",  "Out of memory", "oom",
	    "socket",	     "SYN flooding",  "too many",      "page allocation failure",
	    "VFS: file-max", "fork rejected",
	};
	for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++)
		if (strstr(m, words[i]))
			return true;
	return false;
}

/* Lines that say a host-wide limit was hit (a global table or sysctl):
 * every run on the host meets it, so they are the run's evidence too. */
static bool host_wide(const char *m)
{
	static const char *const lines[] = {
	    "nf_conntrack: table full",			/* nf_conntrack_max: global */
	    "out of memory -- consider tuning tcp_mem", /* tcp_mem: global */
	    "too many orphaned sockets",		/* tcp_max_orphans: global */
	    "VFS: file-max limit",			/* fs.file-max */
	};
	for (size_t i = 0; i < sizeof(lines) / sizeof(lines[0]); i++)
		if (strstr(m, lines[i]))
			return true;
	return false;
}

static bool run_pid(const struct mc_probe_kmsg_own *own, long t)
{
	for (int i = 0; i < own->npid && i < MC_PROBE_KMSG_PIDS; i++)
		if (own->pid[i] > 0 &&
		    (t == own->pid[i] || (own->related && own->related((int)t, own->pid[i]))))
			return true;
	return false;
}

/* A cgroup named by the kernel (from its hierarchy's root, "/a/b") is the
 * run's when one of its directories ends with it; the root is no one's. */
static bool run_cg(const struct mc_probe_kmsg_own *own, const char *p, size_t len)
{
	if (len < 2 || p[0] != '/')
		return false;
	for (int i = 0; i < own->ncg && i < MC_PROBE_KMSG_CGS; i++) {
		size_t dl = own->cg[i] ? strlen(own->cg[i]) : 0;
		if (dl >= len && memcmp(own->cg[i] + dl - len, p, len) == 0)
			return true;
	}
	return false;
}

/* Every number after marker in m: is one of them the run's? *named: m
 * names one. */
static bool names_run_pid(const struct mc_probe_kmsg_own *own, const char *m, const char *marker,
			  bool *named)
{
	for (const char *s = strstr(m, marker); s; s = strstr(s, marker)) {
		char *e;
		long v;
		s += strlen(marker);
		v = strtol(s, &e, 10);
		if (e == s || v <= 0)
			continue;
		*named = true;
		if (run_pid(own, v))
			return true;
	}
	return false;
}

/* The cgroup path after marker in m, up to one of stop: the run's? */
static bool names_run_cg(const struct mc_probe_kmsg_own *own, const char *m, const char *marker,
			 const char *stop, bool *named)
{
	const char *s = strstr(m, marker);

	if (!s)
		return false;
	s += strlen(marker);
	*named = true;
	return run_cg(own, s, strcspn(s, stop));
}

/* "Possible SYN flooding on port 127.0.0.1:9000. Sending cookies.": a
 * listener of the run's server? */
static bool names_run_port(const struct mc_probe_kmsg_own *own, const char *m, bool *named)
{
	const char *s = strstr(m, "SYN flooding on port ");
	const char *end, *colon = NULL;
	long port;

	if (!s)
		return false;
	s += strlen("SYN flooding on port ");
	end = s + strcspn(s, " ");
	for (const char *c = s; c < end; c++)
		if (*c == ':')
			colon = c;
	if (!colon)
		return false;
	*named = true;
	port = strtol(colon + 1, NULL, 10);
	for (int i = 0; i < own->nport && i < MC_PROBE_KMSG_PORTS; i++)
		if (own->port[i] == port)
			return true;
	return false;
}

/* Does m name the run's processes, cgroups or listeners? */
static bool names_run(const struct mc_probe_kmsg_own *own, const char *m)
{
	bool named = false;

	return names_run_pid(own, m, "pid=", &named) || names_run_pid(own, m, "PID: ", &named) ||
	       names_run_pid(own, m, "process ", &named) ||
	       names_run_cg(own, m, "oom_memcg=", ",", &named) ||
	       names_run_cg(own, m, "task_memcg=", ",", &named) ||
	       names_run_cg(own, m, "pids controller in ", " \t", &named) ||
	       names_run_port(own, m, &named);
}

static void keep(struct mc_probe_kmsg_lines *l, const char *m)
{
	size_t n;

	if (l->n >= l->max) {
		l->left++;
		return;
	}
	n = strnlen(m, MC_PROBE_KMSG_LINE - 1);
	memcpy(l->line[l->n], m, n);
	l->line[l->n++][n] = '\0';
}

void mc_probe_kmsg_flush(struct mc_probe_kmsg_lines *l)
{
	if (l->has_pending)
		l->other++;
	l->has_pending = false;
}

void mc_probe_kmsg_take(struct mc_probe_kmsg_lines *l, const struct mc_probe_kmsg_own *own,
			const char *m)
{
	if (l->has_pending) {
		bool named = false;
		bool mine = names_run_pid(own, m, "PID: ", &named);
		if (named) { /* the dump's "CPU: 1 UID: 0 PID: 123 Comm: x" line */
			if (mine)
				keep(l, l->pending);
			else
				l->other++;
			l->has_pending = false;
			return;
		}
		mc_probe_kmsg_flush(l);
	}
	if (!relevant(m))
		return;
	if (host_wide(m)) {
		keep(l, m);
	} else if (strstr(m, "invoked oom-killer") || strstr(m, "page allocation failure")) {
		snprintf(l->pending, sizeof(l->pending), "%s", m);
		l->has_pending = true;
	} else if (names_run(own, m)) {
		keep(l, m);
	} else {
		l->other++;
	}
}

int mc_probe_kmsg_open(void)
{
	int fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	if (lseek(fd, 0, SEEK_END) < 0) {
		int e = -errno;
		close(fd);
		return e;
	}
	return fd;
}

void mc_probe_kmsg_read(int fd, const struct mc_probe_kmsg_own *own, struct mc_probe_kmsg_lines *l)
{
	char rec[2048];

	if (fd < 0)
		return;
	for (;;) {
		ssize_t r = read(fd, rec, sizeof(rec) - 1);
		char *msg;
		if (r < 0) {
			if (errno == EINTR || errno == EPIPE) /* EPIPE: overwritten records */
				continue;
			break;
		}
		if (r == 0)
			break;
		rec[r] = '\0';
		msg = strchr(rec, ';');
		msg = msg ? msg + 1 : rec;
		msg[strcspn(msg, "\n")] = '\0';
		mc_probe_kmsg_take(l, own, msg);
	}
	mc_probe_kmsg_flush(l);
}

bool mc_probe_kmsg_related(int tid, int pid)
{
	char path[96], buf[512];
	const char *s;

	snprintf(path, sizeof(path), "/proc/%d/task/%d", pid, tid);
	if (access(path, F_OK) == 0)
		return true;
	/* "tid (comm) S ppid ...": the comm may hold spaces and parentheses */
	snprintf(path, sizeof(path), "/proc/%d/stat", tid);
	if (mc_proc_read(NULL, path, buf, sizeof(buf)) <= 0 || !(s = strrchr(buf, ')')))
		return false;
	return strtol(s + 3, NULL, 10) == pid;
}
