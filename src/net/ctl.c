/* ctl.c: signals, stop and wake for an engine's main thread (see ctl.h). */
#include "net/ctl.h"

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/signalfd.h>
#include <unistd.h>

void mc_ctl_sigset(sigset_t *set)
{
	sigemptyset(set);
	sigaddset(set, SIGINT);
	sigaddset(set, SIGTERM);
}

int mc_ctl_init(struct mc_ctl *c, struct mc_err *err)
{
	sigset_t set;
	char eb[96];

	c->sigfd = c->stopfd = c->wakefd = -1;
	c->signo = 0;
	signal(SIGPIPE, SIG_IGN);
	mc_ctl_sigset(&set);
	pthread_sigmask(SIG_BLOCK, &set, &c->oldmask);
	/* main may have blocked them already (mc_ctl_block_early), so that a
	 * Ctrl-C that comes before this signalfd waits for it: the mask the
	 * stop restores lets them through either way */
	sigdelset(&c->oldmask, SIGINT);
	sigdelset(&c->oldmask, SIGTERM);
	c->sigfd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
	c->stopfd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	c->wakefd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (c->sigfd == -1 || c->stopfd == -1 || c->wakefd == -1) {
		int e = errno;
		mc_ctl_close(c);
		return mc_errf(err, -e, "creating signalfd/eventfd: %s",
			       mc_strerror(e, eb, sizeof(eb)));
	}
	return 0;
}

void mc_ctl_block_early(void)
{
	sigset_t set;

	mc_ctl_sigset(&set);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
}

enum mc_ctl_event mc_ctl_wait(struct mc_ctl *c, int timeout_ms)
{
	struct pollfd p[2] = {{c->sigfd, POLLIN, 0}, {c->wakefd, POLLIN, 0}};
	enum mc_ctl_event ev = MC_CTL_TIMEOUT;

	if (poll(p, 2, timeout_ms) <= 0)
		return MC_CTL_TIMEOUT;
	if (p[1].revents & POLLIN) {
		uint64_t v;
		if (read(c->wakefd, &v, sizeof(v)) < 0) {
			/* nothing to do: another read emptied it */
		}
		ev = MC_CTL_WAKE;
	}
	if (p[0].revents & POLLIN) {
		struct signalfd_siginfo si;
		if (read(c->sigfd, &si, sizeof(si)) == (ssize_t)sizeof(si))
			c->signo = (int)si.ssi_signo;
		ev = MC_CTL_SIGNAL;
	}
	return ev;
}

void mc_ctl_stop(struct mc_ctl *c)
{
	uint64_t one = 1;

	if (write(c->stopfd, &one, sizeof(one)) < 0) {
		/* the counter cannot overflow with one write; ignore */
	}
	pthread_sigmask(SIG_SETMASK, &c->oldmask, NULL);
}

void mc_ctl_wake(int wakefd)
{
	uint64_t one = 1;

	if (write(wakefd, &one, sizeof(one)) < 0) {
		/* EAGAIN: already awake */
	}
}

void mc_ctl_close(struct mc_ctl *c)
{
	if (c->sigfd >= 0)
		close(c->sigfd);
	if (c->stopfd >= 0)
		close(c->stopfd);
	if (c->wakefd >= 0)
		close(c->wakefd);
	c->sigfd = c->stopfd = c->wakefd = -1;
}

int mc_ctl_worker_init(const struct mc_ctl *c, bool private_table, uint64_t stop_data)
{
	struct epoll_event ev = {.events = EPOLLIN, .data.u64 = stop_data};
	int epfd;

	if (private_table && unshare(CLONE_FILES) == -1)
		return -errno;
	epfd = epoll_create1(EPOLL_CLOEXEC);
	if (epfd == -1)
		return -errno;
	if (epoll_ctl(epfd, EPOLL_CTL_ADD, c->stopfd, &ev) == -1) {
		int e = errno;
		close(epfd);
		return -e;
	}
	return epfd;
}
