/*
 * b64.c: streaming base64.
 *
 * The encoder turns 12 input bits into two characters with one lookup
 * (e12, 8 KiB), so 3 bytes cost 2 lookups and no branches.  The decoder
 * reads 4 characters at a time through four 256-entry tables that hold
 * each character's 6 bits already shifted into place; an OR of the four
 * gives the 24 output bits, and one flag bit set by every byte outside
 * the alphabet sends the group to a byte-at-a-time slow path, which also
 * handles whitespace, padding and errors.  All tables are built by the
 * preprocessor, so they are constant and shared.
 */
#include <string.h>

#include "b64.h"

/* The character for a 6-bit value (RFC 4648 table 1), as a constant. */
#define B64C(x)	((x) < 26 ? 'A' + (x) : (x) < 52 ? 'a' + (x) - 26 : \
	    (x) < 62 ? '0' + (x) - 52 : (x) == 62 ? '+' : '/')

/* The 6-bit value of a character, 64 for '=', 65 for blanks, 66 else. */
#define V_PAD	64
#define V_WS	65
#define V_BAD	66
#define B64V(c)	((c) >= 'A' && (c) <= 'Z' ? (c) - 'A' :			\
	    (c) >= 'a' && (c) <= 'z' ? (c) - 'a' + 26 :			\
	    (c) >= '0' && (c) <= '9' ? (c) - '0' + 52 :			\
	    (c) == '+' ? 62 : (c) == '/' ? 63 : (c) == '=' ? V_PAD :	\
	    (c) == ' ' || (c) == '\t' || (c) == '\r' || (c) == '\n' ||	\
	    (c) == '\f' || (c) == '\v' ? V_WS : V_BAD)

/* Set in a fast-table entry for anything that is not a data character. */
#define BAD	0x80000000u
#define DT(c, sh)	(B64V(c) < 64 ? (uint32_t)B64V(c) << (sh) : BAD)

#define R4(f, i)	f(i), f((i) + 1), f((i) + 2), f((i) + 3)
#define R16(f, i)	R4(f, i), R4(f, (i) + 4), R4(f, (i) + 8), \
	    R4(f, (i) + 12)
#define R64(f, i)	R16(f, i), R16(f, (i) + 16), R16(f, (i) + 32), \
	    R16(f, (i) + 48)
#define R256(f, i)	R64(f, i), R64(f, (i) + 64), R64(f, (i) + 128), \
	    R64(f, (i) + 192)
#define R1024(f, i)	R256(f, i), R256(f, (i) + 256), R256(f, (i) + 512), \
	    R256(f, (i) + 768)
#define R4096(f, i)	R1024(f, i), R1024(f, (i) + 1024), \
	    R1024(f, (i) + 2048), R1024(f, (i) + 3072)

#define E2(i)	B64C(((i) >> 6) & 63), B64C((i) & 63)
#define D0(c)	DT(c, 18)
#define D1(c)	DT(c, 12)
#define D2(c)	DT(c, 6)
#define D3(c)	DT(c, 0)
#define DV(c)	(uint8_t)B64V(c)

static const char	 e12[8192] = { R4096(E2, 0) };
static const uint32_t	 d0[256] = { R256(D0, 0) };
static const uint32_t	 d1[256] = { R256(D1, 0) };
static const uint32_t	 d2[256] = { R256(D2, 0) };
static const uint32_t	 d3[256] = { R256(D3, 0) };
static const uint8_t	 dv[256] = { R256(DV, 0) };

static inline uint64_t load64(const uint8_t *);
static char	*enc_groups(const uint8_t *, size_t, const uint8_t *, char *);
static inline char *enc_eol(const struct b64_enc *, char *);
static char	*enc_put(struct b64_enc *, const char *, size_t, char *);
static char	*enc_lines(struct b64_enc *, const uint8_t *, size_t,
		    const uint8_t *, char *);
static const uint8_t *dec_fast(const uint8_t *, const uint8_t *,
		    uint8_t **);
static int	 dec_slow(struct b64_dec *, uint8_t, uint64_t, uint8_t **);
static int	 dec_fail(struct b64_dec *, const char *, uint64_t);

void
b64_enc_init(struct b64_enc *e, size_t wrap, const char *eol)
{
	memset(e, 0, sizeof(*e));
	e->wrap = wrap;
	e->eol = eol != NULL ? eol : "\n";
	e->eollen = strlen(e->eol);
}

/* Eight bytes as a big-endian number; compilers make this one load. */
static inline uint64_t
load64(const uint8_t *p)
{
	return (uint64_t)p[0] << 56 | (uint64_t)p[1] << 48 |
	    (uint64_t)p[2] << 40 | (uint64_t)p[3] << 32 |
	    (uint64_t)p[4] << 24 | (uint64_t)p[5] << 16 |
	    (uint64_t)p[6] << 8 | p[7];
}

size_t
b64_enc_bound(const struct b64_enc *e, size_t n)
{
	size_t chars;

	/* Up to two held bytes join n, and _final adds one group. */
	chars = ((n + 2) / 3 + 1) * 4;
	if (e->wrap == 0)
		return chars;
	return chars + (chars / e->wrap + 1) * e->eollen;
}

/*
 * Encode ng whole groups of 3 bytes as one unbroken run.  The loops read
 * 8 bytes at a time as a big-endian number of which the top 48 bits
 * count, so they run only while end, the end of readable input, is at
 * least 8 bytes away.
 */
static char *
enc_groups(const uint8_t *in, size_t ng, const uint8_t *end, char *o)
{
	uint64_t v, w;
	uint32_t a;

	for (; ng >= 4 && end - in >= 14; ng -= 4, in += 12, o += 16) {
		v = load64(in);
		w = load64(in + 6);
		memcpy(o, e12 + 2 * (v >> 52), 2);
		memcpy(o + 2, e12 + 2 * (v >> 40 & 0xfff), 2);
		memcpy(o + 4, e12 + 2 * (v >> 28 & 0xfff), 2);
		memcpy(o + 6, e12 + 2 * (v >> 16 & 0xfff), 2);
		memcpy(o + 8, e12 + 2 * (w >> 52), 2);
		memcpy(o + 10, e12 + 2 * (w >> 40 & 0xfff), 2);
		memcpy(o + 12, e12 + 2 * (w >> 28 & 0xfff), 2);
		memcpy(o + 14, e12 + 2 * (w >> 16 & 0xfff), 2);
	}
	for (; ng >= 2 && end - in >= 8; ng -= 2, in += 6, o += 8) {
		v = load64(in);
		memcpy(o, e12 + 2 * (v >> 52), 2);
		memcpy(o + 2, e12 + 2 * (v >> 40 & 0xfff), 2);
		memcpy(o + 4, e12 + 2 * (v >> 28 & 0xfff), 2);
		memcpy(o + 6, e12 + 2 * (v >> 16 & 0xfff), 2);
	}
	for (; ng > 0; ng--, in += 3, o += 4) {
		a = (uint32_t)in[0] << 16 | (uint32_t)in[1] << 8 | in[2];
		memcpy(o, e12 + 2 * (a >> 12), 2);
		memcpy(o + 2, e12 + 2 * (a & 0xfff), 2);
	}
	return o;
}

/* The line break; a loop, as a memcpy of a variable size is a call. */
static inline char *
enc_eol(const struct b64_enc *e, char *o)
{
	size_t i;

	for (i = 0; i < e->eollen; i++)
		*o++ = e->eol[i];
	return o;
}

/* Write n characters one at a time, breaking lines (any wrap). */
static char *
enc_put(struct b64_enc *e, const char *s, size_t n, char *o)
{
	size_t i;

	for (i = 0; i < n; i++) {
		*o++ = s[i];
		if (e->wrap != 0 && ++e->col == e->wrap) {
			o = enc_eol(e, o);
			e->col = 0;
		}
	}
	return o;
}

/* Encode ng groups of 3 bytes, with line breaks; end as enc_groups(). */
static char *
enc_lines(struct b64_enc *e, const uint8_t *in, size_t ng,
    const uint8_t *end, char *o)
{
	char	tmp[4];
	size_t	k;

	if (e->wrap == 0)
		return enc_groups(in, ng, end, o);
	if (e->wrap % 4 == 0) {
		/* col stays a multiple of 4: whole groups fill each line. */
		while (ng > 0) {
			k = (e->wrap - e->col) / 4;
			if (k > ng)
				k = ng;
			o = enc_groups(in, k, end, o);
			in += 3 * k;
			ng -= k;
			e->col += 4 * k;
			if (e->col == e->wrap) {
				o = enc_eol(e, o);
				e->col = 0;
			}
		}
		return o;
	}
	for (; ng > 0; ng--, in += 3) {
		enc_groups(in, 1, end, tmp);
		o = enc_put(e, tmp, 4, o);
	}
	return o;
}

size_t
b64_enc_update(struct b64_enc *e, const uint8_t *in, size_t n, char *out)
{
	char	*o = out;
	size_t	 ng;

	if (e->ncarry > 0) {
		while (e->ncarry < 3 && n > 0) {
			e->carry[e->ncarry++] = *in++;
			n--;
		}
		if (e->ncarry < 3)
			return 0;
		o = enc_lines(e, e->carry, 1, e->carry + 3, o);
		e->ncarry = 0;
	}
	ng = n / 3;
	o = enc_lines(e, in, ng, in + n, o);
	in += 3 * ng;
	n -= 3 * ng;
	if (n > 0)
		memcpy(e->carry, in, n);
	e->ncarry = n;
	return (size_t)(o - out);
}

size_t
b64_enc_final(struct b64_enc *e, char *out)
{
	char	 tmp[4];
	char	*o = out;

	if (e->ncarry > 0) {
		if (e->ncarry == 1)
			e->carry[1] = 0;
		e->carry[2] = 0;
		enc_groups(e->carry, 1, e->carry + 3, tmp);
		tmp[3] = '=';
		if (e->ncarry == 1)
			tmp[2] = '=';
		o = enc_put(e, tmp, 4, o);
	}
	if (e->wrap != 0 && e->col > 0)
		o = enc_eol(e, o);
	e->col = 0;
	e->ncarry = 0;
	return (size_t)(o - out);
}

size_t
b64_encode(const uint8_t *in, size_t n, char *out)
{
	struct b64_enc	e;
	size_t		k;

	b64_enc_init(&e, 0, NULL);
	k = b64_enc_update(&e, in, n, out);
	return k + b64_enc_final(&e, out + k);
}

void
b64_dec_init(struct b64_dec *d, int lenient)
{
	memset(d, 0, sizeof(*d));
	d->lenient = lenient;
}

/*
 * Decode whole groups of 4 data characters while there are any, and step
 * over the line breaks between them; stop at the first group holding
 * anything else (other blanks, '=', a bad byte) for dec_slow().
 */
static const uint8_t *
dec_fast(const uint8_t *p, const uint8_t *end, uint8_t **op)
{
	uint8_t		*o = *op;
	uint32_t	 a, b, c, d;

	for (;;) {
		while (end - p >= 16) {
			a = d0[p[0]] | d1[p[1]] | d2[p[2]] | d3[p[3]];
			b = d0[p[4]] | d1[p[5]] | d2[p[6]] | d3[p[7]];
			c = d0[p[8]] | d1[p[9]] | d2[p[10]] | d3[p[11]];
			d = d0[p[12]] | d1[p[13]] | d2[p[14]] | d3[p[15]];
			if ((a | b | c | d) & BAD)
				break;
			o[0] = (uint8_t)(a >> 16);
			o[1] = (uint8_t)(a >> 8);
			o[2] = (uint8_t)a;
			o[3] = (uint8_t)(b >> 16);
			o[4] = (uint8_t)(b >> 8);
			o[5] = (uint8_t)b;
			o[6] = (uint8_t)(c >> 16);
			o[7] = (uint8_t)(c >> 8);
			o[8] = (uint8_t)c;
			o[9] = (uint8_t)(d >> 16);
			o[10] = (uint8_t)(d >> 8);
			o[11] = (uint8_t)d;
			p += 16;
			o += 12;
		}
		while (end - p >= 4) {
			a = d0[p[0]] | d1[p[1]] | d2[p[2]] | d3[p[3]];
			if (a & BAD)
				break;
			o[0] = (uint8_t)(a >> 16);
			o[1] = (uint8_t)(a >> 8);
			o[2] = (uint8_t)a;
			p += 4;
			o += 3;
		}
		if (end - p >= 1 && p[0] == '\n')
			p++;
		else if (end - p >= 2 && p[0] == '\r' && p[1] == '\n')
			p += 2;
		else
			break;
	}
	*op = o;
	return p;
}

static int
dec_fail(struct b64_dec *d, const char *why, uint64_t off)
{
	d->err = why;
	d->erroff = off;
	return -1;
}

/* One byte c at input offset off, with all the rules. */
static int
dec_slow(struct b64_dec *d, uint8_t c, uint64_t off, uint8_t **op)
{
	uint8_t v = dv[c];

	if (v == V_WS)
		return 0;
	if (d->ended) {
		if (!d->lenient)
			return dec_fail(d, "data after padding", off);
		if (v >= 64)
			return 0;
		d->ended = 0;
	}
	if (d->npad) {
		/* "xx=" must be followed by the second '='. */
		*(*op)++ = (uint8_t)(d->acc >> 4);
		d->acc = 0;
		d->nq = 0;
		d->npad = 0;
		if (v == V_PAD) {
			d->ended = 1;
			return 0;
		}
		if (!d->lenient)
			return dec_fail(d, "bad padding", off);
		if (v >= 64)
			return 0;
	}
	if (v == V_PAD) {
		if (d->nq == 2) {
			d->npad = 1;
			return 0;
		}
		if (d->nq == 3) {
			*(*op)++ = (uint8_t)(d->acc >> 10);
			*(*op)++ = (uint8_t)(d->acc >> 2);
			d->acc = 0;
			d->nq = 0;
			d->ended = 1;
			return 0;
		}
		if (!d->lenient)
			return dec_fail(d, "bad padding", off);
		return 0;
	}
	if (v == V_BAD) {
		if (!d->lenient)
			return dec_fail(d, "invalid character", off);
		return 0;
	}
	if (d->nq == 0)
		d->qoff = off;
	d->acc = d->acc << 6 | v;
	if (++d->nq == 4) {
		*(*op)++ = (uint8_t)(d->acc >> 16);
		*(*op)++ = (uint8_t)(d->acc >> 8);
		*(*op)++ = (uint8_t)d->acc;
		d->acc = 0;
		d->nq = 0;
	}
	return 0;
}

int
b64_dec_update(struct b64_dec *d, const char *in, size_t n, uint8_t *out,
    size_t *outlen)
{
	const uint8_t	*base = (const uint8_t *)in;
	const uint8_t	*p = base, *end = base + n;
	uint8_t		*o = out;

	*outlen = 0;
	if (d->err != NULL)
		return -1;
	while (p < end) {
		if (d->nq == 0 && d->npad == 0 && !d->ended) {
			p = dec_fast(p, end, &o);
			if (p == end)
				break;
		}
		if (dec_slow(d, *p, d->off + (uint64_t)(p - base), &o) == -1) {
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
b64_dec_final(struct b64_dec *d, uint8_t *out, size_t *outlen)
{
	size_t k = 0;

	*outlen = 0;
	if (d->err != NULL)
		return -1;
	if (d->nq > 0) {
		if (!d->lenient)
			return dec_fail(d, "truncated final quantum", d->qoff);
		if (d->nq == 2)
			out[k++] = (uint8_t)(d->acc >> 4);
		else if (d->nq == 3) {
			out[k++] = (uint8_t)(d->acc >> 10);
			out[k++] = (uint8_t)(d->acc >> 2);
		}
	}
	d->acc = 0;
	d->nq = d->npad = d->ended = 0;
	*outlen = k;
	return 0;
}

int
b64_decode(const char *in, size_t n, uint8_t *out, size_t *outlen,
    int lenient, const char **errp, size_t *erroffp)
{
	struct b64_dec	d;
	size_t		k1, k2 = 0;
	int		rc;

	b64_dec_init(&d, lenient);
	rc = b64_dec_update(&d, in, n, out, &k1);
	if (rc == 0)
		rc = b64_dec_final(&d, out + k1, &k2);
	*outlen = k1 + k2;
	if (rc == -1) {
		if (errp != NULL)
			*errp = d.err;
		if (erroffp != NULL)
			*erroffp = (size_t)d.erroff;
	}
	return rc;
}
