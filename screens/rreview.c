/* screens/rreview.c — what a partner sees over SSH (`hmx review --as
 * NAME`, issue 8): the findings of the reviewer's projects only, in the
 * open cycles (or the one cycle given), the ones waiting on them (a fix
 * proposed) first. a approves the proposed fix (an optional comment), r
 * rejects it (a comment is required), c comments, Enter shows the
 * finding whole with its history. It is the only screen of the session:
 * it opens no other screen, and q quits hmx. Every decision goes through
 * review_decide() with the reviewer's name and the version of the finding
 * seen when the key was pressed, so a decision someone else made
 * meanwhile is refused with a message and the list refreshed. */
#include "screens/screens.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/reviewer.h"
#include "tui/text.h"

#define RR_DETAIL_ROWS 3 /* separator, fix, detail of the selected finding */

struct rreview {
	char name[33];
	char cycle[64];
	char title[80];
	char subtitle[160];
	struct reviewer who;
	struct review_item *items;
	size_t n, waiting;
	int64_t pending_id, pending_version;
	bool to_top; /* after a decision: select the first row (the next waiting) */
	struct tui_rect list, detail;
};

static const struct screen_action rr_actions[] = {
	{ ACT_APPROVE, "Approve", NULL, NEED_ROW | NEED_WRITE },
	{ ACT_REJECT, "Reject", NULL, NEED_ROW | NEED_WRITE },
	{ ACT_COMMENT, "Comment", NULL, NEED_ROW | NEED_WRITE },
	{ ACT_ENTER, "History", "Show the finding whole with its history", NEED_ROW },
};

static const struct tui_keybind rr_keys[] = {
	{ 'a', ACT_APPROVE, false },
	{ 'r', ACT_REJECT, false },
	{ 'c', ACT_COMMENT, false },
};

/* Waiting on the reviewer first, then what is still in play, then done. */
static int rr_rank(enum review_state st)
{
	switch (st) {
	case RV_FIX_PROPOSED: return 0;
	case RV_REJECTED: return 1;
	case RV_OPEN: return 2;
	case RV_APPROVED: return 3;
	case RV_RESOLVED: return 4;
	default: return 5;
	}
}

static int rr_cmp(const void *a, const void *b)
{
	const struct review_item *x = a, *y = b;
	int c = rr_rank(x->state) - rr_rank(y->state);

	if (c)
		return c;
	if ((c = strcmp(x->cycle, y->cycle)) != 0)
		return c;
	if ((c = strcmp(x->project, y->project)) != 0)
		return c;
	if ((c = strcmp(x->check, y->check)) != 0)
		return c;
	return x->id < y->id ? -1 : x->id > y->id;
}

static enum hmx_rc rr_open(struct tui *t, void *priv, const char *arg, struct hmx_err *err)
{
	struct rreview *r = priv;
	const char *tab = arg ? strchr(arg, '\t') : NULL;

	if (!arg || !*arg || arg[0] == '\t')
		return hmx_err_set(err, HMX_EINVAL, "the review screen needs a reviewer's name");
	snprintf(r->name, sizeof r->name, "%.*s", (int)(tab ? (size_t)(tab - arg) : strlen(arg)),
		 arg);
	if (tab)
		hmx_strlcpy(r->cycle, tab + 1, sizeof r->cycle);
	if (reviewer_get(tui_store(t), r->name, &r->who, err) != HMX_OK)
		return err->rc;
	snprintf(r->title, sizeof r->title, "Review %s %s", theme_ascii() ? "-" : "—", r->name);
	return HMX_OK;
}

static void rr_close(struct tui *t, void *priv)
{
	(void)t;
	free(((struct rreview *)priv)->items);
}

/* Appends the items of one cycle the reviewer may act on. */
static enum hmx_rc rr_add_cycle(struct tui *t, struct rreview *r, const char *cycle,
				struct review_item **all, size_t *n, struct hmx_err *err)
{
	struct review_filter f;
	struct review_item *items, *grown;
	size_t k;
	enum hmx_rc rc;

	review_filter_init(&f);
	f.as = r->name;
	if ((rc = review_list(tui_store(t), cycle, &f, &items, &k, err)) != HMX_OK)
		return rc;
	if (!k) {
		free(items);
		return HMX_OK;
	}
	grown = realloc(*all, (*n + k) * sizeof **all);
	if (!grown) {
		free(items);
		return hmx_err_set(err, HMX_ENOMEM, "out of memory");
	}
	memcpy(grown + *n, items, k * sizeof *items);
	*all = grown;
	*n += k;
	free(items);
	return HMX_OK;
}

static enum hmx_rc rr_reload(struct tui *t, void *priv, struct hmx_err *err)
{
	struct rreview *r = priv;
	struct review_item *all = NULL;
	size_t n = 0, sel = tui_selected(t);
	int64_t keep = sel < r->n ? r->items[sel].id : 0;
	enum hmx_rc rc = HMX_OK;

	/* the reviewer may have been removed or changed meanwhile */
	if ((rc = reviewer_get(tui_store(t), r->name, &r->who, err)) != HMX_OK)
		return rc;
	if (r->cycle[0]) {
		rc = rr_add_cycle(t, r, r->cycle, &all, &n, err);
	} else {
		struct cycle_info *cy = NULL;
		size_t nc = 0;

		rc = cycle_list(tui_store(t), false, tui_today(t), &cy, &nc, err);
		for (size_t i = 0; rc == HMX_OK && i < nc; i++)
			rc = rr_add_cycle(t, r, cy[i].code, &all, &n, err);
		free(cy);
	}
	if (rc != HMX_OK) {
		free(all);
		return rc;
	}
	if (n)
		qsort(all, n, sizeof *all, rr_cmp);
	free(r->items);
	r->items = all;
	r->n = n;
	r->waiting = 0;
	for (size_t i = 0; i < n; i++)
		if (all[i].state == RV_FIX_PROPOSED)
			r->waiting++;
	snprintf(r->subtitle, sizeof r->subtitle, "%s", r->cycle[0] ? r->cycle : "open cycles");
	if (r->to_top) {
		r->to_top = false;
		keep = 0;
		tui_select(t, 0);
	}
	for (size_t i = 0; keep && i < n; i++)
		if (all[i].id == keep) {
			tui_select(t, i);
			break;
		}
	return HMX_OK;
}

static size_t rr_rows(void *priv)
{
	return ((struct rreview *)priv)->n;
}

static void rr_layout(struct tui *t, void *priv, const struct tui_rect *body,
		      struct tui_rect *list)
{
	struct rreview *r = priv;
	int lh = body->h - 2 - RR_DETAIL_ROWS;

	(void)t;
	if (lh < 1)
		lh = body->h - 2 > 0 ? body->h - 2 : 0;
	r->list = (struct tui_rect){ body->y + 2, body->x, lh, body->w };
	r->detail = (struct tui_rect){ body->y + 2 + lh, body->x, body->h - 2 - lh, body->w };
	*list = r->list;
}

static void rr_draw(struct tui *t, void *priv, WINDOW *w, const struct tui_rect *body)
{
	struct rreview *r = priv;
	attr_t hd = theme_attr(ROLE_HEADER);
	int x = 1, y;

	x += tui_putf(w, body->y, x, body->w - x, hd, "%zu waiting on you (fix proposed)  ",
		      r->waiting);
	tui_putf(w, body->y, x, body->w - x, theme_attr(ROLE_DIM), "%zu finding%s of %s%s", r->n,
		 r->n == 1 ? "" : "s", r->who.agency[0] ? "agency " : "projects ",
		 r->who.agency[0] ? r->who.agency : r->who.projects);
	tui_put(w, body->y + 1, 1, 6, hd, ALIGN_LEFT, "#");
	tui_put(w, body->y + 1, 8, 12, hd, ALIGN_LEFT, "State");
	tui_put(w, body->y + 1, 21, 8, hd, ALIGN_LEFT, "Severity");
	tui_put(w, body->y + 1, 30, 14, hd, ALIGN_LEFT, "Project");
	tui_put(w, body->y + 1, 45, 5, hd, ALIGN_LEFT, "Check");
	tui_put(w, body->y + 1, 51, body->w - 51, hd, ALIGN_LEFT, "File, key, column");
	if (r->n == 0 && r->list.h > 0)
		tui_put(w, r->list.y, 2, body->w - 2, theme_attr(ROLE_DIM), ALIGN_LEFT,
			"No finding of your projects to review. Press q to quit.");
	if (r->detail.h < 2)
		return;
	y = r->detail.y;
	tui_hline(w, y++, 0, body->w, theme_attr(ROLE_DIM), theme_glyph(GLYPH_HLINE));
	if (r->n) {
		size_t sel = tui_selected(t) < r->n ? tui_selected(t) : 0;
		const struct review_item *it = &r->items[sel];

		tui_putf(w, y++, 1, body->w - 2, A_NORMAL, "Fix: %s",
			 it->fix[0] ? it->fix : "(none proposed yet)");
		if (y < r->detail.y + r->detail.h)
			tui_putf(w, y, 1, body->w - 2, theme_attr(ROLE_DIM),
				 "%s line %lld%s%s; %s%s%s; cycle %s", it->file,
				 (long long)it->line, it->detail[0] ? ", " : "", it->detail,
				 review_state_name(it->state),
				 it->reviewer[0] ? ", assigned to " : "", it->reviewer, it->cycle);
	}
}

static void rr_item_text(const struct review_item *it, char *buf, size_t n)
{
	snprintf(buf, n, "%s %s%s%s", it->file, it->key[0] ? it->key : "no key",
		 it->column[0] ? " " : "", it->column);
}

static void rr_draw_row(struct tui *t, void *priv, WINDOW *w, size_t row,
			const struct tui_rect *line, bool sel)
{
	const struct review_item *it = &((struct rreview *)priv)->items[row];
	attr_t at = theme_row_attr(ROLE_NORMAL, sel);
	char text[300];
	int y = line->y, x = line->x;

	(void)t;
	rr_item_text(it, text, sizeof text);
	tui_putf(w, y, x + 1, 6, at, "%lld", (long long)it->id);
	tui_put(w, y, x + 8, 12, theme_row_attr(scr_review_role(it->state), sel), ALIGN_LEFT,
		review_state_name(it->state));
	tui_put(w, y, x + 21, 8,
		theme_row_attr(it->severity == RS_BLOCKING ? ROLE_BLOCKING : ROLE_NORMAL, sel),
		ALIGN_LEFT, review_sev_name(it->severity));
	tui_put(w, y, x + 30, 14, at, ALIGN_LEFT, it->project);
	tui_put(w, y, x + 45, 5, at, ALIGN_LEFT, it->check);
	tui_put(w, y, x + 51, line->w - 51, at, ALIGN_LEFT, text);
}

static void rr_row_text(void *priv, size_t row, char *buf, size_t n)
{
	const struct review_item *it = &((struct rreview *)priv)->items[row];
	char text[300];

	rr_item_text(it, text, sizeof text);
	snprintf(buf, n, "%lld %s %s %s %s %s %s", (long long)it->id, review_state_name(it->state),
		 review_sev_name(it->severity), it->project, it->check, text, it->fix);
}

static const char *rr_title_of(void *priv)
{
	return ((struct rreview *)priv)->title;
}

static const char *rr_subtitle_of(void *priv)
{
	return ((struct rreview *)priv)->subtitle;
}

static bool rr_allowed(struct tui *t, void *priv, enum action a, char *why, size_t n)
{
	struct rreview *r = priv;
	const struct review_item *it;

	if (tui_selected(t) >= r->n)
		return true;
	it = &r->items[tui_selected(t)];
	if ((a == ACT_APPROVE || a == ACT_REJECT) && it->state != RV_FIX_PROPOSED) {
		snprintf(why, n, "finding %lld is %s; only a proposed fix can be %s",
			 (long long)it->id, review_state_name(it->state),
			 a == ACT_APPROVE ? "approved" : "rejected");
		return false;
	}
	return true;
}

static unsigned rr_decide(struct tui *t, struct rreview *r, enum review_action act,
			  const char *text)
{
	struct review_request rq = { r->pending_id, act, r->name, text, r->pending_version };
	struct review_item after;
	struct hmx_err err;

	hmx_err_clear(&err);
	if (review_decide(tui_store(t), &rq, &after, &err) != HMX_OK) {
		if (err.rc == HMX_ESTATE)
			tui_message(t, ROLE_BLOCKING,
				    "Finding %lld was not changed: %s. The list is refreshed; "
				    "look at it again.", (long long)r->pending_id, err.msg);
		else
			tui_message(t, ROLE_BLOCKING, "Finding %lld: %s", (long long)r->pending_id,
				    err.msg);
		return TUI_RELOAD;
	}
	r->to_top = act != RA_COMMENT;
	tui_message(t, ROLE_OK, "Finding %lld: %s by %s; now %s", (long long)after.id,
		    act == RA_APPROVE ? "approved" : act == RA_REJECT ? "rejected" : "commented",
		    r->name, review_state_name(after.state));
	return TUI_RELOAD;
}

static unsigned rr_approve_done(struct tui *t, void *priv, const char *text)
{
	return rr_decide(t, priv, RA_APPROVE, text);
}

static unsigned rr_reject_done(struct tui *t, void *priv, const char *text)
{
	if (!text[0]) {
		tui_message(t, ROLE_WARNING, "Reject: a comment is required (say what is wrong "
			    "with the fix); nothing changed");
		return TUI_OK;
	}
	return rr_decide(t, priv, RA_REJECT, text);
}

static unsigned rr_comment_done(struct tui *t, void *priv, const char *text)
{
	if (!text[0]) {
		tui_message(t, ROLE_WARNING, "Comment: no text given; nothing changed");
		return TUI_OK;
	}
	return rr_decide(t, priv, RA_COMMENT, text);
}

static unsigned rr_handle(struct tui *t, void *priv, enum action a)
{
	struct rreview *r = priv;
	const struct review_item *it;
	char q[300];

	if (tui_selected(t) >= r->n)
		return TUI_OK;
	it = &r->items[tui_selected(t)];
	r->pending_id = it->id;
	r->pending_version = it->version;
	switch (a) {
	case ACT_ENTER:
		scr_review_detail(t, it);
		return TUI_OK;
	case ACT_APPROVE:
		snprintf(q, sizeof q, "Approve the fix of finding %lld, comment (optional): ",
			 (long long)it->id);
		tui_prompt(t, q, rr_approve_done);
		return TUI_OK;
	case ACT_REJECT:
		snprintf(q, sizeof q, "Reject the fix of finding %lld, comment (required): ",
			 (long long)it->id);
		tui_prompt(t, q, rr_reject_done);
		return TUI_OK;
	case ACT_COMMENT:
		snprintf(q, sizeof q, "Comment on finding %lld: ", (long long)it->id);
		tui_prompt(t, q, rr_comment_done);
		return TUI_OK;
	default:
		return TUI_OK;
	}
}

const struct screen_ops rreview_screen = {
	.name = "reviewer",
	.title = "Review",
	.priv_size = sizeof(struct rreview),
	.actions = rr_actions,
	.n_actions = sizeof rr_actions / sizeof rr_actions[0],
	.keys = rr_keys,
	.n_keys = sizeof rr_keys / sizeof rr_keys[0],
	.open = rr_open,
	.close = rr_close,
	.reload = rr_reload,
	.layout = rr_layout,
	.draw = rr_draw,
	.rows = rr_rows,
	.draw_row = rr_draw_row,
	.row_text = rr_row_text,
	.title_of = rr_title_of,
	.subtitle = rr_subtitle_of,
	.allowed = rr_allowed,
	.handle = rr_handle,
};
