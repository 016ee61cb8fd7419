/* test_mk.c: exit codes, error records, strtonum. */
#include <errno.h>
#include <string.h>
#include <sysexits.h>

#include "mk.h"
#include "t.h"

/* mk_utoa: the digits of every width, no NUL written after them. */
static void
utoa(void)
{
	char	d[MK_UTOA_MAX + 1];

	memset(d, 'x', sizeof(d));
	T_EQ_INT(mk_utoa(0, d), 1);
	T_EQ_MEM(d, 2, "0x", 2);
	T_EQ_INT(mk_utoa(9, d), 1);
	T_EQ_INT(mk_utoa(10, d), 2);
	T_EQ_MEM(d, 2, "10", 2);
	T_EQ_INT(mk_utoa(4294967295u, d), 10);
	T_EQ_MEM(d, 10, "4294967295", 10);
	T_EQ_INT(mk_utoa(18446744073709551615ull, d), 20);
	T_EQ_MEM(d, 21, "18446744073709551615x", 21);
}

static void
exitcodes(void)
{
	T_EQ_INT(mk_exitcode(MK_OK), 0);
	T_EQ_INT(mk_exitcode(MK_NOTFOUND), 1);
	T_EQ_INT(mk_exitcode(MK_EUSAGE), 64);
	T_EQ_INT(mk_exitcode(MK_EDATA), 65);
	T_EQ_INT(mk_exitcode(MK_ENOINPUT), 66);
	T_EQ_INT(mk_exitcode(MK_ENOUSER), 67);
	T_EQ_INT(mk_exitcode(MK_EUNAVAIL), 69);
	T_EQ_INT(mk_exitcode(MK_ESOFTWARE), 70);
	T_EQ_INT(mk_exitcode(MK_ECANTCREAT), 73);
	T_EQ_INT(mk_exitcode(MK_EIO), 74);
	T_EQ_INT(mk_exitcode(MK_ETEMP), 75);
	T_EQ_INT(mk_exitcode(MK_EPROTO), 76);
	T_EQ_INT(mk_exitcode(MK_EPERM), 77);
	T_EQ_INT(mk_exitcode(MK_ECONFIG), 78);
	T_EQ_INT(mk_exitcode((enum mk_status)999), EX_SOFTWARE);
}

static void
seterr(void)
{
	struct mk_err e;

	T_EQ_INT(mk_seterr(&e, MK_EPROTO, "reply %d: %s", 3, "short"), -1);
	T_EQ_INT(e.st, MK_EPROTO);
	T_EQ_STR(e.msg, "reply 3: short");
	mk_seterrno(&e, MK_EIO, ENOENT, "open %s", "x");
	T_EQ_STR(e.msg, "open x: No such file or directory");
	T_EQ_INT(mk_seterr(NULL, MK_EIO, "ignored"), -1);
	/* A message may be prefixed with itself as the argument. */
	mk_seterr(&e, MK_EDATA, "bad address");
	mk_seterr(&e, e.st, "%s: %s", "To", e.msg);
	T_EQ_STR(e.msg, "To: bad address");
	T_EQ_INT(e.st, MK_EDATA);
}

static void
seterr_long(void)
{
	struct mk_err	e;
	char		big[1000];

	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	mk_seterr(&e, MK_EDATA, "%s", big);
	T_EQ_INT(strlen(e.msg), sizeof(e.msg) - 1);
	T_EQ_STR(e.msg + sizeof(e.msg) - 4, "...");
	mk_seterrno(&e, MK_EDATA, EACCES, "%s", big);
	T_EQ_STR(e.msg + sizeof(e.msg) - 4, "...");
}

static void
strtonum(void)
{
	const char *es;

	T_EQ_INT(mk_strtonum("42", 1, 100, &es), 42);
	T_CHECK(es == NULL);
	T_EQ_INT(mk_strtonum("-5", -10, 10, &es), -5);
	T_CHECK(es == NULL);
	mk_strtonum("0", 1, 100, &es);
	T_EQ_STR(es, "too small");
	mk_strtonum("101", 1, 100, &es);
	T_EQ_STR(es, "too large");
	mk_strtonum("99999999999999999999999", 1, 100, &es);
	T_EQ_STR(es, "too large");
	mk_strtonum("-99999999999999999999999", 1, 100, &es);
	T_EQ_STR(es, "too small");
	mk_strtonum("12x", 1, 100, &es);
	T_EQ_STR(es, "invalid");
	mk_strtonum("", 1, 100, &es);
	T_EQ_STR(es, "invalid");
	mk_strtonum(NULL, 1, 100, &es);
	T_EQ_STR(es, "invalid");
	mk_strtonum("5", 10, 1, &es);
	T_EQ_STR(es, "invalid");
}

static void
progname(void)
{
	mk_setprogname("/usr/local/bin/mlookup");
	T_EQ_STR(mk_getprogname(), "mlookup");
	mk_setprogname("msend");
	T_EQ_STR(mk_getprogname(), "msend");
	mk_setprogname("");
	T_EQ_STR(mk_getprogname(), "msend");
}

static void
ctl_line(void)
{
	T_CHECK(!mk_has_ctl_line("bob@example.org", 15));
	T_CHECK(mk_has_ctl_line("bob\r\nRCPT TO:<x>", 16));
	T_CHECK(mk_has_ctl_line("a\nb", 3));
	T_CHECK(mk_has_ctl_line("a\0b", 3));
	T_CHECK(!mk_has_ctl_line("a\tb", 3));
}

int
main(void)
{
	T_RUN(exitcodes);
	T_RUN(seterr);
	T_RUN(seterr_long);
	T_RUN(strtonum);
	T_RUN(utoa);
	T_RUN(progname);
	T_RUN(ctl_line);
	T_DONE();
}
