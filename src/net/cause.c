/* cause.c: errno -> cause -> limit and advice, and the server's summary
 * keys (see cause.h). */
#include "net/cause.h"

#include <errno.h>
#include <stdbool.h>
#include <inttypes.h>
#include <stddef.h>
#include <stdio.h>

enum mc_cause mc_cause_from_errno(int e)
{
	if (e < 0)
		e = -e;
	switch (e) {
	case EADDRNOTAVAIL: return MC_CAUSE_ADDRNOTAVAIL;
	case EMFILE: return MC_CAUSE_EMFILE;
	case ENFILE: return MC_CAUSE_ENFILE;
	case ETIMEDOUT: return MC_CAUSE_TIMEDOUT;
	case ECONNREFUSED: return MC_CAUSE_REFUSED;
	case ECONNRESET:
	case EPIPE:
	case ECONNABORTED: return MC_CAUSE_RESET;
	case ENOBUFS:
	case ENOMEM: return MC_CAUSE_NOMEM;
	case ENETUNREACH:
	case EHOSTUNREACH: return MC_CAUSE_UNREACH;
	case ENOSPC: return MC_CAUSE_WATCHES;
	default: return MC_CAUSE_OTHER;
	}
}

static const struct {
	const char *key, *limit, *advice;
	const char *srv; /* the server's JSON key (refused.*, closed.*), or NULL */
} causes[MC_CAUSE_COUNT] = {
	[MC_CAUSE_ADDRNOTAVAIL] = {"EADDRNOTAVAIL", MC_LIMIT_PORTS,
				   "the local ports for a (source, destination) pair are used up, "
				   "by connections or by closed ones still in TIME_WAIT "
				   "(tcp_tw_reuse); add source addresses with --source "
				   "127.0.0.2-127.0.0.50, add destination ports, or widen "
				   "net.ipv4.ip_local_port_range"},
	[MC_CAUSE_EMFILE] = {"EMFILE", MC_LIMIT_FD_PROCESS,
			     "the process hit RLIMIT_NOFILE (ulimit -n); raise it (ulimit -n, "
			     "LimitNOFILE= in systemd, nofile in limits.conf) or use more workers, "
			     "each with its own fd table",
			     "fd_limit"},
	[MC_CAUSE_ENFILE] = {"ENFILE", MC_LIMIT_FD_SYSTEM,
			     "the system-wide file limit is reached (fs.file-max, which binds "
			     "processes without CAP_SYS_ADMIN); raise it: sysctl -w fs.file-max=N, "
			     "or run as root; more fd tables do not help",
			     "fd_system"},
	[MC_CAUSE_TIMEDOUT] = {"ETIMEDOUT", MC_LIMIT_ACCEPTQ,
			       "SYNs went unanswered: the server's accept queue is full "
			       "(see ListenOverflows in /proc/net/netstat; raise "
			       "net.core.somaxconn and the backlog, or accept faster), a full "
			       "conntrack table drops them (nf_conntrack_max), or a NAT on the "
			       "path has no port left toward the destination (conntrack -S "
			       "insert_failed on the router; see middlebox_ports)"},
	[MC_CAUSE_REFUSED] = {"ECONNREFUSED", NULL,
			      "nothing listens on that address and port; start the server or check "
			      "--connect"},
	[MC_CAUSE_RESET] = {"ECONNRESET", NULL,
			    "the peer reset the connection: it closed with unread data, died, or "
			    "dropped connections it could not keep",
			    "ECONNRESET"},
	[MC_CAUSE_PEER_CLOSED] = {"peer_closed", NULL,
				  "the peer closed the connection while it was held (server "
				  "stopped, or a limit on its side)",
				  "peer_closed"},
	[MC_CAUSE_NOMEM] = {"ENOBUFS", MC_LIMIT_MEMORY,
			    "the kernel could not allocate socket memory; see MemAvailable and "
			    "net.ipv4.tcp_mem",
			    "memory"},
	[MC_CAUSE_UNREACH] = {"EHOSTUNREACH", NULL,
			      "no route to the destination; check the address and routes"},
	[MC_CAUSE_WATCHES] = {"ENOSPC", MC_LIMIT_EPOLL_WATCHES,
			      "epoll_ctl: the user's epoll watches are used up "
			      "(fs.epoll.max_user_watches, shared by every process of the user; "
			      "default 4% of low memory / ~90 bytes); raise it: sysctl -w "
			      "fs.epoll.max_user_watches=N",
			      "epoll_watches"},
	[MC_CAUSE_PROTO] = {"protocol", NULL,
			    "the server answered the protocol's request with a refusal or with "
			    "something that is not the protocol (--proto http: a status other than "
			    "2xx/3xx, a malformed answer, none in time); see the failures by "
			    "protocol cause and what the server said"},
	[MC_CAUSE_OTHER] = {"other", NULL, "an unexpected error; see the message", "other"},
	[MC_CAUSE_MAX_CONNS] = {"max_conns", NULL,
				"the server holds --max-conns connections and refuses the rest; "
				"raise --max-conns",
				"max_conns"},
	[MC_CAUSE_THREADS] = {"threads", MC_LIMIT_THREADS,
			      "the thread limit (ulimit -u, kernel.threads-max, kernel.pid_max, "
			      "pids.max, vm.max_map_count) or memory for stacks; one thread per "
			      "connection does not scale, epoll does (--model epoll)",
			      "threads"},
};

const char *mc_cause_key(enum mc_cause c)
{
	return c < MC_CAUSE_COUNT ? causes[c].key : "other";
}

const char *mc_cause_limit(enum mc_cause c)
{
	return c < MC_CAUSE_COUNT ? causes[c].limit : NULL;
}

const char *mc_cause_server_key(enum mc_cause c)
{
	return c < MC_CAUSE_COUNT ? causes[c].srv : NULL;
}

const char *mc_cause_advice(enum mc_cause c)
{
	return c < MC_CAUSE_COUNT ? causes[c].advice : "";
}

bool mc_cause_server_only(enum mc_cause c)
{
	return c == MC_CAUSE_MAX_CONNS || c == MC_CAUSE_THREADS;
}

uint64_t mc_cause_sum(const uint64_t v[MC_CAUSE_COUNT])
{
	uint64_t s = 0;

	for (int k = 0; k < MC_CAUSE_COUNT; k++)
		s += v[k];
	return s;
}

/* The server's summary: which causes have a key, in report order. */
static const enum mc_cause srv_refused[] = {MC_CAUSE_EMFILE,  MC_CAUSE_MAX_CONNS,
					    MC_CAUSE_NOMEM,   MC_CAUSE_THREADS,
					    MC_CAUSE_WATCHES, MC_CAUSE_ENFILE};
static const enum mc_cause srv_closed[] = {MC_CAUSE_PEER_CLOSED, MC_CAUSE_RESET, MC_CAUSE_OTHER};
static const enum mc_cause srv_limit[] = {MC_CAUSE_THREADS, MC_CAUSE_ENFILE, MC_CAUSE_EMFILE,
					  MC_CAUSE_WATCHES, MC_CAUSE_NOMEM};

/* out[i] for each of the n keyed causes; with rest, the last key also
 * takes every cause that has no key in the list. */
static int server_counts(const uint64_t v[MC_CAUSE_COUNT], const enum mc_cause *keyed, int n,
			 bool rest, struct mc_cause_count out[MC_CAUSE_COUNT])
{
	uint64_t listed = 0;

	for (int i = 0; i < n; i++) {
		out[i] = (struct mc_cause_count){causes[keyed[i]].srv, keyed[i], v[keyed[i]]};
		listed += v[keyed[i]];
	}
	if (rest)
		out[n - 1].n += mc_cause_sum(v) - listed;
	return n;
}

int mc_cause_server_refused(const uint64_t refused[MC_CAUSE_COUNT],
			    struct mc_cause_count out[MC_CAUSE_COUNT])
{
	return server_counts(refused, srv_refused, (int)(sizeof(srv_refused) / sizeof(*srv_refused)),
			     false, out);
}

int mc_cause_server_closed(const uint64_t closed[MC_CAUSE_COUNT],
			   struct mc_cause_count out[MC_CAUSE_COUNT])
{
	return server_counts(closed, srv_closed, (int)(sizeof(srv_closed) / sizeof(*srv_closed)),
			     true, out);
}

enum mc_cause mc_cause_server_limit(const uint64_t refused[MC_CAUSE_COUNT])
{
	for (size_t i = 0; i < sizeof(srv_limit) / sizeof(*srv_limit); i++)
		if (refused[srv_limit[i]])
			return srv_limit[i];
	return MC_CAUSE_COUNT;
}

/* a thread maps its stack and a guard page: 2 (limits.h's
 * MC_LIMITS_MAPS_PER_THREAD), and what glibc maps with it */
#define MAPS_PER_NEW_THREAD 4

const char *mc_cause_thread_limit(const struct mc_thread_facts *f)
{
	if (f->max_map_count && f->maps + MAPS_PER_NEW_THREAD > f->max_map_count)
		return MC_LIMIT_MAP_COUNT;
	if (f->pids_refused || (f->pids_max && f->pids_current >= f->pids_max))
		return MC_LIMIT_CGROUP_PIDS;
	return MC_LIMIT_THREADS;
}

const char *mc_cause_timeout_limit(const struct mc_timeout_facts *f, char *why, size_t len)
{
	const char *w = f->ct_where ? f->ct_where : "this namespace";

	if (f->ct_read && f->ct_insert_failed) {
		snprintf(why, len,
			 "connect timed out x %" PRIu64 ": conntrack -S in %s counted insert_failed "
			 "%" PRIu64 " and drop %" PRIu64
			 ": a NAT found no free port toward the destination and dropped the SYNs "
			 "(%" PRIu64 " ListenOverflows, %" PRIu64 " SYN retransmits)",
			 f->timedout, w, f->ct_insert_failed, f->ct_drop, f->overflow, f->synre);
		return MC_LIMIT_MIDDLEBOX;
	}
	if (f->ct_read && f->ct_drop) {
		snprintf(why, len,
			 "connect timed out x %" PRIu64 ": conntrack -S in %s counted drop %" PRIu64
			 " with no insert failure: its table is full (nf_conntrack_max)",
			 f->timedout, w, f->ct_drop);
		return MC_LIMIT_CONNTRACK;
	}
	if (f->overflow || f->drops) {
		snprintf(why, len,
			 "connect timed out x %" PRIu64 " with %" PRIu64 " ListenOverflows, %" PRIu64
			 " ListenDrops: the server does not accept as fast as they arrive",
			 f->timedout, f->overflow, f->drops);
		return MC_LIMIT_ACCEPTQ;
	}
	snprintf(why, len,
		 "connect timed out x %" PRIu64 " with no listen overflow or drop%s (%" PRIu64
		 " SYN retransmits): not the accept queue on this evidence; the SYNs were lost on "
		 "the path (a NAT or proxy out of ports, a firewall, a full conntrack table "
		 "elsewhere): give --router-netns, or see the server host's counters",
		 f->timedout, f->ct_read ? " and no conntrack drop" : "", f->synre);
	return NULL;
}
