/*
 * conn.h: a mail session that libcurl opened and we speak.
 *
 * libcurl owns the connection, TLS, certificate checks and SASL
 * (CURLOPT_CONNECT_ONLY stops after the login); conn_ then carries the
 * protocol itself with curl_easy_send/recv, so that msend can read each
 * RCPT reply, mpop can pipeline and read the QUIT reply, and mimap can
 * send literals of any size and IDLE.  See shared libcurl notes.
 *
 * Every command and reply line goes through the trace (redacted there);
 * message data is only counted.  All server bytes are untrusted.
 */
#ifndef CONN_H
#define CONN_H

#include <stddef.h>

#include "mcurl.h"
#include "mk.h"

#define CONN_LINEMAX	(1024 * 1024)	/* a longer server line: MK_EPROTO */

struct conn;

/*
 * Connect, run greeting, capabilities, STARTTLS and login as p says
 * (p->connect_only is forced on).  Errors: those of mcurl_new() and
 * mcurl_perform().  The params' strings need only live through the call.
 */
struct conn	*conn_open(const struct mcurl_params *p, struct mk_err *e);

/* Close the connection (nothing more is said) and free c.  NULL is ok. */
void		 conn_close(struct conn *c);

/* The lines the server sent during conn_open() (see mcurl_heard()). */
const char	*conn_heard(struct conn *c, size_t *len);

/*
 * Deadlines.  With p->timeout_s set, conn_open() starts a deadline for
 * the whole session (issue 9, promise 5: a server that trickles bytes
 * cannot keep us past it): libcurl's part runs under CURLOPT_TIMEOUT,
 * and every later wait gets only what is left; then MK_ETEMP.  Without
 * it each wait is bounded by MCURL_TIMEOUT alone.
 *
 * conn_set_timeout(): each wait from now on at most secs (0:
 * MCURL_TIMEOUT); never lengthens the session's deadline (a short
 * LOGOUT after a failure).  conn_renew(): the session's deadline starts
 * again from now, for callers whose session is a series of operations
 * each bounded on its own (msend --mbox: one per message); conn_wait()
 * does it too, as waiting for news is no wait for a reply.
 */
void		 conn_set_timeout(struct conn *c, long secs);
void		 conn_renew(struct conn *c);

/*
 * Send one command: fmt's result plus CRLF, traced as a C: line.  A
 * result holding CR, LF or NUL is refused (MK_EUSAGE) and nothing is
 * sent: no command injection through an argument.  Errors: MK_ETEMP
 * (timeout, connection lost), MK_EUSAGE, MK_ESOFTWARE.
 */
int	conn_cmd(struct conn *c, struct mk_err *e, const char *fmt, ...)
	    __attribute__((format(printf, 3, 4)));

/*
 * Send raw bytes (message data, a literal), counted in the trace but not
 * shown.  Errors as conn_cmd().
 */
int	conn_send(struct conn *c, const void *p, size_t n, struct mk_err *e);

/* As conn_send(), traced as C: lines (pipelined commands). */
int	conn_send_lines(struct conn *c, const void *p, size_t n,
	    struct mk_err *e);

/*
 * One write made of several parts (RFC 2920 pipelining, RFC 3030 BDAT):
 * conn_queue_lines() adds commands (traced as C: lines),
 * conn_queue_data() message data (counted in the trace, not shown);
 * conn_flush() sends what is queued at once and empties the queue.
 * conn_queued() is the number of bytes queued.  Unlike conn_cmd(),
 * the queue functions do not check for CR, LF or NUL: the caller
 * builds whole lines from checked parts.  Errors: MK_ESOFTWARE (out of
 * memory); conn_flush() as conn_send().
 */
int	conn_queue_lines(struct conn *c, const void *p, size_t n,
	    struct mk_err *e);
int	conn_queue_data(struct conn *c, const void *p, size_t n,
	    struct mk_err *e);
size_t	conn_queued(const struct conn *c);
int	conn_flush(struct conn *c, struct mk_err *e);

/*
 * The next line from the server, without its CRLF (or bare LF): 0 with
 * line and len set (valid until the next conn_ call; may hold NUL bytes).
 * data: 1 counts it as message data in the trace instead of showing it.
 * Errors: MK_ETEMP (timeout, connection closed), MK_EPROTO (a line
 * longer than CONN_LINEMAX).
 */
int	conn_line(struct conn *c, int data, const char **line, size_t *len,
	    struct mk_err *e);

/*
 * Exactly n bytes from the server (an IMAP literal) into sink, in
 * pieces; counted as data in the trace.  sink returns -1 to stop (then
 * conn_read returns -1 with the e it filled).  Errors as conn_line().
 */
int	conn_read(struct conn *c, size_t n,
	    int (*sink)(void *arg, const void *p, size_t n, struct mk_err *e),
	    void *arg, struct mk_err *e);

/*
 * Wait up to ms milliseconds for the server to say something (IDLE):
 * 1 readable (or buffered), 0 timeout, -1 error.
 */
int	conn_wait(struct conn *c, int ms, struct mk_err *e);

#endif /* CONN_H */
