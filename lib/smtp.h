/*
 * smtp.h: the SMTP mail transaction over a session that libcurl opened
 * (lib/conn.h), and the pure pieces it needs.
 *
 * libcurl runs greeting, EHLO, STARTTLS and AUTH (CURLOPT_CONNECT_ONLY);
 * we speak MAIL, RCPT, DATA, RSET and QUIT ourselves, because libcurl's
 * transfer API reports no per-recipient replies, cannot pipeline
 * (RFC 2920) and dot-stuffs only after CRLF.
 *
 * Pure, no I/O, unit tested and fuzzable:
 *   smtp_caps_parse()	 EHLO keywords from the lines libcurl heard;
 *   smtp_reply_parse()	 one reply line;
 *   smtp_dot_*()	 CRLF normalisation and dot-stuffing, streaming;
 *   smtp_head_*()	 where the header fields of a message lie;
 *   smtp_addrlist_parse() addr-specs of an address-list field;
 *   smtp_mx_parse(), smtp_mx_addrs(), smtp_mx_order()  MX and address
 *			 replies, and the order to try MX hosts in.
 * smtp_route_lookup() asks the resolver (lib/res.h) where a domain's
 * mail goes, for direct delivery (msend --mx).
 * Everything that comes from the server or from a message is untrusted.
 */
#ifndef SMTP_H
#define SMTP_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "conn.h"
#include "dns.h"
#include "mk.h"
#include "res.h"

#define SMTP_REPLYMAX	4096	/* bytes of reply text kept */
#define SMTP_ADDRMAX	998	/* bytes of one address (RFC 5321 line) */
#define SMTP_RCPTMAX	10000	/* recipients of one message */

/* What the server's last EHLO reply offers. */
struct smtp_caps {
	int			ehlo;		/* an EHLO reply was found */
	int			pipelining;	/* RFC 2920 */
	int			eightbitmime;	/* RFC 6152 */
	int			smtputf8;	/* RFC 6531 */
	int			chunking;	/* RFC 3030 */
	int			dsn;		/* RFC 3461 */
	int			starttls;	/* RFC 3207 */
	int			size;		/* SIZE offered (RFC 1870) */
	unsigned long long	sizemax;	/* its limit in bytes, 0: none */
};

/*
 * Fill caps from heard[0..len) (the server lines libcurl saw, with their
 * line breaks, untrusted): the keywords of the last 250 reply, which is
 * the EHLO reply after STARTTLS when there was one (RFC 3207 4.2: what
 * was offered in clear is forgotten).  Never fails; unknown keywords
 * and malformed lines are skipped.
 */
void	smtp_caps_parse(const char *heard, size_t len, struct smtp_caps *caps);

/*
 * One reply line (untrusted, no CRLF): "250-text", "250 text" or "250".
 * Returns 0 with *code, *more (1 for '-') and *text (offset of the text)
 * set, or -1 when the line is not a reply line.
 */
int	smtp_reply_parse(const char *line, size_t len, int *code, int *more,
	    size_t *text);

/*
 * The DATA encoder (RFC 5321 4.5.2): line breaks CR LF, bare LF and bare
 * CR all become CR LF on the wire; every line that starts with '.' gets
 * one more; smtp_dot_final() ends the last line if it was open and
 * writes the one end-of-data ".\r\n".  So no input, bare LFs and lone
 * dots included, can end the data early.
 */
struct smtp_dot {
	int	bol;		/* at the start of a line */
	int	cr;		/* a CR is held */
	size_t	lines;		/* lines started (for the trace) */
};

#define SMTP_DOT_BOUND(n)	(2 * (n) + 2)	/* update output, at most */
#define SMTP_DOT_FINALMAX	5		/* final output, at most */

void	smtp_dot_init(struct smtp_dot *d);
size_t	smtp_dot_update(struct smtp_dot *d, const uint8_t *in, size_t n,
	    uint8_t *out);
size_t	smtp_dot_final(struct smtp_dot *d, uint8_t *out);

/*
 * The same line ends without dot-stuffing or end-of-data, for BDAT
 * (RFC 3030: the chunk is sent as it is and its size says where it
 * ends): smtp_crlf_final() only ends an open last line, so the server
 * stores the same bytes as after DATA.  Bounds as above.
 */
size_t	smtp_crlf_update(struct smtp_dot *d, const uint8_t *in, size_t n,
	    uint8_t *out);
size_t	smtp_crlf_final(struct smtp_dot *d, uint8_t *out);

/*
 * The header block at the start of a message (untrusted): one entry per
 * field, continuation lines included.  The block ends at an empty line
 * (then sep is its length, 1 or 2) or at the first line that is neither
 * a field ("name:" with a printable name) nor a continuation (sep 0: the
 * message has no separator line there).
 */
struct smtp_hfield {
	size_t	off;		/* first byte of the name */
	size_t	len;		/* up to and with the last line break */
	size_t	namelen;	/* bytes before the ':' */
};

struct smtp_head {
	struct smtp_hfield	*f;	/* owned, n entries */
	size_t			 n;
	size_t			 end;	/* offset just past the last field */
	size_t			 sep;	/* bytes of the empty line, or 0 */
	int			 crlf;	/* the first line ended in CR LF */
};

/* Scan msg; -1 only when out of memory (MK_ESOFTWARE). */
int	smtp_head_scan(const uint8_t *msg, size_t len, struct smtp_head *h,
	    struct mk_err *e);
void	smtp_head_free(struct smtp_head *h);

/*
 * The next field named name (case-insensitive) at index *iter or later,
 * or NULL; *iter moves past it.
 */
const struct smtp_hfield *smtp_head_find(const struct smtp_head *h,
	    const uint8_t *msg, const char *name, size_t *iter);

/*
 * The body of field f unfolded (CR and LF dropped) into out, replacing
 * its contents.  -1 when out cannot grow.
 */
int	smtp_head_value(const struct smtp_head *h, const struct smtp_hfield *f,
	    const uint8_t *msg, struct mk_buf *out);

/* A list of addresses; every string is owned. */
struct smtp_addrs {
	char	**v;
	size_t	  n;
};

void	smtp_addrs_free(struct smtp_addrs *a);

/* Append a copy of addr[0..n); -1 with e set (MK_ESOFTWARE, MK_EDATA). */
int	smtp_addrs_add(struct smtp_addrs *a, const char *addr, size_t n,
	    struct mk_err *e);

/*
 * The addr-specs of an RFC 5322 address-list (an unfolded field body,
 * untrusted) appended to a: "Name <a@b>", bare "a@b", comments,
 * quoted strings and groups ("team: a@b, c@d;") are understood; display
 * names, comments and source routes are dropped; empty groups add
 * nothing.  Errors (MK_EDATA): an address with control characters or
 * longer than SMTP_ADDRMAX, an unterminated '<', more than SMTP_RCPTMAX
 * addresses; MK_ESOFTWARE when out of memory.
 */
int	smtp_addrlist_parse(const char *s, size_t n, struct smtp_addrs *a,
	    struct mk_err *e);

/*
 * Whether addr can go into MAIL FROM/RCPT TO: not empty (but for the
 * null sender, allowed when nullok), no control bytes, no '<', '>' or
 * blank outside a quoted local part, at most SMTP_ADDRMAX bytes.
 */
int	smtp_addr_ok(const char *addr, int nullok);

/* Whether s holds bytes above 0x7f (needs SMTPUTF8 in an envelope). */
int	smtp_is_8bit(const void *s, size_t n);

/* A reply: its code and its lines joined by "\n" (owned). */
struct smtp_reply {
	int	 code;
	char	*text;		/* "550 5.1.1 ...": whole lines, cut at
				   SMTP_REPLYMAX bytes; untrusted */
};

/*
 * Read one whole reply.  Errors: those of conn_line(); MK_EPROTO for a
 * line that is not a reply line or a code that changes between lines.
 */
int	smtp_reply_read(struct conn *c, struct smtp_reply *r,
	    struct mk_err *e);
void	smtp_reply_free(struct smtp_reply *r);

/* What to send.  Strings are borrowed for the call. */
struct smtp_envelope {
	const char		*from;	/* "" for the null sender */
	const char *const	*rcpt;
	size_t			 nrcpt;
	int			 eightbit;	/* BODY=8BITMIME if offered */
	int			 smtputf8;	/* SMTPUTF8 (must be offered) */
};

/* The outcome for one recipient. */
enum smtp_rcpt_state {
	SMTP_ACCEPTED,		/* delivered to the server */
	SMTP_REJECTED,		/* 5xx: permanent */
	SMTP_DEFERRED		/* 4xx, or no final answer: try later */
};

struct smtp_rcpt {
	const char		*addr;	/* borrowed from the envelope */
	enum smtp_rcpt_state	 state;
	int			 code;	/* the deciding reply's code */
	struct smtp_reply	 reply;	/* the deciding reply */
};

/* The outcome of one transaction. */
struct smtp_result {
	struct smtp_rcpt	*rcpt;	/* owned, nrcpt entries */
	size_t			 nrcpt;
	size_t			 naccepted;
	enum mk_status		 st;	/* MK_OK when all were accepted */
	struct smtp_reply	 final;	/* the last reply that mattered:
					   DATA end, or the failure */
	int			 quit;	/* QUIT went with the data and
					   was answered: session over */
};

void	smtp_result_free(struct smtp_result *res);

/*
 * One mail transaction: MAIL FROM, RCPT TO for each recipient, DATA and
 * the message (msg[0..len), encoded with smtp_dot_*).  With PIPELINING
 * the commands up to DATA go in one write.  Returns 0 when the server
 * answered the transaction, whatever it said: res tells per recipient,
 * res->st for the message (MK_ETEMP if any recipient was deferred, else
 * MK_ENOUSER if some were rejected, as mcurl_smtp_reply_status() says
 * for a failure before or after DATA); then the session is still usable
 * (send RSET after a failure).  Returns -1 with e set when the session
 * broke or the server broke the protocol: conn_ errors, MK_EPROTO, and
 * MK_EUSAGE/MK_EDATA for an address smtp_addr_ok() refuses or 8-bit
 * addresses without SMTPUTF8 (nothing sent then).
 *
 *
 * With PIPELINING and CHUNKING (RFC 3030) the whole transaction is one
 * write, MAIL, RCPTs, "BDAT n LAST" and the message (CRLF line ends,
 * no dot-stuffing), and its replies are read in order: one round trip
 * a message instead of two (DATA must wait for its 354).  A server
 * that rejected every recipient still reads the n bytes and refuses
 * the BDAT, so nothing is delivered and the reply stream stays in
 * step.  With PIPELINING alone, MAIL, RCPTs and DATA are one write and
 * the message follows the 354; without it, everything is lock-step.
 *
 * flags SMTP_SEND_LAST: no transaction follows.  With PIPELINING, QUIT
 * then goes right behind the end of the data (RFC 2920 3.1: message
 * content may start a group, QUIT may end it), which saves waiting for
 * one reply, and its reply is read too; res->quit tells that it was
 * (then only conn_close() is left to do), else send smtp_quit().
 *
 * (With DATA, the next transaction's MAIL, RCPT and DATA could go
 * behind the data the same way, but Postfix then often writes the reply
 * to the dot on its own and the next replies as a second small segment,
 * which Nagle's algorithm holds until our delayed ACK: 40 ms per
 * message.  BDAT has no such second segment.)
 */
#define SMTP_SEND_LAST	0x1	/* QUIT behind the data */

int	smtp_send(struct conn *c, const struct smtp_caps *caps,
	    const struct smtp_envelope *env, const uint8_t *msg, size_t len,
	    int flags, struct smtp_result *res, struct mk_err *e);

/* RSET, and its reply; -1 with e set if it is not 250. */
int	smtp_rset(struct conn *c, struct mk_err *e);

/* QUIT, and its reply (errors ignored: the mail is already sent). */
void	smtp_quit(struct conn *c);

/*
 * Direct delivery (RFC 5321 5.1): which hosts take a domain's mail.
 */

#define SMTP_MX_MAX	16	/* MX records of one domain used */
#define SMTP_TARGETMAX	32	/* addresses tried for one domain */
#define SMTP_ADDRTEXTMAX 46	/* INET6_ADDRSTRLEN */

/* What the MX reply says about a domain. */
enum smtp_mx_kind {
	SMTP_MX_FOUND = 0,	/* MX records naming hosts */
	SMTP_MX_IMPLICIT,	/* no MX: the domain is its own host (5.1) */
	SMTP_MX_NULL,		/* null MX "0 .": no mail (RFC 7505) */
	SMTP_MX_NXDOMAIN	/* the domain does not exist */
};

/* One MX record. */
struct smtp_mx {
	uint16_t	 pref;
	char		 host[DNS_NAME_TEXTMAX];	/* text, trailing dot */
};

/*
 * The MX records of the reply (untrusted) to an MX query for qname
 * (wire form), into mx[0..mxmax): those owned by qname, or by the end of
 * a CNAME chain from it in the answer section.  *kind says what the
 * reply means: NXDOMAIN, no MX (IMPLICIT), only MX records whose host
 * is the root (NULL; such records among others are skipped), or FOUND.
 * Records past mxmax are dropped.  0, or -1 with *err (a malformed
 * reply, an rcode other than NOERROR and NXDOMAIN).  No I/O.
 */
int	smtp_mx_parse(const uint8_t *reply, size_t len, const uint8_t *qname,
	    size_t qnamelen, struct smtp_mx *mx, size_t mxmax, size_t *nmx,
	    enum smtp_mx_kind *kind, const char **err);

/*
 * The A (qtype DNS_T_A) or AAAA records of the reply (untrusted) to a
 * query for qname (CNAME chains followed, as above), as numeric text
 * into out[0..max).  *n counts them; *nxdomain is set for NXDOMAIN.
 * 0, or -1 with *err as smtp_mx_parse().
 */
int	smtp_mx_addrs(const uint8_t *reply, size_t len, const uint8_t *qname,
	    size_t qnamelen, uint16_t qtype, char (*out)[SMTP_ADDRTEXTMAX],
	    size_t max, size_t *n, int *nxdomain, const char **err);

/*
 * Sort mx[0..n) by preference, lowest first, in a random order among
 * equal preferences (RFC 5321 5.1).  rnd(k) returns a number in
 * [0, k): arc4random_uniform, or a fixed one in tests.
 */
void	smtp_mx_order(struct smtp_mx *mx, size_t n, uint32_t (*rnd)(uint32_t));

/* One address to deliver to, and the MX host it belongs to. */
struct smtp_target {
	char		 host[DNS_NAME_TEXTMAX];	/* no trailing dot */
	char		 addr[SMTP_ADDRTEXTMAX];	/* numeric */
	int		 family;			/* AF_INET, AF_INET6 */
	uint16_t	 pref;
};

/* Where a domain's mail goes. */
struct smtp_route {
	enum smtp_mx_kind	 kind;
	struct smtp_target	*t;		/* owned, n entries, in order */
	size_t			 n;
	int			 tempfail;	/* an address lookup failed for
						   a while (not NXDOMAIN) */
	char			 why[256];	/* that failure, or "" */
};

/*
 * Look up where mail for domain (text, from an address: untrusted)
 * goes, with the resolver settings p: its MX records in the order of
 * smtp_mx_order(), or the domain itself when it has none; then the
 * IPv4 and the IPv6 addresses of each host, in that order.  An address
 * literal ("[192.0.2.1]", "[IPv6:2001:db8::1]") is its own target, with
 * no query.  Returns 0 with r filled (free with smtp_route_free) even
 * when r->n is 0 (see kind and tempfail), or -1 with e filled when the
 * MX query failed: MK_ETEMP (no answer), MK_EUNAVAIL (SERVFAIL,
 * REFUSED), MK_EPROTO (a malformed reply), MK_EUSAGE (a domain that is
 * no DNS name), MK_ESOFTWARE.
 */
int	smtp_route_lookup(const struct res_params *p, const char *domain,
	    uint32_t (*rnd)(uint32_t), struct smtp_route *r, struct mk_err *e);
void	smtp_route_free(struct smtp_route *r);

#endif /* SMTP_H */
