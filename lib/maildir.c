/*
 * maildir.c: Maildir delivery with group commit.
 */
#define _GNU_SOURCE		/* syncfs(2), renameat2(2) */
#include <sys/stat.h>
#include <sys/time.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "maildir.h"

#define WBUFMAX	(128 * 1024)	/* bytes buffered before a write */

#define NAMEMAX	256

struct pending {
	int	 fd;			/* open while being written, else -1 */
	int	 live;			/* the file is in tmp/ */
	char	 name[NAMEMAX];
};

struct maildir {
	char		*dir;			/* owned, for messages */
	int		 tmpfd, newfd;		/* the directories */
	char		 host[128];		/* for unique names */
	unsigned long	 seq;			/* Q of the unique name */
	long		 pid;			/* P of it (getpid() is a
						   system call each time) */
	struct pending	 cur;			/* being written; fd -1 */
	struct pending	 pend[MAILDIR_BATCH];
	size_t		 npend;
	int		 synced;		/* pend[] are fsynced */
	struct mk_buf	 wbuf;			/* cur's bytes not yet written */
};

static int	mkdir_p(const char *, struct mk_err *);
static int	subdir(struct maildir *, const char *, int *,
		    struct mk_err *);
static void	drop(struct maildir *, struct pending *);
static void	drop_all(struct maildir *);
static int	wflush(struct maildir *, struct mk_err *);

/* mkdir -p path, mode 0700 for what it creates. */
static int
mkdir_p(const char *path, struct mk_err *e)
{
	char		 tmp[4096];
	size_t		 i, n = strlen(path);
	struct stat	 st;

	if (n == 0 || n >= sizeof(tmp))
		return mk_seterr(e, MK_ECANTCREAT, "%s: bad Maildir path",
		    path);
	memcpy(tmp, path, n + 1);
	for (i = 1; i <= n; i++) {
		if (tmp[i] != '/' && tmp[i] != '\0')
			continue;
		tmp[i] = '\0';
		if (mkdir(tmp, 0700) == -1 && errno != EEXIST)
			return mk_seterrno(e, MK_ECANTCREAT, errno,
			    "create %s", tmp);
		tmp[i] = i < n ? '/' : '\0';
	}
	if (stat(path, &st) == -1)
		return mk_seterrno(e, MK_ECANTCREAT, errno, "%s", path);
	if (!S_ISDIR(st.st_mode))
		return mk_seterr(e, MK_ECANTCREAT, "%s: not a directory",
		    path);
	return 0;
}

/* Create (if missing) and open dir/name; *fd gets it (or -1 for cur). */
static int
subdir(struct maildir *md, const char *name, int *fd, struct mk_err *e)
{
	char path[4200];

	if (snprintf(path, sizeof(path), "%s/%s", md->dir, name) >=
	    (int)sizeof(path))
		return mk_seterr(e, MK_ECANTCREAT, "%s: path too long",
		    md->dir);
	if (mkdir(path, 0700) == -1 && errno != EEXIST)
		return mk_seterrno(e, MK_ECANTCREAT, errno, "create %s", path);
	if (fd == NULL)
		return 0;
	if ((*fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1)
		return mk_seterrno(e, MK_ECANTCREAT, errno, "open %s", path);
	return 0;
}

int
maildir_name(char *out, size_t size, long long secs, long usecs, long pid,
    unsigned long n, const char *host)
{
	int	len;
	size_t	o, i;

	len = snprintf(out, size, "%lld.M%ldP%ldQ%lu.", secs, usecs, pid, n);
	if (len < 0 || (size_t)len >= size)
		return -1;
	o = (size_t)len;
	for (i = 0; host[i] != '\0'; i++) {
		if (host[i] == '/' || host[i] == ':') {
			if (size - o <= 4)
				return -1;
			memcpy(out + o, host[i] == '/' ? "\\057" : "\\072", 4);
			o += 4;
		} else {
			if (size - o <= 1)
				return -1;
			out[o++] = host[i];
		}
	}
	out[o] = '\0';
	return 0;
}

struct maildir *
maildir_open(const char *dir, struct mk_err *e)
{
	struct maildir	*md;

	if ((md = calloc(1, sizeof(*md))) == NULL) {
		mk_seterr(e, MK_ESOFTWARE, "out of memory");
		return NULL;
	}
	md->tmpfd = md->newfd = md->cur.fd = -1;
	buf_init(&md->wbuf, 0);
	if ((md->dir = strdup(dir)) == NULL) {
		mk_seterr(e, MK_ESOFTWARE, "out of memory");
		goto fail;
	}
	md->pid = (long)getpid();
	if (gethostname(md->host, sizeof(md->host)) == -1)
		snprintf(md->host, sizeof(md->host), "localhost");
	md->host[sizeof(md->host) - 1] = '\0';
	if (mkdir_p(dir, e) == -1 || subdir(md, "tmp", &md->tmpfd, e) == -1 ||
	    subdir(md, "new", &md->newfd, e) == -1 ||
	    subdir(md, "cur", NULL, e) == -1)
		goto fail;
	return md;
fail:
	maildir_close(md);
	return NULL;
}

/* Close and remove one file of tmp/. */
static void
drop(struct maildir *md, struct pending *p)
{
	if (p->fd != -1)
		close(p->fd);
	p->fd = -1;
	if (p->live)
		(void)unlinkat(md->tmpfd, p->name, 0);
	p->live = 0;
}

void
maildir_close(struct maildir *md)
{
	size_t i;

	if (md == NULL)
		return;
	drop(md, &md->cur);
	for (i = 0; i < md->npend; i++)
		drop(md, &md->pend[i]);
	if (md->tmpfd != -1)
		close(md->tmpfd);
	if (md->newfd != -1)
		close(md->newfd);
	free(md->dir);
	buf_free(&md->wbuf);
	free(md);
}

int
maildir_add_begin(struct maildir *md, struct mk_err *e)
{
	struct timeval	tv;
	int		tries;

	if (md->npend == MAILDIR_BATCH)
		return mk_seterr(e, MK_ESOFTWARE, "Maildir batch full");
	maildir_add_abort(md);
	for (tries = 0; tries < 8; tries++) {
		gettimeofday(&tv, NULL);
		if (maildir_name(md->cur.name, sizeof(md->cur.name),
		    (long long)tv.tv_sec, (long)tv.tv_usec, md->pid,
		    ++md->seq, md->host) == -1)
			return mk_seterr(e, MK_ECANTCREAT, "%s: host name too "
			    "long for a file name", md->dir);
		md->cur.fd = openat(md->tmpfd, md->cur.name,
		    O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
		if (md->cur.fd != -1) {
			md->cur.live = 1;
			return 0;
		}
		if (errno != EEXIST)
			break;
	}
	return mk_seterrno(e, errno == ENOSPC || errno == EDQUOT ? MK_EIO :
	    MK_ECANTCREAT, errno, "create %s/tmp/%s", md->dir, md->cur.name);
}

/* Write out the buffered bytes of the current message. */
static int
wflush(struct maildir *md, struct mk_err *e)
{
	const char	*s = (const char *)md->wbuf.p;
	size_t		 n = md->wbuf.len;
	ssize_t		 w;

	while (n > 0) {
		if ((w = write(md->cur.fd, s, n)) == -1) {
			if (errno == EINTR)
				continue;
			buf_reset(&md->wbuf);
			return mk_seterrno(e, MK_EIO, errno, "write %s/tmp/%s",
			    md->dir, md->cur.name);
		}
		s += w;
		n -= (size_t)w;
	}
	buf_reset(&md->wbuf);
	return 0;
}

int
maildir_write(struct maildir *md, const void *p, size_t n, struct mk_err *e)
{
	if (md->cur.fd == -1)
		return mk_seterr(e, MK_ESOFTWARE, "no Maildir message begun");
	if (buf_add(&md->wbuf, p, n) == -1)
		return mk_seterr(e, MK_ESOFTWARE, "out of memory");
	if (md->wbuf.len >= WBUFMAX)
		return wflush(md, e);
	return 0;
}

int
maildir_add_end(struct maildir *md, struct mk_err *e)
{
	int rc;

	if (md->cur.fd == -1)
		return mk_seterr(e, MK_ESOFTWARE, "no Maildir message begun");
	if (wflush(md, e) == -1)
		return -1;
	/*
	 * Closed now, not at the commit: a batch holds no descriptors (it
	 * may be larger than the limit on open files), and syncfs(2) or a
	 * later fsync of the name makes it durable.  close(2) may report a
	 * write error (NFS).
	 */
	rc = close(md->cur.fd);
	md->cur.fd = -1;
	if (rc == -1) {
		mk_seterrno(e, MK_EIO, errno, "close %s/tmp/%s", md->dir,
		    md->cur.name);
		drop(md, &md->cur);
		return -1;
	}
	md->pend[md->npend++] = md->cur;
	md->cur.live = 0;
	md->synced = 0;
	return 0;
}

void
maildir_add_abort(struct maildir *md)
{
	buf_reset(&md->wbuf);
	drop(md, &md->cur);
}

size_t
maildir_pending(const struct maildir *md)
{
	return md->npend;
}

const char *
maildir_pending_name(const struct maildir *md, size_t i)
{
	return i < md->npend ? md->pend[i].name : NULL;
}

/* Drop every pending message. */
static void
drop_all(struct maildir *md)
{
	size_t i;

	for (i = 0; i < md->npend; i++)
		drop(md, &md->pend[i]);
	md->npend = 0;
	md->synced = 0;
}

int
maildir_sync(struct maildir *md, struct mk_err *e)
{
	size_t	i;
	int	fd;

	if (md->synced || md->npend == 0)
		return 0;
#ifdef __linux__
	/*
	 * Group commit: one syncfs(2) writes every file of the batch (and
	 * their inodes) in one journal commit, where an fsync(2) per file
	 * costs a commit each.  It reports writeback errors since Linux
	 * 5.8; where it is missing, fsync each file.
	 */
	if (syncfs(md->tmpfd) == 0) {
		md->synced = 1;
		return 0;
	}
	if (errno != ENOSYS) {
		mk_seterrno(e, MK_EIO, errno, "sync %s/tmp", md->dir);
		drop_all(md);
		return -1;
	}
#endif
	for (i = 0; i < md->npend; i++) {
		if ((fd = openat(md->tmpfd, md->pend[i].name, O_RDONLY |
		    O_CLOEXEC)) == -1 || fsync(fd) == -1) {
			mk_seterrno(e, MK_EIO, errno, "fsync %s/tmp/%s",
			    md->dir, md->pend[i].name);
			if (fd != -1)
				close(fd);
			drop_all(md);
			return -1;
		}
		close(fd);
	}
	md->synced = 1;
	return 0;
}

int
maildir_has(struct maildir *md, const char *name)
{
	char		 path[4200];
	struct stat	 st;
	DIR		*d;
	struct dirent	*de;
	size_t		 n = strlen(name);
	int		 found = 0;

	if (fstatat(md->newfd, name, &st, 0) == 0)
		return 1;
	snprintf(path, sizeof(path), "%s/cur", md->dir);
	if ((d = opendir(path)) == NULL)
		return 0;
	while (!found && (de = readdir(d)) != NULL)
		found = strncmp(de->d_name, name, n) == 0 &&
		    (de->d_name[n] == '\0' || de->d_name[n] == ':');
	closedir(d);
	return found;
}

int
maildir_commit(struct maildir *md, struct mk_err *e)
{
	struct pending	*p;
	size_t		 i;
	int		 rc = -1;

	/*
	 * The Maildir protocol, one directory fsync per batch: every file
	 * is on disk before its name appears in new/, and new/ is on disk
	 * before the caller may count any of them as delivered.
	 */
	if (maildir_sync(md, e) == -1)
		return -1;
	for (i = 0; i < md->npend; i++) {
		p = &md->pend[i];
#ifdef RENAME_NOREPLACE
		/*
		 * link(2) then unlink(2) in one call: never replaces a file
		 * of new/ either.  EINVAL: a file system without it.
		 */
		if (renameat2(md->tmpfd, p->name, md->newfd, p->name,
		    RENAME_NOREPLACE) == 0) {
			p->live = 0;
			continue;
		}
		if (errno != EINVAL && errno != ENOSYS) {
			mk_seterrno(e, errno == ENOSPC ? MK_EIO :
			    MK_ECANTCREAT, errno, "rename into %s/new/%s",
			    md->dir, p->name);
			(void)unlinkat(md->tmpfd, p->name, 0);
			goto out;
		}
#endif
		if (linkat(md->tmpfd, p->name, md->newfd, p->name, 0) == 0) {
			(void)unlinkat(md->tmpfd, p->name, 0);
			p->live = 0;
		} else if ((errno == EPERM || errno == ENOSYS ||
		    errno == EOPNOTSUPP) &&
		    renameat(md->tmpfd, p->name, md->newfd, p->name) == 0)
			p->live = 0;	/* no hard links on this file system */
		else {
			mk_seterrno(e, errno == ENOSPC ? MK_EIO :
			    MK_ECANTCREAT, errno, "link %s/new/%s", md->dir,
			    p->name);
			(void)unlinkat(md->tmpfd, p->name, 0);
			goto out;
		}
	}
	if (fsync(md->newfd) == -1) {
		mk_seterrno(e, MK_EIO, errno, "fsync %s/new", md->dir);
		goto out;
	}
	rc = 0;
out:
	drop_all(md);
	return rc;
}
