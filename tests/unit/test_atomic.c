/*
 * test_atomic.c: atomic file output.
 */
#include <sys/stat.h>
#include <sys/wait.h>

#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "atomic.h"
#include "t.h"

static char tmpdir[] = "/tmp/test_atomic.XXXXXX";

/* DIR/name (static, 4 slots). */
static const char *
at(const char *name)
{
	static char	paths[4][512];
	static int	slot;
	char		*p = paths[slot++ % 4];

	snprintf(p, 512, "%s/%s", tmpdir, name);
	return p;
}

/* Make DIR/name a fresh empty directory; returns its path. */
static const char *
fresh_dir(const char *name)
{
	char		 cmd[600];
	const char	*p = at(name);

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", p);
	if (system(cmd) != 0 || mkdir(p, 0700) == -1)
		abort();
	return p;
}

/* The number of entries in dir, not counting . and .. */
static int
entries(const char *dir)
{
	DIR		*d;
	struct dirent	*de;
	int		 n = 0;

	if ((d = opendir(dir)) == NULL)
		return -1;
	while ((de = readdir(d)) != NULL)
		if (strcmp(de->d_name, ".") != 0 &&
		    strcmp(de->d_name, "..") != 0)
			n++;
	closedir(d);
	return n;
}

/* The contents of path (static), or "(none)". */
static const char *
slurp(const char *path)
{
	static char	buf[256];
	ssize_t		n;
	int		fd;

	if ((fd = open(path, O_RDONLY)) == -1)
		return "(none)";
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	buf[n > 0 ? n : 0] = '\0';
	return buf;
}

static mode_t
mode_of(const char *path)
{
	struct stat sb;

	if (lstat(path, &sb) == -1)
		return (mode_t)-1;
	return sb.st_mode;
}

static void
test_write_file(void)
{
	char		 path[600];
	const char	*d = fresh_dir("w");
	struct mk_err	 e;

	snprintf(path, sizeof(path), "%s/out", d);
	T_EQ_INT(atomic_write_file(path, "hello\n", 6, 0640, &e), 0);
	T_EQ_STR(slurp(path), "hello\n");
	T_EQ_INT(mode_of(path) & 07777, 0640);
	T_CHECK(S_ISREG(mode_of(path)));
	T_EQ_INT(entries(d), 1);
	/* The umask applies, as with open(2). */
	T_EQ_INT(atomic_write_file(path, "", 0, 0666, &e), 0);
	T_EQ_STR(slurp(path), "");
	T_EQ_INT(mode_of(path) & 07777, 0644);
	T_EQ_INT(entries(d), 1);
}

static void
test_abort(void)
{
	char			 path[600];
	const char		*d = fresh_dir("a"), *b;
	struct atomic_file	 af;
	struct mk_err		 e;

	snprintf(path, sizeof(path), "%s/out", d);
	T_EQ_INT(atomic_open(&af, path, 0600, &e), 0);
	T_CHECK(af.fd >= 0);
	T_EQ_INT(atomic_write(&af, "partial", 7, &e), 0);
	/* The temporary file: ".out.XXXXXX.tmp" in the same directory. */
	T_CHECK(strncmp(af.tmp, d, strlen(d)) == 0);
	b = af.tmp + strlen(d);
	T_CHECK(strlen(b) == strlen("/.out.XXXXXX.tmp"));
	T_CHECK(strncmp(b, "/.out.", 6) == 0);
	T_CHECK(strcmp(b + strlen(b) - 4, ".tmp") == 0);
	T_CHECK(strncmp(b + 6, "XXXXXX", 6) != 0);
	T_EQ_STR(slurp(af.tmp), "partial");
	T_EQ_INT(mode_of(af.tmp) & 07777, 0600);
	T_EQ_INT(entries(d), 1);
	atomic_abort(&af);
	T_EQ_INT(entries(d), 0);
	T_EQ_INT(af.fd, -1);
	T_CHECK(af.tmp == NULL && af.path == NULL);
	atomic_abort(&af);
	T_EQ_INT(atomic_commit(&af, &e), -1);
	T_EQ_INT(e.st, MK_ESOFTWARE);
}

static void
test_replace(void)
{
	char			 path[600];
	const char		*d = fresh_dir("r");
	struct atomic_file	 af;
	struct mk_err		 e;
	struct stat		 before, after;
	char			 buf[16];
	int			 old;

	snprintf(path, sizeof(path), "%s/out", d);
	T_EQ_INT(atomic_write_file(path, "old", 3, 0600, &e), 0);
	T_CHECK(stat(path, &before) == 0);
	old = open(path, O_RDONLY);
	T_EQ_INT(atomic_open(&af, path, 0600, &e), 0);
	/* Until the commit, readers see the old contents. */
	T_CHECK(write(af.fd, "new contents", 12) == 12);
	T_EQ_STR(slurp(path), "old");
	T_EQ_INT(atomic_commit(&af, &e), 0);
	T_EQ_INT(af.fd, -1);
	T_EQ_STR(slurp(path), "new contents");
	T_CHECK(stat(path, &after) == 0 && after.st_ino != before.st_ino);
	/* A reader that had the old file open still has the old file. */
	T_CHECK(read(old, buf, sizeof(buf)) == 3 && memcmp(buf, "old", 3) == 0);
	close(old);
	T_EQ_INT(entries(d), 1);
	/* Committed: abort is harmless and does not remove the file. */
	atomic_abort(&af);
	T_EQ_STR(slurp(path), "new contents");
}

static void
test_symlink(void)
{
	char		 path[600], target[600];
	const char	*d = fresh_dir("s");
	struct mk_err	 e;

	snprintf(path, sizeof(path), "%s/link", d);
	snprintf(target, sizeof(target), "%s/target", d);
	T_EQ_INT(atomic_write_file(target, "target", 6, 0600, &e), 0);
	T_EQ_INT(symlink(target, path), 0);
	/* The link itself is replaced; its target is untouched. */
	T_EQ_INT(atomic_write_file(path, "new", 3, 0600, &e), 0);
	T_CHECK(S_ISREG(mode_of(path)));
	T_EQ_STR(slurp(path), "new");
	T_EQ_STR(slurp(target), "target");
	T_EQ_INT(entries(d), 2);
}

static void
test_errors(void)
{
	char			 path[600];
	const char		*d = fresh_dir("e");
	struct atomic_file	 af;
	struct mk_err		 e;

	snprintf(path, sizeof(path), "%s/no/such/dir/out", d);
	T_EQ_INT(atomic_write_file(path, "x", 1, 0600, &e), -1);
	T_EQ_INT(e.st, MK_ECANTCREAT);
	T_CHECK(strstr(e.msg, "create ") == e.msg);
	T_CHECK(strstr(e.msg, ": No such file or directory") != NULL);
	T_EQ_INT(atomic_open(&af, "", 0600, &e), -1);
	T_EQ_INT(e.st, MK_ECANTCREAT);
	T_EQ_STR(e.msg, "create : not a file name");
	atomic_abort(&af);
	snprintf(path, sizeof(path), "%s/", d);
	T_EQ_INT(atomic_open(&af, path, 0600, &e), -1);
	T_EQ_INT(e.st, MK_ECANTCREAT);
	snprintf(path, sizeof(path), "%s/..", d);
	T_EQ_INT(atomic_open(&af, path, 0600, &e), -1);
	/* The target is a directory: rename fails, the temp file goes. */
	snprintf(path, sizeof(path), "%s/sub", d);
	T_EQ_INT(mkdir(path, 0700), 0);
	snprintf(path, sizeof(path), "%s/sub/f", d);
	T_EQ_INT(atomic_write_file(path, "x", 1, 0600, &e), 0);
	snprintf(path, sizeof(path), "%s/sub", d);
	T_EQ_INT(atomic_write_file(path, "x", 1, 0600, &e), -1);
	T_EQ_INT(e.st, MK_ECANTCREAT);
	T_CHECK(strstr(e.msg, "rename to ") == e.msg);
	T_EQ_INT(entries(d), 1);
}

static void
test_not_writable(void)
{
	char		 path[600];
	const char	*d = fresh_dir("ro");
	struct mk_err	 e;
	pid_t		 pid;
	int		 status;

	/* As root, drop to nobody in a child so permissions apply. */
	chmod(tmpdir, 0755);
	chmod(d, 0555);
	snprintf(path, sizeof(path), "%s/out", d);
	fflush(stdout);
	if ((pid = fork()) == 0) {
		if (geteuid() == 0 && (setgid(65534) == -1 ||
		    setuid(65534) == -1))
			_exit(3);
		if (atomic_write_file(path, "x", 1, 0600, &e) != -1)
			_exit(1);
		if (e.st != MK_ECANTCREAT ||
		    strstr(e.msg, "Permission denied") == NULL)
			_exit(2);
		_exit(0);
	}
	T_CHECK(waitpid(pid, &status, 0) == pid);
	if (WIFEXITED(status) && WEXITSTATUS(status) == 3)
		printf("# skip: root cannot drop to uid 65534\n");
	else
		T_CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	T_EQ_INT(entries(d), 0);
	chmod(d, 0700);
	chmod(tmpdir, 0700);
}

static void
test_relative_and_long(void)
{
	char		 name[260], cwd[512];
	const char	*d = fresh_dir("l");
	struct mk_err	 e;

	/* A name without a directory part lands in ".". */
	T_CHECK(getcwd(cwd, sizeof(cwd)) != NULL);
	T_EQ_INT(chdir(d), 0);
	T_EQ_INT(atomic_write_file("rel", "rel", 3, 0600, &e), 0);
	T_EQ_STR(slurp("rel"), "rel");
	/* A 250-byte name: the temporary name is cut to fit NAME_MAX. */
	memset(name, 'n', 250);
	name[250] = '\0';
	T_EQ_INT(atomic_write_file(name, "long", 4, 0600, &e), 0);
	T_EQ_STR(slurp(name), "long");
	T_EQ_INT(entries("."), 2);
	T_EQ_INT(chdir(cwd), 0);
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
	umask(022);
	T_RUN(test_write_file);
	T_RUN(test_abort);
	T_RUN(test_replace);
	T_RUN(test_symlink);
	T_RUN(test_errors);
	T_RUN(test_not_writable);
	T_RUN(test_relative_and_long);
	cleanup();
	T_DONE();
}
