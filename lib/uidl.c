/*
 * uidl.c: the UIDL state file of mpop and its lock.
 */
#include <sys/file.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "atomic.h"
#include "uidl.h"

static int	uid_ok(const char *, size_t);
static int	add_n(struct uidl_set *, const char *, size_t,
		    struct mk_err *);
static int	str_cmp(const void *, const void *);
static void	set_sort(struct uidl_set *);
static int	enc(struct mk_buf *, const char *);
static int	mkdir_parents(char *, struct mk_err *);
static int	slurp(const char *, struct mk_buf *, struct mk_err *);
static int	journal_path(const char *, struct mk_buf *, struct mk_err *);
static int	remove_suffixed(const char *, const char *, struct mk_err *);

void
uidl_init(struct uidl_set *s)
{
	memset(s, 0, sizeof(*s));
	s->sorted = 1;
}

void
uidl_free(struct uidl_set *s)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		free(s->v[i]);
	free(s->v);
	uidl_init(s);
}

static int
uid_ok(const char *p, size_t n)
{
	size_t i;

	if (n == 0 || n > UIDL_MAX)
		return 0;
	for (i = 0; i < n; i++)
		if ((unsigned char)p[i] <= 0x20 || (unsigned char)p[i] >= 0x7f)
			return 0;
	return 1;
}

static int
add_n(struct uidl_set *s, const char *uid, size_t n, struct mk_err *e)
{
	char	**nv, *c;
	size_t	  ncap;

	if (!uid_ok(uid, n))
		return mk_seterr(e, MK_EDATA, "bad UIDL");
	if (s->n == s->cap) {
		ncap = s->cap ? s->cap * 2 : 256;
		if ((nv = reallocarray(s->v, ncap, sizeof(*nv))) == NULL)
			return mk_seterr(e, MK_ESOFTWARE, "out of memory");
		s->v = nv;
		s->cap = ncap;
	}
	if ((c = strndup(uid, n)) == NULL)
		return mk_seterr(e, MK_ESOFTWARE, "out of memory");
	s->v[s->n++] = c;
	s->sorted = 0;
	return 0;
}

int
uidl_add(struct uidl_set *s, const char *uid, struct mk_err *e)
{
	return add_n(s, uid, strlen(uid), e);
}

static int
str_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Sort and drop duplicates. */
static void
set_sort(struct uidl_set *s)
{
	size_t i, o;

	if (s->sorted || s->n == 0) {
		s->sorted = 1;
		return;
	}
	qsort(s->v, s->n, sizeof(*s->v), str_cmp);
	for (i = o = 0; i < s->n; i++) {
		if (o > 0 && strcmp(s->v[o - 1], s->v[i]) == 0)
			free(s->v[i]);
		else
			s->v[o++] = s->v[i];
	}
	s->n = o;
	s->sorted = 1;
}

int
uidl_has(struct uidl_set *s, const char *uid)
{
	set_sort(s);
	return s->n > 0 && bsearch(&uid, s->v, s->n, sizeof(*s->v),
	    str_cmp) != NULL;
}

int
uidl_parse(const char *buf, size_t len, const char *name,
    struct uidl_set *s, struct mk_err *e)
{
	const char	*l, *nl;
	size_t		 off = 0, n, line = 0, ml = strlen(UIDL_MAGIC);

	while (off < len) {
		l = buf + off;
		nl = memchr(l, '\n', len - off);
		n = nl != NULL ? (size_t)(nl - l) : len - off;
		off += n + (nl != NULL);
		line++;
		if (line == 1) {
			if (n != ml || memcmp(l, UIDL_MAGIC, ml) != 0)
				return mk_seterr(e, MK_EDATA, "%s:1: not an "
				    "mpop state file (no \"%s\" line)", name,
				    UIDL_MAGIC);
			continue;
		}
		if (n == 0)
			continue;
		if (add_n(s, l, n, e) == -1)
			return e->st == MK_EDATA ? mk_seterr(e, MK_EDATA,
			    "%s:%zu: bad UIDL line", name, line) : -1;
	}
	if (line == 0)
		return mk_seterr(e, MK_EDATA, "%s: empty state file", name);
	return 0;
}

int
uidl_format(struct uidl_set *s, struct mk_buf *out)
{
	size_t i;

	set_sort(s);
	if (buf_printf(out, "%s\n", UIDL_MAGIC) == -1)
		return -1;
	for (i = 0; i < s->n; i++)
		if (buf_adds(out, s->v[i]) == -1 || buf_addc(out, '\n') == -1)
			return -1;
	return 0;
}

/* s with bytes outside [A-Za-z0-9._+-] as %XX, appended to b. */
static int
enc(struct mk_buf *b, const char *s)
{
	unsigned char c;

	for (; *s != '\0'; s++) {
		c = (unsigned char)*s;
		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || c == '.' || c == '_' ||
		    c == '+' || c == '-') {
			if (buf_addc(b, c) == -1)
				return -1;
		} else if (buf_printf(b, "%%%02X", c) == -1)
			return -1;
	}
	return 0;
}

int
uidl_path(char *out, size_t size, const char *key, const char *user,
    struct mk_err *e)
{
	struct mk_buf	 b;
	struct passwd	*pw;
	const char	*x = getenv("XDG_STATE_HOME"), *home;
	int		 rc = -1;

	buf_init(&b, 0);
	if (x != NULL && x[0] == '/') {
		if (buf_printf(&b, "%s/mkit/mpop.", x) == -1)
			goto nomem;
	} else {
		home = getenv("HOME");
		if ((home == NULL || home[0] == '\0') &&
		    (pw = getpwuid(getuid())) != NULL)
			home = pw->pw_dir;
		if (home == NULL || home[0] == '\0') {
			mk_seterr(e, MK_ECONFIG, "no home directory for the "
			    "state file (set HOME or XDG_STATE_HOME)");
			goto out;
		}
		if (buf_printf(&b, "%s/.local/state/mkit/mpop.", home) == -1)
			goto nomem;
	}
	if (enc(&b, user != NULL ? user : "") == -1 ||
	    buf_addc(&b, '@') == -1 || enc(&b, key) == -1 ||
	    buf_adds(&b, ".uidl") == -1)
		goto nomem;
	if (b.len >= size) {
		mk_seterr(e, MK_ECONFIG, "state file path too long");
		goto out;
	}
	memcpy(out, b.p, b.len + 1);
	rc = 0;
	goto out;
nomem:
	mk_seterr(e, MK_ESOFTWARE, "out of memory");
out:
	buf_free(&b);
	return rc;
}

/* Read path into b; 1 if it does not exist. */
static int
slurp(const char *path, struct mk_buf *b, struct mk_err *e)
{
	char		tmp[65536];
	ssize_t		n;
	int		fd, rc = -1;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1) {
		if (errno == ENOENT)
			return 1;
		return mk_seterrno(e, MK_EIO, errno, "open %s", path);
	}
	for (;;) {
		if ((n = read(fd, tmp, sizeof(tmp))) == -1) {
			if (errno == EINTR)
				continue;
			mk_seterrno(e, MK_EIO, errno, "read %s", path);
			goto out;
		}
		if (n == 0)
			break;
		if (buf_add(b, tmp, (size_t)n) == -1) {
			if (b->toobig)
				mk_seterr(e, MK_EDATA, "%s: too large", path);
			else
				mk_seterr(e, MK_ESOFTWARE, "out of memory");
			goto out;
		}
	}
	rc = 0;
out:
	close(fd);
	return rc;
}

int
uidl_load(const char *path, struct uidl_set *s, struct mk_err *e)
{
	struct mk_buf	b;
	int		rc;

	buf_init(&b, UIDL_FILEMAX);
	if ((rc = slurp(path, &b, e)) == 0)
		rc = uidl_parse((const char *)b.p, b.len, path, s, e);
	buf_free(&b);
	return rc == 1 ? 0 : rc;
}

int
uidl_journal_parse(const char *buf, size_t len, const char *name,
    struct uidl_pend **vp, size_t *np, struct mk_err *e)
{
	struct uidl_pend	*v = NULL, *nv;
	const char		*l, *nl, *sp;
	size_t			 off = 0, n, line = 0, cnt = 0, cap = 0, k;
	size_t			 ml = strlen(UIDL_JOURNAL_MAGIC);

	*vp = NULL;
	*np = 0;
	while (off < len) {
		l = buf + off;
		nl = memchr(l, '\n', len - off);
		n = nl != NULL ? (size_t)(nl - l) : len - off;
		off += n + (nl != NULL);
		if (++line == 1) {
			if (n != ml || memcmp(l, UIDL_JOURNAL_MAGIC, ml) != 0)
				goto bad;
			continue;
		}
		if (n == 0)
			continue;
		if ((sp = memchr(l, ' ', n)) == NULL)
			goto bad;
		k = (size_t)(sp - l);
		if (!uid_ok(l, k) || n - k - 1 == 0 ||
		    n - k - 1 > UIDL_NAMEMAX ||
		    memchr(sp + 1, '/', n - k - 1) != NULL ||
		    memchr(sp + 1, '\0', n - k - 1) != NULL ||
		    (n - k - 1 <= 2 && sp[1] == '.'))
			goto bad;
		if (cnt == cap) {
			cap = cap ? cap * 2 : 64;
			if ((nv = reallocarray(v, cap, sizeof(*v))) == NULL) {
				free(v);
				return mk_seterr(e, MK_ESOFTWARE,
				    "out of memory");
			}
			v = nv;
		}
		memcpy(v[cnt].uid, l, k);
		v[cnt].uid[k] = '\0';
		memcpy(v[cnt].name, sp + 1, n - k - 1);
		v[cnt].name[n - k - 1] = '\0';
		cnt++;
	}
	*vp = v;
	*np = cnt;
	return 0;
bad:
	free(v);
	return mk_seterr(e, MK_EDATA, "%s:%zu: bad journal line", name, line);
}

/* path + ".pending" into b. */
static int
journal_path(const char *path, struct mk_buf *b, struct mk_err *e)
{
	if (buf_printf(b, "%s.pending", path) == -1)
		return mk_seterr(e, MK_ESOFTWARE, "out of memory");
	return 0;
}

int
uidl_journal_save(const char *path, const struct uidl_pend *v, size_t n,
    struct mk_err *e)
{
	struct mk_buf	b, jp;
	size_t		i;
	int		rc = -1;

	buf_init(&b, 0);
	buf_init(&jp, 0);
	if (journal_path(path, &jp, e) == -1)
		goto out;
	if (buf_printf(&b, "%s\n", UIDL_JOURNAL_MAGIC) == -1)
		goto nomem;
	for (i = 0; i < n; i++)
		if (buf_printf(&b, "%s %s\n", v[i].uid, v[i].name) == -1)
			goto nomem;
	rc = atomic_write_file(buf_str(&jp), b.p, b.len, 0600, e);
	goto out;
nomem:
	mk_seterr(e, MK_ESOFTWARE, "out of memory");
out:
	buf_free(&b);
	buf_free(&jp);
	return rc;
}

int
uidl_journal_remove(const char *path, struct mk_err *e)
{
	struct mk_buf	jp;
	int		rc = 0;

	buf_init(&jp, 0);
	if (journal_path(path, &jp, e) == -1)
		return -1;
	if (unlink(buf_str(&jp)) == -1 && errno != ENOENT)
		rc = mk_seterrno(e, MK_EIO, errno, "remove %s", buf_str(&jp));
	buf_free(&jp);
	return rc;
}

int
uidl_journal_load(const char *path, struct uidl_pend **v, size_t *n,
    struct mk_err *e)
{
	struct mk_buf	b, jp;
	int		rc;

	*v = NULL;
	*n = 0;
	buf_init(&b, UIDL_FILEMAX);
	buf_init(&jp, 0);
	if ((rc = journal_path(path, &jp, e)) == 0 &&
	    (rc = slurp(buf_str(&jp), &b, e)) == 0)
		rc = uidl_journal_parse((const char *)b.p, b.len,
		    buf_str(&jp), v, n, e);
	buf_free(&b);
	buf_free(&jp);
	return rc == 1 ? 0 : rc;
}

void
uidl_mboxj_init(struct uidl_mboxj *j)
{
	j->size = -1;
	j->mbox = NULL;
	uidl_init(&j->uids);
}

void
uidl_mboxj_free(struct uidl_mboxj *j)
{
	free(j->mbox);
	uidl_free(&j->uids);
	uidl_mboxj_init(j);
}

int
uidl_mboxj_parse(const char *buf, size_t len, const char *name,
    struct uidl_mboxj *j, struct mk_err *e)
{
	const char	*l, *nl;
	size_t		 off = 0, n, line = 0, i;
	size_t		 ml = strlen(UIDL_MBOXJ_MAGIC);
	long long	 v;

	while (off < len) {
		l = buf + off;
		nl = memchr(l, '\n', len - off);
		n = nl != NULL ? (size_t)(nl - l) : len - off;
		off += n + (nl != NULL);
		if (++line == 1) {
			if (n != ml || memcmp(l, UIDL_MBOXJ_MAGIC, ml) != 0)
				goto bad;
			continue;
		}
		if (n == 0)
			continue;
		if (j->mbox != NULL)
			goto bad;	/* the mbox line comes last */
		if (n > 5 && memcmp(l, "size ", 5) == 0 && j->size == -1) {
			for (v = 0, i = 5; i < n; i++) {
				if (l[i] < '0' || l[i] > '9' || i - 5 >= 18)
					goto bad;
				v = v * 10 + (l[i] - '0');
			}
			j->size = v;
		} else if (n > 4 && memcmp(l, "uid ", 4) == 0) {
			if (add_n(&j->uids, l + 4, n - 4, e) == -1) {
				if (e->st != MK_EDATA)
					return -1;
				goto bad;
			}
		} else if (n > 6 && memcmp(l, "mbox /", 6) == 0 &&
		    memchr(l, '\0', n) == NULL) {
			if ((j->mbox = strndup(l + 5, n - 5)) == NULL)
				return mk_seterr(e, MK_ESOFTWARE,
				    "out of memory");
		} else
			goto bad;
	}
	if (line == 0 || j->size == -1 || j->mbox == NULL)
		return mk_seterr(e, MK_EDATA, "%s: incomplete mbox journal",
		    name);
	return 0;
bad:
	return mk_seterr(e, MK_EDATA, "%s:%zu: bad mbox journal line", name,
	    line);
}

int
uidl_mboxj_save(const char *path, const char *mbox, long long size,
    const char *const *uids, size_t n, struct mk_err *e)
{
	struct mk_buf	b, jp;
	size_t		i;
	int		rc = -1;

	buf_init(&b, 0);
	buf_init(&jp, 0);
	if (mbox[0] != '/' || strchr(mbox, '\n') != NULL || size < 0) {
		mk_seterr(e, MK_EDATA, "%s: cannot journal this mbox path",
		    mbox);
		goto out;
	}
	if (buf_printf(&jp, "%s.mbox", path) == -1 ||
	    buf_printf(&b, "%s\nsize %lld\n", UIDL_MBOXJ_MAGIC, size) == -1)
		goto nomem;
	for (i = 0; i < n; i++) {
		if (!uid_ok(uids[i], strlen(uids[i]))) {
			mk_seterr(e, MK_EDATA, "bad UIDL");
			goto out;
		}
		if (buf_printf(&b, "uid %s\n", uids[i]) == -1)
			goto nomem;
	}
	if (buf_printf(&b, "mbox %s\n", mbox) == -1)
		goto nomem;
	rc = atomic_write_file(buf_str(&jp), b.p, b.len, 0600, e);
	goto out;
nomem:
	mk_seterr(e, MK_ESOFTWARE, "out of memory");
out:
	buf_free(&b);
	buf_free(&jp);
	return rc;
}

int
uidl_mboxj_load(const char *path, struct uidl_mboxj *j, struct mk_err *e)
{
	struct mk_buf	b, jp;
	int		rc;

	buf_init(&b, UIDL_FILEMAX);
	buf_init(&jp, 0);
	if (buf_printf(&jp, "%s.mbox", path) == -1)
		rc = mk_seterr(e, MK_ESOFTWARE, "out of memory");
	else if ((rc = slurp(buf_str(&jp), &b, e)) == 0)
		rc = uidl_mboxj_parse((const char *)b.p, b.len, buf_str(&jp),
		    j, e) == 0 ? 1 : -1;
	else if (rc == 1)
		rc = 0;
	buf_free(&b);
	buf_free(&jp);
	return rc;
}

/* Remove path + suffix; a missing one is fine. */
static int
remove_suffixed(const char *path, const char *suffix, struct mk_err *e)
{
	struct mk_buf	jp;
	int		rc = 0;

	buf_init(&jp, 0);
	if (buf_printf(&jp, "%s%s", path, suffix) == -1)
		return mk_seterr(e, MK_ESOFTWARE, "out of memory");
	if (unlink(buf_str(&jp)) == -1 && errno != ENOENT)
		rc = mk_seterrno(e, MK_EIO, errno, "remove %s", buf_str(&jp));
	buf_free(&jp);
	return rc;
}

int
uidl_mboxj_remove(const char *path, struct mk_err *e)
{
	return remove_suffixed(path, ".mbox", e);
}

/* Create the directories above the file path (0700); path is restored. */
static int
mkdir_parents(char *path, struct mk_err *e)
{
	char *p;

	for (p = path + 1; (p = strchr(p, '/')) != NULL; p++) {
		*p = '\0';
		if (mkdir(path, 0700) == -1 && errno != EEXIST) {
			mk_seterrno(e, MK_ECANTCREAT, errno, "create %s",
			    path);
			*p = '/';
			return -1;
		}
		*p = '/';
	}
	return 0;
}

int
uidl_save(const char *path, struct uidl_set *s, struct mk_err *e)
{
	struct mk_buf	 b;
	char		*dup;
	int		 rc = -1;

	buf_init(&b, 0);
	if ((dup = strdup(path)) == NULL || uidl_format(s, &b) == -1) {
		mk_seterr(e, MK_ESOFTWARE, "out of memory");
		goto out;
	}
	if (mkdir_parents(dup, e) == -1)
		goto out;
	rc = atomic_write_file(path, b.p, b.len, 0600, e);
out:
	free(dup);
	buf_free(&b);
	return rc;
}

int
uidl_lock(const char *path, int *fd, struct mk_err *e)
{
	struct mk_buf	 b;
	char		*dup = NULL;
	int		 rc = -1;

	*fd = -1;
	buf_init(&b, 0);
	if (buf_printf(&b, "%s.lock", path) == -1 ||
	    (dup = strdup(path)) == NULL) {
		mk_seterr(e, MK_ESOFTWARE, "out of memory");
		goto out;
	}
	if (mkdir_parents(dup, e) == -1)
		goto out;
	if ((*fd = open(buf_str(&b), O_RDWR | O_CREAT | O_CLOEXEC |
	    O_NOFOLLOW, 0600)) == -1) {
		mk_seterrno(e, MK_ECANTCREAT, errno, "open %s", buf_str(&b));
		goto out;
	}
	if (flock(*fd, LOCK_EX | LOCK_NB) == -1) {
		if (errno == EWOULDBLOCK)
			mk_seterr(e, MK_ETEMP, "already running (%s is "
			    "locked)", buf_str(&b));
		else
			mk_seterrno(e, MK_ECANTCREAT, errno, "lock %s",
			    buf_str(&b));
		close(*fd);
		*fd = -1;
		goto out;
	}
	rc = 0;
out:
	free(dup);
	buf_free(&b);
	return rc;
}
