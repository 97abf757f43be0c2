/* test_probe_remote.c: the server host's readings (probe/remote.h) with a
 * page that hangs beside a good one, on loopback peers of the test's own:
 * the reading before the client waits one round's budget, not a budget a
 * URL; the live reading never waits; a wait ends at once on SIGINT (the
 * run's signalfd) and when the caller's check says stop. */
#include <errno.h>
#include <math.h>
#include <netinet/in.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <cmocka.h>

#include "common/clock.h"
#include "probe/remote.h"

/* A peer on 127.0.0.1 (its URL in url): good answers every request with a
 * page saying 42 TCP sockets; otherwise nobody accepts, and the request
 * waits unanswered. */
struct peer {
	int fd;
	bool good;
	atomic_bool stop;
	pthread_t th;
	char url[64];
};

static void *serve(void *arg)
{
	static const char page[] =
	    "HTTP/1.1 200 OK\r\nContent-Length: 27\r\nConnection: close\r\n\r\n"
	    "node_sockstat_TCP_inuse 42\n";
	struct peer *p = arg;
	char req[4096];

	while (!atomic_load(&p->stop)) {
		int c = accept(p->fd, NULL, NULL);
		if (c < 0)
			break;
		if (read(c, req, sizeof(req)) > 0 &&
		    send(c, page, sizeof(page) - 1, MSG_NOSIGNAL) < 0) {
			/* the probe went away: nothing to do */
		}
		close(c);
	}
	return NULL;
}

static void peer_start(struct peer *p, bool good)
{
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t al = sizeof(a);

	memset(p, 0, sizeof(*p));
	p->good = good;
	p->fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	assert_true(p->fd >= 0);
	assert_int_equal(bind(p->fd, (struct sockaddr *)&a, sizeof(a)), 0);
	assert_int_equal(listen(p->fd, 64), 0);
	assert_int_equal(getsockname(p->fd, (struct sockaddr *)&a, &al), 0);
	snprintf(p->url, sizeof(p->url), "http://127.0.0.1:%u/metrics", ntohs(a.sin_port));
	if (good)
		assert_int_equal(pthread_create(&p->th, NULL, serve, p), 0);
}

static void peer_stop(struct peer *p)
{
	atomic_store(&p->stop, true);
	shutdown(p->fd, SHUT_RDWR); /* ends the accept */
	if (p->good)
		pthread_join(p->th, NULL);
	close(p->fd);
}

static bool stop_now(void *arg)
{
	(*(int *)arg)++;
	return true;
}

static void test_hang_beside_good(void **state)
{
	struct peer good, hang;
	const char *urls[2];
	struct mc_probe_remote_reads rr;
	struct mc_ctl ctl;
	struct mc_err err;
	uint64_t t0, ms, worst = 0;
	int asked = 0;

	(void)state;
	peer_start(&good, true);
	peer_start(&hang, false);
	urls[0] = good.url;
	urls[1] = hang.url;
	assert_int_equal(mc_ctl_init(&ctl, &err), 0);
	mc_probe_remote_reads_init(&rr, urls, 2);
	t0 = mc_now_ns();
	assert_int_equal(mc_probe_remote_before(&rr, &(struct mc_probe_remote_watch){.ctl = &ctl}),
			 0);
	ms = (mc_now_ns() - t0) / MC_NS_PER_MS;
	/* the round waits for the page that hangs: its budget, 2 s, once (two
	 * would be 4 s; the margin is for a busy host and the sanitizers) */
	assert_true(ms >= 1900 && ms < 3900);
	assert_true(rr.before_ok);
	assert_true(rr.before.v[MC_RF_TCP_INUSE] == 42);
	/* the live reading takes what the rounds give, never waiting for one */
	t0 = mc_now_ns();
	while (mc_now_ns() - t0 < 1500 * MC_NS_PER_MS) {
		uint64_t t = mc_now_ns(), took;
		assert_true(mc_probe_remote_live(&rr) == 42);
		took = mc_now_ns() - t;
		worst = took > worst ? took : worst;
		usleep(1000);
	}
	/* a call that waited for a round would take its 2 s budget */
	assert_true(worst < 500 * MC_NS_PER_MS);
	/* at the top, the reserve check says stop: the wait ends at once, and
	 * the fetching with it */
	t0 = mc_now_ns();
	assert_int_equal(
	    mc_probe_remote_top(&rr, MC_PROBE_REMOTE_ROUND,
				&(struct mc_probe_remote_watch){&ctl, stop_now, &asked}),
	    -ECANCELED);
	ms = (mc_now_ns() - t0) / MC_NS_PER_MS;
	assert_true(ms < 1000); /* not the round's 2 s */
	assert_int_equal(asked, 1);
	assert_null(rr.f);
	mc_probe_remote_reads_free(&rr);
	mc_ctl_stop(&ctl);
	mc_ctl_close(&ctl);
	peer_stop(&good);
	peer_stop(&hang);
}

static void test_sigint_ends_wait(void **state)
{
	struct peer hang;
	const char *urls[1];
	struct mc_probe_remote_reads rr;
	struct mc_ctl ctl;
	struct mc_err err;
	uint64_t t0, ms;

	(void)state;
	peer_start(&hang, false);
	urls[0] = hang.url;
	assert_int_equal(mc_ctl_init(&ctl, &err), 0);
	mc_probe_remote_reads_init(&rr, urls, 1);
	raise(SIGINT); /* blocked: it waits on the signalfd */
	t0 = mc_now_ns();
	assert_int_equal(mc_probe_remote_before(&rr, &(struct mc_probe_remote_watch){.ctl = &ctl}),
			 -EINTR);
	ms = (mc_now_ns() - t0) / MC_NS_PER_MS;
	assert_true(ms < 1000); /* not the round's 2 s */
	assert_int_equal(ctl.signo, SIGINT);
	assert_false(rr.before_ok);
	assert_true(isnan(mc_probe_remote_live(&rr)));
	mc_probe_remote_reads_free(&rr);
	assert_null(rr.f);
	mc_ctl_stop(&ctl);
	mc_ctl_close(&ctl);
	peer_stop(&hang);
}

/* A page's parse is bounded: 16 MiB (the cap) of other samples, the
 * figures last. Each figure is a pass over the page; when every pass
 * parsed every line it took 4.9 s (-O2), now 0.3 s. */
static void test_parse_bounded(void **state)
{
	const size_t cap = 16u << 20;
	char *p = malloc(cap + 1);
	struct mc_probe_remote r;
	size_t n = 0;
	uint64_t t0, ms;

	(void)state;
	assert_non_null(p);
	for (int i = 0; n + 200 < cap; i++)
		n += (size_t)sprintf(
		    p + n, "node_cpu_seconds_total{cpu=\"%d\",mode=\"idle\"} %d.5\n", i, i);
	/* a longer name that starts with the one asked is another name */
	sprintf(p + n, "node_sockstat_TCP_inuse_x 9\n  node_sockstat_TCP_inuse 5\n");
	mc_probe_remote_init(&r);
	t0 = mc_now_ns();
	mc_probe_remote_parse(p, &r);
	ms = (mc_now_ns() - t0) / MC_NS_PER_MS;
	/* for information: how fast is a benchmark's to judge (2.8-4.9 s here
	 * before lines of other names were passed over unparsed, 0.1-0.3 s
	 * after); this test checks what the skipping must not break */
	print_message("16 MiB page parsed in %llu ms\n", (unsigned long long)ms);
	free(p);
	assert_true(r.v[MC_RF_TCP_INUSE] == 5);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_hang_beside_good),
	    cmocka_unit_test(test_sigint_ends_wait),
	    cmocka_unit_test(test_parse_bounded),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
