/*
 * idle.c: wait for new mail (IDLE, or NOOP polling), print its UIDs.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "imap.h"
#include "json.h"
#include "mk.h"

#include "mimap.h"

#define IDLE_RENEW_MS	(25L * 60 * 1000) /* RFC 2177: re-IDLE < 29 min */
#define POLL_MS		5000L		/* NOOP polling without IDLE */
#define POLL_MIN_MS	1000L		/* ... with a short --timeout */

/*
 * Wait for new mail in the folder av[0]: 0 with its UIDs printed, 1 at
 * the timeout.  Without IDLE, NOOP every POLL_MS, or every fifth of a
 * shorter --timeout (at least POLL_MIN_MS), so that a short wait still
 * polls more than once.
 */
int
cmd_idle(struct imap *s, struct opts *o, int ac, char **av)
{
	struct imap_mbox mb;
	struct uidlist	 ul = { NULL, 0, 0 };
	struct mk_err	 e;
	struct json_w	 w;
	char		 crit[32], *words[2] = { "UID", crit };
	long long	 left = o->timeout > 0 ? o->timeout * 1000LL : -1;
	long		 ms, poll = POLL_MS;
	size_t		 i, k;
	int		 rc, ex;
	struct timespec	 t0, t1;

	(void)ac;
	if (o->timeout > 0 && o->timeout * 200 < poll)
		poll = o->timeout * 200 < POLL_MIN_MS ? POLL_MIN_MS :
		    o->timeout * 200;
	if (imap_select(s, av[0], 1, &mb, &e) == -1)
		return fail_e(av[0], &e);
	if (mb.uidnext == 0)
		mb.uidnext = 1;
	for (;;) {
		ms = left < 0 || left > IDLE_RENEW_MS ? IDLE_RENEW_MS :
		    (long)left;
		if (left == 0) {
			ex = 1;
			goto out;
		}
		clock_gettime(CLOCK_MONOTONIC, &t0);
		if ((rc = imap_idle(s, ms, poll, &e)) == -1) {
			ex = fail_e(av[0], &e);
			goto out;
		}
		clock_gettime(CLOCK_MONOTONIC, &t1);
		if (left > 0) {
			left -= (t1.tv_sec - t0.tv_sec) * 1000LL +
			    (t1.tv_nsec - t0.tv_nsec) / 1000000;
			if (left < 0)
				left = 0;
		}
		if (rc == 0)
			continue;
		(void)snprintf(crit, sizeof(crit), "%u:*", mb.uidnext);
		ul.n = 0;
		if (uid_search(s, words, 2, &ul, &e) == -1) {
			ex = fail_e("SEARCH", &e);
			goto out;
		}
		/* "N:*" holds the highest UID even when it is below N. */
		for (i = k = 0; i < ul.n; i++)
			if (ul.u[i] >= mb.uidnext)
				ul.u[k++] = ul.u[i];
		if ((ul.n = k) > 0)
			break;
	}
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
	ex = out_flush();
out:
	free(ul.u);
	return ex;
}
