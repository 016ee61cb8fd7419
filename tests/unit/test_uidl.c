/*
 * test_uidl.c: the UIDL state file (parse, format, save, load), its
 * journal and its lock.
 */
#include <sys/file.h>
#include <sys/wait.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "t.h"
#include "uidl.h"

#define S(s)	(s), strlen(s)

static char tmpdir[] = "/tmp/test_uidl.XXXXXX";

static void
test_parse(void)
{
	struct uidl_set	s;
	struct mk_err	e;

	uidl_init(&s);
	T_EQ_INT(uidl_parse(S(UIDL_MAGIC "\nb\na\n\nc"), "f", &s, &e), 0);
	T_CHECK(uidl_has(&s, "a") && uidl_has(&s, "b") && uidl_has(&s, "c"));
	T_CHECK(!uidl_has(&s, "d"));
	T_EQ_INT(uidl_parse(S("garbage\na\n"), "f", &s, &e), -1);
	T_EQ_INT(e.st, MK_EDATA);
	T_EQ_STR(e.msg, "f:1: not an mpop state file (no \"" UIDL_MAGIC
	    "\" line)");
	T_EQ_INT(uidl_parse(S(UIDL_MAGIC "\na b\n"), "f", &s, &e), -1);
	T_EQ_STR(e.msg, "f:2: bad UIDL line");
	T_EQ_INT(uidl_parse(UIDL_MAGIC "\na\0b\n", sizeof(UIDL_MAGIC) + 4,
	    "f", &s, &e), -1);
	T_EQ_INT(uidl_parse(S(""), "f", &s, &e), -1);
	uidl_free(&s);
}

static void
test_format(void)
{
	struct uidl_set	s;
	struct mk_buf	b;
	struct mk_err	e;
	char		big[80];

	uidl_init(&s);
	buf_init(&b, 0);
	T_EQ_INT(uidl_add(&s, "zz", &e), 0);
	T_EQ_INT(uidl_add(&s, "aa", &e), 0);
	T_EQ_INT(uidl_add(&s, "zz", &e), 0);
	T_EQ_INT(uidl_add(&s, "", &e), -1);
	T_EQ_INT(uidl_add(&s, "a b", &e), -1);
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	T_EQ_INT(uidl_add(&s, big, &e), -1);
	T_EQ_INT(uidl_format(&s, &b), 0);
	T_EQ_STR(buf_str(&b), UIDL_MAGIC "\naa\nzz\n");
	buf_free(&b);
	uidl_free(&s);
}

static void
test_path(void)
{
	char		p[512];
	struct mk_err	e;

	setenv("XDG_STATE_HOME", "/st", 1);
	T_EQ_INT(uidl_path(p, sizeof(p), "pop3s://h:995", "bob@x", &e), 0);
	T_EQ_STR(p, "/st/mkit/mpop.bob%40x@pop3s%3A%2F%2Fh%3A995.uidl");
	setenv("XDG_STATE_HOME", "relative", 1);
	setenv("HOME", "/home/u", 1);
	T_EQ_INT(uidl_path(p, sizeof(p), "work", "a/../b", &e), 0);
	T_EQ_STR(p, "/home/u/.local/state/mkit/mpop.a%2F..%2Fb@work.uidl");
	T_EQ_INT(uidl_path(p, 10, "work", "a", &e), -1);
	T_EQ_INT(e.st, MK_ECONFIG);
}

static void
test_save_load(void)
{
	struct uidl_set	s, t;
	struct mk_err	e;
	char		path[512];

	snprintf(path, sizeof(path), "%s/a/b/state", tmpdir);
	uidl_init(&s);
	uidl_init(&t);
	T_EQ_INT(uidl_load(path, &t, &e), 0);	/* missing: empty */
	T_EQ_INT(t.n, 0);
	T_EQ_INT(uidl_add(&s, "one", &e), 0);
	T_EQ_INT(uidl_add(&s, "two", &e), 0);
	T_EQ_INT(uidl_save(path, &s, &e), 0);
	T_EQ_INT(uidl_load(path, &t, &e), 0);
	T_CHECK(uidl_has(&t, "one") && uidl_has(&t, "two") && t.n == 2);
	uidl_free(&s);
	uidl_free(&t);
}

static void
test_journal(void)
{
	struct uidl_pend	 v[2], *got = NULL;
	struct uidl_set		 empty;
	struct mk_err		 e;
	char			 path[512];
	size_t			 n;

	snprintf(path, sizeof(path), "%s/j/state", tmpdir);
	memset(v, 0, sizeof(v));
	snprintf(v[0].uid, sizeof(v[0].uid), "u1");
	snprintf(v[0].name, sizeof(v[0].name), "123.M4P5Q1.host");
	snprintf(v[1].uid, sizeof(v[1].uid), "u2");
	snprintf(v[1].name, sizeof(v[1].name), "123.M4P5Q2.host");
	T_EQ_INT(uidl_journal_load(path, &got, &n, &e), 0);
	T_EQ_INT(n, 0);
	uidl_init(&empty);
	T_EQ_INT(uidl_save(path, &empty, &e), 0);
	T_EQ_INT(uidl_journal_save(path, v, 2, &e), 0);
	T_EQ_INT(uidl_journal_load(path, &got, &n, &e), 0);
	T_EQ_INT(n, 2);
	if (n == 2) {
		T_EQ_STR(got[1].uid, "u2");
		T_EQ_STR(got[1].name, "123.M4P5Q2.host");
	}
	free(got);
	T_EQ_INT(uidl_journal_remove(path, &e), 0);
	T_EQ_INT(uidl_journal_load(path, &got, &n, &e), 0);
	T_EQ_INT(n, 0);
	/* Hostile names: no path, no "..". */
	T_EQ_INT(uidl_journal_parse(S(UIDL_JOURNAL_MAGIC "\nu ../x\n"), "j",
	    &got, &n, &e), -1);
	T_EQ_INT(uidl_journal_parse(S(UIDL_JOURNAL_MAGIC "\nu ..\n"), "j",
	    &got, &n, &e), -1);
	T_EQ_INT(uidl_journal_parse(S(UIDL_JOURNAL_MAGIC "\nu\n"), "j",
	    &got, &n, &e), -1);
	T_EQ_INT(uidl_journal_parse(S("x\nu n\n"), "j", &got, &n, &e), -1);
	T_EQ_STR(e.msg, "j:1: bad journal line");
}

static void
test_lock(void)
{
	struct mk_err	e;
	char		path[512];
	int		fd, fd2, st;
	pid_t		pid;

	snprintf(path, sizeof(path), "%s/l/state", tmpdir);
	T_EQ_INT(uidl_lock(path, &fd, &e), 0);
	/* flock locks belong to the open file: another process is refused. */
	if ((pid = fork()) == 0) {
		int rc = uidl_lock(path, &fd2, &e);

		_exit(rc == -1 && e.st == MK_ETEMP &&
		    strstr(e.msg, "already running") != NULL ? 0 : 1);
	}
	T_CHECK(pid > 0 && waitpid(pid, &st, 0) == pid && WIFEXITED(st) &&
	    WEXITSTATUS(st) == 0);
	close(fd);
	T_EQ_INT(uidl_lock(path, &fd, &e), 0);
	close(fd);
}

static void
test_mboxj(void)
{
	struct uidl_mboxj	 j;
	struct mk_err		 e;
	const char		*u[2] = { "u1", "sha256:ab+2" };
	char			 path[512];

	snprintf(path, sizeof(path), "%s/m/state", tmpdir);
	uidl_mboxj_init(&j);
	T_EQ_INT(uidl_mboxj_load(path, &j, &e), 0);
	T_EQ_INT(uidl_save(path, &j.uids, &e), 0);
	T_EQ_INT(uidl_mboxj_save(path, "/var/mail/a b", 1234, NULL, 0, &e), 0);
	T_EQ_INT(uidl_mboxj_load(path, &j, &e), 1);
	T_EQ_INT(j.size, 1234);
	T_EQ_STR(j.mbox, "/var/mail/a b");
	T_EQ_INT(j.uids.n, 0);
	uidl_mboxj_free(&j);
	T_EQ_INT(uidl_mboxj_save(path, "/m", 0, u, 2, &e), 0);
	T_EQ_INT(uidl_mboxj_load(path, &j, &e), 1);
	T_EQ_INT(j.size, 0);
	T_CHECK(uidl_has(&j.uids, "u1") && uidl_has(&j.uids, "sha256:ab+2"));
	uidl_mboxj_free(&j);
	T_EQ_INT(uidl_mboxj_remove(path, &e), 0);
	T_EQ_INT(uidl_mboxj_load(path, &j, &e), 0);
	T_EQ_INT(uidl_mboxj_remove(path, &e), 0);
	/* Refused: a relative path, an LF in it, a bad UIDL. */
	T_EQ_INT(uidl_mboxj_save(path, "m", 0, NULL, 0, &e), -1);
	T_EQ_INT(uidl_mboxj_save(path, "/m\n", 0, NULL, 0, &e), -1);
	u[0] = "a b";
	T_EQ_INT(uidl_mboxj_save(path, "/m", 0, u, 1, &e), -1);
	T_EQ_INT(e.st, MK_EDATA);
	/* Hostile text. */
	T_EQ_INT(uidl_mboxj_parse(S(UIDL_MBOXJ_MAGIC "\nsize 1\n"), "j", &j,
	    &e), -1);
	T_EQ_STR(e.msg, "j: incomplete mbox journal");
	uidl_mboxj_free(&j);
	T_EQ_INT(uidl_mboxj_parse(S(UIDL_MBOXJ_MAGIC "\nmbox /x\nsize 1\n"),
	    "j", &j, &e), -1);
	T_EQ_STR(e.msg, "j:3: bad mbox journal line");
	uidl_mboxj_free(&j);
	T_EQ_INT(uidl_mboxj_parse(S(UIDL_MBOXJ_MAGIC
	    "\nsize 99999999999999999999\nmbox /x\n"), "j", &j, &e), -1);
	uidl_mboxj_free(&j);
	T_EQ_INT(uidl_mboxj_parse(S(UIDL_MBOXJ_MAGIC
	    "\nsize 1\nsize 2\nmbox /x\n"), "j", &j, &e), -1);
	uidl_mboxj_free(&j);
	T_EQ_INT(uidl_mboxj_parse(S("x\nsize 1\nmbox /x\n"), "j", &j, &e),
	    -1);
	uidl_mboxj_free(&j);
	T_EQ_INT(uidl_mboxj_parse(S(UIDL_MBOXJ_MAGIC
	    "\nsize 7\nuid a\nmbox /x y"), "j", &j, &e), 0);
	T_EQ_STR(j.mbox, "/x y");
	uidl_mboxj_free(&j);
}

int
main(void)
{
	char cmd[128];

	if (mkdtemp(tmpdir) == NULL) {
		perror("mkdtemp");
		return 1;
	}
	T_RUN(test_parse);
	T_RUN(test_format);
	T_RUN(test_path);
	T_RUN(test_save_load);
	T_RUN(test_journal);
	T_RUN(test_mboxj);
	T_RUN(test_lock);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	if (system(cmd) != 0)
		printf("# cannot remove %s\n", tmpdir);
	T_DONE();
}
