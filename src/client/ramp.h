/* ramp.h: the connect ramp as one worker runs it, internal to the client
 * engine. The worker's loop calls it each turn: deadlines first (what the
 * kernel says of connects past theirs), then new connects, then the
 * completions its events bring. */
#ifndef MC_CLIENT_RAMP_H
#define MC_CLIENT_RAMP_H

#include <stdint.h>

#include "client/client-t.h"

/* Start connects while the in-flight window and the rate allow, for at
 * most CONNECT_BATCH_NS (1 ms). Lowers *timeout (ms) to when the next one
 * is due. */
void mc_client__start_connects(struct cli_worker *w, uint64_t now, int *timeout);

/* A connecting fd's first event (events: its epoll mask): established (the
 * first echo message goes out) or failed, counted by cause. SO_ERROR is
 * asked only when the mask has an error or a hang-up. */
void mc_client__on_connect_event(struct cli_worker *w, int fd, uint32_t events, uint64_t now);

/* The connects whose deadline has passed, in order: the kernel says what
 * became of each (a timeout only when it is still in SYN_SENT). */
void mc_client__expire_timeouts(struct cli_worker *w, uint64_t now);

#endif
