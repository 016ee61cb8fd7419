/*
 * mimap: IMAP from scripts.  Folders, search, fetch, append, copy and
 * move, flags, expunge and idle, with UIDs everywhere.
 *
 * main.c: the options, parsed once for the whole command line (GNU
 * getopt permutes, so "mimap list INBOX --limit 5" works); each command
 * then says which of the command options it takes.  After "--"
 * everything is an operand, for "-seen" in flag.  Then the connection
 * and the dispatch to the command's file.
 */
#include <ctype.h>
#include <getopt.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <unistd.h>

#include "conf.h"
#include "imap.h"
#include "mcurl.h"
#include "mk.h"
#include "pass.h"

#include "mimap.h"

enum {
	OPT_ALL = 256, OPT_CAFILE, OPT_DECODE, OPT_FLAGS, OPT_HEADERS,
	OPT_INSECURE, OPT_JSON, OPT_LIMIT, OPT_MAILDIR, OPT_MARKSEEN,
	OPT_NEW, OPT_PART, OPT_PWCMD, OPT_PWFILE, OPT_SEARCH, OPT_SERVER,
	OPT_TIMEOUT, OPT_TLS, OPT_TO, OPT_TRACE, OPT_USER, OPT_VERSION
};

static const struct option longopts[] = {
	{ "account",		required_argument,	NULL, 'a' },
	{ "all",		no_argument,		NULL, OPT_ALL },
	{ "ca-file",		required_argument,	NULL, OPT_CAFILE },
	{ "decode",		no_argument,		NULL, OPT_DECODE },
	{ "flags",		required_argument,	NULL, OPT_FLAGS },
	{ "headers-only",	no_argument,		NULL, OPT_HEADERS },
	{ "help",		no_argument,		NULL, 'h' },
	{ "insecure",		no_argument,		NULL, OPT_INSECURE },
	{ "json",		no_argument,		NULL, OPT_JSON },
	{ "limit",		required_argument,	NULL, OPT_LIMIT },
	{ "maildir",		required_argument,	NULL, OPT_MAILDIR },
	{ "mark-seen",		no_argument,		NULL, OPT_MARKSEEN },
	{ "new",		no_argument,		NULL, OPT_NEW },
	{ "part",		required_argument,	NULL, OPT_PART },
	{ "password-command",	required_argument,	NULL, OPT_PWCMD },
	{ "password-file",	required_argument,	NULL, OPT_PWFILE },
	{ "search",		required_argument,	NULL, OPT_SEARCH },
	{ "server",		required_argument,	NULL, OPT_SERVER },
	{ "timeout",		required_argument,	NULL, OPT_TIMEOUT },
	{ "tls",		required_argument,	NULL, OPT_TLS },
	{ "to",			required_argument,	NULL, OPT_TO },
	{ "trace",		no_argument,		NULL, OPT_TRACE },
	{ "user",		required_argument,	NULL, OPT_USER },
	{ "version",		no_argument,		NULL, OPT_VERSION },
	{ NULL,			0,			NULL, 0 }
};

static int	tls_mode(const char *, enum mcurl_tls *);
static void	url_host(const char *, char *, size_t);
static int	connect_imap(struct opts *, const struct cmd *,
		    struct imap **);
static unsigned	co_bit(int);
static const char *co_name(unsigned);
static int	args_have_ctl(const struct opts *, int, char **);

static const struct cmd cmds[] = {
	{ "append",	 cmd_append,	1, 1, CO_FLAGS },
	{ "copy",	 cmd_copy,	2, -1, CO_TO },
	{ "create",	 cmd_simple,	1, 1, 0 },
	{ "delete",	 cmd_simple,	1, 1, 0 },
	{ "expunge",	 cmd_expunge,	1, -1, 0 },
	{ "fetch",	 cmd_fetch,	1, -1, CO_ALL | CO_DECODE |
	    CO_HEADERS | CO_MAILDIR | CO_MARKSEEN | CO_NEW | CO_PART },
	{ "flag",	 cmd_flag,	3, -1, 0 },
	{ "folders",	 cmd_folders,	0, 0, 0 },
	{ "idle",	 cmd_idle,	1, 1, 0 },
	{ "list",	 cmd_list,	0, 1, CO_LIMIT | CO_SEARCH },
	{ "move",	 cmd_copy,	2, -1, CO_TO },
	{ "rename",	 cmd_rename,	2, 2, 0 },
	{ "search",	 cmd_search,	2, -1, 0 },
	{ "subscribe",	 cmd_simple,	1, 1, 0 },
	{ "unflag",	 cmd_flag,	3, -1, 0 },
	{ "unsubscribe", cmd_simple,	1, 1, 0 }
};

const char *cmdname;

void
usage(FILE *fp)
{
	fputs(
"usage: mimap [-h] [-a account] [--ca-file file] [--insecure] [--json]\n"
"             [--password-command command] [--password-file file]\n"
"             [--server url] [--timeout secs] [--tls mode] [--trace]\n"
"             [--user name] [--version] command [args]\n"
"       mimap folders\n"
"       mimap list [folder] [--limit n] [--search criteria]\n"
"       mimap search folder criteria ...\n"
"       mimap fetch folder uid ... | --all | --new [--decode]\n"
"             [--headers-only] [--maildir dir] [--mark-seen] [--part n]\n"
"       mimap append folder [--flags flags]\n"
"       mimap create | delete | subscribe | unsubscribe folder\n"
"       mimap rename old new\n"
"       mimap copy | move folder uid ... --to folder\n"
"       mimap flag folder uid ... +flag ...\n"
"       mimap unflag folder uid ... flag ...\n"
"       mimap expunge folder [uid ...]\n"
"       mimap idle folder [--timeout secs]\n", fp);
}

/* ---- connecting ---- */

static int
tls_mode(const char *s, enum mcurl_tls *t)
{
	if (s == NULL)
		*t = MCURL_TLS_DEFAULT;
	else if (strcmp(s, "required") == 0)
		*t = MCURL_TLS_REQUIRED;
	else if (strcmp(s, "auto") == 0)
		*t = MCURL_TLS_AUTO;
	else if (strcmp(s, "off") == 0)
		*t = MCURL_TLS_OFF;
	else
		return -1;
	return 0;
}

/* The host of url for ~/.netrc, into h. */
static void
url_host(const char *url, char *h, size_t hsz)
{
	CURLU	*u;
	char	*host = NULL;

	h[0] = '\0';
	if ((u = curl_url()) == NULL)
		return;
	if (curl_url_set(u, CURLUPART_URL, url, CURLU_NON_SUPPORT_SCHEME) ==
	    CURLUE_OK && curl_url_get(u, CURLUPART_HOST, &host, 0) ==
	    CURLUE_OK)
		(void)snprintf(h, hsz, "%s", host);
	curl_free(host);
	curl_url_cleanup(u);
}

static int
connect_imap(struct opts *o, const struct cmd *cmd, struct imap **sp)
{
	const struct conf_account	*a = NULL;
	struct conf			*cf = NULL;
	struct mcurl_params		 p;
	struct pass_src			 ps;
	struct mk_err			 e;
	char				*pw = NULL, host[256];
	int				 rc, ex = 0;

	memset(&p, 0, sizeof(p));
	memset(&ps, 0, sizeof(ps));
	if (o->account != NULL || o->server == NULL) {
		if ((cf = conf_load(NULL, &e)) == NULL)
			return fail_e(NULL, &e);
		if ((a = conf_account(cf, o->account, &e)) == NULL) {
			if (e.st == MK_NOTFOUND)
				mk_seterr(&e, MK_ECONFIG, "no account in %s and "
				    "no --server", conf_path(cf)[0] ?
				    conf_path(cf) : "the accounts file");
			ex = fail_e(NULL, &e);
			goto out;
		}
	}
	p.url = o->server != NULL ? o->server : a->imap;
	if (p.url == NULL) {
		mk_warn("account %s has no imap URL", a->name);
		ex = EX_CONFIG;
		goto out;
	}
	p.user = o->user != NULL ? o->user : a != NULL ? a->user : NULL;
	p.ca_file = o->ca_file != NULL ? o->ca_file : a != NULL ?
	    a->ca_file : NULL;
	p.insecure = o->insecure || (a != NULL && a->insecure);
	if (tls_mode(o->tls != NULL ? o->tls : a != NULL ? a->tls : NULL,
	    &p.tls) == -1) {
		mk_warn("--tls %s: want required, auto or off", o->tls);
		ex = EX_USAGE;
		goto out;
	}
	/* idle's --timeout is how long to wait for mail, not for replies. */
	if (strcmp(cmd->name, "idle") != 0)
		p.timeout_s = o->timeout;
	if (p.timeout_s == 0 && a != NULL)
		p.timeout_s = a->timeout;
	p.connect_timeout_s = p.timeout_s;
	p.trace = o->trace ? stderr : NULL;
	if (p.user != NULL) {
		/* Before the lookup, whose messages name the user. */
		if (mk_has_ctl_line(p.user, strlen(p.user))) {
			mk_warn("CR or LF in the user name");
			ex = EX_USAGE;
			goto out;
		}
		url_host(p.url, host, sizeof(host));
		ps.host = host;
		ps.user = p.user;
		ps.allow_prompt = 1;
		if (o->pwcmd != NULL || o->pwfile != NULL) {
			ps.command = o->pwcmd;
			ps.file = o->pwfile;
		} else if (a != NULL) {
			ps.command = a->password_command;
			ps.file = a->password_file;
			ps.config_password = a->password;
		}
		if ((rc = pass_get(&ps, &pw, &e)) == -1) {
			ex = fail_e("password", &e);
			goto out;
		}
		p.password = pw;
	}
	if (p.insecure)
		mk_warn("%s", mcurl_insecure_warning());
	if ((*sp = imap_open(&p, &e)) == NULL)
		ex = fail_e(NULL, &e);
out:
	pass_free(pw);
	conf_free(cf);
	return ex;
}

/* ---- main ---- */

/*
 * Nonzero if an operand or option value of the command holds CR, LF
 * (or NUL): each may end up on a protocol line, so it is refused before
 * connecting rather than in the middle of a session.
 */
static int
args_have_ctl(const struct opts *o, int nop, char **ops)
{
	const char	*v[] = { o->flags, o->part, o->search, o->to };
	size_t		 i;
	int		 j;

	for (j = 0; j < nop; j++)
		if (mk_has_ctl_line(ops[j], strlen(ops[j])))
			return 1;
	for (i = 0; i < MK_NELEM(v); i++)
		if (v[i] != NULL && mk_has_ctl_line(v[i], strlen(v[i])))
			return 1;
	return 0;
}

static unsigned
co_bit(int ch)
{
	switch (ch) {
	case OPT_ALL:		return CO_ALL;
	case OPT_DECODE:	return CO_DECODE;
	case OPT_FLAGS:		return CO_FLAGS;
	case OPT_HEADERS:	return CO_HEADERS;
	case OPT_LIMIT:		return CO_LIMIT;
	case OPT_MAILDIR:	return CO_MAILDIR;
	case OPT_MARKSEEN:	return CO_MARKSEEN;
	case OPT_NEW:		return CO_NEW;
	case OPT_PART:		return CO_PART;
	case OPT_SEARCH:	return CO_SEARCH;
	case OPT_TO:		return CO_TO;
	}
	return 0;
}

static const char *
co_name(unsigned bit)
{
	const struct option	*lo;

	for (lo = longopts; lo->name != NULL; lo++)
		if (lo->val >= 256 && co_bit(lo->val) == bit)
			return lo->name;
	return "?";
}

int
main(int argc, char *argv[])
{
	struct opts		 o;
	const struct cmd	*cmd = NULL;
	struct imap		*s = NULL;
	const char		*errstr;
	unsigned		 bit;
	size_t			 i;
	int			 ch, ex, nop;

	mk_setprogname(argv[0]);
	memset(&o, 0, sizeof(o));
	opterr = 0;	/* our own "PROG: reason" lines, not getopt's */
	while ((ch = getopt_long(argc, argv, ":a:h", longopts, NULL)) != -1) {
		o.given |= co_bit(ch);
		switch (ch) {
		case 'a':
			o.account = optarg;
			break;
		case 'h':
			usage(stdout);
			return 0;
		case OPT_ALL:
			o.all = 1;
			break;
		case OPT_CAFILE:
			o.ca_file = optarg;
			break;
		case OPT_DECODE:
			o.decode = 1;
			break;
		case OPT_FLAGS:
			o.flags = optarg;
			break;
		case OPT_HEADERS:
			o.headers = 1;
			break;
		case OPT_INSECURE:
			o.insecure = 1;
			break;
		case OPT_JSON:
			o.json = 1;
			break;
		case OPT_LIMIT:
			o.limit = mk_strtonum(optarg, 1, UIDMAX, &errstr);
			if (errstr != NULL)
				mk_die(EX_USAGE, "--limit %s: %s", optarg,
				    errstr);
			break;
		case OPT_MAILDIR:
			o.maildir = optarg;
			break;
		case OPT_MARKSEEN:
			o.markseen = 1;
			break;
		case OPT_NEW:
			o.new = 1;
			break;
		case OPT_PART:
			o.part = optarg;
			break;
		case OPT_PWCMD:
			o.pwcmd = optarg;
			break;
		case OPT_PWFILE:
			o.pwfile = optarg;
			break;
		case OPT_SEARCH:
			o.search = optarg;
			break;
		case OPT_SERVER:
			o.server = optarg;
			break;
		case OPT_TIMEOUT:
			o.timeout = (long)mk_strtonum(optarg, 1, 86400, &errstr);
			if (errstr != NULL)
				mk_die(EX_USAGE, "--timeout %s: %s", optarg,
				    errstr);
			break;
		case OPT_TLS:
			o.tls = optarg;
			break;
		case OPT_TO:
			o.to = optarg;
			break;
		case OPT_TRACE:
			o.trace = 1;
			break;
		case OPT_USER:
			o.user = optarg;
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
			cmd = &cmds[i];
	if (cmd == NULL) {
		mk_warn("%s: unknown command", argv[0]);
		usage(stderr);
		return EX_USAGE;
	}
	cmdname = cmd->name;
	nop = argc - 1;
	if (nop < cmd->min || (cmd->max >= 0 && nop > cmd->max)) {
		mk_warn("%s: wrong number of arguments", cmd->name);
		usage(stderr);
		return EX_USAGE;
	}
	for (bit = 1; bit <= CO_TO; bit <<= 1)
		if ((o.given & bit) && !(cmd->opts & bit)) {
			mk_warn("%s: --%s is not an option of this command",
			    cmd->name, co_name(bit));
			return EX_USAGE;
		}
	if (args_have_ctl(&o, nop, argv + 1)) {
		mk_warn("%s: CR or LF in an argument", cmd->name);
		return EX_USAGE;
	}
	if (strcmp(cmd->name, "append") == 0 && isatty(STDIN_FILENO)) {
		mk_warn("append: the message comes on standard input");
		return EX_NOINPUT;
	}
	if ((ex = connect_imap(&o, cmd, &s)) != 0)
		return ex;
	ex = cmd->fn(s, &o, nop, argv + 1);
	imap_close(s);
	return ex;
}
