/*
 * mcurl.c: the libcurl setup of msend, mpop and mimap, the debug
 * callback that feeds the trace, and the status maps.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "b64.h"
#include "mcurl.h"

#define MCURL_SECRETS	4	/* the password, its base64 at 3 offsets */
#define MCURL_SECRETMIN	4	/* shorter forms match too much to hide */

struct mcurl {
	CURL			*easy;		/* owned */
	CURLcode		 rc;		/* first failed setopt */
	int			 tracing;	/* trace.fp is set */
	struct trace_state	 trace;
	char			 url[256];	/* redacted, for messages */
	struct mk_buf		 heard;		/* server lines seen by libcurl */
	char			 errbuf[CURL_ERROR_SIZE];
	char			*secret[MCURL_SECRETS];	/* owned, see secrets_init */
	size_t			 secretlen[MCURL_SECRETS];
	struct mk_buf		 scrubbed;	/* mcurl_scrub's output */
};

struct scheme {
	const char		*name;
	int			 implicit;	/* TLS from the first byte */
	enum trace_proto	 proto;
};

static const struct scheme *scheme_find(const char *);
static int	is_loopback(const char *);
static int	url_parts(const char *, const struct scheme **, char **,
		    struct mk_err *);
static int	tls_policy(const struct mcurl_params *,
		    const struct scheme *, const char *, long *,
		    struct mk_err *);
static void	setl(struct mcurl *, CURLoption, long);
static void	sets(struct mcurl *, CURLoption, const char *);
static void	setup_trace(struct mcurl *);
static void	setup(struct mcurl *, const struct mcurl_params *, long);
static int	secrets_init(struct mcurl *, const char *);
static int	secret_add(struct mcurl *, const char *, size_t);
static const char *secret_find(const struct mcurl *, const char *, size_t,
		    size_t *);
static int	debug_cb(CURL *, curl_infotype, char *, size_t, void *);
static int	code_is(const char *, size_t, const char *);
static int	word_is(const char *, size_t, size_t *, const char *);
static enum mk_status pop3_code(const char *, size_t);
static enum mk_status imap_code(const char *, size_t);

static const struct scheme schemes[] = {
	{ "smtp",	0, TRACE_SMTP },
	{ "smtps",	1, TRACE_SMTP },
	{ "pop3",	0, TRACE_POP3 },
	{ "pop3s",	1, TRACE_POP3 },
	{ "imap",	0, TRACE_IMAP },
	{ "imaps",	1, TRACE_IMAP }
};

static const struct scheme *
scheme_find(const char *name)
{
	size_t i;

	for (i = 0; i < MK_NELEM(schemes); i++)
		if (strcasecmp(name, schemes[i].name) == 0)
			return &schemes[i];
	return NULL;
}

/* localhost, 127.0.0.0/8 or ::1 (host as libcurl gives it: "[::1]"). */
static int
is_loopback(const char *host)
{
	struct in_addr	 a4;
	struct in6_addr	 a6;
	char		 h[64];
	size_t		 n = strlen(host);

	if (strcasecmp(host, "localhost") == 0 ||
	    strcasecmp(host, "localhost.") == 0)
		return 1;
	if (inet_pton(AF_INET, host, &a4) == 1)
		return (ntohl(a4.s_addr) >> 24) == 127;
	if (n < 2 || n - 2 >= sizeof(h) || host[0] != '[' ||
	    host[n - 1] != ']')
		return 0;
	memcpy(h, host + 1, n - 2);
	h[n - 2] = '\0';
	return inet_pton(AF_INET6, h, &a6) == 1 && IN6_IS_ADDR_LOOPBACK(&a6);
}

/*
 * Parse url: its scheme must be ours, it must not hold a password.
 * *host is allocated by libcurl (curl_free).
 */
static int
url_parts(const char *url, const struct scheme **sc, char **host,
    struct mk_err *e)
{
	CURLU		*u;
	CURLUcode	 uc;
	char		*scheme = NULL, *pw = NULL;
	int		 rc = -1;

	*host = NULL;
	if (url == NULL)
		return mk_seterr(e, MK_EUSAGE, "no URL");
	if ((u = curl_url()) == NULL)
		return mk_seterr(e, MK_ESOFTWARE, "out of memory");
	if ((uc = curl_url_set(u, CURLUPART_URL, url,
	    CURLU_NON_SUPPORT_SCHEME)) != CURLUE_OK ||
	    (uc = curl_url_get(u, CURLUPART_SCHEME, &scheme, 0)) !=
	    CURLUE_OK ||
	    (uc = curl_url_get(u, CURLUPART_HOST, host, 0)) != CURLUE_OK) {
		mk_seterr(e, MK_EUSAGE, "bad URL (want scheme://host): %s",
		    curl_url_strerror(uc));
		goto out;
	}
	if ((*sc = scheme_find(scheme)) == NULL) {
		mk_seterr(e, MK_EUSAGE, "unsupported URL scheme \"%s\" (want "
		    "smtp, smtps, pop3, pop3s, imap or imaps)", scheme);
		goto out;
	}
	if (curl_url_get(u, CURLUPART_PASSWORD, &pw, 0) == CURLUE_OK) {
		mk_seterr(e, MK_EUSAGE, "a password in the URL is not "
		    "allowed");
		goto out;
	}
	rc = 0;
out:
	if (rc == -1) {
		curl_free(*host);
		*host = NULL;
	}
	curl_free(pw);
	curl_free(scheme);
	curl_url_cleanup(u);
	return rc;
}

/* The CURLOPT_USE_SSL value, see enum mcurl_tls. */
static int
tls_policy(const struct mcurl_params *p, const struct scheme *sc,
    const char *host, long *use_ssl, struct mk_err *e)
{
	int cleartext_pw = p->password != NULL && !is_loopback(host);

	if (p->tls < MCURL_TLS_DEFAULT || p->tls > MCURL_TLS_OFF)
		return mk_seterr(e, MK_EUSAGE, "bad TLS mode %d", (int)p->tls);
	if (sc->implicit) {
		if (p->tls == MCURL_TLS_OFF)
			return mk_seterr(e, MK_EUSAGE, "TLS off contradicts "
			    "the %s:// URL (implicit TLS)", sc->name);
		*use_ssl = CURLUSESSL_ALL;
		return 0;
	}
	switch (p->tls) {
	case MCURL_TLS_DEFAULT:
	case MCURL_TLS_REQUIRED:
		*use_ssl = CURLUSESSL_ALL;
		return 0;
	case MCURL_TLS_AUTO:
		/* CURLUSESSL_TRY would send the password in clear. */
		*use_ssl = cleartext_pw ? CURLUSESSL_ALL : CURLUSESSL_TRY;
		return 0;
	case MCURL_TLS_OFF:
		if (cleartext_pw)
			return mk_seterr(e, MK_ECONFIG, "refusing to send a "
			    "password without TLS to %s", host);
		*use_ssl = CURLUSESSL_NONE;
		return 0;
	}
	return mk_seterr(e, MK_ESOFTWARE, "unreachable TLS mode");
}

int
mcurl_params_check(const struct mcurl_params *p, long *use_ssl,
    enum trace_proto *proto, struct mk_err *e)
{
	const struct scheme	*sc = NULL;
	char			*host = NULL;
	int			 rc;

	if ((p->user != NULL && mk_has_ctl_line(p->user, strlen(p->user))) ||
	    (p->password != NULL &&
	    mk_has_ctl_line(p->password, strlen(p->password))))
		return mk_seterr(e, MK_EUSAGE, "CR or LF in user or password");
	if (p->connect_timeout_s < 0 || p->timeout_s < 0)
		return mk_seterr(e, MK_EUSAGE, "negative timeout");
	if (url_parts(p->url, &sc, &host, e) == -1)
		return -1;
	rc = tls_policy(p, sc, host, use_ssl, e);
	*proto = sc->proto;
	curl_free(host);
	return rc;
}

/* Sticky setopt: the first failure stays in m->rc. */
static void
setl(struct mcurl *m, CURLoption o, long v)
{
	if (m->rc == CURLE_OK)
		m->rc = curl_easy_setopt(m->easy, o, v);
}

static void
sets(struct mcurl *m, CURLoption o, const char *v)
{
	if (m->rc == CURLE_OK && v != NULL)
		m->rc = curl_easy_setopt(m->easy, o, v);
}

/* Verbose output, all of it through debug_cb into the trace. */
static void
setup_trace(struct mcurl *m)
{
	if (m->rc == CURLE_OK)
		m->rc = curl_easy_setopt(m->easy, CURLOPT_DEBUGFUNCTION,
		    debug_cb);
	if (m->rc == CURLE_OK)
		m->rc = curl_easy_setopt(m->easy, CURLOPT_DEBUGDATA, m);
	setl(m, CURLOPT_VERBOSE, 1L);
}

static void
setup(struct mcurl *m, const struct mcurl_params *p, long use_ssl)
{
	long ct = p->connect_timeout_s ? p->connect_timeout_s :
	    MCURL_CONNECT_TIMEOUT;
	long to = p->timeout_s ? p->timeout_s : MCURL_TIMEOUT;

	if (m->rc == CURLE_OK)
		m->rc = curl_easy_setopt(m->easy, CURLOPT_ERRORBUFFER,
		    m->errbuf);
	sets(m, CURLOPT_URL, p->url);
	sets(m, CURLOPT_PROTOCOLS_STR, MCURL_PROTOCOLS);
	setl(m, CURLOPT_NOSIGNAL, 1L);
	setl(m, CURLOPT_SSL_VERIFYPEER, p->insecure ? 0L : 1L);
	setl(m, CURLOPT_SSL_VERIFYHOST, p->insecure ? 0L : 2L);
	sets(m, CURLOPT_CAINFO, p->ca_file);
	setl(m, CURLOPT_SSLVERSION, (long)CURL_SSLVERSION_TLSv1_2);
	setl(m, CURLOPT_USE_SSL, use_ssl);
	setl(m, CURLOPT_CONNECTTIMEOUT, ct);
	/* A stall: less than 1 byte/s for to seconds during a transfer. */
	setl(m, CURLOPT_LOW_SPEED_LIMIT, 1L);
	setl(m, CURLOPT_LOW_SPEED_TIME, to);
	/* Waiting for a reply is no transfer: it has its own timeout. */
	setl(m, CURLOPT_SERVER_RESPONSE_TIMEOUT, to);
	sets(m, CURLOPT_USERNAME, p->user);
	sets(m, CURLOPT_PASSWORD, p->password);
	if (p->connect_only)
		setl(m, CURLOPT_CONNECT_ONLY, 1L);
	/*
	 * Always: the debug callback also records what the server said
	 * while libcurl ran the session (greeting, EHLO, CAPA), which
	 * libcurl does not expose otherwise.
	 */
	setup_trace(m);
}

struct mcurl *
mcurl_new(const struct mcurl_params *p, struct mk_err *e)
{
	struct mcurl		*m;
	long			 use_ssl;
	enum trace_proto	 proto;

	if (mcurl_params_check(p, &use_ssl, &proto, e) == -1)
		return NULL;
	if ((m = calloc(1, sizeof(*m))) == NULL) {
		mk_seterr(e, MK_ESOFTWARE, "out of memory");
		return NULL;
	}
	trace_init(&m->trace, p->trace, proto);
	buf_init(&m->heard, MCURL_HEARDMAX);
	buf_init(&m->scrubbed, 0);
	if (secrets_init(m, p->password) == -1) {
		mk_seterr(e, MK_ESOFTWARE, "out of memory");
		goto fail;
	}
	m->tracing = p->trace != NULL;
	(void)mcurl_url_redact(p->url, m->url, sizeof(m->url));
	if ((m->easy = curl_easy_init()) == NULL) {
		mk_seterr(e, MK_ESOFTWARE, "libcurl: cannot start");
		goto fail;
	}
	setup(m, p, use_ssl);
	if (m->rc != CURLE_OK) {
		mk_seterr(e, mcurl_status(m->rc), "libcurl setup: %s",
		    curl_easy_strerror(m->rc));
		goto fail;
	}
	return m;
fail:
	mcurl_free(m);
	return NULL;
}

void
mcurl_free(struct mcurl *m)
{
	size_t i;

	if (m == NULL)
		return;
	/* Cleanup may still talk (QUIT, LOGOUT) through debug_cb. */
	if (m->easy != NULL)
		curl_easy_cleanup(m->easy);
	(void)trace_flush(&m->trace);
	trace_free(&m->trace);
	buf_free(&m->heard);
	if (m->scrubbed.p != NULL)
		explicit_bzero(m->scrubbed.p, m->scrubbed.cap);
	buf_free(&m->scrubbed);
	for (i = 0; i < MCURL_SECRETS; i++) {
		if (m->secret[i] != NULL)
			explicit_bzero(m->secret[i], m->secretlen[i]);
		free(m->secret[i]);
	}
	free(m);
}

CURL *
mcurl_easy(struct mcurl *m)
{
	return m->easy;
}

const char *
mcurl_heard(struct mcurl *m, size_t *len)
{
	*len = m->heard.len;
	return buf_str(&m->heard);
}

struct trace_state *
mcurl_trace(struct mcurl *m)
{
	return m->tracing ? &m->trace : NULL;
}

/*
 * The forms of the password a server may echo back (in a "535 bad
 * AGFsaWNl..." or "-ERR PASS secret" reply) that the trace, the
 * recorded greeting lines and so the error messages must not show: the
 * password itself and, for base64 (AUTH PLAIN, LOGIN), the characters
 * of base64(X + password) that depend on the password alone, for X of
 * 0, 1 and 2 bytes: every base64 text that holds the password holds
 * one of them.  Forms shorter than MCURL_SECRETMIN are not kept.
 */
static int
secrets_init(struct mcurl *m, const char *pw)
{
	uint8_t	*raw;
	char	*enc;
	size_t	 n, k, len, from, to;
	int	 rc = 0;

	if (pw == NULL || (n = strlen(pw)) == 0)
		return 0;
	if (secret_add(m, pw, n) == -1)
		return -1;
	if (n > SIZE_MAX / 8 - 2)
		return 0;
	if ((raw = calloc(1, n + 2)) == NULL)
		return -1;
	if ((enc = malloc(B64_ENC_LEN(n + 2))) == NULL) {
		free(raw);
		return -1;
	}
	for (k = 0; k < 3 && rc == 0; k++) {
		memset(raw, 0, k);
		memcpy(raw + k, pw, n);
		len = b64_encode(raw, k + n, enc);
		from = (8 * k + 5) / 6;
		to = 8 * (k + n) / 6;
		if (to <= len && to > from)
			rc = secret_add(m, enc + from, to - from);
	}
	explicit_bzero(raw, n + 2);
	explicit_bzero(enc, B64_ENC_LEN(n + 2));
	free(raw);
	free(enc);
	return rc;
}

static int
secret_add(struct mcurl *m, const char *p, size_t n)
{
	size_t i;

	if (n < MCURL_SECRETMIN)
		return 0;
	for (i = 0; i < MCURL_SECRETS; i++) {
		if (m->secret[i] != NULL)
			continue;
		if ((m->secret[i] = malloc(n)) == NULL)
			return -1;
		memcpy(m->secret[i], p, n);
		m->secretlen[i] = n;
		return 0;
	}
	return 0;
}

/* The first secret in p[0..n) (the longest there), its length in *len. */
static const char *
secret_find(const struct mcurl *m, const char *p, size_t n, size_t *len)
{
	const char	*best = NULL, *q, *end = p + n;
	size_t		 i, sl;

	for (i = 0; i < MCURL_SECRETS; i++) {
		if ((sl = m->secretlen[i]) == 0)
			continue;
		for (q = p; (size_t)(end - q) >= sl; q++) {
			q = memchr(q, m->secret[i][0], (size_t)(end - q) - sl + 1);
			if (q == NULL)
				break;
			if (memcmp(q, m->secret[i], sl) != 0)
				continue;
			if (best == NULL || q < best || (q == best && sl > *len)) {
				best = q;
				*len = sl;
			}
			break;
		}
	}
	return best;
}

const void *
mcurl_scrub(struct mcurl *m, const void *p, size_t n, size_t *outn)
{
	const char	*s = p, *hit;
	size_t		 len = 0;

	*outn = n;
	if (m->secret[0] == NULL ||
	    (hit = secret_find(m, s, n, &len)) == NULL)
		return p;
	buf_reset(&m->scrubbed);
	do {
		if (buf_add(&m->scrubbed, s, (size_t)(hit - s)) == -1 ||
		    buf_add(&m->scrubbed, "****", 4) == -1)
			return "****";	/* out of memory: show nothing */
		n -= (size_t)(hit - s) + len;
		s = hit + len;
	} while ((hit = secret_find(m, s, n, &len)) != NULL);
	if (buf_add(&m->scrubbed, s, n) == -1)
		return "****";
	*outn = m->scrubbed.len;
	return m->scrubbed.p;
}

/*
 * libcurl's verbose output.  Protocol lines become C:/S: lines, its
 * notes "* " lines, message data a byte count; TLS records are dropped.
 * A failed trace write must not fail the transfer, so this returns 0.
 */
static int
debug_cb(CURL *h, curl_infotype type, char *data, size_t size, void *arg)
{
	struct mcurl	*m = arg;
	const char	*d = data;
	size_t		 n = size;

	(void)h;
	/* A server that echoes the password back is shown without it. */
	if (type == CURLINFO_TEXT || type == CURLINFO_HEADER_IN ||
	    type == CURLINFO_HEADER_OUT)
		d = mcurl_scrub(m, data, size, &n);
	switch (type) {
	case CURLINFO_TEXT:
		if (m->tracing)
			(void)trace_feed(&m->trace, TRACE_I, d, n);
		break;
	case CURLINFO_HEADER_IN:
		/* Past the cap the record stays cut (heard.toobig). */
		(void)buf_add(&m->heard, d, n);
		(void)trace_feed(&m->trace, TRACE_S, d, n);
		break;
	case CURLINFO_HEADER_OUT:
		(void)trace_feed(&m->trace, TRACE_C, d, n);
		break;
	case CURLINFO_DATA_IN:
		trace_data(&m->trace, TRACE_S, size);
		break;
	case CURLINFO_DATA_OUT:
		trace_data(&m->trace, TRACE_C, size);
		break;
	default:
		break;
	}
	return 0;
}

int
mcurl_perform(struct mcurl *m, struct mk_err *e)
{
	CURLcode c;

	m->errbuf[0] = '\0';
	c = curl_easy_perform(m->easy);
	if (m->tracing)
		(void)trace_flush(&m->trace);
	return c == CURLE_OK ? 0 : mcurl_seterr(m, c, e);
}

int
mcurl_seterr(struct mcurl *m, CURLcode c, struct mk_err *e)
{
	const char	*src;
	char		 detail[CURL_ERROR_SIZE];
	size_t		 i, n;
	unsigned char	 ch;

	src = m->errbuf[0] != '\0' ? m->errbuf : curl_easy_strerror(c);
	n = strlen(src);
	while (n > 0 && (unsigned char)src[n - 1] <= ' ')
		n--;			/* libcurl may end it in a newline */
	if (n > sizeof(detail) - 1)
		n = sizeof(detail) - 1;
	/* The text may quote the server: keep it printable ASCII. */
	for (i = 0; i < n; i++) {
		ch = (unsigned char)src[i];
		detail[i] = ch < 0x20 || ch >= 0x7f ? '?' : (char)ch;
	}
	detail[n] = '\0';
	return mk_seterr(e, mcurl_status(c), "%s: %s", m->url, detail);
}

int
mcurl_url_redact(const char *url, char *out, size_t outsz)
{
	CURLU	*u;
	char	*s = NULL;
	int	 rc = -1;

	if (outsz == 0)
		return -1;
	if (url != NULL && (u = curl_url()) != NULL) {
		if (curl_url_set(u, CURLUPART_URL, url,
		    CURLU_NON_SUPPORT_SCHEME) == CURLUE_OK &&
		    curl_url_set(u, CURLUPART_USER, NULL, 0) == CURLUE_OK &&
		    curl_url_set(u, CURLUPART_PASSWORD, NULL, 0) == CURLUE_OK &&
		    curl_url_set(u, CURLUPART_OPTIONS, NULL, 0) == CURLUE_OK &&
		    curl_url_get(u, CURLUPART_URL, &s, 0) == CURLUE_OK)
			rc = 0;
		curl_url_cleanup(u);
	}
	snprintf(out, outsz, "%s", rc == 0 ? s : "(bad URL)");
	curl_free(s);
	return rc;
}

const char *
mcurl_insecure_warning(void)
{
	return "WARNING: certificate checks are off (insecure): anyone on "
	    "the path can read and change this session, password included";
}

enum mk_status
mcurl_status(CURLcode c)
{
	switch (c) {
	case CURLE_OK:
		return MK_OK;
	/* Our URL or our build: the caller asked for something wrong. */
	case CURLE_UNSUPPORTED_PROTOCOL:
	case CURLE_URL_MALFORMAT:
		return MK_EUSAGE;
	/*
	 * The network or the server may be back later.  A failed name
	 * lookup is temporary too: libcurl does not tell NXDOMAIN from
	 * SERVFAIL, and mail software retries either way.
	 */
	case CURLE_COULDNT_RESOLVE_PROXY:
	case CURLE_COULDNT_RESOLVE_HOST:
	case CURLE_COULDNT_CONNECT:
	case CURLE_OPERATION_TIMEDOUT:
	case CURLE_SEND_ERROR:
	case CURLE_RECV_ERROR:
	case CURLE_GOT_NOTHING:
	case CURLE_PARTIAL_FILE:
	case CURLE_AGAIN:
		return MK_ETEMP;
	/* Credentials, rights, certificates: retrying will not help. */
	case CURLE_LOGIN_DENIED:
	case CURLE_AUTH_ERROR:
	case CURLE_REMOTE_ACCESS_DENIED:
	case CURLE_PEER_FAILED_VERIFICATION:
	case CURLE_SSL_ISSUER_ERROR:
	case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
	case CURLE_SSL_INVALIDCERTSTATUS:
	case CURLE_SSL_CLIENTCERT:
	/* A failed handshake: no TLS with this peer, as with a bad cert. */
	case CURLE_SSL_CONNECT_ERROR:
	/* TLS was required and the server offers no STARTTLS. */
	case CURLE_USE_SSL_FAILED:
		return MK_EPERM;
	/* Local TLS files (ca_file, CRL, client cert) are configuration. */
	case CURLE_SSL_CACERT_BADFILE:
	case CURLE_SSL_CRL_BADFILE:
	case CURLE_SSL_CERTPROBLEM:
		return MK_ECONFIG;
	case CURLE_WEIRD_SERVER_REPLY:
		return MK_EPROTO;
	case CURLE_REMOTE_FILE_NOT_FOUND:
		return MK_NOTFOUND;
	/* Our own input or output: the message file, the write callback. */
	case CURLE_READ_ERROR:
	case CURLE_WRITE_ERROR:
		return MK_EIO;
	/* Bugs on our side, or no memory. */
	case CURLE_OUT_OF_MEMORY:
	case CURLE_BAD_FUNCTION_ARGUMENT:
	case CURLE_UNKNOWN_OPTION:
	case CURLE_FAILED_INIT:
	case CURLE_RECURSIVE_API_CALL:
		return MK_ESOFTWARE;
	/* A custom command (CURLOPT_CUSTOMREQUEST) got NO or -ERR. */
	case CURLE_QUOTE_ERROR:
	default:
		return MK_EUNAVAIL;
	}
}

enum mk_status
mcurl_smtp_reply_status(int code, enum mcurl_smtp_stage stage)
{
	if (code < 200 || code > 599)
		return MK_EPROTO;
	if (code < 400)
		return MK_OK;
	if (code < 500)
		return MK_ETEMP;	/* 421 included */
	/* RFC 4954: auth required, too weak, bad credentials, needs TLS. */
	if (code == 530 || (stage == MCURL_SMTP_AUTH &&
	    (code == 534 || code == 535 || code == 538)))
		return MK_EPERM;
	switch (stage) {
	case MCURL_SMTP_RCPT:
		/*
		 * RFC 5321 4.5.3.1.10: a 552 to RCPT (too many recipients,
		 * mailbox full) should be taken as temporary.
		 */
		if (code == 552)
			return MK_ETEMP;
		if (code == 501 || code == 550 || code == 551 ||
		    code == 553 || code == 554)
			return MK_ENOUSER;
		break;
	case MCURL_SMTP_MAIL:
		if (code == 552)	/* SIZE= over the limit */
			return MK_EDATA;
		break;
	case MCURL_SMTP_DATA:
		/* Too big, or content refused: the message is the cause. */
		if (code == 550 || code == 552 || code == 554)
			return MK_EDATA;
		break;
	default:
		break;
	}
	return MK_EUNAVAIL;
}

/* Whether p[0..n) is the response code name, or name/more. */
static int
code_is(const char *p, size_t n, const char *name)
{
	size_t l = strlen(name);

	return n >= l && strncasecmp(p, name, l) == 0 &&
	    (n == l || p[l] == '/');
}

/* RFC 2449 8, RFC 3206: p is what follows "-ERR [". */
static enum mk_status
pop3_code(const char *p, size_t n)
{
	const char	*end = memchr(p, ']', n);
	size_t		 k;

	if (end == NULL)
		return MK_EUNAVAIL;
	k = (size_t)(end - p);
	if (code_is(p, k, "IN-USE") || code_is(p, k, "LOGIN-DELAY") ||
	    code_is(p, k, "SYS/TEMP"))
		return MK_ETEMP;
	if (code_is(p, k, "AUTH"))
		return MK_EPERM;
	return MK_EUNAVAIL;	/* SYS/PERM and codes we do not know */
}

enum mk_status
mcurl_pop3_reply_status(const char *l, size_t n)
{
	if (n >= 3 && memcmp(l, "+OK", 3) == 0 && (n == 3 || l[3] == ' '))
		return MK_OK;
	if (n >= 4 && memcmp(l, "-ERR", 4) == 0 && (n == 4 || l[4] == ' ')) {
		if (n > 6 && l[5] == '[')
			return pop3_code(l + 6, n - 6);
		return MK_EUNAVAIL;
	}
	return MK_EPROTO;
}

/*
 * Whether the word at l[*i..n) is w (any case) followed by SP or the end;
 * then *i moves past it and one SP.
 */
static int
word_is(const char *l, size_t n, size_t *i, const char *w)
{
	size_t wl = strlen(w);

	if (n - *i < wl || strncasecmp(l + *i, w, wl) != 0 ||
	    (n - *i > wl && l[*i + wl] != ' '))
		return 0;
	*i += wl;
	if (*i < n)
		(*i)++;
	return 1;
}

/* RFC 5530 (and 3501 TRYCREATE): p is what follows "NO [". */
static enum mk_status
imap_code(const char *p, size_t n)
{
	static const struct {
		const char	*name;
		enum mk_status	 st;
	} codes[] = {
		{ "AUTHENTICATIONFAILED",	MK_EPERM },
		{ "AUTHORIZATIONFAILED",	MK_EPERM },
		{ "EXPIRED",			MK_EPERM },
		{ "PRIVACYREQUIRED",		MK_EPERM },
		{ "CONTACTADMIN",		MK_EPERM },
		{ "NOPERM",			MK_EPERM },
		{ "UNAVAILABLE",		MK_ETEMP },
		{ "INUSE",			MK_ETEMP },
		{ "EXPUNGEISSUED",		MK_ETEMP },
		/* Like SMTP's mailbox full: it may clear up. */
		{ "OVERQUOTA",			MK_ETEMP },
		{ "NONEXISTENT",		MK_NOTFOUND },
		{ "TRYCREATE",			MK_NOTFOUND },
		{ "CLIENTBUG",			MK_EPROTO }
	};
	size_t k, i;

	for (k = 0; k < n && p[k] != ']' && p[k] != ' '; k++)
		;
	for (i = 0; i < MK_NELEM(codes); i++)
		if (k == strlen(codes[i].name) &&
		    strncasecmp(p, codes[i].name, k) == 0)
			return codes[i].st;
	return MK_EUNAVAIL;
}

enum mk_status
mcurl_imap_reply_status(const char *l, size_t n)
{
	const char	*sp = memchr(l, ' ', n);
	size_t		 i;

	if (sp == NULL || sp == l || (sp - l == 1 && l[0] == '+'))
		return MK_EPROTO;
	i = (size_t)(sp - l) + 1;
	if (word_is(l, n, &i, "OK") || word_is(l, n, &i, "PREAUTH"))
		return MK_OK;
	if (word_is(l, n, &i, "NO"))
		return i < n && l[i] == '[' ? imap_code(l + i + 1, n - i - 1) :
		    MK_EUNAVAIL;
	/* We built the command; a BAD means we and the server disagree. */
	if (word_is(l, n, &i, "BAD"))
		return MK_EPROTO;
	if (word_is(l, n, &i, "BYE"))
		return MK_ETEMP;
	return MK_EPROTO;
}
