/*
 * mk.c: statuses, exit codes, error reports and small helpers shared by
 * every module and front end.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include "mk.h"

static void	vseterr(struct mk_err *, enum mk_status, const char *,
		    va_list, int);

static const char *progname = "mkit";

int
mk_exitcode(enum mk_status st)
{
	switch (st) {
	case MK_OK:		return 0;
	case MK_NOTFOUND:	return 1;
	case MK_EUSAGE:		return EX_USAGE;
	case MK_EDATA:		return EX_DATAERR;
	case MK_ENOINPUT:	return EX_NOINPUT;
	case MK_ENOUSER:	return EX_NOUSER;
	case MK_EUNAVAIL:	return EX_UNAVAILABLE;
	case MK_ESOFTWARE:	return EX_SOFTWARE;
	case MK_ECANTCREAT:	return EX_CANTCREAT;
	case MK_EIO:		return EX_IOERR;
	case MK_ETEMP:		return EX_TEMPFAIL;
	case MK_EPROTO:		return EX_PROTOCOL;
	case MK_EPERM:		return EX_NOPERM;
	case MK_ECONFIG:	return EX_CONFIG;
	}
	return EX_SOFTWARE;
}

/*
 * Format into e->msg; a cut message ends in "..." so it never looks whole.
 * The text is built aside first, so the arguments may include e->msg
 * itself (mk_seterr(e, e->st, "To: %s", e->msg) prefixes a message).
 */
static void
vseterr(struct mk_err *e, enum mk_status st, const char *fmt, va_list ap,
    int errnum)
{
	char	msg[sizeof(e->msg)];
	size_t	len;
	int	n;

	if (e == NULL)
		return;
	n = vsnprintf(msg, sizeof(msg), fmt, ap);
	if (n < 0) {
		msg[0] = '\0';
		n = 0;
	}
	len = (size_t)n < sizeof(msg) ? (size_t)n : sizeof(msg) - 1;
	if (errnum != 0 && len < sizeof(msg) - 1) {
		n = snprintf(msg + len, sizeof(msg) - len, ": %s",
		    strerror(errnum));
		if (n > 0)
			len += (size_t)n;
	}
	if (len >= sizeof(msg) - 1 && sizeof(msg) > 4)
		memcpy(msg + sizeof(msg) - 4, "...", 4);
	e->st = st;
	memcpy(e->msg, msg, sizeof(msg));
}

int
mk_seterr(struct mk_err *e, enum mk_status st, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vseterr(e, st, fmt, ap, 0);
	va_end(ap);
	return -1;
}

int
mk_seterrno(struct mk_err *e, enum mk_status st, int errnum,
    const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vseterr(e, st, fmt, ap, errnum);
	va_end(ap);
	return -1;
}

void
mk_setprogname(const char *argv0)
{
	const char *p;

	if (argv0 == NULL || *argv0 == '\0')
		return;
	p = strrchr(argv0, '/');
	progname = p != NULL && p[1] != '\0' ? p + 1 : argv0;
}

const char *
mk_getprogname(void)
{
	return progname;
}

static void
vwarn(const char *fmt, va_list ap)
{
	int	 saved = errno;
	size_t	 n = strlen(fmt);

	fprintf(stderr, "%s: ", progname);
	vfprintf(stderr, fmt, ap);
	if (n > 0 && fmt[n - 1] == ':')
		fprintf(stderr, " %s", strerror(saved));
	fputc('\n', stderr);
}

void
mk_warn(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vwarn(fmt, ap);
	va_end(ap);
}

void
mk_die(int code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vwarn(fmt, ap);
	va_end(ap);
	exit(code);
}

void
mk_fail(const struct mk_err *e)
{
	fprintf(stderr, "%s: %s\n", progname,
	    e->msg[0] != '\0' ? e->msg : "unknown error");
	exit(mk_exitcode(e->st));
}

size_t
mk_utoa(unsigned long long v, char *d)
{
	char	t[MK_UTOA_MAX];
	size_t	i = sizeof(t), n;

	do {
		t[--i] = (char)('0' + v % 10);
		v /= 10;
	} while (v != 0);
	n = sizeof(t) - i;
	memcpy(d, t + i, n);
	return n;
}

long long
mk_strtonum(const char *s, long long min, long long max, const char **errstr)
{
	long long	 v;
	char		*end;
	int		 saved = errno;

	*errstr = NULL;
	if (s == NULL || *s == '\0' || min > max) {
		*errstr = "invalid";
		return 0;
	}
	errno = 0;
	v = strtoll(s, &end, 10);
	if (end == s || *end != '\0') {
		*errstr = "invalid";
		v = 0;
	} else if ((v == LLONG_MIN && errno == ERANGE) || v < min) {
		*errstr = "too small";
		v = 0;
	} else if ((v == LLONG_MAX && errno == ERANGE) || v > max) {
		*errstr = "too large";
		v = 0;
	}
	errno = saved;
	return v;
}

void *
mk_xmalloc(size_t n)
{
	void *p;

	if ((p = malloc(n == 0 ? 1 : n)) == NULL)
		mk_die(EX_SOFTWARE, "out of memory");
	return p;
}

void *
mk_xrealloc(void *p, size_t n)
{
	void *q;

	if ((q = realloc(p, n == 0 ? 1 : n)) == NULL)
		mk_die(EX_SOFTWARE, "out of memory");
	return q;
}

char *
mk_xstrdup(const char *s)
{
	char *p;

	if ((p = strdup(s)) == NULL)
		mk_die(EX_SOFTWARE, "out of memory");
	return p;
}

int
mk_has_ctl_line(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (s[i] == '\r' || s[i] == '\n' || s[i] == '\0')
			return 1;
	return 0;
}
