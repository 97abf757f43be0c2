/* registry-int.h: internal to src/limits (and its unit tests): the one
 * table of limits (registry.c). Each entry binds a stable id from
 * common/limit-t.h to what the table shows of it (name, where it is read
 * from, kind), the function that judges it, and the three texts of
 * --explain. Judging (judge.c), --explain and the list of ids (print.c)
 * all read this table, in its order, which is the order of the table
 * `maxconn limits` prints. */
#ifndef MC_LIMITS_REGISTRY_INT_H
#define MC_LIMITS_REGISTRY_INT_H

#include <stddef.h>

#include "limits/limits.h"

struct mc__judge; /* limits/judge-int.h */

struct mc__limit {
	const char *id;		  /* MC_LIMIT_* */
	const char *name;	  /* what it is, in a few words (the table, JSON "name") */
	const char *source;	  /* where it is read from (the judge may be more exact) */
	enum mc_limits_kind kind; /* when it applies (the judge may narrow it to info) */
	void (*judge)(struct mc__judge *c, struct mc_limits_item *it);
	const char *what;  /* --explain: what it is */
	const char *shows; /* --explain: how it shows when hit (errno, dmesg, counter) */
	const char *raise; /* --explain: how to raise it */
};

/* Every limit, in table order. */
extern const struct mc__limit mc__limits[];
extern const size_t mc__nlimits;

/* The entry with this id, or NULL. */
const struct mc__limit *mc__limit_find(const char *id);

#endif
