/*
 * test_conf.c: the accounts file parser and loader.
 */
#include <sys/stat.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "conf.h"
#include "t.h"

static const char example[] =
    "# lines starting with # are comments; a value runs to the end of "
    "its line\n"
    "default = work\n"
    "\n"
    "[account work]\n"
    "from = Bob <bob@example.org>\n"
    "user = bob\n"
    "password-command = pass show mail/work\n"
    "smtp = smtp://mail.example.org:587\n"
    "pop3 = pop3s://mail.example.org\n"
    "imap = imaps://mail.example.org\n"
    "ca-file = /etc/ssl/certs/ca-certificates.crt\n"
    "\n"
    "[account home]\n"
    "user = bob\n"
    "password = secret with spaces\n"
    "smtp = smtps://smtp.example.net\n"
    "tls = required\n";

static char tmpdir[] = "/tmp/test_conf.XXXXXX";

static struct conf *
parse(const char *s, struct mk_err *e)
{
	return conf_parse(s, strlen(s), "cfg", e);
}

/* The error message for s, or "" when it parses. */
static const char *
errmsg(const char *s)
{
	static struct mk_err	 e;
	struct conf		*c;

	memset(&e, 0, sizeof(e));
	if ((c = parse(s, &e)) != NULL) {
		conf_free(c);
		return "";
	}
	T_EQ_INT(e.st, MK_ECONFIG);
	return e.msg;
}

/* Write s to DIR/name with mode; returns the path (static). */
static const char *
put(const char *name, const char *s, mode_t mode)
{
	static char	path[256];
	FILE		*f;

	snprintf(path, sizeof(path), "%s/%s", tmpdir, name);
	unlink(path);
	if ((f = fopen(path, "w")) == NULL)
		abort();
	fputs(s, f);
	fclose(f);
	chmod(path, mode);
	return path;
}

static void
check_example(const struct conf *c)
{
	const struct conf_account	*a;
	struct mk_err			 e;

	T_EQ_STR(conf_default(c), "work");
	T_EQ_INT(conf_naccounts(c), 2);
	a = conf_account(c, NULL, &e);
	T_CHECK(a != NULL && a == conf_account_at(c, 0));
	if (a == NULL)
		return;
	T_EQ_STR(a->name, "work");
	T_EQ_STR(a->from, "Bob <bob@example.org>");
	T_EQ_STR(a->user, "bob");
	T_EQ_STR(a->password_command, "pass show mail/work");
	T_EQ_STR(a->smtp, "smtp://mail.example.org:587");
	T_EQ_STR(a->pop3, "pop3s://mail.example.org");
	T_EQ_STR(a->imap, "imaps://mail.example.org");
	T_EQ_STR(a->ca_file, "/etc/ssl/certs/ca-certificates.crt");
	T_CHECK(a->password == NULL && a->password_file == NULL);
	T_CHECK(a->tls == NULL && a->helo == NULL);
	T_EQ_INT(a->insecure, 0);
	T_EQ_INT(a->timeout, 0);
	T_EQ_INT(a->line, 4);
	a = conf_account(c, "home", &e);
	T_CHECK(a != NULL && a == conf_account_at(c, 1));
	if (a == NULL)
		return;
	T_EQ_STR(a->name, "home");
	T_EQ_STR(a->user, "bob");
	T_EQ_STR(a->password, "secret with spaces");
	T_EQ_STR(a->smtp, "smtps://smtp.example.net");
	T_EQ_STR(a->tls, "required");
	T_CHECK(a->from == NULL && a->password_command == NULL);
	T_CHECK(a->pop3 == NULL && a->imap == NULL && a->ca_file == NULL);
	T_EQ_INT(a->line, 13);
	T_CHECK(conf_account_at(c, 2) == NULL);
}

static void
test_example(void)
{
	struct conf	*c;
	struct mk_err	 e;

	c = parse(example, &e);
	T_CHECK(c != NULL);
	if (c == NULL)
		return;
	check_example(c);
	T_EQ_STR(conf_path(c), "cfg");
	T_CHECK(conf_account(c, "nope", &e) == NULL);
	T_EQ_INT(e.st, MK_ECONFIG);
	T_EQ_STR(e.msg, "cfg: no account nope");
	conf_free(c);
	conf_free(NULL);
}

static void
test_all_keys(void)
{
	const struct conf_account	*a;
	struct conf			*c;
	struct mk_err			 e;

	c = parse("[account x]\npassword-file = /p\nhelo = me.example\n"
	    "insecure = yes\ntimeout = 30\ntls = auto\n"
	    "[account y]\ninsecure = true\ntimeout = 86400\ntls = off\n"
	    "[account z]\ninsecure = false\n", &e);
	T_CHECK(c != NULL);
	if (c == NULL)
		return;
	a = conf_account_at(c, 0);
	T_EQ_STR(a->password_file, "/p");
	T_EQ_STR(a->helo, "me.example");
	T_EQ_INT(a->insecure, 1);
	T_EQ_INT(a->timeout, 30);
	T_EQ_STR(a->tls, "auto");
	a = conf_account_at(c, 1);
	T_EQ_INT(a->insecure, 1);
	T_EQ_INT(a->timeout, 86400);
	T_EQ_STR(a->tls, "off");
	a = conf_account_at(c, 2);
	T_EQ_INT(a->insecure, 0);
	T_CHECK(conf_default(c) == NULL);
	conf_free(c);
}

static void
test_malformed(void)
{
	static const struct {
		const char *in, *msg;
	} t[] = {
		{ "user = bob\n",
		    "cfg:1: user outside an [account] section" },
		{ "[account a]\nfoo = 1\n", "cfg:2: unknown key foo" },
		{ "[account a]\nUser = 1\n", "cfg:2: unknown key User" },
		{ "[account a]\njust words\n", "cfg:2: expected KEY = VALUE" },
		{ "[account a\n",
		    "cfg:1: bad section header (expected [account NAME])" },
		{ "[acount a]\n",
		    "cfg:1: bad section header (expected [account NAME])" },
		{ "[account]\n",
		    "cfg:1: bad section header (expected [account NAME])" },
		{ "[accounta]\n",
		    "cfg:1: bad section header (expected [account NAME])" },
		{ "[]\n",
		    "cfg:1: bad section header (expected [account NAME])" },
		{ "[account a b]\n", "cfg:1: bad account name" },
		{ "[account a]b]\n", "cfg:1: bad account name" },
		{ "[account a]\n\n[account a]\n",
		    "cfg:3: duplicate account a (first on line 1)" },
		{ "[account a]\nuser = x\nuser = y\n",
		    "cfg:3: duplicate key user" },
		{ "[account a]\ntls = maybe\n",
		    "cfg:2: tls must be required, auto or off" },
		{ "[account a]\ntls = Required\n",
		    "cfg:2: tls must be required, auto or off" },
		{ "[account a]\ninsecure = 1\n",
		    "cfg:2: insecure must be yes, no, true or false" },
		{ "[account a]\ntimeout = 0\n", "cfg:2: timeout must be a "
		    "whole number of seconds from 1 to 86400" },
		{ "[account a]\ntimeout = -5\n", "cfg:2: timeout must be a "
		    "whole number of seconds from 1 to 86400" },
		{ "[account a]\ntimeout = 10s\n", "cfg:2: timeout must be a "
		    "whole number of seconds from 1 to 86400" },
		{ "[account a]\ntimeout = 99999999999999999999\n",
		    "cfg:2: timeout must be a whole number of seconds from "
		    "1 to 86400" },
		{ "default = x\n[account a]\n",
		    "cfg:1: default names no account x" },
		{ "[account a]\ndefault = a\n",
		    "cfg:2: default must come before the first [account]" },
		{ "default = a\ndefault = a\n[account a]\n",
		    "cfg:2: duplicate key default" },
		{ "default =\n", "cfg:1: empty value for default" },
		{ "default = a b\n", "cfg:1: bad account name" },
		{ "[account a]\nuser =\n", "cfg:2: empty value for user" },
		{ "[account a]\nuser =  \t \n", "cfg:2: empty value for user" },
		{ "[account a]\n= x\n", "cfg:2: missing key before =" },
		{ "[account a]\nus er = x\n", "cfg:2: malformed key" },
		{ "[account a]\nuser = a\x01" "b\n",
		    "cfg:2: control character" },
		{ "\n\n[account a]\nuser = a\rb\n",
		    "cfg:4: control character" },
		{ "[account a]\nuser = a\x7f\n", "cfg:2: control character" },
	};
	size_t i;

	for (i = 0; i < MK_NELEM(t); i++) {
		T_EQ_STR(errmsg(t[i].in), t[i].msg);
		if (strcmp(errmsg(t[i].in), t[i].msg) != 0)
			printf("#   (case %zu)\n", i);
	}
}

static void
test_crlf(void)
{
	char		*crlf;
	size_t		 i, n = 0;
	struct conf	*c;
	struct mk_err	 e;

	crlf = malloc(2 * sizeof(example));
	for (i = 0; example[i] != '\0'; i++) {
		if (example[i] == '\n')
			crlf[n++] = '\r';
		crlf[n++] = example[i];
	}
	c = conf_parse(crlf, n, "cfg", &e);
	T_CHECK(c != NULL);
	if (c != NULL)
		check_example(c);
	conf_free(c);
	/* The last line without its end, and a lone CR at the end. */
	c = parse("[account a]\r\nuser = u\r", &e);
	T_CHECK(c != NULL);
	if (c != NULL)
		T_EQ_STR(conf_account_at(c, 0)->user, "u");
	conf_free(c);
	free(crlf);
}

static void
test_comments_values(void)
{
	const struct conf_account	*a;
	struct conf			*c;
	struct mk_err			 e;

	c = parse("\xef\xbb\xbf# comment\n   # indented comment\n\t\n"
	    "  [ account  a ]  \n"
	    "from = A # not a comment\n"
	    "password =   p#ss w0rd = x\t \n"
	    "smtp=smtp://x\n"
	    "\tuser\t=\tu s\n"
	    "helo = caf\xc3\xa9.example", &e);
	T_CHECK(c != NULL);
	if (c == NULL)
		return;
	a = conf_account_at(c, 0);
	T_EQ_STR(a->name, "a");
	T_EQ_STR(a->from, "A # not a comment");
	T_EQ_STR(a->password, "p#ss w0rd = x");
	T_EQ_STR(a->smtp, "smtp://x");
	T_EQ_STR(a->user, "u s");
	T_EQ_STR(a->helo, "caf\xc3\xa9.example");
	T_EQ_INT(a->line, 4);
	conf_free(c);
}

static void
test_nul(void)
{
	static const char	 in[] = "[account a]\nuser = a\0b\n";
	struct mk_err		 e;

	T_CHECK(conf_parse(in, sizeof(in) - 1, "cfg", &e) == NULL);
	T_EQ_INT(e.st, MK_ECONFIG);
	T_EQ_STR(e.msg, "cfg:2: NUL byte");
	T_CHECK(conf_parse("\0", 1, "cfg", &e) == NULL);
	T_EQ_STR(e.msg, "cfg:1: NUL byte");
}

static void
test_huge(void)
{
	const size_t	 pre = sizeof("[account a]\nuser = ") - 1;
	char		*s;
	struct conf	*c;
	struct mk_err	 e;
	size_t		 n;

	/* A line of exactly CONF_MAX_LINE bytes, then one byte more. */
	n = 12 + CONF_MAX_LINE;
	s = malloc(n + 2);
	memcpy(s, "[account a]\nuser = ", pre);
	memset(s + pre, 'x', n - pre);
	s[n] = '\n';
	c = conf_parse(s, n + 1, "cfg", &e);
	T_CHECK(c != NULL);
	if (c != NULL)
		T_EQ_INT(strlen(conf_account_at(c, 0)->user),
		    CONF_MAX_LINE - 7);
	conf_free(c);
	s[n] = 'x';
	s[n + 1] = '\n';
	T_CHECK(conf_parse(s, n + 2, "cfg", &e) == NULL);
	T_EQ_INT(e.st, MK_ECONFIG);
	T_EQ_STR(e.msg, "cfg:2: line too long (over 4096 bytes)");
	free(s);
	/* The whole file. */
	s = calloc(1, CONF_MAX_SIZE + 1);
	memset(s, '\n', CONF_MAX_SIZE + 1);
	c = conf_parse(s, CONF_MAX_SIZE, "cfg", &e);
	T_CHECK(c != NULL);
	conf_free(c);
	T_CHECK(conf_parse(s, CONF_MAX_SIZE + 1, "cfg", &e) == NULL);
	T_EQ_STR(e.msg, "cfg: too large (over 1048576 bytes)");
	free(s);
}

static void
test_prefixes(void)
{
	size_t		 i, n = sizeof(example) - 1, bad = 0;
	char		*p;
	struct conf	*c;
	struct mk_err	 e;

	/* Each prefix and suffix in its own allocation: ASan sees overruns. */
	for (i = 0; i <= n; i++) {
		p = malloc(i + 1);
		memcpy(p, example, i);
		if ((c = conf_parse(p, i, "cfg", &e)) == NULL) {
			bad++;
			T_EQ_INT(e.st, MK_ECONFIG);
			T_CHECK(strstr(e.msg, "secret") == NULL);
		}
		conf_free(c);
		memcpy(p, example + n - i, i);
		if ((c = conf_parse(p, i, "cfg", &e)) == NULL) {
			T_EQ_INT(e.st, MK_ECONFIG);
			T_CHECK(strstr(e.msg, "secret") == NULL);
		}
		conf_free(c);
		free(p);
	}
	/* Cut inside "default = work" or a header, some must fail. */
	T_CHECK(bad > 0);
}

static void
test_no_secret_in_errors(void)
{
	static const char *t[] = {
		"[account a]\npassword secret with spaces\n",
		"[account a]\npassword = secret\npassword = secret2\n",
		"[account a]\npassword = secret\x01\n",
		"[account a]\npassword = secret\n[account a]\n",
		"[account a]\npassword = secret\nuser = \x02\n",
		"password = secret\n",
		"[account a]\npasword = secret\n",
		"[account a]\nsecret\n",
		"[account a]\ntimeout = secret\n",
		"[account a]\ntls = secret\n",
		"[account a]\ninsecure = secret\n",
		"[secret]\n",
		"[account a]\n[account a]\n password=secret\n",
	};
	size_t i;

	for (i = 0; i < MK_NELEM(t); i++) {
		T_CHECK(strstr(errmsg(t[i]), "cfg:") == errmsg(t[i]));
		T_CHECK(strstr(errmsg(t[i]), "secret") == NULL);
	}
}

static void
test_account_choice(void)
{
	struct conf			*c;
	const struct conf_account	*a;
	struct mk_err			 e;

	c = parse("[account only]\nuser = u\n", &e);
	a = conf_account(c, NULL, &e);
	T_CHECK(a != NULL && strcmp(a->name, "only") == 0);
	conf_free(c);
	c = parse("[account a]\n[account b]\n", &e);
	T_CHECK(conf_account(c, NULL, &e) == NULL);
	T_EQ_INT(e.st, MK_ECONFIG);
	T_EQ_STR(e.msg, "cfg: several accounts and no default");
	T_CHECK(conf_account(c, "b", &e) == conf_account_at(c, 1));
	conf_free(c);
	c = parse("# nothing\n", &e);
	T_CHECK(conf_account(c, NULL, &e) == NULL);
	T_EQ_INT(e.st, MK_NOTFOUND);
	T_CHECK(conf_account(c, "a", &e) == NULL);
	T_EQ_INT(e.st, MK_ECONFIG);
	T_EQ_STR(e.msg, "cfg: no account a");
	conf_free(c);
}

static void
test_load_modes(void)
{
	char		 want[512];
	const char	*path;
	struct conf	*c;
	struct mk_err	 e;

	path = put("pw", example, 0644);
	T_CHECK(conf_load(path, &e) == NULL);
	T_EQ_INT(e.st, MK_ECONFIG);
	snprintf(want, sizeof(want), "%s: holds a password but is readable "
	    "by others (chmod 600 %s)", path, path);
	T_EQ_STR(e.msg, want);
	T_CHECK(strstr(e.msg, "secret") == NULL);
	chmod(path, 0640);
	T_CHECK(conf_load(path, &e) == NULL);
	T_EQ_STR(e.msg, want);
	chmod(path, 0604);
	T_CHECK(conf_load(path, &e) == NULL);
	chmod(path, 0600);
	c = conf_load(path, &e);
	T_CHECK(c != NULL);
	if (c != NULL) {
		check_example(c);
		T_EQ_STR(conf_path(c), path);
	}
	conf_free(c);
	chmod(path, 0400);
	c = conf_load(path, &e);
	T_CHECK(c != NULL);
	conf_free(c);
	/* Without a password, a world-readable file is fine. */
	path = put("nopw", "[account a]\npassword-command = pass a\n", 0644);
	c = conf_load(path, &e);
	T_CHECK(c != NULL);
	conf_free(c);
	/* Errors name the file. */
	path = put("bad", "[account a]\nbogus = 1\n", 0600);
	T_CHECK(conf_load(path, &e) == NULL);
	snprintf(want, sizeof(want), "%s:2: unknown key bogus", path);
	T_EQ_STR(e.msg, want);
}

static void
test_load_env(void)
{
	char		 want[512], dir[300];
	struct conf	*c;
	struct mk_err	 e;
	int		 explicit;

	snprintf(dir, sizeof(dir), "%s/xdg", tmpdir);
	mkdir(dir, 0700);
	unsetenv("MKIT_CONFIG");
	setenv("XDG_CONFIG_HOME", dir, 1);
	setenv("HOME", tmpdir, 1);
	/* Default path, file absent: an empty conf. */
	c = conf_load(NULL, &e);
	T_CHECK(c != NULL);
	if (c != NULL) {
		T_EQ_INT(conf_naccounts(c), 0);
		snprintf(want, sizeof(want), "%s/mkit/config", dir);
		T_EQ_STR(conf_path(c), want);
		T_CHECK(conf_account(c, NULL, &e) == NULL);
		T_EQ_INT(e.st, MK_NOTFOUND);
		T_CHECK(conf_account(c, "work", &e) == NULL);
		T_EQ_INT(e.st, MK_ECONFIG);
		snprintf(want, sizeof(want), "%s/mkit/config: no account work",
		    dir);
		T_EQ_STR(e.msg, want);
	}
	conf_free(c);
	/* Present at the XDG path. */
	snprintf(want, sizeof(want), "%s/mkit", dir);
	mkdir(want, 0700);
	put("xdg/mkit/config", "[account x]\nuser = u\n", 0644);
	c = conf_load(NULL, &e);
	T_CHECK(c != NULL && conf_naccounts(c) == 1);
	conf_free(c);
	/* MKIT_CONFIG names a missing file: an error. */
	snprintf(want, sizeof(want), "%s/absent", tmpdir);
	setenv("MKIT_CONFIG", want, 1);
	T_CHECK(conf_path_find(dir, sizeof(dir), &explicit, &e) == 0);
	T_EQ_STR(dir, want);
	T_EQ_INT(explicit, 1);
	T_CHECK(conf_load(NULL, &e) == NULL);
	T_EQ_INT(e.st, MK_ECONFIG);
	T_CHECK(strstr(e.msg, "No such file") != NULL);
	/* So does an explicit path. */
	T_CHECK(conf_load(want, &e) == NULL);
	T_EQ_INT(e.st, MK_ECONFIG);
	/* A directory is not a config file. */
	T_CHECK(conf_load(tmpdir, &e) == NULL);
	T_CHECK(strstr(e.msg, "not a regular file") != NULL);
	unsetenv("MKIT_CONFIG");
}

static void
test_path_find(void)
{
	char		 got[512], want[512];
	struct mk_err	 e;
	int		 explicit = 9;

	unsetenv("MKIT_CONFIG");
	setenv("HOME", tmpdir, 1);
	setenv("XDG_CONFIG_HOME", "/xdg", 1);
	T_CHECK(conf_path_find(got, sizeof(got), &explicit, &e) == 0);
	T_EQ_STR(got, "/xdg/mkit/config");
	T_EQ_INT(explicit, 0);
	setenv("XDG_CONFIG_HOME", "relative", 1);
	snprintf(want, sizeof(want), "%s/.config/mkit/config", tmpdir);
	T_CHECK(conf_path_find(got, sizeof(got), &explicit, &e) == 0);
	T_EQ_STR(got, want);
	unsetenv("XDG_CONFIG_HOME");
	T_CHECK(conf_path_find(got, sizeof(got), &explicit, &e) == 0);
	T_EQ_STR(got, want);
	setenv("MKIT_CONFIG", "", 1);
	T_CHECK(conf_path_find(got, sizeof(got), &explicit, &e) == 0);
	T_EQ_STR(got, want);
	T_EQ_INT(explicit, 0);
	T_CHECK(conf_path_find(got, 10, &explicit, &e) == -1);
	T_EQ_INT(e.st, MK_ECONFIG);
	unsetenv("MKIT_CONFIG");
}

static void
cleanup(void)
{
	char cmd[64];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	if (system(cmd) != 0)
		printf("# cannot remove %s\n", tmpdir);
}

int
main(void)
{
	if (mkdtemp(tmpdir) == NULL) {
		perror("mkdtemp");
		return 1;
	}
	T_RUN(test_example);
	T_RUN(test_all_keys);
	T_RUN(test_malformed);
	T_RUN(test_crlf);
	T_RUN(test_comments_values);
	T_RUN(test_nul);
	T_RUN(test_huge);
	T_RUN(test_prefixes);
	T_RUN(test_no_secret_in_errors);
	T_RUN(test_account_choice);
	T_RUN(test_load_modes);
	T_RUN(test_load_env);
	T_RUN(test_path_find);
	cleanup();
	T_DONE();
}
