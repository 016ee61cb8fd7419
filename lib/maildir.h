/*
 * maildir.h: delivery into a Maildir (the protocol of maildir(5) as
 * D. J. Bernstein describes it), with group commit.
 *
 *	struct maildir *md = maildir_open(dir, e);
 *	maildir_add_begin(md, e);		one message:
 *	maildir_write(md, p, n, e);		  write it into tmp/
 *	maildir_add_end(md, e);			  done (not yet durable)
 *	... more messages ...
 *	maildir_commit(md, e);			fsync them all, link each
 *						into new/, fsync new/ once
 *	maildir_close(md);			drops what was not committed
 *
 * A message is delivered (it may be deleted from the server) only once
 * maildir_commit() has returned 0 for it.  Until then it lives in tmp/
 * under its unique name, and maildir_close() or maildir_add_abort()
 * removes it.  Bytes are stored exactly as given: no line ending is
 * changed, nothing is added.
 */
#ifndef MAILDIR_H
#define MAILDIR_H

#include <stddef.h>
#include <sys/types.h>

#include "mk.h"

#define MAILDIR_BATCH	1024	/* uncommitted messages, at most (they
				   hold no open file) */

struct maildir;

/*
 * Open the Maildir dir, creating dir and its tmp/, new/ and cur/
 * (mode 0700) when missing.  Errors: MK_ECANTCREAT when a directory
 * cannot be created or is not a directory, MK_ESOFTWARE out of memory.
 */
struct maildir	*maildir_open(const char *dir, struct mk_err *e);

/* Remove the uncommitted messages from tmp/ and free md.  NULL ok. */
void		 maildir_close(struct maildir *md);

/*
 * Start a message: a new file tmp/NAME, NAME unique (see
 * maildir_name()).  Errors: MK_ETEMP when MAILDIR_BATCH messages wait
 * for a commit (a bug of the caller: commit first), MK_ECANTCREAT.
 */
int	maildir_add_begin(struct maildir *md, struct mk_err *e);

/* Append n bytes to the message begun.  MK_EIO on failure (disk full). */
int	maildir_write(struct maildir *md, const void *p, size_t n,
	    struct mk_err *e);

/* Finish the message begun; it waits for maildir_commit(). */
int	maildir_add_end(struct maildir *md, struct mk_err *e);

/* Drop the message begun (its file is removed). */
void	maildir_add_abort(struct maildir *md);

/*
 * Make every finished message durable: fsync each file, link it into
 * new/ (then unlink it from tmp/), fsync new/.  Returns 0: all of them
 * are delivered.  -1 with e set (MK_EIO): none counts as delivered
 * (some may be in new/: a duplicate at worst, never a loss); the
 * uncommitted ones are removed.
 */
int	maildir_commit(struct maildir *md, struct mk_err *e);

/*
 * The first half of maildir_commit(), for a caller that records the
 * names before they appear in new/ (mpop's journal): fsync every
 * finished file (on Linux one syncfs(2) of the file system, else an
 * fsync(2) of each file, reopened by name).  Errors as maildir_commit() (the files are then
 * removed).  maildir_commit() after it does not fsync them again.
 */
int	maildir_sync(struct maildir *md, struct mk_err *e);

/* Messages finished but not committed, and the tmp/ name of the i-th. */
size_t		 maildir_pending(const struct maildir *md);
const char	*maildir_pending_name(const struct maildir *md, size_t i);

/*
 * Whether a message called name was delivered: new/NAME exists, or a
 * file in cur/ called NAME or NAME:INFO (a reader moved it there).
 */
int	maildir_has(struct maildir *md, const char *name);

/*
 * The unique name of a Maildir file, "SECS.MUSECSPPIDQN.HOST", into
 * out (size bytes).  HOST has '/' written as "\057" and ':' as "\072".
 * Pure.  -1 if out is too small.
 */
int	maildir_name(char *out, size_t size, long long secs, long usecs,
	    long pid, unsigned long n, const char *host);

#endif /* MAILDIR_H */
