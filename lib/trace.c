/*
 * trace.c: the --trace transcript: credential redaction, escaping, and
 * the line splitter that libcurl's debug callback feeds.
 */
#include <string.h>
#include <strings.h>

#include "trace.h"

static int	is_sep(char);
static size_t	skip_sep(const char *, size_t, size_t);
static size_t	tok_end(const char *, size_t, size_t);
static int	tok_is(const char *, size_t, size_t, const char *);
static size_t	strip_eol(const char *, size_t);
static int	uses(const struct trace_state *, enum trace_proto);
static size_t	keep_cmd(struct trace_state *, const char *, size_t);
static size_t	keep_user(const char *, size_t, size_t);
static int	ends_in_literal(const char *, size_t);
static void	set_tag(struct trace_state *, const char *, size_t);
static size_t	keep_imap(struct trace_state *, const char *, size_t, int);
static size_t	client_keep(struct trace_state *, const char *, size_t,
		    int);
static int	smtp_code(const char *, size_t, int *);
static int	is_plus(const char *, size_t);
static int	is_tagged(const struct trace_state *, const char *, size_t);
static void	server_seen(struct trace_state *, const char *, size_t);
static int	sanitize(struct mk_buf *, const char *, size_t);
static int	format(struct trace_state *, enum trace_dir, const char *,
		    size_t, size_t, struct mk_buf *);
static int	put_line(struct trace_state *, const char *, const char *,
		    size_t);
static int	emit_data(struct trace_state *);
static int	emit(struct trace_state *, enum trace_dir, const char *,
		    size_t, size_t);
static void	part_add(struct trace_state *, enum trace_dir, const char *,
		    size_t);
static int	part_emit(struct trace_state *, enum trace_dir);

#define HIDDEN		"****"

static const char *const prefix[3] = { "C: ", "S: ", "* " };

void
trace_init(struct trace_state *ts, FILE *fp, enum trace_proto proto)
{
	int i;

	memset(ts, 0, sizeof(*ts));
	ts->fp = fp;
	ts->proto = proto;
	for (i = 0; i < 3; i++)
		buf_init(&ts->part[i], 0);
	buf_init(&ts->out, 0);
}

void
trace_free(struct trace_state *ts)
{
	int i;

	for (i = 0; i < 3; i++)
		buf_free(&ts->part[i]);
	buf_free(&ts->out);
}

/* Tokens are split by SP; TAB too, so that a stray TAB hides nothing. */
static int
is_sep(char c)
{
	return c == ' ' || c == '\t';
}

static size_t
skip_sep(const char *l, size_t n, size_t i)
{
	while (i < n && is_sep(l[i]))
		i++;
	return i;
}

static size_t
tok_end(const char *l, size_t n, size_t i)
{
	while (i < n && !is_sep(l[i]))
		i++;
	return i;
}

/* Whether l[i..e) is the word w, ignoring case. */
static int
tok_is(const char *l, size_t i, size_t e, const char *w)
{
	size_t wl = strlen(w);

	return e - i == wl && strncasecmp(l + i, w, wl) == 0;
}

/* The length without one trailing CR LF, LF or CR. */
static size_t
strip_eol(const char *l, size_t n)
{
	if (n > 0 && l[n - 1] == '\n')
		n--;
	if (n > 0 && l[n - 1] == '\r')
		n--;
	return n;
}

static int
uses(const struct trace_state *ts, enum trace_proto p)
{
	return ts->proto == p || ts->proto == TRACE_ANY;
}

/*
 * SMTP and POP3 commands: the bytes to show of l[0..n), n if nothing is
 * hidden.  AUTH starts an exchange whatever follows it.
 */
static size_t
keep_cmd(struct trace_state *ts, const char *l, size_t n)
{
	size_t	c = skip_sep(l, n, 0), e = tok_end(l, n, c), i;

	if (tok_is(l, c, e, "AUTH")) {
		ts->auth = 1;
		i = tok_end(l, n, skip_sep(l, n, e));	/* the mechanism */
		return skip_sep(l, n, i);
	}
	if (!uses(ts, TRACE_POP3))
		return n;
	/* RFC 1939: the password is the rest of the line, spaces and all. */
	if (tok_is(l, c, e, "PASS"))
		return e < n ? e + 1 : n;
	if (tok_is(l, c, e, "APOP")) {
		i = tok_end(l, n, skip_sep(l, n, e));	/* the user */
		return skip_sep(l, n, i);
	}
	return n;
}

/*
 * IMAP LOGIN: where the password starts, i being the start of the user.
 * A literal user, or a quoted one without its closing quote, gives i:
 * everything after LOGIN is hidden.
 */
static size_t
keep_user(const char *l, size_t n, size_t i)
{
	size_t j;

	if (i >= n)
		return n;
	if (l[i] == '{')
		return i;
	if (l[i] != '"')
		return skip_sep(l, n, tok_end(l, n, i));
	for (j = i + 1; j < n; j++) {
		if (l[j] == '\\')
			j++;
		else if (l[j] == '"')
			return skip_sep(l, n, j + 1);
	}
	return i;
}

/* Whether l ends in an IMAP literal announcement, {N} or {N+}. */
static int
ends_in_literal(const char *l, size_t n)
{
	if (n < 3 || l[n - 1] != '}')
		return 0;
	n--;
	if (l[n - 1] == '+')
		n--;
	if (n == 0 || l[n - 1] < '0' || l[n - 1] > '9')
		return 0;
	while (n > 0 && l[n - 1] >= '0' && l[n - 1] <= '9')
		n--;
	return n > 0 && l[n - 1] == '{';
}

static void
set_tag(struct trace_state *ts, const char *t, size_t n)
{
	if (n > TRACE_TAGMAX)
		n = TRACE_TAGMAX;	/* then no reply matches: hides more */
	memcpy(ts->tag, t, n);
	ts->tag[n] = '\0';
}

/*
 * IMAP commands.  cut says the line was too long to be seen whole, so a
 * literal may hide past its end: assume one.
 */
static size_t
keep_imap(struct trace_state *ts, const char *l, size_t n, int cut)
{
	size_t	t = skip_sep(l, n, 0), te = tok_end(l, n, t);
	size_t	c = skip_sep(l, n, te), ce = tok_end(l, n, c), i;

	/* No tag (invalid, but it must not leak): the command comes first. */
	if ((tok_is(l, t, te, "LOGIN") || tok_is(l, t, te, "AUTHENTICATE")) &&
	    !tok_is(l, c, ce, "LOGIN") && !tok_is(l, c, ce, "AUTHENTICATE")) {
		c = t;
		ce = te;
	}
	if (tok_is(l, c, ce, "AUTHENTICATE")) {
		set_tag(ts, l + t, te - t);
		ts->auth = 1;
		i = tok_end(l, n, skip_sep(l, n, ce));	/* the mechanism */
		return skip_sep(l, n, i);
	}
	if (tok_is(l, c, ce, "LOGIN")) {
		set_tag(ts, l + t, te - t);
		if (cut || ends_in_literal(l, n))
			ts->auth = 1;
		return keep_user(l, n, skip_sep(l, n, ce));
	}
	return n;
}

/* The bytes to show of the client line l[0..n); n: nothing hidden. */
static size_t
client_keep(struct trace_state *ts, const char *l, size_t n, int cut)
{
	size_t keep;

	if (ts->auth)
		return 0;
	/* A reply to a 334 or "+ " challenge (not IMAP: APPEND data). */
	if (ts->cont && ts->proto != TRACE_IMAP)
		return 0;
	keep = n;
	if (ts->proto != TRACE_IMAP)
		keep = keep_cmd(ts, l, n);
	if (keep == n && uses(ts, TRACE_IMAP))
		keep = keep_imap(ts, l, n, cut);
	return keep;
}

/* An SMTP reply line: three digits, then the end, SP or '-'. */
static int
smtp_code(const char *l, size_t n, int *code)
{
	int i;

	if (n < 3 || (n > 3 && l[3] != ' ' && l[3] != '-'))
		return 0;
	*code = 0;
	for (i = 0; i < 3; i++) {
		if (l[i] < '0' || l[i] > '9')
			return 0;
		*code = *code * 10 + (l[i] - '0');
	}
	return 1;
}

/* A POP3 or IMAP continuation request: "+" alone or "+ text". */
static int
is_plus(const char *l, size_t n)
{
	return n > 0 && l[0] == '+' && (n == 1 || l[1] == ' ');
}

/* An IMAP tagged reply to the exchange's command. */
static int
is_tagged(const struct trace_state *ts, const char *l, size_t n)
{
	size_t tl = strlen(ts->tag);

	return tl > 0 && n > tl && memcmp(l, ts->tag, tl) == 0 &&
	    l[tl] == ' ';
}

/* A server line: note a continuation request or the end of an exchange. */
static void
server_seen(struct trace_state *ts, const char *l, size_t n)
{
	int code;

	ts->cont = 0;
	if (uses(ts, TRACE_SMTP) && smtp_code(l, n, &code)) {
		if (code == 334)
			ts->cont = 1;
		else
			ts->auth = 0;
		return;
	}
	if (ts->proto != TRACE_SMTP && is_plus(l, n)) {
		ts->cont = 1;
		return;
	}
	if (uses(ts, TRACE_POP3) && ((n >= 3 && memcmp(l, "+OK", 3) == 0) ||
	    (n >= 4 && memcmp(l, "-ERR", 4) == 0)))
		ts->auth = 0;
	else if (uses(ts, TRACE_IMAP) && (is_tagged(ts, l, n) ||
	    (n >= 5 && strncasecmp(l, "* BYE", 5) == 0)))
		ts->auth = 0;
}

/* Append l[0..n) with every byte but printable ASCII and TAB as \xNN. */
static int
sanitize(struct mk_buf *out, const char *l, size_t n)
{
	size_t	i, run;
	uint8_t	c;

	for (i = 0; i < n; i += run) {
		for (run = 0; i + run < n; run++) {
			c = (uint8_t)l[i + run];
			if ((c < 0x20 && c != '\t') || c >= 0x7f)
				break;
		}
		if (run > 0 && buf_add(out, l + i, run) == -1)
			return -1;
		if (i + run < n) {
			if (buf_printf(out, "\\x%02x",
			    (uint8_t)l[i + run]) == -1)
				return -1;
			run++;
		}
	}
	return 0;
}

/*
 * The body of trace_redact().  extra counts bytes of the line that were
 * dropped before it got here (it has no end of line then).
 */
static int
format(struct trace_state *ts, enum trace_dir dir, const char *l, size_t n,
    size_t extra, struct mk_buf *out)
{
	size_t	keep, show;
	int	redact;

	if (extra == 0)
		n = strip_eol(l, n);
	keep = n;
	if (dir == TRACE_C)
		keep = client_keep(ts, l, n, extra > 0);
	else if (dir == TRACE_S)
		server_seen(ts, l, n);
	redact = keep < n;
	show = keep < TRACE_LINEMAX ? keep : TRACE_LINEMAX;
	if (sanitize(out, l, show) == -1)
		return -1;
	/* Bytes past the cut are never shown, so they hide nothing. */
	if (show < keep || (!redact && extra > 0))
		return buf_printf(out, "... (%zu more bytes)",
		    n - show + extra);
	if (redact)
		return buf_adds(out, HIDDEN);
	return 0;
}

int
trace_redact(struct trace_state *ts, enum trace_dir dir, const void *line,
    size_t len, struct mk_buf *out)
{
	return format(ts, dir, line, len, 0, out);
}

static int
put_line(struct trace_state *ts, const char *pfx, const char *s, size_t n)
{
	if (ts->fp == NULL)
		return 0;
	if (fputs(pfx, ts->fp) == EOF || fwrite(s, 1, n, ts->fp) != n ||
	    putc('\n', ts->fp) == EOF)
		return -1;
	return 0;
}

/* The "<N bytes of data>" lines owed, client side first. */
static int
emit_data(struct trace_state *ts)
{
	char	s[64];
	int	d, n, rc = 0;

	for (d = TRACE_C; d <= TRACE_S; d++) {
		if (ts->data[d] == 0)
			continue;
		n = snprintf(s, sizeof(s), "<%llu bytes of data>",
		    ts->data[d]);
		ts->data[d] = 0;
		if (n > 0 && (size_t)n < sizeof(s) &&
		    put_line(ts, prefix[d], s, (size_t)n) == -1)
			rc = -1;
	}
	return rc;
}

static int
emit(struct trace_state *ts, enum trace_dir dir, const char *l, size_t n,
    size_t extra)
{
	int rc;

	rc = emit_data(ts);
	buf_reset(&ts->out);
	if (format(ts, dir, l, n, extra, &ts->out) == -1)
		return -1;
	if (put_line(ts, prefix[dir], buf_str(&ts->out), ts->out.len) == -1)
		rc = -1;
	return rc;
}

int
trace_line(struct trace_state *ts, enum trace_dir dir, const void *line,
    size_t len)
{
	return emit(ts, dir, line, len, 0);
}

/* Keep up to TRACE_PARTMAX bytes of a partial line, count the rest. */
static void
part_add(struct trace_state *ts, enum trace_dir dir, const char *p,
    size_t n)
{
	struct mk_buf	*b = &ts->part[dir];
	size_t		 room = TRACE_PARTMAX - b->len, take;

	if (n == 0)
		return;
	take = n < room ? n : room;
	if (take > 0 && buf_add(b, p, take) == -1)
		take = 0;
	ts->extra[dir] += n - take;
	ts->lastcr[dir] = p[n - 1] == '\r';
}

/* The partial line is complete (its LF was not added): write it. */
static int
part_emit(struct trace_state *ts, enum trace_dir dir)
{
	struct mk_buf	*b = &ts->part[dir];
	size_t		 extra = ts->extra[dir];
	int		 rc;

	/* The CR of a CR LF is no line content, even when dropped. */
	if (extra > 0 && ts->lastcr[dir])
		extra--;
	rc = emit(ts, dir, (const char *)b->p, b->len, extra);
	buf_reset(b);
	ts->extra[dir] = 0;
	ts->lastcr[dir] = 0;
	return rc;
}

int
trace_feed(struct trace_state *ts, enum trace_dir dir, const void *data,
    size_t len)
{
	const char	*p = data, *lf;
	size_t		 n;
	int		 rc = 0;

	while (len > 0) {
		lf = memchr(p, '\n', len);
		n = lf != NULL ? (size_t)(lf - p) + 1 : len;
		if (lf != NULL && ts->part[dir].len == 0 &&
		    ts->extra[dir] == 0) {
			if (emit(ts, dir, p, n, 0) == -1)
				rc = -1;
		} else if (lf != NULL) {
			part_add(ts, dir, p, n - 1);
			if (part_emit(ts, dir) == -1)
				rc = -1;
		} else
			part_add(ts, dir, p, n);
		p += n;
		len -= n;
	}
	return rc;
}

void
trace_data(struct trace_state *ts, enum trace_dir dir, size_t n)
{
	if (dir == TRACE_C || dir == TRACE_S)
		ts->data[dir] += n;
}

int
trace_flush(struct trace_state *ts)
{
	int d, rc = 0;

	for (d = TRACE_C; d <= TRACE_I; d++)
		if ((ts->part[d].len > 0 || ts->extra[d] > 0) &&
		    part_emit(ts, d) == -1)
			rc = -1;
	if (emit_data(ts) == -1)
		rc = -1;
	if (ts->fp != NULL && fflush(ts->fp) == EOF)
		rc = -1;
	return rc;
}
