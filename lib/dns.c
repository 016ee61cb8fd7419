/*
 * dns.c: the DNS wire codec.  Names, message parsing, rdata as dig 9.18
 * prints it, EDNS, query building and reply matching.  No I/O, no
 * allocation beyond the caller's mk_buf; every input byte untrusted.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "dns.h"

/*
 * A read cursor over untrusted bytes.  Linear reads stop at len;
 * compression pointers may reach anything below msglen.  The first
 * error sticks.
 */
struct rd {
	const uint8_t	*p;		/* the whole message */
	size_t		 msglen;
	size_t		 len;		/* end of the current region */
	size_t		 off;
	const char	*err;
};

/*
 * An output cursor into an mk_buf, or into a fixed array when fix is
 * set; with neither it only checks.  The first failure sticks.
 */
struct wr {
	struct mk_buf	*b;
	const char	*err;
	char		*fix;		/* NUL-terminated */
	size_t		 fixsz, fixlen;
};

struct rdfmt {
	uint16_t	 type;
	uint8_t		 inonly;	/* class IN only, else generic */
	const char	*fmt;
};

static int	rd_u8(struct rd *, uint8_t *);
static int	rd_u16(struct rd *, uint16_t *);
static int	rd_u32(struct rd *, uint32_t *);
static int	rd_bytes(struct rd *, size_t, const uint8_t **);
static int	rd_name(struct rd *, uint8_t *, size_t *);
static int	rd_fail(struct rd *, const char *);

static void	wr_add(struct wr *, const void *, size_t);
static size_t	wr_len(const struct wr *);
static void	wr_c(struct wr *, int);
static void	wr_s(struct wr *, const char *);
static void	wr_u(struct wr *, unsigned long);
static void	wr_ipv4(struct wr *, const uint8_t *);
static int	own_space(char);
static void	wr_printf(struct wr *, const char *, ...)
		    __attribute__((format(printf, 2, 3)));
static void	wr_col(struct wr *, size_t, size_t);
static void	wr_name(struct wr *, const uint8_t *, size_t);
static void	wr_hex(struct wr *, const uint8_t *, size_t, int);
static void	wr_b64(struct wr *, const uint8_t *, size_t, int);
static void	wr_b32hex(struct wr *, const uint8_t *, size_t);
static void	wr_qstr(struct wr *, const uint8_t *, size_t);
static void	wr_time(struct wr *, uint32_t);

static int	rr_read(struct rd *, struct dns_rr *, enum dns_section);
static const struct rdfmt *rdfmt_find(uint16_t, uint16_t);
static void	rdata_fmt(struct rd *, struct wr *, const char *);
static void	rdata_generic(struct rd *, struct wr *);
static void	rdata_bitmap(struct rd *, struct wr *);
static void	rdata_loc(struct rd *, struct wr *);
static void	rdata_svcb(struct rd *, struct wr *);
static void	rdata_caa(struct rd *, struct wr *);
static void	rdata_apl(struct rd *, struct wr *);
static void	rdata_ipseckey(struct rd *, struct wr *);
static const char *cert_type_name(uint16_t, char *);
static const char *secalg_name(uint8_t, char *);
static int	rdata_text(const uint8_t *, size_t, const struct dns_rr *,
		    struct wr *);
static int	edns_check(const struct dns_msg *, const char **);
static int	utf8_valid(const uint8_t *, size_t);
static void	edns_opt_text(struct wr *, const struct dns_edns_opt *,
		    const uint8_t *);
static void	hexbytes_text(struct wr *, const uint8_t *, size_t);

static const char *const typenames[] = {
	[1] = "A", [2] = "NS", [3] = "MD", [4] = "MF", [5] = "CNAME",
	[6] = "SOA", [7] = "MB", [8] = "MG", [9] = "MR", [10] = "NULL",
	[11] = "WKS", [12] = "PTR", [13] = "HINFO", [14] = "MINFO",
	[15] = "MX", [16] = "TXT", [17] = "RP", [18] = "AFSDB",
	[19] = "X25", [20] = "ISDN", [21] = "RT", [22] = "NSAP",
	[23] = "NSAP-PTR", [24] = "SIG", [25] = "KEY", [26] = "PX",
	[27] = "GPOS", [28] = "AAAA", [29] = "LOC", [30] = "NXT",
	[31] = "EID", [32] = "NIMLOC", [33] = "SRV", [34] = "ATMA",
	[35] = "NAPTR", [36] = "KX", [37] = "CERT", [38] = "A6",
	[39] = "DNAME", [40] = "SINK", [41] = "OPT", [42] = "APL",
	[43] = "DS", [44] = "SSHFP", [45] = "IPSECKEY", [46] = "RRSIG",
	[47] = "NSEC", [48] = "DNSKEY", [49] = "DHCID", [50] = "NSEC3",
	[51] = "NSEC3PARAM", [52] = "TLSA", [53] = "SMIMEA", [55] = "HIP",
	[56] = "NINFO", [57] = "RKEY", [58] = "TALINK", [59] = "CDS",
	[60] = "CDNSKEY", [61] = "OPENPGPKEY", [62] = "CSYNC",
	[63] = "ZONEMD", [64] = "SVCB", [65] = "HTTPS", [66] = "DSYNC",
	[67] = "HHIT", [68] = "BRID", [99] = "SPF", [100] = "UINFO",
	[101] = "UID", [102] = "GID", [103] = "UNSPEC", [104] = "NID",
	[105] = "L32", [106] = "L64", [107] = "LP", [108] = "EUI48",
	[109] = "EUI64", [249] = "TKEY", [250] = "TSIG", [251] = "IXFR",
	[252] = "AXFR", [253] = "MAILB", [254] = "MAILA", [255] = "ANY",
	[256] = "URI", [257] = "CAA", [258] = "AVC", [259] = "DOA",
	[260] = "AMTRELAY", [261] = "RESINFO", [262] = "WALLET"
};

static const struct {
	uint16_t	 type;
	const char	*name;
} hightypes[] = {
	{ 32768, "TA" },
	{ 32769, "DLV" }
};

static const char *const rcodenames[] = {
	"NOERROR", "FORMERR", "SERVFAIL", "NXDOMAIN", "NOTIMP", "REFUSED",
	"YXDOMAIN", "YXRRSET", "NXRRSET", "NOTAUTH", "NOTZONE",
	"RESERVED11", "RESERVED12", "RESERVED13", "RESERVED14",
	"RESERVED15", "BADVERS"
};

static const char *const opcodenames[] = {
	"QUERY", "IQUERY", "STATUS", "RESERVED3", "NOTIFY", "UPDATE"
};

/* RFC 8914 section 5.2, the names dig 9.18 knows. */
static const char *const edenames[] = {
	"Other", "Unsupported DNSKEY Algorithm", "Unsupported DS Digest Type",
	"Stale Answer", "Forged Answer", "DNSSEC Indeterminate",
	"DNSSEC Bogus", "Signature Expired", "Signature Not Yet Valid",
	"DNSKEY Missing", "RRSIGs Missing", "No Zone Key Bit Set",
	"NSEC Missing", "Cached Error", "Not Ready", "Blocked", "Censored",
	"Filtered", "Prohibited", "Stale NXDOMAIN Answer",
	"Not Authoritative", "Not Supported", "No Reachable Authority",
	"Network Error", "Invalid Data"
};

/*
 * How each known type's rdata reads and prints, one letter per field:
 *  a IPv4 address		6 IPv6 address
 *  b u8			s u16		l u32
 *  n domain name		y type mnemonic (u16)
 *  t one <character-string>	T one or more, to the end
 *  O an optional last <character-string>
 *  u the rest, quoted		d time (u32), YYYYMMDDHHMMSS
 *  X the rest in hex		B the rest in base64 (may be empty)
 *  K the rest in base64, not empty	Y the rest in hex, not empty
 *  Q ZONEMD digest (length checked)	Z X25 address (digits)
 *  c CERT type mnemonic (u16)	k DNSSEC algorithm mnemonic (u8)
 *  x u8-counted hex, "-" if empty
 *  h u8-counted base32hex (at least one byte)
 *  m NSEC type bitmap, to the end
 *  e EUI-48			E EUI-64
 *  D DS digest (length checked against the digest type)
 *  F SSHFP fingerprint (likewise)
 *  L LOC			S SVCB parameters	C CAA tag and value
 *  A APL			P IPSECKEY
 */
static const struct rdfmt rdfmts[] = {
	{ 1, 1, "a" },			/* A */
	{ 2, 0, "n" },			/* NS */
	{ 3, 0, "n" },			/* MD */
	{ 4, 0, "n" },			/* MF */
	{ 5, 0, "n" },			/* CNAME */
	{ 6, 0, "nnlllll" },		/* SOA */
	{ 7, 0, "n" },			/* MB */
	{ 8, 0, "n" },			/* MG */
	{ 9, 0, "n" },			/* MR */
	{ 12, 0, "n" },			/* PTR */
	{ 13, 0, "tt" },		/* HINFO */
	{ 14, 0, "nn" },		/* MINFO */
	{ 15, 0, "sn" },		/* MX */
	{ 16, 0, "T" },			/* TXT */
	{ 17, 0, "nn" },		/* RP */
	{ 18, 0, "sn" },		/* AFSDB */
	{ 19, 0, "Z" },			/* X25 */
	{ 20, 0, "tO" },		/* ISDN */
	{ 21, 0, "sn" },		/* RT */
	{ 28, 1, "6" },			/* AAAA */
	{ 29, 0, "L" },			/* LOC */
	{ 33, 1, "sssn" },		/* SRV */
	{ 35, 1, "sstttn" },			/* NAPTR */
	{ 36, 1, "sn" },		/* KX */
	{ 37, 0, "cskK" },		/* CERT */
	{ 39, 0, "n" },			/* DNAME */
	{ 42, 1, "A" },			/* APL */
	{ 43, 0, "sbbD" },		/* DS */
	{ 44, 0, "bbF" },		/* SSHFP */
	{ 45, 0, "P" },			/* IPSECKEY */
	{ 46, 0, "ybblddsnK" },		/* RRSIG */
	{ 47, 0, "nm" },		/* NSEC */
	{ 48, 0, "sbbK" },		/* DNSKEY */
	{ 49, 0, "K" },			/* DHCID */
	{ 50, 0, "bbsxhm" },		/* NSEC3 */
	{ 51, 0, "bbsx" },		/* NSEC3PARAM */
	{ 52, 0, "bbbY" },		/* TLSA */
	{ 53, 0, "bbbY" },		/* SMIMEA */
	{ 56, 0, "T" },			/* NINFO */
	{ 59, 0, "sbbD" },		/* CDS */
	{ 60, 0, "sbbK" },		/* CDNSKEY */
	{ 61, 0, "K" },			/* OPENPGPKEY */
	{ 62, 0, "lsm" },		/* CSYNC */
	{ 63, 0, "lbbQ" },		/* ZONEMD */
	{ 64, 1, "snS" },		/* SVCB */
	{ 65, 1, "snS" },		/* HTTPS */
	{ 99, 0, "T" },			/* SPF */
	{ 105, 0, "sa" },		/* L32 */
	{ 108, 0, "e" },		/* EUI48 */
	{ 109, 0, "E" },		/* EUI64 */
	{ 256, 0, "ssu" },		/* URI */
	{ 257, 0, "C" },		/* CAA */
	{ 258, 0, "T" },		/* AVC */
	{ 261, 0, "T" },		/* RESINFO */
	{ 262, 0, "T" },		/* WALLET */
	{ 32768, 0, "sbbD" },		/* TA */
	{ 32769, 0, "sbbD" }		/* DLV */
};

/* SVCB SvcParamKey names (RFC 9460); dig 9.18 prints key7 and up. */
static const char *const svckeys[] = {
	"mandatory", "alpn", "no-default-alpn", "port", "ipv4hint", "ech",
	"ipv6hint"
};

/*
 * The read cursor.
 */

static int
rd_fail(struct rd *r, const char *why)
{
	if (r->err == NULL)
		r->err = why;
	return -1;
}

static int
rd_u8(struct rd *r, uint8_t *v)
{
	if (r->err != NULL)
		return -1;
	if (r->off >= r->len)
		return rd_fail(r, "truncated");
	*v = r->p[r->off++];
	return 0;
}

static int
rd_u16(struct rd *r, uint16_t *v)
{
	if (r->err != NULL)
		return -1;
	if (r->off > r->len || r->len - r->off < 2)
		return rd_fail(r, "truncated");
	*v = (uint16_t)(r->p[r->off] << 8 | r->p[r->off + 1]);
	r->off += 2;
	return 0;
}

static int
rd_u32(struct rd *r, uint32_t *v)
{
	const uint8_t *q;

	if (rd_bytes(r, 4, &q) == -1)
		return -1;
	*v = (uint32_t)q[0] << 24 | (uint32_t)q[1] << 16 |
	    (uint32_t)q[2] << 8 | q[3];
	return 0;
}

static int
rd_bytes(struct rd *r, size_t n, const uint8_t **q)
{
	if (r->err != NULL)
		return -1;
	if (r->off > r->len || r->len - r->off < n)
		return rd_fail(r, "truncated");
	*q = r->p + r->off;
	r->off += n;
	return 0;
}

/*
 * Read a possibly compressed name (RFC 1035 4.1.4) into wire.  Labels
 * in place must lie within r->len; after a jump, within the message.
 * Each pointer must go below the start of the run of labels it ends
 * (as BIND does), which makes loops impossible; the hop limit stays as
 * a second guard.
 */
static int
rd_name(struct rd *r, uint8_t *wire, size_t *wlen)
{
	size_t	 pos, lim, runstart, hi, n = 0, after = 0;
	unsigned int hops = 0;
	uint8_t	 c;

	if (r->err != NULL)
		return -1;
	pos = runstart = hi = r->off;
	lim = r->len;
	for (;;) {
		if (pos >= lim)
			return rd_fail(r, "truncated name");
		c = r->p[pos];
		if ((c & 0xc0) == 0xc0) {
			size_t target;

			if (pos + 1 >= lim)
				return rd_fail(r, "truncated name");
			target = (size_t)(c & 0x3f) << 8 | r->p[pos + 1];
			if (hops == 0)
				after = pos + 2;
			if (++hops > DNS_PTR_HOPS)
				return rd_fail(r, "too many compression "
				    "pointers");
			if (target < DNS_HDRLEN)
				return rd_fail(r, "compression pointer "
				    "into header");
			/* Back into bytes already read is a loop. */
			if (pos + 1 > hi)
				hi = pos + 1;
			if (target >= runstart)
				return rd_fail(r, target <= hi ?
				    "compression pointer loop" :
				    "forward compression pointer");
			pos = runstart = target;
			lim = r->msglen;
			continue;
		}
		if (c & 0xc0)
			return rd_fail(r, "reserved label type");
		if (n + 1 + c > DNS_NAME_MAX)
			return rd_fail(r, "name too long");
		if (lim - pos - 1 < c)
			return rd_fail(r, "truncated name");
		memcpy(wire + n, r->p + pos, (size_t)c + 1);
		n += (size_t)c + 1;
		pos += (size_t)c + 1;
		if (pos - 1 > hi)
			hi = pos - 1;
		if (c == 0)
			break;
	}
	r->off = hops > 0 ? after : pos;
	*wlen = n;
	return 0;
}

/*
 * The write cursor.
 */

static void
wr_add(struct wr *w, const void *p, size_t n)
{
	if (w->err != NULL)
		return;
	if (w->fix != NULL) {
		if (w->fixsz - w->fixlen <= n) {
			w->err = "output too long";
			return;
		}
		memcpy(w->fix + w->fixlen, p, n);
		w->fixlen += n;
		w->fix[w->fixlen] = '\0';
	} else if (w->b != NULL && buf_add(w->b, p, n) == -1)
		w->err = w->b->toobig ? "output too long" : "out of memory";
}

/* Bytes written so far, for column stops. */
static size_t
wr_len(const struct wr *w)
{
	if (w->fix != NULL)
		return w->fixlen;
	return w->b != NULL ? w->b->len : 0;
}

static void
wr_c(struct wr *w, int c)
{
	uint8_t ch = (uint8_t)c;

	wr_add(w, &ch, 1);
}

static void
wr_s(struct wr *w, const char *s)
{
	wr_add(w, s, strlen(s));
}

/* A number in decimal (no printf: it is most of a record's fields). */
static void
wr_u(struct wr *w, unsigned long v)
{
	char	d[MK_UTOA_MAX];

	wr_add(w, d, mk_utoa(v, d));
}

/* An IPv4 address, dotted quad, as inet_ntop() writes it. */
static void
wr_ipv4(struct wr *w, const uint8_t *p)
{
	int i;

	for (i = 0; i < 4; i++) {
		if (i > 0)
			wr_c(w, '.');
		wr_u(w, p[i]);
	}
}

/* An IPv6 address as inet_ntop() writes it (no printf: per record). */
static void
wr_ipv6(struct wr *w, const uint8_t *p)
{
	char	t[DNS_IPV6_TEXTMAX];

	wr_add(w, t, dns_ipv6_text(p, t));
}

static void
wr_printf(struct wr *w, const char *fmt, ...)
{
	char	tmp[128];
	va_list	ap;
	int	n;

	if (w->err != NULL || (w->b == NULL && w->fix == NULL))
		return;
	va_start(ap, fmt);
	n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(tmp)) {
		w->err = "internal error: format";
		return;
	}
	wr_add(w, tmp, (size_t)n);
}

/*
 * Move from the column reached since start to the column stop as BIND
 * indents master files: tabs, then spaces, and at least one of them,
 * so a field that ran past the stop is followed by one space or by the
 * tab to the next stop right after it.
 */
static void
wr_col(struct wr *w, size_t start, size_t stop)
{
	const char	*p;
	size_t		 col = 0, i, n = wr_len(w);

	if (w->err != NULL || (w->b == NULL && w->fix == NULL))
		return;
	p = w->fix != NULL ? w->fix : (const char *)w->b->p;
	for (i = start; i < n; i++)
		col = p[i] == '\t' ? (col / 8 + 1) * 8 : col + 1;
	if (stop < col + 1)
		stop = col + 1;
	for (; (col / 8 + 1) * 8 <= stop; col = (col / 8 + 1) * 8)
		wr_c(w, '\t');
	for (; col < stop; col++)
		wr_c(w, ' ');
}

/* An uncompressed, already checked wire name as dig's text. */
static void
wr_name(struct wr *w, const uint8_t *wire, size_t wlen)
{
	char	t[4 * DNS_NAME_MAX + 2];	/* every byte as \DDD */
	size_t	i = 0, j, n = 0;
	uint8_t	c, l;

	if (wlen == 0 || wire[0] == 0) {
		wr_c(w, '.');
		return;
	}
	/* Built here and added once: this runs for every owner and target. */
	if (wlen > DNS_NAME_MAX)
		wlen = DNS_NAME_MAX;
	while (i < wlen && (l = wire[i]) != 0) {
		for (j = i + 1; j <= i + l && j < wlen; j++) {
			switch (c = wire[j]) {
			case '.': case '\\': case '"': case '(': case ')':
			case ';': case '@': case '$':
				t[n++] = '\\';
				t[n++] = (char)c;
				break;
			default:
				if (c <= 0x20 || c >= 0x7f) {
					t[n++] = '\\';
					t[n++] = (char)('0' + c / 100);
					t[n++] = (char)('0' + c / 10 % 10);
					t[n++] = (char)('0' + c % 10);
				} else
					t[n++] = (char)c;
			}
		}
		t[n++] = '.';
		i += (size_t)l + 1;
	}
	wr_add(w, t, n);
}

/* Hex, uppercase; chunk breaks every 56 digits with a space as dig. */
static void
wr_hex(struct wr *w, const uint8_t *p, size_t n, int chunk)
{
	static const char hx[] = "0123456789ABCDEF";
	size_t i;

	for (i = 0; i < n; i++) {
		if (chunk && i > 0 && i % 28 == 0)
			wr_c(w, ' ');
		wr_c(w, hx[p[i] >> 4]);
		wr_c(w, hx[p[i] & 0xf]);
	}
}

/* Base64 (RFC 4648 section 4); chunk: a space every 56 as dig. */
static void
wr_b64(struct wr *w, const uint8_t *p, size_t n, int chunk)
{
	static const char al[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	char	 q[4];
	size_t	 i, out = 0;
	uint32_t v;

	for (i = 0; i < n; i += 3) {
		v = (uint32_t)p[i] << 16;
		if (i + 1 < n)
			v |= (uint32_t)p[i + 1] << 8;
		if (i + 2 < n)
			v |= p[i + 2];
		q[0] = al[v >> 18 & 63];
		q[1] = al[v >> 12 & 63];
		q[2] = i + 1 < n ? al[v >> 6 & 63] : '=';
		q[3] = i + 2 < n ? al[v & 63] : '=';
		if (chunk && out > 0 && out % 56 == 0)
			wr_c(w, ' ');
		wr_add(w, q, 4);
		out += 4;
	}
}

/* Base32 with the extended hex alphabet, no padding (RFC 5155). */
static void
wr_b32hex(struct wr *w, const uint8_t *p, size_t n)
{
	static const char al[] = "0123456789ABCDEFGHIJKLMNOPQRSTUV";
	uint32_t acc = 0;
	int	 bits = 0;
	size_t	 i;

	for (i = 0; i < n; i++) {
		acc = (acc << 8 | p[i]) & 0xffff;
		bits += 8;
		while (bits >= 5) {
			wr_c(w, al[(acc >> (bits - 5)) & 31]);
			bits -= 5;
		}
	}
	if (bits > 0)
		wr_c(w, al[(acc << (5 - bits)) & 31]);
}

/* A <character-string> in double quotes, escaped as dig does. */
static void
wr_qstr(struct wr *w, const uint8_t *p, size_t n)
{
	size_t i;

	wr_c(w, '"');
	for (i = 0; i < n; i++) {
		if (p[i] == '"' || p[i] == '\\') {
			wr_c(w, '\\');
			wr_c(w, p[i]);
		} else if (p[i] < 0x20 || p[i] >= 0x7f)
			wr_printf(w, "\\%03u", p[i]);
		else
			wr_c(w, p[i]);
	}
	wr_c(w, '"');
}

/*
 * A 32-bit time as YYYYMMDDHHMMSS (RFC 4034 3.2).  The value is serial
 * arithmetic (RFC 1982), so like dig take the instant within 68 years
 * of now.  Days to civil date after H. Hinnant's algorithm, so no time
 * zone or libc state is involved.
 */
static void
wr_time(struct wr *w, uint32_t v)
{
	long long	t, days, secs, z, era, doe, yoe, doy, mp, d, m, y;
	time_t		now = time(NULL);

	t = (long long)now + (int32_t)(v - (uint32_t)now);
	days = t >= 0 ? t / 86400 : (t - 86399) / 86400;
	secs = t - days * 86400;
	z = days + 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	y = yoe + era * 400;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	d = doy - (153 * mp + 2) / 5 + 1;
	m = mp < 10 ? mp + 3 : mp - 9;
	if (m <= 2)
		y++;
	wr_printf(w, "%04lld%02lld%02lld%02lld%02lld%02lld", y, m, d,
	    secs / 3600, secs / 60 % 60, secs % 60);
}

/*
 * Names.
 */

int
dns_name_from_text(const char *text, uint8_t *wire, size_t wsz,
    size_t *wlen, const char **err)
{
	size_t	 n = 0, lab = 0;
	int	 c, absolute = 0;
	const char *s = text;

	*err = NULL;
	if (wsz < 1) {
		*err = "buffer too small";
		return -1;
	}
	if (*s == '\0') {
		*err = "empty name";
		return -1;
	}
	if (strcmp(s, ".") == 0) {
		wire[0] = 0;
		*wlen = 1;
		return 1;
	}
	/* wire[lab] is the length byte of the label being built. */
	for (;;) {
		if (*s == '\0' || *s == '.') {
			if (n == lab) {
				if (*s == '\0' && n > 0 && absolute)
					break;
				*err = "empty label";
				return -1;
			}
			if (n - lab - 1 > DNS_LABEL_MAX) {
				*err = "label too long";
				return -1;
			}
			wire[lab] = (uint8_t)(n - lab - 1);
			lab = n;
			if (*s == '\0')
				break;
			s++;
			if (*s == '\0')
				absolute = 1;
			continue;
		}
		if (n == lab) {
			/* Room for this length byte. */
			if (n >= wsz || n >= DNS_NAME_MAX) {
				*err = n >= DNS_NAME_MAX ? "name too long" :
				    "buffer too small";
				return -1;
			}
			n++;
		}
		c = (unsigned char)*s++;
		if (c == '\\') {
			if (s[0] >= '0' && s[0] <= '9') {
				if (s[1] < '0' || s[1] > '9' ||
				    s[2] < '0' || s[2] > '9') {
					*err = "bad escape";
					return -1;
				}
				c = (s[0] - '0') * 100 + (s[1] - '0') * 10 +
				    (s[2] - '0');
				if (c > 255) {
					*err = "bad escape";
					return -1;
				}
				s += 3;
			} else if (*s == '\0') {
				*err = "bad escape";
				return -1;
			} else
				c = (unsigned char)*s++;
		}
		if (n - lab - 1 >= DNS_LABEL_MAX) {
			*err = "label too long";
			return -1;
		}
		if (n >= wsz || n >= DNS_NAME_MAX) {
			*err = n >= DNS_NAME_MAX ? "name too long" :
			    "buffer too small";
			return -1;
		}
		wire[n++] = (uint8_t)c;
	}
	/* The root label. */
	if (n >= DNS_NAME_MAX || n >= wsz) {
		*err = n >= DNS_NAME_MAX ? "name too long" : "buffer too small";
		return -1;
	}
	wire[n++] = 0;
	*wlen = n;
	return absolute;
}

int
dns_name_to_text(const uint8_t *wire, size_t wlen, char *out, size_t outsz)
{
	struct wr	w = { .fix = out, .fixsz = outsz };
	size_t		i = 0;

	/* Check the form first: labels in bounds, ends in the root. */
	for (;;) {
		if (i >= wlen || (wire[i] & 0xc0) != 0 ||
		    wlen - i - 1 < wire[i])
			return -1;
		if (wire[i] == 0)
			break;
		i += (size_t)wire[i] + 1;
	}
	if (i + 1 > DNS_NAME_MAX)
		return -1;
	if (outsz == 0)
		return -1;
	out[0] = '\0';
	wr_name(&w, wire, i + 1);
	return w.err != NULL ? -1 : (int)w.fixlen;
}

size_t
dns_ipv6_text(const uint8_t *p, char *out)
{
	static const char	 hx[] = "0123456789abcdef";
	unsigned int		 g[8], v;
	size_t			 n = 0;
	int			 i, k, best = -1, blen = 0, run;

	for (i = 0; i < 8; i++)
		g[i] = (unsigned int)p[2 * i] << 8 | p[2 * i + 1];
	/* RFC 5952: the first longest run of two or more zero groups. */
	for (i = 0; i < 8; i = k) {
		for (k = i; k < 8 && g[k] == 0; k++)
			;
		run = k - i;
		if (run > blen && run >= 2) {
			best = i;
			blen = run;
		}
		if (k == i)
			k++;
	}
	for (i = 0; i < 8; i++) {
		if (i == best) {
			/* ::a.b.c.d and ::ffff:a.b.c.d, as glibc's. */
			if (i == 0 && (blen == 6 ||
			    (blen == 5 && g[5] == 0xffff))) {
				out[n++] = ':';
				if (blen == 5) {
					memcpy(out + n, ":ffff", 5);
					n += 5;
				}
				for (k = 12; k < 16; k++) {
					out[n++] = k == 12 ? ':' : '.';
					n += mk_utoa(p[k], out + n);
				}
				out[n] = '\0';
				return n;
			}
			out[n++] = ':';
			i += blen - 1;
			if (i == 7)
				out[n++] = ':';
			continue;
		}
		if (i > 0)
			out[n++] = ':';
		v = g[i];
		if (v >= 0x1000)
			out[n++] = hx[v >> 12];
		if (v >= 0x100)
			out[n++] = hx[v >> 8 & 0xf];
		if (v >= 0x10)
			out[n++] = hx[v >> 4 & 0xf];
		out[n++] = hx[v & 0xf];
	}
	out[n] = '\0';
	return n;
}

int
dns_name_equal(const uint8_t *a, size_t alen, const uint8_t *b,
    size_t blen)
{
	size_t	i;
	uint8_t	x, y;

	if (alen != blen)
		return 0;
	/* Length bytes are at most 63, below 'A', so folding is safe. */
	for (i = 0; i < alen; i++) {
		x = a[i] >= 'A' && a[i] <= 'Z' ? a[i] + 32 : a[i];
		y = b[i] >= 'A' && b[i] <= 'Z' ? b[i] + 32 : b[i];
		if (x != y)
			return 0;
	}
	return 1;
}

int
dns_name_unpack(const uint8_t *msg, size_t msglen, size_t *off,
    uint8_t *wire, size_t *wlen, const char **err)
{
	struct rd r = { msg, msglen, msglen, *off, NULL };

	if (rd_name(&r, wire, wlen) == -1) {
		*err = r.err;
		return -1;
	}
	*off = r.off;
	return 0;
}

/*
 * Messages.
 */

/* Read one question or record at r->off. */
static int
rr_read(struct rd *r, struct dns_rr *rr, enum dns_section sec)
{
	uint16_t rdlen;

	rr->off = r->off;
	rr->sec = sec;
	if (rd_name(r, rr->owner, &rr->ownerlen) == -1)
		return -1;
	rr->namewlen = r->off - rr->off;
	rd_u16(r, &rr->type);
	rd_u16(r, &rr->class);
	if (sec == DNS_S_QUESTION) {
		rr->ttl = 0;
		rr->rdoff = r->off;
		rr->rdlen = 0;
	} else {
		rd_u32(r, &rr->ttl);
		rd_u16(r, &rdlen);
		if (r->err != NULL)
			return -1;
		rr->rdoff = r->off;
		rr->rdlen = rdlen;
		if (r->len - r->off < rdlen)
			return rd_fail(r, "rdata overruns message");
		r->off += rdlen;
	}
	if (r->err != NULL)
		return -1;
	rr->len = r->off - rr->off;
	return 0;
}

int
dns_msg_parse(const uint8_t *buf, size_t len, struct dns_msg *m,
    const char **err)
{
	struct rd	 r = { buf, len, len, 0, NULL };
	struct dns_rr	 rr;
	struct wr	 w = { .b = NULL };
	size_t		 need;
	unsigned int	 i;
	int		 s;

	memset(m, 0, sizeof(*m));
	m->buf = buf;
	m->len = len;
	*err = NULL;
	if (len < DNS_HDRLEN) {
		*err = "truncated header";
		return -1;
	}
	rd_u16(&r, &m->id);
	rd_u16(&r, &m->flags);
	for (s = 0; s < 4; s++)
		rd_u16(&r, &m->count[s]);
	m->rcode = DNS_RCODE(m->flags);
	/* A question takes 5 bytes at least, a record 11. */
	need = (size_t)m->count[0] * 5 + ((size_t)m->count[1] +
	    m->count[2] + m->count[3]) * 11;
	if (need > len - DNS_HDRLEN) {
		*err = "count exceeds data";
		return -1;
	}
	for (s = 0; s < 4; s++) {
		m->secoff[s] = r.off;
		for (i = 0; i < m->count[s]; i++) {
			if (rr_read(&r, &rr, (enum dns_section)s) == -1) {
				*err = r.err;
				return -1;
			}
			rr.idx = i;
			if (s == DNS_S_QUESTION) {
				if (i == 0)
					m->q = rr;
				continue;
			}
			if (rr.type == DNS_T_OPT) {
				if (s != DNS_S_ADDITIONAL)
					*err = "OPT record outside "
					    "additional section";
				else if (m->edns.present)
					*err = "more than one OPT record";
				else if (rr.ownerlen != 1)
					*err = "OPT owner not root";
				if (*err != NULL)
					return -1;
				m->edns.present = 1;
				m->edns.udpsize = rr.class;
				m->edns.extrcode = (uint8_t)(rr.ttl >> 24);
				m->edns.version = (uint8_t)(rr.ttl >> 16);
				m->edns.flags = (uint16_t)rr.ttl;
				m->edns.rdoff = rr.rdoff;
				m->edns.rdlen = rr.rdlen;
				m->edns.off = rr.off;
				m->edns.len = rr.len;
				m->rcode = (uint16_t)(m->edns.extrcode << 4 |
				    DNS_RCODE(m->flags));
				continue;
			}
			if (rdata_text(buf, len, &rr, &w) == -1) {
				*err = w.err;
				return -1;
			}
		}
	}
	m->end = r.off;
	if (m->edns.present && edns_check(m, err) == -1)
		return -1;
	return 0;
}

void
dns_iter_init(struct dns_iter *it, const struct dns_msg *m,
    enum dns_section sec)
{
	it->m = m;
	it->sec = sec;
	it->off = m->secoff[sec];
	it->idx = 0;
}

int
dns_rr_next(struct dns_iter *it, struct dns_rr *rr, const char **err)
{
	struct rd r = { it->m->buf, it->m->len, it->m->len, it->off, NULL };

	if (it->idx >= it->m->count[it->sec])
		return 0;
	if (rr_read(&r, rr, it->sec) == -1) {
		*err = r.err;
		return -1;
	}
	rr->idx = it->idx++;
	it->off = r.off;
	return 1;
}

/*
 * Rdata.
 */

static const struct rdfmt *
rdfmt_find(uint16_t type, uint16_t class)
{
	size_t i;

	for (i = 0; i < MK_NELEM(rdfmts); i++)
		if (rdfmts[i].type == type)
			return rdfmts[i].inonly && class != DNS_C_IN ?
			    NULL : &rdfmts[i];
	return NULL;
}

/* RFC 3597 section 5: "\# LEN HEX". */
static void
rdata_generic(struct rd *r, struct wr *w)
{
	size_t n = r->len - r->off;

	wr_printf(w, "\\# %zu", n);
	if (n > 0) {
		wr_c(w, ' ');
		wr_hex(w, r->p + r->off, n, 1);
	}
	r->off = r->len;
}

/* RFC 4034 4.1.2: windows in order, 1..32 bytes, no trailing zero. */
static void
rdata_bitmap(struct rd *r, struct wr *w)
{
	const uint8_t	*bm;
	char		 tb[DNS_TYPE_TEXTMAX];
	uint8_t		 win, n;
	int		 last = -1;
	unsigned int	 i, b;

	while (r->err == NULL && r->off < r->len) {
		if (rd_u8(r, &win) == -1 || rd_u8(r, &n) == -1)
			return;
		if ((int)win <= last) {
			rd_fail(r, "type bitmap windows out of order");
			return;
		}
		last = win;
		if (n < 1 || n > 32) {
			rd_fail(r, "bad type bitmap length");
			return;
		}
		if (rd_bytes(r, n, &bm) == -1)
			return;
		if (bm[n - 1] == 0) {
			rd_fail(r, "type bitmap ends in zero");
			return;
		}
		for (i = 0; i < n; i++)
			for (b = 0; b < 8; b++)
				if (bm[i] & (0x80 >> b)) {
					wr_c(w, ' ');
					wr_s(w, dns_type_to_text((uint16_t)
					    (win << 8 | (i * 8 + b)), tb));
				}
	}
}

/* "0.%02lum" below a metre, "%lum" above: BIND's LOC size form. */
static int
loc_size(struct wr *w, uint8_t v)
{
	static const unsigned long pow10[] = {
		1, 10, 100, 1000, 10000, 100000, 1000000, 10000000,
		100000000, 1000000000
	};
	unsigned int mant = v >> 4, ex = v & 0xf;

	if (mant > 9 || ex > 9)
		return -1;
	if (ex >= 2)
		wr_printf(w, " %lum", mant * pow10[ex - 2]);
	else
		wr_printf(w, " 0.%02lum", mant * pow10[ex]);
	return 0;
}

/* RFC 1876: version 0 only; other versions print in RFC 3597 form. */
static void
rdata_loc(struct rd *r, struct wr *w)
{
	const uint8_t	*p;
	uint32_t	 lat, lon, alt;
	unsigned long	 a, v;
	int		 i;

	if (r->off < r->len && r->p[r->off] != 0) {
		rdata_generic(r, w);
		return;
	}
	if (r->len - r->off != 16) {
		rd_fail(r, "bad LOC rdata length");
		return;
	}
	if (rd_bytes(r, 4, &p) == -1 || rd_u32(r, &lat) == -1 ||
	    rd_u32(r, &lon) == -1 || rd_u32(r, &alt) == -1)
		return;
	if (lat < 0x80000000u - 90u * 3600000u ||
	    lat > 0x80000000u + 90u * 3600000u ||
	    lon < 0x80000000u - 180u * 3600000u ||
	    lon > 0x80000000u + 180u * 3600000u) {
		rd_fail(r, "LOC coordinate out of range");
		return;
	}
	for (i = 0; i < 2; i++) {
		uint32_t c = i == 0 ? lat : lon;
		int neg = c < 0x80000000u;

		v = neg ? 0x80000000u - c : c - 0x80000000u;
		wr_printf(w, "%s%lu %lu %lu.%03lu %c", i ? " " : "",
		    v / 3600000, v / 60000 % 60, v / 1000 % 60, v % 1000,
		    i == 0 ? (neg ? 'S' : 'N') : (neg ? 'W' : 'E'));
	}
	/* Altitude in cm above a base 100000 m below the WGS 84 spheroid. */
	if (alt < 10000000u) {
		a = 10000000u - alt;
		wr_printf(w, " -%lu.%02lum", a / 100, a % 100);
	} else {
		a = alt - 10000000u;
		wr_printf(w, " %lu.%02lum", a / 100, a % 100);
	}
	for (i = 1; i < 4; i++)
		if (loc_size(w, p[i]) == -1) {
			rd_fail(r, "bad LOC size");
			return;
		}
}

/*
 * An alpn value: the ids joined with ",", where a "," or "\" inside an
 * id is escaped (RFC 9460 A.1) and the result escaped again for the
 * quotes; dig writes space and other non-graphic bytes as \DDD here.
 */
static int
svc_alpn(struct wr *w, const uint8_t *p, size_t n)
{
	size_t	i = 0, j;
	uint8_t	l, c;

	if (n == 0)
		return -1;
	wr_c(w, '"');
	while (i < n) {
		l = p[i++];
		if (l == 0 || l > n - i)
			return -1;
		if (i > 1)
			wr_c(w, ',');
		for (j = i; j < i + l; j++) {
			c = p[j];
			if (c == ',' || c == '\\') {
				wr_s(w, "\\\\");
				if (c == '\\')
					wr_s(w, "\\\\");
				else
					wr_c(w, c);
			} else if (c == '"')
				wr_s(w, "\\\"");
			else if (c <= 0x20 || c >= 0x7f)
				wr_printf(w, "\\%03u", c);
			else
				wr_c(w, c);
		}
		i += l;
	}
	wr_c(w, '"');
	return 0;
}

/* RFC 9461: a relative URI template with the "dns" variable. */
static int
svc_dohpath_ok(const uint8_t *p, size_t n)
{
	size_t i;

	if (n == 0 || p[0] != '/')
		return 0;
	for (i = 0; i + 6 <= n; i++)
		if (p[i] == '{' && (p[i + 1] == '?' || p[i + 1] == '&') &&
		    memcmp(p + i + 2, "dns}", 4) == 0)
			return 1;
	return 0;
}

/*
 * SVCB/HTTPS parameters (RFC 9460 2.2), checked as BIND checks them:
 * keys strictly increasing, mandatory keys sorted, present and not
 * "mandatory" itself, fixed lengths for port, hints and
 * no-default-alpn, no-default-alpn only beside alpn.
 */
static void
rdata_svcb(struct rd *r, struct wr *w)
{
	const uint8_t	*v;
	char		 a[INET6_ADDRSTRLEN];
	size_t		 start = r->off, pos, i;
	uint16_t	 key, len, k, prev;
	int		 havealpn = 0, nodef = 0;
	long		 last = -1;
	const char	*bad = NULL;

	while (r->err == NULL && r->off < r->len) {
		if (rd_u16(r, &key) == -1 || rd_u16(r, &len) == -1 ||
		    rd_bytes(r, len, &v) == -1)
			return;
		if ((long)key <= last) {
			rd_fail(r, "SVCB keys out of order");
			return;
		}
		last = key;
		wr_c(w, ' ');
		if (key < MK_NELEM(svckeys))
			wr_s(w, svckeys[key]);
		else
			wr_printf(w, "key%u", key);
		switch (key) {
		case 0:		/* mandatory */
			if (len == 0 || len % 2 != 0) {
				bad = "bad SVCB mandatory";
				break;
			}
			wr_c(w, '=');
			for (i = 0, prev = 0; i < len; i += 2) {
				k = (uint16_t)(v[i] << 8 | v[i + 1]);
				if (k == 0 || (i > 0 && k <= prev)) {
					bad = "bad SVCB mandatory";
					break;
				}
				prev = k;
				if (i > 0)
					wr_c(w, ',');
				if (k < MK_NELEM(svckeys))
					wr_s(w, svckeys[k]);
				else
					wr_printf(w, "key%u", k);
			}
			break;
		case 1:		/* alpn */
			havealpn = 1;
			wr_c(w, '=');
			if (svc_alpn(w, v, len) == -1)
				bad = "bad SVCB alpn";
			break;
		case 2:		/* no-default-alpn */
			nodef = 1;
			if (len != 0)
				bad = "bad SVCB no-default-alpn";
			break;
		case 3:		/* port */
			if (len != 2)
				bad = "bad SVCB port";
			else
				wr_printf(w, "=%u", v[0] << 8 | v[1]);
			break;
		case 4:		/* ipv4hint */
		case 6:		/* ipv6hint */
			k = key == 4 ? 4 : 16;
			if (len == 0 || len % k != 0) {
				bad = "bad SVCB address hint";
				break;
			}
			for (i = 0; i < len; i += k) {
				inet_ntop(key == 4 ? AF_INET : AF_INET6,
				    v + i, a, sizeof(a));
				wr_c(w, i == 0 ? '=' : ',');
				wr_s(w, a);
			}
			break;
		case 5:		/* ech: base64, may be empty */
			if (len > 0) {
				wr_c(w, '=');
				wr_b64(w, v, len, 0);
			}
			break;
		case 7:		/* dohpath: dig 9.18 shows it as key7 */
			if (!svc_dohpath_ok(v, len))
				bad = "bad SVCB dohpath";
			/* FALLTHROUGH */
		default:
			if (len > 0) {
				/* Other values: quoted, TXT's escapes. */
				wr_c(w, '=');
				wr_qstr(w, v, len);
			}
			break;
		}
		if (bad != NULL) {
			rd_fail(r, bad);
			return;
		}
	}
	if (nodef && !havealpn) {
		rd_fail(r, "SVCB no-default-alpn without alpn");
		return;
	}
	/* Every key listed as mandatory must be present. */
	pos = start;
	while (pos + 4 <= r->len) {
		key = (uint16_t)(r->p[pos] << 8 | r->p[pos + 1]);
		len = (uint16_t)(r->p[pos + 2] << 8 | r->p[pos + 3]);
		if (key == 0) {
			for (i = 0; i + 1 < len; i += 2) {
				size_t q = start;
				int found = 0;

				k = (uint16_t)(r->p[pos + 4 + i] << 8 |
				    r->p[pos + 5 + i]);
				while (q + 4 <= r->len) {
					if ((r->p[q] << 8 | r->p[q + 1]) == k)
						found = 1;
					q += 4 + (size_t)(r->p[q + 2] << 8 |
					    r->p[q + 3]);
				}
				if (!found) {
					rd_fail(r, "SVCB mandatory key "
					    "missing");
					return;
				}
			}
		}
		pos += 4 + (size_t)len;
	}
}

/* RFC 8659: flags, a tag of letters and digits, the value quoted. */
static void
rdata_caa(struct rd *r, struct wr *w)
{
	const uint8_t	*tag;
	uint8_t		 flags, n;
	size_t		 i;

	if (rd_u8(r, &flags) == -1 || rd_u8(r, &n) == -1 ||
	    rd_bytes(r, n, &tag) == -1)
		return;
	if (n == 0) {
		rd_fail(r, "empty CAA tag");
		return;
	}
	for (i = 0; i < n; i++)
		if (!((tag[i] >= 'a' && tag[i] <= 'z') ||
		    (tag[i] >= 'A' && tag[i] <= 'Z') ||
		    (tag[i] >= '0' && tag[i] <= '9'))) {
			rd_fail(r, "bad CAA tag");
			return;
		}
	wr_printf(w, "%u ", flags);
	wr_add(w, tag, n);
	wr_c(w, ' ');
	wr_qstr(w, r->p + r->off, r->len - r->off);
	r->off = r->len;
}

/* RFC 4398 2.1 certificate types, as dig names them. */
static const char *
cert_type_name(uint16_t t, char *buf)
{
	static const char *const names[] = {
		NULL, "PKIX", "SPKI", "PGP", "IPKIX", "ISPKI", "IPGP",
		"ACPKIX", "IACPKIX"
	};

	if (t < MK_NELEM(names) && names[t] != NULL)
		return names[t];
	if (t == 253)
		return "URI";
	if (t == 254)
		return "OID";
	snprintf(buf, DNS_TYPE_TEXTMAX, "%u", t);
	return buf;
}

/* DNSSEC algorithm mnemonics as dig prints them in CERT. */
static const char *
secalg_name(uint8_t a, char *buf)
{
	static const char *const names[] = {
		NULL, "RSAMD5", "DH", "DSA", NULL, "RSASHA1", "NSEC3DSA",
		"NSEC3RSASHA1", "RSASHA256", NULL, "RSASHA512", NULL,
		"ECCGOST", "ECDSAP256SHA256", "ECDSAP384SHA384", "ED25519",
		"ED448"
	};

	if (a < MK_NELEM(names) && names[a] != NULL)
		return names[a];
	if (a == 252)
		return "INDIRECT";
	if (a == 253)
		return "PRIVATEDNS";
	if (a == 254)
		return "PRIVATEOID";
	snprintf(buf, DNS_TYPE_TEXTMAX, "%u", a);
	return buf;
}

/*
 * RFC 3123: items "[!]afi:address/prefix".  Address families other
 * than 1 and 2 make dig print the whole rdata in RFC 3597 form.
 */
static void
rdata_apl(struct rd *r, struct wr *w)
{
	const uint8_t	*p;
	uint8_t		 addr[16], pfx, al;
	uint16_t	 afi;
	char		 a[INET6_ADDRSTRLEN];
	size_t		 pos;
	int		 first = 1;

	/* A first pass to decide between the two forms. */
	for (pos = r->off; pos < r->len; pos += 4 + (size_t)(r->p[pos + 3] &
	    0x7f)) {
		if (r->len - pos < 4)
			break;
		afi = (uint16_t)(r->p[pos] << 8 | r->p[pos + 1]);
		if (afi != 1 && afi != 2) {
			rdata_generic(r, w);
			return;
		}
	}
	while (r->err == NULL && r->off < r->len) {
		if (rd_u16(r, &afi) == -1 || rd_u8(r, &pfx) == -1 ||
		    rd_u8(r, &al) == -1 || rd_bytes(r, al & 0x7f, &p) == -1)
			return;
		if ((al & 0x7f) > (afi == 1 ? 4 : 16) ||
		    pfx > (afi == 1 ? 32 : 128) ||
		    ((al & 0x7f) > 0 && p[(al & 0x7f) - 1] == 0)) {
			rd_fail(r, "bad APL item");
			return;
		}
		memset(addr, 0, sizeof(addr));
		memcpy(addr, p, al & 0x7f);
		inet_ntop(afi == 1 ? AF_INET : AF_INET6, addr, a, sizeof(a));
		wr_printf(w, "%s%s%u:%s/%u", first ? "" : " ",
		    al & 0x80 ? "!" : "", afi, a, pfx);
		first = 0;
	}
}

/* RFC 4025: precedence, gateway type, algorithm, gateway, key. */
static void
rdata_ipseckey(struct rd *r, struct wr *w)
{
	const uint8_t	*p;
	uint8_t		 prec, gt, alg, wire[DNS_NAME_MAX];
	char		 a[INET6_ADDRSTRLEN];
	size_t		 wlen;

	if (rd_u8(r, &prec) == -1 || rd_u8(r, &gt) == -1 ||
	    rd_u8(r, &alg) == -1)
		return;
	wr_printf(w, "%u %u %u ", prec, gt, alg);
	switch (gt) {
	case 0:
		wr_c(w, '.');
		break;
	case 1:
	case 2:
		if (rd_bytes(r, gt == 1 ? 4 : 16, &p) == -1)
			return;
		wr_s(w, inet_ntop(gt == 1 ? AF_INET : AF_INET6, p, a,
		    sizeof(a)));
		break;
	case 3:
		if (rd_name(r, wire, &wlen) == -1)
			return;
		wr_name(w, wire, wlen);
		break;
	default:
		rd_fail(r, "bad IPSECKEY gateway type");
		return;
	}
	if (r->off >= r->len) {
		rd_fail(r, "empty key");
		return;
	}
	wr_c(w, ' ');
	wr_b64(w, r->p + r->off, r->len - r->off, 1);
	r->off = r->len;
}

/* Digest lengths of known DS digest types (RFC 4509, 5933, 6605). */
static int
ds_digest_ok(uint8_t dtype, size_t n)
{
	switch (dtype) {
	case 1:
		return n == 20;
	case 2:
		return n == 32;
	case 4:
		return n == 48;
	default:
		return n > 0;
	}
}

/* Whether field letter c writes its own separating space. */
static int
own_space(char c)
{
	switch (c) {
	case 'X': case 'Y': case 'Q': case 'B': case 'K': case 'D': case 'F':
	case 'm': case 'S': case 'O':
		return 1;
	default:
		return 0;
	}
}

/* Run the field letters of fmt over the rdata at r. */
static void
rdata_fmt(struct rd *r, struct wr *w, const char *fmt)
{
	const uint8_t	*p;
	uint8_t		 wire[DNS_NAME_MAX];
	char		 tb[DNS_TYPE_TEXTMAX];
	size_t		 wlen, n;
	uint32_t	 v32;
	uint16_t	 v16;
	uint8_t		 v8, dtype = 0, fptype = 0;
	int		 first = 1, i;

	for (; *fmt != '\0' && r->err == NULL; fmt++) {
		if (*fmt == ' ')
			continue;
		/* These write their own separating spaces. */
		if (!first && !own_space(*fmt))
			wr_c(w, ' ');
		switch (*fmt) {
		case 'a':
			if (rd_bytes(r, 4, &p) == 0)
				wr_ipv4(w, p);
			break;
		case '6':
			if (rd_bytes(r, 16, &p) == 0)
				wr_ipv6(w, p);
			break;
		case 'b':
			if (rd_u8(r, &v8) == -1)
				break;
			wr_u(w, v8);
			/* The last one says what a digest must measure. */
			dtype = fptype = v8;
			break;
		case 's':
			if (rd_u16(r, &v16) == 0)
				wr_u(w, v16);
			break;
		case 'l':
			if (rd_u32(r, &v32) == 0)
				wr_u(w, v32);
			break;
		case 'y':
			if (rd_u16(r, &v16) == 0)
				wr_s(w, dns_type_to_text(v16, tb));
			break;
		case 'd':
			if (rd_u32(r, &v32) == 0)
				wr_time(w, v32);
			break;
		case 'n':
			if (rd_name(r, wire, &wlen) == 0)
				wr_name(w, wire, wlen);
			break;
		case 't':
			if (rd_u8(r, &v8) == 0 && rd_bytes(r, v8, &p) == 0)
				wr_qstr(w, p, v8);
			break;
		case 'O':
			if (r->off >= r->len)
				break;
			if (rd_u8(r, &v8) == 0 && rd_bytes(r, v8, &p) == 0) {
				wr_c(w, ' ');
				wr_qstr(w, p, v8);
			}
			break;
		case 'T':
			if (r->off >= r->len) {
				rd_fail(r, "empty TXT rdata");
				break;
			}
			for (i = 0; r->off < r->len && r->err == NULL; i++) {
				if (rd_u8(r, &v8) == -1 ||
				    rd_bytes(r, v8, &p) == -1)
					break;
				if (i > 0)
					wr_c(w, ' ');
				wr_qstr(w, p, v8);
			}
			break;
		case 'Z':
			if (rd_u8(r, &v8) == -1 || rd_bytes(r, v8, &p) == -1)
				break;
			/* RFC 1183 3.1: a PSDN address of 4 or more digits. */
			for (n = 0; n < v8; n++)
				if (p[n] < '0' || p[n] > '9')
					break;
			if (v8 < 4 || n < v8) {
				rd_fail(r, "bad X25 address");
				break;
			}
			wr_qstr(w, p, v8);
			break;
		case 'u':
			wr_qstr(w, r->p + r->off, r->len - r->off);
			r->off = r->len;
			break;
		case 'X':
		case 'Y':
		case 'Q':
		case 'B':
		case 'K':
		case 'D':
		case 'F':
			n = r->len - r->off;
			if (*fmt == 'D' && !ds_digest_ok(dtype, n)) {
				rd_fail(r, "bad DS digest length");
				break;
			}
			if (*fmt == 'F' && ((fptype == 1 && n != 20) ||
			    (fptype == 2 && n != 32))) {
				rd_fail(r, "bad SSHFP fingerprint length");
				break;
			}
			if (n > 0 && !first)
				wr_c(w, ' ');
			if ((*fmt == 'K' || *fmt == 'Y') && n == 0) {
				rd_fail(r, "empty key or data");
				break;
			}
			/* RFC 8976 2.2.4: SHA-384 and SHA-512, at least 12. */
			if (*fmt == 'Q' && (n < 12 || (dtype == 1 && n != 48) ||
			    (dtype == 2 && n != 64))) {
				rd_fail(r, "bad ZONEMD digest length");
				break;
			}
			if (*fmt == 'B' || *fmt == 'K')
				wr_b64(w, r->p + r->off, n, 1);
			else
				wr_hex(w, r->p + r->off, n, 1);
			r->off = r->len;
			break;
		case 'x':
			if (rd_u8(r, &v8) == -1 || rd_bytes(r, v8, &p) == -1)
				break;
			if (v8 == 0)
				wr_c(w, '-');
			else
				wr_hex(w, p, v8, 0);
			break;
		case 'h':
			if (rd_u8(r, &v8) == -1 || rd_bytes(r, v8, &p) == -1)
				break;
			if (v8 == 0) {
				rd_fail(r, "empty NSEC3 next hash");
				break;
			}
			wr_b32hex(w, p, v8);
			break;
		case 'm':
			rdata_bitmap(r, w);
			break;
		case 'e':
		case 'E':
			n = *fmt == 'e' ? 6 : 8;
			if (rd_bytes(r, n, &p) == -1)
				break;
			for (i = 0; i < (int)n; i++)
				wr_printf(w, "%s%02x", i ? "-" : "", p[i]);
			break;
		case 'c':
			if (rd_u16(r, &v16) == 0)
				wr_s(w, cert_type_name(v16, tb));
			break;
		case 'k':
			if (rd_u8(r, &v8) == 0)
				wr_s(w, secalg_name(v8, tb));
			break;
		case 'L':
			rdata_loc(r, w);
			break;
		case 'A':
			rdata_apl(r, w);
			break;
		case 'P':
			rdata_ipseckey(r, w);
			break;
		case 'S':
			rdata_svcb(r, w);
			break;
		case 'C':
			rdata_caa(r, w);
			break;
		}
		first = 0;
	}
	if (r->err == NULL && r->off != r->len)
		rd_fail(r, "extra bytes in rdata");
}

/* Check, and when w->b is set print, the rdata of rr. */
static int
rdata_text(const uint8_t *msg, size_t msglen, const struct dns_rr *rr,
    struct wr *w)
{
	const struct rdfmt	*f;
	struct rd		 r;

	if (rr->rdoff > msglen || msglen - rr->rdoff < rr->rdlen) {
		w->err = "rdata overruns message";
		return -1;
	}
	r.p = msg;
	r.msglen = msglen;
	r.off = rr->rdoff;
	r.len = rr->rdoff + rr->rdlen;
	r.err = NULL;
	if ((f = rdfmt_find(rr->type, rr->class)) == NULL)
		rdata_generic(&r, w);
	else if (rr->rdlen == 0 && (rr->class == DNS_C_ANY ||
	    rr->class == DNS_C_NONE))
		/* RFC 2136 prerequisites and deletions carry no rdata. */
		rdata_generic(&r, w);
	else
		rdata_fmt(&r, w, f->fmt);
	if (r.err != NULL && w->err == NULL)
		w->err = r.err;
	return w->err != NULL ? -1 : 0;
}

int
dns_rdata_to_text(const uint8_t *msg, size_t msglen,
    const struct dns_rr *rr, struct mk_buf *out, const char **err)
{
	struct wr w = { .b = out };

	if (rdata_text(msg, msglen, rr, &w) == -1) {
		*err = w.err;
		return -1;
	}
	return 0;
}

int
dns_rr_to_text(const uint8_t *msg, size_t msglen, const struct dns_rr *rr,
    struct mk_buf *out, const char **err)
{
	struct wr	w = { .b = out };
	char		tb[DNS_TYPE_TEXTMAX];
	size_t		start = out->len;

	if (rr->sec == DNS_S_QUESTION) {
		/* dig counts its columns from after the ';'. */
		wr_c(&w, ';');
		start++;
		wr_name(&w, rr->owner, rr->ownerlen);
		wr_col(&w, start, 32);
	} else {
		wr_name(&w, rr->owner, rr->ownerlen);
		wr_col(&w, start, 24);
		wr_u(&w, rr->ttl);
		wr_col(&w, start, 32);
	}
	wr_s(&w, dns_class_to_text(rr->class, tb));
	wr_col(&w, start, 40);
	wr_s(&w, dns_type_to_text(rr->type, tb));
	if (rr->sec != DNS_S_QUESTION) {
		wr_col(&w, start, 48);
		if (w.err == NULL)
			rdata_text(msg, msglen, rr, &w);
	}
	if (w.err != NULL) {
		*err = w.err;
		return -1;
	}
	return 0;
}

/*
 * EDNS.
 */

int
dns_edns_opt_next(const struct dns_msg *m, size_t *pos,
    struct dns_edns_opt *o, const char **err)
{
	size_t off, end;

	if (!m->edns.present)
		return 0;
	off = m->edns.rdoff + *pos;
	end = m->edns.rdoff + m->edns.rdlen;
	if (off >= end)
		return 0;
	if (end - off < 4) {
		*err = "EDNS option overruns OPT record";
		return -1;
	}
	o->off = off;
	o->code = (uint16_t)(m->buf[off] << 8 | m->buf[off + 1]);
	o->len = (uint16_t)(m->buf[off + 2] << 8 | m->buf[off + 3]);
	if (end - off - 4 < o->len) {
		*err = "EDNS option overruns OPT record";
		return -1;
	}
	o->data = m->buf + off + 4;
	*pos += 4 + (size_t)o->len;
	return 1;
}

/* RFC 3629 well-formed UTF-8 (no overlongs, no surrogates). */
static int
utf8_valid(const uint8_t *p, size_t n)
{
	size_t		i = 0, k, need;
	uint32_t	cp;

	while (i < n) {
		if (p[i] < 0x80) {
			i++;
			continue;
		}
		if (p[i] >= 0xc2 && p[i] <= 0xdf)
			need = 1, cp = p[i] & 0x1f;
		else if (p[i] >= 0xe0 && p[i] <= 0xef)
			need = 2, cp = p[i] & 0x0f;
		else if (p[i] >= 0xf0 && p[i] <= 0xf4)
			need = 3, cp = p[i] & 0x07;
		else
			return 0;
		if (n - i - 1 < need)
			return 0;
		for (k = 1; k <= need; k++) {
			if ((p[i + k] & 0xc0) != 0x80)
				return 0;
			cp = cp << 6 | (p[i + k] & 0x3f);
		}
		if ((need == 2 && cp < 0x800) || (need == 3 && cp < 0x10000) ||
		    cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
			return 0;
		i += need + 1;
	}
	return 1;
}

/* The option checks BIND applies when it reads an OPT record. */
static int
edns_check(const struct dns_msg *m, const char **err)
{
	struct dns_edns_opt	o;
	size_t			pos = 0;
	unsigned int		fam, src, scope, alen;
	int			rc;

	while ((rc = dns_edns_opt_next(m, &pos, &o, err)) == 1) {
		switch (o.code) {
		case DNS_O_ECS:
			if (o.len < 4) {
				*err = "bad EDNS client subnet";
				return -1;
			}
			fam = (unsigned int)(o.data[0] << 8 | o.data[1]);
			src = o.data[2];
			scope = o.data[3];
			alen = (src + 7) / 8;
			if ((fam == 0 && (src != 0 || scope != 0)) ||
			    (fam == 1 && (src > 32 || scope > 32)) ||
			    (fam == 2 && (src > 128 || scope > 128)) ||
			    fam > 2 || o.len - 4u != alen ||
			    (src % 8 != 0 && alen > 0 &&
			    (o.data[4 + alen - 1] & ((1 << (8 - src % 8)) - 1))
			    != 0)) {
				*err = "bad EDNS client subnet";
				return -1;
			}
			break;
		case DNS_O_EXPIRE:
			if (o.len != 0 && o.len != 4) {
				*err = "bad EDNS expire";
				return -1;
			}
			break;
		case DNS_O_COOKIE:
			if (o.len != 8 && (o.len < 16 || o.len > 40)) {
				*err = "bad EDNS cookie";
				return -1;
			}
			break;
		case 14:	/* key-tag */
			if (o.len == 0 || o.len % 2 != 0) {
				*err = "bad EDNS key tag";
				return -1;
			}
			break;
		case DNS_O_EDE:
			if (o.len < 2 || !utf8_valid(o.data + 2, o.len - 2u) ||
			    (o.len >= 5 && memcmp(o.data + 2, "\xef\xbb\xbf",
			    3) == 0)) {
				*err = "bad EDNS extended error";
				return -1;
			}
			break;
		case 16:	/* client-tag */
		case 17:	/* server-tag */
			if (o.len != 2) {
				*err = "bad EDNS tag option";
				return -1;
			}
			break;
		}
	}
	return rc;
}

/* "6e 73 31 ("ns1")": dig's form for NSID and unknown options. */
static void
hexbytes_text(struct wr *w, const uint8_t *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		wr_printf(w, " %02x", p[i]);
	if (n == 0)
		return;
	wr_s(w, " (\"");
	for (i = 0; i < n; i++)
		wr_c(w, p[i] >= 0x20 && p[i] < 0x7f ? p[i] : '.');
	wr_s(w, "\")");
}

/* A time in seconds as dig words it: "1 day 10 hours 23 minutes". */
static void
duration_text(struct wr *w, uint32_t t)
{
	static const struct {
		uint32_t	 secs;
		const char	*unit;
	} u[] = {
		{ 604800, "week" }, { 86400, "day" }, { 3600, "hour" },
		{ 60, "minute" }, { 1, "second" }
	};
	size_t		i;
	uint32_t	n;
	int		any = 0;

	for (i = 0; i < MK_NELEM(u); i++) {
		n = t / u[i].secs;
		t %= u[i].secs;
		if (n == 0 && !(i == MK_NELEM(u) - 1 && !any))
			continue;
		wr_printf(w, "%s%lu %s%s", any ? " " : "", (unsigned long)n,
		    u[i].unit, n == 1 ? "" : "s");
		any = 1;
	}
}

static void
edns_opt_text(struct wr *w, const struct dns_edns_opt *o,
    const uint8_t *ccookie)
{
	const char	*name;
	char		 a[INET6_ADDRSTRLEN];
	uint8_t		 addr[16];
	unsigned int	 fam, code;
	uint32_t	 v;
	size_t		 i;

	/*
	 * dns_msg_parse checked these lengths; m may come from elsewhere,
	 * so a bad one falls back to the generic form.
	 */
	code = o->code;
	if ((code == DNS_O_COOKIE && o->len < 8) ||
	    (code == DNS_O_ECS && (o->len < 4 || o->len - 4u > 16)) ||
	    ((code == DNS_O_EDE || code == 16 || code == 17) && o->len < 2))
		code = 65535;
	switch (code) {
	case DNS_O_NSID:
		wr_s(w, "; NSID:");
		hexbytes_text(w, o->data, o->len);
		break;
	case DNS_O_COOKIE:
		wr_s(w, "; COOKIE: ");
		for (i = 0; i < o->len; i++)
			wr_printf(w, "%02x", o->data[i]);
		if (ccookie == NULL || memcmp(ccookie, o->data, 8) != 0)
			wr_s(w, " (bad)");
		else
			wr_s(w, o->len == 8 ? " (echoed)" : " (good)");
		break;
	case DNS_O_ECS:
		fam = (unsigned int)(o->data[0] << 8 | o->data[1]);
		memset(addr, 0, sizeof(addr));
		memcpy(addr, o->data + 4, o->len - 4u);
		wr_s(w, "; CLIENT-SUBNET: ");
		if (fam == 0)
			wr_s(w, "0");
		else
			wr_s(w, inet_ntop(fam == 1 ? AF_INET : AF_INET6,
			    addr, a, sizeof(a)));
		wr_printf(w, "/%u/%u", o->data[2], o->data[3]);
		break;
	case DNS_O_EXPIRE:
		wr_s(w, "; EXPIRE:");
		if (o->len == 4) {
			v = (uint32_t)o->data[0] << 24 |
			    (uint32_t)o->data[1] << 16 |
			    (uint32_t)o->data[2] << 8 | o->data[3];
			wr_printf(w, " %lu (", (unsigned long)v);
			duration_text(w, v);
			wr_c(w, ')');
		}
		break;
	case DNS_O_KEEPALIVE:
		wr_s(w, "; TCP KEEPALIVE:");
		if (o->len == 2) {
			v = (uint32_t)(o->data[0] << 8 | o->data[1]);
			wr_printf(w, " %lu.%lu secs", (unsigned long)v / 10,
			    (unsigned long)v % 10);
		} else
			hexbytes_text(w, o->data, o->len);
		break;
	case DNS_O_PADDING:
		wr_s(w, "; PAD:");
		if (o->len > 0)
			wr_printf(w, " (%u bytes)", o->len);
		break;
	case 14:
		wr_s(w, "; KEY-TAG:");
		for (i = 0; i + 1 < o->len; i += 2)
			wr_printf(w, "%s %u", i ? "," : "",
			    o->data[i] << 8 | o->data[i + 1]);
		break;
	case DNS_O_EDE:
		code = (unsigned int)(o->data[0] << 8 | o->data[1]);
		wr_printf(w, "; EDE: %u", code);
		if ((name = dns_ede_name((uint16_t)code)) != NULL)
			wr_printf(w, " (%s)", name);
		if (o->len > 2) {
			wr_s(w, ": (");
			for (i = 2; i < o->len; i++)
				wr_c(w, o->data[i] < 0x20 ||
				    o->data[i] == 0x7f ? '.' : o->data[i]);
			wr_c(w, ')');
		}
		break;
	case 16:
	case 17:
		wr_printf(w, "; %s: %u", o->code == 16 ? "CLIENT-TAG" :
		    "SERVER-TAG", o->data[0] << 8 | o->data[1]);
		break;
	default:
		wr_printf(w, "; OPT=%u:", o->code);
		hexbytes_text(w, o->data, o->len);
		break;
	}
	wr_c(w, '\n');
}

int
dns_edns_to_text(const struct dns_msg *m, const uint8_t *ccookie,
    struct mk_buf *out, const char **err)
{
	struct wr		w = { .b = out };
	struct dns_edns_opt	o;
	size_t			pos = 0;
	int			rc;

	if (!m->edns.present)
		return 0;
	wr_printf(&w, "; EDNS: version: %u, flags:", m->edns.version);
	if (m->edns.flags & DNS_EDNS_DO)
		wr_s(&w, " do");
	if (m->edns.flags & ~DNS_EDNS_DO)
		wr_printf(&w, "; MBZ: 0x%04x,", m->edns.flags & ~DNS_EDNS_DO);
	else
		wr_c(&w, ';');
	wr_printf(&w, " udp: %u\n", m->edns.udpsize);
	while ((rc = dns_edns_opt_next(m, &pos, &o, err)) == 1)
		edns_opt_text(&w, &o, ccookie);
	if (rc == -1)
		return -1;
	if (w.err != NULL) {
		*err = w.err;
		return -1;
	}
	return 0;
}

/*
 * Flags.
 */

int
dns_flags_to_text(uint16_t flags, struct mk_buf *out)
{
	static const struct {
		uint16_t	 bit;
		const char	*name;
	} fl[] = {
		{ DNS_F_QR, " qr" }, { DNS_F_AA, " aa" }, { DNS_F_TC, " tc" },
		{ DNS_F_RD, " rd" }, { DNS_F_RA, " ra" }, { DNS_F_AD, " ad" },
		{ DNS_F_CD, " cd" }
	};
	struct wr	w = { .b = out };
	size_t		i;

	for (i = 0; i < MK_NELEM(fl); i++)
		if (flags & fl[i].bit)
			wr_s(&w, fl[i].name);
	if (flags & DNS_F_Z)
		wr_s(&w, "; MBZ: 0x4");
	return w.err != NULL ? -1 : 0;
}

/* The 16 bits as "1... .... .... ....", with only mask's bits shown. */
static void
bits_text(struct wr *w, uint16_t v, uint16_t mask)
{
	int i;

	for (i = 15; i >= 0; i--) {
		if (mask & (1u << i))
			wr_c(w, v & (1u << i) ? '1' : '0');
		else
			wr_c(w, '.');
		if (i % 4 == 0 && i > 0)
			wr_c(w, ' ');
	}
	wr_s(w, " = ");
}

static const char *
rcode_words(uint16_t rc)
{
	static const char *const words[] = {
		"No error", "Format error", "Server failure", "No such name",
		"Not implemented", "Refused", "Name exists for domain",
		"RR/RRset exists", "RR/RRset does not exist",
		"Server not authoritative for zone", "Name not in zone"
	};

	if (rc < MK_NELEM(words))
		return words[rc];
	switch (rc) {
	case 16:
		return "Bad OPT version";
	case 23:
		return "Bad server cookie";
	}
	return "Unknown";
}

int
dns_flags_dissect(uint16_t f, uint16_t rcode, struct mk_buf *out)
{
	static const char *const ops[] = {
		"Standard query", "Inverse query", "Server status request",
		"Unknown", "Zone change notification", "Dynamic update"
	};
	struct wr	w = { .b = out };
	unsigned int	op = DNS_OPCODE(f);

	bits_text(&w, f, DNS_F_QR);
	wr_printf(&w, "Response: Message is a %s\n",
	    f & DNS_F_QR ? "response" : "query");
	bits_text(&w, f, 0x7800);
	wr_printf(&w, "Opcode: %s (%u)\n",
	    op < MK_NELEM(ops) ? ops[op] : "Unknown", op);
	bits_text(&w, f, DNS_F_AA);
	wr_printf(&w, "Authoritative: Server %s an authority for domain\n",
	    f & DNS_F_AA ? "is" : "is not");
	bits_text(&w, f, DNS_F_TC);
	wr_printf(&w, "Truncated: Message is %struncated\n",
	    f & DNS_F_TC ? "" : "not ");
	bits_text(&w, f, DNS_F_RD);
	wr_printf(&w, "Recursion desired: Do %squery recursively\n",
	    f & DNS_F_RD ? "" : "not ");
	bits_text(&w, f, DNS_F_RA);
	wr_printf(&w, "Recursion available: Server %s do recursive "
	    "queries\n", f & DNS_F_RA ? "can" : "can't");
	bits_text(&w, f, DNS_F_Z);
	wr_printf(&w, "Z: reserved (%u)\n", f & DNS_F_Z ? 1 : 0);
	bits_text(&w, f, DNS_F_AD);
	wr_printf(&w, "Answer authenticated: Answer/authority portion was "
	    "%sauthenticated by the server\n", f & DNS_F_AD ? "" : "not ");
	bits_text(&w, f, DNS_F_CD);
	wr_printf(&w, "Non-authenticated data: %s\n",
	    f & DNS_F_CD ? "Acceptable" : "Unacceptable");
	bits_text(&w, f, 0x000f);
	wr_printf(&w, "Reply code: %s (%u)\n", rcode_words(rcode), rcode);
	return w.err != NULL ? -1 : 0;
}

/*
 * Tables.
 */

const char *
dns_type_to_text(uint16_t type, char *buf)
{
	size_t i;

	if (type < MK_NELEM(typenames) && typenames[type] != NULL)
		return typenames[type];
	for (i = 0; i < MK_NELEM(hightypes); i++)
		if (hightypes[i].type == type)
			return hightypes[i].name;
	snprintf(buf, DNS_TYPE_TEXTMAX, "TYPE%u", type);
	return buf;
}

/* "PREFIX123" with a number in 0..max: 0 with *v set, else -1. */
static int
generic_num(const char *s, const char *prefix, unsigned long max,
    unsigned long *v)
{
	size_t		 n = strlen(prefix);
	unsigned long	 x = 0;

	if (strncasecmp(s, prefix, n) != 0)
		return -1;
	s += n;
	if (*s < '0' || *s > '9')
		return -1;
	for (; *s >= '0' && *s <= '9'; s++) {
		x = x * 10 + (unsigned long)(*s - '0');
		if (x > max)
			return -1;
	}
	if (*s != '\0')
		return -1;
	*v = x;
	return 0;
}

int
dns_type_from_text(const char *s, uint16_t *type)
{
	unsigned long	v;
	size_t		i;

	/* The first letter first: this runs for every line of a batch. */
	for (i = 0; i < MK_NELEM(typenames); i++)
		if (typenames[i] != NULL &&
		    (s[0] | 0x20) == (typenames[i][0] | 0x20) &&
		    strcasecmp(s, typenames[i]) == 0) {
			*type = (uint16_t)i;
			return 0;
		}
	for (i = 0; i < MK_NELEM(hightypes); i++)
		if (strcasecmp(s, hightypes[i].name) == 0) {
			*type = hightypes[i].type;
			return 0;
		}
	if (generic_num(s, "TYPE", 65535, &v) == -1)
		return -1;
	*type = (uint16_t)v;
	return 0;
}

static const struct {
	uint16_t	 class;
	const char	*name;
} classnames[] = {
	{ 0, "RESERVED0" }, { 1, "IN" }, { 3, "CH" }, { 4, "HS" },
	{ 254, "NONE" }, { 255, "ANY" }
};

const char *
dns_class_to_text(uint16_t class, char *buf)
{
	size_t i;

	for (i = 0; i < MK_NELEM(classnames); i++)
		if (classnames[i].class == class)
			return classnames[i].name;
	snprintf(buf, DNS_TYPE_TEXTMAX, "CLASS%u", class);
	return buf;
}

int
dns_class_from_text(const char *s, uint16_t *class)
{
	unsigned long	v;
	size_t		i;

	for (i = 0; i < MK_NELEM(classnames); i++)
		if (strcasecmp(s, classnames[i].name) == 0) {
			*class = classnames[i].class;
			return 0;
		}
	if (strcasecmp(s, "CHAOS") == 0) {
		*class = DNS_C_CH;
		return 0;
	}
	if (strcasecmp(s, "HESIOD") == 0) {
		*class = DNS_C_HS;
		return 0;
	}
	if (generic_num(s, "CLASS", 65535, &v) == -1)
		return -1;
	*class = (uint16_t)v;
	return 0;
}

/* As dig: names up to BADVERS, BADCOOKIE, else "?N". */
const char *
dns_rcode_to_text(uint16_t rcode, char *buf)
{
	if (rcode < MK_NELEM(rcodenames))
		return rcodenames[rcode];
	if (rcode == DNS_R_BADCOOKIE)
		return "BADCOOKIE";
	snprintf(buf, DNS_TYPE_TEXTMAX, "?%u", rcode);
	return buf;
}

const char *
dns_opcode_to_text(uint8_t opcode, char *buf)
{
	if (opcode < MK_NELEM(opcodenames))
		return opcodenames[opcode];
	snprintf(buf, DNS_TYPE_TEXTMAX, "RESERVED%u", opcode);
	return buf;
}

const char *
dns_ede_name(uint16_t code)
{
	return code < MK_NELEM(edenames) ? edenames[code] : NULL;
}

/*
 * Queries.
 */

static int
put16(uint8_t *buf, size_t bufsz, size_t *n, uint16_t v)
{
	if (bufsz - *n < 2)
		return -1;
	buf[(*n)++] = (uint8_t)(v >> 8);
	buf[(*n)++] = (uint8_t)v;
	return 0;
}

int
dns_query_build(uint8_t *buf, size_t bufsz, size_t *len, uint16_t id,
    const uint8_t *qname, size_t qnamelen, uint16_t qtype, uint16_t qclass,
    const struct dns_qopts *o)
{
	size_t		n = 0, rdl = 0, i;
	uint16_t	flags;

	/* qname must be a clean uncompressed name. */
	for (i = 0; i < qnamelen && qname[i] != 0; i += (size_t)qname[i] + 1)
		if (qname[i] > DNS_LABEL_MAX)
			return -1;
	if (i + 1 != qnamelen || qnamelen > DNS_NAME_MAX)
		return -1;
	if (o->edns && o->cookie != NULL && o->cookielen != 8 &&
	    (o->cookielen < 16 || o->cookielen > 40))
		return -1;
	if (bufsz < DNS_HDRLEN + qnamelen + 4)
		return -1;
	flags = o->flags & (DNS_F_RD | DNS_F_AD | DNS_F_CD);
	put16(buf, bufsz, &n, id);
	put16(buf, bufsz, &n, flags);
	put16(buf, bufsz, &n, 1);
	put16(buf, bufsz, &n, 0);
	put16(buf, bufsz, &n, 0);
	put16(buf, bufsz, &n, o->edns ? 1 : 0);
	memcpy(buf + n, qname, qnamelen);
	n += qnamelen;
	put16(buf, bufsz, &n, qtype);
	put16(buf, bufsz, &n, qclass);
	if (o->edns) {
		if (o->nsid)
			rdl += 4;
		if (o->cookie != NULL)
			rdl += 4 + o->cookielen;
		if (bufsz - n < 11 + rdl)
			return -1;
		buf[n++] = 0;			/* root owner */
		put16(buf, bufsz, &n, DNS_T_OPT);
		put16(buf, bufsz, &n, o->udpsize ? o->udpsize : 1232);
		put16(buf, bufsz, &n, 0);	/* ext rcode, version */
		put16(buf, bufsz, &n, o->dnssec_ok ? DNS_EDNS_DO : 0);
		put16(buf, bufsz, &n, (uint16_t)rdl);
		if (o->nsid) {
			put16(buf, bufsz, &n, DNS_O_NSID);
			put16(buf, bufsz, &n, 0);
		}
		if (o->cookie != NULL) {
			put16(buf, bufsz, &n, DNS_O_COOKIE);
			put16(buf, bufsz, &n, (uint16_t)o->cookielen);
			memcpy(buf + n, o->cookie, o->cookielen);
			n += o->cookielen;
		}
	}
	*len = n;
	return 0;
}

int
dns_reply_matches(const uint8_t *query, size_t qlen, const uint8_t *reply,
    size_t rlen)
{
	struct rd	qr = { query, qlen, qlen, DNS_HDRLEN, NULL };
	struct rd	rr = { reply, rlen, rlen, DNS_HDRLEN, NULL };
	uint8_t		qn[DNS_NAME_MAX], rn[DNS_NAME_MAX];
	size_t		qnl, rnl;
	uint16_t	qt, qc, rt, rc, qdr;
	unsigned int	rcode;

	if (qlen < DNS_HDRLEN || rlen < DNS_HDRLEN)
		return 0;
	if (query[0] != reply[0] || query[1] != reply[1])
		return 0;
	if ((reply[2] & 0x80) == 0 ||
	    DNS_OPCODE(query[2] << 8) != DNS_OPCODE(reply[2] << 8))
		return 0;
	qdr = (uint16_t)(reply[4] << 8 | reply[5]);
	if (qdr == 0) {
		rcode = reply[3] & 0xf;
		return rcode == DNS_R_FORMERR || rcode == DNS_R_NOTIMP ||
		    rcode == DNS_R_REFUSED;
	}
	if (qdr != 1 || query[4] != 0 || query[5] != 1)
		return 0;
	if (rd_name(&qr, qn, &qnl) == -1 || rd_u16(&qr, &qt) == -1 ||
	    rd_u16(&qr, &qc) == -1)
		return 0;
	if (rd_name(&rr, rn, &rnl) == -1 || rd_u16(&rr, &rt) == -1 ||
	    rd_u16(&rr, &rc) == -1)
		return 0;
	return qt == rt && qc == rc && dns_name_equal(qn, qnl, rn, rnl);
}

int
dns_reverse_name(const char *addr, char *out, size_t outsz)
{
	static const char hx[] = "0123456789abcdef";
	uint8_t		a[16];
	size_t		n = 0;
	int		i, r;

	if (inet_pton(AF_INET, addr, a) == 1) {
		r = snprintf(out, outsz, "%u.%u.%u.%u.in-addr.arpa.",
		    a[3], a[2], a[1], a[0]);
		return r < 0 || (size_t)r >= outsz ? -1 : 0;
	}
	if (inet_pton(AF_INET6, addr, a) != 1)
		return -1;
	/* 32 nibbles, each with a dot, then "ip6.arpa." and the NUL. */
	if (outsz < 64 + 9 + 1)
		return -1;
	for (i = 15; i >= 0; i--) {
		out[n++] = hx[a[i] & 0xf];
		out[n++] = '.';
		out[n++] = hx[a[i] >> 4];
		out[n++] = '.';
	}
	memcpy(out + n, "ip6.arpa.", 10);
	return 0;
}
