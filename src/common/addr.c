/* addr.c: IPv4 and IPv6 addresses, address ranges and endpoints: parsing
 * what users type, the address arithmetic, printing, and the sockaddr
 * conversions (see addr.h). */
#include "common/addr.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int mc_parse_addr(const char *s, struct mc_addr *out, struct mc_err *err)
{
	char buf[INET6_ADDRSTRLEN + 2];
	size_t n;

	if (!s || !*s)
		return mc_errf(err, -EINVAL, "empty address");
	n = strlen(s);
	if (n >= sizeof(buf))
		return mc_errf(err, -EINVAL, "'%s' is not an IP address", s);
	if (s[0] == '[' && s[n - 1] == ']') {
		memcpy(buf, s + 1, n - 2);
		buf[n - 2] = '\0';
	} else {
		memcpy(buf, s, n + 1);
	}
	memset(out, 0, sizeof(*out));
	if (strcmp(buf, "localhost") == 0) {
		out->family = AF_INET;
		out->u.v4.s_addr = htonl(INADDR_LOOPBACK);
		return 0;
	}
	if (inet_pton(AF_INET, buf, &out->u.v4) == 1) {
		out->family = AF_INET;
		return 0;
	}
	if (inet_pton(AF_INET6, buf, &out->u.v6) == 1) {
		out->family = AF_INET6;
		return 0;
	}
	return mc_errf(err, -EINVAL,
		       "'%s' is not an IP address: write it as 127.0.0.1 or ::1 "
		       "(maxconn does not look up names)",
		       s);
}

/* IPv6 addresses as two 64-bit halves, for ranges and arithmetic. */
static void v6_split(const struct in6_addr *a, uint64_t *hi, uint64_t *lo)
{
	*hi = 0;
	*lo = 0;
	for (int i = 0; i < 8; i++)
		*hi = (*hi << 8) | a->s6_addr[i];
	for (int i = 8; i < 16; i++)
		*lo = (*lo << 8) | a->s6_addr[i];
}

static void v6_join(struct in6_addr *a, uint64_t hi, uint64_t lo)
{
	for (int i = 7; i >= 0; i--, hi >>= 8)
		a->s6_addr[i] = (uint8_t)hi;
	for (int i = 15; i >= 8; i--, lo >>= 8)
		a->s6_addr[i] = (uint8_t)lo;
}

int mc_parse_addr_range(const char *s, struct mc_addr_range *out, struct mc_err *err)
{
	char buf[2 * INET6_ADDRSTRLEN + 8];
	char *sep;
	int rc;

	if (!s || strlen(s) >= sizeof(buf))
		return mc_errf(err, -EINVAL, "'%s' is not an address, range or CIDR block",
			       s ? s : "");
	strcpy(buf, s);
	memset(out, 0, sizeof(*out));
	sep = strpbrk(buf, "-/");
	if (!buf[0] || sep == buf || (sep && !sep[1]))
		return mc_errf(err, -EINVAL,
			       "'%s' is not an address, range or CIDR block: write 127.0.0.2, "
			       "127.0.0.2-127.0.0.9 or 127.0.0.0/24",
			       s);

	if ((sep = strchr(buf, '/'))) {
		char *end;
		long prefix;
		int bits;

		*sep = '\0';
		if ((rc = mc_parse_addr(buf, &out->first, err)) < 0)
			return rc;
		bits = out->first.family == AF_INET ? 32 : 128;
		errno = 0;
		prefix = strtol(sep + 1, &end, 10);
		if (!isdigit((unsigned char)sep[1]) || *end || prefix < 0 || prefix > bits)
			return mc_errf(err, -EINVAL, "'%s': the prefix length must be 0 to %d", s,
				       bits);
		if (out->first.family == AF_INET) {
			uint32_t a = ntohl(out->first.u.v4.s_addr);
			uint32_t mask = prefix == 0 ? 0 : ~0U << (32 - prefix);
			uint64_t size = 1ULL << (32 - prefix);

			a &= mask;
			if (prefix <= 30) { /* skip network and broadcast */
				a += 1;
				size -= 2;
			}
			out->first.u.v4.s_addr = htonl(a);
			out->count = size;
		} else {
			uint64_t hi, lo;

			if (prefix < 65)
				return mc_errf(err, -ERANGE,
					       "'%s': an IPv6 block for sources must be /65 or "
					       "narrower",
					       s);
			v6_split(&out->first.u.v6, &hi, &lo);
			lo &= ~0ULL << (128 - prefix);
			v6_join(&out->first.u.v6, hi, lo);
			out->count = prefix == 128 ? 1 : 1ULL << (128 - prefix);
		}
		return 0;
	}

	/* a '-' between two addresses; IPv6 has no '-' so the split is safe */
	if ((sep = strchr(buf, '-'))) {
		struct mc_addr last;

		*sep = '\0';
		if ((rc = mc_parse_addr(buf, &out->first, err)) < 0)
			return rc;
		if ((rc = mc_parse_addr(sep + 1, &last, err)) < 0)
			return rc;
		if (last.family != out->first.family)
			return mc_errf(err, -EINVAL, "'%s': both ends of a range must be IPv4 or "
						     "both IPv6",
				       s);
		if (last.family == AF_INET) {
			uint32_t a = ntohl(out->first.u.v4.s_addr);
			uint32_t b = ntohl(last.u.v4.s_addr);

			if (b < a)
				return mc_errf(err, -EINVAL, "'%s': the range ends before it starts",
					       s);
			out->count = (uint64_t)(b - a) + 1;
		} else {
			uint64_t ah, al, bh, bl;

			v6_split(&out->first.u.v6, &ah, &al);
			v6_split(&last.u.v6, &bh, &bl);
			if (ah != bh)
				return mc_errf(err, -ERANGE,
					       "'%s': an IPv6 range may vary only in its last 64 bits",
					       s);
			if (bl < al)
				return mc_errf(err, -EINVAL, "'%s': the range ends before it starts",
					       s);
			if (bl - al == UINT64_MAX)
				return mc_errf(err, -ERANGE, "'%s': range too large", s);
			out->count = bl - al + 1;
		}
		return 0;
	}

	if ((rc = mc_parse_addr(buf, &out->first, err)) < 0)
		return rc;
	out->count = 1;
	return 0;
}

/* Digits only (no sign, no space, strtol takes both), lo_allowed..65535. */
static int parse_port(const char *s, long lo_allowed, uint16_t *out)
{
	long v = 0;

	if (!*s)
		return -EINVAL;
	for (; *s; s++) {
		if (!isdigit((unsigned char)*s) || v > 65535)
			return -EINVAL;
		v = v * 10 + (*s - '0');
	}
	if (v < lo_allowed || v > 65535)
		return -EINVAL;
	*out = (uint16_t)v;
	return 0;
}

/* LO-HI: -EINVAL when it is not two ports 1-65535, -ERANGE when it ends
 * before it starts. */
static int port_range(const char *s, uint16_t *lo, uint16_t *hi)
{
	const char *dash = strchr(s, '-');
	char first[8];

	if (!dash || dash - s >= (ptrdiff_t)sizeof(first))
		return -EINVAL;
	memcpy(first, s, (size_t)(dash - s));
	first[dash - s] = '\0';
	if (parse_port(first, 1, lo) < 0 || parse_port(dash + 1, 1, hi) < 0)
		return -EINVAL;
	return *hi < *lo ? -ERANGE : 0;
}

int mc_parse_port_range(const char *s, uint16_t *lo, uint16_t *hi, struct mc_err *err)
{
	int rc = port_range(s ? s : "", lo, hi);

	if (rc == -ERANGE)
		return mc_errf(err, -EINVAL, "'%s': the port range ends before it starts", s);
	if (rc < 0)
		return mc_errf(err, -EINVAL,
			       "'%s' is not a port range: write LO-HI, two ports from 1 to 65535 "
			       "(e.g. 40000-40299)",
			       s ? s : "");
	return 0;
}

int mc_parse_endpoint(const char *s, bool allow_zero, struct mc_endpoint_range *out,
		      struct mc_err *err)
{
	char buf[INET6_ADDRSTRLEN + 32];
	char *host, *ports, *dash;
	int rc;

	if (!s || !*s || strlen(s) >= sizeof(buf))
		return mc_errf(err, -EINVAL, "'%s' is not ADDR:PORT", s ? s : "");
	strcpy(buf, s);
	memset(out, 0, sizeof(*out));

	if (buf[0] == '[') {
		char *close = strchr(buf, ']');
		if (!close || close[1] != ':')
			return mc_errf(err, -EINVAL,
				       "'%s' is not [IPV6]:PORT (example: [::1]:9000)", s);
		*close = '\0';
		host = buf + 1;
		ports = close + 2;
		if ((rc = mc_parse_addr(host, &out->addr, err)) < 0)
			return rc;
		if (out->addr.family != AF_INET6)
			return mc_errf(err, -EINVAL, "'%s': brackets are for IPv6 addresses", s);
	} else {
		char *colon = strrchr(buf, ':');
		if (!colon)
			return mc_errf(err, -EINVAL,
				       "'%s' has no port: write ADDR:PORT or ADDR:PORT-PORT "
				       "(example: 127.0.0.1:9000)",
				       s);
		if (strchr(buf, ':') != colon)
			return mc_errf(err, -EINVAL,
				       "'%s': put an IPv6 address in brackets, as [::1]:9000", s);
		*colon = '\0';
		host = buf;
		ports = colon + 1;
		if (!*host)
			return mc_errf(err, -EINVAL,
				       "'%s' has no address before the port: write ADDR:PORT "
				       "(example: 127.0.0.1:9000)",
				       s);
		if ((rc = mc_parse_addr(host, &out->addr, err)) < 0)
			return rc;
	}

	if ((dash = strchr(ports, '-'))) {
		rc = port_range(ports, &out->port_lo, &out->port_hi);
		if (rc == -ERANGE)
			return mc_errf(err, -EINVAL, "'%s': the port range ends before it starts", s);
		if (rc < 0)
			return mc_errf(err, -EINVAL,
				       "'%s': a port range is two ports 1-65535, as 9000-9009", s);
		return 0;
	}
	if (parse_port(ports, allow_zero ? 0 : 1, &out->port_lo) < 0)
		return mc_errf(err, -EINVAL, "'%s': the port must be a number from %d to 65535", s,
			       allow_zero ? 0 : 1);
	out->port_hi = out->port_lo;
	return 0;
}

void mc_addr_nth(const struct mc_addr_range *r, uint64_t i, struct mc_addr *out)
{
	*out = r->first;
	if (r->first.family == AF_INET) {
		out->u.v4.s_addr = htonl(ntohl(r->first.u.v4.s_addr) + (uint32_t)i);
	} else {
		uint64_t hi, lo;
		v6_split(&r->first.u.v6, &hi, &lo);
		if (lo + i < lo)
			hi++;
		v6_join(&out->u.v6, hi, lo + i);
	}
}

bool mc_addr_equal(const struct mc_addr *a, const struct mc_addr *b)
{
	if (a->family != b->family)
		return false;
	if (a->family == AF_INET)
		return a->u.v4.s_addr == b->u.v4.s_addr;
	return memcmp(&a->u.v6, &b->u.v6, sizeof(a->u.v6)) == 0;
}

bool mc_addr_is_loopback(const struct mc_addr *a)
{
	if (a->family == AF_INET)
		return (ntohl(a->u.v4.s_addr) >> 24) == 127;
	return IN6_IS_ADDR_LOOPBACK(&a->u.v6);
}

const char *mc_addr_str(const struct mc_addr *a, char *buf, size_t len)
{
	if (!inet_ntop(a->family, a->family == AF_INET ? (const void *)&a->u.v4
						       : (const void *)&a->u.v6,
		       buf, (socklen_t)len))
		snprintf(buf, len, "?");
	return buf;
}

const char *mc_addr_port_str(const struct mc_addr *a, uint16_t port, char *buf, size_t len)
{
	char tmp[INET6_ADDRSTRLEN];

	mc_addr_str(a, tmp, sizeof(tmp));
	if (a->family == AF_INET6)
		snprintf(buf, len, "[%s]:%u", tmp, port);
	else
		snprintf(buf, len, "%s:%u", tmp, port);
	return buf;
}

socklen_t mc_addr_to_sockaddr(const struct mc_addr *a, uint16_t port, struct sockaddr_storage *ss)
{
	memset(ss, 0, sizeof(*ss));
	if (a->family == AF_INET) {
		struct sockaddr_in *sin = (struct sockaddr_in *)ss;
		sin->sin_family = AF_INET;
		sin->sin_port = htons(port);
		sin->sin_addr = a->u.v4;
		return sizeof(*sin);
	}
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)ss;
	sin6->sin6_family = AF_INET6;
	sin6->sin6_port = htons(port);
	sin6->sin6_addr = a->u.v6;
	return sizeof(*sin6);
}

void mc_addr_from_sockaddr(const struct sockaddr *sa, struct mc_addr *a, uint16_t *port)
{
	memset(a, 0, sizeof(*a));
	if (sa->sa_family == AF_INET) {
		const struct sockaddr_in *sin = (const struct sockaddr_in *)(const void *)sa;
		a->family = AF_INET;
		a->u.v4 = sin->sin_addr;
		if (port)
			*port = ntohs(sin->sin_port);
	} else {
		const struct sockaddr_in6 *sin6 = (const struct sockaddr_in6 *)(const void *)sa;
		a->family = AF_INET6;
		a->u.v6 = sin6->sin6_addr;
		if (port)
			*port = ntohs(sin6->sin6_port);
	}
}
