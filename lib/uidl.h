/*
 * uidl.h: mpop's memory of what it fetched, the UIDL state file, and
 * the lock that keeps a second mpop off the same mailbox.
 *
 * One file per account (or server) and user, under
 * ${XDG_STATE_HOME:-$HOME/.local/state}/mkit/:
 *
 *	# mkit mpop uidl 1
 *	00000001578e0cd1
 *	00000002578e0cd1
 *
 * one UIDL (RFC 1939 7: 1 to 70 bytes 0x21..0x7E) a line, written
 * atomically (lib/atomic.h) so a crash leaves the old state or the new.
 */
#ifndef UIDL_H
#define UIDL_H

#include <stddef.h>

#include "buf.h"
#include "mk.h"

#define UIDL_MAGIC	"# mkit mpop uidl 1"
#define UIDL_MAX	70		/* bytes of one UIDL */
#define UIDL_FILEMAX	(256L * 1024 * 1024)	/* bytes of a state file */

/* A set of UIDLs.  Strings are owned by the set. */
struct uidl_set {
	char	**v;
	size_t	  n, cap;
	int	  sorted;	/* v is sorted and has no duplicates */
};

void	uidl_init(struct uidl_set *s);
void	uidl_free(struct uidl_set *s);

/*
 * Add uid (a copy).  Errors: MK_EDATA when uid is not 1..UIDL_MAX bytes
 * of 0x21..0x7E, MK_ESOFTWARE out of memory.
 */
int	uidl_add(struct uidl_set *s, const char *uid, struct mk_err *e);

/* Whether uid is in s (s gets sorted on the first call after an add). */
int	uidl_has(struct uidl_set *s, const char *uid);

/*
 * Parse a state file's text (untrusted, len bytes) into s (added to
 * what it holds).  Pure.  Errors: MK_EDATA "NAME:LINE: reason" (name
 * only names the source) for a missing magic line or a bad UIDL line;
 * MK_ESOFTWARE.
 */
int	uidl_parse(const char *buf, size_t len, const char *name,
	    struct uidl_set *s, struct mk_err *e);

/* The file's text for s, appended to out.  -1 out of memory. */
int	uidl_format(struct uidl_set *s, struct mk_buf *out);

/*
 * The state file's path for a mailbox into out (size bytes):
 * DIR/mpop.USER@KEY.uidl, DIR as above (XDG_STATE_HOME only when
 * absolute; HOME from the password database when unset), USER and KEY
 * with every byte outside [A-Za-z0-9._+-] written as %XX.  key names
 * the account or the server URL.  Errors: MK_ECONFIG (no home, too
 * long).
 */
int	uidl_path(char *out, size_t size, const char *key, const char *user,
	    struct mk_err *e);

/*
 * Read path into s; a missing file is an empty set.  Errors: those of
 * uidl_parse(), MK_EIO, MK_EDATA when larger than UIDL_FILEMAX.
 */
int	uidl_load(const char *path, struct uidl_set *s, struct mk_err *e);

/*
 * Write s to path atomically (creating its directory, mode 0700).
 * Errors: MK_ECANTCREAT, MK_EIO, MK_ESOFTWARE.
 */
int	uidl_save(const char *path, struct uidl_set *s, struct mk_err *e);

/*
 * The journal: before a batch of Maildir files appears in new/, the
 * UIDLs and file names are saved in "STATE.pending"; a run that finds
 * the journal (the last one died between link and state save) counts
 * each listed message whose file it finds as fetched, so a crash makes
 * neither a loss nor a duplicate.  Lines: "UIDL NAME".
 */
#define UIDL_JOURNAL_MAGIC	"# mkit mpop journal 1"
#define UIDL_NAMEMAX		255	/* bytes of a file name */

struct uidl_pend {
	char	uid[UIDL_MAX + 1];
	char	name[UIDL_NAMEMAX + 1];
};

/*
 * Parse a journal's text (untrusted) into *v (owned by the caller,
 * free()), *n entries.  Pure.  Errors: MK_EDATA "NAME:LINE: reason",
 * MK_ESOFTWARE.
 */
int	uidl_journal_parse(const char *buf, size_t len, const char *name,
	    struct uidl_pend **v, size_t *n, struct mk_err *e);

/* Save v[0..n) as path's journal atomically; remove the journal. */
int	uidl_journal_save(const char *path, const struct uidl_pend *v,
	    size_t n, struct mk_err *e);
int	uidl_journal_remove(const char *path, struct mk_err *e);

/* Load path's journal; none is 0 entries.  Errors as uidl_load(). */
int	uidl_journal_load(const char *path, struct uidl_pend **v, size_t *n,
	    struct mk_err *e);

/*
 * The mbox journal, "STATE.mbox": before the first byte of a batch is
 * appended to an mbox, its size then is saved; once the batch is in
 * the file and fsynced, the journal is saved again with the batch's
 * UIDLs; then the state; then the journal is removed.  A run that finds
 * the journal cuts the mbox back to that size (mbox_recover()) unless
 * the state holds every UIDL the journal lists (the batch was
 * committed), so a crash leaves no torn message, and no duplicate.
 *
 *	# mkit mpop mbox journal 1
 *	size 12345
 *	uid 00000001578e0cd1		0 or more
 *	mbox /home/alice/mail/inbox	last: the rest of the line
 */
#define UIDL_MBOXJ_MAGIC	"# mkit mpop mbox journal 1"

struct uidl_mboxj {
	long long	 size;		/* bytes of the mbox before the batch */
	char		*mbox;		/* owned: its absolute path */
	struct uidl_set	 uids;		/* the batch, once fsynced */
};

void	uidl_mboxj_init(struct uidl_mboxj *j);
void	uidl_mboxj_free(struct uidl_mboxj *j);

/*
 * Parse a journal's text (untrusted) into j (initialised).  Pure.
 * Errors: MK_EDATA "NAME:LINE: reason" (also for a missing size or
 * mbox line), MK_ESOFTWARE.
 */
int	uidl_mboxj_parse(const char *buf, size_t len, const char *name,
	    struct uidl_mboxj *j, struct mk_err *e);

/*
 * Save path's mbox journal atomically: mbox (absolute, no LF), size,
 * and uids[0..n) (n may be 0).  Errors: MK_EDATA (an LF in mbox, a bad
 * UIDL), MK_ECANTCREAT, MK_EIO, MK_ESOFTWARE.
 */
int	uidl_mboxj_save(const char *path, const char *mbox, long long size,
	    const char *const *uids, size_t n, struct mk_err *e);

/*
 * Load path's mbox journal into j (initialised): 1 found, 0 none.
 * Errors as uidl_load().
 */
int	uidl_mboxj_load(const char *path, struct uidl_mboxj *j,
	    struct mk_err *e);
int	uidl_mboxj_remove(const char *path, struct mk_err *e);

/*
 * Take the lock of the state file path: an exclusive flock(2) on
 * "path.lock" (created 0600), not waited for.  *fd gets the descriptor,
 * to keep open as long as the lock is held (closing it, or exiting,
 * releases it).  Errors: MK_ETEMP "already running (PATH.lock is
 * locked)", MK_ECANTCREAT.
 */
int	uidl_lock(const char *path, int *fd, struct mk_err *e);

#endif /* UIDL_H */
