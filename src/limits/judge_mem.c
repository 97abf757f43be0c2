/* judge_mem.c: what a connection costs in memory, and the memory limits
 * (registry.c binds them to their ids; judge-int.h says what a judge
 * function does).
 *
 *   memory         (MemAvailable - reserve) / bytes per conn
 *   cgroup_memory  (limit - usage + inactive file - 5%) / bytes per conn
 *   tcp_mem        with --traffic: tcp_mem max / traffic bytes per conn */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "common/fmt.h"
#include "limits/judge-int.h"

static uint64_t sock_bytes(const struct mc__judge *c, bool *dflt)
{
	const struct mc_limits_slab *sl = &c->s->slab;
	uint64_t b;

	*dflt = sl->err || !sl->tcp;
	if (*dflt)
		return MC_LIMITS_DEFAULT_SOCK_BYTES;
	b = sl->tcp + sl->sock_inode + sl->dentry + sl->filp + MC_LIMITS_SOCK_REST_BYTES;
	if (!c->threads)
		b += sl->epi;
	return b;
}

/* Memory one connection costs on this host: its socket(s), the traffic
 * buffers, the bind bucket of a client port, and its thread(s). */
void mc__conn_cost(struct mc__judge *c)
{
	struct mc_limits_result *r = c->r;
	const struct mc_limits_slab *sl = &c->s->slab;
	uint64_t per = sock_bytes(c, &r->sock_bytes_default);

	r->sock_bytes = per;
	r->conn_bytes = mc__mul_sat(c->spc, mc__add_sat(per, c->sc->traffic));
	if (c->client && !r->sock_bytes_default)
		r->conn_bytes = mc__add_sat(r->conn_bytes, sl->bind_bucket);
	if (c->threads) {
		uint64_t task = !sl->err && sl->task ? sl->task : MC_LIMITS_DEFAULT_TASK_BYTES;
		uint64_t t = MC_LIMITS_KSTACK_BYTES + task +
			     MC_LIMITS_USTACK_TOUCHED_PAGES * c->s->page_size;
		r->conn_bytes = mc__add_sat(r->conn_bytes, mc__mul_sat(c->tpc, t));
	}
	if (r->conn_bytes == 0)
		r->conn_bytes = 1;
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
	const struct mc_limits_snap *s = c->s;
	struct mc_limits_result *r = c->r;
	char a[32], b[32], e[32];
	uint64_t d, need;

	mc__add_val(it, "mem_total", s->mem_total);
	mc__add_val(it, "mem_available", s->mem_available);
	mc__add_val(it, "bytes_per_connection", (struct mc_limits_num){r->conn_bytes, 0});
	r->mem_reserve = c->sc->mem_reserve
			     ? c->sc->mem_reserve
			     : mc__max_u(s->mem_total.err ? 0 : s->mem_total.v / 20, 64ULL << 20);
	mc__add_val(it, "reserve", (struct mc_limits_num){r->mem_reserve, 0});
	if (s->mem_available.err) {
		mc__set_unknown(it, "MemAvailable in " MC_LIMITS_P_MEMINFO, s->mem_available.err);
		return;
	}
	mc__set_value(it, "%s available of %s", mc_fmt_bytes(s->mem_available.v, a, sizeof(a)),
		      s->mem_total.err ? "unknown" : mc_fmt_bytes(s->mem_total.v, b, sizeof(b)));
	it->conns = mc__sub0(s->mem_available.v, r->mem_reserve) / r->conn_bytes;
	mc__set_note(it,
		     "(MemAvailable - %s reserve) / %" PRIu64 " bytes per connection (%" PRIu64
		     " socket(s) x %" PRIu64 " B%s%s%s)",
		     mc_fmt_bytes(r->mem_reserve, e, sizeof(e)), r->conn_bytes, c->spc,
		     r->sock_bytes,
		     r->sock_bytes_default ? ", slabinfo unreadable: default" : " from slabinfo",
		     c->sc->traffic ? " + traffic" : "", c->threads ? " + thread" : "");
	d = mc__demand(c, it);
	need = mc__add_sat(mc__mul_sat(d, r->conn_bytes), r->mem_reserve);
	it->raise_to = need;
	mc__add_fix(it, "%" PRIu64 " connections need %s available (%s now): free or add memory", d,
		    mc_fmt_bytes(need, a, sizeof(a)),
		    mc_fmt_bytes(s->mem_available.v, b, sizeof(b)));
	fix_memory_common(c, it);
}

/* cgroup_memory: the headroom at the tightest cgroup level, less 5% of its
 * limit, / bytes per connection; no limit when no level sets one. */
void mc__judge_cgroup_memory(struct mc__judge *c, struct mc_limits_item *it)
{
	const struct mc_limits_cgroup *cg = &c->s->cg;
	struct mc_limits_result *r = c->r;
	uint64_t reserve, d, need, used;
	char a[32], b[32];
	const char *file = cg->version == 1 ? "memory.limit_in_bytes" : "memory.max";

	if (cg->version == 1)
		it->name = "cgroup memory limit (v1 memory.limit_in_bytes)";
	if (cg->mem_path[0])
		it->source = cg->mem_path;
	mc__add_val(it, "limit", cg->mem_limit);
	mc__add_val(it, "headroom", cg->mem_headroom);
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
	reserve = cg->mem_limit.v / 20;
	mc__set_value(it, "%s limit, %s free", mc_fmt_bytes(cg->mem_limit.v, a, sizeof(a)),
		      mc_fmt_bytes(cg->mem_headroom.v, b, sizeof(b)));
	it->conns = mc__sub0(cg->mem_headroom.v, reserve) / r->conn_bytes;
	mc__set_note(it,
		     "(limit - usage + inactive file - 5%% reserve) / %" PRIu64
		     " bytes per connection; sockets are charged to the cgroup",
		     r->conn_bytes);
	d = mc__demand(c, it);
	used = mc__sub0(cg->mem_limit.v, cg->mem_headroom.v);
	need = mc__add_sat(mc__add_sat(mc__mul_sat(d, r->conn_bytes), used), reserve);
	need = mc__add_sat(need, need / 19); /* keep the 5% reserve of the new limit */
	it->raise_to = need;
	mc__add_fix(it, "echo %" PRIu64 " > /sys/fs/cgroup%s/%s", need,
		    cg->mem_path + strlen(MC_LIMITS_P_CGROUP_FS), file);
	mc__add_fix(it, "systemd unit: MemoryMax=%" PRIu64 " (docker: --memory %" PRIu64 ")", need,
		    need);
	fix_memory_common(c, it);
}

/* tcp_mem: with --traffic, tcp_mem max pages / buffer bytes per
 * connection; idle connections hold no buffers, so information then. */
void mc__judge_tcp_mem(struct mc__judge *c, struct mc_limits_item *it)
{
	const struct mc_limits_snap *s = c->s;
	uint64_t traffic = c->sc->traffic;
	uint64_t maxb, d, pages;
	char a[32], v[80];

	if (!traffic)
		it->kind = MC_LIMITS_INFO;
	mc__add_val(it, "min_pages", s->tcp_mem[0]);
	mc__add_val(it, "pressure_pages", s->tcp_mem[1]);
	mc__add_val(it, "max_pages", s->tcp_mem[2]);
	mc__add_val(it, "rmem_default", s->tcp_rmem[1]);
	mc__add_val(it, "wmem_default", s->tcp_wmem[1]);
	if (s->tcp_mem[2].err) {
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
		return;
	}
	it->conns = mc__div_keep(maxb, mc__mul_sat(traffic, c->spc));
	mc__set_note(it,
		     "%s / (%" PRIu64 " B traffic x %" PRIu64
		     " socket(s)); above pressure (%" PRIu64 " pages) the kernel shrinks buffers",
		     a, traffic, c->spc, s->tcp_mem[1].v);
	d = mc__demand(c, it);
	pages = mc__div_up(mc__mul_sat(mc__mul_sat(d, traffic), c->spc), s->page_size);
	it->raise_to = pages;
	snprintf(v, sizeof(v), "%" PRIu64 " %" PRIu64 " %" PRIu64,
		 mc__min_u(s->tcp_mem[0].v, pages / 2), mc__max_u(s->tcp_mem[1].v, pages / 4 * 3),
		 pages);
	mc__fix_sysctl(it, "net.ipv4.tcp_mem", v);
}
