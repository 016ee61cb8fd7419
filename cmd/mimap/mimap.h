/*
 * mimap.h: what the files of mimap share (private to cmd/mimap/).
 *
 * main.c parses the options, connects and dispatches; each other file
 * holds one group of commands: folders.c (folders, create, delete,
 * rename, subscribe, unsubscribe), list.c (list, search), fetch.c,
 * store.c (append, copy, move, flag, unflag, expunge), idle.c; util.c
 * has the helpers they share.
 */
#ifndef MIMAP_H
#define MIMAP_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>

#include "buf.h"
#include "imap.h"
#include "mk.h"

#define UIDMAX		1000000		/* UIDs one command handles */

/* Command options, as bits of struct cmd's opts. */
enum {
	CO_ALL = 1 << 0, CO_DECODE = 1 << 1, CO_FLAGS = 1 << 2,
	CO_HEADERS = 1 << 3, CO_LIMIT = 1 << 4, CO_MAILDIR = 1 << 5,
	CO_MARKSEEN = 1 << 6, CO_NEW = 1 << 7, CO_PART = 1 << 8,
	CO_SEARCH = 1 << 9, CO_TO = 1 << 10
};

/* The command line, parsed once (strings borrowed from argv). */
struct opts {
	const char	*account, *server, *user, *pwcmd, *pwfile;
	const char	*ca_file, *tls;
	int		 insecure, json, trace;
	long		 timeout;	/* seconds; 0: unset */
	unsigned	 given;		/* CO_* seen on the command line */
	int		 all, new, headers, decode, markseen;
	long long	 limit;
	const char	*search, *maildir, *part, *flags, *to;
};

/* A command: its operands after the name and the options it takes. */
struct cmd {
	const char	*name;
	int		(*fn)(struct imap *, struct opts *, int, char **);
	int		 min, max;	/* operands; max -1: any number */
	unsigned	 opts;		/* CO_* it takes */
};

/* A growable list of UIDs. */
struct uidlist {
	uint32_t	*u;		/* owned */
	size_t		 n, cap;
};

extern const char *cmdname;	/* the command running, for messages */

/* main.c */
void	usage(FILE *);

/* util.c */
int	fail_e(const char *, const struct mk_err *);
int	out_flush(void);
void	put_clean(const char *, size_t);
int	cmp_u32(const void *, const void *);
int	parse_uids(char **, int, uint32_t **, size_t *);
int	set_text(const uint32_t *, size_t, struct mk_buf *);
int	flag_word(const char *, struct mk_buf *);
int	uid_search(struct imap *, char **, int, struct uidlist *,
	    struct mk_err *);
int	date_parse(const char *, size_t, struct tm *, long *);
int	date_iso(const char *, size_t, char *, size_t);

/* The commands: (session, options, operand count, operands). */
int	cmd_folders(struct imap *, struct opts *, int, char **);
int	cmd_simple(struct imap *, struct opts *, int, char **);
int	cmd_rename(struct imap *, struct opts *, int, char **);
int	cmd_list(struct imap *, struct opts *, int, char **);
int	cmd_search(struct imap *, struct opts *, int, char **);
int	cmd_fetch(struct imap *, struct opts *, int, char **);
int	cmd_append(struct imap *, struct opts *, int, char **);
int	cmd_copy(struct imap *, struct opts *, int, char **);
int	cmd_flag(struct imap *, struct opts *, int, char **);
int	cmd_expunge(struct imap *, struct opts *, int, char **);
int	cmd_idle(struct imap *, struct opts *, int, char **);

#endif /* MIMAP_H */
