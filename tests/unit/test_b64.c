/*
 * test_b64.c: base64 against RFC 4648 vectors, chunking and bad input,
 * under every implementation the CPU has; and the vector code against
 * the scalar reference on every length to 1000 split at every point.
 */
#include <stdint.h>
#include <stdlib.h>

#include "b64.h"
#include "mk.h"
#include "t.h"

static const char *vec[][2] = {		/* RFC 4648 10 */
	{ "", "" },
	{ "f", "Zg==" },
	{ "fo", "Zm8=" },
	{ "foo", "Zm9v" },
	{ "foob", "Zm9vYg==" },
	{ "fooba", "Zm9vYmE=" },
	{ "foobar", "Zm9vYmFy" }
};

static uint32_t rnd_state = 2463534242u;

/* xorshift32: the same bytes on every run. */
static uint32_t
rnd(void)
{
	rnd_state ^= rnd_state << 13;
	rnd_state ^= rnd_state >> 17;
	rnd_state ^= rnd_state << 5;
	return rnd_state;
}

/* Encode in one go into a malloc'd buffer; *lenp gets the length. */
static char *
enc_all(const uint8_t *in, size_t n, size_t wrap, const char *eol,
    size_t *lenp)
{
	struct b64_enc	 e;
	char		*out;
	size_t		 k;

	b64_enc_init(&e, wrap, eol);
	out = malloc(b64_enc_bound(&e, n) + b64_enc_bound(&e, 0));
	k = b64_enc_update(&e, in, n, out);
	T_CHECK(k <= b64_enc_bound(&e, n));
	k += b64_enc_final(&e, out + k);
	*lenp = k;
	return out;
}

/* Decode in one go; returns the rc, with the output in out, *lenp. */
static int
dec_all(const char *in, size_t n, int lenient, uint8_t *out, size_t *lenp,
    const char **err, uint64_t *off)
{
	struct b64_dec	d;
	size_t		k1 = 0, k2 = 0;
	int		rc;

	b64_dec_init(&d, lenient);
	rc = b64_dec_update(&d, in, n, out, &k1);
	if (rc == 0)
		rc = b64_dec_final(&d, out + k1, &k2);
	*lenp = k1 + k2;
	*err = d.err;
	*off = d.erroff;
	return rc;
}

static void
rfc4648_vectors(void)
{
	uint8_t		 out[64];
	char		*s;
	const char	*err;
	uint64_t	 off;
	size_t		 i, n;

	for (i = 0; i < MK_NELEM(vec); i++) {
		s = enc_all((const uint8_t *)vec[i][0], strlen(vec[i][0]), 0,
		    NULL, &n);
		T_EQ_MEM(s, n, vec[i][1], strlen(vec[i][1]));
		free(s);
		T_EQ_INT(dec_all(vec[i][1], strlen(vec[i][1]), 0, out, &n,
		    &err, &off), 0);
		T_EQ_MEM(out, n, vec[i][0], strlen(vec[i][0]));
		n = b64_encode((const uint8_t *)vec[i][0], strlen(vec[i][0]),
		    (char *)out);
		T_EQ_MEM(out, n, vec[i][1], strlen(vec[i][1]));
		T_EQ_INT(n, B64_ENC_LEN(strlen(vec[i][0])));
	}
}

/* Wrapped output is the unwrapped text with eol after every wrap chars. */
static void
check_wrap(size_t n, size_t wrap, const char *eol)
{
	uint8_t	*in = malloc(n + 1);
	char	*flat, *w, *exp;
	size_t	 fl, wl, i, k = 0;

	for (i = 0; i < n; i++)
		in[i] = (uint8_t)rnd();
	flat = enc_all(in, n, 0, NULL, &fl);
	w = enc_all(in, n, wrap, eol, &wl);
	exp = malloc(2 * fl + 16);
	for (i = 0; i < fl; i++) {
		exp[k++] = flat[i];
		if ((i + 1) % wrap == 0 || i + 1 == fl) {
			memcpy(exp + k, eol, strlen(eol));
			k += strlen(eol);
		}
	}
	T_EQ_MEM(w, wl, exp, k);
	free(in);
	free(flat);
	free(w);
	free(exp);
}

static void
wrap_lines(void)
{
	uint8_t	 in[58];
	char	*w;
	size_t	 n, i;

	memset(in, 0, sizeof(in));
	w = enc_all(in, 57, B64_WRAP, "\n", &n);	/* one full line */
	T_EQ_INT(n, 77);
	T_CHECK(w[76] == '\n');
	free(w);
	w = enc_all(in, 58, B64_WRAP, "\r\n", &n);
	T_EQ_INT(n, 76 + 2 + 4 + 2);
	T_CHECK(memcmp(w + 76, "\r\nAA==\r\n", 8) == 0);
	free(w);
	w = enc_all(in, 0, B64_WRAP, "\n", &n);		/* nothing: no EOL */
	T_EQ_INT(n, 0);
	free(w);
	for (i = 0; i < 200; i++) {
		check_wrap(i, 76, "\n");
		check_wrap(i, 76, "\r\n");
		check_wrap(i, 4, "\n");
		check_wrap(i, 10, "\r\n");	/* not a multiple of 4 */
		check_wrap(i, 1, "\n");
	}
	check_wrap(100000, 76, "\r\n");
}

/* Every split point, and three-way splits, give the one-shot output. */
static void
enc_chunks(void)
{
	static const size_t	 wraps[] = { 0, 76, 10 };
	struct b64_enc		 e;
	uint8_t			 in[97];
	char			*one, out[512];
	size_t			 n1, i, j, w, k;

	for (i = 0; i < sizeof(in); i++)
		in[i] = (uint8_t)rnd();
	for (w = 0; w < MK_NELEM(wraps); w++) {
		one = enc_all(in, sizeof(in), wraps[w], "\r\n", &n1);
		for (i = 0; i <= sizeof(in); i++)
			for (j = i; j <= sizeof(in); j += 7) {
				b64_enc_init(&e, wraps[w], "\r\n");
				k = b64_enc_update(&e, in, i, out);
				k += b64_enc_update(&e, in + i, j - i, out + k);
				k += b64_enc_update(&e, in + j,
				    sizeof(in) - j, out + k);
				k += b64_enc_final(&e, out + k);
				T_EQ_MEM(out, k, one, n1);
			}
		/* One byte at a time. */
		b64_enc_init(&e, wraps[w], "\r\n");
		for (i = 0, k = 0; i < sizeof(in); i++)
			k += b64_enc_update(&e, in + i, 1, out + k);
		k += b64_enc_final(&e, out + k);
		T_EQ_MEM(out, k, one, n1);
		free(one);
	}
}

static void
dec_chunks(void)
{
	struct b64_dec	 d;
	uint8_t		 in[200], out[400];
	char		*txt;
	size_t		 n, i, j, k, k2;

	for (i = 0; i < sizeof(in); i++)
		in[i] = (uint8_t)rnd();
	for (n = 0; n <= sizeof(in); n += 13) {
		txt = enc_all(in, n, B64_WRAP, "\r\n", &k);
		for (i = 0; i <= k; i++) {
			b64_dec_init(&d, 0);
			T_EQ_INT(b64_dec_update(&d, txt, i, out, &k2), 0);
			j = k2;
			T_EQ_INT(b64_dec_update(&d, txt + i, k - i, out + j,
			    &k2), 0);
			j += k2;
			T_EQ_INT(b64_dec_final(&d, out + j, &k2), 0);
			j += k2;
			T_EQ_MEM(out, j, in, n);
		}
		b64_dec_init(&d, 0);
		for (i = 0, j = 0; i < k; i++) {
			T_EQ_INT(b64_dec_update(&d, txt + i, 1, out + j, &k2),
			    0);
			j += k2;
		}
		T_EQ_INT(b64_dec_final(&d, out + j, &k2), 0);
		T_EQ_MEM(out, j + k2, in, n);
		free(txt);
	}
}

static void
dec_blanks(void)
{
	uint8_t		 out[64];
	const char	*err, *s = " Zm9v\tYm\r\nFy \n\n";
	uint64_t	 off;
	size_t		 n;

	T_EQ_INT(dec_all(s, strlen(s), 0, out, &n, &err, &off), 0);
	T_EQ_MEM(out, n, "foobar", 6);
	s = "Zm8=\r\n \t";		/* blanks after the padding */
	T_EQ_INT(dec_all(s, strlen(s), 0, out, &n, &err, &off), 0);
	T_EQ_MEM(out, n, "fo", 2);
	s = "Zg= =";			/* blank inside the padding */
	T_EQ_INT(dec_all(s, strlen(s), 0, out, &n, &err, &off), 0);
	T_EQ_MEM(out, n, "f", 1);
}

/* A strict decode of s fails with why at offset at. */
static void
strict_fails(const char *s, const char *why, uint64_t at)
{
	uint8_t		 out[128];
	const char	*err;
	uint64_t	 off;
	size_t		 n;

	T_EQ_INT(dec_all(s, strlen(s), 0, out, &n, &err, &off), -1);
	T_EQ_STR(err, why);
	T_EQ_INT(off, at);
	if (err == NULL || strcmp(err, why) != 0 || off != at)
		printf("#   input \"%s\"\n", s);
}

static void
dec_strict(void)
{
	struct b64_dec	 d;
	uint8_t		 out[64];
	const char	*err;
	size_t		 n, eo;

	strict_fails("Zm9v!mFy", "invalid character", 4);
	strict_fails("Zm9vYm-y", "invalid character", 6);
	strict_fails("Zm9v\nYmF\x80", "invalid character", 8);
	strict_fails("=Zm9", "bad padding", 0);
	strict_fails("Z===", "bad padding", 1);
	strict_fails("Zg=a", "bad padding", 3);
	strict_fails("Zg=\n a", "bad padding", 5);
	strict_fails("Zg==Zg==", "data after padding", 4);
	strict_fails("Zm8=\nZm8=", "data after padding", 5);
	strict_fails("Zm8==", "data after padding", 4);
	strict_fails("Zm9vY", "truncated final quantum", 4);
	strict_fails("Zm9v\r\nYmE", "truncated final quantum", 6);
	strict_fails("Zg", "truncated final quantum", 0);
	strict_fails("Zg=", "truncated final quantum", 0);
	/* The offset counts across chunks; later calls fail at once. */
	b64_dec_init(&d, 0);
	T_EQ_INT(b64_dec_update(&d, "Zm9v", 4, out, &n), 0);
	T_EQ_INT(n, 3);
	T_EQ_INT(b64_dec_update(&d, "Ym\n!y", 5, out, &n), -1);
	T_EQ_INT(d.erroff, 7);
	T_EQ_INT(n, 0);
	T_EQ_INT(b64_dec_update(&d, "Zm9v", 4, out, &n), -1);
	T_EQ_INT(b64_dec_final(&d, out, &n), -1);
	/* Bytes before the error are handed back. */
	b64_dec_init(&d, 0);
	T_EQ_INT(b64_dec_update(&d, "Zm9vYmFyZm9v?", 13, out, &n), -1);
	T_EQ_MEM(out, n, "foobarfoo", 9);
	T_EQ_INT(b64_decode("Zm9v$", 5, out, &n, 0, &err, &eo), -1);
	T_EQ_STR(err, "invalid character");
	T_EQ_INT(eo, 4);
}

static void
dec_lenient(void)
{
	static const char *cases[][2] = {
		{ "Zm9v!Ym Fy", "foobar" },
		{ "Zm9vYmFy-_", "foobar" },
		{ "Zg", "f" },
		{ "Zm8", "fo" },
		{ "Zm9vY", "foo" },
		{ "Zg=", "f" },
		{ "Zg==Zm8=", "ffo" },		/* concatenated streams */
		{ "Zg=Zm8=", "ffo" },		/* a lost '=' */
		{ "=Zm9v=", "foo" },
		{ "Z=g==", "f" },
		{ "\x80\xff", "" }
	};
	uint8_t		 out[64];
	const char	*err;
	uint64_t	 off;
	size_t		 i, n;

	for (i = 0; i < MK_NELEM(cases); i++) {
		T_EQ_INT(dec_all(cases[i][0], strlen(cases[i][0]), 1, out, &n,
		    &err, &off), 0);
		T_EQ_MEM(out, n, cases[i][1], strlen(cases[i][1]));
	}
}

/* Every prefix of a valid text, and random bytes: no crash, no overrun. */
static void
dec_hostile(void)
{
	uint8_t		*out, in[300];
	char		*txt, junk[512];
	const char	*err;
	uint64_t	 off;
	size_t		 i, n, k, r;

	for (i = 0; i < sizeof(in); i++)
		in[i] = (uint8_t)rnd();
	txt = enc_all(in, sizeof(in), B64_WRAP, "\n", &k);
	for (i = 0; i <= k; i++) {
		out = malloc(B64_DEC_BOUND(i) + 3);
		dec_all(txt, i, 0, out, &n, &err, &off);
		T_CHECK(n <= B64_DEC_BOUND(i));
		T_CHECK(err == NULL || off <= i);
		dec_all(txt + k - i, i, 1, out, &n, &err, &off);
		T_CHECK(err == NULL);
		free(out);
	}
	free(txt);
	for (r = 0; r < 2000; r++) {
		k = rnd() % sizeof(junk);
		for (i = 0; i < k; i++)
			junk[i] = "AZaz09+/= \n\r!\x80"[rnd() % 15];
		out = malloc(B64_DEC_BOUND(k) + 3);
		dec_all(junk, k, r & 1, out, &n, &err, &off);
		T_CHECK(n <= B64_DEC_BOUND(k) + 2);
		free(out);
	}
}

/* Random lengths and chunkings round-trip. */
static void
round_trip(void)
{
	struct b64_enc	 e;
	struct b64_dec	 d;
	uint8_t		*in, *back;
	char		*txt;
	size_t		 n, i, k, c, j, bk;
	int		 r;

	for (r = 0; r < 300; r++) {
		n = rnd() % 5000;
		in = malloc(n + 1);
		for (i = 0; i < n; i++)
			in[i] = (uint8_t)rnd();
		b64_enc_init(&e, r % 3 == 0 ? 0 : B64_WRAP,
		    r % 2 ? "\r\n" : "\n");
		txt = malloc(b64_enc_bound(&e, n) + 8);
		for (i = 0, k = 0; i < n; i += c) {
			c = 1 + rnd() % 700;
			if (c > n - i)
				c = n - i;
			k += b64_enc_update(&e, in + i, c, txt + k);
		}
		k += b64_enc_final(&e, txt + k);
		T_CHECK(k <= b64_enc_bound(&e, n));
		back = malloc(B64_DEC_BOUND(k) + 3);
		b64_dec_init(&d, 0);
		for (i = 0, j = 0; i < k; i += c) {
			c = 1 + rnd() % 300;
			if (c > k - i)
				c = k - i;
			T_EQ_INT(b64_dec_update(&d, txt + i, c, back + j, &bk),
			    0);
			j += bk;
		}
		T_EQ_INT(b64_dec_final(&d, back + j, &bk), 0);
		T_EQ_MEM(back, j + bk, in, n);
		free(in);
		free(txt);
		free(back);
	}
}

static const int impls[] = { B64_IMPL_SSSE3, B64_IMPL_AVX2 };

/* Fill n bytes with random data; for decoding tests, text-like too. */
static uint8_t *
rnd_bytes(size_t n)
{
	uint8_t	*p = malloc(n > 0 ? n : 1);
	size_t	 i;

	for (i = 0; i < n; i++)
		p[i] = (uint8_t)rnd();
	return p;
}

/*
 * Encode in[0..n) in two calls split at i, into buffers sized exactly by
 * b64_enc_bound() (so that ASan sees any write past them); returns the
 * text in a malloc'd buffer, its length in *lenp.
 */
static char *
enc_split(const uint8_t *in, size_t n, size_t i, size_t wrap,
    const char *eol, size_t *lenp)
{
	struct b64_enc	 e;
	char		*all, *a, *b, *c;
	size_t		 ka, kb, kc;

	b64_enc_init(&e, wrap, eol);
	a = malloc(b64_enc_bound(&e, i));
	b = malloc(b64_enc_bound(&e, n - i));
	c = malloc(b64_enc_bound(&e, 0));
	ka = b64_enc_update(&e, in, i, a);
	T_CHECK(ka <= b64_enc_bound(&e, i));
	kb = b64_enc_update(&e, in + i, n - i, b);
	T_CHECK(kb <= b64_enc_bound(&e, n - i));
	kc = b64_enc_final(&e, c);
	all = malloc(ka + kb + kc + 1);
	memcpy(all, a, ka);
	memcpy(all + ka, b, kb);
	memcpy(all + ka + kb, c, kc);
	free(a);
	free(b);
	free(c);
	*lenp = ka + kb + kc;
	return all;
}

/* The outcome of a decode: the bytes, the status, the error and offset. */
struct dec_res {
	uint8_t		*out;		/* malloc'd */
	size_t		 len;
	int		 rc;
	const char	*err;
	uint64_t	 off;
};

/*
 * Decode txt[0..n) in two calls split at i, each into a buffer of
 * exactly B64_DEC_BOUND() bytes.
 */
static void
dec_split(const char *txt, size_t n, size_t i, int lenient,
    struct dec_res *r)
{
	struct b64_dec	 d;
	uint8_t		*a, *b, c[4];
	size_t		 ka = 0, kb = 0, kc = 0;

	b64_dec_init(&d, lenient);
	a = malloc(B64_DEC_BOUND(i));
	b = malloc(B64_DEC_BOUND(n - i));
	r->rc = b64_dec_update(&d, txt, i, a, &ka);
	if (r->rc == 0)
		r->rc = b64_dec_update(&d, txt + i, n - i, b, &kb);
	if (r->rc == 0)
		r->rc = b64_dec_final(&d, c, &kc);
	r->out = malloc(ka + kb + kc + 1);
	memcpy(r->out, a, ka);
	memcpy(r->out + ka, b, kb);
	memcpy(r->out + ka + kb, c, kc);
	r->len = ka + kb + kc;
	r->err = d.err;
	r->off = d.erroff;
	free(a);
	free(b);
}

/* r is what the reference gave; q must be the same. */
static int
dec_same(const struct dec_res *r, const struct dec_res *q)
{
	return r->rc == q->rc && r->len == q->len &&
	    memcmp(r->out, q->out, r->len) == 0 &&
	    (r->err == NULL) == (q->err == NULL) &&
	    (r->err == NULL || (strcmp(r->err, q->err) == 0 &&
	    r->off == q->off));
}

/* Choosing the implementation: by call, by environment, with names. */
static void
impl_choice(void)
{
	int best;

	T_EQ_INT(b64_impl_set(B64_IMPL_SCALAR), B64_IMPL_SCALAR);
	T_EQ_INT(b64_impl_get(), B64_IMPL_SCALAR);
	T_EQ_STR(b64_impl_name(B64_IMPL_SCALAR), "scalar");
	T_EQ_STR(b64_impl_name(B64_IMPL_AVX2), "avx2");
	T_EQ_STR(b64_impl_name(B64_IMPL_SSSE3), "ssse3");
	setenv("MKIT_B64_SCALAR", "1", 1);
	T_EQ_INT(b64_impl_set(B64_IMPL_AUTO), B64_IMPL_SCALAR);
	setenv("MKIT_B64_SCALAR", "0", 1);
	best = b64_impl_set(B64_IMPL_AUTO);
	unsetenv("MKIT_B64_SCALAR");
	T_EQ_INT(b64_impl_set(B64_IMPL_AUTO), best);
	T_CHECK(b64_impl_set(B64_IMPL_AVX2) <= B64_IMPL_AVX2);
	T_EQ_INT(b64_impl_set(B64_IMPL_AVX2), b64_impl_get());
	printf("# best here: %s\n", b64_impl_name(best));
	b64_impl_set(B64_IMPL_AUTO);
}

/*
 * Encode in[0..n) with impl split at every point; returns how many
 * splits differ from the scalar one-shot text, printing the first.
 */
static size_t
enc_vs_scalar(const uint8_t *in, size_t n, size_t wrap, const char *eol,
    int impl)
{
	char	*ref, *got;
	size_t	 i, rl, gl, bad = 0;

	b64_impl_set(B64_IMPL_SCALAR);
	ref = enc_split(in, n, n, wrap, eol, &rl);
	b64_impl_set(impl);
	for (i = 0; i <= n; i++) {
		got = enc_split(in, n, i, wrap, eol, &gl);
		if ((gl != rl || memcmp(got, ref, rl) != 0) && bad++ == 0)
			printf("#   %s: n %zu split %zu wrap %zu\n",
			    b64_impl_name(impl), n, i, wrap);
		free(got);
	}
	free(ref);
	return bad;
}

/*
 * Encoding: every length 0..1000, every split point, wraps 0, 76 and 64,
 * both line breaks: each vector implementation gives the scalar bytes.
 */
static void
enc_simd_vs_scalar(void)
{
	static const size_t	 wraps[] = { 0, B64_WRAP, 64 };
	static const char	*eols[] = { "\n", "\r\n" };
	uint8_t			*in;
	size_t			 n, w, l, bad;
	unsigned		 m;

	for (m = 0; m < MK_NELEM(impls); m++) {
		if (b64_impl_set(impls[m]) != impls[m]) {
			printf("# %s: not on this CPU\n",
			    b64_impl_name(impls[m]));
			continue;
		}
		bad = 0;
		for (n = 0; n <= 1000; n++) {
			in = rnd_bytes(n);
			for (w = 0; w < MK_NELEM(wraps); w++)
				for (l = 0; l < MK_NELEM(eols); l++)
					bad += enc_vs_scalar(in, n, wraps[w],
					    eols[l], impls[m]);
			free(in);
		}
		T_EQ_INT(bad, 0);
	}
	b64_impl_set(B64_IMPL_AUTO);
}

/*
 * Damage a text the way real mail does: a byte outside the alphabet, a
 * stray '=', a blank or a lone line break, at a random place.
 */
static void
damage(char *t, size_t n)
{
	static const char	 bad[] = "!=- \t\r\n\x80\xff.";
	size_t			 k, j;

	if (n == 0)
		return;
	for (k = 1 + rnd() % 3; k > 0; k--) {
		j = rnd() % n;
		t[j] = bad[rnd() % (sizeof(bad) - 1)];
	}
}

/*
 * Decoding: texts of every length 0..1000 (wrapped at 76 and unwrapped,
 * both line breaks), whole and damaged, strict and lenient: the same
 * bytes, status, reason and offset as the scalar code.  Whole texts are
 * split at every point; damaged ones at every point up to 300 bytes of
 * data, at 16 random points above (every point there costs minutes
 * under ASan).
 */
static void
dec_simd_vs_scalar(void)
{
	static const size_t	 wraps[] = { B64_WRAP, 0 };
	static const char	*eols[] = { "\n", "\r\n" };
	struct dec_res		 ref, got;
	uint8_t			*in;
	char			*txt;
	size_t			 n, i, k, w, l, bad, nerr;
	unsigned		 m;
	int			 dmg, len;

	for (m = 0; m < MK_NELEM(impls); m++) {
		if (b64_impl_set(impls[m]) != impls[m])
			continue;
		bad = nerr = 0;
		for (n = 0; n <= 1000; n++) {
			in = rnd_bytes(n);
			for (w = 0; w < MK_NELEM(wraps); w++)
			for (l = 0; l < MK_NELEM(eols); l++)
			for (dmg = 0; dmg < 2; dmg++)
			for (len = 0; len < 1 + dmg; len++) {
				b64_impl_set(B64_IMPL_SCALAR);
				txt = enc_split(in, n, n, wraps[w], eols[l],
				    &k);
				if (dmg)
					damage(txt, k);
				dec_split(txt, k, k, len, &ref);
				if (ref.rc == -1)
					nerr++;
				if (!dmg && !len)
					T_CHECK(ref.rc == 0 && ref.len == n &&
					    memcmp(ref.out, in, n) == 0);
				b64_impl_set(impls[m]);
				for (i = 0; i <= k; i++) {
					if (dmg && n > 300 && i < k &&
					    rnd() % k >= 16)
						continue;
					dec_split(txt, k, i, len, &got);
					if (!dec_same(&ref, &got) &&
					    bad++ == 0)
						printf("#   %s: n %zu split "
						    "%zu wrap %zu damaged %d "
						    "lenient %d\n",
						    b64_impl_name(impls[m]),
						    n, i, wraps[w], dmg, len);
					free(got.out);
				}
				free(ref.out);
				free(txt);
			}
			free(in);
		}
		T_EQ_INT(bad, 0);
		/* The damage must have hit the error paths. */
		T_CHECK(nerr > 1000);
	}
	b64_impl_set(B64_IMPL_AUTO);
}

/* The error offsets of long texts, where the vector loops run. */
static void
dec_simd_offsets(void)
{
	struct dec_res	 ref, got;
	uint8_t		*in;
	char		*txt;
	size_t		 k, j, bad = 0;
	unsigned	 m, r;

	in = rnd_bytes(30000);
	for (r = 0; r < 400; r++) {
		b64_impl_set(B64_IMPL_SCALAR);
		txt = enc_split(in, 30000, 0, r % 2 ? B64_WRAP : 0,
		    r % 4 < 2 ? "\n" : "\r\n", &k);
		j = rnd() % k;
		txt[j] = "!= \x80"[r % 4];
		dec_split(txt, k, k, 0, &ref);
		T_CHECK(ref.rc == -1 || txt[j] == ' ');
		for (m = 0; m < MK_NELEM(impls); m++) {
			if (b64_impl_set(impls[m]) != impls[m])
				continue;
			dec_split(txt, k, rnd() % (k + 1), 0, &got);
			if (!dec_same(&ref, &got) && bad++ == 0)
				printf("#   %s: damage at %zu\n",
				    b64_impl_name(impls[m]), j);
			free(got.out);
		}
		free(ref.out);
		free(txt);
	}
	T_EQ_INT(bad, 0);
	free(in);
	b64_impl_set(B64_IMPL_AUTO);
}

/*
 * Lines of every length 1..130, as broken mail has them: the vector
 * runs end at every place relative to a line break.
 */
static void
dec_simd_lines(void)
{
	struct dec_res	 ref, got;
	uint8_t		*in;
	char		*txt;
	size_t		 n, w, k, i, bad = 0;
	unsigned	 m;

	for (w = 1; w <= 130; w++)
		for (n = 0; n <= 400; n += 1 + rnd() % 40) {
			in = rnd_bytes(n);
			b64_impl_set(B64_IMPL_SCALAR);
			txt = enc_split(in, n, n, w, w % 2 ? "\n" : "\r\n",
			    &k);
			dec_split(txt, k, k, 0, &ref);
			T_CHECK(ref.rc == 0 && ref.len == n &&
			    memcmp(ref.out, in, n) == 0);
			for (m = 0; m < MK_NELEM(impls); m++) {
				if (b64_impl_set(impls[m]) != impls[m])
					continue;
				for (i = 0; i < 4; i++) {
					dec_split(txt, k, i == 0 ? k :
					    rnd() % (k + 1), 0, &got);
					if (!dec_same(&ref, &got) &&
					    bad++ == 0)
						printf("#   %s: n %zu wrap "
						    "%zu\n", b64_impl_name(
						    impls[m]), n, w);
					free(got.out);
				}
			}
			free(ref.out);
			free(txt);
			free(in);
		}
	T_EQ_INT(bad, 0);
	b64_impl_set(B64_IMPL_AUTO);
}

int
main(void)
{
	static const int	 all[] = { B64_IMPL_SCALAR, B64_IMPL_SSSE3,
				    B64_IMPL_AVX2 };
	unsigned		 m;

	setvbuf(stdout, NULL, _IOLBF, 0);	/* progress, when slow */
	/* The behaviour tests, under each implementation there is. */
	for (m = 0; m < MK_NELEM(all); m++) {
		if (b64_impl_set(all[m]) != all[m]) {
			printf("# %s: not on this CPU\n",
			    b64_impl_name(all[m]));
			continue;
		}
		printf("# implementation: %s\n", b64_impl_name(all[m]));
		T_RUN(rfc4648_vectors);
		T_RUN(wrap_lines);
		T_RUN(enc_chunks);
		T_RUN(dec_chunks);
		T_RUN(dec_blanks);
		T_RUN(dec_strict);
		T_RUN(dec_lenient);
		T_RUN(dec_hostile);
		T_RUN(round_trip);
	}
	T_RUN(impl_choice);
	T_RUN(enc_simd_vs_scalar);
	T_RUN(dec_simd_vs_scalar);
	T_RUN(dec_simd_offsets);
	T_RUN(dec_simd_lines);
	T_DONE();
}
