/*
 * folders.c: folders (LIST with LIST-STATUS, or pipelined STATUS),
 * create, delete, subscribe, unsubscribe and rename.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sysexits.h>

#include "buf.h"
#include "imap.h"
#include "json.h"
#include "mk.h"

#include "mimap.h"

struct folder {
	char		*name;		/* UTF-8 */
	char		 delim;
	char		*flags;		/* space-separated */
	int		 noselect;
	char		 tag[16];
	struct imap_status st;
};

struct folders {
	struct folder	*f;
	size_t		 n, cap;
};

static int
folders_cb(void *arg, const struct imap_resp *r, struct mk_err *e)
{
	struct folders	*fs = arg;
	struct imap_list l;
	struct mk_buf	 name, flags;
	struct folder	*f;
	size_t		 i;

	(void)e;
	buf_init(&name, 0);
	if (imap_list_parse(r, &l, &name) == -1) {
		buf_free(&name);
		return 0;
	}
	if (fs->n == fs->cap) {
		fs->cap = fs->cap ? fs->cap * 2 : 32;
		fs->f = mk_xrealloc(fs->f, fs->cap * sizeof(*fs->f));
	}
	f = &fs->f[fs->n++];
	memset(f, 0, sizeof(*f));
	f->name = mk_xstrdup(buf_str(&name));
	f->delim = (char)l.delim;
	f->noselect = l.noselect;
	f->st.messages = f->st.unseen = -1;
	buf_init(&flags, 0);
	for (i = l.flags; i < l.flags + l.nflags; i++)
		if ((flags.len > 0 && buf_addc(&flags, ' ') == -1) ||
		    buf_add(&flags, r->items[i].s, r->items[i].len) == -1)
			mk_die(EX_SOFTWARE, "out of memory");
	f->flags = mk_xstrdup(buf_str(&flags));
	buf_free(&flags);
	buf_free(&name);
	return 0;
}

/*
 * A STATUS response: its counts go to the folder of that name (the last
 * one first: with LIST-STATUS it follows the folder's LIST response).
 */
static int
status_cb(void *arg, const struct imap_resp *r, struct mk_err *e)
{
	struct folders		*fs = arg;
	struct imap_status	 st;
	struct mk_buf		 name;
	size_t			 i;

	(void)e;
	buf_init(&name, 0);
	if (imap_status_parse(r, &st, &name) == 0)
		for (i = fs->n; i > 0; i--)
			if (strcmp(fs->f[i - 1].name, buf_str(&name)) == 0 ||
			    (strcasecmp(buf_str(&name), "INBOX") == 0 &&
			    strcasecmp(fs->f[i - 1].name, "INBOX") == 0)) {
				fs->f[i - 1].st = st;
				break;
			}
	buf_free(&name);
	return 0;
}

/* LIST and STATUS: folders_cb takes both. */
static int
folders_list_cb(void *arg, const struct imap_resp *r, struct mk_err *e)
{
	if (r->nitems > 0 && imap_item_is(&r->items[0], "STATUS"))
		return status_cb(arg, r, e);
	return folders_cb(arg, r, e);
}

/*
 * The folders with their counts: one LIST ... RETURN (STATUS ...) when
 * the server has LIST-STATUS (RFC 5819), else LIST and then a STATUS
 * for each selectable folder, all sent before the first reply is read.
 */
static int
folders_get(struct imap *s, struct folders *fs, int *fatal)
{
	struct imap_cmd	 c;
	struct mk_err	 e;
	struct folder	*f;
	size_t		 i;
	int		 ex = 0, ls = imap_caps(s) & IMAP_CAP_LISTSTATUS;

	*fatal = 1;

	imap_cmd_init(&c);
	imap_cmd_add(&c, "LIST \"\" \"*\"%s", ls ?
	    " RETURN (CHILDREN STATUS (MESSAGES UNSEEN))" : "");
	if (imap_run(s, &c, folders_list_cb, fs, NULL, NULL, &e) == -1) {
		imap_cmd_free(&c);
		return fail_e("LIST", &e);
	}
	imap_cmd_free(&c);
	if (ls) {
		*fatal = 0;
		return 0;
	}
	for (i = 0; i < fs->n; i++) {
		f = &fs->f[i];
		if (f->noselect)
			continue;
		imap_cmd_init(&c);
		imap_cmd_add(&c, "STATUS ");
		imap_cmd_mailbox(&c, f->name);
		imap_cmd_add(&c, " (MESSAGES UNSEEN)");
		if (imap_send(s, &c, f->tag, sizeof(f->tag), &e) == -1) {
			imap_cmd_free(&c);
			return fail_e("STATUS", &e);
		}
		imap_cmd_free(&c);
	}
	for (i = 0; i < fs->n; i++) {
		f = &fs->f[i];
		if (f->noselect)
			continue;
		if (imap_wait(s, f->tag, status_cb, fs, NULL, NULL, &e) == -1) {
			if (e.st == MK_ETEMP || e.st == MK_EPROTO)
				return fail_e("STATUS", &e);
			mk_warn("STATUS %s: %s", f->name, e.msg);
			ex = mk_exitcode(e.st);
		}
	}
	*fatal = 0;
	return ex;
}

int
cmd_folders(struct imap *s, struct opts *o, int ac, char **av)
{
	struct folders	 fs = { NULL, 0, 0 };
	struct json_w	 w;
	struct mk_err	 e;
	struct folder	*f;
	size_t		 i;
	int		 ex, fatal;
	char		*fl, *sp;

	(void)ac;
	(void)av;
	if ((ex = folders_get(s, &fs, &fatal)) != 0 && fatal)
		goto out;
	json_init_file(&w, stdout, 0);
	for (i = 0; i < fs.n; i++) {
		f = &fs.f[i];
		if (o->json) {
			json_obj_begin(&w);
			json_kv_str(&w, "name", f->name);
			json_key(&w, "delimiter");
			if (f->delim)
				json_strn(&w, &f->delim, 1);
			else
				json_null(&w);
			json_key(&w, "flags");
			json_arr_begin(&w);
			fl = f->flags;
			while (*fl != '\0') {
				sp = strchr(fl, ' ');
				json_strn(&w, fl, sp ? (size_t)(sp - fl) :
				    strlen(fl));
				fl = sp ? sp + 1 : fl + strlen(fl);
			}
			json_arr_end(&w);
			json_key(&w, "messages");
			f->st.messages < 0 ? json_null(&w) :
			    json_int(&w, f->st.messages);
			json_key(&w, "unseen");
			f->st.unseen < 0 ? json_null(&w) :
			    json_int(&w, f->st.unseen);
			json_obj_end(&w);
			json_end_document(&w);
		} else {
			put_clean(f->name, strlen(f->name));
			printf("\t%c\t", f->delim ? f->delim : '-');
			if (f->st.messages < 0)
				printf("-\t-");
			else
				printf("%lld\t%lld", (long long)f->st.messages,
				    (long long)f->st.unseen);
			printf("\t%s\n", f->flags[0] ? f->flags : "-");
		}
	}
	if (json_error(&w, &e) == -1)
		ex = fail_e(NULL, &e);
	else if (out_flush())
		ex = EX_IOERR;
out:
	for (i = 0; i < fs.n; i++) {
		free(fs.f[i].name);
		free(fs.f[i].flags);
	}
	free(fs.f);
	return ex;
}

/* ---- create, delete, subscribe, unsubscribe, rename ---- */

static int
done_json(struct opts *o, const char *what, const char *folder)
{
	struct json_w w;

	if (!o->json)
		return 0;
	json_init_file(&w, stdout, 0);
	json_obj_begin(&w);
	json_kv_str(&w, "command", what);
	json_kv_str(&w, "folder", folder);
	json_obj_end(&w);
	json_end_document(&w);
	return out_flush();
}

int
cmd_simple(struct imap *s, struct opts *o, int ac, char **av)
{
	struct imap_cmd	c;
	struct mk_err	e;
	char		verb[16];
	size_t		i;
	int		rc;

	(void)ac;
	for (i = 0; cmdname[i] != '\0' && i < sizeof(verb) - 1; i++)
		verb[i] = (char)toupper((unsigned char)cmdname[i]);
	verb[i] = '\0';
	imap_cmd_init(&c);
	imap_cmd_add(&c, "%s ", verb);
	imap_cmd_mailbox(&c, av[0]);
	rc = imap_run(s, &c, NULL, NULL, NULL, NULL, &e);
	imap_cmd_free(&c);
	if (rc == -1)
		return fail_e(av[0], &e);
	return done_json(o, cmdname, av[0]);
}

int
cmd_rename(struct imap *s, struct opts *o, int ac, char **av)
{
	struct imap_cmd	c;
	struct mk_err	e;
	int		rc;

	(void)ac;
	imap_cmd_init(&c);
	imap_cmd_add(&c, "RENAME ");
	imap_cmd_mailbox(&c, av[0]);
	imap_cmd_add(&c, " ");
	imap_cmd_mailbox(&c, av[1]);
	rc = imap_run(s, &c, NULL, NULL, NULL, NULL, &e);
	imap_cmd_free(&c);
	if (rc == -1)
		return fail_e(av[0], &e);
	return done_json(o, "rename", av[1]);
}

