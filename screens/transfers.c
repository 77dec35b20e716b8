/* screens/transfers.c — the SFTP sites (left), the remote folder of the
 * selected site (right: name, size, modification time, whether a done pull
 * job of the site brought it in and with which SHA-256), and the transfer
 * jobs (below: progress bar, bytes, MB/s and ETA while running, state,
 * SHA-256 when done). Tab moves between the panes; Space marks files, `/`
 * filters them by name; g or Enter pulls the marked files (else the
 * selected one) into the workspace's incoming folder, `incoming/` beside
 * the database (made 0700 when missing); with a cycle (`hmx --screen
 * transfers --cycle C`) each pulled zip of an rdc or agency:CODE site is
 * then taken into the cycle (as `hmx pull --cycle`); P picks a local file
 * and pushes it to the site's remote folder; x cancels a job (asks; the
 * partial is kept), R retries one from its offset, t tests the site, r
 * lists the folder again, a accepts an unknown host key after showing its
 * SHA-256 fingerprint (default No). A job left running by an hmx that was
 * killed shows as interrupted ("R resumes it"; its detail says why);
 * while a job is run by another process, the jobs are listed again every
 * 2 s.
 *
 * Nothing here waits on the network: two worker threads do it, each with
 * its own SFTP connection (libssh sessions are not shared between
 * threads) — one lists and tests, the other runs the transfers with its
 * own store connection on the same database. They report through a
 * mutex-protected struct (results, the running job's progress) that tick()
 * takes in, and through the job rows, which the shell reloads when another
 * connection commits. Closing the screen while a transfer runs asks first
 * (default No); closing cancels the run through its flag and joins the
 * threads, so the job stays resumable. */
#include "screens/screens.h"

#include <dirent.h>
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "core/intake.h"
#include "core/sftp.h"
#include "core/site.h"
#include "core/transfer.h"
#include "tui/text.h"

#define XQ_MAX 64
#define XS_INTAKE_MAX 32

enum xr_kind { XR_LIST, XR_TEST, XR_PULL, XR_PUSH, XR_RETRY };

struct xreq {
	enum xr_kind kind;
	struct site site;
	char accept_fp[80];
	char arg[1024]; /* remote name (pull), local path (push) */
	char dir[1024]; /* pull: local folder */
	int64_t id;     /* retry */
};

struct tscr;

/* One worker thread and its queue (queue, working, stop: under ts->mu). */
struct xworker {
	struct tscr *ts;
	bool xfer; /* the transfer worker (own store), else listing and tests */
	pthread_t th;
	bool started;
	pthread_cond_t cv;
	struct xreq q[XQ_MAX];
	size_t nq;
	bool working, stop;
	struct xreq cur; /* valid while working */
	_Atomic bool cancel;
	/* thread-private */
	struct sftpc *c;
	char csite[32];
	struct store *s;
	double t0, d0; /* progress: first sample of the run */
};

enum pane { PANE_SITES, PANE_FILES, PANE_JOBS, PANE_COUNT };

struct tscr {
	char cycle[64];
	char dbpath[1024];
	char incoming[1100];
	char subtitle[160];

	pthread_mutex_t mu;
	bool mu_ok;
	struct xworker net, xw;
	/* results, under mu */
	struct sftpc_entry *r_ents;
	size_t r_nents;
	bool r_list_new;
	char r_list_site[32];
	char r_list_err[512];
	bool r_hk_new;
	struct sftpc_info r_hk;
	char r_hk_site[32];
	char r_note[600];
	enum tui_role r_note_role;
	bool r_note_new;
	char r_status[160]; /* "connecting to rdc…" */
	struct transfer_job r_cur;
	bool r_cur_on;
	double r_rate; /* bytes per second of the running job */
	int64_t r_intake[XS_INTAKE_MAX];
	size_t r_nintake;
	char r_relist[32]; /* a site whose folder a push changed */

	/* UI state (main thread) */
	struct site *sites;
	size_t nsites;
	struct transfer_job *jobs; /* newest first */
	size_t njobs;
	char shown_site[32]; /* whose listing is shown / asked for */
	bool listing;        /* a listing asked and not yet answered */
	struct sftpc_entry *ents;
	size_t nents;
	bool *marked;
	size_t *fidx; /* entries passing the filter */
	size_t nf;
	char filter[128];
	char list_err[512];
	char hk_site[32]; /* a site whose unknown host key waits for a */
	struct sftpc_info hk;
	char accepted_site[32], accepted_fp[80];
	struct transfer_job cur;
	bool cur_on;
	double rate;
	char status[160];
	double others_at; /* when jobs run by other processes were last looked at */

	enum pane focus;
	struct tui_list lst[PANE_COUNT];
	struct tui_rect rect[PANE_COUNT];
	int sites_w;
	bool quit_all;
	char picked[1024]; /* a local file to push, asked about */
};

/* The file the local picker chose (screens/fpick.c), taken by tick(). */
static char scr_picked[1024];
static bool scr_picked_set;

void scr_fpick_done(const char *path)
{
	hmx_strlcpy(scr_picked, path, sizeof scr_picked);
	scr_picked_set = true;
}

/* ---- the workers -------------------------------------------------------- */

static double ts_now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static void xs_note(struct tscr *ts, enum tui_role role, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void xs_note(struct tscr *ts, enum tui_role role, const char *fmt, ...)
{
	va_list ap;

	pthread_mutex_lock(&ts->mu);
	va_start(ap, fmt);
	vsnprintf(ts->r_note, sizeof ts->r_note, fmt, ap);
	va_end(ap);
	ts->r_note_role = role;
	ts->r_note_new = true;
	pthread_mutex_unlock(&ts->mu);
}

static void xs_status(struct tscr *ts, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void xs_status(struct tscr *ts, const char *fmt, ...)
{
	va_list ap;

	pthread_mutex_lock(&ts->mu);
	va_start(ap, fmt);
	vsnprintf(ts->r_status, sizeof ts->r_status, fmt, ap);
	va_end(ap);
	pthread_mutex_unlock(&ts->mu);
}

static void xw_progress(void *ctx, const struct transfer_job *j)
{
	struct xworker *w = ctx;
	struct tscr *ts = w->ts;
	double now = ts_now();

	pthread_mutex_lock(&ts->mu);
	if (!ts->r_cur_on || ts->r_cur.id != j->id || w->t0 == 0) {
		w->t0 = now;
		w->d0 = (double)j->done;
		ts->r_rate = 0;
	} else if (now - w->t0 > 0.2) {
		ts->r_rate = ((double)j->done - w->d0) / (now - w->t0);
	}
	ts->r_cur = *j;
	ts->r_cur_on = j->state == TRANSFER_RUNNING;
	pthread_mutex_unlock(&ts->mu);
}

/* The worker's connection to req's site, opened when needed. */
static enum hmx_rc xw_connect(struct xworker *w, const struct xreq *req, bool fresh,
			      struct hmx_err *err)
{
	struct sftpc_info refused;
	struct sftpc_opts o = { false, false, 15, req->accept_fp[0] ? req->accept_fp : NULL,
				&refused };
	enum hmx_rc rc;

	if (!fresh && w->c && strcmp(w->csite, req->site.name) == 0 && sftpc_connected(w->c))
		return HMX_OK;
	sftpc_close(&w->c);
	memset(&refused, 0, sizeof refused);
	xs_status(w->ts, "connecting to %s…", req->site.name);
	rc = sftpc_open(&req->site, &o, &w->c, err);
	xs_status(w->ts, "%s", "");
	if (rc == HMX_OK) {
		hmx_strlcpy(w->csite, req->site.name, sizeof w->csite);
		return HMX_OK;
	}
	if (refused.host_key_unknown) {
		pthread_mutex_lock(&w->ts->mu);
		w->ts->r_hk = refused;
		hmx_strlcpy(w->ts->r_hk_site, req->site.name, sizeof w->ts->r_hk_site);
		w->ts->r_hk_new = true;
		pthread_mutex_unlock(&w->ts->mu);
		/* the batch wording (--accept-new-host-key) does not apply here */
		return hmx_err_set(err, rc, "unknown host key of %s (%s %s): a shows it and asks "
				   "whether to accept it", req->site.name, refused.key_type,
				   refused.fingerprint);
	}
	return rc;
}

static void xw_list(struct xworker *w, const struct xreq *req)
{
	struct tscr *ts = w->ts;
	struct hmx_err err = { 0 };
	struct sftpc_entry *e = NULL;
	size_t n = 0;
	enum hmx_rc rc = xw_connect(w, req, false, &err);

	if (rc == HMX_OK) {
		xs_status(ts, "listing %s…", req->site.name);
		rc = sftpc_list(w->c, NULL, &e, &n, &err);
		xs_status(ts, "%s", "");
		if (rc == HMX_EIO)
			sftpc_close(&w->c);
	}
	pthread_mutex_lock(&ts->mu);
	sftpc_entries_free(ts->r_ents, ts->r_nents);
	ts->r_ents = e;
	ts->r_nents = n;
	hmx_strlcpy(ts->r_list_site, req->site.name, sizeof ts->r_list_site);
	hmx_strlcpy(ts->r_list_err, rc == HMX_OK ? "" : err.msg, sizeof ts->r_list_err);
	ts->r_list_new = true;
	pthread_mutex_unlock(&ts->mu);
}

static void xw_test(struct xworker *w, const struct xreq *req)
{
	struct hmx_err err = { 0 };
	const struct sftpc_info *in;
	double best = -1, ms;
	struct sftpc_entry *e = NULL;
	size_t n = 0;

	if (xw_connect(w, req, true, &err) != HMX_OK) {
		xs_note(w->ts, ROLE_BLOCKING, "Test %s: %s", req->site.name, err.msg);
		return;
	}
	in = sftpc_info(w->c);
	for (int i = 0; i < 3; i++)
		if (sftpc_ping(w->c, &ms, &err) == HMX_OK && (best < 0 || ms < best))
			best = ms;
	if (sftpc_list(w->c, NULL, &e, &n, &err) != HMX_OK) {
		xs_note(w->ts, ROLE_WARNING, "Test %s: %s key %s, connected in %.0f ms (%s), "
			"RTT %.1f ms; listing failed: %s", req->site.name, in->key_type,
			in->fingerprint, in->connect_ms, in->auth, best, err.msg);
		return;
	}
	sftpc_entries_free(e, n);
	xs_note(w->ts, ROLE_OK, "Test %s: %s key %s, connected in %.0f ms (%s), RTT %.1f ms, "
		"%zu entr%s", req->site.name, in->key_type, in->fingerprint, in->connect_ms, in->auth,
		best, n, n == 1 ? "y" : "ies");
}

static void xw_transfer(struct xworker *w, const struct xreq *req)
{
	struct tscr *ts = w->ts;
	struct hmx_err err = { 0 };
	struct transfer_job j;
	struct transfer_opts o = { false, TRANSFER_RETRIES_DEFAULT, xw_progress, w, &w->cancel };
	const char *what = req->kind == XR_PULL ? "Pull" : req->kind == XR_PUSH ? "Push" : "Retry";
	enum hmx_rc rc;

	memset(&j, 0, sizeof j);
	if (!w->s && store_open(ts->dbpath, 0, &w->s, &err) != HMX_OK) {
		xs_note(ts, ROLE_BLOCKING, "%s: %s", what, err.msg);
		return;
	}
	if ((rc = xw_connect(w, req, false, &err)) != HMX_OK) {
		if (req->kind == XR_RETRY)
			xs_note(ts, ROLE_BLOCKING, "Retry #%lld: %s", (long long)req->id, err.msg);
		else
			xs_note(ts, ROLE_BLOCKING, "%s %s: %s", what, req->arg, err.msg);
		return;
	}
	w->t0 = 0;
	switch (req->kind) {
	case XR_PULL:
		rc = transfer_pull(w->s, w->c, &req->site, req->arg, req->dir, &o, &j, NULL, &err);
		break;
	case XR_PUSH:
		rc = transfer_push(w->s, w->c, &req->site, req->arg, NULL, &o, &j, &err);
		break;
	default:
		rc = transfer_retry(w->s, w->c, &req->site, req->id, &o, &j, &err);
		break;
	}
	pthread_mutex_lock(&ts->mu);
	ts->r_cur_on = false;
	if (rc == HMX_OK && j.dir == TRANSFER_PULL && ts->cycle[0] &&
	    ts->r_nintake < XS_INTAKE_MAX)
		ts->r_intake[ts->r_nintake++] = j.id;
	if (rc == HMX_OK && j.dir == TRANSFER_PUSH)
		hmx_strlcpy(ts->r_relist, req->site.name, sizeof ts->r_relist);
	pthread_mutex_unlock(&ts->mu);
	if (rc == HMX_EIO)
		sftpc_close(&w->c);
	if (rc == HMX_OK)
		xs_note(ts, ROLE_OK, "Job #%lld done: %s, %llu bytes, sha256 %.12s", (long long)j.id,
			transfer_dir_name(j.dir), (unsigned long long)j.size, j.sha256);
	else
		xs_note(ts, rc == HMX_ESTATE ? ROLE_WARNING : ROLE_BLOCKING, "%s: %s", what,
			err.msg);
}

static void *xw_main(void *arg)
{
	struct xworker *w = arg;
	struct tscr *ts = w->ts;

	pthread_mutex_lock(&ts->mu);
	for (;;) {
		struct xreq req;

		while (!w->stop && w->nq == 0)
			pthread_cond_wait(&w->cv, &ts->mu);
		if (w->stop)
			break;
		req = w->q[0];
		memmove(w->q, w->q + 1, (w->nq - 1) * sizeof *w->q);
		w->nq--;
		w->working = true;
		w->cur = req;
		atomic_store(&w->cancel, false);
		pthread_mutex_unlock(&ts->mu);
		if (req.kind == XR_LIST)
			xw_list(w, &req);
		else if (req.kind == XR_TEST)
			xw_test(w, &req);
		else
			xw_transfer(w, &req);
		pthread_mutex_lock(&ts->mu);
		w->working = false;
	}
	pthread_mutex_unlock(&ts->mu);
	sftpc_close(&w->c);
	store_close(&w->s);
	return NULL;
}

static bool xw_start(struct tscr *ts, struct xworker *w, bool xfer)
{
	w->ts = ts;
	w->xfer = xfer;
	atomic_init(&w->cancel, false);
	if (pthread_cond_init(&w->cv, NULL) != 0)
		return false;
	w->started = pthread_create(&w->th, NULL, xw_main, w) == 0;
	if (!w->started)
		pthread_cond_destroy(&w->cv);
	return w->started;
}

static void xw_stop(struct tscr *ts, struct xworker *w)
{
	if (!w->started)
		return;
	pthread_mutex_lock(&ts->mu);
	w->stop = true;
	w->nq = 0;
	atomic_store(&w->cancel, true);
	pthread_cond_signal(&w->cv);
	pthread_mutex_unlock(&ts->mu);
	pthread_join(w->th, NULL);
	pthread_cond_destroy(&w->cv);
	w->started = false;
}

/* Queues req (a listing replaces a listing still waiting). */
static bool xw_queue(struct tscr *ts, struct xworker *w, const struct xreq *req)
{
	bool ok = false;

	pthread_mutex_lock(&ts->mu);
	if (req->kind == XR_LIST)
		for (size_t i = 0; i < w->nq; i++)
			if (w->q[i].kind == XR_LIST) {
				w->q[i] = *req;
				ok = true;
				break;
			}
	if (!ok && w->nq < XQ_MAX) {
		w->q[w->nq++] = *req;
		ok = true;
	}
	pthread_cond_signal(&w->cv);
	pthread_mutex_unlock(&ts->mu);
	return ok;
}

/* ---- helpers of the UI -------------------------------------------------- */

static const struct site *ts_site(const struct tscr *p, const char *name)
{
	for (size_t i = 0; i < p->nsites; i++)
		if (strcmp(p->sites[i].name, name) == 0)
			return &p->sites[i];
	return NULL;
}

static size_t ts_sel(struct tui *t, const struct tscr *p, enum pane pn)
{
	return p->focus == pn ? tui_selected(t) : p->lst[pn].sel;
}

static const struct site *ts_sel_site(struct tui *t, const struct tscr *p)
{
	size_t i = ts_sel(t, p, PANE_SITES);

	return i < p->nsites ? &p->sites[i] : NULL;
}

static void ts_req(struct xreq *r, const struct tscr *p, enum xr_kind k, const struct site *st)
{
	memset(r, 0, sizeof *r);
	r->kind = k;
	r->site = *st;
	if (strcmp(p->accepted_site, st->name) == 0)
		hmx_strlcpy(r->accept_fp, p->accepted_fp, sizeof r->accept_fp);
}

static void ts_filter(struct tscr *p)
{
	p->nf = 0;
	for (size_t i = 0; i < p->nents; i++)
		if (!p->filter[0] || text_contains_nocase(p->ents[i].name, p->filter))
			p->fidx[p->nf++] = i;
}

static void ts_list(struct tui *t, struct tscr *p, const struct site *st)
{
	struct xreq r;

	(void)t;
	ts_req(&r, p, XR_LIST, st);
	hmx_strlcpy(p->shown_site, st->name, sizeof p->shown_site);
	p->listing = true;
	p->list_err[0] = '\0';
	xw_queue(p, &p->net, &r);
}

static bool ts_busy(void *priv)
{
	struct tscr *p = priv;
	bool b;

	if (!p->mu_ok)
		return false;
	pthread_mutex_lock(&p->mu);
	b = p->listing || p->net.working || p->net.nq || p->xw.working || p->xw.nq ||
	    p->r_list_new || p->r_note_new || p->r_hk_new || p->r_nintake || p->r_relist[0];
	pthread_mutex_unlock(&p->mu);
	return b;
}

static bool ts_xfer_busy(struct tscr *p)
{
	bool b;

	pthread_mutex_lock(&p->mu);
	b = p->xw.working || p->xw.nq;
	pthread_mutex_unlock(&p->mu);
	return b;
}

/* The done pull job of site that brought remote name in (newest). */
static const struct transfer_job *ts_pulled(const struct tscr *p, const char *site,
					    const char *name)
{
	size_t nl = strlen(name);

	for (size_t i = 0; i < p->njobs; i++) {
		const struct transfer_job *j = &p->jobs[i];
		size_t rl = strlen(j->remote);

		if (j->dir != TRANSFER_PULL || j->state != TRANSFER_DONE || strcmp(j->site, site))
			continue;
		if (strcmp(j->remote, name) == 0 ||
		    (rl > nl && j->remote[rl - nl - 1] == '/' && strcmp(j->remote + rl - nl, name) == 0))
			return j;
	}
	return NULL;
}


static const char *ts_base(const char *path)
{
	const char *s = strrchr(path, '/');

	return s ? s + 1 : path;
}

/* ---- screen callbacks --------------------------------------------------- */

static const struct screen_action ts_actions[] = {
	{ ACT_PULL, "Pull", NULL, NEED_WRITE },
	{ ACT_MARK, "Mark", NULL, 0 },
	{ ACT_PUSH, "Push", NULL, NEED_WRITE },
	{ ACT_CANCEL, "Cancel", NULL, NEED_WRITE },
	{ ACT_RETRY, "Retry", NULL, NEED_WRITE },
	{ ACT_TEST_SITE, "Test", NULL, 0 },
	{ ACT_ACCEPT_KEY, "Accept key", NULL, 0 },
	{ ACT_FILTER, "Filter", NULL, 0 },
	{ ACT_RELIST, NULL, NULL, 0 },
	{ ACT_NEXT_PANE, "Pane", NULL, 0 },
	{ ACT_ENTER, NULL,
	  "Sites: list the site's folder; files: pull (as g); jobs: show the job whole", 0 },
	{ ACT_FILTER_CLEAR, NULL, "Clear the filter (without one: go back)", 0 },
};

static const struct tui_keybind ts_keys[] = {
	{ 'g', ACT_PULL, false },
	{ ' ', ACT_MARK, false },
	{ 'P', ACT_PUSH, false },
	{ 'x', ACT_CANCEL, false },
	{ 'R', ACT_RETRY, false },
	{ 't', ACT_TEST_SITE, false },
	{ 'a', ACT_ACCEPT_KEY, false },
	{ '/', ACT_FILTER, false },
	{ 'r', ACT_RELIST, false },
	{ '\t', ACT_NEXT_PANE, false },
	{ TUI_FN(KEY_BTAB), ACT_NEXT_PANE, true },
	{ TUI_KEY_ESC, ACT_FILTER_CLEAR, false },
};

static enum hmx_rc ts_open(struct tui *t, void *priv, const char *arg, struct hmx_err *err)
{
	struct tscr *p = priv;
	const char *db = store_path(tui_store(t));
	const char *slash;

	if (arg && *arg)
		hmx_strlcpy(p->cycle, arg, sizeof p->cycle);
	if (!realpath(db, p->dbpath))
		hmx_strlcpy(p->dbpath, db, sizeof p->dbpath);
	slash = strrchr(p->dbpath, '/');
	if (slash)
		snprintf(p->incoming, sizeof p->incoming, "%.*s/incoming", (int)(slash - p->dbpath),
			 p->dbpath);
	else
		snprintf(p->incoming, sizeof p->incoming, "incoming");
	snprintf(p->subtitle, sizeof p->subtitle, "%s%s", p->cycle[0] ? "cycle " : "", p->cycle);
	if (pthread_mutex_init(&p->mu, NULL) != 0)
		return hmx_err_set(err, HMX_ENOMEM, "cannot start the transfer threads");
	p->mu_ok = true;
	if (!xw_start(p, &p->net, false) || !xw_start(p, &p->xw, true))
		return hmx_err_set(err, HMX_ENOMEM, "cannot start the transfer threads");
	p->focus = PANE_SITES;
	return HMX_OK;
}

static void ts_close(struct tui *t, void *priv)
{
	struct tscr *p = priv;

	(void)t;
	if (p->mu_ok) {
		xw_stop(p, &p->xw);
		xw_stop(p, &p->net);
		pthread_mutex_destroy(&p->mu);
		p->mu_ok = false;
	}
	sftpc_entries_free(p->r_ents, p->r_nents);
	sftpc_entries_free(p->ents, p->nents);
	free(p->marked);
	free(p->fidx);
	free(p->sites);
	free(p->jobs);
}

static enum hmx_rc ts_reload(struct tui *t, void *priv, struct hmx_err *err)
{
	struct tscr *p = priv;
	struct site *sites;
	struct transfer_job *jobs;
	size_t ns, nj;
	enum hmx_rc rc;

	if ((rc = site_list(tui_store(t), &sites, &ns, err)) != HMX_OK)
		return rc;
	if ((rc = transfer_list(tui_store(t), &jobs, &nj, err)) != HMX_OK) {
		free(sites);
		return rc;
	}
	for (size_t i = 0; i < nj / 2; i++) { /* newest first */
		struct transfer_job tmp = jobs[i];

		jobs[i] = jobs[nj - 1 - i];
		jobs[nj - 1 - i] = tmp;
	}
	free(p->sites);
	free(p->jobs);
	p->sites = sites;
	p->nsites = ns;
	p->jobs = jobs;
	p->njobs = nj;
	return HMX_OK;
}

/* Takes in what the workers produced. */
static unsigned ts_tick(struct tui *t, void *priv)
{
	struct tscr *p = priv;
	struct sftpc_entry *ents = NULL;
	size_t nents = 0, nintake = 0;
	int64_t intake[XS_INTAKE_MAX];
	bool list_new, hk_new, note_new, relist;
	char note[600], list_err[512];
	enum tui_role role;
	const struct site *st;
	unsigned flags = TUI_OK;

	pthread_mutex_lock(&p->mu);
	list_new = p->r_list_new && strcmp(p->r_list_site, p->shown_site) == 0;
	if (p->r_list_new && !list_new) { /* another site's, no longer wanted */
		sftpc_entries_free(p->r_ents, p->r_nents);
		p->r_ents = NULL;
		p->r_nents = 0;
		p->r_list_new = false;
	}
	if (list_new) {
		ents = p->r_ents;
		nents = p->r_nents;
		hmx_strlcpy(list_err, p->r_list_err, sizeof list_err);
		p->r_ents = NULL;
		p->r_nents = 0;
		p->r_list_new = false;
	}
	hk_new = p->r_hk_new;
	if (hk_new) {
		p->hk = p->r_hk;
		hmx_strlcpy(p->hk_site, p->r_hk_site, sizeof p->hk_site);
		p->r_hk_new = false;
	}
	note_new = p->r_note_new;
	if (note_new) {
		hmx_strlcpy(note, p->r_note, sizeof note);
		role = p->r_note_role;
		p->r_note_new = false;
	}
	p->cur = p->r_cur;
	p->cur_on = p->r_cur_on;
	p->rate = p->r_rate;
	hmx_strlcpy(p->status, p->r_status, sizeof p->status);
	nintake = p->r_nintake;
	memcpy(intake, p->r_intake, nintake * sizeof *intake);
	p->r_nintake = 0;
	relist = p->r_relist[0] && strcmp(p->r_relist, p->shown_site) == 0;
	p->r_relist[0] = '\0';
	pthread_mutex_unlock(&p->mu);

	if (list_new) {
		bool *m = calloc(nents ? nents : 1, sizeof *m);
		size_t *fi = calloc(nents ? nents : 1, sizeof *fi);

		if (!m || !fi) {
			free(m);
			free(fi);
			sftpc_entries_free(ents, nents);
			tui_message(t, ROLE_BLOCKING, "Out of memory");
		} else {
			sftpc_entries_free(p->ents, p->nents);
			free(p->marked);
			free(p->fidx);
			p->ents = ents;
			p->nents = nents;
			p->marked = m;
			p->fidx = fi;
			ts_filter(p);
			hmx_strlcpy(p->list_err, list_err, sizeof p->list_err);
			p->listing = false;
			if (p->focus == PANE_FILES)
				tui_select(t, 0);
			else
				p->lst[PANE_FILES].sel = 0;
		}
	}
	if (hk_new)
		tui_message(t, ROLE_WARNING, "Unknown host key of %s: %s %s; press a to see it and "
			    "accept it", p->hk_site, p->hk.key_type, p->hk.fingerprint);
	if (note_new)
		tui_message(t, role, "%s", note);
	/* pulled files of a cycle go to intake, here in the main thread */
	for (size_t i = 0; i < nintake; i++) {
		struct transfer_job j;
		struct site s2;
		struct hmx_err err = { 0 };
		struct intake_info in;
		struct intake_opts io = { NULL, CAL_NO_DAY, false };

		if (transfer_get(tui_store(t), intake[i], &j, &err) != HMX_OK ||
		    site_get(tui_store(t), j.site, &s2, &err) != HMX_OK) {
			tui_error(t, "Intake", &err);
			continue;
		}
		if (!site_intake_source(&s2)) {
			tui_message(t, ROLE_WARNING, "Job #%lld done; site %s has role \"%s\": not "
				    "taken into %s (only rdc and agency:CODE files are)",
				    (long long)j.id, s2.name, s2.role, p->cycle);
			continue;
		}
		if (!intake_is_zip(j.local)) {
			tui_message(t, ROLE_NORMAL, "Job #%lld done; %s is not a zip: not taken into %s",
				    (long long)j.id, ts_base(j.local), p->cycle);
			continue;
		}
		io.source = s2.role;
		if (intake_add(tui_store(t), p->cycle, j.local, &io, &in, &err) != HMX_OK) {
			tui_error(t, "Intake", &err);
			continue;
		}
		tui_message(t, ROLE_OK, "Job #%lld done; %s %s %s (file %.12s, %llu projects)%s",
			    (long long)j.id, ts_base(j.local),
			    in.already ? "was already in" : "taken into", p->cycle, in.sha256,
			    (unsigned long long)in.projects,
			    in.n_blocking ? ": blocking findings, see the review" : "");
		flags |= TUI_RELOAD;
	}
	/* a job another process runs: listed again every 2 s (its bytes move,
	 * and a process killed meanwhile shows as interrupted) */
	if (ts_now() - p->others_at >= 2.0) {
		p->others_at = ts_now();
		for (size_t i = 0; i < p->njobs; i++)
			if (p->jobs[i].state == TRANSFER_RUNNING &&
			    !(p->cur_on && p->cur.id == p->jobs[i].id)) {
				flags |= TUI_RELOAD;
				break;
			}
	}
	/* the listing follows the selected site, and a push into it */
	st = ts_sel_site(t, p);
	if (st && (strcmp(st->name, p->shown_site) != 0 || relist))
		ts_list(t, p, st);
	/* a local file picked for a push */
	if (scr_picked_set) {
		scr_picked_set = false;
		hmx_strlcpy(p->picked, scr_picked, sizeof p->picked);
		if (st) {
			struct xreq r;

			ts_req(&r, p, XR_PUSH, st);
			hmx_strlcpy(r.arg, p->picked, sizeof r.arg);
			if (xw_queue(p, &p->xw, &r))
				tui_message(t, ROLE_NORMAL, "Pushing %s to %s%s%s…", ts_base(p->picked),
					    st->name, st->remote_dir[0] ? ":" : "", st->remote_dir);
		}
	}
	return flags;
}

static const char *ts_subtitle(void *priv)
{
	return ((struct tscr *)priv)->subtitle;
}

static size_t ts_pane_rows(const struct tscr *p, enum pane pn)
{
	switch (pn) {
	case PANE_SITES:
		return p->nsites;
	case PANE_FILES:
		return p->nf;
	default:
		return p->njobs;
	}
}

static size_t ts_rows(void *priv)
{
	struct tscr *p = priv;

	return ts_pane_rows(p, p->focus);
}

/* sites | files on top, jobs below */
static void ts_layout(struct tui *t, void *priv, const struct tui_rect *body,
		      struct tui_rect *list)
{
	struct tscr *p = priv;
	int jobs_h = body->h * 2 / 5, top_h;

	(void)t;
	if (jobs_h < 5)
		jobs_h = 5;
	top_h = body->h - jobs_h;
	p->sites_w = body->w / 5 < 14 ? 14 : body->w / 5;
	p->rect[PANE_SITES] = (struct tui_rect){ body->y + 2, body->x, top_h - 2, p->sites_w };
	p->rect[PANE_FILES] = (struct tui_rect){ body->y + 2, body->x + p->sites_w + 1, top_h - 2,
						 body->w - p->sites_w - 1 };
	p->rect[PANE_JOBS] = (struct tui_rect){ body->y + top_h + 2, body->x, jobs_h - 2, body->w };
	for (int i = 0; i < PANE_COUNT; i++)
		if (p->rect[i].h < 0)
			p->rect[i].h = 0;
	*list = p->rect[p->focus];
}

static void ts_size(char *buf, size_t n, uint64_t v)
{
	hmx_human_size(buf, n, v);
}

static void ts_draw_site(struct tscr *p, WINDOW *w, size_t row, const struct tui_rect *line,
			 bool sel)
{
	const struct site *s = &p->sites[row];

	tui_put(w, line->y, line->x + 1, line->w - 1, theme_row_attr(ROLE_NORMAL, sel), ALIGN_LEFT,
		s->name);
}

static void ts_draw_file(struct tscr *p, WINDOW *w, size_t row, const struct tui_rect *line,
			 bool sel)
{
	const struct sftpc_entry *e = &p->ents[p->fidx[row]];
	const struct transfer_job *j = e->is_dir ? NULL : ts_pulled(p, p->shown_site, e->name);
	attr_t at = theme_row_attr(e->is_dir ? ROLE_DIM : ROLE_NORMAL, sel);
	char name[300], size[32], when[20], pulled[40];
	int x = line->x, nw = line->w - 2 - 10 - 17 - 22;
	time_t tt = (time_t)e->mtime;
	struct tm tm;

	if (nw < 8)
		nw = 8;
	snprintf(name, sizeof name, "%s %s%s", p->marked[p->fidx[row]] ? "*" : " ", e->name,
		 e->is_dir ? "/" : "");
	ts_size(size, sizeof size, e->size);
	gmtime_r(&tt, &tm);
	strftime(when, sizeof when, "%Y-%m-%d %H:%M", &tm);
	if (j)
		snprintf(pulled, sizeof pulled, "pulled %.12s", j->sha256);
	else
		pulled[0] = '\0';
	tui_put(w, line->y, x, nw, at, ALIGN_LEFT, name);
	x += nw + 1;
	tui_put(w, line->y, x, 10, at, ALIGN_RIGHT, e->is_dir ? "" : size);
	x += 11;
	tui_put(w, line->y, x, 16, at, ALIGN_LEFT, when);
	x += 17;
	tui_put(w, line->y, x, line->x + line->w - x, theme_row_attr(ROLE_OK, sel), ALIGN_LEFT,
		pulled);
}

static enum tui_role ts_state_role(enum transfer_state st)
{
	switch (st) {
	case TRANSFER_DONE:
		return ROLE_OK;
	case TRANSFER_FAILED:
		return ROLE_BLOCKING;
	case TRANSFER_CANCELLED:
	case TRANSFER_INTERRUPTED:
		return ROLE_WARNING;
	case TRANSFER_RUNNING:
		return ROLE_HEADER;
	default:
		return ROLE_NORMAL;
	}
}

static void ts_draw_job(struct tscr *p, WINDOW *w, size_t row, const struct tui_rect *line,
			bool sel)
{
	const struct transfer_job *j = &p->jobs[row];
	bool live = p->cur_on && p->cur.id == j->id;
	uint64_t done = live ? p->cur.done : j->done, size = live ? p->cur.size : j->size;
	enum transfer_state st = live ? p->cur.state : j->state;
	attr_t at = theme_row_attr(ROLE_NORMAL, sel);
	char id[16], bar[64], bytes[64], a[32], b[32], tail[128];
	int x = line->x + 1, bw = 12, nw = line->w - 1 - 7 - 5 - (bw + 2) - 22 - 30;
	int fill = size ? (int)((double)done * bw / (double)size) : (st == TRANSFER_DONE ? bw : 0);
	size_t o = 0;

	if (nw < 8)
		nw = 8;
	snprintf(id, sizeof id, "#%lld", (long long)j->id);
	bar[o++] = '[';
	for (int i = 0; i < bw; i++)
		bar[o++] = i < fill ? '#' : '.';
	bar[o++] = ']';
	bar[o] = '\0';
	ts_size(a, sizeof a, done);
	ts_size(b, sizeof b, size);
	snprintf(bytes, sizeof bytes, "%s/%s", a, b);
	if (st == TRANSFER_RUNNING && live && p->cur.error[0]) { /* waiting to retry */
		snprintf(tail, sizeof tail, "%.120s", p->cur.error);
	} else if (st == TRANSFER_RUNNING && live && p->rate > 0) {
		double eta = (double)(size - done) / p->rate;

		snprintf(tail, sizeof tail, "%5.1f MB/s ETA %d:%02d", p->rate / 1e6,
			 (int)eta / 60, (int)eta % 60);
	} else if (st == TRANSFER_DONE) {
		snprintf(tail, sizeof tail, "%.12s", j->sha256);
	} else if (st == TRANSFER_RUNNING) {
		snprintf(tail, sizeof tail, "%s", live ? "" : "(another process)");
	} else if (st == TRANSFER_INTERRUPTED) {
		snprintf(tail, sizeof tail, "R resumes it");
	} else if (st == TRANSFER_CANCELLED && strcmp(j->error, "cancelled") == 0) {
		snprintf(tail, sizeof tail, "R resumes it");
	} else {
		snprintf(tail, sizeof tail, "%.120s", j->error);
	}
	tui_put(w, line->y, x, 6, at, ALIGN_LEFT, id);
	x += 7;
	tui_put(w, line->y, x, 4, at, ALIGN_LEFT, transfer_dir_name(j->dir));
	x += 5;
	tui_put(w, line->y, x, nw, at, ALIGN_LEFT, ts_base(j->dir == TRANSFER_PULL ? j->remote :
									       j->local));
	x += nw + 1;
	tui_put(w, line->y, x, bw + 2, at, ALIGN_LEFT, bar);
	x += bw + 3;
	tui_put(w, line->y, x, 21, at, ALIGN_RIGHT, bytes);
	x += 22;
	tui_put(w, line->y, x, 11, theme_row_attr(ts_state_role(st), sel), ALIGN_LEFT,
		transfer_state_name(st));
	x += 12;
	tui_put(w, line->y, x, line->x + line->w - x, theme_row_attr(ROLE_DIM, sel), ALIGN_LEFT,
		tail);
}

static void ts_draw_pane_row(struct tscr *p, enum pane pn, WINDOW *w, size_t row,
			     const struct tui_rect *line, bool sel)
{
	if (pn == PANE_SITES)
		ts_draw_site(p, w, row, line, sel);
	else if (pn == PANE_FILES)
		ts_draw_file(p, w, row, line, sel);
	else
		ts_draw_job(p, w, row, line, sel);
}

static void ts_draw_row(struct tui *t, void *priv, WINDOW *w, size_t row,
			const struct tui_rect *line, bool sel)
{
	struct tscr *p = priv;

	(void)t;
	ts_draw_pane_row(p, p->focus, w, row, line, sel);
}

static void ts_draw(struct tui *t, void *priv, WINDOW *w, const struct tui_rect *body)
{
	struct tscr *p = priv;
	attr_t hd = theme_attr(ROLE_HEADER), dim = theme_attr(ROLE_DIM);
	const struct tui_rect *fr = &p->rect[PANE_FILES], *jr = &p->rect[PANE_JOBS];
	const struct site *st = ts_sel_site(t, p);
	size_t marked = 0;
	int x;

	for (size_t i = 0; i < p->nents; i++)
		marked += p->marked[i];
	/* headings; the focused pane's is marked */
	tui_putf(w, body->y, 0, p->sites_w, hd, "%s Sites", p->focus == PANE_SITES ? ">" : " ");
	x = fr->x;
	x += tui_putf(w, body->y, x, fr->w, hd, "%s Files of %s", p->focus == PANE_FILES ? ">" : " ",
		      st ? st->name : "-");
	if (st && st->remote_dir[0])
		x += tui_putf(w, body->y, x, fr->x + fr->w - x, dim, ": %s", st->remote_dir);
	if (p->filter[0] || marked)
		tui_putf(w, body->y, x, fr->x + fr->w - x, A_NORMAL, "  %zu of %zu%s%s%s, %zu marked",
			 p->nf, p->nents, p->filter[0] ? " matching \"" : "", p->filter,
			 p->filter[0] ? "\"" : "", marked);
	tui_put(w, body->y + 1, fr->x + 2, fr->w - 2 - 10 - 17 - 22, hd, ALIGN_LEFT, "Name");
	tui_put(w, body->y + 1, fr->x + fr->w - 10 - 17 - 22, 10, hd, ALIGN_RIGHT, "Size");
	tui_put(w, body->y + 1, fr->x + fr->w - 17 - 22 + 1, 16, hd, ALIGN_LEFT, "Modified (UTC)");
	tui_put(w, body->y + 1, fr->x + fr->w - 22 + 1, 21, hd, ALIGN_LEFT, "Pulled");
	for (int y = body->y; y < jr->y - 2; y++)
		tui_put(w, y, p->sites_w, 1, dim, ALIGN_LEFT, theme_glyph(GLYPH_VLINE));
	/* the panes that do not have the focus (the shell draws that one) */
	for (int pn = 0; pn < PANE_COUNT; pn++) {
		const struct tui_rect *r = &p->rect[pn];
		size_t n = ts_pane_rows(p, (enum pane)pn);

		if ((enum pane)pn == p->focus)
			continue;
		tui_list_fix(&p->lst[pn], n, r->h);
		for (int i = 0; i < r->h && p->lst[pn].top + (size_t)i < n; i++) {
			size_t row = p->lst[pn].top + (size_t)i;
			struct tui_rect line = { r->y + i, r->x, 1, r->w };

			ts_draw_pane_row(p, (enum pane)pn, w, row, &line, false);
			if (row == p->lst[pn].sel)
				tui_put(w, line.y, line.x, 1, hd, ALIGN_LEFT, ">");
		}
	}
	/* what the files pane has instead of rows */
	if (!p->nsites)
		tui_put(w, fr->y, fr->x + 1, fr->w - 1, dim, ALIGN_LEFT,
			"No site yet: hmx site add NAME --host H ... (see hmx help)");
	else if (p->hk_site[0] && st && strcmp(p->hk_site, st->name) == 0 && !p->nents)
		tui_putf(w, fr->y, fr->x + 1, fr->w - 1, theme_attr(ROLE_WARNING),
			 "Unknown host key %s %s: a accepts it", p->hk.key_type, p->hk.fingerprint);
	else if (p->listing)
		tui_put(w, fr->y, fr->x + 1, fr->w - 1, dim, ALIGN_LEFT,
			p->status[0] ? p->status : "connecting…");
	else if (p->list_err[0])
		tui_put(w, fr->y, fr->x + 1, fr->w - 1, theme_attr(ROLE_BLOCKING), ALIGN_LEFT,
			p->list_err);
	else if (!p->nf)
		tui_put(w, fr->y, fr->x + 1, fr->w - 1, dim, ALIGN_LEFT,
			p->nents ? "No file matches the filter (Esc clears it)." : "The folder is empty.");
	/* jobs */
	x = tui_putf(w, jr->y - 2, 0, body->w, hd, "%s Transfers (%zu)",
		     p->focus == PANE_JOBS ? ">" : " ", p->njobs);
	tui_putf(w, jr->y - 2, x + 2, body->w - x - 2, dim, "into %s", p->incoming);
	{
		int nw = jr->w - 1 - 7 - 5 - 14 - 22 - 30; /* as in ts_draw_job */

		if (nw < 8)
			nw = 8;
		tui_put(w, jr->y - 1, 1, 6, hd, ALIGN_LEFT, "Job");
		tui_put(w, jr->y - 1, 8, 4, hd, ALIGN_LEFT, "Dir");
		tui_put(w, jr->y - 1, 13, nw, hd, ALIGN_LEFT, "File");
		tui_put(w, jr->y - 1, 14 + nw, 14, hd, ALIGN_LEFT, "Progress");
		tui_put(w, jr->y - 1, 29 + nw, 21, hd, ALIGN_RIGHT, "Bytes");
		tui_put(w, jr->y - 1, 51 + nw, jr->w - 51 - nw, hd, ALIGN_LEFT, "State");
	}
	if (!p->njobs && jr->h > 0)
		tui_put(w, jr->y, 2, jr->w - 2, dim, ALIGN_LEFT, "No transfer yet.");
}

static void ts_row_text(void *priv, size_t row, char *buf, size_t n)
{
	struct tscr *p = priv;

	if (p->focus == PANE_SITES)
		snprintf(buf, n, "%s %s", p->sites[row].name, p->sites[row].host);
	else if (p->focus == PANE_FILES)
		snprintf(buf, n, "%s", p->ents[p->fidx[row]].name);
	else
		snprintf(buf, n, "#%lld %s %s %s", (long long)p->jobs[row].id, p->jobs[row].remote,
			 p->jobs[row].local, transfer_state_name(p->jobs[row].state));
}

/* ---- actions ------------------------------------------------------------ */

static unsigned ts_filter_done(struct tui *t, void *priv, const char *text)
{
	struct tscr *p = priv;

	hmx_strlcpy(p->filter, text, sizeof p->filter);
	ts_filter(p);
	if (p->focus == PANE_FILES)
		tui_select(t, 0);
	else
		p->lst[PANE_FILES].sel = 0;
	tui_message(t, ROLE_NORMAL, "%zu of %zu file%s shown", p->nf, p->nents,
		    p->nents == 1 ? "" : "s");
	return TUI_OK;
}

static int ts_mkdir(const char *dir)
{
	return mkdir(dir, 0700) == 0 || errno == EEXIST ? 0 : -1;
}

static void ts_pull(struct tui *t, struct tscr *p)
{
	const struct site *st = ts_site(p, p->shown_site);
	size_t n = 0, sel = ts_sel(t, p, PANE_FILES);
	struct xreq r;

	if (!st || p->listing || !p->nents) {
		tui_message(t, ROLE_WARNING, "Pull: no file listed yet");
		return;
	}
	if (ts_mkdir(p->incoming) != 0) {
		tui_message(t, ROLE_BLOCKING, "Pull: cannot make %s: %s", p->incoming,
			    strerror(errno));
		return;
	}
	ts_req(&r, p, XR_PULL, st);
	hmx_strlcpy(r.dir, p->incoming, sizeof r.dir);
	for (size_t i = 0; i < p->nents; i++) {
		if (!p->marked[i] || p->ents[i].is_dir)
			continue;
		hmx_strlcpy(r.arg, p->ents[i].name, sizeof r.arg);
		n += xw_queue(p, &p->xw, &r);
		p->marked[i] = false;
	}
	if (!n) {
		const struct sftpc_entry *e = sel < p->nf ? &p->ents[p->fidx[sel]] : NULL;

		if (!e || e->is_dir) {
			tui_message(t, ROLE_WARNING, "Pull: %s", e ? "a folder is not pulled; "
				    "mark files with Space" : "nothing selected");
			return;
		}
		hmx_strlcpy(r.arg, e->name, sizeof r.arg);
		n += xw_queue(p, &p->xw, &r);
	}
	tui_message(t, ROLE_NORMAL, "Pulling %zu file%s from %s into %s%s%s", n, n == 1 ? "" : "s",
		    st->name, p->incoming, p->cycle[0] ? ", then into " : "", p->cycle);
}

static const struct transfer_job *ts_sel_job(struct tui *t, struct tscr *p)
{
	size_t i = ts_sel(t, p, PANE_JOBS);

	return i < p->njobs ? &p->jobs[i] : NULL;
}

static unsigned ts_cancel_yes(struct tui *t, void *priv)
{
	struct tscr *p = priv;
	const struct transfer_job *j = ts_sel_job(t, p);
	struct hmx_err err = { 0 };
	bool mine;

	if (!j)
		return TUI_OK;
	pthread_mutex_lock(&p->mu);
	mine = p->xw.working && p->r_cur_on && p->r_cur.id == j->id;
	if (mine)
		atomic_store(&p->xw.cancel, true);
	pthread_mutex_unlock(&p->mu);
	if (mine) {
		tui_message(t, ROLE_NORMAL, "Cancelling job #%lld…", (long long)j->id);
		return TUI_OK;
	}
	if (transfer_cancel(tui_store(t), j->id, &err) != HMX_OK) {
		tui_error(t, "Cancel", &err);
		return TUI_OK;
	}
	tui_message(t, ROLE_OK, "Job #%lld cancelled; R resumes it", (long long)j->id);
	return TUI_RELOAD;
}

static void ts_retry(struct tui *t, struct tscr *p)
{
	const struct transfer_job *j = ts_sel_job(t, p);
	const struct site *st;
	struct xreq r;

	if (!j) {
		tui_message(t, ROLE_WARNING, "Retry: select a job (Tab to the jobs)");
		return;
	}
	if (j->state == TRANSFER_DONE) {
		tui_message(t, ROLE_WARNING, "Retry: job #%lld is done", (long long)j->id);
		return;
	}
	if (!(st = ts_site(p, j->site))) {
		tui_message(t, ROLE_WARNING, "Retry: site %s no longer exists", j->site);
		return;
	}
	ts_req(&r, p, XR_RETRY, st);
	r.id = j->id;
	if (xw_queue(p, &p->xw, &r))
		tui_message(t, ROLE_NORMAL, "Retrying job #%lld from %llu bytes", (long long)j->id,
			    (unsigned long long)j->done);
}

static unsigned ts_accept_yes(struct tui *t, void *priv)
{
	struct tscr *p = priv;
	const struct site *st = ts_site(p, p->hk_site);

	hmx_strlcpy(p->accepted_site, p->hk_site, sizeof p->accepted_site);
	hmx_strlcpy(p->accepted_fp, p->hk.fingerprint, sizeof p->accepted_fp);
	tui_message(t, ROLE_OK, "Host key %s of %s accepted: added to known_hosts when it connects",
		    p->hk.fingerprint, p->hk_site);
	p->hk_site[0] = '\0';
	if (st)
		ts_list(t, p, st);
	return TUI_OK;
}

static void ts_job_detail(struct tui *t, struct tscr *p)
{
	const struct transfer_job *j = ts_sel_job(t, p);
	char text[12][1100], title[48];
	const char *lines[12];
	size_t n = 0;

	if (!j)
		return;
#define L(...) \
	do { snprintf(text[n], sizeof text[n], __VA_ARGS__); lines[n] = text[n]; n++; } while (0)
	L("Site:     %s (%s)", j->site, transfer_dir_name(j->dir));
	L("Remote:   %s", j->remote);
	L("Local:    %s", j->local);
	L("State:    %s%s", transfer_state_name(j->state),
	  j->state == TRANSFER_INTERRUPTED ? " (left running by an hmx that stopped; R resumes it)"
					   : "");
	L("Bytes:    %llu of %llu", (unsigned long long)j->done, (unsigned long long)j->size);
	L("SHA-256:  %s", j->sha256[0] ? j->sha256 : "-");
	L("Error:    %s", j->error[0] ? j->error : "-");
	L("Who:      %s", j->who);
	L("Created:  %s", j->created_at);
	L("Updated:  %s", j->updated_at);
#undef L
	snprintf(title, sizeof title, "Transfer job #%lld", (long long)j->id);
	tui_pager(t, title, lines, n);
}

static unsigned ts_leave_yes(struct tui *t, void *priv)
{
	struct tscr *p = priv;

	(void)t;
	pthread_mutex_lock(&p->mu);
	p->xw.nq = 0;
	atomic_store(&p->xw.cancel, true);
	pthread_mutex_unlock(&p->mu);
	return p->quit_all ? TUI_QUIT : TUI_POP;
}

static bool ts_leave(struct tui *t, void *priv, bool quit_all)
{
	struct tscr *p = priv;
	char q[300];

	if (!ts_xfer_busy(p))
		return true;
	p->quit_all = quit_all;
	if (p->cur_on)
		snprintf(q, sizeof q, "Job #%lld is running (%llu of %llu bytes). Cancel it and %s? "
			 "The job stays resumable: R retries it.", (long long)p->cur.id,
			 (unsigned long long)p->cur.done, (unsigned long long)p->cur.size,
			 quit_all ? "quit hmx" : "close the screen");
	else
		snprintf(q, sizeof q, "Transfers are queued or starting. Cancel them and %s?",
			 quit_all ? "quit hmx" : "close the screen");
	tui_confirm(t, q, ts_leave_yes);
	return false;
}

static unsigned ts_handle(struct tui *t, void *priv, enum action a)
{
	struct tscr *p = priv;
	const struct site *st = ts_sel_site(t, p);
	char q[700];

	switch (a) {
	case ACT_NEXT_PANE:
		p->lst[p->focus].sel = tui_selected(t);
		p->focus = (enum pane)((p->focus + 1) % PANE_COUNT);
		tui_select(t, p->lst[p->focus].sel);
		return TUI_OK;
	case ACT_ENTER:
		if (p->focus == PANE_SITES && st) {
			ts_list(t, p, st);
			p->lst[PANE_SITES].sel = tui_selected(t);
			p->focus = PANE_FILES;
			tui_select(t, p->lst[PANE_FILES].sel);
		} else if (p->focus == PANE_FILES) {
			ts_pull(t, p);
		} else {
			ts_job_detail(t, p);
		}
		return TUI_OK;
	case ACT_PULL:
		ts_pull(t, p);
		return TUI_OK;
	case ACT_MARK:
		if (p->focus != PANE_FILES || !p->nf) {
			tui_message(t, ROLE_WARNING, "Mark: select a file first (Tab to the files)");
			return TUI_OK;
		}
		{
			size_t i = p->fidx[tui_selected(t)];

			p->marked[i] = !p->marked[i] && !p->ents[i].is_dir;
			tui_select(t, tui_selected(t) + 1);
		}
		return TUI_OK;
	case ACT_FILTER:
		tui_prompt(t, "Show files whose name contains (empty: all): ", ts_filter_done);
		return TUI_OK;
	case ACT_FILTER_CLEAR:
		if (p->filter[0]) {
			ts_filter_done(t, p, "");
			tui_message(t, ROLE_NORMAL, "Filter cleared");
			return TUI_OK;
		}
		return ts_leave(t, p, false) ? TUI_POP : TUI_OK;
	case ACT_RELIST:
		if (st)
			ts_list(t, p, st);
		return TUI_OK;
	case ACT_TEST_SITE:
		if (st) {
			struct xreq r;

			ts_req(&r, p, XR_TEST, st);
			xw_queue(p, &p->net, &r);
			tui_message(t, ROLE_NORMAL, "Testing %s…", st->name);
		}
		return TUI_OK;
	case ACT_ACCEPT_KEY:
		if (!p->hk_site[0]) {
			tui_message(t, ROLE_WARNING, "Accept key: no unknown host key is waiting (a "
				    "listing or a test shows one)");
			return TUI_OK;
		}
		snprintf(q, sizeof q, "The authenticity of host %s (site %s) can't be established. "
			 "%s key fingerprint is %s. Add it to ~/.ssh/%.60s and connect (only if the site's "
			 "administrator confirmed it)?", p->hk.host, p->hk_site, p->hk.key_type,
			 p->hk.fingerprint, ts_base(p->hk.known_hosts));
		tui_confirm(t, q, ts_accept_yes);
		return TUI_OK;
	case ACT_PUSH:
		if (!st) {
			tui_message(t, ROLE_WARNING, "Push: no site");
			return TUI_OK;
		}
		tui_push(t, &fpick_screen, NULL);
		return TUI_OK;
	case ACT_CANCEL: {
		const struct transfer_job *j = ts_sel_job(t, p);

		if (p->focus != PANE_JOBS || !j) {
			tui_message(t, ROLE_WARNING, "Cancel: select a job first (Tab to the jobs)");
			return TUI_OK;
		}
		if (j->state == TRANSFER_DONE || j->state == TRANSFER_CANCELLED) {
			tui_message(t, ROLE_WARNING, "Cancel: job #%lld is already %s",
				    (long long)j->id, transfer_state_name(j->state));
			return TUI_OK;
		}
		snprintf(q, sizeof q, "Cancel job #%lld (%s %.200s)? The partial is kept: R resumes it.",
			 (long long)j->id, transfer_dir_name(j->dir),
			 ts_base(j->dir == TRANSFER_PULL ? j->remote : j->local));
		tui_confirm(t, q, ts_cancel_yes);
		return TUI_OK;
	}
	case ACT_RETRY:
		if (p->focus != PANE_JOBS) {
			tui_message(t, ROLE_WARNING, "Retry: select a job first (Tab to the jobs)");
			return TUI_OK;
		}
		ts_retry(t, p);
		return TUI_OK;
	default:
		return TUI_OK;
	}
}

const struct screen_ops transfers_screen = {
	.name = "transfers",
	.title = "Transfers",
	.priv_size = sizeof(struct tscr),
	.actions = ts_actions,
	.n_actions = sizeof ts_actions / sizeof ts_actions[0],
	.keys = ts_keys,
	.n_keys = sizeof ts_keys / sizeof ts_keys[0],
	.open = ts_open,
	.close = ts_close,
	.reload = ts_reload,
	.layout = ts_layout,
	.draw = ts_draw,
	.rows = ts_rows,
	.draw_row = ts_draw_row,
	.row_text = ts_row_text,
	.subtitle = ts_subtitle,
	.handle = ts_handle,
	.tick = ts_tick,
	.busy = ts_busy,
	.leave = ts_leave,
};
