/* host.c: the readers of the host files maxconn reads, each into its one
 * struct, and their pure parsers (see host.h). The line parsers they build
 * on (a meminfo key, a netstat counter, a sockstat key) are common/procfs's. */
#include "host/host.h"

#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#include "common/procfs.h"

/* Read root+path whole into a buffer of cap bytes the caller frees (NULL
 * on error). Returns the -errno of the read, or 0. */
static int read_text(const char *root, const char *path, size_t cap, char **buf)
{
	ssize_t r;

	*buf = malloc(cap);
	if (!*buf)
		return -ENOMEM;
	r = mc_proc_read(root, path, *buf, cap);
	if (r < 0) {
		free(*buf);
		*buf = NULL;
		return (int)r;
	}
	return 0;
}

/* A figure of a file and where it sits in the file's struct. */
struct key {
	const char *key;
	size_t off;
};

/* The line parser of a file's figures: 0, -ENOENT or -EINVAL. */
typedef int (*get_fn)(const char *buf, const char *key, uint64_t *v);

static struct mc_host_num *field(void *st, const struct key *k)
{
	return (struct mc_host_num *)((char *)st + k->off);
}

/* Set the figures keys[] name in st from buf with get. */
static void parse_keys(const char *buf, void *st, const struct key *keys, size_t n, get_fn get)
{
	for (size_t i = 0; i < n; i++) {
		uint64_t v = 0;
		int rc = get(buf, keys[i].key, &v);
		*field(st, &keys[i]) =
		    rc ? (struct mc_host_num){0, rc} : (struct mc_host_num){v, 0};
	}
}

/* Read root+path (cap bytes at most) and parse its figures into st, or
 * give each the read's error. Returns the read's -errno, or 0. */
static int read_keys(const char *root, const char *path, size_t cap, void *st,
		     const struct key *keys, size_t n, get_fn get)
{
	char *buf;
	int err = read_text(root, path, cap, &buf);

	if (err) {
		for (size_t i = 0; i < n; i++)
			*field(st, &keys[i]) = (struct mc_host_num){0, err};
		return err;
	}
	parse_keys(buf, st, keys, n, get);
	free(buf);
	return 0;
}

#define NKEYS(k) (sizeof(k) / sizeof((k)[0]))

static const struct key mem_keys[] = {
    {"MemTotal", offsetof(struct mc_host_meminfo, mem_total)},
    {"MemAvailable", offsetof(struct mc_host_meminfo, mem_available)},
    {"CommitLimit", offsetof(struct mc_host_meminfo, commit_limit)},
    {"Committed_AS", offsetof(struct mc_host_meminfo, committed_as)},
    {"Slab", offsetof(struct mc_host_meminfo, slab_total)},
    {"SReclaimable", offsetof(struct mc_host_meminfo, sreclaimable)},
    {"KernelStack", offsetof(struct mc_host_meminfo, kernel_stack)},
    {"PageTables", offsetof(struct mc_host_meminfo, page_tables)},
};

void mc_host_meminfo_parse(const char *buf, struct mc_host_meminfo *m)
{
	parse_keys(buf, m, mem_keys, NKEYS(mem_keys), mc_proc_kb_field);
}

int mc_host_meminfo_read(const char *root, struct mc_host_meminfo *m)
{
	memset(m, 0, sizeof(*m));
	m->err = read_keys(root, MC_HOST_P_MEMINFO, 16384, m, mem_keys, NKEYS(mem_keys),
			   mc_proc_kb_field);
	return m->err;
}

/* keys of the "TCP:" line */
static const struct key sock_keys[] = {
    {"inuse", offsetof(struct mc_host_sockstat, tcp_inuse)},
    {"orphan", offsetof(struct mc_host_sockstat, tcp_orphan)},
    {"tw", offsetof(struct mc_host_sockstat, tcp_tw)},
    {"alloc", offsetof(struct mc_host_sockstat, tcp_alloc)},
    {"mem", offsetof(struct mc_host_sockstat, tcp_mem_pages)},
};

void mc_host_sockstat_parse(const char *buf, struct mc_host_sockstat *s)
{
	parse_keys(buf, s, sock_keys, NKEYS(sock_keys), mc_proc_sockstat);
}

int mc_host_sockstat_read(const char *root, struct mc_host_sockstat *s)
{
	memset(s, 0, sizeof(*s));
	s->err = read_keys(root, MC_HOST_P_SOCKSTAT, 4096, s, sock_keys, NKEYS(sock_keys),
			   mc_proc_sockstat);
	return s->err;
}

static const struct key tcpext_keys[] = {
    {"ListenOverflows", offsetof(struct mc_host_netstat, listen_overflows)},
    {"ListenDrops", offsetof(struct mc_host_netstat, listen_drops)},
    {"SyncookiesSent", offsetof(struct mc_host_netstat, syncookies_sent)},
    {"TCPReqQFullDrop", offsetof(struct mc_host_netstat, reqq_full_drop)},
    {"TCPSynRetrans", offsetof(struct mc_host_netstat, syn_retrans)},
    {"TCPMemoryPressures", offsetof(struct mc_host_netstat, mem_pressures)},
};

/* A counter of the TcpExt lines. */
static int tcpext(const char *buf, const char *key, uint64_t *v)
{
	return mc_proc_netstat(buf, "TcpExt", key, v);
}

void mc_host_netstat_parse(const char *buf, struct mc_host_netstat *n)
{
	parse_keys(buf, n, tcpext_keys, NKEYS(tcpext_keys), tcpext);
}

int mc_host_netstat_read(const char *root, struct mc_host_netstat *n)
{
	memset(n, 0, sizeof(*n));
	/* about 5 KB today; room for the kernel to add counters */
	n->err =
	    read_keys(root, MC_HOST_P_NETSTAT, 65536, n, tcpext_keys, NKEYS(tcpext_keys), tcpext);
	return n->err;
}

int mc_host_port_range_parse(const char *buf, struct mc_host_port_range *r)
{
	unsigned long v[2];
	const char *p = buf;

	for (int i = 0; i < 2; i++) {
		char *end;
		p += strspn(p, " \t");
		if (*p < '0' || *p > '9')
			return -EINVAL;
		errno = 0;
		v[i] = strtoul(p, &end, 10);
		if (errno || v[i] > 65535)
			return -EINVAL;
		p = end;
	}
	if (!v[0] || v[0] > v[1])
		return -EINVAL;
	r->lo = (uint16_t)v[0];
	r->hi = (uint16_t)v[1];
	return 0;
}

int mc_host_port_range_read(const char *root, struct mc_host_port_range *r)
{
	char buf[64];
	ssize_t n = mc_proc_read(root, MC_HOST_P_PORT_RANGE, buf, sizeof(buf));

	memset(r, 0, sizeof(*r));
	r->err = n < 0 ? (int)n : mc_host_port_range_parse(buf, r);
	if (r->err)
		r->lo = r->hi = 0;
	return r->err;
}

int mc_host_ehash_parse(const char *buf, struct mc_host_ehash *e)
{
	const char *p = buf + strspn(buf, " \t");
	bool shared = *p == '-';
	unsigned long long v;
	char *end;

	p += shared;
	if (*p < '0' || *p > '9')
		return -EINVAL;
	errno = 0;
	v = strtoull(p, &end, 10);
	if (errno || !v)
		return -EINVAL;
	e->buckets.v = v;
	e->own = !shared;
	return 0;
}

uint64_t mc_host_ehash_size(uint64_t sockets)
{
	uint64_t want = 2 * sockets, p = 1024;

	while (p < MC_HOST_CHILD_EHASH_MAX && p * 2 <= want)
		p *= 2;
	/* the nearer of p and 2p */
	if (p < MC_HOST_CHILD_EHASH_MAX && want > p && want - p > 2 * p - want)
		p *= 2;
	return p;
}

int mc_host_ehash_read(const char *root, struct mc_host_ehash *e)
{
	char buf[32];
	ssize_t n = mc_proc_read(root, MC_HOST_P_EHASH, buf, sizeof(buf));

	memset(e, 0, sizeof(*e));
	e->buckets.err = n < 0 ? (int)n : mc_host_ehash_parse(buf, e);
	if (e->buckets.err)
		e->buckets.v = 0;
	e->child.err = mc_proc_read_u64(root, MC_HOST_P_CHILD_EHASH, &e->child.v);
	return e->buckets.err;
}

static bool separator(char c)
{
	return c == ',' || c == ' ' || c == '\n' || c == '\t';
}

int mc_host_reserved_parse(const char *list, struct mc_host_reserved *r)
{
	const char *p = list ? list : "";

	memset(r->bits, 0, sizeof(r->bits));
	r->n = 0;
	while (*p) {
		unsigned long a, b;
		char *end;

		while (separator(*p))
			p++;
		if (!*p)
			break;
		if (*p < '0' || *p > '9')
			goto bad;
		a = strtoul(p, &end, 10);
		b = a;
		p = end;
		if (*p == '-') {
			if (p[1] < '0' || p[1] > '9')
				goto bad;
			b = strtoul(p + 1, &end, 10);
			p = end;
		}
		if (a > 65535 || b > 65535 || a > b || (*p && !separator(*p)))
			goto bad;
		for (unsigned long x = a; x <= b; x++) {
			if (mc_host_reserved_has(r, (uint16_t)x))
				continue; /* listed twice */
			r->bits[x >> 3] |= (uint8_t)(1u << (x & 7));
			r->n++;
		}
	}
	return 0;
bad:
	memset(r->bits, 0, sizeof(r->bits));
	r->n = 0;
	return -EINVAL;
}

uint32_t mc_host_reserved_count(const struct mc_host_reserved *r, uint16_t lo, uint16_t hi)
{
	uint32_t n = 0;

	if (!r->n)
		return 0;
	for (uint32_t x = lo; x <= hi; x++)
		n += mc_host_reserved_has(r, (uint16_t)x);
	return n;
}

int mc_host_reserved_read(const char *root, struct mc_host_reserved *r)
{
	char *buf;

	memset(r, 0, sizeof(*r));
	r->err = read_text(root, MC_HOST_P_RESERVED, 65536, &buf);
	if (r->err)
		return r->err;
	r->err = mc_host_reserved_parse(buf, r);
	free(buf);
	return r->err;
}

static const char *const slab_names[MC_HOST_SLAB_N] = {
    [MC_HOST_SLAB_TCP] = "TCP",
    [MC_HOST_SLAB_TCPV6] = "TCPv6",
    [MC_HOST_SLAB_SOCK_INODE] = "sock_inode_cache",
    [MC_HOST_SLAB_DENTRY] = "dentry",
    [MC_HOST_SLAB_FILP] = "filp",
    [MC_HOST_SLAB_EPOLL_EPI] = "eventpoll_epi",
    [MC_HOST_SLAB_EPOLL_PWQ] = "eventpoll_pwq",
    [MC_HOST_SLAB_BIND_BUCKET] = "tcp_bind_bucket",
    [MC_HOST_SLAB_TASK] = "task_struct",
};

const char *mc_host_slab_name(enum mc_host_slab_id id)
{
	return id < MC_HOST_SLAB_N ? slab_names[id] : "";
}

/* The cache a slabinfo line names, or MC_HOST_SLAB_N for any other line. */
static enum mc_host_slab_id slab_id(const char *line, size_t n)
{
	for (int i = 0; i < MC_HOST_SLAB_N; i++)
		if (strlen(slab_names[i]) == n && strncmp(line, slab_names[i], n) == 0)
			return (enum mc_host_slab_id)i;
	return MC_HOST_SLAB_N;
}

int mc_host_slabinfo_parse(const char *buf, struct mc_host_slabinfo *s)
{
	int found = 0;

	memset(s->c, 0, sizeof(s->c));
	for (const char *p = buf; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL) {
		size_t n = strcspn(p, " \t\n"), rest = strcspn(p + n, "\n");
		enum mc_host_slab_id id = slab_id(p, n);
		unsigned long long v[5];
		char nums[512];

		if (id == MC_HOST_SLAB_N)
			continue;
		/* the numbers of this line only: sscanf would read on past '\n' */
		snprintf(nums, sizeof(nums), "%.*s",
			 (int)(rest < sizeof(nums) ? rest : sizeof(nums) - 1), p + n);
		if (sscanf(nums, "%llu %llu %llu %llu %llu", &v[0], &v[1], &v[2], &v[3], &v[4]) !=
		    5)
			continue;
		s->c[id] = (struct mc_host_slab_cache){
		    .listed = true,
		    .active = v[0],
		    .objs = v[1],
		    .objsize = v[2],
		    .per_slab = v[3],
		    .pages_per_slab = v[4],
		};
		found++;
	}
	return found ? 0 : -ENOENT;
}

int mc_host_slabinfo_read(const char *root, struct mc_host_slabinfo *s)
{
	char *buf;

	memset(s, 0, sizeof(*s));
	/* ~30 KB on a usual host; room for thousands of caches */
	s->err = read_text(root, MC_HOST_P_SLABINFO, 1 << 20, &buf);
	if (s->err)
		return s->err;
	mc_host_slabinfo_parse(buf, s);
	free(buf);
	return 0;
}

uint64_t mc_host_slab_obj_bytes(const struct mc_host_slab_cache *c, uint64_t page_size)
{
	if (!c->listed || !c->per_slab)
		return 0;
	return c->pages_per_slab * page_size / c->per_slab;
}

uint64_t mc_host_slab_used_bytes(const struct mc_host_slab_cache *c, uint64_t page_size)
{
	if (!c->listed || !c->per_slab)
		return 0;
	return c->active * c->pages_per_slab * page_size / c->per_slab;
}

void mc_host_slab_bytes_from(const struct mc_host_slabinfo *si, uint64_t page_size,
			     struct mc_host_slab_bytes *b)
{
	memset(b, 0, sizeof(*b));
	b->err = si->err;
	for (int i = 0; i < MC_HOST_SLAB_N; i++) {
		const struct mc_host_slab_cache *c = &si->c[i];
		b->listed[i] = c->listed;
		b->active[i] = c->active;
		b->obj[i] = mc_host_slab_obj_bytes(c, page_size);
		b->used[i] = mc_host_slab_used_bytes(c, page_size);
	}
}

int mc_host_slab_bytes_read(const char *root, uint64_t page_size, struct mc_host_slab_bytes *b)
{
	struct mc_host_slabinfo si;

	mc_host_slabinfo_read(root, &si);
	mc_host_slab_bytes_from(&si, page_size, b);
	return b->err;
}
