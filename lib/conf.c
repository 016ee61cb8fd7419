/*
 * conf.c: parse, find and load the accounts file.  See conf.h.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pwd.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "conf.h"

struct conf {
	char			*path;		/* owned; "" when none */
	char			*def;		/* owned: value of "default" */
	int			 defline;
	struct conf_account	*acct;		/* owned array */
	size_t			 nacct;
	size_t			 cap;		/* slots allocated in acct */
};

enum key_type { K_STR, K_TLS, K_BOOL, K_TIMEOUT };

struct key {
	const char	*name;
	size_t		 off;		/* of the field in conf_account */
	enum key_type	 type;
};

/* Parser state for one conf_parse() call. */
struct pstate {
	struct conf	*c;
	const char	*file;
	int		 line;
	size_t		 cur;		/* index of the open section + 1 */
	unsigned long	 seen;		/* keys[] bits set in that section */
	struct mk_err	*e;
};

static int		 is_blank(char);
static const char	*trim(const char *, size_t *);
static int		 is_name_char(char);
static struct conf	*conf_new(const char *);
static void		 account_free(struct conf_account *);
static int		 perr(struct pstate *, const char *, ...)
			    __attribute__((format(printf, 2, 3)));
static int		 parse_line(struct pstate *, const char *, size_t);
static int		 parse_section(struct pstate *, const char *, size_t);
static int		 parse_kv(struct pstate *, const char *, size_t);
static int		 is_key(const char *, size_t);
static int		 parse_default(struct pstate *, const char *, size_t);
static int		 set_value(struct pstate *, const struct key *,
			    const char *, size_t);
static int		 add_account(struct pstate *, const char *, size_t);
static int		 check_default(struct pstate *);
static int		 read_all(int, const char *, char **, size_t *,
			    struct stat *, struct mk_err *);
static int		 has_password(const struct conf *);
static const struct conf_account *find(const struct conf *, const char *);

#define K(n, f, t)	{ n, offsetof(struct conf_account, f), t }
static const struct key keys[] = {
	K("ca-file",		ca_file,		K_STR),
	K("from",		from,			K_STR),
	K("helo",		helo,			K_STR),
	K("imap",		imap,			K_STR),
	K("insecure",		insecure,		K_BOOL),
	K("password",		password,		K_STR),
	K("password-command",	password_command,	K_STR),
	K("password-file",	password_file,		K_STR),
	K("pop3",		pop3,			K_STR),
	K("smtp",		smtp,			K_STR),
	K("timeout",		timeout,		K_TIMEOUT),
	K("tls",		tls,			K_TLS),
	K("user",		user,			K_STR)
};
#undef K

#define KEY_MAX		32	/* longest key we bother to look up */
#define NAME_MAX_LEN	64	/* longest account name */
#define TIMEOUT_MAX	86400	/* seconds */

static int
is_blank(char ch)
{
	return ch == ' ' || ch == '\t';
}

/* Trim blanks at both ends of p[0..*n); returns the new start. */
static const char *
trim(const char *p, size_t *n)
{
	while (*n > 0 && is_blank(p[0])) {
		p++;
		(*n)--;
	}
	while (*n > 0 && is_blank(p[*n - 1]))
		(*n)--;
	return p;
}

static struct conf *
conf_new(const char *path)
{
	struct conf *c;

	if ((c = calloc(1, sizeof(*c))) == NULL)
		return NULL;
	if ((c->path = strdup(path != NULL ? path : "")) == NULL) {
		free(c);
		return NULL;
	}
	return c;
}

static void
account_free(struct conf_account *a)
{
	if (a->password != NULL) {
		explicit_bzero(a->password, strlen(a->password));
		free(a->password);
	}
	free(a->name);
	free(a->from);
	free(a->user);
	free(a->password_command);
	free(a->password_file);
	free(a->smtp);
	free(a->pop3);
	free(a->imap);
	free(a->tls);
	free(a->ca_file);
	free(a->helo);
}

void
conf_free(struct conf *c)
{
	size_t i;

	if (c == NULL)
		return;
	for (i = 0; i < c->nacct; i++)
		account_free(&c->acct[i]);
	free(c->acct);
	free(c->def);
	free(c->path);
	free(c);
}

/* Set "FILE:LINE: reason" (MK_ECONFIG); returns -1. */
static int
perr(struct pstate *st, const char *fmt, ...)
{
	va_list	ap;
	char	reason[200];

	va_start(ap, fmt);
	vsnprintf(reason, sizeof(reason), fmt, ap);
	va_end(ap);
	return mk_seterr(st->e, MK_ECONFIG, "%s:%d: %s", st->file, st->line,
	    reason);
}

struct conf *
conf_parse(const char *buf, size_t len, const char *filename,
    struct mk_err *e)
{
	struct pstate	 st;
	const char	*p, *nl;
	size_t		 off = 0, n;

	memset(&st, 0, sizeof(st));
	st.file = filename != NULL ? filename : "(config)";
	st.e = e;
	if (len > CONF_MAX_SIZE) {
		mk_seterr(e, MK_ECONFIG, "%s: too large (over %d bytes)",
		    st.file, CONF_MAX_SIZE);
		return NULL;
	}
	if ((st.c = conf_new(filename)) == NULL) {
		mk_seterr(e, MK_ESOFTWARE, "out of memory");
		return NULL;
	}
	/* A UTF-8 byte order mark, as some editors write it. */
	if (len >= 3 && memcmp(buf, "\xef\xbb\xbf", 3) == 0)
		off = 3;
	while (off < len) {
		st.line++;
		p = buf + off;
		nl = memchr(p, '\n', len - off);
		n = nl != NULL ? (size_t)(nl - p) : len - off;
		off += n + (nl != NULL);
		if (parse_line(&st, p, n) == -1)
			goto fail;
	}
	if (check_default(&st) == -1)
		goto fail;
	return st.c;
fail:
	conf_free(st.c);
	return NULL;
}

/* One line without its LF: blank, comment, section header or key = value. */
static int
parse_line(struct pstate *st, const char *p, size_t n)
{
	size_t i;

	if (n > 0 && p[n - 1] == '\r')
		n--;
	if (n > CONF_MAX_LINE)
		return perr(st, "line too long (over %d bytes)", CONF_MAX_LINE);
	if (memchr(p, '\0', n) != NULL)
		return perr(st, "NUL byte");
	/* The line may hold a password: never quote it back. */
	for (i = 0; i < n; i++)
		if (((unsigned char)p[i] < 0x20 && p[i] != '\t') ||
		    p[i] == 0x7f)
			return perr(st, "control character");
	p = trim(p, &n);
	if (n == 0 || p[0] == '#')
		return 0;
	if (p[0] == '[')
		return parse_section(st, p, n);
	return parse_kv(st, p, n);
}

/* A printable ASCII byte other than blank and the brackets. */
static int
is_name_char(char ch)
{
	return ch > ' ' && ch < 0x7f && ch != '[' && ch != ']';
}

/* "[account NAME]", blanks allowed inside the brackets. */
static int
parse_section(struct pstate *st, const char *p, size_t n)
{
	size_t i;

	if (n < 2 || p[n - 1] != ']')
		return perr(st, "bad section header (expected [account NAME])");
	n -= 2;
	p = trim(p + 1, &n);
	if (n < 8 || memcmp(p, "account", 7) != 0 || !is_blank(p[7]))
		return perr(st, "bad section header (expected [account NAME])");
	n -= 7;
	p = trim(p + 7, &n);
	if (n > NAME_MAX_LEN)
		return perr(st, "account name too long (over %d bytes)",
		    NAME_MAX_LEN);
	for (i = 0; i < n; i++)
		if (!is_name_char(p[i]))
			return perr(st, "bad account name");
	return add_account(st, p, n);
}

static int
add_account(struct pstate *st, const char *name, size_t n)
{
	struct conf		*c = st->c;
	struct conf_account	*na;
	size_t			 i, ncap;

	for (i = 0; i < c->nacct; i++)
		if (strlen(c->acct[i].name) == n &&
		    memcmp(c->acct[i].name, name, n) == 0)
			return perr(st, "duplicate account %.*s (first on "
			    "line %d)", (int)n, name, c->acct[i].line);
	if (c->nacct == CONF_MAX_ACCOUNTS)
		return perr(st, "too many accounts (over %d)",
		    CONF_MAX_ACCOUNTS);
	if (c->nacct == c->cap) {
		ncap = c->cap == 0 ? 4 : c->cap * 2;
		if ((na = reallocarray(c->acct, ncap, sizeof(*na))) == NULL)
			return mk_seterr(st->e, MK_ESOFTWARE, "out of memory");
		c->acct = na;
		c->cap = ncap;
	}
	na = &c->acct[c->nacct];
	memset(na, 0, sizeof(*na));
	if ((na->name = strndup(name, n)) == NULL)
		return mk_seterr(st->e, MK_ESOFTWARE, "out of memory");
	na->line = st->line;
	c->nacct++;
	st->cur = c->nacct;
	st->seen = 0;
	return 0;
}

/* A key is letters, digits, '-' and '_'. */
static int
is_key(const char *p, size_t n)
{
	size_t i;

	if (n == 0 || n > KEY_MAX)
		return 0;
	for (i = 0; i < n; i++)
		if (!(p[i] == '-' || p[i] == '_' ||
		    (p[i] >= 'a' && p[i] <= 'z') ||
		    (p[i] >= 'A' && p[i] <= 'Z') ||
		    (p[i] >= '0' && p[i] <= '9')))
			return 0;
	return 1;
}

/* "KEY = VALUE"; the value runs to the end of the line. */
static int
parse_kv(struct pstate *st, const char *p, size_t n)
{
	const char	*eq, *k, *v;
	size_t		 klen, vlen, i;

	if ((eq = memchr(p, '=', n)) == NULL)
		return perr(st, "expected KEY = VALUE");
	klen = (size_t)(eq - p);
	k = trim(p, &klen);
	vlen = n - (size_t)(eq + 1 - p);
	v = trim(eq + 1, &vlen);
	if (klen == 0)
		return perr(st, "missing key before =");
	if (!is_key(k, klen))
		return perr(st, "malformed key");
	if (klen == 7 && memcmp(k, "default", 7) == 0)
		return parse_default(st, v, vlen);
	for (i = 0; i < MK_NELEM(keys); i++)
		if (strlen(keys[i].name) == klen &&
		    memcmp(keys[i].name, k, klen) == 0)
			break;
	if (i == MK_NELEM(keys))
		return perr(st, "unknown key %.*s", (int)klen, k);
	if (st->cur == 0)
		return perr(st, "%s outside an [account] section",
		    keys[i].name);
	if (st->seen & (1UL << i))
		return perr(st, "duplicate key %s", keys[i].name);
	st->seen |= 1UL << i;
	if (vlen == 0)
		return perr(st, "empty value for %s", keys[i].name);
	return set_value(st, &keys[i], v, vlen);
}

/* "default = NAME", only before the first section; checked at the end. */
static int
parse_default(struct pstate *st, const char *v, size_t n)
{
	size_t i;

	if (st->cur != 0)
		return perr(st, "default must come before the first "
		    "[account]");
	if (st->c->def != NULL)
		return perr(st, "duplicate key default");
	if (n == 0)
		return perr(st, "empty value for default");
	if (n > NAME_MAX_LEN)
		return perr(st, "account name too long (over %d bytes)",
		    NAME_MAX_LEN);
	for (i = 0; i < n; i++)
		if (!is_name_char(v[i]))
			return perr(st, "bad account name");
	if ((st->c->def = strndup(v, n)) == NULL)
		return mk_seterr(st->e, MK_ESOFTWARE, "out of memory");
	st->c->defline = st->line;
	return 0;
}

/* Store one value; the error texts name the key, never the value. */
static int
set_value(struct pstate *st, const struct key *k, const char *v, size_t n)
{
	struct conf_account	*a = &st->c->acct[st->cur - 1];
	char			*s;
	const char		*errstr;
	int			 ret = 0;

	if ((s = strndup(v, n)) == NULL)
		return mk_seterr(st->e, MK_ESOFTWARE, "out of memory");
	switch (k->type) {
	case K_STR:
		*(char **)(void *)((char *)a + k->off) = s;
		return 0;
	case K_TLS:
		if (strcmp(s, "required") == 0 || strcmp(s, "auto") == 0 ||
		    strcmp(s, "off") == 0) {
			a->tls = s;
			return 0;
		}
		ret = perr(st, "tls must be required, auto or off");
		break;
	case K_BOOL:
		if (strcmp(s, "yes") == 0 || strcmp(s, "true") == 0)
			a->insecure = 1;
		else if (strcmp(s, "no") == 0 || strcmp(s, "false") == 0)
			a->insecure = 0;
		else
			ret = perr(st, "%s must be yes, no, true or false",
			    k->name);
		break;
	case K_TIMEOUT:
		a->timeout = (int)mk_strtonum(s, 1, TIMEOUT_MAX, &errstr);
		if (errstr != NULL)
			ret = perr(st, "%s must be a whole number of seconds "
			    "from 1 to %d", k->name, TIMEOUT_MAX);
		break;
	}
	free(s);
	return ret;
}

static const struct conf_account *
find(const struct conf *c, const char *name)
{
	size_t i;

	for (i = 0; i < c->nacct; i++)
		if (strcmp(c->acct[i].name, name) == 0)
			return &c->acct[i];
	return NULL;
}

static int
check_default(struct pstate *st)
{
	if (st->c->def == NULL || find(st->c, st->c->def) != NULL)
		return 0;
	st->line = st->c->defline;
	return perr(st, "default names no account %s", st->c->def);
}

int
conf_path_find(char *dst, size_t size, int *explicitp, struct mk_err *e)
{
	const char	*s, *home;
	struct passwd	*pw;
	int		 n;

	*explicitp = 0;
	if ((s = getenv("MKIT_CONFIG")) != NULL && *s != '\0') {
		*explicitp = 1;
		n = snprintf(dst, size, "%s", s);
	} else if ((s = getenv("XDG_CONFIG_HOME")) != NULL && s[0] == '/') {
		/* The XDG spec says to ignore a relative path. */
		n = snprintf(dst, size, "%s/mkit/config", s);
	} else {
		home = getenv("HOME");
		if ((home == NULL || *home == '\0') &&
		    (pw = getpwuid(getuid())) != NULL)
			home = pw->pw_dir;
		if (home == NULL || *home == '\0')
			return mk_seterr(e, MK_ECONFIG, "cannot find the home "
			    "directory (set HOME or MKIT_CONFIG)");
		n = snprintf(dst, size, "%s/.config/mkit/config", home);
	}
	if (n < 0 || (size_t)n >= size)
		return mk_seterr(e, MK_ECONFIG, "config file path too long");
	return 0;
}

/* Read the whole regular file on fd, at most CONF_MAX_SIZE bytes. */
static int
read_all(int fd, const char *path, char **datap, size_t *lenp,
    struct stat *sb, struct mk_err *e)
{
	char	*data;
	size_t	 len = 0;
	ssize_t	 n = 0;

	if (fstat(fd, sb) == -1)
		return mk_seterrno(e, MK_EIO, errno, "%s", path);
	if (!S_ISREG(sb->st_mode))
		return mk_seterr(e, MK_ECONFIG, "%s: not a regular file", path);
	if (sb->st_size > CONF_MAX_SIZE)
		return mk_seterr(e, MK_ECONFIG, "%s: too large (over %d "
		    "bytes)", path, CONF_MAX_SIZE);
	if ((data = malloc(CONF_MAX_SIZE + 1)) == NULL)
		return mk_seterr(e, MK_ESOFTWARE, "out of memory");
	/* The size may change under us: read to EOF, one byte past the cap. */
	while (len <= CONF_MAX_SIZE) {
		n = read(fd, data + len, CONF_MAX_SIZE + 1 - len);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		len += (size_t)n;
	}
	*datap = data;
	*lenp = len;
	if (n == -1)
		return mk_seterrno(e, MK_EIO, errno, "read %s", path);
	if (len > CONF_MAX_SIZE)
		return mk_seterr(e, MK_ECONFIG, "%s: too large (over %d "
		    "bytes)", path, CONF_MAX_SIZE);
	return 0;
}

static int
has_password(const struct conf *c)
{
	size_t i;

	for (i = 0; i < c->nacct; i++)
		if (c->acct[i].password != NULL)
			return 1;
	return 0;
}

struct conf *
conf_load(const char *path, struct mk_err *e)
{
	char		 pbuf[PATH_MAX], *data = NULL;
	size_t		 len = 0;
	struct stat	 sb;
	struct conf	*c = NULL;
	int		 explicit = 1, fd = -1;

	if (path == NULL) {
		if (conf_path_find(pbuf, sizeof(pbuf), &explicit, e) == -1)
			return NULL;
		path = pbuf;
	}
	/* O_NONBLOCK: a FIFO must not hang us before the S_ISREG check. */
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd == -1) {
		if (errno == ENOENT && !explicit) {
			if ((c = conf_new(path)) == NULL)
				mk_seterr(e, MK_ESOFTWARE, "out of memory");
		} else
			mk_seterrno(e, MK_ECONFIG, errno, "%s", path);
		return c;
	}
	if (read_all(fd, path, &data, &len, &sb, e) == -1)
		goto out;
	if ((c = conf_parse(data, len, path, e)) == NULL)
		goto out;
	if ((sb.st_mode & 077) != 0 && has_password(c)) {
		mk_seterr(e, MK_ECONFIG, "%s: holds a password but is "
		    "readable by others (chmod 600 %s)", path, path);
		conf_free(c);
		c = NULL;
	}
out:
	if (data != NULL) {
		explicit_bzero(data, len);
		free(data);
	}
	close(fd);
	return c;
}

const char *
conf_path(const struct conf *c)
{
	return c != NULL ? c->path : "";
}

const struct conf_account *
conf_account(const struct conf *c, const char *name, struct mk_err *e)
{
	const struct conf_account	*a;
	const char			*file;

	file = c->path[0] != '\0' ? c->path : "(config)";
	if (name != NULL) {
		if ((a = find(c, name)) == NULL)
			mk_seterr(e, MK_ECONFIG, "%s: no account %s", file,
			    name);
		return a;
	}
	if (c->def != NULL)
		return find(c, c->def);
	if (c->nacct == 1)
		return &c->acct[0];
	if (c->nacct == 0)
		mk_seterr(e, MK_NOTFOUND, "%s: no accounts", file);
	else
		mk_seterr(e, MK_ECONFIG, "%s: several accounts and no default",
		    file);
	return NULL;
}

size_t
conf_naccounts(const struct conf *c)
{
	return c->nacct;
}

const struct conf_account *
conf_account_at(const struct conf *c, size_t i)
{
	return i < c->nacct ? &c->acct[i] : NULL;
}

const char *
conf_default(const struct conf *c)
{
	return c->def;
}
