/*
 * test_conn.c: the session layer over a connect-only libcurl handle,
 * against a scripted SMTP peer forked on 127.0.0.1 (plain TCP; TLS is
 * covered by the bats suites against the real servers).
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "conn.h"
#include "t.h"

struct step {
	const char	*expect;	/* client line prefix */
	const char	*reply;		/* NULL: close; "" : say nothing */
	int		 big;		/* 1: reply with a 2 MB line first;
					   2: reply 0.6 s late */
};

static pid_t	peer_pid;

static int
read_line(int fd, char *s, size_t sz)
{
	size_t	n = 0;
	char	c;

	while (read(fd, &c, 1) == 1) {
		if (c == '\n') {
			s[n > 0 && s[n - 1] == '\r' ? n - 1 : n] = '\0';
			return 0;
		}
		if (n < sz - 1)
			s[n++] = c;
	}
	return -1;
}

static void
put(int fd, const char *s, size_t n)
{
	if (write(fd, s, n) < 0)
		_exit(3);
}

/* Serve one connection from the script; exit 0 if it all matched. */
static void
child(int lfd, const struct step *st)
{
	char	line[4096], *big;
	int	fd;

	alarm(20);
	if ((fd = accept(lfd, NULL, NULL)) == -1)
		_exit(2);
	put(fd, "220 peer ready\r\n", 16);
	for (; st->expect != NULL; st++) {
		if (read_line(fd, line, sizeof(line)) == -1)
			_exit(4);
		if (strncasecmp(line, st->expect, strlen(st->expect)) != 0) {
			fprintf(stderr, "# peer: got \"%s\", expected \"%s\"\n",
			    line, st->expect);
			_exit(1);
		}
		if (st->big == 2)
			usleep(600000);
		if (st->big == 1) {
			big = malloc(2 * 1024 * 1024);
			memset(big, 'x', 2 * 1024 * 1024);
			put(fd, big, 2 * 1024 * 1024);
		}
		if (st->reply == NULL)
			_exit(0);
		put(fd, st->reply, strlen(st->reply));
	}
	(void)read_line(fd, line, sizeof(line));
	_exit(0);
}

static int
peer(const struct step *st)
{
	struct sockaddr_in	sin;
	socklen_t		sl = sizeof(sin);
	int			lfd;

	lfd = socket(AF_INET, SOCK_STREAM, 0);
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (lfd == -1 || bind(lfd, (struct sockaddr *)&sin, sizeof(sin)) ||
	    listen(lfd, 1) || getsockname(lfd, (struct sockaddr *)&sin, &sl))
		return -1;
	fflush(stdout);
	if ((peer_pid = fork()) == 0)
		child(lfd, st);
	close(lfd);
	return ntohs(sin.sin_port);
}

/* The peer's verdict; a peer still waiting after 2 s is killed. */
static int
peer_wait(void)
{
	int	status, i;
	pid_t	r = 0;

	for (i = 0; i < 200 && (r = waitpid(peer_pid, &status, WNOHANG)) == 0;
	    i++)
		usleep(10000);
	if (r == 0) {
		kill(peer_pid, SIGTERM);
		r = waitpid(peer_pid, &status, 0);
	}
	if (r == -1)
		return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128;
}

static struct conn *
open_to(int port, FILE *trace, long timeout, struct mk_err *e)
{
	struct mcurl_params	p;
	char			url[64];

	snprintf(url, sizeof(url), "smtp://127.0.0.1:%d/client.test", port);
	memset(&p, 0, sizeof(p));
	p.url = url;
	p.tls = MCURL_TLS_OFF;
	p.timeout_s = timeout;
	p.trace = trace;
	return conn_open(&p, e);
}

static int
sink_buf(void *arg, const void *p, size_t n, struct mk_err *e)
{
	(void)e;
	return buf_add(arg, p, n);
}

static void
session(void)
{
	static const struct step st[] = {
		{ "EHLO client.test", "250-peer\r\n250 8BITMIME\r\n", 0 },
		{ "NOOP", "250 ok\r\n", 0 },
		{ "LIT", "* 11\r\nhello world then\r\n", 0 },
		{ "QUIT", "221 bye\r\n", 0 },
		{ NULL, NULL, 0 }
	};
	struct conn	*c;
	struct mk_err	 e;
	struct mk_buf	 b;
	const char	*l, *heard;
	size_t		 n;
	int		 port = peer(st);

	buf_init(&b, 0);
	T_CHECK(port > 0);
	if ((c = open_to(port, NULL, 5, &e)) == NULL) {
		printf("# %s\n", e.msg);
		T_CHECK(c != NULL);
		peer_wait();
		return;
	}
	heard = conn_heard(c, &n);
	T_CHECK(strstr(heard, "220 peer ready\r\n") != NULL);
	T_CHECK(strstr(heard, "250 8BITMIME") != NULL);
	T_EQ_INT(conn_cmd(c, &e, "NOOP"), 0);
	T_EQ_INT(conn_line(c, 0, &l, &n, &e), 0);
	T_EQ_MEM(l, n, "250 ok", 6);
	/* Injection: refused, and nothing reaches the peer. */
	T_EQ_INT(conn_cmd(c, &e, "RCPT TO:<%s>", "a>\r\nDATA"), -1);
	T_EQ_INT(e.st, MK_EUSAGE);
	T_EQ_INT(conn_cmd(c, &e, "LIT"), 0);
	T_EQ_INT(conn_line(c, 0, &l, &n, &e), 0);
	T_EQ_MEM(l, n, "* 11", 4);
	T_EQ_INT(conn_read(c, 11, sink_buf, &b, &e), 0);
	T_EQ_MEM(b.p, b.len, "hello world", 11);
	T_EQ_INT(conn_line(c, 0, &l, &n, &e), 0);
	T_EQ_MEM(l, n, " then", 5);
	T_EQ_INT(conn_wait(c, 50, &e), 0);
	T_EQ_INT(conn_cmd(c, &e, "QUIT"), 0);
	T_EQ_INT(conn_wait(c, 5000, &e), 1);
	T_EQ_INT(conn_line(c, 0, &l, &n, &e), 0);
	T_EQ_MEM(l, n, "221 bye", 7);
	conn_close(c);
	T_EQ_INT(peer_wait(), 0);
	buf_free(&b);
}

static void
faults(void)
{
	static const struct step longline[] = {
		{ "EHLO", "250 peer\r\n", 0 },
		{ "NOOP", "\r\n", 1 },
		{ NULL, NULL, 0 }
	};
	static const struct step stall[] = {
		{ "EHLO", "250 peer\r\n", 0 },
		{ "NOOP", "", 0 },
		{ NULL, NULL, 0 }
	};
	static const struct step drop[] = {
		{ "EHLO", "250 peer\r\n", 0 },
		{ "NOOP", NULL, 0 },
		{ NULL, NULL, 0 }
	};
	struct conn	*c;
	struct mk_err	 e;
	const char	*l;
	size_t		 n;

	c = open_to(peer(longline), NULL, 5, &e);
	T_CHECK(c != NULL);
	if (c != NULL) {
		T_EQ_INT(conn_cmd(c, &e, "NOOP"), 0);
		T_EQ_INT(conn_line(c, 0, &l, &n, &e), -1);
		T_EQ_INT(e.st, MK_EPROTO);
		conn_close(c);
	}
	peer_wait();

	c = open_to(peer(stall), NULL, 1, &e);
	T_CHECK(c != NULL);
	if (c != NULL) {
		T_EQ_INT(conn_cmd(c, &e, "NOOP"), 0);
		T_EQ_INT(conn_line(c, 0, &l, &n, &e), -1);
		T_EQ_INT(e.st, MK_ETEMP);
		T_CHECK(strstr(e.msg, "timed out") != NULL);
		conn_close(c);
	}
	peer_wait();

	c = open_to(peer(drop), NULL, 5, &e);
	T_CHECK(c != NULL);
	if (c != NULL) {
		T_EQ_INT(conn_cmd(c, &e, "NOOP"), 0);
		T_EQ_INT(conn_line(c, 0, &l, &n, &e), -1);
		T_EQ_INT(e.st, MK_ETEMP);
		conn_close(c);
	}
	peer_wait();
}

/*
 * --timeout bounds the session, not each wait: replies 0.6 s late each
 * are fine alone, but the second one is past a 1 s deadline; after
 * conn_renew() there is a full second again.
 */
static void
deadline(void)
{
	static const struct step st[] = {
		{ "EHLO", "250 peer\r\n", 0 },
		{ "NOOP", "250 one\r\n", 2 },
		{ "NOOP", "250 two\r\n", 2 },
		{ NULL, NULL, 0 }
	};
	static const struct step st2[] = {
		{ "EHLO", "250 peer\r\n", 0 },
		{ "NOOP", "250 one\r\n", 2 },
		{ "NOOP", "250 two\r\n", 2 },
		{ NULL, NULL, 0 }
	};
	struct conn	*c;
	struct mk_err	 e;
	const char	*l;
	size_t		 n;

	c = open_to(peer(st), NULL, 1, &e);
	T_CHECK(c != NULL);
	if (c != NULL) {
		T_EQ_INT(conn_cmd(c, &e, "NOOP"), 0);
		T_EQ_INT(conn_line(c, 0, &l, &n, &e), 0);
		T_EQ_INT(conn_cmd(c, &e, "NOOP"), 0);
		T_EQ_INT(conn_line(c, 0, &l, &n, &e), -1);
		T_EQ_INT(e.st, MK_ETEMP);
		T_CHECK(strstr(e.msg, "1 s timeout") != NULL);
		conn_close(c);
	}
	peer_wait();

	c = open_to(peer(st2), NULL, 1, &e);
	T_CHECK(c != NULL);
	if (c != NULL) {
		T_EQ_INT(conn_cmd(c, &e, "NOOP"), 0);
		T_EQ_INT(conn_line(c, 0, &l, &n, &e), 0);
		conn_renew(c);
		T_EQ_INT(conn_cmd(c, &e, "NOOP"), 0);
		T_EQ_INT(conn_line(c, 0, &l, &n, &e), 0);
		T_EQ_MEM(l, n, "250 two", 7);
		conn_close(c);
	}
	peer_wait();
}

static void
traced(void)
{
	static const struct step st[] = {
		{ "EHLO", "250 peer\r\n", 0 },
		{ "AUTH PLAIN", "235 ok\r\n", 0 },
		{ "MAIL FROM:<a@b>", "250 ok\r\n", 0 },
		{ NULL, NULL, 0 }
	};
	struct conn	*c;
	struct mk_err	 e;
	const char	*l;
	char		*text = NULL;
	size_t		 n, tlen = 0;
	FILE		*fp = open_memstream(&text, &tlen);

	c = open_to(peer(st), fp, 5, &e);
	T_CHECK(c != NULL);
	if (c != NULL) {
		T_EQ_INT(conn_cmd(c, &e, "AUTH PLAIN %s", "c2VjcmV0"), 0);
		T_EQ_INT(conn_line(c, 0, &l, &n, &e), 0);
		/* Queued: lines shown, data counted, one write. */
		T_EQ_INT(conn_queue_lines(c, "MAIL FROM:<a@b>\r\n", 17, &e),
		    0);
		T_EQ_INT(conn_queue_data(c, "x.\r\n", 4, &e), 0);
		T_EQ_INT(conn_queued(c), 21);
		T_EQ_INT(conn_flush(c, &e), 0);
		T_EQ_INT(conn_queued(c), 0);
		T_EQ_INT(conn_line(c, 0, &l, &n, &e), 0);
		conn_close(c);
	}
	peer_wait();
	fclose(fp);
	T_CHECK(strstr(text, "S: 220 peer ready\n") != NULL);
	T_CHECK(strstr(text, "C: AUTH PLAIN ****\n") != NULL);
	T_CHECK(strstr(text, "c2VjcmV0") == NULL);
	T_CHECK(strstr(text, "C: MAIL FROM:<a@b>\n") != NULL);
	T_CHECK(strstr(text, "C: <4 bytes of data>\n") != NULL);
	T_CHECK(strstr(text, "S: 250 ok\n") != NULL);
	free(text);
}

int
main(void)
{
	signal(SIGPIPE, SIG_IGN);
	T_RUN(session);
	T_RUN(faults);
	T_RUN(deadline);
	T_RUN(traced);
	T_DONE();
}
