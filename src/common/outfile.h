/* outfile.h: a report file (--json FILE, --html FILE) that appears whole or
 * not at all: written beside the target without a name, renamed over it
 * when complete. A run that fails or is killed leaves the existing file as
 * it was and no temporary file behind (outfile.c says how). */
#ifndef MC_COMMON_OUTFILE_H
#define MC_COMMON_OUTFILE_H

#include <limits.h>
#include <stdbool.h>
#include <stdio.h>

#include "common/err.h"

struct mc_outfile {
	FILE *f;	      /* write here */
	bool direct;	      /* a device or pipe: written in place */
	char path[PATH_MAX];  /* the target */
	char tmp[PATH_MAX + 16]; /* its temporary name while it has one, or "" */
};

/* Open a file to become path: checks that path's directory is writable
 * now, before a long run. Returns 0 or -errno with err set ("PATH: ...;
 * choose a writable path"). */
int mc_outfile_open(struct mc_outfile *o, const char *path, struct mc_err *err);
/* Complete it: flush, sync, and put it in place of path at once. Returns 0
 * or -errno with err set; on failure the old file is untouched. */
int mc_outfile_commit(struct mc_outfile *o, struct mc_err *err);
/* Drop it: path stays as it was. Safe on a committed or unopened one. */
void mc_outfile_abort(struct mc_outfile *o);
/* True when the two paths name the same file (existing or to be made). */
bool mc_outfile_same(const char *a, const char *b);

#endif
