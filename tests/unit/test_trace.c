/*
 * test_trace.c: the --trace transcript: every redaction rule (SMTP,
 * POP3, IMAP, in any case), lines that must pass unchanged, escaping,
 * cutting, and the splitter fed in odd chunks.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "trace.h"
#include "t.h"

/* trace_redact() of a C string, as a C string in a static buffer. */
static const char *
red(struct trace_state *ts, enum trace_dir dir, const char *line)
{
	static char	s[8192];
	struct mk_buf	b;

	buf_init(&b, 0);
	if (trace_redact(ts, dir, line, strlen(line), &b) == -1 ||
	    b.len >= sizeof(s))
		snprintf(s, sizeof(s), "(error)");
	else
		memcpy(s, buf_str(&b), b.len + 1);
	buf_free(&b);
	return s;
}

#define C(ts, l)	red(ts, TRACE_C, l)
#define S(ts, l)	red(ts, TRACE_S, l)

static void
test_smtp_plain_lines(void)
{
	struct trace_state ts;

	trace_init(&ts, NULL, TRACE_SMTP);
	T_EQ_STR(S(&ts, "220 mx.example.org ESMTP\r\n"),
	    "220 mx.example.org ESMTP");
	T_EQ_STR(C(&ts, "EHLO client.example.org\r\n"),
	    "EHLO client.example.org");
	T_EQ_STR(S(&ts, "250-mx.example.org\r\n"), "250-mx.example.org");
	T_EQ_STR(S(&ts, "250 AUTH PLAIN LOGIN\r\n"), "250 AUTH PLAIN LOGIN");
	T_EQ_STR(C(&ts, "MAIL FROM:<alice@example.org>\r\n"),
	    "MAIL FROM:<alice@example.org>");
	T_EQ_STR(C(&ts, "RCPT TO:<authority@example.org>"),
	    "RCPT TO:<authority@example.org>");
	T_EQ_STR(C(&ts, "DATA"), "DATA");
	T_EQ_STR(S(&ts, "354 go ahead"), "354 go ahead");
	T_EQ_STR(C(&ts, "AUTHOR: me"), "AUTHOR: me");
	T_EQ_STR(C(&ts, "QUIT"), "QUIT");
	T_EQ_STR(C(&ts, ""), "");
	trace_free(&ts);
}

static void
test_smtp_auth_plain(void)
{
	struct trace_state ts;

	trace_init(&ts, NULL, TRACE_SMTP);
	T_EQ_STR(C(&ts, "AUTH PLAIN AGFsaWNlAHNlY3JldA==\r\n"),
	    "AUTH PLAIN ****");
	T_EQ_STR(S(&ts, "235 2.7.0 Authentication successful"),
	    "235 2.7.0 Authentication successful");
	T_EQ_STR(C(&ts, "MAIL FROM:<a@b>"), "MAIL FROM:<a@b>");
	T_EQ_STR(C(&ts, "auth plain AGFsaWNlAHNlY3JldA=="), "auth plain ****");
	T_EQ_STR(S(&ts, "535 5.7.8 bad credentials"),
	    "535 5.7.8 bad credentials");
	T_EQ_STR(C(&ts, "Auth  Plain   AGFsaWNl"), "Auth  Plain   ****");
	T_EQ_STR(S(&ts, "235 ok"), "235 ok");
	T_EQ_STR(C(&ts, "AUTH\tPLAIN\tAGFsaWNl"), "AUTH\tPLAIN\t****");
	T_EQ_STR(S(&ts, "235 ok"), "235 ok");
	/* Without an initial response: the reply to 334 is hidden. */
	T_EQ_STR(C(&ts, "AUTH PLAIN"), "AUTH PLAIN");
	T_EQ_STR(S(&ts, "334 "), "334 ");
	T_EQ_STR(C(&ts, "AGFsaWNlAHNlY3JldA=="), "****");
	T_EQ_STR(S(&ts, "235 ok"), "235 ok");
	T_EQ_STR(C(&ts, "RSET"), "RSET");
	trace_free(&ts);
}

static void
test_smtp_auth_login(void)
{
	struct trace_state ts;

	trace_init(&ts, NULL, TRACE_SMTP);
	T_EQ_STR(C(&ts, "AUTH LOGIN\r\n"), "AUTH LOGIN");
	T_EQ_STR(S(&ts, "334 VXNlcm5hbWU6\r\n"), "334 VXNlcm5hbWU6");
	T_EQ_STR(C(&ts, "YWxpY2U=\r\n"), "****");
	T_EQ_STR(S(&ts, "334 UGFzc3dvcmQ6\r\n"), "334 UGFzc3dvcmQ6");
	T_EQ_STR(C(&ts, "c2VjcmV0\r\n"), "****");
	T_EQ_STR(S(&ts, "235 2.7.0 ok\r\n"), "235 2.7.0 ok");
	T_EQ_STR(C(&ts, "QUIT\r\n"), "QUIT");
	/* LOGIN with the user as initial response. */
	T_EQ_STR(C(&ts, "auth login YWxpY2U="), "auth login ****");
	T_EQ_STR(S(&ts, "334 UGFzc3dvcmQ6"), "334 UGFzc3dvcmQ6");
	T_EQ_STR(C(&ts, "c2VjcmV0"), "****");
	T_EQ_STR(S(&ts, "535 no"), "535 no");
	T_EQ_STR(C(&ts, "QUIT"), "QUIT");
	/* Cancelled exchange: "*" is hidden too, then all is normal. */
	T_EQ_STR(C(&ts, "AUTH CRAM-MD5"), "AUTH CRAM-MD5");
	T_EQ_STR(S(&ts, "334 PDQxOTI5NDIzNDEuMTI4Mjg0NzJAc291cmNlZm91cj4="),
	    "334 PDQxOTI5NDIzNDEuMTI4Mjg0NzJAc291cmNlZm91cj4=");
	T_EQ_STR(C(&ts, "*"), "****");
	T_EQ_STR(S(&ts, "501 cancelled"), "501 cancelled");
	T_EQ_STR(C(&ts, "NOOP"), "NOOP");
	trace_free(&ts);
}

/* Whatever the client sends after a 334, AUTH seen or not. */
static void
test_smtp_334_always(void)
{
	struct trace_state ts;

	trace_init(&ts, NULL, TRACE_SMTP);
	T_EQ_STR(S(&ts, "334 odd"), "334 odd");
	T_EQ_STR(C(&ts, "anything at all"), "****");
	T_EQ_STR(C(&ts, "and this too"), "****");
	T_EQ_STR(S(&ts, "250 ok"), "250 ok");
	T_EQ_STR(C(&ts, "NOOP"), "NOOP");
	/* Until the server's next reply, client lines stay hidden. */
	T_EQ_STR(C(&ts, "AUTH XOAUTH2"), "AUTH XOAUTH2");
	T_EQ_STR(C(&ts, "dXNlcj1hbGljZQFhdXRoPUJlYXJlciB0b2tlbgEB"), "****");
	T_EQ_STR(S(&ts, "250-not the end"), "250-not the end");
	T_EQ_STR(C(&ts, "NOOP"), "NOOP");
	trace_free(&ts);
}

static void
test_pop3(void)
{
	struct trace_state ts;

	trace_init(&ts, NULL, TRACE_POP3);
	T_EQ_STR(S(&ts, "+OK POP3 ready <1896.697170952@dbc.mtview.ca.us>"),
	    "+OK POP3 ready <1896.697170952@dbc.mtview.ca.us>");
	T_EQ_STR(C(&ts, "CAPA"), "CAPA");
	T_EQ_STR(C(&ts, "USER alice\r\n"), "USER alice");
	T_EQ_STR(C(&ts, "PASS secret\r\n"), "PASS ****");
	T_EQ_STR(C(&ts, "pass s p a c e s"), "pass ****");
	T_EQ_STR(C(&ts, "Pass  lead"), "Pass ****");
	T_EQ_STR(C(&ts, "PASS"), "PASS");
	T_EQ_STR(C(&ts, "PASSWORD x"), "PASSWORD x");
	T_EQ_STR(C(&ts, "APOP alice c4c9334bac560ecc979e58001b3e22fb"),
	    "APOP alice ****");
	T_EQ_STR(C(&ts, "apop alice c4c9334bac560ecc979e58001b3e22fb"),
	    "apop alice ****");
	T_EQ_STR(C(&ts, "APOP alice"), "APOP alice");
	T_EQ_STR(C(&ts, "STAT"), "STAT");
	T_EQ_STR(C(&ts, "RETR 1"), "RETR 1");
	trace_free(&ts);
}

static void
test_pop3_auth(void)
{
	struct trace_state ts;

	trace_init(&ts, NULL, TRACE_POP3);
	T_EQ_STR(C(&ts, "AUTH PLAIN AGFsaWNlAHNlY3JldA=="), "AUTH PLAIN ****");
	T_EQ_STR(S(&ts, "+OK logged in"), "+OK logged in");
	T_EQ_STR(C(&ts, "STAT"), "STAT");
	T_EQ_STR(C(&ts, "AUTH LOGIN"), "AUTH LOGIN");
	T_EQ_STR(S(&ts, "+ VXNlcm5hbWU6"), "+ VXNlcm5hbWU6");
	T_EQ_STR(C(&ts, "YWxpY2U="), "****");
	T_EQ_STR(S(&ts, "+ UGFzc3dvcmQ6"), "+ UGFzc3dvcmQ6");
	T_EQ_STR(C(&ts, "c2VjcmV0"), "****");
	T_EQ_STR(S(&ts, "-ERR [AUTH] no"), "-ERR [AUTH] no");
	T_EQ_STR(C(&ts, "QUIT"), "QUIT");
	/* A bare "+" asks to go on too, with or without AUTH first. */
	T_EQ_STR(S(&ts, "+"), "+");
	T_EQ_STR(C(&ts, "c2VjcmV0"), "****");
	T_EQ_STR(S(&ts, "+OK"), "+OK");
	T_EQ_STR(C(&ts, "LIST"), "LIST");
	trace_free(&ts);
}

static void
test_imap_login(void)
{
	struct trace_state ts;

	trace_init(&ts, NULL, TRACE_IMAP);
	T_EQ_STR(S(&ts, "* OK [CAPABILITY IMAP4rev1] ready"),
	    "* OK [CAPABILITY IMAP4rev1] ready");
	T_EQ_STR(C(&ts, "a1 LOGIN alice secret\r\n"), "a1 LOGIN alice ****");
	T_EQ_STR(C(&ts, "a1 login alice secret"), "a1 login alice ****");
	T_EQ_STR(C(&ts, "A001 Login alice \"sec ret\""),
	    "A001 Login alice ****");
	T_EQ_STR(C(&ts, "a2 LOGIN \"al ice\" \"sec ret\""),
	    "a2 LOGIN \"al ice\" ****");
	T_EQ_STR(C(&ts, "a3 LOGIN \"al\\\"ice\" pw"),
	    "a3 LOGIN \"al\\\"ice\" ****");
	T_EQ_STR(C(&ts, "a3 LOGIN \"al\\\\\" pw"), "a3 LOGIN \"al\\\\\" ****");
	/* An unterminated quoted user: all after LOGIN. */
	T_EQ_STR(C(&ts, "a4 LOGIN \"alice secret"), "a4 LOGIN ****");
	T_EQ_STR(C(&ts, "a5 LOGIN \"alice\"secret"), "a5 LOGIN \"alice\"****");
	T_EQ_STR(C(&ts, "a6 LOGIN alice"), "a6 LOGIN alice");
	T_EQ_STR(C(&ts, "a6 LOGIN"), "a6 LOGIN");
	T_EQ_STR(S(&ts, "a6 NO [AUTHENTICATIONFAILED] no"),
	    "a6 NO [AUTHENTICATIONFAILED] no");
	T_EQ_STR(C(&ts, "a7 SELECT INBOX"), "a7 SELECT INBOX");
	T_EQ_STR(C(&ts, "a8 LIST \"\" LOGIN"), "a8 LIST \"\" LOGIN");
	/* No tag is invalid IMAP, but hides the password all the same. */
	T_EQ_STR(C(&ts, "LOGIN alice secret"), "LOGIN alice ****");
	T_EQ_STR(C(&ts, "authenticate plain AGFs"), "authenticate plain ****");
	T_EQ_STR(S(&ts, "authenticate OK"), "authenticate OK");
	trace_free(&ts);
}

static void
test_imap_login_literal(void)
{
	struct trace_state ts;

	trace_init(&ts, NULL, TRACE_IMAP);
	/* The user is a literal: hide everything after LOGIN. */
	T_EQ_STR(C(&ts, "a1 LOGIN {5}\r\n"), "a1 LOGIN ****");
	T_EQ_STR(S(&ts, "+ go ahead"), "+ go ahead");
	T_EQ_STR(C(&ts, "alice {6}\r\n"), "****");
	T_EQ_STR(S(&ts, "+"), "+");
	T_EQ_STR(C(&ts, "secret\r\n"), "****");
	T_EQ_STR(S(&ts, "* CAPABILITY IMAP4rev1"), "* CAPABILITY IMAP4rev1");
	T_EQ_STR(C(&ts, "still hidden"), "****");
	T_EQ_STR(S(&ts, "a1x OK not our tag"), "a1x OK not our tag");
	T_EQ_STR(C(&ts, "still hidden"), "****");
	T_EQ_STR(S(&ts, "a1 OK LOGIN completed"), "a1 OK LOGIN completed");
	T_EQ_STR(C(&ts, "a2 SELECT INBOX"), "a2 SELECT INBOX");
	/* The password is a literal, LITERAL+ (no "+" from the server). */
	T_EQ_STR(C(&ts, "a3 LOGIN alice {6+}"), "a3 LOGIN alice ****");
	T_EQ_STR(C(&ts, "secret"), "****");
	T_EQ_STR(S(&ts, "a3 OK"), "a3 OK");
	T_EQ_STR(C(&ts, "a4 LOGIN \"alice\" {6}"), "a4 LOGIN \"alice\" ****");
	T_EQ_STR(S(&ts, "+ "), "+ ");
	T_EQ_STR(C(&ts, "secret"), "****");
	T_EQ_STR(S(&ts, "* BYE shutting down"), "* BYE shutting down");
	T_EQ_STR(C(&ts, "a5 LOGOUT"), "a5 LOGOUT");
	trace_free(&ts);
}

static void
test_imap_authenticate(void)
{
	struct trace_state ts;

	trace_init(&ts, NULL, TRACE_IMAP);
	T_EQ_STR(C(&ts, "A001 AUTHENTICATE PLAIN AGFsaWNlAHNlY3JldA==\r\n"),
	    "A001 AUTHENTICATE PLAIN ****");
	T_EQ_STR(S(&ts, "A001 OK done"), "A001 OK done");
	T_EQ_STR(C(&ts, "a2 authenticate plain AGFsaWNlAHNlY3JldA=="),
	    "a2 authenticate plain ****");
	T_EQ_STR(S(&ts, "a2 NO [AUTHENTICATIONFAILED]"),
	    "a2 NO [AUTHENTICATIONFAILED]");
	T_EQ_STR(C(&ts, "a3 AUTHENTICATE PLAIN"), "a3 AUTHENTICATE PLAIN");
	T_EQ_STR(S(&ts, "+ "), "+ ");
	T_EQ_STR(C(&ts, "AGFsaWNlAHNlY3JldA=="), "****");
	T_EQ_STR(S(&ts, "a3 OK"), "a3 OK");
	T_EQ_STR(C(&ts, "a4 AUTHENTICATE LOGIN"), "a4 AUTHENTICATE LOGIN");
	T_EQ_STR(S(&ts, "+ VXNlcm5hbWU6"), "+ VXNlcm5hbWU6");
	T_EQ_STR(C(&ts, "YWxpY2U="), "****");
	T_EQ_STR(S(&ts, "+ UGFzc3dvcmQ6"), "+ UGFzc3dvcmQ6");
	T_EQ_STR(C(&ts, "c2VjcmV0"), "****");
	T_EQ_STR(S(&ts, "a4 OK"), "a4 OK");
	T_EQ_STR(C(&ts, "a5 AUTHENTICATE XOAUTH2 dXNlcj1hbGljZQ=="),
	    "a5 AUTHENTICATE XOAUTH2 ****");
	T_EQ_STR(S(&ts, "+ eyJzdGF0dXMiOiI0MDEifQ=="),
	    "+ eyJzdGF0dXMiOiI0MDEifQ==");
	T_EQ_STR(C(&ts, ""), "");
	T_EQ_STR(S(&ts, "a5 NO"), "a5 NO");
	T_EQ_STR(C(&ts, "a6 LOGOUT"), "a6 LOGOUT");
	trace_free(&ts);
}

/* IMAP literals that are no credentials stay visible. */
static void
test_imap_append_visible(void)
{
	struct trace_state ts;

	trace_init(&ts, NULL, TRACE_IMAP);
	T_EQ_STR(C(&ts, "a1 APPEND INBOX {5}"), "a1 APPEND INBOX {5}");
	T_EQ_STR(S(&ts, "+ Ready"), "+ Ready");
	T_EQ_STR(C(&ts, "hello"), "hello");
	T_EQ_STR(C(&ts, "AUTH PLAIN x"), "AUTH PLAIN x");
	T_EQ_STR(C(&ts, "PASS x"), "PASS x");
	trace_free(&ts);
}

/* TRACE_ANY applies every rule. */
static void
test_any(void)
{
	struct trace_state ts;

	trace_init(&ts, NULL, TRACE_ANY);
	T_EQ_STR(C(&ts, "PASS x"), "PASS ****");
	T_EQ_STR(C(&ts, "APOP u d"), "APOP u ****");
	T_EQ_STR(C(&ts, "a LOGIN u p"), "a LOGIN u ****");
	T_EQ_STR(C(&ts, "AUTH PLAIN x"), "AUTH PLAIN ****");
	T_EQ_STR(S(&ts, "235 ok"), "235 ok");
	T_EQ_STR(C(&ts, "a AUTHENTICATE PLAIN x"), "a AUTHENTICATE PLAIN ****");
	T_EQ_STR(S(&ts, "+ "), "+ ");
	T_EQ_STR(C(&ts, "x"), "****");
	T_EQ_STR(S(&ts, "a OK"), "a OK");
	T_EQ_STR(S(&ts, "+ "), "+ ");
	T_EQ_STR(C(&ts, "data after plus"), "****");
	T_EQ_STR(S(&ts, "334 "), "334 ");
	T_EQ_STR(C(&ts, "x"), "****");
	T_EQ_STR(S(&ts, "250 ok"), "250 ok");
	T_EQ_STR(C(&ts, "NOOP"), "NOOP");
	trace_free(&ts);
}

static void
test_escapes(void)
{
	struct trace_state ts;

	trace_init(&ts, NULL, TRACE_SMTP);
	T_EQ_STR(S(&ts, "a\x01" "b\x7f\tc\x1b[31m"),
	    "a\\x01b\\x7f\tc\\x1b[31m");
	T_EQ_STR(S(&ts, "caf\xc3\xa9 \xff"), "caf\\xc3\\xa9 \\xff");
	T_EQ_STR(S(&ts, "a\rb\r\n"), "a\\x0db");
	T_EQ_STR(S(&ts, "a\n"), "a");
	T_EQ_STR(S(&ts, "a\r"), "a");
	T_EQ_STR(S(&ts, "a\r\n\r\n"), "a\\x0d\\x0a");
	T_EQ_STR(S(&ts, "back\\slash"), "back\\slash");
	/* A NUL inside a line is a byte like any other. */
	{
		struct mk_buf b;

		buf_init(&b, 0);
		T_EQ_INT(trace_redact(&ts, TRACE_S, "a\0b", 3, &b), 0);
		T_EQ_STR(buf_str(&b), "a\\x00b");
		buf_reset(&b);
		/* Hidden bytes are not escaped: they are not shown. */
		T_EQ_INT(trace_redact(&ts, TRACE_C, "AUTH PLAIN \x01\x02",
		    13, &b), 0);
		T_EQ_STR(buf_str(&b), "AUTH PLAIN ****");
		buf_free(&b);
	}
	trace_free(&ts);
}

static void
test_long_lines(void)
{
	struct trace_state	 ts;
	char			*l, want[TRACE_LINEMAX + 64];
	size_t			 n = 3000;

	if ((l = malloc(n + 16)) == NULL)
		return;
	trace_init(&ts, NULL, TRACE_SMTP);
	memset(l, 'x', n);
	memcpy(l + n, "\r\n", 3);
	memset(want, 'x', TRACE_LINEMAX);
	snprintf(want + TRACE_LINEMAX, sizeof(want) - TRACE_LINEMAX,
	    "... (%d more bytes)", (int)n - TRACE_LINEMAX);
	T_EQ_STR(S(&ts, l), want);
	T_EQ_STR(C(&ts, l), want);
	/* Exactly the limit: not cut. */
	l[TRACE_LINEMAX] = '\0';
	want[TRACE_LINEMAX] = '\0';
	T_EQ_STR(C(&ts, l), want);
	/* A long initial response is hidden, not cut. */
	memset(l, 'A', n);
	memcpy(l, "AUTH PLAIN ", 11);
	l[n] = '\0';
	T_EQ_STR(C(&ts, l), "AUTH PLAIN ****");
	T_EQ_STR(S(&ts, "235 ok"), "235 ok");
	/* Escapes do not count against the limit: bytes do. */
	memset(l, '\x01', n);
	l[n] = '\0';
	T_EQ_INT(strlen(C(&ts, l)), 4 * TRACE_LINEMAX +
	    strlen("... (1976 more bytes)"));
	trace_free(&ts);
	free(l);
}

/* Run chunks through trace_feed() into a memory stream. */
struct cap {
	FILE	*fp;
	char	*s;
	size_t	 n;
};

static int
cap_open(struct cap *c, struct trace_state *ts, enum trace_proto p)
{
	c->s = NULL;
	c->n = 0;
	if ((c->fp = open_memstream(&c->s, &c->n)) == NULL)
		return -1;
	trace_init(ts, c->fp, p);
	return 0;
}

static const char *
cap_text(struct cap *c)
{
	fflush(c->fp);
	return c->s;
}

static void
cap_close(struct cap *c, struct trace_state *ts)
{
	trace_free(ts);
	fclose(c->fp);
	free(c->s);
}

static void
test_feed_chunks(void)
{
	struct trace_state	ts;
	struct cap		c;

	if (cap_open(&c, &ts, TRACE_SMTP) == -1)
		return;
	T_EQ_INT(trace_feed(&ts, TRACE_S, "220 hi\r\n", 8), 0);
	T_EQ_INT(trace_feed(&ts, TRACE_C, "EHLO a\r\nMAIL FR", 15), 0);
	T_EQ_INT(trace_feed(&ts, TRACE_C, "OM:<a@b>\r", 9), 0);
	T_EQ_INT(trace_feed(&ts, TRACE_S, "250-x\r\n250-y\r\n250 ", 18), 0);
	T_EQ_INT(trace_feed(&ts, TRACE_C, "\n", 1), 0);
	T_EQ_INT(trace_feed(&ts, TRACE_S, "z\r\n", 3), 0);
	T_EQ_INT(trace_feed(&ts, TRACE_I, "Connected\n", 10), 0);
	T_EQ_INT(trace_feed(&ts, TRACE_C, "", 0), 0);
	T_EQ_STR(cap_text(&c),
	    "S: 220 hi\n"
	    "C: EHLO a\n"
	    "S: 250-x\n"
	    "S: 250-y\n"
	    "C: MAIL FROM:<a@b>\n"
	    "S: 250 z\n"
	    "* Connected\n");
	cap_close(&c, &ts);
}

/* An AUTH exchange fed one byte at a time. */
static void
test_feed_bytewise(void)
{
	static const char *const cl[] = {
		"AUTH LOGIN\r\n", "YWxpY2U=\r\n", "c2VjcmV0\r\n", "QUIT\r\n"
	};
	static const char *const sl[] = {
		"334 VXNlcm5hbWU6\r\n", "334 UGFzc3dvcmQ6\r\n", "235 ok\r\n",
		"221 bye\r\n"
	};
	struct trace_state	ts;
	struct cap		c;
	size_t			i, k;

	if (cap_open(&c, &ts, TRACE_SMTP) == -1)
		return;
	for (i = 0; i < MK_NELEM(cl); i++) {
		for (k = 0; cl[i][k] != '\0'; k++)
			T_EQ_INT(trace_feed(&ts, TRACE_C, cl[i] + k, 1), 0);
		for (k = 0; sl[i][k] != '\0'; k++)
			T_EQ_INT(trace_feed(&ts, TRACE_S, sl[i] + k, 1), 0);
	}
	T_EQ_STR(cap_text(&c),
	    "C: AUTH LOGIN\n"
	    "S: 334 VXNlcm5hbWU6\n"
	    "C: ****\n"
	    "S: 334 UGFzc3dvcmQ6\n"
	    "C: ****\n"
	    "S: 235 ok\n"
	    "C: QUIT\n"
	    "S: 221 bye\n");
	T_CHECK(strstr(c.s, "YWxpY2U=") == NULL);
	T_CHECK(strstr(c.s, "c2VjcmV0") == NULL);
	cap_close(&c, &ts);
}

/* An initial response split right after the mechanism. */
static void
test_feed_split_secret(void)
{
	struct trace_state	ts;
	struct cap		c;

	if (cap_open(&c, &ts, TRACE_IMAP) == -1)
		return;
	T_EQ_INT(trace_feed(&ts, TRACE_C, "A1 AUTHENTICATE PLAIN", 21), 0);
	T_EQ_INT(trace_feed(&ts, TRACE_C, " AGFsaWNl", 9), 0);
	T_EQ_INT(trace_feed(&ts, TRACE_C, "AHNlY3JldA==\r\nA2 NOOP\r\n", 23),
	    0);
	T_EQ_INT(trace_feed(&ts, TRACE_S, "A1 OK\r\n", 7), 0);
	T_EQ_INT(trace_feed(&ts, TRACE_C, "A3 LOGIN alice \"se", 18), 0);
	T_EQ_INT(trace_feed(&ts, TRACE_C, "cret\"\r\n", 7), 0);
	T_EQ_STR(cap_text(&c),
	    "C: A1 AUTHENTICATE PLAIN ****\n"
	    "C: ****\n"
	    "S: A1 OK\n"
	    "C: A3 LOGIN alice ****\n");
	cap_close(&c, &ts);
}

static void
test_feed_flush_and_data(void)
{
	static const char	want[] =
	    "C: DATA\n"
	    "S: 354 go\n"
	    "C: <1234 bytes of data>\n"
	    "S: 250 queued\n"
	    "S: <5 bytes of data>\n"
	    "C: QUI\n"
	    "S: 221\n";
	struct trace_state	ts;
	struct cap		c;

	if (cap_open(&c, &ts, TRACE_SMTP) == -1)
		return;
	T_EQ_INT(trace_feed(&ts, TRACE_C, "DATA\r\n", 6), 0);
	T_EQ_INT(trace_feed(&ts, TRACE_S, "354 go\r\n", 8), 0);
	trace_data(&ts, TRACE_C, 1000);
	trace_data(&ts, TRACE_C, 234);
	trace_data(&ts, TRACE_I, 99);
	T_EQ_INT(trace_feed(&ts, TRACE_S, "250 queued\r\n", 12), 0);
	trace_data(&ts, TRACE_S, 5);
	T_EQ_INT(trace_feed(&ts, TRACE_C, "QUI", 3), 0);
	T_EQ_INT(trace_feed(&ts, TRACE_S, "221", 3), 0);
	T_EQ_INT(trace_flush(&ts), 0);
	T_EQ_STR(cap_text(&c), want);
	/* Nothing left to flush. */
	T_EQ_INT(trace_flush(&ts), 0);
	T_EQ_STR(cap_text(&c), want);
	cap_close(&c, &ts);
}

/* A partial line past TRACE_PARTMAX: cut with the right count. */
static void
test_feed_overlong(void)
{
	struct trace_state	 ts;
	struct cap		 c;
	char			 chunk[1000], *want;
	size_t			 total = 70000, i;

	if ((want = malloc(TRACE_LINEMAX + 80)) == NULL)
		return;
	if (cap_open(&c, &ts, TRACE_SMTP) == -1) {
		free(want);
		return;
	}
	memset(chunk, 'y', sizeof(chunk));
	for (i = 0; i < total; i += sizeof(chunk))
		T_EQ_INT(trace_feed(&ts, TRACE_S, chunk, sizeof(chunk)), 0);
	T_EQ_INT(trace_feed(&ts, TRACE_S, "\r", 1), 0);
	T_EQ_INT(trace_feed(&ts, TRACE_S, "\n250 ok\r\n", 9), 0);
	memcpy(want, "S: ", 3);
	memset(want + 3, 'y', TRACE_LINEMAX);
	snprintf(want + 3 + TRACE_LINEMAX, 77,
	    "... (%zu more bytes)\nS: 250 ok\n", total - TRACE_LINEMAX);
	T_EQ_STR(cap_text(&c), want);
	cap_close(&c, &ts);
	free(want);
}

/*
 * An IMAP LOGIN too long to see its end: the unfinished quoted user
 * hides all after LOGIN, and a literal is assumed to follow.
 */
static void
test_feed_overlong_login(void)
{
	struct trace_state	ts;
	struct cap		c;
	char			chunk[1000];
	int			i;

	if (cap_open(&c, &ts, TRACE_IMAP) == -1)
		return;
	T_EQ_INT(trace_feed(&ts, TRACE_C, "a1 LOGIN \"", 10), 0);
	memset(chunk, 'u', sizeof(chunk));
	for (i = 0; i < 70; i++)
		T_EQ_INT(trace_feed(&ts, TRACE_C, chunk, sizeof(chunk)), 0);
	T_EQ_INT(trace_feed(&ts, TRACE_C, "\" {6}\r\n", 7), 0);
	T_EQ_INT(trace_feed(&ts, TRACE_S, "+\r\n", 3), 0);
	T_EQ_INT(trace_feed(&ts, TRACE_C, "secret\r\n", 8), 0);
	T_EQ_STR(cap_text(&c), "C: a1 LOGIN ****\nS: +\nC: ****\n");
	cap_close(&c, &ts);
}

static void
test_write_error(void)
{
	struct trace_state	 ts;
	FILE			*fp;

	if ((fp = fopen("/dev/full", "w")) == NULL)
		return;
	setvbuf(fp, NULL, _IONBF, 0);
	trace_init(&ts, fp, TRACE_SMTP);
	T_EQ_INT(trace_line(&ts, TRACE_C, "NOOP", 4), -1);
	/* State is kept even when the write fails. */
	T_EQ_INT(trace_line(&ts, TRACE_S, "334 ", 4), -1);
	T_EQ_INT(ts.cont, 1);
	trace_free(&ts);
	fclose(fp);
}

static void
test_no_file(void)
{
	struct trace_state ts;

	trace_init(&ts, NULL, TRACE_POP3);
	T_EQ_INT(trace_line(&ts, TRACE_C, "AUTH PLAIN", 10), 0);
	T_EQ_INT(ts.auth, 1);
	T_EQ_INT(trace_feed(&ts, TRACE_S, "+OK\r\n", 5), 0);
	T_EQ_INT(ts.auth, 0);
	T_EQ_INT(trace_flush(&ts), 0);
	trace_free(&ts);
}

int
main(void)
{
	T_RUN(test_smtp_plain_lines);
	T_RUN(test_smtp_auth_plain);
	T_RUN(test_smtp_auth_login);
	T_RUN(test_smtp_334_always);
	T_RUN(test_pop3);
	T_RUN(test_pop3_auth);
	T_RUN(test_imap_login);
	T_RUN(test_imap_login_literal);
	T_RUN(test_imap_authenticate);
	T_RUN(test_imap_append_visible);
	T_RUN(test_any);
	T_RUN(test_escapes);
	T_RUN(test_long_lines);
	T_RUN(test_feed_chunks);
	T_RUN(test_feed_bytewise);
	T_RUN(test_feed_split_secret);
	T_RUN(test_feed_flush_and_data);
	T_RUN(test_feed_overlong);
	T_RUN(test_feed_overlong_login);
	T_RUN(test_write_error);
	T_RUN(test_no_file);
	T_DONE();
}
