/*
 * fuzz_hdr.c: fuzz entry for lib/hdr.c (RFC 5322 fields, RFC 2047
 * words, RFC 2231 parameters), with the codecs it leans on.
 *
 * The input goes whole through every decoder, then each parsed field
 * goes through unfolding, the word decoder and the parameter parser.
 * When the input is valid UTF-8 without NULs it also checks that the
 * encoders round-trip: decode(unfold(encode(s))) == s for words and for
 * a filename parameter; a mismatch aborts.
 *
 * libFuzzer:	clang -fsanitize=fuzzer,address -Ilib tests/fuzz/fuzz_hdr.c
 *		    lib/hdr.c lib/b64.c lib/qp.c lib/buf.c lib/mk.c
 * Plain:	the same with any C17 compiler and a driver that calls
 *		LLVMFuzzerTestOneInput() on files.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "b64.h"
#include "buf.h"
#include "hdr.h"
#include "qp.h"

int	fuzz_hdr(const uint8_t *, size_t);
int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static void	one_value(const char *, size_t);
static int	valid_utf8(const uint8_t *, size_t);
static void	check_words(const char *);
static void	check_param(const char *);

/* Everything that reads a single field body. */
static void
one_value(const char *s, size_t n)
{
	struct hdr_params	 pp;
	struct mk_buf		 b;
	char			*u;
	size_t			 k, i;
	int			 fl = 0;

	buf_init(&b, 1 << 20);
	(void)hdr_decode_words(s, n, &b, &fl);
	buf_free(&b);
	if ((u = malloc(n + 1)) == NULL)
		return;
	k = hdr_unfold(s, n, u);
	if (hdr_params_parse(u, k, &pp) == 0) {
		for (i = 0; i < pp.n; i++)
			if (hdr_param_find(&pp, pp.v[i].name) == NULL)
				abort();
		(void)hdr_param_get(&pp, "filename");
		hdr_params_free(&pp);
	}
	free(u);
}

/* Strictly valid UTF-8 (the encoders' input contract for round trips). */
static int
valid_utf8(const uint8_t *p, size_t n)
{
	struct mk_buf	b;
	int		fl = 0;

	buf_init(&b, 0);
	(void)hdr_charset_to_utf8("utf-8", p, n, &b, &fl);
	buf_free(&b);
	return (fl & HDR_DW_REPLACED) == 0 && memchr(p, '\0', n) == NULL;
}

static void
check_words(const char *s)
{
	struct mk_buf	 e, d;
	char		*u;
	size_t		 k, skip;

	buf_init(&e, 0);
	buf_init(&d, 0);
	if (hdr_encode_words(s, "Subject", &e) == 0 &&
	    (u = malloc(e.len + 1)) != NULL) {
		k = hdr_unfold((char *)e.p, e.len, u);
		/*
		 * Blanks at the start of a field body are not part of it
		 * (and a fold right after "Subject: " may add one).
		 */
		for (skip = 0; skip < k && (u[skip] == ' ' || u[skip] == '\t');
		    skip++)
			;
		while (*s == ' ' || *s == '\t')
			s++;
		if (hdr_decode_words(u + skip, k - skip, &d, NULL) == 0 &&
		    strcmp(buf_str(&d), s) != 0)
			abort();
		free(u);
	}
	buf_free(&e);
	buf_free(&d);
}

static void
check_param(const char *s)
{
	struct hdr_params	 pp;
	struct mk_buf		 e;
	const char		*v;
	char			*u;
	size_t			 k;

	buf_init(&e, 0);
	if (hdr_param_encode(&e, "filename", s, HDR_PE_ASCII) == 0 &&
	    (u = malloc(e.len + 1)) != NULL) {
		k = hdr_unfold((char *)e.p, e.len, u);
		if (hdr_params_parse(u, k, &pp) == 0) {
			v = hdr_param_get(&pp, "filename");
			if (v == NULL || strcmp(v, s) != 0)
				abort();
			hdr_params_free(&pp);
		}
		free(u);
	}
	buf_free(&e);
}

int
fuzz_hdr(const uint8_t *data, size_t size)
{
	struct hdr_block	 hb;
	struct b64_dec		 bd;
	struct qp_dec		 qd;
	const char		*s = (const char *)data;
	uint8_t			*out;
	char			*z;
	size_t			 i, k;

	one_value(s, size);
	if (hdr_block_parse(s, size, 4096, 64, &hb) == 0) {
		for (i = 0; i < hb.n; i++)
			one_value(hb.fields[i].value, hb.fields[i].valuelen);
		hdr_block_free(&hb);
	}
	if ((out = malloc(QP_DEC_BOUND(size) + B64_DEC_BOUND(size))) != NULL) {
		(void)qp_q_decode(s, size, out);
		b64_dec_init(&bd, size & 1);
		if (b64_dec_update(&bd, s, size, out, &k) == 0)
			(void)b64_dec_final(&bd, out, &k);
		qp_dec_init(&qd, size & 1);
		if (qp_dec_update(&qd, s, size, out, &k) == 0)
			(void)qp_dec_final(&qd, out, &k);
		free(out);
	}
	if (size < 2000 && valid_utf8(data, size) &&
	    (z = malloc(size + 1)) != NULL) {
		memcpy(z, data, size);
		z[size] = '\0';
		check_words(z);
		check_param(z);
		free(z);
	}
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return fuzz_hdr(data, size);
}
