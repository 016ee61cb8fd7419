/*
 * test_res.c: the pure parts of the DNS transport: resolv.conf text,
 * server addresses, the search list with ndots, and a query driven by
 * hand through its states against a socket pair of our own.
 */
#include <sys/socket.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include <poll.h>
#include <string.h>
#include <unistd.h>

#include "res.h"
#include "t.h"

#define CONF(c, s)	do {						\
	res_conf_init(c);						\
	res_conf_parse(c, s, sizeof(s) - 1);				\
} while (0)

static void
conf_defaults(void)
{
	struct res_conf c;

	CONF(&c, "");
	T_EQ_INT(c.nns, 1);
	T_EQ_STR(c.ns[0].text, "127.0.0.1#53");
	T_EQ_INT(c.nsearch, 0);
	T_EQ_INT(c.ndots, 1);
	T_EQ_INT(c.timeout, 5);
	T_EQ_INT(c.attempts, 0);
	T_EQ_INT(c.rotate, 0);
}

static void
conf_full(void)
{
	struct res_conf c;

	CONF(&c, "# generated\n"
	    "; also a comment\n"
	    "nameserver 192.0.2.53\n"
	    "nameserver\t2001:db8::53   # trailing words are ignored\n"
	    "search example.org. example.net\n"
	    "options ndots:2 timeout:3 attempts:4 rotate edns0\n");
	T_EQ_INT(c.nns, 2);
	T_EQ_STR(c.ns[0].text, "192.0.2.53#53");
	T_EQ_STR(c.ns[1].text, "2001:db8::53#53");
	T_EQ_INT(c.ns[1].ss.ss_family, AF_INET6);
	T_EQ_INT(c.nsearch, 2);
	T_EQ_STR(c.search[0], "example.org");
	T_EQ_STR(c.search[1], "example.net");
	T_EQ_INT(c.ndots, 2);
	T_EQ_INT(c.timeout, 3);
	T_EQ_INT(c.attempts, 4);
	T_EQ_INT(c.rotate, 1);
}

static void
conf_limits(void)
{
	struct res_conf c;

	/* Three servers at most; bad addresses skipped; CRLF lines. */
	CONF(&c, "nameserver 10.0.0.1\r\nnameserver not-an-address\n"
	    "nameserver 10.0.0.2\nnameserver 10.0.0.3\n"
	    "nameserver 10.0.0.4\n");
	T_EQ_INT(c.nns, 3);
	T_EQ_STR(c.ns[0].text, "10.0.0.1#53");
	T_EQ_STR(c.ns[2].text, "10.0.0.3#53");
	/* Values clamped as glibc does; garbage ignored. */
	CONF(&c, "options ndots:99 timeout:0 attempts:100\n");
	T_EQ_INT(c.ndots, 15);
	T_EQ_INT(c.timeout, 1);
	T_EQ_INT(c.attempts, 5);
	CONF(&c, "options ndots:x timeout: attempts:-1\n");
	T_EQ_INT(c.ndots, 1);
	T_EQ_INT(c.timeout, 5);
	T_EQ_INT(c.attempts, 0);
	/* The last of domain and search wins; domain takes one name. */
	CONF(&c, "search a.example b.example\ndomain c.example d.example\n");
	T_EQ_INT(c.nsearch, 1);
	T_EQ_STR(c.search[0], "c.example");
	CONF(&c, "domain c.example\nsearch a b c d e f g h\n");
	T_EQ_INT(c.nsearch, RES_MAXSEARCH);
	T_EQ_STR(c.search[5], "f");
	/* An mkit extension: a port after '#'. */
	CONF(&c, "nameserver 127.0.0.1#5353\n");
	T_EQ_STR(c.ns[0].text, "127.0.0.1#5353");
	T_EQ_INT(c.ns[0].portset, 1);
	/* No final newline, a NUL ends the line, keywords need a blank. */
	CONF(&c, "nameserverx 10.0.0.9\nnameserver 10.0.0.8\0junk\n"
	    "search z.example");
	T_EQ_INT(c.nns, 1);
	T_EQ_STR(c.ns[0].text, "10.0.0.8#53");
	T_EQ_STR(c.search[0], "z.example");
}

static void
server_parse(void)
{
	struct res_server	s;
	struct mk_err		e;

	T_EQ_INT(res_server_parse("192.0.2.1", 53, &s, &e), 0);
	T_EQ_STR(s.text, "192.0.2.1#53");
	T_EQ_INT(s.portset, 0);
	T_EQ_INT(res_server_parse("192.0.2.1#5300", 53, &s, &e), 0);
	T_EQ_STR(s.text, "192.0.2.1#5300");
	T_EQ_INT(s.portset, 1);
	T_EQ_INT(res_server_parse("::1", 5353, &s, &e), 0);
	T_EQ_STR(s.text, "::1#5353");
	T_EQ_INT(res_server_parse("[2001:db8::1]#54", 53, &s, &e), 0);
	T_EQ_STR(s.text, "2001:db8::1#54");
	T_EQ_INT(res_server_parse("fe80::1%2#53", 53, &s, &e), 0);
	T_EQ_STR(s.text, "fe80::1%2#53");
	res_server_setport(&s, 99);
	T_EQ_STR(s.text, "fe80::1%2#99");
	T_EQ_INT(res_server_parse("192.0.2.1#0", 53, &s, &e), -1);
	T_EQ_INT(e.st, MK_EUSAGE);
	T_EQ_INT(res_server_parse("192.0.2.1#65536", 53, &s, &e), -1);
	T_EQ_INT(res_server_parse("192.0.2.1#", 53, &s, &e), -1);
	T_EQ_INT(res_server_parse("ns.example", 53, &s, &e), -1);
	T_EQ_INT(res_server_parse("", 53, &s, &e), -1);
	T_EQ_INT(res_server_parse("1.2.3", 53, &s, &e), -1);
}

/* All candidates of the search list, joined by spaces. */
static const char *
search_all(const struct res_conf *c, const char *name)
{
	static char	all[2048];
	char		one[DNS_NAME_TEXTMAX];
	size_t		l = 0;
	int		st = 0, rc;

	all[0] = '\0';
	while ((rc = res_search_next(c, name, &st, one, sizeof(one))) != 0) {
		if (rc == -1) {
			snprintf(all + l, sizeof(all) - l, "%s! ",
			    l > 0 ? "" : "");
			l = strlen(all);
			continue;
		}
		snprintf(all + l, sizeof(all) - l, "%s%s", l > 0 ? " " : "",
		    one);
		l = strlen(all);
	}
	return all;
}

static void
search_list(void)
{
	struct res_conf	c;
	char		small[8];
	int		st = 0;

	CONF(&c, "search a.example b.example\n");
	/* Fewer dots than ndots (1): the search list first, itself last. */
	T_EQ_STR(search_all(&c, "www"),
	    "www.a.example. www.b.example. www.");
	/* As many dots as ndots: itself first. */
	T_EQ_STR(search_all(&c, "www.x"),
	    "www.x. www.x.a.example. www.x.b.example.");
	/* Absolute: only itself. */
	T_EQ_STR(search_all(&c, "www.x."), "www.x.");
	T_EQ_STR(search_all(&c, "."), ".");
	CONF(&c, "search a.example\noptions ndots:3\n");
	T_EQ_STR(search_all(&c, "a.b.c"), "a.b.c.a.example. a.b.c.");
	T_EQ_STR(search_all(&c, "a.b.c.d"), "a.b.c.d. a.b.c.d.a.example.");
	CONF(&c, "options ndots:0\n");
	T_EQ_STR(search_all(&c, "www"), "www.");
	CONF(&c, "");
	T_EQ_STR(search_all(&c, "www"), "www.");
	T_EQ_STR(search_all(&c, ""), "");
	/* A candidate that does not fit is -1, and the walk goes on. */
	CONF(&c, "search a-much-longer-domain.example\n");
	T_EQ_INT(res_search_next(&c, "ab", &st, small, sizeof(small)), -1);
	T_EQ_INT(res_search_next(&c, "ab", &st, small, sizeof(small)), 1);
	T_EQ_STR(small, "ab.");
	T_EQ_INT(res_search_next(&c, "ab", &st, small, sizeof(small)), 0);
	T_EQ_INT(res_search_next(&c, "ab", &st, small, sizeof(small)), 0);
}

/*
 * A query driven by hand: the "server" is a UDP socket of ours on
 * loopback.  It checks what res_q_want asks for, that a reply with the
 * wrong ID is ignored and counted, and that the right one finishes it.
 */
static void
q_machine(void)
{
	struct res_params	 p;
	struct res_result	 r;
	struct res_q		*q;
	struct mk_err		 e;
	struct sockaddr_in	 sin;
	socklen_t		 sl = sizeof(sin);
	struct sockaddr_storage	 from;
	socklen_t		 fl = sizeof(from);
	uint8_t			 wire[DNS_NAME_MAX], pkt[512];
	const char		*err;
	size_t			 wlen;
	ssize_t			 n;
	int			 srv, fd;
	short			 ev;
	int64_t			 dl;

	srv = socket(AF_INET, SOCK_DGRAM, 0);
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	T_CHECK(bind(srv, (struct sockaddr *)&sin, sizeof(sin)) == 0);
	T_CHECK(getsockname(srv, (struct sockaddr *)&sin, &sl) == 0);
	memset(&p, 0, sizeof(p));
	T_EQ_INT(res_server_parse("127.0.0.1", ntohs(sin.sin_port),
	    &p.servers[0], &e), 0);
	p.nservers = 1;
	p.timeout_ms = 2000;
	p.rd = 1;
	p.edns = 1;
	T_EQ_INT(dns_name_from_text("www.example.", wire, sizeof(wire), &wlen,
	    &err), 1);
	q = res_q_new(&p, wire, wlen, DNS_T_A, DNS_C_IN, &e);
	T_CHECK(q != NULL);
	if (q == NULL)
		return;
	T_EQ_INT(res_q_start(q, &e), RES_Q_WAIT);
	res_q_want(q, &fd, &ev, &dl);
	T_CHECK(fd >= 0);
	T_EQ_INT(ev, POLLIN);
	T_CHECK(dl > res_now_ms() + 1000);
	/* The server reads the query (with an OPT record)... */
	n = recvfrom(srv, pkt, sizeof(pkt), 0, (struct sockaddr *)&from, &fl);
	T_EQ_INT(n, 12 + 13 + 4 + 11);
	/* ...and first answers with another ID: ignored. */
	pkt[2] |= 0x80;
	pkt[1] ^= 1;
	sendto(srv, pkt, (size_t)n, 0, (struct sockaddr *)&from, fl);
	usleep(20000);
	T_EQ_INT(res_q_step(q, POLLIN, &e), RES_Q_WAIT);
	/* Before the deadline, no event is no news. */
	T_EQ_INT(res_q_step(q, 0, &e), RES_Q_WAIT);
	pkt[1] ^= 1;
	sendto(srv, pkt, (size_t)n, 0, (struct sockaddr *)&from, fl);
	usleep(20000);
	T_EQ_INT(res_q_step(q, POLLIN, &e), RES_Q_DONE);
	res_q_result(q, &r);
	T_EQ_INT(r.len, n);
	T_EQ_INT(r.stats.badid, 1);
	T_EQ_INT(r.stats.sent, 1);
	T_EQ_INT(r.tcp, 0);
	T_EQ_STR(r.server, p.servers[0].text);
	res_q_free(q);
	close(srv);
	res_q_free(NULL);
}

/*
 * res_q_reset: one res_q asks one name after the other, as a batch
 * does.  The UDP socket stays (the same descriptor) but every query
 * leaves from a new source port; a datagram sent to the old port does
 * not reach the new query; a reply with the right ID but another
 * question is ignored and counted; the counters start again at zero.
 */
static void
q_reset(void)
{
	struct res_params	 p;
	struct res_result	 r;
	struct res_q		*q;
	struct mk_err		 e;
	struct sockaddr_in	 sin, from, old;
	socklen_t		 sl = sizeof(sin), fl;
	uint8_t			 wire[DNS_NAME_MAX], pkt[512], other[512];
	const char		*err;
	size_t			 wlen;
	ssize_t			 n, on;
	int			 srv, fd, fd2, i;
	short			 ev;
	int64_t			 dl;

	srv = socket(AF_INET, SOCK_DGRAM, 0);
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	T_CHECK(bind(srv, (struct sockaddr *)&sin, sizeof(sin)) == 0);
	T_CHECK(getsockname(srv, (struct sockaddr *)&sin, &sl) == 0);
	memset(&p, 0, sizeof(p));
	T_EQ_INT(res_server_parse("127.0.0.1", ntohs(sin.sin_port),
	    &p.servers[0], &e), 0);
	p.nservers = 1;
	p.timeout_ms = 2000;
	p.rd = 1;
	T_EQ_INT(dns_name_from_text("a.example.", wire, sizeof(wire), &wlen,
	    &err), 1);
	q = res_q_new(&p, wire, wlen, DNS_T_A, DNS_C_IN, &e);
	T_CHECK(q != NULL);
	if (q == NULL)
		return;
	/* A res_q that never ran may be reset too. */
	T_EQ_INT(res_q_reset(q, wire, wlen, DNS_T_A, DNS_C_IN, &e), 0);
	T_EQ_INT(res_q_start(q, &e), RES_Q_WAIT);
	res_q_want(q, &fd, &ev, &dl);
	fl = sizeof(from);
	n = recvfrom(srv, pkt, sizeof(pkt), 0, (struct sockaddr *)&from, &fl);
	T_CHECK(n > 12);
	pkt[2] |= 0x80;
	sendto(srv, pkt, (size_t)n, 0, (struct sockaddr *)&from, fl);
	usleep(20000);
	T_EQ_INT(res_q_step(q, POLLIN, &e), RES_Q_DONE);
	old = from;
	/* The next names, on the same socket, each from a new port. */
	for (i = 0; i < 3; i++) {
		T_EQ_INT(dns_name_from_text(i % 2 ? "b.example." :
		    "c.example.", wire, sizeof(wire), &wlen, &err), 1);
		T_EQ_INT(res_q_reset(q, wire, wlen, DNS_T_AAAA, DNS_C_IN,
		    &e), 0);
		res_q_result(q, &r);
		T_CHECK(r.reply == NULL);
		T_EQ_INT(res_q_start(q, &e), RES_Q_WAIT);
		res_q_want(q, &fd2, &ev, &dl);
		T_EQ_INT(fd2, fd);
		fl = sizeof(from);
		n = recvfrom(srv, pkt, sizeof(pkt), 0,
		    (struct sockaddr *)&from, &fl);
		T_CHECK(n > 12);
		T_CHECK(from.sin_port != old.sin_port);
		/* A late answer to the port given up: the kernel drops it. */
		pkt[2] |= 0x80;
		sendto(srv, pkt, (size_t)n, 0, (struct sockaddr *)&old,
		    sizeof(old));
		/* The right ID, another question (the name before): ignored. */
		memcpy(other, pkt, (size_t)n);
		other[12 + 1] = (uint8_t)(other[12 + 1] == 'b' ? 'c' : 'b');
		on = n;
		sendto(srv, other, (size_t)on, 0, (struct sockaddr *)&from,
		    fl);
		usleep(20000);
		T_EQ_INT(res_q_step(q, POLLIN, &e), RES_Q_WAIT);
		sendto(srv, pkt, (size_t)n, 0, (struct sockaddr *)&from, fl);
		usleep(20000);
		T_EQ_INT(res_q_step(q, POLLIN, &e), RES_Q_DONE);
		res_q_result(q, &r);
		T_EQ_INT(r.len, n);
		T_EQ_INT(r.stats.sent, 1);
		T_EQ_INT(r.stats.badid, 0);
		T_EQ_INT(r.stats.badquestion, 1);
		old = from;
	}
	/* A bad name length is refused. */
	T_EQ_INT(res_q_reset(q, wire, 0, DNS_T_A, DNS_C_IN, &e), -1);
	T_EQ_INT(e.st, MK_ESOFTWARE);
	res_q_free(q);
	close(srv);
}

/* Bad parameters are refused before anything is sent. */
static void
q_bad_params(void)
{
	struct res_params	p;
	struct mk_err		e;
	uint8_t			root = 0;

	memset(&p, 0, sizeof(p));
	p.timeout_ms = 1000;
	T_CHECK(res_q_new(&p, &root, 1, 1, 1, &e) == NULL);
	T_EQ_INT(e.st, MK_ESOFTWARE);
	p.nservers = 1;
	p.timeout_ms = 0;
	T_CHECK(res_q_new(&p, &root, 1, 1, 1, &e) == NULL);
}

/* res_doh_new refuses what is not an https:// URL, before loading. */
static void
doh_url(void)
{
	struct res_doh_params	 p;
	struct mk_err		 e;

	memset(&p, 0, sizeof(p));
	p.timeout_ms = 1000;
	p.url = "http://127.0.0.1/dns-query";
	T_CHECK(res_doh_new(&p, &e) == NULL);
	T_EQ_INT(e.st, MK_EUSAGE);
	p.url = "ftp://x/";
	T_CHECK(res_doh_new(&p, &e) == NULL);
	p.url = "https://x/\r\nHost: y";
	T_CHECK(res_doh_new(&p, &e) == NULL);
	T_EQ_INT(e.st, MK_EUSAGE);
}

int
main(void)
{
	T_RUN(conf_defaults);
	T_RUN(conf_full);
	T_RUN(conf_limits);
	T_RUN(server_parse);
	T_RUN(search_list);
	T_RUN(q_machine);
	T_RUN(q_reset);
	T_RUN(q_bad_params);
	T_RUN(doh_url);
	T_DONE();
}
