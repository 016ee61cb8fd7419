/*
 * msend: send mail over SMTP from scripts and cron; sendmail(8)
 * compatible when called as "sendmail".
 *
 * libcurl opens the session (TLS, certificate checks, AUTH) with
 * CURLOPT_CONNECT_ONLY and lib/smtp speaks the transaction: that is
 * what gives a reply per recipient (exit 67 names who was refused),
 * PIPELINING, our own dot-stuffing of bare-LF input, and many messages
 * over one connection.  libcurl's own SMTP upload does none of these.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sysexits.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>

#include "b64.h"
#include "buf.h"
#include "conf.h"
#include "conn.h"
#include "hdr.h"
#include "json.h"
#include "mbox.h"
#include "mcurl.h"
#include "mk.h"
#include "pass.h"
#include "qp.h"
#include "smtp.h"

#define MSGMAX		(512UL * 1024 * 1024)	/* bytes of one input */
#define DEFAULT_URL	"smtp://localhost:25"
#define LINEMAX		998			/* RFC 5322 2.1.1 */

enum {
	OPT_CA_FILE = 256, OPT_DRY_RUN, OPT_FILE, OPT_HELO, OPT_INSECURE,
	OPT_JSON, OPT_MBOX, OPT_PASSWORD_COMMAND, OPT_PASSWORD_FILE,
	OPT_SERVER, OPT_TIMEOUT, OPT_TLS, OPT_TRACE, OPT_USER, OPT_VERSION
};

static const struct option longopts[] = {
	{ "account",		required_argument,	NULL, 'a' },
	{ "ca-file",		required_argument,	NULL, OPT_CA_FILE },
	{ "dry-run",		no_argument,		NULL, OPT_DRY_RUN },
	{ "file",		required_argument,	NULL, OPT_FILE },
	{ "from",		required_argument,	NULL, 'f' },
	{ "helo",		required_argument,	NULL, OPT_HELO },
	{ "help",		no_argument,		NULL, 'h' },
	{ "insecure",		no_argument,		NULL, OPT_INSECURE },
	{ "json",		no_argument,		NULL, OPT_JSON },
	{ "mbox",		required_argument,	NULL, OPT_MBOX },
	{ "password-command",	required_argument,	NULL,
	    OPT_PASSWORD_COMMAND },
	{ "password-file",	required_argument,	NULL, OPT_PASSWORD_FILE },
	{ "read-recipients",	no_argument,		NULL, 't' },
	{ "server",		required_argument,	NULL, OPT_SERVER },
	{ "subject",		required_argument,	NULL, 's' },
	{ "timeout",		required_argument,	NULL, OPT_TIMEOUT },
	{ "tls",		required_argument,	NULL, OPT_TLS },
	{ "trace",		no_argument,		NULL, OPT_TRACE },
	{ "user",		required_argument,	NULL, OPT_USER },
	{ "version",		no_argument,		NULL, OPT_VERSION },
	{ NULL,			0,			NULL, 0 }
};

/* What the command line asks for; strings borrowed from argv. */
struct opts {
	const char	*account;
	const char	*server;
	const char	*user;
	const char	*pwcmd;
	const char	*pwfile;
	const char	*ca_file;
	const char	*helo;
	const char	*from;		/* -f */
	const char	*name;		/* -F */
	const char	*subject;	/* -s */
	const char	*mbox;
	const char	**files;	/* --file, owned array */
	size_t		 nfiles;
	const char	**headers;	/* -H, owned array */
	size_t		 nheaders;
	char		**rcpt;		/* operands */
	size_t		 nrcpt;
	int		 tls;		/* -1: not given */
	int		 insecure;
	long		 timeout;
	int		 dry_run;
	int		 json;
	int		 trace;
	int		 read_rcpt;	/* -t */
	int		 eightbit;	/* -B8BITMIME */
	int		 sendmail;	/* called as sendmail */
};

/* The messages to send, in order; each owned. */
struct msgs {
	struct mk_buf	*v;
	size_t		 n;
};

/* One message made ready for the wire. */
struct prep {
	struct mk_buf		 msg;
	char			*from;		/* envelope sender, owned */
	struct smtp_addrs	 rcpt;
	int			 eightbit;
	int			 smtputf8;
};

/* The session settings, worked out from options and account. */
struct server {
	struct mcurl_params	 p;
	char			*url;		/* owned */
	char			*host;		/* owned, for ~/.netrc */
	char			*password;	/* owned, pass_free() */
	const char		*acct_from;	/* account's from, or NULL */
};

static void	usage(FILE *);
static void	add_str(const char ***, size_t *, const char *);
static void	check_line(const char *, const char *);
static void	check_header(const char *);
static void	parse_args(int, char **, struct opts *);
static int	read_fd(int, const char *, struct mk_buf *, struct mk_err *);
static int	read_file(const char *, struct mk_buf *, struct mk_err *);
static struct mk_buf *msgs_add(struct msgs *);
static int	mbox_cb(void *, enum mbox_ev, const uint8_t *, size_t);
static int	read_mbox(const char *, struct msgs *, struct mk_err *);
static void	read_inputs(const struct opts *, struct msgs *);
static int	first_addr(const char *, char **, struct mk_err *);
static char	*default_from(void);
static int	utf8_valid(const uint8_t *, size_t);
static int	add_common(struct mk_buf *, const struct opts *,
		    const struct prep *, const char *, int, int, int,
		    struct mk_err *);
static int	build_plain(const struct opts *, const struct mk_buf *,
		    struct prep *, struct mk_err *);
static int	build_subject(const struct opts *, const struct mk_buf *,
		    struct prep *, struct mk_err *);
static int	prepare(const struct opts *, const struct server *,
		    const struct mk_buf *, struct prep *, struct mk_err *);
static void	prep_free(struct prep *);
static void	setup_url(struct server *, const char *, const char *);
static void	setup_server(const struct opts *, struct server *);
static void	server_free(struct server *);
static void	get_password(const struct opts *,
		    const struct conf_account *, struct server *);
static void	print_dry(const struct prep *);
static void	clean(char *, size_t, const char *);
static const char *state_name(enum smtp_rcpt_state);
static void	report(const struct opts *, size_t, size_t,
		    const struct prep *, const struct smtp_result *,
		    const struct mk_err *, struct json_w *);

static void
usage(FILE *fp)
{
	fputs("usage: msend [-h] [-i] [-t | --read-recipients] "
	    "[-a | --account name]\n"
	    "             [-F name] [-f | --from addr] [-H header] "
	    "[-s | --subject text]\n"
	    "             [--ca-file file] [--dry-run] [--file file] "
	    "[--helo name]\n"
	    "             [--insecure] [--json] [--mbox file] "
	    "[--password-command cmd]\n"
	    "             [--password-file file] [--server url] "
	    "[--timeout secs]\n"
	    "             [--tls mode] [--trace] [--user name] [--version]\n"
	    "             [recipient ...] < message\n", fp);
}

static void
add_str(const char ***v, size_t *n, const char *s)
{
	*v = mk_xrealloc(*v, (*n + 1) * sizeof(**v));
	(*v)[(*n)++] = s;
}

/* No CR or LF in what ends up in a header or on a protocol line. */
static void
check_line(const char *what, const char *s)
{
	if (strchr(s, '\r') != NULL || strchr(s, '\n') != NULL)
		mk_die(EX_USAGE, "%s: CR or LF not allowed (header "
		    "injection)", what);
}

/* -H "Name: value": a field name, a colon, no line breaks. */
static void
check_header(const char *h)
{
	const char *p;

	check_line("-H", h);
	for (p = h; *p > ' ' && *p < 0x7f && *p != ':'; p++)
		;
	if (p == h || *p != ':')
		mk_die(EX_USAGE, "-H %s: not \"Name: value\"", h);
}

static void
parse_args(int argc, char **argv, struct opts *o)
{
	const char	*errstr, *base;
	const char	*optstr;
	size_t		 n;
	int		 ch, i;

	memset(o, 0, sizeof(*o));
	o->tls = -1;
	base = mk_getprogname();
	n = strlen(base);
	o->sendmail = n >= 8 && strcmp(base + n - 8, "sendmail") == 0;
	/*
	 * sendmail(8) mode also takes -B type, -b mode, -N dsn, -O opt,
	 * -o opt, -R ret, -V envid, -v: what cron, mailx and git
	 * send-email pass.
	 */
	optstr = o->sendmail ? ":a:B:b:F:f:H:hiN:O:o:R:s:tV:v" :
	    ":a:F:f:H:his:t";
	opterr = 0;	/* our own "PROG: reason" lines, not getopt's */
	while ((ch = getopt_long(argc, argv, optstr, longopts, NULL)) != -1) {
		switch (ch) {
		case 'a':
			o->account = optarg;
			break;
		case 'B':
			if (strcasecmp(optarg, "8BITMIME") == 0)
				o->eightbit = 1;
			else if (strcasecmp(optarg, "7BIT") != 0)
				mk_die(EX_USAGE, "-B %s: want 7BIT or "
				    "8BITMIME", optarg);
			break;
		case 'b':
			if (strcmp(optarg, "m") != 0)
				mk_die(EX_USAGE, "-b%s: only -bm (deliver "
				    "mail) is supported", optarg);
			break;
		case 'F':
			check_line("-F", optarg);
			o->name = optarg;
			break;
		case 'f':
			check_line("-f", optarg);
			o->from = optarg;
			break;
		case 'H':
			check_header(optarg);
			add_str(&o->headers, &o->nheaders, optarg);
			break;
		case 'h':
			usage(stdout);
			exit(0);
		case 'i':
		case 'N':
		case 'O':
		case 'o':
		case 'R':
		case 'V':
		case 'v':
			/* Dots never end our input; the rest is sendmail's. */
			break;
		case 's':
			check_line("-s", optarg);
			o->subject = optarg;
			break;
		case 't':
			o->read_rcpt = 1;
			break;
		case OPT_CA_FILE:
			o->ca_file = optarg;
			break;
		case OPT_DRY_RUN:
			o->dry_run = 1;
			break;
		case OPT_FILE:
			add_str(&o->files, &o->nfiles, optarg);
			break;
		case OPT_HELO:
			o->helo = optarg;
			break;
		case OPT_INSECURE:
			o->insecure = 1;
			break;
		case OPT_JSON:
			o->json = 1;
			break;
		case OPT_MBOX:
			o->mbox = optarg;
			break;
		case OPT_PASSWORD_COMMAND:
			o->pwcmd = optarg;
			break;
		case OPT_PASSWORD_FILE:
			o->pwfile = optarg;
			break;
		case OPT_SERVER:
			o->server = optarg;
			break;
		case OPT_TIMEOUT:
			o->timeout = (long)mk_strtonum(optarg, 1, 86400,
			    &errstr);
			if (errstr != NULL)
				mk_die(EX_USAGE, "--timeout %s: %s", optarg,
				    errstr);
			break;
		case OPT_TLS:
			if (strcmp(optarg, "required") == 0)
				o->tls = MCURL_TLS_REQUIRED;
			else if (strcmp(optarg, "auto") == 0)
				o->tls = MCURL_TLS_AUTO;
			else if (strcmp(optarg, "off") == 0)
				o->tls = MCURL_TLS_OFF;
			else
				mk_die(EX_USAGE, "--tls %s: want required, "
				    "auto or off", optarg);
			break;
		case OPT_TRACE:
			o->trace = 1;
			break;
		case OPT_USER:
			o->user = optarg;
			break;
		case OPT_VERSION:
			printf("%s (mkit) %s\n", mk_getprogname(), MK_VERSION);
			exit(0);
		case ':':
			mk_warn("%s: missing argument", argv[optind - 1]);
			usage(stderr);
			exit(EX_USAGE);
		default:
			/* A short one may sit inside "-xyz": name it alone. */
			if (optopt != 0)
				mk_warn("-%c: unknown option", optopt);
			else
				mk_warn("%s: unknown option", argv[optind - 1]);
			usage(stderr);
			exit(EX_USAGE);
		}
	}
	for (i = optind; i < argc; i++)
		check_line("recipient", argv[i]);
	o->rcpt = argv + optind;
	o->nrcpt = (size_t)(argc - optind);
	if (o->subject != NULL && o->read_rcpt)
		mk_die(EX_USAGE, "-s and -t do not go together (with -s "
		    "standard input is a plain body)");
	if (o->subject != NULL && (o->mbox != NULL || o->nfiles > 0))
		mk_die(EX_USAGE, "-s takes the body from standard input, not "
		    "from --mbox or --file");
	if (o->helo != NULL && (o->helo[0] == '\0' ||
	    strspn(o->helo, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUV"
	    "WXYZ0123456789.-:[]") != strlen(o->helo)))
		mk_die(EX_USAGE, "--helo %s: not a host name or address "
		    "literal", o->helo);
}

/* All of fd into b (at most MSGMAX bytes). */
static int
read_fd(int fd, const char *name, struct mk_buf *b, struct mk_err *e)
{
	char	tmp[65536];
	ssize_t	n;

	for (;;) {
		n = read(fd, tmp, sizeof(tmp));
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1)
			return mk_seterrno(e, MK_EIO, errno, "read %s", name);
		if (n == 0)
			return 0;
		if (buf_add(b, tmp, (size_t)n) == -1)
			return mk_seterr(e, b->toobig ? MK_EDATA :
			    MK_ESOFTWARE, "%s: %s", name, b->toobig ?
			    "message too large" : "out of memory");
	}
}

static int
read_file(const char *path, struct mk_buf *b, struct mk_err *e)
{
	int fd, rc;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return mk_seterrno(e, MK_ENOINPUT, errno, "%s", path);
	rc = read_fd(fd, path, b, e);
	close(fd);
	return rc;
}

static struct mk_buf *
msgs_add(struct msgs *m)
{
	m->v = mk_xrealloc(m->v, (m->n + 1) * sizeof(*m->v));
	buf_init(&m->v[m->n], MSGMAX);
	return &m->v[m->n++];
}

static int
mbox_cb(void *arg, enum mbox_ev ev, const uint8_t *p, size_t n)
{
	struct msgs *m = arg;

	if (ev == MBOX_EV_BEGIN)
		(void)msgs_add(m);
	else if (ev == MBOX_EV_DATA)
		return buf_add(&m->v[m->n - 1], p, n);
	return 0;
}

/* Every message of the mbox file path, appended to m. */
static int
read_mbox(const char *path, struct msgs *m, struct mk_err *e)
{
	struct mk_buf	 all;
	struct mbox_rd	 rd;
	const uint8_t	*nl;
	size_t		 off = 0, end;
	int		 rc = -1;

	buf_init(&all, 0);
	if (read_file(path, &all, e) == -1)
		goto out;
	mbox_rd_init(&rd);
	while (off < all.len) {
		nl = memchr(all.p + off, '\n', all.len - off);
		end = nl != NULL ? (size_t)(nl - all.p) + 1 : all.len;
		if (mbox_rd_line(&rd, all.p + off, end - off, mbox_cb,
		    m) == -1)
			goto bad;
		off = end;
	}
	if (mbox_rd_finish(&rd, mbox_cb, m) == -1)
		goto bad;
	rc = 0;
	goto out;
bad:
	mk_seterr(e, rd.err != NULL ? MK_EDATA : MK_ESOFTWARE, "%s: %s",
	    path, rd.err != NULL ? rd.err : "message too large");
out:
	buf_free(&all);
	return rc;
}

/* The messages: --mbox, then each --file, else standard input. */
static void
read_inputs(const struct opts *o, struct msgs *m)
{
	struct mk_err	e;
	size_t		i;

	if (o->mbox != NULL && read_mbox(o->mbox, m, &e) == -1)
		mk_fail(&e);
	for (i = 0; i < o->nfiles; i++)
		if (read_file(o->files[i], msgs_add(m), &e) == -1)
			mk_fail(&e);
	if (o->mbox == NULL && o->nfiles == 0 &&
	    read_fd(STDIN_FILENO, "standard input", msgs_add(m), &e) == -1)
		mk_fail(&e);
}

/* The first addr-spec of an address list ("Bob <bob@x>"), owned. */
static int
first_addr(const char *list, char **out, struct mk_err *e)
{
	struct smtp_addrs a = { NULL, 0 };

	*out = NULL;
	if (smtp_addrlist_parse(list, strlen(list), &a, e) == -1)
		return -1;
	if (a.n > 0) {
		*out = a.v[0];
		a.v[0] = mk_xstrdup("");
	}
	smtp_addrs_free(&a);
	return 0;
}

/* login@host, as sendmail(8) does with no other sender. */
static char *
default_from(void)
{
	struct passwd	*pw = getpwuid(getuid());
	char		 host[256], *s;
	size_t		 n;

	if (gethostname(host, sizeof(host)) == -1)
		snprintf(host, sizeof(host), "localhost");
	host[sizeof(host) - 1] = '\0';
	n = strlen(pw != NULL ? pw->pw_name : "nobody") + strlen(host) + 2;
	s = mk_xmalloc(n);
	snprintf(s, n, "%s@%s", pw != NULL ? pw->pw_name : "nobody", host);
	return s;
}

/* Whether p[0..n) is well-formed UTF-8 (no overlongs, no surrogates). */
static int
utf8_valid(const uint8_t *p, size_t n)
{
	size_t		i = 0, k, need;
	uint32_t	cp;

	while (i < n) {
		if (p[i] < 0x80) {
			i++;
			continue;
		}
		if (p[i] >= 0xc2 && p[i] <= 0xdf)
			need = 1, cp = p[i] & 0x1f;
		else if (p[i] >= 0xe0 && p[i] <= 0xef)
			need = 2, cp = p[i] & 0x0f;
		else if (p[i] >= 0xf0 && p[i] <= 0xf4)
			need = 3, cp = p[i] & 0x07;
		else
			return 0;
		if (n - i <= need)
			return 0;
		for (k = 1; k <= need; k++) {
			if ((p[i + k] & 0xc0) != 0x80)
				return 0;
			cp = cp << 6 | (p[i + k] & 0x3f);
		}
		if ((need == 2 && (cp < 0x800 || (cp >= 0xd800 &&
		    cp <= 0xdfff))) || (need == 3 && (cp < 0x10000 ||
		    cp > 0x10ffff)))
			return 0;
		i += need + 1;
	}
	return 1;
}

/*
 * The fields msend adds: From (when want_from), Date and Message-ID
 * (when missing), then the -H fields; each line ends in eol.
 */
static int
add_common(struct mk_buf *b, const struct opts *o, const struct prep *pr,
    const char *eol, int want_from, int want_date, int want_msgid,
    struct mk_err *e)
{
	char		 date[HDR_DATE_LEN], id[HDR_MSGID_LEN];
	const char	*at = strrchr(pr->from, '@');
	size_t		 i;
	int		 rc = 0;

	if (want_from) {
		rc |= buf_adds(b, "From: ");
		if (o->name != NULL && o->name[0] != '\0') {
			rc |= hdr_encode_phrase(o->name, 6, b);
			rc |= buf_printf(b, " <%s>%s", pr->from, eol);
		} else
			rc |= buf_printf(b, "%s%s", pr->from, eol);
	}
	if (want_date) {
		if (hdr_date(time(NULL), date, sizeof(date)) == -1)
			return mk_seterr(e, MK_ESOFTWARE, "cannot format the "
			    "date");
		rc |= buf_printf(b, "Date: %s%s", date, eol);
	}
	if (want_msgid) {
		if ((at == NULL || hdr_msgid(at + 1, id, sizeof(id)) == -1) &&
		    hdr_msgid(NULL, id, sizeof(id)) == -1)
			return mk_seterr(e, MK_ESOFTWARE, "cannot make a "
			    "Message-ID");
		rc |= buf_printf(b, "Message-ID: %s%s", id, eol);
	}
	for (i = 0; i < o->nheaders; i++)
		rc |= buf_printf(b, "%s%s", o->headers[i], eol);
	if (rc != 0)
		return mk_seterr(e, MK_ESOFTWARE, "out of memory");
	return 0;
}

/*
 * A message as it came: byte for byte, but for Bcc fields removed with
 * -t and From, Date and Message-ID added when missing, at the end of
 * the header block.
 */
static int
build_plain(const struct opts *o, const struct mk_buf *raw, struct prep *pr,
    struct mk_err *e)
{
	static const char *rfields[] = { "To", "Cc", "Bcc" };
	struct smtp_head		 h;
	const struct smtp_hfield	*f;
	struct mk_buf			 v;
	const char			*eol;
	size_t				 i, it, off;
	int				 rc = -1, has[3] = { 0, 0, 0 };

	buf_init(&v, 0);
	if (smtp_head_scan(raw->p, raw->len, &h, e) == -1)
		return -1;
	eol = h.crlf ? "\r\n" : "\n";
	for (i = 0; o->read_rcpt && i < MK_NELEM(rfields); i++)
		for (it = 0; (f = smtp_head_find(&h, raw->p, rfields[i],
		    &it)) != NULL;) {
			if (smtp_head_value(&h, f, raw->p, &v) == -1)
				goto nomem;
			if (smtp_addrlist_parse(buf_str(&v), v.len,
			    &pr->rcpt, e) == -1) {
				mk_seterr(e, e->st, "%s: %s", rfields[i],
				    e->msg);
				goto out;
			}
		}
	if (pr->from == NULL) {
		it = 0;
		if ((f = smtp_head_find(&h, raw->p, "From", &it)) != NULL) {
			if (smtp_head_value(&h, f, raw->p, &v) == -1)
				goto nomem;
			if (first_addr(buf_str(&v), &pr->from, e) == -1)
				goto out;
		}
		if (pr->from == NULL)
			pr->from = default_from();
	}
	it = 0;
	has[0] = smtp_head_find(&h, raw->p, "From", &it) != NULL;
	it = 0;
	has[1] = smtp_head_find(&h, raw->p, "Date", &it) != NULL;
	it = 0;
	has[2] = smtp_head_find(&h, raw->p, "Message-ID", &it) != NULL;

	/* The fields as they are, less Bcc with -t. */
	off = 0;
	for (i = 0; i < h.n; i++) {
		if (!o->read_rcpt || h.f[i].namelen != 3 ||
		    strncasecmp((const char *)raw->p + h.f[i].off, "Bcc",
		    3) != 0)
			continue;
		if (buf_add(&pr->msg, raw->p + off, h.f[i].off - off) == -1)
			goto nomem;
		off = h.f[i].off + h.f[i].len;
	}
	if (buf_add(&pr->msg, raw->p + off, h.end - off) == -1)
		goto nomem;
	/* A header that ends the input without a line break gets one. */
	if (h.end > 0 && raw->p[h.end - 1] != '\n' &&
	    (!has[0] || !has[1] || !has[2] || o->nheaders > 0) &&
	    buf_adds(&pr->msg, eol) == -1)
		goto nomem;
	if (add_common(&pr->msg, o, pr, eol, !has[0], !has[1], !has[2],
	    e) == -1)
		goto out;
	/* No empty line after the fields: the body started at once. */
	if (h.sep == 0 && h.end < raw->len && buf_adds(&pr->msg, eol) == -1)
		goto nomem;
	if (buf_add(&pr->msg, raw->p + h.end, raw->len - h.end) == -1)
		goto nomem;
	rc = 0;
	goto out;
nomem:
	mk_seterr(e, pr->msg.toobig ? MK_EDATA : MK_ESOFTWARE,
	    pr->msg.toobig ? "message too large" : "out of memory");
out:
	buf_free(&v);
	smtp_head_free(&h);
	return rc;
}

/*
 * -s: standard input is a plain-text body; we write the header and a
 * text/plain part: us-ascii 7bit when it is short-lined ASCII, else
 * quoted-printable, in UTF-8 (or unknown-8bit when it is not UTF-8).
 */
static int
build_subject(const struct opts *o, const struct mk_buf *body,
    struct prep *pr, struct mk_err *e)
{
	struct qp_enc	 q;
	const char	*charset = "us-ascii", *cte = "7bit";
	char		*enc = NULL;
	size_t		 i, col = 0, maxline = 0, n;
	int		 rc = 0;

	for (i = 0; i < body->len; i++) {
		if (body->p[i] == '\n')
			col = 0;
		else if (++col > maxline)
			maxline = col;
	}
	if (smtp_is_8bit(body->p, body->len) || maxline > LINEMAX) {
		charset = utf8_valid(body->p, body->len) ? "utf-8" :
		    "unknown-8bit";
		cte = "quoted-printable";
	}
	if (pr->from == NULL)
		pr->from = default_from();
	rc |= add_common(&pr->msg, o, pr, "\n", 1, 0, 0, e);
	rc |= buf_adds(&pr->msg, "To: ");
	col = 4;
	for (i = 0; i < pr->rcpt.n; i++) {
		n = strlen(pr->rcpt.v[i]);
		if (i > 0) {
			rc |= buf_adds(&pr->msg, col + n + 2 > 76 ? ",\n " :
			    ", ");
			col = col + n + 2 > 76 ? 1 : col + 2;
		}
		rc |= buf_adds(&pr->msg, pr->rcpt.v[i]);
		col += n;
	}
	rc |= buf_adds(&pr->msg, "\nSubject: ");
	rc |= hdr_encode_words(o->subject, "Subject", &pr->msg);
	rc |= buf_adds(&pr->msg, "\n");
	if (rc != 0)
		return mk_seterr(e, MK_ESOFTWARE, "out of memory");
	/* Date, Message-ID, then the -H fields. */
	{
		struct opts	oo = *o;

		oo.nheaders = 0;
		if (add_common(&pr->msg, &oo, pr, "\n", 0, 1, 1, e) == -1)
			return -1;
	}
	rc |= buf_printf(&pr->msg, "MIME-Version: 1.0\n"
	    "Content-Type: text/plain; charset=%s\n"
	    "Content-Transfer-Encoding: %s\n", charset, cte);
	for (i = 0; i < o->nheaders; i++)
		rc |= buf_printf(&pr->msg, "%s\n", o->headers[i]);
	rc |= buf_adds(&pr->msg, "\n");
	if (strcmp(cte, "7bit") == 0)
		rc |= buf_add(&pr->msg, body->p, body->len);
	else {
		enc = mk_xmalloc(QP_ENC_BOUND(body->len));
		qp_enc_init(&q, 0, "\n");
		n = qp_enc_update(&q, body->p, body->len, enc);
		n += qp_enc_final(&q, enc + n);
		rc |= buf_add(&pr->msg, enc, n);
		free(enc);
	}
	if (rc != 0)
		return mk_seterr(e, MK_ESOFTWARE, "out of memory");
	return 0;
}

/* Envelope and bytes of one message, as they will be sent. */
static int
prepare(const struct opts *o, const struct server *sv,
    const struct mk_buf *raw, struct prep *pr, struct mk_err *e)
{
	size_t i;

	memset(pr, 0, sizeof(*pr));
	buf_init(&pr->msg, MSGMAX);
	for (i = 0; i < o->nrcpt; i++)
		if (smtp_addrlist_parse(o->rcpt[i], strlen(o->rcpt[i]),
		    &pr->rcpt, e) == -1)
			return mk_seterr(e, MK_EUSAGE, "recipient %s: %s",
			    o->rcpt[i], e->msg);
	if (o->from != NULL) {
		if (o->from[0] == '\0' || strcmp(o->from, "<>") == 0)
			pr->from = mk_xstrdup("");
		else if (first_addr(o->from, &pr->from, e) == -1 ||
		    pr->from == NULL)
			return mk_seterr(e, MK_EUSAGE, "-f %s: not an "
			    "address", o->from);
	} else if (sv->acct_from != NULL &&
	    first_addr(sv->acct_from, &pr->from, e) == -1)
		return mk_seterr(e, MK_ECONFIG, "account from: %s", e->msg);
	if (o->subject != NULL) {
		if (build_subject(o, raw, pr, e) == -1)
			return -1;
	} else if (build_plain(o, raw, pr, e) == -1)
		return -1;
	if (pr->rcpt.n == 0)
		return mk_seterr(e, MK_EDATA, "no recipients (give them as "
		    "arguments, or -t to read To, Cc and Bcc)");
	pr->eightbit = o->eightbit || smtp_is_8bit(pr->msg.p, pr->msg.len);
	pr->smtputf8 = smtp_is_8bit(pr->from, strlen(pr->from));
	for (i = 0; i < pr->rcpt.n; i++)
		if (smtp_is_8bit(pr->rcpt.v[i], strlen(pr->rcpt.v[i])))
			pr->smtputf8 = 1;
	return 0;
}

static void
prep_free(struct prep *pr)
{
	buf_free(&pr->msg);
	free(pr->from);
	smtp_addrs_free(&pr->rcpt);
	memset(pr, 0, sizeof(*pr));
}

/*
 * --helo goes into the URL's path, where libcurl takes the EHLO name
 * from; the host is kept for ~/.netrc.
 */
static void
setup_url(struct server *sv, const char *url, const char *helo)
{
	CURLU	*u;
	char	*s = NULL, *path = NULL;
	size_t	 n;

	if ((u = curl_url()) == NULL)
		mk_die(EX_SOFTWARE, "out of memory");
	if (curl_url_set(u, CURLUPART_URL, url, CURLU_NON_SUPPORT_SCHEME) !=
	    CURLUE_OK || curl_url_get(u, CURLUPART_HOST, &sv->host, 0) !=
	    CURLUE_OK)
		mk_die(EX_USAGE, "%s: not a URL (want smtp://host:port or "
		    "smtps://host:port)", url);
	if (helo != NULL) {
		n = strlen(helo) + 2;
		path = mk_xmalloc(n);
		snprintf(path, n, "/%s", helo);
		if (curl_url_set(u, CURLUPART_PATH, path, 0) != CURLUE_OK ||
		    curl_url_get(u, CURLUPART_URL, &s, 0) != CURLUE_OK)
			mk_die(EX_USAGE, "--helo %s: cannot go into the URL",
			    helo);
		sv->url = mk_xstrdup(s);
		curl_free(s);
		free(path);
	} else
		sv->url = mk_xstrdup(url);
	curl_url_cleanup(u);
}

/* Server, TLS and credentials from the options and the account. */
static void
setup_server(const struct opts *o, struct server *sv)
{
	const struct conf_account	*a = NULL;
	struct conf			*cf = NULL;
	struct mk_err			 e;
	const char			*url, *helo;

	memset(sv, 0, sizeof(*sv));
	/* --server without -a needs no accounts file. */
	if (o->account != NULL || o->server == NULL) {
		if ((cf = conf_load(NULL, &e)) == NULL)
			mk_fail(&e);
		a = conf_account(cf, o->account, &e);
		if (a == NULL && e.st != MK_NOTFOUND)
			mk_fail(&e);
	}
	url = o->server;
	if (url == NULL && a != NULL && (url = a->smtp) == NULL)
		mk_die(EX_CONFIG, "%s: account %s has no smtp URL",
		    conf_path(cf), a->name);
	helo = o->helo != NULL ? o->helo : a != NULL ? a->helo : NULL;
	setup_url(sv, url != NULL ? url : DEFAULT_URL, helo);
	sv->p.url = sv->url;
	sv->p.user = o->user != NULL ? o->user : a != NULL ? a->user : NULL;
	sv->p.ca_file = o->ca_file != NULL ? o->ca_file :
	    a != NULL ? a->ca_file : NULL;
	sv->p.insecure = o->insecure || (a != NULL && a->insecure);
	if (o->tls != -1)
		sv->p.tls = (enum mcurl_tls)o->tls;
	else if (a != NULL && a->tls != NULL)
		sv->p.tls = strcmp(a->tls, "auto") == 0 ? MCURL_TLS_AUTO :
		    strcmp(a->tls, "off") == 0 ? MCURL_TLS_OFF :
		    MCURL_TLS_REQUIRED;
	else	/* sendmail users' expectation for the local relay */
		sv->p.tls = url == NULL ? MCURL_TLS_AUTO : MCURL_TLS_DEFAULT;
	sv->p.timeout_s = o->timeout ? o->timeout :
	    a != NULL ? a->timeout : 0;
	sv->p.connect_timeout_s = sv->p.timeout_s;
	sv->p.trace = o->trace ? stderr : NULL;
	sv->acct_from = a != NULL && a->from != NULL ?
	    mk_xstrdup(a->from) : NULL;
	sv->p.user = sv->p.user != NULL ? mk_xstrdup(sv->p.user) : NULL;
	if (sv->p.user != NULL && !o->dry_run)
		get_password(o, a, sv);
	sv->p.ca_file = sv->p.ca_file != NULL ? mk_xstrdup(sv->p.ca_file) :
	    NULL;
	conf_free(cf);
}

static void
server_free(struct server *sv)
{
	free(sv->url);
	curl_free(sv->host);
	free((char *)sv->p.user);
	free((char *)sv->p.ca_file);
	free((char *)sv->acct_from);
	pass_free(sv->password);
	memset(sv, 0, sizeof(*sv));
}

/* The password, from the sources of pass.h (never argv). */
static void
get_password(const struct opts *o, const struct conf_account *a,
    struct server *sv)
{
	struct pass_src	src;
	struct mk_err	e;
	int		rc;

	memset(&src, 0, sizeof(src));
	if (o->pwcmd != NULL || o->pwfile != NULL) {
		src.command = o->pwcmd;
		src.file = o->pwfile;
	} else if (a != NULL) {
		src.command = a->password_command;
		src.file = a->password_file;
		src.config_password = a->password;
	}
	src.host = sv->host;
	src.user = sv->p.user;
	src.allow_prompt = 1;
	if ((rc = pass_get(&src, &sv->password, &e)) == -1)
		mk_fail(&e);
	if (rc == 1)
		mk_die(EX_CONFIG, "no password for user %s (see "
		    "mkit-config(5) for the password sources)", sv->p.user);
	sv->p.password = sv->password;
}

/* --dry-run: the envelope, an empty line, the message. */
static void
print_dry(const struct prep *pr)
{
	size_t i;

	printf("MAIL FROM:<%s>%s%s\n", pr->from,
	    pr->eightbit ? " BODY=8BITMIME" : "",
	    pr->smtputf8 ? " SMTPUTF8" : "");
	for (i = 0; i < pr->rcpt.n; i++)
		printf("RCPT TO:<%s>\n", pr->rcpt.v[i]);
	putchar('\n');
	fwrite(pr->msg.p, 1, pr->msg.len, stdout);
	if (fflush(stdout) == EOF || ferror(stdout))
		mk_die(EX_IOERR, "write standard output:");
}

/* s (a server reply) made one printable line into out. */
static void
clean(char *out, size_t size, const char *s)
{
	size_t i;

	for (i = 0; s[i] != '\0' && i + 1 < size; i++)
		out[i] = s[i] == '\n' ? ' ' : (unsigned char)s[i] < 0x20 ||
		    (unsigned char)s[i] >= 0x7f ? '?' : s[i];
	out[i] = '\0';
}

static const char *
state_name(enum smtp_rcpt_state st)
{
	return st == SMTP_ACCEPTED ? "accepted" :
	    st == SMTP_REJECTED ? "rejected" : "deferred";
}

/*
 * Tell how message k of n went: one JSON object, or a line on standard
 * error per recipient that did not get it.  res is NULL when the
 * message failed before the server answered (then err says why).
 */
static void
report(const struct opts *o, size_t k, size_t n, const struct prep *pr,
    const struct smtp_result *res, const struct mk_err *err,
    struct json_w *jw)
{
	char	line[512], which[32];
	size_t	i;

	which[0] = '\0';
	if (n > 1)
		snprintf(which, sizeof(which), "message %zu: ", k + 1);
	if (!o->json) {
		if (res == NULL) {
			mk_warn("%s%s", which, err->msg);
			return;
		}
		for (i = 0; i < res->nrcpt; i++) {
			if (res->rcpt[i].state == SMTP_ACCEPTED)
				continue;
			clean(line, sizeof(line), res->rcpt[i].reply.text);
			mk_warn("%s%s: %s: %s", which, res->rcpt[i].addr,
			    state_name(res->rcpt[i].state), line);
		}
		return;
	}
	json_obj_begin(jw);
	json_kv_int(jw, "message", (long long)k + 1);
	if (pr != NULL && pr->from != NULL)
		json_kv_str(jw, "from", pr->from);
	json_kv_str(jw, "status", res == NULL ? "failed" :
	    res->st == MK_OK ? "sent" : res->naccepted > 0 ? "partial" :
	    "failed");
	json_kv_int(jw, "exit", mk_exitcode(res != NULL ? res->st :
	    err->st));
	if (res == NULL)
		json_kv_str(jw, "error", err->msg);
	else {
		json_key(jw, "recipients");
		json_arr_begin(jw);
		for (i = 0; i < res->nrcpt; i++) {
			json_obj_begin(jw);
			json_kv_str(jw, "recipient", res->rcpt[i].addr);
			json_kv_int(jw, "code", res->rcpt[i].code);
			json_kv_str(jw, "status",
			    state_name(res->rcpt[i].state));
			json_kv_str(jw, "reply", res->rcpt[i].reply.text);
			json_obj_end(jw);
		}
		json_arr_end(jw);
		json_kv_int(jw, "code", res->final.code);
		json_kv_str(jw, "reply", res->final.text);
	}
	json_obj_end(jw);
	json_end_document(jw);
}

int
main(int argc, char *argv[])
{
	struct opts		 o;
	struct server		 sv;
	struct msgs		 m = { NULL, 0 };
	struct prep		 pr;
	struct smtp_caps	 caps;
	struct smtp_envelope	 env;
	struct smtp_result	 res;
	struct conn		*c = NULL;
	struct json_w		 jw;
	struct mk_err		 e;
	const char		*heard;
	size_t			 i, hlen;
	enum mk_status		 st = MK_OK;
	int			 dirty = 0;

	mk_setprogname(argv[0]);
	parse_args(argc, argv, &o);
	setup_server(&o, &sv);
	read_inputs(&o, &m);
	json_init_file(&jw, stdout, 0);
	if (sv.p.insecure && !o.dry_run)
		mk_warn("%s", mcurl_insecure_warning());

	for (i = 0; i < m.n; i++) {
		if (prepare(&o, &sv, &m.v[i], &pr, &e) == -1) {
			report(&o, i, m.n, &pr, NULL, &e, &jw);
			if (st == MK_OK)
				st = e.st;
			prep_free(&pr);
			buf_free(&m.v[i]);
			continue;
		}
		buf_free(&m.v[i]);
		if (o.dry_run) {
			print_dry(&pr);
			prep_free(&pr);
			continue;
		}
		if (c == NULL) {
			if ((c = conn_open(&sv.p, &e)) == NULL)
				mk_fail(&e);
			heard = conn_heard(c, &hlen);
			smtp_caps_parse(heard, hlen, &caps);
		} else if (dirty && smtp_rset(c, &e) == -1)
			goto broken;
		env.from = pr.from;
		env.rcpt = (const char *const *)pr.rcpt.v;
		env.nrcpt = pr.rcpt.n;
		env.eightbit = pr.eightbit;
		env.smtputf8 = pr.smtputf8;
		if (smtp_send(c, &caps, &env, pr.msg.p, pr.msg.len, &res,
		    &e) == -1) {
			if (e.st == MK_EUSAGE || e.st == MK_EDATA) {
				/* Refused before a byte was sent. */
				report(&o, i, m.n, &pr, NULL, &e, &jw);
				if (st == MK_OK)
					st = e.st;
				prep_free(&pr);
				continue;
			}
			goto broken;
		}
		report(&o, i, m.n, &pr, &res, NULL, &jw);
		dirty = res.st != MK_OK;
		if (st == MK_OK)
			st = res.st;
		smtp_result_free(&res);
		prep_free(&pr);
	}
	if (c != NULL)
		smtp_quit(c);
	goto out;
broken:
	report(&o, i, m.n, &pr, NULL, &e, &jw);
	prep_free(&pr);
	st = e.st;
	for (i++; i < m.n; i++)
		buf_free(&m.v[i]);
out:
	conn_close(c);
	server_free(&sv);
	free(m.v);
	free(o.files);
	free(o.headers);
	return mk_exitcode(st);
}
