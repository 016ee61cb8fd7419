/*
 * sha256.c: SHA-256 as FIPS 180-4 section 6.2 describes it.
 */
#include <string.h>

#include "sha256.h"

static void	block(struct sha256 *, const uint8_t *);

/* FIPS 180-4 4.2.2: the first 32 bits of the cube roots of 64 primes. */
static const uint32_t K[64] = {
	0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b,
	0x59f111f1, 0x923f82a4, 0xab1c5ed5, 0xd807aa98, 0x12835b01,
	0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7,
	0xc19bf174, 0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc,
	0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152,
	0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147,
	0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc,
	0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
	0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819,
	0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116, 0x1e376c08,
	0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f,
	0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208,
	0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2
};

#define ROR(x, n)	((x) >> (n) | (x) << (32 - (n)))
#define CH(x, y, z)	(((x) & (y)) ^ (~(x) & (z)))
#define MAJ(x, y, z)	(((x) & (y)) ^ ((x) & (z)) ^ ((y) & (z)))
#define S0(x)		(ROR(x, 2) ^ ROR(x, 13) ^ ROR(x, 22))
#define S1(x)		(ROR(x, 6) ^ ROR(x, 11) ^ ROR(x, 25))
#define s0(x)		(ROR(x, 7) ^ ROR(x, 18) ^ ((x) >> 3))
#define s1(x)		(ROR(x, 17) ^ ROR(x, 19) ^ ((x) >> 10))

void
sha256_init(struct sha256 *c)
{
	/* 5.3.3: the first 32 bits of the square roots of 8 primes. */
	static const uint32_t h0[8] = {
		0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
		0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19
	};

	memcpy(c->h, h0, sizeof(h0));
	c->bytes = 0;
	c->nblk = 0;
}

/* One 64-byte block into the state (6.2.2). */
static void
block(struct sha256 *c, const uint8_t *p)
{
	uint32_t	w[64], a, b, d, e, f, g, h, x, t1, t2;
	int		i;

	for (i = 0; i < 16; i++)
		w[i] = (uint32_t)p[4 * i] << 24 | (uint32_t)p[4 * i + 1] << 16 |
		    (uint32_t)p[4 * i + 2] << 8 | (uint32_t)p[4 * i + 3];
	for (i = 16; i < 64; i++)
		w[i] = s1(w[i - 2]) + w[i - 7] + s0(w[i - 15]) + w[i - 16];
	a = c->h[0];
	b = c->h[1];
	x = c->h[2];
	d = c->h[3];
	e = c->h[4];
	f = c->h[5];
	g = c->h[6];
	h = c->h[7];
	for (i = 0; i < 64; i++) {
		t1 = h + S1(e) + CH(e, f, g) + K[i] + w[i];
		t2 = S0(a) + MAJ(a, b, x);
		h = g;
		g = f;
		f = e;
		e = d + t1;
		d = x;
		x = b;
		b = a;
		a = t1 + t2;
	}
	c->h[0] += a;
	c->h[1] += b;
	c->h[2] += x;
	c->h[3] += d;
	c->h[4] += e;
	c->h[5] += f;
	c->h[6] += g;
	c->h[7] += h;
}

void
sha256_update(struct sha256 *c, const void *data, size_t n)
{
	const uint8_t	*p = data;
	size_t		 k;

	if (n == 0)
		return;		/* p may be NULL then */
	c->bytes += n;
	if (c->nblk > 0) {
		k = 64 - c->nblk < n ? 64 - c->nblk : n;
		memcpy(c->blk + c->nblk, p, k);
		c->nblk += k;
		p += k;
		n -= k;
		if (c->nblk < 64)
			return;
		block(c, c->blk);
		c->nblk = 0;
	}
	for (; n >= 64; p += 64, n -= 64)
		block(c, p);
	if (n > 0) {
		memcpy(c->blk, p, n);
		c->nblk = n;
	}
}

void
sha256_final(struct sha256 *c, uint8_t md[SHA256_LEN])
{
	uint64_t	bits = c->bytes * 8;
	int		i;

	/* 5.1.1: a 1 bit, zeros to 56 mod 64 bytes, the length in bits. */
	c->blk[c->nblk++] = 0x80;
	if (c->nblk > 56) {
		memset(c->blk + c->nblk, 0, 64 - c->nblk);
		block(c, c->blk);
		c->nblk = 0;
	}
	memset(c->blk + c->nblk, 0, 56 - c->nblk);
	for (i = 0; i < 8; i++)
		c->blk[56 + i] = (uint8_t)(bits >> (56 - 8 * i));
	block(c, c->blk);
	for (i = 0; i < 8; i++) {
		md[4 * i] = (uint8_t)(c->h[i] >> 24);
		md[4 * i + 1] = (uint8_t)(c->h[i] >> 16);
		md[4 * i + 2] = (uint8_t)(c->h[i] >> 8);
		md[4 * i + 3] = (uint8_t)c->h[i];
	}
}

void
sha256_hex(const void *p, size_t n, char out[SHA256_HEXLEN + 1])
{
	static const char	 hex[] = "0123456789abcdef";
	struct sha256		 c;
	uint8_t			 md[SHA256_LEN];
	int			 i;

	sha256_init(&c);
	sha256_update(&c, p, n);
	sha256_final(&c, md);
	for (i = 0; i < SHA256_LEN; i++) {
		out[2 * i] = hex[md[i] >> 4];
		out[2 * i + 1] = hex[md[i] & 0xf];
	}
	out[SHA256_HEXLEN] = '\0';
}
