/*
 * fuzz_codec.c: fuzz entry for the transfer-encoding codecs, lib/b64.c
 * and lib/qp.c, as round trips.
 *
 * The first byte picks the options (line length, CR LF or LF, the QP
 * flags, strict or lenient) and seeds the chunk sizes; the rest is the
 * data.  Each check aborts on failure:
 *   - base64: encode (in chunks) then decode (in other chunks) gives the
 *     data back, for every implementation the CPU has (scalar, SSSE3,
 *     AVX2), and all of them write the same characters;
 *   - base64 decode of the raw input: every implementation gives the
 *     same bytes, the same verdict and the same error offset;
 *   - quoted-printable: encode then decode gives the data back (binary
 *     mode exactly; text mode with the line breaks made eol), and no
 *     encoded line is longer than QP_LINE.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "b64.h"
#include "qp.h"

int	fuzz_codec(const uint8_t *, size_t);
int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

struct rnd {
	uint32_t s;
};

static size_t	next_chunk(struct rnd *, size_t);
static char	*b64_enc_all(const uint8_t *, size_t, size_t, const char *,
		    uint32_t, size_t *);
static uint8_t	*b64_dec_all(const char *, size_t, int, uint32_t, size_t *,
		    int *, uint64_t *);
static void	b64_check(const uint8_t *, size_t, uint8_t);
static void	qp_check(const uint8_t *, size_t, uint8_t);

static size_t
next_chunk(struct rnd *r, size_t left)
{
	size_t c;

	r->s ^= r->s << 13;
	r->s ^= r->s >> 17;
	r->s ^= r->s << 5;
	c = r->s % 8 == 0 ? left : 1 + r->s % 97;
	return c < left ? c : left;
}

static char *
b64_enc_all(const uint8_t *p, size_t n, size_t wrap, const char *eol,
    uint32_t seed, size_t *outlen)
{
	struct b64_enc	 e;
	struct rnd	 r = { seed | 1 };
	char		*o;
	size_t		 i, c, k = 0, cap;

	b64_enc_init(&e, wrap, eol);
	cap = b64_enc_bound(&e, n) + b64_enc_bound(&e, 0) + 16;
	if ((o = malloc(cap)) == NULL)
		return NULL;
	for (i = 0; i < n; i += c) {
		c = next_chunk(&r, n - i);
		if (k + b64_enc_bound(&e, c) > cap)
			abort();
		k += b64_enc_update(&e, p + i, c, o + k);
	}
	k += b64_enc_final(&e, o + k);
	if (k > cap)
		abort();
	*outlen = k;
	return o;
}

static uint8_t *
b64_dec_all(const char *s, size_t n, int lenient, uint32_t seed,
    size_t *outlen, int *failed, uint64_t *erroff)
{
	struct b64_dec	 d;
	struct rnd	 r = { seed | 1 };
	uint8_t		*o;
	size_t		 i, c, k = 0, got;

	if ((o = malloc(B64_DEC_BOUND(n) + 3)) == NULL)
		return NULL;
	b64_dec_init(&d, lenient);
	*failed = 0;
	*erroff = 0;
	for (i = 0; i < n; i += c) {
		c = next_chunk(&r, n - i);
		if (b64_dec_update(&d, s + i, c, o + k, &got) != 0) {
			k += got;
			*failed = 1;
			*erroff = d.erroff;
			*outlen = k;
			return o;
		}
		k += got;
	}
	if (b64_dec_final(&d, o + k, &got) != 0) {
		*failed = 1;
		*erroff = d.erroff;
	}
	*outlen = k + got;
	return o;
}

static void
b64_check(const uint8_t *p, size_t n, uint8_t opt)
{
	static const size_t	 wraps[] = { 0, 76, 64, 4, 72, 75, 1, 1000 };
	const char		*eol = opt & 0x08 ? "\r\n" : "\n";
	size_t			 wrap = wraps[opt & 7];
	char			*enc, *first = NULL;
	uint8_t			*dec, *ref = NULL;
	size_t			 el, dl, fl = 0, rl = 0;
	uint64_t		 off, roff = 0;
	int			 impl, best, fail, rfail = 0;

	best = b64_impl_set(B64_IMPL_AVX2);
	for (impl = B64_IMPL_SCALAR; impl <= best; impl++) {
		if (b64_impl_set(impl) != impl)
			continue;
		/* Round trip. */
		if ((enc = b64_enc_all(p, n, wrap, eol, opt * 7919u + n,
		    &el)) == NULL)
			break;
		if (first == NULL) {
			first = enc;
			fl = el;
		} else {
			if (el != fl || memcmp(enc, first, el) != 0)
				abort();
			free(enc);
		}
		dec = b64_dec_all(first, fl, 0, opt * 31u + 7, &dl, &fail,
		    &off);
		if (dec == NULL)
			break;
		if (fail || dl != n || (n > 0 && memcmp(dec, p, n) != 0))
			abort();
		free(dec);

		/* The raw input as base64: every implementation agrees. */
		dec = b64_dec_all((const char *)p, n, opt >> 7, opt, &dl,
		    &fail, &off);
		if (dec == NULL)
			break;
		if (ref == NULL) {
			ref = dec;
			rl = dl;
			rfail = fail;
			roff = off;
		} else {
			if (dl != rl || fail != rfail || off != roff ||
			    (dl > 0 && memcmp(dec, ref, dl) != 0))
				abort();
			free(dec);
		}
	}
	b64_impl_set(B64_IMPL_AUTO);
	free(first);
	free(ref);
}

static void
qp_check(const uint8_t *p, size_t n, uint8_t opt)
{
	static const int	 fl[] = { QP_BINARY, 0, QP_DOT | QP_FROM,
				    QP_BINARY | QP_DOT };
	struct qp_enc		 e;
	struct qp_dec		 d;
	struct rnd		 r = { opt * 104729u + 1 };
	const char		*eol = opt & 0x10 ? "\r\n" : "\n";
	int			 flags = fl[(opt >> 5) & 3];
	char			*o;
	uint8_t			*back, *want;
	size_t			 i, c, k = 0, got, bl = 0, wl = 0, col = 0;

	o = malloc(QP_ENC_BOUND(n) + QP_ENC_BOUND(0));
	back = malloc(n + 1);
	want = malloc(2 * n + 1);
	if (o == NULL || back == NULL || want == NULL)
		goto out;
	qp_enc_init(&e, flags, eol);
	for (i = 0; i < n; i += c) {
		c = next_chunk(&r, n - i);
		k += qp_enc_update(&e, p + i, c, o + k);
	}
	k += qp_enc_final(&e, o + k);
	for (i = 0; i < k; i++) {
		if (o[i] == '\r' || o[i] == '\n') {
			col = 0;
			continue;
		}
		if (++col > QP_LINE)
			abort();
	}
	if ((back = realloc(back, QP_DEC_BOUND(k) + 1)) == NULL)
		goto out;
	qp_dec_init(&d, 0);
	if (qp_dec_update(&d, o, k, back, &got) != 0)
		abort();
	bl = got;
	if (qp_dec_final(&d, back + bl, &got) != 0)
		abort();
	bl += got;
	/* What should come back: binary as it is, text with eol breaks. */
	if (flags & QP_BINARY) {
		memcpy(want, p, n);
		wl = n;
	} else
		for (i = 0; i < n; i++) {
			if (p[i] == '\n' || (p[i] == '\r' && i + 1 < n &&
			    p[i + 1] == '\n')) {
				if (p[i] == '\r')
					i++;
				memcpy(want + wl, eol, strlen(eol));
				wl += strlen(eol);
			} else
				want[wl++] = p[i];
		}
	if (bl != wl || (wl > 0 && memcmp(back, want, wl) != 0))
		abort();
out:
	free(o);
	free(back);
	free(want);
}

int
fuzz_codec(const uint8_t *data, size_t size)
{
	if (size == 0)
		return 0;
	b64_check(data + 1, size - 1, data[0]);
	qp_check(data + 1, size - 1, data[0]);
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return fuzz_codec(data, size);
}
