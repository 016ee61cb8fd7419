/*
 * atomic.c: temporary file, fsync, rename, fsync the directory.
 * See atomic.h.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "atomic.h"

#define TMP_BASE_MAX	200	/* bytes of BASE in the temporary name */
#define TMP_TRIES	100

static void	 af_reset(struct atomic_file *);
static char	*tmp_template(const char *);
static void	 tmp_fill(char *);
static char	*dir_of(const char *);
static int	 fsync_dir(const char *, struct mk_err *);

static void
af_reset(struct atomic_file *af)
{
	free(af->path);
	free(af->tmp);
	af->fd = -1;
	af->path = NULL;
	af->tmp = NULL;
}

/*
 * "DIR/.BASE.XXXXXX.tmp" for path "DIR/BASE", or NULL when out of
 * memory or when path has no file name (empty, ends in '/', "." or "..").
 */
static char *
tmp_template(const char *path)
{
	const char	*base, *slash;
	size_t		 dlen, blen, n;
	char		*t;

	slash = strrchr(path, '/');
	base = slash != NULL ? slash + 1 : path;
	dlen = (size_t)(base - path);
	blen = strlen(base);
	if (blen == 0 || strcmp(base, ".") == 0 || strcmp(base, "..") == 0) {
		errno = EISDIR;
		return NULL;
	}
	if (blen > TMP_BASE_MAX)
		blen = TMP_BASE_MAX;
	n = dlen + 1 + blen + sizeof(".XXXXXX.tmp");
	if ((t = malloc(n)) == NULL)
		return NULL;
	memcpy(t, path, dlen);
	t[dlen] = '.';
	memcpy(t + dlen + 1, base, blen);
	memcpy(t + dlen + 1 + blen, ".XXXXXX.tmp", sizeof(".XXXXXX.tmp"));
	return t;
}

/*
 * Replace the six X before ".tmp" with letters and digits.  Unguessable
 * names are not needed for safety (O_EXCL is), only to avoid clashes.
 */
static void
tmp_fill(char *t)
{
	static const char	 set[] = "abcdefghijklmnopqrstuvwxyz"
				     "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
	static uint64_t		 state;
	struct timespec		 ts;
	uint64_t		 z;
	char			*x;
	int			 i;

	clock_gettime(CLOCK_REALTIME, &ts);
	state += 0x9e3779b97f4a7c15ULL ^ (uint64_t)ts.tv_nsec ^
	    ((uint64_t)ts.tv_sec << 30) ^ ((uint64_t)getpid() << 42);
	/* splitmix64 */
	z = state;
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	z ^= z >> 31;
	x = t + strlen(t) - sizeof("XXXXXX.tmp") + 1;
	for (i = 0; i < 6; i++, z /= sizeof(set) - 1)
		x[i] = set[z % (sizeof(set) - 1)];
}

int
atomic_open(struct atomic_file *af, const char *path, mode_t mode,
    struct mk_err *e)
{
	int i, flags;

	af->fd = -1;
	af->path = NULL;
	if ((af->tmp = tmp_template(path)) == NULL) {
		if (errno == EISDIR)
			return mk_seterr(e, MK_ECANTCREAT, "create %s: not a "
			    "file name", path);
		return mk_seterr(e, MK_ESOFTWARE, "out of memory");
	}
	if ((af->path = strdup(path)) == NULL) {
		af_reset(af);
		return mk_seterr(e, MK_ESOFTWARE, "out of memory");
	}
	flags = O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC |
	    O_NOCTTY;
	for (i = 0; i < TMP_TRIES; i++) {
		tmp_fill(af->tmp);
		if ((af->fd = open(af->tmp, flags, mode)) != -1)
			return 0;
		if (errno != EEXIST)
			break;
	}
	mk_seterrno(e, MK_ECANTCREAT, errno, "create %s", path);
	af_reset(af);
	return -1;
}

int
atomic_write(struct atomic_file *af, const void *buf, size_t len,
    struct mk_err *e)
{
	const char	*p = buf;
	ssize_t		 n;

	if (af->fd == -1)
		return mk_seterr(e, MK_ESOFTWARE, "atomic_write: not open");
	while (len > 0) {
		if ((n = write(af->fd, p, len)) == -1) {
			if (errno == EINTR)
				continue;
			return mk_seterrno(e, MK_EIO, errno, "write %s",
			    af->path);
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* The directory part of path: "." when there is none, "/" for "/x". */
static char *
dir_of(const char *path)
{
	const char	*slash;
	char		*d;
	size_t		 n;

	if ((slash = strrchr(path, '/')) == NULL)
		return strdup(".");
	n = slash == path ? 1 : (size_t)(slash - path);
	if ((d = malloc(n + 1)) == NULL)
		return NULL;
	memcpy(d, path, n);
	d[n] = '\0';
	return d;
}

/* Make the rename durable.  Some file systems cannot fsync a directory. */
static int
fsync_dir(const char *path, struct mk_err *e)
{
	char	*dir;
	int	 fd, ret = 0;

	if ((dir = dir_of(path)) == NULL)
		return mk_seterr(e, MK_ESOFTWARE, "out of memory");
	if ((fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1)
		ret = mk_seterrno(e, MK_EIO, errno, "fsync directory of %s",
		    path);
	else {
		if (fsync(fd) == -1 && errno != EINVAL && errno != ENOTSUP)
			ret = mk_seterrno(e, MK_EIO, errno, "fsync directory "
			    "of %s", path);
		close(fd);
	}
	free(dir);
	return ret;
}

int
atomic_commit(struct atomic_file *af, struct mk_err *e)
{
	int fd = af->fd, ret;

	if (fd == -1)
		return mk_seterr(e, MK_ESOFTWARE, "atomic_commit: not open");
	af->fd = -1;
	if (fsync(fd) == -1) {
		mk_seterrno(e, MK_EIO, errno, "fsync %s", af->path);
		close(fd);
		goto fail;
	}
	/* NFS and some others report write errors only at close. */
	if (close(fd) == -1) {
		mk_seterrno(e, MK_EIO, errno, "close %s", af->path);
		goto fail;
	}
	if (rename(af->tmp, af->path) == -1) {
		mk_seterrno(e, MK_ECANTCREAT, errno, "rename to %s", af->path);
		goto fail;
	}
	ret = fsync_dir(af->path, e);
	af_reset(af);
	return ret;
fail:
	atomic_abort(af);
	return -1;
}

void
atomic_abort(struct atomic_file *af)
{
	if (af->fd != -1)
		close(af->fd);
	if (af->tmp != NULL)
		unlink(af->tmp);
	af_reset(af);
}

int
atomic_write_file(const char *path, const void *buf, size_t len,
    mode_t mode, struct mk_err *e)
{
	struct atomic_file af;

	if (atomic_open(&af, path, mode, e) == -1)
		return -1;
	if (atomic_write(&af, buf, len, e) == -1) {
		atomic_abort(&af);
		return -1;
	}
	return atomic_commit(&af, e);
}
