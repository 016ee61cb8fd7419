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

int
main(void)
{
	T_RUN(test_caps_after_starttls);
	T_RUN(test_caps_hostile);
	T_RUN(test_reply_parse);
	T_RUN(test_dot_stuffing);
	T_RUN(test_dot_bound);
	T_RUN(test_head_scan);
	T_RUN(test_addrlist);
	T_RUN(test_addr_ok);
	T_DONE();
}
