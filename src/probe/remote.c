/* remote.c: the server host's exporters, read with metrics/fetch.c and
 * parsed with serverside.c (see remote.h). */
#include "probe/remote.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/clock.h"
#include "common/err.h"
#include "metrics/fetch.h"

#define REMOTE_TIMEOUT_MS 2000
#define LIVE_EVERY	  MC_NS_PER_SEC
#define PUBLISH_WAIT_NS	  (1500 * MC_NS_PER_MS)
#define PUBLISH_POLL_NS	  (100 * 1000 * 1000)

/* Read every URL into r; 0 when at least one answered, else -1 with the
 * first error in rr->err. */
static int read_all(struct mc_probe_remote_reads *rr, struct mc_probe_remote *r)
{
	int ok = 0;

	mc_probe_remote_init(r);
	for (int i = 0; i < rr->nurls; i++) {
		struct mc_err err;
		char *page;
		if (mc_metrics_fetch(rr->urls[i], REMOTE_TIMEOUT_MS, &page, &err) < 0) {
			snprintf(rr->err, sizeof(rr->err), "%.*s", (int)sizeof(rr->err) - 1, err.msg);
			continue;
		}
		mc_probe_remote_parse(page, r);
		free(page);
		ok++;
	}
	return ok ? 0 : -1;
}

void mc_probe_remote_reads_init(struct mc_probe_remote_reads *rr, const char *const *urls,
				int nurls)
{
	memset(rr, 0, sizeof(*rr));
	rr->urls = urls;
	rr->nurls = nurls;
}

void mc_probe_remote_before(struct mc_probe_remote_reads *rr)
{
	rr->err[0] = '\0';
	rr->before_ok = rr->nurls && read_all(rr, &rr->before) == 0;
	rr->live = rr->before;
	rr->live_t = mc_now_ns();
}

double mc_probe_remote_live(struct mc_probe_remote_reads *rr)
{
	uint64_t now = mc_now_ns();

	if (!rr->before_ok)
		return NAN;
	if (now >= rr->live_t + LIVE_EVERY) {
		rr->live_t = now;
		if (read_all(rr, &rr->live) < 0) {
			/* unreachable: each try can block the sampling for the
			 * time limit, so try again only in ten seconds */
			mc_probe_remote_init(&rr->live);
			rr->live_t = mc_now_ns() + 9 * LIVE_EVERY;
		}
	}
	return rr->live.v[MC_RF_TCP_INUSE];
}

void mc_probe_remote_top(struct mc_probe_remote_reads *rr, bool short_of_target)
{
	if (!rr->before_ok) {
		rr->after_ok = false;
		return;
	}
	rr->after_ok = read_all(rr, &rr->after) == 0;
	/* A maxconn server publishes its figures about once a second, so the
	 * refusals that stopped the ramp show in its next publish, not in the
	 * page read just now: wait for the page's publish count to pass the
	 * one just read (an HTTP page cannot tell when it changes, so it is
	 * read again every PUBLISH_POLL_NS), for at most PUBLISH_WAIT_NS (a
	 * period and a margin). node_exporter reads the host at each scrape:
	 * nothing to wait for. */
	if (short_of_target && rr->after_ok && !isnan(rr->after.publishes)) {
		double seen = rr->after.publishes;
		uint64_t until = mc_now_ns() + PUBLISH_WAIT_NS;
		struct mc_probe_remote next;
		while (mc_now_ns() < until) {
			nanosleep(&(struct timespec){0, PUBLISH_POLL_NS}, NULL);
			if (read_all(rr, &next) == 0 && next.publishes > seen) {
				rr->after = next;
				break;
			}
		}
	}
}

void mc_probe_remote_account(const struct mc_probe_remote_reads *rr, struct mc_probe_step *st)
{
	struct mc_probe_server_host *h = &st->srv_host;

	memset(h, 0, sizeof(*h));
	h->asked = rr->nurls > 0;
	h->known = rr->before_ok && rr->after_ok;
	snprintf(h->error, sizeof(h->error), "%s",
		 !h->asked  ? "no --server-metrics: the server host's sockets, memory and limits "
			      "were not measured"
		 : h->known ? ""
			    : rr->err);
	if (h->known) {
		mc_probe_server_host_figures(&rr->before, &rr->after, h);
	} else {
		struct mc_probe_remote none;
		mc_probe_remote_init(&none);
		mc_probe_server_host_figures(&none, &none, h);
		h->source[0] = '\0';
	}
}
