/*
 * test_mime.c: lib/mime.c, the streaming MIME parser.
 *
 * Each message is parsed whole and again fed in chunks of every size
 * from 1 to 13 bytes; the events, written down as a transcript, must be
 * the same every time.  Then every prefix of each message is parsed
 * (CU unit1650): none may crash or leak.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "mime.h"
#include "t.h"

/* The transcript: "[num type enc name]" then data, "<size>", "!warn". */
struct tr {
	struct mk_buf	 b;
	int		 warnings;
	int		 stop_at_end;	/* callback returns 1 at first END */
};

static int
tr_ev(void *arg, const struct mime_event *ev)
{
	struct tr *t = arg;

	switch (ev->type) {
	case MIME_EV_BEGIN:
		buf_printf(&t->b, "[%s %s %s %s%s]", ev->part->number,
		    ev->part->type, ev->part->encoding,
		    ev->part->filename ? ev->part->filename : "-",
		    ev->part->container ? " C" : "");
		break;
	case MIME_EV_DATA:
		buf_add(&t->b, ev->data, ev->len);
		break;
	case MIME_EV_END:
		buf_printf(&t->b, "<%s:%llu>", ev->part->number,
		    (unsigned long long)ev->part->size);
		if (t->stop_at_end)
			return 1;
		break;
	case MIME_EV_WARN:
		t->warnings++;
		break;
	}
	return 0;
}

/* Parse msg in chunks of step bytes (0: whole); the transcript, owned. */
static char *
parse(const char *msg, size_t len, size_t step, int *limited, int *warns)
{
	struct mime_parser	*p;
	struct tr		 t;
	size_t			 off, k;

	memset(&t, 0, sizeof(t));
	buf_init(&t.b, 0);
	buf_adds(&t.b, "");
	p = mime_parser_new(tr_ev, &t);
	T_CHECK(p != NULL);
	if (p == NULL)
		return NULL;
	for (off = 0; off < len; off += k) {
		k = step == 0 ? len : (len - off < step ? len - off : step);
		T_EQ_INT(mime_parser_feed(p, msg + off, k), 0);
	}
	T_EQ_INT(mime_parser_finish(p), 0);
	if (limited != NULL)
		*limited = mime_parser_limited(p);
	if (warns != NULL)
		*warns = t.warnings;
	mime_parser_free(p);
	return buf_take(&t.b, NULL);
}

/* msg gives want whole and in every small chunk size. */
static void
check(const char *msg, const char *want)
{
	char	*got;
	size_t	 step;

	for (step = 0; step <= 13; step++) {
		got = parse(msg, strlen(msg), step, NULL, NULL);
		if (got == NULL || strcmp(got, want) != 0) {
			printf("#   step %zu:\n#   got  %s\n#   want %s\n", step,
			    got ? got : "(null)", want);
			t_cur_failed = 1;
			free(got);
			return;
		}
		free(got);
	}
}

static void
test_single(void)
{
	check("Subject: hi\n\nhello\nworld\n",
	    "[1 text/plain 7bit -]hello\nworld\n<1:12>");
	/* No header block at all, no final line break. */
	check("just text", "[1 text/plain 7bit -]just text<1:9>");
	check("", "[1 text/plain 7bit -]<1:0>");
	/* An mbox From line before the headers is skipped. */
	check("From a@b Sat Jan  1 00:00:00 2000\nSubject: x\n\nbody\n",
	    "[1 text/plain 7bit -]body\n<1:5>");
}

static void
test_encodings(void)
{
	check("Content-Transfer-Encoding: base64\n\naGVs\nbG8=\n",
	    "[1 text/plain base64 -]hello<1:5>");
	check("Content-Transfer-Encoding: Quoted-Printable\n\n"
	    "a=3Db=\nc  \nd\n",
	    "[1 text/plain quoted-printable -]a=bc\nd\n<1:7>");
	/* Unknown: binary, as it is. */
	check("Content-Transfer-Encoding: x-uuencode\n\nbegin\n",
	    "[1 text/plain x-uuencode -]begin\n<1:6>");
}

static void
test_multipart(void)
{
	check("Content-Type: multipart/mixed; boundary=b\n\n"
	    "preamble\n--b\n\none\n--b\nContent-Type: image/png; name=x.png\n"
	    "Content-Transfer-Encoding: base64\n\naGk=\n--b--\nepilogue\n",
	    "[0 multipart/mixed 7bit - C][1 text/plain 7bit -]one<1:3>"
	    "[2 image/png base64 x.png]hi<2:2><0:103>");
	/* CR LF, and the CR LF before a boundary belongs to it. */
	check("Content-Type: multipart/mixed; boundary=\"b\"\r\n\r\n"
	    "--b\r\n\r\nline1\r\nline2\r\n\r\n--b--\r\n",
	    "[0 multipart/mixed 7bit - C][1 text/plain 7bit -]"
	    "line1\r\nline2\r\n<1:14><0:28>");
}

static void
test_nested_prefix(void)
{
	/* "b" is a prefix of "b2": lines of b2 must not end b's parts. */
	check("Content-Type: multipart/mixed; boundary=b\n\n"
	    "--b\nContent-Type: multipart/alternative; boundary=b2\n\n"
	    "--b2\n\nplain\n--b2\nContent-Type: text/html\n\n<p>\n--b2--\n"
	    "--b\nContent-Type: application/pdf\n"
	    "Content-Disposition: attachment; filename*0=\"a\"; "
	    "filename*1=\"b.pdf\"\n\n%PDF\n--b--\n",
	    "[0 multipart/mixed 7bit - C]"
	    "[1 multipart/alternative 7bit - C]"
	    "[1.1 text/plain 7bit -]plain<1.1:5>"
	    "[1.2 text/html 7bit -]<p><1.2:3><1:52>"
	    "[2 application/pdf 7bit ab.pdf]%PDF<2:4><0:220>");
}

static void
test_missing_close(void)
{
	int	 w = 0;
	char	*got;
	const char *m = "Content-Type: multipart/mixed; boundary=o\n\n"
	    "--o\nContent-Type: multipart/mixed; boundary=i\n\n"
	    "--i\n\ninner\n--o\n\nsecond\n";

	check(m, "[0 multipart/mixed 7bit - C][1 multipart/mixed 7bit - C]"
	    "[1.1 text/plain 7bit -]inner<1.1:5><1:10>"
	    "[2 text/plain 7bit -]second\n<2:7><0:70>");
	got = parse(m, strlen(m), 0, NULL, &w);
	T_CHECK(w >= 2);	/* both closing boundaries are missing */
	free(got);
}

static void
test_rfc822(void)
{
	check("Content-Type: multipart/mixed; boundary=b\n\n"
	    "--b\n\ntext\n--b\nContent-Type: message/rfc822\n\n"
	    "Subject: inner\nContent-Type: multipart/alternative; boundary=c\n"
	    "\n--c\n\nA\n--c\n\nB\n--c--\n--b\nContent-Type: message/rfc822\n\n"
	    "Subject: single\n\nS\n--b--\n",
	    "[0 multipart/mixed 7bit - C][1 text/plain 7bit -]text<1:4>"
	    "[2 message/rfc822 7bit - C][2.0 multipart/alternative 7bit - C]"
	    "[2.1 text/plain 7bit -]A<2.1:1>[2.2 text/plain 7bit -]B<2.2:1>"
	    "<2.0:19><2:83>"
	    "[3 message/rfc822 7bit - C][3.1 text/plain 7bit -]S<3.1:1>"
	    "<3:18><0:186>");
	/* A message/rfc822 top level: its message is 1.1. */
	check("Content-Type: message/rfc822\n\nSubject: x\n\nbody\n",
	    "[1 message/rfc822 7bit - C][1.1 text/plain 7bit -]body\n"
	    "<1.1:5><1:17>");
}

static void
test_digest(void)
{
	check("Content-Type: multipart/digest; boundary=d\n\n"
	    "--d\n\nSubject: one\n\nfirst\n--d\nContent-Type: text/plain\n\n"
	    "plain\n--d--\n",
	    "[0 multipart/digest 7bit - C][1 message/rfc822 7bit - C]"
	    "[1.1 text/plain 7bit -]first<1.1:5><1:19>"
	    "[2 text/plain 7bit -]plain<2:5><0:66>");
}

static void
test_broken(void)
{
	/* No blank line after the headers; duplicate Content-Type. */
	check("Content-Type: multipart/mixed; boundary=b\n\n--b\n"
	    "Content-Type: text/html\nContent-Type: image/gif\nnot a header\n"
	    "--b--\n",
	    "[0 multipart/mixed 7bit - C][1 text/html 7bit -]not a header"
	    "<1:12><0:70>");
	/* A multipart without a boundary is one part. */
	check("Content-Type: multipart/mixed\n\n--x\n",
	    "[1 multipart/mixed 7bit -]--x\n<1:4>");
	/* Bare CR is data; a boundary with trailing blanks counts. */
	check("Content-Type: multipart/mixed; boundary=b\n\n--b \n\na\rb\n"
	    "--b-- \t\n",
	    "[0 multipart/mixed 7bit - C][1 text/plain 7bit -]a\rb<1:3>"
	    "<0:17>");
	/* A boundary line that is only "--": not a boundary of anything. */
	check("Content-Type: multipart/mixed; boundary=b\n\n--b\n\n--\n-\n--b--\n",
	    "[0 multipart/mixed 7bit - C][1 text/plain 7bit -]--\n-<1:4>"
	    "<0:15>");
}

static void
test_limits(void)
{
	struct mk_buf	 m;
	char		*got;
	int		 lim = 0, i;

	buf_init(&m, 0);
	for (i = 0; i < 70; i++)
		buf_printf(&m, "Content-Type: multipart/mixed; boundary=b%d\n\n"
		    "--b%d\n", i, i);
	buf_adds(&m, "\ndeep\n");
	got = parse((char *)m.p, m.len, 0, &lim, NULL);
	T_EQ_INT(lim, MIME_LIM_DEPTH);
	free(got);
	buf_reset(&m);
	buf_adds(&m, "Content-Type: multipart/mixed; boundary=b\n\n");
	for (i = 0; i < MIME_MAXPARTS + 5; i++)
		buf_adds(&m, "--b\n\nx\n");
	got = parse((char *)m.p, m.len, 0, &lim, NULL);
	T_EQ_INT(lim, MIME_LIM_PARTS);
	free(got);
	buf_free(&m);
}

/* The callback can stop the parser; the value comes back. */
static void
test_stop(void)
{
	struct mime_parser	*p;
	struct tr		 t;
	const char		*m = "Content-Type: multipart/mixed; boundary=b\n"
	    "\n--b\n\none\n--b\n\ntwo\n--b--\n";

	memset(&t, 0, sizeof(t));
	buf_init(&t.b, 0);
	t.stop_at_end = 1;
	p = mime_parser_new(tr_ev, &t);
	T_EQ_INT(mime_parser_feed(p, m, strlen(m)), 1);
	T_EQ_INT(mime_parser_finish(p), 1);
	T_EQ_STR(buf_str(&t.b), "[0 multipart/mixed 7bit - C]"
	    "[1 text/plain 7bit -]one<1:3>");
	mime_parser_free(p);
	buf_free(&t.b);
}

static void
test_prefixes(void)
{
	const char *m = "Content-Type: multipart/mixed; boundary=b\r\n\r\n"
	    "--b\r\nContent-Type: message/rfc822\r\n\r\n"
	    "Content-Type: multipart/alternative; boundary=c\r\n\r\n--c\r\n"
	    "Content-Transfer-Encoding: base64\r\n\r\naGVsbG8=\r\n--c\r\n"
	    "Content-Transfer-Encoding: quoted-printable\r\n\r\na=\r\nb=4\r\n"
	    "--c--\r\n--b--\r\n";
	size_t	 n;
	char	*got;

	for (n = 0; n <= strlen(m); n++) {
		got = parse(m, n, 0, NULL, NULL);
		T_CHECK(got != NULL);
		free(got);
		got = parse(m + n, strlen(m) - n, 3, NULL, NULL);
		T_CHECK(got != NULL);
		free(got);
	}
}

static void
test_names(void)
{
	char	out[MIME_NAMEMAX + 1], big[1000];
	size_t	n;

	T_EQ_INT(mime_name_sanitize("../../etc/passwd", 16, out), 6);
	T_EQ_STR(out, "passwd");
	T_EQ_INT(mime_name_sanitize("/abs", 4, out), 3);
	T_EQ_STR(out, "abs");
	T_EQ_INT(mime_name_sanitize("..", 2, out), 0);
	T_EQ_INT(mime_name_sanitize("dir/", 4, out), 0);
	T_EQ_INT(mime_name_sanitize("C:\\x\\evil.exe", 13, out), 8);
	T_EQ_STR(out, "evil.exe");
	T_EQ_INT(mime_name_sanitize(".bashrc", 7, out), 6);
	T_EQ_STR(out, "bashrc");
	T_EQ_INT(mime_name_sanitize("-rf", 3, out), 2);
	T_EQ_STR(out, "rf");
	T_EQ_INT(mime_name_sanitize("a\nb\x1b[0m\0c", 9, out), 9);
	T_EQ_STR(out, "a_b_[0m_c");
	T_EQ_INT(mime_name_sanitize("x\xc2\x9by", 4, out), 3);
	T_EQ_STR(out, "x_y");
	memset(big, 'a', sizeof(big));
	memcpy(big + sizeof(big) - 4, ".pdf", 4);
	n = mime_name_sanitize(big, sizeof(big), out);
	T_EQ_INT(n, MIME_NAMEMAX);
	T_CHECK(strcmp(out + n - 4, ".pdf") == 0);
	/* A cut never splits a UTF-8 character. */
	for (n = 0; n + 2 <= sizeof(big); n += 2)
		memcpy(big + n, "\xc3\xa9", 2);
	n = mime_name_sanitize(big, sizeof(big), out);
	T_CHECK(n <= MIME_NAMEMAX && n % 2 == 0);
}

int
main(void)
{
	T_RUN(test_single);
	T_RUN(test_encodings);
	T_RUN(test_multipart);
	T_RUN(test_nested_prefix);
	T_RUN(test_missing_close);
	T_RUN(test_rfc822);
	T_RUN(test_digest);
	T_RUN(test_broken);
	T_RUN(test_limits);
	T_RUN(test_stop);
	T_RUN(test_prefixes);
	T_RUN(test_names);
	T_DONE();
}
