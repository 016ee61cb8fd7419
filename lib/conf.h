/*
 * conf.h: the accounts file (mkit-config(5)).
 *
 *	# a comment; a value runs to the end of its line
 *	default = work
 *
 *	[account work]
 *	user = bob
 *	password-command = pass show mail/work
 *	smtp = smtp://mail.example.org:587
 *
 * conf_parse() is a pure parser of bytes (fuzzable); conf_load() finds,
 * opens, checks and reads the file, then parses it.
 */
#ifndef CONF_H
#define CONF_H

#include <stddef.h>

#include "mk.h"

#define CONF_MAX_SIZE	(1024 * 1024)	/* bytes in the whole file */
#define CONF_MAX_LINE	4096		/* bytes in one line, no EOL */
#define CONF_MAX_ACCOUNTS 1024

/*
 * One [account NAME] section.  Every string is owned by the struct conf
 * and NULL when its key is absent.  Values are trimmed of blanks at both
 * ends and hold no control characters other than tab.
 */
struct conf_account {
	char	*name;			/* from "[account NAME]" */
	char	*from;
	char	*user;
	char	*password;		/* secret: wiped by conf_free() */
	char	*password_command;	/* run by /bin/sh -c */
	char	*password_file;
	char	*smtp;			/* URLs, not checked here */
	char	*pop3;
	char	*imap;
	char	*tls;			/* "required", "auto", "off" or NULL */
	char	*ca_file;
	char	*helo;
	int	 insecure;		/* 1 for yes/true, else 0 */
	int	 timeout;		/* seconds, 0 when unset */
	int	 line;			/* line of the [account] header */
};

struct conf;

/*
 * Parse len bytes of buf (untrusted; need not be NUL-terminated).
 * filename only names the source in messages.  Returns a new conf owned
 * by the caller, or NULL with e set: MK_ECONFIG "FILE:LINE: reason" for
 * any syntax error, an unknown or repeated key, a bad value, a NUL byte
 * or other control character (tab aside), a line over CONF_MAX_LINE, or
 * "default" naming no account, more than CONF_MAX_ACCOUNTS accounts;
 * "FILE: too large" past CONF_MAX_SIZE;
 * MK_ESOFTWARE when out of memory.  Messages name keys and account
 * names but never quote a value, so no password can leak through them.
 * A UTF-8 byte order mark at the start is skipped; CRLF is accepted.
 */
struct conf	*conf_parse(const char *buf, size_t len, const char *filename,
		    struct mk_err *e);

/*
 * Resolve the file's path into dst (size bytes): $MKIT_CONFIG if set
 * and not empty, else $XDG_CONFIG_HOME/mkit/config (when absolute), else
 * $HOME/.config/mkit/config (with the home directory from the password
 * database when HOME is unset or empty).  *explicitp is set to 1 when
 * the path came from MKIT_CONFIG.
 * Returns 0, or -1 with e set (MK_ECONFIG: path too long or no home).
 */
int		 conf_path_find(char *dst, size_t size, int *explicitp,
		    struct mk_err *e);

/*
 * Load the file at path, or at conf_path_find()'s path when path is
 * NULL.  When path is NULL and MKIT_CONFIG is unset, a missing file
 * gives an empty conf (no accounts); otherwise it is MK_ECONFIG.
 * Refuses a file that is not a regular file or is larger than
 * CONF_MAX_SIZE, and one where an account holds "password" while the
 * mode allows any access to group or others (mode & 077): MK_ECONFIG
 * "FILE: holds a password but is readable by others (chmod 600 FILE)".
 * The other errors are those of conf_parse(), plus MK_EIO on read.
 */
struct conf	*conf_load(const char *path, struct mk_err *e);

/* Free c and wipe the passwords it holds; conf_free(NULL) does nothing. */
void		 conf_free(struct conf *c);

/* The file c came from (borrowed; for messages), "" if none. */
const char	*conf_path(const struct conf *c);

/*
 * The account called name, or with name NULL: the account named by
 * "default", else the only account when there is exactly one.
 * Borrowed from c.  Returns NULL with e set:
 *   MK_ECONFIG	  "FILE: no account NAME" when name matches nothing (also
 *		  when the file is absent), or "FILE: several accounts and
 *		  no default" when name is NULL and the choice is ambiguous;
 *   MK_NOTFOUND  when name is NULL and there are no accounts at all
 *		  (the caller may go on with command-line settings only).
 */
const struct conf_account *conf_account(const struct conf *c,
		    const char *name, struct mk_err *e);

/* The number of accounts, and the i-th in file order (NULL past the end). */
size_t		 conf_naccounts(const struct conf *c);
const struct conf_account *conf_account_at(const struct conf *c, size_t i);

/* The value of "default", or NULL. */
const char	*conf_default(const struct conf *c);

#endif /* CONF_H */
