/*
 * test_sha256.c: SHA-256 against the FIPS 180-2 appendix B examples and
 * the NIST CAVP short and long message vectors, fed whole and in every
 * split so that the block buffering is exercised.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sha256.h"
#include "t.h"

static void	hex_of(const uint8_t [SHA256_LEN], char *);

static void
hex_of(const uint8_t md[SHA256_LEN], char *out)
{
	int i;

	for (i = 0; i < SHA256_LEN; i++)
		snprintf(out + 2 * i, 3, "%02x", md[i]);
}

/* FIPS 180-2 B.1, B.2, and the empty message. */
static void
test_vectors(void)
{
	static const struct {
		const char	*in;
		const char	*md;
	} v[] = {
		{ "", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b"
		    "7852b855" },
		{ "abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410"
		    "ff61f20015ad" },
		{ "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
		    "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd4"
		    "19db06c1" },
		{ "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmn"
		    "hijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu",
		    "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac4503"
		    "7afee9d1" }
	};
	char	out[SHA256_HEXLEN + 1];
	size_t	i;

	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		sha256_hex(v[i].in, strlen(v[i].in), out);
		T_EQ_STR(out, v[i].md);
	}
}

/* NIST CAVP SHA256ShortMsg: Len = 8, 0xd3; Len = 16, 0x11af. */
static void
test_cavp(void)
{
	static const uint8_t	m1[] = { 0xd3 }, m2[] = { 0x11, 0xaf };
	char			out[SHA256_HEXLEN + 1];

	sha256_hex(m1, sizeof(m1), out);
	T_EQ_STR(out, "28969cdfa74a12c82f3bad960b0b000aca2ac329deea5c2328ebc6"
	    "f2ba9802c1");
	sha256_hex(m2, sizeof(m2), out);
	T_EQ_STR(out, "5ca7133fa735326081558ac312c620eeca9970d1e70a4b95533d95"
	    "6f072d1f98");
}

/* One million 'a' (FIPS 180-2 B.3), in pieces of odd sizes. */
static void
test_million(void)
{
	struct sha256	c;
	uint8_t		md[SHA256_LEN];
	char		a[997], out[SHA256_HEXLEN + 1];
	size_t		left = 1000000, k;

	memset(a, 'a', sizeof(a));
	sha256_init(&c);
	while (left > 0) {
		k = left < sizeof(a) ? left : sizeof(a);
		sha256_update(&c, a, k);
		left -= k;
	}
	sha256_final(&c, md);
	hex_of(md, out);
	T_EQ_STR(out, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39"
	    "ccc7112cd0");
}

/* Every split of a 200-byte input, and every length 0..200, agree. */
static void
test_splits(void)
{
	struct sha256	c;
	uint8_t		in[200], md[SHA256_LEN];
	char		whole[SHA256_HEXLEN + 1], out[SHA256_HEXLEN + 1];
	size_t		i, j;

	for (i = 0; i < sizeof(in); i++)
		in[i] = (uint8_t)(i * 7 + 3);
	for (j = 0; j <= sizeof(in); j++) {
		sha256_hex(in, j, whole);
		for (i = 0; i <= j; i += (j < 70 ? 1 : 13)) {
			sha256_init(&c);
			sha256_update(&c, in, i);
			sha256_update(&c, in + i, 0);
			sha256_update(&c, in + i, j - i);
			sha256_final(&c, md);
			hex_of(md, out);
			T_EQ_STR(out, whole);
		}
	}
	/* 55, 56 and 64 bytes: the padding edges. */
	memset(in, 'a', 64);
	sha256_hex(in, 55, out);
	T_EQ_STR(out, "9f4390f8d30c2dd92ec9f095b65e2b9ae9b0a925a5258e241c9f1e"
	    "910f734318");
	sha256_hex(in, 56, out);
	T_EQ_STR(out, "b35439a4ac6f0948b6d6f9e3c6af0f5f590ce20f1bde7090ef7970"
	    "686ec6738a");
	sha256_hex(in, 64, out);
	T_EQ_STR(out, "ffe054fe7ae0cb6dc65c3af9b61d5209f439851db43d0ba5997337"
	    "df154668eb");
}

int
main(void)
{
	T_RUN(test_vectors);
	T_RUN(test_cavp);
	T_RUN(test_million);
	T_RUN(test_splits);
	T_DONE();
}
