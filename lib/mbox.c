/*
 * mbox.c: mboxrd writer (locked delivery or a stream) and splitter.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "mbox.h"

#define FLUSHAT		(256 * 1024)	/* bytes buffered before a write */
#define LOCKSTEP_MS	50		/* between two lock attempts */

struct mbox {
	int		 fd;
	int		 stream;	/* 1: mbox_stream() */
	char		*path;		/* owned; NULL for a stream */
	char		*lockpath;	/* owned; NULL: no dotlock held */
	struct mk_buf	 out;		/* not yet written */
	off_t		 committed;	/* file size at the last commit */
	off_t		 flushed;	/* file size now (out not counted) */
	off_t		 msgpos;	/* where the open message starts */
	int		 inmsg;
	int		 lastnl;	/* the message's last byte was LF */
	int		 broken;	/* a write failed: nothing more counts */
	char		 pre[3];	/* to write before the first message */
};

static long	now_ms(void);
static void	nap(void);
static int	dotlock(struct mbox *, long, struct mk_err *);
static int	dotlock_dead(const char *);
static int	dotlock_file(const char *);
static int	fcntl_lock(struct mbox *, long, struct mk_err *);
static int	flush(struct mbox *, struct mk_err *);
static void	fail_back(struct mbox *);
static int	tail_pre(struct mbox *, off_t, struct mk_err *);
static int	ours_after(int, off_t, off_t, struct mk_err *, const char *);

int
mbox_line_is_from(const void *line, size_t len)
{
	return len >= 5 && memcmp(line, "From ", 5) == 0;
}

int
mbox_line_needs_quote(const void *line, size_t len)
{
	const char	*l = line;
	size_t		 i = 0;

	while (i < len && l[i] == '>')
		i++;
	return mbox_line_is_from(l + i, len - i);
}

int
mbox_from_line(char *out, size_t size, time_t t)
{
	static const char	*days[] = { "Sun", "Mon", "Tue", "Wed", "Thu",
				    "Fri", "Sat" };
	static const char	*months[] = { "Jan", "Feb", "Mar", "Apr",
				    "May", "Jun", "Jul", "Aug", "Sep", "Oct",
				    "Nov", "Dec" };
	struct tm		 tm;
	int			 n;

	if (gmtime_r(&t, &tm) == NULL || tm.tm_wday < 0 || tm.tm_wday > 6 ||
	    tm.tm_mon < 0 || tm.tm_mon > 11)
		return -1;
	n = snprintf(out, size, "From MAILER-DAEMON %s %s %2d %02d:%02d:%02d "
	    "%d\n", days[tm.tm_wday], months[tm.tm_mon], tm.tm_mday,
	    tm.tm_hour, tm.tm_min, tm.tm_sec, tm.tm_year + 1900);
	return n < 0 || (size_t)n >= size ? -1 : 0;
}

static long
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void
nap(void)
{
	struct timespec ts = { 0, LOCKSTEP_MS * 1000000L };

	(void)nanosleep(&ts, NULL);
}

/*
 * Whether the dotlock at path is one of ours ("PID HOST\n") whose
 * process is gone from this host (it was killed): then it is stale at
 * once, not only after MBOX_DOTLOCK_STALE seconds.
 */
static int
dotlock_dead(const char *path)
{
	char	b[320], host[256];
	ssize_t	n;
	size_t	i, hl;
	long	pid = 0;
	int	fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)) == -1)
		return 0;
	n = read(fd, b, sizeof(b) - 1);
	close(fd);
	if (n <= 0 || gethostname(host, sizeof(host)) == -1)
		return 0;
	host[sizeof(host) - 1] = '\0';
	for (i = 0; i < (size_t)n && b[i] >= '0' && b[i] <= '9' && i < 9; i++)
		pid = pid * 10 + (b[i] - '0');
	hl = strlen(host);
	if (i == 0 || pid <= 0 || (size_t)n != i + 1 + hl + 1 ||
	    b[i] != ' ' || memcmp(b + i + 1, host, hl) != 0 ||
	    b[n - 1] != '\n')
		return 0;
	return kill((pid_t)pid, 0) == -1 && errno == ESRCH;
}

/*
 * A file tmp holding "PID HOST\n", for dotlock_dead(): written before
 * it is linked to the lock's name, so that a lock is never seen empty.
 * -1 with errno set.
 */
static int
dotlock_file(const char *tmp)
{
	char	id[320], host[256];
	int	fd, k, rc = 0;

	if (gethostname(host, sizeof(host)) == -1)
		host[0] = '\0';
	host[sizeof(host) - 1] = '\0';
	k = snprintf(id, sizeof(id), "%ld %s\n", (long)getpid(), host);
	(void)unlink(tmp);	/* a leftover of an earlier crash */
	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC |
	    O_NOFOLLOW, 0600)) == -1)
		return -1;
	if (k <= 0 || (size_t)k >= sizeof(id) ||
	    write(fd, id, (size_t)k) != k) {
		if (errno == 0)
			errno = EIO;
		rc = -1;
	}
	close(fd);
	if (rc == -1)
		(void)unlink(tmp);
	return rc;
}

/*
 * path.lock, made by link(2) from a file holding our PID (exclusive,
 * and safe over NFS); none when the directory says EACCES.
 */
static int
dotlock(struct mbox *mb, long deadline, struct mk_err *e)
{
	struct stat	 st;
	size_t		 n = strlen(mb->path) + 32;
	char		*tmp;
	int		 rc = -1;

	if ((mb->lockpath = malloc(n)) == NULL || (tmp = malloc(n)) == NULL) {
		free(mb->lockpath);
		mb->lockpath = NULL;
		return mk_seterr(e, MK_ESOFTWARE, "out of memory");
	}
	snprintf(mb->lockpath, n, "%s.lock", mb->path);
	snprintf(tmp, n, "%s.lock.%ld", mb->path, (long)getpid());
	if (dotlock_file(tmp) == -1) {
		if (errno == EACCES || errno == EROFS) {
			/* No right to make one: fcntl alone (as mutt does). */
			free(mb->lockpath);
			mb->lockpath = NULL;
			rc = 0;
		} else
			mk_seterrno(e, MK_ECANTCREAT, errno, "create %s", tmp);
		goto out;
	}
	for (;;) {
		if (link(tmp, mb->lockpath) == 0) {
			rc = 0;
			break;
		}
		if (errno != EEXIST) {
			mk_seterrno(e, MK_ECANTCREAT, errno, "create %s",
			    mb->lockpath);
			break;
		}
		if ((lstat(mb->lockpath, &st) == 0 &&
		    time(NULL) - st.st_mtime > MBOX_DOTLOCK_STALE) ||
		    dotlock_dead(mb->lockpath)) {
			(void)unlink(mb->lockpath);
			continue;
		}
		if (now_ms() >= deadline) {
			mk_seterr(e, MK_ETEMP, "%s: locked by another process "
			    "(%s.lock)", mb->path, mb->path);
			break;
		}
		nap();
	}
	(void)unlink(tmp);
out:
	if (rc == -1) {
		free(mb->lockpath);
		mb->lockpath = NULL;
	}
	free(tmp);
	return rc;
}

/* A write lock on the whole file, waited for until deadline. */
static int
fcntl_lock(struct mbox *mb, long deadline, struct mk_err *e)
{
	struct flock fl;

	for (;;) {
		memset(&fl, 0, sizeof(fl));
		fl.l_type = F_WRLCK;
		fl.l_whence = SEEK_SET;
		if (fcntl(mb->fd, F_SETLK, &fl) == 0)
			return 0;
		if (errno != EAGAIN && errno != EACCES && errno != EINTR)
			return mk_seterrno(e, MK_EIO, errno, "lock %s",
			    mb->path);
		if (now_ms() >= deadline)
			return mk_seterr(e, MK_ETEMP, "%s: locked by another "
			    "process", mb->path);
		nap();
	}
}

/* Start on a fresh line after a blank one, whatever ends the file. */
static int
tail_pre(struct mbox *mb, off_t size, struct mk_err *e)
{
	char	tail[2];
	int	rfd;

	mb->pre[0] = '\0';
	if (size >= 2) {
		rfd = open(mb->path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
		if (rfd == -1 || pread(rfd, tail, 2, size - 2) != 2) {
			mk_seterrno(e, MK_EIO, errno, "read %s", mb->path);
			if (rfd != -1)
				close(rfd);
			return -1;
		}
		close(rfd);
		if (tail[1] != '\n')
			memcpy(mb->pre, "\n\n", 3);
		else if (tail[0] != '\n')
			memcpy(mb->pre, "\n", 2);
	} else if (size == 1)
		memcpy(mb->pre, "\n", 2);
	return 0;
}

struct mbox *
mbox_open(const char *path, int wait_s, struct mk_err *e)
{
	struct mbox	*mb;
	struct stat	 st;
	long		 deadline = now_ms() + (long)wait_s * 1000;

	if ((mb = calloc(1, sizeof(*mb))) == NULL) {
		mk_seterr(e, MK_ESOFTWARE, "out of memory");
		return NULL;
	}
	mb->fd = -1;
	buf_init(&mb->out, 0);
	if ((mb->path = strdup(path)) == NULL) {
		mk_seterr(e, MK_ESOFTWARE, "out of memory");
		goto fail;
	}
	if (dotlock(mb, deadline, e) == -1)
		goto fail;
	if ((mb->fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC |
	    O_NOFOLLOW, 0600)) == -1) {
		mk_seterrno(e, MK_ECANTCREAT, errno, "open %s", path);
		goto fail;
	}
	if (fcntl_lock(mb, deadline, e) == -1)
		goto fail;
	if (fstat(mb->fd, &st) == -1) {
		mk_seterrno(e, MK_EIO, errno, "stat %s", path);
		goto fail;
	}
	if (!S_ISREG(st.st_mode)) {
		mk_seterr(e, MK_ECANTCREAT, "%s: not a regular file", path);
		goto fail;
	}
	mb->committed = mb->flushed = st.st_size;
	if (tail_pre(mb, st.st_size, e) == -1)
		goto fail;
	return mb;
fail:
	mbox_close(mb);
	return NULL;
}

struct mbox *
mbox_stream(int fd, struct mk_err *e)
{
	struct mbox *mb;

	if ((mb = calloc(1, sizeof(*mb))) == NULL) {
		mk_seterr(e, MK_ESOFTWARE, "out of memory");
		return NULL;
	}
	buf_init(&mb->out, 0);
	mb->fd = fd;
	mb->stream = 1;
	return mb;
}

void
mbox_close(struct mbox *mb)
{
	if (mb == NULL)
		return;
	if (mb->inmsg)
		mbox_add_abort(mb);
	if (!mb->stream && mb->fd != -1)
		close(mb->fd);		/* drops the fcntl lock */
	if (mb->lockpath != NULL)
		(void)unlink(mb->lockpath);
	free(mb->lockpath);
	free(mb->path);
	buf_free(&mb->out);
	free(mb);
}

long long
mbox_size(const struct mbox *mb)
{
	return mb->stream ? -1 : (long long)mb->committed;
}

/*
 * Whether the bytes of fd from off to end hold only what mbox_add_*()
 * writes: each line that starts "From " is one of our separators.
 * 1 yes, 0 no, -1 read error.
 */
static int
ours_after(int fd, off_t off, off_t end, struct mk_err *e, const char *path)
{
	static const char	 sep[] = "From MAILER-DAEMON ";
	char			 b[65536], head[sizeof(sep) - 1];
	size_t			 hn = 0, i;
	ssize_t			 n;
	int			 track = 1;	/* this line began a line */

	if (off > 0) {
		if (pread(fd, b, 1, off - 1) != 1)
			goto rerr;
		track = b[0] == '\n';
	}
	while (off < end) {
		if ((n = pread(fd, b, sizeof(b), off)) <= 0) {
			if (n == -1 && errno == EINTR)
				continue;
			goto rerr;
		}
		for (i = 0; i < (size_t)n; i++) {
			if (b[i] != '\n') {
				if (track && hn < sizeof(head))
					head[hn++] = b[i];
				continue;
			}
			if (track && hn >= 5 && memcmp(head, sep, 5) == 0 &&
			    (hn < sizeof(head) ||
			    memcmp(head, sep, sizeof(head)) != 0))
				return 0;
			track = 1;
			hn = 0;
		}
		off += n;
	}
	/* An unterminated last line is the torn end of our own writing. */
	return 1;
rerr:
	mk_seterrno(e, MK_EIO, errno, "read %s", path);
	return -1;
}

int
mbox_recover(struct mbox *mb, long long size, struct mk_err *e)
{
	struct stat	st;
	int		rfd, ok;

	if (mb->stream || size < 0)
		return mk_seterr(e, MK_ESOFTWARE, "mbox_recover: no file");
	if (fstat(mb->fd, &st) == -1)
		return mk_seterrno(e, MK_EIO, errno, "stat %s", mb->path);
	if (st.st_size <= size)
		return 0;
	if ((rfd = open(mb->path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)) == -1)
		return mk_seterrno(e, MK_EIO, errno, "open %s", mb->path);
	ok = ours_after(rfd, (off_t)size, st.st_size, e, mb->path);
	close(rfd);
	if (ok != 1)
		return ok == 0 ? 1 : -1;
	if (ftruncate(mb->fd, (off_t)size) == -1 || fsync(mb->fd) == -1)
		return mk_seterrno(e, MK_EIO, errno, "truncate %s", mb->path);
	mb->committed = mb->flushed = (off_t)size;
	return tail_pre(mb, (off_t)size, e);
}

/* Put the file back as it was at the last commit; nothing more counts. */
static void
fail_back(struct mbox *mb)
{
	if (!mb->stream && ftruncate(mb->fd, mb->committed) == 0)
		mb->flushed = mb->committed;
	buf_reset(&mb->out);
	mb->broken = 1;
}

/* Write the buffer out. */
static int
flush(struct mbox *mb, struct mk_err *e)
{
	size_t	off = 0;
	ssize_t	w;

	while (off < mb->out.len) {
		w = write(mb->fd, mb->out.p + off, mb->out.len - off);
		if (w == -1) {
			if (errno == EINTR)
				continue;
			mk_seterrno(e, MK_EIO, errno, "write %s",
			    mb->stream ? "standard output" : mb->path);
			fail_back(mb);
			return -1;
		}
		off += (size_t)w;
	}
	mb->flushed += (off_t)off;
	buf_reset(&mb->out);
	return 0;
}

int
mbox_add_begin(struct mbox *mb, time_t t, struct mk_err *e)
{
	char line[64];

	if (mb->broken)
		return mk_seterr(e, MK_EIO, "%s: an earlier write failed",
		    mb->stream ? "standard output" : mb->path);
	if (mb->inmsg)
		mbox_add_abort(mb);
	if (mbox_from_line(line, sizeof(line), t) == -1)
		return mk_seterr(e, MK_ESOFTWARE, "bad time for From line");
	if (buf_adds(&mb->out, mb->pre) == -1)
		return mk_seterr(e, MK_ESOFTWARE, "out of memory");
	mb->pre[0] = '\0';
	mb->msgpos = mb->flushed + (off_t)mb->out.len;
	if (buf_adds(&mb->out, line) == -1)
		return mk_seterr(e, MK_ESOFTWARE, "out of memory");
	mb->inmsg = 1;
	mb->lastnl = 1;
	return 0;
}

int
mbox_write(struct mbox *mb, const void *p, size_t n, struct mk_err *e)
{
	const char	*s = p, *nl;
	size_t		 k;

	while (n > 0) {
		nl = memchr(s, '\n', n);
		k = nl != NULL ? (size_t)(nl - s) + 1 : n;
		if (mb->lastnl && mbox_line_needs_quote(s, k) &&
		    buf_addc(&mb->out, '>') == -1)
			goto nomem;
		/* CR LF becomes LF: lines of an mbox file end in LF. */
		if (nl != NULL && k >= 2 && s[k - 2] == '\r') {
			if (buf_add(&mb->out, s, k - 2) == -1 ||
			    buf_addc(&mb->out, '\n') == -1)
				goto nomem;
		} else if (buf_add(&mb->out, s, k) == -1)
			goto nomem;
		mb->lastnl = nl != NULL;
		s += k;
		n -= k;
	}
	if (!mb->stream && mb->out.len >= FLUSHAT)
		return flush(mb, e);
	return 0;
nomem:
	return mk_seterr(e, MK_ESOFTWARE, "out of memory");
}

int
mbox_add_end(struct mbox *mb, struct mk_err *e)
{
	if (!mb->inmsg)
		return mk_seterr(e, MK_ESOFTWARE, "no mbox message begun");
	if ((!mb->lastnl && buf_addc(&mb->out, '\n') == -1) ||
	    buf_addc(&mb->out, '\n') == -1)
		return mk_seterr(e, MK_ESOFTWARE, "out of memory");
	mb->inmsg = 0;
	/* A stream gets whole messages only. */
	if (mb->stream || mb->out.len >= FLUSHAT)
		return flush(mb, e);
	return 0;
}

void
mbox_add_abort(struct mbox *mb)
{
	if (!mb->inmsg)
		return;
	mb->inmsg = 0;
	if (mb->msgpos >= mb->flushed) {
		mb->out.len = (size_t)(mb->msgpos - mb->flushed);
		return;
	}
	/* Part of it is in the file already: cut it off. */
	buf_reset(&mb->out);
	if (ftruncate(mb->fd, mb->msgpos) == 0)
		mb->flushed = mb->msgpos;
	else
		fail_back(mb);
}

int
mbox_commit(struct mbox *mb, struct mk_err *e)
{
	if (mb->broken)
		return mk_seterr(e, MK_EIO, "%s: an earlier write failed",
		    mb->stream ? "standard output" : mb->path);
	if (mb->inmsg)
		return mk_seterr(e, MK_ESOFTWARE, "mbox commit inside a "
		    "message");
	if (flush(mb, e) == -1)
		return -1;
	if (mb->stream)
		return 0;
	if (fsync(mb->fd) == -1) {
		mk_seterrno(e, MK_EIO, errno, "fsync %s", mb->path);
		fail_back(mb);
		return -1;
	}
	mb->committed = mb->flushed;
	return 0;
}

void
mbox_rd_init(struct mbox_rd *r)
{
	memset(r, 0, sizeof(*r));
}

int
mbox_rd_line(struct mbox_rd *r, const uint8_t *l, size_t n,
    int (*fn)(void *, enum mbox_ev, const uint8_t *, size_t), void *arg)
{
	size_t	body = n;

	if (r->err != NULL)
		return -1;
	if (body > 0 && l[body - 1] == '\n')
		body--;
	if (body > 0 && l[body - 1] == '\r')
		body--;
	if (mbox_line_is_from(l, n)) {
		r->held = 0;	/* the blank line before a separator */
		if (r->inmsg && fn(arg, MBOX_EV_END, NULL, 0) == -1)
			return -1;
		r->inmsg = 1;
		r->nmsg++;
		return fn(arg, MBOX_EV_BEGIN, l, body);
	}
	if (!r->inmsg) {
		r->err = "not an mbox: text before the first From line";
		return -1;
	}
	if (r->held > 0) {
		if (fn(arg, MBOX_EV_DATA, r->hold, r->held) == -1)
			return -1;
		r->held = 0;
	}
	if (body == 0 && n > 0 && n <= 2) {
		memcpy(r->hold, l, n);
		r->held = n;
		return 0;
	}
	/* mboxrd: ^>+From  loses one '>'. */
	if (n > 0 && l[0] == '>' && mbox_line_needs_quote(l, n))
		return fn(arg, MBOX_EV_DATA, l + 1, n - 1);
	return fn(arg, MBOX_EV_DATA, l, n);
}

int
mbox_rd_finish(struct mbox_rd *r,
    int (*fn)(void *, enum mbox_ev, const uint8_t *, size_t), void *arg)
{
	if (r->err != NULL)
		return -1;
	r->held = 0;
	if (!r->inmsg)
		return 0;
	r->inmsg = 0;
	return fn(arg, MBOX_EV_END, NULL, 0);
}
