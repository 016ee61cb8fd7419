/*
 * iter.c: iterative resolution from the root (see iter.h): the pure
 * decisions (hints, bailiwick, referrals, CNAMEs) and the driver that
 * asks one server at a time, with a cache of delegations and answers.
 */
#include <sys/socket.h>

#include <netinet/in.h>

#include <ctype.h>
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "iter.h"

#define DEADLINE_SLACK	50	/* ms: too little for another try */

/* A cached zone cut, or a cached reply to (name, type) from zone. */
struct dcache {
	struct iter_deleg *d;		/* owned */
	int64_t		 expire;	/* ms, monotonic */
};
struct acache {
	uint8_t		 name[DNS_NAME_MAX];
	size_t		 namelen;
	uint16_t	 type;
	uint8_t		 zone[DNS_NAME_MAX];
	size_t		 zonelen;
	uint8_t		*msg;		/* owned */
	size_t		 len;
	int64_t		 expire;
};

/* A reply kept by the driver: the message and the name it answered. */
struct fin {
	uint8_t		*msg;		/* owned */
	size_t		 len;
	uint8_t		 name[DNS_NAME_MAX];
	size_t		 namelen;
};

struct iter {
	struct iter_params p;
	struct iter_deleg hints;
	struct dcache	*dc;
	size_t		 ndc, dnext;	/* entries; next to replace */
	struct acache	*ac;
	size_t		 nac, anext;
	/* One resolution. */
	int64_t		 deadline;	/* ms, monotonic */
	int		 expired;	/* the deadline passed: stop */
	unsigned int	 queries, replies;
	uint8_t		 stack[ITER_MAXDEPTH][DNS_NAME_MAX];
	size_t		 stacklen[ITER_MAXDEPTH];
	int		 nstack;
};

static int	name_at(const uint8_t *, size_t, int, size_t *);
static int	hints_line(char *, uint16_t, struct iter_deleg *,
		    struct iter_ns *, int *, const char **);
static void	ns_addaddr(struct iter_ns *, const struct res_server *);
static int	addr_from_rdata(const uint8_t *, size_t, uint16_t,
		    struct res_server *);
static int	rr_name(const struct dns_msg *, const struct dns_rr *,
		    uint8_t *, size_t *);
static int	classify_referral(const struct dns_msg *, const uint8_t *,
		    size_t, const uint8_t *, size_t, uint16_t,
		    struct iter_class *);
static const struct iter_deleg *dcache_find(struct iter *, const uint8_t *,
		    size_t, const uint8_t *, size_t);
static void	dcache_put(struct iter *, const struct iter_deleg *);
static struct acache *acache_find(struct iter *, const uint8_t *, size_t,
		    uint16_t);
static void	acache_put(struct iter *, const uint8_t *, size_t, uint16_t,
		    const uint8_t *, size_t, const uint8_t *, size_t,
		    uint32_t);
static int	ask_zone(struct iter *, int, struct iter_deleg *,
		    const uint8_t *, size_t, uint16_t, struct iter_class *,
		    struct fin *, struct mk_err *);
static int	ns_resolve(struct iter *, int, struct iter_ns *,
		    struct mk_err *);
static int	resolve(struct iter *, int, const uint8_t *, size_t,
		    uint16_t, enum iter_kind *, struct fin *,
		    struct mk_err *);
static struct res_q *query_one(const struct res_params *, const uint8_t *,
		    size_t, uint16_t, uint16_t, struct mk_err *);

/*
 * The IANA root hints (named.root of 2024): the root servers' names and
 * addresses, in the form --root-hints reads.
 */
const char iter_root_hints[] =
    ".			3600000	NS	a.root-servers.net.\n"
    "a.root-servers.net.	3600000	A	198.41.0.4\n"
    "a.root-servers.net.	3600000	AAAA	2001:503:ba3e::2:30\n"
    ".			3600000	NS	b.root-servers.net.\n"
    "b.root-servers.net.	3600000	A	170.247.170.2\n"
    "b.root-servers.net.	3600000	AAAA	2801:1b8:10::b\n"
    ".			3600000	NS	c.root-servers.net.\n"
    "c.root-servers.net.	3600000	A	192.33.4.12\n"
    "c.root-servers.net.	3600000	AAAA	2001:500:2::c\n"
    ".			3600000	NS	d.root-servers.net.\n"
    "d.root-servers.net.	3600000	A	199.7.91.13\n"
    "d.root-servers.net.	3600000	AAAA	2001:500:2d::d\n"
    ".			3600000	NS	e.root-servers.net.\n"
    "e.root-servers.net.	3600000	A	192.203.230.10\n"
    "e.root-servers.net.	3600000	AAAA	2001:500:a8::e\n"
    ".			3600000	NS	f.root-servers.net.\n"
    "f.root-servers.net.	3600000	A	192.5.5.241\n"
    "f.root-servers.net.	3600000	AAAA	2001:500:2f::f\n"
    ".			3600000	NS	g.root-servers.net.\n"
    "g.root-servers.net.	3600000	A	192.112.36.4\n"
    "g.root-servers.net.	3600000	AAAA	2001:500:12::d0d\n"
    ".			3600000	NS	h.root-servers.net.\n"
    "h.root-servers.net.	3600000	A	198.97.190.53\n"
    "h.root-servers.net.	3600000	AAAA	2001:500:1::53\n"
    ".			3600000	NS	i.root-servers.net.\n"
    "i.root-servers.net.	3600000	A	192.36.148.17\n"
    "i.root-servers.net.	3600000	AAAA	2001:7fe::53\n"
    ".			3600000	NS	j.root-servers.net.\n"
    "j.root-servers.net.	3600000	A	192.58.128.30\n"
    "j.root-servers.net.	3600000	AAAA	2001:503:c27::2:30\n"
    ".			3600000	NS	k.root-servers.net.\n"
    "k.root-servers.net.	3600000	A	193.0.14.129\n"
    "k.root-servers.net.	3600000	AAAA	2001:7fd::1\n"
    ".			3600000	NS	l.root-servers.net.\n"
    "l.root-servers.net.	3600000	A	199.7.83.42\n"
    "l.root-servers.net.	3600000	AAAA	2001:500:9f::42\n"
    ".			3600000	NS	m.root-servers.net.\n"
    "m.root-servers.net.	3600000	A	202.12.27.33\n"
    "m.root-servers.net.	3600000	AAAA	2001:dc3::35\n";

/*
 * Names.
 */

int
iter_name_labels(const uint8_t *name, size_t namelen)
{
	size_t	off = 0;
	int	n = 0;

	while (off < namelen && name[off] != 0) {
		off += 1 + name[off];
		n++;
	}
	return n;
}

/* The offset of label number skip of name in *off; 0, or -1. */
static int
name_at(const uint8_t *name, size_t namelen, int skip, size_t *off)
{
	size_t	o = 0;

	while (skip-- > 0) {
		if (o >= namelen || name[o] == 0)
			return -1;
		o += 1 + name[o];
	}
	*off = o;
	return o < namelen ? 0 : -1;
}

int
iter_name_under(const uint8_t *name, size_t namelen, const uint8_t *zone,
    size_t zonelen)
{
	int	nl = iter_name_labels(name, namelen);
	int	zl = iter_name_labels(zone, zonelen);
	size_t	off;

	if (nl < zl || name_at(name, namelen, nl - zl, &off) == -1)
		return 0;
	return dns_name_equal(name + off, namelen - off, zone, zonelen);
}

/*
 * Root hints.
 */

/* Add an address to ns unless it is full or has it already. */
static void
ns_addaddr(struct iter_ns *ns, const struct res_server *s)
{
	int	i;

	for (i = 0; i < ns->naddr; i++)
		if (ns->addr[i].sslen == s->sslen &&
		    memcmp(&ns->addr[i].ss, &s->ss, s->sslen) == 0)
			return;
	if (ns->naddr < ITER_MAXADDR)
		ns->addr[ns->naddr++] = *s;
}

/* The rdata of an A (4 bytes) or AAAA (16) record as a server; 0 or -1. */
static int
addr_from_rdata(const uint8_t *p, size_t len, uint16_t port,
    struct res_server *s)
{
	struct sockaddr_in	*s4 = (struct sockaddr_in *)&s->ss;
	struct sockaddr_in6	*s6 = (struct sockaddr_in6 *)&s->ss;

	memset(s, 0, sizeof(*s));
	if (len == 4) {
		s4->sin_family = AF_INET;
		memcpy(&s4->sin_addr, p, 4);
		s->sslen = sizeof(*s4);
	} else if (len == 16) {
		s6->sin6_family = AF_INET6;
		memcpy(&s6->sin6_addr, p, 16);
		s->sslen = sizeof(*s6);
	} else
		return -1;
	res_server_setport(s, port);
	return 0;
}

/*
 * One line of a hints file: NS records of "." go to d, A and AAAA
 * records to addrs (up to ITER_MAXNS * 2 of them).
 */
static int
hints_line(char *line, uint16_t port, struct iter_deleg *d,
    struct iter_ns *addrs, int *naddrs, const char **err)
{
	char			*w[6], *p, *semi;
	struct res_server	 s;
	struct iter_ns		*ns;
	uint8_t			 wire[DNS_NAME_MAX];
	size_t			 wlen;
	int			 nw = 0, i, t;

	if ((semi = strchr(line, ';')) != NULL)
		*semi = '\0';
	for (p = line; nw < 6;) {
		p += strspn(p, " \t\r");
		if (*p == '\0')
			break;
		w[nw++] = p;
		p += strcspn(p, " \t\r");
		if (*p != '\0')
			*p++ = '\0';
	}
	if (nw == 0)
		return 0;
	/* Owner, then TTL and class in either order, then type, data. */
	for (t = 1; t < nw - 1; t++)
		if (!isdigit((unsigned char)w[t][0]) &&
		    strcasecmp(w[t], "IN") != 0)
			break;
	if (t >= nw - 1) {
		*err = "a line without type and data";
		return -1;
	}
	if (dns_name_from_text(w[0], wire, sizeof(wire),
	    &wlen, err) == -1)
		return -1;
	if (strcasecmp(w[t], "NS") == 0) {
		if (wlen != 1)
			return 0;	/* only the root's servers */
		if (d->nns >= ITER_MAXNS) {
			*err = "too many servers";
			return -1;
		}
		ns = &d->ns[d->nns];
		memset(ns, 0, sizeof(*ns));
		if (dns_name_from_text(w[t + 1], ns->name, sizeof(ns->name),
		    &ns->namelen, err) == -1)
			return -1;
		d->nns++;
		return 0;
	}
	if (strcasecmp(w[t], "A") != 0 && strcasecmp(w[t], "AAAA") != 0)
		return 0;
	if (res_server_parse(w[t + 1], port, &s, NULL) == -1 ||
	    (s.ss.ss_family == AF_INET) != (strcasecmp(w[t], "A") == 0) ||
	    s.portset) {
		*err = "bad address";
		return -1;
	}
	for (i = 0; i < *naddrs; i++)
		if (dns_name_equal(addrs[i].name, addrs[i].namelen, wire,
		    wlen))
			break;
	if (i == *naddrs) {
		if (*naddrs >= ITER_MAXNS * 2) {
			*err = "too many servers";
			return -1;
		}
		memset(&addrs[i], 0, sizeof(addrs[i]));
		memcpy(addrs[i].name, wire, wlen);
		addrs[i].namelen = wlen;
		(*naddrs)++;
	}
	ns_addaddr(&addrs[i], &s);
	return 0;
}

int
iter_hints_parse(const char *buf, size_t len, uint16_t port,
    struct iter_deleg *d, const char **err)
{
	struct iter_ns	*addrs;
	char		 line[1024];
	size_t		 off = 0, n;
	const char	*nl;
	int		 naddrs = 0, i, k, rc = -1;

	memset(d, 0, sizeof(*d));
	d->zonelen = 1;
	d->ttl = 3600000;
	if ((addrs = calloc(ITER_MAXNS * 2, sizeof(*addrs))) == NULL) {
		*err = "out of memory";
		return -1;
	}
	while (off < len) {
		nl = memchr(buf + off, '\n', len - off);
		n = nl != NULL ? (size_t)(nl - (buf + off)) : len - off;
		if (n >= sizeof(line) || memchr(buf + off, '\0', n) != NULL) {
			*err = n >= sizeof(line) ? "line too long" :
			    "NUL byte";
			goto out;
		}
		memcpy(line, buf + off, n);
		line[n] = '\0';
		if (hints_line(line, port, d, addrs, &naddrs, err) == -1)
			goto out;
		off += n + 1;
	}
	for (i = 0; i < d->nns; i++)
		for (k = 0; k < naddrs; k++)
			if (dns_name_equal(d->ns[i].name, d->ns[i].namelen,
			    addrs[k].name, addrs[k].namelen)) {
				memcpy(d->ns[i].addr, addrs[k].addr,
				    sizeof(addrs[k].addr));
				d->ns[i].naddr = addrs[k].naddr;
				d->ns[i].glue = 1;
			}
	for (i = 0; i < d->nns && d->ns[i].naddr == 0; i++)
		;
	if (i == d->nns) {
		*err = "no root servers with an address";
		goto out;
	}
	rc = 0;
out:
	free(addrs);
	return rc;
}

/*
 * Classifying replies.
 */

/* The name in the rdata of rr (NS, CNAME) into name; 0, or -1. */
static int
rr_name(const struct dns_msg *m, const struct dns_rr *rr, uint8_t *name,
    size_t *namelen)
{
	const char	*err;
	size_t		 off = rr->rdoff;

	return dns_name_unpack(m->buf, m->len, &off, name, namelen, &err);
}

/*
 * A referral for qname from a server of zone: the NS set in the
 * authority section of the first owner strictly below zone that holds
 * qname, and the glue for its names.  1 if there is one, 0 if the
 * section has no NS record, -1 if only NS records that do not qualify.
 */
static int
classify_referral(const struct dns_msg *m, const uint8_t *qname,
    size_t qnamelen, const uint8_t *zone, size_t zonelen, uint16_t port,
    struct iter_class *c)
{
	struct iter_deleg	*d = &c->deleg;
	struct dns_iter		 it;
	struct dns_rr		 rr;
	struct res_server	 s;
	const char		*err;
	int			 seen = 0, i, zl = iter_name_labels(zone,
				    zonelen);

	dns_iter_init(&it, m, DNS_S_AUTHORITY);
	while (dns_rr_next(&it, &rr, &err) == 1) {
		if (rr.type != DNS_T_NS)
			continue;
		seen = 1;
		if (d->nns == 0) {
			if (iter_name_labels(rr.owner, rr.ownerlen) <= zl ||
			    !iter_name_under(rr.owner, rr.ownerlen, zone,
			    zonelen) || !iter_name_under(qname, qnamelen,
			    rr.owner, rr.ownerlen)) {
				c->ignored++;
				continue;
			}
			memcpy(d->zone, rr.owner, rr.ownerlen);
			d->zonelen = rr.ownerlen;
			d->ttl = rr.ttl;
		} else if (!dns_name_equal(rr.owner, rr.ownerlen, d->zone,
		    d->zonelen)) {
			c->ignored++;
			continue;
		}
		if (d->nns >= ITER_MAXNS)
			continue;
		memset(&d->ns[d->nns], 0, sizeof(d->ns[0]));
		if (rr_name(m, &rr, d->ns[d->nns].name,
		    &d->ns[d->nns].namelen) == -1)
			continue;
		d->ttl = rr.ttl < d->ttl ? rr.ttl : d->ttl;
		d->nns++;
	}
	if (d->nns == 0)
		return seen ? -1 : 0;
	/* Glue: addresses of these servers, only from zone's bailiwick. */
	dns_iter_init(&it, m, DNS_S_ADDITIONAL);
	while (dns_rr_next(&it, &rr, &err) == 1) {
		if ((rr.type != DNS_T_A || rr.rdlen != 4) &&
		    (rr.type != DNS_T_AAAA || rr.rdlen != 16))
			continue;
		for (i = 0; i < d->nns; i++)
			if (dns_name_equal(rr.owner, rr.ownerlen,
			    d->ns[i].name, d->ns[i].namelen))
				break;
		if (i == d->nns)
			continue;
		if (!iter_name_under(rr.owner, rr.ownerlen, zone, zonelen)) {
			c->ignored++;
			continue;
		}
		addr_from_rdata(m->buf + rr.rdoff, rr.rdlen, port, &s);
		ns_addaddr(&d->ns[i], &s);
		d->ns[i].glue = 1;
	}
	return 1;
}

int
iter_classify(const struct dns_msg *m, const uint8_t *qname,
    size_t qnamelen, uint16_t qtype, const uint8_t *zone, size_t zonelen,
    uint16_t port, struct iter_class *c)
{
	struct dns_iter	 it;
	struct dns_rr	 rr;
	const char	*err;
	uint8_t		 cur[DNS_NAME_MAX], next[DNS_NAME_MAX];
	size_t		 curlen, nextlen;
	int		 hops, found, cname, moved, soa = 0, rc;

	memset(c, 0, sizeof(*c));
	c->ttl = UINT32_MAX;
	switch (m->rcode) {
	case DNS_R_NOERROR:
	case DNS_R_NXDOMAIN:
		break;
	case DNS_R_REFUSED:
		c->kind = ITER_LAME;
		c->why = "REFUSED";
		return 0;
	case DNS_R_SERVFAIL:
		c->kind = ITER_LAME;
		c->why = "SERVFAIL";
		return 0;
	default:
		c->kind = ITER_LAME;
		c->why = "error rcode";
		return 0;
	}
	memcpy(cur, qname, qnamelen);
	curlen = qnamelen;
	/* The answer section, following CNAMEs that stay in the zone. */
	for (hops = 0; hops <= ITER_MAXCNAME; hops++) {
		found = cname = 0;
		dns_iter_init(&it, m, DNS_S_ANSWER);
		while (dns_rr_next(&it, &rr, &err) == 1) {
			if (!iter_name_under(rr.owner, rr.ownerlen, zone,
			    zonelen)) {
				if (hops == 0)
					c->ignored++;
				continue;
			}
			if (!dns_name_equal(rr.owner, rr.ownerlen, cur,
			    curlen))
				continue;
			if (rr.type == qtype || qtype == DNS_T_ANY) {
				found = 1;
				c->ttl = rr.ttl < c->ttl ? rr.ttl : c->ttl;
			} else if (rr.type == DNS_T_CNAME && !cname &&
			    rr_name(m, &rr, next, &nextlen) == 0) {
				cname = 1;
				c->ttl = rr.ttl < c->ttl ? rr.ttl : c->ttl;
			}
		}
		if (found) {
			c->kind = ITER_ANSWER;
			return 0;
		}
		if (!cname)
			break;
		memcpy(cur, next, nextlen);
		curlen = nextlen;
		/* A target outside the zone: its server must say. */
		if (!iter_name_under(cur, curlen, zone, zonelen))
			break;
	}
	moved = !dns_name_equal(cur, curlen, qname, qnamelen);
	memcpy(c->target, cur, curlen);
	c->targetlen = curlen;
	if (moved && (hops > ITER_MAXCNAME ||
	    !iter_name_under(cur, curlen, zone, zonelen))) {
		c->kind = ITER_CNAME;
		return 0;
	}
	if (m->rcode == DNS_R_NXDOMAIN) {
		c->kind = ITER_NXDOMAIN;
		return 0;
	}
	if ((rc = classify_referral(m, cur, curlen, zone, zonelen, port,
	    c)) == 1) {
		/* Below a CNAME: ask for the target from the top. */
		c->kind = moved ? ITER_CNAME : ITER_REFERRAL;
		return 0;
	}
	dns_iter_init(&it, m, DNS_S_AUTHORITY);
	while (dns_rr_next(&it, &rr, &err) == 1)
		soa |= rr.type == DNS_T_SOA;
	if ((m->flags & DNS_F_AA) || soa) {
		c->kind = moved ? ITER_CNAME : ITER_NODATA;
		return 0;
	}
	c->kind = ITER_LAME;
	c->why = rc == -1 ? "referral upward" : "not authoritative";
	return 0;
}

/*
 * The cache.
 */

/*
 * The cached zone cut strictly below zone, holding name, that is
 * closest to zone; NULL if none.
 */
static const struct iter_deleg *
dcache_find(struct iter *it, const uint8_t *name, size_t namelen,
    const uint8_t *zone, size_t zonelen)
{
	const struct iter_deleg	*best = NULL, *d;
	int64_t			 now = res_now_ms();
	int			 zl = iter_name_labels(zone, zonelen), l;
	int			 bl = 0;
	size_t			 i;

	for (i = 0; i < it->ndc; i++) {
		d = it->dc[i].d;
		if (it->dc[i].expire <= now)
			continue;
		l = iter_name_labels(d->zone, d->zonelen);
		if (l <= zl || (best != NULL && l >= bl) ||
		    !iter_name_under(d->zone, d->zonelen, zone, zonelen) ||
		    !iter_name_under(name, namelen, d->zone, d->zonelen))
			continue;
		best = d;
		bl = l;
	}
	return best;
}

/* Keep d for its TTL, replacing an entry for the same zone. */
static void
dcache_put(struct iter *it, const struct iter_deleg *d)
{
	size_t	i;

	for (i = 0; i < it->ndc; i++)
		if (dns_name_equal(it->dc[i].d->zone, it->dc[i].d->zonelen,
		    d->zone, d->zonelen))
			break;
	if (i == it->ndc) {
		if (it->ndc == ITER_CACHEMAX)
			i = it->dnext++ % ITER_CACHEMAX;
		else if ((it->dc[i].d = malloc(sizeof(*d))) != NULL)
			it->ndc++;
		else
			return;
	}
	*it->dc[i].d = *d;
	it->dc[i].expire = res_now_ms() + (int64_t)d->ttl * 1000;
}

static struct acache *
acache_find(struct iter *it, const uint8_t *name, size_t namelen,
    uint16_t type)
{
	int64_t	now = res_now_ms();
	size_t	i;

	for (i = 0; i < it->nac; i++)
		if (it->ac[i].type == type && it->ac[i].expire > now &&
		    dns_name_equal(it->ac[i].name, it->ac[i].namelen, name,
		    namelen))
			return &it->ac[i];
	return NULL;
}

/* Keep the reply msg to (name, type) from a server of zone for ttl. */
static void
acache_put(struct iter *it, const uint8_t *name, size_t namelen,
    uint16_t type, const uint8_t *zone, size_t zonelen, const uint8_t *msg,
    size_t len, uint32_t ttl)
{
	struct acache	*a;
	uint8_t		*copy;

	if (ttl == 0 || ttl == UINT32_MAX || (copy = malloc(len)) == NULL)
		return;
	memcpy(copy, msg, len);
	if ((a = acache_find(it, name, namelen, type)) == NULL) {
		if (it->nac < ITER_CACHEMAX)
			a = &it->ac[it->nac++];
		else
			a = &it->ac[it->anext++ % ITER_CACHEMAX];
	}
	free(a->msg);
	memcpy(a->name, name, namelen);
	a->namelen = namelen;
	a->type = type;
	memcpy(a->zone, zone, zonelen);
	a->zonelen = zonelen;
	a->msg = copy;
	a->len = len;
	a->expire = res_now_ms() + (int64_t)ttl * 1000;
}

/*
 * The driver.
 */

struct iter *
iter_new(const struct iter_params *p, const struct iter_deleg *hints,
    struct mk_err *e)
{
	struct iter	*it;

	if ((it = calloc(1, sizeof(*it))) == NULL ||
	    (it->dc = calloc(ITER_CACHEMAX, sizeof(*it->dc))) == NULL ||
	    (it->ac = calloc(ITER_CACHEMAX, sizeof(*it->ac))) == NULL) {
		if (it != NULL)
			free(it->dc);
		free(it);
		mk_seterr(e, MK_ESOFTWARE, "out of memory");
		return NULL;
	}
	it->p = *p;
	it->hints = *hints;
	return it;
}

void
iter_free(struct iter *it)
{
	size_t	i;

	if (it == NULL)
		return;
	for (i = 0; i < ITER_CACHEMAX; i++) {
		free(it->dc[i].d);
		free(it->ac[i].msg);
	}
	free(it->dc);
	free(it->ac);
	free(it);
}

/*
 * One query, blocking, as res_query but the finished query is kept
 * whatever happened, for its counters.  NULL only when none could be
 * made (e filled); e is MK_OK after a reply.
 */
static struct res_q *
query_one(const struct res_params *p, const uint8_t *qname, size_t qnamelen,
    uint16_t qtype, uint16_t qclass, struct mk_err *e)
{
	struct res_q	*q;
	struct pollfd	 pfd;
	int64_t		 deadline, wait;
	int		 rc, n;

	e->st = MK_OK;
	e->msg[0] = '\0';
	if ((q = res_q_new(p, qname, qnamelen, qtype, qclass, e)) == NULL)
		return NULL;
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
			break;
		}
		rc = res_q_step(q, n == 0 ? 0 : pfd.revents, e);
	}
	if (rc == RES_Q_DONE)
		e->st = MK_OK;
	return q;
}

/* Report a step to the caller. */
static void
step(struct iter *it, const struct iter_step *s)
{
	if (it->p.step != NULL)
		it->p.step(it->p.arg, s);
}

/*
 * Find addresses for the server ns, which came without glue, by
 * resolving its name (one level deeper).  0 with ns->addr filled, or
 * -1 (e filled; the deadline, a loop, nothing found).
 */
static int
ns_resolve(struct iter *it, int depth, struct iter_ns *ns, struct mk_err *e)
{
	struct fin	 f = { 0 };
	struct dns_msg	 m;
	struct dns_iter	 di;
	struct dns_rr	 rr;
	struct res_server s;
	enum iter_kind	 kind;
	const char	*err;
	uint16_t	 t = it->p.family == AF_INET6 ? DNS_T_AAAA : DNS_T_A;
	int		 i, rc = -1;

	for (i = 0; i < it->nstack; i++)
		if (dns_name_equal(it->stack[i], it->stacklen[i], ns->name,
		    ns->namelen))
			return mk_seterr(e, MK_EUNAVAIL, "referral loop: "
			    "the address of a server depends on itself");
	if (it->nstack >= ITER_MAXDEPTH)
		return mk_seterr(e, MK_EUNAVAIL, "server names nested too "
		    "deep (referral loop?)");
	memcpy(it->stack[it->nstack], ns->name, ns->namelen);
	it->stacklen[it->nstack++] = ns->namelen;
	if (resolve(it, depth + 1, ns->name, ns->namelen, t, &kind, &f,
	    e) == -1)
		goto out;
	if (kind != ITER_ANSWER || dns_msg_parse(f.msg, f.len, &m,
	    &err) == -1) {
		mk_seterr(e, MK_EUNAVAIL, "server name without an address");
		goto out;
	}
	dns_iter_init(&di, &m, DNS_S_ANSWER);
	while (dns_rr_next(&di, &rr, &err) == 1) {
		if (rr.type != t || !dns_name_equal(rr.owner, rr.ownerlen,
		    f.name, f.namelen))
			continue;
		if (addr_from_rdata(m.buf + rr.rdoff, rr.rdlen, it->p.port,
		    &s) == 0)
			ns_addaddr(ns, &s);
	}
	rc = ns->naddr > 0 ? 0 : mk_seterr(e, MK_EUNAVAIL,
	    "server name without an address");
out:
	it->nstack--;
	free(f.msg);
	return rc;
}

/*
 * Ask the servers of d, in order, each address in turn, until one
 * gives a reply that is not lame: 0 with c and f (the reply) filled, or
 * -1 with e filled.  A server without an address is looked up first.
 */
static int
ask_zone(struct iter *it, int depth, struct iter_deleg *d,
    const uint8_t *qname, size_t qnamelen, uint16_t qtype,
    struct iter_class *c, struct fin *f, struct mk_err *e)
{
	struct iter_step	 s;
	struct res_params	 rp;
	struct res_q		*q;
	struct res_result	 r;
	struct dns_msg		 m;
	struct mk_err		 qe, sub;
	const char		*err;
	char			 why[300];
	int64_t			 left;
	int			 i, k, n, ntimeout = 0, ntries = 0;

	snprintf(why, sizeof(why), "no server with an address");
	for (i = 0; i < d->nns; i++) {
		struct iter_ns *ns = &d->ns[i];

		if (ns->naddr == 0 && iter_name_under(ns->name, ns->namelen,
		    d->zone, d->zonelen))
			continue;	/* in the zone, without glue */
		if (ns->naddr == 0 && ns_resolve(it, depth, ns, &sub) == -1) {
			if (it->expired)
				return mk_seterr(e, sub.st, "%s", sub.msg);
			memset(&s, 0, sizeof(s));
			s.depth = depth;
			s.qname = ns->name;
			s.qnamelen = ns->namelen;
			s.qtype = it->p.family == AF_INET6 ? DNS_T_AAAA :
			    DNS_T_A;
			s.zone = d->zone;
			s.zonelen = d->zonelen;
			s.failed = 1;
			s.err = sub.msg;
			step(it, &s);
			snprintf(why, sizeof(why), "%.250s", sub.msg);
			continue;
		}
		for (k = 0; k < ns->naddr; k++) {
			if (it->p.family != AF_UNSPEC &&
			    ns->addr[k].ss.ss_family != it->p.family)
				continue;
			left = it->deadline - res_now_ms();
			if (left <= 0) {
				it->expired = 1;
				return mk_seterr(e, MK_ETEMP, "deadline of "
				    "%d s passed", it->p.deadline_ms / 1000);
			}
			if (it->queries >= ITER_MAXQUERIES)
				return mk_seterr(e, MK_EUNAVAIL, "more than "
				    "%d queries: giving up", ITER_MAXQUERIES);
			rp = it->p.rp;
			rp.servers[0] = ns->addr[k];
			rp.nservers = 1;
			rp.rd = 0;
			rp.rotate = 0;
			/*
			 * The tries of this query fill the time left at most:
			 * fewer of them, the last ones shorter.
			 */
			if (left < (int64_t)rp.timeout_ms * (rp.retries + 1)) {
				n = (int)((left + rp.timeout_ms - 1) /
				    rp.timeout_ms);
				rp.retries = n - 1;
				rp.timeout_ms = (int)((left + n - 1) / n);
			}
			memset(&s, 0, sizeof(s));
			s.depth = depth;
			s.qname = qname;
			s.qnamelen = qnamelen;
			s.qtype = qtype;
			s.zone = d->zone;
			s.zonelen = d->zonelen;
			s.nsname = ns->name;
			s.nsnamelen = ns->namelen;
			s.addr = ns->addr[k].text;
			ntries++;
			if ((q = query_one(&rp, qname, qnamelen, qtype,
			    it->p.qclass, &qe)) == NULL)
				return mk_seterr(e, qe.st, "%s", qe.msg);
			res_q_result(q, &r);
			it->queries += r.stats.sent;
			it->replies += r.stats.sent - r.stats.timeouts -
			    r.stats.unreachable;
			/* A REFUSED or SERVFAIL reply is kept: it is lame. */
			if (qe.st != MK_OK && qe.st != MK_EUNAVAIL)
				r.reply = NULL;
			s.time_ms = r.time_ms;
			s.reply = r.reply;
			s.len = r.len;
			/* Less than DEADLINE_SLACK left: no time for more. */
			if (r.reply == NULL && res_now_ms() + DEADLINE_SLACK >=
			    it->deadline) {
				s.failed = 1;
				s.err = qe.msg;
				step(it, &s);
				res_q_free(q);
				it->expired = 1;
				return mk_seterr(e, MK_ETEMP, "deadline of "
				    "%d s passed", it->p.deadline_ms / 1000);
			}
			if (r.reply == NULL || dns_msg_parse(r.reply, r.len, &m,
			    &err) == -1) {
				s.failed = 1;
				s.err = r.reply == NULL ? qe.msg : err;
				ntimeout += qe.st == MK_ETEMP;
				step(it, &s);
				snprintf(why, sizeof(why), "%.250s", s.err);
				res_q_free(q);
				continue;
			}
			iter_classify(&m, qname, qnamelen, qtype, d->zone,
			    d->zonelen, it->p.port, c);
			s.c = c;
			step(it, &s);
			if (c->kind == ITER_LAME) {
				snprintf(why, sizeof(why), "lame server %s: %s",
				    ns->addr[k].text, c->why);
				res_q_free(q);
				break;	/* the next server */
			}
			f->msg = malloc(r.len);
			if (f->msg == NULL) {
				res_q_free(q);
				return mk_seterr(e, MK_ESOFTWARE,
				    "out of memory");
			}
			memcpy(f->msg, r.reply, r.len);
			f->len = r.len;
			memcpy(f->name, qname, qnamelen);
			f->namelen = qnamelen;
			res_q_free(q);
			return 0;
		}
	}
	if (ntries > 0 && ntimeout == ntries)
		return mk_seterr(e, MK_ETEMP, "no server of the zone "
		    "answered: %s", why);
	/* A loop found deeper down is the reason: say it once. */
	if (strncmp(why, "referral loop", 13) == 0)
		return mk_seterr(e, MK_EUNAVAIL, "%s", why);
	return mk_seterr(e, MK_EUNAVAIL, "no usable server: %s", why);
}

/*
 * Resolve qname/qtype at depth (0: the caller's name), from the
 * answer cache, else from the closest cached zone cut, else from the
 * root; follow referrals and CNAMEs.  0 with *kind (and f, the last
 * reply, for ITER_ANSWER) set, or -1 with e filled.
 */
static int
resolve(struct iter *it, int depth, const uint8_t *qname, size_t qnamelen,
    uint16_t qtype, enum iter_kind *kind, struct fin *f, struct mk_err *e)
{
	struct iter_step	 s;
	struct iter_deleg	*d = NULL;
	struct iter_class	*c = NULL;
	const struct iter_deleg	*cd;
	struct acache		*a;
	struct dns_msg		 m;
	const char		*err;
	uint8_t			 cur[DNS_NAME_MAX];
	uint8_t			 chain[ITER_MAXCNAME + 1][DNS_NAME_MAX];
	size_t			 chainlen[ITER_MAXCNAME + 1], curlen;
	int			 nchain = 0, i, rc = -1;

	if ((d = malloc(sizeof(*d))) == NULL ||
	    (c = malloc(sizeof(*c))) == NULL) {
		mk_seterr(e, MK_ESOFTWARE, "out of memory");
		goto out;
	}
	memcpy(cur, qname, qnamelen);
	curlen = qnamelen;
	for (;;) {
		/* Each name of the CNAME chain once. */
		for (i = 0; i < nchain; i++)
			if (dns_name_equal(chain[i], chainlen[i], cur,
			    curlen)) {
				mk_seterr(e, MK_EUNAVAIL, "CNAME loop");
				goto out;
			}
		if (nchain > ITER_MAXCNAME) {
			mk_seterr(e, MK_EUNAVAIL, "more than %d CNAMEs",
			    ITER_MAXCNAME);
			goto out;
		}
		memcpy(chain[nchain], cur, curlen);
		chainlen[nchain++] = curlen;
		memset(&s, 0, sizeof(s));
		s.depth = depth;
		s.qname = cur;
		s.qnamelen = curlen;
		s.qtype = qtype;
		s.cached = 1;
		s.c = c;
		free(f->msg);
		f->msg = NULL;
		if ((a = acache_find(it, cur, curlen, qtype)) != NULL &&
		    dns_msg_parse(a->msg, a->len, &m, &err) == 0) {
			/* Known: no message needed. */
			iter_classify(&m, cur, curlen, qtype, a->zone,
			    a->zonelen, it->p.port, c);
			s.zone = a->zone;
			s.zonelen = a->zonelen;
			s.reply = a->msg;
			s.len = a->len;
			step(it, &s);
			if ((f->msg = malloc(a->len)) == NULL) {
				mk_seterr(e, MK_ESOFTWARE, "out of memory");
				goto out;
			}
			memcpy(f->msg, a->msg, a->len);
			f->len = a->len;
			memcpy(f->name, cur, curlen);
			f->namelen = curlen;
		} else {
			/* Down from the root through the cached cuts. */
			*d = it->hints;
			while ((cd = dcache_find(it, cur, curlen, d->zone,
			    d->zonelen)) != NULL) {
				memset(c, 0, sizeof(*c));
				c->kind = ITER_REFERRAL;
				c->deleg = *cd;
				s.zone = d->zone;
				s.zonelen = d->zonelen;
				step(it, &s);
				*d = *cd;
			}
			for (;;) {
				if (ask_zone(it, depth, d, cur, curlen, qtype,
				    c, f, e) == -1)
					goto out;
				if (c->kind != ITER_REFERRAL)
					break;
				dcache_put(it, &c->deleg);
				*d = c->deleg;
				free(f->msg);
				f->msg = NULL;
			}
			if (c->kind == ITER_ANSWER || c->kind == ITER_CNAME)
				acache_put(it, cur, curlen, qtype, d->zone,
				    d->zonelen, f->msg, f->len, c->ttl);
		}
		if (c->kind != ITER_CNAME)
			break;
		memcpy(cur, c->target, c->targetlen);
		curlen = c->targetlen;
	}
	*kind = c->kind;
	rc = 0;
out:
	free(d);
	free(c);
	return rc;
}

int
iter_resolve(struct iter *it, const uint8_t *qname, size_t qnamelen,
    uint16_t qtype, struct iter_result *r, struct mk_err *e)
{
	struct fin	 f = { 0 };
	struct timespec	 t0, t1;
	int		 rc;

	memset(r, 0, sizeof(*r));
	clock_gettime(CLOCK_MONOTONIC, &t0);
	it->deadline = res_now_ms() + it->p.deadline_ms;
	it->expired = 0;
	it->queries = it->replies = 0;
	it->nstack = 0;
	rc = resolve(it, 0, qname, qnamelen, qtype, &r->kind, &f, e);
	free(f.msg);
	r->queries = it->queries;
	r->replies = it->replies;
	clock_gettime(CLOCK_MONOTONIC, &t1);
	r->time_ms = (double)(t1.tv_sec - t0.tv_sec) * 1000.0 +
	    (double)(t1.tv_nsec - t0.tv_nsec) / 1e6;
	return rc;
}
