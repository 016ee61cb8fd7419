/*
 * mk.h: what every mkit module and tool shares: statuses and exit codes,
 * the error record that lib/ fills instead of printing, number parsing,
 * and the one-line error report of the front ends.
 */
#ifndef MK_H
#define MK_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#define MK_VERSION	"0.1.0"

/*
 * Outcome of a library call.  mk_exitcode() maps each one to the exit
 * status of the README's table (sysexits.h values).
 */
enum mk_status {
	MK_OK = 0,
	MK_NOTFOUND,		/* 1: no answer, no match */
	MK_EUSAGE,		/* 64 */
	MK_EDATA,		/* 65: bad input data */
	MK_ENOINPUT,		/* 66: input missing */
	MK_ENOUSER,		/* 67: recipient rejected */
	MK_EUNAVAIL,		/* 69: service unavailable or refused */
	MK_ESOFTWARE,		/* 70: internal error, out of memory */
	MK_ECANTCREAT,		/* 73: cannot create output */
	MK_EIO,			/* 74 */
	MK_ETEMP,		/* 75: timeout, refused connection, 4xx */
	MK_EPROTO,		/* 76: malformed reply */
	MK_EPERM,		/* 77: authentication, permission, certificate */
	MK_ECONFIG		/* 78 */
};

/* What lib/ hands back instead of printing: a status and one line. */
struct mk_err {
	enum mk_status	st;
	char		msg[256];	/* "context: reason", no newline */
};

/* The exit status (sysexits.h) for st. */
int	mk_exitcode(enum mk_status st);

/*
 * Fill e (when not NULL) with st and a printf-style message; always
 * returns -1 so a caller can write "return mk_seterr(e, ...)".  A message
 * too long for e->msg is cut and ends in "...".
 */
int	mk_seterr(struct mk_err *e, enum mk_status st, const char *fmt, ...)
	    __attribute__((format(printf, 3, 4)));

/* As mk_seterr, then append ": " and strerror(errnum). */
int	mk_seterrno(struct mk_err *e, enum mk_status st, int errnum,
	    const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/*
 * The program name used in messages; mk_setprogname() takes the last
 * path component of argv[0].  The string is borrowed.
 */
void		 mk_setprogname(const char *argv0);
const char	*mk_getprogname(void);

/*
 * The front ends' reports: "PROG: message" on stderr.  A format ending
 * in ':' has ": strerror(errno)" appended, as in sbase's eprintf.
 * mk_die() exits with code; mk_fail() reports e and exits with
 * mk_exitcode(e->st).
 */
void	mk_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void	mk_die(int code, const char *fmt, ...)
	    __attribute__((noreturn, format(printf, 2, 3)));
void	mk_fail(const struct mk_err *e) __attribute__((noreturn));

/*
 * OpenBSD strtonum: the decimal number in s if it lies in [min, max],
 * else 0 with *errstr set to "invalid", "too small" or "too large".
 */
long long	mk_strtonum(const char *s, long long min, long long max,
		    const char **errstr);

/*
 * v in decimal into d (MK_UTOA_MAX bytes at least), no NUL; returns the
 * number of digits.  No printf: record text and JSON write many.
 */
#define MK_UTOA_MAX	20
size_t		mk_utoa(unsigned long long v, char *d);

/*
 * Allocation for the front ends: on failure report "out of memory" and
 * exit 70.  lib/ uses plain malloc and returns MK_ESOFTWARE instead.
 */
void	*mk_xmalloc(size_t n);
void	*mk_xrealloc(void *p, size_t n);
char	*mk_xstrdup(const char *s);

/* Nonzero if s[0..n) holds CR, LF or NUL (not allowed on protocol lines). */
int	mk_has_ctl_line(const char *s, size_t n);

/* Number of elements of a true array. */
#define MK_NELEM(a)	(sizeof(a) / sizeof((a)[0]))

#endif /* MK_H */
