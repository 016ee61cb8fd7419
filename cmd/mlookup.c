/*
 * mlookup: query DNS servers from the shell, as dig and nslookup do.
 *
 * Options and operands are read here; the query goes through lib/res
 * (transport, resolv.conf, search list) and the reply is shown with
 * lib/dns (presentation form, dissection) in one of four forms: dig-like
 * text, --short, --json, --dissect.
 */
#include <sys/socket.h>

#include <netinet/in.h>

#include <dlfcn.h>
#include <getopt.h>
#include <limits.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <unistd.h>

#include "buf.h"
#include "dns.h"
#include "json.h"
#include "mk.h"
#include "res.h"

enum {
	OPT_BUFSIZE = 256, OPT_DISSECT, OPT_DNSSEC, OPT_JSON, OPT_NOEDNS,
	OPT_NORECURSE, OPT_NSID, OPT_RETRIES, OPT_SHORT, OPT_TCP,
	OPT_TIMEOUT, OPT_TRACE, OPT_VERSION
};

static const struct option longopts[] = {
	{ "bufsize",	required_argument,	NULL, OPT_BUFSIZE },
	{ "class",	required_argument,	NULL, 'c' },
	{ "dissect",	no_argument,		NULL, OPT_DISSECT },
	{ "dnssec",	no_argument,		NULL, OPT_DNSSEC },
	{ "help",	no_argument,		NULL, 'h' },
	{ "json",	no_argument,		NULL, OPT_JSON },
	{ "no-edns",	no_argument,		NULL, OPT_NOEDNS },
	{ "norecurse",	no_argument,		NULL, OPT_NORECURSE },
	{ "nsid",	no_argument,		NULL, OPT_NSID },
	{ "port",	required_argument,	NULL, 'p' },
	{ "retries",	required_argument,	NULL, OPT_RETRIES },
	{ "reverse",	required_argument,	NULL, 'x' },
	{ "server",	required_argument,	NULL, 's' },
	{ "short",	no_argument,		NULL, OPT_SHORT },
	{ "tcp",	no_argument,		NULL, OPT_TCP },
	{ "timeout",	required_argument,	NULL, OPT_TIMEOUT },
	{ "trace",	no_argument,		NULL, OPT_TRACE },
	{ "type",	required_argument,	NULL, 't' },
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
	const char	*reverse;	/* -x */
	int		 batch;		/* name "-" */
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
static void	operand(struct opts *, const char *);
static uint16_t	type_arg(const char *, const char *);
static void	build_params(const struct opts *, const struct res_conf *,
		    struct res_params *);
static void	server_arg(const struct opts *, const char *,
		    struct res_server *);
static int	idn_to_ascii(const char *, char *, size_t, struct mk_err *);
static int	lookup(const struct opts *, const struct res_conf *,
		    const struct res_params *, const char *, uint16_t);
static int	show(const struct opts *, const struct ask *,
		    const struct res_result *, const struct dns_msg *);
static void	show_text(const struct ask *, const struct res_result *,
		    const struct dns_msg *, struct mk_buf *);
static void	show_short(const struct dns_msg *, struct mk_buf *);
static void	show_json(const struct ask *, const struct res_result *,
		    const struct dns_msg *);
static void	indent_lines(struct mk_buf *, const char *,
		    const struct dns_msg *, const struct dns_msg *);
static void	show_dissect(const struct res_result *,
		    const struct dns_msg *, struct mk_buf *);
static int	batch(const struct opts *, const struct res_conf *,
		    const struct res_params *);
static void	out_buf(struct mk_buf *);
static void	check_stdout(void);

static void
usage(FILE *fp)
{
	fputs("usage: mlookup [-4] [-6] [-h] [-c | --class class] "
	    "[-p | --port port]\n"
	    "               [-s | --server host[#port]] [-t | --type type] "
	    "[--bufsize n]\n"
	    "               [--dissect] [--dnssec] [--json] [--no-edns] "
	    "[--norecurse]\n"
	    "               [--nsid] [--retries n] [--short] [--tcp] "
	    "[--timeout secs]\n"
	    "               [--trace] [--version] name [type] [@server]\n"
	    "       mlookup [options] -x | --reverse address [@server]\n"
	    "       mlookup [options] -\n", fp);
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

/* NAME, TYPE or @SERVER, in that order; @SERVER anywhere. */
static void
operand(struct opts *o, const char *s)
{
	uint16_t t;

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
		case OPT_RETRIES:
			o->retries = mk_strtonum(optarg, 0, 10, &errstr);
			if (errstr != NULL)
				mk_die(EX_USAGE, "--retries %s: %s", optarg,
				    errstr);
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
			/* Iterative resolution from the root: issue 4. */
			mk_die(EX_UNAVAILABLE, "--trace: not implemented yet");
		case OPT_VERSION:
			printf("%s (mkit) %s\n", mk_getprogname(), MK_VERSION);
			exit(0);
		case ':':
			usage_error("%s: missing argument", opt);
		default:
			usage_error("%s: unknown option", opt);
		}
	}
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
    const struct res_params *p, const char *name, uint16_t qtype)
{
	struct ask		 a;
	struct res_q		*q = NULL;
	struct res_result	 r;
	struct dns_msg		 m;
	struct mk_err		 e;
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
	if (q == NULL) {
		mk_warn("%s: name too long with every search domain", name);
		return EX_USAGE;
	}
	res_q_result(q, &r);
	(void)dns_msg_parse(r.reply, r.len, &m, &err);
	if (r.stats.badid + r.stats.badquestion > 0)
		mk_warn("warning: ignored %u replies with a wrong ID, %u "
		    "with a wrong question", r.stats.badid,
		    r.stats.badquestion);
	ret = show(o, &a, &r, &m);
	res_q_free(q);
	return ret;
}

/* Print the reply in the chosen form; the exit status of the answer. */
static int
show(const struct opts *o, const struct ask *a, const struct res_result *r,
    const struct dns_msg *m)
{
	struct mk_buf	b;

	buf_init(&b, 0);
	switch (o->form) {
	case F_TEXT:
		show_text(a, r, m, &b);
		break;
	case F_SHORT:
		show_short(m, &b);
		break;
	case F_JSON:
		show_json(a, r, m);
		break;
	case F_DISSECT:
		show_dissect(r, m, &b);
		break;
	}
	out_buf(&b);
	buf_free(&b);
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
	buf_printf(b, ";; SERVER: %s (%s)\n", r->server, r->tcp ? "TCP" :
	    "UDP");
	buf_printf(b, ";; MSG SIZE  rcvd: %zu\n", r->len);
}

static void
show_short(const struct dns_msg *m, struct mk_buf *b)
{
	struct dns_iter	 it;
	struct dns_rr	 rr;
	const char	*err;

	dns_iter_init(&it, m, DNS_S_ANSWER);
	while (dns_rr_next(&it, &rr, &err) == 1) {
		dns_rdata_to_text(m->buf, m->len, &rr, b, &err);
		buf_addc(b, '\n');
	}
}

/*
 * The JSON sink: stdout, except that a number written while ms_next is
 * set is a count of microseconds and comes out as milliseconds with
 * three decimals (json.h has no writer for fractions).
 */
struct jsink {
	int	 ms_next;
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
	return fwrite(p, 1, n, stdout) == n ? 0 : -1;
}

/* The records of one section as an array of objects (OPT left out). */
static void
json_section(struct json_w *w, const struct dns_msg *m, enum dns_section sec,
    struct mk_buf *tmp)
{
	static const char *const names[] = {
		"question", "answer", "authority", "additional"
	};
	struct dns_iter	 it;
	struct dns_rr	 rr;
	char		 name[DNS_NAME_TEXTMAX], ts[DNS_TYPE_TEXTMAX];
	const char	*err;

	json_key(w, names[sec]);
	json_arr_begin(w);
	dns_iter_init(&it, m, sec);
	while (dns_rr_next(&it, &rr, &err) == 1) {
		if (rr.type == DNS_T_OPT)
			continue;
		if (dns_name_to_text(rr.owner, rr.ownerlen, name,
		    sizeof(name)) == -1)
			name[0] = '\0';
		buf_reset(tmp);
		dns_rdata_to_text(m->buf, m->len, &rr, tmp, &err);
		json_obj_begin(w);
		json_kv_str(w, "name", name);
		json_kv_uint(w, "ttl", rr.ttl);
		json_kv_str(w, "class", dns_class_to_text(rr.class, ts));
		json_kv_str(w, "type", dns_type_to_text(rr.type, ts));
		json_kv_strn(w, "data", tmp->p != NULL ? (const char *)tmp->p :
		    "", tmp->len);
		json_obj_end(w);
	}
	json_arr_end(w);
}

/* The OPT record: version, flags, payload size, options in hex. */
static void
json_edns(struct json_w *w, const struct dns_msg *m, struct mk_buf *tmp)
{
	struct dns_edns_opt	 o;
	const char		*err;
	size_t			 pos = 0, i;

	json_key(w, "edns");
	if (!m->edns.present) {
		json_null(w);
		return;
	}
	json_obj_begin(w);
	json_kv_uint(w, "version", m->edns.version);
	json_key(w, "flags");
	json_arr_begin(w);
	if (m->edns.flags & DNS_EDNS_DO)
		json_str(w, "do");
	json_arr_end(w);
	json_kv_uint(w, "udp", m->edns.udpsize);
	json_key(w, "options");
	json_arr_begin(w);
	while (dns_edns_opt_next(m, &pos, &o, &err) == 1) {
		json_obj_begin(w);
		json_kv_uint(w, "code", o.code);
		buf_reset(tmp);
		for (i = 0; i < o.len; i++)
			buf_printf(tmp, "%02x", o.data[i]);
		json_kv_strn(w, "data", tmp->p != NULL ? (const char *)tmp->p :
		    "", tmp->len);
		if (o.code == DNS_O_NSID)
			json_kv_strn(w, "nsid", o.data, o.len);
		json_obj_end(w);
	}
	json_arr_end(w);
	json_obj_end(w);
}

static void
show_json(const struct ask *a, const struct res_result *r,
    const struct dns_msg *m)
{
	static const struct {
		uint16_t	 bit;
		const char	*name;
	} fl[] = {
		{ DNS_F_QR, "qr" }, { DNS_F_AA, "aa" }, { DNS_F_TC, "tc" },
		{ DNS_F_RD, "rd" }, { DNS_F_RA, "ra" }, { DNS_F_AD, "ad" },
		{ DNS_F_CD, "cd" }
	};
	struct json_w	 w;
	struct jsink	 js = { 0 };
	struct mk_buf	 tmp;
	struct mk_err	 e;
	char		 name[DNS_NAME_TEXTMAX], ts[DNS_TYPE_TEXTMAX];
	size_t		 i;

	buf_init(&tmp, 0);
	json_init_sink(&w, json_sink, &js, 0);
	json_obj_begin(&w);
	json_kv_str(&w, "server", r->server);
	json_kv_uint(&w, "id", m->id);
	json_kv_str(&w, "status", dns_rcode_to_text(m->rcode, ts));
	json_key(&w, "flags");
	json_arr_begin(&w);
	for (i = 0; i < MK_NELEM(fl); i++)
		if (m->flags & fl[i].bit)
			json_str(&w, fl[i].name);
	json_arr_end(&w);
	json_key(&w, "question");
	json_obj_begin(&w);
	if (m->count[DNS_S_QUESTION] > 0 && dns_name_to_text(m->q.owner,
	    m->q.ownerlen, name, sizeof(name)) != -1) {
		json_kv_str(&w, "name", name);
		json_kv_str(&w, "type", dns_type_to_text(m->q.type, ts));
		json_kv_str(&w, "class", dns_class_to_text(m->q.class, ts));
	} else {
		json_kv_str(&w, "name", a->text);
		json_kv_str(&w, "type", dns_type_to_text(a->qtype, ts));
	}
	if (a->idn[0] != '\0')
		json_kv_str(&w, "idn", a->idn);
	json_obj_end(&w);
	json_section(&w, m, DNS_S_ANSWER, &tmp);
	json_section(&w, m, DNS_S_AUTHORITY, &tmp);
	json_section(&w, m, DNS_S_ADDITIONAL, &tmp);
	json_edns(&w, m, &tmp);
	json_key(&w, "time_ms");
	js.ms_next = 1;
	json_uint(&w, (unsigned long long)(r->time_ms * 1000.0 + 0.5));
	json_kv_str(&w, "transport", r->tcp ? "tcp" : "udp");
	json_obj_end(&w);
	json_end_document(&w);
	buf_free(&tmp);
	if (json_error(&w, &e) == -1)
		mk_fail(&e);
	check_stdout();
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
	    r->server, r->tcp ? "TCP" : "UDP");
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
 * "NAME [TYPE]" per line of stdin, one lookup each.  A bad line is
 * reported and skipped.  The status is the largest of any line.
 */
static int
batch(const struct opts *o, const struct res_conf *c,
    const struct res_params *p)
{
	struct mk_lr	 lr;
	struct mk_err	 e;
	const uint8_t	*line;
	char		 buf[1100], *name, *type, *extra, *sp;
	size_t		 len;
	int		 flags, rc, ret = 0, n = 0, st;
	uint16_t	 t;

	lr_init(&lr, STDIN_FILENO, sizeof(buf) - 1);
	while ((rc = lr_next(&lr, &line, &len, &flags, &e)) == 1) {
		memcpy(buf, line, len);
		buf[len] = '\0';
		for (sp = buf; *sp != '\0'; sp++)
			if (*sp == '\t')
				*sp = ' ';
		name = buf + strspn(buf, " ");
		if (*name == '\0' || *name == '#')
			continue;
		type = name + strcspn(name, " ");
		if (*type != '\0')
			*type++ = '\0';
		type += strspn(type, " ");
		extra = type + strcspn(type, " ");
		if (*extra != '\0')
			*extra++ = '\0';
		t = o->qtype;
		if (*type != '\0' && dns_type_from_text(type, &t) == -1) {
			mk_warn("%s: unknown type", type);
			ret = ret > EX_USAGE ? ret : EX_USAGE;
			continue;
		}
		if (o->form == F_TEXT && n++ > 0)
			fputc('\n', stdout);
		st = lookup(o, c, p, name, t);
		ret = st > ret ? st : ret;
	}
	if (rc == -1) {
		mk_warn("stdin: %s", e.msg);
		ret = mk_exitcode(e.st);
	}
	lr_free(&lr);
	return ret;
}

int
main(int argc, char *argv[])
{
	struct opts		 o;
	struct res_conf		 c;
	struct res_params	 p;
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
	if (o.batch)
		ret = batch(&o, &c, &p);
	else
		ret = lookup(&o, &c, &p, o.reverse != NULL ? rev : o.name,
		    o.qtype);
	check_stdout();
	return ret;
}
