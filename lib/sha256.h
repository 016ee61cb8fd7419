/*
 * sha256.h: SHA-256 (FIPS 180-4), for mpop's message identity when a
 * server has no UIDL.  Pure: no I/O, no allocation.
 *
 *	struct sha256 c;
 *	uint8_t md[SHA256_LEN];
 *
 *	sha256_init(&c);
 *	sha256_update(&c, p, n);	as often as needed
 *	sha256_final(&c, md);
 */
#ifndef SHA256_H
#define SHA256_H

#include <stddef.h>
#include <stdint.h>

#define SHA256_LEN	32	/* bytes of a digest */
#define SHA256_HEXLEN	64	/* hex digits of a digest */

struct sha256 {
	uint32_t	h[8];		/* the chaining state */
	uint64_t	bytes;		/* hashed so far */
	uint8_t		blk[64];	/* a partial block */
	size_t		nblk;		/* bytes in blk */
};

void	sha256_init(struct sha256 *c);

/* Hash n more bytes of p (n may be 0; p is then not read). */
void	sha256_update(struct sha256 *c, const void *p, size_t n);

/* The digest into md; c must be initialised again before reuse. */
void	sha256_final(struct sha256 *c, uint8_t md[SHA256_LEN]);

/* The digest of p[0..n) as 64 lower-case hex digits and a NUL. */
void	sha256_hex(const void *p, size_t n, char out[SHA256_HEXLEN + 1]);

#endif /* SHA256_H */
