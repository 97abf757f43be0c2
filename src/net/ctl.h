/* ctl.h: the control side of an engine, run by the main thread while the
 * workers run: SIGINT/SIGTERM through a signalfd (no handler, no global), an
 * eventfd that tells every worker to stop, and an eventfd workers use to
 * wake the main thread. Both eventfds are created before any worker, so a
 * worker that takes a private fd table still holds copies of them. */
#ifndef MC_NET_CTL_H
#define MC_NET_CTL_H

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>

#include "common/err.h"

struct mc_ctl {
	int sigfd;  /* SIGINT, SIGTERM */
	int stopfd; /* readable once mc_ctl_stop ran: workers poll it */
	int wakefd; /* workers write here to wake the main thread */
	int signo;  /* the signal that stopped us, or 0 */
	sigset_t oldmask;
};

enum mc_ctl_event { MC_CTL_TIMEOUT = 0, MC_CTL_SIGNAL = 1, MC_CTL_WAKE = 2 };

/* The signals that stop a command: SIGINT and SIGTERM. */
void mc_ctl_sigset(sigset_t *set);
/* Block SIGINT/SIGTERM (threads created later inherit the mask), ignore
 * SIGPIPE, and open the fds. */
int mc_ctl_init(struct mc_ctl *c, struct mc_err *err);
/* Block SIGINT/SIGTERM from main's first line, for the commands that take
 * them through mc_ctl_init: one that comes before the signalfd exists
 * waits for it instead of being lost (discarded at once when the shell
 * started the command in the background with SIGINT ignored, fatal
 * otherwise, and the summary never written). */
void mc_ctl_block_early(void);
/* Wait up to timeout_ms for a signal or a wake. */
enum mc_ctl_event mc_ctl_wait(struct mc_ctl *c, int timeout_ms);
/* Tell the workers to stop, and restore the signal mask so that a second
 * Ctrl-C during teardown ends the process at once. */
void mc_ctl_stop(struct mc_ctl *c);
void mc_ctl_wake(int wakefd);
/* A worker's first steps, the same in every engine: take a private fd table
 * when asked (unshare(CLONE_FILES)), make the worker's epoll instance and
 * register the stop eventfd in it with the given epoll data. Returns the
 * epoll fd or -errno. */
int mc_ctl_worker_init(const struct mc_ctl *c, bool private_table, uint64_t stop_data);
void mc_ctl_close(struct mc_ctl *c);

#endif
