/*
 * iter.h: iterative resolution from the root, as a resolver does it and
 * as "mlookup --trace" shows it.
 *
 * Two layers.  The decisions are pure functions over parsed messages
 * (no I/O, unit-tested with byte vectors): iter_hints_parse reads a
 * named.root file, iter_classify says what a reply from a server of a
 * zone means (an answer, a CNAME to chase, NXDOMAIN or NODATA, a
 * referral with the glue that passes the bailiwick rule, or a lame
 * server) and iter_name_under is the zone test they rest on.  The
 * driver, iter_resolve, asks servers one at a time with RD=0 through
 * res_query and reports every step to a callback; it keeps a cache of
 * delegations, server addresses and answers across calls, so a batch
 * asks the root and the TLDs once.
 *
 * Bounds: at most ITER_MAXCNAME CNAMEs per name (a CNAME seen twice is a
 * loop), ITER_MAXDEPTH nested lookups of server names (a server name
 * looked up while its own lookup is running is a referral loop),
 * ITER_MAXQUERIES queries per name, and the deadline of the params over
 * all of it.
 */
#ifndef ITER_H
#define ITER_H

#include <stddef.h>
#include <stdint.h>

#include "dns.h"
#include "mk.h"
#include "res.h"

#define ITER_MAXNS	13	/* servers of one NS set kept */
#define ITER_MAXADDR	4	/* addresses of one server kept */
#define ITER_MAXCNAME	16	/* CNAMEs followed for one name */
#define ITER_MAXDEPTH	6	/* nested lookups of server names */
#define ITER_MAXQUERIES	100	/* queries for one name, all told */
#define ITER_CACHEMAX	4096	/* entries of each cache */

/* One name server of an NS set, with the addresses known for it. */
struct iter_ns {
	uint8_t		 name[DNS_NAME_MAX];	/* wire form */
	size_t		 namelen;
	struct res_server addr[ITER_MAXADDR];
	int		 naddr;
	int		 glue;		/* addresses came as glue */
};

/* A zone cut: the zone and its servers. */
struct iter_deleg {
	uint8_t		 zone[DNS_NAME_MAX];	/* wire form */
	size_t		 zonelen;
	struct iter_ns	 ns[ITER_MAXNS];
	int		 nns;
	uint32_t	 ttl;		/* seconds, of the NS set */
};

enum iter_kind {
	ITER_ANSWER,		/* records of the type asked */
	ITER_CNAME,		/* a CNAME chain to follow: target */
	ITER_NXDOMAIN,
	ITER_NODATA,
	ITER_REFERRAL,		/* deleg: a zone below, ask its servers */
	ITER_LAME		/* why: ask the next server */
};

/* What a reply means; iter_classify fills it. */
struct iter_class {
	enum iter_kind	 kind;
	uint8_t		 target[DNS_NAME_MAX];	/* ITER_CNAME: next name */
	size_t		 targetlen;
	struct iter_deleg deleg;	/* ITER_REFERRAL */
	int		 ignored;	/* out-of-bailiwick records dropped */
	uint32_t	 ttl;		/* smallest TTL of the answer */
	const char	*why;		/* ITER_LAME: static reason */
};

/* One step of a resolution, as reported to the caller. */
struct iter_step {
	int		 depth;		/* 0: the name; n: a server's name */
	const uint8_t	*qname;		/* what was asked */
	size_t		 qnamelen;
	uint16_t	 qtype;
	const uint8_t	*zone;		/* the zone whose server was asked */
	size_t		 zonelen;
	const uint8_t	*nsname;	/* the server; NULL when cached */
	size_t		 nsnamelen;
	const char	*addr;		/* "127.0.0.1#53"; NULL when cached */
	int		 cached;	/* from the cache: no message sent */
	int		 failed;	/* no usable reply: err says why */
	const char	*err;
	const struct iter_class *c;	/* when !failed */
	const uint8_t	*reply;		/* the reply (untrusted), or NULL */
	size_t		 len;
	double		 time_ms;
};

/* Settings of iter_resolve; the caller fills it, iter_new copies it. */
struct iter_params {
	struct res_params rp;		/* timeout, retries, EDNS, ...;
					   servers and rd are ignored */
	int		 family;	/* AF_UNSPEC, AF_INET, AF_INET6 */
	int		 deadline_ms;	/* for one name, all steps */
	uint16_t	 port;		/* servers' port, normally 53 */
	uint16_t	 qclass;
	void		(*step)(void *, const struct iter_step *);
	void		*arg;		/* borrowed; step's argument */
};

/* The outcome of iter_resolve. */
struct iter_result {
	enum iter_kind	 kind;		/* ANSWER, NXDOMAIN or NODATA */
	unsigned int	 queries;	/* messages sent */
	unsigned int	 replies;	/* messages received */
	double		 time_ms;
};

struct iter;

/*
 * The root hints in named.root form (zone-file lines "NAME [TTL] [IN]
 * TYPE DATA"; ';' starts a comment): the NS records of "." and the A
 * and AAAA records of their names.  Fills d (zone ".").  0, or -1 with
 * *err set ("no root servers", "bad address", "too many servers").
 * Pure; port is put on every address.
 */
int	iter_hints_parse(const char *buf, size_t len, uint16_t port,
	    struct iter_deleg *d, const char **err);

/* The IANA root hints built in (a.root-servers.net ... m). */
extern const char iter_root_hints[];

/* Nonzero if the wire-form name is zone or below it (case ignored). */
int	iter_name_under(const uint8_t *name, size_t namelen,
	    const uint8_t *zone, size_t zonelen);

/* The number of labels of a wire-form name ("." has 0). */
int	iter_name_labels(const uint8_t *name, size_t namelen);

/*
 * What the reply m (parsed, untrusted) to the question qname/qtype,
 * from a server of zone, means, following the CNAMEs inside it.  The
 * bailiwick rule: records owned by names outside zone are ignored
 * (counted in c->ignored), so is glue for names that are not servers of
 * the referral; a referral must be to a zone strictly below zone that
 * holds qname (anything else is lame: "referral upward").  REFUSED,
 * SERVFAIL, NOTIMP, FORMERR and answers without AA that are not
 * referrals are lame too.  port goes on every glue address.  Returns 0.
 */
int	iter_classify(const struct dns_msg *m, const uint8_t *qname,
	    size_t qnamelen, uint16_t qtype, const uint8_t *zone,
	    size_t zonelen, uint16_t port, struct iter_class *c);

/*
 * A resolver with the root hints (copied) and the params p (copied).
 * NULL on out of memory (e filled).
 */
struct iter	*iter_new(const struct iter_params *p,
		    const struct iter_deleg *hints, struct mk_err *e);
void		 iter_free(struct iter *it);

/*
 * Resolve qname/qtype from the root (or from what the cache knows),
 * calling p->step for every step.  0 with r filled (ANSWER, NXDOMAIN,
 * NODATA), or -1 with e filled and r's counters set: MK_ETEMP (the
 * deadline passed, or every server timed out), MK_EUNAVAIL (every
 * server lame, a CNAME or referral loop, too many queries),
 * MK_ESOFTWARE (out of memory).
 */
int	iter_resolve(struct iter *it, const uint8_t *qname, size_t qnamelen,
	    uint16_t qtype, struct iter_result *r, struct mk_err *e);

#endif /* ITER_H */
