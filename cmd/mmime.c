/*
 * mmime: build, inspect, extract and encode MIME messages in pipelines.
 *
 * The commands are a table of { name, fn, usage }, as git's commands[]:
 * options common to every mkit tool come before the command, each
 * command parses its own.  The parsing commands (list, cat, extract,
 * headers) drive lib/mime.c over the input in chunks and act on its
 * events, so memory does not grow with the size of the message.
 */
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/types.h>

#include <ctype.h>
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <getopt.h>
#include <iconv.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>
#include <sysexits.h>
#include <time.h>
#include <unistd.h>

#include "b64.h"
#include "buf.h"
#include "hdr.h"
#include "json.h"
#include "mbox.h"
#include "mime.h"
#include "mk.h"
#include "qp.h"

#define IOBUF		(1024 * 1024)	/* bytes per read(2) */
#define MBOX_MAXLINE	(1024 * 1024)	/* longest line of an mbox */
#define RENAME_NOREPLACE_FLAG 1		/* linux/fs.h RENAME_NOREPLACE */

enum {
	OPT_ALL = 256, OPT_CRLF, OPT_HTML, OPT_INLINE, OPT_JSON, OPT_LENIENT,
	OPT_NAME, OPT_TIMEOUT, OPT_TRACE, OPT_TYPE, OPT_UTF8, OPT_VERSION
};

/* Everything the options of any command can set. */
struct opts {
	int		  json;
	int		  verbose;
	int		  all;
	int		  force;
	int		  lenient;
	int		  utf8;
	int		  crlf;
	int		  b64;
	int		  qp;
	const char	 *dir;
	const char	**parts;	/* -p, in order */
	size_t		  nparts;
	const char	 *type_glob;
	const char	 *name_glob;
	const char	**names;	/* headers -n */
	size_t		  nnames;
	const char	 *from;
	const char	**to, **cc, **bcc;
	size_t		  nto, ncc, nbcc;
	const char	 *subject;
	const char	**atts;		/* -a */
	size_t		  natts;
	const char	 *html;
	const char	**inl;		/* --inline */
	size_t		  ninl;
	const char	**hdrs;		/* -H */
	size_t		  nhdrs;
	const char	 *file;		/* operand, NULL for stdin */
};

struct cmd {
	const char	*name;
	int		(*fn)(struct opts *);
	const char	*shortopts;
	const struct option *longopts;
};

static void	usage(FILE *);
static int	cmd_create(struct opts *);
static int	cmd_list(struct opts *);
static int	cmd_cat(struct opts *);
static int	cmd_extract(struct opts *);
static int	cmd_headers(struct opts *);
static int	cmd_encode(struct opts *);
static int	cmd_decode(struct opts *);

static const struct option lo_create[] = {
	{ "crlf",	no_argument,		NULL, OPT_CRLF },
	{ "help",	no_argument,		NULL, 'h' },
	{ "html",	required_argument,	NULL, OPT_HTML },
	{ "inline",	required_argument,	NULL, OPT_INLINE },
	{ NULL,		0,			NULL, 0 }
};
static const struct option lo_list[] = {
	{ "help",	no_argument,		NULL, 'h' },
	{ "json",	no_argument,		NULL, OPT_JSON },
	{ NULL,		0,			NULL, 0 }
};
static const struct option lo_cat[] = {
	{ "help",	no_argument,		NULL, 'h' },
	{ "utf8",	no_argument,		NULL, OPT_UTF8 },
	{ NULL,		0,			NULL, 0 }
};
static const struct option lo_extract[] = {
	{ "all",	no_argument,		NULL, OPT_ALL },
	{ "help",	no_argument,		NULL, 'h' },
	{ "name",	required_argument,	NULL, OPT_NAME },
	{ "type",	required_argument,	NULL, OPT_TYPE },
	{ NULL,		0,			NULL, 0 }
};
static const struct option lo_headers[] = {
	{ "help",	no_argument,		NULL, 'h' },
	{ "json",	no_argument,		NULL, OPT_JSON },
	{ NULL,		0,			NULL, 0 }
};
static const struct option lo_encode[] = {
	{ "help",	no_argument,		NULL, 'h' },
	{ NULL,		0,			NULL, 0 }
};
static const struct option lo_decode[] = {
	{ "help",	no_argument,		NULL, 'h' },
	{ "lenient",	no_argument,		NULL, OPT_LENIENT },
	{ NULL,		0,			NULL, 0 }
};
static const struct option lo_global[] = {
	{ "help",	no_argument,		NULL, 'h' },
	{ "json",	no_argument,		NULL, OPT_JSON },
	{ "timeout",	required_argument,	NULL, OPT_TIMEOUT },
	{ "trace",	no_argument,		NULL, OPT_TRACE },
	{ "version",	no_argument,		NULL, OPT_VERSION },
	{ NULL,		0,			NULL, 0 }
};

static const struct cmd cmds[] = {
	{ "cat",	cmd_cat,	":hp:v",	lo_cat },
	{ "create",	cmd_create,	":a:b:c:f:H:hs:t:", lo_create },
	{ "decode",	cmd_decode,	":bhq",		lo_decode },
	{ "encode",	cmd_encode,	":bhq",		lo_encode },
	{ "extract",	cmd_extract,	":d:fhp:v",	lo_extract },
	{ "headers",	cmd_headers,	":hn:v",	lo_headers },
	{ "list",	cmd_list,	":hv",		lo_list }
};

static const char *cmdname;	/* the command running, for messages */

static void
usage(FILE *fp)
{
	fputs(
"usage: mmime [-h] [--json] [--timeout secs] [--trace] [--version]\n"
"             command [options] [file | -]\n"
"       mmime create [--crlf] [-a file[:type/subtype]] [-b bcc] [-c cc]\n"
"             [-f from] [-H header] [--html file] [--inline file]\n"
"             [-s subject] [-t to]\n"
"       mmime list [-v] [--json] [file | -]\n"
"       mmime cat -p part [-v] [--utf8] [file | -]\n"
"       mmime extract [-f] [-v] [--all] [-d dir] [--name glob] [-p part]\n"
"             [--type glob] [file | -]\n"
"       mmime headers [-v] [--json] [-n name] [file | -]\n"
"       mmime encode -b | -q [file | -]\n"
"       mmime decode -b | -q [--lenient] [file | -]\n", fp);
}

/* Append s to a growing vector of strings (argv borrowed). */
static void
vec_add(const char ***v, size_t *n, const char *s)
{
	*v = mk_xrealloc(*v, (*n + 1) * sizeof(**v));
	(*v)[(*n)++] = s;
}

/* Report a failed write to standard output. */
static int
out_flush(void)
{
	if (fflush(stdout) == EOF || ferror(stdout)) {
		mk_warn("write standard output:");
		return EX_IOERR;
	}
	return 0;
}

/* Write all of p to fd; -1 with errno set on failure. */
static int
write_all(int fd, const void *p, size_t n)
{
	const uint8_t	*s = p;
	ssize_t		 w;

	while (n > 0) {
		if ((w = write(fd, s, n)) == -1) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		s += w;
		n -= (size_t)w;
	}
	return 0;
}

/* Read up to n bytes; EINTR retried.  -1 with errno set. */
static ssize_t
read_some(int fd, void *p, size_t n)
{
	ssize_t r;

	do
		r = read(fd, p, n);
	while (r == -1 && errno == EINTR);
	return r;
}

/* The input: the file operand, or standard input.  -1 on failure. */
static int
input_open(const struct opts *o, int *ex)
{
	int fd;

	if (o->file == NULL || strcmp(o->file, "-") == 0)
		return STDIN_FILENO;
	if ((fd = open(o->file, O_RDONLY | O_CLOEXEC)) == -1) {
		mk_warn("%s: %s:", cmdname, o->file);
		*ex = errno == ENOENT || errno == ENOTDIR ? EX_NOINPUT :
		    errno == EACCES ? EX_NOPERM : EX_IOERR;
	}
	return fd;
}

static const char *
input_name(const struct opts *o)
{
	return o->file == NULL ? "standard input" : o->file;
}

/*
 * Text from a message for a terminal line: control characters (C0, DEL
 * and the C1 range of UTF-8) become '?'.
 */
static void
put_clean(FILE *fp, const char *s, size_t n)
{
	size_t		i;
	unsigned char	c;

	for (i = 0; i < n; i++) {
		c = (unsigned char)s[i];
		if (c == 0xc2 && i + 1 < n && (unsigned char)s[i + 1] >= 0x80 &&
		    (unsigned char)s[i + 1] <= 0x9f) {
			putc('?', fp);
			i++;
		} else if (c < 0x20 || c == 0x7f)
			putc('?', fp);
		else
			putc(c, fp);
	}
}

/*
 * Driving the parser over the input.
 */

/* What every parsing command shares; its own state follows. */
struct drv {
	struct opts		*o;
	int			 ex;		/* a failure in a callback */
	int			 allmsgs;	/* mbox: every message */
	unsigned long		 nmsg;		/* messages begun */
	int			 limited;
	mime_fn			 fn;		/* the command's callback */
	void			*arg;
	struct mime_parser	*mp;		/* mbox: the current one */
	int			 stop;		/* stop after this message */
	/* The input as the parser sees it, for callbacks that keep it. */
	const uint8_t		*chunk;		/* being fed, or NULL */
	size_t			 chunklen;
	uint64_t		 fed;		/* bytes fed before chunk */
	int			(*fedfn)(void *); /* after each feed */
};

/* A warning from the parser: shown with -v. */
static void
drv_warn(struct drv *d, const struct mime_event *ev)
{
	if (!d->o->verbose)
		return;
	if (ev->part != NULL && ev->part->number[0] != '\0')
		mk_warn("%s: part %s: %s", cmdname, ev->part->number, ev->warn);
	else
		mk_warn("%s: %s", cmdname, ev->warn);
}

static int
drv_check(struct drv *d, int r)
{
	if (r == 0 || r == 1)
		return r;
	if (d->mp != NULL && mime_parser_error(d->mp) != NULL) {
		mk_warn("%s: %s", cmdname, mime_parser_error(d->mp));
		d->ex = EX_SOFTWARE;
	}
	return -1;
}

/* End one message: finish its parser and note the limits it hit. */
static int
drv_msg_end(struct drv *d)
{
	int r;

	if (d->mp == NULL)
		return 0;
	r = drv_check(d, mime_parser_finish(d->mp));
	d->limited |= mime_parser_limited(d->mp);
	mime_parser_free(d->mp);
	d->mp = NULL;
	if (!d->allmsgs)
		d->stop = 1;
	return r == -1 ? -1 : 0;
}

static int
drv_msg_begin(struct drv *d)
{
	if ((d->mp = mime_parser_new(d->fn, d->arg)) == NULL) {
		mk_warn("%s: out of memory", cmdname);
		d->ex = EX_SOFTWARE;
		return -1;
	}
	d->nmsg++;
	d->fed = 0;
	return 0;
}

/* Feed n bytes to the parser, then tell fedfn; as mime_parser_feed(). */
static int
drv_feed(struct drv *d, const uint8_t *p, size_t n)
{
	int r;

	d->chunk = p;
	d->chunklen = n;
	r = mime_parser_feed(d->mp, p, n);
	if (r == 0 && d->fedfn != NULL && d->fedfn(d->arg) == -1)
		r = -1;
	d->fed += n;
	d->chunk = NULL;
	d->chunklen = 0;
	return r;
}

/* mbox splitter events: one parser per message. */
static int
drv_mbox_ev(void *arg, enum mbox_ev ev, const uint8_t *p, size_t n)
{
	struct drv *d = arg;

	if (d->stop)
		return -1;
	switch (ev) {
	case MBOX_EV_BEGIN:
		return drv_msg_begin(d);
	case MBOX_EV_DATA:
		if (drv_check(d, drv_feed(d, p, n)) != 0) {
			d->stop = 1;
			return -1;
		}
		return 0;
	case MBOX_EV_END:
		return drv_msg_end(d);
	}
	return 0;
}

/* Split an mbox read in chunks into lines for mbox_rd. */
static int
drv_mbox(struct drv *d, int fd, uint8_t *buf, size_t have)
{
	struct mbox_rd	 rd;
	struct mk_buf	 part;
	const uint8_t	*s, *nl;
	size_t		 off, take;
	ssize_t		 r;
	int		 ret = 0, eof = 0;

	mbox_rd_init(&rd);
	buf_init(&part, MBOX_MAXLINE);
	while (!d->stop && ret == 0) {
		s = buf;
		for (off = 0; off < have && !d->stop && ret == 0; off += take) {
			nl = memchr(s + off, '\n', have - off);
			take = nl ? (size_t)(nl - (s + off)) + 1 : have - off;
			if (nl == NULL || part.len > 0) {
				if (buf_add(&part, s + off, take) == -1) {
					mk_warn("%s: %s: line too long for an "
					    "mbox", cmdname, input_name(d->o));
					d->ex = EX_DATAERR;
					ret = -1;
					break;
				}
				if (nl == NULL)
					continue;
				if (mbox_rd_line(&rd, part.p, part.len,
				    drv_mbox_ev, d) == -1)
					ret = -1;
				buf_reset(&part);
			} else if (mbox_rd_line(&rd, s + off, take, drv_mbox_ev,
			    d) == -1)
				ret = -1;
		}
		if (ret != 0 || d->stop || eof)
			break;
		if ((r = read_some(fd, buf, IOBUF)) == -1) {
			mk_warn("%s: read %s:", cmdname, input_name(d->o));
			d->ex = EX_IOERR;
			ret = -1;
			break;
		}
		have = (size_t)r;
		if (r == 0) {
			eof = 1;
			if (part.len > 0 && mbox_rd_line(&rd, part.p, part.len,
			    drv_mbox_ev, d) == -1)
				ret = -1;
			break;
		}
	}
	if (ret == 0 && !d->stop && mbox_rd_finish(&rd, drv_mbox_ev, d) == -1)
		ret = -1;
	if (ret == -1 && d->ex == 0 && rd.err != NULL) {
		mk_warn("%s: %s: %s", cmdname, input_name(d->o), rd.err);
		d->ex = EX_DATAERR;
	}
	if (d->mp != NULL) {
		mime_parser_free(d->mp);
		d->mp = NULL;
	}
	buf_free(&part);
	return d->ex;
}

/*
 * Run the command's callback over the input.  Input that starts with
 * "From " is an mbox: every message when allmsgs, else the first.
 * Returns 0 or an exit code (already reported).
 */
static int
drive(struct drv *d)
{
	uint8_t		*buf;
	ssize_t		 r;
	size_t		 have = 0;
	int		 fd, ex = 0, res = 0;

	if ((fd = input_open(d->o, &ex)) == -1)
		return ex;
	buf = mk_xmalloc(IOBUF);
	/* Enough bytes to tell an mbox. */
	while (have < 5) {
		if ((r = read_some(fd, buf + have, IOBUF - have)) == -1) {
			mk_warn("%s: read %s:", cmdname, input_name(d->o));
			d->ex = EX_IOERR;
			goto out;
		}
		if (r == 0)
			break;
		have += (size_t)r;
	}
	if (have >= 5 && memcmp(buf, "From ", 5) == 0) {
		(void)drv_mbox(d, fd, buf, have);
		goto out;
	}
	if (drv_msg_begin(d) == -1)
		goto out;
	for (;;) {
		if (have > 0 && (res = drv_check(d, drv_feed(d, buf,
		    have))) != 0)
			break;
		if ((r = read_some(fd, buf, IOBUF)) == -1) {
			mk_warn("%s: read %s:", cmdname, input_name(d->o));
			d->ex = EX_IOERR;
			break;
		}
		if (r == 0)
			break;
		have = (size_t)r;
	}
	if (res == 0 && d->ex == 0)
		(void)drv_msg_end(d);
	else {
		d->limited |= mime_parser_limited(d->mp);
		mime_parser_free(d->mp);
		d->mp = NULL;
	}
out:
	free(buf);
	if (fd != STDIN_FILENO)
		(void)close(fd);
	if (d->ex == 0 && d->limited) {
		if (d->limited & MIME_LIM_DEPTH)
			mk_warn("%s: %s: nested more than %d deep: not "
			    "descending further", cmdname, input_name(d->o),
			    MIME_MAXDEPTH);
		if (d->limited & MIME_LIM_PARTS)
			mk_warn("%s: %s: more than %d parts: stopped",
			    cmdname, input_name(d->o), MIME_MAXPARTS);
		return EX_DATAERR;
	}
	return d->ex;
}

/*
 * list
 */

struct rec {
	char		*number;
	char		*type;
	char		*charset;
	char		*encoding;
	char		*disposition;
	char		*filename;
	size_t		 filenamelen;
	char		*content_id;
	uint64_t	 size;
};

struct list_st {
	struct drv	 d;
	struct rec	*r;
	size_t		 n;
	size_t		 open[MIME_MAXDEPTH + 2];	/* BEGIN without END */
	int		 nopen;
};

static char *
dup_or_null(const char *s)
{
	return s == NULL ? NULL : mk_xstrdup(s);
}

static int
list_ev(void *arg, const struct mime_event *ev)
{
	struct list_st	*l = arg;
	struct rec	*r;

	switch (ev->type) {
	case MIME_EV_WARN:
		drv_warn(&l->d, ev);
		break;
	case MIME_EV_BEGIN:
		l->r = mk_xrealloc(l->r, (l->n + 1) * sizeof(*l->r));
		r = &l->r[l->n];
		memset(r, 0, sizeof(*r));
		r->number = mk_xstrdup(ev->part->number);
		r->type = dup_or_null(ev->part->type);
		r->charset = dup_or_null(ev->part->charset);
		r->encoding = dup_or_null(ev->part->encoding);
		r->disposition = dup_or_null(ev->part->disposition);
		if (ev->part->filename != NULL) {
			r->filename = mk_xmalloc(ev->part->filenamelen + 1);
			memcpy(r->filename, ev->part->filename,
			    ev->part->filenamelen + 1);
			r->filenamelen = ev->part->filenamelen;
		}
		r->content_id = dup_or_null(ev->part->content_id);
		if (l->nopen < (int)MK_NELEM(l->open))
			l->open[l->nopen++] = l->n;
		l->n++;
		break;
	case MIME_EV_END:
		if (l->nopen > 0)
			l->r[l->open[--l->nopen]].size = ev->part->size;
		break;
	case MIME_EV_DATA:
		break;
	}
	return 0;
}

static void
list_json(const struct list_st *l)
{
	struct json_w	 w;
	const struct rec *r;
	size_t		 i;

	json_init_file(&w, stdout, 0);
	json_arr_begin(&w);
	for (i = 0; i < l->n; i++) {
		r = &l->r[i];
		json_obj_begin(&w);
		json_kv_str(&w, "part", r->number);
		json_kv_str(&w, "type", r->type);
		json_kv_str(&w, "charset", r->charset);
		json_kv_str(&w, "encoding", r->encoding);
		json_kv_str(&w, "disposition", r->disposition);
		if (r->filename != NULL)
			json_kv_strn(&w, "filename", r->filename,
			    r->filenamelen);
		else
			json_kv_str(&w, "filename", NULL);
		json_kv_str(&w, "content_id", r->content_id);
		json_kv_uint(&w, "size", r->size);
		json_obj_end(&w);
	}
	json_arr_end(&w);
	json_end_document(&w);
}

static int
cmd_list(struct opts *o)
{
	struct list_st	 l;
	struct rec	*r;
	size_t		 i;
	int		 ex;

	memset(&l, 0, sizeof(l));
	l.d.o = o;
	l.d.fn = list_ev;
	l.d.arg = &l;
	ex = drive(&l.d);
	if (ex != 0 && ex != EX_DATAERR)
		return ex;
	if (o->json)
		list_json(&l);
	else
		for (i = 0; i < l.n; i++) {
			r = &l.r[i];
			printf("%s %s %s %llu %s ", r->number, r->type,
			    r->encoding, (unsigned long long)r->size,
			    r->disposition ? r->disposition : "-");
			if (r->filename != NULL && r->filenamelen > 0)
				put_clean(stdout, r->filename, r->filenamelen);
			else
				putchar('-');
			putchar('\n');
		}
	for (i = 0; i < l.n; i++) {
		r = &l.r[i];
		free(r->number);
		free(r->type);
		free(r->charset);
		free(r->encoding);
		free(r->disposition);
		free(r->filename);
		free(r->content_id);
	}
	free(l.r);
	if (out_flush() != 0)
		return EX_IOERR;
	return ex;
}

/*
 * cat
 */

struct cat_st {
	struct drv	 d;
	const char	*want;
	int		 found;
	int		 active;
	iconv_t		 cd;		/* --utf8, or (iconv_t)-1 */
	char		 left[16];	/* bytes of a character cut short */
	size_t		 nleft;
};

static int
cat_write(struct cat_st *c, const void *p, size_t n)
{
	if (n > 0 && fwrite(p, 1, n, stdout) != n) {
		mk_warn("write standard output:");
		c->d.ex = EX_IOERR;
		return -1;
	}
	return 0;
}

/*
 * Convert n bytes to UTF-8 with iconv: a sequence iconv cannot take
 * becomes U+FFFD, one byte skipped; a character cut at the end of the
 * chunk waits in left (at_end: it is replaced too).
 */
static int
cat_iconv(struct cat_st *c, const uint8_t *p, size_t n, int at_end)
{
	static const char rep[] = "\xef\xbf\xbd";
	char		 out[8192], tmp[16 + 4096], *in, *op;
	size_t		 inl, outl, k;

	while (n > 0 || c->nleft > 0) {
		/* Take the held bytes and what fits after them. */
		k = n < sizeof(tmp) - c->nleft ? n : sizeof(tmp) - c->nleft;
		memcpy(tmp, c->left, c->nleft);
		memcpy(tmp + c->nleft, p, k);
		inl = c->nleft + k;
		p += k;
		n -= k;
		c->nleft = 0;
		in = tmp;
		while (inl > 0) {
			op = out;
			outl = sizeof(out);
			if (iconv(c->cd, &in, &inl, &op, &outl) == (size_t)-1) {
				if (cat_write(c, out, (size_t)(op - out)) == -1)
					return -1;
				if (errno == E2BIG)
					continue;
				if (errno == EINVAL && !(at_end && n == 0) &&
				    inl < sizeof(c->left)) {
					if (n == 0) {
						memcpy(c->left, in, inl);
						c->nleft = inl;
						break;
					}
					/* More input: join it next round. */
					memcpy(c->left, in, inl);
					c->nleft = inl;
					break;
				}
				if (cat_write(c, rep, 3) == -1)
					return -1;
				in++;
				inl--;
				continue;
			}
			if (cat_write(c, out, (size_t)(op - out)) == -1)
				return -1;
		}
		if (c->nleft > 0 && n == 0)
			break;
	}
	return 0;
}

static int
cat_ev(void *arg, const struct mime_event *ev)
{
	struct cat_st *c = arg;

	switch (ev->type) {
	case MIME_EV_WARN:
		drv_warn(&c->d, ev);
		break;
	case MIME_EV_BEGIN:
		if (c->found || strcmp(ev->part->number, c->want) != 0)
			break;
		c->found = 1;
		if (ev->part->container) {
			mk_warn("%s: part %s is a %s container, not a leaf",
			    cmdname, c->want, ev->part->type);
			c->d.ex = EX_DATAERR;
			return -1;
		}
		c->active = 1;
		if (c->d.o->utf8 && ev->part->charset != NULL &&
		    strcmp(ev->part->charset, "utf-8") != 0 &&
		    strcmp(ev->part->charset, "us-ascii") != 0 &&
		    (c->cd = iconv_open("UTF-8", ev->part->charset)) ==
		    (iconv_t)-1)
			mk_warn("%s: charset %s unknown: bytes passed as they "
			    "are", cmdname, ev->part->charset);
		break;
	case MIME_EV_DATA:
		if (!c->active)
			break;
		if (c->cd != (iconv_t)-1)
			return cat_iconv(c, ev->data, ev->len, 0);
		return cat_write(c, ev->data, ev->len);
	case MIME_EV_END:
		if (!c->active)
			break;
		c->active = 0;
		if (c->cd != (iconv_t)-1 && c->nleft > 0 &&
		    cat_iconv(c, NULL, 0, 1) == -1)
			return -1;
		return 1;	/* done: the rest is not needed */
	}
	return 0;
}

static int
cmd_cat(struct opts *o)
{
	struct cat_st	c;
	int		ex;

	if (o->nparts != 1) {
		mk_warn("cat: one -p part is needed");
		usage(stderr);
		return EX_USAGE;
	}
	memset(&c, 0, sizeof(c));
	c.d.o = o;
	c.d.fn = cat_ev;
	c.d.arg = &c;
	c.want = o->parts[0];
	c.cd = (iconv_t)-1;
	ex = drive(&c.d);
	if (c.cd != (iconv_t)-1)
		iconv_close(c.cd);
	if (out_flush() != 0)
		return EX_IOERR;
	if (ex != 0)
		return ex;
	if (!c.found) {
		mk_warn("cat: %s: no part %s", input_name(o), c.want);
		return 1;
	}
	return 0;
}

/*
 * extract
 */

/* Known types and their extensions: create's fallback and part names. */
static const struct {
	const char	*ext;
	const char	*type;
} exttab[] = {
	{ "bin",	"application/octet-stream" },
	{ "c",		"text/x-c" },
	{ "csv",	"text/csv" },
	{ "doc",	"application/msword" },
	{ "docx",	"application/vnd.openxmlformats-officedocument."
			"wordprocessingml.document" },
	{ "eml",	"message/rfc822" },
	{ "gif",	"image/gif" },
	{ "gz",		"application/gzip" },
	{ "htm",	"text/html" },
	{ "html",	"text/html" },
	{ "ics",	"text/calendar" },
	{ "jpeg",	"image/jpeg" },
	{ "jpg",	"image/jpeg" },
	{ "json",	"application/json" },
	{ "md",		"text/markdown" },
	{ "mp3",	"audio/mpeg" },
	{ "mp4",	"video/mp4" },
	{ "odt",	"application/vnd.oasis.opendocument.text" },
	{ "pdf",	"application/pdf" },
	{ "png",	"image/png" },
	{ "ppt",	"application/vnd.ms-powerpoint" },
	{ "pptx",	"application/vnd.openxmlformats-officedocument."
			"presentationml.presentation" },
	{ "svg",	"image/svg+xml" },
	{ "tar",	"application/x-tar" },
	{ "txt",	"text/plain" },
	{ "webp",	"image/webp" },
	{ "xls",	"application/vnd.ms-excel" },
	{ "xlsx",	"application/vnd.openxmlformats-officedocument."
			"spreadsheetml.sheet" },
	{ "xml",	"application/xml" },
	{ "zip",	"application/zip" }
};

static const char *
ext_of_type(const char *type)
{
	size_t i;

	if (type != NULL)
		for (i = 0; i < MK_NELEM(exttab); i++)
			if (strcmp(exttab[i].type, type) == 0)
				return exttab[i].ext;
	return "bin";
}

static const char *
type_of_ext(const char *path)
{
	const char	*dot, *sl;
	size_t		 i;

	dot = strrchr(path, '.');
	sl = strrchr(path, '/');
	if (dot == NULL || (sl != NULL && dot < sl))
		return NULL;
	for (i = 0; i < MK_NELEM(exttab); i++)
		if (strcasecmp(exttab[i].ext, dot + 1) == 0)
			return exttab[i].type;
	return NULL;
}

/* One file being written: a temporary name until it is complete. */
struct ext_file {
	int		 fd;		/* or -1 */
	char		 tmp[64];	/* its temporary name */
	char		 name[MIME_NUMLEN + MIME_NAMEMAX];
	char		 number[MIME_NUMLEN];
	uint64_t	 from;		/* a whole message: its input offset */
	uint64_t	 done;		/* and how far it is written */
};

struct ext_st {
	struct drv	 d;
	int		 dfd;
	struct ext_file	 leaf;		/* the leaf part being written */
	struct ext_file	 msg[MIME_MAXDEPTH]; /* messages taken whole */
	size_t		 nmsg;
	char		*found;		/* which -p were seen */
	char		**written;	/* names written by this run */
	size_t		 nwritten;
	unsigned long	 nout;
	int		 fail;		/* exit code of a failed part */
};

/* fnmatch(3) without regard to ASCII case. */
static int
glob_ci(const char *pat, const char *s)
{
	char	*a, *b;
	size_t	 i;
	int	 r;

	a = mk_xstrdup(pat);
	b = mk_xstrdup(s);
	for (i = 0; a[i] != '\0'; i++)
		a[i] = (char)tolower((unsigned char)a[i]);
	for (i = 0; b[i] != '\0'; i++)
		b[i] = (char)tolower((unsigned char)b[i]);
	r = fnmatch(a, b, 0) == 0;
	free(a);
	free(b);
	return r;
}

/*
 * An encapsulated message: a container that extract takes whole, or,
 * in a quoted-printable or base64 body, a leaf.
 */
static int
ext_is_msg(const struct mime_part *pt)
{
	return strcmp(pt->type, "message/rfc822") == 0 ||
	    strcmp(pt->type, "message/global") == 0;
}

/*
 * Whether the part is selected by the options: a leaf, or an
 * encapsulated message to take whole.  --all takes leaves only.  By
 * default the attachments are taken, and every encapsulated message
 * that is not inline, but nothing inside a message taken whole.
 */
static int
ext_selected(struct ext_st *x, const struct mime_part *pt)
{
	const struct opts	*o = x->d.o;
	size_t			 i;
	int			 sel = 0;

	for (i = 0; i < o->nparts; i++)
		if (strcmp(o->parts[i], pt->number) == 0) {
			x->found[i] = 1;
			sel = 1;
		}
	if (sel)
		return 1;
	if (o->all)
		return !pt->container;
	if (o->type_glob != NULL || o->name_glob != NULL) {
		if (o->type_glob != NULL && !glob_ci(o->type_glob, pt->type))
			return 0;
		if (o->name_glob != NULL && (pt->filename == NULL ||
		    !glob_ci(o->name_glob, pt->filename)))
			return 0;
		return 1;
	}
	if (o->nparts > 0 || x->nmsg > 0)
		return 0;
	if (ext_is_msg(pt))
		return pt->disposition == NULL ||
		    strcmp(pt->disposition, "inline") != 0;
	return pt->filename != NULL || (pt->disposition != NULL &&
	    strcmp(pt->disposition, "attachment") == 0);
}

/* Name f after the part and open a fresh temporary file for it. */
static int
ext_open(struct ext_st *x, struct ext_file *f, const struct mime_part *pt,
    const char *ext)
{
	uint32_t	rnd;
	size_t		n = 0;
	int		i;

	if (pt->filename != NULL)
		n = mime_name_sanitize(pt->filename, pt->filenamelen, f->name);
	if (n == 0)
		(void)snprintf(f->name, sizeof(f->name), "part-%s.%s",
		    pt->number, ext);
	(void)snprintf(f->number, sizeof(f->number), "%s", pt->number);
	for (i = 0; i < 100; i++) {
		if (getrandom(&rnd, sizeof(rnd), 0) != sizeof(rnd))
			rnd = (uint32_t)time(NULL) ^ (uint32_t)i;
		(void)snprintf(f->tmp, sizeof(f->tmp), ".mmime-%ld-%08x.tmp",
		    (long)getpid(), (unsigned)rnd);
		f->fd = openat(x->dfd, f->tmp, O_WRONLY | O_CREAT | O_EXCL |
		    O_NOFOLLOW | O_CLOEXEC, 0666);
		if (f->fd != -1 || errno != EEXIST)
			break;
	}
	if (f->fd == -1) {
		mk_warn("extract: create in %s:", x->d.o->dir);
		return -1;
	}
	return 0;
}

static void
ext_abort(struct ext_st *x, struct ext_file *f)
{
	if (f->fd == -1)
		return;
	(void)close(f->fd);
	(void)unlinkat(x->dfd, f->tmp, 0);
	f->fd = -1;
}

static int
ext_was_written(const struct ext_st *x, const char *name)
{
	size_t i;

	for (i = 0; i < x->nwritten; i++)
		if (strcmp(x->written[i], name) == 0)
			return 1;
	return 0;
}

/*
 * Move the temporary file to its name, or name-1.ext, name-2.ext ...
 * when taken (by a file, or by a name this run wrote even with -f).
 * Without -f nothing is replaced (renameat2 RENAME_NOREPLACE, or link
 * where that is missing); with -f what is there, a symbolic link too,
 * is replaced by the rename, never written through.
 */
static int
ext_commit(struct ext_st *x, struct ext_file *f)
{
	char		 cand[sizeof(f->name) + 16];
	const char	*dot;
	size_t		 stem;
	unsigned	 k;
	int		 r, e;

	dot = strrchr(f->name, '.');
	stem = dot != NULL && dot != f->name ? (size_t)(dot - f->name) :
	    strlen(f->name);
	for (k = 0; k < 100000; k++) {
		if (k == 0)
			(void)snprintf(cand, sizeof(cand), "%s", f->name);
		else
			(void)snprintf(cand, sizeof(cand), "%.*s-%u%s",
			    (int)stem, f->name, k, f->name + stem);
		if (ext_was_written(x, cand))
			continue;
		if (x->d.o->force)
			r = renameat(x->dfd, f->tmp, x->dfd, cand);
		else {
			r = (int)syscall(SYS_renameat2, x->dfd, f->tmp, x->dfd,
			    cand, RENAME_NOREPLACE_FLAG);
			if (r == -1 && (errno == EINVAL || errno == ENOSYS)) {
				r = linkat(x->dfd, f->tmp, x->dfd, cand, 0);
				if (r == 0)
					(void)unlinkat(x->dfd, f->tmp, 0);
			}
		}
		if (r == 0)
			break;
		e = errno;
		if (e == EEXIST && !x->d.o->force)
			continue;
		errno = e;
		mk_warn("extract: part %s: %s/%s:", f->number, x->d.o->dir,
		    cand);
		(void)unlinkat(x->dfd, f->tmp, 0);
		return -1;
	}
	if (k == 100000) {
		mk_warn("extract: part %s: no free name for %s", f->number,
		    f->name);
		(void)unlinkat(x->dfd, f->tmp, 0);
		return -1;
	}
	x->written = mk_xrealloc(x->written, (x->nwritten + 1) *
	    sizeof(*x->written));
	x->written[x->nwritten++] = mk_xstrdup(cand);
	if (strcmp(x->d.o->dir, ".") == 0)
		printf("%s\n", cand);
	else
		printf("%s/%s\n", x->d.o->dir, cand);
	if (fflush(stdout) == EOF) {
		mk_warn("write standard output:");
		x->d.ex = EX_IOERR;
		return -1;
	}
	x->nout++;
	return 0;
}

/* A write to f failed: say so, drop it, stop. */
static int
ext_write_failed(struct ext_st *x, struct ext_file *f)
{
	mk_warn("extract: part %s: write %s/%s:", f->number, x->d.o->dir,
	    f->tmp);
	ext_abort(x, f);
	x->d.ex = EX_IOERR;
	return -1;
}

/* f is complete: to disk, then to its name. */
static int
ext_finish(struct ext_st *x, struct ext_file *f)
{
	if (fsync(f->fd) == -1 || close(f->fd) == -1) {
		mk_warn("extract: part %s: write %s/%s:", f->number,
		    x->d.o->dir, f->tmp);
		(void)close(f->fd);
		f->fd = -1;
		(void)unlinkat(x->dfd, f->tmp, 0);
		x->d.ex = EX_IOERR;
		return -1;
	}
	f->fd = -1;
	if (ext_commit(x, f) == -1) {
		if (x->d.ex != 0)
			return -1;
		x->fail = EX_CANTCREAT;
	}
	return 0;
}

/*
 * A message taken whole is the input from its offset on, as fed: copy
 * what the chunk being fed holds of it, up to the input offset upto.
 */
static int
ext_msg_copy(struct ext_st *x, struct ext_file *f, uint64_t upto)
{
	const struct drv	*d = &x->d;
	uint64_t		 lo, hi;

	if (d->chunk == NULL)
		return 0;
	lo = f->done > d->fed ? f->done : d->fed;
	hi = d->fed + d->chunklen;
	if (upto < hi)
		hi = upto;
	if (hi <= lo)
		return 0;
	if (write_all(f->fd, d->chunk + (lo - d->fed), (size_t)(hi - lo)) ==
	    -1)
		return ext_write_failed(x, f);
	f->done = hi;
	return 0;
}

/* After each chunk fed: the messages taken whole get their share. */
static int
ext_fed(void *arg)
{
	struct ext_st	*x = arg;
	size_t		 i;

	for (i = 0; i < x->nmsg; i++)
		if (ext_msg_copy(x, &x->msg[i], UINT64_MAX) == -1)
			return -1;
	return 0;
}

/* A selected encapsulated message begins: copy it from its body on. */
static int
ext_msg_begin(struct ext_st *x, const struct mime_part *pt)
{
	struct ext_file *f = &x->msg[x->nmsg];

	if (x->nmsg == MIME_MAXDEPTH)
		return 0;
	/*
	 * Its body began in a chunk already gone (a header block cut short
	 * by a chunk): a copy would lack its start, and a cut message must
	 * not look whole.  Never seen with whole lines; refused if it is.
	 */
	if (pt->offset < x->d.fed) {
		mk_warn("extract: part %s: its first %llu bytes were not kept: "
		    "not extracted", pt->number,
		    (unsigned long long)(x->d.fed - pt->offset));
		x->fail = EX_DATAERR;
		return 0;
	}
	if (ext_open(x, f, pt, "eml") == -1) {
		x->d.ex = EX_CANTCREAT;
		return -1;
	}
	f->from = f->done = pt->offset;
	x->nmsg++;
	return 0;
}

/* It ends after size bytes: the rest of them, and no more. */
static int
ext_msg_end(struct ext_st *x, const struct mime_part *pt)
{
	struct ext_file	*f = &x->msg[x->nmsg - 1];
	uint64_t	 end = pt->offset + pt->size;

	if (end < f->from)
		end = f->from;
	if (f->done > end) {
		if (ftruncate(f->fd, (off_t)(end - f->from)) == -1)
			return ext_write_failed(x, f);
	} else if (ext_msg_copy(x, f, end) == -1)
		return -1;
	x->nmsg--;
	return ext_finish(x, f);
}

static int
ext_ev(void *arg, const struct mime_event *ev)
{
	struct ext_st		*x = arg;
	const struct mime_part	*pt = ev->part;
	size_t			 i;

	switch (ev->type) {
	case MIME_EV_WARN:
		drv_warn(&x->d, ev);
		break;
	case MIME_EV_BEGIN:
		if (pt->container && ext_is_msg(pt)) {
			if (ext_selected(x, pt))
				return ext_msg_begin(x, pt);
			break;
		}
		if (pt->container) {
			for (i = 0; i < x->d.o->nparts; i++)
				if (strcmp(x->d.o->parts[i], pt->number) == 0) {
					x->found[i] = 1;
					mk_warn("extract: part %s is a %s "
					    "container: not extracted",
					    pt->number, pt->type);
				}
			break;
		}
		if (!ext_selected(x, pt))
			break;
		if (ext_open(x, &x->leaf, pt, ext_is_msg(pt) ? "eml" :
		    ext_of_type(pt->type)) == -1) {
			x->d.ex = EX_CANTCREAT;
			return -1;
		}
		break;
	case MIME_EV_DATA:
		if (x->leaf.fd != -1 && write_all(x->leaf.fd, ev->data,
		    ev->len) == -1)
			return ext_write_failed(x, &x->leaf);
		break;
	case MIME_EV_END:
		if (pt->container) {
			if (x->nmsg > 0 && strcmp(x->msg[x->nmsg - 1].number,
			    pt->number) == 0)
				return ext_msg_end(x, pt);
			break;
		}
		if (x->leaf.fd == -1)
			break;
		if (ext_finish(x, &x->leaf) == -1)
			return -1;
		break;
	}
	return 0;
}

static int
cmd_extract(struct opts *o)
{
	struct ext_st	 x;
	size_t		 i;
	int		 ex;

	memset(&x, 0, sizeof(x));
	x.d.o = o;
	x.d.fn = ext_ev;
	x.d.arg = &x;
	x.d.fedfn = ext_fed;
	x.d.allmsgs = 1;
	x.leaf.fd = -1;
	if (o->dir == NULL)
		o->dir = ".";
	x.found = calloc(o->nparts + 1, 1);
	if (x.found == NULL)
		mk_die(EX_SOFTWARE, "out of memory");
	if ((x.dfd = open(o->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) ==
	    -1) {
		mk_warn("extract: %s:", o->dir);
		free(x.found);
		return EX_CANTCREAT;
	}
	ex = drive(&x.d);
	ext_abort(&x, &x.leaf);
	for (i = 0; i < x.nmsg; i++)
		ext_abort(&x, &x.msg[i]);
	(void)close(x.dfd);
	for (i = 0; i < o->nparts; i++)
		if (!x.found[i]) {
			mk_warn("extract: %s: no part %s", input_name(o),
			    o->parts[i]);
			if (ex == 0)
				ex = 1;
		}
	for (i = 0; i < x.nwritten; i++)
		free(x.written[i]);
	free(x.written);
	free(x.found);
	if (out_flush() != 0)
		return EX_IOERR;
	if (ex == 0)
		ex = x.fail;
	if (ex == 0 && x.nout == 0 && (o->nparts > 0 || o->type_glob != NULL
	    || o->name_glob != NULL))
		ex = 1;
	return ex;
}

/*
 * headers
 */

struct hdr_st {
	struct drv	 d;
	int		 done;
	unsigned long	 nshown;
};

static int
hdr_wanted(const struct opts *o, const char *name)
{
	size_t i;

	if (o->nnames == 0)
		return 1;
	for (i = 0; i < o->nnames; i++)
		if (strcasecmp(o->names[i], name) == 0)
			return 1;
	return 0;
}

static void
hdr_show(struct hdr_st *h, const struct hdr_block *hb)
{
	struct json_w		 w;
	struct mk_buf		 v;
	const struct hdr_field	*f;
	char			*u;
	size_t			 i, k, j;

	if (h->d.o->json) {
		json_init_file(&w, stdout, 0);
		json_arr_begin(&w);
	}
	buf_init(&v, 0);
	for (i = 0; i < hb->n; i++) {
		f = &hb->fields[i];
		if (!hdr_wanted(h->d.o, f->name))
			continue;
		h->nshown++;
		u = mk_xmalloc(f->valuelen + 1);
		k = hdr_unfold(f->value, f->valuelen, u);
		buf_reset(&v);
		if (hdr_decode_words(u, k, &v, NULL) == -1)
			mk_die(EX_SOFTWARE, "out of memory");
		free(u);
		if (h->d.o->json) {
			json_obj_begin(&w);
			json_kv_str(&w, "name", f->name);
			json_kv_strn(&w, "value", v.p != NULL ? (char *)v.p :
			    "", v.len);
			json_kv_strn(&w, "raw", f->value, f->valuelen);
			json_obj_end(&w);
			continue;
		}
		put_clean(stdout, f->name, f->namelen);
		fputs(": ", stdout);
		/* Tabs become spaces; other controls '?'. */
		for (j = 0; j < v.len; j++)
			if (v.p[j] == '\t')
				v.p[j] = ' ';
		put_clean(stdout, (char *)v.p, v.len);
		putchar('\n');
	}
	buf_free(&v);
	if (h->d.o->json) {
		json_arr_end(&w);
		json_end_document(&w);
	}
}

static int
hdr_ev(void *arg, const struct mime_event *ev)
{
	struct hdr_st *h = arg;

	if (ev->type == MIME_EV_WARN) {
		drv_warn(&h->d, ev);
		return 0;
	}
	if (ev->type != MIME_EV_BEGIN || h->done)
		return 0;
	h->done = 1;
	hdr_show(h, ev->part->hdrs);
	return 1;
}

static int
cmd_headers(struct opts *o)
{
	struct hdr_st	h;
	int		ex;

	memset(&h, 0, sizeof(h));
	h.d.o = o;
	h.d.fn = hdr_ev;
	h.d.arg = &h;
	ex = drive(&h.d);
	if (out_flush() != 0)
		return EX_IOERR;
	if (ex != 0)
		return ex;
	return o->nnames > 0 && h.nshown == 0 ? 1 : 0;
}

/*
 * encode, decode
 *
 * Both are stream filters: read() into big buffers, the codec, write()
 * straight from its output buffer, no stdio.  When the input is a big
 * regular file, a second thread reads the next buffers while this one
 * codes and writes: copying the file out of the page cache costs about
 * as much as vector base64 itself, and the two then overlap.  A pipe or
 * terminal is read in this thread, since a read there can block for
 * ever and the reader could then not be stopped.
 */

#define RA_NBUF		4			/* buffers in the ring */
#define RA_BUFSZ	(57 * 16 * 1024)	/* 912 KiB, whole lines */
#define RA_THREADMIN	(4 * RA_BUFSZ)		/* smaller files: no thread */
#define XC_STEP		(57 * 2 * 1024)		/* bytes per codec call */

/* A ring of input buffers, filled by a reader thread or on demand. */
struct rahead {
	int		 fd;
	int		 threaded;	/* the reader thread runs */
	pthread_t	 th;
	pthread_mutex_t	 mu;
	pthread_cond_t	 cv;
	uint8_t		*buf[RA_NBUF];	/* owned, RA_BUFSZ each */
	ssize_t		 len[RA_NBUF];	/* bytes read, 0 at EOF, -1 error */
	int		 err[RA_NBUF];	/* errno of a failed read */
	size_t		 head;		/* buffers filled so far */
	size_t		 tail;		/* buffers handed back so far */
	int		 stop;		/* the consumer is gone */
};

static void	*ra_main(void *);
static void	 ra_start(struct rahead *, int);
static ssize_t	 ra_next(struct rahead *, uint8_t **, int *);
static void	 ra_release(struct rahead *);
static void	 ra_end(struct rahead *);

/* Read until n bytes, end of file or an error; -1 with errno set. */
static ssize_t
read_full(int fd, uint8_t *p, size_t n)
{
	size_t	k = 0;
	ssize_t	r;

	while (k < n) {
		if ((r = read_some(fd, p + k, n - k)) == -1)
			return k > 0 ? (ssize_t)k : -1;
		if (r == 0)
			break;
		k += (size_t)r;
	}
	return (ssize_t)k;
}

/* The reader thread: fill free buffers in order until EOF or error. */
static void *
ra_main(void *arg)
{
	struct rahead	*ra = arg;
	size_t		 slot;
	ssize_t		 r;
	int		 e;

	for (;;) {
		pthread_mutex_lock(&ra->mu);
		while (ra->head - ra->tail == RA_NBUF && !ra->stop)
			pthread_cond_wait(&ra->cv, &ra->mu);
		if (ra->stop) {
			pthread_mutex_unlock(&ra->mu);
			return NULL;
		}
		slot = ra->head % RA_NBUF;
		pthread_mutex_unlock(&ra->mu);
		r = read_full(ra->fd, ra->buf[slot], RA_BUFSZ);
		e = errno;
		pthread_mutex_lock(&ra->mu);
		ra->len[slot] = r;
		ra->err[slot] = e;
		ra->head++;
		pthread_cond_broadcast(&ra->cv);
		pthread_mutex_unlock(&ra->mu);
		if (r <= 0)
			return NULL;
	}
}

/*
 * Set up the ring on fd: one buffer read in this thread, or, for a
 * regular file big enough to pay for it, the whole ring and a thread.
 */
static void
ra_start(struct rahead *ra, int fd)
{
	struct stat	st;
	size_t		i;

	memset(ra, 0, sizeof(*ra));
	ra->fd = fd;
	ra->buf[0] = mk_xmalloc(RA_BUFSZ);
	if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode) ||
	    st.st_size < RA_THREADMIN)
		return;
	for (i = 1; i < RA_NBUF; i++)
		ra->buf[i] = mk_xmalloc(RA_BUFSZ);
	if (pthread_mutex_init(&ra->mu, NULL) != 0)
		return;
	if (pthread_cond_init(&ra->cv, NULL) != 0) {
		pthread_mutex_destroy(&ra->mu);
		return;
	}
	if (pthread_create(&ra->th, NULL, ra_main, ra) != 0) {
		pthread_cond_destroy(&ra->cv);
		pthread_mutex_destroy(&ra->mu);
		return;
	}
	ra->threaded = 1;
}

/*
 * The next buffer of input in *pp: returns its length, 0 at the end, or
 * -1 with *errp set.  Hand it back with ra_release() before the next.
 */
static ssize_t
ra_next(struct rahead *ra, uint8_t **pp, int *errp)
{
	size_t	slot = ra->threaded ? ra->tail % RA_NBUF : 0;
	ssize_t	r;

	*pp = ra->buf[slot];
	if (!ra->threaded) {
		r = read_some(ra->fd, ra->buf[0], RA_BUFSZ);
		*errp = errno;
		return r;
	}
	pthread_mutex_lock(&ra->mu);
	while (ra->head == ra->tail)
		pthread_cond_wait(&ra->cv, &ra->mu);
	r = ra->len[slot];
	*errp = ra->err[slot];
	pthread_mutex_unlock(&ra->mu);
	return r;
}

static void
ra_release(struct rahead *ra)
{
	if (!ra->threaded) {
		ra->tail++;
		return;
	}
	pthread_mutex_lock(&ra->mu);
	ra->tail++;
	pthread_cond_broadcast(&ra->cv);
	pthread_mutex_unlock(&ra->mu);
}

/* Stop the reader (a regular file: its read ends soon) and free all. */
static void
ra_end(struct rahead *ra)
{
	size_t i;

	if (ra->threaded) {
		pthread_mutex_lock(&ra->mu);
		ra->stop = 1;
		pthread_cond_broadcast(&ra->cv);
		pthread_mutex_unlock(&ra->mu);
		pthread_join(ra->th, NULL);
		pthread_cond_destroy(&ra->cv);
		pthread_mutex_destroy(&ra->mu);
	}
	for (i = 0; i < RA_NBUF; i++)
		free(ra->buf[i]);
}

/*
 * encode -b of a big regular file.  Copying the file out of the page
 * cache costs about twice what vector base64 does, so with one reader
 * and one encoder the encoder waits.  Instead the main thread and one
 * helper each read (pread) and encode their own chunks, alternately.  A
 * chunk of PE_CHUNK bytes, a multiple of 57, encodes to whole 76-column
 * lines by itself, so no state passes from chunk to chunk and the main
 * thread just writes them in order.  The stream ends with the first
 * chunk read short: a file that shrinks or grows meanwhile gives the
 * encoding of the bytes that were read, complete and padded.  (mmap
 * would save the copy, but reading through 4 KiB user mappings is
 * slower than read(2) here, and a file truncated under a mapping raises
 * SIGBUS.)
 */
#define PE_CHUNK	(57 * 4 * 1024)		/* 228 KiB in, 304 out */
#define PE_NSLOT	2			/* helper chunks in flight */

struct pe_slot {
	uint8_t		*in;		/* owned, PE_CHUNK */
	char		*out;		/* owned, pe_outmax() */
	size_t		 outlen;
	ssize_t		 inlen;		/* bytes read, -1 on error */
	int		 err;		/* errno of a failed read */
	int		 full;		/* encoded, not yet written */
};

struct penc {
	int		 fd;
	off_t		 base;		/* file offset of chunk 0 */
	pthread_t	 th;
	pthread_mutex_t	 mu;
	pthread_cond_t	 cv;
	struct pe_slot	 own;		/* the main thread's chunk */
	struct pe_slot	 slot[PE_NSLOT]; /* the helper's, in turn */
	int		 stop;		/* the main thread is done */
};

static size_t	 pe_outmax(void);
static void	 pe_chunk(const struct penc *, size_t, struct pe_slot *);
static void	*pe_main(void *);
static int	 pe_run(struct opts *, int, int *);

static size_t
pe_outmax(void)
{
	struct b64_enc e;

	b64_enc_init(&e, B64_WRAP, "\n");
	return b64_enc_bound(&e, PE_CHUNK) + b64_enc_bound(&e, 0);
}

/* Read and encode chunk j into s. */
static void
pe_chunk(const struct penc *pe, size_t j, struct pe_slot *s)
{
	struct b64_enc	e;
	size_t		k = 0, n;
	ssize_t		r;
	off_t		at = pe->base + (off_t)(j * PE_CHUNK);

	s->err = 0;
	while (k < PE_CHUNK) {
		r = pread(pe->fd, s->in + k, PE_CHUNK - k, at + (off_t)k);
		if (r == -1 && errno == EINTR)
			continue;
		if (r == -1) {
			s->err = errno;
			s->inlen = -1;
			s->outlen = 0;
			return;
		}
		if (r == 0)
			break;
		k += (size_t)r;
	}
	s->inlen = (ssize_t)k;
	b64_enc_init(&e, B64_WRAP, "\n");
	n = b64_enc_update(&e, s->in, k, s->out);
	s->outlen = n + b64_enc_final(&e, s->out + n);
}

/* The helper: the odd chunks, until one is short or the main quits. */
static void *
pe_main(void *arg)
{
	struct penc	*pe = arg;
	struct pe_slot	*s;
	size_t		 i;
	int		 stop;

	for (i = 0;; i++) {
		s = &pe->slot[i % PE_NSLOT];
		pthread_mutex_lock(&pe->mu);
		while (s->full && !pe->stop)
			pthread_cond_wait(&pe->cv, &pe->mu);
		stop = pe->stop;
		pthread_mutex_unlock(&pe->mu);
		if (stop)
			return NULL;
		pe_chunk(pe, 2 * i + 1, s);
		pthread_mutex_lock(&pe->mu);
		s->full = 1;
		pthread_cond_broadcast(&pe->cv);
		pthread_mutex_unlock(&pe->mu);
		if (s->inlen != PE_CHUNK)
			return NULL;
	}
}

/*
 * Encode fd that way when it is worth it: returns 0 with *ex set when
 * done, or -1 (nothing read or written) for the one-thread code.
 */
static int
pe_run(struct opts *o, int fd, int *ex)
{
	struct penc	 pe;
	struct pe_slot	*s;
	struct stat	 st;
	uint64_t	 done = 0;
	size_t		 i, j, outmax;
	int		 t;

	if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode) ||
	    st.st_size < 4 * PE_CHUNK || sysconf(_SC_NPROCESSORS_ONLN) < 2)
		return -1;
	memset(&pe, 0, sizeof(pe));
	pe.fd = fd;
	if ((pe.base = lseek(fd, 0, SEEK_CUR)) == -1)
		return -1;
	outmax = pe_outmax();
	pe.own.in = mk_xmalloc(PE_CHUNK);
	pe.own.out = mk_xmalloc(outmax);
	for (i = 0; i < PE_NSLOT; i++) {
		pe.slot[i].in = mk_xmalloc(PE_CHUNK);
		pe.slot[i].out = mk_xmalloc(outmax);
	}
	t = pthread_mutex_init(&pe.mu, NULL) == 0;
	if (t && pthread_cond_init(&pe.cv, NULL) != 0) {
		pthread_mutex_destroy(&pe.mu);
		t = 0;
	}
	if (t && pthread_create(&pe.th, NULL, pe_main, &pe) != 0) {
		pthread_cond_destroy(&pe.cv);
		pthread_mutex_destroy(&pe.mu);
		t = 0;
	}
	*ex = 0;
	for (i = 0, j = 0; t && *ex == 0; j++) {
		if (j % 2 == 0) {
			s = &pe.own;
			pe_chunk(&pe, j, s);
		} else {
			s = &pe.slot[i++ % PE_NSLOT];
			pthread_mutex_lock(&pe.mu);
			while (!s->full)
				pthread_cond_wait(&pe.cv, &pe.mu);
			pthread_mutex_unlock(&pe.mu);
		}
		if (s->inlen == -1) {
			errno = s->err;
			mk_warn("encode: read %s:", input_name(o));
			*ex = EX_IOERR;
		} else if (write_all(STDOUT_FILENO, s->out, s->outlen) == -1) {
			mk_warn("write standard output:");
			*ex = EX_IOERR;
		} else
			done += (uint64_t)s->inlen;
		if (*ex == 0 && s->inlen != PE_CHUNK)
			break;
		if (j % 2 == 1) {
			pthread_mutex_lock(&pe.mu);
			s->full = 0;
			pthread_cond_broadcast(&pe.cv);
			pthread_mutex_unlock(&pe.mu);
		}
	}
	if (t) {
		pthread_mutex_lock(&pe.mu);
		pe.stop = 1;
		pthread_cond_broadcast(&pe.cv);
		pthread_mutex_unlock(&pe.mu);
		pthread_join(pe.th, NULL);
		pthread_cond_destroy(&pe.cv);
		pthread_mutex_destroy(&pe.mu);
		/* Leave the offset where a plain reader would have. */
		(void)lseek(fd, pe.base + (off_t)done, SEEK_SET);
	}
	free(pe.own.in);
	free(pe.own.out);
	for (i = 0; i < PE_NSLOT; i++) {
		free(pe.slot[i].in);
		free(pe.slot[i].out);
	}
	return t ? 0 : -1;
}

static int
xcode_mode(const struct opts *o)
{
	if (o->b64 + o->qp != 1) {
		mk_warn("%s: one of -b and -q is needed", cmdname);
		usage(stderr);
		return EX_USAGE;
	}
	return 0;
}

static int
cmd_encode(struct opts *o)
{
	struct rahead	 ra;
	struct b64_enc	 be;
	struct qp_enc	 qe;
	uint8_t		*in;
	char		*out;
	size_t		 n, off, k;
	ssize_t		 r;
	int		 fd, ex = 0, e;

	if ((ex = xcode_mode(o)) != 0)
		return ex;
	if ((fd = input_open(o, &ex)) == -1)
		return ex;
	if (o->b64 && pe_run(o, fd, &ex) == 0) {
		if (fd != STDIN_FILENO)
			(void)close(fd);
		return ex;
	}
	b64_enc_init(&be, B64_WRAP, "\n");
	qp_enc_init(&qe, 0, "\n");
	out = mk_xmalloc(o->b64 ? b64_enc_bound(&be, XC_STEP) :
	    QP_ENC_BOUND(XC_STEP) + 64);
	ra_start(&ra, fd);
	while (ex == 0) {
		if ((r = ra_next(&ra, &in, &e)) == -1) {
			errno = e;
			mk_warn("encode: read %s:", input_name(o));
			ex = EX_IOERR;
			break;
		}
		for (off = 0; off < (size_t)r || r == 0; off += k) {
			k = (size_t)r - off < XC_STEP ? (size_t)r - off :
			    XC_STEP;
			if (r == 0)
				n = o->b64 ? b64_enc_final(&be, out) :
				    qp_enc_final(&qe, out);
			else
				n = o->b64 ? b64_enc_update(&be, in + off, k,
				    out) : qp_enc_update(&qe, in + off, k, out);
			if (write_all(STDOUT_FILENO, out, n) == -1) {
				mk_warn("write standard output:");
				ex = EX_IOERR;
				break;
			}
			if (r == 0)
				break;
		}
		ra_release(&ra);
		if (r == 0)
			break;
	}
	ra_end(&ra);
	free(out);
	if (fd != STDIN_FILENO)
		(void)close(fd);
	return ex;
}

static int
cmd_decode(struct opts *o)
{
	struct rahead	 ra;
	struct b64_dec	 bd;
	struct qp_dec	 qd;
	uint8_t		*in, *out;
	const char	*why = NULL;
	uint64_t	 where = 0;
	size_t		 n, off, k;
	ssize_t		 r;
	int		 fd, ex = 0, bad = 0, e;

	if ((ex = xcode_mode(o)) != 0)
		return ex;
	if ((fd = input_open(o, &ex)) == -1)
		return ex;
	b64_dec_init(&bd, o->lenient);
	qp_dec_init(&qd, o->lenient);
	out = mk_xmalloc(o->b64 ? B64_DEC_BOUND(XC_STEP) :
	    QP_DEC_BOUND(XC_STEP));
	ra_start(&ra, fd);
	while (ex == 0) {
		if ((r = ra_next(&ra, &in, &e)) == -1) {
			errno = e;
			mk_warn("decode: read %s:", input_name(o));
			ex = EX_IOERR;
			break;
		}
		for (off = 0; off < (size_t)r || r == 0; off += k) {
			k = (size_t)r - off < XC_STEP ? (size_t)r - off :
			    XC_STEP;
			n = 0;
			if (r == 0)
				bad = o->b64 ? b64_dec_final(&bd, out, &n) :
				    qp_dec_final(&qd, out, &n);
			else
				bad = o->b64 ? b64_dec_update(&bd,
				    (const char *)in + off, k, out, &n) :
				    qp_dec_update(&qd, (const char *)in + off,
				    k, out, &n);
			if (write_all(STDOUT_FILENO, out, n) == -1) {
				mk_warn("write standard output:");
				ex = EX_IOERR;
				break;
			}
			if (bad == -1) {
				why = o->b64 ? bd.err : qd.err;
				where = o->b64 ? bd.erroff : qd.erroff;
				mk_warn("decode: %s: %s at byte %llu",
				    input_name(o), why != NULL ? why :
				    "invalid input", (unsigned long long)where);
				ex = EX_DATAERR;
				break;
			}
			if (r == 0)
				break;
		}
		ra_release(&ra);
		if (r == 0)
			break;
	}
	ra_end(&ra);
	free(out);
	if (fd != STDIN_FILENO)
		(void)close(fd);
	return ex;
}

/*
 * create
 */

/* libmagic, loaded when create first needs it (see detect_type()). */
#define MAGIC_MIME_FLAGS	0x000410	/* MAGIC_MIME_TYPE | _ENCODING */

static struct {
	int		  tried;
	void		 *cookie;
	const char	*(*file)(void *, const char *);
} mg;

static void
magic_init(void)
{
	void	*h, *(*mopen)(int);
	int	(*mload)(void *, const char *);

	mg.tried = 1;
	if ((h = dlopen("libmagic.so.1", RTLD_NOW | RTLD_LOCAL)) == NULL)
		return;
	*(void **)&mopen = dlsym(h, "magic_open");
	*(void **)&mload = dlsym(h, "magic_load");
	*(void **)&mg.file = dlsym(h, "magic_file");
	if (mopen == NULL || mload == NULL || mg.file == NULL)
		return;
	if ((mg.cookie = mopen(MAGIC_MIME_FLAGS)) != NULL &&
	    mload(mg.cookie, NULL) != 0)
		mg.cookie = NULL;
}

/*
 * The type of a file: libmagic's "type/subtype; charset=x", else the
 * extension table, else application/octet-stream.  Owned.
 */
static char *
detect_type(const char *path)
{
	const char	*m = NULL, *t;
	char		*r, *semi;

	if (!mg.tried)
		magic_init();
	if (mg.cookie != NULL)
		m = mg.file(mg.cookie, path);
	if (m != NULL && strncmp(m, "application/octet-stream", 24) != 0 &&
	    strncmp(m, "inode/", 6) != 0 && strchr(m, '/') != NULL &&
	    !mk_has_ctl_line(m, strlen(m))) {
		r = mk_xstrdup(m);
		/* A charset only for text, and only a real one. */
		if ((semi = strchr(r, ';')) != NULL &&
		    (strncmp(r, "text/", 5) != 0 ||
		    strstr(semi, "binary") != NULL ||
		    strstr(semi, "unknown") != NULL))
			*semi = '\0';
		return r;
	}
	if ((t = type_of_ext(path)) != NULL)
		return mk_xstrdup(t);
	return mk_xstrdup("application/octet-stream");
}

/* What the bytes of a part look like. */
struct stats {
	uint64_t	 total;
	uint64_t	 nonascii;	/* 8-bit bytes and odd controls */
	uint64_t	 nul;
	uint64_t	 cr;
	size_t		 maxline;
	size_t		 col;
};

static void
stats_add(struct stats *st, const uint8_t *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		uint8_t c = p[i];

		if (c == '\n') {
			st->col = 0;
			continue;
		}
		if (++st->col > st->maxline)
			st->maxline = st->col;
		if (c >= 0x20 && c < 0x7f)
			continue;
		if (c == '\t')
			continue;
		if (c == '\r')
			st->cr++;
		else if (c == 0)
			st->nul++;
		else
			st->nonascii++;
	}
	st->total += n;
}

/*
 * The encoding from the bytes: 7bit for short ASCII lines, quoted-
 * printable for mostly-ASCII text, base64 for the rest.  A CR keeps an
 * attachment from the text encodings, so it round-trips byte for byte.
 */
static enum mime_enc
enc_choose(const struct stats *st, int body)
{
	if (st->nul > 0 || (st->cr > 0 && !body))
		return MIME_ENC_BASE64;
	if (st->nonascii == 0 && st->cr == 0 && st->maxline <= 76)
		return MIME_ENC_7BIT;
	if ((st->nonascii + st->cr) * 6 <= st->total)
		return MIME_ENC_QP;
	return MIME_ENC_BASE64;
}

/* Output: LF in what we build becomes CR LF with --crlf. */
struct outw {
	int	crlf;
	int	last;		/* last byte written */
	int	err;
};

static void
ow_write(struct outw *w, const void *p, size_t n)
{
	const char	*s = p, *nl;
	size_t		 k, all = n;

	if (n == 0 || w->err)
		return;
	if (!w->crlf) {
		if (fwrite(s, 1, n, stdout) != n)
			w->err = 1;
	} else
		while (n > 0) {
			nl = memchr(s, '\n', n);
			k = nl != NULL ? (size_t)(nl - s) : n;
			if (k > 0 && fwrite(s, 1, k, stdout) != k)
				w->err = 1;
			if (nl != NULL) {
				if (fwrite("\r\n", 1, 2, stdout) != 2)
					w->err = 1;
				k++;
			}
			s += k;
			n -= k;
		}
	w->last = ((const unsigned char *)p)[all - 1];
}

static void
ow_puts(struct outw *w, const char *s)
{
	ow_write(w, s, strlen(s));
}

/* One leaf of the message being built. */
struct leaf {
	const char	*path;		/* a file, or NULL for mem */
	const uint8_t	*mem;
	size_t		 memlen;
	char		*type;		/* owned: "type/subtype[; charset=x]" */
	const char	*filename;	/* basename to announce, or NULL */
	int		 disp;		/* 0 none, 'a' attachment, 'i' inline */
	char		 cid[300];	/* Content-ID without <>, or "" */
	int		 body;		/* the text typed by the user */
	struct stats	 st;
	enum mime_enc	 enc;
};

/* Scan a leaf's bytes for its encoding. */
static int
leaf_scan(struct leaf *lf)
{
	uint8_t	*buf;
	ssize_t	 r;
	int	 fd;

	memset(&lf->st, 0, sizeof(lf->st));
	if (lf->path == NULL) {
		stats_add(&lf->st, lf->mem, lf->memlen);
	} else {
		if ((fd = open(lf->path, O_RDONLY | O_CLOEXEC)) == -1) {
			mk_warn("create: %s:", lf->path);
			return errno == ENOENT ? EX_NOINPUT : EX_IOERR;
		}
		buf = mk_xmalloc(IOBUF);
		while ((r = read_some(fd, buf, IOBUF)) > 0)
			stats_add(&lf->st, buf, (size_t)r);
		free(buf);
		(void)close(fd);
		if (r == -1) {
			mk_warn("create: read %s:", lf->path);
			return EX_IOERR;
		}
	}
	lf->enc = enc_choose(&lf->st, lf->body);
	return 0;
}

static const char *
enc_name(enum mime_enc e)
{
	switch (e) {
	case MIME_ENC_QP:
		return "quoted-printable";
	case MIME_ENC_BASE64:
		return "base64";
	default:
		return "7bit";
	}
}

/* Encode bytes of a leaf and write them. */
struct lenc {
	struct b64_enc	 be;
	struct qp_enc	 qe;
	char		*out;
	size_t		 outmax;
};

static void
lenc_put(struct outw *w, struct leaf *lf, struct lenc *le,
    const uint8_t *p, size_t n, int final)
{
	size_t k, m;

	while (n > 0 || final) {
		k = n < 48 * 1024 ? n : 48 * 1024;
		switch (lf->enc) {
		case MIME_ENC_BASE64:
			m = b64_enc_update(&le->be, p, k, le->out);
			if (final && k == n)
				m += b64_enc_final(&le->be, le->out + m);
			ow_write(w, le->out, m);
			break;
		case MIME_ENC_QP:
			m = qp_enc_update(&le->qe, p, k, le->out);
			if (final && k == n)
				m += qp_enc_final(&le->qe, le->out + m);
			ow_write(w, le->out, m);
			break;
		default:
			ow_write(w, p, k);
			break;
		}
		p += k;
		n -= k;
		if (n == 0)
			break;
	}
}

/* Write a leaf: its content headers, a blank line, its encoded body. */
static int
leaf_write(struct outw *w, struct leaf *lf)
{
	struct lenc	 le;
	struct mk_buf	 h;
	uint8_t		*buf;
	ssize_t		 r;
	int		 fd, ex = 0;

	buf_init(&h, 0);
	buf_printf(&h, "Content-Type: %s", lf->type);
	if (lf->filename != NULL)
		(void)hdr_param_encode(&h, "name", lf->filename, 0);
	buf_printf(&h, "\nContent-Transfer-Encoding: %s\n", enc_name(lf->enc));
	if (lf->disp != 0) {
		buf_adds(&h, lf->disp == 'a' ? "Content-Disposition: attachment" :
		    "Content-Disposition: inline");
		if (lf->filename != NULL)
			(void)hdr_param_encode(&h, "filename", lf->filename, 0);
		buf_addc(&h, '\n');
	}
	if (lf->cid[0] != '\0')
		buf_printf(&h, "Content-ID: <%s>\n", lf->cid);
	buf_addc(&h, '\n');
	ow_write(w, h.p, h.len);
	buf_free(&h);

	memset(&le, 0, sizeof(le));
	b64_enc_init(&le.be, B64_WRAP, "\n");
	qp_enc_init(&le.qe, QP_FROM, "\n");
	le.outmax = QP_ENC_BOUND(48 * 1024) + 128;
	le.out = mk_xmalloc(le.outmax);
	if (lf->path == NULL)
		lenc_put(w, lf, &le, lf->mem, lf->memlen, 1);
	else if ((fd = open(lf->path, O_RDONLY | O_CLOEXEC)) == -1) {
		mk_warn("create: %s:", lf->path);
		ex = EX_NOINPUT;
	} else {
		buf = mk_xmalloc(IOBUF);
		while ((r = read_some(fd, buf, IOBUF)) > 0)
			lenc_put(w, lf, &le, buf, (size_t)r, 0);
		if (r == -1) {
			mk_warn("create: read %s:", lf->path);
			ex = EX_IOERR;
		} else
			lenc_put(w, lf, &le, NULL, 0, 1);
		free(buf);
		(void)close(fd);
	}
	free(le.out);
	return ex;
}

/* A random boundary: "=_mkit_" and 24 base32 characters. */
static void
make_boundary(char *b, size_t size)
{
	static const char	alpha[] = "abcdefghijklmnopqrstuvwxyz234567";
	uint8_t			r[24];
	size_t			i;

	if (getrandom(r, sizeof(r), 0) != (ssize_t)sizeof(r))
		for (i = 0; i < sizeof(r); i++)
			r[i] = (uint8_t)(rand() ^ (int)time(NULL));
	(void)snprintf(b, size, "=_mkit_");
	for (i = 0; i < sizeof(r) && 7 + i + 1 < size; i++) {
		b[7 + i] = alpha[r[i] & 31];
		b[8 + i] = '\0';
	}
}

/*
 * A node of the message tree: a leaf, or a multipart of nodes.  Written
 * depth first with fresh boundaries.
 */
struct node {
	const char	*multi;		/* "mixed" ... or NULL for a leaf */
	struct leaf	*leaf;
	struct node	**kids;
	size_t		 nkids;
};

static int
node_write(struct outw *w, struct node *n)
{
	char	b[64];
	size_t	i;
	int	ex;

	if (n->multi == NULL)
		return leaf_write(w, n->leaf);
	make_boundary(b, sizeof(b));
	ow_puts(w, "Content-Type: multipart/");
	ow_puts(w, n->multi);
	ow_puts(w, ";\n boundary=\"");
	ow_puts(w, b);
	ow_puts(w, "\"\n\n");
	for (i = 0; i < n->nkids; i++) {
		ow_puts(w, "--");
		ow_puts(w, b);
		ow_puts(w, "\n");
		if ((ex = node_write(w, n->kids[i])) != 0)
			return ex;
		/* The line break before a boundary belongs to it. */
		if (n->kids[i]->multi != NULL || n->kids[i]->leaf->enc !=
		    MIME_ENC_BASE64 || w->last != '\n')
			ow_puts(w, "\n");
	}
	ow_puts(w, "--");
	ow_puts(w, b);
	ow_puts(w, "--\n");
	return 0;
}

static struct node *
node_new(const char *multi, struct leaf *lf)
{
	struct node *n = mk_xmalloc(sizeof(*n));

	memset(n, 0, sizeof(*n));
	n->multi = multi;
	n->leaf = lf;
	return n;
}

static void
node_add(struct node *n, struct node *kid)
{
	n->kids = mk_xrealloc(n->kids, (n->nkids + 1) * sizeof(*n->kids));
	n->kids[n->nkids++] = kid;
}

static void
node_free(struct node *n)
{
	size_t i;

	if (n == NULL)
		return;
	for (i = 0; i < n->nkids; i++)
		node_free(n->kids[i]);
	free(n->kids);
	free(n);
}

/* Read all of a file, or standard input (path NULL). */
static int
slurp(const char *path, struct mk_buf *b)
{
	uint8_t	 tmp[65536];
	ssize_t	 r;
	int	 fd = STDIN_FILENO;

	if (path != NULL && (fd = open(path, O_RDONLY | O_CLOEXEC)) == -1) {
		mk_warn("create: %s:", path);
		return errno == ENOENT ? EX_NOINPUT : EX_IOERR;
	}
	while ((r = read_some(fd, tmp, sizeof(tmp))) > 0)
		if (buf_add(b, tmp, (size_t)r) == -1)
			mk_die(EX_SOFTWARE, "out of memory");
	if (r == -1)
		mk_warn("create: read %s:", path ? path : "standard input");
	if (fd != STDIN_FILENO)
		(void)close(fd);
	return r == -1 ? EX_IOERR : 0;
}

/* Whether s[0..n) is type/subtype made of token characters. */
static int
looks_like_type(const char *s)
{
	const char	*sl = strchr(s, '/');
	size_t		 i;

	if (sl == NULL || sl == s || sl[1] == '\0' || strchr(sl + 1, '/'))
		return 0;
	for (i = 0; s[i] != '\0'; i++)
		if (!isalnum((unsigned char)s[i]) && strchr("/!#$&^_.+-",
		    s[i]) == NULL)
			return 0;
	return 1;
}

static const char *
base_name(const char *p)
{
	const char *s = strrchr(p, '/');

	return s != NULL && s[1] != '\0' ? s + 1 : p;
}

/* A header value given on the command line: no CR, LF or NUL. */
static int
arg_clean(const char *what, const char *s)
{
	if (mk_has_ctl_line(s, strlen(s))) {
		mk_warn("create: %s: line breaks are not allowed", what);
		return EX_USAGE;
	}
	return 0;
}

static int
is_ascii(const char *s)
{
	for (; *s != '\0'; s++)
		if ((unsigned char)*s >= 0x80)
			return 0;
	return 1;
}

/*
 * An address list field: each "Name <addr>" with a non-ASCII name gets
 * the name as encoded words; the list is folded before 76 columns.
 */
static void
addr_field(struct mk_buf *h, const char *name, const char **v, size_t n)
{
	struct mk_buf	 one;
	const char	*lt;
	size_t		 i, k, col;

	if (n == 0)
		return;
	buf_printf(h, "%s: ", name);
	col = strlen(name) + 2;
	buf_init(&one, 0);
	for (i = 0; i < n; i++) {
		buf_reset(&one);
		lt = strrchr(v[i], '<');
		if (!is_ascii(v[i]) && lt != NULL && lt > v[i]) {
			char *nm = mk_xstrdup(v[i]);

			k = (size_t)(lt - v[i]);
			while (k > 0 && nm[k - 1] == ' ')
				k--;
			nm[k] = '\0';
			(void)hdr_encode_phrase(nm, 0, &one);
			buf_printf(&one, " %s", lt);
			free(nm);
		} else
			buf_adds(&one, v[i]);
		if (i > 0) {
			buf_addc(h, ',');
			col++;
			if (col + 1 + one.len > 76) {
				buf_adds(h, "\n ");
				col = 1;
			} else {
				buf_addc(h, ' ');
				col++;
			}
		}
		buf_add(h, one.p, one.len);
		for (k = one.len; k > 0 && one.p[k - 1] != '\n'; k--)
			;
		col = k > 0 ? one.len - k : col + one.len;
	}
	buf_addc(h, '\n');
	buf_free(&one);
}

/* The domain of an address ("Bob <bob@example.org>"), or NULL. */
static char *
addr_domain(const char *a)
{
	const char	*at = strrchr(a, '@');
	char		*d;
	size_t		 n;

	if (at == NULL)
		return NULL;
	d = mk_xstrdup(at + 1);
	n = strcspn(d, "> \t");
	d[n] = '\0';
	return d;
}

static void
leaf_text(struct leaf *lf, const struct mk_buf *b, const char *subtype)
{
	char t[64];

	memset(lf, 0, sizeof(*lf));
	lf->mem = b->p != NULL ? b->p : (const uint8_t *)"";
	lf->memlen = b->len;
	lf->body = 1;
	stats_add(&lf->st, lf->mem, lf->memlen);
	lf->enc = enc_choose(&lf->st, 1);
	(void)snprintf(t, sizeof(t), "text/%s; charset=%s", subtype,
	    lf->st.nonascii > 0 ? "utf-8" : "us-ascii");
	lf->type = mk_xstrdup(t);
}

/* A Content-ID for an inline file: its name when that is a safe id. */
static void
make_cid(struct leaf *lf, unsigned long k)
{
	const char	*s = lf->filename;
	char		 rnd[64];
	size_t		 i;
	int		 ok = s != NULL && *s != '\0' && strlen(s) < 200;

	for (i = 0; ok && s[i] != '\0'; i++)
		if (!isalnum((unsigned char)s[i]) && strchr("!#$%&'*+-/=?^_`{|}~.",
		    s[i]) == NULL)
			ok = 0;
	if (ok) {
		(void)snprintf(lf->cid, sizeof(lf->cid), "%s", s);
		return;
	}
	make_boundary(rnd, sizeof(rnd));
	(void)snprintf(lf->cid, sizeof(lf->cid), "part%lu.%s@mkit", k,
	    rnd + 7);
}

static int
cmd_create(struct opts *o)
{
	struct mk_buf	 body, html, h;
	struct leaf	*atts = NULL, *inl = NULL, tl, hl;
	struct node	*root = NULL, *alt, *rel, *main_;
	struct outw	 w;
	char		 date[HDR_DATE_LEN], msgid[HDR_MSGID_LEN], *dom = NULL;
	char		*colon, *spec;
	size_t		 i;
	int		 ex = 0;

	buf_init(&body, 0);
	buf_init(&html, 0);
	buf_init(&h, 0);
	memset(&tl, 0, sizeof(tl));
	memset(&hl, 0, sizeof(hl));
	if (o->ninl > 0 && o->html == NULL) {
		mk_warn("create: --inline needs --html");
		return EX_USAGE;
	}
	if ((o->from && (ex = arg_clean("-f", o->from))) ||
	    (o->subject && (ex = arg_clean("-s", o->subject))))
		return ex;
	for (i = 0; i < o->nto; i++)
		if ((ex = arg_clean("-t", o->to[i])) != 0)
			return ex;
	for (i = 0; i < o->ncc; i++)
		if ((ex = arg_clean("-c", o->cc[i])) != 0)
			return ex;
	for (i = 0; i < o->nbcc; i++)
		if ((ex = arg_clean("-b", o->bcc[i])) != 0)
			return ex;
	for (i = 0; i < o->nhdrs; i++) {
		const char *c = strchr(o->hdrs[i], ':');
		size_t k;

		if ((ex = arg_clean("-H", o->hdrs[i])) != 0)
			return ex;
		for (k = 0; c != NULL && o->hdrs[i] + k < c; k++)
			if ((unsigned char)o->hdrs[i][k] <= ' ' ||
			    (unsigned char)o->hdrs[i][k] >= 0x7f)
				c = NULL;
		if (c == NULL || c == o->hdrs[i]) {
			mk_warn("create: -H %s: not 'Name: value'", o->hdrs[i]);
			return EX_USAGE;
		}
	}

	/* The attachments first: a missing file stops before any output. */
	atts = calloc(o->natts + 1, sizeof(*atts));
	inl = calloc(o->ninl + 1, sizeof(*inl));
	if (atts == NULL || inl == NULL)
		mk_die(EX_SOFTWARE, "out of memory");
	for (i = 0; i < o->natts && ex == 0; i++) {
		spec = mk_xstrdup(o->atts[i]);
		colon = strrchr(spec, ':');
		if (colon != NULL && looks_like_type(colon + 1)) {
			*colon = '\0';
			atts[i].type = mk_xstrdup(colon + 1);
		}
		atts[i].path = spec;
		atts[i].filename = base_name(spec);
		atts[i].disp = 'a';
		if ((ex = leaf_scan(&atts[i])) == 0 && atts[i].type == NULL)
			atts[i].type = detect_type(spec);
	}
	for (i = 0; i < o->ninl && ex == 0; i++) {
		inl[i].path = o->inl[i];
		inl[i].filename = base_name(o->inl[i]);
		inl[i].disp = 'i';
		make_cid(&inl[i], i + 1);
		if ((ex = leaf_scan(&inl[i])) == 0)
			inl[i].type = detect_type(o->inl[i]);
	}
	if (ex == 0 && o->html != NULL)
		ex = slurp(o->html, &html);
	if (ex == 0 && !isatty(STDIN_FILENO))
		ex = slurp(NULL, &body);
	if (ex != 0)
		goto out;

	/* The tree. */
	leaf_text(&tl, &body, "plain");
	main_ = node_new(NULL, &tl);
	if (o->html != NULL) {
		leaf_text(&hl, &html, "html");
		alt = node_new("alternative", NULL);
		node_add(alt, main_);
		rel = node_new(NULL, &hl);
		if (o->ninl > 0) {
			struct node *r = node_new("related", NULL);

			node_add(r, rel);
			for (i = 0; i < o->ninl; i++)
				node_add(r, node_new(NULL, &inl[i]));
			rel = r;
		}
		node_add(alt, rel);
		main_ = alt;
	}
	root = main_;
	if (o->natts > 0) {
		root = node_new("mixed", NULL);
		node_add(root, main_);
		for (i = 0; i < o->natts; i++)
			node_add(root, node_new(NULL, &atts[i]));
	}

	/* The header. */
	if (hdr_date(time(NULL), date, sizeof(date)) == -1)
		mk_die(EX_SOFTWARE, "no date");
	if (o->from != NULL)
		dom = addr_domain(o->from);
	if (hdr_msgid(dom, msgid, sizeof(msgid)) == -1 &&
	    hdr_msgid(NULL, msgid, sizeof(msgid)) == -1)
		mk_die(EX_SOFTWARE, "no Message-ID");
	buf_printf(&h, "Date: %s\n", date);
	if (o->from != NULL)
		addr_field(&h, "From", &o->from, 1);
	addr_field(&h, "To", o->to, o->nto);
	addr_field(&h, "Cc", o->cc, o->ncc);
	addr_field(&h, "Bcc", o->bcc, o->nbcc);
	if (o->subject != NULL) {
		buf_adds(&h, "Subject: ");
		(void)hdr_encode_words(o->subject, "Subject", &h);
		buf_addc(&h, '\n');
	}
	buf_printf(&h, "Message-ID: %s\n", msgid);
	for (i = 0; i < o->nhdrs; i++) {
		const char *c = strchr(o->hdrs[i], ':');
		char *nm = mk_xstrdup(o->hdrs[i]);

		nm[c - o->hdrs[i]] = '\0';
		c++;
		while (*c == ' ' || *c == '\t')
			c++;
		buf_printf(&h, "%s: ", nm);
		(void)hdr_encode_words(c, nm, &h);
		buf_addc(&h, '\n');
		free(nm);
	}
	buf_adds(&h, "MIME-Version: 1.0\n");

	memset(&w, 0, sizeof(w));
	w.crlf = o->crlf;
	ow_write(&w, h.p, h.len);
	ex = node_write(&w, root);
	if (ex == 0 && (w.err || out_flush() != 0)) {
		if (w.err)
			mk_warn("write standard output:");
		ex = EX_IOERR;
	}
out:
	if (root != NULL)
		node_free(root);
	for (i = 0; i < o->natts; i++) {
		free((char *)atts[i].path);
		free(atts[i].type);
	}
	for (i = 0; i < o->ninl; i++)
		free(inl[i].type);
	free(atts);
	free(inl);
	free(tl.type);
	free(hl.type);
	free(dom);
	buf_free(&body);
	buf_free(&html);
	buf_free(&h);
	return ex;
}

/*
 * main
 */

static int
parse_cmd(const struct cmd *c, struct opts *o, int argc, char *argv[])
{
	int ch;

	optind = 1;
	while ((ch = getopt_long(argc, argv, c->shortopts, c->longopts,
	    NULL)) != -1) {
		switch (ch) {
		case 'H':
			vec_add(&o->hdrs, &o->nhdrs, optarg);
			break;
		case 'a':
			vec_add(&o->atts, &o->natts, optarg);
			break;
		case 'b':
			if (c->fn == cmd_create)
				vec_add(&o->bcc, &o->nbcc, optarg);
			else
				o->b64 = 1;
			break;
		case 'c':
			vec_add(&o->cc, &o->ncc, optarg);
			break;
		case 'd':
			o->dir = optarg;
			break;
		case 'f':
			if (c->fn == cmd_create)
				o->from = optarg;
			else
				o->force = 1;
			break;
		case 'h':
			usage(stdout);
			exit(0);
		case 'n':
			vec_add(&o->names, &o->nnames, optarg);
			break;
		case 'p':
			vec_add(&o->parts, &o->nparts, optarg);
			break;
		case 'q':
			o->qp = 1;
			break;
		case 's':
			o->subject = optarg;
			break;
		case 't':
			vec_add(&o->to, &o->nto, optarg);
			break;
		case 'v':
			o->verbose = 1;
			break;
		case OPT_ALL:
			o->all = 1;
			break;
		case OPT_CRLF:
			o->crlf = 1;
			break;
		case OPT_HTML:
			o->html = optarg;
			break;
		case OPT_INLINE:
			vec_add(&o->inl, &o->ninl, optarg);
			break;
		case OPT_JSON:
			o->json = 1;
			break;
		case OPT_LENIENT:
			o->lenient = 1;
			break;
		case OPT_NAME:
			o->name_glob = optarg;
			break;
		case OPT_TYPE:
			o->type_glob = optarg;
			break;
		case OPT_UTF8:
			o->utf8 = 1;
			break;
		case ':':
			mk_warn("%s: %s: missing argument", c->name,
			    argv[optind - 1]);
			usage(stderr);
			return EX_USAGE;
		default:
			mk_warn("%s: %s: unknown option", c->name,
			    argv[optind - 1]);
			usage(stderr);
			return EX_USAGE;
		}
	}
	argc -= optind;
	argv += optind;
	if (argc > 1 || (argc == 1 && c->fn == cmd_create)) {
		mk_warn("%s: too many operands", c->name);
		usage(stderr);
		return EX_USAGE;
	}
	if (argc == 1)
		o->file = argv[0];
	return 0;
}

int
main(int argc, char *argv[])
{
	struct opts		 o;
	const struct cmd	*c = NULL;
	const char		*errstr;
	size_t			 i;
	int			 ch, ex;

	mk_setprogname(argv[0]);
	memset(&o, 0, sizeof(o));
	opterr = 0;	/* our own "PROG: reason" lines, not getopt's */
	while ((ch = getopt_long(argc, argv, "+:h", lo_global, NULL)) != -1) {
		switch (ch) {
		case 'h':
			usage(stdout);
			return 0;
		case OPT_JSON:
			o.json = 1;
			break;
		case OPT_TIMEOUT:
			(void)mk_strtonum(optarg, 1, 86400, &errstr);
			if (errstr != NULL)
				mk_die(EX_USAGE, "--timeout %s: %s", optarg,
				    errstr);
			break;
		case OPT_TRACE:
			break;
		case OPT_VERSION:
			printf("%s (mkit) %s\n", mk_getprogname(), MK_VERSION);
			return 0;
		case ':':
			mk_warn("%s: missing argument", argv[optind - 1]);
			usage(stderr);
			return EX_USAGE;
		default:
			mk_warn("%s: unknown option", argv[optind - 1]);
			usage(stderr);
			return EX_USAGE;
		}
	}
	argc -= optind;
	argv += optind;
	if (argc == 0) {
		mk_warn("no command");
		usage(stderr);
		return EX_USAGE;
	}
	for (i = 0; i < MK_NELEM(cmds); i++)
		if (strcmp(argv[0], cmds[i].name) == 0)
			c = &cmds[i];
	if (c == NULL) {
		mk_warn("%s: unknown command", argv[0]);
		usage(stderr);
		return EX_USAGE;
	}
	cmdname = c->name;
	if ((ex = parse_cmd(c, &o, argc, argv)) != 0)
		return ex;
	ex = c->fn(&o);
	free(o.parts);
	free(o.names);
	free(o.to);
	free(o.cc);
	free(o.bcc);
	free(o.atts);
	free(o.inl);
	free(o.hdrs);
	return ex;
}
