/*
 * test_imap.c: the IMAP response parser, its interpreters, modified
 * UTF-7 and the command builder, without a network.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "imap.h"
#include "t.h"

static struct imap_parser *P;

/* Parse one whole response from a C string; the response or NULL. */
static const struct imap_resp *
parse(const char *s)
{
	size_t used;

	if (imap_parse_buf(P, s, strlen(s), &used) != IMAP_P_DONE)
		return NULL;
	if (used != strlen(s))
		return NULL;
	return imap_parser_resp(P);
}

static void
t_untagged_simple(void)
{
	const struct imap_resp	*r;
	const char		*what;
	uint32_t		 n;

	T_CHECK((r = parse("* 23 EXISTS\r\n")) != NULL);
	T_EQ_INT(r->kind, IMAP_UNTAGGED);
	T_EQ_INT(r->cond, IMAP_C_NONE);
	T_EQ_INT(imap_resp_count(r, &what, &n), 0);
	T_EQ_STR(what, "EXISTS");
	T_EQ_INT(n, 23);
	T_CHECK((r = parse("* 4294967296 EXPUNGE\r\n")) != NULL);
	T_EQ_INT(imap_resp_count(r, &what, &n), -1);
	T_CHECK((r = parse("* 1 RECENT\n")) != NULL);	/* bare LF */
	T_EQ_INT(imap_resp_count(r, &what, &n), 0);
}

static void
t_tagged_codes(void)
{
	const struct imap_resp	*r;
	const struct imap_item	*c;

	r = parse("M7 OK [APPENDUID 38505 3955] APPEND completed\r\n");
	T_CHECK(r != NULL);
	T_EQ_INT(r->kind, IMAP_TAGGED);
	T_EQ_STR(r->tag, "M7");
	T_EQ_INT(r->cond, IMAP_C_OK);
	T_CHECK((c = imap_resp_code(r)) != NULL);
	T_EQ_INT(c->next, r->nitems);
	T_CHECK(imap_item_is(&r->items[2], "APPENDUID"));
	T_EQ_STR(r->items[4].s, "3955");
	T_EQ_STR(r->text, "APPEND completed");
	r = parse("a NO [COPYUID 9 304,319:320 3956:3958] x y\r\n");
	T_CHECK(r != NULL && r->cond == IMAP_C_NO);
	T_EQ_STR(r->items[4].s, "304,319:320");
	/* A code with a list, and a status without any text. */
	r = parse("* OK [PERMANENTFLAGS (\\Deleted \\Seen \\*)]\r\n");
	T_CHECK(r != NULL && r->items[3].type == IMAP_T_LIST);
	T_EQ_STR(r->items[6].s, "\\*");
	T_EQ_INT(r->textlen, 0);
	/* Free text may hold anything, unbalanced included. */
	r = parse("* BYE (oops \"\r\n");
	T_CHECK(r != NULL && r->cond == IMAP_C_BYE);
	T_EQ_STR(r->text, "(oops \"");
	T_CHECK(parse("M1 FETCH x\r\n") == NULL);	/* tagged, no status */
	T_CHECK(parse("* OK [UIDNEXT 4\r\n") == NULL);
	T_CHECK(parse("* OK [X {3}]\r\nabc\r\n") == NULL);
}

static void
t_continuation(void)
{
	const struct imap_resp *r;

	T_CHECK((r = parse("+ idling\r\n")) != NULL);
	T_EQ_INT(r->kind, IMAP_CONT);
	T_EQ_STR(r->text, "idling");
	T_CHECK((r = parse("+\r\n")) != NULL);
	T_EQ_INT(r->textlen, 0);
}

static void
t_fetch_envelope(void)
{
	const struct imap_resp	*r;
	struct imap_fetch	 f;

	r = parse("* 12 FETCH (UID 7 FLAGS (\\Seen $Junk) RFC822.SIZE 4286 "
	    "INTERNALDATE \"17-Jul-1996 02:44:25 -0700\" ENVELOPE "
	    "(\"Wed, 17 Jul 1996 02:23:25 -0700 (PDT)\" "
	    "\"=?utf-8?q?h=C3=A9?=\" ((\"Terry Gray\" NIL \"gray\" "
	    "\"cac.washington.edu\")) NIL NIL NIL NIL NIL NIL "
	    "\"<B27397-0100000@cac.washington.edu>\") BODY[] {5}\r\n"
	    "hello)\r\n");
	T_CHECK(r != NULL);
	T_EQ_INT(imap_fetch_parse(r, &f), 0);
	T_EQ_INT(f.seq, 12);
	T_EQ_INT(f.uid, 7);
	T_EQ_INT(f.size, 4286);
	T_CHECK(f.flags != NULL && f.flags->next - (size_t)(f.flags -
	    r->items) == 3);
	T_EQ_STR(f.internaldate->s, "17-Jul-1996 02:44:25 -0700");
	T_EQ_STR(f.env_subject->s, "=?utf-8?q?h=C3=A9?=");
	T_EQ_STR(f.env_from.name->s, "Terry Gray");
	T_EQ_STR(f.env_from.mailbox->s, "gray");
	T_EQ_STR(f.env_from.host->s, "cac.washington.edu");
	T_CHECK(f.body != NULL && f.body->type == IMAP_T_STRING);
	T_EQ_MEM(f.body->s, f.body->len, "hello", 5);
	T_EQ_STR(f.body_key->s, "BODY[]");
}

static void
t_nil_everywhere(void)
{
	const struct imap_resp	*r;
	struct imap_fetch	 f;

	r = parse("* 1 FETCH (UID 1 ENVELOPE (NIL NIL NIL NIL NIL NIL NIL "
	    "NIL NIL NIL) BODY[HEADER] NIL)\r\n");
	T_CHECK(r != NULL);
	T_EQ_INT(imap_fetch_parse(r, &f), 0);
	T_CHECK(f.env_subject != NULL && f.env_subject->type == IMAP_T_NIL);
	T_CHECK(f.env_from.name == NULL);
	T_CHECK(f.body != NULL && f.body->type == IMAP_T_NIL);
	/* An address with NIL in every field, nil in lower case. */
	r = parse("* 1 FETCH (ENVELOPE (nil nil ((nil nil nil nil)) nil nil "
	    "nil nil nil nil nil))\r\n");
	T_CHECK(r != NULL);
	T_EQ_INT(imap_fetch_parse(r, &f), 0);
	T_CHECK(f.env_from.mailbox != NULL &&
	    f.env_from.mailbox->type == IMAP_T_NIL);
	/* A malformed address: three fields. */
	r = parse("* 1 FETCH (ENVELOPE (NIL NIL ((NIL NIL NIL)) NIL))\r\n");
	T_CHECK(r != NULL);
	T_EQ_INT(imap_fetch_parse(r, &f), -1);
	/* FETCH without its list, or a key without a value. */
	T_CHECK((r = parse("* 1 FETCH UID 3\r\n")) != NULL);
	T_EQ_INT(imap_fetch_parse(r, &f), -1);
	T_CHECK((r = parse("* 1 FETCH (UID)\r\n")) != NULL);
	T_EQ_INT(imap_fetch_parse(r, &f), -1);
	T_CHECK((r = parse("* 1 FETCH (UID 0)\r\n")) != NULL);
	T_EQ_INT(imap_fetch_parse(r, &f), -1);
}

static void
t_literals_in_lists(void)
{
	const struct imap_resp	*r;
	struct imap_list	 l;
	struct mk_buf		 name;

	buf_init(&name, 0);
	r = parse("* LIST (\\HasNoChildren) \"/\" {5}\r\nA (b)\r\n");
	T_CHECK(r != NULL);
	T_EQ_INT(imap_list_parse(r, &l, &name), 0);
	T_EQ_STR(buf_str(&name), "A (b)");
	T_EQ_INT(l.delim, '/');
	/* A literal holding CRLF, NUL and an unbalanced paren. */
	r = parse("* 1 FETCH (BODY[1] {6}\r\n(\r\n\0\"x UID 4)\r\n");
	T_CHECK(r == NULL);	/* strlen stops at the NUL: truncated */
	{
		static const char s[] = "* 1 FETCH (BODY[1] {6}\r\n(\r\n\0\"x"
		    " UID 4)\r\n";
		size_t used;

		T_EQ_INT(imap_parse_buf(P, s, sizeof(s) - 1, &used),
		    IMAP_P_DONE);
		r = imap_parser_resp(P);
		T_EQ_INT(r->items[4].len, 6);
		T_EQ_MEM(r->items[4].s, 6, "(\r\n\0\"x", 6);
		T_EQ_STR(r->items[6].s, "4");
	}
	/* Two literals in one response, in nested lists. */
	r = parse("* 1 FETCH (X ((a {1}\r\nb {0}\r\n) c))\r\n");
	T_CHECK(r != NULL);
	T_EQ_INT(r->nitems, 10);
	T_EQ_STR(r->items[7].s, "b");
	T_EQ_STR(r->items[8].s, "");
	T_EQ_INT(r->items[2].next, 10);
	T_EQ_INT(r->items[5].next, 9);
	/* A section spec with parens is one atom. */
	r = parse("* 2 FETCH (BODY[HEADER.FIELDS (FROM TO)]<0> {2}\r\nhi)\r\n");
	T_CHECK(r != NULL);
	T_EQ_STR(r->items[3].s, "BODY[HEADER.FIELDS (FROM TO)]<0>");
	buf_free(&name);
}

static void
t_bad_literals(void)
{
	static const char *const bad[] = {
		"* 1 FETCH (BODY[] {})\r\n",
		"* 1 FETCH (BODY[] {abc}\r\n",
		"* 1 FETCH (BODY[] {-1}\r\n",
		"* 1 FETCH (BODY[] {99999999999999999999999}\r\nx)\r\n",
		"* 1 FETCH (BODY[] {5}x\r\nhello)\r\n",
		"* 1 FETCH (BODY[] {5+}\r\nhello)\r\n",
		"* 1 FETCH (BODY[] {5\r\nhello)\r\n",
		"* 1 FETCH (BODY[] {10}\r\nhello)\r\n",	/* truncated */
		"* 1 FETCH (BODY[] ~[5]\r\nhello)\r\n"
	};
	size_t i;

	for (i = 0; i < MK_NELEM(bad); i++) {
		if (parse(bad[i]) != NULL)
			printf("#   accepted: %s", bad[i]);
		T_CHECK(imap_parser_error(P) != NULL);
	}
	/* literal8 is accepted */
	T_CHECK(parse("* 1 FETCH (BINARY[] ~{2}\r\nab)\r\n") != NULL);
}

static void
t_unbalanced(void)
{
	T_CHECK(parse("* 1 FETCH (UID 1\r\n") == NULL);
	T_EQ_STR(imap_parser_error(P), "unbalanced (");
	T_CHECK(parse("* 1 FETCH (UID 1))\r\n") == NULL);
	T_EQ_STR(imap_parser_error(P), "unbalanced )");
	T_CHECK(parse("* 1 FETCH )(\r\n") == NULL);
	T_CHECK(parse("* 1 FETCH (BODY[1 {3}\r\nabc)\r\n") == NULL);
	T_CHECK(parse("* LIST () \"/ x\r\n") == NULL);
	T_CHECK(parse("* LIST () \"a\\b\" x\r\n") == NULL);
	T_CHECK(parse("* 1 FETCH (\r\n") == NULL);
	T_CHECK(parse("\r\n") == NULL);
	T_CHECK(parse("*\r\n") == NULL);
	T_CHECK(parse(" OK x\r\n") == NULL);
}

static void
t_depth_and_size_caps(void)
{
	struct mk_buf	b;
	size_t		i, used;

	buf_init(&b, 0);
	buf_adds(&b, "* X ");
	for (i = 0; i < IMAP_DEPTHMAX + 1; i++)
		buf_addc(&b, '(');
	for (i = 0; i < IMAP_DEPTHMAX + 1; i++)
		buf_addc(&b, ')');
	buf_adds(&b, "\r\n");
	T_EQ_INT(imap_parse_buf(P, buf_str(&b), b.len, &used), IMAP_P_ERROR);
	T_EQ_STR(imap_parser_error(P), "lists nested too deep");
	buf_free(&b);
}

/* A huge literal: announced, then streamed elsewhere, or refused. */
static void
t_huge_literal(void)
{
	const struct imap_resp	*r;
	struct imap_fetch	 f;
	uint64_t		 n;
	char			 chunk[4096];
	size_t			 i;

	imap_parser_reset(P);
	T_EQ_INT(imap_parser_line(P, "* 3 FETCH (UID 9 BODY[] {20971520}",
	    34, &n), IMAP_P_LITERAL);
	T_EQ_INT(n, 20971520);
	T_EQ_STR(imap_parser_literal_key(P), "BODY[]");
	r = imap_parser_resp(P);
	T_EQ_STR(r->items[4].s, "9");
	T_EQ_INT(imap_parser_literal_streamed(P), 0);
	T_EQ_INT(imap_parser_line(P, ")", 1, &n), IMAP_P_DONE);
	r = imap_parser_resp(P);
	T_EQ_INT(imap_fetch_parse(r, &f), 0);
	T_CHECK(f.body->type == IMAP_T_STREAMED && f.body->n == 20971520);
	/* Kept in memory: refused past IMAP_LITMAX. */
	imap_parser_reset(P);
	T_EQ_INT(imap_parser_line(P, "* LIST () NIL {20971520}", 24, &n),
	    IMAP_P_LITERAL);
	T_CHECK(imap_parser_literal_key(P) == NULL);
	memset(chunk, 'x', sizeof(chunk));
	for (i = 0; i < IMAP_LITMAX / sizeof(chunk); i++)
		T_EQ_INT(imap_parser_literal(P, chunk, sizeof(chunk)), 0);
	T_EQ_INT(imap_parser_literal(P, chunk, 1), -1);
	T_EQ_STR(imap_parser_error(P), "literal too large");
	/* More bytes than announced, and a line while one is pending. */
	imap_parser_reset(P);
	T_EQ_INT(imap_parser_line(P, "* X {2}", 7, &n), IMAP_P_LITERAL);
	T_EQ_INT(imap_parser_line(P, "oops", 4, &n), IMAP_P_ERROR);
	imap_parser_reset(P);
	T_EQ_INT(imap_parser_line(P, "* X {2}", 7, &n), IMAP_P_LITERAL);
	T_EQ_INT(imap_parser_literal(P, "abc", 3), -1);
}

/*
 * Literal sizes: RFC 9051 number64 at most, so no 20-digit size fits
 * (and none wraps around to a small one); {0} is an empty string.
 */
static void
t_literal_sizes(void)
{
	static const char *const big[] = {
		"* X {9223372036854775808}",	/* 2^63 */
		"* X {18446744073709551615}",	/* 2^64 - 1 */
		"* X {18446744073709551616}",	/* 2^64: wraps to 0 */
		"* X {46116860184273879040}",	/* wraps to a small size */
		"* X {00000000000000000000001}"	/* long, but 1: fine */
	};
	const struct imap_resp	*r;
	uint64_t		 n;
	size_t			 i;

	for (i = 0; i < MK_NELEM(big); i++) {
		imap_parser_reset(P);
		if (i + 1 == MK_NELEM(big)) {
			T_EQ_INT(imap_parser_line(P, big[i], strlen(big[i]),
			    &n), IMAP_P_LITERAL);
			T_EQ_INT(n, 1);
			continue;
		}
		T_EQ_INT(imap_parser_line(P, big[i], strlen(big[i]), &n),
		    IMAP_P_ERROR);
		T_EQ_STR(imap_parser_error(P), "literal size too large");
	}
	imap_parser_reset(P);
	T_EQ_INT(imap_parser_line(P, "* X {9223372036854775807}", 25, &n),
	    IMAP_P_LITERAL);
	T_EQ_INT(n, INT64_MAX);
	imap_parser_reset(P);
	T_EQ_INT(imap_parser_line(P, "* X {4294967295}", 16, &n),
	    IMAP_P_LITERAL);
	T_EQ_INT(n, 4294967295U);
	/* {0}: complete with no bytes at all. */
	T_CHECK((r = parse("* LIST () \"/\" {0}\r\n\r\n")) != NULL);
	T_EQ_INT(r->nitems, 4);
	T_EQ_INT(r->items[3].type, IMAP_T_STRING);
	T_EQ_INT(r->items[3].len, 0);
	imap_parser_reset(P);
	T_EQ_INT(imap_parser_line(P, "* X {0}", 7, &n), IMAP_P_LITERAL);
	T_EQ_INT(n, 0);
	T_EQ_INT(imap_parser_literal(P, "", 0), 0);
	T_EQ_INT(imap_parser_line(P, "", 0, &n), IMAP_P_DONE);
}

/* Every proper prefix of valid responses fails cleanly (unit1650). */
static void
t_prefixes(void)
{
	static const char *const good[] = {
		"* 1 FETCH (UID 5 BODY[] {7}\r\nhello\r\n FLAGS (\\Seen))\r\n",
		"* LIST (\\Noselect) NIL {3}\r\nabc\r\n",
		"M2 OK [COPYUID 1 2:3 4:5] done\r\n",
		"* STATUS \"x y\" (MESSAGES 2 UNSEEN 1)\r\n"
	};
	size_t	 i, k, used;
	char	*p;

	for (i = 0; i < MK_NELEM(good); i++) {
		T_CHECK(parse(good[i]) != NULL);
		for (k = 0; k < strlen(good[i]); k++) {
			p = malloc(k + 1);
			memcpy(p, good[i], k);
			p[k] = '\0';
			if (imap_parse_buf(P, p, k, &used) == IMAP_P_DONE &&
			    used == strlen(good[i]))
				T_CHECK(!"a prefix parsed as the whole");
			free(p);
		}
	}
}

static void
t_caps(void)
{
	const struct imap_resp	*r;
	unsigned		 c;

	r = parse("* CAPABILITY IMAP4rev1 LITERAL+ IDLE uidplus MOVE "
	    "AUTH=PLAIN\r\n");
	T_EQ_INT(imap_caps_parse(r, &c), 0);
	T_EQ_INT(c, IMAP_CAP_IMAP4REV1 | IMAP_CAP_LITERALPLUS |
	    IMAP_CAP_IDLE | IMAP_CAP_UIDPLUS | IMAP_CAP_MOVE);
	r = parse("A2 OK [CAPABILITY IMAP4rev1 ESEARCH] Logged in\r\n");
	T_EQ_INT(imap_caps_parse(r, &c), 0);
	T_EQ_INT(c, IMAP_CAP_IMAP4REV1 | IMAP_CAP_ESEARCH);
	r = parse("* OK hello\r\n");
	T_EQ_INT(imap_caps_parse(r, &c), -1);
}

static void
t_list_status(void)
{
	const struct imap_resp	*r;
	struct imap_list	 l;
	struct imap_status	 st;
	struct mk_buf		 name;

	buf_init(&name, 0);
	r = parse("* LIST (\\Noselect \\HasChildren) \".\" "
	    "\"Entw&APw-rfe\"\r\n");
	T_EQ_INT(imap_list_parse(r, &l, &name), 0);
	T_EQ_STR(buf_str(&name), "Entwürfe");
	T_EQ_INT(l.nflags, 2);
	T_EQ_INT(l.noselect, 1);
	buf_reset(&name);
	r = parse("* LIST () NIL &Jjo\r\n");	/* atom, bad mUTF-7 */
	T_EQ_INT(imap_list_parse(r, &l, &name), 0);
	T_EQ_INT(l.delim, 0);
	T_EQ_INT(l.badname, 1);
	T_EQ_STR(buf_str(&name), "&Jjo");
	T_EQ_INT(imap_list_parse(parse("* LIST () \"ab\" x\r\n"), &l, &name),
	    -1);
	T_EQ_INT(imap_list_parse(parse("* LIST \\x \".\" x\r\n"), &l, &name),
	    -1);
	buf_reset(&name);
	r = parse("* STATUS &ZeVnLIqe- (MESSAGES 231 UIDNEXT 44292 "
	    "UNSEEN 0)\r\n");
	T_EQ_INT(imap_status_parse(r, &st, &name), 0);
	T_EQ_STR(buf_str(&name), "日本語");
	T_EQ_INT(st.messages, 231);
	T_EQ_INT(st.unseen, 0);
	T_EQ_INT(st.uidnext, 44292);
	T_EQ_INT(st.uidvalidity, -1);
	T_EQ_INT(imap_status_parse(parse("* STATUS x (MESSAGES)\r\n"), &st,
	    NULL), -1);
	buf_free(&name);
}

static void
t_search(void)
{
	uint32_t	*u = NULL;
	size_t		 n = 0, cap = 0;

	T_EQ_INT(imap_search_parse(parse("* SEARCH 2 84 882\r\n"), &u, &n,
	    &cap, 100), 0);
	T_EQ_INT(n, 3);
	T_EQ_INT(u[2], 882);
	n = 0;
	T_EQ_INT(imap_search_parse(parse("* SEARCH\r\n"), &u, &n, &cap, 100),
	    0);
	T_EQ_INT(n, 0);
	T_EQ_INT(imap_search_parse(parse("* ESEARCH (TAG \"M3\") UID "
	    "ALL 1:3,7,10:9\r\n"), &u, &n, &cap, 100), 0);
	T_EQ_INT(n, 6);
	T_EQ_INT(u[3], 7);
	T_EQ_INT(u[5], 10);
	n = 0;
	T_EQ_INT(imap_search_parse(parse("* SEARCH 1 x\r\n"), &u, &n, &cap,
	    100), -1);
	n = 0;
	T_EQ_INT(imap_search_parse(parse("* SEARCH 1 2 3\r\n"), &u, &n, &cap,
	    2), -1);
	T_EQ_INT(imap_search_parse(parse("* 3 EXISTS\r\n"), &u, &n, &cap,
	    2), 1);
	n = 0;
	T_EQ_INT(imap_set_parse("1:*", 3, &u, &n, &cap, 100), -1);
	T_EQ_INT(imap_set_parse("1,", 2, &u, &n, &cap, 100), -1);
	T_EQ_INT(imap_set_parse(",1", 2, &u, &n, &cap, 100), -1);
	T_EQ_INT(imap_set_parse("1:", 2, &u, &n, &cap, 100), -1);
	T_EQ_INT(imap_set_parse("0", 1, &u, &n, &cap, 100), -1);
	T_EQ_INT(imap_set_parse("1:4294967295", 12, &u, &n, &cap, 100), -1);
	T_EQ_INT(imap_set_parse("4294967296", 10, &u, &n, &cap, 100), -1);
	free(u);
}

struct mvec {
	const char	*utf8, *mutf7;
};

static void
t_mutf7(void)
{
	static const struct mvec good[] = {
		{ "INBOX", "INBOX" },
		{ "Entwürfe", "Entw&APw-rfe" },
		{ "&", "&-" },
		{ "a&b&&", "a&-b&-&-" },
		{ "日本語", "&ZeVnLIqe-" },
		{ "~peter/mail/台北/日本語", "~peter/mail/&U,BTFw-/&ZeVnLIqe-" },
		{ "😀", "&2D3eAA-" },
		{ "é€", "&AOkgrA-" },
		{ "\t", "&AAk-" },
		{ "", "" }
	};
	static const char *const baddec[] = {
		"&Jjo!", "&Jjo", "&AGE-", "&ZeVnLIqe-&ZeVnLIqe-", "&2D0-",
		"&3gA-", "\xc3\xa9", "&ZeV-", "&AOk", "&-&", "a\tb", "&,,,-",
		"&2D3eAA", "&2D0AQQ-"
	};
	static const char *const badenc[] = {
		"\xc3", "\xc0\x80", "\xed\xa0\x80", "\xf4\x90\x80\x80", "\xff",
		"a\xe6\x97"
	};
	struct mk_buf	b;
	size_t		i;

	buf_init(&b, 0);
	for (i = 0; i < MK_NELEM(good); i++) {
		buf_reset(&b);
		T_EQ_INT(imap_mutf7_encode(good[i].utf8, strlen(good[i].utf8),
		    &b), 0);
		T_EQ_STR(buf_str(&b), good[i].mutf7);
		buf_reset(&b);
		T_EQ_INT(imap_mutf7_decode(good[i].mutf7,
		    strlen(good[i].mutf7), &b), 0);
		T_EQ_STR(buf_str(&b), good[i].utf8);
	}
	for (i = 0; i < MK_NELEM(baddec); i++) {
		buf_reset(&b);
		if (imap_mutf7_decode(baddec[i], strlen(baddec[i]), &b) != -1) {
			printf("#   decoded: %s\n", baddec[i]);
			T_CHECK(0);
		}
	}
	for (i = 0; i < MK_NELEM(badenc); i++) {
		buf_reset(&b);
		T_EQ_INT(imap_mutf7_encode(badenc[i], strlen(badenc[i]), &b),
		    -1);
	}
	buf_reset(&b);
	T_EQ_INT(imap_mutf7_encode("a\0b", 3, &b), -1);
	buf_free(&b);
}

static void
t_cmd_builder(void)
{
	struct imap_cmd	c;
	struct mk_buf	out;
	int		utf8 = 0;

	buf_init(&out, 0);
	imap_cmd_init(&c);
	imap_cmd_add(&c, "UID SEARCH ");
	imap_cmd_search_arg(&c, "(", &utf8);
	imap_cmd_search_arg(&c, "SUBJECT", &utf8);
	imap_cmd_add(&c, " ");
	imap_cmd_search_arg(&c, "a \"b\" \\c", &utf8);
	imap_cmd_add(&c, " ");
	imap_cmd_search_arg(&c, "Grüße", &utf8);
	imap_cmd_add(&c, " ");
	imap_cmd_search_arg(&c, "1:*", &utf8);
	imap_cmd_search_arg(&c, ")", &utf8);
	T_EQ_INT(utf8, 1);
	T_EQ_INT(imap_cmd_render(&c, 0, &out), 0);
	T_EQ_STR(buf_str(&out), "UID SEARCH (SUBJECT \"a \\\"b\\\" \\\\c\" "
	    "{7}\r\nGrüße 1:*)\r\n");
	buf_reset(&out);
	T_EQ_INT(imap_cmd_render(&c, 1, &out), 0);
	T_EQ_STR(buf_str(&out), "UID SEARCH (SUBJECT \"a \\\"b\\\" \\\\c\" "
	    "{7+}\r\nGrüße 1:*)\r\n");
	imap_cmd_free(&c);
	/* CR or LF in an argument: a sticky usage error. */
	imap_cmd_init(&c);
	imap_cmd_add(&c, "UID SEARCH SUBJECT ");
	imap_cmd_search_arg(&c, "x\r\nA1 DELETE INBOX", &utf8);
	imap_cmd_add(&c, " ALL");
	T_EQ_INT(c.err.st, MK_EUSAGE);
	buf_reset(&out);
	T_EQ_INT(imap_cmd_render(&c, 0, &out), -1);
	imap_cmd_free(&c);
	imap_cmd_init(&c);
	imap_cmd_astring(&c, "a\0b", 3);
	T_EQ_INT(c.err.st, MK_EUSAGE);
	imap_cmd_free(&c);
	/* Mailboxes: INBOX as is, others mUTF-7 and quoted. */
	imap_cmd_init(&c);
	imap_cmd_add(&c, "RENAME ");
	imap_cmd_mailbox(&c, "inbox");
	imap_cmd_add(&c, " ");
	imap_cmd_mailbox(&c, "Été \"&\"");
	buf_reset(&out);
	T_EQ_INT(imap_cmd_render(&c, 0, &out), 0);
	T_EQ_STR(buf_str(&out), "RENAME INBOX \"&AMk-t&AOk- \\\"&-\\\"\"\r\n");
	imap_cmd_free(&c);
	imap_cmd_init(&c);
	imap_cmd_mailbox(&c, "\xff");
	T_EQ_INT(c.err.st, MK_EUSAGE);
	imap_cmd_free(&c);
	imap_cmd_init(&c);
	imap_cmd_astring(&c, "", 0);
	buf_reset(&out);
	T_EQ_INT(imap_cmd_render(&c, 0, &out), 0);
	T_EQ_STR(buf_str(&out), "\"\"\r\n");
	imap_cmd_free(&c);
	buf_free(&out);
}

/* The fuzz entry point over junk: it must not crash. */
static void
t_fuzz_junk(void)
{
	static const char *const seeds[] = {
		"* 1 FETCH (BODY[] {3}\r\nabc)\r\n* 2 EXISTS\r\n",
		"* LIST (() \"/\" {2}\r\nab\r\n",
		"M1 OK [A (B [C] D] e\r\n+ x\r\n",
		"&AGE-&Jjo-&-&2D3eAA-\r\n"
	};
	static const char alpha[] = "* ()[]{}\"\\0123456789\r\nFETCH NILabc+~";
	uint8_t		buf[512];
	unsigned	seed = 1;
	size_t		i, k, n;

	for (i = 0; i < MK_NELEM(seeds); i++)
		T_EQ_INT(fuzz_imap((const uint8_t *)seeds[i],
		    strlen(seeds[i])), 0);
	for (i = 0; i < 2000; i++) {
		n = (seed = seed * 1103515245 + 12345) % sizeof(buf);
		for (k = 0; k < n; k++) {
			seed = seed * 1103515245 + 12345;
			buf[k] = (uint8_t)alpha[(seed >> 16) %
			    (sizeof(alpha) - 1)];
		}
		T_EQ_INT(fuzz_imap(buf, n), 0);
	}
}

int
main(void)
{
	if ((P = imap_parser_new()) == NULL)
		return 1;
	T_RUN(t_untagged_simple);
	T_RUN(t_tagged_codes);
	T_RUN(t_continuation);
	T_RUN(t_fetch_envelope);
	T_RUN(t_nil_everywhere);
	T_RUN(t_literals_in_lists);
	T_RUN(t_bad_literals);
	T_RUN(t_unbalanced);
	T_RUN(t_depth_and_size_caps);
	T_RUN(t_huge_literal);
	T_RUN(t_literal_sizes);
	T_RUN(t_prefixes);
	T_RUN(t_caps);
	T_RUN(t_list_status);
	T_RUN(t_search);
	T_RUN(t_mutf7);
	T_RUN(t_cmd_builder);
	T_RUN(t_fuzz_junk);
	imap_parser_free(P);
	T_DONE();
}
