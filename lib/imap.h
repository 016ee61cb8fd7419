/*
 * imap.h: IMAP4rev1 (RFC 3501) for mimap: a response parser that is a
 * pure function of the bytes pushed into it, the interpreters of the
 * responses mimap needs, modified UTF-7 folder names, a command builder
 * that quotes its arguments, and a session over lib/conn.
 *
 * The parser is fed one line at a time (without its CRLF), as OpenSMTPD's
 * rfc5322.c is.  When a line ends in a literal "{n}", it says so and the
 * caller either pushes the n bytes (small literals) or streams them
 * elsewhere and tells the parser (message bodies): a 20 MB message never
 * sits in memory.  Everything the server sends is untrusted.
 */
#ifndef IMAP_H
#define IMAP_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "mcurl.h"
#include "mk.h"

#define IMAP_LITMAX	(1024 * 1024)	/* bytes of a literal kept in memory */
#define IMAP_ITEMMAX	100000		/* tokens in one response */
#define IMAP_DEPTHMAX	64		/* nested lists */
#define IMAP_RESPMAX	(16 * 1024 * 1024) /* bytes of one parsed response */

/* What a token is. */
enum imap_type {
	IMAP_T_ATOM = 1,	/* atom or number; BODY[HEADER] is one atom */
	IMAP_T_STRING,		/* quoted string or literal (unescaped) */
	IMAP_T_NIL,
	IMAP_T_LIST,		/* ( ... ): its tokens follow it */
	IMAP_T_CODE,		/* [ ... ] response code: tokens follow it */
	IMAP_T_STREAMED		/* a literal the caller took (n: its size) */
};

/*
 * One token.  The tokens of a response form a flat array in document
 * order; a LIST or CODE is followed by its members, and next is always
 * the index of the token after it (after its members for a container).
 * s is NUL-terminated, may hold NULs (use len), and is valid until the
 * parser is reset or freed.
 */
struct imap_item {
	enum imap_type	 type;
	const char	*s;		/* ATOM, STRING; "" otherwise */
	size_t		 len;
	uint64_t	 n;		/* STREAMED: literal size */
	size_t		 next;		/* index of the next sibling */
	size_t		 off;		/* private: offset of s in the arena */
};

/* What kind of response. */
enum imap_kind {
	IMAP_UNTAGGED = 1,	/* "* ..." */
	IMAP_TAGGED,		/* "tag OK|NO|BAD ..." */
	IMAP_CONT		/* "+ text" */
};

/* The condition of a status response (OK, NO, BAD, BYE, PREAUTH). */
enum imap_cond {
	IMAP_C_NONE = 0,	/* a data response: CAPABILITY, FETCH, ... */
	IMAP_C_OK,
	IMAP_C_NO,
	IMAP_C_BAD,
	IMAP_C_BYE,
	IMAP_C_PREAUTH
};

/*
 * A parsed response.  items are the tokens after "*" or the tag: for
 * "* 3 FETCH (UID 7)" they are 3, FETCH, (, UID, 7.  A status response
 * has its condition as items[0], then a CODE item when it has a
 * response code; its human text is in text.  A continuation has only
 * text.  Everything is owned by the parser.
 */
struct imap_resp {
	enum imap_kind	 kind;
	enum imap_cond	 cond;
	const char	*tag;		/* TAGGED only, else "" */
	const char	*text;		/* resp-text after the code; "" */
	size_t		 textlen;
	struct imap_item *items;
	size_t		 nitems;
};

struct imap_parser;

/* A parser; NULL when out of memory.  _free(NULL) does nothing. */
struct imap_parser *imap_parser_new(void);
void		 imap_parser_free(struct imap_parser *p);

/* Forget the current response (after DONE or an error). */
void		 imap_parser_reset(struct imap_parser *p);

/* What a push returns. */
enum {
	IMAP_P_ERROR = -1,	/* malformed; imap_parser_error() says why */
	IMAP_P_DONE = 0,	/* a whole response: imap_parser_resp() */
	IMAP_P_LITERAL = 1	/* a literal of *litlen bytes comes next */
};

/*
 * Push one line of the response (untrusted, len bytes, no CRLF).  The
 * first line starts a response; after IMAP_P_LITERAL and the literal,
 * the next line continues it.
 */
int		 imap_parser_line(struct imap_parser *p, const char *line,
		    size_t len, uint64_t *litlen);

/*
 * The bytes of the pending literal, in as many pushes as wanted; their
 * sum must be the announced size (then the literal is complete).  -1
 * (IMAP_P_ERROR) past the size, past IMAP_LITMAX or IMAP_RESPMAX.
 */
int		 imap_parser_literal(struct imap_parser *p, const void *data,
		    size_t n);

/*
 * The caller took the pending literal itself: it becomes a STREAMED
 * item.  -1 when no literal is pending.
 */
int		 imap_parser_literal_streamed(struct imap_parser *p);

/*
 * The atom just before the pending literal inside a list ("BODY[]" in
 * "(UID 3 BODY[] {20}"), or NULL.  Borrowed until the next call.
 */
const char	*imap_parser_literal_key(struct imap_parser *p);

/*
 * The response so far (complete after IMAP_P_DONE, partial while a
 * literal is pending).  Borrowed until the next push or reset.
 */
const struct imap_resp *imap_parser_resp(struct imap_parser *p);

/* Static text of the last error, or NULL. */
const char	*imap_parser_error(const struct imap_parser *p);

/*
 * Parse one whole response in buf (untrusted): lines separated by CRLF,
 * literals inline, as on the wire; for tests and fuzzing.  Returns
 * IMAP_P_DONE and the number of bytes used in *used, or IMAP_P_ERROR.
 */
int		 imap_parse_buf(struct imap_parser *p, const char *buf,
		    size_t len, size_t *used);

/* Fuzz entry point: parse every response in buf; never crashes. */
int		 fuzz_imap(const uint8_t *buf, size_t len);

/*
 * Helpers over items.  imap_item_num: the atom as a number (no sign, no
 * more than 2^63 - 1), 0 or -1.  imap_item_is: the item is an atom equal
 * to word, ignoring case.  imap_item_str: an atom or string (not NIL).
 */
int	imap_item_num(const struct imap_item *it, uint64_t *v);
int	imap_item_is(const struct imap_item *it, const char *word);
int	imap_item_str(const struct imap_item *it);

/* The CAPABILITY words we use, as bits. */
enum {
	IMAP_CAP_IMAP4REV1	= 1 << 0,
	IMAP_CAP_LITERALPLUS	= 1 << 1,	/* RFC 7888 LITERAL+ */
	IMAP_CAP_LITERALMINUS	= 1 << 2,	/* LITERAL-: up to 4096 */
	IMAP_CAP_UIDPLUS	= 1 << 3,	/* RFC 4315 */
	IMAP_CAP_MOVE		= 1 << 4,	/* RFC 6851 */
	IMAP_CAP_IDLE		= 1 << 5,	/* RFC 2177 */
	IMAP_CAP_ESEARCH	= 1 << 6,	/* RFC 4731 */
	IMAP_CAP_LISTSTATUS	= 1 << 7,	/* RFC 5819 */
	IMAP_CAP_STARTTLS	= 1 << 8,
	IMAP_CAP_LOGINDISABLED	= 1 << 9
};

/*
 * The capabilities a response names: "* CAPABILITY ..." or a status
 * response with a [CAPABILITY ...] code.  -1 when it names none.
 */
int	imap_caps_parse(const struct imap_resp *r, unsigned *caps);

/*
 * "* LIST (flags) delim name": flags is the index of the first flag
 * item and nflags their number; delim is 0 for NIL; name is decoded
 * from modified UTF-7 (appended to name; on a malformed name, the raw
 * bytes).  -1 when r is no LIST response or is malformed.
 */
struct imap_list {
	size_t	flags, nflags;		/* item range of the flags */
	int	delim;			/* 0: NIL */
	int	noselect;		/* \Noselect or \NonExistent */
	int	badname;		/* name was not valid mUTF-7 */
};
int	imap_list_parse(const struct imap_resp *r, struct imap_list *l,
	    struct mk_buf *name);

/* "* STATUS name (MESSAGES n UNSEEN n UIDNEXT n ...)"; -1 if not. */
struct imap_status {
	int64_t	messages, unseen, uidnext, uidvalidity;	/* -1: absent */
};
int	imap_status_parse(const struct imap_resp *r, struct imap_status *st,
	    struct mk_buf *name);

/*
 * UIDs of "* SEARCH n..." or "* ESEARCH ... UID ALL set"; appended to
 * *uids (grown with realloc, *n and *cap updated), at most max in
 * all.  Returns 0, 1 when r is neither, -1 on a malformed response or
 * out of memory (more than max UIDs is malformed too).
 */
int	imap_search_parse(const struct imap_resp *r, uint32_t **uids,
	    size_t *n, size_t *cap, size_t max);

/*
 * Expand a sequence set ("1:3,7,9:8") into *uids as above.  "*" is not
 * allowed (a server never sends it in these).  -1 on a bad set.
 */
int	imap_set_parse(const char *s, size_t len, uint32_t **uids, size_t *n,
	    size_t *cap, size_t max);

/* One address of an ENVELOPE (items, borrowed; -1 index: NIL). */
struct imap_addr {
	const struct imap_item *name, *mailbox, *host;
};

/*
 * "* n FETCH (...)": what it holds.  Item pointers are borrowed from r;
 * NULL when absent.  body is the BODY[...]/RFC822/BINARY item (STRING,
 * NIL or STREAMED).  -1 when r is no FETCH response or is malformed.
 */
struct imap_fetch {
	uint32_t		 seq;
	uint32_t		 uid;		/* 0: absent */
	int64_t			 size;		/* RFC822.SIZE; -1 absent */
	const struct imap_item	*flags;		/* the LIST item */
	const struct imap_item	*internaldate;
	const struct imap_item	*env_date, *env_subject;
	struct imap_addr	 env_from;	/* first From address */
	const struct imap_item	*body;
	const struct imap_item	*body_key;	/* the atom before body */
};
int	imap_fetch_parse(const struct imap_resp *r, struct imap_fetch *f);

/* The response code of a status response; NULL when none. */
const struct imap_item *imap_resp_code(const struct imap_resp *r);

/* "* n EXISTS|EXPUNGE|RECENT": the word in *what, n in *n; -1 if not. */
int	imap_resp_count(const struct imap_resp *r, const char **what,
	    uint32_t *n);

/*
 * Modified UTF-7 (RFC 3501 5.1.3).  encode: UTF-8 in, mUTF-7 appended
 * to out; -1 on invalid UTF-8 (overlong forms, surrogates, past
 * U+10FFFF), NUL, or out of memory.  decode: mUTF-7 in, UTF-8 out; -1
 * on a malformed name (bad base64, a shift that encodes printable
 * ASCII, an unterminated shift, adjacent shifts, bad surrogates, 8-bit
 * bytes, bits left over).
 */
int	imap_mutf7_encode(const char *s, size_t len, struct mk_buf *out);
int	imap_mutf7_decode(const char *s, size_t len, struct mk_buf *out);

/*
 * A command under construction: text plus literal arguments.  Pure: no
 * I/O.  The first error is sticky (err, MK_EUSAGE for an argument with
 * CR, LF or NUL; MK_ESOFTWARE out of memory) and imap_run refuses a
 * command that has one, so nothing is sent.
 */
struct imap_cmd {
	struct mk_buf	 text;		/* with NUL-separated literal marks */
	struct mk_buf	 lits;		/* literal bytes, one after another */
	size_t		 nlit;
	size_t		 litlen[32];	/* size of each literal */
	size_t		 litat[32];	/* offset in text after "{n}" */
	struct mk_err	 err;
};

void	imap_cmd_init(struct imap_cmd *c);
void	imap_cmd_free(struct imap_cmd *c);
/* Raw protocol text of our own (keywords, numbers, sets). */
void	imap_cmd_add(struct imap_cmd *c, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));
/* A string argument: quoted when 7-bit, a literal when not. */
void	imap_cmd_astring(struct imap_cmd *c, const char *s, size_t len);
/* A mailbox name given in UTF-8: mUTF-7, then quoted. */
void	imap_cmd_mailbox(struct imap_cmd *c, const char *utf8);
/*
 * A search criterion word: as it is when it is made of atom characters
 * (parentheses included, so "(" groups), else a string.  Sets *utf8 when
 * it holds 8-bit bytes (SEARCH then needs CHARSET UTF-8).
 */
void	imap_cmd_search_arg(struct imap_cmd *c, const char *s, int *utf8);
/*
 * The command as it would go on the wire after "TAG " (literals as
 * "{n}" CRLF bytes, or "{n+}" with plus), for tests.  -1 on error.
 */
int	imap_cmd_render(const struct imap_cmd *c, int plus,
	    struct mk_buf *out);

/*
 * The session.  imap_open() connects and logs in through libcurl, then
 * asks CAPABILITY itself.  p->trace and the strings as for conn_open().
 * Errors: those of conn_open(), MK_EPROTO for a malformed reply.
 */
struct imap;

struct imap	*imap_open(const struct mcurl_params *p, struct mk_err *e);

/* Say LOGOUT (best effort, no error) and close; NULL is ok. */
void		 imap_close(struct imap *s);

unsigned	 imap_caps(const struct imap *s);

/* Seconds to wait for the server from now on (0: the default). */
void		 imap_set_timeout(struct imap *s, long secs);

/*
 * Where message data goes.  Literals after an atom starting with
 * "BODY[", "BINARY[" or "RFC822" (but RFC822.SIZE) are streamed to it
 * when it is set: begin (with the response so far), data in pieces,
 * end.  A callback returning -1 stops the session with its e.
 */
struct imap_sink {
	int	(*begin)(void *, const struct imap_resp *, uint64_t,
		    struct mk_err *);
	int	(*data)(void *, const void *, size_t, struct mk_err *);
	int	(*end)(void *, struct mk_err *);
	void	*arg;
};

/*
 * A callback for every untagged response during a command (after the
 * session took what it tracks: EXISTS, EXPUNGE, CAPABILITY).  -1 stops.
 */
typedef int (*imap_untagged_fn)(void *, const struct imap_resp *,
	    struct mk_err *);

/*
 * Run a command: send it with a fresh tag (LITERAL+ when offered,
 * else waiting for each "+"), then read until its tagged reply.  Returns
 * 0 on OK, -1 with e filled: a NO (status from the response code, see
 * mcurl_imap_reply_status(); "SERVER said: text"), BAD (MK_EPROTO), BYE,
 * I/O errors, a malformed reply (MK_EPROTO), or c's own error.  When
 * code is not NULL the tagged reply's code tokens are copied there as
 * text ("APPENDUID 38505 3955"), else left empty.
 */
int		 imap_run(struct imap *s, struct imap_cmd *c,
		    imap_untagged_fn fn, void *arg,
		    const struct imap_sink *sink, struct mk_buf *code,
		    struct mk_err *e);

/*
 * Send a command and return at once (pipelining); the tag goes into
 * tag.  Then imap_wait() for each tag, in order.  A command with
 * literals waits for "+" unless LITERAL+ is offered.
 */
int		 imap_send(struct imap *s, struct imap_cmd *c, char *tag,
		    size_t tagsz, struct mk_err *e);
int		 imap_wait(struct imap *s, const char *tag,
		    imap_untagged_fn fn, void *arg,
		    const struct imap_sink *sink, struct mk_buf *code,
		    struct mk_err *e);

/* What SELECT / EXAMINE said. */
struct imap_mbox {
	uint32_t	exists;
	uint32_t	uidnext;	/* 0: not said */
	uint32_t	uidvalidity;
	int		readonly;
};

/* SELECT (readonly 0) or EXAMINE the folder named in UTF-8. */
int		 imap_select(struct imap *s, const char *folder, int readonly,
		    struct imap_mbox *mb, struct mk_err *e);

/* The EXISTS count as the server last said it (EXPUNGEs counted). */
uint32_t	 imap_exists(const struct imap *s);

/*
 * Wait up to ms for the mailbox to grow (IDLE when offered, else NOOP
 * every poll_ms): 1 when a new EXISTS came, 0 on timeout, -1 on error.
 */
int		 imap_idle(struct imap *s, long ms, long poll_ms,
		    struct mk_err *e);

/* The APPEND of a message of size bytes read from fd. */
int		 imap_append(struct imap *s, const char *folder,
		    const char *flags, int fd, uint64_t size,
		    struct mk_buf *code, struct mk_err *e);

#endif /* IMAP_H */
