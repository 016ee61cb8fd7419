/*
 * list.c: list (one UID FETCH of the summary items) and search.
 */
#include <ctype.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <time.h>

#include "buf.h"
#include "hdr.h"
#include "imap.h"
#include "json.h"
#include "mk.h"

#include "mimap.h"

struct lister {
	struct json_w	w;
	int		json;
	struct mk_buf	tmp, from, subj;
};

int
cmd_search(struct imap *s, struct opts *o, int ac, char **av)
{
	struct imap_mbox	mb;
	struct uidlist		ul = { NULL, 0, 0 };
	struct mk_err		e;
	struct json_w		w;
	size_t			i;

	if (imap_select(s, av[0], 1, &mb, &e) == -1)
		return fail_e(av[0], &e);
	if (uid_search(s, av + 1, ac - 1, &ul, &e) == -1)
		return fail_e("SEARCH", &e);
	if (o->json) {
		json_init_file(&w, stdout, 0);
		json_arr_begin(&w);
		for (i = 0; i < ul.n; i++)
			json_uint(&w, ul.u[i]);
		json_arr_end(&w);
		json_end_document(&w);
	} else
		for (i = 0; i < ul.n; i++)
			printf("%u\n", ul.u[i]);
	free(ul.u);
	if (out_flush())
		return EX_IOERR;
	return ul.n == 0 ? 1 : 0;
}

/* An RFC 2047 header value decoded into out (raw when that fails). */
static void
decode_hdr(const struct imap_item *it, struct mk_buf *out)
{
	buf_reset(out);
	if (it == NULL || !imap_item_str(it))
		return;
	if (hdr_decode_words(it->s, it->len, out, NULL) == -1) {
		buf_reset(out);
		buf_add(out, it->s, it->len);
	}
}

static int
list_cb(void *arg, const struct imap_resp *r, struct mk_err *e)
{
	struct lister		*L = arg;
	struct imap_fetch	 f;
	const struct imap_addr	*a;
	char			 date[40];
	size_t			 i;

	if (imap_fetch_parse(r, &f) == -1) {
		if (r->nitems >= 2 && imap_item_is(&r->items[1], "FETCH"))
			return mk_seterr(e, MK_EPROTO, "malformed FETCH reply");
		return 0;
	}
	if (f.uid == 0 || f.internaldate == NULL)
		return 0;	/* a FLAGS update, not our answer */
	a = &f.env_from;
	decode_hdr(a->name, &L->tmp);
	buf_reset(&L->from);
	if (L->tmp.len > 0)
		buf_printf(&L->from, "%s <", buf_str(&L->tmp));
	if (a->mailbox != NULL && imap_item_str(a->mailbox))
		buf_add(&L->from, a->mailbox->s, a->mailbox->len);
	if (a->host != NULL && imap_item_str(a->host))
		buf_printf(&L->from, "@%s", a->host->s);
	if (L->tmp.len > 0)
		buf_addc(&L->from, '>');
	decode_hdr(f.env_subject, &L->subj);
	if (date_iso(f.internaldate->s, f.internaldate->len, date,
	    sizeof(date)) == -1)
		(void)snprintf(date, sizeof(date), "%.30s", f.internaldate->s);
	if (L->json) {
		json_obj_begin(&L->w);
		json_kv_uint(&L->w, "uid", f.uid);
		json_key(&L->w, "flags");
		json_arr_begin(&L->w);
		for (i = (size_t)(f.flags - r->items) + 1;
		    f.flags != NULL && i < f.flags->next; i++)
			json_strn(&L->w, r->items[i].s, r->items[i].len);
		json_arr_end(&L->w);
		json_kv_str(&L->w, "date", date);
		json_kv_strn(&L->w, "from", L->from.p, L->from.len);
		json_kv_strn(&L->w, "subject", L->subj.p, L->subj.len);
		json_kv_int(&L->w, "size", f.size);
		json_obj_end(&L->w);
		json_end_document(&L->w);
		return json_error(&L->w, e);
	}
	printf("%u\t", f.uid);
	if (f.flags == NULL || f.flags->next == (size_t)(f.flags - r->items) + 1)
		putchar('-');
	for (i = (size_t)(f.flags - r->items) + 1;
	    f.flags != NULL && i < f.flags->next; i++) {
		if (i > (size_t)(f.flags - r->items) + 1)
			putchar(' ');
		put_clean(r->items[i].s, r->items[i].len);
	}
	printf("\t%s\t", date);
	put_clean(buf_str(&L->from), L->from.len);
	putchar('\t');
	put_clean(buf_str(&L->subj), L->subj.len);
	printf("\t%lld\n", (long long)f.size);
	if (ferror(stdout))
		return mk_seterrno(e, MK_EIO, errno, "write standard output");
	return 0;
}

/* Split criteria at blanks; "double quotes" keep blanks in a word. */
static char **
split_words(const char *s, int *n)
{
	char	**v = NULL, *w;
	size_t	  len;
	int	  q;

	*n = 0;
	for (;;) {
		while (*s == ' ' || *s == '\t')
			s++;
		if (*s == '\0')
			break;
		w = mk_xmalloc(strlen(s) + 1);
		len = 0;
		for (q = 0; *s != '\0' && (q || (*s != ' ' && *s != '\t'));
		    s++) {
			if (*s == '"')
				q = !q;
			else
				w[len++] = *s;
		}
		w[len] = '\0';
		v = mk_xrealloc(v, ((size_t)*n + 2) * sizeof(*v));
		v[(*n)++] = w;
		v[*n] = NULL;
	}
	return v;
}

int
cmd_list(struct imap *s, struct opts *o, int ac, char **av)
{
	const char		*folder = ac > 0 ? av[0] : "INBOX";
	struct imap_mbox	 mb;
	struct uidlist		 ul = { NULL, 0, 0 };
	struct lister		 L;
	struct imap_cmd		 c;
	struct mk_buf		 set;
	struct mk_err		 e;
	char			**words;
	const char		*items = "(UID FLAGS INTERNALDATE "
	    "RFC822.SIZE ENVELOPE)";
	int			 n, i, rc, ex = 0;
	size_t			 first;

	if (imap_select(s, folder, 1, &mb, &e) == -1)
		return fail_e(folder, &e);
	memset(&L, 0, sizeof(L));
	L.json = o->json;
	json_init_file(&L.w, stdout, 0);
	buf_init(&L.tmp, 0);
	buf_init(&L.from, 0);
	buf_init(&L.subj, 0);
	buf_init(&set, 0);
	imap_cmd_init(&c);
	if (o->search != NULL) {
		words = split_words(o->search, &n);
		rc = uid_search(s, words, n, &ul, &e);
		for (i = 0; i < n; i++)
			free(words[i]);
		free(words);
		if (rc == -1) {
			ex = fail_e("SEARCH", &e);
			goto out;
		}
		first = o->limit > 0 && (size_t)o->limit < ul.n ?
		    ul.n - (size_t)o->limit : 0;
		if (ul.n == 0)
			goto out;
		if (set_text(ul.u + first, ul.n - first, &set) == -1)
			mk_die(EX_SOFTWARE, "out of memory");
		imap_cmd_add(&c, "UID FETCH %s %s", buf_str(&set), items);
	} else if (mb.exists == 0) {
		goto out;
	} else if (o->limit > 0 && o->limit < (long long)mb.exists) {
		/* Sequence numbers stay inside: the last N messages. */
		imap_cmd_add(&c, "FETCH %lld:* %s",
		    (long long)mb.exists - o->limit + 1, items);
	} else
		imap_cmd_add(&c, "UID FETCH 1:* %s", items);
	if (imap_run(s, &c, list_cb, &L, NULL, NULL, &e) == -1)
		ex = fail_e("FETCH", &e);
out:
	imap_cmd_free(&c);
	buf_free(&set);
	buf_free(&L.tmp);
	buf_free(&L.from);
	buf_free(&L.subj);
	free(ul.u);
	if (out_flush())
		return EX_IOERR;
	return ex;
}

