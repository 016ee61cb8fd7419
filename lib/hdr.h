/*
 * hdr.h: RFC 5322 header fields, RFC 2047 encoded words and RFC 2231
 * parameters.
 *
 * Everything here works on buffers and never reads, writes or prints;
 * all input is untrusted unless said otherwise.  The header block parser
 * is fed one line at a time and hands back events, as OpenSMTPD's
 * rfc5322.c does; hdr_block_parse() runs it over a buffer.  Decoded text
 * is always valid UTF-8: bytes that are not become U+FFFD.  It may hold
 * control characters (CR, LF, NUL included), which callers clean up
 * before a terminal, a file name or a protocol line sees them.
 */
#ifndef HDR_H
#define HDR_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "buf.h"

#define HDR_MAX_FIELD	(256 * 1024)	/* default cap on one field */
#define HDR_MAX_FIELDS	10000		/* default cap on fields in a block */
#define HDR_MAX_PARAMS	1000		/* cap on parameters + sections */
#define HDR_MAX_SECTION	999		/* highest RFC 2231 section number */

/* Field flags. */
#define HDR_F_CUT	0x01	/* longer than the cap: the value is cut */
#define HDR_F_NUL	0x02	/* held NUL bytes (kept, see the lengths) */
#define HDR_F_NAMESP	0x04	/* blanks between name and colon (obs) */

/*
 * One field.  name is as written (compare with strcasecmp); value is
 * the raw field body: leading blanks after the colon and the final line
 * break removed, folds kept as LF followed by the continuation line (use
 * hdr_unfold()).  Both are NUL-terminated; a value may hold NULs
 * (HDR_F_NUL), so use valuelen.
 */
struct hdr_field {
	char	*name;
	size_t	 namelen;
	char	*value;
	size_t	 valuelen;
	int	 flags;		/* HDR_F_* */
	size_t	 line;		/* its first line, from 1 */
};

enum hdr_ev_type {
	HDR_EV_NONE,		/* nothing ready: push the next line */
	HDR_EV_FIELD,		/* field is set */
	HDR_EV_BADLINE,		/* a line without a colon was skipped */
	HDR_EV_TOOMANY,		/* the field cap was hit: later fields are
				   skipped (once per block) */
	HDR_EV_END		/* the empty line (or end of input) ended
				   the block */
};

struct hdr_event {
	enum hdr_ev_type type;
	struct hdr_field field;	/* HDR_EV_FIELD: valid until the next push */
	size_t		 line;	/* line of the event, from 1 */
};

struct hdr_parser;

/*
 * A parser for one header block.  maxfield caps the bytes of one field
 * (name and value; 0: HDR_MAX_FIELD), maxfields the number of fields (0:
 * HDR_MAX_FIELDS).  NULL when out of memory.  _free(NULL) does nothing.
 */
struct hdr_parser	*hdr_parser_new(size_t maxfield, size_t maxfields);
void			 hdr_parser_free(struct hdr_parser *p);

/*
 * Push one line, without its line break (a CR left before the LF is
 * dropped), or line = NULL at the end of input.  An empty line ends the
 * block.  Lines starting with a blank continue the field before them
 * (obs-fold included); a continuation with no field before it is a bad
 * line.  Then call hdr_parser_next() until it gives HDR_EV_NONE.
 * Returns 0, or -1 when out of memory or pushed after the end.
 */
int	hdr_parser_push(struct hdr_parser *p, const char *line, size_t len);

/* The next event; returns its type. */
enum hdr_ev_type hdr_parser_next(struct hdr_parser *p, struct hdr_event *ev);

/*
 * A whole header block in a buffer.  fields is an array of n fields
 * owned by the block.  body is the offset just past the empty line (or
 * len when the input ran out first: ended is then 0).
 */
struct hdr_block {
	struct hdr_field *fields;
	size_t		  n;
	size_t		  nbad;		/* lines without a colon, skipped */
	int		  toomany;	/* fields beyond the cap skipped */
	int		  ended;	/* an empty line ended the block */
	size_t		  body;		/* offset of the body in buf */
};

/*
 * Parse the header block at the start of buf (len bytes, LF or CRLF
 * line breaks, may hold NULs); caps as for hdr_parser_new().  Returns 0
 * with hb filled, or -1 when out of memory (hb is then empty).
 */
int	hdr_block_parse(const char *buf, size_t len, size_t maxfield,
	    size_t maxfields, struct hdr_block *hb);
void	hdr_block_free(struct hdr_block *hb);

/*
 * The first field named name (case-insensitive) at index *iter or later,
 * or NULL; *iter is set past it, so a loop from *iter = 0 finds them all.
 */
const struct hdr_field *hdr_block_find(const struct hdr_block *hb,
	    const char *name, size_t *iter);

/*
 * Unfold len bytes of in into out (at most len bytes; out may be in):
 * every CR and LF is removed, the blanks after them are kept (RFC 5322
 * 2.2.3).  Returns the length.
 */
size_t	hdr_unfold(const char *in, size_t len, char *out);

/* Flags from hdr_decode_words() and the parameter parser. */
#define HDR_DW_DECODED	0x01	/* at least one encoded word was decoded */
#define HDR_DW_MALFORMED 0x02	/* an encoded word was broken: left as is */
#define HDR_DW_CHARSET	0x04	/* an unknown charset: read as UTF-8 */
#define HDR_DW_REPLACED	0x08	/* bytes that were not valid became U+FFFD */

/*
 * Decode the RFC 2047 encoded words in len bytes of in and append the
 * result as UTF-8 to out.  "=?charset[*lang]?B|Q?text?=" is decoded
 * wherever it is found; blanks and line breaks between two encoded
 * words are dropped (RFC 2047 6.2); adjacent words in the same charset
 * are joined before conversion, so a character split between them
 * survives.  The charset goes through iconv(3), but for UTF-8, US-ASCII
 * and ISO-8859-1.  A broken word is left as it is.  *flags (when not
 * NULL) is ORed with HDR_DW_*.  Returns 0, or -1 when out of memory or
 * out's cap is hit (out->toobig).
 */
int	hdr_decode_words(const char *in, size_t len, struct mk_buf *out,
	    int *flags);

/*
 * Convert n bytes in charset (a MIME charset name, untrusted) to UTF-8,
 * appended to out.  Flags and returns as hdr_decode_words().
 */
int	hdr_charset_to_utf8(const char *charset, const uint8_t *in, size_t n,
	    struct mk_buf *out, int *flags);

/*
 * Encode a field body for "Name: " + body (utf8: the caller's text, a C
 * string, need not be valid UTF-8).  Text that needs nothing stays as it
 * is; runs of words holding bytes outside printable ASCII, or looking
 * like encoded words, become "=?UTF-8?Q?...?=" or "=?UTF-8?B?...?="
 * (whichever is shorter), at most 75 characters each, never splitting a
 * UTF-8 character.  Lines are folded with "\n " to at most 76 characters
 * counting "Name: " (a single plain word longer than that stays whole).
 * For unstructured fields such as Subject.  Appends to out; returns 0
 * or -1 when out of memory.
 */
int	hdr_encode_words(const char *utf8, const char *field_name,
	    struct mk_buf *out);

/*
 * Encode a display name (RFC 5322 phrase) that starts at column col:
 * atoms stay as they are, other ASCII makes one quoted-string, and words
 * with non-ASCII or control bytes become encoded words under the phrase
 * rules of RFC 2047 5 (3).  Folded as hdr_encode_words().
 */
int	hdr_encode_phrase(const char *utf8, size_t col, struct mk_buf *out);

/* Parameter flags (struct hdr_params flags). */
#define HDR_P_GAP	0x0100	/* RFC 2231 sections missing */
#define HDR_P_DUP	0x0200	/* a repeated parameter was ignored */
#define HDR_P_UNTERM	0x0400	/* unterminated quoted string or comment */
#define HDR_P_JUNK	0x0800	/* stray bytes were skipped */
#define HDR_P_TOOMANY	0x1000	/* parameters beyond the cap ignored */

/*
 * One parameter.  name is lower-cased and without the RFC 2231 "*N*"
 * suffix.  value is the decoded UTF-8 (RFC 2231 %XX and charset, or RFC
 * 2047 words in a plain value); raw is the value before any charset or
 * RFC 2047 decoding (sections joined, quotes and %XX undone), which is
 * what a boundary must use.  Both are NUL-terminated and may hold NULs.
 * charset and lang are from RFC 2231, else NULL.  A value such as
 * "../../etc/passwd" comes back as it is.
 */
struct hdr_param {
	char	*name;
	char	*value;
	size_t	 valuelen;
	char	*raw;
	size_t	 rawlen;
	char	*charset;
	char	*lang;
};

/*
 * A Content-Type or Content-Disposition value: type and subtype lower-
 * cased ("text", "plain"; "attachment", NULL), NULL when missing.
 * All strings are owned.
 */
struct hdr_params {
	char		 *type;
	char		 *subtype;
	struct hdr_param *v;
	size_t		  n;
	int		  flags;	/* HDR_P_* and HDR_DW_* */
};

/*
 * Parse len bytes of in (an unfolded field body; folds are tolerated).
 * Comments and quoted strings are handled; RFC 2231 continuations are
 * joined in section order, out of order and with gaps; the common broken
 * forms are accepted (RFC 2047 words in a plain value, an unquoted value
 * with blanks up to the next ';').  For a name given both ways the RFC
 * 2231 form wins; otherwise the first one does.  Returns 0, or -1 when
 * out of memory (pp is then empty).  Nothing is ever a syntax error.
 */
int	hdr_params_parse(const char *in, size_t len, struct hdr_params *pp);
void	hdr_params_free(struct hdr_params *pp);

/* The parameter called name (case-insensitive), or NULL. */
const struct hdr_param *hdr_param_find(const struct hdr_params *pp,
	    const char *name);

/* Its decoded value, or NULL. */
const char *hdr_param_get(const struct hdr_params *pp, const char *name);

/* hdr_param_encode() flags. */
#define HDR_PE_ASCII	0x01	/* also a plain name="..." for old readers */

/*
 * Append "; name=value" to out, which holds the header line built so far
 * (the column is counted from its last LF).  value (UTF-8, a C string)
 * goes as a token, a quoted string, or RFC 2231 "name*=UTF-8''%E2%82%AC"
 * split into name*0*=, name*1*= ... when a line would pass 76
 * characters; each parameter goes on a new folded line when it does not
 * fit on the current one.  With HDR_PE_ASCII an RFC 2231 value is
 * preceded by name="..." with '_' for each non-ASCII character (and for
 * '"' and '\\'), cut in the middle to fit a line.  name must be a token
 * without '*', '\'' or '%' (-1 otherwise).  Returns 0, or -1 also when
 * out of memory.
 */
int	hdr_param_encode(struct mk_buf *out, const char *name,
	    const char *value, int flags);

/*
 * "Tue, 3 Jun 2025 14:05:09 +0200": t in local time, as RFC 5322 3.3
 * wants, with a numeric zone.  size of at least HDR_DATE_LEN always
 * fits.  Returns 0, or -1 (buffer too small, time not representable).
 */
#define HDR_DATE_LEN	40
int	hdr_date(time_t t, char *buf, size_t size);

/*
 * "<26 random base32 characters@host>" from getrandom(2): 128 bits, no
 * time or process id.  host is the right-hand side (best: the sender's
 * domain); NULL uses gethostname(3), or "localhost" when that fails.
 * size of at least HDR_MSGID_LEN fits any host up to 255 bytes.  Returns
 * 0, or -1 (host not a dot-atom, buffer too small, no randomness).
 */
#define HDR_MSGID_LEN	(2 + 26 + 1 + 255 + 1)
int	hdr_msgid(const char *host, char *buf, size_t size);

#endif /* HDR_H */
