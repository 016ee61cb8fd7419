/*
 * mcurl.h: the one libcurl setup that msend, mpop and mimap share, and
 * the maps from libcurl results and server replies to mkit statuses.
 *
 * Policy (see mcurl_params_check()):
 *   - only smtp, smtps, pop3, pop3s, imap and imaps URLs;
 *   - certificates are verified (peer and host name) unless insecure;
 *   - TLS 1.2 at least;
 *   - a plain smtp:// pop3:// imap:// URL uses STARTTLS, and by default
 *     the session fails if STARTTLS is not offered or fails: no password
 *     and no mail in clear;
 *   - a password is never sent in clear to another host than loopback;
 *   - user and password go through CURLOPT_USERNAME/CURLOPT_PASSWORD,
 *     never in the URL (a URL holding a password is refused);
 *   - with a trace FILE, libcurl's verbose output goes through trace_
 *     (redacted), never to stderr directly.
 */
#ifndef MCURL_H
#define MCURL_H

#include <stddef.h>
#include <stdio.h>

#include <curl/curl.h>

#include "mk.h"
#include "trace.h"

/* TLS for plain (not implicit-TLS) URLs. */
enum mcurl_tls {
	MCURL_TLS_DEFAULT = 0,	/* as MCURL_TLS_REQUIRED */
	MCURL_TLS_REQUIRED,	/* STARTTLS, verified, or fail (MK_EPERM) */
	MCURL_TLS_AUTO,		/* STARTTLS if offered; with a password and
				   a host other than loopback, REQUIRED */
	MCURL_TLS_OFF		/* no TLS: refused for smtps:// etc., and
				   with a password to a non-loopback host */
};

#define MCURL_CONNECT_TIMEOUT	30	/* seconds, if connect_timeout_s 0 */
#define MCURL_TIMEOUT		120	/* seconds, if timeout_s 0 */
#define MCURL_PROTOCOLS		"smtp,smtps,pop3,pop3s,imap,imaps"
#define MCURL_HEARDMAX		65536	/* bytes of server lines recorded */

/*
 * What the caller fills.  libcurl copies the strings, so they need only
 * live through mcurl_new(); trace is borrowed until mcurl_free().
 */
struct mcurl_params {
	const char	*url;		/* scheme://host[:port][/path] */
	const char	*user;		/* NULL: none; no CR or LF */
	const char	*password;	/* NULL: none; no CR or LF */
	const char	*ca_file;	/* PEM CA bundle; NULL: system store */
	int		 insecure;	/* 1: no certificate checks at all */
	enum mcurl_tls	 tls;		/* plain URLs only */
	long		 connect_timeout_s; /* 0: MCURL_CONNECT_TIMEOUT */
	long		 timeout_s;	/* stall or reply timeout, seconds;
					   0: MCURL_TIMEOUT */
	int		 connect_only;	/* 1: perform stops after login, see
					   CURLOPT_CONNECT_ONLY */
	FILE		*trace;		/* NULL: no transcript */
};

struct mcurl;

/*
 * Check p and work out the CURLOPT_USE_SSL value (*use_ssl) and the
 * trace rules (*proto, from the URL scheme).  No I/O.  Errors:
 * MK_EUSAGE for a bad or unsupported URL, a password in the URL, CR or
 * LF in user or password, a negative timeout, or tls OFF with an
 * implicit-TLS scheme; MK_ECONFIG for tls OFF with a password to a host
 * other than loopback (localhost, 127.0.0.0/8, ::1).
 */
int	mcurl_params_check(const struct mcurl_params *p, long *use_ssl,
	    enum trace_proto *proto, struct mk_err *e);

/*
 * A configured easy handle, wrapped; NULL with e filled on error (as
 * mcurl_params_check(), MK_ESOFTWARE out of memory, or the status of a
 * failed curl_easy_setopt).  Nothing is connected yet.  The caller adds
 * what its job needs (CURLOPT_MAIL_FROM, ...) through mcurl_easy().
 */
struct mcurl	*mcurl_new(const struct mcurl_params *p, struct mk_err *e);

/* Clean up the handle (libcurl may say QUIT/LOGOUT), flush the trace. */
void		 mcurl_free(struct mcurl *m);

/*
 * Every line the server sent while libcurl ran the session (greeting,
 * EHLO/CAPA/CAPABILITY replies, AUTH replies), with their CRLFs, as
 * received: untrusted.  At most MCURL_HEARDMAX bytes.  Owned by m.
 */
const char	*mcurl_heard(struct mcurl *m, size_t *len);

/* The easy handle; owned by m. */
CURL		*mcurl_easy(struct mcurl *m);

/*
 * The transcript's state, for lines the caller sends and receives
 * itself with curl_easy_send/recv after a connect-only perform, so that
 * they are redacted with the same state.  NULL without a trace.
 */
struct trace_state *mcurl_trace(struct mcurl *m);

/*
 * p[0..n) with every occurrence of the session's password, and of the
 * parts of its base64 forms that depend on it alone (see mcurl.c), put
 * as "****": for server lines before they reach the trace or a message,
 * since a hostile server may echo the password or the AUTH blob back.
 * Returns p itself when there is none, else a buffer owned by m, valid
 * until the next call; *outn is its length.  p is untrusted.
 */
const void	*mcurl_scrub(struct mcurl *m, const void *p, size_t n,
		    size_t *outn);

/* curl_easy_perform(); on failure -1 with e filled by mcurl_seterr(). */
int		 mcurl_perform(struct mcurl *m, struct mk_err *e);

/*
 * Fill e for the libcurl result c: status mcurl_status(c), message
 * "URL: detail" with the URL's userinfo removed and libcurl's error
 * text (control bytes replaced).  Always -1.
 */
int		 mcurl_seterr(struct mcurl *m, CURLcode c, struct mk_err *e);

/*
 * url without its userinfo (user, password, options) into out, cut to
 * outsz - 1 bytes.  0, or -1 (out "(bad URL)") if url does not parse.
 */
int		 mcurl_url_redact(const char *url, char *out, size_t outsz);

/* The text the front end prints (one line) when insecure is set. */
const char	*mcurl_insecure_warning(void);

/* The status for a libcurl result (MK_OK for CURLE_OK). */
enum mk_status	 mcurl_status(CURLcode c);

/* Where in an SMTP session a reply came. */
enum mcurl_smtp_stage {
	MCURL_SMTP_CONNECT,	/* greeting, EHLO, STARTTLS */
	MCURL_SMTP_AUTH,
	MCURL_SMTP_MAIL,	/* MAIL FROM */
	MCURL_SMTP_RCPT,	/* RCPT TO: about one recipient */
	MCURL_SMTP_DATA,	/* DATA and the reply after the message */
	MCURL_SMTP_OTHER	/* RSET, NOOP, QUIT */
};

/*
 * The status for an SMTP reply code (RFC 5321 4.2; 5.7.x of RFC 4954).
 * 2xx and 3xx are MK_OK, 4xx MK_ETEMP; 5xx depend on the stage; a code
 * outside 200..599 is MK_EPROTO.
 */
enum mk_status	 mcurl_smtp_reply_status(int code,
		    enum mcurl_smtp_stage stage);

/*
 * The status for a POP3 status line (untrusted, len bytes, no CRLF):
 * "+OK" MK_OK; "-ERR" with the RFC 2449/3206 response codes [IN-USE],
 * [LOGIN-DELAY], [SYS/TEMP] MK_ETEMP, [AUTH] MK_EPERM, [SYS/PERM] and
 * others MK_EUNAVAIL; anything else MK_EPROTO.
 */
enum mk_status	 mcurl_pop3_reply_status(const char *line, size_t len);

/*
 * The status for an IMAP tagged status line, "tag OK|NO|BAD ..." (or
 * "* BYE"), untrusted, len bytes, no CRLF.  OK: MK_OK.  NO: by the RFC
 * 5530 response code, MK_EUNAVAIL without one.  BAD: MK_EPROTO (we sent
 * something the server did not understand).  BYE: MK_ETEMP.  Anything
 * else: MK_EPROTO.
 */
enum mk_status	 mcurl_imap_reply_status(const char *line, size_t len);

#endif /* MCURL_H */
