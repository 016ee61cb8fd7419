/* test_buf.c: buffers and the line reader, with hostile input. */
#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "buf.h"
#include "t.h"

static void
buf_basic(void)
{
	struct mk_buf	b;
	char		*p;
	size_t		 n;

	buf_init(&b, 0);
	T_EQ_STR(buf_str(&b), "");
	T_EQ_INT(buf_adds(&b, "hello"), 0);
	T_EQ_INT(buf_addc(&b, ' '), 0);
	T_EQ_INT(buf_printf(&b, "%d-%s", 42, "x"), 0);
	T_EQ_STR(buf_str(&b), "hello 42-x");
	buf_consume(&b, 6);
	T_EQ_STR(buf_str(&b), "42-x");
	T_EQ_INT(b.len, 4);
	p = buf_take(&b, &n);
	T_EQ_STR(p, "42-x");
	T_EQ_INT(n, 4);
	T_CHECK(b.p == NULL && b.len == 0);
	free(p);
	buf_free(&b);
}

static void
buf_cap(void)
{
	struct mk_buf b;

	buf_init(&b, 8);
	T_EQ_INT(buf_adds(&b, "12345678"), 0);
	T_EQ_INT(buf_addc(&b, '9'), -1);
	T_CHECK(b.toobig);
	T_EQ_STR(buf_str(&b), "12345678");
	buf_reset(&b);
	T_EQ_INT(buf_printf(&b, "%s", "123456789"), -1);
	T_EQ_INT(b.len, 0);
	buf_free(&b);
}

static void
buf_binary(void)
{
	struct mk_buf b;

	buf_init(&b, 0);
	T_EQ_INT(buf_add(&b, "a\0b", 3), 0);
	T_EQ_INT(b.len, 3);
	T_EQ_MEM(b.p, b.len, "a\0b", 3);
	T_CHECK(b.p[3] == '\0');
	buf_free(&b);
}

/* Collect all lines of mem as "text|flags;" for comparison. */
static void
lines_of(const char *mem, size_t len, size_t maxline, struct mk_buf *out,
    int *rc)
{
	struct mk_lr	 lr;
	struct mk_err	 e;
	const uint8_t	*l;
	size_t		 n;
	int		 f;

	lr_init_mem(&lr, mem, len, maxline);
	while ((*rc = lr_next(&lr, &l, &n, &f, &e)) == 1) {
		buf_add(out, l, n);
		buf_printf(out, "|%d;", f);
	}
	lr_free(&lr);
}

static void
lr_endings(void)
{
	struct mk_buf	b;
	int		rc;
	const char	in[] = "one\r\ntwo\nthree\r\r\n\nlast";

	buf_init(&b, 0);
	lines_of(in, sizeof(in) - 1, 0, &b, &rc);
	T_EQ_INT(rc, 0);
	/* "three\r\r\n": only the CR before LF belongs to the ending. */
	T_EQ_MEM(b.p, b.len, "one|1;two|2;three\r|1;|2;last|4;", 31);
	buf_free(&b);
}

static void
lr_nul(void)
{
	struct mk_buf	b;
	int		rc;
	const char	in[] = "a\0b\nc\n";

	buf_init(&b, 0);
	lines_of(in, sizeof(in) - 1, 0, &b, &rc);
	T_EQ_INT(rc, 0);
	T_EQ_MEM(b.p, b.len, "a\0b|10;c|2;", 11);
	buf_free(&b);
}

static void
lr_long(void)
{
	struct mk_buf	 b, in;
	struct mk_lr	 lr;
	struct mk_err	 e;
	const uint8_t	*l;
	size_t		 n, i;
	int		 f, rc;

	/* A 5 MB line comes back whole when there is no cap. */
	buf_init(&in, 0);
	for (i = 0; i < 5u * 1024 * 1024; i++)
		buf_addc(&in, 'a' + (int)(i % 26));
	buf_adds(&in, "\nend\n");
	lr_init_mem(&lr, in.p, in.len, 0);
	T_EQ_INT(lr_next(&lr, &l, &n, &f, &e), 1);
	T_EQ_INT(n, 5u * 1024 * 1024);
	T_CHECK(l[n - 1] == 'a' + (int)((n - 1) % 26));
	T_EQ_INT(lr_next(&lr, &l, &n, &f, &e), 1);
	T_EQ_MEM(l, n, "end", 3);
	T_EQ_INT(lr_next(&lr, &l, &n, &f, &e), 0);
	lr_free(&lr);

	/* With a cap it is an error, never a cut line. */
	lr_init_mem(&lr, in.p, in.len, 1000);
	rc = lr_next(&lr, &l, &n, &f, &e);
	T_EQ_INT(rc, -1);
	T_EQ_INT(e.st, MK_EDATA);
	T_CHECK(strstr(e.msg, "line too long") != NULL);
	lr_free(&lr);

	/* A line of exactly the cap passes, CRLF not counted. */
	buf_init(&b, 0);
	for (i = 0; i < 10; i++)
		buf_addc(&b, 'x');
	buf_adds(&b, "\r\nxxxxxxxxxxx");
	lines_of((char *)b.p, b.len, 10, &in, &rc);
	T_EQ_INT(rc, -1);
	buf_free(&b);
	buf_free(&in);
}

static void
lr_fd(void)
{
	struct mk_lr	 lr;
	struct mk_err	 e;
	const uint8_t	*l;
	size_t		 n, total = 0, count = 0;
	int		 f, fds[2];
	pid_t		 pid;

	T_EQ_INT(pipe(fds), 0);
	if ((pid = fork()) == 0) {
		/* Many short writes: lines cross every read boundary. */
		int i;

		close(fds[0]);
		for (i = 0; i < 20000; i++)
			if (write(fds[1], "line of text\r\n", 14) != 14)
				_exit(1);
		_exit(0);
	}
	close(fds[1]);
	lr_init(&lr, fds[0], 100);
	while (lr_next(&lr, &l, &n, &f, &e) == 1) {
		T_CHECK(n == 12 && f == LR_CRLF);
		total += n;
		count++;
	}
	T_EQ_INT(count, 20000);
	T_EQ_INT(total, 20000 * 12);
	lr_free(&lr);
	close(fds[0]);
	waitpid(pid, NULL, 0);
}

static void
lr_badfd(void)
{
	struct mk_lr	 lr;
	struct mk_err	 e;
	const uint8_t	*l;
	size_t		 n;
	int		 f;

	lr_init(&lr, 987, 0);
	T_EQ_INT(lr_next(&lr, &l, &n, &f, &e), -1);
	T_EQ_INT(e.st, MK_EIO);
	lr_free(&lr);
}

int
main(void)
{
	T_RUN(buf_basic);
	T_RUN(buf_cap);
	T_RUN(buf_binary);
	T_RUN(lr_endings);
	T_RUN(lr_nul);
	T_RUN(lr_long);
	T_RUN(lr_fd);
	T_RUN(lr_badfd);
	T_DONE();
}
