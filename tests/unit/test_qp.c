/* test_qp.c: quoted-printable both ways, RFC 2045 6.7, and RFC 2047 Q. */
#include <stdint.h>

#include "mk.h"
#include "qp.h"
#include "t.h"

static uint32_t rnd_state = 88172645u;

static uint32_t
rnd(void)
{
	rnd_state ^= rnd_state << 13;
	rnd_state ^= rnd_state >> 17;
	rnd_state ^= rnd_state << 5;
	return rnd_state;
}

/* Encode s (n bytes) in one go; a malloc'd C string. */
static char *
enc(const char *s, size_t n, int flags, const char *eol)
{
	struct qp_enc	 e;
	char		*out;
	size_t		 k;

	qp_enc_init(&e, flags, eol);
	out = malloc(QP_ENC_BOUND(n) + QP_ENC_BOUND(0) + 1);
	k = qp_enc_update(&e, (const uint8_t *)s, n, out);
	T_CHECK(k <= QP_ENC_BOUND(n));
	k += qp_enc_final(&e, out + k);
	out[k] = '\0';
	return out;
}

static void
enc_is(const char *in, int flags, const char *eol, const char *want)
{
	char *got = enc(in, strlen(in), flags, eol);

	T_EQ_STR(got, want);
	free(got);
}

/* Decode in one go; rc, output (NUL-terminated) and error offset. */
static int
dec(const char *s, size_t n, int lenient, char *out, size_t *lenp,
    uint64_t *off)
{
	struct qp_dec	d;
	size_t		k1 = 0, k2 = 0;
	int		rc;

	qp_dec_init(&d, lenient);
	rc = qp_dec_update(&d, s, n, (uint8_t *)out, &k1);
	if (rc == 0)
		rc = qp_dec_final(&d, (uint8_t *)out + k1, &k2);
	out[k1 + k2] = '\0';
	*lenp = k1 + k2;
	*off = d.erroff;
	if (rc == -1)
		T_EQ_STR(d.err, "invalid escape");
	return rc;
}

static void
dec_is(const char *in, int lenient, const char *want)
{
	char		out[1024];
	size_t		n;
	uint64_t	off;

	T_EQ_INT(dec(in, strlen(in), lenient, out, &n, &off), 0);
	T_EQ_MEM(out, n, want, strlen(want));
	if (n != strlen(want) || memcmp(out, want, n) != 0)
		printf("#   input \"%s\" gave \"%s\"\n", in, out);
}

static void
strict_fails(const char *in, uint64_t at)
{
	char		out[1024];
	size_t		n;
	uint64_t	off;

	T_EQ_INT(dec(in, strlen(in), 0, out, &n, &off), -1);
	T_EQ_INT(off, at);
}

static void
enc_basic(void)
{
	enc_is("", 0, "\n", "");
	enc_is("Hello, World!\n", 0, "\n", "Hello, World!\n");
	enc_is("a=b", 0, "\n", "a=3Db");
	enc_is("caf\xc3\xa9", 0, "\n", "caf=C3=A9");
	enc_is("tab\there", 0, "\n", "tab\there");
	enc_is("\x7f\x01", 0, "\n", "=7F=01");
	/* Line breaks: both kinds in, eol out; a bare CR is data. */
	enc_is("a\r\nb\nc", 0, "\r\n", "a\r\nb\r\nc");
	enc_is("a\rb", 0, "\n", "a=0Db");
	enc_is("a\r", 0, "\n", "a=0D");
	enc_is("a\r\r\n", 0, "\n", "a=0D\n");
	enc_is("a\n\n", 0, "\n", "a\n\n");
	/* Binary: CR and LF are data. */
	enc_is("a\r\nb\n", QP_BINARY, "\n", "a=0D=0Ab=0A");
}

static void
enc_trailing(void)
{
	enc_is("abc \n", 0, "\n", "abc=20\n");
	enc_is("abc\t\r\nx", 0, "\r\n", "abc=09\r\nx");
	enc_is("abc  \n", 0, "\n", "abc =20\n");
	enc_is("abc ", 0, "\n", "abc=20");
	enc_is("a b", 0, "\n", "a b");
	enc_is(" \r\n", 0, "\n", "=20\n");
	enc_is("a \rb", 0, "\n", "a =0Db");
	enc_is("a \r", 0, "\n", "a =0D");
	enc_is("a  ", QP_BINARY, "\n", "a =20");
}

/* Every line of s is at most QP_LINE characters. */
static int
lines_ok(const char *s)
{
	size_t col = 0;

	for (; *s != '\0'; s++) {
		if (*s == '\n' || *s == '\r') {
			col = 0;
			continue;
		}
		if (++col > QP_LINE)
			return 0;
	}
	return 1;
}

static void
enc_soft(void)
{
	char	in[300], *got, want[300];
	size_t	i;

	memset(in, 'a', 100);
	in[100] = '\0';
	got = enc(in, 100, 0, "\n");
	memset(want, 'a', 75);
	memcpy(want + 75, "=\n", 2);
	memset(want + 77, 'a', 25);
	want[102] = '\0';
	T_EQ_STR(got, want);
	free(got);
	/* =XX is never split; lines stay short with any mix. */
	memset(in, 0xff, 100);
	got = enc(in, 100, 0, "\r\n");
	T_CHECK(lines_ok(got));
	T_CHECK(strncmp(got, "=FF=FF", 6) == 0);
	T_CHECK(strstr(got, "=FF=\r\n=FF") != NULL);
	free(got);
	for (i = 0; i < sizeof(in) - 1; i++)
		in[i] = "a =\xe9\t\n."[rnd() % 7];
	in[sizeof(in) - 1] = '\0';
	got = enc(in, strlen(in), QP_DOT | QP_FROM, "\n");
	T_CHECK(lines_ok(got));
	free(got);
	/* A line of exactly 75 data characters needs no soft break. */
	memset(in, 'b', 75);
	memcpy(in + 75, "\n", 2);
	got = enc(in, 76, 0, "\n");
	T_EQ_STR(got, in);
	free(got);
}

static void
enc_safety(void)
{
	enc_is(".\n", QP_DOT, "\n", "=2E\n");
	enc_is("a\n.b\n", QP_DOT, "\n", "a\n=2Eb\n");
	enc_is("a.b", QP_DOT, "\n", "a.b");
	enc_is(".\n", 0, "\n", ".\n");
	enc_is("From me\n", QP_FROM, "\n", "=46rom me\n");
	enc_is("x\nFrom ", QP_FROM, "\n", "x\n=46rom=20");
	enc_is("Frog\nFro", QP_FROM, "\n", "Frog\nFro");
	enc_is("F\n", QP_FROM, "\n", "F\n");
	enc_is("FFrom x", QP_FROM, "\n", "FFrom x");
	enc_is("a From x", QP_FROM, "\n", "a From x");
	enc_is("From x", 0, "\n", "From x");
}

/* Every split point and one byte at a time give the one-shot output. */
static void
enc_chunks(void)
{
	static const char *in = "From \t\r\n.x = caf\xc3\xa9 \r\rFro\n"
	    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	    "aaaaaaaaaaaaaaaaaaa\t \r\n";
	struct qp_enc	 e;
	char		*one, out[1024];
	size_t		 n = strlen(in), i, j, k;
	int		 f;

	for (f = 0; f < 8; f++) {
		one = enc(in, n, f, "\r\n");
		for (i = 0; i <= n; i++) {
			qp_enc_init(&e, f, "\r\n");
			k = qp_enc_update(&e, (const uint8_t *)in, i, out);
			k += qp_enc_update(&e, (const uint8_t *)in + i, n - i,
			    out + k);
			k += qp_enc_final(&e, out + k);
			T_EQ_MEM(out, k, one, strlen(one));
		}
		qp_enc_init(&e, f, "\r\n");
		for (j = 0, k = 0; j < n; j++)
			k += qp_enc_update(&e, (const uint8_t *)in + j, 1,
			    out + k);
		k += qp_enc_final(&e, out + k);
		T_EQ_MEM(out, k, one, strlen(one));
		free(one);
	}
}

static void
dec_rfc2045(void)
{
	char		out[64];
	size_t		n;
	uint64_t	off;

	/* RFC 2045 6.7 (5): soft line breaks. */
	dec_is("Now's the time =\r\nfor all folk to come=\r\n to the aid of "
	    "their country.", 0,
	    "Now's the time for all folk to come to the aid of their "
	    "country.");
	dec_is("Now's the time =\nfor all folk to come=\n to the aid of "
	    "their country.", 0,
	    "Now's the time for all folk to come to the aid of their "
	    "country.");
	dec_is("=41=42=4a=4B=c3=A9", 0, "ABJK\xc3\xa9");
	dec_is("a=3Db", 0, "a=b");
	T_EQ_INT(dec("=00x", 4, 0, out, &n, &off), 0);
	T_EQ_MEM(out, n, "\0x", 2);
	dec_is("line\r\nnext\n", 0, "line\r\nnext\n");
}

static void
dec_trailing(void)
{
	dec_is("abc  \t\nxyz \r\n", 0, "abc\nxyz\r\n");
	dec_is("abc   ", 0, "abc");
	dec_is("a b\tc", 0, "a b\tc");
	dec_is("a =\n", 0, "a ");
	dec_is("soft= \t\r\nbreak", 0, "softbreak");
	dec_is("soft=  \nbreak", 0, "softbreak");
	dec_is("end=", 0, "end");
	dec_is("end=  ", 0, "end");
	dec_is("a \rb", 0, "a \rb");
	dec_is("a \r", 0, "a \r");
	dec_is("a=20\n", 0, "a \n");
}

static void
dec_invalid(void)
{
	strict_fails("a=ZZb", 1);
	strict_fails("a=4Gb", 1);
	strict_fails("abc=4", 3);
	strict_fails("x= y", 1);
	strict_fails("x=\ry", 1);
	dec_is("100%=3D=", 0, "100%=");
	dec_is("a=ZZb", 1, "a=ZZb");
	dec_is("a=4Gb", 1, "a=4Gb");
	dec_is("abc=4", 1, "abc=4");
	dec_is("x= y", 1, "x= y");
	dec_is("x=\ry", 1, "x=\ry");
	dec_is("=\n=", 1, "");
	dec_is("1+1==2", 1, "1+1==2");
	dec_is("a==41", 1, "a=A");
}

static void
dec_chunks(void)
{
	static const char *in = "a=41 \t\r\nb=\r\n c=4\n=ZZ= \nend=\r\nx \r"
	    "=c3=a9  \n";
	struct qp_dec	 d;
	uint8_t		 one[256], out[1024];
	size_t		 n = strlen(in), n1, i, k, k2, j;
	uint64_t	 off;

	T_EQ_INT(dec(in, n, 1, (char *)one, &n1, &off), 0);
	for (i = 0; i <= n; i++) {
		qp_dec_init(&d, 1);
		T_EQ_INT(qp_dec_update(&d, in, i, out, &k), 0);
		T_EQ_INT(qp_dec_update(&d, in + i, n - i, out + k, &k2), 0);
		k += k2;
		T_EQ_INT(qp_dec_final(&d, out + k, &k2), 0);
		T_EQ_MEM(out, k + k2, one, n1);
	}
	qp_dec_init(&d, 1);
	for (j = 0, k = 0; j < n; j++) {
		T_EQ_INT(qp_dec_update(&d, in + j, 1, out + k, &k2), 0);
		k += k2;
	}
	T_EQ_INT(qp_dec_final(&d, out + k, &k2), 0);
	T_EQ_MEM(out, k + k2, one, n1);
	/* The error offset counts across chunks. */
	qp_dec_init(&d, 0);
	T_EQ_INT(qp_dec_update(&d, "abc=4", 5, out, &k), 0);
	T_EQ_INT(qp_dec_update(&d, "1=", 2, out, &k), 0);
	T_EQ_INT(qp_dec_update(&d, "x", 1, out, &k), -1);
	T_EQ_INT(d.erroff, 6);
	T_EQ_INT(qp_dec_update(&d, "x", 1, out, &k), -1);
}

static void
dec_blanks_long(void)
{
	char		in[700], out[1024];
	size_t		n;
	uint64_t	off;

	in[0] = 'a';
	memset(in + 1, ' ', 600);
	memcpy(in + 601, "b\n", 3);
	T_EQ_INT(dec(in, strlen(in), 0, out, &n, &off), 0);
	T_EQ_MEM(out, n, in, strlen(in));
	/* Too many trailing blanks: let through, no overrun. */
	memcpy(in + 601, "\n", 2);
	T_EQ_INT(dec(in, strlen(in), 0, out, &n, &off), 0);
	T_CHECK(n <= QP_DEC_BOUND(strlen(in)));
	T_CHECK(out[n - 1] == '\n');
}

/* Every prefix and suffix decodes within the bound, strict or not. */
static void
dec_prefixes(void)
{
	static const char *in = "a=41 \t\r\nb=\r\n c=4\n=ZZ= \nend=\r\nx \r"
	    "=c3=a9  \n=";
	char		out[256];
	size_t		n = strlen(in), i, k;
	uint64_t	off;
	int		rc;

	for (i = 0; i <= n; i++) {
		rc = dec(in, i, 0, out, &k, &off);
		T_CHECK(k <= QP_DEC_BOUND(i));
		T_CHECK(rc == 0 || off < i);
		T_EQ_INT(dec(in + n - i, i, 1, out, &k, &off), 0);
		T_CHECK(k <= QP_DEC_BOUND(i));
	}
}

/* Random text round-trips: binary exactly, text with CR LF as LF. */
static void
round_trip(void)
{
	static const char	 pool[] = "ab =\t\r\n.F\xe9\x00From ";
	char			 in[2000], want[2000], *txt, back[4096];
	size_t			 n, i, k, wn;
	uint64_t		 off;
	int			 r, bin;

	for (r = 0; r < 400; r++) {
		n = rnd() % sizeof(in);
		for (i = 0; i < n; i++)
			in[i] = pool[rnd() % (sizeof(pool) - 1)];
		bin = r & 1;
		for (i = 0, wn = 0; i < n; i++)
			if (bin || !(in[i] == '\r' && i + 1 < n &&
			    in[i + 1] == '\n'))
				want[wn++] = in[i];
		txt = enc(in, n, (bin ? QP_BINARY : 0) | (r & 2 ? QP_DOT |
		    QP_FROM : 0), "\n");
		T_CHECK(lines_ok(txt));
		k = strlen(txt);
		T_EQ_INT(dec(txt, k, 0, back, &n, &off), 0);
		T_EQ_MEM(back, n, want, wn);
		free(txt);
	}
}

static void
q_word(void)
{
	uint8_t	out[64];
	char	enc2[64];
	size_t	n;

	n = qp_q_decode("a_b=3Dc=3d=", 11, out);
	T_EQ_MEM(out, n, "a b=c==", 7);
	n = qp_q_decode("=4", 2, out);
	T_EQ_MEM(out, n, "=4", 2);
	n = qp_q_decode("=E9t=E9", 7, out);
	T_EQ_MEM(out, n, "\xe9t\xe9", 3);
	n = qp_q_encode((const uint8_t *)"a b=?_\xe9.", 8, 0, enc2);
	T_EQ_MEM(enc2, n, "a_b=3D=3F=5F=E9.", 16);
	n = qp_q_encode((const uint8_t *)"a.b(c)\"", 7, 1, enc2);
	T_EQ_MEM(enc2, n, "a=2Eb=28c=29=22", 15);
	T_EQ_INT(qp_q_enclen(' ', 1), 1);
	T_EQ_INT(qp_q_enclen('!', 1), 1);
	T_EQ_INT(qp_q_enclen('@', 1), 3);
	T_EQ_INT(qp_q_enclen('@', 0), 1);
	T_EQ_INT(qp_q_enclen('_', 0), 3);
}

int
main(void)
{
	T_RUN(enc_basic);
	T_RUN(enc_trailing);
	T_RUN(enc_soft);
	T_RUN(enc_safety);
	T_RUN(enc_chunks);
	T_RUN(dec_rfc2045);
	T_RUN(dec_trailing);
	T_RUN(dec_invalid);
	T_RUN(dec_chunks);
	T_RUN(dec_blanks_long);
	T_RUN(dec_prefixes);
	T_RUN(round_trip);
	T_RUN(q_word);
	T_DONE();
}
