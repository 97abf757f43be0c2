/* remote.c: the server host's exporters, read with metrics/fetch.c and
 * parsed with serverside.c (see remote.h). */
#include "probe/remote.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "metrics/fetch.h"
#include "probe/serverside.h"

#define REMOTE_TIMEOUT_MS 2000
#define LIVE_EVERY	  MC_NS_PER_SEC

/* Read every URL into r; 0 when at least one answered, else -1 with the
 * first error in p->rerr. */
static int read_all(struct mc_probe_ctx *p, struct mc_probe_remote *r)
{
	int ok = 0;

	mc_probe_remote_init(r);
	for (int i = 0; i < p->cfg->nserver_metrics; i++) {
		struct mc_err err;
		char *page;
		if (mc_metrics_fetch(p->cfg->server_metrics[i], REMOTE_TIMEOUT_MS, &page, &err) < 0) {
			snprintf(p->rerr, sizeof(p->rerr), "%.*s", (int)sizeof(p->rerr) - 1, err.msg);
			continue;
		}
		mc_probe_remote_parse(page, r);
		free(page);
		ok++;
	}
	return ok ? 0 : -1;
}

void mc_probe_remote_before(struct mc_probe_ctx *p)
{
	p->rerr[0] = '\0';
	p->rbefore_ok = p->cfg->nserver_metrics && read_all(p, &p->rbefore) == 0;
	p->rlive = p->rbefore;
	p->rlive_t = mc_now_ns();
}

double mc_probe_remote_live(struct mc_probe_ctx *p)
{
	uint64_t now = mc_now_ns();

	if (!p->rbefore_ok)
		return NAN;
	if (now >= p->rlive_t + LIVE_EVERY) {
		p->rlive_t = now;
		if (read_all(p, &p->rlive) < 0) {
			/* unreachable: each try can block the sampling for the
			 * time limit, so try again only in ten seconds */
			mc_probe_remote_init(&p->rlive);
			p->rlive_t = mc_now_ns() + 9 * LIVE_EVERY;
		}
	}
	return p->rlive.v[MC_RF_TCP_INUSE];
}

void mc_probe_remote_top(struct mc_probe_ctx *p, bool short_of_target)
{
	if (!p->rbefore_ok) {
		p->rafter_ok = false;
		return;
	}
	/* a maxconn server publishes once a second: its last refusals show in
	 * the next publish */
	if (short_of_target && p->rbefore.maxconn)
		nanosleep(&(struct timespec){1, 200 * 1000 * 1000}, NULL);
	p->rafter_ok = read_all(p, &p->rafter) == 0;
}

void mc_probe_remote_account(struct mc_probe_ctx *p, struct mc_probe_step *st)
{
	struct mc_probe_server_host *h = &st->srv_host;

	memset(h, 0, sizeof(*h));
	h->asked = p->cfg->nserver_metrics > 0;
	h->known = p->rbefore_ok && p->rafter_ok;
	snprintf(h->error, sizeof(h->error), "%s",
		 !h->asked  ? "no --server-metrics: the server host's sockets, memory and limits "
			      "were not measured"
		 : h->known ? ""
			    : p->rerr);
	if (h->known) {
		mc_probe_server_host_figures(&p->rbefore, &p->rafter, h);
	} else {
		struct mc_probe_remote none;
		mc_probe_remote_init(&none);
		mc_probe_server_host_figures(&none, &none, h);
		h->source[0] = '\0';
	}
}
