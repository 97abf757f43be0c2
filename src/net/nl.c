/* nl.c: one netlink dump, request to NLMSG_DONE (see nl.h). */
#include "net/nl.h"

#include <errno.h>
#include <sys/socket.h>

int mc_nl_dump(int nl, const void *req, size_t len, void *buf, size_t cap,
	       int (*fn)(void *arg, const struct nlmsghdr *h), void *arg)
{
	int skip = 0;

	if (send(nl, req, len, 0) < 0)
		return -errno;
	for (;;) {
		int n = (int)recv(nl, buf, cap, 0);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (n == 0)
			return -EIO;
		for (const struct nlmsghdr *h = buf; NLMSG_OK(h, n); h = NLMSG_NEXT(h, n)) {
			if (h->nlmsg_type == NLMSG_DONE)
				return 0;
			if (h->nlmsg_type == NLMSG_ERROR) {
				const struct nlmsgerr *e = NLMSG_DATA(h);
				return e->error ? e->error : 0;
			}
			if (!skip)
				skip = fn(arg, h);
		}
	}
}
