/*
 * mbox.h: the mboxrd format (mbox(5) as qmail's mbox.5 and RFC 4155
 * describe it): a writer for delivery into a locked file or for a
 * stream (mpop --stdout), and a streaming splitter (msend --mbox,
 * mmime).
 *
 * In mboxrd every message starts with a "From " separator line, and a
 * body line that matches ^>*From  gets one more '>' on the way in and
 * loses one on the way out, so any message survives a round trip.
 * Lines end in LF in the file: a CR LF of the message is written as LF
 * (mbox is a local text format; Maildir keeps the server's bytes).
 * The writer ends each message with a blank line, which the splitter
 * drops again.
 */
#ifndef MBOX_H
#define MBOX_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "buf.h"
#include "mk.h"

#define MBOX_DOTLOCK_STALE	300	/* seconds: an older .lock is stale */

/*
 * Whether a line (untrusted, len bytes) matches ^>*From : in mboxrd it
 * takes one more '>' when written and is a separator when it has none.
 * Pure.
 */
int	mbox_line_is_from(const void *line, size_t len);
int	mbox_line_needs_quote(const void *line, size_t len);

/*
 * The separator line for a message without an envelope sender:
 * "From MAILER-DAEMON Thu Nov 28 14:32:00 2026" and LF, into out (UTC).
 * Pure.  -1 if out is too small (64 bytes are enough).
 */
int	mbox_from_line(char *out, size_t size, time_t t);

struct mbox;

/*
 * Open path for delivery (created 0600 if missing) and lock it: a
 * dotlock (path.lock, O_EXCL, holding "PID HOST"; skipped when the
 * directory is not writable; one older than MBOX_DOTLOCK_STALE, or one
 * of ours whose process is gone from this host, is removed) and an fcntl
 * write lock on the whole file, both held until mbox_close().  A lock
 * held by another process is waited for, up to wait_s seconds.
 * Errors: MK_ETEMP "PATH: locked by another process" after wait_s,
 * MK_ECANTCREAT when the file cannot be opened or created, MK_EIO.
 */
struct mbox	*mbox_open(const char *path, int wait_s, struct mk_err *e);

/*
 * A writer to fd (borrowed; standard output): no lock, no fsync, and
 * each message written only once it is complete, so that a message cut
 * off never reaches the stream.
 */
struct mbox	*mbox_stream(int fd, struct mk_err *e);

/*
 * Unlock, close (mbox_open) and free; a message begun and not ended is
 * dropped as by mbox_add_abort().  NULL is fine.  Nothing is flushed:
 * call mbox_commit() first.
 */
void		 mbox_close(struct mbox *mb);

/* Start a message: the "From " line (mbox_from_line(), time t). */
int	mbox_add_begin(struct mbox *mb, time_t t, struct mk_err *e);

/*
 * Append message bytes.  p must hold whole lines (each with its LF or
 * CR LF), except that the message's last line may lack a terminator.
 * Errors: MK_EIO (a failed write: disk full), MK_ESOFTWARE.
 */
int	mbox_write(struct mbox *mb, const void *p, size_t n,
	    struct mk_err *e);

/* End the message: a missing final LF is added, then a blank line. */
int	mbox_add_end(struct mbox *mb, struct mk_err *e);

/*
 * Drop the message begun: nothing of it stays in the file (it is
 * truncated back to the size it had before mbox_add_begin()).
 */
void	mbox_add_abort(struct mbox *mb);

/*
 * Write out what is buffered and fsync (not for a stream).  On failure
 * (MK_EIO) the file is truncated back to its size at the last
 * successful commit and the messages since then count as not delivered.
 */
int	mbox_commit(struct mbox *mb, struct mk_err *e);

/*
 * The size of the file at the last successful commit (at open, its
 * size then): where a crash in the middle of the next append is cut
 * back to.  -1 for a stream.
 */
long long	 mbox_size(const struct mbox *mb);

/*
 * Undo an append a crash interrupted: truncate the file (opened with
 * mbox_open()) back to size, the mbox_size() a journal recorded before
 * the append began, and fsync it.  Only if what follows size looks like
 * mpop's own writing (every line starting "From " is a "From
 * MAILER-DAEMON " separator): anything else there was appended by
 * another program after the crash and is left alone (returns 1).
 * Returns 0 (truncated, or nothing beyond size), 1, or -1 with e set
 * (MK_EIO).
 */
int	mbox_recover(struct mbox *mb, long long size, struct mk_err *e);

/* The splitter's events. */
enum mbox_ev {
	MBOX_EV_BEGIN,		/* p: the separator line, no terminator */
	MBOX_EV_DATA,		/* p: a line of the message, unquoted, with
				   its terminator as in the file */
	MBOX_EV_END		/* the message is complete; no p */
};

/* The splitter's state: pure, fed one line at a time. */
struct mbox_rd {
	int		 inmsg;		/* a message is open */
	size_t		 held;		/* bytes of a held blank line (0-2) */
	uint8_t		 hold[2];	/* "\n" or "\r\n" */
	unsigned long	 nmsg;		/* messages begun */
	const char	*err;		/* static text of the first error */
};

void	mbox_rd_init(struct mbox_rd *r);

/*
 * Feed one line (untrusted, with its terminator; the last line of the
 * input may lack one).  fn gets the events it completes; a blank line
 * is held back until the next line shows whether it belongs to the
 * message or precedes a separator.  Returns 0, or -1: r->err set (text
 * before the first "From " line) or fn returned -1 (passed on).
 */
int	mbox_rd_line(struct mbox_rd *r, const uint8_t *line, size_t len,
	    int (*fn)(void *, enum mbox_ev, const uint8_t *, size_t),
	    void *arg);

/* End of input: the last message's END (its held blank line dropped). */
int	mbox_rd_finish(struct mbox_rd *r,
	    int (*fn)(void *, enum mbox_ev, const uint8_t *, size_t),
	    void *arg);

#endif /* MBOX_H */
