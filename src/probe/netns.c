/* netns.c: the probe's private network namespaces. As root the probe
 * enters a fresh one for each step, so the sysctls it tunes there (port
 * range, somaxconn, SYN backlog) and every socket die with the step and the
 * host is never changed (see netns.h). */
#include "probe/netns.h"

#include <errno.h>
#include <inttypes.h>
#include <net/if.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "common/procfs.h"
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
