/*
 * mimap: IMAP from scripts.  Folders, search, fetch, append, copy and
 * move, flags, expunge and idle, with UIDs everywhere.
 *
 * The options are parsed once for the whole command line (GNU getopt
 * permutes, so "mimap list INBOX --limit 5" works); each command then
 * says which of the command options it takes.  After "--" everything is
 * an operand, for "-seen" in flag.
 */
#include <sys/stat.h>

#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sysexits.h>
#include <time.h>
#include <unistd.h>

#include "b64.h"
#include "buf.h"
#include "conf.h"
#include "hdr.h"
#include "imap.h"
#include "json.h"
#include "maildir.h"
#include "mcurl.h"
#include "mk.h"
#include "pass.h"
#include "qp.h"

#define UIDMAX		1000000		/* UIDs one command handles */
#define IDLE_RENEW_MS	(25L * 60 * 1000) /* RFC 2177: re-IDLE < 29 min */
#define POLL_MS		5000		/* NOOP polling without IDLE */

enum {
	OPT_ALL = 256, OPT_CAFILE, OPT_DECODE, OPT_FLAGS, OPT_HEADERS,
	OPT_INSECURE, OPT_JSON, OPT_LIMIT, OPT_MAILDIR, OPT_MARKSEEN,
	OPT_NEW, OPT_PART, OPT_PWCMD, OPT_PWFILE, OPT_SEARCH, OPT_SERVER,
	OPT_TIMEOUT, OPT_TLS, OPT_TO, OPT_TRACE, OPT_USER, OPT_VERSION
};

/* Command options, as bits of struct cmd's opts. */
enum {
	CO_ALL = 1 << 0, CO_DECODE = 1 << 1, CO_FLAGS = 1 << 2,
	CO_HEADERS = 1 << 3, CO_LIMIT = 1 << 4, CO_MAILDIR = 1 << 5,
	CO_MARKSEEN = 1 << 6, CO_NEW = 1 << 7, CO_PART = 1 << 8,
	CO_SEARCH = 1 << 9, CO_TO = 1 << 10
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

struct opts {
	const char	*account, *server, *user, *pwcmd, *pwfile;
	const char	*ca_file, *tls;
	int		 insecure, json, trace;
	long		 timeout;	/* 0: unset */
	unsigned	 given;		/* CO_* seen on the command line */
	int		 all, new, headers, decode, markseen;
	long long	 limit;
	const char	*search, *maildir, *part, *flags, *to;
};

struct cmd {
	const char	*name;
	int		(*fn)(struct imap *, struct opts *, int, char **);
	int		 min, max;	/* operands after the name; -1: any */
	unsigned	 opts;		/* CO_* it takes */
};

static void	usage(FILE *);
static int	parse_uids(char **, int, uint32_t **, size_t *);
static int	set_text(const uint32_t *, size_t, struct mk_buf *);
static int	flag_word(const char *, struct mk_buf *);
static int	connect_imap(struct opts *, const struct cmd *,
		    struct imap **);
static int	fail_e(const char *, const struct mk_err *);
static int	out_flush(void);
static void	put_clean(const char *, size_t);
static int	cmp_u32(const void *, const void *);

static int	cmd_folders(struct imap *, struct opts *, int, char **);
static int	cmd_list(struct imap *, struct opts *, int, char **);
static int	cmd_search(struct imap *, struct opts *, int, char **);
static int	cmd_fetch(struct imap *, struct opts *, int, char **);
static int	cmd_append(struct imap *, struct opts *, int, char **);
static int	cmd_simple(struct imap *, struct opts *, int, char **);
static int	cmd_rename(struct imap *, struct opts *, int, char **);
static int	cmd_copy(struct imap *, struct opts *, int, char **);
static int	cmd_flag(struct imap *, struct opts *, int, char **);
static int	cmd_expunge(struct imap *, struct opts *, int, char **);
static int	cmd_idle(struct imap *, struct opts *, int, char **);

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

static const char *cmdname;	/* the command running, for messages */

static void
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

/* Report e about what, return its exit code. */
static int
fail_e(const char *what, const struct mk_err *e)
{
	if (what != NULL)
		mk_warn("%s: %s", what, e->msg);
	else
		mk_warn("%s: %s", cmdname, e->msg);
	return mk_exitcode(e->st);
}

static int
out_flush(void)
{
	if (fflush(stdout) == EOF || ferror(stdout)) {
		mk_warn("write standard output:");
		return EX_IOERR;
	}
	return 0;
}

/* Server text for a line of output: controls and tabs become spaces. */
static void
put_clean(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		putchar(((unsigned char)s[i] < 0x20 || s[i] == 0x7f) ? ' ' :
		    s[i]);
}

static int
cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

/* UIDs from argv (each 1..2^32-1); 64 on a bad one. */
static int
parse_uids(char **av, int n, uint32_t **uids, size_t *nuids)
{
	const char	*errstr;
	long long	 v;
	int		 i;

	*uids = mk_xmalloc(((size_t)n + 1) * sizeof(**uids));
	*nuids = 0;
	for (i = 0; i < n; i++) {
		v = mk_strtonum(av[i], 1, UINT32_MAX, &errstr);
		if (errstr != NULL) {
			mk_warn("%s: UID %s: %s", cmdname, av[i], errstr);
			return EX_USAGE;
		}
		(*uids)[(*nuids)++] = (uint32_t)v;
	}
	return 0;
}

/* A sequence set for sorted-or-not UIDs: "1:3,7". */
static int
set_text(const uint32_t *u, size_t n, struct mk_buf *b)
{
	uint32_t	*s;
	size_t		 i, j;

	s = mk_xmalloc((n ? n : 1) * sizeof(*s));
	if (n > 0) {
		memcpy(s, u, n * sizeof(*s));
		qsort(s, n, sizeof(*s), cmp_u32);
	}
	for (i = 0; i < n; i = j) {
		for (j = i + 1; j < n && s[j] <= s[j - 1] + 1; j++)
			;
		if (buf_printf(b, i ? ",%u" : "%u", s[i]) == -1 ||
		    (s[j - 1] != s[i] && buf_printf(b, ":%u", s[j - 1]) == -1)) {
			free(s);
			return -1;
		}
	}
	free(s);
	return 0;
}

/* seen, flagged, ... or a keyword, as an IMAP flag appended to b. */
static int
flag_word(const char *w, struct mk_buf *b)
{
	static const char *const sys[] = {
		"seen", "flagged", "answered", "deleted", "draft"
	};
	size_t	i;

	if (*w == '\\')
		w++;
	if (b->len > 0)
		buf_addc(b, ' ');
	for (i = 0; i < MK_NELEM(sys); i++)
		if (strcasecmp(w, sys[i]) == 0) {
			buf_printf(b, "\\%c%s", toupper((unsigned char)*w),
			    sys[i] + 1);
			return 0;
		}
	if (*w == '\0')
		return -1;
	for (i = 0; w[i] != '\0'; i++)
		if ((unsigned char)w[i] <= 0x20 || (unsigned char)w[i] >= 0x7f ||
		    strchr("(){%*\"\\]", w[i]) != NULL)
			return -1;
	buf_adds(b, w);
	return 0;
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

/* ---- folders ---- */

struct folder {
	char		*name;		/* UTF-8 */
	char		 delim;
	char		*flags;		/* space-separated */
	int		 noselect;
	char		 tag[16];
	struct imap_status st;
};

struct folders {
	struct folder	*f;
	size_t		 n, cap;
};

static int
folders_cb(void *arg, const struct imap_resp *r, struct mk_err *e)
{
	struct folders	*fs = arg;
	struct imap_list l;
	struct mk_buf	 name, flags;
	struct folder	*f;
	size_t		 i;

	(void)e;
	buf_init(&name, 0);
	if (imap_list_parse(r, &l, &name) == -1) {
		buf_free(&name);
		return 0;
	}
	if (fs->n == fs->cap) {
		fs->cap = fs->cap ? fs->cap * 2 : 32;
		fs->f = mk_xrealloc(fs->f, fs->cap * sizeof(*fs->f));
	}
	f = &fs->f[fs->n++];
	memset(f, 0, sizeof(*f));
	f->name = mk_xstrdup(buf_str(&name));
	f->delim = (char)l.delim;
	f->noselect = l.noselect;
	f->st.messages = f->st.unseen = -1;
	buf_init(&flags, 0);
	for (i = l.flags; i < l.flags + l.nflags; i++)
		if ((flags.len > 0 && buf_addc(&flags, ' ') == -1) ||
		    buf_add(&flags, r->items[i].s, r->items[i].len) == -1)
			mk_die(EX_SOFTWARE, "out of memory");
	f->flags = mk_xstrdup(buf_str(&flags));
	buf_free(&flags);
	buf_free(&name);
	return 0;
}

static int
status_cb(void *arg, const struct imap_resp *r, struct mk_err *e)
{
	struct folder *f = arg;

	(void)e;
	(void)imap_status_parse(r, &f->st, NULL);
	return 0;
}

static int
cmd_folders(struct imap *s, struct opts *o, int ac, char **av)
{
	struct folders	 fs = { NULL, 0, 0 };
	struct imap_cmd	 c;
	struct json_w	 w;
	struct mk_err	 e;
	struct folder	*f;
	size_t		 i;
	int		 ex = 0;
	char		*fl, *sp;

	(void)ac;
	(void)av;
	imap_cmd_init(&c);
	imap_cmd_add(&c, "LIST \"\" \"*\"");
	if (imap_run(s, &c, folders_cb, &fs, NULL, NULL, &e) == -1) {
		imap_cmd_free(&c);
		return fail_e("LIST", &e);
	}
	imap_cmd_free(&c);
	/* Pipelined: every STATUS goes out, then the replies are read. */
	for (i = 0; i < fs.n; i++) {
		f = &fs.f[i];
		if (f->noselect)
			continue;
		imap_cmd_init(&c);
		imap_cmd_add(&c, "STATUS ");
		imap_cmd_mailbox(&c, f->name);
		imap_cmd_add(&c, " (MESSAGES UNSEEN)");
		if (imap_send(s, &c, f->tag, sizeof(f->tag), &e) == -1) {
			imap_cmd_free(&c);
			return fail_e("STATUS", &e);
		}
		imap_cmd_free(&c);
	}
	for (i = 0; i < fs.n; i++) {
		f = &fs.f[i];
		if (f->noselect)
			continue;
		if (imap_wait(s, f->tag, status_cb, f, NULL, NULL, &e) == -1) {
			if (e.st == MK_ETEMP || e.st == MK_EPROTO)
				return fail_e("STATUS", &e);
			mk_warn("STATUS %s: %s", f->name, e.msg);
			ex = mk_exitcode(e.st);
		}
	}
	json_init_file(&w, stdout, 0);
	for (i = 0; i < fs.n; i++) {
		f = &fs.f[i];
		if (o->json) {
			json_obj_begin(&w);
			json_kv_str(&w, "name", f->name);
			json_key(&w, "delimiter");
			if (f->delim)
				json_strn(&w, &f->delim, 1);
			else
				json_null(&w);
			json_key(&w, "flags");
			json_arr_begin(&w);
			fl = f->flags;
			while (*fl != '\0') {
				sp = strchr(fl, ' ');
				json_strn(&w, fl, sp ? (size_t)(sp - fl) :
				    strlen(fl));
				fl = sp ? sp + 1 : fl + strlen(fl);
			}
			json_arr_end(&w);
			json_key(&w, "messages");
			f->st.messages < 0 ? json_null(&w) :
			    json_int(&w, f->st.messages);
			json_key(&w, "unseen");
			f->st.unseen < 0 ? json_null(&w) :
			    json_int(&w, f->st.unseen);
			json_obj_end(&w);
			json_end_document(&w);
		} else {
			put_clean(f->name, strlen(f->name));
			printf("\t%c\t", f->delim ? f->delim : '-');
			if (f->st.messages < 0)
				printf("-\t-");
			else
				printf("%lld\t%lld", (long long)f->st.messages,
				    (long long)f->st.unseen);
			printf("\t%s\n", f->flags[0] ? f->flags : "-");
		}
		free(f->name);
		free(f->flags);
	}
	free(fs.f);
	if (json_error(&w, &e) == -1)
		return fail_e(NULL, &e);
	return out_flush() ? EX_IOERR : ex;
}

/* ---- search ---- */

struct uidlist {
	uint32_t	*u;
	size_t		 n, cap;
};

static int
search_cb(void *arg, const struct imap_resp *r, struct mk_err *e)
{
	struct uidlist *ul = arg;

	if (imap_search_parse(r, &ul->u, &ul->n, &ul->cap, UIDMAX) == -1)
		return mk_seterr(e, MK_EPROTO, "malformed SEARCH reply");
	return 0;
}

/* UID SEARCH with words as criteria; sorted UIDs into ul. */
static int
uid_search(struct imap *s, char **words, int n, struct uidlist *ul,
    struct mk_err *e)
{
	struct imap_cmd	c, args;
	int		i, utf8 = 0, rc;

	imap_cmd_init(&args);
	for (i = 0; i < n; i++) {
		imap_cmd_add(&args, i ? " " : "");
		imap_cmd_search_arg(&args, words[i], &utf8);
	}
	imap_cmd_init(&c);
	imap_cmd_add(&c, "UID SEARCH %s", utf8 ? "CHARSET UTF-8 " : "");
	/* Splice args' text and literals in after the prefix. */
	for (i = 0; i < (int)args.nlit; i++)
		args.litat[i] += c.text.len;
	buf_add(&c.text, args.text.p, args.text.len);
	buf_add(&c.lits, args.lits.p, args.lits.len);
	memcpy(c.litlen, args.litlen, sizeof(c.litlen));
	memcpy(c.litat, args.litat, sizeof(c.litat));
	c.nlit = args.nlit;
	if (args.err.st != MK_OK)
		c.err = args.err;
	imap_cmd_free(&args);
	rc = imap_run(s, &c, search_cb, ul, NULL, NULL, e);
	imap_cmd_free(&c);
	if (rc == 0 && ul->n > 0)
		qsort(ul->u, ul->n, sizeof(*ul->u), cmp_u32);
	return rc;
}

static int
cmd_search(struct imap *s, struct opts *o, int ac, char **av)
{
	struct imap_mbox	mb;
	struct uidlist		ul = { NULL, 0, 0 };
	struct mk_err		e;
	struct json_w		w;
	size_t			i;

	if (imap_select(s, av[0], 1, &mb, &e) == -1)
		return fail_e(av[0], &e);
	if (uid_search(s, av + 1, ac - 1, &ul, &e) == -1)
		return fail_e("SEARCH", &e);
	if (o->json) {
		json_init_file(&w, stdout, 0);
		json_arr_begin(&w);
		for (i = 0; i < ul.n; i++)
			json_uint(&w, ul.u[i]);
		json_arr_end(&w);
		json_end_document(&w);
	} else
		for (i = 0; i < ul.n; i++)
			printf("%u\n", ul.u[i]);
	free(ul.u);
	if (out_flush())
		return EX_IOERR;
	return ul.n == 0 ? 1 : 0;
}

/* ---- list ---- */

struct lister {
	struct json_w	w;
	int		json;
	struct mk_buf	tmp, from, subj;
};

/*
 * INTERNALDATE "17-Jul-1996 02:44:25 -0700" (untrusted) into tm (local
 * to the sender) and its zone offset in seconds.
 */
static int
date_parse(const char *s, size_t n, struct tm *tm, long *off)
{
	static const char mon[] = "JanFebMarAprMayJunJulAugSepOctNovDec";
	const char	*p = s, *end = s + n;
	int		 i, v[6], k;

	memset(tm, 0, sizeof(*tm));
	if (n < 25 || n > 26)
		return -1;
	if (*p == ' ')
		p++;
	for (v[0] = 0; p < end && isdigit((unsigned char)*p); p++)
		v[0] = v[0] * 10 + (*p - '0');
	if (end - p < 22 || *p++ != '-')
		return -1;
	for (i = 0; i < 12 && strncmp(mon + 3 * i, p, 3) != 0; i++)
		;
	if (i == 12 || p[3] != '-' || p[8] != ' ' || p[11] != ':' ||
	    p[14] != ':' || p[17] != ' ' || (p[18] != '+' && p[18] != '-'))
		return -1;
	v[1] = (p[4] - '0') * 1000 + (p[5] - '0') * 100 + (p[6] - '0') * 10 +
	    (p[7] - '0');
	v[2] = (p[9] - '0') * 10 + (p[10] - '0');
	v[3] = (p[12] - '0') * 10 + (p[13] - '0');
	v[4] = (p[15] - '0') * 10 + (p[16] - '0');
	v[5] = ((p[19] - '0') * 10 + (p[20] - '0')) * 3600 +
	    ((p[21] - '0') * 10 + (p[22] - '0')) * 60;
	for (k = 4; k <= 22; k++)
		if (k != 8 && k != 11 && k != 14 && k != 17 && k != 18 &&
		    !isdigit((unsigned char)p[k]))
			return -1;
	if (v[0] < 1 || v[0] > 31 || v[2] > 23 || v[3] > 59 || v[4] > 60)
		return -1;
	tm->tm_mday = v[0];
	tm->tm_mon = i;
	tm->tm_year = v[1] - 1900;
	tm->tm_hour = v[2];
	tm->tm_min = v[3];
	tm->tm_sec = v[4];
	*off = p[18] == '-' ? -v[5] : v[5];
	return 0;
}

/* INTERNALDATE as "1996-07-17T02:44:25-07:00". */
static int
date_iso(const char *s, size_t n, char *out, size_t osz)
{
	struct tm	tm;
	long		off;

	if (date_parse(s, n, &tm, &off) == -1)
		return -1;
	(void)snprintf(out, osz, "%04d-%02d-%02dT%02d:%02d:%02d%c%02d:%02d",
	    (tm.tm_year + 1900) % 10000, (tm.tm_mon + 1) % 100,
	    tm.tm_mday % 100, tm.tm_hour % 100, tm.tm_min % 100,
	    tm.tm_sec % 100, off < 0 ? '-' : '+', (int)(labs(off) / 3600 % 100),
	    (int)(labs(off) % 3600 / 60));
	return 0;
}

/* An RFC 2047 header value decoded into out (raw when that fails). */
static void
decode_hdr(const struct imap_item *it, struct mk_buf *out)
{
	buf_reset(out);
	if (it == NULL || !imap_item_str(it))
		return;
	if (hdr_decode_words(it->s, it->len, out, NULL) == -1) {
		buf_reset(out);
		buf_add(out, it->s, it->len);
	}
}

static int
list_cb(void *arg, const struct imap_resp *r, struct mk_err *e)
{
	struct lister		*L = arg;
	struct imap_fetch	 f;
	const struct imap_addr	*a;
	char			 date[40];
	size_t			 i;

	if (imap_fetch_parse(r, &f) == -1) {
		if (r->nitems >= 2 && imap_item_is(&r->items[1], "FETCH"))
			return mk_seterr(e, MK_EPROTO, "malformed FETCH reply");
		return 0;
	}
	if (f.uid == 0 || f.internaldate == NULL)
		return 0;	/* a FLAGS update, not our answer */
	a = &f.env_from;
	decode_hdr(a->name, &L->tmp);
	buf_reset(&L->from);
	if (L->tmp.len > 0)
		buf_printf(&L->from, "%s <", buf_str(&L->tmp));
	if (a->mailbox != NULL && imap_item_str(a->mailbox))
		buf_add(&L->from, a->mailbox->s, a->mailbox->len);
	if (a->host != NULL && imap_item_str(a->host))
		buf_printf(&L->from, "@%s", a->host->s);
	if (L->tmp.len > 0)
		buf_addc(&L->from, '>');
	decode_hdr(f.env_subject, &L->subj);
	if (date_iso(f.internaldate->s, f.internaldate->len, date,
	    sizeof(date)) == -1)
		(void)snprintf(date, sizeof(date), "%.30s", f.internaldate->s);
	if (L->json) {
		json_obj_begin(&L->w);
		json_kv_uint(&L->w, "uid", f.uid);
		json_key(&L->w, "flags");
		json_arr_begin(&L->w);
		for (i = (size_t)(f.flags - r->items) + 1;
		    f.flags != NULL && i < f.flags->next; i++)
			json_strn(&L->w, r->items[i].s, r->items[i].len);
		json_arr_end(&L->w);
		json_kv_str(&L->w, "date", date);
		json_kv_strn(&L->w, "from", L->from.p, L->from.len);
		json_kv_strn(&L->w, "subject", L->subj.p, L->subj.len);
		json_kv_int(&L->w, "size", f.size);
		json_obj_end(&L->w);
		json_end_document(&L->w);
		return json_error(&L->w, e);
	}
	printf("%u\t", f.uid);
	if (f.flags == NULL || f.flags->next == (size_t)(f.flags - r->items) + 1)
		putchar('-');
	for (i = (size_t)(f.flags - r->items) + 1;
	    f.flags != NULL && i < f.flags->next; i++) {
		if (i > (size_t)(f.flags - r->items) + 1)
			putchar(' ');
		put_clean(r->items[i].s, r->items[i].len);
	}
	printf("\t%s\t", date);
	put_clean(buf_str(&L->from), L->from.len);
	putchar('\t');
	put_clean(buf_str(&L->subj), L->subj.len);
	printf("\t%lld\n", (long long)f.size);
	if (ferror(stdout))
		return mk_seterrno(e, MK_EIO, errno, "write standard output");
	return 0;
}

/* Split criteria at blanks; "double quotes" keep blanks in a word. */
static char **
split_words(const char *s, int *n)
{
	char	**v = NULL, *w;
	size_t	  len;
	int	  q;

	*n = 0;
	for (;;) {
		while (*s == ' ' || *s == '\t')
			s++;
		if (*s == '\0')
			break;
		w = mk_xmalloc(strlen(s) + 1);
		len = 0;
		for (q = 0; *s != '\0' && (q || (*s != ' ' && *s != '\t'));
		    s++) {
			if (*s == '"')
				q = !q;
			else
				w[len++] = *s;
		}
		w[len] = '\0';
		v = mk_xrealloc(v, ((size_t)*n + 2) * sizeof(*v));
		v[(*n)++] = w;
		v[*n] = NULL;
	}
	return v;
}

static int
cmd_list(struct imap *s, struct opts *o, int ac, char **av)
{
	const char		*folder = ac > 0 ? av[0] : "INBOX";
	struct imap_mbox	 mb;
	struct uidlist		 ul = { NULL, 0, 0 };
	struct lister		 L;
	struct imap_cmd		 c;
	struct mk_buf		 set;
	struct mk_err		 e;
	char			**words;
	const char		*items = "(UID FLAGS INTERNALDATE "
	    "RFC822.SIZE ENVELOPE)";
	int			 n, i, rc, ex = 0;
	size_t			 first;

	if (imap_select(s, folder, 1, &mb, &e) == -1)
		return fail_e(folder, &e);
	memset(&L, 0, sizeof(L));
	L.json = o->json;
	json_init_file(&L.w, stdout, 0);
	buf_init(&L.tmp, 0);
	buf_init(&L.from, 0);
	buf_init(&L.subj, 0);
	buf_init(&set, 0);
	imap_cmd_init(&c);
	if (o->search != NULL) {
		words = split_words(o->search, &n);
		rc = uid_search(s, words, n, &ul, &e);
		for (i = 0; i < n; i++)
			free(words[i]);
		free(words);
		if (rc == -1) {
			ex = fail_e("SEARCH", &e);
			goto out;
		}
		first = o->limit > 0 && (size_t)o->limit < ul.n ?
		    ul.n - (size_t)o->limit : 0;
		if (ul.n == 0)
			goto out;
		if (set_text(ul.u + first, ul.n - first, &set) == -1)
			mk_die(EX_SOFTWARE, "out of memory");
		imap_cmd_add(&c, "UID FETCH %s %s", buf_str(&set), items);
	} else if (mb.exists == 0) {
		goto out;
	} else if (o->limit > 0 && o->limit < (long long)mb.exists) {
		/* Sequence numbers stay inside: the last N messages. */
		imap_cmd_add(&c, "FETCH %lld:* %s",
		    (long long)mb.exists - o->limit + 1, items);
	} else
		imap_cmd_add(&c, "UID FETCH 1:* %s", items);
	if (imap_run(s, &c, list_cb, &L, NULL, NULL, &e) == -1)
		ex = fail_e("FETCH", &e);
out:
	imap_cmd_free(&c);
	buf_free(&set);
	buf_free(&L.tmp);
	buf_free(&L.from);
	buf_free(&L.subj);
	free(ul.u);
	if (out_flush())
		return EX_IOERR;
	return ex;
}

/* ---- fetch ---- */

enum { OUT_RAW, OUT_MBOX, OUT_MAILDIR };

struct fetcher {
	int		 mode;		/* OUT_* */
	int		 json;
	struct json_w	 w;
	struct maildir	*md;
	uint32_t	*pending;	/* UIDs in the Maildir batch */
	size_t		 npending;
	struct uidlist	 got;		/* UIDs whose body came */
	/* mboxrd quoting (">From " lines) across pieces */
	int		 bol;		/* at the start of a line */
	size_t		 gts;		/* '>' held at the line start */
	size_t		 from;		/* bytes of "From " matched */
	int		 last;		/* last byte written */
	/* --decode */
	int		 decode;	/* 0 none, 'b' base64, 'q' QP */
	int		 inmime;	/* receiving the part's MIME header */
	struct mk_buf	 mime;
	struct b64_dec	 b64;
	struct qp_dec	 qp;
	int		 raw_to_stdout;
};

static int
wr(const void *p, size_t n, struct mk_err *e)
{
	if (n > 0 && fwrite(p, 1, n, stdout) != n)
		return mk_seterrno(e, MK_EIO, errno, "write standard output");
	return 0;
}

/* Write what the mboxrd state holds back. */
static int
mbox_release(struct fetcher *F, int quote, struct mk_err *e)
{
	static const char gt[] = ">>>>>>>>>>>>>>>>";
	size_t n;

	if (quote && wr(">", 1, e) == -1)
		return -1;
	for (n = F->gts; n > 0; n -= n > 16 ? 16 : n)
		if (wr(gt, n > 16 ? 16 : n, e) == -1)
			return -1;
	if (wr("From ", F->from, e) == -1)
		return -1;
	F->gts = F->from = 0;
	F->bol = 0;
	return 0;
}

/* mboxrd: a line matching ^>*From gets one more '>'. */
static int
mbox_data(struct fetcher *F, const char *p, size_t n, struct mk_err *e)
{
	size_t	i, start = 0;

	for (i = 0; i < n; i++) {
		if (F->bol) {
			if (F->from == 0 && p[i] == '>') {
				F->gts++;
				start = i + 1;
				continue;
			}
			if (p[i] == "From "[F->from]) {
				start = i + 1;
				if (++F->from == 5 && mbox_release(F, 1, e) == -1)
					return -1;
				continue;
			}
			if (mbox_release(F, 0, e) == -1)
				return -1;
			start = i;
		}
		if (p[i] == '\n') {
			if (wr(p + start, i + 1 - start, e) == -1)
				return -1;
			start = i + 1;
			F->bol = 1;
		}
	}
	if (!F->bol && wr(p + start, n - start, e) == -1)
		return -1;
	if (n > 0)
		F->last = (unsigned char)p[n - 1];
	return 0;
}

static int
fetch_begin(void *arg, const struct imap_resp *r, uint64_t n,
    struct mk_err *e)
{
	struct fetcher		*F = arg;
	const struct imap_item	*key = NULL, *date = NULL;
	char			 line[80];
	struct tm		 tm;
	time_t			 t = 0;
	long			 off;
	size_t			 i;

	(void)n;
	if (r->nitems >= 2 && r->items[r->nitems - 2].type == IMAP_T_ATOM)
		key = &r->items[r->nitems - 2];
	F->inmime = key != NULL && key->len > 6 &&
	    strcasecmp(key->s + key->len - 6, ".MIME]") == 0;
	if (F->inmime) {
		buf_reset(&F->mime);
		return 0;
	}
	if (F->decode) {
		F->decode = 'n';
		/* Content-Transfer-Encoding from the part's MIME header. */
		for (i = 0; i + 26 < F->mime.len; i++)
			if ((i == 0 || F->mime.p[i - 1] == '\n') &&
			    strncasecmp((char *)F->mime.p + i,
			    "Content-Transfer-Encoding:", 26) == 0) {
				const char *v = (char *)F->mime.p + i + 26;
				while (*v == ' ' || *v == '\t')
					v++;
				if (strncasecmp(v, "base64", 6) == 0)
					F->decode = 'b';
				else if (strncasecmp(v, "quoted-printable",
				    16) == 0)
					F->decode = 'q';
			}
		b64_dec_init(&F->b64, 1);
		qp_dec_init(&F->qp, 1);
	}
	switch (F->mode) {
	case OUT_MAILDIR:
		return maildir_add_begin(F->md, e);
	case OUT_MBOX:
		for (i = 3; i + 1 < r->nitems; i++)
			if (imap_item_is(&r->items[i], "INTERNALDATE") &&
			    r->items[i + 1].type == IMAP_T_STRING)
				date = &r->items[i + 1];
		if (date != NULL && date_parse(date->s, date->len, &tm,
		    &off) == 0)
			t = timegm(&tm) - off;
		gmtime_r(&t, &tm);
		strftime(line, sizeof(line), "From MAILER-DAEMON %a %b %e "
		    "%H:%M:%S %Y\n", &tm);
		F->bol = 1;
		F->gts = F->from = 0;
		F->last = '\n';
		return wr(line, strlen(line), e);
	}
	return 0;
}

static int
fetch_out(struct fetcher *F, const void *p, size_t n, struct mk_err *e)
{
	switch (F->mode) {
	case OUT_MAILDIR:
		return maildir_write(F->md, p, n, e);
	case OUT_MBOX:
		return mbox_data(F, p, n, e);
	}
	return wr(p, n, e);
}

static int
fetch_data(void *arg, const void *p, size_t n, struct mk_err *e)
{
	struct fetcher	*F = arg;
	uint8_t		 out[B64_DEC_BOUND(16384) + QP_DEC_BOUND(16384)];
	size_t		 take, olen;

	if (F->inmime) {
		if (F->mime.len + n > 65536)
			return 0;	/* a huge MIME header: keep the start */
		return buf_add(&F->mime, p, n) == -1 ?
		    mk_seterr(e, MK_ESOFTWARE, "out of memory") : 0;
	}
	if (F->decode != 'b' && F->decode != 'q')
		return fetch_out(F, p, n, e);
	while (n > 0) {
		take = n > 16384 ? 16384 : n;
		if (F->decode == 'b')
			(void)b64_dec_update(&F->b64, p, take, out, &olen);
		else
			(void)qp_dec_update(&F->qp, p, take, out, &olen);
		if (fetch_out(F, out, olen, e) == -1)
			return -1;
		p = (const char *)p + take;
		n -= take;
	}
	return 0;
}

static int
fetch_end(void *arg, struct mk_err *e)
{
	struct fetcher	*F = arg;
	uint8_t		 out[64];
	size_t		 olen = 0;

	if (F->inmime)
		return 0;
	if (F->decode == 'b')
		(void)b64_dec_final(&F->b64, out, &olen);
	else if (F->decode == 'q')
		(void)qp_dec_final(&F->qp, out, &olen);
	if (olen > 0 && fetch_out(F, out, olen, e) == -1)
		return -1;
	switch (F->mode) {
	case OUT_MAILDIR:
		return maildir_add_end(F->md, e);
	case OUT_MBOX:
		if (F->bol && (F->gts || F->from) && mbox_release(F, 0, e) == -1)
			return -1;
		if (F->last != '\n' && wr("\n", 1, e) == -1)
			return -1;
		return wr("\n", 1, e);
	}
	return 0;
}

/* Deliver the Maildir batch, then name its UIDs. */
static int
fetch_commit(struct fetcher *F, struct mk_err *e)
{
	size_t i;

	if (F->md == NULL || maildir_commit(F->md, e) == -1)
		return F->md == NULL ? 0 : -1;
	for (i = 0; i < F->npending; i++) {
		if (F->json) {
			json_obj_begin(&F->w);
			json_kv_uint(&F->w, "uid", F->pending[i]);
			json_obj_end(&F->w);
			json_end_document(&F->w);
		} else
			printf("%u\n", F->pending[i]);
	}
	F->npending = 0;
	if (fflush(stdout) == EOF)
		return mk_seterrno(e, MK_EIO, errno, "write standard output");
	return 0;
}

static int
fetch_cb(void *arg, const struct imap_resp *r, struct mk_err *e)
{
	struct fetcher		*F = arg;
	struct imap_fetch	 f;

	if (imap_fetch_parse(r, &f) == -1 || f.body == NULL || f.uid == 0)
		return 0;
	if (f.body->type == IMAP_T_NIL)
		return 0;
	if (f.body->type == IMAP_T_STRING) {
		/* A small body that came as a quoted string. */
		if (fetch_begin(F, r, f.body->len, e) == -1 ||
		    fetch_data(F, f.body->s, f.body->len, e) == -1 ||
		    fetch_end(F, e) == -1)
			return -1;
	}
	if (F->got.n == F->got.cap) {
		F->got.cap = F->got.cap ? F->got.cap * 2 : 64;
		F->got.u = mk_xrealloc(F->got.u, F->got.cap *
		    sizeof(*F->got.u));
	}
	F->got.u[F->got.n++] = f.uid;
	if (F->mode == OUT_MAILDIR) {
		F->pending[F->npending++] = f.uid;
		if (maildir_pending(F->md) >= MAILDIR_BATCH)
			return fetch_commit(F, e);
	}
	return 0;
}

static int
check_part(const char *p)
{
	int digit = 0;

	for (; *p != '\0'; p++) {
		if (isdigit((unsigned char)*p))
			digit = 1;
		else if (*p == '.' && digit)
			digit = 0;
		else
			return -1;
	}
	return digit ? 0 : -1;
}

static int
cmd_fetch(struct imap *s, struct opts *o, int ac, char **av)
{
	struct imap_mbox	 mb;
	struct imap_sink	 sink;
	struct fetcher		 F;
	struct uidlist		 want = { NULL, 0, 0 };
	struct imap_cmd		 c;
	struct mk_buf		 set, sect;
	struct mk_err		 e;
	const char		*peek = o->markseen ? "" : ".PEEK";
	char			*new[] = { "UNSEEN" };
	size_t			 i, j;
	int			 ex = 0;

	if ((o->all != 0) + (o->new != 0) + (ac > 1) != 1) {
		mk_warn("fetch: give UIDs, --all or --new");
		usage(stderr);
		return EX_USAGE;
	}
	if ((o->decode && o->part == NULL) ||
	    (o->part != NULL && check_part(o->part) == -1) ||
	    (o->part != NULL && o->headers) || (o->json && !o->maildir)) {
		mk_warn("fetch: --decode needs --part N (N like 1.2), "
		    "--part and --headers-only exclude each other, --json "
		    "needs --maildir");
		return EX_USAGE;
	}
	if (ac > 1 && (ex = parse_uids(av + 1, ac - 1, &want.u, &want.n)))
		return ex;
	memset(&F, 0, sizeof(F));
	F.json = o->json;
	F.mode = o->maildir ? OUT_MAILDIR : (o->all || o->new ||
	    want.n > 1) ? OUT_MBOX : OUT_RAW;
	F.decode = o->decode;
	buf_init(&F.mime, 0);
	buf_init(&set, 0);
	buf_init(&sect, 0);
	json_init_file(&F.w, stdout, 0);
	imap_cmd_init(&c);
	if (o->maildir != NULL) {
		if ((F.md = maildir_open(o->maildir, &e)) == NULL) {
			ex = fail_e(o->maildir, &e);
			goto out;
		}
		F.pending = mk_xmalloc(MAILDIR_BATCH * 2 * sizeof(*F.pending));
	}
	/* EXAMINE is read-only: nothing we do can set \Seen. */
	if (imap_select(s, av[0], !o->markseen, &mb, &e) == -1) {
		ex = fail_e(av[0], &e);
		goto out;
	}
	if (o->new) {
		if (uid_search(s, new, 1, &want, &e) == -1) {
			ex = fail_e("SEARCH", &e);
			goto out;
		}
		if (want.n == 0) {
			ex = 1;
			goto out;
		}
	}
	if (o->all) {
		if (mb.exists == 0) {
			ex = 1;
			goto out;
		}
		buf_adds(&set, "1:*");
	} else if (set_text(want.u, want.n, &set) == -1)
		mk_die(EX_SOFTWARE, "out of memory");
	if (o->headers)
		buf_printf(&sect, "BODY%s[HEADER]", peek);
	else if (o->part != NULL && o->decode)
		buf_printf(&sect, "BODY.PEEK[%s.MIME] BODY%s[%s]", o->part,
		    peek, o->part);
	else if (o->part != NULL)
		buf_printf(&sect, "BODY%s[%s]", peek, o->part);
	else
		buf_printf(&sect, "BODY%s[]", peek);
	imap_cmd_add(&c, "UID FETCH %s (UID%s %s)", buf_str(&set),
	    F.mode == OUT_MBOX ? " INTERNALDATE" : "", buf_str(&sect));
	sink.begin = fetch_begin;
	sink.data = fetch_data;
	sink.end = fetch_end;
	sink.arg = &F;
	if (imap_run(s, &c, fetch_cb, &F, &sink, NULL, &e) == -1 ||
	    fetch_commit(&F, &e) == -1) {
		ex = fail_e(F.md != NULL && e.st == MK_EIO ? o->maildir :
		    "FETCH", &e);
		goto out;
	}
	/* Every UID asked for came, or it is "not found" (exit 1). */
	if (F.got.n > 0)
		qsort(F.got.u, F.got.n, sizeof(*F.got.u), cmp_u32);
	for (i = j = 0; i < want.n; i++) {
		while (j < F.got.n && F.got.u[j] < want.u[i])
			j++;
		if (j >= F.got.n || F.got.u[j] != want.u[i]) {
			mk_warn("%s: UID %u: no such message", av[0],
			    want.u[i]);
			ex = 1;
		}
	}
	if (o->all && F.got.n == 0)
		ex = 1;
out:
	imap_cmd_free(&c);
	buf_free(&set);
	buf_free(&sect);
	buf_free(&F.mime);
	maildir_close(F.md);
	free(F.pending);
	free(F.got.u);
	free(want.u);
	if (out_flush())
		return EX_IOERR;
	return ex;
}

/* ---- append ---- */

/* Copy stdin to a temporary file, bare LF made CR LF (RFC 5322). */
static int
spool_stdin(FILE **fpp, uint64_t *size)
{
	FILE	*fp;
	char	 buf[65536];
	size_t	 n, i;
	int	 prev = 0;

	if ((fp = tmpfile()) == NULL) {
		mk_warn("temporary file:");
		return EX_CANTCREAT;
	}
	*size = 0;
	while ((n = fread(buf, 1, sizeof(buf), stdin)) > 0) {
		for (i = 0; i < n; i++) {
			if (buf[i] == '\n' && prev != '\r') {
				putc('\r', fp);
				(*size)++;
			}
			putc(buf[i], fp);
			prev = (unsigned char)buf[i];
		}
		*size += n;
	}
	if (ferror(stdin)) {
		mk_warn("read standard input:");
		fclose(fp);
		return EX_IOERR;
	}
	if (fflush(fp) == EOF || fseek(fp, 0, SEEK_SET) == -1) {
		mk_warn("temporary file:");
		fclose(fp);
		return EX_IOERR;
	}
	if (*size == 0) {
		mk_warn("append: empty message on standard input");
		fclose(fp);
		return EX_NOINPUT;
	}
	*fpp = fp;
	return 0;
}

/* "NAME v1 v2" in a response code text: the n-th number after NAME. */
static int
code_num(const char *code, const char *name, int nth, uint64_t *v)
{
	const char	*p;
	size_t		 nl = strlen(name);
	int		 i;

	if (strncasecmp(code, name, nl) != 0 || code[nl] != ' ')
		return -1;
	p = code + nl;
	for (i = 0; i <= nth; i++) {
		if (*p != ' ')
			return -1;
		p++;
		if (!isdigit((unsigned char)*p))
			return -1;
		*v = 0;
		for (; isdigit((unsigned char)*p); p++)
			*v = *v * 10 + (uint64_t)(*p - '0');
	}
	return 0;
}

static int
cmd_append(struct imap *s, struct opts *o, int ac, char **av)
{
	struct mk_buf	 flags, code;
	struct mk_err	 e;
	struct json_w	 w;
	FILE		*fp = NULL;
	uint64_t	 size, uid = 0, uv = 0;
	char		*list, *f;
	int		 ex;

	(void)ac;
	buf_init(&flags, 0);
	buf_init(&code, 0);
	if (o->flags != NULL) {
		list = mk_xstrdup(o->flags);
		for (f = list; f != NULL; ) {
			char *next = strpbrk(f, ", ");
			if (next != NULL)
				*next++ = '\0';
			if (*f != '\0' && flag_word(f, &flags) == -1) {
				mk_warn("append: --flags: bad flag \"%s\"", f);
				free(list);
				buf_free(&flags);
				return EX_USAGE;
			}
			f = next;
		}
		free(list);
	}
	if ((ex = spool_stdin(&fp, &size)) != 0)
		goto out;
	if (imap_append(s, av[0], buf_str(&flags), fileno(fp), size, &code,
	    &e) == -1) {
		ex = fail_e(av[0], &e);
		goto out;
	}
	(void)code_num(buf_str(&code), "APPENDUID", 1, &uid);
	(void)code_num(buf_str(&code), "APPENDUID", 0, &uv);
	if (o->json) {
		json_init_file(&w, stdout, 0);
		json_obj_begin(&w);
		json_kv_str(&w, "folder", av[0]);
		json_key(&w, "uid");
		uid ? json_uint(&w, uid) : json_null(&w);
		json_key(&w, "uidvalidity");
		uv ? json_uint(&w, uv) : json_null(&w);
		json_obj_end(&w);
		json_end_document(&w);
	} else if (uid != 0)
		printf("%llu\n", (unsigned long long)uid);
	ex = out_flush();
out:
	if (fp != NULL)
		fclose(fp);
	buf_free(&flags);
	buf_free(&code);
	return ex;
}

/* ---- create, delete, subscribe, unsubscribe, rename ---- */

static int
done_json(struct opts *o, const char *what, const char *folder)
{
	struct json_w w;

	if (!o->json)
		return 0;
	json_init_file(&w, stdout, 0);
	json_obj_begin(&w);
	json_kv_str(&w, "command", what);
	json_kv_str(&w, "folder", folder);
	json_obj_end(&w);
	json_end_document(&w);
	return out_flush();
}

static int
cmd_simple(struct imap *s, struct opts *o, int ac, char **av)
{
	struct imap_cmd	c;
	struct mk_err	e;
	char		verb[16];
	size_t		i;
	int		rc;

	(void)ac;
	for (i = 0; cmdname[i] != '\0' && i < sizeof(verb) - 1; i++)
		verb[i] = (char)toupper((unsigned char)cmdname[i]);
	verb[i] = '\0';
	imap_cmd_init(&c);
	imap_cmd_add(&c, "%s ", verb);
	imap_cmd_mailbox(&c, av[0]);
	rc = imap_run(s, &c, NULL, NULL, NULL, NULL, &e);
	imap_cmd_free(&c);
	if (rc == -1)
		return fail_e(av[0], &e);
	return done_json(o, cmdname, av[0]);
}

static int
cmd_rename(struct imap *s, struct opts *o, int ac, char **av)
{
	struct imap_cmd	c;
	struct mk_err	e;
	int		rc;

	(void)ac;
	imap_cmd_init(&c);
	imap_cmd_add(&c, "RENAME ");
	imap_cmd_mailbox(&c, av[0]);
	imap_cmd_add(&c, " ");
	imap_cmd_mailbox(&c, av[1]);
	rc = imap_run(s, &c, NULL, NULL, NULL, NULL, &e);
	imap_cmd_free(&c);
	if (rc == -1)
		return fail_e(av[0], &e);
	return done_json(o, "rename", av[1]);
}

/* ---- copy, move ---- */

struct copier {
	struct mk_buf	code;		/* COPYUID from an untagged OK */
};

static int
copy_cb(void *arg, const struct imap_resp *r, struct mk_err *e)
{
	struct copier		*C = arg;
	const struct imap_item	*c = imap_resp_code(r);
	size_t			 i;

	(void)e;
	if (r->cond != IMAP_C_OK || c == NULL || r->nitems < 3 ||
	    !imap_item_is(&r->items[2], "COPYUID"))
		return 0;
	buf_reset(&C->code);
	for (i = 2; i < c->next; i++)
		buf_printf(&C->code, "%s%s", i > 2 ? " " : "", r->items[i].s);
	return 0;
}

/* Print "OLD<TAB>NEW" pairs from "COPYUID validity src dst". */
static int
print_copyuid(struct opts *o, const char *code)
{
	struct uidlist	 a = { NULL, 0, 0 }, b = { NULL, 0, 0 };
	struct json_w	 w;
	const char	*p1, *p2, *p3;
	size_t		 i;

	if (strncasecmp(code, "COPYUID ", 8) != 0 ||
	    (p1 = strchr(code + 8, ' ')) == NULL ||
	    (p2 = strchr(p1 + 1, ' ')) == NULL)
		return 0;
	p3 = p2 + 1;
	if (imap_set_parse(p1 + 1, (size_t)(p2 - p1 - 1), &a.u, &a.n, &a.cap,
	    UIDMAX) == -1 || imap_set_parse(p3, strlen(p3), &b.u, &b.n,
	    &b.cap, UIDMAX) == -1 || a.n != b.n) {
		free(a.u);
		free(b.u);
		return 0;
	}
	json_init_file(&w, stdout, 0);
	for (i = 0; i < a.n; i++) {
		if (o->json) {
			json_obj_begin(&w);
			json_kv_uint(&w, "uid", a.u[i]);
			json_kv_uint(&w, "new_uid", b.u[i]);
			json_obj_end(&w);
			json_end_document(&w);
		} else
			printf("%u\t%u\n", a.u[i], b.u[i]);
	}
	free(a.u);
	free(b.u);
	return 0;
}

static int
cmd_copy(struct imap *s, struct opts *o, int ac, char **av)
{
	struct imap_mbox mb;
	struct copier	 C;
	struct uidlist	 ul = { NULL, 0, 0 };
	struct imap_cmd	 c;
	struct mk_buf	 set, code;
	struct mk_err	 e;
	int		 move = strcmp(cmdname, "move") == 0, ex;
	unsigned	 caps = imap_caps(s);

	if (o->to == NULL) {
		mk_warn("%s: --to FOLDER is required", cmdname);
		usage(stderr);
		return EX_USAGE;
	}
	if ((ex = parse_uids(av + 1, ac - 1, &ul.u, &ul.n)) != 0)
		return ex;
	if (move && !(caps & IMAP_CAP_MOVE) && !(caps & IMAP_CAP_UIDPLUS)) {
		free(ul.u);
		mk_warn("move: the server has neither MOVE nor UIDPLUS: "
		    "cannot expunge only these messages");
		return EX_UNAVAILABLE;
	}
	buf_init(&set, 0);
	buf_init(&code, 0);
	buf_init(&C.code, 0);
	imap_cmd_init(&c);
	if (set_text(ul.u, ul.n, &set) == -1)
		mk_die(EX_SOFTWARE, "out of memory");
	if (imap_select(s, av[0], !move, &mb, &e) == -1) {
		ex = fail_e(av[0], &e);
		goto out;
	}
	imap_cmd_add(&c, "UID %s %s ", move && (caps & IMAP_CAP_MOVE) ?
	    "MOVE" : "COPY", buf_str(&set));
	imap_cmd_mailbox(&c, o->to);
	if (imap_run(s, &c, copy_cb, &C, NULL, &code, &e) == -1)
		goto fail;
	if (C.code.len == 0) {
		buf_reset(&C.code);
		buf_add(&C.code, code.p, code.len);
	}
	if (move && !(caps & IMAP_CAP_MOVE)) {
		/* RFC 6851 3.3: COPY, then \Deleted, then UID EXPUNGE. */
		imap_cmd_free(&c);
		imap_cmd_init(&c);
		imap_cmd_add(&c, "UID STORE %s +FLAGS.SILENT (\\Deleted)",
		    buf_str(&set));
		if (imap_run(s, &c, NULL, NULL, NULL, NULL, &e) == -1)
			goto fail;
		imap_cmd_free(&c);
		imap_cmd_init(&c);
		imap_cmd_add(&c, "UID EXPUNGE %s", buf_str(&set));
		if (imap_run(s, &c, NULL, NULL, NULL, NULL, &e) == -1)
			goto fail;
	}
	print_copyuid(o, buf_str(&C.code));
	ex = out_flush();
	goto out;
fail:
	ex = fail_e(o->to, &e);
out:
	imap_cmd_free(&c);
	buf_free(&set);
	buf_free(&code);
	buf_free(&C.code);
	free(ul.u);
	return ex;
}

/* ---- flag, unflag, expunge ---- */

static int
cmd_flag(struct imap *s, struct opts *o, int ac, char **av)
{
	struct imap_mbox mb;
	struct uidlist	 ul = { NULL, 0, 0 };
	struct mk_buf	 add, del, set;
	struct imap_cmd	 c;
	struct mk_err	 e;
	struct json_w	 w;
	int		 unflag = strcmp(cmdname, "unflag") == 0, i, nu, ex = 0;
	const char	*a;

	for (nu = 1; nu < ac && isdigit((unsigned char)av[nu][0]); nu++)
		;
	if (nu == 1 || nu == ac) {
		mk_warn("%s: want FOLDER UID... FLAG...", cmdname);
		return EX_USAGE;
	}
	if ((ex = parse_uids(av + 1, nu - 1, &ul.u, &ul.n)) != 0)
		return ex;
	buf_init(&add, 0);
	buf_init(&del, 0);
	buf_init(&set, 0);
	for (i = nu; i < ac; i++) {
		a = av[i];
		if (*a == '-' || unflag) {
			if (flag_word(a + (*a == '-' || *a == '+'), &del) == -1)
				goto bad;
		} else if (flag_word(a + (*a == '+'), &add) == -1)
			goto bad;
	}
	set_text(ul.u, ul.n, &set);
	if (imap_select(s, av[0], 0, &mb, &e) == -1) {
		ex = fail_e(av[0], &e);
		goto out;
	}
	for (i = 0; i < 2; i++) {
		struct mk_buf *b = i ? &del : &add;

		if (b->len == 0)
			continue;
		imap_cmd_init(&c);
		imap_cmd_add(&c, "UID STORE %s %cFLAGS.SILENT (%s)",
		    buf_str(&set), i ? '-' : '+', buf_str(b));
		if (imap_run(s, &c, NULL, NULL, NULL, NULL, &e) == -1) {
			imap_cmd_free(&c);
			ex = fail_e(av[0], &e);
			goto out;
		}
		imap_cmd_free(&c);
	}
	if (o->json) {
		json_init_file(&w, stdout, 0);
		json_obj_begin(&w);
		json_kv_str(&w, "command", cmdname);
		json_kv_str(&w, "folder", av[0]);
		json_kv_str(&w, "uids", buf_str(&set));
		json_kv_str(&w, "added", buf_str(&add));
		json_kv_str(&w, "removed", buf_str(&del));
		json_obj_end(&w);
		json_end_document(&w);
	}
	ex = out_flush();
	goto out;
bad:
	mk_warn("%s: bad flag \"%s\" (seen, flagged, answered, deleted, "
	    "draft or a keyword)", cmdname, a);
	ex = EX_USAGE;
out:
	buf_free(&add);
	buf_free(&del);
	buf_free(&set);
	free(ul.u);
	return ex;
}

static int
expunge_cb(void *arg, const struct imap_resp *r, struct mk_err *e)
{
	const char	*what;
	uint32_t	 n;

	(void)e;
	if (imap_resp_count(r, &what, &n) == 0 &&
	    strcasecmp(what, "EXPUNGE") == 0)
		(*(unsigned long *)arg)++;
	return 0;
}

static int
cmd_expunge(struct imap *s, struct opts *o, int ac, char **av)
{
	struct imap_mbox mb;
	struct uidlist	 ul = { NULL, 0, 0 };
	struct mk_buf	 set;
	struct imap_cmd	 c;
	struct mk_err	 e;
	struct json_w	 w;
	unsigned long	 n = 0;
	int		 ex;

	if ((ex = parse_uids(av + 1, ac - 1, &ul.u, &ul.n)) != 0)
		return ex;
	if (ul.n > 0 && !(imap_caps(s) & IMAP_CAP_UIDPLUS)) {
		free(ul.u);
		mk_warn("expunge: the server lacks UIDPLUS: cannot expunge "
		    "only these messages");
		return EX_UNAVAILABLE;
	}
	buf_init(&set, 0);
	set_text(ul.u, ul.n, &set);
	imap_cmd_init(&c);
	if (imap_select(s, av[0], 0, &mb, &e) == -1) {
		ex = fail_e(av[0], &e);
		goto out;
	}
	if (ul.n > 0)
		imap_cmd_add(&c, "UID EXPUNGE %s", buf_str(&set));
	else
		imap_cmd_add(&c, "EXPUNGE");
	if (imap_run(s, &c, expunge_cb, &n, NULL, NULL, &e) == -1) {
		ex = fail_e(av[0], &e);
		goto out;
	}
	if (o->json) {
		json_init_file(&w, stdout, 0);
		json_obj_begin(&w);
		json_kv_str(&w, "folder", av[0]);
		json_kv_uint(&w, "expunged", n);
		json_obj_end(&w);
		json_end_document(&w);
	}
	ex = out_flush();
out:
	imap_cmd_free(&c);
	buf_free(&set);
	free(ul.u);
	return ex;
}

/* ---- idle ---- */

static int
cmd_idle(struct imap *s, struct opts *o, int ac, char **av)
{
	struct imap_mbox mb;
	struct uidlist	 ul = { NULL, 0, 0 };
	struct mk_err	 e;
	struct json_w	 w;
	char		 crit[32], *words[2] = { "UID", crit };
	long long	 left = o->timeout > 0 ? o->timeout * 1000LL : -1;
	long		 ms;
	size_t		 i, k;
	int		 rc;
	struct timespec	 t0, t1;

	(void)ac;
	if (imap_select(s, av[0], 1, &mb, &e) == -1)
		return fail_e(av[0], &e);
	if (mb.uidnext == 0)
		mb.uidnext = 1;
	for (;;) {
		ms = left < 0 || left > IDLE_RENEW_MS ? IDLE_RENEW_MS :
		    (long)left;
		if (left == 0)
			return 1;
		clock_gettime(CLOCK_MONOTONIC, &t0);
		if ((rc = imap_idle(s, ms, POLL_MS, &e)) == -1)
			return fail_e(av[0], &e);
		clock_gettime(CLOCK_MONOTONIC, &t1);
		if (left > 0) {
			left -= (t1.tv_sec - t0.tv_sec) * 1000LL +
			    (t1.tv_nsec - t0.tv_nsec) / 1000000;
			if (left < 0)
				left = 0;
		}
		if (rc == 0)
			continue;
		(void)snprintf(crit, sizeof(crit), "%u:*", mb.uidnext);
		ul.n = 0;
		if (uid_search(s, words, 2, &ul, &e) == -1)
			return fail_e("SEARCH", &e);
		/* "N:*" holds the highest UID even when it is below N. */
		for (i = k = 0; i < ul.n; i++)
			if (ul.u[i] >= mb.uidnext)
				ul.u[k++] = ul.u[i];
		if ((ul.n = k) > 0)
			break;
	}
	if (o->json) {
		json_init_file(&w, stdout, 0);
		json_arr_begin(&w);
		for (i = 0; i < ul.n; i++)
			json_uint(&w, ul.u[i]);
		json_arr_end(&w);
		json_end_document(&w);
	} else
		for (i = 0; i < ul.n; i++)
			printf("%u\n", ul.u[i]);
	free(ul.u);
	return out_flush();
}

/* ---- main ---- */

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
