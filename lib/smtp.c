/*
 * smtp.c: the SMTP mail transaction over lib/conn, and its pure parts.
 */
#include <sys/socket.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "mcurl.h"
#include "smtp.h"

#define CHUNK	65536		/* message bytes encoded per write */

static size_t	line_end(const uint8_t *, size_t, size_t, size_t *);
static int	word_eq(const char *, size_t, const char *);
static void	caps_keyword(const char *, size_t, struct smtp_caps *);
static int	head_grow(struct smtp_head *, struct mk_err *);
static int	addr_flush(struct mk_buf *, struct mk_buf *, int *,
		    struct smtp_addrs *, struct mk_err *);
static size_t	skip_comment(const char *, size_t, size_t);
static void	rcpt_set(struct smtp_rcpt *, const struct smtp_reply *,
		    enum mk_status);
static int	reply_dup(struct smtp_reply *, const struct smtp_reply *,
		    struct mk_err *);
static void	mail_params(const struct smtp_caps *,
		    const struct smtp_envelope *, size_t, char *, size_t);
static int	env_check(const struct smtp_caps *,
		    const struct smtp_envelope *, struct mk_err *);
static int	env_rcpts(const struct smtp_caps *,
		    const struct smtp_envelope *, size_t, struct mk_buf *);
static int	env_group(const struct smtp_caps *,
		    const struct smtp_envelope *, size_t, struct mk_buf *);
static int	send_commands(struct conn *, const struct smtp_caps *,
		    const struct smtp_envelope *, size_t,
		    struct smtp_reply *, struct smtp_result *,
		    struct smtp_reply *, int *, struct mk_err *);
static int	send_data(struct conn *, const uint8_t *, size_t, int,
		    struct mk_err *);
static int	send_chunked(struct conn *, const struct smtp_caps *,
		    const struct smtp_envelope *, const uint8_t *, size_t,
		    int, struct smtp_reply *, struct smtp_result *,
		    struct smtp_reply *, struct mk_err *);
static enum mk_status rcpt_status(int);
static int	answer_name(const uint8_t *, size_t, const struct dns_msg *,
		    const uint8_t *, size_t, uint8_t *, size_t *,
		    const char **);
static int	route_add(struct smtp_route *, const char *, const char *,
		    int, uint16_t, struct mk_err *);
static int	route_literal(const char *, struct smtp_route *,
		    struct mk_err *);
static int	route_host(const struct res_params *, const char *,
		    uint16_t, struct smtp_route *, struct mk_err *);

#define CNAME_HOPS	8	/* CNAMEs followed in one answer section */

/*
 * The line of p[0..len) that starts at off: returns the offset just past
 * its line break (or len) and sets *ce to the end of its content (before
 * CR LF or LF).
 */
static size_t
line_end(const uint8_t *p, size_t len, size_t off, size_t *ce)
{
	const uint8_t	*nl = memchr(p + off, '\n', len - off);
	size_t		 end = nl != NULL ? (size_t)(nl - p) : len;

	*ce = end;
	if (nl != NULL && end > off && p[end - 1] == '\r')
		(*ce)--;
	return nl != NULL ? end + 1 : len;
}

/* Whether the n bytes at s are the keyword w (any case). */
static int
word_eq(const char *s, size_t n, const char *w)
{
	return n == strlen(w) && strncasecmp(s, w, n) == 0;
}

/* One EHLO line's text: "KEYWORD [params]". */
static void
caps_keyword(const char *s, size_t n, struct smtp_caps *caps)
{
	size_t			 k, i;
	unsigned long long	 v = 0;

	for (k = 0; k < n && s[k] != ' '; k++)
		;
	if (word_eq(s, k, "PIPELINING"))
		caps->pipelining = 1;
	else if (word_eq(s, k, "8BITMIME"))
		caps->eightbitmime = 1;
	else if (word_eq(s, k, "SMTPUTF8"))
		caps->smtputf8 = 1;
	else if (word_eq(s, k, "CHUNKING"))
		caps->chunking = 1;
	else if (word_eq(s, k, "DSN"))
		caps->dsn = 1;
	else if (word_eq(s, k, "STARTTLS"))
		caps->starttls = 1;
	else if (word_eq(s, k, "SIZE")) {
		caps->size = 1;
		for (i = k + 1; i < n && s[i] >= '0' && s[i] <= '9'; i++) {
			if (v > (~0ULL - 9) / 10) {
				v = 0;		/* absurd: take it as none */
				break;
			}
			v = v * 10 + (unsigned long long)(s[i] - '0');
		}
		caps->sizemax = v;
	}
}

void
smtp_caps_parse(const char *heard, size_t len, struct smtp_caps *caps)
{
	const uint8_t	*p = (const uint8_t *)heard;
	size_t		 off = 0, next, ce, t, cur = 0, blk = 0, blkend = 0;
	int		 code, more, incur = 0, curcode = 0, found = 0;

	memset(caps, 0, sizeof(*caps));
	while (off < len) {
		next = line_end(p, len, off, &ce);
		if (smtp_reply_parse(heard + off, ce - off, &code, &more,
		    &t) == -1)
			incur = 0;
		else {
			if (!incur) {
				cur = off;
				curcode = code;
				incur = 1;
			}
			if (code != curcode)
				incur = 0;
			else if (!more) {
				if (code == 250) {
					blk = cur;
					blkend = next;
					found = 1;
				}
				incur = 0;
			}
		}
		off = next;
	}
	if (!found)
		return;
	caps->ehlo = 1;
	/* The first line is the server's name and greeting, not a keyword. */
	off = line_end(p, blkend, blk, &ce);
	while (off < blkend) {
		next = line_end(p, blkend, off, &ce);
		if (ce - off > 4)
			caps_keyword(heard + off + 4, ce - off - 4, caps);
		off = next;
	}
}

int
smtp_reply_parse(const char *line, size_t len, int *code, int *more,
    size_t *text)
{
	size_t i;

	if (len < 3 || line[0] < '2' || line[0] > '5')
		return -1;
	for (i = 1; i < 3; i++)
		if (line[i] < '0' || line[i] > '9')
			return -1;
	*code = (line[0] - '0') * 100 + (line[1] - '0') * 10 + line[2] - '0';
	if (len == 3) {
		*more = 0;
		*text = 3;
		return 0;
	}
	if (line[3] != ' ' && line[3] != '-')
		return -1;
	*more = line[3] == '-';
	*text = 4;
	return 0;
}

void
smtp_dot_init(struct smtp_dot *d)
{
	d->bol = 1;
	d->cr = 0;
	d->lines = 0;
}

/*
 * RFC 5321 4.5.2 line ends (and, with stuff, transparency) for
 * smtp_dot_update() and smtp_crlf_update().
 */
static size_t
encode(struct smtp_dot *d, const uint8_t *in, size_t n, uint8_t *out,
    int stuff)
{
	size_t	i, o = 0;
	uint8_t	c;

	for (i = 0; i < n; i++) {
		c = in[i];
		if (d->cr) {
			/* A CR ends the line, whether an LF follows or not. */
			d->cr = 0;
			out[o++] = '\r';
			out[o++] = '\n';
			d->bol = 1;
			if (c == '\n')
				continue;
		}
		if (c == '\r') {
			d->cr = 1;
			continue;
		}
		if (c == '\n') {
			out[o++] = '\r';
			out[o++] = '\n';
			d->bol = 1;
			continue;
		}
		if (d->bol) {
			d->lines++;
			d->bol = 0;
			if (c == '.' && stuff)
				out[o++] = '.';
		}
		out[o++] = c;
	}
	return o;
}

size_t
smtp_dot_update(struct smtp_dot *d, const uint8_t *in, size_t n,
    uint8_t *out)
{
	return encode(d, in, n, out, 1);
}

size_t
smtp_crlf_update(struct smtp_dot *d, const uint8_t *in, size_t n,
    uint8_t *out)
{
	return encode(d, in, n, out, 0);
}

size_t
smtp_crlf_final(struct smtp_dot *d, uint8_t *out)
{
	size_t o = 0;

	if (d->cr || !d->bol) {
		out[o++] = '\r';
		out[o++] = '\n';
	}
	smtp_dot_init(d);
	return o;
}

size_t
smtp_dot_final(struct smtp_dot *d, uint8_t *out)
{
	size_t o = 0;

	if (d->cr || !d->bol) {
		out[o++] = '\r';
		out[o++] = '\n';
	}
	memcpy(out + o, ".\r\n", 3);
	o += 3;
	smtp_dot_init(d);
	return o;
}

static int
head_grow(struct smtp_head *h, struct mk_err *e)
{
	struct smtp_hfield	*nf;
	size_t			 ncap;

	if (h->n % 32 != 0)
		return 0;
	ncap = h->n + 32;
	if ((nf = realloc(h->f, ncap * sizeof(*nf))) == NULL)
		return mk_seterr(e, MK_ESOFTWARE, "out of memory");
	h->f = nf;
	return 0;
}

int
smtp_head_scan(const uint8_t *msg, size_t len, struct smtp_head *h,
    struct mk_err *e)
{
	size_t	off = 0, next, ce, k;

	memset(h, 0, sizeof(*h));
	if (len > 0) {
		(void)line_end(msg, len, 0, &ce);
		h->crlf = ce < len && msg[ce] == '\r';
	}
	while (off < len) {
		next = line_end(msg, len, off, &ce);
		if (ce == off) {
			if (next > off)		/* an empty line, not EOF */
				h->sep = next - off;
			break;
		}
		if (msg[off] == ' ' || msg[off] == '\t') {
			if (h->n == 0)
				break;
			h->f[h->n - 1].len = next - h->f[h->n - 1].off;
			off = next;
			continue;
		}
		/* RFC 5322 2.2: a name is printable ASCII but ':'. */
		for (k = off; k < ce && msg[k] != ':' && msg[k] > ' ' &&
		    msg[k] < 0x7f; k++)
			;
		if (k == off || k == ce || msg[k] != ':')
			break;
		if (head_grow(h, e) == -1) {
			smtp_head_free(h);
			return -1;
		}
		h->f[h->n].off = off;
		h->f[h->n].len = next - off;
		h->f[h->n].namelen = k - off;
		h->n++;
		off = next;
	}
	h->end = off;
	return 0;
}

void
smtp_head_free(struct smtp_head *h)
{
	free(h->f);
	memset(h, 0, sizeof(*h));
}

const struct smtp_hfield *
smtp_head_find(const struct smtp_head *h, const uint8_t *msg,
    const char *name, size_t *iter)
{
	size_t i;

	for (i = *iter; i < h->n; i++)
		if (word_eq((const char *)msg + h->f[i].off, h->f[i].namelen,
		    name)) {
			*iter = i + 1;
			return &h->f[i];
		}
	*iter = h->n;
	return NULL;
}

int
smtp_head_value(const struct smtp_head *h, const struct smtp_hfield *f,
    const uint8_t *msg, struct mk_buf *out)
{
	const uint8_t	*p = msg + f->off + f->namelen + 1;
	size_t		 n = f->len - f->namelen - 1, i;

	(void)h;
	buf_reset(out);
	for (i = 0; i < n; i++)
		if (p[i] != '\r' && p[i] != '\n' &&
		    buf_addc(out, p[i]) == -1)
			return -1;
	/* Trim the blanks at both ends. */
	i = 0;
	while (i < out->len && (out->p[i] == ' ' || out->p[i] == '\t'))
		i++;
	buf_consume(out, i);
	while (out->len > 0 && (out->p[out->len - 1] == ' ' ||
	    out->p[out->len - 1] == '\t'))
		out->p[--out->len] = '\0';
	return 0;
}

void
smtp_addrs_free(struct smtp_addrs *a)
{
	size_t i;

	for (i = 0; i < a->n; i++)
		free(a->v[i]);
	free(a->v);
	a->v = NULL;
	a->n = 0;
}

int
smtp_addrs_add(struct smtp_addrs *a, const char *addr, size_t n,
    struct mk_err *e)
{
	char	**nv, *s;

	if (a->n >= SMTP_RCPTMAX)
		return mk_seterr(e, MK_EDATA, "more than %d addresses",
		    SMTP_RCPTMAX);
	if ((s = malloc(n + 1)) == NULL)
		return mk_seterr(e, MK_ESOFTWARE, "out of memory");
	memcpy(s, addr, n);
	s[n] = '\0';
	if (strlen(s) != n || !smtp_addr_ok(s, 0)) {
		free(s);
		return mk_seterr(e, MK_EDATA, "bad address (control "
		    "characters, blanks, '<' or '>', or too long)");
	}
	if ((nv = realloc(a->v, (a->n + 1) * sizeof(*nv))) == NULL) {
		free(s);
		return mk_seterr(e, MK_ESOFTWARE, "out of memory");
	}
	a->v = nv;
	a->v[a->n++] = s;
	return 0;
}

int
smtp_addr_ok(const char *addr, int nullok)
{
	size_t	i, n = strlen(addr);
	int	q = 0;
	uint8_t	c;

	if (n == 0)
		return nullok;
	if (n > SMTP_ADDRMAX)
		return 0;
	for (i = 0; i < n; i++) {
		c = (uint8_t)addr[i];
		if (c < 0x20 || c == 0x7f)
			return 0;
		if (c == '"')
			q = !q;
		else if (q && c == '\\' && i + 1 < n) {
			/* The escaped byte: still no control byte. */
			c = (uint8_t)addr[++i];
			if (c < 0x20 || c == 0x7f)
				return 0;
		} else if (!q && (c == ' ' || c == '<' || c == '>'))
			return 0;
	}
	return 1;
}

int
smtp_is_8bit(const void *s, size_t n)
{
	const uint8_t	*p = s;
	size_t		 i;

	for (i = 0; i < n; i++)
		if (p[i] & 0x80)
			return 1;
	return 0;
}

/* The offset past the comment that starts at s[i] == '(' (nested). */
static size_t
skip_comment(const char *s, size_t n, size_t i)
{
	int depth = 0;

	for (; i < n; i++) {
		if (s[i] == '\\')
			i++;
		else if (s[i] == '(')
			depth++;
		else if (s[i] == ')' && --depth == 0)
			return i + 1;
	}
	return n;
}

/* End of one list element: add the angle address, else the bare text. */
static int
addr_flush(struct mk_buf *cur, struct mk_buf *angle, int *have_angle,
    struct smtp_addrs *a, struct mk_err *e)
{
	int rc = 0;

	if (*have_angle) {
		if (angle->len > 0)
			rc = smtp_addrs_add(a, (const char *)angle->p,
			    angle->len, e);
	} else if (cur->len > 0)
		rc = smtp_addrs_add(a, (const char *)cur->p, cur->len, e);
	buf_reset(cur);
	buf_reset(angle);
	*have_angle = 0;
	return rc;
}

int
smtp_addrlist_parse(const char *s, size_t n, struct smtp_addrs *a,
    struct mk_err *e)
{
	struct mk_buf	 cur, angle;
	const char	*gt;
	size_t		 i = 0, j, k;
	int		 have_angle = 0, group = 0, rc = -1;
	char		 c;

	buf_init(&cur, SMTP_ADDRMAX + 1);
	buf_init(&angle, SMTP_ADDRMAX + 1);
	while (i < n) {
		c = s[i];
		if (c == '(') {
			i = skip_comment(s, n, i);
			continue;
		}
		if (c == '"' || c == '[') {
			/* Quoted string or domain literal: kept whole. */
			for (j = i + 1; j < n && s[j] != (c == '"' ? '"' : ']');
			    j++)
				if (s[j] == '\\' && j + 1 < n)
					j++;
			j = j < n ? j + 1 : n;
			if (buf_add(&cur, s + i, j - i) == -1)
				goto toolong;
			i = j;
			continue;
		}
		if (c == '<') {
			if ((gt = memchr(s + i, '>', n - i)) == NULL) {
				mk_seterr(e, MK_EDATA, "address list: '<' "
				    "without '>'");
				goto out;
			}
			j = i + 1;
			k = (size_t)(gt - s);
			/* RFC 5322 4.4 obs-route: "<@a,@b:user@c>". */
			if (j < k && s[j] == '@') {
				while (j < k && s[j] != ':')
					j++;
				j = j < k ? j + 1 : k;
			}
			buf_reset(&angle);
			for (; j < k; j++)
				if (s[j] != ' ' && s[j] != '\t' &&
				    buf_addc(&angle, s[j]) == -1)
					goto toolong;
			have_angle = 1;
			i = k + 1;
			continue;
		}
		if (c == ':' && !have_angle && !group) {
			/* A group: its display name is no address. */
			buf_reset(&cur);
			group = 1;
			i++;
			continue;
		}
		if (c == ',' || c == ';') {
			if (c == ';')
				group = 0;
			if (addr_flush(&cur, &angle, &have_angle, a, e) == -1)
				goto out;
			i++;
			continue;
		}
		if (c != ' ' && c != '\t' && c != '\r' && c != '\n' &&
		    buf_addc(&cur, c) == -1)
			goto toolong;
		i++;
	}
	rc = addr_flush(&cur, &angle, &have_angle, a, e);
	goto out;
toolong:
	mk_seterr(e, cur.toobig || angle.toobig ? MK_EDATA : MK_ESOFTWARE,
	    cur.toobig || angle.toobig ? "address list: address too long" :
	    "out of memory");
out:
	buf_free(&cur);
	buf_free(&angle);
	return rc;
}

int
smtp_reply_read(struct conn *c, struct smtp_reply *r, struct mk_err *e)
{
	struct mk_buf	 b;
	const char	*line;
	size_t		 len, t;
	int		 code, more, first = 1;

	r->code = 0;
	r->text = NULL;
	buf_init(&b, SMTP_REPLYMAX);
	for (;;) {
		if (conn_line(c, 0, &line, &len, e) == -1)
			goto fail;
		if (smtp_reply_parse(line, len, &code, &more, &t) == -1) {
			mk_seterr(e, MK_EPROTO, "malformed SMTP reply");
			goto fail;
		}
		if (!first && code != r->code) {
			mk_seterr(e, MK_EPROTO, "SMTP reply code changed "
			    "from %d to %d within a reply", r->code, code);
			goto fail;
		}
		r->code = code;
		first = 0;
		/* Past SMTP_REPLYMAX the text stays cut (b.toobig). */
		if (b.len > 0)
			(void)buf_addc(&b, '\n');
		(void)buf_add(&b, line, len);
		if (!more)
			break;
	}
	if ((r->text = buf_take(&b, NULL)) == NULL) {
		mk_seterr(e, MK_ESOFTWARE, "out of memory");
		goto fail;
	}
	return 0;
fail:
	buf_free(&b);
	return -1;
}

void
smtp_reply_free(struct smtp_reply *r)
{
	free(r->text);
	r->text = NULL;
	r->code = 0;
}

static int
reply_dup(struct smtp_reply *dst, const struct smtp_reply *src,
    struct mk_err *e)
{
	dst->code = src->code;
	if ((dst->text = strdup(src->text != NULL ? src->text : "")) == NULL)
		return mk_seterr(e, MK_ESOFTWARE, "out of memory");
	return 0;
}

void
smtp_result_free(struct smtp_result *res)
{
	size_t i;

	for (i = 0; i < res->nrcpt; i++)
		smtp_reply_free(&res->rcpt[i].reply);
	free(res->rcpt);
	smtp_reply_free(&res->final);
	memset(res, 0, sizeof(*res));
}

/* A recipient's state from the status of its reply. */
static void
rcpt_set(struct smtp_rcpt *rc, const struct smtp_reply *r, enum mk_status st)
{
	rc->code = r->code;
	if (st == MK_OK)
		rc->state = SMTP_ACCEPTED;
	else if (st == MK_ETEMP)
		rc->state = SMTP_DEFERRED;
	else
		rc->state = SMTP_REJECTED;
}

static enum mk_status
rcpt_status(int code)
{
	return mcurl_smtp_reply_status(code, MCURL_SMTP_RCPT);
}

/* The parameters of MAIL FROM, into params[0..size). */
static void
mail_params(const struct smtp_caps *caps, const struct smtp_envelope *env,
    size_t len, char *params, size_t size)
{
	size_t l;

	snprintf(params, size, "%s%s",
	    env->eightbit && caps->eightbitmime ? " BODY=8BITMIME" : "",
	    env->smtputf8 ? " SMTPUTF8" : "");
	if (caps->size) {
		/* RFC 1870: an estimate; dot-stuffing adds a little. */
		l = strlen(params);
		snprintf(params + l, size - l, " SIZE=%zu", len);
	}
}

/* Whether env can be sent to a server with caps (see smtp_send). */
static int
env_check(const struct smtp_caps *caps, const struct smtp_envelope *env,
    struct mk_err *e)
{
	size_t i;

	if (!smtp_addr_ok(env->from, 1))
		return mk_seterr(e, MK_EUSAGE, "bad sender address");
	if (env->nrcpt == 0)
		return mk_seterr(e, MK_EDATA, "no recipients");
	if (env->nrcpt > SMTP_RCPTMAX)
		return mk_seterr(e, MK_EDATA, "more than %d recipients",
		    SMTP_RCPTMAX);
	for (i = 0; i < env->nrcpt; i++)
		if (!smtp_addr_ok(env->rcpt[i], 0))
			return mk_seterr(e, MK_EUSAGE, "bad recipient "
			    "address");
	if (env->smtputf8 && !caps->smtputf8)
		return mk_seterr(e, MK_EDATA, "non-ASCII address, and the "
		    "server does not offer SMTPUTF8");
	return 0;
}

/* MAIL FROM and the RCPT TOs, as lines, into b. */
static int
env_rcpts(const struct smtp_caps *caps, const struct smtp_envelope *env,
    size_t len, struct mk_buf *b)
{
	char	params[96];
	size_t	i;

	mail_params(caps, env, len, params, sizeof(params));
	if (buf_printf(b, "MAIL FROM:<%s>%s\r\n", env->from, params) == -1)
		return -1;
	for (i = 0; i < env->nrcpt; i++)
		if (buf_printf(b, "RCPT TO:<%s>\r\n", env->rcpt[i]) == -1)
			return -1;
	return 0;
}

/* RFC 2920 3.1: MAIL, RCPT ... and DATA last, as one group, into b. */
static int
env_group(const struct smtp_caps *caps, const struct smtp_envelope *env,
    size_t len, struct mk_buf *b)
{
	if (env_rcpts(caps, env, len, b) == -1)
		return -1;
	return buf_adds(b, "DATA\r\n");
}

/*
 * MAIL FROM, the RCPT TOs and (pipelined, or when a recipient was
 * accepted) DATA, and their replies.  *sentdata says whether DATA was
 * sent; then dr holds its reply.
 */
static int
send_commands(struct conn *c, const struct smtp_caps *caps,
    const struct smtp_envelope *env, size_t len, struct smtp_reply *mr,
    struct smtp_result *res, struct smtp_reply *dr, int *sentdata,
    struct mk_err *e)
{
	struct mk_buf	b;
	char		params[96];
	size_t		i;
	int		rc = -1;

	*sentdata = 0;
	buf_init(&b, 0);
	if (caps->pipelining) {
		if (env_group(caps, env, len, &b) == -1)
			goto nomem;
		if (conn_send_lines(c, b.p, b.len, e) == -1)
			goto out;
		*sentdata = 1;
		if (smtp_reply_read(c, mr, e) == -1)
			goto out;
		for (i = 0; i < env->nrcpt; i++)
			if (smtp_reply_read(c, &res->rcpt[i].reply, e) == -1)
				goto out;
		rc = smtp_reply_read(c, dr, e);
		goto out;
	}
	mail_params(caps, env, len, params, sizeof(params));
	if (conn_cmd(c, e, "MAIL FROM:<%s>%s", env->from, params) == -1 ||
	    smtp_reply_read(c, mr, e) == -1)
		goto out;
	if (mr->code >= 400) {
		rc = 0;
		goto out;
	}
	for (i = 0; i < env->nrcpt; i++) {
		if (conn_cmd(c, e, "RCPT TO:<%s>", env->rcpt[i]) == -1 ||
		    smtp_reply_read(c, &res->rcpt[i].reply, e) == -1)
			goto out;
		if (res->rcpt[i].reply.code < 400)
			res->naccepted++;
	}
	if (res->naccepted > 0) {
		if (conn_cmd(c, e, "DATA") == -1 ||
		    smtp_reply_read(c, dr, e) == -1)
			goto out;
		*sentdata = 1;
	}
	res->naccepted = 0;	/* counted again by the caller */
	rc = 0;
	goto out;
nomem:
	mk_seterr(e, MK_ESOFTWARE, "out of memory");
out:
	buf_free(&b);
	return rc;
}

/*
 * The message, dot-stuffed, then the end-of-data line; then QUIT when
 * quit is set (pipelined: no wait between them).
 */
static int
send_data(struct conn *c, const uint8_t *msg, size_t len, int quit,
    struct mk_err *e)
{
	struct smtp_dot	 d;
	uint8_t		*out;
	size_t		 off = 0, n, o;
	int		 rc = 0;

	if ((out = malloc(SMTP_DOT_BOUND(CHUNK) + SMTP_DOT_FINALMAX)) == NULL)
		return mk_seterr(e, MK_ESOFTWARE, "out of memory");
	smtp_dot_init(&d);
	while (off < len && rc == 0) {
		n = len - off < CHUNK ? len - off : CHUNK;
		o = smtp_dot_update(&d, msg + off, n, out);
		off += n;
		if (off == len)
			o += smtp_dot_final(&d, out + o);
		rc = conn_send(c, out, o, e);
	}
	if (len == 0 && rc == 0)
		rc = conn_send(c, out, smtp_dot_final(&d, out), e);
	if (quit && rc == 0)
		rc = conn_send_lines(c, "QUIT\r\n", 6, e);
	free(out);
	return rc;
}

/*
 * RFC 3030 with RFC 2920: MAIL, the RCPTs, "BDAT n LAST" and the
 * message (line ends made CR LF, nothing else changed), then QUIT when
 * quit is set, as one write (a long message goes in CHUNK-sized pieces
 * after the first); then the replies in order, into mr, res->rcpt[] and
 * br.  Every reply is read, whatever the first ones said: the server
 * answers each command it was sent.
 */
static int
send_chunked(struct conn *c, const struct smtp_caps *caps,
    const struct smtp_envelope *env, const uint8_t *msg, size_t len,
    int quit, struct smtp_reply *mr, struct smtp_result *res,
    struct smtp_reply *br, struct mk_err *e)
{
	struct smtp_dot	 d;
	struct mk_buf	 b;
	struct smtp_reply qr;
	struct mk_err	 qe;
	uint8_t		*out;
	size_t		 off, n, o, size = 0;
	int		 rc = -1;

	buf_init(&b, 0);
	if ((out = malloc(SMTP_DOT_BOUND(CHUNK) + SMTP_DOT_FINALMAX)) == NULL)
		goto nomem;
	/* The size first: BDAT says it before the bytes. */
	smtp_dot_init(&d);
	for (off = 0; off < len; off += n) {
		n = len - off < CHUNK ? len - off : CHUNK;
		size += smtp_crlf_update(&d, msg + off, n, out);
	}
	size += smtp_crlf_final(&d, out);
	if (env_rcpts(caps, env, size, &b) == -1 ||
	    buf_printf(&b, "BDAT %zu LAST\r\n", size) == -1)
		goto nomem;
	if (conn_queue_lines(c, b.p, b.len, e) == -1)
		goto out;
	for (off = 0; off < len; off += n) {
		n = len - off < CHUNK ? len - off : CHUNK;
		o = smtp_crlf_update(&d, msg + off, n, out);
		if (off + n == len)
			o += smtp_crlf_final(&d, out + o);
		if (conn_queue_data(c, out, o, e) == -1)
			goto out;
		if (conn_queued(c) >= CHUNK && conn_flush(c, e) == -1)
			goto out;
	}
	if (len == 0 && (o = smtp_crlf_final(&d, out)) > 0 &&
	    conn_queue_data(c, out, o, e) == -1)
		goto out;
	if (quit && conn_queue_lines(c, "QUIT\r\n", 6, e) == -1)
		goto out;
	if (conn_flush(c, e) == -1 || smtp_reply_read(c, mr, e) == -1)
		goto out;
	for (off = 0; off < env->nrcpt; off++)
		if (smtp_reply_read(c, &res->rcpt[off].reply, e) == -1)
			goto out;
	if (smtp_reply_read(c, br, e) == -1)
		goto out;
	if (quit) {
		/* The outcome is known; the QUIT reply matters little. */
		if (smtp_reply_read(c, &qr, &qe) == 0)
			smtp_reply_free(&qr);
		res->quit = 1;
	}
	rc = 0;
	goto out;
nomem:
	mk_seterr(e, MK_ESOFTWARE, "out of memory");
out:
	free(out);
	buf_free(&b);
	return rc;
}

int
smtp_send(struct conn *c, const struct smtp_caps *caps,
    const struct smtp_envelope *env, const uint8_t *msg, size_t len,
    int flags, struct smtp_result *res, struct mk_err *e)
{
	struct smtp_reply	 mr = { 0, NULL }, dr = { 0, NULL };
	struct smtp_reply	 fr = { 0, NULL };
	enum mk_status		 st, first = MK_OK;
	size_t			 i, ndeferred = 0, nrejected = 0;
	int			 sentdata, rc = -1;
	int			 quit = (flags & SMTP_SEND_LAST) &&
				    caps->pipelining;
	int			 chunked = caps->pipelining &&
				    caps->chunking;

	memset(res, 0, sizeof(*res));
	if (env_check(caps, env, e) == -1)
		return -1;
	if ((res->rcpt = calloc(env->nrcpt, sizeof(*res->rcpt))) == NULL)
		goto nomem;
	res->nrcpt = env->nrcpt;
	for (i = 0; i < env->nrcpt; i++) {
		res->rcpt[i].addr = env->rcpt[i];
		res->rcpt[i].state = SMTP_DEFERRED;
	}
	if (chunked) {
		sentdata = 0;
		if (send_chunked(c, caps, env, msg, len, quit, &mr, res, &dr,
		    e) == -1)
			goto out;
	} else if (send_commands(c, caps, env, len, &mr, res, &dr,
	    &sentdata, e) == -1)
		goto out;

	if (mr.code >= 400) {
		/* No recipient was tried: each gets the MAIL reply. */
		st = mcurl_smtp_reply_status(mr.code, MCURL_SMTP_MAIL);
		for (i = 0; i < res->nrcpt; i++) {
			smtp_reply_free(&res->rcpt[i].reply);
			if (reply_dup(&res->rcpt[i].reply, &mr, e) == -1)
				goto out;
			rcpt_set(&res->rcpt[i], &mr, st);
		}
		res->st = st;
		res->final = mr;
		mr.text = NULL;
		goto abort_data;
	}
	for (i = 0; i < res->nrcpt; i++) {
		st = rcpt_status(res->rcpt[i].reply.code);
		rcpt_set(&res->rcpt[i], &res->rcpt[i].reply, st);
		if (st == MK_OK)
			res->naccepted++;
		else if (first == MK_OK)
			first = st;
	}
	if (res->naccepted == 0) {
		res->st = first;
		for (i = 0; i < res->nrcpt; i++)
			if (res->rcpt[i].state == SMTP_DEFERRED)
				res->st = MK_ETEMP;
		if (reply_dup(&res->final, &res->rcpt[0].reply, e) == -1)
			goto out;
		goto abort_data;
	}
	if (chunked) {
		/* The BDAT reply is the message's outcome. */
		if (dr.code >= 200 && dr.code < 300) {
			res->final = dr;
			dr.text = NULL;
			goto tally;
		}
		if (dr.code < 400) {
			mk_seterr(e, MK_EPROTO, "unexpected reply %d to BDAT",
			    dr.code);
			goto out;
		}
		fr = dr;
		dr.text = NULL;
	} else if (!sentdata || dr.code != 354) {
		/* DATA refused: every accepted recipient fails with it. */
		if (!sentdata || dr.code < 400) {
			mk_seterr(e, MK_EPROTO, "unexpected reply %d to DATA",
			    dr.code);
			goto out;
		}
		fr = dr;
		dr.text = NULL;
	} else {
		if (send_data(c, msg, len, quit, e) == -1 ||
		    smtp_reply_read(c, &fr, e) == -1)
			goto out;
		if (quit) {
			/* The mail is in; the QUIT reply matters little. */
			struct smtp_reply	qr;
			struct mk_err		qe;

			if (smtp_reply_read(c, &qr, &qe) == 0)
				smtp_reply_free(&qr);
			res->quit = 1;
		}
		if (fr.code >= 200 && fr.code < 300) {
			res->final = fr;
			fr.text = NULL;
			goto tally;
		}
		if (fr.code < 400) {
			mk_seterr(e, MK_EPROTO, "unexpected reply %d after "
			    "the message", fr.code);
			goto out;
		}
	}
	st = mcurl_smtp_reply_status(fr.code, MCURL_SMTP_DATA);
	for (i = 0; i < res->nrcpt; i++) {
		if (res->rcpt[i].state != SMTP_ACCEPTED)
			continue;
		smtp_reply_free(&res->rcpt[i].reply);
		if (reply_dup(&res->rcpt[i].reply, &fr, e) == -1)
			goto out;
		rcpt_set(&res->rcpt[i], &fr, st);
	}
	res->naccepted = 0;
	res->st = st;
	res->final = fr;
	fr.text = NULL;
	rc = 0;
	goto out;
tally:
	for (i = 0; i < res->nrcpt; i++) {
		if (res->rcpt[i].state == SMTP_DEFERRED)
			ndeferred++;
		else if (res->rcpt[i].state == SMTP_REJECTED)
			nrejected++;
	}
	res->st = ndeferred > 0 ? MK_ETEMP : nrejected > 0 ? MK_ENOUSER :
	    MK_OK;
	rc = 0;
	goto out;
abort_data:
	/*
	 * RFC 2920 3.1: DATA went in the pipeline.  A server that still
	 * says 354 gets an empty message, which it must not deliver
	 * without recipients, rather than none.
	 */
	rc = 0;
	if (sentdata && dr.code == 354) {
		if (send_data(c, NULL, 0, 0, e) == -1 ||
		    smtp_reply_read(c, &fr, e) == -1)
			rc = -1;
	}
	goto out;
nomem:
	mk_seterr(e, MK_ESOFTWARE, "out of memory");
out:
	smtp_reply_free(&mr);
	smtp_reply_free(&dr);
	smtp_reply_free(&fr);
	if (rc == -1)
		smtp_result_free(res);
	return rc;
}

int
smtp_rset(struct conn *c, struct mk_err *e)
{
	struct smtp_reply	r;
	int			rc = 0;

	if (conn_cmd(c, e, "RSET") == -1 || smtp_reply_read(c, &r, e) == -1)
		return -1;
	if (r.code != 250)
		rc = mk_seterr(e, mcurl_smtp_reply_status(r.code,
		    MCURL_SMTP_OTHER), "RSET refused (%d)", r.code);
	smtp_reply_free(&r);
	return rc;
}

void
smtp_quit(struct conn *c)
{
	struct smtp_reply	r;
	struct mk_err		e;

	if (conn_cmd(c, &e, "QUIT") == 0 && smtp_reply_read(c, &r, &e) == 0)
		smtp_reply_free(&r);
}

/*
 * The name whose records answer a query for qname: qname, or the end of
 * the CNAME chain from it in the answer section (at most CNAME_HOPS
 * links), into out (DNS_NAME_MAX bytes).
 */
static int
answer_name(const uint8_t *msg, size_t len, const struct dns_msg *m,
    const uint8_t *qname, size_t qnamelen, uint8_t *out, size_t *outlen,
    const char **err)
{
	struct dns_iter	it;
	struct dns_rr	rr;
	size_t		off;
	int		hops, found, rc;

	memcpy(out, qname, qnamelen);
	*outlen = qnamelen;
	for (hops = 0; hops < CNAME_HOPS; hops++) {
		found = 0;
		dns_iter_init(&it, m, DNS_S_ANSWER);
		while ((rc = dns_rr_next(&it, &rr, err)) == 1) {
			if (rr.type != DNS_T_CNAME || rr.class != DNS_C_IN ||
			    !dns_name_equal(rr.owner, rr.ownerlen, out,
			    *outlen))
				continue;
			off = rr.rdoff;
			if (dns_name_unpack(msg, len, &off, out, outlen,
			    err) == -1)
				return -1;
			found = 1;
			break;
		}
		if (rc == -1)
			return -1;
		if (!found)
			return 0;
	}
	*err = "CNAME chain too long";
	return -1;
}

int
smtp_mx_parse(const uint8_t *reply, size_t len, const uint8_t *qname,
    size_t qnamelen, struct smtp_mx *mx, size_t mxmax, size_t *nmx,
    enum smtp_mx_kind *kind, const char **err)
{
	struct dns_msg	 m;
	struct dns_iter	 it;
	struct dns_rr	 rr;
	uint8_t		 name[DNS_NAME_MAX], host[DNS_NAME_MAX];
	size_t		 namelen, hostlen, off, nnull = 0;
	int		 rc;

	*nmx = 0;
	*kind = SMTP_MX_IMPLICIT;
	if (dns_msg_parse(reply, len, &m, err) == -1)
		return -1;
	if (m.rcode == DNS_R_NXDOMAIN) {
		*kind = SMTP_MX_NXDOMAIN;
		return 0;
	}
	if (m.rcode != DNS_R_NOERROR) {
		*err = "the name server answered with an error";
		return -1;
	}
	if (answer_name(reply, len, &m, qname, qnamelen, name, &namelen,
	    err) == -1)
		return -1;
	dns_iter_init(&it, &m, DNS_S_ANSWER);
	while ((rc = dns_rr_next(&it, &rr, err)) == 1) {
		if (rr.type != DNS_T_MX || rr.class != DNS_C_IN ||
		    !dns_name_equal(rr.owner, rr.ownerlen, name, namelen))
			continue;
		if (rr.rdlen < 3) {
			*err = "short MX rdata";
			return -1;
		}
		off = rr.rdoff + 2;
		if (dns_name_unpack(reply, len, &off, host, &hostlen,
		    err) == -1)
			return -1;
		/* RFC 7505 3: the host "." is no host. */
		if (hostlen == 1) {
			nnull++;
			continue;
		}
		if (*nmx == mxmax)
			continue;
		mx[*nmx].pref = (uint16_t)(reply[rr.rdoff] << 8 |
		    reply[rr.rdoff + 1]);
		if (dns_name_to_text(host, hostlen, mx[*nmx].host,
		    sizeof(mx[*nmx].host)) == -1) {
			*err = "bad MX host name";
			return -1;
		}
		(*nmx)++;
	}
	if (rc == -1)
		return -1;
	if (*nmx > 0)
		*kind = SMTP_MX_FOUND;
	else if (nnull > 0)
		*kind = SMTP_MX_NULL;
	return 0;
}

int
smtp_mx_addrs(const uint8_t *reply, size_t len, const uint8_t *qname,
    size_t qnamelen, uint16_t qtype, char (*out)[SMTP_ADDRTEXTMAX],
    size_t max, size_t *n, int *nxdomain, const char **err)
{
	struct dns_msg	 m;
	struct dns_iter	 it;
	struct dns_rr	 rr;
	uint8_t		 name[DNS_NAME_MAX];
	size_t		 namelen, alen;
	int		 rc, af;

	*n = 0;
	*nxdomain = 0;
	if (qtype != DNS_T_A && qtype != DNS_T_AAAA) {
		*err = "not an address type";
		return -1;
	}
	af = qtype == DNS_T_A ? AF_INET : AF_INET6;
	alen = qtype == DNS_T_A ? 4 : 16;
	if (dns_msg_parse(reply, len, &m, err) == -1)
		return -1;
	if (m.rcode == DNS_R_NXDOMAIN) {
		*nxdomain = 1;
		return 0;
	}
	if (m.rcode != DNS_R_NOERROR) {
		*err = "the name server answered with an error";
		return -1;
	}
	if (answer_name(reply, len, &m, qname, qnamelen, name, &namelen,
	    err) == -1)
		return -1;
	dns_iter_init(&it, &m, DNS_S_ANSWER);
	while ((rc = dns_rr_next(&it, &rr, err)) == 1) {
		if (rr.type != qtype || rr.class != DNS_C_IN ||
		    rr.rdlen != alen || *n == max ||
		    !dns_name_equal(rr.owner, rr.ownerlen, name, namelen))
			continue;
		if (inet_ntop(af, reply + rr.rdoff, out[*n],
		    SMTP_ADDRTEXTMAX) == NULL) {
			*err = "bad address";
			return -1;
		}
		(*n)++;
	}
	return rc == -1 ? -1 : 0;
}

void
smtp_mx_order(struct smtp_mx *mx, size_t n, uint32_t (*rnd)(uint32_t))
{
	struct smtp_mx	tmp;
	size_t		i, j, k, run;

	/* Insertion sort: stable, and n is at most SMTP_MX_MAX. */
	for (i = 1; i < n; i++) {
		tmp = mx[i];
		for (j = i; j > 0 && mx[j - 1].pref > tmp.pref; j--)
			mx[j] = mx[j - 1];
		mx[j] = tmp;
	}
	/* Fisher-Yates within each run of equal preferences. */
	for (i = 0; i < n; i += run) {
		for (run = 1; i + run < n && mx[i + run].pref == mx[i].pref;
		    run++)
			;
		for (k = run; k > 1; k--) {
			j = rnd((uint32_t)k);
			if (j >= k)
				j = k - 1;
			tmp = mx[i + k - 1];
			mx[i + k - 1] = mx[i + j];
			mx[i + j] = tmp;
		}
	}
}

static int
route_add(struct smtp_route *r, const char *host, const char *addr,
    int family, uint16_t pref, struct mk_err *e)
{
	struct smtp_target	*nt, *t;
	size_t			 n;

	if (r->n == SMTP_TARGETMAX)
		return 0;
	if ((nt = realloc(r->t, (r->n + 1) * sizeof(*nt))) == NULL)
		return mk_seterr(e, MK_ESOFTWARE, "out of memory");
	r->t = nt;
	t = &r->t[r->n++];
	memset(t, 0, sizeof(*t));
	snprintf(t->host, sizeof(t->host), "%s", host);
	n = strlen(t->host);
	if (n > 1 && t->host[n - 1] == '.')
		t->host[n - 1] = '\0';
	snprintf(t->addr, sizeof(t->addr), "%s", addr);
	t->family = family;
	t->pref = pref;
	return 0;
}

/* "[192.0.2.1]" or "[IPv6:2001:db8::1]" (RFC 5321 4.1.3). */
static int
route_literal(const char *domain, struct smtp_route *r, struct mk_err *e)
{
	struct in6_addr	 a6;
	char		 lit[SMTP_ADDRTEXTMAX + 8];
	const char	*p = domain + 1;
	size_t		 n = strlen(p);
	int		 v6 = 0;

	if (n < 2 || p[n - 1] != ']' || n - 1 >= sizeof(lit))
		return mk_seterr(e, MK_EUSAGE, "%s: bad address literal",
		    domain);
	memcpy(lit, p, n - 1);
	lit[n - 1] = '\0';
	if (strncasecmp(lit, "IPv6:", 5) == 0) {
		memmove(lit, lit + 5, strlen(lit + 5) + 1);
		v6 = 1;
	}
	if (inet_pton(v6 ? AF_INET6 : AF_INET, lit, &a6) != 1)
		return mk_seterr(e, MK_EUSAGE, "%s: bad address literal",
		    domain);
	r->kind = SMTP_MX_FOUND;
	return route_add(r, domain, lit, v6 ? AF_INET6 : AF_INET, 0, e);
}

/* The IPv4, then the IPv6 addresses of host, added to r. */
static int
route_host(const struct res_params *p, const char *host, uint16_t pref,
    struct smtp_route *r, struct mk_err *e)
{
	static const uint16_t	 types[] = { DNS_T_A, DNS_T_AAAA };
	struct res_q		*q = NULL;
	struct res_result	 rr;
	struct mk_err		 qe;
	char			 addr[SMTP_TARGETMAX][SMTP_ADDRTEXTMAX];
	uint8_t			 wire[DNS_NAME_MAX];
	const char		*err = NULL;
	size_t			 wlen, i, k, n;
	int			 nx;

	if (dns_name_from_text(host, wire, sizeof(wire), &wlen, &err) == -1) {
		r->tempfail = 1;
		snprintf(r->why, sizeof(r->why), "%s: %s", host, err);
		return 0;
	}
	for (k = 0; k < MK_NELEM(types); k++) {
		if (res_query(p, wire, wlen, types[k], DNS_C_IN, &q,
		    &qe) == -1) {
			res_q_free(q);
			q = NULL;
			r->tempfail = 1;
			snprintf(r->why, sizeof(r->why), "%s", qe.msg);
			continue;
		}
		res_q_result(q, &rr);
		if (smtp_mx_addrs(rr.reply, rr.len, wire, wlen, types[k],
		    addr, SMTP_TARGETMAX, &n, &nx, &err) == -1) {
			r->tempfail = 1;
			snprintf(r->why, sizeof(r->why), "%s: %s", host, err);
			n = 0;
		}
		res_q_free(q);
		q = NULL;
		for (i = 0; i < n; i++)
			if (route_add(r, host, addr[i], types[k] == DNS_T_A ?
			    AF_INET : AF_INET6, pref, e) == -1)
				return -1;
	}
	return 0;
}

int
smtp_route_lookup(const struct res_params *p, const char *domain,
    uint32_t (*rnd)(uint32_t), struct smtp_route *r, struct mk_err *e)
{
	struct smtp_mx		*mx = NULL;
	struct res_q		*q = NULL;
	struct res_result	 rr;
	struct mk_err		 qe;
	char			 text[DNS_NAME_TEXTMAX];
	uint8_t			 wire[DNS_NAME_MAX];
	const char		*err = NULL;
	size_t			 wlen, nmx = 0, i;
	int			 rc = -1;

	memset(r, 0, sizeof(*r));
	if (domain[0] == '[')
		return route_literal(domain, r, e);
	/* The domain as an absolute name: no search list. */
	if (snprintf(text, sizeof(text), "%s%s", domain,
	    domain[0] != '\0' && domain[strlen(domain) - 1] == '.' ? "" :
	    ".") >= (int)sizeof(text) || domain[0] == '\0' ||
	    dns_name_from_text(text, wire, sizeof(wire), &wlen, &err) == -1)
		return mk_seterr(e, MK_EUSAGE, "%s: not a domain name%s%s",
		    domain, err != NULL ? ": " : "", err != NULL ? err : "");
	if ((mx = calloc(SMTP_MX_MAX, sizeof(*mx))) == NULL)
		return mk_seterr(e, MK_ESOFTWARE, "out of memory");
	if (res_query(p, wire, wlen, DNS_T_MX, DNS_C_IN, &q, &qe) == -1) {
		mk_seterr(e, qe.st, "MX of %s: %s", domain, qe.msg);
		goto out;
	}
	res_q_result(q, &rr);
	if (smtp_mx_parse(rr.reply, rr.len, wire, wlen, mx, SMTP_MX_MAX,
	    &nmx, &r->kind, &err) == -1) {
		mk_seterr(e, MK_EPROTO, "MX of %s: %s", domain, err);
		goto out;
	}
	if (r->kind == SMTP_MX_IMPLICIT) {
		/* RFC 5321 5.1: the domain itself, preference 0. */
		nmx = 1;
		mx[0].pref = 0;
		snprintf(mx[0].host, sizeof(mx[0].host), "%s", text);
	}
	smtp_mx_order(mx, nmx, rnd);
	for (i = 0; i < nmx; i++)
		if (route_host(p, mx[i].host, mx[i].pref, r, e) == -1)
			goto out;
	rc = 0;
out:
	res_q_free(q);
	free(mx);
	if (rc == -1)
		smtp_route_free(r);
	return rc;
}

void
smtp_route_free(struct smtp_route *r)
{
	free(r->t);
	memset(r, 0, sizeof(*r));
}
