/*
 * mpop: fetch POP3 mailboxes from cron without ever losing a message.
 *
 * The order that makes it safe is in commit(): a message is durably
 * delivered, then the UIDL state is saved, and only then may its DELE
 * be sent; the DELEs count only after QUIT got +OK.
 */
#include <sys/stat.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sysexits.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>

#include "conf.h"
#include "json.h"
#include "maildir.h"
#include "mbox.h"
#include "mcurl.h"
#include "mk.h"
#include "pass.h"
#include "pop3.h"
#include "uidl.h"

#define BATCH		MAILDIR_BATCH	/* messages per commit */
#define SPOOLMAX	(64 * 1024)	/* bytes buffered for an MDA's spool */
#define LOCK_WAIT	30		/* seconds for an mbox lock, default */

enum {
	OPT_ALL = 256, OPT_CAFILE, OPT_DELETE, OPT_HEADERS, OPT_INSECURE,
	OPT_JSON, OPT_LIST, OPT_MAILDIR, OPT_MAXSIZE, OPT_MBOX, OPT_MDA,
	OPT_PWCMD, OPT_PWFILE, OPT_RECEIVED, OPT_SERVER, OPT_STDOUT, OPT_TIMEOUT, OPT_TLS,
	OPT_TRACE, OPT_USER, OPT_VERSION
};

static const struct option longopts[] = {
	{ "account",		required_argument,	NULL, 'a' },
	{ "all",		no_argument,		NULL, OPT_ALL },
	{ "ca-file",		required_argument,	NULL, OPT_CAFILE },
	{ "delete",		no_argument,		NULL, OPT_DELETE },
	{ "headers-only",	no_argument,		NULL, OPT_HEADERS },
	{ "help",		no_argument,		NULL, 'h' },
	{ "insecure",		no_argument,		NULL, OPT_INSECURE },
	{ "json",		no_argument,		NULL, OPT_JSON },
	{ "list",		no_argument,		NULL, OPT_LIST },
	{ "maildir",		required_argument,	NULL, OPT_MAILDIR },
	{ "max-size",		required_argument,	NULL, OPT_MAXSIZE },
	{ "mbox",		required_argument,	NULL, OPT_MBOX },
	{ "mda",		required_argument,	NULL, OPT_MDA },
	{ "password-command",	required_argument,	NULL, OPT_PWCMD },
	{ "password-file",	required_argument,	NULL, OPT_PWFILE },
	{ "quiet",		no_argument,		NULL, 'q' },
	{ "received",		no_argument,		NULL, OPT_RECEIVED },
	{ "server",		required_argument,	NULL, OPT_SERVER },
	{ "stdout",		no_argument,		NULL, OPT_STDOUT },
	{ "timeout",		required_argument,	NULL, OPT_TIMEOUT },
	{ "tls",		required_argument,	NULL, OPT_TLS },
	{ "trace",		no_argument,		NULL, OPT_TRACE },
	{ "user",		required_argument,	NULL, OPT_USER },
	{ "verbose",		no_argument,		NULL, 'v' },
	{ "version",		no_argument,		NULL, OPT_VERSION },
	{ NULL,			0,			NULL, 0 }
};

enum target { T_NONE, T_MAILDIR, T_MBOX, T_MDA, T_STDOUT };

struct opts {
	const char	*account;
	const char	*server;
	const char	*user;
	const char	*ca_file;
	const char	*pwcmd, *pwfile;
	const char	*dest;		/* --maildir DIR, --mbox FILE, --mda */
	enum target	 target;
	enum mcurl_tls	 tls;
	int		 tls_set;
	int		 all, del, headers, insecure, json, list, quiet;
	int		 received;	/* --received: add a Received: */
	int		 verbose, trace;
	long		 timeout;	/* 0: default */
	unsigned long long maxsize;	/* 0: none */
};

/* One run: the session, the target and what was done. */
struct run {
	const struct opts *o;
	struct pop3	*p;
	struct maildir	*md;
	struct mbox	*mb;
	int		 spoolfd;	/* --mda: the message, then its stdin */
	struct mk_buf	 spool;		/* bytes not yet in the spool file */
	char		 mbpath[4096];	/* --mbox: its absolute path */
	int		 mbjournal;	/* the mbox journal holds this batch */
	long long	 mbsize;	/* the mbox's size in the journal */
	const char	*srvhost;	/* --received: the server's name */
	char		 myhost[256];	/* --received: ours */
	int		 rcvd;		/* --received: not yet written */
	struct pop3_msg	*msgs;		/* the maildrop */
	size_t		 nmsgs;
	size_t		*todo;		/* indexes into msgs to fetch */
	unsigned long	*nums;
	size_t		 ntodo;
	size_t		 cur;		/* index into todo being received */
	size_t		*pend;		/* delivered, state not yet saved */
	size_t		 npend;
	struct uidl_set	 state;		/* UIDLs delivered */
	char		 statepath[4096];
	size_t		 nnew;		/* messages delivered this run */
	unsigned long long bytes;	/* of the messages delivered */
	unsigned long long rbytes;	/* received, for the progress bar */
	int		 mdafail;	/* an MDA refused a message */
	int		 progress;	/* stderr is a terminal */
	double		 t0, tshown;
};

static void	usage(FILE *);
static double	now(void);
static void	parse_args(int, char *[], struct opts *);
static char	*url_host(const char *);
static void	session_params(const struct opts *, struct mcurl_params *,
		    const char **, char **);
static int	list_print(struct run *, struct mk_err *);
static int	journal_recover(struct run *, struct mk_err *);
static int	commit(struct run *, struct mk_err *);
static int	save_state(struct run *, int, struct mk_err *);
static int	sink_begin(void *, size_t, struct mk_err *);
static int	sink_data(void *, const void *, size_t, struct mk_err *);
static int	sink_end(void *, struct mk_err *);
static int	mbox_journal_recover(struct run *, struct mk_err *);
static int	mbox_journal_start(struct run *, struct mk_err *);
static int	mbox_commit_journaled(struct run *, size_t, struct mk_err *);
static int	spool_flush(struct run *, struct mk_err *);
static int	mda_run(struct run *, struct mk_err *);
static int	target_write(struct run *, const void *, size_t,
		    struct mk_err *);
static int	hash_fallback(struct run *, struct mk_err *);
static void	show_progress(struct run *, int);
static int	select_todo(struct run *, struct mk_err *);
static int	fetch(struct run *, struct mk_err *);
static int	delete_delivered(struct run *, size_t *, struct mk_err *);
static void	summary(struct run *, size_t);

static void
usage(FILE *fp)
{
	fputs("usage: mpop [-h] [-q | --quiet] [-v | --verbose] "
	    "[-a | --account name] [--all]\n"
	    "            [--ca-file file] [--delete] [--headers-only] "
	    "[--insecure] [--json]\n"
	    "            [--list] [--maildir dir | --mbox file | "
	    "--mda command | --stdout]\n"
	    "            [--max-size bytes] [--password-command command]\n"
	    "            [--password-file file] [--received] [--server url]\n"
	    "            [--timeout secs] [--tls mode] [--trace] "
	    "[--user name] [--version]\n",
	    fp);
}

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void
set_target(struct opts *o, enum target t, const char *dest)
{
	if (o->target != T_NONE && o->target != t) {
		mk_warn("--maildir, --mbox, --mda and --stdout exclude each "
		    "other");
		usage(stderr);
		exit(EX_USAGE);
	}
	o->target = t;
	o->dest = dest;
}

static void
parse_args(int argc, char *argv[], struct opts *o)
{
	const char	*errstr;
	int		 ch;

	opterr = 0;
	while ((ch = getopt_long(argc, argv, ":a:hqv", longopts, NULL)) !=
	    -1) {
		switch (ch) {
		case 'a':
			o->account = optarg;
			break;
		case 'h':
			usage(stdout);
			exit(0);
		case 'q':
			o->quiet = 1;
			break;
		case 'v':
			o->verbose = 1;
			break;
		case OPT_ALL:
			o->all = 1;
			break;
		case OPT_CAFILE:
			o->ca_file = optarg;
			break;
		case OPT_DELETE:
			o->del = 1;
			break;
		case OPT_HEADERS:
			o->headers = 1;
			break;
		case OPT_INSECURE:
			o->insecure = 1;
			break;
		case OPT_JSON:
			o->json = 1;
			break;
		case OPT_LIST:
			o->list = 1;
			break;
		case OPT_MAILDIR:
			set_target(o, T_MAILDIR, optarg);
			break;
		case OPT_MAXSIZE:
			o->maxsize = (unsigned long long)mk_strtonum(optarg, 1,
			    (long long)1 << 50, &errstr);
			if (errstr != NULL)
				mk_die(EX_USAGE, "--max-size %s: %s", optarg,
				    errstr);
			break;
		case OPT_MBOX:
			set_target(o, T_MBOX, optarg);
			break;
		case OPT_MDA:
			set_target(o, T_MDA, optarg);
			break;
		case OPT_PWCMD:
			o->pwcmd = optarg;
			break;
		case OPT_PWFILE:
			o->pwfile = optarg;
			break;
		case OPT_RECEIVED:
			o->received = 1;
			break;
		case OPT_SERVER:
			o->server = optarg;
			break;
		case OPT_STDOUT:
			set_target(o, T_STDOUT, NULL);
			break;
		case OPT_TIMEOUT:
			o->timeout = (long)mk_strtonum(optarg, 1, 86400,
			    &errstr);
			if (errstr != NULL)
				mk_die(EX_USAGE, "--timeout %s: %s", optarg,
				    errstr);
			break;
		case OPT_TLS:
			o->tls_set = 1;
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
			mk_warn("%s: unknown option", argv[optind - 1]);
			usage(stderr);
			exit(EX_USAGE);
		}
	}
	if (optind < argc) {
		mk_warn("%s: unexpected argument", argv[optind]);
		usage(stderr);
		exit(EX_USAGE);
	}
	if (o->list && o->target != T_NONE)
		mk_die(EX_USAGE, "--list: no target option goes with it");
	if (!o->list && o->target == T_NONE)
		mk_die(EX_USAGE, "no target: give --maildir, --mbox, --mda, "
		    "--stdout or --list");
	if (o->headers && o->del)
		mk_die(EX_USAGE, "--headers-only: cannot go with --delete");
	if (o->json && o->target == T_STDOUT)
		mk_die(EX_USAGE, "--json: cannot go with --stdout");
	if (o->quiet && o->verbose)
		mk_die(EX_USAGE, "-q and -v exclude each other");
}

/* The host of url (for ~/.netrc), or NULL; free() it. */
static char *
url_host(const char *url)
{
	CURLU	*u;
	char	*h = NULL, *copy = NULL;

	if ((u = curl_url()) == NULL)
		return NULL;
	if (curl_url_set(u, CURLUPART_URL, url, CURLU_NON_SUPPORT_SCHEME) ==
	    CURLUE_OK && curl_url_get(u, CURLUPART_HOST, &h, 0) == CURLUE_OK)
		copy = mk_xstrdup(h);
	curl_free(h);
	curl_url_cleanup(u);
	return copy;
}

/*
 * The session's settings from the options and the account; *key names
 * the mailbox for the state file, *password is the caller's to free.
 */
static void
session_params(const struct opts *o, struct mcurl_params *mp,
    const char **key, char **password)
{
	static struct conf		*cf;
	const struct conf_account	*a = NULL;
	struct pass_src			 src;
	struct mk_err			 e;
	char				*host;
	int				 rc;

	memset(mp, 0, sizeof(*mp));
	/* --server alone: no account, and no accounts file needed. */
	if (o->account != NULL || o->server == NULL) {
		if ((cf = conf_load(NULL, &e)) == NULL)
			mk_fail(&e);
		if ((a = conf_account(cf, o->account, &e)) == NULL) {
			if (e.st != MK_NOTFOUND)
				mk_fail(&e);
			mk_die(EX_USAGE, "no account and no --server: give "
			    "-a NAME or --server URL");
		}
	}
	mp->url = o->server != NULL ? o->server : a->pop3;
	if (mp->url == NULL)
		mk_die(EX_CONFIG, "%s: account %s has no pop3 URL",
		    conf_path(cf), a->name);
	*key = a != NULL && o->server == NULL ? a->name : mp->url;
	mp->user = o->user != NULL ? o->user : a != NULL ? a->user : NULL;
	mp->ca_file = o->ca_file != NULL ? o->ca_file :
	    a != NULL ? a->ca_file : NULL;
	mp->insecure = o->insecure || (a != NULL && a->insecure);
	mp->timeout_s = o->timeout ? o->timeout :
	    a != NULL ? a->timeout : 0;
	if (o->tls_set)
		mp->tls = o->tls;
	else if (a != NULL && a->tls != NULL)
		mp->tls = strcmp(a->tls, "auto") == 0 ? MCURL_TLS_AUTO :
		    strcmp(a->tls, "off") == 0 ? MCURL_TLS_OFF :
		    MCURL_TLS_REQUIRED;
	mp->trace = o->trace ? stderr : NULL;
	*password = NULL;
	if (mp->user == NULL)
		return;
	/* Refused before any lookup, whose messages name the user. */
	if (mk_has_ctl_line(mp->user, strlen(mp->user)))
		mk_die(EX_USAGE, "--user: CR, LF or NUL in the user name");
	memset(&src, 0, sizeof(src));
	if (o->pwcmd != NULL || o->pwfile != NULL) {
		src.command = o->pwcmd;
		src.file = o->pwfile;
	} else if (a != NULL) {
		src.command = a->password_command;
		src.file = a->password_file;
		src.config_password = a->password;
	}
	host = url_host(mp->url);
	src.host = host;
	src.user = mp->user;
	src.allow_prompt = 1;
	rc = pass_get(&src, password, &e);
	free(host);
	if (rc == -1)
		mk_fail(&e);
	if (rc == 1)
		mk_die(EX_NOPERM, "no password for %s (see mkit-config(5))",
		    mp->user);
	mp->password = *password;
}

/* --list: "NUM SIZE UIDL" lines, or a JSON array. */
static int
list_print(struct run *r, struct mk_err *e)
{
	struct json_w	w;
	size_t		i;

	if (r->o->json) {
		json_init_file(&w, stdout, 0);
		json_arr_begin(&w);
		for (i = 0; i < r->nmsgs; i++) {
			json_obj_begin(&w);
			json_kv_uint(&w, "num", r->msgs[i].num);
			json_kv_uint(&w, "size", r->msgs[i].size);
			json_key(&w, "uidl");
			if (r->msgs[i].uid[0] != '\0')
				json_str(&w, r->msgs[i].uid);
			else
				json_null(&w);
			json_kv_bool(&w, "fetched",
			    r->msgs[i].uid[0] != '\0' &&
			    uidl_has(&r->state, r->msgs[i].uid));
			json_obj_end(&w);
		}
		json_arr_end(&w);
		json_end_document(&w);
		return json_error(&w, e);
	}
	for (i = 0; i < r->nmsgs; i++)
		printf("%lu %llu %s\n", r->msgs[i].num, r->msgs[i].size,
		    r->msgs[i].uid[0] != '\0' ? r->msgs[i].uid : "-");
	if (fflush(stdout) == EOF || ferror(stdout))
		return mk_seterrno(e, MK_EIO, errno, "standard output");
	return 0;
}

/*
 * A journal left by a run that died while committing: each message
 * whose file is in the Maildir counts as fetched.
 */
static int
journal_recover(struct run *r, struct mk_err *e)
{
	struct uidl_pend	*v = NULL;
	size_t			 n, i;
	int			 rc = -1;

	/*
	 * Only a Maildir run can tell which journaled messages reached
	 * new/: any other run (--list, --mbox, --mda, --stdout) leaves the
	 * journal for the next Maildir run, or that run fetches them again.
	 */
	if (r->md == NULL)
		return 0;
	if (uidl_journal_load(r->statepath, &v, &n, e) == -1)
		return -1;
	if (n == 0) {
		free(v);
		return 0;
	}
	for (i = 0; i < n; i++)
		if (maildir_has(r->md, v[i].name) &&
		    uidl_add(&r->state, v[i].uid, e) == -1)
			goto out;
	if (uidl_save(r->statepath, &r->state, e) == -1 ||
	    uidl_journal_remove(r->statepath, e) == -1)
		goto out;
	rc = 0;
out:
	free(v);
	return rc;
}

/* Save the state; with prune 1, only UIDLs still on the server. */
static int
save_state(struct run *r, int prune, struct mk_err *e)
{
	struct uidl_set	keep;
	size_t		i;
	int		rc;

	if (!prune)
		return uidl_save(r->statepath, &r->state, e);
	uidl_init(&keep);
	for (i = 0; i < r->nmsgs; i++)
		if (r->msgs[i].uid[0] != '\0' &&
		    uidl_has(&r->state, r->msgs[i].uid) &&
		    uidl_add(&keep, r->msgs[i].uid, e) == -1) {
			uidl_free(&keep);
			return -1;
		}
	rc = uidl_save(r->statepath, &keep, e);
	uidl_free(&keep);
	return rc;
}

/*
 * Make the finished messages durable and remember them.  THE ORDER
 * THAT LOSES NOTHING:
 *   1. the messages reach the disk (Maildir: each file fsynced in tmp/,
 *      then, with the journal saved, linked into new/ and new/ fsynced;
 *      mbox: appended under a journal of its old size (saved before
 *      the batch's first byte), fsynced, then the journal saved again
 *      with the batch's UIDLs; MDA: it exited 0, committed one message
 *      at a time; stdout: written);
 *   2. their UIDLs are saved in the state file (atomically);
 *   3. only after that may delete_delivered() send their DELEs, and
 *      those count only once QUIT got +OK.
 * A crash before 2 fetches them again (the journal finds Maildir files
 * already in new/, and cuts an mbox back to its size before the batch,
 * so no duplicate and no torn message there; an MDA may have delivered
 * the last one: one duplicate at worst); a crash before the QUIT reply
 * leaves them on the server, where the state skips them.
 */
static int
commit(struct run *r, struct mk_err *e)
{
	struct uidl_pend	*jv = NULL;
	size_t			 i, n = r->npend;
	int			 rc = -1;

	if (n == 0 && !r->mbjournal)
		return 0;
	r->npend = 0;
	switch (r->o->target) {
	case T_MAILDIR:
		if (r->o->headers) {
			if (maildir_commit(r->md, e) == -1)
				return -1;
			break;
		}
		if (maildir_sync(r->md, e) == -1)
			return -1;
		jv = mk_xmalloc(n * sizeof(*jv));
		for (i = 0; i < n; i++) {
			snprintf(jv[i].uid, sizeof(jv[i].uid), "%s",
			    r->msgs[r->pend[i]].uid);
			snprintf(jv[i].name, sizeof(jv[i].name), "%s",
			    maildir_pending_name(r->md, i));
		}
		if (uidl_journal_save(r->statepath, jv, n, e) == -1 ||
		    maildir_commit(r->md, e) == -1)
			goto out;
		break;
	case T_MBOX:
		if (mbox_commit_journaled(r, n, e) == -1)
			goto out;
		break;
	case T_STDOUT:
		if (mbox_commit(r->mb, e) == -1)
			goto out;
		break;
	default:
		break;
	}
	if (!r->o->headers) {
		for (i = 0; i < n; i++)
			if (uidl_add(&r->state, r->msgs[r->pend[i]].uid,
			    e) == -1)
				goto out;
		if (n > 0 && save_state(r, 0, e) == -1)
			goto out;
	}
	/* Headers only: nothing counts as fetched, no journal to keep. */
	if (jv != NULL && uidl_journal_remove(r->statepath, e) == -1)
		goto out;
	if (r->mbjournal) {
		if (uidl_mboxj_remove(r->statepath, e) == -1)
			goto out;
		r->mbjournal = 0;
	}
	rc = 0;
out:
	free(jv);
	return rc;
}

/*
 * A journal of an mbox append that a crash interrupted: cut the mbox
 * back to its size before the batch, unless the state shows the batch
 * was committed.
 */
static int
mbox_journal_recover(struct run *r, struct mk_err *e)
{
	struct uidl_mboxj	 j;
	struct mbox		*mb = NULL;
	struct stat		 st, cur;
	size_t			 i;
	int			 rc = -1, done, res;

	uidl_mboxj_init(&j);
	if ((res = uidl_mboxj_load(r->statepath, &j, e)) <= 0) {
		rc = res;
		goto out;
	}
	done = j.uids.n > 0;
	for (i = 0; done && i < j.uids.n; i++)
		done = uidl_has(&r->state, j.uids.v[i]);
	if (!done && stat(j.mbox, &st) == 0) {
		if (r->mb != NULL && r->o->target == T_MBOX &&
		    stat(r->mbpath, &cur) == 0 && cur.st_dev == st.st_dev &&
		    cur.st_ino == st.st_ino)
			mb = r->mb;
		else if ((mb = mbox_open(j.mbox, r->o->timeout ?
		    (int)r->o->timeout : LOCK_WAIT, e)) == NULL)
			goto out;
		res = mbox_recover(mb, j.size, e);
		if (mb != r->mb)
			mbox_close(mb);
		if (res == -1)
			goto out;
		if (res == 1)
			mk_warn("%s: a delivery cut off at byte %lld is followed "
			    "by mail from another program: left as it is",
			    j.mbox, j.size);
	}
	rc = uidl_mboxj_remove(r->statepath, e);
out:
	uidl_mboxj_free(&j);
	return rc;
}

/* Before the first byte of a batch reaches the mbox: its size now. */
static int
mbox_journal_start(struct run *r, struct mk_err *e)
{
	if (r->mbjournal)
		return 0;
	r->mbsize = mbox_size(r->mb);
	if (uidl_mboxj_save(r->statepath, r->mbpath, r->mbsize, NULL, 0,
	    e) == -1)
		return -1;
	r->mbjournal = 1;
	return 0;
}

/*
 * The batch into the mbox and fsynced, then the journal again, now
 * with the batch's UIDLs: from here on the next run keeps the batch if
 * the state has them, and cuts it off if not.
 */
static int
mbox_commit_journaled(struct run *r, size_t n, struct mk_err *e)
{
	const char	**v;
	size_t		  i;
	int		  rc;

	if (mbox_commit(r->mb, e) == -1)
		return -1;
	if (r->o->headers || n == 0)
		return 0;
	v = mk_xmalloc(n * sizeof(*v));
	for (i = 0; i < n; i++)
		v[i] = r->msgs[r->pend[i]].uid;
	rc = uidl_mboxj_save(r->statepath, r->mbpath, r->mbsize, v, n, e);
	free(v);
	return rc;
}

/* Write the buffered bytes of the message into the spool file. */
static int
spool_flush(struct run *r, struct mk_err *e)
{
	const char	*p = (const char *)r->spool.p;
	size_t		 n = r->spool.len;
	ssize_t		 w;

	while (n > 0) {
		if ((w = write(r->spoolfd, p, n)) == -1) {
			if (errno == EINTR)
				continue;
			buf_reset(&r->spool);
			return mk_seterrno(e, MK_EIO, errno, "write the "
			    "spool file for --mda");
		}
		p += w;
		n -= (size_t)w;
	}
	buf_reset(&r->spool);
	return 0;
}

/*
 * Run the MDA on the whole message, its standard input the spool file,
 * and wait: 0 delivered, 1 refused (the message stays on the server,
 * the run goes on), -1 exit 75 (stop: try later).  The MDA starts only
 * once the message is complete, so a message cut off never reaches it,
 * and one started reads all of it even if mpop dies meanwhile.
 */
static int
mda_run(struct run *r, struct mk_err *e)
{
	pid_t	pid, w;
	int	st;

	if (spool_flush(r, e) == -1)
		return -1;
	if (lseek(r->spoolfd, 0, SEEK_SET) == -1)
		return mk_seterrno(e, MK_EIO, errno, "spool file");
	fflush(stdout);
	fflush(stderr);
	if ((pid = fork()) == -1)
		return mk_seterrno(e, MK_ETEMP, errno, "fork");
	if (pid == 0) {
		if (dup2(r->spoolfd, 0) == -1)
			_exit(EX_OSERR);
		signal(SIGPIPE, SIG_DFL);
		execl("/bin/sh", "sh", "-c", r->o->dest, (char *)NULL);
		_exit(127);
	}
	while ((w = waitpid(pid, &st, 0)) == -1 && errno == EINTR)
		;
	if (w == -1)
		return mk_seterrno(e, MK_ESOFTWARE, errno, "waitpid");
	if (WIFEXITED(st) && WEXITSTATUS(st) == 0)
		return 0;
	if (WIFEXITED(st) && WEXITSTATUS(st) == EX_TEMPFAIL)
		return mk_seterr(e, MK_ETEMP, "--mda exited 75 for message "
		    "%lu: try again later", r->nums[r->cur]);
	if (WIFEXITED(st))
		mk_warn("--mda exited %d for message %lu: left on the "
		    "server", WEXITSTATUS(st), r->nums[r->cur]);
	else
		mk_warn("--mda died of signal %d for message %lu: left on "
		    "the server", WTERMSIG(st), r->nums[r->cur]);
	r->mdafail = 1;
	return 1;
}

static int
sink_begin(void *arg, size_t idx, struct mk_err *e)
{
	struct run *r = arg;

	r->cur = idx;
	r->rcvd = r->o->received;
	switch (r->o->target) {
	case T_MAILDIR:
		return maildir_add_begin(r->md, e);
	case T_MBOX:
		if (mbox_journal_start(r, e) == -1)
			return -1;
		return mbox_add_begin(r->mb, time(NULL), e);
	case T_STDOUT:
		return mbox_add_begin(r->mb, time(NULL), e);
	case T_MDA:
		buf_reset(&r->spool);
		if (ftruncate(r->spoolfd, 0) == -1 ||
		    lseek(r->spoolfd, 0, SEEK_SET) == -1)
			return mk_seterrno(e, MK_EIO, errno, "spool file");
		return 0;
	default:
		return mk_seterr(e, MK_ESOFTWARE, "no target");
	}
}

/* Message bytes to the target. */
static int
target_write(struct run *r, const void *p, size_t n, struct mk_err *e)
{
	switch (r->o->target) {
	case T_MAILDIR:
		return maildir_write(r->md, p, n, e);
	case T_MBOX:
	case T_STDOUT:
		return mbox_write(r->mb, p, n, e);
	case T_MDA:
		if (buf_add(&r->spool, p, n) == -1)
			return mk_seterr(e, MK_ESOFTWARE, "out of memory");
		if (r->spool.len >= SPOOLMAX)
			return spool_flush(r, e);
		return 0;
	default:
		return mk_seterr(e, MK_ESOFTWARE, "no target");
	}
}

static int
sink_data(void *arg, const void *p, size_t n, struct mk_err *e)
{
	struct run	*r = arg;
	const char	*s = p;
	char		 hdr[1024];
	int		 k;

	r->rbytes += n;
	if (r->rcvd) {
		/* --received: first, ending as the first line ends. */
		r->rcvd = 0;
		k = pop3_received_format(hdr, sizeof(hdr), r->srvhost,
		    r->myhost, time(NULL), n >= 2 && s[n - 2] == '\r' &&
		    s[n - 1] == '\n' ? "\r\n" : "\n");
		if (k == -1)
			return mk_seterr(e, MK_ESOFTWARE, "cannot make the "
			    "Received: header");
		if (target_write(r, hdr, (size_t)k, e) == -1)
			return -1;
	}
	return target_write(r, p, n, e);
}

static int
sink_end(void *arg, struct mk_err *e)
{
	struct run	*r = arg;
	size_t		 m = r->todo[r->cur];
	int		 rc = 0;

	switch (r->o->target) {
	case T_MAILDIR:
		rc = maildir_add_end(r->md, e);
		break;
	case T_MBOX:
	case T_STDOUT:
		rc = mbox_add_end(r->mb, e);
		break;
	case T_MDA:
		if ((rc = mda_run(r, e)) == 1) {
			show_progress(r, 0);
			return 0;
		}
		break;
	default:
		break;
	}
	if (rc == -1)
		return -1;
	r->pend[r->npend++] = m;
	r->nnew++;
	r->bytes += r->msgs[m].size;
	show_progress(r, 0);
	/*
	 * An MDA's delivery is remembered at once, so that a crash makes
	 * at most one duplicate (the message it was given last).
	 */
	if (r->npend == BATCH || r->o->target == T_MDA)
		return commit(r, e);
	return 0;
}

/* The progress line on a terminal: messages, bytes, rate. */
static void
show_progress(struct run *r, int last)
{
	double t = now(), dt = t - r->t0;

	if (!r->progress || (!last && t - r->tshown < 0.2))
		return;
	r->tshown = t;
	fprintf(stderr, "\rmpop: %zu/%zu messages, %.1f MB, %.0f msg/s\033[K",
	    r->cur + 1, r->ntodo, (double)r->rbytes / 1e6,
	    dt > 0 ? (double)(r->cur + 1) / dt : 0.0);
	if (last)
		fputs("\r\033[K", stderr);
}

/*
 * A server without UIDL (or a message UIDL did not list): each such
 * message is known by a hash of its header block and size (TOP n 0).
 * Said once per run, unless -q.
 */
static int
hash_fallback(struct run *r, struct mk_err *e)
{
	size_t	i, k;

	for (i = 0; i < r->nmsgs && r->msgs[i].uid[0] != '\0'; i++)
		;
	if (i == r->nmsgs)
		return 0;
	if (pop3_hdr_uids(r->p, r->msgs, r->nmsgs, &k, e) == -1)
		return -1;
	if (!r->o->quiet)
		mk_warn("the server gave no UIDL for %zu message%s: told apart "
		    "by a hash of the header and size instead", k,
		    k == 1 ? "" : "s");
	return 0;
}

/* Which messages to fetch: not fetched before, not too big. */
static int
select_todo(struct run *r, struct mk_err *e)
{
	struct pop3_msg	*m;
	size_t		 i;

	(void)e;
	r->todo = mk_xmalloc((r->nmsgs + 1) * sizeof(*r->todo));
	r->nums = mk_xmalloc((r->nmsgs + 1) * sizeof(*r->nums));
	r->pend = mk_xmalloc(BATCH * sizeof(*r->pend));
	for (i = 0; i < r->nmsgs; i++) {
		m = &r->msgs[i];
		if (!r->o->all && uidl_has(&r->state, m->uid))
			continue;
		if (r->o->maxsize > 0 && m->size > r->o->maxsize &&
		    !r->o->headers) {
			if (!r->o->quiet)
				mk_warn("message %lu (%llu bytes, UIDL %s) is "
				    "over --max-size: left on the server",
				    m->num, m->size, m->uid);
			continue;
		}
		r->todo[r->ntodo] = i;
		r->nums[r->ntodo++] = m->num;
	}
	return 0;
}

/* Fetch the selected messages; whatever was complete is committed. */
static int
fetch(struct run *r, struct mk_err *e)
{
	struct pop3_sink	s = { sink_begin, sink_data, sink_end, r };
	struct mk_err		e2;
	int			rc;

	rc = pop3_fetch(r->p, r->nums, r->ntodo, r->o->headers ? 0 : -1, &s,
	    e);
	show_progress(r, 1);
	if (r->md != NULL)
		maildir_add_abort(r->md);
	if (r->mb != NULL)
		mbox_add_abort(r->mb);
	/* Keep what did arrive whole, even after an error. */
	if (commit(r, rc == -1 ? &e2 : e) == -1 && rc == 0)
		return -1;
	return rc;
}

/*
 * --delete: DELE every message on the server whose UIDL is in the state
 * (delivered now or before); *n gets how many.
 */
static int
delete_delivered(struct run *r, size_t *n, struct mk_err *e)
{
	unsigned long	*nums;
	size_t		 i, k = 0;
	int		 rc;

	nums = mk_xmalloc((r->nmsgs + 1) * sizeof(*nums));
	for (i = 0; i < r->nmsgs; i++)
		if (r->msgs[i].uid[0] != '\0' &&
		    uidl_has(&r->state, r->msgs[i].uid))
			nums[k++] = r->msgs[i].num;
	rc = pop3_dele(r->p, nums, k, e);
	free(nums);
	*n = k;
	return rc;
}

static void
summary(struct run *r, size_t ndel)
{
	struct json_w	w;
	double		dt = now() - r->t0;

	if (r->o->json) {
		json_init_file(&w, stdout, 0);
		json_obj_begin(&w);
		json_kv_uint(&w, "new", r->nnew);
		json_kv_uint(&w, "bytes", r->bytes);
		json_kv_uint(&w, "deleted", ndel);
		json_kv_uint(&w, "on_server", r->nmsgs);
		json_kv_int(&w, "ms", (long long)(dt * 1000 + 0.5));
		json_obj_end(&w);
		json_end_document(&w);
	}
	if (!r->o->verbose)
		return;
	fprintf(stderr, "%zu new message%s, %llu KB, %.1f s", r->nnew,
	    r->nnew == 1 ? "" : "s", (r->bytes + 1023) / 1024, dt);
	if (r->o->del)
		fprintf(stderr, ", %zu deleted", ndel);
	fputc('\n', stderr);
}

int
main(int argc, char *argv[])
{
	struct opts		 o;
	struct run		 r;
	struct mcurl_params	 mp;
	struct mk_err		 e;
	const char		*key;
	char			*password = NULL, *srvhost = NULL;
	char			 tmpl[4096];
	const char		*td;
	size_t			 ndel = 0;
	int			 lockfd = -1, rc, code = 0;

	mk_setprogname(argv[0]);
	memset(&o, 0, sizeof(o));
	parse_args(argc, argv, &o);
	signal(SIGPIPE, SIG_IGN);
	memset(&r, 0, sizeof(r));
	r.o = &o;
	r.spoolfd = -1;
	buf_init(&r.spool, 0);
	r.t0 = now();
	r.progress = !o.quiet && !o.list && isatty(2);
	uidl_init(&r.state);
	if (o.insecure)
		mk_warn("%s", mcurl_insecure_warning());
	session_params(&o, &mp, &key, &password);
	if (o.received) {
		r.srvhost = srvhost = url_host(mp.url);
		if (gethostname(r.myhost, sizeof(r.myhost)) == -1)
			snprintf(r.myhost, sizeof(r.myhost), "localhost");
		r.myhost[sizeof(r.myhost) - 1] = '\0';
	}

	/* One mpop per mailbox: the state file's lock. */
	if (uidl_path(r.statepath, sizeof(r.statepath), key, mp.user,
	    &e) == -1 || uidl_lock(r.statepath, &lockfd, &e) == -1 ||
	    uidl_load(r.statepath, &r.state, &e) == -1)
		mk_fail(&e);

	/* The target before the server: exit 73 before any network. */
	switch (o.target) {
	case T_MAILDIR:
		if ((r.md = maildir_open(o.dest, &e)) == NULL)
			mk_fail(&e);
		break;
	case T_MBOX:
		if ((r.mb = mbox_open(o.dest, o.timeout ? (int)o.timeout :
		    LOCK_WAIT, &e)) == NULL)
			mk_fail(&e);
		if (realpath(o.dest, r.mbpath) == NULL)
			mk_die(EX_CANTCREAT, "%s:", o.dest);
		break;
	case T_STDOUT:
		if ((r.mb = mbox_stream(1, &e)) == NULL)
			mk_fail(&e);
		break;
	case T_MDA:
		/* The spool the MDA reads each whole message from. */
		td = getenv("TMPDIR");
		snprintf(tmpl, sizeof(tmpl), "%s/mpop.XXXXXX",
		    td != NULL && td[0] == '/' ? td : "/tmp");
		if ((r.spoolfd = mkstemp(tmpl)) == -1)
			mk_die(EX_CANTCREAT, "create %s:", tmpl);
		(void)unlink(tmpl);
		(void)fcntl(r.spoolfd, F_SETFD, FD_CLOEXEC);
		break;
	default:
		break;
	}
	if (journal_recover(&r, &e) == -1 ||
	    mbox_journal_recover(&r, &e) == -1)
		mk_fail(&e);

	if ((r.p = pop3_open(&mp, &e)) == NULL)
		goto fail;
	pass_free(password);
	password = NULL;
	if (pop3_scan(r.p, 1, &r.msgs, &r.nmsgs, &e) == -1)
		goto fail;
	if (hash_fallback(&r, &e) == -1)
		goto fail;
	if (o.list) {
		if (list_print(&r, &e) == -1)
			goto fail;
	} else {
		select_todo(&r, &e);
		rc = fetch(&r, &e);
		if (rc == -1)
			goto fail;
		if (!o.headers && save_state(&r, 1, &e) == -1)
			goto fail;
		if (o.del && !r.mdafail &&
		    delete_delivered(&r, &ndel, &e) == -1)
			goto fail;
	}
	/* Only a +OK to QUIT makes the DELEs real (RFC 1939 6). */
	if (pop3_quit(r.p, &e) == -1) {
		if (ndel > 0)
			mk_warn("QUIT failed: the %zu deletions may not have "
			    "taken effect", ndel);
		goto fail;
	}
	if (r.mdafail)
		code = EX_UNAVAILABLE;
	if (!o.list)
		summary(&r, ndel);
	goto out;
fail:
	code = mk_exitcode(e.st);
	mk_warn("%s", e.msg);
out:
	pass_free(password);
	free(srvhost);
	if (r.spoolfd != -1)
		close(r.spoolfd);
	buf_free(&r.spool);
	pop3_close(r.p);
	maildir_close(r.md);
	mbox_close(r.mb);
	uidl_free(&r.state);
	free(r.msgs);
	free(r.todo);
	free(r.nums);
	free(r.pend);
	if (lockfd != -1)
		close(lockfd);
	if (fflush(stdout) == EOF && code == 0) {
		mk_warn("standard output:");
		code = EX_IOERR;
	}
	return code;
}
