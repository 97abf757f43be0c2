/* model.h: the server models maxconn runs and judges (`--model`), with
 * their one parse and one name. The server runs them (server/engine.h),
 * the limits model judges them, the probe runs the experiment on each. */
#ifndef MC_COMMON_MODEL_H
#define MC_COMMON_MODEL_H

#include "common/err.h"

enum mc_model {
	MC_MODEL_EPOLL,   /* worker threads, each with its epoll (and fd table) */
	MC_MODEL_THREADS, /* one blocking thread per connection */
	MC_MODEL_URING,   /* worker threads, each with its io_uring */
	MC_MODEL_COUNT
};

/* "epoll", "threads" or "uring"; 0, or -EINVAL with err naming the value
 * and the choices. */
int mc_model_parse(const char *s, enum mc_model *out, struct mc_err *err);
/* "epoll", "threads", "uring" ("?" for a value out of range) */
const char *mc_model_name(enum mc_model m);

#endif
