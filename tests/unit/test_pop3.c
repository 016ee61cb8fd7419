/*
 * test_pop3.c: the pure POP3 parsers (CAPA, STAT, UIDL, LIST, dot
 * unstuffing).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pop3.h"
#include "t.h"

#define S(s)	(s), strlen(s)

static void
test_capa(void)
{
	const char *h =
	    "+OK Dovecot ready.\r\n"
	    "+OK\r\nCAPA\r\nTOP\r\nUIDL\r\nPIPELINING\r\nSTLS\r\n"
	    "USER\r\nSASL PLAIN LOGIN\r\n.\r\n"
	    "+OK Begin TLS negotiation now.\r\n"
	    "+OK\r\nUIDL\r\npipelining\r\nUSER\r\n.\r\n"
	    "+ \r\n+OK Logged in.\r\n";
	int caps;

	caps = pop3_capa_parse(S(h));
	/* The list after STLS wins: no TOP, no STLS there. */
	T_EQ_INT(caps, POP3_CAP_UIDL | POP3_CAP_PIPELINING | POP3_CAP_USER);
	T_EQ_INT(pop3_capa_parse(S("+OK hello\r\n")), 0);
	/* An unterminated list counts for nothing. */
	T_EQ_INT(pop3_capa_parse(S("+OK\r\nPIPELINING\r\n")), 0);
	/* Bare LF and a -ERR to CAPA. */
	T_EQ_INT(pop3_capa_parse(S("+OK\nTOP\n.\n-ERR no\n")), POP3_CAP_TOP);
	T_EQ_INT(pop3_capa_parse(S("+OK\r\nPIPELININGX\r\nTO\r\n.\r\n")), 0);
}

static void
test_stat(void)
{
	unsigned long		c;
	unsigned long long	sz;

	T_EQ_INT(pop3_stat_parse(S("+OK 2 320"), &c, &sz), 0);
	T_EQ_INT(c, 2);
	T_EQ_INT(sz, 320);
	T_EQ_INT(pop3_stat_parse(S("+OK 0 0 extra"), &c, &sz), 0);
	T_EQ_INT(pop3_stat_parse(S("+OK 2"), &c, &sz), -1);
	T_EQ_INT(pop3_stat_parse(S("-ERR 2 3"), &c, &sz), -1);
	T_EQ_INT(pop3_stat_parse(S("+OK x 3"), &c, &sz), -1);
	T_EQ_INT(pop3_stat_parse(S("+OK 2 3x"), &c, &sz), -1);
	T_EQ_INT(pop3_stat_parse(S("+OK 99999999999999999999 3"), &c, &sz),
	    -1);
}

static void
test_uidl(void)
{
	unsigned long	num;
	char		uid[POP3_UIDMAX + 1], big[100];

	T_EQ_INT(pop3_uidl_parse(S("1 000000016b0aedc6"), &num, uid), 0);
	T_EQ_INT(num, 1);
	T_EQ_STR(uid, "000000016b0aedc6");
	T_EQ_INT(pop3_uidl_parse(S("12 a~b! "), &num, uid), 0);
	T_EQ_STR(uid, "a~b!");
	T_EQ_INT(pop3_uidl_parse(S("0 abc"), &num, uid), -1);
	T_EQ_INT(pop3_uidl_parse(S("1 "), &num, uid), -1);
	T_EQ_INT(pop3_uidl_parse(S("1 a b"), &num, uid), -1);
	T_EQ_INT(pop3_uidl_parse(S("1 a\tb"), &num, uid), -1);
	T_EQ_INT(pop3_uidl_parse("1 a\0b", 5, &num, uid), -1);
	T_EQ_INT(pop3_uidl_parse(S("x abc"), &num, uid), -1);
	memset(big, 'u', sizeof(big));
	memcpy(big, "1 ", 2);
	T_EQ_INT(pop3_uidl_parse(big, 2 + POP3_UIDMAX, &num, uid), 0);
	T_EQ_INT(strlen(uid), POP3_UIDMAX);
	T_EQ_INT(pop3_uidl_parse(big, 3 + POP3_UIDMAX, &num, uid), -1);
}

static void
test_list(void)
{
	unsigned long		num;
	unsigned long long	sz;

	T_EQ_INT(pop3_list_parse(S("3 1200"), &num, &sz), 0);
	T_EQ_INT(num, 3);
	T_EQ_INT(sz, 1200);
	T_EQ_INT(pop3_list_parse(S("3 1200 more text"), &num, &sz), 0);
	T_EQ_INT(pop3_list_parse(S("3"), &num, &sz), -1);
	T_EQ_INT(pop3_list_parse(S("3 "), &num, &sz), -1);
	T_EQ_INT(pop3_list_parse(S("3 12a"), &num, &sz), -1);
	T_EQ_INT(pop3_list_parse(S(" 3 12"), &num, &sz), -1);
}

static void
test_unstuff(void)
{
	const char	*o;
	size_t		 n;

	T_EQ_INT(pop3_data_unstuff(S("."), &o, &n), 1);
	T_EQ_INT(pop3_data_unstuff(S(".."), &o, &n), 0);
	T_EQ_MEM(o, n, ".", 1);
	T_EQ_INT(pop3_data_unstuff(S("..x"), &o, &n), 0);
	T_EQ_MEM(o, n, ".x", 2);
	T_EQ_INT(pop3_data_unstuff(S("From x"), &o, &n), 0);
	T_EQ_MEM(o, n, "From x", 6);
	T_EQ_INT(pop3_data_unstuff(S(""), &o, &n), 0);
	T_EQ_INT(n, 0);
	/* RFC 1939 allows ".x" unstuffed as "x". */
	T_EQ_INT(pop3_data_unstuff(S(".x"), &o, &n), 0);
	T_EQ_MEM(o, n, "x", 1);
}

/* Every prefix and suffix of valid input parses or fails, never crashes. */
static void
test_hostile(void)
{
	const char		*good[] = { "1 000000016b0aedc6", "3 1200",
				    "+OK 2 320" };
	unsigned long		 num, c;
	unsigned long long	 sz;
	char			 uid[POP3_UIDMAX + 1], *p;
	size_t			 i, k, n;

	for (i = 0; i < MK_NELEM(good); i++) {
		n = strlen(good[i]);
		for (k = 0; k <= n; k++) {
			/* Copies, so that ASan sees any read past len. */
			p = malloc(k + 1);
			memcpy(p, good[i], k);
			(void)pop3_uidl_parse(p, k, &num, uid);
			(void)pop3_list_parse(p, k, &num, &sz);
			(void)pop3_stat_parse(p, k, &c, &sz);
			(void)pop3_capa_parse(p, k);
			free(p);
			p = malloc(n - k + 1);
			memcpy(p, good[i] + k, n - k);
			(void)pop3_uidl_parse(p, n - k, &num, uid);
			(void)pop3_list_parse(p, n - k, &num, &sz);
			(void)pop3_stat_parse(p, n - k, &c, &sz);
			(void)pop3_capa_parse(p, n - k);
			free(p);
		}
	}
	T_CHECK(1);
}

/* The identity of a message on a server without UIDL. */
static void
test_hdr_uid(void)
{
	const char	*h = "Subject: x\r\nFrom: a@b\r\n\r\n";
	char		 u1[POP3_UIDMAX + 1], u2[POP3_UIDMAX + 1];

	pop3_hdr_uid(S(h), 1234, u1);
	/* printf '1234\nSubject: x\r\nFrom: a@b\r\n\r\n' | sha256sum */
	T_EQ_STR(u1, "sha256:48fe5814d70e212f3a1b5c910608049d4612926420fa92e3");
	T_EQ_INT(strlen(u1), 7 + POP3_HDRUID_HEX);
	/* The size counts, and so does every byte of the header. */
	pop3_hdr_uid(S(h), 1235, u2);
	T_CHECK(strcmp(u1, u2) != 0);
	pop3_hdr_uid(h, strlen(h) - 1, 1234, u2);
	T_CHECK(strcmp(u1, u2) != 0);
	pop3_hdr_uid(NULL, 0, 0, u2);
	T_EQ_INT(strncmp(u2, "sha256:", 7), 0);
}

static void
test_disambiguate(void)
{
	struct pop3_msg	m[5];
	size_t		i;

	memset(m, 0, sizeof(m));
	for (i = 0; i < 5; i++)
		m[i].num = (unsigned long)(5 - i);	/* not in order */
	snprintf(m[0].uid, sizeof(m[0].uid), "sha256:aa");	/* num 5 */
	snprintf(m[1].uid, sizeof(m[1].uid), "sha256:bb");	/* num 4 */
	snprintf(m[2].uid, sizeof(m[2].uid), "sha256:aa");	/* num 3 */
	snprintf(m[3].uid, sizeof(m[3].uid), "sha256:aa");	/* num 2 */
	T_EQ_INT(pop3_uids_disambiguate(m, 5), 2);
	T_EQ_STR(m[3].uid, "sha256:aa");
	T_EQ_STR(m[2].uid, "sha256:aa+2");
	T_EQ_STR(m[0].uid, "sha256:aa+3");
	T_EQ_STR(m[1].uid, "sha256:bb");
	T_EQ_STR(m[4].uid, "");
	T_EQ_INT(pop3_uids_disambiguate(m, 5), 0);
	T_EQ_INT(pop3_uids_disambiguate(m, 1), 0);
}

static void
test_received(void)
{
	char	out[512], small[40];
	time_t	t = 1700000000;
	int	n;

	setenv("TZ", "UTC", 1);
	tzset();
	n = pop3_received_format(out, sizeof(out), "pop.example.org",
	    "host/x y", t, "\r\n");
	T_EQ_STR(out, "Received: from pop.example.org by host_x_y with POP3 "
	    "(mkit mpop " MK_VERSION ");\r\n\tTue, 14 Nov 2023 22:13:20 "
	    "+0000\r\n");
	T_EQ_INT(n, strlen(out));
	n = pop3_received_format(out, sizeof(out), NULL, "[::1]\r\nX: y", t,
	    "\n");
	T_EQ_STR(out, "Received: from unknown by [::1]__X:_y with POP3 "
	    "(mkit mpop " MK_VERSION ");\n\tTue, 14 Nov 2023 22:13:20 "
	    "+0000\n");
	T_EQ_INT(pop3_received_format(small, sizeof(small), "a", "b", t,
	    "\n"), -1);
}

int
main(void)
{
	T_RUN(test_capa);
	T_RUN(test_stat);
	T_RUN(test_uidl);
	T_RUN(test_list);
	T_RUN(test_unstuff);
	T_RUN(test_hostile);
	T_RUN(test_hdr_uid);
	T_RUN(test_disambiguate);
	T_RUN(test_received);
	T_DONE();
}
