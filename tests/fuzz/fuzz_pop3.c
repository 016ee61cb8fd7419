/*
 * fuzz_pop3.c: the pure POP3 parsers under a fuzzer.  The input is what
 * a hostile server could send: the login transcript for the CAPA
 * parser, then each line as a STAT reply, a UIDL and a LIST line and a
 * line of a multi-line response; the header-hash identity over all of
 * it; the identities of the UIDL lines made unique; and the input as
 * host names of a Received: header.  Each result is checked against
 * its contract.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "pop3.h"

#define NMSG	64

int	fuzz_pop3(const uint8_t *, size_t);
int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* A UIDL as the parser promises it: 1..70 bytes 0x21..0x7E. */
static void
check_uid(const char *u)
{
	size_t i, n = strlen(u);

	if (n == 0 || n > POP3_UIDMAX)
		abort();
	for (i = 0; i < n; i++)
		if ((unsigned char)u[i] <= 0x20 || (unsigned char)u[i] >= 0x7f)
			abort();
}

/*
 * A Received: header: two lines, CRLF each, the second folded with a
 * tab, and no other control byte whatever the host names held.
 */
static void
check_received(const char *r, size_t n)
{
	size_t i, lf = 0;

	if (n < 4 || memcmp(r, "Received: from ", 15) != 0 ||
	    memcmp(r + n - 2, "\r\n", 2) != 0)
		abort();
	for (i = 0; i < n; i++) {
		if (r[i] == '\n') {
			if (r[i - 1] != '\r' || (++lf == 1 && r[i + 1] != '\t'))
				abort();
		} else if (r[i] == '\r') {
			if (r[i + 1] != '\n')
				abort();
		} else if (r[i] == '\t') {
			if (r[i - 1] != '\n')
				abort();
		} else if ((unsigned char)r[i] < 0x20 ||
		    (unsigned char)r[i] >= 0x7f)
			abort();
	}
	if (lf != 2)
		abort();
}

/* Each line of data through the line parsers; UIDL lines into m. */
static size_t
fuzz_lines(const char *d, size_t size, struct pop3_msg *m)
{
	const char		*l, *nl, *out;
	size_t			 off = 0, n, outlen, k = 0;
	unsigned long		 num, count;
	unsigned long long	 sz;
	char			 uid[POP3_UIDMAX + 1];

	while (off < size) {
		l = d + off;
		nl = memchr(l, '\n', size - off);
		n = nl != NULL ? (size_t)(nl - l) : size - off;
		off += n + (nl != NULL);
		if (n > 0 && l[n - 1] == '\r')
			n--;
		(void)pop3_stat_parse(l, n, &count, &sz);
		(void)pop3_list_parse(l, n, &num, &sz);
		if (pop3_uidl_parse(l, n, &num, uid) == 0) {
			check_uid(uid);
			if (num == 0)
				abort();
			if (k < NMSG) {
				m[k].num = num;
				m[k].size = 0;
				memcpy(m[k].uid, uid, sizeof(uid));
				k++;
			}
		}
		if (pop3_data_unstuff(l, n, &out, &outlen) == 0 &&
		    (outlen > n || out < l || out + outlen > l + n))
			abort();
	}
	return k;
}

int
fuzz_pop3(const uint8_t *data, size_t size)
{
	struct pop3_msg	 m[NMSG];
	char		 uid[POP3_UIDMAX + 1], host[300], rcv[1024];
	size_t		 k, i, hl;
	int		 n;

	(void)pop3_capa_parse((const char *)data, size);
	k = fuzz_lines((const char *)data, size, m);
	(void)pop3_uids_disambiguate(m, k);
	for (i = 0; i < k; i++)
		if (strlen(m[i].uid) > POP3_UIDMAX)
			abort();
	pop3_hdr_uid(data, size, size, uid);
	check_uid(uid);
	if (strlen(uid) != sizeof(POP3_HDRUID_PREFIX) - 1 + POP3_HDRUID_HEX)
		abort();
	/* The input as host names: one line of safe bytes, and a fold. */
	hl = size < sizeof(host) - 1 ? size : sizeof(host) - 1;
	memcpy(host, data, hl);
	host[hl] = '\0';
	n = pop3_received_format(rcv, sizeof(rcv), host, host + hl / 2,
	    (time_t)0, "\r\n");
	if (n < 0 || (size_t)n != strlen(rcv))
		abort();
	check_received(rcv, (size_t)n);
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return fuzz_pop3(data, size);
}
