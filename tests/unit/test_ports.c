/* test_ports.c: maxconn's own choice of local ports (client/ports.c): each
 * pair's walk (every usable port once, reserved ones never, then 0 for
 * good), slices of a range for shards and concurrent clients, and the connect that skips the ports the kernel refuses, on
 * loopback (a listener bound on a port of the range, a taken 4-tuple). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <unistd.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <cmocka.h>

#include "client/ports.h"
#include "common/addr.h"
#include "common/err.h"

/* The reserved ports as host/host.h parses them (its own tests: test_host.c). */
static struct mc_host_reserved *reserved(const char *list)
{
	struct mc_host_reserved *r = malloc(sizeof(*r));

	assert_non_null(r);
	assert_int_equal(mc_host_reserved_parse(list, r), 0);
	return r;
}

/* Every usable port once per pair, in a walk that starts anywhere, never a
 * reserved one, then 0 for good. */
static void test_walk(void **state)
{
	struct mc_ports p;
	struct mc_host_reserved *res = reserved("40010-40019,40050");
	uint8_t seen[2][100];

	(void)state;
	assert_int_equal(mc_ports_init(&p, 40000, 40099, res, 2, 12345), 0);
	assert_int_equal(p.n, 89);
	assert_int_equal(p.reserved, 11);
	memset(seen, 0, sizeof(seen));
	for (uint64_t pair = 0; pair < 2; pair++) {
		for (int i = 0; i < 89; i++) {
			uint16_t port = mc_ports_next(&p, pair);
			assert_in_range(port, 40000, 40099);
			assert_false(port >= 40010 && port <= 40019);
			assert_int_not_equal(port, 40050);
			assert_int_equal(seen[pair][port - 40000], 0);
			seen[pair][port - 40000] = 1;
		}
		/* used up: 0, and it stays there; the other pair's walk is its own */
		for (int i = 0; i < 1000; i++)
			assert_int_equal(mc_ports_next(&p, pair), 0);
	}
	/* a pair the walk was not built for */
	assert_int_equal(mc_ports_next(&p, 2), 0);
	mc_ports_free(&p);

	/* pairs start at different points (two runs: different seeds) */
	assert_int_equal(mc_ports_init(&p, 1024, 65535, NULL, 64, 1), 0);
	assert_int_equal(p.n, 64512);
	{
		uint16_t first[64];
		int same = 0;
		for (int i = 0; i < 64; i++)
			first[i] = mc_ports_next(&p, (uint64_t)i);
		for (int i = 1; i < 64; i++)
			same += first[i] == first[0];
		assert_true(same < 4);
	}
	mc_ports_free(&p);

	assert_int_equal(mc_ports_init(&p, 0, 10, NULL, 1, 1), -EINVAL);
	assert_int_equal(mc_ports_init(&p, 20, 10, NULL, 1, 1), -EINVAL);
	assert_int_equal(mc_ports_init(&p, 10, 20, NULL, 0, 1), -EINVAL);
	/* everything reserved: nothing to hand out, no crash */
	free(res);
	res = reserved("1-100");
	assert_int_equal(mc_ports_init(&p, 10, 20, res, 1, 1), 0);
	assert_int_equal(p.n, 0);
	assert_int_equal(p.reserved, 11);
	assert_int_equal(mc_ports_next(&p, 0), 0);
	mc_ports_free(&p);
	free(res);
}

static void test_slices(void **state)
{
	uint16_t lo, hi, prev_hi = 0;
	uint32_t total = 0;

	(void)state;
	/* 28232 ports in 3 slices: consecutive, disjoint, sizes within one */
	for (unsigned k = 0; k < 3; k++) {
		assert_true(mc_ports_slice(32768, 60999, k, 3, &lo, &hi));
		if (k == 0)
			assert_int_equal(lo, 32768);
		else
			assert_int_equal(lo, prev_hi + 1);
		assert_in_range(hi - lo + 1, 9410, 9411);
		total += (uint32_t)(hi - lo + 1);
		prev_hi = hi;
	}
	assert_int_equal(prev_hi, 60999);
	assert_int_equal(total, 28232);
	assert_true(mc_ports_slice(1, 65535, 0, 1, &lo, &hi));
	assert_int_equal(lo, 1);
	assert_int_equal(hi, 65535);
	assert_false(mc_ports_slice(100, 101, 0, 3, &lo, &hi)); /* fewer ports than slices */
	assert_false(mc_ports_slice(100, 200, 3, 3, &lo, &hi));
	assert_false(mc_ports_slice(100, 200, 0, 0, &lo, &hi));
}

/* On loopback (no namespace needed): a range of 8 ports where one is held
 * by a listener and one 4-tuple is taken by an earlier connection; the walk
 * skips both, counts them, and stops with EADDRNOTAVAIL once all are used. */
static void test_connect_skips(void **state)
{
	struct mc_addr lo4, src;
	struct mc_err err;
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);
	struct mc_ports p;
	struct mc_ports_skips sk = {0, 0};
	int lfd, busy, fds[8], n = 0, fd, one = 1, rc;
	uint16_t lport, base = 0;
	const char *stage;
	bool exhausted;
	uint64_t t;

	(void)state;
	assert_int_equal(mc_parse_addr("127.0.0.1", &lo4, &err), 0);
	assert_int_equal(mc_parse_addr("127.0.0.9", &src, &err), 0);
	/* the server: a listener on a port the kernel picks */
	lfd = socket(AF_INET, SOCK_STREAM, 0);
	len = mc_addr_to_sockaddr(&lo4, 0, &ss);
	assert_int_equal(bind(lfd, (struct sockaddr *)&ss, len), 0);
	assert_int_equal(listen(lfd, 64), 0);
	len = sizeof(ss);
	getsockname(lfd, (struct sockaddr *)&ss, &len);
	mc_addr_from_sockaddr((struct sockaddr *)&ss, &lo4, &lport);
	/* 8 source ports free on 127.0.0.9 (try a few bases) */
	for (uint16_t b = 47000; b < 48000 && !base; b += 8) {
		int s[8], ok = 1;
		for (int i = 0; i < 8; i++) {
			s[i] = socket(AF_INET, SOCK_STREAM, 0);
			len = mc_addr_to_sockaddr(&src, (uint16_t)(b + i), &ss);
			if (bind(s[i], (struct sockaddr *)&ss, len) != 0)
				ok = 0;
		}
		for (int i = 0; i < 8; i++)
			close(s[i]);
		if (ok)
			base = b;
	}
	assert_int_not_equal(base, 0);
	/* port base+2: held by another program's listener (no SO_REUSEADDR) */
	busy = socket(AF_INET, SOCK_STREAM, 0);
	len = mc_addr_to_sockaddr(&src, (uint16_t)(base + 2), &ss);
	assert_int_equal(bind(busy, (struct sockaddr *)&ss, len), 0);
	assert_int_equal(listen(busy, 1), 0);
	/* port base+5: its 4-tuple to our server already taken */
	fd = socket(AF_INET, SOCK_STREAM, 0);
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	len = mc_addr_to_sockaddr(&src, (uint16_t)(base + 5), &ss);
	assert_int_equal(bind(fd, (struct sockaddr *)&ss, len), 0);
	len = mc_addr_to_sockaddr(&lo4, lport, &ss);
	assert_int_equal(connect(fd, (struct sockaddr *)&ss, len), 0);

	assert_int_equal(mc_ports_init(&p, base, (uint16_t)(base + 7), NULL, 1, 7), 0);
	for (;;) {
		int c;
		rc = mc_ports_connect(&p, 0, &src, &lo4, lport, &c, &t, &stage, &exhausted, &sk);
		if (rc != 0 && rc != -EINPROGRESS)
			break;
		assert_true(n < 8);
		fds[n++] = c;
	}
	assert_int_equal(rc, -EADDRNOTAVAIL);
	assert_true(exhausted);
	assert_string_equal(stage, "connect");
	assert_int_equal(n, 6);
	assert_int_equal(sk.bound, 1);
	assert_int_equal(sk.tuple, 1);
	for (int i = 0; i < n; i++)
		close(fds[i]);
	close(fd);
	close(busy);
	close(lfd);
	mc_ports_free(&p);
}

static void test_route_source(void **state)
{
	struct mc_addr dst, src;
	struct mc_err err;
	char buf[MC_ADDR_STRLEN];

	(void)state;
	assert_int_equal(mc_parse_addr("127.0.0.1", &dst, &err), 0);
	assert_int_equal(mc_ports_route_source(&dst, &src), 0);
	assert_string_equal(mc_addr_str(&src, buf, sizeof(buf)), "127.0.0.1");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_walk),
		cmocka_unit_test(test_slices),	      cmocka_unit_test(test_connect_skips),
		cmocka_unit_test(test_route_source),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
