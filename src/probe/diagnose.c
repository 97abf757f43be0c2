/* diagnose.c: name the limit that stopped a probe step, with its evidence
 * (see diagnose.h). Pure: no I/O; the one place a step's verdict is made. */
#include "probe/diagnose.h"

#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "common/err.h"
#include "common/fmt.h"
#include "host/host.h"
#include "limits/limits.h"
#include "probe/result.h"

static struct mc_probe_evidence *evidence(struct mc_probe_step *st, const char *what,
					  uint64_t value, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Add a line of evidence; returns it, or NULL when the step's lines are
 * full: the last place then counts the lines left out, so that none is
 * dropped without a word. */
static struct mc_probe_evidence *evidence(struct mc_probe_step *st, const char *what,
					  uint64_t value, const char *fmt, ...)
{
	struct mc_probe_evidence *e;
	va_list ap;

	if (st->nev >= MC_PROBE_MAX_EVIDENCE - 1) {
		e = &st->ev[MC_PROBE_MAX_EVIDENCE - 1];
		if (st->nev == MC_PROBE_MAX_EVIDENCE - 1) {
			st->nev++;
			*e = (struct mc_probe_evidence){.value = 0};
			snprintf(e->what, sizeof(e->what), "evidence left out");
		}
		e->value++;
		snprintf(e->text, sizeof(e->text),
			 "lines of evidence past the %d a step keeps (the last: %.60s)",
			 MC_PROBE_MAX_EVIDENCE - 1, what);
		return NULL;
	}
	e = &st->ev[st->nev++];
	snprintf(e->what, sizeof(e->what), "%s", what);
	e->value = value;
	va_start(ap, fmt);
	vsnprintf(e->text, sizeof(e->text), fmt, ap);
	va_end(ap);
	return e;
}

/* A reading that failed: shown as unreadable with the reason, never as 0. */
static void unreadable(struct mc_probe_step *st, const char *what, const char *path, int err)
{
	char eb[96];
	struct mc_probe_evidence *e =
	    evidence(st, what, 0, "could not be read: %s: %s", path, mc_strerror(err, eb, sizeof(eb)));

	if (e) /* a line left out is counted, not marked */
		e->unreadable = true;
}

/* evidence() for serverside.c's lines */
static void evidence_line(void *arg, const char *what, uint64_t value, const char *text)
{
	evidence(arg, what, value, "%s", text);
}

static bool srv_host_known(const struct mc_probe_obs *o)
{
	return o->srv_host && o->srv_host->known && o->srv_before && o->srv_after;
}

static uint64_t delta(uint64_t before, uint64_t after)
{
	return after > before ? after - before : 0;
}

/* Were the measured server's own listeners read (sock_diag) when the step
 * began and at its top? Then their drops, not the namespace's sums, are
 * the accept queue's evidence. */
static bool own_listeners(const struct mc_probe_obs *o)
{
	return !o->before.listen_err && !o->after.listen_err && o->before.listen.listeners &&
	       o->after.listen.listeners;
}

/* The message the server sent most often before ending connections, or
 * NULL when it said nothing. */
static const struct mc_client_said *said_most(const struct mc_probe_obs *o)
{
	const struct mc_client_said *best = NULL;

	for (unsigned i = 0; i < o->nsaid && i < MC_CLIENT_SAID_MAX; i++)
		if (!best || o->said[i].conns > best->conns)
			best = &o->said[i];
	return best;
}

/* Add s at the end of buf, cut to fit. */
static void append(char *buf, size_t len, const char *s)
{
	size_t n = strnlen(buf, len);

	if (n + 1 < len)
		snprintf(buf + n, len - n, "%s", s);
}

static void set_limit(struct mc_probe_step *st, const char *id, const char *name)
{
	snprintf(st->limit_id, sizeof(st->limit_id), "%s", id);
	snprintf(st->limit_name, sizeof(st->limit_name), "%s", name);
}

/* A watched memory cgroup: its room against the reserve, how often its
 * limit was hit and whether the OOM killer ran in it during the step. */
static void cg_evidence(const struct mc_probe_obs *o, int i, struct mc_probe_step *st)
{
	const struct mc_probe_cgroup *cg = &o->cg[i];
	const struct mc_cg_mem *b = &o->cg_before[i], *a = &o->cg_after[i];
	char b1[32], b2[32], b3[32], b4[32], what[64];

	snprintf(what, sizeof(what), "cgroup memory (%s)", cg->who);
	evidence(st, what, a->usage, "%s used of the %s %s in %s: %s left, the reserve is %s",
		 mc_fmt_bytes(a->usage, b1, sizeof(b1)), mc_fmt_bytes(cg->limit, b2, sizeof(b2)),
		 cg->high ? "memory.high" : "limit", cg->dir,
		 mc_fmt_bytes(mc_cg_mem_room(a), b3, sizeof(b3)),
		 mc_fmt_bytes(cg->reserve, b4, sizeof(b4)));
	if (a->ev_err)
		return;
	evidence(st, cg->version == 1 ? "memory.failcnt" : "memory.events max",
		 delta(b->ev_max, a->ev_max),
		 "times the cgroup's usage hit its limit during the step (reclaim ran)");
	evidence(st, "memory oom_kill", delta(b->ev_oom_kill, a->ev_oom_kill),
		 "processes the OOM killer ended in the cgroup during the step (%s %s)",
		 cg->version == 1 ? "memory.oom_control" : "memory.events", "oom_kill");
}

/* conntrack -S over the step, on the router and here, when they grew:
 * insert_failed is a NAT with no free port (or a clash), drop the SYNs it
 * lost. */
static void ct_evidence(const struct mc_probe_obs *o, struct mc_probe_step *st)
{
	const struct mc_ct_stat *b[2] = {&o->before.router_ct, &o->before.ct_stat};
	const struct mc_ct_stat *a[2] = {&o->after.router_ct, &o->after.ct_stat};

	for (int i = 0; i < 2; i++) {
		uint64_t fails, drops;
		if (b[i]->err || a[i]->err)
			continue;
		fails = delta(b[i]->insert_failed, a[i]->insert_failed);
		drops = delta(b[i]->drop, a[i]->drop);
		if (fails)
			evidence(st, i ? "conntrack insert_failed" : "router conntrack insert_failed",
				 fails,
				 "conntrack -S in %s%.100s%s: entries it could not insert (a NAT found "
				 "no free port toward the destination), %" PRIu64 " packets dropped",
				 i ? "this namespace" : "the router's namespace (",
				 i ? "" : o->router_netns ? o->router_netns : "?", i ? "" : ")",
				 drops);
		else if (drops)
			evidence(st, i ? "conntrack drop" : "router conntrack drop", drops,
				 "conntrack -S: packets dropped (table full or a failed insert)");
	}
}

/* The connects that failed, the connections lost and what the server
 * refused, by cause: the failures themselves, as evidence lines. */
static void collect_failures(const struct mc_probe_obs *o, struct mc_probe_step *st)
{
	for (int k = 0; k < MC_CAUSE_COUNT; k++)
		if (o->fail[k]) {
			char what[64];
			snprintf(what, sizeof(what), "client connect: %s", mc_cause_key(k));
			/* the failure itself first: for "other" the advice is only
			 * "see the message" */
			if (o->cause_error[k][0])
				evidence(st, what, o->fail[k], "%.159s; %s", o->cause_error[k],
					 mc_cause_advice(k));
			else
				evidence(st, what, o->fail[k], "%s", mc_cause_advice(k));
		}
	for (int k = 0; k < MC_CAUSE_COUNT; k++)
		if (o->lost[k]) {
			char what[64];
			snprintf(what, sizeof(what), "client lost: %s", mc_cause_key(k));
			evidence(st, what, o->lost[k],
				 "established connections the server side ended (%s)",
				 mc_cause_key(k));
		}
	for (unsigned i = 0; i < o->nsaid && i < MC_CLIENT_SAID_MAX; i++) {
		char what[64], text[200];
		mc_client_said_text(&o->said[i], text, sizeof(text));
		snprintf(what, sizeof(what), "server said: %s", mc_cause_key(o->said[i].cause));
		evidence(st, what, o->said[i].conns,
			 "%s: the first bytes it sent on connections it then ended", text);
	}
	if (o->srv_refused[MC_CAUSE_EMFILE])
		evidence(st, "server refused: fd_limit", o->srv_refused[MC_CAUSE_EMFILE],
			 "accept() found the fd table full (EMFILE): accepted on the reserve fd "
			 "and closed at once");
	if (o->srv_refused[MC_CAUSE_THREADS])
		evidence(st, "server refused: threads", o->srv_refused[MC_CAUSE_THREADS],
			 "pthread_create failed (%s): no thread for the connection, closed",
			 mc_errno_name(o->srv_thread_errno ? o->srv_thread_errno : 11));
	if (o->have_pids)
		evidence(st, "pids.events max", delta(o->pids_refused_before, o->pids_refused_after),
			 "forks the pids cgroup refused during the step (pids.max %" PRIu64 ")",
			 o->pids_max);
	if (o->srv_maps && o->max_map_count)
		evidence(st, "server memory maps", o->srv_maps,
			 "lines of /proc/PID/maps of the server; vm.max_map_count is %" PRIu64,
			 o->max_map_count);
	if (o->srv_refused[MC_CAUSE_WATCHES])
		evidence(st, "server refused: epoll_watches", o->srv_refused[MC_CAUSE_WATCHES],
			 "epoll_ctl said ENOSPC: the user's epoll watches "
			 "(fs.epoll.max_user_watches) are used up; accepted and closed");
	if (o->srv_refused[MC_CAUSE_NOMEM])
		evidence(st, "server refused: memory", o->srv_refused[MC_CAUSE_NOMEM],
			 "accept() or epoll said ENOMEM/ENOBUFS");
	if (o->srv_refused[MC_CAUSE_ENFILE])
		evidence(st, "server refused: fd_system", o->srv_refused[MC_CAUSE_ENFILE],
			 "accept() said ENFILE: the system's open files (fs.file-max) are used "
			 "up; accepted on the reserve fd and closed at once");
	for (int k = 0; k < MC_CAUSE_COUNT; k++)
		if (o->srv_refused[k] && k != MC_CAUSE_EMFILE && k != MC_CAUSE_WATCHES &&
		    k != MC_CAUSE_NOMEM && k != MC_CAUSE_THREADS && k != MC_CAUSE_MAX_CONNS &&
		    k != MC_CAUSE_ENFILE) {
			char what[64];
			snprintf(what, sizeof(what), "server refused: %s", mc_cause_key(k));
			evidence(st, what, o->srv_refused[k], "%s", mc_cause_advice(k));
		}
	if (o->srv_refused[MC_CAUSE_MAX_CONNS])
		evidence(st, "server refused: max_conns", o->srv_refused[MC_CAUSE_MAX_CONNS],
			 "over the server's --max-conns");
}

/* The counts, as evidence lines, before any judgement. */
static void collect(const struct mc_probe_obs *o, struct mc_probe_step *st)
{
	static const struct {
		const char *what;
		size_t off;
		const char *text;
	} counters[] = {
		{"ListenOverflows", offsetof(struct mc_host_netstat, listen_overflows),
		 "connections dropped because a listen socket's accept queue was full"},
		{"ListenDrops", offsetof(struct mc_host_netstat, listen_drops),
		 "SYNs or ACKs dropped at a listen socket (overflows included)"},
		{"SyncookiesSent", offsetof(struct mc_host_netstat, syncookies_sent),
		 "SYN queue full: answered with a SYN cookie"},
		{"TCPReqQFullDrop", offsetof(struct mc_host_netstat, reqq_full_drop),
		 "SYNs dropped: SYN queue full and syncookies off"},
		{"TCPSynRetrans", offsetof(struct mc_host_netstat, syn_retrans),
		 "SYNs sent again: the first went unanswered"},
		{"TCPMemoryPressures", offsetof(struct mc_host_netstat, mem_pressures),
		 "times TCP buffer memory went over tcp_mem pressure: the kernel shrinks buffers"},
	};
	const struct mc_host_netstat *nb = &o->before.netstat, *na = &o->after.netstat;
	const struct mc_host_sockstat *so = &o->after.sockstat;
	char b1[32], b2[32];

	collect_failures(o, st);
	if (nb->err || na->err)
		unreadable(st, "TcpExt counters", MC_HOST_P_NETSTAT, na->err ? na->err : nb->err);
	for (size_t i = 0; i < sizeof(counters) / sizeof(counters[0]); i++) {
		uint64_t b = ((const struct mc_host_num *)((const char *)nb + counters[i].off))->v;
		uint64_t a = ((const struct mc_host_num *)((const char *)na + counters[i].off))->v;
		if (delta(b, a) && !nb->err && !na->err)
			evidence(st, counters[i].what, delta(b, a), "/proc/net/netstat TcpExt: %s",
				 counters[i].text);
	}
	if (own_listeners(o))
		evidence(st, "server listeners: drops",
			 delta(o->before.listen.drops, o->after.listen.drops),
			 "SYNs and ACKs dropped during the step at the %" PRIu32
			 " listener(s) the connections go to (sock_diag: their own share of "
			 "ListenOverflows and ListenDrops); accept queue %" PRIu64 " of %" PRIu64
			 " at the top",
			 o->after.listen.listeners, o->after.listen.queued,
			 o->after.listen.backlog);
	if (o->cli_stalls)
		evidence(st, "client fell behind", o->cli_stalls,
			 "its workers were away from their sockets for over 100 ms %" PRIu64
			 " times, the longest %.2f s",
			 o->cli_stalls, (double)o->cli_stall_max_ns / 1e9);
	if (o->cli_connects_late)
		evidence(st, "client saw connects late", o->cli_connects_late,
			 "connects the client noticed late, after the kernel had completed them: "
			 "their latency is the kernel's, and none was counted as timed out");
	if (!o->after.ct_err && o->after.ct_max)
		evidence(st, "nf_conntrack_count", o->after.ct_count, "of nf_conntrack_max %" PRIu64,
			 o->after.ct_max);
	else if (o->after.ct_err && o->after.ct_err != -ENOENT)
		unreadable(st, "nf_conntrack_count", MC_HOST_P_CT_COUNT, o->after.ct_err);
	ct_evidence(o, st);
	if (o->after.plog_err != -ENODATA && o->after.plog_err)
		unreadable(st, "proxy error log", "--proxy-log", o->after.plog_err);
	else if (o->after.plog_noport)
		evidence(st, "proxy: no port upstream", o->after.plog_noport,
			 "the proxy's error log: \"%.200s\"", o->after.plog_line);
	if (so->err)
		unreadable(st, "sockstat TCP inuse", MC_HOST_P_SOCKSTAT, so->err);
	else
		evidence(st, "sockstat TCP inuse", so->tcp_inuse.v,
			 "/proc/net/sockstat: TCP sockets in use (both ends and listeners), %" PRIu64
			 " in TIME_WAIT, %" PRIu64 " orphaned",
			 so->tcp_tw.v, so->tcp_orphan.v);
	if (o->after.meminfo.err)
		unreadable(st, "MemAvailable", MC_HOST_P_MEMINFO, o->after.meminfo.err);
	else
		evidence(st, "MemAvailable", o->after.meminfo.mem_available.v,
			 "%s available (less the dentries and inodes the sockets pin); the reserve "
			 "is %s",
			 mc_fmt_bytes(o->after.meminfo.mem_available.v, b1, sizeof(b1)),
			 mc_fmt_bytes(o->reserve, b2, sizeof(b2)));
	for (int i = 0; i < o->ncg && i < MC_PROBE_MAX_CG; i++)
		cg_evidence(o, i, st);
	for (int i = 0; i < o->nkmsg; i++)
		evidence(st, "dmesg", 0, "%s", o->kmsg[i]);
	if (o->kmsg_left)
		evidence(st, "dmesg", o->kmsg_left, "and %" PRIu64 " more lines of this run's",
			 o->kmsg_left);
	if (o->kmsg_other)
		evidence(st, "dmesg, other processes", o->kmsg_other,
			 "other processes on this host: %" PRIu64
			 " lines (the kernel log's lines that name none of this run's "
			 "processes or cgroups; not shown)",
			 o->kmsg_other);
	if (srv_host_known(o))
		mc_probe_server_host_evidence(o->srv_before, o->srv_after, o->srv_host,
					      evidence_line, st);
}

/* A failure cause that names a limit on its own: the limit's name and how
 * it was seen. */
struct cause_limit {
	enum mc_cause cause;
	const char *name, *seen;
};

/* The first entry of t[n] whose cause counted any, or -1. */
static int first_counted(const struct cause_limit *t, size_t n, const uint64_t *counts)
{
	for (size_t i = 0; i < n; i++)
		if (counts[t[i].cause])
			return (int)i;
	return -1;
}

/* The client's failures that name a limit on their own, in the order they
 * are judged: the limit is the cause's (mc_cause_limit). */
static const struct cause_limit client_limits[] = {
	{MC_CAUSE_ADDRNOTAVAIL, "local ports (ip_local_port_range per source address)",
	 "connect: Cannot assign requested address (EADDRNOTAVAIL)"},
	{MC_CAUSE_EMFILE, "open files per process (ulimit -n), client",
	 "client socket: Too many open files (EMFILE)"},
	{MC_CAUSE_ENFILE, "open files system-wide (fs.file-max)",
	 "socket: Too many open files in system (ENFILE)"},
};

/* The server's refusals for want of a file, the system's first. */
static const struct cause_limit server_fd_limits[] = {
	{MC_CAUSE_ENFILE, "open files system-wide (fs.file-max), server",
	 "Too many open files in system (ENFILE)"},
	{MC_CAUSE_EMFILE, "open files per process (ulimit -n), server",
	 "Too many open files (EMFILE)"},
};

/* Did a watched cgroup's room fall to its reserve? */
static bool cg_hit(const struct mc_probe_obs *o)
{
	return o->cg_hit > 0 && o->cg_hit <= o->ncg && o->cg_hit <= MC_PROBE_MAX_CG;
}

/* What the judging reads beside o: the kernel's counters over the step and
 * what the server said on the connections it ended. */
struct seen {
	/* ListenOverflows (+ ReqQFullDrop), ListenDrops, SYN retransmits; when
	 * own, overflow and drops are both the drops at the measured server's
	 * own listeners (a listener counts all of its drops once), and
	 * ns_overflow is the namespace's ListenOverflows, other listeners'
	 * included (a --metrics endpoint's under a flood) */
	uint64_t overflow, drops, synre, ns_overflow;
	bool own;
	/* without own: where overflow and drops were counted, " (...)" or "" */
	char from[128];
	/* the accept queue is named only on the kernel's word: SYNs or ACKs
	 * dropped at the listener, or SYNs sent again. Timeouts alone may be
	 * the client's own doing (a worker away past the deadline). */
	bool queue_evidence;
	uint64_t lost;	/* client connections lost, all causes */
	char told[200]; /* "; it said ...", or "" */
};

static void seen_from(const struct mc_probe_obs *o, struct seen *s)
{
	const struct mc_client_said *said = said_most(o);
	const struct mc_host_netstat *b = &o->before.netstat, *a = &o->after.netstat;

	s->ns_overflow = delta(b->listen_overflows.v, a->listen_overflows.v) +
			 delta(b->reqq_full_drop.v, a->reqq_full_drop.v);
	s->synre = delta(b->syn_retrans.v, a->syn_retrans.v);
	s->own = own_listeners(o);
	s->from[0] = '\0';
	if (s->own) {
		/* every SYN or ACK the server's accept queue (or SYN queue)
		 * turned away is one of its listeners' drops: SYNs sent again
		 * while they dropped none were dropped elsewhere */
		s->overflow = s->drops = delta(o->before.listen.drops, o->after.listen.drops);
		s->queue_evidence = s->drops > 0;
	} else {
		s->overflow = s->ns_overflow;
		s->drops = delta(b->listen_drops.v, a->listen_drops.v);
		/* SYNs sent again with no overflow or drop were lost on the
		 * path (a NAT out of ports): not the accept queue */
		s->queue_evidence = s->overflow || s->drops;
		if (o->after.listen_err == -ENOENT)
			snprintf(s->from, sizeof(s->from),
				 " (this host's counters, all listeners': the server's are on "
				 "another host)");
		else if (o->after.listen_err && o->after.listen_err != -ENODATA)
			snprintf(s->from, sizeof(s->from),
				 " (this namespace's counters, all listeners': the server's "
				 "unreadable: %s)",
				 mc_errno_name(-o->after.listen_err));
	}
	s->lost = mc_cause_sum(o->lost);
	s->told[0] = '\0';
	if (said) {
		char text[180];
		mc_client_said_text(said, text, sizeof(text));
		snprintf(s->told, sizeof(s->told), "; it said %s", text);
	}
}

/* The kernel's word on the accept queue, for a verdict: the drops at the
 * server's own listeners, or the namespace's counters and where they were
 * counted; with synre, the SYN retransmits too. */
static void queue_words(const struct seen *s, bool synre, char *buf, size_t len)
{
	if (s->own)
		snprintf(buf, len,
			 "%" PRIu64
			 " SYNs or ACKs dropped at the server's own listeners (sock_diag)",
			 s->drops);
	else
		snprintf(buf, len, "%" PRIu64 " ListenOverflows, %" PRIu64 " ListenDrops",
			 s->overflow, s->drops);
	if (synre) {
		size_t n = strnlen(buf, len);
		snprintf(buf + n, len - n, ", %" PRIu64 " SYN retransmits", s->synre);
	}
	append(buf, len, s->from);
}

/* The memory the probe keeps in reserve: a cgroup's room or MemAvailable.
 * False when neither was reached. */
static bool judge_reserve(const struct mc_probe_obs *o, struct mc_probe_step *st)
{
	if (cg_hit(o)) {
		const struct mc_probe_cgroup *cg = &o->cg[o->cg_hit - 1];
		const struct mc_cg_mem *a = &o->cg_after[o->cg_hit - 1];
		const struct mc_cg_mem *b = &o->cg_before[o->cg_hit - 1];
		char r1[32], r2[32], r3[32];
		set_limit(st, MC_LIMIT_CGROUP_MEMORY, "the probe's reserve in a memory cgroup");
		snprintf(st->happened, sizeof(st->happened),
			 "the %s cgroup (%s) had %s left of its %s %s, the reserve of %s: the probe "
			 "stopped before its OOM killer would (oom_kill +%" PRIu64 ")",
			 cg->who, cg->dir, mc_fmt_bytes(mc_cg_mem_room(a), r1, sizeof(r1)),
			 mc_fmt_bytes(cg->limit, r2, sizeof(r2)), cg->high ? "memory.high" : "limit",
			 mc_fmt_bytes(cg->reserve, r3, sizeof(r3)),
			 delta(b->ev_oom_kill, a->ev_oom_kill));
	} else if (o->reserve_hit) {
		char a[32], b[32];
		set_limit(st, MC_LIMIT_MEMORY, "memory (the probe's reserve)");
		snprintf(st->happened, sizeof(st->happened),
			 "MemAvailable fell to %s, the reserve of %s: the probe stopped before the "
			 "OOM killer would",
			 mc_fmt_bytes(o->after.meminfo.mem_available.v, a, sizeof(a)),
			 mc_fmt_bytes(o->reserve, b, sizeof(b)));
	} else {
		return false;
	}
	return true;
}

/* The kernel's line when a socket is refused buffer memory over tcp_mem
 * max ("TCP: out of memory -- consider tuning tcp_mem"). */
#define TCP_OOM_LINE "out of memory -- consider tuning tcp_mem"

/* --traffic: TCP buffer memory came near tcp_mem max (ramp.c stopped the
 * ramp there), or the kernel said it refused buffer memory (its line in
 * the log): with TCPMemoryPressures and the kernel's lines as evidence.
 * False when neither. */
static bool judge_tcp_mem(const struct mc_probe_obs *o, struct mc_probe_step *st)
{
	const struct mc_host_netstat *nb = &o->before.netstat, *na = &o->after.netstat;
	char a[32], b[32], c[32];
	uint64_t oom = 0, press;

	for (int i = 0; i < o->nkmsg; i++)
		oom += strstr(o->kmsg[i], TCP_OOM_LINE) != NULL;
	if (!o->tcp_mem_hit && !oom)
		return false;
	set_limit(st, MC_LIMIT_TCP_MEM, "TCP buffer memory (net.ipv4.tcp_mem)");
	if (o->tcp_mem_hit)
		snprintf(st->happened, sizeof(st->happened),
			 "TCP buffers held %s (sockstat mem, the whole host), %" PRIu64
			 "%% of tcp_mem max %s (pressure from %s): the probe stops at 97%%, as the "
			 "kernel is about to refuse buffer memory to every socket on the host",
			 mc_fmt_bytes(o->tcp_mem_bytes, a, sizeof(a)),
			 o->tcp_mem_max ? o->tcp_mem_bytes * 100 / o->tcp_mem_max : 0,
			 mc_fmt_bytes(o->tcp_mem_max, b, sizeof(b)),
			 mc_fmt_bytes(o->tcp_mem_pressure, c, sizeof(c)));
	else
		snprintf(st->happened, sizeof(st->happened),
			 "the kernel refused TCP buffer memory: 'TCP: %s' in its log %" PRIu64
			 " time(s) (tcp_mem max, the whole host)",
			 TCP_OOM_LINE, oom);
	press = nb->err || na->err ? 0 : delta(nb->mem_pressures.v, na->mem_pressures.v);
	if (!press && !nb->err && !na->err) /* collect() shows it when not 0 */
		evidence(st, "TCPMemoryPressures", 0,
			 "/proc/net/netstat TcpExt: never over tcp_mem pressure in this step");
	evidence(st, "kernel: TCP out of memory", oom,
		 "lines 'TCP: %s' in the kernel's log during the step%s", TCP_OOM_LINE,
		 oom ? "" : ": none, the probe stopped first");
	return true;
}

/* --heartbeat: the heartbeats fell behind while the CPUs were busy (ramp.c
 * stopped the ramp): cpu, with the evidence. False when they did not. */
static bool judge_cpu(const struct mc_probe_obs *o, struct mc_probe_step *st)
{
	const struct mc_probe_cpuwatch *c = &o->cpu;

	if (!o->cpu_hit)
		return false;
	set_limit(st, MC_LIMIT_CPU, "CPU (the heartbeats fell behind)");
	snprintf(st->happened, sizeof(st->happened),
		 "heartbeats late (p99 %.0f ms > --max-rtt %.0f ms) at %" PRIu64
		 " held, the CPUs %.0f%% busy%s; the schedule held up to %" PRIu64,
		 (double)c->p99 / 1e6, (double)c->max_rtt_ns / 1e6, c->held, c->busy * 100,
		 c->throttled ? ", the CPU cgroup throttled" : "", c->good_held);
	evidence(st, "CPU busy (%)", (uint64_t)(c->busy * 100 + 0.5),
		 "/proc/stat over the last 0.8 s: user %.0f%%, system %.0f%%, softirq %.0f%% of all "
		 "CPUs%s",
		 c->user * 100, c->sys * 100, c->softirq * 100,
		 c->throttled ? "; the CPU cgroup's cpu.stat nr_throttled grew" : "");
	evidence(st, "run queue", c->runq, "/proc/stat procs_running at the stop");
	evidence(st, "heartbeats skipped", c->skipped,
		 "due while the one before was still unwritten, since the ramp began");
	evidence(st, "RTT p99 at the stop (us)", c->p99 / 1000,
		 "p50 %.1f ms; at the last good point (%" PRIu64 " held) p50 %.1f ms, p99 %.1f ms",
		 (double)c->p50 / 1e6, c->good_held, (double)c->good_p50 / 1e6,
		 (double)c->good_p99 / 1e6);
	return true;
}

/* A limit a failure's errno names: the server's thread limit, the client's
 * limit-naming causes, the server's fd limits, epoll watches, kernel
 * memory. False when none was counted. */
static bool judge_refusals(const struct mc_probe_obs *o, struct mc_probe_step *st)
{
	uint64_t watches = o->fail[MC_CAUSE_WATCHES] + o->srv_refused[MC_CAUSE_WATCHES];
	uint64_t nomem = o->fail[MC_CAUSE_NOMEM] + o->srv_refused[MC_CAUSE_NOMEM];
	int cl = first_counted(client_limits, sizeof(client_limits) / sizeof(client_limits[0]),
			       o->fail);
	int sl;

	if (o->srv_refused[MC_CAUSE_THREADS]) {
		/* the server named which thread limit refused it */
		if (strcmp(o->srv_thread_limit, MC_LIMIT_CGROUP_PIDS) == 0)
			set_limit(st, MC_LIMIT_CGROUP_PIDS, "threads: cgroup task limit (pids.max)");
		else if (strcmp(o->srv_thread_limit, MC_LIMIT_MAP_COUNT) == 0)
			set_limit(st, MC_LIMIT_MAP_COUNT,
				  "threads: memory maps per process (vm.max_map_count)");
		else
			set_limit(st, mc_cause_limit(MC_CAUSE_THREADS),
				  "threads (one per connection)");
		snprintf(st->happened, sizeof(st->happened),
			 "pthread_create: %s after %" PRIu64
			 " threads; %" PRIu64 " connections refused",
			 mc_errno_name(o->srv_thread_errno ? o->srv_thread_errno : 11),
			 o->srv_held, o->srv_refused[MC_CAUSE_THREADS]);
	} else if (cl >= 0) {
		enum mc_cause c = client_limits[cl].cause;
		set_limit(st, mc_cause_limit(c), client_limits[cl].name);
		snprintf(st->happened, sizeof(st->happened), "%s x %" PRIu64, client_limits[cl].seen,
			 o->fail[c]);
	} else if ((sl = first_counted(server_fd_limits,
				       sizeof(server_fd_limits) / sizeof(server_fd_limits[0]),
				       o->srv_refused)) >= 0) {
		enum mc_cause c = server_fd_limits[sl].cause;
		set_limit(st, mc_cause_limit(c), server_fd_limits[sl].name);
		snprintf(st->happened, sizeof(st->happened),
			 "server accept: %s at %" PRIu64 " held; %" PRIu64
			 " connections accepted and closed",
			 server_fd_limits[sl].seen, o->srv_held, o->srv_refused[c]);
	} else if (watches) {
		set_limit(st, mc_cause_limit(MC_CAUSE_WATCHES),
			  "epoll watches per user (fs.epoll.max_user_watches)");
		snprintf(st->happened, sizeof(st->happened),
			 "epoll_ctl: No space left on device (ENOSPC) x %" PRIu64
			 ": every process of the user together may watch no more sockets",
			 watches);
	} else if (nomem) {
		set_limit(st, mc_cause_limit(MC_CAUSE_NOMEM), "kernel memory (ENOBUFS/ENOMEM)");
		snprintf(st->happened, sizeof(st->happened),
			 "No buffer space available (ENOBUFS) / ENOMEM x %" PRIu64, nomem);
	} else {
		return false;
	}
	return true;
}

/* Do conntrack's statistics, on the router (--router-netns) or here, show
 * a NAT that found no port for the SYNs (insert_failed)? Then the words
 * (mc_cause_timeout_limit's) into buf. */
static bool path_limit(const struct mc_probe_obs *o, const struct seen *s, char *buf, size_t len)
{
	const struct mc_ct_stat *cb[2] = {&o->before.router_ct, &o->before.ct_stat};
	const struct mc_ct_stat *ca[2] = {&o->after.router_ct, &o->after.ct_stat};
	char where[160];

	for (int i = 0; i < 2; i++) {
		struct mc_timeout_facts f = {.timedout = o->fail[MC_CAUSE_TIMEDOUT],
					     .overflow = s->overflow,
					     .drops = s->drops,
					     .synre = s->synre,
					     .ct_read = true};
		const char *lim;
		if (cb[i]->err || ca[i]->err)
			continue;
		f.ct_insert_failed = delta(cb[i]->insert_failed, ca[i]->insert_failed);
		f.ct_drop = delta(cb[i]->drop, ca[i]->drop);
		snprintf(where, sizeof(where), "%s%.100s%s",
			 i ? "this namespace" : "the router's namespace (",
			 i ? "" : o->router_netns ? o->router_netns : "?", i ? "" : ")");
		f.ct_where = where;
		lim = mc_cause_timeout_limit(&f, buf, len);
		if (lim && strcmp(lim, MC_LIMIT_MIDDLEBOX) == 0)
			return true;
	}
	return false;
}

/* A reverse proxy that said it had no port left toward its upstream
 * (--proxy-log): its ports toward the backend, in its own words. */
static bool judge_proxy(const struct mc_probe_obs *o, struct mc_probe_step *st)
{
	if (o->after.plog_err || !o->after.plog_noport)
		return false;
	set_limit(st, MC_LIMIT_MIDDLEBOX,
		  "ports of a NAT or proxy address per destination: the proxy's upstream ports");
	snprintf(st->happened, sizeof(st->happened), "the proxy logged x %" PRIu64 ": \"%.190s\"",
		 o->after.plog_noport, o->after.plog_line);
	return true;
}

/* What the server host's readings show, or connect timeouts: the
 * conntrack table, the accept queue, or unexplained. False when neither. */
static bool judge_timeouts(const struct mc_probe_obs *o, const struct seen *s,
			   struct mc_probe_step *st)
{
	struct mc_probe_srv_verdict sv;
	char words[200];

	queue_words(s, true, words, sizeof(words));
	if (srv_host_known(o) &&
	    mc_probe_server_host_verdict(o->srv_before, o->srv_after, o->srv_host, o->fail, o->lost,
					 o->held, &sv) &&
	    !(s->own && !s->drops && strcmp(sv.limit_id, MC_LIMIT_ACCEPTQ) == 0)) {
		/* across hosts: what the server host's exporters showed. Their
		 * ListenOverflows are every listener's there: not the accept
		 * queue when the server's own, read here, dropped nothing (a
		 * flood of its --metrics port grew them by thousands while it
		 * ended the connections over its --max-conns) */
		set_limit(st, sv.limit_id, sv.limit_name);
		snprintf(st->happened, sizeof(st->happened), "%s", sv.happened);
	} else if (o->fail[MC_CAUSE_TIMEDOUT] &&
		   path_limit(o, s, st->happened, sizeof(st->happened))) {
		/* the words are in happened already */
		set_limit(st, MC_LIMIT_MIDDLEBOX,
			  "ports of a NAT or proxy address per destination (middlebox_ports)");
	} else if (o->fail[MC_CAUSE_TIMEDOUT] && !o->after.ct_err && o->after.ct_max &&
		   o->after.ct_count + o->after.ct_max / 100 >= o->after.ct_max) {
		set_limit(st, MC_LIMIT_CONNTRACK, "connection tracking table (nf_conntrack_max)");
		snprintf(st->happened, sizeof(st->happened),
			 "connect timed out x %" PRIu64 ": nf_conntrack table full (%" PRIu64
			 "/%" PRIu64 "), new SYNs dropped",
			 o->fail[MC_CAUSE_TIMEDOUT], o->after.ct_count, o->after.ct_max);
	} else if (o->fail[MC_CAUSE_TIMEDOUT] && s->queue_evidence) {
		set_limit(st, mc_cause_limit(MC_CAUSE_TIMEDOUT),
			  "accept queue (listen backlog, somaxconn)");
		snprintf(st->happened, sizeof(st->happened),
			 "connect timed out x %" PRIu64
			 " with %.160s: the server does not accept as fast as they arrive",
			 o->fail[MC_CAUSE_TIMEDOUT], words);
	} else if (o->fail[MC_CAUSE_TIMEDOUT] && s->own) {
		set_limit(st, "unknown", "connect timeouts the kernel does not explain");
		snprintf(st->happened, sizeof(st->happened),
			 "connect timed out x %" PRIu64
			 " with no SYN or ACK dropped at the server's own listeners (sock_diag; the "
			 "namespace's %" PRIu64 " ListenOverflows and %" PRIu64
			 " SYN retransmits were other sockets'): not the accept queue",
			 o->fail[MC_CAUSE_TIMEDOUT], s->ns_overflow, s->synre);
	} else if (o->fail[MC_CAUSE_TIMEDOUT] && s->synre) {
		set_limit(st, "unknown", "connect timeouts the kernel does not explain");
		snprintf(st->happened, sizeof(st->happened),
			 "connect timed out x %" PRIu64 " with %" PRIu64
			 " SYN retransmits, no listen overflow or drop: not the accept queue; SYNs "
			 "lost on the path (a NAT out of ports?): see --router-netns",
			 o->fail[MC_CAUSE_TIMEDOUT], s->synre);
	} else if (o->fail[MC_CAUSE_TIMEDOUT]) {
		set_limit(st, "unknown", "connect timeouts the kernel does not explain");
		if (o->cli_stalls)
			snprintf(st->happened, sizeof(st->happened),
				 "connect timed out x %" PRIu64
				 " with no ListenOverflows, ListenDrops or SYN retransmits: not the "
				 "accept queue; the client fell behind (away %" PRIu64
				 " times, up to %.2f s)",
				 o->fail[MC_CAUSE_TIMEDOUT], o->cli_stalls,
				 (double)o->cli_stall_max_ns / 1e9);
		else
			snprintf(st->happened, sizeof(st->happened),
				 "connect timed out x %" PRIu64
				 " with no ListenOverflows, ListenDrops or SYN retransmits: not the "
				 "accept queue (see the evidence)",
				 o->fail[MC_CAUSE_TIMEDOUT]);
	} else {
		return false;
	}
	return true;
}

/* Connections the server ended or never had: a policy, the server's own
 * limit, its accept queue, nothing listening, or losses in words. False
 * when none was lost or refused. */
static bool judge_losses(const struct mc_probe_obs *o, const struct seen *s,
			 struct mc_probe_step *st)
{
	uint64_t lost = s->lost;
	char words[200];

	if (lost && !o->have_server && o->reached * 100 <= lost && !s->told[0] &&
	    o->lost[MC_CAUSE_PEER_CLOSED] == lost) {
		/* closed, every one, with not a byte said: no refusal in words
		 * but a server that ends connections that send nothing (an
		 * HTTP server's client_header_timeout, a handshake timeout) */
		set_limit(st, "server_closes_idle",
			  "the server closes connections that send nothing (an idle or request "
			  "timeout)");
		snprintf(st->happened, sizeof(st->happened),
			 "the server closed every connection (%" PRIu64 ") and holds %" PRIu64
			 "; it said nothing: it ends connections that send nothing (an HTTP "
			 "server's client_header_timeout; --proto http sends a request on each)",
			 lost, o->reached);
	} else if (lost && !o->have_server && o->reached * 100 <= lost) {
		/* closed at once, holding (next to) none: not a ceiling but a
		 * policy (protected mode, authentication, an allow list) */
		set_limit(st, "server_refuses",
			  "the server refuses this client (policy, authentication, protected mode)");
		snprintf(st->happened, sizeof(st->happened),
			 "the server ended every connection at once (%" PRIu64 ") and holds %" PRIu64,
			 lost, o->reached);
		append(st->happened, sizeof(st->happened), s->told);
	} else if (lost && !o->have_server) {
		set_limit(st, "server", "the server's own limit");
		snprintf(st->happened, sizeof(st->happened),
			 "the server closed or reset %" PRIu64 " connections once it held about %" PRIu64
			 " (its connection or fd limit)",
			 lost, o->reached);
		append(st->happened, sizeof(st->happened), s->told);
	} else if (o->reached_server && o->reached < o->held && (s->overflow || s->drops)) {
		/* the client holds connections the server does not have: the
		 * kernel completed them (SYN cookies, or the final ACK came to a
		 * full queue) and dropped them at the server's accept queue; the
		 * client learns it only when it sends */
		queue_words(s, false, words, sizeof(words));
		set_limit(st, MC_LIMIT_ACCEPTQ, "accept queue (listen backlog, somaxconn)");
		snprintf(st->happened, sizeof(st->happened),
			 "the client holds %" PRIu64 " but the server %" PRIu64
			 ": %.90s: connections the kernel completed were dropped at the "
			 "server's full accept queue, and the server never saw them",
			 o->held, o->reached, words);
	} else if (o->reached_server && o->reached < o->held) {
		set_limit(st, "server", "the server's own limit");
		snprintf(st->happened, sizeof(st->happened),
			 "the client holds %" PRIu64 " but the server %" PRIu64
			 ": it had not accepted the rest when the counts settled",
			 o->held, o->reached);
	} else if (s->overflow && lost) {
		set_limit(st, MC_LIMIT_ACCEPTQ, "accept queue (listen backlog, somaxconn)");
		if (s->own)
			queue_words(s, false, words, sizeof(words));
		else
			snprintf(words, sizeof(words), "%" PRIu64 " ListenOverflows%s", s->overflow,
				 s->from);
		snprintf(st->happened, sizeof(st->happened),
			 "connect timed out x %" PRIu64
			 " with %.160s: the server does not accept as fast as they arrive",
			 o->fail[MC_CAUSE_TIMEDOUT], words);
	} else if (o->fail[MC_CAUSE_REFUSED]) {
		set_limit(st, "refused", "nothing listening (ECONNREFUSED)");
		snprintf(st->happened, sizeof(st->happened), "connect: Connection refused x %" PRIu64,
			 o->fail[MC_CAUSE_REFUSED]);
	} else if (lost) {
		set_limit(st, "lost", "connections lost");
		snprintf(st->happened, sizeof(st->happened),
			 "%" PRIu64 " established connections were closed or reset by the server side",
			 lost);
		append(st->happened, sizeof(st->happened), s->told);
	} else {
		return false;
	}
	return true;
}

/* A failure no limit explains: say it in its own words (the most counted
 * cause); the server's answer in its protocol (--proto http: 503, 429...)
 * is the server's own, with what it said. */
static void judge_failed(const struct mc_probe_obs *o, const struct seen *s,
			 struct mc_probe_step *st)
{
	int k = 0;

	for (int i = 1; i < MC_CAUSE_COUNT; i++)
		if (o->fail[i] > o->fail[k])
			k = i;
	if (k == MC_CAUSE_PROTO) {
		set_limit(st, "server_answer", "the server's own answer (its protocol's refusal)");
		snprintf(st->happened, sizeof(st->happened),
			 "the server refused %" PRIu64 " connections in its protocol's answer and "
			 "holds %" PRIu64,
			 o->fail[k], o->reached);
		append(st->happened, sizeof(st->happened), s->told);
		return;
	}
	set_limit(st, "connect", "connect() failed");
	snprintf(st->happened, sizeof(st->happened), "%.159s x %" PRIu64,
		 o->cause_error[k][0] ? o->cause_error[k] : mc_cause_key(k), o->fail[k]);
}

/* The host limit the counts point at; "" when none does. The order is the
 * verdict's: the reserve, then what an errno names, the timeouts, the
 * losses, and last any other failure. */
static void judge(const struct mc_probe_obs *o, struct mc_probe_step *st)
{
	struct seen s;

	seen_from(o, &s);
	if (judge_reserve(o, st) || judge_tcp_mem(o, st) || judge_cpu(o, st) ||
	    judge_refusals(o, st) || judge_proxy(o, st) || judge_timeouts(o, &s, st) ||
	    judge_losses(o, &s, st))
		return;
	if (mc_cause_sum(o->fail))
		judge_failed(o, &s, st);
}

/* A thread could not be created: say which of the thread limits the model
 * expected to bind (RLIMIT_NPROC, threads-max, pid_max, pids.max, stack
 * address space). */
static void name_thread_limit(struct mc_probe_step *st)
{
	static const char *const family[] = {
		MC_LIMIT_THREADS,     MC_LIMIT_PID_MAX,	     MC_LIMIT_NPROC,
		MC_LIMIT_CGROUP_PIDS, MC_LIMIT_THREAD_STACK,
	};

	if (strcmp(st->limit_id, MC_LIMIT_THREADS) != 0)
		return;
	for (size_t i = 0; i < sizeof(family) / sizeof(family[0]); i++) {
		const struct mc_probe_limit *l = mc_probe_step_limit(st, family[i]);
		if (l && l->binding) {
			/* the name cut to fit after "threads: " */
			snprintf(st->limit_name, sizeof(st->limit_name), "threads: %.86s", l->name);
			return;
		}
	}
}

void mc_probe_diagnose(const struct mc_probe_obs *o, struct mc_probe_step *st)
{
	st->nev = 0;
	st->limit_id[0] = st->limit_name[0] = st->happened[0] = '\0';
	collect(o, st);
	judge(o, st);
	if (o->child_failed) {
		st->stop = MC_PROBE_FAILED;
		snprintf(st->happened, sizeof(st->happened), "%s", o->child_error);
	} else if (o->reserve_hit || cg_hit(o)) {
		st->stop = MC_PROBE_RESERVE;
	} else if (o->held >= o->target && (!o->reached_server || o->reached >= o->target)) {
		/* the target, held by the client and, when it is counted, by
		 * the server */
		st->stop = MC_PROBE_TARGET;
		st->limit_id[0] = '\0';
		snprintf(st->limit_name, sizeof(st->limit_name), "none: the target was reached");
		snprintf(st->happened, sizeof(st->happened),
			 "all %" PRIu64 " connections established and held", o->held);
	} else if (o->interrupted) {
		st->stop = MC_PROBE_INTERRUPTED;
		if (!st->happened[0])
			snprintf(st->happened, sizeof(st->happened),
				 "interrupted (%s) at %" PRIu64 " held",
				 o->stop_signal == SIGTERM ? "SIGTERM"
				 : o->stop_signal == SIGINT ? "Ctrl-C"
							    : "a signal",
				 o->held);
	} else if (st->limit_id[0]) {
		st->stop = MC_PROBE_LIMIT;
	} else if (o->timed_out) {
		st->stop = MC_PROBE_TIMEOUT;
		snprintf(st->happened, sizeof(st->happened),
			 "--timeout passed at %" PRIu64 " held; no limit showed", o->held);
	} else {
		st->stop = MC_PROBE_LIMIT;
		set_limit(st, "unknown", "no known limit (see the evidence)");
		if (o->target == MC_LIMITS_NONE)
			snprintf(st->happened, sizeof(st->happened),
				 "%" PRIu64 " held (target max) and no failure was counted", o->held);
		else
			snprintf(st->happened, sizeof(st->happened),
				 "%" PRIu64 " of %" PRIu64 " held and no failure was counted", o->held,
				 o->target);
	}
	name_thread_limit(st);
}
