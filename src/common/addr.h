/* addr.h: IPv4 and IPv6 addresses (struct mc_addr), consecutive address
 * ranges and CIDR blocks (struct mc_addr_range), ADDR:PORT[-PORT]
 * endpoints (struct mc_endpoint_range): parsing what users type, the i-th
 * address of a range, comparison, printing, and conversion to and from
 * struct sockaddr. The parsers are pure functions of a string; each
 * returns 0, or -EINVAL / -ERANGE and fills a struct mc_err naming the
 * bad value. */
#ifndef MC_COMMON_ADDR_H
#define MC_COMMON_ADDR_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "common/err.h"

struct mc_addr {
	sa_family_t family; /* AF_INET or AF_INET6 */
	union {
		struct in_addr v4;
		struct in6_addr v6;
	} u;
};

/* count consecutive addresses starting at first */
struct mc_addr_range {
	struct mc_addr first;
	uint64_t count;
};

/* one address with an inclusive port range */
struct mc_endpoint_range {
	struct mc_addr addr;
	uint16_t port_lo, port_hi;
};

#define MC_ADDR_STRLEN (INET6_ADDRSTRLEN + 8)

/* 127.0.0.1, ::1, [::1], localhost (the only name: no DNS is ever asked). */
int mc_parse_addr(const char *s, struct mc_addr *out, struct mc_err *err);
/* ADDR, ADDR-ADDR (inclusive, same family) or ADDR/PREFIX. An IPv4 block
 * of /30 or wider excludes its network and broadcast addresses. */
int mc_parse_addr_range(const char *s, struct mc_addr_range *out, struct mc_err *err);
/* ADDR:PORT, ADDR:PORT-PORT, [V6]:PORT[-PORT]. Port 0 (let the kernel
 * choose) only when allow_zero and only alone. */
int mc_parse_endpoint(const char *s, bool allow_zero, struct mc_endpoint_range *out,
		      struct mc_err *err);
/* LO-HI: two ports from 1 to 65535, digits only, LO <= HI. */
int mc_parse_port_range(const char *s, uint16_t *lo, uint16_t *hi, struct mc_err *err);

/* the i-th address of a range (i < count) */
void mc_addr_nth(const struct mc_addr_range *r, uint64_t i, struct mc_addr *out);
/* same family and same address */
bool mc_addr_equal(const struct mc_addr *a, const struct mc_addr *b);
/* in 127.0.0.0/8, or ::1 */
bool mc_addr_is_loopback(const struct mc_addr *a);
/* "127.0.0.1" or "::1" */
const char *mc_addr_str(const struct mc_addr *a, char *buf, size_t len);
/* "127.0.0.1:9000" or "[::1]:9000" */
const char *mc_addr_port_str(const struct mc_addr *a, uint16_t port, char *buf, size_t len);
/* Fill ss with a and port (network order); returns the length to pass to
 * bind() or connect(). */
socklen_t mc_addr_to_sockaddr(const struct mc_addr *a, uint16_t port, struct sockaddr_storage *ss);
/* The address (and the port, when port is not NULL) of an AF_INET or
 * AF_INET6 sockaddr. */
void mc_addr_from_sockaddr(const struct sockaddr *sa, struct mc_addr *a, uint16_t *port);

#endif
