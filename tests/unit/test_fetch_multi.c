/* test_fetch_multi.c: rounds of metrics pages at once (metrics/fetch_multi.h).
 * The pure parts: a page is capped at MC_METRICS_PAGE_MAX, a round's wait
 * is what is left to its deadline, and each way a page ends has its error.
 * Then rounds against loopback peers of the test's own: three that accept
 * and never answer cost one budget, not three; a cut ends a round at once;
 * a page larger than the cap is refused early, whether it says its length
 * or not. */
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include "common/clock.h"
#include "metrics/fetch_multi.h"

static void test_page_cap(void **state)
{
	struct mc_metrics_page pg = {0};
	const size_t chunk = 1u << 20;
	char *buf = calloc(1, chunk);

	(void)state;
	assert_non_null(buf);
	memset(buf, 'a', chunk);
	for (size_t i = 0; i < MC_METRICS_PAGE_MAX / chunk; i++)
		assert_int_equal(mc_metrics_page_add(&pg, buf, chunk, MC_METRICS_PAGE_MAX), 0);
	assert_int_equal(pg.len, 16u << 20);
	assert_int_equal(pg.body[pg.len], '\0');
	/* one byte past 16 MiB: refused, and what was read is dropped */
	assert_int_equal(mc_metrics_page_add(&pg, "x", 1, MC_METRICS_PAGE_MAX), -EFBIG);
	assert_null(pg.body);
	assert_int_equal(pg.len, 0);
	/* a piece larger than the cap at once (no overflow of len + n) */
	assert_int_equal(mc_metrics_page_add(&pg, buf, SIZE_MAX, 100), -EFBIG);
	assert_int_equal(mc_metrics_page_add(&pg, "abc", 3, 3), 0);
	assert_string_equal(pg.body, "abc");
	assert_int_equal(mc_metrics_page_add(&pg, "d", 1, 3), -EFBIG);
	free(buf);
}

static void test_round_wait(void **state)
{
	(void)state;
	assert_int_equal(mc_metrics_round_wait_ms(0, 2000 * MC_NS_PER_MS), 2000);
	/* rounded up: a wait that ends before the deadline would spin */
	assert_int_equal(mc_metrics_round_wait_ms(1, 2000 * MC_NS_PER_MS), 2000);
	assert_int_equal(mc_metrics_round_wait_ms(1999 * MC_NS_PER_MS + 1, 2000 * MC_NS_PER_MS), 1);
	assert_int_equal(mc_metrics_round_wait_ms(2000 * MC_NS_PER_MS, 2000 * MC_NS_PER_MS), 0);
	assert_int_equal(mc_metrics_round_wait_ms(5000 * MC_NS_PER_MS, 2000 * MC_NS_PER_MS), 0);
}

static void test_verdicts(void **state)
{
	const char *u = "http://10.0.0.9:9100/metrics";
	struct mc_metrics_page pg = {0};

	(void)state;
	mc_metrics_page_verdict(&pg, u, 0, NULL, 0, true, 2000);
	assert_int_equal(pg.rc, -ETIMEDOUT);
	assert_non_null(strstr(pg.err, "http://10.0.0.9:9100/metrics: no answer within 2.0 s"));
	memset(&pg, 0, sizeof(pg));
	pg.rc = -EFBIG;
	mc_metrics_page_verdict(&pg, u, 23 /* CURLE_WRITE_ERROR */, "", 200, false, 2000);
	assert_int_equal(pg.rc, -EFBIG);
	assert_non_null(strstr(pg.err, "larger than 16 MiB"));
	memset(&pg, 0, sizeof(pg));
	mc_metrics_page_verdict(&pg, u, 7 /* CURLE_COULDNT_CONNECT */, "Connection refused", 0,
				false, 2000);
	assert_int_equal(pg.rc, -EIO);
	assert_non_null(strstr(pg.err, "metrics: Connection refused; check that the exporter"));
	memset(&pg, 0, sizeof(pg));
	mc_metrics_page_verdict(&pg, u, 0, NULL, 404, false, 2000);
	assert_int_equal(pg.rc, -EIO);
	assert_non_null(strstr(pg.err, "HTTP 404, Not Found: no page at this path; the metrics page is usually /metrics"));
	memset(&pg, 0, sizeof(pg));
	mc_metrics_page_verdict(&pg, u, 0, NULL, 500, false, 2000);
	assert_null(strstr(pg.err, "usually /metrics"));
	/* an empty page that came: a body of "" */
	memset(&pg, 0, sizeof(pg));
	mc_metrics_page_verdict(&pg, u, 0, NULL, 200, false, 2000);
	assert_int_equal(pg.rc, 0);
	assert_string_equal(pg.body, "");
	mc_metrics_pages_free(&pg, 1);
}

/* ---- rounds on loopback ------------------------------------------------ */

/* A listener on 127.0.0.1 that nobody accepts from: the kernel completes
 * the handshakes and the request waits unanswered. */
static int listener(char *url, size_t len)
{
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t al = sizeof(a);
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	assert_true(fd >= 0);
	assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	assert_int_equal(listen(fd, 16), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&a, &al), 0);
	snprintf(url, len, "http://127.0.0.1:%u/metrics", ntohs(a.sin_port));
	return fd;
}

static void test_round_hangs_once(void **state)
{
	char u[3][64];
	const char *urls[3] = {u[0], u[1], u[2]};
	struct mc_metrics_page pages[3] = {{0}};
	struct mc_metrics_multi *m;
	atomic_bool cut = false;
	int fds[3];
	uint64_t t0, ms;

	(void)state;
	for (int i = 0; i < 3; i++)
		fds[i] = listener(u[i], sizeof(u[i]));
	assert_int_equal(mc_metrics_multi_new(&m), 0);
	t0 = mc_now_ns();
	assert_int_equal(mc_metrics_multi_round(m, urls, 3, 300, pages, &cut), 0);
	ms = (mc_now_ns() - t0) / MC_NS_PER_MS;
	/* one budget for the three, not one each (900 ms) */
	assert_true(ms >= 290 && ms < 850);
	for (int i = 0; i < 3; i++) {
		assert_int_equal(pages[i].rc, -ETIMEDOUT);
		assert_non_null(strstr(pages[i].err, u[i]));
		assert_non_null(strstr(pages[i].err, "no answer within 0.3 s"));
		assert_null(pages[i].body);
	}
	mc_metrics_multi_free(m);
	for (int i = 0; i < 3; i++)
		close(fds[i]);
}

struct cutter {
	struct mc_metrics_multi *m;
	atomic_bool *cut;
};

static void *cut_soon(void *arg)
{
	struct cutter *c = arg;

	nanosleep(&(struct timespec){0, 100 * 1000 * 1000}, NULL);
	atomic_store(c->cut, true);
	mc_metrics_multi_wake(c->m);
	return NULL;
}

static void test_round_cut(void **state)
{
	char u[64];
	const char *urls[1] = {u};
	struct mc_metrics_page page = {0};
	atomic_bool cut = false;
	struct cutter c = {.cut = &cut};
	pthread_t th;
	uint64_t t0, ms;
	int fd = listener(u, sizeof(u));

	(void)state;
	assert_int_equal(mc_metrics_multi_new(&c.m), 0);
	assert_int_equal(pthread_create(&th, NULL, cut_soon, &c), 0);
	t0 = mc_now_ns();
	assert_int_equal(mc_metrics_multi_round(c.m, urls, 1, 5000, &page, &cut), -ECANCELED);
	ms = (mc_now_ns() - t0) / MC_NS_PER_MS;
	pthread_join(th, NULL);
	assert_true(ms >= 90 && ms < 2500); /* cut, not the 5 s budget */
	assert_null(page.body);
	mc_metrics_multi_free(c.m);
	close(fd);
}

/* A peer that answers one request with 20 MiB: with its Content-Length,
 * or without (until it closes). */
struct big {
	int fd;
	bool with_length;
};

static void *serve_big(void *arg)
{
	struct big *b = arg;
	char req[4096], *chunk = calloc(1, 1u << 20);
	int c = accept(b->fd, NULL, NULL);
	const char *hdr = b->with_length ? "HTTP/1.1 200 OK\r\nContent-Length: 20971520\r\n\r\n"
					 : "HTTP/1.0 200 OK\r\nConnection: close\r\n\r\n";

	if (c < 0 || !chunk || read(c, req, sizeof(req)) <= 0 ||
	    send(c, hdr, strlen(hdr), MSG_NOSIGNAL) != (ssize_t)strlen(hdr))
		goto out;
	memset(chunk, '#', 1u << 20);
	for (int i = 0; i < 20; i++)
		if (send(c, chunk, 1u << 20, MSG_NOSIGNAL) < 0)
			break; /* the client went away */
out:
	free(chunk);
	if (c >= 0)
		close(c);
	return NULL;
}

static void big_page(bool with_length)
{
	char u[64];
	const char *urls[1] = {u};
	struct mc_metrics_page page = {0};
	struct mc_metrics_multi *m;
	atomic_bool cut = false;
	struct big b = {.with_length = with_length};
	pthread_t th;

	b.fd = listener(u, sizeof(u));
	assert_int_equal(mc_metrics_multi_new(&m), 0);
	assert_int_equal(pthread_create(&th, NULL, serve_big, &b), 0);
	assert_int_equal(mc_metrics_multi_round(m, urls, 1, 5000, &page, &cut), 0);
	pthread_join(th, NULL);
	assert_int_equal(page.rc, -EFBIG);
	assert_non_null(strstr(page.err, "the page is larger than 16 MiB"));
	assert_null(page.body);
	mc_metrics_multi_free(m);
	close(b.fd);
}

static void test_big_page_said(void **state)
{
	(void)state;
	big_page(true);
}

static void test_big_page_streamed(void **state)
{
	(void)state;
	big_page(false);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_page_cap),	      cmocka_unit_test(test_round_wait),
	    cmocka_unit_test(test_verdicts),	      cmocka_unit_test(test_round_hangs_once),
	    cmocka_unit_test(test_round_cut),	      cmocka_unit_test(test_big_page_said),
	    cmocka_unit_test(test_big_page_streamed),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
