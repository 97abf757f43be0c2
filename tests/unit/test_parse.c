/* test_parse.c: counts, sizes, durations, addresses, ranges, CIDR, endpoints. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "common/parse.h"

static void test_count(void **state)
{
	uint64_t v;
	struct mc_err err;

	(void)state;
	assert_int_equal(mc_parse_count("100", &v, &err), 0);
	assert_int_equal(v, 100);
	assert_int_equal(mc_parse_count("100k", &v, &err), 0);
	assert_int_equal(v, 100000);
	assert_int_equal(mc_parse_count("1M", &v, &err), 0);
	assert_int_equal(v, 1000000);
	assert_int_equal(mc_parse_count("2.5k", &v, &err), 0);
	assert_int_equal(v, 2500);
	assert_int_equal(mc_parse_count("1G", &v, &err), 0);
	assert_int_equal(v, 1000000000ULL);
	assert_int_equal(mc_parse_count("0", &v, &err), 0);
	assert_int_equal(v, 0);
	assert_true(mc_parse_count("", &v, &err) < 0);
	assert_true(mc_parse_count("-5", &v, &err) < 0);
	assert_true(mc_parse_count("1.5", &v, &err) < 0);
	assert_true(mc_parse_count("10x", &v, &err) < 0);
	assert_non_null(strstr(err.msg, "'10x'"));
	assert_true(mc_parse_count("0x10", &v, &err) < 0);
	assert_true(mc_parse_count("inf", &v, &err) < 0);
	assert_true(mc_parse_count("1e3", &v, &err) < 0);
	assert_true(mc_parse_count(" 5", &v, &err) < 0);
	assert_true(mc_parse_count("5 ", &v, &err) < 0);
	assert_true(mc_parse_count(NULL, &v, &err) < 0);
	assert_true(mc_parse_count("99999999999999999999", &v, &err) < 0);
}

static void test_size(void **state)
{
	uint64_t v;
	struct mc_err err;

	(void)state;
	assert_int_equal(mc_parse_size("4096", &v, &err), 0);
	assert_int_equal(v, 4096);
	assert_int_equal(mc_parse_size("64k", &v, &err), 0);
	assert_int_equal(v, 65536);
	assert_int_equal(mc_parse_size("16KiB", &v, &err), 0);
	assert_int_equal(v, 16384);
	assert_int_equal(mc_parse_size("1M", &v, &err), 0);
	assert_int_equal(v, 1048576);
	assert_int_equal(mc_parse_size("1.5G", &v, &err), 0);
	assert_int_equal(v, 1610612736ULL);
	assert_true(mc_parse_size("1X", &v, &err) < 0);
	assert_non_null(strstr(err.msg, "'1X'"));
	assert_true(mc_parse_size("k", &v, &err) < 0);
}

static void test_duration(void **state)
{
	uint64_t v;
	struct mc_err err;

	(void)state;
	assert_int_equal(mc_parse_duration("30s", &v, &err), 0);
	assert_int_equal(v, 30000000000ULL);
	assert_int_equal(mc_parse_duration("30", &v, &err), 0);
	assert_int_equal(v, 30000000000ULL);
	assert_int_equal(mc_parse_duration("500ms", &v, &err), 0);
	assert_int_equal(v, 500000000ULL);
	assert_int_equal(mc_parse_duration("100us", &v, &err), 0);
	assert_int_equal(v, 100000ULL);
	assert_int_equal(mc_parse_duration("2m", &v, &err), 0);
	assert_int_equal(v, 120000000000ULL);
	assert_int_equal(mc_parse_duration("1h", &v, &err), 0);
	assert_int_equal(v, 3600000000000ULL);
	assert_int_equal(mc_parse_duration("1.5s", &v, &err), 0);
	assert_int_equal(v, 1500000000ULL);
	assert_true(mc_parse_duration("10 s", &v, &err) < 0);
	assert_true(mc_parse_duration("s", &v, &err) < 0);
	assert_true(mc_parse_duration("5d", &v, &err) < 0);
	assert_non_null(strstr(err.msg, "'5d'"));
}

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
}

static void test_format(void **state)
{
	char buf[32];

	(void)state;
	assert_string_equal(mc_fmt_count(999, buf, sizeof(buf)), "999");
	assert_string_equal(mc_fmt_count(28232, buf, sizeof(buf)), "28.2k");
	assert_string_equal(mc_fmt_count(1000000, buf, sizeof(buf)), "1.00M");
	assert_string_equal(mc_fmt_bytes(512, buf, sizeof(buf)), "512 B");
	assert_string_equal(mc_fmt_bytes(1536, buf, sizeof(buf)), "1.5 KiB");
	assert_string_equal(mc_fmt_duration(1500000000ULL, buf, sizeof(buf)), "1.50s");
	assert_string_equal(mc_fmt_duration(250000000ULL, buf, sizeof(buf)), "250.00ms");
}

static void test_thousands(void **state)
{
	char buf[32], small[4];

	(void)state;
	assert_string_equal(mc_fmt_thousands(0, buf, sizeof(buf)), "0");
	assert_string_equal(mc_fmt_thousands(999, buf, sizeof(buf)), "999");
	assert_string_equal(mc_fmt_thousands(1000, buf, sizeof(buf)), "1,000");
	assert_string_equal(mc_fmt_thousands(120000, buf, sizeof(buf)), "120,000");
	assert_string_equal(mc_fmt_thousands(1234567, buf, sizeof(buf)), "1,234,567");
	assert_string_equal(mc_fmt_thousands(UINT64_MAX, buf, sizeof(buf)),
			    "18,446,744,073,709,551,615");
	/* cut to fit, never past the buffer */
	assert_string_equal(mc_fmt_thousands(1234567, small, sizeof(small)), "1,2");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_count),	    cmocka_unit_test(test_size),
		cmocka_unit_test(test_duration),   cmocka_unit_test(test_addr),
		cmocka_unit_test(test_addr_range), cmocka_unit_test(test_endpoint),
		cmocka_unit_test(test_format),
		cmocka_unit_test(test_thousands),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
