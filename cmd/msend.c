/*
 * msend: send mail over SMTP from scripts and cron; sendmail(8)
 * compatible when called as "sendmail".
 *
 * libcurl opens the session (TLS, certificate checks, AUTH) with
 * CURLOPT_CONNECT_ONLY and lib/smtp speaks the transaction: that is
 * what gives a reply per recipient (exit 67 names who was refused),
 * PIPELINING, our own dot-stuffing of bare-LF input, and many messages
 * over one connection.  libcurl's own SMTP upload does none of these.
 *
 * --mx delivers without a relay: each recipient domain's MX hosts, found
 * with the library's resolver (lib/res.h through smtp_route_lookup()),
 * are tried in order with opportunistic STARTTLS and no AUTH.
 */
#include <sys/socket.h>

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <netdb.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdint.h>
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
#include "res.h"
#include "smtp.h"
#include "trace.h"

#define MSGMAX		(512UL * 1024 * 1024)	/* bytes of one input */
#define DEFAULT_URL	"smtp://localhost:25"
#define LINEMAX		998			/* RFC 5322 2.1.1 */
#define MX_PORT		25

enum {
	OPT_CA_FILE = 256, OPT_DNS_SERVER, OPT_DRY_RUN, OPT_FILE, OPT_HELO,
	OPT_INSECURE, OPT_JSON, OPT_MBOX, OPT_MX, OPT_MX_PORT,
	OPT_PASSWORD_COMMAND, OPT_PASSWORD_FILE, OPT_SERVER, OPT_TIMEOUT,
	OPT_TLS, OPT_TRACE, OPT_USER, OPT_VERSION
};

static const struct option longopts[] = {
	{ "account",		required_argument,	NULL, 'a' },
	{ "ca-file",		required_argument,	NULL, OPT_CA_FILE },
	{ "dns-server",		required_argument,	NULL, OPT_DNS_SERVER },
	{ "dry-run",		no_argument,		NULL, OPT_DRY_RUN },
	{ "file",		required_argument,	NULL, OPT_FILE },
	{ "from",		required_argument,	NULL, 'f' },
	{ "helo",		required_argument,	NULL, OPT_HELO },
	{ "help",		no_argument,		NULL, 'h' },
	{ "insecure",		no_argument,		NULL, OPT_INSECURE },
	{ "json",		no_argument,		NULL, OPT_JSON },
	{ "mbox",		required_argument,	NULL, OPT_MBOX },
	{ "mx",			no_argument,		NULL, OPT_MX },
	{ "mx-port",		required_argument,	NULL, OPT_MX_PORT },
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
	const char	*dns_server;	/* --dns-server */
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
	int		 mx;		/* --mx: direct delivery */
	long		 mx_port;	/* --mx-port, 0: MX_PORT */
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
	char			*helo;		/* --mx: owned, or NULL */
	uint16_t		 mx_port;	/* --mx: SMTP port */
	const char		*acct_from;	/* account's from, or NULL */
	struct res_params	 dns;		/* --mx: the resolver */
};

/* --mx: the routes looked up in this run, by domain (all owned). */
struct routes {
	char			**dom;
	struct smtp_route	 *r;
	struct mk_err		 *err;		/* st MK_OK: lookup worked */
	size_t			  n;
};

/* --mx: the one connection kept open between transactions. */
struct mxconn {
	struct conn		*c;
	char			 addr[SMTP_ADDRTEXTMAX];
	struct smtp_caps	 caps;
	int			 dirty;		/* RSET before the next */
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
static int	prep_take(const struct opts *, const struct server *,
		    struct msgs *, size_t, struct prep *, struct mk_err *);
static void	env_fill(struct smtp_envelope *, const struct prep *);
static void	setup_url(struct server *, const char *, const char *);
static void	setup_server(const struct opts *, struct server *);
static void	setup_dns(const struct opts *, struct res_params *);
static void	server_free(struct server *);
static void	get_password(const struct opts *,
		    const struct conf_account *, struct server *);
static void	print_dry(const struct prep *);
static void	leave(int) __attribute__((noreturn));
static void	clean(char *, size_t, const char *);
static const char *state_name(enum smtp_rcpt_state);
static void	report(const struct opts *, size_t, size_t,
		    const struct prep *, const struct smtp_result *,
		    const struct mk_err *, const char *const *,
		    struct json_w *);
static void	mx_note(struct trace_state *, const char *, ...)
		    __attribute__((format(printf, 2, 3)));
static const struct smtp_route *route_get(struct routes *, const char *,
		    const struct server *, struct trace_state *,
		    const struct mk_err **);
static void	routes_free(struct routes *);
static void	rcpt_synth(struct smtp_rcpt *, enum smtp_rcpt_state, int,
		    const char *, ...) __attribute__((format(printf, 4, 5)));
static void	mx_close(struct mxconn *);
static int	mx_open(struct mxconn *, const struct server *,
		    const struct smtp_target *, struct trace_state *,
		    struct mk_err *);
static enum mk_status mx_domain(const struct opts *, const struct server *,
		    const struct prep *, const char *, const size_t *,
		    size_t, struct routes *, struct mxconn *,
		    struct trace_state *, struct smtp_result *,
		    const char **);
static const char *addr_domain(const char *);
static void	send_mx(const struct opts *, const struct server *,
		    const struct prep *, struct routes *, struct mxconn *,
		    struct trace_state *, struct smtp_result *,
		    const char **);

static void
usage(FILE *fp)
{
	fputs("usage: msend [-h] [-i] [-t | --read-recipients] "
	    "[-a | --account name]\n"
	    "             [-F name] [-f | --from addr] [-H header] "
	    "[-s | --subject text]\n"
	    "             [--ca-file file] [--dns-server host[#port]] "
	    "[--dry-run]\n"
	    "             [--file file] [--helo name] [--insecure] [--json] "
	    "[--mbox file]\n"
	    "             [--mx] [--mx-port port] [--password-command cmd]\n"
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
		case OPT_DNS_SERVER:
			o->dns_server = optarg;
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
		case OPT_MX:
			o->mx = 1;
			break;
		case OPT_MX_PORT:
			o->mx_port = (long)mk_strtonum(optarg, 1, 65535,
			    &errstr);
			if (errstr != NULL)
				mk_die(EX_USAGE, "--mx-port %s: %s", optarg,
				    errstr);
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
	if (o->mx && (o->server != NULL || o->user != NULL ||
	    o->pwcmd != NULL || o->pwfile != NULL))
		mk_die(EX_USAGE, "--mx delivers to each domain's MX hosts, "
		    "without AUTH: no --server, --user or password options");
	if (!o->mx && (o->dns_server != NULL || o->mx_port != 0))
		mk_die(EX_USAGE, "--dns-server and --mx-port go with --mx");
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

/* Message k of m prepared into pr, its input freed; as prepare(). */
static int
prep_take(const struct opts *o, const struct server *sv, struct msgs *m,
    size_t k, struct prep *pr, struct mk_err *e)
{
	int rc;

	rc = prepare(o, sv, &m->v[k], pr, e);
	buf_free(&m->v[k]);
	return rc;
}

/* The envelope of pr (borrowing its strings). */
static void
env_fill(struct smtp_envelope *env, const struct prep *pr)
{
	env->from = pr->from;
	env->rcpt = (const char *const *)pr->rcpt.v;
	env->nrcpt = pr->rcpt.n;
	env->eightbit = pr->eightbit;
	env->smtputf8 = pr->smtputf8;
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
	if (o->mx) {
		/*
		 * Direct delivery: the account gives only from, helo and
		 * timeout.  TLS is opportunistic (RFC 7435): an MX host
		 * name from DNS cannot authenticate the host, so the
		 * certificate is not checked, even with --tls=required,
		 * which only insists on STARTTLS (Postfix's "encrypt").
		 */
		helo = o->helo != NULL ? o->helo : a != NULL ? a->helo : NULL;
		sv->helo = helo != NULL ? mk_xstrdup(helo) : NULL;
		sv->p.tls = o->tls != -1 ? (enum mcurl_tls)o->tls :
		    MCURL_TLS_AUTO;
		sv->p.insecure = 1;
		sv->mx_port = o->mx_port ? (uint16_t)o->mx_port : MX_PORT;
		sv->p.timeout_s = o->timeout ? o->timeout :
		    a != NULL ? a->timeout : 0;
		sv->p.connect_timeout_s = sv->p.timeout_s;
		sv->p.trace = o->trace ? stderr : NULL;
		sv->acct_from = a != NULL && a->from != NULL ?
		    mk_xstrdup(a->from) : NULL;
		if (!o->dry_run)
			setup_dns(o, &sv->dns);
		conf_free(cf);
		return;
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

/*
 * --mx: the name servers of --dns-server (a numeric address, or a host
 * name looked up with getaddrinfo), else of resolv.conf.
 */
static void
setup_dns(const struct opts *o, struct res_params *p)
{
	struct addrinfo	 hints, *ai = NULL;
	struct res_conf	 c;
	struct mk_err	 e;
	const char	*errstr;
	char		 host[256], *hash;
	long long	 port = RES_PORT;
	int		 i, rc;

	memset(p, 0, sizeof(*p));
	res_conf_init(&c);
	if (o->dns_server == NULL) {
		if (res_conf_load(&c, &e) == -1)
			mk_fail(&e);
		for (i = 0; i < c.nns; i++)
			p->servers[p->nservers++] = c.ns[i];
		p->rotate = c.rotate;
	} else if (res_server_parse(o->dns_server, RES_PORT, &p->servers[0],
	    &e) == 0)
		p->nservers = 1;
	else {
		if (snprintf(host, sizeof(host), "%s", o->dns_server) >=
		    (int)sizeof(host) || strchr(host, ':') != NULL ||
		    host[0] == '#' || host[0] == '\0')
			mk_fail(&e);
		if ((hash = strrchr(host, '#')) != NULL) {
			*hash++ = '\0';
			port = mk_strtonum(hash, 1, 65535, &errstr);
			if (errstr != NULL)
				mk_die(EX_USAGE, "--dns-server %s: port %s",
				    o->dns_server, errstr);
		}
		memset(&hints, 0, sizeof(hints));
		hints.ai_socktype = SOCK_DGRAM;
		if ((rc = getaddrinfo(host, NULL, &hints, &ai)) != 0)
			mk_die(EX_USAGE, "--dns-server %s: %s", host,
			    gai_strerror(rc));
		memcpy(&p->servers[0].ss, ai->ai_addr, ai->ai_addrlen);
		p->servers[0].sslen = ai->ai_addrlen;
		freeaddrinfo(ai);
		res_server_setport(&p->servers[0], (uint16_t)port);
		p->nservers = 1;
	}
	if (p->nservers == 0)
		mk_die(EX_CONFIG, "no name server in resolv.conf");
	p->timeout_ms = c.timeout * 1000;
	p->retries = c.attempts > 0 ? c.attempts - 1 : 2;
	p->rd = 1;
	p->edns = 1;
	p->bufsize = RES_BUFSIZE;
}

static void
server_free(struct server *sv)
{
	free(sv->url);
	free(sv->helo);
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

	/* Refused before any lookup, whose messages name the user. */
	if (sv->p.user != NULL)
		check_line("user", sv->p.user);
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

/* A "* " line of the --trace transcript about MX routing. */
static void
mx_note(struct trace_state *ts, const char *fmt, ...)
{
	struct mk_buf	b;
	va_list		ap;

	if (ts == NULL)
		return;
	buf_init(&b, 0);
	va_start(ap, fmt);
	if (buf_vprintf(&b, fmt, ap) != -1)
		(void)trace_line(ts, TRACE_I, b.p, b.len);
	va_end(ap);
	buf_free(&b);
}

/*
 * The route of domain, looked up once per run; NULL with *err when the
 * lookup failed (the failure is kept too, so every message of an mbox
 * is told the same).
 */
static const struct smtp_route *
route_get(struct routes *rt, const char *domain, const struct server *sv,
    struct trace_state *ts, const struct mk_err **err)
{
	struct smtp_route	*r;
	struct mk_buf		 b;
	size_t			 i;

	for (i = 0; i < rt->n; i++)
		if (strcasecmp(rt->dom[i], domain) == 0)
			goto found;
	rt->dom = mk_xrealloc(rt->dom, (rt->n + 1) * sizeof(*rt->dom));
	rt->r = mk_xrealloc(rt->r, (rt->n + 1) * sizeof(*rt->r));
	rt->err = mk_xrealloc(rt->err, (rt->n + 1) * sizeof(*rt->err));
	rt->dom[i] = mk_xstrdup(domain);
	rt->err[i].st = MK_OK;
	rt->err[i].msg[0] = '\0';
	rt->n++;
	if (smtp_route_lookup(&sv->dns, domain, arc4random_uniform,
	    &rt->r[i], &rt->err[i]) == -1) {
		if (rt->err[i].st == MK_ESOFTWARE)
			mk_fail(&rt->err[i]);
		mx_note(ts, "MX of %s: %s", domain, rt->err[i].msg);
		goto found;
	}
	r = &rt->r[i];
	buf_init(&b, 0);
	(void)buf_printf(&b, "MX of %s: %s", domain,
	    r->kind == SMTP_MX_NXDOMAIN ? "no such domain" :
	    r->kind == SMTP_MX_NULL ? "null MX (RFC 7505)" :
	    r->kind == SMTP_MX_IMPLICIT ? "none, so the domain itself" : "");
	for (i = 0; i < r->n; i++)
		(void)buf_printf(&b, "%s%u %s [%s]", i > 0 ? ", " :
		    r->kind == SMTP_MX_IMPLICIT ? ": " : "",
		    (unsigned)r->t[i].pref, r->t[i].host, r->t[i].addr);
	if (r->n == 0 && (r->kind == SMTP_MX_FOUND ||
	    r->kind == SMTP_MX_IMPLICIT))
		(void)buf_adds(&b, ", no address");
	if (r->tempfail)
		(void)buf_printf(&b, " (%s)", r->why);
	mx_note(ts, "%s", buf_str(&b));
	buf_free(&b);
	i = (size_t)(r - rt->r);
found:
	if (rt->err[i].st != MK_OK) {
		*err = &rt->err[i];
		return NULL;
	}
	return &rt->r[i];
}

static void
routes_free(struct routes *rt)
{
	size_t i;

	for (i = 0; i < rt->n; i++) {
		free(rt->dom[i]);
		if (rt->err[i].st == MK_OK)
			smtp_route_free(&rt->r[i]);
	}
	free(rt->dom);
	free(rt->r);
	free(rt->err);
	memset(rt, 0, sizeof(*rt));
}

/*
 * A reply msend makes up itself for a recipient no server decided
 * about (no such domain, null MX, no host answered): the reply codes
 * and the enhanced status codes of RFC 3463 and RFC 7505.
 */
static void
rcpt_synth(struct smtp_rcpt *rc, enum smtp_rcpt_state state, int code,
    const char *fmt, ...)
{
	struct mk_buf	b;
	va_list		ap;

	buf_init(&b, SMTP_REPLYMAX);
	va_start(ap, fmt);
	if (buf_vprintf(&b, fmt, ap) == -1 && !b.toobig)
		mk_die(EX_SOFTWARE, "out of memory");
	va_end(ap);
	smtp_reply_free(&rc->reply);
	rc->reply.code = code;
	rc->reply.text = buf_take(&b, NULL);
	if (rc->reply.text == NULL)
		mk_die(EX_SOFTWARE, "out of memory");
	rc->code = code;
	rc->state = state;
}

static void
mx_close(struct mxconn *mc)
{
	if (mc->c != NULL) {
		smtp_quit(mc->c);
		conn_close(mc->c);
	}
	mc->c = NULL;
	mc->addr[0] = '\0';
	mc->dirty = 0;
}

/*
 * The session with target t: the open one if it is t's (RSET first if
 * the last transaction failed), else a new one, the old one closed.
 * -1 with e filled when it cannot be had.
 */
static int
mx_open(struct mxconn *mc, const struct server *sv,
    const struct smtp_target *t, struct trace_state *ts, struct mk_err *e)
{
	struct mcurl_params	 p = sv->p;
	const char		*heard;
	char			 url[128 + SMTP_ADDRTEXTMAX + DNS_NAME_TEXTMAX];
	size_t			 hlen;
	int			 v6 = t->family == AF_INET6;

	if (mc->c != NULL && strcmp(mc->addr, t->addr) == 0) {
		conn_renew(mc->c);	/* a new transaction: see main() */
		if (!mc->dirty || smtp_rset(mc->c, e) == 0) {
			mc->dirty = 0;
			return 0;
		}
	}
	mx_close(mc);
	/*
	 * The address, not the name: it is what our resolver found, and
	 * libcurl would ask the system's.  libcurl says EHLO with the
	 * URL's path, else with gethostname().
	 */
	if (snprintf(url, sizeof(url), "smtp://%s%s%s:%u/%s", v6 ? "[" : "",
	    t->addr, v6 ? "]" : "", (unsigned)sv->mx_port,
	    sv->helo != NULL ? sv->helo : "") >= (int)sizeof(url))
		return mk_seterr(e, MK_EUSAGE, "--helo: too long");
	p.url = url;
	mx_note(ts, "MX host %s [%s]", t->host, t->addr);
	if ((mc->c = conn_open(&p, e)) == NULL)
		return -1;
	heard = conn_heard(mc->c, &hlen);
	smtp_caps_parse(heard, hlen, &mc->caps);
	snprintf(mc->addr, sizeof(mc->addr), "%s", t->addr);
	mc->dirty = 0;
	return 0;
}

/*
 * Deliver pr to the recipients idx[0..n) of domain: to the first of its
 * MX targets that answers, and the recipients it defers (4xx) to the
 * next.  Fills their entries of res (and hosts); returns a status worse
 * than the recipients' states tell (MK_EPERM: TLS required but not
 * offered anywhere, MK_EDATA, ...), else MK_OK.
 */
static enum mk_status
mx_domain(const struct opts *o, const struct server *sv,
    const struct prep *pr, const char *domain, const size_t *idx, size_t n,
    struct routes *rt, struct mxconn *mc, struct trace_state *ts,
    struct smtp_result *res, const char **hosts)
{
	const struct smtp_route	*r;
	const struct mk_err	*lerr = NULL;
	struct smtp_envelope	 env;
	struct smtp_result	 sr;
	struct smtp_rcpt	*rc;
	struct mk_err		 e, last;
	const char		**rcpt;
	size_t			*pend, np = n, i, k, t;
	enum mk_status		 st = MK_OK;
	int			 answered = 0;

	(void)o;
	if ((r = route_get(rt, domain, sv, ts, &lerr)) == NULL) {
		for (i = 0; i < n; i++)
			rcpt_synth(&res->rcpt[idx[i]], SMTP_DEFERRED, 451,
			    "451 4.4.3 %s", lerr->msg);
		return lerr->st == MK_EUSAGE ? MK_EDATA : MK_OK;
	}
	if (r->kind == SMTP_MX_NXDOMAIN || r->kind == SMTP_MX_NULL ||
	    r->n == 0) {
		for (i = 0; i < n; i++) {
			rc = &res->rcpt[idx[i]];
			if (r->kind == SMTP_MX_NXDOMAIN)
				rcpt_synth(rc, SMTP_REJECTED, 550, "550 5.1.2 "
				    "%s: no such domain", domain);
			else if (r->kind == SMTP_MX_NULL)
				rcpt_synth(rc, SMTP_REJECTED, 556, "556 5.1.10 "
				    "%s: null MX, the domain takes no mail "
				    "(RFC 7505)", domain);
			else if (r->kind == SMTP_MX_IMPLICIT && !r->tempfail)
				rcpt_synth(rc, SMTP_REJECTED, 550, "550 5.1.2 "
				    "%s: no MX and no address", domain);
			else
				rcpt_synth(rc, SMTP_DEFERRED, 451, "451 4.4.3 "
				    "%s: no address for its mail hosts%s%s",
				    domain, r->tempfail ? ": " : "",
				    r->tempfail ? r->why : "");
		}
		return MK_OK;
	}

	pend = mk_xmalloc(n * sizeof(*pend));
	rcpt = mk_xmalloc(n * sizeof(*rcpt));
	memcpy(pend, idx, n * sizeof(*pend));
	last.st = MK_ETEMP;
	snprintf(last.msg, sizeof(last.msg), "no attempt");
	for (t = 0; t < r->n && np > 0; t++) {
		if (mx_open(mc, sv, &r->t[t], ts, &e) == -1) {
			mx_note(ts, "%s [%s]: %s", r->t[t].host,
			    r->t[t].addr, e.msg);
			if (e.st == MK_ESOFTWARE)
				mk_fail(&e);
			mx_close(mc);
			last = e;
			continue;
		}
		for (i = 0; i < np; i++)
			rcpt[i] = pr->rcpt.v[pend[i]];
		env_fill(&env, pr);
		env.rcpt = rcpt;
		env.nrcpt = np;
		if (smtp_send(mc->c, &mc->caps, &env, pr->msg.p, pr->msg.len,
		    0, &sr, &e) == -1) {
			if (e.st == MK_EUSAGE || e.st == MK_EDATA) {
				/* Refused before a byte was sent. */
				for (i = 0; i < np; i++)
					rcpt_synth(&res->rcpt[pend[i]],
					    SMTP_REJECTED, 554, "554 5.6.0 "
					    "%s", e.msg);
				np = 0;
				st = e.st;
				break;
			}
			mx_note(ts, "%s [%s]: %s", r->t[t].host,
			    r->t[t].addr, e.msg);
			mx_close(mc);
			last = e;
			continue;
		}
		answered = 1;
		mc->dirty = sr.st != MK_OK;
		/* The recipients it decided are done; the deferred go on. */
		for (i = 0, k = 0; i < np; i++) {
			rc = &res->rcpt[pend[i]];
			smtp_reply_free(&rc->reply);
			rc->reply = sr.rcpt[i].reply;
			sr.rcpt[i].reply.text = NULL;
			rc->code = sr.rcpt[i].code;
			rc->state = sr.rcpt[i].state;
			hosts[pend[i]] = r->t[t].host;
			if (rc->state == SMTP_DEFERRED)
				pend[k++] = pend[i];
		}
		np = k;
		smtp_reply_free(&res->final);
		res->final = sr.final;
		sr.final.text = NULL;
		smtp_result_free(&sr);
	}
	/* Deferred everywhere, or no host to be had. */
	for (i = 0; i < np; i++) {
		rc = &res->rcpt[pend[i]];
		if (rc->reply.text == NULL)
			rcpt_synth(rc, SMTP_DEFERRED, 451, "451 4.4.1 no mail "
			    "host of %s took it: %s", domain, last.msg);
	}
	if (np > 0 && !answered && last.st != MK_ETEMP)
		st = last.st;
	free(pend);
	free(rcpt);
	return st;
}

/* Split address a's domain off: after the last '@', or "". */
static const char *
addr_domain(const char *a)
{
	const char *at = strrchr(a, '@');

	return at != NULL ? at + 1 : "";
}

/*
 * --mx: deliver pr domain by domain, each recipient's outcome in res
 * (as one transaction would fill it) and its MX host in hosts.
 */
static void
send_mx(const struct opts *o, const struct server *sv,
    const struct prep *pr, struct routes *rt, struct mxconn *mc,
    struct trace_state *ts, struct smtp_result *res, const char **hosts)
{
	size_t		*idx, *done, i, j, n = pr->rcpt.n, ng;
	size_t		 ndef = 0, nrej = 0;
	enum mk_status	 st, worst = MK_OK;

	memset(res, 0, sizeof(*res));
	res->rcpt = mk_xmalloc(n * sizeof(*res->rcpt));
	memset(res->rcpt, 0, n * sizeof(*res->rcpt));
	res->nrcpt = n;
	idx = mk_xmalloc(n * sizeof(*idx));
	done = mk_xmalloc(n * sizeof(*done));
	memset(done, 0, n * sizeof(*done));
	for (i = 0; i < n; i++) {
		res->rcpt[i].addr = pr->rcpt.v[i];
		res->rcpt[i].state = SMTP_DEFERRED;
		hosts[i] = NULL;
	}
	/* Recipients by domain (RFC 5321 5.1), in the order given. */
	for (i = 0; i < n; i++) {
		if (done[i])
			continue;
		ng = 0;
		for (j = i; j < n; j++)
			if (!done[j] && strcasecmp(addr_domain(pr->rcpt.v[i]),
			    addr_domain(pr->rcpt.v[j])) == 0) {
				idx[ng++] = j;
				done[j] = 1;
			}
		if (addr_domain(pr->rcpt.v[i])[0] == '\0') {
			for (j = 0; j < ng; j++)
				rcpt_synth(&res->rcpt[idx[j]], SMTP_REJECTED,
				    553, "553 5.1.3 no domain in the address");
			continue;
		}
		st = mx_domain(o, sv, pr, addr_domain(pr->rcpt.v[i]), idx,
		    ng, rt, mc, ts, res, hosts);
		if (worst == MK_OK)
			worst = st;
	}
	for (i = 0; i < n; i++) {
		if (res->rcpt[i].state == SMTP_ACCEPTED)
			res->naccepted++;
		else if (res->rcpt[i].state == SMTP_DEFERRED)
			ndef++;
		else
			nrej++;
	}
	res->st = worst != MK_OK ? worst : ndef > 0 ? MK_ETEMP :
	    nrej > 0 ? MK_ENOUSER : MK_OK;
	if (res->final.text == NULL) {
		/* No transaction: the first recipient's outcome. */
		res->final.code = res->rcpt[0].code;
		res->final.text = mk_xstrdup(res->rcpt[0].reply.text != NULL ?
		    res->rcpt[0].reply.text : "");
	}
	free(idx);
	free(done);
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
 * hosts (--mx, else NULL) names the MX host that decided, per
 * recipient (NULL entries: none did).
 */
static void
report(const struct opts *o, size_t k, size_t n, const struct prep *pr,
    const struct smtp_result *res, const struct mk_err *err,
    const char *const *hosts, struct json_w *jw)
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
			if (hosts != NULL && hosts[i] != NULL)
				json_kv_str(jw, "host", hosts[i]);
			json_obj_end(jw);
		}
		json_arr_end(jw);
		json_kv_int(jw, "code", res->final.code);
		json_kv_str(jw, "reply", res->final.text);
	}
	json_obj_end(jw);
	json_end_document(jw);
}

/*
 * Exit without running the libraries' exit handlers: OpenSSL's and
 * GnuTLS's only free what the process is about to lose anyway, and they
 * take a good share of a one-message run (see bench/msend.sh).  Our
 * output is flushed and checked first.  Sanitizer builds exit normally,
 * so that the leak check still runs.
 */
static void
leave(int code)
{
	if (fflush(stdout) == EOF || ferror(stdout)) {
		mk_warn("write standard output: %s", strerror(errno));
		if (code == 0)
			code = EX_IOERR;
	}
	(void)fflush(stderr);
#if defined(__SANITIZE_ADDRESS__)
	exit(code);
#else
	_exit(code);
#endif
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
	struct routes		 rt = { NULL, NULL, NULL, 0 };
	struct mxconn		 mc;
	struct trace_state	 ts, *tsp = NULL;
	const char		**hosts = NULL;
	const char		*heard;
	size_t			 i, hlen;
	enum mk_status		 st = MK_OK;
	int			 dirty = 0;

	mk_setprogname(argv[0]);
	parse_args(argc, argv, &o);
	setup_server(&o, &sv);
	read_inputs(&o, &m);
	json_init_file(&jw, stdout, 0);
	if (sv.p.insecure && !o.dry_run && !o.mx)
		mk_warn("%s", mcurl_insecure_warning());
	memset(&mc, 0, sizeof(mc));
	if (o.mx && o.trace) {
		trace_init(&ts, stderr, TRACE_SMTP);
		tsp = &ts;
	}

	for (i = 0; i < m.n; i++) {
		if (prep_take(&o, &sv, &m, i, &pr, &e) == -1) {
			report(&o, i, m.n, &pr, NULL, &e, NULL, &jw);
			if (st == MK_OK)
				st = e.st;
			prep_free(&pr);
			continue;
		}
		if (o.dry_run) {
			print_dry(&pr);
			prep_free(&pr);
			continue;
		}
		if (o.mx) {
			hosts = mk_xrealloc(hosts, pr.rcpt.n * sizeof(*hosts));
			send_mx(&o, &sv, &pr, &rt, &mc, tsp, &res, hosts);
			report(&o, i, m.n, &pr, &res, NULL, hosts, &jw);
			if (st == MK_OK)
				st = res.st;
			smtp_result_free(&res);
			prep_free(&pr);
			continue;
		}
		if (c == NULL) {
			if ((c = conn_open(&sv.p, &e)) == NULL)
				mk_fail(&e);
			heard = conn_heard(c, &hlen);
			smtp_caps_parse(heard, hlen, &caps);
		} else {
			/*
			 * --timeout bounds a session of one message as a
			 * whole, and each further message of --mbox or
			 * --file on its own (msend(1)): a long run is no
			 * failure, a stalling server is.
			 */
			conn_renew(c);
			if (dirty && smtp_rset(c, &e) == -1)
				goto broken;
		}
		env_fill(&env, &pr);
		if (smtp_send(c, &caps, &env, pr.msg.p, pr.msg.len,
		    i + 1 == m.n ? SMTP_SEND_LAST : 0, &res, &e) == -1) {
			if (e.st == MK_EUSAGE || e.st == MK_EDATA) {
				/* Refused before a byte was sent. */
				report(&o, i, m.n, &pr, NULL, &e, NULL, &jw);
				if (st == MK_OK)
					st = e.st;
				prep_free(&pr);
				continue;
			}
			goto broken;
		}
		report(&o, i, m.n, &pr, &res, NULL, NULL, &jw);
		dirty = res.st != MK_OK;
		if (res.quit) {
			/* QUIT went with the last message: done. */
			conn_close(c);
			c = NULL;
		}
		if (st == MK_OK)
			st = res.st;
		smtp_result_free(&res);
		prep_free(&pr);
	}
	if (c != NULL)
		smtp_quit(c);
	goto out;
broken:
	report(&o, i, m.n, &pr, NULL, &e, NULL, &jw);
	prep_free(&pr);
	st = e.st;
	for (i++; i < m.n; i++)
		buf_free(&m.v[i]);
out:
	conn_close(c);
	mx_close(&mc);
	routes_free(&rt);
	free(hosts);
	if (tsp != NULL) {
		(void)trace_flush(tsp);
		trace_free(tsp);
	}
	server_free(&sv);
	free(m.v);
	free(o.files);
	free(o.headers);
	leave(mk_exitcode(st));
}
