/*
 * test_oom.c: allocation failure in the parsers of untrusted text (issue
 * 9).  This program is linked with -Wl,--wrap for malloc, calloc and
 * realloc, so every allocation the library makes goes through the
 * wrappers below (allocations inside libc, as in strdup, are not seen); for N = 1, 2, ... the Nth allocation of one call
 * fails, until a call makes fewer than N.  Each failure must be clean:
 * the call reports it (-1, NULL or an error code with a message), does
 * not crash, and leaks nothing (the ASan build's leak check runs at
 * exit).  A call that claims success although an allocation failed is
 * an error too, unless its contract says it carries on (a cut result).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "conf.h"
#include "hdr.h"
#include "mime.h"
#include "mk.h"
#include "smtp.h"
#include "t.h"

void	*__real_malloc(size_t);
void	*__real_calloc(size_t, size_t);
void	*__real_realloc(void *, size_t);
void	*__real_reallocarray(void *, size_t, size_t);
void	*__wrap_malloc(size_t);
void	*__wrap_calloc(size_t, size_t);
void	*__wrap_realloc(void *, size_t);
void	*__wrap_reallocarray(void *, size_t, size_t);

static long	fail_at;	/* 0: never; else fail the fail_at-th call */
static long	ncalls;		/* allocations since arm() */
static int	failed;		/* an allocation was refused */

static int
refuse(void)
{
	if (fail_at > 0 && ++ncalls == fail_at) {
		failed = 1;
		return 1;
	}
	return 0;
}

void *
__wrap_malloc(size_t n)
{
	return refuse() ? NULL : __real_malloc(n);
}

void *
__wrap_calloc(size_t n, size_t k)
{
	return refuse() ? NULL : __real_calloc(n, k);
}

void *
__wrap_realloc(void *p, size_t n)
{
	return refuse() ? NULL : __real_realloc(p, n);
}

void *
__wrap_reallocarray(void *p, size_t n, size_t k)
{
	return refuse() ? NULL : __real_reallocarray(p, n, k);
}

static void
arm(long n)
{
	fail_at = n;
	ncalls = 0;
	failed = 0;
}

/*
 * Run step(N) for N = 1, 2, ... until it makes fewer than N allocations;
 * step returns 0 on success, -1 on a reported failure.  Returns the
 * number of failure points tried.
 */
static long
sweep(int (*step)(void))
{
	long	n;
	int	r, hit;

	for (n = 1; n < 100000; n++) {
		arm(n);
		r = step();
		hit = failed;
		arm(0);
		if (!hit) {
			T_EQ_INT(r, 0);
			printf("# %ld allocation failures, each clean\n", n - 1);
			return n - 1;
		}
		if (r != -1) {
			printf("#   failure %ld not reported\n", n);
			T_CHECK(r == -1);
			return n;
		}
	}
	T_CHECK(!"too many allocations");
	return n;
}

static const char words[] =
    "=?utf-8?q?caf=C3=A9?= =?iso-8859-1?b?5Q==?= plain "
    "=?utf-8?b?w6nDqcOpw6nDqcOpw6nDqcOpw6nDqcOpw6nDqcOpw6nDqcOp?= "
    "=?koi8-r?q?=F0=D2=C9=D7=C5=D4?= tail";

static int
step_words(void)
{
	struct mk_buf	b;
	int		r;

	buf_init(&b, 0);
	r = hdr_decode_words(words, sizeof(words) - 1, &b, NULL);
	if (r == 0 && strstr(buf_str(&b), "café") == NULL)
		r = -2;
	buf_free(&b);
	return r;
}

static const char params[] =
    "attachment; filename*0*=utf-8''%e2%82%ac%20rates; "
    "filename*1=\" for 2026\"; filename*2*=%2epdf; size=1234; "
    "creation-date=\"Sat, 28 Nov 2026 10:00:00 +0000\"";

static int
step_params(void)
{
	struct hdr_params	pp;
	const char		*v;

	if (hdr_params_parse(params, sizeof(params) - 1, &pp) == -1)
		return -1;
	v = hdr_param_get(&pp, "filename");
	hdr_params_free(&pp);
	return v != NULL ? 0 : -2;
}

static const char block[] =
    "From: Alice <alice@example.org>\r\n"
    "To: bob@example.org,\r\n carol@example.org\r\n"
    "Subject: =?utf-8?q?h=C3=A9llo?=\r\n"
    "Content-Type: multipart/mixed; boundary=\"b1\"\r\n"
    "\r\n";

static int
step_block(void)
{
	struct hdr_block hb;

	if (hdr_block_parse(block, sizeof(block) - 1, 0, 0, &hb) == -1)
		return -1;
	hdr_block_free(&hb);
	return 0;
}

static const char msg[] =
    "From: a@example.org\n"
    "MIME-Version: 1.0\n"
    "Content-Type: multipart/mixed; boundary=outer\n"
    "\n"
    "preamble\n"
    "--outer\n"
    "Content-Type: multipart/alternative; boundary=inner\n"
    "\n"
    "--inner\n"
    "Content-Type: text/plain; charset=utf-8\n"
    "Content-Transfer-Encoding: quoted-printable\n"
    "\n"
    "caf=C3=A9\n"
    "--inner\n"
    "Content-Type: text/html\n"
    "\n"
    "<p>hi</p>\n"
    "--inner--\n"
    "--outer\n"
    "Content-Type: message/rfc822\n"
    "\n"
    "Subject: inner\n"
    "\n"
    "inner body\n"
    "--outer\n"
    "Content-Type: application/octet-stream\n"
    "Content-Disposition: attachment; filename*=utf-8''r%C3%A9sum%C3%A9.bin\n"
    "Content-Transfer-Encoding: base64\n"
    "\n"
    "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=\n"
    "--outer--\n";

static int
on_event(void *arg, const struct mime_event *ev)
{
	(*(int *)arg)++;
	(void)ev;
	return 0;
}

/* The MIME parser over msg in chunks of 7 bytes. */
static int
step_mime(void)
{
	struct mime_parser	*p;
	size_t			 i, k;
	int			 nev = 0, r = 0;

	if ((p = mime_parser_new(on_event, &nev)) == NULL)
		return -1;
	for (i = 0; i < sizeof(msg) - 1 && r == 0; i += k) {
		k = sizeof(msg) - 1 - i < 7 ? sizeof(msg) - 1 - i : 7;
		r = mime_parser_feed(p, msg + i, k);
	}
	if (r == 0)
		r = mime_parser_finish(p);
	if (r != 0 && (mime_parser_error(p) == NULL ||
	    strcmp(mime_parser_error(p), "out of memory") != 0))
		r = -2;
	mime_parser_free(p);
	return r == 0 ? 0 : r == -2 ? -2 : -1;
}

static const char alist[] =
    "\"Doe, Jane\" <jane@example.org>, team: a@example.org, "
    "(c) b@example.net;, <@route:c@example.com>, \"q x\"@example.org";

static int
step_addrs(void)
{
	struct smtp_addrs	a = { NULL, 0 };
	struct mk_err		e;
	int			r;

	memset(&e, 0, sizeof(e));
	r = smtp_addrlist_parse(alist, sizeof(alist) - 1, &a, &e);
	if (r == -1 && e.st != MK_ESOFTWARE)
		r = -2;
	if (r == 0 && a.n != 5)
		r = -2;
	smtp_addrs_free(&a);
	return r;
}

static const char conffile[] =
    "default = work\n"
    "[account work]\nuser = bob\npassword = x\n"
    "smtp = smtp://mail.example.org:587\ntls = required\n"
    "[account home]\nuser = b\nimap = imaps://imap.example.org\n";

static int
step_conf(void)
{
	struct conf	*c;
	struct mk_err	 e;

	memset(&e, 0, sizeof(e));
	if ((c = conf_parse(conffile, sizeof(conffile) - 1, "t", &e)) ==
	    NULL)
		return e.st == MK_ESOFTWARE ? -1 : -2;
	conf_free(c);
	return 0;
}

static void
oom_words(void)
{
	T_CHECK(sweep(step_words) > 0);
}

static void
oom_params(void)
{
	T_CHECK(sweep(step_params) > 0);
}

static void
oom_block(void)
{
	T_CHECK(sweep(step_block) > 0);
}

static void
oom_mime(void)
{
	T_CHECK(sweep(step_mime) > 0);
}

static void
oom_addrs(void)
{
	T_CHECK(sweep(step_addrs) > 0);
}

static void
oom_conf(void)
{
	T_CHECK(sweep(step_conf) > 0);
}

/*
 * The wrappers are really in the way, so the sweeps can fail.  (Through
 * a pointer: the compiler may drop a malloc() whose result only goes to
 * free().)
 */
static void
wrapped(void)
{
	void	*(*volatile m)(size_t) = malloc;
	void	*p;

	arm(1);
	p = m(16);
	T_CHECK(p == NULL && failed);
	arm(0);
	free(p);
}

int
main(void)
{
	T_RUN(wrapped);
	T_RUN(oom_words);
	T_RUN(oom_params);
	T_RUN(oom_block);
	T_RUN(oom_mime);
	T_RUN(oom_addrs);
	T_RUN(oom_conf);
	T_DONE();
}
