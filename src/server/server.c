/* server.c: the server's run: listeners, the ready file, ticks, and the
 * dispatch to the engine --model names, through struct mc_engine only (see
 * server.h and engine.h). */
#include "server/server.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/clock.h"
#include "common/procfs.h"
#include "net/ctl.h"
#include "net/sock.h"
#include "server/engine.h"

#define MAX_LISTENERS   4096

/* The engines, by model: chosen at run time. */
static const struct mc_engine *const engines[MC_MODEL_COUNT] = {
	[MC_MODEL_EPOLL] = &mc_engine_epoll,
	[MC_MODEL_THREADS] = &mc_engine_threads,
	[MC_MODEL_URING] = &mc_engine_uring,
};

struct server {
	const struct mc_server_config *cfg;
	const struct mc_engine *engine;
	void *run; /* the engine's */
	struct mc_ctl ctl;
	int lfds[MAX_LISTENERS];
	char lnames[MAX_LISTENERS][MC_ADDR_STRLEN];
	size_t nl;
	uint64_t t0;
	bool ready_made;     /* --ready-file's PATH.tmp exists (made before the listeners) */
	char ready_tmp[4096];
};

/* The engine's counters merged on read, with the run's times and rss. */
static void collect(struct server *s, struct mc_server_stats *st)
{
	memset(st, 0, sizeof(*st));
	s->engine->collect(s->run, st);
	st->elapsed_ns = mc_now_ns() - s->t0;
	mc_self_rss(&st->rss);
}

/* The ready file is written to PATH.tmp and renamed, so a reader never sees
 * half of it. PATH.tmp is made (empty) before any listener opens: a path
 * that cannot be written fails the run before anything listens. */
static int make_ready_file(struct server *s, struct mc_err *err)
{
	const char *path = s->cfg->ready_file;
	FILE *f;

	if ((size_t)snprintf(s->ready_tmp, sizeof(s->ready_tmp), "%s.tmp", path) >=
	    sizeof(s->ready_tmp))
		return mc_errf(err, -ENAMETOOLONG, "--ready-file %s: the path is too long", path);
	if (!(f = fopen(s->ready_tmp, "we")))
		return mc_errf(err, -errno,
			       "--ready-file %s: cannot create %s: %s; choose a path in a "
			       "directory this user can write",
			       path, s->ready_tmp, strerror(errno));
	fclose(f);
	s->ready_made = true;
	return 0;
}

static int write_ready_file(struct server *s, struct mc_err *err)
{
	FILE *f = fopen(s->ready_tmp, "we");

	if (!f)
		return mc_errf(err, -errno, "--ready-file %s: %s", s->ready_tmp, strerror(errno));
	for (size_t i = 0; i < s->nl; i++)
		fprintf(f, "%s\n", s->lnames[i]);
	if (fclose(f) != 0 || rename(s->ready_tmp, s->cfg->ready_file) != 0)
		return mc_errf(err, -errno, "--ready-file %s: %s", s->cfg->ready_file,
			       strerror(errno));
	s->ready_made = false;
	return 0;
}

static int open_listeners(struct server *s, struct mc_err *err)
{
	const struct mc_server_config *cfg = s->cfg;
	int backlog = cfg->backlog;

	if (backlog < 0) {
		uint64_t v;
		backlog = mc_proc_read_u64(NULL, "/proc/sys/net/core/somaxconn", &v) == 0
				  ? (int)v
				  : 4096;
	}
	for (size_t i = 0; i < cfg->nlisten; i++) {
		const struct mc_endpoint_range *e = &cfg->listen[i];
		for (unsigned p = e->port_lo; p <= e->port_hi; p++) {
			uint16_t port = (uint16_t)p;
			int fd;

			if (s->nl >= MAX_LISTENERS)
				return mc_errf(err, -E2BIG, "more than %d listen ports", MAX_LISTENERS);
			fd = mc_sock_listen(&e->addr, port, backlog, err);
			if (fd < 0)
				return fd;
			mc_sock_local_port(fd, &port);
			mc_addr_port_str(&e->addr, port, s->lnames[s->nl], MC_ADDR_STRLEN);
			s->lfds[s->nl++] = fd;
		}
	}
	return 0;
}

/* Hand the figures as they stand to the command's tick (the live line,
 * the --metrics snapshot). */
static void tick_now(struct server *s, uint64_t rss_base)
{
	struct mc_server_stats st;

	if (!s->cfg->tick)
		return;
	collect(s, &st);
	st.rss_base = rss_base;
	s->cfg->tick(s->cfg->tick_arg, &st);
}

/* The main thread while the engine runs: grow, tick once a second, until
 * the duration is over or a signal came. */
static void main_loop(struct server *s, uint64_t rss_base)
{
	const struct mc_server_config *cfg = s->cfg;
	uint64_t last_tick = mc_now_ns();

	for (;;) {
		uint64_t now = mc_now_ns();
		uint64_t next = last_tick + MC_NS_PER_SEC;
		int timeout = next > now ? (int)((next - now) / MC_NS_PER_MS) + 1 : 0;

		if (cfg->duration_ns) {
			uint64_t end = s->t0 + cfg->duration_ns;
			if (now >= end)
				return;
			if ((end - now) / MC_NS_PER_MS < (uint64_t)timeout)
				timeout = (int)((end - now) / MC_NS_PER_MS) + 1;
		}
		if (s->engine->grow) {
			int t = s->engine->grow(s->run);
			if (t >= 0 && t < timeout)
				timeout = t;
		}
		if (mc_ctl_wait(&s->ctl, timeout) == MC_CTL_SIGNAL)
			return;
		now = mc_now_ns();
		if (now - last_tick >= MC_NS_PER_SEC) {
			last_tick = now;
			tick_now(s, rss_base);
		}
	}
}

int mc_server_run(const struct mc_server_config *cfg, struct mc_server_stats *out,
		  struct mc_err *err)
{
	struct server *s;
	struct mc_engine_env env;
	uint64_t rss_base = 0;
	int rc;

	if ((unsigned)cfg->model >= MC_MODEL_COUNT || !engines[cfg->model])
		return mc_errf(err, -EINVAL, "no engine for model %d", (int)cfg->model);
	if (!(s = calloc(1, sizeof(*s))))
		return mc_errf(err, -ENOMEM, "out of memory");
	s->cfg = cfg;
	s->engine = engines[cfg->model];
	if ((rc = mc_ctl_init(&s->ctl, err)) < 0) {
		free(s);
		return rc;
	}
	if (cfg->ready_file && (rc = make_ready_file(s, err)) < 0)
		goto out;
	if ((rc = open_listeners(s, err)) < 0)
		goto out;

	s->t0 = mc_now_ns();
	env = (struct mc_engine_env){
		.cfg = cfg, .lfds = s->lfds, .nl = s->nl, .ctl = &s->ctl, .t0 = s->t0};
	rc = s->engine->start(&s->run, &env, err);
	if (rc < 0)
		goto out; /* the engine stopped what it started */
	if (rc == MC_ENGINE_SIGNALLED) {
		rc = 0;
		goto stop;
	}
	mc_self_rss(&rss_base);
	/* the first tick as the server becomes ready: its figures (none held,
	 * none refused) are known from here, and a reader that saw the ready
	 * file or a listener never meets a page without them */
	tick_now(s, rss_base);
	if (cfg->ready_file && (rc = write_ready_file(s, err)) < 0)
		goto stop;
	main_loop(s, rss_base);
	rc = 0;
stop:
	collect(s, out);
	out->rss_base = rss_base;
	out->stop_signal = s->ctl.signo;
	mc_ctl_stop(&s->ctl);
	s->engine->stop(s->run, out);
out:
	if (s->ready_made) /* never renamed: the run did not start */
		unlink(s->ready_tmp);
	for (size_t i = 0; i < s->nl; i++)
		close(s->lfds[i]);
	mc_ctl_close(&s->ctl);
	free(s);
	return rc;
}
