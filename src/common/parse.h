/* parse.h: the values users type: counts (100k, 1M), sizes (64k, 1GiB),
 * durations (30s, 500ms), addresses, address ranges and CIDR blocks, and
 * ADDR:PORT[-PORT] endpoints. Pure functions of a string; each fills a
 * struct mc_err naming the bad value when it says no. */
#ifndef MC_COMMON_PARSE_H
#define MC_COMMON_PARSE_H

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

/* 100, 100k, 2.5M, 1G (powers of 1000; K also accepted). */
int mc_parse_count(const char *s, uint64_t *out, struct mc_err *err);
/* 4096, 64k, 16KiB, 1M, 2G (powers of 1024; B/KB/KiB spellings accepted). */
int mc_parse_size(const char *s, uint64_t *out, struct mc_err *err);
/* 30s, 500ms, 100us, 2m, 1h, 1.5s; a bare number means seconds. */
int mc_parse_duration(const char *s, uint64_t *ns, struct mc_err *err);

/* 127.0.0.1, ::1, [::1], localhost (the only name: no DNS is ever asked). */
int mc_parse_addr(const char *s, struct mc_addr *out, struct mc_err *err);
/* ADDR, ADDR-ADDR (inclusive, same family) or ADDR/PREFIX. An IPv4 block
 * of /30 or wider excludes its network and broadcast addresses. */
int mc_parse_addr_range(const char *s, struct mc_addr_range *out, struct mc_err *err);
/* ADDR:PORT, ADDR:PORT-PORT, [V6]:PORT[-PORT]. Port 0 (let the kernel
 * choose) only when allow_zero and only alone. */
int mc_parse_endpoint(const char *s, bool allow_zero, struct mc_endpoint_range *out,
		      struct mc_err *err);

/* the i-th address of a range (i < count) */
void mc_addr_nth(const struct mc_addr_range *r, uint64_t i, struct mc_addr *out);
bool mc_addr_equal(const struct mc_addr *a, const struct mc_addr *b);
bool mc_addr_is_loopback(const struct mc_addr *a);
/* "127.0.0.1" or "::1" */
const char *mc_addr_str(const struct mc_addr *a, char *buf, size_t len);
/* "127.0.0.1:9000" or "[::1]:9000" */
const char *mc_addr_port_str(const struct mc_addr *a, uint16_t port, char *buf, size_t len);
socklen_t mc_addr_to_sockaddr(const struct mc_addr *a, uint16_t port, struct sockaddr_storage *ss);
void mc_addr_from_sockaddr(const struct sockaddr *sa, struct mc_addr *a, uint16_t *port);

/* Human output: 1.2M, 28.2k; 3.5 MiB; 1.5s / 250ms / 80us. */
const char *mc_fmt_count(uint64_t n, char *buf, size_t len);
/* Every digit, grouped by three: 1234567 -> "1,234,567" (the reports' exact
 * figures). Cut to fit len (27 bytes hold any uint64_t); returns buf. */
const char *mc_fmt_thousands(uint64_t n, char *buf, size_t len);
const char *mc_fmt_bytes(uint64_t n, char *buf, size_t len);
const char *mc_fmt_duration(uint64_t ns, char *buf, size_t len);

#endif
