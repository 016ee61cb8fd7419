/*
 * hdr.c: header fields (RFC 5322), encoded words (RFC 2047), parameters
 * (RFC 2045, RFC 2231), and the Date and Message-ID of a new message.
 *
 * Every scanner here walks (pointer, length) with an index that is
 * checked against the length before each read; nothing relies on a NUL.
 */
#include <ctype.h>
#include <errno.h>
#include <iconv.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>
#include <unistd.h>

#include "b64.h"
#include "hdr.h"
#include "qp.h"

#define CS_MAX		64	/* longest charset name we look up */
#define WORD_OVERHEAD	12	/* "=?UTF-8?Q?" and "?=" */
#define LINE_MAX76	76	/* RFC 2045/2047 line length */
#define WORD_MAX	75	/* RFC 2047 2: longest encoded word */

/* The parser's queue: a push makes at most a field and one more event. */
#define EVQ		4

struct hdr_parser {
	size_t		 maxfield;
	size_t		 maxfields;
	size_t		 line;		/* lines pushed */
	size_t		 nfields;	/* fields started */
	int		 ended;
	int		 toomany;	/* HDR_EV_TOOMANY was queued */
	int		 skip;		/* dropping the continuation lines of
					   a field past the cap */
	int		 have;		/* cur holds a field */
	struct mk_buf	 cur;		/* name, NUL, value */
	size_t		 curname;	/* length of the name in cur */
	int		 curflags;
	size_t		 curline;
	struct mk_buf	 done;		/* the field handed out */
	struct hdr_event q[EVQ];
	size_t		 qhead, qn;
};

/* A cursor over a parameter value. */
struct pcur {
	const char	*s;
	size_t		 len;
	size_t		 i;
	int		 flags;		/* HDR_P_* */
};

/* One parameter or RFC 2231 section as written, before joining. */
struct pent {
	char		*name;		/* base name, lower case */
	long		 section;	/* -1 when not a section */
	int		 ext;		/* had the trailing '*' */
	int		 used;
	struct mk_buf	 val;		/* unquoted value */
};

/* State of the RFC 2047 encoder. */
struct wenc {
	struct mk_buf	*out;
	size_t		 col;		/* column of the current line */
	int		 fresh;		/* nothing written on this line yet */
	int		 phrase;	/* RFC 2047 5 (3) rules */
};

/* State of the RFC 2047 decoder: adjacent words of one charset. */
struct wrun {
	int		 have;
	char		 cs[CS_MAX];
	struct mk_buf	 bytes;
};

/* One encoded word found by word_parse(). */
struct word {
	char		 cs[CS_MAX];	/* charset, lower case, no language */
	int		 enc;		/* 'B' or 'Q' */
	size_t		 text;		/* offset of the encoded text */
	size_t		 textlen;
	size_t		 end;		/* offset just past "?=" */
};

static void	 ev_queue(struct hdr_parser *, enum hdr_ev_type, size_t);
static int	 field_finish(struct hdr_parser *);
static int	 field_start(struct hdr_parser *, const char *, size_t);
static int	 field_add(struct hdr_parser *, const char *, size_t);
static int	 block_add(struct hdr_block *, size_t *,
		    const struct hdr_field *);
static size_t	 utf8_len(const uint8_t *, size_t);
static size_t	 utf8_charlen(const uint8_t *, size_t);
static int	 utf8_add(struct mk_buf *, const uint8_t *, size_t, int *);
static int	 cs_norm(const char *, size_t, char *);
static int	 cs_iconv(const char *, const uint8_t *, size_t,
		    struct mk_buf *, int *);
static int	 is_cschar(int);
static int	 is_lws(int);
static int	 is_token(int);
static int	 is_atext(int);
static int	 word_parse(const char *, size_t, size_t, struct word *,
		    int *);
static int	 run_flush(struct wrun *, struct mk_buf *, int *);
static int	 wenc_plain(struct wenc *, const char *, size_t,
		    const char *, size_t);
static int	 wenc_run(struct wenc *, const char *, size_t,
		    const uint8_t *, size_t);
static int	 wenc_fold(struct wenc *);
static int	 word_needs(const char *, size_t, int);
static int	 encode_text(const char *, size_t, int, struct wenc *);
static void	 p_cfws(struct pcur *);
static size_t	 p_token(struct pcur *);
static int	 p_quoted(struct pcur *, struct mk_buf *);
static int	 p_value(struct pcur *, struct mk_buf *);
static void	 p_skip(struct pcur *);
static char	*p_lowdup(const char *, size_t);
static int	 pct_decode(struct mk_buf *, const uint8_t *, size_t);
static size_t	 attr_split(const char *, size_t, long *, int *);
static int	 params_join(struct hdr_params *, struct pent *, size_t,
		    size_t);
static int	 has_word_start(const uint8_t *, size_t);
static int	 param_out(struct hdr_params *, const char *, struct mk_buf *,
		    const char *, size_t, const char *, int);
static size_t	 buf_col(const struct mk_buf *);
static int	 pct_encode(struct mk_buf *, const uint8_t *, size_t);
static int	 pe_emit(struct mk_buf *, const char *, size_t);
static int	 pe_sections(struct mk_buf *, const char *, const uint8_t *,
		    size_t);
static int	 pe_ascii(struct mk_buf *, const char *, const uint8_t *,
		    size_t);

/*
 * The header block parser.
 */

struct hdr_parser *
hdr_parser_new(size_t maxfield, size_t maxfields)
{
	struct hdr_parser *p;

	if ((p = calloc(1, sizeof(*p))) == NULL)
		return NULL;
	p->maxfield = maxfield != 0 ? maxfield : HDR_MAX_FIELD;
	p->maxfields = maxfields != 0 ? maxfields : HDR_MAX_FIELDS;
	buf_init(&p->cur, 0);
	buf_init(&p->done, 0);
	return p;
}

void
hdr_parser_free(struct hdr_parser *p)
{
	if (p == NULL)
		return;
	buf_free(&p->cur);
	buf_free(&p->done);
	free(p);
}

static void
ev_queue(struct hdr_parser *p, enum hdr_ev_type type, size_t line)
{
	struct hdr_event *ev;

	if (p->qn == EVQ)	/* cannot happen: a push queues at most 3 */
		return;
	ev = &p->q[(p->qhead + p->qn++) % EVQ];
	memset(ev, 0, sizeof(*ev));
	ev->type = type;
	ev->line = line;
}

/* Hand the field in cur out as an event; cur becomes empty. */
static int
field_finish(struct hdr_parser *p)
{
	struct mk_buf		 t;
	struct hdr_event	*ev;

	if (!p->have)
		return 0;
	p->have = 0;
	t = p->done;
	p->done = p->cur;
	p->cur = t;
	buf_reset(&p->cur);
	ev_queue(p, HDR_EV_FIELD, p->curline);
	ev = &p->q[(p->qhead + p->qn - 1) % EVQ];
	ev->field.name = (char *)p->done.p;
	ev->field.namelen = p->curname;
	ev->field.value = (char *)p->done.p + p->curname + 1;
	ev->field.valuelen = p->done.len - p->curname - 1;
	ev->field.flags = p->curflags;
	ev->field.line = p->curline;
	return 0;
}

/* Append to the value of cur, up to the field cap. */
static int
field_add(struct hdr_parser *p, const char *s, size_t n)
{
	size_t used = p->cur.len - 1, room;	/* the NUL is not counted */

	room = used < p->maxfield ? p->maxfield - used : 0;
	if (n > room) {
		n = room;
		p->curflags |= HDR_F_CUT;
	}
	if (n > 0 && memchr(s, '\0', n) != NULL)
		p->curflags |= HDR_F_NUL;
	return buf_add(&p->cur, s, n);
}

/* A line that does not start with a blank: a new field or a bad line. */
static int
field_start(struct hdr_parser *p, const char *line, size_t len)
{
	const char	*colon;
	size_t		 nlen, i;
	int		 flags = 0;

	if ((colon = memchr(line, ':', len)) == NULL) {
		ev_queue(p, HDR_EV_BADLINE, p->line);
		return 0;
	}
	nlen = (size_t)(colon - line);
	while (nlen > 0 && (line[nlen - 1] == ' ' || line[nlen - 1] == '\t')) {
		nlen--;
		flags |= HDR_F_NAMESP;
	}
	/* RFC 5322 3.6.8: ftext is printable ASCII but ':'. */
	for (i = 0; i < nlen; i++)
		if ((unsigned char)line[i] < 33 || (unsigned char)line[i] > 126)
			break;
	if (nlen == 0 || i < nlen) {
		ev_queue(p, HDR_EV_BADLINE, p->line);
		return 0;
	}
	if (p->nfields >= p->maxfields) {
		if (!p->toomany)
			ev_queue(p, HDR_EV_TOOMANY, p->line);
		p->toomany = 1;
		p->skip = 1;
		return 0;
	}
	p->nfields++;
	buf_reset(&p->cur);
	p->curflags = flags;
	p->curline = p->line;
	p->curname = nlen < p->maxfield ? nlen : p->maxfield;
	if (p->curname < nlen)
		p->curflags |= HDR_F_CUT;
	if (buf_add(&p->cur, line, p->curname) == -1 ||
	    buf_addc(&p->cur, '\0') == -1)
		return -1;
	p->have = 1;
	i = (size_t)(colon - line) + 1;
	while (i < len && (line[i] == ' ' || line[i] == '\t'))
		i++;
	return field_add(p, line + i, len - i);
}

int
hdr_parser_push(struct hdr_parser *p, const char *line, size_t len)
{
	size_t i;

	if (p->ended)
		return -1;
	if (line == NULL || len == 0 || (len == 1 && line[0] == '\r')) {
		if (line != NULL)
			p->line++;
		if (field_finish(p) == -1)
			return -1;
		ev_queue(p, HDR_EV_END, p->line);
		p->ended = 1;
		return 0;
	}
	p->line++;
	if (line[len - 1] == '\r')
		len--;
	if (line[0] == ' ' || line[0] == '\t') {
		if (p->have) {
			/* A first line with an empty value: drop the fold. */
			if (p->cur.len == p->curname + 1) {
				for (i = 0; i < len &&
				    (line[i] == ' ' || line[i] == '\t'); i++)
					;
				return field_add(p, line + i, len - i);
			}
			if (field_add(p, "\n", 1) == -1)
				return -1;
			return field_add(p, line, len);
		}
		if (!p->skip)
			ev_queue(p, HDR_EV_BADLINE, p->line);
		return 0;
	}
	p->skip = 0;
	if (field_finish(p) == -1)
		return -1;
	return field_start(p, line, len);
}

enum hdr_ev_type
hdr_parser_next(struct hdr_parser *p, struct hdr_event *ev)
{
	if (p->qn == 0) {
		memset(ev, 0, sizeof(*ev));
		ev->type = HDR_EV_NONE;
		return HDR_EV_NONE;
	}
	*ev = p->q[p->qhead];
	p->qhead = (p->qhead + 1) % EVQ;
	p->qn--;
	return ev->type;
}

/* Copy f into hb's array (capacity *cap). */
static int
block_add(struct hdr_block *hb, size_t *cap, const struct hdr_field *f)
{
	struct hdr_field	*nv, *d;
	char			*mem;
	size_t			 ncap;

	if (hb->n == *cap) {
		ncap = *cap == 0 ? 32 : *cap * 2;
		if ((nv = reallocarray(hb->fields, ncap, sizeof(*nv))) == NULL)
			return -1;
		hb->fields = nv;
		*cap = ncap;
	}
	if ((mem = malloc(f->namelen + f->valuelen + 2)) == NULL)
		return -1;
	d = &hb->fields[hb->n++];
	*d = *f;
	d->name = mem;
	memcpy(mem, f->name, f->namelen);
	mem[f->namelen] = '\0';
	d->value = mem + f->namelen + 1;
	memcpy(d->value, f->value, f->valuelen);
	d->value[f->valuelen] = '\0';
	return 0;
}

int
hdr_block_parse(const char *buf, size_t len, size_t maxfield,
    size_t maxfields, struct hdr_block *hb)
{
	struct hdr_parser	*p;
	struct hdr_event	 ev;
	const char		*nl;
	size_t			 off = 0, next, cap = 0;
	int			 rc = -1, eof = 0;

	memset(hb, 0, sizeof(*hb));
	if ((p = hdr_parser_new(maxfield, maxfields)) == NULL)
		return -1;
	while (!p->ended) {
		if (off < len) {
			nl = memchr(buf + off, '\n', len - off);
			next = nl != NULL ? (size_t)(nl - buf) + 1 : len;
			if (hdr_parser_push(p, buf + off, next - off -
			    (nl != NULL)) == -1)
				goto out;
			off = next;
		} else {
			eof = 1;
			if (hdr_parser_push(p, NULL, 0) == -1)
				goto out;
		}
		while (hdr_parser_next(p, &ev) != HDR_EV_NONE) {
			switch (ev.type) {
			case HDR_EV_FIELD:
				if (block_add(hb, &cap, &ev.field) == -1)
					goto out;
				break;
			case HDR_EV_BADLINE:
				hb->nbad++;
				break;
			case HDR_EV_TOOMANY:
				hb->toomany = 1;
				break;
			case HDR_EV_END:
				hb->body = off;
				break;
			default:
				break;
			}
		}
	}
	hb->ended = !eof;
	rc = 0;
out:
	hdr_parser_free(p);
	if (rc == -1)
		hdr_block_free(hb);
	return rc;
}

void
hdr_block_free(struct hdr_block *hb)
{
	size_t i;

	for (i = 0; i < hb->n; i++)
		free(hb->fields[i].name);
	free(hb->fields);
	memset(hb, 0, sizeof(*hb));
}

const struct hdr_field *
hdr_block_find(const struct hdr_block *hb, const char *name, size_t *iter)
{
	size_t i;

	for (i = *iter; i < hb->n; i++)
		if (strcasecmp(hb->fields[i].name, name) == 0) {
			*iter = i + 1;
			return &hb->fields[i];
		}
	*iter = hb->n;
	return NULL;
}

size_t
hdr_unfold(const char *in, size_t len, char *out)
{
	size_t i, k = 0;

	for (i = 0; i < len; i++)
		if (in[i] != '\r' && in[i] != '\n')
			out[k++] = in[i];
	return k;
}

/*
 * UTF-8 and charsets.
 */

/* Length of the valid UTF-8 sequence at p (n > 0 bytes), or 0. */
static size_t
utf8_len(const uint8_t *p, size_t n)
{
	uint8_t c = p[0];

	if (c < 0x80)
		return 1;
	if (c < 0xc2 || c > 0xf4)
		return 0;
	if (n < 2 || (p[1] & 0xc0) != 0x80)
		return 0;
	if (c < 0xe0)
		return 2;
	if (n < 3 || (p[2] & 0xc0) != 0x80)
		return 0;
	/* No overlong forms and no surrogates (RFC 3629 4). */
	if ((c == 0xe0 && p[1] < 0xa0) || (c == 0xed && p[1] > 0x9f))
		return 0;
	if (c < 0xf0)
		return 3;
	if (n < 4 || (p[3] & 0xc0) != 0x80)
		return 0;
	if ((c == 0xf0 && p[1] < 0x90) || (c == 0xf4 && p[1] > 0x8f))
		return 0;
	return 4;
}

/* The bytes of one character at p for the encoder: invalid is 1 byte. */
static size_t
utf8_charlen(const uint8_t *p, size_t n)
{
	size_t k = utf8_len(p, n);

	return k == 0 ? 1 : k;
}

/* Append n bytes, each invalid one as U+FFFD. */
static int
utf8_add(struct mk_buf *out, const uint8_t *p, size_t n, int *flags)
{
	size_t i = 0, start = 0, k;

	if (n == 0)		/* p may be NULL (an empty mk_buf) */
		return 0;
	while (i < n) {
		if (p[i] < 0x80) {
			i++;
			continue;
		}
		if ((k = utf8_len(p + i, n - i)) > 0) {
			i += k;
			continue;
		}
		if (buf_add(out, p + start, i - start) == -1 ||
		    buf_add(out, "\xef\xbf\xbd", 3) == -1)
			return -1;
		*flags |= HDR_DW_REPLACED;
		start = ++i;
	}
	return buf_add(out, p + start, i - start);
}

/* RFC 2978 mime-charset characters, and '.' and ':' seen in the wild. */
static int
is_cschar(int c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	    (c >= '0' && c <= '9') || (c != '\0' && strchr("!#$%&'+-^_`{}~.:",
	    c) != NULL);
}

/*
 * Copy the charset name s[0..n) to dst (CS_MAX bytes) in lower case;
 * -1 when empty, too long or holding anything iconv could read as
 * options ("//TRANSLIT", ",").
 */
static int
cs_norm(const char *s, size_t n, char *dst)
{
	size_t i;

	if (n == 0 || n >= CS_MAX)
		return -1;
	for (i = 0; i < n; i++) {
		if (!is_cschar((unsigned char)s[i]))
			return -1;
		dst[i] = (char)tolower((unsigned char)s[i]);
	}
	dst[n] = '\0';
	return 0;
}

/* Through iconv(3); 1 when the charset is unknown, else 0 or -1. */
static int
cs_iconv(const char *cs, const uint8_t *in, size_t n, struct mk_buf *out,
    int *flags)
{
	struct mk_buf	 u;
	iconv_t		 cd;
	char		 tmp[1024], *ip = (char *)(uintptr_t)in, *op;
	size_t		 il = n, ol, r;
	int		 rc = -1;

	if ((cd = iconv_open("UTF-8", cs)) == (iconv_t)-1)
		return 1;
	buf_init(&u, 0);
	for (;;) {
		op = tmp;
		ol = sizeof(tmp);
		r = iconv(cd, il > 0 ? &ip : NULL, &il, &op, &ol);
		if (buf_add(&u, tmp, (size_t)(op - tmp)) == -1)
			goto out;
		if (r != (size_t)-1) {
			if (il == 0)
				break;
			continue;
		}
		if (errno == E2BIG)
			continue;
		/* EILSEQ, or EINVAL for a sequence cut at the end. */
		if (buf_add(&u, "\xef\xbf\xbd", 3) == -1)
			goto out;
		*flags |= HDR_DW_REPLACED;
		if (errno != EILSEQ || il == 0)
			break;
		ip++;
		il--;
	}
	/* iconv should give valid UTF-8; make sure of it. */
	rc = utf8_add(out, u.p, u.len, flags);
out:
	buf_free(&u);
	iconv_close(cd);
	return rc;
}

int
hdr_charset_to_utf8(const char *charset, const uint8_t *in, size_t n,
    struct mk_buf *out, int *flags)
{
	char	cs[CS_MAX];
	int	dummy = 0, rc;
	size_t	i;

	if (flags == NULL)
		flags = &dummy;
	if (charset == NULL || cs_norm(charset, strlen(charset), cs) == -1) {
		*flags |= HDR_DW_CHARSET;
		return utf8_add(out, in, n, flags);
	}
	if (strcmp(cs, "utf-8") == 0 || strcmp(cs, "utf8") == 0)
		return utf8_add(out, in, n, flags);
	if (strcmp(cs, "us-ascii") == 0 || strcmp(cs, "ascii") == 0) {
		for (i = 0; i < n; i++) {
			if (in[i] < 0x80)
				rc = buf_addc(out, in[i]);
			else {
				rc = buf_add(out, "\xef\xbf\xbd", 3);
				*flags |= HDR_DW_REPLACED;
			}
			if (rc == -1)
				return -1;
		}
		return 0;
	}
	if (strcmp(cs, "iso-8859-1") == 0 || strcmp(cs, "latin1") == 0 ||
	    strcmp(cs, "iso8859-1") == 0 || strcmp(cs, "iso_8859-1") == 0) {
		for (i = 0; i < n; i++) {
			if (in[i] < 0x80)
				rc = buf_addc(out, in[i]);
			else if ((rc = buf_addc(out, 0xc0 | in[i] >> 6)) == 0)
				rc = buf_addc(out, 0x80 | (in[i] & 0x3f));
			if (rc == -1)
				return -1;
		}
		return 0;
	}
	if ((rc = cs_iconv(cs, in, n, out, flags)) != 1)
		return rc;
	*flags |= HDR_DW_CHARSET;
	return utf8_add(out, in, n, flags);
}

/*
 * RFC 2047 decoding.
 */

static int
is_lws(int c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/*
 * Parse the encoded word that starts with "=?" at in[at].  Returns 0 with
 * w set, or -1; *malformed is set when it began like a word (charset and
 * '?') but is not one.
 */
static int
word_parse(const char *in, size_t len, size_t at, struct word *w,
    int *malformed)
{
	size_t	i = at + 2, cs = i, csend, k;
	int	c;

	*malformed = 0;
	while (i < len && in[i] != '?' && (in[i] == '*' ||
	    is_cschar((unsigned char)in[i])))
		i++;
	if (i >= len || in[i] != '?')
		return -1;
	/* RFC 2231 5: "charset*language". */
	for (csend = cs; csend < i && in[csend] != '*'; csend++)
		;
	if (cs_norm(in + cs, csend - cs, w->cs) == -1)
		return -1;
	*malformed = 1;
	if (len - i < 3 || in[i + 2] != '?')
		return -1;
	c = toupper((unsigned char)in[i + 1]);
	if (c != 'B' && c != 'Q')
		return -1;
	w->enc = c;
	w->text = i + 3;
	for (k = w->text; k < len && in[k] != '?'; k++) {
		c = (unsigned char)in[k];
		/* RFC 2047 5: no blanks or controls inside a word. */
		if (c <= ' ' || c >= 127)
			return -1;
		if (w->enc == 'B' && !(isalnum(c) || c == '+' || c == '/' ||
		    c == '='))
			return -1;
	}
	if (len - k < 2 || in[k + 1] != '=')
		return -1;
	w->textlen = k - w->text;
	w->end = k + 2;
	*malformed = 0;
	return 0;
}

/* Convert the joined bytes of the pending run and append them. */
static int
run_flush(struct wrun *r, struct mk_buf *out, int *flags)
{
	int rc;

	if (!r->have)
		return 0;
	r->have = 0;
	rc = hdr_charset_to_utf8(r->cs, r->bytes.p, r->bytes.len, out, flags);
	buf_reset(&r->bytes);
	return rc;
}

int
hdr_decode_words(const char *in, size_t len, struct mk_buf *out, int *flags)
{
	struct wrun	 run;
	struct word	 w;
	const char	*eq;
	uint8_t		*tmp = NULL, *nt;
	size_t		 text = 0, scan = 0, i, k, tcap = 0;
	int		 fl = 0, bad, rc = -1;

	memset(&run, 0, sizeof(run));
	buf_init(&run.bytes, 0);
	while (scan < len &&
	    (eq = memchr(in + scan, '=', len - scan)) != NULL) {
		i = (size_t)(eq - in);
		scan = i + 1;
		if (len - i < 2 || in[i + 1] != '?')
			continue;
		if (word_parse(in, len, i, &w, &bad) == -1) {
			if (bad)
				fl |= HDR_DW_MALFORMED;
			continue;
		}
		/* RFC 2047 6.2: blanks between two encoded words go. */
		for (k = text; k < i && is_lws((unsigned char)in[k]); k++)
			;
		if (!run.have || k < i) {
			if (run_flush(&run, out, &fl) == -1 ||
			    utf8_add(out, (const uint8_t *)in + text, i - text,
			    &fl) == -1)
				goto out;
		}
		if (w.textlen + 4 > tcap) {
			if ((nt = realloc(tmp, w.textlen + 4)) == NULL)
				goto out;
			tmp = nt;
			tcap = w.textlen + 4;
		}
		if (w.enc == 'Q')
			k = qp_q_decode(in + w.text, w.textlen, tmp);
		else
			b64_decode(in + w.text, w.textlen, tmp, &k, 1, NULL,
			    NULL);
		if (run.have && strcmp(run.cs, w.cs) != 0 &&
		    run_flush(&run, out, &fl) == -1)
			goto out;
		if (!run.have) {
			memcpy(run.cs, w.cs, sizeof(run.cs));
			run.have = 1;
		}
		if (buf_add(&run.bytes, tmp, k) == -1)
			goto out;
		fl |= HDR_DW_DECODED;
		text = scan = w.end;
	}
	if (run_flush(&run, out, &fl) == -1 ||
	    utf8_add(out, (const uint8_t *)in + text, len - text, &fl) == -1)
		goto out;
	rc = 0;
out:
	if (flags != NULL)
		*flags |= fl;
	free(tmp);
	buf_free(&run.bytes);
	return rc;
}

/*
 * RFC 2047 encoding.
 */

/* RFC 5322 3.2.3 atext. */
static int
is_atext(int c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	    (c >= '0' && c <= '9') || (c != '\0' &&
	    strchr("!#$%&'*+-/=?^_`{|}~", c) != NULL);
}

/*
 * Whether a word must be encoded: bytes outside printable ASCII, or
 * "=?" that a reader would take for an encoded word; in a phrase, any
 * byte that is not atext.  A word longer than RFC 5322's 998-character
 * line limit is encoded so that it can be folded.
 */
static int
word_needs(const char *s, size_t n, int phrase)
{
	size_t	i;
	int	c;

	if (n > 900)
		return 1;
	for (i = 0; i < n; i++) {
		c = (unsigned char)s[i];
		if (c < 33 || c > 126)
			return 1;
		if (phrase && !is_atext(c))
			return 1;
		if (c == '=' && i + 1 < n && s[i + 1] == '?')
			return 1;
	}
	return 0;
}

/* Start a new line: the caller writes the blank that must follow. */
static int
wenc_fold(struct wenc *e)
{
	if (buf_addc(e->out, '\n') == -1)
		return -1;
	e->col = 0;
	e->fresh = 1;
	return 0;
}

/* The blanks ws[0..wslen), then a plain word, folding before them. */
static int
wenc_plain(struct wenc *e, const char *ws, size_t wslen, const char *w,
    size_t wlen)
{
	if (e->col + wslen + wlen > LINE_MAX76 && !e->fresh && wslen > 0 &&
	    wenc_fold(e) == -1)
		return -1;
	if (buf_add(e->out, ws, wslen) == -1 || buf_add(e->out, w, wlen) == -1)
		return -1;
	e->col += wslen + wlen;
	if (wlen > 0 || wslen > 0)
		e->fresh = 0;
	return 0;
}

/*
 * The blanks ws[0..wslen), then s[0..n) as encoded words, Q or B by
 * whichever is shorter, each as long as the line allows.
 */
static int
wenc_run(struct wenc *e, const char *ws, size_t wslen, const uint8_t *s,
    size_t n)
{
	char	 word[WORD_MAX + 1];
	size_t	 pos = 0, i, k, cl, qlen = 0, cap, used, take, first;
	int	 b;

	for (i = 0; i < n; i++)
		qlen += qp_q_enclen(s[i], e->phrase);
	b = B64_ENC_LEN(n) < qlen;
	while (pos < n) {
		cl = utf8_charlen(s + pos, n - pos);
		if (b)
			first = B64_ENC_LEN(cl);
		else
			for (first = 0, i = 0; i < cl; i++)
				first += qp_q_enclen(s[pos + i], e->phrase);
		cap = e->col + wslen + WORD_OVERHEAD < LINE_MAX76 ?
		    LINE_MAX76 - e->col - wslen - WORD_OVERHEAD : 0;
		/*
		 * Too little room left: go on on a new line (even right
		 * after a long field name: FWS may start the body).
		 */
		if ((cap < 16 || cap < first) && e->col > 0) {
			if (wenc_fold(e) == -1)
				return -1;
			if (wslen == 0) {
				ws = " ";
				wslen = 1;
			}
			cap = LINE_MAX76 - wslen - WORD_OVERHEAD;
		}
		if (cap > WORD_MAX - WORD_OVERHEAD)
			cap = WORD_MAX - WORD_OVERHEAD;
		if (cap < first)
			cap = first;
		/* Whole characters while they fit. */
		for (take = 0, used = 0; pos + take < n; take += cl) {
			cl = utf8_charlen(s + pos + take, n - pos - take);
			if (b)
				k = B64_ENC_LEN(take + cl);
			else
				for (k = used, i = 0; i < cl; i++)
					k += qp_q_enclen(s[pos + take + i],
					    e->phrase);
			if (k > cap)
				break;
			used = k;
		}
		memcpy(word, b ? "=?UTF-8?B?" : "=?UTF-8?Q?", 10);
		if (b)
			k = 10 + b64_encode(s + pos, take, word + 10);
		else
			k = 10 + qp_q_encode(s + pos, take, e->phrase,
			    word + 10);
		word[k++] = '?';
		word[k++] = '=';
		if (buf_add(e->out, ws, wslen) == -1 ||
		    buf_add(e->out, word, k) == -1)
			return -1;
		e->col += wslen + k;
		e->fresh = 0;
		pos += take;
		/* Blanks between encoded words are not text (6.2). */
		ws = " ";
		wslen = 1;
	}
	return 0;
}

/*
 * Split s into blanks and words; runs of words that must be encoded,
 * with the blanks between them, become encoded words.
 */
static int
encode_text(const char *s, size_t n, int phrase, struct wenc *e)
{
	struct mk_buf	 run;
	size_t		 i = 0, ws, wse, w, we, rws = 0, rwse = 0;
	int		 inrun = 0, rc = -1;

	buf_init(&run, 0);
	while (i < n) {
		for (ws = i; i < n && (s[i] == ' ' || s[i] == '\t'); i++)
			;
		wse = i;
		for (w = i; i < n && s[i] != ' ' && s[i] != '\t'; i++)
			;
		we = i;
		if (we > w && word_needs(s + w, we - w, phrase)) {
			if (!inrun) {
				inrun = 1;
				rws = ws;
				rwse = wse;
				buf_reset(&run);
			} else if (buf_add(&run, s + ws, wse - ws) == -1)
				goto out;
			if (buf_add(&run, s + w, we - w) == -1)
				goto out;
			continue;
		}
		if (inrun) {
			inrun = 0;
			if (wenc_run(e, s + rws, rwse - rws, run.p,
			    run.len) == -1)
				goto out;
		}
		if (wenc_plain(e, s + ws, wse - ws, s + w, we - w) == -1)
			goto out;
	}
	if (inrun && wenc_run(e, s + rws, rwse - rws, run.p, run.len) == -1)
		goto out;
	rc = 0;
out:
	buf_free(&run);
	return rc;
}

int
hdr_encode_words(const char *utf8, const char *field_name,
    struct mk_buf *out)
{
	struct wenc e;

	e.out = out;
	e.col = strlen(field_name) + 2;
	e.fresh = 1;
	e.phrase = 0;
	return encode_text(utf8, strlen(utf8), 0, &e);
}

int
hdr_encode_phrase(const char *utf8, size_t col, struct mk_buf *out)
{
	struct wenc	e;
	size_t		i, n = strlen(utf8);
	int		ascii = 1, atoms = n > 0, c;

	for (i = 0; i < n; i++) {
		c = (unsigned char)utf8[i];
		if ((c < 32 && c != '\t') || c > 126 ||
		    (c == '=' && i + 1 < n && utf8[i + 1] == '?'))
			ascii = 0;
		else if (c != ' ' && c != '\t' && !is_atext(c))
			atoms = 0;
	}
	e.out = out;
	e.col = col;
	e.fresh = 1;
	e.phrase = 1;
	if (ascii && !atoms) {
		/* RFC 5322 3.2.4: one quoted-string, '"' and '\' escaped. */
		if (buf_addc(out, '"') == -1)
			return -1;
		for (i = 0; i < n; i++)
			if (((utf8[i] == '"' || utf8[i] == '\\') &&
			    buf_addc(out, '\\') == -1) ||
			    buf_addc(out, utf8[i]) == -1)
				return -1;
		return buf_addc(out, '"');
	}
	return encode_text(utf8, n, 1, &e);
}

/*
 * Parameters (RFC 2045 5.1, RFC 2231).
 */

/* RFC 2045 token: printable ASCII but space and tspecials. */
static int
is_token(int c)
{
	return c > 32 && c < 127 && strchr("()<>@,;:\\\"/[]?=", c) == NULL;
}

/* Skip blanks, line breaks and (nested) comments. */
static void
p_cfws(struct pcur *c)
{
	size_t depth;

	while (c->i < c->len) {
		if (is_lws((unsigned char)c->s[c->i])) {
			c->i++;
			continue;
		}
		if (c->s[c->i] != '(')
			return;
		for (depth = 0; c->i < c->len; c->i++) {
			if (c->s[c->i] == '\\' && c->i + 1 < c->len)
				c->i++;
			else if (c->s[c->i] == '(')
				depth++;
			else if (c->s[c->i] == ')' && --depth == 0)
				break;
		}
		if (c->i == c->len) {
			c->flags |= HDR_P_UNTERM;
			return;
		}
		c->i++;
	}
}

static size_t
p_token(struct pcur *c)
{
	size_t start = c->i;

	while (c->i < c->len && is_token((unsigned char)c->s[c->i]))
		c->i++;
	return c->i - start;
}

/* A quoted string at '"', unquoted into b; folds inside are removed. */
static int
p_quoted(struct pcur *c, struct mk_buf *b)
{
	char ch;

	for (c->i++; c->i < c->len; c->i++) {
		ch = c->s[c->i];
		if (ch == '"') {
			c->i++;
			return 0;
		}
		if (ch == '\\' && c->i + 1 < c->len)
			ch = c->s[++c->i];
		else if (ch == '\r' || ch == '\n')
			continue;
		if (buf_addc(b, ch) == -1)
			return -1;
	}
	c->flags |= HDR_P_UNTERM;
	return 0;
}

/* Skip to the next ';' (or the end), marking the bytes as junk. */
static void
p_skip(struct pcur *c)
{
	const char *semi;

	if (c->i >= c->len || c->s[c->i] == ';')
		return;
	c->flags |= HDR_P_JUNK;
	semi = memchr(c->s + c->i, ';', c->len - c->i);
	c->i = semi != NULL ? (size_t)(semi - c->s) : c->len;
}

/*
 * A parameter value: a quoted string, a token, or (not RFC 2045, but
 * common) everything up to the next ';' with the blanks at its end
 * removed.
 */
static int
p_value(struct pcur *c, struct mk_buf *b)
{
	const char	*semi;
	size_t		 start = c->i, n, end;

	if (c->i < c->len && c->s[c->i] == '"') {
		if (p_quoted(c, b) == -1)
			return -1;
		p_cfws(c);
		p_skip(c);
		return 0;
	}
	n = p_token(c);
	p_cfws(c);
	if (c->i >= c->len || c->s[c->i] == ';')
		return buf_add(b, c->s + start, n);
	semi = memchr(c->s + start, ';', c->len - start);
	end = semi != NULL ? (size_t)(semi - c->s) : c->len;
	c->i = end;
	while (end > start && is_lws((unsigned char)c->s[end - 1]))
		end--;
	return buf_add(b, c->s + start, end - start);
}

static char *
p_lowdup(const char *s, size_t n)
{
	char	*d;
	size_t	 i;

	if ((d = malloc(n + 1)) == NULL)
		return NULL;
	for (i = 0; i < n; i++)
		d[i] = (char)tolower((unsigned char)s[i]);
	d[n] = '\0';
	return d;
}

/* RFC 2231 4: %XX is a byte; a '%' without two hex digits stays. */
static int
pct_decode(struct mk_buf *b, const uint8_t *s, size_t n)
{
	size_t	i;
	int	hi, lo;

	for (i = 0; i < n; i++) {
		if (s[i] == '%' && n - i >= 3 && isxdigit(s[i + 1]) &&
		    isxdigit(s[i + 2])) {
			hi = isdigit(s[i + 1]) ? s[i + 1] - '0' :
			    tolower(s[i + 1]) - 'a' + 10;
			lo = isdigit(s[i + 2]) ? s[i + 2] - '0' :
			    tolower(s[i + 2]) - 'a' + 10;
			if (buf_addc(b, hi << 4 | lo) == -1)
				return -1;
			i += 2;
		} else if (buf_addc(b, s[i]) == -1)
			return -1;
	}
	return 0;
}

/* Whether "=?" occurs in p[0..n). */
static int
has_word_start(const uint8_t *p, size_t n)
{
	size_t i;

	for (i = 0; i + 1 < n; i++)
		if (p[i] == '=' && p[i + 1] == '?')
			return 1;
	return 0;
}

/*
 * Add a parameter to pp: raw (taken over) decoded from charset (RFC 2231;
 * cslen bytes, not NUL-terminated), or for a plain value through RFC 2047.
 * lang is copied.
 */
static int
param_out(struct hdr_params *pp, const char *name, struct mk_buf *raw,
    const char *charset, size_t cslen, const char *lang, int plain)
{
	struct hdr_param	*p = &pp->v[pp->n];
	struct mk_buf		 val;
	char			 cs[CS_MAX];
	int			 rc;

	buf_init(&val, 0);
	if (plain && has_word_start(raw->p, raw->len))
		rc = hdr_decode_words((const char *)raw->p, raw->len, &val,
		    &pp->flags);
	else if (charset != NULL && cslen > 0)
		rc = hdr_charset_to_utf8(cs_norm(charset, cslen, cs) == 0 ?
		    cs : NULL, raw->p, raw->len, &val, &pp->flags);
	else
		rc = utf8_add(&val, raw->p, raw->len, &pp->flags);
	if (rc == -1 || (p->name = strdup(name)) == NULL ||
	    (charset != NULL && (p->charset = p_lowdup(charset, cslen)) ==
	    NULL) || (lang != NULL && (p->lang = strdup(lang)) == NULL) ||
	    (p->value = buf_take(&val, &p->valuelen)) == NULL ||
	    (p->raw = buf_take(raw, &p->rawlen)) == NULL) {
		free(p->name);
		free(p->charset);
		free(p->lang);
		free(p->value);
		free(p->raw);
		memset(p, 0, sizeof(*p));
		buf_free(&val);
		return -1;
	}
	pp->n++;
	return 0;
}

/*
 * Join the entries named as e[first] into one parameter.  name* beats
 * name*0, name*1 ... which beat a plain name (the fallback for readers
 * that do not know RFC 2231); a repeat of the same form is ignored.
 */
static int
params_join(struct hdr_params *pp, struct pent *e, size_t ne, size_t first)
{
	struct mk_buf	 raw;
	const uint8_t	*d;
	const char	*cs = NULL, *q1, *q2;
	char		*lang = NULL;
	size_t		 i, j, k, cslen = 0, *ord = NULL, no = 0, dn, one = 0;
	long		 expect = 0;
	int		 rc = -1, star = -1, plain = -1;

	buf_init(&raw, 0);
	if ((ord = calloc(ne, sizeof(*ord))) == NULL)
		goto out;
	for (i = first; i < ne; i++) {
		if (e[i].used || strcmp(e[i].name, e[first].name) != 0)
			continue;
		e[i].used = 1;
		if (e[i].section == -1 && e[i].ext) {
			if (star == -1)
				star = (int)i;
			else
				pp->flags |= HDR_P_DUP;
		} else if (e[i].section == -1) {
			if (plain == -1)
				plain = (int)i;
			else
				pp->flags |= HDR_P_DUP;
		} else {
			/* Insertion sort by section; ties keep their order. */
			for (k = no; k > 0 && e[ord[k - 1]].section >
			    e[i].section; k--)
				ord[k] = ord[k - 1];
			ord[k] = i;
			no++;
		}
	}
	if (star == -1 && no == 0) {
		if (buf_add(&raw, e[plain].val.p, e[plain].val.len) == -1)
			goto out;
		rc = param_out(pp, e[first].name, &raw, NULL, 0, NULL, 1);
		goto out;
	}
	if (star != -1) {
		if (no > 0)
			pp->flags |= HDR_P_DUP;
		one = (size_t)star;
		free(ord);
		ord = NULL;
		no = 1;
	}
	for (j = 0; j < no; j++) {
		i = ord != NULL ? ord[j] : one;
		if (ord != NULL) {
			if (j > 0 && e[i].section == e[ord[j - 1]].section) {
				pp->flags |= HDR_P_DUP;
				continue;
			}
			if (e[i].section != expect)
				pp->flags |= HDR_P_GAP;
			expect = e[i].section + 1;
		}
		d = e[i].val.p;
		dn = e[i].val.len;
		/* RFC 2231 4: charset'language'value, in the first only. */
		if (j == 0 && e[i].ext && e[i].section <= 0 && dn > 0 &&
		    (q1 = memchr(d, '\'', dn)) != NULL &&
		    (q2 = memchr(q1 + 1, '\'', dn -
		    (size_t)(q1 + 1 - (const char *)d))) != NULL) {
			cs = (const char *)d;
			cslen = (size_t)(q1 - cs);
			if (q2 > q1 + 1 && (lang = p_lowdup(q1 + 1,
			    (size_t)(q2 - q1 - 1))) == NULL)
				goto out;
			dn -= (size_t)(q2 + 1 - (const char *)d);
			d = (const uint8_t *)q2 + 1;
		}
		if ((e[i].ext ? pct_decode(&raw, d, dn) :
		    buf_add(&raw, d, dn)) == -1)
			goto out;
	}
	rc = param_out(pp, e[first].name, &raw, cs, cslen, lang, 0);
out:
	free(ord);
	free(lang);
	buf_free(&raw);
	return rc;
}

/*
 * Split an attribute a[0..alen) of the forms name, name*, name*N and
 * name*N* (RFC 2231 3 and 4): returns the length of the base name and
 * sets *section (-1 for none) and *ext.  Anything else, or a section past
 * HDR_MAX_SECTION, is a plain name of its own.
 */
static size_t
attr_split(const char *a, size_t alen, long *section, int *ext)
{
	const char	*star;
	size_t		 n, i;
	long		 sec = 0;

	*section = -1;
	*ext = 0;
	if ((star = memchr(a, '*', alen)) == NULL)
		return alen;
	n = (size_t)(star - a);
	i = n + 1;
	if (i == alen) {
		*ext = 1;
		return n;
	}
	for (; i < alen && isdigit((unsigned char)a[i]) &&
	    sec <= HDR_MAX_SECTION; i++)
		sec = sec * 10 + (a[i] - '0');
	if (i == n + 1 || sec > HDR_MAX_SECTION)
		return alen;
	if (i < alen && a[i] == '*') {
		*ext = 1;
		i++;
	}
	if (i != alen) {
		*ext = 0;
		return alen;
	}
	*section = sec;
	return n;
}

int
hdr_params_parse(const char *in, size_t len, struct hdr_params *pp)
{
	struct pcur	 c;
	struct pent	*e = NULL, *ne2;
	const char	*a;
	size_t		 ne = 0, ecap = 0, i, n, alen;
	int		 rc = -1;

	memset(pp, 0, sizeof(*pp));
	memset(&c, 0, sizeof(c));
	c.s = in;
	c.len = len;
	p_cfws(&c);
	a = in + c.i;
	if ((n = p_token(&c)) > 0 && (pp->type = p_lowdup(a, n)) == NULL)
		goto out;
	p_cfws(&c);
	if (n > 0 && c.i < len && in[c.i] == '/') {
		c.i++;
		p_cfws(&c);
		a = in + c.i;
		if ((n = p_token(&c)) > 0 &&
		    (pp->subtype = p_lowdup(a, n)) == NULL)
			goto out;
		p_cfws(&c);
	}
	p_skip(&c);
	while (c.i < len) {
		c.i++;			/* the ';' */
		p_cfws(&c);
		a = in + c.i;
		if ((alen = p_token(&c)) == 0) {
			p_skip(&c);
			continue;
		}
		p_cfws(&c);
		if (c.i >= len || in[c.i] != '=') {
			p_skip(&c);
			continue;
		}
		c.i++;
		p_cfws(&c);
		if (ne == HDR_MAX_PARAMS) {
			c.flags |= HDR_P_TOOMANY;
			break;
		}
		if (ne == ecap) {
			ecap = ecap == 0 ? 8 : ecap * 2;
			if ((ne2 = reallocarray(e, ecap, sizeof(*e))) == NULL)
				goto out;
			e = ne2;
		}
		memset(&e[ne], 0, sizeof(e[ne]));
		buf_init(&e[ne].val, 0);
		e[ne].section = -1;
		n = attr_split(a, alen, &e[ne].section, &e[ne].ext);
		if ((e[ne].name = p_lowdup(a, n)) == NULL) {
			ne++;
			goto out;
		}
		ne++;
		if (p_value(&c, &e[ne - 1].val) == -1)
			goto out;
	}
	if ((pp->v = calloc(ne > 0 ? ne : 1, sizeof(*pp->v))) == NULL)
		goto out;
	for (i = 0; i < ne; i++)
		if (!e[i].used && params_join(pp, e, ne, i) == -1)
			goto out;
	pp->flags |= c.flags;
	rc = 0;
out:
	for (i = 0; i < ne; i++) {
		free(e[i].name);
		buf_free(&e[i].val);
	}
	free(e);
	if (rc == -1)
		hdr_params_free(pp);
	return rc;
}

void
hdr_params_free(struct hdr_params *pp)
{
	size_t i;

	for (i = 0; i < pp->n; i++) {
		free(pp->v[i].name);
		free(pp->v[i].value);
		free(pp->v[i].raw);
		free(pp->v[i].charset);
		free(pp->v[i].lang);
	}
	free(pp->v);
	free(pp->type);
	free(pp->subtype);
	memset(pp, 0, sizeof(*pp));
}

const struct hdr_param *
hdr_param_find(const struct hdr_params *pp, const char *name)
{
	size_t i;

	for (i = 0; i < pp->n; i++)
		if (strcasecmp(pp->v[i].name, name) == 0)
			return &pp->v[i];
	return NULL;
}

const char *
hdr_param_get(const struct hdr_params *pp, const char *name)
{
	const struct hdr_param *p;

	return (p = hdr_param_find(pp, name)) != NULL ? p->value : NULL;
}

/*
 * Parameter encoding.
 */

/* The column at the end of b: bytes after its last LF. */
static size_t
buf_col(const struct mk_buf *b)
{
	size_t i;

	for (i = b->len; i > 0; i--)
		if (b->p[i - 1] == '\n')
			return b->len - i;
	return b->len;
}

/* RFC 2231 7: attribute-char (token but '*', '\'', '%') or %XX. */
static int
pct_encode(struct mk_buf *b, const uint8_t *v, size_t n)
{
	static const char	hex[] = "0123456789ABCDEF";
	size_t			i;
	int			rc;

	for (i = 0; i < n; i++) {
		if (is_token(v[i]) && v[i] != '*' && v[i] != '\'' &&
		    v[i] != '%')
			rc = buf_addc(b, v[i]);
		else
			rc = buf_printf(b, "%%%c%c", hex[v[i] >> 4],
			    hex[v[i] & 15]);
		if (rc == -1)
			return -1;
	}
	return 0;
}

/* "; " and s on this line if it fits, else ";\n " and s. */
static int
pe_emit(struct mk_buf *out, const char *s, size_t n)
{
	if (buf_col(out) + 2 + n <= LINE_MAX76)
		return buf_add(out, "; ", 2) == -1 ? -1 : buf_add(out, s, n);
	if (buf_add(out, ";\n ", 3) == -1)
		return -1;
	return buf_add(out, s, n);
}

/*
 * The fallback name="..." for readers without RFC 2231: '_' for each
 * character that is not printable ASCII or is '"' or '\\'; cut in the
 * middle (keeping the end, where the extension is) to fit on a line.
 */
static int
pe_ascii(struct mk_buf *out, const char *name, const uint8_t *v, size_t n)
{
	struct mk_buf	a, s;
	size_t		i, cl, room;
	int		c, rc = -1;

	buf_init(&a, 0);
	buf_init(&s, 0);
	for (i = 0; i < n; i += cl) {
		cl = utf8_charlen(v + i, n - i);
		c = v[i] < 32 || v[i] > 126 || v[i] == '"' || v[i] == '\\' ?
		    '_' : v[i];
		if (buf_addc(&a, c) == -1)
			goto out;
	}
	/* A line is " name=\"...\";". */
	room = strlen(name) + 5 + 16 < LINE_MAX76 ?
	    LINE_MAX76 - strlen(name) - 5 : 16;
	if (a.len > room) {
		memmove(a.p + room - 8, a.p + a.len - 8, 8);
		a.p[room - 9] = '_';
		a.len = room;
	}
	if (buf_printf(&s, "%s=\"", name) == -1 ||
	    buf_add(&s, a.p, a.len) == -1 || buf_addc(&s, '"') == -1)
		goto out;
	rc = pe_emit(out, (char *)s.p, s.len);
out:
	buf_free(&a);
	buf_free(&s);
	return rc;
}

/*
 * RFC 2231 3: ";\n name*0*=UTF-8''...", ";\n name*1*=..." and so on,
 * each line at most 76 characters, never splitting a character.
 */
static int
pe_sections(struct mk_buf *out, const char *name, const uint8_t *v,
    size_t n)
{
	struct mk_buf	s, pe;
	size_t		i = 0, k, sec, budget, cl;
	int		rc = -1;

	buf_init(&s, 0);
	buf_init(&pe, 0);
	for (sec = 0; i < n; sec++) {
		buf_reset(&s);
		if (buf_printf(&s, ";\n %s*%zu*=%s", name, sec,
		    sec == 0 ? "UTF-8''" : "") == -1)
			goto out;
		/* The line is s without ";\n", then data, then ';'. */
		budget = LINE_MAX76 + 1 > s.len + 16 ? LINE_MAX76 + 1 - s.len :
		    16;
		for (k = 0; i < n; i += cl, k += pe.len) {
			cl = utf8_charlen(v + i, n - i);
			buf_reset(&pe);
			if (pct_encode(&pe, v + i, cl) == -1)
				goto out;
			if (k + pe.len > budget && k > 0)
				break;
			if (buf_add(&s, pe.p, pe.len) == -1)
				goto out;
		}
		if (buf_add(out, s.p, s.len) == -1)
			goto out;
	}
	rc = 0;
out:
	buf_free(&s);
	buf_free(&pe);
	return rc;
}

int
hdr_param_encode(struct mk_buf *out, const char *name, const char *value,
    int flags)
{
	struct mk_buf		 pe, s;
	const uint8_t		*v = (const uint8_t *)value;
	size_t			 i, n = strlen(value), nlen = strlen(name);
	int			 tok = n > 0, print = 1, rc = -1;

	if (nlen == 0)
		return -1;
	for (i = 0; i < nlen; i++)
		if (!is_token((unsigned char)name[i]) || name[i] == '*' ||
		    name[i] == '\'' || name[i] == '%')
			return -1;
	for (i = 0; i < n; i++) {
		if (!is_token(v[i]))
			tok = 0;
		if (v[i] < 32 || v[i] > 126)
			print = 0;
	}
	/* Readers decode RFC 2047 words in plain values: keep them out. */
	if (has_word_start(v, n))
		print = 0;
	buf_init(&pe, 0);
	buf_init(&s, 0);
	if (print) {
		if (buf_printf(&s, "%s=%s", name, tok ? "" : "\"") == -1)
			goto out;
		for (i = 0; i < n; i++)
			if ((!tok && (v[i] == '"' || v[i] == '\\') &&
			    buf_addc(&s, '\\') == -1) ||
			    buf_addc(&s, v[i]) == -1)
				goto out;
		if (!tok && buf_addc(&s, '"') == -1)
			goto out;
		if (1 + s.len <= LINE_MAX76) {
			rc = pe_emit(out, (char *)s.p, s.len);
			goto out;
		}
	}
	if ((flags & HDR_PE_ASCII) && pe_ascii(out, name, v, n) == -1)
		goto out;
	if (pct_encode(&pe, v, n) == -1)
		goto out;
	buf_reset(&s);
	if (buf_printf(&s, "%s*=UTF-8''", name) == -1 ||
	    buf_add(&s, pe.p, pe.len) == -1)
		goto out;
	if (1 + s.len <= LINE_MAX76) {
		rc = pe_emit(out, (char *)s.p, s.len);
		goto out;
	}
	rc = pe_sections(out, name, v, n);
out:
	buf_free(&pe);
	buf_free(&s);
	return rc;
}

/*
 * Date and Message-ID.
 */

int
hdr_date(time_t t, char *buf, size_t size)
{
	static const char days[7][4] = {
		"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"
	};
	static const char months[12][4] = {
		"Jan", "Feb", "Mar", "Apr", "May", "Jun",
		"Jul", "Aug", "Sep", "Oct", "Nov", "Dec"
	};
	struct tm	tm;
	long		off;
	int		n;
	char		sign = '+';

	if (localtime_r(&t, &tm) == NULL)
		return -1;
	if (tm.tm_wday < 0 || tm.tm_wday > 6 || tm.tm_mon < 0 ||
	    tm.tm_mon > 11 || tm.tm_year < 0 || tm.tm_year > 9999 - 1900)
		return -1;
	off = tm.tm_gmtoff / 60;
	if (off < 0) {
		sign = '-';
		off = -off;
	}
	n = snprintf(buf, size, "%s, %d %s %04d %02d:%02d:%02d %c%02ld%02ld",
	    days[tm.tm_wday], tm.tm_mday, months[tm.tm_mon],
	    tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec, sign,
	    off / 60 % 100, off % 60);
	if (n < 0 || (size_t)n >= size)
		return -1;
	return 0;
}

int
hdr_msgid(const char *host, char *buf, size_t size)
{
	static const char	 b32[] = "abcdefghijklmnopqrstuvwxyz234567";
	uint8_t			 rnd[16];
	char			 id[27], hbuf[256];
	size_t			 i, got = 0, bits = 0, k = 0, hl;
	uint32_t		 acc = 0;
	ssize_t			 r;
	int			 n, own = host == NULL;

	if (own) {
		if (gethostname(hbuf, sizeof(hbuf)) == -1)
			hbuf[0] = '\0';
		hbuf[sizeof(hbuf) - 1] = '\0';
		host = hbuf;
	}
	/* RFC 5322 3.6.4: id-right is a dot-atom. */
	for (;;) {
		hl = strlen(host);
		for (i = 0; i < hl; i++)
			if (!(is_atext((unsigned char)host[i]) ||
			    (host[i] == '.' && i > 0 && i + 1 < hl &&
			    host[i + 1] != '.')))
				break;
		if (hl > 0 && hl <= 255 && i == hl)
			break;
		if (!own)
			return -1;
		host = "localhost";
		own = 0;
	}
	while (got < sizeof(rnd)) {
		if ((r = getrandom(rnd + got, sizeof(rnd) - got, 0)) == -1) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		got += (size_t)r;
	}
	for (i = 0; i < sizeof(rnd); i++) {
		acc = acc << 8 | rnd[i];
		for (bits += 8; bits >= 5; bits -= 5)
			id[k++] = b32[acc >> (bits - 5) & 31];
	}
	if (bits > 0)
		id[k++] = b32[acc << (5 - bits) & 31];
	id[k] = '\0';
	explicit_bzero(rnd, sizeof(rnd));
	n = snprintf(buf, size, "<%s@%s>", id, host);
	if (n < 0 || (size_t)n >= size)
		return -1;
	return 0;
}
