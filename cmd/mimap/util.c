/*
 * util.c: what mimap's commands share: messages, output, UID lists and
 * sets, flag names, UID SEARCH, and INTERNALDATE.
 */
#include <ctype.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sysexits.h>
#include <time.h>

#include "buf.h"
#include "imap.h"
#include "mk.h"

#include "mimap.h"

/* Report e about what, return its exit code. */
int
fail_e(const char *what, const struct mk_err *e)
{
	if (what != NULL)
		mk_warn("%s: %s", what, e->msg);
	else
		mk_warn("%s: %s", cmdname, e->msg);
	return mk_exitcode(e->st);
}

int
out_flush(void)
{
	if (fflush(stdout) == EOF || ferror(stdout)) {
		mk_warn("write standard output:");
		return EX_IOERR;
	}
	return 0;
}

/* Server text for a line of output: controls and tabs become spaces. */
void
put_clean(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		putchar(((unsigned char)s[i] < 0x20 || s[i] == 0x7f) ? ' ' :
		    s[i]);
}

int
cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

/* UIDs from argv (each 1..2^32-1); 64 on a bad one. */
int
parse_uids(char **av, int n, uint32_t **uids, size_t *nuids)
{
	const char	*errstr;
	long long	 v;
	int		 i;

	*uids = mk_xmalloc(((size_t)n + 1) * sizeof(**uids));
	*nuids = 0;
	for (i = 0; i < n; i++) {
		v = mk_strtonum(av[i], 1, UINT32_MAX, &errstr);
		if (errstr != NULL) {
			mk_warn("%s: UID %s: %s", cmdname, av[i], errstr);
			return EX_USAGE;
		}
		(*uids)[(*nuids)++] = (uint32_t)v;
	}
	return 0;
}

/* A sequence set for sorted-or-not UIDs: "1:3,7". */
int
set_text(const uint32_t *u, size_t n, struct mk_buf *b)
{
	uint32_t	*s;
	size_t		 i, j;

	s = mk_xmalloc((n ? n : 1) * sizeof(*s));
	if (n > 0) {
		memcpy(s, u, n * sizeof(*s));
		qsort(s, n, sizeof(*s), cmp_u32);
	}
	for (i = 0; i < n; i = j) {
		for (j = i + 1; j < n && s[j] <= s[j - 1] + 1; j++)
			;
		if (buf_printf(b, i ? ",%u" : "%u", s[i]) == -1 ||
		    (s[j - 1] != s[i] && buf_printf(b, ":%u", s[j - 1]) == -1)) {
			free(s);
			return -1;
		}
	}
	free(s);
	return 0;
}

/* seen, flagged, ... or a keyword, as an IMAP flag appended to b. */
int
flag_word(const char *w, struct mk_buf *b)
{
	static const char *const sys[] = {
		"seen", "flagged", "answered", "deleted", "draft"
	};
	size_t	i;

	if (*w == '\\')
		w++;
	if (b->len > 0)
		buf_addc(b, ' ');
	for (i = 0; i < MK_NELEM(sys); i++)
		if (strcasecmp(w, sys[i]) == 0) {
			buf_printf(b, "\\%c%s", toupper((unsigned char)*w),
			    sys[i] + 1);
			return 0;
		}
	if (*w == '\0')
		return -1;
	for (i = 0; w[i] != '\0'; i++)
		if ((unsigned char)w[i] <= 0x20 || (unsigned char)w[i] >= 0x7f ||
		    strchr("(){%*\"\\]", w[i]) != NULL)
			return -1;
	buf_adds(b, w);
	return 0;
}

/* ---- search ---- */

static int
search_cb(void *arg, const struct imap_resp *r, struct mk_err *e)
{
	struct uidlist *ul = arg;

	if (imap_search_parse(r, &ul->u, &ul->n, &ul->cap, UIDMAX) == -1)
		return mk_seterr(e, MK_EPROTO, "malformed SEARCH reply");
	return 0;
}

/* UID SEARCH with words as criteria; sorted UIDs into ul. */
int
uid_search(struct imap *s, char **words, int n, struct uidlist *ul,
    struct mk_err *e)
{
	struct imap_cmd	c, args;
	int		i, utf8 = 0, rc;

	imap_cmd_init(&args);
	for (i = 0; i < n; i++) {
		imap_cmd_add(&args, i ? " " : "");
		imap_cmd_search_arg(&args, words[i], &utf8);
	}
	imap_cmd_init(&c);
	imap_cmd_add(&c, "UID SEARCH %s", utf8 ? "CHARSET UTF-8 " : "");
	/* Splice args' text and literals in after the prefix. */
	for (i = 0; i < (int)args.nlit; i++)
		args.litat[i] += c.text.len;
	buf_add(&c.text, args.text.p, args.text.len);
	buf_add(&c.lits, args.lits.p, args.lits.len);
	memcpy(c.litlen, args.litlen, sizeof(c.litlen));
	memcpy(c.litat, args.litat, sizeof(c.litat));
	c.nlit = args.nlit;
	if (args.err.st != MK_OK)
		c.err = args.err;
	imap_cmd_free(&args);
	rc = imap_run(s, &c, search_cb, ul, NULL, NULL, e);
	imap_cmd_free(&c);
	if (rc == 0 && ul->n > 0)
		qsort(ul->u, ul->n, sizeof(*ul->u), cmp_u32);
	return rc;
}

/*
 * INTERNALDATE "17-Jul-1996 02:44:25 -0700" (untrusted) into tm (local
 * to the sender) and its zone offset in seconds.
 */
int
date_parse(const char *s, size_t n, struct tm *tm, long *off)
{
	static const char mon[] = "JanFebMarAprMayJunJulAugSepOctNovDec";
	const char	*p = s, *end = s + n;
	int		 i, v[6], k;

	memset(tm, 0, sizeof(*tm));
	if (n < 25 || n > 26)
		return -1;
	if (*p == ' ')
		p++;
	for (v[0] = 0; p < end && isdigit((unsigned char)*p); p++)
		v[0] = v[0] * 10 + (*p - '0');
	if (end - p < 22 || *p++ != '-')
		return -1;
	for (i = 0; i < 12 && strncmp(mon + 3 * i, p, 3) != 0; i++)
		;
	if (i == 12 || p[3] != '-' || p[8] != ' ' || p[11] != ':' ||
	    p[14] != ':' || p[17] != ' ' || (p[18] != '+' && p[18] != '-'))
		return -1;
	v[1] = (p[4] - '0') * 1000 + (p[5] - '0') * 100 + (p[6] - '0') * 10 +
	    (p[7] - '0');
	v[2] = (p[9] - '0') * 10 + (p[10] - '0');
	v[3] = (p[12] - '0') * 10 + (p[13] - '0');
	v[4] = (p[15] - '0') * 10 + (p[16] - '0');
	v[5] = ((p[19] - '0') * 10 + (p[20] - '0')) * 3600 +
	    ((p[21] - '0') * 10 + (p[22] - '0')) * 60;
	for (k = 4; k <= 22; k++)
		if (k != 8 && k != 11 && k != 14 && k != 17 && k != 18 &&
		    !isdigit((unsigned char)p[k]))
			return -1;
	if (v[0] < 1 || v[0] > 31 || v[2] > 23 || v[3] > 59 || v[4] > 60)
		return -1;
	tm->tm_mday = v[0];
	tm->tm_mon = i;
	tm->tm_year = v[1] - 1900;
	tm->tm_hour = v[2];
	tm->tm_min = v[3];
	tm->tm_sec = v[4];
	*off = p[18] == '-' ? -v[5] : v[5];
	return 0;
}

/* INTERNALDATE as "1996-07-17T02:44:25-07:00". */
int
date_iso(const char *s, size_t n, char *out, size_t osz)
{
	struct tm	tm;
	long		off;

	if (date_parse(s, n, &tm, &off) == -1)
		return -1;
	(void)snprintf(out, osz, "%04d-%02d-%02dT%02d:%02d:%02d%c%02d:%02d",
	    (tm.tm_year + 1900) % 10000, (tm.tm_mon + 1) % 100,
	    tm.tm_mday % 100, tm.tm_hour % 100, tm.tm_min % 100,
	    tm.tm_sec % 100, off < 0 ? '-' : '+', (int)(labs(off) / 3600 % 100),
	    (int)(labs(off) % 3600 / 60));
	return 0;
}

