/* cause.h: why a connection failed or ended, and the host limit behind it.
 *
 * The client and server count every failure by cause (per worker, merged on
 * read); the limits model and the reports use the same limit ids, so a
 * failure seen at run time names the limit `maxconn limits` predicted. */
#ifndef MC_NET_CAUSE_H
#define MC_NET_CAUSE_H

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
	MC_CAUSE_OTHER,
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
/* the total of a per-cause count array (fail[], lost[]) */
uint64_t mc_cause_sum(const uint64_t v[MC_CAUSE_COUNT]);

#endif
