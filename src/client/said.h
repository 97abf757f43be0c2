/* said.h: what a server said on connections it then ended, as the client
 * engine catches and merges it; internal (the public part, struct
 * mc_client_said and its text, is in client.h). A worker keeps a
 * connection's first bytes while it sends nothing itself (else they would
 * be its own bytes echoed), and counts them under the connection's cause
 * when it ends: a few distinct messages, bounded memory, no buffer per
 * connection. */
#ifndef MC_CLIENT_SAID_H
#define MC_CLIENT_SAID_H

#include <stddef.h>
#include <stdint.h>

#include "client/client-t.h"

/* The first bytes (n of b) the server sent on connection fd: kept in its
 * slot of w->pending until the connection ends or the slot is taken again
 * (so the counts are a lower bound). */
void mc_client__said_first(struct cli_worker *w, int fd, const unsigned char *b, size_t n);

/* What fd's server said is no longer of interest (an answer that was
 * fine): its slot is freed. */
void mc_client__said_forget(struct cli_worker *w, int fd);

/* Connection fd ended for cause why: if the server had said something on
 * it, count that message under the cause in w->said (a new entry while there
 * is room: MC_CLIENT_SAID_MAX in all, MC_CLIENT_SAID_PER_CAUSE per cause). */
void mc_client__said_ended(struct cli_worker *w, int fd, enum mc_cause why);

/* Count n connections that were told b (len bytes) before ending for cause:
 * onto the same message in st->said, or as a new one while there is room. */
void mc_client__said_add(struct mc_client_stats *st, uint8_t cause, const unsigned char *b,
			 uint8_t len, uint64_t n);

#endif
