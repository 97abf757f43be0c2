/* judge_fd.c: the file descriptor limits (registry.c binds them to their
 * ids; judge-int.h says what a judge function does).
 *
 *   fd_process     (RLIMIT_NOFILE soft - overhead) x fd tables / fds per conn
 *   fd_nr_open     (fs.nr_open - overhead) x fd tables / fds per conn
 *   fd_system      (fs.file-max - allocated now) / fds per conn
 *   epoll_watches  fs.epoll.max_user_watches / watched sockets per conn
 *   fd_user        limits.conf and limits.d, information */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>

#include "limits/judge-int.h"

/* fds one fd table can give to connections when its limit is lim. */
static uint64_t table_fds(uint64_t lim, uint64_t ovh)
{
	return lim == MC_LIMITS_NONE ? MC_LIMITS_NONE : mc__sub0(lim, ovh);
}

/* The maxconn flag that spreads d connections over fd tables of lim fds:
 * workers of the server or the client; with role both each side holds one
 * socket per connection in its own tables. */
static void fix_workers(struct mc__judge *c, struct mc_limits_item *it, uint64_t d, uint64_t lim)
{
	uint64_t w = mc__div_up(d, lim - c->sc->fd_overhead);

	if (c->sc->role == MC_LIMITS_BOTH)
		mc__add_fix(it,
			    "or more fd tables: maxconn server --workers %" PRIu64
			    " and maxconn client --workers %" PRIu64
			    " (each worker owns an fd table of "
			    "%" PRIu64 "); this model: --fd-tables %" PRIu64,
			    w, w, lim, mc__mul_sat(w, 2));
	else
		mc__add_fix(it,
			    "or more fd tables: maxconn %s --workers %" PRIu64
			    " (each worker owns an "
			    "fd table of %" PRIu64 "); this model: --fd-tables %" PRIu64,
			    c->sc->role == MC_LIMITS_CLIENT ? "client" : "server", w, lim, w);
}

/* fd_process: (RLIMIT_NOFILE soft - overhead) x tables / fds per
 * connection. Fix: ulimit -n when the hard limit allows it, else
 * limits.conf / systemd (root), or more fd tables. */
void mc__judge_fd_process(struct mc__judge *c, struct mc_limits_item *it)
{
	const struct mc_limits_snap *s = c->s;
	const struct mc_limits_scenario *sc = c->sc;
	uint64_t d, per;
	char sb[24], hb[24];

	if (s->pid > 0)
		it->source = s->pid_limits;
	mc__add_val(it, "soft", s->nofile_soft);
	mc__add_val(it, "hard", s->nofile_hard);
	if (s->nofile_soft.err) {
		mc__set_unknown(it, "RLIMIT_NOFILE", s->nofile_soft.err);
		return;
	}
	mc__set_value(it, "%s soft, %s hard", mc__cnt(s->nofile_soft.v, sb, sizeof(sb)),
		      s->nofile_hard.err ? "unknown" : mc__cnt(s->nofile_hard.v, hb, sizeof(hb)));
	if (s->nofile_soft.v == MC_LIMITS_NONE) {
		mc__set_note(it, "unlimited soft limit: fs.nr_open caps each fd table");
		return;
	}
	it->conns = mc__div_keep(
	    mc__mul_sat(table_fds(s->nofile_soft.v, sc->fd_overhead), sc->fd_tables), c->fdpc);
	mc__set_note(it,
		     "(%" PRIu64 " - %" PRIu64 " overhead fds) x %" PRIu64 " fd table(s) / %" PRIu64
		     " fd(s) per connection",
		     s->nofile_soft.v, sc->fd_overhead, sc->fd_tables, c->fdpc);

	d = mc__demand(c, it);
	per = mc__add_sat(mc__div_up(mc__mul_sat(d, c->fdpc), sc->fd_tables), sc->fd_overhead);
	it->raise_to = per;
	if (s->nofile_hard.err == 0 && per <= s->nofile_hard.v) {
		mc__add_fix(it,
			    "ulimit -n %" PRIu64 " (in the shell that starts the program; the hard "
			    "limit %s allows it without root)",
			    per, mc__cnt(s->nofile_hard.v, hb, sizeof(hb)));
		mc__add_fix(it, "systemd unit: LimitNOFILE=%" PRIu64, per);
	} else {
		mc__add_fix(it, "echo '* soft nofile %" PRIu64 "' >> /etc/security/limits.conf",
			    per);
		mc__add_fix(it,
			    "echo '* hard nofile %" PRIu64 "' >> /etc/security/limits.conf "
			    "(new login sessions; raising the hard limit needs root, "
			    "CAP_SYS_RESOURCE)",
			    per);
		mc__add_fix(it, "systemd unit: LimitNOFILE=%" PRIu64, per);
		if (s->nr_open.err == 0 && per > s->nr_open.v)
			mc__add_fix(it, "first raise fs.nr_open to %" PRIu64 " (see fd_nr_open)",
				    per);
	}
	if (s->nofile_soft.v > sc->fd_overhead)
		fix_workers(c, it, d, s->nofile_soft.v);
}

/* fd_nr_open: the same arithmetic with fs.nr_open, the cap no rlimit and no
 * fd table can pass. */
void mc__judge_fd_nr_open(struct mc__judge *c, struct mc_limits_item *it)
{
	const struct mc_limits_snap *s = c->s;
	const struct mc_limits_scenario *sc = c->sc;
	uint64_t d, per, table;

	mc__add_val(it, "nr_open", s->nr_open);
	if (s->nr_open.err) {
		mc__set_unknown(it, MC_LIMITS_P_NR_OPEN, s->nr_open.err);
		return;
	}
	mc__set_value(it, "%" PRIu64, s->nr_open.v);
	it->conns = mc__div_keep(
	    mc__mul_sat(table_fds(s->nr_open.v, sc->fd_overhead), sc->fd_tables), c->fdpc);
	mc__set_note(it,
		     "no fd table grows past it: (%" PRIu64 " - %" PRIu64 ") x %" PRIu64
		     " fd table(s) / %" PRIu64 " fd(s) per connection",
		     s->nr_open.v, sc->fd_overhead, sc->fd_tables, c->fdpc);
	d = mc__demand(c, it);
	per = mc__add_sat(mc__div_up(mc__mul_sat(d, c->fdpc), sc->fd_tables), sc->fd_overhead);
	it->raise_to = per;
	mc__fix_sysctl_u64(it, "fs.nr_open", per);
	/* a worker's table holds RLIMIT_NOFILE (up to the hard limit without
	 * root), not fs.nr_open */
	table = s->nofile_hard.err ? s->nr_open.v : mc__min_u(s->nofile_hard.v, s->nr_open.v);
	if (table > sc->fd_overhead)
		fix_workers(c, it, d, table);
}

/* fd_system: what fs.file-max leaves above the files allocated now, shared
 * by every process. */
void mc__judge_fd_system(struct mc__judge *c, struct mc_limits_item *it)
{
	const struct mc_limits_snap *s = c->s;
	uint64_t d, need;

	mc__add_val(it, "file_max", s->file_max);
	mc__add_val(it, "allocated", s->file_nr);
	if (s->file_max.err) {
		mc__set_unknown(it, MC_LIMITS_P_FILE_MAX, s->file_max.err);
		return;
	}
	if (s->file_nr.err) {
		mc__set_unknown(it, MC_LIMITS_P_FILE_NR, s->file_nr.err);
		return;
	}
	mc__set_value(it, "%" PRIu64 " max, %" PRIu64 " in use", s->file_max.v, s->file_nr.v);
	it->conns = mc__sub0(s->file_max.v, s->file_nr.v) / c->fdpc;
	mc__set_note(it,
		     "(%" PRIu64 " - %" PRIu64 " in use) / %" PRIu64 " fd(s) per connection; "
		     "shared by every process (root may exceed it)",
		     s->file_max.v, s->file_nr.v, c->fdpc);
	if (s->uid == 0 && s->init_userns) {
		/* alloc_empty_file() checks file-max only without CAP_SYS_ADMIN:
		 * shown for other users' processes, caps nothing for root */
		it->kind = MC_LIMITS_INFO;
		mc__set_note(
		    it,
		    "root (CAP_SYS_ADMIN) is exempt: the kernel checks fs.file-max only for "
		    "other users; for them (%" PRIu64 " - %" PRIu64 " in use) / %" PRIu64
		    " fd(s) per connection",
		    s->file_max.v, s->file_nr.v, c->fdpc);
	}
	d = mc__demand(c, it);
	need = mc__add_sat(mc__add_sat(s->file_nr.v, mc__mul_sat(d, c->fdpc)), 65536);
	it->raise_to = need;
	mc__fix_sysctl_u64(it, "fs.file-max", need);
}

/* epoll_watches: fs.epoll.max_user_watches caps the fds one user may have
 * registered in epoll instances, all its processes together (epoll_ctl
 * says ENOSPC past it). The default is 4% of low memory / ~90 bytes, about
 * 230k per GiB: below the memory ceiling when both ends are on the host.
 * An epoll server and maxconn client watch one socket each per
 * connection; uring and threads servers none. */
void mc__judge_epoll_watches(struct mc__judge *c, struct mc_limits_item *it)
{
	const struct mc_limits_snap *s = c->s;
	uint64_t wpc = (c->client ? 1 : 0) + (c->server && c->sc->model == MC_MODEL_EPOLL ? 1 : 0);
	uint64_t d, need;

	mc__add_val(it, "max_user_watches", s->epoll_watches);
	if (s->epoll_watches.err) {
		mc__set_unknown(it, MC_LIMITS_P_EPOLL_WATCHES, s->epoll_watches.err);
		return;
	}
	mc__set_value(it, "%" PRIu64 " per user", s->epoll_watches.v);
	if (!wpc) {
		it->kind = MC_LIMITS_INFO;
		mc__set_note(it, "this model watches no socket with epoll");
		return;
	}
	it->conns = s->epoll_watches.v / wpc;
	mc__set_note(it,
		     "%" PRIu64 " / %" PRIu64 " watched socket(s) per connection (shared by every "
		     "process of the user; watches in use now are not counted)",
		     s->epoll_watches.v, wpc);
	d = mc__demand(c, it);
	need = mc__add_sat(mc__mul_sat(d, wpc), 65536);
	it->raise_to = need;
	mc__fix_sysctl_u64(it, "fs.epoll.max_user_watches", need);
}

/* fd_user: the limits.conf and limits.d nofile/nproc lines, as
 * information (pam applies them to new sessions, not to this process). */
void mc__judge_fd_user(struct mc__judge *c, struct mc_limits_item *it)
{
	const struct mc_limits_snap *s = c->s;
	char *p;
	size_t left;
	int shown = 0;

	p = it->value;
	left = sizeof(it->value);
	for (int i = 0; i < s->nconf; i++) {
		int n = snprintf(p, left, "%s%s %s %s %s", shown ? "; " : "", s->conf[i].domain,
				 s->conf[i].type, s->conf[i].item, s->conf[i].value);
		if (n < 0 || (size_t)n >= left)
			break;
		p += n;
		left -= (size_t)n;
		shown++;
	}
	if (!s->nconf) {
		if (s->conf_err && s->conf_err != -ENOENT) {
			mc__set_unknown(it, MC_LIMITS_P_LIMITS_CONF, s->conf_err);
			it->status = MC_LIMITS_FINE; /* information only */
			mc__set_note(it, "%s", it->reason);
			it->reason[0] = '\0';
			return;
		}
		mc__set_value(it, "no nofile/nproc lines");
	}
	mc__set_note(it, "pam_limits sets these at login; this process runs with its own "
			 "rlimits (fd_process, nproc)");
	mc__add_fix(it, "echo '* soft nofile 1048576' >> /etc/security/limits.conf");
	mc__add_fix(it, "echo '* hard nofile 1048576' >> /etc/security/limits.conf");
}
