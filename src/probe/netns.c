/* netns.c: the probe's private network namespaces. As root the probe
 * enters a fresh one for each step, so the sysctls it tunes there (port
 * range, somaxconn, SYN backlog) and every socket die with the step and the
 * host is never changed; and it gives the step's namespace an established
 * hash sized for its sockets (see netns.h). */
#include "probe/netns.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <net/if.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "common/procfs.h"
#include "host/host.h"
#include "limits/limits.h"

/* Loopback up or down in the probe's namespace. */
static int lo_set(bool up)
{
	struct ifreq ifr;
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0), rc = 0;

	if (fd < 0)
		return -errno;
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "lo");
	if (ioctl(fd, SIOCGIFFLAGS, &ifr) < 0)
		rc = -errno;
	if (up)
		ifr.ifr_flags |= IFF_UP;
	else
		ifr.ifr_flags &= ~IFF_UP;
	if (!rc && ioctl(fd, SIOCSIFFLAGS, &ifr) < 0)
		rc = -errno;
	close(fd);
	return rc;
}

static int set_sysctl(const char *path, uint64_t a, uint64_t b)
{
	char v[64];

	if (b)
		snprintf(v, sizeof(v), "%" PRIu64 " %" PRIu64, a, b);
	else
		snprintf(v, sizeof(v), "%" PRIu64, a);
	return mc_proc_write(NULL, path, v);
}

bool mc_probe_netns_first(const struct mc_probe_config *cfg, char *where, size_t len)
{
	char eb[96];

	if (cfg->have_target_addr || cfg->host) {
		snprintf(where, len, "%s",
			 cfg->have_target_addr
				 ? "this host's network (probing an existing server; nothing tuned)"
				 : "this host's loopback (--no-netns: nothing tuned)");
		return false;
	}
	if (unshare(CLONE_NEWNET) == 0) {
		snprintf(where, len,
			 "a private network namespace per step (sysctls tuned there only; the "
			 "host is not changed)");
		return true;
	}
	snprintf(where, len, "this host's loopback, nothing tuned (no private namespace: %s)",
		 mc_strerror(errno, eb, sizeof(eb)));
	return false;
}

int mc_probe_netns_enter(const struct mc_probe_scenario *sc, struct mc_err *err)
{
	char eb[96];
	int rc;

	if (unshare(CLONE_NEWNET) < 0)
		return mc_errf(err, -errno, "unshare(CLONE_NEWNET): %s",
			       mc_strerror(errno, eb, sizeof(eb)));
	if ((rc = lo_set(true)) < 0)
		return mc_errf(err, rc, "bringing up lo in the probe's namespace: %s",
			       mc_strerror(-rc, eb, sizeof(eb)));
	if ((rc = set_sysctl(MC_LIMITS_P_SOMAXCONN, sc->backlog, 0)) < 0 ||
	    (rc = set_sysctl(MC_LIMITS_P_SYN_BACKLOG, sc->backlog, 0)) < 0 ||
	    (rc = set_sysctl(MC_HOST_P_PORT_RANGE, sc->port_lo, sc->port_hi)) < 0)
		return mc_errf(err, rc, "setting the probe namespace's sysctls: %s",
			       mc_strerror(-rc, eb, sizeof(eb)));
	return 0;
}

/* What the step's namespace has, read from inside it. */
static void ehash_read_here(struct mc_probe_ehash *eh)
{
	struct mc_host_ehash e;

	mc_host_ehash_read(NULL, &e);
	eh->buckets = e.buckets.err ? 0 : e.buckets.v;
	eh->own = !e.buckets.err && e.own;
}

void mc_probe_ehash_unsized(struct mc_probe_ehash *eh, const char *why)
{
	memset(eh, 0, sizeof(*eh));
	ehash_read_here(eh);
	snprintf(eh->why, sizeof(eh->why), "%s", why);
}

/* Write v to the sysctl open as fd (at offset 0, as sysctl(8) does). */
static int ehash_write(int fd, uint64_t v)
{
	char b[24];
	int n = snprintf(b, sizeof(b), "%" PRIu64 "\n", v);

	return pwrite(fd, b, (size_t)n, 0) == n ? 0 : -errno;
}

int mc_probe_netns_size(const struct mc_probe_scenario *sc, uint64_t sockets, uint64_t buckets,
			struct mc_probe_ehash *eh, struct mc_err *err)
{
	char b[24] = "", eb[96];
	uint64_t old = 0;
	ssize_t n;
	int fd, rc, wrc;

	memset(eh, 0, sizeof(*eh));
	/* opened here, the file stays this namespace's after unshare: the
	 * setting is put back through it once the step's namespace exists */
	fd = open(MC_HOST_P_CHILD_EHASH, O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		int e = errno;
		ehash_read_here(eh);
		snprintf(eh->why, sizeof(eh->why),
			 e == ENOENT ? "the kernel's, shared: no net.ipv4.tcp_child_ehash_entries "
				       "(Linux before 5.19)"
				     : "the kernel's, shared: opening net.ipv4.tcp_child_ehash_entries: %s",
			 mc_strerror(e, eb, sizeof(eb)));
		return 0;
	}
	n = pread(fd, b, sizeof(b) - 1, 0);
	if (n > 0) {
		b[n] = '\0';
		old = strtoull(b, NULL, 10);
	}
	eh->asked = buckets ? buckets : mc_host_ehash_size(sockets);
	if (n <= 0 || (wrc = ehash_write(fd, eh->asked)) < 0) {
		int e = n <= 0 ? (n < 0 ? errno : EIO) : -wrc;
		close(fd);
		ehash_read_here(eh);
		eh->asked = 0;
		snprintf(eh->why, sizeof(eh->why),
			 "the kernel's, shared: setting net.ipv4.tcp_child_ehash_entries: %s",
			 mc_strerror(e, eb, sizeof(eb)));
		return 0;
	}
	rc = mc_probe_netns_enter(sc, err);
	/* at once, whatever happened: the namespace it was set in is the
	 * probe's own, made for the step a moment ago, and is put back as it
	 * was all the same */
	wrc = ehash_write(fd, old);
	close(fd);
	if (rc < 0)
		return rc;
	eh->sockets = sockets;
	ehash_read_here(eh);
	if (!eh->own)
		snprintf(eh->why, sizeof(eh->why),
			 "the kernel's, shared: it did not make one of %" PRIu64
			 " buckets (dmesg: \"Failed to allocate TCP ehash\")",
			 eh->asked);
	else if (wrc < 0 && wrc != -ENOENT) /* ENOENT: that namespace is gone already */
		snprintf(eh->why, sizeof(eh->why),
			 "sized, but tcp_child_ehash_entries was not put back (%" PRIu64 "): %s",
			 old, mc_strerror(-wrc, eb, sizeof(eb)));
	return 0;
}
