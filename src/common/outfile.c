/* outfile.c: a report file that appears whole or not at all (see outfile.h).
 *
 * The file is written unnamed (O_TMPFILE) in the target's directory, so a
 * run that fails or is killed leaves nothing, and the existing file is
 * untouched; commit gives it a temporary name beside the target and
 * renames it over the target, one atomic step. Where the filesystem has no
 * O_TMPFILE it is a named temporary file from the start (".NAME.XXXXXX",
 * removed on abort). A target that exists and is not a regular file
 * (/dev/stdout, a pipe) is written in place. */
#include "common/outfile.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* dir of path ("." when it has none) into dir, its last part into base */
static void split(const char *path, char *dir, size_t dlen, const char **base)
{
	const char *slash = strrchr(path, '/');

	if (!slash) {
		snprintf(dir, dlen, ".");
		*base = path;
	} else if (slash == path) {
		snprintf(dir, dlen, "/");
		*base = slash + 1;
	} else {
		snprintf(dir, dlen, "%.*s", (int)(slash - path), path);
		*base = slash + 1;
	}
}

/* "DIR/.BASE.XXXXXX" */
static int temp_name(const char *path, char *out, size_t len)
{
	char dir[PATH_MAX];
	const char *base;

	split(path, dir, sizeof(dir), &base);
	if (snprintf(out, len, "%s/.%s.XXXXXX", dir, base) >= (int)len)
		return -ENAMETOOLONG;
	return 0;
}

static mode_t file_mode(void)
{
	mode_t um = umask(0);

	umask(um);
	return 0666 & ~um;
}

int mc_outfile_open(struct mc_outfile *o, const char *path, struct mc_err *err)
{
	char dir[PATH_MAX], eb[96];
	const char *base;
	struct stat sb;
	int fd, rc;

	memset(o, 0, sizeof(*o));
	if (snprintf(o->path, sizeof(o->path), "%s", path) >= (int)sizeof(o->path))
		return mc_errf(err, -ENAMETOOLONG, "%s: the path is too long", path);
	split(path, dir, sizeof(dir), &base);
	if (!*base)
		return mc_errf(err, -EISDIR, "%s: names a directory; give a file name", path);
	if (stat(path, &sb) == 0) {
		if (S_ISDIR(sb.st_mode))
			return mc_errf(err, -EISDIR, "%s: is a directory; give a file name", path);
		if (!S_ISREG(sb.st_mode)) {
			/* a device or a pipe: written in place */
			fd = open(path, O_WRONLY | O_CLOEXEC);
			o->direct = true;
			goto opened;
		}
	}
	fd = open(dir, O_TMPFILE | O_WRONLY | O_CLOEXEC, file_mode());
	if (fd < 0 && (errno == EOPNOTSUPP || errno == EISDIR || errno == EINVAL)) {
		/* no O_TMPFILE here: a named temporary file */
		if ((rc = temp_name(path, o->tmp, sizeof(o->tmp))) < 0)
			return mc_errf(err, rc, "%s: the path is too long", path);
		fd = mkostemp(o->tmp, O_CLOEXEC);
		if (fd >= 0 && fchmod(fd, file_mode()) < 0) {
			int e = errno;
			close(fd);
			unlink(o->tmp);
			errno = e;
			fd = -1;
		}
		if (fd < 0)
			o->tmp[0] = '\0';
	}
opened:
	if (fd < 0)
		return mc_errf(err, -errno, "%s: %s; choose a writable path", path,
			       mc_strerror(errno, eb, sizeof(eb)));
	o->f = fdopen(fd, "w");
	if (!o->f) {
		int e = errno;
		close(fd);
		if (o->tmp[0])
			unlink(o->tmp);
		return mc_errf(err, -e, "%s: %s", path, mc_strerror(e, eb, sizeof(eb)));
	}
	return 0;
}

/* Give the unnamed file a temporary name beside the target. */
static int link_anon(struct mc_outfile *o)
{
	char proc[64];

	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fileno(o->f));
	for (int tries = 0; tries < 100; tries++) {
		int rc = temp_name(o->path, o->tmp, sizeof(o->tmp));
		int fd;
		if (rc < 0)
			return rc;
		/* a fresh unique name: made, then freed for the link */
		if ((fd = mkostemp(o->tmp, O_CLOEXEC)) < 0)
			return -errno;
		close(fd);
		unlink(o->tmp);
		if (linkat(AT_FDCWD, proc, AT_FDCWD, o->tmp, AT_SYMLINK_FOLLOW) == 0)
			return 0;
		if (errno != EEXIST)
			return -errno;
	}
	return -EEXIST;
}

int mc_outfile_commit(struct mc_outfile *o, struct mc_err *err)
{
	char eb[96];
	int rc = 0;

	if (!o->f)
		return 0;
	if (fflush(o->f) != 0 || ferror(o->f) || (!o->direct && fsync(fileno(o->f)) < 0))
		rc = -(errno ? errno : EIO);
	if (!rc && !o->direct && !o->tmp[0])
		rc = link_anon(o);
	if (!rc && !o->direct && rename(o->tmp, o->path) < 0)
		rc = -errno;
	if (rc < 0 && o->tmp[0])
		unlink(o->tmp);
	o->tmp[0] = '\0';
	if (fclose(o->f) != 0 && !rc)
		rc = -errno;
	o->f = NULL;
	if (rc < 0)
		return mc_errf(err, rc, "writing %s: %s", o->path, mc_strerror(rc, eb, sizeof(eb)));
	return 0;
}

void mc_outfile_abort(struct mc_outfile *o)
{
	if (o->f)
		fclose(o->f);
	if (o->tmp[0])
		unlink(o->tmp);
	o->f = NULL;
	o->tmp[0] = '\0';
}

/* path made absolute through its directory's real path, or "" */
static void canonical(const char *path, char *out, size_t len)
{
	char dir[PATH_MAX], real[PATH_MAX];
	const char *base;

	split(path, dir, sizeof(dir), &base);
	if (!realpath(dir, real) ||
	    snprintf(out, len, "%s/%s", strcmp(real, "/") ? real : "", base) >= (int)len)
		out[0] = '\0';
}

bool mc_outfile_same(const char *a, const char *b)
{
	char ca[PATH_MAX + 256], cb[PATH_MAX + 256];
	struct stat sa, sb;

	if (strcmp(a, b) == 0)
		return true;
	if (stat(a, &sa) == 0 && stat(b, &sb) == 0)
		return sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
	canonical(a, ca, sizeof(ca));
	canonical(b, cb, sizeof(cb));
	return ca[0] && strcmp(ca, cb) == 0;
}
