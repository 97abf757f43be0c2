/* model.c: the server models' one parse and one name (see model.h). */
#include "common/model.h"

#include <errno.h>
#include <string.h>

static const char *const names[MC_MODEL_COUNT] = {
	[MC_MODEL_EPOLL] = "epoll",
	[MC_MODEL_THREADS] = "threads",
	[MC_MODEL_URING] = "uring",
};

int mc_model_parse(const char *s, enum mc_model *out, struct mc_err *err)
{
	for (int m = 0; m < MC_MODEL_COUNT; m++) {
		if (strcmp(s, names[m]) == 0) {
			*out = (enum mc_model)m;
			return 0;
		}
	}
	return mc_errf(err, -EINVAL, "--model '%s': use epoll, threads or uring", s);
}

const char *mc_model_name(enum mc_model m)
{
	return (unsigned)m < MC_MODEL_COUNT ? names[m] : "?";
}
