/* cause.h: why a connection failed, was refused or ended, and the host
 * limit behind it: the one place that maps cause -> limit id -> advice.
 *
 * The client and server count every failure by cause (per worker, merged on
 * read); the limits model and the reports use the same limit ids, so a
 * failure seen at run time names the limit `maxconn limits` predicted. The
 * server's summary keeps its own JSON keys (refused.fd_limit,
 * closed.peer_closed, ...), which this table also holds. */
#ifndef MC_NET_CAUSE_H
#define MC_NET_CAUSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/limit-t.h"

enum mc_cause {
	MC_CAUSE_ADDRNOTAVAIL, /* no free local port for this 4-tuple */
	MC_CAUSE_EMFILE,       /* per-process (per fd table) fd limit */
	MC_CAUSE_ENFILE,       /* system-wide fd limit, fs.file-max */
	MC_CAUSE_TIMEDOUT,     /* connect timed out: SYNs dropped */
	MC_CAUSE_REFUSED,      /* RST to the SYN: nothing listening */
	MC_CAUSE_RESET,        /* peer reset an established connection */
	MC_CAUSE_PEER_CLOSED,  /* peer closed (EOF) while we held it */
	MC_CAUSE_NOMEM,        /* ENOBUFS / ENOMEM: kernel memory */
	MC_CAUSE_UNREACH,      /* ENETUNREACH / EHOSTUNREACH */
	MC_CAUSE_WATCHES,      /* epoll_ctl ENOSPC: fs.epoll.max_user_watches */
	MC_CAUSE_PROTO,	       /* the protocol's answer refused it (--proto: HTTP 4xx/5xx, malformed) */
	MC_CAUSE_OTHER,
	/* the server's own refusals (never from an errno, so never in the
	 * client's counts) */
	MC_CAUSE_MAX_CONNS, /* over --max-conns: no host limit */
	MC_CAUSE_THREADS,   /* pthread_create failed (EAGAIN): the thread limit */
	MC_CAUSE_COUNT
};

enum mc_cause mc_cause_from_errno(int e);
/* "EADDRNOTAVAIL", "peer_closed": the key used in JSON */
const char *mc_cause_key(enum mc_cause c);
/* the limit id behind a cause, or NULL when no host limit is (refused,
 * reset, peer closed) */
const char *mc_cause_limit(enum mc_cause c);
/* one sentence: what it means and what to change */
const char *mc_cause_advice(enum mc_cause c);
/* true for the server's own refusals (max_conns, threads): never from an
 * errno, so never in a client's counts */
bool mc_cause_server_only(enum mc_cause c);
/* the total of a per-cause count array (fail[], lost[]) */
uint64_t mc_cause_sum(const uint64_t v[MC_CAUSE_COUNT]);

/* What the host showed when a thread could not be created (0: unknown). */
struct mc_thread_facts {
	uint64_t maps, max_map_count;	 /* the process's maps, vm.max_map_count */
	uint64_t pids_current, pids_max; /* its pids cgroup; pids_max 0: no limit */
	uint64_t pids_refused;		 /* forks it refused since the start (pids.events) */
};
/* The limit id behind a pthread_create that failed: max_map_count when the
 * process's maps are at vm.max_map_count (the stack could not be mapped),
 * cgroup_pids when its pids cgroup refused a fork or is full, else threads
 * (RLIMIT_NPROC, kernel.threads-max, kernel.pid_max, memory). */
const char *mc_cause_thread_limit(const struct mc_thread_facts *f);

/* What a side saw while connects timed out, as growth over the run: the
 * accept queue's counters where they were read (ListenOverflows and
 * ListenDrops of this namespace, or the server's own listeners), SYNs sent
 * again, and conntrack's statistics (conntrack -S) here or on the router
 * (ct_read false: not read). */
struct mc_timeout_facts {
	uint64_t timedout;
	uint64_t overflow, drops, synre;
	bool ct_read;
	uint64_t ct_insert_failed, ct_drop;
	const char *ct_where; /* "the router's namespace (mc_r)", "this namespace" */
};
/* The limit id the timeouts point at, with the evidence in words in why:
 * middlebox_ports when conntrack failed to insert (a NAT found no free
 * port toward the destination), conntrack when it dropped with no insert
 * failure (its table full), accept_queue only on a listen overflow or
 * drop; NULL when none of them grew (SYN retransmits alone name no limit:
 * the SYNs were lost somewhere on the path). */
const char *mc_cause_timeout_limit(const struct mc_timeout_facts *f, char *why, size_t len);

/* The server's JSON key for a cause (refused.fd_limit, closed.peer_closed;
 * also the cause label of its Prometheus families), NULL when the server
 * has none for it. */
const char *mc_cause_server_key(enum mc_cause c);

/* One line of the server's summary: its JSON key and the count under it. */
struct mc_cause_count {
	const char *key;
	enum mc_cause cause; /* the cause the key names */
	uint64_t n;
};

/* The server's refusals under its JSON keys, in report order: fd_limit,
 * max_conns, memory, threads, epoll_watches, fd_system (refusals of any
 * other cause have no key of their own). Fills out[] and returns how many. */
int mc_cause_server_refused(const uint64_t refused[MC_CAUSE_COUNT],
			    struct mc_cause_count out[MC_CAUSE_COUNT]);
/* The server's closes under its JSON keys, in report order: peer_closed,
 * ECONNRESET, other (every cause without a key of its own). Fills out[] and
 * returns how many. */
int mc_cause_server_closed(const uint64_t closed[MC_CAUSE_COUNT],
			   struct mc_cause_count out[MC_CAUSE_COUNT]);
/* The refusal whose host limit stopped the server, in the order the server
 * names one (threads, the system's files, the fd limit, epoll watches,
 * memory), or
 * MC_CAUSE_COUNT when no refusal was for a host limit. */
enum mc_cause mc_cause_server_limit(const uint64_t refused[MC_CAUSE_COUNT]);

#endif
