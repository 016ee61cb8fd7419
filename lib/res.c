/*
 * res.c: the DNS transport: resolv.conf, server addresses, the search
 * list, and one query as a state machine over UDP and TCP (see res.h).
 */
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <sys/stat.h>

#include <arpa/inet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <linux/errqueue.h>

#include <curl/curl.h>
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "b64.h"
#include "res.h"

#define RES_CONF_PATH	"/etc/resolv.conf"
#define RES_CONF_MAX	(64 * 1024)	/* bytes of resolv.conf read */
#define RES_QMAX	512		/* a query with EDNS fits */
#define RES_RMAX	(65535 + 2)	/* a TCP message and its length */

enum qstate {
	QS_IDLE,
	QS_UDP,		/* waiting for a datagram */
	QS_CONNECT,	/* TCP connect in progress */
	QS_WRITE,	/* TCP query being written */
	QS_READ,	/* TCP reply being read */
	QS_DONE,
	QS_FAILED
};

struct res_q {
	struct res_params p;
	uint8_t		 qname[DNS_NAME_MAX];
	size_t		 qnamelen;
	uint16_t	 qtype, qclass;
	uint8_t		 query[RES_QMAX];
	size_t		 qlen;
	uint8_t		*buf;		/* RES_RMAX bytes, owned */
	size_t		 blen;		/* bytes in buf (TCP: with length) */
	size_t		 woff;		/* TCP: bytes of the query written */
	const uint8_t	*reply;		/* into buf, or saved */
	size_t		 rlen;
	uint8_t		*saved;		/* last SERVFAIL/REFUSED, owned */
	size_t		 savedlen;
	enum qstate	 state;
	int		 fd;
	int		 fdfamily;	/* of fd: AF_INET, AF_INET6 */
	int		 fdreuse;	/* fd: a UDP socket to reconnect */
	uint8_t		 rnd[64];	/* from getrandom, used from the end */
	size_t		 nrnd;		/* bytes of rnd not used yet */
	short		 events;
	int64_t		 deadline;	/* ms, monotonic */
	int64_t		 rtx_at;	/* ms: send again then, or 0 */
	int		 rtx_ms;	/* the wait before that */
	int64_t		 t0;		/* start, microseconds */
	double		 time_ms;
	int		 start;		/* first server (rotate) */
	int		 k;		/* server of this round, 0.. */
	int		 round;		/* try number, 0..retries */
	int		 dead[RES_MAXNS * 2];	/* server gave up */
	int		 edns;		/* this query carries OPT */
	int		 tcp;		/* this query goes over TCP */
	enum mk_status	 why;		/* status if every try fails */
	char		 whymsg[160];
	struct res_stats st;
};

static int	conf_line(struct res_conf *, const char *, size_t);
static size_t	conf_words(const char *, size_t, char [][DNS_NAME_TEXTMAX],
		    size_t);
static void	server_text(struct res_server *);
static int	q_srv(const struct res_q *);
static int	q_random(struct res_q *, void *, size_t);
static int	q_socket(struct res_q *, const struct res_server *);
static int	q_from(const struct res_server *,
		    const struct sockaddr_storage *, socklen_t);
static int	q_errqueue(struct res_q *, const struct res_server *, int *);
static int	q_send(struct res_q *, struct mk_err *);
static int	q_next(struct res_q *, struct mk_err *);
static int	q_fail(struct res_q *, enum mk_status, struct mk_err *,
		    const char *, ...) __attribute__((format(printf, 4, 5)));
static void	q_close(struct res_q *);
static int	q_reply(struct res_q *, const uint8_t *, size_t,
		    struct mk_err *);
static int	q_parsed(struct res_q *, const uint8_t *, size_t,
		    struct dns_msg *, int *, struct mk_err *);
static int	q_udp(struct res_q *, short, struct mk_err *);
static void	q_resend(struct res_q *, int64_t);
static int	q_tcp(struct res_q *, short, struct mk_err *);
static int64_t	now_us(void);
static int	search_cat(char *, size_t, const char *, const char *);

void
res_conf_init(struct res_conf *c)
{
	memset(c, 0, sizeof(*c));
	c->ndots = 1;
	c->timeout = 5;
}

/* Split s[0..n) into at most max blank-separated words, each cut short. */
static size_t
conf_words(const char *s, size_t n, char w[][DNS_NAME_TEXTMAX], size_t max)
{
	size_t	i = 0, nw = 0, l;

	while (i < n && nw < max) {
		while (i < n && (s[i] == ' ' || s[i] == '\t' || s[i] == '\r'))
			i++;
		if (i == n)
			break;
		for (l = 0; i < n && s[i] != ' ' && s[i] != '\t' &&
		    s[i] != '\r'; i++)
			if (l < DNS_NAME_TEXTMAX - 1)
				w[nw][l++] = s[i];
		w[nw++][l] = '\0';
	}
	return nw;
}

/* One line of resolv.conf.  Returns 1 if it named a server. */
static int
conf_line(struct res_conf *c, const char *s, size_t n)
{
	char		 w[1 + RES_MAXSEARCH][DNS_NAME_TEXTMAX];
	const char	*errstr, *v;
	size_t		 nw, i, l;
	long long	 x;

	if (n == 0 || s[0] == '#' || s[0] == ';')
		return 0;
	if ((nw = conf_words(s, n, w, MK_NELEM(w))) < 2)
		return 0;
	if (strcmp(w[0], "nameserver") == 0) {
		if (c->nns < RES_MAXNS && res_server_parse(w[1], RES_PORT,
		    &c->ns[c->nns], NULL) == 0)
			c->nns++;
		return 1;
	}
	if (strcmp(w[0], "domain") == 0 || strcmp(w[0], "search") == 0) {
		/* The last domain or search line wins (resolv.conf(5)). */
		c->nsearch = 0;
		if (strcmp(w[0], "domain") == 0)
			nw = 2;
		for (i = 1; i < nw; i++) {
			l = strlen(w[i]);
			while (l > 0 && w[i][l - 1] == '.')
				w[i][--l] = '\0';
			if (l == 0 || l > 253)
				continue;
			memcpy(c->search[c->nsearch++], w[i], l + 1);
		}
		return 0;
	}
	if (strcmp(w[0], "options") != 0)
		return 0;
	for (i = 1; i < nw; i++) {
		if (strcmp(w[i], "rotate") == 0) {
			c->rotate = 1;
			continue;
		}
		if ((v = strchr(w[i], ':')) == NULL)
			continue;
		v++;
		/* Out-of-range values are clamped, as glibc does. */
		x = mk_strtonum(v, 0, 1000, &errstr);
		if (errstr != NULL && strcmp(errstr, "too large") == 0)
			x = 1000;
		else if (errstr != NULL)
			continue;
		if (strncmp(w[i], "ndots:", 6) == 0)
			c->ndots = x > 15 ? 15 : (int)x;
		else if (strncmp(w[i], "timeout:", 8) == 0)
			c->timeout = x < 1 ? 1 : x > 30 ? 30 : (int)x;
		else if (strncmp(w[i], "attempts:", 9) == 0)
			c->attempts = x < 1 ? 1 : x > 5 ? 5 : (int)x;
	}
	return 0;
}

void
res_conf_parse(struct res_conf *c, const char *buf, size_t len)
{
	const char	*nl;
	size_t		 off = 0, n;

	while (off < len) {
		nl = memchr(buf + off, '\n', len - off);
		n = nl != NULL ? (size_t)(nl - (buf + off)) : len - off;
		/* A NUL byte ends the line: nothing after it is ours. */
		if (memchr(buf + off, '\0', n) != NULL)
			n = strlen(buf + off);
		conf_line(c, buf + off, n);
		off += (nl != NULL ? (size_t)(nl - (buf + off)) + 1 : len - off);
	}
	if (c->nns == 0)
		(void)res_server_parse("127.0.0.1", RES_PORT, &c->ns[c->nns++],
		    NULL);
}

int
res_conf_load(struct res_conf *c, struct mk_err *e)
{
	const char	*path;
	char		*buf = NULL;
	size_t		 len = 0;
	ssize_t		 n;
	int		 fd, rc = -1;

	res_conf_init(c);
	if ((path = getenv("MKIT_RESOLV_CONF")) == NULL || *path == '\0')
		path = RES_CONF_PATH;
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1) {
		if (errno == ENOENT) {
			res_conf_parse(c, "", 0);
			return 0;
		}
		return mk_seterrno(e, MK_ECONFIG, errno, "%s", path);
	}
	if ((buf = malloc(RES_CONF_MAX)) == NULL) {
		mk_seterr(e, MK_ESOFTWARE, "out of memory");
		goto out;
	}
	while (len < RES_CONF_MAX &&
	    (n = read(fd, buf + len, RES_CONF_MAX - len)) != 0) {
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1) {
			mk_seterrno(e, MK_ECONFIG, errno, "%s", path);
			goto out;
		}
		len += (size_t)n;
	}
	res_conf_parse(c, buf, len);
	rc = 0;
out:
	free(buf);
	close(fd);
	return rc;
}

/* Rebuild s->text from the address: "192.0.2.1#53", "::1#53". */
static void
server_text(struct res_server *s)
{
	char		 a[INET6_ADDRSTRLEN + IF_NAMESIZE + 2];
	const struct sockaddr_in  *s4 = (const struct sockaddr_in *)&s->ss;
	const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)&s->ss;
	size_t		 l;

	if (s->ss.ss_family == AF_INET) {
		inet_ntop(AF_INET, &s4->sin_addr, a, sizeof(a));
		snprintf(s->text, sizeof(s->text), "%s#%u", a,
		    ntohs(s4->sin_port));
		return;
	}
	inet_ntop(AF_INET6, &s6->sin6_addr, a, sizeof(a));
	if (s6->sin6_scope_id != 0) {
		l = strlen(a);
		snprintf(a + l, sizeof(a) - l, "%%%u",
		    (unsigned int)s6->sin6_scope_id);
	}
	snprintf(s->text, sizeof(s->text), "%s#%u", a, ntohs(s6->sin6_port));
}

void
res_server_setport(struct res_server *s, uint16_t port)
{
	if (s->ss.ss_family == AF_INET)
		((struct sockaddr_in *)&s->ss)->sin_port = htons(port);
	else
		((struct sockaddr_in6 *)&s->ss)->sin6_port = htons(port);
	server_text(s);
}

int
res_server_parse(const char *text, uint16_t port, struct res_server *s,
    struct mk_err *e)
{
	char			 a[INET6_ADDRSTRLEN + IF_NAMESIZE + 4];
	char			*hash, *pct, *p;
	const char		*errstr;
	struct sockaddr_in	*s4 = (struct sockaddr_in *)&s->ss;
	struct sockaddr_in6	*s6 = (struct sockaddr_in6 *)&s->ss;
	unsigned int		 scope = 0;
	long long		 n;
	size_t			 l;

	memset(s, 0, sizeof(*s));
	if (strlen(text) >= sizeof(a))
		return mk_seterr(e, MK_EUSAGE, "%.80s: not an address", text);
	memcpy(a, text, strlen(text) + 1);
	if ((hash = strrchr(a, '#')) != NULL) {
		*hash++ = '\0';
		n = mk_strtonum(hash, 1, 65535, &errstr);
		if (errstr != NULL)
			return mk_seterr(e, MK_EUSAGE, "%s: port %s", text,
			    errstr);
		port = (uint16_t)n;
		s->portset = 1;
	}
	p = a;
	if (*p == '[' && (l = strlen(p)) > 1 && p[l - 1] == ']') {
		p[l - 1] = '\0';
		p++;
	}
	if (inet_pton(AF_INET, p, &s4->sin_addr) == 1) {
		s4->sin_family = AF_INET;
		s->sslen = sizeof(*s4);
		res_server_setport(s, port);
		return 0;
	}
	if ((pct = strchr(p, '%')) != NULL) {
		*pct++ = '\0';
		n = mk_strtonum(pct, 1, UINT32_MAX, &errstr);
		if (errstr == NULL)
			scope = (unsigned int)n;
		else if ((scope = if_nametoindex(pct)) == 0)
			return mk_seterr(e, MK_EUSAGE, "%s: unknown scope %s",
			    text, pct);
	}
	if (inet_pton(AF_INET6, p, &s6->sin6_addr) != 1)
		return mk_seterr(e, MK_EUSAGE, "%s: not an address", text);
	s6->sin6_family = AF_INET6;
	s6->sin6_scope_id = scope;
	s->sslen = sizeof(*s6);
	res_server_setport(s, port);
	return 0;
}

int
res_search_next(const struct res_conf *c, const char *name, int *state,
    char *out, size_t outsz)
{
	size_t		 l = strlen(name), i;
	int		 dots = 0, asis, idx;

	if (l == 0 || *state < 0)
		return 0;
	if (name[l - 1] == '.') {
		if ((*state)++ != 0)
			return 0;
		return search_cat(out, outsz, name, NULL);
	}
	for (i = 0; i < l; i++)
		dots += name[i] == '.';
	/* Which candidate is the name as it is: first or last. */
	asis = dots >= c->ndots ? 0 : c->nsearch;
	if (*state > c->nsearch)
		return 0;
	idx = (*state)++;
	if (idx == asis)
		return search_cat(out, outsz, name, "");
	return search_cat(out, outsz, name,
	    c->search[idx > asis ? idx - 1 : idx]);
}

/*
 * name, then (unless dom is NULL) a dot, dom, and a dot if dom is not
 * empty, into out (no printf: a batch does this per name).  1, or -1
 * if it does not fit.
 */
static int
search_cat(char *out, size_t outsz, const char *name, const char *dom)
{
	size_t	nl = strlen(name), dl = dom != NULL ? strlen(dom) : 0;
	size_t	need = nl + (dom != NULL) + dl + (dl > 0) + 1;

	if (need > outsz)
		return -1;
	memcpy(out, name, nl);
	if (dom != NULL) {
		out[nl++] = '.';
		memcpy(out + nl, dom, dl);
		nl += dl;
		if (dl > 0)
			out[nl++] = '.';
	}
	out[nl] = '\0';
	return 1;
}

/*
 * Queries.
 */

static int64_t
now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

int64_t
res_now_ms(void)
{
	return now_us() / 1000;
}

struct res_q *
res_q_new(const struct res_params *p, const uint8_t *qname, size_t qnamelen,
    uint16_t qtype, uint16_t qclass, struct mk_err *e)
{
	struct res_q	*q;

	if (p->nservers < 1 || p->nservers > (int)MK_NELEM(p->servers) ||
	    qnamelen == 0 || qnamelen > DNS_NAME_MAX || p->retries < 0 ||
	    p->timeout_ms < 1) {
		mk_seterr(e, MK_ESOFTWARE, "res_q_new: bad arguments");
		return NULL;
	}
	if ((q = calloc(1, sizeof(*q))) == NULL ||
	    (q->buf = malloc(RES_RMAX)) == NULL) {
		free(q);
		mk_seterr(e, MK_ESOFTWARE, "out of memory");
		return NULL;
	}
	q->p = *p;
	memcpy(q->qname, qname, qnamelen);
	q->qnamelen = qnamelen;
	q->qtype = qtype;
	q->qclass = qclass;
	q->fd = -1;
	q->edns = p->edns;
	q->tcp = p->tcp;
	q->why = MK_ETEMP;
	return q;
}

void
res_q_free(struct res_q *q)
{
	if (q == NULL)
		return;
	q_close(q);
	free(q->buf);
	free(q->saved);
	free(q);
}

static void
q_close(struct res_q *q)
{
	if (q->fd != -1)
		close(q->fd);
	q->fd = -1;
	q->fdreuse = 0;
}

/*
 * n random bytes into out from q's store, refilled 64 bytes at a time:
 * one getrandom() for many IDs.  0, or -1 with errno set.
 */
static int
q_random(struct res_q *q, void *out, size_t n)
{
	if (n > sizeof(q->rnd))
		return -1;
	if (q->nrnd < n) {
		if (getrandom(q->rnd, sizeof(q->rnd), 0) !=
		    (ssize_t)sizeof(q->rnd))
			return -1;
		q->nrnd = sizeof(q->rnd);
	}
	q->nrnd -= n;
	memcpy(out, q->rnd + q->nrnd, n);
	/* Used bytes are not kept around. */
	memset(q->rnd + q->nrnd, 0, n);
	return 0;
}

/*
 * The socket of this try in q->fd, with no port yet.  The UDP socket of
 * the question before (res_q_reset) gives up its port with
 * connect(AF_UNSPEC), so the sendto() that follows binds a new random
 * ephemeral port, as a new socket would; anything else is closed and a
 * new socket made.  A UDP socket is never connected (one system call a
 * query less): q_udp() checks where each datagram came from, and
 * IP_RECVERR brings the ICMP errors a connected socket would get.  0,
 * or -1 with errno set.
 */
static int
q_socket(struct res_q *q, const struct res_server *s)
{
	struct sockaddr	un;
	int		on = 1;

	if (q->fd != -1 && q->fdreuse && !q->tcp &&
	    q->fdfamily == s->ss.ss_family) {
		q->fdreuse = 0;
		memset(&un, 0, sizeof(un));
		un.sa_family = AF_UNSPEC;
		if (connect(q->fd, &un, sizeof(un)) == 0)
			return 0;
	}
	q_close(q);
	q->fd = socket(s->ss.ss_family, (q->tcp ? SOCK_STREAM : SOCK_DGRAM) |
	    SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	q->fdfamily = s->ss.ss_family;
	if (q->fd == -1)
		return -1;
	if (!q->tcp && (s->ss.ss_family == AF_INET6 ?
	    setsockopt(q->fd, IPPROTO_IPV6, IPV6_RECVERR, &on, sizeof(on)) :
	    setsockopt(q->fd, IPPROTO_IP, IP_RECVERR, &on, sizeof(on))) == -1) {
		q_close(q);
		return -1;
	}
	return 0;
}

/* Nonzero if a (alen bytes) is s's address and port. */
static int
q_from(const struct res_server *s, const struct sockaddr_storage *a,
    socklen_t alen)
{
	const struct sockaddr_in	*x4, *y4;
	const struct sockaddr_in6	*x6, *y6;

	if (a->ss_family != s->ss.ss_family)
		return 0;
	if (a->ss_family == AF_INET) {
		if (alen < (socklen_t)sizeof(*x4))
			return 0;
		x4 = (const struct sockaddr_in *)a;
		y4 = (const struct sockaddr_in *)&s->ss;
		return x4->sin_port == y4->sin_port &&
		    x4->sin_addr.s_addr == y4->sin_addr.s_addr;
	}
	if (a->ss_family == AF_INET6) {
		if (alen < (socklen_t)sizeof(*x6))
			return 0;
		x6 = (const struct sockaddr_in6 *)a;
		y6 = (const struct sockaddr_in6 *)&s->ss;
		return x6->sin6_port == y6->sin6_port &&
		    memcmp(&x6->sin6_addr, &y6->sin6_addr,
		    sizeof(x6->sin6_addr)) == 0;
	}
	return 0;
}

/*
 * Empty the error queue of q's UDP socket (IP_RECVERR).  1 if one of
 * the errors is about a datagram to s (*err its errno), 0 if the queue
 * was empty, -1 if it held only errors about other destinations.
 */
static int
q_errqueue(struct res_q *q, const struct res_server *s, int *err)
{
	struct sockaddr_storage	 to;
	struct sock_extended_err *ee;
	struct cmsghdr		*c;
	struct msghdr		 mh;
	uint8_t			 cbuf[512], data[64];
	struct iovec		 iov;
	int			 rc = 0;

	for (;;) {
		memset(&mh, 0, sizeof(mh));
		memset(&to, 0, sizeof(to));
		iov.iov_base = data;
		iov.iov_len = sizeof(data);
		mh.msg_name = &to;
		mh.msg_namelen = sizeof(to);
		mh.msg_iov = &iov;
		mh.msg_iovlen = 1;
		mh.msg_control = cbuf;
		mh.msg_controllen = sizeof(cbuf);
		if (recvmsg(q->fd, &mh, MSG_ERRQUEUE) == -1)
			return rc;
		if (rc == 0)
			rc = -1;
		if (!q_from(s, &to, mh.msg_namelen))
			continue;
		for (c = CMSG_FIRSTHDR(&mh); c != NULL; c = CMSG_NXTHDR(&mh, c))
			if ((c->cmsg_level == IPPROTO_IP &&
			    c->cmsg_type == IP_RECVERR) ||
			    (c->cmsg_level == IPPROTO_IPV6 &&
			    c->cmsg_type == IPV6_RECVERR)) {
				ee = (struct sock_extended_err *)CMSG_DATA(c);
				if (ee->ee_errno != 0) {
					*err = (int)ee->ee_errno;
					rc = 1;
				}
			}
	}
}

int
res_q_reset(struct res_q *q, const uint8_t *qname, size_t qnamelen,
    uint16_t qtype, uint16_t qclass, struct mk_err *e)
{
	if (qnamelen == 0 || qnamelen > DNS_NAME_MAX)
		return mk_seterr(e, MK_ESOFTWARE, "res_q_reset: bad arguments");
	/* Only the UDP socket of an answered question is kept. */
	if (q->state == QS_DONE && !q->tcp && q->fd != -1)
		q->fdreuse = 1;
	else
		q_close(q);
	memcpy(q->qname, qname, qnamelen);
	q->qnamelen = qnamelen;
	q->qtype = qtype;
	q->qclass = qclass;
	q->qlen = 0;
	q->blen = 0;
	q->woff = 0;
	q->reply = NULL;
	q->rlen = 0;
	free(q->saved);
	q->saved = NULL;
	q->savedlen = 0;
	q->state = QS_IDLE;
	q->events = 0;
	q->deadline = 0;
	q->rtx_at = 0;
	q->t0 = 0;
	q->time_ms = 0;
	q->start = q->k = q->round = 0;
	memset(q->dead, 0, sizeof(q->dead));
	q->edns = q->p.edns;
	q->tcp = q->p.tcp;
	q->why = MK_ETEMP;
	q->whymsg[0] = '\0';
	memset(&q->st, 0, sizeof(q->st));
	return 0;
}

static int
q_srv(const struct res_q *q)
{
	return (q->start + q->k) % q->p.nservers;
}

/* Record why q failed, close it, return RES_Q_FAIL. */
static int
q_fail(struct res_q *q, enum mk_status st, struct mk_err *e,
    const char *fmt, ...)
{
	va_list	ap;
	char	msg[sizeof(q->whymsg)];

	q_close(q);
	q->state = QS_FAILED;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	memcpy(q->whymsg, msg, sizeof(msg));
	q->why = st;
	mk_seterr(e, st, "%s", q->whymsg);
	return RES_Q_FAIL;
}

int
res_q_start(struct res_q *q, struct mk_err *e)
{
	uint8_t r = 0;

	if (q->p.rotate && q->p.nservers > 1 && q_random(q, &r, 1) == 0)
		q->start = r % q->p.nservers;
	q->t0 = now_us();
	return q_send(q, e);
}

/*
 * Send the query to the current server over the current transport on a
 * new socket with a new ID.  A socket that cannot be made or connected
 * moves on to the next server.
 */
static int
q_send(struct res_q *q, struct mk_err *e)
{
	const struct res_server	*s = &q->p.servers[q_srv(q)];
	struct dns_qopts	 o;
	uint16_t		 id;
	int			 err;

	if (q_random(q, &id, sizeof(id)) == -1)
		return q_fail(q, MK_ESOFTWARE, e, "getrandom: %s",
		    strerror(errno));
	memset(&o, 0, sizeof(o));
	o.flags = (q->p.rd ? DNS_F_RD : 0) | (q->p.adflag ? DNS_F_AD : 0) |
	    (q->p.cdflag ? DNS_F_CD : 0);
	o.edns = q->edns;
	o.udpsize = q->p.bufsize != 0 ? q->p.bufsize : RES_BUFSIZE;
	o.dnssec_ok = q->p.dnssec;
	o.nsid = q->p.nsid;
	if (dns_query_build(q->query + 2, sizeof(q->query) - 2, &q->qlen, id,
	    q->qname, q->qnamelen, q->qtype, q->qclass, &o) == -1)
		return q_fail(q, MK_ESOFTWARE, e, "cannot build the query");
	q->query[0] = (uint8_t)(q->qlen >> 8);
	q->query[1] = (uint8_t)q->qlen;
	if (q_socket(q, s) == -1) {
		/* No IPv6 here, say: as if the server were unreachable. */
		q->st.unreachable++;
		q->dead[q_srv(q)] = 1;
		snprintf(q->whymsg, sizeof(q->whymsg), "%s: socket: %s",
		    s->text, strerror(errno));
		return q_next(q, e);
	}
	q->st.sent++;
	q->blen = 0;
	q->woff = 0;
	q->deadline = res_now_ms() + q->p.timeout_ms;
	if (!q->tcp) {
		if (sendto(q->fd, q->query + 2, q->qlen, 0,
		    (const struct sockaddr *)&s->ss, s->sslen) ==
		    (ssize_t)q->qlen)
			goto sent;
		/*
		 * An ICMP error left over from the socket's last question
		 * fails the send: empty the queue and send again, unless
		 * the error is about this server.
		 */
		if (errno == EAGAIN)
			goto unreachable;
		if (q_errqueue(q, s, &err) == 1) {
			errno = err;
			goto unreachable;
		}
		if (sendto(q->fd, q->query + 2, q->qlen, 0,
		    (const struct sockaddr *)&s->ss, s->sslen) !=
		    (ssize_t)q->qlen)
			goto unreachable;
sent:
		q->state = QS_UDP;
		q->events = POLLIN;
		q->rtx_ms = q->p.rtx_ms;
		q->rtx_at = q->rtx_ms > 0 ? res_now_ms() + q->rtx_ms : 0;
		return RES_Q_WAIT;
	}
	if (connect(q->fd, (const struct sockaddr *)&s->ss, s->sslen) == -1) {
		if (errno == EINPROGRESS) {
			q->state = QS_CONNECT;
			q->events = POLLOUT;
			return RES_Q_WAIT;
		}
		goto unreachable;
	}
	q->state = QS_WRITE;
	q->events = POLLOUT;
	return RES_Q_WAIT;
unreachable:
	q->st.unreachable++;
	q->dead[q_srv(q)] = 1;
	snprintf(q->whymsg, sizeof(q->whymsg), "%s: %s", s->text,
	    strerror(errno));
	return q_next(q, e);
}

/*
 * The current try failed: move to the next server that has not given
 * up, round after round, and send; fail when none is left.  A server
 * that answered SERVFAIL or REFUSED, or refused the connection, is not
 * asked again.
 */
static int
q_next(struct res_q *q, struct mk_err *e)
{
	q_close(q);
	q->edns = q->p.edns;
	q->tcp = q->p.tcp;
	for (;;) {
		if (++q->k >= q->p.nservers) {
			q->k = 0;
			if (++q->round > q->p.retries)
				break;
		}
		if (!q->dead[q_srv(q)])
			return q_send(q, e);
	}
	if (q->saved != NULL) {
		q->reply = q->saved;
		q->rlen = q->savedlen;
		return q_fail(q, MK_EUNAVAIL, e, "%s", q->whymsg);
	}
	if (q->st.badid + q->st.badquestion > 0)
		return q_fail(q, MK_ETEMP, e, "%s (ignored %u replies with a "
		    "wrong ID, %u with a wrong question)", q->whymsg,
		    q->st.badid, q->st.badquestion);
	return q_fail(q, MK_ETEMP, e, "%s", q->whymsg);
}

void
res_q_want(const struct res_q *q, int *fd, short *events,
    int64_t *deadline_ms)
{
	*fd = q->fd;
	*events = q->events;
	*deadline_ms = q->state == QS_UDP && q->rtx_at != 0 &&
	    q->rtx_at < q->deadline ? q->rtx_at : q->deadline;
}

/*
 * The try's datagram again, on its socket, with its ID (rtx_ms); the
 * next time after twice the wait, while the try lasts.  A send that
 * fails changes nothing: the try's deadline stands.
 */
static void
q_resend(struct res_q *q, int64_t now)
{
	const struct res_server	*s = &q->p.servers[q_srv(q)];

	if (sendto(q->fd, q->query + 2, q->qlen, 0,
	    (const struct sockaddr *)&s->ss, s->sslen) == (ssize_t)q->qlen)
		q->st.resent++;
	q->rtx_ms = q->rtx_ms > q->p.timeout_ms / 2 ? q->p.timeout_ms :
	    q->rtx_ms * 2;
	q->rtx_at = now + q->rtx_ms < q->deadline ? now + q->rtx_ms : 0;
}

int
res_parse(const uint8_t *reply, size_t len, const char *server,
    struct dns_msg *m, struct mk_err *e)
{
	const char	*err;

	if (dns_msg_parse(reply, len, m, &err) == 0)
		return 0;
	return mk_seterr(e, MK_EPROTO, "malformed reply from %s: %s", server,
	    err);
}

/*
 * r[0..n) into m, the first time only (*done): 0, or RES_Q_FAIL when it
 * does not parse.
 */
static int
q_parsed(struct res_q *q, const uint8_t *r, size_t n, struct dns_msg *m,
    int *done, struct mk_err *e)
{
	struct mk_err	pe;

	if (*done)
		return 0;
	*done = 1;
	if (res_parse(r, n, q->p.servers[q_srv(q)].text, m, &pe) == 0)
		return 0;
	return q_fail(q, pe.st, e, "%s", pe.msg);
}

/*
 * A whole message r[0..n) came from the server of this try.  Ignore it
 * (RES_Q_WAIT, counted) if its ID or question is not ours; else act on
 * it: done, malformed, truncated (TCP), FORMERR to EDNS (again without
 * it), SERVFAIL or REFUSED (next server).
 */
static int
q_reply(struct res_q *q, const uint8_t *r, size_t n, struct mk_err *e)
{
	const struct res_server	*s = &q->p.servers[q_srv(q)];
	struct dns_msg		 m;
	char			 rc[DNS_TYPE_TEXTMAX];
	uint16_t		 flags, rcode;
	int			 parsed = 0;

	if (n < DNS_HDRLEN || r[0] != q->query[2] || r[1] != q->query[3] ||
	    !(r[2] & 0x80)) {
		q->st.badid++;
		return RES_Q_WAIT;
	}
	/*
	 * Our ID from the address and port we asked: whoever sent it saw
	 * the query, so a reply that does not parse is the server's.  Lazy:
	 * parsed below only where the header is not enough.
	 */
	if (!q->p.lazy && q_parsed(q, r, n, &m, &parsed, e) != 0)
		return RES_Q_FAIL;
	if (!dns_reply_matches(q->query + 2, q->qlen, r, n)) {
		/* A question that does not even parse is malformed. */
		if (q_parsed(q, r, n, &m, &parsed, e) != 0)
			return RES_Q_FAIL;
		q->st.badquestion++;
		return RES_Q_WAIT;
	}
	/* The header is all that follows needs, but for EDNS below. */
	flags = (uint16_t)(r[2] << 8 | r[3]);
	rcode = DNS_RCODE(flags);
	if ((flags & DNS_F_TC) && !q->tcp) {
		q->st.truncated++;
		q->tcp = 1;
		return q_send(q, e);
	}
	if (rcode == DNS_R_FORMERR && q->edns &&
	    q_parsed(q, r, n, &m, &parsed, e) != 0)
		return RES_Q_FAIL;
	if (rcode == DNS_R_FORMERR && q->edns && !m.edns.present) {
		/* RFC 6891 7: a server without EDNS; ask again plainly. */
		q->st.formerr++;
		q->edns = 0;
		return q_send(q, e);
	}
	if (rcode == DNS_R_SERVFAIL || rcode == DNS_R_REFUSED) {
		q->st.servfail++;
		free(q->saved);
		if ((q->saved = malloc(n)) == NULL)
			return q_fail(q, MK_ESOFTWARE, e, "out of memory");
		memcpy(q->saved, r, n);
		q->savedlen = n;
		q->dead[q_srv(q)] = 1;
		snprintf(q->whymsg, sizeof(q->whymsg), "%s from %s",
		    dns_rcode_to_text(rcode, rc), s->text);
		return q_next(q, e);
	}
	/* A UDP socket may serve the next question (res_q_reset). */
	if (q->tcp)
		q_close(q);
	q->reply = r;
	q->rlen = n;
	q->state = QS_DONE;
	q->time_ms = (double)(now_us() - q->t0) / 1000.0;
	return RES_Q_DONE;
}

/*
 * Read every datagram waiting on the UDP socket; one from anywhere but
 * the server (address and port) is dropped unread, as a connected
 * socket would.  An ICMP error about the server ends this try.
 */
static int
q_udp(struct res_q *q, short revents, struct mk_err *e)
{
	const struct res_server	*s = &q->p.servers[q_srv(q)];
	struct sockaddr_storage	 from;
	socklen_t		 flen;
	size_t			 cap;
	ssize_t			 n;
	int			 rc, err = 0;

	if ((revents & POLLERR) && q_errqueue(q, s, &err) == 1)
		goto unreachable;
	/* Take what comes: a server may send more than it was offered. */
	cap = RES_RMAX;
	for (;;) {
		flen = sizeof(from);
		n = recvfrom(q->fd, q->buf, cap, 0, (struct sockaddr *)&from,
		    &flen);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return RES_Q_WAIT;
		if (n == -1) {
			/* ICMP port unreachable shows up as ECONNREFUSED. */
			err = errno;
			if (q_errqueue(q, s, &err) == -1)
				continue;	/* about someone else */
			goto unreachable;
		}
		if (!q_from(s, &from, flen))
			continue;
		if ((rc = q_reply(q, q->buf, (size_t)n, e)) != RES_Q_WAIT ||
		    q->state != QS_UDP)
			return rc;
	}
unreachable:
	q->st.unreachable++;
	q->dead[q_srv(q)] = 1;
	snprintf(q->whymsg, sizeof(q->whymsg), "%s: %s", s->text,
	    strerror(err));
	return q_next(q, e);
}

/* Connect, write the framed query, read the framed reply. */
static int
q_tcp(struct res_q *q, short revents, struct mk_err *e)
{
	const struct res_server	*s = &q->p.servers[q_srv(q)];
	socklen_t		 sl = sizeof(int);
	ssize_t			 n;
	size_t			 need;
	int			 err = 0, rc;

	if (q->state == QS_CONNECT) {
		if (getsockopt(q->fd, SOL_SOCKET, SO_ERROR, &err, &sl) == -1)
			err = errno;
		if (err != 0) {
			q->st.unreachable++;
			q->dead[q_srv(q)] = 1;
			snprintf(q->whymsg, sizeof(q->whymsg),
			    "%s (TCP): %s", s->text, strerror(err));
			return q_next(q, e);
		}
		q->state = QS_WRITE;
	}
	(void)revents;
	if (q->state == QS_WRITE) {
		while (q->woff < q->qlen + 2) {
			n = send(q->fd, q->query + q->woff,
			    q->qlen + 2 - q->woff, MSG_NOSIGNAL);
			if (n == -1 && errno == EINTR)
				continue;
			if (n == -1 && errno == EAGAIN)
				return RES_Q_WAIT;
			if (n == -1)
				goto broken;
			q->woff += (size_t)n;
		}
		q->state = QS_READ;
		q->events = POLLIN;
	}
	for (;;) {
		need = q->blen < 2 ? 2 :
		    2 + ((size_t)q->buf[0] << 8 | q->buf[1]);
		if (q->blen == need && need > 2) {
			rc = q_reply(q, q->buf + 2, need - 2, e);
			if (rc != RES_Q_WAIT || q->state != QS_READ)
				return rc;
			q->blen = 0;	/* not ours: read the next one */
			continue;
		}
		n = recv(q->fd, q->buf + q->blen, need - q->blen, 0);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1 && errno == EAGAIN)
			return RES_Q_WAIT;
		if (n == -1)
			goto broken;
		if (n == 0) {
			errno = 0;
			goto broken;
		}
		q->blen += (size_t)n;
	}
broken:
	snprintf(q->whymsg, sizeof(q->whymsg), "%s (TCP): %s", s->text,
	    errno != 0 ? strerror(errno) : "connection closed before the "
	    "reply ended");
	return q_next(q, e);
}

int
res_q_step(struct res_q *q, short revents, struct mk_err *e)
{
	const struct res_server *s;
	int64_t			 now;

	if (q->state == QS_DONE)
		return RES_Q_DONE;
	if (q->state == QS_FAILED || q->state == QS_IDLE)
		return mk_seterr(e, q->why, "%s", q->state == QS_IDLE ?
		    "query not started" : q->whymsg);
	if (revents == 0) {
		now = res_now_ms();
		if (q->state == QS_UDP && q->rtx_at != 0 && now >= q->rtx_at &&
		    now < q->deadline)
			q_resend(q, now);
		if (now < q->deadline)
			return RES_Q_WAIT;
		s = &q->p.servers[q_srv(q)];
		q->st.timeouts++;
		snprintf(q->whymsg, sizeof(q->whymsg),
		    "no answer from %s%s within %d ms", s->text,
		    q->tcp ? " (TCP)" : "", q->p.timeout_ms);
		return q_next(q, e);
	}
	if (q->state == QS_UDP)
		return q_udp(q, revents, e);
	return q_tcp(q, revents, e);
}

void
res_q_result(const struct res_q *q, struct res_result *r)
{
	memset(r, 0, sizeof(*r));
	r->reply = q->reply;
	r->len = q->rlen;
	r->server = q->p.servers[q_srv(q)].text;
	r->tcp = q->tcp;
	r->edns = q->edns;
	r->time_ms = q->time_ms;
	r->stats = q->st;
}

int
res_query(const struct res_params *p, const uint8_t *qname,
    size_t qnamelen, uint16_t qtype, uint16_t qclass, struct res_q **qp,
    struct mk_err *e)
{
	struct res_q	*q;
	struct pollfd	 pfd;
	int64_t		 deadline, wait;
	int		 rc, n;

	*qp = NULL;
	if ((q = res_q_new(p, qname, qnamelen, qtype, qclass, e)) == NULL)
		return -1;
	rc = res_q_start(q, e);
	while (rc == RES_Q_WAIT) {
		res_q_want(q, &pfd.fd, &pfd.events, &deadline);
		wait = deadline - res_now_ms();
		pfd.revents = 0;
		n = poll(&pfd, 1, wait < 0 ? 0 : (int)wait);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1) {
			mk_seterrno(e, MK_ESOFTWARE, errno, "poll");
			res_q_free(q);
			return -1;
		}
		rc = res_q_step(q, n == 0 ? 0 : pfd.revents, e);
	}
	if (rc == RES_Q_DONE || q->reply != NULL)
		*qp = q;
	else
		res_q_free(q);
	return rc == RES_Q_DONE ? 0 : -1;
}

/*
 * DNS over HTTPS, with libcurl loaded at run time: the prototypes are
 * curl's, the calls go through pointers that dlsym() filled.
 */
#define DOH_MAXREPLY	65535

struct doh_api {
	CURLcode	(*global_init)(long);
	CURL		*(*easy_init)(void);
	CURLcode	(*easy_setopt)(CURL *, CURLoption, ...);
	CURLcode	(*easy_perform)(CURL *);
	CURLcode	(*easy_getinfo)(CURL *, CURLINFO, ...);
	void		(*easy_cleanup)(CURL *);
	const char	*(*easy_strerror)(CURLcode);
	struct curl_slist *(*slist_append)(struct curl_slist *, const char *);
	void		(*slist_free_all)(struct curl_slist *);
};

struct res_doh {
	void		*lib;		/* dlopen handle */
	struct doh_api	 api;
	CURL		*curl;
	struct curl_slist *hdrs;
	char		*url;		/* owned */
	int		 get;
	int		 timeout_ms;
	struct mk_buf	 body;		/* the reply, capped */
	char		 errbuf[CURL_ERROR_SIZE];
};

static size_t	doh_write(char *, size_t, size_t, void *);
static int	doh_load(struct res_doh *, struct mk_err *);

static size_t
doh_write(char *p, size_t size, size_t n, void *arg)
{
	struct res_doh	*d = arg;

	if (buf_add(&d->body, p, size * n) == -1)
		return 0;	/* over DOH_MAXREPLY: the transfer fails */
	return size * n;
}

/* Load libcurl.so.4 and find the calls we make. */
static int
doh_load(struct res_doh *d, struct mk_err *e)
{
	struct doh_api	*a = &d->api;

	if ((d->lib = dlopen("libcurl.so.4", RTLD_NOW | RTLD_LOCAL)) == NULL)
		return mk_seterr(e, MK_EUNAVAIL, "--https needs libcurl "
		    "(Debian: libcurl4): %s", dlerror());
	*(void **)&a->global_init = dlsym(d->lib, "curl_global_init");
	*(void **)&a->easy_init = dlsym(d->lib, "curl_easy_init");
	*(void **)&a->easy_setopt = dlsym(d->lib, "curl_easy_setopt");
	*(void **)&a->easy_perform = dlsym(d->lib, "curl_easy_perform");
	*(void **)&a->easy_getinfo = dlsym(d->lib, "curl_easy_getinfo");
	*(void **)&a->easy_cleanup = dlsym(d->lib, "curl_easy_cleanup");
	*(void **)&a->easy_strerror = dlsym(d->lib, "curl_easy_strerror");
	*(void **)&a->slist_append = dlsym(d->lib, "curl_slist_append");
	*(void **)&a->slist_free_all = dlsym(d->lib, "curl_slist_free_all");
	if (a->global_init == NULL || a->easy_init == NULL ||
	    a->easy_setopt == NULL || a->easy_perform == NULL ||
	    a->easy_getinfo == NULL || a->easy_cleanup == NULL ||
	    a->easy_strerror == NULL || a->slist_append == NULL ||
	    a->slist_free_all == NULL)
		return mk_seterr(e, MK_EUNAVAIL, "libcurl.so.4: a call is "
		    "missing");
	return 0;
}

struct res_doh *
res_doh_new(const struct res_doh_params *p, struct mk_err *e)
{
	struct res_doh	*d;
	struct doh_api	*a;

	if (strncasecmp(p->url, "https://", 8) != 0) {
		mk_seterr(e, MK_EUSAGE, "%s: not an https:// URL", p->url);
		return NULL;
	}
	if (mk_has_ctl_line(p->url, strlen(p->url))) {
		mk_seterr(e, MK_EUSAGE, "--https: control characters in URL");
		return NULL;
	}
	if ((d = calloc(1, sizeof(*d))) == NULL) {
		mk_seterr(e, MK_ESOFTWARE, "out of memory");
		return NULL;
	}
	a = &d->api;
	buf_init(&d->body, DOH_MAXREPLY);
	d->get = p->get;
	d->timeout_ms = p->timeout_ms;
	if ((d->url = strdup(p->url)) == NULL) {
		mk_seterr(e, MK_ESOFTWARE, "out of memory");
		goto fail;
	}
	if (doh_load(d, e) == -1)
		goto fail;
	if (a->global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK ||
	    (d->curl = a->easy_init()) == NULL) {
		mk_seterr(e, MK_ESOFTWARE, "libcurl: cannot start");
		goto fail;
	}
	d->hdrs = a->slist_append(NULL, "Accept: application/dns-message");
	if (!p->get && d->hdrs != NULL)
		d->hdrs = a->slist_append(d->hdrs,
		    "Content-Type: application/dns-message");
	if (d->hdrs == NULL) {
		mk_seterr(e, MK_ESOFTWARE, "out of memory");
		goto fail;
	}
	a->easy_setopt(d->curl, CURLOPT_HTTPHEADER, d->hdrs);
	a->easy_setopt(d->curl, CURLOPT_WRITEFUNCTION, doh_write);
	a->easy_setopt(d->curl, CURLOPT_WRITEDATA, d);
	a->easy_setopt(d->curl, CURLOPT_ERRORBUFFER, d->errbuf);
	a->easy_setopt(d->curl, CURLOPT_NOSIGNAL, 1L);
	a->easy_setopt(d->curl, CURLOPT_HTTP_VERSION,
	    (long)CURL_HTTP_VERSION_2TLS);
	a->easy_setopt(d->curl, CURLOPT_PROTOCOLS_STR, "https,http");
	a->easy_setopt(d->curl, CURLOPT_FOLLOWLOCATION, 0L);
	a->easy_setopt(d->curl, CURLOPT_TIMEOUT_MS, (long)p->timeout_ms);
	a->easy_setopt(d->curl, CURLOPT_USERAGENT, "mlookup (mkit) "
	    MK_VERSION);
	if (p->cafile != NULL)
		a->easy_setopt(d->curl, CURLOPT_CAINFO, p->cafile);
	if (p->insecure) {
		a->easy_setopt(d->curl, CURLOPT_SSL_VERIFYPEER, 0L);
		a->easy_setopt(d->curl, CURLOPT_SSL_VERIFYHOST, 0L);
	}
	return d;
fail:
	res_doh_free(d);
	return NULL;
}

void
res_doh_free(struct res_doh *d)
{
	if (d == NULL)
		return;
	if (d->hdrs != NULL)
		d->api.slist_free_all(d->hdrs);
	if (d->curl != NULL)
		d->api.easy_cleanup(d->curl);
	/* libcurl stays mapped: its TLS library may have atexit handlers. */
	free(d->url);
	buf_free(&d->body);
	free(d);
}

/* The status a failed transfer stands for. */
static enum mk_status
doh_status(CURLcode rc)
{
	switch (rc) {
	case CURLE_OPERATION_TIMEDOUT:
	case CURLE_COULDNT_CONNECT:
	case CURLE_COULDNT_RESOLVE_HOST:
	case CURLE_SEND_ERROR:
	case CURLE_RECV_ERROR:
	case CURLE_GOT_NOTHING:
		return MK_ETEMP;
	case CURLE_PEER_FAILED_VERIFICATION:
	case CURLE_SSL_CACERT_BADFILE:
	case CURLE_SSL_CERTPROBLEM:
	case CURLE_SSL_CONNECT_ERROR:
		return MK_EPERM;
	default:
		return MK_EUNAVAIL;
	}
}

int
res_doh_query(struct res_doh *d, const struct res_params *rp,
    const uint8_t *qname, size_t qnamelen, uint16_t qtype, uint16_t qclass,
    struct res_result *r, struct mk_err *e)
{
	struct doh_api	*a = &d->api;
	struct dns_qopts o;
	struct dns_msg	 m;
	struct mk_buf	 url;
	uint8_t		 query[RES_QMAX];
	char		 b64[B64_ENC_LEN(RES_QMAX) + 1];
	char		 rc[DNS_TYPE_TEXTMAX];
	const char	*err;
	size_t		 qlen, n, i, k;
	long		 status = 0;
	int64_t		 t0;
	CURLcode	 cc;
	int		 ret = -1;

	memset(r, 0, sizeof(*r));
	memset(&o, 0, sizeof(o));
	o.flags = (rp->rd ? DNS_F_RD : 0) | (rp->adflag ? DNS_F_AD : 0) |
	    (rp->cdflag ? DNS_F_CD : 0);
	o.edns = rp->edns;
	o.udpsize = rp->bufsize != 0 ? rp->bufsize : RES_BUFSIZE;
	o.dnssec_ok = rp->dnssec;
	o.nsid = rp->nsid;
	if (dns_query_build(query, sizeof(query), &qlen, 0, qname, qnamelen,
	    qtype, qclass, &o) == -1)
		return mk_seterr(e, MK_ESOFTWARE, "cannot build the query");
	buf_init(&url, 0);
	buf_reset(&d->body);
	if (d->get) {
		/* RFC 8484 4.1: base64url, no padding. */
		n = b64_encode(query, qlen, b64);
		for (i = k = 0; i < n; i++)
			if (b64[i] != '=')
				b64[k++] = b64[i] == '+' ? '-' :
				    b64[i] == '/' ? '_' : b64[i];
		b64[k] = '\0';
		buf_printf(&url, "%s%cdns=%s", d->url,
		    strchr(d->url, '?') != NULL ? '&' : '?', b64);
		a->easy_setopt(d->curl, CURLOPT_HTTPGET, 1L);
	} else {
		buf_adds(&url, d->url);
		a->easy_setopt(d->curl, CURLOPT_POST, 1L);
		a->easy_setopt(d->curl, CURLOPT_POSTFIELDS, query);
		a->easy_setopt(d->curl, CURLOPT_POSTFIELDSIZE, (long)qlen);
	}
	a->easy_setopt(d->curl, CURLOPT_URL, buf_str(&url));
	d->errbuf[0] = '\0';
	t0 = now_us();
	if ((cc = a->easy_perform(d->curl)) != CURLE_OK) {
		mk_seterr(e, doh_status(cc), "%s: %s", d->url,
		    d->errbuf[0] != '\0' ? d->errbuf : a->easy_strerror(cc));
		goto out;
	}
	r->time_ms = (double)(now_us() - t0) / 1000.0;
	a->easy_getinfo(d->curl, CURLINFO_RESPONSE_CODE, &status);
	if (status != 200) {
		mk_seterr(e, MK_EUNAVAIL, "%s: HTTP status %ld", d->url,
		    status);
		goto out;
	}
	if (dns_msg_parse(d->body.p, d->body.len, &m, &err) == -1) {
		mk_seterr(e, MK_EPROTO, "malformed reply from %s: %s", d->url,
		    err);
		goto out;
	}
	if (!dns_reply_matches(query, qlen, d->body.p, d->body.len)) {
		mk_seterr(e, MK_EPROTO, "%s: the reply does not answer the "
		    "query", d->url);
		goto out;
	}
	r->reply = d->body.p;
	r->len = d->body.len;
	r->server = d->url;
	r->https = 1;
	r->edns = rp->edns;
	r->stats.sent = 1;
	if (m.rcode == DNS_R_SERVFAIL || m.rcode == DNS_R_REFUSED) {
		mk_seterr(e, MK_EUNAVAIL, "%s from %s",
		    dns_rcode_to_text(m.rcode, rc), d->url);
		goto out;
	}
	ret = 0;
out:
	buf_free(&url);
	return ret;
}
