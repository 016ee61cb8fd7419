/*
 * json.h: a streaming JSON writer for the tools' --json output.
 *
 * The writer sends bytes to a sink as it goes: a FILE, an mk_buf, or any
 * function of the caller's.  It checks the calls against the grammar
 * (keys only in objects, one value per key, balanced ends, one value per
 * document) and refuses a call that would break it, so what reaches the
 * sink is always a prefix of a valid document.  The first error is
 * sticky: every later call returns -1 and writes nothing.
 *
 * Documents: a top-level value, then json_end_document(), which writes a
 * newline.  NDJSON is one object per document; a single array holding
 * every record is one document too.
 *
 * Strings are bytes, not trusted to be UTF-8: json_strn() takes any bytes
 * (NUL included) and writes valid UTF-8, with each ill-formed sequence
 * replaced by U+FFFD (one per maximal subpart, Unicode 15 section 3.9).
 * Escaped: '"', '\\', U+0000..U+001F (\b \t \n \f \r in short form,
 * others as \u00XX), DEL and the C1 controls U+0080..U+009F (so no raw
 * terminal control reaches a tty), and U+2028/U+2029 (JavaScript line
 * terminators).  '/' is not escaped.
 */
#ifndef JSON_H
#define JSON_H

#include <stddef.h>
#include <stdio.h>

#include "buf.h"
#include "mk.h"

#define JSON_MAXDEPTH	32	/* open containers at most */

enum {
	JSON_PRETTY	= 1 << 0	/* newlines and two-space indents */
};

/*
 * A sink writes n bytes and returns 0, or -1 on failure (with errno set
 * if there is one to report).
 */
struct json_w {
	int		(*sink)(void *, const char *, size_t);
	void		*arg;		/* borrowed; the sink's argument */
	FILE		*fp;		/* borrowed; json_init_file only */
	int		 flags;		/* JSON_PRETTY */
	int		 depth;		/* containers open */
	char		 kind[JSON_MAXDEPTH];	/* '{' or '[' per level */
	char		 nonempty[JSON_MAXDEPTH]; /* level has a member */
	int		 havekey;	/* a key waits for its value */
	int		 done;		/* the top-level value is complete */
	enum mk_status	 st;		/* first error, MK_OK if none */
	const char	*err;		/* static text of the first error */
	int		 errnum;	/* errno of a failed write, or 0 */
};

/*
 * Start a writer.  fp and b stay borrowed while the writer is used.
 * Writing to fp uses fwrite; errors show up at once or at
 * json_end_document(), which flushes fp.  b grows within its own cap;
 * hitting the cap is an error (MK_ESOFTWARE).
 */
void	json_init_file(struct json_w *w, FILE *fp, int flags);
void	json_init_buf(struct json_w *w, struct mk_buf *b, int flags);
void	json_init_sink(struct json_w *w,
	    int (*sink)(void *, const char *, size_t), void *arg, int flags);

/*
 * Containers.  Each returns 0, or -1 when the call is misplaced, nesting
 * would pass JSON_MAXDEPTH, or the sink failed.
 */
int	json_obj_begin(struct json_w *w);
int	json_obj_end(struct json_w *w);
int	json_arr_begin(struct json_w *w);
int	json_arr_end(struct json_w *w);

/* The key of the next member; only inside an object, once per value. */
int	json_key(struct json_w *w, const char *key);

/*
 * Values.  json_str() takes a C string, or NULL for null.  json_strn()
 * takes n bytes of anything (untrusted data is fine).
 */
int	json_str(struct json_w *w, const char *s);
int	json_strn(struct json_w *w, const void *p, size_t n);
int	json_int(struct json_w *w, long long v);
int	json_uint(struct json_w *w, unsigned long long v);
int	json_bool(struct json_w *w, int v);
int	json_null(struct json_w *w);

/*
 * A value already written as JSON by the caller (n bytes, not checked):
 * for a hot path that renders a fixed shape itself and a slower writer
 * that embeds the same rendering.
 */
int	json_raw(struct json_w *w, const void *p, size_t n);

/* json_key() followed by the value. */
int	json_kv_str(struct json_w *w, const char *key, const char *s);
int	json_kv_strn(struct json_w *w, const char *key, const void *p,
	    size_t n);
int	json_kv_int(struct json_w *w, const char *key, long long v);
int	json_kv_uint(struct json_w *w, const char *key,
	    unsigned long long v);
int	json_kv_bool(struct json_w *w, const char *key, int v);

/*
 * End the document: checks that one complete value was written, writes
 * "\n" and flushes a FILE.  The next value starts a new document.
 */
int	json_end_document(struct json_w *w);

/*
 * 0 if no error happened; else -1 with e (when not NULL) filled:
 * MK_ESOFTWARE for misuse or a full mk_buf, MK_EIO for a failed write
 * (FILE or sink function; with strerror when errno was set).
 */
int	json_error(const struct json_w *w, struct mk_err *e);

/*
 * Append p[0..n) to b as a quoted JSON string, escaped as above.
 * -1 if b cannot grow (b then holds part of the string).
 */
int	json_quote(struct mk_buf *b, const void *p, size_t n);

#endif /* JSON_H */
