/*
 * res.h: the DNS transport (a stub resolver): the resolv.conf settings,
 * the server list, and one query sent over UDP or TCP with retries and
 * failover.
 *
 * The parsers (res_conf_parse, res_server_parse, res_search_next) are
 * pure: no I/O.  A query is a state machine in the style of libasr: it
 * never blocks, it says what it waits for (res_q_want: a descriptor, the
 * poll events and a deadline) and moves on when told what happened
 * (res_q_step), so one poll() loop can drive many queries.  res_query()
 * is the blocking wrapper for one query.
 *
 * Safety (RFC 5452): a random 16-bit ID from getrandom(), a new random
 * ephemeral source port for every query sent (a new socket, or the UDP
 * socket of the question before after connect(AF_UNSPEC) gave up its
 * port, see res_q_reset), a connected UDP socket (the kernel drops
 * datagrams from any other address or port), and a reply taken only
 * when its ID and question match the query (dns_reply_matches).
 * Everything else is ignored and counted.
 */
#ifndef RES_H
#define RES_H

#include <sys/socket.h>

#include <stddef.h>
#include <stdint.h>

#include "dns.h"
#include "mk.h"

#define RES_MAXNS	3	/* nameserver lines used, as glibc */
#define RES_MAXSEARCH	6	/* search domains used */
#define RES_PORT	53
#define RES_BUFSIZE	1232	/* default EDNS payload size, bytes */
#define RES_SERVER_TEXTMAX 80	/* "[addr%scope]#65535" with NUL */

/* One server: an address and port. */
struct res_server {
	struct sockaddr_storage	 ss;
	socklen_t		 sslen;
	int			 portset;	/* text named a port (#PORT) */
	char			 text[RES_SERVER_TEXTMAX]; /* "addr#port" */
};

/* What /etc/resolv.conf says (or its defaults). */
struct res_conf {
	struct res_server ns[RES_MAXNS];
	int		 nns;
	char		 search[RES_MAXSEARCH][DNS_NAME_TEXTMAX];
	int		 nsearch;
	int		 ndots;		/* default 1, at most 15 */
	int		 timeout;	/* seconds per try, default 5 */
	int		 attempts;	/* tries in all, default 2; 0: unset */
	int		 rotate;	/* start at a random server */
};

/* Counters a query keeps; the front end may show them. */
struct res_stats {
	unsigned int	 sent;		/* queries sent (any transport) */
	unsigned int	 timeouts;	/* tries that got no answer */
	unsigned int	 unreachable;	/* ICMP unreachable, refused */
	unsigned int	 badid;		/* replies with another ID, ignored */
	unsigned int	 badquestion;	/* right ID, other question: ignored */
	unsigned int	 servfail;	/* SERVFAIL or REFUSED, next server */
	unsigned int	 truncated;	/* TC=1 replies, retried over TCP */
	unsigned int	 formerr;	/* FORMERR to EDNS, retried without */
	unsigned int	 resent;	/* datagrams sent again (rtx_ms) */
};

/* How to query: the caller fills it; res_q_new copies it. */
struct res_params {
	struct res_server servers[RES_MAXNS * 2]; /* tried in order */
	int		 nservers;
	int		 timeout_ms;	/* per try */
	int		 retries;	/* tries after the first, per server */
	int		 rotate;	/* start at a random server */
	int		 tcp;		/* TCP only */
	int		 rd;		/* recursion desired */
	int		 edns;		/* send an OPT record */
	uint16_t	 bufsize;	/* EDNS payload size, bytes */
	int		 dnssec;	/* DO bit */
	int		 nsid;		/* ask for the NSID */
	int		 adflag;	/* AD bit in the query */
	int		 cdflag;	/* CD bit in the query */
	/*
	 * The caller parses each reply itself (dns_msg_parse) and says
	 * itself that one is malformed: res checks only the header and the
	 * question, and parses the rest only to decide a retry.
	 */
	int		 lazy;
	/*
	 * UDP: with no reply after rtx_ms, send the same datagram again (the
	 * same socket and ID, so a reply to either copy counts), then after
	 * twice as long, and so on within the try's timeout_ms; 0: never.
	 * A datagram lost on the way (a full socket buffer, say) then costs
	 * rtx_ms, not a whole try.
	 */
	int		 rtx_ms;
};

/* The outcome of a finished query. */
struct res_result {
	const uint8_t	*reply;		/* borrowed from the res_q */
	size_t		 len;
	const char	*server;	/* text of the server that answered */
	int		 tcp;		/* the answer came over TCP */
	int		 edns;		/* the query that got it had EDNS */
	double		 time_ms;	/* first packet sent to answer */
	struct res_stats stats;
	int		 https;		/* came over DNS over HTTPS */
};

/* res_q_step() results. */
enum {
	RES_Q_WAIT = 0,		/* call res_q_want, wait, step again */
	RES_Q_DONE = 1,		/* a reply is in res_q_result */
	RES_Q_FAIL = -1		/* e filled */
};

struct res_q;

/*
 * Settings.
 */

/* The defaults: no server, no search list, ndots 1, timeout 5. */
void	res_conf_init(struct res_conf *c);

/*
 * Parse resolv.conf text buf[0..len) into c (after res_conf_init): the
 * keywords nameserver, domain, search and the options ndots:, timeout:,
 * attempts:, rotate; "#" and ";" start comments; anything else is
 * ignored, as glibc does.  Servers past RES_MAXNS and malformed values
 * are ignored too.  With no nameserver line, 127.0.0.1 is the server.
 * An mkit extension: "nameserver ADDR#PORT" names a port (glibc would
 * skip such a line).  Never fails.
 */
void	res_conf_parse(struct res_conf *c, const char *buf, size_t len);

/*
 * Read $MKIT_RESOLV_CONF, else /etc/resolv.conf, and parse it into c.
 * A missing file gives the defaults (127.0.0.1).  0, or -1 with e
 * filled (MK_ECONFIG) when the file exists but cannot be read.
 */
int	res_conf_load(struct res_conf *c, struct mk_err *e);

/*
 * A numeric server address "ADDR", "ADDR#PORT" (IPv6 may carry a
 * "%scope") into s; port is used when the text has none.  0, or -1 with
 * e filled (MK_EUSAGE).  Host names are the caller's business.
 */
int	res_server_parse(const char *text, uint16_t port,
	    struct res_server *s, struct mk_err *e);

/* Set the port of s and rebuild its text. */
void	res_server_setport(struct res_server *s, uint16_t port);

/*
 * The search list: the names to ask for, in order, for the text name.
 * *state starts at 0.  Each call writes the next absolute name (with a
 * trailing dot) to out and returns 1; 0 when there is none left; -1 if
 * a candidate does not fit outsz (skip it by calling again).  A name
 * ending in a dot is tried alone.  One with at least ndots dots is tried
 * as is first, then with each search domain; one with fewer, the
 * search domains first and itself last (resolv.conf(5)).
 */
int	res_search_next(const struct res_conf *c, const char *name,
	    int *state, char *out, size_t outsz);

/*
 * Queries.
 */

/*
 * A new query for qname (wire form, uncompressed), qtype, qclass with
 * the settings p (copied).  NULL with e filled on out of memory or bad
 * arguments.  Nothing is sent before res_q_start.
 */
struct res_q	*res_q_new(const struct res_params *p, const uint8_t *qname,
		    size_t qnamelen, uint16_t qtype, uint16_t qclass,
		    struct mk_err *e);

/*
 * Make q, finished or not, a new query for qname, qtype, qclass with
 * the same settings, not yet started, so that a batch makes no malloc
 * and no socket per name: the buffer stays, and so does the UDP socket
 * of an answered query, which res_q_start dissolves and connects again
 * (a new random source port).  A reply of the old question is no
 * longer available.  0, or -1 with e filled (MK_ESOFTWARE: bad
 * arguments).
 */
int	res_q_reset(struct res_q *q, const uint8_t *qname, size_t qnamelen,
	    uint16_t qtype, uint16_t qclass, struct mk_err *e);

/* Send the first packet.  RES_Q_WAIT, or RES_Q_FAIL with e filled. */
int	res_q_start(struct res_q *q, struct mk_err *e);

/*
 * What q waits for: poll() on *fd for *events (POLLIN or POLLOUT)
 * until *deadline_ms (CLOCK_MONOTONIC, milliseconds; see res_now_ms).
 */
void	res_q_want(const struct res_q *q, int *fd, short *events,
	    int64_t *deadline_ms);

/*
 * Move on after poll(): revents as poll() set them, 0 if the deadline
 * passed.  RES_Q_WAIT, RES_Q_DONE, or RES_Q_FAIL with e filled:
 * MK_ETEMP (every try timed out, or no server reachable), MK_EUNAVAIL
 * (SERVFAIL or REFUSED from every server; the last such reply is still
 * in res_q_result), MK_EPROTO (a malformed reply, with the parser's
 * reason), MK_ESOFTWARE (out of memory, a socket call failed).
 */
int	res_q_step(struct res_q *q, short revents, struct mk_err *e);

/* The reply and the counters; reply is NULL until one was accepted. */
void	res_q_result(const struct res_q *q, struct res_result *r);

/*
 * Parse a reply from server (its text) into m: 0, or -1 with e set to
 * MK_EPROTO "malformed reply from SERVER: why", what res says of a reply
 * it parses itself.  For callers with res_params.lazy.
 */
int	res_parse(const uint8_t *reply, size_t len, const char *server,
	    struct dns_msg *m, struct mk_err *e);

/* Close the socket, free q.  NULL is fine. */
void	res_q_free(struct res_q *q);

/* The monotonic clock in milliseconds. */
int64_t	res_now_ms(void);

/*
 * One query, blocking: res_q_new, start, poll until done.  On success
 * (0) *qp holds the finished query (free it with res_q_free); read the
 * reply with res_q_result.  -1 with e filled as for res_q_step; *qp is
 * then still set when a reply came (SERVFAIL, REFUSED) or NULL.
 */
int	res_query(const struct res_params *p, const uint8_t *qname,
	    size_t qnamelen, uint16_t qtype, uint16_t qclass,
	    struct res_q **qp, struct mk_err *e);

/*
 * DNS over HTTPS (RFC 8484).  libcurl is loaded with dlopen() by
 * res_doh_new, only then, so a program that never asks over HTTPS never
 * maps it.  One handle keeps its connection (HTTP/2 when the server
 * offers it) for every query made through it.
 */
struct res_doh;

/* How to ask over HTTPS; strings are borrowed for res_doh_new only. */
struct res_doh_params {
	const char	*url;		/* https://host/dns-query */
	const char	*cafile;	/* CA bundle, or NULL for the system's */
	int		 insecure;	/* skip certificate checks */
	int		 get;		/* GET ?dns= instead of POST */
	int		 timeout_ms;	/* whole exchange, per query */
};

/*
 * A handle for p (copied).  NULL with e filled: MK_EUNAVAIL when
 * libcurl.so.4 cannot be loaded, MK_EUSAGE for a URL that is not
 * https://, MK_ESOFTWARE.
 */
struct res_doh	*res_doh_new(const struct res_doh_params *p,
		    struct mk_err *e);
void		 res_doh_free(struct res_doh *d);

/*
 * Ask qname/qtype/qclass with the flags and EDNS settings of rp (its
 * servers are not used; the ID is 0, as RFC 8484 4.1 advises).  0 with
 * r filled (r->reply borrowed from d until the next query), or -1 with
 * e filled: MK_ETEMP (timeout, cannot connect), MK_EPERM (certificate),
 * MK_EUNAVAIL (HTTP status other than 200, SERVFAIL/REFUSED), MK_EPROTO
 * (not a DNS message, or not the answer to the query).
 */
int	res_doh_query(struct res_doh *d, const struct res_params *rp,
	    const uint8_t *qname, size_t qnamelen, uint16_t qtype,
	    uint16_t qclass, struct res_result *r, struct mk_err *e);

#endif /* RES_H */
