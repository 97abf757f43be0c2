/* err.c: error messages and errno names. */
#include "common/err.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

int mc_errf(struct mc_err *err, int rc, const char *fmt, ...)
{
	if (err) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
		va_end(ap);
	}
	return rc;
}

const char *mc_errno_name(int e)
{
	/* The errnos a connection tool meets; strerrorname_np needs glibc 2.32
	 * and Debian 12 has it, but a table keeps us portable to musl. */
	switch (e) {
	case EADDRNOTAVAIL: return "EADDRNOTAVAIL";
	case EADDRINUSE: return "EADDRINUSE";
	case EMFILE: return "EMFILE";
	case ENFILE: return "ENFILE";
	case ETIMEDOUT: return "ETIMEDOUT";
	case ECONNREFUSED: return "ECONNREFUSED";
	case ECONNRESET: return "ECONNRESET";
	case ECONNABORTED: return "ECONNABORTED";
	case ENOBUFS: return "ENOBUFS";
	case ENOMEM: return "ENOMEM";
	case EPIPE: return "EPIPE";
	case EAGAIN: return "EAGAIN";
	case EINTR: return "EINTR";
	case EINVAL: return "EINVAL";
	case EPERM: return "EPERM";
	case EACCES: return "EACCES";
	case ENETUNREACH: return "ENETUNREACH";
	case EHOSTUNREACH: return "EHOSTUNREACH";
	case ENOENT: return "ENOENT";
	case ENOTDIR: return "ENOTDIR";
	case ENOSYS: return "ENOSYS";
	case EOPNOTSUPP: return "EOPNOTSUPP";
	case ERANGE: return "ERANGE";
	default: return "E?";
	}
}

const char *mc_strerror(int e, char *buf, size_t len)
{
	if (e < 0)
		e = -e;
	snprintf(buf, len, "%s (%s)", strerror(e), mc_errno_name(e));
	return buf;
}
