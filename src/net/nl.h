/* nl.h: one netlink dump (send a request with NLM_F_DUMP, read the answers
 * until NLMSG_DONE), shared by net/diag.c (sock_diag) and net/ruleset.c
 * (nf_tables). */
#ifndef MC_NET_NL_H
#define MC_NET_NL_H

#include <linux/netlink.h>
#include <stddef.h>

/* Send req (len bytes) on netlink socket nl and call fn for every message
 * of the answer (fn returns non-zero to skip the rest; the answer is still
 * read to its end). buf (cap bytes) receives them. 0, or -errno (the
 * kernel's NLMSG_ERROR included). */
int mc_nl_dump(int nl, const void *req, size_t len, void *buf, size_t cap,
	       int (*fn)(void *arg, const struct nlmsghdr *h), void *arg);

#endif
