/*
 * conn.c: speaking a mail protocol over a connection libcurl opened.
 */
#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "buf.h"
#include "conn.h"

struct conn {
	struct mcurl	*m;		/* owned */
	CURL		*easy;		/* borrowed from m */
	curl_socket_t	 fd;
	long		 wait_ms;	/* bound on one wait */
	long		 session_ms;	/* --timeout for the session, 0: none */
	long long	 deadline;	/* monotonic ms, 0: none */
	struct mk_buf	 in;		/* received, not yet handed out */
	size_t		 off;		/* start of unread bytes in in */
	size_t		 used;		/* bytes of the last line handed out */
	struct mk_buf	 out;		/* one formatted command */
	struct mk_buf	 q;		/* queued for conn_flush() */
};

static long long now_ms(void);

static int	wait_fd(struct conn *, short, struct mk_err *);
static int	recv_once(struct conn *, struct mk_err *);
static int	fill(struct conn *, struct mk_err *);
static int	send_all(struct conn *, const void *, size_t,
		    struct mk_err *);

struct conn *
conn_open(const struct mcurl_params *p, struct mk_err *e)
{
	struct mcurl_params	 q = *p;
	struct conn		*c;
	CURLcode		 rc;

	q.connect_only = 1;
	if ((c = calloc(1, sizeof(*c))) == NULL) {
		mk_seterr(e, MK_ESOFTWARE, "out of memory");
		return NULL;
	}
	buf_init(&c->in, 0);
	buf_init(&c->out, CONN_LINEMAX);
	buf_init(&c->q, 0);
	conn_set_timeout(c, p->timeout_s);
	if (p->timeout_s > 0) {
		/*
		 * Promise 5 of mkit(7): a --timeout bounds the whole session,
		 * so a server that trickles a byte now and then cannot keep
		 * us.  libcurl's part (connect, greeting, EHLO/CAPA,
		 * STARTTLS, login) counts against it too: CURLOPT_TIMEOUT.
		 */
		c->session_ms = c->wait_ms;
		conn_renew(c);
	}
	if ((c->m = mcurl_new(&q, e)) == NULL)
		goto fail;
	c->easy = mcurl_easy(c->m);
	if (c->session_ms > 0 && (rc = curl_easy_setopt(c->easy,
	    CURLOPT_TIMEOUT_MS, c->session_ms)) != CURLE_OK) {
		mcurl_seterr(c->m, rc, e);
		goto fail;
	}
	if (mcurl_perform(c->m, e) == -1)
		goto fail;
	rc = curl_easy_getinfo(c->easy, CURLINFO_ACTIVESOCKET, &c->fd);
	if (rc != CURLE_OK || c->fd == CURL_SOCKET_BAD) {
		mk_seterr(e, MK_ESOFTWARE, "libcurl gave no socket");
		goto fail;
	}
	return c;
fail:
	conn_close(c);
	return NULL;
}

void
conn_close(struct conn *c)
{
	if (c == NULL)
		return;
	mcurl_free(c->m);
	buf_free(&c->in);
	buf_free(&c->out);
	buf_free(&c->q);
	free(c);
}

const char *
conn_heard(struct conn *c, size_t *len)
{
	return mcurl_heard(c->m, len);
}

static long long
now_ms(void)
{
	struct timespec ts;

	(void)clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void
conn_set_timeout(struct conn *c, long secs)
{
	long long end;

	if (secs <= 0)
		secs = MCURL_TIMEOUT;
	c->wait_ms = (secs > 86400 ? 86400 : secs) * 1000;
	/* A shorter bound (LOGOUT) never lengthens the session's. */
	end = now_ms() + c->wait_ms;
	if (c->deadline != 0 && end < c->deadline)
		c->deadline = end;
}

void
conn_renew(struct conn *c)
{
	if (c->session_ms > 0)
		c->deadline = now_ms() + c->session_ms;
}

/*
 * Wait until the socket is ready for ev, within the wait bound and what
 * is left of the session's deadline.
 */
static int
wait_fd(struct conn *c, short ev, struct mk_err *e)
{
	struct pollfd	pfd;
	long long	left;
	int		n;

	pfd.fd = c->fd;
	pfd.events = ev;
	do {
		left = c->wait_ms;
		if (c->deadline != 0 && c->deadline - now_ms() < left)
			left = c->deadline - now_ms();
		if (left <= 0) {
			n = 0;
			break;
		}
		n = poll(&pfd, 1, (int)left);
	} while (n == -1 && errno == EINTR);
	if (n == -1)
		return mk_seterrno(e, MK_EIO, errno, "poll");
	if (n == 0)
		return mk_seterr(e, MK_ETEMP, "timed out: the server took "
		    "longer than the %ld s timeout", (c->session_ms > 0 ?
		    c->session_ms : c->wait_ms) / 1000);
	return 0;
}

/*
 * One non-blocking read: 1 bytes added, 0 nothing there yet, -1 error.
 * Decrypted bytes can wait inside libcurl (TLS), so this is asked
 * before poll() is.
 */
static int
recv_once(struct conn *c, struct mk_err *e)
{
	char		tmp[16384];
	size_t		n = 0;
	CURLcode	rc;

	rc = curl_easy_recv(c->easy, tmp, sizeof(tmp), &n);
	if (rc == CURLE_AGAIN)
		return 0;
	if (rc != CURLE_OK)
		return mcurl_seterr(c->m, rc, e);
	if (n == 0)
		return mk_seterr(e, MK_ETEMP, "the server closed the connection");
	if (c->off > 0) {
		buf_consume(&c->in, c->off);
		c->off = 0;
	}
	if (buf_add(&c->in, tmp, n) == -1)
		return mk_seterr(e, MK_ESOFTWARE, "out of memory");
	return 1;
}

/* Read at least one more byte, waiting up to the timeout. */
static int
fill(struct conn *c, struct mk_err *e)
{
	int rc;

	while ((rc = recv_once(c, e)) == 0)
		if (wait_fd(c, POLLIN, e) == -1)
			return -1;
	return rc == 1 ? 0 : -1;
}

static int
send_all(struct conn *c, const void *p, size_t n, struct mk_err *e)
{
	const char	*s = p;
	size_t		 sent;
	CURLcode	 rc;

	while (n > 0) {
		sent = 0;
		rc = curl_easy_send(c->easy, s, n, &sent);
		if (rc == CURLE_AGAIN) {
			if (wait_fd(c, POLLOUT, e) == -1)
				return -1;
			continue;
		}
		if (rc != CURLE_OK)
			return mcurl_seterr(c->m, rc, e);
		s += sent;
		n -= sent;
	}
	return 0;
}

int
conn_cmd(struct conn *c, struct mk_err *e, const char *fmt, ...)
{
	struct trace_state	*ts = mcurl_trace(c->m);
	va_list			 ap;
	int			 n;

	buf_reset(&c->out);
	va_start(ap, fmt);
	n = buf_vprintf(&c->out, fmt, ap);
	va_end(ap);
	if (n == -1)
		return mk_seterr(e, c->out.toobig ? MK_EUSAGE : MK_ESOFTWARE,
		    c->out.toobig ? "command too long" : "out of memory");
	if (mk_has_ctl_line((const char *)c->out.p, c->out.len))
		return mk_seterr(e, MK_EUSAGE,
		    "CR, LF or NUL in a protocol command");
	if (ts != NULL)
		(void)trace_line(ts, TRACE_C, c->out.p, c->out.len);
	if (buf_add(&c->out, "\r\n", 2) == -1)
		return mk_seterr(e, MK_ESOFTWARE, "out of memory");
	return send_all(c, c->out.p, c->out.len, e);
}

int
conn_send(struct conn *c, const void *p, size_t n, struct mk_err *e)
{
	struct trace_state *ts = mcurl_trace(c->m);

	if (ts != NULL)
		trace_data(ts, TRACE_C, n);
	return send_all(c, p, n, e);
}

int
conn_send_lines(struct conn *c, const void *p, size_t n, struct mk_err *e)
{
	struct trace_state *ts = mcurl_trace(c->m);

	if (ts != NULL)
		(void)trace_feed(ts, TRACE_C, p, n);
	return send_all(c, p, n, e);
}

/* Queue p[0..n) as part of the next write; 0 or -1 (out of memory). */
static int
queue(struct conn *c, const void *p, size_t n, struct mk_err *e)
{
	if (buf_add(&c->q, p, n) == -1)
		return mk_seterr(e, MK_ESOFTWARE, "out of memory");
	return 0;
}

int
conn_queue_lines(struct conn *c, const void *p, size_t n, struct mk_err *e)
{
	struct trace_state *ts = mcurl_trace(c->m);

	if (ts != NULL)
		(void)trace_feed(ts, TRACE_C, p, n);
	return queue(c, p, n, e);
}

int
conn_queue_data(struct conn *c, const void *p, size_t n, struct mk_err *e)
{
	struct trace_state *ts = mcurl_trace(c->m);

	if (ts != NULL)
		trace_data(ts, TRACE_C, n);
	return queue(c, p, n, e);
}

size_t
conn_queued(const struct conn *c)
{
	return c->q.len;
}

int
conn_flush(struct conn *c, struct mk_err *e)
{
	int rc;

	rc = send_all(c, c->q.p, c->q.len, e);
	buf_reset(&c->q);
	return rc;
}

int
conn_line(struct conn *c, int data, const char **line, size_t *len,
    struct mk_err *e)
{
	struct trace_state	*ts = mcurl_trace(c->m);
	const char		*base, *nl;
	const void		*shown;
	size_t			 avail, scan = 0, n, shownlen;

	c->off += c->used;
	c->used = 0;
	for (;;) {
		base = (const char *)c->in.p + c->off;
		avail = c->in.len - c->off;
		nl = avail > scan ? memchr(base + scan, '\n', avail - scan) :
		    NULL;
		if (nl != NULL)
			break;
		if (avail > CONN_LINEMAX)
			return mk_seterr(e, MK_EPROTO, "server line longer "
			    "than %d bytes", CONN_LINEMAX);
		scan = avail;
		if (fill(c, e) == -1)
			return -1;
	}
	n = (size_t)(nl - base);
	c->used = n + 1;
	if (n > 0 && base[n - 1] == '\r')
		n--;
	if (ts != NULL) {
		if (data) {
			trace_data(ts, TRACE_S, c->used);
		} else {
			/* A server echoing the password: shown without it. */
			shown = mcurl_scrub(c->m, base, n, &shownlen);
			(void)trace_line(ts, TRACE_S, shown, shownlen);
		}
	}
	*line = base;
	*len = n;
	return 0;
}

int
conn_read(struct conn *c, size_t n,
    int (*sink)(void *, const void *, size_t, struct mk_err *), void *arg,
    struct mk_err *e)
{
	struct trace_state	*ts = mcurl_trace(c->m);
	size_t			 avail, take;

	c->off += c->used;
	c->used = 0;
	if (ts != NULL)
		trace_data(ts, TRACE_S, n);
	while (n > 0) {
		avail = c->in.len - c->off;
		if (avail == 0) {
			if (fill(c, e) == -1)
				return -1;
			continue;
		}
		take = avail < n ? avail : n;
		if (sink(arg, c->in.p + c->off, take, e) == -1)
			return -1;
		c->off += take;
		n -= take;
	}
	return 0;
}

int
conn_wait(struct conn *c, int ms, struct mk_err *e)
{
	struct pollfd	pfd;
	int		n;

	conn_renew(c);
	if (c->in.len - c->off > c->used)
		return 1;
	if ((n = recv_once(c, e)) != 0)
		return n;
	pfd.fd = c->fd;
	pfd.events = POLLIN;
	do
		n = poll(&pfd, 1, ms);
	while (n == -1 && errno == EINTR);
	/* Waiting for news is no wait for a reply: the clock restarts. */
	conn_renew(c);
	if (n == -1)
		return mk_seterrno(e, MK_EIO, errno, "poll");
	return n > 0;
}
