/*
 * test_maildir.c: unique names, creation, delivery with group commit,
 * abort, and the journal's maildir_has().
 */
#include <sys/stat.h>

#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "maildir.h"
#include "t.h"

static char tmpdir[] = "/tmp/test_maildir.XXXXXX";

static const char *
at(const char *name)
{
	static char	paths[4][512];
	static int	slot;
	char		*p = paths[slot++ % 4];

	snprintf(p, 512, "%s/%s", tmpdir, name);
	return p;
}

static int
entries(const char *dir)
{
	DIR		*d;
	struct dirent	*de;
	int		 n = 0;

	if ((d = opendir(dir)) == NULL)
		return -1;
	while ((de = readdir(d)) != NULL)
		if (de->d_name[0] != '.')
			n++;
	closedir(d);
	return n;
}

/* The contents of the only file in dir, into out (size bytes). */
static size_t
only_file(const char *dir, char *out, size_t size)
{
	DIR		*d;
	struct dirent	*de;
	char		 p[1024];
	ssize_t		 n = -1;
	int		 fd;

	if ((d = opendir(dir)) == NULL)
		return 0;
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(p, sizeof(p), "%s/%s", dir, de->d_name);
		if ((fd = open(p, O_RDONLY)) != -1) {
			n = read(fd, out, size);
			close(fd);
		}
	}
	closedir(d);
	return n < 0 ? 0 : (size_t)n;
}

static void
test_name(void)
{
	char out[128];

	T_EQ_INT(maildir_name(out, sizeof(out), 1700000000, 12345, 42, 7,
	    "host.example"), 0);
	T_EQ_STR(out, "1700000000.M12345P42Q7.host.example");
	T_EQ_INT(maildir_name(out, sizeof(out), 1, 2, 3, 4, "a/b:c"), 0);
	T_EQ_STR(out, "1.M2P3Q4.a\\057b\\072c");
	T_EQ_INT(maildir_name(out, 10, 1700000000, 1, 1, 1, "h"), -1);
	T_EQ_INT(maildir_name(out, 13, 1, 2, 3, 4, "a/b"), -1);
}

static void
test_deliver(void)
{
	struct maildir	*md;
	struct mk_err	 e;
	const char	*msg = "Subject: x\r\n\r\nFrom me\r\n.\r\nend";
	char		 got[256];

	md = maildir_open(at("a/b/md"), &e);
	T_CHECK(md != NULL);
	if (md == NULL)
		return;
	T_EQ_INT(entries(at("a/b/md/cur")), 0);
	T_EQ_INT(maildir_add_begin(md, &e), 0);
	T_EQ_INT(maildir_write(md, msg, 10, &e), 0);
	T_EQ_INT(maildir_write(md, msg + 10, strlen(msg) - 10, &e), 0);
	T_EQ_INT(maildir_add_end(md, &e), 0);
	T_EQ_INT(maildir_pending(md), 1);
	T_EQ_INT(entries(at("a/b/md/tmp")), 1);
	T_EQ_INT(entries(at("a/b/md/new")), 0);	/* not before commit */
	T_EQ_INT(maildir_commit(md, &e), 0);
	T_EQ_INT(entries(at("a/b/md/tmp")), 0);
	T_EQ_INT(entries(at("a/b/md/new")), 1);
	T_EQ_MEM(got, only_file(at("a/b/md/new"), got, sizeof(got)), msg,
	    strlen(msg));
	/* An aborted message and an uncommitted one leave nothing. */
	T_EQ_INT(maildir_add_begin(md, &e), 0);
	T_EQ_INT(maildir_write(md, "partial", 7, &e), 0);
	maildir_add_abort(md);
	T_EQ_INT(maildir_add_begin(md, &e), 0);
	T_EQ_INT(maildir_add_end(md, &e), 0);
	maildir_close(md);
	T_EQ_INT(entries(at("a/b/md/tmp")), 0);
	T_EQ_INT(entries(at("a/b/md/new")), 1);
}

static void
test_batch(void)
{
	struct maildir	*md;
	struct mk_err	 e;
	char		 name[300];
	int		 i;

	md = maildir_open(at("batch"), &e);
	T_CHECK(md != NULL);
	if (md == NULL)
		return;
	for (i = 0; i < MAILDIR_BATCH; i++) {
		T_EQ_INT(maildir_add_begin(md, &e), 0);
		T_EQ_INT(maildir_write(md, "x\n", 2, &e), 0);
		T_EQ_INT(maildir_add_end(md, &e), 0);
	}
	T_EQ_INT(maildir_add_begin(md, &e), -1);	/* full: commit first */
	snprintf(name, sizeof(name), "%s", maildir_pending_name(md, 3));
	T_CHECK(!maildir_has(md, name));
	T_EQ_INT(maildir_sync(md, &e), 0);
	T_EQ_INT(maildir_commit(md, &e), 0);
	T_EQ_INT(entries(at("batch/new")), MAILDIR_BATCH);
	T_CHECK(maildir_has(md, name));
	/* A reader moved it to cur/ with flags: still found. */
	{
		char from[600], to[600];

		snprintf(from, sizeof(from), "%s/new/%s", at("batch"), name);
		snprintf(to, sizeof(to), "%s/cur/%s:2,S", at("batch"), name);
		T_EQ_INT(rename(from, to), 0);
	}
	T_CHECK(maildir_has(md, name));
	T_CHECK(!maildir_has(md, "1.M1P1Q1.nohost"));
	maildir_close(md);
}

static void
test_cannot_create(void)
{
	struct mk_err	e;
	int		fd;

	fd = open(at("file"), O_WRONLY | O_CREAT, 0600);
	close(fd);
	T_CHECK(maildir_open(at("file/md"), &e) == NULL);
	T_EQ_INT(e.st, MK_ECANTCREAT);
	T_CHECK(maildir_open(at("file"), &e) == NULL);
	T_EQ_INT(e.st, MK_ECANTCREAT);
}

int
main(void)
{
	char cmd[128];

	if (mkdtemp(tmpdir) == NULL) {
		perror("mkdtemp");
		return 1;
	}
	T_RUN(test_name);
	T_RUN(test_deliver);
	T_RUN(test_batch);
	T_RUN(test_cannot_create);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	if (system(cmd) != 0)
		printf("# cannot remove %s\n", tmpdir);
	T_DONE();
}
