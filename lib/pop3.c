/*
 * pop3.c: POP3 commands and replies over a session libcurl logged in.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "buf.h"
#include "conn.h"
#include "pop3.h"
#include "sha256.h"

struct pop3 {
	struct conn	*c;		/* owned */
	int		 caps;		/* POP3_CAP_* */
	struct mk_buf	 cmds;		/* pipelined commands to send */
};

static int	capa_word(const char *, size_t);
static int	num_parse(const char *, size_t, size_t *,
		    unsigned long long *);
static int	reply(struct pop3 *, const char *, struct mk_err *);
static int	listing(struct pop3 *, int (*)(void *, const char *, size_t),
		    void *, struct mk_err *);
static int	list_line(void *, const char *, size_t);
static int	uidl_line(void *, const char *, size_t);
static int	msg_cmp(const void *, const void *);
static int	body(struct pop3 *, const struct pop3_sink *,
		    struct mk_err *);
static int	pipeline(struct pop3 *, const char *,
		    const unsigned long *, size_t, long,
		    const struct pop3_sink *, struct mk_err *);
static void	hdr_uid_start(struct sha256 *, unsigned long long);
static void	hdr_uid_finish(struct sha256 *, char *);
static int	uid_idx_cmp(const void *, const void *);
static void	host_clean(char *, size_t, const char *);
static int	hs_begin(void *, size_t, struct mk_err *);
static int	hs_data(void *, const void *, size_t, struct mk_err *);
static int	hs_end(void *, struct mk_err *);

/* The POP3_CAP_* bit of a capability line's first word, or 0. */
static int
capa_word(const char *l, size_t n)
{
	static const struct {
		const char	*name;
		int		 bit;
	} caps[] = {
		{ "PIPELINING",	POP3_CAP_PIPELINING },
		{ "UIDL",	POP3_CAP_UIDL },
		{ "TOP",	POP3_CAP_TOP },
		{ "USER",	POP3_CAP_USER },
		{ "SASL",	POP3_CAP_SASL },
		{ "STLS",	POP3_CAP_STLS },
		{ "RESP-CODES",	POP3_CAP_RESPCODES }
	};
	const char	*sp = memchr(l, ' ', n);
	size_t		 k = sp != NULL ? (size_t)(sp - l) : n, i;

	for (i = 0; i < MK_NELEM(caps); i++)
		if (k == strlen(caps[i].name) &&
		    strncasecmp(l, caps[i].name, k) == 0)
			return caps[i].bit;
	return 0;
}

int
pop3_capa_parse(const char *heard, size_t len)
{
	const char	*l, *nl;
	size_t		 off = 0, n;
	int		 caps = 0, pending = 0, inlist = 0;

	/*
	 * During login only CAPA has a multi-line reply: the lines between
	 * a "+OK" and a lone "." are a capability list.
	 */
	while (off < len) {
		l = heard + off;
		nl = memchr(l, '\n', len - off);
		n = nl != NULL ? (size_t)(nl - l) : len - off;
		off += n + (nl != NULL);
		if (n > 0 && l[n - 1] == '\r')
			n--;
		if (n == 1 && l[0] == '.') {
			if (inlist)
				caps = pending;
			inlist = 0;
		} else if (n >= 3 && memcmp(l, "+OK", 3) == 0) {
			inlist = 1;
			pending = 0;
		} else if (n >= 4 && memcmp(l, "-ERR", 4) == 0) {
			inlist = 0;
		} else if (inlist)
			pending |= capa_word(l, n);
	}
	return caps;
}

/* A decimal number at l[*i..n), at most 20 digits; *i moves past it. */
static int
num_parse(const char *l, size_t n, size_t *i, unsigned long long *v)
{
	size_t start = *i;

	*v = 0;
	while (*i < n && l[*i] >= '0' && l[*i] <= '9') {
		if (*i - start >= 19)
			return -1;
		*v = *v * 10 + (unsigned long long)(l[*i] - '0');
		(*i)++;
	}
	return *i > start ? 0 : -1;
}

int
pop3_stat_parse(const char *l, size_t n, unsigned long *count,
    unsigned long long *size)
{
	unsigned long long	c;
	size_t			i = 4;

	if (n < 4 || memcmp(l, "+OK ", 4) != 0 ||
	    num_parse(l, n, &i, &c) == -1 || c > 0xffffffffUL ||
	    i >= n || l[i++] != ' ' || num_parse(l, n, &i, size) == -1 ||
	    (i < n && l[i] != ' '))
		return -1;
	*count = (unsigned long)c;
	return 0;
}

int
pop3_uidl_parse(const char *l, size_t n, unsigned long *num,
    char uid[POP3_UIDMAX + 1])
{
	unsigned long long	v;
	size_t			i = 0, start, k;

	if (num_parse(l, n, &i, &v) == -1 || v == 0 || v > 0xffffffffUL ||
	    i >= n || l[i++] != ' ')
		return -1;
	start = i;
	while (i < n && l[i] > 0x20 && l[i] < 0x7f)
		i++;
	k = i - start;
	if (k == 0 || k > POP3_UIDMAX)
		return -1;
	while (i < n && l[i] == ' ')
		i++;
	if (i != n)
		return -1;
	memcpy(uid, l + start, k);
	uid[k] = '\0';
	*num = (unsigned long)v;
	return 0;
}

int
pop3_list_parse(const char *l, size_t n, unsigned long *num,
    unsigned long long *size)
{
	unsigned long long	v;
	size_t			i = 0;

	/* RFC 1939 5: more text may follow the size. */
	if (num_parse(l, n, &i, &v) == -1 || v == 0 || v > 0xffffffffUL ||
	    i >= n || l[i++] != ' ' || num_parse(l, n, &i, size) == -1 ||
	    (i < n && l[i] != ' '))
		return -1;
	*num = (unsigned long)v;
	return 0;
}

int
pop3_data_unstuff(const char *l, size_t n, const char **out, size_t *outlen)
{
	if (n == 1 && l[0] == '.')
		return 1;
	if (n > 0 && l[0] == '.') {
		l++;
		n--;
	}
	*out = l;
	*outlen = n;
	return 0;
}

struct pop3 *
pop3_open(const struct mcurl_params *mp, struct mk_err *e)
{
	struct pop3	*p;
	const char	*heard;
	size_t		 len;

	if ((p = calloc(1, sizeof(*p))) == NULL) {
		mk_seterr(e, MK_ESOFTWARE, "out of memory");
		return NULL;
	}
	buf_init(&p->cmds, 0);
	if ((p->c = conn_open(mp, e)) == NULL) {
		pop3_close(p);
		return NULL;
	}
	heard = conn_heard(p->c, &len);
	p->caps = pop3_capa_parse(heard, len);
	return p;
}

void
pop3_close(struct pop3 *p)
{
	if (p == NULL)
		return;
	conn_close(p->c);
	buf_free(&p->cmds);
	free(p);
}

int
pop3_caps(const struct pop3 *p)
{
	return p->caps;
}

/* Read one status line; 0 for +OK, else -1 with e set (what says it). */
static int
reply(struct pop3 *p, const char *what, struct mk_err *e)
{
	const char	*l;
	size_t		 n, i;
	enum mk_status	 st;
	char		 safe[128];

	if (conn_line(p->c, 0, &l, &n, e) == -1)
		return -1;
	if ((st = mcurl_pop3_reply_status(l, n)) == MK_OK)
		return 0;
	/* The server's words, printable ASCII only, for the message. */
	for (i = 0; i < n && i < sizeof(safe) - 1; i++)
		safe[i] = l[i] < 0x20 || l[i] >= 0x7f ? '?' : l[i];
	safe[i] = '\0';
	return mk_seterr(e, st, "%s: %s", what, st == MK_EPROTO ?
	    "malformed reply" : safe);
}

/* The lines of a multi-line listing up to ".", each handed to fn. */
static int
listing(struct pop3 *p, int (*fn)(void *, const char *, size_t), void *arg,
    struct mk_err *e)
{
	const char	*l, *u;
	size_t		 n, un;

	for (;;) {
		if (conn_line(p->c, 0, &l, &n, e) == -1)
			return -1;
		if (pop3_data_unstuff(l, n, &u, &un) == 1)
			return 0;
		if (fn(arg, u, un) == -1)
			return mk_seterr(e, MK_EPROTO, "malformed listing "
			    "line from the server");
	}
}

struct scan {
	struct pop3_msg	*v;
	size_t		 n, cap;
};

static int
list_line(void *arg, const char *l, size_t n)
{
	struct scan	*s = arg;
	struct pop3_msg	*nv;
	size_t		 ncap;

	if (s->n == s->cap) {
		ncap = s->cap ? s->cap * 2 : 64;
		if ((nv = reallocarray(s->v, ncap, sizeof(*nv))) == NULL)
			return -1;
		s->v = nv;
		s->cap = ncap;
	}
	memset(&s->v[s->n], 0, sizeof(s->v[s->n]));
	if (pop3_list_parse(l, n, &s->v[s->n].num, &s->v[s->n].size) == -1)
		return -1;
	s->n++;
	return 0;
}

static int
msg_cmp(const void *a, const void *b)
{
	const struct pop3_msg *x = a, *y = b;

	return x->num < y->num ? -1 : x->num > y->num;
}

static int
uidl_line(void *arg, const char *l, size_t n)
{
	struct scan	*s = arg;
	struct pop3_msg	 key, *m;
	char		 uid[POP3_UIDMAX + 1];

	if (pop3_uidl_parse(l, n, &key.num, uid) == -1)
		return -1;
	/* A message LIST did not show (just expunged): ignore it. */
	if (s->n > 0 && (m = bsearch(&key, s->v, s->n, sizeof(*s->v),
	    msg_cmp)) != NULL)
		memcpy(m->uid, uid, sizeof(uid));
	return 0;
}

int
pop3_scan(struct pop3 *p, int uids, struct pop3_msg **msgs, size_t *n,
    struct mk_err *e)
{
	struct scan	s = { NULL, 0, 0 };
	int		rc = -1;

	*msgs = NULL;
	*n = 0;
	if (uids && (p->caps & POP3_CAP_PIPELINING)) {
		if (conn_send_lines(p->c, "LIST\r\nUIDL\r\n", 12, e) == -1)
			goto out;
	} else if (conn_cmd(p->c, e, "LIST") == -1)
		goto out;
	if (reply(p, "LIST", e) == -1 || listing(p, list_line, &s, e) == -1)
		goto out;
	if (s.n > 0)
		qsort(s.v, s.n, sizeof(*s.v), msg_cmp);
	if (uids) {
		if (!(p->caps & POP3_CAP_PIPELINING) &&
		    conn_cmd(p->c, e, "UIDL") == -1)
			goto out;
		if (reply(p, "UIDL", e) == -1) {
			/* No UIDL on this server: the caller falls back. */
			if (e->st != MK_EUNAVAIL)
				goto out;
		} else if (listing(p, uidl_line, &s, e) == -1)
			goto out;
	}
	*msgs = s.v;
	*n = s.n;
	s.v = NULL;
	rc = 0;
out:
	free(s.v);
	return rc;
}

/* A multi-line message body after its +OK, handed to the sink. */
static int
body(struct pop3 *p, const struct pop3_sink *s, struct mk_err *e)
{
	const char	*l, *u;
	size_t		 n, un, term;

	for (;;) {
		if (conn_line(p->c, 1, &l, &n, e) == -1)
			return -1;
		if (pop3_data_unstuff(l, n, &u, &un) == 1)
			return s->end(s->arg, e);
		/*
		 * conn_line() keeps the terminator in its buffer right after
		 * the line: hand it on as the server sent it (CRLF or LF).
		 */
		term = l[n] == '\r' ? 2 : 1;
		if (s->data(s->arg, u, un + term, e) == -1)
			return -1;
	}
}

/*
 * Send "VERB num[ top]" for each of nums, at most a window ahead of the
 * replies read (RFC 2449 6.6: with PIPELINING, many at once), and read
 * each reply (and with a sink, the message after it) in order.
 */
static int
pipeline(struct pop3 *p, const char *verb, const unsigned long *nums,
    size_t n, long top, const struct pop3_sink *s, struct mk_err *e)
{
	size_t	window = (p->caps & POP3_CAP_PIPELINING) ? POP3_WINDOW : 1;
	size_t	sent = 0, done = 0;
	int	rc;

	while (done < n) {
		buf_reset(&p->cmds);
		while (sent < n && sent - done < window) {
			if (top >= 0)
				rc = buf_printf(&p->cmds, "%s %lu %ld\r\n", verb,
				    nums[sent], top);
			else
				rc = buf_printf(&p->cmds, "%s %lu\r\n", verb,
				    nums[sent]);
			if (rc == -1)
				return mk_seterr(e, MK_ESOFTWARE,
				    "out of memory");
			sent++;
		}
		if (p->cmds.len > 0 &&
		    conn_send_lines(p->c, p->cmds.p, p->cmds.len, e) == -1)
			return -1;
		/* Read half a window, then top it up again. */
		do {
			if (reply(p, verb, e) == -1)
				return -1;
			if (s != NULL && (s->begin(s->arg, done, e) == -1 ||
			    body(p, s, e) == -1))
				return -1;
			/*
			 * A message arrived whole: the next one has the whole
			 * timeout again (a long run is no failure, a server
			 * that trickles is).
			 */
			if (s != NULL)
				conn_renew(p->c);
			done++;
		} while (done < n && (sent == n || sent - done > window / 2));
	}
	return 0;
}

int
pop3_fetch(struct pop3 *p, const unsigned long *nums, size_t n, long top,
    const struct pop3_sink *s, struct mk_err *e)
{
	return pipeline(p, top >= 0 ? "TOP" : "RETR", nums, n, top, s, e);
}

int
pop3_dele(struct pop3 *p, const unsigned long *nums, size_t n,
    struct mk_err *e)
{
	return pipeline(p, "DELE", nums, n, -1, NULL, e);
}

int
pop3_quit(struct pop3 *p, struct mk_err *e)
{
	if (conn_cmd(p->c, e, "QUIT") == -1)
		return -1;
	return reply(p, "QUIT", e);
}

/* The hash of a header identity starts with the size and a LF. */
static void
hdr_uid_start(struct sha256 *c, unsigned long long size)
{
	char	num[32];
	int	k;

	sha256_init(c);
	k = snprintf(num, sizeof(num), "%llu\n", size);
	sha256_update(c, num, (size_t)k);
}

static void
hdr_uid_finish(struct sha256 *c, char *uid)
{
	static const char	 hex[] = "0123456789abcdef";
	uint8_t			 md[SHA256_LEN];
	size_t			 o = sizeof(POP3_HDRUID_PREFIX) - 1, i;

	sha256_final(c, md);
	memcpy(uid, POP3_HDRUID_PREFIX, o);
	for (i = 0; i < POP3_HDRUID_HEX / 2; i++) {
		uid[o++] = hex[md[i] >> 4];
		uid[o++] = hex[md[i] & 0xf];
	}
	uid[o] = '\0';
}

void
pop3_hdr_uid(const void *hdr, size_t len, unsigned long long size,
    char uid[POP3_UIDMAX + 1])
{
	struct sha256 c;

	hdr_uid_start(&c, size);
	sha256_update(&c, hdr, len);
	hdr_uid_finish(&c, uid);
}

static const struct pop3_msg *uid_base;

/* Indexes into uid_base: by uid, then by message number. */
static int
uid_idx_cmp(const void *a, const void *b)
{
	const struct pop3_msg	*x = &uid_base[*(const size_t *)a];
	const struct pop3_msg	*y = &uid_base[*(const size_t *)b];
	int			 c = strcmp(x->uid, y->uid);

	if (c != 0)
		return c;
	return x->num < y->num ? -1 : x->num > y->num;
}

size_t
pop3_uids_disambiguate(struct pop3_msg *msgs, size_t n)
{
	size_t	*ix, i, g = 0, changed = 0, len;

	if (n < 2 || (ix = calloc(n, sizeof(*ix))) == NULL)
		return 0;
	for (i = 0; i < n; i++)
		ix[i] = i;
	uid_base = msgs;
	qsort(ix, n, sizeof(*ix), uid_idx_cmp);
	uid_base = NULL;
	/*
	 * Two messages with the same headers and size (the same message
	 * delivered twice) are told apart by their order: the second is
	 * "+2".  The first of a group (ix[g]) keeps its uid, so the others
	 * compare against it.
	 */
	for (i = 1; i < n; i++) {
		if (msgs[ix[i]].uid[0] == '\0' ||
		    strcmp(msgs[ix[i]].uid, msgs[ix[g]].uid) != 0) {
			g = i;
			continue;
		}
		len = strlen(msgs[ix[i]].uid);
		snprintf(msgs[ix[i]].uid + len, sizeof(msgs[ix[i]].uid) - len,
		    "+%zu", i - g + 1);
		changed++;
	}
	free(ix);
	return changed;
}

/* A host name as a Received: header may show it. */
static void
host_clean(char *out, size_t size, const char *h)
{
	size_t i;

	if (h == NULL || h[0] == '\0')
		h = "unknown";
	for (i = 0; h[i] != '\0' && i < size - 1; i++)
		out[i] = (h[i] >= 'a' && h[i] <= 'z') ||
		    (h[i] >= 'A' && h[i] <= 'Z') ||
		    (h[i] >= '0' && h[i] <= '9') ||
		    strchr(".:_[]-", h[i]) != NULL ? h[i] : '_';
	out[i] = '\0';
}

int
pop3_received_format(char *out, size_t size, const char *from,
    const char *by, time_t t, const char *eol)
{
	struct tm	tm;
	char		f[256], b[256], date[64];
	int		n;

	host_clean(f, sizeof(f), from);
	host_clean(b, sizeof(b), by);
	/* RFC 5322 3.3 date-time; the C locale gives English names. */
	if (localtime_r(&t, &tm) == NULL ||
	    strftime(date, sizeof(date), "%a, %d %b %Y %H:%M:%S %z", &tm) == 0)
		return -1;
	n = snprintf(out, size, "Received: from %s by %s with POP3 "
	    "(mkit mpop %s);%s\t%s%s", f, b, MK_VERSION, eol, date, eol);
	if (n < 0 || (size_t)n >= size)
		return -1;
	return n;
}

/* TOP n 0 of the messages without UIDL: hash each header block. */
struct hsink {
	struct pop3_msg	*msgs;
	size_t		*which;		/* index into msgs of each TOP */
	size_t		 cur;
	struct sha256	 c;
};

static int
hs_begin(void *arg, size_t idx, struct mk_err *e)
{
	struct hsink *h = arg;

	(void)e;
	h->cur = h->which[idx];
	hdr_uid_start(&h->c, h->msgs[h->cur].size);
	return 0;
}

static int
hs_data(void *arg, const void *p, size_t n, struct mk_err *e)
{
	struct hsink *h = arg;

	(void)e;
	sha256_update(&h->c, p, n);
	return 0;
}

static int
hs_end(void *arg, struct mk_err *e)
{
	struct hsink *h = arg;

	(void)e;
	hdr_uid_finish(&h->c, h->msgs[h->cur].uid);
	return 0;
}

int
pop3_hdr_uids(struct pop3 *p, struct pop3_msg *msgs, size_t n,
    size_t *nhashed, struct mk_err *e)
{
	struct hsink		 h;
	struct pop3_sink	 s = { hs_begin, hs_data, hs_end, &h };
	unsigned long		*nums = NULL;
	size_t			 i, k = 0;
	int			 rc = -1;

	*nhashed = 0;
	memset(&h, 0, sizeof(h));
	h.msgs = msgs;
	if ((nums = calloc(n + 1, sizeof(*nums))) == NULL ||
	    (h.which = calloc(n + 1, sizeof(*h.which))) == NULL) {
		mk_seterr(e, MK_ESOFTWARE, "out of memory");
		goto out;
	}
	for (i = 0; i < n; i++)
		if (msgs[i].uid[0] == '\0') {
			h.which[k] = i;
			nums[k++] = msgs[i].num;
		}
	if (k > 0 && pop3_fetch(p, nums, k, 0, &s, e) == -1) {
		if (e->st == MK_EUNAVAIL)
			mk_seterr(e, MK_EUNAVAIL, "the server has neither "
			    "UIDL nor TOP: cannot tell new messages from old "
			    "ones");
		goto out;
	}
	if (k > 0)
		(void)pop3_uids_disambiguate(msgs, n);
	*nhashed = k;
	rc = 0;
out:
	free(nums);
	free(h.which);
	return rc;
}
