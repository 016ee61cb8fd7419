/*
 * qp.c: streaming quoted-printable and RFC 2047 "Q".
 *
 * The encoder holds back the few bytes whose encoding depends on what
 * follows them: a blank (encoded only before a line break or the end),
 * a CR (a hard break only before LF) and an 'F' at the start of a line
 * (encoded only when "rom " follows).  The decoder is a small state
 * machine with a copy loop for the common run of plain bytes.
 */
#include <string.h>

#include "qp.h"

/* Decoder states. */
enum {
	S_TEXT,			/* plain text */
	S_CR,			/* after a CR */
	S_EQ,			/* after '=' */
	S_EQHEX,		/* after '=' and one hex digit */
	S_EQWS,			/* after '=' and blanks */
	S_EQCR			/* after '=', blanks maybe, and CR */
};

static const char	 hexdig[] = "0123456789ABCDEF";

static char	*enc_eol(struct qp_enc *, char *);
static char	*enc_tok(struct qp_enc *, const char *, size_t, char *);
static char	*enc_hex(struct qp_enc *, uint8_t, char *);
static char	*enc_byte(struct qp_enc *, uint8_t, char *);
static char	*enc_from(struct qp_enc *, char *);
static char	*enc_one(struct qp_enc *, uint8_t, char *);
static int	 hexval(uint8_t);
static int	 dec_step(struct qp_dec *, uint8_t, uint64_t, uint8_t **);
static int	 dec_bad(struct qp_dec *);
static void	 dec_flushws(struct qp_dec *, uint8_t **);

void
qp_enc_init(struct qp_enc *e, int flags, const char *eol)
{
	memset(e, 0, sizeof(*e));
	e->flags = flags;
	e->eol = eol != NULL ? eol : "\n";
	e->eollen = strlen(e->eol);
	e->ws = -1;
}

static char *
enc_eol(struct qp_enc *e, char *o)
{
	size_t i;

	for (i = 0; i < e->eollen; i++)
		*o++ = e->eol[i];
	e->col = 0;
	return o;
}

/*
 * Write a token of n characters, after a soft break if it would not fit
 * with room left for the soft break's '=' (RFC 2045 6.7 rule 5).
 */
static char *
enc_tok(struct qp_enc *e, const char *tok, size_t n, char *o)
{
	if (e->col + n > QP_LINE - 1) {
		*o++ = '=';
		o = enc_eol(e, o);
	}
	memcpy(o, tok, n);
	e->col += n;
	return o + n;
}

static char *
enc_hex(struct qp_enc *e, uint8_t c, char *o)
{
	char tok[3];

	tok[0] = '=';
	tok[1] = hexdig[c >> 4];
	tok[2] = hexdig[c & 15];
	return enc_tok(e, tok, 3, o);
}

/* Any byte but a held one: as it is if it is safe, else =XX. */
static char *
enc_byte(struct qp_enc *e, uint8_t c, char *o)
{
	char ch = (char)c;

	if ((c < 33 && c != ' ' && c != '\t') || c > 126 || c == '=')
		return enc_hex(e, c, o);
	if (e->col + 1 > QP_LINE - 1) {
		*o++ = '=';
		o = enc_eol(e, o);
	}
	/* A lone "." line ends SMTP DATA; "From " starts an mbox message. */
	if (e->col == 0 && c == '.' && (e->flags & QP_DOT))
		return enc_hex(e, c, o);
	return enc_tok(e, &ch, 1, o);
}

/* Write the held start of "From" as it is: it did not go on to "From ". */
static char *
enc_from(struct qp_enc *e, char *o)
{
	int i, n = e->from;

	e->from = 0;
	for (i = 0; i < n; i++)
		o = enc_byte(e, (uint8_t)"From"[i], o);
	return o;
}

/* One input byte, with the held bytes. */
static char *
enc_one(struct qp_enc *e, uint8_t c, char *o)
{
	if (e->from > 0) {
		if (e->from < 5 && c == (uint8_t)"From "[e->from]) {
			if (++e->from < 5)
				return o;
			/* "From " at line start: the space goes on as usual. */
			e->from = 0;
			o = enc_hex(e, 'F', o);
			o = enc_tok(e, "rom", 3, o);
		} else
			o = enc_from(e, o);
	}
	if (e->cr) {
		e->cr = 0;
		if (c == '\n') {
			if (e->ws >= 0)
				o = enc_hex(e, (uint8_t)e->ws, o);
			e->ws = -1;
			return enc_eol(e, o);
		}
		if (e->ws >= 0)
			o = enc_byte(e, (uint8_t)e->ws, o);
		e->ws = -1;
		o = enc_hex(e, '\r', o);
	}
	if (!(e->flags & QP_BINARY)) {
		if (c == '\r') {
			e->cr = 1;
			return o;
		}
		if (c == '\n') {
			if (e->ws >= 0)
				o = enc_hex(e, (uint8_t)e->ws, o);
			e->ws = -1;
			return enc_eol(e, o);
		}
	}
	if (e->ws >= 0)
		o = enc_byte(e, (uint8_t)e->ws, o);
	e->ws = -1;
	if (c == ' ' || c == '\t') {
		e->ws = c;
		return o;
	}
	if (c == 'F' && (e->flags & QP_FROM)) {
		if (e->col + 3 > QP_LINE - 1) {
			*o++ = '=';
			o = enc_eol(e, o);
		}
		if (e->col == 0) {
			e->from = 1;
			return o;
		}
	}
	return enc_byte(e, c, o);
}

size_t
qp_enc_update(struct qp_enc *e, const uint8_t *in, size_t n, char *out)
{
	char	*o = out;
	size_t	 i;
	uint8_t	 c;

	for (i = 0; i < n; i++) {
		c = in[i];
		/* The common case: a plain byte inside a line, nothing held. */
		if (c > 32 && c < 127 && c != '=' && e->ws < 0 && !e->cr &&
		    e->from == 0 && e->col > 0 && e->col < QP_LINE - 1) {
			*o++ = (char)c;
			e->col++;
		} else
			o = enc_one(e, c, o);
	}
	return (size_t)(o - out);
}

size_t
qp_enc_final(struct qp_enc *e, char *out)
{
	char *o = out;

	if (e->from > 0)
		o = enc_from(e, o);
	if (e->cr) {
		if (e->ws >= 0)
			o = enc_byte(e, (uint8_t)e->ws, o);
		e->ws = -1;
		o = enc_hex(e, '\r', o);
	}
	/* The end of the data ends the line: a last blank is encoded. */
	if (e->ws >= 0)
		o = enc_hex(e, (uint8_t)e->ws, o);
	e->ws = -1;
	e->cr = 0;
	e->col = 0;
	return (size_t)(o - out);
}

void
qp_dec_init(struct qp_dec *d, int lenient)
{
	memset(d, 0, sizeof(*d));
	d->lenient = lenient;
	d->st = S_TEXT;
}

static int
hexval(uint8_t c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

static void
dec_flushws(struct qp_dec *d, uint8_t **op)
{
	memcpy(*op, d->ws, d->nws);
	*op += d->nws;
	d->nws = 0;
}

/* A strict decoder fails at the pending '='; returns -1 then, else 0. */
static int
dec_bad(struct qp_dec *d)
{
	if (d->lenient)
		return 0;
	d->err = "invalid escape";
	d->erroff = d->eqoff;
	return -1;
}

/* One byte c at input offset off. */
static int
dec_step(struct qp_dec *d, uint8_t c, uint64_t off, uint8_t **op)
{
	int v;

again:
	switch (d->st) {
	case S_TEXT:
		if (c == ' ' || c == '\t') {
			if (d->nws == QP_WSMAX)
				dec_flushws(d, op);
			d->ws[d->nws++] = c;
		} else if (c == '\r')
			d->st = S_CR;
		else if (c == '\n') {
			/* RFC 2045 6.7 rule 3: trailing blanks were added. */
			d->nws = 0;
			*(*op)++ = '\n';
		} else {
			dec_flushws(d, op);
			if (c == '=') {
				d->st = S_EQ;
				d->eqoff = off;
			} else
				*(*op)++ = c;
		}
		return 0;
	case S_CR:
		d->st = S_TEXT;
		if (c == '\n') {
			d->nws = 0;
			*(*op)++ = '\r';
			*(*op)++ = '\n';
			return 0;
		}
		dec_flushws(d, op);
		*(*op)++ = '\r';
		goto again;
	case S_EQ:
		if (hexval(c) >= 0) {
			d->hex = c;
			d->st = S_EQHEX;
		} else if (c == ' ' || c == '\t') {
			d->ws[0] = c;
			d->nws = 1;
			d->st = S_EQWS;
		} else if (c == '\r')
			d->st = S_EQCR;
		else if (c == '\n')
			d->st = S_TEXT;
		else {
			if (dec_bad(d) == -1)
				return -1;
			*(*op)++ = '=';
			d->st = S_TEXT;
			goto again;
		}
		return 0;
	case S_EQHEX:
		if ((v = hexval(c)) >= 0) {
			*(*op)++ = (uint8_t)(hexval(d->hex) << 4 | v);
			d->st = S_TEXT;
			return 0;
		}
		if (dec_bad(d) == -1)
			return -1;
		*(*op)++ = '=';
		*(*op)++ = d->hex;
		d->st = S_TEXT;
		goto again;
	case S_EQWS:
		/* Blanks after a soft break's '=' are transport padding. */
		if (c == ' ' || c == '\t') {
			if (d->nws < QP_WSMAX)
				d->ws[d->nws++] = c;
			return 0;
		}
		if (c == '\r') {
			d->st = S_EQCR;
			return 0;
		}
		if (c == '\n') {
			d->nws = 0;
			d->st = S_TEXT;
			return 0;
		}
		if (dec_bad(d) == -1)
			return -1;
		*(*op)++ = '=';
		dec_flushws(d, op);
		d->st = S_TEXT;
		goto again;
	case S_EQCR:
		if (c == '\n') {
			d->nws = 0;
			d->st = S_TEXT;
			return 0;
		}
		if (dec_bad(d) == -1)
			return -1;
		*(*op)++ = '=';
		dec_flushws(d, op);
		*(*op)++ = '\r';
		d->st = S_TEXT;
		goto again;
	}
	return 0;
}

int
qp_dec_update(struct qp_dec *d, const char *in, size_t n, uint8_t *out,
    size_t *outlen)
{
	const uint8_t	*base = (const uint8_t *)in;
	const uint8_t	*p = base, *end = base + n;
	uint8_t		*o = out, c;

	*outlen = 0;
	if (d->err != NULL)
		return -1;
	while (p < end) {
		if (d->st == S_TEXT && d->nws == 0) {
			while (p < end && (c = *p) != '=' && c != ' ' &&
			    c != '\t' && c != '\r' && c != '\n') {
				*o++ = c;
				p++;
			}
			if (p == end)
				break;
		}
		if (dec_step(d, *p, d->off + (uint64_t)(p - base), &o) == -1) {
			d->off += (uint64_t)(p - base);
			*outlen = (size_t)(o - out);
			return -1;
		}
		p++;
	}
	d->off += n;
	*outlen = (size_t)(o - out);
	return 0;
}

int
qp_dec_final(struct qp_dec *d, uint8_t *out, size_t *outlen)
{
	uint8_t *o = out;

	*outlen = 0;
	if (d->err != NULL)
		return -1;
	switch (d->st) {
	case S_TEXT:
		break;
	case S_CR:
		dec_flushws(d, &o);
		*o++ = '\r';
		break;
	case S_EQHEX:
		if (dec_bad(d) == -1)
			return -1;
		*o++ = '=';
		*o++ = d->hex;
		break;
	default:
		/* '=' at the end of the data: a soft break before nothing. */
		break;
	}
	d->nws = 0;
	d->st = S_TEXT;
	*outlen = (size_t)(o - out);
	return 0;
}

size_t
qp_q_decode(const char *in, size_t n, uint8_t *out)
{
	const uint8_t	*p = (const uint8_t *)in;
	size_t		 i, k = 0;
	int		 hi, lo;

	for (i = 0; i < n; i++) {
		if (p[i] == '_')
			out[k++] = ' ';
		else if (p[i] == '=' && n - i >= 3 &&
		    (hi = hexval(p[i + 1])) >= 0 &&
		    (lo = hexval(p[i + 2])) >= 0) {
			out[k++] = (uint8_t)(hi << 4 | lo);
			i += 2;
		} else
			out[k++] = p[i];
	}
	return k;
}

size_t
qp_q_enclen(uint8_t c, int phrase)
{
	if (c == ' ')
		return 1;
	if (phrase)
		return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		    (c >= '0' && c <= '9') || c == '!' || c == '*' ||
		    c == '+' || c == '-' || c == '/' ? 1 : 3;
	return c > 32 && c < 127 && c != '=' && c != '?' && c != '_' ? 1 : 3;
}

size_t
qp_q_encode(const uint8_t *in, size_t n, int phrase, char *out)
{
	size_t i, k = 0;

	for (i = 0; i < n; i++) {
		if (in[i] == ' ')
			out[k++] = '_';
		else if (qp_q_enclen(in[i], phrase) == 1)
			out[k++] = (char)in[i];
		else {
			out[k++] = '=';
			out[k++] = hexdig[in[i] >> 4];
			out[k++] = hexdig[in[i] & 15];
		}
	}
	return k;
}
