/* judge_mem.c: what a connection costs in memory, and the memory limits
 * (registry.c binds them to their ids; judge-int.h says what a judge
 * function does).
 *
 *   memory         (MemAvailable - reserve) / bytes per conn
 *   cgroup_memory  (limit - usage + inactive file - 5%) / bytes the cgroup is
 *                  charged per conn (each side differently)
 *   tcp_mem        with --traffic: (tcp_mem max - in use) / the bytes the
 *                  kernel charges per conn (measured: limits/bufcost.h) */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "common/fmt.h"
#include "limits/judge-int.h"

/* What --traffic costs per connection: the snapshot's measurement when it
 * is of this size, else the stated assumption (under --root, or not read);
 * tmp holds the latter. */
static const struct mc_bufcost *buf_cost(const struct mc__judge *c, struct mc_bufcost *tmp)
{
	const struct mc_limits_snap *s = c->s;

	if (s->buf.size && s->buf.size == c->sc->traffic)
		return &s->buf;
	mc_bufcost_assume(c->sc->traffic, s->page_size, s->tcp_rmem[2].err ? 0 : s->tcp_rmem[2].v,
			  s->tcp_wmem[2].err ? 0 : s->tcp_wmem[2].v, s->root[0] ? "a snapshot read under --root" : "not run",
			  tmp);
	return tmp;
}

/* The buffer bytes one connection's sockets on this host are charged: the
 * reader's (the accepted socket) where the server is, the writer's where
 * the client is. */
static uint64_t traffic_here(const struct mc__judge *c, const struct mc_bufcost *b)
{
	if (!c->sc->traffic)
		return 0;
	return (c->server ? b->reader_bytes : 0) + (c->client ? b->writer_bytes : 0);
}

/* One object of each cache a socket has on either side: its inode, its
 * dentry and its file (from slabinfo; 0 for a cache not listed). */
static uint64_t sock_shared(const struct mc_host_slab_bytes *sl)
{
	return sl->obj[MC_HOST_SLAB_SOCK_INODE] + sl->obj[MC_HOST_SLAB_DENTRY] +
	       sl->obj[MC_HOST_SLAB_FILP];
}

/* Why the calibration's figures are not at hand: its own words, or that
 * it is not run (a snapshot under --root, or a unit's fixture). */
static const char *why_assumed(const struct mc__judge *c)
{
	if (c->s->sock.how[0])
		return c->s->sock.how;
	return c->s->root[0] ? "a snapshot read under --root" : "the calibration was not run";
}

/* The assumption when the calibration's figures are not at hand: the
 * slab caches slabinfo names plus MC_LIMITS_SOCK_REST_BYTES, or
 * MC_LIMITS_DEFAULT_SOCK_BYTES without slabinfo. */
static uint64_t sock_assumed(const struct mc__judge *c, bool *dflt)
{
	const struct mc_host_slab_bytes *sl = &c->s->slab;
	uint64_t b;

	*dflt = sl->err || !sl->obj[MC_HOST_SLAB_TCP];
	if (*dflt)
		return MC_LIMITS_DEFAULT_SOCK_BYTES;
	b = sl->obj[MC_HOST_SLAB_TCP] + sock_shared(sl) + MC_LIMITS_SOCK_REST_BYTES;
	if (!c->threads)
		b += sl->obj[MC_HOST_SLAB_EPOLL_EPI];
	return b;
}

/* The kernel bytes one connection's sockets take on this host: measured
 * per side (and per epoll watch, none for --model threads) where the
 * calibration ran, else assumed; r's sock_* say which and how. */
static uint64_t sock_total(const struct mc__judge *c, struct mc_limits_result *r)
{
	const struct mc_sockcost *k = &c->s->sock;
	const struct mc_host_slab_bytes *sl = &c->s->slab;
	char eb[64];
	uint64_t t;

	if (k->measured) {
		t = (c->server ? k->accept_bytes : 0) + (c->client ? k->connect_bytes : 0) +
		    (c->threads ? 0 : c->spc * k->epoll_bytes);
		r->sock_bytes = (t + c->spc / 2) / c->spc;
		r->sock_source = "measured";
		snprintf(r->sock_how, sizeof(r->sock_how),
			 "%" PRIu64 " B accepted, %" PRIu64 " B connecting, %" PRIu64
			 " B per epoll watch, %.320s",
			 k->accept_bytes, k->connect_bytes, k->epoll_bytes, k->how);
		return t;
	}
	r->sock_bytes = sock_assumed(c, &r->sock_bytes_default);
	r->sock_source = "assumed";
	if (!r->sock_bytes_default)
		snprintf(r->sock_how, sizeof(r->sock_how),
			 "assumed (%.200s): the caches " MC_HOST_P_SLABINFO
			 " names, read, + 250 B fitted on Linux 6.18 at 2.28M connections",
			 why_assumed(c));
	else if (sl->err)
		snprintf(r->sock_how, sizeof(r->sock_how),
			 "assumed (%.200s): cannot read " MC_HOST_P_SLABINFO
			 ": %s; 4.1 KB per socket assumed, the caches' sum on Linux 6.x x86_64",
			 why_assumed(c), mc_strerror(sl->err, eb, sizeof(eb)));
	else
		snprintf(r->sock_how, sizeof(r->sock_how),
			 "assumed (%.200s): no TCP cache in " MC_HOST_P_SLABINFO
			 "; 4.1 KB per socket assumed, the caches' sum on Linux 6.x x86_64",
			 why_assumed(c));
	t = mc__mul_sat(c->spc, r->sock_bytes);
	if (c->client && !r->sock_bytes_default)
		t = mc__add_sat(t, sl->obj[MC_HOST_SLAB_BIND_BUCKET]);
	return t;
}

/* The per-thread bytes of --model threads: kernel stack, task, touched
 * stack pages. */
static uint64_t thread_bytes(const struct mc__judge *c)
{
	const struct mc_host_slab_bytes *sl = &c->s->slab;
	uint64_t task = !sl->err && sl->obj[MC_HOST_SLAB_TASK] ? sl->obj[MC_HOST_SLAB_TASK]
							       : MC_LIMITS_DEFAULT_TASK_BYTES;

	return MC_LIMITS_KSTACK_BYTES + task + MC_LIMITS_USTACK_TOUCHED_PAGES * c->s->page_size;
}

/* What a memory cgroup is charged per connection: an accepted socket
 * without its tcp_sock (allocated in softirq, uncharged), a connecting one
 * with it (see MC_LIMITS_CG_*), the epoll item where the side uses epoll,
 * traffic buffers, and the server's thread with --model threads. */
static void cg_cost(struct mc__judge *c)
{
	struct mc_limits_result *r = c->r;
	const struct mc_host_slab_bytes *sl = &c->s->slab;
	uint64_t shared = sock_shared(sl), epi = sl->obj[MC_HOST_SLAB_EPOLL_EPI];
	struct mc_bufcost tmp;
	const struct mc_bufcost *b = buf_cost(c, &tmp);
	uint64_t rd = c->sc->traffic ? b->reader_bytes : 0, wr = c->sc->traffic ? b->writer_bytes : 0;

	const struct mc_sockcost *k = &c->s->sock;
	bool m = k->measured && k->cg_version;
	uint64_t acc, con;

	r->cg_default = sl->err || !sl->obj[MC_HOST_SLAB_TCP] || !sl->obj[MC_HOST_SLAB_SOCK_INODE];
	if (m) {
		acc = k->cg_accept_bytes + (c->sc->model == MC_MODEL_EPOLL ? k->cg_epoll_bytes : 0);
		con = k->cg_connect_bytes + k->cg_epoll_bytes;
		r->cg_source = "measured";
		snprintf(r->cg_how, sizeof(r->cg_how),
			 "%" PRIu64 " B accepted, %" PRIu64 " B connecting, %" PRIu64
			 " B per epoll watch, %.320s",
			 k->cg_accept_bytes, k->cg_connect_bytes, k->cg_epoll_bytes, k->cg_how);
	} else {
		acc = r->cg_default ? MC_LIMITS_CG_ACCEPT_DEFAULT
				    : shared + MC_LIMITS_CG_ACCEPT_REST +
					  (c->sc->model == MC_MODEL_EPOLL ? epi : 0);
		con = r->cg_default ? MC_LIMITS_CG_CONNECT_DEFAULT
				    : sl->obj[MC_HOST_SLAB_TCP] + shared + epi + MC_LIMITS_CG_CONNECT_REST;
		r->cg_source = "assumed";
		snprintf(r->cg_how, sizeof(r->cg_how),
			 "assumed (%.200s): as fitted on Linux 6.18 with cgroup v1, an accepted "
			 "socket's tcp_sock not charged%s",
			 k->measured ? k->cg_how : why_assumed(c),
			 r->cg_default ? " (1,500 B accepted, 4,090 B connecting)"
				       : ", the caches slabinfo names + 120 B accepted, 190 B "
					 "connecting");
	}
	if (c->server) {
		r->cg_accept_bytes = mc__add_sat(acc, rd);
		if (c->threads)
			r->cg_accept_bytes =
			    mc__add_sat(r->cg_accept_bytes, mc__mul_sat(c->tpc, thread_bytes(c)));
	}
	if (c->client)
		r->cg_connect_bytes = mc__add_sat(con, wr);
	r->cg_conn_bytes = mc__add_sat(r->cg_accept_bytes, r->cg_connect_bytes);
	if (!r->cg_conn_bytes)
		r->cg_conn_bytes = 1;
}

/* Memory one connection costs on this host: its socket(s), the traffic
 * buffers, the bind bucket of a client port, and its thread(s). */
void mc__conn_cost(struct mc__judge *c)
{
	struct mc_limits_result *r = c->r;
	uint64_t socks = sock_total(c, r);
	struct mc_bufcost tmp;

	if (c->sc->traffic)
		r->buf = *buf_cost(c, &tmp);
	r->conn_bytes = mc__add_sat(socks, traffic_here(c, &r->buf));
	if (c->threads)
		r->conn_bytes = mc__add_sat(r->conn_bytes, mc__mul_sat(c->tpc, thread_bytes(c)));
	if (r->conn_bytes == 0)
		r->conn_bytes = 1;
	cg_cost(c);
}

static void fix_memory_common(struct mc__judge *c, struct mc_limits_item *it)
{
	if (c->sc->traffic)
		mc__add_fix(it, "or less buffer memory per connection: lower --traffic, or cap "
				"net.ipv4.tcp_rmem / tcp_wmem maximums");
	if (c->threads)
		mc__add_fix(it, "or --model epoll: no thread (16 KiB kernel stack + task) per "
				"connection");
	mc__add_fix(it, "or spread the connections over more hosts");
}

/* memory: (MemAvailable - reserve) / bytes per connection. The reserve is
 * 5% of MemTotal, at least 64 MiB, so the host is never run dry. */
void mc__judge_memory(struct mc__judge *c, struct mc_limits_item *it)
{
	const struct mc_host_meminfo *m = &c->s->meminfo;
	struct mc_limits_result *r = c->r;
	char a[32], b[32], e[32];
	uint64_t d, need;

	mc__add_val(it, "mem_total", m->mem_total);
	mc__add_val(it, "mem_available", m->mem_available);
	mc__add_val(it, "bytes_per_connection", (struct mc_host_num){r->conn_bytes, 0});
	r->mem_reserve = c->sc->mem_reserve
			     ? c->sc->mem_reserve
			     : mc__max_u(m->mem_total.err ? 0 : m->mem_total.v / 20, 64ULL << 20);
	mc__add_val(it, "reserve", (struct mc_host_num){r->mem_reserve, 0});
	if (m->mem_available.err) {
		mc__set_unknown(it, "MemAvailable in " MC_HOST_P_MEMINFO, m->mem_available.err);
		return;
	}
	mc__set_value(it, "%s available of %s", mc_fmt_bytes(m->mem_available.v, a, sizeof(a)),
		      m->mem_total.err ? "unknown" : mc_fmt_bytes(m->mem_total.v, b, sizeof(b)));
	it->conns = mc__sub0(m->mem_available.v, r->mem_reserve) / r->conn_bytes;
	mc__set_note(it,
		     "(MemAvailable - %s reserve) / %" PRIu64 " bytes per connection (%" PRIu64
		     " socket(s) x %" PRIu64 " B %s%s%s%s)",
		     mc_fmt_bytes(r->mem_reserve, e, sizeof(e)), r->conn_bytes, c->spc,
		     r->sock_bytes, r->sock_source,
		     r->sock_bytes_default ? ", slabinfo unreadable: default" : "",
		     c->sc->traffic ? " + traffic" : "", c->threads ? " + thread" : "");
	d = mc__demand(c, it);
	need = mc__add_sat(mc__mul_sat(d, r->conn_bytes), r->mem_reserve);
	it->raise_to = need;
	mc__add_fix(it, "%" PRIu64 " connections need %s available (%s now): free or add memory", d,
		    mc_fmt_bytes(need, a, sizeof(a)),
		    mc_fmt_bytes(m->mem_available.v, b, sizeof(b)));
	fix_memory_common(c, it);
}

/* "1496 B accepted + 4161 B connecting" (the sides on this host). */
static void cg_sides(const struct mc_limits_result *r, char *buf, size_t len)
{
	if (r->cg_accept_bytes && r->cg_connect_bytes)
		snprintf(buf, len, "%" PRIu64 " B accepted + %" PRIu64 " B connecting socket",
			 r->cg_accept_bytes, r->cg_connect_bytes);
	else
		snprintf(buf, len, "%" PRIu64 " B per %s socket", r->cg_conn_bytes,
			 r->cg_accept_bytes ? "accepted" : "connecting");
}

/* cgroup_memory: the room at the tightest level (limit - usage + inactive
 * file) less the reserve (5% of the limit, or --cgroup-reserve), / what
 * the cgroup is charged per connection; no limit when no level sets one. */
void mc__judge_cgroup_memory(struct mc__judge *c, struct mc_limits_item *it)
{
	const struct mc_limits_cgroup *cg = &c->s->cg;
	struct mc_limits_result *r = c->r;
	uint64_t reserve, d, need, used;
	char a[32], b[32], u[32], sides[96];
	const char *file = cg->version == 1 ? "memory.limit_in_bytes"
			   : cg->mem_high   ? "memory.high"
					    : "memory.max";

	if (cg->version == 1)
		it->name = "cgroup memory limit (v1 memory.limit_in_bytes)";
	if (cg->mem_at[0])
		it->source = cg->mem_at;
	else if (cg->mem_path[0])
		it->source = cg->mem_path;
	mc__add_val(it, "limit", cg->mem_limit);
	mc__add_val(it, "headroom", cg->mem_headroom);
	mc__add_val(it, "usage", cg->mem_usage);
	mc__add_val(it, "events_max", cg->mem_events_max);
	mc__add_val(it, "oom_kill", cg->mem_oom_kill);
	mc__add_val(it, "bytes_per_connection", (struct mc_host_num){r->cg_conn_bytes, 0});
	if (cg->mem_limit.err) {
		mc__set_unknown(it, "the cgroup memory limit", cg->mem_limit.err);
		return;
	}
	if (cg->mem_limit.v == MC_LIMITS_NONE) {
		mc__set_value(it, "no limit");
		mc__set_note(it, "%s",
			     cg->version ? "no memory limit on this cgroup or its parents"
					 : "not in a memory cgroup");
		return;
	}
	if (cg->mem_headroom.err) {
		mc__set_unknown(it, "the cgroup memory usage", cg->mem_headroom.err);
		return;
	}
	reserve = c->sc->cg_reserve ? c->sc->cg_reserve : cg->mem_limit.v / 20;
	mc__set_value(it, "%s %s, %s used, %s free", mc_fmt_bytes(cg->mem_limit.v, a, sizeof(a)),
		      cg->mem_high ? "memory.high" : "limit",
		      cg->mem_usage.err ? "?" : mc_fmt_bytes(cg->mem_usage.v, u, sizeof(u)),
		      mc_fmt_bytes(cg->mem_headroom.v, b, sizeof(b)));
	it->conns = mc__sub0(cg->mem_headroom.v, reserve) / r->cg_conn_bytes;
	cg_sides(r, sides, sizeof(sides));
	mc__set_note(it,
		     "(limit - usage + inactive file - %s reserve) / %" PRIu64
		     " B charged per connection (%s, %s); limit hit %s times, %s OOM kills so far",
		     mc_fmt_bytes(reserve, u, sizeof(u)), r->cg_conn_bytes, sides,
		     r->cg_source,
		     mc__numstr(cg->mem_events_max, a, sizeof(a)),
		     mc__numstr(cg->mem_oom_kill, b, sizeof(b)));
	d = mc__demand(c, it);
	used = mc__sub0(cg->mem_limit.v, cg->mem_headroom.v);
	need = mc__add_sat(mc__add_sat(mc__mul_sat(d, r->cg_conn_bytes), used), reserve);
	if (!c->sc->cg_reserve)
		need = mc__add_sat(need, need / 19); /* keep the 5% reserve of the new limit */
	it->raise_to = need;
	mc__add_fix(it, "echo %" PRIu64 " > %s/%s", need, it->source, file);
	mc__add_fix(it, "systemd unit: MemoryMax=%" PRIu64 " (docker: --memory %" PRIu64 ")", need,
		    need);
	fix_memory_common(c, it);
}

/* tcp_mem: with --traffic, (tcp_mem max - pages in use now) / the bytes
 * the kernel charges one connection's sockets here (measured where it can
 * be); idle connections hold no buffers, so information then. */
void mc__judge_tcp_mem(struct mc__judge *c, struct mc_limits_item *it)
{
	const struct mc_limits_snap *s = c->s;
	uint64_t traffic = c->sc->traffic;
	uint64_t maxb, used, d, pages, per;
	struct mc_bufcost tmp;
	const struct mc_bufcost *b;
	char a[32], u[32], v[80];

	if (!traffic)
		it->kind = MC_LIMITS_INFO;
	mc__add_val(it, "min_pages", s->tcp_mem[0]);
	mc__add_val(it, "pressure_pages", s->tcp_mem[1]);
	mc__add_val(it, "max_pages", s->tcp_mem[2]);
	mc__add_val(it, "rmem_default", s->tcp_rmem[1]);
	mc__add_val(it, "wmem_default", s->tcp_wmem[1]);
	mc__add_val(it, "in_use_pages", s->sockstat.tcp_mem_pages);
	if (s->tcp_mem[2].err) {
		if (mc__global_absent(c, it, s->tcp_mem[2], "net.ipv4.tcp_mem"))
			return;
		mc__set_unknown(it, MC_LIMITS_P_TCP_MEM, s->tcp_mem[2].err);
		if (!traffic)
			it->status = MC_LIMITS_FINE;
		return;
	}
	maxb = mc__mul_sat(s->tcp_mem[2].v, s->page_size);
	mc__set_value(it, "%" PRIu64 " %" PRIu64 " %" PRIu64 " pages (max %s)", s->tcp_mem[0].v,
		      s->tcp_mem[1].v, s->tcp_mem[2].v, mc_fmt_bytes(maxb, a, sizeof(a)));
	if (!traffic) {
		char rw[32];
		if (s->tcp_rmem[2].err || s->tcp_wmem[2].err)
			snprintf(rw, sizeof(rw), "?");
		else
			mc_fmt_bytes(s->tcp_rmem[2].v + s->tcp_wmem[2].v, rw, sizeof(rw));
		mc__set_note(
		    it,
		    "idle connections hold no buffer memory; a busy one holds up to tcp_rmem "
		    "+ tcp_wmem max (%s); --traffic BYTES counts it and this caps the total",
		    rw);
		mc__note_global(c, it);
		return;
	}
	b = buf_cost(c, &tmp);
	per = traffic_here(c, b);
	if (!per)
		per = 1;
	used = s->sockstat.err || s->sockstat.tcp_mem_pages.err
		   ? 0
		   : mc__mul_sat(s->sockstat.tcp_mem_pages.v, s->page_size);
	it->conns = mc__div_keep(mc__sub0(maxb, used), per);
	mc__set_note(it,
		     "(%s max - %s in use) / %" PRIu64 " B charged per connection (reader %" PRIu64
		     " B for %" PRIu64 " B unread, writer %" PRIu64 " B for %" PRIu64 " B; %s)",
		     a, mc_fmt_bytes(used, u, sizeof(u)), per, b->reader_bytes, b->reader_held,
		     b->writer_bytes, b->writer_held, b->how);
	d = mc__demand(c, it);
	pages = mc__add_sat(mc__div_up(mc__mul_sat(d, per), s->page_size), used / s->page_size);
	it->raise_to = pages;
	snprintf(v, sizeof(v), "%" PRIu64 " %" PRIu64 " %" PRIu64,
		 mc__min_u(s->tcp_mem[0].v, pages / 2), mc__max_u(s->tcp_mem[1].v, pages / 4 * 3),
		 pages);
	mc__fix_sysctl(it, "net.ipv4.tcp_mem", v);
	mc__note_global(c, it);
}
