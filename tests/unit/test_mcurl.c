/*
 * test_mcurl.c: the libcurl setup and the status maps.  The pure maps
 * are checked by table; mcurl_new() is checked for each scheme and for
 * the contradictions it refuses; then libcurl talks to scripted peers
 * forked on 127.0.0.1 (only loopback, never the network), and the
 * transcript must show every exchange with the password hidden.
 */
#include <sys/socket.h>
#include <sys/wait.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "mcurl.h"
#include "t.h"

#define USER		"alice"
#define PASSWORD	"s3cr3t pw"
#define PLAIN_B64	"AGFsaWNlAHMzY3IzdCBwdw=="	/* \0alice\0s3cr3t pw */
#define USER_B64	"YWxpY2U="
#define PASSWORD_B64	"czNjcjN0IHB3"

static void
test_status(void)
{
	static const struct {
		CURLcode	c;
		enum mk_status	st;
	} map[] = {
		{ CURLE_OK,			MK_OK },
		{ CURLE_COULDNT_CONNECT,	MK_ETEMP },
		{ CURLE_OPERATION_TIMEDOUT,	MK_ETEMP },
		{ CURLE_COULDNT_RESOLVE_HOST,	MK_ETEMP },
		{ CURLE_SEND_ERROR,		MK_ETEMP },
		{ CURLE_RECV_ERROR,		MK_ETEMP },
		{ CURLE_GOT_NOTHING,		MK_ETEMP },
		{ CURLE_LOGIN_DENIED,		MK_EPERM },
		{ CURLE_PEER_FAILED_VERIFICATION, MK_EPERM },
		{ CURLE_SSL_CONNECT_ERROR,	MK_EPERM },
		{ CURLE_USE_SSL_FAILED,		MK_EPERM },
		{ CURLE_REMOTE_ACCESS_DENIED,	MK_EPERM },
		{ CURLE_SSL_CACERT_BADFILE,	MK_ECONFIG },
		{ CURLE_WEIRD_SERVER_REPLY,	MK_EPROTO },
		{ CURLE_UNSUPPORTED_PROTOCOL,	MK_EUSAGE },
		{ CURLE_URL_MALFORMAT,		MK_EUSAGE },
		{ CURLE_OUT_OF_MEMORY,		MK_ESOFTWARE },
		{ CURLE_READ_ERROR,		MK_EIO },
		{ CURLE_QUOTE_ERROR,		MK_EUNAVAIL },
		{ CURLE_REMOTE_FILE_NOT_FOUND,	MK_NOTFOUND },
		{ CURLE_TOO_MANY_REDIRECTS,	MK_EUNAVAIL }
	};
	size_t i;

	for (i = 0; i < MK_NELEM(map); i++)
		if (mcurl_status(map[i].c) != map[i].st) {
			printf("#   CURLcode %d: status %d, expected %d\n",
			    (int)map[i].c, (int)mcurl_status(map[i].c),
			    (int)map[i].st);
			t_cur_failed = 1;
		}
}

static void
test_smtp_reply(void)
{
	static const struct {
		int			code;
		enum mcurl_smtp_stage	stage;
		enum mk_status		st;
	} map[] = {
		{ 220, MCURL_SMTP_CONNECT,	MK_OK },
		{ 250, MCURL_SMTP_RCPT,		MK_OK },
		{ 334, MCURL_SMTP_AUTH,		MK_OK },
		{ 354, MCURL_SMTP_DATA,		MK_OK },
		{ 421, MCURL_SMTP_CONNECT,	MK_ETEMP },
		{ 421, MCURL_SMTP_RCPT,		MK_ETEMP },
		{ 450, MCURL_SMTP_RCPT,		MK_ETEMP },
		{ 454, MCURL_SMTP_AUTH,		MK_ETEMP },
		{ 452, MCURL_SMTP_DATA,		MK_ETEMP },
		{ 535, MCURL_SMTP_AUTH,		MK_EPERM },
		{ 534, MCURL_SMTP_AUTH,		MK_EPERM },
		{ 538, MCURL_SMTP_AUTH,		MK_EPERM },
		{ 530, MCURL_SMTP_AUTH,		MK_EPERM },
		{ 530, MCURL_SMTP_MAIL,		MK_EPERM },
		{ 504, MCURL_SMTP_AUTH,		MK_EUNAVAIL },
		{ 550, MCURL_SMTP_RCPT,		MK_ENOUSER },
		{ 551, MCURL_SMTP_RCPT,		MK_ENOUSER },
		{ 553, MCURL_SMTP_RCPT,		MK_ENOUSER },
		{ 554, MCURL_SMTP_RCPT,		MK_ENOUSER },
		{ 501, MCURL_SMTP_RCPT,		MK_ENOUSER },
		{ 552, MCURL_SMTP_RCPT,		MK_ETEMP },
		{ 503, MCURL_SMTP_RCPT,		MK_EUNAVAIL },
		{ 550, MCURL_SMTP_MAIL,		MK_EUNAVAIL },
		{ 552, MCURL_SMTP_MAIL,		MK_EDATA },
		{ 552, MCURL_SMTP_DATA,		MK_EDATA },
		{ 554, MCURL_SMTP_DATA,		MK_EDATA },
		{ 550, MCURL_SMTP_DATA,		MK_EDATA },
		{ 554, MCURL_SMTP_CONNECT,	MK_EUNAVAIL },
		{ 500, MCURL_SMTP_OTHER,	MK_EUNAVAIL },
		{ 535, MCURL_SMTP_OTHER,	MK_EUNAVAIL },
		{ 0, MCURL_SMTP_CONNECT,	MK_EPROTO },
		{ 199, MCURL_SMTP_CONNECT,	MK_EPROTO },
		{ 600, MCURL_SMTP_DATA,		MK_EPROTO },
		{ -250, MCURL_SMTP_DATA,	MK_EPROTO }
	};
	size_t i;

	for (i = 0; i < MK_NELEM(map); i++)
		if (mcurl_smtp_reply_status(map[i].code, map[i].stage) !=
		    map[i].st) {
			printf("#   %d at stage %d: status %d, expected %d\n",
			    map[i].code, (int)map[i].stage,
			    (int)mcurl_smtp_reply_status(map[i].code,
			    map[i].stage), (int)map[i].st);
			t_cur_failed = 1;
		}
}

struct line_case {
	const char	*line;
	enum mk_status	 st;
};

static void
check_lines(enum mk_status (*f)(const char *, size_t),
    const struct line_case *c, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (f(c[i].line, strlen(c[i].line)) != c[i].st) {
			printf("#   \"%s\": status %d, expected %d\n",
			    c[i].line, (int)f(c[i].line, strlen(c[i].line)),
			    (int)c[i].st);
			t_cur_failed = 1;
		}
}

static void
test_pop3_reply(void)
{
	static const struct line_case c[] = {
		{ "+OK",				MK_OK },
		{ "+OK 2 messages",			MK_OK },
		{ "-ERR",				MK_EUNAVAIL },
		{ "-ERR no such message",		MK_EUNAVAIL },
		{ "-ERR [IN-USE] mailbox locked",	MK_ETEMP },
		{ "-ERR [in-use] mailbox locked",	MK_ETEMP },
		{ "-ERR [LOGIN-DELAY] wait",		MK_ETEMP },
		{ "-ERR [SYS/TEMP] try later",		MK_ETEMP },
		{ "-ERR [SYS/TEMP/DISK] try later",	MK_ETEMP },
		{ "-ERR [SYS/PERM] broken",		MK_EUNAVAIL },
		{ "-ERR [AUTH] bad password",		MK_EPERM },
		{ "-ERR [AUTHX] what",			MK_EUNAVAIL },
		{ "-ERR [SYS] what",			MK_EUNAVAIL },
		{ "-ERR [AUTH",				MK_EUNAVAIL },
		{ "-ERR [",				MK_EUNAVAIL },
		{ "+OKAY",				MK_EPROTO },
		{ "-ERROR",				MK_EPROTO },
		{ "+ ",					MK_EPROTO },
		{ "* OK",				MK_EPROTO },
		{ "",					MK_EPROTO },
		{ "ok",					MK_EPROTO }
	};

	check_lines(mcurl_pop3_reply_status, c, MK_NELEM(c));
	/* Bytes past len do not count. */
	T_EQ_INT(mcurl_pop3_reply_status("+OK", 2), MK_EPROTO);
	T_EQ_INT(mcurl_pop3_reply_status("-ERR [AUTH]", 9), MK_EUNAVAIL);
}

static void
test_imap_reply(void)
{
	static const struct line_case c[] = {
		{ "a1 OK done",				MK_OK },
		{ "a1 ok",				MK_OK },
		{ "* PREAUTH hi",			MK_OK },
		{ "a1 NO",				MK_EUNAVAIL },
		{ "a1 NO no way",			MK_EUNAVAIL },
		{ "a1 NO [AUTHENTICATIONFAILED] bad",	MK_EPERM },
		{ "a1 NO [authorizationfailed] bad",	MK_EPERM },
		{ "a1 NO [EXPIRED] bad",		MK_EPERM },
		{ "a1 NO [PRIVACYREQUIRED] tls",	MK_EPERM },
		{ "a1 NO [NOPERM] no",			MK_EPERM },
		{ "a1 NO [UNAVAILABLE] later",		MK_ETEMP },
		{ "a1 NO [INUSE] later",		MK_ETEMP },
		{ "a1 NO [OVERQUOTA] full",		MK_ETEMP },
		{ "a1 NO [NONEXISTENT] no box",		MK_NOTFOUND },
		{ "a1 NO [TRYCREATE] no box",		MK_NOTFOUND },
		{ "a1 NO [CLIENTBUG] eh",		MK_EPROTO },
		{ "a1 NO [BADCHARSET (UTF-8)] no",	MK_EUNAVAIL },
		{ "a1 NO [UNAVAILABLEX] x",		MK_EUNAVAIL },
		{ "a1 NO [UNAVAILABLE",			MK_ETEMP },
		{ "a1 BAD parse error",			MK_EPROTO },
		{ "* BYE shutting down",		MK_ETEMP },
		{ "a1 OKAY",				MK_EPROTO },
		{ "a1",					MK_EPROTO },
		{ "a1 ",				MK_EPROTO },
		{ " OK",				MK_EPROTO },
		{ "+ go ahead",				MK_EPROTO },
		{ "",					MK_EPROTO }
	};

	check_lines(mcurl_imap_reply_status, c, MK_NELEM(c));
	T_EQ_INT(mcurl_imap_reply_status("a1 OK", 4), MK_EPROTO);
}

/* Params with the test's defaults. */
static struct mcurl_params
params(const char *url, const char *password, enum mcurl_tls tls)
{
	struct mcurl_params p;

	memset(&p, 0, sizeof(p));
	p.url = url;
	p.user = password != NULL ? USER : NULL;
	p.password = password;
	p.tls = tls;
	p.connect_timeout_s = 5;
	p.timeout_s = 5;
	return p;
}

/* mcurl_params_check(): -1 or the CURLOPT_USE_SSL value. */
static long
check(const char *url, const char *password, enum mcurl_tls tls,
    enum mk_status *st)
{
	struct mcurl_params	p = params(url, password, tls);
	struct mk_err		e;
	enum trace_proto	proto;
	long			use_ssl = -2;

	e.st = MK_OK;
	if (mcurl_params_check(&p, &use_ssl, &proto, &e) == -1)
		use_ssl = -1;
	*st = e.st;
	return use_ssl;
}

static void
test_tls_policy(void)
{
	static const struct {
		const char	*url;
		const char	*pw;
		enum mcurl_tls	 tls;
		long		 use_ssl;	/* -1: refused with st */
		enum mk_status	 st;
	} c[] = {
		{ "smtp://mx.example.org", NULL, MCURL_TLS_DEFAULT,
		    CURLUSESSL_ALL, MK_OK },
		{ "smtp://mx.example.org:587", PASSWORD, MCURL_TLS_REQUIRED,
		    CURLUSESSL_ALL, MK_OK },
		{ "SMTP://mx.example.org", NULL, MCURL_TLS_AUTO,
		    CURLUSESSL_TRY, MK_OK },
		{ "smtp://mx.example.org", PASSWORD, MCURL_TLS_AUTO,
		    CURLUSESSL_ALL, MK_OK },
		{ "smtp://localhost", PASSWORD, MCURL_TLS_AUTO,
		    CURLUSESSL_TRY, MK_OK },
		{ "smtp://mx.example.org", NULL, MCURL_TLS_OFF,
		    CURLUSESSL_NONE, MK_OK },
		{ "smtp://mx.example.org", PASSWORD, MCURL_TLS_OFF,
		    -1, MK_ECONFIG },
		{ "pop3://127.0.0.1", PASSWORD, MCURL_TLS_OFF,
		    CURLUSESSL_NONE, MK_OK },
		{ "pop3://127.1.2.3:1110", PASSWORD, MCURL_TLS_OFF,
		    CURLUSESSL_NONE, MK_OK },
		{ "imap://[::1]:1143/INBOX", PASSWORD, MCURL_TLS_OFF,
		    CURLUSESSL_NONE, MK_OK },
		{ "imap://128.0.0.1", PASSWORD, MCURL_TLS_OFF,
		    -1, MK_ECONFIG },
		{ "imap://[::2]", PASSWORD, MCURL_TLS_OFF, -1, MK_ECONFIG },
		{ "imap://localhost.example.org", PASSWORD, MCURL_TLS_OFF,
		    -1, MK_ECONFIG },
		{ "smtps://mx.example.org", PASSWORD, MCURL_TLS_DEFAULT,
		    CURLUSESSL_ALL, MK_OK },
		{ "pop3s://mx.example.org", NULL, MCURL_TLS_AUTO,
		    CURLUSESSL_ALL, MK_OK },
		{ "imaps://mx.example.org", NULL, MCURL_TLS_REQUIRED,
		    CURLUSESSL_ALL, MK_OK },
		{ "smtps://mx.example.org", NULL, MCURL_TLS_OFF,
		    -1, MK_EUSAGE },
		{ "imaps://localhost", NULL, MCURL_TLS_OFF, -1, MK_EUSAGE },
		{ "http://example.org", NULL, MCURL_TLS_DEFAULT,
		    -1, MK_EUSAGE },
		{ "ftp://example.org", NULL, MCURL_TLS_DEFAULT,
		    -1, MK_EUSAGE },
		{ "mx.example.org", NULL, MCURL_TLS_DEFAULT, -1, MK_EUSAGE },
		{ "smtp://", NULL, MCURL_TLS_DEFAULT, -1, MK_EUSAGE },
		{ "", NULL, MCURL_TLS_DEFAULT, -1, MK_EUSAGE },
		{ "imap://alice:pw@mx.example.org", NULL, MCURL_TLS_DEFAULT,
		    -1, MK_EUSAGE },
		{ "imap://alice@mx.example.org", NULL, MCURL_TLS_DEFAULT,
		    CURLUSESSL_ALL, MK_OK },
		{ "smtp://mx.example.org", NULL, (enum mcurl_tls)9,
		    -1, MK_EUSAGE },
		{ "smtps://mx.example.org", NULL, (enum mcurl_tls)-1,
		    -1, MK_EUSAGE }
	};
	enum mk_status	st;
	long		v;
	size_t		i;

	for (i = 0; i < MK_NELEM(c); i++) {
		v = check(c[i].url, c[i].pw, c[i].tls, &st);
		if (v != c[i].use_ssl || (v == -1 && st != c[i].st)) {
			printf("#   %s tls %d: got %ld/%d, expected %ld/%d\n",
			    c[i].url, (int)c[i].tls, v, (int)st,
			    c[i].use_ssl, (int)c[i].st);
			t_cur_failed = 1;
		}
	}
}

static void
test_params_misc(void)
{
	struct mcurl_params	p;
	struct mk_err		e;
	enum trace_proto	proto;
	long			use_ssl;

	p = params("imaps://mx.example.org", PASSWORD, MCURL_TLS_DEFAULT);
	T_EQ_INT(mcurl_params_check(&p, &use_ssl, &proto, &e), 0);
	T_EQ_INT(proto, TRACE_IMAP);
	p.url = "pop3://mx.example.org";
	T_EQ_INT(mcurl_params_check(&p, &use_ssl, &proto, &e), 0);
	T_EQ_INT(proto, TRACE_POP3);
	p.url = "smtps://mx.example.org";
	T_EQ_INT(mcurl_params_check(&p, &use_ssl, &proto, &e), 0);
	T_EQ_INT(proto, TRACE_SMTP);
	p.password = "pw\r\nQUIT";
	T_EQ_INT(mcurl_params_check(&p, &use_ssl, &proto, &e), -1);
	T_EQ_INT(e.st, MK_EUSAGE);
	p.password = PASSWORD;
	p.user = "alice\n";
	T_EQ_INT(mcurl_params_check(&p, &use_ssl, &proto, &e), -1);
	T_EQ_INT(e.st, MK_EUSAGE);
	p.user = USER;
	p.timeout_s = -1;
	T_EQ_INT(mcurl_params_check(&p, &use_ssl, &proto, &e), -1);
	T_EQ_INT(e.st, MK_EUSAGE);
	p.timeout_s = 0;
	p.url = NULL;
	T_EQ_INT(mcurl_params_check(&p, &use_ssl, &proto, &e), -1);
	T_EQ_INT(e.st, MK_EUSAGE);
	/* The refusal names the host, never the password. */
	p = params("smtp://mx.example.org", PASSWORD, MCURL_TLS_OFF);
	T_EQ_INT(mcurl_params_check(&p, &use_ssl, &proto, &e), -1);
	T_CHECK(strstr(e.msg, "mx.example.org") != NULL);
	T_CHECK(strstr(e.msg, PASSWORD) == NULL);
}

static void
test_new_each_scheme(void)
{
	static const char *const urls[] = {
		"smtp://mx.example.org:587", "smtps://mx.example.org",
		"pop3://mx.example.org", "pop3s://mx.example.org",
		"imap://mx.example.org/INBOX", "imaps://mx.example.org"
	};
	struct mcurl_params	 p;
	struct mcurl		*m;
	struct mk_err		 e;
	size_t			 i;

	for (i = 0; i < MK_NELEM(urls); i++) {
		p = params(urls[i], PASSWORD, MCURL_TLS_DEFAULT);
		p.ca_file = "/nonexistent/ca.pem";	/* not read yet */
		p.trace = i % 2 ? stderr : NULL;
		p.connect_only = (int)(i % 2);
		m = mcurl_new(&p, &e);
		T_CHECK(m != NULL);
		if (m == NULL) {
			printf("#   %s: %s\n", urls[i], e.msg);
			continue;
		}
		T_CHECK(mcurl_easy(m) != NULL);
		T_CHECK((mcurl_trace(m) != NULL) == (p.trace != NULL));
		mcurl_free(m);
	}
	p = params("smtps://mx.example.org", NULL, MCURL_TLS_OFF);
	T_CHECK(mcurl_new(&p, &e) == NULL);
	T_EQ_INT(e.st, MK_EUSAGE);
	p = params("gopher://mx.example.org", NULL, MCURL_TLS_DEFAULT);
	T_CHECK(mcurl_new(&p, &e) == NULL);
	T_EQ_INT(e.st, MK_EUSAGE);
	mcurl_free(NULL);
}

static void
test_url_redact(void)
{
	char s[256], tiny[8];

	T_EQ_INT(mcurl_url_redact("imap://alice:pw@mx.example.org/INBOX", s,
	    sizeof(s)), 0);
	T_EQ_STR(s, "imap://mx.example.org/INBOX");
	T_EQ_INT(mcurl_url_redact("smtp://u;AUTH=PLAIN@mx.example.org:587",
	    s, sizeof(s)), 0);
	T_EQ_STR(s, "smtp://mx.example.org:587/");
	T_EQ_INT(mcurl_url_redact("pop3s://mx.example.org", s, sizeof(s)),
	    0);
	T_EQ_STR(s, "pop3s://mx.example.org/");
	T_EQ_INT(mcurl_url_redact("not a url", s, sizeof(s)), -1);
	T_EQ_STR(s, "(bad URL)");
	T_EQ_INT(mcurl_url_redact(NULL, s, sizeof(s)), -1);
	T_EQ_INT(mcurl_url_redact("imap://a:b@mx.example.org", tiny,
	    sizeof(tiny)), 0);
	T_EQ_STR(tiny, "imap://");
	T_CHECK(strstr(mcurl_insecure_warning(), "insecure") != NULL);
}

/* A port on 127.0.0.1 that was free a moment ago: nobody listens. */
static int
closed_port(void)
{
	struct sockaddr_in	sin;
	socklen_t		sl = sizeof(sin);
	int			fd, port = -1;

	if ((fd = socket(AF_INET, SOCK_STREAM, 0)) == -1)
		return -1;
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(fd, (struct sockaddr *)&sin, sizeof(sin)) == 0 &&
	    getsockname(fd, (struct sockaddr *)&sin, &sl) == 0)
		port = ntohs(sin.sin_port);
	close(fd);
	return port;
}

static void
test_connect_refused(void)
{
	struct mcurl_params	 p;
	struct mcurl		*m;
	struct mk_err		 e;
	char			 url[64];
	int			 port;

	if ((port = closed_port()) == -1) {
		T_CHECK(port != -1);
		return;
	}
	snprintf(url, sizeof(url), "smtp://127.0.0.1:%d", port);
	p = params(url, PASSWORD, MCURL_TLS_DEFAULT);
	p.connect_only = 1;
	if ((m = mcurl_new(&p, &e)) == NULL) {
		T_CHECK(m != NULL);
		return;
	}
	T_EQ_INT(mcurl_perform(m, &e), -1);
	T_EQ_INT(e.st, MK_ETEMP);
	T_CHECK(strncmp(e.msg, "smtp://127.0.0.1:", 17) == 0);
	mcurl_free(m);
}

/*
 * A scripted peer.  After the greeting, each client line is answered
 * with the reply of the next step, provided it starts with the step's
 * expect (any case); "$T" in a reply is the tag of the command being
 * answered.  Lines past the script are answered with the closing
 * reply.  The child exits 0 only if every step was reached and matched.
 */
struct step {
	const char	*expect;
	const char	*reply;
};

struct peer {
	pid_t	pid;
	int	port;
};

static int
read_line(int fd, char *s, size_t sz)
{
	size_t	n = 0;
	char	c;

	while (read(fd, &c, 1) == 1) {
		if (c == '\n') {
			if (n > 0 && s[n - 1] == '\r')
				n--;
			s[n] = '\0';
			return 0;
		}
		if (n < sz - 1)
			s[n++] = c;
	}
	return -1;
}

static void
say(int fd, const char *reply, const char *tag)
{
	const char	*p;
	size_t		 n;

	while ((p = strstr(reply, "$T")) != NULL) {
		n = (size_t)(p - reply);
		if (write(fd, reply, n) < 0 || write(fd, tag, strlen(tag)) < 0)
			return;
		reply = p + 2;
	}
	if (write(fd, reply, strlen(reply)) < 0)
		return;
}

static int
is_cont(const char *reply)
{
	return strncmp(reply, "334", 3) == 0 ||
	    (reply[0] == '+' && (reply[1] == ' ' || reply[1] == '\r'));
}

static void
peer_child(int lfd, const char *greeting, const struct step *st,
    size_t nst, const char *closing)
{
	char	line[2048], tag[64] = "*";
	size_t	i = 0, k;
	int	fd, bad = 0, cont = 0;

	alarm(20);
	if ((fd = accept(lfd, NULL, NULL)) == -1)
		_exit(2);
	say(fd, greeting, tag);
	while (read_line(fd, line, sizeof(line)) == 0) {
		if (!cont) {
			k = strcspn(line, " ");
			snprintf(tag, sizeof(tag), "%.*s", (int)k, line);
		}
		if (i >= nst) {
			say(fd, closing, tag);
			continue;
		}
		if (strncasecmp(line, st[i].expect,
		    strlen(st[i].expect)) != 0) {
			fprintf(stderr, "# peer: step %zu: got \"%s\", "
			    "expected \"%s...\"\n", i, line, st[i].expect);
			bad = 1;
		}
		cont = is_cont(st[i].reply);
		say(fd, st[i].reply, tag);
		i++;
	}
	_exit(bad || i < nst ? 1 : 0);
}

static int
peer_start(struct peer *pr, const char *greeting, const struct step *st,
    size_t nst, const char *closing)
{
	struct sockaddr_in	sin;
	socklen_t		sl = sizeof(sin);
	int			lfd;

	if ((lfd = socket(AF_INET, SOCK_STREAM, 0)) == -1)
		return -1;
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(lfd, (struct sockaddr *)&sin, sizeof(sin)) == -1 ||
	    listen(lfd, 1) == -1 ||
	    getsockname(lfd, (struct sockaddr *)&sin, &sl) == -1) {
		close(lfd);
		return -1;
	}
	pr->port = ntohs(sin.sin_port);
	fflush(stdout);
	fflush(stderr);
	if ((pr->pid = fork()) == -1) {
		close(lfd);
		return -1;
	}
	if (pr->pid == 0)
		peer_child(lfd, greeting, st, nst, closing);
	close(lfd);
	return 0;
}

/* The peer's verdict: 0 if it saw the whole script. */
static int
peer_wait(struct peer *pr)
{
	int status;

	if (waitpid(pr->pid, &status, 0) == -1)
		return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128;
}

static void
show(const char *s)
{
	const char *lf;

	while ((lf = strchr(s, '\n')) != NULL) {
		printf("# | %.*s\n", (int)(lf - s), s);
		s = lf + 1;
	}
}

/*
 * Run one session against a peer: connect-only perform with a trace in
 * memory.  Returns the perform result; *st and the transcript (owned by
 * the caller) come back too.
 */
struct session {
	const char		*scheme;
	const char		*greeting;
	const struct step	*steps;
	size_t			 nsteps;
	const char		*closing;
	enum mcurl_tls		 tls;
};

static int	run_err(const struct session *, enum mk_status *,
		    struct mk_err *, char **, int *);

static int
run(const struct session *s, enum mk_status *st, char **trace,
    int *peer_rc)
{
	return run_err(s, st, NULL, trace, peer_rc);
}

static int
run_err(const struct session *s, enum mk_status *st, struct mk_err *ep,
    char **trace, int *peer_rc)
{
	struct mcurl_params	 p;
	struct mcurl		*m;
	struct mk_err		 e;
	struct peer		 pr;
	char			 url[64];
	size_t			 tn = 0;
	FILE			*fp;
	int			 rc = -1;

	*trace = NULL;
	*st = MK_ESOFTWARE;
	*peer_rc = -1;
	if ((fp = open_memstream(trace, &tn)) == NULL)
		return -1;
	if (peer_start(&pr, s->greeting, s->steps, s->nsteps,
	    s->closing) == -1) {
		fclose(fp);
		return -1;
	}
	snprintf(url, sizeof(url), "%s://127.0.0.1:%d", s->scheme, pr.port);
	p = params(url, PASSWORD, s->tls);
	p.connect_only = 1;
	p.trace = fp;
	e.st = MK_OK;
	if ((m = mcurl_new(&p, &e)) != NULL) {
		rc = mcurl_perform(m, &e);
		mcurl_free(m);
	} else
		kill(pr.pid, SIGTERM);
	*st = rc == 0 ? MK_OK : e.st;
	if (ep != NULL)
		*ep = e;
	*peer_rc = peer_wait(&pr);
	fclose(fp);
	/* TEST_MCURL_SHOW=1 shows each transcript as TAP comments. */
	if (getenv("TEST_MCURL_SHOW") != NULL && *trace != NULL)
		show(*trace);
	return rc;
}

/* The transcript must never hold the password, raw or in base64. */
static void
check_secret_free(const char *trace)
{
	T_CHECK(trace != NULL);
	if (trace == NULL)
		return;
	T_CHECK(strstr(trace, PASSWORD) == NULL);
	T_CHECK(strstr(trace, "s3cr3t") == NULL);
	T_CHECK(strstr(trace, PLAIN_B64) == NULL);
	T_CHECK(strstr(trace, PASSWORD_B64) == NULL);
	if (t_cur_failed)
		printf("# transcript:\n%s", trace);
}

static void
check_has(const char *trace, const char *line)
{
	if (trace == NULL || strstr(trace, line) == NULL) {
		printf("#   transcript lacks \"%s\"\n", line);
		t_cur_failed = 1;
	}
}

/* TLS required, no STARTTLS offered: fail before any credential. */
static void
test_smtp_starttls_missing(void)
{
	static const struct step steps[] = {
		{ "EHLO", "250-fake\r\n250 AUTH PLAIN\r\n" }
	};
	struct session	s = { "smtp", "220 fake ESMTP\r\n", steps,
	    MK_NELEM(steps), "221 bye\r\n", MCURL_TLS_DEFAULT };
	enum mk_status	st;
	struct mk_err	e;
	char		*trace;
	int		 prc;

	T_EQ_INT(run_err(&s, &st, &e, &trace, &prc), -1);
	T_EQ_INT(st, MK_EPERM);
	T_CHECK(strstr(e.msg, "STARTTLS") != NULL);
	T_CHECK(strncmp(e.msg, "smtp://127.0.0.1:", 17) == 0);
	T_EQ_INT(prc, 0);
	check_has(trace, "S: 220 fake ESMTP\n");
	check_has(trace, "S: 250 AUTH PLAIN\n");
	T_CHECK(trace == NULL || strstr(trace, "C: AUTH") == NULL);
	check_secret_free(trace);
	free(trace);
}

static void
test_smtp_auth_plain(void)
{
	static const struct step steps[] = {
		{ "EHLO", "250-fake\r\n250 AUTH PLAIN\r\n" },
		{ "AUTH PLAIN", "334 \r\n" },
		{ PLAIN_B64, "235 2.7.0 ok\r\n" }
	};
	struct session	s = { "smtp", "220 fake ESMTP\r\n", steps,
	    MK_NELEM(steps), "221 bye\r\n", MCURL_TLS_AUTO };
	enum mk_status	st;
	char		*trace;
	int		 prc;

	T_EQ_INT(run(&s, &st, &trace, &prc), 0);
	T_EQ_INT(st, MK_OK);
	T_EQ_INT(prc, 0);
	check_has(trace, "C: AUTH PLAIN");
	check_has(trace, "S: 334 \nC: ****\nS: 235 2.7.0 ok\n");
	check_secret_free(trace);
	free(trace);
}

static void
test_smtp_auth_login(void)
{
	static const struct step steps[] = {
		{ "EHLO", "250-fake\r\n250 AUTH LOGIN\r\n" },
		{ "AUTH LOGIN", "334 VXNlcm5hbWU6\r\n" },
		{ USER_B64, "334 UGFzc3dvcmQ6\r\n" },
		{ PASSWORD_B64, "235 2.7.0 ok\r\n" }
	};
	struct session	s = { "smtp", "220 fake ESMTP\r\n", steps,
	    MK_NELEM(steps), "221 bye\r\n", MCURL_TLS_AUTO };
	enum mk_status	st;
	char		*trace;
	int		 prc;

	T_EQ_INT(run(&s, &st, &trace, &prc), 0);
	T_EQ_INT(prc, 0);
	check_has(trace, "S: 334 VXNlcm5hbWU6\nC: ****\n"
	    "S: 334 UGFzc3dvcmQ6\nC: ****\nS: 235");
	check_secret_free(trace);
	free(trace);
}

static void
test_smtp_auth_denied(void)
{
	static const struct step steps[] = {
		{ "EHLO", "250-fake\r\n250 AUTH PLAIN\r\n" },
		{ "AUTH PLAIN", "334 \r\n" },
		{ PLAIN_B64, "535 5.7.8 bad credentials\r\n" }
	};
	struct session	s = { "smtp", "220 fake ESMTP\r\n", steps,
	    MK_NELEM(steps), "221 bye\r\n", MCURL_TLS_AUTO };
	enum mk_status	st;
	char		*trace;
	int		 prc;

	T_EQ_INT(run(&s, &st, &trace, &prc), -1);
	T_EQ_INT(st, MK_EPERM);
	T_EQ_INT(prc, 0);
	check_secret_free(trace);
	free(trace);
}

static void
test_imap_authenticate(void)
{
	static const struct step steps[] = {
		{ "A001 CAPABILITY", "* CAPABILITY IMAP4rev1 AUTH=PLAIN\r\n"
		    "$T OK done\r\n" },
		{ "A002 AUTHENTICATE PLAIN", "+ \r\n" },
		{ PLAIN_B64, "$T OK logged in\r\n" }
	};
	struct session	s = { "imap", "* OK fake ready\r\n", steps,
	    MK_NELEM(steps), "* BYE\r\n$T OK\r\n", MCURL_TLS_AUTO };
	enum mk_status	st;
	char		*trace;
	int		 prc;

	T_EQ_INT(run(&s, &st, &trace, &prc), 0);
	T_EQ_INT(prc, 0);
	check_has(trace, "C: A002 AUTHENTICATE PLAIN\nS: + \nC: ****\n"
	    "S: A002 OK logged in\n");
	check_secret_free(trace);
	free(trace);
}

static void
test_imap_login(void)
{
	static const struct step steps[] = {
		{ "A001 CAPABILITY", "* CAPABILITY IMAP4rev1\r\n"
		    "$T OK done\r\n" },
		{ "A002 LOGIN " USER " \"" PASSWORD "\"", "$T OK in\r\n" }
	};
	struct session	s = { "imap", "* OK fake ready\r\n", steps,
	    MK_NELEM(steps), "* BYE\r\n$T OK\r\n", MCURL_TLS_AUTO };
	enum mk_status	st;
	char		*trace;
	int		 prc;

	T_EQ_INT(run(&s, &st, &trace, &prc), 0);
	T_EQ_INT(prc, 0);
	check_has(trace, "C: A002 LOGIN alice ****\nS: A002 OK in\n");
	check_secret_free(trace);
	free(trace);
}

static void
test_pop3_user_pass(void)
{
	static const struct step steps[] = {
		{ "CAPA", "+OK\r\nUSER\r\n.\r\n" },
		{ "USER " USER, "+OK\r\n" },
		{ "PASS " PASSWORD, "+OK in\r\n" }
	};
	struct session	s = { "pop3", "+OK fake ready\r\n", steps,
	    MK_NELEM(steps), "+OK bye\r\n", MCURL_TLS_AUTO };
	enum mk_status	st;
	char		*trace;
	int		 prc;

	T_EQ_INT(run(&s, &st, &trace, &prc), 0);
	T_EQ_INT(prc, 0);
	check_has(trace, "C: USER alice\nS: +OK\nC: PASS ****\nS: +OK in\n");
	check_secret_free(trace);
	free(trace);
}

static void
test_pop3_apop(void)
{
	static const struct step steps[] = {
		{ "CAPA", "+OK\r\nUSER\r\n.\r\n" },
		{ "APOP " USER " ", "+OK in\r\n" }
	};
	struct session	s = { "pop3", "+OK fake <1896.697170952@fake>\r\n",
	    steps, MK_NELEM(steps), "+OK bye\r\n", MCURL_TLS_AUTO };
	enum mk_status	st;
	char		*trace;
	int		 prc;

	T_EQ_INT(run(&s, &st, &trace, &prc), 0);
	T_EQ_INT(prc, 0);
	check_has(trace, "C: APOP alice ****\nS: +OK in\n");
	check_secret_free(trace);
	free(trace);
}

int
main(void)
{
	T_RUN(test_status);
	T_RUN(test_smtp_reply);
	T_RUN(test_pop3_reply);
	T_RUN(test_imap_reply);
	T_RUN(test_tls_policy);
	T_RUN(test_params_misc);
	T_RUN(test_new_each_scheme);
	T_RUN(test_url_redact);
	T_RUN(test_connect_refused);
	T_RUN(test_smtp_starttls_missing);
	T_RUN(test_smtp_auth_plain);
	T_RUN(test_smtp_auth_login);
	T_RUN(test_smtp_auth_denied);
	T_RUN(test_imap_authenticate);
	T_RUN(test_imap_login);
	T_RUN(test_pop3_user_pass);
	T_RUN(test_pop3_apop);
	T_DONE();
}
