/*
 * json.c: the streaming JSON writer and its string escaper.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "json.h"

/* Escaped output is gathered here and handed to the sink in chunks. */
struct out {
	int		(*sink)(void *, const char *, size_t);
	void		*arg;
	char		 buf[256];
	size_t		 len;
	int		 failed;
};

static int	file_sink(void *, const char *, size_t);
static int	buf_sink(void *, const char *, size_t);
static void	out_flush(struct out *);
static void	out_put(struct out *, const void *, size_t);
static size_t	utf8_seq(const uint8_t *, size_t, int *);
static void	esc_byte(struct out *, uint8_t);
static int	escape(int (*)(void *, const char *, size_t), void *,
		    const uint8_t *, size_t);
static int	fail(struct json_w *, enum mk_status, const char *);
static int	sink_failed(struct json_w *);
static int	put(struct json_w *, const char *, size_t);
static int	quoted(struct json_w *, const void *, size_t);
static int	newline(struct json_w *, int);
static int	member(struct json_w *);
static int	value(struct json_w *);
static void	scalar_done(struct json_w *);
static int	token(struct json_w *, const char *);
static int	begin(struct json_w *, char);
static int	end(struct json_w *, char);

#define REPLACEMENT	"\xef\xbf\xbd"	/* U+FFFD in UTF-8 */

static int
file_sink(void *arg, const char *p, size_t n)
{
	return fwrite(p, 1, n, arg) == n ? 0 : -1;
}

static int
buf_sink(void *arg, const char *p, size_t n)
{
	if (buf_add(arg, p, n) == -1) {
		errno = 0;	/* a cap or malloc, not an I/O error */
		return -1;
	}
	return 0;
}

void
json_init_sink(struct json_w *w, int (*sink)(void *, const char *, size_t),
    void *arg, int flags)
{
	memset(w, 0, sizeof(*w));
	w->sink = sink;
	w->arg = arg;
	w->flags = flags;
	w->st = MK_OK;
}

void
json_init_file(struct json_w *w, FILE *fp, int flags)
{
	json_init_sink(w, file_sink, fp, flags);
	w->fp = fp;
}

void
json_init_buf(struct json_w *w, struct mk_buf *b, int flags)
{
	json_init_sink(w, buf_sink, b, flags);
}

static void
out_flush(struct out *o)
{
	if (o->len > 0 && !o->failed && o->sink(o->arg, o->buf, o->len) == -1)
		o->failed = 1;
	o->len = 0;
}

static void
out_put(struct out *o, const void *p, size_t n)
{
	if (n > sizeof(o->buf) - o->len)
		out_flush(o);
	if (n > sizeof(o->buf)) {
		if (!o->failed && o->sink(o->arg, p, n) == -1)
			o->failed = 1;
		return;
	}
	memcpy(o->buf + o->len, p, n);
	o->len += n;
}

/*
 * Length of the UTF-8 sequence at p (n > 0).  *ok is 1 for a well-formed
 * sequence (Unicode Table 3-7).  Otherwise the length is that of the
 * maximal subpart: the lead byte and the continuation bytes that fit it,
 * or 1 for a byte that cannot start a sequence.
 */
static size_t
utf8_seq(const uint8_t *p, size_t n, int *ok)
{
	uint8_t	c = p[0], lo = 0x80, hi = 0xbf;
	size_t	need, i;

	*ok = 0;
	if (c < 0x80) {
		*ok = 1;
		return 1;
	}
	if (c >= 0xc2 && c <= 0xdf)
		need = 1;
	else if (c >= 0xe0 && c <= 0xef) {
		need = 2;
		if (c == 0xe0)		/* no overlongs */
			lo = 0xa0;
		else if (c == 0xed)	/* no surrogates */
			hi = 0x9f;
	} else if (c >= 0xf0 && c <= 0xf4) {
		need = 3;
		if (c == 0xf0)		/* no overlongs */
			lo = 0x90;
		else if (c == 0xf4)	/* nothing past U+10FFFF */
			hi = 0x8f;
	} else
		return 1;		/* 80..C1, F5..FF */
	for (i = 1; i <= need; i++) {
		if (i >= n || p[i] < lo || p[i] > hi)
			return i;
		lo = 0x80;
		hi = 0xbf;
	}
	*ok = 1;
	return need + 1;
}

/* One ASCII byte, escaped as JSON needs. */
static void
esc_byte(struct out *o, uint8_t c)
{
	static const char hex[] = "0123456789abcdef";
	char	u[6] = { '\\', 'u', '0', '0', 0, 0 };
	char	s[2] = { '\\', 0 };

	switch (c) {
	case '"':  s[1] = '"'; break;
	case '\\': s[1] = '\\'; break;
	case '\b': s[1] = 'b'; break;
	case '\f': s[1] = 'f'; break;
	case '\n': s[1] = 'n'; break;
	case '\r': s[1] = 'r'; break;
	case '\t': s[1] = 't'; break;
	default:
		if (c >= 0x20 && c != 0x7f) {
			out_put(o, &c, 1);
			return;
		}
		u[4] = hex[c >> 4];
		u[5] = hex[c & 0xf];
		out_put(o, u, sizeof(u));
		return;
	}
	out_put(o, s, sizeof(s));
}

/* Write p[0..n) as a quoted JSON string to sink. */
static int
escape(int (*sink)(void *, const char *, size_t), void *arg,
    const uint8_t *p, size_t n)
{
	struct out	o;
	size_t		i, k;
	int		ok;
	char		u[6];

	o.sink = sink;
	o.arg = arg;
	o.len = 0;
	o.failed = 0;
	out_put(&o, "\"", 1);
	for (i = 0; i < n; i += k) {
		k = utf8_seq(p + i, n - i, &ok);
		if (!ok)
			out_put(&o, REPLACEMENT, 3);
		else if (k == 1)
			esc_byte(&o, p[i]);
		else if (k == 2 && p[i] == 0xc2 && p[i + 1] < 0xa0) {
			/* C1 controls U+0080..U+009F */
			snprintf(u, sizeof(u), "u00%02x", p[i + 1]);
			out_put(&o, "\\", 1);
			out_put(&o, u, 5);
		} else if (k == 3 && p[i] == 0xe2 && p[i + 1] == 0x80 &&
		    (p[i + 2] == 0xa8 || p[i + 2] == 0xa9))
			out_put(&o, p[i + 2] == 0xa8 ? "\\u2028" : "\\u2029",
			    6);
		else
			out_put(&o, p + i, k);
	}
	out_put(&o, "\"", 1);
	out_flush(&o);
	return o.failed ? -1 : 0;
}

int
json_quote(struct mk_buf *b, const void *p, size_t n)
{
	return escape(buf_sink, b, p, n);
}

/* Record the first error; always -1. */
static int
fail(struct json_w *w, enum mk_status st, const char *msg)
{
	if (w->st == MK_OK) {
		w->st = st;
		w->err = msg;
	}
	return -1;
}

/* A failed sink: a full mk_buf, or a failed write anywhere else. */
static int
sink_failed(struct json_w *w)
{
	w->errnum = errno;
	if (w->sink == buf_sink)
		return fail(w, MK_ESOFTWARE, "output buffer full");
	return fail(w, MK_EIO, "write error");
}

static int
put(struct json_w *w, const char *p, size_t n)
{
	return w->sink(w->arg, p, n) == -1 ? sink_failed(w) : 0;
}

static int
quoted(struct json_w *w, const void *p, size_t n)
{
	return escape(w->sink, w->arg, p, n) == -1 ? sink_failed(w) : 0;
}

/* In pretty mode, a newline and the indent of level depth. */
static int
newline(struct json_w *w, int depth)
{
	int i;

	if (!(w->flags & JSON_PRETTY))
		return 0;
	if (put(w, "\n", 1) == -1)
		return -1;
	for (i = 0; i < depth; i++)
		if (put(w, "  ", 2) == -1)
			return -1;
	return 0;
}

/* The separator before a new member of the innermost container. */
static int
member(struct json_w *w)
{
	int d = w->depth - 1;

	if (w->nonempty[d] && put(w, ",", 1) == -1)
		return -1;
	w->nonempty[d] = 1;
	return newline(w, w->depth);
}

/* Check that a value may come now; write what goes before it. */
static int
value(struct json_w *w)
{
	if (w->st != MK_OK)
		return -1;
	if (w->depth == 0) {
		if (w->done)
			return fail(w, MK_ESOFTWARE,
			    "second value without json_end_document");
		return 0;
	}
	if (w->kind[w->depth - 1] == '{') {
		if (!w->havekey)
			return fail(w, MK_ESOFTWARE,
			    "value without a key in an object");
		w->havekey = 0;
		return 0;
	}
	return member(w);
}

static void
scalar_done(struct json_w *w)
{
	if (w->depth == 0)
		w->done = 1;
}

static int
begin(struct json_w *w, char kind)
{
	if (w->st == MK_OK && w->depth >= JSON_MAXDEPTH)
		return fail(w, MK_ESOFTWARE, "nesting too deep");
	if (value(w) == -1 || put(w, &kind, 1) == -1)
		return -1;
	w->kind[w->depth] = kind;
	w->nonempty[w->depth] = 0;
	w->depth++;
	return 0;
}

static int
end(struct json_w *w, char kind)
{
	char close = kind == '{' ? '}' : ']';

	if (w->st != MK_OK)
		return -1;
	if (w->depth == 0)
		return fail(w, MK_ESOFTWARE, "end without begin");
	if (w->kind[w->depth - 1] != kind)
		return fail(w, MK_ESOFTWARE, "end does not match begin");
	if (w->havekey)
		return fail(w, MK_ESOFTWARE, "key without a value");
	w->depth--;
	if (w->nonempty[w->depth] && newline(w, w->depth) == -1)
		return -1;
	if (put(w, &close, 1) == -1)
		return -1;
	scalar_done(w);
	return 0;
}

int
json_obj_begin(struct json_w *w)
{
	return begin(w, '{');
}

int
json_obj_end(struct json_w *w)
{
	return end(w, '{');
}

int
json_arr_begin(struct json_w *w)
{
	return begin(w, '[');
}

int
json_arr_end(struct json_w *w)
{
	return end(w, '[');
}

int
json_key(struct json_w *w, const char *key)
{
	const char *colon = w->flags & JSON_PRETTY ? ": " : ":";

	if (w->st != MK_OK)
		return -1;
	if (w->depth == 0 || w->kind[w->depth - 1] != '{')
		return fail(w, MK_ESOFTWARE, "key outside an object");
	if (w->havekey)
		return fail(w, MK_ESOFTWARE, "key after a key");
	if (key == NULL)
		return fail(w, MK_ESOFTWARE, "NULL key");
	if (member(w) == -1)
		return -1;
	if (quoted(w, key, strlen(key)) == -1 ||
	    put(w, colon, strlen(colon)) == -1)
		return -1;
	w->havekey = 1;
	return 0;
}

int
json_strn(struct json_w *w, const void *p, size_t n)
{
	if (value(w) == -1 || quoted(w, p, n) == -1)
		return -1;
	scalar_done(w);
	return 0;
}

int
json_str(struct json_w *w, const char *s)
{
	if (s == NULL)
		return json_null(w);
	return json_strn(w, s, strlen(s));
}

/* A bare token: a number, true, false or null. */
static int
token(struct json_w *w, const char *s)
{
	if (value(w) == -1 || put(w, s, strlen(s)) == -1)
		return -1;
	scalar_done(w);
	return 0;
}

int
json_int(struct json_w *w, long long v)
{
	char s[32];

	snprintf(s, sizeof(s), "%lld", v);
	return token(w, s);
}

int
json_uint(struct json_w *w, unsigned long long v)
{
	char s[32];

	snprintf(s, sizeof(s), "%llu", v);
	return token(w, s);
}

int
json_bool(struct json_w *w, int v)
{
	return token(w, v ? "true" : "false");
}

int
json_null(struct json_w *w)
{
	return token(w, "null");
}

int
json_raw(struct json_w *w, const void *p, size_t n)
{
	if (value(w) == -1 || put(w, p, n) == -1)
		return -1;
	scalar_done(w);
	return 0;
}

int
json_kv_str(struct json_w *w, const char *key, const char *s)
{
	return json_key(w, key) == -1 ? -1 : json_str(w, s);
}

int
json_kv_strn(struct json_w *w, const char *key, const void *p, size_t n)
{
	return json_key(w, key) == -1 ? -1 : json_strn(w, p, n);
}

int
json_kv_int(struct json_w *w, const char *key, long long v)
{
	return json_key(w, key) == -1 ? -1 : json_int(w, v);
}

int
json_kv_uint(struct json_w *w, const char *key, unsigned long long v)
{
	return json_key(w, key) == -1 ? -1 : json_uint(w, v);
}

int
json_kv_bool(struct json_w *w, const char *key, int v)
{
	return json_key(w, key) == -1 ? -1 : json_bool(w, v);
}

int
json_end_document(struct json_w *w)
{
	if (w->st != MK_OK)
		return -1;
	if (w->depth != 0)
		return fail(w, MK_ESOFTWARE, "document not complete");
	if (!w->done)
		return fail(w, MK_ESOFTWARE, "empty document");
	if (put(w, "\n", 1) == -1)
		return -1;
	if (w->fp != NULL && fflush(w->fp) == EOF) {
		w->errnum = errno;
		return fail(w, MK_EIO, "write error");
	}
	w->done = 0;
	return 0;
}

int
json_error(const struct json_w *w, struct mk_err *e)
{
	if (w->st == MK_OK)
		return 0;
	if (w->errnum != 0)
		return mk_seterrno(e, w->st, w->errnum, "json: %s", w->err);
	return mk_seterr(e, w->st, "json: %s", w->err);
}
