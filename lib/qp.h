/*
 * qp.h: streaming quoted-printable (RFC 2045 section 6.7) and the "Q"
 * encoding of RFC 2047 section 4.2.
 *
 * Pure codecs over caller buffers, like b64.h: input in chunks of any
 * size, output to memory sized with the bound macros.  Nothing here
 * allocates, reads, writes or prints.
 */
#ifndef QP_H
#define QP_H

#include <stddef.h>
#include <stdint.h>

#define QP_LINE		76	/* longest encoded line, with the soft '=' */

/* Encoder flags. */
#define QP_BINARY	0x01	/* CR and LF are data: encode them too */
#define QP_DOT		0x02	/* encode '.' at the start of a line */
#define QP_FROM		0x04	/* encode the 'F' of "From " at line start */

/*
 * Encoder state (fields private).  In text mode (no QP_BINARY) a line
 * break in the input, CR LF or a bare LF, stays a hard line break and is
 * written as eol; a CR not followed by LF is data (=0D).  Space and tab
 * are written as they are unless a line break or the end of the data
 * follows them, then as =20 and =09.  Lines, soft '=' included, are at
 * most QP_LINE characters.
 */
struct qp_enc {
	int		 flags;
	const char	*eol;		/* "\n" or "\r\n"; borrowed */
	size_t		 eollen;
	size_t		 col;		/* characters on the current line */
	int		 ws;		/* held space or tab, -1 for none */
	int		 cr;		/* a CR is held (text mode) */
	int		 from;		/* bytes of "From" held at line start */
};

/* Start encoding; eol is borrowed (NULL means "\n"). */
void	qp_enc_init(struct qp_enc *e, int flags, const char *eol);

/*
 * The most bytes qp_enc_update() can write for n input bytes (n at most
 * SIZE_MAX / 8), and with n = 0 the most qp_enc_final() can write.
 */
#define QP_ENC_BOUND(n)	(4 * (n) + 32)

/*
 * Encode n bytes of in; returns the characters written to out (not
 * NUL-terminated).  A few bytes may be held until the next call.
 */
size_t	qp_enc_update(struct qp_enc *e, const uint8_t *in, size_t n,
	    char *out);

/*
 * Flush what is held.  No line break is added after the last line (the
 * data did not end in one).  The state is then ready for a new stream.
 */
size_t	qp_enc_final(struct qp_enc *e, char *out);

/*
 * Decoder state.  Input is untrusted.  "=XX" (either case) becomes the
 * byte, '=' at the end of a line (blanks may follow it) is a soft break
 * and is removed, blanks at the end of a line or of the data are
 * removed, and line breaks (CR LF or LF) are kept as they are.  Any
 * other '=' is invalid: a lenient decoder passes it and what follows
 * through as they are, a strict one stops with err "invalid escape" and
 * erroff the offset of that '=' counted from the first byte of the first
 * chunk.  '=' at the very end of the data counts as a soft break.
 */
#define QP_WSMAX	256	/* blanks held while looking for line end */

struct qp_dec {
	int		 lenient;
	int		 st;		/* private */
	uint8_t		 hex;		/* first character after '=' */
	size_t		 nws;		/* blanks held */
	uint8_t		 ws[QP_WSMAX];
	uint64_t	 off;		/* input bytes consumed, all chunks */
	uint64_t	 eqoff;		/* offset of the pending '=' */
	const char	*err;		/* static reason, NULL while fine */
	uint64_t	 erroff;
};

void	qp_dec_init(struct qp_dec *d, int lenient);

/* The most bytes qp_dec_update() or qp_dec_final() writes for n bytes. */
#define QP_DEC_BOUND(n)	((n) + QP_WSMAX + 4)

/*
 * Decode n bytes of in into out (QP_DEC_BOUND(n) bytes), *outlen set to
 * the bytes written.  Returns 0, or -1 in strict mode at the first
 * invalid escape (*outlen counts the bytes decoded before it); every
 * later call then fails at once.  More than QP_WSMAX blanks in a row
 * are let through even when they end the line.
 */
int	qp_dec_update(struct qp_dec *d, const char *in, size_t n,
	    uint8_t *out, size_t *outlen);

/* End of input: flush what is held (out: QP_DEC_BOUND(0) bytes). */
int	qp_dec_final(struct qp_dec *d, uint8_t *out, size_t *outlen);

/*
 * RFC 2047 "Q": decode n bytes of encoded-text (untrusted) into out (at
 * most n bytes); '_' is a space, "=XX" either case a byte, and any other
 * '=' is kept as it is.  Returns the length.
 */
size_t	qp_q_decode(const char *in, size_t n, uint8_t *out);

/*
 * RFC 2047 "Q" encoding.  phrase selects the rules of section 5 (3) for
 * a word in a phrase (only letters, digits and "!*+-/" as they are);
 * otherwise everything printable but '=', '?', '_' and space stays.
 * Space is '_'.  qp_q_enclen() is the length the encoding of a byte
 * takes (1 or 3); qp_q_encode() writes the encoding of n bytes (out: at
 * most 3 * n) and returns its length.
 */
size_t	qp_q_enclen(uint8_t c, int phrase);
size_t	qp_q_encode(const uint8_t *in, size_t n, int phrase, char *out);

#endif /* QP_H */
