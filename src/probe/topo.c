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
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
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
		mc_errf(err, rc, "--via: '%s' failed%s", line,
			rc == -EIO ? " (is iproute2 and nftables installed? root?)" : "");
	return rc;
}

/* The three namespaces, their links, addresses and routes; the middle
 * one with naddrs addresses 10.231.2.1.. toward the server. */
static int paths_up(struct mc_probe_topo *t, int step, unsigned naddrs, struct mc_err *err)
{
	const char *R, *S;
	int rc;

	memset(t, 0, sizeof(*t));
	snprintf(t->router, sizeof(t->router), "mcp-%d-%d-r", (int)getpid(), step);
	snprintf(t->server, sizeof(t->server), "mcp-%d-%d-s", (int)getpid(), step);
	R = t->router;
	S = t->server;
	if ((rc = cmd(err, "ip netns add %s", R)) < 0) {
		t->router[0] = t->server[0] = '\0';
		return rc;
	}
	if ((rc = cmd(err, "ip netns add %s", S)) < 0) {
		t->server[0] = '\0';
		return rc;
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
	    (rc = cmd(err, "ip -n %s addr add 10.231.2.100/24 dev s0", S)) < 0 ||
	    (rc = cmd(err, "ip -n %s link set lo up", S)) < 0 ||
	    (rc = cmd(err, "ip -n %s link set s0 up", S)) < 0)
		return rc;
	for (unsigned i = 1; i <= naddrs; i++)
		if ((rc = cmd(err, "ip -n %s addr add 10.231.2.%u/24 dev r1", R, i)) < 0)
			return rc;
	return 0;
}

int mc_probe_topo_up(struct mc_probe_topo *t, int step, unsigned nat_addrs, struct mc_err *err)
{
	const char *R = t->router;
	char hi[24];
	int rc;

	if (nat_addrs < 1)
		nat_addrs = 1;
	if (nat_addrs > 90)
		nat_addrs = 90;
	if ((rc = paths_up(t, step, nat_addrs, err)) < 0)
		goto fail;
	snprintf(hi, sizeof(hi), nat_addrs > 1 ? "-10.231.2.%u" : "", nat_addrs);
	snprintf(t->rule, sizeof(t->rule), "oifname r1 meta l4proto tcp snat to 10.231.2.1%s:%d-%d",
		 hi, MC_PROBE_VIA_PORT_LO, MC_PROBE_VIA_PORT_HI);
	if ((rc = cmd(err, "ip netns exec %s sysctl -qw net.ipv4.ip_forward=1", R)) < 0 ||
	    (rc = cmd(err, "ip netns exec %s nft add table ip mcvia", R)) < 0 ||
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

#define STREAM_MODULE "/usr/lib/nginx/modules/ngx_stream_module.so"

int mc_probe_topo_proxy_up(struct mc_probe_topo *t, int step, unsigned binds, const char *dir,
			   int upstream_port, struct mc_err *err)
{
	FILE *f;
	int rc;

	if ((rc = paths_up(t, step, binds > 1 ? 2 : 1, err)) < 0 ||
	    (rc = cmd(err, "ip netns exec %s sysctl -qw net.ipv4.ip_local_port_range=%d\t%d",
		      t->router, MC_PROBE_VIA_PORT_LO, MC_PROBE_VIA_PORT_HI)) < 0)
		goto fail;
	snprintf(t->conf, sizeof(t->conf), "%s/nginx-%d.conf", dir, step);
	snprintf(t->log, sizeof(t->log), "%s/nginx-%d-error.log", dir, step);
	f = fopen(t->conf, "we");
	if (!f) {
		rc = mc_errf(err, -errno, "--via nginx: %s: %s", t->conf, strerror(errno));
		goto fail;
	}
	/* the client's ports alternate in parity, so a map on the last digit
	 * of $remote_port splits them evenly over the two addresses */
	fprintf(f,
		"%s"
		"worker_processes 1;\ndaemon off;\npid %s/nginx-%d.pid;\nerror_log %s warn;\n"
		"worker_rlimit_nofile 16384;\nevents { worker_connections 8192; }\n"
		"stream {\n%s"
		"\tserver {\n\t\tlisten 10.231.1.1:%d;\n\t\tproxy_pass 10.231.2.100:%d;\n"
		"\t\tproxy_connect_timeout 3s;\n%s\t}\n}\n",
		access(STREAM_MODULE, R_OK) == 0 ? "load_module " STREAM_MODULE ";\n" : "", dir,
		step, t->log,
		binds > 1 ? "\tmap $remote_port $mc_src { ~[02468]$ 10.231.2.1; default "
			    "10.231.2.2; }\n"
			  : "",
		MC_PROBE_VIA_PROXY_PORT, upstream_port,
		binds > 1 ? "\t\tproxy_bind $mc_src;\n" : "");
	if (fclose(f) != 0) {
		rc = mc_errf(err, -EIO, "--via nginx: writing %s", t->conf);
		goto fail;
	}
	return 0;
fail:
	mc_probe_topo_down(t);
	return rc;
}

/* Does process pid's network namespace have a TCP listener on port? */
static bool listens(int pid, int port)
{
	char path[64], line[256], want[16];
	bool found = false;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/net/tcp", pid);
	snprintf(want, sizeof(want), ":%04X", port);
	f = fopen(path, "re");
	if (!f)
		return false;
	while (!found && fgets(line, sizeof(line), f)) {
		char local[64];
		unsigned st;
		if (sscanf(line, " %*d: %63s %*s %x", local, &st) == 2 && st == 0x0A &&
		    strstr(local, want))
			found = true;
	}
	fclose(f);
	return found;
}

int mc_probe_topo_proxy_start(struct mc_probe_topo *t, struct mc_err *err)
{
	char path[300];
	pid_t pid;

	snprintf(path, sizeof(path), "/run/netns/%s", t->router);
	fflush(NULL);
	pid = fork();
	if (pid < 0)
		return mc_errf(err, -errno, "fork: %s", strerror(errno));
	if (pid == 0) {
		int fd = open(path, O_RDONLY | O_CLOEXEC);
		prctl(PR_SET_PDEATHSIG, SIGTERM);
		setpgid(0, 0);
		if (fd < 0 || setns(fd, CLONE_NEWNET) < 0)
			_exit(126);
		freopen("/dev/null", "w", stdout);
		execlp("nginx", "nginx", "-e", t->log, "-p", "/", "-c", t->conf, (char *)NULL);
		_exit(127);
	}
	t->nginx_pid = pid;
	for (int i = 0; i < 100; i++) {
		int status;
		if (waitpid(pid, &status, WNOHANG) == pid) {
			t->nginx_pid = 0;
			return mc_errf(err, -ECHILD,
				       "--via nginx: nginx exited (%s): see %s (is nginx and "
				       "libnginx-mod-stream installed?)",
				       WIFEXITED(status) && WEXITSTATUS(status) == 127
					   ? "not found"
					   : "its error",
				       t->log);
		}
		if (listens(pid, MC_PROBE_VIA_PROXY_PORT))
			return 0;
		usleep(50 * 1000);
	}
	return mc_errf(err, -ETIMEDOUT, "--via nginx: nginx did not listen within 5 s: see %s",
		       t->log);
}

void mc_probe_topo_down(struct mc_probe_topo *t)
{
	struct mc_err e;

	if (t->nginx_pid > 0) {
		/* SIGTERM: nginx's fast shutdown; its group killed if it lingers */
		int status;
		kill(t->nginx_pid, SIGTERM);
		for (int i = 0; i < 60 && waitpid(t->nginx_pid, &status, WNOHANG) == 0; i++)
			usleep(50 * 1000);
		if (waitpid(t->nginx_pid, &status, WNOHANG) == 0) {
			kill(-t->nginx_pid, SIGKILL);
			waitpid(t->nginx_pid, &status, 0);
		}
		t->nginx_pid = 0;
	}
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

void mc_probe_topo_proxy_addrs(struct mc_probe_addrs *a)
{
	struct mc_err err;

	a->ndst = 1;
	mc_parse_addr("10.231.1.1", &a->dst[0].addr, &err);
	a->dst[0].port_lo = a->dst[0].port_hi = MC_PROBE_VIA_PROXY_PORT;
}
