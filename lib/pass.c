/*
 * pass.c: password sources.  See pass.h.
 */
#include <sys/stat.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pwd.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <termios.h>
#include <unistd.h>

#include "pass.h"

extern char **environ;

/* One netrc token cursor. */
struct ntok {
	const char	*buf;
	size_t		 len, off;
};

/* The netrc entry being read. */
struct nentry {
	int		 active;	/* after "machine" or "default" */
	int		 host_ok;	/* its name matched, or "default" */
	int		 is_default;
	const char	*login;		/* borrowed from the text */
	size_t		 loginlen;
	const char	*pw;		/* borrowed from the text */
	size_t		 pwlen;
};

/* What the prompt changes and must put back. */
struct prompt {
	int		 fd;		/* /dev/tty */
	struct termios	 old;
	struct sigaction sa_old[8];
	int		 echo_off;
};

static int	dup_checked(const char *, size_t, const char *, char **,
		    struct mk_err *);
static int	first_line(const char *, size_t, const char *, char **,
		    struct mk_err *);
static int	read_upto(int, char *, size_t, int, size_t *);
static int	fd_high(int);
static int	cmd_spawn(const char *, pid_t *, int *);
static size_t	cmd_read(int, char *, size_t);
static int	cmd_status(pid_t, struct mk_err *);
static int	from_command(const char *, char **, struct mk_err *);
static int	from_file(const char *, char **, struct mk_err *);
static int	from_netrc(const char *, const char *, char **,
		    struct mk_err *);
static int	from_prompt(const struct pass_src *, char **,
		    struct mk_err *);
static int	is_nsep(char);
static int	ntok_next(struct ntok *, const char **, size_t *);
static void	ntok_skip_line(struct ntok *);
static void	ntok_skip_macdef(struct ntok *);
static int	tok_is(const char *, size_t, const char *);
static int	entry_match(const struct nentry *, const char *);
static void	prompt_text(char *, size_t, const struct pass_src *);
static void	tty_write(int, const char *);
static void	prompt_onsig(int);
static int	prompt_pending(void);
static void	prompt_start(struct prompt *);
static void	prompt_end(struct prompt *);
static int	prompt_read(int, char *, size_t, size_t *);

#define CMD_DRAIN_MAX	(1024 * 1024)	/* output we read past line one */

static const int prompt_sigs[] = {
	SIGHUP, SIGINT, SIGQUIT, SIGTERM, SIGTSTP, SIGTTIN, SIGTTOU
};
static volatile sig_atomic_t prompt_caught[NSIG];
_Static_assert(MK_NELEM(prompt_sigs) <= 8, "struct prompt holds 8");

void
pass_free(char *p)
{
	if (p == NULL)
		return;
	explicit_bzero(p, strlen(p));
	free(p);
}

/* Copy s[0..n) into a new string, refusing CR, LF and NUL. */
static int
dup_checked(const char *s, size_t n, const char *what, char **out,
    struct mk_err *e)
{
	char *p;

	if (mk_has_ctl_line(s, n))
		return mk_seterr(e, MK_ECONFIG, "%s: password holds CR, LF "
		    "or NUL", what);
	if (n > PASS_MAX)
		return mk_seterr(e, MK_ECONFIG, "%s: password too long (over "
		    "%d bytes)", what, PASS_MAX);
	if ((p = malloc(n + 1)) == NULL)
		return mk_seterr(e, MK_ESOFTWARE, "out of memory");
	memcpy(p, s, n);
	p[n] = '\0';
	*out = p;
	return 0;
}

/* The first line of buf[0..len), without LF or CRLF; 1 if it is empty. */
static int
first_line(const char *buf, size_t len, const char *what, char **out,
    struct mk_err *e)
{
	const char	*nl;
	size_t		 n;

	n = (nl = memchr(buf, '\n', len)) != NULL ? (size_t)(nl - buf) : len;
	if (n > 0 && buf[n - 1] == '\r')
		n--;
	if (n == 0)
		return 1;
	return dup_checked(buf, n, what, out, e);
}

/*
 * Read from fd into buf until EOF, a full buffer, or (when stopnl) a
 * read that brought a LF.  Returns 0, or -1 with errno set.
 */
static int
read_upto(int fd, char *buf, size_t size, int stopnl, size_t *lenp)
{
	ssize_t	n;
	size_t	len = 0;

	while (len < size) {
		n = read(fd, buf + len, size - len);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1) {
			*lenp = len;
			return -1;
		}
		if (n == 0)
			break;
		len += (size_t)n;
		if (stopnl && memchr(buf + len - (size_t)n, '\n', (size_t)n))
			break;
	}
	*lenp = len;
	return 0;
}

/*
 * Move fd to 3 or above with FD_CLOEXEC, so that it cannot clash with
 * the child's standard descriptors.  Returns the new fd or -1.
 */
static int
fd_high(int fd)
{
	int nfd, saved;

	nfd = fcntl(fd, F_DUPFD_CLOEXEC, 3);
	saved = errno;
	close(fd);
	errno = saved;
	return nfd;
}

/* Start /bin/sh -c cmd, stdin from /dev/null, stdout into *rfdp. */
static int
cmd_spawn(const char *cmd, pid_t *pidp, int *rfdp)
{
	posix_spawn_file_actions_t	 fa;
	char				*argv[4];
	int				 p[2], rc;

	if (pipe(p) == -1)
		return errno;
	p[0] = fd_high(p[0]);
	p[1] = fd_high(p[1]);
	if (p[0] == -1 || p[1] == -1) {
		rc = errno;
		goto fail;
	}
	argv[0] = "sh";
	argv[1] = "-c";
	argv[2] = (char *)cmd;
	argv[3] = NULL;
	if ((rc = posix_spawn_file_actions_init(&fa)) != 0)
		goto fail;
	/* Both pipe ends are close-on-exec; dup2 clears it on fd 1. */
	if ((rc = posix_spawn_file_actions_addopen(&fa, 0, "/dev/null",
	    O_RDONLY, 0)) == 0 &&
	    (rc = posix_spawn_file_actions_adddup2(&fa, p[1], 1)) == 0)
		rc = posix_spawn(pidp, "/bin/sh", &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	if (rc != 0)
		goto fail;
	close(p[1]);
	*rfdp = p[0];
	return 0;
fail:
	if (p[0] != -1)
		close(p[0]);
	if (p[1] != -1)
		close(p[1]);
	return rc;
}

/*
 * Read the command's output into buf (size bytes); drain and wipe
 * whatever follows, up to CMD_DRAIN_MAX, so a command that prints more
 * than a line does not die of SIGPIPE.  Returns the bytes kept.
 */
static size_t
cmd_read(int fd, char *buf, size_t size)
{
	char	scratch[4096];
	size_t	len = 0, n, total = 0;

	if (read_upto(fd, buf, size, 0, &len) == -1 || len < size)
		return len;
	while (total < CMD_DRAIN_MAX &&
	    read_upto(fd, scratch, sizeof(scratch), 0, &n) == 0 && n > 0)
		total += n;
	explicit_bzero(scratch, sizeof(scratch));
	return len;
}

/* Wait for the command; 0 if it exited 0, else -1 with e set. */
static int
cmd_status(pid_t pid, struct mk_err *e)
{
	int status;

	while (waitpid(pid, &status, 0) == -1)
		if (errno != EINTR)
			return mk_seterrno(e, MK_EPERM, errno,
			    "password-command");
	if (WIFSIGNALED(status))
		return mk_seterr(e, MK_EPERM, "password-command killed by "
		    "signal %d", WTERMSIG(status));
	if (!WIFEXITED(status) || WEXITSTATUS(status) == 0)
		return 0;
	return mk_seterr(e, MK_EPERM, "password-command failed (exit status "
	    "%d%s)", WEXITSTATUS(status),
	    WEXITSTATUS(status) == 127 ? ": command not found" : "");
}

static int
from_command(const char *cmd, char **out, struct mk_err *e)
{
	char	buf[PASS_MAX + 2];	/* the line, CR, LF */
	size_t	len;
	pid_t	pid = -1;
	int	fd = -1, rc, ret;

	if ((rc = cmd_spawn(cmd, &pid, &fd)) != 0)
		return mk_seterrno(e, MK_EPERM, rc, "cannot run "
		    "password-command");
	len = cmd_read(fd, buf, sizeof(buf));
	close(fd);
	if ((ret = cmd_status(pid, e)) == 0 &&
	    (ret = first_line(buf, len, "password-command", out, e)) == 1)
		ret = mk_seterr(e, MK_EPERM, "password-command printed no "
		    "password");
	explicit_bzero(buf, sizeof(buf));
	return ret;
}

static int
from_file(const char *path, char **out, struct mk_err *e)
{
	char		buf[PASS_MAX + 2];
	struct stat	sb;
	size_t		len = 0;
	int		fd, ret = -1;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY)) == -1)
		return mk_seterrno(e, MK_ECONFIG, errno, "%s", path);
	if (fstat(fd, &sb) == -1)
		mk_seterrno(e, MK_EIO, errno, "%s", path);
	else if (S_ISREG(sb.st_mode) && (sb.st_mode & 077) != 0)
		mk_seterr(e, MK_ECONFIG, "%s: holds a password but is readable "
		    "by others (chmod 600 %s)", path, path);
	else if (read_upto(fd, buf, sizeof(buf), 1, &len) == -1)
		mk_seterrno(e, MK_EIO, errno, "read %s", path);
	else if ((ret = first_line(buf, len, path, out, e)) == 1)
		ret = mk_seterr(e, MK_ECONFIG, "%s: holds no password", path);
	close(fd);
	explicit_bzero(buf, sizeof(buf));
	return ret;
}

/* Look in ~/.netrc; 1 when it is absent or has no entry for host. */
static int
from_netrc(const char *host, const char *user, char **out,
    struct mk_err *e)
{
	char		 path[PATH_MAX], *buf = NULL;
	const char	*home;
	struct passwd	*pw;
	struct stat	 sb;
	size_t		 len = 0;
	int		 fd = -1, ret = 1, n;

	if (((home = getenv("HOME")) == NULL || *home == '\0') &&
	    (pw = getpwuid(getuid())) != NULL)
		home = pw->pw_dir;
	if (home == NULL || *home == '\0')
		return 1;
	n = snprintf(path, sizeof(path), "%s/.netrc", home);
	if (n < 0 || (size_t)n >= sizeof(path))
		return 1;
	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY)) == -1) {
		if (errno == ENOENT || errno == ENOTDIR)
			return 1;
		return mk_seterrno(e, MK_ECONFIG, errno, "%s", path);
	}
	if (fstat(fd, &sb) == -1)
		ret = mk_seterrno(e, MK_EIO, errno, "%s", path);
	else if (!S_ISREG(sb.st_mode) || sb.st_size > PASS_NETRC_MAX)
		ret = mk_seterr(e, MK_ECONFIG, "%s: not a regular file of at "
		    "most %d bytes", path, PASS_NETRC_MAX);
	else if ((buf = malloc(PASS_NETRC_MAX)) == NULL)
		ret = mk_seterr(e, MK_ESOFTWARE, "out of memory");
	else if (read_upto(fd, buf, PASS_NETRC_MAX, 0, &len) == -1)
		ret = mk_seterrno(e, MK_EIO, errno, "read %s", path);
	else if ((ret = pass_netrc_lookup(buf, len, host, user, out, e)) == 0 &&
	    (sb.st_mode & 077) != 0) {
		pass_free(*out);
		*out = NULL;
		ret = mk_seterr(e, MK_ECONFIG, "%s: holds a password but is "
		    "readable by others (chmod 600 %s)", path, path);
	}
	close(fd);
	if (buf != NULL) {
		explicit_bzero(buf, len);
		free(buf);
	}
	return ret;
}

int
pass_get(const struct pass_src *src, char **out, struct mk_err *e)
{
	const char	*s;
	int		 ret;

	*out = NULL;
	if (src->command != NULL)
		return from_command(src->command, out, e);
	if (src->file != NULL)
		return from_file(src->file, out, e);
	if (src->config_password != NULL)
		return dup_checked(src->config_password,
		    strlen(src->config_password), "password", out, e);
	if ((s = getenv("MKIT_PASSWORD")) != NULL && *s != '\0')
		return dup_checked(s, strlen(s), "MKIT_PASSWORD", out, e);
	if (src->host != NULL &&
	    (ret = from_netrc(src->host, src->user, out, e)) != 1)
		return ret;
	if (src->allow_prompt)
		return from_prompt(src, out, e);
	return 1;
}

/*
 * netrc
 */

static int
is_nsep(char ch)
{
	return ch == ' ' || ch == '\t' || ch == '\r' || ch == '\n' ||
	    ch == '\0';
}

/* The next token; 0 at the end of the text. */
static int
ntok_next(struct ntok *t, const char **p, size_t *n)
{
	size_t start;

	while (t->off < t->len && is_nsep(t->buf[t->off]))
		t->off++;
	if (t->off == t->len)
		return 0;
	start = t->off;
	while (t->off < t->len && !is_nsep(t->buf[t->off]))
		t->off++;
	*p = t->buf + start;
	*n = t->off - start;
	return 1;
}

/* Skip to just past the next LF. */
static void
ntok_skip_line(struct ntok *t)
{
	const char *nl;

	nl = memchr(t->buf + t->off, '\n', t->len - t->off);
	t->off = nl != NULL ? (size_t)(nl - t->buf) + 1 : t->len;
}

/* Skip the rest of the macdef line and its body, up to an empty line. */
static void
ntok_skip_macdef(struct ntok *t)
{
	const char	*p;
	size_t		 n;

	ntok_skip_line(t);
	while (t->off < t->len) {
		p = t->buf + t->off;
		ntok_skip_line(t);
		n = (size_t)(t->buf + t->off - p);
		if ((n == 1 && p[0] == '\n') ||
		    (n == 2 && p[0] == '\r' && p[1] == '\n'))
			break;
	}
}

static int
tok_is(const char *p, size_t n, const char *word)
{
	return strlen(word) == n && memcmp(p, word, n) == 0;
}

static int
entry_match(const struct nentry *en, const char *user)
{
	if (!en->active || !en->host_ok || en->pw == NULL)
		return 0;
	if (user == NULL || en->login == NULL)
		return 1;
	return tok_is(en->login, en->loginlen, user);
}

int
pass_netrc_lookup(const char *buf, size_t len, const char *host,
    const char *user, char **out, struct mk_err *e)
{
	struct ntok	 t = { buf, len, 0 };
	struct nentry	 en, def;
	const char	*p, *v;
	size_t		 n, vn;
	int		 more;

	*out = NULL;
	memset(&en, 0, sizeof(en));
	memset(&def, 0, sizeof(def));
	do {
		if ((more = ntok_next(&t, &p, &n)) == 0 ||
		    tok_is(p, n, "machine") || tok_is(p, n, "default")) {
			/* The entry before this one is complete. */
			if (entry_match(&en, user) && !en.is_default)
				return dup_checked(en.pw, en.pwlen, "netrc",
				    out, e);
			if (entry_match(&en, user) && !def.active)
				def = en;
			if (!more)
				break;
			memset(&en, 0, sizeof(en));
			en.active = 1;
			if ((en.is_default = tok_is(p, n, "default")))
				en.host_ok = 1;
			else if (ntok_next(&t, &v, &vn))
				en.host_ok = strlen(host) == vn &&
				    strncasecmp(v, host, vn) == 0;
		} else if (p[0] == '#')
			ntok_skip_line(&t);
		else if (tok_is(p, n, "macdef"))
			ntok_skip_macdef(&t);
		else if (tok_is(p, n, "login") && ntok_next(&t, &v, &vn)) {
			en.login = v;
			en.loginlen = vn;
		} else if ((tok_is(p, n, "password") ||
		    tok_is(p, n, "passwd")) && ntok_next(&t, &v, &vn)) {
			en.pw = v;
			en.pwlen = vn;
		} else if (tok_is(p, n, "account"))
			(void)ntok_next(&t, &v, &vn);
	} while (more);
	if (def.active)
		return dup_checked(def.pw, def.pwlen, "netrc", out, e);
	return 1;
}

/*
 * The prompt, after OpenBSD readpassphrase(3): echo off on /dev/tty,
 * signals caught so the terminal is always put back, then re-raised.
 */

/* Best effort: a prompt that cannot be shown is still read. */
static void
tty_write(int fd, const char *s)
{
	size_t	len = strlen(s);
	ssize_t	n;

	while (len > 0) {
		if ((n = write(fd, s, len)) == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			return;
		s += n;
		len -= (size_t)n;
	}
}

static void
prompt_onsig(int sig)
{
	if (sig > 0 && sig < NSIG)
		prompt_caught[sig] = 1;
}

/* Whether a signal came while the prompt was up. */
static int
prompt_pending(void)
{
	size_t i;

	for (i = 1; i < NSIG; i++)
		if (prompt_caught[i])
			return 1;
	return 0;
}

/* "Password for USER@HOST: ", control bytes shown as '?'. */
static void
prompt_text(char *dst, size_t size, const struct pass_src *src)
{
	size_t i;

	if (src->user != NULL && src->host != NULL)
		snprintf(dst, size, "Password for %s@%s: ", src->user,
		    src->host);
	else if (src->user != NULL || src->host != NULL)
		snprintf(dst, size, "Password for %s: ",
		    src->user != NULL ? src->user : src->host);
	else
		snprintf(dst, size, "Password: ");
	for (i = 0; dst[i] != '\0'; i++)
		if ((unsigned char)dst[i] < 0x20 || dst[i] == 0x7f)
			dst[i] = '?';
}

static void
prompt_start(struct prompt *pr)
{
	struct sigaction	sa;
	struct termios		t;
	size_t			i;

	for (i = 0; i < NSIG; i++)
		prompt_caught[i] = 0;
	memset(&sa, 0, sizeof(sa));
	sigemptyset(&sa.sa_mask);
	sa.sa_handler = prompt_onsig;	/* no SA_RESTART: read fails, EINTR */
	for (i = 0; i < MK_NELEM(prompt_sigs); i++)
		sigaction(prompt_sigs[i], &sa, &pr->sa_old[i]);
	pr->echo_off = 0;
	if (tcgetattr(pr->fd, &pr->old) == 0) {
		t = pr->old;
		t.c_lflag &= ~(tcflag_t)(ECHO | ECHONL);
		while (tcsetattr(pr->fd, TCSAFLUSH, &t) == -1 &&
		    errno == EINTR && !prompt_caught[SIGTTOU])
			continue;
		pr->echo_off = (pr->old.c_lflag & ECHO) != 0;
	}
}

static void
prompt_end(struct prompt *pr)
{
	size_t i;

	if (pr->echo_off) {
		tty_write(pr->fd, "\n");
		while (tcsetattr(pr->fd, TCSAFLUSH, &pr->old) == -1 &&
		    errno == EINTR && !prompt_caught[SIGTTOU])
			continue;
	}
	for (i = 0; i < MK_NELEM(prompt_sigs); i++)
		sigaction(prompt_sigs[i], &pr->sa_old[i], NULL);
}

/*
 * Read one line into buf (size bytes), stopping at LF, EOF or a signal.
 * Returns 0 with *lenp set, 1 at EOF before anything, 2 when the line
 * did not fit, -1 on a signal or error.
 */
static int
prompt_read(int fd, char *buf, size_t size, size_t *lenp)
{
	size_t	len = 0;
	ssize_t	n;
	int	over = 0;
	char	ch;

	for (;;) {
		if (prompt_pending())
			return -1;
		if ((n = read(fd, &ch, 1)) == -1)
			return -1;
		if (n == 0 && len == 0 && over == 0)
			return 1;
		if (n == 0 || ch == '\n')
			break;
		if (len < size)
			buf[len++] = ch;
		else
			over = 1;
	}
	*lenp = len;
	return over ? 2 : 0;
}

static int
from_prompt(const struct pass_src *src, char **out, struct mk_err *e)
{
	struct prompt	pr;
	char		text[160], buf[PASS_MAX + 1];
	size_t		i, len = 0;
	int		rc, again, ret;

	if (!isatty(STDIN_FILENO) ||
	    (pr.fd = open("/dev/tty", O_RDWR | O_CLOEXEC | O_NOCTTY)) == -1)
		return 1;
	prompt_text(text, sizeof(text), src);
	do {
		prompt_start(&pr);
		tty_write(pr.fd, text);
		rc = prompt_read(pr.fd, buf, sizeof(buf), &len);
		prompt_end(&pr);
		again = 0;
		for (i = 1; i < NSIG; i++)
			if (prompt_caught[i]) {
				kill(getpid(), (int)i);
				again |= i == SIGTSTP || i == SIGTTIN ||
				    i == SIGTTOU;
			}
	} while (again && rc == -1);
	close(pr.fd);
	if (len > 0 && buf[len - 1] == '\r')
		len--;
	if (rc == -1)
		ret = mk_seterr(e, MK_ETEMP, "password prompt interrupted");
	else if (rc == 2)
		ret = mk_seterr(e, MK_ECONFIG, "password too long (over %d "
		    "bytes)", PASS_MAX);
	else if (rc == 1 || len == 0)
		ret = 1;
	else
		ret = dup_checked(buf, len, "password", out, e);
	explicit_bzero(buf, sizeof(buf));
	return ret;
}
