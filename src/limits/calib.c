/* calib.c: a calibration in a forked child in a private network namespace
 * (see calib.h): the fork, the namespace, the pipe and the budget; and its
 * results kept for this boot under MC_CALIB_DIR. */
#include "limits/calib.h"

#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "common/clock.h"

/* A network namespace of its own for this process, its loopback up. */
static int private_loopback(void)
{
	struct ifreq ifr = {0};
	int fd, rc = 0;

	if (unshare(CLONE_NEWNET) < 0)
		return -errno;
	if ((fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0)) < 0)
		return -errno;
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "lo");
	if (ioctl(fd, SIOCGIFFLAGS, &ifr) < 0 ||
	    (ifr.ifr_flags |= IFF_UP, ioctl(fd, SIOCSIFFLAGS, &ifr) < 0))
		rc = -errno;
	close(fd);
	return rc;
}

/* The child's side: its rc, then out. */
static void child(int fd, int (*fn)(void *, void *), void *arg, void *out, size_t len)
{
	int rc = private_loopback();

	if (!rc)
		rc = fn(arg, out);
	if (write(fd, &rc, sizeof(rc)) != (ssize_t)sizeof(rc))
		_exit(1);
	for (size_t off = 0; !rc && off < len;) {
		ssize_t k = write(fd, (char *)out + off, len - off);
		if (k <= 0 && errno != EINTR)
			_exit(1);
		off += k > 0 ? (size_t)k : 0;
	}
	_exit(0); /* the kernel closes its sockets, the namespace goes */
}

/* Read len bytes from fd before the deadline: 0, -ETIMEDOUT or -EPIPE. */
static int read_by(int fd, void *buf, size_t len, uint64_t deadline)
{
	size_t got = 0;

	while (got < len) {
		struct pollfd pf = {.fd = fd, .events = POLLIN};
		uint64_t now = mc_now_ms();
		ssize_t k;
		if (now >= deadline || poll(&pf, 1, (int)(deadline - now)) == 0)
			return -ETIMEDOUT;
		k = read(fd, (char *)buf + got, len - got);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			return k < 0 ? -errno : -EPIPE;
		got += (size_t)k;
	}
	return 0;
}

int mc_calib_run(int (*fn)(void *arg, void *out), void *arg, void *out, size_t len, int budget_ms)
{
	uint64_t deadline = mc_now_ms() + (uint64_t)budget_ms;
	int p[2], rc, crc = 0, st;
	pid_t pid;

	if (pipe2(p, O_CLOEXEC) < 0)
		return -errno;
	fflush(NULL);
	if ((pid = fork()) < 0) {
		rc = -errno;
		close(p[0]);
		close(p[1]);
		return rc;
	}
	if (pid == 0) {
		close(p[0]);
		child(p[1], fn, arg, out, len); /* does not return */
	}
	close(p[1]);
	rc = read_by(p[0], &crc, sizeof(crc), deadline);
	if (!rc && !crc)
		rc = read_by(p[0], out, len, deadline);
	if (rc < 0)
		kill(pid, SIGKILL);
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	close(p[0]);
	return rc < 0 ? rc : crc;
}

/* The file's contents: the key line, then the result's bytes. */
static int cache_path(const char *name, char *path, size_t plen)
{
	int n = snprintf(path, plen, "%s/%s", MC_CALIB_DIR, name);

	return n < 0 || (size_t)n >= plen ? -ENAMETOOLONG : 0;
}

int mc_calib_cached(const char *name, const char *key, void *out, size_t len, char *path,
		    size_t plen)
{
	size_t kl = strlen(key), got = 0;
	char *buf;
	int fd, rc = -ENOENT;

	if (cache_path(name, path, plen) < 0 || (fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return -ENOENT;
	if ((buf = malloc(kl + 1 + len + 1))) {
		ssize_t k;
		while (got < kl + 1 + len + 1 && (k = read(fd, buf + got, kl + 2 + len - got)) > 0)
			got += (size_t)k;
		/* exactly the key, a newline and the result: no more, no less */
		if (got == kl + 1 + len && memcmp(buf, key, kl) == 0 && buf[kl] == '\n') {
			memcpy(out, buf + kl + 1, len);
			rc = 0;
		}
		free(buf);
	}
	close(fd);
	return rc;
}

int mc_calib_keep(const char *name, const char *key, const void *out, size_t len)
{
	char path[256], tmp[300];
	int fd, rc = 0;

	if (cache_path(name, path, sizeof(path)) < 0)
		return -ENAMETOOLONG;
	if (mkdir(MC_CALIB_DIR, 0755) < 0 && errno != EEXIST)
		return -errno;
	snprintf(tmp, sizeof(tmp), "%s.%d", path, (int)getpid());
	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644)) < 0)
		return -errno;
	if (write(fd, key, strlen(key)) != (ssize_t)strlen(key) || write(fd, "\n", 1) != 1 ||
	    write(fd, out, len) != (ssize_t)len)
		rc = -EIO;
	close(fd);
	if (!rc && rename(tmp, path) < 0)
		rc = -errno;
	if (rc)
		unlink(tmp);
	return rc;
}
