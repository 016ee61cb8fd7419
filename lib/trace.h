/*
 * trace.h: the --trace transcript.  One line per protocol line:
 *
 *	C: EHLO example.org		client to server
 *	S: 250-mail.example.org		server to client
 *	* Connected to ...		libcurl's own notes
 *	C: <1234 bytes of data>		message data, summed up, not shown
 *
 * ALL credential redaction happens here, in trace_redact(), which has no
 * I/O and is unit tested.  What it hides (commands case-insensitive):
 *   SMTP  AUTH mech <initial-response>	-> AUTH mech ****
 *         every client line while an AUTH exchange runs or after a 334
 *   POP3  PASS <secret>			-> PASS ****
 *         APOP user <digest>		-> APOP user ****
 *         AUTH as SMTP; continuations after a "+ " line
 *   IMAP  tag LOGIN user <password>	-> tag LOGIN user ****
 *         (user as atom or quoted string; a literal user hides all
 *         after LOGIN; a password literal hides the following lines)
 *         tag AUTHENTICATE mech <ir>	-> tag AUTHENTICATE mech ****
 *         every client line until the tagged reply to LOGIN (with a
 *         literal) or AUTHENTICATE
 * The exchange ends at the server's final reply (SMTP code other than
 * 334, POP3 +OK/-ERR, IMAP tagged reply or BYE).  When unsure, it hides
 * more, never less.
 *
 * Every line is also made safe for a terminal: bytes other than printable
 * ASCII and TAB are shown as \xNN (so UTF-8 shows as escapes too); one
 * trailing CR LF, LF or CR is dropped; a line past TRACE_LINEMAX bytes is
 * cut and ends in "... (N more bytes)".
 */
#ifndef TRACE_H
#define TRACE_H

#include <stddef.h>
#include <stdio.h>

#include "buf.h"
#include "mk.h"

#define TRACE_LINEMAX	1024	/* bytes of a line shown, at most */
#define TRACE_PARTMAX	65536	/* bytes of a partial line kept by feed */
#define TRACE_TAGMAX	32	/* bytes of an IMAP tag remembered */

/* Which rules apply.  TRACE_ANY applies all of them (hides the most). */
enum trace_proto {
	TRACE_ANY = 0,
	TRACE_SMTP,
	TRACE_POP3,
	TRACE_IMAP
};

/* Where a line comes from. */
enum trace_dir {
	TRACE_C = 0,		/* client to server, "C: " */
	TRACE_S = 1,		/* server to client, "S: " */
	TRACE_I = 2		/* a note (libcurl's text), "* ", no state */
};

struct trace_state {
	FILE		*fp;		/* borrowed; NULL: track state only */
	enum trace_proto proto;
	int		 auth;		/* an authentication exchange runs */
	int		 cont;		/* server's last line asked to go on */
	char		 tag[TRACE_TAGMAX + 1];	/* IMAP tag of that exchange */
	struct mk_buf	 part[3];	/* trace_feed: partial line per dir */
	size_t		 extra[3];	/* bytes dropped past TRACE_PARTMAX */
	int		 lastcr[3];	/* last byte fed to part was CR */
	unsigned long long data[2];	/* trace_data bytes not yet shown */
	struct mk_buf	 out;		/* scratch for one formatted line */
};

/* Start with no exchange in progress.  fp stays borrowed. */
void	trace_init(struct trace_state *ts, FILE *fp, enum trace_proto proto);

/* Free the buffers (trace_flush() first to keep pending output). */
void	trace_free(struct trace_state *ts);

/*
 * The transcript text of one line, without prefix or newline, appended
 * to out: redacted (dir TRACE_C), escaped and cut as described above.
 * Updates ts: a TRACE_S line can start or end a continuation, a TRACE_C
 * line can start an exchange.  line is untrusted and may hold any byte.
 * -1 if out cannot grow.
 */
int	trace_redact(struct trace_state *ts, enum trace_dir dir,
	    const void *line, size_t len, struct mk_buf *out);

/*
 * Write one line (with its prefix and a newline) to ts->fp, after any
 * pending data summary.  -1 on a write error or out of memory.
 */
int	trace_line(struct trace_state *ts, enum trace_dir dir,
	    const void *line, size_t len);

/*
 * Feed a chunk of a byte stream: it may end inside a line or hold many
 * lines.  Whole lines go to trace_line(); the rest waits, per direction,
 * for the next chunk or trace_flush().  -1 as for trace_line().
 */
int	trace_feed(struct trace_state *ts, enum trace_dir dir,
	    const void *data, size_t len);

/*
 * Count n bytes of message data sent (TRACE_C) or received (TRACE_S).
 * They show as one "<N bytes of data>" line before the next line.
 */
void	trace_data(struct trace_state *ts, enum trace_dir dir, size_t n);

/* Write pending partial lines and data summaries.  -1 on write error. */
int	trace_flush(struct trace_state *ts);

#endif /* TRACE_H */
