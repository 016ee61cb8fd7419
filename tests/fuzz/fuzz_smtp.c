/*
 * fuzz_smtp.c: fuzz entry for the untrusted-input side of lib/smtp.c:
 * reply lines, the EHLO capabilities, the header scanner and the
 * address-list parser (no address may come out holding CR, LF or any
 * other control byte), the MX reply parser, and the DATA encoder.
 *
 * The DATA encoder is fed the input in chunks whose sizes come from the
 * input, and its output is checked against the promise of RFC 5321
 * 4.5.2 as msend keeps it: only CR LF line ends on the wire, every line
 * that starts with '.' doubled, exactly one end-of-data at the very end,
 * and removing the stuffing gives back the input with its line breaks
 * (CR LF, bare LF, bare CR) made CR LF.  Any breach aborts.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "mk.h"
#include "smtp.h"

int	fuzz_smtp(const uint8_t *, size_t);
int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static void	replies(const char *, size_t);
static void	addresses(const uint8_t *, size_t);
static void	mx(const uint8_t *, size_t);
static void	dot(const uint8_t *, size_t);
static size_t	normalise(const uint8_t *, size_t, uint8_t *);

static void
replies(const char *s, size_t n)
{
	struct smtp_caps	 caps;
	const char		*nl;
	size_t			 len, text;
	int			 code, more;

	smtp_caps_parse(s, n, &caps);
	while (n > 0) {
		nl = memchr(s, '\n', n);
		len = nl != NULL ? (size_t)(nl - s) : n;
		if (len > 0 && s[len - 1] == '\r')
			len--;
		if (smtp_reply_parse(s, len, &code, &more, &text) == 0) {
			if (code < 100 || code > 599 || text > len ||
			    (more != 0 && more != 1))
				abort();
		}
		if (nl == NULL)
			break;
		n -= (size_t)(nl - s) + 1;
		s = nl + 1;
	}
}

/* Every address out of To/Cc/Bcc (and of the whole input as a list). */
static void
addresses(const uint8_t *p, size_t n)
{
	static const char	*names[] = { "to", "cc", "bcc", "from" };
	const struct smtp_hfield *f;
	struct smtp_head	 h;
	struct smtp_addrs	 a = { NULL, 0 };
	struct mk_buf		 v;
	struct mk_err		 e;
	size_t			 i, k, it;
	const unsigned char	*c;

	buf_init(&v, 1 << 20);
	if (smtp_head_scan(p, n, &h, &e) == 0) {
		if (h.end > n || h.end + h.sep > n)
			abort();
		for (k = 0; k < sizeof(names) / sizeof(names[0]); k++)
			for (it = 0; (f = smtp_head_find(&h, p, names[k],
			    &it)) != NULL;) {
				if (f->off + f->len > n)
					abort();
				if (smtp_head_value(&h, f, p, &v) == 0)
					(void)smtp_addrlist_parse(
					    (const char *)v.p, v.len, &a, &e);
			}
		smtp_head_free(&h);
	}
	(void)smtp_addrlist_parse((const char *)p, n, &a, &e);
	for (i = 0; i < a.n; i++) {
		if (strlen(a.v[i]) > SMTP_ADDRMAX)
			abort();
		for (c = (const unsigned char *)a.v[i]; *c != '\0'; c++)
			if (*c < 0x20 || *c == 0x7f)
				abort();
		(void)smtp_addr_ok(a.v[i], 1);
	}
	smtp_addrs_free(&a);
	buf_free(&v);
}

static void
mx(const uint8_t *p, size_t n)
{
	static const uint8_t	 qname[] = "\7example\3org";
	struct smtp_mx		 m[8];
	char			 addrs[8][SMTP_ADDRTEXTMAX];
	enum smtp_mx_kind	 kind;
	const char		*err;
	size_t			 nmx, na, i;
	int			 nx;

	if (smtp_mx_parse(p, n, qname, sizeof(qname), m, 8, &nmx, &kind,
	    &err) == 0) {
		if (nmx > 8)
			abort();
		for (i = 0; i < nmx; i++)
			if (memchr(m[i].host, '\0', sizeof(m[i].host)) == NULL)
				abort();
	}
	if (smtp_mx_addrs(p, n, qname, sizeof(qname), 1, addrs, 8, &na, &nx,
	    &err) == 0 && na > 8)
		abort();
}

/* The input with every line break (CR LF, LF, CR) made CR LF. */
static size_t
normalise(const uint8_t *p, size_t n, uint8_t *out)
{
	size_t i, k = 0;

	for (i = 0; i < n; i++) {
		if (p[i] == '\r' || p[i] == '\n') {
			if (p[i] == '\r' && i + 1 < n && p[i + 1] == '\n')
				i++;
			out[k++] = '\r';
			out[k++] = '\n';
		} else
			out[k++] = p[i];
	}
	return k;
}

static void
dot(const uint8_t *p, size_t n)
{
	struct smtp_dot	 d;
	uint8_t		*w, *want, *got;
	uint32_t	 seed = 2166136261u;
	size_t		 i, k = 0, m, g = 0, chunk;
	int		 bol = 1;

	for (i = 0; i < n && i < 8; i++)
		seed = (seed ^ p[i]) * 16777619u;
	if ((w = malloc(SMTP_DOT_BOUND(n) + SMTP_DOT_FINALMAX)) == NULL)
		return;
	want = malloc(2 * n + 2);
	got = malloc(2 * n + 2);
	if (want == NULL || got == NULL)
		goto out;
	smtp_dot_init(&d);
	for (i = 0; i < n; i += chunk) {
		seed ^= seed << 13;
		seed ^= seed >> 17;
		seed ^= seed << 5;
		chunk = seed % 4 == 0 ? n - i : 1 + seed % 17;
		if (chunk > n - i)
			chunk = n - i;
		k += smtp_dot_update(&d, p + i, chunk, w + k);
	}
	k += smtp_dot_final(&d, w + k);
	if (k > SMTP_DOT_BOUND(n) + SMTP_DOT_FINALMAX)
		abort();

	/* The wire: CR LF lines, then exactly one ".\r\n", at the end. */
	if (k < 3 || memcmp(w + k - 3, ".\r\n", 3) != 0 ||
	    (k > 3 && (k < 5 || w[k - 5] != '\r' || w[k - 4] != '\n')))
		abort();
	for (i = 0; i + 3 < k; i++) {
		if (w[i] == '\r' && w[i + 1] != '\n')
			abort();
		if (w[i] == '\n' && (i == 0 || w[i - 1] != '\r'))
			abort();
		if (bol && w[i] == '.') {
			/* Stuffed: the next byte must be the original dot. */
			if (i + 1 >= k - 3 || w[i + 1] != '.')
				abort();
			i++;
		}
		got[g++] = w[i];
		bol = w[i] == '\n';
	}
	/* Unstuffed, it is the input with its breaks normalised. */
	m = normalise(p, n, want);
	if (m > 0 && want[m - 1] != '\n') {
		want[m++] = '\r';
		want[m++] = '\n';
	}
	if (g != m || memcmp(got, want, m) != 0)
		abort();
out:
	free(w);
	free(want);
	free(got);
}

int
fuzz_smtp(const uint8_t *data, size_t size)
{
	replies((const char *)data, size);
	addresses(data, size);
	mx(data, size);
	dot(data, size);
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return fuzz_smtp(data, size);
}
