/* remote.c: the server host's exporters (see remote.h): a fetcher thread
 * per step that reads every URL in rounds with metrics/fetch_multi.c and
 * parses them with serverside.c, and the main thread's non-blocking takes
 * and watched waits. */
#include "probe/remote.h"

#include <errno.h>
#include <math.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#include "common/clock.h"
#include "metrics/fetch_multi.h"

#define ROUND_BUDGET_MS 2000L		      /* a round of every URL */
#define ROUND_EVERY_NS	MC_NS_PER_SEC	      /* rounds start at most once a second unless asked */
#define ROUND_MARGIN_NS (500 * MC_NS_PER_MS)  /* parsing, after a round's budget */
#define WATCH_EVERY_MS	100		      /* how often a wait asks w->stop */
#define PUBLISH_WAIT_NS (1500 * MC_NS_PER_MS) /* a maxconn server's period and a margin */
#define PUBLISH_POLL_NS (100 * MC_NS_PER_MS)

struct mc_probe_fetcher {
	char **urls; /* copies: an orphan outlives the caller's */
	int n;
	pthread_t thread;
	pthread_mutex_t mu;
	pthread_cond_t cv; /* on CLOCK_MONOTONIC: an ask, the stop */
	int donefd;	   /* eventfd: a round published */
	atomic_bool cut;   /* set under mu while busy: end the round under way */
	struct mc_metrics_multi *multi;
	struct mc_metrics_page *pages; /* the thread's */
	/* under mu */
	bool stop, asked, busy;
	bool orphan; /* stopped while busy: the thread frees all this */
	long ask_budget_ms;
	uint64_t started, done; /* rounds started; the last that published */
	struct mc_probe_remote latest;
	bool latest_ok;
	char latest_err[240];
};

/* A round's pages, in the order of the URLs (the first page given wins a
 * figure two pages have), into r; whether any came, and the first error. */
static bool parse_pages(const struct mc_probe_fetcher *f, struct mc_probe_remote *r, char *err,
			size_t len)
{
	bool any = false;

	mc_probe_remote_init(r);
	err[0] = '\0';
	for (int i = 0; i < f->n && !atomic_load(&f->cut); i++) {
		if (f->pages[i].rc < 0) {
			if (!err[0])
				snprintf(err, len, "%s", f->pages[i].err);
			continue;
		}
		mc_probe_remote_parse(f->pages[i].body, r);
		any = true;
	}
	return any;
}

/* Run one round (the lock is not held) and publish it; a round cut short,
 * in its fetch or its parse, publishes nothing. */
static void round_run(struct mc_probe_fetcher *f, uint64_t no, long budget_ms)
{
	struct mc_probe_remote r;
	char err[sizeof(f->latest_err)];
	int came = mc_metrics_multi_round(f->multi, (const char *const *)f->urls, f->n, budget_ms,
					  f->pages, &f->cut);
	bool ok = false;

	if (came >= 0)
		ok = parse_pages(f, &r, err, sizeof(err));
	else if (came != -ECANCELED)
		snprintf(err, sizeof(err), "reading --server-metrics: out of memory for a round");
	mc_metrics_pages_free(f->pages, f->n);
	pthread_mutex_lock(&f->mu);
	f->busy = false;
	if (came != -ECANCELED && !atomic_load(&f->cut)) {
		if (ok)
			f->latest = r;
		else
			mc_probe_remote_init(&f->latest);
		f->latest_ok = ok;
		memcpy(f->latest_err, err, sizeof(err));
		f->done = no;
		mc_ctl_wake(f->donefd);
	}
}

static void fetcher_free(struct mc_probe_fetcher *f, bool sync);

static void *fetcher_main(void *arg)
{
	struct mc_probe_fetcher *f = arg;
	uint64_t next = 0; /* when the next round starts unless asked */
	bool orphan;

	pthread_mutex_lock(&f->mu);
	for (;;) {
		long budget = ROUND_BUDGET_MS;
		uint64_t no;
		while (!f->stop && !f->asked && mc_now_ns() < next) {
			struct timespec ts = {(time_t)(next / MC_NS_PER_SEC),
					      (long)(next % MC_NS_PER_SEC)};
			pthread_cond_timedwait(&f->cv, &f->mu, &ts);
		}
		if (f->stop)
			break;
		if (f->asked)
			budget = f->ask_budget_ms;
		f->asked = false;
		no = ++f->started;
		f->busy = true;
		atomic_store(&f->cut, false);
		pthread_mutex_unlock(&f->mu);
		next = mc_now_ns() + ROUND_EVERY_NS;
		round_run(f, no, budget); /* returns with the lock held */
	}
	orphan = f->orphan;
	pthread_mutex_unlock(&f->mu);
	if (orphan)
		fetcher_free(f, true);
	return NULL;
}

static void fetcher_free(struct mc_probe_fetcher *f, bool sync)
{
	if (sync) {
		pthread_cond_destroy(&f->cv);
		pthread_mutex_destroy(&f->mu);
	}
	mc_metrics_multi_free(f->multi);
	if (f->donefd >= 0)
		close(f->donefd);
	for (int i = 0; f->urls && i < f->n; i++)
		free(f->urls[i]);
	free(f->urls);
	free(f->pages);
	free(f);
}

/* End the fetching. A thread waiting for its next round ends at once and
 * is joined; one in a round or a parse (a 16 MiB page takes up to ~1 s)
 * is told to stop and left to end and free itself: the caller, maybe
 * acting on Ctrl-C, does not wait for it. */
static void fetcher_stop(struct mc_probe_remote_reads *rr)
{
	struct mc_probe_fetcher *f = rr->f;
	pthread_t th;
	bool busy;

	if (!f)
		return;
	rr->f = NULL;
	pthread_mutex_lock(&f->mu);
	th = f->thread;
	f->stop = true;
	atomic_store(&f->cut, true);
	mc_metrics_multi_wake(f->multi);
	pthread_cond_signal(&f->cv);
	busy = f->orphan = f->busy;
	pthread_mutex_unlock(&f->mu); /* an orphan may be gone from here on */
	if (busy) {
		pthread_detach(th);
		return;
	}
	pthread_join(th, NULL);
	fetcher_free(f, true);
}

/* The thread, with every signal blocked (the main thread takes SIGINT and
 * SIGTERM on its signalfd); it lives in the caller's network namespace.
 * 0 or -errno. */
static int fetcher_start(struct mc_probe_remote_reads *rr)
{
	struct mc_probe_fetcher *f = calloc(1, sizeof(*f));
	pthread_condattr_t ca;
	sigset_t all, old;
	int rc;

	if (!f)
		return -ENOMEM;
	f->n = rr->nurls;
	f->donefd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	f->pages = calloc((size_t)f->n, sizeof(*f->pages));
	f->urls = calloc((size_t)f->n, sizeof(*f->urls));
	mc_probe_remote_init(&f->latest);
	for (int i = 0; f->urls && i < f->n; i++)
		if (!(f->urls[i] = strdup(rr->urls[i])))
			f->n = i; /* and fail below */
	if (f->donefd < 0 || !f->pages || !f->urls || f->n < rr->nurls ||
	    mc_metrics_multi_new(&f->multi) < 0) {
		rc = f->donefd < 0 ? -errno : -ENOMEM;
		fetcher_free(f, false);
		return rc;
	}
	pthread_mutex_init(&f->mu, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&f->cv, &ca);
	pthread_condattr_destroy(&ca);
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	rc = -pthread_create(&f->thread, NULL, fetcher_main, f);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rc < 0) {
		fetcher_free(f, true);
		return rc;
	}
	pthread_setname_np(f->thread, "mc-fetch");
	rr->f = f;
	return 0;
}

/* Ask for a round that starts now with the given budget, cutting the one
 * under way (its reading would be older than the ask); the round's
 * number. */
static uint64_t fetcher_ask(struct mc_probe_fetcher *f, long budget_ms)
{
	uint64_t no;

	pthread_mutex_lock(&f->mu);
	no = f->started + 1;
	f->asked = true;
	f->ask_budget_ms = budget_ms;
	if (f->busy) {
		atomic_store(&f->cut, true);
		mc_metrics_multi_wake(f->multi);
	}
	pthread_cond_signal(&f->cv);
	pthread_mutex_unlock(&f->mu);
	return no;
}

/* The latest published reading into r (and its error into err, when not
 * NULL); whether a page came in it and it is newer than round after (the
 * reading before the client started is round 1: no reading after it). */
static bool fetcher_take(struct mc_probe_fetcher *f, uint64_t after, struct mc_probe_remote *r,
			 char *err, size_t len)
{
	bool ok;

	pthread_mutex_lock(&f->mu);
	*r = f->latest;
	ok = f->latest_ok && f->done > after;
	if (err && f->done > after)
		snprintf(err, len, "%s", f->latest_err);
	else if (err)
		snprintf(err, len,
			 "reading --server-metrics: stopped before the pages were read again "
			 "after the client started");
	pthread_mutex_unlock(&f->mu);
	return ok;
}

/* Wait until round no (or a later one) published, or the deadline,
 * watching w. 0, -ETIMEDOUT, -EINTR or -ECANCELED (see remote.h). */
static int fetcher_wait(struct mc_probe_fetcher *f, uint64_t no, uint64_t deadline,
			const struct mc_probe_remote_watch *w)
{
	for (;;) {
		struct pollfd pf[2] = {{w->ctl ? w->ctl->sigfd : -1, POLLIN, 0},
				       {f->donefd, POLLIN, 0}};
		uint64_t now = mc_now_ns();
		bool in;
		int ms;

		pthread_mutex_lock(&f->mu);
		in = f->done >= no;
		pthread_mutex_unlock(&f->mu);
		if (in)
			return 0;
		if (now >= deadline)
			return -ETIMEDOUT;
		if (w->stop && w->stop(w->arg))
			return -ECANCELED;
		ms = mc_metrics_round_wait_ms(now, deadline);
		if (poll(pf, 2, ms < WATCH_EVERY_MS ? ms : WATCH_EVERY_MS) <= 0)
			continue;
		if ((pf[0].revents & POLLIN) && mc_ctl_wait(w->ctl, 0) == MC_CTL_SIGNAL)
			return -EINTR;
		if (pf[1].revents & POLLIN) {
			uint64_t v;
			if (read(f->donefd, &v, sizeof(v)) < 0) {
				/* EAGAIN: emptied already; the count is read above */
			}
		}
	}
}

void mc_probe_remote_reads_init(struct mc_probe_remote_reads *rr, const char *const *urls,
				int nurls)
{
	memset(rr, 0, sizeof(*rr));
	rr->urls = urls;
	rr->nurls = nurls;
}

void mc_probe_remote_reads_free(struct mc_probe_remote_reads *rr)
{
	fetcher_stop(rr);
}

int mc_probe_remote_before(struct mc_probe_remote_reads *rr, const struct mc_probe_remote_watch *w)
{
	int rc;

	fetcher_stop(rr); /* a step that ended early left its own */
	rr->err[0] = '\0';
	rr->before_ok = false;
	mc_probe_remote_init(&rr->before);
	rr->live = rr->before;
	rr->live_round = 1;
	if (!rr->nurls)
		return 0;
	if ((rc = fetcher_start(rr)) < 0) {
		snprintf(
		    rr->err, sizeof(rr->err),
		    "reading --server-metrics: its thread could not start (%s); free memory or "
		    "raise the task limit",
		    mc_errno_name(-rc));
		return 0;
	}
	rc = fetcher_wait(rr->f, 1, mc_now_ns() + ROUND_BUDGET_MS * MC_NS_PER_MS + ROUND_MARGIN_NS,
			  w);
	if (rc == 0)
		rr->before_ok = fetcher_take(rr->f, 0, &rr->before, rr->err, sizeof(rr->err));
	else if (rc == -ETIMEDOUT)
		snprintf(rr->err, sizeof(rr->err),
			 "reading --server-metrics: the pages were not read and parsed within "
			 "%.1f s; this host is too busy, or a page too large",
			 (double)ROUND_BUDGET_MS / 1e3 + (double)ROUND_MARGIN_NS / 1e9);
	rr->live = rr->before;
	if (!rr->before_ok)
		fetcher_stop(rr); /* nothing to compare with: no more rounds */
	return rc == -ETIMEDOUT ? 0 : rc;
}

double mc_probe_remote_live(struct mc_probe_remote_reads *rr)
{
	struct mc_probe_fetcher *f = rr->f;

	if (!rr->before_ok || !f)
		return NAN;
	pthread_mutex_lock(&f->mu);
	if (f->done > rr->live_round) {
		rr->live_round = f->done;
		rr->live = f->latest; /* all unknown when no page came */
	}
	pthread_mutex_unlock(&f->mu);
	return rr->live.v[MC_RF_TCP_INUSE];
}

/* A maxconn server publishes its figures about once a second, so the
 * refusals that stopped the ramp show in its next publish, not in the page
 * read at the top: read again until the page's publish count passes the one
 * read there (an HTTP page cannot tell when it changes, so a round is asked
 * every PUBLISH_POLL_NS), for at most PUBLISH_WAIT_NS. node_exporter reads
 * the host at each scrape: nothing to wait for. 0, -EINTR, -ECANCELED. */
static int next_publish(struct mc_probe_remote_reads *rr, const struct mc_probe_remote_watch *w)
{
	const double seen = rr->after.publishes;
	const uint64_t until = mc_now_ns() + PUBLISH_WAIT_NS;

	for (;;) {
		uint64_t now = mc_now_ns(), no;
		struct mc_probe_remote next;
		long budget;
		int rc;

		if (now + PUBLISH_POLL_NS >= until)
			return 0;
		/* a pause that still watches: no round has that number */
		rc = fetcher_wait(rr->f, UINT64_MAX, now + PUBLISH_POLL_NS, w);
		if (rc != -ETIMEDOUT)
			return rc;
		now = mc_now_ns();
		budget = (long)((until > now ? until - now : 0) / MC_NS_PER_MS);
		no = fetcher_ask(rr->f, budget > WATCH_EVERY_MS ? budget : WATCH_EVERY_MS);
		rc = fetcher_wait(rr->f, no, until + ROUND_MARGIN_NS, w);
		if (rc < 0)
			return rc == -ETIMEDOUT ? 0 : rc;
		if (fetcher_take(rr->f, 1, &next, NULL, 0) && next.publishes > seen) {
			rr->after = next;
			return 0;
		}
	}
}

int mc_probe_remote_top(struct mc_probe_remote_reads *rr, enum mc_probe_remote_fresh fresh,
			const struct mc_probe_remote_watch *w)
{
	int rc = 0;

	rr->after_ok = false;
	if (!rr->before_ok || !rr->f) {
		fetcher_stop(rr);
		return 0;
	}
	if (fresh != MC_PROBE_REMOTE_LATEST)
		rc =
		    fetcher_wait(rr->f, fetcher_ask(rr->f, ROUND_BUDGET_MS),
				 mc_now_ns() + ROUND_BUDGET_MS * MC_NS_PER_MS + ROUND_MARGIN_NS, w);
	if (rc == -ETIMEDOUT)
		snprintf(rr->err, sizeof(rr->err),
			 "reading --server-metrics at the top: the pages were not read and parsed "
			 "within %.1f s; this host is too busy, or a page too large",
			 (double)ROUND_BUDGET_MS / 1e3 + (double)ROUND_MARGIN_NS / 1e9);
	else
		/* interrupted, or asked for the latest: the latest round's */
		rr->after_ok = fetcher_take(rr->f, 1, &rr->after, rr->err, sizeof(rr->err));
	if (rc == 0 && fresh == MC_PROBE_REMOTE_PUBLISH && rr->after_ok &&
	    !isnan(rr->after.publishes))
		rc = next_publish(rr, w);
	fetcher_stop(rr);
	return rc == -ETIMEDOUT ? 0 : rc;
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
