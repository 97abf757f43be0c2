/* child.c: the probe's two children and the page they share with it.
 *
 * The probe forks a server and a client child that run the library's
 * engines (mc_server_run, mc_client_run). They publish their counters in a
 * MAP_SHARED page under a sequence lock (the client ten times a second, the
 * server once a second), so the probe reads them with no parsing and no
 * pipes. The server says it listens through its ready file. Ending them is
 * SIGKILL: the probe has taken its figures first. Everything here hangs off
 * struct mc_probe_children (child.h); nothing else touches the page. */
#include "probe/child.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/futex.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "common/cgroup.h"
#include "common/parse.h"
#include "common/procfs.h"
#include "probe/watch.h"

#define READY_TIMEOUT (10 * MC_NS_PER_SEC)
/* the server publishes once a second: its next publish comes within this */
#define FRESH_TICK_MAX (3 * MC_NS_PER_SEC / 2)

/* What a child publishes: its latest counters, under a sequence lock. The
 * publisher wakes a futex on seq after each publish and once done is set,
 * so the probe can wait for the next one. */
struct mc_probe_pub {
	_Atomic uint32_t seq; /* odd while being written */
	_Atomic int done;     /* the engine returned; the counters are final */
	_Atomic int ready;    /* the server listens */
	int rc;		      /* the engine's return code */
	char err[200];
	union {
		struct mc_client_stats c;
		struct mc_server_stats s;
	} u;
};

/* The page the probe shares with its children (MAP_SHARED). */
struct mc_probe_page {
	struct mc_probe_pub client, server;
	_Atomic int client_pause; /* set: the client starts no more connects */
};

/* snprintf that may cut: messages and names are shortened, never lost */
static void say(char *buf, size_t len, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static void say(char *buf, size_t len, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, len, fmt, ap);
	va_end(ap);
}

/* The futex word of a published sequence: the kernel reads it as a plain
 * 32-bit word (an _Atomic uint32_t has that layout). Shared between
 * processes (the page is MAP_SHARED), so not FUTEX_PRIVATE. */
static uint32_t *seq_word(struct mc_probe_pub *p)
{
	return (uint32_t *)(uintptr_t)&p->seq;
}

static void seq_wake(struct mc_probe_pub *p)
{
	syscall(SYS_futex, seq_word(p), FUTEX_WAKE, INT32_MAX, NULL, NULL, 0);
}

/* Sleep until seq is no longer seen, or ns pass (or a spurious wake). */
static void seq_wait(struct mc_probe_pub *p, uint32_t seen, uint64_t ns)
{
	struct timespec ts = {(time_t)(ns / MC_NS_PER_SEC), (long)(ns % MC_NS_PER_SEC)};

	syscall(SYS_futex, seq_word(p), FUTEX_WAIT, seen, &ts, NULL, 0);
}

static void publish(struct mc_probe_pub *p, const void *st, size_t len)
{
	atomic_fetch_add_explicit(&p->seq, 1, memory_order_acq_rel);
	atomic_thread_fence(memory_order_release);
	memcpy(&p->u, st, len);
	atomic_thread_fence(memory_order_release);
	atomic_fetch_add_explicit(&p->seq, 1, memory_order_acq_rel);
	seq_wake(p);
}

/* Copy a child's latest counters (len bytes of its union) into st; false
 * when they were being written all the time it tried. */
static bool fetch(struct mc_probe_pub *p, void *st, size_t len)
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
static void child_setup(struct mc_probe_children *c, const struct mc_probe_scenario *sc,
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
	mc_ctl_close(c->ctl);
	if (c->kmsg >= 0)
		close(c->kmsg);
	if (sc->one_table && set_nofile(sc->fd_limit) < 0)
		_exit(1);
	/* its own child cgroup, when the probe made one: each side's charge
	 * measured apart (the limit above still applies to both; when joining
	 * fails it is charged where the probe is) */
	if (c->sub[side] && c->sub[side][0])
		mc_cg_join(c->sub[side]);
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
	seq_wake(pub);
	_exit(rc < 0 ? 1 : 0);
}

static enum mc_model server_model(enum mc_model m)
{
	return m == MC_MODEL_THREADS ? MC_MODEL_THREADS
	       : m == MC_MODEL_URING ? MC_MODEL_URING
				     : MC_MODEL_EPOLL;
}

/* What a forked child runs (it does not return). */
struct job {
	const struct mc_probe_scenario *sc;
	const struct mc_probe_addrs *a;
	uint64_t conns;
};

/* The server child into the namespace name (/run/netns/NAME: --via's
 * server side); nothing for NULL or "". */
static int enter_netns(const char *name, struct mc_err *err)
{
	char path[300];
	int fd, rc = 0;

	if (!name || !*name)
		return 0;
	snprintf(path, sizeof(path), "/run/netns/%s", name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return mc_errf(err, -errno, "%s: %s", path, strerror(errno));
	if (setns(fd, CLONE_NEWNET) < 0)
		rc = mc_errf(err, -errno, "setns %s: %s", path, strerror(errno));
	close(fd);
	return rc;
}

static void run_server(struct mc_probe_children *c, const struct job *j)
{
	struct mc_probe_pub *pub = &c->sh->server;
	struct mc_server_config cfg = {
		.listen = j->a->dst,
		.nlisten = j->a->ndst,
		.workers = j->sc->one_table ? 1 : 0,
		.mode = c->cfg->heartbeat_ns	? MC_SERVER_ECHO
			: c->cfg->traffic_bytes ? MC_SERVER_UNREAD
						: MC_SERVER_HOLD,
		.model = server_model(j->sc->model),
		.thread_stack = c->cfg->thread_stack,
		.backlog = (int)j->sc->backlog,
		.accept_rate = -1,
		.ready_file = c->ready,
		.tick = server_tick,
		.tick_arg = pub,
	};
	struct mc_server_stats *st = calloc(1, sizeof(*st));
	struct mc_err err = {{0}};
	int rc;

	child_setup(c, j->sc, "maxconn-server", 0);
	rc = st ? enter_netns(c->server_netns, &err) : -ENOMEM;
	if (!rc)
		rc = mc_server_run(&cfg, st, &err);
	child_exit(pub, rc, &err, st, sizeof(*st));
}

static void run_client(struct mc_probe_children *c, const struct job *j)
{
	struct mc_probe_pub *pub = &c->sh->client;
	struct mc_client_config cfg = {
		.dst = j->a->dst,
		.ndst = j->a->ndst,
		.src = j->a->src,
		.nsrc = j->a->nsrc,
		.conns = j->conns,
		.rate = c->cfg->rate,
		.hold_forever = true,
		.workers = j->sc->one_table ? 1 : 0,
		.send = c->cfg->heartbeat_ns ? MC_PROBE_HEARTBEAT : NULL,
		.send_len = c->cfg->heartbeat_ns ? sizeof(MC_PROBE_HEARTBEAT) - 1 : 0,
		.every_ns = c->cfg->heartbeat_ns,
		.traffic_bytes = c->cfg->traffic_bytes,
		.tick = client_tick,
		.tick_arg = pub,
		.tick_ns = MC_PROBE_SAMPLE_NS,
		.live_hists = c->cfg->client_hists,
		.pause = &c->sh->client_pause,
		/* its server is its own: the connections end with an RST (no
		 * FIN, no TIME_WAIT), and closing millions at the end takes a
		 * third of the time (docs/probe.md). Another's server
		 * (--target-addr) sees them closed as a client closes */
		.abort_close = !c->cfg->have_target_addr,
	};
	struct mc_client_stats *st = calloc(1, sizeof(*st));
	struct mc_err err = {{0}};
	char *msg = NULL;
	int rc;

	if (c->cfg->proto == MC_PROTO_HTTP) { /* its request is its heartbeat */
		cfg.proto = MC_PROTO_HTTP;
		cfg.request = c->cfg->request;
		cfg.request_len = c->cfg->request_len;
		cfg.send = NULL;
		cfg.send_len = 0;
	}
	/* --message SIZE: the heartbeat's 16 bytes repeated to SIZE (the
	 * process ends with _exit: nothing to free) */
	if (cfg.send && c->cfg->message_bytes && (msg = malloc(c->cfg->message_bytes))) {
		for (uint64_t i = 0; i < c->cfg->message_bytes; i++)
			msg[i] = MC_PROBE_HEARTBEAT[i % (sizeof(MC_PROBE_HEARTBEAT) - 1)];
		cfg.send = msg;
		cfg.send_len = c->cfg->message_bytes;
	}
	child_setup(c, j->sc, "maxconn-client", 1);
	rc = st && (msg || !c->cfg->message_bytes || !cfg.send) ? mc_client_run(&cfg, st, &err)
								: -ENOMEM;
	child_exit(pub, rc, &err, st, sizeof(*st));
}

static int spawn(struct mc_probe_children *c, struct mc_probe_child *ch, const struct job *j,
		 void (*fn)(struct mc_probe_children *, const struct job *), struct mc_err *err)
{
	pid_t pid;

	fflush(NULL);
	pid = fork();
	if (pid < 0)
		return mc_errf(err, -errno, "fork: %s", strerror(errno));
	if (pid == 0)
		fn(c, j); /* does not return */
	ch->pid = pid;
	ch->reaped = false;
	ch->status = 0;
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

/* What the wait for the server's ready file wakes on: the file renamed into
 * its directory (inotify), the server child's end (its pidfd), Ctrl-C (the
 * probe's signalfd). Where inotify or pidfd_open is missing, the wait
 * looks again every READY_POLL_MS. */
#define READY_POLL_MS 5
struct ready_wait {
	int in, pidfd;
};

static void ready_wait_open(struct ready_wait *w, const struct mc_probe_children *c)
{
	char dir[4096];
	char *slash;

	snprintf(dir, sizeof(dir), "%s", c->ready);
	slash = strrchr(dir, '/');
	if (slash)
		*slash = '\0';
	w->in = inotify_init1(IN_CLOEXEC | IN_NONBLOCK);
	if (w->in >= 0 && inotify_add_watch(w->in, slash ? dir : ".", IN_MOVED_TO) < 0) {
		close(w->in);
		w->in = -1;
	}
	w->pidfd = (int)syscall(SYS_pidfd_open, c->server.pid, 0);
}

static void ready_wait_close(struct ready_wait *w)
{
	if (w->in >= 0)
		close(w->in);
	if (w->pidfd >= 0)
		close(w->pidfd);
}

/* Wait up to ms for one of w's events; true when it was Ctrl-C. */
static bool ready_wait(struct ready_wait *w, struct mc_ctl *ctl, int ms)
{
	struct pollfd p[3] = {{ctl->sigfd, POLLIN, 0}, {w->in, POLLIN, 0}, {w->pidfd, POLLIN, 0}};
	char buf[4096];

	if (w->in < 0 || w->pidfd < 0)
		ms = ms < READY_POLL_MS ? ms : READY_POLL_MS;
	if (poll(p, 3, ms) <= 0)
		return false;
	if (p[0].revents & POLLIN)
		return mc_ctl_wait(ctl, 0) == MC_CTL_SIGNAL;
	if (p[1].revents & POLLIN)
		while (read(w->in, buf, sizeof(buf)) > 0) {
			/* the rename is seen: access() says whether it was ours */
		}
	return false;
}

/* Wait for the server's ready file and read the ports it listens on from
 * it (on the host they are port 0: the kernel's choice). */
static int wait_server(struct mc_probe_children *c, struct mc_probe_addrs *a, struct mc_err *err)
{
	uint64_t end = mc_now_ns() + READY_TIMEOUT;
	struct ready_wait w;
	FILE *f;
	char line[128];
	int rc = 0;

	ready_wait_open(&w, c);
	while (access(c->ready, R_OK) != 0) {
		uint64_t now = mc_now_ns();
		if (ready_wait(&w, c->ctl, now < end ? (int)((end - now) / MC_NS_PER_MS) + 1 : 0)) {
			rc = mc_errf(err, -EINTR, "interrupted while the probe's server started");
			break;
		}
		if (reap(&c->server) || atomic_load(&c->sh->server.done)) {
			rc = mc_errf(err, -ECHILD, "the probe's server did not start: %s",
				     c->sh->server.err[0] ? c->sh->server.err : "it exited");
			break;
		}
		if (mc_now_ns() > end) {
			rc = mc_errf(err, -ETIMEDOUT, "the probe's server did not listen within %ds",
				     (int)(READY_TIMEOUT / MC_NS_PER_SEC));
			break;
		}
	}
	ready_wait_close(&w);
	if (rc < 0)
		return rc;
	if (!(f = fopen(c->ready, "r")))
		return mc_errf(err, -errno, "reading the server's ready file %s: %s", c->ready,
			       strerror(errno));
	a->ndst = 0;
	while (fgets(line, sizeof(line), f) && a->ndst < MC_PROBE_MAX_DEST_PORTS) {
		struct mc_err e2;
		line[strcspn(line, "\n")] = '\0';
		if (mc_parse_endpoint(line, false, &a->dst[a->ndst], &e2) == 0)
			a->ndst++;
	}
	fclose(f);
	unlink(c->ready);
	if (!a->ndst)
		return mc_errf(err, -EINVAL, "the probe's server wrote no address to %s", c->ready);
	return 0;
}

int mc_probe_children_init(struct mc_probe_children *c, const struct mc_probe_config *cfg,
			   struct mc_ctl *ctl)
{
	struct mc_probe_page *pg = mmap(NULL, sizeof(*pg), PROT_READ | PROT_WRITE,
					MAP_SHARED | MAP_ANONYMOUS, -1, 0);

	memset(c, 0, sizeof(*c));
	c->cfg = cfg;
	c->ctl = ctl;
	c->kmsg = -1;
	if (pg == MAP_FAILED)
		return -ENOMEM;
	c->sh = pg;
	return 0;
}

void mc_probe_children_free(struct mc_probe_children *c)
{
	mc_probe_children_stop(c);
	if (c->sh)
		munmap(c->sh, sizeof(*c->sh));
	c->sh = NULL;
}

int mc_probe_children_start_server(struct mc_probe_children *c,
				   const struct mc_probe_scenario *sc, struct mc_probe_addrs *a,
				   struct mc_err *err)
{
	struct job j = {sc, a, 0};
	int rc;

	memset(&c->sh->server, 0, sizeof(c->sh->server));
	rc = spawn(c, &c->server, &j, run_server, err);
	return rc < 0 ? rc : wait_server(c, a, err);
}

int mc_probe_children_start_client(struct mc_probe_children *c,
				   const struct mc_probe_scenario *sc,
				   const struct mc_probe_addrs *a, uint64_t conns,
				   struct mc_err *err)
{
	struct job j = {sc, a, conns};

	memset(&c->sh->client, 0, sizeof(c->sh->client));
	atomic_store(&c->sh->client_pause, 0);
	return spawn(c, &c->client, &j, run_client, err);
}

bool mc_probe_children_client_counts(struct mc_probe_children *c, struct mc_client_stats *cs)
{
	return fetch(&c->sh->client, cs, sizeof(*cs));
}

bool mc_probe_children_server_counts(struct mc_probe_children *c, struct mc_server_stats *ss)
{
	return c->cfg->have_target_addr || fetch(&c->sh->server, ss, sizeof(*ss));
}

bool mc_probe_children_client_finished(const struct mc_probe_children *c)
{
	return atomic_load(&c->sh->client.done) && c->sh->client.rc == 0;
}

void mc_probe_children_fresh_server_tick(struct mc_probe_children *c)
{
	struct mc_probe_pub *pub = &c->sh->server;
	uint32_t seq0 = atomic_load(&pub->seq);
	uint64_t end = mc_now_ns() + FRESH_TICK_MAX, now;

	/* each publish (and the child's end) wakes the futex on seq */
	while (atomic_load(&pub->seq) == seq0 && !atomic_load(&pub->done) &&
	       (now = mc_now_ns()) < end)
		seq_wait(pub, seq0, end - now);
}

/* PF_EXITING of include/linux/sched.h: the task has begun to exit */
#define TASK_PF_EXITING 0x00000004u

/* Has the kernel begun to take child pid down (killed, or exiting) before
 * it can be reaped? Closing tens of thousands of sockets takes a dying
 * process seconds, while its listener still completes handshakes: the
 * death is seen when it begins, not when it is over. /proc/PID/stat's
 * flags (field 9) have PF_EXITING, and its exit_code (field 52) is the
 * wait status it will have, into *status (0 when it cannot be read). */
static bool exiting(pid_t pid, int *status)
{
	char path[48], buf[1024], *p, *end;
	unsigned long long v, flags = 0;
	ssize_t n;
	int fd;

	*status = 0;
	if (pid <= 0)
		return false;
	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return false;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return false;
	buf[n] = '\0';
	/* the fields after the comm's last ')': state is field 3 */
	if (!(p = strrchr(buf, ')')) || !(p = strchr(p, ' ')) || !(p = strchr(p + 1, ' ')))
		return false;
	for (int field = 4; field <= 52; field++, p = end) {
		v = strtoull(p, &end, 10);
		if (end == p)
			return field > 9 && (flags & TASK_PF_EXITING);
		if (field == 9)
			flags = v;
		else if (field == 52)
			*status = (int)v;
	}
	return (flags & TASK_PF_EXITING) != 0;
}

bool mc_probe_children_ended(struct mc_probe_children *c, bool server, char *why, size_t len)
{
	struct mc_probe_pub *pub = server ? &c->sh->server : &c->sh->client;
	struct mc_probe_child *ch = server ? &c->server : &c->client;
	const char *who = server ? "server" : "client";
	int sig, status = 0;

	if (!atomic_load(&pub->done) && !reap(ch) && !exiting(ch->pid, &status))
		return false;
	if (ch->reaped)
		status = ch->status;
	if (pub->err[0]) { /* its engine returned an error */
		say(why, len, "the probe's %s ended: %s", who, pub->err);
	} else if (WIFSIGNALED(status)) {
		sig = WTERMSIG(status);
		say(why, len, "the probe's %s was killed by SIG%s (signal %d%s)%s", who,
		    sigabbrev_np(sig) ? sigabbrev_np(sig) : "?", sig,
		    WCOREDUMP(status) ? ", core dumped" : "",
		    sig == SIGKILL ? ": by another process or the kernel's OOM killer" : "");
	} else if (WIFEXITED(status) && WEXITSTATUS(status)) {
		say(why, len, "the probe's %s exited with code %d", who, WEXITSTATUS(status));
	} else {
		say(why, len, "the probe's %s ended: it exited", who);
	}
	return true;
}

void mc_probe_children_pause_client(struct mc_probe_children *c, bool pause)
{
	if (c->client.pid > 0 && !reap(&c->client))
		kill(c->client.pid, pause ? SIGSTOP : SIGCONT);
}

void mc_probe_children_stop_connects(struct mc_probe_children *c)
{
	atomic_store(&c->sh->client_pause, 1);
}

void mc_probe_children_freeze(struct mc_probe_children *c)
{
	if (c->client.pid > 0 && !reap(&c->client))
		kill(c->client.pid, SIGSTOP);
	if (c->server.pid > 0 && !reap(&c->server))
		kill(c->server.pid, SIGSTOP);
	c->frozen = true;
}

void mc_probe_children_stop(struct mc_probe_children *c)
{
	stop_both(&c->client, &c->server);
	c->client.pid = c->server.pid = 0;
	c->frozen = false;
}

void mc_probe_children_hand_over(struct mc_probe_children *c, int *server_pid, int *client_pid)
{
	*server_pid = c->server.pid;
	*client_pid = c->client.pid;
	c->server.pid = c->client.pid = 0;
}

/* Wait until every pidfd of p[1..] is readable (its process ended) or
 * p[0] (a signalfd) is; true when it was the signal. With tick, it is
 * called about every MC_PROBE_TICK_MS meanwhile. */
#define MC_PROBE_TICK_MS 250
static bool wait_ends(struct pollfd *p, int n, void (*tick)(void *arg), void *arg)
{
	for (;;) {
		int left = 0;
		for (int i = 1; i < n; i++)
			left += p[i].fd >= 0;
		if (!left)
			return false;
		int got = poll(p, (nfds_t)n, tick ? MC_PROBE_TICK_MS : -1);
		if (got < 0) {
			if (errno == EINTR)
				continue;
			return false;
		}
		if (got == 0) {
			tick(arg);
			continue;
		}
		if (p[0].fd >= 0 && (p[0].revents & POLLIN))
			return true;
		for (int i = 1; i < n; i++)
			if (p[i].fd >= 0 && p[i].revents) {
				close(p[i].fd);
				p[i].fd = -1; /* poll passes over a negative fd */
			}
	}
}

int mc_probe_children_end(int server_pid, int client_pid, int sigfd, void (*tick)(void *arg),
			  void *arg)
{
	struct mc_probe_child client = {.pid = client_pid};
	struct mc_probe_child server = {.pid = server_pid};
	struct pollfd p[3] = {{sigfd, POLLIN, 0}, {-1, POLLIN, 0}, {-1, POLLIN, 0}};
	bool signalled;

	if (client.pid > 0)
		kill(client.pid, SIGKILL);
	if (server.pid > 0)
		kill(server.pid, SIGKILL);
	if (sigfd >= 0) {
		/* wait for both exits (each closes its half of the sockets) or
		 * the signal; without pidfds, the wait cannot be cut short */
		p[1].fd = client.pid > 0 ? (int)syscall(SYS_pidfd_open, client.pid, 0) : -1;
		p[2].fd = server.pid > 0 ? (int)syscall(SYS_pidfd_open, server.pid, 0) : -1;
		if ((client.pid > 0 && p[1].fd < 0) || (server.pid > 0 && p[2].fd < 0)) {
			for (int i = 1; i < 3; i++)
				if (p[i].fd >= 0)
					close(p[i].fd);
		} else {
			signalled = wait_ends(p, 3, tick, arg);
			for (int i = 1; i < 3; i++)
				if (p[i].fd >= 0)
					close(p[i].fd);
			if (signalled)
				return 1;
		}
	}
	stop_both(&client, &server);
	return 0;
}

int mc_probe_remove_after(const int *pids, int n, char dirs[2][256])
{
	pid_t p = fork();
	int status;

	if (p < 0)
		return -errno;
	if (p == 0) {
		struct pollfd w[3] = {{-1, 0, 0}, {-1, POLLIN, 0}, {-1, POLLIN, 0}};
		/* the grandchild does the work, in a session of its own, so
		 * that nothing waits for it and Ctrl-C to the terminal's group
		 * does not reach it */
		setsid();
		if (fork() != 0)
			_exit(0);
		for (int i = 0; i < n && i < 2; i++)
			w[i + 1].fd = pids[i] > 0 ? (int)syscall(SYS_pidfd_open, pids[i], 0) : -1;
		wait_ends(w, 3, NULL, NULL);
		for (int i = 0; i < 2; i++)
			if (dirs[i][0])
				mc_cg_sub_remove(dirs[i]);
		_exit(0);
	}
	while (waitpid(p, &status, 0) < 0 && errno == EINTR)
		;
	return 0;
}

int mc_probe_children_server_pid(const struct mc_probe_children *c)
{
	return c->server.pid;
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

int mc_probe_server_pid(const struct mc_probe_children *c)
{
	return c->cfg->have_target_addr ? c->cfg->server_pid : c->server.pid;
}

uint64_t mc_probe_server_rss(const struct mc_probe_children *c)
{
	if (!c->cfg->have_target_addr)
		return mc_watch_rss(c->server.pid);
	return c->cfg->server_pid ? (uint64_t)tree_sum(c->cfg->server_pid, rss_of) : 0;
}

int64_t mc_probe_server_sockets(const struct mc_probe_children *c)
{
	/* its socket fds, or -1 when /proc/PID/fd cannot be read (another
	 * user's process without root) */
	return c->cfg->have_target_addr && c->cfg->server_pid
		       ? tree_sum(c->cfg->server_pid, mc_watch_sockets)
		       : -1;
}
