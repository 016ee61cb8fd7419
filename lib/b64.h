/*
 * b64.h: streaming base64 (RFC 4648 section 4, RFC 2045 section 6.8).
 *
 * Pure codecs over caller buffers: input may arrive in chunks of any
 * size, state carries over between them, and output goes to memory the
 * caller sized with the bound functions.  Nothing here allocates, reads,
 * writes or prints.
 *
 *	struct b64_enc e;
 *	b64_enc_init(&e, B64_WRAP, "\n");
 *	while ((n = read(0, in, sizeof(in))) > 0)
 *		write(1, out, b64_enc_update(&e, in, n, out));
 *	write(1, out, b64_enc_final(&e, out));
 *
 * where out holds at least b64_enc_bound(&e, sizeof(in)) bytes.
 */
#ifndef B64_H
#define B64_H

#include <stddef.h>
#include <stdint.h>

#define B64_WRAP	76	/* RFC 2045 line length */

/*
 * Encoder state.  Set it up with b64_enc_init(); the fields are private
 * apart from being copyable.
 */
struct b64_enc {
	size_t		 wrap;		/* characters per line, 0: no breaks */
	const char	*eol;		/* line break; borrowed */
	size_t		 eollen;	/* 1 or 2 */
	size_t		 col;		/* characters on the current line */
	uint8_t		 carry[3];	/* input bytes short of a group */
	size_t		 ncarry;
};

/*
 * Start encoding.  wrap is the line length in characters (B64_WRAP, any
 * value; 0 for one unbroken line); eol is the line break written after
 * every full line and after the last one ("\n" or "\r\n"; NULL means
 * "\n"), borrowed until the last call.
 */
void	b64_enc_init(struct b64_enc *e, size_t wrap, const char *eol);

/*
 * The most bytes b64_enc_update() can write for n input bytes, and with
 * n = 0 the most b64_enc_final() can write.  n must not exceed
 * SIZE_MAX / 2.
 */
size_t	b64_enc_bound(const struct b64_enc *e, size_t n);

/*
 * Encode n bytes of in; returns the number of characters written to out
 * (not NUL-terminated).  Up to two bytes are held back until more input
 * or b64_enc_final().
 */
size_t	b64_enc_update(struct b64_enc *e, const uint8_t *in, size_t n,
	    char *out);

/*
 * Flush the held bytes with '=' padding and end the last line with eol
 * (when wrapping and the line is not empty).  Returns the characters
 * written to out.  The state is then ready for a new stream.
 */
size_t	b64_enc_final(struct b64_enc *e, char *out);

/*
 * One-shot: encode n bytes as one unbroken, padded line.  out holds at
 * least B64_ENC_LEN(n) bytes; returns the length (no NUL is written).
 */
#define B64_ENC_LEN(n)	(((n) + 2) / 3 * 4)
size_t	b64_encode(const uint8_t *in, size_t n, char *out);

/*
 * Decoder state.  Input is untrusted.  Whitespace (SP, HT, CR, LF, FF,
 * VT) is skipped anywhere.  In strict mode any other byte outside the
 * alphabet, '=' where it cannot be, data after the padding, and a last
 * group short of four characters stop decoding: err is set to a static
 * reason and erroff to the byte offset of the problem, counted from the
 * first byte of the first chunk.  The reasons are:
 *
 *	"invalid character"		erroff: that byte
 *	"bad padding"			erroff: the misplaced '=', or the
 *					byte after "xx=" that is not '='
 *	"data after padding"		erroff: the first such byte
 *	"truncated final quantum"	erroff: the first character of the
 *					short group (found by _final)
 *
 * A lenient decoder skips bytes outside the alphabet and stray '=',
 * decodes a short last group as far as it goes, and after padding goes
 * on with what follows as a new stream (concatenated base64).
 */
struct b64_dec {
	int		 lenient;
	uint32_t	 acc;		/* bits of the current group */
	int		 nq;		/* characters in the group, 0 to 3 */
	int		 npad;		/* '=' seen after two characters */
	int		 ended;		/* padding closed the data */
	uint64_t	 off;		/* input bytes consumed, all chunks */
	uint64_t	 qoff;		/* offset of the group's first char */
	const char	*err;		/* static reason, NULL while fine */
	uint64_t	 erroff;	/* offset of the offending byte */
};

void	b64_dec_init(struct b64_dec *d, int lenient);

/* The most bytes b64_dec_update() can write for n input bytes. */
#define B64_DEC_BOUND(n)	(((n) / 4 + 1) * 3)

/*
 * Decode n bytes of in (untrusted, need not be NUL-terminated) into out
 * (at least B64_DEC_BOUND(n) bytes).  *outlen is set to the bytes written.
 * Returns 0, or -1 once an error is found (strict mode only); *outlen then
 * counts the bytes decoded before the error, and every later call fails
 * at once.
 */
int	b64_dec_update(struct b64_dec *d, const char *in, size_t n,
	    uint8_t *out, size_t *outlen);

/*
 * End of input: decode what a lenient decoder holds (at most 2 bytes go
 * to out), or fail in strict mode when a group is incomplete.  Returns
 * 0 or -1 as b64_dec_update().
 */
int	b64_dec_final(struct b64_dec *d, uint8_t *out, size_t *outlen);

/*
 * One-shot decode of n bytes into out (B64_DEC_BOUND(n) bytes).  Returns
 * 0 with *outlen set, or -1 (strict mode) with *errp (when not NULL) set
 * to the reason and *erroffp (when not NULL) to its offset.
 */
int	b64_decode(const char *in, size_t n, uint8_t *out, size_t *outlen,
	    int lenient, const char **errp, size_t *erroffp);

/*
 * Implementations.  The portable scalar code is the reference; on x86
 * the SSSE3 and AVX2 versions of the bulk loops give the same bytes, the
 * same errors and offsets, faster.  The first encode or decode picks the
 * best the CPU has, or the scalar code when the environment variable
 * MKIT_B64_SCALAR is set to anything but "" or "0".
 *
 * b64_impl_set() chooses one (B64_IMPL_AUTO: choose as at the start)
 * and returns the one now in use: the best the CPU has at or below the
 * one asked for.  b64_impl_get() returns the one in use, and
 * b64_impl_name() a static name for one ("scalar", "ssse3", "avx2").
 * The setting is process-wide: change it only while no other thread is
 * encoding or decoding.
 */
#define B64_IMPL_AUTO	(-1)
#define B64_IMPL_SCALAR	0
#define B64_IMPL_SSSE3	1
#define B64_IMPL_AVX2	2

int	b64_impl_set(int impl);
int	b64_impl_get(void);
const char *b64_impl_name(int impl);

#endif /* B64_H */
