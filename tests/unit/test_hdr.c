/* test_hdr.c: header fields, RFC 2047 words, RFC 2231 parameters. */
#include <stdint.h>
#include <time.h>

#include "buf.h"
#include "hdr.h"
#include "mk.h"
#include "t.h"

static uint32_t rnd_state = 521288629u;

static uint32_t
rnd(void)
{
	rnd_state ^= rnd_state << 13;
	rnd_state ^= rnd_state >> 17;
	rnd_state ^= rnd_state << 5;
	return rnd_state;
}

/* Decode s; the result must be want and the flags must hold fl. */
static void
dw_is(const char *s, const char *want, int fl)
{
	struct mk_buf	b;
	int		flags = 0;

	buf_init(&b, 0);
	T_EQ_INT(hdr_decode_words(s, strlen(s), &b, &flags), 0);
	T_EQ_STR(buf_str(&b), want);
	T_EQ_INT(flags & fl, fl);
	if (strcmp(buf_str(&b), want) != 0 || (flags & fl) != fl)
		printf("#   input \"%s\" flags %#x\n", s, flags);
	buf_free(&b);
}

static void
block_basic(void)
{
	static const char msg[] =
	    "From: a@b\r\n"
	    "Subject: hello\r\n"
	    " world\r\n"
	    "X-Empty:\r\n"
	    "X-NoSpace:value\r\n"
	    "bad line\r\n"
	    "\tcontinued?\r\n"
	    "To : c@d\r\n"
	    "Subject:\r\n"
	    "   late\r\n"
	    "\r\n"
	    "body\r\n";
	struct hdr_block	 hb;
	const struct hdr_field	*f;
	size_t			 it = 0;

	T_EQ_INT(hdr_block_parse(msg, sizeof(msg) - 1, 0, 0, &hb), 0);
	T_EQ_INT(hb.n, 6);
	T_EQ_INT(hb.nbad, 2);
	T_CHECK(hb.ended);
	T_EQ_STR(msg + hb.body, "body\r\n");
	if (hb.n == 6) {
		T_EQ_STR(hb.fields[0].name, "From");
		T_EQ_STR(hb.fields[0].value, "a@b");
		T_EQ_STR(hb.fields[1].value, "hello\n world");
		T_EQ_INT(hb.fields[1].line, 2);
		T_EQ_STR(hb.fields[2].value, "");
		T_EQ_STR(hb.fields[3].value, "value");
		T_EQ_STR(hb.fields[4].name, "To");
		T_CHECK(hb.fields[4].flags & HDR_F_NAMESP);
		T_EQ_STR(hb.fields[5].value, "late");
	}
	f = hdr_block_find(&hb, "subject", &it);
	T_CHECK(f != NULL && strcmp(f->value, "hello\n world") == 0);
	f = hdr_block_find(&hb, "SUBJECT", &it);
	T_CHECK(f != NULL && strcmp(f->value, "late") == 0);
	T_CHECK(hdr_block_find(&hb, "subject", &it) == NULL);
	hdr_block_free(&hb);
}

static void
block_edges(void)
{
	struct hdr_block	 hb;
	char			 buf[300];
	const char		*s;

	/* LF only, no empty line: the block runs to the end. */
	T_EQ_INT(hdr_block_parse("A: 1\nB: 2", 9, 0, 0, &hb), 0);
	T_EQ_INT(hb.n, 2);
	T_CHECK(!hb.ended);
	T_EQ_INT(hb.body, 9);
	hdr_block_free(&hb);
	/* An mbox From_ line and a leading continuation are bad lines. */
	s = "From x@y Mon Jan  1 00:00:00 2024\n x\nA: b\n\nrest";
	T_EQ_INT(hdr_block_parse(s, strlen(s), 0, 0, &hb), 0);
	T_EQ_INT(hb.n, 1);
	T_EQ_INT(hb.nbad, 2);
	T_EQ_STR(s + hb.body, "rest");
	hdr_block_free(&hb);
	/* Empty input; a block that is just the empty line. */
	T_EQ_INT(hdr_block_parse("", 0, 0, 0, &hb), 0);
	T_CHECK(hb.n == 0 && !hb.ended && hb.body == 0);
	hdr_block_free(&hb);
	T_EQ_INT(hdr_block_parse("\r\nbody", 6, 0, 0, &hb), 0);
	T_CHECK(hb.n == 0 && hb.ended && hb.body == 2);
	hdr_block_free(&hb);
	/* NUL bytes are kept and flagged; a NUL in a name is a bad line. */
	T_EQ_INT(hdr_block_parse("X: a\0b\nY\0: c\n\n", 14, 0, 0, &hb), 0);
	T_EQ_INT(hb.n, 1);
	T_EQ_INT(hb.nbad, 1);
	T_EQ_INT(hb.fields[0].valuelen, 3);
	T_CHECK(hb.fields[0].flags & HDR_F_NUL);
	hdr_block_free(&hb);
	/* A long field is cut to the cap and flagged, never silently. */
	memcpy(buf, "Subject: ", 9);
	memset(buf + 9, 'x', 200);
	memcpy(buf + 209, "\n more\nA: b\n\n", 14);
	T_EQ_INT(hdr_block_parse(buf, strlen(buf), 16, 0, &hb), 0);
	T_EQ_INT(hb.n, 2);
	T_EQ_INT(hb.fields[0].valuelen, 16 - 7);
	T_CHECK(hb.fields[0].flags & HDR_F_CUT);
	T_CHECK(!(hb.fields[1].flags & HDR_F_CUT));
	hdr_block_free(&hb);
	/* The field cap: later fields and their continuations skipped. */
	s = "A: 1\nB: 2\nC: 3\n x\nD: 4\n\nbody";
	T_EQ_INT(hdr_block_parse(s, strlen(s), 0, 2, &hb), 0);
	T_EQ_INT(hb.n, 2);
	T_CHECK(hb.toomany);
	T_EQ_INT(hb.nbad, 0);
	T_EQ_STR(s + hb.body, "body");
	hdr_block_free(&hb);
}

/* Every prefix of a message parses; fields never grow past their cap. */
static void
block_prefixes(void)
{
	static const char msg[] = "From x@y Mon Jan  1 00:00:00 2024\r\n"
	    "Subject: =?utf-8?q?a?=\r\n =?utf-8?q?b?=\r\nbad\r\n\tcont\r\n"
	    "Content-Type: text/plain;\r\n charset*=utf-8''%E2%82%AC\r\n"
	    "X:\r\n\r\nbody";
	struct hdr_block	hb;
	size_t			i, j;

	for (i = 0; i <= sizeof(msg) - 1; i++) {
		T_EQ_INT(hdr_block_parse(msg, i, 12, 3, &hb), 0);
		T_CHECK(hb.body <= i);
		T_CHECK(hb.n <= 3);
		for (j = 0; j < hb.n; j++)
			T_CHECK(hb.fields[j].namelen + hb.fields[j].valuelen
			    <= 12);
		hdr_block_free(&hb);
		T_EQ_INT(hdr_block_parse(msg + i, sizeof(msg) - 1 - i, 0, 0,
		    &hb), 0);
		hdr_block_free(&hb);
	}
}

static void
parser_events(void)
{
	struct hdr_parser	*p;
	struct hdr_event	 ev;

	p = hdr_parser_new(0, 0);
	T_CHECK(p != NULL);
	T_EQ_INT(hdr_parser_push(p, "Subject: a", 10), 0);
	T_EQ_INT(hdr_parser_next(p, &ev), HDR_EV_NONE);
	T_EQ_INT(hdr_parser_push(p, "  b\r", 4), 0);
	T_EQ_INT(hdr_parser_next(p, &ev), HDR_EV_NONE);
	T_EQ_INT(hdr_parser_push(p, "nocolon", 7), 0);
	T_EQ_INT(hdr_parser_next(p, &ev), HDR_EV_FIELD);
	T_EQ_STR(ev.field.name, "Subject");
	T_EQ_STR(ev.field.value, "a\n  b");
	T_EQ_INT(ev.field.line, 1);
	T_EQ_INT(hdr_parser_next(p, &ev), HDR_EV_BADLINE);
	T_EQ_INT(ev.line, 3);
	T_EQ_INT(hdr_parser_next(p, &ev), HDR_EV_NONE);
	T_EQ_INT(hdr_parser_push(p, "X:y", 3), 0);
	T_EQ_INT(hdr_parser_push(p, NULL, 0), 0);
	T_EQ_INT(hdr_parser_next(p, &ev), HDR_EV_FIELD);
	T_EQ_STR(ev.field.value, "y");
	T_EQ_INT(hdr_parser_next(p, &ev), HDR_EV_END);
	T_EQ_INT(hdr_parser_next(p, &ev), HDR_EV_NONE);
	T_EQ_INT(hdr_parser_push(p, "Z: 1", 4), -1);
	hdr_parser_free(p);
	hdr_parser_free(NULL);
}

static void
unfold(void)
{
	char	s[] = "hello\r\n world\n\tand\r\n  more";
	size_t	n;

	n = hdr_unfold(s, strlen(s), s);
	T_EQ_MEM(s, n, "hello world\tand  more", 21);
	n = hdr_unfold("\r\n", 2, s);
	T_EQ_INT(n, 0);
}

static void
rfc2047_examples(void)
{
	/* RFC 2047 8. */
	dw_is("=?US-ASCII?Q?Keith_Moore?= <moore@cs.utk.edu>",
	    "Keith Moore <moore@cs.utk.edu>", HDR_DW_DECODED);
	dw_is("=?ISO-8859-1?Q?Keld_J=F8rn_Simonsen?= <keld@dkuug.dk>",
	    "Keld J\xc3\xb8rn Simonsen <keld@dkuug.dk>", HDR_DW_DECODED);
	dw_is("=?ISO-8859-1?Q?Andr=E9?= Pirard <PIRARD@vm1.ulg.ac.be>",
	    "Andr\xc3\xa9 Pirard <PIRARD@vm1.ulg.ac.be>", 0);
	dw_is("=?ISO-8859-1?B?SWYgeW91IGNhbiByZWFkIHRoaXMgeW8=?=\r\n"
	    "    =?ISO-8859-2?B?dSB1bmRlcnN0YW5kIHRoZSBleGFtcGxlLg==?=",
	    "If you can read this you understand the example.", 0);
	dw_is("=?ISO-8859-1?Q?Olle_J=E4rnefors?= <ojarnef@admin.kth.se>",
	    "Olle J\xc3\xa4rnefors <ojarnef@admin.kth.se>", 0);
	dw_is("Nathaniel Borenstein <nsb@thumper.bellcore.com>\r\n"
	    "    (=?iso-8859-8?b?7eXs+SDv4SDp7Oj08A==?=)",
	    "Nathaniel Borenstein <nsb@thumper.bellcore.com>\r\n    ("
	    "\xd7\x9d\xd7\x95\xd7\x9c\xd7\xa9 \xd7\x9f\xd7\x91 \xd7\x99"
	    "\xd7\x9c\xd7\x98\xd7\xa4\xd7\xa0)", 0);
	dw_is("(=?ISO-8859-1?Q?a?=)", "(a)", 0);
	dw_is("(=?ISO-8859-1?Q?a?= b)", "(a b)", 0);
	dw_is("(=?ISO-8859-1?Q?a?= =?ISO-8859-1?Q?b?=)", "(ab)", 0);
	dw_is("(=?ISO-8859-1?Q?a?=  =?ISO-8859-1?Q?b?=)", "(ab)", 0);
	dw_is("(=?ISO-8859-1?Q?a?=\r\n    =?ISO-8859-1?Q?b?=)", "(ab)", 0);
	dw_is("(=?ISO-8859-1?Q?a_b?=)", "(a b)", 0);
	dw_is("(=?ISO-8859-1?Q?a?= =?ISO-8859-2?Q?_b?=)", "(a b)", 0);
	/* RFC 2231 5: a language after the charset. */
	dw_is("=?US-ASCII*EN?Q?Keith_Moore?=", "Keith Moore", 0);
}

static void
rfc2047_edges(void)
{
	dw_is("plain text", "plain text", 0);
	dw_is("", "", 0);
	dw_is("Re: =?utf-8?q?caf=C3=A9?= ok", "Re: caf\xc3\xa9 ok", 0);
	dw_is("=?utf-8?b?w6k=?=", "\xc3\xa9", 0);
	dw_is("=?utf-8?B?w6k?=", "\xc3\xa9", 0);	/* no padding */
	dw_is("=?utf-8?q?" "?=", "", HDR_DW_DECODED);
	dw_is("x=?utf-8?q?a?=y", "xay", 0);	/* glued to text */
	dw_is("=?utf-8?q?a?==?utf-8?q?b?=", "ab", 0);
	dw_is("=?utf-8?q?a?= b =?utf-8?q?c?=", "a b c", 0);
	/* A character split between two words, Q and B. */
	dw_is("=?utf-8?q?=E2=82?= =?utf-8?q?=AC?=", "\xe2\x82\xac", 0);
	dw_is("=?UTF-8?B?4oI=?=\r\n =?utf-8?B?rA==?=", "\xe2\x82\xac", 0);
	/* Not joined across charsets: each half is broken. */
	dw_is("=?utf-8?q?=E2=82?= =?iso-8859-1?q?=AC?=",
	    "\xef\xbf\xbd\xef\xbf\xbd\xc2\xac", HDR_DW_REPLACED);
	dw_is("=?iso-8859-1?q?=E9?=", "\xc3\xa9", 0);
	dw_is("=?latin1?q?=E9?=", "\xc3\xa9", 0);
	dw_is("=?windows-1252?Q?=80_=93hi=94?=",
	    "\xe2\x82\xac \xe2\x80\x9chi\xe2\x80\x9d", 0);
	dw_is("=?shift_jis?B?gqA=?=", "\xe3\x81\x82", 0);
	/* A stateful charset, its escape split from the text. */
	dw_is("=?ISO-2022-JP?B?GyRC?= =?iso-2022-jp?B?JCIbKEI=?=",
	    "\xe3\x81\x82", 0);
	dw_is("=?us-ascii?q?caf=E9?=", "caf\xef\xbf\xbd", HDR_DW_REPLACED);
	dw_is("=?utf-8?q?=FF?=", "\xef\xbf\xbd", HDR_DW_REPLACED);
	dw_is("=?utf-8?q?=ED=A0=80?=", "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd",
	    HDR_DW_REPLACED);		/* a surrogate */
	dw_is("=?utf-8?q?=C0=AF?=", "\xef\xbf\xbd\xef\xbf\xbd",
	    HDR_DW_REPLACED);		/* overlong */
	/* Unknown charsets: read as UTF-8. */
	dw_is("=?x-unknown?Q?caf=C3=A9?=", "caf\xc3\xa9", HDR_DW_CHARSET);
	dw_is("=?x-unknown?Q?caf=E9?=", "caf\xef\xbf\xbd",
	    HDR_DW_CHARSET | HDR_DW_REPLACED);
	/* Raw 8-bit text. */
	dw_is("caf\xc3\xa9 caf\xe9", "caf\xc3\xa9 caf\xef\xbf\xbd",
	    HDR_DW_REPLACED);
	/* Malformed words stay as they are. */
	dw_is("=?utf-8?Q?unterminated", "=?utf-8?Q?unterminated",
	    HDR_DW_MALFORMED);
	dw_is("=?utf-8?X?abc?=", "=?utf-8?X?abc?=", HDR_DW_MALFORMED);
	dw_is("=?utf-8?B?@@@?=", "=?utf-8?B?@@@?=", HDR_DW_MALFORMED);
	dw_is("=?utf-8?Q?a b?=", "=?utf-8?Q?a b?=", HDR_DW_MALFORMED);
	dw_is("=??Q?a?=", "=??Q?a?=", 0);
	dw_is("=?utf-8//TRANSLIT?Q?a?=", "=?utf-8//TRANSLIT?Q?a?=", 0);
	dw_is("a=?b", "a=?b", 0);
	dw_is("=?", "=?", 0);
	dw_is("=?utf-8?", "=?utf-8?", 0);
	dw_is("=?utf-8?q?a?", "=?utf-8?q?a?", HDR_DW_MALFORMED);
	/* A broken word does not swallow a good one after it. */
	dw_is("=?utf-8?q?a =?utf-8?q?b?=", "=?utf-8?q?a b", HDR_DW_MALFORMED);
	/* Blanks between a word and a broken one are kept. */
	dw_is("=?utf-8?q?a?= =?x?q", "a =?x?q", 0);
}

/* Every prefix of a message of words decodes without trouble. */
static void
rfc2047_hostile(void)
{
	static const char s[] = "=?utf-8?B?4oKs?= =?iso-8859-1?Q?=E9_x?="
	    "=?x?Q?=ZZ?= =?UTF-8?b?w6k?= =?shift_jis?B?gqA=?=";
	struct mk_buf	b;
	char		junk[256];
	size_t		i, k;
	int		r, fl;

	buf_init(&b, 0);
	for (i = 0; i <= sizeof(s) - 1; i++) {
		buf_reset(&b);
		T_EQ_INT(hdr_decode_words(s, i, &b, NULL), 0);
		buf_reset(&b);
		T_EQ_INT(hdr_decode_words(s + i, sizeof(s) - 1 - i, &b, NULL),
		    0);
	}
	for (r = 0; r < 3000; r++) {
		k = rnd() % sizeof(junk);
		for (i = 0; i < k; i++)
			junk[i] = "=?QqBbuf8-A_ \r\n\x80\xe9"[rnd() % 17];
		buf_reset(&b);
		fl = 0;
		T_EQ_INT(hdr_decode_words(junk, k, &b, &fl), 0);
	}
	/* The output cap is honoured. */
	buf_free(&b);
	buf_init(&b, 4);
	T_EQ_INT(hdr_decode_words("=?utf-8?q?abcdef?=", 18, &b, NULL), -1);
	T_CHECK(b.toobig);
	buf_free(&b);
}

/* Encode s for field; check every line, then decode back to s. */
static void
enc_round(const char *s, const char *field)
{
	struct mk_buf	 b, d;
	size_t		 col, i, n;
	char		*u;

	buf_init(&b, 0);
	buf_init(&d, 0);
	T_EQ_INT(hdr_encode_words(s, field, &b), 0);
	col = strlen(field) + 2;
	for (i = 0; i < b.len; i++) {
		if (b.p[i] == '\n') {
			T_CHECK(i + 1 < b.len && (b.p[i + 1] == ' ' ||
			    b.p[i + 1] == '\t'));
			col = 0;
		} else if (++col > 76 && strlen(s) < 300) {
			printf("#   long line in \"%s\"\n", buf_str(&b));
			T_CHECK(0);
			break;
		}
	}
	u = malloc(b.len + 1);
	n = hdr_unfold((char *)b.p, b.len, u);
	/*
	 * Blanks at the start of a field body are not part of it (and a
	 * fold right after "Name: " may add one).
	 */
	for (i = 0; i < n && (u[i] == ' ' || u[i] == '\t'); i++)
		;
	T_EQ_INT(hdr_decode_words(u + i, n - i, &d, NULL), 0);
	while (*s == ' ' || *s == '\t')
		s++;
	T_EQ_STR(buf_str(&d), s);
	free(u);
	buf_free(&b);
	buf_free(&d);
}

static void
enc_is(const char *s, const char *want)
{
	struct mk_buf b;

	buf_init(&b, 0);
	T_EQ_INT(hdr_encode_words(s, "Subject", &b), 0);
	T_EQ_STR(buf_str(&b), want);
	buf_free(&b);
	enc_round(s, "Subject");
}

static void
encode_words(void)
{
	enc_is("Hello world", "Hello world");
	enc_is("", "");
	/* Q and B by length: B wins ties of nothing, Q wins ties. */
	enc_is("caf\xc3\xa9", "=?UTF-8?B?Y2Fmw6k=?=");
	enc_is("Caf\xc3\xa9-Restaurant", "=?UTF-8?Q?Caf=C3=A9-Restaurant?=");
	enc_is("Gr\xc3\xbc\xc3\x9f" "e aus M\xc3\xbcnchen",
	    "=?UTF-8?B?R3LDvMOfZQ==?= aus =?UTF-8?Q?M=C3=BCnchen?=");
	enc_is("\xe2\x82\xac\xe2\x82\xac\xe2\x82\xac\xe2\x82\xac\xe2\x82\xac"
	    "\xe2\x82\xac", "=?UTF-8?B?4oKs4oKs4oKs4oKs4oKs4oKs?=");
	enc_is("\xc3\xa9 \xc3\xa9", "=?UTF-8?B?w6kgw6k=?=");
	enc_is("a =?x?= b", "a =?UTF-8?B?PT94Pz0=?= b");
	enc_is("a =?abcdefghij b", "a =?UTF-8?Q?=3D=3Fabcdefghij?= b");
	enc_is("a\nb", "=?UTF-8?B?YQpi?=");
	enc_is("a\nbc", "=?UTF-8?Q?a=0Abc?=");
	enc_is("  lead and trail  ", "  lead and trail  ");
	enc_is("tab\tsep \xc3\xa9", "tab\tsep =?UTF-8?B?w6k=?=");
	/* Long text folds at blanks; long encoded text splits words. */
	enc_round("The quick brown fox jumps over the lazy dog and keeps on "
	    "running far beyond the seventy-six column limit of RFC 2047",
	    "Subject");
	enc_round("\xd0\x9f\xd1\x80\xd0\xb8\xd0\xb2\xd0\xb5\xd1\x82 \xd0\xbc"
	    "\xd0\xb8\xd1\x80 \xd0\x9f\xd1\x80\xd0\xb8\xd0\xb2\xd0\xb5\xd1\x82"
	    " \xd0\xbc\xd0\xb8\xd1\x80 \xd0\x9f\xd1\x80\xd0\xb8\xd0\xb2\xd0\xb5"
	    "\xd1\x82 \xd0\xbc\xd0\xb8\xd1\x80 \xd0\x9f\xd1\x80\xd0\xb8\xd0\xb2"
	    "\xd0\xb5\xd1\x82 \xd0\xbc\xd0\xb8\xd1\x80", "Subject");
	enc_round("\xc3\xa9", "X-A-Very-Long-Field-Name-That-Eats-The-Line-"
	    "Almost-Entirely");
}

/* Random UTF-8 strings round-trip through encode, unfold and decode. */
static void
encode_random(void)
{
	static const char *pool[] = {
		"a", "Z", "0", " ", " ", "\t", "=", "?", "_", "=?", "?=",
		"\xc3\xa9", "\xe2\x82\xac", "\xf0\x9d\x84\x9e", "\xd0\x96",
		"word", "\"", "(", ",", "\x01", "\x7f"
	};
	char	s[400];
	size_t	n, k;
	int	r;

	for (r = 0; r < 2000; r++) {
		n = 0;
		k = rnd() % 60;
		s[0] = '\0';
		while (k-- > 0) {
			const char *p = pool[rnd() % MK_NELEM(pool)];

			if (n + strlen(p) >= sizeof(s))
				break;
			memcpy(s + n, p, strlen(p) + 1);
			n += strlen(p);
		}
		enc_round(s, r & 1 ? "Subject" : "X-Long-Custom-Header-Name");
	}
}

static void
phrase_is(const char *s, const char *want)
{
	struct mk_buf b;

	buf_init(&b, 0);
	T_EQ_INT(hdr_encode_phrase(s, 6, &b), 0);
	T_EQ_STR(buf_str(&b), want);
	buf_free(&b);
}

static void
encode_phrase(void)
{
	phrase_is("John Smith", "John Smith");
	phrase_is("Smith, John", "\"Smith, John\"");
	phrase_is("J. \"Bob\" Smith", "\"J. \\\"Bob\\\" Smith\"");
	phrase_is("", "\"\"");
	phrase_is("Jos\xc3\xa9 Smith", "=?UTF-8?B?Sm9zw6k=?= Smith");
	phrase_is("M\xc3\xbcnchen Team", "=?UTF-8?Q?M=C3=BCnchen?= Team");
	phrase_is("M\xc3\xbcller, Hans", "=?UTF-8?B?TcO8bGxlciw=?= Hans");
	phrase_is("=?x?=", "=?UTF-8?B?PT94Pz0=?=");
	phrase_is("a.b \xc3\xa9", "=?UTF-8?B?YS5iIMOp?=");
	phrase_is("T.M\xc3\xbcnchen", "=?UTF-8?Q?T=2EM=C3=BCnchen?=");
}

/* Parse s; check param name is want (NULL: absent). */
static void
param_is(const char *s, const char *name, const char *want)
{
	struct hdr_params	 pp;
	const char		*v;

	T_EQ_INT(hdr_params_parse(s, strlen(s), &pp), 0);
	v = hdr_param_get(&pp, name);
	if (want == NULL)
		T_CHECK(v == NULL);
	else
		T_EQ_STR(v, want);
	if (want != NULL && (v == NULL || strcmp(v, want) != 0))
		printf("#   input \"%s\"\n", s);
	hdr_params_free(&pp);
}

static void
rfc2231_examples(void)
{
	struct hdr_params	 pp;
	const struct hdr_param	*p;
	const char		*s;

	s = "message/external-body; access-type=URL;\r\n"
	    " URL*0=\"ftp://\";\r\n"
	    " URL*1=\"cs.utk.edu/pub/moore/bulk-mailer/bulk-mailer.tar\"";
	T_EQ_INT(hdr_params_parse(s, strlen(s), &pp), 0);
	T_EQ_STR(pp.type, "message");
	T_EQ_STR(pp.subtype, "external-body");
	T_EQ_STR(hdr_param_get(&pp, "access-type"), "URL");
	T_EQ_STR(hdr_param_get(&pp, "url"),
	    "ftp://cs.utk.edu/pub/moore/bulk-mailer/bulk-mailer.tar");
	T_EQ_INT(pp.flags & (HDR_P_GAP | HDR_P_JUNK | HDR_P_DUP), 0);
	hdr_params_free(&pp);

	s = "application/x-stuff;\r\n"
	    " title*=us-ascii'en-us'This%20is%20%2A%2A%2Afun%2A%2A%2A";
	T_EQ_INT(hdr_params_parse(s, strlen(s), &pp), 0);
	p = hdr_param_find(&pp, "title");
	T_CHECK(p != NULL);
	if (p != NULL) {
		T_EQ_STR(p->value, "This is ***fun***");
		T_EQ_STR(p->charset, "us-ascii");
		T_EQ_STR(p->lang, "en-us");
	}
	hdr_params_free(&pp);

	s = "application/x-stuff;\r\n"
	    " title*0*=us-ascii'en'This%20is%20even%20more%20;\r\n"
	    " title*1*=%2A%2A%2Afun%2A%2A%2A%20;\r\n"
	    " title*2=\"isn't it!\"";
	T_EQ_INT(hdr_params_parse(s, strlen(s), &pp), 0);
	p = hdr_param_find(&pp, "TITLE");
	T_CHECK(p != NULL);
	if (p != NULL) {
		T_EQ_STR(p->value, "This is even more ***fun*** isn't it!");
		T_EQ_STR(p->lang, "en");
	}
	T_EQ_INT(pp.n, 1);
	hdr_params_free(&pp);
}

static void
params_forms(void)
{
	struct hdr_params	 pp;
	const struct hdr_param	*p;
	const char		*s;

	s = "TEXT/Plain (a comment) ; CHARSET = \"us-ascii\" (c); "
	    "format=flowed";
	T_EQ_INT(hdr_params_parse(s, strlen(s), &pp), 0);
	T_EQ_STR(pp.type, "text");
	T_EQ_STR(pp.subtype, "plain");
	T_EQ_STR(hdr_param_get(&pp, "charset"), "us-ascii");
	T_EQ_STR(hdr_param_get(&pp, "format"), "flowed");
	hdr_params_free(&pp);

	s = "attachment; filename=\"a.txt\"";
	T_EQ_INT(hdr_params_parse(s, strlen(s), &pp), 0);
	T_EQ_STR(pp.type, "attachment");
	T_CHECK(pp.subtype == NULL);
	hdr_params_free(&pp);

	s = "; charset=x";
	T_EQ_INT(hdr_params_parse(s, strlen(s), &pp), 0);
	T_CHECK(pp.type == NULL);
	T_EQ_STR(hdr_param_get(&pp, "charset"), "x");
	hdr_params_free(&pp);

	param_is("attachment; filename=\"=?UTF-8?B?4oKsLnR4dA==?=\"",
	    "filename", "\xe2\x82\xac.txt");
	param_is("attachment; filename==?iso-8859-1?Q?caf=E9?=.txt",
	    "filename", "caf\xc3\xa9.txt");
	param_is("attachment; filename=my file.pdf; size=3", "filename",
	    "my file.pdf");
	param_is("attachment; filename=my file.pdf ; size=3", "size", "3");
	param_is("attachment; filename=a.pdf (comment); size=3", "filename",
	    "a.pdf");
	param_is("attachment; filename*=UTF-8''%E2%82%AC.txt", "filename",
	    "\xe2\x82\xac.txt");
	param_is("attachment; filename*=iso-8859-1''caf%E9.txt", "filename",
	    "caf\xc3\xa9.txt");
	param_is("attachment; filename*=''caf%C3%A9.txt", "filename",
	    "caf\xc3\xa9.txt");
	param_is("attachment; filename*=UTF-8''100%", "filename", "100%");
	param_is("attachment; filename*=\"UTF-8''a%20b\"", "filename", "a b");
	param_is("attachment; filename*=%41b", "filename", "Ab");
	param_is("attachment; filename=\"../../etc/passwd\"", "filename",
	    "../../etc/passwd");
	param_is("attachment; filename=/etc/shadow", "filename",
	    "/etc/shadow");
	param_is("attachment; filename*=UTF-8''..%2F..%2Fx", "filename",
	    "../../x");
	param_is("attachment; filename=\"a\\\"b\\\\c\"", "filename",
	    "a\"b\\c");
	param_is("attachment; filename=\"abc", "filename", "abc");
	param_is("attachment; filename=\"fallback.txt\"; "
	    "filename*=UTF-8''real.txt", "filename", "real.txt");
	param_is("attachment; filename*=UTF-8''real.txt; "
	    "filename=\"fallback.txt\"", "filename", "real.txt");
	param_is("text/plain; ; =x; foo; charset=utf-8", "charset", "utf-8");
	param_is("text/plain; charset=a; charset=b", "charset", "a");
	param_is("text/plain; name=\"x\" junk; charset=c", "charset", "c");
	param_is("text/plain", "charset", NULL);
	param_is("", "charset", NULL);
	param_is("text/plain; charset=\"caf\xe9\"", "charset",
	    "caf\xef\xbf\xbd");
	param_is("x; a*1=\"b\"; a*0=\"a\"; a*2=\"c\"", "a", "abc");
	param_is("x; a*0=\"a\"; a*2=\"c\"", "a", "ac");
	param_is("x; a*1=\"b\"; a*1=\"B\"", "a", "b");
	param_is("x; a*00001=\"z\"", "a", "z");
	param_is("x; a*99999999999999999999=\"z\"", "a", NULL);
	param_is("x; a*b=\"z\"", "a*b", "z");

	/* Flags for the tolerated faults; raw keeps the value as sent. */
	s = "x; a*0=\"a\"; a*2=\"c\"; b=1; b=2; c=\"open";
	T_EQ_INT(hdr_params_parse(s, strlen(s), &pp), 0);
	T_CHECK(pp.flags & HDR_P_GAP);
	T_CHECK(pp.flags & HDR_P_DUP);
	T_CHECK(pp.flags & HDR_P_UNTERM);
	hdr_params_free(&pp);
	s = "multipart/mixed; boundary=\"=?utf-8?q?x?=\"";
	T_EQ_INT(hdr_params_parse(s, strlen(s), &pp), 0);
	p = hdr_param_find(&pp, "boundary");
	T_CHECK(p != NULL && strcmp(p->raw, "=?utf-8?q?x?=") == 0);
	hdr_params_free(&pp);
	s = "x; a*=UTF-8''%00b";
	T_EQ_INT(hdr_params_parse(s, strlen(s), &pp), 0);
	p = hdr_param_find(&pp, "a");
	T_CHECK(p != NULL && p->valuelen == 2 && p->rawlen == 2);
	hdr_params_free(&pp);
}

/* Every prefix and random junk parse without trouble. */
static void
params_hostile(void)
{
	static const char s[] = "multipart/mixed (c (nested) \\) x); "
	    "boundary=\"--=_a\\\"b\"; name*0*=utf-8'en'%E2%82; name*1*=%AC; "
	    "name*2=\".txt\"; filename==?utf-8?q?x?=; n*=x'y'%zz";
	struct hdr_params	pp;
	char			junk[300];
	size_t			i, k;
	int			r;

	for (i = 0; i <= sizeof(s) - 1; i++) {
		T_EQ_INT(hdr_params_parse(s, i, &pp), 0);
		hdr_params_free(&pp);
		T_EQ_INT(hdr_params_parse(s + i, sizeof(s) - 1 - i, &pp), 0);
		hdr_params_free(&pp);
	}
	T_EQ_INT(hdr_params_parse(s, sizeof(s) - 1, &pp), 0);
	T_EQ_STR(hdr_param_get(&pp, "name"), "\xe2\x82\xac.txt");
	T_EQ_STR(hdr_param_get(&pp, "boundary"), "--=_a\"b");
	hdr_params_free(&pp);
	for (r = 0; r < 3000; r++) {
		k = rnd() % sizeof(junk);
		for (i = 0; i < k; i++)
			junk[i] = "a*0=;\"'%()\\ 1\r\n\xe9"[rnd() % 17];
		T_EQ_INT(hdr_params_parse(junk, k, &pp), 0);
		for (i = 0; i < pp.n; i++)
			T_CHECK(pp.v[i].name != NULL && pp.v[i].value != NULL);
		hdr_params_free(&pp);
	}
	/* Many sections: capped, no quadratic blow-up worth noticing. */
	{
		struct mk_buf b;

		buf_init(&b, 0);
		buf_adds(&b, "x");
		for (i = 0; i < 2000; i++)
			buf_printf(&b, "; a*%zu=\"%zu\"", (2000 - i) % 900,
			    i % 10);
		T_EQ_INT(hdr_params_parse((char *)b.p, b.len, &pp), 0);
		T_CHECK(pp.flags & HDR_P_TOOMANY);
		T_CHECK(hdr_param_get(&pp, "a") != NULL);
		hdr_params_free(&pp);
		buf_free(&b);
	}
}

/* Append a parameter to "Content-Type: x/y" and parse it back. */
static void
pe_round(const char *name, const char *value, int flags, const char *want)
{
	struct hdr_params	 pp;
	struct mk_buf		 b;
	size_t			 i, col = 0, n;
	const char		*body;
	char			*u;

	buf_init(&b, 0);
	buf_adds(&b, "Content-Disposition: attachment");
	T_EQ_INT(hdr_param_encode(&b, name, value, flags), 0);
	if (want != NULL)
		T_EQ_STR(buf_str(&b) + 31, want);
	for (i = 0; i < b.len; i++) {
		if (b.p[i] == '\n')
			col = 0;
		else
			T_CHECK(++col <= 76);
	}
	body = buf_str(&b) + 21;
	u = malloc(strlen(body) + 1);
	n = hdr_unfold(body, strlen(body), u);
	T_EQ_INT(hdr_params_parse(u, n, &pp), 0);
	T_EQ_STR(hdr_param_get(&pp, name), value);
	hdr_params_free(&pp);
	free(u);
	buf_free(&b);
}

static void
param_encode(void)
{
	struct mk_buf b;

	pe_round("filename", "report.pdf", 0, "; filename=report.pdf");
	pe_round("filename", "my report.pdf", 0,
	    "; filename=\"my report.pdf\"");
	pe_round("filename", "a\"b", 0, "; filename=\"a\\\"b\"");
	pe_round("filename", "", 0, "; filename=\"\"");
	pe_round("filename", "\xe2\x82\xac.txt", 0,
	    "; filename*=UTF-8''%E2%82%AC.txt");
	pe_round("filename", "\xe2\x82\xac.txt", HDR_PE_ASCII,
	    "; filename=\"_.txt\";\n filename*=UTF-8''%E2%82%AC.txt");
	pe_round("filename", "a'b*c%d", 0, "; filename=a'b*c%d");
	pe_round("filename", "tab\there", 0,
	    "; filename*=UTF-8''tab%09here");
	pe_round("filename", "a-long-file-name-that-does-fit-on-a-line-of-"
	    "its-own.pdf", 0, ";\n filename=a-long-file-name-that-does-fit-on-"
	    "a-line-of-its-own.pdf");
	pe_round("filename", "a-rather-long-file-name-that-does-not-fit-on-"
	    "the-line-with-the-header.pdf", 0,
	    ";\n filename*0*=UTF-8''a-rather-long-file-name-that-does-not-fit-"
	    "on-the-line-w;\n filename*1*=ith-the-header.pdf");
	pe_round("filename", "a-rather-long-file-name-that-does-not-fit-on-"
	    "the-line-with-the-header.pdf", HDR_PE_ASCII,
	    ";\n filename=\"a-rather-long-file-name-that-does-not-fit-on-the-"
	    "line-_ader.pdf\";\n filename*0*=UTF-8''a-rather-long-file-name-"
	    "that-"
	    "does-not-fit-on-the-line-w;\n filename*1*=ith-the-header.pdf");
	pe_round("filename", "\xd0\x9e\xd1\x87\xd0\xb5\xd0\xbd\xd1\x8c "
	    "\xd0\xb4\xd0\xbb\xd0\xb8\xd0\xbd\xd0\xbd\xd0\xbe\xd0\xb5 "
	    "\xd0\xb8\xd0\xbc\xd1\x8f \xd1\x84\xd0\xb0\xd0\xb9\xd0\xbb\xd0"
	    "\xb0.pdf", 0, ";\n filename*0*=UTF-8''%D0%9E%D1%87%D0%B5%D0%BD"
	    "%D1%8C%20%D0%B4%D0%BB%D0%B8;\n filename*1*=%D0%BD%D0%BD%D0%BE"
	    "%D0%B5%20%D0%B8%D0%BC%D1%8F%20%D1%84%D0%B0;\n filename*2*="
	    "%D0%B9%D0%BB%D0%B0.pdf");
	pe_round("name", "x", 0, NULL);
	buf_init(&b, 0);
	T_EQ_INT(hdr_param_encode(&b, "bad*name", "x", 0), -1);
	T_EQ_INT(hdr_param_encode(&b, "", "x", 0), -1);
	T_EQ_INT(hdr_param_encode(&b, "a b", "x", 0), -1);
	buf_free(&b);
}

static void
param_encode_random(void)
{
	static const char *pool[] = {
		"a", "Z", ".", " ", "'", "*", "%", "\"", "\\", ";", "=",
		"\xc3\xa9", "\xe2\x82\xac", "\xf0\x9d\x84\x9e", "long-part-"
	};
	char	s[400];
	size_t	n, k;
	int	r;

	for (r = 0; r < 1000; r++) {
		n = 0;
		s[0] = '\0';
		for (k = rnd() % 80; k > 0; k--) {
			const char *p = pool[rnd() % MK_NELEM(pool)];

			if (n + strlen(p) >= sizeof(s))
				break;
			memcpy(s + n, p, strlen(p) + 1);
			n += strlen(p);
		}
		pe_round("filename", s, r & 1 ? HDR_PE_ASCII : 0, NULL);
	}
}

static void
date(void)
{
	char buf[HDR_DATE_LEN];

	setenv("TZ", "UTC", 1);
	tzset();
	T_EQ_INT(hdr_date(0, buf, sizeof(buf)), 0);
	T_EQ_STR(buf, "Thu, 1 Jan 1970 00:00:00 +0000");
	setenv("TZ", "<+0230>-2:30", 1);
	tzset();
	T_EQ_INT(hdr_date(1700000000, buf, sizeof(buf)), 0);
	T_EQ_STR(buf, "Wed, 15 Nov 2023 00:43:20 +0230");
	setenv("TZ", "<-0330>3:30", 1);
	tzset();
	T_EQ_INT(hdr_date(1700000000, buf, sizeof(buf)), 0);
	T_EQ_STR(buf, "Tue, 14 Nov 2023 18:43:20 -0330");
	T_EQ_INT(hdr_date(1700000000, buf, 10), -1);
	unsetenv("TZ");
	tzset();
}

static void
msgid(void)
{
	char	a[HDR_MSGID_LEN], b[HDR_MSGID_LEN];
	size_t	i;

	T_EQ_INT(hdr_msgid("example.org", a, sizeof(a)), 0);
	T_EQ_INT(hdr_msgid("example.org", b, sizeof(b)), 0);
	T_EQ_INT(strlen(a), 1 + 26 + 1 + 11 + 1);
	T_CHECK(a[0] == '<' && a[27] == '@');
	T_EQ_STR(a + 28, "example.org>");
	for (i = 1; i < 27; i++)
		T_CHECK(strchr("abcdefghijklmnopqrstuvwxyz234567", a[i]));
	T_CHECK(strcmp(a, b) != 0);
	T_EQ_INT(hdr_msgid(NULL, a, sizeof(a)), 0);
	T_CHECK(strchr(a, '@') != NULL && a[strlen(a) - 1] == '>');
	T_EQ_INT(hdr_msgid("a b", a, sizeof(a)), -1);
	T_EQ_INT(hdr_msgid("a..b", a, sizeof(a)), -1);
	T_EQ_INT(hdr_msgid(".a", a, sizeof(a)), -1);
	T_EQ_INT(hdr_msgid("a>", a, sizeof(a)), -1);
	T_EQ_INT(hdr_msgid("", a, sizeof(a)), -1);
	T_EQ_INT(hdr_msgid("example.org", a, 20), -1);
}

int
main(void)
{
	T_RUN(block_basic);
	T_RUN(block_edges);
	T_RUN(block_prefixes);
	T_RUN(parser_events);
	T_RUN(unfold);
	T_RUN(rfc2047_examples);
	T_RUN(rfc2047_edges);
	T_RUN(rfc2047_hostile);
	T_RUN(encode_words);
	T_RUN(encode_random);
	T_RUN(encode_phrase);
	T_RUN(rfc2231_examples);
	T_RUN(params_forms);
	T_RUN(params_hostile);
	T_RUN(param_encode);
	T_RUN(param_encode_random);
	T_RUN(date);
	T_RUN(msgid);
	T_DONE();
}
