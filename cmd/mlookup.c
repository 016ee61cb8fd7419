/*
 * mlookup: query DNS servers from the shell, as dig and nslookup do.
 *
 * Options and operands are read here; the query goes through lib/res
 * (transport, resolv.conf, search list) and the reply is shown with
 * lib/dns (presentation form, dissection) in one of four forms: dig-like
 * text, --short, --json, --dissect.
 */
#include <sys/eventfd.h>
#include <sys/socket.h>

#include <netinet/in.h>

#include <dlfcn.h>
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <netdb.h>
#include <poll.h>
#include <pthread.h>
#include <stdalign.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "dns.h"
#include "iter.h"
#include "json.h"
#include "mk.h"
#include "res.h"

enum {
	OPT_BUFSIZE = 256, OPT_CAFILE, OPT_DEADLINE, OPT_DISSECT, OPT_DNSSEC,
	OPT_HTTPS, OPT_HTTPSGET, OPT_INSECURE, OPT_JSON, OPT_NOEDNS, OPT_NORECURSE, OPT_NSID, OPT_PARALLEL, OPT_RETRANSMIT,
	OPT_RETRIES,
	OPT_ROOTHINTS, OPT_SHORT, OPT_TCP, OPT_TIMEOUT, OPT_TRACE,
	OPT_UNORDERED, OPT_VERSION
};

static const struct option longopts[] = {
	{ "bufsize",	required_argument,	NULL, OPT_BUFSIZE },
	{ "ca-file",	required_argument,	NULL, OPT_CAFILE },
	{ "class",	required_argument,	NULL, 'c' },
	{ "deadline",	required_argument,	NULL, OPT_DEADLINE },
	{ "dissect",	no_argument,		NULL, OPT_DISSECT },
	{ "dnssec",	no_argument,		NULL, OPT_DNSSEC },
	{ "help",	no_argument,		NULL, 'h' },
	{ "https",	required_argument,	NULL, OPT_HTTPS },
	{ "https-get",	no_argument,		NULL, OPT_HTTPSGET },
	{ "insecure",	no_argument,		NULL, OPT_INSECURE },
	{ "json",	no_argument,		NULL, OPT_JSON },
	{ "no-edns",	no_argument,		NULL, OPT_NOEDNS },
	{ "norecurse",	no_argument,		NULL, OPT_NORECURSE },
	{ "nsid",	no_argument,		NULL, OPT_NSID },
	{ "parallel",	required_argument,	NULL, OPT_PARALLEL },
	{ "port",	required_argument,	NULL, 'p' },
	{ "retransmit",	required_argument,	NULL, OPT_RETRANSMIT },
	{ "retries",	required_argument,	NULL, OPT_RETRIES },
	{ "reverse",	required_argument,	NULL, 'x' },
	{ "root-hints",	required_argument,	NULL, OPT_ROOTHINTS },
	{ "server",	required_argument,	NULL, 's' },
	{ "short",	no_argument,		NULL, OPT_SHORT },
	{ "tcp",	no_argument,		NULL, OPT_TCP },
	{ "timeout",	required_argument,	NULL, OPT_TIMEOUT },
	{ "trace",	no_argument,		NULL, OPT_TRACE },
	{ "type",	required_argument,	NULL, 't' },
	{ "unordered",	no_argument,		NULL, OPT_UNORDERED },
	{ "version",	no_argument,		NULL, OPT_VERSION },
	{ NULL,		0,			NULL, 0 }
};

enum form { F_TEXT, F_SHORT, F_JSON, F_DISSECT };

struct opts {
	enum form	 form;
	int		 family;	/* AF_UNSPEC, AF_INET, AF_INET6 */
	uint16_t	 qtype;
	int		 typeset;
	uint16_t	 qclass;
	long long	 port;		/* 0: per server */
	const char	*server;	/* -s or @server */
	const char	*name;
	char		**names;	/* several name operands */
	int		 nnames;
	const char	*reverse;	/* -x */
	int		 batch;		/* name "-", or several names */
	long long	 parallel;	/* queries in flight, batch */
	long long	 rtx;		/* --retransmit ms, or -1 */
	int		 argc;		/* operands at most */
	int		 unordered;	/* batch: print as they complete */
	int		 trace;		/* iterative, from the root */
	const char	*roothints;	/* --root-hints file */
	long long	 deadline;	/* seconds for one name, --trace */
	const char	*https;		/* DoH URL */
	int		 httpsget;	/* DoH with GET */
	const char	*cafile;
	int		 insecure;
	int		 tcp, norec, dnssec, noedns, nsid;
	long long	 bufsize;
	long long	 timeout;	/* seconds; 0: resolv.conf */
	long long	 retries;	/* -1: resolv.conf or 2 */
};

/* One lookup's question as the user wrote it and as sent. */
struct ask {
	char		 text[DNS_NAME_TEXTMAX];	/* as sent, ASCII */
	char		 idn[DNS_NAME_TEXTMAX];	/* Unicode form, or "" */
	uint16_t	 qtype;
};

static void	usage(FILE *);
static void	usage_error(const char *, ...)
		    __attribute__((noreturn, format(printf, 1, 2)));
static void	parse_args(int, char **, struct opts *);
static int	has_ctl(const void *, size_t);
static void	operand(struct opts *, const char *);
static uint16_t	type_arg(const char *, const char *);
static void	build_params(const struct opts *, const struct res_conf *,
		    struct res_params *);
static void	server_arg(const struct opts *, const char *,
		    struct res_server *);
static int	idn_to_ascii(const char *, char *, size_t, struct mk_err *);
static int	lookup(const struct opts *, const struct res_conf *,
		    const struct res_params *, struct res_doh *, const char *,
		    uint16_t);
static int	show(const struct opts *, const struct ask *,
		    const struct res_result *, const struct dns_msg *,
		    const char *, struct mk_buf *);
static void	show_text(const struct ask *, const struct res_result *,
		    const struct dns_msg *, struct mk_buf *);
static void	show_short(const struct dns_msg *, int, struct mk_buf *);
static int	reply_status(const struct dns_msg *);
static void	show_json(const struct ask *, const struct res_result *,
		    const struct dns_msg *, const char *, struct mk_buf *);
static void	jb_oom(void) __attribute__((noreturn, cold));
static void	jb_str(struct mk_buf *, const char *, size_t);
static void	jb_kv_str(struct mk_buf *, const char *, const char *);
static void	jb_uint(struct mk_buf *, unsigned long long);
static void	jb_records(struct mk_buf *, const struct dns_msg *,
		    enum dns_section, struct mk_buf *);
static void	jb_section(struct mk_buf *, const struct dns_msg *,
		    enum dns_section, struct mk_buf *);
static void	jb_edns(struct mk_buf *, const struct dns_msg *,
		    struct mk_buf *);
static void	indent_lines(struct mk_buf *, const char *,
		    const struct dns_msg *, const struct dns_msg *);
static void	show_dissect(const struct res_result *,
		    const struct dns_msg *, struct mk_buf *);
static int	batch(const struct opts *, const struct res_conf *,
		    const struct res_params *, char **, int);
static int	trace(const struct opts *, const struct res_conf *,
		    const struct res_params *, const char *);
static int	batch_doh(const struct opts *, const struct res_conf *,
		    const struct res_params *, struct res_doh *);
static void	out_buf(struct mk_buf *);
static void	check_stdout(void);

#define MAXI(a, b)	((a) > (b) ? (a) : (b))
#define MINI(a, b)	((a) < (b) ? (a) : (b))

static void
usage(FILE *fp)
{
	fputs("usage: mlookup [-4] [-6] [-h] [-c | --class class] "
	    "[-p | --port port]\n"
	    "               [-s | --server host[#port]] [-t | --type type] "
	    "[--bufsize n]\n"
	    "               [--ca-file file] [--deadline secs] [--dissect] "
	    "[--dnssec]\n"
	    "               [--https url] [--https-get] [--insecure] "
	    "[--json] [--no-edns]\n"
	    "               [--norecurse] [--nsid] [--parallel n] "
	    "[--retransmit ms]\n"
	    "               [--retries n] [--root-hints file] [--short] "
	    "[--tcp]\n"
	    "               [--timeout secs] [--trace] [--unordered] "
	    "[--version]\n"
	    "               name [type] [@server]\n"
	    "       mlookup [options] -x | --reverse address [@server]\n"
	    "       mlookup [options] name name ... [type] [@server]\n"
	    "       mlookup [options] - [@server]\n", fp);
}

/* "mlookup: reason", the usage, exit 64. */
static void
usage_error(const char *fmt, ...)
{
	char	msg[300];
	va_list	ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	mk_warn("%s", msg);
	usage(stderr);
	exit(EX_USAGE);
}

/* A type mnemonic or TYPEnnn; exit 64 naming what if it is neither. */
static uint16_t
type_arg(const char *what, const char *s)
{
	uint16_t t;

	if (dns_type_from_text(s, &t) == -1)
		mk_die(EX_USAGE, "%s%s: unknown type", what, s);
	if (t == DNS_T_AXFR || t == DNS_T_IXFR || t == DNS_T_OPT ||
	    t == DNS_T_TSIG)
		mk_die(EX_USAGE, "%s%s: type not supported in a query", what,
		    s);
	return t;
}

/*
 * Nonzero if s[0..n) holds a control byte other than TAB and a CR
 * (both are spaces in a batch line): NUL, LF, other C0 bytes or DEL.
 */
static int
has_ctl(const void *p, size_t n)
{
	const unsigned char	*s = p;
	size_t			 i;

	for (i = 0; i < n; i++)
		if ((s[i] < 0x20 && s[i] != '\t' && s[i] != '\r') ||
		    s[i] == 0x7f)
			return 1;
	return 0;
}

/*
 * NAME, TYPE or @SERVER, in that order; @SERVER anywhere.  A word that
 * is neither a type nor a class after the name is another name: several
 * names are a batch.
 */
static void
operand(struct opts *o, const char *s)
{
	uint16_t t;

	if (has_ctl(s, strlen(s)) || strchr(s, '\r') != NULL)
		mk_die(EX_USAGE, "a control character in an operand (in a "
		    "name, write it as \\DDD)");
	if (s[0] == '@' && s[1] != '\0') {
		o->server = s + 1;
		return;
	}
	if (o->name == NULL && o->reverse == NULL && !o->batch) {
		if (strcmp(s, "-") == 0)
			o->batch = 1;
		else
			o->name = s;
		return;
	}
	/* More names: only before the type ("a. b. MX"). */
	if (!o->typeset && o->name != NULL && strcmp(s, "-") != 0 &&
	    dns_type_from_text(s, &t) == -1 &&
	    dns_class_from_text(s, &t) == -1) {
		if (o->names == NULL) {
			o->names = mk_xmalloc(sizeof(*o->names) *
			    (size_t)o->argc);
			o->names[o->nnames++] = (char *)o->name;
		}
		o->names[o->nnames++] = (char *)s;
		o->batch = 1;
		return;
	}
	if (!o->typeset) {
		/* A class word in the type's place is fine, as in dig. */
		if (dns_type_from_text(s, &t) == -1 &&
		    dns_class_from_text(s, &o->qclass) == 0)
			return;
		o->qtype = type_arg("", s);
		o->typeset = 1;
		return;
	}
	mk_warn("%s: too many operands", s);
	usage(stderr);
	exit(EX_USAGE);
}

static void
parse_args(int argc, char *argv[], struct opts *o)
{
	const char	*errstr;
	char		 opt[64];
	int		 ch;

	memset(o, 0, sizeof(*o));
	o->qtype = DNS_T_A;
	o->qclass = DNS_C_IN;
	o->retries = -1;
	o->bufsize = RES_BUFSIZE;
	o->parallel = 64;
	o->rtx = -1;
	o->deadline = 30;
	opterr = 0;	/* our own "PROG: reason" lines, not getopt's */
	while ((ch = getopt_long(argc, argv, ":46c:hp:s:t:x:", longopts,
	    NULL)) != -1) {
		/* The option as written, for messages. */
		snprintf(opt, sizeof(opt), "%s", argv[optind - 1]);
		switch (ch) {
		case '4':
			o->family = AF_INET;
			break;
		case '6':
			o->family = AF_INET6;
			break;
		case 'c':
			if (dns_class_from_text(optarg, &o->qclass) == -1)
				mk_die(EX_USAGE, "%s: unknown class", optarg);
			break;
		case 'h':
			usage(stdout);
			exit(0);
		case 'p':
			o->port = mk_strtonum(optarg, 1, 65535, &errstr);
			if (errstr != NULL)
				mk_die(EX_USAGE, "--port %s: %s", optarg,
				    errstr);
			break;
		case 's':
			o->server = optarg[0] == '@' ? optarg + 1 : optarg;
			break;
		case 't':
			o->qtype = type_arg("", optarg);
			o->typeset = 1;
			break;
		case 'x':
			o->reverse = optarg;
			break;
		case OPT_BUFSIZE:
			o->bufsize = mk_strtonum(optarg, 512, 65535, &errstr);
			if (errstr != NULL)
				mk_die(EX_USAGE, "--bufsize %s: %s", optarg,
				    errstr);
			break;
		case OPT_CAFILE:
			o->cafile = optarg;
			break;
		case OPT_HTTPS:
			o->https = optarg;
			break;
		case OPT_HTTPSGET:
			o->httpsget = 1;
			break;
		case OPT_INSECURE:
			o->insecure = 1;
			break;
		case OPT_DEADLINE:
			o->deadline = mk_strtonum(optarg, 1, 86400, &errstr);
			if (errstr != NULL)
				mk_die(EX_USAGE, "--deadline %s: %s", optarg,
				    errstr);
			break;
		case OPT_DISSECT:
			o->form = F_DISSECT;
			break;
		case OPT_DNSSEC:
			o->dnssec = 1;
			break;
		case OPT_JSON:
			o->form = F_JSON;
			break;
		case OPT_NOEDNS:
			o->noedns = 1;
			break;
		case OPT_NORECURSE:
			o->norec = 1;
			break;
		case OPT_NSID:
			o->nsid = 1;
			break;
		case OPT_PARALLEL:
			o->parallel = mk_strtonum(optarg, 1, 4096, &errstr);
			if (errstr != NULL)
				mk_die(EX_USAGE, "--parallel %s: %s", optarg,
				    errstr);
			break;
		case OPT_RETRANSMIT:
			o->rtx = mk_strtonum(optarg, 0, 60000, &errstr);
			if (errstr != NULL)
				mk_die(EX_USAGE, "--retransmit %s: %s", optarg,
				    errstr);
			break;
		case OPT_RETRIES:
			o->retries = mk_strtonum(optarg, 0, 10, &errstr);
			if (errstr != NULL)
				mk_die(EX_USAGE, "--retries %s: %s", optarg,
				    errstr);
			break;
		case OPT_ROOTHINTS:
			o->roothints = optarg;
			break;
		case OPT_SHORT:
			o->form = F_SHORT;
			break;
		case OPT_TCP:
			o->tcp = 1;
			break;
		case OPT_TIMEOUT:
			o->timeout = mk_strtonum(optarg, 1, 86400, &errstr);
			if (errstr != NULL)
				mk_die(EX_USAGE, "--timeout %s: %s", optarg,
				    errstr);
			break;
		case OPT_TRACE:
			o->trace = 1;
			break;
		case OPT_UNORDERED:
			o->unordered = 1;
			break;
		case OPT_VERSION:
			printf("%s (mkit) %s\n", mk_getprogname(), MK_VERSION);
			exit(0);
		case ':':
			usage_error("%s: missing argument", opt);
		default:
			usage_error("%s: unknown option", opt);
		}
	}
	o->argc = argc;
	for (; optind < argc; optind++)
		operand(o, argv[optind]);
	if (o->name == NULL && o->reverse == NULL && !o->batch)
		usage_error("a name to look up is missing");
	if (o->reverse != NULL && (o->name != NULL || o->batch))
		mk_die(EX_USAGE, "-x %s: no name with -x", o->reverse);
	if (o->reverse != NULL && !o->typeset)
		o->qtype = DNS_T_PTR;
	if ((o->noedns && (o->dnssec || o->nsid)))
		mk_die(EX_USAGE, "--no-edns: --dnssec and --nsid need EDNS");
	if (o->trace && (o->server != NULL || o->form == F_DISSECT ||
	    o->form == F_SHORT))
		mk_die(EX_USAGE, "--trace: not with @server, --short or "
		    "--dissect");
	if (o->roothints != NULL && !o->trace)
		mk_die(EX_USAGE, "--root-hints: only with --trace");
	if (o->https != NULL && (o->trace || o->server != NULL || o->tcp))
		mk_die(EX_USAGE, "--https: not with --trace, @server or --tcp");
	if (o->https == NULL && (o->httpsget || o->cafile != NULL ||
	    o->insecure))
		mk_die(EX_USAGE, "--https-get, --ca-file and --insecure need "
		    "--https");
	if (o->insecure)
		mk_warn("warning: --insecure: the server's certificate is "
		    "not checked; anyone on the path can forge answers");
}

/*
 * The server of -s or @: a numeric address, or a host name looked up
 * with getaddrinfo (only then: it may load the NSS modules).
 */
static void
server_arg(const struct opts *o, const char *text, struct res_server *s)
{
	struct addrinfo	 hints, *ai = NULL;
	struct mk_err	 e;
	const char	*errstr;
	char		 host[256], *hash;
	long long	 port = RES_PORT;
	int		 rc;

	if (res_server_parse(text, RES_PORT, s, &e) == 0)
		goto out;
	if (snprintf(host, sizeof(host), "%s", text) >= (int)sizeof(host) ||
	    strchr(host, ':') != NULL || host[0] == '#' || host[0] == '\0')
		mk_fail(&e);
	if ((hash = strrchr(host, '#')) != NULL) {
		*hash++ = '\0';
		port = mk_strtonum(hash, 1, 65535, &errstr);
		if (errstr != NULL)
			mk_die(EX_USAGE, "%s: port %s", text, errstr);
	}
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = o->family;
	hints.ai_socktype = SOCK_DGRAM;
	if ((rc = getaddrinfo(host, NULL, &hints, &ai)) != 0)
		mk_die(EX_USAGE, "%s: %s", host, gai_strerror(rc));
	memset(s, 0, sizeof(*s));
	memcpy(&s->ss, ai->ai_addr, ai->ai_addrlen);
	s->sslen = ai->ai_addrlen;
	s->portset = hash != NULL;
	freeaddrinfo(ai);
	res_server_setport(s, (uint16_t)port);
out:
	if (o->family != AF_UNSPEC && s->ss.ss_family != o->family)
		mk_die(EX_USAGE, "%s: not an IPv%c address", text,
		    o->family == AF_INET ? '4' : '6');
}

/* Servers, timeouts and query flags from the options and resolv.conf. */
static void
build_params(const struct opts *o, const struct res_conf *c,
    struct res_params *p)
{
	struct res_server	*s;
	int			 i;

	memset(p, 0, sizeof(*p));
	if (o->server != NULL) {
		server_arg(o, o->server, &p->servers[0]);
		p->nservers = 1;
	} else {
		for (i = 0; i < c->nns; i++)
			if (o->family == AF_UNSPEC ||
			    c->ns[i].ss.ss_family == o->family)
				p->servers[p->nservers++] = c->ns[i];
		if (p->nservers == 0)
			mk_die(EX_UNAVAILABLE, "no IPv%c name server in "
			    "resolv.conf", o->family == AF_INET ? '4' : '6');
		p->rotate = c->rotate;
	}
	for (i = 0; i < p->nservers; i++) {
		s = &p->servers[i];
		if (o->port != 0 && !s->portset)
			res_server_setport(s, (uint16_t)o->port);
	}
	p->timeout_ms = (int)(o->timeout != 0 ? o->timeout : c->timeout) *
	    1000;
	if (o->retries >= 0)
		p->retries = (int)o->retries;
	else
		p->retries = c->attempts > 0 ? c->attempts - 1 : 2;
	p->tcp = o->tcp;
	p->rd = !o->norec;
	p->edns = !o->noedns;
	/* A single query sends again only when asked (a batch: batch()). */
	p->rtx_ms = o->rtx > 0 ? (int)o->rtx : 0;
	p->bufsize = (uint16_t)o->bufsize;
	p->dnssec = o->dnssec;
	p->nsid = o->nsid;
}

/*
 * A non-ASCII name to its IDNA2008 ASCII form with libidn2, which is
 * loaded here, only for such a name, so a plain query never maps it.
 */
typedef int	(*idn2_to_ascii_fn)(const char *, char **, int);
typedef const char *(*idn2_strerror_fn)(int);

static int
idn_to_ascii(const char *in, char *out, size_t outsz, struct mk_err *e)
{
	enum { IDN2_NFC_INPUT = 1, IDN2_NONTRANSITIONAL = 8 };
	idn2_to_ascii_fn	 to_ascii;
	idn2_strerror_fn	 strerr;
	void			*h;
	char			*res = NULL;
	int			 rc;

	if ((h = dlopen("libidn2.so.0", RTLD_NOW | RTLD_LOCAL)) == NULL)
		return mk_seterr(e, MK_EUNAVAIL, "%s: a non-ASCII name needs "
		    "libidn2 (Debian: libidn2-0)", in);
	to_ascii = (idn2_to_ascii_fn)dlsym(h, "idn2_to_ascii_8z");
	strerr = (idn2_strerror_fn)dlsym(h, "idn2_strerror");
	if (to_ascii == NULL || strerr == NULL)
		return mk_seterr(e, MK_EUNAVAIL, "libidn2: %s", dlerror());
	rc = to_ascii(in, &res, IDN2_NFC_INPUT | IDN2_NONTRANSITIONAL);
	if (rc != 0)
		return mk_seterr(e, MK_EUSAGE, "%s: %s", in, strerr(rc));
	if (snprintf(out, outsz, "%s", res) >= (int)outsz) {
		free(res);
		return mk_seterr(e, MK_EUSAGE, "%s: name too long", in);
	}
	free(res);
	return 0;
}

/*
 * One lookup: each name of the search list in turn until one is not
 * NXDOMAIN, then show the reply.  Returns the exit status.
 */
static int
lookup(const struct opts *o, const struct res_conf *c,
    const struct res_params *p, struct res_doh *doh, const char *name,
    uint16_t qtype)
{
	struct ask		 a;
	struct res_q		*q = NULL;
	struct res_result	 r = { 0 };
	struct dns_msg		 m;
	struct mk_err		 e;
	struct mk_buf		 b;
	uint8_t			 wire[DNS_NAME_MAX];
	char			 ascii[DNS_NAME_TEXTMAX];
	char			 cand[DNS_NAME_TEXTMAX], ts[DNS_TYPE_TEXTMAX];
	const char		*err, *s;
	size_t			 wlen;
	int			 state = 0, rc, ret;

	memset(&a, 0, sizeof(a));
	a.qtype = qtype;
	for (s = name; *s != '\0' && (unsigned char)*s < 0x80; s++)
		;
	if (*s != '\0') {
		if (idn_to_ascii(name, ascii, sizeof(ascii), &e) == -1) {
			mk_warn("%s", e.msg);
			return mk_exitcode(e.st);
		}
		snprintf(a.idn, sizeof(a.idn), "%s%s", name,
		    name[strlen(name) - 1] == '.' ? "" : ".");
		name = ascii;
	}
	if (dns_name_from_text(name, wire, sizeof(wire), &wlen, &err) == -1) {
		mk_warn("%s: %s", name, err);
		return EX_USAGE;
	}
	/* Each name of the search list until one is not NXDOMAIN. */
	while ((rc = res_search_next(c, name, &state, cand,
	    sizeof(cand))) != 0) {
		if (rc == -1 || dns_name_from_text(cand, wire, sizeof(wire),
		    &wlen, &err) == -1)
			continue;	/* too long with this suffix */
		memcpy(a.text, cand, sizeof(a.text));
		if (doh != NULL) {
			if (res_doh_query(doh, p, wire, wlen, qtype, o->qclass,
			    &r, &e) == -1) {
				mk_warn("%s %s: %s", a.text,
				    dns_type_to_text(qtype, ts), e.msg);
				return mk_exitcode(e.st);
			}
			if (dns_msg_parse(r.reply, r.len, &m, &err) == 0 &&
			    m.rcode != DNS_R_NXDOMAIN)
				break;
			continue;
		}
		res_q_free(q);
		if (res_query(p, wire, wlen, qtype, o->qclass, &q, &e) == -1) {
			mk_warn("%s %s: %s", a.text,
			    dns_type_to_text(qtype, ts), e.msg);
			res_q_free(q);
			return mk_exitcode(e.st);
		}
		res_q_result(q, &r);
		if (dns_msg_parse(r.reply, r.len, &m, &err) == 0 &&
		    m.rcode != DNS_R_NXDOMAIN)
			break;
	}
	if (q == NULL && (doh == NULL || r.reply == NULL)) {
		mk_warn("%s: name too long with every search domain", name);
		return EX_USAGE;
	}
	if (doh == NULL)
		res_q_result(q, &r);
	(void)dns_msg_parse(r.reply, r.len, &m, &err);
	if (r.stats.badid + r.stats.badquestion > 0)
		mk_warn("warning: ignored %u replies with a wrong ID, %u "
		    "with a wrong question", r.stats.badid,
		    r.stats.badquestion);
	buf_init(&b, 0);
	ret = show(o, &a, &r, &m, NULL, &b);
	out_buf(&b);
	buf_free(&b);
	res_q_free(q);
	return ret;
}

/*
 * The reply in the chosen form, appended to b; input is the batch line
 * (JSON "input", --short "NAME TYPE DATA" lines) or NULL.  Returns the
 * exit status of the answer.
 */
static int
show(const struct opts *o, const struct ask *a, const struct res_result *r,
    const struct dns_msg *m, const char *input, struct mk_buf *b)
{
	switch (o->form) {
	case F_TEXT:
		show_text(a, r, m, b);
		break;
	case F_SHORT:
		show_short(m, input != NULL, b);
		break;
	case F_JSON:
		show_json(a, r, m, input, b);
		break;
	case F_DISSECT:
		show_dissect(r, m, b);
		break;
	}
	return reply_status(m);
}

/* The exit status a reply stands for. */
static int
reply_status(const struct dns_msg *m)
{
	if (m->rcode == DNS_R_NXDOMAIN)
		return 1;
	if (m->rcode != DNS_R_NOERROR)
		return EX_UNAVAILABLE;
	return m->count[DNS_S_ANSWER] == 0 ? 1 : 0;
}

/* Write b to stdout; a write error ends the program (exit 74). */
static void
out_buf(struct mk_buf *b)
{
	if (b->toobig || (b->len > 0 && fwrite(b->p, 1, b->len, stdout) !=
	    b->len))
		check_stdout();
}

static void
check_stdout(void)
{
	if (fflush(stdout) == EOF || ferror(stdout))
		mk_die(EX_IOERR, "stdout:");
}

/* Every record of one section, in zone-file form. */
static void
text_section(const struct dns_msg *m, enum dns_section sec,
    const char *title, struct mk_buf *b)
{
	struct dns_iter	 it;
	struct dns_rr	 rr;
	const char	*err;
	int		 n = 0;

	dns_iter_init(&it, m, sec);
	while (dns_rr_next(&it, &rr, &err) == 1) {
		if (rr.type == DNS_T_OPT)
			continue;
		if (n++ == 0)
			buf_printf(b, "%s;; %s SECTION:\n",
			    sec == DNS_S_QUESTION ? "" : "\n", title);
		dns_rr_to_text(m->buf, m->len, &rr, b, &err);
		buf_addc(b, '\n');
	}
}

static void
show_text(const struct ask *a, const struct res_result *r,
    const struct dns_msg *m, struct mk_buf *b)
{
	char		 t1[DNS_TYPE_TEXTMAX], t2[DNS_TYPE_TEXTMAX];
	const char	*err;

	if (a->idn[0] != '\0')
		buf_printf(b, "; IDN: %s is %s\n", a->idn, a->text);
	buf_printf(b, ";; ->>HEADER<<- opcode: %s, status: %s, id: %u\n",
	    dns_opcode_to_text(DNS_OPCODE(m->flags), t1),
	    dns_rcode_to_text(m->rcode, t2), m->id);
	buf_adds(b, ";; flags:");
	dns_flags_to_text(m->flags, b);
	buf_printf(b, "; QUERY: %u, ANSWER: %u, AUTHORITY: %u, "
	    "ADDITIONAL: %u\n", m->count[0], m->count[1], m->count[2],
	    m->count[3]);
	/* nslookup's wording, for a reply that has an answer. */
	if (m->count[DNS_S_ANSWER] > 0)
		buf_printf(b, ";; %s answer\n", m->flags & DNS_F_AA ?
		    "authoritative" : "non-authoritative");
	if ((m->flags & DNS_F_RD) && !(m->flags & DNS_F_RA))
		buf_adds(b, ";; WARNING: recursion requested but not "
		    "available\n");
	buf_addc(b, '\n');
	if (m->edns.present) {
		buf_adds(b, ";; OPT PSEUDOSECTION:\n");
		dns_edns_to_text(m, NULL, b, &err);
	}
	text_section(m, DNS_S_QUESTION, "QUESTION", b);
	text_section(m, DNS_S_ANSWER, "ANSWER", b);
	text_section(m, DNS_S_AUTHORITY, "AUTHORITY", b);
	text_section(m, DNS_S_ADDITIONAL, "ADDITIONAL", b);
	buf_printf(b, "\n;; Query time: %.1f msec\n", r->time_ms);
	buf_printf(b, ";; SERVER: %s (%s)\n", r->server, r->https ? "HTTPS" :
	    r->tcp ? "TCP" : "UDP");
	buf_printf(b, ";; MSG SIZE  rcvd: %zu\n", r->len);
}

/*
 * The rdata of each answer, one a line; with owner set (batch), each
 * line starts with the record's owner and type: "NAME TYPE DATA".
 */
static void
show_short(const struct dns_msg *m, int owner, struct mk_buf *b)
{
	struct dns_iter	 it;
	struct dns_rr	 rr;
	char		 name[DNS_NAME_TEXTMAX], ts[DNS_TYPE_TEXTMAX];
	const char	*err;

	dns_iter_init(&it, m, DNS_S_ANSWER);
	while (dns_rr_next(&it, &rr, &err) == 1) {
		if (owner) {
			if (dns_name_to_text(rr.owner, rr.ownerlen, name,
			    sizeof(name)) == -1)
				continue;
			buf_printf(b, "%s %s ", name,
			    dns_type_to_text(rr.type, ts));
		}
		dns_rdata_to_text(m->buf, m->len, &rr, b, &err);
		buf_addc(b, '\n');
	}
}

/*
 * The JSON sink: an mk_buf, except that a number written while ms_next
 * is set is a count of microseconds and comes out as milliseconds with
 * three decimals (json.h has no writer for fractions).
 */
struct jsink {
	int		 ms_next;
	struct mk_buf	*b;
};

static int
json_sink(void *arg, const char *p, size_t n)
{
	struct jsink	*js = arg;
	char		 num[48];
	long long	 us;
	const char	*errstr;

	if (js->ms_next && n < 24) {
		js->ms_next = 0;
		memcpy(num, p, n);
		num[n] = '\0';
		us = mk_strtonum(num, 0, LLONG_MAX, &errstr);
		snprintf(num, sizeof(num), "%lld.%03lld", us / 1000,
		    us % 1000);
		p = num;
		n = strlen(num);
	}
	return buf_add(js->b, p, n);
}

/*
 * show_json writes its fixed shape of object straight into the buffer
 * (a batch prints one per name, so this is the hot path); every string
 * goes through jb_str, which escapes exactly as lib/json does.
 */

static void
jb_oom(void)
{
	mk_die(EX_SOFTWARE, "out of memory");
}

/*
 * Append to b; out of memory ends the program (as a full json_w did).
 * Inline, so that the length of a literal is known when compiling.
 */
static inline void
jb_add(struct mk_buf *b, const void *p, size_t n)
{
	if (buf_add(b, p, n) == -1)
		jb_oom();
}

static inline void
jb_adds(struct mk_buf *b, const char *s)
{
	jb_add(b, s, strlen(s));
}

static inline void
jb_addc(struct mk_buf *b, int c)
{
	char	ch = (char)c;

	jb_add(b, &ch, 1);
}

/* s[0..n) as a JSON string: copied when nothing needs escaping. */
static void
jb_str(struct mk_buf *b, const char *s, size_t n)
{
	const unsigned char	*u = (const unsigned char *)s;
	size_t			 i;

	for (i = 0; i < n; i++)
		if (u[i] < 0x20 || u[i] >= 0x7f || u[i] == '"' || u[i] == '\\')
			break;
	if (i < n) {
		if (json_quote(b, s, n) == -1)
			mk_die(EX_SOFTWARE, "out of memory");
		return;
	}
	jb_addc(b, '"');
	jb_add(b, s, n);
	jb_addc(b, '"');
}

/* ,"key":"s" (or without the comma when first is set). */
static void
jb_kv_str(struct mk_buf *b, const char *key, const char *s)
{
	jb_addc(b, ',');
	jb_addc(b, '"');
	jb_adds(b, key);
	jb_adds(b, "\":");
	jb_str(b, s, strlen(s));
}

static void
jb_uint(struct mk_buf *b, unsigned long long v)
{
	char	d[MK_UTOA_MAX];

	jb_add(b, d, mk_utoa(v, d));
}

static const char *const sec_names[] = {
	"question", "answer", "authority", "additional"
};

/*
 * [records of sec] (OPT left out): objects of name, ttl, class, type
 * and data.  Also what --trace --json embeds for its answers.
 */
static void
jb_records(struct mk_buf *b, const struct dns_msg *m, enum dns_section sec,
    struct mk_buf *tmp)
{
	struct dns_iter	 it;
	struct dns_rr	 rr;
	char		 name[DNS_NAME_TEXTMAX], ts[DNS_TYPE_TEXTMAX];
	const char	*err;
	int		 n = 0;

	jb_addc(b, '[');
	dns_iter_init(&it, m, sec);
	while (dns_rr_next(&it, &rr, &err) == 1) {
		if (rr.type == DNS_T_OPT)
			continue;
		if (dns_name_to_text(rr.owner, rr.ownerlen, name,
		    sizeof(name)) == -1)
			name[0] = '\0';
		buf_reset(tmp);
		dns_rdata_to_text(m->buf, m->len, &rr, tmp, &err);
		jb_adds(b, n++ > 0 ? ",{\"name\":" : "{\"name\":");
		jb_str(b, name, strlen(name));
		jb_adds(b, ",\"ttl\":");
		jb_uint(b, rr.ttl);
		jb_kv_str(b, "class", dns_class_to_text(rr.class, ts));
		jb_kv_str(b, "type", dns_type_to_text(rr.type, ts));
		jb_adds(b, ",\"data\":");
		jb_str(b, tmp->p != NULL ? (const char *)tmp->p : "",
		    tmp->len);
		jb_addc(b, '}');
	}
	jb_addc(b, ']');
}

/* ,"name":[records of sec]. */
static void
jb_section(struct mk_buf *b, const struct dns_msg *m, enum dns_section sec,
    struct mk_buf *tmp)
{
	jb_adds(b, ",\"");
	jb_adds(b, sec_names[sec]);
	jb_adds(b, "\":");
	jb_records(b, m, sec, tmp);
}

/* ,"edns":{...} or null. */
static void
jb_edns(struct mk_buf *b, const struct dns_msg *m, struct mk_buf *tmp)
{
	struct dns_edns_opt	 o;
	const char		*err;
	size_t			 pos = 0, i;
	int			 n = 0;

	if (!m->edns.present) {
		jb_adds(b, ",\"edns\":null");
		return;
	}
	jb_adds(b, ",\"edns\":{\"version\":");
	jb_uint(b, m->edns.version);
	jb_adds(b, (m->edns.flags & DNS_EDNS_DO) ? ",\"flags\":[\"do\"]" :
	    ",\"flags\":[]");
	jb_adds(b, ",\"udp\":");
	jb_uint(b, m->edns.udpsize);
	jb_adds(b, ",\"options\":[");
	while (dns_edns_opt_next(m, &pos, &o, &err) == 1) {
		jb_adds(b, n++ > 0 ? ",{\"code\":" : "{\"code\":");
		jb_uint(b, o.code);
		buf_reset(tmp);
		for (i = 0; i < o.len; i++)
			buf_printf(tmp, "%02x", o.data[i]);
		jb_adds(b, ",\"data\":");
		jb_str(b, tmp->p != NULL ? (const char *)tmp->p : "",
		    tmp->len);
		if (o.code == DNS_O_NSID) {
			jb_adds(b, ",\"nsid\":");
			jb_str(b, (const char *)o.data, o.len);
		}
		jb_addc(b, '}');
	}
	jb_adds(b, "]}");
}

static void
show_json(const struct ask *a, const struct res_result *r,
    const struct dns_msg *m, const char *input, struct mk_buf *b)
{
	static const struct {
		uint16_t	 bit;
		const char	*name;
	} fl[] = {
		{ DNS_F_QR, "qr" }, { DNS_F_AA, "aa" }, { DNS_F_TC, "tc" },
		{ DNS_F_RD, "rd" }, { DNS_F_RA, "ra" }, { DNS_F_AD, "ad" },
		{ DNS_F_CD, "cd" }
	};
	static struct mk_buf	 tmp;	/* kept: no malloc per reply */
	char			 name[DNS_NAME_TEXTMAX], ts[DNS_TYPE_TEXTMAX];
	unsigned long long	 us;
	size_t			 i;
	int			 n = 0;

	jb_addc(b, '{');
	if (input != NULL) {
		jb_adds(b, "\"input\":");
		jb_str(b, input, strlen(input));
		jb_addc(b, ',');
	}
	jb_adds(b, "\"server\":");
	jb_str(b, r->server, strlen(r->server));
	jb_adds(b, ",\"id\":");
	jb_uint(b, m->id);
	jb_kv_str(b, "status", dns_rcode_to_text(m->rcode, ts));
	jb_adds(b, ",\"flags\":[");
	for (i = 0; i < MK_NELEM(fl); i++)
		if (m->flags & fl[i].bit) {
			jb_adds(b, n++ > 0 ? ",\"" : "\"");
			jb_adds(b, fl[i].name);
			jb_addc(b, '"');
		}
	jb_adds(b, "],\"question\":{\"name\":");
	if (m->count[DNS_S_QUESTION] > 0 && dns_name_to_text(m->q.owner,
	    m->q.ownerlen, name, sizeof(name)) != -1) {
		jb_str(b, name, strlen(name));
		jb_kv_str(b, "type", dns_type_to_text(m->q.type, ts));
		jb_kv_str(b, "class", dns_class_to_text(m->q.class, ts));
	} else {
		jb_str(b, a->text, strlen(a->text));
		jb_kv_str(b, "type", dns_type_to_text(a->qtype, ts));
	}
	if (a->idn[0] != '\0')
		jb_kv_str(b, "idn", a->idn);
	jb_addc(b, '}');
	jb_section(b, m, DNS_S_ANSWER, &tmp);
	jb_section(b, m, DNS_S_AUTHORITY, &tmp);
	jb_section(b, m, DNS_S_ADDITIONAL, &tmp);
	jb_edns(b, m, &tmp);
	/* Microseconds as milliseconds with three decimals. */
	us = (unsigned long long)(r->time_ms * 1000.0 + 0.5);
	jb_adds(b, ",\"time_ms\":");
	jb_uint(b, us / 1000);
	jb_addc(b, '.');
	jb_addc(b, (int)('0' + us / 100 % 10));
	jb_addc(b, (int)('0' + us / 10 % 10));
	jb_addc(b, (int)('0' + us % 10));
	jb_kv_str(b, "transport", r->https ? "https" : r->tcp ? "tcp" :
	    "udp");
	jb_adds(b, "}\n");
}

/*
 * Lines from lib/dns, each indented: the EDNS text of edns, or the
 * flags word of flags, when not NULL.
 */
static void
indent_lines(struct mk_buf *b, const char *indent, const struct dns_msg *edns,
    const struct dns_msg *flags)
{
	struct mk_buf	 t;
	const char	*p, *nl, *err;

	buf_init(&t, 0);
	if (edns != NULL)
		dns_edns_to_text(edns, NULL, &t, &err);
	if (flags != NULL)
		dns_flags_dissect(flags->flags, flags->rcode, &t);
	for (p = buf_str(&t); (nl = strchr(p, '\n')) != NULL; p = nl + 1)
		buf_printf(b, "%s%.*s\n", indent, (int)(nl - p), p);
	buf_free(&t);
}

/* One record field by field, with its offsets in the message. */
static void
dissect_rr(const struct dns_msg *m, const struct dns_rr *rr,
    struct mk_buf *b)
{
	char		 name[DNS_NAME_TEXTMAX], t[DNS_TYPE_TEXTMAX];
	const char	*err;

	if (dns_name_to_text(rr->owner, rr->ownerlen, name,
	    sizeof(name)) == -1)
		name[0] = '\0';
	buf_printf(b, "    [%zu..%zu] %s\n", rr->off, rr->off + rr->len - 1,
	    name);
	buf_printf(b, "        Name: %s (%zu bytes on the wire%s)\n", name,
	    rr->namewlen, rr->namewlen < rr->ownerlen ? ", compressed" : "");
	buf_printf(b, "        Type: %s (%u)\n",
	    dns_type_to_text(rr->type, t), rr->type);
	if (rr->type == DNS_T_OPT) {
		buf_printf(b, "        UDP payload size: %u\n", rr->class);
		buf_printf(b, "        Extended rcode: %u, version: %u, "
		    "flags: 0x%04x%s\n", (unsigned int)(rr->ttl >> 24),
		    (unsigned int)(rr->ttl >> 16 & 0xff),
		    (unsigned int)(rr->ttl & 0xffff),
		    rr->ttl & DNS_EDNS_DO ? " (do)" : "");
		buf_printf(b, "        Data length: %zu (at %zu)\n",
		    rr->rdlen, rr->rdoff);
		indent_lines(b, "        ", m, NULL);
		return;
	}
	buf_printf(b, "        Class: %s (%u)\n",
	    dns_class_to_text(rr->class, t), rr->class);
	if (rr->sec == DNS_S_QUESTION)
		return;
	buf_printf(b, "        Time to live: %u\n", rr->ttl);
	buf_printf(b, "        Data length: %zu (at %zu)\n", rr->rdlen,
	    rr->rdoff);
	buf_adds(b, "        Data: ");
	dns_rdata_to_text(m->buf, m->len, rr, b, &err);
	buf_addc(b, '\n');
}

static void
show_dissect(const struct res_result *r, const struct dns_msg *m,
    struct mk_buf *b)
{
	static const char *const titles[] = {
		"Queries", "Answers", "Authoritative nameservers",
		"Additional records"
	};
	struct dns_iter	 it;
	struct dns_rr	 rr;
	const char	*err;
	int		 s;

	buf_printf(b, "Message: %zu bytes from %s over %s\n", r->len,
	    r->server, r->https ? "HTTPS" : r->tcp ? "TCP" : "UDP");
	buf_printf(b, "[0..1] Transaction ID: 0x%04x (%u)\n", m->id, m->id);
	buf_printf(b, "[2..3] Flags: 0x%04x\n", m->flags);
	indent_lines(b, "    ", NULL, m);
	buf_printf(b, "[4..5] Questions: %u\n", m->count[0]);
	buf_printf(b, "[6..7] Answer RRs: %u\n", m->count[1]);
	buf_printf(b, "[8..9] Authority RRs: %u\n", m->count[2]);
	buf_printf(b, "[10..11] Additional RRs: %u\n", m->count[3]);
	for (s = DNS_S_QUESTION; s <= DNS_S_ADDITIONAL; s++) {
		if (m->count[s] == 0)
			continue;
		buf_printf(b, "%s\n", titles[s]);
		dns_iter_init(&it, m, (enum dns_section)s);
		while (dns_rr_next(&it, &rr, &err) == 1)
			dissect_rr(m, &rr, b);
	}
	if (m->end < m->len)
		buf_printf(b, "[%zu..%zu] Trailing bytes: %zu\n", m->end,
		    m->len - 1, m->len - m->end);
}

/*
 * Batch: every "NAME [TYPE]" line of stdin (or every name operand) is a
 * job.  Up to --parallel jobs have a query in flight, all driven by one
 * poll() loop over their res_q state machines.  Jobs live in a fixed
 * table of slots; in input order (the default) a finished job waits in
 * its slot until every earlier one is done, so the table is a window
 * over the input and memory stays bounded however long the input is.
 * Input is read only while a slot is free.
 *
 * Two threads share the work.  The network thread (batch() and bat_*)
 * reads the input and runs the queries; each finished job, with a copy
 * of its reply, goes in input order (in completion order with
 * --unordered) onto the hand-off ring.  The output thread (out_*)
 * formats the reply, writes it, counts it and gives the slot back.
 * Formatting is a third of the work per name, and on the other core it
 * runs beside the sockets.  Fields of a job are the network thread's
 * until the job is on the ring, then the output thread's until live is
 * cleared.
 */
struct job {
	struct ask	 a;		/* the name being asked now */
	char		 input[DNS_NAME_TEXTMAX + DNS_TYPE_TEXTMAX + 1];
	char		 name[DNS_NAME_TEXTMAX];	/* as given, ASCII */
	uint16_t	 qtype;
	int		 sstate;	/* res_search_next state */
	struct res_q	*q;		/* from bt->qfree while busy */
	int		 busy;		/* q is in flight */
	size_t		 flyix;		/* where in bt->fly, while busy */
	atomic_int	 live;		/* taken; cleared by the output side */
	int		 done;		/* the result is final */
	int		 replied;	/* r (reply in .reply) is the result */
	int		 status;	/* exit status of this name */
	int		 timedout;
	char		*err;		/* owned; the stderr line, or NULL */
	struct res_result r;		/* the reply, its bytes in reply */
	struct mk_buf	 reply;
	struct mk_buf	 out;		/* what goes to stdout */
};

#define BAT_OUTBUF	(64 * 1024)	/* stdout buffer, bytes */
#define BAT_FLUSHMS	100		/* longest a result waits in it */
#define BAT_KICK	32		/* jobs on the ring worth a wake-up */
#define BAT_KICKMS	5		/* longest they wait unseen */
#define BAT_RTXMS	100		/* --retransmit default, batch */

struct bat {
	const struct opts	*o;
	const struct res_conf	*c;
	const struct res_params	*p;
	struct job		*slot;		/* owned, nslot of them */
	size_t			 nslot;
	int			 ret;		/* input errors */
	int			 tty;		/* progress line on stderr */
	/*
	 * Slots in use: taken (by the network side) - freed (given back
	 * by the output side, a batch at a time, on a cache line of its
	 * own).
	 */
	alignas(64) atomic_size_t freed;

	/* The network thread's. */
	alignas(64) size_t	 taken;
	size_t			*fifo;		/* ordered: slots, input order */
	size_t			 fhead, flen;
	size_t			*fly;		/* owned: busy slots, inflight */
	size_t			 inflight;
	struct res_q		**qfree;	/* owned: idle queries, reused */
	size_t			 nqfree;
	struct pollfd		*pfd;		/* owned, parallel + 2 */
	size_t			*pslot;		/* slot of each pfd */
	struct mk_lr		 lr;
	int			 eof;
	char			**names;	/* name operands, or NULL */
	int			 nnames, iname;
	unsigned long long	 nin;

	/*
	 * The hand-off: a ring with one writer and one reader, no lock.
	 * Entry i (of the jobs handed over so far) is ring[i % nslot]; the
	 * ring never holds more than the slots in use.
	 */
	size_t			*ring;		/* owned: slots, nslot */
	size_t			 rput;		/* ring entries written */
	int64_t			 tkick;		/* ms, last wake-up */
	pthread_t		 th;
	int			 evfd;		/* eventfd: a slot came back */
	int			 evout;		/* eventfd: jobs for the output */
	alignas(64) atomic_size_t rtail;	/* entries handed over */
	atomic_int		 idle;		/* no query in flight */
	atomic_int		 closing;	/* no more jobs will come */
	alignas(64) atomic_size_t rhead;	/* entries taken, by the output */
	atomic_int		 owait;		/* the output side sleeps */
	alignas(64) atomic_int	 slotwait;	/* the network side waits */

	/* The output thread's. */
	alignas(64) int		 oret;
	unsigned long long	 ndone, nfail, ntimeout, nprinted;
	int64_t			 t0, tprog;	/* ms */
	int64_t			 tflush;	/* ms, stdout last flushed */
	int			 unflushed;	/* stdout holds results */
	int			 progshown;
};

static size_t	bat_live(struct bat *);
static int	bat_read(struct bat *, struct job *);
static int	bat_input_ready(struct bat *);
static void	bat_start(struct bat *, size_t);
static void	bat_query(struct bat *, struct job *);
static void	bat_finish(struct bat *, struct job *, const struct mk_err *);
static void	bat_release(struct bat *, struct job *);
static void	bat_step(struct bat *, struct job *, short);
static void	bat_emit(struct bat *, struct job *);
static int	bat_kick(struct bat *, int);
static void	bat_wait(struct bat *, int, int);
static void	job_error(struct bat *, struct job *, int, const char *,
		    const char *);
static void	job_note(struct job *, const char *);
static void	*out_main(void *);
static void	out_job(struct bat *, struct job *);
static void	out_freed(struct bat *, size_t);
static void	out_sync(struct bat *);
static void	out_progress(struct bat *, int);

/*
 * The next job from the operands or stdin into j: 1, 0 at the end of
 * the input, -1 for a line to skip (reported).
 */
static int
bat_read(struct bat *bt, struct job *j)
{
	const struct opts	*o = bt->o;
	const uint8_t		*line;
	const char		*tt;
	struct mk_err		 e;
	char			 buf[1100], *name, *type, *extra, *sp, *s;
	char			 ts[DNS_TYPE_TEXTMAX];
	size_t			 len;
	int			 flags, rc;
	uint16_t		 t;

	if (bt->names != NULL) {
		if (bt->iname >= bt->nnames)
			return 0;
		snprintf(buf, sizeof(buf), "%s", bt->names[bt->iname++]);
		name = buf;
		type = buf + strlen(buf);
	} else {
		if ((rc = lr_next(&bt->lr, &line, &len, &flags, &e)) == 0)
			return 0;
		if (rc == -1) {
			mk_warn("stdin: %s", e.msg);
			bt->ret = MAXI(bt->ret, mk_exitcode(e.st));
			return 0;
		}
		/* A NUL would cut the name short, a CR LF go on a line. */
		if (has_ctl(line, len)) {
			mk_warn("stdin: a control character in a line (in a "
			    "name, write it as \\DDD)");
			bt->ret = MAXI(bt->ret, EX_DATAERR);
			return -1;
		}
		memcpy(buf, line, len);
		buf[len] = '\0';
		for (sp = buf; *sp != '\0'; sp++)
			if (*sp == '\t' || *sp == '\r')
				*sp = ' ';
		name = buf + strspn(buf, " ");
		if (*name == '\0' || *name == '#')
			return -1;
		type = name + strcspn(name, " ");
		if (*type != '\0')
			*type++ = '\0';
		type += strspn(type, " ");
		extra = type + strcspn(type, " ");
		if (*extra != '\0')
			*extra = '\0';
	}
	t = o->qtype;
	if (*type != '\0' && (dns_type_from_text(type, &t) == -1 ||
	    t == DNS_T_AXFR || t == DNS_T_IXFR || t == DNS_T_OPT)) {
		mk_warn("%s: unknown type", type);
		bt->ret = MAXI(bt->ret, EX_USAGE);
		return -1;
	}
	memset(&j->a, 0, sizeof(j->a));
	j->qtype = t;
	j->a.qtype = t;
	/* "NAME TYPE", the name cut at 1000 bytes (no printf: per name). */
	len = MINI(strlen(name), 1000);
	memcpy(j->input, name, len);
	j->input[len++] = ' ';
	tt = dns_type_to_text(t, ts);
	memcpy(j->input + len, tt, MINI(strlen(tt) + 1,
	    sizeof(j->input) - len));
	j->input[sizeof(j->input) - 1] = '\0';
	for (s = name; *s != '\0' && (unsigned char)*s < 0x80; s++)
		;
	if (*s != '\0') {
		if (idn_to_ascii(name, j->name, sizeof(j->name), &e) == -1) {
			job_error(bt, j, mk_exitcode(e.st), "ERROR", e.msg);
			return 1;
		}
		snprintf(j->a.idn, sizeof(j->a.idn), "%.1000s%s", name,
		    name[strlen(name) - 1] == '.' ? "" : ".");
	} else {
		len = MINI(strlen(name), 1000);
		memcpy(j->name, name, len);
		j->name[len] = '\0';
	}
	return 1;
}

/*
 * Nonzero if reading the next line will not block: a whole line waits
 * in the reader, or stdin polls readable.  Operands are always ready.
 */
static int
bat_input_ready(struct bat *bt)
{
	struct mk_lr	*lr = &bt->lr;
	struct pollfd	 pfd;
	size_t		 off, avail;

	if (bt->names != NULL || lr->eof)
		return 1;
	off = lr->start + lr->used;
	avail = lr->in.len > off ? lr->in.len - off : 0;
	if (avail > 0 && memchr(lr->in.p + off, '\n', avail) != NULL)
		return 1;
	pfd.fd = lr->fd;
	pfd.events = POLLIN;
	return poll(&pfd, 1, 0) == 1;
}

/* The stderr line of j: "NAME TYPE: msg". */
static void
job_note(struct job *j, const char *msg)
{
	char	line[DNS_NAME_TEXTMAX + 400];

	snprintf(line, sizeof(line), "%s: %s", j->input, msg);
	free(j->err);
	j->err = mk_xstrdup(line);
}

/* A per-name failure: the stderr line, and for JSON an object. */
static void
job_error(struct bat *bt, struct job *j, int status, const char *what,
    const char *msg)
{
	struct json_w	 w;
	struct mk_err	 e;

	job_note(j, msg);
	j->status = status;
	j->done = 1;
	if (bt->o->form != F_JSON)
		return;
	json_init_buf(&w, &j->out, 0);
	json_obj_begin(&w);
	json_kv_str(&w, "input", j->input);
	json_kv_str(&w, "status", what);
	json_kv_str(&w, "error", msg);
	json_obj_end(&w);
	json_end_document(&w);
	if (json_error(&w, &e) == -1)
		mk_fail(&e);
}

/* Slots in use (taken, not yet given back). */
static size_t
bat_live(struct bat *bt)
{
	return bt->taken - atomic_load(&bt->freed);
}

/* Take slot k for the next input line and send its first query. */
static void
bat_start(struct bat *bt, size_t k)
{
	struct job	*j = &bt->slot[k];
	int		 rc;

	j->done = 0;
	j->replied = 0;
	j->status = 0;
	j->timedout = 0;
	j->sstate = 0;
	while ((rc = bat_read(bt, j)) == -1)
		;
	if (rc == 0) {
		bt->eof = 1;
		return;
	}
	bt->nin++;
	/* Only this side reads it back: no fence needed. */
	atomic_store_explicit(&j->live, 1, memory_order_relaxed);
	bt->taken++;
	if (!bt->o->unordered)
		bt->fifo[(bt->fhead + bt->flen++) % bt->nslot] = k;
	if (j->err == NULL)
		bat_query(bt, j);
	if (j->done)
		bat_emit(bt, j);
}

/*
 * Send the query for the next name of j's search list, or finish j when
 * there is none.
 */
static void
bat_query(struct bat *bt, struct job *j)
{
	struct mk_err	 e;
	uint8_t		 wire[DNS_NAME_MAX];
	const char	*err;
	size_t		 wlen;
	int		 rc;

	if (dns_name_from_text(j->name, wire, sizeof(wire), &wlen,
	    &err) == -1) {
		job_error(bt, j, EX_USAGE, "ERROR", err);
		return;
	}
	while ((rc = res_search_next(bt->c, j->name, &j->sstate, j->a.text,
	    sizeof(j->a.text))) != 0) {
		if (rc == 1 && dns_name_from_text(j->a.text, wire,
		    sizeof(wire), &wlen, &err) != -1)
			break;
	}
	if (rc == 0) {
		job_error(bt, j, EX_USAGE, "ERROR",
		    "name too long with every search domain");
		return;
	}
	/*
	 * At most --parallel queries exist, each reset for the next name:
	 * no malloc and (UDP) no new socket per name.
	 */
	if (bt->nqfree == 0) {
		if ((j->q = res_q_new(bt->p, wire, wlen, j->qtype,
		    bt->o->qclass, &e)) == NULL)
			mk_fail(&e);
	} else {
		j->q = bt->qfree[--bt->nqfree];
		if (res_q_reset(j->q, wire, wlen, j->qtype, bt->o->qclass,
		    &e) == -1)
			mk_fail(&e);
	}
	j->busy = 1;
	j->flyix = bt->inflight;
	bt->fly[bt->inflight++] = (size_t)(j - bt->slot);
	if (res_q_start(j->q, &e) == RES_Q_FAIL)
		bat_finish(bt, j, &e);
}

/*
 * j's query ended: a reply (e NULL) or a failure.  NXDOMAIN moves on to
 * the next name of the search list; anything else is j's result, and
 * the reply is copied for the output side (q is reused at once).
 */
static void
bat_finish(struct bat *bt, struct job *j, const struct mk_err *e)
{
	struct res_result	 r;
	struct dns_msg		 m;
	const char		*err;

	res_q_result(j->q, &r);
	if (e == NULL) {
		/* res read only the header (lazy): parse when it counts. */
		if ((r.reply[3] & 0x0f) == DNS_R_NXDOMAIN &&
		    j->name[0] != '\0' &&
		    j->name[strlen(j->name) - 1] != '.' &&
		    j->sstate <= bt->c->nsearch &&
		    dns_msg_parse(r.reply, r.len, &m, &err) == 0 &&
		    m.rcode == DNS_R_NXDOMAIN) {
			bat_release(bt, j);
			bat_query(bt, j);
			return;
		}
		buf_reset(&j->reply);
		if (buf_add(&j->reply, r.reply, r.len) == -1)
			mk_die(EX_SOFTWARE, "out of memory");
		j->r = r;
		j->r.reply = j->reply.p;
		j->replied = 1;
		j->done = 1;
	} else {
		j->timedout = e->st == MK_ETEMP;
		job_error(bt, j, mk_exitcode(e->st), e->st == MK_ETEMP ?
		    "TIMEOUT" : e->st == MK_EUNAVAIL ? "SERVFAIL" : "ERROR",
		    e->msg);
	}
	bat_release(bt, j);
	bat_emit(bt, j);
}

/* j's query is over: keep it for the next name. */
static void
bat_release(struct bat *bt, struct job *j)
{
	size_t	last;

	bt->qfree[bt->nqfree++] = j->q;
	j->q = NULL;
	j->busy = 0;
	last = bt->fly[--bt->inflight];
	bt->fly[j->flyix] = last;
	bt->slot[last].flyix = j->flyix;
}

/* poll() said revents for j's socket, or its deadline passed (0). */
static void
bat_step(struct bat *bt, struct job *j, short revents)
{
	struct mk_err	e;
	int		rc;

	rc = res_q_step(j->q, revents, &e);
	if (rc == RES_Q_DONE)
		bat_finish(bt, j, NULL);
	else if (rc == RES_Q_FAIL)
		bat_finish(bt, j, &e);
}

/*
 * j is done: hand it over now (--unordered), or hand over the done jobs
 * at the head of the input-order queue.
 */
static void
bat_emit(struct bat *bt, struct job *j)
{
	size_t	k;

	if (bt->o->unordered)
		bt->ring[bt->rput++ % bt->nslot] = (size_t)(j - bt->slot);
	while (bt->flen > 0 && bt->slot[k = bt->fifo[bt->fhead]].done) {
		bt->fhead = (bt->fhead + 1) % bt->nslot;
		bt->flen--;
		bt->ring[bt->rput++ % bt->nslot] = k;
	}
	atomic_store(&bt->idle, bt->inflight == 0);
	/* The entries, then their count: the output side reads in turn. */
	atomic_store(&bt->rtail, bt->rput);
	bat_kick(bt, bt->inflight == 0);
}

/*
 * Wake the output thread if it sleeps and jobs wait for it: at once
 * when now is set (the network side is idle or done) or BAT_KICK jobs
 * wait, else at most every BAT_KICKMS, so that one wake-up serves many
 * jobs.  The output side says it sleeps, then looks at rtail again; this
 * side wrote rtail, then looks at owait (both sequentially consistent):
 * one of them sees the other.  Returns 1 if jobs wait unseen: the caller
 * comes back within BAT_KICKMS.
 */
static int
bat_kick(struct bat *bt, int now)
{
	uint64_t	one = 1;
	size_t		wait;
	int64_t		t = 0;

	if (!atomic_load(&bt->owait))
		return 0;
	wait = bt->rput - atomic_load(&bt->rhead);
	if (wait == 0 && !now)
		return 0;
	if (now || wait >= BAT_KICK ||
	    (t = res_now_ms()) - bt->tkick >= BAT_KICKMS) {
		bt->tkick = t != 0 ? t : res_now_ms();
		/* An eventfd write fails only when it is full: awake anyway. */
		if (atomic_exchange(&bt->owait, 0) &&
		    write(bt->evout, &one, sizeof(one)) == -1)
			one = 0;
		return 0;
	}
	return 1;
}

/*
 * Wait for the sockets of the jobs in flight, stdin (want_input: a
 * slot is free and a line is not ready) and, when every slot is taken
 * (full), for the output thread to give one back; then step each job
 * that is ready or past its deadline.
 */
static void
bat_wait(struct bat *bt, int want_input, int full)
{
	struct job	*j;
	int64_t		 deadline, dl = INT64_MAX, now;
	size_t		 i, n = 0, k;
	uint64_t	 v;
	short		 ev;
	int		 fd, rc, wait;

	for (i = 0; i < bt->inflight; i++) {
		k = bt->fly[i];
		j = &bt->slot[k];
		res_q_want(j->q, &fd, &ev, &deadline);
		bt->pfd[n].fd = fd;
		bt->pfd[n].events = ev;
		bt->pfd[n].revents = 0;
		bt->pslot[n++] = k;
		dl = deadline < dl ? deadline : dl;
	}
	if (want_input) {
		bt->pfd[n].fd = bt->lr.fd;
		bt->pfd[n].events = POLLIN;
		bt->pfd[n].revents = 0;
		bt->pslot[n++] = SIZE_MAX;
	}
	/*
	 * Say we wait for a slot, then look again: either the output side
	 * sees the flag, or this sees its slot (both sequentially
	 * consistent), so the eventfd wake-up cannot be missed.
	 */
	if (full) {
		atomic_store(&bt->slotwait, 1);
		bt->pfd[n].fd = bt->evfd;
		bt->pfd[n].events = POLLIN;
		bt->pfd[n].revents = 0;
		bt->pslot[n++] = SIZE_MAX - 1;
	}
	now = res_now_ms();
	wait = dl == INT64_MAX ? -1 : dl <= now ? 0 : (int)MINI(dl - now,
	    INT_MAX);
	if (full && bat_live(bt) < bt->nslot)
		wait = 0;
	if (wait != 0 && bat_kick(bt, 0))
		wait = wait == -1 || wait > BAT_KICKMS ? BAT_KICKMS : wait;
	rc = poll(bt->pfd, n, wait);
	if (rc == -1 && errno != EINTR)
		mk_die(EX_SOFTWARE, "poll:");
	now = res_now_ms();
	for (i = 0; i < n; i++) {
		if (bt->pslot[i] == SIZE_MAX - 1) {
			/* Nonblocking; nothing to read is no harm. */
			if (rc > 0 && bt->pfd[i].revents != 0 &&
			    read(bt->evfd, &v, sizeof(v)) == -1)
				v = 0;
			continue;
		}
		if (bt->pslot[i] == SIZE_MAX)
			continue;
		j = &bt->slot[bt->pslot[i]];
		if (!j->busy)
			continue;
		if (rc > 0 && bt->pfd[i].revents != 0)
			bat_step(bt, j, bt->pfd[i].revents);
		else {
			res_q_want(j->q, &fd, &ev, &deadline);
			if (deadline <= now)
				bat_step(bt, j, 0);
		}
	}
}

/*
 * The output thread: take the jobs on the ring, a batch at a time,
 * and print them; sleep while there are none, waking to flush stdout
 * BAT_FLUSHMS after a result or to redraw the progress line.
 */
static void *
out_main(void *arg)
{
	struct bat	*bt = arg;
	struct pollfd	 pfd;
	size_t		 take[64], i, n, head = 0, tail;
	int64_t		 now, until;
	uint64_t	 v;

	for (;;) {
		tail = atomic_load(&bt->rtail);
		if (tail == head) {
			/* Closing after the last entry: read rtail again. */
			if (atomic_load(&bt->closing)) {
				if (atomic_load(&bt->rtail) == head)
					break;
				continue;
			}
			/* Results reach a pipe as they complete. */
			if (bt->unflushed && (atomic_load(&bt->idle) ||
			    bt->tty)) {
				out_sync(bt);
				continue;
			}
			/* Say so, then look again (see bat_kick). */
			atomic_store(&bt->owait, 1);
			if (atomic_load(&bt->rtail) != head ||
			    atomic_load(&bt->closing)) {
				atomic_store(&bt->owait, 0);
				continue;
			}
			now = res_now_ms();
			until = -1;
			if (bt->unflushed)
				until = bt->tflush + BAT_FLUSHMS;
			if (bt->tty && (until == -1 || until > bt->tprog + 200))
				until = bt->tprog + 200;
			pfd.fd = bt->evout;
			pfd.events = POLLIN;
			if (until == -1 || until > now)
				(void)poll(&pfd, 1, until == -1 ? -1 :
				    (int)(until - now));
			if (read(bt->evout, &v, sizeof(v)) == -1)
				v = 0;	/* nonblocking: no wake-up came */
			atomic_store(&bt->owait, 0);
			if (bt->unflushed && res_now_ms() - bt->tflush >=
			    BAT_FLUSHMS)
				out_sync(bt);
			out_progress(bt, 0);
			continue;
		}
		n = MINI(tail - head, MK_NELEM(take));
		for (i = 0; i < n; i++)
			take[i] = bt->ring[(head + i) % bt->nslot];
		head += n;
		atomic_store(&bt->rhead, head);
		for (i = 0; i < n; i++)
			out_job(bt, &bt->slot[take[i]]);
		out_freed(bt, n);
		if (bt->unflushed && res_now_ms() - bt->tflush >= BAT_FLUSHMS)
			out_sync(bt);
		out_progress(bt, 0);
	}
	return NULL;
}

/*
 * Format j's reply (if the network side left one), count j, print it
 * (its stderr line first) and give its slot back.
 */
static void
out_job(struct bat *bt, struct job *j)
{
	struct dns_msg	 m;
	struct mk_err	 e;
	char		 rc[DNS_TYPE_TEXTMAX];

	if (j->replied) {
		if (res_parse(j->r.reply, j->r.len, j->r.server, &m,
		    &e) == 0) {
			j->status = show(bt->o, &j->a, &j->r, &m, j->input,
			    &j->out);
			/* --short shows no such name: say why on stderr. */
			if (j->status != 0 && bt->o->form == F_SHORT)
				job_note(j, m.rcode == DNS_R_NOERROR ?
				    "no records (NODATA)" :
				    dns_rcode_to_text(m.rcode, rc));
		} else
			job_error(bt, j, mk_exitcode(e.st), "ERROR", e.msg);
	}
	bt->ndone++;
	if (j->status != 0)
		bt->nfail++;
	if (j->timedout)
		bt->ntimeout++;
	bt->oret = MAXI(bt->oret, j->status);
	if (j->err != NULL) {
		out_progress(bt, -1);
		fflush(stdout);
		mk_warn("%s", j->err);
		free(j->err);
		j->err = NULL;
	}
	if (bt->o->form == F_TEXT && j->out.len > 0 && bt->nprinted++ > 0)
		fputc('\n', stdout);
	out_buf(&j->out);
	buf_reset(&j->out);
	bt->unflushed = 1;
	/* Everything done to j happens before the network side sees 0. */
	atomic_store_explicit(&j->live, 0, memory_order_release);
}

/*
 * n slots were given back: count them, and wake the network side if it
 * waits for one.
 */
static void
out_freed(struct bat *bt, size_t n)
{
	uint64_t	one = 1;

	atomic_fetch_add(&bt->freed, n);
	/* An eventfd write fails only when it is full: awake anyway. */
	if (atomic_exchange(&bt->slotwait, 0) &&
	    write(bt->evfd, &one, sizeof(one)) == -1)
		one = 0;
}

/* Flush stdout (exit 74 on a write error). */
static void
out_sync(struct bat *bt)
{
	check_stdout();
	bt->unflushed = 0;
	bt->tflush = res_now_ms();
}

/*
 * The progress line on stderr, only when it is a terminal: at most
 * five times a second, or now (force 1), or erased (force -1).
 */
static void
out_progress(struct bat *bt, int force)
{
	int64_t	now;
	double	secs;

	if (!bt->tty)
		return;
	if (force == -1) {
		if (bt->progshown)
			fputs("\r\033[K", stderr);
		bt->progshown = 0;
		return;
	}
	now = res_now_ms();
	if (!force && now - bt->tprog < 200)
		return;
	bt->tprog = now;
	secs = (double)(now - bt->t0) / 1000.0;
	fprintf(stderr, "\r\033[K%s: %llu done, %.0f/s, %llu failed",
	    mk_getprogname(), bt->ndone, secs > 0 ? (double)bt->ndone / secs :
	    0.0, bt->nfail);
	bt->progshown = 1;
}

/*
 * Resolve every name of the batch.  The exit status is the largest of
 * any name: 0 all answered, 1 some not found, 75 some timed out, ...
 */
static int
batch(const struct opts *o, const struct res_conf *c,
    const struct res_params *p, char **names, int nnames)
{
	static char		 outbuf[BAT_OUTBUF];
	static struct res_params lp;	/* p, lazy, with rtx_ms */
	struct bat		 bt;
	size_t			 k, par = (size_t)o->parallel;
	int			 want, full, rc;

	lp = *p;
	lp.lazy = 1;
	lp.rtx_ms = o->rtx >= 0 ? (int)o->rtx : BAT_RTXMS;
	memset(&bt, 0, sizeof(bt));
	bt.o = o;
	bt.c = c;
	bt.p = &lp;
	bt.names = names;
	bt.nnames = nnames;
	/* In order, a slow name holds its slot: leave room behind it. */
	bt.nslot = o->unordered ? par : par * 8;
	bt.slot = calloc(bt.nslot, sizeof(*bt.slot));
	bt.fifo = calloc(bt.nslot, sizeof(*bt.fifo));
	bt.ring = calloc(bt.nslot, sizeof(*bt.ring));
	bt.pfd = calloc(par + 2, sizeof(*bt.pfd));
	bt.pslot = calloc(par + 2, sizeof(*bt.pslot));
	bt.qfree = calloc(par, sizeof(*bt.qfree));
	bt.fly = calloc(par, sizeof(*bt.fly));
	if (bt.fly == NULL || bt.slot == NULL || bt.fifo == NULL ||
	    bt.ring == NULL ||
	    bt.pfd == NULL || bt.pslot == NULL || bt.qfree == NULL)
		mk_die(EX_SOFTWARE, "out of memory");
	for (k = 0; k < bt.nslot; k++) {
		buf_init(&bt.slot[k].out, 0);
		buf_init(&bt.slot[k].reply, 0);
	}
	lr_init(&bt.lr, STDIN_FILENO, 1024);
	/*
	 * Large writes: nothing was printed yet, so the buffer may change.
	 * glibc ignores the size unless it is given the buffer too.
	 */
	(void)setvbuf(stdout, outbuf, _IOFBF, sizeof(outbuf));
	bt.tty = isatty(STDERR_FILENO);
	bt.t0 = res_now_ms();
	atomic_store(&bt.idle, 1);
	if ((bt.evfd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)) == -1 ||
	    (bt.evout = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)) == -1)
		mk_die(EX_OSERR, "eventfd:");
	if ((rc = pthread_create(&bt.th, NULL, out_main, &bt)) != 0)
		mk_die(EX_OSERR, "cannot start the output thread: %s",
		    strerror(rc));
	k = 0;
	for (;;) {
		/* Fill free slots while queries may go out. */
		while (!bt.eof && bt.inflight < par &&
		    bat_live(&bt) < bt.nslot &&
		    (bt.inflight == 0 || bat_input_ready(&bt))) {
			while (atomic_load_explicit(&bt.slot[k].live,
			    memory_order_acquire))
				k = (k + 1) % bt.nslot;
			bat_start(&bt, k);
		}
		/* Done when every job is answered and handed over. */
		if (bt.eof && bt.inflight == 0 && bt.flen == 0)
			break;
		full = !bt.eof && bat_live(&bt) >= bt.nslot;
		want = !bt.eof && bt.inflight < par && !full &&
		    bt.names == NULL;
		bat_wait(&bt, want, full);
	}
	atomic_store(&bt.idle, 1);
	atomic_store(&bt.closing, 1);
	bat_kick(&bt, 1);
	if ((rc = pthread_join(bt.th, NULL)) != 0)
		mk_die(EX_SOFTWARE, "pthread_join: %s", strerror(rc));
	out_sync(&bt);
	out_progress(&bt, -1);
	close(bt.evfd);
	close(bt.evout);
	for (k = 0; k < bt.nslot; k++) {
		buf_free(&bt.slot[k].out);
		buf_free(&bt.slot[k].reply);
	}
	while (bt.nqfree > 0)
		res_q_free(bt.qfree[--bt.nqfree]);
	free(bt.qfree);
	free(bt.fly);
	lr_free(&bt.lr);
	free(bt.slot);
	free(bt.fifo);
	free(bt.ring);
	free(bt.pfd);
	free(bt.pslot);
	if (bt.ntimeout > 0)
		mk_warn("%llu of %llu names timed out", bt.ntimeout, bt.nin);
	return MAXI(bt.ret, bt.oret);
}

/*
 * A batch over HTTPS: one name after the other on the one connection
 * of doh (HTTP/2 or keep-alive), each through the search list, printed
 * as it completes (so in input order).
 */
static int
batch_doh(const struct opts *o, const struct res_conf *c,
    const struct res_params *p, struct res_doh *doh)
{
	struct bat		 bt;
	struct job		*j;
	struct res_result	 r;
	struct dns_msg		 m;
	struct mk_err		 e;
	uint8_t			 wire[DNS_NAME_MAX];
	const char		*err;
	size_t			 wlen;
	int			 rc, ok;

	memset(&bt, 0, sizeof(bt));
	bt.o = o;
	bt.c = c;
	bt.p = p;
	bt.names = o->names;
	bt.nnames = o->nnames;
	bt.nslot = 1;
	lr_init(&bt.lr, STDIN_FILENO, 1024);
	j = bt.slot = mk_xmalloc(sizeof(*j));
	memset(j, 0, sizeof(*j));
	buf_init(&j->out, 0);
	buf_init(&j->reply, 0);
	for (;;) {
		j->done = j->status = j->timedout = j->sstate = 0;
		j->replied = 0;
		if ((rc = bat_read(&bt, j)) == 0)
			break;
		if (rc == -1)
			continue;
		ok = 0;
		while (j->err == NULL && (rc = res_search_next(c, j->name,
		    &j->sstate, j->a.text, sizeof(j->a.text))) != 0) {
			if (rc == -1 || dns_name_from_text(j->a.text, wire,
			    sizeof(wire), &wlen, &err) == -1)
				continue;
			if (res_doh_query(doh, p, wire, wlen, j->qtype,
			    o->qclass, &r, &e) == -1) {
				j->timedout = e.st == MK_ETEMP;
				job_error(&bt, j, mk_exitcode(e.st),
				    e.st == MK_ETEMP ? "TIMEOUT" :
				    e.st == MK_EUNAVAIL ? "SERVFAIL" : "ERROR",
				    e.msg);
				break;
			}
			(void)dns_msg_parse(r.reply, r.len, &m, &err);
			ok = 1;
			if (m.rcode != DNS_R_NXDOMAIN)
				break;
		}
		if (ok && j->err == NULL) {
			j->status = show(o, &j->a, &r, &m, j->input, &j->out);
			if (j->status != 0 && o->form == F_SHORT)
				job_note(j, m.rcode == DNS_R_NXDOMAIN ?
				    "NXDOMAIN" : "no records (NODATA)");
		} else if (j->err == NULL)
			job_error(&bt, j, EX_USAGE, "ERROR", "bad name");
		j->done = 1;
		out_job(&bt, j);
		out_sync(&bt);
	}
	lr_free(&bt.lr);
	buf_free(&j->out);
	buf_free(&j->reply);
	free(j);
	return MAXI(bt.ret, bt.oret);
}

/*
 * --trace: iterative resolution from the root through lib/iter, one
 * name after the other (a batch shares the cache).  Each step is shown
 * as it happens: text lines on stdout, or, with --json, one object per
 * name with the steps as an array.
 */
struct tr {
	const struct opts	*o;
	struct mk_buf		 out;		/* text: one step; JSON: all */
	struct mk_buf		 ans;		/* text: the answer records */
	struct json_w		 w;
	struct jsink		 js;
	struct mk_buf		 tmp;
	struct mk_buf		 rec;		/* JSON: records as jb_records */
};

static void	tr_records(struct mk_buf *, const char *, const uint8_t *,
		    size_t, enum dns_section);
static const char *wtext(const uint8_t *, size_t, char *);
static void	tr_deleg_text(struct mk_buf *, const char *,
		    const struct iter_deleg *);
static void	tr_step_text(struct tr *, const struct iter_step *);
static void	tr_records_json(struct tr *, const uint8_t *, size_t,
		    enum dns_section);
static void	tr_step_json(struct tr *, const struct iter_step *);
static void	tr_step(void *, const struct iter_step *);
static void	tr_answer_json(struct tr *);
static int	trace_one(struct iter *, struct tr *, const char *,
		    const char *, uint16_t);
static void	trace_hints(const struct opts *, uint16_t,
		    struct iter_deleg *);

static const char *const kind_names[] = {
	"answer", "cname", "nxdomain", "nodata", "referral", "lame"
};

/* The records of one section of msg as text lines, each indented. */
static void
tr_records(struct mk_buf *b, const char *indent, const uint8_t *msg,
    size_t len, enum dns_section sec)
{
	struct dns_msg	 m;
	struct dns_iter	 it;
	struct dns_rr	 rr;
	const char	*err;

	if (msg == NULL || dns_msg_parse(msg, len, &m, &err) == -1)
		return;
	dns_iter_init(&it, &m, sec);
	while (dns_rr_next(&it, &rr, &err) == 1) {
		if (rr.type == DNS_T_OPT)
			continue;
		buf_adds(b, indent);
		dns_rr_to_text(m.buf, m.len, &rr, b, &err);
		buf_addc(b, '\n');
	}
}

/* A name in wire form as text, into buf (DNS_NAME_TEXTMAX bytes). */
static const char *
wtext(const uint8_t *w, size_t len, char *buf)
{
	if (w == NULL || dns_name_to_text(w, len, buf, DNS_NAME_TEXTMAX) == -1)
		snprintf(buf, DNS_NAME_TEXTMAX, "?");
	return buf;
}

/* The NS set of a referral, one server a line with its addresses. */
static void
tr_deleg_text(struct mk_buf *b, const char *indent,
    const struct iter_deleg *d)
{
	char	n1[DNS_NAME_TEXTMAX], n2[DNS_NAME_TEXTMAX];
	int	i, k;

	for (i = 0; i < d->nns; i++) {
		buf_printf(b, "%s%s NS %s", indent, wtext(d->zone, d->zonelen,
		    n1), wtext(d->ns[i].name, d->ns[i].namelen, n2));
		for (k = 0; k < d->ns[i].naddr; k++)
			buf_printf(b, "%s%.*s", k == 0 ? " (" : ", ",
			    (int)strcspn(d->ns[i].addr[k].text, "#"),
			    d->ns[i].addr[k].text);
		buf_adds(b, d->ns[i].naddr > 0 ? ")\n" : " (no glue)\n");
	}
}

static void
tr_step_text(struct tr *t, const struct iter_step *s)
{
	struct mk_buf	*b = &t->out;
	char		 q[DNS_NAME_TEXTMAX], z[DNS_NAME_TEXTMAX];
	char		 ns[DNS_NAME_TEXTMAX], ts[DNS_TYPE_TEXTMAX];
	char		 ind[2 * ITER_MAXDEPTH + 8];
	const struct iter_class *c = s->c;

	snprintf(ind, sizeof(ind), "%*s", 2 * s->depth, "");
	buf_reset(b);
	buf_printf(b, "%s%s %s at ", ind, wtext(s->qname, s->qnamelen, q),
	    dns_type_to_text(s->qtype, ts));
	if (s->cached)
		buf_printf(b, "%s (cached): ", wtext(s->zone, s->zonelen, z));
	else if (s->addr == NULL)
		buf_printf(b, "a server of %s: ", wtext(s->zone, s->zonelen,
		    z));
	else
		buf_printf(b, "%s (%s) for %s: ", wtext(s->nsname,
		    s->nsnamelen, ns), s->addr, wtext(s->zone, s->zonelen,
		    z));
	if (s->failed) {
		buf_printf(b, "%s, next server\n", s->err);
		goto out;
	}
	switch (c->kind) {
	case ITER_REFERRAL:
		buf_printf(b, "referral to %s", wtext(c->deleg.zone,
		    c->deleg.zonelen, z));
		break;
	case ITER_CNAME:
		buf_printf(b, "CNAME to %s", wtext(c->target, c->targetlen,
		    z));
		break;
	case ITER_LAME:
		buf_printf(b, "lame (%s), next server", c->why);
		break;
	case ITER_ANSWER:
		buf_adds(b, "answer");
		break;
	case ITER_NXDOMAIN:
		buf_adds(b, "NXDOMAIN");
		break;
	case ITER_NODATA:
		buf_adds(b, "no records (NODATA)");
		break;
	}
	if (!s->cached)
		buf_printf(b, " in %.1f ms", s->time_ms);
	buf_addc(b, '\n');
	snprintf(ind, sizeof(ind), "%*s", 2 * s->depth + 4, "");
	if (c->kind == ITER_REFERRAL)
		tr_deleg_text(b, ind, &c->deleg);
	if (c->kind == ITER_ANSWER || c->kind == ITER_CNAME) {
		tr_records(b, ind, s->reply, s->len, DNS_S_ANSWER);
		if (s->depth == 0)
			tr_records(&t->ans, "", s->reply, s->len,
			    DNS_S_ANSWER);
	}
	if (c->ignored > 0)
		buf_printf(b, "%s(ignored %d records out of bailiwick)\n",
		    ind, c->ignored);
out:
	out_buf(b);
	check_stdout();
}

/* The records of a section as JSON objects (as --json shows them). */
static void
tr_records_json(struct tr *t, const uint8_t *msg, size_t len,
    enum dns_section sec)
{
	struct dns_msg	 m;
	const char	*err;

	json_key(&t->w, sec_names[sec]);
	if (msg == NULL || dns_msg_parse(msg, len, &m, &err) == -1) {
		json_arr_begin(&t->w);
		json_arr_end(&t->w);
		return;
	}
	buf_reset(&t->rec);
	jb_records(&t->rec, &m, sec, &t->tmp);
	json_raw(&t->w, t->rec.p, t->rec.len);
}

static void
tr_step_json(struct tr *t, const struct iter_step *s)
{
	struct json_w		*w = &t->w;
	const struct iter_class	*c = s->c;
	char			 n[DNS_NAME_TEXTMAX], ts[DNS_TYPE_TEXTMAX];
	int			 i, k;

	json_obj_begin(w);
	json_kv_int(w, "depth", s->depth);
	json_key(w, "question");
	json_obj_begin(w);
	json_kv_str(w, "name", wtext(s->qname, s->qnamelen, n));
	json_kv_str(w, "type", dns_type_to_text(s->qtype, ts));
	json_obj_end(w);
	json_kv_str(w, "zone", wtext(s->zone, s->zonelen, n));
	json_kv_bool(w, "cached", s->cached);
	if (!s->cached && s->addr != NULL) {
		json_kv_str(w, "server", wtext(s->nsname, s->nsnamelen, n));
		json_kv_str(w, "address", s->addr);
		json_key(w, "time_ms");
		t->js.ms_next = 1;
		json_uint(w, (unsigned long long)(s->time_ms * 1000.0 + 0.5));
	}
	if (s->failed) {
		json_kv_str(w, "result", "error");
		json_kv_str(w, "error", s->err);
		json_obj_end(w);
		return;
	}
	json_kv_str(w, "result", kind_names[c->kind]);
	if (c->kind == ITER_LAME)
		json_kv_str(w, "error", c->why);
	if (c->kind == ITER_CNAME)
		json_kv_str(w, "target", wtext(c->target, c->targetlen, n));
	if (c->kind == ITER_REFERRAL) {
		json_kv_str(w, "referral", wtext(c->deleg.zone,
		    c->deleg.zonelen, n));
		json_key(w, "ns");
		json_arr_begin(w);
		for (i = 0; i < c->deleg.nns; i++) {
			json_obj_begin(w);
			json_kv_str(w, "name", wtext(c->deleg.ns[i].name,
			    c->deleg.ns[i].namelen, n));
			json_key(w, "addresses");
			json_arr_begin(w);
			for (k = 0; k < c->deleg.ns[i].naddr; k++)
				json_strn(w, c->deleg.ns[i].addr[k].text,
				    strcspn(c->deleg.ns[i].addr[k].text, "#"));
			json_arr_end(w);
			json_obj_end(w);
		}
		json_arr_end(w);
	}
	if (c->kind == ITER_ANSWER || c->kind == ITER_CNAME)
		tr_records_json(t, s->reply, s->len, DNS_S_ANSWER);
	json_kv_int(w, "ignored", c->ignored);
	json_obj_end(w);
	if (s->depth == 0 && (c->kind == ITER_ANSWER ||
	    c->kind == ITER_CNAME))
		tr_records(&t->ans, "", s->reply, s->len, DNS_S_ANSWER);
}

static void
tr_step(void *arg, const struct iter_step *s)
{
	struct tr	*t = arg;

	if (t->o->form == F_JSON)
		tr_step_json(t, s);
	else
		tr_step_text(t, s);
}

/*
 * The answer lines collected from the steps, as JSON objects: owner,
 * TTL, class, type, data split at dig's tab stops.
 */
static void
tr_answer_json(struct tr *t)
{
	struct json_w	*w = &t->w;
	const char	*p, *nl;
	char		 f[4][DNS_NAME_TEXTMAX];
	size_t		 i, l;
	const char	*err;
	long long	 ttl;

	json_key(w, "answer");
	json_arr_begin(w);
	for (p = buf_str(&t->ans); (nl = strchr(p, '\n')) != NULL;
	    p = nl + 1) {
		for (i = 0; i < 4; i++) {
			p += strspn(p, " \t");
			l = strcspn(p, " \t\n");
			snprintf(f[i], sizeof(f[i]), "%.*s", (int)l, p);
			p += l;
		}
		p += strspn(p, " \t");
		json_obj_begin(w);
		json_kv_str(w, "name", f[0]);
		ttl = mk_strtonum(f[1], 0, UINT32_MAX, &err);
		json_kv_uint(w, "ttl", (unsigned long long)ttl);
		json_kv_str(w, "class", f[2]);
		json_kv_str(w, "type", f[3]);
		json_kv_strn(w, "data", p, (size_t)(nl - p));
		json_obj_end(w);
	}
	json_arr_end(w);
}

/* One name from the root.  The exit status of its result. */
static int
trace_one(struct iter *it, struct tr *t, const char *input,
    const char *name, uint16_t qtype)
{
	struct iter_result	 r;
	struct mk_err		 e;
	uint8_t			 wire[DNS_NAME_MAX];
	const char		*err, *status;
	char			 ts[DNS_TYPE_TEXTMAX];
	size_t			 wlen;
	int			 rc, ret;

	if (dns_name_from_text(name, wire, sizeof(wire), &wlen, &err) == -1) {
		mk_warn("%s: %s", name, err);
		return EX_USAGE;
	}
	buf_reset(&t->ans);
	if (t->o->form == F_JSON) {
		buf_reset(&t->out);
		t->js.b = &t->out;
		json_init_sink(&t->w, json_sink, &t->js, 0);
		json_obj_begin(&t->w);
		json_kv_str(&t->w, "input", input);
		json_key(&t->w, "steps");
		json_arr_begin(&t->w);
	} else {
		buf_reset(&t->out);
		buf_printf(&t->out, ";; %s %s from the root\n", name,
		    dns_type_to_text(qtype, ts));
		out_buf(&t->out);
	}
	rc = iter_resolve(it, wire, wlen, qtype, &r, &e);
	if (rc == -1) {
		ret = mk_exitcode(e.st);
		status = e.st == MK_ETEMP ? "TIMEOUT" : "SERVFAIL";
	} else {
		ret = r.kind == ITER_ANSWER ? 0 : 1;
		status = r.kind == ITER_NXDOMAIN ? "NXDOMAIN" :
		    r.kind == ITER_NODATA ? "NODATA" : "NOERROR";
	}
	if (t->o->form == F_JSON) {
		json_arr_end(&t->w);
		json_kv_str(&t->w, "status", status);
		if (rc == -1)
			json_kv_str(&t->w, "error", e.msg);
		tr_answer_json(t);
		json_kv_uint(&t->w, "queries", r.queries);
		json_kv_uint(&t->w, "replies", r.replies);
		json_key(&t->w, "time_ms");
		t->js.ms_next = 1;
		json_uint(&t->w, (unsigned long long)(r.time_ms * 1000.0));
		json_obj_end(&t->w);
		json_end_document(&t->w);
		if (json_error(&t->w, &e) == -1)
			mk_fail(&e);
		out_buf(&t->out);
	} else {
		buf_reset(&t->out);
		buf_addc(&t->out, '\n');
		if (t->ans.len > 0)
			buf_add(&t->out, t->ans.p, t->ans.len);
		else if (rc == 0)
			buf_printf(&t->out, ";; %s\n", status);
		buf_printf(&t->out, ";; %u messages: %u quer%s + %u repl%s "
		    "in %.1f ms\n", r.queries + r.replies, r.queries,
		    r.queries == 1 ? "y" : "ies", r.replies,
		    r.replies == 1 ? "y" : "ies", r.time_ms);
		out_buf(&t->out);
	}
	check_stdout();
	if (rc == -1)
		mk_warn("%s: %s", input, e.msg);
	return ret;
}

/* The root hints: --root-hints FILE, or IANA's built in. */
static void
trace_hints(const struct opts *o, uint16_t port, struct iter_deleg *d)
{
	struct mk_buf	 b;
	const char	*err;
	char		 chunk[4096];
	size_t		 n;
	FILE		*fp;

	if (o->roothints == NULL) {
		if (iter_hints_parse(iter_root_hints, strlen(iter_root_hints),
		    port, d, &err) == -1)
			mk_die(EX_SOFTWARE, "built-in root hints: %s", err);
		return;
	}
	if ((fp = fopen(o->roothints, "r")) == NULL)
		mk_die(EX_NOINPUT, "%s:", o->roothints);
	buf_init(&b, 1024 * 1024);
	while ((n = fread(chunk, 1, sizeof(chunk), fp)) > 0)
		if (buf_add(&b, chunk, n) == -1)
			mk_die(EX_DATAERR, "%s: too large", o->roothints);
	if (ferror(fp))
		mk_die(EX_IOERR, "%s:", o->roothints);
	fclose(fp);
	if (iter_hints_parse(buf_str(&b), b.len, port, d, &err) == -1)
		mk_die(EX_DATAERR, "%s: %s", o->roothints, err);
	buf_free(&b);
}

static int
trace(const struct opts *o, const struct res_conf *c,
    const struct res_params *p, const char *rev)
{
	struct iter_params	 ip;
	struct iter_deleg	*hints;
	struct iter		*it;
	struct tr		 t;
	struct bat		 bt;
	struct job		*j;
	struct mk_err		 e;
	char			 ts[DNS_TYPE_TEXTMAX];
	char			 input[DNS_NAME_TEXTMAX + DNS_TYPE_TEXTMAX + 1];
	int			 rc, ret = 0, st;

	memset(&ip, 0, sizeof(ip));
	ip.rp = *p;
	ip.family = o->family;
	ip.deadline_ms = (int)o->deadline * 1000;
	ip.port = o->port != 0 ? (uint16_t)o->port : RES_PORT;
	ip.qclass = o->qclass;
	ip.step = tr_step;
	ip.arg = &t;
	hints = mk_xmalloc(sizeof(*hints));
	trace_hints(o, ip.port, hints);
	if ((it = iter_new(&ip, hints, &e)) == NULL)
		mk_fail(&e);
	free(hints);
	memset(&t, 0, sizeof(t));
	t.o = o;
	buf_init(&t.out, 0);
	buf_init(&t.ans, 0);
	buf_init(&t.tmp, 0);
	buf_init(&t.rec, 0);
	if (!o->batch) {
		const char *name = o->reverse != NULL ? rev : o->name;

		snprintf(input, sizeof(input), "%.1000s %s", name,
		    dns_type_to_text(o->qtype, ts));
		ret = trace_one(it, &t, input, name, o->qtype);
		goto out;
	}
	/* A batch: one name after the other, sharing the cache. */
	memset(&bt, 0, sizeof(bt));
	bt.o = o;
	bt.c = c;
	bt.names = o->names;
	bt.nnames = o->nnames;
	lr_init(&bt.lr, STDIN_FILENO, 1024);
	j = mk_xmalloc(sizeof(*j));
	memset(j, 0, sizeof(*j));
	while ((rc = bat_read(&bt, j)) != 0) {
		if (rc == -1)
			continue;
		if (j->err != NULL) {
			mk_warn("%s", j->err);
			free(j->err);
			j->err = NULL;
			ret = MAXI(ret, EX_USAGE);
			continue;
		}
		if (o->form != F_JSON && bt.nin++ > 0)
			fputc('\n', stdout);
		st = trace_one(it, &t, j->input, j->name, j->qtype);
		ret = MAXI(ret, st);
	}
	ret = MAXI(ret, bt.ret);
	free(j);
	lr_free(&bt.lr);
out:
	buf_free(&t.out);
	buf_free(&t.ans);
	buf_free(&t.tmp);
	buf_free(&t.rec);
	iter_free(it);
	return ret;
}

int
main(int argc, char *argv[])
{
	struct opts		 o;
	struct res_conf		 c;
	struct res_params	 p;
	struct res_doh_params	 dp;
	struct res_doh		*doh = NULL;
	struct mk_err		 e;
	char			 rev[80];
	int			 ret;

	mk_setprogname(argv[0]);
	parse_args(argc, argv, &o);
	if (o.reverse != NULL && dns_reverse_name(o.reverse, rev,
	    sizeof(rev)) == -1)
		mk_die(EX_USAGE, "-x %s: not an IPv4 or IPv6 address",
		    o.reverse);
	if (res_conf_load(&c, &e) == -1)
		mk_fail(&e);
	build_params(&o, &c, &p);
	if (o.https != NULL) {
		memset(&dp, 0, sizeof(dp));
		dp.url = o.https;
		dp.cafile = o.cafile;
		dp.insecure = o.insecure;
		dp.get = o.httpsget;
		dp.timeout_ms = p.timeout_ms * (p.retries + 1);
		if ((doh = res_doh_new(&dp, &e)) == NULL)
			mk_fail(&e);
	}
	if (o.trace)
		ret = trace(&o, &c, &p, rev);
	else if (o.batch && doh != NULL)
		ret = batch_doh(&o, &c, &p, doh);
	else if (o.batch)
		ret = batch(&o, &c, &p, o.names, o.nnames);
	else
		ret = lookup(&o, &c, &p, doh, o.reverse != NULL ? rev : o.name,
		    o.qtype);
	res_doh_free(doh);
	free(o.names);
	check_stdout();
	return ret;
}
