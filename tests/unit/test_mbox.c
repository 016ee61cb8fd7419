/*
 * test_mbox.c: mboxrd quoting, the From_ line, delivery with locks and
 * truncation, the stream writer, and the splitter (round trip).
 */
#include <sys/stat.h>
#include <sys/wait.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mbox.h"
#include "t.h"

#define S(s)	(s), strlen(s)

static char tmpdir[] = "/tmp/test_mbox.XXXXXX";

static const char *
at(const char *name)
{
	static char	paths[4][512];
	static int	slot;
	char		*p = paths[slot++ % 4];

	snprintf(p, 512, "%s/%s", tmpdir, name);
	return p;
}

/* Read a whole (small) file into b. */
static void
slurp(const char *path, struct mk_buf *b)
{
	char	tmp[4096];
	ssize_t	n;
	int	fd;

	buf_reset(b);
	if ((fd = open(path, O_RDONLY)) == -1)
		return;
	while ((n = read(fd, tmp, sizeof(tmp))) > 0)
		buf_add(b, tmp, (size_t)n);
	close(fd);
}

static void
test_quote(void)
{
	T_CHECK(mbox_line_is_from(S("From x")));
	T_CHECK(!mbox_line_is_from(S(">From x")));
	T_CHECK(!mbox_line_is_from(S("From")));
	T_CHECK(mbox_line_needs_quote(S("From ")));
	T_CHECK(mbox_line_needs_quote(S(">>>From x")));
	T_CHECK(!mbox_line_needs_quote(S(">>>Fro")));
	T_CHECK(!mbox_line_needs_quote(S("from x")));
	T_CHECK(!mbox_line_needs_quote(S(" From x")));
	T_CHECK(!mbox_line_needs_quote(S("")));
}

static void
test_from_line(void)
{
	char out[64];

	T_EQ_INT(mbox_from_line(out, sizeof(out), 0), 0);
	T_EQ_STR(out, "From MAILER-DAEMON Thu Jan  1 00:00:00 1970\n");
	T_EQ_INT(mbox_from_line(out, 20, 0), -1);
}

static void
test_deliver(void)
{
	struct mbox	*mb;
	struct mk_err	 e;
	struct mk_buf	 b;
	int		 fd;

	buf_init(&b, 0);
	fd = open(at("box"), O_WRONLY | O_CREAT, 0600);
	T_EQ_INT(write(fd, "From a b\nold", 12), 12);	/* no final LF */
	close(fd);
	mb = mbox_open(at("box"), 1, &e);
	T_CHECK(mb != NULL);
	if (mb == NULL)
		return;
	T_CHECK(access(at("box.lock"), F_OK) == 0);
	T_EQ_INT(mbox_add_begin(mb, 0, &e), 0);
	T_EQ_INT(mbox_write(mb, S("Subject: x\r\n\r\nFrom here\r\n"), &e),
	    0);
	T_EQ_INT(mbox_write(mb, S(">From there\r\nno end"), &e), 0);
	T_EQ_INT(mbox_add_end(mb, &e), 0);
	T_EQ_INT(mbox_add_begin(mb, 0, &e), 0);
	T_EQ_INT(mbox_write(mb, S("dropped\n"), &e), 0);
	mbox_add_abort(mb);
	T_EQ_INT(mbox_commit(mb, &e), 0);
	mbox_close(mb);
	T_CHECK(access(at("box.lock"), F_OK) == -1);
	slurp(at("box"), &b);
	T_EQ_STR(buf_str(&b), "From a b\nold\n\n"
	    "From MAILER-DAEMON Thu Jan  1 00:00:00 1970\n"
	    "Subject: x\n\n>From here\n>>From there\nno end\n\n");
	buf_free(&b);
}

static void
test_locked(void)
{
	struct mk_err	e;
	int		fd, st, p[2];
	pid_t		pid;
	char		c;

	/* Another process holds the fcntl lock: wait, then MK_ETEMP. */
	if (pipe(p) == -1)
		return;
	if ((pid = fork()) == 0) {
		struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET };

		fd = open(at("locked"), O_WRONLY | O_CREAT, 0600);
		fcntl(fd, F_SETLKW, &fl);
		if (write(p[1], "x", 1) != 1)
			_exit(1);
		sleep(3);
		_exit(0);
	}
	T_EQ_INT(read(p[0], &c, 1), 1);
	T_CHECK(mbox_open(at("locked"), 1, &e) == NULL);
	T_EQ_INT(e.st, MK_ETEMP);
	T_CHECK(strstr(e.msg, "locked by another process") != NULL);
	T_CHECK(access(at("locked.lock"), F_OK) == -1);	/* dotlock undone */
	kill(pid, SIGTERM);
	waitpid(pid, &st, 0);
	close(p[0]);
	close(p[1]);
	/* A dotlock alone holds it off too. */
	fd = open(at("locked.lock"), O_WRONLY | O_CREAT, 0600);
	close(fd);
	T_CHECK(mbox_open(at("locked"), 0, &e) == NULL);
	T_EQ_INT(e.st, MK_ETEMP);
	unlink(at("locked.lock"));
}

static void
test_stream(void)
{
	struct mbox	*mb;
	struct mk_err	 e;
	struct mk_buf	 b;
	int		 fd;

	buf_init(&b, 0);
	fd = open(at("stream"), O_WRONLY | O_CREAT | O_TRUNC, 0600);
	mb = mbox_stream(fd, &e);
	T_EQ_INT(mbox_add_begin(mb, 0, &e), 0);
	T_EQ_INT(mbox_write(mb, S("a\n"), &e), 0);
	T_EQ_INT(mbox_add_end(mb, &e), 0);
	T_EQ_INT(mbox_add_begin(mb, 0, &e), 0);
	T_EQ_INT(mbox_write(mb, S("cut off\n"), &e), 0);
	mbox_close(mb);		/* never reaches the stream */
	close(fd);
	slurp(at("stream"), &b);
	T_EQ_STR(buf_str(&b),
	    "From MAILER-DAEMON Thu Jan  1 00:00:00 1970\na\n\n");
	buf_free(&b);
}

struct rt {
	struct mk_buf	out;
	int		begins, ends;
};

static int
rt_fn(void *arg, enum mbox_ev ev, const uint8_t *p, size_t n)
{
	struct rt *r = arg;

	if (ev == MBOX_EV_BEGIN) {
		r->begins++;
		return buf_adds(&r->out, "[B]");
	}
	if (ev == MBOX_EV_END) {
		r->ends++;
		return buf_adds(&r->out, "[E]");
	}
	return buf_add(&r->out, p, n);
}

static void
feed(struct mbox_rd *rd, const char *text, struct rt *r)
{
	const char	*l = text, *nl;
	size_t		 n;

	while (*l != '\0') {
		nl = strchr(l, '\n');
		n = nl != NULL ? (size_t)(nl - l) + 1 : strlen(l);
		(void)mbox_rd_line(rd, (const uint8_t *)l, n, rt_fn, r);
		l += n;
	}
	(void)mbox_rd_finish(rd, rt_fn, r);
}

static void
test_split(void)
{
	struct mbox_rd	rd;
	struct rt	r;

	memset(&r, 0, sizeof(r));
	buf_init(&r.out, 0);
	mbox_rd_init(&rd);
	feed(&rd, "From a\nx\n>From y\n>>From z\n\n\nFrom b\n\nq\n\n", &r);
	T_EQ_STR(buf_str(&r.out), "[B]x\nFrom y\n>From z\n\n[E][B]\nq\n[E]");
	T_EQ_INT(r.begins, 2);
	T_EQ_INT(r.ends, 2);
	T_EQ_INT(rd.nmsg, 2);
	/* Not an mbox. */
	buf_reset(&r.out);
	mbox_rd_init(&rd);
	T_EQ_INT(mbox_rd_line(&rd, (const uint8_t *)"hello\n", 6, rt_fn,
	    &r), -1);
	T_CHECK(rd.err != NULL);
	buf_free(&r.out);
}

/* What the writer writes, the splitter gives back (LF messages). */
static void
test_roundtrip(void)
{
	const char	*msgs[] = { "A: 1\n\nFrom x\n>From y\n\n",
			    "B: 2\n\nno final newline", "C: 3\n\n\n\n" };
	const char	*want = "[B]A: 1\n\nFrom x\n>From y\n\n[E]"
			    "[B]B: 2\n\nno final newline\n[E][B]C: 3\n\n\n\n[E]";
	struct mbox	*mb;
	struct mbox_rd	 rd;
	struct mk_err	 e;
	struct mk_buf	 b;
	struct rt	 r;
	size_t		 i;
	int		 fd;

	fd = open(at("rt"), O_WRONLY | O_CREAT | O_TRUNC, 0600);
	mb = mbox_stream(fd, &e);
	for (i = 0; i < MK_NELEM(msgs); i++) {
		mbox_add_begin(mb, 0, &e);
		mbox_write(mb, msgs[i], strlen(msgs[i]), &e);
		mbox_add_end(mb, &e);
	}
	mbox_close(mb);
	close(fd);
	buf_init(&b, 0);
	slurp(at("rt"), &b);
	memset(&r, 0, sizeof(r));
	buf_init(&r.out, 0);
	mbox_rd_init(&rd);
	feed(&rd, buf_str(&b), &r);
	T_EQ_STR(buf_str(&r.out), want);
	buf_free(&b);
	buf_free(&r.out);
}

/* Write s (NUL-terminated) as the whole file path. */
static void
put(const char *path, const char *s)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);

	T_EQ_INT(write(fd, s, strlen(s)), strlen(s));
	close(fd);
}

/* A torn append is cut back; another program's mail is left alone. */
static void
test_recover(void)
{
	static const char	 old[] = "From a b\nold\n\n";
	struct mbox		*mb;
	struct mk_err		 e;
	struct mk_buf		 b;

	buf_init(&b, 0);
	put(at("rbox"), "From a b\nold\n\n"
	    "From MAILER-DAEMON Thu Jan  1 00:00:00 1970\nSubject: x\n\nbo");
	T_CHECK((mb = mbox_open(at("rbox"), 1, &e)) != NULL);
	if (mb == NULL)
		return;
	T_EQ_INT(mbox_size(mb), strlen(old) + 58);
	T_EQ_INT(mbox_recover(mb, (long long)strlen(old), &e), 0);
	T_EQ_INT(mbox_size(mb), strlen(old));
	/* Nothing beyond: nothing to do.  And the next append fits. */
	T_EQ_INT(mbox_recover(mb, (long long)strlen(old), &e), 0);
	T_EQ_INT(mbox_add_begin(mb, 0, &e), 0);
	T_EQ_INT(mbox_write(mb, S("new\r\n"), &e), 0);
	T_EQ_INT(mbox_add_end(mb, &e), 0);
	T_EQ_INT(mbox_commit(mb, &e), 0);
	mbox_close(mb);
	slurp(at("rbox"), &b);
	T_EQ_STR(buf_str(&b), "From a b\nold\n\n"
	    "From MAILER-DAEMON Thu Jan  1 00:00:00 1970\nnew\n\n");
	/* Torn in the middle of a line, then cut after a partial From_. */
	put(at("rbox"), "From a b\nold\n\nFrom MAILER-DAEMON Thu Jan"
	    "  1 00:00:00 1970\nx\n\nFrom MAILER-DA");
	T_CHECK((mb = mbox_open(at("rbox"), 1, &e)) != NULL);
	if (mb == NULL)
		return;
	T_EQ_INT(mbox_recover(mb, (long long)strlen(old), &e), 0);
	mbox_close(mb);
	slurp(at("rbox"), &b);
	T_EQ_STR(buf_str(&b), old);
	/* Then someone else delivered: left as it is. */
	put(at("rbox"), "From a b\nold\n\nFrom MAILER-DAEMON Thu Jan"
	    "  1 00:00:00 1970\ntorn\nFrom bob@example.org Fri\nhi\n\n");
	T_CHECK((mb = mbox_open(at("rbox"), 1, &e)) != NULL);
	if (mb == NULL)
		return;
	T_EQ_INT(mbox_recover(mb, (long long)strlen(old), &e), 1);
	mbox_close(mb);
	slurp(at("rbox"), &b);
	T_EQ_INT(b.len, strlen(old) + 78);
	buf_free(&b);
}

/* A dotlock of a process that is gone is stale at once. */
static void
test_dead_dotlock(void)
{
	struct mbox	*mb;
	struct mk_err	 e;
	char		 host[256], id[320];
	pid_t		 pid;

	T_EQ_INT(gethostname(host, sizeof(host)), 0);
	host[sizeof(host) - 1] = '\0';
	if ((pid = fork()) == 0)
		_exit(0);
	waitpid(pid, NULL, 0);
	snprintf(id, sizeof(id), "%ld %s\n", (long)pid, host);
	put(at("dbox.lock"), id);
	mb = mbox_open(at("dbox"), 1, &e);
	T_CHECK(mb != NULL);
	mbox_close(mb);
	/* A live one (ours) is honoured. */
	snprintf(id, sizeof(id), "%ld %s\n", (long)getpid(), host);
	put(at("dbox.lock"), id);
	T_CHECK(mbox_open(at("dbox"), 0, &e) == NULL);
	T_EQ_INT(e.st, MK_ETEMP);
	unlink(at("dbox.lock"));
}

int
main(void)
{
	char cmd[128];

	if (mkdtemp(tmpdir) == NULL) {
		perror("mkdtemp");
		return 1;
	}
	T_RUN(test_quote);
	T_RUN(test_from_line);
	T_RUN(test_deliver);
	T_RUN(test_locked);
	T_RUN(test_stream);
	T_RUN(test_split);
	T_RUN(test_roundtrip);
	T_RUN(test_recover);
	T_RUN(test_dead_dotlock);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	if (system(cmd) != 0)
		printf("# cannot remove %s\n", tmpdir);
	T_DONE();
}
