/*
 * test_iter.c: the pure decisions of the iterative resolver: zone
 * tests, root hints, and what replies mean (referrals and the bailiwick
 * rule for glue, lame servers, CNAMEs inside and across zones, NXDOMAIN
 * and NODATA), on messages built here byte by byte.
 */
#include <sys/socket.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include <string.h>

#include "iter.h"
#include "t.h"

/* A message under construction. */
struct mb {
	uint8_t	b[2048];
	size_t	n;
};

static void
mb_u16(struct mb *m, uint16_t v)
{
	m->b[m->n++] = (uint8_t)(v >> 8);
	m->b[m->n++] = (uint8_t)v;
}

static void
mb_u32(struct mb *m, uint32_t v)
{
	mb_u16(m, (uint16_t)(v >> 16));
	mb_u16(m, (uint16_t)v);
}

static void
mb_name(struct mb *m, const char *text)
{
	const char	*err;
	size_t		 len;

	T_CHECK(dns_name_from_text(text, m->b + m->n, sizeof(m->b) - m->n,
	    &len, &err) != -1);
	m->n += len;
}

/* Header with one question (name, type IN). */
static void
mb_start(struct mb *m, uint16_t flags, const char *qname, uint16_t qtype,
    int an, int ns, int ar)
{
	m->n = 0;
	mb_u16(m, 0x1234);
	mb_u16(m, (uint16_t)(DNS_F_QR | flags));
	mb_u16(m, 1);
	mb_u16(m, (uint16_t)an);
	mb_u16(m, (uint16_t)ns);
	mb_u16(m, (uint16_t)ar);
	mb_name(m, qname);
	mb_u16(m, qtype);
	mb_u16(m, DNS_C_IN);
}

static void
mb_rr_head(struct mb *m, const char *owner, uint16_t type, uint16_t rdlen)
{
	mb_name(m, owner);
	mb_u16(m, type);
	mb_u16(m, DNS_C_IN);
	mb_u32(m, 3600);
	mb_u16(m, rdlen);
}

static void
mb_a(struct mb *m, const char *owner, const char *addr)
{
	mb_rr_head(m, owner, DNS_T_A, 4);
	inet_pton(AF_INET, addr, m->b + m->n);
	m->n += 4;
}

/* A record whose rdata is one name: NS, CNAME. */
static void
mb_rrname(struct mb *m, const char *owner, uint16_t type, const char *name)
{
	size_t	at;

	mb_rr_head(m, owner, type, 0);
	at = m->n;
	mb_name(m, name);
	m->b[at - 2] = (uint8_t)((m->n - at) >> 8);
	m->b[at - 1] = (uint8_t)(m->n - at);
}

static void
mb_soa(struct mb *m, const char *owner)
{
	size_t	at;

	mb_rr_head(m, owner, DNS_T_SOA, 0);
	at = m->n;
	mb_name(m, "ns.example.org.");
	mb_name(m, "host.example.org.");
	mb_u32(m, 1);
	mb_u32(m, 2);
	mb_u32(m, 3);
	mb_u32(m, 4);
	mb_u32(m, 5);
	m->b[at - 2] = (uint8_t)((m->n - at) >> 8);
	m->b[at - 1] = (uint8_t)(m->n - at);
}

/* Wire forms of names for the checks. */
struct wn {
	uint8_t	w[DNS_NAME_MAX];
	size_t	len;
};

static struct wn
W(const char *text)
{
	struct wn	 n;
	const char	*err;

	memset(&n, 0, sizeof(n));
	(void)dns_name_from_text(text, n.w, sizeof(n.w), &n.len, &err);
	return n;
}

static int quiet;	/* no message for a parse failure */

/* Classify m's bytes for (qname, qtype) from a server of zone. */
static int
classify(const struct mb *mb, const char *qname, uint16_t qtype,
    const char *zone, struct iter_class *c)
{
	struct dns_msg	 m;
	struct wn	 q = W(qname), z = W(zone);
	const char	*err;

	if (dns_msg_parse(mb->b, mb->n, &m, &err) == -1) {
		if (!quiet)
			printf("#   parse: %s\n", err);
		return -1;
	}
	return iter_classify(&m, q.w, q.len, qtype, z.w, z.len, 53, c);
}

static void
names(void)
{
	struct wn a = W("www.Example.org."), b = W("example.ORG."),
	    r = W("."), o = W("xample.org."), n = W("www.example.net.");

	T_EQ_INT(iter_name_labels(a.w, a.len), 3);
	T_EQ_INT(iter_name_labels(r.w, r.len), 0);
	T_CHECK(iter_name_under(a.w, a.len, b.w, b.len));
	T_CHECK(iter_name_under(b.w, b.len, b.w, b.len));
	T_CHECK(iter_name_under(a.w, a.len, r.w, r.len));
	T_CHECK(!iter_name_under(b.w, b.len, a.w, a.len));
	/* Labels, not bytes: "xample.org." does not hold example.org. */
	T_CHECK(!iter_name_under(b.w, b.len, o.w, o.len));
	T_CHECK(!iter_name_under(n.w, n.len, b.w, b.len));
}

static void
hints(void)
{
	static const char ok[] =
	    "; a comment\n"
	    ".  3600000  IN  NS  a.root.test.\n"
	    ".  NS  b.root.test. ; no TTL\n"
	    "a.root.test.  3600000  A  127.0.1.1\n"
	    "a.root.test.  3600000  AAAA  ::1\n"
	    "b.root.test.  IN 60 A 127.0.1.2\n"
	    "org.  NS  ignored.test.\n";
	struct iter_deleg	 d;
	const char		*err = NULL;

	T_EQ_INT(iter_hints_parse(ok, sizeof(ok) - 1, 5353, &d, &err), 0);
	T_EQ_INT(d.nns, 2);
	T_EQ_INT(d.zonelen, 1);
	T_EQ_INT(d.ns[0].naddr, 2);
	T_EQ_STR(d.ns[0].addr[0].text, "127.0.1.1#5353");
	T_EQ_STR(d.ns[0].addr[1].text, "::1#5353");
	T_EQ_STR(d.ns[1].addr[0].text, "127.0.1.2#5353");
	T_EQ_INT(iter_hints_parse(iter_root_hints, strlen(iter_root_hints),
	    53, &d, &err), 0);
	T_EQ_INT(d.nns, 13);
	T_EQ_STR(d.ns[0].addr[0].text, "198.41.0.4#53");
	T_EQ_INT(d.ns[12].naddr, 2);
	T_EQ_INT(iter_hints_parse(". NS a.test.\n", 13, 53, &d, &err), -1);
	T_EQ_STR(err, "no root servers with an address");
	T_EQ_INT(iter_hints_parse(". NS a.test.\na.test. A ::1\n", 26, 53, &d,
	    &err), -1);
	T_EQ_STR(err, "bad address");
	T_EQ_INT(iter_hints_parse("a.test.\n", 8, 53, &d, &err), -1);
	T_EQ_INT(iter_hints_parse(". NS a\0b\n", 9, 53, &d, &err), -1);
}

/*
 * A referral from org. to example.org.: glue for the server inside
 * org. is kept; an address for a server name under net. (outside the
 * bailiwick of an org. server) and an unrelated record are not.
 */
static void
referral_bailiwick(void)
{
	struct mb		 m;
	struct iter_class	 c;

	mb_start(&m, 0, "www.example.org.", DNS_T_A, 0, 2, 3);
	mb_rrname(&m, "example.org.", DNS_T_NS, "ns1.example.org.");
	mb_rrname(&m, "example.org.", DNS_T_NS, "ns.evil.net.");
	mb_a(&m, "ns1.example.org.", "192.0.2.1");
	mb_a(&m, "ns.evil.net.", "203.0.113.66");
	mb_a(&m, "www.example.org.", "203.0.113.66");
	T_EQ_INT(classify(&m, "www.example.org.", DNS_T_A, "org.", &c), 0);
	T_EQ_INT(c.kind, ITER_REFERRAL);
	T_EQ_INT(c.deleg.nns, 2);
	T_CHECK(dns_name_equal(c.deleg.zone, c.deleg.zonelen,
	    W("example.org.").w, W("example.org.").len));
	T_EQ_INT(c.deleg.ns[0].naddr, 1);
	T_EQ_STR(c.deleg.ns[0].addr[0].text, "192.0.2.1#53");
	T_EQ_INT(c.deleg.ns[1].naddr, 0);
	T_EQ_INT(c.ignored, 1);
	T_EQ_INT(c.deleg.ttl, 3600);
	/* Every prefix of it: a clean parse failure, never a crash. */
	quiet = 1;
	for (m.n--; m.n > 0; m.n--)
		T_EQ_INT(classify(&m, "www.example.org.", DNS_T_A, "org.",
		    &c), -1);
	quiet = 0;
}

/* NS records that do not lead down toward the name: lame. */
static void
referral_upward(void)
{
	struct mb		 m;
	struct iter_class	 c;

	mb_start(&m, 0, "www.example.org.", DNS_T_A, 0, 1, 0);
	mb_rrname(&m, "org.", DNS_T_NS, "ns.nic.org.");
	T_EQ_INT(classify(&m, "www.example.org.", DNS_T_A, "example.org.",
	    &c), 0);
	T_EQ_INT(c.kind, ITER_LAME);
	T_EQ_STR(c.why, "referral upward");
	/* Sideways: a zone that does not hold the name. */
	mb_start(&m, 0, "www.example.org.", DNS_T_A, 0, 1, 0);
	mb_rrname(&m, "other.org.", DNS_T_NS, "ns.other.org.");
	T_EQ_INT(classify(&m, "www.example.org.", DNS_T_A, "org.", &c), 0);
	T_EQ_INT(c.kind, ITER_LAME);
	/* A server of the zone itself without AA: not authoritative. */
	mb_start(&m, 0, "www.example.org.", DNS_T_A, 0, 0, 0);
	T_EQ_INT(classify(&m, "www.example.org.", DNS_T_A, "example.org.",
	    &c), 0);
	T_EQ_INT(c.kind, ITER_LAME);
	T_EQ_STR(c.why, "not authoritative");
	mb_start(&m, DNS_R_REFUSED, "www.example.org.", DNS_T_A, 0, 0, 0);
	T_EQ_INT(classify(&m, "www.example.org.", DNS_T_A, "example.org.",
	    &c), 0);
	T_EQ_INT(c.kind, ITER_LAME);
	T_EQ_STR(c.why, "REFUSED");
}

static void
answers(void)
{
	struct mb		 m;
	struct iter_class	 c;

	mb_start(&m, DNS_F_AA, "www.example.org.", DNS_T_A, 1, 0, 0);
	mb_a(&m, "www.example.org.", "192.0.2.1");
	T_EQ_INT(classify(&m, "www.example.org.", DNS_T_A, "example.org.",
	    &c), 0);
	T_EQ_INT(c.kind, ITER_ANSWER);
	T_EQ_INT(c.ttl, 3600);
	/* A chain inside the zone, answered in the same message. */
	mb_start(&m, DNS_F_AA, "a.example.org.", DNS_T_A, 2, 0, 0);
	mb_rrname(&m, "a.example.org.", DNS_T_CNAME, "b.example.org.");
	mb_a(&m, "b.example.org.", "192.0.2.2");
	T_EQ_INT(classify(&m, "a.example.org.", DNS_T_A, "example.org.", &c),
	    0);
	T_EQ_INT(c.kind, ITER_ANSWER);
	/* To another zone: its address here is out of bailiwick. */
	mb_start(&m, DNS_F_AA, "a.example.org.", DNS_T_A, 2, 0, 0);
	mb_rrname(&m, "a.example.org.", DNS_T_CNAME, "www.example.net.");
	mb_a(&m, "www.example.net.", "203.0.113.66");
	T_EQ_INT(classify(&m, "a.example.org.", DNS_T_A, "example.org.", &c),
	    0);
	T_EQ_INT(c.kind, ITER_CNAME);
	T_CHECK(dns_name_equal(c.target, c.targetlen,
	    W("www.example.net.").w, W("www.example.net.").len));
	T_EQ_INT(c.ignored, 1);
	/* The type asked for CNAME itself is an answer. */
	T_EQ_INT(classify(&m, "a.example.org.", DNS_T_CNAME, "example.org.",
	    &c), 0);
	T_EQ_INT(c.kind, ITER_ANSWER);
	/* A poisoned answer for a name outside the zone is ignored. */
	mb_start(&m, DNS_F_AA, "www.example.net.", DNS_T_A, 1, 0, 0);
	mb_a(&m, "www.example.net.", "203.0.113.66");
	T_EQ_INT(classify(&m, "www.example.net.", DNS_T_A, "example.org.",
	    &c), 0);
	T_CHECK(c.kind != ITER_ANSWER);
	/* A loop inside one message ends as a CNAME for the driver. */
	mb_start(&m, DNS_F_AA, "a.example.org.", DNS_T_A, 2, 0, 0);
	mb_rrname(&m, "a.example.org.", DNS_T_CNAME, "b.example.org.");
	mb_rrname(&m, "b.example.org.", DNS_T_CNAME, "a.example.org.");
	T_EQ_INT(classify(&m, "a.example.org.", DNS_T_A, "example.org.", &c),
	    0);
	T_EQ_INT(c.kind, ITER_CNAME);
}

static void
negative(void)
{
	struct mb		 m;
	struct iter_class	 c;

	mb_start(&m, DNS_F_AA | DNS_R_NXDOMAIN, "nx.example.org.", DNS_T_A,
	    0, 1, 0);
	mb_soa(&m, "example.org.");
	T_EQ_INT(classify(&m, "nx.example.org.", DNS_T_A, "example.org.", &c),
	    0);
	T_EQ_INT(c.kind, ITER_NXDOMAIN);
	mb_start(&m, DNS_F_AA, "www.example.org.", DNS_T_MX, 0, 1, 0);
	mb_soa(&m, "example.org.");
	T_EQ_INT(classify(&m, "www.example.org.", DNS_T_MX, "example.org.",
	    &c), 0);
	T_EQ_INT(c.kind, ITER_NODATA);
	/* NODATA with the zone's NS set (as nsd sends it) and AA. */
	mb_start(&m, DNS_F_AA, "www.example.org.", DNS_T_MX, 0, 1, 0);
	mb_rrname(&m, "example.org.", DNS_T_NS, "ns1.example.org.");
	T_EQ_INT(classify(&m, "www.example.org.", DNS_T_MX, "example.org.",
	    &c), 0);
	T_EQ_INT(c.kind, ITER_NODATA);
}

int
main(void)
{
	T_RUN(names);
	T_RUN(hints);
	T_RUN(referral_bailiwick);
	T_RUN(referral_upward);
	T_RUN(answers);
	T_RUN(negative);
	T_DONE();
}
