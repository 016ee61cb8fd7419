/*
 * fuzz_dns.c: the DNS codec under a fuzzer.  Every input is a message:
 * parse it and, when that works, print every record, the EDNS lines
 * and the flags, as mlookup would; check the reply matcher against
 * itself; and read the bytes as a presentation name.  Nothing here may
 * crash, leak or read out of bounds, whatever the bytes.
 */
#include <stdint.h>
#include <string.h>

#include "dns.h"

int	fuzz_dns(const uint8_t *, size_t);
int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* Print everything a parsed message holds. */
static void
fuzz_print(const uint8_t *data, size_t size, const struct dns_msg *m,
    struct mk_buf *b)
{
	static const uint8_t	 cc[8] = { 1, 2, 3, 4, 5, 6, 7, 8 };
	struct dns_iter		 it;
	struct dns_rr		 rr;
	char			 t[DNS_NAME_TEXTMAX];
	const char		*err;
	int			 s;

	for (s = 0; s < 4; s++) {
		dns_iter_init(&it, m, (enum dns_section)s);
		while (dns_rr_next(&it, &rr, &err) == 1) {
			buf_reset(b);
			dns_rr_to_text(data, size, &rr, b, &err);
			dns_rdata_to_text(data, size, &rr, NULL, &err);
			dns_name_to_text(rr.owner, rr.ownerlen, t, sizeof(t));
		}
	}
	buf_reset(b);
	dns_edns_to_text(m, cc, b, &err);
	dns_flags_to_text(m->flags, b);
	dns_flags_dissect(m->flags, m->rcode, b);
}

int
fuzz_dns(const uint8_t *data, size_t size)
{
	struct dns_msg	 m;
	struct mk_buf	 b;
	uint8_t		 wire[DNS_NAME_MAX];
	char		 text[1100];
	size_t		 wlen;
	const char	*err;

	buf_init(&b, 1 << 20);
	if (dns_msg_parse(data, size, &m, &err) == 0)
		fuzz_print(data, size, &m, &b);
	buf_free(&b);
	(void)dns_reply_matches(data, size, data, size);
	if (size < sizeof(text)) {
		memcpy(text, data, size);
		text[size] = '\0';
		if (dns_name_from_text(text, wire, sizeof(wire), &wlen,
		    &err) >= 0)
			(void)dns_name_to_text(wire, wlen, text,
			    sizeof(text));
		(void)dns_reverse_name(text, text, sizeof(text));
	}
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return fuzz_dns(data, size);
}
