/* err.h: how maxconn functions report failure.
 *
 * Every function returns 0 or a negative errno (or a documented negative
 * code). When the caller needs words for the user, the function also fills a
 * struct mc_err with one sentence naming the thing, the value and the fix.
 * Only the command line layer prints it and picks the exit code. */
#ifndef MC_COMMON_ERR_H
#define MC_COMMON_ERR_H

#include <stddef.h>

struct mc_err {
	char msg[512];
};

/* Exit codes, documented in maxconn --help and the README. */
enum mc_exit {
	MC_EXIT_OK = 0,      /* everything asked for was done */
	MC_EXIT_RUNTIME = 1, /* runtime failure: resets, lost bytes, a syscall failed */
	MC_EXIT_USAGE = 2,   /* bad flag or value; nothing was started */
	MC_EXIT_LIMIT = 3,   /* a host limit stopped the run short of its target */
	MC_EXIT_INTERRUPTED = 130, /* Ctrl-C before the target was reached (summary printed) */
};

/* Fill err (if not NULL) with a printf-style message; returns rc so callers
 * can write `return mc_errf(err, -EINVAL, "...")`. */
int mc_errf(struct mc_err *err, int rc, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* "Cannot assign requested address (EADDRNOTAVAIL)": strerror plus the
 * symbolic name, so users can search for it. */
const char *mc_errno_name(int e);
const char *mc_strerror(int e, char *buf, size_t len);

#endif
