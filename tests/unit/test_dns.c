/*
 * test_dns.c: the DNS codec with byte vectors.  Every expected rdata
 * and EDNS string below was checked against dig 9.18 (Debian 12), fed
 * the same bytes by a canned-reply server, or read from a real nsd 4.6
 * answer; an expected NULL means dig rejected the message too.
 */
#include <arpa/inet.h>

#include <stdint.h>
#include <string.h>

#include "dns.h"
#include "t.h"

/* One record's rdata as dig shows it in a whole answer line. */
struct vec {
	uint16_t	 type;
	size_t		 len;
	const char	*rdata;
	const char	*line;		/* NULL: the message is malformed */
};

static const struct vec vecs[] = {
	{ 1, 4, "\xc0\x00\x02\x01",
	    "v.t.\t\t\t3600\tIN\tA\t192.0.2.1" },
	{ 1, 3, "\xc0\x00\x02",
	    NULL },
	{ 28, 16, "\x20\x01\x0d\xb8\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00"
	    "\x01",
	    "v.t.\t\t\t3600\tIN\tAAAA\t2001:db8::1" },
	{ 28, 16, "\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\xff\xff\xc0\x00\x02"
	    "\x01",
	    "v.t.\t\t\t3600\tIN\tAAAA\t::ffff:192.0.2.1" },
	{ 28, 16, "\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00"
	    "\x01",
	    "v.t.\t\t\t3600\tIN\tAAAA\t::1" },
	{ 28, 16, "\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x01\x02\x03"
	    "\x04",
	    "v.t.\t\t\t3600\tIN\tAAAA\t::1.2.3.4" },
	{ 28, 16, "\xfe\x80\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00"
	    "\x00",
	    "v.t.\t\t\t3600\tIN\tAAAA\tfe80::" },
	{ 2, 6, "\x03\x6e\x73\x31\xc0\x0c",
	    "v.t.\t\t\t3600\tIN\tNS\tns1.v.t." },
	{ 2, 1, "\x00",
	    "v.t.\t\t\t3600\tIN\tNS\t." },
	{ 5, 2, "\xc0\x0c",
	    "v.t.\t\t\t3600\tIN\tCNAME\tv.t." },
	{ 39, 12, "\x05\x6f\x74\x68\x65\x72\x04\x74\x65\x73\x74\x00",
	    "v.t.\t\t\t3600\tIN\tDNAME\tother.test." },
	{ 12, 7, "\x04\x68\x6f\x73\x74\xc0\x0c",
	    "v.t.\t\t\t3600\tIN\tPTR\thost.v.t." },
	{ 6, 39, "\x03\x6e\x73\x31\xc0\x0c\x0a\x68\x6f\x73\x74\x6d\x61\x73\x74"
	    "\x65\x72\xc0\x0c\x78\xa8\xd2\x15\x00\x00\x1c\x20\x00\x00\x0e"
	    "\x10\x00\x12\x75\x00\x00\x00\x0e\x10",
	    "v.t.\t\t\t3600\tIN\tSOA\tns1.v.t. hostmaster.v.t. 2024329749 720"
	    "0 3600 1209600 3600" },
	{ 6, 22, "\x00\x00\xff\xff\xff\xff\x00\x00\x00\x00\x00\x00\x00\x01\x00"
	    "\x00\x00\x02\x00\x00\x00\x03",
	    "v.t.\t\t\t3600\tIN\tSOA\t. . 4294967295 0 1 2 3" },
	{ 15, 9, "\x00\x0a\x04\x6d\x61\x69\x6c\xc0\x0c",
	    "v.t.\t\t\t3600\tIN\tMX\t10 mail.v.t." },
	{ 15, 3, "\xff\xff\x00",
	    "v.t.\t\t\t3600\tIN\tMX\t65535 ." },
	{ 16, 12, "\x0b\x68\x65\x6c\x6c\x6f\x20\x77\x6f\x72\x6c\x64",
	    "v.t.\t\t\t3600\tIN\tTXT\t\"hello world\"" },
	{ 16, 1, "\x00",
	    "v.t.\t\t\t3600\tIN\tTXT\t\"\"" },
	{ 16, 5, "\x01\x61\x01\x62\x00",
	    "v.t.\t\t\t3600\tIN\tTXT\t\"a\" \"b\" \"\"" },
	{ 16, 19, "\x12\x00\x01\x1f\x20\x7f\x80\xff\x22\x5c\x3b\x40\x24\x28\x29"
	    "\x09\x0a\x0d\x41",
	    "v.t.\t\t\t3600\tIN\tTXT\t\"\\000\\001\\031 \\127\\128\\255\\\"\\"
	    "\\;@$()\\009\\010\\013A\"" },
	{ 16, 0, "",
	    NULL },
	{ 99, 12, "\x0d\x76\x3d\x73\x70\x66\x31\x20\x2d\x61\x6c\x6c",
	    NULL },
	{ 13, 4, "\x01\x41\x01\x20",
	    "v.t.\t\t\t3600\tIN\tHINFO\t\"A\" \" \"" },
	{ 13, 2, "\x01\x41",
	    NULL },
	{ 33, 19, "\x00\x0a\x00\x3c\x13\xc4\x03\x73\x69\x70\x04\x65\x78\x61\x6d"
	    "\x70\x6c\x65\x00",
	    NULL },
	{ 33, 7, "\x00\x00\x00\x00\x00\x00\x00",
	    "v.t.\t\t\t3600\tIN\tSRV\t0 0 0 ." },
	{ 33, 8, "\x00\x01\x00\x02\x00\x03\xc0\x0c",
	    "v.t.\t\t\t3600\tIN\tSRV\t1 2 3 v.t." },
	{ 35, 44, "\x00\x64\x00\x0a\x01\x75\x07\x45\x32\x55\x2b\x73\x69\x70\x1c"
	    "\x21\x5e\x2e\x2a\x24\x21\x73\x69\x70\x3a\x69\x6e\x66\x6f\x40"
	    "\x65\x78\x61\x6d\x70\x6c\x65\x2e\x74\x65\x73\x74\x21\x00",
	    "v.t.\t\t\t3600\tIN\tNAPTR\t100 10 \"u\" \"E2U+sip\" \"!^.*$!sip:"
	    "info@example.test!\" ." },
	{ 35, 26, "\x00\x66\x00\x0a\x01\x53\x07\x53\x49\x50\x2b\x44\x32\x55\x00"
	    "\x04\x5f\x73\x69\x70\x04\x5f\x75\x64\x70\x00",
	    "v.t.\t\t\t3600\tIN\tNAPTR\t102 10 \"S\" \"SIP+D2U\" \"\" _sip._u"
	    "dp." },
	{ 257, 22,
	    "\x00\x05\x69\x73\x73\x75\x65\x6c\x65\x74\x73\x65\x6e\x63\x72"
	    "\x79\x70\x74\x2e\x6f\x72\x67",
	    "v.t.\t\t\t3600\tIN\tCAA\t0 issue \"letsencrypt.org\"" },
	{ 257, 13, "\x80\x03\x74\x62\x73\x07\x55\x6e\x6b\x6e\x6f\x77\x6e",
	    "v.t.\t\t\t3600\tIN\tCAA\t128 tbs \"\\007Unknown\"" },
	{ 257, 7, "\x00\x05\x69\x73\x73\x75\x65",
	    "v.t.\t\t\t3600\tIN\tCAA\t0 issue \"\"" },
	{ 257, 6, "\x00\x05\x61\x2d\x62\x73",
	    NULL },
	{ 257, 2, "\x00\x00",
	    NULL },
	{ 43, 24, "\xec\xc5\x05\x01\x2b\xb1\x83\xaf\x5f\x22\x58\x81\x79\xa5\x3b"
	    "\x0a\x98\x63\x1f\xad\x1a\x29\x21\x18",
	    "v.t.\t\t\t3600\tIN\tDS\t60613 5 1 2BB183AF5F22588179A53B0A98631F"
	    "AD1A292118" },
	{ 43, 36, "\x30\x39\x0d\x02\x01\x23\x45\x67\x89\xab\xcd\xef\x01\x23\x45"
	    "\x67\x89\xab\xcd\xef\x01\x23\x45\x67\x89\xab\xcd\xef\x01\x23"
	    "\x45\x67\x89\xab\xcd\xef",
	    "v.t.\t\t\t3600\tIN\tDS\t12345 13 2 0123456789ABCDEF0123456789ABC"
	    "DEF0123456789ABCDEF01234567 89ABCDEF" },
	{ 43, 5, "\x30\x39\x0d\x02\x01",
	    NULL },
	{ 43, 6, "\x30\x39\x0d\x01\x01\x23",
	    NULL },
	{ 43, 6, "\x30\x39\x0d\x05\x01\x23",
	    "v.t.\t\t\t3600\tIN\tDS\t12345 13 5 0123" },
	{ 43, 52, "\x30\x39\x0d\x04\x00\x01\x02\x03\x04\x05\x06\x07\x08\x09\x0a"
	    "\x0b\x0c\x0d\x0e\x0f\x10\x11\x12\x13\x14\x15\x16\x17\x18\x19"
	    "\x1a\x1b\x1c\x1d\x1e\x1f\x20\x21\x22\x23\x24\x25\x26\x27\x28"
	    "\x29\x2a\x2b\x2c\x2d\x2e\x2f",
	    "v.t.\t\t\t3600\tIN\tDS\t12345 13 4 000102030405060708090A0B0C0D0"
	    "E0F101112131415161718191A1B 1C1D1E1F202122232425262728292A2B2C2D"
	    "2E2F" },
	{ 59, 36, "\x30\x39\x0d\x02\x01\x23\x45\x67\x89\xab\xcd\xef\x01\x23\x45"
	    "\x67\x89\xab\xcd\xef\x01\x23\x45\x67\x89\xab\xcd\xef\x01\x23"
	    "\x45\x67\x89\xab\xcd\xef",
	    "v.t.\t\t\t3600\tIN\tCDS\t12345 13 2 0123456789ABCDEF0123456789AB"
	    "CDEF0123456789ABCDEF01234567 89ABCDEF" },
	{ 48, 8, "\x01\x01\x03\x0d\x34\x30\x6f\xff",
	    "v.t.\t\t\t3600\tIN\tDNSKEY\t257 3 13 NDBv/w==" },
	{ 48, 4, "\x01\x01\x03\x0d",
	    NULL },
	{ 48, 68, "\x01\x00\x03\x08\x00\x01\x02\x03\x04\x05\x06\x07\x08\x09\x0a"
	    "\x0b\x0c\x0d\x0e\x0f\x10\x11\x12\x13\x14\x15\x16\x17\x18\x19"
	    "\x1a\x1b\x1c\x1d\x1e\x1f\x20\x21\x22\x23\x24\x25\x26\x27\x28"
	    "\x29\x2a\x2b\x2c\x2d\x2e\x2f\x30\x31\x32\x33\x34\x35\x36\x37"
	    "\x38\x39\x3a\x3b\x3c\x3d\x3e\x3f",
	    "v.t.\t\t\t3600\tIN\tDNSKEY\t256 3 8 AAECAwQFBgcICQoLDA0ODxAREhMU"
	    "FRYXGBkaGxwdHh8gISIjJCUmJygp KissLS4vMDEyMzQ1Njc4OTo7PD0+Pw==" },
	{ 60, 8, "\x01\x01\x03\x0d\x34\x30\x6f\xff",
	    "v.t.\t\t\t3600\tIN\tCDNSKEY\t257 3 13 NDBv/w==" },
	{ 46, 37, "\x00\x01\x08\x02\x00\x00\x0e\x10\x6a\x6e\x1c\x4e\x6a\x6d\x0a"
	    "\x4e\x01\x62\x0c\x65\x78\x61\x6d\x70\x6c\x65\x04\x74\x65\x73"
	    "\x74\x00\x01\x02\x03\x04\x05",
	    "v.t.\t\t\t3600\tIN\tRRSIG\tA 8 2 3600 20260801161822 20260731204"
	    "918 354 example\\004test. AQIDBAU=" },
	{ 47, 15,
	    "\x04\x68\x6f\x73\x74\xc0\x0c\x00\x06\x40\x00\x00\x00\x00\x03",
	    "v.t.\t\t\t3600\tIN\tNSEC\thost.v.t. A RRSIG NSEC" },
	{ 47, 4, "\x00\x00\x01\x40",
	    "v.t.\t\t\t3600\tIN\tNSEC\t. A" },
	{ 47, 3, "\x00\x00\x00",
	    NULL },
	{ 47, 5, "\x00\x00\x02\x40\x00",
	    NULL },
	{ 47, 4, "\x00\x00\x01\x00",
	    NULL },
	{ 47, 6, "\x00\x00\x00\x00\x01\x40",
	    NULL },
	{ 47, 4, "\x00\x01\x01\x40",
	    "v.t.\t\t\t3600\tIN\tNSEC\t. CAA" },
	{ 47, 7, "\x00\x00\x01\x40\x00\x01\x40",
	    NULL },
	{ 47, 36, "\x00\x00\x21\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00"
	    "\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00"
	    "\x00\x00\x00\x00\x00\x01",
	    NULL },
	{ 47, 10, "\x00\x00\x01\x40\x01\x01\x40\xff\x01\x01",
	    "v.t.\t\t\t3600\tIN\tNSEC\t. A CAA TYPE65287" },
	{ 50, 6, "\x01\x00\x00\x05\x00\x00",
	    NULL },
	{ 51, 8, "\x01\x00\x00\x05\x03\xab\xcd\xef",
	    "v.t.\t\t\t3600\tIN\tNSEC3PARAM 1 0 5 ABCDEF" },
	{ 51, 5, "\x01\x00\x00\x00\x00",
	    "v.t.\t\t\t3600\tIN\tNSEC3PARAM 1 0 0 -" },
	{ 52, 35, "\x03\x01\x01\x01\x23\x45\x67\x89\xab\xcd\xef\x01\x23\x45\x67"
	    "\x89\xab\xcd\xef\x01\x23\x45\x67\x89\xab\xcd\xef\x01\x23\x45"
	    "\x67\x89\xab\xcd\xef",
	    "v.t.\t\t\t3600\tIN\tTLSA\t3 1 1 0123456789ABCDEF0123456789ABCDEF"
	    "0123456789ABCDEF01234567 89ABCDEF" },
	{ 52, 3, "\x03\x01\x01",
	    NULL },
	{ 52, 4, "\x00\x00\x00\x00",
	    "v.t.\t\t\t3600\tIN\tTLSA\t0 0 0 00" },
	{ 53, 11, "\x03\x01\x01\x01\x23\x45\x67\x89\xab\xcd\xef",
	    "v.t.\t\t\t3600\tIN\tSMIMEA\t3 1 1 0123456789ABCDEF" },
	{ 44, 22, "\x01\x01\xdd\x46\x5c\x09\xcf\xa5\x1f\xb4\x50\x20\xcc\x83\x31"
	    "\x6f\xff\x21\xb9\xec\x74\xac",
	    "v.t.\t\t\t3600\tIN\tSSHFP\t1 1 DD465C09CFA51FB45020CC83316FFF21B"
	    "9EC74AC" },
	{ 44, 34, "\x01\x02\x01\x23\x45\x67\x89\xab\xcd\xef\x01\x23\x45\x67\x89"
	    "\xab\xcd\xef\x01\x23\x45\x67\x89\xab\xcd\xef\x01\x23\x45\x67"
	    "\x89\xab\xcd\xef",
	    "v.t.\t\t\t3600\tIN\tSSHFP\t1 2 0123456789ABCDEF0123456789ABCDEF0"
	    "123456789ABCDEF01234567 89ABCDEF" },
	{ 44, 4, "\x01\x01\xdd\x46",
	    NULL },
	{ 44, 4, "\x03\x03\x01\x02",
	    "v.t.\t\t\t3600\tIN\tSSHFP\t3 3 0102" },
	{ 44, 2, "\x04\x03",
	    "v.t.\t\t\t3600\tIN\tSSHFP\t4 3" },
	{ 64, 51, "\x00\x01\x00\x00\x01\x00\x06\x02\x68\x32\x02\x68\x33\x00\x04"
	    "\x00\x08\xc0\x00\x02\x01\xc0\x00\x02\x02\x00\x06\x00\x10\x20"
	    "\x01\x0d\xb8\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x01"
	    "\x00\x03\x00\x02\x20\xfb",
	    NULL },
	{ 64, 8, "\x00\x00\x03\x77\x77\x77\xc0\x0c",
	    "v.t.\t\t\t3600\tIN\tSVCB\t0 www.v.t." },
	{ 64, 28, "\x00\x02\x00\x00\x00\x00\x04\x00\x01\x00\x03\x00\x01\x00\x03"
	    "\x02\x68\x32\x00\x02\x00\x00\x00\x03\x00\x02\x01\xbb",
	    "v.t.\t\t\t3600\tIN\tSVCB\t2 . mandatory=alpn,port alpn=\"h2\" no"
	    "-default-alpn port=443" },
	{ 64, 14, "\x00\x03\x00\xfd\xe8\x00\x03\x66\x6f\x6f\xfd\xe9\x00\x00",
	    "v.t.\t\t\t3600\tIN\tSVCB\t3 . key65000=\"foo\" key65001" },
	{ 64, 11, "\x00\x01\x00\x00\x01\x00\x04\x03\x61\x2c\x62",
	    "v.t.\t\t\t3600\tIN\tSVCB\t1 . alpn=\"a\\\\,b\"" },
	{ 64, 10, "\x00\x01\x00\x00\x01\x00\x03\x02\x5c\x22",
	    "v.t.\t\t\t3600\tIN\tSVCB\t1 . alpn=\"\\\\\\\\\\\"\"" },
	{ 64, 10, "\x00\x01\x00\x00\x01\x00\x03\x02\x20\x09",
	    "v.t.\t\t\t3600\tIN\tSVCB\t1 . alpn=\"\\032\\009\"" },
	{ 64, 11, "\x00\x01\x00\xfd\xe8\x00\x04\x22\x5c\x20\x41",
	    "v.t.\t\t\t3600\tIN\tSVCB\t1 . key65000=\"\\\"\\\\ A\"" },
	{ 64, 10, "\x00\x01\x00\x00\x05\x00\x03\x01\x02\x03",
	    "v.t.\t\t\t3600\tIN\tSVCB\t1 . ech=AQID" },
	{ 64, 7, "\x00\x01\x00\x00\x05\x00\x00",
	    "v.t.\t\t\t3600\tIN\tSVCB\t1 . ech" },
	{ 64, 15,
	    "\x00\x01\x00\x00\x07\x00\x08\x2f\x71\x7b\x3f\x64\x6e\x73\x7d",
	    "v.t.\t\t\t3600\tIN\tSVCB\t1 . key7=\"/q{?dns}\"" },
	{ 64, 9, "\x00\x01\x00\x00\x07\x00\x02\x2f\x71",
	    NULL },
	{ 64, 7, "\x00\x01\x00\x00\x04\x00\x00",
	    NULL },
	{ 64, 8, "\x00\x01\x00\x00\x01\x00\x01\x00",
	    NULL },
	{ 64, 7, "\x00\x01\x00\x00\x02\x00\x00",
	    NULL },
	{ 64, 9, "\x00\x01\x00\x00\x00\x00\x02\x00\x03",
	    NULL },
	{ 64, 24, "\x00\x01\x00\x00\x00\x00\x04\x00\x03\x00\x01\x00\x01\x00\x03"
	    "\x02\x68\x32\x00\x03\x00\x02\x00\x35",
	    NULL },
	{ 64, 16, "\x00\x01\x00\x00\x03\x00\x02\x01\xbb\x00\x01\x00\x03\x02\x68"
	    "\x32",
	    NULL },
	{ 64, 10, "\x00\x01\x00\x00\x03\x00\x03\x00\x00\x00",
	    NULL },
	{ 64, 11, "\x00\x01\x00\x00\x06\x00\x04\x01\x02\x03\x04",
	    NULL },
	{ 64, 8, "\x00\x01\x00\xff\xff\x00\x01\x41",
	    "v.t.\t\t\t3600\tIN\tSVCB\t1 . key65535=\"A\"" },
	{ 65, 21, "\x00\x01\x00\x00\x01\x00\x06\x02\x68\x33\x02\x68\x32\x00\x04"
	    "\x00\x04\xc0\x00\x02\x0a",
	    "v.t.\t\t\t3600\tIN\tHTTPS\t1 . alpn=\"h3,h2\" ipv4hint=192.0.2.1"
	    "0" },
	{ 65, 3, "\x00\x01\x00",
	    "v.t.\t\t\t3600\tIN\tHTTPS\t1 ." },
	{ 29, 16, "\x00\x33\x16\x13\x8b\x1a\xe8\xf8\x80\x97\x07\xa0\x00\x98\x94"
	    "\x88",
	    "v.t.\t\t\t3600\tIN\tLOC\t51 45 12.952 N 2 44 57.888 E -5.04m 30m"
	    " 10000m 10m" },
	{ 29, 16, "\x00\x22\x16\x13\x8b\x1a\xe8\xf8\x80\x97\x07\xa0\x00\x98\x94"
	    "\x88",
	    "v.t.\t\t\t3600\tIN\tLOC\t51 45 12.952 N 2 44 57.888 E -5.04m 2m "
	    "10000m 10m" },
	{ 29, 16, "\x00\x12\x16\x13\x8b\x1a\xe8\xf8\x80\x97\x07\xa0\x00\x98\x94"
	    "\x88",
	    "v.t.\t\t\t3600\tIN\tLOC\t51 45 12.952 N 2 44 57.888 E -5.04m 1m "
	    "10000m 10m" },
	{ 29, 16, "\x00\xa0\x16\x13\x8b\x1a\xe8\xf8\x80\x97\x07\xa0\x00\x98\x94"
	    "\x88",
	    NULL },
	{ 29, 16, "\x00\x33\x16\x13\xff\xff\xff\xff\x80\x97\x07\xa0\x00\x98\x94"
	    "\x88",
	    NULL },
	{ 29, 16, "\x00\x33\x16\x13\x74\xe5\x17\x0c\x7b\xfa\x9d\x28\x00\x98\x8c"
	    "\x18",
	    "v.t.\t\t\t3600\tIN\tLOC\t51 45 12.948 S 18 44 21.848 W -26.64m 3"
	    "0m 10000m 10m" },
	{ 29, 16, "\x01\x33\x16\x13\x8b\x1a\xe8\xf8\x80\x97\x07\xa0\x00\x98\x94"
	    "\x88",
	    "v.t.\t\t\t3600\tIN\tLOC\t\\# 16 013"
	    "316138B1AE8F8809707A000989488" },
	{ 29, 12, "\x00\x33\x16\x13\x8b\x1a\xe8\xf8\x80\x97\x07\xa0",
	    NULL },
	{ 256, 34,
	    "\x00\x0a\x00\x01\x66\x74\x70\x3a\x2f\x2f\x66\x74\x70\x31\x2e"
	    "\x65\x78\x61\x6d\x70\x6c\x65\x2e\x74\x65\x73\x74\x2f\x70\x75"
	    "\x62\x6c\x69\x63",
	    "v.t.\t\t\t3600\tIN\tURI\t10 1 \"ftp"
	    "://ftp1.example.test/public\"" },
	{ 256, 4, "\x00\x0a\x00\x01",
	    "v.t.\t\t\t3600\tIN\tURI\t10 1 \"\"" },
	{ 256, 8, "\x00\x0a\x00\x01\x22\x20\x5c\x41",
	    "v.t.\t\t\t3600\tIN\tURI\t10 1 \"\\\" \\\\A\"" },
	{ 108, 6, "\x00\x00\x5e\x00\x53\x2a",
	    "v.t.\t\t\t3600\tIN\tEUI48\t00-00-5e-00-53-2a" },
	{ 109, 8, "\x00\x00\x5e\xef\x10\x00\x00\x2a",
	    "v.t.\t\t\t3600\tIN\tEUI64\t00-00-5e-ef-10-00-00-2a" },
	{ 108, 5, "\x00\x00\x5e\x00\x53",
	    NULL },
	{ 61, 3, "\x01\x02\x03",
	    "v.t.\t\t\t3600\tIN\tOPENPGPKEY AQID" },
	{ 61, 0, "",
	    NULL },
	{ 63, 54, "\x78\x43\xd5\xec\x01\x01\xfe\xbe\x3d\x4c\xe2\xec\x2f\xfa\x4b"
	    "\xa9\x9d\x46\xcd\x69\xd6\xd2\x97\x11\xe5\x52\x17\x05\x7b\xee"
	    "\x7e\xb1\xa7\xb6\x41\xa4\x7b\xa7\xfe\xd2\xdd\x5b\x97\xae\x49"
	    "\x9f\xaf\xa4\xf2\x2c\x6b\xd6\x47\xde",
	    "v.t.\t\t\t3600\tIN\tZONEMD\t2017711596 1 1 FEBE3D4CE2EC2FFA4BA99"
	    "D46CD69D6D29711E55217057BEE7EB1A7B6 41A47BA7FED2DD5B97AE499FAFA4"
	    "F22C6BD647DE" },
	{ 62, 14, "\x00\x00\x00\x42\x00\x03\x00\x01\x62\x00\x03\x00\x00\x08",
	    NULL },
	{ 105, 6, "\x00\x0a\x0a\x01\x02\x00",
	    "v.t.\t\t\t3600\tIN\tL32\t10 10.1.2.0" },
	{ 17, 13, "\x04\x6d\x62\x6f\x78\xc0\x0c\x03\x74\x78\x74\xc0\x0c",
	    "v.t.\t\t\t3600\tIN\tRP\tmbox.v.t. txt.v.t." },
	{ 18, 8, "\x00\x01\x03\x61\x66\x73\xc0\x0c",
	    "v.t.\t\t\t3600\tIN\tAFSDB\t1 afs.v.t." },
	{ 37, 8, "\x00\x01\x12\x34\x08\x41\x42\x43",
	    "v.t.\t\t\t3600\tIN\tCERT\tPKIX 4660 RSASHA256 QUJD" },
	{ 37, 8, "\x00\xfd\x12\x34\x0d\x41\x42\x43",
	    "v.t.\t\t\t3600\tIN\tCERT\tURI 4660 ECDSAP256SHA256 QUJD" },
	{ 37, 8, "\x00\x09\x12\x34\xfe\x41\x42\x43",
	    "v.t.\t\t\t3600\tIN\tCERT\t9 4660 PRIVATEOID QUJD" },
	{ 37, 5, "\x00\x01\x12\x34\x08",
	    NULL },
	{ 42, 7, "\x00\x01\x18\x03\xc0\x00\x02",
	    "v.t.\t\t\t3600\tIN\tAPL\t1:192.0.2.0/24" },
	{ 42, 8, "\x00\x01\x18\x04\xc0\x00\x02\x00",
	    NULL },
	{ 42, 7, "\x00\x03\x18\x03\xc0\x00\x02",
	    "v.t.\t\t\t3600\tIN\tAPL\t\\# 7 00031803C00002" },
	{ 42, 7, "\x00\x01\x21\x03\xc0\x00\x02",
	    NULL },
	{ 42, 8, "\x00\x02\x00\x00\x00\x01\x00\x00",
	    "v.t.\t\t\t3600\tIN\tAPL\t2:::/0 1:0.0.0.0/0" },
	{ 42, 7, "\x00\x01\x18\x83\xc0\x00\x02",
	    "v.t.\t\t\t3600\tIN\tAPL\t!1:192.0.2.0/24" },
	{ 42, 0, "",
	    "v.t.\t\t\t3600\tIN\tAPL\t" },
	{ 45, 6, "\x0a\x00\x02\x41\x42\x43",
	    "v.t.\t\t\t3600\tIN\tIPSECKEY 10 0 2 . QUJD" },
	{ 45, 11, "\x0a\x03\x02\x03\x66\x6f\x6f\x00\x41\x42\x43",
	    "v.t.\t\t\t3600\tIN\tIPSECKEY 10 3 2 foo. QUJD" },
	{ 45, 20, "\x0a\x02\x00\x20\x01\x0d\xb8\x00\x00\x00\x00\x00\x00\x00\x00"
	    "\x00\x00\x00\x01\x41",
	    "v.t.\t\t\t3600\tIN\tIPSECKEY 10 2 0 2001:db8::1 QQ==" },
	{ 45, 3, "\x0a\x00\x00",
	    NULL },
	{ 45, 4, "\x0a\x04\x02\x41",
	    NULL },
	{ 65400, 4, "\x0a\x00\x00\x01",
	    "v.t.\t\t\t3600\tIN\tTYPE65400 \\# 4 0A000001" },
	{ 65400, 0, "",
	    "v.t.\t\t\t3600\tIN\tTYPE65400 \\# 0" },
	{ 65400, 40,
	    "\x00\x11\x22\x33\x44\x55\x66\x77\x88\x99\xaa\xbb\xcc\xdd\xee"
	    "\xff\x00\x11\x22\x33\x44\x55\x66\x77\x88\x99\xaa\xbb\xcc\xdd"
	    "\xee\xff\x00\x11\x22\x33\x44\x55\x66\x77",
	    "v.t.\t\t\t3600\tIN\tTYPE65400 \\# 40 00112233445566778899AABBCCD"
	    "DEEFF00112233445566778899AABB CCDDEEFF0011223344556677" },
	{ 10, 2, "\xab\xcd",
	    "v.t.\t\t\t3600\tIN\tNULL\t\\# 2 ABCD" },
	{ 250, 1, "\x00",
	    "v.t.\t\t\t3600\tIN\tTSIG\t\\# 1 00" },
	{ 14, 2, "\x00\x00",
	    "v.t.\t\t\t3600\tIN\tMINFO\t. ." },
	{ 19, 2, "\x01\x31",
	    NULL },
	{ 32768, 24,
	    "\x30\x39\x0d\x01\x2b\xb1\x83\xaf\x5f\x22\x58\x81\x79\xa5\x3b"
	    "\x0a\x98\x63\x1f\xad\x1a\x29\x21\x18",
	    "v.t.\t\t\t3600\tIN\tTA\t12345 13 1 2BB183AF5F22588179A53B0A98631"
	    "FAD1A292118" },
	{ 258, 2, "\x01\x61",
	    "v.t.\t\t\t3600\tIN\tAVC\t\"a\"" },
	{ 262, 2, "\x01\x61",
	    "v.t.\t\t\t3600\tIN\tWALLET\t\"a\"" },
	{ 49, 2, "\x01\x02",
	    "v.t.\t\t\t3600\tIN\tDHCID\tAQI=" },
	{ 46, 27, "\x00\x32\x0d\x03\x00\x00\x01\x2c\x6a\x6e\x1c\x4e\x6a\x6d\x0a"
	    "\x4e\x7b\xbd\x02\x6e\x33\x04\x74\x65\x73\x74\x00",
	    NULL },
	{ 63, 17, "\x78\x43\xd5\xec\x01\x01\x01\x02\x03\x04\x05\x06\x07\x08\x09"
	    "\x0a\x0b",
	    NULL },
	{ 63, 18, "\x78\x43\xd5\xec\x01\x01\x01\x02\x03\x04\x05\x06\x07\x08\x09"
	    "\x0a\x0b\x0c",
	    NULL },
	{ 63, 8, "\x78\x43\xd5\xec\x01\x05\x01\x02",
	    NULL },
	{ 63, 6, "\x78\x43\xd5\xec\x01\x01",
	    NULL },
	{ 19, 5, "\x04\x31\x32\x33\x34",
	    "v.t.\t\t\t3600\tIN\tX25\t\"1234\"" },
	{ 19, 4, "\x04\x31\x32\x33",
	    NULL },
	{ 19, 5, "\x04\x31\x32\x33\x61",
	    NULL },
	{ 20, 5, "\x04\x31\x32\x33\x34",
	    "v.t.\t\t\t3600\tIN\tISDN\t\"1234\"" },
	{ 20, 8, "\x04\x31\x32\x33\x34\x02\x35\x36",
	    "v.t.\t\t\t3600\tIN\tISDN\t\"1234\" \"56\"" },
	{ 49, 0, "",
	    NULL },
	{ 63, 18, "\x78\x43\xd5\xec\x01\x05\x01\x02\x03\x04\x05\x06\x07\x08\x09"
	    "\x0a\x0b\x0c",
	    "v.t.\t\t\t3600\tIN\tZONEMD\t2017711596 1 5 0102030405060708090A0"
	    "B0C" },
	{ 63, 70, "\x78\x43\xd5\xec\x01\x02\x00\x01\x02\x03\x04\x05\x06\x07\x08"
	    "\x09\x0a\x0b\x0c\x0d\x0e\x0f\x10\x11\x12\x13\x14\x15\x16\x17"
	    "\x18\x19\x1a\x1b\x1c\x1d\x1e\x1f\x20\x21\x22\x23\x24\x25\x26"
	    "\x27\x28\x29\x2a\x2b\x2c\x2d\x2e\x2f\x30\x31\x32\x33\x34\x35"
	    "\x36\x37\x38\x39\x3a\x3b\x3c\x3d\x3e\x3f",
	    "v.t.\t\t\t3600\tIN\tZONEMD\t2017711596 1 2 000102030405060708090"
	    "A0B0C0D0E0F101112131415161718191A1B 1C1D1E1F20212223242526272829"
	    "2A2B2C2D2E2F3031323334353637 38393A3B3C3D3E3F" },
	{ 5, 5, "\x03\x61\x2e\x62\x00",
	    "v.t.\t\t\t3600\tIN\tCNAME\ta\\.b." },
	{ 5, 5, "\x01\x40\x01\x24\x00",
	    "v.t.\t\t\t3600\tIN\tCNAME\t\\@.\\$." },
	{ 5, 7, "\x05\x20\x22\x28\x29\x3b\x00",
	    "v.t.\t\t\t3600\tIN\tCNAME\t\\032\\\"\\(\\)\\;." },
	{ 5, 5, "\x03\x5c\x7f\x41\x00",
	    "v.t.\t\t\t3600\tIN\tCNAME\t\\\\\\127A." },
	{ 5, 2, "\xc0\x0c",
	    "v.t.\t\t\t3600\tIN\tCNAME\tv.t." },
};

/*
 * The answer of a real nsd 4.6 to "nonexist.n3.test A" with DO and
 * NSID: NSEC3, RRSIG and SOA in the authority section, OPT with NSID.
 */
static const uint8_t real_nsec3[] = {
	0x12, 0x34, 0x84, 0x03, 0x00, 0x01, 0x00, 0x00, 0x00, 0x08, 0x00, 0x01,
	0x08, 0x6e, 0x6f, 0x6e, 0x65, 0x78, 0x69, 0x73, 0x74, 0x02, 0x6e, 0x33,
	0x04, 0x74, 0x65, 0x73, 0x74, 0x00, 0x00, 0x01, 0x00, 0x01, 0x20, 0x30,
	0x6e, 0x71, 0x64, 0x65, 0x76, 0x75, 0x74, 0x72, 0x35, 0x75, 0x30, 0x64,
	0x32, 0x70, 0x6b, 0x33, 0x72, 0x37, 0x38, 0x6c, 0x61, 0x6f, 0x71, 0x72,
	0x76, 0x71, 0x63, 0x71, 0x76, 0x62, 0x75, 0xc0, 0x15, 0x00, 0x32, 0x00,
	0x01, 0x00, 0x00, 0x01, 0x2c, 0x00, 0x25, 0x01, 0x00, 0x00, 0x05, 0x03,
	0xab, 0xcd, 0xef, 0x14, 0x0c, 0x63, 0xfa, 0x1e, 0x0e, 0x79, 0x8d, 0xe1,
	0x6d, 0x6f, 0x83, 0xde, 0xeb, 0xe1, 0x60, 0xb5, 0x8d, 0x17, 0x1d, 0x12,
	0x00, 0x06, 0x00, 0x00, 0x00, 0x04, 0x00, 0x02, 0xc0, 0x22, 0x00, 0x2e,
	0x00, 0x01, 0x00, 0x00, 0x01, 0x2c, 0x00, 0x5b, 0x00, 0x32, 0x0d, 0x03,
	0x00, 0x00, 0x01, 0x2c, 0x6b, 0x2f, 0xd1, 0x9e, 0x6b, 0x0a, 0xe7, 0x9e,
	0x7b, 0xad, 0x02, 0x6e, 0x33, 0x04, 0x74, 0x65, 0x73, 0x74, 0x00, 0x30,
	0x33, 0x1b, 0xdf, 0xda, 0xfd, 0xe0, 0x73, 0x41, 0x0a, 0x33, 0x7b, 0x17,
	0xc8, 0x1b, 0x06, 0x82, 0x3f, 0x1b, 0x4d, 0xe0, 0x35, 0xd8, 0xbe, 0x63,
	0x3c, 0x9d, 0x5e, 0xe7, 0xcf, 0xe6, 0x6e, 0x99, 0x13, 0x74, 0x88, 0x66,
	0xbe, 0xbf, 0xa5, 0x05, 0x89, 0x4c, 0xdc, 0xf4, 0x4b, 0xcd, 0x21, 0xac,
	0x43, 0xca, 0xd0, 0xca, 0x44, 0x01, 0x77, 0x8c, 0xdc, 0xef, 0x7f, 0xd3,
	0xb4, 0x13, 0x63, 0x20, 0x71, 0x6d, 0x69, 0x38, 0x63, 0x39, 0x67, 0x33,
	0x73, 0x70, 0x39, 0x72, 0x62, 0x6e, 0x37, 0x6c, 0x63, 0x6a, 0x74, 0x39,
	0x67, 0x6b, 0x76, 0x70, 0x35, 0x33, 0x76, 0x65, 0x35, 0x6c, 0x71, 0x66,
	0xc0, 0x15, 0x00, 0x32, 0x00, 0x01, 0x00, 0x00, 0x01, 0x2c, 0x00, 0x29,
	0x01, 0x00, 0x00, 0x05, 0x03, 0xab, 0xcd, 0xef, 0x14, 0xe4, 0x0c, 0xcd,
	0xa5, 0x8b, 0x99, 0x52, 0x23, 0x85, 0x99, 0xaf, 0x57, 0xca, 0x9c, 0x78,
	0x81, 0xbe, 0x4f, 0xb5, 0xa9, 0x00, 0x07, 0x22, 0x01, 0x80, 0x00, 0x00,
	0x02, 0x90, 0x01, 0x01, 0x40, 0xc0, 0xdb, 0x00, 0x2e, 0x00, 0x01, 0x00,
	0x00, 0x01, 0x2c, 0x00, 0x5b, 0x00, 0x32, 0x0d, 0x03, 0x00, 0x00, 0x01,
	0x2c, 0x6b, 0x2f, 0xd1, 0x9e, 0x6b, 0x0a, 0xe7, 0x9e, 0x7b, 0xad, 0x02,
	0x6e, 0x33, 0x04, 0x74, 0x65, 0x73, 0x74, 0x00, 0x6c, 0x49, 0x66, 0xa3,
	0x14, 0xa4, 0xed, 0x70, 0xdf, 0x46, 0x38, 0xb2, 0x0c, 0xff, 0x83, 0xa5,
	0x61, 0x79, 0x27, 0x52, 0x2f, 0x55, 0x8b, 0x8c, 0x6f, 0x98, 0x04, 0xdf,
	0xfc, 0x67, 0x68, 0x16, 0xea, 0xd2, 0x4a, 0x3d, 0x16, 0xd1, 0x72, 0x0d,
	0x82, 0x47, 0x9d, 0xfb, 0x89, 0xb1, 0x55, 0x8d, 0x27, 0xa7, 0xd0, 0xea,
	0xde, 0x2f, 0x15, 0x9e, 0x81, 0x53, 0x5e, 0x85, 0x94, 0x14, 0x63, 0x34,
	0x20, 0x68, 0x39, 0x6e, 0x64, 0x36, 0x34, 0x71, 0x75, 0x6d, 0x71, 0x76,
	0x33, 0x69, 0x35, 0x75, 0x35, 0x70, 0x68, 0x62, 0x34, 0x66, 0x68, 0x63,
	0x6b, 0x6a, 0x6b, 0x6f, 0x66, 0x6b, 0x35, 0x65, 0x6e, 0xc0, 0x15, 0x00,
	0x32, 0x00, 0x01, 0x00, 0x00, 0x01, 0x2c, 0x00, 0x25, 0x01, 0x00, 0x00,
	0x05, 0x03, 0xab, 0xcd, 0xef, 0x14, 0x9c, 0x5a, 0x19, 0xd5, 0x00, 0x61,
	0xe7, 0x18, 0xe8, 0x80, 0x66, 0xff, 0x06, 0x7b, 0x55, 0xd2, 0x01, 0xb9,
	0x14, 0x41, 0x00, 0x06, 0x00, 0x00, 0x00, 0x04, 0x00, 0x02, 0xc1, 0x98,
	0x00, 0x2e, 0x00, 0x01, 0x00, 0x00, 0x01, 0x2c, 0x00, 0x5b, 0x00, 0x32,
	0x0d, 0x03, 0x00, 0x00, 0x01, 0x2c, 0x6b, 0x2f, 0xd1, 0x9e, 0x6b, 0x0a,
	0xe7, 0x9e, 0x7b, 0xad, 0x02, 0x6e, 0x33, 0x04, 0x74, 0x65, 0x73, 0x74,
	0x00, 0x42, 0x72, 0xfe, 0xe0, 0x88, 0x85, 0x98, 0xf5, 0xfa, 0x33, 0x45,
	0x47, 0x03, 0x28, 0x09, 0x0e, 0xe5, 0x67, 0x4c, 0x49, 0xa6, 0x81, 0x6b,
	0x17, 0xb6, 0xcc, 0x83, 0xf0, 0xc8, 0x81, 0xb7, 0xfc, 0xed, 0x21, 0xbd,
	0xc7, 0x21, 0x72, 0xd4, 0xb4, 0xfb, 0x74, 0x35, 0xe3, 0x50, 0x0b, 0x36,
	0xf4, 0xc7, 0x07, 0xca, 0x4a, 0xd9, 0x68, 0x68, 0x6e, 0xe1, 0xba, 0x07,
	0x20, 0xd8, 0xd9, 0x00, 0x8a, 0xc0, 0x15, 0x00, 0x06, 0x00, 0x01, 0x00,
	0x00, 0x01, 0x2c, 0x00, 0x27, 0x03, 0x6e, 0x73, 0x31, 0xc0, 0x15, 0x0a,
	0x68, 0x6f, 0x73, 0x74, 0x6d, 0x61, 0x73, 0x74, 0x65, 0x72, 0xc0, 0x15,
	0x78, 0xa3, 0xf1, 0x75, 0x00, 0x00, 0x1c, 0x20, 0x00, 0x00, 0x0e, 0x10,
	0x00, 0x12, 0x75, 0x00, 0x00, 0x00, 0x01, 0x2c, 0xc0, 0x15, 0x00, 0x2e,
	0x00, 0x01, 0x00, 0x00, 0x01, 0x2c, 0x00, 0x5b, 0x00, 0x06, 0x0d, 0x02,
	0x00, 0x00, 0x0e, 0x10, 0x6b, 0x2f, 0xd1, 0x9e, 0x6b, 0x0a, 0xe7, 0x9e,
	0x7b, 0xad, 0x02, 0x6e, 0x33, 0x04, 0x74, 0x65, 0x73, 0x74, 0x00, 0x07,
	0x22, 0xb4, 0x47, 0x0e, 0x06, 0x4f, 0x5f, 0xff, 0x8b, 0xd5, 0x84, 0x4e,
	0xad, 0x43, 0xa8, 0xbc, 0xbb, 0xff, 0x50, 0xc8, 0xab, 0x0c, 0x95, 0x81,
	0x50, 0xc8, 0xfd, 0x9e, 0xe2, 0xd6, 0xde, 0x61, 0xad, 0x80, 0xd7, 0x57,
	0x05, 0xe3, 0x13, 0x6e, 0x3b, 0x4e, 0x6c, 0x90, 0x2c, 0xc6, 0x29, 0x40,
	0x83, 0x4a, 0xf2, 0xba, 0x10, 0xf6, 0x9e, 0x33, 0xea, 0xdd, 0xad, 0xf4,
	0x6f, 0x8a, 0xd6, 0x00, 0x00, 0x29, 0x04, 0xd0, 0x00, 0x00, 0x80, 0x00,
	0x00, 0x0c, 0x00, 0x03, 0x00, 0x08, 0x6e, 0x73, 0x31, 0x2e, 0x6d, 0x6b,
	0x69, 0x74,
};

static const uint8_t real_svcb[] = {
	0x12, 0x34, 0x84, 0x00, 0x00, 0x01, 0x00, 0x03, 0x00, 0x03, 0x00, 0x05,
	0x03, 0x73, 0x76, 0x63, 0x07, 0x65, 0x78, 0x61, 0x6d, 0x70, 0x6c, 0x65,
	0x04, 0x74, 0x65, 0x73, 0x74, 0x00, 0x00, 0x40, 0x00, 0x01, 0xc0, 0x0c,
	0x00, 0x40, 0x00, 0x01, 0x00, 0x00, 0x0e, 0x10, 0x00, 0x14, 0x00, 0x00,
	0x03, 0x77, 0x77, 0x77, 0x07, 0x65, 0x78, 0x61, 0x6d, 0x70, 0x6c, 0x65,
	0x04, 0x74, 0x65, 0x73, 0x74, 0x00, 0xc0, 0x0c, 0x00, 0x40, 0x00, 0x01,
	0x00, 0x00, 0x0e, 0x10, 0x00, 0x33, 0x00, 0x01, 0x00, 0x00, 0x01, 0x00,
	0x06, 0x02, 0x68, 0x32, 0x02, 0x68, 0x33, 0x00, 0x03, 0x00, 0x02, 0x20,
	0xfb, 0x00, 0x04, 0x00, 0x08, 0xc0, 0x00, 0x02, 0x01, 0xc0, 0x00, 0x02,
	0x02, 0x00, 0x06, 0x00, 0x10, 0x20, 0x01, 0x0d, 0xb8, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0xc0, 0x0c, 0x00,
	0x2e, 0x00, 0x01, 0x00, 0x00, 0x0e, 0x10, 0x01, 0x20, 0x00, 0x40, 0x08,
	0x03, 0x00, 0x00, 0x0e, 0x10, 0x6b, 0x2f, 0xd1, 0x9e, 0x6b, 0x0a, 0xe7,
	0x9e, 0x01, 0x62, 0x07, 0x65, 0x78, 0x61, 0x6d, 0x70, 0x6c, 0x65, 0x04,
	0x74, 0x65, 0x73, 0x74, 0x00, 0x12, 0x53, 0x24, 0x56, 0x7f, 0xad, 0xe9,
	0xa5, 0x9b, 0xa7, 0xc3, 0x5f, 0x0b, 0xc8, 0x51, 0x07, 0xe9, 0x9a, 0x27,
	0xb7, 0x93, 0x0d, 0x80, 0xf0, 0x8b, 0x16, 0xe3, 0xe5, 0x39, 0x86, 0x04,
	0xf3, 0xbd, 0xc2, 0x6c, 0x72, 0x0c, 0x25, 0x41, 0x6e, 0x2a, 0x08, 0xb5,
	0x4a, 0x5c, 0x8f, 0xe4, 0xc6, 0x65, 0x47, 0xa7, 0xee, 0xd3, 0x5d, 0x15,
	0x0e, 0xa0, 0x8a, 0x76, 0x28, 0x29, 0xd7, 0x51, 0x77, 0x09, 0xad, 0x2b,
	0x54, 0x15, 0x40, 0x5e, 0x0a, 0x82, 0x6d, 0x84, 0xc8, 0x2f, 0xac, 0x85,
	0xf8, 0x2b, 0x1a, 0xc9, 0xc8, 0x54, 0xed, 0xbe, 0x53, 0xe7, 0x34, 0x19,
	0xd6, 0xe9, 0xc7, 0x27, 0x63, 0x71, 0x10, 0x64, 0x6e, 0xc8, 0xd2, 0xae,
	0xee, 0x25, 0x68, 0x73, 0xd2, 0x7a, 0xad, 0xb8, 0xe5, 0x6f, 0x0f, 0x49,
	0xbb, 0x16, 0x4b, 0x73, 0xe3, 0xd6, 0xa4, 0xbc, 0x48, 0x19, 0xeb, 0x4a,
	0x5f, 0x12, 0x2c, 0x7e, 0x13, 0xcb, 0xfe, 0xef, 0x7a, 0x74, 0x1f, 0x6c,
	0xa6, 0xf7, 0xf2, 0x68, 0x03, 0xec, 0x17, 0x3a, 0x7f, 0x44, 0x54, 0xb5,
	0x8f, 0x96, 0x29, 0xd2, 0xb6, 0x32, 0x8e, 0x26, 0xe3, 0x64, 0xfd, 0x40,
	0x9e, 0x86, 0x52, 0x57, 0xd5, 0x88, 0x2a, 0xdd, 0xbf, 0xa6, 0x5a, 0xb6,
	0x7c, 0x5e, 0x19, 0x16, 0x4a, 0xb2, 0x5a, 0x8f, 0x0f, 0x16, 0x73, 0x48,
	0xcb, 0x99, 0xfb, 0x9d, 0x85, 0xec, 0xfe, 0x93, 0xa1, 0x1a, 0x84, 0xfe,
	0xc5, 0x42, 0x1e, 0x9d, 0x09, 0xb1, 0x29, 0xfd, 0x5f, 0xc9, 0x42, 0x38,
	0xd3, 0x19, 0x1a, 0x3f, 0x17, 0x03, 0xdb, 0x0a, 0x5d, 0xac, 0xd6, 0xed,
	0xf6, 0xe5, 0x32, 0x65, 0xfc, 0x1b, 0xb0, 0xd8, 0xf1, 0x1b, 0x0d, 0x71,
	0xf9, 0xf8, 0x58, 0xad, 0x06, 0xd0, 0xc4, 0xdc, 0x54, 0xae, 0xb1, 0x69,
	0x64, 0x0d, 0x73, 0xe7, 0x3d, 0x6f, 0x13, 0x71, 0xf8, 0xc0, 0x10, 0x00,
	0x02, 0x00, 0x01, 0x00, 0x00, 0x0e, 0x10, 0x00, 0x06, 0x03, 0x6e, 0x73,
	0x31, 0xc0, 0x10, 0xc0, 0x10, 0x00, 0x02, 0x00, 0x01, 0x00, 0x00, 0x0e,
	0x10, 0x00, 0x0c, 0x03, 0x6e, 0x73, 0x32, 0x05, 0x6f, 0x74, 0x68, 0x65,
	0x72, 0xc0, 0x18, 0xc0, 0x10, 0x00, 0x2e, 0x00, 0x01, 0x00, 0x00, 0x0e,
	0x10, 0x01, 0x20, 0x00, 0x02, 0x08, 0x02, 0x00, 0x00, 0x0e, 0x10, 0x6b,
	0x2f, 0xd1, 0x9e, 0x6b, 0x0a, 0xe7, 0x9e, 0x01, 0x62, 0x07, 0x65, 0x78,
	0x61, 0x6d, 0x70, 0x6c, 0x65, 0x04, 0x74, 0x65, 0x73, 0x74, 0x00, 0x26,
	0x59, 0x48, 0x27, 0xd7, 0x23, 0x82, 0x45, 0x5b, 0x0e, 0xc3, 0x01, 0x55,
	0x1a, 0x9b, 0xad, 0x1e, 0x37, 0x00, 0x84, 0x2c, 0x4b, 0xed, 0xb4, 0xfc,
	0x80, 0xda, 0x6a, 0x07, 0xb8, 0x11, 0x24, 0x08, 0xd6, 0xef, 0xaf, 0xb6,
	0x9d, 0xaf, 0x5b, 0x1a, 0x77, 0x9d, 0x0e, 0x1b, 0xf9, 0xad, 0x74, 0x06,
	0x56, 0x68, 0x25, 0x7f, 0x40, 0x98, 0xca, 0xe7, 0x50, 0x9b, 0x61, 0xbf,
	0x12, 0x54, 0xf4, 0x74, 0x74, 0x04, 0x62, 0x31, 0x66, 0x2b, 0xf6, 0x94,
	0x84, 0x34, 0xf2, 0x79, 0xe3, 0xd4, 0x87, 0xb9, 0xca, 0xdd, 0x37, 0xa1,
	0xba, 0x8f, 0xeb, 0xf9, 0x07, 0xfa, 0xd9, 0xdf, 0x04, 0x99, 0x0f, 0x29,
	0x44, 0xd3, 0xa3, 0x0f, 0xbb, 0x5c, 0x37, 0x7c, 0xba, 0x02, 0x92, 0x34,
	0x2a, 0x05, 0xe0, 0x07, 0xca, 0xab, 0x11, 0xfb, 0xd0, 0x28, 0x16, 0x8f,
	0xdb, 0x60, 0xb3, 0x9e, 0xe4, 0x0d, 0x68, 0xf1, 0x71, 0xef, 0xa0, 0xd0,
	0x7a, 0xe1, 0xc3, 0xa1, 0x98, 0x19, 0xeb, 0xbc, 0xdd, 0x18, 0x7f, 0xfe,
	0x2b, 0x40, 0xa9, 0x6d, 0x45, 0xd9, 0x4c, 0xb3, 0x73, 0x8b, 0x9b, 0xdb,
	0xb2, 0x2b, 0x1b, 0xa1, 0x33, 0xf1, 0xae, 0x16, 0x83, 0xc6, 0x7c, 0xd1,
	0x4b, 0xcc, 0x09, 0x92, 0xa1, 0x6b, 0xf5, 0x19, 0xc3, 0xac, 0x7c, 0xa6,
	0x4f, 0x81, 0x63, 0x3e, 0x08, 0x71, 0x03, 0xbe, 0x93, 0x6a, 0x60, 0x3d,
	0xc8, 0xf4, 0xc8, 0x82, 0x39, 0x59, 0x92, 0xf0, 0x44, 0x3b, 0xa2, 0x00,
	0xef, 0x67, 0x27, 0xf1, 0x74, 0xb4, 0xc2, 0x45, 0x4e, 0x5b, 0x13, 0xa0,
	0x37, 0xcb, 0x07, 0x3e, 0x51, 0x73, 0xf4, 0xd1, 0x68, 0x6f, 0x61, 0xeb,
	0xdb, 0xec, 0x87, 0xc3, 0x6b, 0xca, 0x7e, 0x7b, 0x57, 0x26, 0xbe, 0xe1,
	0xb0, 0x80, 0xe8, 0x04, 0x04, 0x41, 0xa0, 0xd7, 0xf1, 0x37, 0xed, 0x16,
	0x0b, 0x2b, 0xc2, 0xc1, 0xb9, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00, 0x0e,
	0x10, 0x00, 0x04, 0xc0, 0x00, 0x02, 0x01, 0xc1, 0xb9, 0x00, 0x2e, 0x00,
	0x01, 0x00, 0x00, 0x0e, 0x10, 0x01, 0x20, 0x00, 0x01, 0x08, 0x03, 0x00,
	0x00, 0x0e, 0x10, 0x6b, 0x2f, 0xd1, 0x9e, 0x6b, 0x0a, 0xe7, 0x9e, 0x01,
	0x62, 0x07, 0x65, 0x78, 0x61, 0x6d, 0x70, 0x6c, 0x65, 0x04, 0x74, 0x65,
	0x73, 0x74, 0x00, 0x0a, 0x86, 0x82, 0x52, 0x13, 0xe1, 0x48, 0x9b, 0xb7,
	0x1c, 0x28, 0x00, 0x2a, 0x24, 0x08, 0x3c, 0xd6, 0xcb, 0x64, 0x16, 0xb5,
	0x57, 0x40, 0x62, 0xb4, 0x3b, 0x53, 0x98, 0x8b, 0xc1, 0xc9, 0xef, 0xe8,
	0x67, 0x94, 0xb2, 0x38, 0xae, 0xdd, 0x7f, 0xf8, 0xd6, 0xc3, 0x95, 0xe5,
	0xad, 0x7e, 0xb8, 0xba, 0x53, 0xca, 0xe4, 0x77, 0x82, 0x6a, 0x7d, 0xb6,
	0xba, 0x1b, 0x9e, 0x15, 0x2b, 0xd4, 0x55, 0x9d, 0xf3, 0x36, 0xa0, 0x29,
	0xb2, 0x42, 0x42, 0x59, 0x86, 0x7f, 0x6f, 0x0d, 0xa4, 0x54, 0x23, 0xc5,
	0x1d, 0xee, 0x2b, 0xa0, 0x6e, 0x93, 0x6b, 0x01, 0xe3, 0xee, 0xa6, 0x8f,
	0x73, 0x0c, 0x71, 0xdb, 0xd0, 0x21, 0x58, 0x57, 0xc3, 0x65, 0xc3, 0x8b,
	0x31, 0x90, 0x34, 0x22, 0x87, 0x42, 0x62, 0x85, 0x04, 0x70, 0x74, 0xd7,
	0xc0, 0x58, 0x60, 0x84, 0x02, 0x9d, 0x29, 0x47, 0x10, 0x63, 0x2d, 0xf7,
	0xa3, 0x00, 0x54, 0xab, 0xd4, 0x25, 0xdc, 0x91, 0x1e, 0x26, 0x91, 0x16,
	0x78, 0x31, 0xb4, 0xfc, 0x6e, 0x13, 0xf1, 0x88, 0x65, 0x07, 0xff, 0x87,
	0x81, 0x6a, 0xaf, 0xf1, 0x24, 0x54, 0x98, 0x1c, 0xd3, 0x74, 0xdc, 0x58,
	0x8a, 0x40, 0x32, 0xa7, 0xe2, 0x3e, 0xdf, 0x7d, 0x32, 0x74, 0x3a, 0x8c,
	0x0a, 0x8b, 0xe3, 0xc3, 0x46, 0xb3, 0xa6, 0x25, 0xd9, 0x74, 0xec, 0x87,
	0xcc, 0x75, 0x18, 0x81, 0x1c, 0x8f, 0x4b, 0xf4, 0x47, 0xd4, 0xf9, 0xea,
	0x67, 0x89, 0x11, 0x03, 0x62, 0xf9, 0x47, 0x46, 0xd9, 0x07, 0xca, 0xee,
	0xad, 0x08, 0xc3, 0x3c, 0xfc, 0xa8, 0x50, 0xa7, 0xe9, 0x88, 0xbe, 0x2d,
	0xdf, 0xd0, 0x28, 0x56, 0xe3, 0x48, 0xa0, 0xa8, 0xe1, 0x3e, 0xdb, 0x3a,
	0xd8, 0x1a, 0x8a, 0x70, 0xeb, 0xa4, 0xd9, 0x83, 0x93, 0xd7, 0xe1, 0xf6,
	0xd5, 0x3f, 0x9b, 0x43, 0x6f, 0x8f, 0x59, 0xc1, 0xb9, 0x00, 0x1c, 0x00,
	0x01, 0x00, 0x00, 0x0e, 0x10, 0x00, 0x10, 0x20, 0x01, 0x0d, 0xb8, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0xc1,
	0xb9, 0x00, 0x2e, 0x00, 0x01, 0x00, 0x00, 0x0e, 0x10, 0x01, 0x20, 0x00,
	0x1c, 0x08, 0x03, 0x00, 0x00, 0x0e, 0x10, 0x6b, 0x2f, 0xd1, 0x9e, 0x6b,
	0x0a, 0xe7, 0x9e, 0x01, 0x62, 0x07, 0x65, 0x78, 0x61, 0x6d, 0x70, 0x6c,
	0x65, 0x04, 0x74, 0x65, 0x73, 0x74, 0x00, 0x0d, 0x3e, 0x24, 0xb3, 0xc7,
	0x66, 0xfc, 0xcb, 0x78, 0xce, 0x6b, 0x63, 0xca, 0x63, 0x42, 0x53, 0x55,
	0x0f, 0xf1, 0x01, 0x23, 0x65, 0x91, 0x1d, 0x54, 0x66, 0x2b, 0x92, 0x2f,
	0x4c, 0x56, 0xe5, 0xaf, 0xce, 0xad, 0xa9, 0x2a, 0x09, 0xcf, 0xc7, 0x87,
	0xca, 0x0a, 0x36, 0x86, 0xd6, 0xec, 0x05, 0x88, 0x7c, 0x3d, 0xe4, 0xcd,
	0x7b, 0xb8, 0x28, 0xd5, 0x06, 0x8b, 0x01, 0xb4, 0xb2, 0xcf, 0xda, 0x01,
	0xf7, 0x0b, 0x43, 0xff, 0x12, 0xfc, 0x86, 0xb8, 0x17, 0x49, 0x34, 0xca,
	0x20, 0x21, 0x53, 0xe2, 0x8e, 0xd5, 0x5b, 0xd7, 0xb5, 0x4c, 0x87, 0x01,
	0xbf, 0xe6, 0xe1, 0x52, 0xb1, 0xe8, 0x86, 0xaf, 0x9d, 0xad, 0x34, 0xc1,
	0x0d, 0x57, 0xc0, 0xe3, 0x0a, 0x97, 0xe8, 0x43, 0x33, 0x75, 0x0c, 0x5c,
	0xae, 0x36, 0xa8, 0x77, 0xb1, 0x7f, 0x3f, 0x96, 0xe8, 0xf6, 0xcd, 0xbd,
	0x6d, 0x2a, 0xda, 0xda, 0x68, 0xb6, 0xf3, 0x2d, 0x83, 0xe7, 0xf2, 0x83,
	0x1e, 0x62, 0x9f, 0xc4, 0xbc, 0x97, 0xa0, 0xcf, 0x1c, 0x7a, 0x28, 0xb9,
	0x0e, 0x1b, 0xc8, 0xc4, 0x78, 0xcc, 0xd8, 0xde, 0x2a, 0x9c, 0x95, 0x68,
	0xdf, 0x0f, 0x66, 0xf7, 0x76, 0xef, 0x1a, 0x5a, 0x8f, 0x2d, 0x37, 0xac,
	0x6d, 0x37, 0x18, 0xa1, 0x41, 0x1d, 0x13, 0xa6, 0xb4, 0x32, 0x17, 0xd2,
	0x5f, 0x34, 0x50, 0x05, 0x68, 0xb1, 0x2e, 0x17, 0x21, 0x9b, 0x26, 0x42,
	0xc5, 0xa6, 0xe8, 0xab, 0x9f, 0x97, 0x8d, 0x6e, 0x89, 0xa7, 0x0b, 0xfc,
	0xac, 0xcb, 0xc7, 0x78, 0x3c, 0xd8, 0xd8, 0xce, 0xa0, 0x0d, 0xe3, 0x94,
	0xc1, 0x60, 0x9e, 0xdf, 0x52, 0x30, 0xa0, 0x41, 0x48, 0x11, 0x94, 0x08,
	0xbc, 0x59, 0xe6, 0x5c, 0xd2, 0x18, 0x94, 0x75, 0x43, 0x60, 0xa8, 0x5a,
	0xa0, 0x7a, 0xaa, 0x8b, 0xf5, 0xe1, 0x4d, 0x6a, 0x21, 0xc3, 0xaf, 0x00,
	0x00, 0x29, 0x04, 0xd0, 0x00, 0x00, 0x80, 0x00, 0x00, 0x0c, 0x00, 0x03,
	0x00, 0x08, 0x6e, 0x73, 0x31, 0x2e, 0x6d, 0x6b, 0x69, 0x74,
};

static const char *const real_lines[] = {
	"0nqdevutr5u0d2pk3r78laoqrvqcqvbu.n3.test. 300 IN NSEC3 1 0 5 "
	    "ABCDEF 1HHVK7GEF66U2RBFGFFENOB0MM6HE78I LOC RRSIG",
	"0nqdevutr5u0d2pk3r78laoqrvqcqvbu.n3.test. 300 IN RRSIG NSEC3 13 "
	    "3 300 20261226143926 20261128143926 31661 n3.test. "
	    "MDMb39r94HNBCjN7F8gbBoI/G03gNdi+YzydXufP5m6ZE3SIZr6/pQWJ "
	    "TNz0S80hrEPK0MpEAXeM3O9/07QTYw==",
	"qmi8c9g3sp9rbn7lcjt9gkvp53ve5lqf.n3.test. 300 IN NSEC3 1 0 5 "
	    "ABCDEF SG6CR9CBJ59271CPLTBSL73OG6V4VDD9 NS SOA MX TXT RRSIG "
	    "DNSKEY NSEC3PARAM CAA",
	"qmi8c9g3sp9rbn7lcjt9gkvp53ve5lqf.n3.test. 300 IN RRSIG NSEC3 13 "
	    "3 300 20261226143926 20261128143926 31661 n3.test. "
	    "bElmoxSk7XDfRjiyDP+DpWF5J1IvVYuMb5gE3/xnaBbq0ko9FtFyDYJH "
	    "nfuJsVWNJ6fQ6t4vFZ6BU16FlBRjNA==",
	"h9nd64qumqv3i5u5phb4fhckjkofk5en.n3.test. 300 IN NSEC3 1 0 5 "
	    "ABCDEF JHD1JL80C7JHHQ40CRVGCUQLQ80RI521 LOC RRSIG",
	"h9nd64qumqv3i5u5phb4fhckjkofk5en.n3.test. 300 IN RRSIG NSEC3 13 "
	    "3 300 20261226143926 20261128143926 31661 n3.test. "
	    "QnL+4IiFmPX6M0VHAygJDuVnTEmmgWsXtsyD8MiBt/ztIb3HIXLUtPt0 "
	    "NeNQCzb0xwfKStloaG7hugcg2NkAig==",
	"n3.test.\t\t300\tIN\tSOA\tns1.n3.test. hostmaster.n3.test. "
	    "2024010101 7200 3600 1209600 300",
	"n3.test.\t\t300\tIN\tRRSIG\tSOA 13 2 3600 20261226143926 "
	    "20261128143926 31661 n3.test. "
	    "ByK0Rw4GT1//i9WETq1DqLy7/1DIqwyVgVDI/Z7i1t5hrYDXVwXjE247 "
	    "TmyQLMYpQINK8roQ9p4z6t2t9G+K1g=="
};

/* The question "v.t. A IN" every vector message starts with. */
static const uint8_t vq[] = { 1, 'v', 1, 't', 0, 0, 1, 0, 1 };

/*
 * A reply: header with the given counts, question vq, then body.
 * Returns the length.
 */
static size_t
msg_make(uint8_t *buf, uint16_t flags, uint16_t an, uint16_t ns,
    uint16_t ar, const void *body, size_t blen)
{
	uint8_t hdr[12] = { 0x12, 0x34 };

	hdr[2] = (uint8_t)(flags >> 8);
	hdr[3] = (uint8_t)flags;
	hdr[5] = 1;
	hdr[6] = (uint8_t)(an >> 8);
	hdr[7] = (uint8_t)an;
	hdr[8] = (uint8_t)(ns >> 8);
	hdr[9] = (uint8_t)ns;
	hdr[10] = (uint8_t)(ar >> 8);
	hdr[11] = (uint8_t)ar;
	memcpy(buf, hdr, 12);
	memcpy(buf + 12, vq, sizeof(vq));
	memcpy(buf + 12 + sizeof(vq), body, blen);
	return 12 + sizeof(vq) + blen;
}

/* An answer record owned by "v.t." (a pointer to 12) at p. */
static size_t
rr_make(uint8_t *p, uint16_t type, uint16_t class, uint32_t ttl,
    const void *rdata, size_t rdlen)
{
	p[0] = 0xc0;
	p[1] = 12;
	p[2] = (uint8_t)(type >> 8);
	p[3] = (uint8_t)type;
	p[4] = (uint8_t)(class >> 8);
	p[5] = (uint8_t)class;
	p[6] = (uint8_t)(ttl >> 24);
	p[7] = (uint8_t)(ttl >> 16);
	p[8] = (uint8_t)(ttl >> 8);
	p[9] = (uint8_t)ttl;
	p[10] = (uint8_t)(rdlen >> 8);
	p[11] = (uint8_t)rdlen;
	memcpy(p + 12, rdata, rdlen);
	return 12 + rdlen;
}

/* Parse buf and return the error string, or "ok". */
static const char *
parse_err(const uint8_t *buf, size_t len)
{
	struct dns_msg	 m;
	const char	*err = NULL;

	if (dns_msg_parse(buf, len, &m, &err) == 0)
		return "ok";
	return err != NULL ? err : "(no reason)";
}

/* The first record of section sec as a dig line. */
static const char *
line_of(struct mk_buf *b, const uint8_t *buf, size_t len,
    enum dns_section sec)
{
	struct dns_msg	 m;
	struct dns_iter	 it;
	struct dns_rr	 rr;
	const char	*err;

	buf_reset(b);
	if (dns_msg_parse(buf, len, &m, &err) == -1)
		return err;
	dns_iter_init(&it, &m, sec);
	if (dns_rr_next(&it, &rr, &err) != 1)
		return "no record";
	if (dns_rr_to_text(buf, len, &rr, b, &err) == -1)
		return err;
	return buf_str(b);
}

static void
name_from_text(void)
{
	uint8_t		 w[DNS_NAME_MAX];
	char		 t[400];
	size_t		 n;
	const char	*err;
	int		 i;

	T_EQ_INT(dns_name_from_text("www.Example.org.", w, sizeof(w), &n,
	    &err), 1);
	T_EQ_MEM(w, n, "\3www\7Example\3org", 17);
	T_EQ_INT(dns_name_from_text("www.example.org", w, sizeof(w), &n,
	    &err), 0);
	T_EQ_INT(n, 17);
	T_EQ_INT(dns_name_from_text(".", w, sizeof(w), &n, &err), 1);
	T_EQ_MEM(w, n, "", 1);
	T_EQ_INT(dns_name_from_text("a\\.b\\\\c.\\065\\032.", w, sizeof(w),
	    &n, &err), 1);
	T_EQ_MEM(w, n, "\5a.b\\c\2A ", 10);
	T_EQ_INT(dns_name_from_text("\\000.", w, sizeof(w), &n, &err), 1);
	T_EQ_MEM(w, n, "\1\0", 3);

	T_EQ_INT(dns_name_from_text("", w, sizeof(w), &n, &err), -1);
	T_EQ_STR(err, "empty name");
	T_EQ_INT(dns_name_from_text("a..b", w, sizeof(w), &n, &err), -1);
	T_EQ_STR(err, "empty label");
	T_EQ_INT(dns_name_from_text(".a", w, sizeof(w), &n, &err), -1);
	T_EQ_STR(err, "empty label");
	T_EQ_INT(dns_name_from_text("a..", w, sizeof(w), &n, &err), -1);
	T_EQ_STR(err, "empty label");
	T_EQ_INT(dns_name_from_text("..", w, sizeof(w), &n, &err), -1);
	T_EQ_INT(dns_name_from_text("a\\256", w, sizeof(w), &n, &err), -1);
	T_EQ_STR(err, "bad escape");
	T_EQ_INT(dns_name_from_text("a\\12", w, sizeof(w), &n, &err), -1);
	T_EQ_STR(err, "bad escape");
	T_EQ_INT(dns_name_from_text("a\\", w, sizeof(w), &n, &err), -1);
	T_EQ_STR(err, "bad escape");

	/* A 63-byte label fits, 64 does not. */
	memset(t, 'a', 63);
	t[63] = '\0';
	T_EQ_INT(dns_name_from_text(t, w, sizeof(w), &n, &err), 0);
	T_EQ_INT(n, 65);
	t[63] = 'a';
	t[64] = '\0';
	T_EQ_INT(dns_name_from_text(t, w, sizeof(w), &n, &err), -1);
	T_EQ_STR(err, "label too long");

	/* 63.63.63.61 is 255 bytes in wire form; 63.63.63.62 is 256. */
	memset(t, 'b', sizeof(t));
	for (i = 0; i < 3; i++)
		t[63 * (i + 1) + i] = '.';
	t[63 * 3 + 3 + 61] = '.';
	t[63 * 3 + 3 + 62] = '\0';
	T_EQ_INT(dns_name_from_text(t, w, sizeof(w), &n, &err), 1);
	T_EQ_INT(n, 255);
	t[63 * 3 + 3 + 61] = 'b';
	t[63 * 3 + 3 + 62] = '.';
	t[63 * 3 + 3 + 63] = '\0';
	T_EQ_INT(dns_name_from_text(t, w, sizeof(w), &n, &err), -1);
	T_EQ_STR(err, "name too long");
	/* The same with \DDD escapes counts bytes, not characters. */
	T_EQ_INT(dns_name_from_text("\\098\\098.", w, 3, &n, &err), -1);
	T_EQ_STR(err, "buffer too small");
	T_EQ_INT(dns_name_from_text("\\098\\098.", w, 4, &n, &err), 1);
	T_EQ_MEM(w, n, "\2bb", 4);
}

static void
name_to_text(void)
{
	char		 t[DNS_NAME_TEXTMAX];
	uint8_t		 w[DNS_NAME_MAX];
	size_t		 n;
	const char	*err;

	T_EQ_INT(dns_name_to_text((const uint8_t *)"\3www\7example\3org",
	    17, t, sizeof(t)), 16);
	T_EQ_STR(t, "www.example.org.");
	T_EQ_INT(dns_name_to_text((const uint8_t *)"", 1, t, sizeof(t)), 1);
	T_EQ_STR(t, ".");
	/* As dig 9.18 prints these owners. */
	dns_name_to_text((const uint8_t *)"\3a.b", 5, t, sizeof(t));
	T_EQ_STR(t, "a\\.b.");
	dns_name_to_text((const uint8_t *)"\1@\1$", 5, t, sizeof(t));
	T_EQ_STR(t, "\\@.\\$.");
	dns_name_to_text((const uint8_t *)"\5 \"();", 7, t, sizeof(t));
	T_EQ_STR(t, "\\032\\\"\\(\\)\\;.");
	dns_name_to_text((const uint8_t *)"\3\\\177A", 5, t, sizeof(t));
	T_EQ_STR(t, "\\\\\\127A.");
	/* Malformed: past the end, no root, compressed. */
	T_EQ_INT(dns_name_to_text((const uint8_t *)"\5ab", 4, t, sizeof(t)),
	    -1);
	T_EQ_INT(dns_name_to_text((const uint8_t *)"\2ab", 3, t, sizeof(t)),
	    -1);
	T_EQ_INT(dns_name_to_text((const uint8_t *)"\300\14", 2, t,
	    sizeof(t)), -1);
	/* Too small for the text and its NUL. */
	T_EQ_INT(dns_name_to_text((const uint8_t *)"\2ab", 4, t, 3), -1);
	T_EQ_INT(dns_name_to_text((const uint8_t *)"\2ab", 4, t, 4), 3);

	/* Round trips. */
	T_EQ_INT(dns_name_from_text("a\\.b.\\@\\$.\\032x\\127.", w, sizeof(w),
	    &n, &err), 1);
	dns_name_to_text(w, n, t, sizeof(t));
	T_EQ_STR(t, "a\\.b.\\@\\$.\\032x\\127.");
	T_EQ_INT(dns_name_from_text(t, w, sizeof(w), &n, &err), 1);
	T_EQ_INT(n, 12);

	T_CHECK(dns_name_equal((const uint8_t *)"\3WwW\1x", 7,
	    (const uint8_t *)"\3www\1X", 7));
	T_CHECK(!dns_name_equal((const uint8_t *)"\3wwx\1x", 7,
	    (const uint8_t *)"\3www\1x", 7));
	T_CHECK(!dns_name_equal((const uint8_t *)"\1a", 3,
	    (const uint8_t *)"\1a\1b", 5));
}

/* Every vector: parse, print as dig, or fail where dig failed. */
static void
rdata_vectors(void)
{
	uint8_t		 body[512], buf[600];
	struct mk_buf	 b;
	const char	*got;
	size_t		 i, bl, len;

	buf_init(&b, 0);
	for (i = 0; i < MK_NELEM(vecs); i++) {
		bl = rr_make(body, vecs[i].type, DNS_C_IN, 3600,
		    vecs[i].rdata, vecs[i].len);
		len = msg_make(buf, 0x8400, 1, 0, 0, body, bl);
		got = line_of(&b, buf, len, DNS_S_ANSWER);
		if (vecs[i].line == NULL) {
			if (strcmp(parse_err(buf, len), "ok") == 0) {
				printf("#   vector %zu (type %u) parsed: %s\n",
				    i, vecs[i].type, got);
				t_cur_failed = 1;
			}
		} else if (strcmp(got, vecs[i].line) != 0) {
			printf("#   vector %zu (type %u):\n#     got  %s\n"
			    "#     want %s\n", i, vecs[i].type, got,
			    vecs[i].line);
			t_cur_failed = 1;
		}
	}
	buf_free(&b);
}

/* Types that are IN-only in dig print in RFC 3597 form elsewhere. */
static void
rdata_class(void)
{
	uint8_t		 body[64], buf[128];
	struct mk_buf	 b;
	size_t		 bl, len;

	buf_init(&b, 0);
	bl = rr_make(body, DNS_T_A, DNS_C_CH, 0, "\1\2\3\4", 4);
	len = msg_make(buf, 0x8400, 1, 0, 0, body, bl);
	T_EQ_STR(line_of(&b, buf, len, DNS_S_ANSWER),
	    "v.t.\t\t\t0\tCH\tA\t\\# 4 01020304");
	bl = rr_make(body, DNS_T_TXT, DNS_C_CH, 0, "\3abc", 4);
	len = msg_make(buf, 0x8400, 1, 0, 0, body, bl);
	T_EQ_STR(line_of(&b, buf, len, DNS_S_ANSWER),
	    "v.t.\t\t\t0\tCH\tTXT\t\"abc\"");
	bl = rr_make(body, 65400, 32, 7, "", 0);
	len = msg_make(buf, 0x8400, 1, 0, 0, body, bl);
	T_EQ_STR(line_of(&b, buf, len, DNS_S_ANSWER),
	    "v.t.\t\t\t7\tCLASS32\tTYPE65400 \\# 0");
	/* RFC 2136: an update's empty rdata. */
	bl = rr_make(body, DNS_T_A, DNS_C_ANY, 0, "", 0);
	len = msg_make(buf, 0x8400, 1, 0, 0, body, bl);
	T_EQ_STR(line_of(&b, buf, len, DNS_S_ANSWER),
	    "v.t.\t\t\t0\tANY\tA\t\\# 0");
	bl = rr_make(body, DNS_T_A, DNS_C_IN, 0, "", 0);
	len = msg_make(buf, 0x8400, 1, 0, 0, body, bl);
	T_EQ_STR(parse_err(buf, len), "truncated");
	buf_free(&b);
}

/* dig's tab stops (24, 32, 40, 48) for owners of every length. */
static void
rr_columns(void)
{
	static const struct {
		const char	*owner;
		const char	*line;
	} c[] = {
		{ "n3.test.", "n3.test.\t\t3600\tIN\tA\t1.2.3.4" },
		{ "example.test.", "example.test.\t\t3600\tIN\tA\t1.2.3.4" },
		{ "ns1.example.test.",
		    "ns1.example.test.\t3600\tIN\tA\t1.2.3.4" },
		{ "_443._tcp.www.example.test.",
		    "_443._tcp.www.example.test. 3600 IN\tA\t1.2.3.4" },
		{ "1.2.0.192.in-addr.example.test.",
		    "1.2.0.192.in-addr.example.test.\t3600 IN\tA\t1.2.3.4" },
		{ "0nqdevutr5u0d2pk3r78laoqrvqcqvbu.n3.test.",
		    "0nqdevutr5u0d2pk3r78laoqrvqcqvbu.n3.test. 3600 IN A "
		    "1.2.3.4" }
	};
	uint8_t		 buf[300], w[DNS_NAME_MAX];
	struct mk_buf	 b;
	struct dns_rr	 rr;
	size_t		 i, n;
	const char	*err;

	buf_init(&b, 0);
	memcpy(buf, "\0\0\0\0\0\0\0\0\0\0\0\0\1\2\3\4", 16);
	for (i = 0; i < MK_NELEM(c); i++) {
		memset(&rr, 0, sizeof(rr));
		dns_name_from_text(c[i].owner, w, sizeof(w), &n, &err);
		memcpy(rr.owner, w, n);
		rr.ownerlen = n;
		rr.type = DNS_T_A;
		rr.class = DNS_C_IN;
		rr.ttl = 3600;
		rr.rdoff = 12;
		rr.rdlen = 4;
		rr.sec = DNS_S_ANSWER;
		buf_reset(&b);
		T_EQ_INT(dns_rr_to_text(buf, 16, &rr, &b, &err), 0);
		T_EQ_STR(buf_str(&b), c[i].line);
	}
	/* The question line, as dig's ";; QUESTION SECTION:". */
	dns_name_from_text("nonexist.n3.test.", w, sizeof(w), &n, &err);
	memcpy(rr.owner, w, n);
	rr.ownerlen = n;
	rr.sec = DNS_S_QUESTION;
	buf_reset(&b);
	T_EQ_INT(dns_rr_to_text(buf, 16, &rr, &b, &err), 0);
	T_EQ_STR(buf_str(&b), ";nonexist.n3.test.\t\tIN\tA");
	/* dig counts the question's columns from after the ';'. */
	dns_name_from_text("_sip._tcp.example.test.", w, sizeof(w), &n, &err);
	memcpy(rr.owner, w, n);
	rr.ownerlen = n;
	buf_reset(&b);
	T_EQ_INT(dns_rr_to_text(buf, 16, &rr, &b, &err), 0);
	T_EQ_STR(buf_str(&b), ";_sip._tcp.example.test.\t\tIN\tA");
	dns_name_from_text("1.2.0.192.in-addr.example.test.", w, sizeof(w),
	    &n, &err);
	memcpy(rr.owner, w, n);
	rr.ownerlen = n;
	buf_reset(&b);
	T_EQ_INT(dns_rr_to_text(buf, 16, &rr, &b, &err), 0);
	T_EQ_STR(buf_str(&b), ";1.2.0.192.in-addr.example.test.\tIN\tA");
	dns_name_from_text("0nqdevutr5u0d2pk3r78laoqrvqcqvbuxxxxxxxxx.t.", w,
	    sizeof(w), &n, &err);
	memcpy(rr.owner, w, n);
	rr.ownerlen = n;
	buf_reset(&b);
	T_EQ_INT(dns_rr_to_text(buf, 16, &rr, &b, &err), 0);
	T_EQ_STR(buf_str(&b), ";0nqdevutr5u0d2pk3r78laoqrvqcqvbuxxxxxxxxx.t. "
	    "IN\tA");
	/* The type column moved by a long type mnemonic. */
	dns_name_from_text("nonexist.n3.test.", w, sizeof(w), &n, &err);
	memcpy(rr.owner, w, n);
	rr.ownerlen = n;
	rr.sec = DNS_S_ANSWER;
	rr.type = DNS_T_NSEC3PARAM;
	memcpy(buf + 12, "\1\0\0\0\0", 5);
	rr.rdlen = 5;
	buf_reset(&b);
	T_EQ_INT(dns_rr_to_text(buf, 17, &rr, &b, &err), 0);
	T_EQ_STR(buf_str(&b), "nonexist.n3.test.\t3600\tIN\tNSEC3PARAM "
	    "1 0 0 -");
	buf_free(&b);
}

/* The real nsd answer: every line as dig printed it. */
static void
real_reply(void)
{
	struct dns_msg	 m;
	struct dns_iter	 it;
	struct dns_rr	 rr;
	struct mk_buf	 b;
	const char	*err;
	size_t		 i = 0;
	char		 tb[DNS_TYPE_TEXTMAX];

	buf_init(&b, 0);
	T_EQ_INT(dns_msg_parse(real_nsec3, sizeof(real_nsec3), &m, &err), 0);
	T_EQ_INT(m.count[DNS_S_QUESTION], 1);
	T_EQ_INT(m.count[DNS_S_ANSWER], 0);
	T_EQ_INT(m.count[DNS_S_AUTHORITY], 8);
	T_EQ_INT(m.count[DNS_S_ADDITIONAL], 1);
	T_EQ_INT(m.rcode, DNS_R_NXDOMAIN);
	T_EQ_STR(dns_rcode_to_text(m.rcode, tb), "NXDOMAIN");
	T_EQ_INT(m.end, sizeof(real_nsec3));
	T_CHECK(m.flags & DNS_F_QR);
	T_CHECK(m.flags & DNS_F_AA);
	T_EQ_INT(m.edns.present, 1);
	T_EQ_INT(m.edns.udpsize, 1232);
	T_EQ_INT(m.edns.flags, DNS_EDNS_DO);
	T_EQ_INT(dns_rr_to_text(real_nsec3, sizeof(real_nsec3), &m.q, &b,
	    &err), 0);
	T_EQ_STR(buf_str(&b), ";nonexist.n3.test.\t\tIN\tA");
	dns_iter_init(&it, &m, DNS_S_AUTHORITY);
	while (dns_rr_next(&it, &rr, &err) == 1) {
		buf_reset(&b);
		T_EQ_INT(dns_rr_to_text(real_nsec3, sizeof(real_nsec3), &rr,
		    &b, &err), 0);
		if (i < MK_NELEM(real_lines))
			T_EQ_STR(buf_str(&b), real_lines[i]);
		T_EQ_INT(rr.idx, i);
		i++;
	}
	T_EQ_INT(i, 8);
	buf_reset(&b);
	T_EQ_INT(dns_edns_to_text(&m, NULL, &b, &err), 0);
	T_EQ_STR(buf_str(&b), "; EDNS: version: 0, flags: do; udp: 1232\n"
	    "; NSID: 6e 73 31 2e 6d 6b 69 74 (\"ns1.mkit\")\n");
	buf_free(&b);
}

/* Offsets and lengths a dissector needs. */
static void
iter_offsets(void)
{
	uint8_t		 body[64], buf[128];
	struct dns_msg	 m;
	struct dns_iter	 it;
	struct dns_rr	 rr;
	const char	*err;
	size_t		 bl, len;

	bl = rr_make(body, DNS_T_A, DNS_C_IN, 60, "\1\2\3\4", 4);
	bl += rr_make(body + bl, DNS_T_A, DNS_C_IN, 60, "\5\6\7\10", 4);
	len = msg_make(buf, 0x8180, 1, 1, 0, body, bl);
	T_EQ_INT(dns_msg_parse(buf, len, &m, &err), 0);
	T_EQ_INT(m.q.off, 12);
	T_EQ_INT(m.q.len, 9);
	T_EQ_INT(m.q.namewlen, 5);
	T_EQ_INT(m.secoff[DNS_S_ANSWER], 21);
	T_EQ_INT(m.secoff[DNS_S_AUTHORITY], 37);
	dns_iter_init(&it, &m, DNS_S_ANSWER);
	T_EQ_INT(dns_rr_next(&it, &rr, &err), 1);
	T_EQ_INT(rr.off, 21);
	T_EQ_INT(rr.len, 16);
	T_EQ_INT(rr.namewlen, 2);
	T_EQ_INT(rr.rdoff, 33);
	T_EQ_INT(rr.rdlen, 4);
	T_EQ_INT(rr.ttl, 60);
	T_EQ_INT(rr.sec, DNS_S_ANSWER);
	T_EQ_MEM(rr.owner, rr.ownerlen, "\1v\1t", 5);
	T_EQ_INT(dns_rr_next(&it, &rr, &err), 0);
	dns_iter_init(&it, &m, DNS_S_AUTHORITY);
	T_EQ_INT(dns_rr_next(&it, &rr, &err), 1);
	T_EQ_INT(rr.off, 37);
	T_EQ_INT(rr.sec, DNS_S_AUTHORITY);
	T_EQ_INT(dns_rr_next(&it, &rr, &err), 0);
	dns_iter_init(&it, &m, DNS_S_ADDITIONAL);
	T_EQ_INT(dns_rr_next(&it, &rr, &err), 0);
	dns_iter_init(&it, &m, DNS_S_QUESTION);
	T_EQ_INT(dns_rr_next(&it, &rr, &err), 1);
	T_EQ_INT(rr.type, DNS_T_A);
	T_EQ_INT(rr.rdlen, 0);
}

/* Pointers: legal chains, and each kind of bad one. */
static void
compression(void)
{
	uint8_t		 buf[700], body[600];
	struct mk_buf	 b;
	size_t		 bl, len, i;

	buf_init(&b, 0);
	/* Owner "www" + pointer, rdata a pointer into the owner. */
	memcpy(body, "\3www\300\14\0\5\0\1\0\0\0\0\0\2\300\25", 18);
	len = msg_make(buf, 0x8400, 1, 0, 0, body, 18);
	T_EQ_STR(line_of(&b, buf, len, DNS_S_ANSWER),
	    "www.v.t.\t\t0\tIN\tCNAME\twww.v.t.");
	/* A pointer to a pointer: each goes further back. */
	memcpy(body, "\3www\300\14\0\5\0\1\0\0\0\0\0\4\1x\300\25", 20);
	len = msg_make(buf, 0x8400, 1, 0, 0, body, 20);
	T_EQ_STR(line_of(&b, buf, len, DNS_S_ANSWER),
	    "www.v.t.\t\t0\tIN\tCNAME\tx.www.v.t.");
	/* rdata pointing forward, to its own start, into the header. */
	memcpy(body, "\300\14\0\5\0\1\0\0\0\0\0\2\300\50", 14);
	len = msg_make(buf, 0x8400, 1, 0, 0, body, 14);
	T_EQ_STR(parse_err(buf, len), "forward compression pointer");
	memcpy(body, "\300\14\0\5\0\1\0\0\0\0\0\2\300\41", 14);
	len = msg_make(buf, 0x8400, 1, 0, 0, body, 14);
	T_EQ_STR(parse_err(buf, len), "compression pointer loop");
	memcpy(body, "\300\14\0\5\0\1\0\0\0\0\0\2\300\13", 14);
	len = msg_make(buf, 0x8400, 1, 0, 0, body, 14);
	T_EQ_STR(parse_err(buf, len), "compression pointer into header");
	memcpy(body, "\300\0\0\1\0\1\0\0\0\0\0\0", 12);
	len = msg_make(buf, 0x8400, 1, 0, 0, body, 12);
	T_EQ_STR(parse_err(buf, len), "compression pointer into header");
	/*
	 * Two pointers that point at each other: one at 33 (in opaque
	 * rdata) to 35, the next record's owner at 35 back to 33.
	 */
	memcpy(body, "\300\14\377\170\0\1\0\0\0\0\0\2\300\43"
	    "\300\41\0\1\0\1\0\0\0\0\0\4\1\2\3\4", 30);
	len = msg_make(buf, 0x8400, 2, 0, 0, body, 30);
	T_EQ_STR(parse_err(buf, len), "compression pointer loop");
	memcpy(body, "\300\14\0\5\0\1\0\0\0\0\0\4\1a\300\41", 16);
	len = msg_make(buf, 0x8400, 1, 0, 0, body, 16);
	T_EQ_STR(parse_err(buf, len), "compression pointer loop");
	/* A pointer in the question name itself. */
	memcpy(buf, "\0\0\0\0\0\1\0\0\0\0\0\0\300\14\0\1\0\1", 18);
	T_EQ_STR(parse_err(buf, 18), "compression pointer loop");

	/*
	 * A chain of pointers, each to the one before, inside the rdata
	 * of an unknown type; then a record owned by the last of them.
	 */
	for (i = 100; i <= 130; i += 30) {
		uint8_t	 chain[300];
		size_t	 k, cl = 0, base = 12 + sizeof(vq) + 12;

		chain[cl++] = 0;
		for (k = 0; k < i; k++) {
			size_t to = k == 0 ? base : base + 1 + 2 * (k - 1);

			chain[cl++] = (uint8_t)(0xc0 | to >> 8);
			chain[cl++] = (uint8_t)to;
		}
		bl = rr_make(body, 65400, DNS_C_IN, 0, chain, cl);
		body[bl] = body[bl - 2];
		body[bl + 1] = body[bl - 1];
		memcpy(body + bl + 2, "\0\1\0\1\0\0\0\0\0\4\1\2\3\4", 14);
		len = msg_make(buf, 0x8400, 2, 0, 0, body, bl + 16);
		T_EQ_STR(parse_err(buf, len), i == 100 ? "ok" :
		    "too many compression pointers");
	}

	/* Label types 01 and 10 are reserved (RFC 6891 5). */
	memcpy(body, "\1a\100\0\1\0\1\0\0\0\0\0\0", 13);
	len = msg_make(buf, 0x8400, 1, 0, 0, body, 13);
	T_EQ_STR(parse_err(buf, len), "reserved label type");
	memcpy(body, "\200\0\0\1\0\1\0\0\0\0\0\0", 12);
	len = msg_make(buf, 0x8400, 1, 0, 0, body, 12);
	T_EQ_STR(parse_err(buf, len), "reserved label type");

	/* A name that grows past 255 bytes only through a pointer. */
	bl = 0;
	for (i = 0; i < 4; i++) {
		body[bl++] = 60;
		memset(body + bl, 'x', 60);
		bl += 60;
	}
	body[bl++] = 0;
	memcpy(body + bl, "\377\170\0\1\0\0\0\0\0\0", 10);
	bl += 10;
	/* That was 245 bytes; now "yyyyyyyyyy" + a pointer to it. */
	memcpy(body + bl, "\12yyyyyyyyyy\300\25\377\170\0\1\0\0\0\0\0\0",
	    23);
	len = msg_make(buf, 0x8400, 2, 0, 0, body, bl + 23);
	T_EQ_STR(parse_err(buf, len), "name too long");
	buf_free(&b);
}

static void
malformed(void)
{
	uint8_t		 buf[600], body[64];
	size_t		 len, i;

	for (i = 0; i < 12; i++)
		T_EQ_STR(parse_err((const uint8_t *)"\0\0\0\0\0\0\0\0\0\0\0",
		    i), "truncated header");
	T_EQ_STR(parse_err((const uint8_t *)"\0\0\0\0\0\0\0\0\0\0\0\0", 12),
	    "ok");
	/* Counts that cannot fit the data. */
	len = msg_make(buf, 0x8400, 100, 0, 0, "", 0);
	T_EQ_STR(parse_err(buf, len), "count exceeds data");
	len = msg_make(buf, 0x8400, 0xffff, 0xffff, 0xffff, "", 0);
	T_EQ_STR(parse_err(buf, len), "count exceeds data");
	buf[5] = 200;
	T_EQ_STR(parse_err(buf, len), "count exceeds data");
	/* Enough bytes by count, but the records are cut short. */
	len = msg_make(buf, 0x8400, 1, 0, 0, "\300\14\0\1\0\1\0\0\0\0\0", 11);
	T_EQ_STR(parse_err(buf, len), "truncated");
	len = msg_make(buf, 0x8400, 0, 0, 0, "\3ab", 3);
	buf[5] = 2;
	T_EQ_STR(parse_err(buf, len), "truncated name");
	/* rdata longer than the message. */
	len = rr_make(body, DNS_T_A, DNS_C_IN, 0, "\1\2\3\4", 4);
	body[11] = 5;
	len = msg_make(buf, 0x8400, 1, 0, 0, body, len);
	T_EQ_STR(parse_err(buf, len), "rdata overruns message");
	/* An A record of 5 bytes in a long enough message. */
	len = rr_make(body, DNS_T_A, DNS_C_IN, 0, "\1\2\3\4\5", 5);
	len = msg_make(buf, 0x8400, 1, 0, 0, body, len);
	T_EQ_STR(parse_err(buf, len), "extra bytes in rdata");
	/* A name in rdata may not run past the rdata. */
	len = rr_make(body, DNS_T_NS, DNS_C_IN, 0, "\3abc\0", 5);
	body[11] = 3;
	len = msg_make(buf, 0x8400, 1, 0, 0, body, len);
	T_EQ_STR(parse_err(buf, len), "truncated name");
	/* Trailing bytes are allowed and reported by m.end. */
	len = rr_make(body, DNS_T_A, DNS_C_IN, 0, "\1\2\3\4xy", 6);
	body[11] = 4;
	len = msg_make(buf, 0x8400, 1, 0, 0, body, len);
	T_EQ_STR(parse_err(buf, len), "ok");
	{
		struct dns_msg m;
		const char *err;

		dns_msg_parse(buf, len, &m, &err);
		T_EQ_INT(m.end, len - 2);
	}
}

/* The OPT record and its options. */
static void
edns(void)
{
	static const uint8_t opt[] = {
		0, 0, 41, 0x10, 0, 0x01, 0, 0x80, 0, 0, 44,
		0, 3, 0, 3, 'n', 's', 1,
		0, 15, 0, 7, 0, 6, 'b', 'o', 'g', 'u', 's',
		0, 15, 0, 2, 0, 18,
		0, 10, 0, 16, 1, 2, 3, 4, 5, 6, 7, 8, 9, 9, 9, 9, 9, 9, 9, 9
	};
	static const uint8_t cc[8] = { 1, 2, 3, 4, 5, 6, 7, 8 };
	uint8_t		 buf[200], body[100];
	struct dns_msg	 m;
	struct dns_edns_opt o;
	struct mk_buf	 b;
	const char	*err;
	size_t		 len, pos = 0;

	buf_init(&b, 0);
	len = msg_make(buf, 0x8400, 0, 0, 1, opt, sizeof(opt));
	T_EQ_INT(dns_msg_parse(buf, len, &m, &err), 0);
	T_EQ_INT(m.edns.present, 1);
	T_EQ_INT(m.edns.udpsize, 4096);
	T_EQ_INT(m.edns.extrcode, 1);
	T_EQ_INT(m.edns.version, 0);
	T_EQ_INT(m.edns.flags, 0x8000);
	T_EQ_INT(m.rcode, DNS_R_BADVERS);
	T_EQ_INT(m.edns.off, 21);
	T_EQ_INT(m.edns.len, sizeof(opt));
	T_EQ_INT(dns_edns_opt_next(&m, &pos, &o, &err), 1);
	T_EQ_INT(o.code, DNS_O_NSID);
	T_EQ_MEM(o.data, o.len, "ns\1", 3);
	T_EQ_INT(o.off, 32);
	T_EQ_INT(dns_edns_opt_next(&m, &pos, &o, &err), 1);
	T_EQ_INT(o.code, DNS_O_EDE);
	T_EQ_INT(dns_edns_to_text(&m, cc, &b, &err), 0);
	T_EQ_STR(buf_str(&b), "; EDNS: version: 0, flags: do; udp: 4096\n"
	    "; NSID: 6e 73 01 (\"ns.\")\n"
	    "; EDE: 6 (DNSSEC Bogus): (bogus)\n"
	    "; EDE: 18 (Prohibited)\n"
	    "; COOKIE: 01020304050607080909090909090909 (good)\n");
	buf_reset(&b);
	dns_edns_to_text(&m, NULL, &b, &err);
	T_CHECK(strstr(buf_str(&b), "0909 (bad)\n") != NULL);

	/* OPT only once, only in additional, only owned by the root. */
	memcpy(body, opt, 11);
	memcpy(body + 11, opt, 11);
	body[10] = body[21] = 0;
	len = msg_make(buf, 0x8400, 0, 0, 2, body, 22);
	T_EQ_STR(parse_err(buf, len), "more than one OPT record");
	len = msg_make(buf, 0x8400, 1, 0, 0, body, 11);
	T_EQ_STR(parse_err(buf, len), "OPT record outside additional section");
	memcpy(body, "\300\14", 2);
	memcpy(body + 2, opt + 1, 10);
	body[11] = 0;
	len = msg_make(buf, 0x8400, 0, 0, 1, body, 12);
	T_EQ_STR(parse_err(buf, len), "OPT owner not root");

	/* Option checks dig makes too. */
	memcpy(body, opt, 9);
	memcpy(body + 9, "\0\5\0\17\0\1\0", 7);
	len = msg_make(buf, 0x8400, 0, 0, 1, body, 16);
	T_EQ_STR(parse_err(buf, len), "bad EDNS extended error");
	memcpy(body + 9, "\0\7\0\17\0\3\0\1\200", 9);
	len = msg_make(buf, 0x8400, 0, 0, 1, body, 18);
	T_EQ_STR(parse_err(buf, len), "bad EDNS extended error");
	memcpy(body + 9, "\0\7\0\12\0\3\1\2\3", 9);
	len = msg_make(buf, 0x8400, 0, 0, 1, body, 18);
	T_EQ_STR(parse_err(buf, len), "bad EDNS cookie");
	memcpy(body + 9, "\0\5\0\12\0\3\1", 7);
	len = msg_make(buf, 0x8400, 0, 0, 1, body, 16);
	T_EQ_STR(parse_err(buf, len), "EDNS option overruns OPT record");
	memcpy(body + 9, "\0\3\0\12\0", 5);
	len = msg_make(buf, 0x8400, 0, 0, 1, body, 14);
	T_EQ_STR(parse_err(buf, len), "EDNS option overruns OPT record");
	buf_free(&b);
}

/* EDNS option text, each line checked against dig 9.18. */
static void
edns_text(void)
{
	static const struct {
		uint32_t	 ttl;
		const char	*opts;
		size_t		 len;
		const char	*text;
	} c[] = {
		{ 0x00008100, "\0\3\0\4\0\1\377A", 8,
		    "; EDNS: version: 0, flags: do; MBZ: 0x0100, udp: 4096\n"
		    "; NSID: 00 01 ff 41 (\"...A\")\n" },
		{ 0x00010000, "", 0,
		    "; EDNS: version: 1, flags:; udp: 4096\n" },
		{ 0, "\0\3\0\0", 4,
		    "; EDNS: version: 0, flags:; udp: 4096\n; NSID:\n" },
		{ 0, "\0\17\0\3\377\360A", 7,
		    "; EDNS: version: 0, flags:; udp: 4096\n"
		    "; EDE: 65520: (A)\n" },
		{ 0, "\0\17\0\2\377\377", 6,
		    "; EDNS: version: 0, flags:; udp: 4096\n; EDE: 65535\n" },
		{ 0, "\0\17\0\4\0\1\12\177", 8,
		    "; EDNS: version: 0, flags:; udp: 4096\n"
		    "; EDE: 1 (Unsupported DNSKEY Algorithm): (..)\n" },
		{ 0, "\0\14\0\4\0\0\0\0\0\14\0\0", 12,
		    "; EDNS: version: 0, flags:; udp: 4096\n"
		    "; PAD: (4 bytes)\n; PAD:\n" },
		{ 0, "\375\351\0\3ABC\0\15\0\0", 11,
		    "; EDNS: version: 0, flags:; udp: 4096\n"
		    "; OPT=65001: 41 42 43 (\"ABC\")\n; OPT=13:\n" },
		{ 0, "\0\10\0\7\0\1\30\0\300\0\2", 11,
		    "; EDNS: version: 0, flags:; udp: 4096\n"
		    "; CLIENT-SUBNET: 192.0.2.0/24/0\n" },
		{ 0, "\0\10\0\13\0\2\70\0\40\1\15\270\0\0\1", 15,
		    "; EDNS: version: 0, flags:; udp: 4096\n"
		    "; CLIENT-SUBNET: 2001:db8:0:100::/56/0\n" },
		{ 0, "\0\11\0\4\0\1\343\251\0\11\0\0\0\11\0\4\0\0\0\75", 20,
		    "; EDNS: version: 0, flags:; udp: 4096\n"
		    "; EXPIRE: 123817 (1 day 10 hours 23 minutes 37 seconds)\n"
		    "; EXPIRE:\n; EXPIRE: 61 (1 minute 1 second)\n" },
		{ 0, "\0\13\0\2\0\144\0\13\0\0\0\13\0\1\0", 15,
		    "; EDNS: version: 0, flags:; udp: 4096\n"
		    "; TCP KEEPALIVE: 10.0 secs\n; TCP KEEPALIVE:\n"
		    "; TCP KEEPALIVE: 00 (\".\")\n" },
		{ 0, "\0\16\0\4\0\1\0\2\0\20\0\2\0\1\0\21\0\2\0\2", 20,
		    "; EDNS: version: 0, flags:; udp: 4096\n"
		    "; KEY-TAG: 1, 2\n; CLIENT-TAG: 1\n; SERVER-TAG: 2\n" },
		{ 0, "\0\17\0\4\0\1\303\251", 8,
		    "; EDNS: version: 0, flags:; udp: 4096\n"
		    "; EDE: 1 (Unsupported DNSKEY Algorithm): (\303\251)\n" },
		{ 0, "\0\12\0\10\1\2\3\4\5\6\7\10", 12,
		    "; EDNS: version: 0, flags:; udp: 4096\n"
		    "; COOKIE: 0102030405060708 (bad)\n" }
	};
	uint8_t		 buf[200], body[100];
	struct dns_msg	 m;
	struct mk_buf	 b;
	const char	*err;
	size_t		 i, len;

	buf_init(&b, 0);
	for (i = 0; i < MK_NELEM(c); i++) {
		memcpy(body, "\0\0\51\20\0", 5);
		body[5] = (uint8_t)(c[i].ttl >> 24);
		body[6] = (uint8_t)(c[i].ttl >> 16);
		body[7] = (uint8_t)(c[i].ttl >> 8);
		body[8] = (uint8_t)c[i].ttl;
		body[9] = 0;
		body[10] = (uint8_t)c[i].len;
		memcpy(body + 11, c[i].opts, c[i].len);
		len = msg_make(buf, 0x8400, 0, 0, 1, body, 11 + c[i].len);
		buf_reset(&b);
		T_EQ_INT(dns_msg_parse(buf, len, &m, &err), 0);
		T_EQ_INT(dns_edns_to_text(&m, NULL, &b, &err), 0);
		T_EQ_STR(buf_str(&b), c[i].text);
	}
	buf_free(&b);
}

static void
query_build(void)
{
	static const uint8_t want[] = {
		0xbe, 0xef, 0x01, 0x30, 0, 1, 0, 0, 0, 0, 0, 1,
		3, 'w', 'w', 'w', 7, 'e', 'x', 'a', 'm', 'p', 'l', 'e',
		3, 'o', 'r', 'g', 0, 0, 28, 0, 1,
		0, 0, 41, 0x04, 0xd0, 0, 0, 0x80, 0, 0, 16,
		0, 3, 0, 0,
		0, 10, 0, 8, 1, 2, 3, 4, 5, 6, 7, 8
	};
	static const uint8_t cookie[8] = { 1, 2, 3, 4, 5, 6, 7, 8 };
	struct dns_qopts o;
	uint8_t		 buf[512], qn[DNS_NAME_MAX];
	size_t		 len, qnl;
	const char	*err;

	dns_name_from_text("www.example.org", qn, sizeof(qn), &qnl, &err);
	memset(&o, 0, sizeof(o));
	o.flags = DNS_F_RD | DNS_F_AD | DNS_F_CD | DNS_F_QR;
	o.edns = 1;
	o.dnssec_ok = 1;
	o.nsid = 1;
	o.cookie = cookie;
	o.cookielen = 8;
	T_EQ_INT(dns_query_build(buf, sizeof(buf), &len, 0xbeef, qn, qnl,
	    DNS_T_AAAA, DNS_C_IN, &o), 0);
	T_EQ_MEM(buf, len, want, sizeof(want));
	/* Exactly big enough, then one byte short. */
	T_EQ_INT(dns_query_build(buf, sizeof(want), &len, 0xbeef, qn, qnl,
	    DNS_T_AAAA, DNS_C_IN, &o), 0);
	T_EQ_INT(dns_query_build(buf, sizeof(want) - 1, &len, 0xbeef, qn,
	    qnl, DNS_T_AAAA, DNS_C_IN, &o), -1);
	/* No EDNS: 12 + 17 + 4 bytes, arcount 0. */
	memset(&o, 0, sizeof(o));
	o.flags = DNS_F_RD;
	T_EQ_INT(dns_query_build(buf, sizeof(buf), &len, 1, qn, qnl,
	    DNS_T_MX, DNS_C_IN, &o), 0);
	T_EQ_INT(len, 33);
	T_EQ_MEM(buf, 12, "\0\1\1\0\0\1\0\0\0\0\0\0", 12);
	T_EQ_MEM(buf + 29, 4, "\0\17\0\1", 4);
	T_EQ_INT(dns_query_build(buf, 32, &len, 1, qn, qnl, DNS_T_MX,
	    DNS_C_IN, &o), -1);
	/* A compressed or unterminated qname is refused. */
	T_EQ_INT(dns_query_build(buf, sizeof(buf), &len, 1,
	    (const uint8_t *)"\300\14", 2, DNS_T_A, DNS_C_IN, &o), -1);
	T_EQ_INT(dns_query_build(buf, sizeof(buf), &len, 1,
	    (const uint8_t *)"\3ab", 3, DNS_T_A, DNS_C_IN, &o), -1);
	/* EDNS with the default size and a bad cookie length. */
	o.edns = 1;
	T_EQ_INT(dns_query_build(buf, sizeof(buf), &len, 1, qn, qnl,
	    DNS_T_A, DNS_C_IN, &o), 0);
	T_EQ_INT(len, 44);
	T_EQ_MEM(buf + 33, 11, "\0\0\51\4\320\0\0\0\0\0\0", 11);
	o.cookie = cookie;
	o.cookielen = 9;
	T_EQ_INT(dns_query_build(buf, sizeof(buf), &len, 1, qn, qnl,
	    DNS_T_A, DNS_C_IN, &o), -1);
}

static void
reply_matches(void)
{
	struct dns_qopts o;
	uint8_t		 q[512], r[512], qn[DNS_NAME_MAX];
	size_t		 ql, qnl;
	const char	*err;

	dns_name_from_text("Www.Example.ORG.", qn, sizeof(qn), &qnl, &err);
	memset(&o, 0, sizeof(o));
	o.edns = 1;
	dns_query_build(q, sizeof(q), &ql, 0x4242, qn, qnl, DNS_T_A, DNS_C_IN,
	    &o);
	memcpy(r, q, ql);
	r[2] |= 0x80;
	T_CHECK(dns_reply_matches(q, ql, r, ql));
	/* The question's case may differ (0x20 bits). */
	r[13] = 'w';
	r[17] = 'e';
	T_CHECK(dns_reply_matches(q, ql, r, ql));
	r[1] ^= 1;
	T_CHECK(!dns_reply_matches(q, ql, r, ql));
	r[1] ^= 1;
	r[2] &= 0x7f;
	T_CHECK(!dns_reply_matches(q, ql, r, ql));
	r[2] |= 0x80 | 0x20;
	T_CHECK(!dns_reply_matches(q, ql, r, ql));
	r[2] &= ~0x20;
	r[30] = 28;
	T_CHECK(!dns_reply_matches(q, ql, r, ql));
	r[30] = 1;
	r[32] = 3;
	T_CHECK(!dns_reply_matches(q, ql, r, ql));
	r[32] = 1;
	r[14] = 'x';
	T_CHECK(!dns_reply_matches(q, ql, r, ql));
	r[14] = 'w';
	T_CHECK(dns_reply_matches(q, ql, r, ql));
	T_CHECK(!dns_reply_matches(q, ql, r, 20));
	T_CHECK(!dns_reply_matches(q, ql, r, 11));
	/* No question: only with FORMERR, NOTIMP or REFUSED. */
	r[5] = 0;
	T_CHECK(!dns_reply_matches(q, ql, r, 12));
	r[3] = DNS_R_FORMERR;
	T_CHECK(dns_reply_matches(q, ql, r, 12));
	r[3] = DNS_R_SERVFAIL;
	T_CHECK(!dns_reply_matches(q, ql, r, 12));
}

static void
reverse(void)
{
	char out[80];

	T_EQ_INT(dns_reverse_name("192.0.2.1", out, sizeof(out)), 0);
	T_EQ_STR(out, "1.2.0.192.in-addr.arpa.");
	T_EQ_INT(dns_reverse_name("2001:db8::567:89ab", out, sizeof(out)), 0);
	T_EQ_STR(out, "b.a.9.8.7.6.5.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d."
	    "0.1.0.0.2.ip6.arpa.");
	T_EQ_INT(dns_reverse_name("::ffff:192.0.2.1", out, sizeof(out)), 0);
	T_EQ_STR(out, "1.0.2.0.0.0.0.c.f.f.f.f.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0."
	    "0.0.0.0.ip6.arpa.");
	T_EQ_INT(dns_reverse_name("192.0.2", out, sizeof(out)), -1);
	T_EQ_INT(dns_reverse_name("example.org", out, sizeof(out)), -1);
	T_EQ_INT(dns_reverse_name("", out, sizeof(out)), -1);
	T_EQ_INT(dns_reverse_name("192.0.2.1", out, 23), -1);
	T_EQ_INT(dns_reverse_name("192.0.2.1", out, 24), 0);
	T_EQ_INT(dns_reverse_name("::1", out, 73), -1);
	T_EQ_INT(dns_reverse_name("::1", out, 74), 0);
}

static void
tables(void)
{
	char		tb[DNS_TYPE_TEXTMAX];
	uint16_t	v;

	T_EQ_STR(dns_type_to_text(DNS_T_A, tb), "A");
	T_EQ_STR(dns_type_to_text(DNS_T_NSEC3PARAM, tb), "NSEC3PARAM");
	T_EQ_STR(dns_type_to_text(23, tb), "NSAP-PTR");
	T_EQ_STR(dns_type_to_text(0, tb), "TYPE0");
	T_EQ_STR(dns_type_to_text(54, tb), "TYPE54");
	T_EQ_STR(dns_type_to_text(262, tb), "WALLET");
	T_EQ_STR(dns_type_to_text(32769, tb), "DLV");
	T_EQ_STR(dns_type_to_text(65400, tb), "TYPE65400");
	T_EQ_INT(dns_type_from_text("aaaa", &v), 0);
	T_EQ_INT(v, DNS_T_AAAA);
	T_EQ_INT(dns_type_from_text("TYPE65400", &v), 0);
	T_EQ_INT(v, 65400);
	T_EQ_INT(dns_type_from_text("type1", &v), 0);
	T_EQ_INT(v, 1);
	T_EQ_INT(dns_type_from_text("TA", &v), 0);
	T_EQ_INT(v, 32768);
	T_EQ_INT(dns_type_from_text("TYPE65536", &v), -1);
	T_EQ_INT(dns_type_from_text("TYPE", &v), -1);
	T_EQ_INT(dns_type_from_text("TYPE1x", &v), -1);
	T_EQ_INT(dns_type_from_text("BOGUS", &v), -1);
	T_EQ_STR(dns_class_to_text(DNS_C_IN, tb), "IN");
	T_EQ_STR(dns_class_to_text(DNS_C_CH, tb), "CH");
	T_EQ_STR(dns_class_to_text(0, tb), "RESERVED0");
	T_EQ_STR(dns_class_to_text(2, tb), "CLASS2");
	T_EQ_STR(dns_class_to_text(32, tb), "CLASS32");
	T_EQ_INT(dns_class_from_text("chaos", &v), 0);
	T_EQ_INT(v, DNS_C_CH);
	T_EQ_INT(dns_class_from_text("CLASS32", &v), 0);
	T_EQ_INT(v, 32);
	T_EQ_INT(dns_class_from_text("CLASS99999", &v), -1);
	T_EQ_STR(dns_rcode_to_text(0, tb), "NOERROR");
	T_EQ_STR(dns_rcode_to_text(11, tb), "RESERVED11");
	T_EQ_STR(dns_rcode_to_text(16, tb), "BADVERS");
	T_EQ_STR(dns_rcode_to_text(17, tb), "?17");
	T_EQ_STR(dns_rcode_to_text(23, tb), "BADCOOKIE");
	T_EQ_STR(dns_rcode_to_text(4095, tb), "?4095");
	T_EQ_STR(dns_opcode_to_text(0, tb), "QUERY");
	T_EQ_STR(dns_opcode_to_text(4, tb), "NOTIFY");
	T_EQ_STR(dns_opcode_to_text(6, tb), "RESERVED6");
	T_EQ_STR(dns_ede_name(18), "Prohibited");
	T_CHECK(dns_ede_name(25) == NULL);
}

static void
flags(void)
{
	struct mk_buf b;

	buf_init(&b, 0);
	T_EQ_INT(dns_flags_to_text(0x85f0, &b), 0);
	T_EQ_STR(buf_str(&b), " qr aa rd ra ad cd; MBZ: 0x4");
	buf_reset(&b);
	dns_flags_to_text(0x0200, &b);
	T_EQ_STR(buf_str(&b), " tc");
	buf_reset(&b);
	T_EQ_INT(dns_flags_dissect(0x8583, 3, &b), 0);
	T_EQ_STR(buf_str(&b),
	    "1... .... .... .... = Response: Message is a response\n"
	    ".000 0... .... .... = Opcode: Standard query (0)\n"
	    ".... .1.. .... .... = Authoritative: Server is an authority "
	    "for domain\n"
	    ".... ..0. .... .... = Truncated: Message is not truncated\n"
	    ".... ...1 .... .... = Recursion desired: Do query "
	    "recursively\n"
	    ".... .... 1... .... = Recursion available: Server can do "
	    "recursive queries\n"
	    ".... .... .0.. .... = Z: reserved (0)\n"
	    ".... .... ..0. .... = Answer authenticated: Answer/authority "
	    "portion was not authenticated by the server\n"
	    ".... .... ...0 .... = Non-authenticated data: Unacceptable\n"
	    ".... .... .... 0011 = Reply code: No such name (3)\n");
	buf_reset(&b);
	dns_flags_dissect(0x2a00, 0, &b);
	T_CHECK(strstr(buf_str(&b), "0... .... .... .... = Response: "
	    "Message is a query\n") != NULL);
	T_CHECK(strstr(buf_str(&b), ".010 1... .... .... = Opcode: Dynamic "
	    "update (5)\n") != NULL);
	T_CHECK(strstr(buf_str(&b), ".... ..1. .... .... = Truncated: "
	    "Message is truncated\n") != NULL);
	buf_free(&b);
}

/* Parse, and when that works print everything: must never crash. */
static int
exercise(const uint8_t *buf, size_t len, struct mk_buf *b)
{
	struct dns_msg	 m;
	struct dns_iter	 it;
	struct dns_rr	 rr;
	const char	*err;
	int		 s;

	buf_reset(b);
	if (dns_msg_parse(buf, len, &m, &err) == -1) {
		if (err == NULL)
			return -2;
		return -1;
	}
	for (s = 0; s < 4; s++) {
		dns_iter_init(&it, &m, (enum dns_section)s);
		while (dns_rr_next(&it, &rr, &err) == 1)
			if (dns_rr_to_text(buf, len, &rr, b, &err) == -1)
				return -2;
	}
	if (dns_edns_to_text(&m, NULL, b, &err) == -1)
		return -2;
	return 0;
}

/*
 * After curl's unit1650: every prefix of a valid reply must fail with a
 * reason, and every one-byte change must parse or fail cleanly (run
 * under ASan and UBSan by make check-asan).
 */
static void
prefixes_and_flips(void)
{
	static const uint8_t masks[] = { 0xff, 0x01, 0x40, 0x80, 0xc0, 0x3f };
	static const uint8_t *const msgs[] = { real_nsec3, real_svcb };
	static const size_t lens[] = { sizeof(real_nsec3), sizeof(real_svcb) };
	uint8_t		 buf[2048];
	struct mk_buf	 b;
	size_t		 i, k, j, okflips = 0;
	int		 rc;

	buf_init(&b, 0);
	for (k = 0; k < MK_NELEM(msgs); k++) {
		T_EQ_INT(exercise(msgs[k], lens[k], &b), 0);
		for (i = 0; i < lens[k]; i++) {
			/* A copy of exactly i bytes, so ASan sees overreads. */
			uint8_t *p = malloc(i > 0 ? i : 1);

			memcpy(p, msgs[k], i);
			rc = exercise(p, i, &b);
			free(p);
			if (rc != -1) {
				printf("#   prefix %zu of msg %zu: %d\n", i, k,
				    rc);
				t_cur_failed = 1;
			}
		}
		for (i = 0; i < lens[k]; i++)
			for (j = 0; j < MK_NELEM(masks); j++) {
				memcpy(buf, msgs[k], lens[k]);
				buf[i] ^= masks[j];
				rc = exercise(buf, lens[k], &b);
				T_CHECK(rc != -2);
				okflips += rc == 0;
			}
		/* Every suffix, as garbage from the start. */
		for (i = 1; i < lens[k]; i++)
			T_CHECK(exercise(msgs[k] + i, lens[k] - i, &b) != -2);
	}
	/* Some variants must still parse, or the test proves little. */
	T_CHECK(okflips > 100);
	buf_free(&b);
}

/* dns_ipv6_text() writes what glibc's inet_ntop() writes, byte for byte. */
static void
ipv6_text(void)
{
	static const uint8_t	 fixed[][16] = {
		{ 0 },
		{ [15] = 1 },
		{ [15] = 2 },
		{ [12] = 1, 2, 3, 4 },
		{ [10] = 0xff, 0xff, 192, 0, 2, 1 },
		{ [10] = 0xff, 0xfe, 192, 0, 2, 1 },
		{ [11] = 1, 0, 0, 0, 1 },
		{ 0x20, 0x01, 0x0d, 0xb8, [15] = 1 },
		{ 0xfe, 0x80 },
		{ 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1 },
		{ 0x20, 0x01, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1 },
		{ 1, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0 },
		{ 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
		  0xff, 0xff, 0xff, 0xff, 0xff, 0xff },
		{ 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1 },
	};
	uint8_t		 a[16];
	char		 got[DNS_IPV6_TEXTMAX], want[INET6_ADDRSTRLEN];
	uint32_t	 x = 2463534242u;
	size_t		 i, k, n;

	for (i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++) {
		n = dns_ipv6_text(fixed[i], got);
		T_CHECK(inet_ntop(AF_INET6, fixed[i], want, sizeof(want)) !=
		    NULL);
		T_EQ_STR(got, want);
		T_EQ_INT(n, strlen(want));
	}
	/* Random groups, each zero half the time: every shape of run. */
	for (i = 0; i < 200000; i++) {
		for (k = 0; k < 8; k++) {
			x ^= x << 13;
			x ^= x >> 17;
			x ^= x << 5;
			a[2 * k] = (x & 1) ? 0 : (uint8_t)(x >> 8);
			a[2 * k + 1] = (x & 1) ? 0 : (uint8_t)(x >> 16);
			if ((x & 6) == 6)
				a[2 * k] = 0;
		}
		if (i % 7 == 0) {
			memset(a, 0, 10);
			a[10] = a[11] = i % 14 == 0 ? 0xff : 0;
		}
		dns_ipv6_text(a, got);
		T_CHECK(inet_ntop(AF_INET6, a, want, sizeof(want)) != NULL);
		T_EQ_STR(got, want);
	}
}

/* All vectors as one big message, and its prefixes. */
static void
big_message(void)
{
	static uint8_t	 body[16384], buf[16384];
	struct mk_buf	 b;
	size_t		 i, bl = 0, len, n = 0;

	buf_init(&b, 0);
	for (i = 0; i < MK_NELEM(vecs); i++)
		if (vecs[i].line != NULL && vecs[i].type != 41) {
			bl += rr_make(body + bl, vecs[i].type, DNS_C_IN, 3600,
			    vecs[i].rdata, vecs[i].len);
			n++;
		}
	len = msg_make(buf, 0x8180, (uint16_t)n, 0, 0, body, bl);
	T_EQ_INT(exercise(buf, len, &b), 0);
	for (i = 0; i < len; i++)
		T_EQ_INT(exercise(buf, i, &b), -1);
	buf_free(&b);
}

int
main(void)
{
	T_RUN(name_from_text);
	T_RUN(name_to_text);
	T_RUN(rdata_vectors);
	T_RUN(rdata_class);
	T_RUN(rr_columns);
	T_RUN(real_reply);
	T_RUN(iter_offsets);
	T_RUN(compression);
	T_RUN(malformed);
	T_RUN(edns);
	T_RUN(edns_text);
	T_RUN(query_build);
	T_RUN(reply_matches);
	T_RUN(reverse);
	T_RUN(tables);
	T_RUN(flags);
	T_RUN(prefixes_and_flips);
	T_RUN(big_message);
	T_RUN(ipv6_text);
	T_DONE();
}
