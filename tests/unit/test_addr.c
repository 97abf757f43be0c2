/* test_addr.c: addresses, ranges, CIDR, endpoints. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "common/addr.h"

static void test_addr(void **state)
{
	struct mc_addr a;
	struct mc_err err;
	char buf[MC_ADDR_STRLEN];

	(void)state;
	assert_int_equal(mc_parse_addr("127.0.0.1", &a, &err), 0);
	assert_int_equal(a.family, AF_INET);
	assert_string_equal(mc_addr_str(&a, buf, sizeof(buf)), "127.0.0.1");
	assert_true(mc_addr_is_loopback(&a));
	assert_int_equal(mc_parse_addr("::1", &a, &err), 0);
	assert_int_equal(a.family, AF_INET6);
	assert_true(mc_addr_is_loopback(&a));
	assert_int_equal(mc_parse_addr("[::1]", &a, &err), 0);
	assert_int_equal(a.family, AF_INET6);
	assert_int_equal(mc_parse_addr("localhost", &a, &err), 0);
	assert_string_equal(mc_addr_str(&a, buf, sizeof(buf)), "127.0.0.1");
	assert_int_equal(mc_parse_addr("10.1.2.3", &a, &err), 0);
	assert_false(mc_addr_is_loopback(&a));
	assert_true(mc_parse_addr("256.0.0.1", &a, &err) < 0);
	assert_non_null(strstr(err.msg, "256.0.0.1"));
	assert_true(mc_parse_addr("example.com", &a, &err) < 0);
	assert_true(mc_parse_addr("", &a, &err) < 0);
	assert_true(mc_parse_addr("1.2.3", &a, &err) < 0);
}

static void test_addr_range(void **state)
{
	struct mc_addr_range r;
	struct mc_addr a;
	struct mc_err err;
	char buf[MC_ADDR_STRLEN];

	(void)state;
	assert_int_equal(mc_parse_addr_range("127.0.0.2", &r, &err), 0);
	assert_int_equal(r.count, 1);
	assert_int_equal(mc_parse_addr_range("127.0.0.2-127.0.0.41", &r, &err), 0);
	assert_int_equal(r.count, 40);
	mc_addr_nth(&r, 39, &a);
	assert_string_equal(mc_addr_str(&a, buf, sizeof(buf)), "127.0.0.41");
	/* range crossing an octet boundary */
	assert_int_equal(mc_parse_addr_range("127.0.0.250-127.0.1.4", &r, &err), 0);
	assert_int_equal(r.count, 11);
	mc_addr_nth(&r, 6, &a);
	assert_string_equal(mc_addr_str(&a, buf, sizeof(buf)), "127.0.1.0");
	assert_true(mc_parse_addr_range("127.0.0.9-127.0.0.2", &r, &err) < 0);
	assert_true(mc_parse_addr_range("127.0.0.1-::1", &r, &err) < 0);

	/* CIDR: network and broadcast excluded for /30 and wider */
	assert_int_equal(mc_parse_addr_range("127.0.0.0/8", &r, &err), 0);
	assert_int_equal(r.count, 16777214);
	assert_string_equal(mc_addr_str(&r.first, buf, sizeof(buf)), "127.0.0.1");
	mc_addr_nth(&r, r.count - 1, &a);
	assert_string_equal(mc_addr_str(&a, buf, sizeof(buf)), "127.255.255.254");
	assert_int_equal(mc_parse_addr_range("10.0.0.7/24", &r, &err), 0);
	assert_int_equal(r.count, 254);
	assert_string_equal(mc_addr_str(&r.first, buf, sizeof(buf)), "10.0.0.1");
	assert_int_equal(mc_parse_addr_range("10.0.0.4/31", &r, &err), 0);
	assert_int_equal(r.count, 2);
	assert_int_equal(mc_parse_addr_range("10.0.0.4/32", &r, &err), 0);
	assert_int_equal(r.count, 1);
	assert_true(mc_parse_addr_range("10.0.0.0/33", &r, &err) < 0);
	assert_true(mc_parse_addr_range("10.0.0.0/", &r, &err) < 0);
	assert_true(mc_parse_addr_range("10.0.0.0/x", &r, &err) < 0);

	/* IPv6 */
	assert_int_equal(mc_parse_addr_range("fd00::1-fd00::10", &r, &err), 0);
	assert_int_equal(r.count, 16);
	mc_addr_nth(&r, 15, &a);
	assert_string_equal(mc_addr_str(&a, buf, sizeof(buf)), "fd00::10");
	assert_int_equal(mc_parse_addr_range("fd00::/120", &r, &err), 0);
	assert_int_equal(r.count, 256);
	assert_true(mc_parse_addr_range("fd00::/64", &r, &err) < 0);
}

static void test_endpoint(void **state)
{
	struct mc_endpoint_range e;
	struct mc_err err;
	char buf[MC_ADDR_STRLEN];

	(void)state;
	assert_int_equal(mc_parse_endpoint("127.0.0.1:9000", false, &e, &err), 0);
	assert_int_equal(e.port_lo, 9000);
	assert_int_equal(e.port_hi, 9000);
	assert_int_equal(mc_parse_endpoint("127.0.0.1:9000-9009", false, &e, &err), 0);
	assert_int_equal(e.port_lo, 9000);
	assert_int_equal(e.port_hi, 9009);
	assert_int_equal(mc_parse_endpoint("[::1]:9000-9001", false, &e, &err), 0);
	assert_int_equal(e.addr.family, AF_INET6);
	assert_string_equal(mc_addr_port_str(&e.addr, 9000, buf, sizeof(buf)), "[::1]:9000");
	assert_int_equal(mc_parse_endpoint("localhost:80", false, &e, &err), 0);
	assert_int_equal(mc_parse_endpoint("127.0.0.1:0", true, &e, &err), 0);
	assert_int_equal(e.port_lo, 0);
	assert_true(mc_parse_endpoint("127.0.0.1:0", false, &e, &err) < 0);
	assert_true(mc_parse_endpoint("127.0.0.1", false, &e, &err) < 0);
	assert_non_null(strstr(err.msg, "no port"));
	assert_true(mc_parse_endpoint("127.0.0.1:65536", false, &e, &err) < 0);
	assert_true(mc_parse_endpoint("127.0.0.1:9009-9000", false, &e, &err) < 0);
	assert_true(mc_parse_endpoint("127.0.0.1:0-5", true, &e, &err) < 0);
	assert_true(mc_parse_endpoint("::1:9000", false, &e, &err) < 0);
	assert_non_null(strstr(err.msg, "brackets"));
	assert_true(mc_parse_endpoint("[::1]9000", false, &e, &err) < 0);
	assert_true(mc_parse_endpoint("[127.0.0.1]:9000", false, &e, &err) < 0);
	assert_true(mc_parse_endpoint("127.0.0.1:abc", false, &e, &err) < 0);
	assert_true(mc_parse_endpoint(":9000", false, &e, &err) < 0);
	assert_non_null(strstr(err.msg, "':9000' has no address"));
	assert_true(mc_parse_endpoint("127.0.0.1:+9000", false, &e, &err) < 0);
	assert_true(mc_parse_endpoint("127.0.0.1: 9000", false, &e, &err) < 0);
	assert_true(mc_parse_endpoint("127.0.0.1:9000-+9001", false, &e, &err) < 0);
}

/* Every message names the value; an empty end is no range. */
static void test_range_messages(void **state)
{
	struct mc_addr_range r;
	struct mc_err err;

	(void)state;
	assert_true(mc_parse_addr_range("127.0.0.1-", &r, &err) < 0);
	assert_non_null(strstr(err.msg, "'127.0.0.1-' is not an address"));
	assert_true(mc_parse_addr_range("-127.0.0.1", &r, &err) < 0);
	assert_non_null(strstr(err.msg, "'-127.0.0.1'"));
	assert_true(mc_parse_addr_range("127.0.0.0/", &r, &err) < 0);
	assert_non_null(strstr(err.msg, "'127.0.0.0/'"));
	assert_true(mc_parse_addr_range("", &r, &err) < 0);
	assert_non_null(strstr(err.msg, "''"));
}

static void test_port_range(void **state)
{
	uint16_t lo, hi;
	struct mc_err err;

	(void)state;
	assert_int_equal(mc_parse_port_range("40000-40299", &lo, &hi, &err), 0);
	assert_int_equal(lo, 40000);
	assert_int_equal(hi, 40299);
	assert_int_equal(mc_parse_port_range("1-65535", &lo, &hi, &err), 0);
	assert_int_equal(mc_parse_port_range("80-80", &lo, &hi, &err), 0);
	assert_true(mc_parse_port_range(" 40000-40299", &lo, &hi, &err) < 0);
	assert_non_null(strstr(err.msg, "' 40000-40299' is not a port range"));
	assert_true(mc_parse_port_range("+40000-+40299", &lo, &hi, &err) < 0);
	assert_non_null(strstr(err.msg, "'+40000-+40299'"));
	assert_true(mc_parse_port_range("40000-40299 ", &lo, &hi, &err) < 0);
	assert_true(mc_parse_port_range("40000- 40299", &lo, &hi, &err) < 0);
	assert_true(mc_parse_port_range("0-100", &lo, &hi, &err) < 0);
	assert_true(mc_parse_port_range("1-65536", &lo, &hi, &err) < 0);
	assert_true(mc_parse_port_range("1-99999999999999999999", &lo, &hi, &err) < 0);
	assert_true(mc_parse_port_range("40000", &lo, &hi, &err) < 0);
	assert_true(mc_parse_port_range("-", &lo, &hi, &err) < 0);
	assert_true(mc_parse_port_range("1-2-3", &lo, &hi, &err) < 0);
	assert_true(mc_parse_port_range("60000-1000", &lo, &hi, &err) < 0);
	assert_non_null(strstr(err.msg, "'60000-1000': the port range ends before it starts"));
	assert_true(mc_parse_port_range(NULL, &lo, &hi, &err) < 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_addr),
	    cmocka_unit_test(test_addr_range),
	    cmocka_unit_test(test_endpoint),
	    cmocka_unit_test(test_range_messages),
	    cmocka_unit_test(test_port_range),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
