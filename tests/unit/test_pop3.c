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

int
main(void)
{
	T_RUN(test_capa);
	T_RUN(test_stat);
	T_RUN(test_uidl);
	T_RUN(test_list);
	T_RUN(test_unstuff);
	T_RUN(test_hostile);
	T_DONE();
}
