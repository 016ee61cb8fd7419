/*
 * pop3.h: a POP3 session (RFC 1939, RFC 2449) over lib/conn.
 *
 * libcurl opens the connection and logs in (greeting, CAPA, STLS,
 * USER/PASS or SASL); pop3_ then speaks UIDL, LIST, RETR, TOP, DELE and
 * QUIT itself, pipelining commands when the server offers PIPELINING.
 *
 * The parsers (pop3_capa_parse, pop3_stat_parse, pop3_uidl_parse,
 * pop3_list_parse, pop3_data_unstuff) are pure: they take one line
 * (untrusted, len bytes, no CRLF, not NUL-terminated) and do no I/O.
 */
#ifndef POP3_H
#define POP3_H

#include <stddef.h>
#include <time.h>

#include "mcurl.h"
#include "mk.h"

#define POP3_UIDMAX	70	/* RFC 1939 7: 1 to 70 characters */
#define POP3_WINDOW	64	/* RETR commands in flight, at most */
#define POP3_HDRUID_PREFIX "sha256:"	/* of a header-hash identity */
#define POP3_HDRUID_HEX	48	/* hex digits of the hash kept (192 bits) */

/* What CAPA said (RFC 2449). */
enum {
	POP3_CAP_PIPELINING	= 1 << 0,
	POP3_CAP_UIDL		= 1 << 1,
	POP3_CAP_TOP		= 1 << 2,
	POP3_CAP_USER		= 1 << 3,
	POP3_CAP_SASL		= 1 << 4,
	POP3_CAP_STLS		= 1 << 5,
	POP3_CAP_RESPCODES	= 1 << 6
};

/* One message of the maildrop. */
struct pop3_msg {
	unsigned long	 num;			/* message number, from 1 */
	unsigned long long size;		/* octets, as LIST says */
	char		 uid[POP3_UIDMAX + 1];	/* "" when unknown */
};

/*
 * The capabilities in the lines the server sent while libcurl logged in
 * (conn_heard(): greeting, CAPA replies, ...; untrusted, len bytes).
 * The last CAPA list wins (RFC 2595: capabilities change after STLS).
 * Returns POP3_CAP_* bits; 0 when no CAPA list was seen.
 */
int	pop3_capa_parse(const char *heard, size_t len);

/*
 * "+OK nn mm" of STAT: 0 with *count and *size set, -1 if malformed.
 */
int	pop3_stat_parse(const char *line, size_t len, unsigned long *count,
	    unsigned long long *size);

/*
 * One line of a UIDL listing, "num uid": 0 with *num and uid (a C string
 * of 1 to POP3_UIDMAX bytes 0x21..0x7E) set; -1 if malformed.
 */
int	pop3_uidl_parse(const char *line, size_t len, unsigned long *num,
	    char uid[POP3_UIDMAX + 1]);

/* One line of a LIST listing, "num size": 0, or -1 if malformed. */
int	pop3_list_parse(const char *line, size_t len, unsigned long *num,
	    unsigned long long *size);

/*
 * One line of a multi-line response (RFC 1939 3).  Returns 1 for the
 * terminating "." line; else 0 with *out and *outlen the line with its
 * byte-stuffing removed (a leading '.' dropped).
 */
int	pop3_data_unstuff(const char *line, size_t len, const char **out,
	    size_t *outlen);

/*
 * The identity of a message on a server without UIDL: "sha256:" and the
 * first POP3_HDRUID_HEX hex digits of SHA-256 over its size (as LIST
 * says, in decimal, then LF) and its header block (what "TOP n 0" sent,
 * dot-unstuffed, line terminators as sent; untrusted, len bytes), into
 * uid.  Pure.
 */
void	pop3_hdr_uid(const void *hdr, size_t len, unsigned long long size,
	    char uid[POP3_UIDMAX + 1]);

/*
 * Make the identities of msgs[0..n) unique: the k-th message (k >= 2,
 * in message-number order) with the same uid as an earlier one gets
 * "+k" appended.  Only for header-hash identities (they are short
 * enough for the suffix).  Pure.  Returns how many it changed.
 */
size_t	pop3_uids_disambiguate(struct pop3_msg *msgs, size_t n);

/*
 * A Received: header (RFC 5321 4.4) for a message mpop retrieved from
 * host from and stored on host by at time t:
 *
 *	Received: from FROM by BY with POP3 (mkit mpop VERSION);
 *		Thu, 28 Nov 2026 15:19:02 +0100
 *
 * folded once, each line ending in eol ("\r\n" or "\n"), into out
 * (size bytes).  Bytes of from and by outside [A-Za-z0-9.:_[]-] become
 * '_'; a missing or empty name is "unknown".  Local time, numeric zone.
 * Returns the length, or -1 if out is too small (512 bytes are enough
 * for names of up to 200 bytes).
 */
int	pop3_received_format(char *out, size_t size, const char *from,
	    const char *by, time_t t, const char *eol);

struct pop3;

/*
 * Connect and log in as p says (see conn_open()), then read the CAPA
 * list libcurl obtained.  Errors: those of conn_open() (MK_EPERM for a
 * refused login or certificate, MK_ETEMP for network trouble, ...).
 */
struct pop3	*pop3_open(const struct mcurl_params *p, struct mk_err *e);

/* Close without QUIT (nothing is deleted) and free.  NULL is fine. */
void		 pop3_close(struct pop3 *p);

/* POP3_CAP_* bits. */
int		 pop3_caps(const struct pop3 *p);

/*
 * The maildrop: LIST and (with uids 1) UIDL, pipelined when offered.
 * *msgs (owned by the caller, free()) gets *n entries in LIST order;
 * uid is "" when the server has no UIDL (MK_EUNAVAIL from UIDL is not
 * an error then).  Errors: MK_ETEMP (connection), MK_EPROTO (a
 * malformed listing), the status of a -ERR reply.
 */
int	pop3_scan(struct pop3 *p, int uids, struct pop3_msg **msgs,
	    size_t *n, struct mk_err *e);

/*
 * Where pop3_fetch() hands each message: begin() before the first byte
 * of message idx (index into nums), data() for each piece of it (one
 * line with its terminator, CRLF or LF as the server sent it, after
 * dot-unstuffing), end() once the terminating "." line arrived.  Any of
 * them returns -1 with e filled to stop the fetch.  A message cut off
 * (connection lost, timeout) never gets its end().
 */
struct pop3_sink {
	int	(*begin)(void *arg, size_t idx, struct mk_err *e);
	int	(*data)(void *arg, const void *p, size_t n, struct mk_err *e);
	int	(*end)(void *arg, struct mk_err *e);
	void	*arg;
};

/*
 * Give every message of msgs[0..n) whose uid is "" a header-hash
 * identity (pop3_hdr_uid(), then pop3_uids_disambiguate() over all of
 * msgs): "TOP num 0" for each, pipelined when offered.  *nhashed gets
 * how many were hashed.  Errors as pop3_fetch(); a server without TOP
 * answers -ERR: MK_EUNAVAIL.
 */
int	pop3_hdr_uids(struct pop3 *p, struct pop3_msg *msgs, size_t n,
	    size_t *nhashed, struct mk_err *e);

/*
 * Retrieve messages nums[0..n): RETR, or with top >= 0 "TOP num top".
 * With PIPELINING up to POP3_WINDOW commands are in flight.  Errors:
 * MK_ETEMP (connection lost, timeout), MK_EPROTO (a bad line), the
 * status of a -ERR reply (mcurl_pop3_reply_status()), or what a sink
 * function set.  After an error the session is unusable: close it.
 */
int	pop3_fetch(struct pop3 *p, const unsigned long *nums, size_t n,
	    long top, const struct pop3_sink *s, struct mk_err *e);

/*
 * Mark nums[0..n) deleted (DELE, pipelined when offered).  Nothing is
 * removed until pop3_quit() succeeds.  Errors as pop3_fetch().
 */
int	pop3_dele(struct pop3 *p, const unsigned long *nums, size_t n,
	    struct mk_err *e);

/*
 * QUIT and its reply: only a +OK means the deletions took effect (RFC
 * 1939 6, UPDATE state).  Errors: MK_ETEMP (no reply), the status of a
 * -ERR.  The connection is done either way; pop3_close() it.
 */
int	pop3_quit(struct pop3 *p, struct mk_err *e);

#endif /* POP3_H */
