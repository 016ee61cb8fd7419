/*
 * imap.c: the IMAP response parser, its interpreters, modified UTF-7,
 * the command builder, and the session over lib/conn.
 *
 * libcurl 7.88 CONNECT_ONLY hand-over, checked with --trace against the
 * harness's dovecot (tests/mimap.bats runs all three): for imap:// with
 * STARTTLS required, imap:// with tls=off/auto on loopback, and
 * imaps://, curl_easy_perform() returns right after the tagged OK of
 * its last command: greeting, "A001 CAPABILITY", "A002 STARTTLS" (plain
 * URLs), then CAPABILITY again and AUTHENTICATE PLAIN.  Nothing it sent
 * is left unanswered and no byte of the next reply is swallowed, so our
 * own tags ("M1", "M2", ...) cannot clash and the first line we read
 * answers our first command.  libcurl does not SELECT the URL's mailbox
 * in CONNECT_ONLY mode, and on cleanup it treats the connection as dead
 * (no LOGOUT), so imap_close() says LOGOUT itself.  After the login
 * dovecot sends its full capability list (untagged after AUTHENTICATE
 * here); rather than dig that out of conn_heard() we ask CAPABILITY
 * again, which works the same with every server.  A PREAUTH greeting on
 * a plain connection with TLS required fails inside libcurl
 * (CURLE_USE_SSL_FAILED, exit 77).  The trace shows libcurl's
 * CURLE_AGAIN notes as "* reached easy.c:NNNN" lines.
 */
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "conn.h"
#include "imap.h"

#define NONE	((size_t)-1)

struct imap_parser {
	struct mk_buf	 arena;		/* strings, NUL-terminated */
	struct imap_item *items;
	size_t		 nitems, capitems;
	size_t		 open[IMAP_DEPTHMAX];	/* open containers */
	size_t		 last[IMAP_DEPTHMAX + 1]; /* last item per level */
	int		 depth;
	int		 state;		/* S_* */
	int		 incode;	/* the CODE container is open */
	uint64_t	 litlen, litgot;
	size_t		 lititem;	/* the pending literal's item */
	size_t		 litkey;	/* the atom before it, or NONE */
	enum imap_kind	 kind;
	enum imap_cond	 cond;
	size_t		 tagoff, textoff, textlen;
	struct imap_resp resp;
	const char	*err;
};

enum { S_NEW = 0, S_MORE, S_LITERAL, S_DONE, S_ERROR };

struct imap {
	struct conn		*c;
	struct imap_parser	*p;
	unsigned		 caps;
	uint32_t		 exists;
	unsigned		 tagn;
	int			 bye;
	char			 byetext[128];
};

static int	perr(struct imap_parser *, const char *);
static size_t	item_add(struct imap_parser *, enum imap_type);
static int	arena_add(struct imap_parser *, const void *, size_t,
		    size_t *);
static int	lex_line(struct imap_parser *, const char *, size_t, size_t,
		    uint64_t *);
static int	lex_quoted(struct imap_parser *, const char *, size_t,
		    size_t *);
static int	lex_literal(struct imap_parser *, const char *, size_t,
		    size_t *, uint64_t *);
static int	lex_atom(struct imap_parser *, const char *, size_t,
		    size_t *);
static int	start_line(struct imap_parser *, const char *, size_t,
		    uint64_t *);
static int	status_rest(struct imap_parser *, const char *, size_t,
		    size_t);
static int	is_atom_char(int);
static int	cond_of(const char *, size_t, enum imap_cond *);
static int	uids_add(uint32_t **, size_t *, size_t *, size_t, uint64_t);
static int	utf8_next(const unsigned char *, size_t, size_t *,
		    uint32_t *);
static int	b64_val(int);
static int	put_utf8(struct mk_buf *, uint32_t);
static int	read_resp(struct imap *, const struct imap_sink *,
		    const struct imap_resp **, struct mk_err *);
static void	track(struct imap *, const struct imap_resp *);
static int	tagged_result(struct imap *, const struct imap_resp *,
		    struct mk_buf *, struct mk_err *);
static int	wait_cont(struct imap *, const char *, struct mk_err *);
static int	body_key(const char *);
static void	safe_copy(char *, size_t, const char *, size_t);

/* ---- parser ---- */

static int
perr(struct imap_parser *p, const char *why)
{
	if (p->err == NULL)
		p->err = why;
	p->state = S_ERROR;
	return IMAP_P_ERROR;
}

struct imap_parser *
imap_parser_new(void)
{
	struct imap_parser *p;

	if ((p = calloc(1, sizeof(*p))) == NULL)
		return NULL;
	buf_init(&p->arena, IMAP_RESPMAX);
	imap_parser_reset(p);
	return p;
}

void
imap_parser_free(struct imap_parser *p)
{
	if (p == NULL)
		return;
	buf_free(&p->arena);
	free(p->items);
	free(p);
}

void
imap_parser_reset(struct imap_parser *p)
{
	buf_reset(&p->arena);
	p->nitems = 0;
	p->depth = 0;
	p->last[0] = NONE;
	p->state = S_NEW;
	p->incode = 0;
	p->litlen = p->litgot = 0;
	p->lititem = p->litkey = NONE;
	p->kind = 0;
	p->cond = IMAP_C_NONE;
	p->tagoff = p->textoff = NONE;
	p->textlen = 0;
	p->err = NULL;
}

const char *
imap_parser_error(const struct imap_parser *p)
{
	return p->err;
}

/* Add bytes and a NUL to the arena; *off is where they start. */
static int
arena_add(struct imap_parser *p, const void *s, size_t n, size_t *off)
{
	*off = p->arena.len;
	if (buf_add(&p->arena, s, n) == -1 || buf_addc(&p->arena, '\0') == -1)
		return perr(p, p->arena.toobig ? "response too large" :
		    "out of memory");
	return 0;
}

/* A new item at the current level; NONE on error (p->err set). */
static size_t
item_add(struct imap_parser *p, enum imap_type type)
{
	struct imap_item	*it;
	size_t			 i, ncap;

	if (p->nitems >= IMAP_ITEMMAX) {
		perr(p, "too many tokens");
		return NONE;
	}
	if (p->nitems == p->capitems) {
		ncap = p->capitems ? p->capitems * 2 : 64;
		if ((it = reallocarray(p->items, ncap, sizeof(*it))) == NULL) {
			perr(p, "out of memory");
			return NONE;
		}
		p->items = it;
		p->capitems = ncap;
	}
	i = p->nitems++;
	it = &p->items[i];
	memset(it, 0, sizeof(*it));
	it->type = type;
	it->off = NONE;
	it->next = i + 1;
	p->last[p->depth] = i;
	return i;
}

/* RFC 3501 ATOM-CHAR, plus 8-bit bytes (leniency toward servers). */
static int
is_atom_char(int c)
{
	if (c < 0x20 || c == 0x7f)
		return 0;
	return strchr(" (){\"]%", c) == NULL;
}

static int
lex_quoted(struct imap_parser *p, const char *l, size_t n, size_t *ip)
{
	struct mk_buf	tmp;
	size_t		i = *ip + 1, off, k;

	buf_init(&tmp, 0);
	for (; i < n && l[i] != '"'; i++) {
		if (l[i] == '\\') {
			if (i + 1 >= n || (l[i + 1] != '\\' && l[i + 1] != '"')) {
				buf_free(&tmp);
				return perr(p, "bad escape in quoted string");
			}
			i++;
		} else if (l[i] == '\0') {
			buf_free(&tmp);
			return perr(p, "NUL in quoted string");
		}
		if (buf_addc(&tmp, l[i]) == -1) {
			buf_free(&tmp);
			return perr(p, "out of memory");
		}
	}
	if (i >= n) {
		buf_free(&tmp);
		return perr(p, "unterminated quoted string");
	}
	if ((k = item_add(p, IMAP_T_STRING)) == NONE ||
	    arena_add(p, tmp.p, tmp.len, &off) == -1) {
		buf_free(&tmp);
		return IMAP_P_ERROR;
	}
	p->items[k].off = off;
	p->items[k].len = tmp.len;
	buf_free(&tmp);
	*ip = i + 1;
	return 0;
}

/* "{n}" or "~{n}" (literal8): must end the line. */
static int
lex_literal(struct imap_parser *p, const char *l, size_t n, size_t *ip,
    uint64_t *litlen)
{
	size_t		i = *ip, k, digits = 0;
	uint64_t	v = 0;

	if (l[i] == '~')
		i++;
	if (i >= n || l[i] != '{')
		return perr(p, "bad literal");
	/* RFC 9051 number64: at most 2^63 - 1, so 20 digits never fit. */
	for (i++; i < n && l[i] >= '0' && l[i] <= '9'; i++, digits++) {
		if (v > (UINT64_C(0x7fffffffffffffff) -
		    (uint64_t)(l[i] - '0')) / 10)
			return perr(p, "literal size too large");
		v = v * 10 + (uint64_t)(l[i] - '0');
	}
	if (digits == 0 || i >= n || l[i] != '}')
		return perr(p, "bad literal size");
	if (i + 1 != n)
		return perr(p, "literal not at the end of a line");
	p->litkey = NONE;
	if (p->last[p->depth] != NONE &&
	    p->items[p->last[p->depth]].type == IMAP_T_ATOM &&
	    (p->depth == 0 || p->last[p->depth] != p->open[p->depth - 1]))
		p->litkey = p->last[p->depth];
	if ((k = item_add(p, IMAP_T_STRING)) == NONE)
		return IMAP_P_ERROR;
	p->items[k].off = p->arena.len;
	p->lititem = k;
	p->litlen = v;
	p->litgot = 0;
	p->state = S_LITERAL;
	*litlen = v;
	*ip = n;
	return IMAP_P_LITERAL;
}

/*
 * An atom.  One holding '[' runs to the matching ']' whatever is
 * between (BODY[HEADER.FIELDS (FROM)]<0.100>); NIL is its own type.
 */
static int
lex_atom(struct imap_parser *p, const char *l, size_t n, size_t *ip)
{
	size_t	i = *ip, start = *ip, k, off;

	while (i < n) {
		if (l[i] == '[' && !p->incode) {
			while (i < n && l[i] != ']') {
				if (l[i] == '\0')
					return perr(p, "NUL in atom");
				i++;
			}
			if (i >= n)
				return perr(p, "unterminated [ in atom");
			i++;
			continue;
		}
		if (!is_atom_char((unsigned char)l[i]) ||
		    (p->incode && l[i] == '['))
			break;
		i++;
	}
	if (i == start)
		return perr(p, "unexpected character");
	if (i - start == 3 && strncasecmp(l + start, "NIL", 3) == 0) {
		if (item_add(p, IMAP_T_NIL) == NONE)
			return IMAP_P_ERROR;
		*ip = i;
		return 0;
	}
	if ((k = item_add(p, IMAP_T_ATOM)) == NONE ||
	    arena_add(p, l + start, i - start, &off) == -1)
		return IMAP_P_ERROR;
	p->items[k].off = off;
	p->items[k].len = i - start;
	*ip = i;
	return 0;
}

/* Tokens from l[i] to the end of the line. */
static int
lex_line(struct imap_parser *p, const char *l, size_t n, size_t i,
    uint64_t *litlen)
{
	size_t	k;
	int	rc;

	for (;;) {
		while (i < n && l[i] == ' ')
			i++;
		if (i >= n)
			break;
		switch (l[i]) {
		case '(':
			if (p->depth >= IMAP_DEPTHMAX)
				return perr(p, "lists nested too deep");
			if ((k = item_add(p, IMAP_T_LIST)) == NONE)
				return IMAP_P_ERROR;
			p->open[p->depth++] = k;
			p->last[p->depth] = NONE;
			i++;
			break;
		case ')':
			if (p->depth == 0 ||
			    p->items[p->open[p->depth - 1]].type != IMAP_T_LIST)
				return perr(p, "unbalanced )");
			p->depth--;
			p->items[p->open[p->depth]].next = p->nitems;
			i++;
			break;
		case '"':
			if (lex_quoted(p, l, n, &i) == -1)
				return IMAP_P_ERROR;
			break;
		case '{':
		case '~':
			return lex_literal(p, l, n, &i, litlen);
		default:
			if ((rc = lex_atom(p, l, n, &i)) != 0)
				return rc;
		}
	}
	if (p->depth > 0)
		return perr(p, "unbalanced (");
	p->state = S_DONE;
	return IMAP_P_DONE;
}

static int
cond_of(const char *s, size_t n, enum imap_cond *c)
{
	static const struct {
		const char	*w;
		enum imap_cond	 c;
	} tab[] = {
		{ "OK", IMAP_C_OK }, { "NO", IMAP_C_NO },
		{ "BAD", IMAP_C_BAD }, { "BYE", IMAP_C_BYE },
		{ "PREAUTH", IMAP_C_PREAUTH }
	};
	size_t i;

	for (i = 0; i < MK_NELEM(tab); i++)
		if (strlen(tab[i].w) == n && strncasecmp(s, tab[i].w, n) == 0) {
			*c = tab[i].c;
			return 1;
		}
	return 0;
}

/* resp-text-code and text of a status response, from l[i]. */
static int
status_rest(struct imap_parser *p, const char *l, size_t n, size_t i)
{
	size_t	k, off;

	while (i < n && l[i] == ' ')
		i++;
	if (i < n && l[i] == '[') {
		if ((k = item_add(p, IMAP_T_CODE)) == NONE)
			return IMAP_P_ERROR;
		p->open[p->depth++] = k;
		p->last[p->depth] = NONE;
		p->incode = 1;
		for (i++;;) {
			while (i < n && l[i] == ' ')
				i++;
			if (i >= n)
				return perr(p, "unterminated response code");
			if (l[i] == ']' && p->depth == 1)
				break;
			if (l[i] == '(') {
				if (p->depth >= IMAP_DEPTHMAX)
					return perr(p, "lists nested too deep");
				if ((k = item_add(p, IMAP_T_LIST)) == NONE)
					return IMAP_P_ERROR;
				p->open[p->depth++] = k;
				p->last[p->depth] = NONE;
				i++;
			} else if (l[i] == ')') {
				if (p->depth <= 1)
					return perr(p, "unbalanced )");
				p->depth--;
				p->items[p->open[p->depth]].next = p->nitems;
				i++;
			} else if (l[i] == '"') {
				if (lex_quoted(p, l, n, &i) == -1)
					return IMAP_P_ERROR;
			} else if (l[i] == ']') {
				return perr(p, "unbalanced ( in response code");
			} else if (l[i] == '{' || l[i] == '~') {
				return perr(p, "literal in response code");
			} else if (lex_atom(p, l, n, &i) != 0)
				return IMAP_P_ERROR;
		}
		p->depth = 0;
		p->items[k = p->open[0]].next = p->nitems;
		p->incode = 0;
		i++;
		if (i < n && l[i] == ' ')
			i++;
	}
	if (arena_add(p, l + i, n - i, &off) == -1)
		return IMAP_P_ERROR;
	p->textoff = off;
	p->textlen = n - i;
	p->state = S_DONE;
	return IMAP_P_DONE;
}

/* The first line of a response: "*", "+" or a tag, then the rest. */
static int
start_line(struct imap_parser *p, const char *l, size_t n, uint64_t *litlen)
{
	enum imap_cond	c;
	size_t		i = 0, w, off, k;

	if (n >= 1 && l[0] == '+') {
		p->kind = IMAP_CONT;
		i = n >= 2 && l[1] == ' ' ? 2 : 1;
		if (arena_add(p, l + i, n - i, &off) == -1)
			return IMAP_P_ERROR;
		p->textoff = off;
		p->textlen = n - i;
		p->state = S_DONE;
		return IMAP_P_DONE;
	}
	if (n >= 1 && l[0] == '*') {
		p->kind = IMAP_UNTAGGED;
		i = 1;
	} else {
		while (i < n && is_atom_char((unsigned char)l[i]) &&
		    l[i] != '+' && l[i] != '[' && (unsigned char)l[i] < 0x80)
			i++;
		if (i == 0)
			return perr(p, "no tag");
		if (arena_add(p, l, i, &off) == -1)
			return IMAP_P_ERROR;
		p->tagoff = off;
		p->kind = IMAP_TAGGED;
	}
	if (i >= n || l[i] != ' ')
		return perr(p, "no space after the tag");
	while (i < n && l[i] == ' ')
		i++;
	for (w = i; w < n && l[w] != ' ' && l[w] != '['; w++)
		;
	if (cond_of(l + i, w - i, &c)) {
		p->cond = c;
		if ((k = item_add(p, IMAP_T_ATOM)) == NONE ||
		    arena_add(p, l + i, w - i, &off) == -1)
			return IMAP_P_ERROR;
		p->items[k].off = off;
		p->items[k].len = w - i;
		return status_rest(p, l, n, w);
	}
	if (p->kind == IMAP_TAGGED)
		return perr(p, "tagged reply is not OK, NO or BAD");
	return lex_line(p, l, n, i, litlen);
}

int
imap_parser_line(struct imap_parser *p, const char *line, size_t len,
    uint64_t *litlen)
{
	uint64_t dummy;

	if (litlen == NULL)
		litlen = &dummy;
	*litlen = 0;
	switch (p->state) {
	case S_NEW:
		p->state = S_MORE;
		return start_line(p, line, len, litlen);
	case S_MORE:
		return lex_line(p, line, len, 0, litlen);
	case S_LITERAL:
		return perr(p, "line while a literal is pending");
	case S_DONE:
		return perr(p, "line after the end of the response");
	default:
		return IMAP_P_ERROR;
	}
}

int
imap_parser_literal(struct imap_parser *p, const void *data, size_t n)
{
	struct imap_item *it;

	if (p->state != S_LITERAL)
		return perr(p, "literal bytes but no literal pending");
	if (n > p->litlen - p->litgot)
		return perr(p, "more literal bytes than announced");
	if (p->litgot + n > IMAP_LITMAX)
		return perr(p, "literal too large");
	if (buf_add(&p->arena, data, n) == -1)
		return perr(p, p->arena.toobig ? "response too large" :
		    "out of memory");
	p->litgot += n;
	if (p->litgot == p->litlen) {
		if (buf_addc(&p->arena, '\0') == -1)
			return perr(p, "response too large");
		it = &p->items[p->lititem];
		it->len = (size_t)p->litlen;
		p->lititem = NONE;
		p->state = S_MORE;
	}
	return 0;
}

int
imap_parser_literal_streamed(struct imap_parser *p)
{
	struct imap_item *it;

	if (p->state != S_LITERAL || p->litgot != 0)
		return perr(p, "no literal to stream");
	it = &p->items[p->lititem];
	it->type = IMAP_T_STREAMED;
	it->off = NONE;
	it->n = p->litlen;
	p->lititem = NONE;
	p->state = S_MORE;
	return 0;
}

const char *
imap_parser_literal_key(struct imap_parser *p)
{
	if (p->state != S_LITERAL || p->litkey == NONE)
		return NULL;
	return (const char *)p->arena.p + p->items[p->litkey].off;
}

const struct imap_resp *
imap_parser_resp(struct imap_parser *p)
{
	struct imap_resp	*r = &p->resp;
	const char		*base = (const char *)p->arena.p;
	size_t			 i;

	for (i = 0; i < p->nitems; i++) {
		if (p->items[i].off == NONE || i == p->lititem)
			p->items[i].s = "";
		else
			p->items[i].s = base + p->items[i].off;
	}
	/* Containers still open (a literal pending) end where we are. */
	for (i = 0; (int)i < p->depth; i++)
		p->items[p->open[i]].next = p->nitems;
	r->kind = p->kind;
	r->cond = p->cond;
	r->tag = p->tagoff == NONE ? "" : base + p->tagoff;
	r->text = p->textoff == NONE ? "" : base + p->textoff;
	r->textlen = p->textlen;
	r->items = p->items;
	r->nitems = p->nitems;
	return r;
}

int
imap_parse_buf(struct imap_parser *p, const char *buf, size_t len,
    size_t *used)
{
	const char	*nl;
	size_t		 off = 0, n;
	uint64_t	 lit;
	int		 rc;

	imap_parser_reset(p);
	for (;;) {
		if ((nl = memchr(buf + off, '\n', len - off)) == NULL)
			return perr(p, "truncated response");
		n = (size_t)(nl - (buf + off));
		rc = imap_parser_line(p, buf + off, n > 0 && nl[-1] == '\r' ?
		    n - 1 : n, &lit);
		off += n + 1;
		if (rc == IMAP_P_DONE) {
			*used = off;
			return IMAP_P_DONE;
		}
		if (rc == IMAP_P_ERROR)
			return rc;
		if (lit > len - off)
			return perr(p, "truncated literal");
		if (imap_parser_literal(p, buf + off, (size_t)lit) == -1)
			return IMAP_P_ERROR;
		off += (size_t)lit;
	}
}

int
fuzz_imap(const uint8_t *buf, size_t len)
{
	struct imap_parser	*p;
	const struct imap_resp	*r;
	struct imap_fetch	 f;
	struct imap_list	 l;
	struct imap_status	 st;
	struct mk_buf		 b;
	uint32_t		*uids = NULL;
	size_t			 off = 0, used, n = 0, cap = 0;
	unsigned		 caps;

	if ((p = imap_parser_new()) == NULL)
		return 0;
	buf_init(&b, 0);
	while (off < len && imap_parse_buf(p, (const char *)buf + off,
	    len - off, &used) == IMAP_P_DONE) {
		r = imap_parser_resp(p);
		(void)imap_fetch_parse(r, &f);
		buf_reset(&b);
		(void)imap_list_parse(r, &l, &b);
		(void)imap_status_parse(r, &st, &b);
		(void)imap_caps_parse(r, &caps);
		n = 0;
		(void)imap_search_parse(r, &uids, &n, &cap, 10000);
		off += used;
	}
	buf_reset(&b);
	(void)imap_mutf7_decode((const char *)buf, len, &b);
	buf_reset(&b);
	(void)imap_mutf7_encode((const char *)buf, len, &b);
	free(uids);
	buf_free(&b);
	imap_parser_free(p);
	return 0;
}

/* ---- interpreters ---- */

int
imap_item_num(const struct imap_item *it, uint64_t *v)
{
	size_t		i;
	uint64_t	x = 0;

	if (it->type != IMAP_T_ATOM || it->len == 0 || it->len > 19)
		return -1;
	for (i = 0; i < it->len; i++) {
		if (it->s[i] < '0' || it->s[i] > '9')
			return -1;
		x = x * 10 + (uint64_t)(it->s[i] - '0');
	}
	if (x > (uint64_t)INT64_MAX)
		return -1;
	*v = x;
	return 0;
}

int
imap_item_is(const struct imap_item *it, const char *word)
{
	return it->type == IMAP_T_ATOM && strlen(word) == it->len &&
	    strncasecmp(it->s, word, it->len) == 0;
}

int
imap_item_str(const struct imap_item *it)
{
	return it->type == IMAP_T_ATOM || it->type == IMAP_T_STRING;
}

const struct imap_item *
imap_resp_code(const struct imap_resp *r)
{
	if (r->cond == IMAP_C_NONE || r->nitems < 2 ||
	    r->items[1].type != IMAP_T_CODE)
		return NULL;
	return &r->items[1];
}

int
imap_resp_count(const struct imap_resp *r, const char **what, uint32_t *n)
{
	uint64_t v;

	if (r->kind != IMAP_UNTAGGED || r->cond != IMAP_C_NONE ||
	    r->nitems != 2 || imap_item_num(&r->items[0], &v) == -1 ||
	    v > UINT32_MAX)
		return -1;
	if (!imap_item_is(&r->items[1], "EXISTS") &&
	    !imap_item_is(&r->items[1], "EXPUNGE") &&
	    !imap_item_is(&r->items[1], "RECENT"))
		return -1;
	*what = r->items[1].s;
	*n = (uint32_t)v;
	return 0;
}

int
imap_caps_parse(const struct imap_resp *r, unsigned *caps)
{
	static const struct {
		const char	*w;
		unsigned	 bit;
	} tab[] = {
		{ "IMAP4rev1", IMAP_CAP_IMAP4REV1 },
		{ "LITERAL+", IMAP_CAP_LITERALPLUS },
		{ "LITERAL-", IMAP_CAP_LITERALMINUS },
		{ "UIDPLUS", IMAP_CAP_UIDPLUS },
		{ "MOVE", IMAP_CAP_MOVE },
		{ "IDLE", IMAP_CAP_IDLE },
		{ "ESEARCH", IMAP_CAP_ESEARCH },
		{ "LIST-STATUS", IMAP_CAP_LISTSTATUS },
		{ "STARTTLS", IMAP_CAP_STARTTLS },
		{ "LOGINDISABLED", IMAP_CAP_LOGINDISABLED }
	};
	size_t		i, j, end;
	unsigned	c = 0;

	if (r->cond == IMAP_C_NONE && r->kind == IMAP_UNTAGGED &&
	    r->nitems >= 1 && imap_item_is(&r->items[0], "CAPABILITY")) {
		i = 1;
		end = r->nitems;
	} else if (imap_resp_code(r) != NULL && r->nitems >= 3 &&
	    imap_item_is(&r->items[2], "CAPABILITY")) {
		i = 3;
		end = r->items[1].next;
	} else
		return -1;
	for (; i < end; i = r->items[i].next)
		for (j = 0; j < MK_NELEM(tab); j++)
			if (imap_item_is(&r->items[i], tab[j].w))
				c |= tab[j].bit;
	*caps = c;
	return 0;
}

int
imap_list_parse(const struct imap_resp *r, struct imap_list *l,
    struct mk_buf *name)
{
	const struct imap_item	*it = r->items;
	size_t			 i, d, nm;

	memset(l, 0, sizeof(*l));
	if (r->kind != IMAP_UNTAGGED || r->cond != IMAP_C_NONE ||
	    r->nitems < 4 || (!imap_item_is(&it[0], "LIST") &&
	    !imap_item_is(&it[0], "LSUB")) || it[1].type != IMAP_T_LIST)
		return -1;
	l->flags = 2;
	for (i = 2; i < it[1].next; i = it[i].next) {
		if (it[i].type != IMAP_T_ATOM)
			return -1;
		l->nflags++;
		if (imap_item_is(&it[i], "\\Noselect") ||
		    imap_item_is(&it[i], "\\NonExistent"))
			l->noselect = 1;
	}
	d = it[1].next;
	if (d >= r->nitems)
		return -1;
	if (it[d].type == IMAP_T_NIL)
		l->delim = 0;
	else if (it[d].type == IMAP_T_STRING && it[d].len == 1)
		l->delim = (unsigned char)it[d].s[0];
	else
		return -1;
	nm = it[d].next;
	/* Extended LIST (RFC 5258) may add a list after the name. */
	if (nm >= r->nitems || !imap_item_str(&it[nm]))
		return -1;
	if (imap_mutf7_decode(it[nm].s, it[nm].len, name) == -1) {
		l->badname = 1;
		if (buf_add(name, it[nm].s, it[nm].len) == -1)
			return -1;
	}
	return 0;
}

int
imap_status_parse(const struct imap_resp *r, struct imap_status *st,
    struct mk_buf *name)
{
	const struct imap_item	*it = r->items;
	size_t			 i, l;
	uint64_t		 v;
	int64_t			*dst;

	st->messages = st->unseen = st->uidnext = st->uidvalidity = -1;
	if (r->kind != IMAP_UNTAGGED || r->cond != IMAP_C_NONE ||
	    r->nitems < 3 || !imap_item_is(&it[0], "STATUS") ||
	    !imap_item_str(&it[1]))
		return -1;
	l = it[1].next;
	if (l >= r->nitems || it[l].type != IMAP_T_LIST)
		return -1;
	for (i = l + 1; i < it[l].next; i = it[it[i].next].next) {
		if (it[i].next >= it[l].next ||
		    imap_item_num(&it[it[i].next], &v) == -1)
			return -1;
		dst = NULL;
		if (imap_item_is(&it[i], "MESSAGES"))
			dst = &st->messages;
		else if (imap_item_is(&it[i], "UNSEEN"))
			dst = &st->unseen;
		else if (imap_item_is(&it[i], "UIDNEXT"))
			dst = &st->uidnext;
		else if (imap_item_is(&it[i], "UIDVALIDITY"))
			dst = &st->uidvalidity;
		if (dst != NULL)
			*dst = (int64_t)v;
	}
	if (name != NULL && imap_mutf7_decode(it[1].s, it[1].len, name) == -1 &&
	    buf_add(name, it[1].s, it[1].len) == -1)
		return -1;
	return 0;
}

static int
uids_add(uint32_t **uids, size_t *n, size_t *cap, size_t max, uint64_t v)
{
	uint32_t	*u;
	size_t		 ncap;

	if (v == 0 || v > UINT32_MAX || *n >= max)
		return -1;
	if (*n == *cap) {
		ncap = *cap ? *cap * 2 : 64;
		if ((u = reallocarray(*uids, ncap, sizeof(*u))) == NULL)
			return -1;
		*uids = u;
		*cap = ncap;
	}
	(*uids)[(*n)++] = (uint32_t)v;
	return 0;
}

int
imap_set_parse(const char *s, size_t len, uint32_t **uids, size_t *n,
    size_t *cap, size_t max)
{
	uint64_t	a, b, v;
	size_t		i = 0;
	int		which;

	if (len == 0)
		return -1;
	while (i < len) {
		a = b = 0;
		for (which = 0; which < 2; which++) {
			v = 0;
			if (i >= len || s[i] < '0' || s[i] > '9')
				return -1;
			for (; i < len && s[i] >= '0' && s[i] <= '9'; i++) {
				v = v * 10 + (uint64_t)(s[i] - '0');
				if (v > UINT32_MAX)
					return -1;
			}
			if (which == 0)
				a = b = v;
			else
				b = v;
			if (which == 1 || i >= len || s[i] != ':')
				break;
			i++;
		}
		if (a > b) {
			v = a;
			a = b;
			b = v;
		}
		if (b - a >= max)
			return -1;
		for (v = a; v <= b; v++)
			if (uids_add(uids, n, cap, max, v) == -1)
				return -1;
		if (i < len) {
			if (s[i] != ',' || i + 1 == len)
				return -1;
			i++;
		}
	}
	return 0;
}

int
imap_search_parse(const struct imap_resp *r, uint32_t **uids, size_t *n,
    size_t *cap, size_t max)
{
	const struct imap_item	*it = r->items;
	size_t			 i;
	uint64_t		 v;

	if (r->kind != IMAP_UNTAGGED || r->cond != IMAP_C_NONE ||
	    r->nitems < 1)
		return 1;
	if (imap_item_is(&it[0], "SEARCH")) {
		for (i = 1; i < r->nitems; i = it[i].next) {
			if (it[i].type == IMAP_T_LIST)
				continue;	/* (MODSEQ n), RFC 7162 */
			if (imap_item_num(&it[i], &v) == -1 ||
			    uids_add(uids, n, cap, max, v) == -1)
				return -1;
		}
		return 0;
	}
	if (!imap_item_is(&it[0], "ESEARCH"))
		return 1;
	for (i = 1; i < r->nitems; i = it[i].next) {
		if (imap_item_is(&it[i], "ALL")) {
			i = it[i].next;
			if (i >= r->nitems || it[i].type != IMAP_T_ATOM ||
			    imap_set_parse(it[i].s, it[i].len, uids, n, cap,
			    max) == -1)
				return -1;
		}
	}
	return 0;
}

int
imap_fetch_parse(const struct imap_resp *r, struct imap_fetch *f)
{
	const struct imap_item	*it = r->items;
	size_t			 i, v, end, e, a;
	uint64_t		 x;

	memset(f, 0, sizeof(*f));
	f->size = -1;
	if (r->kind != IMAP_UNTAGGED || r->cond != IMAP_C_NONE ||
	    r->nitems < 3 || imap_item_num(&it[0], &x) == -1 ||
	    x > UINT32_MAX || !imap_item_is(&it[1], "FETCH") ||
	    it[2].type != IMAP_T_LIST)
		return -1;
	f->seq = (uint32_t)x;
	end = it[2].next;
	for (i = 3; i < end; i = it[v].next) {
		v = it[i].next;
		if (it[i].type != IMAP_T_ATOM || v >= end)
			return -1;
		if (imap_item_is(&it[i], "UID")) {
			if (imap_item_num(&it[v], &x) == -1 || x == 0 ||
			    x > UINT32_MAX)
				return -1;
			f->uid = (uint32_t)x;
		} else if (imap_item_is(&it[i], "RFC822.SIZE")) {
			if (imap_item_num(&it[v], &x) == -1)
				return -1;
			f->size = (int64_t)x;
		} else if (imap_item_is(&it[i], "FLAGS")) {
			if (it[v].type != IMAP_T_LIST)
				return -1;
			f->flags = &it[v];
		} else if (imap_item_is(&it[i], "INTERNALDATE")) {
			if (it[v].type != IMAP_T_STRING)
				return -1;
			f->internaldate = &it[v];
		} else if (imap_item_is(&it[i], "ENVELOPE")) {
			if (it[v].type != IMAP_T_LIST)
				return -1;
			/* date, subject, from (a list of addresses) */
			e = v + 1;
			if (e >= it[v].next || it[e].next >= it[v].next)
				return -1;
			f->env_date = &it[e];
			f->env_subject = &it[it[e].next];
			e = it[it[e].next].next;
			if (e >= it[v].next)
				return -1;
			if (it[e].type == IMAP_T_LIST && e + 1 < it[e].next &&
			    it[e + 1].type == IMAP_T_LIST) {
				a = e + 2;	/* name adl mailbox host */
				if (it[e + 1].next - a < 4 ||
				    it[a].next != a + 1 || it[a + 1].next !=
				    a + 2 || it[a + 2].next != a + 3)
					return -1;
				f->env_from.name = &it[a];
				f->env_from.mailbox = &it[a + 2];
				f->env_from.host = &it[a + 3];
			}
		} else if (body_key(it[i].s)) {
			f->body = &it[v];
			f->body_key = &it[i];
		}
	}
	return 0;
}

/* Message data: BODY[...], BINARY[...], RFC822, RFC822.HEADER/TEXT. */
static int
body_key(const char *k)
{
	return strncasecmp(k, "BODY[", 5) == 0 ||
	    strncasecmp(k, "BINARY[", 7) == 0 ||
	    strcasecmp(k, "RFC822") == 0 ||
	    strcasecmp(k, "RFC822.HEADER") == 0 ||
	    strcasecmp(k, "RFC822.TEXT") == 0;
}

/* ---- modified UTF-7 (RFC 3501 5.1.3) ---- */

static const char mb64[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+,";

static int
b64_val(int c)
{
	const char *p;

	if (c == '\0' || (p = strchr(mb64, c)) == NULL)
		return -1;
	return (int)(p - mb64);
}

static int
put_utf8(struct mk_buf *b, uint32_t c)
{
	uint8_t	u[4];
	size_t	n;

	if (c < 0x80) {
		u[0] = (uint8_t)c;
		n = 1;
	} else if (c < 0x800) {
		u[0] = (uint8_t)(0xc0 | c >> 6);
		u[1] = (uint8_t)(0x80 | (c & 0x3f));
		n = 2;
	} else if (c < 0x10000) {
		u[0] = (uint8_t)(0xe0 | c >> 12);
		u[1] = (uint8_t)(0x80 | (c >> 6 & 0x3f));
		u[2] = (uint8_t)(0x80 | (c & 0x3f));
		n = 3;
	} else {
		u[0] = (uint8_t)(0xf0 | c >> 18);
		u[1] = (uint8_t)(0x80 | (c >> 12 & 0x3f));
		u[2] = (uint8_t)(0x80 | (c >> 6 & 0x3f));
		u[3] = (uint8_t)(0x80 | (c & 0x3f));
		n = 4;
	}
	return buf_add(b, u, n);
}

static int	mutf7_decode(const char *, size_t, struct mk_buf *);

/* On failure, out is left as it was. */
int
imap_mutf7_decode(const char *s, size_t len, struct mk_buf *out)
{
	size_t start = out->len;

	if (mutf7_decode(s, len, out) == 0)
		return 0;
	out->len = start;
	if (out->p != NULL)
		out->p[start] = '\0';
	return -1;
}

static int
mutf7_decode(const char *s, size_t len, struct mk_buf *out)
{
	size_t		i = 0;
	uint32_t	bits, nbits, u, hi;
	int		v, lastshift = 0;

	while (i < len) {
		unsigned char c = (unsigned char)s[i];

		if (c < 0x20 || c > 0x7e)
			return -1;
		if (c != '&') {
			if (buf_addc(out, c) == -1)
				return -1;
			i++;
			lastshift = 0;
			continue;
		}
		i++;
		if (i < len && s[i] == '-') {
			if (buf_addc(out, '&') == -1)
				return -1;
			i++;
			lastshift = 0;
			continue;
		}
		/* Two shifts in a row are not canonical: one would do. */
		if (lastshift)
			return -1;
		bits = nbits = 0;
		hi = 0;
		for (; i < len && s[i] != '-'; i++) {
			if ((v = b64_val((unsigned char)s[i])) == -1)
				return -1;
			bits = (bits << 6 | (uint32_t)v) & 0xffffff;
			nbits += 6;
			if (nbits < 16)
				continue;
			nbits -= 16;
			u = bits >> nbits & 0xffff;
			if (hi != 0) {
				if (u < 0xdc00 || u > 0xdfff)
					return -1;
				if (put_utf8(out, 0x10000 + ((hi - 0xd800) << 10) +
				    (u - 0xdc00)) == -1)
					return -1;
				hi = 0;
			} else if (u >= 0xd800 && u <= 0xdbff)
				hi = u;
			else if (u >= 0xdc00 && u <= 0xdfff)
				return -1;
			else if (u >= 0x20 && u <= 0x7e)
				return -1;	/* must represent itself */
			else if (put_utf8(out, u) == -1)
				return -1;
		}
		/* Unterminated, empty, dangling surrogate, bits left. */
		if (i >= len || hi != 0 || nbits >= 6 ||
		    (bits & ((1u << nbits) - 1)) != 0)
			return -1;
		if (s[i - 1] == '&')
			return -1;
		i++;
		lastshift = 1;
	}
	return 0;
}

/* The next code point of strict UTF-8; -1 if invalid. */
static int
utf8_next(const unsigned char *s, size_t len, size_t *ip, uint32_t *cp)
{
	size_t		i = *ip, n, k;
	uint32_t	c = s[i], min;

	if (c < 0x80) {
		*cp = c;
		*ip = i + 1;
		return 0;
	}
	if (c >= 0xc2 && c <= 0xdf) {
		n = 1;
		c &= 0x1f;
		min = 0x80;
	} else if (c >= 0xe0 && c <= 0xef) {
		n = 2;
		c &= 0x0f;
		min = 0x800;
	} else if (c >= 0xf0 && c <= 0xf4) {
		n = 3;
		c &= 0x07;
		min = 0x10000;
	} else
		return -1;
	if (len - i - 1 < n)
		return -1;
	for (k = 1; k <= n; k++) {
		if ((s[i + k] & 0xc0) != 0x80)
			return -1;
		c = c << 6 | (s[i + k] & 0x3f);
	}
	if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
		return -1;
	*cp = c;
	*ip = i + n + 1;
	return 0;
}

int
imap_mutf7_encode(const char *s, size_t len, struct mk_buf *out)
{
	const unsigned char	*u = (const unsigned char *)s;
	size_t			 i = 0;
	uint32_t		 cp, bits, nbits, units[2];
	int			 k, nu;

	while (i < len) {
		if (u[i] == '\0')
			return -1;
		if (u[i] >= 0x20 && u[i] <= 0x7e) {
			if (buf_addc(out, u[i]) == -1 ||
			    (u[i] == '&' && buf_addc(out, '-') == -1))
				return -1;
			i++;
			continue;
		}
		if (buf_addc(out, '&') == -1)
			return -1;
		bits = nbits = 0;
		while (i < len && !(u[i] >= 0x20 && u[i] <= 0x7e)) {
			if (u[i] == '\0' || utf8_next(u, len, &i, &cp) == -1)
				return -1;
			if (cp >= 0x10000) {
				cp -= 0x10000;
				units[0] = 0xd800 | cp >> 10;
				units[1] = 0xdc00 | (cp & 0x3ff);
				nu = 2;
			} else {
				units[0] = cp;
				nu = 1;
			}
			for (k = 0; k < nu; k++) {
				bits = (bits << 16 | units[k]) & 0xffffff;
				nbits += 16;
				while (nbits >= 6) {
					nbits -= 6;
					if (buf_addc(out,
					    mb64[bits >> nbits & 0x3f]) == -1)
						return -1;
				}
			}
		}
		if (nbits > 0 && buf_addc(out,
		    mb64[(bits << (6 - nbits)) & 0x3f]) == -1)
			return -1;
		if (buf_addc(out, '-') == -1)
			return -1;
	}
	return 0;
}

/* ---- command builder ---- */

void
imap_cmd_init(struct imap_cmd *c)
{
	memset(c, 0, sizeof(*c));
	buf_init(&c->text, CONN_LINEMAX);
	buf_init(&c->lits, IMAP_LITMAX);
	c->err.st = MK_OK;
}

void
imap_cmd_free(struct imap_cmd *c)
{
	buf_free(&c->text);
	buf_free(&c->lits);
}

void
imap_cmd_add(struct imap_cmd *c, const char *fmt, ...)
{
	va_list	ap;
	size_t	before = c->text.len;
	int	rc;

	if (c->err.st != MK_OK)
		return;
	va_start(ap, fmt);
	rc = buf_vprintf(&c->text, fmt, ap);
	va_end(ap);
	if (rc == -1)
		mk_seterr(&c->err, MK_ESOFTWARE, "command too long");
	else if (mk_has_ctl_line((const char *)c->text.p + before,
	    c->text.len - before))
		mk_seterr(&c->err, MK_EUSAGE, "CR, LF or NUL in an argument");
}

void
imap_cmd_astring(struct imap_cmd *c, const char *s, size_t len)
{
	size_t	i;
	int	bit8 = 0;

	if (c->err.st != MK_OK)
		return;
	if (mk_has_ctl_line(s, len)) {
		mk_seterr(&c->err, MK_EUSAGE, "CR, LF or NUL in an argument");
		return;
	}
	for (i = 0; i < len; i++)
		if ((unsigned char)s[i] >= 0x80 ||
		    (unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			bit8 = 1;
	if (!bit8) {
		if (buf_addc(&c->text, '"') == -1)
			goto oom;
		for (i = 0; i < len; i++)
			if (((s[i] == '"' || s[i] == '\\') &&
			    buf_addc(&c->text, '\\') == -1) ||
			    buf_addc(&c->text, s[i]) == -1)
				goto oom;
		if (buf_addc(&c->text, '"') == -1)
			goto oom;
		return;
	}
	if (c->nlit >= MK_NELEM(c->litlen)) {
		mk_seterr(&c->err, MK_EUSAGE, "too many literal arguments");
		return;
	}
	if (buf_add(&c->lits, s, len) == -1)
		goto oom;
	c->litlen[c->nlit] = len;
	c->litat[c->nlit] = c->text.len;
	c->nlit++;
	return;
oom:
	mk_seterr(&c->err, MK_ESOFTWARE, "command too long");
}

void
imap_cmd_mailbox(struct imap_cmd *c, const char *utf8)
{
	struct mk_buf b;

	if (c->err.st != MK_OK)
		return;
	if (strcasecmp(utf8, "INBOX") == 0) {
		imap_cmd_add(c, "INBOX");
		return;
	}
	if (mk_has_ctl_line(utf8, strlen(utf8))) {
		mk_seterr(&c->err, MK_EUSAGE, "CR, LF or NUL in an argument");
		return;
	}
	buf_init(&b, 0);
	if (imap_mutf7_encode(utf8, strlen(utf8), &b) == -1)
		mk_seterr(&c->err, MK_EUSAGE, "folder name is not UTF-8");
	else
		imap_cmd_astring(c, buf_str(&b), b.len);
	buf_free(&b);
}

void
imap_cmd_search_arg(struct imap_cmd *c, const char *s, int *utf8)
{
	size_t	i, n = strlen(s);
	int	atom = n > 0;

	for (i = 0; i < n; i++) {
		if ((unsigned char)s[i] >= 0x80)
			*utf8 = 1;
		if (!((unsigned char)s[i] > 0x20 && (unsigned char)s[i] < 0x7f) ||
		    strchr("\"\\{}%", s[i]) != NULL)
			atom = 0;
	}
	if (atom)
		imap_cmd_add(c, "%s", s);
	else
		imap_cmd_astring(c, s, n);
}

int
imap_cmd_render(const struct imap_cmd *c, int plus, struct mk_buf *out)
{
	size_t	i, at = 0, loff = 0;

	if (c->err.st != MK_OK)
		return -1;
	for (i = 0; i < c->nlit; i++) {
		if (buf_add(out, c->text.p + at, c->litat[i] - at) == -1 ||
		    buf_printf(out, "{%zu%s}\r\n", c->litlen[i],
		    plus ? "+" : "") == -1 ||
		    buf_add(out, c->lits.p + loff, c->litlen[i]) == -1)
			return -1;
		at = c->litat[i];
		loff += c->litlen[i];
	}
	if (c->text.len > at &&
	    buf_add(out, c->text.p + at, c->text.len - at) == -1)
		return -1;
	return buf_add(out, "\r\n", 2);
}

/* ---- session ---- */

/* Copy server text for a message: printable ASCII, the rest as '?'. */
static void
safe_copy(char *dst, size_t dsz, const char *s, size_t n)
{
	size_t i;

	if (dsz == 0)
		return;
	if (n > dsz - 1)
		n = dsz - 1;
	for (i = 0; i < n; i++)
		dst[i] = (s[i] >= 0x20 && s[i] < 0x7f) ? s[i] : '?';
	dst[n] = '\0';
}

static int
lit_sink(void *arg, const void *p, size_t n, struct mk_err *e)
{
	struct imap *s = arg;

	if (imap_parser_literal(s->p, p, n) == -1)
		return mk_seterr(e, MK_EPROTO, "malformed reply: %s",
		    imap_parser_error(s->p));
	return 0;
}

static int
sink_data(void *arg, const void *p, size_t n, struct mk_err *e)
{
	const struct imap_sink *k = arg;

	return k->data(k->arg, p, n, e);
}

/* Read one whole response, streaming message literals to sink. */
static int
read_resp(struct imap *s, const struct imap_sink *sink,
    const struct imap_resp **rp, struct mk_err *e)
{
	const char	*line, *key;
	size_t		 len;
	uint64_t	 lit;
	int		 rc;

	imap_parser_reset(s->p);
	for (;;) {
		if (conn_line(s->c, 0, &line, &len, e) == -1) {
			if (s->bye)
				mk_seterr(e, MK_ETEMP, "the server said BYE: %s",
				    s->byetext);
			return -1;
		}
		rc = imap_parser_line(s->p, line, len, &lit);
		if (rc == IMAP_P_DONE)
			break;
		if (rc == IMAP_P_ERROR)
			return mk_seterr(e, MK_EPROTO, "malformed reply: %s",
			    imap_parser_error(s->p));
		if (lit > SIZE_MAX)
			return mk_seterr(e, MK_EPROTO, "literal too large");
		key = imap_parser_literal_key(s->p);
		if (sink != NULL && key != NULL && body_key(key)) {
			if (sink->begin(sink->arg, imap_parser_resp(s->p), lit,
			    e) == -1 || conn_read(s->c, (size_t)lit, sink_data,
			    (void *)sink, e) == -1 ||
			    sink->end(sink->arg, e) == -1)
				return -1;
			/* A message whole: the next has the timeout again. */
			conn_renew(s->c);
			(void)imap_parser_literal_streamed(s->p);
			continue;
		}
		if (lit > IMAP_LITMAX)
			return mk_seterr(e, MK_EPROTO, "literal of %llu bytes "
			    "where none was expected", (unsigned long long)lit);
		/* "{0}" is complete at once: conn_read() calls no sink. */
		if (conn_read(s->c, (size_t)lit, lit_sink, s, e) == -1 ||
		    (lit == 0 && lit_sink(s, "", 0, e) == -1))
			return -1;
	}
	*rp = imap_parser_resp(s->p);
	return 0;
}

/* What the session keeps from any untagged response. */
static void
track(struct imap *s, const struct imap_resp *r)
{
	const char	*what;
	uint32_t	 n;
	unsigned	 caps;

	if (imap_resp_count(r, &what, &n) == 0) {
		if (strcasecmp(what, "EXISTS") == 0)
			s->exists = n;
		else if (strcasecmp(what, "EXPUNGE") == 0 && s->exists > 0)
			s->exists--;
	} else if (imap_caps_parse(r, &caps) == 0)
		s->caps = caps;
	if (r->cond == IMAP_C_BYE) {
		s->bye = 1;
		safe_copy(s->byetext, sizeof(s->byetext), r->text, r->textlen);
	}
}

/* The tagged reply r: 0 for OK, else -1 with e. */
static int
tagged_result(struct imap *s, const struct imap_resp *r, struct mk_buf *code,
    struct mk_err *e)
{
	const struct imap_item	*c = imap_resp_code(r);
	char			 text[160], ctext[80], line[100];
	size_t			 i;
	unsigned		 caps;
	enum mk_status		 st;

	if (c != NULL && code != NULL) {
		buf_reset(code);
		for (i = 2; i < c->next; i++) {
			if (r->items[i].type == IMAP_T_LIST ||
			    r->items[i].type == IMAP_T_NIL)
				continue;
			if ((code->len > 0 && buf_addc(code, ' ') == -1) ||
			    buf_add(code, r->items[i].s, r->items[i].len) == -1)
				return mk_seterr(e, MK_ESOFTWARE,
				    "out of memory");
		}
	}
	if (imap_caps_parse(r, &caps) == 0)
		s->caps = caps;
	if (r->cond == IMAP_C_OK)
		return 0;
	safe_copy(text, sizeof(text), r->text, r->textlen);
	ctext[0] = '\0';
	if (c != NULL && c + 1 < r->items + r->nitems)
		safe_copy(ctext, sizeof(ctext), c[1].s, c[1].len);
	if (r->cond == IMAP_C_NO) {
		/* mcurl's map reads the response code of a status line. */
		(void)snprintf(line, sizeof(line), "x NO [%s] x", ctext);
		st = mcurl_imap_reply_status(line, strlen(line));
	} else
		st = r->cond == IMAP_C_BYE ? MK_ETEMP : MK_EPROTO;
	return mk_seterr(e, st, "the server said %s%s%s%s%s%s",
	    r->cond == IMAP_C_NO ? "NO" : "BAD", ctext[0] ? " [" : "", ctext,
	    ctext[0] ? "]" : "", text[0] ? ": " : "", text);
}

/* Read until the "+" a literal waits for; tag's tagged reply is a refusal. */
static int
wait_cont(struct imap *s, const char *tag, struct mk_err *e)
{
	const struct imap_resp *r;

	for (;;) {
		if (read_resp(s, NULL, &r, e) == -1)
			return -1;
		if (r->kind == IMAP_CONT)
			return 0;
		if (r->kind == IMAP_TAGGED) {
			if (strcmp(r->tag, tag) != 0)
				return mk_seterr(e, MK_EPROTO, "reply to an "
				    "unknown tag");
			if (tagged_result(s, r, NULL, e) == 0)
				return mk_seterr(e, MK_EPROTO, "OK before the "
				    "command was complete");
			return -1;
		}
		track(s, r);
	}
}

struct imap *
imap_open(const struct mcurl_params *p, struct mk_err *e)
{
	struct imap	*s;
	struct imap_cmd	 c;

	if ((s = calloc(1, sizeof(*s))) == NULL) {
		mk_seterr(e, MK_ESOFTWARE, "out of memory");
		return NULL;
	}
	if ((s->p = imap_parser_new()) == NULL) {
		free(s);
		mk_seterr(e, MK_ESOFTWARE, "out of memory");
		return NULL;
	}
	if ((s->c = conn_open(p, e)) == NULL) {
		imap_parser_free(s->p);
		free(s);
		return NULL;
	}
	imap_cmd_init(&c);
	imap_cmd_add(&c, "CAPABILITY");
	if (imap_run(s, &c, NULL, NULL, NULL, NULL, e) == -1) {
		imap_cmd_free(&c);
		conn_close(s->c);
		imap_parser_free(s->p);
		free(s);
		return NULL;
	}
	imap_cmd_free(&c);
	return s;
}

void
imap_close(struct imap *s)
{
	struct mk_err	e;
	char		tag[16];
	struct imap_cmd	c;

	if (s == NULL)
		return;
	if (!s->bye) {
		imap_cmd_init(&c);
		imap_cmd_add(&c, "LOGOUT");
		conn_set_timeout(s->c, 5);
		if (imap_send(s, &c, tag, sizeof(tag), &e) == 0)
			(void)imap_wait(s, tag, NULL, NULL, NULL, NULL, &e);
		imap_cmd_free(&c);
	}
	conn_close(s->c);
	imap_parser_free(s->p);
	free(s);
}

unsigned
imap_caps(const struct imap *s)
{
	return s->caps;
}

void
imap_set_timeout(struct imap *s, long secs)
{
	conn_set_timeout(s->c, secs);
}

uint32_t
imap_exists(const struct imap *s)
{
	return s->exists;
}

int
imap_send(struct imap *s, struct imap_cmd *c, char *tag, size_t tagsz,
    struct mk_err *e)
{
	size_t	i, at = 0, loff = 0;
	int	plus;

	if (c->err.st != MK_OK) {
		if (e != NULL)
			*e = c->err;
		return -1;
	}
	(void)snprintf(tag, tagsz, "M%u", ++s->tagn);
	for (i = 0; i < c->nlit; i++) {
		plus = (s->caps & IMAP_CAP_LITERALPLUS) ||
		    ((s->caps & IMAP_CAP_LITERALMINUS) && c->litlen[i] <= 4096);
		if (conn_cmd(s->c, e, "%s%s%.*s{%zu%s}", i == 0 ? tag : "",
		    i == 0 ? " " : "", (int)(c->litat[i] - at),
		    (const char *)c->text.p + at, c->litlen[i],
		    plus ? "+" : "") == -1)
			return -1;
		if (!plus && wait_cont(s, tag, e) == -1)
			return -1;
		if (conn_send(s->c, c->lits.p + loff, c->litlen[i], e) == -1)
			return -1;
		at = c->litat[i];
		loff += c->litlen[i];
	}
	return conn_cmd(s->c, e, "%s%s%.*s", c->nlit == 0 ? tag : "",
	    c->nlit == 0 ? " " : "", (int)(c->text.len - at),
	    c->text.len > at ? (const char *)c->text.p + at : "");
}

int
imap_wait(struct imap *s, const char *tag, imap_untagged_fn fn, void *arg,
    const struct imap_sink *sink, struct mk_buf *code, struct mk_err *e)
{
	const struct imap_resp *r;

	for (;;) {
		if (read_resp(s, sink, &r, e) == -1)
			return -1;
		if (r->kind == IMAP_TAGGED) {
			if (strcmp(r->tag, tag) != 0)
				return mk_seterr(e, MK_EPROTO, "reply to an "
				    "unknown tag");
			return tagged_result(s, r, code, e);
		}
		if (r->kind == IMAP_CONT)
			return mk_seterr(e, MK_EPROTO, "unexpected \"+\"");
		track(s, r);
		if (fn != NULL && fn(arg, r, e) == -1)
			return -1;
	}
}

int
imap_run(struct imap *s, struct imap_cmd *c, imap_untagged_fn fn,
    void *arg, const struct imap_sink *sink, struct mk_buf *code,
    struct mk_err *e)
{
	char tag[16];

	if (imap_send(s, c, tag, sizeof(tag), e) == -1)
		return -1;
	return imap_wait(s, tag, fn, arg, sink, code, e);
}

static int
select_cb(void *arg, const struct imap_resp *r, struct mk_err *e)
{
	struct imap_mbox	*mb = arg;
	const struct imap_item	*c;
	uint64_t		 v;

	(void)e;
	if (r->cond != IMAP_C_OK || (c = imap_resp_code(r)) == NULL ||
	    r->nitems < 4)
		return 0;
	if (imap_item_num(&r->items[3], &v) == -1 || v > UINT32_MAX)
		return 0;
	if (imap_item_is(&r->items[2], "UIDNEXT"))
		mb->uidnext = (uint32_t)v;
	else if (imap_item_is(&r->items[2], "UIDVALIDITY"))
		mb->uidvalidity = (uint32_t)v;
	return 0;
}

int
imap_select(struct imap *s, const char *folder, int readonly,
    struct imap_mbox *mb, struct mk_err *e)
{
	struct imap_cmd	c;
	struct mk_buf	code;
	int		rc;

	memset(mb, 0, sizeof(*mb));
	s->exists = 0;
	imap_cmd_init(&c);
	buf_init(&code, 0);
	imap_cmd_add(&c, readonly ? "EXAMINE " : "SELECT ");
	imap_cmd_mailbox(&c, folder);
	rc = imap_run(s, &c, select_cb, mb, NULL, &code, e);
	mb->exists = s->exists;
	mb->readonly = strncasecmp(buf_str(&code), "READ-ONLY", 9) == 0;
	buf_free(&code);
	imap_cmd_free(&c);
	return rc;
}

static long
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Read what the server said unasked (within ms); exists may grow. */
static int
idle_read(struct imap *s, long ms, struct mk_err *e)
{
	const struct imap_resp	*r;
	int			 rc;

	if ((rc = conn_wait(s->c, ms > INT_MAX ? INT_MAX : (int)ms, e)) <= 0)
		return rc;
	if (read_resp(s, NULL, &r, e) == -1)
		return -1;
	if (r->kind != IMAP_UNTAGGED)
		return mk_seterr(e, MK_EPROTO, "unexpected reply while idle");
	track(s, r);
	if (s->bye)
		return mk_seterr(e, MK_ETEMP, "the server said BYE: %s",
		    s->byetext);
	return 1;
}

int
imap_idle(struct imap *s, long ms, long poll_ms, struct mk_err *e)
{
	struct imap_cmd	c;
	char		tag[16];
	long		end = now_ms() + ms, left;
	uint32_t	start = s->exists;
	int		got = 0, rc = -1;

	imap_cmd_init(&c);
	if (s->caps & IMAP_CAP_IDLE) {
		imap_cmd_add(&c, "IDLE");
		if (imap_send(s, &c, tag, sizeof(tag), e) == -1 ||
		    wait_cont(s, tag, e) == -1)
			goto out;
		while (!got && (left = end - now_ms()) > 0) {
			if (idle_read(s, left, e) == -1)
				goto out;
			got = s->exists > start;
		}
		/* RFC 2177: DONE ends it; the tagged OK follows. */
		if (conn_cmd(s->c, e, "DONE") == -1 ||
		    imap_wait(s, tag, NULL, NULL, NULL, NULL, e) == -1)
			goto out;
	} else {
		imap_cmd_add(&c, "NOOP");
		while (!got && (left = end - now_ms()) > 0) {
			if (imap_run(s, &c, NULL, NULL, NULL, NULL, e) == -1)
				goto out;
			if ((got = s->exists > start))
				break;
			left = end - now_ms();
			if (idle_read(s, left < poll_ms ? left : poll_ms,
			    e) == -1)
				goto out;
			got = s->exists > start;
		}
	}
	rc = got || s->exists > start;
out:
	imap_cmd_free(&c);
	return rc;
}

int
imap_append(struct imap *s, const char *folder, const char *flags, int fd,
    uint64_t size, struct mk_buf *code, struct mk_err *e)
{
	struct imap_cmd	 c;
	char		 tag[16], chunk[65536];
	uint64_t	 left = size;
	ssize_t		 n;
	int		 plus, rc = -1;

	imap_cmd_init(&c);
	imap_cmd_add(&c, "APPEND ");
	imap_cmd_mailbox(&c, folder);
	if (flags != NULL && *flags != '\0')
		imap_cmd_add(&c, " (%s)", flags);
	if (c.err.st != MK_OK) {
		*e = c.err;
		goto out;
	}
	plus = (s->caps & IMAP_CAP_LITERALPLUS) ||
	    ((s->caps & IMAP_CAP_LITERALMINUS) && size <= 4096);
	(void)snprintf(tag, sizeof(tag), "M%u", ++s->tagn);
	if (conn_cmd(s->c, e, "%s %s {%llu%s}", tag, buf_str(&c.text),
	    (unsigned long long)size, plus ? "+" : "") == -1)
		goto out;
	if (!plus && wait_cont(s, tag, e) == -1)
		goto out;
	while (left > 0) {
		n = read(fd, chunk, left < sizeof(chunk) ? (size_t)left :
		    sizeof(chunk));
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0) {
			/* The server waits for bytes we cannot give. */
			mk_seterrno(e, MK_EIO, n == 0 ? EIO : errno,
			    "read message");
			goto out;
		}
		if (conn_send(s->c, chunk, (size_t)n, e) == -1)
			goto out;
		left -= (uint64_t)n;
	}
	if (conn_cmd(s->c, e, "%s", "") == -1)
		goto out;
	rc = imap_wait(s, tag, NULL, NULL, NULL, code, e);
out:
	imap_cmd_free(&c);
	return rc;
}
