/*
 * test_smtp.c: the pure parts of lib/smtp: EHLO capabilities, reply
 * lines, the DATA encoder, header scanning, address lists.
 * The transaction itself runs against postfix in tests/msend.bats.
 */
#include "smtp.h"
#include "t.h"

/* Encode s in chunks of size step; the result into out (a C string). */
static size_t
dot(const char *s, size_t step, char *out)
{
	struct smtp_dot	 d;
	size_t		 n = strlen(s), off = 0, o = 0, k;

	smtp_dot_init(&d);
	while (off < n) {
		k = n - off < step ? n - off : step;
		o += smtp_dot_update(&d, (const uint8_t *)s + off, k,
		    (uint8_t *)out + o);
		off += k;
	}
	o += smtp_dot_final(&d, (uint8_t *)out + o);
	out[o] = '\0';
	return o;
}

static void
test_caps_after_starttls(void)
{
	const char *h =
	    "220 mx ESMTP\r\n"
	    "250-mx\r\n250-PIPELINING\r\n250-SIZE 1000\r\n250-STARTTLS\r\n"
	    "250 8BITMIME\r\n"
	    "220 2.0.0 Ready to start TLS\r\n"
	    "250-mx\r\n250-pipelining\r\n250-SIZE 10240000\r\n"
	    "250-AUTH PLAIN LOGIN\r\n250-SMTPUTF8\r\n250 CHUNKING\r\n"
	    "235 2.7.0 Authentication successful\r\n";
	struct smtp_caps c;

	smtp_caps_parse(h, strlen(h), &c);
	T_EQ_INT(c.ehlo, 1);
	T_EQ_INT(c.pipelining, 1);
	T_EQ_INT(c.size, 1);
	T_EQ_INT(c.sizemax, 10240000);
	/* Offered in clear only: forgotten after STARTTLS. */
	T_EQ_INT(c.starttls, 0);
	T_EQ_INT(c.eightbitmime, 0);
	T_EQ_INT(c.smtputf8, 1);
	T_EQ_INT(c.chunking, 1);
}

static void
test_caps_hostile(void)
{
	const char *h[] = {
		"",
		"220 hi\r\n",
		"250 only-a-name\r\n",			/* HELO-like */
		"250-mx\r\n250-PIPELINING\r\n",	/* never ended */
		"250-mx\n251 PIPELINING\n",		/* code changed */
		"250-mx\r\n250-SIZE 99999999999999999999999\r\n250 X\r\n",
		"250-mx\r\n250-\r\n250-S\r\n250 \r\n",
		"2\r\n25\r\n250x\r\n",
	};
	struct smtp_caps c;
	size_t i, k;

	for (i = 0; i < MK_NELEM(h); i++) {
		/* Every prefix too: none may crash or read past the end. */
		for (k = 0; k <= strlen(h[i]); k++)
			smtp_caps_parse(h[i], k, &c);
		smtp_caps_parse(h[i], strlen(h[i]), &c);
		T_EQ_INT(c.pipelining, 0);
	}
	smtp_caps_parse(h[5], strlen(h[5]), &c);
	T_EQ_INT(c.size, 1);
	T_EQ_INT(c.sizemax, 0);
	smtp_caps_parse(h[2], strlen(h[2]), &c);
	T_EQ_INT(c.ehlo, 1);
}

static void
test_reply_parse(void)
{
	int	code, more;
	size_t	t;

	T_EQ_INT(smtp_reply_parse("250-mx", 6, &code, &more, &t), 0);
	T_EQ_INT(code, 250);
	T_EQ_INT(more, 1);
	T_EQ_INT(t, 4);
	T_EQ_INT(smtp_reply_parse("550 5.1.1 no", 12, &code, &more, &t), 0);
	T_EQ_INT(code, 550);
	T_EQ_INT(more, 0);
	T_EQ_INT(smtp_reply_parse("354", 3, &code, &more, &t), 0);
	T_EQ_INT(more, 0);
	T_EQ_INT(smtp_reply_parse("35", 2, &code, &more, &t), -1);
	T_EQ_INT(smtp_reply_parse("650 x", 5, &code, &more, &t), -1);
	T_EQ_INT(smtp_reply_parse("25a x", 5, &code, &more, &t), -1);
	T_EQ_INT(smtp_reply_parse("250x", 4, &code, &more, &t), -1);
	T_EQ_INT(smtp_reply_parse("150 x", 5, &code, &more, &t), -1);
}

static void
test_dot_stuffing(void)
{
	static const struct {
		const char *in, *out;
	} v[] = {
		{ "", ".\r\n" },
		{ "a", "a\r\n.\r\n" },
		{ "a\r\n", "a\r\n.\r\n" },
		{ "a\n.\nb\n", "a\r\n..\r\nb\r\n.\r\n" },
		{ ".", "..\r\n.\r\n" },
		{ "..x\r\n", "...x\r\n.\r\n" },
		{ "x.\r\n.\r\n", "x.\r\n..\r\n.\r\n" },
		/* Bare CR ends a line too: no "\r.\r" smuggling. */
		{ "a\r.\rb", "a\r\n..\r\nb\r\n.\r\n" },
		{ "a\r\r\n", "a\r\n\r\n.\r\n" },
		{ "a\n\n", "a\r\n\r\n.\r\n" },
		{ "\r", "\r\n.\r\n" },
		{ "a\r", "a\r\n.\r\n" },
	};
	char	out[256];
	size_t	i, step, n;

	for (i = 0; i < MK_NELEM(v); i++)
		for (step = 1; step <= 8; step++) {
			n = dot(v[i].in, step, out);
			if (strcmp(out, v[i].out) != 0)
				printf("#   case %zu step %zu\n", i, step);
			T_EQ_STR(out, v[i].out);
			T_CHECK(n <= SMTP_DOT_BOUND(strlen(v[i].in)) +
			    SMTP_DOT_FINALMAX);
		}
}

/* The BDAT encoder: line ends as DATA's, dots left alone, no end line. */
static void
test_crlf(void)
{
	static const struct {
		const char	*in, *out;
	} v[] = {
		{ "", "" },
		{ "a", "a\r\n" },
		{ "a\n.\nb\n", "a\r\n.\r\nb\r\n" },
		{ "..x\r\n.", "..x\r\n.\r\n" },
		{ "a\r.\rb", "a\r\n.\r\nb\r\n" },
		{ "a\r\r\n", "a\r\n\r\n" },
		{ "\r", "\r\n" },
	};
	struct smtp_dot	d;
	char		out[64];
	size_t		i, step, n, off, k, o;

	for (i = 0; i < MK_NELEM(v); i++)
		for (step = 1; step <= 4; step++) {
			n = strlen(v[i].in);
			smtp_dot_init(&d);
			for (off = o = 0; off < n; off += k) {
				k = n - off < step ? n - off : step;
				o += smtp_crlf_update(&d,
				    (const uint8_t *)v[i].in + off, k,
				    (uint8_t *)out + o);
			}
			o += smtp_crlf_final(&d, (uint8_t *)out + o);
			out[o] = '\0';
			T_EQ_STR(out, v[i].out);
		}
}

static void
test_dot_bound(void)
{
	/* The worst case for the bound: CR '.' pairs. */
	uint8_t		in[64], out[SMTP_DOT_BOUND(64) + SMTP_DOT_FINALMAX];
	struct smtp_dot	d;
	size_t		i, o;

	for (i = 0; i < sizeof(in); i++)
		in[i] = i % 2 == 0 ? '\r' : '.';
	smtp_dot_init(&d);
	d.cr = 1;		/* a CR held from the chunk before */
	o = smtp_dot_update(&d, in, sizeof(in), out);
	T_CHECK(o <= SMTP_DOT_BOUND(sizeof(in)));
	o += smtp_dot_final(&d, out + o);
	T_CHECK(o <= sizeof(out));
}

static void
test_head_scan(void)
{
	const char *m =
	    "From: a@b\r\nTo: x@y,\r\n  z@w\r\nBcc: s@t\r\n\r\nbody\r\n";
	struct smtp_head	 h;
	struct mk_buf		 v;
	const struct smtp_hfield *f;
	size_t			 it = 0;

	buf_init(&v, 0);
	T_EQ_INT(smtp_head_scan((const uint8_t *)m, strlen(m), &h, NULL), 0);
	T_EQ_INT(h.n, 3);
	T_EQ_INT(h.crlf, 1);
	T_EQ_INT(h.sep, 2);
	T_EQ_INT(h.end, strlen(m) - strlen("\r\nbody\r\n"));
	f = smtp_head_find(&h, (const uint8_t *)m, "to", &it);
	T_CHECK(f != NULL);
	if (f != NULL) {
		T_EQ_INT(f->len, strlen("To: x@y,\r\n  z@w\r\n"));
		T_EQ_INT(smtp_head_value(&h, f, (const uint8_t *)m, &v), 0);
		T_EQ_STR(buf_str(&v), "x@y,  z@w");
	}
	T_CHECK(smtp_head_find(&h, (const uint8_t *)m, "to", &it) == NULL);
	smtp_head_free(&h);

	/* No header at all: a body line ends the block at once. */
	m = "just a body\n";
	smtp_head_scan((const uint8_t *)m, strlen(m), &h, NULL);
	T_EQ_INT(h.n, 0);
	T_EQ_INT(h.end, 0);
	T_EQ_INT(h.sep, 0);
	smtp_head_free(&h);
	/* A continuation first, an mbox From_ line: no fields. */
	m = " x: y\n\n";
	smtp_head_scan((const uint8_t *)m, strlen(m), &h, NULL);
	T_EQ_INT(h.n, 0);
	smtp_head_free(&h);
	m = "From a@b Mon Jan  1 00:00:00 2024\nSubject: x\n\n";
	smtp_head_scan((const uint8_t *)m, strlen(m), &h, NULL);
	T_EQ_INT(h.n, 0);
	smtp_head_free(&h);
	/* Header only, no final line break. */
	m = "Subject: x\nX-A: b";
	smtp_head_scan((const uint8_t *)m, strlen(m), &h, NULL);
	T_EQ_INT(h.n, 2);
	T_EQ_INT(h.end, strlen(m));
	T_EQ_INT(h.crlf, 0);
	smtp_head_free(&h);
	buf_free(&v);
}

/* The addresses of list s joined by spaces, or "ERR". */
static const char *
addrs(const char *s)
{
	static char		out[1024];
	struct smtp_addrs	a = { NULL, 0 };
	struct mk_err		e;
	size_t			i, o = 0;

	if (smtp_addrlist_parse(s, strlen(s), &a, &e) == -1) {
		smtp_addrs_free(&a);
		return "ERR";
	}
	out[0] = '\0';
	for (i = 0; i < a.n; i++)
		o += (size_t)snprintf(out + o, sizeof(out) - o, "%s%s",
		    i ? " " : "", a.v[i]);
	smtp_addrs_free(&a);
	return out;
}

static void
test_addrlist(void)
{
	T_EQ_STR(addrs("a@b"), "a@b");
	T_EQ_STR(addrs("Bob <bob@example.org>, carol@example.org"),
	    "bob@example.org carol@example.org");
	T_EQ_STR(addrs("\"Doe, John\" <jd@x.org> (the boss), y@z"),
	    "jd@x.org y@z");
	T_EQ_STR(addrs("team: a@b, C <c@d>;, e@f"), "a@b c@d e@f");
	T_EQ_STR(addrs("undisclosed-recipients:;"), "");
	T_EQ_STR(addrs("<@relay.example:u@x.org>"), "u@x.org");
	T_EQ_STR(addrs("\"odd local\"@x.org"), "\"odd local\"@x.org");
	T_EQ_STR(addrs("u@[IPv6:2001:db8::1]"), "u@[IPv6:2001:db8::1]");
	T_EQ_STR(addrs("a@b (comment (nested) still) , ,"), "a@b");
	T_EQ_STR(addrs("Name <a@b"), "ERR");
	T_EQ_STR(addrs("x\001y@b"), "ERR");
	T_EQ_STR(addrs(""), "");
	T_EQ_STR(addrs("<>"), "");
}

static void
test_addr_ok(void)
{
	T_EQ_INT(smtp_addr_ok("a@b", 0), 1);
	T_EQ_INT(smtp_addr_ok("", 0), 0);
	T_EQ_INT(smtp_addr_ok("", 1), 1);
	T_EQ_INT(smtp_addr_ok("a b@c", 0), 0);
	T_EQ_INT(smtp_addr_ok("\"a b\"@c", 0), 1);
	T_EQ_INT(smtp_addr_ok("a@b>x", 0), 0);
	T_EQ_INT(smtp_addr_ok("a@b\r", 0), 0);
	T_EQ_INT(smtp_addr_ok("a@b\n", 0), 0);
	T_EQ_INT(smtp_is_8bit("abc", 3), 0);
	T_EQ_INT(smtp_is_8bit("j\xc3\xb6rg", 5), 1);
}

/*
 * A reply packet for tests: the header, one question for qname (text,
 * e.g. "example.net."), then records appended with pkt_rr().  Names in
 * rdata may be a compression pointer (two bytes) to the question.
 */
struct pkt {
	uint8_t	b[1024];
	size_t	n;
};

static void
pkt_u16(struct pkt *p, unsigned v)
{
	p->b[p->n++] = (uint8_t)(v >> 8);
	p->b[p->n++] = (uint8_t)v;
}

static void
pkt_name(struct pkt *p, const char *text)
{
	size_t	wlen;
	const char *err;

	T_CHECK(dns_name_from_text(text, p->b + p->n, sizeof(p->b) - p->n,
	    &wlen, &err) >= 0);
	p->n += wlen;
}

static void
pkt_init(struct pkt *p, unsigned rcode, unsigned ancount, const char *qname,
    unsigned qtype)
{
	p->n = 0;
	pkt_u16(p, 0x1234);
	pkt_u16(p, 0x8180 | rcode);
	pkt_u16(p, 1);
	pkt_u16(p, ancount);
	pkt_u16(p, 0);
	pkt_u16(p, 0);
	pkt_name(p, qname);
	pkt_u16(p, qtype);
	pkt_u16(p, DNS_C_IN);
}

/* One record: owner (text, or NULL for a pointer to the question). */
static void
pkt_rr(struct pkt *p, const char *owner, unsigned type, const void *rd,
    size_t rdlen)
{
	if (owner == NULL) {
		p->b[p->n++] = 0xc0;
		p->b[p->n++] = 12;
	} else
		pkt_name(p, owner);
	pkt_u16(p, type);
	pkt_u16(p, DNS_C_IN);
	pkt_u16(p, 0);
	pkt_u16(p, 300);
	pkt_u16(p, (unsigned)rdlen);
	memcpy(p->b + p->n, rd, rdlen);
	p->n += rdlen;
}

/* MX rdata: preference, then host as text (or "@" for a pointer). */
static size_t
mx_rdata(uint8_t *rd, unsigned pref, const char *host)
{
	size_t		wlen = 0;
	const char	*err;

	rd[0] = (uint8_t)(pref >> 8);
	rd[1] = (uint8_t)pref;
	if (strcmp(host, "@") == 0) {
		rd[2] = 0xc0;
		rd[3] = 12;
		return 4;
	}
	T_CHECK(dns_name_from_text(host, rd + 2, 300, &wlen, &err) >= 0);
	return 2 + wlen;
}

static uint8_t	qn[DNS_NAME_MAX];
static size_t	qnlen;

static void
set_qname(const char *text)
{
	const char *err;

	T_CHECK(dns_name_from_text(text, qn, sizeof(qn), &qnlen, &err) >= 0);
}

static void
test_mx_parse(void)
{
	struct pkt		 p;
	struct smtp_mx		 mx[3];
	enum smtp_mx_kind	 kind;
	uint8_t			 rd[300];
	const char		*err = NULL;
	size_t			 n;

	set_qname("example.net.");
	/* Two hosts, one by a pointer; a record of another owner. */
	pkt_init(&p, 0, 3, "example.net.", DNS_T_MX);
	pkt_rr(&p, NULL, DNS_T_MX, rd, mx_rdata(rd, 10, "mail.example.org."));
	pkt_rr(&p, "other.example.net.", DNS_T_MX, rd, mx_rdata(rd, 1,
	    "evil.example."));
	pkt_rr(&p, "EXAMPLE.net.", DNS_T_MX, rd, mx_rdata(rd, 5, "@"));
	T_EQ_INT(smtp_mx_parse(p.b, p.n, qn, qnlen, mx, 3, &n, &kind, &err),
	    0);
	T_EQ_INT(kind, SMTP_MX_FOUND);
	T_EQ_INT(n, 2);
	T_EQ_INT(mx[0].pref, 10);
	T_EQ_STR(mx[0].host, "mail.example.org.");
	T_EQ_INT(mx[1].pref, 5);
	T_EQ_STR(mx[1].host, "example.net.");
	/* More than mxmax: the rest dropped. */
	T_EQ_INT(smtp_mx_parse(p.b, p.n, qn, qnlen, mx, 1, &n, &kind, &err),
	    0);
	T_EQ_INT(n, 1);

	/* No MX: implicit.  NXDOMAIN. */
	pkt_init(&p, 0, 0, "example.net.", DNS_T_MX);
	T_EQ_INT(smtp_mx_parse(p.b, p.n, qn, qnlen, mx, 3, &n, &kind, &err),
	    0);
	T_EQ_INT(kind, SMTP_MX_IMPLICIT);
	T_EQ_INT(n, 0);
	pkt_init(&p, DNS_R_NXDOMAIN, 0, "example.net.", DNS_T_MX);
	T_EQ_INT(smtp_mx_parse(p.b, p.n, qn, qnlen, mx, 3, &n, &kind, &err),
	    0);
	T_EQ_INT(kind, SMTP_MX_NXDOMAIN);
	pkt_init(&p, DNS_R_SERVFAIL, 0, "example.net.", DNS_T_MX);
	T_EQ_INT(smtp_mx_parse(p.b, p.n, qn, qnlen, mx, 3, &n, &kind, &err),
	    -1);

	/* Null MX alone; "." among real hosts is skipped. */
	pkt_init(&p, 0, 1, "example.net.", DNS_T_MX);
	pkt_rr(&p, NULL, DNS_T_MX, rd, mx_rdata(rd, 0, "."));
	T_EQ_INT(smtp_mx_parse(p.b, p.n, qn, qnlen, mx, 3, &n, &kind, &err),
	    0);
	T_EQ_INT(kind, SMTP_MX_NULL);
	T_EQ_INT(n, 0);
	pkt_init(&p, 0, 2, "example.net.", DNS_T_MX);
	pkt_rr(&p, NULL, DNS_T_MX, rd, mx_rdata(rd, 0, "."));
	pkt_rr(&p, NULL, DNS_T_MX, rd, mx_rdata(rd, 20, "mx.example.net."));
	T_EQ_INT(smtp_mx_parse(p.b, p.n, qn, qnlen, mx, 3, &n, &kind, &err),
	    0);
	T_EQ_INT(kind, SMTP_MX_FOUND);
	T_EQ_INT(n, 1);
	T_EQ_STR(mx[0].host, "mx.example.net.");

	/* A CNAME chain: only the MX of its end counts. */
	pkt_init(&p, 0, 3, "example.net.", DNS_T_MX);
	{
		uint8_t	 cn[300];
		size_t	 cl;

		T_CHECK(dns_name_from_text("alias.example.org.", cn,
		    sizeof(cn), &cl, &err) >= 0);
		pkt_rr(&p, NULL, DNS_T_CNAME, cn, cl);
	}
	pkt_rr(&p, NULL, DNS_T_MX, rd, mx_rdata(rd, 1, "stale.example."));
	pkt_rr(&p, "alias.example.org.", DNS_T_MX, rd, mx_rdata(rd, 7,
	    "mx.example.org."));
	T_EQ_INT(smtp_mx_parse(p.b, p.n, qn, qnlen, mx, 3, &n, &kind, &err),
	    0);
	T_EQ_INT(n, 1);
	T_EQ_STR(mx[0].host, "mx.example.org.");

	/* Hostile: truncated, rdata too short, a pointer loop. */
	pkt_init(&p, 0, 1, "example.net.", DNS_T_MX);
	pkt_rr(&p, NULL, DNS_T_MX, rd, mx_rdata(rd, 10, "mail.example.org."));
	T_EQ_INT(smtp_mx_parse(p.b, p.n - 3, qn, qnlen, mx, 3, &n, &kind,
	    &err), -1);
	pkt_init(&p, 0, 1, "example.net.", DNS_T_MX);
	pkt_rr(&p, NULL, DNS_T_MX, "\0\1", 2);
	T_EQ_INT(smtp_mx_parse(p.b, p.n, qn, qnlen, mx, 3, &n, &kind, &err),
	    -1);
	pkt_init(&p, 0, 1, "example.net.", DNS_T_MX);
	rd[0] = 0;
	rd[1] = 1;
	rd[2] = 0xc0;
	rd[3] = (uint8_t)(p.n + 12 + 2);	/* points at itself */
	pkt_rr(&p, NULL, DNS_T_MX, rd, 4);
	T_EQ_INT(smtp_mx_parse(p.b, p.n, qn, qnlen, mx, 3, &n, &kind, &err),
	    -1);
}

static void
test_mx_addrs(void)
{
	struct pkt	 p;
	char		 a[4][SMTP_ADDRTEXTMAX];
	const char	*err = NULL;
	size_t		 n;
	int		 nx;

	set_qname("mail.example.org.");
	pkt_init(&p, 0, 3, "mail.example.org.", DNS_T_A);
	pkt_rr(&p, NULL, DNS_T_A, "\177\0\0\1", 4);
	pkt_rr(&p, NULL, DNS_T_A, "\300\0\2\1\5", 5);	/* bad length */
	pkt_rr(&p, NULL, DNS_T_A, "\300\0\2\1", 4);
	T_EQ_INT(smtp_mx_addrs(p.b, p.n, qn, qnlen, DNS_T_A, a, 4, &n, &nx,
	    &err), -1);	/* the parser refuses the 5-byte A */
	pkt_init(&p, 0, 2, "mail.example.org.", DNS_T_A);
	pkt_rr(&p, NULL, DNS_T_A, "\177\0\0\1", 4);
	pkt_rr(&p, NULL, DNS_T_A, "\300\0\2\1", 4);
	T_EQ_INT(smtp_mx_addrs(p.b, p.n, qn, qnlen, DNS_T_A, a, 4, &n, &nx,
	    &err), 0);
	T_EQ_INT(n, 2);
	T_EQ_INT(nx, 0);
	T_EQ_STR(a[0], "127.0.0.1");
	T_EQ_STR(a[1], "192.0.2.1");
	T_EQ_INT(smtp_mx_addrs(p.b, p.n, qn, qnlen, DNS_T_A, a, 1, &n, &nx,
	    &err), 0);
	T_EQ_INT(n, 1);
	pkt_init(&p, 0, 1, "mail.example.org.", DNS_T_AAAA);
	pkt_rr(&p, NULL, DNS_T_AAAA, "\x20\x01\x0d\xb8\0\0\0\0\0\0\0\0\0\0\0\1",
	    16);
	T_EQ_INT(smtp_mx_addrs(p.b, p.n, qn, qnlen, DNS_T_AAAA, a, 4, &n,
	    &nx, &err), 0);
	T_EQ_INT(n, 1);
	T_EQ_STR(a[0], "2001:db8::1");
	pkt_init(&p, DNS_R_NXDOMAIN, 0, "mail.example.org.", DNS_T_A);
	T_EQ_INT(smtp_mx_addrs(p.b, p.n, qn, qnlen, DNS_T_A, a, 4, &n, &nx,
	    &err), 0);
	T_EQ_INT(nx, 1);
	T_EQ_INT(n, 0);
}

static uint32_t	fixed_pick;

static uint32_t
rnd_fixed(uint32_t bound)
{
	return fixed_pick < bound ? fixed_pick : bound - 1;
}

static void
test_mx_order(void)
{
	struct smtp_mx	mx[4];
	int		seen_b_first = 0, seen_c_first = 0;
	uint32_t	k;

	for (k = 0; k < 3; k++) {
		memset(mx, 0, sizeof(mx));
		mx[0].pref = 20;
		snprintf(mx[0].host, sizeof(mx[0].host), "d.");
		mx[1].pref = 10;
		snprintf(mx[1].host, sizeof(mx[1].host), "b.");
		mx[2].pref = 10;
		snprintf(mx[2].host, sizeof(mx[2].host), "c.");
		mx[3].pref = 5;
		snprintf(mx[3].host, sizeof(mx[3].host), "a.");
		fixed_pick = k;
		smtp_mx_order(mx, 4, rnd_fixed);
		/* Preference order always; the equal ones in either order. */
		T_EQ_STR(mx[0].host, "a.");
		T_EQ_STR(mx[3].host, "d.");
		T_CHECK(mx[1].pref == 10 && mx[2].pref == 10);
		if (strcmp(mx[1].host, "b.") == 0)
			seen_b_first = 1;
		else if (strcmp(mx[1].host, "c.") == 0)
			seen_c_first = 1;
	}
	T_CHECK(seen_b_first && seen_c_first);
	smtp_mx_order(mx, 0, rnd_fixed);
}

int
main(void)
{
	T_RUN(test_caps_after_starttls);
	T_RUN(test_caps_hostile);
	T_RUN(test_reply_parse);
	T_RUN(test_dot_stuffing);
	T_RUN(test_crlf);
	T_RUN(test_dot_bound);
	T_RUN(test_head_scan);
	T_RUN(test_addrlist);
	T_RUN(test_addr_ok);
	T_RUN(test_mx_parse);
	T_RUN(test_mx_addrs);
	T_RUN(test_mx_order);
	T_DONE();
}
