/* said.c: what a server said on connections it then ended (see client.h,
 * mc_client_said): caught by each worker (the first bytes of a connection,
 * counted under its cause when it ends), merged across workers, and as text
 * for people (the client's summary, the probe's evidence). */
#include "client/said.h"

#include <stdio.h>
#include <string.h>

#include "common/counter.h"

void mc_client__said_first(struct cli_worker *w, int fd, const unsigned char *b, size_t n)
{
	struct said_pending *p = &w->pending[(unsigned)fd % PENDING_SAID];

	p->fd = fd;
	p->gen = w->conns[fd].gen;
	p->len = (uint8_t)(n < MC_CLIENT_SAID_BYTES ? n : MC_CLIENT_SAID_BYTES);
	memcpy(p->bytes, b, p->len);
}

void mc_client__said_forget(struct cli_worker *w, int fd)
{
	struct said_pending *p = &w->pending[(unsigned)fd % PENDING_SAID];

	if (p->fd == fd && p->gen == w->conns[fd].gen)
		p->fd = -1;
}

/* Where message b (len bytes, ended by cause) goes among the n of list:
 * the index of the same message under the same cause, n when it is new and
 * there is room (MC_CLIENT_SAID_MAX in all, MC_CLIENT_SAID_PER_CAUSE per
 * cause), or -1 when there is not. */
static int said_place(const struct mc_client_said *list, unsigned n, uint8_t cause,
		      const unsigned char *b, uint8_t len)
{
	unsigned same = 0;

	for (unsigned i = 0; i < n; i++) {
		if (list[i].cause != cause)
			continue;
		same++;
		if (list[i].len == len && memcmp(list[i].bytes, b, len) == 0)
			return (int)i;
	}
	if (n == MC_CLIENT_SAID_MAX || same == MC_CLIENT_SAID_PER_CAUSE)
		return -1;
	return (int)n;
}

static void said_new(struct mc_client_said *e, uint8_t cause, const unsigned char *b, uint8_t len)
{
	e->cause = cause;
	e->len = len;
	memcpy(e->bytes, b, len);
	e->conns = 0;
}

void mc_client__said_ended(struct cli_worker *w, int fd, enum mc_cause why)
{
	unsigned n = atomic_load_explicit(&w->nsaid, memory_order_relaxed);
	struct said_pending *p = &w->pending[(unsigned)fd % PENDING_SAID];
	int i;

	if (p->fd != fd || p->gen != w->conns[fd].gen)
		return;
	p->fd = -1;
	i = said_place(w->said, n, (uint8_t)why, p->bytes, p->len);
	if (i < 0)
		return;
	if ((unsigned)i < n) {
		CNT_ADD(w->said_conns[i], 1);
		return;
	}
	said_new(&w->said[n], (uint8_t)why, p->bytes, p->len);
	atomic_store_explicit(&w->said_conns[n], 1, memory_order_relaxed);
	atomic_store_explicit(&w->nsaid, n + 1, memory_order_release);
}

void mc_client__said_add(struct mc_client_stats *st, uint8_t cause, const unsigned char *b,
			 uint8_t len, uint64_t n)
{
	int i = said_place(st->said, st->nsaid, cause, b, len);

	if (i < 0)
		return;
	if ((unsigned)i == st->nsaid)
		said_new(&st->said[st->nsaid++], cause, b, len);
	st->said[i].conns += n;
}

void mc_client_said_text(const struct mc_client_said *sd, char *out, size_t len)
{
	size_t o = 0;

	if (len < 8) {
		if (len)
			out[0] = '\0';
		return;
	}
	out[o++] = '"';
	for (unsigned i = 0; i < sd->len && i < MC_CLIENT_SAID_BYTES && o + 8 < len; i++) {
		unsigned char c = sd->bytes[i];
		const char *esc = c == '\r' ? "\\r" : c == '\n' ? "\\n" : c == '\t' ? "\\t"
				: c == '"' ? "\\\"" : c == '\\' ? "\\\\" : NULL;
		if (esc)
			o += (size_t)snprintf(out + o, len - o, "%s", esc);
		else if (c >= 0x20 && c < 0x7f)
			out[o++] = (char)c;
		else
			o += (size_t)snprintf(out + o, len - o, "\\x%02x", c);
	}
	out[o++] = '"';
	if (sd->len >= MC_CLIENT_SAID_BYTES && o + 4 < len)
		o += (size_t)snprintf(out + o, len - o, "...");
	out[o] = '\0';
}
