/* cause.c: errno -> cause -> limit and advice (see cause.h). */
#include "net/cause.h"

#include <errno.h>
#include <stddef.h>

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
} causes[MC_CAUSE_COUNT] = {
	[MC_CAUSE_ADDRNOTAVAIL] = {"EADDRNOTAVAIL", MC_LIMIT_PORTS,
				   "the local ports for a (source, destination) pair are used up; "
				   "add source addresses with --source 127.0.0.2-127.0.0.50, add "
				   "destination ports, or widen net.ipv4.ip_local_port_range"},
	[MC_CAUSE_EMFILE] = {"EMFILE", MC_LIMIT_FD_PROCESS,
			     "the process hit RLIMIT_NOFILE (ulimit -n); raise it (ulimit -n, "
			     "LimitNOFILE= in systemd, nofile in limits.conf) or use more workers, "
			     "each with its own fd table"},
	[MC_CAUSE_ENFILE] = {"ENFILE", MC_LIMIT_FD_SYSTEM,
			     "the system-wide file limit is reached; raise fs.file-max "
			     "(sysctl -w fs.file-max=N)"},
	[MC_CAUSE_TIMEDOUT] = {"ETIMEDOUT", MC_LIMIT_ACCEPTQ,
			       "SYNs went unanswered: the server's accept queue is full "
			       "(see ListenOverflows in /proc/net/netstat; raise "
			       "net.core.somaxconn and the backlog, or accept faster), or a full "
			       "conntrack table drops them (nf_conntrack_max)"},
	[MC_CAUSE_REFUSED] = {"ECONNREFUSED", NULL,
			      "nothing listens on that address and port; start the server or check "
			      "--connect"},
	[MC_CAUSE_RESET] = {"ECONNRESET", NULL,
			    "the peer reset the connection: it closed with unread data, died, or "
			    "dropped connections it could not keep"},
	[MC_CAUSE_PEER_CLOSED] = {"peer_closed", NULL,
				  "the peer closed the connection while it was held (server "
				  "stopped, or a limit on its side)"},
	[MC_CAUSE_NOMEM] = {"ENOBUFS", MC_LIMIT_MEMORY,
			    "the kernel could not allocate socket memory; see MemAvailable and "
			    "net.ipv4.tcp_mem"},
	[MC_CAUSE_UNREACH] = {"EHOSTUNREACH", NULL,
			      "no route to the destination; check the address and routes"},
	[MC_CAUSE_WATCHES] = {"ENOSPC", MC_LIMIT_EPOLL_WATCHES,
			      "epoll_ctl: the user's epoll watches are used up "
			      "(fs.epoll.max_user_watches, shared by every process of the user; "
			      "default 4% of low memory / ~90 bytes); raise it: sysctl -w "
			      "fs.epoll.max_user_watches=N"},
	[MC_CAUSE_OTHER] = {"other", NULL, "an unexpected error; see the message"},
};

const char *mc_cause_key(enum mc_cause c)
{
	return c < MC_CAUSE_COUNT ? causes[c].key : "other";
}

const char *mc_cause_limit(enum mc_cause c)
{
	return c < MC_CAUSE_COUNT ? causes[c].limit : NULL;
}

const char *mc_cause_advice(enum mc_cause c)
{
	return c < MC_CAUSE_COUNT ? causes[c].advice : "";
}

uint64_t mc_cause_sum(const uint64_t v[MC_CAUSE_COUNT])
{
	uint64_t s = 0;

	for (int k = 0; k < MC_CAUSE_COUNT; k++)
		s += v[k];
	return s;
}
