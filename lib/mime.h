/*
 * mime.h: a streaming MIME parser (RFC 2045, RFC 2046).
 *
 * The parser is pure: it is fed the bytes of one message in chunks of
 * any size and hands back events through a callback, as mbox_rd does:
 * a part begins (its number, its parsed and decoded headers), decoded
 * body bytes, a part ends (its size), and warnings about what it had to
 * repair.  It never reads, writes, prints or exits, and its memory does
 * not grow with the size of the message: a header block is capped, a
 * body goes through the streaming base64 and quoted-printable decoders
 * of b64.h and qp.h, and the nesting is capped.
 *
 * Part numbers are IMAP BODY section numbers (RFC 3501 6.4.5): a single
 * part message is "1"; the children of the top multipart are "1", "2",
 * ...; a nested multipart has its own number and its children "2.1",
 * "2.2"; the message inside a message/rfc822 part N is numbered beneath
 * N ("N.1", "N.2" for a multipart body, "N.1" for a single body).  The
 * multiparts that IMAP leaves unnumbered (the top one, and the body of
 * an encapsulated message) are "0" and "N.0".
 *
 * Everything fed in is untrusted.  Broken mail is repaired, never an
 * error: a missing closing boundary, boundaries that are prefixes of one
 * another, LF or CR LF or both, bare CR (data), missing, duplicate or
 * malformed header fields, a missing blank line after the headers,
 * unknown transfer encodings (read as binary), bad base64.  Each repair
 * is a MIME_EV_WARN.  Past MIME_MAXDEPTH nested containers or
 * MIME_MAXPARTS parts the parser stops descending or stops altogether,
 * says so with a warning and sets mime_parser_limited().
 */
#ifndef MIME_H
#define MIME_H

#include <stddef.h>
#include <stdint.h>

#include "hdr.h"

#define MIME_MAXDEPTH	64		/* nested containers */
#define MIME_MAXPARTS	10000		/* parts in one message */
#define MIME_MAXBOUNDARY 200		/* longest boundary taken (RFC: 70) */
#define MIME_MAXHEADER	(256 * 1024)	/* bytes of one header block */
#define MIME_NUMLEN	512		/* a part number, NUL included */

/* Transfer encodings. */
enum mime_enc {
	MIME_ENC_7BIT,
	MIME_ENC_8BIT,
	MIME_ENC_BINARY,
	MIME_ENC_QP,
	MIME_ENC_BASE64,
	MIME_ENC_OTHER			/* unknown: passed through as binary */
};

/* mime_parser_limited() bits. */
#define MIME_LIM_DEPTH	0x01
#define MIME_LIM_PARTS	0x02

/*
 * One part, as the events show it.  Every string is owned by the
 * parser, NUL-terminated and valid until the part's MIME_EV_END; the
 * decoded ones (filename) are UTF-8 but may hold any control character,
 * NUL included (see filenamelen), so clean them before use.
 */
struct mime_part {
	char		 number[MIME_NUMLEN];	/* "0", "1", "2.1" ... */
	int		 depth;		/* 0 for the top entity */
	char		*type;		/* "text/plain", lower case */
	char		*charset;	/* lower case, or NULL */
	char		*encoding;	/* as declared, lower case; "7bit"
					   when missing */
	enum mime_enc	 enc;
	char		*disposition;	/* "attachment", "inline" ... or NULL */
	char		*filename;	/* disposition filename, else the
					   Content-Type name; or NULL */
	size_t		 filenamelen;
	char		*content_id;	/* unfolded, or NULL */
	int		 container;	/* a multipart or an encapsulated
					   message: no data events */
	const struct hdr_block *hdrs;	/* its header fields; MIME_EV_BEGIN
					   only */
	uint64_t	 offset;	/* where its body starts: bytes fed
					   before it */
	uint64_t	 size;		/* MIME_EV_END: decoded bytes (for a
					   container: raw bytes of its body,
					   from offset on, so that a caller
					   that keeps the input can take an
					   encapsulated message whole) */
};

enum mime_ev_type {
	MIME_EV_BEGIN,		/* part: headers parsed */
	MIME_EV_DATA,		/* part, data, len: decoded body bytes */
	MIME_EV_END,		/* part: complete, size set */
	MIME_EV_WARN		/* part (may be NULL), warn: a repair */
};

struct mime_event {
	enum mime_ev_type	 type;
	const struct mime_part	*part;
	const uint8_t		*data;	/* MIME_EV_DATA */
	size_t			 len;
	const char		*warn;	/* MIME_EV_WARN: static text */
};

/*
 * The callback gets each event; it returns 0 to go on, anything else to
 * stop the parser, which then hands that value back from every later
 * call.
 */
typedef int (*mime_fn)(void *, const struct mime_event *);

struct mime_parser;

/* A parser for one message; fn and arg are borrowed.  NULL: no memory. */
struct mime_parser *mime_parser_new(mime_fn fn, void *arg);
void		    mime_parser_free(struct mime_parser *p);

/*
 * Feed n bytes of the message.  Returns 0; the callback's nonzero value
 * when it stopped the parser; or -1 with mime_parser_error() set (out
 * of memory).
 */
int	mime_parser_feed(struct mime_parser *p, const void *buf, size_t n);

/*
 * End of input: the last line, the parts left open (with warnings for
 * missing closing boundaries).  Returns as mime_parser_feed(); the
 * parser takes no more input.
 */
int	mime_parser_finish(struct mime_parser *p);

/* MIME_LIM_* bits of the limits that were hit, or 0. */
int	mime_parser_limited(const struct mime_parser *p);

/* Static text of the error that stopped the parser, or NULL. */
const char *mime_parser_error(const struct mime_parser *p);

/* The name of a transfer encoding for a declared value (lower case). */
enum mime_enc mime_enc_from_name(const char *name);

/*
 * A file name for a part (name: len bytes of decoded UTF-8, untrusted)
 * that is safe to create in a directory: only what follows the last '/'
 * or '\\'; control characters (C0, DEL, C1) become '_'; leading dots,
 * blanks and '-' are removed; at most MIME_NAMEMAX bytes, cut on a
 * character boundary and keeping a short extension.  out holds
 * MIME_NAMEMAX + 1 bytes.  Returns the length, 0 when nothing usable is
 * left ("", ".", "..").
 */
#define MIME_NAMEMAX	200
size_t	mime_name_sanitize(const char *name, size_t len, char *out);

#endif /* MIME_H */
