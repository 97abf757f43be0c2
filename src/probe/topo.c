/* topo.c: a step's path through a NAT router (--via snat). Three network
 * namespaces: the step's own holds the probe and its client, with the
 * client's sources 10.232.0.0/16 local on lo and 10.231.1.2 toward the
 * router; the router (10.231.1.1, and 10.231.2.1... toward the server)
 * forwards and masquerades with nftables onto its NAT addresses and
 * 40000-40999; the server namespace holds the probe's server at
 * 10.231.2.100. Built with the tools a user would type (ip, nft), named
 * mcp-PID-STEP-r/-s so that they can be found and removed by hand if the
 * probe is killed; removed when the step ends. */
#include "probe/topo.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/addr.h"

/* Run argv (NULL-terminated) quietly and wait; 0 when it exited 0, else
 * -EIO (-errno when it could not start). */
static int run(char *const argv[])
{
	int status;
	pid_t pid = fork();

	if (pid < 0)
		return -errno;
	if (pid == 0) {
		freopen("/dev/null", "w", stdout);
		freopen("/dev/null", "w", stderr);
		execvp(argv[0], argv);
		_exit(127);
	}
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -errno;
	return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -EIO;
}

/* A command line split on spaces (no quoting) run with run(); on failure
 * err names it. */
static int cmd(struct mc_err *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int cmd(struct mc_err *err, const char *fmt, ...)
{
	char line[512], *argv[40], *save = NULL;
	int n = 0, rc;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	{
		char copy[512];
		snprintf(copy, sizeof(copy), "%s", line);
		for (char *w = strtok_r(copy, " ", &save); w && n < 39;
		     w = strtok_r(NULL, " ", &save))
			argv[n++] = w;
		argv[n] = NULL;
		rc = run(argv);
	}
	if (rc < 0)
		mc_errf(err, rc, "--via snat: '%s' failed%s", line,
			rc == -EIO ? " (is iproute2 and nftables installed? root?)" : "");
	return rc;
}

int mc_probe_topo_up(struct mc_probe_topo *t, int step, unsigned nat_addrs, struct mc_err *err)
{
	const char *R, *S;
	char hi[24];
	int rc;

	memset(t, 0, sizeof(*t));
	snprintf(t->router, sizeof(t->router), "mcp-%d-%d-r", (int)getpid(), step);
	snprintf(t->server, sizeof(t->server), "mcp-%d-%d-s", (int)getpid(), step);
	R = t->router;
	S = t->server;
	if (nat_addrs < 1)
		nat_addrs = 1;
	if (nat_addrs > 90)
		nat_addrs = 90;
	if ((rc = cmd(err, "ip netns add %s", R)) < 0) {
		t->router[0] = t->server[0] = '\0';
		return rc;
	}
	if ((rc = cmd(err, "ip netns add %s", S)) < 0) {
		t->server[0] = '\0';
		goto fail;
	}
	if ((rc = cmd(err, "ip link add mcvia0 type veth peer name r0 netns %s", R)) < 0 ||
	    (rc = cmd(err, "ip -n %s link add r1 type veth peer name s0 netns %s", R, S)) < 0 ||
	    (rc = cmd(err, "ip addr add 10.231.1.2/24 dev mcvia0")) < 0 ||
	    (rc = cmd(err, "ip link set mcvia0 up")) < 0 ||
	    (rc = cmd(err, "ip route add local 10.232.0.0/16 dev lo")) < 0 ||
	    (rc = cmd(err, "ip route add 10.231.2.0/24 via 10.231.1.1")) < 0 ||
	    (rc = cmd(err, "ip -n %s addr add 10.231.1.1/24 dev r0", R)) < 0 ||
	    (rc = cmd(err, "ip -n %s link set lo up", R)) < 0 ||
	    (rc = cmd(err, "ip -n %s link set r0 up", R)) < 0 ||
	    (rc = cmd(err, "ip -n %s link set r1 up", R)) < 0 ||
	    (rc = cmd(err, "ip -n %s route add 10.232.0.0/16 via 10.231.1.2", R)) < 0 ||
	    (rc = cmd(err, "ip netns exec %s sysctl -qw net.ipv4.ip_forward=1", R)) < 0 ||
	    (rc = cmd(err, "ip -n %s addr add 10.231.2.100/24 dev s0", S)) < 0 ||
	    (rc = cmd(err, "ip -n %s link set lo up", S)) < 0 ||
	    (rc = cmd(err, "ip -n %s link set s0 up", S)) < 0)
		goto fail;
	for (unsigned i = 1; i <= nat_addrs; i++)
		if ((rc = cmd(err, "ip -n %s addr add 10.231.2.%u/24 dev r1", R, i)) < 0)
			goto fail;
	snprintf(hi, sizeof(hi), nat_addrs > 1 ? "-10.231.2.%u" : "", nat_addrs);
	snprintf(t->rule, sizeof(t->rule), "oifname r1 meta l4proto tcp snat to 10.231.2.1%s:%d-%d",
		 hi, MC_PROBE_VIA_PORT_LO, MC_PROBE_VIA_PORT_HI);
	if ((rc = cmd(err, "ip netns exec %s nft add table ip mcvia", R)) < 0 ||
	    (rc = cmd(err,
		      "ip netns exec %s nft add chain ip mcvia post { type nat hook postrouting "
		      "priority srcnat ; }",
		      R)) < 0 ||
	    (rc = cmd(err, "ip netns exec %s nft add rule ip mcvia post %s", R, t->rule)) < 0)
		goto fail;
	return 0;
fail:
	mc_probe_topo_down(t);
	return rc;
}

void mc_probe_topo_down(struct mc_probe_topo *t)
{
	struct mc_err e;

	/* the veth pairs go with the namespaces that hold their ends */
	if (t->server[0])
		cmd(&e, "ip netns del %s", t->server);
	if (t->router[0])
		cmd(&e, "ip netns del %s", t->router);
	t->router[0] = t->server[0] = '\0';
}

void mc_probe_topo_addrs(uint64_t sources, uint64_t dest_ports, uint16_t first_port,
			 struct mc_probe_addrs *a)
{
	struct mc_err err;
	struct mc_endpoint_range *d;

	memset(a, 0, sizeof(*a));
	d = &a->dst[a->ndst++];
	mc_parse_addr("10.231.2.100", &d->addr, &err);
	d->port_lo = first_port;
	d->port_hi = (uint16_t)(first_port + (dest_ports ? dest_ports : 1) - 1);
	mc_parse_addr("10.232.0.1", &a->src[0].first, &err);
	a->src[0].count = sources ? sources : 1;
	if (a->src[0].count > 65000)
		a->src[0].count = 65000;
	a->nsrc = 1;
}
