/*
 * mime.c: the streaming MIME parser of mime.h.
 *
 * Input is split into lines as it comes; a line that may matter as a
 * whole (a header line, or a body line starting with "--" that may be a
 * boundary) is held until its end is seen, capped.  Runs of body lines
 * that lie in the chunk being fed go to the decoder in one piece.  The
 * line break before a boundary belongs to the boundary (RFC 2046
 * 5.1.1), so the break after each body line is held back until the
 * next line shows whether it is body.
 *
 * The open containers form a stack of frames: a multipart with its
 * boundary, or a message/rfc822 part whose encapsulated message is
 * being read.  A boundary line closes every frame above the multipart
 * it belongs to, so a missing closing boundary costs nothing but a
 * warning.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "b64.h"
#include "buf.h"
#include "hdr.h"
#include "mime.h"
#include "qp.h"

#define CHUNK		(64 * 1024)	/* decoder input per call */

enum pstate {
	ST_HEADERS,		/* reading the header block of cur */
	ST_BODY,		/* reading the body of the leaf cur */
	ST_PREAMBLE,		/* before the first boundary of a multipart */
	ST_EPILOGUE,		/* after a closing boundary */
	ST_SKIP,		/* a limit was hit: ignore everything */
	ST_DONE
};

enum fkind {
	FR_MULTIPART,
	FR_MESSAGE
};

struct frame {
	enum fkind	 kind;
	char		 boundary[MIME_MAXBOUNDARY + 1];
	size_t		 blen;
	int		 digest;		/* multipart/digest */
	unsigned long	 nchild;
	char		 cprefix[MIME_NUMLEN];	/* number prefix of children */
	uint64_t	 bodystart;		/* offset of the body */
	struct mime_part part;
};

struct mime_parser {
	mime_fn		 fn;
	void		*arg;
	enum pstate	 state;
	int		 stopped;	/* the callback's nonzero value */
	const char	*err;
	int		 limited;	/* MIME_LIM_* */
	unsigned long	 nparts;

	struct frame	 fr[MIME_MAXDEPTH];
	int		 nfr;
	int		 nbound;	/* multipart frames on the stack */

	/* The entity being read: its headers, or the body of a leaf. */
	struct mime_part cur;
	int		 cur_open;	/* BEGIN sent, END not yet */
	char		 next_num[MIME_NUMLEN];
	int		 next_encap;	/* a message: number from its type */
	int		 next_digest;	/* default type message/rfc822 */
	struct mk_buf	 hdr;
	int		 hdr_cut;
	size_t		 hdr_lines;

	/* Body decoding. */
	struct b64_dec	 bd;
	struct qp_dec	 qd;
	uint8_t		*obuf;
	const uint8_t	*span_s;	/* body lines of this chunk, not yet */
	const uint8_t	*span_e;	/* decoded: [span_s, span_e) */
	uint8_t		 peol[2];	/* the held line break */
	size_t		 npeol;

	/* Lines across chunks. */
	struct mk_buf	 hold;
	int		 holding;	/* hold has the start of a line */
	int		 midline;	/* in a line already passed on */
	int		 pendcr;	/* a CR ended the last chunk mid-line */
	uint64_t	 abs;		/* bytes fed before this chunk */
	uint64_t	 lineoff;	/* offset of the line at hand */
	size_t		 preveol;	/* break length of the line before */
};

static int	emit(struct mime_parser *, enum mime_ev_type,
		    const struct mime_part *, const uint8_t *, size_t,
		    const char *);
static void	warn(struct mime_parser *, const struct mime_part *,
		    const char *);
static void	part_clear(struct mime_part *);
static void	entity_begin(struct mime_parser *, const char *, int, int);
static void	headers_done(struct mime_parser *);
static int	headers_fill(struct mime_parser *, const struct hdr_block *);
static char	*field_get(struct mime_parser *, const struct hdr_block *,
		    const char *);
static int	is_field_line(const uint8_t *, size_t);
static int	boundary_match(const struct mime_parser *, const uint8_t *,
		    size_t, int *);
static void	boundary_seen(struct mime_parser *, int, int, size_t);
static void	close_above(struct mime_parser *, int, int);
static void	frame_pop(struct mime_parser *, int, uint64_t);
static void	leaf_end(struct mime_parser *, int);
static void	decode(struct mime_parser *, const uint8_t *, size_t);
static void	flush_span(struct mime_parser *);
static void	body_line(struct mime_parser *, const uint8_t *, size_t,
		    const uint8_t *, size_t, int);
static void	process_line(struct mime_parser *, const uint8_t *, size_t,
		    int);
static int	need_whole(const struct mime_parser *, const uint8_t *,
		    size_t);
static int	status(const struct mime_parser *);
static void	cr_flush(struct mime_parser *);
static void	partial(struct mime_parser *, const uint8_t *, size_t);
static void	num_join(char *, const char *, unsigned long);

struct mime_parser *
mime_parser_new(mime_fn fn, void *arg)
{
	struct mime_parser *p;

	if ((p = calloc(1, sizeof(*p))) == NULL)
		return NULL;
	if ((p->obuf = malloc(QP_DEC_BOUND(CHUNK) + B64_DEC_BOUND(CHUNK)))
	    == NULL) {
		free(p);
		return NULL;
	}
	p->fn = fn;
	p->arg = arg;
	buf_init(&p->hdr, MIME_MAXHEADER);
	buf_init(&p->hold, MIME_MAXHEADER);
	entity_begin(p, "", 1, 0);
	return p;
}

void
mime_parser_free(struct mime_parser *p)
{
	int i;

	if (p == NULL)
		return;
	for (i = 0; i < p->nfr; i++)
		part_clear(&p->fr[i].part);
	part_clear(&p->cur);
	buf_free(&p->hdr);
	buf_free(&p->hold);
	free(p->obuf);
	free(p);
}

int
mime_parser_limited(const struct mime_parser *p)
{
	return p->limited;
}

const char *
mime_parser_error(const struct mime_parser *p)
{
	return p->err;
}

enum mime_enc
mime_enc_from_name(const char *s)
{
	if (s == NULL || *s == '\0' || strcmp(s, "7bit") == 0)
		return MIME_ENC_7BIT;
	if (strcmp(s, "8bit") == 0)
		return MIME_ENC_8BIT;
	if (strcmp(s, "binary") == 0)
		return MIME_ENC_BINARY;
	if (strcmp(s, "quoted-printable") == 0)
		return MIME_ENC_QP;
	if (strcmp(s, "base64") == 0)
		return MIME_ENC_BASE64;
	return MIME_ENC_OTHER;
}

static int
status(const struct mime_parser *p)
{
	if (p->stopped)
		return p->stopped;
	return p->err != NULL ? -1 : 0;
}

/*
 * dst (MIME_NUMLEN bytes) = prefix "." k, or k alone after an empty
 * prefix.  The limits keep a number far below MIME_NUMLEN: at most 64
 * levels of at most 5 digits.
 */
static void
num_join(char *dst, const char *prefix, unsigned long k)
{
	int r;

	r = snprintf(dst, MIME_NUMLEN, "%s%s%lu", prefix,
	    prefix[0] != '\0' ? "." : "", k);
	if (r < 0 || r >= MIME_NUMLEN)
		dst[MIME_NUMLEN - 1] = '\0';
}

/* Hand one event to the callback, unless the parser has stopped. */
static int
emit(struct mime_parser *p, enum mime_ev_type t, const struct mime_part *pt,
    const uint8_t *data, size_t len, const char *w)
{
	struct mime_event	ev;
	int			r;

	if (p->stopped || p->err != NULL)
		return -1;
	ev.type = t;
	ev.part = pt;
	ev.data = data;
	ev.len = len;
	ev.warn = w;
	if ((r = p->fn(p->arg, &ev)) != 0) {
		p->stopped = r;
		return -1;
	}
	return 0;
}

static void
warn(struct mime_parser *p, const struct mime_part *pt, const char *w)
{
	(void)emit(p, MIME_EV_WARN, pt, NULL, 0, w);
}

static void
part_clear(struct mime_part *pt)
{
	free(pt->type);
	free(pt->charset);
	free(pt->encoding);
	free(pt->disposition);
	free(pt->filename);
	free(pt->content_id);
	memset(pt, 0, sizeof(*pt));
}

/*
 * A new entity starts with its header block.  num is its number, or
 * for an encapsulated message (encap) the prefix of its number, which
 * its type decides.
 */
static void
entity_begin(struct mime_parser *p, const char *num, int encap, int digest)
{
	part_clear(&p->cur);
	p->cur_open = 0;
	(void)snprintf(p->next_num, sizeof(p->next_num), "%s", num);
	p->next_encap = encap;
	p->next_digest = digest;
	buf_reset(&p->hdr);
	p->hdr_cut = 0;
	p->hdr_lines = 0;
	p->state = ST_HEADERS;
}

/* A field line: a name of printable ASCII, blanks (obsolete), a colon. */
static int
is_field_line(const uint8_t *s, size_t len)
{
	size_t i = 0;

	while (i < len && s[i] > ' ' && s[i] < 0x7f && s[i] != ':')
		i++;
	if (i == 0)
		return 0;
	while (i < len && (s[i] == ' ' || s[i] == '\t'))
		i++;
	return i < len && s[i] == ':';
}

/* The first field called name, unfolded and trimmed, owned; or NULL. */
static char *
field_get(struct mime_parser *p, const struct hdr_block *hb,
    const char *name)
{
	const struct hdr_field	*f;
	char			*s;
	size_t			 it = 0, n, a;

	if ((f = hdr_block_find(hb, name, &it)) == NULL)
		return NULL;
	if (hdr_block_find(hb, name, &it) != NULL)
		warn(p, NULL, "duplicate header field: the first one is used");
	if ((s = malloc(f->valuelen + 1)) == NULL) {
		p->err = "out of memory";
		return NULL;
	}
	n = hdr_unfold(f->value, f->valuelen, s);
	while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t'))
		n--;
	for (a = 0; a < n && (s[a] == ' ' || s[a] == '\t'); a++)
		;
	memmove(s, s + a, n - a);
	s[n - a] = '\0';
	return s;
}

static char *
lowdup(const char *s)
{
	char	*d;
	size_t	 i;

	if ((d = strdup(s)) == NULL)
		return NULL;
	for (i = 0; d[i] != '\0'; i++)
		d[i] = (char)tolower((unsigned char)d[i]);
	return d;
}

/* A type or subtype token (RFC 2045 5.1), not empty. */
static int
is_token_str(const char *s)
{
	if (s == NULL || *s == '\0')
		return 0;
	for (; *s != '\0'; s++)
		if ((unsigned char)*s <= ' ' || (unsigned char)*s >= 0x7f ||
		    strchr("()<>@,;:\\\"/[]?=", *s) != NULL)
			return 0;
	return 1;
}

/*
 * Fill cur from its header block: type, charset, encoding, disposition,
 * file name, Content-ID, and the boundary (into bound).  Returns 0, or
 * -1 when out of memory.
 */
static int
headers_fill(struct mime_parser *p, const struct hdr_block *hb)
{
	struct hdr_params	 ct, cd;
	const struct hdr_param	*bp, *fp;
	char			*v, *t;
	size_t			 tl;
	int			 have_ct = 0, have_cd = 0, r = -1;

	memset(&ct, 0, sizeof(ct));
	memset(&cd, 0, sizeof(cd));
	if ((v = field_get(p, hb, "content-type")) != NULL) {
		if (hdr_params_parse(v, strlen(v), &ct) == -1)
			goto out;
		have_ct = 1;
		free(v);
	}
	v = NULL;
	if (p->err != NULL)
		goto out;
	if (have_ct && is_token_str(ct.type) && is_token_str(ct.subtype)) {
		tl = strlen(ct.type) + strlen(ct.subtype) + 2;
		if ((t = malloc(tl)) == NULL)
			goto out;
		(void)snprintf(t, tl, "%s/%s", ct.type, ct.subtype);
		p->cur.type = lowdup(t);
		free(t);
		if (hdr_param_get(&ct, "charset") != NULL)
			p->cur.charset = lowdup(hdr_param_get(&ct, "charset"));
	} else {
		if (have_ct)
			warn(p, NULL, "malformed Content-Type: default used");
		p->cur.type = strdup(p->next_digest ? "message/rfc822" :
		    "text/plain");
		if (!p->next_digest)
			p->cur.charset = strdup("us-ascii");
	}
	if (p->cur.type == NULL)
		goto out;

	if ((v = field_get(p, hb, "content-transfer-encoding")) != NULL) {
		if ((t = strchr(v, '(')) != NULL)	/* a comment */
			*t = '\0';
		tl = strlen(v);
		while (tl > 0 && (v[tl - 1] == ' ' || v[tl - 1] == '\t'))
			v[--tl] = '\0';
		p->cur.encoding = lowdup(tl ? v : "7bit");
		free(v);
		v = NULL;
	} else
		p->cur.encoding = strdup("7bit");
	if (p->cur.encoding == NULL || p->err != NULL)
		goto out;
	p->cur.enc = mime_enc_from_name(p->cur.encoding);
	if (p->cur.enc == MIME_ENC_OTHER)
		warn(p, NULL, "unknown transfer encoding: read as binary");

	if ((v = field_get(p, hb, "content-disposition")) != NULL) {
		if (hdr_params_parse(v, strlen(v), &cd) == -1)
			goto out;
		have_cd = 1;
		free(v);
		v = NULL;
		if (cd.type != NULL && (p->cur.disposition = lowdup(cd.type))
		    == NULL)
			goto out;
	}
	if (p->err != NULL)
		goto out;
	fp = have_cd ? hdr_param_find(&cd, "filename") : NULL;
	if (fp == NULL && have_ct)
		fp = hdr_param_find(&ct, "name");
	if (fp != NULL) {
		if ((p->cur.filename = malloc(fp->valuelen + 1)) == NULL)
			goto out;
		memcpy(p->cur.filename, fp->value, fp->valuelen + 1);
		p->cur.filenamelen = fp->valuelen;
	}
	if ((p->cur.content_id = field_get(p, hb, "content-id")) == NULL &&
	    p->err != NULL)
		goto out;

	/* The boundary goes to the frame slot a container will take. */
	if (strncmp(p->cur.type, "multipart/", 10) == 0 && have_ct &&
	    (bp = hdr_param_find(&ct, "boundary")) != NULL &&
	    bp->rawlen > 0 && bp->rawlen <= MIME_MAXBOUNDARY &&
	    memchr(bp->raw, '\0', bp->rawlen) == NULL) {
		if (p->nfr < MIME_MAXDEPTH) {
			memcpy(p->fr[p->nfr].boundary, bp->raw, bp->rawlen);
			p->fr[p->nfr].boundary[bp->rawlen] = '\0';
			p->fr[p->nfr].blen = bp->rawlen;
		}
		p->cur.container = 1;
	} else if (strncmp(p->cur.type, "multipart/", 10) == 0)
		warn(p, NULL, "multipart without a usable boundary: read as "
		    "one part");
	else if ((strcmp(p->cur.type, "message/rfc822") == 0 ||
	    strcmp(p->cur.type, "message/global") == 0) &&
	    p->cur.enc != MIME_ENC_QP && p->cur.enc != MIME_ENC_BASE64)
		p->cur.container = 1;
	r = 0;
out:
	if (r == -1 && p->err == NULL)
		p->err = "out of memory";
	free(v);
	if (have_ct)
		hdr_params_free(&ct);
	if (have_cd)
		hdr_params_free(&cd);
	return r;
}

/* The header block of cur is complete: begin the part. */
static void
headers_done(struct mime_parser *p)
{
	struct hdr_block	 hb;
	struct frame		*f;
	char			 num[MIME_NUMLEN];
	int			 multi;

	if (p->nparts >= MIME_MAXPARTS) {
		p->limited |= MIME_LIM_PARTS;
		warn(p, NULL, "more than 10000 parts: the rest is not read");
		p->state = ST_SKIP;
		return;
	}
	if (hdr_block_parse((const char *)buf_str(&p->hdr), p->hdr.len, 0, 0,
	    &hb) == -1) {
		p->err = "out of memory";
		return;
	}
	if (headers_fill(p, &hb) == -1) {
		hdr_block_free(&hb);
		return;
	}
	p->cur.depth = p->nfr;
	if (p->cur.container && p->nfr >= MIME_MAXDEPTH) {
		p->limited |= MIME_LIM_DEPTH;
		warn(p, NULL, "nested more than 64 deep: not descending");
		p->cur.container = 0;
	}
	multi = p->cur.container && strncmp(p->cur.type, "multipart/", 10) == 0;
	if (p->next_encap)
		num_join(num, p->next_num, multi ? 0 : 1);
	else
		memcpy(num, p->next_num, sizeof(num));
	memcpy(p->cur.number, num, sizeof(num));
	p->cur.offset = p->lineoff + p->preveol;
	p->cur.hdrs = &hb;
	p->nparts++;
	(void)emit(p, MIME_EV_BEGIN, &p->cur, NULL, 0, NULL);
	p->cur.hdrs = NULL;
	hdr_block_free(&hb);

	if (!p->cur.container) {
		b64_dec_init(&p->bd, 1);
		qp_dec_init(&p->qd, 1);
		p->npeol = 0;
		p->cur_open = 1;
		p->state = ST_BODY;
		return;
	}
	f = &p->fr[p->nfr++];
	f->part = p->cur;
	memset(&p->cur, 0, sizeof(p->cur));
	f->nchild = 0;
	f->bodystart = f->part.offset;
	if (multi) {
		f->kind = FR_MULTIPART;
		f->digest = strcmp(f->part.type, "multipart/digest") == 0;
		/* Children of "0" and "N.0" are "1" and "N.1". */
		if (p->next_encap)
			(void)snprintf(f->cprefix, sizeof(f->cprefix), "%s",
			    p->next_num);
		else
			(void)snprintf(f->cprefix, sizeof(f->cprefix), "%s",
			    num);
		p->nbound++;
		p->state = ST_PREAMBLE;
	} else {
		f->kind = FR_MESSAGE;
		f->blen = 0;
		(void)snprintf(f->cprefix, sizeof(f->cprefix), "%s", num);
		entity_begin(p, num, 1, 0);
	}
}

/*
 * The multipart frame whose boundary the line is, innermost first, or
 * -1; *close is set for a closing boundary.  After the boundary only
 * "--" and blanks may follow, so a boundary that is a prefix of another
 * never matches the longer one's lines.
 */
static int
boundary_match(const struct mime_parser *p, const uint8_t *s, size_t len,
    int *close)
{
	const struct frame	*f;
	size_t			 i;
	int			 k;

	if (len < 3 || s[0] != '-' || s[1] != '-')
		return -1;
	for (k = p->nfr - 1; k >= 0; k--) {
		f = &p->fr[k];
		if (f->kind != FR_MULTIPART || len < 2 + f->blen ||
		    memcmp(s + 2, f->boundary, f->blen) != 0)
			continue;
		i = 2 + f->blen;
		*close = 0;
		if (len - i >= 2 && s[i] == '-' && s[i + 1] == '-') {
			*close = 1;
			i += 2;
		}
		while (i < len && (s[i] == ' ' || s[i] == '\t' || s[i] == '\r'))
			i++;
		if (i == len)
			return k;
	}
	return -1;
}

/* End the leaf being read; at_eof keeps its last line break. */
static void
leaf_end(struct mime_parser *p, int at_eof)
{
	size_t n = 0;

	if (!p->cur_open)
		return;
	flush_span(p);
	if (at_eof && p->npeol > 0)
		decode(p, p->peol, p->npeol);
	p->npeol = 0;
	if (p->cur.enc == MIME_ENC_BASE64) {
		(void)b64_dec_final(&p->bd, p->obuf, &n);
	} else if (p->cur.enc == MIME_ENC_QP)
		(void)qp_dec_final(&p->qd, p->obuf, &n);
	if (n > 0) {
		p->cur.size += n;
		(void)emit(p, MIME_EV_DATA, &p->cur, p->obuf, n, NULL);
	}
	(void)emit(p, MIME_EV_END, &p->cur, NULL, 0, NULL);
	part_clear(&p->cur);
	p->cur_open = 0;
}

/*
 * Pop the top frame: its END.  Its size runs from its body to end, the
 * end of its closing boundary line; (uint64_t)-1 for the start of the
 * line at hand less the line break before it.
 */
static void
frame_pop(struct mime_parser *p, int missing, uint64_t end)
{
	struct frame	*f = &p->fr[p->nfr - 1];

	if (missing && f->kind == FR_MULTIPART)
		warn(p, &f->part, "missing closing boundary");
	if (end == (uint64_t)-1) {
		end = p->lineoff;
		if (end >= f->bodystart + p->preveol)
			end -= p->preveol;
	}
	f->part.size = end > f->bodystart ? end - f->bodystart : 0;
	(void)emit(p, MIME_EV_END, &f->part, NULL, 0, NULL);
	if (f->kind == FR_MULTIPART)
		p->nbound--;
	part_clear(&f->part);
	p->nfr--;
}

/* Close the entity being read and every frame above frame k. */
static void
close_above(struct mime_parser *p, int k, int at_eof)
{
	while (p->state == ST_HEADERS && status(p) == 0) {
		warn(p, NULL, "header block not ended");
		headers_done(p);
	}
	if (p->state == ST_BODY)
		leaf_end(p, at_eof);
	while (p->nfr > k + 1)
		frame_pop(p, 1, (uint64_t)-1);
}

/* A boundary line of frame k, len bytes without its break. */
static void
boundary_seen(struct mime_parser *p, int k, int close, size_t len)
{
	struct frame	*f;
	char		 num[MIME_NUMLEN];

	flush_span(p);
	p->npeol = 0;
	close_above(p, k, 0);
	if (p->err != NULL || p->state == ST_SKIP)
		return;
	if (close) {
		frame_pop(p, 0, p->lineoff + len);
		p->state = ST_EPILOGUE;
		return;
	}
	f = &p->fr[k];
	f->nchild++;
	num_join(num, f->cprefix, f->nchild);
	entity_begin(p, num, 0, f->digest);
}

/* Body bytes of the leaf, raw: decode and hand them on. */
static void
decode(struct mime_parser *p, const uint8_t *s, size_t n)
{
	size_t k, out;

	if (p->stopped || p->err != NULL)
		return;
	if (p->cur.enc != MIME_ENC_BASE64 && p->cur.enc != MIME_ENC_QP) {
		if (n > 0) {
			p->cur.size += n;
			(void)emit(p, MIME_EV_DATA, &p->cur, s, n, NULL);
		}
		return;
	}
	while (n > 0 && !p->stopped) {
		k = n < CHUNK ? n : CHUNK;
		out = 0;
		if (p->cur.enc == MIME_ENC_BASE64)
			(void)b64_dec_update(&p->bd, (const char *)s, k,
			    p->obuf, &out);
		else
			(void)qp_dec_update(&p->qd, (const char *)s, k,
			    p->obuf, &out);
		if (out > 0) {
			p->cur.size += out;
			(void)emit(p, MIME_EV_DATA, &p->cur, p->obuf, out,
			    NULL);
		}
		s += k;
		n -= k;
	}
}

static void
flush_span(struct mime_parser *p)
{
	if (p->span_s != NULL) {
		decode(p, p->span_s, (size_t)(p->span_e - p->span_s));
		p->span_s = p->span_e = NULL;
	}
}

/*
 * A body line (its content without the break, and the break).  Lines
 * of the chunk at hand (inchunk) that follow one another are gathered
 * into one span; the break of the last one is held.
 */
static void
body_line(struct mime_parser *p, const uint8_t *s, size_t len,
    const uint8_t *eol, size_t eollen, int inchunk)
{
	p->preveol = eollen;
	if (p->state != ST_BODY)
		return;
	if (inchunk && p->span_s != NULL && s == p->span_e + p->npeol) {
		p->span_e = s + len;
	} else {
		flush_span(p);
		if (p->npeol > 0)
			decode(p, p->peol, p->npeol);
		if (inchunk) {
			p->span_s = s;
			p->span_e = s + len;
		} else
			decode(p, s, len);
	}
	if (eollen > 0)
		memcpy(p->peol, eol, eollen);
	p->npeol = eollen;
}

/*
 * One whole line, with its break (LF or CR LF) if it has one.  inchunk:
 * the line lies in the chunk being fed (not in hold).
 */
static void
process_line(struct mime_parser *p, const uint8_t *s, size_t len,
    int inchunk)
{
	size_t	eollen = 0;
	int	k, close;

	if (len > 0 && s[len - 1] == '\n') {
		eollen = 1;
		if (len > 1 && s[len - 2] == '\r')
			eollen = 2;
	}
	len -= eollen;
	if (p->state == ST_SKIP || p->state == ST_DONE)
		return;
	if (p->nbound > 0 && len > 2 && s[0] == '-' && s[1] == '-' &&
	    (k = boundary_match(p, s, len, &close)) >= 0) {
		boundary_seen(p, k, close, len);
		p->preveol = eollen;
		return;
	}
	switch (p->state) {
	case ST_HEADERS:
		if (len == 0) {
			p->preveol = eollen;
			headers_done(p);
			return;
		}
		/* An mbox "From " line before the very first header. */
		if (p->lineoff == 0 && len >= 5 && memcmp(s, "From ", 5) == 0)
			break;
		if (s[0] != ' ' && s[0] != '\t' && !is_field_line(s, len)) {
			warn(p, NULL, p->hdr_lines > 0 ?
			    "no blank line after the header block" :
			    "part without a header block");
			/* The body starts with this line. */
			p->preveol = 0;
			headers_done(p);
			if (p->state == ST_HEADERS || p->state == ST_BODY)
				process_line(p, s, len + eollen, inchunk);
			return;
		}
		if (p->hdr_cut)
			break;
		if (buf_add(&p->hdr, s, len) == -1 ||
		    buf_addc(&p->hdr, '\n') == -1) {
			if (!p->hdr.toobig) {
				p->err = "out of memory";
				return;
			}
			p->hdr_cut = 1;
			warn(p, NULL, "header block too long: the rest dropped");
		}
		p->hdr_lines++;
		break;
	case ST_BODY:
		body_line(p, s, len, s + len, eollen, inchunk);
		return;
	default:	/* preamble, epilogue: not part of any part */
		break;
	}
	p->preveol = eollen;
}

/* Whether a line cut by the chunk's end must be held whole. */
static int
need_whole(const struct mime_parser *p, const uint8_t *s, size_t n)
{
	if (p->state == ST_HEADERS)
		return 1;
	if (p->nbound == 0 || p->state == ST_SKIP)
		return 0;
	return s[0] == '-' && (n < 2 || s[1] == '-');
}

/* A CR held at the end of the last chunk turned out to be data. */
static void
cr_flush(struct mime_parser *p)
{
	if (p->pendcr) {
		p->pendcr = 0;
		body_line(p, (const uint8_t *)"\r", 1, NULL, 0, 0);
	}
}

/*
 * The start or middle of a body line that the chunk cuts off.  A CR at
 * its end is held: with an LF next it is the line break.
 */
static void
partial(struct mime_parser *p, const uint8_t *s, size_t n)
{
	cr_flush(p);
	if (n > 0 && s[n - 1] == '\r') {
		n--;
		p->pendcr = 1;
	}
	if (n > 0)
		body_line(p, s, n, NULL, 0, 1);
}

int
mime_parser_feed(struct mime_parser *p, const void *buf, size_t n)
{
	const uint8_t	*s = buf, *nl;
	size_t		 off = 0, take, len;

	if (status(p) != 0)
		return status(p);
	if (p->state == ST_DONE)
		return 0;
	while (off < n && status(p) == 0) {
		if (p->state == ST_SKIP)
			break;
		if (p->state == ST_BODY && p->nbound == 0 && !p->holding) {
			/* No boundary can end this body: all of it is data. */
			cr_flush(p);
			flush_span(p);
			if (p->npeol > 0)
				decode(p, p->peol, p->npeol);
			p->npeol = 0;
			p->midline = 0;
			decode(p, s + off, n - off);
			p->preveol = 0;
			off = n;
			break;
		}
		nl = memchr(s + off, '\n', n - off);
		take = nl != NULL ? (size_t)(nl - (s + off)) + 1 : n - off;
		if (p->holding) {
			if (buf_add(&p->hold, s + off, take) == -1) {
				if (!p->hold.toobig) {
					p->err = "out of memory";
					break;
				}
				/* Too long for a boundary: body (or dropped). */
				p->hold.toobig = 0;
				if (p->state == ST_HEADERS)
					warn(p, NULL, "header line too long: "
					    "dropped");
				body_line(p, p->hold.p, p->hold.len, NULL, 0, 0);
				buf_reset(&p->hold);
				p->holding = 0;
				p->midline = 1;
				continue;
			}
			off += take;
			if (nl != NULL) {
				p->holding = 0;
				process_line(p, p->hold.p, p->hold.len, 0);
				buf_reset(&p->hold);
				flush_span(p);
				p->lineoff = p->abs + off;
			}
			continue;
		}
		if (p->midline) {
			if (nl == NULL) {
				partial(p, s + off, take);
				off += take;
				continue;
			}
			len = take - 1;
			if (len == 0 && p->pendcr) {
				/* The CR LF was cut between two chunks. */
				p->pendcr = 0;
				body_line(p, s + off, 0, (const uint8_t *)"\r\n",
				    2, 0);
			} else {
				cr_flush(p);
				if (len > 0 && s[off + len - 1] == '\r')
					len--;
				body_line(p, s + off, len, s + off + len,
				    take - len, 1);
			}
			p->midline = 0;
			off += take;
			p->lineoff = p->abs + off;
			continue;
		}
		if (nl == NULL) {
			if (!need_whole(p, s + off, take)) {
				partial(p, s + off, take);
				p->midline = 1;
			} else if (buf_add(&p->hold, s + off, take) == 0)
				p->holding = 1;
			else if (!p->hold.toobig) {
				p->err = "out of memory";
				break;
			} else {
				/* Too long to hold: as the overflow above. */
				p->hold.toobig = 0;
				if (p->state == ST_HEADERS)
					warn(p, NULL, "header line too long: "
					    "dropped");
				partial(p, s + off, take);
				p->midline = 1;
			}
			off += take;
			break;
		}
		p->lineoff = p->abs + off;
		process_line(p, s + off, take, 1);
		off += take;
		p->lineoff = p->abs + off;
	}
	flush_span(p);
	p->abs += n;
	return status(p);
}

int
mime_parser_finish(struct mime_parser *p)
{
	if (status(p) != 0)
		return status(p);
	if (p->state == ST_DONE)
		return 0;
	if (p->holding) {
		p->holding = 0;
		process_line(p, p->hold.p, p->hold.len, 0);
		buf_reset(&p->hold);
	}
	cr_flush(p);
	flush_span(p);
	p->lineoff = p->abs;
	p->preveol = 0;
	if (p->state != ST_SKIP) {
		while (p->state == ST_HEADERS && status(p) == 0)
			headers_done(p);
		if (p->state == ST_BODY)
			leaf_end(p, 1);
	} else if (p->cur_open)
		leaf_end(p, 1);
	while (p->nfr > 0 && p->err == NULL)
		frame_pop(p, p->state != ST_SKIP, (uint64_t)-1);
	p->state = ST_DONE;
	return status(p);
}

size_t
mime_name_sanitize(const char *name, size_t len, char *out)
{
	const uint8_t	*s = (const uint8_t *)name;
	size_t		 i, a = 0, n = 0, ext, keep;

	/* The last component, for '/' and for DOS '\'. */
	for (i = 0; i < len; i++)
		if (s[i] == '/' || s[i] == '\\')
			a = i + 1;
	/* Leading dots, blanks and dashes go. */
	while (a < len && (s[a] == '.' || s[a] == ' ' || s[a] == '\t' ||
	    s[a] == '-'))
		a++;
	for (i = a; i < len && n < 4 * MIME_NAMEMAX; i++) {
		if (s[i] == 0xc2 && i + 1 < len && s[i + 1] >= 0x80 &&
		    s[i + 1] <= 0x9f) {
			i++;
			out[n < MIME_NAMEMAX ? n : MIME_NAMEMAX] = '_';
		} else if (s[i] < 0x20 || s[i] == 0x7f)
			out[n < MIME_NAMEMAX ? n : MIME_NAMEMAX] = '_';
		else
			out[n < MIME_NAMEMAX ? n : MIME_NAMEMAX] = (char)s[i];
		if (n < MIME_NAMEMAX)
			n++;
		else
			break;	/* too long: cut below, from the source */
	}
	if (i < len && n == MIME_NAMEMAX) {
		/* Cut: keep an extension of up to 16 bytes from the end. */
		ext = 0;
		for (keep = len; keep > a && len - keep <= 16; keep--)
			if (s[keep - 1] == '.') {
				ext = len - keep + 1;
				break;
			}
		n = MIME_NAMEMAX - ext;
		while (n > 0 && ((uint8_t)out[n] & 0xc0) == 0x80)
			n--;
		/* A stem cut to nothing must not leave ".ext", a dot file. */
		if (n == 0 && ext > 0)
			out[n++] = '_';
		/* The extension goes through the same filter as the stem. */
		for (s += len - ext, i = 0; i < ext; i++) {
			if (s[i] == 0xc2 && i + 1 < ext && s[i + 1] >= 0x80 &&
			    s[i + 1] <= 0x9f) {
				i++;
				out[n++] = '_';
			} else if (s[i] < 0x20 || s[i] == 0x7f)
				out[n++] = '_';
			else
				out[n++] = (char)s[i];
		}
	}
	out[n] = '\0';
	return n;
}
