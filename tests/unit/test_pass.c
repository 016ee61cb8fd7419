/*
 * test_pass.c: password sources, their order, ~/.netrc and the prompt.
 */
#define _XOPEN_SOURCE 700	/* posix_openpt and friends */

#include <sys/stat.h>
#include <sys/wait.h>

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "pass.h"
#include "t.h"

static char tmpdir[] = "/tmp/test_pass.XXXXXX";

/* Write s to DIR/name with mode; returns the path (static, 4 slots). */
static const char *
put(const char *name, const char *s, mode_t mode)
{
	static char	 paths[4][256];
	static int	 slot;
	char		*path = paths[slot++ % 4];
	FILE		*f;

	snprintf(path, 256, "%s/%s", tmpdir, name);
	unlink(path);
	if ((f = fopen(path, "w")) == NULL)
		abort();
	fputs(s, f);
	fclose(f);
	chmod(path, mode);
	return path;
}

/* pass_get() with a command only; returns its result, *pw owned. */
static int
get_cmd(const char *cmd, char **pw, struct mk_err *e)
{
	struct pass_src src = { .command = cmd };

	memset(e, 0, sizeof(*e));
	return pass_get(&src, pw, e);
}

/* Expect pass_get(src) to give want. */
static void
expect(const struct pass_src *src, const char *want)
{
	struct mk_err	 e;
	char		*pw = NULL;
	int		 r;

	r = pass_get(src, &pw, &e);
	T_EQ_INT(r, 0);
	if (r == 0)
		T_EQ_STR(pw, want);
	else
		printf("#   %s\n", e.msg);
	pass_free(pw);
}

static void
test_order(void)
{
	struct pass_src	 src;
	struct mk_err	 e;
	char		*pw = (char *)1;

	put(".netrc", "machine h.example login u password netrcpw\n", 0600);
	memset(&src, 0, sizeof(src));
	src.command = "printf 'cmdpw\\nline two\\n'";
	src.file = put("pwfile", "filepw\n", 0600);
	src.config_password = "cfgpw";
	src.host = "h.example";
	src.user = "u";
	setenv("MKIT_PASSWORD", "envpw", 1);
	expect(&src, "cmdpw");
	src.command = NULL;
	expect(&src, "filepw");
	src.file = NULL;
	expect(&src, "cfgpw");
	src.config_password = NULL;
	expect(&src, "envpw");
	setenv("MKIT_PASSWORD", "", 1);
	expect(&src, "netrcpw");
	unsetenv("MKIT_PASSWORD");
	expect(&src, "netrcpw");
	src.user = "someone";
	T_EQ_INT(pass_get(&src, &pw, &e), 1);
	T_CHECK(pw == NULL);
	src.user = "u";
	src.host = "other.example";
	T_EQ_INT(pass_get(&src, &pw, &e), 1);
	src.host = NULL;
	T_EQ_INT(pass_get(&src, &pw, &e), 1);
	unlink(put(".netrc", "", 0600));
	src.host = "h.example";
	T_EQ_INT(pass_get(&src, &pw, &e), 1);
}

static void
test_command(void)
{
	struct mk_err	 e;
	char		*pw = NULL;

	T_EQ_INT(get_cmd("printf 'pw\\r\\n'", &pw, &e), 0);
	T_EQ_STR(pw, "pw");
	pass_free(pw);
	T_EQ_INT(get_cmd("printf 'no newline'", &pw, &e), 0);
	T_EQ_STR(pw, "no newline");
	pass_free(pw);
	/* Much more output than a pipe holds: drained, no SIGPIPE. */
	T_EQ_INT(get_cmd("echo first; yes | head -n 300000", &pw, &e), 0);
	T_EQ_STR(pw, "first");
	pass_free(pw);
	/* Standard input is /dev/null, not ours. */
	T_EQ_INT(get_cmd("cat; echo after", &pw, &e), 0);
	T_EQ_STR(pw, "after");
	pass_free(pw);
	/* The environment is passed on. */
	setenv("TEST_PASS_VAR", "from env", 1);
	T_EQ_INT(get_cmd("echo \"$TEST_PASS_VAR\"", &pw, &e), 0);
	T_EQ_STR(pw, "from env");
	pass_free(pw);
	pass_free(NULL);
}

static void
test_command_fail(void)
{
	struct mk_err	 e;
	char		*pw = NULL;

	T_EQ_INT(get_cmd("echo topsecret; exit 3", &pw, &e), -1);
	T_EQ_INT(e.st, MK_EPERM);
	T_EQ_STR(e.msg, "password-command failed (exit status 3)");
	T_CHECK(pw == NULL);
	T_EQ_INT(get_cmd("true", &pw, &e), -1);
	T_EQ_INT(e.st, MK_EPERM);
	T_EQ_STR(e.msg, "password-command printed no password");
	T_EQ_INT(get_cmd("echo; echo topsecret", &pw, &e), -1);
	T_EQ_STR(e.msg, "password-command printed no password");
	T_EQ_INT(get_cmd("echo topsecret; kill -9 $$", &pw, &e), -1);
	T_EQ_INT(e.st, MK_EPERM);
	T_EQ_STR(e.msg, "password-command killed by signal 9");
	T_EQ_INT(get_cmd("no-such-command-topsecret 2>/dev/null", &pw, &e),
	    -1);
	T_EQ_STR(e.msg, "password-command failed (exit status 127: command "
	    "not found)");
	T_EQ_INT(get_cmd("printf 'top\\rsecret\\n'", &pw, &e), -1);
	T_EQ_INT(e.st, MK_ECONFIG);
	T_EQ_STR(e.msg, "password-command: password holds CR, LF or NUL");
	T_EQ_INT(get_cmd("printf 'top\\0secret\\n'", &pw, &e), -1);
	T_EQ_STR(e.msg, "password-command: password holds CR, LF or NUL");
	T_EQ_INT(get_cmd("head -c 9000 /dev/zero | tr '\\0' s", &pw, &e), -1);
	T_EQ_STR(e.msg, "password-command: password too long (over 8192 "
	    "bytes)");
	T_CHECK(pw == NULL);
}

static void
test_file(void)
{
	struct pass_src	 src;
	struct mk_err	 e;
	char		 want[512];
	char		*pw = NULL;

	memset(&src, 0, sizeof(src));
	src.file = put("f1", "filepw\r\nsecond line\n", 0600);
	expect(&src, "filepw");
	src.file = put("f2", "no newline", 0400);
	expect(&src, "no newline");
	src.file = put("f3", "topsecret\n", 0644);
	T_EQ_INT(pass_get(&src, &pw, &e), -1);
	T_EQ_INT(e.st, MK_ECONFIG);
	snprintf(want, sizeof(want), "%s: holds a password but is readable "
	    "by others (chmod 600 %s)", src.file, src.file);
	T_EQ_STR(e.msg, want);
	chmod(src.file, 0660);
	T_EQ_INT(pass_get(&src, &pw, &e), -1);
	T_EQ_STR(e.msg, want);
	src.file = put("f4", "\ntopsecret\n", 0600);
	T_EQ_INT(pass_get(&src, &pw, &e), -1);
	snprintf(want, sizeof(want), "%s: holds no password", src.file);
	T_EQ_STR(e.msg, want);
	unlink(src.file);
	T_EQ_INT(pass_get(&src, &pw, &e), -1);
	T_EQ_INT(e.st, MK_ECONFIG);
	snprintf(want, sizeof(want), "%s: No such file or directory",
	    src.file);
	T_EQ_STR(e.msg, want);
	/* Not a regular file: no mode check (process substitution). */
	src.file = "/dev/null";
	T_EQ_INT(pass_get(&src, &pw, &e), -1);
	T_EQ_STR(e.msg, "/dev/null: holds no password");
	T_CHECK(pw == NULL);
	/* A file beats the config and the environment. */
	src.file = put("f5", "filepw\n", 0600);
	src.config_password = "cfgpw";
	setenv("MKIT_PASSWORD", "envpw", 1);
	expect(&src, "filepw");
	unsetenv("MKIT_PASSWORD");
}

static void
test_env(void)
{
	struct pass_src	 src;
	struct mk_err	 e;
	char		*pw = NULL;

	memset(&src, 0, sizeof(src));
	setenv("MKIT_PASSWORD", "env pw", 1);
	expect(&src, "env pw");
	setenv("MKIT_PASSWORD", "a\nb", 1);
	T_EQ_INT(pass_get(&src, &pw, &e), -1);
	T_EQ_STR(e.msg, "MKIT_PASSWORD: password holds CR, LF or NUL");
	setenv("MKIT_PASSWORD", "", 1);
	T_EQ_INT(pass_get(&src, &pw, &e), 1);
	unsetenv("MKIT_PASSWORD");
	T_EQ_INT(pass_get(&src, &pw, &e), 1);
	src.config_password = "cfg\rpw";
	T_EQ_INT(pass_get(&src, &pw, &e), -1);
	T_EQ_STR(e.msg, "password: password holds CR, LF or NUL");
}

static const char netrc[] =
    "machine a.example login bob password pa\n"
    "machine b.example login alice password pb1\n"
    "machine b.example login bob password pb2\n"
    "# a comment: machine x.example password no\n"
    "macdef init\n"
    "cd /\n"
    "machine c.example password inmacro\n"
    "\n"
    "machine c.example\n"
    "\tlogin\tcarol\n"
    "\taccount\tacct\n"
    "\tpassword\tpc  # trailing comment\n"
    "machine d.example login dave\n"
    "machine d.example login dave passwd pd\n"
    "machine nologin.example password pn\n"
    "machine q.example login q password \"two words\"\n"
    "default login anon password pdef\n"
    "machine late.example password plate\n";

/* Look host/user up in text; returns the password or "" (static). */
static const char *
lookup(const char *text, size_t len, const char *host, const char *user)
{
	static char	 got[64];
	struct mk_err	 e;
	char		*pw = NULL;
	int		 r;

	r = pass_netrc_lookup(text, len, host, user, &pw, &e);
	T_CHECK(r == 0 || r == 1);
	snprintf(got, sizeof(got), "%s", r == 0 ? pw : "");
	T_CHECK(r == 0 || pw == NULL);
	pass_free(pw);
	return got;
}

#define LS(s)	s, strlen(s)

static void
test_netrc(void)
{
	static const char *t[][3] = {
		{ "a.example", "bob", "pa" },
		{ "A.Example", "bob", "pa" },
		{ "a.example", NULL, "pa" },
		{ "b.example", "bob", "pb2" },
		{ "b.example", "alice", "pb1" },
		{ "b.example", NULL, "pb1" },
		{ "c.example", "carol", "pc" },
		{ "c.example", NULL, "pc" },
		{ "d.example", "dave", "pd" },
		{ "nologin.example", "anyone", "pn" },
		{ "q.example", "q", "\"two" },
		{ "x.example", NULL, "pdef" },
		{ "x.example", "anon", "pdef" },
		{ "x.example", "bob", "" },
		{ "a.example", "eve", "" },
		{ "late.example", NULL, "plate" },
		{ "a.exampl", NULL, "pdef" },
	};
	size_t i;

	for (i = 0; i < MK_NELEM(t); i++) {
		T_EQ_STR(lookup(netrc, sizeof(netrc) - 1, t[i][0], t[i][1]),
		    t[i][2]);
		if (strcmp(lookup(netrc, sizeof(netrc) - 1, t[i][0], t[i][1]),
		    t[i][2]) != 0)
			printf("#   (case %zu)\n", i);
	}
	/* A machine entry wins over an earlier default. */
	T_EQ_STR(lookup(LS("default password d machine m password pm"),
	    "m", NULL), "pm");
	T_EQ_STR(lookup(LS("default password d machine m password pm"),
	    "n", NULL), "d");
	/* Only the first default counts. */
	T_EQ_STR(lookup(LS("default password d1\ndefault password d2\n"),
	    "n", NULL), "d1");
	/* Broken text: no match, no crash. */
	T_EQ_STR(lookup(LS("machine"), "machine", NULL), "");
	T_EQ_STR(lookup(LS("machine a password"), "a", NULL), "");
	T_EQ_STR(lookup(LS("password p"), "a", NULL), "");
	T_EQ_STR(lookup("", 0, "a", NULL), "");
	T_EQ_STR(lookup("machine a password x\0y", 22, "a", NULL), "x");
	T_EQ_STR(lookup(LS("macdef m\nmachine a password x"), "a", NULL), "");
}

static void
test_netrc_prefixes(void)
{
	size_t		 i, n = sizeof(netrc) - 1;
	char		*p;

	for (i = 0; i <= n; i++) {
		p = malloc(i + 1);
		memcpy(p, netrc, i);
		(void)lookup(p, i, "c.example", "carol");
		(void)lookup(p, i, "zzz", NULL);
		memcpy(p, netrc + n - i, i);
		(void)lookup(p, i, "c.example", "carol");
		(void)lookup(p, i, "zzz", NULL);
		free(p);
	}
}

static void
test_netrc_file(void)
{
	struct pass_src	 src;
	struct mk_err	 e;
	char		 want[512];
	char		*pw = NULL;
	const char	*path;

	memset(&src, 0, sizeof(src));
	src.host = "h.example";
	src.user = "u";
	path = put(".netrc", "machine h.example login u password topsecret\n",
	    0644);
	T_EQ_INT(pass_get(&src, &pw, &e), -1);
	T_EQ_INT(e.st, MK_ECONFIG);
	snprintf(want, sizeof(want), "%s: holds a password but is readable "
	    "by others (chmod 600 %s)", path, path);
	T_EQ_STR(e.msg, want);
	T_CHECK(pw == NULL);
	/* Not our host: not our business. */
	src.host = "other.example";
	T_EQ_INT(pass_get(&src, &pw, &e), 1);
	unlink(path);
}

/*
 * The prompt, in a child that has a pseudo-terminal as its controlling
 * terminal and standard input.  The parent plays the user on the master
 * side.  Returns the child's pid; *masterp and *slavep are the parent's.
 */
static pid_t
pty_child(int *masterp, int *slavep, int resfd[2])
{
	struct pass_src	 src;
	struct mk_err	 e;
	char		*pw = NULL, name[128];
	pid_t		 pid;
	int		 m, s, r;

	if ((m = posix_openpt(O_RDWR | O_NOCTTY)) == -1 || grantpt(m) == -1 ||
	    unlockpt(m) == -1 || ptsname(m) == NULL)
		return -1;
	snprintf(name, sizeof(name), "%s", ptsname(m));
	if ((s = open(name, O_RDWR | O_NOCTTY)) == -1 || pipe(resfd) == -1)
		return -1;
	fflush(stdout);
	if ((pid = fork()) != 0) {
		close(resfd[1]);
		*masterp = m;
		*slavep = s;
		return pid;
	}
	alarm(20);
	close(resfd[0]);
	close(m);
	setsid();
	close(s);
	if ((s = open(name, O_RDWR)) == -1)	/* our controlling tty now */
		_exit(2);
	dup2(s, 0);
	unsetenv("MKIT_PASSWORD");
	memset(&src, 0, sizeof(src));
	src.host = "h.example";
	src.user = "bob";
	src.allow_prompt = 1;
	r = pass_get(&src, &pw, &e);
	dprintf(resfd[1], "%d:%s", r, r == 0 ? pw : r == 1 ? "" : e.msg);
	_exit(0);
}

/* Read from fd into buf (NUL-terminated) until want shows up. */
static int
read_until(int fd, char *buf, size_t size, const char *want, int ms)
{
	struct pollfd	pfd = { fd, POLLIN, 0 };
	size_t		len = 0;
	ssize_t		n;

	buf[0] = '\0';
	while (len + 1 < size && strstr(buf, want) == NULL) {
		if (poll(&pfd, 1, ms) != 1)
			return -1;
		if ((n = read(fd, buf + len, size - len - 1)) <= 0)
			return -1;
		len += (size_t)n;
		buf[len] = '\0';
	}
	return strstr(buf, want) != NULL ? 0 : -1;
}

static void
test_prompt(void)
{
	struct termios	 t;
	char		 buf[512];
	int		 m, s, res[2], status;
	pid_t		 pid;

	if ((pid = pty_child(&m, &s, res)) == -1) {
		printf("# skip: no pseudo-terminal\n");
		return;
	}
	T_EQ_INT(read_until(m, buf, sizeof(buf), "Password for bob@h.example: ",
	    10000), 0);
	T_CHECK(tcgetattr(s, &t) == 0 && (t.c_lflag & ECHO) == 0);
	T_CHECK(write(m, "s3cr3t pw\n", 10) == 10);
	T_EQ_INT(read_until(res[0], buf, sizeof(buf), "s3cr3t pw", 10000), 0);
	T_EQ_STR(buf, "0:s3cr3t pw");
	waitpid(pid, &status, 0);
	T_CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	/* Nothing echoed, and echo is back on. */
	T_CHECK(read_until(m, buf, sizeof(buf), "s3cr3t", 300) == -1);
	T_CHECK(tcgetattr(s, &t) == 0 && (t.c_lflag & ECHO) != 0);
	close(m);
	close(s);
	close(res[0]);
}

static void
test_prompt_signal(void)
{
	struct termios	 t;
	char		 buf[512];
	int		 m, s, res[2], status;
	pid_t		 pid;

	if ((pid = pty_child(&m, &s, res)) == -1) {
		printf("# skip: no pseudo-terminal\n");
		return;
	}
	T_EQ_INT(read_until(m, buf, sizeof(buf), "Password for", 10000), 0);
	T_CHECK(tcgetattr(s, &t) == 0 && (t.c_lflag & ECHO) == 0);
	/* ^C from the keyboard: the child dies of SIGINT, echo is back. */
	T_CHECK(write(m, "par\003", 4) == 4);
	waitpid(pid, &status, 0);
	T_CHECK(WIFSIGNALED(status) && WTERMSIG(status) == SIGINT);
	T_CHECK(tcgetattr(s, &t) == 0 && (t.c_lflag & ECHO) != 0);
	close(m);
	close(s);
	close(res[0]);
}

static void
test_prompt_no_tty(void)
{
	struct pass_src	 src;
	struct mk_err	 e;
	char		*pw = NULL;
	int		 fd, saved;

	/* Standard input is not a terminal: no prompt, nothing found. */
	memset(&src, 0, sizeof(src));
	src.allow_prompt = 1;
	saved = dup(0);
	fd = open("/dev/null", O_RDONLY);
	dup2(fd, 0);
	T_EQ_INT(pass_get(&src, &pw, &e), 1);
	dup2(saved, 0);
	close(fd);
	close(saved);
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
	/* Never the real ~/.netrc. */
	setenv("HOME", tmpdir, 1);
	unsetenv("MKIT_PASSWORD");
	T_RUN(test_order);
	T_RUN(test_command);
	T_RUN(test_command_fail);
	T_RUN(test_file);
	T_RUN(test_env);
	T_RUN(test_netrc);
	T_RUN(test_netrc_prefixes);
	T_RUN(test_netrc_file);
	T_RUN(test_prompt);
	T_RUN(test_prompt_signal);
	T_RUN(test_prompt_no_tty);
	cleanup();
	T_DONE();
}
