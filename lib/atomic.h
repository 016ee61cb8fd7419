/*
 * atomic.h: write a file so that readers see the old contents or the
 * new, never a part: write a temporary file in the same directory,
 * fsync it, rename it over the target, fsync the directory.
 *
 *	struct atomic_file af;
 *
 *	if (atomic_open(&af, path, 0600, e) == -1)
 *		return -1;
 *	if (atomic_write(&af, p, n, e) == -1) {
 *		atomic_abort(&af);
 *		return -1;
 *	}
 *	return atomic_commit(&af, e);
 *
 * The rename replaces whatever is at PATH: a symbolic link there is
 * replaced by the new regular file, not written through, and the new
 * file has the given mode, not that of the file it replaces.  The
 * directory must be writable; a hard link to the old file keeps the old
 * contents.
 */
#ifndef ATOMIC_H
#define ATOMIC_H

#include <sys/types.h>

#include <stddef.h>

#include "mk.h"

/* An output file in progress.  Set up by atomic_open(). */
struct atomic_file {
	int	 fd;		/* the temporary file, open for writing;
				   -1 once committed or aborted */
	char	*path;		/* owned: the name to commit to */
	char	*tmp;		/* owned: ".BASE.XXXXXX.tmp" next to it */
};

/*
 * Create the temporary file next to path (same directory, so rename()
 * is atomic) as ".BASE.XXXXXX.tmp", BASE cut to 200 bytes, with
 * O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC: never through a symbolic
 * link or over an existing file.  mode is applied as by open(2), less
 * the umask.  The caller writes with atomic_write() or on af->fd, then
 * calls atomic_commit() or atomic_abort().  Returns 0, or -1 with e
 * set (MK_ECANTCREAT "create PATH: reason", MK_ESOFTWARE when out of
 * memory) and af left so that atomic_abort() is harmless.
 */
int	atomic_open(struct atomic_file *af, const char *path, mode_t mode,
	    struct mk_err *e);

/* Write all len bytes of buf.  -1 with e set (MK_EIO "write PATH: ..."). */
int	atomic_write(struct atomic_file *af, const void *buf, size_t len,
	    struct mk_err *e);

/*
 * fsync and close the temporary file, rename it to path, fsync the
 * directory.  Returns 0, or -1 with e set: MK_EIO (fsync, close) or
 * MK_ECANTCREAT (rename), and the temporary file removed; or MK_EIO
 * "fsync directory of PATH" when only the last step failed, in which
 * case the new file is in place but may not survive a crash.  af is
 * finished either way; a later atomic_abort() does nothing.
 */
int	atomic_commit(struct atomic_file *af, struct mk_err *e);

/* Close and remove the temporary file; harmless when already finished. */
void	atomic_abort(struct atomic_file *af);

/* atomic_open(), atomic_write() and atomic_commit() in one call. */
int	atomic_write_file(const char *path, const void *buf, size_t len,
	    mode_t mode, struct mk_err *e);

#endif /* ATOMIC_H */
