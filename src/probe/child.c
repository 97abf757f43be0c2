/* child.c: the probe's two children and the page they share with it.
 *
 * The probe forks a server and a client child that run the library's
 * engines (mc_server_run, mc_client_run). They publish their counters in a
 * MAP_SHARED page under a sequence lock (the client ten times a second, the
 * server once a second), so the probe reads them with no parsing and no
 * pipes. The server says it listens through its ready file. Ending them is
 * SIGKILL: the probe has taken its figures first. */
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "common/procfs.h"
#include "probe/child.h"
#include "probe/watch.h"

#define READY_TIMEOUT (10 * MC_NS_PER_SEC)

/* snprintf that may cut: messages and names are shortened, never lost */
static void say(char *buf, size_t len, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static void say(char *buf, size_t len, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, len, fmt, ap);
	va_end(ap);
}

struct mc_probe_page *mc_probe_page_new(void)
{
	struct mc_probe_page *pg = mmap(NULL, sizeof(*pg), PROT_READ | PROT_WRITE,
					MAP_SHARED | MAP_ANONYMOUS, -1, 0);

	return pg == MAP_FAILED ? NULL : pg;
}

void mc_probe_page_free(struct mc_probe_page *pg)
{
	if (pg)
		munmap(pg, sizeof(*pg));
}

static void publish(struct mc_probe_pub *p, const void *st, size_t len)
{
	atomic_fetch_add_explicit(&p->seq, 1, memory_order_acq_rel);
	atomic_thread_fence(memory_order_release);
	memcpy(&p->u, st, len);
	atomic_thread_fence(memory_order_release);
	atomic_fetch_add_explicit(&p->seq, 1, memory_order_acq_rel);
}

bool mc_probe_fetch(struct mc_probe_pub *p, void *st, size_t len)
{
	for (int tries = 0; tries < 1000; tries++) {
		uint32_t a = atomic_load_explicit(&p->seq, memory_order_acquire), b;
		if (a & 1)
			continue;
		memcpy(st, &p->u, len);
		atomic_thread_fence(memory_order_acquire);
		b = atomic_load_explicit(&p->seq, memory_order_acquire);
		if (a == b)
			return true;
	}
	return false;
}

static void client_tick(void *arg, const struct mc_client_stats *s)
{
	publish(arg, s, sizeof(*s));
}

static void server_tick(void *arg, const struct mc_server_stats *s)
{
	struct mc_probe_pub *p = arg;
	publish(p, s, sizeof(*s));
	atomic_store(&p->ready, 1);
}

static int set_nofile(uint64_t n)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) < 0)
		return -errno;
	if (n > rl.rlim_max)
		n = rl.rlim_max;
	rl.rlim_cur = n;
	return setrlimit(RLIMIT_NOFILE, &rl) < 0 ? -errno : 0;
}

/* In the child, right after fork: die with the probe, leave the terminal's
 * process group (Ctrl-C goes to the probe, which stops the children in
 * order), take the fd limit of the scenario. */
static void child_setup(struct mc_probe_ctx *p, const struct mc_probe_scenario *sc,
			const char *name, int side)
{
	pid_t parent = getppid();

	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() != parent)
		_exit(1);
	prctl(PR_SET_NAME, name);
	setpgid(0, 0);
	/* a Ctrl-C sent to the terminal's group before setpgid is pending here
	 * too (blocked, as in the probe): it is the probe's to handle, and
	 * would stop the engine as it starts; setting a signal to SIG_IGN
	 * discards it */
	signal(SIGINT, SIG_IGN);
	signal(SIGTERM, SIG_IGN);
	signal(SIGINT, SIG_DFL);
	signal(SIGTERM, SIG_DFL);
	mc_ctl_close(&p->ctl);
	if (p->kmsg >= 0)
		close(p->kmsg);
	if (sc->one_table && set_nofile(sc->fd_limit) < 0)
		_exit(1);
	/* its own child cgroup, when the probe made one: each side's charge
	 * measured apart (the limit above still applies to both) */
	if (p->sub[side][0] && mc_cg_join(p->sub[side]) < 0)
		p->sub[side][0] = '\0';
}

/* Publish the final counters (or the error) and end the child. */
static void child_exit(struct mc_probe_pub *pub, int rc, const struct mc_err *err, const void *st,
		       size_t len)
{
	pub->rc = rc;
	say(pub->err, sizeof(pub->err), "%s", rc < 0 ? err->msg : "");
	if (st)
		publish(pub, st, len);
	atomic_store(&pub->done, 1);
	_exit(rc < 0 ? 1 : 0);
}

static enum mc_model server_model(enum mc_model m)
{
	return m == MC_MODEL_THREADS ? MC_MODEL_THREADS
	       : m == MC_MODEL_URING ? MC_MODEL_URING
				     : MC_MODEL_EPOLL;
}

static void run_server(struct mc_probe_ctx *p, const struct mc_probe_scenario *sc)
{
	struct mc_probe_pub *pub = &p->sh->server;
	struct mc_server_config cfg = {
		.listen = p->dst,
		.nlisten = p->ndst,
		.workers = sc->one_table ? 1 : 0,
		.mode = p->cfg->heartbeat_ns ? MC_SERVER_ECHO : MC_SERVER_HOLD,
		.model = server_model(sc->model),
		.thread_stack = p->cfg->thread_stack,
		.backlog = (int)sc->backlog,
		.accept_rate = -1,
		.ready_file = p->ready,
		.tick = server_tick,
		.tick_arg = pub,
	};
	struct mc_server_stats *st = calloc(1, sizeof(*st));
	struct mc_err err = {{0}};
	int rc;

	child_setup(p, sc, "maxconn-server", 0);
	rc = st ? mc_server_run(&cfg, st, &err) : -ENOMEM;
	child_exit(pub, rc, &err, st, sizeof(*st));
}

static void run_client(struct mc_probe_ctx *p, const struct mc_probe_scenario *sc)
{
	struct mc_probe_pub *pub = &p->sh->client;
	struct mc_client_config cfg = {
		.dst = p->dst,
		.ndst = p->ndst,
		.src = p->src,
		.nsrc = p->nsrc,
		.conns = p->conns,
		.rate = p->cfg->rate,
		.hold_forever = true,
		.workers = sc->one_table ? 1 : 0,
		.send = p->cfg->heartbeat_ns ? MC_PROBE_HEARTBEAT : NULL,
		.send_len = p->cfg->heartbeat_ns ? sizeof(MC_PROBE_HEARTBEAT) - 1 : 0,
		.every_ns = p->cfg->heartbeat_ns,
		.tick = client_tick,
		.tick_arg = pub,
		.tick_ns = MC_PROBE_SAMPLE_NS,
		.live_hists = p->cfg->client_hists,
		.pause = &p->sh->client_pause,
	};
	struct mc_client_stats *st = calloc(1, sizeof(*st));
	struct mc_err err = {{0}};
	int rc;

	child_setup(p, sc, "maxconn-client", 1);
	rc = st ? mc_client_run(&cfg, st, &err) : -ENOMEM;
	child_exit(pub, rc, &err, st, sizeof(*st));
}

static int spawn(struct mc_probe_ctx *p, struct mc_probe_child *c, const struct mc_probe_scenario *sc,
		 void (*fn)(struct mc_probe_ctx *, const struct mc_probe_scenario *), struct mc_err *err)
{
	pid_t pid;

	fflush(NULL);
	pid = fork();
	if (pid < 0)
		return mc_errf(err, -errno, "fork: %s", strerror(errno));
	if (pid == 0)
		fn(p, sc); /* does not return */
	c->pid = pid;
	c->reaped = false;
	c->status = 0;
	return 0;
}

/* Reap c if it has exited; true when it has. */
static bool reap(struct mc_probe_child *c)
{
	if (c->pid <= 0 || c->reaped)
		return true;
	if (waitpid(c->pid, &c->status, WNOHANG) == c->pid)
		c->reaped = true;
	return c->reaped;
}

/* End a child and reap it. The probe has taken its figures already, so
 * there is nothing to wait for: SIGKILL, and the kernel closes the
 * sockets as the process exits (with a million connections, a graceful
 * close of each, FIN by FIN from user space, takes many seconds longer). */
static void stop_child(struct mc_probe_child *c)
{
	if (c->pid <= 0 || reap(c))
		return;
	kill(c->pid, SIGKILL);
	while (waitpid(c->pid, &c->status, 0) < 0 && errno == EINTR)
		;
	c->reaped = true;
}

/* Both at once: each exit closes its own half of the sockets, on its own
 * CPU. (Taking loopback down first looks cheaper, but then every socket's
 * FIN is lost and the closed sockets linger as orphans in FIN_WAIT1,
 * holding their memory for minutes after the probe: measured 87k orphans
 * at the start of the next run.) */
static void stop_both(struct mc_probe_child *client, struct mc_probe_child *server)
{
	if (client->pid > 0 && !reap(client))
		kill(client->pid, SIGKILL);
	if (server->pid > 0 && !reap(server))
		kill(server->pid, SIGKILL);
	stop_child(client);
	stop_child(server);
}

/* Wait for the server's ready file and read the ports it listens on from
 * it (on the host they are port 0: the kernel's choice). */
static int wait_server(struct mc_probe_ctx *p, struct mc_err *err)
{
	uint64_t end = mc_now_ns() + READY_TIMEOUT;
	FILE *f;
	char line[128];

	while (access(p->ready, R_OK) != 0) {
		if (mc_ctl_wait(&p->ctl, 5) == MC_CTL_SIGNAL) {
			p->interrupted = true;
			return mc_errf(err, -EINTR, "interrupted while the probe's server started");
		}
		if (reap(&p->server) || atomic_load(&p->sh->server.done))
			return mc_errf(err, -ECHILD, "the probe's server did not start: %s",
				       p->sh->server.err[0] ? p->sh->server.err : "it exited");
		if (mc_now_ns() > end)
			return mc_errf(err, -ETIMEDOUT, "the probe's server did not listen within %ds",
				       (int)(READY_TIMEOUT / MC_NS_PER_SEC));
	}
	if (!(f = fopen(p->ready, "r")))
		return mc_errf(err, -errno, "reading the server's ready file %s: %s", p->ready,
			       strerror(errno));
	p->ndst = 0;
	while (fgets(line, sizeof(line), f) && p->ndst < MC_PROBE_MAX_DEST_PORTS) {
		struct mc_err e2;
		line[strcspn(line, "\n")] = '\0';
		if (mc_parse_endpoint(line, false, &p->dst[p->ndst], &e2) == 0)
			p->ndst++;
	}
	fclose(f);
	unlink(p->ready);
	if (!p->ndst)
		return mc_errf(err, -EINVAL, "the probe's server wrote no address to %s", p->ready);
	return 0;
}

void mc_probe_fresh_server_tick(struct mc_probe_ctx *p)
{
	uint32_t seq0 = atomic_load(&p->sh->server.seq);
	uint64_t end = mc_now_ns() + 3 * MC_NS_PER_SEC / 2;

	while (atomic_load(&p->sh->server.seq) == seq0 && mc_now_ns() < end &&
	       !atomic_load(&p->sh->server.done))
		nanosleep(&(struct timespec){0, 10 * 1000 * 1000}, NULL);
}


int mc_probe_spawn_server(struct mc_probe_ctx *p, const struct mc_probe_scenario *sc,
			  struct mc_err *err)
{
	int rc = spawn(p, &p->server, sc, run_server, err);

	return rc < 0 ? rc : wait_server(p, err);
}

int mc_probe_spawn_client(struct mc_probe_ctx *p, const struct mc_probe_scenario *sc,
			  struct mc_err *err)
{
	return spawn(p, &p->client, sc, run_client, err);
}

bool mc_probe_child_ended(struct mc_probe_ctx *p, bool server, char *why, size_t len)
{
	struct mc_probe_pub *pub = server ? &p->sh->server : &p->sh->client;

	if (!atomic_load(&pub->done) && !reap(server ? &p->server : &p->client))
		return false;
	say(why, len, "the probe's %s ended: %s", server ? "server" : "client",
	    pub->err[0] ? pub->err : "it exited");
	return true;
}

void mc_probe_pause_client(struct mc_probe_ctx *p, bool pause)
{
	if (p->client.pid > 0 && !reap(&p->client))
		kill(p->client.pid, pause ? SIGSTOP : SIGCONT);
}

void mc_probe_freeze_children(struct mc_probe_ctx *p)
{
	if (p->client.pid > 0 && !reap(&p->client))
		kill(p->client.pid, SIGSTOP);
	if (p->server.pid > 0 && !reap(&p->server))
		kill(p->server.pid, SIGSTOP);
	p->frozen = true;
}

void mc_probe_stop_children(struct mc_probe_ctx *p)
{
	stop_both(&p->client, &p->server);
	p->client.pid = p->server.pid = 0;
	p->frozen = false;
}

double mc_probe_teardown(struct mc_probe_rest *rest)
{
	struct mc_probe_child client = {.pid = rest->client_pid};
	struct mc_probe_child server = {.pid = rest->server_pid};
	uint64_t t0 = mc_now_ns();

	stop_both(&client, &server);
	rest->client_pid = rest->server_pid = 0;
	rest->sockets = 0;
	for (int i = 0; i < 2; i++)
		if (rest->cgroups[i][0]) {
			mc_cg_sub_remove(rest->cgroups[i]);
			rest->cgroups[i][0] = '\0';
		}
	return (double)(mc_now_ns() - t0) / 1e9;
}

/* of(pid) summed over a process and its direct children (nginx's workers
 * hold the connections, not its master); -1 when of(pid) is negative. */
static int64_t tree_sum(int pid, int64_t (*of)(int pid))
{
	char path[96], buf[4096];
	int64_t n = of(pid), c;

	if (n < 0)
		return -1;
	snprintf(path, sizeof(path), "/proc/%d/task/%d/children", pid, pid);
	if (mc_proc_read(NULL, path, buf, sizeof(buf)) > 0)
		for (char *s = buf, *e; *s; s = e) {
			long child = strtol(s, &e, 10);
			if (e == s)
				break;
			if ((c = of((int)child)) > 0)
				n += c;
		}
	return n;
}

static int64_t rss_of(int pid)
{
	return (int64_t)mc_watch_rss(pid);
}

uint64_t mc_probe_server_rss(const struct mc_probe_ctx *p)
{
	if (!p->cfg->have_target_addr)
		return mc_watch_rss(p->server.pid);
	return p->cfg->server_pid ? (uint64_t)tree_sum(p->cfg->server_pid, rss_of) : 0;
}

int64_t mc_probe_server_sockets(const struct mc_probe_ctx *p)
{
	/* its socket fds, or -1 when /proc/PID/fd cannot be read (another
	 * user's process without root) */
	return p->cfg->have_target_addr && p->cfg->server_pid
		       ? tree_sum(p->cfg->server_pid, mc_watch_sockets)
		       : -1;
}
