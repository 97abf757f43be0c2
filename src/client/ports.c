/* ports.c: maxconn's choice of local port per (source, destination) pair:
 * the walk of each pair's range, reserved ports, slices, and the connect
 * that skips what the kernel refuses (see ports.h). */
#include "client/ports.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "common/clock.h"

int mc_ports_init(struct mc_ports *p, uint16_t lo, uint16_t hi,
		  const struct mc_host_reserved *reserved, uint64_t npairs, uint32_t seed)
{
	memset(p, 0, sizeof(*p));
	if (!lo || lo > hi || !npairs)
		return -EINVAL;
	p->lo = lo;
	p->hi = hi;
	p->reserved = reserved ? mc_host_reserved_count(reserved, lo, hi) : 0;
	p->npairs = npairs;
	p->seed = seed;
	p->port = malloc(((size_t)(hi - lo) + 1) * sizeof(*p->port));
	p->taken = calloc(npairs, sizeof(*p->taken));
	if (!p->port || !p->taken) {
		mc_ports_free(p);
		return -ENOMEM;
	}
	for (uint32_t x = lo; x <= hi; x++)
		if (!reserved || !mc_host_reserved_has(reserved, (uint16_t)x))
			p->port[p->n++] = (uint16_t)x;
	return 0;
}

void mc_ports_free(struct mc_ports *p)
{
	free(p->port);
	free(p->taken);
	p->port = NULL;
	p->taken = NULL;
	p->n = 0;
}

/* Where pair's walk starts: a mix of the seed and the pair number. */
static uint32_t start_of(const struct mc_ports *p, uint64_t pair)
{
	uint64_t x = pair * 0x9E3779B97F4A7C15ull ^ p->seed;

	x ^= x >> 31;
	x *= 0xBF58476D1CE4E5B9ull;
	x ^= x >> 29;
	return (uint32_t)(x % p->n);
}

uint16_t mc_ports_next(struct mc_ports *p, uint64_t pair)
{
	_Atomic uint32_t *t;
	uint32_t k;

	if (!p->n || pair >= p->npairs)
		return 0;
	t = &p->taken[pair];
	/* once used up, stay there: no counter creeps past n */
	if (atomic_load_explicit(t, memory_order_relaxed) >= p->n)
		return 0;
	k = atomic_fetch_add_explicit(t, 1, memory_order_relaxed);
	if (k >= p->n) {
		atomic_store_explicit(t, p->n, memory_order_relaxed);
		return 0;
	}
	return p->port[(start_of(p, pair) + k) % p->n];
}

bool mc_ports_slice(uint16_t lo, uint16_t hi, unsigned k, unsigned m, uint16_t *slo, uint16_t *shi)
{
	uint64_t n = (uint64_t)hi - lo + 1;

	if (!m || k >= m || lo > hi || n < m)
		return false;
	*slo = (uint16_t)(lo + n * k / m);
	*shi = (uint16_t)(lo + n * (k + 1) / m - 1);
	return true;
}

int mc_ports_connect(struct mc_ports *p, uint64_t pair, const struct mc_addr *src,
		     const struct mc_addr *dst, uint16_t dport, int *fd, uint64_t *t_call,
		     const char **stage, bool *exhausted, struct mc_ports_skips *skips)
{
	struct sockaddr_storage ss, ds;
	socklen_t dlen = mc_addr_to_sockaddr(dst, dport, &ds), slen;
	int s = -1, one = 1, e;

	*fd = -1;
	*exhausted = false;
	for (;;) {
		uint16_t port;

		if (s < 0) {
			*stage = "socket";
			s = socket(dst->family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
			if (s == -1)
				return -errno;
			/* share the port with this client's sockets toward
			 * other destinations; the kernel still refuses a taken
			 * 4-tuple at connect() */
			setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
		}
		/* the port only once the socket exists: an EMFILE costs none */
		port = mc_ports_next(p, pair);
		if (!port) {
			close(s);
			*stage = "connect";
			*exhausted = true;
			return -EADDRNOTAVAIL;
		}
		*stage = "bind";
		slen = mc_addr_to_sockaddr(src, port, &ss);
		if (bind(s, (struct sockaddr *)&ss, slen) == -1) {
			e = errno;
			if (e == EADDRINUSE) {
				skips->bound++;
				continue; /* the socket is still unbound: next port */
			}
			close(s);
			return -e;
		}
		*stage = "connect";
		*t_call = mc_now_ns();
		if (connect(s, (struct sockaddr *)&ds, dlen) == 0) {
			*fd = s;
			return 0;
		}
		e = errno;
		if (e == EINPROGRESS) {
			*fd = s;
			return -EINPROGRESS;
		}
		close(s);
		s = -1;
		if (e == EADDRNOTAVAIL || e == EADDRINUSE) {
			skips->tuple++;
			continue; /* bound to that port for good: a new socket */
		}
		return -e;
	}
}

int mc_ports_route_source(const struct mc_addr *dst, struct mc_addr *src)
{
	struct sockaddr_storage ss;
	socklen_t len = mc_addr_to_sockaddr(dst, 9, &ss);
	int s = socket(dst->family, SOCK_DGRAM | SOCK_CLOEXEC, 0), e;

	if (s == -1)
		return -errno;
	if (connect(s, (struct sockaddr *)&ss, len) == -1)
		goto fail;
	len = sizeof(ss);
	if (getsockname(s, (struct sockaddr *)&ss, &len) == -1)
		goto fail;
	close(s);
	mc_addr_from_sockaddr((struct sockaddr *)&ss, src, NULL);
	return 0;
fail:
	e = errno;
	close(s);
	return -e;
}
