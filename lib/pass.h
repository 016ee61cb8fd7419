/*
 * pass.h: where a password comes from.  Never from argv.
 *
 * pass_get() tries these sources in order and stops at the first one
 * that is set:
 *
 *  1. command		 --password-command or the account's
 *			 password-command: run by /bin/sh -c, first line
 *			 of its standard output;
 *  2. file		 --password-file or the account's password-file:
 *			 its first line;
 *  3. config_password	 the account's "password" key;
 *  4. $MKIT_PASSWORD	 when set and not empty;
 *  5. ~/.netrc		 an entry for host (and user), see
 *			 pass_netrc_lookup();
 *  6. a prompt		 on /dev/tty with echo off, when allow_prompt is
 *			 set and standard input is a terminal.
 *
 * The account's own sources (1-3) come before the environment: an
 * account that names its password wins over a stray MKIT_PASSWORD.  A
 * source that is set but fails (the command exits non-zero, the file
 * cannot be read) is an error; pass_get() does not fall through to the
 * next one, so a broken setup never ends in a surprise prompt.  When a
 * password source is given on the command line, the caller should pass
 * it alone, without the account's command, file and password.
 *
 * No error message ever holds a password, a command's output or the
 * command itself (it may hold a secret too).  A password never holds CR,
 * LF or NUL: sources that would give one are errors.
 */
#ifndef PASS_H
#define PASS_H

#include <stddef.h>

#include "mk.h"

#define PASS_MAX	8192		/* bytes; room for OAuth tokens */
#define PASS_NETRC_MAX	(1024 * 1024)	/* bytes of ~/.netrc we read */

/* Where to look.  Every field may be NULL (0); strings are borrowed. */
struct pass_src {
	const char	*command;	/* shell command printing it */
	const char	*file;		/* file holding the password */
	const char	*config_password; /* the account's password key */
	const char	*host;		/* server host name, for ~/.netrc */
	const char	*user;		/* login, for ~/.netrc and the prompt */
	int		 allow_prompt;	/* 1: may ask on the terminal */
};

/*
 * Find the password.  Returns 0 with *out set to a string the caller
 * owns (free it with pass_free()), 1 when no source gave one (none set,
 * no ~/.netrc entry, no terminal to ask on: MK_NOTFOUND semantics, the
 * caller decides whether that is an error; e is not touched), or -1
 * with e set:
 *   MK_EPERM	  the command could not run, exited non-zero, died of a
 *		  signal or printed an empty first line;
 *   MK_ECONFIG	  the file cannot be opened or its first line is empty;
 *		  the file, or ~/.netrc when it has a matching entry, is a
 *		  regular file open to group or others (mode & 077): "FILE:
 *		  holds a password but is readable by others (chmod 600
 *		  FILE)"; ~/.netrc exists but cannot be opened, is not a
 *		  regular file or is over PASS_NETRC_MAX; a password holds
 *		  CR, LF or NUL or is longer than PASS_MAX;
 *   MK_EIO	  a read error;
 *   MK_ETEMP	  the prompt was interrupted by a signal;
 *   MK_ESOFTWARE out of memory.
 * An empty answer or end of file at the prompt counts as nothing found.
 * The command runs with standard input from /dev/null (the caller's
 * standard input may be a message) and inherits standard error.  The
 * prompt catches SIGINT, SIGHUP, SIGQUIT, SIGTERM, SIGTSTP, SIGTTIN and
 * SIGTTOU while echo is off, restores the terminal, then re-raises the
 * signal with the caller's disposition.
 */
int	pass_get(const struct pass_src *src, char **out, struct mk_err *e);

/* Wipe p (explicit_bzero) and free it; pass_free(NULL) does nothing. */
void	pass_free(char *p);

/*
 * Look host (and user) up in the netrc text buf[0..len) (untrusted, need
 * not be NUL-terminated).  Tokens are runs of bytes other than space, tab,
 * CR, LF and NUL; there are no quotes or escapes (as in BSD ftp: a '"' is
 * part of the token).  Keywords: machine NAME, default, login NAME,
 * password (or passwd) PW, account X, macdef NAME (its body runs to the
 * next empty line and is skipped); a word starting with '#' where a
 * keyword is due starts a comment that runs to the end of the line; other
 * words are skipped.  The first "machine" entry whose name equals host
 * (ignoring case) and whose login equals user (user NULL: any; no login in
 * the entry: any) and that has a password wins; otherwise the first such
 * "default" entry.  Returns 0 with *out set (free with pass_free()), 1
 * when nothing matched, -1 with e set: MK_ECONFIG when the password is
 * longer than PASS_MAX, MK_ESOFTWARE when out of memory.  Malformed text
 * never fails: it simply does not match.
 */
int	pass_netrc_lookup(const char *buf, size_t len, const char *host,
	    const char *user, char **out, struct mk_err *e);

#endif /* PASS_H */
