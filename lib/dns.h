/*
 * dns.h: the DNS wire codec (RFC 1035 and its successors): names,
 * messages, EDNS, rdata in dig's presentation form, queries and reverse
 * names.  Pure functions over buffers: no I/O, no allocation except
 * growing an mk_buf that the caller hands in.
 *
 * Every byte of a message is untrusted.  The parser checks every length
 * against the data, follows compression pointers only strictly backwards
 * (each one below where the labels it ends began), never into the header
 * and at most DNS_PTR_HOPS times, and rejects reserved label types.
 * A failure is one static reason string ("compression pointer loop",
 * "rdata overruns message", ...) that lives forever; callers never free
 * it.
 */
#ifndef DNS_H
#define DNS_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"

#define DNS_HDRLEN	12	/* bytes of the fixed header */
#define DNS_LABEL_MAX	63	/* bytes of one label */
#define DNS_NAME_MAX	255	/* bytes of a name in wire form */
#define DNS_NAME_TEXTMAX 1024	/* enough for any name as text, with NUL */
#define DNS_PTR_HOPS	128	/* compression pointers in one name */
#define DNS_TYPE_TEXTMAX 16	/* "TYPE65535", "NSEC3PARAM", with NUL */

/* Header flag bits (the second 16-bit word). */
#define DNS_F_QR	0x8000
#define DNS_F_AA	0x0400
#define DNS_F_TC	0x0200
#define DNS_F_RD	0x0100
#define DNS_F_RA	0x0080
#define DNS_F_Z		0x0040
#define DNS_F_AD	0x0020
#define DNS_F_CD	0x0010
#define DNS_OPCODE(f)	(((f) >> 11) & 0xf)
#define DNS_RCODE(f)	((f) & 0xf)

/* EDNS flag bits (RFC 6891, RFC 3225). */
#define DNS_EDNS_DO	0x8000

/* Types, classes, opcodes and rcodes the tools name in code. */
enum {
	DNS_T_A = 1, DNS_T_NS = 2, DNS_T_CNAME = 5, DNS_T_SOA = 6,
	DNS_T_PTR = 12, DNS_T_HINFO = 13, DNS_T_MX = 15, DNS_T_TXT = 16,
	DNS_T_AAAA = 28, DNS_T_LOC = 29, DNS_T_SRV = 33, DNS_T_NAPTR = 35,
	DNS_T_DNAME = 39, DNS_T_OPT = 41, DNS_T_DS = 43, DNS_T_SSHFP = 44,
	DNS_T_RRSIG = 46, DNS_T_NSEC = 47, DNS_T_DNSKEY = 48,
	DNS_T_NSEC3 = 50, DNS_T_NSEC3PARAM = 51, DNS_T_TLSA = 52,
	DNS_T_CDS = 59, DNS_T_CDNSKEY = 60, DNS_T_ZONEMD = 63,
	DNS_T_SVCB = 64, DNS_T_HTTPS = 65, DNS_T_SPF = 99, DNS_T_TSIG = 250,
	DNS_T_IXFR = 251, DNS_T_AXFR = 252, DNS_T_ANY = 255,
	DNS_T_URI = 256, DNS_T_CAA = 257
};
enum {
	DNS_C_IN = 1, DNS_C_CH = 3, DNS_C_HS = 4, DNS_C_NONE = 254,
	DNS_C_ANY = 255
};
enum {
	DNS_OP_QUERY = 0, DNS_OP_IQUERY = 1, DNS_OP_STATUS = 2,
	DNS_OP_NOTIFY = 4, DNS_OP_UPDATE = 5
};
enum {
	DNS_R_NOERROR = 0, DNS_R_FORMERR = 1, DNS_R_SERVFAIL = 2,
	DNS_R_NXDOMAIN = 3, DNS_R_NOTIMP = 4, DNS_R_REFUSED = 5,
	DNS_R_BADVERS = 16, DNS_R_BADCOOKIE = 23
};
/* EDNS option codes. */
enum {
	DNS_O_NSID = 3, DNS_O_ECS = 8, DNS_O_EXPIRE = 9, DNS_O_COOKIE = 10,
	DNS_O_KEEPALIVE = 11, DNS_O_PADDING = 12, DNS_O_EDE = 15
};

enum dns_section {
	DNS_S_QUESTION = 0,
	DNS_S_ANSWER,
	DNS_S_AUTHORITY,
	DNS_S_ADDITIONAL
};

/*
 * One question or resource record as found in a message.  The owner is
 * copied out, decompressed; the rdata stays in the message and is
 * addressed by offset.  Every offset is from the start of the message,
 * so a dissector can show byte ranges.  For a question, ttl and rdlen
 * are 0 and rdoff is the end of the question.
 */
struct dns_rr {
	uint8_t		 owner[DNS_NAME_MAX];	/* wire form, uncompressed */
	size_t		 ownerlen;		/* bytes in owner */
	uint16_t	 type;
	uint16_t	 class;
	uint32_t	 ttl;			/* seconds */
	size_t		 rdoff;			/* rdata: msg[rdoff..+rdlen) */
	size_t		 rdlen;
	size_t		 off;			/* the whole item in msg */
	size_t		 len;
	size_t		 namewlen;		/* owner bytes on the wire */
	enum dns_section sec;
	unsigned int	 idx;			/* position in its section */
};

/* The OPT pseudo-record (RFC 6891), when a message has one. */
struct dns_edns {
	int		 present;
	uint16_t	 udpsize;	/* requestor's payload size, bytes */
	uint8_t		 extrcode;	/* upper 8 bits of the 12-bit rcode */
	uint8_t		 version;
	uint16_t	 flags;		/* DNS_EDNS_DO, the rest MBZ */
	size_t		 rdoff, rdlen;	/* the options, in the message */
	size_t		 off, len;	/* the whole OPT record */
};

/* One EDNS option, borrowed from the message. */
struct dns_edns_opt {
	uint16_t	 code;
	const uint8_t	*data;		/* points into the message */
	uint16_t	 len;
	size_t		 off;		/* of the option code, in msg */
};

/*
 * A parsed message.  It borrows buf: keep the bytes alive and unchanged
 * while the struct is in use.  No memory is allocated; the struct can
 * live on the stack and be reused for the next reply.
 */
struct dns_msg {
	const uint8_t	*buf;		/* borrowed */
	size_t		 len;
	uint16_t	 id;
	uint16_t	 flags;		/* DNS_F_*, opcode, low rcode bits */
	uint16_t	 count[4];	/* by enum dns_section */
	uint16_t	 rcode;		/* 12 bits when EDNS is present */
	size_t		 secoff[4];	/* offset of each section's start */
	size_t		 end;		/* offset after the last record */
	struct dns_rr	 q;		/* the first question, if count[0] */
	struct dns_edns	 edns;
};

/* Walks the items of one section of a parsed message. */
struct dns_iter {
	const struct dns_msg *m;	/* borrowed */
	size_t		 off;
	enum dns_section sec;
	unsigned int	 idx;
};

/* Options for dns_query_build(). */
struct dns_qopts {
	uint16_t	 flags;		/* DNS_F_RD, DNS_F_AD, DNS_F_CD */
	int		 edns;		/* add an OPT record */
	uint16_t	 udpsize;	/* EDNS payload size; 0 for 1232 */
	int		 dnssec_ok;	/* set the DO bit (needs edns) */
	int		 nsid;		/* ask for the NSID (needs edns) */
	const uint8_t	*cookie;	/* borrowed; NULL for none */
	size_t		 cookielen;	/* 8, or 16 to 40 */
};

/*
 * Names.
 */

/*
 * Presentation text to uncompressed wire form in wire[0..wsz); the
 * result always ends in the root label.  Handles "\." "\\" "\DDD".
 * "." is the root.  Returns 1 for an absolute name (trailing dot), 0 for
 * a relative one, -1 with *err set ("empty name", "empty label",
 * "label too long", "name too long", "bad escape", "buffer too small").
 */
int	dns_name_from_text(const char *text, uint8_t *wire, size_t wsz,
	    size_t *wlen, const char **err);

/*
 * The 16 bytes of an IPv6 address at p as text, exactly as glibc's
 * inet_ntop() writes it (RFC 5952 compression, ::ffff:a.b.c.d), into
 * out of at least DNS_IPV6_TEXTMAX bytes.  Returns its length.
 */
#define DNS_IPV6_TEXTMAX 46
size_t	dns_ipv6_text(const uint8_t *p, char *out);

/*
 * Uncompressed wire form to text as dig prints it: trailing dot,
 * . \ " ( ) ; @ $ escaped with a backslash, other bytes outside
 * 0x21..0x7e as \DDD.  Writes a NUL-terminated string to out (use
 * DNS_NAME_TEXTMAX bytes).  Returns its length, or -1 if the wire form
 * is malformed or out too small.
 */
int	dns_name_to_text(const uint8_t *wire, size_t wlen, char *out,
	    size_t outsz);

/* Nonzero if two wire-form names are equal, ASCII case ignored. */
int	dns_name_equal(const uint8_t *a, size_t alen, const uint8_t *b,
	    size_t blen);

/*
 * Read the name at msg[*off], following compression pointers, into
 * wire (DNS_NAME_MAX bytes); *off moves past the name's bytes in place.
 * msg is untrusted.  0, or -1 with *err set.
 */
int	dns_name_unpack(const uint8_t *msg, size_t msglen, size_t *off,
	    uint8_t *wire, size_t *wlen, const char **err);

/*
 * Messages.
 */

/*
 * Parse and check a whole message (untrusted) into m: header, every
 * question and record, the rdata of every type this module knows, and
 * the OPT record (only one, owner root, in the additional section).
 * Bytes after the last record are allowed; m->end tells where they
 * start.  m borrows buf.  0, or -1 with *err set: "truncated header",
 * "count exceeds data", "truncated", "compression pointer loop",
 * "label too long", "name too long", "rdata overruns message", ...
 */
int	dns_msg_parse(const uint8_t *buf, size_t len, struct dns_msg *m,
	    const char **err);

/* Start walking section sec of a parsed message. */
void	dns_iter_init(struct dns_iter *it, const struct dns_msg *m,
	    enum dns_section sec);

/*
 * The next item of the section: 1 with rr filled, 0 at the end of the
 * section, -1 with *err set (only if m was not from dns_msg_parse).
 */
int	dns_rr_next(struct dns_iter *it, struct dns_rr *rr,
	    const char **err);

/*
 * Text.  These append to out and return 0, or -1 with *err set (bad
 * rdata, out of memory, or out's cap reached).
 */

/*
 * The rdata of rr (from a parse of msg) as dig 9.18 prints it; types it
 * does not know in RFC 3597 form ("\# 4 0A000001").  Names inside rdata
 * are decompressed with the parser's rules.  With out NULL it only
 * checks the rdata.  RRSIG times are serial numbers (RFC 4034 3.1.5):
 * like dig, this reads the current time to place them.
 */
int	dns_rdata_to_text(const uint8_t *msg, size_t msglen,
	    const struct dns_rr *rr, struct mk_buf *out, const char **err);

/*
 * A whole line as dig prints it, without the newline: owner, TTL,
 * class, type and rdata at dig's tab stops (24, 32, 40, 48).  A question
 * comes out as dig's question line: ";owner", class, type (stops 32 and
 * 40, counted from after the ';').
 */
int	dns_rr_to_text(const uint8_t *msg, size_t msglen,
	    const struct dns_rr *rr, struct mk_buf *out, const char **err);

/*
 * Walk the options of an OPT record: *pos starts at 0.  1 with o
 * filled, 0 at the end, -1 with *err if the option overruns the record.
 */
int	dns_edns_opt_next(const struct dns_msg *m, size_t *pos,
	    struct dns_edns_opt *o, const char **err);

/*
 * dig's OPT PSEUDOSECTION lines, each ending in a newline:
 * "; EDNS: version: 0, flags: do; udp: 1232", then one line per option
 * ("; NSID: 6e 73 ("ns")", "; COOKIE: ... (good)", "; EDE: 18
 * (Prohibited)", ...).  ccookie is the 8-byte client cookie that was
 * sent, or NULL; it decides "good", "bad" or "echoed".
 */
int	dns_edns_to_text(const struct dns_msg *m, const uint8_t *ccookie,
	    struct mk_buf *out, const char **err);

/*
 * The flags as dig's ";; flags:" line shows them, each after a space:
 * " qr aa rd ra", then "; MBZ: 0x4" if the Z bit is set.
 */
int	dns_flags_to_text(uint16_t flags, struct mk_buf *out);

/*
 * The flags word as a protocol analyser shows it, one line per field,
 * each ending in a newline:
 * "1... .... .... .... = Response: Message is a response".
 * rcode is the full (extended) rcode for the last line.
 */
int	dns_flags_dissect(uint16_t flags, uint16_t rcode,
	    struct mk_buf *out);

/*
 * Tables.  The _to_text functions write into a buffer of at least
 * DNS_TYPE_TEXTMAX bytes and return it; numbers without a mnemonic come
 * out as TYPE123, CLASS123, RCODE123 or OPCODE12.  The _from_text ones
 * take mnemonics in any case and the generic forms; 0, or -1.
 */
const char	*dns_type_to_text(uint16_t type, char *buf);
int		 dns_type_from_text(const char *s, uint16_t *type);
const char	*dns_class_to_text(uint16_t class, char *buf);
int		 dns_class_from_text(const char *s, uint16_t *class);
const char	*dns_rcode_to_text(uint16_t rcode, char *buf);
const char	*dns_opcode_to_text(uint8_t opcode, char *buf);

/* The RFC 8914 name of an extended error code, or NULL. */
const char	*dns_ede_name(uint16_t code);

/*
 * Queries.
 */

/*
 * Build a query for qname (wire form, uncompressed, as from
 * dns_name_from_text) into buf[0..bufsz); *len gets its size.
 * 0, or -1 if buf is too small or an argument is bad.
 */
int	dns_query_build(uint8_t *buf, size_t bufsz, size_t *len,
	    uint16_t id, const uint8_t *qname, size_t qnamelen,
	    uint16_t qtype, uint16_t qclass, const struct dns_qopts *o);

/*
 * Nonzero if reply (untrusted) answers query: same ID, QR set, opcode
 * and the same single question (name compared ignoring ASCII case, type,
 * class).  A reply with no question section matches only when its
 * rcode is FORMERR, NOTIMP or REFUSED (servers that reject EDNS send
 * those).  It does not check the rest of the reply: dns_msg_parse does.
 */
int	dns_reply_matches(const uint8_t *query, size_t qlen,
	    const uint8_t *reply, size_t rlen);

/*
 * The reverse-lookup name of an IPv4 or IPv6 address, as text with a
 * trailing dot: "4.3.2.1.in-addr.arpa." or the 32 nibbles of ip6.arpa.
 * 0, or -1 if addr is not an address or out is too small (74 bytes
 * are always enough).
 */
int	dns_reverse_name(const char *addr, char *out, size_t outsz);

#endif /* DNS_H */
