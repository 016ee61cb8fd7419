/*
 * fetch.c: fetch, raw on stdout, as an mboxrd stream, into a Maildir,
 * or as JSON; message data streams through and never sits whole in
 * memory.
 */
#include <ctype.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sysexits.h>
#include <time.h>

#include "b64.h"
#include "buf.h"
#include "imap.h"
#include "json.h"
#include "maildir.h"
#include "mk.h"
#include "qp.h"

#include "mimap.h"

enum { OUT_RAW, OUT_MBOX, OUT_MAILDIR, OUT_JSON };

/* Strict UTF-8 (RFC 3629) checked a piece at a time. */
struct utf8_check {
	int		 bad;		/* an ill-formed sequence was seen */
	int		 need;		/* continuation bytes still due */
	unsigned char	 lo, hi;	/* range of the next one */
};

struct fetcher {
	int		 mode;		/* OUT_* */
	int		 json;
	struct json_w	 w;
	struct maildir	*md;
	uint32_t	*pending;	/* UIDs in the Maildir batch */
	size_t		 npending;
	struct uidlist	 got;		/* UIDs whose body came */
	/* mboxrd quoting (">From " lines) across pieces */
	int		 bol;		/* at the start of a line */
	size_t		 gts;		/* '>' held at the line start */
	size_t		 from;		/* bytes of "From " matched */
	int		 last;		/* last byte written */
	/* --decode: per response, the part's MIME header comes first */
	int		 want_decode;	/* --decode given */
	int		 decode;	/* this body: 0, 'b' base64, 'q' QP */
	int		 inmime;	/* receiving the part's MIME header */
	int		 have_mime;	/* this response's MIME header came */
	int		 body_early;	/* a body came before its MIME header */
	struct mk_buf	 mime;
	struct b64_dec	 b64;
	struct qp_dec	 qp;
	/* --json: the body spooled, then written as one string */
	FILE		*spool;
	uint64_t	 spooled;	/* bytes in spool */
	int		 have_body;	/* this response's body came */
	struct utf8_check u8;
};

static int
wr(const void *p, size_t n, struct mk_err *e)
{
	if (n > 0 && fwrite(p, 1, n, stdout) != n)
		return mk_seterrno(e, MK_EIO, errno, "write standard output");
	return 0;
}

/* Write what the mboxrd state holds back. */
static int
mbox_release(struct fetcher *F, int quote, struct mk_err *e)
{
	static const char gt[] = ">>>>>>>>>>>>>>>>";
	size_t n;

	if (quote && wr(">", 1, e) == -1)
		return -1;
	for (n = F->gts; n > 0; n -= n > 16 ? 16 : n)
		if (wr(gt, n > 16 ? 16 : n, e) == -1)
			return -1;
	if (wr("From ", F->from, e) == -1)
		return -1;
	F->gts = F->from = 0;
	F->bol = 0;
	return 0;
}

/* mboxrd: a line matching ^>*From gets one more '>'. */
static int
mbox_data(struct fetcher *F, const char *p, size_t n, struct mk_err *e)
{
	size_t	i, start = 0;

	for (i = 0; i < n; i++) {
		if (F->bol) {
			if (F->from == 0 && p[i] == '>') {
				F->gts++;
				start = i + 1;
				continue;
			}
			if (p[i] == "From "[F->from]) {
				start = i + 1;
				if (++F->from == 5 && mbox_release(F, 1, e) == -1)
					return -1;
				continue;
			}
			if (mbox_release(F, 0, e) == -1)
				return -1;
			start = i;
		}
		if (p[i] == '\n') {
			if (wr(p + start, i + 1 - start, e) == -1)
				return -1;
			start = i + 1;
			F->bol = 1;
		}
	}
	if (!F->bol && wr(p + start, n - start, e) == -1)
		return -1;
	if (n > 0)
		F->last = (unsigned char)p[n - 1];
	return 0;
}

/* Feed n bytes to the UTF-8 check. */
static void
utf8_feed(struct utf8_check *u, const unsigned char *p, size_t n)
{
	size_t		i;
	unsigned char	c;

	for (i = 0; i < n && !u->bad; i++) {
		c = p[i];
		if (u->need > 0) {
			if (c < u->lo || c > u->hi)
				u->bad = 1;
			u->need--;
			u->lo = 0x80;
			u->hi = 0xbf;
			continue;
		}
		u->lo = 0x80;
		u->hi = 0xbf;
		if (c < 0x80)
			continue;
		if (c >= 0xc2 && c <= 0xdf)
			u->need = 1;
		else if (c >= 0xe0 && c <= 0xef) {
			u->need = 2;
			if (c == 0xe0)
				u->lo = 0xa0;	/* no overlong forms */
			else if (c == 0xed)
				u->hi = 0x9f;	/* no surrogates */
		} else if (c >= 0xf0 && c <= 0xf4) {
			u->need = 3;
			if (c == 0xf0)
				u->lo = 0x90;
			else if (c == 0xf4)
				u->hi = 0x8f;	/* no more than U+10FFFF */
		} else
			u->bad = 1;
	}
}

/* The key names message data (as imap_sink takes it). */
static int
key_is_body(const struct imap_item *key)
{
	return strncasecmp(key->s, "BODY[", 5) == 0 ||
	    strncasecmp(key->s, "BINARY[", 7) == 0 ||
	    (strncasecmp(key->s, "RFC822", 6) == 0 &&
	    strcasecmp(key->s, "RFC822.SIZE") != 0);
}

/* The key's section is a MIME header: "BODY[2.MIME]". */
static int
key_is_mime(const struct imap_item *key)
{
	return key != NULL && key->len > 6 &&
	    strcasecmp(key->s + key->len - 6, ".MIME]") == 0;
}

/* The Content-Transfer-Encoding of the MIME header F holds: 'b', 'q', 0. */
static int
mime_cte(const struct fetcher *F)
{
	const char	*v;
	size_t		 i;
	int		 cte = 0;

	for (i = 0; i + 26 < F->mime.len; i++) {
		if ((i > 0 && F->mime.p[i - 1] != '\n') ||
		    strncasecmp((char *)F->mime.p + i,
		    "Content-Transfer-Encoding:", 26) != 0)
			continue;
		v = (char *)F->mime.p + i + 26;
		while (*v == ' ' || *v == '\t')
			v++;
		if (strncasecmp(v, "base64", 6) == 0)
			cte = 'b';
		else if (strncasecmp(v, "quoted-printable", 16) == 0)
			cte = 'q';
		else
			cte = 0;
	}
	return cte;
}

/*
 * The start of a body (the section named by key) or of the part's MIME
 * header; r is the response so far.
 */
static int
body_begin(struct fetcher *F, const struct imap_resp *r,
    const struct imap_item *key, struct mk_err *e)
{
	const struct imap_item	*date = NULL;
	char			 line[80];
	struct tm		 tm;
	time_t			 t = 0;
	long			 off;
	size_t			 i;

	if ((F->inmime = key_is_mime(key))) {
		buf_reset(&F->mime);
		F->have_mime = 1;
		return 0;
	}
	F->decode = 0;
	if (F->want_decode) {
		if (!F->have_mime)
			F->body_early = 1;
		F->decode = mime_cte(F);
		b64_dec_init(&F->b64, 1);
		qp_dec_init(&F->qp, 1);
	}
	F->have_body = 1;
	switch (F->mode) {
	case OUT_MAILDIR:
		return maildir_add_begin(F->md, e);
	case OUT_JSON:
		if (F->spool == NULL && (F->spool = tmpfile()) == NULL)
			return mk_seterrno(e, MK_ECANTCREAT, errno,
			    "temporary file");
		rewind(F->spool);
		F->spooled = 0;
		memset(&F->u8, 0, sizeof(F->u8));
		return 0;
	case OUT_MBOX:
		for (i = 3; i + 1 < r->nitems; i++)
			if (imap_item_is(&r->items[i], "INTERNALDATE") &&
			    r->items[i + 1].type == IMAP_T_STRING)
				date = &r->items[i + 1];
		if (date != NULL && date_parse(date->s, date->len, &tm,
		    &off) == 0)
			t = timegm(&tm) - off;
		gmtime_r(&t, &tm);
		strftime(line, sizeof(line), "From MAILER-DAEMON %a %b %e "
		    "%H:%M:%S %Y\n", &tm);
		F->bol = 1;
		F->gts = F->from = 0;
		F->last = '\n';
		return wr(line, strlen(line), e);
	}
	return 0;
}

/* The sink's begin: the literal's key is the atom before it. */
static int
fetch_begin(void *arg, const struct imap_resp *r, uint64_t n,
    struct mk_err *e)
{
	const struct imap_item *key = NULL;

	(void)n;
	if (r->nitems >= 2 && r->items[r->nitems - 2].type == IMAP_T_ATOM)
		key = &r->items[r->nitems - 2];
	return body_begin(arg, r, key, e);
}

static int
fetch_out(struct fetcher *F, const void *p, size_t n, struct mk_err *e)
{
	switch (F->mode) {
	case OUT_MAILDIR:
		return maildir_write(F->md, p, n, e);
	case OUT_MBOX:
		return mbox_data(F, p, n, e);
	case OUT_JSON:
		utf8_feed(&F->u8, p, n);
		if (n > 0 && fwrite(p, 1, n, F->spool) != n)
			return mk_seterrno(e, MK_EIO, errno, "temporary file");
		F->spooled += n;
		return 0;
	}
	return wr(p, n, e);
}

static int
fetch_data(void *arg, const void *p, size_t n, struct mk_err *e)
{
	struct fetcher	*F = arg;
	uint8_t		 out[B64_DEC_BOUND(16384) + QP_DEC_BOUND(16384)];
	size_t		 take, olen;

	if (F->inmime) {
		if (F->mime.len + n > 65536)
			return 0;	/* a huge MIME header: keep the start */
		return buf_add(&F->mime, p, n) == -1 ?
		    mk_seterr(e, MK_ESOFTWARE, "out of memory") : 0;
	}
	if (F->decode != 'b' && F->decode != 'q')
		return fetch_out(F, p, n, e);
	while (n > 0) {
		take = n > 16384 ? 16384 : n;
		if (F->decode == 'b')
			(void)b64_dec_update(&F->b64, p, take, out, &olen);
		else
			(void)qp_dec_update(&F->qp, p, take, out, &olen);
		if (fetch_out(F, out, olen, e) == -1)
			return -1;
		p = (const char *)p + take;
		n -= take;
	}
	return 0;
}

static int
fetch_end(void *arg, struct mk_err *e)
{
	struct fetcher	*F = arg;
	uint8_t		 out[64];
	size_t		 olen = 0;

	if (F->inmime) {
		F->inmime = 0;
		return 0;
	}
	if (F->decode == 'b')
		(void)b64_dec_final(&F->b64, out, &olen);
	else if (F->decode == 'q')
		(void)qp_dec_final(&F->qp, out, &olen);
	if (olen > 0 && fetch_out(F, out, olen, e) == -1)
		return -1;
	switch (F->mode) {
	case OUT_MAILDIR:
		return maildir_add_end(F->md, e);
	case OUT_JSON:
		if (F->u8.need > 0)
			F->u8.bad = 1;	/* cut short at the end */
		if (fflush(F->spool) == EOF)
			return mk_seterrno(e, MK_EIO, errno, "temporary file");
		return 0;
	case OUT_MBOX:
		if (F->bol && (F->gts || F->from) && mbox_release(F, 0, e) == -1)
			return -1;
		if (F->last != '\n' && wr("\n", 1, e) == -1)
			return -1;
		return wr("\n", 1, e);
	}
	return 0;
}

/* Deliver the Maildir batch, then name its UIDs. */
static int
fetch_commit(struct fetcher *F, struct mk_err *e)
{
	size_t i;

	if (F->md == NULL || maildir_commit(F->md, e) == -1)
		return F->md == NULL ? 0 : -1;
	for (i = 0; i < F->npending; i++) {
		if (F->json) {
			json_obj_begin(&F->w);
			json_kv_uint(&F->w, "uid", F->pending[i]);
			json_obj_end(&F->w);
			json_end_document(&F->w);
		} else
			printf("%u\n", F->pending[i]);
	}
	F->npending = 0;
	if (fflush(stdout) == EOF)
		return mk_seterrno(e, MK_EIO, errno, "write standard output");
	return 0;
}

/*
 * The spooled body as the value of "message": a JSON string when it is
 * UTF-8, else base64 (JSON strings cannot carry other bytes).  Pieces
 * end on whole UTF-8 sequences, so json_quote() sees only valid text.
 */
static int
json_body(struct fetcher *F, struct mk_err *e)
{
	struct mk_buf	 q;
	struct b64_enc	 be;
	char		 in[16384 + 4], out[B64_ENC_LEN(16384) + 8];
	size_t		 n, keep = 0, cut, k, olen;
	int		 rc = -1;

	buf_init(&q, 0);
	rewind(F->spool);
	b64_enc_init(&be, 0, NULL);
	if (wr(F->u8.bad ? "\"base64\",\"message\":\"" :
	    "\"utf-8\",\"message\":\"", F->u8.bad ? 20 : 19, e) == -1)
		goto out;
	while (F->spooled > 0) {
		n = F->spooled < 16384 ? (size_t)F->spooled : 16384;
		if (fread(in + keep, 1, n, F->spool) != n) {
			mk_seterrno(e, MK_EIO, errno, "temporary file");
			goto out;
		}
		F->spooled -= n;
		n += keep;
		if (F->u8.bad) {
			olen = b64_enc_update(&be, (uint8_t *)in, n, out);
			keep = 0;
			if (wr(out, olen, e) == -1)
				goto out;
			continue;
		}
		/* Hold back a sequence the piece cuts in two. */
		for (cut = n, k = 1; k <= 3 && k <= n; k++)
			if (((unsigned char)in[n - k] & 0xc0) != 0x80) {
				if ((unsigned char)in[n - k] >= 0xc0)
					cut = n - k;
				break;
			}
		if (F->spooled == 0)
			cut = n;
		buf_reset(&q);
		if (json_quote(&q, in, cut) == -1) {
			mk_seterr(e, MK_ESOFTWARE, "out of memory");
			goto out;
		}
		if (wr(q.p + 1, q.len - 2, e) == -1)
			goto out;
		keep = n - cut;
		memmove(in, in + cut, keep);
	}
	if (F->u8.bad && wr(out, b64_enc_final(&be, out), e) == -1)
		goto out;
	rc = wr("\"}\n", 3, e);
out:
	buf_free(&q);
	return rc;
}

/* One message as a JSON object: what FETCH said, then the body. */
static int
json_message(struct fetcher *F, const struct imap_resp *r,
    const struct imap_fetch *f, struct mk_err *e)
{
	struct json_w	 w;
	struct mk_buf	 b;
	char		 date[40];
	size_t		 i;
	int		 rc = -1;

	buf_init(&b, 0);
	json_init_buf(&w, &b, 0);
	json_obj_begin(&w);
	json_kv_uint(&w, "uid", f->uid);
	if (f->flags != NULL) {
		json_key(&w, "flags");
		json_arr_begin(&w);
		for (i = (size_t)(f->flags - r->items) + 1; i < f->flags->next;
		    i++)
			json_strn(&w, r->items[i].s, r->items[i].len);
		json_arr_end(&w);
	}
	if (f->internaldate != NULL) {
		if (date_iso(f->internaldate->s, f->internaldate->len, date,
		    sizeof(date)) == 0)
			json_kv_str(&w, "internaldate", date);
		else
			json_kv_strn(&w, "internaldate", f->internaldate->s,
			    f->internaldate->len);
	}
	if (f->size >= 0)
		json_kv_int(&w, "size", f->size);
	json_key(&w, "encoding");
	if (json_error(&w, e) == -1)
		goto out;
	/* The writer wants the value now; the body follows by hand. */
	if (wr(b.p, b.len, e) == -1 || json_body(F, e) == -1)
		goto out;
	rc = 0;
out:
	buf_free(&b);
	return rc;
}

/*
 * A whole response.  Bodies that came as literals went through the
 * sink already; those that came as quoted strings go now, MIME headers
 * first (a response may hold them in any order).
 */
static int
fetch_cb(void *arg, const struct imap_resp *r, struct mk_err *e)
{
	struct fetcher		*F = arg;
	struct imap_fetch	 f;
	const struct imap_item	*it = r->items, *key;
	size_t			 i, v;
	int			 pass, rc = 0;

	if (imap_fetch_parse(r, &f) == -1 || f.uid == 0)
		goto done;
	for (pass = 0; pass < 2; pass++)
		for (i = 3; i < r->nitems && i < it[2].next; i = it[v].next) {
			key = &it[i];
			if ((v = it[i].next) >= it[2].next)
				break;
			if (key->type != IMAP_T_ATOM || it[v].type !=
			    IMAP_T_STRING || !key_is_body(key) ||
			    key_is_mime(key) != (pass == 0))
				continue;
			if (body_begin(F, r, key, e) == -1 ||
			    fetch_data(F, it[v].s, it[v].len, e) == -1 ||
			    fetch_end(F, e) == -1) {
				rc = -1;
				goto done;
			}
		}
	if (!F->have_body)
		goto done;
	if (F->body_early && mime_cte(F) != 0) {
		rc = mk_seterr(e, MK_EPROTO, "UID %u: the part came before "
		    "its MIME header: cannot decode it", f.uid);
		goto done;
	}
	if (F->mode == OUT_JSON && F->have_body &&
	    json_message(F, r, &f, e) == -1) {
		rc = -1;
		goto done;
	}
	if (F->got.n == F->got.cap) {
		F->got.cap = F->got.cap ? F->got.cap * 2 : 64;
		F->got.u = mk_xrealloc(F->got.u, F->got.cap *
		    sizeof(*F->got.u));
	}
	F->got.u[F->got.n++] = f.uid;
	if (F->mode == OUT_MAILDIR) {
		F->pending[F->npending++] = f.uid;
		if (maildir_pending(F->md) >= MAILDIR_BATCH)
			rc = fetch_commit(F, e);
	}
done:
	/* What belongs to one response does not carry to the next. */
	F->have_mime = F->body_early = F->have_body = 0;
	buf_reset(&F->mime);
	return rc;
}

static int
check_part(const char *p)
{
	int digit = 0;

	for (; *p != '\0'; p++) {
		if (isdigit((unsigned char)*p))
			digit = 1;
		else if (*p == '.' && digit)
			digit = 0;
		else
			return -1;
	}
	return digit ? 0 : -1;
}

int
cmd_fetch(struct imap *s, struct opts *o, int ac, char **av)
{
	struct imap_mbox	 mb;
	struct imap_sink	 sink;
	struct fetcher		 F;
	struct uidlist		 want = { NULL, 0, 0 };
	struct imap_cmd		 c;
	struct mk_buf		 set, sect;
	struct mk_err		 e;
	const char		*peek = o->markseen ? "" : ".PEEK";
	char			*new[] = { "UNSEEN" };
	size_t			 i, j;
	int			 ex = 0;

	if ((o->all != 0) + (o->new != 0) + (ac > 1) != 1) {
		mk_warn("fetch: give UIDs, --all or --new");
		usage(stderr);
		return EX_USAGE;
	}
	if ((o->decode && o->part == NULL) ||
	    (o->part != NULL && check_part(o->part) == -1) ||
	    (o->part != NULL && o->headers)) {
		mk_warn("fetch: --decode needs --part N (N like 1.2), "
		    "--part and --headers-only exclude each other");
		return EX_USAGE;
	}
	if (ac > 1 && (ex = parse_uids(av + 1, ac - 1, &want.u, &want.n)))
		return ex;
	memset(&F, 0, sizeof(F));
	F.json = o->json;
	F.mode = o->maildir ? OUT_MAILDIR : o->json ? OUT_JSON : (o->all ||
	    o->new || want.n > 1) ? OUT_MBOX : OUT_RAW;
	F.want_decode = o->decode;
	buf_init(&F.mime, 0);
	buf_init(&set, 0);
	buf_init(&sect, 0);
	json_init_file(&F.w, stdout, 0);
	imap_cmd_init(&c);
	if (o->maildir != NULL) {
		if ((F.md = maildir_open(o->maildir, &e)) == NULL) {
			ex = fail_e(o->maildir, &e);
			goto out;
		}
		F.pending = mk_xmalloc(MAILDIR_BATCH * 2 * sizeof(*F.pending));
	}
	/* EXAMINE is read-only: nothing we do can set \Seen. */
	if (imap_select(s, av[0], !o->markseen, &mb, &e) == -1) {
		ex = fail_e(av[0], &e);
		goto out;
	}
	if (o->new) {
		if (uid_search(s, new, 1, &want, &e) == -1) {
			ex = fail_e("SEARCH", &e);
			goto out;
		}
		if (want.n == 0) {
			ex = 1;
			goto out;
		}
	}
	if (o->all) {
		if (mb.exists == 0) {
			ex = 1;
			goto out;
		}
		buf_adds(&set, "1:*");
	} else if (set_text(want.u, want.n, &set) == -1)
		mk_die(EX_SOFTWARE, "out of memory");
	if (o->headers)
		buf_printf(&sect, "BODY%s[HEADER]", peek);
	else if (o->part != NULL && o->decode)
		buf_printf(&sect, "BODY.PEEK[%s.MIME] BODY%s[%s]", o->part,
		    peek, o->part);
	else if (o->part != NULL)
		buf_printf(&sect, "BODY%s[%s]", peek, o->part);
	else
		buf_printf(&sect, "BODY%s[]", peek);
	imap_cmd_add(&c, "UID FETCH %s (UID%s %s)", buf_str(&set),
	    F.mode == OUT_MBOX ? " INTERNALDATE" : F.mode == OUT_JSON ?
	    " FLAGS INTERNALDATE RFC822.SIZE" : "", buf_str(&sect));
	sink.begin = fetch_begin;
	sink.data = fetch_data;
	sink.end = fetch_end;
	sink.arg = &F;
	if (imap_run(s, &c, fetch_cb, &F, &sink, NULL, &e) == -1 ||
	    fetch_commit(&F, &e) == -1) {
		ex = fail_e(F.md != NULL && e.st == MK_EIO ? o->maildir :
		    "FETCH", &e);
		goto out;
	}
	/* Every UID asked for came, or it is "not found" (exit 1). */
	if (F.got.n > 0)
		qsort(F.got.u, F.got.n, sizeof(*F.got.u), cmp_u32);
	for (i = j = 0; i < want.n; i++) {
		while (j < F.got.n && F.got.u[j] < want.u[i])
			j++;
		if (j >= F.got.n || F.got.u[j] != want.u[i]) {
			mk_warn("%s: UID %u: no such message", av[0],
			    want.u[i]);
			ex = 1;
		}
	}
	if (o->all && F.got.n == 0)
		ex = 1;
out:
	imap_cmd_free(&c);
	buf_free(&set);
	buf_free(&sect);
	buf_free(&F.mime);
	maildir_close(F.md);
	if (F.spool != NULL)
		fclose(F.spool);
	free(F.pending);
	free(F.got.u);
	free(want.u);
	if (out_flush())
		return EX_IOERR;
	return ex;
}

